"""Exposure kernels: Gaussian-plume transfer coefficients from sources to stations, hour by hour.

For every station-hour and every source within the cut-off distance, the transfer
coefficient is the ground-level concentration (µg/m³) a unit emission (1 g/s) would give at
the station under that hour's wind and stability. Weighted by the source's relative strength
and its activity profile, and summed per category, they form *exposure indices*
(µg/m³ per unit weight) that :class:`~geoair.apportion.SourceAttribution` regresses on.

The numba kernels are only imported when used (``import geoair`` never loads numba).

References
----------
- Turner, D.B. (1970) *Workbook of Atmospheric Dispersion Estimates*, US EPA AP-26:
  Gaussian plume with ground reflection, Pasquill stability classes from wind speed and
  insolation (Table 1).
- Briggs, G.A. (1973) Diffusion estimation for small emissions, ATDL-106; rural and urban
  sigma curves as tabulated in Seinfeld & Pandis, *Atmospheric Chemistry and Physics*,
  Table 18.3 (2nd ed.), and Hanna, Briggs & Hosker (1982).
- Martin, D.O. (1976) Comment on the change of concentration standard deviations with
  distance, JAPCA 26:145 (power-law fits of the Pasquill-Gifford curves); used by the
  synthetic-truth generator only, so that truth and model dispersion differ.
- ISC3 long-term model (US EPA 1995), sector-averaged plume: used for calm hours and when
  no wind is known (the plume averaged over all wind directions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._compat import njit, prange

__all__ = [
    "EARTH_RADIUS_M",
    "SIGMA_SCHEMES",
    "STABILITY_CLASSES",
    "haversine_m",
    "pair_index",
    "solar_elevation",
    "stability_class",
    "sigmas",
    "plume_concentration",
    "SIGMA_TABLES",
    "SIGMA_SWITCH_M",
    "make_sigma_table",
    "Variant",
    "exposure",
    "exposure_variants",
    "pair_series",
]

EARTH_RADIUS_M = 6_371_008.8
STABILITY_CLASSES = ("A", "B", "C", "D", "E", "F")
#: Dispersion-curve schemes: 0 Briggs rural, 1 Briggs urban, 2 Pasquill-Gifford (Martin 1976 fits).
SIGMA_SCHEMES = {"briggs_rural": 0, "briggs_urban": 1, "pasquill_gifford": 2}

# Sigma curves in one generic form, sigma = a * x^p * (1 + b x)^c + f (x in m), one row per
# Pasquill class A-F, for the y and z directions and a near/far branch split at a switch distance.
# Briggs (1973) coefficients: sigma = a x (1 + b x)^c (Seinfeld & Pandis Table 18.3).
_BR_Y = np.array([[0.22, 1e-4, -0.5], [0.16, 1e-4, -0.5], [0.11, 1e-4, -0.5],
                  [0.08, 1e-4, -0.5], [0.06, 1e-4, -0.5], [0.04, 1e-4, -0.5]])
_BR_Z = np.array([[0.20, 0.0, 1.0], [0.12, 0.0, 1.0], [0.08, 2e-4, -0.5],
                  [0.06, 1.5e-3, -0.5], [0.03, 3e-4, -1.0], [0.016, 3e-4, -1.0]])
_BU_Y = np.array([[0.32, 4e-4, -0.5], [0.32, 4e-4, -0.5], [0.22, 4e-4, -0.5],
                  [0.16, 4e-4, -0.5], [0.11, 4e-4, -0.5], [0.11, 4e-4, -0.5]])
_BU_Z = np.array([[0.24, 1e-3, 0.5], [0.24, 1e-3, 0.5], [0.20, 0.0, 1.0],
                  [0.14, 3e-4, -0.5], [0.08, 1.5e-3, -0.5], [0.08, 1.5e-3, -0.5]])
# Martin (1976): sigma_y = a x_km^0.894; sigma_z = c x_km^d + f (x < 1 km / x >= 1 km rows).
_MA_A = np.array([213.0, 156.0, 104.0, 68.0, 50.5, 34.0])
_MA_Z_NEAR = np.array([[440.8, 1.941, 9.27], [106.6, 1.149, 3.3], [61.0, 0.911, 0.0],
                       [33.2, 0.725, -1.7], [22.8, 0.678, -1.3], [14.35, 0.740, -0.35]])
_MA_Z_FAR = np.array([[459.7, 2.094, -9.6], [108.2, 1.098, 2.0], [61.0, 0.911, 0.0],
                      [44.5, 0.516, -13.0], [55.4, 0.305, -34.0], [62.6, 0.180, -48.6]])
_SIGMA_Z_MAX = 5000.0


def _briggs_rows(coef: np.ndarray) -> np.ndarray:
    """Briggs a x (1 + b x)^c rows -> generic (a, p=1, b, c, f=0) rows."""
    return np.column_stack([coef[:, 0], np.ones(6), coef[:, 1], coef[:, 2], np.zeros(6)])


def _power_rows(a_km, p, f) -> np.ndarray:
    """Power law in km, a x_km^p + f, -> generic rows in metres."""
    a_km, p, f = (np.broadcast_to(np.asarray(v, float), (6,)) for v in (a_km, p, f))
    return np.column_stack([a_km * 1000.0 ** (-p), p, np.zeros(6), np.zeros(6), f])


def make_sigma_table(y_near, z_near, y_far=None, z_far=None) -> np.ndarray:
    """Stack generic sigma rows into a table of shape (2 [y, z], 2 [near, far], 6 classes, 5).

    Each row is ``(a, p, b, c, f)`` with ``sigma = a x^p (1 + b x)^c + f`` (x in m, sigma in m),
    one row per Pasquill class A-F. The far rows apply beyond the table's switch distance.
    """
    y_far = y_near if y_far is None else y_far
    z_far = z_near if z_far is None else z_far
    return np.ascontiguousarray(np.stack([np.stack([y_near, y_far]), np.stack([z_near, z_far])]), dtype=np.float64)


#: Sigma tables of the dispersion-curve schemes (see :func:`make_sigma_table`) and the distance
#: (m) where the near rows give way to the far rows.
SIGMA_TABLES: dict[str, np.ndarray] = {
    "briggs_rural": make_sigma_table(_briggs_rows(_BR_Y), _briggs_rows(_BR_Z)),
    "briggs_urban": make_sigma_table(_briggs_rows(_BU_Y), _briggs_rows(_BU_Z)),
    "pasquill_gifford": make_sigma_table(_power_rows(_MA_A, 0.894, 0.0), _power_rows(*_MA_Z_NEAR.T),
                                         None, _power_rows(*_MA_Z_FAR.T)),
}
SIGMA_SWITCH_M: dict[str, float] = {"briggs_rural": np.inf, "briggs_urban": np.inf, "pasquill_gifford": 1000.0}
_SCHEME_TABLES = np.stack([SIGMA_TABLES[k] for k in SIGMA_SCHEMES])
_SCHEME_SWITCH = np.array([SIGMA_SWITCH_M[k] for k in SIGMA_SCHEMES])


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (haversine formula, spherical Earth R = 6371.0088 km)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _unit_xyz(lon, lat) -> np.ndarray:
    lon, lat = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def pair_index(st_lon, st_lat, src_lon, src_lat, cutoff_m: float):
    """Station-source pairs within ``cutoff_m`` metres, grouped by station.

    A k-d tree on unit-sphere coordinates (chord distance is monotone in great-circle
    distance) finds the pairs, so the cost grows with the number of nearby pairs.

    Returns
    -------
    ptr : int64 array (n_stations + 1)
        Pairs of station ``i`` are ``ptr[i]:ptr[i+1]``.
    src : int64 array
        Source index of each pair.
    dx, dy : float64 arrays
        East and north offset of the station from the source (m), on the local tangent
        plane of the source: great-circle distance times sine/cosine of the bearing.
    dist : float64 array
        Great-circle distance (m).
    """
    from scipy.spatial import cKDTree

    st_lon, st_lat = np.asarray(st_lon, float), np.asarray(st_lat, float)
    src_lon, src_lat = np.asarray(src_lon, float), np.asarray(src_lat, float)
    n_st = st_lon.size
    if n_st == 0 or src_lon.size == 0:
        e = np.zeros(0)
        return np.zeros(n_st + 1, np.int64), np.zeros(0, np.int64), e, e.copy(), e.copy()
    chord = 2.0 * math.sin(min(cutoff_m / EARTH_RADIUS_M, math.pi) / 2.0)
    tree = cKDTree(_unit_xyz(src_lon, src_lat))
    lists = tree.query_ball_point(_unit_xyz(st_lon, st_lat), r=chord)
    counts = np.array([len(x) for x in lists], dtype=np.int64)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    src = np.array([j for x in lists for j in sorted(x)], dtype=np.int64)
    st = np.repeat(np.arange(n_st), counts)
    dist = haversine_m(src_lon[src], src_lat[src], st_lon[st], st_lat[st])
    # bearing from source to station
    p1, p2 = np.radians(src_lat[src]), np.radians(st_lat[st])
    dl = np.radians(st_lon[st] - src_lon[src])
    brg = np.arctan2(np.sin(dl) * np.cos(p2), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl))
    return ptr, src, dist * np.sin(brg), dist * np.cos(brg), dist


def solar_elevation(times, lon, lat) -> np.ndarray:
    """Approximate solar elevation (degrees) at the middle of each hour.

    Cooper's declination formula and the hour angle of local solar time (clock time
    UTC+8 corrected by longitude, equation of time neglected; error < 4 degrees), enough
    to classify insolation (Turner 1970).

    Parameters
    ----------
    times : DatetimeIndex (tz-aware, end-of-hour labels), length T
    lon, lat : array of float, length S (degrees)

    Returns
    -------
    ndarray (S, T)
    """
    t = pd.DatetimeIndex(times)
    t = (t.tz_convert("UTC") if t.tz is not None else t) - pd.Timedelta(minutes=30)
    doy = t.day_of_year.to_numpy()
    hour_utc = t.hour.to_numpy() + t.minute.to_numpy() / 60.0
    decl = np.radians(23.44) * np.sin(2 * np.pi * (284 + doy) / 365.0)
    lon = np.asarray(lon, float)[:, None]
    lat = np.radians(np.asarray(lat, float))[:, None]
    solar_time = hour_utc[None, :] + lon / 15.0
    ha = np.radians(15.0 * (solar_time - 12.0))
    s = np.sin(lat) * np.sin(decl)[None, :] + np.cos(lat) * np.cos(decl)[None, :] * np.cos(ha)
    return np.degrees(np.arcsin(np.clip(s, -1, 1)))


# Turner (1970) Table 1, columns by wind speed (<2, 2-3, 3-5, 5-6, >=6 m/s); 0=A ... 5=F.
_DAY = np.array([[0, 0, 1, 2, 2],     # strong insolation (elevation > 60)
                 [0, 1, 1, 2, 3],     # moderate (35-60)
                 [1, 2, 2, 3, 3]])    # slight (15-35)
_NIGHT = np.array([5, 5, 4, 3, 3])    # clear night (<= 3/8 cloud), the more dispersive-averse choice


def stability_class(ws, elevation, blh=None, *, rule: str = "turner", day_class: int = 2,
                    night_class: int = 4, shift: int = 0) -> np.ndarray:
    """Pasquill stability class (0=A ... 5=F) from wind speed, solar elevation and optional BLH.

    ``rule="turner"``: Turner (1970) Table 1 with insolation from solar elevation (strong >
    60°, moderate 35-60°, slight 15-35°, neutral D for a low sun 0-15°), clear-sky nights.
    Unknown wind speed gives D. With a boundary-layer height, shallow layers (< 200 m) are at
    least E and deep daytime layers (> 1500 m) at most B; the height also caps sigma_z in
    :func:`exposure`. ``rule="day_night"``: ``day_class`` while the sun is up, ``night_class``
    otherwise (a fixed rule, as simple screening models use). ``shift`` moves every class by
    that many steps (+1 = more stable), clipped to A-F.

    Parameters
    ----------
    ws : array (m/s)
    elevation : array (degrees), same shape
    blh : array (m), optional
    rule : {"turner", "day_night"}
    day_class, night_class : int
        Classes (0=A ... 5=F) of the ``day_night`` rule.
    shift : int
        Class shift applied after the rule.
    """
    ws = np.asarray(ws, float)
    el = np.broadcast_to(np.asarray(elevation, float), ws.shape)
    if rule == "day_night":
        cls = np.where(el > 0, day_class, night_class)
    elif rule == "turner":
        col = np.digitize(np.nan_to_num(ws, nan=4.0), [2.0, 3.0, 5.0, 6.0])
        ins = np.where(el > 60, 0, np.where(el > 35, 1, 2))
        cls = np.where(el > 15, _DAY[ins, col], np.where(el > 0, 3, _NIGHT[col]))
        cls = np.where(np.isnan(ws), 3, cls)
        if blh is not None:
            b = np.broadcast_to(np.asarray(blh, float), ws.shape)
            cls = np.where(b < 200, np.maximum(cls, 4), cls)
            cls = np.where((b > 1500) & (el > 15), np.minimum(cls, 1), cls)
    else:
        raise ValueError(f"rule={rule!r} is not valid. Valid options are ['turner', 'day_night'].")
    return np.clip(cls + int(shift), 0, 5).astype(np.int8)


@njit(cache=True)
def _sig_tab(x, cls, tab, xs, fy, fz):
    """sigma_y, sigma_z (m) from a generic table (see make_sigma_table), scaled by fy, fz."""
    r = 0 if x < xs else 1
    sy = (tab[0, r, cls, 0] * x ** tab[0, r, cls, 1] * (1.0 + tab[0, r, cls, 2] * x) ** tab[0, r, cls, 3]
          + tab[0, r, cls, 4]) * fy
    sz = (tab[1, r, cls, 0] * x ** tab[1, r, cls, 1] * (1.0 + tab[1, r, cls, 2] * x) ** tab[1, r, cls, 3]
          + tab[1, r, cls, 4]) * fz
    if sy < 1.0:
        sy = 1.0
    if sz < 1.0:
        sz = 1.0
    if sz > _SIGMA_Z_MAX:
        sz = _SIGMA_Z_MAX
    return sy, sz


@njit(cache=True)
def _sigmas(x, cls, scheme):
    return _sig_tab(x, cls, _SCHEME_TABLES[scheme], _SCHEME_SWITCH[scheme], 1.0, 1.0)


def sigmas(x, stability, scheme: str = "briggs_rural"):
    """Horizontal and vertical dispersion parameters (m) at downwind distance ``x`` (m).

    Parameters
    ----------
    x : float or array (m, > 0)
    stability : str ("A"-"F") or int (0-5)
    scheme : {"briggs_rural", "briggs_urban", "pasquill_gifford"}

    Returns
    -------
    (sigma_y, sigma_z) : arrays (m)
    """
    cls = STABILITY_CLASSES.index(stability) if isinstance(stability, str) else int(stability)
    sid = SIGMA_SCHEMES[scheme]
    xs = np.atleast_1d(np.asarray(x, float))
    out = np.array([_sigmas(float(v), cls, sid) for v in xs])
    return out[:, 0].reshape(np.shape(x)), out[:, 1].reshape(np.shape(x))


def plume_concentration(q, u, x, y, z, h, stability, scheme: str = "briggs_rural"):
    """Steady Gaussian plume with ground reflection (Turner 1970, eq. 3.1).

    ``C = Q / (2 pi u sy sz) exp(-y²/2sy²) [exp(-(z-H)²/2sz²) + exp(-(z+H)²/2sz²)]``

    Parameters
    ----------
    q : emission (g/s); u : wind speed (m/s); x, y : downwind and crosswind distance (m);
    z : receptor height (m); h : effective release height (m); stability : "A"-"F".

    Returns
    -------
    float or array : concentration (g/m³)
    """
    sy, sz = sigmas(x, stability, scheme)
    return (
        q / (2 * np.pi * u * sy * sz) * np.exp(-0.5 * (np.asarray(y) / sy) ** 2)
        * (np.exp(-0.5 * ((z - h) / sz) ** 2) + np.exp(-0.5 * ((z + h) / sz) ** 2))
    )


@njit(cache=True)
def _transfer_tab(dx, dy, u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws, r_min, iso=False):
    """Ground-level µg/m³ per g/s at a station offset (dx, dy) m from the source; and upwind flag.

    ``iso=True`` gives the direction-averaged plume at the hour's speed and class.
    """
    r = math.sqrt(dx * dx + dy * dy)
    if r < r_min:
        r = r_min
    ws = math.sqrt(u * u + v * v) if (u == u and v == v) else -1.0
    if ws < calm_ws or iso:
        # calm or unknown wind: plume averaged over all directions (ISC3 sector average
        # with one 360° sector), symmetric around the source
        us = max(ws, calm_ws) if ws >= 0.0 else iso_ws
        c = cls if ws >= 0.0 else 3
        sy, sz = _sig_tab(r, c, tab, xs, fy, fz)
        if blh == blh and sz > 0.8 * blh:
            sz = max(0.8 * blh, 1.0)
        k = 2.0 / (math.sqrt(2.0 * math.pi) * us * sz * 2.0 * math.pi * r) * math.exp(-0.5 * (h / sz) ** 2)
        return k * 1e6, 0
    x = (dx * u + dy * v) / ws
    if x <= 0.0:
        if r <= r_min:  # source under the station: treat as near field
            x = r_min
        else:
            return 0.0, 0
    y = (-dx * v + dy * u) / ws
    if x < r_min:
        x = r_min
    sy, sz = _sig_tab(x, cls, tab, xs, fy, fz)
    if blh == blh and sz > 0.8 * blh:
        # well-mixed limit: capping sigma_z at 0.8 BLH turns the reflected ground-level
        # plume Q/(pi u sy sz) into Q/(sqrt(2 pi) u sy BLH)
        sz = max(0.8 * blh, 1.0)
    if abs(y) > 4.0 * sy:
        return 0.0, 0
    k = 1.0 / (math.pi * ws * sy * sz) * math.exp(-0.5 * (y / sy) ** 2) * math.exp(-0.5 * (h / sz) ** 2)
    return k * 1e6, 1 if abs(y) <= 2.0 * sy else 0


# Element integration (lines and areas, see geoair.apportion._discretise): largest relative
# change of the downwind distance over which sigma is held constant (segments), and over which
# one Gauss node suffices in the along-wind integral (triangles); tested against a brute-force
# discretisation in tests/apportion/test_discretise.py.
_ETA_SEG = 0.1
_ETA_TRI = 0.1
_ISO_FRAC = 0.5
_SQRT2 = math.sqrt(2.0)
_SQRT_HALF_PI = math.sqrt(0.5 * math.pi)


@njit(cache=True)
def _sig_blh(x, cls, blh, tab, xs, fy, fz):
    """sigma_y, sigma_z at ``x`` with sigma_z capped at 0.8 BLH (as :func:`_transfer_tab`)."""
    sy, sz = _sig_tab(x, cls, tab, xs, fy, fz)
    if blh == blh and sz > 0.8 * blh:
        sz = max(0.8 * blh, 1.0)
    return sy, sz


@njit(cache=True)
def _band(lo, hi, sy):
    """Integral of exp(-y^2 / 2 sy^2) over [lo, hi] (m): the crosswind Gaussian in closed form."""
    return sy * _SQRT_HALF_PI * (math.erf(hi / (_SQRT2 * sy)) - math.erf(lo / (_SQRT2 * sy)))


@njit(cache=True)
def _sort4(a, b, c, d):
    if a > b:
        a, b = b, a
    if c > d:
        c, d = d, c
    if a > c:
        a, c = c, a
    if b > d:
        b, d = d, b
    if b > c:
        b, c = c, b
    return a, b, c, d


@njit(cache=True)
def _plume_f(x, ws, h, cls, blh, tab, xs, fy, fz):
    """sigma_y and the plume's ground-level factor 1 / (pi u sy sz) exp(-h^2 / 2 sz^2) at x."""
    sy, sz = _sig_blh(x, cls, blh, tab, xs, fy, fz)
    return sy, 1.0 / (math.pi * ws * sy * sz) * math.exp(-0.5 * (h / sz) ** 2)


