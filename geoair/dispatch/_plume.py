"""Hourly plume transfer from a few sources to one station, vectorised over hours (numpy).

Used to split a category's hourly contribution at a station among that category's sources
(:func:`geoair.dispatch.source_hourly`). The same physics as the attribution's exposure
kernels (:mod:`geoair.apportion.kernels`): a steady Gaussian plume with ground reflection
(Turner 1970, eq. 3.1), Briggs (1973) rural dispersion curves, Pasquill classes from wind speed
and solar elevation (Turner 1970, Table 1), and the plume averaged over all directions in calm
or unknown wind (ISC3 sector average with one 360° sector, US EPA 1995).

References
----------
Turner, D.B. (1970) *Workbook of Atmospheric Dispersion Estimates*, US EPA AP-26.
Briggs, G.A. (1973) ATDL-106; coefficients as tabulated in Seinfeld & Pandis, *Atmospheric
Chemistry and Physics*, Table 18.3.
"""

from __future__ import annotations

import numpy as np

__all__ = ["transfer", "wind_uv"]

# Briggs (1973) rural: sigma = a x (1 + b x)^c (x in m), classes A-F
_Y = np.array([[0.22, 1e-4, -0.5], [0.16, 1e-4, -0.5], [0.11, 1e-4, -0.5],
               [0.08, 1e-4, -0.5], [0.06, 1e-4, -0.5], [0.04, 1e-4, -0.5]])
_Z = np.array([[0.20, 0.0, 1.0], [0.12, 0.0, 1.0], [0.08, 2e-4, -0.5],
               [0.06, 1.5e-3, -0.5], [0.03, 3e-4, -1.0], [0.016, 3e-4, -1.0]])
R_MIN = 100.0  # m: sources closer than this are treated as 100 m away
CALM_WS = 0.5  # m/s: below this the plume is averaged over all directions
_ISO_WS = 2.0  # m/s: assumed speed when the wind is unknown


def _sig(x, cls, tab):
    a, b, c = tab[cls, 0], tab[cls, 1], tab[cls, 2]
    return a * x * (1.0 + b * x) ** c


def wind_uv(ws, wd) -> tuple[np.ndarray, np.ndarray]:
    """Wind vector (m/s, towards east and north) from speed and direction FROM north (degrees)."""
    ws, wd = np.asarray(ws, float), np.radians(np.asarray(wd, float))
    return -ws * np.sin(wd), -ws * np.cos(wd)


def transfer(dx, dy, u, v, cls, height=0.0) -> np.ndarray:
    """Ground-level concentration (µg/m³) per unit emission (g/s) at a station, hour by hour.

    Parameters
    ----------
    dx, dy : array (P, 1)
        Station position relative to each source (m, east and north).
    u, v : array (T,)
        Wind at the station (m/s, towards east and north); NaN = unknown.
    cls : array (T,) of int
        Pasquill class (0 = A ... 5 = F).
    height : float or array (P, 1)
        Effective release height (m).

    Returns
    -------
    ndarray (P, T)
    """
    dx, dy = np.asarray(dx, float), np.asarray(dy, float)
    u, v, cls = np.asarray(u, float)[None, :], np.asarray(v, float)[None, :], np.asarray(cls, int)[None, :]
    h = np.asarray(height, float)
    r = np.maximum(np.hypot(dx, dy), R_MIN)
    ws = np.hypot(u, v)
    known = np.isfinite(ws)
    wss = np.where(known, ws, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = (dx * u + dy * v) / wss
        y = (-dx * v + dy * u) / wss
    x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    x = np.where(r <= R_MIN, np.maximum(x, R_MIN), x)  # a source under the station: near field
    xs = np.maximum(x, R_MIN)
    sy = _sig(xs, cls, _Y)
    sz = np.clip(_sig(xs, cls, _Z), 1.0, 5000.0)
    plume = np.where((x > 0) & (np.abs(y) <= 4.0 * sy),
                     1.0 / (np.pi * np.maximum(wss, CALM_WS) * sy * sz) * np.exp(-0.5 * (np.nan_to_num(y) / sy) ** 2)
                     * np.exp(-0.5 * (h / sz) ** 2), 0.0)
    # calm or unknown wind: plume averaged over all directions (class D when the wind is unknown)
    c_iso = np.where(known, cls, 3)
    s_iso = np.clip(_sig(r, c_iso, _Z), 1.0, 5000.0)
    us = np.where(known, CALM_WS, _ISO_WS)
    iso = 2.0 / (np.sqrt(2.0 * np.pi) * us * s_iso * 2.0 * np.pi * r) * np.exp(-0.5 * (h / s_iso) ** 2)
    calm = ~known | (ws < CALM_WS)
    return np.where(calm, iso, plume) * 1e6
