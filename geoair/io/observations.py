"""Read hourly station observations into the geoair data model.

Three layouts are understood, detected from the header of each file:

``cnemc``
    The national wide daily files ``china_sites_YYYYMMDD.csv[.gz]`` (quotsoft.net mirror of
    CNEMC real-time releases): columns ``date, hour, type, <station codes...>``, 15 ``type``
    lines per hour (see :data:`geoair.schema.CNEMC_TYPES`).
``prsa``
    The UCI "Beijing Multi-Site Air-Quality" (PRSA2017) files, one per station.
``tidy``
    A CSV or Parquet file with ``station, time`` and one column per variable.

Time convention
---------------
Chinese hourly values are labelled by the **end** of the averaging hour in Beijing time: the
value of hour ``h`` is the mean over ``(h-1, h]`` (HJ 663; research note standards.md §1.4
item 6). geoair keeps that label: ``hour = h`` of file date ``D`` becomes ``time = D + h hours``
in Asia/Shanghai. Hour 0 of the file for ``D`` is therefore ``D 00:00``, the mean over
``(D-1 23:00, D 00:00]``; a daily mean in the HJ 663 sense (hours 01...24) takes hours 1-23 of
file ``D`` and hour 0 of file ``D+1``. The PRSA files use the same hour-ending labels.

Missing values
--------------
The output is the station x hour grid of the hours present in the input: a station that
reported nothing in an hour still has a row, with NaN values (completeness statistics need
those hours). Rows are never dropped for being empty. Hours absent from every file (e.g. hour
22 of 2019-02-03) are not invented.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option, require_columns
from ..schema import (
    CNEMC_TYPES,
    DERIVED_POLLUTANTS,
    MET_VARIABLES,
    POLLUTANT_ALIASES,
    POLLUTANTS,
    TIMEZONE,
)
from ._common import (
    SENTINELS,
    expand_paths,
    is_parquet,
    mask_invalid,
    parse_times,
    read_header,
    to_numeric_logged,
)

__all__ = ["read_observations", "detect_format", "COMPASS_DEGREES"]

FORMATS = ("auto", "cnemc", "prsa", "tidy")

#: 16-point compass directions (wind FROM) in degrees clockwise from north.
COMPASS_DEGREES: dict[str, float] = {
    name: i * 22.5
    for i, name in enumerate(
        ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
         "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"]
    )
}

_PRSA_REQUIRED = ("year", "month", "day", "hour", "station")
_PRSA_COLUMNS = {
    "PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3",
    "TEMP": "temp", "PRES": "pres", "DEWP": "dewp", "RAIN": "rain", "WSPM": "ws", "wd": "wd",
}
_STATION_NAMES = ("station", "site", "station_code", "code", "监测点编码")
_TIME_NAMES = ("time", "datetime", "date_time", "timestamp")
_INTERNAL = ("_file", "_row")


def detect_format(path: str | Path) -> str:
    """Return ``"cnemc"``, ``"prsa"`` or ``"tidy"`` from a file's header.

    Raises
    ------
    GeoairInputError
        When the header matches none of the layouts.
    """
    path = Path(path)
    if is_parquet(path):
        return "tidy"
    header = read_header(path)
    return _format_from_header(header, path)


def _format_from_header(header: list[str], path: Path) -> str | None:
    low = [h.lower() for h in header]
    if low[:3] == ["date", "hour", "type"]:
        return "cnemc"
    if {"year", "month", "day", "hour", "station"} <= set(low) and "pm2.5" in low:
        return "prsa"
    if any(h in low for h in _STATION_NAMES) and any(h in low for h in _TIME_NAMES):
        return "tidy"
    raise GeoairInputError(
        "The file is not an observation file geoair knows (CNEMC wide, UCI PRSA or tidy).",
        file=path,
        received=header[:8],
        fix="A CNEMC file starts 'date,hour,type,<codes>'; a PRSA file has "
        "No,year,month,day,hour,PM2.5,...,station; a tidy file has 'station,time,pm25,...'.",
    )


def read_observations(
    path: Any,
    format: str = "auto",  # noqa: A002 - the documented keyword of the data model
    *,
    stations: Any = None,
    include_derived: bool = False,
) -> pd.DataFrame:
    """Read hourly station observations (CNEMC wide files, UCI PRSA files or a tidy table).

    Parameters
    ----------
    path : str, path-like, list of them, or glob pattern
        One or many files (``.csv``, ``.csv.gz``, ``.parquet``). Files may mix layouts.
    format : {"auto", "cnemc", "prsa", "tidy"}
        Layout of the files; ``"auto"`` detects it from each header. A named format that the
        header contradicts raises :class:`~geoair.GeoairInputError`.
    stations : list of str or DataFrame with a ``station`` column, optional
        Keep only these station codes (read-time filter; faster for the national files).
    include_derived : bool, default False
        CNEMC files also carry running means and the AQI (``PM2.5_24h``, ``O3_8h``, ``AQI``
        ...). By default only the six hourly pollutants are kept; ``True`` keeps them all as
        columns ``pm25_24h, ..., o3_8h, aqi``. Tidy files keep every column they have.

    Returns
    -------
    pandas.DataFrame
        One row per station-hour, sorted by ``station, time``: ``station`` (str, e.g.
        ``"1001A"``), ``time`` (``datetime64[ns, Asia/Shanghai]``, end of the hour),
        ``pm25, pm10, so2, no2, o3`` (µg/m³), ``co`` (mg/m³) - always present, all-NaN
        when the input lacks a pollutant; PRSA files add ``ws`` (m/s),
        ``wd`` (degrees, direction the wind blows FROM), ``temp`` (°C), ``pres`` (hPa),
        ``dewp`` (°C), ``rain`` (mm). ``attrs["droplog"]`` (:class:`~geoair.DropLog`) lists
        every removed row and every masked value (file, row, column, reason, sample values);
        ``attrs["params"]`` records files, formats and options.

    Notes
    -----
    Checks, each logged or raised, never silent:

    - sentinel values (-99, -999, -9999, 9999, ...) and negative concentrations, wind speeds
      or rain become NaN with a DropLog entry naming the file cell (for CNEMC files the
      column is the station code and the row the ``(hour, type)`` line);
    - duplicated station-hours (within or across files): the first (in file order) is kept,
      the others are logged and dropped;
    - an unknown CNEMC ``type``, a missing column, mixed UTC offsets in a time column or a
      file that does not match ``format`` raise :class:`~geoair.GeoairInputError`.

    Time: ``hour = h`` of a CNEMC file dated ``D`` (and of a PRSA row) becomes ``D + h hours``
    Beijing time, the END of the averaging hour ``(h-1, h]``; hour 0 is ``D 00:00``, which an
    HJ 663 daily mean (hours 01...24) counts in day ``D-1``. Station-hours without any value
    are kept as NaN rows (the grid of hours present in the files), never dropped.

    Units are fixed here: the UCI PRSA files give CO in µg/m³ (values 100-10000) and it is
    divided by 1000 to mg/m³; their 16-point compass directions become degrees.

    References
    ----------
    HJ 663-2013 / HJ 663-2026, hour-ending labels; Zhang S. et al. (2017) Proc. R. Soc. A
    473: 20170457 (the UCI Beijing data); CNEMC real-time release format (quotsoft.net).

    Examples
    --------
    >>> obs = read_observations("china_sites_2019010*.csv.gz")  # doctest: +SKIP
    >>> obs.attrs["droplog"]  # doctest: +SKIP
    """
    check_option("format", format, FORMATS)
    files = expand_paths(path)
    keep = _station_filter(stations)
    log = DropLog()
    formats: dict[str, str] = {}
    for f in files:
        fmt = "tidy" if is_parquet(f) else _format_from_header(read_header(f), f)
        if format != "auto" and fmt != format:
            raise GeoairInputError(
                f"The file was read as format={format!r} but its header looks like {fmt!r}.",
                file=f,
                received=read_header(f)[:8] if not is_parquet(f) else "parquet",
                fix=f"Use format='auto' or format={fmt!r}, or check that this is the right file.",
            )
        formats[str(f)] = fmt

    params: dict[str, Any] = {
        "files": [str(f) for f in files],
        "formats": formats,
        "include_derived": include_derived,
        "stations": None if keep is None else sorted(keep),
    }
    parts: list[pd.DataFrame] = []
    cnemc_files = [f for f in files if formats[str(f)] == "cnemc"]
    if cnemc_files:
        part, skipped = _read_cnemc(cnemc_files, keep, include_derived, log)
        params["cnemc_lines_not_requested"] = skipped
        parts.append(part)
    for f in files:
        fmt = formats[str(f)]
        if fmt == "prsa":
            parts.append(_read_prsa(f, keep, log))
        elif fmt == "tidy":
            parts.append(_read_tidy(f, keep, log))

    out = _combine(parts, log, [str(f) for f in files])
    if keep is not None and out.empty and files:
        raise GeoairInputError(
            "None of the requested stations is in the file(s).",
            received=sorted(keep)[:10],
            fix="Check the station codes (e.g. '1001A'); read without stations= to list them.",
        )
    out.attrs["droplog"] = log
    out.attrs["params"] = params
    return out


def _station_filter(stations: Any) -> set[str] | None:
    if stations is None:
        return None
    if isinstance(stations, pd.DataFrame):
        require_columns(stations, ["station"], what="stations frame")
        stations = stations["station"]
    if isinstance(stations, str):
        stations = [stations]
    if not isinstance(stations, Iterable):
        raise GeoairInputError(
            "stations must be a list of station codes or a frame with a 'station' column.",
            received=type(stations).__name__,
            fix="Pass e.g. stations=['1001A', '1002A'].",
        )
    return {str(s) for s in stations}


# --------------------------------------------------------------------------------- CNEMC


def _read_cnemc_file(
    path: Path, keep: set[str] | None, wanted_types: list[str]
) -> tuple[pd.DataFrame, list[str], Any, np.ndarray]:
    """Read one wide file with pyarrow directly (pandas' per-column dtype handling of 1,600
    columns costs seconds per file). Returns the (date, hour, type) lines, the station codes,
    the values of the lines whose type is wanted (a float array lines x stations or, when some
    cell is not a number, a frame of text for cell-by-cell conversion) and the mask of those
    lines. Only wanted lines are materialised: 9 of the 15 types are not wanted by default."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = read_header(path)
    codes = [c for c in header[3:] if keep is None or c in keep]
    text_meta = {"date": pa.string(), "hour": pa.string(), "type": pa.string()}
    include = header[:3] + codes

    def _read(types: dict) -> Any:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf8"),
            convert_options=pacsv.ConvertOptions(
                column_types=types, include_columns=include, strings_can_be_null=True,
                null_values=[""],  # the format marks missing by an empty cell only
            ),
        )

    try:
        try:
            table = _read({**text_meta, **{c: pa.float64() for c in codes}})
            numeric = True
        except pa.ArrowInvalid:
            table = _read({**text_meta, **{c: pa.string() for c in codes}})
            numeric = False
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as err:
        raise GeoairInputError(
            f"Cannot parse the CNEMC file ({type(err).__name__}: {str(err)[:200]}).",
            file=path,
            fix="Check that the file is a complete 'date,hour,type,<codes>' CSV.",
        ) from None
    meta = pd.DataFrame(
        {
            "date": table.column("date").to_pandas().str.strip(),
            "hour": table.column("hour").to_pandas().str.strip(),
            "type": table.column("type").to_pandas().str.strip(),
        }
    )
    sel = meta["type"].isin(wanted_types).to_numpy(dtype=bool, na_value=False)
    if numeric:
        arr = np.empty((int(sel.sum()), len(codes)), dtype="float64")
        for j, c in enumerate(codes):
            arr[:, j] = table.column(c).to_numpy(zero_copy_only=False)[sel]
        return meta, codes, arr, sel
    text = pd.DataFrame({c: table.column(c).to_pandas()[sel].reset_index(drop=True) for c in codes})
    return meta, codes, text, sel