@njit(cache=True)
def _seg_piece(s1, s2, x0, a, y0, b, fixed, ws, h, cls, blh, tab, xs, fy, fz, r_min):
    """Integral over s in [s1, s2] of the plume at x = x0 - s a, y = y0 - s b.

    ``fixed``: sigma at ``r_min`` (near field). Otherwise, when the piece sweeps more than one
    sigma_y across the wind, the crosswind Gaussian is integrated in closed form (erf) with
    sigma at the point nearest the plume axis; when it sweeps less (wind along the piece),
    two-point Gauss-Legendre on the point kernel.
    """
    y1, y2 = y0 - s1 * b, y0 - s2 * b
    lo, hi = min(y1, y2), max(y1, y2)
    if not fixed:
        sy, f = _plume_f(x0 - 0.5 * (s1 + s2) * a, ws, h, cls, blh, tab, xs, fy, fz)
        if hi - lo <= sy:
            tot, up = 0.0, 0
            for t in (-0.5773502691896258, 0.5773502691896258):
                s = 0.5 * (s1 + s2) + 0.5 * (s2 - s1) * t
                y = y0 - s * b
                sy, f = _plume_f(x0 - s * a, ws, h, cls, blh, tab, xs, fy, fz)
                if abs(y) <= 4.0 * sy:
                    tot += 0.5 * (s2 - s1) * f * math.exp(-0.5 * (y / sy) ** 2)
                    if abs(y) <= 2.0 * sy:
                        up = 1
            return tot, up
        s = min(max(y0 / b, s1), s2)
        sy, f = _plume_f(x0 - s * a, ws, h, cls, blh, tab, xs, fy, fz)
    else:
        sy, f = _plume_f(r_min, ws, h, cls, blh, tab, xs, fy, fz)
    if hi - lo < 1e-6 * sy:
        g = (s2 - s1) * math.exp(-0.5 * (0.5 * (lo + hi) / sy) ** 2)
    else:
        g = _band(lo, hi, sy) / abs(b)
    return f * g, 1 if (lo <= 2.0 * sy and hi >= -2.0 * sy) else 0


