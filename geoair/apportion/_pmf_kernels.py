"""Numba kernels for PMF: weighted LS-NMF and WS-NMF update loops with ESAT's stopping rule.

Only imported by :mod:`geoair.apportion.pmf` when a model is fitted, so ``import geoair``
never loads numba. Everything is float64 (ESAT runs float32; see research notes section 1).

References
----------
Wang, G., Kossenkov, A. V., Ochs, M. F. (2006) LS-NMF: a modified non-negative matrix
factorization algorithm utilizing uncertainty estimates. BMC Bioinformatics 7, 175,
doi:10.1186/1471-2105-7-175.
Ding, C., Li, T., Jordan, M. I. (2010) Convex and semi-nonnegative matrix factorizations.
IEEE TPAMI 32(1), 45-55, doi:10.1109/TPAMI.2008.277.
Smith, D. et al. (2024) ESAT. JOSS 9(103), 7316, doi:10.21105/joss.07316 (update order,
initialisation and convergence test reproduced from its documented behaviour).
"""

from __future__ import annotations

import numpy as np

from .._compat import njit, prange

LS_NMF = 0
WS_NMF = 1


@njit(cache=True)
def _robust_weights(V, We, WH, alpha, out):
    """Majorize-minimize weights for Q(robust); returns Q(robust) at the current residuals.

    Q(robust) sums ``r**2`` (|r| <= alpha) and ``alpha |r|`` (|r| > alpha). The quadratic
    ``alpha r**2 / (2 |r0|) + alpha |r0| / 2`` lies above ``alpha |r|`` and above ``r**2`` for
    |r| <= alpha, touching the loss at r0, so weighting outliers by ``alpha / (2 |r0|)``
    makes every weighted least-squares step lower Q(robust) (Hunter & Lange 2004, Am. Stat.
    58, 30-37). Down-weighting by ``h**2 = |r|/alpha`` alone (no 1/2) does not: Q(robust)
    then oscillates and ESAT's signed stopping test fires early.
    """
    n, m = V.shape
    q = 0.0
    for i in range(n):
        for j in range(m):
            e = V[i, j] - WH[i, j]
            r2 = e * e * We[i, j]
            r = np.sqrt(r2)
            if r > alpha:
                out[i, j] = We[i, j] * alpha / (2.0 * r)
                q += alpha * r
            else:
                out[i, j] = We[i, j]
                q += r2
    return q


@njit(cache=True)
def _q_true(V, We, WH):
    n, m = V.shape
    q = 0.0
    for i in range(n):
        for j in range(m):
            e = V[i, j] - WH[i, j]
            q += e * e * We[i, j]
    return q


@njit(cache=True)
def _q_robust(V, We, WH, alpha):
    n, m = V.shape
    q = 0.0
    for i in range(n):
        for j in range(m):
            e = V[i, j] - WH[i, j]
            r2 = e * e * We[i, j]
            r = np.sqrt(r2)
            q += alpha * r if r > alpha else r2
    return q


@njit(cache=True)
def _ratio_update(X, num, den):
    a, b = X.shape
    for i in range(a):
        for j in range(b):
            d = den[i, j]
            # a zero denominator means the element has no leverage on Q: keep it
            if d > 0.0:
                X[i, j] = X[i, j] * num[i, j] / d


@njit(cache=True)
def _solve_spd(A, b):
    """Solve A x = b (p x p) by Gaussian elimination with partial pivoting, ridge on tiny pivots."""
    p = A.shape[0]
    M = A.copy()
    x = b.copy()
    scale = 0.0
    for k in range(p):
        scale = max(scale, abs(M[k, k]))
    tiny = 1e-12 * scale + 1e-300
    for k in range(p):
        piv = k
        for r in range(k + 1, p):
            if abs(M[r, k]) > abs(M[piv, k]):
                piv = r
        if piv != k:
            for c in range(p):
                tmp = M[k, c]
                M[k, c] = M[piv, c]
                M[piv, c] = tmp
            tmp = x[k]
            x[k] = x[piv]
            x[piv] = tmp
        if abs(M[k, k]) < tiny:
            M[k, k] = tiny
        for r in range(k + 1, p):
            f = M[r, k] / M[k, k]
            if f != 0.0:
                for c in range(k, p):
                    M[r, c] -= f * M[k, c]
                x[r] -= f * x[k]
    for k in range(p - 1, -1, -1):
        s = x[k]
        for c in range(k + 1, p):
            s -= M[k, c] * x[c]
        x[k] = s / M[k, k]
    return x


