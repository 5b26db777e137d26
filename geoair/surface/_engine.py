"""Evaluate fitted day systems at targets, chunk by chunk, and back-transform.

Back-transform of the log scale (lognormal kriging): with ``m`` and ``s2`` the kriging mean
and variance of the log concentration at a point, the predictive distribution is taken as
``N(m, s2)`` and the estimate is its mean ``exp(m + s2 / 2)``; the interval is the
exponentiated normal quantiles ``exp(m -/+ z s)``. For a polygon the estimate is the mean of
its sample points' ``exp(m_i + s2_i / 2)`` (exact for the mean of the block's concentrations
under that distribution), and the interval scales it by ``exp(-s2_B / 2 -/+ z s_B)`` with
``s2_B`` the block kriging variance of the mean log concentration (a lognormal
approximation of the block mean).

References
----------
Cressie, N. (1993). *Statistics for Spatial Data*, rev. ed., §3.2.2 (lognormal kriging).
Journel, A. G. (1980). The lognormal approach to predicting local distributions of selective
mining unit grades. *Mathematical Geology* 12(4), 285-303.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _kriging
from .idw import idw_weights

__all__ = ["Result", "krige_targets", "idw_targets", "chunks", "blas_threads"]


@dataclass
class Result:
    """Arrays (days x targets) on the concentration scale, plus the model-scale SE."""

    estimate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    se: np.ndarray
    n_stations: np.ndarray


def chunks(starts: np.ndarray, n_points: int, size: int):
    """Target ranges ``(t0, t1)`` holding at most ``size`` sample points (whole targets)."""
    ends = np.r_[starts[1:], n_points]
    t0 = 0
    while t0 < len(starts):
        limit = starts[t0] + size
        t1 = max(t0 + 1, int(np.searchsorted(ends, limit, side="right")))
        yield t0, t1
        t0 = t1


def _block_cbar(model, xy: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Mean covariance (no nugget, unit scale) between the sample points of each block."""
    from scipy.spatial.distance import pdist

    counts = np.diff(np.r_[starts, len(xy)])
    out = np.full(len(starts), float(model.var))
    for b in np.flatnonzero(counts > 1):
        pts = xy[starts[b]:starts[b] + counts[b]]
        n = len(pts)
        off = _kriging.cov(model, pdist(pts)).sum() * 2.0
        out[b] = (off + n * model.var) / (n * n)
    return out


def _finish(m, v, transform: str, z: float):
    v = np.maximum(v, 0.0)
    s = np.sqrt(v)
    if transform == "log":
        return np.exp(m + v / 2.0), np.exp(m - z * s), np.exp(m + z * s), s
    return m, m - z * s, m + z * s, s


def _gr2(sys, r: np.ndarray) -> np.ndarray:
    from scipy.linalg import solve_triangular

    gr = solve_triangular(sys.g_chol, r, lower=True, check_finite=False)
    return np.einsum("ij,ij->j", gr, gr)


@dataclass
class _Chunk:
    """One chunk of targets: sample points, their drift, block layout and covariances."""

    xy: np.ndarray         # sample points (m, 2)
    dist: np.ndarray       # stations x sample points
    dc: np.ndarray         # stations x target centres
    f: np.ndarray          # drift at sample points, then block means (polygons)
    starts: np.ndarray     # first sample point of each target (chunk-relative)
    k0: dict               # id(model) -> unit covariances [points | block means]
    cbar: dict             # id(model) -> mean within-block covariance
    pool: dict             # id(model) -> (y, kty, fty) for the pooled shortcut


def _k0(ch: _Chunk, model, is_polygon: bool) -> np.ndarray:
    key = id(model)
    if key not in ch.k0:
        k = _kriging.cov(model, ch.dist)
        if is_polygon:
            counts = np.diff(np.r_[ch.starts, k.shape[1]])
            k = np.hstack([k, np.add.reduceat(k, ch.starts, axis=1) / counts])
        ch.k0[key] = k
    return ch.k0[key]


