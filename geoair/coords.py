"""Vectorised conversion between WGS84, GCJ-02 (Amap, Tencent) and BD-09 (Baidu) coordinates.

Chinese web maps publish GCJ-02 ("Mars") or BD-09 coordinates; a site list geocoded there is
hundreds of metres off in WGS84. The forward GCJ-02 transform is the public, reverse-engineered
formula (Krasovsky ellipsoid, a = 6378245 m); the inverse is solved by fixed-point iteration to
below 1e-9 degrees (< 0.1 mm), not the common one-step approximation (errors up to ~5 m).

References
----------
Formulae and test vectors: ``shared/research/standards.md`` §7 (wandergis/coordtransform,
googollee/eviltransform, wyxloading/coordtransform-rs, feiquan123/coordtransform-go).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = [
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "convert_coords",
    "in_china",
]

CoordSystem = Literal["wgs84", "gcj02", "bd09"]

_A = 6378245.0  # Krasovsky 1940 semi-major axis (m), as used by the GCJ-02 formula
_EE = 0.00669342162296594323  # eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0


def in_china(lng, lat) -> np.ndarray:
    """True where the point is inside the box in which GCJ-02 applies a shift.

    The box (73.66 < lng < 135.05, 3.86 < lat < 53.55) is that of wandergis/coordtransform;
    outside it every conversion returns the input unchanged.
    """
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lng > 73.66) & (lng < 135.05) & (lat > 3.86) & (lat < 53.55)


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _gcj_delta(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = in_china(lng, lat)
    return np.where(inside, dlng, 0.0), np.where(inside, dlat, 0.0)


def _as_arrays(lng, lat) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(lng) == 0 and np.ndim(lat) == 0
    lng_a = np.asarray(lng, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    lng_a, lat_a = np.broadcast_arrays(lng_a, lat_a)
    return lng_a, lat_a, scalar


def _out(lng: np.ndarray, lat: np.ndarray, scalar: bool):
    if scalar:
        return float(lng), float(lat)
    return lng, lat


def wgs84_to_gcj02(lng, lat):
    """Convert WGS84 longitude/latitude (degrees) to GCJ-02.

    Parameters
    ----------
    lng, lat : float or array-like
        WGS84 longitude and latitude in degrees. Points outside China are returned unchanged.

    Returns
    -------
    (lng, lat) : tuple of float or ndarray
        GCJ-02 coordinates in degrees, same shape as the input.
    """
    lng_a, lat_a, scalar = _as_arrays(lng, lat)
    dlng, dlat = _gcj_delta(lng_a, lat_a)
    return _out(lng_a + dlng, lat_a + dlat, scalar)


def gcj02_to_wgs84(lng, lat, *, tol: float = 1e-10, max_iter: int = 30):
    """Convert GCJ-02 longitude/latitude (degrees) to WGS84 by fixed-point iteration.

    Solves ``wgs84_to_gcj02(w) = g`` with ``w <- w - (f(w) - g)``, which converges to below
    ``tol`` degrees in about five iterations (the one-step inverse is off by up to ~5 m).

    Parameters
    ----------
    lng, lat : float or array-like
        GCJ-02 longitude and latitude in degrees.
    tol : float
        Convergence tolerance in degrees (1e-10 deg is about 0.01 mm).
    max_iter : int
        Iteration cap.

    Returns
    -------
    (lng, lat) : tuple of float or ndarray
        WGS84 coordinates in degrees.
    """
    g_lng, g_lat, scalar = _as_arrays(lng, lat)
    w_lng = g_lng.copy()
    w_lat = g_lat.copy()
    for _ in range(max_iter):
        dlng, dlat = _gcj_delta(w_lng, w_lat)
        err_lng = w_lng + dlng - g_lng
        err_lat = w_lat + dlat - g_lat
        w_lng = w_lng - err_lng
        w_lat = w_lat - err_lat
        if not (np.nanmax(np.abs(err_lng), initial=0.0) > tol
                or np.nanmax(np.abs(err_lat), initial=0.0) > tol):
            break
    return _out(w_lng, w_lat, scalar)


def gcj02_to_bd09(lng, lat):
    """Convert GCJ-02 to BD-09 (Baidu) coordinates, degrees."""
    x, y, scalar = _as_arrays(lng, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _out(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, scalar)


def bd09_to_gcj02(lng, lat, *, tol: float = 1e-10, max_iter: int = 10):
    """Convert BD-09 (Baidu) to GCJ-02 coordinates, degrees.

    Starts from Baidu's published closed-form inverse (off by up to ~6e-7 degrees, ~7 cm,
    because it is not the exact inverse of :func:`gcj02_to_bd09`) and refines it by
    fixed-point iteration on ``gcj02_to_bd09(g) = b`` to below ``tol`` degrees.
    """
    b_lng, b_lat, scalar = _as_arrays(lng, lat)
    x = b_lng - 0.0065
    y = b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    g_lng, g_lat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(max_iter):
        f_lng, f_lat = gcj02_to_bd09(g_lng, g_lat)
        err_lng, err_lat = f_lng - b_lng, f_lat - b_lat
        g_lng, g_lat = g_lng - err_lng, g_lat - err_lat
        if not (np.nanmax(np.abs(err_lng), initial=0.0) > tol
                or np.nanmax(np.abs(err_lat), initial=0.0) > tol):
            break
    return _out(g_lng, g_lat, scalar)


def wgs84_to_bd09(lng, lat):
    """Convert WGS84 to BD-09 coordinates, degrees (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng, lat, *, tol: float = 1e-10):
    """Convert BD-09 to WGS84 coordinates, degrees (via GCJ-02, iterated inverse)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat), tol=tol)


_CONVERTERS = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("bd09", "wgs84"): bd09_to_wgs84,
}


def convert_coords(lng, lat, *, src: CoordSystem, dst: CoordSystem = "wgs84"):
    """Convert longitude/latitude between ``"wgs84"``, ``"gcj02"`` and ``"bd09"``.

    Parameters
    ----------
    lng, lat : float or array-like
        Coordinates in degrees in system ``src``.
    src, dst : {"wgs84", "gcj02", "bd09"}
        Source and target systems.

    Returns
    -------
    (lng, lat) : tuple of float or ndarray
    """
    from ._validation import check_option

    valid = ("wgs84", "gcj02", "bd09")
    for name, value in (("src", src), ("dst", dst)):
        check_option(name, value, valid)
    if src == dst:
        lng_a, lat_a, scalar = _as_arrays(lng, lat)
        return _out(lng_a.copy(), lat_a.copy(), scalar)
    return _CONVERTERS[(src, dst)](lng, lat)


def convert_geometry(geom, *, src: CoordSystem, dst: CoordSystem = "wgs84"):
    """Convert every vertex of shapely geometries (scalar or array) between coordinate systems."""
    import shapely

    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = convert_coords(xy[:, 0], xy[:, 1], src=src, dst=dst)
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)
