"""Concentration surfaces and area means from station values, with intervals.

:func:`estimate` interpolates daily (or period) station values to points or polygons by
ordinary / universal kriging of log concentrations (variogram fitted with GSTools, pooled over
days by default) or, as a baseline, inverse-distance weighting.

References
----------
Cressie, N. (1993). *Statistics for Spatial Data*, rev. ed., Wiley, ch. 3.
Journel, A. G. and Huijbregts, C. J. (1978). *Mining Geostatistics*, Academic Press.
See :mod:`geoair.surface._engine` for the back-transform and :mod:`geoair.surface.variogram`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import GeoairInputError, check_option
from ..hotspot.aggregate import GRID_CRS
from ..options import get_options
from . import _kriging
from ._data import Prepared, prepare
from ._engine import blas_threads, idw_targets, krige_targets
from .covariates import drift_matrix
from .idw import idw_loo, jackknife_factors
from .targets import make_targets
from .variogram import Variogram

__all__ = ["estimate", "fit_surface", "run_method", "METHODS"]

METHODS = ("kriging", "idw")


def _z(level: float) -> float:
    from scipy.stats import norm

    if not 0.0 < level < 1.0:
        raise GeoairInputError("level must be between 0 and 1.", received=level, fix="Use e.g. 0.9.")
    return float(norm.ppf(0.5 + level / 2.0))


def _residuals(z: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Per-day OLS residuals of ``z`` on the drift columns (NaN kept)."""
    res = np.full_like(z, np.nan)
    for d, row in enumerate(z):
        ok = np.isfinite(row)
        if ok.sum() <= f.shape[1]:
            continue
        beta = np.linalg.lstsq(f[ok], row[ok], rcond=None)[0]
        res[d, ok] = row[ok] - f[ok] @ beta
    return res


def fit_surface(prep: Prepared, *, variogram="pooled", model: str = "matern",
                drift: str = "constant", covariates=None, bandwidth: float = 20_000.0):
    """Fit the variogram and factorise one kriging system per day.

    Returns
    -------
    systems : list of System or None
        ``None`` for a date whose system has fewer stations than drift terms.
    vario : Variogram
        The fitted variogram.
    spec : dict
        Drift settings for evaluating targets (``center`` of the coordinate drift).
    """
    center = np.nanmean(prep.xy, axis=0)
    spec = dict(drift=drift, covariates=covariates, crs=prep.crs, bandwidth=bandwidth, center=center)
    f_st = drift_matrix(prep.xy, **spec)
    if isinstance(variogram, Variogram):
        vario = variogram
    else:
        check_option("variogram", variogram, ("pooled", "daily"))
        vario = Variogram(model=model, pooling=variogram)
    vario.fit(_residuals(prep.z, f_st), prep.xy)
    systems = []
    for d, row in enumerate(prep.z):
        idx = np.flatnonzero(np.isfinite(row))
        if len(idx) <= f_st.shape[1]:
            systems.append(None)
            continue
        systems.append(_kriging.build(vario.day_models_[d], float(vario.scale_[d]), prep.xy[idx],
                                      row[idx], f_st[idx], idx))
    return systems, vario, spec


def run_method(prep: Prepared, targets, *, method: str, variogram, model: str, drift: str,
               covariates, bandwidth: float, transform: str, level: float, power: float,
               chunk_size: int):
    """Fit and evaluate ``method`` at ``targets``: (engine Result, fitted Variogram or None).

    IDW fits the variogram only to count the stations within its range (all stations when
    it cannot be fitted).
    """
    progress = bool(get_options().get("progress", False))
    if method == "kriging":
        systems, vario, spec = fit_surface(prep, variogram=variogram, model=model, drift=drift,
                                           covariates=covariates, bandwidth=bandwidth)
        res = krige_targets(systems, vario, prep.xy, drift_matrix(prep.xy, **spec), targets,
                            drift_matrix(targets.xy, **spec), transform=transform, z=_z(level),
                            chunk_size=chunk_size, progress=progress)
        return res, vario
    try:
        _, vario, _ = fit_surface(prep, model=model)
    except GeoairInputError:
        vario = None
    pred = idw_loo(prep.raw, prep.xy, power=power)
    res = idw_targets(prep.raw, prep.xy, targets, power=power,
                      range_m=np.inf if vario is None else vario.range_,
                      factors=jackknife_factors(prep.raw.ravel(), pred.ravel(), level),
                      chunk_size=chunk_size, progress=progress)
    return res, vario


def _observed(prep: Prepared, station_target: np.ndarray, n_targets: int) -> np.ndarray:
    obs = np.zeros((len(prep.dates), n_targets), dtype=bool)
    has = station_target >= 0
    for d, row in enumerate(prep.raw):
        ok = has & np.isfinite(row)
        obs[d, station_target[ok]] = True
    return obs


def _tidy(prep: Prepared, targets, res, observed: np.ndarray, method: str) -> pd.DataFrame:
    n_days, k = res.estimate.shape
    out = pd.DataFrame({
        "id": np.tile(targets.ids, n_days),
        "date": np.repeat(prep.dates, k),
        "estimate": res.estimate.ravel(),
        "lower": res.lower.ravel(),
        "upper": res.upper.ravel(),
        "observed": observed.ravel(),
        "n_stations": res.n_stations.ravel().astype(int),
        "se": res.se.ravel(),
        "method": method,
    })
    return out


