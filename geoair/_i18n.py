"""All user-facing labels, in English and Chinese: one table, one lookup.

Every string a person reads (report headings, map legends, table headers, figure labels,
CLI text) is looked up here with :func:`t`, so that ``lang="zh"`` leaves no English behind
and a test can list untranslated keys. Keys are grouped by the part of geoair that shows
them; add new keys to your module's block.
"""

from __future__ import annotations

__all__ = ["LABELS", "t", "resolve_lang"]

LABELS: dict[str, dict[str, str]] = {
    # --- core -------------------------------------------------------------------------
    "estimate_note": {
        "en": "Estimates with intervals, not regulatory concentrations.",
        "zh": "估算值及其区间，非监管浓度。",
    },
    # --- briefing ---------------------------------------------------------------------
    # --- map --------------------------------------------------------------------------
    # --- priority ---------------------------------------------------------------------
    # --- attribution ------------------------------------------------------------------
    # --- integrity --------------------------------------------------------------------
    # --- deweather --------------------------------------------------------------------
    "dw_observed": {"en": "Observed", "zh": "观测值"},
    "dw_normalised": {"en": "Weather-normalised", "zh": "气象归一化值"},
    "dw_interval": {"en": "{level:g}% interval", "zh": "{level:g}%置信区间"},
    "dw_series_title": {"en": "{pollutant} at {station}: observed and weather-normalised",
                        "zh": "{station} {pollutant}：观测值与气象归一化值"},
    "dw_concentration": {"en": "{pollutant} ({unit})", "zh": "{pollutant}（{unit}）"},
    "dw_partial_title": {"en": "Partial dependence of {pollutant} on the weather",
                         "zh": "{pollutant}对气象要素的偏依赖"},
    "dw_partial_ylabel": {"en": "Predicted {pollutant} ({unit})",
                          "zh": "{pollutant}预测值（{unit}）"},
    "dw_var_ws": {"en": "Wind speed (m/s)", "zh": "风速（m/s）"},
    "dw_var_wd": {"en": "Wind direction (°, from)", "zh": "风向（°，来向）"},
    "dw_var_temp": {"en": "Temperature (°C)", "zh": "气温（°C）"},
    "dw_var_rh": {"en": "Relative humidity (%)", "zh": "相对湿度（%）"},
    "dw_var_dewp": {"en": "Dew point (°C)", "zh": "露点温度（°C）"},
    "dw_var_pres": {"en": "Pressure (hPa)", "zh": "气压（hPa）"},
    "dw_var_rain": {"en": "Rain (mm/h)", "zh": "降水（mm/h）"},
    "dw_var_blh": {"en": "Boundary-layer height (m)", "zh": "边界层高度（m）"},
    "dw_var_hour": {"en": "Hour of day", "zh": "小时"},
    "dw_var_weekday": {"en": "Day of week (0 = Monday)", "zh": "星期（0 = 周一）"},
    "dw_var_day_julian": {"en": "Day of year", "zh": "年积日"},
    "dw_observed_change": {"en": "Observed change", "zh": "观测变化"},
    "dw_emission_change": {"en": "Emission-driven (weather-normalised)",
                           "zh": "排放驱动（气象归一化）"},
    "dw_met_change": {"en": "Weather-driven", "zh": "气象驱动"},
    "dw_change_pct": {"en": "Change from {before} to {after} (%)",
                      "zh": "{before}至{after}变化率（%）"},
    "dw_decomp_title": {"en": "Observed change split into emissions and weather",
                        "zh": "浓度变化的排放与气象贡献分解"},
    "dw_all_stations": {"en": "all stations", "zh": "全部站点"},
    "dw_rank_weather": {"en": "rank (weather-adjusted)", "zh": "排名（气象调整后）"},
    "dw_rank_change_weather": {"en": "rank change from weather adjustment",
                               "zh": "气象调整后排名变化"},
    "dw_value_weather": {"en": "{name}, weather-adjusted", "zh": "{name}（气象调整后）"},
    # --- surface ----------------------------------------------------------------------
    # --- dispatch ---------------------------------------------------------------------
    # --- scaling ----------------------------------------------------------------------
}


def resolve_lang(lang: str | None = None) -> str:
    """The language to use: ``lang`` when given, else the geoair option ``lang``."""
    if lang is None:
        from .options import get_options

        return get_options()["lang"]
    if lang not in ("en", "zh"):
        from ._validation import GeoairInputError

        raise GeoairInputError(f"Unknown language {lang!r}.", received=lang, fix="Use 'en' or 'zh'.")
    return lang


def t(key: str, lang: str | None = None, **fmt) -> str:
    """The label ``key`` in ``lang`` (default: the geoair option), formatted with ``fmt``.

    An unknown key raises ``KeyError`` so that a missing translation fails the tests
    instead of showing a key to an official.
    """
    text = LABELS[key][resolve_lang(lang)]
    return text.format(**fmt) if fmt else text
