"""Kriging linear algebra: one Cholesky factor per day, many targets per solve.

Universal kriging with drift matrix ``F`` (a column of ones for ordinary kriging), written in
the generalised-least-squares form (Cressie 1993, §3.4.5)::

    beta  = (F' C^-1 F)^-1 F' C^-1 z
    m(x)  = f(x)' beta + c(x)' C^-1 (z - F beta)
    s2(x) = c0 - c(x)' C^-1 c(x) + r' (F' C^-1 F)^-1 r,    r = f(x) - F' C^-1 c(x)

which equals the Lagrange-multiplier system that GSTools and PyKrige solve (checked against
``gstools.krige.Ordinary`` / ``Universal`` / ``ExtDrift`` in the tests) but lets one triangular
solve serve a whole grid chunk with BLAS. Leave-one-out errors use Dubrule's (1983) closed form
on the inverse of the augmented kriging matrix.

References
----------
Cressie, N. (1993). *Statistics for Spatial Data*, rev. ed., Wiley, §3.2 and §3.4.
Dubrule, O. (1983). Cross validation of kriging in a unique neighborhood. *Mathematical
Geology* 15(6), 687-699.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["System", "Pool", "build", "predict", "block_average", "make_pool", "pool_day", "loo_errors"]

_JITTER = 1e-9


@dataclass
class System:
    """A day's factorised kriging system (covariances already scaled to the day)."""

    idx: np.ndarray        # station columns used
    chol: np.ndarray       # lower Cholesky factor of C
    w: np.ndarray          # L^-1 F
    g_chol: np.ndarray     # lower Cholesky factor of F' C^-1 F
    u: np.ndarray          # L^-1 (z - F beta)
    beta: np.ndarray
    alpha: np.ndarray      # C^-1 (z - F beta)
    scale: float           # sill multiplier of the day
    model: object          # gstools CovModel (standardised units under pooling)


_TABLE_NODES = 60_000  # geometric lag table from 1 m: interpolation error < 1e-6 of the sill


def _key(model) -> tuple:
    return (type(model).__name__, float(model.var), float(model.len_scale),
            *(float(getattr(model, a)) for a in model.opt_arg))


