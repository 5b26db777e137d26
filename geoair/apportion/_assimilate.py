"""Regional background and the hourly update of the plume prior by the observations.

The plume model (the stacked physics library) gives a *prior* for every category's hourly
contribution at every station. Each station-hour's observations then update it, as in a
Kalman analysis step (Gaussian prior, linear observations; Kalman 1960, Rodgers 2000 §2):

    z = A c + e,   c ~ N(prior, diag(var_prior)),   e ~ N(0, diag(var_obs))

with ``z`` the local increments above the regional background of PM2.5 and of the tracers
(PM10, SO2, NO2, CO), ``A`` the ratios of each tracer to PM2.5 per category (PM2.5 row all
ones; tracer rows estimated within bounds around the prior signatures), ``var_prior =
(prior_sd x prior)² + bootstrap variance + floor²`` and ``var_obs`` from a noise model fitted to
the residuals. The posterior mean (clipped at zero) is the hourly contribution and the
posterior variance its uncertainty. The update corrects magnitudes where the observations are
informative (large local increments) and leaves the prior where they are not.

The regional background is one value per station group (city) and hour: a robust centre
(median) over the group's stations of what the local terms leave, smoothed in time and never
negative. Local terms are identified only from between-station differences: a source that
raises every station of a group equally cannot be told from the regional background.

References
----------
- Kalman, R.E. (1960) J. Basic Eng. 82:35; Rodgers, C.D. (2000) *Inverse Methods for
  Atmospheric Sounding*, World Scientific (linear-Gaussian optimal estimation).
- Lenschow, P. et al. (2001) Atmos. Environ. 35(S1):S23 (regional / urban / local increments).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["regional_field", "regional_spread", "festival_excess", "NoiseModel", "noise_model", "group_level",
           "tracer_ratios", "posterior", "innovation_spread"]


def _group_median(values: np.ndarray, mask: np.ndarray, cluster: np.ndarray) -> pd.DataFrame:
    """Median over each group's valid stations, per hour: a (n_groups, T) frame (NaN = none)."""
    frame = pd.DataFrame(np.where(mask, values, np.nan))
    return frame.groupby(cluster).median()


def regional_field(resid: np.ndarray, mask: np.ndarray, cluster: np.ndarray, smooth_h: int = 3,
                   raw: bool = False) -> np.ndarray:
    """Per group and hour: median over stations of ``resid``, smoothed, never negative.

    Parameters
    ----------
    resid : ndarray (S, T)
        Observations minus the local terms.
    mask : bool ndarray (S, T)
    cluster : int ndarray (S,)
    smooth_h : int
        Centred running-median window (hours).
    raw : bool
        Return the unsmoothed (but gap-filled, non-negative) series.

    Returns
    -------
    ndarray (S, T)
    """
    med = _group_median(resid, mask, cluster).T  # hours x groups
    med = med.interpolate(limit_direction="both").fillna(0.0)
    if not raw and smooth_h > 1:
        med = med.rolling(int(smooth_h), center=True, min_periods=1).median()
    out = np.maximum(med.to_numpy().T, 0.0)  # groups x hours, groups in sorted order
    return out[np.searchsorted(med.columns.to_numpy(), cluster)]


def group_level(values: np.ndarray, mask: np.ndarray, cluster: np.ndarray, floor_frac: float = 0.05) -> np.ndarray:
    """Typical level of each station-hour: the median over its group's valid stations that hour.

    The weights of a regression on noisy values must not depend on each row's own value: a
    weight ``1 / y²`` gives the rows whose noise (or whose unexplained local part) is positive
    less weight, and biases the fitted slopes downwards. The group-hour median is a level
    shared by the group's stations (the same rule as the PM2.5 rows of the stacking,
    :func:`geoair.apportion._solver.hourly_weights`); in groups of fewer than three stations,
    where that median is (nearly) the row's own value, its centred 24-hour running median.
    Hours without data take the nearest hour's level; the level is at least ``floor_frac`` x
    the overall median.

    Returns
    -------
    ndarray (S, T)
    """
    med = _group_median(values, mask, cluster).T  # hours x groups
    med = med.interpolate(limit_direction="both")
    small = np.bincount(cluster)[med.columns.to_numpy()] < 3
    if small.any():
        med.loc[:, small] = med.loc[:, small].rolling(24, center=True, min_periods=1).median()
    overall = float(np.median(values[mask])) if mask.any() else 1.0
    floor = max(floor_frac * abs(overall), 1e-9)
    out = np.maximum(med.fillna(floor).to_numpy().T, floor)
    return out[np.searchsorted(med.columns.to_numpy(), cluster)]


