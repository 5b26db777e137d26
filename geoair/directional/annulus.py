"""Polar annulus: a pollutant by wind direction and time of day (openair ``polarAnnulus``).

The binned means (24 hours x 37 direction bins) are exactly openair's. The surface is a
tensor-product penalised regression spline of sqrt(mean) on (trend, wd): a thin-plate
regression spline basis (k = 20) in the time axis times a cyclic cubic regression spline
(k = 10, knots through the data as mgcv's ``place.knots``) in direction, marginals
re-parameterised as mgcv's ``te(..., np = TRUE)``, two smoothing parameters chosen by GCV
(Nelder-Mead from a grid, where mgcv uses Newton): the structure of openair's
``gam(mean^0.5 ~ te(trend, wd, k = c(20, 10), bs = c("tp", "cc")))``. This construction was
written from the mgcv documentation and has NOT been compared with openair/mgcv output (no
reference numbers were available), so agreement with openair's annulus surface is unverified.

References
----------
Carslaw, D. C. & Ropkins, K. (2012). openair. *Environ. Model. Softw.* 27-28, 52-61.
Wood, S. N. (2006). Low-rank scale-invariant tensor product smooths for generalized additive
mixed models. *Biometrics* 62(4), 1025-1036.
Wood, S. N. (2017). *Generalized Additive Models*, 2nd ed., 5.3.2 (cyclic cubic splines).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import linalg, optimize

from .._attrs import FrameAttr
from .._validation import GeoairInputError, check_option
from ..schema import attach_units, value_unit
from ._prep import prepare, r_seq, time_column

__all__ = ["polar_annulus"]


def _tp1d(x: np.ndarray, k: int):
    """1-D thin-plate regression spline (m = 2): basis at x and a predictor for new x."""
    knots = np.unique(x)
    if knots.size < k:
        raise GeoairInputError(f"Only {knots.size} distinct time values for k={k}.",
                               fix="Use more data or a smaller k.")
    E = np.abs(knots[:, None] - knots[None, :]) ** 3 / 12.0
    ev, U = linalg.eigh(E)
    order = np.argsort(-np.abs(ev), kind="stable")[:k]
    D, U = ev[order], U[:, order]
    T = np.column_stack([np.ones(knots.size), knots])
    Q, _ = np.linalg.qr(U.T @ T, mode="complete")
    Z = Q[:, 2:]
    UZ = U @ Z
    S = np.zeros((k, k))
    S[: k - 2, : k - 2] = Z.T @ (D[:, None] * Z)

    def basis(xn):
        e = np.abs(np.asarray(xn, float)[:, None] - knots[None, :]) ** 3 / 12.0
        return np.column_stack([e @ UZ, np.ones(len(xn)), xn])

    return basis, 0.5 * (S + S.T)


def _place_knots(x: np.ndarray, nk: int) -> np.ndarray:
    """mgcv ``place.knots``: nk knots evenly spread through the sorted distinct values of x."""
    x = np.unique(x)
    n = x.size
    if n <= nk:
        return x
    delta = (n - 1) / (nk - 1)
    j = np.arange(1, nk - 1)
    lbi = np.floor(delta * j).astype(int)  # 0-based index of R's lbi - 1
    frac = delta * j - lbi
    knots = np.empty(nk)
    knots[0], knots[-1] = x[0], x[-1]
    knots[1:-1] = x[lbi] * (1 - frac) + x[lbi + 1] * frac
    return knots


def _cc(xk: np.ndarray):
    """Cyclic cubic regression spline on knots xk (period xk[-1] - xk[0]; k-1 parameters)."""
    xk = np.asarray(xk, float)
    lo, hi = xk[0], xk[-1]
    k = xk.size
    h = np.diff(xk)
    n = k - 1
    B = np.zeros((n, n))
    Dm = np.zeros((n, n))
    for i in range(n):
        hm, hi_ = h[i - 1], h[i]
        B[i, i] = (hm + hi_) / 3
        B[i, (i - 1) % n] += hm / 6
        B[i, (i + 1) % n] += hi_ / 6
        Dm[i, i] = -1 / hm - 1 / hi_
        Dm[i, (i - 1) % n] += 1 / hm
        Dm[i, (i + 1) % n] += 1 / hi_
    BinvD = np.linalg.solve(B, Dm)
    S = Dm.T @ BinvD

    def basis(xn):
        xn = lo + np.mod(np.asarray(xn, float) - lo, hi - lo)
        j = np.clip(np.searchsorted(xk, xn, side="right") - 1, 0, n - 1)
        hj = h[j]
        am = (xk[j + 1] - xn) / hj
        ap = (xn - xk[j]) / hj
        cm = ((xk[j + 1] - xn) ** 3 / hj - hj * (xk[j + 1] - xn)) / 6
        cp = ((xn - xk[j]) ** 3 / hj - hj * (xn - xk[j])) / 6
        X = np.zeros((xn.size, n))
        rows = np.arange(xn.size)
        X[rows, j] += am
        X[rows, (j + 1) % n] += ap
        X += cm[:, None] * BinvD[j] + cp[:, None] * BinvD[(j + 1) % n]
        return X

    return basis, 0.5 * (S + S.T)


def _rowkron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a[:, :, None] * b[:, None, :]).reshape(a.shape[0], -1)


def _np_reparam(basis, S, x, p):
    """mgcv ``te(..., np = TRUE)``: re-parameterise a marginal so that its coefficients are the
    function values at ``p`` evenly spaced points over the data range; skipped (as mgcv) when
    that matrix is near singular, e.g. for a cyclic margin whose end points coincide."""
    knt = np.linspace(x.min(), x.max(), p)
    u_, d_, vt = np.linalg.svd(basis(knt))
    if d_[-1] / d_[0] < np.finfo(float).eps ** 0.66:
        return basis, S
    P = vt.T @ (u_.T / d_[:, None])
    return (lambda xn: basis(xn) @ P), P.T @ S @ P


def _fit_te(t, wd, y, k=(20, 10)):
    bt, St = _tp1d(t, k[0])
    # mgcv's cc places the knots through the data (here 10..360), so the period is the data range
    bw, Sw = _cc(_place_knots(wd, k[1]))
    bt, St = _np_reparam(bt, St, t, St.shape[0])
    bw, Sw = _np_reparam(bw, Sw, wd, Sw.shape[0])
    X = _rowkron(bt(t), bw(wd))
    S1 = np.kron(St, np.eye(Sw.shape[0]))
    S2 = np.kron(np.eye(St.shape[0]), Sw)
    n, p = X.shape
    Q, R = np.linalg.qr(X)
    f = Q.T @ y
    rss0 = max(float(y @ y - f @ f), 0.0)
    nrm = np.linalg.norm(R.T @ R)

    def root(S):
        ev, V = linalg.eigh(S * nrm / np.linalg.norm(S))
        return np.sqrt(np.clip(ev, 0, None))[:, None] * V.T

    E1, E2 = root(S1), root(S2)

    def solve(rho):
        M = np.vstack([R, np.exp(rho[0] / 2) * E1, np.exp(rho[1] / 2) * E2])
        Q2, R2 = np.linalg.qr(M)
        Q1 = Q2[:p]
        edf = float(np.sum(Q1 * Q1))
        beta = linalg.solve_triangular(R2, Q1.T @ f)
        r = f - R @ beta
        return beta, edf, rss0 + float(r @ r)

    def gcv(rho):
        _, edf, rss = solve(rho)
        return n * rss / (n - edf) ** 2

    grid = np.arange(-12, 13, 4.0)
    best = min(((a, b) for a in grid for b in grid), key=lambda r: gcv(np.array(r)))
    res = optimize.minimize(gcv, np.array(best, float), method="Nelder-Mead",
                            options={"xatol": 1e-4, "fatol": 1e-12})
    beta, edf, rss = solve(res.x)
    return (lambda tn, wn: _rowkron(bt(tn), bw(wn)) @ beta), {"edf": edf, "gcv": n * rss / (n - edf) ** 2,
                                                             "log_lambda": res.x.tolist(), "n_fit": n}


def polar_annulus(
    data: pd.DataFrame,
    pollutant: str,
    *,
    period: str = "hour",
    wd: str = "wd",
    time: str | None = None,
    k: tuple[int, int] = (20, 10),
    resolution: int = 201,
    exclude_missing: bool = True,
    force_positive: bool = True,
) -> pd.DataFrame:
    """Pollutant by wind direction and hour of day on an annulus (openair ``polarAnnulus``).

    Parameters
    ----------
    data : DataFrame
        With time (``time``/``date``), wind direction (degrees FROM north) and the pollutant.
    pollutant : str
        Concentration column.
    period : {"hour"}
        Time axis (openair's default; hour of day in the time column's own zone).
    k : (int, int)
        Basis dimensions in time and direction.
    resolution : int
        Prediction points per axis (openair "fine" = 201).
    exclude_missing : bool
        Mask predictions farther than 0.03 (unit-square distance) from any occupied bin.
    force_positive : bool
        Fit sqrt(mean) and square the prediction.

    Returns
    -------
    DataFrame
        openair's ``$data`` layout: ``u, v`` on ``seq(-20, 20, by = 0.1)`` (u fastest, 401 x 401),
        ``z`` (pollutant units; NaN outside the annulus 10 <= radius <= 20 and where masked),
        ``wd`` (degrees), ``time_val`` (radius - 10, i.e. 10 * hour / 23) and ``hour``.
        ``attrs``: ``binned`` (wd_bin, time_bin, mean, n, trend, hour, wd), ``prediction``
        (the 201 x 201 (trend, wd) surface), ``fit`` (edf, GCV), ``droplog``.
    """
    check_option("period", period, ["hour"])
    tcol = time_column(data, time)
    if tcol is None:
        raise GeoairInputError("polar_annulus needs a time column.",
                               received=list(map(str, data.columns))[:20],
                               fix="Add a 'time' (or 'date') column or pass time=.")
    frame = data[[tcol, wd, pollutant]].copy()
    t = frame[tcol]
    if not pd.api.types.is_datetime64_any_dtype(t):
        t = pd.to_datetime(t, utc=True)
    frame["__hour__"] = t.dt.hour.astype(float)
    # openair duplicates wd = 360 rows as wd = 0 before binning
    dup = frame[frame[wd] == 360].assign(**{wd: 0.0})
    frame = pd.concat([frame, dup], ignore_index=True)
    clean, log = prepare(frame, ["__hour__", wd, pollutant], ws=None, wd=wd, wd0_as_north=False)
    params = {"pollutant": pollutant, "period": period, "k": tuple(k), "resolution": resolution,
              "reference": "openair 2.17 polarAnnulus"}
    cols = ["u", "v", "z", "wd", "time_val", "hour"]
    if clean.empty:
        out = pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
        out.attrs = {"droplog": log, "params": params}
        return attach_units(out, _units(pollutant))
    g = _annulus_bins(clean["__hour__"].to_numpy(), clean[wd].to_numpy(float),
                      clean[pollutant].to_numpy(float))
    zz, TT, WW, info = _annulus_surface(g, k, resolution, exclude_missing, force_positive)
    out = _annulus_frame(zz.reshape(resolution, resolution), resolution)  # [wd, time]
    prediction = pd.DataFrame({"trend": TT, "hour": TT * 23 / 10, "wd": WW, "z": zz})
    out.attrs = {"binned": FrameAttr(g), "fit": info, "droplog": log, "params": params,
                 "prediction": FrameAttr(prediction)}
    return attach_units(out, _units(pollutant))


def _units(pollutant: str) -> dict:
    """``attrs["units"]`` of the annulus frame."""
    return {"u": "1 (plot coordinate)", "v": "1 (plot coordinate)", "z": value_unit(pollutant),
            "wd": "degree (from north)", "time_val": "1 (radius - 10)", "hour": "hour of day (local time)"}


def _annulus_bins(hour: np.ndarray, d: np.ndarray, z: np.ndarray) -> pd.DataFrame:
    """openair's (wd bin, time bin) means: 37 direction bins x 24 hour bins."""
    trend = 10 * hour / 23
    breaks = r_seq(0.0, 360.0, 38)
    # cut(wd, seq(0, 360, length = 38), include.lowest = TRUE): right-closed, 0 in bin 1
    b = np.clip(np.searchsorted(breaks, d, side="left"), 1, 37)
    # cut(trend, seq(0, 10, length = 25), include.lowest = TRUE); bin i drawn at 10 (i-1)/23
    tbreaks = r_seq(0.0, 10.0, 25)
    ti = np.clip(np.searchsorted(tbreaks, trend, side="left"), 1, 24)
    tb = pd.DataFrame({"time_bin": ti, "wd_bin": b, "z": z})
    g = tb.groupby(["wd_bin", "time_bin"], sort=True)["z"].agg(["mean", "size"]).reset_index()
    g = g.rename(columns={"size": "n"})
    time_seq = r_seq(0.0, 10.0, 24)
    g["trend"] = time_seq[g["time_bin"].to_numpy() - 1]
    g["hour"] = g["trend"] * 23 / 10
    g["wd"] = 10.0 * (g["wd_bin"] - 1)  # openair places the 9.73 degree bins at 0, 10, ..., 360
    return g