def cov(model, dist: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Covariance without the nugget (the smooth field), scaled to the day.

    GSTools' model is evaluated on a geometric lag table (1 m to beyond the largest lag, 0.03 %
    steps) and interpolated linearly (the Matérn
    Bessel function is otherwise the most expensive step of a 1-km grid); the table is cached
    on the model and rebuilt if its parameters change or a longer lag is asked for.
    """
    dmax = float(dist.max()) if dist.size else 0.0
    tab = getattr(model, "_geoair_cov_table", None)
    if tab is None or tab[0] != _key(model) or tab[1][-1] < dmax:
        top = max(2.0 * dmax, 10.0 * float(model.len_scale), 1e5)
        lags = np.r_[0.0, np.geomspace(1.0, top, _TABLE_NODES)]
        tab = (_key(model), lags, model.covariance(lags))
        model._geoair_cov_table = tab
    return scale * np.interp(dist, tab[1], tab[2])


def build(model, scale: float, xy: np.ndarray, z: np.ndarray, f: np.ndarray, idx) -> System:
    """Factorise the kriging system of one day.

    Parameters
    ----------
    model : gstools.CovModel
    scale : float
        Day's sill multiplier.
    xy : ndarray (n, 2)
        Coordinates of the stations used (metres).
    z : ndarray (n,)
        Values on the modelling scale.
    f : ndarray (n, p)
        Drift terms at the stations.
    """
    from scipy.linalg import cho_factor, solve_triangular
    from scipy.spatial.distance import cdist

    c = cov(model, cdist(xy, xy), scale)
    c[np.diag_indices_from(c)] += scale * model.nugget + _JITTER * scale * model.sill
    chol = cho_factor(c, lower=True)[0]
    chol = np.tril(chol)
    w = solve_triangular(chol, f, lower=True)
    g = w.T @ w
    g_chol = np.linalg.cholesky(g)
    lz = solve_triangular(chol, z, lower=True)
    beta = np.linalg.solve(g, w.T @ lz)
    u = lz - w @ beta
    alpha = solve_triangular(chol, u, lower=True, trans="T")
    return System(idx=np.asarray(idx), chol=chol, w=w, g_chol=g_chol, u=u, beta=beta, alpha=alpha,
                  scale=scale, model=model)


def predict(sys: System, k: np.ndarray, f: np.ndarray):
    """Kriging means and variance reductions at targets.

    Parameters
    ----------
    k : ndarray (n, m)
        Covariances between the system's stations and the targets (scaled to the day).
    f : ndarray (m, p)
        Drift terms at the targets.

    Returns
    -------
    mean : ndarray (m,)
    reduction : ndarray (m,)
        ``c' C^-1 c - r' G^-1 r``; the kriging variance is ``c0 - reduction``.
    v : ndarray (n, m)
        ``L^-1 c`` (reused for block averages).
    """
    from scipy.linalg import solve_triangular

    v = solve_triangular(sys.chol, k, lower=True, check_finite=False)
    mean = f @ sys.beta + v.T @ sys.u
    r = f.T - sys.w.T @ v
    gr = solve_triangular(sys.g_chol, r, lower=True, check_finite=False)
    reduction = np.einsum("ij,ij->j", v, v) - np.einsum("ij,ij->j", gr, gr)
    return mean, reduction, v


@dataclass
class Pool:
    """Unit-scale inverse covariance of every station that has a value on some day.

    Under a pooled variogram a day's covariance is ``s_d C``; a day's station set ``S`` is the
    pool minus the missing stations ``M``, and ``C_SS^-1 = P_SS - P_SM P_MM^-1 P_MS`` with
    ``P = C^-1`` (partitioned inverse). So one product ``P k`` per grid chunk serves every
    day, and a day costs O(|M| m) instead of a triangular solve of O(n^2 m).
    """

    cols: np.ndarray       # station columns in the pool (sorted)
    p: np.ndarray          # C^-1 at unit scale (nugget and jitter on the diagonal)
    f: np.ndarray          # drift at the pool's stations


def make_pool(model, xy: np.ndarray, f: np.ndarray, cols: np.ndarray) -> Pool:
    """Invert the unit-scale covariance of the stations ``cols``."""
    from scipy.linalg import cho_factor, cho_solve
    from scipy.spatial.distance import cdist

    c = cov(model, cdist(xy[cols], xy[cols]))
    c[np.diag_indices_from(c)] += model.nugget + _JITTER * model.sill
    p = cho_solve(cho_factor(c, lower=True), np.eye(len(cols)))
    return Pool(cols=np.asarray(cols), p=0.5 * (p + p.T), f=f[cols])


def pool_day(pool: Pool, k0: np.ndarray, y: np.ndarray, kty: np.ndarray, fty: np.ndarray,
             miss: np.ndarray):
    """Unit-scale ``k_S' C_SS^-1 k_S`` and ``F_S' C_SS^-1 k_S`` for a day missing ``miss``.

    ``k0`` are the pool's covariances to the targets, ``y = P k0``, ``kty`` the column sums of
    ``k0 * y`` and ``fty = F' y``.
    """
    if miss.size == 0:
        return kty, fty
    keep = np.setdiff1d(np.arange(len(pool.cols)), miss)
    pmm = pool.p[np.ix_(miss, miss)]
    km, ym = k0[miss], y[miss]
    w = ym - pmm @ km
    sol = np.linalg.solve(pmm, w)
    q = kty - np.einsum("ij,ij->j", km, ym) - np.einsum("ij,ij->j", w, km + sol)
    h = pool.f[keep].T @ pool.p[np.ix_(keep, miss)]
    fck = fty - pool.f[miss].T @ ym - h @ (km + sol)
    return q, fck


def block_average(sys: System, v: np.ndarray, f: np.ndarray, starts: np.ndarray):
    """Block kriging reduction from point solutions of the block's sample points.

    ``starts`` are the first column of each block in ``v`` (columns sorted by block). The
    block's kriging vector is the mean of its points' vectors (Journel and Huijbregts 1978,
    §V.A), so the block mean on the model scale is the mean of the point means.

    Returns
    -------
    ndarray
        ``c_B' C^-1 c_B - r_B' G^-1 r_B`` per block.
    """
    from scipy.linalg import solve_triangular

    counts = np.diff(np.r_[starts, v.shape[1]])
    vb = np.add.reduceat(v, starts, axis=1) / counts
    fb = np.add.reduceat(f, starts, axis=0) / counts[:, None]
    r = fb.T - sys.w.T @ vb
    gr = solve_triangular(sys.g_chol, r, lower=True, check_finite=False)
    return np.einsum("ij,ij->j", vb, vb) - np.einsum("ij,ij->j", gr, gr)


def loo_errors(model, scale: float, xy: np.ndarray, z: np.ndarray, f: np.ndarray,
               groups: list[np.ndarray] | None = None):
    """Leave-one-out kriging errors ``z_i - z_hat_-i`` and their variances (Dubrule 1983).

    Parameters
    ----------
    groups : list of int arrays, optional
        For each station ``i`` the stations removed with it (``i`` first), for buffered
        leave-one-out; default ``i`` alone.

    Returns
    -------
    err, var : ndarray (n,)
        Prediction error and kriging variance of a new measurement (nugget included).
    """
    from scipy.spatial.distance import cdist

    n, p = f.shape
    c = cov(model, cdist(xy, xy), scale)
    c[np.diag_indices_from(c)] += scale * model.nugget + _JITTER * scale * model.sill
    a = np.zeros((n + p, n + p))
    a[:n, :n] = c
    a[:n, n:] = f
    a[n:, :n] = f.T
    q = np.linalg.inv(a)
    qz = q[:, :n] @ z
    if groups is None:
        d = np.diag(q)[:n]
        return qz[:n] / d, 1.0 / d
    err, var = np.empty(n), np.empty(n)
    for i, g in enumerate(groups):
        qs_inv = np.linalg.inv(q[np.ix_(g, g)])
        err[i] = qs_inv[0] @ qz[g]
        var[i] = qs_inv[0, 0]
    return err, var
