"""Time columns of tidy tables to tz-aware Asia/Shanghai, refusing what cannot be read safely.

Rules (each a :class:`~geoair.GeoairInputError` when broken, never a silent guess):

- naive times are Beijing time; times with a UTC offset (``+08:00``, ``Z``) are converted;
- the zone names ``UTC``, ``GMT``, ``Z`` (= +00:00), ``BJT`` and ``Asia/Shanghai`` (Beijing
  time, +08:00) are read; ``CST`` is refused (China Standard Time UTC+8 or US Central Standard Time UTC-6);
  any other trailing name is refused;
- one column never mixes offsets, or offsets and naive times;
- day/month/year and month/day/year (``01/02/2019``) are never guessed: the order is taken
  from ``dayfirst=`` or, when not given, from the column itself only if every such cell
  proves it (a field above 12) the same way; a column whose cells prove both orders raises.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .._validation import GeoairInputError
from ..schema import TIMEZONE

__all__ = ["parse_times"]

_OFFSET = re.compile(r"(?<=\d)(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
_ZONE_WORD = re.compile(r"(?<=[\d.])\s*([A-Za-z][A-Za-z_/+\-]*)$")
_ZONES = {"UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00", "BJT": "+08:00", "ASIA/SHANGHAI": "+08:00"}
_AMBIGUOUS_ZONES = {
    "CST": "China Standard Time (UTC+8) or US Central Standard Time (UTC-6)",
    "IST": "India, Ireland or Israel Standard Time",
}
# d/m/Y or m/d/Y (also with '.' or '-'), year 4 or 2 digits, then anything (a time)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?=$|[ T])(.*)$")


def parse_times(
    series: pd.Series, *, file: Any, column: str, rows: np.ndarray, dayfirst: bool | None = None
) -> pd.Series:
    """Parse a time column to tz-aware Asia/Shanghai (unparseable cells become NaT).

    Parameters
    ----------
    series : Series
        Text, datetime or tz-aware datetime values.
    file, column, rows :
        Where the values came from (for error messages): file, column name, file rows.
    dayfirst : bool, optional
        Order of ``dd/mm/yyyy``-like dates; ``None`` infers it only when the column proves it.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert(TIMEZONE)
    if pd.api.types.is_datetime64_dtype(dtype):
        return _localize(series)
    text = series.astype("object").where(series.notna(), None)
    text = pd.Series([None if v is None else str(v).strip() for v in text], index=series.index, dtype=object)
    text = _zone_names_to_offsets(text, file=file, column=column, rows=rows)
    text = _dmy_to_iso(text, dayfirst, file=file, column=column, rows=rows)
    offsets = text.str.extract(_OFFSET, expand=False)
    has = offsets.notna().to_numpy()
    present = text.notna().to_numpy() & (text.fillna("") != "").to_numpy()
    if has.any():
        _check_one_offset(text, offsets, has, present, file=file, column=column, rows=rows)
        return _to_datetime(text, utc=True).dt.tz_convert(TIMEZONE)
    return _localize(_to_datetime(text, utc=False))


def _zone_names_to_offsets(text: pd.Series, *, file: Any, column: str, rows: np.ndarray) -> pd.Series:
    words = text.str.extract(_ZONE_WORD, expand=False)
    if not words.notna().any():
        return text
    upper = words.str.upper()
    bad = upper.notna() & ~upper.isin(list(_ZONES))
    if bad.any():
        first = str(upper[bad].iloc[0])
        why = _AMBIGUOUS_ZONES.get(first, "not a zone geoair reads")
        raise GeoairInputError(
            f"The time column names a time zone {words[bad].iloc[0]!r}: {why}.",
            file=file, column=column, row=rows[bad.to_numpy()].tolist(),
            received=text[bad].head(3).tolist(),
            fix="Write the UTC offset instead (e.g. '2019-01-01 08:00+08:00'), or give naive Beijing time.",
        )
    has = upper.notna()
    stripped = text[has].str.replace(_ZONE_WORD, "", regex=True)
    return text.where(~has, stripped + upper[has].map(_ZONES))


