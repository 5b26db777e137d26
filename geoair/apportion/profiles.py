"""Activity profiles of source kinds (when a source emits) and the festival calendar.

An activity profile scales a source's relative weight hour by hour (0 = idle, 1 = full
activity). Profiles are deliberately simple, documented assumptions; users can pass their
own through :class:`geoair.apportion.SourceAttribution` (``profiles=``).

References
----------
- Heating season in northern China: 15 November - 15 March (municipal heating rules,
  e.g. Beijing); see research note ``standards.md`` §8.2.
- Construction work hours: Beijing bans most night-time construction 22:00-06:00.
- Rush hours: double peak 07-09 and 17-19 local time (e.g. Beijing traffic studies).
- Fireworks: Lunar New Year's Eve night and the Lantern Festival, ~18:00-02:00
  (Beijing CNY study, ACP 22:11089, 2022).
- ``residential_coal`` and ``traffic`` (issue 20, for villages and road networks): hour-of-day
  shapes in the form of the temporal-allocation profiles of Chinese bottom-up inventories
  (residential combustion and on-road transport; MEIC, Li et al. 2017, ACP 17:935, and its
  hourly allocation; Zheng et al. 2018, ACP 18:14095) -- morning/evening stoking peaks of
  household stoves with a banked fire at night, and the weekday double traffic peak with a
  flatter weekend morning. The values in :data:`DIURNAL` are rounded assumptions of this
  shape, not copies of an inventory table; pass measured ones through ``profiles=``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "LUNAR_NEW_YEAR",
    "festival_nights",
    "festival_mask",
    "activity",
    "KIND_PROFILE",
    "CATEGORY_DEFAULT_PROFILE",
    "DIURNAL",
    "HEATING_SEASON",
    "heating_season",
]

#: Northern heating season (inclusive, month*100 + day): 15 November - 15 March.
HEATING_SEASON: tuple[int, int] = (1115, 315)

#: Hour-of-day activity (hour beginning, local time, 0-23; maximum 1) of the diurnal profiles.
DIURNAL: dict[str, np.ndarray] = {
    # household coal stoves: banked overnight, stoked for breakfast and the evening
    "residential_coal": np.array([0.45, 0.4, 0.4, 0.4, 0.45, 0.6, 0.9, 1.0, 0.85, 0.6, 0.5, 0.55,
                                  0.6, 0.5, 0.45, 0.45, 0.55, 0.8, 1.0, 0.95, 0.85, 0.7, 0.6, 0.5]),
    # weekday on-road traffic: 07-09 and 17-19 peaks, low 01-05
    "traffic_weekday": np.array([0.2, 0.12, 0.08, 0.08, 0.1, 0.25, 0.55, 0.95, 1.0, 0.8, 0.7, 0.7,
                                 0.65, 0.65, 0.7, 0.75, 0.85, 1.0, 0.95, 0.75, 0.6, 0.5, 0.4, 0.28]),
    # weekend: later, lower morning peak
    "traffic_weekend": np.array([0.25, 0.15, 0.1, 0.08, 0.08, 0.15, 0.3, 0.5, 0.65, 0.75, 0.8, 0.8,
                                 0.75, 0.75, 0.75, 0.8, 0.85, 0.9, 0.85, 0.7, 0.6, 0.5, 0.42, 0.3]),
}

#: Lunar New Year's Day (春节, 正月初一) 2013-2030. Eve (除夕) is the day before; the
#: Lantern Festival (元宵, 正月十五) is 14 days after.
LUNAR_NEW_YEAR: dict[int, str] = {
    2013: "2013-02-10",
    2014: "2014-01-31",
    2015: "2015-02-19",
    2016: "2016-02-08",
    2017: "2017-01-28",
    2018: "2018-02-16",
    2019: "2019-02-05",
    2020: "2020-01-25",
    2021: "2021-02-12",
    2022: "2022-02-01",
    2023: "2023-01-22",
    2024: "2024-02-10",
    2025: "2025-01-29",
    2026: "2026-02-17",
    2027: "2027-02-06",
    2028: "2028-01-26",
    2029: "2029-02-13",
    2030: "2030-02-03",
}

#: Profile used for each source ``kind`` (lower-case); unknown kinds use their category's.
KIND_PROFILE: dict[str, str] = {
    "construction": "daytime",
    "construction_site": "daytime",
    "road": "rush_hour",
    "traffic": "traffic",
    "vehicle": "rush_hour",
    "power_plant": "constant",
    "steel_plant": "constant",
    "boiler": "heating",
    "residential_coal": "residential_coal",
    "village": "residential_coal",
    "highway": "traffic",
    "road_network": "traffic",
    "heating": "heating",
    "fire": "fire",
    "fireworks": "festival",
    "residential": "festival",
    "restaurant": "meals",
}

#: Default profile per category when the kind is unknown.
CATEGORY_DEFAULT_PROFILE: dict[str, str] = {
    "coal": "heating",
    "dust": "daytime",
    "vehicle": "rush_hour",
    "burning": "fire",
    "fireworks": "festival",
    "industry": "constant",
    "cooking": "meals",
    "other": "constant",
}

PROFILES = ("constant", "daytime", "heating", "rush_hour", "fire", "festival", "meals", "residential_coal",
            "traffic")


def heating_season(times) -> np.ndarray:
    """True for hours (Asia/Shanghai) within the heating season :data:`HEATING_SEASON`."""
    times = _local(times)
    md = times.month.to_numpy() * 100 + times.day.to_numpy()
    return (md >= HEATING_SEASON[0]) | (md <= HEATING_SEASON[1])


def _diurnal(profile: str, times: pd.DatetimeIndex, hour: np.ndarray) -> np.ndarray:
    """``residential_coal``: heating season x stove hours (0.1 of it outside the season);
    ``traffic``: weekday / weekend hour-of-day shape."""
    if profile == "residential_coal":
        return DIURNAL["residential_coal"][hour] * np.where(heating_season(times), 1.0, 0.1)
    # the day the averaged hour began in (labels are hour ends)
    weekend = np.asarray((times - pd.Timedelta(hours=1)).day_of_week >= 5)
    return np.where(weekend, DIURNAL["traffic_weekend"][hour], DIURNAL["traffic_weekday"][hour])


def festival_nights(years) -> pd.DataFrame:
    """Fireworks nights (Lunar New Year's Eve and Lantern Festival) for the given years.

    Parameters
    ----------
    years : iterable of int
        Calendar years (2013-2030 are tabulated).

    Returns
    -------
    pandas.DataFrame
        ``festival`` ("lunar_new_year_eve" or "lantern"), ``start`` and ``end``
        (tz-aware Asia/Shanghai): 18:00 on the festival evening to 06:00 next morning
        (eve) or 02:00 (Lantern Festival).
    """
    rows = []
    for y in sorted(set(int(v) for v in years)):
        if y not in LUNAR_NEW_YEAR:
            continue
        ny = pd.Timestamp(LUNAR_NEW_YEAR[y], tz="Asia/Shanghai")
        eve = ny - pd.Timedelta(days=1)
        lantern = ny + pd.Timedelta(days=14)
        rows.append(("lunar_new_year_eve", eve + pd.Timedelta(hours=18), ny + pd.Timedelta(hours=6)))
        rows.append(("lantern", lantern + pd.Timedelta(hours=18), lantern + pd.Timedelta(hours=26)))
    return pd.DataFrame(rows, columns=["festival", "start", "end"])


def festival_mask(times: pd.DatetimeIndex) -> np.ndarray:
    """True for hours (end-of-hour labels, Asia/Shanghai) within a fireworks night."""
    times = _local(times)
    mask = np.zeros(len(times), dtype=bool)
    if len(times) == 0:
        return mask
    nights = festival_nights(np.unique(times.year))
    for rec in nights.itertuples(index=False):
        mask |= (times > rec.start) & (times <= rec.end)
    return mask


def _local(times) -> pd.DatetimeIndex:
    times = pd.DatetimeIndex(times)
    if times.tz is None:
        return times.tz_localize("Asia/Shanghai")
    return times.tz_convert("Asia/Shanghai")


def activity(profile: str, times, *, fire_time=None, fire_sigma_h: float = 3.0) -> np.ndarray:
    """Relative activity (0-1) of a profile at each hour.

    Parameters
    ----------
    profile : {"constant", "daytime", "heating", "rush_hour", "fire", "festival", "meals", \
"residential_coal", "traffic"}
        ``daytime``: 1 from 06:00 to 22:00 local, 0.05 at night (night works banned).
        ``heating``: 1 from 15 Nov to 15 Mar, 0.15 otherwise (coal use outside heating).
        ``rush_hour``: 1.0 at 07-09 and 17-19, 0.6 in the day, 0.25 at night.
        ``fire``: Gaussian in time around the satellite overpass ``fire_time`` with
        standard deviation ``fire_sigma_h`` hours (cut at 4 sigma); a fire detection is a
        snapshot, its burning duration is assumed.
        ``festival``: 1 on fireworks nights (:func:`festival_mask`), 0 otherwise.
        ``meals``: 1 at 11-13 and 17-20, 0.2 otherwise.
        ``residential_coal``: :data:`DIURNAL` stove hours in the heating season, a tenth of
        them outside it. ``traffic``: weekday / weekend hour-of-day shapes (:data:`DIURNAL`).
    times : DatetimeIndex
        Hour labels (end of hour, Asia/Shanghai).
    fire_time : Timestamp, optional
        Overpass time, required for ``"fire"``.

    Returns
    -------
    numpy.ndarray of float64
    """
    times = _local(times)
    n = len(times)
    if profile == "constant":
        return np.ones(n)
    hour = ((times.hour - 1) % 24).to_numpy()  # hour-beginning: the hour that was averaged
    if profile == "daytime":
        return np.where((hour >= 6) & (hour < 22), 1.0, 0.05)
    if profile == "heating":
        return np.where(heating_season(times), 1.0, 0.15)
    if profile in ("residential_coal", "traffic"):
        return _diurnal(profile, times, hour)
    if profile == "rush_hour":
        out = np.where((hour >= 6) & (hour < 22), 0.6, 0.25)
        return np.where(((hour >= 7) & (hour < 9)) | ((hour >= 17) & (hour < 19)), 1.0, out)
    if profile == "meals":
        return np.where(((hour >= 11) & (hour < 13)) | ((hour >= 17) & (hour < 20)), 1.0, 0.2)
    if profile == "festival":
        return festival_mask(times).astype(float)
    if profile == "fire":
        if fire_time is None:
            raise ValueError("profile 'fire' needs fire_time (the satellite overpass).")
        ft = pd.Timestamp(fire_time)
        ft = ft.tz_localize("UTC") if ft.tz is None else ft
        # middle of the averaging hour (labels are hour ends)
        dt_h = (times - pd.Timedelta(minutes=30) - ft).total_seconds().to_numpy() / 3600.0
        out = np.exp(-0.5 * (dt_h / fire_sigma_h) ** 2)
        out[np.abs(dt_h) > 4 * fire_sigma_h] = 0.0
        return out
    from .._validation import check_option

    check_option("profile", profile, PROFILES)
    raise AssertionError(f"profile {profile!r} is listed in PROFILES but has no weights")
