"""Numba kernels of the AQI (one pass per pollutant, no temporaries).

Imported only by the functions that need them, so ``import geoair`` does not load numba.
``NUMBA_DISABLE_JIT=1`` runs them as plain Python.
"""

from __future__ import annotations

import math

import numpy as np

from .._compat import njit, prange


@njit(cache=True)
def _half_even(y):
    f = math.floor(y)
    d = y - f
    tol = 1e-11 * max(1.0, abs(y))
    if abs(d - 0.5) < tol:
        return f + 1.0 if f % 2.0 == 1.0 else f
    return f + 1.0 if d > 0.5 else f


@njit(cache=True, parallel=True)
def cn_iaqi(c, bp, irows, decimals, top_value, out):
    """HJ 633 IAQI of ``c`` into ``out``.

    ``decimals`` < 0: no concentration rounding (2012); else GB/T 8170 half-even rounding to
    that many decimals (2026). Above the top breakpoint ``top_value`` is written (NaN, 200, 300
    or the top IAQI). IAQI is rounded up with the float-noise guard.
    """
    nb = bp.size
    for i in prange(c.size):
        x = c[i]
        if not x >= 0.0:
            out[i] = np.nan
            continue
        if decimals == 0:
            x = _half_even(x)
        elif decimals > 0:
            s = 10.0**decimals
            x = _half_even(x * s) / s
        if x > bp[nb - 1]:
            out[i] = top_value
            continue
        k = 0
        while x > bp[k + 1]:
            k += 1
        v = irows[k] + (irows[k + 1] - irows[k]) / (bp[k + 1] - bp[k]) * (x - bp[k])
        out[i] = math.ceil(v - 1e-9)


@njit(cache=True, parallel=True)
def reduce_block(m, present, aqi, bits, ex_bits, complete):
    """Row max of the IAQI matrix ``m`` (k, n), bit masks of the maxima and of IAQI > 100."""
    k, n = m.shape
    for i in prange(n):
        a = -np.inf
        allp = True
        for j in range(k):
            v = m[j, i]
            if not present[j, i]:
                allp = False
            if v > a:
                a = v
        b = 0
        e = 0
        ok = allp
        for j in range(k):
            v = m[j, i]
            if v == a:
                b |= 1 << j
            if v > 100.0:
                e |= 1 << j
            if present[j, i] and not v == v:
                ok = False
        if a == -np.inf:
            aqi[i] = np.nan
            b = 0
        else:
            aqi[i] = a
            if a <= 50.0:
                b = 0
        bits[i] = b
        ex_bits[i] = e
        complete[i] = ok
