"""Per-station summary of an integrity screen, and the network-level screening tables.

:func:`station_summary` gives one row per station: data coverage, the neighbours behind its
expected value, its events, and the two time-pattern tests of :mod:`.screening` (dips at a
fixed hour, missing data in polluted hours). :func:`network_screening` adds the bunching
tests of daily PM2.5 and AQI per city and per station.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .screening import bunching_table, hour_dips, missing_when_polluted

__all__ = ["station_summary", "network_screening", "LEVELS"]

#: Score levels of the station summary and priority rows: red (check first), yellow.
LEVELS: dict[str, float] = {"red": 6.0, "yellow": 4.0}


def _level(score: np.ndarray) -> np.ndarray:
    return np.where(score >= LEVELS["red"], "red", np.where(score >= LEVELS["yellow"], "yellow", "green"))


def _event_stats(codes: np.ndarray, events: pd.DataFrame) -> pd.DataFrame:
    if len(events) == 0:
        return pd.DataFrame({"station": codes, "n_events": 0, "max_score": 0.0, "top_kind": "",
                             "kinds": ""})
    g = events.sort_values("score", ascending=False).groupby("station", sort=False)
    stats = pd.DataFrame({"n_events": g.size(), "max_score": g["score"].max(),
                          "top_kind": g["kind"].first(),
                          "kinds": g["kind"].agg(lambda k: ",".join(dict.fromkeys(k)))})
    stats = stats.reindex(codes)
    stats["n_events"] = stats["n_events"].fillna(0).astype(np.int64)
    stats["max_score"] = stats["max_score"].fillna(0.0)
    stats[["top_kind", "kinds"]] = stats[["top_kind", "kinds"]].fillna("")
    return stats.rename_axis("station").reset_index()


def station_summary(screen) -> pd.DataFrame:
    """One row per station of a fitted :class:`~geoair.integrity.IntegrityScreen`.

    Returns
    -------
    DataFrame
        ``station, name, city, is_background, n_hours, valid_pm25, valid_pm10`` (fractions),
        ``n_neighbours, nearest_km, scale_pm25`` (robust residual scale, log units),
        ``n_events, max_score, top_kind, kinds, level`` (red / yellow / green by
        :data:`LEVELS`), ``dip_hour, dip_mean, dip_t, dip_p`` (hour of the day with the lowest
        PM2.5 residual), ``missing_polluted, missing_clean, missing_ratio, missing_p`` (missing
        PM2.5 in hours the neighbours put above 75 µg/m³ against the rest); sorted by
        ``max_score``.
    """
    grid, fields = screen.grid_, screen.fields_
    nb, dist = screen.neighbours_
    n_t = len(grid.times)
    out = grid.meta.copy()
    out["n_hours"] = n_t
    for p in ("pm25", "pm10"):
        out[f"valid_{p}"] = np.isfinite(grid.values[p]).mean(axis=0) if n_t else np.nan
    out["n_neighbours"] = (nb >= 0).sum(axis=1)
    out["nearest_km"] = np.where(nb[:, 0] >= 0, dist[:, 0], np.nan) if nb.shape[1] else np.nan
    key = "pm25" if "pm25" in fields else next(iter(fields))
    out["scale_pm25"] = fields[key].station_scale()
    out = out.merge(_event_stats(grid.codes, screen.events_), on="station", how="left")
    out["level"] = _level(out["max_score"].to_numpy(float))
    dips = hour_dips(fields[key].z, grid.times.hour.to_numpy())
    miss = missing_when_polluted(grid.values[key], fields[key].concentration())
    out = pd.concat([out.reset_index(drop=True), dips, miss], axis=1)
    return out.sort_values(["max_score", "station"], ascending=[False, True], ignore_index=True)


def network_screening(obs: pd.DataFrame, stations=None, *, by=("city", "station")) -> dict:
    """Bunching of daily PM2.5 (75 µg/m³) and daily AQI (100) per city and per station.

    Parameters
    ----------
    obs : DataFrame
        Hourly observations (:func:`geoair.read_observations`).
    stations : DataFrame, optional
        ``station, city`` (needed for the city level).
    by : tuple of str
        Levels to test (``"city"``, ``"station"``, ``"all"``).

    Returns
    -------
    dict of DataFrame
        ``{"daily": station-days with pm25 and aqi, "<level>": bunching_table(...) for the
        two indicators stacked}``. Daily means follow GB 3095 validity (>= 20 valid hours,
        :func:`geoair.standards.daily`); the AQI is HJ 633 with the indicators available.
    """
    from ..standards import aqi, daily

    cols = [c for c in ("station", "time", "pm25", "pm10", "so2", "no2", "co", "o3") if c in obs.columns]
    d = daily(obs[cols])
    d["aqi"] = aqi(d, missing="available")["aqi"].astype(float).to_numpy()
    if stations is not None and "city" in stations.columns:
        cities = pd.DataFrame(stations)[["station", "city"]].astype({"station": str}).drop_duplicates("station")
        d = d.merge(cities, on="station", how="left")
    out = {"daily": d}
    for level in by:
        if level != "all" and level not in d.columns:
            continue
        group = None if level == "all" else level
        out[level] = pd.concat([bunching_table(d, column="pm25", cutoff=75.0, by=group),
                                bunching_table(d, column="aqi", cutoff=100.5, by=group)],
                               ignore_index=True).sort_values("p_below", ignore_index=True)
    return out
