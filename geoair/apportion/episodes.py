"""Pollution episodes from station data: dust, fireworks, burning, stagnation, regional haze.

Rules are literature conventions, not standards (research note ``standards.md`` §8.2);
every threshold is a keyword argument.

References
----------
- Dust: PM2.5/PM10 < 0.3-0.5 in dust events, > 0.6 in anthropogenic haze
  (Fan et al. 2021, Front. Environ. Sci. 9:692440).
- Fireworks: sharp PM2.5 spike with SO2 slightly up on Lunar New Year's Eve night and the
  Lantern Festival (Beijing CNY study, ACP 22:11089, 2022; Environ. Eng. Res. 28(2)).
- Burning: FIRMS fire detections upwind plus elevated CO (standards.md §8.2).
- Stagnation: weak wind with high PM (e.g. Wang et al. 2018, ACP 18:11739, stagnant
  days with 10 m wind < 2-3 m/s); regional haze: PM2.5 above the GB 3095 24-h Grade II
  limit (75 µg/m³) at most stations with low spatial variation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DropLog, require_columns
from .profiles import festival_mask

__all__ = ["EPISODES", "detect_episodes"]

EPISODES = ("dust", "fireworks", "burning", "stagnation", "regional")


def detect_episodes(
    obs: pd.DataFrame,
    *,
    fire_exposure: pd.Series | None = None,
    dust_pm10: float = 150.0,
    dust_ratio: float = 0.35,
    fireworks_rise: float = 35.0,
    fireworks_so2_rise: float = 0.0,
    burning_exposure_quantile: float = 0.9,
    burning_co_factor: float = 1.2,
    stagnation_ws: float = 1.5,
    stagnation_pm25: float = 75.0,
    regional_pm25: float = 75.0,
    regional_fraction: float = 0.75,
    regional_cv: float = 0.6,
    regional_min_hours: int = 12,
) -> pd.DataFrame:
    """Flag episode types per station-hour.

    Parameters
    ----------
    obs : DataFrame
        Observations (``station, time, pm25, pm10[, so2, co, ws]``; µg/m³, CO mg/m³, m/s).
    fire_exposure : Series, optional
        Fire exposure index per (station, time) MultiIndex (e.g. the ``burning`` exposure of
        a fitted :class:`SourceAttribution`). Without it ``burning`` is never flagged.
    dust_pm10, dust_ratio : float
        Dust: PM10 >= ``dust_pm10`` µg/m³ and PM2.5/PM10 <= ``dust_ratio``.
    fireworks_rise, fireworks_so2_rise : float
        Fireworks: within a festival night (18:00-06:00 eve, 18:00-02:00 Lantern), PM2.5 at
        least ``fireworks_rise`` µg/m³ above the station's median of 12:00-18:00 that day
        and SO2 at least ``fireworks_so2_rise`` above its median then.
    burning_exposure_quantile, burning_co_factor : float
        Burning: fire exposure above its (non-zero) quantile and CO >= factor x the station's
        median CO.
    stagnation_ws, stagnation_pm25 : float
        Stagnation: 6-h mean wind speed < ``stagnation_ws`` m/s and PM2.5 >=
        ``stagnation_pm25``. Needs ``ws``; without wind never flagged.
    regional_pm25, regional_fraction, regional_cv, regional_min_hours
        Regional haze: in an hour, PM2.5 >= ``regional_pm25`` at >= ``regional_fraction`` of
        stations with a coefficient of variation across stations <= ``regional_cv``,
        lasting at least ``regional_min_hours`` consecutive hours; flagged at stations above
        the threshold.

    Returns
    -------
    DataFrame
        ``station, time`` and one boolean column per episode type (:data:`EPISODES`).
        Rows with a missing PM2.5 are kept (flags False) and counted in
        ``attrs["droplog"]`` as not assessable.
    """
    require_columns(obs, ["station", "time", "pm25"], what="observations")
    df = obs.sort_values(["station", "time"]).reset_index(drop=True)
    out = df[["station", "time"]].copy()
    for e in EPISODES:
        out[e] = False
    log = DropLog()
    if df.empty:
        out.attrs["droplog"] = log
        return out
    pm25 = df["pm25"].astype(float)
    pm10 = df["pm10"].astype(float) if "pm10" in df else pd.Series(np.nan, index=df.index)
    log.add("PM2.5 missing: episodes not assessable", np.flatnonzero(pm25.isna().to_numpy()), column="pm25")
    out["dust"] = ((pm10 >= dust_pm10) & (pm25 / pm10 <= dust_ratio)).to_numpy()
    out["fireworks"] = _fireworks(df, pm25, fireworks_rise, fireworks_so2_rise)
    out["burning"] = _burning(df, fire_exposure, burning_exposure_quantile, burning_co_factor)
    if "ws" in df and df["ws"].notna().any():
        ws6 = df.groupby("station")["ws"].transform(lambda s: s.rolling(6, min_periods=3).mean())
        out["stagnation"] = ((ws6 < stagnation_ws) & (pm25 >= stagnation_pm25)).to_numpy()
    out["regional"] = _regional_haze(df, pm25, regional_pm25, regional_fraction, regional_cv, regional_min_hours)
    for e in EPISODES:
        out[e] = out[e].fillna(False).astype(bool)
    out.attrs["droplog"] = log
    out.attrs["params"] = {"dust_pm10": dust_pm10, "dust_ratio": dust_ratio, "fireworks_rise": fireworks_rise,
                           "stagnation_ws": stagnation_ws, "regional_pm25": regional_pm25}
    return out


def _fireworks(df, pm25, rise, so2_rise) -> np.ndarray:
    """Festival-night hours with PM2.5 (and SO2) above the station's 12:00-18:00 median of that day."""
    times = pd.DatetimeIndex(df["time"])
    local = times.tz_convert("Asia/Shanghai") if times.tz is not None else times
    fest = festival_mask(local)
    if not fest.any():
        return np.zeros(len(df), bool)
    # baseline: 12:00-18:00 of the festival evening's calendar day
    eve_day = (local - pd.Timedelta(hours=7)).normalize()
    base_mask = (local.hour >= 12) & (local.hour <= 18)
    key = pd.DataFrame({"station": df["station"].to_numpy(), "day": eve_day.tz_localize(None)
                        if eve_day.tz is not None else eve_day})
    so2 = df["so2"].astype(float) if "so2" in df else pd.Series(np.nan, index=df.index)
    tmp = key.assign(pm25=pm25.where(base_mask), so2=so2.where(base_mask))
    base = tmp.groupby(["station", "day"])[["pm25", "so2"]].transform("median")
    ok_so2 = (so2 - base["so2"] >= so2_rise) | so2.isna() | base["so2"].isna()
    return fest & (pm25 - base["pm25"] >= rise).to_numpy() & ok_so2.to_numpy()


