"""Synthetic-truth generators for tests, benchmarks and notebooks.

:func:`make_attribution_truth` builds a twin experiment for
:class:`geoair.apportion.SourceAttribution`: sources of every category around real Beijing
stations, driven by the real hourly station winds of the UCI PRSA data, dispersed with a
*different* plume model than the estimator's (Pasquill-Gifford curves of Martin 1976
instead of Briggs), plus a regional background, multiplicative noise, missing hours and
errors in the prior source weights. The true contribution of every category and source is
recorded.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["SyntheticAttribution", "make_attribution_truth", "TRUE_PM10_RATIO"]

#: PM10/PM2.5 of each category's primary emission in the generator (dust is coarse).
TRUE_PM10_RATIO = {"coal": 1.3, "dust": 3.0, "vehicle": 1.2, "industry": 1.4, "burning": 1.1,
                   "fireworks": 1.2, "regional": 1.3}

# (number of sources, kind, release height m, median emission g/s) per category
_LAYOUT = {
    "coal": (6, "boiler", 25.0, 6.0),
    "dust": (14, "construction", 0.0, 0.6),
    "vehicle": (14, "road", 0.0, 0.6),
    "industry": (6, "steel_plant", 15.0, 3.0),
    "fireworks": (10, "residential", 0.0, 4.0),
}


@dataclass
class SyntheticAttribution:
    """A twin experiment: inputs for the estimator and the truth.

    Attributes
    ----------
    obs : DataFrame
        Observations with noise and missing values, real ``ws``/``wd``.
    stations : GeoDataFrame
    sources : GeoDataFrame
        Prior weights perturbed by up to ``weight_error``.
    fires : GeoDataFrame
        Fire points (``time``, ``frp`` perturbed like the weights).
    contributions : DataFrame
        True ``station, time, category, pm25, pm10`` (µg/m³) before noise.
    source_truth : DataFrame
        True mean PM2.5 contribution of each source at each station (``source_id, station,
        category, pm25``), over all hours.
    params : dict
    """

    obs: pd.DataFrame
    stations: pd.DataFrame
    sources: pd.DataFrame
    fires: pd.DataFrame
    contributions: pd.DataFrame
    source_truth: pd.DataFrame
    params: dict = field(default_factory=dict)


def _prsa_wind(stations, start, end) -> pd.DataFrame:
    from ..datasets import get_path
    from ..io import read_observations

    folder = get_path("beijing_prsa")
    files = [str(p) for name in stations["name_en"] for p in folder.glob(f"PRSA_Data_{name}_*.csv.gz")]
    obs = read_observations(files, format="prsa")
    obs = obs[(obs["time"] >= start) & (obs["time"] < end)]
    return obs[["station", "time", "ws", "wd"]].reset_index(drop=True)


def make_attribution_truth(
    *,
    stations=("1001A", "1003A", "1005A", "1011A"),
    start: str = "2016-12-20",
    days: int = 70,
    radius_km: float = 15.0,
    n_fires: int = 60,
    noise: float = 0.2,
    missing: float = 0.1,
    weight_error: float = 0.3,
    regional_mean: float = 45.0,
    seed: int = 0,
) -> SyntheticAttribution:
    """Generate a seeded twin experiment around real Beijing stations with real winds.

    Parameters
    ----------
    stations : sequence of str
        Codes of the Beijing PRSA stations (1001A-1012A) to use.
    start : str
        First day (Beijing time); the PRSA winds cover 2013-03-01 .. 2017-02-28. The
        default window contains the 2017 Lunar New Year's Eve and Lantern Festival.
    days : int
        Length (days).
    radius_km : float
        Sources are placed 0.3-``radius_km`` km from a random station.
    n_fires : int
        Fire detections (random times and places within 25 km).
    noise : float
        Multiplicative log-normal noise (standard deviation of log values) on observations.
    missing : float
        Fraction of station-hours whose pollutant values are set missing.
    weight_error : float
        Prior weights given to the estimator are true strength x U(1-e, 1+e).
    regional_mean : float
        Mean regional PM2.5 background (µg/m³); a log-AR(1) hourly series shared by all
        stations (±5 % station factor).
    seed : int

    Returns
    -------
    SyntheticAttribution

    Notes
    -----
    Truth dispersion: Gaussian plume with Pasquill-Gifford sigmas (Martin 1976), stability
    from the same Turner scheme; fires burn with a 2-h (not 3-h) time scale; gas signatures
    of each category are the estimator's :data:`~geoair.apportion.attribution.SIGNATURES`
    times U(0.75, 1.25).
    """
    import geopandas as gpd

    from ..apportion import kernels
    from ..apportion import profiles as prof
    from ..apportion.attribution import SIGNATURES
    from ..datasets import load_beijing_stations

    rng = np.random.default_rng(seed)
    st = load_beijing_stations()
    st = st[st["station"].isin(list(stations))].reset_index(drop=True)
    t0 = pd.Timestamp(start, tz="Asia/Shanghai")
    t1 = t0 + pd.Timedelta(days=days)
    wind = _prsa_wind(st, t0, t1)
    times = pd.DatetimeIndex(np.sort(wind["time"].unique()))
    codes = st["station"].astype(str).to_numpy()
    S, T = len(codes), len(times)
    ws = np.full((S, T), np.nan)
    wd = np.full((S, T), np.nan)
    si = pd.Index(codes).get_indexer(wind["station"].astype(str))
    ti = times.get_indexer(wind["time"])
    ws[si, ti] = wind["ws"].to_numpy(float)
    wd[si, ti] = wind["wd"].to_numpy(float)
    u, v = -ws * np.sin(np.radians(wd)), -ws * np.cos(np.radians(wd))
    # hours without a direction: network mean vector (as the estimator does)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        u = np.where(np.isnan(u), np.nanmean(u, axis=0)[None, :], u)
        v = np.where(np.isnan(v), np.nanmean(v, axis=0)[None, :], v)
    st_lon, st_lat = st["lon"].to_numpy(float), st["lat"].to_numpy(float)

    # sources
    rows = []
    for cat, (n, kind, h, q_med) in _LAYOUT.items():
        for i in range(n):
            k = rng.integers(S)
            d = rng.uniform(0.3, radius_km) * 1000.0
            brg = rng.uniform(0, 2 * np.pi)
            lat = st_lat[k] + d * np.cos(brg) / 111_195.0
            lon = st_lon[k] + d * np.sin(brg) / (111_195.0 * np.cos(np.radians(st_lat[k])))
            q = q_med * rng.lognormal(0.0, 0.5)
            rows.append((f"{cat}{i:02d}", cat, kind, lon, lat, q, h))
    src = pd.DataFrame(rows, columns=["source_id", "category", "kind", "lon", "lat", "q", "height"])
    # fires: random places within 25 km, random overpass times (13:30 or 01:30 local)
    fk = rng.integers(S, size=n_fires)
    fd = rng.uniform(2.0, 25.0, n_fires) * 1000.0
    fb = rng.uniform(0, 2 * np.pi, n_fires)
    f_lat = st_lat[fk] + fd * np.cos(fb) / 111_195.0
    f_lon = st_lon[fk] + fd * np.sin(fb) / (111_195.0 * np.cos(np.radians(st_lat[fk])))
    f_day = rng.integers(0, days, n_fires)
    f_time = t0 + pd.to_timedelta(f_day, unit="D") + pd.to_timedelta(np.where(rng.random(n_fires) < 0.7, 13.5, 1.5),
                                                                      unit="h")
    frp = rng.lognormal(np.log(30.0), 0.6, n_fires)

    cats = ["coal", "dust", "vehicle", "industry", "burning", "fireworks"]
    prof_names = {c: prof.CATEGORY_DEFAULT_PROFILE[c] for c in cats}
    act_rows = [prof.activity(prof_names[c], times) for c in _LAYOUT]
    prof_idx = {c: i for i, c in enumerate(_LAYOUT)}
    fire_prof = []
    for ft in f_time:
        fire_prof.append(len(act_rows))
        act_rows.append(prof.activity("fire", times, fire_time=ft, fire_sigma_h=2.0))
    act = np.vstack(act_rows)
    q_fire = frp * 0.25  # g/s of PM2.5 per MW of FRP (generator's own emission factor)
    all_cat = np.concatenate([src["category"].map(cats.index).to_numpy(), np.full(n_fires, cats.index("burning"))])
    all_prof = np.concatenate([src["category"].map(prof_idx).to_numpy(), fire_prof])
    all_q = np.concatenate([src["q"].to_numpy(), q_fire])
    all_h = np.concatenate([src["height"].to_numpy(), np.zeros(n_fires)])
    all_lon = np.concatenate([src["lon"].to_numpy(), f_lon])
    all_lat = np.concatenate([src["lat"].to_numpy(), f_lat])
    all_id = np.concatenate([src["source_id"].to_numpy(), [f"fire{i:03d}" for i in range(n_fires)]])

    elev = kernels.solar_elevation(times, st_lon, st_lat)
    cls = kernels.stability_class(np.hypot(u, v), elev)
    pairs = kernels.pair_index(st_lon, st_lat, all_lon, all_lat, 50_000.0)
    E = kernels.exposure(pairs, all_cat, all_prof, all_q, all_h, act, u, v, cls, n_categories=len(cats),
                         scheme="pasquill_gifford")
    tot, _, _ = kernels.pair_scores(pairs, all_cat, all_prof, all_q, all_h, act, u, v, cls, np.ones(len(cats)),
                                    np.zeros((S, T), bool), np.zeros((S, T)), scheme="pasquill_gifford")
    ptr, psrc = pairs[0], pairs[1]
    pst = np.repeat(np.arange(S), np.diff(ptr))
    source_truth = pd.DataFrame({"source_id": all_id[psrc], "station": codes[pst],
                                 "category": np.asarray(cats)[all_cat[psrc]], "pm25": tot / T})

    # regional background: log-AR(1), hourly, shared
    z = np.zeros(T)
    e = rng.normal(0, 0.06, T)
    for t in range(1, T):
        z[t] = 0.985 * z[t - 1] + e[t]
    reg = np.exp(z) / np.exp(z).mean() * regional_mean
    reg = reg[None, :] * rng.uniform(0.95, 1.05, (S, 1))

    pm25 = E.sum(axis=2) + reg
    ratio = np.array([TRUE_PM10_RATIO[c] for c in cats])
    pm10 = (E * ratio).sum(axis=2) + reg * TRUE_PM10_RATIO["regional"]
    gas_bg = {"so2": 8.0, "no2": 35.0, "co": 0.9}
    gases = {}
    for g, bg in gas_bg.items():
        r = np.array([SIGNATURES[c][g] for c in cats]) * rng.uniform(0.75, 1.25, len(cats))
        gases[g] = (E * r).sum(axis=2) + bg * reg / regional_mean

    def noisy(a):
        return a * rng.lognormal(-0.5 * noise**2, noise, a.shape)

    data = {"pm25": noisy(pm25), "pm10": noisy(pm10), **{g: noisy(a) for g, a in gases.items()}}
    miss = rng.random((S, T)) < missing
    ss, tt = np.meshgrid(np.arange(S), np.arange(T), indexing="ij")
    obs = pd.DataFrame({"station": codes[ss.ravel()], "time": times[tt.ravel()]})
    for k, a in data.items():
        obs[k] = np.where(miss, np.nan, a).ravel()
    obs["ws"], obs["wd"] = ws.ravel(), wd.ravel()

    n_cat = len(cats) + 1
    contrib = pd.DataFrame({
        "station": np.repeat(codes[ss.ravel()], n_cat),
        "time": np.repeat(times[tt.ravel()], n_cat),
        "category": np.tile([*cats, "regional"], S * T),
        "pm25": np.concatenate([E, reg[:, :, None]], axis=2).reshape(-1),
        "pm10": np.concatenate([E * ratio, reg[:, :, None] * TRUE_PM10_RATIO["regional"]], axis=2).reshape(-1),
    })

    werr = rng.uniform(1 - weight_error, 1 + weight_error, len(src))
    sources = gpd.GeoDataFrame(
        {"source_id": src["source_id"], "category": src["category"], "kind": src["kind"],
         "name": src["source_id"], "weight": src["q"] * werr, "height": src["height"]},
        geometry=gpd.points_from_xy(src["lon"], src["lat"]), crs="EPSG:4326")
    fires = gpd.GeoDataFrame(
        {"fire_id": [f"fire{i:03d}" for i in range(n_fires)], "time": f_time,
         "frp": frp * rng.uniform(1 - weight_error, 1 + weight_error, n_fires), "confidence": 80.0},
        geometry=gpd.points_from_xy(f_lon, f_lat), crs="EPSG:4326")
    stations_out = st.drop(columns=[c for c in ("name_en",) if c in st.columns])
    return SyntheticAttribution(obs=obs, stations=stations_out, sources=sources, fires=fires, contributions=contrib,
                                source_truth=source_truth,
                                params={"seed": seed, "start": start, "days": days, "noise": noise,
                                        "missing": missing, "weight_error": weight_error,
                                        "dispersion": "pasquill_gifford (Martin 1976)"})
