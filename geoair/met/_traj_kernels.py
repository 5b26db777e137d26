"""numba kernels for trajectory integration (imported only by :mod:`geoair.met.trajectory`)."""

from __future__ import annotations

import math

import numpy as np

from .._compat import njit, prange

EARTH_RADIUS_M = 6371000.0
_DEG = 180.0 / math.pi


@njit(cache=True)
def _sample(f, t0, dtf, lat0, dlat, lon0, dlon, lon, lat, th):
    """Bilinear in (lat, lon), linear in time; NaN outside the field."""
    nt, ny, nx = f.shape
    # a single-time field is steady (as geoair.met.wind.sample_wind)
    ft = (th - t0) / dtf if nt > 1 else 0.0
    fy = (lat - lat0) / dlat
    if dlon * nx >= 359.999:  # global field: wrap longitude
        lon = lon0 + ((lon - lon0) % 360.0)
        if lon > lon0 + dlon * (nx - 1):
            # between the last column and the first one (across the seam)
            fx = (lon - lon0) / dlon
            iy = min(int(fy), ny - 2) if fy >= 0.0 else 0
            if fy < 0.0 or fy > ny - 1 or ft < 0.0 or ft > nt - 1:
                return np.nan
            it = min(int(ft), nt - 2) if nt > 1 else 0
            it2 = it + 1 if nt > 1 else it
            wt = ft - it if nt > 1 else 0.0
            wy = fy - iy
            wx = fx - (nx - 1)
            a = (f[it, iy, nx - 1] * (1 - wx) + f[it, iy, 0] * wx) * (1 - wy) + (
                f[it, iy + 1, nx - 1] * (1 - wx) + f[it, iy + 1, 0] * wx) * wy
            b = (f[it2, iy, nx - 1] * (1 - wx) + f[it2, iy, 0] * wx) * (1 - wy) + (
                f[it2, iy + 1, nx - 1] * (1 - wx) + f[it2, iy + 1, 0] * wx) * wy
            return a * (1 - wt) + b * wt
    fx = (lon - lon0) / dlon
    if ft < 0.0 or fy < 0.0 or fx < 0.0 or ft > max(nt - 1, 0) or fy > ny - 1 or fx > nx - 1:
        return np.nan
    it = min(int(ft), nt - 2) if nt > 1 else 0
    iy = min(int(fy), ny - 2)
    ix = min(int(fx), nx - 2)
    wt = ft - it if nt > 1 else 0.0
    wy = fy - iy
    wx = fx - ix
    it2 = it + 1 if nt > 1 else it
    a = (f[it, iy, ix] * (1 - wx) + f[it, iy, ix + 1] * wx) * (1 - wy) + (
        f[it, iy + 1, ix] * (1 - wx) + f[it, iy + 1, ix + 1] * wx) * wy
    b = (f[it2, iy, ix] * (1 - wx) + f[it2, iy, ix + 1] * wx) * (1 - wy) + (
        f[it2, iy + 1, ix] * (1 - wx) + f[it2, iy + 1, ix + 1] * wx) * wy
    return a * (1 - wt) + b * wt


@njit(cache=True)
def _rate(u, v, t0, dtf, lat0, dlat, lon0, dlon, lon, lat, th):
    """d(lon, lat)/dt in degrees per hour at a point (NaN outside the field)."""
    uu = _sample(u, t0, dtf, lat0, dlat, lon0, dlon, lon, lat, th)
    vv = _sample(v, t0, dtf, lat0, dlat, lon0, dlon, lon, lat, th)
    c = math.cos(lat / _DEG)
    dlon_dt = uu * 3600.0 / (EARTH_RADIUS_M * c) * _DEG
    dlat_dt = vv * 3600.0 / EARTH_RADIUS_M * _DEG
    return dlon_dt, dlat_dt


@njit(parallel=True, cache=True)
def trace(u, v, blh, has_blh, t0, dtf, lat0, dlat, lon0, dlon, rlon, rlat, rt, nhours, nsub,
          sign, out_lon, out_lat, out_blh):
    """Heun (RK2) integration of many trajectories; hourly end points into the out arrays.

    Times in hours; ``sign`` = -1 for back-trajectories. A trajectory that leaves the field
    (space or time) is NaN from there on.
    """
    n = rlon.size
    h = sign / nsub
    for k in prange(n):
        lon = rlon[k]
        lat = rlat[k]
        th = rt[k]
        alive = True
        out_lon[k, 0] = lon
        out_lat[k, 0] = lat
        if has_blh:
            out_blh[k, 0] = _sample(blh, t0, dtf, lat0, dlat, lon0, dlon, lon, lat, th)
        for hr in range(1, nhours + 1):
            if alive:
                for _s in range(nsub):
                    a_lon, a_lat = _rate(u, v, t0, dtf, lat0, dlat, lon0, dlon, lon, lat, th)
                    if math.isnan(a_lon) or math.isnan(a_lat):
                        alive = False
                        break
                    p_lon = lon + h * a_lon
                    p_lat = lat + h * a_lat
                    b_lon, b_lat = _rate(u, v, t0, dtf, lat0, dlat, lon0, dlon, p_lon, p_lat, th + h)
                    if math.isnan(b_lon) or math.isnan(b_lat):
                        alive = False
                        break
                    lon = lon + 0.5 * h * (a_lon + b_lon)
                    lat = lat + 0.5 * h * (a_lat + b_lat)
                    th = th + h
            if alive:
                out_lon[k, hr] = lon
                out_lat[k, hr] = lat
                if has_blh:
                    out_blh[k, hr] = _sample(blh, t0, dtf, lat0, dlat, lon0, dlon, lon, lat, th)
            else:
                out_lon[k, hr] = np.nan
                out_lat[k, hr] = np.nan
                if has_blh:
                    out_blh[k, hr] = np.nan
