"""Temporal variation: mean by hour, weekday, month and weekday x hour with confidence intervals.

References
----------
Carslaw, D. C. & Ropkins, K. (2012). openair. *Environ. Model. Softw.* 27-28, 52-61
(``timeVariation``: means with bootstrap 95 % intervals of the mean, B = 100).
Efron, B. & Tibshirani, R. (1993). *An Introduction to the Bootstrap*, ch. 13 (percentile
intervals).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option, require_columns
from ..schema import attach_units, value_unit
from ._prep import time_column

__all__ = ["time_variation"]

_PANELS = ("hour", "weekday", "month", "hour_weekday")


def _boot_ci(z: np.ndarray, groups: np.ndarray, ngroups: int, B: int, conf: float, rng):
    """Percentile bootstrap interval of the group means (resampling within each group).

    Each replicate draws n indices per group with replacement; with group-sorted data the
    draws are offsets inside each group's block, so all groups are resampled at once.
    """
    order = np.argsort(groups, kind="stable")
    zs = z[order]
    gs = groups[order]
    counts = np.bincount(gs, minlength=ngroups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    lower = np.full(ngroups, np.nan)
    upper = np.full(ngroups, np.nan)
    if zs.size == 0:
        return lower, upper
    reps = np.empty((B, ngroups))
    cnt_row = counts[gs]
    start_row = starts[gs]
    for b in range(B):
        idx = start_row + np.floor(rng.random(zs.size) * cnt_row).astype(np.int64)
        s = np.bincount(gs, weights=zs[idx], minlength=ngroups)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps[b] = s / counts
    a = (1 - conf) / 2
    ok = counts > 0
    lower[ok] = np.quantile(reps[:, ok], a, axis=0)
    upper[ok] = np.quantile(reps[:, ok], 1 - a, axis=0)
    return lower, upper


def time_variation(
    data: pd.DataFrame,
    pollutant: str | Sequence[str],
    *,
    time: str | None = None,
    statistic: str = "mean",
    conf_int: float = 0.95,
    B: int = 100,
    ci: str = "bootstrap",
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Mean concentration by hour of day, weekday, month and weekday x hour (openair ``timeVariation``).

    Parameters
    ----------
    data : DataFrame
        With a time column (``time`` or ``date``; its own time zone is used for the clock) and
        the pollutant column(s).
    pollutant : str or list of str
        Pollutant column(s).
    time : str, optional
        Time column name.
    statistic : {"mean"}
        Only the mean is implemented (openair's default).
    conf_int : float
        Confidence level of the intervals (default 0.95).
    B : int
        Bootstrap replicates (openair: 100).
    ci : {"bootstrap", "t"}
        ``bootstrap``: percentile bootstrap of the mean, as openair (random; seeded by
        ``random_state``); ``t``: Student-t interval mean +- t * sd / sqrt(n) (deterministic).
    random_state : int, optional
        Seed for the bootstrap.

    Returns
    -------
    DataFrame
        Tidy: ``panel`` (hour, weekday, month, hour_weekday), ``pollutant``, ``hour`` (0-23),
        ``weekday`` (1 = Monday ... 7 = Sunday), ``month`` (1-12) where relevant, ``mean``,
        ``lower``, ``upper`` (pollutant units) and ``n``.
    """
    check_option("statistic", statistic, ["mean"])
    check_option("ci", ci, ["bootstrap", "t"])
    pols = [pollutant] if isinstance(pollutant, str) else list(pollutant)
    tcol = time_column(data, time)
    if tcol is None:
        raise GeoairInputError("time_variation needs a time column.",
                               received=list(map(str, data.columns))[:20],
                               fix="Add a 'time' (or 'date') column or pass time=.")
    require_columns(data, pols, what="data")
    t = data[tcol]
    if not pd.api.types.is_datetime64_any_dtype(t):
        t = pd.to_datetime(t, utc=True)
    hour = t.dt.hour.to_numpy()
    wday = t.dt.day_of_week.to_numpy() + 1
    month = t.dt.month.to_numpy()
    rng = np.random.default_rng(random_state)
    log = DropLog()
    frames = []
    for pol in pols:
        z = pd.to_numeric(data[pol], errors="coerce").to_numpy(float)
        ok = np.isfinite(z) & ~pd.isna(t).to_numpy()
        if (~ok).any():
            log.add(f"missing {pol} or time", np.flatnonzero(~ok), column=pol)
        for panel in _PANELS:
            g, ng, keys = _panel_groups(panel, hour, wday, month)
            mean, lo, hi, n = _group_stats(g[ok], z[ok], ng, ci, B, conf_int, rng)
            frames.append(pd.DataFrame({"panel": panel, "pollutant": pol, **keys, "mean": mean,
                                        "lower": lo, "upper": hi, "n": n}))
    cols = ["panel", "pollutant", "hour", "weekday", "month", "mean", "lower", "upper", "n"]
    out = pd.concat(frames, ignore_index=True).reindex(columns=cols) if frames else pd.DataFrame(columns=cols)
    for c in ("hour", "weekday", "month"):
        out[c] = out[c].astype("Int64")
    out.attrs = {"droplog": log, "params": {"conf_int": conf_int, "B": B, "ci": ci,
                                            "random_state": random_state, "time_column": tcol}}
    conc = value_unit(pols)
    return attach_units(out, {"hour": "hour of day (local time)", "weekday": "day of week (1 = Monday)",
                              "month": "month (1-12)", "mean": conc, "lower": conc, "upper": conc,
                              "n": "count"})


def _panel_groups(panel: str, hour, wday, month):
    """Group index of each row, number of groups and the key columns of a panel."""
    if panel == "hour":
        return hour, 24, {"hour": np.arange(24)}
    if panel == "weekday":
        return wday - 1, 7, {"weekday": np.arange(1, 8)}
    if panel == "month":
        return month - 1, 12, {"month": np.arange(1, 13)}
    keys = {"weekday": np.repeat(np.arange(1, 8), 24), "hour": np.tile(np.arange(24), 7)}
    return (wday - 1) * 24 + hour, 168, keys


def _group_stats(gz, zz, ng: int, ci: str, B: int, conf_int: float, rng):
    """Mean, interval and count per group (bootstrap percentile or Student t)."""
    n = np.bincount(gz, minlength=ng)
    s = np.bincount(gz, weights=zz, minlength=ng)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n
    if ci == "bootstrap":
        lo, hi = _boot_ci(zz, gz, ng, B, conf_int, rng)
        return mean, lo, hi, n
    from scipy import stats

    ss = np.bincount(gz, weights=zz * zz, minlength=ng)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (ss - n * mean**2) / (n - 1)
        half = stats.t.ppf(0.5 + conf_int / 2, np.maximum(n - 1, 1)) * np.sqrt(var / n)
    return mean, mean - half, mean + half, n
