"""Least-squares machinery of the attribution: non-negative solves from normal equations.

Everything here works on normal equations (Gram matrices) accumulated per day, so that the
design never has to be held in memory at national scale, the day-block bootstrap reweights
days without refitting from rows, and blocked cross-validation leaves days out by subtraction.

References
----------
- Lawson, C.L. & Hanson, R.J. (1974) *Solving Least Squares Problems*, Prentice-Hall (NNLS).
- Huber, P.J. (1964) Robust estimation of a location parameter, Ann. Math. Stat. 35:73
  (the Huber weights of the iteratively reweighted fit).
- Hoerl, A.E. & Kennard, R.W. (1970) Ridge regression, Technometrics 12:55.
- Künsch, H.R. (1989) The jackknife and the bootstrap for general stationary observations,
  Ann. Stat. 17:1217 (block bootstrap).
- Roberts, D.R. et al. (2017) Cross-validation strategies for data with temporal, spatial,
  hierarchical, or phylogenetic structure, Ecography 40:913 (blocked cross-validation).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["NormalEquations", "StackFit", "nnls_gram", "center_by_group", "accumulate", "huber_weights", "blocked_cv",
           "hourly_weights", "fit_stack", "bootstrap_coefs"]


@dataclass
class NormalEquations:
    """Per-block normal equations of a weighted least-squares problem.

    Attributes
    ----------
    gram : ndarray (n_blocks, p, p)
        ``X_b' W_b X_b`` per block (day).
    rhs : ndarray (n_blocks, p)
        ``X_b' W_b y_b``.
    yy : ndarray (n_blocks,)
        ``y_b' W_b y_b``.
    n : ndarray (n_blocks,)
        Rows used per block.
    """

    gram: np.ndarray
    rhs: np.ndarray
    yy: np.ndarray
    n: np.ndarray

    def total(self, weights=None):
        """Summed (or block-weighted) Gram, right-hand side and y'y."""
        if weights is None:
            return self.gram.sum(axis=0), self.rhs.sum(axis=0), float(self.yy.sum())
        return np.tensordot(weights, self.gram, 1), weights @ self.rhs, float(weights @ self.yy)

    def rss(self, x, weights=None) -> float:
        """Weighted residual sum of squares of ``x`` (from the normal equations)."""
        g, h, yy = self.total(weights)
        return max(yy - 2.0 * x @ h + x @ g @ x, 0.0)


def nnls_gram(g: np.ndarray, h: np.ndarray, ridge: float = 0.0, prior=None) -> np.ndarray:
    """Non-negative least squares from normal equations, with an optional ridge.

    Minimises ``x' g x - 2 h' x + ridge * sum_i g_ii (x_i - prior_i)²`` over ``x >= 0`` by
    writing it as an ordinary NNLS problem ``||R x - R^-T h'||²`` with ``R' R = g + ridge
    diag(g)``, ``h' = h + ridge diag(g) prior`` (Cholesky) and solving that with
    :func:`scipy.optimize.nnls`.

    Parameters
    ----------
    g : ndarray (p, p)
        Gram matrix ``X' W X``.
    h : ndarray (p,)
        ``X' W y``.
    ridge : float
        Ridge strength relative to each column's own sum of squares (scale free).
    prior : ndarray (p,), optional
        Values the ridge shrinks towards (default 0).

    Returns
    -------
    ndarray (p,)
    """
    from scipy.linalg import cholesky, solve_triangular
    from scipy.optimize import nnls

    p = g.shape[0]
    if p == 0:
        return np.zeros(0)
    d = np.clip(np.diag(g).copy(), 0.0, None)
    live = d > 0
    x = np.zeros(p)
    if not live.any():
        return x
    gl = g[np.ix_(live, live)] + np.diag(ridge * d[live] + 1e-10 * d[live].mean())
    hl = h[live] + (0.0 if prior is None else ridge * d[live] * np.asarray(prior, float)[live])
    s = 1.0 / np.sqrt(np.diag(gl))  # column scaling: conditioning
    gs = gl * s[:, None] * s[None, :]
    r = cholesky(gs, lower=False)
    q = solve_triangular(r, hl * s, trans="T", lower=False)
    x[live] = nnls(r, q, maxiter=50 * p)[0] * s
    return x


