"""Variogram estimation and fitting (GSTools), pooled over days or per day.

The empirical variogram is the Matheron (method-of-moments) estimator computed by
``gstools.vario_estimate``; the model (Matérn by default, with a nugget) is fitted by
``CovModel.fit_variogram`` (robust soft-L1 least squares). Nothing here re-implements
either step.

*Pooled* (default): each day's residuals (transformed values minus the day's drift fit) are
divided by that day's standard deviation; the standardised fields of all days enter one
empirical variogram (GSTools accepts a list of fields at the same stations), to which one
model is fitted. A day's covariance is then ``s_d^2 * C(h)``: one shape (range, smoothness,
nugget share) for the month, one sill per day. *Daily*: one model fitted per day
(falling back to the pooled model on days with fewer than ``min_daily`` stations or a failed
fit).

References
----------
Matheron, G. (1963). Principles of geostatistics. *Economic Geology* 58, 1246-1266.
Cressie, N. (1993). *Statistics for Spatial Data*, rev. ed., Wiley, §2.4 (variogram estimation)
and §3.4.3 (variograms of residuals under a drift).
Müller, S., Schüler, L., Zech, A. and Heße, F. (2022). GSTools v1.3: a toolbox for
geostatistical modelling in Python. *Geosci. Model Dev.* 15, 3161-3182.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._validation import GeoairInputError, check_option

__all__ = ["Variogram", "MODELS", "POOLING"]

MODELS = ("matern", "exponential", "spherical", "gaussian", "stable")
POOLING = ("pooled", "daily")


def _model_class(name: str):
    import gstools as gs

    return {"matern": gs.Matern, "exponential": gs.Exponential, "spherical": gs.Spherical,
            "gaussian": gs.Gaussian, "stable": gs.Stable}[name]


def _weights(counts: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """Cressie (1985) weighted-least-squares weights ``N(h) / gamma(h)^2`` (empirical gamma)."""
    w = counts / np.maximum(gamma, 1e-12 * max(float(gamma.max()), 1e-300)) ** 2
    return w / w.sum()


def _fit_one(cls, centers, gamma, counts, nugget: bool):
    """Fit a GSTools model to one empirical variogram; (None, nan) when every try fails.

    The shape parameter (Matérn ``nu``, stable ``alpha``) is fitted first; if the optimiser
    does not converge within 300 evaluations it is held at GSTools' default and the fit
    repeated.
    """
    import warnings

    ok = counts > 0
    if ok.sum() < 4:
        return None, np.nan
    tries = [({}, 300), ({name: False for name in cls(dim=2).opt_arg}, 2000)]
    for fixed, max_eval in tries:
        model = cls(dim=2)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, _, r2 = model.fit_variogram(centers[ok], gamma[ok], nugget=nugget, return_r2=True,
                                               weights=_weights(counts[ok], gamma[ok]),
                                               max_eval=max_eval, **fixed)
        except (RuntimeError, ValueError):
            continue
        return model, float(r2)
    return None, np.nan


class Variogram(BaseEstimator):
    """Isotropic variogram fitted to station residuals with GSTools.

    Parameters
    ----------
    model : {"matern", "exponential", "spherical", "gaussian", "stable"}
        GSTools covariance model (Matérn: smoothness ``nu`` fitted too).
    pooling : {"pooled", "daily"}
        One shape for all days with a sill per day, or one model per day.
    n_bins : int
        Equal-width lag bins from 0 to ``max_lag``.
    max_lag : float, optional
        Largest lag (metres); default half the largest station separation.
    nugget : bool
        Fit a nugget (micro-scale variation plus measurement error).
    min_daily : int
        Fewest stations for a day's own model under ``pooling="daily"``.

    Attributes
    ----------
    model_ : gstools.CovModel
        Pooled model (standardised units: a day's covariance is ``scale_[d] * C``).
    day_models_ : list of gstools.CovModel
        Model per day (the pooled one with ``pooling="pooled"``).
    scale_ : ndarray
        Per-day variance multipliers (``s_d^2``; 1.0 for daily fits).
    empirical_ : pandas.DataFrame
        Pooled empirical variogram: ``lag`` (m), ``gamma`` (standardised), ``n_pairs``.
    r2_ : float
        Coefficient of determination of the pooled fit.
    range_ : float
        Practical range of the pooled model, metres (95 % of the sill reached,
        ``CovModel.percentile_scale(0.95)``).
    """

    def __init__(self, *, model: str = "matern", pooling: str = "pooled", n_bins: int = 20,
                 max_lag: float | None = None, nugget: bool = True, min_daily: int = 30):
        self.model = model
        self.pooling = pooling
        self.n_bins = n_bins
        self.max_lag = max_lag
        self.nugget = nugget
        self.min_daily = min_daily

    def fit(self, residuals, xy):
        """Fit to ``residuals`` (days x stations, NaN missing) at ``xy`` (metres).

        Returns
        -------
        self
        """
        import gstools as gs
        from scipy.spatial.distance import pdist

        check_option("model", self.model, MODELS)
        check_option("pooling", self.pooling, POOLING)
        res = np.atleast_2d(np.asarray(residuals, dtype=float))
        xy = np.asarray(xy, dtype=float)
        sd = np.array([np.nanstd(r, ddof=1) if np.isfinite(r).sum() > 1 else np.nan for r in res])
        sd = np.where(np.isfinite(sd) & (sd > 0), sd, np.nan)
        if not np.isfinite(sd).any():
            raise GeoairInputError("No date has spatial variation to fit a variogram to.",
                                   fix="Provide dates with at least a few stations and differing values.")
        max_lag = self.max_lag or 0.5 * pdist(xy).max()
        edges = np.linspace(0.0, max_lag, self.n_bins + 1)
        fields = [np.ma.masked_invalid(r / s) for r, s in zip(res, sd, strict=True) if np.isfinite(s)]
        centers, gamma, counts = gs.vario_estimate((xy[:, 0], xy[:, 1]), fields, edges,
                                                   return_counts=True)
        cls = _model_class(self.model)
        self.model_, self.r2_ = _fit_one(cls, centers, gamma, counts, self.nugget)
        if self.model_ is None:
            raise GeoairInputError("The pooled variogram could not be fitted.",
                                   received=dict(model=self.model, n_bins=self.n_bins),
                                   fix="Try model='exponential' or fewer bins (n_bins=10).")
        self.empirical_ = pd.DataFrame({"lag": centers, "gamma": gamma, "n_pairs": counts})
        self.scale_ = np.where(np.isfinite(sd), sd, np.nanmean(sd)) ** 2
        self.day_models_ = [self.model_] * len(res)
        if self.pooling == "daily":
            self._fit_days(res, xy, edges, cls)
        self.range_ = float(self.model_.percentile_scale(0.95))
        return self

    def _fit_days(self, res, xy, edges, cls):
        import gstools as gs

        for d, r in enumerate(res):
            ok = np.isfinite(r)
            if ok.sum() < self.min_daily:
                continue
            c, g, n = gs.vario_estimate((xy[ok, 0], xy[ok, 1]), r[ok], edges, return_counts=True)
            model, _ = _fit_one(cls, c, g, n, self.nugget)
            if model is not None and model.var > 0:
                self.day_models_[d] = model
                self.scale_[d] = 1.0

    def params(self) -> dict:
        """The pooled model's parameters (``var``, ``len_scale`` m, ``nugget``, ...)."""
        p = {"model": self.model, "pooling": self.pooling, "var": float(self.model_.var),
             "len_scale": float(self.model_.len_scale), "nugget": float(self.model_.nugget),
             "range": self.range_, "r2": self.r2_}
        p.update({k: float(getattr(self.model_, k)) for k in self.model_.opt_arg})
        return p
