"""Twin experiments for :class:`geoair.apportion.SourceAttribution`: a family of synthetic truths.

:func:`make_attribution_truth` places point sources around **every** real Beijing PRSA station
and fire detections in the countryside, drives them with the real hourly station winds of the
UCI PRSA data, and records the true contribution of every category and source. The truth can
differ from the estimator's assumptions along each axis of :data:`TWIN_AXES`; by default every
axis is misspecified at once (the family's hardest default):

========================  ================================  ======================================
axis                      estimator's assumption ("off")    default truth ("on")
========================  ================================  ======================================
``sigma``                 Briggs rural curves               another family drawn per seed
                                                            (Pasquill-Gifford, Briggs urban, or a
                                                            generator-only power law), sigmas
                                                            scaled by log-normal factors
``stability``             Turner classes, calm below        a fixed day/night rule or Turner
                          0.5 m/s                           shifted one class, drawn per seed;
                                                            calm threshold U(0.2, 1.0) m/s
``saturation``            linear plumes                     each source-station-hour saturates,
                                                            ``c / (1 + c / c_half)``
``weight_error``          prior weights exact               log-normal error, sd 0.3
``heights``               heights given                     no ``height`` column (stacks hidden)
``signatures``            :data:`SIGNATURES`                gas/PM ratios drawn far from them,
                                                            gases from unlisted sources
``activity``              :mod:`~geoair.apportion.profiles` other diurnal/weekly shapes, fires
                                                            lasting 2-10 h (``"daily"``: plus
                                                            day-to-day variation)
``regional``              one series shared by stations     real PRSA haze template with a spatial
                                                            gradient, lags and station noise
``wind``                  station ws/wd                     an inverse-distance gridded field
                                                            (0.05°) used by truth and estimator
                                                            (``"mismatch"``: the truth uses the
                                                            stations' own winds)
``noise``, ``missing``    none                              20 % log-normal noise, 10 % missing
                                                            hours (half in gaps of 6-48 h)
========================  ================================  ======================================

With ``shapes=True`` (or a dict of options) the family also has line and area sources (issue
20): a road 0.1-0.5 km from every station, radial highways and a ring road (``vehicle`` lines),
villages (``coal`` polygons) and optionally a coarse inventory grid, with the generator's own
traffic and stove activity; the truth integrates them by its own brute-force discretisation
(:mod:`geoair.testing._attribution_shapes`).

Sizes default to those of the held-out experiment described in issue 10: all 12 stations,
2016-11-15 .. 2017-01-15, 125 point sources, 400 fires, regional share about 64 %.

:func:`score_attribution` compares a fit with the truth (hourly R² per category, share errors,
interval coverage, top-5 source recall).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["SyntheticAttribution", "make_attribution_truth", "score_attribution", "TRUE_PM10_RATIO",
           "TWIN_AXES", "TRUTH_SHARES"]

#: PM10/PM2.5 of each category's primary emission in the generator (dust is coarse).
TRUE_PM10_RATIO = {"coal": 1.3, "dust": 3.0, "vehicle": 1.2, "industry": 1.4, "burning": 1.1,
                   "fireworks": 1.2, "regional": 1.3}

#: Mean PM2.5 shares of the truth (issue 10's held-out experiment); drawn around these per seed.
TRUTH_SHARES = {"coal": 0.136, "dust": 0.112, "vehicle": 0.105, "burning": 0.009}

#: Axis -> value that agrees with the estimator's assumptions (pass it to switch the axis off).
TWIN_AXES: dict[str, object] = {
    "sigma": "briggs_rural", "stability": "turner", "saturation": False, "weight_error": 0.0,
    "heights": "given", "signatures": "prior", "activity": "prior", "regional": "shared",
    "wind": "stations", "noise": 0.0, "missing": 0.0,
}

# kind, release height range (m), share of the point sources
_KINDS = {"coal": ("boiler", (15.0, 60.0)), "dust": ("construction", (0.0, 3.0)),
          "vehicle": ("road", (0.0, 2.0)), "industry": ("steel_plant", (10.0, 40.0))}
_MIX = {"coal": 0.25, "dust": 0.35, "vehicle": 0.40}


def _powerlaw_table() -> np.ndarray:
    """The generator-only sigma family: power laws sigma = a x^p (x in m), classes A-F.

    Chosen to differ from every curve the estimator knows (wider near field, flatter far
    field); not a published set: it exists so that the truth can lie outside the estimator's
    library of physics.
    """
    from ..apportion.kernels import make_sigma_table

    def rows(a, p):
        a, p = np.broadcast_to(a, (6,)), np.broadcast_to(p, (6,))
        return np.column_stack([a, p, np.zeros(6), np.zeros(6), np.zeros(6)])

    return make_sigma_table(rows(np.array([0.60, 0.45, 0.34, 0.26, 0.20, 0.15]), 0.8),
                            rows(np.array([0.05, 0.08, 0.14, 0.18, 0.20, 0.22]),
                                 np.array([1.15, 0.98, 0.82, 0.72, 0.62, 0.55])))


@dataclass
class SyntheticAttribution:
    """A twin experiment: inputs for the estimator and the truth.

    Attributes
    ----------
    obs : DataFrame
        Observations with noise and missing values, real ``ws``/``wd``.
    stations : GeoDataFrame
    sources : GeoDataFrame
        ``source_id, category, kind, name, weight`` (prior weights with error) and ``height``
        when ``heights="given"``.
    fires : GeoDataFrame
        Fire points (``fire_id, time, frp, confidence``; FRP with the weight error).
    wind : xarray.Dataset or None
        Gridded wind for the estimator (``wind="field"``/``"coarse"``), else None.
    contributions : DataFrame
        True ``station, time, category, pm25, pm10`` (µg/m³) before noise.
    source_truth : DataFrame
        True mean PM2.5 contribution of each source at each station over all hours
        (``source_id, station, category, pm25``).
    params : dict
        Every axis value and the draws made for it (sigma family, stability rule, ...).
    truth_sources : DataFrame
        The true point sources (``source_id, category, kind, lon, lat, q, height``) and fires
        (``fire_id, lon, lat, time, frp``) for diagnostics; the estimator never sees them.
    """

    obs: pd.DataFrame
    stations: pd.DataFrame
    sources: pd.DataFrame
    fires: pd.DataFrame
    wind: object
    contributions: pd.DataFrame
    source_truth: pd.DataFrame
    params: dict = field(default_factory=dict)
    truth_sources: pd.DataFrame | None = None

    def fit_inputs(self) -> dict:
        """Keyword arguments for ``SourceAttribution.fit`` (stations, sources, fires, wind)."""
        return {"stations": self.stations, "sources": self.sources, "fires": self.fires, "wind": self.wind}


@functools.lru_cache(maxsize=4)
def _prsa_table(codes: tuple) -> pd.DataFrame:
    """Raw PRSA station, time, ws, wd, pm25 (cached: the twin family reads it many times)."""
    from ..datasets import get_path, load_beijing_stations

    st = load_beijing_stations()
    names = dict(zip(st["station"].astype(str), st["name_en"].astype(str), strict=True))
    folder = get_path("beijing_prsa")
    deg = {d: i * 22.5 for i, d in enumerate(["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW",
                                                "WSW", "W", "WNW", "NW", "NNW"])}
    out = []
    for code in codes:
        path = next(folder.glob(f"PRSA_Data_{names[code]}_*.csv.gz"))
        d = pd.read_csv(path, usecols=["year", "month", "day", "hour", "wd", "WSPM", "PM2.5"])
        # PRSA hour h = the hour ending at h+1 in the data model (end-of-hour labels)
        t = pd.to_datetime(d[["year", "month", "day", "hour"]]).dt.tz_localize("Asia/Shanghai") + pd.Timedelta(hours=1)
        out.append(pd.DataFrame({"station": code, "time": t, "ws": d["WSPM"].astype(float),
                                 "wd": d["wd"].map(deg).astype(float), "pm25": d["PM2.5"].astype(float)}))
    return pd.concat(out, ignore_index=True)


def _grid(df: pd.DataFrame, col: str, codes, times) -> np.ndarray:
    a = np.full((len(codes), len(times)), np.nan)
    a[pd.Index(codes).get_indexer(df["station"]), times.get_indexer(df["time"])] = df[col].to_numpy(float)
    return a


def _winds(codes, times):
    """Station u, v (m/s, blowing to) with the network-mean vector in hours a station lacks."""
    raw = _prsa_table(tuple(codes))
    raw = raw[(raw["time"] >= times[0]) & (raw["time"] <= times[-1])]
    ws, wd = _grid(raw, "ws", codes, times), _grid(raw, "wd", codes, times)
    u, v = -ws * np.sin(np.radians(wd)), -ws * np.cos(np.radians(wd))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        um, vm = np.nanmean(u, axis=0), np.nanmean(v, axis=0)
    um, vm = np.nan_to_num(um), np.nan_to_num(vm)
    u = np.where(np.isnan(u), um[None, :], u)
    v = np.where(np.isnan(v), vm[None, :], v)
    return u, v, ws, wd, _grid(raw, "pm25", codes, times)


def _offset(lon, lat, d_m, brg):
    return (lon + d_m * np.sin(brg) / (111_195.0 * np.cos(np.radians(lat))),
            lat + d_m * np.cos(brg) / 111_195.0)


def _place_sources(rng, st_lon, st_lat, n, mix, radius_km):
    """Point sources round-robin around every station (none clean), log-uniform distances."""
    cats = rng.choice(list(mix), size=n, p=np.array(list(mix.values())) / sum(mix.values()))
    host = np.arange(n) % st_lon.size
    d = np.exp(rng.uniform(np.log(radius_km[0]), np.log(radius_km[1]), n)) * 1000.0
    lon, lat = _offset(st_lon[host], st_lat[host], d, rng.uniform(0, 2 * np.pi, n))
    h = np.array([rng.uniform(*_KINDS[c][1]) for c in cats])
    q = rng.lognormal(0.0, 0.7, n)  # relative strengths within a category
    ids = [f"{c}{i:03d}" for i, c in enumerate(cats)]
    return pd.DataFrame({"source_id": ids, "category": cats, "kind": [_KINDS[c][0] for c in cats],
                         "lon": lon, "lat": lat, "q": q, "height": h})


def _place_fires(rng, st_lon, st_lat, n, t0, days):
    """Fires 2-30 km from random stations at MODIS-like overpass times (13:30 / 01:30 local)."""
    k = rng.integers(st_lon.size, size=n)
    lon, lat = _offset(st_lon[k], st_lat[k], rng.uniform(2.0, 30.0, n) * 1000.0, rng.uniform(0, 2 * np.pi, n))
    hour = np.where(rng.random(n) < 0.7, 13.5, 1.5) + rng.normal(0, 0.5, n)
    t = t0 + pd.to_timedelta(rng.integers(0, days, n), unit="D") + pd.to_timedelta(hour * 60, unit="min")
    return pd.DataFrame({"fire_id": [f"fire{i:03d}" for i in range(n)], "lon": lon, "lat": lat,
                         "time": t.round("min"), "frp": rng.lognormal(np.log(30.0), 0.8, n)})


def _physics(rng, sigma, stability, sigma_scale):
    """The truth's dispersion: sigma table, switch distance, sigma scales, stability rule."""
    from ..apportion import kernels

    families = ["pasquill_gifford", "briggs_urban", "powerlaw"]
    fam = families[rng.integers(len(families))] if sigma == "random" else sigma
    if fam == "powerlaw":
        tab, xs = _powerlaw_table(), np.inf
    else:
        tab, xs = kernels.SIGMA_TABLES[fam], kernels.SIGMA_SWITCH_M[fam]
    rules = [("day_night", 2, 4, 0), ("day_night", 1, 5, 0), ("day_night", 3, 4, 0), ("day_night", 2, 5, 0),
             ("turner", 0, 0, 1), ("turner", 0, 0, -1)]
    if stability == "random":
        rule = rules[rng.integers(len(rules))]
    elif stability == "turner":
        rule = ("turner", 0, 0, 0)
    else:
        rule = stability if isinstance(stability, tuple) else ("day_night", 2, 4, 0)
    fy, fz = np.exp(rng.normal(0.0, sigma_scale, 2)) if sigma_scale else (1.0, 1.0)
    # below this speed the truth's plume is direction-averaged (the estimator assumes 0.5 m/s)
    calm = float(rng.uniform(0.2, 1.0)) if stability == "random" else 0.5
    return {"family": fam, "table": tab, "switch_m": xs, "scale_y": float(fy), "scale_z": float(fz), "rule": rule,
            "calm_ws": calm}


