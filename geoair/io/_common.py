"""Helpers shared by the observation and station readers: paths, value checks, time parsing."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError
from ..schema import TIMEZONE

#: Values used by data loggers and agencies to mean "missing" (never a real concentration).
#: 999 is deliberately absent: the UCI Beijing files cap PM2.5/PM10 reports at exactly 999.
SENTINELS: tuple[float, ...] = (-99.0, -999.0, -9999.0, -99999.0, 9999.0, 99999.0, 999999.0)

#: Columns whose negative values are physically impossible (concentrations, AQI, speed, rain).
NON_NEGATIVE_PREFIXES: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "co", "o3", "aqi", "ws", "rain")

_GLOB_CHARS = re.compile(r"[*?\[]")


def expand_paths(path: Any) -> list[Path]:
    """Turn a file, a list of files or a glob pattern into an ordered list of existing files."""
    if isinstance(path, (str, os.PathLike)):
        items: list[Any] = [path]
    elif isinstance(path, Iterable):
        items = list(path)
    else:
        raise GeoairInputError(
            "path must be a file, a list of files or a glob pattern.",
            received=type(path).__name__,
            fix="Pass e.g. 'data/china_sites_201901*.csv.gz' or a list of paths.",
        )
    out: list[Path] = []
    for item in items:
        text = os.fspath(item)
        if _GLOB_CHARS.search(text) and not Path(text).exists():
            matches = sorted(glob.glob(text))
            if not matches:
                raise GeoairInputError(
                    "The glob pattern matched no file.",
                    file=text,
                    fix="Check the folder and the pattern (e.g. 'china_sites_2019*.csv.gz').",
                )
            out.extend(Path(m) for m in matches)
        else:
            p = Path(text)
            if not p.is_file():
                raise GeoairInputError(
                    "File not found." if not p.exists() else "Path is not a file.",
                    file=text,
                    fix="Check the path; pass files, a list of files or a glob pattern.",
                )
            out.append(p)
    return out


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def read_header(path: Path) -> list[str]:
    """The first line of a (possibly gzip-compressed) CSV, split on commas, quotes stripped."""
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as fh:
            line = fh.readline()
    except (OSError, EOFError) as err:
        raise GeoairInputError(
            f"Cannot read the file as text ({err}).",
            file=path,
            fix="Give a CSV (optionally .gz) or a Parquet file.",
        ) from None
    return [c.strip().strip('"').strip() for c in line.rstrip("\r\n").split(",")]


def mask_invalid(
    df: pd.DataFrame,
    columns: Iterable[str],
    *,
    file: Any,
    rows: np.ndarray,
    log: DropLog,
    file_columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Mask sentinel and impossible negative values to NaN in place, logging each masked cell.

    ``rows`` gives the file row number of every frame row; ``file_columns`` maps a data-model
    column to the column name it had in the file (for the DropLog).
    """
    for col in columns:
        if col not in df.columns:
            continue
        vals = df[col].to_numpy(dtype="float64", na_value=np.nan)
        sentinel = np.isin(vals, SENTINELS)
        negative = np.zeros_like(sentinel)
        if col.startswith(NON_NEGATIVE_PREFIXES):
            negative = (vals < 0) & ~sentinel
        out_of_range = np.zeros_like(sentinel)
        if col == "wd":
            out_of_range = ((vals < 0) | (vals > 360)) & ~sentinel
        name = (file_columns or {}).get(col, col)
        for mask, reason in (
            (sentinel, f"{col}: sentinel value (e.g. -999, 9999) masked to NaN"),
            (negative, f"{col}: negative value masked to NaN"),
            (out_of_range, f"{col}: wind direction outside 0-360 masked to NaN"),
        ):
            if mask.any():
                log.add(reason, rows=rows[mask], file=file, column=name, values=vals[mask])
                vals = np.where(mask, np.nan, vals)
        df[col] = vals
    return df


def to_numeric_logged(
    series: pd.Series, *, file: Any, column: str, rows: np.ndarray, log: DropLog, what: str
) -> np.ndarray:
    """Convert to float; cells that are present but not numbers are masked and logged."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    num = pd.to_numeric(series, errors="coerce")
    text = series.astype("object")
    present = text.notna().to_numpy() & (text.astype(str).str.strip() != "").to_numpy()
    bad = present & num.isna().to_numpy()
    if bad.any():
        log.add(
            f"{what}: non-numeric value masked to NaN",
            rows=rows[bad],
            file=file,
            column=column,
            values=text[bad].tolist(),
        )
    return num.to_numpy(dtype="float64", na_value=np.nan)


_OFFSET = re.compile(r"(?<=\d)(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


def parse_times(
    series: pd.Series, *, file: Any, column: str, rows: np.ndarray
) -> pd.Series:
    """Parse a time column to tz-aware Asia/Shanghai.

    Naive times are Beijing time. Times with a UTC offset or a zone are converted. A column
    that mixes offsets (or offsets and naive times) raises :class:`GeoairInputError`, because
    the same text would mean different instants. Unparseable cells become NaT (the caller logs
    and drops those rows).
    """
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert(TIMEZONE)
    if pd.api.types.is_datetime64_dtype(dtype):
        return _localize(series)
    text = series.astype("object").where(series.notna(), None)
    text = pd.Series([None if v is None else str(v).strip() for v in text], index=series.index)
    offsets = text.str.extract(_OFFSET, expand=False)
    has = offsets.notna().to_numpy()
    present = text.notna().to_numpy() & (text.fillna("") != "").to_numpy()
    if has.any():
        if not has[present].all():
            naive = present & ~has
            raise GeoairInputError(
                "The time column mixes times with a UTC offset and times without one.",
                file=file,
                column=column,
                row=rows[naive].tolist(),
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
                file=file,
                column=column,
                row=rows[minority].tolist(),
                received=text[minority].head(3).tolist(),
                fix="Convert all times to one zone (preferably naive Beijing time) before reading.",
            )
        parsed = _to_datetime(text, utc=True)
        return parsed.dt.tz_convert(TIMEZONE)
    return _localize(_to_datetime(text, utc=False))


def _to_datetime(text: pd.Series, *, utc: bool) -> pd.Series:
    # ISO 8601 first (fast, unambiguous); cells it cannot read get pandas' per-cell parser
    # (e.g. "2019/01/01 01:00"); what neither reads stays NaT and is logged by the caller.
    parsed = pd.to_datetime(text, errors="coerce", utc=utc, format="ISO8601")
    miss = (parsed.isna() & text.notna()).to_numpy()
    if miss.any():
        again = pd.to_datetime(text[miss], errors="coerce", utc=utc, format="mixed")
        parsed = parsed.where(~miss, again.reindex(parsed.index))
    return parsed


def _localize(series: pd.Series) -> pd.Series:
    # Asia/Shanghai kept summer time 1986-1991; its ambiguous hours cannot be placed.
    return series.dt.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT")
