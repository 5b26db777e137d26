"""Tidy observation tables: CSV (UTF-8 or GB18030, optionally .gz) or Parquet files with
``station``, ``time`` and one column per variable (names as in :mod:`geoair.schema`, or the
usual spellings ``PM2.5``, ``datetime``, ``监测点编码`` ...)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, require_columns
from ..schema import CNEMC_TYPES, DERIVED_POLLUTANTS, MET_VARIABLES, POLLUTANT_ALIASES, POLLUTANTS
from ._common import (
    ObsOptions,
    is_parquet,
    place_rows,
    read_csv_checked,
    read_header,
    read_parquet_checked,
    to_numeric_logged,
)
from ._qc import mask_invalid, mask_pm_ratio
from ._times import parse_times

NAME = "tidy"
STATION_NAMES = ("station", "site", "station_code", "code", "监测点编码")
TIME_NAMES = ("time", "datetime", "date_time", "timestamp")
_KNOWN = set(POLLUTANTS) | set(DERIVED_POLLUTANTS) | set(MET_VARIABLES)


def sniff(header: list[str]) -> bool:
    """A header with a station column and a time column."""
    low = [h.lower() for h in header]
    return any(h in low for h in STATION_NAMES) and any(h in low for h in TIME_NAMES)


def read(files: list[Path], keep: set[str] | None, log: DropLog, opts: ObsOptions) -> pd.DataFrame:
    """Read tidy files into one frame (``_file``/``_row`` columns give each row's origin)."""
    parts = [_read_one(f, keep, log, opts) for f in files]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _canonical(name: str) -> str:
    low = name.strip().lower()
    if name.strip() in CNEMC_TYPES:
        return CNEMC_TYPES[name.strip()]
    if low in POLLUTANT_ALIASES:
        return POLLUTANT_ALIASES[low]
    if low in STATION_NAMES:
        return "station"
    if low in TIME_NAMES:
        return "time"
    return name.strip()


def _load(path: Path) -> pd.DataFrame:
    if is_parquet(path):
        return read_parquet_checked(path, "tidy observation file")
    header = read_header(path)
    station_col = next((h for h in header if h.lower() in STATION_NAMES), None)
    return read_csv_checked(
        path, "tidy observation file", dtype={station_col: str} if station_col else None, low_memory=False
    )


def _read_one(path: Path, keep: set[str] | None, log: DropLog, opts: ObsOptions) -> pd.DataFrame:
    df = _load(path)
    rename = {c: _canonical(str(c)) for c in df.columns}
    df = df.rename(columns=rename)
    if df.columns.duplicated().any():
        dupes = sorted(set(df.columns[df.columns.duplicated()]))
        raise GeoairInputError(
            "Two columns mean the same variable.",
            file=path, column=dupes[0], received=list(map(str, rename)),
            fix="Keep one column per variable (e.g. 'PM2.5' or 'pm25', not both).",
        )
    require_columns(
        df, ["station", "time"], file=path, what="tidy observation file",
        fix="Give columns 'station' (code, e.g. 1001A) and 'time' (Beijing time or with offset).",
    )
    rows = np.arange(1, len(df) + 1, dtype=np.int64)
    inv = {v: k for k, v in rename.items()}
    out = pd.DataFrame({"station": df["station"].astype("string").str.strip().astype(object)})
    out["time"] = parse_times(df["time"], file=path, column=inv.get("time", "time"), rows=rows,
                              dayfirst=opts.dayfirst)
    for col in df.columns:
        if col in ("station", "time"):
            continue
        if col in _KNOWN:
            out[col] = to_numeric_logged(
                df[col], file=path, column=inv.get(col, col), rows=rows, log=log, what=col
            )
        else:
            out[col] = df[col].to_numpy()  # passed through untouched (not a data-model variable)
    out = mask_invalid(
        out, [c for c in out.columns if c in _KNOWN], file=path, rows=rows, log=log,
        file_columns=inv, limits=opts.limits,
    )
    out = mask_pm_ratio(out, file=path, rows=rows, log=log, tolerance=opts.pm_tolerance,
                        column=inv.get("pm25", "pm25"))
    return place_rows(out, path, rows, log, keep)
