"""The :class:`Normaliser` estimator: one station and pollutant, fit then normalise."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._validation import GeoairInputError, check_option
from ..options import get_options
from . import _features, _models, _resample
from ._exact import EXPECTATIONS, draw_shares, uses_exact
from ._intervals import period_estimate

_CHUNK = 400_000  # rows per predict call: bounds memory, keeps the model's threads busy


class PoorFitError(ValueError):
    """The model's out-of-sample skill is below ``min_r2``: its normalised series is refused."""


class Normaliser(BaseEstimator):
    """Meteorological normalisation of one station's pollutant series (rmweather's method).

    A model of the pollutant on a trend term (``date_unix``), calendar terms and meteorology
    is trained by time-blocked cross-fitting (``n_folds`` models, each without one fold of
    time blocks, whose held-out predictions give the skill). The normalised value of an output
    period is the mean prediction over ``n_samples`` draws, each giving a random timestamp of
    the period a weather record from another time (see :mod:`geoair.deweather._resample`).

    Parameters
    ----------
    pollutant : str
        Response column (µg/m³; CO mg/m³).
    met : "auto" or sequence of str
        Meteorological inputs; ``"auto"`` uses those of ``ws, wd, temp, dewp, rh, pres, rain,
        blh`` present (``rh`` derived from ``temp`` and ``dewp``).
    wind : {"sincos", "uv", "degrees"}
        Wind coding: ``ws`` with ``sin/cos(wd)``, ``u/v`` components, or raw degrees
        (rmweather's input; kept for parity runs).
    history : {"24h", "72h", None}
        Add trailing 24-h means of the meteorology (rain: sum; pressure: 24-h change).
        ``"72h"`` (default) adds the same over 72 h, the 24-h change of dew point and the
        hours since the last rain (multi-day accumulation): on the 12 PRSA Beijing stations it
        raised the blocked cross-validated R² of every pollutant (PM2.5 +0.038, at 12 of 12
        stations) for about 1.4 times the CPU time (``benchmarks/RESULTS.md``). ``None``
        gives rmweather's instantaneous inputs.
    model : {"hgb", "rf"} or scikit-learn regressor
        Histogram gradient boosting (default) or a random forest with rmweather's ranger
        settings; see :mod:`geoair.deweather._models`.
    n_samples : int
        Draws per output period (rmweather's ``n_samples``) when draws are used.
    expectation : {"auto", "exact", "draws"}
        How the mean over resampled weather is computed. ``"exact"``: the expectation over the
        whole pool of weather records, read off the trees (the limit of infinitely many
        draws; ``sampling="whole"`` with the ``"hgb"`` model only; see
        :mod:`geoair.deweather._exact`); ``"draws"``: the mean of ``n_samples`` random draws
        per period (rmweather); ``"auto"`` (default): exact where possible, else draws.
    sampling : {"whole", "window"}
        ``"whole"``: rmweather (all predictors but the trend resampled from the whole record);
        ``"window"``: Vu et al. (2019), meteorology only, from ``window``.
    window : (int, int)
        ``(days, hours)`` around the day of year and hour of day for ``sampling="window"``.
        Default (14, 0): same hour, ±2 weeks, in any year (Vu et al. 2019).
    resolution : {"h", "D", "W", "M"}
        Output period. ``"h"`` is rmweather's hourly output; ``"D"`` (default) gives daily
        values at 1/24 of the cost: each draw picks a random hour of the day.
    n_folds : int
        Cross-fitted models (>= 2); also the jackknife groups of the interval.
    block : str
        Length of the time blocks dealt to folds (pandas offset, default ``"7D"``).
    level : float
        Confidence level of ``lower``/``upper``.
    min_r2 : float or None
        Refuse to normalise when the cross-validated R² is below this (None: never refuse).
        A warning is given below 0.5.
    random_state : int or None
        Seed of folds, models and draws.
    n_jobs : int or None
        Threads for fitting and prediction (default the geoair option ``n_jobs``; -1 all).

    Attributes
    ----------
    models_ : list of fitted regressors, one per fold.
    folds_ : ndarray, fold of each row.
    oof_ : pandas.Series, out-of-fold prediction per timestamp.
    performance_ : dict, out-of-sample ``n, r2, rmse, mae, bias, r, fac2`` and ``r2_folds``.
    feature_names_ : list of str.
    met_ : list of str, meteorological inputs used.

    References
    ----------
    Grange, S. K., Carslaw, D. C., Lewis, A. C., Boleti, E. and Hueglin, C. (2018), Random
    forest meteorological normalisation models for Swiss PM10 trend analysis, Atmos. Chem.
    Phys. 18, 6223-6239. Grange, S. K. and Carslaw, D. C. (2019), Using meteorological
    normalisation to detect interventions in air quality time series, Sci. Total Environ. 653,
    578-588. Vu, T. V. et al. (2019), Assessing the impact of clean air action on air quality
    trends in Beijing using a machine learning technique, Atmos. Chem. Phys. 19, 11303-11314.
    """

    def __init__(self, *, pollutant="pm25", met="auto", wind="sincos", history="72h",
                 model="hgb", n_samples=300, expectation="auto", sampling="whole", window=(14, 0), resolution="D",
                 n_folds=5, block="7D", level=0.95, min_r2=0.2, random_state=0, n_jobs=None):
        self.pollutant = pollutant
        self.met = met
        self.wind = wind
        self.history = history
        self.model = model
        self.n_samples = n_samples
        self.expectation = expectation
        self.sampling = sampling
        self.window = window
        self.resolution = resolution
        self.n_folds = n_folds
        self.block = block
        self.level = level
        self.min_r2 = min_r2
        self.random_state = random_state
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> None:
        check_option("sampling", self.sampling, ("whole", "window"))
        check_option("expectation", self.expectation, EXPECTATIONS)
        if self.expectation == "exact" and not uses_exact("exact", self.sampling, self.model):
            raise GeoairInputError(
                "expectation='exact' needs sampling='whole' and the 'hgb' model.",
                received={"sampling": self.sampling, "model": str(self.model)},
                fix="Use expectation='auto' (exact where possible) or 'draws'.")
        check_option("resolution", self.resolution, tuple(_resample.RESOLUTIONS))
        check_option("wind", self.wind, _features.WIND_CODINGS)
        check_option("history", self.history, _features.HISTORIES)
        for name, lo in (("n_samples", 1), ("n_folds", 2)):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < lo:
                raise GeoairInputError(f"{name} must be an integer >= {lo}.", received=v,
                                       fix=f"e.g. {name}={300 if name == 'n_samples' else 5}.")
        if not 0 < float(self.level) < 1:
            raise GeoairInputError("level must be in (0, 1).", received=self.level,
                                   fix="e.g. level=0.95.")
        w = self.window
        if not (isinstance(w, (tuple, list)) and len(w) == 2 and 0 <= w[0] <= 182
                and 0 <= w[1] <= 11):
            raise GeoairInputError("window must be (days, hours), 0-182 days and 0-11 hours.",
                                   received=w, fix="e.g. window=(14, 0) (Vu et al. 2019).")

    def _seed(self) -> int:
        if self.random_state is None:
            return int(np.random.SeedSequence().generate_state(1)[0])
        return int(self.random_state)

    def _threads(self) -> int:
        return resolve_threads(self.n_jobs)

    # ------------------------------------------------------------------ fit
    def fit(self, data: pd.DataFrame, y=None):
        """Train the fold models on one station's rows.

        Parameters
        ----------
        data : pandas.DataFrame
            ``time`` (tz-aware) and the pollutant and meteorology columns of one station.
        y : ignored
        """
        from threadpoolctl import threadpool_limits

        self._check_params()
        check_frame(data, [self.pollutant])
        met = _features.resolve_met(data, self.met)
        if not met:
            raise GeoairInputError(
                "No meteorology: none of ws/wd, temp, dewp, rh, pres, rain, blh has data.",
                received=[str(c) for c in data.columns][:30],
                fix="Add station meteorology or ERA5 wind (normalise(..., era5=...)).")
        design = _features.build_design(data, self.pollutant, met, wind=self.wind,
                                        history=self.history)
        seed = self._seed()
        folds = _models.block_folds(design.time, self.n_folds, self.block, seed)
        train = np.isfinite(design.y)
        if train.sum() < 10 * self.n_folds or len(np.unique(folds[train])) < self.n_folds:
            raise GeoairInputError(
                f"Too few {self.pollutant} observations to train {self.n_folds} fold models.",
                column=self.pollutant, received=int(train.sum()),
                fix="Use a longer record, fewer folds or a shorter block.")
        oof = np.full(design.y.shape, np.nan)
        models = []
        n_jobs = self._threads()
        with threadpool_limits(limits=n_jobs):
            for k in range(self.n_folds):
                fit_rows = train & (folds != k)
                est = _models.make_model(self.model, n_features=design.X.shape[1], n_jobs=n_jobs,
                                         random_state=_sub_seed(seed, 1, k))
                est.fit(design.X[fit_rows], design.y[fit_rows])
                test = train & (folds == k)
                oof[test] = est.predict(design.X[test])
                models.append(est)
        self._design = design
        self.models_ = models
        self.folds_ = folds
        self.met_ = met
        self.feature_names_ = list(design.columns)
        self.oof_ = pd.Series(oof, index=design.time, name=self.pollutant)
        perf = _models.skill(design.y, oof)
        perf["r2_folds"] = [_models.skill(design.y[folds == k], oof[folds == k])["r2"]
                            for k in range(self.n_folds)]
        perf["split"] = f"{self.n_folds}-fold, blocks of {self.block}"
        self.performance_ = perf
        return self

    # ------------------------------------------------------------------ normalise
    def normalise(self, *, members: bool = False) -> pd.DataFrame:
        """The normalised series of the fitted station, one row per output period.

        Parameters
        ----------
        members : bool
            Add ``member_<k>`` (each fold model's mean) and ``draw_var`` columns, which
            :func:`geoair.deweather.decompose` needs for intervals of period means.

        Returns
        -------
        pandas.DataFrame
            ``time`` (period start), ``observed`` (mean of the observations in the period),
            ``normalised``, ``lower``, ``upper`` (interval at ``level``), ``se``, ``n_obs``
            (observed hours). Units of the pollutant.

        Raises
        ------
        PoorFitError
            The cross-validated R² is below ``min_r2``.
        """
        self._check_fitted_and_skill()
        d = self._design
        codes, starts = _resample.period_codes(d.time, self.resolution)
        mem = None
        if uses_exact(self.expectation, self.sampling, self.model):
            mem = self._exact_members(codes, len(starts))
        self.expectation_ = "draws" if mem is None else "exact"
        if mem is None:
            mem, draw_var, n_k = self._draw_members(codes)
        else:
            draw_var, n_k = np.zeros(len(starts)), np.ones(self.n_folds, dtype=np.int64)
            self.n_fallback_ = 0
        K = self.n_folds
        est = period_estimate(mem, draw_var, n_k)
        lower, upper, se = est.interval(self.level)
        y = d.y
        ok = np.isfinite(y)
        n_obs = np.bincount(codes[ok], minlength=len(starts))
        with np.errstate(invalid="ignore", divide="ignore"):
            obs = np.bincount(codes[ok], weights=y[ok], minlength=len(starts)) / n_obs
        out = pd.DataFrame({"time": starts, "observed": obs, "normalised": est.value,
                            "lower": lower, "upper": upper, "se": se, "n_obs": n_obs})
        if members:
            for k in range(K):
                out[f"member_{k}"] = mem[k]
            out["draw_var"] = draw_var
        return out

    def _draw_members(self, codes: np.ndarray):
        """Per-model period means of ``n_samples`` draws, their variance and draws per model."""
        d = self._design
        rng = np.random.default_rng(_sub_seed(self._seed(), 2, 0))
        held = _resample.held_rows(codes, self.n_samples, rng)
        donors, self.n_fallback_ = _resample.donor_rows(
            held, d.pool, rng, sampling=self.sampling, hour=d.hour, doy=d.doy,
            window=self.window)
        pred = self._predict_draws(held, donors)
        K = self.n_folds
        n_k = draw_shares(self.n_samples, K)
        mem = np.stack([pred[:, k::K].mean(axis=1) for k in range(K)])
        resid = np.concatenate([pred[:, k::K] - mem[k][:, None] for k in range(K)], axis=1)
        draw_var = np.sum(resid**2, axis=1) / max(self.n_samples - K, 1)
        return mem, draw_var, n_k

    def _exact_members(self, codes: np.ndarray, n_periods: int):
        """Per-model period means of the exact expectation, or None if a model is unsupported.

        Every hour of a period counts once (the draws pick hours of the period uniformly).
        """
        from concurrent.futures import ThreadPoolExecutor

        from ._exact import expected_by_trend

        d = self._design
        trend = int(d.index([_features.TREND])[0])
        Z = d.X[d.pool]
        count = np.bincount(codes, minlength=n_periods)
        with ThreadPoolExecutor(min(self._threads(), len(self.models_))) as pool:
            curves = list(pool.map(lambda m: expected_by_trend(m, Z, trend, d.X[:, trend]),
                                   self.models_))
        if any(c is None for c in curves):
            return None
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.stack([np.bincount(codes, weights=c, minlength=n_periods) / count
                             for c in curves])

    def _check_fitted_and_skill(self) -> None:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "models_")
        r2 = self.performance_["r2"]
        if self.min_r2 is not None and not (np.isfinite(r2) and r2 >= self.min_r2):
            raise PoorFitError(
                f"The {self.pollutant} model explains too little out of sample "
                f"(cross-validated R² {r2:.2f} < min_r2 {self.min_r2}); its normalised series "
                "would mostly show the model's error. Fix: add meteorology (e.g. ERA5 wind, "
                "boundary-layer height), use a longer record, or set min_r2=None to accept it.")

    def _predict_draws(self, held: np.ndarray, donors: np.ndarray) -> np.ndarray:
        """Predictions ``(n_periods, n_samples)``; draw ``d`` by fold model ``d mod K``."""
        from threadpoolctl import threadpool_limits

        d = self._design
        X = d.X
        res = set(self._resampled_columns())
        keep = d.index([c for c in d.columns if c not in res])  # held: trend (+ calendar)
        U, S = held.shape
        out = np.empty((U, S))
        with threadpool_limits(limits=self._threads()):
            for k, est in enumerate(self.models_):
                cols = np.arange(k, S, self.n_folds)
                h = held[:, cols].ravel()
                r = donors[:, cols].ravel()
                flat = np.empty(h.size)
                for a in range(0, h.size, _CHUNK):
                    Z = X.take(r[a:a + _CHUNK], axis=0)
                    Z[:, keep] = X[h[a:a + _CHUNK][:, None], keep]
                    flat[a:a + _CHUNK] = est.predict(Z)
                out[:, cols] = flat.reshape(U, cols.size)
        return out

    def _resampled_columns(self) -> list[str]:
        d = self._design
        if self.sampling == "whole":
            return [c for c in d.columns if c != _features.TREND]
        return list(d.met_columns)

    # ------------------------------------------------------------------ dependence
    def partial_dependence(self, variables=None, *, n_points: int = 15, n_rows: int = 1000,
                           sustained: bool = True) -> pd.DataFrame:
        """Partial dependence of the prediction on meteorological (or calendar) variables.

        For each grid value the variable is set in ``n_rows`` random donor rows (all else as
        observed) and the predictions are averaged (Friedman 2001); the interval is the
        jackknife over the fold models (the background sample's own error is not included).

        Parameters
        ----------
        variables : list of str, optional
            Default the meteorological inputs (``ws``, ``wd``, ``temp``, ...).
        n_points : int
            Grid points: quantiles 1-99 % of the variable (``wd``: evenly over 0-360°).
        n_rows : int
            Background rows.
        sustained : bool
            Also set the variable's trailing terms (``history="24h"``, ``"72h"``): the
            dependence on weather that has lasted, not on one hour's value alone.

        Returns
        -------
        pandas.DataFrame
            ``variable, value, partial, lower, upper`` (pollutant units).
        """
        from threadpoolctl import threadpool_limits

        from ._intervals import Estimate

        self._check_fitted_and_skill()
        d = self._design
        variables = list(self.met_ if variables is None else variables)
        rng = np.random.default_rng(_sub_seed(self._seed(), 3, 0))
        rows = rng.choice(d.pool, size=min(n_rows, d.pool.size), replace=False)
        Xb = d.X[rows]
        parts = []
        with threadpool_limits(limits=self._threads()):
            for var in variables:
                grid = _grid(_features.variable_values(d, var)[d.pool], var, n_points)
                for g in grid:
                    Z = _features.set_variable(Xb, d, var, g, sustained=sustained)
                    mem = np.array([est.predict(Z).mean() for est in self.models_])
                    e = Estimate(mem.mean(), mem, np.float64(0.0), np.zeros_like(mem))
                    lo, hi, _ = e.interval(self.level)
                    parts.append((var, float(g), float(e.value), float(lo), float(hi)))
        return pd.DataFrame(parts, columns=["variable", "value", "partial", "lower", "upper"])


