"""Leave-one-station-out cross-validation of the surfaces, and its summary.

Kriging errors come from Dubrule's (1983) closed form with the variogram fitted to all
stations (the usual kriging cross-validation; the variogram is not refitted per fold). With
``buffer > 0`` every station within ``buffer`` metres of the held-out one is withheld too
(buffered leave-one-out, Le Rest et al. 2014), which mimics predicting a county far from any
monitor rather than a street next to another monitor.

References
----------
Dubrule, O. (1983). Cross validation of kriging in a unique neighborhood. *Math. Geol.* 15(6).
Le Rest, K., Pinaud, D., Monestiez, P., Chadoeuf, J. and Bretagnolle, V. (2014). Spatial
leave-one-out cross-validation for variable selection in the presence of spatial
autocorrelation. *Global Ecology and Biogeography* 23, 811-820.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._attrs import as_attr
from .._validation import check_option
from ..hotspot.aggregate import GRID_CRS
from . import _kriging
from ._data import prepare
from ._engine import blas_threads
from .covariates import drift_matrix
from .estimate import METHODS, _residuals, _z
from .idw import idw_loo, jackknife_factors
from .variogram import Variogram

__all__ = ["loo", "loo_summary"]


def _groups(xy: np.ndarray, buffer: float):
    from scipy.spatial.distance import cdist

    if buffer <= 0:
        return None
    d = cdist(xy, xy)
    return d <= buffer


def _krige_loo(prep, f_st, vario, near, z):
    est = np.full(prep.raw.shape, np.nan)
    lo, hi = est.copy(), est.copy()
    for d, row in enumerate(prep.z):
        idx = np.flatnonzero(np.isfinite(row))
        if len(idx) <= f_st.shape[1] + 1:
            continue
        groups = None
        if near is not None:
            sub = near[np.ix_(idx, idx)]
            groups = [np.r_[i, np.flatnonzero(sub[i] & (np.arange(len(idx)) != i))]
                      for i in range(len(idx))]
        err, var = _kriging.loo_errors(vario.day_models_[d], float(vario.scale_[d]), prep.xy[idx],
                                       row[idx], f_st[idx], groups)
        m, s = row[idx] - err, np.sqrt(np.maximum(var, 0.0))
        if prep.transform == "log":
            est[d, idx], lo[d, idx], hi[d, idx] = np.exp(m + s**2 / 2), np.exp(m - z * s), np.exp(m + z * s)
        else:
            est[d, idx], lo[d, idx], hi[d, idx] = m, m - z * s, m + z * s
    return est, lo, hi


def _idw_cv(prep, near, power, level):
    pred = idw_loo(prep.raw, prep.xy, power=power, exclude=near)
    f_lo, f_hi = jackknife_factors(prep.raw.ravel(), pred.ravel(), level)
    return pred, pred * f_lo, pred * f_hi


def loo(values, stations, *, methods=METHODS, drift: str = "constant", covariates=None,
        variogram="pooled", model: str = "matern", transform: str = "log", level: float = 0.9,
        buffer: float = 0.0, power: float = 2.0, min_stations: int = 10,
        bandwidth: float = 20_000.0, crs: str = GRID_CRS) -> pd.DataFrame:
    """Leave-one-station-out predictions for each station and date.

    Parameters
    ----------
    values, stations
        As :func:`estimate`.
    methods : sequence of {"kriging", "idw"}
        Methods to validate.
    buffer : float
        Also withhold stations within this distance of the held-out one (metres).
    drift, covariates, variogram, model, transform, level, power, bandwidth, crs
        As :func:`estimate` (``drift`` and ``covariates`` apply to kriging).

    Returns
    -------
    DataFrame
        ``station, date, observed, estimate, lower, upper, method`` (µg/m³);
        ``attrs["summary"]`` is :func:`loo_summary` of it, ``attrs["droplog"]`` the inputs'
        DropLog, ``attrs["params"]`` the settings and fitted variogram.
    """
    for m in methods:
        check_option("method", m, METHODS)
    kw = dict(methods=methods, drift=drift, covariates=covariates, variogram=variogram, model=model,
              transform=transform, level=level, buffer=buffer, power=power,
              min_stations=min_stations, bandwidth=bandwidth, crs=crs)
    with blas_threads():  # small dense solves: BLAS threads only contend
        return _loo(values, stations, **kw)


def _loo(values, stations, *, methods, drift, covariates, variogram, model, transform, level,
         buffer, power, min_stations, bandwidth, crs):
    z = _z(level)
    prep = prepare(values, stations, crs=crs, transform=transform, min_stations=min_stations)
    center = np.nanmean(prep.xy, axis=0)
    f_st = drift_matrix(prep.xy, drift=drift, covariates=covariates, crs=crs, bandwidth=bandwidth,
                        center=center)
    vario = variogram if isinstance(variogram, Variogram) else Variogram(model=model, pooling=variogram)
    vario.fit(_residuals(prep.z, f_st), prep.xy)
    near = _groups(prep.xy, buffer)
    frames = []
    for m in methods:
        if m == "kriging":
            est, lo, hi = _krige_loo(prep, f_st, vario, near, z)
        else:
            est, lo, hi = _idw_cv(prep, near, power, level)
        frames.append(_frame(prep, est, lo, hi, m))
    out = pd.concat(frames, ignore_index=True)
    out.attrs["summary"] = as_attr(loo_summary(out))
    out.attrs["droplog"] = prep.log
    out.attrs["params"] = dict(drift=drift, covariates=sorted(covariates or {}), transform=transform,
                               level=level, buffer=buffer, power=power, variogram=vario.params())
    return out


def _frame(prep, est, lo, hi, method: str) -> pd.DataFrame:
    n_days, n = prep.raw.shape
    ok = np.isfinite(prep.raw).ravel()
    return pd.DataFrame({
        "station": np.tile(prep.codes, n_days)[ok],
        "date": np.repeat(prep.dates, n)[ok],
        "observed": prep.raw.ravel()[ok],
        "estimate": est.ravel()[ok],
        "lower": lo.ravel()[ok],
        "upper": hi.ravel()[ok],
        "method": method,
    })


def _r2(y: np.ndarray, p: np.ndarray) -> float:
    ss = np.sum((y - y.mean()) ** 2)
    return float(1.0 - np.sum((y - p) ** 2) / ss) if ss > 0 else np.nan


def _scores(g: pd.DataFrame) -> pd.Series:
    g = g[np.isfinite(g["estimate"])]
    y, p = g["observed"].to_numpy(), g["estimate"].to_numpy()
    pos = (y > 0) & (p > 0)
    daily = [_r2(d["observed"].to_numpy(), d["estimate"].to_numpy())
             for _, d in g.groupby("date") if len(d) >= 5]
    return pd.Series({
        "n": len(g),
        "r2": _r2(y, p),
        "r2_log": _r2(np.log(y[pos]), np.log(p[pos])) if pos.any() else np.nan,
        "r2_within_day": float(np.nanmean(daily)) if daily else np.nan,
        "rmse": float(np.sqrt(np.mean((p - y) ** 2))),
        "mae": float(np.mean(np.abs(p - y))),
        "bias": float(np.mean(p - y)),
        "coverage": float(np.mean((y >= g["lower"]) & (y <= g["upper"]))),
        "interval_width": float(np.median(g["upper"] - g["lower"])),
    })


def loo_summary(cv: pd.DataFrame) -> pd.DataFrame:
    """Scores per method: R² (linear and log), mean within-day R², RMSE, MAE, bias, coverage.

    ``r2`` pools all station-days (so it credits getting the day-to-day swings right);
    ``r2_within_day`` is the mean over dates of the R² across stations (the spatial skill
    alone). ``bias`` is mean(estimate - observed); ``coverage`` the share of held-out values
    inside ``[lower, upper]``; ``interval_width`` the median width (µg/m³).
    """
    cols = ["n", "r2", "r2_log", "r2_within_day", "rmse", "mae", "bias", "coverage", "interval_width"]
    if cv.empty:
        return pd.DataFrame(columns=["method", *cols])
    rows = {m: _scores(g) for m, g in cv.groupby("method", sort=False)}
    out = pd.DataFrame(rows).T.rename_axis("method").reset_index()
    out["n"] = out["n"].astype(int)
    return out
