"""The briefing on the bundled data: files, sections, honest omissions, escaping, CLI."""

import numpy as np
import pandas as pd
import pytest

from geoair.briefing import _table_html, load_config, run_briefing

FAST = {"analysis": {"permutations": 99}}


@pytest.fixture(scope="module")
def briefing(tmp_path_factory):
    out = tmp_path_factory.mktemp("briefing")
    return run_briefing(FAST, out, lang="zh", progress=False)


def test_outputs_exist(briefing):
    for key in ("map", "priority_xlsx", "priority_csv", "priority_geojson", "fig_hotspots"):
        assert briefing.files[key].exists(), key
    html = briefing.report.read_text(encoding="utf-8")
    assert "区县热点" in html and "火点概况" in html and "重点核查清单" in html
    assert 'src="figures/hotspots.png"' in html


def test_hotspot_table_consistent_with_fdr(briefing):
    ch = briefing.tables["county_hotspots"]
    sig = ch.dropna(subset=["p_fdr"])
    # labels follow the FDR-adjusted p-values at alpha = 0.05
    assert ((sig["hotspot"] == "hot") == ((sig["p_fdr"] < 0.05) & (sig["gi_z"] > 0))).all()
    assert (ch["hotspot"] == "no data").sum() == ch["value"].isna().sum()


def test_omitted_sections_are_listed_not_faked(briefing):
    html = briefing.report.read_text(encoding="utf-8")
    for key in briefing.omitted:
        assert key in html
    assert set(briefing.omitted) <= {"aqi", "budget", "attribution", "episodes", "hotspots", "wind arrows",
                                     "polar plots in station popups"}
    assert "wind arrows" in briefing.omitted  # the bundled data have no wind for 2019


def test_table_html_escapes():
    out = _table_html(pd.DataFrame({"name": ["<script>alert(1)</script>"]}))
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_config_errors(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[analysis]\npermutaions = 9\n', encoding="utf-8")
    from geoair import GeoairInputError

    with pytest.raises(GeoairInputError, match="permutaions"):
        load_config(p)
    p.write_text('[data]\nfires = "f.csv"\n', encoding="utf-8")
    assert load_config(p)["data"]["fires"] == str(tmp_path / "f.csv")


def test_cli_help():
    from geoair.cli import build_parser

    args = build_parser().parse_args(["briefing", "--out", "x", "--lang", "en"])
    assert args.out == "x" and args.lang == "en"


def test_script_in_source_name_is_text_everywhere(tmp_path):
    """A source named <script>... appears escaped in every HTML output (briefing and map)."""
    csv = tmp_path / "src.csv"
    evil = "<script>alert('x')</script>工地"
    csv.write_text(f"source_id,name,lon,lat,category,kind\nS1,\"{evil}\",116.40,39.90,dust,construction\n",
                   encoding="utf-8")
    res = run_briefing({"data": {"sources": str(csv)}, "analysis": {"permutations": 99}}, tmp_path / "out",
                       lang="en", progress=False)
    pages = [res.report, res.files["map"]]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "alert('x')</script>" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;工地" in res.files["map"].read_text(encoding="utf-8")


def test_station_wind_path_with_prsa(tmp_path):
    """With station ws/wd (bundled PRSA Beijing files) the map gets polar-plot popups and wind arrows."""
    from geoair import datasets

    folder = datasets.get_path("beijing_prsa")
    cfg = {"data": {"observations": str(folder / "PRSA_Data_*_20130301-20170228.csv.gz"),
                    "stations": str(folder / "beijing_12_stations.csv")},
           "period": {"start": "2016-12-01", "end": "2017-02-28"}, "analysis": {"permutations": 99}}
    res = run_briefing(cfg, tmp_path / "prsa", lang="en", progress=False)
    html = res.files["map"].read_text(encoding="utf-8")
    assert "wind arrows" not in res.omitted
    if "polar plots in station popups" not in res.omitted:  # geoair.directional present
        assert html.count("data:image/png;base64") >= 12


def test_station_mean_wind_direction():
    import geopandas as gpd

    from geoair.briefing import _station_mean_wind

    obs = pd.DataFrame({"station": ["A"] * 4, "ws": [2.0, 2.0, 2.0, 2.0], "wd": [350.0, 10.0, 350.0, 10.0]})
    st = gpd.GeoDataFrame({"station": ["A"]}, geometry=gpd.points_from_xy([116.0], [40.0]), crs="EPSG:4326")
    w = _station_mean_wind({"obs": obs, "stations": st})
    # vector mean of 350 and 10 degrees is north (0), speed 2 cos(10 deg)
    assert w["wd"].iloc[0] == pytest.approx(0.0, abs=1e-9) or w["wd"].iloc[0] == pytest.approx(360.0)
    assert w["ws"].iloc[0] == pytest.approx(2 * np.cos(np.radians(10)))