def _averaged_hour(times) -> pd.DatetimeIndex:
    """Beijing time of the start of each averaged hour (station labels are hour ends)."""
    return times.tz_convert("Asia/Shanghai") - pd.Timedelta(hours=1)


def _hour_weekend(times):
    loc = _averaged_hour(times)
    return np.asarray(loc.hour), np.asarray(loc.day_of_week >= 5)


def _category_activity(rng, mode, times) -> dict:
    """Activity per category (T,): the priors, or other shapes with day-to-day variation."""
    from ..apportion import profiles as prof

    if mode == "prior":
        return {c: prof.activity(prof.CATEGORY_DEFAULT_PROFILE[c], times) for c in _KINDS}
    hour, wkend = _hour_weekend(times)
    day = pd.factorize(times.tz_convert("Asia/Shanghai").normalize())[0]
    out = {}
    ph = rng.uniform(0, 24)
    out["coal"] = 1.0 + rng.uniform(0.15, 0.4) * np.cos(2 * np.pi * (hour - ph) / 24)
    s, e = rng.uniform(6, 9), rng.uniform(16, 21)
    out["dust"] = np.where((hour >= s) & (hour < e), 1.0, rng.uniform(0.02, 0.3)) * np.where(
        wkend, rng.uniform(0.3, 1.0), 1.0)
    p1, p2, w = rng.uniform(6.5, 9), rng.uniform(16.5, 19.5), rng.uniform(1.0, 2.5)
    base = np.where((hour >= 6) & (hour < 22), rng.uniform(0.4, 0.8), rng.uniform(0.1, 0.4))
    peaks = np.exp(-0.5 * ((hour - p1) / w) ** 2) + np.exp(-0.5 * ((hour - p2) / w) ** 2)
    out["vehicle"] = np.maximum(base, peaks) * np.where(wkend, rng.uniform(0.7, 1.1), 1.0)
    out["industry"] = np.ones(len(times))
    if mode != "daily":
        return out
    for c in out:  # day-to-day variation, log-AR(1) over days (sd 0.2)
        z = np.zeros(day.max() + 1)
        for i in range(1, z.size):
            z[i] = 0.6 * z[i - 1] + rng.normal(0, 0.2 * np.sqrt(1 - 0.36))
        out[c] = out[c] * np.exp(z[day] - 0.02)
    return out


