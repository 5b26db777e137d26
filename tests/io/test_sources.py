"""geoair.io.sources: source files (CSV/XLSX/GeoJSON, Chinese columns, GCJ-02/BD-09), GPPD, GEM steel.

Counts from ../shared/data/power_plants_gppd/SOURCE.md (China: Coal 946, Gas 170, Oil 5 of 3,041)
and ../shared/data/steel_plants_gem/SOURCE.md (404 Chinese plants). Coordinate vectors from
standards.md §7 (coordtransform-rs: WGS84 116.404, 39.915 -> GCJ-02 116.41024449916938,
39.91640428150164 -> BD-09 116.41662724378733, 39.922699552216216).
"""

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geoair import GeoairInputError, schema
from geoair.io.sources import read_gem_steel, read_gppd, read_sources

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
WGS = (116.404, 39.915)
GCJ = (116.41024449916938, 39.91640428150164)
BD = (116.41662724378733, 39.922699552216216)


def _write_zh_csv(path, lng, lat, encoding="utf-8"):
    df = pd.DataFrame(
        {"名称": ["工地A", "电厂B"], "经度": [lng, 116.5], "纬度": [lat, 40.0], "类别": ["扬尘", "燃煤"], "类型": ["construction_site", "power_plant"]}
    )
    df.to_csv(path, index=False, encoding=encoding)
    return path


@pytest.mark.parametrize(("crs", "xy"), [("wgs84", WGS), ("gcj02", GCJ), ("bd09", BD)])
def test_chinese_columns_and_crs(tmp_path, crs, xy):
    src = read_sources(_write_zh_csv(tmp_path / "s.csv", *xy), crs=crs)
    assert list(src.columns[:5]) == list(schema.SOURCE_COLUMNS)
    assert src.crs.to_epsg() == 4326
    assert src["category"].tolist() == ["dust", "coal"]
    assert src["kind"].tolist() == ["construction_site", "power_plant"]
    assert src["name"].tolist() == ["工地A", "电厂B"]
    assert src["weight"].tolist() == [1.0, 1.0]
    assert src["source_id"].tolist() == ["S00001", "S00002"]
    assert src.geometry.x.iloc[0] == pytest.approx(WGS[0], abs=1e-7)
    assert src.geometry.y.iloc[0] == pytest.approx(WGS[1], abs=1e-7)
    assert src.attrs["source_crs"] == crs


def test_gb18030_csv_and_xlsx(tmp_path):
    src = read_sources(_write_zh_csv(tmp_path / "gbk.csv", *WGS, encoding="gb18030"))
    assert src["name"].tolist() == ["工地A", "电厂B"]
    df = pd.DataFrame({"name": ["x", "y"], "lon": [116.1, 116.2], "lat": [39.1, 39.2], "weight": [2.5, None]})
    df.to_excel(tmp_path / "s.xlsx", index=False)
    src = read_sources(tmp_path / "s.xlsx", category="industry", kind="enterprise")
    assert src["category"].tolist() == ["industry", "industry"]
    assert src["kind"].tolist() == ["enterprise", "enterprise"]
    assert src["weight"].tolist() == [2.5, 1.0]


def test_geojson_points_and_polygons(tmp_path):
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "p", "category": "cooking", "source_id": "X1"},
             "geometry": {"type": "Point", "coordinates": list(GCJ)}},
            {"type": "Feature", "properties": {"name": "site", "category": "dust", "source_id": "X2"},
             "geometry": {"type": "Polygon", "coordinates": [[[116.0, 39.0], [116.01, 39.0], [116.01, 39.01], [116.0, 39.01], [116.0, 39.0]]]}},
        ],
    }
    path = tmp_path / "s.geojson"
    path.write_text(json.dumps(fc))
    src = read_sources(path, crs="gcj02")
    assert src["source_id"].tolist() == ["X1", "X2"]
    assert src.geometry.iloc[0].x == pytest.approx(WGS[0], abs=1e-7)
    assert src.geom_type.tolist() == ["Point", "Polygon"]  # issue 20: areas are kept


def test_missing_coordinates_are_logged(tmp_path):
    df = pd.DataFrame({"name": ["a", "b", "c"], "lon": [116.1, None, 116.3], "lat": [39.1, 39.2, 39.3], "category": ["coal"] * 3})
    df.to_csv(tmp_path / "s.csv", index=False)
    src = read_sources(tmp_path / "s.csv")
    assert len(src) == 2
    log = src.attrs["droplog"]
    assert log.total() == 1 and log.to_frame()["row"].tolist() == [2]


