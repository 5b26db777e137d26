"""Numba kernels for PMF: weighted LS-NMF and WS-NMF fits with robust re-weighting.

Only imported by :mod:`geoair.apportion.pmf` when a model is fitted, so ``import geoair``
never loads numba. Everything is float64 (ESAT runs float32; research notes section 1).
The kernels release the GIL (``nogil``) so that random starts run in parallel threads, are
cached on disk (:func:`geoair._compat.njit`), and are compiled for one signature each, only
when their method is used.

One LS-NMF iteration is a single sweep over the samples (:func:`_ls_sweep`): for sample i it
updates W[i, :], forms the new fitted row, its residuals, Q and (robust mode) the new weights,
and adds the sample's share to the sums of the next H update. That is 6 n m p multiply-adds
per iteration, the same as the matrix form, but with every row in cache, and robust mode costs
one comparison per cell more than plain mode (a re-weighting inside the same iterations).

The default LS-NMF solver (line-searched steps) is the numpy one in
:mod:`geoair.apportion._pmf_batch`, which needs no compilation; these kernels run ESAT's plain
multiplicative updates (``line_search=False``, float64, used to reproduce ESAT's models) and
WS-NMF.

References
----------
Wang, G., Kossenkov, A. V., Ochs, M. F. (2006) LS-NMF: a modified non-negative matrix
factorization algorithm utilizing uncertainty estimates. BMC Bioinformatics 7, 175,
doi:10.1186/1471-2105-7-175.
Ding, C., Li, T., Jordan, M. I. (2010) Convex and semi-nonnegative matrix factorizations.
IEEE TPAMI 32(1), 45-55, doi:10.1109/TPAMI.2008.277.
Hunter, D. R., Lange, K. (2004) A tutorial on MM algorithms. Am. Stat. 58, 30-37,
doi:10.1198/0003130042836 (the robust re-weighting).
Smith, D. et al. (2024) ESAT. JOSS 9(103), 7316, doi:10.21105/joss.07316 (update order,
initialisation and window stopping test reproduced from its documented behaviour).
"""

from __future__ import annotations

import numpy as np

from .._compat import njit

LS_NMF = 0
WS_NMF = 1

# re-association lets the dot products over species vectorise; no "nnan"/"ninf", so a NaN
# still propagates. Results are deterministic for a given machine.
_FAST = {"nsz", "arcp", "contract", "reassoc"}


@njit(nogil=True, fastmath=_FAST)
def _residual_row(V, We, Wt, i, wh, r2buf, robust, alpha):
    """Q of sample i at the fitted row ``wh``; in robust mode also its new weights ``Wt[i]``.

    Q(robust) sums ``r**2`` (|r| <= alpha) and ``alpha |r|`` (|r| > alpha), r = e/u. The
    quadratic ``alpha r**2 / (2 |r0|) + alpha |r0| / 2`` lies above both branches and touches
    the loss at r0 (majorize-minimize, Hunter & Lange 2004), so weighting an outlier by
    ``alpha / (2 |r0|)`` makes every weighted least-squares step lower Q(robust).
    Down-weighting by ``h**2 = |r| / alpha`` (no 1/2) does not: Q(robust) then oscillates.
    """
    m = V.shape[1]
    q = 0.0
    for j in range(m):  # vectorised: every cell as if |r| <= alpha
        e = V[i, j] - wh[j]
        r2 = e * e * We[i, j]
        r2buf[j] = r2
        q += r2
    if not robust:
        return q
    a2 = alpha * alpha
    for j in range(m):
        Wt[i, j] = We[i, j]
    for j in range(m):  # outliers (a few % of cells): alpha |r| instead of r**2, re-weighted
        r2 = r2buf[j]
        if r2 > a2:
            r = np.sqrt(r2)
            q += alpha * r - r2
            Wt[i, j] = We[i, j] * alpha / (2.0 * r)
    return q


@njit(nogil=True, fastmath=_FAST)
def _accumulate_h(V, Wt, W, i, wh, a, b, NH, DH):
    """Add sample ``i``'s terms to the numerator ``NH`` and denominator ``DH`` of the H update."""
    p, m = NH.shape
    for j in range(m):
        a[j] = Wt[i, j] * V[i, j]
        b[j] = Wt[i, j] * wh[j]
    for k in range(p):
        wik = W[i, k]
        for j in range(m):
            NH[k, j] += wik * a[j]
            DH[k, j] += wik * b[j]


@njit(nogil=True, fastmath=_FAST)
def _fitted_row(W, H, i, wh):
    wh[:] = 0.0
    for k in range(H.shape[0]):
        wik = W[i, k]
        for j in range(H.shape[1]):
            wh[j] += wik * H[k, j]


