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
