"""Which weather record each draw hands each output period: rmweather's or a seasonal window.

A *draw* for output period ``u`` (an hour, a day, ...) is a pair of rows: the *held* row, a
random timestamp inside ``u`` that gives the trend term (and, for ``sampling="window"``, the
calendar terms), and the *donor* row whose weather (and, for ``sampling="whole"``, calendar)
overwrites the resampled columns - every resampled column from the same donor, as in
rmweather's ``rmw_normalise`` where one index vector overwrites them all.

* ``sampling="whole"`` (Grange et al. 2018, rmweather): donors from the whole record, all
  predictors except the trend resampled. The normalised series has no diurnal or seasonal cycle.
* ``sampling="window"`` (Vu et al. 2019; openair's deweather "constrained"): donors within
  ``± days`` of the held row's day of year (circular) and ``± hours`` of its hour of day, in any
  year; only meteorology resampled. The normalised series keeps the seasonal and diurnal cycles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import check_option

RESOLUTIONS = {"h": "h", "D": "D", "W": "W-SUN", "M": "M"}
_KEY = 2000  # > 3 x 366: room for the day-of-year copies shifted by -366 and +366


def period_codes(time: pd.DatetimeIndex, resolution: str):
    """Integer period of every (sorted) timestamp and the periods' start times (tz kept).

    Periods are taken on the local wall clock (``Asia/Shanghai`` days for station data).
    """
    check_option("resolution", resolution, tuple(RESOLUTIONS))
    local = time.tz_localize(None) if time.tz is not None else time
    per = local.to_period(RESOLUTIONS[resolution])
    codes, uniques = pd.factorize(per, sort=True)
    start = pd.PeriodIndex(uniques).start_time
    if time.tz is not None:
        start = start.tz_localize(time.tz)
    return codes.astype(np.int64), pd.DatetimeIndex(start)


def held_rows(codes: np.ndarray, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_periods, n_samples)`` random rows inside each period (rows sorted by period)."""
    n = int(codes.max()) + 1 if codes.size else 0
    starts = np.searchsorted(codes, np.arange(n))
    counts = np.bincount(codes, minlength=n)
    offs = (rng.random((n, n_samples)) * counts[:, None]).astype(np.int64)
    return starts[:, None] + offs


def donor_rows(held: np.ndarray, pool: np.ndarray, rng: np.random.Generator, *,
               sampling: str = "whole", hour=None, doy=None, window=(14, 0)):
    """Donor rows for the held rows; returns ``(donors, n_fallback)``.

    With ``sampling="window"``, a held row whose window holds no donor takes one from the whole
    record instead; ``n_fallback`` counts those draws.
    """
    check_option("sampling", sampling, ("whole", "window"))
    whole = pool[rng.integers(0, pool.size, size=held.shape)]
    if sampling == "whole":
        return whole, 0
    days, hours = int(window[0]), int(window[1])
    ph, pd_ = hour[pool], doy[pool]
    keys = np.concatenate([ph * _KEY + pd_ + s for s in (0, 366, 732)])
    rows = np.concatenate([pool, pool, pool])
    order = np.argsort(keys, kind="stable")
    keys, rows = keys[order], rows[order]
    off = rng.integers(-hours, hours + 1, size=held.shape) if hours else 0
    h = np.mod(hour[held] + off, 24)
    centre = h * _KEY + doy[held] + 366
    lo = np.searchsorted(keys, centre - days, side="left")
    hi = np.searchsorted(keys, centre + days, side="right")
    size = hi - lo
    pick = lo + (rng.random(held.shape) * size).astype(np.int64)
    empty = size == 0
    donors = np.where(empty, whole, rows[np.minimum(pick, rows.size - 1)])
    return donors, int(empty.sum())