@njit(nogil=True, fastmath=_FAST)
def _ls_sweep(V, We, Wt, W, H, NH, DH, wh, a, b, robust, alpha, update_w):
    """W update (if ``update_w``), then Q, weights and the H-update sums, sample by sample.

    W[i,k] <- W[i,k] (sum_j Wt V H[k,j]) / (sum_j Wt (W H)[i,j] H[k,j]) with the current H;
    NH = W^T (Wt o V) and DH = W^T (Wt o W H) at the new W and weights. Returns Q.
    """
    n, m = V.shape
    p = H.shape[0]
    NH[:, :] = 0.0
    DH[:, :] = 0.0
    q = 0.0
    for i in range(n):
        if update_w:
            _fitted_row(W, H, i, wh)
            for j in range(m):
                a[j] = Wt[i, j] * V[i, j]
                b[j] = Wt[i, j] * wh[j]
            for k in range(p):
                num = 0.0
                den = 0.0
                for j in range(m):
                    num += a[j] * H[k, j]
                    den += b[j] * H[k, j]
                # a zero denominator means the element has no leverage on Q: keep it
                if den > 0.0:
                    W[i, k] = W[i, k] * num / den
        _fitted_row(W, H, i, wh)
        q += _residual_row(V, We, Wt, i, wh, a, robust, alpha)
        _accumulate_h(V, Wt, W, i, wh, a, b, NH, DH)
    return q


@njit(nogil=True, fastmath=_FAST)
def _converged(buf, it, q, rtol, atol):
    """Record Q(it) in the ring ``buf``; True once Q(it - w + 1) - Q(it) < rtol |Q(it)| + atol."""
    w = buf.shape[0]
    pos = it % w
    first = buf[(pos + 1) % w]
    buf[pos] = q
    return it + 1 >= w and first - q < rtol * abs(q) + atol


@njit(nogil=True, fastmath=_FAST)
def ls_fit(V, We, W, H, robust, alpha, max_iter, rtol, atol, window, fixed, trace):
    """Fit one LS-NMF model in place from the start matrices ``W`` (n x p) and ``H`` (p x m).

    Per iteration H first, then W (ESAT's order), each by the weighted multiplicative rule of
    Wang et al. (2006); in robust mode the weights are re-computed from the residuals after
    every iteration (PMF 5.0 robust mode). Stops when the objective (Q(true), or Q(robust)
    when ``robust``) fell by less than ``rtol Q + atol`` over the last ``window`` iterations.
    ``fixed`` (p x m, bool) holds H elements at their start values (DISP). ``trace`` receives
    Q per iteration if it has ``max_iter`` elements (pass an empty array otherwise).

    Returns
    -------
    q, n_iter, converged
    """
    n, m = V.shape
    p = H.shape[0]
    Wt = We.copy()
    NH = np.empty((p, m))
    DH = np.empty((p, m))
    wh = np.empty(m)
    a = np.empty(m)
    b = np.empty(m)
    buf = np.zeros(window)
    has_fixed = fixed.any()
    Hfix = H.copy()
    keep = trace.shape[0] >= max_iter
    q = _ls_sweep(V, We, Wt, W, H, NH, DH, wh, a, b, robust, alpha, False)
    for it in range(max_iter):
        for k in range(p):
            for j in range(m):
                if has_fixed and fixed[k, j]:
                    H[k, j] = Hfix[k, j]
                elif DH[k, j] > 0.0:
                    H[k, j] = H[k, j] * NH[k, j] / DH[k, j]
        q = _ls_sweep(V, We, Wt, W, H, NH, DH, wh, a, b, robust, alpha, True)
        if keep:
            trace[it] = q
        if _converged(buf, it, q, rtol, atol):
            return q, it + 1, True
    return q, max_iter, False


@njit(nogil=True)
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


@njit(nogil=True)
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


@njit(nogil=True)
def ws_fit(V, We, W, H, robust, alpha, max_iter, rtol, atol, window, fixed, trace):
    """Fit one WS-NMF model in place (W first, then H, as ESAT); arguments as :func:`ls_fit`."""
    n, m = V.shape
    p = H.shape[0]
    Wt = We.copy()
    wh = np.empty(m)
    a = np.empty(m)
    buf = np.zeros(window)
    has_fixed = fixed.any()
    Hfix = H.copy()
    keep = trace.shape[0] >= max_iter
    q = 0.0
    for i in range(n):
        _fitted_row(W, H, i, wh)
        q += _residual_row(V, We, Wt, i, wh, a, robust, alpha)
    for it in range(max_iter):
        _ws_step(V, Wt, W, H)
        if has_fixed:
            for k in range(p):
                for j in range(m):
                    if fixed[k, j]:
                        H[k, j] = Hfix[k, j]
        q = 0.0
        for i in range(n):
            _fitted_row(W, H, i, wh)
            q += _residual_row(V, We, Wt, i, wh, a, robust, alpha)
        if keep:
            trace[it] = q
        if _converged(buf, it, q, rtol, atol):
            return q, it + 1, True
    return q, max_iter, False