@njit(cache=True)
def _seg_interval(s1, s2, x0, a, y0, b, r0sq, dh, hh, ws, h, cls, blh, tab, xs, fy, fz, r_min, sy_hi):
    """One interval between breakpoints of a segment: zero, constant sigma, or split by x."""
    sm = 0.5 * (s1 + s2)
    xm = x0 - sm * a
    if xm <= 0.0 and r0sq - 2.0 * sm * dh + sm * sm * hh > r_min * r_min:
        return 0.0, 0
    if xm < r_min:
        return _seg_piece(s1, s2, x0, a, y0, b, True, ws, h, cls, blh, tab, xs, fy, fz, r_min)
    x_lo = min(x0 - s1 * a, x0 - s2 * a)
    m = min(int(abs(a) * (s2 - s1) / (_ETA_SEG * max(x_lo, r_min))) + 1, 64)
    tot, up = 0.0, 0
    ds = (s2 - s1) / m
    for i in range(m):
        lo = s1 + i * ds
        hi = s2 if i == m - 1 else lo + ds
        if min(y0 - lo * b, y0 - hi * b) > 5.0 * sy_hi or max(y0 - lo * b, y0 - hi * b) < -5.0 * sy_hi:
            continue  # piece wholly off the plume (sy_hi the widest)
        k, f = _seg_piece(lo, hi, x0, a, y0, b, False, ws, h, cls, blh, tab, xs, fy, fz, r_min)
        tot += k
        up = max(up, f)
    return tot, up