def _annulus_surface(g: pd.DataFrame, k, resolution: int, exclude_missing: bool,
                     force_positive: bool):
    """Tensor-product fit of the bin means and its (time fastest) prediction grid."""
    from threadpoolctl import threadpool_limits

    y = np.sqrt(g["mean"].to_numpy()) if force_positive else g["mean"].to_numpy()
    ok = np.isfinite(y)
    # small dense problems: BLAS threads only add contention
    with threadpool_limits(limits=1, user_api="blas"):
        predict, info = _fit_te(g["trend"].to_numpy()[ok], g["wd"].to_numpy()[ok], y[ok], k)
    tr = r_seq(0.0, 10.0, resolution)
    wg = r_seq(0.0, 360.0, resolution)
    TT = np.tile(tr, resolution)  # time fastest, as openair's expand.grid
    WW = np.repeat(wg, resolution)
    with threadpool_limits(limits=1, user_api="blas"):
        pred = predict(TT, WW)
    zz = pred**2 if force_positive else pred
    if exclude_missing:
        from .polar import exclude_too_far

        far = exclude_too_far(TT, WW, g["trend"].to_numpy(), g["wd"].to_numpy(), 0.03)
        zz = np.where(far, np.nan, zz)
    return zz, TT, WW, info


def _annulus_frame(pred_mat: np.ndarray, resolution: int) -> pd.DataFrame:
    """openair's annulus: u, v on seq(-20, 20, by = 0.1) (u fastest); radius 10 + time.

    Each point takes the prediction at the nearest (time, wd) grid node (R's round, half to
    even).
    """
    step = 20.0 / (resolution - 1)
    axis = np.round(np.arange(-20.0, 20.0 + step / 2, step), 10)
    U = np.tile(axis, axis.size)
    V = np.repeat(axis, axis.size)
    r = np.sqrt(U**2 + V**2)
    time_val = r - 10.0
    wdir = 180 * np.arctan2(U, V) / np.pi
    wdir = np.where(wdir < 0, wdir + 360, wdir)
    inside = (r <= 20.0) & (r >= 10.0)
    it = np.rint((resolution - 1) * time_val / 10).astype(np.int64)
    iw = np.rint((resolution - 1) * wdir / 360).astype(np.int64)
    zout = np.full(U.size, np.nan)
    zout[inside] = pred_mat[iw[inside], it[inside]]
    out = pd.DataFrame({"u": U, "v": V, "z": zout,
                        "wd": np.where(inside, wdir, np.nan),
                        "time_val": np.where(inside, time_val, np.nan)})
    out["hour"] = out["time_val"] * 23 / 10
    return out
