"""The briefing on the bundled data: sections as data, files, honest omissions, escaping, CLI."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoair.briefing import STEPS, Briefing, Section, load_config, run_briefing

FAST = {"analysis": {"permutations": 99, "n_bootstrap": 10}}


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
    for name in set(re.findall(r"tables/(\w+)\.csv", html)):  # every file the page points to exists
        assert (briefing.out_dir / "tables" / f"{name}.csv").exists(), name


def test_sections_are_data_with_dataframe_tables(briefing):
    assert isinstance(briefing, Briefing)
    keys = [s.key for s in briefing.sections]
    assert keys[:3] == ["data", "aqi", "budget"] and "priority" in keys and keys[-1] == "map"
    for s in briefing.sections:
        assert isinstance(s, Section)
        assert s.table is None or isinstance(s.table, pd.DataFrame)
        for text in (s.title, s.note, *s.warnings):
            assert "<" not in text, (s.key, text)  # no HTML in a section, ever
    assert [k for k, _ in STEPS] == ["load", "aqi", "weather", "attribution", "hotspots", "fires", "feedback",
                                     "priority", "map"]


def test_hotspot_table_consistent_with_fdr(briefing):
    ch = briefing.tables["county_hotspots"]
    sig = ch.dropna(subset=["p_fdr"])
    # labels follow the FDR-adjusted p-values at alpha = 0.05
    assert ((sig["hotspot"] == "hot") == ((sig["p_fdr"] < 0.05) & (sig["gi_z"] > 0))).all()
    assert (ch["hotspot"] == "no data").sum() == ch["value"].isna().sum()


def test_station_and_county_counts_mean_what_they_say(briefing):
    """'N stations in M counties' counts the counties that have stations with data (12.7)."""
    data = next(s for s in briefing.sections if s.key == "data")
    n_cty = (briefing.tables["county_hotspots"]["n_stations"] > 0).sum()
    n_st = int(briefing.tables["county_hotspots"]["n_stations"].sum())
    assert n_cty < 199
    assert f"{n_cty} 个区县（区域共 199 个区县）内 {n_st} 个有PM2.5数据的站点" in data.note


def test_counties_ranked_on_the_surface_with_a_note(briefing):
    """The hotspot step ranks every county the surface reaches, monitored or estimated, and says so."""
    ch = briefing.tables["county_hotspots"]
    ranked = ch.dropna(subset=["gi_z"])
    assert len(ranked) > (ch["n_stations"] > 0).sum()  # counties without a station are ranked too
    assert set(ranked["basis"]) == {"monitored", "estimated"}
    assert ((ranked["basis"] == "monitored") == (ranked["n_stations"] > 0)).all()
    assert (ranked["lower"] <= ranked["value"]).all() and (ranked["value"] <= ranked["upper"]).all()
    note = next(s for s in briefing.sections if s.key == "hotspots").note
    assert "插值浓度面" in note and "块克里金" in note


def _tiny_run(cfg=None):
    """A briefing run state with 6 one-station counties (no surface computed yet)."""
    import geopandas as gpd
    from shapely.geometry import box

    from geoair.briefing._model import Briefing, _Run

    n = 6
    counties = gpd.GeoDataFrame({"adcode": [f"1301{i:02d}" for i in range(n)], "name": list("ABCDEF")},
                                geometry=[box(114 + i, 38, 114.9 + i, 38.9) for i in range(n)], crs="EPSG:4326")
    stations = gpd.GeoDataFrame({"station": [f"S{i}" for i in range(n)], "adcode": counties["adcode"]},
                                geometry=gpd.points_from_xy(114.5 + np.arange(n), [38.5] * n), crs="EPSG:4326")
    time = pd.date_range("2019-01-01", periods=48, freq="h", tz="Asia/Shanghai")
    obs = pd.DataFrame({"station": np.repeat(stations["station"], len(time)), "time": np.tile(time, n),
                        "pm25": np.repeat(10.0 * np.arange(1, n + 1), len(time))})
    cfg = load_config(None) if cfg is None else cfg
    return _Run(cfg=cfg, lang="en", out_dir=Path("."), res=Briefing(Path("."), Path(".")),
                inp={"obs": obs, "stations": stations, "counties": counties})


def test_county_values_fall_back_to_station_means(monkeypatch):
    """Where the surface cannot run the station means are ranked, and the note says why."""
    import geoair.surface
    from geoair import GeoairInputError
    from geoair.briefing._hotspots import county_values

    def broken(*args, **kwargs):
        raise GeoairInputError("Too few stations for a variogram.")

    monkeypatch.setattr(geoair.surface, "county_means", broken)
    cv, how, reason, _ = county_values(_tiny_run())
    assert how == "stations" and "Too few stations for a variogram" in reason
    assert list(cv["value"]) == [10.0, 20.0, 30.0, 40.0, 50.0, 60.0] and (cv["n_stations"] == 1).all()
    cfg = load_config(None)
    cfg["analysis"]["county_values"] = "stations"
    cv, how, reason, _ = county_values(_tiny_run(cfg))
    assert how == "stations" and "county_values" in reason
    cfg["analysis"]["county_values"] = "kriging"
    from geoair import GeoairInputError as Err

    with pytest.raises(Err, match="county_values"):
        county_values(_tiny_run(cfg))


def test_counties_shown_with_their_city(briefing):
    """Two 新华区 and two 桥西区 in Hebei: every county a person reads carries its city (12.8)."""
    html = briefing.report.read_text(encoding="utf-8")
    assert "石家庄市 新华区" in html and "沧州市 新华区" in html
    # a bare county cell only right after its city's cell (the priority table has both columns)
    bare = len(re.findall(r"<td>(新华区|桥西区)</td>", html))
    assert bare == len(re.findall(r"<td>[^<]+市</td><td>(新华区|桥西区)</td>", html))
    shares = briefing.tables["shares_by_county"]["county"]
    assert shares.str.contains(" ").all()
    pr = pd.read_csv(briefing.files["priority_csv"], encoding="utf-8-sig")
    assert {"城市", "区县"} <= set(pr.columns)


def test_omitted_sections_are_listed_not_faked(briefing):
    html = briefing.report.read_text(encoding="utf-8")
    assert set(briefing.omitted) <= {"aqi", "budget", "attribution", "episodes", "hotspots", "emerging",
                                     "wind_arrows", "polar_plots", "weather"}
    assert "wind_arrows" in briefing.omitted  # the bundled data have no wind for 2019
    # one month without station meteorology: no weather-adjusted ranking, and the report says why
    assert "气象" in briefing.omitted["weather"] and briefing.omitted["weather"] in html
    assert "未生成的部分" in html and "地图风场箭头" in html and briefing.omitted["wind_arrows"] in html


def test_report_escapes_every_table_cell():
    from geoair.briefing._render import render_report

    evil = "<script>alert(1)</script>"
    sec = Section("x", evil, note=evil, table=pd.DataFrame({evil: [evil, 1.5]}), warnings=[evil],
                  links=[("a.csv", evil)])
    html = render_report([sec], period=evil, omitted={"wind_arrows": evil}, timings={"map": 1.0}, lang="en",
                         version="0")
    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 8


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
    res = run_briefing({"data": {"sources": str(csv)}, **FAST}, tmp_path / "out", lang="en", progress=False)
    for page in (res.report, res.files["map"]):
        text = page.read_text(encoding="utf-8")
        assert "alert('x')</script>" not in text
    # in the map the name is data: HTML-escaped inside a JSON string (\u0026 = &)
    assert "\\u0026lt;script\\u0026gt;alert(\\u0026#39;x\\u0026#39;)\\u0026lt;/script\\u0026gt;工地" in \
        res.files["map"].read_text(encoding="utf-8")


def test_station_wind_path_with_prsa(tmp_path):
    """With station ws/wd (bundled PRSA Beijing files) the map gets polar-plot popups and wind arrows."""
    from geoair import datasets

    folder = datasets.get_path("beijing_prsa")
    cfg = {"data": {"observations": str(folder / "PRSA_Data_*_20130301-20170228.csv.gz"),
                    "stations": str(folder / "beijing_12_stations.csv")},
           "period": {"start": "2016-12-01", "end": "2017-02-28"}, **FAST}
    res = run_briefing(cfg, tmp_path / "prsa", lang="en", progress=False)
    html = res.files["map"].read_text(encoding="utf-8")
    assert "wind_arrows" not in res.omitted
    if "polar_plots" not in res.omitted:  # geoair.directional present
        assert html.count("data:image/png;base64") >= 12


def test_station_mean_wind_direction():
    import geopandas as gpd

    from geoair.briefing._map import station_mean_wind

    obs = pd.DataFrame({"station": ["A"] * 4, "ws": [2.0, 2.0, 2.0, 2.0], "wd": [350.0, 10.0, 350.0, 10.0]})
    st = gpd.GeoDataFrame({"station": ["A"]}, geometry=gpd.points_from_xy([116.0], [40.0]), crs="EPSG:4326")
    w = station_mean_wind({"obs": obs, "stations": st})
    # vector mean of 350 and 10 degrees is north (0), speed 2 cos(10 deg)
    assert w["wd"].iloc[0] == pytest.approx(0.0, abs=1e-9) or w["wd"].iloc[0] == pytest.approx(360.0)
    assert w["ws"].iloc[0] == pytest.approx(2 * np.cos(np.radians(10)))


# Words allowed in the Chinese report: names of methods, standards, data sets, units, file names
# and configuration keys (a reader types them as they are).
ALLOWED_LATIN = {
    "AQI", "FDR", "Getis", "Ord", "Benjamini", "Hochberg", "Mann", "Kendall", "Esri", "DBSCAN", "FIRMS", "HJ",
    "SourceAttribution", "geoair", "ERA5", "tables", "droplog", "csv", "xlsx", "geojson", "html", "map", "priority",
    "data", "wind", "targets", "WGS84", "GCJ", "ws", "wd", "Gi", "km", "MW", "PM2", "PM10", "µg", "knn",
    "shares", "county", "episodes", "hotspots", "emerging", "fire", "counts", "league", "table", "budget",
    "target", "clusters", "by", "region", "evaluation", "zh", "ERA", "PM",
}


class _Visible:
    """Text a reader sees, outside data cells, scripts, styles and marked English originals."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        self.out, skip = [], []

        class P(HTMLParser):
            def handle_starttag(p, tag, attrs):
                if tag in ("td", "script", "style") or dict(attrs).get("lang") == "en":
                    skip.append(tag)
                elif skip and tag == skip[-1]:
                    skip.append(tag)

            def handle_endtag(p, tag):
                if skip and tag == skip[-1]:
                    skip.pop()

            def handle_data(p, data):
                if not skip:
                    self.out.append(data)

        P().feed(html)


def test_chinese_report_leaves_no_english(briefing):
    """Issue 12.5: with --lang zh, headings, notes, table headers and omissions are Chinese."""
    html = briefing.report.read_text(encoding="utf-8")
    text = " ".join(_Visible(html).out)
    words = set(re.findall(r"[A-Za-z][A-Za-z]+", text))
    assert words - ALLOWED_LATIN == set()
    # category-like values inside tables are translated too
    by_key = {s.key: s.table for s in briefing.sections if s.table is not None}
    assert set(by_key["hotspots"]["类别"]) <= {"热点", "冷点", "不显著"}
    assert all(re.search(r"[\u4e00-\u9fff]", c) for c in by_key["attribution"]["源类别"])
    assert set(by_key["priority"]["等级"]) <= {"红", "黄", "绿"}
    assert set(by_key["priority"]["清单类别"]) <= {"污染源", "火点聚类"}
    assert all(re.search(r"[\u4e00-\u9fff]", c) for c in by_key["emerging"]["模式"])
