"""``geoair attribute`` end to end: a small twin experiment written to files as a user would have them
(tidy observations, a station list, one source file per category without category/kind columns,
a FIRMS-style fire CSV and a NetCDF wind field), and the bundled GPPD/steel files used directly."""

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from geoair.apportion import SourceAttribution
from geoair.apportion._defaults import ATTRIBUTION_DEFAULTS
from geoair.cli import build_parser, main
from geoair.testing import make_attribution_truth

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attr")
    syn = make_attribution_truth(seed=5, days=6, stations=["1001A", "1003A", "1005A", "1011A"], n_sources=24,
                                 n_fires=12)
    obs = syn.obs.drop(columns=["ws", "wd"])
    obs["time"] = obs["time"].dt.strftime("%Y-%m-%d %H:%M")
    obs.to_csv(tmp / "obs.csv", index=False)
    syn.stations[["station", "name", "city", "lon", "lat"]].to_csv(tmp / "stations.csv", index=False)
    paths = []
    for cat, g in syn.sources.groupby("category"):
        p = tmp / f"{cat}.csv"
        pd.DataFrame({"source_id": g["source_id"], "name": g["name"], "lon": g.geometry.x, "lat": g.geometry.y,
                      "weight": g["weight"]}).to_csv(p, index=False)
        paths.append((cat, str(p)))
    f = syn.fires
    t_utc = f["time"].dt.tz_convert("UTC")
    pd.DataFrame({"latitude": f.geometry.y, "longitude": f.geometry.x, "brightness": 320.0, "scan": 1.0,
                  "track": 1.0, "acq_date": t_utc.dt.strftime("%Y-%m-%d"), "acq_time": t_utc.dt.strftime("%H%M"),
                  "satellite": "Terra", "instrument": "MODIS", "confidence": 80, "version": "6.1NRT",
                  "bright_t31": 290.0, "frp": f["frp"], "daynight": "D"}).to_csv(tmp / "fires.csv", index=False)
    syn.wind.to_netcdf(tmp / "wind.nc")
    return tmp, syn, paths


def _base(tmp):
    return ["attribute", "--observations", str(tmp / "obs.csv"), "--format", "tidy", "--stations",
            str(tmp / "stations.csv"), "--n-bootstrap", "5", "--random-state", "0"]


def test_cli_sources_without_category_columns(files):
    tmp, syn, paths = files
    cats = [c for c, _ in paths]
    args = _base(tmp) + ["--sources", *[p for _, p in paths], "--category", *cats, "--kind",
                         *[{"coal": "boiler", "dust": "construction", "vehicle": "road"}[c] for c in cats],
                         "--fires", str(tmp / "fires.csv"), "--wind", str(tmp / "wind.nc"), "--out", str(tmp / "out")]
    assert main(args) == 0
    out = tmp / "out"
    contrib = pd.read_parquet(out / "contributions.parquet")
    assert list(contrib.columns[:7]) == ["station", "time", "category", "pm25", "pm10", "lower", "upper"]
    assert set(contrib["station"].astype(str)) == set(syn.stations["station"].astype(str))
    assert (contrib.groupby("category", observed=True)["pm25"].sum()[["coal", "dust", "vehicle"]] > 0).all()
    scores = pd.read_parquet(out / "source_scores.parquet")
    assert {"source_id", "station", "category", "contribution", "lower", "upper", "rank"} <= set(scores.columns)
    assert scores["source_id"].isin(set(syn.sources["source_id"]) | {f"MODIS-{i}" for i in range(100)}).all()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["wind"] == "field"
    assert abs(sum(v["share"] for v in summary["shares_pm25"].values()) - 1) < 1e-6
    drop = pd.read_csv(out / "droplog.csv")
    assert {"file", "row", "column", "reason"} <= set(drop.columns)
    assert (out / "shares.csv").is_file()


def test_cli_csv_and_no_source_warning(files, capsys):
    tmp, _, _ = files
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(_base(tmp) + ["--csv", "--out", str(tmp / "out_csv")]) == 0
    messages = " ".join(str(w.message) for w in caught)
    assert "NO SOURCES GIVEN" in messages and "No wind given" in messages
    assert "WARNING: NO SOURCES GIVEN" in capsys.readouterr().err
    contrib = pd.read_csv(tmp / "out_csv" / "contributions.csv")
    assert set(contrib["category"]) >= {"regional"} and (contrib["pm25"] >= 0).all()


def test_cli_bundled_gppd_and_steel_files_work_directly(files):
    tmp, _, _ = files
    gppd = ROOT / "data" / "power_plants" / "gppd_v1.2.0_china.csv.gz"
    steel = ROOT / "data" / "steel_plants" / "gem_gist_2025-09_china_plants.csv.gz"
    if not gppd.is_file():
        pytest.skip("bundled data/ not present")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no wind: isotropic kernels
        assert main(_base(tmp) + ["--sources", str(gppd), str(steel), "--out", str(tmp / "out_gppd")]) == 0
    scores = pd.read_parquet(tmp / "out_gppd" / "source_scores.parquet")
    assert {"coal", "industry"} >= set(scores["category"]) and len(scores) > 0


def test_cli_bad_category_count_is_an_input_error(files, capsys):
    tmp, _, paths = files
    rc = main(_base(tmp) + ["--sources", *[p for _, p in paths], "--category", "coal", "dust", "--out",
                            str(tmp / "bad")])
    assert rc == 2 and "--category takes one value" in capsys.readouterr().err


def test_cli_defaults_are_the_estimators():
    parser = build_parser()
    args = parser.parse_args(["attribute", "-o", "x.csv", "-s", "s.csv", "--out", "o"])
    params = SourceAttribution().get_params()
    assert args.cutoff_km == params["cutoff_km"] == ATTRIBUTION_DEFAULTS["cutoff_km"]
    assert args.n_bootstrap == params["n_bootstrap"] and args.physics == params["physics"]
    assert args.alpha == params["alpha"] and args.random_state == params["random_state"]
    text = parser._subparsers._group_actions[0].choices["attribute"].format_help()
    assert "(default: 50.0)" in text and "(default: auto)" in text