def _fire_activity(rng, mode, times, fire_times) -> np.ndarray:
    """Activity of each fire (n_fires, T): the estimator's 3-h Gaussian, or 2-10 h burns."""
    from ..apportion import profiles as prof

    if mode == "prior":
        return np.vstack([prof.activity("fire", times, fire_time=ft, fire_sigma_h=3.0) for ft in fire_times])
    mid = (times - pd.Timedelta(minutes=30)).tz_convert("UTC").tz_localize(None).to_numpy()
    ft = pd.DatetimeIndex(fire_times).tz_convert("UTC").tz_localize(None).to_numpy()
    dt = (mid[None, :] - ft[:, None]) / np.timedelta64(1, "h")
    n = ft.size
    start = -rng.uniform(0.0, 3.0, n)[:, None]
    dur = rng.uniform(2.0, 10.0, n)[:, None]
    x = (dt - start) / dur  # 0 .. 1 over the burn
    return np.where((x >= 0) & (x <= 1), np.sin(np.pi * np.clip(x, 0, 1)) ** 0.5, 0.0)


def _truth_pairs(phys, st_lon, st_lat, table, act, u, v, times, shapes=None):
    """Per station-source pair hourly transfer q * activity * K (before category scaling).

    ``shapes`` (lines and areas, the last rows of ``table``) are integrated by the twin's own
    brute-force discretisation (:func:`._attribution_shapes.shape_series`), one series per
    station-shape pair; the pairs stay grouped by station.
    """
    from ..apportion import kernels

    n_pt = len(table) - (0 if shapes is None else len(shapes))
    pt = table.iloc[:n_pt]
    pairs = kernels.pair_index(st_lon, st_lat, pt["lon"], pt["lat"], 50_000.0)
    elev = kernels.solar_elevation(times, st_lon, st_lat)
    kind, day, night, shift = phys["rule"]
    cls = kernels.stability_class(np.hypot(u, v), elev, rule=kind, day_class=day, night_class=night, shift=shift)
    var = kernels.Variant(phys["table"], phys["switch_m"], phys["scale_y"], phys["scale_z"], calm_ws=phys["calm_ws"])
    n_cat = int(table["cat_idx"].max()) + 1
    series, _ = kernels.pair_series(pairs, pt["cat_idx"], pt["profile"], pt["q"], pt["height"], act,
                                    u, v, cls[None], [var], np.ones((n_cat, 1)))
    if shapes is None:
        return pairs, series
    from ._attribution_shapes import shape_series

    per = shape_series(phys, cls, st_lon, st_lat, shapes, table["profile"].to_numpy()[n_pt:], act, u, v)
    st = np.concatenate([np.repeat(np.arange(len(st_lon)), np.diff(pairs[0]))] + [np.full(ids.size, s)
                                                                                  for s, ids, _, _ in per])
    src = np.concatenate([pairs[1]] + [n_pt + ids for _, ids, _, _ in per])
    order = np.argsort(st, kind="stable")
    series = np.concatenate([series.astype(np.float64)] + [a for _, _, a, _ in per])[order]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(st, minlength=len(st_lon)))]).astype(np.int64)
    return (ptr, src[order]), series


