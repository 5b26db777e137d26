"""County and grid aggregation on hand-built polygons."""

import geopandas as gpd
import numpy as np
import pytest
from shapely import box

from geoair.hotspot import make_grid, to_counties, to_grid


def _counties():
    return gpd.GeoDataFrame({"adcode": ["110101", "110102"], "name": ["东城区", "西城区"]},
                            geometry=[box(116, 39, 117, 40), box(117, 39, 118, 40)], crs="EPSG:4326")


def _points():
    return gpd.GeoDataFrame({"pm25": [10.0, 30.0, 50.0, 70.0]},
                            geometry=gpd.points_from_xy([116.2, 116.8, 117.5, 119.0], [39.5] * 4),
                            crs="EPSG:4326")


def test_to_counties_count_and_mean():
    c = to_counties(_points(), _counties())
    assert list(c["count"]) == [2.0, 1.0]
    m = to_counties(_points(), _counties(), "pm25", statistic="mean")
    assert list(m["pm25"]) == [20.0, 50.0]
    assert m.attrs["droplog"].total() == 1  # 119E lies outside both counties


def test_grid_cells_are_true_size():
    for size in (1000.0, 3000.0):
        g = make_grid((116.0, 39.9, 116.1, 40.0), size)
        assert np.allclose(g.area, size**2)
    cells = to_grid(_points(), "pm25", cell_size=3000, statistic="max")
    assert len(cells) == 4 and cells["pm25"].max() == 70.0


def test_to_grid_on_given_grid_fills_zero():
    g = make_grid(_counties(), 3000.0)
    cells = to_grid(_points(), grid=g)
    assert cells["count"].sum() == 3  # one point outside the counties' grid
    assert len(cells) == len(g)
    with pytest.raises(ValueError, match="Valid options"):
        to_grid(_points(), "pm25", statistic="mode")


def test_to_grid_logs_points_outside_the_given_grid():
    grid = make_grid((116.0, 39.0, 116.5, 39.5), cell_size=10_000)
    pts = gpd.GeoDataFrame({"frp": [1.0, np.nan, 2.0]}, geometry=gpd.points_from_xy([116.2, 116.3, 120.0],
                                                                                     [39.2, 39.3, 39.2]),
                           crs="EPSG:4326")
    out = to_grid(pts, "frp", statistic="sum", grid=grid)
    reasons = {e["reason"]: e["n"] for e in out.attrs["droplog"]}
    assert reasons == {"point outside the given grid": 1, "value missing (not in the statistic)": 1}
    assert out["frp"].sum() == 1.0 and out.attrs["units"]["frp"] == "MW"
    assert grid.attrs["droplog"].total() == 0 and "col" in grid.attrs["units"]