@njit(cache=True)
def _transfer_seg(dx, dy, hx, hy, u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws, r_min, iso):
    """Mean transfer coefficient (µg/m³ per g/s) of a segment ``centre + s (hx, hy)``, s in [-1, 1].

    ``(dx, dy)``: station offset from the centre (m). The plume's crosswind Gaussian is
    integrated in closed form (erf) along the segment, sigma held at the downwind distance of
    pieces whose x varies by at most ``_ETA_SEG``; the near-field rules of
    :func:`_transfer_tab` (x floored at ``r_min``, upwind only within ``r_min``) are applied
    exactly by cutting the segment where they change. Calm, unknown-wind and
    direction-averaged hours: two-point Gauss-Legendre on the smooth symmetric kernel.
    """
    ws = math.sqrt(u * u + v * v) if (u == u and v == v) else -1.0
    if iso or ws < calm_ws:
        g = 1.0 / math.sqrt(3.0)
        k1, _ = _transfer_tab(dx - g * hx, dy - g * hy, u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws,
                              r_min, iso)
        k2, _ = _transfer_tab(dx + g * hx, dy + g * hy, u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws,
                              r_min, iso)
        return 0.5 * (k1 + k2), 0
    x0, y0 = (dx * u + dy * v) / ws, (-dx * v + dy * u) / ws
    a, b = (hx * u + hy * v) / ws, (-hx * v + hy * u) / ws
    hh = hx * hx + hy * hy
    dh = dx * hx + dy * hy
    r0sq = dx * dx + dy * dy
    # quick exits (most station-element-hours): wholly upwind beyond r_min, or wholly more than
    # 5 sigma_y (at the farthest downwind point, the widest) from the plume axis
    x_hi = x0 + abs(a)
    if x_hi <= 0.0 and math.sqrt(r0sq) - math.sqrt(hh) > r_min:
        return 0.0, 0
    sy_hi, _ = _sig_blh(max(x_hi, r_min), cls, blh, tab, xs, fy, fz)
    if abs(y0) - abs(b) > 5.0 * sy_hi:
        return 0.0, 0
    # breakpoints: |station - point(s)| = r_min, x(s) = 0, r_min and the sigma table's switch
    p1 = p2 = p3 = p4 = p5 = 2.0
    disc = dh * dh - hh * (r0sq - r_min * r_min)
    if disc > 0.0 and hh > 0.0:
        sq = math.sqrt(disc)
        p1, p2 = (dh - sq) / hh, (dh + sq) / hh
    if a != 0.0:
        p3, p4 = x0 / a, (x0 - r_min) / a
        if xs < 1e30:
            p5 = (x0 - xs) / a
    p1, p2, p3, p4, p5 = _sort5(p1, p2, p3, p4, p5)
    tot, up, prev = 0.0, 0, -1.0
    for q in (p1, p2, p3, p4, p5, 1.0):
        q = min(q, 1.0)
        if q > prev:
            k, f = _seg_interval(prev, q, x0, a, y0, b, r0sq, dh, hh, ws, h, cls, blh, tab, xs, fy, fz, r_min,
                                 sy_hi)
            tot += k
            up = max(up, f)
            prev = q
    return 0.5 * tot * 1e6, up


