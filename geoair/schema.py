"""The geoair data model in code: column names, pollutant codes, units, CRS and time zone.

Every module reads its vocabulary from here, so a unit or a label is written once.
See ``CONVENTIONS.md`` (data model) for the objects passed between modules.
"""

from __future__ import annotations

from typing import Literal

#: Time zone of every observation ``time`` column (station hours, end-of-hour labels).
TIMEZONE = "Asia/Shanghai"

#: CRS of every GeoDataFrame in the data model (WGS84 longitude/latitude).
CRS = "EPSG:4326"

#: Coordinate systems accepted by readers of point files (see :mod:`geoair.coords`).
INPUT_CRS = ("wgs84", "gcj02", "bd09")

#: The six routinely monitored criteria pollutants, in canonical order.
POLLUTANTS: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "co", "o3")

#: Derived/running-average series published by CNEMC next to the hourly values.
DERIVED_POLLUTANTS: tuple[str, ...] = (
    "pm25_24h",
    "pm10_24h",
    "so2_24h",
    "no2_24h",
    "co_24h",
    "o3_24h",
    "o3_8h",
    "o3_8h_24h",
    "aqi",
)

#: Meteorological columns that may travel with observations.
MET_VARIABLES: tuple[str, ...] = ("ws", "wd", "temp", "pres", "dewp", "rain", "rh", "blh")

#: Canonical unit of every column in the data model (the single truth; readers convert to it).
UNITS: dict[str, str] = {
    "pm25": "µg/m³",
    "pm10": "µg/m³",
    "so2": "µg/m³",
    "no2": "µg/m³",
    "co": "mg/m³",
    "o3": "µg/m³",
    "pm25_24h": "µg/m³",
    "pm10_24h": "µg/m³",
    "so2_24h": "µg/m³",
    "no2_24h": "µg/m³",
    "co_24h": "mg/m³",
    "o3_24h": "µg/m³",
    "o3_8h": "µg/m³",
    "o3_8h_24h": "µg/m³",
    "aqi": "1",
    "ws": "m/s",
    "wd": "degree (from north, meteorological FROM convention)",
    "temp": "°C",
    "pres": "hPa",
    "dewp": "°C",
    "rain": "mm",
    "rh": "%",
    "blh": "m",
    "u10": "m/s",
    "v10": "m/s",
    "frp": "MW",
    "confidence": "% (0-100)",
    "distance": "m",
    "weight": "1 (relative emission strength)",
}

#: Column names of the CNEMC national wide files (``type`` column) mapped to codes.
CNEMC_TYPES: dict[str, str] = {
    "PM2.5": "pm25",
    "PM10": "pm10",
    "SO2": "so2",
    "NO2": "no2",
    "CO": "co",
    "O3": "o3",
    "PM2.5_24h": "pm25_24h",
    "PM10_24h": "pm10_24h",
    "SO2_24h": "so2_24h",
    "NO2_24h": "no2_24h",
    "CO_24h": "co_24h",
    "O3_24h": "o3_24h",
    "O3_8h": "o3_8h",
    "O3_8h_24h": "o3_8h_24h",
    "AQI": "aqi",
}

#: Common spellings of pollutant names mapped to codes (case-insensitive lookup).
POLLUTANT_ALIASES: dict[str, str] = {
    "pm2.5": "pm25",
    "pm2_5": "pm25",
    "pm25": "pm25",
    "pm10": "pm10",
    "so2": "so2",
    "no2": "no2",
    "co": "co",
    "o3": "o3",
    "ozone": "o3",
    "wspm": "ws",
    "ws": "ws",
    "wd": "wd",
    "temp": "temp",
    "pres": "pres",
    "dewp": "dewp",
    "rain": "rain",
}

#: Human-readable labels of pollutants, Chinese and English.
POLLUTANT_LABELS: dict[str, dict[str, str]] = {
    "pm25": {"en": "PM2.5", "zh": "PM2.5"},
    "pm10": {"en": "PM10", "zh": "PM10"},
    "so2": {"en": "SO2", "zh": "二氧化硫"},
    "no2": {"en": "NO2", "zh": "二氧化氮"},
    "co": {"en": "CO", "zh": "一氧化碳"},
    "o3": {"en": "O3", "zh": "臭氧"},
    "o3_8h": {"en": "O3 8-h", "zh": "臭氧8小时"},
    "aqi": {"en": "AQI", "zh": "空气质量指数"},
    "ws": {"en": "wind speed", "zh": "风速"},
    "wd": {"en": "wind direction", "zh": "风向"},
}

#: Source categories used by attribution, priority lists and the briefing.
CATEGORIES: tuple[str, ...] = (
    "coal",
    "dust",
    "vehicle",
    "burning",
    "fireworks",
    "industry",
    "cooking",
    "regional",
    "other",
)

#: Chinese and English labels of the source categories (the one table of them).
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "coal": {"en": "coal combustion", "zh": "燃煤"},
    "dust": {"en": "dust", "zh": "扬尘"},
    "vehicle": {"en": "vehicles", "zh": "机动车"},
    "burning": {"en": "biomass burning", "zh": "生物质燃烧"},
    "fireworks": {"en": "fireworks", "zh": "烟花爆竹"},
    "industry": {"en": "industry", "zh": "工业"},
    "cooking": {"en": "cooking", "zh": "餐饮"},
    "regional": {"en": "regional transport", "zh": "区域传输"},
    "other": {"en": "other", "zh": "其他"},
}

#: Column layout of each object of the data model (required columns first).
OBS_INDEX: tuple[str, ...] = ("station", "time")
STATION_COLUMNS: tuple[str, ...] = ("station", "name", "city", "adcode", "is_background")
SOURCE_COLUMNS: tuple[str, ...] = ("source_id", "category", "kind", "name", "weight")
FIRE_COLUMNS: tuple[str, ...] = (
    "time",
    "frp",
    "confidence",
    "confidence_raw",
    "satellite",
    "instrument",
    "daynight",
    "type",
)
COUNTY_COLUMNS: tuple[str, ...] = ("adcode", "name", "parent")
WIND_VARIABLES: tuple[str, str] = ("u10", "v10")

Lang = Literal["zh", "en"]


def label(key: str, lang: Lang = "en") -> str:
    """Return the Chinese or English label of a pollutant or source category.

    Parameters
    ----------
    key : str
        A pollutant code (``"pm25"``) or a source category (``"coal"``).
    lang : {"zh", "en"}
        Language of the label.

    Returns
    -------
    str
        The label; ``key`` itself when no label is known.
    """
    from ._validation import check_option  # lazy: schema imports nothing from geoair at load

    check_option("lang", lang, ("zh", "en"))
    table = CATEGORY_LABELS.get(key) or POLLUTANT_LABELS.get(key)
    return table[lang] if table else key


def unit(column: str) -> str:
    """Return the canonical unit of a data-model column (``""`` if unitless or unknown)."""
    return UNITS.get(column, "")
