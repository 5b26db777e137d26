"""Thin-plate regression spline in two dimensions with GCV smoothing selection.

An own numpy/scipy implementation of what ``mgcv::gam(y ~ s(u, v, k = k), weights = w)``
does with its defaults (``bs = "tp"``, ``m = 2``, gaussian identity link, ``method =
"GCV.Cp"``), which is the smoother openair's ``polarPlot`` uses.

References
----------
Wood, S. N. (2003). Thin plate regression splines. *J. R. Stat. Soc. B* 65(1), 95-114.
Wood, S. N. (2017). *Generalized Additive Models: An Introduction with R*, 2nd ed., 5.5.1.
Craven, P. & Wahba, G. (1979). Smoothing noisy data with spline functions. *Numer. Math.* 31.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize

__all__ = ["TPRSFit", "TPRSBasis", "fit_tprs", "tprs_basis", "gcv_fit"]

_ETA_CONST = 1.0 / (8.0 * np.pi)  # d = 2, m = 2 thin-plate constant (Wood 2003, eq. 4)


def _eta_sq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Thin-plate radial function r^2 log(r) / (8 pi) (eta(0) = 0) between the rows of a and b.

    Written with squared distances, r^2 log r = r2 log(r2) / 2, which saves the square root.
    """
    from scipy.spatial.distance import cdist

    return eta_from_r2(cdist(a, b, "sqeuclidean"))


def eta_from_r2(r2: np.ndarray) -> np.ndarray:
    """The thin-plate radial function of squared distances ``r2`` (a new array)."""
    # log(1) = 0 gives eta(0) = 0 without boolean indexing of a large matrix
    safe = np.where(r2 > 0, r2, 1.0)
    np.log(safe, out=safe)
    safe *= r2
    safe *= 0.5 * _ETA_CONST
    return safe


class TPRSError(ValueError):
    """Too few distinct locations for the requested basis dimension."""


