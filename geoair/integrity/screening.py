"""Network-level screening: bunching below regulatory thresholds and suspicious time patterns.

Three tests per city and per station (a city pools its stations' station-days):

1. **Bunching at a threshold** (daily PM2.5 75 µg/m³, daily AQI 100): a manipulated series
   piles up just below the cutoff and thins just above it, so its density jumps down at
   the cutoff. :func:`mccrary_test` is the density-discontinuity test of McCrary (2008):
   histogram with the cutoff at a bin edge, local-linear fits of the bin heights on each
   side (triangular kernel, McCrary's bandwidth rule), ``theta = ln f+ - ln f-`` and its
   asymptotic standard error ``sqrt((1/(n h)) (24/5) (1/f+ + 1/f-))``. :func:`binomial_test`
   is the local-randomisation check of Cattaneo, Jansson & Ma (2020): within a narrow
   window around the cutoff, values should fall below and above with equal chance.
2. **Drops at fixed hours** (e.g. when inspectors are known to be away): the mean
   standardised residual at each hour of the day against the station's other hours, with
   day-to-day variability as the error (residuals 24 h apart are nearly independent); the
   lowest hour's t-statistic, Bonferroni-adjusted for 24 hours.
3. **Missing data in polluted hours**: an honest analyser fails regardless of the air; a
   station whose gaps fall where its neighbours say the air was bad (expected PM2.5 above
   75 µg/m³) hides exceedances. Two-proportion test of the missing rate in expected-polluted
   against expected-clean hours.

References
----------
McCrary, J. (2008), J. Econometrics 142:698; Cattaneo, M. D., Jansson, M. & Ma, X. (2020),
JASA 115:1449 (rddensity); Chen, Y., Jin, G. Z., Kumar, N. & Shi, G. (2012), B.E. J. Econ.
Anal. Policy 12(3); Ghanem, D. & Zhang, J. (2014), J. Environ. Econ. Manage. 68:203;
GB 3095-2012 (24-h PM2.5 grade II limit 75 µg/m³); HJ 633-2012 (AQI 100).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["mccrary_test", "binomial_test", "bunching_table", "hour_dips", "missing_when_polluted",
           "DensityTest"]


class DensityTest(dict):
    """Result of a density test: a dict with attribute access (``theta, se, z, p, ...``)."""

    __getattr__ = dict.get


def _bins(x: np.ndarray, cutoff: float, width: float):
    lo = cutoff - width * np.ceil((cutoff - x.min()) / width)
    hi = cutoff + width * np.ceil((x.max() - cutoff) / width + 1e-9)
    edges = np.arange(lo, hi + width / 2, width)
    counts, edges = np.histogram(x, bins=edges)
    mids = 0.5 * (edges[:-1] + edges[1:])
    return mids, counts / (len(x) * width)


def _side_bandwidth(xm: np.ndarray, y: np.ndarray) -> float:
    """McCrary's rule for one side: 3.348 [s^2 (range) / sum f''^2]^(1/5) from a quartic fit."""
    if len(xm) < 6:
        return np.nan
    coef = np.polyfit(xm, y, 4)
    resid = y - np.polyval(coef, xm)
    s2 = float(np.mean(resid**2))
    f2 = np.polyval(np.polyder(coef, 2), xm)
    denom = float(np.sum(f2**2))
    if denom <= 0 or s2 <= 0:
        return np.nan
    return 3.348 * (s2 * (xm.max() - xm.min()) / denom) ** 0.2


def _local_linear(xm: np.ndarray, y: np.ndarray, cutoff: float, h: float) -> float:
    w = np.clip(1.0 - np.abs(xm - cutoff) / h, 0.0, None)
    keep = w > 0
    if keep.sum() < 2:
        return np.nan
    X = np.c_[np.ones(keep.sum()), xm[keep] - cutoff]
    W = w[keep]
    beta = np.linalg.lstsq(X * np.sqrt(W)[:, None], y[keep] * np.sqrt(W), rcond=None)[0]
    return float(beta[0])