def estimate(values, stations, at, *, method: str = "kriging", covariates=None,
             drift: str = "constant", variogram="pooled", model: str = "matern",
             transform: str = "log", level: float = 0.9, id_col: str | None = None,
             spacing: float = 5000.0, observed_radius: float = 1000.0, power: float = 2.0,
             min_stations: int = 10, bandwidth: float = 20_000.0, crs: str = GRID_CRS,
             chunk_size: int = 20_000) -> pd.DataFrame:
    """Estimate concentrations at points or polygon means, with intervals.

    Parameters
    ----------
    values : DataFrame
        ``station, date, value`` (e.g. daily PM2.5 in µg/m³ from :func:`station_values`);
        ``date`` may be any label (a day, a month, ``"all"``).
    stations : GeoDataFrame
        ``station`` and point geometry (any CRS).
    at : GeoDataFrame
        Points (e.g. grid-cell centres) or polygons (counties: block means by discretising
        each polygon on a ``spacing`` lattice).
    method : {"kriging", "idw"}
        Ordinary/universal kriging, or inverse-distance weighting (power ``power``).
    covariates : dict, optional
        Name -> point layer (Gaussian source density, ``bandwidth`` m, log1p) or callable
        ``f(x, y)`` in metres: external-drift terms (kriging only).
    drift : {"constant", "linear"}
        Ordinary kriging or a planar trend in the coordinates.
    variogram : {"pooled", "daily"} or Variogram
        One variogram shape for all dates with a sill per date, one per date, or a
        configured :class:`Variogram`.
    model : {"matern", "exponential", "spherical", "gaussian", "stable"}
    transform : {"log", "none"}
        Krige log concentrations (back-transform in :mod:`geoair.surface._engine`) or values.
    level : float
        Interval probability (0.9: 5 % and 95 % quantiles).
    id_col : str, optional
        Id column of ``at`` (default ``adcode``, ``cell_id``, ``station`` or ``id`` if
        present, else the index).
    observed_radius : float
        Point targets: a station within this many metres marks the point observed.
    crs : str
        Projected CRS in metres (China Albers equal-area, as :mod:`geoair.hotspot`).

    Returns
    -------
    DataFrame
        ``id, date, estimate, lower, upper`` (µg/m³, ``level`` interval), ``observed``
        (a station with a value that date inside the polygon / within ``observed_radius``),
        ``n_stations`` (stations with a value within the variogram's practical range of the
        target), ``se`` (standard error on the model scale: log units under
        ``transform="log"``), ``method``. ``attrs``: ``params`` (settings and the fitted
        variogram), ``droplog``, ``variogram`` (the fitted :class:`Variogram`).

    Examples
    --------
    >>> from geoair import datasets, surface
    >>> obs = datasets.load_cnemc_observations(stations=["1001A", "1002A"])  # doctest: +SKIP
    >>> vals = surface.station_values(obs, "pm25", freq="all")  # doctest: +SKIP
    """
    check_option("method", method, METHODS)
    with blas_threads():  # small dense solves: BLAS threads only contend
        return _estimate(values, stations, at, method=method, covariates=covariates, drift=drift,
                         variogram=variogram, model=model, transform=transform, level=level,
                         id_col=id_col, spacing=spacing, observed_radius=observed_radius,
                         power=power, min_stations=min_stations, bandwidth=bandwidth, crs=crs,
                         chunk_size=chunk_size)


def _estimate(values, stations, at, *, method, covariates, drift, variogram, model, transform,
              level, id_col, spacing, observed_radius, power, min_stations, bandwidth, crs,
              chunk_size):
    _z(level)
    prep = prepare(values, stations, crs=crs, transform=transform, min_stations=min_stations)
    targets = make_targets(at, prep.xy, crs=crs, id_col=id_col, spacing=spacing,
                           observed_radius=observed_radius)
    if len(prep.dates) == 0 or len(targets.ids) == 0:
        return _empty(prep)
    res, vario = run_method(prep, targets, method=method, variogram=variogram, model=model,
                            drift=drift, covariates=covariates, bandwidth=bandwidth,
                            transform=transform, level=level, power=power, chunk_size=chunk_size)
    out = _tidy(prep, targets, res, _observed(prep, targets.station_target, len(targets.ids)), method)
    out.attrs["params"] = dict(method=method, drift=drift, transform=transform, level=level,
                               covariates=sorted(covariates or {}), crs=crs, spacing=spacing,
                               power=power if method == "idw" else None,
                               variogram=None if vario is None else vario.params(),
                               support="block" if targets.is_polygon
                               else "point")
    out.attrs["droplog"] = prep.log
    out.attrs["variogram"] = vario
    return out


def _empty(prep: Prepared) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=float) for c in
                        ("id", "date", "estimate", "lower", "upper", "observed", "n_stations", "se",
                         "method")})
    out["observed"] = out["observed"].astype(bool)
    out.attrs["droplog"] = prep.log
    return out
