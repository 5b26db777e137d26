"""read_sources keeps lines and areas (roads, villages) with per-length / per-area strengths."""

import numpy as np
import pandas as pd
import pytest

gpd = pytest.importorskip("geopandas")
shapely = pytest.importorskip("shapely")

from geoair.coords import convert_coords  # noqa: E402
from geoair.io import read_sources  # noqa: E402

ROAD = [(116.30, 39.90), (116.40, 39.90), (116.40, 39.95)]
VILLAGE = [(116.50, 39.80), (116.52, 39.80), (116.52, 39.82), (116.50, 39.82), (116.50, 39.80)]


def _frame():
    return gpd.GeoDataFrame(
        {"name": ["road", "village", "plant"], "category": ["vehicle", "coal", "industry"],
         "weight_per_km": [2.0, None, None], "weight_per_km2": [None, 3.0, None], "weight": [None, None, 5.0]},
        geometry=[shapely.LineString(ROAD), shapely.Polygon(VILLAGE), shapely.Point(116.45, 39.85)],
        crs="EPSG:4326")


def test_geojson_lines_and_areas_with_strengths(tmp_path):
    path = tmp_path / "src.geojson"
    _frame().to_file(path, driver="GeoJSON")
    src = read_sources(path, crs="wgs84")
    assert list(src.geometry.geom_type) == ["LineString", "Polygon", "Point"]
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    road_km = geod.geometry_length(shapely.LineString(ROAD)) / 1000
    area_km2 = abs(geod.geometry_area_perimeter(shapely.Polygon(VILLAGE))[0]) / 1e6
    assert 13 < road_km < 15 and 3.5 < area_km2 < 5.0  # 0.1° lon + 0.05° lat; 0.02° square at 40° N
    np.testing.assert_allclose(src["length_km"].iloc[0], road_km, rtol=1e-9)
    np.testing.assert_allclose(src["area_km2"].iloc[1], area_km2, rtol=1e-9)
    np.testing.assert_allclose(src["weight"], [2.0 * road_km, 3.0 * area_km2, 5.0])
    np.testing.assert_allclose(shapely.get_coordinates(src.geometry.iloc[0]), ROAD)


def test_csv_wkt_gcj02_converts_every_vertex(tmp_path):
    lon, lat = np.array(ROAD).T
    glon, glat = convert_coords(lon, lat, src="wgs84", dst="gcj02")
    wkt = "LINESTRING (" + ", ".join(f"{a:.9f} {b:.9f}" for a, b in zip(glon, glat, strict=True)) + ")"
    pd.DataFrame({"名称": ["路"], "类别": ["vehicle"], "wkt": [wkt], "每公里排放": [1.0]}).to_csv(
        tmp_path / "roads.csv", index=False)
    src = read_sources(tmp_path / "roads.csv", crs="gcj02")
    got = shapely.get_coordinates(src.geometry.iloc[0])
    np.testing.assert_allclose(got, ROAD, atol=1e-7)  # back on WGS84 within ~1 cm
    assert src["weight"].iloc[0] == pytest.approx(src["length_km"].iloc[0])


def test_per_km_on_a_point_is_an_error(tmp_path):
    from geoair import GeoairInputError

    df = pd.DataFrame({"lon": [116.4], "lat": [39.9], "category": ["dust"], "weight_per_km": [1.0]})
    with pytest.raises(GeoairInputError, match="weight_per_km"):
        read_sources(df, crs="wgs84")
