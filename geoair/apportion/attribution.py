"""Geospatial source attribution: upwind plume exposure regressed on station observations.

Plume-based attribution gives **estimates with intervals, not regulatory concentrations**:
the plume kernels ignore terrain, building downwash and chemistry (secondary aerosol is in
the ``regional`` term), and the category coefficients absorb emission factors that are
unknown. Read outputs as relative influence estimates with uncertainty.

Method
------
1. Exposure indices (:mod:`geoair.apportion.kernels`): per station-hour and category, the sum
   over sources within ``cutoff_km`` of weight x activity x Gaussian-plume transfer
   coefficient (Briggs sigmas, Pasquill class from wind speed, solar elevation and BLH).
2. Regional background: the ``regional_quantile`` percentile across stations per hour of
   each pollutant, smoothed with a centred running median (shared, transported and
   secondary); after a first fit it is re-estimated as the median across stations of the
   observations minus the fitted local contributions (``n_iter`` passes).
3. Non-negative least squares (Lawson & Hanson 1974, :func:`scipy.optimize.nnls`) of PM2.5
   on the exposure indices and the regional term; with ``tracers=True`` SO2, NO2 and CO rows
   are stacked with the category signatures (:data:`SIGNATURES`) so that coal (SO2, CO),
   vehicles (NO2, CO) and burning (CO) are told apart. The coarse fraction PM10-PM2.5 is
   fitted the same way (dust shows up there).
4. Uncertainty: moving-block bootstrap over days (Künsch 1989) refits the coefficients;
   contribution intervals combine the bootstrap spread with the empirical relative residual
   of the fit (model error is shared by categories in proportion to their contributions).

Without any wind (e.g. the bundled 2019 national files) every kernel is the
direction-averaged (isotropic) plume, and a ``UserWarning`` says so: contributions then
reflect distance and activity only.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option, require_columns
from ..schema import CATEGORIES
from . import profiles as _prof

__all__ = ["SourceAttribution", "SIGNATURES", "DEFAULT_CATEGORIES"]

DEFAULT_CATEGORIES = ("coal", "dust", "vehicle", "industry", "burning", "fireworks")

#: Emission signature per category: µg/m³ of SO2 and NO2, mg/m³ of CO, per µg/m³ of primary
#: PM2.5 near the source. Order-of-magnitude assumptions from the tracer heuristics of
#: research note standards.md §8.2 (coal: high SO2 and CO; vehicles: NO2 and CO, low SO2;
#: burning: CO; fireworks: SO2 slightly up; dust: none). Override with ``signatures=``.
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
_GASES = ("so2", "no2", "co")


def _lonlat(df: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray]:
    if "lon" in df and "lat" in df:
        return df["lon"].to_numpy(float), df["lat"].to_numpy(float)
    if "geometry" in df:
        geom = df["geometry"]
        return np.asarray(geom.x, float), np.asarray(geom.y, float)
    raise GeoairInputError(f"The {what} have no coordinates.", received=list(map(str, df.columns))[:20],
                           fix="Pass a GeoDataFrame (EPSG:4326) or columns 'lon' and 'lat' in degrees.")


def _times_local(s) -> pd.DatetimeIndex:
    t = pd.DatetimeIndex(s)
    return t.tz_localize("Asia/Shanghai") if t.tz is None else t.tz_convert("Asia/Shanghai")


def _nnls_gram(g: np.ndarray, h: np.ndarray) -> np.ndarray:
    """NNLS from the normal equations: ||Ax-b||² = ||Rx - R^-T A'b||² + const, R'R = A'A."""
    from scipy.linalg import cholesky, solve_triangular
    from scipy.optimize import nnls

    n = g.shape[0]
    g = g + np.eye(n) * (1e-10 * max(np.trace(g) / max(n, 1), 1e-300))
    r = cholesky(g, lower=False)
    q = solve_triangular(r, h, trans="T", lower=False)
    return nnls(r, q, maxiter=50 * n)[0]


def _nanquantile_axis0(y: np.ndarray, q: float) -> np.ndarray:
    """Linear-interpolated quantile (0-1) over axis 0 ignoring NaN (fast for few rows)."""
    srt = np.sort(y, axis=0)  # NaN last
    n = np.isfinite(y).sum(axis=0)
    pos = q * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    cols = np.arange(y.shape[1])
    out = srt[lo, cols] + (pos - lo) * (srt[hi, cols] - srt[lo, cols])
    return np.where(n > 0, out, np.nan)