def center_by_group(a: np.ndarray, mask: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Subtract, per hour and station group, the mean over the group's valid stations.

    This is the least-squares elimination of one free regional value per group and hour
    (a fixed effect): what remains is identified by between-station differences only.

    Parameters
    ----------
    a : ndarray (S, T[, k])
    mask : bool ndarray (S, T)
        Valid station-hours; invalid ones are set to 0 in the output.
    group : int ndarray (S,)
        Group (cluster) of each station.
    n_groups : int

    Returns
    -------
    ndarray like ``a``
    """
    from scipy import sparse

    S = a.shape[0]
    m = mask.astype(a.dtype)
    am = np.where(mask[:, :, None] if a.ndim == 3 else mask, a, 0)
    onehot = sparse.csr_matrix((np.ones(S, a.dtype), (group, np.arange(S))), shape=(n_groups, S))
    sums = np.asarray(onehot @ am.reshape(S, -1)).reshape((n_groups,) + a.shape[1:])
    cnt = np.asarray(onehot @ m)
    if a.ndim == 3:
        cnt = cnt[:, :, None]
    mean = (sums / np.maximum(cnt, 1)).astype(a.dtype, copy=False)
    return np.where(mask[:, :, None] if a.ndim == 3 else mask, a - mean[group], 0)


def accumulate(x: np.ndarray, y: np.ndarray, w: np.ndarray, block: np.ndarray, n_blocks: int,
               out: NormalEquations | None = None) -> NormalEquations:
    """Add the rows of one chunk to per-block normal equations.

    Parameters
    ----------
    x : ndarray (S, T, p)
        Design of the chunk (centred if fixed effects are eliminated).
    y : ndarray (S, T)
    w : ndarray (S, T)
        Row weights (0 for rows not used).
    block : int ndarray (T,)
        Block (day) of each hour.
    n_blocks : int
    out : NormalEquations, optional
        Accumulated so far.
    """
    p = x.shape[-1]
    if out is None:
        out = NormalEquations(np.zeros((n_blocks, p, p)), np.zeros((n_blocks, p)), np.zeros(n_blocks),
                              np.zeros(n_blocks))
    sw = np.sqrt(w)
    order = np.argsort(block, kind="stable")
    bounds = np.searchsorted(block[order], np.arange(n_blocks + 1))
    for b in range(n_blocks):
        hrs = order[bounds[b]:bounds[b + 1]]
        if hrs.size == 0:
            continue
        ws = sw[:, hrs]
        xs = (x[:, hrs] * ws[:, :, None]).reshape(-1, p)
        ys = (y[:, hrs] * ws).ravel()
        out.gram[b] += xs.T @ xs
        out.rhs[b] += xs.T @ ys
        out.yy[b] += ys @ ys
        out.n[b] += (ws > 0).sum()
    return out


def huber_weights(resid: np.ndarray, mask: np.ndarray, k: float = 2.0) -> np.ndarray:
    """Huber weights ``min(1, k s / |r|)`` with ``s`` = 1.4826 x median absolute residual."""
    r = np.abs(resid[mask])
    s = 1.4826 * np.median(r) if r.size else 1.0
    a = np.abs(resid) / max(k * s, 1e-12)
    return np.where(mask, np.where(a > 1.0, 1.0 / np.maximum(a, 1e-12), 1.0), 0.0)


def blocked_cv(eq: NormalEquations, ridges, n_folds: int = 5, prior=None) -> tuple[float, dict]:
    """Choose the ridge strength by blocked cross-validation over days.

    Days are dealt into ``n_folds`` contiguous folds; each fold is predicted from a fit to
    the others (normal equations minus the fold's), and the held-out weighted residual sum of
    squares is summed over folds.

    Returns
    -------
    best : float
        The ridge with the least held-out error.
    scores : dict
        Ridge -> held-out weighted RSS per row.
    """
    nb = eq.gram.shape[0]
    fold = np.minimum(np.arange(nb) * n_folds // max(nb, 1), n_folds - 1)
    g_all, h_all, _ = eq.total()
    scores = {}
    for lam in ridges:
        err = 0.0
        for f in range(n_folds):
            sel = (fold == f).astype(float)
            if not sel.any():
                continue
            g_f, h_f, _ = eq.total(sel)
            x = nnls_gram(g_all - g_f, h_all - h_f, lam, prior)
            err += eq.rss(x, sel)
        scores[float(lam)] = err / max(eq.n.sum(), 1)
    best = min(scores, key=scores.get)
    return best, scores


def hourly_weights(y: np.ndarray, mask: np.ndarray, cluster: np.ndarray, floor: float = 10.0) -> np.ndarray:
    """Row weights ``1 / level²`` for multiplicative noise, ``level`` = the group's hourly median.

    Using the group-hour median (not the row's own value) keeps the weights independent of
    each row's noise, so they do not bias the fit; hours without data take the nearest level.
    """
    import pandas as pd

    S, T = y.shape
    w = np.zeros((S, T))
    for g in np.unique(cluster):
        rows = cluster == g
        yy = np.where(mask[rows], y[rows], np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # hours without data: filled below
            lvl = np.nanmedian(yy, axis=0) if np.isfinite(yy).any() else np.full(T, floor)
        lvl = pd.Series(lvl).interpolate(limit_direction="both").fillna(floor).to_numpy()
        w[rows] = 1.0 / np.maximum(lvl, floor)[None, :] ** 2
    return np.where(mask, w, 0.0)


@dataclass
class StackFit:
    """Result of :func:`fit_stack`: coefficients, the chosen ridge, CV scores, final equations."""

    coef: np.ndarray
    ridge: float
    cv_scores: dict
    equations: NormalEquations
    huber: np.ndarray


def fit_stack(x: np.ndarray, y: np.ndarray, w: np.ndarray, mask: np.ndarray, cluster: np.ndarray,
              block: np.ndarray, *, ridges=(1e-3, 1e-2, 1e-1), n_irls: int = 2, huber_k: float = 2.0,
              prior=None, huber=None) -> StackFit:
    """Non-negative stacking of exposure columns with hourly fixed effects per station group.

    Columns and observations are centred per (group, hour) (:func:`center_by_group`), so the
    coefficients are identified by between-station differences and the regional level is
    eliminated; rows are weighted by ``w`` times Huber weights (``n_irls`` passes); the ridge
    is chosen by day-blocked cross-validation (:func:`blocked_cv`) on the first pass.

    Parameters
    ----------
    x : ndarray (S, T, p)
        Exposure columns (µg/m³ per unit weight).
    y : ndarray (S, T)
        Observed concentrations (NaN where missing).
    w : ndarray (S, T)
        Row weights (0 where not used).
    mask : bool ndarray (S, T)
    cluster : int ndarray (S,)
    block : int ndarray (T,)
        Day of each hour (the cross-validation and bootstrap block).
    prior : ndarray (p,), optional
        Values the ridge shrinks towards (default 0).
    huber : ndarray (S, T), optional
        Starting Huber weights (e.g. from an earlier fit).

    Returns
    -------
    StackFit
    """
    n_groups = int(cluster.max()) + 1 if cluster.size else 1
    n_blocks = int(block.max()) + 1 if block.size else 1
    xc = center_by_group(x, mask, cluster, n_groups)
    yc = center_by_group(np.where(mask, y, 0.0), mask, cluster, n_groups)
    hub = mask.astype(float) if huber is None else huber
    lam, scores = float(ridges[0]), {}
    coef = np.zeros(x.shape[-1])
    for it in range(max(n_irls, 1)):
        eq = accumulate(xc, yc, w * hub, block, n_blocks)
        if it == 0 and len(ridges) > 1:
            lam, scores = blocked_cv(eq, ridges, prior=prior)
        g, h, _ = eq.total()
        coef = nnls_gram(g, h, lam, prior)
        if it + 1 < n_irls:
            hub = huber_weights((yc - xc @ coef) * np.sqrt(w), mask & (w > 0), huber_k)
    return StackFit(coef, lam, scores, eq, hub)


def bootstrap_coefs(eq: NormalEquations, ridge: float, n: int, rng, prior=None) -> np.ndarray:
    """Refits on days resampled with replacement (block bootstrap over days, Künsch 1989).

    Returns
    -------
    ndarray (n, p)
    """
    nb = eq.gram.shape[0]
    out = np.empty((n, eq.gram.shape[1]))
    for i in range(n):
        cnt = np.bincount(rng.integers(0, nb, nb), minlength=nb).astype(float)
        g, h, _ = eq.total(cnt)
        out[i] = nnls_gram(g, h, ridge, prior)
    return out
