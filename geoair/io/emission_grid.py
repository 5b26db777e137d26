"""Gridded emission inventories (GeoTIFF, NetCDF) as area sources, one per cell.

MEIC-style sector grids (0.25° or 1 km), EDGAR or CAMS fluxes, or a city's own raster become
one Polygon source per cell with a positive emission; the attribution integrates each cell as
an area (:mod:`geoair.apportion._discretise`). Cells are taken exactly as the file defines them:
their corners are transformed to WGS84 (edges densified), so nothing is resampled and the sum of
the cells' emission equals the file's total.

Units (``units=``): ``mass/time`` per cell or ``mass/area/time`` fluxes, mass in ``g, kg, t
(= Mg), Gg``, time in ``s, h, d, month (365.25/12 d), yr``, area in ``m2, km2`` -- e.g.
``"t/yr"``, ``"Mg/month"`` (MEIC per cell), ``"kg/m2/s"`` (EDGAR, CAMS). Molar units need a
molar mass and are refused.

A time axis of 12 steps is read as months, of 24 as hours of the day (any other length: as the
time stamps given); the cells then carry their time-mean rate and ``attrs["temporal_factors"]``
holds the grid total at each step divided by its mean (mean 1).
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._attrs import as_attr
from .._validation import DropLog, GeoairInputError

if TYPE_CHECKING:
    import geopandas

__all__ = ["read_emission_grid", "rate_factor"]

_MASS = {"g": 1.0, "kg": 1e3, "t": 1e6, "mg": 1e6, "gg": 1e9}  # "Mg" is megagram (t); mg refused below
_TIME = {"s": 1.0, "sec": 1.0, "h": 3600.0, "hr": 3600.0, "hour": 3600.0, "d": 86400.0, "day": 86400.0,
         "month": 365.25 / 12 * 86400.0, "mon": 365.25 / 12 * 86400.0, "yr": 365.25 * 86400.0,
         "year": 365.25 * 86400.0, "a": 365.25 * 86400.0}
_AREA = {"m2": 1e-6, "km2": 1.0}  # in km²


def rate_factor(units: str) -> tuple[float, bool]:
    """Factor to g/s (per cell, or per km² when the second value is True) of a units string.

    Parameters
    ----------
    units : str
        ``"t/yr"``, ``"Mg/month"``, ``"kg/m2/s"``, ``"g/km2/h"``, ... (``^-1`` and ``-1``
        exponents are accepted: ``"kg m-2 s-1"``).

    Returns
    -------
    factor : float
        Multiply the file's values by it to get g/s (per cell) or g/s per km².
    per_area : bool
    """
    text = units.strip().replace("²", "2").replace("^", "")
    parts = [p for p in re.split(r"[/\s]+", text) if p]
    if len(parts) >= 2 and all(re.fullmatch(r"[A-Za-z]+-[12]", p) for p in parts[1:]):
        parts = [parts[0]] + [p.replace("-2", "2").replace("-1", "") for p in parts[1:]]
    if parts and parts[0] == "mg":
        parts = ["?"]
    key = [parts[0] if parts[0] == "Mg" else parts[0].lower()] + [p.lower() for p in parts[1:]] if parts else []
    mass = {"Mg": 1e6, **_MASS}.get(key[0]) if key else None
    area = [p for p in key[1:] if p in _AREA]
    time = [p for p in key[1:] if p in _TIME]
    if mass is None or len(time) != 1 or len(area) > 1 or len(key) != 2 + len(area):
        raise GeoairInputError(
            f"Emission units {units!r} are not understood.", column="units", received=units,
            fix="Give units as mass/time per cell or mass/area/time, e.g. 't/yr', 'Mg/month', 'kg/m2/s' "
            "(mass g, kg, t/Mg, Gg; time s, h, d, month, yr; area m2, km2; molar units need converting first).",
        )
    factor = mass / _TIME[time[0]]
    if area:
        factor /= _AREA[area[0]]
    return factor, bool(area)


def _geotiff(path: Path, band):
    import rasterio

    with rasterio.open(path) as ds:
        bands = list(range(1, ds.count + 1)) if band is None else [int(band)]
        if band is None and ds.count not in (1, 12, 24):
            raise GeoairInputError(
                f"The GeoTIFF has {ds.count} bands; which one is the emission is not clear.", file=path,
                column="band", received=ds.count, fix="Pass band= (1-based).",
            )
        data = ds.read(bands, masked=True).astype("float64").filled(np.nan)
        units = ds.tags().get("units") or ds.tags(bands[0]).get("units")
        return data, ds.transform, ds.crs.to_wkt() if ds.crs else None, units


def _netcdf(path: Path, variable):
    import xarray as xr
    from affine import Affine

    ds = xr.open_dataset(path)
    names = [v for v in ds.data_vars if ds[v].ndim >= 2]
    if variable is None and len(names) != 1:
        raise GeoairInputError("Which variable holds the emission is not clear.", file=path, column="variable",
                               received=names, fix="Pass variable=.")
    da = ds[variable or names[0]]
    ydim = next((d for d in da.dims if d.lower() in ("lat", "latitude", "y")), None)
    xdim = next((d for d in da.dims if d.lower() in ("lon", "longitude", "x")), None)
    if ydim is None or xdim is None:
        raise GeoairInputError("The emission variable has no lat/lon (or y/x) dimensions.", file=path,
                               received=list(da.dims), fix="Name the grid dimensions lat/lon or y/x.")
    other = [d for d in da.dims if d not in (ydim, xdim)]
    da = da.transpose(*other, ydim, xdim)
    data = da.to_numpy().astype("float64").reshape(-1, da.sizes[ydim], da.sizes[xdim])
    x, y = ds[xdim].to_numpy().astype(float), ds[ydim].to_numpy().astype(float)
    dx, dy = np.diff(x).mean() if len(x) > 1 else 1.0, np.diff(y).mean() if len(y) > 1 else 1.0
    transform = Affine(dx, 0.0, x[0] - dx / 2, 0.0, dy, y[0] - dy / 2)
    gm = da.attrs.get("grid_mapping")
    wkt = ds[gm].attrs.get("crs_wkt") or ds[gm].attrs.get("spatial_ref") if gm in ds else ds.attrs.get("crs_wkt")
    if wkt is None and xdim.lower() in ("lon", "longitude"):
        wkt = "EPSG:4326"
    return data, transform, wkt, da.attrs.get("units")


def _cells(transform, crs, rows, cols, n_dense=4):
    """Cell polygons (EPSG:4326) and their geodesic areas (km²)."""
    import shapely
    from pyproj import Geod, Transformer

    t = np.linspace(0.0, 1.0, n_dense, endpoint=False)
    ring = np.concatenate([np.stack([t, 0 * t], 1), np.stack([1 + 0 * t, t], 1),
                           np.stack([1 - t, 1 + 0 * t], 1), np.stack([0 * t, 1 - t], 1)])
    cc = cols[:, None] + ring[None, :, 0]
    rr = rows[:, None] + ring[None, :, 1]
    x = transform.c + transform.a * cc + transform.b * rr
    y = transform.f + transform.d * cc + transform.e * rr
    tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(x, y)
    xy = np.stack([lon, lat], axis=-1)
    polys = shapely.polygons(np.concatenate([xy, xy[:, :1]], axis=1))
    geod = Geod(ellps="WGS84")
    area = np.array([abs(geod.polygon_area_perimeter(p[:, 0], p[:, 1])[0]) for p in xy]) / 1e6
    return polys, area, lon.mean(axis=1), lat.mean(axis=1)


def _temporal(data: np.ndarray, totals: np.ndarray) -> pd.DataFrame | None:
    n = data.shape[0]
    if n == 1:
        return None
    factor = totals / totals.mean() if totals.mean() > 0 else np.ones(n)
    name = "month" if n == 12 else "hour" if n == 24 else "step"
    start = 1 if n == 12 else 0
    return pd.DataFrame({name: np.arange(start, start + n), "factor": factor})


def read_emission_grid(
    path: str | PathLike, *, category: str, variable: str | None = None, band: int | None = None,
    units: str | None = None, kind: str = "inventory_cell", crs: str | None = None,
) -> geopandas.GeoDataFrame:
    """Read a gridded emission inventory (GeoTIFF or NetCDF) as one area source per cell.

    Parameters
    ----------
    path : str or path-like
        ``.tif``/``.tiff`` (rasterio) or ``.nc`` (xarray).
    category : str
        Source category of every cell (``coal``, ``vehicle``, ``industry``, ...; English codes
        or Chinese labels).
    variable : str, optional
        NetCDF variable (needed when the file has several gridded variables).
    band : int, optional
        GeoTIFF band (1-based). Not given: a single band, or 12 (months) / 24 (hours) bands.
    units : str, optional
        Units of the values (:func:`rate_factor`); default: the file's ``units`` attribute/tag.
    kind : str, default "inventory_cell"
        ``kind`` of the cells (selects the activity profile in the attribution).
    crs : str, optional
        CRS of the grid when the file does not declare one (e.g. ``"EPSG:32650"``).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row per cell with a positive emission: ``source_id`` (``G<row>_<col>``),
        ``category``, ``kind``, ``name``, ``weight`` (g/s, the cell's time-mean emission rate),
        ``emission`` (the file's value, time mean), ``area_km2``, ``row``, ``col``, ``lon``,
        ``lat`` (cell centre) and the cell polygon. ``attrs``: ``units``, ``total_g_s`` (the
        file's total), ``temporal_factors`` (or None), ``droplog`` (cells without data or with a
        negative value; zero cells are not sources and are only counted in ``attrs["n_zero"]``).

    Raises
    ------
    GeoairInputError
        Unknown file type or units, no CRS, ambiguous band/variable.
    """
    import geopandas as gpd

    from .sources import _normalise_categories

    p = Path(path)
    if not p.is_file():
        raise GeoairInputError("The emission grid file does not exist.", file=path, fix="Check the path.")
    suffix = p.suffix.lower()
    if suffix in (".tif", ".tiff"):
        data, transform, wkt, file_units = _geotiff(p, band)
    elif suffix in (".nc", ".nc4", ".cdf"):
        data, transform, wkt, file_units = _netcdf(p, variable)
    else:
        raise GeoairInputError("Unknown emission grid file type.", file=path, received=suffix,
                               fix="Pass a GeoTIFF (.tif) or NetCDF (.nc) file.")
    wkt = crs or wkt
    if wkt is None:
        raise GeoairInputError("The emission grid declares no CRS.", file=path, fix="Pass crs= (e.g. 'EPSG:4326').")
    units = units or file_units
    if units is None:
        raise GeoairInputError("The emission grid's units are not given.", file=path, column="units",
                               fix="Pass units= (e.g. 't/yr' per cell or 'kg/m2/s').")
    factor, per_area = rate_factor(units)
    cat = str(_normalise_categories(pd.Series([category]), path).iloc[0])
    return _assemble(data, transform, wkt, factor, per_area, units, cat, kind, p, gpd)


def _assemble(data, transform, wkt, factor, per_area, units, cat, kind, path, gpd):
    log = DropLog()
    mean = data.mean(axis=0)
    finite = np.isfinite(mean)
    rows, cols = np.nonzero(finite & (mean > 0))
    bad_r, bad_c = np.nonzero(~finite | (mean < 0))
    log.add("grid cell without data or with a negative emission; dropped", bad_r * mean.shape[1] + bad_c + 1,
            file=path, values=[f"row {r} col {c}" for r, c in zip(bad_r[:50], bad_c[:50], strict=False)])
    polys, area, clon, clat = _cells(transform, wkt, rows.astype(float), cols.astype(float))
    scale = factor * (area if per_area else np.ones_like(area))
    steps = data[:, rows, cols] * scale[None, :]
    out = gpd.GeoDataFrame({
        "source_id": [f"G{r}_{c}" for r, c in zip(rows, cols, strict=True)], "category": cat, "kind": kind,
        "name": pd.NA, "weight": mean[rows, cols] * scale, "emission": mean[rows, cols], "area_km2": area,
        "row": rows, "col": cols, "lon": clon, "lat": clat,
    }, geometry=polys, crs="EPSG:4326")
    for c in ("source_id", "category", "kind", "name"):
        out[c] = out[c].astype("string")
    out.attrs["units"] = {"weight": "g/s", "emission": units, "area_km2": "km2"}
    out.attrs["total_g_s"] = float(out["weight"].sum())
    out.attrs["temporal_factors"] = as_attr(_temporal(data, np.nansum(steps, axis=1)))
    out.attrs["n_zero"] = int((finite & (mean == 0)).sum())
    out.attrs["droplog"] = log
    return out
