"""Wind components and directions, vector means, and wind fields sampled at points.

Convention (meteorological, "FROM"): ``wd`` is the direction the wind blows **from**, in
degrees clockwise from north (north wind 0°, east 90°, south 180°, west 270°); ``u`` is the
eastward and ``v`` the northward component, m/s.

Calm policy: where ``u == v == 0`` the direction is undefined and :func:`uv_to_wswd` returns
``wd = NaN`` (MetPy and NCL return 0, which is indistinguishable from a north wind and biases
polar plots and wind roses towards north).

References
----------
ECMWF, "ERA5: How to calculate wind speed and wind direction from u and v components of the
wind" (Confluence); MetPy ``wind_direction`` / ``wind_components``; test vectors in
``shared/research/standards.md`` §6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["uv_to_wswd", "wswd_to_uv", "vector_mean", "sample_wind"]


def uv_to_wswd(u, v):
    """Wind speed and meteorological direction from eastward/northward components.

    Parameters
    ----------
    u, v : float or array-like
        Eastward and northward wind components, m/s.

    Returns
    -------
    ws : ndarray or float
        Wind speed, m/s (``hypot(u, v)``).
    wd : ndarray or float
        Direction the wind blows from, degrees clockwise from north in ``[0, 360)``;
        NaN for calm (``u == v == 0``) and where ``u`` or ``v`` is NaN.

    Examples
    --------
    >>> uv_to_wswd(10.0, 10.0)   # MetPy docs example: a south-west wind
    (14.142135623730951, 225.0)
    """
    u_a = np.asarray(u, dtype=float)
    v_a = np.asarray(v, dtype=float)
    ws = np.hypot(u_a, v_a)
    # atan2(-u, -v) is the FROM direction measured clockwise from north (ECMWF formula)
    wd = np.mod(np.degrees(np.arctan2(-u_a, -v_a)), 360.0)
    # mod can return 360.0 for -tiny angles; fold it onto 0
    wd = np.where(wd >= 360.0, 0.0, wd)
    wd = np.where((u_a == 0) & (v_a == 0), np.nan, wd)
    if ws.ndim == 0:
        return float(ws), float(wd)
    return ws, wd


def wswd_to_uv(ws, wd):
    """Eastward/northward components from wind speed and meteorological direction.

    Parameters
    ----------
    ws : float or array-like
        Wind speed, m/s.
    wd : float or array-like
        Direction the wind blows from, degrees clockwise from north. A NaN direction with
        zero speed (calm) gives ``u = v = 0``; a NaN direction with non-zero speed gives NaN.

    Returns
    -------
    u, v : ndarray or float
        m/s. ``u = -ws sin(wd)``, ``v = -ws cos(wd)``.
    """
    ws_a = np.asarray(ws, dtype=float)
    wd_a = np.asarray(wd, dtype=float)
    rad = np.radians(wd_a)
    u = -ws_a * np.sin(rad)
    v = -ws_a * np.cos(rad)
    calm = (ws_a == 0) & np.isnan(wd_a)
    u = np.where(calm, 0.0, u)
    v = np.where(calm, 0.0, v)
    if u.ndim == 0:
        return float(u), float(v)
    return u, v


def vector_mean(ws, wd, weights=None):
    """Vector-averaged wind speed and direction (mean of u and v, then back to ws/wd).

    Parameters
    ----------
    ws, wd : array-like
        Wind speeds (m/s) and FROM directions (degrees). Pairs with a NaN are ignored;
        calms (``ws == 0``) count with zero vector.
    weights : array-like, optional
        Non-negative weights, same length.

    Returns
    -------
    (ws, wd) : tuple of float
        Resultant (vector-mean) speed in m/s and direction in degrees; ``(nan, nan)`` when
        nothing valid is left. Note the resultant speed is <= the scalar mean speed.

    References
    ----------
    Carslaw (2019), *The openair manual*, ``timeAverage(vector.ws = TRUE)``; WMO-No. 8 (2018)
    §5.8 on averaging wind.
    """
    ws_a = np.asarray(ws, dtype=float).ravel()
    wd_a = np.asarray(wd, dtype=float).ravel()
    if ws_a.shape != wd_a.shape:
        raise ValueError(f"ws and wd must have the same length, got {ws_a.size} and {wd_a.size}.")
    w = np.ones_like(ws_a) if weights is None else np.asarray(weights, dtype=float).ravel()
    if w.shape != ws_a.shape:
        raise ValueError(f"weights must have the length of ws ({ws_a.size}), got {w.size}.")
    u, v = wswd_to_uv(ws_a, wd_a)
    u, v = np.atleast_1d(u), np.atleast_1d(v)
    ok = np.isfinite(u) & np.isfinite(v) & np.isfinite(w)
    if not ok.any() or w[ok].sum() == 0:
        return float("nan"), float("nan")
    um = np.average(u[ok], weights=w[ok])
    vm = np.average(v[ok], weights=w[ok])
    return uv_to_wswd(um, vm)


def _to_utc_naive(time) -> np.ndarray:
    """Times (tz-aware in any zone, or naive = UTC) as flat naive UTC datetime64[ns]."""
    if isinstance(time, (pd.Series, pd.DatetimeIndex)):
        idx = pd.DatetimeIndex(time)
    else:
        arr = np.asarray(time)
        if arr.dtype.kind == "M":
            idx = pd.DatetimeIndex(arr.ravel())
        else:
            # Timestamps (possibly tz-aware) or strings: the slow path, object by object
            idx = pd.DatetimeIndex(pd.to_datetime(np.asarray(time, dtype=object).ravel()))
    if idx.tz is not None:
        idx = idx.tz_convert("UTC").tz_localize(None)
    return idx.as_unit("ns").values


def _axis_weights(coord: np.ndarray, x: np.ndarray):
    """Lower index and fractional weight of ``x`` on an ascending axis; -1 where outside."""
    n = coord.size
    if n == 1:
        i0 = np.zeros(x.shape, dtype=np.int64)
        frac = np.zeros(x.shape)
        inside = np.isclose(x, coord[0])
        return np.where(inside, i0, -1), frac
    i0 = np.searchsorted(coord, x, side="right") - 1
    i0 = np.clip(i0, 0, n - 2)
    lo, hi = coord[i0], coord[i0 + 1]
    frac = (x - lo) / (hi - lo)
    inside = (x >= coord[0]) & (x <= coord[-1]) & np.isfinite(x)
    return np.where(inside, i0, -1), np.where(inside, frac, 0.0)


def sample_wind(wind, lon, lat, time):
    """Wind components at points: bilinear in space, linear in time.

    Parameters
    ----------
    wind : xarray.Dataset
        Wind field in the data-model layout (:func:`geoair.io.read_wind`): ``u10``, ``v10`` on
        ``(time, latitude, longitude)``, both axes ascending, ``time`` naive UTC.
    lon, lat : float or array-like
        Point coordinates, degrees (WGS84), broadcast against each other and ``time``.
    time : datetime-like or array-like
        Times; tz-aware (any zone) or naive UTC.

    Returns
    -------
    u, v : ndarray
        m/s, shape of the broadcast inputs; NaN outside the field's extent in space or time.
        A single-time field is treated as steady (valid at every time).

    References
    ----------
    Bilinear/linear interpolation as in HYSPLIT's meteorological interpolation (Stein et al.
    2015, BAMS 96, 2059-2077) and ``xarray.Dataset.interp``; this version is vectorised over
    many points without building an xarray selection per point.
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    t_raw = _to_utc_naive(time)
    t_a = t_raw.reshape(np.shape(time)) if np.ndim(time) else t_raw[0]
    lon_b, lat_b, t_b = np.broadcast_arrays(lon_a, lat_a, np.asarray(t_a))
    shape = lon_b.shape
    # accept 0-360 longitudes: the field is on [-180, 180)
    x = ((lon_b.ravel() + 180.0) % 360.0) - 180.0
    y = lat_b.ravel()
    tt = t_b.ravel().astype("datetime64[ns]").astype(np.int64).astype(float)

    lons = np.asarray(wind["longitude"].values, dtype=float)
    lats = np.asarray(wind["latitude"].values, dtype=float)
    u_f = wind["u10"].transpose("time", "latitude", "longitude").values.astype(float)
    v_f = wind["v10"].transpose("time", "latitude", "longitude").values.astype(float)
    times = np.asarray(wind["time"].values).astype("datetime64[ns]").astype(np.int64).astype(float)
    if lons.size and np.any(np.diff(lons) < 0) or lats.size and np.any(np.diff(lats) < 0):
        raise ValueError(
            "sample_wind needs ascending latitude and longitude; read the field with "
            "geoair.io.read_wind, which sorts them."
        )
    if x.size == 0:
        return np.empty(shape), np.empty(shape)

    ix, fx = _axis_weights(lons, x)
    iy, fy = _axis_weights(lats, y)
    if times.size == 1:
        it = np.zeros(x.shape, dtype=np.int64)
        ft = np.zeros(x.shape)
        nt_step = 0
    else:
        it, ft = _axis_weights(times, tt)
        nt_step = 1
    ok = (ix >= 0) & (iy >= 0) & (it >= 0)
    ix1 = np.minimum(ix + (lons.size > 1), lons.size - 1)
    iy1 = np.minimum(iy + (lats.size > 1), lats.size - 1)
    it1 = np.minimum(it + nt_step, times.size - 1)
    ix, iy, it = np.where(ok, ix, 0), np.where(ok, iy, 0), np.where(ok, it, 0)
    ix1, iy1, it1 = np.where(ok, ix1, 0), np.where(ok, iy1, 0), np.where(ok, it1, 0)

    def interp(field: np.ndarray) -> np.ndarray:
        def plane(ti):
            f00 = field[ti, iy, ix]
            f01 = field[ti, iy, ix1]
            f10 = field[ti, iy1, ix]
            f11 = field[ti, iy1, ix1]
            return (f00 * (1 - fx) + f01 * fx) * (1 - fy) + (f10 * (1 - fx) + f11 * fx) * fy

        out = plane(it) * (1 - ft) + plane(it1) * ft
        return np.where(ok, out, np.nan).reshape(shape)

    return interp(u_f), interp(v_f)