def _read_cnemc(
    files: list[Path], keep: set[str] | None, include_derived: bool, log: DropLog
) -> tuple[pd.DataFrame, int]:
    names = [str(f) for f in files]
    wanted_codes = list(POLLUTANTS) + (list(DERIVED_POLLUTANTS) if include_derived else [])
    wanted_types = [t for t, c in CNEMC_TYPES.items() if c in wanted_codes]
    metas, blocks, block_cols = [], [], []
    for i, f in enumerate(files):
        meta, cols, arr, sel = _read_cnemc_file(f, keep, wanted_types)
        meta["_file"] = i
        meta["_row"] = np.arange(1, len(meta) + 1, dtype=np.int64)
        meta["_sel"] = sel
        if not isinstance(arr, np.ndarray):
            text = arr
            arr = np.empty((len(text), len(cols)), dtype="float64")
            sel_rows = meta["_row"].to_numpy()[sel]
            sel_types = meta["type"][sel].reset_index(drop=True)
            for j, c in enumerate(cols):
                arr[:, j] = _cnemc_numeric(text[c], c, names[i], sel_rows, sel_types, log)
        metas.append(meta)
        blocks.append(arr)
        block_cols.append(cols)
    raw = pd.concat(metas, ignore_index=True) if len(metas) > 1 else metas[0]
    file_idx = raw["_file"].to_numpy()
    rows = raw["_row"].to_numpy()
    station_cols = sorted(set().union(*block_cols))
    col_pos = {c: j for j, c in enumerate(station_cols)}
    sel_lines = np.flatnonzero(raw["_sel"].to_numpy())
    vpos = np.full(len(raw), -1, dtype=np.int64)  # line -> row of `values`
    vpos[sel_lines] = np.arange(len(sel_lines))
    if len(blocks) == 1 and block_cols[0] == station_cols:
        values = blocks[0]
    else:
        values = np.full((len(sel_lines), len(station_cols)), np.nan)
        start = 0
        for arr, cols in zip(blocks, block_cols, strict=True):
            values[start : start + len(arr), [col_pos[c] for c in cols]] = arr
            start += len(arr)

    # unknown pollutant codes are an error: the file layout is not the one we know
    types = raw["type"].astype("string").str.strip()
    unknown = ~types.isin(list(CNEMC_TYPES)) & types.notna()
    if unknown.any():
        first = np.flatnonzero(unknown.to_numpy())
        bad_file = names[file_idx[first[0]]]
        in_file = first[file_idx[first] == file_idx[first[0]]]
        raise GeoairInputError(
            f"Unknown pollutant type(s) {sorted(types[unknown].unique().tolist())[:10]} in a CNEMC file.",
            file=bad_file,
            column="type",
            row=rows[in_file].tolist(),
            received=types.iloc[first[0]],
            fix=f"Valid types are {list(CNEMC_TYPES)}; correct or remove those lines.",
        )

    # date/hour -> end-of-hour time
    date = pd.to_datetime(raw["date"].astype("string"), format="%Y%m%d", errors="coerce")
    hour = pd.to_numeric(raw["hour"], errors="coerce")
    bad_time = (date.isna() | hour.isna() | (hour < 0) | (hour > 23) | types.isna()).to_numpy()
    time = (date + pd.to_timedelta(hour.fillna(0), unit="h")).dt.tz_localize(TIMEZONE)
    valid = ~bad_time
    for i in np.unique(file_idx[bad_time]):
        sel = bad_time & (file_idx == i)
        log.add(
            "line without a valid date (YYYYMMDD), hour (0-23) or type; dropped",
            rows=rows[sel], file=names[i],
        )

    # duplicated (time, type) lines, within or across files: keep the first in file order
    vidx = np.flatnonzero(valid)
    key = pd.DataFrame({"time": time.iloc[vidx].to_numpy(), "type": types.iloc[vidx].to_numpy()})
    dup = np.zeros(len(raw), dtype=bool)
    dup[vidx[key.duplicated(keep="first").to_numpy()]] = True
    for i in np.unique(file_idx[dup]):
        sel = dup & (file_idx == i)
        log.add("duplicate (date, hour, type) line; first kept", rows=rows[sel], file=names[i])
    valid &= ~dup

    codes = types.map(CNEMC_TYPES).to_numpy(dtype=object)
    requested = np.isin(codes, wanted_codes)
    skipped = int((valid & ~requested).sum())
    use = valid & requested

    _mask_cnemc(
        values, use[sel_lines], codes[sel_lines], station_cols, names,
        file_idx[sel_lines], rows[sel_lines], log,
    )

    idx = np.flatnonzero(use)
    t_use = pd.DatetimeIndex(time.iloc[idx])
    grid_times = t_use.unique().sort_values()
    n_t, n_s = len(grid_times), len(station_cols)
    pos = grid_times.get_indexer(t_use)
    frame = pd.DataFrame(
        {
            "station": np.repeat(np.asarray(station_cols, dtype=object), n_t),
            "time": grid_times[np.tile(np.arange(n_t), n_s)],
        }
    )
    used_codes = set(codes[idx])
    for code in wanted_codes:
        if code not in used_codes:
            continue
        sel = codes[idx] == code
        arr = np.full((n_t, n_s), np.nan)
        arr[pos[sel]] = values[vpos[idx[sel]]]
        frame[code] = arr.T.reshape(-1)  # station-major: rows come out sorted by station, time
    # provenance of each grid row: the first line of its hour (for cross-format duplicate logs)
    first = pd.DataFrame({"pos": pos, "f": file_idx[idx], "r": rows[idx]}).drop_duplicates("pos")
    first = first.set_index("pos").reindex(np.arange(n_t))
    frame["_file"] = np.tile(np.asarray(names, dtype=object)[first["f"].to_numpy(dtype=np.int64)], n_s)
    frame["_row"] = np.tile(first["r"].to_numpy(dtype=np.int64), n_s)
    frame.attrs["sorted_unique"] = True
    return frame, skipped


