"""Numba kernels for runs of repeated values (flatlines) and of equal values between series (copies)."""

from __future__ import annotations

import numpy as np

from .._compat import njit


@njit(cache=True)
def equal_runs(x, y, lag, max_gap, min_len):
    """Runs where ``x[t] == y[t - lag]`` over consecutive valid hours.

    Missing hours (either series NaN) do not break a run if they last at most ``max_gap``
    hours; an unequal valid pair does. With ``y is x`` and ``lag=1`` this finds flatlines.

    Returns
    -------
    start, end, n_equal : ndarray
        Row indices (inclusive) of the first and last equal hour, and the number of equal
        valid hours (a run of n equal pairs spans n + 1 values for a flatline).
    """
    n = len(x)
    starts = []
    ends = []
    counts = []
    run_a = -1
    run_b = -1
    cnt = 0
    gap = 0
    for t in range(n):
        u = t - lag
        if u < 0 or u >= n:
            xv = np.nan
            yv = np.nan
        else:
            xv = x[t]
            yv = y[u]
        if xv != xv or yv != yv:
            if cnt > 0:
                gap += 1
                if gap > max_gap:
                    if cnt >= min_len:
                        starts.append(run_a)
                        ends.append(run_b)
                        counts.append(cnt)
                    cnt = 0
                    gap = 0
            continue
        if xv == yv:
            if cnt == 0:
                run_a = t
            run_b = t
            cnt += 1
            gap = 0
        else:
            if cnt >= min_len:
                starts.append(run_a)
                ends.append(run_b)
                counts.append(cnt)
            cnt = 0
            gap = 0
    if cnt >= min_len:
        starts.append(run_a)
        ends.append(run_b)
        counts.append(cnt)
    return (np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64),
            np.array(counts, dtype=np.int64))


@njit(cache=True)
def transition_counts(x, y, lag, level, n_bands):
    """Counts of the equality indicator's transitions by level band (Markov chain estimates).

    For consecutive valid pairs: ``n01[b]`` (previous unequal), ``e01[b]`` (previous
    unequal and now equal), ``n11[b]`` (previous equal), ``e11[b]`` (previous equal and now
    equal), ``b`` the level band of the current hour.
    """
    n = len(x)
    out = np.zeros((4, n_bands))
    prev = -1
    for t in range(n):
        u = t - lag
        if u < 0 or u >= n:
            prev = -1
            continue
        xv = x[t]
        yv = y[u]
        b = level[t]
        if xv != xv or yv != yv or b < 0:
            prev = -1
            continue
        eq = 1 if xv == yv else 0
        if prev == 0:
            out[0, b] += 1
            out[1, b] += eq
        elif prev == 1:
            out[2, b] += 1
            out[3, b] += eq
        prev = eq
    return out


@njit(cache=True)
def pair_runs(values, partner, nb, lags, max_gap, min_len):
    """Equal-value runs between every station and each of its partners at each lag.

    Parameters
    ----------
    values, partner : ndarray (T, S)
        Compared as ``values[t, s] == partner[t - lag, j]`` (the same array for copies; the
        previous valid value for flatlines).
    nb : ndarray (S, K) int
        Partner columns (-1 none); a station may be its own partner.
    lags : ndarray (L,) int

    Returns
    -------
    ndarray (R, 6) int64
        ``station, k (partner slot), lag slot, start, end, n_equal`` per run.
    """
    n_s, n_k = nb.shape
    rows = []
    for s in range(n_s):
        for k in range(n_k):
            j = nb[s, k]
            if j < 0:
                continue
            for li in range(len(lags)):
                a, b, c = equal_runs(values[:, s], partner[:, j], lags[li], max_gap, min_len)
                for r in range(len(a)):
                    rows.append((s, k, li, a[r], b[r], c[r]))
    out = np.empty((len(rows), 6), dtype=np.int64)
    for i in range(len(rows)):
        for c in range(6):
            out[i, c] = rows[i][c]
    return out


@njit(cache=True)
def pair_counts(values, partner, nb, lags, level, n_bands):
    """:func:`transition_counts` for every station/partner/lag: array (S, K, L, 4, n_bands)."""
    n_s, n_k = nb.shape
    out = np.zeros((n_s, n_k, len(lags), 4, n_bands))
    for s in range(n_s):
        for k in range(n_k):
            j = nb[s, k]
            if j < 0:
                continue
            for li in range(len(lags)):
                out[s, k, li] = transition_counts(values[:, s], partner[:, j], lags[li], level[:, s],
                                                  n_bands)
    return out