@njit(cache=True)
def _sort5(a, b, c, d, e):
    a, b, c, d = _sort4(a, b, c, d)
    if e < d:
        d, e = e, d
        if d < c:
            c, d = d, c
            if c < b:
                b, c = c, b
                if b < a:
                    a, b = b, a
    return a, b, c, d, e


@njit(cache=True)
def _edge_y(x, xa, ya, xb, yb):
    return ya if xb <= xa else ya + (x - xa) / (xb - xa) * (yb - ya)


@njit(cache=True)
def _psi(z):
    """Antiderivative of the standard normal CDF: z Phi(z) + phi(z)."""
    return z * 0.5 * (1.0 + math.erf(z / _SQRT2)) + math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


@njit(cache=True)
def _edge_cdf(x1, x2, y1, y2, sy):
    """Integral over x in [x1, x2] of Phi(y(x) / sy), y linear from y1 to y2 (closed form)."""
    z1, z2 = y1 / sy, y2 / sy
    if z1 > 6.0 and z2 > 6.0:
        return x2 - x1
    if z1 < -6.0 and z2 < -6.0:
        return 0.0
    if abs(z2 - z1) < 1e-7:
        return (x2 - x1) * 0.5 * (1.0 + math.erf(0.5 * (z1 + z2) / _SQRT2))
    return (x2 - x1) * (_psi(z2) - _psi(z1)) / (z2 - z1)


@njit(cache=True)
def _tri_upwind(x1, x2, xa, ya, xb, yb, xc, yc, ws, h, cls, blh, tab, xs, fy, fz, r_min):
    """Part of the triangle upwind of the station (x in [x1, x2] <= 0), within r_min of it: sigma at
    r_min, the crosswind integral (erf) clipped to the disc, 4-point Gauss-Legendre along the wind."""
    sy, sz = _sig_blh(r_min, cls, blh, tab, xs, fy, fz)
    f = 1.0 / (math.pi * ws * sy * sz) * math.exp(-0.5 * (h / sz) ** 2)
    tot = 0.0
    for i in range(4):
        t = (-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526)[i]
        w = (0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538)[i]
        x = 0.5 * (x1 + x2) + 0.5 * (x2 - x1) * t
        y1 = _edge_y(x, xa, ya, xc, yc)
        y2 = _edge_y(x, xa, ya, xb, yb) if x <= xb else _edge_y(x, xb, yb, xc, yc)
        c = math.sqrt(max(r_min * r_min - x * x, 0.0))
        lo, hi = max(min(y1, y2), -c), min(max(y1, y2), c)
        if hi > lo:
            tot += 0.5 * (x2 - x1) * w * f * _band(lo, hi, sy)
    return tot, 0


@njit(cache=True)
def _tri_interval(x1, x2, xa, ya, xb, yb, xc, yc, ws, h, cls, blh, tab, xs, fy, fz, r_min, sy_hi):
    """Integral over the triangle between downwind distances x1 < x2 (no vertex or rule change
    inside): crosswind and along-wind integrals of the Gaussian in closed form, sigma held at
    the middle of pieces whose x varies by at most ``_ETA_TRI``."""
    if x2 <= 0.0:
        return _tri_upwind(x1, x2, xa, ya, xb, yb, xc, yc, ws, h, cls, blh, tab, xs, fy, fz, r_min)
    # pieces in geometric progression of x (ratio <= 1 + _ETA_TRI); one where sigma is fixed
    m = 1 if x2 <= r_min else min(int(math.log(x2 / max(x1, r_min)) / math.log1p(_ETA_TRI)) + 1, 200)
    ratio = (x2 / x1) ** (1.0 / m) if x1 > 0.0 else 1.0
    tot, up = 0.0, 0
    p2 = x1
    for i in range(m):
        p1 = p2
        p2 = x2 if i == m - 1 else p1 * ratio
        dx = p2 - p1
        ya1, ya2 = _edge_y(p1, xa, ya, xc, yc), _edge_y(p2, xa, ya, xc, yc)
        if p1 + 0.5 * dx <= xb:
            yb1, yb2 = _edge_y(p1, xa, ya, xb, yb), _edge_y(p2, xa, ya, xb, yb)
        else:
            yb1, yb2 = _edge_y(p1, xb, yb, xc, yc), _edge_y(p2, xb, yb, xc, yc)
        lo, hi = min(ya1, ya2, yb1, yb2), max(ya1, ya2, yb1, yb2)
        if lo > 5.0 * sy_hi or hi < -5.0 * sy_hi:  # piece wholly off the plume (sy_hi the widest)
            continue
        sy, sz = _sig_blh(max(p1 + 0.5 * dx, r_min), cls, blh, tab, xs, fy, fz)
        f = 1.0 / (math.pi * ws * sy * sz) * math.exp(-0.5 * (h / sz) ** 2)
        g = _edge_cdf(p1, p2, ya1, ya2, sy) - _edge_cdf(p1, p2, yb1, yb2, sy)
        tot += f * sy * math.sqrt(2.0 * math.pi) * abs(g)
        if min(ya1 + ya2, yb1 + yb2) <= 4.0 * sy and max(ya1 + ya2, yb1 + yb2) >= -4.0 * sy:
            up = 1
    return tot, up


@njit(cache=True)
def _seg_dist0(ax, ay, bx, by):
    """Distance from the origin to the segment a-b."""
    ex, ey = bx - ax, by - ay
    ll = ex * ex + ey * ey
    t = 0.0 if ll <= 0.0 else min(max(-(ax * ex + ay * ey) / ll, 0.0), 1.0)
    return math.hypot(ax + t * ex, ay + t * ey)


@njit(cache=True)
def _tri_iso(dx, dy, g, u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws, r_min, iso):
    """Direction-averaged kernel over a triangle: split into n^2 equal triangles, n from its size
    against its distance to the station (``_ISO_FRAC``), 3-point degree-2 rule on each."""
    ax, ay, bx, by, cx, cy = dx - g[0], dy - g[1], dx - g[2], dy - g[3], dx - g[4], dy - g[5]
    c1, c2, c3 = ax * by - ay * bx, bx * cy - by * cx, cx * ay - cy * ax
    inside = (c1 >= 0.0 and c2 >= 0.0 and c3 >= 0.0) or (c1 <= 0.0 and c2 <= 0.0 and c3 <= 0.0)
    d = 0.0 if inside else min(_seg_dist0(ax, ay, bx, by), _seg_dist0(bx, by, cx, cy), _seg_dist0(cx, cy, ax, ay))
    size = max(math.hypot(bx - ax, by - ay), math.hypot(cx - bx, cy - by), math.hypot(ax - cx, ay - cy))
    n = min(int(size / (_ISO_FRAC * max(d, r_min))) + 1, 32)
    # sub-triangles of the barycentric grid: (i, j) upward and, where it fits, downward
    ex, ey, fx, fy_ = (bx - ax) / n, (by - ay) / n, (cx - ax) / n, (cy - ay) / n
    tot = 0.0
    for i in range(n):
        for j in range(n - i):
            for up in range(2):
                if up == 1 and i + j + 2 > n:
                    continue
                for q in range(3):
                    # 3-point rule at 2/3 of one vertex + 1/6 of the others
                    if up == 0:
                        si = i + (2.0 / 3.0 if q == 0 else 1.0 / 6.0)
                        sj = j + (2.0 / 3.0 if q == 1 else 1.0 / 6.0)
                    else:
                        si = i + 1.0 - (2.0 / 3.0 if q == 0 else 1.0 / 6.0)
                        sj = j + 1.0 - (2.0 / 3.0 if q == 1 else 1.0 / 6.0)
                    k, _ = _transfer_tab(ax + si * ex + sj * fx, ay + si * ey + sj * fy_, u, v, cls, blh, h, tab,
                                         xs, fy, fz, calm_ws, iso_ws, r_min, iso)
                    tot += k
    return tot / (3.0 * n * n)


