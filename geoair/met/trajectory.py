"""Back- (and forward-) trajectories computed directly from a gridded 2-D wind field.

Horizontal advection with the Heun (second-order Runge-Kutta, predictor-corrector) scheme
used by HYSPLIT, winds interpolated bilinearly in space and linearly in time, on the sphere
(d lon/dt = u / (R cos lat), d lat/dt = v / R, R = 6371 km). End points every hour, for many
receptors and arrival times at once (numba, parallel over trajectories).

This is a single-level (e.g. 10 m or a fixed pressure level) kinematic model: no vertical
motion, no turbulence. It is meant for PSCF/CWT-style statistics over many arrivals, where
the published practice is HYSPLIT; results for individual episodes should be checked with a
full 3-D model.

References
----------
Draxler, R. R. & Hess, G. D. (1998). An overview of the HYSPLIT_4 modelling system for
trajectories, dispersion and deposition. *Aust. Meteorol. Mag.* 47, 295-308 (the advection
scheme, eq. 6-7).
Stein, A. F. et al. (2015). NOAA's HYSPLIT atmospheric transport and dispersion modeling
system. *Bull. Amer. Meteor. Soc.* 96, 2059-2077.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError

__all__ = ["back_trajectories"]


def _regular(axis: np.ndarray, name: str) -> tuple[float, float]:
    d = np.diff(axis)
    if axis.size < 2 or not np.allclose(d, d[0], rtol=1e-6, atol=1e-9) or d[0] <= 0:
        raise GeoairInputError(
            f"The wind field's {name} axis must be regular and ascending.",
            column=name, received=axis[:5].tolist(),
            fix="Regrid the field (e.g. ds.interp) or sort it (ds.sortby).",
        )
    return float(axis[0]), float(d[0])


def _to_utc_naive(t) -> np.ndarray:
    ts = pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(t) if not isinstance(t, pd.Series) else t))
    if ts.tz is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_numpy(dtype="datetime64[ns]")


def back_trajectories(
    wind,
    receptors: pd.DataFrame,
    times: Sequence | pd.DatetimeIndex,
    *,
    hours: int = 72,
    steps_per_hour: int = 4,
    forward: bool = False,
    u: str = "u10",
    v: str = "v10",
    blh: str | None = "blh",
) -> pd.DataFrame:
    """Trajectories arriving at each receptor at each time (all combinations).

    Parameters
    ----------
    wind : xarray.Dataset
        ``u10, v10`` (m/s) on ``(time, latitude, longitude)``, regular ascending axes, ``time``
        naive UTC (geoair's wind layout, see ``geoair.read_wind``); optional ``blh`` (m).
    receptors : DataFrame or GeoDataFrame
        ``lon, lat`` (degrees, WGS84; or point geometry) and optionally ``station``.
    times : sequence of datetimes
        Arrival times (tz-aware or naive UTC).
    hours : int
        Length of each trajectory (h), typically 24-72.
    steps_per_hour : int
        Integration sub-steps per hour (default 4, i.e. 15 min).
    forward : bool
        Forward trajectories instead of back-trajectories.
    u, v : str
        Names of the wind components in ``wind``.
    blh : str or None
        Boundary-layer height variable (m) to sample along the path, if present.

    Returns
    -------
    DataFrame
        One row per trajectory point: ``receptor``, ``date`` (arrival time, naive UTC, openair's
        ``date``), ``hour_inc`` (0, -1, ..., -hours), ``time`` (time at the point, UTC),
        ``lat``, ``lon`` (degrees) and ``blh`` (m) when available. Points after a trajectory
        leaves the field are NaN. ``attrs["params"]`` records the settings.

    Examples
    --------
    >>> traj = back_trajectories(ds, stations, pd.date_range("2019-01-10", periods=24, freq="h"))  # doctest: +SKIP
    """
    from ._traj_kernels import trace

    for name in (u, v):
        if name not in wind:
            raise GeoairInputError(f"The wind field lacks {name!r}.", received=list(wind.data_vars),
                                   fix="Pass u=/v= or rename the variables.")
    rlon0, rlat0, names = _receptors(receptors)
    if hours < 1 or steps_per_hour < 1:
        raise ValueError(f"hours and steps_per_hour must be >= 1, got {hours}, {steps_per_hour}")
    f = _field(wind, u, v, blh)
    arr = _to_utc_naive(times)
    nr, ntm = rlon0.size, arr.size
    rcodes, runiq = pd.factorize(pd.Index(names))
    codes = np.repeat(rcodes, ntm)
    rtime = np.tile(arr, nr)
    rt = (rtime - f["t_ref"]) / np.timedelta64(1, "h")
    n = rlon0.size * ntm
    out_lon = np.empty((n, hours + 1))
    out_lat = np.empty((n, hours + 1))
    out_blh = np.empty((n, hours + 1)) if f["has_blh"] else np.empty((1, 1))
    sign = 1.0 if forward else -1.0
    if n:
        trace(f["u"], f["v"], f["blh"], f["has_blh"], f["t0"], f["dt"], f["lat0"], f["dlat"],
              f["lon0"], f["dlon"], np.repeat(rlon0, ntm), np.repeat(rlat0, ntm),
              rt.astype(np.float64), int(hours), int(steps_per_hour), sign, out_lon, out_lat,
              out_blh)
    out = _frame(codes, runiq, rtime, out_lon, out_lat, out_blh if f["has_blh"] else None,
                 hours, sign, f["global"])
    out.attrs = {"params": {"hours": hours, "steps_per_hour": steps_per_hour, "forward": forward,
                            "scheme": "Heun RK2, bilinear space / linear time (HYSPLIT-like, 2-D)",
                            "earth_radius_m": 6371000.0},
                 "units": {"lat": "degrees", "lon": "degrees", "blh": "m"}, "droplog": _left_field(out)}
    return out


def _left_field(out: pd.DataFrame) -> DropLog:
    """The trajectory points without a position (the path left the wind field): NaN rows."""
    log = DropLog()
    gone = out["lat"].isna().to_numpy() | out["lon"].isna().to_numpy()
    if gone.any():
        log.add("trajectory left the wind field (position NaN)", np.flatnonzero(gone), column="lat")
    return log


def _frame(codes, runiq, rtime, out_lon, out_lat, out_blh, hours: int, sign: float,
           is_global: bool) -> pd.DataFrame:
    """One row per trajectory point (receptor, arrival date, hour_inc, time, lat, lon[, blh])."""
    n = codes.size
    inc = np.arange(hours + 1) * int(sign)
    npts = hours + 1
    data = {
        # categorical: 100,000 x 73 repeated strings would dominate the run time
        "receptor": pd.Categorical.from_codes(np.repeat(codes, npts), categories=runiq),
        "date": np.repeat(rtime, npts),
        "hour_inc": np.tile(inc, n),
        "time": np.repeat(rtime, npts) + np.tile(inc.astype("timedelta64[h]"), n),
        "lat": out_lat.ravel(),
        "lon": out_lon.ravel(),
    }
    if out_blh is not None:
        data["blh"] = out_blh.ravel()
    if is_global:  # global field: report longitudes in [-180, 180)
        data["lon"] = ((data["lon"] + 180.0) % 360.0) - 180.0
    return pd.DataFrame(data)


def _receptors(receptors):
    """Receptor longitudes, latitudes (degrees) and names."""
    if not isinstance(receptors, pd.DataFrame):
        raise GeoairInputError("receptors must be a DataFrame with lon, lat.",
                               received=type(receptors).__name__)
    if {"lon", "lat"} <= set(receptors.columns):
        rlon0 = receptors["lon"].to_numpy(float)
        rlat0 = receptors["lat"].to_numpy(float)
    elif "geometry" in receptors.columns:
        rlon0 = receptors.geometry.x.to_numpy(float)
        rlat0 = receptors.geometry.y.to_numpy(float)
    else:
        raise GeoairInputError("receptors need lon and lat columns.",
                               received=list(map(str, receptors.columns)),
                               fix="Add lon/lat (degrees) or pass a GeoDataFrame of points.")
    names = (receptors["station"].astype(str).to_numpy() if "station" in receptors.columns
             else np.arange(len(receptors)).astype(str))
    return rlon0, rlat0, names


def _field(wind, u: str, v: str, blh: str | None) -> dict:
    """The wind arrays (time, lat, lon; C order) and the regular axes the kernel needs."""
    lat_ax = np.asarray(wind["latitude"].values, float)
    lon_ax = np.asarray(wind["longitude"].values, float)
    lat0, dlat = _regular(lat_ax, "latitude")
    lon0, dlon = _regular(lon_ax, "longitude")
    ftime = _to_utc_naive(wind["time"].values)
    th = (ftime - ftime[0]) / np.timedelta64(1, "h")
    t0, dtf = _regular(th, "time") if th.size > 1 else (0.0, 1.0)
    order = ("time", "latitude", "longitude")
    has_blh = blh is not None and blh in wind

    def arr(name):
        return np.ascontiguousarray(wind[name].transpose(*order).values, dtype=np.float64)

    return {"u": arr(u), "v": arr(v), "blh": arr(blh) if has_blh else np.zeros((1, 1, 1)),
            "has_blh": has_blh, "t_ref": ftime[0], "t0": t0, "dt": dtf, "lat0": lat0,
            "dlat": dlat, "lon0": lon0, "dlon": dlon, "global": dlon * lon_ax.size >= 359.999}
