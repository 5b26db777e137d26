"""Helpers shared by the readers: paths, reading text tables safely, numbers and times."""

from __future__ import annotations

import glob
import gzip
import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError
from ._qc import SENTINELS  # noqa: F401 - re-exported (older import path)

#: Encodings tried, in order, for text files: UTF-8 (with or without BOM), then GB18030
#: (a superset of GBK and GB2312, the encodings of Chinese Excel exports).
ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")

# What a parser raises on a damaged file (pandas' ParserError and EmptyDataError, pyarrow's
# ArrowInvalid are ValueErrors; a truncated gzip raises EOFError; a bad one OSError/zlib.error).
_READ_ERRORS = (OSError, EOFError, UnicodeError, ValueError, zlib.error)

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


def describe_error(err: BaseException) -> str:
    """A short, user-facing account of a parser error."""
    if isinstance(err, EOFError):
        return "the file ends early: truncated or partly downloaded (EOFError)"
    if isinstance(err, (gzip.BadGzipFile, zlib.error)):
        return f"the compressed data are damaged ({type(err).__name__}: {err})"
    if isinstance(err, PermissionError):
        return "permission denied: the file cannot be opened for reading (PermissionError)"
    if isinstance(err, UnicodeError):
        return f"the text is neither UTF-8 nor GB18030 ({type(err).__name__})"
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: {text[:200]}"


def cannot_read(path: Any, what: str, err: BaseException, fix: str | None = None) -> GeoairInputError:
    """The error for a file a parser could not read."""
    return GeoairInputError(
        f"Cannot read the {what} ({describe_error(err)}).",
        file=path,
        fix=fix or "Check that the file is complete and is the format named; re-download or "
        "re-export it (CSV as UTF-8 or GB18030, optionally .gz).",
    )


def read_header(path: Path) -> list[str]:
    """The first line of a (possibly gzip-compressed) CSV, split on commas, quotes stripped."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    line = None
    for enc in ENCODINGS:
        try:
            with opener(path, "rt", encoding=enc) as fh:
                line = fh.readline(1 << 20)
            break
        except UnicodeError:
            continue
        except _READ_ERRORS as err:
            raise cannot_read(path, "file as text", err, "Give a CSV (optionally .gz) or a Parquet file.") from None
    if line is None:
        raise cannot_read(path, "file as text", UnicodeError("undecodable"))
    if not line.strip():
        raise GeoairInputError(
            "The file is empty (no header line).", file=path,
            fix="Check that the download or export finished; a CSV starts with a header line.",
        )
    return [c.strip().strip('"').strip() for c in line.rstrip("\r\n").split(",")]


def read_csv_checked(path: Path, what: str, **kwargs: Any) -> pd.DataFrame:
    """``pandas.read_csv`` trying UTF-8 then GB18030; any parser failure is a GeoairInputError.

    An empty file (no header) raises; a header without rows gives an empty frame.
    """
    for enc in ENCODINGS:
        try:
            return pd.read_csv(path, encoding=enc, **kwargs)
        except UnicodeError:
            continue
        except pd.errors.EmptyDataError:
            raise GeoairInputError(
                f"The {what} is empty (no header line).", file=path,
                fix="Check that the download or export finished; a CSV starts with a header line.",
            ) from None
        except _READ_ERRORS as err:
            raise cannot_read(path, what, err) from None
    raise cannot_read(path, what, UnicodeError("undecodable"))


def read_parquet_checked(path: Path, what: str) -> pd.DataFrame:
    """``pandas.read_parquet``; any failure is a GeoairInputError naming the file."""
    try:
        return pd.read_parquet(path)
    except _READ_ERRORS as err:
        raise cannot_read(path, what, err, "Check that the file is a complete Parquet file.") from None


def units_of(df: Any, **extra: str) -> dict[str, str]:
    """``attrs["units"]``: the data-model unit of each column present, plus ``extra``."""
    from ..schema import UNITS

    out = {c: UNITS[c] for c in df.columns if c in UNITS}
    out.update({k: v for k, v in extra.items() if k in df.columns})
    return out


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


def place_rows(out: pd.DataFrame, path: Path, rows, log: DropLog, keep=None) -> pd.DataFrame:
    """Tag rows with their file and row number, drop unplaced rows, keep the chosen stations."""
    out["_file"] = str(path)
    out["_row"] = rows
    out = drop_unplaced(out, path, log)
    return out if keep is None else out[out["station"].isin(keep)]


def drop_unplaced(out: pd.DataFrame, path: Path, log: DropLog) -> pd.DataFrame:
    """Drop (and log) rows without a station code or without a valid time."""
    no_station = (out["station"].isna() | (out["station"].astype(str).str.strip() == "")).to_numpy()
    no_time = out["time"].isna().to_numpy() & ~no_station
    if no_station.any():
        log.add("row without a station code; dropped", rows=out["_row"].to_numpy()[no_station], file=path)
    if no_time.any():
        log.add(
            "row without a valid time (unparseable, a day/month order that contradicts dayfirst, "
            "or ambiguous in 1986-1991 summer time); dropped",
            rows=out["_row"].to_numpy()[no_time], file=path,
        )
    bad = no_station | no_time
    return out[~bad] if bad.any() else out


@dataclass(frozen=True)
class ObsOptions:
    """Options of :func:`geoair.io.read_observations` passed to the layout readers."""

    include_derived: bool = False
    dayfirst: bool | None = None
    limits: dict = field(default_factory=dict)
    pm_tolerance: tuple[float, float] | None = None
    n_jobs: int = 1