def _scale_to_shares(series, pcat, pst, S, targets, total, c_half):
    """Category factors k_c so that mean saturated contributions hit ``targets`` x ``total``."""
    from scipy import sparse

    k = np.ones(len(targets))
    T = series.shape[1]
    for _ in range(8):
        c = series * k[pcat][:, None]
        if c_half:
            c = c / (1.0 + c / c_half)
        mean_c = np.bincount(pcat, weights=c.sum(axis=1), minlength=len(targets)) / (S * T)
        k = k * np.where(mean_c > 0, np.asarray(targets) * total / np.maximum(mean_c, 1e-300), 1.0)
    c = series * k[pcat][:, None]
    if c_half:
        c = c / (1.0 + c / c_half)
    n_cat = len(targets)
    agg = sparse.csr_matrix((np.ones(pcat.size), (pst * n_cat + pcat, np.arange(pcat.size))),
                            shape=(S * n_cat, pcat.size))
    E = np.asarray(agg @ c).reshape(S, n_cat, T).transpose(0, 2, 1)
    return E, c.mean(axis=1)


def _regional(rng, mode, pm_real, st_lon, st_lat, mean):
    """Regional PM2.5 (S, T): a haze template shared by stations, with spatial structure."""
    S, T = pm_real.shape
    if mode == "ar1":
        z = np.zeros(T)
        e = rng.normal(0, 0.06, T)
        for t in range(1, T):
            z[t] = 0.985 * z[t - 1] + e[t]
        tpl = np.exp(z)
    else:  # real PRSA network median of the period: haze build-ups and clean-outs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = pd.Series(np.nanmedian(pm_real, axis=0))
        tpl = med.interpolate(limit_direction="both").rolling(3, center=True, min_periods=1).mean().to_numpy()
        tpl = np.maximum(tpl, 3.0)
    tpl = tpl / tpl.mean()
    if mode == "shared" or mode == "ar1":
        return np.broadcast_to(tpl * mean, (S, T)).copy(), {}
    ang = rng.uniform(0, 2 * np.pi)
    proj = (st_lon - st_lon.mean()) * np.cos(ang) + (st_lat - st_lat.mean()) * np.sin(ang)
    proj = proj / max(np.abs(proj).max(), 1e-9)
    grad, lag_h = rng.uniform(0.1, 0.25), rng.uniform(0.0, 3.0)
    out = np.empty((S, T))
    for s in range(S):
        lag = int(round(proj[s] * lag_h))
        shifted = np.roll(tpl, lag)
        z = np.zeros(T)
        e = rng.normal(0, 0.08 * np.sqrt(1 - 0.92**2), T)
        for t in range(1, T):
            z[t] = 0.92 * z[t - 1] + e[t]
        out[s] = shifted * (1 + grad * proj[s]) * np.exp(z)
    return out * mean / out.mean(), {"gradient": float(grad), "lag_h": float(lag_h)}