def _stats(sys, ch: _Chunk, pool, is_polygon: bool, mean=None):
    """Model-scale means and variance reductions at [points | block means] for one day.

    With the pooled shortcut ``mean`` comes precomputed for all days (:func:`_pool_means`).
    """
    k0 = _k0(ch, sys.model, is_polygon)
    s = sys.scale
    if pool is not None:
        if id(sys.model) not in ch.pool:
            kp = k0[pool.cols]
            y = pool.p @ kp
            ch.pool[id(sys.model)] = (kp, y, np.einsum("ij,ij->j", kp, y), pool.f.T @ y)
        kp, y, kty, fty = ch.pool[id(sys.model)]
        miss = np.setdiff1d(np.arange(len(pool.cols)), np.searchsorted(pool.cols, sys.idx))
        q0, fck = _kriging.pool_day(pool, kp, y, kty, fty, miss)
        return mean, s * q0 - _gr2(sys, ch.f.T - fck)
    mean, red, _ = _kriging.predict(sys, s * k0[sys.idx], ch.f)
    return mean, red


def _pool_means(systems, ch: _Chunk, model, n_stations: int, is_polygon: bool) -> np.ndarray:
    """Kriging means of all days at once: ``f beta_d + s_d k' alpha_d`` (targets x days)."""
    k0 = _k0(ch, model, is_polygon)
    alpha = np.zeros((n_stations, len(systems)))
    beta = np.zeros((ch.f.shape[1], len(systems)))
    for d, sys in enumerate(systems):
        if sys is not None:
            alpha[sys.idx, d] = sys.scale * sys.alpha
            beta[:, d] = sys.beta
    return k0.T @ alpha + ch.f @ beta


def _within(systems, ch: _Chunk, ranges: dict, n_stations: int) -> np.ndarray:
    """Stations with a value within each day's practical range of each target (days x k)."""
    out = np.zeros((len(systems), ch.dc.shape[1]), dtype=np.int32)
    for key, rng in ranges.items():
        days = [d for d, s in enumerate(systems) if s is not None and id(s.model) == key]
        avail = np.zeros((len(days), n_stations), dtype=np.float32)
        for i, d in enumerate(days):
            avail[i, systems[d].idx] = 1.0
        out[days] = np.rint(avail @ (ch.dc <= rng).astype(np.float32)).astype(np.int32)
    return out


def _day_chunk(sys, ch: _Chunk, pool, is_polygon, transform, z, mean=None):
    """One day, one chunk: (estimate, lower, upper, se) per target."""
    model, scale = sys.model, sys.scale
    mean, red = _stats(sys, ch, pool, is_polygon, mean)
    if not is_polygon:
        return _finish(mean, scale * model.sill - red, transform, z)
    m = ch.dist.shape[1]
    pvar = np.maximum(scale * model.var - red[:m], 0.0)
    counts = np.diff(np.r_[ch.starts, m])
    if id(model) not in ch.cbar:
        ch.cbar[id(model)] = _block_cbar(model, ch.xy, ch.starts)
    vb = np.maximum(scale * ch.cbar[id(model)] - red[m:], 0.0)
    if transform == "log":
        est = np.add.reduceat(np.exp(mean[:m] + pvar / 2.0), ch.starts) / counts
        sb = np.sqrt(vb)
        return est, est * np.exp(-vb / 2 - z * sb), est * np.exp(-vb / 2 + z * sb), sb
    return _finish(mean[m:], vb, transform, z)