def mccrary_test(values, cutoff: float, *, bin_width: float | None = None,
                 bandwidth: float | None = None) -> DensityTest:
    """McCrary (2008) test of a jump in the density of ``values`` at ``cutoff``.

    Parameters
    ----------
    values : array-like
        E.g. daily PM2.5 means (µg/m³) or daily AQI. For integer-valued data pass the
        cutoff between two integers (100.5 for "AQI <= 100").
    cutoff : float
    bin_width : float, optional
        Default McCrary's ``2 sd n^(-1/2)``.
    bandwidth : float, optional
        Default McCrary's rule (average of the two sides' quartic-fit rules), capped at 40 %
        of the cutoff: pollution distributions are skewed, and a wide local-linear fit
        across their curvature biases ``theta`` (null rejection 10 % at nominal 5 % on
        log-normal daily means without the cap, 7 % with it; benchmarks/bench_integrity.py).

    Returns
    -------
    DensityTest
        ``theta`` (ln f+ - ln f-; negative = bunching below), ``se``, ``z``, ``p`` (two-sided),
        ``p_below`` (one-sided, density higher below), ``f_below``, ``f_above``, ``n``,
        ``bin_width``, ``bandwidth``. NaN when the data cannot support the test (fewer than
        50 values or no values on one side).
    """
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    n = len(x)
    out = DensityTest(theta=np.nan, se=np.nan, z=np.nan, p=np.nan, p_below=np.nan, f_below=np.nan,
                      f_above=np.nan, n=n, bin_width=np.nan, bandwidth=np.nan)
    if n < 50 or (x < cutoff).sum() < 10 or (x >= cutoff).sum() < 10:
        return out
    b = bin_width or 2.0 * np.std(x) / np.sqrt(n)
    xm, y = _bins(x, cutoff, b)
    left, right = xm < cutoff, xm > cutoff
    sides = np.array([_side_bandwidth(xm[left], y[left]), _side_bandwidth(xm[right], y[right])])
    h = bandwidth or (float(np.mean(sides[np.isfinite(sides)])) if np.isfinite(sides).any() else np.nan)
    if not np.isfinite(h) or h <= b:
        h = 10.0 * b
    if bandwidth is None:
        h = min(h, 0.4 * abs(cutoff)) if cutoff else h  # limit curvature bias of skewed data
    f_lo, f_hi = _local_linear(xm[left], y[left], cutoff, h), _local_linear(xm[right], y[right], cutoff, h)
    if not (np.isfinite(f_lo) and np.isfinite(f_hi)):
        return DensityTest(out, bin_width=b, bandwidth=h)
    # an emptied side (all values just above the cutoff moved below) is the strongest
    # bunching, not a failure: floor each side at half an observation within the bandwidth
    floor = 0.5 / (n * h)
    f_lo, f_hi = max(f_lo, floor), max(f_hi, floor)
    from scipy.stats import norm

    theta = np.log(f_hi) - np.log(f_lo)
    se = np.sqrt((1.0 / (n * h)) * (24.0 / 5.0) * (1.0 / f_hi + 1.0 / f_lo))
    z = theta / se
    return DensityTest(theta=theta, se=se, z=z, p=2 * norm.sf(abs(z)), p_below=norm.cdf(z),
                       f_below=f_lo, f_above=f_hi, n=n, bin_width=b, bandwidth=h)


def binomial_test(values, cutoff: float, *, window: float | None = None, min_n: int = 50) -> DensityTest:
    """Local-randomisation test: as many values just below ``cutoff`` as just above.

    Parameters
    ----------
    values : array-like
    cutoff : float
    window : float, optional
        Half-width of the window; default the smallest of 1, 2, 3, 5, 8, 10, 15, 20 % of the
        cutoff holding at least ``min_n`` values.
    min_n : int

    Returns
    -------
    DensityTest
        ``n_below, n_above, window, p_below`` (one-sided binomial, more values below) and
        ``p`` (two-sided).
    """
    from scipy.stats import binomtest

    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    widths = [window] if window else [cutoff * f for f in (0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2)]
    for w in widths:
        below = int(((x >= cutoff - w) & (x < cutoff)).sum())
        above = int(((x >= cutoff) & (x < cutoff + w)).sum())
        if below + above >= min_n or w == widths[-1]:
            break
    if below + above == 0:
        return DensityTest(n_below=0, n_above=0, window=w, p_below=np.nan, p=np.nan)
    return DensityTest(n_below=below, n_above=above, window=w,
                       p_below=binomtest(below, below + above, 0.5, alternative="greater").pvalue,
                       p=binomtest(below, below + above, 0.5).pvalue)