def _gases(rng, mode, E, cats, reg, times):
    """SO2, NO2 (µg/m³) and CO (mg/m³): category signatures x contributions + background."""
    from ..apportion.attribution import SIGNATURES

    S, T, _ = E.shape
    bg = {"so2": 10.0, "no2": 45.0, "co": 1.2}
    hour, _ = _hour_weekend(times)
    rel = reg / reg.mean()
    out, sig = {}, {}
    for g, b in bg.items():
        r = np.array([SIGNATURES[c][g] for c in cats])
        if mode != "prior":
            floor = {"so2": 0.02, "no2": 0.05, "co": 0.002}[g]
            r = np.maximum(r, floor) * rng.lognormal(0.0, 0.8, len(cats))
            unlisted = b * rng.uniform(0.1, 0.4, (S, 1)) * (1 + 0.5 * np.cos(2 * np.pi * (hour - 20) / 24))[None, :]
            back = b * rel ** 0.7 * rng.lognormal(0.0, 0.15, (S, T))
        else:
            unlisted, back = 0.0, b * rel
        sig[g] = dict(zip(cats, map(float, r), strict=True))
        out[g] = (E * r).sum(axis=2) + back + unlisted
    return out, sig


def _observe(rng, data, noise, missing):
    """Multiplicative log-normal noise (mean kept) and missing station-hours (half in gaps)."""
    S, T = data["pm25"].shape
    out = {k: a * rng.lognormal(-0.5 * noise**2, noise, a.shape) if noise else a.copy() for k, a in data.items()}
    miss = rng.random((S, T)) < missing / 2
    n_gap = int(missing / 2 * S * T / 27)  # gaps of 6-48 h (mean 27)
    for _ in range(n_gap):
        s, t0, n = rng.integers(S), rng.integers(T), rng.integers(6, 49)
        miss[s, t0:t0 + n] = True
    for a in out.values():
        a[miss] = np.nan
    return out


def _estimator_inputs(rng, src, fires, weight_error, heights):
    """What a user would have: prior weights with log-normal error and fire points."""
    import geopandas as gpd

    err = rng.lognormal(0.0, weight_error, len(src)) if weight_error else np.ones(len(src))
    cols = {"source_id": src["source_id"], "category": src["category"], "kind": src["kind"],
            "name": src["source_id"], "weight": src["q"].to_numpy() * err}
    if heights == "given":
        cols["height"] = src["height"]
    sources = gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(src["lon"], src["lat"]), crs="EPSG:4326")
    ferr = rng.lognormal(0.0, weight_error, len(fires)) if weight_error else np.ones(len(fires))
    fires_out = gpd.GeoDataFrame(
        {"fire_id": fires["fire_id"], "time": fires["time"], "frp": fires["frp"].to_numpy() * ferr,
         "confidence": 80.0}, geometry=gpd.points_from_xy(fires["lon"], fires["lat"]), crs="EPSG:4326")
    return sources, fires_out


def _shape_inputs(sources, shp, weight_error, heights):
    """Append lines and areas as the user would give them: geometry and a prior weight with error."""
    import geopandas as gpd

    shapes, _, _, srng = shp
    err = srng.lognormal(0.0, weight_error, len(shapes)) if weight_error else np.ones(len(shapes))
    cols = {"source_id": shapes["source_id"], "category": shapes["category"], "kind": shapes["kind"],
            "name": shapes["source_id"], "weight": shapes["q"].to_numpy() * err}
    if heights == "given":
        cols["height"] = shapes["height"]
    extra = gpd.GeoDataFrame(cols, geometry=list(shapes["geometry"]), crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.concat([sources, extra], ignore_index=True), geometry="geometry", crs="EPSG:4326")


def _wind_field(st, codes, times, ws, wd, mode):
    """Gridded wind (IDW of the station winds) for the estimator, and the truth's (u, v).

    ``field``: both the truth and the estimator use the 0.05° field (sampled at the
    stations); ``mismatch``/``coarse``: the truth uses each station's own wind, the estimator
    a 0.05°/0.25° field; ``stations``: both use the station columns (no field).
    """
    if mode == "stations":
        return None, None
    from ..io.era5 import wind_from_stations
    from ..met.wind import sample_wind

    grid = None
    if mode == "coarse":
        lon, lat = st["lon"].to_numpy(), st["lat"].to_numpy()
        grid = (np.arange(np.floor(lon.min() * 4) / 4 - 0.25, lon.max() + 0.5, 0.25),
                np.arange(np.floor(lat.min() * 4) / 4 - 0.25, lat.max() + 0.5, 0.25))
    S, T = ws.shape
    frame = pd.DataFrame({"station": np.repeat(codes, T), "time": np.tile(times, S), "ws": ws.ravel(),
                          "wd": wd.ravel()}).dropna()
    field_ = wind_from_stations(frame, st, grid=grid)
    field_.attrs.pop("droplog", None)
    if mode != "field":
        return field_, None
    tu = np.tile(times.tz_convert("UTC").tz_localize(None).to_numpy(), S)
    u, v = sample_wind(field_, np.repeat(st["lon"].to_numpy(float), T), np.repeat(st["lat"].to_numpy(float), T), tu)
    return field_, (np.nan_to_num(u).reshape(S, T), np.nan_to_num(v).reshape(S, T))