def _make_chunk(station_xy, targets, f_targets, t0, t1, is_polygon) -> _Chunk:
    from scipy.spatial.distance import cdist

    p0 = targets.starts[t0]
    p1 = targets.starts[t1] if t1 < len(targets.starts) else len(targets.xy)
    starts = targets.starts[t0:t1] - p0
    f = f_targets[p0:p1]
    if is_polygon:
        counts = np.diff(np.r_[starts, p1 - p0])
        f = np.vstack([f, np.add.reduceat(f, starts, axis=0) / counts[:, None]])
    xy = targets.xy[p0:p1]
    return _Chunk(xy=xy, dist=cdist(station_xy, xy), dc=cdist(station_xy, targets.center[t0:t1]),
                  f=f, starts=starts, k0={}, cbar={}, pool={})


def krige_targets(systems, vario, station_xy, f_stations, targets, f_targets, *, transform: str,
                  z: float, chunk_size: int = 20_000, progress: bool = False) -> Result:
    """Kriging estimates for every day system at every target."""
    n_days, k = len(systems), len(targets.starts)
    out = [np.full((n_days, k), np.nan) for _ in range(4)] + [np.zeros((n_days, k), dtype=np.int32)]
    live = [s for s in systems if s is not None]
    model = vario.model_
    pool = None
    if live and all(s.model is model for s in live) and model.nugget > 1e-4 * model.sill:
        cols = np.unique(np.concatenate([s.idx for s in live]))
        pool = _kriging.make_pool(model, station_xy, f_stations, cols)
    ranges = {id(s.model): float(s.model.percentile_scale(0.95)) for s in live}
    n_st = len(station_xy)
    for t0, t1 in _progress(list(chunks(targets.starts, len(targets.xy), chunk_size)), progress):
        ch = _make_chunk(station_xy, targets, f_targets, t0, t1, targets.is_polygon)
        means = None if pool is None else _pool_means(systems, ch, model, n_st, targets.is_polygon)
        out[4][:, t0:t1] = _within(systems, ch, ranges, n_st)
        for d, sys in enumerate(systems):
            if sys is None:
                continue
            res = _day_chunk(sys, ch, pool, targets.is_polygon, transform, z,
                             None if means is None else means[:, d])
            for arr, val in zip(out[:4], res, strict=True):
                arr[d, t0:t1] = val
    return Result(*out)


def blas_threads():
    """BLAS threads from ``geoair.get_options()["n_jobs"]`` (1 by default; -1 all cores)."""
    from threadpoolctl import threadpool_limits

    from ..options import get_options

    n = get_options()["n_jobs"]
    return threadpool_limits(limits=None if n == -1 else n, user_api="blas")


def idw_targets(raw, station_xy, targets, *, power: float, factors, range_m: float,
                chunk_size: int = 20_000, progress: bool = False) -> Result:
    """IDW estimates (block mean of sample points) with jackknife interval factors."""
    from scipy.spatial.distance import cdist

    n_days, k = raw.shape[0], len(targets.starts)
    est = np.full((n_days, k), np.nan)
    n_in = np.zeros((n_days, k), dtype=np.int32)
    for t0, t1 in _progress(list(chunks(targets.starts, len(targets.xy), chunk_size)), progress):
        p0 = targets.starts[t0]
        p1 = targets.starts[t1] if t1 < len(targets.starts) else len(targets.xy)
        dist = cdist(station_xy, targets.xy[p0:p1])
        dc = cdist(station_xy, targets.center[t0:t1])
        starts = targets.starts[t0:t1] - p0
        counts = np.diff(np.r_[starts, p1 - p0])
        for d, vals in enumerate(raw):
            ok = np.isfinite(vals)
            if not ok.any():
                continue
            pt = idw_weights(dist[ok], power).T @ vals[ok]
            est[d, t0:t1] = np.add.reduceat(pt, starts) / counts
            n_in[d, t0:t1] = (dc[ok] <= range_m).sum(axis=0)
    lo, hi = factors
    return Result(est, est * lo, est * hi, np.full_like(est, np.nan), n_in)


def _progress(parts, progress: bool):
    if progress and len(parts) > 1:
        from tqdm.auto import tqdm

        return tqdm(parts, desc="surface", unit="chunk")
    return parts
