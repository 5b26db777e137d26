"""The geoair data model in code: column names, pollutant codes, units, CRS and time zone.

Every module reads its vocabulary from here, so a unit or a label is written once.
See ``CONVENTIONS.md`` (data model) for the objects passed between modules.
"""

from __future__ import annotations

from typing import Literal

from ._i18n import LABELS as _LABELS


def _labels(prefix: str) -> dict[str, dict[str, str]]:
    """``{code: {"en": ..., "zh": ...}}`` of the i18n keys ``prefix.code`` (one table, in _i18n)."""
    cut = len(prefix) + 1
    return {k[cut:]: dict(v) for k, v in _LABELS.items() if k.startswith(prefix + ".")}

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

#: Human-readable labels of pollutants, Chinese and English (built from :mod:`geoair._i18n`).
POLLUTANT_LABELS: dict[str, dict[str, str]] = _labels("pollutant")

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

#: Chinese and English labels of the source categories (built from :mod:`geoair._i18n`).
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    c: v for c, v in _labels("category").items() if c in CATEGORIES
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


def label(key: str, lang: Lang | None = None) -> str:
    """Return the Chinese or English label of a pollutant or source category.

    Parameters
    ----------
    key : str
        A pollutant code (``"pm25"``) or a source category (``"coal"``).
    lang : {"zh", "en"}, optional
        Language of the label (default the geoair option ``lang``).

    Returns
    -------
    str
        The label; ``key`` itself when no label is known.
    """
    from ._i18n import has, t

    for prefix in ("category", "pollutant"):
        if has(f"{prefix}.{key}"):
            return t(f"{prefix}.{key}", lang)
    from ._i18n import resolve_lang

    resolve_lang(lang)  # an unknown language still fails
    return key


def unit(column: str) -> str:
    """Return the canonical unit of a data-model column (``""`` if unitless or unknown)."""
    return UNITS.get(column, "")


def attach_units(obj, extra=None, **rules: str):
    """Set ``obj.attrs["units"]`` (column -> unit) for the columns of ``obj`` and return ``obj``.

    Each data-model column present gets its unit from :data:`UNITS`; ``extra`` (a mapping
    column -> unit) names the other quantity columns (only those present are kept). Keyword
    ``rules`` give a unit to every column with a name prefix (``prefix_n_="count"``) or suffix
    (``suffix__days="days"``) not otherwise named. Units already in ``attrs["units"]`` (a
    dict) are kept unless overridden. The values and columns are not changed.

    Parameters
    ----------
    obj : pandas.DataFrame or geopandas.GeoDataFrame
        The result whose ``attrs`` receive the units (modified in place).
    extra : mapping of str to str, optional
        Units of result-specific columns (e.g. ``{"gi_z": "1 (z-score)"}``).
    **rules : str
        ``prefix_<p>`` or ``suffix_<s>`` -> unit of the columns starting with ``<p>`` /
        ending with ``<s>``.

    Returns
    -------
    The same object, with ``attrs["units"]`` set.
    """
    cols = [str(c) for c in obj.columns]
    given = obj.attrs.get("units")
    out = dict(given) if isinstance(given, dict) else {}
    out.update({c: UNITS[c] for c in cols if c in UNITS})
    out.update({c: u for c, u in (extra or {}).items() if c in cols})
    for key, u in rules.items():
        kind, _, affix = key.partition("_")
        if kind not in ("prefix", "suffix") or not affix:
            raise TypeError(f"attach_units: unknown rule {key!r} (use prefix_NAME= or suffix_NAME=)")
        match = str.startswith if kind == "prefix" else str.endswith
        out.update({c: u for c in cols if c not in out and match(c, affix)})
    obj.attrs["units"] = out
    return obj


def value_unit(pollutants) -> str:
    """Unit of a value column computed from the ``pollutants`` column(s).

    The data-model unit when all share one (e.g. ``"µg/m³"``), otherwise the unit per
    pollutant (``"per pollutant: pm25 µg/m³, co mg/m³"``); ``"units of <column>"`` for a
    column outside the data model.
    """
    pols = [pollutants] if isinstance(pollutants, str) else list(pollutants)
    units = {str(p): UNITS.get(str(p)) or f"units of {p}" for p in pols}
    if len(set(units.values())) == 1:
        return next(iter(units.values()))
    return "per pollutant: " + ", ".join(f"{p} {u}" for p, u in units.items())
