"""LS-NMF with line-searched multiplicative steps in numpy, batched over the random starts.

The default PMF solver (:func:`geoair.apportion.pmf.fit_runs`): no compilation, so a user's
first call costs what every later call costs. The R runs are stacked (arrays R x n x p,
R x p x m, R x n x m) and advanced together, one matrix product per step for the whole batch;
a run leaves the batch once it has converged (compaction), so the batch shrinks as runs stop.

Storage is float32 (as ESAT's), objective sums are accumulated in float64 (rows of float32
cells added in float64). The fitted values ``W H`` are recomputed by a matrix product every
iteration rather than updated incrementally: in float32 the incremental update drifts and the
runs stall above the float64 minimum (St. Louis: lowest Q(true) of 20 runs 21,393 with a
refresh every 20 iterations, 21,372.5 with the exact product; ESAT 21,371.8).

Meaning as the numba kernel :func:`geoair.apportion._pmf_kernels.ls_fit_ls`: per iteration H
first, then W, each a weighted multiplicative (MU) step stretched to the exact minimum of the
weighted least squares along it (per species for H, per sample for W), never shorter than
the MU step and never cutting an element below ``theta`` of its value; robust mode re-weights
cells with |e/u| > alpha by ``alpha / (2 |e/u|)`` after every iteration (majorize-minimize,
Hunter & Lange 2004); a run stops when its objective fell by less than ``rtol Q + atol``
over the last ``window`` iterations.

References
----------
Wang, G., Kossenkov, A. V., Ochs, M. F. (2006) BMC Bioinformatics 7, 175,
doi:10.1186/1471-2105-7-175 (weighted MU). Gonzalez, E. F., Zhang, Y. (2005) Rice CAAM
TR05-02 (step length along the MU direction). Hunter, D. R., Lange, K. (2004) Am. Stat. 58,
30-37, doi:10.1198/0003130042836 (robust re-weighting).
"""

from __future__ import annotations

import numpy as np

_F = np.float32


def _min_over(a, axis):
    """Minimum over ``axis`` (1 or 2) ignoring NaN, as a loop over its (few) slices (views, no
    copies): for the short factor axis 5 x faster than ``np.fmin.reduce`` over a last axis."""
    out = (a[:, 0] if axis == 1 else a[:, :, 0]).copy()
    for k in range(1, a.shape[axis]):
        np.fmin(out, a[:, k] if axis == 1 else a[:, :, k], out=out)
    return out


def _step_lengths(g, c, d, x, theta, axis):
    """Exact minimiser ``g / c`` along each MU step ``d`` from ``x`` (reduced over ``axis``).

    As :func:`geoair.apportion._pmf_kernels._step_length` did for one row: 1 where the slope
    or curvature is not positive; steps longer than the MU step are cut so that no element
    falls below ``theta`` times its value, and never below 1. Written as
    ``min(beta, max(cap, 1))``, which equals "``max(min(beta, cap), 1)`` where ``beta > 1``,
    else ``beta``" exactly, in 4 calls instead of 8 (this runs twice per iteration on small
    arrays, where numpy's per-call cost dominates).
    """
    beta = g / c
    ok = c > 0
    ok &= g > 0
    np.putmask(beta, ~ok, 1.0)
    # d / x < 0 where the step shrinks an element; 0 / 0 (an element at 0) is skipped
    worst = _min_over(d / x, axis)
    np.minimum(worst, -1e-30, out=worst)
    cap = np.divide(theta - 1.0, worst, out=worst)
    np.fmax(cap, 1.0, out=cap)  # fmax: a NaN cap (all elements at 0) leaves beta
    return np.minimum(beta, cap, out=beta)