@dataclass
class TPRSFit:
    """A fitted thin-plate regression spline (see :func:`fit_tprs`)."""

    shift: np.ndarray
    knots: np.ndarray
    UZ: np.ndarray
    coef: np.ndarray
    edf: float
    gcv: float
    scale: float
    lam: float
    n: int
    k: int

    def basis(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Model matrix at new points: [e(x)' U_k Z, 1, u, v]."""
        x = np.column_stack([np.asarray(u, float) - self.shift[0], np.asarray(v, float) - self.shift[1]])
        e = _eta_sq(x, self.knots)
        return np.column_stack([e @ self.UZ, np.ones(len(x)), x[:, 0], x[:, 1]])

    def predict(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Fitted values (on the response scale of the fit) at points (u, v)."""
        return self.basis(u, v) @ self.coef


def fit_tprs(*args, **kwargs) -> TPRSFit:
    """Fit ``y ~ s(u, v, bs="tp", k=k)``; see :func:`_fit_tprs` (BLAS limited to one thread).

    The matrices are small (k <= 200), so BLAS threads only add contention.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return _fit_tprs(*args, **kwargs)
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit_tprs(*args, **kwargs)


def _fit_tprs(
    u: np.ndarray,
    v: np.ndarray,
    y: np.ndarray,
    w: np.ndarray | None = None,
    *,
    k: int = 100,
    grid: tuple[float, float, int] = (-20.0, 20.0, 41),
    max_knots: int = 2000,
    random_state: int = 1,
) -> TPRSFit:
    """Fit ``y ~ s(u, v, bs="tp", k=k)`` by penalised weighted least squares with GCV.

    Parameters
    ----------
    u, v : array-like
        Covariates (for polar plots: the node positions in m/s).
    y : array-like
        Response.
    w : array-like, optional
        Prior weights (default 1).
    k : int
        Basis dimension (mgcv's ``k``), including the 3-dimensional null space.
    grid : (float, float, int)
        Grid of log smoothing parameters (relative to the scaled penalty) searched before a
        Brent refinement of the GCV minimum.
    max_knots : int
        With more distinct locations than this, the basis is built from ``max_knots`` of them
        drawn at random (mgcv's ``max.knots``, default 2000). mgcv draws them with R's RNG
        (seed 1); numpy's generator draws a different subset, so such fits are not
        bit-comparable with mgcv (openair polar plots on 10 degree data never reach the limit).
    random_state : int
        Seed for that draw.

    Returns
    -------
    TPRSFit
        With ``edf`` (trace of the influence matrix), ``gcv`` (the GCV score
        n * sum w (y - f)^2 / (n - edf)^2) and ``scale`` (residual variance).

    Notes
    -----
    The basis follows Wood (2003): the eigen-decomposition of the thin-plate matrix E over
    the distinct locations is truncated to the k eigenpairs of largest modulus, the
    constraint T' U_k delta = 0 is absorbed with a QR step, and the penalty is
    Z' D_k Z. mgcv truncates with a Lanczos iteration; a full symmetric eigen-decomposition
    spans the same space.
    """
    u = np.asarray(u, float)
    v = np.asarray(v, float)
    y = np.asarray(y, float)
    w = np.ones_like(y) if w is None else np.asarray(w, float)
    n = y.size
    shift = np.array([u.mean(), v.mean()])
    x = np.column_stack([u - shift[0], v - shift[1]]) + 0.0  # +0.0: -0.0 -> 0.0 for unique
    knots, inverse = np.unique(x, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    if knots.shape[0] < k:
        raise TPRSError(
            f"only {knots.shape[0]} distinct locations for a basis of dimension k={k}"
        )
    basis = tprs_basis(knots, k, max_knots=max_knots, random_state=random_state)
    beta, edf, rss, lam = gcv_fit(basis.X[inverse], y, w, basis.S, grid=grid)
    return TPRSFit(shift=shift, knots=basis.knots, UZ=basis.UZ, coef=beta, edf=edf,
                   gcv=n * rss / (n - edf) ** 2, scale=rss / (n - edf), lam=lam, n=n, k=k)


@dataclass
class TPRSBasis:
    """A thin-plate regression spline basis (Wood 2003) on a set of locations.

    ``X`` is the model matrix at the distinct locations it was built from (rows in the order
    of ``locations``), ``S`` the penalty, ``knots``/``UZ`` what :meth:`TPRSFit.basis` needs.
    """

    locations: np.ndarray
    knots: np.ndarray
    UZ: np.ndarray
    X: np.ndarray
    S: np.ndarray

    def design(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Model matrix at new points (same columns as ``X``)."""
        x = np.column_stack([np.asarray(u, float), np.asarray(v, float)])
        e = _eta_sq(x, self.knots)
        return np.column_stack([e @ self.UZ, np.ones(len(x)), x[:, 0], x[:, 1]])


def tprs_basis(locations: np.ndarray, k: int, *, max_knots: int = 2000,
               random_state: int = 1, E: np.ndarray | None = None) -> TPRSBasis:
    """Truncated eigen-basis of the thin-plate matrix over distinct ``locations`` (n x 2).

    The eigen-decomposition of E is truncated to the k eigenpairs of largest modulus, the
    constraint T' U_k delta = 0 is absorbed with a QR step, and the penalty is Z' D_k Z
    (Wood 2003). With more than ``max_knots`` locations the basis is built on a random
    subset of them (mgcv's ``max.knots``). ``E``: the thin-plate matrix of the locations when
    the caller has it already (it must be ``eta(|x_i - x_j|)``; no subset is drawn then).
    """
    nu = locations.shape[0]
    subset = nu > max_knots and E is None
    if subset:
        pick = np.sort(np.random.default_rng(random_state).choice(nu, max_knots, replace=False))
        basis_knots = locations[pick]
    else:
        basis_knots = locations
    nb = basis_knots.shape[0]
    if E is None:
        E = _eta_sq(basis_knots, basis_knots)
    evals, evecs = linalg.eigh(E, driver="evd")
    order = np.argsort(-np.abs(evals), kind="stable")[:k]
    D = evals[order]
    U = evecs[:, order]
    Tb = np.column_stack([np.ones(nb), basis_knots[:, 0], basis_knots[:, 1]])
    Q, _ = np.linalg.qr(U.T @ Tb, mode="complete")
    Z = Q[:, 3:]
    UZ = U @ Z
    T = np.column_stack([np.ones(nu), locations[:, 0], locations[:, 1]])
    if subset:
        # all distinct locations evaluated against the knot subset, as at prediction time
        X = np.column_stack([_eta_sq(locations, basis_knots) @ UZ, T])
    else:
        X = np.column_stack([(U * D) @ Z, T])  # E U_k = U_k D_k at the knots themselves
    S = np.zeros((k, k))
    S[: k - 3, : k - 3] = Z.T @ (D[:, None] * Z)
    return TPRSBasis(locations=locations, knots=basis_knots, UZ=UZ, X=X, S=0.5 * (S + S.T))


def _solver(X: np.ndarray, y: np.ndarray, w: np.ndarray, S: np.ndarray):
    """solve(rho) -> (beta, edf, rss) of the penalised weighted fit, the n and the scale."""
    k = S.shape[0]
    sw = np.sqrt(w)
    Xw = X * sw[:, None]
    yw = y * sw
    Qx, R = np.linalg.qr(Xw)
    f = Qx.T @ yw
    rss0 = max(float(yw @ yw - f @ f), 0.0)
    sev, svec = linalg.eigh(S)
    sev = np.clip(sev, 0.0, None)
    scale_s = np.linalg.norm(R.T @ R) / max(np.linalg.norm(S), 1e-300)
    Eroot = (np.sqrt(sev * scale_s)[:, None]) * svec.T  # Eroot' Eroot = scale_s * S

    # With R well conditioned, diagonalise R^-T S R^-1 = V L V' once: then the influence
    # matrix has eigenvalues 1 / (1 + lam L) and every GCV evaluation is O(k). Otherwise fall
    # back to a stable QR of [R; sqrt(lam) Eroot] per evaluation.
    if np.linalg.cond(R) < 1e8:
        Rinv_t = linalg.solve_triangular(R, np.eye(k), trans="T")  # R^-T
        Bm = Rinv_t @ (scale_s * S) @ Rinv_t.T
        L, V = linalg.eigh(0.5 * (Bm + Bm.T))
        L = np.clip(L, 0.0, None)
        g = V.T @ f

        def solve(rho: float):
            shrink = 1.0 / (1.0 + np.exp(rho) * L)
            edf = float(shrink.sum())
            rss = rss0 + float(np.sum(((1.0 - shrink) * g) ** 2))
            beta = linalg.solve_triangular(R, V @ (shrink * g))
            return beta, edf, rss
    else:
        def solve(rho: float):
            M = np.vstack([R, np.sqrt(np.exp(rho)) * Eroot])
            Q2, R2 = np.linalg.qr(M)
            Q1 = Q2[:k]
            edf = float(np.sum(Q1 * Q1))
            beta = linalg.solve_triangular(R2, Q1.T @ f)
            resid = f - R @ beta
            return beta, edf, rss0 + float(resid @ resid)
    return solve, scale_s


def gcv_fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, S: np.ndarray, *,
            grid: tuple[float, float, int] = (-20.0, 20.0, 41)):
    """Penalised weighted least squares with the smoothing parameter chosen by GCV.

    Minimises ``n * rss / (n - edf)^2`` over log lambda: a grid search then a Brent
    refinement (Craven & Wahba 1979). Returns ``(beta, edf, rss, lambda)``.
    """
    n = y.size
    solve, scale_s = _solver(X, y, w, S)

    def gcv(rho: float) -> float:
        _, edf, rss = solve(rho)
        return n * rss / (n - edf) ** 2

    rhos = np.linspace(*grid)
    scores = np.array([gcv(r) for r in rhos])
    i = int(np.nanargmin(scores))
    lo = rhos[max(i - 1, 0)]
    hi = rhos[min(i + 1, len(rhos) - 1)]
    if i in (0, len(rhos) - 1):
        rho = rhos[i]
    else:
        res = optimize.minimize_scalar(gcv, bracket=(lo, rhos[i], hi), method="brent",
                                       options={"xtol": 1e-10})
        rho = float(res.x) if res.fun <= scores[i] else rhos[i]
    beta, edf, rss = solve(rho)
    return beta, edf, rss, float(np.exp(rho) * scale_s)
