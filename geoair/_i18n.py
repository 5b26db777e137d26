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
    "integrity_suppression": {
        "en": "{pol} averaged {observed:.0f} µg/m³ over {n_hours} h ({start} to {end}) while its "
              "neighbours implied {expected:.0f} µg/m³ ({change:+.0%}); score {score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}均值{observed:.0f} µg/m³，而邻近站点推算应为"
              "{expected:.0f} µg/m³（{change:+.0%}）；得分{score:.1f}。",
    },
    "integrity_capping": {
        "en": "{pol} never exceeded {cap:.0f} µg/m³ (the AQI-100 concentration) over {n_hours} h "
              "({start} to {end}) while its neighbours implied {expected:.0f} µg/m³ on average and "
              "above {cap:.0f} in {n_above} h; score {score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}从未超过{cap:.0f} µg/m³（AQI为100的浓度），而邻近"
              "站点推算均值为{expected:.0f} µg/m³，其中{n_above}小时应高于{cap:.0f}；得分{score:.1f}。",
    },
    "integrity_drift": {
        "en": "{pol} fell progressively below its neighbours over {n_hours} h ({start} to {end}), "
              "averaging {observed:.0f} against {expected:.0f} µg/m³ ({change:+.0%}), as a clogging "
              "inlet would; score {score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}相对邻近站点逐渐走低，均值{observed:.0f}对"
              "{expected:.0f} µg/m³（{change:+.0%}），与采样头逐渐堵塞的表现一致；得分{score:.1f}。",
    },
    "integrity_flatline": {
        "en": "{pol} stayed at exactly {value:g} µg/m³ for {n_repeat} readings ({start} to {end}); "
              "an analyser in normal operation rarely repeats that long at this level; score "
              "{score:.1f}.",
        "zh": "{start}至{end}，{pol}连续{n_repeat}个读数恒为{value:g} µg/m³；正常运行的仪器在此浓度下"
              "很少如此长时间重复；得分{score:.1f}。",
    },
    "integrity_copy": {
        "en": "{pol} equalled station {partner}'s values ({distance}{lag}) in {n_equal} hours "
              "({start} to {end}); score {score:.1f}.",
        "zh": "{start}至{end}，{pol}有{n_equal}小时与站点{partner}（{distance}{lag}）的数值完全相同；"
              "得分{score:.1f}。",
    },
    "integrity_copy_source": {
        "en": " This station looks more like the source than the copier.",
        "zh": "本站更像被复制的一方而非复制方。",
    },
    "integrity_copy_own": {
        "en": "{pol} repeated its own values of {lag_h} h earlier in {n_equal} hours ({start} to "
              "{end}); score {score:.1f}.",
        "zh": "{start}至{end}，{pol}有{n_equal}小时与本站{lag_h}小时前的数值完全相同；得分{score:.1f}。",
    },
    "integrity_lag": {"en": ", {lag_h:+d} h lag", "zh": "，滞后{lag_h:+d}小时"},
    "integrity_km": {"en": "{km:.0f} km away", "zh": "相距{km:.0f}公里"},
    "integrity_ratio": {
        "en": "{pol} parted from the other PM fraction over {n_hours} h ({start} to {end}): "
              "PM2.5/PM10 {ratio:.2f} against {ratio_usual:.2f} usually; score {score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}与另一粒径颗粒物走势背离：PM2.5/PM10为{ratio:.2f}，"
              "平时为{ratio_usual:.2f}；得分{score:.1f}。",
    },
    "integrity_violation": {
        "en": "PM2.5 exceeded PM10 in {n_equal} consecutive hours ({start} to {end}), which a "
              "working pair of analysers cannot show; score {score:.1f}.",
        "zh": "{start}至{end}，PM2.5连续{n_equal}小时高于PM10，正常工作的仪器不会出现；得分{score:.1f}。",
    },
    "integrity_spike": {
        "en": "{pol} departed sharply from its neighbours for {n_hours} h ({start} to {end}): "
              "{observed:.0f} against {expected:.0f} µg/m³; a fault or a local, short-lived source; "
              "score {score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}与邻近站点骤然背离：{observed:.0f}对{expected:.0f} "
              "µg/m³；可能是仪器故障或局地短时排放；得分{score:.1f}。",
    },
    "integrity_excess": {
        "en": "{pol} stayed above its neighbours for {n_hours} h ({start} to {end}): {observed:.0f} "
              "against {expected:.0f} µg/m³ ({change:+.0%}); a local source or a fault; score "
              "{score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}持续高于邻近站点：{observed:.0f}对{expected:.0f} "
              "µg/m³（{change:+.0%}）；可能是局地排放源或仪器故障；得分{score:.1f}。",
    },
    "integrity_floor": {
        "en": " Values near the analyser floor: also what a broken analyser shows.",
        "zh": "数值接近仪器下限，也可能是仪器故障。",
    },
    "integrity_pol_both": {"en": "PM2.5 (and PM10 likewise)", "zh": "PM2.5（PM10同样）"},
    "integrity_kind_suppression": {"en": "suppression", "zh": "压低"},
    "integrity_kind_capping": {"en": "capping", "zh": "封顶"},
    "integrity_kind_drift": {"en": "drift", "zh": "漂移"},
    "integrity_kind_flatline": {"en": "flatline", "zh": "恒值"},
    "integrity_kind_copy": {"en": "copy", "zh": "复制"},
    "integrity_kind_ratio": {"en": "ratio", "zh": "比值异常"},
    "integrity_kind_spike": {"en": "spike", "zh": "尖峰"},
    "integrity_kind_excess": {"en": "excess", "zh": "偏高"},
    "integrity_check_station": {"en": "check the station", "zh": "核查站点"},
    "integrity_priority_evidence": {
        "en": "{n} integrity event(s), strongest {kind} (score {score:.1f}): {evidence}",
        "zh": "{n}个数据异常事件，最强为{kind}（得分{score:.1f}）：{evidence}",
    },
    "integrity_observed": {"en": "observed", "zh": "观测值"},
    "integrity_expected": {"en": "expected from neighbours", "zh": "邻近站点推算值"},
    "integrity_band": {"en": "expected band (±2 robust scales)", "zh": "推算区间（±2倍稳健尺度）"},
    "integrity_event": {"en": "integrity event", "zh": "数据异常事件"},
    "integrity_title": {"en": "{station} {name}: {pol} against its expected band",
                        "zh": "{station} {name}：{pol}与推算区间"},
    "integrity_ylabel": {"en": "{pol} (µg/m³)", "zh": "{pol}（µg/m³）"},
    "integrity_time": {"en": "time (Beijing)", "zh": "时间（北京时间）"},
    # --- deweather --------------------------------------------------------------------
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
