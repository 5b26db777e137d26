"""Inverse-distance weighting, the baseline the kriging surfaces must beat.

``z(x) = sum_i w_i z_i / sum_i w_i`` with ``w_i = d_i^-p`` over all stations of the day
(Shepard 1968), on concentrations (not logs). IDW has no error model; its interval is the
jackknife one: the held-out log-ratio quantiles ``q_(a/2), q_(1-a/2)`` of leave-one-out
predictions, applied as factors ``estimate * exp(q)`` (Barber et al. 2021, jackknife
prediction interval; marginal over space and days, not local).

References
----------
Shepard, D. (1968). A two-dimensional interpolation function for irregularly-spaced data.
*Proc. 23rd ACM National Conference*, 517-524.
Barber, R. F., Candès, E. J., Ramdas, A. and Tibshirani, R. J. (2021). Predictive inference
with the jackknife+. *Ann. Statist.* 49(1), 486-507.
"""

from __future__ import annotations

import numpy as np

__all__ = ["idw_weights", "idw_loo", "jackknife_factors"]


def idw_weights(dist: np.ndarray, power: float) -> np.ndarray:
    """Normalised IDW weights (stations x targets); a target on a station takes its value."""
    with np.errstate(divide="ignore"):
        w = dist ** (-power)
    hit = ~np.isfinite(w)
    if hit.any():
        cols = hit.any(axis=0)
        w[:, cols] = hit[:, cols].astype(float)
    return w / w.sum(axis=0, keepdims=True)


def idw_loo(raw: np.ndarray, xy: np.ndarray, *, power: float = 2.0,
            exclude: np.ndarray | None = None) -> np.ndarray:
    """Leave-one-station-out IDW predictions (days x stations; NaN where no value).

    Parameters
    ----------
    raw : ndarray (days, n)
        Values, NaN missing.
    exclude : bool ndarray (n, n), optional
        ``exclude[i, j]``: station ``j`` is withheld when predicting ``i`` (buffered
        leave-one-out); the diagonal is always withheld.
    """
    from scipy.spatial.distance import cdist

    d = cdist(xy, xy)
    with np.errstate(divide="ignore"):
        w = d ** (-power)
    w[np.diag_indices_from(w)] = 0.0
    if exclude is not None:
        w[exclude] = 0.0
    out = np.full(raw.shape, np.nan)
    for day, vals in enumerate(raw):
        ok = np.isfinite(vals)
        wd = w[np.ix_(ok, ok)]
        s = wd.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[day, ok] = np.where(s > 0, wd @ vals[ok] / s, np.nan)
    return out


def jackknife_factors(observed: np.ndarray, predicted: np.ndarray, level: float) -> tuple[float, float]:
    """Multiplicative interval factors from held-out log ratios ``log(obs / pred)``."""
    ok = np.isfinite(observed) & np.isfinite(predicted) & (observed > 0) & (predicted > 0)
    if ok.sum() < 10:
        return np.nan, np.nan
    r = np.log(observed[ok] / predicted[ok])
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(r, [a, 1.0 - a])
    return float(np.exp(lo)), float(np.exp(hi))
