"""Step "load": read every input of the briefing (configured files or the bundled data)."""

from __future__ import annotations

import pandas as pd

from .._validation import DropLog

__all__ = ["load_inputs"]


def _counties(d: dict, prefixes: tuple):
    from .. import datasets, io
    from ..hotspot import add_city_names

    counties = io.read_boundaries(d["counties"]) if d["counties"] else datasets.load_bth_counties()
    if prefixes:
        counties = counties[counties["adcode"].astype(str).str.startswith(prefixes)].reset_index(drop=True)
    cities = io.read_boundaries(d["cities"]) if d.get("cities") else None
    return add_city_names(counties, cities)


def _observations(d: dict, period: dict, stations) -> pd.DataFrame:
    from .. import datasets, io

    t0, t1 = period["start"], period["end"]
    if not d["observations"]:
        return datasets.load_cnemc_observations(stations=list(stations["station"]), start=t0, end=t1)
    obs = io.read_observations(d["observations"], stations=list(stations["station"]))
    log = obs.attrs.get("droplog")
    if t0 is not None:
        obs = obs[obs["time"] >= pd.Timestamp(t0, tz="Asia/Shanghai")]
    if t1 is not None:
        obs = obs[obs["time"] <= pd.Timestamp(t1, tz="Asia/Shanghai")]
    obs.attrs["droplog"] = log  # rows outside the period are out of scope, not dropped
    return obs


def _sources(d: dict, counties):
    import geopandas as gpd

    from .. import datasets, io
    from ..hotspot import assign_county

    if d["sources"]:
        paths = d["sources"] if isinstance(d["sources"], list) else [d["sources"]]
        srcs = [io.read_sources(p) for p in paths]
    else:
        srcs = [datasets.load_power_plants(), datasets.load_steel_plants()]
    sources = gpd.GeoDataFrame(pd.concat(srcs, ignore_index=True), geometry="geometry", crs="EPSG:4326")
    logs = [s.attrs.get("droplog") for s in srcs]
    sources = assign_county(sources, counties)
    # sources outside the region are out of scope (not dropped)
    return sources[sources["adcode"].notna()].reset_index(drop=True), logs


def _wind(d: dict, obs):
    from .. import io

    if not d["wind"]:
        return None
    wind = io.read_wind(d["wind"])
    if len(obs):
        # wind times are naive UTC; observations are Beijing time
        t_lo = obs["time"].min().tz_convert("UTC").tz_localize(None)
        t_hi = obs["time"].max().tz_convert("UTC").tz_localize(None)
        wind = wind.sel(time=slice(t_lo, t_hi))
    return wind


def load_inputs(cfg: dict, log: DropLog) -> dict:
    """Counties (with city names), stations in the region, observations, fires, sources, wind.

    Rows outside the region or period are out of scope and not logged; every reader's drops
    are added to ``log``.
    """
    from .. import datasets, io
    from ..hotspot import assign_county

    d = cfg["data"]
    counties = _counties(d, tuple(cfg["region"]["adcode_prefix"] or ()))
    stations = io.read_stations(d["stations"]) if d["stations"] else datasets.load_national_stations()
    log.extend(stations.attrs.get("droplog"))
    stations = assign_county(stations, counties)
    stations = stations[stations["adcode"].notna()].reset_index(drop=True)
    obs = _observations(d, cfg["period"], stations)
    log.extend(obs.attrs.get("droplog"))
    fires = io.read_firms(d["fires"]) if d["fires"] else datasets.load_firms()
    log.extend(fires.attrs.get("droplog"))
    sources, source_logs = _sources(d, counties)
    for s_log in source_logs:
        log.extend(s_log)
    return dict(counties=counties, stations=stations, obs=obs, fires=fires, sources=sources,
                wind=_wind(d, obs))
