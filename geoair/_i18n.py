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
    # --- surface ----------------------------------------------------------------------
    "surface_observed": {"en": "monitored", "zh": "有站点实测"},
    "surface_estimated": {"en": "estimated (no station)", "zh": "估算（无站点）"},
    "surface_basis": {"en": "basis", "zh": "数据来源"},
    "surface_lower": {"en": "lower 90 %", "zh": "90%区间下限"},
    "surface_upper": {"en": "upper 90 %", "zh": "90%区间上限"},
    "surface_estimate": {"en": "estimate", "zh": "估算值"},
    "surface_interval": {"en": "90 % interval", "zh": "90%区间"},
    "surface_unit": {"en": "{pollutant} (µg/m³)", "zh": "{pollutant}（µg/m³）"},
    "surface_map_title": {"en": "{pollutant} by county, {date}", "zh": "{date} 各区县{pollutant}"},
    "surface_grid_title": {"en": "{pollutant} surface, {date}", "zh": "{date} {pollutant}浓度面"},
    "surface_loo_observed": {"en": "observed (µg/m³)", "zh": "实测值（µg/m³）"},
    "surface_loo_estimated": {"en": "leave-one-out estimate (µg/m³)", "zh": "留一交叉验证估算值（µg/m³）"},
    "surface_loo_title": {"en": "Leave-one-station-out: {method}", "zh": "留一站点交叉验证：{method}"},
    "surface_tooltip": {"en": "{name}: {value:.0f} µg/m³ (90 %: {lower:.0f}-{upper:.0f}), {basis}",
                        "zh": "{name}：{value:.0f} µg/m³（90%区间 {lower:.0f}-{upper:.0f}），{basis}"},
    "surface_nan": {"en": "no estimate", "zh": "无估算"},
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