def _cnemc_numeric(s, col, name, rows, types, log) -> np.ndarray:
    num = pd.to_numeric(s, errors="coerce")
    text = s.astype("object")
    present = text.notna().to_numpy() & (text.astype(str).str.strip() != "").to_numpy()
    bad = present & num.isna().to_numpy()
    if bad.any():
        t = types.astype("string").to_numpy(dtype=object)
        for code in sorted(set(t[bad])):
            sel = bad & (t == code)
            log.add(
                f"{CNEMC_TYPES.get(code, code)}: non-numeric value masked to NaN",
                rows=rows[sel], file=name, column=col, values=text[sel].tolist(),
            )
    return num.to_numpy(dtype="float64", na_value=np.nan)


def _mask_cnemc(values, use, codes, station_cols, names, file_idx, rows, log) -> None:
    with np.errstate(invalid="ignore"):
        sentinel = np.isin(values, SENTINELS)
        negative = (values < 0) & ~sentinel
    sentinel &= use[:, None]
    negative &= use[:, None]
    for mask, what in ((sentinel, "sentinel value (e.g. -999, 9999)"), (negative, "negative value")):
        if not mask.any():
            continue
        r, c = np.nonzero(mask)
        cells = pd.DataFrame(
            {"f": file_idx[r], "code": codes[r], "col": c, "row": rows[r], "v": values[r, c]}
        )
        for (f, code, col), g in cells.groupby(["f", "code", "col"], sort=True):
            log.add(
                f"{code}: {what} masked to NaN",
                rows=g["row"].to_numpy(), file=names[f], column=station_cols[col],
                values=g["v"].to_numpy(),
            )
        values[mask] = np.nan