def bunching_table(daily: pd.DataFrame, *, column: str, cutoff: float, by: str = "city",
                   min_n: int = 50) -> pd.DataFrame:
    """McCrary and binomial tests of one daily column at one cutoff, per group.

    Parameters
    ----------
    daily : DataFrame
        One row per station-day with ``column`` and ``by`` (e.g. ``city``).
    column : str
        E.g. ``"pm25"`` (daily mean, µg/m³) or ``"aqi"``.
    cutoff : float
        E.g. 75 or 100.5 (integer AQI: "<= 100").
    by : str
        Grouping column; ``None`` tests the whole table as one group (``"all"``).
    min_n : int
        Groups with fewer values get NaN statistics.

    Returns
    -------
    DataFrame
        ``group, indicator, cutoff, n, theta, se, z, p, p_below, n_below, n_above, window,
        p_binomial_below`` sorted by ``p_below``.
    """
    rows = []
    groups = [("all", daily)] if by is None else daily.groupby(by, dropna=True)
    for key, part in groups:
        x = pd.to_numeric(part[column], errors="coerce").to_numpy(float)
        m = mccrary_test(x, cutoff) if np.isfinite(x).sum() >= min_n else mccrary_test([], cutoff)
        bt = binomial_test(x, cutoff)
        rows.append({"group": key, "indicator": column, "cutoff": cutoff, "n": int(np.isfinite(x).sum()),
                     "theta": m.theta, "se": m.se, "z": m.z, "p": m.p, "p_below": m.p_below,
                     "n_below": bt.n_below, "n_above": bt.n_above, "window": bt.window,
                     "p_binomial_below": bt.p_below})
    cols = ["group", "indicator", "cutoff", "n", "theta", "se", "z", "p", "p_below", "n_below",
            "n_above", "window", "p_binomial_below"]
    return pd.DataFrame(rows, columns=cols).sort_values("p_below", ignore_index=True)


def hour_dips(z: np.ndarray, hours: np.ndarray) -> pd.DataFrame:
    """Hour of the day at which each station's residual is lowest, with its t-statistic.

    Parameters
    ----------
    z : ndarray (T, S)
        Standardised residuals.
    hours : ndarray (T,)
        Hour of the day (0-23) of each row.

    Returns
    -------
    DataFrame
        One row per station column: ``dip_hour``, ``dip_mean`` (mean z at that hour minus the
        station's mean), ``dip_t``, ``dip_p`` (one-sided, x24 Bonferroni, capped at 1).
    """
    from scipy.stats import norm

    n_s = z.shape[1]
    mean_h = np.full((24, n_s), np.nan)
    t_h = np.full((24, n_s), np.nan)
    ok = np.isfinite(z)
    with np.errstate(all="ignore"):
        overall = np.where(ok, z, 0.0).sum(axis=0) / ok.sum(axis=0)
    for h in range(24):
        block = z[hours == h]
        okb = np.isfinite(block)
        n = okb.sum(axis=0)
        with np.errstate(all="ignore"):
            mb = np.where(okb, block, 0.0).sum(axis=0) / n
            m = mb - overall
            sd = np.sqrt(np.where(okb, (block - mb) ** 2, 0.0).sum(axis=0) / (n - 1))
            mean_h[h] = np.where(n >= 5, m, np.nan)
            t_h[h] = np.where(n >= 5, m / (sd / np.sqrt(n)), np.nan)
    any_t = np.isfinite(t_h).any(axis=0)
    dip = np.where(any_t, np.nanargmin(np.where(np.isfinite(t_h), t_h, np.inf), axis=0), -1)
    cols = np.arange(n_s)
    t_min = np.where(any_t, t_h[np.maximum(dip, 0), cols], np.nan)
    return pd.DataFrame({"dip_hour": dip, "dip_mean": np.where(any_t, mean_h[np.maximum(dip, 0), cols], np.nan),
                         "dip_t": t_min, "dip_p": np.minimum(24 * norm.cdf(t_min), 1.0)})


def missing_when_polluted(values: np.ndarray, expected: np.ndarray, *, threshold: float = 75.0) -> pd.DataFrame:
    """Missing-data rate in hours the neighbours say were polluted, against clean hours.

    Parameters
    ----------
    values : ndarray (T, S)
        The station's readings (NaN missing).
    expected : ndarray (T, S)
        Expected concentration from the neighbours (µg/m³; NaN when unknown).
    threshold : float
        Polluted when expected > threshold (µg/m³; default the 24-h PM2.5 limit).

    Returns
    -------
    DataFrame
        ``missing_polluted, missing_clean`` (rates), ``n_polluted, n_clean`` (hours),
        ``missing_ratio`` and ``missing_p`` (one-sided two-proportion z-test, polluted > clean).
    """
    from scipy.stats import norm

    known = np.isfinite(expected)
    pol = known & (expected > threshold)
    cln = known & (expected <= threshold)
    miss = ~np.isfinite(values)
    n1, n0 = pol.sum(axis=0), cln.sum(axis=0)
    m1, m0 = (miss & pol).sum(axis=0), (miss & cln).sum(axis=0)
    with np.errstate(all="ignore"):
        r1, r0 = m1 / n1, m0 / n0
        pooled = (m1 + m0) / (n1 + n0)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        z = (r1 - r0) / se
        p = np.where((n1 >= 10) & (n0 >= 10) & (se > 0), norm.sf(z), np.nan)
        ratio = np.where(r0 > 0, r1 / r0, np.where(r1 > 0, np.inf, np.nan))
    return pd.DataFrame({"missing_polluted": r1, "missing_clean": r0, "n_polluted": n1, "n_clean": n0,
                         "missing_ratio": ratio, "missing_p": p})
