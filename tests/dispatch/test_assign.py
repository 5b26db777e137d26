"""dispatch(): every row assigned to the grid containing it or reported; datums, CRS, people, overlaps."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from geoair import GeoairInputError
from geoair.coords import convert_geometry
from geoair.dispatch import dispatch, people_table, unassigned

M_PER_DEG = 111_195.0


def test_every_row_assigned_to_its_grid_or_reported(priority, grids):
    out = dispatch(priority, grids)
    assert len(out) == len(priority)  # nothing dropped
    assert list(out["source_id"]) == list(priority["source_id"].astype(str))  # order kept
    assert set(out["row_kind"]) == {"source", "fire_cluster", "station_check"}
    g = grids.set_index("grid_id")
    for _, row in out.iterrows():
        if row["grid_id"]:
            assert g.loc[row["grid_id"], "geometry"].intersects(row.geometry), row["source_id"]
        else:
            assert not grids.intersects(row.geometry).any(), row["source_id"]
    # the two sources placed outside the grids and the fire cluster in Tianjin are reported
    lost = unassigned(out)
    assert {"s30", "s31", "fire-1"} <= set(lost["source_id"])
    assert (lost["assigned_by"] == "unassigned").all() and (lost["grid_id"] == "").all()
    log = out.attrs["droplog"]
    assert log.total() == len(lost)
    assert "outside every grid" in log.summary()["reason"].iloc[0]
    # task ids: grid + number in list order, unique
    assert out["task_id"].is_unique
    first = out[out["grid_id"] != ""].groupby("grid_id").head(1)
    assert (first["task_id"].str.endswith("-001")).all() and (first["grid_rank"] == 1).all()
    assert out.attrs["grids"]["grid_id"] == grids["grid_id"].tolist()


def test_grids_in_gcj02_and_other_crs_give_the_same_assignment(priority, grids):
    base = dispatch(priority, grids)["grid_id"]
    utm = dispatch(priority, grids.to_crs(32650))["grid_id"]
    assert (utm == base).all()
    gcj = grids.copy()
    gcj["geometry"] = convert_geometry(grids.geometry.to_numpy(), src="wgs84", dst="gcj02")
    declared = dispatch(priority, gcj, grids_coords="gcj02")["grid_id"]
    assert (declared == base).all()


def test_undeclared_gcj02_grids_misplace_rows_near_an_edge(grids):
    """A point 200 m inside the west edge of a grid: GCJ-02 shifts Beijing ~0.5 km east."""
    poly = grids.geometry.iloc[0]
    cy = poly.centroid.y
    west = poly.intersection(LineString([(poly.bounds[0] - 1, cy), (poly.bounds[2] + 1, cy)])).bounds[0]
    p = Point(west + 200.0 / (M_PER_DEG * np.cos(np.radians(cy))), cy)
    row = gpd.GeoDataFrame({"source_id": ["edge"], "kind": ["boiler"], "category": ["coal"]}, geometry=[p],
                           crs="EPSG:4326")
    gcj = grids.copy()
    gcj["geometry"] = convert_geometry(grids.geometry.to_numpy(), src="wgs84", dst="gcj02")
    right = dispatch(row, gcj, grids_coords="gcj02")["grid_id"].iat[0]
    wrong = dispatch(row, gcj)["grid_id"].iat[0]
    assert right == grids["grid_id"].iat[0]
    assert wrong != right


def test_people_fill_the_responsibility_columns(priority, grids):
    people = pd.DataFrame({"grid_id": ["110105-NE", "110105-NE", "110106-SW", "no-such-grid"],
                           "网格员": ["张三", "李四", "王五", "赵六"], "联系电话": ["13800000001", "13800000002", "", "1"]})
    out = dispatch(priority, grids, people=people)
    ne = out[out["grid_id"] == "110105-NE"]
    assert len(ne) and (ne["person"] == "张三、李四").all() and (ne["phone"] == "13800000001、13800000002").all()
    sw = out[out["grid_id"] == "110106-SW"]
    assert (sw["person"] == "王五").all() and (sw["phone"] == "").all()
    others = out[~out["grid_id"].isin(["110105-NE", "110106-SW"])]
    assert (others["person"] == "").all()  # left blank for the county to fill
    assert people_table(people).shape == (3, 3)
    with pytest.raises(GeoairInputError, match="name column"):
        people_table(pd.DataFrame({"grid_id": ["a"], "x": [1]}))


def test_overlapping_grids_smallest_wins_and_snapping(grids):
    big = gpd.GeoDataFrame({"grid_id": ["county"]}, geometry=[box(115, 39, 118, 41)], crs="EPSG:4326")
    layered = pd.concat([grids[["grid_id", "geometry"]], big], ignore_index=True)
    p_in = grids.geometry.iloc[5].representative_point()
    p_edge = Point(115 - 100.0 / (M_PER_DEG * np.cos(np.radians(40))), 40.0)  # 100 m west of the big grid
    rows = gpd.GeoDataFrame({"source_id": ["a", "b"], "kind": ["road", "road"], "category": ["vehicle"] * 2},
                            geometry=[p_in, p_edge], crs="EPSG:4326")
    out = dispatch(rows, layered)
    assert out["grid_id"].tolist() == [grids["grid_id"].iloc[5], ""]
    assert out["assigned_by"].tolist() == ["overlap", "unassigned"]
    snapped = dispatch(rows, layered, snap_m=300)
    assert snapped["grid_id"].tolist()[1] == "county" and snapped["assigned_by"].iat[1] == "nearest"
    assert dispatch(rows, layered, snap_m=50)["grid_id"].iat[1] == ""


def test_rows_without_location_empty_input_and_errors(grids):
    df = pd.DataFrame({"source_id": ["x", "y"], "kind": ["boiler", "boiler"], "category": ["coal", "coal"],
                       "lon_wgs84": [116.45, np.nan], "lat_wgs84": [39.95, np.nan]})
    out = dispatch(df, grids)
    assert out["assigned_by"].iat[1] == "unassigned"
    assert "without a location" in " ".join(out.attrs["droplog"].summary()["reason"])
    empty = dispatch(df.iloc[:0], grids)
    assert len(empty) == 0 and "task_id" in empty.columns
    with pytest.raises(GeoairInputError, match="grid_id"):
        dispatch(df, grids.rename(columns={"grid_id": "code"}))
    with pytest.raises(GeoairInputError, match="no CRS"):
        dispatch(df, gpd.GeoDataFrame(grids.drop(columns="geometry"), geometry=list(grids.geometry)))
    with pytest.raises(GeoairInputError, match="no locations"):
        dispatch(pd.DataFrame({"source_id": ["x"]}), grids)
    with pytest.raises(ValueError, match="Valid options"):
        dispatch(df, grids, grids_coords="utm")
    assert dispatch(df, grids.rename(columns={"grid_id": "code"}), grid_id="code")["grid_id"].iat[0] != ""
