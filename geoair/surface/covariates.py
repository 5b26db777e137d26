"""Drift terms for universal kriging / kriging with external drift.

``drift="constant"`` is ordinary kriging; ``"linear"`` adds the projected coordinates (a planar
trend, universal kriging); each named covariate adds one column (kriging with external
drift). A covariate is either a callable ``f(x, y) -> array`` (metres in the projected CRS)
or a point layer (e.g. power and steel plants) turned into a Gaussian-kernel source density.

References
----------
Cressie, N. (1993). *Statistics for Spatial Data*, rev. ed., §3.4 (universal kriging).
Wackernagel, H. (2003). *Multivariate Geostatistics*, 3rd ed., Springer, ch. 37 (external drift).
Hoek, G. et al. (2008). A review of land-use regression models to assess spatial variation of
outdoor air pollution. *Atmos. Environ.* 42, 7561-7578 (source-density predictors).
"""

from __future__ import annotations

import numpy as np

from .._validation import GeoairInputError, check_option

__all__ = ["source_density", "drift_matrix", "DRIFTS"]

DRIFTS = ("constant", "linear")
_XY_SCALE = 1e5  # 100 km: keeps the coordinate drift columns near 1


def source_density(sources, xy: np.ndarray, *, crs: str, bandwidth: float = 20_000.0,
                   weight: str | None = "weight") -> np.ndarray:
    """Gaussian-kernel density of point sources at ``xy``.

    Parameters
    ----------
    sources : GeoDataFrame
        Points (any CRS), optionally with a ``weight`` column (capacity, emission).
    xy : ndarray (m, 2)
        Where to evaluate, metres in ``crs``.
    bandwidth : float
        Kernel standard deviation, metres (sources beyond 4 bandwidths ignored).
    weight : str, optional
        Column of source weights (1 per source when absent or ``None``).

    Returns
    -------
    ndarray (m,)
        ``sum_j w_j exp(-d_j^2 / (2 h^2))`` (weight units; dimensionless kernel).
    """
    from scipy.spatial import cKDTree

    if sources.crs is None:
        raise GeoairInputError("The source layer has no CRS.",
                               fix="Set it, e.g. sources.set_crs('EPSG:4326').")
    pts = sources.geometry.to_crs(crs)
    sxy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    w = np.ones(len(sxy))
    if weight is not None and weight in sources.columns:
        w = np.nan_to_num(np.asarray(sources[weight], dtype=float), nan=0.0)
    keep = np.isfinite(sxy).all(axis=1)
    sxy, w = sxy[keep], w[keep]
    out = np.zeros(len(xy))
    if len(sxy) == 0 or len(xy) == 0:
        return out
    pairs = cKDTree(xy).sparse_distance_matrix(cKDTree(sxy), 4 * bandwidth, output_type="coo_matrix")
    np.add.at(out, pairs.row, w[pairs.col] * np.exp(-0.5 * (pairs.data / bandwidth) ** 2))
    return out


def _covariate(spec, name: str, xy: np.ndarray, crs: str, bandwidth: float) -> np.ndarray:
    if callable(spec):
        vals = np.asarray(spec(xy[:, 0], xy[:, 1]), dtype=float)
    elif hasattr(spec, "geometry"):
        vals = np.log1p(source_density(spec, xy, crs=crs, bandwidth=bandwidth))
    else:
        raise GeoairInputError(f"Covariate {name!r} must be a point layer or a callable f(x, y).",
                               received=type(spec).__name__,
                               fix="Pass e.g. covariates={'plants': datasets.load_power_plants()}.")
    if vals.shape != (len(xy),) or not np.isfinite(vals).all():
        raise GeoairInputError(f"Covariate {name!r} must give one finite number per location.",
                               received=dict(shape=vals.shape, n_nonfinite=int((~np.isfinite(vals)).sum())),
                               fix="Return an array of len(x) finite values.")
    return vals


def drift_matrix(xy: np.ndarray, *, drift: str = "constant", covariates=None, crs: str = "",
                 bandwidth: float = 20_000.0, center: np.ndarray | None = None) -> np.ndarray:
    """Columns of the drift: 1, optionally x and y (scaled), then covariates.

    Parameters
    ----------
    xy : ndarray (m, 2)
        Locations, metres.
    drift : {"constant", "linear"}
    covariates : dict, optional
        Name -> point layer or callable ``f(x, y)``.
    center : ndarray (2,), optional
        Origin for the coordinate columns (the stations' mean, so that stations and targets
        share it).

    Returns
    -------
    ndarray (m, p)
    """
    check_option("drift", drift, DRIFTS)
    cols = [np.ones(len(xy))]
    if drift == "linear":
        c = np.zeros(2) if center is None else center
        cols += [(xy[:, 0] - c[0]) / _XY_SCALE, (xy[:, 1] - c[1]) / _XY_SCALE]
    for name, spec in (covariates or {}).items():
        cols.append(_covariate(spec, name, xy, crs, bandwidth))
    return np.column_stack(cols)