@njit(cache=True)
def _ws_step(V, Wt, W, H):
    """One WS-NMF iteration (W by weighted least squares, then H by the semi-NMF rule)."""
    n, m = V.shape
    p = H.shape[0]
    for i in range(n):
        A = np.zeros((p, p))
        a = np.zeros(p)
        for j in range(m):
            w = Wt[i, j]
            for k in range(p):
                hk = H[k, j] * w
                a[k] += hk * V[i, j]
                for q2 in range(p):
                    A[k, q2] += hk * H[q2, j]
        W[i, :] = _solve_spd(A, a)
    Wp = (np.abs(W) + W) / 2.0
    Wm = (np.abs(W) - W) / 2.0
    for j in range(m):
        bp = np.zeros(p)
        bm = np.zeros(p)
        Mm = np.zeros((p, p))
        Mp = np.zeros((p, p))
        for i in range(n):
            w = Wt[i, j]
            bv = w * V[i, j]
            for k in range(p):
                bp[k] += bv * Wp[i, k]
                bm[k] += bv * Wm[i, k]
                wmk = w * Wm[i, k]
                wpk = w * Wp[i, k]
                for q2 in range(p):
                    Mm[k, q2] += wmk * Wm[i, q2]
                    Mp[k, q2] += wpk * Wp[i, q2]
        for k in range(p):
            num = bp[k] + 1e-12
            den = bm[k] + 1e-12
            for q2 in range(p):
                num += H[q2, j] * Mm[q2, k]
                den += H[q2, j] * Mp[q2, k]
            H[k, j] = H[k, j] * np.sqrt(num / den)


@njit(cache=True)
def fit_one(V, We, W, H, method, robust, alpha, max_iter, tol, window, fixed_mask):
    """Fit one model in place from the start matrices ``W`` (n x p) and ``H`` (p x m).

    Convergence as in ESAT: stop when ``Q(t - window + 1) - Q(t) < tol``, with Q the objective
    being minimised (Q(true), or Q(robust) when ``robust``). ``fixed_mask`` (p x m, bool) holds
    H elements fixed (used by DISP); pass an all-False mask otherwise.

    Returns
    -------
    q, n_iter, converged
    """
    n, m = V.shape
    p = H.shape[0]
    Wt = We.copy()
    WH = W @ H
    has_fixed = False
    for k in range(p):
        for j in range(m):
            if fixed_mask[k, j]:
                has_fixed = True
    Hfix = H.copy()
    buf = np.empty(window)
    count = 0
    q = 0.0
    converged = False
    it = 0
    for it in range(max_iter):
        if robust:
            _robust_weights(V, We, WH, alpha, Wt)
        if method == LS_NMF:
            WtV = Wt * V
            _ratio_update(H, W.T @ WtV, W.T @ (Wt * WH))
            if has_fixed:
                for k in range(p):
                    for j in range(m):
                        if fixed_mask[k, j]:
                            H[k, j] = Hfix[k, j]
            WH = W @ H
            _ratio_update(W, WtV @ H.T, (Wt * WH) @ H.T)
        else:
            _ws_step(V, Wt, W, H)
            if has_fixed:
                for k in range(p):
                    for j in range(m):
                        if fixed_mask[k, j]:
                            H[k, j] = Hfix[k, j]
        WH = W @ H
        q = _q_robust(V, We, WH, alpha) if robust else _q_true(V, We, WH)
        if count < window:
            buf[count] = q
            count += 1
            if count == window and buf[0] - q < tol:
                converged = True
                break
        else:
            # ring of the last `window` values; the oldest is at it % window
            pos = it % window
            first = buf[(pos + 1) % window]
            buf[pos] = q
            if first - q < tol:
                converged = True
                break
    return q, it + 1, converged


@njit(cache=True, parallel=True)
def fit_batch(V, We, W0, H0, method, robust, alpha, max_iter, tol, window):
    """Fit ``R`` models from start matrices ``W0`` (R x n x p), ``H0`` (R x p x m) in parallel."""
    R = W0.shape[0]
    q = np.empty(R)
    iters = np.empty(R, dtype=np.int64)
    conv = np.empty(R, dtype=np.bool_)
    Ws = W0.copy()
    Hs = H0.copy()
    mask = np.zeros((H0.shape[1], H0.shape[2]), dtype=np.bool_)
    for r in prange(R):
        W = Ws[r].copy()
        H = Hs[r].copy()
        qr, it, c = fit_one(V, We, W, H, method, robust, alpha, max_iter, tol, window, mask)
        Ws[r] = W
        Hs[r] = H
        q[r] = qr
        iters[r] = it
        conv[r] = c
    return Ws, Hs, q, iters, conv