class _Batch:
    """The live runs' arrays (float32) and the data they share."""

    def __init__(self, V, We, W, H, robust, alpha):
        R, n, p = W.shape
        self.n, self.m = V.shape
        self.V = np.ascontiguousarray(V, dtype=_F)
        self.We = np.ascontiguousarray(We, dtype=_F)
        self.VW = self.V * self.We
        self.W = np.array(W, dtype=_F, order="C")
        self.H = np.array(H, dtype=_F, order="C")
        self.robust, self.alpha = bool(robust), float(alpha)
        self.one_n = np.ones((1, self.n), _F)
        self.one_m = np.ones((self.m, 1), _F)
        self.one_p = np.ones((p, 1), _F)
        self.live = np.arange(R)
        shape = (R, self.n, self.m)
        if self.robust:
            self.sW = np.sqrt(self.We)
            # n x m arrays of the constants alpha and 1/2: np.minimum against a scalar takes a
            # slow (non-SIMD) loop, 3.8 x the time against a broadcast array (116 vs 30 us per
            # 10 x 307 x 41 pass); the values are the same
            self.alpha_nm = np.full((self.n, self.m), self.alpha, _F)
            self.half_nm = np.full((self.n, self.m), 0.5, _F)
            self.Wt = np.broadcast_to(self.We, shape).copy()
            self.A = np.broadcast_to(self.VW, shape).copy()
            self.U = np.empty(shape, _F)
            self.mask = np.empty(shape, bool)
        else:
            self.Wt, self.A = self.We, np.broadcast_to(self.VW, shape)
        # scratch R x n x m buffers, reused every iteration: a fresh array of this size per
        # step is a fresh memory map (malloc) and its page faults cost ~20 % of the fit
        self.T = np.empty(shape, _F)
        self.P = np.empty(shape, _F)
        self.WH = self.W @ self.H
        self.q = self.residuals()
        self.h_sums()

    def residuals(self):
        """Q of every live run at ``WH`` (float64); robust mode: new weights ``Wt`` and ``A``.

        Robust Q per cell is ``min(r**2, alpha |r|)`` (r = e/u; the same as r**2 for
        |r| <= alpha and alpha |r| above); outlying cells get the weight factor
        ``alpha / (2 |r|)``. Dense array operations: cheaper than gathering the outliers.
        """
        e = np.subtract(self.V, self.WH, out=self.T)
        if not self.robust:
            e *= e
            e *= self.We
            return self.rowsum(e)
        e *= self.sW
        r = np.abs(e, out=e)
        # min(r r, alpha r) as r min(r, alpha): the same products, one pass less
        cell = np.minimum(r, self.alpha_nm, out=self.U)
        cell *= r
        q = self.rowsum(cell)
        # factor alpha / (2 r) where r > alpha (< 1/2 there), else 1: min(., 1/2) then max with
        # the inlier mask (masked writes cost 10-30 x a dense ufunc pass)
        f = np.divide(0.5 * self.alpha, r, out=cell)  # r = 0 or tiny: f -> 1 below
        np.minimum(f, self.half_nm, out=f)
        np.maximum(f, np.less_equal(r, self.alpha, out=self.mask), out=f)
        np.multiply(self.We, f, out=self.Wt)
        np.multiply(self.VW, f, out=self.A)
        return q

    def rowsum(self, cells):
        """Per-run sum of ``cells`` (R x n x m): rows in float32, rows added in float64."""
        return (cells @ self.one_m).astype(np.float64).sum(axis=(1, 2))

    def h_sums(self):
        """Numerator and denominator of the H update: ``W' (Wt o V)``, ``W' (Wt o W H)``."""
        WT = np.swapaxes(self.W, 1, 2)
        self.NH = WT @ self.A
        self.DH = WT @ np.multiply(self.Wt, self.WH, out=self.T)

    def h_step(self, fixed, theta):
        """Line-searched MU step of H; returns ``(WD, bh)``: ``W D`` and the step lengths."""
        D = self.NH / self.DH
        D -= 1.0
        D *= self.H
        np.putmask(D, ~(self.DH > 0), 0.0)  # putmask: 2-3 x faster than D[mask] = 0
        if fixed is not None:
            D[:, fixed] = 0.0
        WD = np.matmul(self.W, D, out=self.P)
        T = np.multiply(WD, WD, out=self.T)
        T *= self.Wt
        c = (self.one_n @ T)[:, 0, :]
        G = self.NH - self.DH
        G *= D
        bh = _step_lengths(G.sum(axis=1), c, D, self.H, theta, 1)
        D *= bh[:, None, :]
        self.H += D
        return WD, bh

    def w_step(self, WD, bh, theta):
        """Line-searched MU step of W (per sample) at the new H, then ``WH = W H``."""
        wh = WD  # the fitted rows at the old W and the new H
        wh *= bh[:, None, :]
        wh += self.WH
        B = np.multiply(self.Wt, wh, out=self.T)
        HT = np.swapaxes(self.H, 1, 2)
        s1 = self.A @ HT
        s2 = B @ HT
        d = s1 / s2
        d -= 1.0
        d *= self.W
        np.putmask(d, ~(s2 > 0), 0.0)
        s1 -= s2
        s1 *= d
        T = np.matmul(d, self.H, out=self.T)  # dh, the fitted values' change
        T *= T
        T *= self.Wt
        c = (T @ self.one_m)[:, :, 0]
        bw = _step_lengths((s1 @ self.one_p)[:, :, 0], c, d, self.W, theta, 2)
        d *= bw[:, :, None]
        self.W += d
        self.P, self.WH = self.WH, np.matmul(self.W, self.H, out=wh)

    def keep(self, k):
        """Keep the runs where ``k`` is True (drop the converged ones)."""
        self.live = self.live[k]
        for name in ("W", "H", "WH", "NH", "DH", "T", "P", "q"):
            setattr(self, name, getattr(self, name)[k])
        if self.robust:
            self.Wt, self.A, self.U, self.mask = self.Wt[k], self.A[k], self.U[k], self.mask[k]
        else:
            self.A = np.broadcast_to(self.VW, (len(self.live), self.n, self.m))


