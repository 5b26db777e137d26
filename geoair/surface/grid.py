"""Daily (or period) surfaces on a regular grid, as an xarray Dataset.

The grid is the one :func:`geoair.hotspot.make_grid` builds (square cells of ``cell_size``
metres in China Albers, aligned to multiples of the cell size), kept as arrays of cell centres
rather than polygons so that a 1-km grid of Beijing-Tianjin-Hebei (about 220,000 cells) and
a month of days fit in memory. Each cell gets the point prediction at its centre: what a
monitor there would measure (nugget included in the interval).
"""

from __future__ import annotations

import numpy as np

from .._validation import GeoairInputError, check_option
from ..hotspot.aggregate import GRID_CRS
from ._data import prepare
from ._engine import blas_threads
from .estimate import METHODS, _z, run_method
from .targets import Targets

__all__ = ["estimate_grid", "grid_centres"]


def grid_centres(extent, cell_size: float = 1000.0, *, crs: str = GRID_CRS):
    """Cell-centre coordinates of a regular grid over ``extent`` and the cells inside it.

    Parameters
    ----------
    extent : GeoDataFrame / GeoSeries or (minx, miny, maxx, maxy) in EPSG:4326 degrees
    cell_size : float
        Cell edge, metres.

    Returns
    -------
    x : ndarray (nx,)
        Column centres, ascending (metres).
    y : ndarray (ny,)
        Row centres, descending (north first, raster order).
    inside : bool ndarray (ny, nx)
        Cells whose centre is inside the extent's geometry (all for a box).
    """
    import geopandas as gpd
    import shapely

    if cell_size <= 0:
        raise GeoairInputError("cell_size must be positive (metres).", received=cell_size,
                               fix="Use 1000 (1 km) or 3000.")
    if isinstance(extent, (tuple, list, np.ndarray)):
        layer = gpd.GeoSeries([shapely.box(*extent)], crs="EPSG:4326").to_crs(crs)
    else:
        if getattr(extent, "crs", None) is None:
            raise GeoairInputError("The extent has no CRS.", fix="Set it, e.g. gdf.set_crs('EPSG:4326').")
        layer = extent.geometry.to_crs(crs)
    minx, miny, maxx, maxy = layer.total_bounds
    x0, y0 = np.floor(minx / cell_size) * cell_size, np.floor(miny / cell_size) * cell_size
    nx, ny = int(np.ceil((maxx - x0) / cell_size)), int(np.ceil((maxy - y0) / cell_size))
    if nx * ny > 5_000_000:
        raise GeoairInputError("The grid would have more than 5 million cells.", received=nx * ny,
                               fix="Use a larger cell_size or a smaller extent.")
    x = x0 + (np.arange(nx) + 0.5) * cell_size
    y = (y0 + (np.arange(ny) + 0.5) * cell_size)[::-1]
    if isinstance(extent, (tuple, list, np.ndarray)):
        return x, y, np.ones((ny, nx), dtype=bool)
    geom = shapely.union_all(layer.values)
    shapely.prepare(geom)
    gx, gy = np.meshgrid(x, y)
    return x, y, shapely.contains_xy(geom, gx, gy)


def estimate_grid(values, stations, extent, *, cell_size: float = 1000.0, method: str = "kriging",
                  covariates=None, drift: str = "constant", variogram="pooled", model: str = "matern",
                  transform: str = "log", level: float = 0.9, power: float = 2.0,
                  min_stations: int = 10, bandwidth: float = 20_000.0, crs: str = GRID_CRS,
                  chunk_size: int = 20_000):
    """Surfaces on a regular grid for every date of ``values``.

    Parameters
    ----------
    values, stations, method, covariates, drift, variogram, model, transform, level, power,
    min_stations, bandwidth
        As :func:`geoair.surface.estimate`.
    extent : GeoDataFrame or (minx, miny, maxx, maxy) degrees
        Area to cover (cells outside its polygons are NaN).
    cell_size : float
        Cell edge, metres (1000 for the 1-km hotspot grid).

    Returns
    -------
    xarray.Dataset
        ``estimate, lower, upper`` (float32, µg/m³, ``level`` interval) and ``n_stations``
        (stations within the practical range) on ``date, y, x`` (cell centres in metres, ``y``
        descending); ``attrs``: ``crs``, ``cell_size``, ``level``, ``method``, ``variogram``
        (a string of the fitted parameters), ``droplog`` (remove it before ``to_netcdf``).
    """
    check_option("method", method, METHODS)
    kw = dict(cell_size=cell_size, method=method, covariates=covariates, drift=drift,
              variogram=variogram, model=model, transform=transform, level=level, power=power,
              min_stations=min_stations, bandwidth=bandwidth, crs=crs, chunk_size=chunk_size)
    with blas_threads():  # small dense solves: BLAS threads only contend
        return _estimate_grid(values, stations, extent, **kw)


def _estimate_grid(values, stations, extent, *, cell_size, method, covariates, drift, variogram,
                   model, transform, level, power, min_stations, bandwidth, crs, chunk_size):
    import xarray as xr

    _z(level)
    prep = prepare(values, stations, crs=crs, transform=transform, min_stations=min_stations)
    x, y, inside = grid_centres(extent, cell_size, crs=crs)
    gy, gx = np.nonzero(inside)
    pts = np.column_stack([x[gx], y[gy]])
    tg = Targets(ids=np.arange(len(pts)), xy=pts, starts=np.arange(len(pts)), center=pts,
                 station_target=np.full(len(prep.codes), -1), is_polygon=False)
    res, vario = run_method(prep, tg, method=method, variogram=variogram, model=model, drift=drift,
                            covariates=covariates, bandwidth=bandwidth, transform=transform,
                            level=level, power=power, chunk_size=chunk_size)
    shape = (len(prep.dates), len(y), len(x))

    def cube(arr, dtype, fill):
        out = np.full(shape, fill, dtype=dtype)
        out[:, gy, gx] = arr
        return out

    ds = xr.Dataset(
        {k: (("date", "y", "x"), cube(getattr(res, k), np.float32, np.nan))
         for k in ("estimate", "lower", "upper")},
        coords={"date": np.asarray(prep.dates), "y": y, "x": x},
    )
    ds["n_stations"] = (("date", "y", "x"), cube(res.n_stations, np.int16, -1))
    ds.attrs.update(crs=str(crs), cell_size=float(cell_size), level=float(level), method=method,
                    variogram=str(None if vario is None else vario.params()), droplog=prep.log)
    return ds
