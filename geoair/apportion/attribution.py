"""Geospatial source attribution: plume physics estimated from the data, updated hour by hour.

Plume-based attribution gives **estimates with intervals, not regulatory concentrations**:
the plume kernels ignore terrain, building downwash and chemistry (secondary aerosol is in
the ``regional`` term), and the coefficients absorb emission factors that are unknown. Read the
outputs as relative influence estimates with uncertainty.

Method (:class:`SourceAttribution`)
-----------------------------------
1. **Exposure design** (:mod:`~geoair.apportion._physics`): for every station-hour, category
   and source within ``cutoff_km``, the Gaussian-plume transfer coefficient under a *library*
   of physics (sigma curves and scales, stability rules, calm-air treatment, release height)
   and saturation levels (concave responses), weighted by the source's prior weight and
   activity profile (:mod:`~geoair.apportion.profiles`). Fires enter once per candidate
   burning duration and centre after the overpass (``fire_sigma_grid`` x ``fire_lag_grid``).
2. **Stacking** (:mod:`~geoair.apportion._solver`): non-negative least squares of PM2.5 on all
   library columns with one free regional value per city and hour (fixed effects: the local
   terms are identified from between-station differences), rows weighted for multiplicative
   noise, Huber-reweighted, ridge chosen by cross-validation blocked by day. The fitted mixture
   is the *prior* hourly contribution of every category (and every station-source pair).
3. **Regional background**: per city and hour, the median over stations of the observations
   minus the local prior, smoothed in time, never negative. On fireworks nights the excess over
   the interpolated background is the ``fireworks`` contribution when no fireworks sources are
   given.
4. **Hourly update** (:mod:`~geoair.apportion._assimilate`): every station-hour's PM2.5 and
   tracer increments (PM10, SO2, NO2, CO above their own regional backgrounds) update the prior
   in a linear-Gaussian analysis step; the tracer/PM2.5 ratios of each category are estimated
   within bounds around :data:`SIGNATURES` and :data:`PM10_RATIO` (rows weighted by the
   group-hour level of the tracer, never by their own value), alternating with the update.
5. **Intervals**: the posterior variance, which includes the prior's model error
   (``prior_sd`` x prior), the day-block bootstrap spread of the stacking (Künsch 1989) and
   the observation noise fitted to the residuals, its width scaled by how well the run's prior
   fits its own observations (the robust spread of the normalised PM2.5 innovations,
   ``interval_calibration``). ``prior_sd`` and ``interval_scale`` were chosen on the twin
   family of :mod:`geoair.testing.attribution` (``docs/methods/attribution.md``).

Without any wind (e.g. the bundled 2019 national files) every kernel is the
direction-averaged (isotropic) plume, and a ``UserWarning`` says so: contributions then reflect
distance, activity and the observations only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._validation import DropLog, check_option
from ..schema import CATEGORIES
from . import _assimilate, _inputs, _physics, _results, _solver
from ._defaults import ATTRIBUTION_DEFAULTS as _D

__all__ = ["SourceAttribution", "SIGNATURES", "PM10_RATIO", "DEFAULT_CATEGORIES", "attribution_shares"]

DEFAULT_CATEGORIES = ("coal", "dust", "vehicle", "industry", "burning", "fireworks")

#: Emission signature per category: µg/m³ of SO2 and NO2, mg/m³ of CO, per µg/m³ of primary
#: PM2.5 near the source. Order-of-magnitude assumptions from the tracer heuristics of
#: research note standards.md §8.2 (coal: high SO2 and CO; vehicles: NO2 and CO, low SO2;
#: burning: CO; fireworks: SO2 slightly up; dust: none). They are priors: the fit estimates
#: each within ``signature_bounds`` (a factor) around them. Override with ``signatures=``.
SIGNATURES: dict[str, dict[str, float]] = {
    "coal": {"so2": 1.0, "no2": 0.4, "co": 0.03},
    "vehicle": {"so2": 0.05, "no2": 3.0, "co": 0.05},
    "dust": {"so2": 0.0, "no2": 0.0, "co": 0.0},
    "industry": {"so2": 0.5, "no2": 0.5, "co": 0.02},
    "burning": {"so2": 0.05, "no2": 0.1, "co": 0.08},
    "fireworks": {"so2": 0.15, "no2": 0.02, "co": 0.005},
    "cooking": {"so2": 0.0, "no2": 0.05, "co": 0.01},
    "other": {"so2": 0.1, "no2": 0.2, "co": 0.01},
}

#: PM10/PM2.5 of each category's primary particles (priors, estimated within [1, 6]): dust is
#: coarse (PM2.5/PM10 of 0.2-0.35 in dust events), combustion fine (0.8-0.9); Fan et al. (2021)
#: Front. Environ. Sci. 9:692440 and research note standards.md §8.2.
PM10_RATIO: dict[str, float] = {"coal": 1.25, "dust": 3.0, "vehicle": 1.15, "industry": 1.3, "burning": 1.1,
                                "fireworks": 1.2, "cooking": 1.1, "other": 1.3}
_TRACERS = ("pm10", "so2", "no2", "co")


@dataclass
class _Met:
    u: np.ndarray
    v: np.ndarray
    blh: np.ndarray | None
    elevation: np.ndarray
    source: str


@dataclass
class _Design:
    pairs: tuple
    library: _physics.Library
    levels: np.ndarray
    exposure: np.ndarray  # (S, T, D, V, L) float32
    activity_factor: np.ndarray | None = None  # (D, T) learned activity multipliers


@dataclass
class _Stack:
    coef: np.ndarray  # (D, V, L)
    fit: _solver.StackFit
    prior: np.ndarray  # (S, T, C) output categories
    var_boot: np.ndarray  # (S, T, C)


@dataclass
class _State:
    post: np.ndarray
    pvar: np.ndarray
    prior: np.ndarray
    regional: np.ndarray
    regional_var: np.ndarray
    tracers: dict  # name -> (ratios (C,), regional (S, T))
    noise: _assimilate.NoiseModel
    interval_factor: float = 1.0  # innovation spread (interval_calibration="innovation")


class SourceAttribution(BaseEstimator):
    """Attribution of station PM2.5 (and PM10) to source categories, sources and regional transport.

    Estimates with intervals, not regulatory concentrations (see the module documentation for
    the method and ``docs/methods/attribution.md`` for the validation and its limits).

    Parameters
    ----------
    categories : sequence of str
        Source categories modelled (:data:`geoair.schema.CATEGORIES`); ``regional`` is added.
    cutoff_km : float
        Sources farther than this from a station are ignored (km).
    physics : {"auto", "briggs_rural", "briggs_urban", "pasquill_gifford"}
        ``"auto"``: the library of dispersion physics weighted by the data; a scheme name: that
        scheme alone with Turner classes (no library).
    saturation : sequence of float
        Quantiles of the non-zero exposures used as saturation levels (empty: linear plumes).
    tracers : sequence of str
        Observed quantities besides PM2.5 used in the hourly update (``pm10, so2, no2, co``).
    signatures : dict, optional
        Overrides of :data:`SIGNATURES` (category -> {gas: ratio}).
    signature_bounds : float
        Each gas ratio is estimated within [prior / factor, prior x factor] (zero priors: up to
        5 % of the largest prior of that gas).
    prior_sd : float or "auto"
        Relative standard deviation of the plume prior's hourly error (1.4: chosen over the
        twin family by mean and worst-case hourly R², ``docs/methods/attribution.md``);
        ``"auto"`` estimates it per category from the innovations of PM2.5 (``prior_sd_``;
        experimental: unstable for rare categories such as burning).
    interval_scale : float
        Multiplier of the posterior standard deviation in the categories' intervals (not the
        regional term's, which keeps the full Gaussian width), applied on top of the
        ``interval_calibration`` factor. The posterior is Gaussian but the errors are
        heavy-tailed (most hours small, a few plume hits large); 1.3 with the innovation
        calibration puts the nominal 90 % intervals of every category within 80-98 % on all 19
        twins of the calibration set (1.2-1.4 do; ``docs/methods/attribution.md``). Without the
        calibration (``interval_calibration="none"``) the earlier constant was 0.8.
    interval_calibration : {"innovation", "none"}
        ``"innovation"``: the interval width is also multiplied by the robust spread of the
        normalised PM2.5 innovations of the hourly update (``interval_spread_``; below 1 when
        the plume prior fits better than ``prior_sd`` assumes, above 1 when it fits worse), so
        that the intervals follow how well the run's own physics fits its observations.
        ``"none"``: ``interval_scale`` alone.
    tracer_sd : float
        Relative uncertainty of the estimated gas/PM2.5 ratios (SO2, NO2, CO), added to the
        gases' error.
    pm10_sd : float
        Relative uncertainty of the estimated PM10/PM2.5 ratios, added to the PM10 error.
        Smaller than ``tracer_sd``: a category's coarse fraction is bounded (ratio 1-6) and
        varies less between sources than its gas ratios, and PM10 is the only tracer of dust.
        0.25 instead of 0.5 raised the hourly R² of dust by 0.03-0.05 on twins not used for any
        calibration (``docs/methods/attribution.md``).
    profiles : dict, optional
        Source kind -> activity profile overrides (:mod:`geoair.apportion.profiles`).
    fire_sigma_grid : sequence of float
        Candidate burning durations of a fire detection (hours, sd of a Gaussian around the
        overpass); each is a column group and the data weight them.
    fire_lag_grid : sequence of float
        Candidate lags (hours) of the burning's centre after the overpass (a detection at
        13:30 catches a fire that may burn on into the evening); each duration x lag is a
        column group. Fires keep their own timing: they are left out of the activity blocks.
    fire_weight : {"frp", "count"}
        Strength of a fire: its FRP (MW) or 1.
    split_geometry : bool
        Make the lines and the areas of a category design categories of their own
        (``vehicle@line``, ``coal@area``, summed into their category in every output), with
        their own physics mixture, saturation levels and activity factors (village stoves and
        coal boilers differ in release height and hours). Off by default: on the twin with 4
        villages per station it lowered coal's hourly R² from 0.84 to 0.75 (more collinear
        columns for the same data; ``docs/methods/attribution.md``).
    activity_blocks : bool
        Estimate each category's activity per ``activity_block_h``-hour block of weekdays and
        weekends, shrunk towards the prior profiles (ridge chosen by day-blocked
        cross-validation).
    activity_block_h : int
        Length of the activity blocks (hours; a divisor of 24).
    ridges : sequence of float
        Candidate ridge strengths of the stacking, chosen by day-blocked cross-validation.
    n_bootstrap : int
        Day-block bootstrap replicates of the stacking (0 = none).
    alpha : float
        Intervals are ``1 - alpha`` (default 90 %).
    exceed_pm25 : float
        Hourly PM2.5 (µg/m³) counted as an exceedance hour in ``source_scores_``.
    explain_frac : float
        A source explains an exceedance hour when it gives at least this fraction of the local
        increment above the regional background.
    regional_smooth_h : int
        Window (hours) of the running median smoothing the regional series.
    n_iter : int
        Passes of (tracer ratios, hourly update).
    random_state : int, Generator or None

    Attributes
    ----------
    contributions_ : DataFrame
        ``station, time, category, pm25, pm10, lower, upper, pm10_lower, pm10_upper, prior``
        (µg/m³; ``lower``/``upper`` bound ``pm25``; ``prior`` is the plume model before the
        hourly update).
    shares_ : DataFrame
        ``station`` ("all" or a code), ``category``, ``share``, ``lower``, ``upper`` of mean
        PM2.5 over station-hours with a valid PM2.5 (fraction); ``unexplained`` is the rest.
    source_scores_ : DataFrame
        ``source_id, station, category, kind, distance_m, contribution, lower, upper,
        hours_upwind, exceedance_hours_explained, rank`` (mean PM2.5 contribution, µg/m³).
        A category's sources add up to its contribution (except what the update adds where the
        plume model had nothing).
    coef_ : DataFrame
        Non-zero stacking coefficients (``design, variant, level, coef``).
    tracer_ratios_ : DataFrame
        Estimated tracer/PM2.5 ratios (rows: tracers; columns: categories).
    exposure_ : DataFrame
        Prior (plume-model) contribution per (station, time) and category (µg/m³).
    episodes_ : DataFrame
        :func:`geoair.apportion.detect_episodes` on the observations.
    cv_scores_ : dict
        Ridge -> held-out weighted error per row (day-blocked cross-validation).
    interval_spread_ : float
        Robust spread of the normalised PM2.5 innovations over all station-hours (1 = the
        assumed errors; the factor the category intervals are scaled by when
        ``interval_calibration="innovation"``).

    References
    ----------
    Turner (1970) AP-26; Briggs (1973); Lawson & Hanson (1974); Breiman (1996) Mach. Learn.
    24:49 (stacking); Künsch (1989) Ann. Stat. 17:1217; Rodgers (2000) *Inverse Methods for
    Atmospheric Sounding*; Desroziers et al. (2005) Q. J. R. Meteorol. Soc. 131:3385 and Li,
    Kalnay & Miyoshi (2009) Q. J. R. Meteorol. Soc. 135:523 (innovation statistics, adaptive
    inflation).
    """

    def __init__(self, *, categories=DEFAULT_CATEGORIES, cutoff_km: float = _D["cutoff_km"],
                 physics: str = _D["physics"], saturation=(0.5, 0.9, 0.99), tracers=_TRACERS, signatures=None,
                 signature_bounds: float = 5.0, prior_sd: float = _D["prior_sd"],
                 interval_scale: float = _D["interval_scale"],
                 interval_calibration: str = _D["interval_calibration"], tracer_sd: float = 0.5, pm10_sd: float = 0.25,
                 profiles=None, fire_sigma_grid=(1.5, 3.0, 6.0), fire_lag_grid=(0.0, 2.0),
                 fire_weight: str = "frp", split_geometry: bool = False, activity_blocks: bool = True,
                 activity_block_h: int = 3,
                 ridges=(1e-3, 1e-2, 1e-1), n_bootstrap: int = _D["n_bootstrap"],
                 alpha: float = _D["alpha"], exceed_pm25: float = 75.0, explain_frac: float = 0.1,
                 regional_smooth_h: int = 3, n_iter: int = 3, random_state=_D["random_state"]):
        self.categories = categories
        self.cutoff_km = cutoff_km
        self.physics = physics
        self.saturation = saturation
        self.tracers = tracers
        self.signatures = signatures
        self.signature_bounds = signature_bounds
        self.prior_sd = prior_sd
        self.interval_scale = interval_scale
        self.interval_calibration = interval_calibration
        self.tracer_sd = tracer_sd
        self.pm10_sd = pm10_sd
        self.profiles = profiles
        self.fire_sigma_grid = fire_sigma_grid
        self.fire_lag_grid = fire_lag_grid
        self.fire_weight = fire_weight
        self.split_geometry = split_geometry
        self.activity_blocks = activity_blocks
        self.activity_block_h = activity_block_h
        self.ridges = ridges
        self.n_bootstrap = n_bootstrap
        self.alpha = alpha
        self.exceed_pm25 = exceed_pm25
        self.explain_frac = explain_frac
        self.regional_smooth_h = regional_smooth_h
        self.n_iter = n_iter
        self.random_state = random_state

    # ------------------------------------------------------------------ fit: table of contents
    def fit(self, obs: pd.DataFrame, *, stations, sources=None, fires=None, wind=None):
        """Estimate hourly contributions, shares and source scores.

        Parameters
        ----------
        obs : DataFrame
            Observations (``station, time, pm25[, pm10, so2, no2, co, ws, wd]``).
        stations : GeoDataFrame or DataFrame
            ``station`` and a Point geometry (EPSG:4326) or ``lon``/``lat``; ``city`` groups
            stations that share a regional background (default: one group).
        sources : GeoDataFrame, optional
            ``source_id, category[, kind, weight, height (m), active_from, active_to]``.
        fires : GeoDataFrame, optional
            FIRMS fire points (``time, frp``); category ``burning``.
        wind : xarray.Dataset, optional
            ``u10, v10`` (m/s) on ``time, latitude, longitude`` (optional ``blh``, m). Without
            it the station ``ws``/``wd`` columns are used; with neither, an isotropic kernel.

        Returns
        -------
        self
        """
        from threadpoolctl import threadpool_limits

        cats = self._check_params()
        self._cats = cats
        log = DropLog()
        with threadpool_limits(limits=1, user_api="blas"):  # small dense solves: threads only contend
            return self._fit(obs, stations, sources, fires, wind, cats, log)

    def _fit(self, obs, stations, sources, fires, wind, cats, log):
        obs, st = _inputs.validate(obs, stations, log)
        grid = _inputs.station_grid(obs, st, log)
        table = _inputs.source_table(sources, fires, grid.times, cats, profiles=self.profiles,
                                     fire_sigma_grid=self.fire_sigma_grid, fire_lag_grid=self.fire_lag_grid,
                                     fire_weight=self.fire_weight, split_geometry=self.split_geometry, log=log)
        met = self._meteorology(grid, wind)
        design = self._exposure_design(grid, table, met)
        stack = self._solve(grid, table, design, cats)
        state = self._update(grid, stack, cats)
        self._set_results(obs, grid, table, met, design, stack, state, cats, log)
        return self

    # ------------------------------------------------------------------ steps
    def _check_params(self) -> list:
        check_option("physics", self.physics, ["auto", "briggs_rural", "briggs_urban", "pasquill_gifford"])
        check_option("fire_weight", self.fire_weight, ["frp", "count"])
        check_option("interval_calibration", self.interval_calibration, ["innovation", "none"])
        if int(self.activity_block_h) < 1 or 24 % int(self.activity_block_h):
            raise ValueError(f"activity_block_h={self.activity_block_h!r} is not valid: it must divide 24 "
                             "(e.g. 1, 2, 3, 4, 6).")
        for t in self.tracers:
            check_option("tracer", t, _TRACERS)
        cats = [c for c in self.categories if c != "regional"]
        for c in cats:
            check_option("category", c, CATEGORIES)
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha={self.alpha!r} is not valid: it must be between 0 and 1 (0.1 = 90 % intervals).")
        return cats

    def _meteorology(self, grid, wind) -> _Met:
        from . import kernels

        u, v, blh, source = _inputs.wind_at_stations(grid, wind)
        elev = kernels.solar_elevation(grid.times, grid.lon, grid.lat)
        return _Met(u, v, blh, elev, source)

    def _exposure_design(self, grid, table, met) -> _Design:
        from ._discretise import station_pairs

        # lines and areas become elements per station (pseudo-rows appended to the table)
        pairs, table.table = station_pairs(grid.lon, grid.lat, table.table, table.shapes, self.cutoff_km * 1000.0)
        t = table.table
        lib = _physics.library(met.u, met.v, met.elevation, met.blh, scheme=self.physics,
                               has_wind=met.source != "none")
        n_d = len(table.design)
        levels = _physics.saturation_levels(pairs, t, table.activity, met.u, met.v, lib, n_d, tuple(self.saturation))
        expo = _physics.exposure_design(pairs, t, table.activity, met.u, met.v, met.blh, lib, n_d, levels)
        return _Design(pairs, lib, levels, expo)

    def _solve(self, grid, table, design, cats) -> _Stack:
        """Physics stacking, activity profiles, physics stacking again; prior and its bootstrap."""
        S, T = grid.shape
        y = grid.data["pm25"]
        mask = np.isfinite(y)
        E = design.exposure
        shape = E.shape[2:]
        day = pd.factorize(grid.times.tz_convert("Asia/Shanghai").floor("D"))[0]
        w = _solver.hourly_weights(y, mask, grid.cluster)
        out_idx = table.output_index(cats)
        if E.shape[2] == 0 or not mask.any():
            zero = np.zeros((S, T, len(cats)))
            fit = _solver.StackFit(np.zeros(int(np.prod(shape))), 0.0, {}, None, mask.astype(float))
            return _Stack(np.zeros(shape), fit, zero, zero.copy())
        fit = _solver.fit_stack(E.reshape(S, T, -1), y, w, mask, grid.cluster, day, ridges=tuple(self.ridges))
        if self.activity_blocks:
            fixed = table.fire_designs()
            design.activity_factor = self._activity(grid, E, fit, y, w, mask, day, fixed)
            E *= design.activity_factor.T[None, :, :, None, None].astype(E.dtype)
            fit = _solver.fit_stack(E.reshape(S, T, -1), y, w, mask, grid.cluster, day, ridges=tuple(self.ridges),
                                    huber=fit.huber)
        prior = _to_output(_mix(E, fit.coef.reshape(shape)), out_idx, len(cats))
        var_boot = np.zeros_like(prior)
        if self.n_bootstrap and fit.equations is not None:
            rng = np.random.default_rng(self.random_state)
            reps = _solver.bootstrap_coefs(fit.equations, fit.ridge, int(self.n_bootstrap), rng)
            var_boot = _bootstrap_variance(E, reps.reshape((len(reps),) + shape), out_idx, len(cats))
        return _Stack(fit.coef.reshape(shape), fit, prior, var_boot)

    def _activity(self, grid, E, fit, y, w, mask, day, fixed) -> np.ndarray:
        """Activity factors per design category and block of hours of weekdays/weekends.

        The fitted physics mixture of each design category is split by block into columns whose
        coefficients are shrunk towards 1 (the prior profile) by a ridge chosen by day-blocked
        cross-validation. Design categories flagged in ``fixed`` (fires: each detection has its
        own time, and a time-of-day factor shared by all fires rests on a few plume hits) keep
        factor 1 and enter as an offset. Returns factors per design category and hour, (D, T).
        """
        S, T, D = E.shape[:3]
        mix = _mix(E, fit.coef.reshape(E.shape[2:])).astype(np.float32)
        free = np.flatnonzero(~np.asarray(fixed, bool))
        key = _activity_keys(grid.times, int(self.activity_block_h))
        n_key = 2 * 24 // int(self.activity_block_h)
        if free.size == 0:  # only fixed categories (e.g. fires without point sources): nothing to learn
            self.activity_cv_ = {}
            return np.ones((D, T))
        x = np.zeros((S, T, free.size * n_key), np.float32)
        for j, d in enumerate(free):
            x[:, np.arange(T), j * n_key + key] = mix[:, :, d]
        y_free = y - mix[:, :, np.asarray(fixed, bool)].sum(axis=2)
        act = _solver.fit_stack(x, y_free, w, mask, grid.cluster, day, ridges=(0.3, 1.0, 3.0, 10.0), n_irls=1,
                                prior=np.ones(free.size * n_key), huber=fit.huber)
        gamma = np.ones((D, n_key))
        gamma[free] = np.where((x != 0).any(axis=(0, 1)), act.coef, 1.0).reshape(free.size, n_key)
        self.activity_cv_ = act.cv_scores
        return gamma[:, key]

    def _update(self, grid, stack, cats) -> _State:
        y = grid.data["pm25"]
        mask = np.isfinite(y)
        prior = stack.prior.copy()
        regional = _assimilate.regional_field(y - prior.sum(axis=2), mask, grid.cluster, self.regional_smooth_h)
        if "fireworks" in cats and not prior[:, :, cats.index("fireworks")].any():
            from .profiles import festival_mask

            regional, excess = _assimilate.festival_excess(regional, festival_mask(grid.times))
            prior[:, :, cats.index("fireworks")] = excess
        # a small floor lets the update allocate to a category its plumes missed, only where it
        # has sources at all
        floor = np.where(prior.any(axis=(0, 1)), 0.25, 0.0)
        tau = self._prior_error(y, mask, regional, prior, stack.var_boot)
        var_prior = (tau * prior) ** 2 + stack.var_boot + floor
        tracers = self._tracer_setup(grid, cats)
        post = prior
        for it in range(max(int(self.n_iter), 1)):
            tr_reg = {k: _assimilate.regional_field(g - post @ r, np.isfinite(g), grid.cluster, self.regional_smooth_h)
                      for k, (g, r, _, _) in tracers.items()}
            noise = self._noise(y, mask, regional, post, tracers, tr_reg)
            ratios, incr, var_obs = self._observation_rows(y, mask, regional, prior, tracers, tr_reg, noise, len(cats))
            post, pvar = _assimilate.posterior(prior, var_prior, ratios, incr, var_obs)
            if it + 1 < self.n_iter:
                for k, (g, r, lo, hi) in tracers.items():
                    ok = np.isfinite(g)
                    r[:] = _assimilate.tracer_ratios(post, np.where(ok, g - tr_reg[k], 0.0), ok,
                                                     _assimilate.group_level(g, ok, grid.cluster), lo, hi)
        reg_var = _assimilate.regional_spread(y - regional - post.sum(axis=2), mask, grid.cluster)
        reg_var = np.where(np.isfinite(reg_var), reg_var, noise.var("pm25", regional))
        self.interval_spread_ = _assimilate.innovation_spread(prior, var_prior, incr[..., 0], var_obs[..., 0], mask)
        factor = self.interval_spread_ if self.interval_calibration == "innovation" else 1.0
        out = _State(post, pvar, prior, regional, reg_var,
                     {k: (v[1], tr_reg[k]) for k, v in tracers.items()}, noise, factor)
        return _results.enforce_observed_mean(out, y, mask)

    def _prior_error(self, y, mask, regional, prior, var_boot) -> np.ndarray:
        """Relative hourly error of each category's plume prior (``prior_sd``, or from the data).

        With ``prior_sd="auto"`` the squared innovations of PM2.5 (observation minus regional
        minus prior) are regressed, non-negatively, on ``y²``, 1 and each category's ``prior²``
        (the innovation-variance diagnostic of data assimilation, Desroziers et al. 2005): the
        coefficients of ``prior²`` are the categories' squared relative errors, kept within
        [0.25, 2].
        """
        n_cat = prior.shape[2]
        if self.prior_sd != "auto":
            return np.full(n_cat, float(self.prior_sd))
        live = prior.any(axis=(0, 1))
        if mask.sum() < 50 or not live.any():
            return np.ones(n_cat)
        r2 = (y - regional - prior.sum(axis=2))[mask] ** 2 - var_boot.sum(axis=2)[mask]
        r2 = np.minimum(r2, np.quantile(r2, 0.995))
        cols = [y[mask] ** 2, np.ones(int(mask.sum()))] + [prior[:, :, c][mask] ** 2 for c in np.flatnonzero(live)]
        a = np.column_stack(cols)
        scale = np.maximum(np.sqrt((a**2).mean(axis=0)), 1e-12)
        coef = _solver.nnls_gram((a / scale).T @ (a / scale), (a / scale).T @ r2) / scale
        tau = np.ones(n_cat)
        tau[live] = np.clip(np.sqrt(np.maximum(coef[2:], 0.0)), 0.25, 2.0)
        self.prior_sd_ = dict(zip(self._cats, tau.round(3).tolist(), strict=True))
        return tau

    def _tracer_setup(self, grid, cats) -> dict:
        """Observed tracers with their prior ratios and bounds: name -> (grid, ratios, lower, upper)."""
        sig = {c: {**SIGNATURES.get(c, {}), **(self.signatures or {}).get(c, {})} for c in cats}
        out = {}
        for k in self.tracers:
            g = grid.data.get(k)
            if g is None or np.isfinite(g).sum() < 10:
                continue
            if k == "pm10":
                prior = np.array([PM10_RATIO.get(c, 1.3) for c in cats])
                lo, hi = np.ones(len(cats)), np.full(len(cats), 6.0)
            else:
                prior = np.array([sig[c].get(k, 0.0) for c in cats])
                top = max(prior.max(), 1e-9)
                f = float(self.signature_bounds)
                lo = np.where(prior > 0, prior / f, 0.0)
                hi = np.where(prior > 0, prior * f, 0.05 * top)
            out[k] = (g, np.clip(prior, lo, hi), lo, hi)
        return out

    def _noise(self, y, mask, regional, post, tracers, tr_reg) -> _assimilate.NoiseModel:
        resid = {"pm25": y - regional - post.sum(axis=2)}
        level = {"pm25": np.where(mask, y, 0.0)}
        masks = {"pm25": mask}
        for k, (g, r, _, _) in tracers.items():
            resid[k] = g - tr_reg[k] - post @ r
            level[k] = np.where(np.isfinite(g), g, 0.0)
            masks[k] = np.isfinite(g)
        return _assimilate.noise_model(resid, level, masks)

    def _observation_rows(self, y, mask, regional, prior, tracers, tr_reg, noise, n_cat):
        """Observation operator, increments and error variances of PM2.5 and the tracers."""
        rows = [np.ones(n_cat)]
        incr = [np.where(mask, y - regional, 0.0)]
        var = [np.where(mask, noise.var("pm25", np.where(mask, y, 0.0)), 1e12)]
        for k, (g, r, _, _) in tracers.items():
            ok = np.isfinite(g)
            gv = np.where(ok, g, 0.0)
            rows.append(r.copy())
            incr.append(np.where(ok, gv - tr_reg[k], 0.0))
            sd = self.pm10_sd if k == "pm10" else self.tracer_sd
            model = (float(sd) * (prior @ r)) ** 2
            var.append(np.where(ok, noise.var(k, gv) + model, 1e12))
        return np.array(rows), np.stack(incr, axis=-1), np.stack(var, axis=-1)

    def _set_results(self, obs, grid, table, met, design, stack, state, cats, log):
        _results.set_results(self, obs, grid, table, met, design, stack, state, cats, log)

    def summary(self) -> dict:
        """JSON-ready summary: shares (all stations), tracer ratios, episode hours, top sources."""
        return _results.summary(self)


def _mix(E: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``sum_{v,l} E[s, t, d, v, l] coef[d, v, l]`` as one matrix product per design category."""
    S, T, D = E.shape[:3]
    flat = E.reshape(S * T, D, -1)
    out = np.empty((S * T, D))
    for d in range(D):
        out[:, d] = flat[:, d, :] @ coef[d].ravel().astype(E.dtype)
    return out.reshape(S, T, D)