def test_unknown_category_lists_valid(tmp_path):
    df = pd.DataFrame({"name": ["a"], "lon": [116.1], "lat": [39.1], "category": ["volcano"]})
    df.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(GeoairInputError, match="Unknown source category") as err:
        read_sources(tmp_path / "s.csv")
    msg = str(err.value)
    assert all(c in msg for c in schema.CATEGORIES) and "扬尘" in msg and "s.csv" in msg
    with pytest.raises(GeoairInputError, match="Unknown source category"):
        read_sources(tmp_path / "s.csv".replace("s.csv", "s.csv"), category="nope")


@pytest.mark.parametrize(
    ("frame", "kwargs", "match"),
    [
        (pd.DataFrame({"name": ["a"], "lon": [116.1], "lat": [39.1]}), {}, "no category column"),
        (pd.DataFrame({"name": ["a"], "lat": [39.1], "category": ["coal"]}), {}, "no longitude"),
        (pd.DataFrame({"lon": [39.9, 40.0], "lat": [116.4, 116.5], "category": ["coal", "coal"]}), {}, "swapped"),
        (pd.DataFrame({"lon": [216.4], "lat": [39.9], "category": ["coal"]}), {}, "out of range"),
        (pd.DataFrame({"lon": ["116°24'"], "lat": [39.9], "category": ["coal"]}), {}, "not numbers"),
        (pd.DataFrame({"lon": [116.4], "lat": [39.9], "category": ["coal"], "weight": [-1]}), {}, "weight"),
        (pd.DataFrame({"lon": [116.4, 116.5], "lat": [39.9, 39.8], "category": ["coal"] * 2, "id": ["a", "a"]}), {}, "not unique"),
        (pd.DataFrame({"lon": [116.4], "lat": [39.9], "category": ["dust"], "active_from": ["spring 2019"]}), {}, "Dates"),
    ],
)
def test_bad_inputs(tmp_path, frame, kwargs, match):
    frame.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(GeoairInputError, match=match):
        read_sources(tmp_path / "bad.csv", **kwargs)


def test_active_period(tmp_path):
    df = pd.DataFrame({"lon": [116.4, 116.5], "lat": [39.9, 39.8], "category": ["dust"] * 2,
                       "kind": ["construction_site"] * 2, "active_from": ["2019-01-01", None], "active_to": ["2019-06-30", None]})
    df.to_csv(tmp_path / "s.csv", index=False)
    src = read_sources(tmp_path / "s.csv")
    assert list(src.columns[:7]) == [*schema.SOURCE_COLUMNS, "active_from", "active_to"]
    assert src["active_from"].iloc[0] == pd.Timestamp("2019-01-01") and pd.isna(src["active_to"].iloc[1])


def test_crs_option_validated(tmp_path):
    with pytest.raises(ValueError, match="Valid options"):
        read_sources(_write_zh_csv(tmp_path / "s.csv", *WGS), crs="cgcs2000")


def test_empty_file(tmp_path):
    pd.DataFrame({"name": [], "lon": [], "lat": [], "category": []}).to_csv(tmp_path / "e.csv", index=False)
    src = read_sources(tmp_path / "e.csv")
    assert len(src) == 0 and isinstance(src, gpd.GeoDataFrame)


@pytest.mark.shared_data("power_plants_gppd")
def test_gppd_china():
    src = read_gppd(SHARED / "power_plants_gppd" / "global_power_plant_database_v1.2.0_first11cols.csv.gz")
    assert len(src) == 946 + 170 + 5
    assert src["category"].value_counts().to_dict() == {"coal": 946, "industry": 175}
    assert (src["kind"] == "power_plant").all()
    assert src.loc[src["fuel"] == "Coal", "capacity_mw"].sum() == pytest.approx(955_718, abs=1)
    log = src.attrs["droplog"]
    assert log.total() == 3041 - 1121
    assert log.summary()["reason"].tolist() == ["non-emitting fuel"]
    # weight is relative to the median plant
    assert src["weight"].median() == pytest.approx(1.0)
    assert src["source_id"].is_unique
    assert src.cx[113.4:119.9, 36:42.7].query("fuel == 'Coal'").shape[0] == 116  # SOURCE.md: 116 coal in BTH bbox


@pytest.mark.shared_data("steel_plants_gem")
def test_gem_steel_raw_table():
    src = read_gem_steel(SHARED / "steel_plants_gem" / "china_steel_plants_plantdata.csv")
    assert len(src) == 404
    assert (src["category"] == "industry").all() and (src["kind"] == "steel_plant").all()
    assert src["weight"].eq(1.0).all()  # the raw plant sheet has no parseable capacity column
    first = src.iloc[0]
    assert first["name"] == "安钢集团信阳钢铁有限责任公司"
    assert first.geometry.y == pytest.approx(32.488704) and first.geometry.x == pytest.approx(114.038243)
    assert (src["province"] == "Hebei").sum() == 83  # SOURCE.md by province
    assert np.isnan(src["capacity_ttpa"]).all()
