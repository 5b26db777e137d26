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

__all__ = ["Result", "krige_targets", "idw_targets", "chunks"]


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
        off = model.covariance(pdist(pts)).sum() * 2.0
        out[b] = (off + n * model.var) / (n * n)
    return out


def _finish(m, v, transform: str, z: float):
    v = np.maximum(v, 0.0)
    s = np.sqrt(v)
    if transform == "log":
        return np.exp(m + v / 2.0), np.exp(m - z * s), np.exp(m + z * s), s
    return m, m - z * s, m + z * s, s


def _day_chunk(sys, k0, d_center, f_t, tg_slice, is_polygon, transform, z, rng):
    """One day, one chunk: (estimate, lower, upper, se, n within range) per target."""
    starts, cbar = tg_slice
    model, scale = sys.model, sys.scale
    k = scale * k0 if k0 is not None else _kriging.cov(model, d_center[0], scale)
    mean, red, v = _kriging.predict(sys, k, f_t)
    n_in = (d_center[1][sys.idx] <= rng).sum(axis=0)
    if not is_polygon:
        var = scale * model.sill - red
        return (*_finish(mean, var, transform, z), n_in)
    pvar = np.maximum(scale * model.var - red, 0.0)
    counts = np.diff(np.r_[starts, len(mean)])
    mb = np.add.reduceat(mean, starts) / counts
    vb = np.maximum(scale * cbar - _kriging.block_average(sys, v, f_t, starts), 0.0)
    if transform == "log":
        est = np.add.reduceat(np.exp(mean + pvar / 2.0), starts) / counts
        sb = np.sqrt(vb)
        return est, est * np.exp(-vb / 2 - z * sb), est * np.exp(-vb / 2 + z * sb), sb, n_in
    return (*_finish(mb, vb, transform, z), n_in)


def krige_targets(systems, vario, station_xy, targets, f_targets, *, transform: str, z: float,
                  chunk_size: int = 20_000, progress: bool = False) -> Result:
    """Kriging estimates for every day system at every target."""
    from scipy.spatial.distance import cdist

    n_days, k = len(systems), len(targets.starts)
    out = [np.full((n_days, k), np.nan) for _ in range(4)] + [np.zeros((n_days, k), dtype=np.int32)]
    pooled = all(s is None or s.model is vario.model_ for s in systems)
    parts = list(chunks(targets.starts, len(targets.xy), chunk_size))
    for t0, t1 in _progress(parts, progress):
        p0 = targets.starts[t0]
        p1 = targets.starts[t1] if t1 < len(targets.starts) else len(targets.xy)
        xy = targets.xy[p0:p1]
        starts = targets.starts[t0:t1] - p0
        dist = cdist(station_xy, xy)
        dc = cdist(station_xy, targets.center[t0:t1])
        k0 = vario.model_.covariance(dist) if pooled else None
        cbar: dict[int, np.ndarray] = {}
        for d, sys in enumerate(systems):
            if sys is None:
                continue
            if targets.is_polygon and id(sys.model) not in cbar:
                cbar[id(sys.model)] = _block_cbar(sys.model, xy, starts)
            rng = float(sys.model.percentile_scale(0.95))
            res = _day_chunk(sys, None if k0 is None else k0[sys.idx], (dist[sys.idx], dc),
                             f_targets[p0:p1], (starts, cbar.get(id(sys.model))),
                             targets.is_polygon, transform, z, rng)
            for arr, val in zip(out, res, strict=True):
                arr[d, t0:t1] = val
    return Result(*out)


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
