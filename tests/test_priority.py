"""Priority list: ranking rule, exports (Excel/CSV/GeoJSON) and coordinates round trip."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from geoair.coords import gcj02_to_wgs84
from geoair.priority import PRIORITY_COLUMNS, export_priority, priority_list


def _inputs():
    sources = gpd.GeoDataFrame(
        {"source_id": ["s1", "s2", "s3"], "name": ["钢厂<script>alert(1)</script>", "Plant B", "Site C"],
         "kind": ["steel_plant", "power_plant", "construction"], "category": ["industry", "coal", "dust"]},
        geometry=gpd.points_from_xy([116.40, 116.80, 117.30], [39.90, 39.95, 39.50]), crs="EPSG:4326")
    scores = pd.DataFrame({
        "source_id": ["s1", "s1", "s2", "s3"], "station": ["1001A", "1002A", "1001A", "1003A"],
        "contribution": [5.0, 2.0, 3.0, 0.05], "lower": [2.0, 0.5, 0.5, -0.5], "upper": [8.0, 3.0, 6.0, 2.0],
        "hours_upwind": [120, 40, 80, 30], "exceedance_hours_explained": [25.0, 4.0, 6.0, 12.0]})
    counties = gpd.GeoDataFrame({"adcode": ["110101", "130000"], "name": ["东城区", "河北"]},
                                geometry=[box(116, 39.5, 117, 40.5), box(117, 39, 118, 40)], crs="EPSG:4326")
    fc = gpd.GeoDataFrame({"cluster": [0, 1], "n_fires": [12, 3], "frp_sum": [300.0, 20.0],
                           "last": pd.to_datetime(["2022-06-04 13:00", "2022-05-20 13:00"]).tz_localize("Asia/Shanghai")},
                          geometry=gpd.points_from_xy([117.5, 116.5], [39.2, 40.2]), crs="EPSG:4326")
    return scores, sources, counties, fc


def test_ranking_levels_and_evidence():
    scores, sources, counties, fc = _inputs()
    t = priority_list(scores, sources, counties, fire_clusters=fc)
    assert list(t.columns[:-1]) == list(PRIORITY_COLUMNS)
    # s1: interval excludes 0 and 25 h >= red_hours -> red, first; its best station is 1001A
    assert t.iloc[0]["source_id"] == "s1" and t.iloc[0]["level"] == "red"
    assert t.iloc[0]["station"] == "1001A" and t.iloc[0]["county"] == "东城区"
    # fire cluster 0: 12 detections at the reference time -> red; cluster 1 is 15 days old -> green
    # s2: significant, 6 h < red_hours -> yellow; s3: 12 h but 0.05 µg/m³ < min_contribution/10 -> green
    lv = dict(zip(t["source_id"], t["level"], strict=True))
    assert lv == {"s1": "red", "fire-0": "red", "s2": "yellow", "s3": "green", "fire-1": "green"}
    assert np.isnan(t.set_index("source_id").loc["fire-0", "contribution"])  # not invented
    assert "weak evidence" in t.set_index("source_id").loc["s3", "evidence"]
    assert list(t["rank"]) == [1, 2, 3, 4, 5]


def test_exports_both_languages_and_coordinates(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    scores, sources, counties, fc = _inputs()
    t = priority_list(scores, sources, counties, fire_clusters=fc)
    for lang in ("zh", "en"):
        files = export_priority(t, tmp_path, lang=lang)
        wb = openpyxl.load_workbook(files["xlsx"])
        ws = wb.active
        header = [c.value for c in ws[1]]
        assert header == [PRIORITY_COLUMNS[c][lang] for c in PRIORITY_COLUMNS]
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["A"].width >= 8
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(t)
        h = {name: i for i, name in enumerate(header)}
        for row in rows:
            sid = row[h[PRIORITY_COLUMNS["source_id"][lang]]]
            src = t.set_index("source_id").loc[sid].geometry
            lon_g = row[h[PRIORITY_COLUMNS["lon_gcj02"][lang]]]
            lat_g = row[h[PRIORITY_COLUMNS["lat_gcj02"][lang]]]
            lon_w, lat_w = gcj02_to_wgs84(lon_g, lat_g)
            # metres on the ground: 1 deg lat = 111 km
            d = np.hypot((lon_w - src.x) * 111_320 * np.cos(np.radians(src.y)), (lat_w - src.y) * 110_574)
            assert d < 1.0
            assert abs(row[h[PRIORITY_COLUMNS["lon_wgs84"][lang]]] - src.x) < 1e-6
        csv = pd.read_csv(files["csv"], encoding="utf-8-sig")
        assert list(csv.columns) == header
    g = gpd.read_file(files["geojson"])
    assert len(g) == len(t) and g.crs.to_epsg() == 4326


def test_empty():
    assert len(priority_list(None)) == 0


def test_ended_source_fades():
    scores, sources, counties, fc = _inputs()
    sources = sources.assign(active_to=pd.to_datetime(["2022-05-01", None, None]))
    t = priority_list(scores, sources, counties, now="2022-06-04").set_index("source_id")
    # s1 ended 34 days (~4.9 half-lives of 7 d) before `now`: score x 0.5**4.86, no longer red
    assert t.loc["s1", "level"] == "yellow"
    assert t.loc["s1", "score"] == pytest.approx(25.0 * 0.5 ** (34 / 7) + 5e-3)
    assert t.loc["s1", "last_seen"] == "2022-05-01"
    both = priority_list(scores, sources, counties, fire_clusters=fc, now="2022-06-04 13:00")
    assert dict(zip(both["source_id"], both["level"], strict=True))["fire-0"] == "red"  # naive now = local
    same = priority_list(scores, sources, counties).set_index("source_id")  # no `now`: no fading
    assert same.loc["s1", "level"] == "red"