def resolve_threads(n_jobs) -> int:
    """Worker count: ``n_jobs`` (-1: all cores), default the geoair option ``n_jobs``."""
    n = get_options()["n_jobs"] if n_jobs is None else int(n_jobs)
    return (os.cpu_count() or 1) if n == -1 else max(1, n)


def _grid(values: np.ndarray, var: str, n: int) -> np.ndarray:
    if var == "wd":
        return np.linspace(0.0, 360.0, n)
    v = values[np.isfinite(values)]
    return np.unique(np.quantile(v, np.linspace(0.01, 0.99, n))) if v.size else np.array([])


def _sub_seed(seed: int, stream: int, k: int) -> int:
    return int(np.random.SeedSequence([seed, stream, k]).generate_state(1)[0])


def check_frame(data, pollutants) -> None:
    """Raise :class:`GeoairInputError` unless ``data`` has a tz-aware ``time`` and the pollutants."""
    if not isinstance(data, pd.DataFrame):
        raise GeoairInputError("Observations must be a pandas DataFrame.",
                               received=type(data).__name__,
                               fix="Read them with geoair.io.read_observations(...).")
    from .._validation import require_columns

    require_columns(data, ["time", *pollutants], what="observations",
                    fix="Observations need time and the pollutant column (geoair.schema).")
    if not isinstance(data["time"].dtype, pd.DatetimeTZDtype):
        raise GeoairInputError("time must be tz-aware datetimes.", column="time",
                               received=str(data["time"].dtype),
                               fix="pd.to_datetime(df['time']).dt.tz_localize('Asia/Shanghai').")
    for p in pollutants:
        if not pd.api.types.is_numeric_dtype(data[p]):
            bad = pd.to_numeric(data[p], errors="coerce").isna() & data[p].notna()
            raise GeoairInputError(f"{p} must be numeric.", column=p,
                                   row=np.flatnonzero(bad.to_numpy())[:5].tolist(),
                                   received=data.loc[bad, p].head(3).tolist(),
                                   fix="Convert to numbers; missing values as NaN.")