def _burning(df, fire_exposure, quantile, co_factor) -> np.ndarray:
    """Hours of high fire exposure (above its non-zero quantile) with CO above factor x median."""
    if fire_exposure is None or "co" not in df:
        return np.zeros(len(df), bool)
    fe = fire_exposure.reindex(pd.MultiIndex.from_frame(df[["station", "time"]])).to_numpy(float)
    nz = fe[np.isfinite(fe) & (fe > 0)]
    if not nz.size:
        return np.zeros(len(df), bool)
    thr = np.quantile(nz, quantile)
    co = df["co"].astype(float)
    co_med = co.groupby(df["station"]).transform("median")
    return (fe >= thr) & (fe > 0) & (co >= co_factor * co_med).to_numpy()


def _regional_haze(df, pm25, level, fraction, cv_max, min_hours) -> np.ndarray:
    """Hours of a long, spatially uniform exceedance at most stations (at stations above it)."""
    wide = df.pivot_table(index="time", columns="station", values="pm25", aggfunc="mean")
    if wide.shape[1] < 3:
        return np.zeros(len(df), bool)
    n = wide.notna().sum(axis=1)
    frac = (wide >= level).sum(axis=1) / n.where(n > 0)
    cv = wide.std(axis=1) / wide.mean(axis=1)
    hour_ok = (frac >= fraction) & (cv <= cv_max)
    run_id = (hour_ok != hour_ok.shift()).cumsum()
    run_len = hour_ok.groupby(run_id).transform("size")
    reg_hours = hour_ok & (run_len >= min_hours)
    flag_time = df["time"].map(reg_hours).fillna(False).astype(bool).to_numpy()
    return flag_time & (pm25 >= level).to_numpy()
