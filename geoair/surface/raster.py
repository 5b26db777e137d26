"""GeoTIFF export of gridded surfaces (rasterio)."""

from __future__ import annotations

from os import PathLike

import numpy as np

from .._validation import GeoairInputError

__all__ = ["to_geotiff"]


def to_geotiff(ds, path: str | PathLike, variable: str = "estimate", *, date=None) -> str:
    """Write one variable of :func:`estimate_grid` output to a GeoTIFF.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`geoair.surface.estimate_grid`.
    path : str or path-like
        File to write (``.tif``).
    variable : str
        ``estimate``, ``lower``, ``upper`` or ``n_stations``.
    date : optional
        One date (one band); ``"mean"`` for the mean over dates (one band); default all
        dates, one band each (band descriptions are the dates).

    Returns
    -------
    str
        The path written. Float32, NaN as nodata, deflate-compressed, CRS and north-up
        transform from the dataset (cell edges at multiples of the cell size).
    """
    import rasterio
    from rasterio.transform import from_origin

    if variable not in ds.data_vars:
        raise GeoairInputError(f"No variable {variable!r} in the surface.", received=list(ds.data_vars),
                               fix="Use estimate, lower, upper or n_stations.")
    da = ds[variable]
    if date is None:
        data, names = da.to_numpy(), [str(d) for d in ds["date"].to_numpy()]
    elif isinstance(date, str) and date == "mean":
        data, names = da.where(da >= 0).mean("date").to_numpy()[None], ["mean"]
    else:
        if date not in list(ds["date"].to_numpy()):
            raise GeoairInputError("Date not in the surface.", received=str(date),
                                   fix=f"Use one of {[str(d) for d in ds['date'].to_numpy()][:5]} ...")
        data, names = da.sel(date=date).to_numpy()[None], [str(date)]
    cs = float(ds.attrs["cell_size"])
    x, y = ds["x"].to_numpy(), ds["y"].to_numpy()
    transform = from_origin(x[0] - cs / 2, y[0] + cs / 2, cs, cs)
    data = data.astype(np.float32)
    profile = dict(driver="GTiff", height=data.shape[1], width=data.shape[2], count=data.shape[0],
                   dtype="float32", crs=ds.attrs["crs"], transform=transform, nodata=np.nan,
                   compress="deflate")
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
        for i, name in enumerate(names, start=1):
            dst.set_band_description(i, name)
    return str(path)