# ---------------------------------------------------------------------------------- PRSA


@lru_cache(maxsize=1)
def _prsa_station_table() -> pd.DataFrame:
    with resources.files("geoair.io").joinpath("_prsa_stations.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str)


def _read_prsa(path: Path, keep: set[str] | None, log: DropLog) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"station": str, "wd": str}, low_memory=False)
    df.columns = [str(c).strip() for c in df.columns]
    require_columns(
        df, [*_PRSA_REQUIRED, "PM2.5"], file=path, what="UCI PRSA file",
        fix="A PRSA file has No,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,TEMP,PRES,DEWP,RAIN,wd,WSPM,station.",
    )
    rows = np.arange(1, len(df) + 1, dtype=np.int64)
    table = _prsa_station_table()
    to_code = dict(zip(table["prsa_name"], table["station"], strict=True))
    names = df["station"].astype("string").str.strip()
    unknown = ~names.isin(list(to_code)) & names.notna()
    if unknown.any():
        raise GeoairInputError(
            "Unknown station name in a UCI PRSA file (no national station code for it).",
            file=path,
            column="station",
            row=rows[unknown.to_numpy()].tolist(),
            received=sorted(names[unknown].unique().tolist())[:5],
            fix=f"Known PRSA stations: {sorted(to_code)}; use a tidy file with station codes instead.",
        )
    out = pd.DataFrame({"station": names.map(to_code).astype(object)})
    parts = {c: pd.to_numeric(df[c], errors="coerce") for c in ("year", "month", "day", "hour")}
    stamp = pd.to_datetime(
        pd.DataFrame({"year": parts["year"], "month": parts["month"], "day": parts["day"]}),
        errors="coerce",
    ) + pd.to_timedelta(parts["hour"], unit="h")
    bad_hour = ((parts["hour"] < 0) | (parts["hour"] > 23)).to_numpy()
    stamp = stamp.mask(bad_hour)
    out["time"] = stamp.dt.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT")
    file_columns = {}
    for raw_name, code in _PRSA_COLUMNS.items():
        if raw_name not in df.columns:
            continue
        file_columns[code] = raw_name
        if code == "wd":
            out["wd"] = _compass_to_degrees(df[raw_name], path, rows, log)
        else:
            out[code] = to_numeric_logged(
                df[raw_name], file=path, column=raw_name, rows=rows, log=log, what=code
            )
    out = mask_invalid(
        out, [c for c in out.columns if c not in ("station", "time")],
        file=path, rows=rows, log=log, file_columns=file_columns,
    )
    if "co" in out.columns:
        out["co"] = out["co"] / 1000.0  # UCI gives CO in µg/m³; the data model uses mg/m³
    out["_file"] = str(path)
    out["_row"] = rows
    out = _drop_unplaced(out, path, log)
    if keep is not None:
        out = out[out["station"].isin(keep)]
    return out


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