@njit(cache=True)
def _transfer_tri(dx, dy, g, u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws, r_min, iso):
    """Mean transfer coefficient (µg/m³ per g/s) over a triangle ``centre + g[0:2], g[2:4], g[4:6]``.

    ``(dx, dy)``: station offset from the centre (m). As ISC3 area sources (EPA 1995, vol. II,
    1.2.3) the crosswind integral is in closed form (erf) between the triangle's edges; here the
    along-wind integral of the resulting normal CDFs is in closed form too (``_psi``), sigma
    held piecewise constant, between the breakpoints (middle vertex; x = -r_min, 0, r_min and
    the sigma table's switch, where the near-field rules of :func:`_transfer_tab` or the
    curves change). Calm, unknown-wind and direction-averaged hours: the 3-point degree-2 rule
    on the smooth symmetric kernel.
    """
    ws = math.sqrt(u * u + v * v) if (u == u and v == v) else -1.0
    if iso or ws < calm_ws:
        return _tri_iso(dx, dy, g, u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws, r_min, iso), 0
    xa = ((dx - g[0]) * u + (dy - g[1]) * v) / ws
    ya = (-(dx - g[0]) * v + (dy - g[1]) * u) / ws
    xb = ((dx - g[2]) * u + (dy - g[3]) * v) / ws
    yb = (-(dx - g[2]) * v + (dy - g[3]) * u) / ws
    xc = ((dx - g[4]) * u + (dy - g[5]) * v) / ws
    yc = (-(dx - g[4]) * v + (dy - g[5]) * u) / ws
    area = 0.5 * abs((xb - xa) * (yc - ya) - (xc - xa) * (yb - ya))
    x_hi = max(xa, xb, xc)
    if area <= 0.0 or x_hi <= -r_min:
        return 0.0, 0
    sy_hi, _ = _sig_blh(max(x_hi, r_min), cls, blh, tab, xs, fy, fz)
    if min(ya, yb, yc) > 5.0 * sy_hi or max(ya, yb, yc) < -5.0 * sy_hi:
        return 0.0, 0
    if xa > xb:
        xa, ya, xb, yb = xb, yb, xa, ya
    if xb > xc:
        xb, yb, xc, yc = xc, yc, xb, yb
    if xa > xb:
        xa, ya, xb, yb = xb, yb, xa, ya
    p1, p2, p3, p4, p5 = _sort5(xb, -r_min, 0.0, r_min, xs)
    tot, up, prev = 0.0, 0, max(xa, -r_min)
    for q in (p1, p2, p3, p4, p5, xc):
        q = min(q, xc)
        if q > prev:
            k, f = _tri_interval(prev, q, xa, ya, xb, yb, xc, yc, ws, h, cls, blh, tab, xs, fy, fz, r_min, sy_hi)
            tot += k
            up = max(up, f)
            prev = q
    return tot / area * 1e6, up


@njit(cache=True)
def _transfer_el(kind, geo, p, dx, dy, u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws, r_min, iso):
    """Transfer coefficient of pair ``p``: a point, a segment or a triangle (``kind[p]`` 0/1/2)."""
    if kind.size == 0 or kind[p] == 0:
        return _transfer_tab(dx, dy, u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws, r_min, iso)
    if kind[p] == 1:
        return _transfer_seg(dx, dy, geo[p, 0], geo[p, 1], u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws,
                             r_min, iso)
    return _transfer_tri(dx, dy, geo[p], u, v, cls, blh, h, tab, xs, fy, fz, calm_ws, iso_ws, r_min, iso)


@njit(parallel=True, cache=True)
def _exposure_kernel(ptr, psrc, pdx, pdy, pkind, pgeo, scat, sprof, sw, sh, act, u, v, cls, blh,
                     n_cat, scheme, calm_ws, iso_ws, r_min):
    n_st, n_t = u.shape
    out = np.zeros((n_st, n_t, n_cat))
    tab, xs = _SCHEME_TABLES[scheme], _SCHEME_SWITCH[scheme]
    for s in prange(n_st):
        for t in range(n_t):
            for p in range(ptr[s], ptr[s + 1]):
                j = psrc[p]
                a = act[sprof[j], t]
                if a == 0.0:
                    continue
                k, _ = _transfer_el(pkind, pgeo, p, pdx[p], pdy[p], u[s, t], v[s, t], cls[s, t], blh[s, t], sh[j],
                                    tab, xs, 1.0, 1.0, calm_ws, iso_ws, r_min, False)
                if k > 0.0:
                    out[s, t, scat[j]] += sw[j] * a * k
    return out


@njit(cache=True)
def _group_end(pgrp, p0, end):
    """End of the run of pairs of one source starting at ``p0`` (one pair when ``pgrp`` is empty)."""
    p1 = p0 + 1
    if pgrp.size:
        while p1 < end and pgrp[p1] == pgrp[p0]:
            p1 += 1
    return p1


@njit(parallel=True, cache=True)
def _variants_kernel(ptr, psrc, pdx, pdy, pkind, pgeo, pgrp, scat, sprof, sw, sh, act, u, v, cls, blh, n_cat,
                     tabs, xss, fys, fzs, rules, calms, isos, hadd, sat, iso_ws, r_min):
    n_st, n_t = u.shape
    n_v = tabs.shape[0]
    n_l = sat.shape[1]
    out = np.zeros((n_st, n_t, n_cat, n_v, n_l), np.float32)
    for s in prange(n_st):
        acc = np.zeros((n_cat, n_v, n_l))
        tmp = np.zeros(n_v)
        for t in range(n_t):
            acc[:, :, :] = 0.0
            p0 = ptr[s]
            while p0 < ptr[s + 1]:
                # the elements of one line/area source (or one point) add up before saturation
                p1 = _group_end(pgrp, p0, ptr[s + 1])
                c = scat[psrc[p0]]
                tmp[:] = 0.0
                for p in range(p0, p1):
                    j = psrc[p]
                    a = act[sprof[j], t] * sw[j]
                    if a == 0.0:
                        continue
                    for iv in range(n_v):
                        k, _ = _transfer_el(pkind, pgeo, p, pdx[p], pdy[p], u[s, t], v[s, t], cls[rules[iv], s, t],
                                            blh[s, t], sh[j] + hadd[iv], tabs[iv], xss[iv], fys[iv], fzs[iv],
                                            calms[iv], iso_ws, r_min, isos[iv])
                        if k > 0.0:
                            tmp[iv] += k * a
                for iv in range(n_v):
                    k = tmp[iv]
                    if k > 0.0:
                        for il in range(n_l):
                            x0 = sat[c, il]
                            acc[c, iv, il] += k if x0 == np.inf else x0 * k / (x0 + k)
                p0 = p1
            for c in range(n_cat):
                for iv in range(n_v):
                    for il in range(n_l):
                        out[s, t, c, iv, il] = acc[c, iv, il]
    return out


