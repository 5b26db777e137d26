"""Display tables for the report: chosen columns, translated headers and category values."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .._i18n import has, t

__all__ = ["display", "translate_values", "county_names"]


def translate_values(values: pd.Series, prefix: str, lang: str) -> pd.Series:
    """Replace codes by their label ``prefix.<code>`` where one exists (others unchanged)."""
    def one(v):
        key = f"{prefix}.{v}"
        return t(key, lang) if isinstance(v, str) and has(key) else v

    return values.map(one)


def display(df: pd.DataFrame, columns: Mapping[str, str], lang: str, *,
            values: Mapping[str, str] | None = None, fmt: Mapping[str, dict] | None = None) -> pd.DataFrame:
    """Select ``columns`` (name -> label key), translate values and headers.

    Parameters
    ----------
    df : DataFrame
    columns : mapping
        Column -> i18n key of its header (in the order shown).
    lang : {"en", "zh"}
    values : mapping, optional
        Column -> i18n prefix of its values (e.g. ``{"hotspot": "class"}``).
    fmt : mapping, optional
        Column -> format fields of its header label (e.g. ``{"value": {"pollutant": "PM2.5"}}``).
    """
    out = pd.DataFrame(df)[[c for c in columns if c in df.columns]].copy()
    for col, prefix in (values or {}).items():
        if col in out.columns:
            out[col] = translate_values(out[col], prefix, lang)
    headers = {c: t(columns[c], lang, **(fmt or {}).get(c, {})) for c in out.columns}
    return out.rename(columns=headers)


def county_names(counties) -> dict:
    """adcode -> "city county" (the county's own name when its city is unknown)."""
    col = "label" if "label" in counties.columns else "name"
    return dict(zip(counties["adcode"].astype(str), counties[col].astype(str), strict=False))