def _truth_frames(codes, times, cats, E, reg, pairs, pair_mean, ids, pcat_names):
    S, T = reg.shape
    names = [*cats, "regional"]
    allc = np.concatenate([E, reg[:, :, None]], axis=2)
    ratio = np.array([TRUE_PM10_RATIO[c] for c in names])
    contrib = pd.DataFrame({
        "station": np.repeat(np.repeat(codes, T), len(names)),
        "time": np.tile(np.repeat(times, len(names)), S),
        "category": np.tile(names, S * T),
        "pm25": allc.reshape(-1),
        "pm10": (allc * ratio).reshape(-1),
    })
    pst = np.repeat(np.arange(S), np.diff(pairs[0]))
    truth = pd.DataFrame({"source_id": ids[pairs[1]], "station": codes[pst], "category": pcat_names,
                          "pm25": pair_mean})
    return contrib, truth


def make_attribution_truth(
    *,
    stations=None,
    start: str = "2016-11-15",
    days: int = 61,
    n_sources: int = 125,
    mix: dict | None = None,
    radius_km: tuple = (0.3, 15.0),
    n_fires: int = 400,
    shares: dict | None = None,
    sigma: str = "random",
    sigma_scale: float = 0.25,
    stability="random",
    saturation: bool = True,
    weight_error: float = 0.3,
    heights: str = "hidden",
    signatures: str = "random",
    activity: str = "shapes",
    regional: str = "structured",
    wind: str = "field",
    noise: float = 0.2,
    missing: float = 0.1,
    shapes=None,
    seed: int = 0,
) -> SyntheticAttribution:
    """Generate a seeded twin experiment around real Beijing stations with real winds.

    Parameters
    ----------
    stations : sequence of str, optional
        PRSA station codes (1001A-1012A); default all 12.
    start, days : str, int
        Period (Beijing time); PRSA winds cover 2013-03-01 .. 2017-02-28.
    n_sources, n_fires : int
        Point sources, placed round-robin around every station; fire detections (``burning``).
    mix : dict, optional
        Category -> fraction of the point sources (default coal 0.25, dust 0.35, vehicle 0.4).
    radius_km : (float, float)
        Source distances from their host station, log-uniform (km).
    shares : dict, optional
        Mean PM2.5 share of each local category (default :data:`TRUTH_SHARES` x U(0.7, 1.3)).
    sigma : {"random", "briggs_rural", "briggs_urban", "pasquill_gifford", "powerlaw"}
        Truth sigma family ("random": one of the last three per seed).
    sigma_scale : float
        Standard deviation of the log sigma_y and sigma_z multipliers (0 = none).
    stability : "random", "turner" or a tuple (rule, day_class, night_class, shift)
    saturation, weight_error : bool, float
        Per source-station-hour saturation ``c / (1 + c / c_half)``, c_half ~ U(50, 150) µg/m³;
        log-normal sd of the error of the prior weights and FRP given to the estimator.
    heights : {"hidden", "given"}
        Whether the sources carry their release height (15-60 m stacks for coal).
    signatures : {"random", "prior"}
        Gas/PM ratios of the truth (plus gases from unlisted sources).
    activity : {"shapes", "daily", "prior"}
        Other diurnal/weekly shapes than the priors, the same plus day-to-day variation
        (log-AR(1), sd 0.2), or the estimator's priors.
    regional : {"structured", "shared", "ar1"}
        Regional field: real haze template with gradient/lag/station noise, the same
        template at every station, or a synthetic log-AR(1) series.
    wind : {"field", "mismatch", "coarse", "stations"}
        ``field``: truth and estimator use the same 0.05° IDW field of the station winds;
        ``mismatch``/``coarse``: the truth uses the stations' own winds, the estimator gets a
        0.05°/0.25° field; ``stations``: both use the station ``ws``/``wd`` columns.
    noise, missing : float
        Log-normal noise sd on every pollutant; fraction of missing station-hours.
    shapes : bool or dict, optional
        Roads, highways, villages and an optional inventory grid as lines and polygons (issue
        20; ``True`` or overrides of ``SHAPE_DEFAULTS`` in :mod:`._attribution_shapes`), drawn
        from a stream of their own (the seed's points, fires and winds do not change).
    seed : int

    Returns
    -------
    SyntheticAttribution
    """
    cfg = {k: v for k, v in locals().items()}
    rng = np.random.default_rng(seed)
    world = _world(cfg)
    truth = _simulate_truth(rng, cfg, world)
    return _assemble(rng, cfg, world, truth)


def _world(cfg) -> dict:
    """Stations, hours, real winds (and the field the estimator gets), real PM2.5 template."""
    from ..datasets import load_beijing_stations

    st = load_beijing_stations()
    if cfg["stations"] is not None:
        st = st[st["station"].isin(list(cfg["stations"]))]
    st = st.reset_index(drop=True)
    codes = st["station"].astype(str).to_numpy()
    t0 = pd.Timestamp(cfg["start"], tz="Asia/Shanghai")
    times = pd.date_range(t0 + pd.Timedelta(hours=1), periods=24 * cfg["days"], freq="h")
    u, v, ws, wd, pm_real = _winds(codes, times)
    field_, uv_field = _wind_field(st, codes, times, ws, wd, cfg["wind"])
    if uv_field is not None:
        u, v = uv_field
    return {"st": st, "codes": codes, "t0": t0, "times": times, "u": u, "v": v, "ws": ws, "wd": wd,
            "pm_real": pm_real, "field": field_, "lon": st["lon"].to_numpy(float), "lat": st["lat"].to_numpy(float)}