def _bootstrap_variance(E: np.ndarray, reps: np.ndarray, out_idx: np.ndarray, n_out: int,
                        chunk: int = 8) -> np.ndarray:
    """Variance over bootstrap coefficient replicates (B, D, V, L) of the output-category prior."""
    S, T, D = E.shape[:3]
    flat = E.reshape(S * T, D, -1)
    m1 = np.zeros((S * T, n_out))
    m2 = np.zeros((S * T, n_out))
    for b0 in range(0, reps.shape[0], chunk):
        rb = reps[b0:b0 + chunk].reshape(-1, D, flat.shape[2]).astype(E.dtype)
        acc = np.zeros((S * T, n_out, rb.shape[0]), np.float32)
        for d in range(D):
            if out_idx[d] >= 0:
                acc[:, out_idx[d], :] += flat[:, d, :] @ rb[:, d, :].T
        m1 += acc.sum(axis=2, dtype=np.float64)
        m2 += np.square(acc).sum(axis=2, dtype=np.float64)
    n = reps.shape[0]
    return np.maximum(m2 / n - (m1 / n) ** 2, 0.0).reshape(S, T, n_out)


def _to_output(x: np.ndarray, out_idx: np.ndarray, n_out: int) -> np.ndarray:
    """Sum design categories (last axis) into output categories."""
    out = np.zeros(x.shape[:-1] + (n_out,))
    for d, c in enumerate(out_idx):
        if c >= 0:
            out[..., c] += x[..., d]
    return out