def regional_spread(resid: np.ndarray, mask: np.ndarray, cluster: np.ndarray, smooth_h: int = 24) -> np.ndarray:
    """Variance of the regional estimate: the spread over a group's stations of what is left.

    Per group and hour, (1.4826 x median absolute deviation)² over stations of ``resid``
    (observations minus local terms minus the regional value), smoothed over ``smooth_h``
    hours: how far a station's own background can be from the group's. Groups with one
    station get NaN (the caller falls back to the noise model).
    """
    med = _group_median(resid, mask, cluster)
    groups = med.index.to_numpy()
    dev = np.abs(np.where(mask, resid, np.nan) - med.to_numpy()[np.searchsorted(groups, cluster)])
    mad = _group_median(dev, mask, cluster).T
    var = ((1.4826 * mad) ** 2).interpolate(limit_direction="both")
    var = var.rolling(int(smooth_h), center=True, min_periods=1).median().to_numpy().T.copy()
    small = np.bincount(cluster)[groups] < 3
    var[small] = np.nan
    return var[np.searchsorted(groups, cluster)]


def festival_excess(regional: np.ndarray, festival: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split a regional series into a baseline and the excess on fireworks nights.

    During festival hours the baseline is interpolated linearly across the night from the
    hours around it; the excess above it (never negative) is the network-wide fireworks
    contribution (fireworks are let off everywhere, so between-station differences cannot
    see them).

    Returns
    -------
    baseline, excess : ndarrays like ``regional``
    """
    if not festival.any():
        return regional, np.zeros_like(regional)
    base = regional.copy()
    idx = np.arange(regional.shape[1])
    keep = ~festival
    if keep.sum() < 2:
        return regional, np.zeros_like(regional)
    for s in range(regional.shape[0]):
        base[s, festival] = np.interp(idx[festival], idx[keep], regional[s, keep])
    excess = np.where(festival[None, :], np.maximum(regional - base, 0.0), 0.0)
    return np.minimum(base, regional), excess


@dataclass
class NoiseModel:
    """Observation-error model: variance ``a * value² + b`` for each observed quantity."""

    a: dict
    b: dict

    def var(self, name: str, value: np.ndarray) -> np.ndarray:
        return self.a[name] * np.maximum(value, 0.0) ** 2 + self.b[name]


def noise_model(resid: dict, level: dict, masks: dict, rel_floor: float = 0.05) -> NoiseModel:
    """Fit ``resid² ≈ a level² + b`` per quantity by non-negative least squares.

    Squared residuals above their 99th percentile are clipped (a few spikes should not set
    the noise level); ``a`` is at least ``rel_floor²``.
    """
    from scipy.optimize import nnls

    a, b = {}, {}
    for k, r in resid.items():
        m = masks[k] & np.isfinite(r)
        if m.sum() < 10:
            a[k], b[k] = 0.25**2, 1.0
            continue
        rr = r[m] ** 2
        rr = np.minimum(rr, np.quantile(rr, 0.99))
        lv = level[k][m]
        scale = max(float(np.median(lv)), 1e-9)
        coef, _ = nnls(np.column_stack([(lv / scale) ** 2, np.ones_like(lv)]), rr / scale**2)
        a[k] = max(coef[0], rel_floor**2)
        b[k] = max(coef[1] * scale**2, 1e-6 * scale**2)
    return NoiseModel(a, b)


def tracer_ratios(contrib: np.ndarray, incr: np.ndarray, mask: np.ndarray, level: np.ndarray,
                  lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Ratios of a tracer to PM2.5 per category by bounded weighted least squares.

    ``incr ≈ contrib @ ratio`` over valid station-hours, weights ``1 / level²``, each ratio
    within ``[lower, upper]`` (scipy's bounded least squares, Branch et al. 1999). ``level``
    must not depend on the row's own observation (:func:`group_level`): weights ``1 / incr²``
    or ``1 / observed²`` favour the rows whose noise is negative and bias the ratios low.

    Parameters
    ----------
    contrib : ndarray (S, T, C)
        Current PM2.5 contributions of the categories.
    incr : ndarray (S, T)
        Tracer increment above its regional background.
    """
    from scipy.optimize import lsq_linear

    if mask.sum() < 10 or contrib.shape[-1] == 0:
        return 0.5 * (lower + upper)
    w = 1.0 / np.maximum(level[mask], 1e-9)
    a = contrib[mask] * w[:, None]
    b = incr[mask] * w
    live = (a != 0).any(axis=0)
    out = np.clip(0.5 * (lower + upper), lower, upper)  # categories without contributions keep a prior
    if not live.any():
        return out
    a = a[:, live]
    scale = np.maximum(np.sqrt((a**2).mean(axis=0)), 1e-12)
    g = (a / scale).T @ (a / scale)
    h = (a / scale).T @ b
    # the same bounded least squares on the Cholesky factor of the (small) normal equations
    r = np.linalg.cholesky(g + 1e-10 * np.trace(g) * np.eye(g.shape[0]) + 1e-300).T
    q = np.linalg.solve(r.T, h)
    res = lsq_linear(r, q, bounds=(lower[live] * scale, np.maximum(upper[live], lower[live] + 1e-12) * scale))
    out[live] = res.x / scale
    return out


def posterior(prior: np.ndarray, var_prior: np.ndarray, ratios: np.ndarray, incr: np.ndarray,
              var_obs: np.ndarray, chunk: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian update of the category contributions of every station-hour.

    Parameters
    ----------
    prior, var_prior : ndarray (S, T, C)
    ratios : ndarray (k, C)
        Observation operator: row 0 PM2.5 (ones), then one row per tracer.
    incr : ndarray (S, T, k)
        Observed increments above the regional backgrounds (0 where missing).
    var_obs : ndarray (S, T, k)
        Their error variances (a huge value where missing: no information).

    Returns
    -------
    post : ndarray (S, T, C), clipped at zero
    pvar : ndarray (S, T, C), posterior variances
    """
    S, T, C = prior.shape
    k = ratios.shape[0]
    p = prior.reshape(-1, C)
    vp = var_prior.reshape(-1, C)
    z = incr.reshape(-1, k)
    ve = var_obs.reshape(-1, k)
    post = np.empty_like(p)
    pvar = np.empty_like(p)
    eye = np.eye(k)
    for i0 in range(0, p.shape[0], chunk):
        sl = slice(i0, i0 + chunk)
        av = ratios[None, :, :] * vp[sl][:, None, :]  # (n, k, C): A diag(var)
        m = av @ ratios.T + ve[sl][:, :, None] * eye  # A Sigma A' + R
        minv = np.linalg.inv(m)
        innov = z[sl] - p[sl] @ ratios.T
        gain_t = minv @ av  # (n, k, C) = M^-1 A Sigma
        post[sl] = p[sl] + (innov[:, None, :] @ gain_t)[:, 0, :]
        q = (av * gain_t).sum(axis=1)  # diag(Sigma A' M^-1 A Sigma)
        pvar[sl] = np.maximum(vp[sl] - q, 0.0)
    return np.maximum(post, 0.0).reshape(S, T, C), pvar.reshape(S, T, C)


def innovation_spread(prior: np.ndarray, var_prior: np.ndarray, incr: np.ndarray, var_obs: np.ndarray,
                      mask: np.ndarray) -> float:
    """Robust standard deviation of the normalised PM2.5 innovations of the hourly update.

    The innovation of a station-hour is its PM2.5 increment above the regional background minus
    the summed prior, ``d = z - sum_c prior_c``; the update predicts its variance as
    ``V = sum_c var_prior_c + var_obs``. Where the assumed errors are right, ``d / sqrt(V)`` has
    unit spread; on a run whose plume prior is better (or worse) than ``prior_sd`` assumes it is
    narrower (wider). This is the innovation consistency check of data assimilation (Desroziers
    et al. 2005; adaptive inflation, Li et al. 2009), taken robustly: ``median |d / sqrt(V)| /
    0.6745`` (1 for Gaussian innovations of unit variance).

    Parameters
    ----------
    prior, var_prior : ndarray (S, T, C)
    incr, var_obs : ndarray (S, T)
        PM2.5 increment above the regional background and its observation-error variance.
    mask : bool ndarray (S, T)
        Station-hours with a valid PM2.5.

    Returns
    -------
    float
        The spread (1.0 when fewer than 50 station-hours are valid).
    """
    if mask.sum() < 50:
        return 1.0
    nu = (incr - prior.sum(axis=2))[mask] / np.sqrt(var_prior.sum(axis=2)[mask] + var_obs[mask])
    return float(np.median(np.abs(nu)) / 0.6745)
