"""Wind fields: ERA5 NetCDF files, and gridded fields interpolated from station winds.

Both return the data-model wind layout: ``u10``, ``v10`` (m/s) on ``(time, latitude,
longitude)``, latitude and longitude ascending, longitude in [-180, 180), ``time`` naive UTC.

References
----------
ERA5 variables and the new-CDS NetCDF layout (``valid_time``, ``pressure_level``, ``number``,
``expver``): ``shared/research/standards.md`` §6; Hersbach et al. (2020), QJRMS 146, 1999-2049.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError
from ._common import cannot_read

__all__ = ["read_wind", "wind_from_stations"]

_TIME_NAMES = ("time", "valid_time")
_LEVEL_NAMES = ("level", "pressure_level", "isobaricInhPa", "plev")
_LAT_NAMES = ("latitude", "lat")
_LON_NAMES = ("longitude", "lon")
_EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius


def _first(names, present, what, path):
    for name in names:
        if name in present:
            return name
    raise GeoairInputError(
        f"The wind file has no {what} coordinate.",
        file=path,
        received=sorted(map(str, present)),
        fix=f"Provide a NetCDF file with one of the coordinates {list(names)}.",
    )


def _open(path):
    import xarray as xr

    if isinstance(path, xr.Dataset):
        return path, None
    if not Path(path).is_file():
        raise GeoairInputError("The wind file does not exist." if not Path(path).exists() else
                               "The wind path is not a file.", file=path, fix="Check the path.")
    try:
        # mask_and_scale (default) unpacks legacy int16 files with scale_factor/add_offset
        return xr.open_dataset(path), path
    except Exception as err:  # noqa: BLE001 - netCDF4/h5netcdf/scipy engines raise many types
        raise cannot_read(
            path, "wind file as NetCDF", err,
            "Pass an ERA5 NetCDF file (CDS 'netcdf' format); unzip CDS ZIP downloads first.",
        ) from None


def read_wind(path: str | PathLike, *, level: float | None = None):
    """Read an ERA5 NetCDF wind file into the data-model wind layout.

    Parameters
    ----------
    path : str, path-like or xarray.Dataset
        ERA5 NetCDF file with ``u10``/``v10`` (single levels) or ``u``/``v`` (pressure levels).
        Old (``time``, ``level``, 0-360 longitude, packed int16) and new CDS layouts
        (``valid_time``, ``pressure_level``, scalar ``number``/``expver``) are both accepted.
    level : float, optional
        Pressure level in hPa to take from a pressure-level file. Required when the file has
        more than one level; ignored for 10 m winds.

    Returns
    -------
    xarray.Dataset
        ``u10``, ``v10`` (m/s, ``attrs["units"]``) and ``blh`` (m) if present, on dims
        ``(time, latitude, longitude)``; latitude ascending, longitude in [-180, 180)
        ascending, ``time`` naive UTC ``datetime64[ns]``. For a pressure-level file the
        variables keep the names ``u10``/``v10`` (the data-model names) and carry
        ``attrs["level_hPa"]``; ``Dataset.attrs["source_variables"]`` names the originals.
        Nothing is dropped: ``attrs["droplog"]`` is the empty log as JSON text (so that the
        result can be written with ``to_netcdf`` as is; :func:`geoair.get_droplog` reads it).

    Raises
    ------
    GeoairInputError
        No wind variables, no time/latitude/longitude coordinate, or an ambiguous/missing level.
    """
    ds, file = _open(path)
    present = set(ds.variables)
    names = {"time": _first(_TIME_NAMES, present, "time ('time' or 'valid_time')", file),
             "latitude": _first(_LAT_NAMES, present, "latitude", file),
             "longitude": _first(_LON_NAMES, present, "longitude", file)}
    u_name, v_name = _wind_names(ds, file)
    out = ds[[u_name, v_name] + (["blh"] if "blh" in ds.data_vars else [])]
    out, level_used, lev_name = _select_level(out, u_name, v_name, level, file)
    # legacy ERA5/ERA5T mixes carried an expver dimension: combine (ERA5 first, ERA5T fills)
    if "expver" in out.dims:
        out = out.isel(expver=0).combine_first(out.isel(expver=-1))
    for extra in ("number", "expver", "step", "surface", lev_name):
        if extra is not None and extra in out.coords and out[extra].ndim == 0:
            out = out.drop_vars(extra)
    out = out.rename({names["time"]: "time", names["latitude"]: "latitude", names["longitude"]: "longitude",
                      u_name: "u10", v_name: "v10"})
    out = _model_grid(out, file)
    _annotate(out, u_name, v_name, level_used, file)
    try:
        return out.load()
    except Exception as err:  # noqa: BLE001 - netCDF/HDF5 report damaged data with many types
        raise cannot_read(file, "wind file", err, "Download the ERA5 file again (it looks damaged).") from None


def _wind_names(ds, file) -> tuple[str, str]:
    if "u10" in ds.data_vars and "v10" in ds.data_vars:
        return "u10", "v10"
    if "u" in ds.data_vars and "v" in ds.data_vars:
        return "u", "v"
    raise GeoairInputError(
        "The wind file has neither u10/v10 nor u/v variables.",
        file=file,
        received=sorted(map(str, ds.data_vars)),
        fix="Download ERA5 '10m_u_component_of_wind'/'10m_v_component_of_wind' "
        "(single levels) or 'u_component_of_wind'/'v_component_of_wind' (pressure levels).",
    )


def _select_level(out, u_name: str, v_name: str, level, file):
    """The one pressure level asked for (or the only one); returns (data, hPa or None, dim)."""
    lev_name = next((n for n in _LEVEL_NAMES if n in out.dims), None)
    if lev_name is None:
        return out, None, None
    levels = np.asarray(out[lev_name].values, dtype=float)
    if level is None and levels.size != 1:
        raise GeoairInputError(
            "The wind file has several pressure levels; choose one with level=.",
            file=file, column=lev_name, received=levels.tolist(),
            fix=f"Call read_wind(path, level=<hPa>) with one of {levels.tolist()}.",
        )
    if level is not None and not np.any(np.isclose(levels, float(level))):
        raise GeoairInputError(
            f"Pressure level {level} hPa is not in the wind file.",
            file=file, column=lev_name, received=levels.tolist(),
            fix=f"Use one of the levels {levels.tolist()} hPa.",
        )
    level_used = float(levels[0]) if level is None else float(level)
    idx = int(np.argmin(np.abs(levels - level_used)))
    out = out.assign({u_name: out[u_name].isel({lev_name: idx}), v_name: out[v_name].isel({lev_name: idx})})
    out = out.isel({lev_name: idx}, drop=True) if lev_name in out.dims else out
    return out, level_used, lev_name


def _model_grid(out, file):
    """Dims (time, latitude, longitude), longitude in [-180, 180), axes ascending, naive UTC."""
    for name in ("time", "latitude", "longitude"):
        if name not in out.dims:
            out = out.expand_dims(name)
    out = out.transpose("time", "latitude", "longitude", ...)
    lon = np.asarray(out["longitude"].values, dtype=float)
    out = out.assign_coords(longitude=((lon + 180.0) % 360.0) - 180.0)
    out = out.sortby(["latitude", "longitude"])
    if np.unique(out["longitude"].values).size != out.sizes["longitude"]:
        raise GeoairInputError(
            "The wind file repeats longitudes after normalising to [-180, 180).",
            file=file, column="longitude", fix="Pass a file with a regular grid (each longitude once).",
        )
    try:
        times = pd.DatetimeIndex(out["time"].values)
    except (TypeError, ValueError) as err:
        raise GeoairInputError(f"The wind file's time coordinate is not a date/time ({err}).", file=file,
                               column="time", fix="Pass an ERA5 file with decoded times.") from None
    if times.tz is not None:
        times = times.tz_convert("UTC").tz_localize(None)
    return out.assign_coords(time=times.as_unit("ns").values).sortby("time")


def _annotate(out, u_name: str, v_name: str, level_used: float | None, file) -> None:
    src = {"u10": u_name, "v10": v_name}
    for name in ("u10", "v10"):
        out[name] = out[name].astype("float64")
        out[name].attrs = {
            "units": "m/s",
            "long_name": ("10 m " if level_used is None else f"{level_used:g} hPa ")
            + ("eastward wind" if name == "u10" else "northward wind"),
            "source_variable": src[name],
        }
        if level_used is not None:
            out[name].attrs["level_hPa"] = level_used
    if "blh" in out:
        out["blh"] = out["blh"].astype("float64")
        out["blh"].attrs = {"units": "m", "long_name": "boundary layer height"}
    out["latitude"].attrs = {"units": "degrees_north"}
    out["longitude"].attrs = {"units": "degrees_east"}
    out.attrs = {
        "source": "ERA5" if file is None else f"ERA5 {file}",
        "source_variables": f"{u_name},{v_name}",
        "time_zone": "UTC",
        "droplog": "[]",  # nothing is dropped; JSON text keeps to_netcdf working (geoair.get_droplog)
    }
    if level_used is not None:
        out.attrs["level_hPa"] = level_used


def _haversine_matrix(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distances (m) between every point 1 (rows) and every point 2 (columns)."""
    p1 = np.radians(np.asarray(lat1, dtype=float))[:, None]
    p2 = np.radians(np.asarray(lat2, dtype=float))[None, :]
    dl = np.radians(np.asarray(lon2, dtype=float))[None, :] - np.radians(
        np.asarray(lon1, dtype=float)
    )[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _grid_axes(grid, st_lon, st_lat):
    if grid is None:
        if st_lon.size == 0:
            return np.array([]), np.array([])
        step, pad = 0.05, 0.25
        lon = np.arange(np.floor((st_lon.min() - pad) / step) * step, st_lon.max() + pad + step / 2, step)
        lat = np.arange(np.floor((st_lat.min() - pad) / step) * step, st_lat.max() + pad + step / 2, step)
        return np.round(lon, 6), np.round(lat, 6)
    if isinstance(grid, tuple) and len(grid) == 2:
        return np.sort(np.asarray(grid[0], dtype=float)), np.sort(np.asarray(grid[1], dtype=float))
    if hasattr(grid, "coords") and "latitude" in grid.coords and "longitude" in grid.coords:
        return (
            np.sort(np.asarray(grid["longitude"].values, dtype=float)),
            np.sort(np.asarray(grid["latitude"].values, dtype=float)),
        )
    raise GeoairInputError(
        "grid is not understood.",
        received=type(grid).__name__,
        fix="Pass grid=None, a tuple (longitudes, latitudes) of 1-D arrays in degrees, or an "
        "xarray object with 'longitude' and 'latitude' coordinates.",
    )


def wind_from_stations(obs: pd.DataFrame, stations, *, grid=None, power: float = 2.0):
    """Gridded wind field from station wind by inverse-distance weighting of u and v.

    Speeds and directions are turned into components first (averaging directions directly
    is wrong across north), each grid node gets ``sum(w_i u_i) / sum(w_i)`` with
    ``w_i = d_i^-power`` over the stations reporting at that hour, and the same for v.

    Parameters
    ----------
    obs : DataFrame
        Observations in the data-model layout with ``station``, ``time`` (tz-aware), ``ws``
        (m/s) and ``wd`` (degrees FROM north).
    stations : DataFrame or GeoDataFrame
        ``station`` and either ``lon``/``lat`` columns or point geometries (EPSG:4326).
    grid : None, tuple or xarray object, optional
        Target nodes: ``(longitudes, latitudes)`` 1-D arrays in degrees, or an xarray object
        with ``longitude``/``latitude`` coordinates (e.g. an ERA5 field to compare with).
        Default: the stations' bounding box plus 0.25°, every 0.05°.
    power : float, default 2
        IDW exponent (Shepard 1968). Distances are haversine, metres; a node closer than
        1 m to a station takes that station's value.

    Returns
    -------
    xarray.Dataset
        ``u10``, ``v10`` (m/s) on ``(time, latitude, longitude)``, ``time`` naive UTC; nodes
        are NaN at hours without any station wind. Rows without ws/wd or whose station is
        not in ``stations`` are recorded in the drop log (0-based positions in ``obs``),
        kept in ``attrs["droplog"]`` as JSON text so that ``to_netcdf`` works: read it with
        :func:`geoair.get_droplog`.

    References
    ----------
    Shepard, D. (1968), "A two-dimensional interpolation function for irregularly-spaced
    data", Proc. 23rd ACM National Conference, 517-524.
    """
    import xarray as xr

    if not power > 0:
        raise GeoairInputError("power must be > 0.", received=power, fix="Use e.g. power=2 (Shepard 1968).")
    for col in ("station", "time", "ws", "wd"):
        if col not in obs.columns:
            raise GeoairInputError(
                "Observations lack a column needed for station wind.",
                column=col,
                received=list(map(str, obs.columns))[:30],
                fix="Pass observations with station, time, ws (m/s) and wd (deg) columns, e.g. "
                "geoair.datasets.load_beijing_observations().",
            )
    st = _station_xy(stations)
    log = DropLog()
    data = _station_uv(obs, st, log)
    used = st.loc[st.index.isin(data["station"].unique())] if len(data) else st.iloc[:0]
    lon_ax, lat_ax = _grid_axes(grid, st["lon"].to_numpy(float), st["lat"].to_numpy(float))
    times = np.sort(data["time"].unique()) if len(data) else np.array([], dtype="datetime64[ns]")
    ug, vg = _idw(data, used, times, lon_ax, lat_ax, power)
    dims = ("time", "latitude", "longitude")
    out = xr.Dataset(
        {
            "u10": (dims, ug, {"units": "m/s", "long_name": "eastward wind (IDW of stations)"}),
            "v10": (dims, vg, {"units": "m/s", "long_name": "northward wind (IDW of stations)"}),
        },
        coords={"time": times, "latitude": lat_ax, "longitude": lon_ax},
    )
    out.attrs = {
        "source": "station wind, inverse-distance weighting of u and v",
        "idw_power": float(power),
        "n_stations": int(len(used)),
        "time_zone": "UTC",
        "droplog": log.to_json(),  # text, so that to_netcdf works; geoair.get_droplog reads it
    }
    return out


def _station_xy(stations) -> pd.DataFrame:
    """Station table indexed by code with lon/lat (from columns or point geometries)."""
    st = pd.DataFrame(stations).copy()
    if "station" not in st.columns:
        raise GeoairInputError(
            "The station table has no 'station' column.",
            received=list(map(str, st.columns)),
            fix="Pass geoair.io.read_stations(...) output.",
        )
    if not {"lon", "lat"} <= set(st.columns):
        geom = getattr(stations, "geometry", None)
        if geom is None:
            raise GeoairInputError(
                "The station table has neither lon/lat columns nor geometries.",
                received=list(map(str, st.columns)),
                fix="Add lon and lat columns (degrees, WGS84).",
            )
        st["lon"], st["lat"] = geom.x.to_numpy(), geom.y.to_numpy()
    return st.drop_duplicates("station").set_index("station")


def _station_uv(obs: pd.DataFrame, st: pd.DataFrame, log: DropLog) -> pd.DataFrame:
    """Usable station winds as u/v with naive UTC times; the other rows logged (positions)."""
    from ..met.wind import wswd_to_uv

    data = obs[["station", "time", "ws", "wd"]].reset_index(drop=True)
    unknown = ~data["station"].isin(st.index)
    log.add("station not in the station table (no coordinates)", np.flatnonzero(unknown),
            values=data.loc[unknown, "station"])
    bad = ~unknown & (data["ws"].isna() | data["wd"].isna()) & ~((data["ws"] == 0) & data["wd"].isna())
    log.add("missing wind speed or direction", np.flatnonzero(bad))
    data = data[~unknown & ~bad]
    t = pd.DatetimeIndex(data["time"])
    if t.tz is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    data = data.assign(time=t.as_unit("ns"))
    u, v = wswd_to_uv(data["ws"].to_numpy(float), data["wd"].to_numpy(float))
    return data.assign(u=np.atleast_1d(u), v=np.atleast_1d(v))


def _idw(data, used, times, lon_ax, lat_ax, power) -> tuple[np.ndarray, np.ndarray]:
    """u and v on (time, latitude, longitude); a station missing at an hour has weight 0."""
    u_tab = data.pivot_table(index="time", columns="station", values="u", aggfunc="mean")
    v_tab = data.pivot_table(index="time", columns="station", values="v", aggfunc="mean")
    u_tab = u_tab.reindex(index=times, columns=used.index)
    v_tab = v_tab.reindex(index=times, columns=used.index)
    glon, glat = np.meshgrid(lon_ax, lat_ax)
    d = _haversine_matrix(glon.ravel(), glat.ravel(), used["lon"].to_numpy(float), used["lat"].to_numpy(float))
    w = np.maximum(d, 1.0) ** (-float(power))  # (node x station)
    mask = u_tab.notna().to_numpy(dtype=bool) & v_tab.notna().to_numpy(dtype=bool)
    um = np.where(mask, u_tab.to_numpy(dtype=float), 0.0)
    vm = np.where(mask, v_tab.to_numpy(dtype=float), 0.0)
    den = mask.astype(float) @ w.T
    with np.errstate(invalid="ignore", divide="ignore"):
        ug = np.where(den > 0, (um @ w.T) / den, np.nan)
        vg = np.where(den > 0, (vm @ w.T) / den, np.nan)
    shape = (len(times), lat_ax.size, lon_ax.size)
    return ug.reshape(shape), vg.reshape(shape)