def _activity_keys(times, block_h: int = 3) -> np.ndarray:
    """Activity block of each hour: ``block_h``-hour block of the day (hour beginning, Beijing
    time), plus ``24 / block_h`` on weekends."""
    loc = pd.DatetimeIndex(times).tz_convert("Asia/Shanghai") - pd.Timedelta(hours=1)
    n = 24 // block_h
    return (np.asarray(loc.hour) // block_h + n * np.asarray(loc.day_of_week >= 5)).astype(np.int64)


def attribution_shares(contributions: pd.DataFrame, observed: pd.DataFrame, by=None) -> pd.DataFrame:
    """Shares of mean PM2.5 by category for any grouping of stations, from the contributions.

    Parameters
    ----------
    contributions : DataFrame
        ``SourceAttribution.contributions_`` (``station, time, category, pm25``).
    observed : DataFrame
        Observations (``station, time, pm25``): the denominator is their mean over the
        station-hours with a valid PM2.5.
    by : Series or dict, optional
        Station -> group (e.g. county ``adcode``); default all stations in one group "all".

    Returns
    -------
    DataFrame
        ``group, category, share`` with ``unexplained`` = 1 - the sum, for every group.
        Shares are in [0, 1] and sum to 1 per group when the contributions come from
        :class:`SourceAttribution` (it keeps every station's modelled mean at or below its
        observed mean).
    """
    return _results.group_shares(contributions, observed, by)

