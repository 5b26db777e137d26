"""The UCI "Beijing Multi-Site Air-Quality" (PRSA2017) files, one per station.

Columns ``No, year, month, day, hour, PM2.5, PM10, SO2, NO2, CO, O3, TEMP, PRES, DEWP, RAIN,
wd, WSPM, station``; CO is given in µg/m³ (divided by 1000 to the data model's mg/m³) and
``wd`` as 16-point compass text (turned into degrees). Zhang S. et al. (2017), Proc. R. Soc. A
473: 20170457.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, require_columns
from ..schema import TIMEZONE
from ._common import ObsOptions, place_rows, read_csv_checked, to_numeric_logged
from ._qc import mask_invalid, mask_pm_ratio

NAME = "prsa"

#: 16-point compass directions (wind FROM) in degrees clockwise from north.
COMPASS_DEGREES: dict[str, float] = {
    name: i * 22.5
    for i, name in enumerate(
        ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
         "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"]
    )
}

_REQUIRED = ("year", "month", "day", "hour", "station")
_COLUMNS = {
    "PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3",
    "TEMP": "temp", "PRES": "pres", "DEWP": "dewp", "RAIN": "rain", "WSPM": "ws", "wd": "wd",
}


def sniff(header: list[str]) -> bool:
    """year, month, day, hour, station and PM2.5 columns."""
    low = [h.lower() for h in header]
    return {"year", "month", "day", "hour", "station"} <= set(low) and "pm2.5" in low


def read(files: list[Path], keep: set[str] | None, log: DropLog, opts: ObsOptions) -> pd.DataFrame:
    """Read PRSA files into one frame (``_file``/``_row`` columns give each row's origin)."""
    parts = [_read_one(f, keep, log, opts) for f in files]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


@lru_cache(maxsize=1)
def _station_table() -> pd.DataFrame:
    with resources.files("geoair.io").joinpath("_prsa_stations.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str)


def _station_codes(df: pd.DataFrame, path: Path, rows: np.ndarray) -> pd.Series:
    table = _station_table()
    to_code = dict(zip(table["prsa_name"], table["station"], strict=True))
    names = df["station"].astype("string").str.strip()
    unknown = ~names.isin(list(to_code)) & names.notna()
    if unknown.any():
        raise GeoairInputError(
            "Unknown station name in a UCI PRSA file (no national station code for it).",
            file=path, column="station", row=rows[unknown.to_numpy()].tolist(),
            received=sorted(names[unknown].unique().tolist())[:5],
            fix=f"Known PRSA stations: {sorted(to_code)}; use a tidy file with station codes instead.",
        )
    return names.map(to_code).astype(object)


def _times(df: pd.DataFrame) -> pd.Series:
    parts = {c: pd.to_numeric(df[c], errors="coerce") for c in ("year", "month", "day", "hour")}
    stamp = pd.to_datetime(
        pd.DataFrame({"year": parts["year"], "month": parts["month"], "day": parts["day"]}),
        errors="coerce",
    ) + pd.to_timedelta(parts["hour"], unit="h")
    stamp = stamp.mask(((parts["hour"] < 0) | (parts["hour"] > 23)).to_numpy())
    return stamp.dt.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT")


def _read_one(path: Path, keep: set[str] | None, log: DropLog, opts: ObsOptions) -> pd.DataFrame:
    df = read_csv_checked(path, "UCI PRSA file", dtype={"station": str, "wd": str}, low_memory=False)
    df.columns = [str(c).strip() for c in df.columns]
    require_columns(
        df, [*_REQUIRED, "PM2.5"], file=path, what="UCI PRSA file",
        fix="A PRSA file has No,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,TEMP,PRES,DEWP,RAIN,wd,WSPM,station.",
    )
    rows = np.arange(1, len(df) + 1, dtype=np.int64)
    out = pd.DataFrame({"station": _station_codes(df, path, rows)})
    out["time"] = _times(df)
    file_columns = {}
    for raw_name, code in _COLUMNS.items():
        if raw_name not in df.columns:
            continue
        file_columns[code] = raw_name
        if code == "wd":
            out["wd"] = _compass_to_degrees(df[raw_name], path, rows, log)
        else:
            out[code] = to_numeric_logged(df[raw_name], file=path, column=raw_name, rows=rows, log=log, what=code)
    out = mask_invalid(
        out, [c for c in out.columns if c not in ("station", "time")], file=path, rows=rows, log=log,
        file_columns=file_columns, limits=opts.limits, factors={"co": 1000.0},
    )
    if "co" in out.columns:
        out["co"] = out["co"] / 1000.0  # UCI gives CO in µg/m³; the data model uses mg/m³
    out = mask_pm_ratio(out, file=path, rows=rows, log=log, tolerance=opts.pm_tolerance, column="PM2.5")
    return place_rows(out, path, rows, log, keep)


def _compass_to_degrees(s: pd.Series, path: Path, rows: np.ndarray, log: DropLog) -> np.ndarray:
    text = s.astype("string").str.strip().str.upper()
    deg = text.map(COMPASS_DEGREES).astype("float64")
    bad = (text.notna() & (text != "") & deg.isna()).to_numpy()
    if bad.any():
        log.add(
            "wd: not a 16-point compass direction (N, NNE, ... NNW); masked to NaN",
            rows=rows[bad], file=path, column="wd", values=text[bad].tolist(),
        )
    return deg.to_numpy(dtype="float64", na_value=np.nan)