def ls_fit_batch(V, We, W, H, *, robust, alpha, max_iter, rtol, atol, window, fixed, traces,
                 theta, on_done=None):
    """Fit the runs stacked in ``W`` (R x n x p) and ``H`` (R x p x m) in place.

    Arguments as :func:`geoair.apportion._pmf_kernels.ls_fit_ls`, for all runs at once:
    ``traces`` (R x max_iter, or R x 0) receives each run's objective per iteration and
    ``on_done(k)`` is called when ``k`` runs have stopped. ``W`` and ``H`` must be float64
    arrays; they receive the fitted matrices.

    Returns
    -------
    n_iter : ndarray of int
    converged : ndarray of bool
    """
    # divisions by 0 and 0 / 0 are expected (masked or skipped right after); one errstate
    # for the whole loop: entering one costs ~3 us, five per iteration did add up
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _fit(V, We, W, H, robust, alpha, max_iter, rtol, atol, window, fixed, traces,
                    theta, on_done)


def _fit(V, We, W, H, robust, alpha, max_iter, rtol, atol, window, fixed, traces, theta,
         on_done):
    """The body of :func:`ls_fit_batch` (under its ``np.errstate``)."""
    R = W.shape[0]
    b = _Batch(V, We, W, H, robust, alpha)
    fixed = None if fixed is None or not np.any(fixed) else np.asarray(fixed, bool)
    buf = np.zeros((R, int(window)))
    n_iter = np.full(R, int(max_iter), dtype=np.int64)
    conv = np.zeros(R, dtype=bool)
    keep_trace = traces.shape[1] >= max_iter
    for it in range(int(max_iter)):
        WD, bh = b.h_step(fixed, theta)
        b.w_step(WD, bh, theta)
        b.q = q = b.residuals()
        b.h_sums()
        if keep_trace:
            traces[b.live, it] = q
        pos = it % window
        first = buf[b.live, (pos + 1) % window]
        buf[b.live, pos] = q
        if it + 1 < window:
            continue
        done = first - q < rtol * np.abs(q) + atol
        if done.any():
            stop = b.live[done]
            W[stop], H[stop] = b.W[done], b.H[done]
            n_iter[stop], conv[stop] = it + 1, True
            if on_done is not None:
                on_done(len(stop))
            if done.all():
                return n_iter, conv
            b.keep(~done)
    W[b.live], H[b.live] = b.W, b.H
    if on_done is not None:
        on_done(len(b.live))
    return n_iter, conv
