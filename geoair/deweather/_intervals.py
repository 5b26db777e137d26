"""Intervals of normalised values: cross-fitted model spread plus Monte-Carlo error.

The normalised value of a period is the mean of ``n_samples`` predictions; draw ``d`` is
predicted by fold model ``k = d mod K`` (each of the ``K`` models was trained without one fold
of time blocks). Two sources of uncertainty are combined:

* **model**: the grouped (delete-a-group) jackknife over the ``K`` fold models,
  ``v_model = (K-1)/K * sum_k (m_k - m)^2`` (Efron & Tibshirani 1993, ch. 11; Shao & Tu 1995
  §2.3 for delete-d), where ``m_k`` is the value computed from model ``k``'s draws alone. The
  Monte-Carlo noise of the ``m_k`` is subtracted from the sum of squares first
  (``E[sum_k (e_k - e)^2] = (1 - 1/K) sum_k var(e_k)``), floored at zero;
* **Monte Carlo**: the resampling error of the mean over draws, ``s^2 / n`` with ``s^2`` the
  within-model variance of the draws.

The interval is ``m ± t_{K-1} sqrt(v_model + v_mc)``. What it does not include: error in the
meteorological inputs, the choice of predictors, and the structural bias of weather
normalisation when emissions and weather change together (see ``docs/methods/deweather.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Estimate:
    """A normalised quantity: value, per-model values and Monte-Carlo variances."""

    value: np.ndarray
    members: np.ndarray  # (K, ...) per-model values
    mc: np.ndarray  # MC variance of value
    mc_members: np.ndarray  # (K, ...) MC variance of each member value

    def interval(self, level: float = 0.95):
        """``(lower, upper, se)`` at confidence ``level``."""
        from scipy.stats import t

        k = self.members.shape[0]
        dev = self.members - self.members.mean(axis=0)
        ss = np.sum(dev**2, axis=0) - (1.0 - 1.0 / k) * np.sum(self.mc_members, axis=0)
        v = (k - 1) / k * np.maximum(ss, 0.0) + self.mc
        se = np.sqrt(v)
        q = t.ppf(0.5 + level / 2.0, max(k - 1, 1))
        return self.value - q * se, self.value + q * se, se


def period_estimate(members: np.ndarray, draw_var: np.ndarray, n_k: np.ndarray,
                    weights: np.ndarray | None = None) -> Estimate:
    """Per-period estimates (``weights=None``) or their weighted mean (weights over periods).

    Parameters
    ----------
    members : ndarray, shape (K, U)
        Mean prediction of each fold model's draws in each period.
    draw_var : ndarray, shape (U,)
        Within-model variance of the draws in each period.
    n_k : ndarray, shape (K,)
        Draws per period given to each model.
    weights : ndarray, shape (U,), optional
        Non-negative weights (normalised here); NaN periods get no weight.
    """
    nk = np.asarray(n_k, dtype=float)
    share = nk / nk.sum()
    if weights is None:
        value = np.tensordot(share, members, axes=1)
        mc_k = draw_var[None, :] / nk[:, None]
        return Estimate(value, members, draw_var / nk.sum(), mc_k)
    w = np.where(np.isfinite(members).all(axis=0), np.asarray(weights, dtype=float), 0.0)
    total = w.sum()
    if total <= 0:
        nan = np.full(members.shape[0], np.nan)
        return Estimate(np.float64(np.nan), nan, np.float64(np.nan), nan)
    w = w / total
    m = np.nan_to_num(members)
    s2 = np.nan_to_num(draw_var)
    est_k = m @ w
    mc_k = np.sum(w**2 * s2) / nk
    return Estimate(np.float64(share @ est_k), est_k, np.float64(np.sum(w**2 * s2) / nk.sum()),
                    mc_k)


def combine(a: Estimate, b: Estimate, how: str) -> Estimate:
    """``b - a`` (``"diff"``) or ``100 (b / a - 1)`` (``"pct"``), errors propagated.

    The draws of the two estimates are independent, so Monte-Carlo variances add (delta method
    for the ratio); the jackknife works on the per-model differences or ratios.
    """
    if how == "diff":
        return Estimate(b.value - a.value, b.members - a.members, a.mc + b.mc,
                        a.mc_members + b.mc_members)
    with np.errstate(invalid="ignore", divide="ignore"):
        val = 100.0 * (b.value / a.value - 1.0)
        mem = 100.0 * (b.members / a.members - 1.0)
        mc = 1e4 * (b.mc / a.value**2 + (b.value / a.value**2) ** 2 * a.mc)
        mck = 1e4 * (b.mc_members / a.members**2 + (b.members / a.members**2) ** 2 * a.mc_members)
    return Estimate(val, mem, mc, mck)


def mean_of(estimates: list[Estimate]) -> Estimate:
    """Equal-weight mean of estimates from independent draws (e.g. the stations of a city).

    Member ``k`` of the mean is the mean of the members ``k``; models of different stations
    with the same fold hold out the same weeks, so their errors are paired, not pooled.
    """
    n = len(estimates)
    return Estimate(
        sum(e.value for e in estimates) / n,
        sum(e.members for e in estimates) / n,
        sum(e.mc for e in estimates) / n**2,
        sum(e.mc_members for e in estimates) / n**2,
    )