def _dmy_to_iso(text: pd.Series, dayfirst: bool | None, *, file: Any, column: str,
                rows: np.ndarray) -> pd.Series:
    parts = text.str.extract(_DMY)
    is_dmy = parts[0].notna().to_numpy()
    if not is_dmy.any():
        return text
    a = parts[0].astype(float).to_numpy()
    b = parts[1].astype(float).to_numpy()
    day_first_proof = is_dmy & (a > 12) & (b <= 12)
    month_first_proof = is_dmy & (b > 12) & (a <= 12)
    if dayfirst is None:
        if day_first_proof.any() and month_first_proof.any():
            raise GeoairInputError(
                "The time column mixes day/month/year and month/day/year dates.",
                file=file, column=column,
                row=rows[day_first_proof | month_first_proof].tolist(),
                received=text[day_first_proof].head(2).tolist() + text[month_first_proof].head(2).tolist(),
                fix="Write every date in one order, preferably ISO 'YYYY-MM-DD HH:MM'.",
            )
        unproven = is_dmy & ~day_first_proof & ~month_first_proof
        if unproven.any() or not (day_first_proof.any() or month_first_proof.any()):
            raise GeoairInputError(
                "Dates such as '01/02/2019' are ambiguous (1 February or 2 January).",
                file=file, column=column, row=rows[unproven].tolist(),
                received=text[unproven].head(3).tolist(),
                fix="Pass dayfirst=True (day/month/year) or dayfirst=False (month/day/year), "
                "or write ISO dates 'YYYY-MM-DD'.",
            )
        dayfirst = bool(day_first_proof.any())
    day, month = (parts[0], parts[1]) if dayfirst else (parts[1], parts[0])
    year = parts[2].where(parts[2].str.len() == 4, "20" + parts[2])
    iso = year + "-" + month.str.zfill(2) + "-" + day.str.zfill(2) + parts[3].fillna("")
    return text.where(~is_dmy, iso)


def _check_one_offset(text, offsets, has, present, *, file, column, rows) -> None:
    if not has[present].all():
        naive = present & ~has
        raise GeoairInputError(
            "The time column mixes times with a UTC offset and times without one.",
            file=file, column=column, row=rows[naive].tolist(),
            received=text[naive].head(3).tolist() + text[has].head(2).tolist(),
            fix="Give all times in one form: naive Beijing time, or all with the same offset.",
        )
    norm = offsets[has].str.upper().str.replace("Z", "+00:00", regex=False)
    norm = norm.where(norm.str.contains(":"), norm.str[:3] + ":" + norm.str[3:])
    if norm.nunique() > 1:
        counts = norm.value_counts()
        minority = has.copy()
        minority[has] = (norm != counts.index[0]).to_numpy()
        raise GeoairInputError(
            f"The time column mixes time zones (UTC offsets {sorted(counts.index)}).",
            file=file, column=column, row=rows[minority].tolist(),
            received=text[minority].head(3).tolist(),
            fix="Convert all times to one zone (preferably naive Beijing time) before reading.",
        )


def _to_datetime(text: pd.Series, *, utc: bool) -> pd.Series:
    # ISO 8601 first (fast, unambiguous); then year-first forms with '/' or '.'
    # ("2019/01/01 01:00"); what neither reads stays NaT and is logged by the caller.
    parsed = pd.to_datetime(text, errors="coerce", utc=utc, format="ISO8601")
    miss = (parsed.isna() & text.notna()).to_numpy()
    if miss.any():
        year_first = text[miss].str.replace(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", regex=True)
        year_first = year_first.str.replace(r"^(\d{4})-(\d)-", r"\1-0\2-", regex=True)
        year_first = year_first.str.replace(r"^(\d{4}-\d{2})-(\d)(?=$|[ T])", r"\1-0\2", regex=True)
        again = pd.to_datetime(year_first, errors="coerce", utc=utc, format="ISO8601")
        parsed = parsed.where(~miss, again.reindex(parsed.index))
    if not (isinstance(parsed.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(parsed.dtype)):
        parsed = pd.to_datetime(parsed, errors="coerce", utc=utc)
    return parsed


def _localize(series: pd.Series) -> pd.Series:
    # Asia/Shanghai kept summer time 1986-1991; its ambiguous hours cannot be placed.
    return series.dt.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT")
