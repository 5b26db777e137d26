"""numba kernels of :mod:`geoair.deweather._exact`: tree traversals with open splits."""

from __future__ import annotations

import numpy as np

from .._compat import njit

_STACK = 256  # > depth of any tree with <= 255 leaves


@njit(nogil=True)
def leaf_fractions(Z, feature, threshold, missing_left, left, right, leaf, roots, trend):
    """Fraction of the rows of ``Z`` in every leaf's box, ignoring the trend splits."""
    frac = np.zeros(feature.size)
    stack = np.empty(_STACK, np.int64)
    n = Z.shape[0]
    for t in range(roots.size):
        for r in range(n):
            top = 0
            stack[0] = roots[t]
            while top >= 0:
                nd = stack[top]
                top -= 1
                if leaf[nd]:
                    frac[nd] += 1.0
                elif feature[nd] == trend:
                    stack[top + 1] = left[nd]
                    stack[top + 2] = right[nd]
                    top += 2
                else:
                    x = Z[r, feature[nd]]
                    if np.isnan(x):
                        go_left = missing_left[nd]
                    else:
                        go_left = x <= threshold[nd]
                    top += 1
                    stack[top] = left[nd] if go_left else right[nd]
    return frac / max(n, 1)


@njit(nogil=True)
def trend_steps(ts, feature, threshold, left, right, leaf, roots, weight, trend):
    """Sum over trees of the leaf weights reachable at trend ``ts[i]`` (other splits open)."""
    out = np.zeros(ts.size)
    stack = np.empty(_STACK, np.int64)
    for t in range(roots.size):
        for i in range(ts.size):
            acc = 0.0
            top = 0
            stack[0] = roots[t]
            while top >= 0:
                nd = stack[top]
                top -= 1
                if leaf[nd]:
                    acc += weight[nd]
                elif feature[nd] == trend:
                    top += 1
                    stack[top] = left[nd] if ts[i] <= threshold[nd] else right[nd]
                else:
                    stack[top + 1] = left[nd]
                    stack[top + 2] = right[nd]
                    top += 2
            out[i] += acc
    return out