class SourceAttribution:
    """Upwind-exposure source attribution of station PM2.5 and PM10 by category.

    Estimates with intervals, not regulatory concentrations (see module docs).

    Parameters
    ----------
    categories : sequence of str
        Source categories modelled (from :data:`geoair.schema.CATEGORIES`); ``regional`` is
        always added.
    cutoff_km : float
        Sources farther than this from a station are ignored (km).
    sigma : {"briggs_rural", "briggs_urban", "pasquill_gifford"}
        Dispersion curves.
    regional_quantile : float
        Percentile (0-100) across stations per hour taken as the regional background.
    tracers : bool
        Stack SO2/NO2/CO rows with :data:`SIGNATURES` in the PM2.5 fit.
    tracer_weight : float
        Weight of gas rows relative to PM2.5 rows (after scaling by standard deviations).
    signatures : dict, optional
        Overrides of :data:`SIGNATURES`.
    profiles : dict, optional
        Source kind -> activity profile name overrides (see :mod:`geoair.apportion.profiles`).
    fire_sigma_h : float or "auto"
        Burning duration of a fire detection (standard deviation of a Gaussian around the
        overpass, hours). A satellite detection is a snapshot, so the duration is unknown:
        ``"auto"`` picks the value of ``fire_sigma_grid`` with the least residual of the
        stacked PM2.5/tracer fit (a profile likelihood; result in ``fire_sigma_h_``).
    fire_sigma_grid : sequence of float
        Candidate durations (hours) for ``fire_sigma_h="auto"``.
    fire_weight : {"frp", "count"}
        Strength of a fire: its FRP (MW) or 1.
    calm_ws : float
        Wind speed (m/s) below which the symmetric kernel is used.
    n_bootstrap : int
        Bootstrap replicates (0 = no intervals).
    block : str
        Bootstrap block length as a pandas frequency (``"1D"`` = days).
    alpha : float
        Intervals are ``1 - alpha`` (default 90 %).
    exceed_pm25 : float
        Hourly PM2.5 (µg/m³) counted as an exceedance hour in ``source_scores_``
        (default 75, the GB 3095 24-h Grade II limit, applied to hours as a screening level).
    explain_frac : float
        A source explains an exceedance hour when it contributes at least this fraction of
        the local increment above the regional background.
    regional_smooth_h : int
        Window (hours) of the centred running median smoothing the regional series.
    n_iter : int
        Passes of (fit, re-estimate the regional background from observations minus the
        fitted local contributions); 1 = regional from the raw observations only.
    random_state : int, Generator or None

    Attributes
    ----------
    contributions_ : DataFrame
        ``station, time, category, pm25, pm10, lower, upper, pm10_lower, pm10_upper`` (µg/m³;
        ``lower``/``upper`` bound ``pm25``).
    shares_ : DataFrame
        ``station`` ("all" or a code), ``category``, ``share``, ``lower``, ``upper`` of mean
        PM2.5 (fraction); ``unexplained`` is the rest.
    source_scores_ : DataFrame
        ``source_id, station, category, kind, distance_m, contribution, lower, upper,
        hours_upwind, exceedance_hours_explained, rank`` (mean PM2.5 contribution, µg/m³).
        The interval reflects the bootstrap uncertainty of the category coefficient only;
        the source's prior weight is taken as given (its error is not propagated), so
        these intervals are narrower than the truth warrants - rank, do not quote.
    coef_ : DataFrame
        Fitted coefficients (rows: categories and regional; columns pm25, coarse).
    exposure_ : DataFrame
        Exposure indices (station, time) x category.
    episodes_ : DataFrame
        :func:`geoair.apportion.detect_episodes` on the observations.

    References
    ----------
    Turner (1970) AP-26; Briggs (1973); Lawson & Hanson (1974) *Solving Least Squares
    Problems*; Künsch (1989) Ann. Stat. 17:1217 (block bootstrap).
    """

    def __init__(self, *, categories=DEFAULT_CATEGORIES, cutoff_km: float = 50.0, sigma: str = "briggs_rural",
                 regional_quantile: float = 10.0, tracers: bool = True, tracer_weight: float = 0.5,
                 signatures=None, profiles=None, fire_sigma_h: float | str = "auto",
                 fire_sigma_grid=(1.0, 2.0, 3.0, 4.5, 6.0), fire_weight: str = "frp",
                 calm_ws: float = 0.5, n_bootstrap: int = 200, block: str = "1D", alpha: float = 0.1,
                 exceed_pm25: float = 75.0, explain_frac: float = 0.1, n_iter: int = 3,
                 regional_smooth_h: int = 5, random_state=None):
        self.categories = categories
        self.cutoff_km = cutoff_km
        self.sigma = sigma
        self.regional_quantile = regional_quantile
        self.tracers = tracers
        self.tracer_weight = tracer_weight
        self.signatures = signatures
        self.profiles = profiles
        self.fire_sigma_h = fire_sigma_h
        self.fire_sigma_grid = fire_sigma_grid
        self.fire_weight = fire_weight
        self.calm_ws = calm_ws
        self.n_bootstrap = n_bootstrap
        self.block = block
        self.alpha = alpha
        self.exceed_pm25 = exceed_pm25
        self.explain_frac = explain_frac
        self.n_iter = n_iter
        self.regional_smooth_h = regional_smooth_h
        self.random_state = random_state

    # ------------------------------------------------------------------ inputs
    def _sources_table(self, sources, fires, times, cats, log):
        """Concatenate sources and fires into arrays + activity matrix."""
        kind_prof = {**_prof.KIND_PROFILE, **(self.profiles or {})}
        rows = []
        act_rows: list[np.ndarray] = []
        keys: dict = {}

        def prof_id(key, fn):
            if key not in keys:
                keys[key] = len(act_rows)
                act_rows.append(fn())
            return keys[key]

        if sources is not None and len(sources):
            require_columns(sources, ["source_id", "category"], what="sources")
            src = sources.reset_index(drop=True)
            lon, lat = _lonlat(src, "sources")
            bad_cat = ~src["category"].isin(cats)
            log.add("source category not modelled", np.flatnonzero(bad_cat.to_numpy()), column="category",
                    values=src.loc[bad_cat, "category"])
            bad_xy = ~(np.isfinite(lon) & np.isfinite(lat))
            log.add("source without coordinates", np.flatnonzero(bad_xy), column="geometry")
            weight = src["weight"].astype(float).fillna(1.0).to_numpy() if "weight" in src else np.ones(len(src))
            kind = src["kind"].astype("string").fillna("").str.lower() if "kind" in src else pd.Series([""] * len(src))
            height = src["height"].astype(float).fillna(0.0).to_numpy() if "height" in src else np.zeros(len(src))
            a_from = pd.to_datetime(src["active_from"]) if "active_from" in src else pd.Series(pd.NaT, index=src.index)
            a_to = pd.to_datetime(src["active_to"]) if "active_to" in src else pd.Series(pd.NaT, index=src.index)
            tl = _times_local(times)
            for i in range(len(src)):
                if bad_cat.iat[i] or bad_xy[i]:
                    continue
                cat = src["category"].iat[i]
                pname = kind_prof.get(kind.iat[i], _prof.CATEGORY_DEFAULT_PROFILE.get(cat, "constant"))
                af, at = a_from.iat[i], a_to.iat[i]

                def fn(pname=pname, af=af, at=at):
                    a = _prof.activity(pname, tl)
                    if pd.notna(af):
                        a = a * (tl >= _times_local([af])[0])
                    if pd.notna(at):
                        a = a * (tl <= _times_local([at])[0])
                    return np.asarray(a, float)

                rows.append((str(src["source_id"].iat[i]), cat, kind.iat[i], lon[i], lat[i], weight[i], height[i],
                             prof_id((pname, af, at), fn)))
        if fires is not None and len(fires) and "burning" in cats:
            require_columns(fires, ["time"], what="fires")
            fr = fires.reset_index(drop=True)
            lon, lat = _lonlat(fr, "fires")
            ft = _times_local(fr["time"])
            w = fr["frp"].astype(float).fillna(0.0).to_numpy() if (self.fire_weight == "frp" and "frp" in fr) \
                else np.ones(len(fr))
            ids = fr["fire_id"].astype(str).to_numpy() if "fire_id" in fr else np.array([f"fire{i}" for i in range(len(fr))])
            tl = _times_local(times)
            reach = pd.Timedelta(hours=4 * self.fire_sigma_h + 1)
            outside = np.asarray((ft < tl.min() - reach) | (ft > tl.max() + reach)) if len(tl) else np.ones(len(fr), bool)
            bad = ~(np.isfinite(lon) & np.isfinite(lat)) | np.asarray(pd.isna(ft))
            log.add("fire without coordinates or time", np.flatnonzero(bad), column="geometry")
            log.add("fire outside the observation period (no effect)", np.flatnonzero(outside & ~bad), column="time")
            for i in range(len(fr)):
                if bad[i] or outside[i]:
                    continue
                key = ("fire", ft[i].floor("h"))
                pid = prof_id(key, lambda t0=key[1]: _prof.activity("fire", tl, fire_time=t0,
                                                                    fire_sigma_h=self.fire_sigma_h))
                rows.append((ids[i], "burning", "fire", lon[i], lat[i], w[i], 0.0, pid))
        cols = ["source_id", "category", "kind", "lon", "lat", "weight", "height", "profile"]
        table = pd.DataFrame(rows, columns=cols)
        act = np.vstack(act_rows) if act_rows else np.zeros((0, len(times)))
        return table, act

    def _wind(self, obs_grid, wind, st_lon, st_lat, times):
        S, T = len(st_lon), len(times)
        u = np.full((S, T), np.nan)
        v = np.full((S, T), np.nan)
        blh = None
        if wind is not None:
            tu = _times_local(times).tz_convert("UTC").tz_localize(None)
            lon = np.repeat(st_lon, T)
            lat = np.repeat(st_lat, T)
            tt = np.tile(tu.to_numpy(), S)
            try:
                from geoair.met.wind import sample_wind

                uu, vv = sample_wind(wind, lon, lat, tt)
                if "blh" in wind:
                    import xarray as xr

                    bl = xr.Dataset({"u10": wind["blh"], "v10": wind["blh"]})
                    blh = np.asarray(sample_wind(bl, lon, lat, tt)[0], float).reshape(S, T)
            except ImportError:  # pragma: no cover - geoair.met.wind is part of the package
                import xarray as xr

                pts = {"longitude": xr.DataArray(lon, dims="p"), "latitude": xr.DataArray(lat, dims="p"),
                       "time": xr.DataArray(tt, dims="p")}
                uu = wind["u10"].interp(pts).to_numpy()
                vv = wind["v10"].interp(pts).to_numpy()
                if "blh" in wind:
                    blh = wind["blh"].interp(pts).to_numpy().reshape(S, T)
            u, v = np.asarray(uu, float).reshape(S, T), np.asarray(vv, float).reshape(S, T)
        elif "ws" in obs_grid and "wd" in obs_grid:
            ws, wd = obs_grid["ws"], np.radians(obs_grid["wd"])
            u, v = -ws * np.sin(wd), -ws * np.cos(wd)
            calm = ws == 0
            u[calm], v[calm] = 0.0, 0.0
        if np.all(np.isnan(u)):
            warnings.warn("No wind given (no `wind` field covering the stations and no ws/wd columns): "
                          "every source uses the "
                          "direction-averaged (isotropic) plume kernel at 2 m/s, class D; contributions "
                          "reflect distance and activity only.", UserWarning, stacklevel=3)
        else:
            # fill a station's missing hour with the network mean vector of that hour
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                um, vm = np.nanmean(u, axis=0), np.nanmean(v, axis=0)
                u = np.where(np.isnan(u), um[None, :], u)
                v = np.where(np.isnan(v), vm[None, :], v)
        return u, v, blh

    def _regional(self, y: np.ndarray, q: float | None = None) -> np.ndarray:
        S, T = y.shape
        q = self.regional_quantile if q is None else q
        if S >= 3:
            r = _nanquantile_axis0(y, q / 100.0)
        else:
            r = _nanquantile_axis0(y, 0.0) if S else np.zeros(T)
        r = pd.Series(r).rolling(self.regional_smooth_h, center=True, min_periods=1).median().interpolate(limit_direction="both")
        return np.broadcast_to(r.fillna(0.0).to_numpy(), (S, T)).copy()

    # ------------------------------------------------------------------ fit
    def fit(self, obs: pd.DataFrame, *, stations, sources=None, fires=None, wind=None):
        """Fit category coefficients and compute contributions, shares and source scores.

        Parameters
        ----------
        obs : DataFrame
            Observations (``station, time, pm25[, pm10, so2, no2, co, ws, wd]``).
        stations : GeoDataFrame or DataFrame
            ``station`` and a Point geometry (EPSG:4326) or ``lon``/``lat``.
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
        from . import kernels
        from .episodes import detect_episodes

        if isinstance(self.fire_sigma_h, str):
            check_option("fire_sigma_h", self.fire_sigma_h, ["auto"])
            if fires is None or len(fires) == 0 or not _fires_overlap(fires, obs):
                import copy

                final = copy.copy(self)
                final.fire_sigma_h = 3.0
                final.fit(obs, stations=stations, sources=sources, fires=fires, wind=wind)
                self.__dict__.update({k: v for k, v in final.__dict__.items() if k.endswith("_")})
                return self
            return self._fit_auto_fire(obs, stations=stations, sources=sources, fires=fires, wind=wind)
        check_option("sigma", self.sigma, kernels.SIGMA_SCHEMES)
        cats = [c for c in self.categories if c != "regional"]
        for c in cats:
            check_option("category", c, CATEGORIES)
        require_columns(obs, ["station", "time", "pm25"], what="observations")
        require_columns(stations, ["station"], what="stations")
        log = DropLog()
        rng = np.random.default_rng(self.random_state)

        obs = obs.copy()
        obs["station"] = obs["station"].astype(str)
        obs["time"] = _times_local(obs["time"])
        st = stations.copy()
        st["station"] = st["station"].astype(str)
        known = obs["station"].isin(set(st["station"]))
        if not known.any() and len(obs):
            raise GeoairInputError("Observation stations are missing from the station table.", column="station",
                                   received=sorted(set(obs["station"]))[:10],
                                   fix="Pass the stations of every observed code.")
        if not known.all():
            # stations without coordinates cannot be attributed: dropped, logged and reported
            unknown = sorted(set(obs.loc[~known, "station"]))
            log.add("station not in the station table (no coordinates)", np.flatnonzero(~known.to_numpy()),
                    column="station", values=unknown)
            warnings.warn(f"{len(unknown)} observed station(s) are not in the station table and were "
                          f"dropped ({(~known).sum()} rows), e.g. {unknown[:5]}; see attrs['droplog'].",
                          UserWarning, stacklevel=2)
            obs = obs.loc[known].reset_index(drop=True)
        st = st[st["station"].isin(obs["station"].unique())].drop_duplicates("station").reset_index(drop=True)
        st_lon, st_lat = _lonlat(st, "stations")
        codes = st["station"].to_numpy()
        times = pd.DatetimeIndex(np.sort(obs["time"].unique()))
        S, T = len(codes), len(times)
        s_idx = pd.Index(codes).get_indexer(obs["station"])
        t_idx = times.get_indexer(obs["time"])
        grid = {}
        for col in ("pm25", "pm10", "so2", "no2", "co", "ws", "wd", "blh"):
            if col in obs:
                a = np.full((S, T), np.nan)
                a[s_idx, t_idx] = obs[col].astype(float).to_numpy()
                grid[col] = a
        present = np.zeros((S, T), bool)
        present[s_idx, t_idx] = True

        # exposure
        table, act = self._sources_table(sources, fires, times, cats, log)
        u, v, blh = self._wind(grid, wind, st_lon, st_lat, times)
        if blh is None and "blh" in grid:
            blh = grid["blh"]
        elev = kernels.solar_elevation(times, st_lon, st_lat)
        cls = kernels.stability_class(np.hypot(u, v), elev, blh)
        pairs = kernels.pair_index(st_lon, st_lat, table["lon"], table["lat"], self.cutoff_km * 1000.0)
        cat_idx = pd.Index(cats).get_indexer(table["category"]).astype(np.int64)
        kw = dict(blh=blh, scheme=self.sigma, calm_ws=self.calm_ws)
        E = kernels.exposure(pairs, cat_idx, table["profile"].to_numpy(np.int64), table["weight"].to_numpy(float),
                             table["height"].to_numpy(float), act, u, v, cls, n_categories=len(cats), **kw)
        if "fireworks" in cats and not np.any(E[:, :, cats.index("fireworks")] > 0):
            # no fireworks sources near the stations: festival-night indicator, uniform in space
            E[:, :, cats.index("fireworks")] = _prof.festival_mask(times)[None, :].astype(float)
        scale = np.array([E[:, :, c][E[:, :, c] > 0].mean() if np.any(E[:, :, c] > 0) else 1.0
                          for c in range(len(cats))])
        X = E / scale

        # regional terms
        y25 = grid["pm25"]
        R = {"pm25": self._regional(y25)}
        coarse = grid["pm10"] - y25 if "pm10" in grid else None
        if coarse is not None:
            coarse = np.where(coarse < 0, 0.0, coarse)
            R["coarse"] = self._regional(coarse)
        gases = [g for g in _GASES if self.tracers and g in grid and np.isfinite(grid[g]).sum() > 10]
        for g in gases:
            R[g] = self._regional(grid[g])
        # row positions in the (station-filtered) observation frame, as everywhere in the DropLog
        log.add("PM2.5 missing: station-hour not used in the fit",
                np.flatnonzero(obs["pm25"].isna().to_numpy()), column="pm25")

        # stacked design (pm25 rows + gas rows); columns: categories, regional pm25, regional gases
        sig = {**SIGNATURES, **(self.signatures or {})}
        C = len(cats)
        n_col = C + 1 + len(gases)
        blocks_all = (times.tz_convert("Asia/Shanghai").tz_localize(None).floor(self.block)
                      if self.block else times)
        blk_codes = pd.factorize(blocks_all)[0]
        n_blk = int(blk_codes.max()) + 1 if blk_codes.size else 0
        sd25 = np.nanstd(y25) or 1.0
        n_ok = int(np.isfinite(y25).sum())
        if n_ok < n_col:
            raise GeoairInputError("Too few valid PM2.5 station-hours to fit the attribution model.",
                                   column="pm25", received=n_ok, fix="Provide more observations.")
        sig_m = {g: np.array([sig.get(c, {}).get(g, 0.0) for c in cats]) for g in gases}
        w_g = {g: self.tracer_weight * sd25 / (np.nanstd(grid[g]) or 1.0) for g in gases}
        chunk = max(1, int(2_000_000 // max(T * n_col, 1)))  # stations per chunk (~16 MB blocks)

        def gram(targets, n):
            """Per-block (day) normal equations, accumulated by station chunks so that the
            stacked design is never held in memory (national scale)."""
            gk = np.zeros((n_blk, n, n))
            hk = np.zeros((n_blk, n))
            bb, rows = 0.0, 0
            for s0 in range(0, S, chunk):
                sl = slice(s0, s0 + chunk)
                for y, build, w in targets:
                    ys = y[sl]
                    m = np.isfinite(ys)
                    a = build(sl) * w
                    a[~m] = 0.0
                    yy = np.where(m, ys * w, 0.0)
                    at = np.ascontiguousarray(a.transpose(1, 2, 0))  # T, n, s: batched BLAS products
                    np.add.at(gk, blk_codes, at @ at.transpose(0, 2, 1))
                    np.add.at(hk, blk_codes, (at @ yy.T[:, :, None])[:, :, 0])
                    bb += float((yy**2).sum())
                    rows += int(m.sum())
            return gk, hk, bb, rows

        def pm25_targets(R):
            def b25(sl):
                a = np.zeros(X[sl].shape[:2] + (n_col,))
                a[..., :C] = X[sl]
                a[..., C] = R["pm25"][sl]
                return a

            out = [(y25, b25, 1.0)]
            for k, g in enumerate(gases):
                def bg(sl, k=k, g=g):
                    a = np.zeros(X[sl].shape[:2] + (n_col,))
                    a[..., :C] = X[sl] * sig_m[g]
                    a[..., C + 1 + k] = R[g][sl]
                    return a

                out.append((grid[g], bg, w_g[g]))
            return out

        def coarse_targets(R):
            return [(coarse, lambda sl: np.concatenate([X[sl], R["coarse"][sl][:, :, None]], axis=2), 1.0)]

        def solve(gk, hk, bb, rows):
            g, h = gk.sum(axis=0), hk.sum(axis=0)
            x = _nnls_gram(g, h)
            return x, max(bb - 2 * x @ h + x @ g @ x, 0.0) / max(rows, 1)

        for it in range(self.n_iter):
            gA, hA, bbA, nA = gram(pm25_targets(R), n_col)
            beta, rss = solve(gA, hA, bbA, nA)
            if coarse is not None:
                gC, hC, bbC, nC = gram(coarse_targets(R), C + 1)
                delta, _ = solve(gC, hC, bbC, nC)
            else:
                delta = np.zeros(C + 1)
            if it + 1 < self.n_iter:
                # regional background re-estimated from what the local sources leave
                # (median across stations: once local sources are removed, every station sees it)
                R["pm25"] = self._regional(y25 - X @ beta[:C], 50.0)
                if coarse is not None:
                    R["coarse"] = self._regional(coarse - X @ delta[:C], 50.0)
                for g in gases:
                    R[g] = self._regional(grid[g] - X @ (beta[:C] * sig_m[g]), 50.0)

        # block bootstrap over days: resampled days reweight the per-day normal equations
        nb = int(self.n_bootstrap)
        boot_b = np.empty((nb, C + 1))
        boot_d = np.empty((nb, C + 1))
        for i in range(nb):
            cnt = np.bincount(rng.integers(0, n_blk, n_blk), minlength=n_blk).astype(float)
            boot_b[i] = _nnls_gram(np.tensordot(cnt, gA, 1), cnt @ hA)[: C + 1]
            boot_d[i] = _nnls_gram(np.tensordot(cnt, gC, 1), cnt @ hC) if coarse is not None else 0.0

        # contributions
        comp = np.concatenate([X, R["pm25"][:, :, None]], axis=2)  # S,T,C+1
        comp_c = np.concatenate([X, R["coarse"][:, :, None]], axis=2) if coarse is not None else np.zeros_like(comp)
        pm25_c = comp * beta[: C + 1]
        # no PM10 observed: no PM10 estimate (rather than PM2.5 passed off as PM10)
        pm10_c = pm25_c + comp_c * delta if coarse is not None else np.full_like(pm25_c, np.nan)
        fit25 = pm25_c.sum(axis=2)
        fit10 = pm10_c.sum(axis=2)
        lo_q, hi_q = self.alpha / 2, 1 - self.alpha / 2

        def rel_q(y, f):
            m = np.isfinite(y) & (f > 0)
            if not m.any():
                return 0.0, 0.0
            e = (y[m] - f[m]) / f[m]
            return np.quantile(e, lo_q), np.quantile(e, hi_q)

        e25 = rel_q(y25, fit25)
        e10 = rel_q(grid["pm10"], fit10) if "pm10" in grid else (0.0, 0.0)
        if nb:
            b_lo, b_hi = np.quantile(boot_b, lo_q, axis=0), np.quantile(boot_b, hi_q, axis=0)
            d_lo, d_hi = np.quantile(boot_d, lo_q, axis=0), np.quantile(boot_d, hi_q, axis=0)
        else:
            b_lo = b_hi = beta[: C + 1]
            d_lo = d_hi = delta
        lower = comp * b_lo * max(1 + e25[0], 0.0)
        upper = comp * b_hi * (1 + e25[1])
        lower10 = (comp * b_lo + comp_c * d_lo) * max(1 + e10[0], 0.0)
        upper10 = (comp * b_hi + comp_c * d_hi) * (1 + e10[1])
        if coarse is None:
            lower10 = upper10 = pm10_c
        names = [*cats, "regional"]
        ss, tt = np.nonzero(present)
        n = ss.size
        K = C + 1
        self.contributions_ = pd.DataFrame({
            # categoricals: compact at national scale (millions of rows)
            "station": pd.Categorical.from_codes(np.repeat(ss, K), categories=pd.Index(codes, dtype=object)),
            "time": np.repeat(times[tt], K),
            "category": pd.Categorical.from_codes(np.tile(np.arange(K), n), categories=pd.Index(names, dtype=object)),
            "pm25": pm25_c[ss, tt].ravel(),
            "pm10": pm10_c[ss, tt].ravel(),
            "lower": lower[ss, tt].ravel(),
            "upper": upper[ss, tt].ravel(),
            "pm10_lower": lower10[ss, tt].ravel(),
            "pm10_upper": upper10[ss, tt].ravel(),
        })
        self.contributions_.attrs["droplog"] = log
        self.contributions_.attrs["units"] = "µg/m³ (estimates with intervals, not regulatory concentrations)"

        # shares of mean PM2.5 over station-hours with a valid PM2.5 (network, then stations)
        valid = np.isfinite(y25)
        n_v = np.concatenate([[valid.sum()], valid.sum(axis=1)]).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            csum = np.where(valid[:, :, None], comp, 0.0).sum(axis=1)  # S,K
            cm = np.vstack([csum.sum(axis=0), csum]) / n_v[:, None]
            ysum = np.where(valid, y25, 0.0).sum(axis=1)
            ybar = np.concatenate([[ysum.sum()], ysum]) / n_v
            sh = cm * beta[:K] / ybar[:, None]
            bs = cm[:, None, :] * (boot_b if nb else beta[None, :K])[None, :, :] / ybar[:, None, None]
        q_lo, q_hi = np.quantile(bs, lo_q, axis=1), np.quantile(bs, hi_q, axis=1)
        who = np.concatenate([["all"], codes]).astype(object)
        n_who = who.size
        self.shares_ = pd.DataFrame({
            "station": np.repeat(who, K + 1),
            "category": np.tile([*names, "unexplained"], n_who),
            "share": np.column_stack([sh, 1 - sh.sum(axis=1)]).ravel(),
            "lower": np.column_stack([q_lo, np.full(n_who, np.nan)]).ravel(),
            "upper": np.column_stack([q_hi, np.full(n_who, np.nan)]).ravel(),
        })

        # per-source scores
        coef = beta[:C] / scale
        incr = np.nan_to_num(y25 - pm25_c[:, :, C], nan=0.0)
        exceed = np.nan_to_num(y25, nan=-1.0) >= self.exceed_pm25
        total, hours, expl = kernels.pair_scores(
            pairs, cat_idx, table["profile"].to_numpy(np.int64), table["weight"].to_numpy(float),
            table["height"].to_numpy(float), act, u, v, cls, coef, exceed, incr, frac=self.explain_frac, **kw)
        ptr, psrc, _, _, dist = pairs
        pst = np.repeat(np.arange(S), np.diff(ptr))
        n_hours = present.sum(axis=1)[pst].clip(min=1)
        pc = cat_idx[psrc]
        mean_c = total / n_hours
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio_lo = np.where(beta[pc] > 0, b_lo[pc] / beta[pc], 0.0)
            ratio_hi = np.where(beta[pc] > 0, b_hi[pc] / beta[pc], 0.0)
        sc = pd.DataFrame({
            "source_id": table["source_id"].to_numpy()[psrc],
            "station": codes[pst],
            "category": table["category"].to_numpy()[psrc],
            "kind": table["kind"].to_numpy()[psrc],
            "distance_m": dist,
            "contribution": mean_c,
            "lower": mean_c * ratio_lo,
            "upper": mean_c * ratio_hi,
            "hours_upwind": hours,
            "exceedance_hours_explained": expl,
        })
        sc = sc.sort_values(["station", "contribution"], ascending=[True, False]).reset_index(drop=True)
        sc["rank"] = sc.groupby("station").cumcount() + 1
        self.source_scores_ = sc
        for res in (self.shares_, self.source_scores_):
            res.attrs["droplog"] = log

        self.coef_ = pd.DataFrame({"pm25": beta[:K], "coarse": delta[:K]}, index=names)
        self.coef_bootstrap_ = boot_b
        self.exposure_ = pd.DataFrame(E[ss, tt], columns=cats,
                                      index=pd.MultiIndex.from_arrays([codes[ss], times[tt]], names=["station", "time"]))
        obs_ep = obs.copy()
        if "ws" not in obs_ep and wind is not None:
            obs_ep["ws"] = np.hypot(u, v)[s_idx, t_idx]
        fe = self.exposure_["burning"] if "burning" in cats and len(table) else None
        self.episodes_ = detect_episodes(obs_ep, fire_exposure=fe)
        self.residual_quantiles_ = {"pm25": e25, "pm10": e10}
        self.n_pairs_ = int(psrc.size)
        self.rss_ = float(rss)
        self.fire_sigma_h_ = self.fire_sigma_h
        self.wind_source_ = "field" if wind is not None else ("stations" if "ws" in grid else "none")
        return self

    def _fit_auto_fire(self, obs, **kw):
        """Choose the fire duration by the least stacked residual (profile likelihood)."""
        import copy

        scores = {}
        fires = kw.get("fires")
        grid = self.fire_sigma_grid if fires is not None and len(fires) else (3.0,)
        for sig_h in grid:
            trial = copy.copy(self)
            trial.fire_sigma_h, trial.n_bootstrap = sig_h, 0
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the final fit repeats any warning once
                trial.fit(obs, **kw)
            scores[sig_h] = trial.rss_
        best = min(scores, key=scores.get)
        final = copy.copy(self)
        final.fire_sigma_h = best
        final.fit(obs, **kw)
        self.__dict__.update({k: v for k, v in final.__dict__.items() if k.endswith("_")})
        self.fire_sigma_h_ = best
        self.fire_sigma_scores_ = scores
        return self

    def summary(self) -> dict:
        """JSON-ready summary: shares (all stations), coefficients, episode hours, top sources."""
        sh = self.shares_[self.shares_["station"] == "all"]
        return {
            "note": "Plume-based estimates with intervals, not regulatory concentrations.",
            "shares_pm25": {r.category: {"share": _f(r.share), "lower": _f(r.lower), "upper": _f(r.upper)}
                            for r in sh.itertuples()},
            "coefficients": {k: {c: _f(v) for c, v in row.items()} for k, row in self.coef_.iterrows()},
            "episode_hours": {c: int(self.episodes_[c].sum()) for c in self.episodes_.columns[2:]},
            "n_station_source_pairs": self.n_pairs_,
            "wind": self.wind_source_,
            "top_sources": self.source_scores_.head(10)[["source_id", "station", "category", "contribution"]]
            .to_dict("records"),
        }


def _fires_overlap(fires, obs) -> bool:
    """Whether any fire detection falls within a day of the observation period."""
    if "time" not in fires or "time" not in obs or not len(obs):
        return False
    ft = _times_local(fires["time"])
    ot = _times_local(obs["time"])
    lo, hi = ot.min() - pd.Timedelta(days=1), ot.max() + pd.Timedelta(days=1)
    return bool(((ft >= lo) & (ft <= hi)).any())


def _f(x):
    return None if x is None or not np.isfinite(x) else float(x)
