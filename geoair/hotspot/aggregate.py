"""Aggregation of points (stations, fires, sources, attribution results) to counties and grids.

Counties are matched by adcode where the points carry one, otherwise by a point-in-polygon
spatial join. Regular grids (1 km and 3 km cells, the sizes used by China's hotspot-grid
supervision) are built in a projected, equal-area CRS so that cells have true sizes.

References
----------
Ministry of Ecology and Environment (2016-), "Hotspot grid" (热点网格) supervision of air
pollution, 1 km and 3 km cells. GeoPandas ``sjoin`` (https://geopandas.org).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from .._validation import DropLog, GeoairInputError, check_option, require_columns

__all__ = ["GRID_CRS", "to_counties", "make_grid", "to_grid", "assign_county"]

#: China Albers equal-area conic (lat_1=25, lat_2=47, lon_0=105), metres.
GRID_CRS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"

STATISTICS = ("count", "sum", "mean", "max", "median")


def _check_crs(gdf, what: str):
    if gdf.crs is None:
        raise GeoairInputError(f"The {what} has no CRS.", fix="Set it, e.g. gdf.set_crs('EPSG:4326').")


def assign_county(points, counties, *, name_col: str = "name"):
    """Attach ``adcode`` and county name to each point by a point-in-polygon join.

    Points outside every county keep ``adcode`` = <NA> and are recorded in the DropLog
    (they are not removed).

    Parameters
    ----------
    points : GeoDataFrame
        Any points (EPSG:4326 or other; converted to the counties' CRS).
    counties : GeoDataFrame
        ``adcode, name, geometry``.

    Returns
    -------
    GeoDataFrame
        A copy of ``points`` with ``adcode`` and ``county`` columns, and ``city`` and
        ``county_label`` ("city county") when the counties carry ``city`` and ``label``
        (:func:`geoair.hotspot.add_city_names`).
    """
    import geopandas as gpd

    require_columns(counties, ["adcode", "geometry"], what="counties")
    _check_crs(points, "point layer")
    out = points.copy()
    out = out.drop(columns=[c for c in ("adcode", "county", "city", "county_label") if c in out.columns])
    log = DropLog()
    if len(out) == 0:
        out["adcode"] = pd.Series(dtype="string")
        out["county"] = pd.Series(dtype="string")
        out.attrs["droplog"] = log
        return out
    # "city" and "label" ("city county", see geoair.hotspot.names) travel with the county when present
    extra = [c for c in ("city", "label") if c in counties.columns and c != name_col]
    cty = counties[["adcode", name_col, *extra, "geometry"]].rename(
        columns={name_col: "county", "label": "county_label"})
    pts = gpd.GeoDataFrame({"_pos": np.arange(len(out))}, geometry=out.geometry.to_crs(cty.crs).values,
                           crs=cty.crs)
    joined = gpd.sjoin(pts, cty, how="left", predicate="within")
    joined = joined.drop_duplicates("_pos").sort_values("_pos")
    out["adcode"] = pd.array(joined["adcode"].astype("string").to_numpy(), dtype="string")
    out["county"] = pd.array(joined["county"].astype("string").to_numpy(), dtype="string")
    for col in ("city", "county_label"):
        if col in joined.columns:
            out[col] = pd.array(joined[col].astype("string").to_numpy(), dtype="string")
    outside = np.flatnonzero(out["adcode"].isna().to_numpy())
    log.add("point outside every county (kept, adcode <NA>)", outside, column="adcode")
    out.attrs["droplog"] = log
    return out


def _aggregate(keys: pd.Series, values: pd.Series | None, statistic: str) -> pd.Series:
    if values is None or statistic == "count":
        return keys.value_counts().rename("value")
    return values.groupby(keys).agg(statistic).rename("value")


def _dask_points(points, value: str | None):
    """A dask frame of points -> the pandas columns to_counties needs (others not read).

    The frame needs ``adcode`` or ``lon``/``lat`` (degrees, EPSG:4326) columns.
    """
    from .._dask import is_dask, to_pandas

    if not is_dask(points):
        return points
    if "adcode" in points.columns:
        return to_pandas(points, ["adcode"] + ([value] if value else []))
    require_columns(points, ["lon", "lat"], what="points (dask frame)",
                    fix="A dask frame of points needs an 'adcode' column or 'lon'/'lat'.")
    import geopandas as gpd

    pdf = to_pandas(points, ["lon", "lat"] + ([value] if value else []))
    return gpd.GeoDataFrame(pdf, geometry=gpd.points_from_xy(pdf["lon"], pdf["lat"]),
                            crs=schema.CRS)


def to_counties(points, counties, value: str | None = None, *, statistic: str = "count",
                name: str | None = None):
    """Aggregate point values to counties.

    Parameters
    ----------
    points : GeoDataFrame, DataFrame or dask.dataframe.DataFrame
        Points; if they have an ``adcode`` column it is used, otherwise a spatial join (a
        dask frame then needs ``lon``/``lat`` columns; only the needed columns are read).
    counties : GeoDataFrame
        ``adcode, name, geometry``.
    value : str, optional
        Column to aggregate (e.g. ``pm25`` µg/m³, ``frp`` MW); ``None`` counts points.
    statistic : {"count", "sum", "mean", "max", "median"}
    name : str, optional
        Output column name (default ``value`` or ``"count"``).

    Returns
    -------
    GeoDataFrame
        ``counties`` with the aggregate column (0 for counties without points when counting,
        NaN otherwise) and ``n_points``.
    """
    check_option("statistic", statistic, STATISTICS)
    require_columns(counties, ["adcode", "geometry"], what="counties")
    if value is not None:
        require_columns(points, [value], what="points")
    points = _dask_points(points, value)
    col = name or (value if value is not None and statistic != "count" else "count")
    pts = points
    log = DropLog()
    if "adcode" not in pts.columns:
        pts = assign_county(points, counties)
        log.extend(pts.attrs.get("droplog"))
    keys = pts["adcode"].astype("string")
    ok = keys.notna().to_numpy()
    vals = None if value is None else pd.to_numeric(pts[value], errors="coerce")[ok]
    agg = _aggregate(keys[ok], vals, statistic)
    n = keys[ok].value_counts()
    out = counties.copy()
    ad = out["adcode"].astype("string")
    out[col] = ad.map(agg).astype(float).to_numpy()
    out["n_points"] = ad.map(n).fillna(0).astype(int).to_numpy()
    if statistic in ("count", "sum"):
        out[col] = out[col].fillna(0.0)
    out.attrs["droplog"] = log
    out.attrs["params"] = dict(value=value, statistic=statistic)
    return out


def make_grid(extent, cell_size: float = 1000.0, *, crs: str = GRID_CRS, clip: bool = True):
    """Regular square grid covering ``extent``.

    Parameters
    ----------
    extent : GeoDataFrame / GeoSeries or (minx, miny, maxx, maxy) in EPSG:4326 degrees
        Area to cover; with a geometry layer and ``clip=True`` only cells intersecting it are kept.
    cell_size : float
        Cell edge in metres (1000 or 3000 for hotspot grids).
    crs : str
        Projected CRS in metres (default China Albers equal-area).

    Returns
    -------
    GeoDataFrame
        ``cell_id`` (``"{size}m_{col}_{row}"``), ``col``, ``row`` and square polygons in ``crs``.
    """
    import geopandas as gpd
    from shapely import box

    if cell_size <= 0:
        raise GeoairInputError("cell_size must be positive (metres).", received=cell_size,
                               fix="Use 1000 or 3000.")
    if isinstance(extent, (tuple, list, np.ndarray)):
        layer = gpd.GeoSeries([box(*extent)], crs=schema.CRS).to_crs(crs)
    else:
        _check_crs(extent, "extent")
        layer = extent.geometry.to_crs(crs)
    minx, miny, maxx, maxy = layer.total_bounds
    x0 = np.floor(minx / cell_size) * cell_size
    y0 = np.floor(miny / cell_size) * cell_size
    nx = int(np.ceil((maxx - x0) / cell_size))
    ny = int(np.ceil((maxy - y0) / cell_size))
    if nx * ny > 5_000_000:
        raise GeoairInputError("The grid would have more than 5 million cells.", received=nx * ny,
                               fix="Use a larger cell_size or a smaller extent.")
    cols, rows = np.meshgrid(np.arange(nx), np.arange(ny))
    cols, rows = cols.ravel(), rows.ravel()
    xs = x0 + cols * cell_size
    ys = y0 + rows * cell_size
    grid = gpd.GeoDataFrame(
        {"cell_id": [f"{int(cell_size)}m_{c}_{r}" for c, r in zip(cols, rows, strict=True)],
         "col": cols, "row": rows},
        geometry=box(xs, ys, xs + cell_size, ys + cell_size), crs=crs,
    )
    grid.attrs["origin"] = (x0, y0)
    grid.attrs["cell_size"] = cell_size
    if clip and not isinstance(extent, (tuple, list, np.ndarray)):
        hit = grid.sindex.query(layer.union_all(), predicate="intersects")
        grid = grid.iloc[np.sort(hit)].reset_index(drop=True)
        grid.attrs["origin"] = (x0, y0)
        grid.attrs["cell_size"] = cell_size
    grid.attrs["droplog"] = DropLog()  # no input rows: the grid is made from the extent
    return schema.attach_units(grid, _CELL_UNITS)


def to_grid(points, value: str | None = None, *, cell_size: float = 1000.0,
            statistic: str = "count", grid=None, crs: str = GRID_CRS):
    """Aggregate points to regular grid cells (only cells with points unless ``grid`` given).

    Parameters
    ----------
    points : GeoDataFrame
    value : str, optional
        Column to aggregate; ``None`` counts points.
    cell_size : float
        Cell edge, metres.
    statistic : {"count", "sum", "mean", "max", "median"}
    grid : GeoDataFrame, optional
        A grid from :func:`make_grid` (all its cells are returned, empty ones with 0 / NaN).

    Returns
    -------
    GeoDataFrame
        ``cell_id, col, row, <value or count>, n_points`` with cell polygons in ``crs``.
    """
    import geopandas as gpd
    from shapely import box

    check_option("statistic", statistic, STATISTICS)
    _check_crs(points, "point layer")
    if value is not None:
        require_columns(points, [value], what="points")
    col = value if value is not None and statistic != "count" else "count"
    if grid is not None:
        crs = grid.crs
        cell_size = grid.attrs.get("cell_size", cell_size)
        x0, y0 = grid.attrs.get("origin", (0.0, 0.0))
    else:
        x0 = y0 = 0.0
    xy = points.geometry.to_crs(crs)
    c = np.floor((xy.x.to_numpy() - x0) / cell_size).astype(np.int64)
    r = np.floor((xy.y.to_numpy() - y0) / cell_size).astype(np.int64)
    keys = pd.Series([f"{int(cell_size)}m_{a}_{b}" for a, b in zip(c, r, strict=True)],
                     dtype=object)
    vals = None if value is None else pd.to_numeric(points[value], errors="coerce").reset_index(drop=True)
    agg = _aggregate(keys, vals, statistic)
    n = keys.value_counts()
    if grid is None:
        first = pd.DataFrame({"cell_id": keys, "col": c, "row": r}).drop_duplicates("cell_id")
        x = first["col"].to_numpy() * cell_size + x0
        y = first["row"].to_numpy() * cell_size + y0
        out = gpd.GeoDataFrame(first.reset_index(drop=True),
                               geometry=box(x, y, x + cell_size, y + cell_size), crs=crs)
    else:
        out = grid.copy()
    out[col] = out["cell_id"].map(agg).astype(float).to_numpy()
    out["n_points"] = out["cell_id"].map(n).fillna(0).astype(int).to_numpy()
    if statistic in ("count", "sum"):
        out[col] = out[col].fillna(0.0)
    out.attrs["params"] = dict(value=value, statistic=statistic, cell_size=cell_size, crs=str(crs))
    out.attrs["droplog"] = _grid_drops(keys, vals, out["cell_id"] if grid is not None else None, value)
    unit = "count" if col == "count" else schema.value_unit(value)
    return schema.attach_units(out, {**_CELL_UNITS, col: unit, "n_points": "count"})


#: Units of the grid-cell columns (``attrs["units"]``).
_CELL_UNITS = {"col": "cell index (x, from the grid origin)", "row": "cell index (y, from the grid origin)"}


def _grid_drops(keys: pd.Series, vals, cells, value) -> DropLog:
    """Points left out of :func:`to_grid`: outside the given grid, or without a value."""
    log = DropLog()
    if cells is not None:
        out = ~keys.isin(set(cells)).to_numpy()
        if out.any():
            log.add("point outside the given grid", np.flatnonzero(out))
    if vals is not None and vals.isna().any():
        log.add("value missing (not in the statistic)", np.flatnonzero(vals.isna().to_numpy()), column=value)
    return log
