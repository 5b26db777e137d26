"""Flatlines (stuck or repeated values) and copies (a series equal to another station's or its own past).

Both are runs of an equality indicator: ``x_s(t) == x_s(t-1)`` for a flatline,
``x_s(t) == x_j(t - lag)`` for a copy. Honest integer-valued data repeat by chance, more at low
concentrations and in calm weather, and repeats cluster. The chance of a run is therefore
taken from a two-state Markov chain of the indicator, by concentration band:

    P(run of m equal pairs) = q01 * q11^(m - 1)

with ``q01`` the probability of an equality after an inequality and ``q11`` of an equality
after an equality. Both are estimated from the rest of the network per band, then for the
station (or pair and lag) with that value as a prior (weights :data:`PRIOR_WEIGHT`), leaving
the run itself out, so a long injected run cannot make itself look ordinary. The p-value is
Bonferroni-adjusted for the number of places a run could start (hours x partners x lags) and
expressed on the same normal-quantile scale as the residual scan.

References
----------
Kaffashzadeh, N. (2023), Atmos. Meas. Tech. 16:3085 (probabilistic constant-value tests);
Wu, H. et al. (2018), Adv. Atmos. Sci. 35:1522 (low-variance outliers in CNEMC data);
research note ``integrity_methods.md`` §5 (lagged copies between station pairs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _runs_kernels as rk

__all__ = ["level_bands", "flatline_runs", "copy_runs", "BANDS", "PRIOR_WEIGHT",
           "NEIGHBOUR_LAGS", "OWN_LAGS"]

#: Upper band edges (µg/m³) of the concentration bands used for the chance of a repeat.
BANDS: dict[str, tuple[float, ...]] = {"pm25": (10, 20, 40, 80, 160), "pm10": (20, 40, 80, 160, 320)}
#: Prior weights (in transitions) of the network estimate in the station/pair estimate.
PRIOR_WEIGHT: tuple[float, float] = (200.0, 50.0)
#: Lags (h) tested for copies from a neighbour, and from the station's own past.
NEIGHBOUR_LAGS: tuple[int, ...] = (-3, -2, -1, 0, 1, 2, 3)
OWN_LAGS: tuple[int, ...] = (24, 48, 72, 96, 120, 144, 168)


def level_bands(x: np.ndarray, pollutant: str) -> np.ndarray:
    """Band index (0..len(BANDS)) of each value; -1 where missing."""
    edges = np.asarray(BANDS[pollutant], float)
    out = np.searchsorted(edges, np.nan_to_num(x, nan=0.0), side="right").astype(np.int64)
    return np.where(np.isfinite(x), out, -1)


def _previous_valid(x: np.ndarray, max_gap: int) -> np.ndarray:
    """Last valid value before each hour, looking back at most ``max_gap + 1`` hours."""
    prev = np.vstack([np.full((1, x.shape[1]), np.nan), x[:-1]])
    return pd.DataFrame(prev).ffill(limit=max_gap).to_numpy()


def _run_logp(runs: np.ndarray, counts: np.ndarray, level: np.ndarray) -> np.ndarray:
    """log P of each run under the shrunk Markov chain.

    The prior (network) estimate leaves the run's station out, and the station's own
    estimate leaves the run out, so that a long run cannot make itself look ordinary.
    """
    n_bands = counts.shape[-1]
    net = counts.sum(axis=(0, 1))  # (L, 4, bands)
    own = counts.sum(axis=1)  # (S, L, 4, bands)
    out = np.empty(len(runs))
    a01, a11 = PRIOR_WEIGHT
    for i, (s, k, li, a, b, m) in enumerate(runs):
        seg = level[a:b + 1, s]
        seg = seg[seg >= 0]
        band = int(np.median(seg)) if len(seg) else 0
        band = min(max(band, 0), n_bands - 1)
        others = net[li, :, band] - own[s, li, :, band]
        q01_net = (others[1] + 1.0) / (others[0] + 2.0)
        q11_net = (others[3] + 1.0) / (others[2] + 2.0)
        c = counts[s, k, li, :, band].copy()
        c[0] = max(c[0] - 1.0, 0.0)
        c[1] = max(c[1] - 1.0, 0.0)
        c[2] = max(c[2] - m, 0.0)
        c[3] = max(c[3] - (m - 1), 0.0)
        q01 = (c[1] + a01 * q01_net) / (c[0] + a01)
        q11 = (c[3] + a11 * q11_net) / (c[2] + a11)
        out[i] = np.log(q01) + (m - 1) * np.log(q11)
    return out


def _frame(runs, logp, n_tests, kind, pollutant, partner_codes, lags):
    return pd.DataFrame({
        "station": runs[:, 0], "start": runs[:, 3], "end": runs[:, 4], "n_equal": runs[:, 5],
        "logp": logp, "n_tests": n_tests, "kind": kind, "pollutant": pollutant,
        "partner": partner_codes, "lag": np.asarray(lags)[runs[:, 2]] if len(runs) else [],
    })


def flatline_runs(x: np.ndarray, pollutant: str, *, min_values: int = 6, max_gap: int = 3) -> pd.DataFrame:
    """Runs of one repeated value (stuck analyser, held value).

    Parameters
    ----------
    x : ndarray (T, S)
        Concentrations of one pollutant.
    pollutant : {"pm25", "pm10"}
    min_values : int
        Minimum number of equal valid values in a run.
    max_gap : int
        Missing hours allowed inside a run (the value after the gap must equal the one
        before it).

    Returns
    -------
    DataFrame
        ``station, start, end`` (column / row indices, inclusive: the first and last hour
        showing the value), ``n_equal`` (repeats), ``logp``, ``n_tests``, ``kind``
        (``"flatline"``), ``pollutant``, ``partner`` (-1), ``lag`` (1).
    """
    prev = _previous_valid(x, max_gap)
    self_nb = np.arange(x.shape[1], dtype=np.int64)[:, None]
    lags = np.zeros(1, dtype=np.int64)
    level = level_bands(x, pollutant)
    runs = rk.pair_runs(x, prev, self_nb, lags, max_gap, min_values - 1)
    counts = rk.pair_counts(x, prev, self_nb, lags, level, len(BANDS[pollutant]) + 1)
    logp = _run_logp(runs, counts, level)
    n_tests = np.isfinite(x).sum(axis=0)[runs[:, 0]].astype(float) if len(runs) else np.zeros(0)
    out = _frame(runs, logp, n_tests, "flatline", pollutant, -np.ones(len(runs), dtype=np.int64), [1])
    # the run of equalities starts at the second value showing the stuck number
    first = np.empty(len(out), dtype=np.int64)
    for i, (s, a) in enumerate(zip(out["station"], out["start"], strict=True)):
        back = np.flatnonzero(np.isfinite(x[max(a - max_gap - 1, 0):a, s]))
        first[i] = max(a - max_gap - 1, 0) + back[-1] if len(back) else a
    out["start"] = first
    return out


def copy_runs(x: np.ndarray, pollutant: str, nb: np.ndarray, *, lags=NEIGHBOUR_LAGS,
              min_equal: int = 4, max_gap: int = 3, own_past: bool = False) -> pd.DataFrame:
    """Runs where a station's values equal a neighbour's (or its own past) hour by hour.

    Parameters
    ----------
    x : ndarray (T, S)
    pollutant : {"pm25", "pm10"}
    nb : ndarray (S, K) int
        Neighbours (:func:`geoair.integrity.expected.find_neighbours`); ignored with
        ``own_past``.
    lags : sequence of int
        ``x_s(t) == x_j(t - lag)``; with ``own_past`` use :data:`OWN_LAGS`.
    min_equal : int
        Minimum number of equal hours.
    max_gap : int
        Missing hours allowed inside a run.
    own_past : bool
        Compare the station with its own past instead of its neighbours.

    Returns
    -------
    DataFrame
        As :func:`flatline_runs`, ``kind="copy"``, ``partner`` the column index of the
        source station (the station itself for copies from its past), ``lag`` in hours.
    """
    partners = np.arange(x.shape[1], dtype=np.int64)[:, None] if own_past else np.asarray(nb, np.int64)
    lag_arr = np.asarray(lags, dtype=np.int64)
    level = level_bands(x, pollutant)
    runs = rk.pair_runs(x, x, partners, lag_arr, max_gap, min_equal)
    counts = rk.pair_counts(x, x, partners, lag_arr, level, len(BANDS[pollutant]) + 1)
    logp = _run_logp(runs, counts, level)
    n_partner = (partners >= 0).sum(axis=1)
    n_tests = (np.isfinite(x).sum(axis=0) * n_partner * len(lag_arr))[runs[:, 0]].astype(float) \
        if len(runs) else np.zeros(0)
    partner_codes = partners[runs[:, 0], runs[:, 1]] if len(runs) else np.zeros(0, dtype=np.int64)
    return _frame(runs, logp, n_tests, "copy", pollutant, partner_codes, lag_arr)