def _simulate_truth(rng, cfg, w) -> dict:
    """Sources, fires and the true hourly contribution of every category and station-source pair."""
    src = _place_sources(rng, w["lon"], w["lat"], cfg["n_sources"], cfg["mix"] or _MIX, cfg["radius_km"])
    fires = _place_fires(rng, w["lon"], w["lat"], cfg["n_fires"], w["t0"], cfg["days"])
    phys = _physics(rng, cfg["sigma"], cfg["stability"], cfg["sigma_scale"])
    cat_act = _category_activity(rng, cfg["activity"], w["times"])
    shp = _shapes(cfg, w, src, cat_act)  # own random stream: the rest of the twin is unchanged
    present = set(src["category"]) | (set() if shp is None else set(shp[0]["category"]))
    cats = [c for c in ("coal", "dust", "vehicle", "industry") if c in present] + (
        ["burning"] if cfg["n_fires"] else [])
    shares = cfg["shares"] or {c: TRUTH_SHARES.get(c, 0.05) * rng.uniform(0.7, 1.3) for c in cats}
    c_half = rng.uniform(50.0, 150.0) if cfg["saturation"] else 0.0
    fire_act = _fire_activity(rng, cfg["activity"], w["times"], fires["time"])
    table, act = _source_table(src, fires, cats, cat_act, fire_act)
    if shp is not None:
        table, act = _add_shape_rows(table, act, shp, cats)
    pairs, series = _truth_pairs(phys, w["lon"], w["lat"], table, act, w["u"], w["v"], w["times"],
                                 None if shp is None else shp[0])
    pcat = table["cat_idx"].to_numpy()[pairs[1]]
    pst = np.repeat(np.arange(len(w["codes"])), np.diff(pairs[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        total = float(np.nanmean(np.nanmedian(w["pm_real"], axis=0)))
    E, pair_mean = _scale_to_shares(series, pcat, pst, len(w["codes"]), [shares[c] for c in cats], total, c_half)
    reg, reg_info = _regional(rng, cfg["regional"], w["pm_real"], w["lon"], w["lat"],
                              total * (1 - sum(shares.values())))
    return {"src": src, "fires": fires, "shapes": shp, "phys": phys, "cats": cats, "shares": shares,
            "c_half": c_half, "table": table, "pairs": pairs, "pcat": pcat, "E": E, "pair_mean": pair_mean, "reg": reg,
            "reg_info": reg_info}


def _assemble(rng, cfg, w, t) -> SyntheticAttribution:
    """Observations (noise, gaps), the estimator's inputs and the truth frames."""
    codes, times, cats, E, reg = w["codes"], w["times"], t["cats"], t["E"], t["reg"]
    gases, sig = _gases(rng, cfg["signatures"], E, cats, reg, times)
    ratio = np.array([TRUE_PM10_RATIO[c] for c in cats])
    clean = {"pm25": E.sum(axis=2) + reg, "pm10": (E * ratio).sum(axis=2) + reg * TRUE_PM10_RATIO["regional"],
             **gases}
    data = _observe(rng, clean, cfg["noise"], cfg["missing"])
    ss, tt = np.meshgrid(np.arange(len(codes)), np.arange(len(times)), indexing="ij")
    obs = pd.DataFrame({"station": codes[ss.ravel()], "time": times[tt.ravel()],
                        **{k: a.ravel() for k, a in data.items()}, "ws": w["ws"].ravel(), "wd": w["wd"].ravel()})
    sources, fires_in = _estimator_inputs(rng, t["src"], t["fires"], cfg["weight_error"], cfg["heights"])
    if t["shapes"] is not None:
        sources = _shape_inputs(sources, t["shapes"], cfg["weight_error"], cfg["heights"])
    contrib, truth = _truth_frames(codes, times, cats, E, reg, t["pairs"], t["pair_mean"],
                                   t["table"]["source_id"].to_numpy(), np.asarray(cats)[t["pcat"]])
    phys = t["phys"]
    params = {**{k: cfg[k] for k in ("seed", "start", "days", "n_sources", "n_fires", "weight_error", "heights",
                                     "activity", "regional", "wind", "noise", "missing")},
              "sigma_family": phys["family"], "sigma_scale_yz": (phys["scale_y"], phys["scale_z"]),
              "stability_rule": phys["rule"], "calm_ws": phys["calm_ws"], "c_half": t["c_half"], "signatures": sig,
              **t["reg_info"], "shares": {c: float(x) for c, x in t["shares"].items()}}
    parts = [t["src"], t["fires"].rename(columns={"fire_id": "source_id"})]
    if t["shapes"] is not None:
        parts.append(t["shapes"][0])
        params["shapes"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in t["shapes"][2].items()}
    truth_src = pd.concat(parts, ignore_index=True)
    return SyntheticAttribution(obs=obs, stations=w["st"].drop(columns=["name_en"]), sources=sources,
                                fires=fires_in, wind=w["field"], contributions=contrib, source_truth=truth,
                                params=params, truth_sources=truth_src)


def _shapes(cfg, w, src, cat_act):
    """Lines and areas (``shapes`` option) and their activity, from the seed's own stream."""
    from ._attribution_shapes import place_shapes, shape_activity, shape_options

    opt = shape_options(cfg["shapes"])
    if opt is None:
        return None
    srng = np.random.default_rng([cfg["seed"], 20])
    shapes = place_shapes(srng, w["lon"], w["lat"], opt, src)
    return shapes, shape_activity(srng, cfg["activity"], w["times"], cat_act, opt["grid_category"]), opt, srng


def _add_shape_rows(table, act, shp, cats):
    """Append the shapes to the truth's source table, one activity row per shape group."""
    shapes, sact, _, _ = shp
    groups = list(sact)
    rows = pd.DataFrame({"source_id": shapes["source_id"], "cat_idx": shapes["category"].map(cats.index),
                         "profile": len(act) + shapes["group"].map(groups.index), "q": shapes["q"],
                         "height": shapes["height"], "lon": shapes["lon"], "lat": shapes["lat"]})
    table = pd.concat([table, rows], ignore_index=True).astype({"cat_idx": np.int64, "profile": np.int64})
    return table, np.vstack([act] + [sact[g] for g in groups])


def _source_table(src, fires, cats, cat_act, fire_act):
    """Sources and fires as one table with an activity row per category and per fire."""
    rows = [cat_act[c] for c in cats if c != "burning"]
    prof = {c: i for i, c in enumerate(c for c in cats if c != "burning")}
    table = pd.DataFrame({"source_id": src["source_id"], "cat_idx": src["category"].map(cats.index),
                          "profile": src["category"].map(prof), "q": src["q"], "height": src["height"],
                          "lon": src["lon"], "lat": src["lat"]})
    if len(fires) and "burning" in cats:
        ft = pd.DataFrame({"source_id": fires["fire_id"], "cat_idx": cats.index("burning"),
                           "profile": len(rows) + np.arange(len(fires)), "q": fires["frp"], "height": 0.0,
                           "lon": fires["lon"], "lat": fires["lat"]})
        table = pd.concat([table, ft], ignore_index=True)
        rows = rows + list(fire_act)
    return table.astype({"cat_idx": np.int64, "profile": np.int64}), np.vstack(rows)


def _r2(est, true) -> float:
    ss = float(((true - true.mean()) ** 2).sum())
    return float(1 - ((est - true) ** 2).sum() / ss) if ss > 0 else float("nan")


def score_attribution(syn: SyntheticAttribution, contributions: pd.DataFrame, source_scores=None) -> dict:
    """Compare an attribution with the truth, as issue 10's acceptance does.

    Parameters
    ----------
    syn : SyntheticAttribution
    contributions : DataFrame
        ``station, time, category, pm25, lower, upper`` (e.g. ``model.contributions_``).
    source_scores : DataFrame, optional
        ``source_id, station, rank`` (e.g. ``model.source_scores_``).

    Returns
    -------
    dict
        ``table``: per true category the hourly R² (pooled over stations), the true and
        estimated mean shares (of the true and of the modelled mean total), the share error
        (percentage points) and the coverage of ``[lower, upper]``; ``recall``: mean over
        stations of the fraction of the five largest true sources found among the ten
        highest-ranked scores.
    """
    est = contributions[["station", "time", "category", "pm25", "lower", "upper"]].copy()
    est.attrs = {}  # the DropLog holds arrays that pandas cannot compare when it concatenates
    est = est.astype({"station": str, "category": str})
    m = syn.contributions.merge(est, on=["station", "time", "category"], how="left", suffixes=("_true", ""))
    m[["pm25", "lower", "upper"]] = m[["pm25", "lower", "upper"]].fillna(0.0)
    tot_true = m.groupby("category")["pm25_true"].mean().sum()
    tot_est = est.groupby("category")["pm25"].mean().sum()
    rows = {}
    for cat, g in m.groupby("category", sort=False):
        rows[cat] = {"r2": _r2(g["pm25"], g["pm25_true"]), "share_true": g["pm25_true"].mean() / tot_true,
                     "share_est": g["pm25"].mean() / tot_est,
                     "coverage": float(((g["pm25_true"] >= g["lower"]) & (g["pm25_true"] <= g["upper"])).mean())}
    table = pd.DataFrame(rows).T
    table["share_err_pp"] = 100 * (table["share_est"] - table["share_true"])
    recall = float("nan")
    if source_scores is not None:
        sc = source_scores[["source_id", "station", "rank"]].copy()
        sc.attrs = {}
        sc = sc.astype({"station": str, "source_id": str})
        hits = []
        for station, g in syn.source_truth.groupby("station"):
            top5 = set(g.nlargest(5, "pm25")["source_id"])
            top10 = set(sc[(sc["station"] == station) & (sc["rank"] <= 10)]["source_id"])
            hits.append(len(top5 & top10) / max(len(top5), 1))
        recall = float(np.mean(hits))
    return {"table": table, "recall": recall}