# ---------------------------------------------------------------------------------- tidy


def _canonical(name: str) -> str:
    low = name.strip().lower()
    if name.strip() in CNEMC_TYPES:
        return CNEMC_TYPES[name.strip()]
    if low in POLLUTANT_ALIASES:
        return POLLUTANT_ALIASES[low]
    if low in _STATION_NAMES:
        return "station"
    if low in _TIME_NAMES:
        return "time"
    return name.strip()


def _read_tidy(path: Path, keep: set[str] | None, log: DropLog) -> pd.DataFrame:
    if is_parquet(path):
        df = pd.read_parquet(path)
    else:
        header = read_header(path)
        station_col = next((h for h in header if h.lower() in _STATION_NAMES), None)
        df = pd.read_csv(path, dtype={station_col: str} if station_col else None, low_memory=False)
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
    out["time"] = parse_times(df["time"], file=path, column=inv.get("time", "time"), rows=rows)
    known = set(POLLUTANTS) | set(DERIVED_POLLUTANTS) | set(MET_VARIABLES)
    for col in df.columns:
        if col in ("station", "time"):
            continue
        if col in known:
            out[col] = to_numeric_logged(
                df[col], file=path, column=inv.get(col, col), rows=rows, log=log, what=col
            )
        else:
            out[col] = df[col].to_numpy()  # passed through untouched (not a data-model variable)
    out = mask_invalid(
        out, [c for c in out.columns if c in known], file=path, rows=rows, log=log,
        file_columns=inv,
    )
    out["_file"] = str(path)
    out["_row"] = rows
    out = _drop_unplaced(out, path, log)
    if keep is not None:
        out = out[out["station"].isin(keep)]
    return out


