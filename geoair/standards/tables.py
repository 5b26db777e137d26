"""Breakpoint tables, categories, colours and limits of the air-quality standards.

One place for every number taken from a standard. Sources (see ``research/standards.md``):

* HJ 633-2012 Table 1 (IAQI breakpoints) and Table 2 (categories, colours).
* HJ 633-2026 Table 3 (IAQI breakpoints; only PM10 and PM2.5 at IAQI 100 changed).
* GB 3095-2012 Table 1 and GB 3095-2026 Table 1 (Grade II limits, composite-index divisors).
* US EPA, Technical Assistance Document for the Reporting of Daily Air Quality (May 2024),
  Table 6 (40 CFR 58 App. G as revised 2024).

Concentrations are µg/m³ except CO (mg/m³) for the Chinese tables; the US EPA table is in the
EPA's native units (O3 and CO ppm, SO2 and NO2 ppb, PM µg/m³).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "STANDARDS",
    "SWITCH_DATE",
    "IAQI_BREAKS",
    "CN_BREAKPOINTS",
    "EPA_SEGMENTS",
    "EPA_TRUNCATE",
    "EPA_UNIT_FACTORS",
    "CN_CATEGORIES",
    "EPA_CATEGORIES",
    "GRADE2_LIMITS",
    "standard_for_date",
]

#: Standards understood by :func:`geoair.standards.iaqi` and :func:`geoair.standards.aqi`.
STANDARDS: tuple[str, ...] = ("hj633-2012", "hj633-2026", "us-epa-2024")

#: HJ 633-2026, GB 3095-2026 and HJ 663-2026 are in force from this local (Beijing) date.
SWITCH_DATE = pd.Timestamp("2026-03-01")

#: IAQI values at the rows of the Chinese breakpoint tables.
IAQI_BREAKS = np.array([0, 50, 100, 150, 200, 300, 400, 500], dtype=float)

# HJ 633-2012 Table 1. Keys (pollutant, averaging). "1h" columns of SO2, NO2 and CO are for the
# real-time report only; O3 1h is used in both reports. SO2 1h stops at IAQI 200 (note 2) and
# O3 8h at IAQI 300 (note 3); what happens above is a rule in aqi.py, not a table row.
_CN_2012: dict[tuple[str, str], tuple[float, ...]] = {
    ("so2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("so2", "1h"): (0, 150, 500, 650, 800),
    ("no2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("no2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("pm10", "24h"): (0, 50, 150, 250, 350, 420, 500, 600),
    ("co", "24h"): (0, 2, 4, 14, 24, 36, 48, 60),
    ("co", "1h"): (0, 5, 10, 35, 60, 90, 120, 150),
    ("o3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("o3", "8h"): (0, 100, 160, 215, 265, 800),
    ("pm25", "24h"): (0, 35, 75, 115, 150, 250, 350, 500),
}

# HJ 633-2026 Table 3: PM10 100 -> 120 and PM2.5 75 -> 60 at IAQI 100; all else as 2012.
# §4.2.4: real-time PM10/PM2.5 1-h values use the daily breakpoints.
_CN_2026 = dict(_CN_2012)
_CN_2026[("pm10", "24h")] = (0, 50, 120, 250, 350, 420, 500, 600)
_CN_2026[("pm25", "24h")] = (0, 35, 60, 115, 150, 250, 350, 500)
_CN_2026[("pm10", "1h")] = _CN_2026[("pm10", "24h")]
_CN_2026[("pm25", "1h")] = _CN_2026[("pm25", "24h")]

#: Chinese breakpoint tables: standard -> (pollutant, averaging) -> concentration breakpoints.
CN_BREAKPOINTS: dict[str, dict[tuple[str, str], np.ndarray]] = {
    "hj633-2012": {k: np.asarray(v, dtype=float) for k, v in _CN_2012.items()},
    "hj633-2026": {k: np.asarray(v, dtype=float) for k, v in _CN_2026.items()},
}

#: US EPA 2024 segments (C_lo, C_hi, I_lo, I_hi), native units. O3 1h starts at AQI 101;
#: O3 8h stops at 300 (use 1h above 0.200 ppm); SO2 1h stops at 200 (>= 305 ppb uses 24h).
EPA_SEGMENTS: dict[tuple[str, str], np.ndarray] = {
    ("o3", "8h"): np.array(
        [
            (0.000, 0.054, 0, 50),
            (0.055, 0.070, 51, 100),
            (0.071, 0.085, 101, 150),
            (0.086, 0.105, 151, 200),
            (0.106, 0.200, 201, 300),
        ]
    ),
    ("o3", "1h"): np.array(
        [
            (0.125, 0.164, 101, 150),
            (0.165, 0.204, 151, 200),
            (0.205, 0.404, 201, 300),
            (0.405, 0.604, 301, 500),
        ]
    ),
    ("pm25", "24h"): np.array(
        [
            (0.0, 9.0, 0, 50),
            (9.1, 35.4, 51, 100),
            (35.5, 55.4, 101, 150),
            (55.5, 125.4, 151, 200),
            (125.5, 225.4, 201, 300),
            (225.5, 325.4, 301, 500),
        ]
    ),
    ("pm10", "24h"): np.array(
        [
            (0, 54, 0, 50),
            (55, 154, 51, 100),
            (155, 254, 101, 150),
            (255, 354, 151, 200),
            (355, 424, 201, 300),
            (425, 604, 301, 500),
        ]
    ),
    ("co", "8h"): np.array(
        [
            (0.0, 4.4, 0, 50),
            (4.5, 9.4, 51, 100),
            (9.5, 12.4, 101, 150),
            (12.5, 15.4, 151, 200),
            (15.5, 30.4, 201, 300),
            (30.5, 50.4, 301, 500),
        ]
    ),
    ("so2", "1h"): np.array(
        [(0, 35, 0, 50), (36, 75, 51, 100), (76, 185, 101, 150), (186, 304, 151, 200)]
    ),
    ("so2", "24h"): np.array([(305, 604, 201, 300), (605, 1004, 301, 500)]),
    ("no2", "1h"): np.array(
        [
            (0, 53, 0, 50),
            (54, 100, 51, 100),
            (101, 360, 101, 150),
            (361, 649, 151, 200),
            (650, 1249, 201, 300),
            (1250, 2049, 301, 500),
        ]
    ),
}

#: Decimal places the EPA truncates each concentration to before interpolation (TAD 2024).
EPA_TRUNCATE: dict[str, int] = {"o3": 3, "pm25": 1, "pm10": 0, "co": 1, "so2": 0, "no2": 0}

#: Divide a geoair concentration (µg/m³; CO mg/m³) by this to get EPA units (ppm/ppb) at
#: 25 °C and 1 atm (M / 24.45; O3 ppm uses 1962 µg/m³ per ppm, CO 1.145 mg/m³ per ppm).
EPA_UNIT_FACTORS: dict[str, float] = {
    "o3": 1962.0,
    "no2": 1.88,
    "so2": 2.62,
    "co": 1.145,
    "pm25": 1.0,
    "pm10": 1.0,
}

#: HJ 633 Table 2 (identical in 2012 and 2026): upper AQI, level, zh, en, colour.
CN_CATEGORIES = pd.DataFrame(
    {
        "upper": [50, 100, 150, 200, 300, np.inf],
        "level": [1, 2, 3, 4, 5, 6],
        "zh": ["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"],
        "en": [
            "Excellent",
            "Good",
            "Lightly polluted",
            "Moderately polluted",
            "Heavily polluted",
            "Severely polluted",
        ],
        "colour": ["#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#99004C", "#7E0023"],
    }
)

#: US EPA categories (TAD 2024 Table 1); purple differs from the Chinese purple.
EPA_CATEGORIES = pd.DataFrame(
    {
        "upper": [50, 100, 150, 200, 300, np.inf],
        "level": [1, 2, 3, 4, 5, 6],
        "zh": ["良好", "中等", "对敏感人群不健康", "不健康", "非常不健康", "危险"],
        "en": [
            "Good",
            "Moderate",
            "Unhealthy for Sensitive Groups",
            "Unhealthy",
            "Very Unhealthy",
            "Hazardous",
        ],
        "colour": ["#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#8F3F97", "#7E0023"],
    }
)

#: Grade II limits used as composite-index divisors S_i (MEE ranking rule, 环办监测〔2018〕19号):
#: annual limits for SO2, NO2, PM10, PM2.5; 24-h limit for CO (mg/m³); 8-h limit for O3.
#: "hj633-2026" uses the GB 3095-2026 transitional Grade II values; whether HJ 663-2026 keeps
#: these divisors is not verified (research/standards.md §2.4) - pass ``limits=`` to override.
GRADE2_LIMITS: dict[str, dict[str, float]] = {
    "hj633-2012": {"so2": 60, "no2": 40, "pm10": 70, "pm25": 35, "co": 4, "o3_8h": 160},
    "hj633-2026": {"so2": 60, "no2": 40, "pm10": 60, "pm25": 30, "co": 4, "o3_8h": 160},
}

#: Daily (24-h / 8-h) Grade II limits, for exceedance checks of percentiles and day validity.
GRADE2_DAILY: dict[str, dict[str, float]] = {
    "hj633-2012": {"so2": 150, "no2": 80, "pm10": 150, "pm25": 75, "co": 4, "o3_8h": 160},
    "hj633-2026": {"so2": 150, "no2": 80, "pm10": 120, "pm25": 60, "co": 4, "o3_8h": 160},
}


def standard_for_date(dates) -> np.ndarray:
    """Return the Chinese standard in force on each local date.

    Parameters
    ----------
    dates : array-like of datetime-like
        Local (Asia/Shanghai) calendar dates; tz-aware values are converted first.

    Returns
    -------
    numpy.ndarray of str
        ``"hj633-2012"`` before 2026-03-01, ``"hj633-2026"`` on and after.
    """
    idx = pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(np.asarray(dates, dtype=object))))
    if idx.tz is not None:
        idx = idx.tz_convert("Asia/Shanghai").tz_localize(None)
    new = np.asarray(idx >= SWITCH_DATE)
    return np.where(new, "hj633-2026", "hj633-2012")