@njit(cache=True)
def _series_group(out, hours, p0, p1, psrc, pdx, pdy, pkind, pgeo, scat, sprof, sw, sh, act, amult, u, v, cls,
                  blh, coef, tabs, xss, fys, fzs, rules, calms, isos, hadd, sat, iso_ws, r_min, s):
    """pair_series for the pairs p0:p1 of one source at station s: each pair's share of the
    source's (saturated) mixture."""
    n_t = u.shape[1]
    n_v = tabs.shape[0]
    kb = np.zeros((p1 - p0, n_v))
    tot = np.zeros(n_v)
    c = scat[psrc[p0]]
    for t in range(n_t):
        tot[:] = 0.0
        for p in range(p0, p1):
            j = psrc[p]
            a = act[sprof[j], t] * amult[c, t]
            up = 0
            for iv in range(n_v):
                kb[p - p0, iv] = 0.0
                if a == 0.0:
                    continue
                k, f = _transfer_el(pkind, pgeo, p, pdx[p], pdy[p], u[s, t], v[s, t], cls[rules[iv], s, t],
                                    blh[s, t], sh[j] + hadd[iv], tabs[iv], xss[iv], fys[iv], fzs[iv], calms[iv],
                                    iso_ws, r_min, isos[iv])
                if k <= 0.0:
                    continue
                k *= sw[j] * a
                kb[p - p0, iv] = k
                tot[iv] += k
                up = max(up, f)
            hours[p] += up
        for iv in range(n_v):
            k = tot[iv]
            if k <= 0.0:
                continue
            g = 0.0
            for il in range(sat.shape[1]):
                if coef[c, iv, il] != 0.0:
                    x0 = sat[c, il]
                    g += coef[c, iv, il] * (k if x0 == np.inf else x0 * k / (x0 + k))
            for p in range(p0, p1):
                out[p, t] += kb[p - p0, iv] / k * g


@njit(parallel=True, cache=True)
def _series_kernel(ptr, psrc, pdx, pdy, pkind, pgeo, pgrp, scat, sprof, sw, sh, act, amult, u, v, cls, blh, coef,
                   tabs, xss, fys, fzs, rules, calms, isos, hadd, sat, iso_ws, r_min):
    n_st, n_t = u.shape
    out = np.zeros((psrc.size, n_t), np.float32)
    hours = np.zeros(psrc.size, np.int64)
    for s in prange(n_st):
        p0 = ptr[s]
        while p0 < ptr[s + 1]:
            p1 = _group_end(pgrp, p0, ptr[s + 1])
            _series_group(out, hours, p0, p1, psrc, pdx, pdy, pkind, pgeo, scat, sprof, sw, sh, act, amult, u, v,
                          cls, blh, coef, tabs, xss, fys, fzs, rules, calms, isos, hadd, sat, iso_ws, r_min, s)
            p0 = p1
    return out, hours


def _elements(pairs):
    """Per-pair element kind (0 point, 1 segment, 2 triangle) and geometry of a pairs tuple.

    Pairs from :func:`pair_index` are points (empty arrays); those of
    :func:`geoair.apportion._discretise.station_pairs` carry ``kind`` and ``geometry``
    attributes (see :class:`geoair.apportion._discretise.Pairs`).
    """
    kind = getattr(pairs, "kind", None)
    if kind is None:
        return np.zeros(0, np.int8), np.zeros((0, 6))
    return np.ascontiguousarray(kind, np.int8), np.ascontiguousarray(pairs.geometry, np.float64)


def _groups(pairs):
    """Source of each pair whose elements add up before saturation (empty: every pair alone)."""
    parent = getattr(pairs, "parent", None)
    return np.zeros(0, np.int64) if parent is None else np.ascontiguousarray(parent, np.int64)


def group_starts(pairs) -> np.ndarray:
    """First pair of every run of pairs of one source at one station (lines and areas have one
    pair per element; points and plain :func:`pair_index` pairs one run each)."""
    ptr, n = pairs[0], len(pairs[1])
    first = np.zeros(n, bool)
    first[ptr[:-1][ptr[:-1] < n]] = True
    parent = getattr(pairs, "parent", None)
    if parent is None:
        first[:] = True
    elif n:
        first[1:] |= parent[1:] != parent[:-1]
        first[0] = True
    return np.flatnonzero(first)


def _prep(u, v, cls, blh):
    u = np.ascontiguousarray(u, dtype=np.float64)
    v = np.ascontiguousarray(v, dtype=np.float64)
    cls = np.ascontiguousarray(cls, dtype=np.int64)
    blh = np.full(u.shape, np.nan) if blh is None else np.ascontiguousarray(blh, dtype=np.float64)
    return u, v, cls, blh


def _sources(src_category, src_profile, src_weight, src_height, activity):
    return (np.asarray(src_category, np.int64), np.asarray(src_profile, np.int64),
            np.asarray(src_weight, np.float64), np.asarray(src_height, np.float64),
            np.ascontiguousarray(activity, np.float64))


