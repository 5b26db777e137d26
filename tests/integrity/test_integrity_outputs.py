"""Outputs: station summary, priority rows, files written by write_integrity and the CLI, the plot."""

import json

import numpy as np
import pandas as pd
import pytest

from geoair._output import verify_manifest
from geoair._validation import GeoairInputError
from geoair.cli import main
from geoair.integrity import (
    EVENT_COLUMNS,
    IntegrityScreen,
    integrity_priority_rows,
    station_summary,
    write_integrity,
)
from geoair.priority import PRIORITY_COLUMNS


@pytest.fixture(scope="module")
def tampered(clean_network):
    obs, stations = clean_network
    out = obs.copy()
    code = stations["station"].iloc[3]
    rows = (out["station"] == code) & out["time"].between(out["time"].min() + pd.Timedelta(days=5),
                                                          out["time"].min() + pd.Timedelta(days=8))
    out.loc[rows, ["pm25", "pm10"]] = np.round(out.loc[rows, ["pm25", "pm10"]] * 0.4)
    return out, stations, code


@pytest.fixture(scope="module")
def screen(tampered):
    obs, stations, _ = tampered
    return IntegrityScreen(lang="en").fit(obs, stations)


def test_station_summary_one_row_per_station(screen, tampered):
    _, stations, code = tampered
    summ = station_summary(screen)
    assert len(summ) == len(stations) and summ["station"].is_unique
    top = summ.iloc[0]
    assert top["station"] == code and top["level"] == "red" and top["top_kind"] == "suppression"
    for col in ("n_neighbours", "nearest_km", "dip_hour", "missing_p", "valid_pm25"):
        assert col in summ.columns


def test_priority_rows_have_the_priority_list_columns(screen, tampered):
    _, stations, code = tampered
    rows = integrity_priority_rows(screen.events_, stations, lang="zh")
    assert list(rows.columns) == list(PRIORITY_COLUMNS) + ["geometry"]
    assert rows.crs.to_epsg() == 4326
    first = rows.iloc[0]
    assert first["station"] == code and first["source_id"] == f"station-{code}"
    assert first["kind"] == "station_check" and first["level"] == "red"
    assert "压低" in first["evidence"]
    # GCJ-02 is offset from WGS84 by a few hundred metres in China
    assert 0 < abs(first["lon_gcj02"] - first["lon_wgs84"]) < 0.02


def test_priority_rows_empty_when_nothing_strong(screen, clean_network):
    _, stations = clean_network
    rows = integrity_priority_rows(screen.events_.iloc[0:0], stations)
    assert len(rows) == 0 and "evidence" in rows.columns


def test_write_integrity_files_and_manifest(screen, tmp_path):
    summ = station_summary(screen)
    out = tmp_path / "run"
    paths = write_integrity(screen.events_, summ, out, params={"min_score": 1.0})
    ev = pd.read_csv(paths["events"], encoding="utf-8-sig")
    assert list(ev.columns[:7]) == EVENT_COLUMNS and len(ev) == len(screen.events_)
    st = pd.read_csv(paths["stations"], encoding="utf-8-sig")
    assert len(st) == len(summ)
    man = json.loads(paths["manifest"].read_text(encoding="utf-8"))
    files = {f["path"]: f for f in man["files"]}
    assert files["events.csv"]["rows"] == len(ev) and len(files["events.csv"]["sha256"]) == 64
    assert man["complete"] is True and man["command"] == "integrity"
    assert man["config"] == {"min_score": 1.0}
    assert verify_manifest(out) == []


def test_write_integrity_refuses_foreign_folder_and_earlier_run(screen, tmp_path):
    summ = station_summary(screen)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("user file")
    with pytest.raises(GeoairInputError, match="not empty"):
        write_integrity(screen.events_, summ, foreign)
    assert (foreign / "keep.txt").read_text() == "user file"
    out = tmp_path / "run"
    write_integrity(screen.events_, summ, out)
    with pytest.raises(GeoairInputError, match="earlier geoair run"):
        write_integrity(screen.events_, summ, out)
    paths = write_integrity(screen.events_.iloc[:1], summ, out, overwrite=True)
    assert len(pd.read_csv(paths["events"], encoding="utf-8-sig")) == 1
    assert verify_manifest(out) == []


def test_write_integrity_quotes_formula_like_text(tmp_path):
    ev = pd.DataFrame({"station": ["=cmd|' /C calc'!A0"], "start": [pd.Timestamp("2019-01-01", tz="Asia/Shanghai")],
                       "end": [pd.Timestamp("2019-01-02", tz="Asia/Shanghai")], "kind": ["copy"],
                       "score": [5.0], "pollutant": ["pm25"], "evidence": ["@SUM(1)"]})
    paths = write_integrity(ev, pd.DataFrame({"station": ["+x"]}), tmp_path / "o")
    text = paths["events"].read_text(encoding="utf-8-sig")
    assert "'=cmd" in text and "'@SUM" in text


def test_cli_writes_events_stations_manifest(tampered, tmp_path):
    obs, stations, code = tampered
    obs_path, st_path = tmp_path / "obs.csv", tmp_path / "stations.csv"
    o = obs.copy()
    o["time"] = o["time"].dt.strftime("%Y-%m-%d %H:%M:%S%z")
    o.to_csv(obs_path, index=False)
    stations.to_csv(st_path, index=False)
    rc = main(["integrity", "--observations", str(obs_path), "--stations", str(st_path),
               "--out", str(tmp_path / "out"), "--lang", "zh"])
    assert rc == 0
    ev = pd.read_csv(tmp_path / "out" / "events.csv", encoding="utf-8-sig", dtype={"station": str})
    assert list(ev.columns[:7]) == EVENT_COLUMNS
    assert ev["station"].iloc[0] == code
    assert (tmp_path / "out" / "stations.csv").is_file()
    man = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert man["command"] == "integrity" and verify_manifest(tmp_path / "out") == []
    assert {i["path"] for i in man["inputs"]} == {str(obs_path), str(st_path)}
    assert man["droplog"]["total"] >= 0 and isinstance(man["droplog"]["summary"], list)


def test_cli_bad_file_is_an_error_message_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "obs.csv"
    bad.write_text("a,b\n1,2\n")
    st = tmp_path / "st.csv"
    st.write_text("station,lon,lat\n1001A,116.3,39.9\n")
    rc = main(["integrity", "--observations", str(bad), "--stations", str(st), "--out", str(tmp_path / "o")])
    assert rc == 2
    assert "geoair integrity: error" in capsys.readouterr().err


def test_plot_integrity_draws_band_and_events(screen, tampered):
    from geoair.plot.integrity import plot_integrity

    _, _, code = tampered
    fig = plot_integrity(screen.expected(code), screen.events_, station=code, lang="zh")
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and len(ax.collections) >= 1
    assert any("压低" in t.get_text() for t in ax.texts)
    import matplotlib.pyplot as plt

    plt.close(fig)