def _drop_unplaced(out: pd.DataFrame, path: Path, log: DropLog) -> pd.DataFrame:
    no_station = (out["station"].isna() | (out["station"].astype(str).str.strip() == "")).to_numpy()
    no_time = out["time"].isna().to_numpy() & ~no_station
    if no_station.any():
        log.add("row without a station code; dropped", rows=out["_row"].to_numpy()[no_station], file=path)
    if no_time.any():
        log.add(
            "row without a valid time (unparseable, or ambiguous in 1986-1991 summer time); dropped",
            rows=out["_row"].to_numpy()[no_time], file=path,
        )
    bad = no_station | no_time
    return out[~bad] if bad.any() else out


# ------------------------------------------------------------------------------- combine


def _combine(parts: list[pd.DataFrame], log: DropLog, order: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if p is not None]
    if not parts:
        return _empty()
    # a lone CNEMC grid is built sorted and unique by station, time: no sort needed
    grid_only = len(parts) == 1 and parts[0].attrs.get("sorted_unique", False)
    df = pd.concat(parts, ignore_index=True, sort=False) if len(parts) > 1 else parts[0]
    df = df.reset_index(drop=True)
    df.attrs = {}
    df["time"] = df["time"].astype(f"datetime64[ns, {TIMEZONE}]")
    if grid_only:
        return _finish(df)
    # ties (duplicated station-hours) are resolved in the order the files were given
    rank = {name: i for i, name in enumerate(order)}
    df["_rank"] = df["_file"].map(rank).astype("int64")
    df = df.sort_values(["station", "time", "_rank", "_row"], kind="stable").reset_index(drop=True)
    df = df.drop(columns="_rank")
    dup = df.duplicated(["station", "time"], keep="first").to_numpy()
    if dup.any():
        d = df.loc[dup, ["_file", "_row"]]
        for f, g in d.groupby("_file", sort=False):
            log.add("duplicate station-hour; first (in file order) kept", rows=g["_row"].to_numpy(), file=f)
        df = df[~dup].reset_index(drop=True)
    return _finish(df)


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    df = df.drop(columns=list(_INTERNAL))
    for c in POLLUTANTS:  # a stable schema: the six pollutants are always there (NaN if absent)
        if c not in df.columns:
            df[c] = np.nan
    first = ["station", "time"]
    model = [c for c in (*POLLUTANTS, *DERIVED_POLLUTANTS, *MET_VARIABLES) if c in df.columns]
    rest = [c for c in df.columns if c not in first and c not in model]
    df = df[first + model + rest]
    df["station"] = df["station"].astype(str)
    return df


def _empty() -> pd.DataFrame:
    df = pd.DataFrame({"station": pd.Series([], dtype=str)})
    df["time"] = pd.Series([], dtype=f"datetime64[ns, {TIMEZONE}]")
    for c in POLLUTANTS:
        df[c] = pd.Series([], dtype="float64")
    return df