def exposure(pairs, src_category, src_profile, src_weight, src_height, activity, u, v, stability,
             *, n_categories, blh=None, scheme="briggs_rural", calm_ws=0.5, iso_ws=2.0, r_min=100.0):
    """Exposure indices per station, hour and category (µg/m³ per unit source weight).

    Parameters
    ----------
    pairs : tuple from :func:`pair_index`
    src_category, src_profile : int arrays (n_sources)
        Category index and row of ``activity`` of each source.
    src_weight : float array (n_sources)
        Relative strength, read as g/s so that indices are in µg/m³.
    src_height : float array (n_sources)
        Effective release height (m).
    activity : float array (n_profiles, T)
    u, v : float arrays (S, T)
        Wind components (m/s, direction the wind blows TO); NaN = unknown (isotropic kernel).
    stability : int array (S, T), 0=A ... 5=F
    blh : float array (S, T), optional
        Boundary-layer height (m), caps sigma_z (well-mixed limit).
    scheme : {"briggs_rural", "briggs_urban", "pasquill_gifford"}
    calm_ws : float
        Below this speed (m/s) the symmetric (direction-averaged) kernel is used.
    iso_ws : float
        Speed (m/s) assumed by the symmetric kernel when the wind is unknown.
    r_min : float
        Near-field radius (m): distances are floored to it (source size).

    Returns
    -------
    ndarray (S, T, n_categories)
    """
    ptr, psrc, pdx, pdy, _ = pairs
    u, v, cls, blh = _prep(u, v, stability, blh)
    return _exposure_kernel(ptr, psrc, pdx, pdy, *_elements(pairs), *_sources(src_category, src_profile, src_weight, src_height,
                                                           activity),
                            u, v, cls, blh, int(n_categories), SIGMA_SCHEMES[scheme],
                            float(calm_ws), float(iso_ws), float(r_min))


@dataclass(frozen=True)
class Variant:
    """One dispersion physics: sigma curves, sigma scale factors and a stability rule.

    Attributes
    ----------
    table : ndarray (2, 2, 6, 5)
        Sigma table (:func:`make_sigma_table`), e.g. ``SIGMA_TABLES["briggs_urban"]``.
    switch_m : float
        Distance (m) where the table's far rows start.
    scale_y, scale_z : float
        Multipliers of sigma_y and sigma_z.
    rule : int
        Index of the stability-class array (first axis of ``stability`` in
        :func:`exposure_variants`) this variant uses.
    calm_ws : float
        Below this speed (m/s) the direction-averaged plume is used (at this speed).
    isotropic : bool
        Always the direction-averaged plume (at the hour's speed and class): the expected
        exposure when the direction is not trusted.
    height_m : float
        Added to every source's release height (m): stacks whose heights are not known.
    name : str
    """

    table: np.ndarray
    switch_m: float = np.inf
    scale_y: float = 1.0
    scale_z: float = 1.0
    rule: int = 0
    calm_ws: float = 0.5
    isotropic: bool = False
    height_m: float = 0.0
    name: str = ""


def _variant_arrays(variants):
    tabs = np.ascontiguousarray(np.stack([np.asarray(vv.table, float) for vv in variants]))
    arr = [np.array([getattr(vv, k) for vv in variants], dtype=float) for k in ("switch_m", "scale_y", "scale_z")]
    return (tabs, *arr, np.array([vv.rule for vv in variants], dtype=np.int64),
            np.array([vv.calm_ws for vv in variants], dtype=float),
            np.array([vv.isotropic for vv in variants], dtype=np.bool_),
            np.array([vv.height_m for vv in variants], dtype=float))


def exposure_variants(pairs, src_category, src_profile, src_weight, src_height, activity, u, v, stability,
                      variants, *, n_categories, saturation=None, blh=None, iso_ws=2.0, r_min=100.0):
    """Exposure indices under several dispersion physics at once (one pass over the pairs).

    Parameters are those of :func:`exposure`, except

    stability : int array (R, S, T)
        One stability-class array per rule (0=A ... 5=F); each variant names its rule.
    variants : sequence of :class:`Variant`
    saturation : float array (n_categories, L), optional
        Saturation levels ``x0`` (exposure units, ``inf`` = linear): each station-source
        hourly exposure ``k`` enters the sums as ``x0 k / (x0 + k)``, a concave transform that
        caps a single plume at ``x0``; the elements of a line or area (pairs with a common
        ``parent``, see :class:`geoair.apportion._discretise.Pairs`) are summed first. Default:
        one linear level.

    Returns
    -------
    ndarray (S, T, n_categories, n_variants, L), float32 (µg/m³ per unit source weight)
    """
    ptr, psrc, pdx, pdy, _ = pairs
    cls = np.ascontiguousarray(np.asarray(stability).reshape((-1,) + np.shape(u)), dtype=np.int64)
    u, v, _, blh = _prep(u, v, cls[0], blh)
    sat = np.full((int(n_categories), 1), np.inf) if saturation is None else saturation
    return _variants_kernel(ptr, psrc, pdx, pdy, *_elements(pairs), _groups(pairs),
                            *_sources(src_category, src_profile, src_weight, src_height, activity),
                            u, v, cls, blh, int(n_categories), *_variant_arrays(variants),
                            np.ascontiguousarray(sat, np.float64), float(iso_ws), float(r_min))


def pair_series(pairs, src_category, src_profile, src_weight, src_height, activity, u, v, stability,
                variants, coef, *, saturation=None, activity_factor=None, blh=None, iso_ws=2.0, r_min=100.0):
    """Hourly contribution of every station-source pair under a mixture of physics variants.

    ``out[p, t] = sum_v sum_l coef[c, v, l] g_l(k_v)`` with ``k_v = weight_j * activity_j(t) *
    activity_factor[c, t] * K_v(p, t)``, ``K_v`` the transfer coefficient of variant ``v``
    (µg/m³ per g/s), ``g_l`` the saturation transform of level ``l`` and ``c`` the source's
    category. For the elements of a line or area (pairs with a common ``parent``) ``g_l``
    applies to their sum and each element gets its share ``k_v(p) / sum k_v``.

    Parameters
    ----------
    coef : float array (n_categories, n_variants[, L])
        Mixture weights per category (e.g. fitted by non-negative stacking).
    saturation : float array (n_categories, L), optional
        Saturation levels, as in :func:`exposure_variants`.
    activity_factor : float array (n_categories, T), optional
        Learned activity multipliers per category and hour (default 1).
    Other parameters as :func:`exposure_variants`.

    Returns
    -------
    series : float32 array (n_pairs, T)
    hours_upwind : int array (n_pairs)
        Hours when the station lies within two sigma_y of the plume axis of a used variant.
    """
    ptr, psrc, pdx, pdy, _ = pairs
    cls = np.ascontiguousarray(np.asarray(stability).reshape((-1,) + np.shape(u)), dtype=np.int64)
    u, v, _, blh = _prep(u, v, cls[0], blh)
    coef = np.asarray(coef, dtype=np.float64)
    coef = np.ascontiguousarray(coef[..., None] if coef.ndim == 2 else coef)
    sat = np.full((coef.shape[0], 1), np.inf) if saturation is None else saturation
    amult = np.ones((coef.shape[0], u.shape[1])) if activity_factor is None else activity_factor
    sc, sp, sw, sh, act = _sources(src_category, src_profile, src_weight, src_height, activity)
    return _series_kernel(ptr, psrc, pdx, pdy, *_elements(pairs), _groups(pairs), sc, sp, sw, sh, act,
                          np.ascontiguousarray(amult, np.float64),
                          u, v, cls, blh, coef, *_variant_arrays(variants), np.ascontiguousarray(sat, np.float64),
                          float(iso_ws), float(r_min))
