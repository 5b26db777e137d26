"""Numba kernels of the integrity screen (``cache=True``; plain Python under NUMBA_DISABLE_JIT=1).

Each kernel works on (hour x station) float arrays with NaN for missing values and loops
over stations; the Python modules around them do the bookkeeping.
"""

from __future__ import annotations

import numpy as np

from .._compat import njit


@njit(cache=True)
def pair_offsets(logv, nb):
    """Median and robust scale of ``log x_s - log x_j`` over time for every station/neighbour pair.

    Parameters
    ----------
    logv : ndarray (T, S)
        Log concentrations, NaN missing.
    nb : ndarray (S, K) int
        Neighbour column indices, -1 for none.

    Returns
    -------
    offset, scale, count : ndarray (S, K)
        Median difference, 1.4826 x MAD of the difference, number of common hours.
    """
    n_t, n_s = logv.shape
    n_k = nb.shape[1]
    offset = np.full((n_s, n_k), np.nan)
    scale = np.full((n_s, n_k), np.nan)
    count = np.zeros((n_s, n_k), dtype=np.int64)
    buf = np.empty(n_t)
    for s in range(n_s):
        for k in range(n_k):
            j = nb[s, k]
            if j < 0:
                continue
            m = 0
            for t in range(n_t):
                d = logv[t, s] - logv[t, j]
                if d == d:
                    buf[m] = d
                    m += 1
            count[s, k] = m
            if m < 24:
                continue
            med = np.median(buf[:m])
            offset[s, k] = med
            for i in range(m):
                buf[i] = abs(buf[i] - med)
            scale[s, k] = 1.4826 * np.median(buf[:m])
    return offset, scale, count


@njit(cache=True)
def neighbour_prediction(logv, nb, offset, weight, spread, trim):
    """Robust weighted prediction of each station-hour from its neighbours.

    Every neighbour j implies ``log x_j(t) + offset_sj`` for station s. The prediction is the
    weighted mean of the implied values lying within ``trim`` pair scales (``spread``) of
    their weighted median, so one disturbed neighbour cannot drag it.

    Returns
    -------
    pred : ndarray (T, S)
        NaN where no neighbour reports.
    used : ndarray (T, S) int
        Neighbours used.
    disagree : ndarray (T, S)
        How much the used neighbours disagree among themselves: the root mean square of
        ``(implied - pred) / spread`` over them with ``n - 1`` degrees of freedom (about 1
        when the field is as smooth as usual between them); NaN with fewer than 2 used.
    """
    n_t, n_s = logv.shape
    n_k = nb.shape[1]
    pred = np.full((n_t, n_s), np.nan)
    used = np.zeros((n_t, n_s), dtype=np.int64)
    disagree = np.full((n_t, n_s), np.nan)
    vals = np.empty(n_k)
    ws = np.empty(n_k)
    sp = np.empty(n_k)
    order = np.empty(n_k, dtype=np.int64)
    for s in range(n_s):
        for t in range(n_t):
            m = 0
            for k in range(n_k):
                j = nb[s, k]
                if j < 0 or not (weight[s, k] > 0):
                    continue
                v = logv[t, j]
                if v == v:
                    vals[m] = v + offset[s, k]
                    ws[m] = weight[s, k]
                    sp[m] = spread[s, k]
                    m += 1
            if m == 0:
                continue
            for i in range(m):  # insertion sort of (value, weight, spread): m <= K is small
                order[i] = i
            for i in range(1, m):
                key = order[i]
                j = i - 1
                while j >= 0 and vals[order[j]] > vals[key]:
                    order[j + 1] = order[j]
                    j -= 1
                order[j + 1] = key
            half = 0.0
            for i in range(m):
                half += ws[i]
            half *= 0.5
            acc = 0.0
            med = vals[order[m - 1]]
            for i in range(m):
                acc += ws[order[i]]
                if acc >= half:
                    med = vals[order[i]]
                    break
            num = 0.0
            den = 0.0
            n_used = 0
            for i in range(m):
                if abs(vals[i] - med) <= trim * sp[i]:
                    num += ws[i] * vals[i]
                    den += ws[i]
                    n_used += 1
            if den > 0:
                p = num / den
                pred[t, s] = p
                used[t, s] = n_used
                if n_used >= 2:
                    ss = 0.0
                    for i in range(m):
                        if abs(vals[i] - med) <= trim * sp[i]:
                            ss += ((vals[i] - p) / sp[i]) ** 2
                    disagree[t, s] = np.sqrt(ss / (n_used - 1))
    return pred, used, disagree


@njit(cache=True)
def column_median_mad(a, min_count):
    """NaN-aware median and median absolute deviation of every column of ``a`` (T, S).

    Columns with fewer than ``min_count`` valid values get NaN. (``np.nanmedian`` along an
    axis loops in Python per column; this is the same result at C speed.)
    """
    n_t, n_s = a.shape
    med = np.full(n_s, np.nan)
    mad = np.full(n_s, np.nan)
    buf = np.empty(n_t)
    for s in range(n_s):
        m = 0
        for t in range(n_t):
            v = a[t, s]
            if v == v:
                buf[m] = v
                m += 1
        if m < min_count or m == 0:
            continue
        c = np.median(buf[:m])
        med[s] = c
        for i in range(m):
            buf[i] = abs(buf[i] - c)
        mad[s] = np.median(buf[:m])
    return med, mad
