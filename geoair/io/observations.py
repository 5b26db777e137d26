"""Read hourly station observations into the geoair data model.

Three layouts are understood, detected from the header of each file; each has its own module
behind one interface, ``sniff(header) -> bool`` and ``read(files, keep, log, opts) -> DataFrame``
(:mod:`geoair.io._obs_cnemc`, :mod:`geoair.io._obs_prsa`, :mod:`geoair.io._obs_tidy`):

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
value of hour ``h`` is the mean over ``(h-1, h]`` (HJ 663-2013 / HJ 663-2026). geoair keeps that label: ``hour = h`` of file date ``D`` becomes ``time = D + h hours``
in Asia/Shanghai. Hour 0 of the file for ``D`` is therefore ``D 00:00``, the mean over
``(D-1 23:00, D 00:00]``; a daily mean in the HJ 663 sense (hours 01...24) takes hours 1-23 of
file ``D`` and hour 0 of file ``D+1``. The PRSA files use the same hour-ending labels.

Missing values
--------------
The output is the station x hour grid of the hours present in the input: a station that
reported nothing in an hour still has a row, with NaN values (completeness statistics need
those hours). Rows are never dropped for being empty. Hours absent from every file (e.g. hour
22 of 2019-02-03) are not invented.
Checks
------
Each is logged (DropLog entry with file, file row, column, reason, sample values) or raised
as :class:`~geoair.GeoairInputError`, never silent:

- infinite values, sentinel values (-99, -999, -9999, 9999, ...), negative concentrations,
  wind speeds or rain, wind directions outside 0-360 and values above the plausibility limits
  (:data:`PLAUSIBLE_MAX`) become NaN (for CNEMC files the column is the station code and the
  row the ``(hour, type)`` line);
- PM2.5 above PM10 in the same station-hour beyond ``pm_tolerance``: PM2.5 masked, both
  values logged (``"pm25/pm10"``);
- duplicated station-hours (within or across files): the first (in file order) is kept;
- a CNEMC station column repeated in the header: the first is kept, the copies' values are
  logged as dropped; CNEMC dates may be written ``20190108`` or ``2019-01-08``;
- raised: an unknown CNEMC ``type``, a missing column, mixed UTC offsets, an ambiguous or
  mixed day/month order or a zone name such as ``CST`` in a time column, an empty, truncated
  or undecodable file (UTF-8 and GB18030 are read), a file that does not match ``format``.

Units are fixed here: the UCI PRSA files give CO in µg/m³ (values 100-10000), divided by 1000
to mg/m³; their 16-point compass directions become degrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option, require_columns
from ..options import resolve_n_jobs
from ..schema import DERIVED_POLLUTANTS, MET_VARIABLES, POLLUTANTS, TIMEZONE
from . import _obs_cnemc, _obs_prsa, _obs_tidy
from ._common import ObsOptions, expand_paths, is_parquet, read_header, units_of
from ._obs_prsa import COMPASS_DEGREES
from ._qc import PLAUSIBLE_MAX, PM_TOLERANCE, check_tolerance, resolve_limits

__all__ = ["read_observations", "detect_format", "COMPASS_DEGREES", "PLAUSIBLE_MAX", "PM_TOLERANCE"]

FORMATS = ("auto", "cnemc", "prsa", "tidy")
#: The layouts, in the order their ``sniff`` is asked.
LAYOUTS = (_obs_cnemc, _obs_prsa, _obs_tidy)
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
    for layout in LAYOUTS:
        if layout.sniff(header):
            return layout.NAME
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
    dayfirst: bool | None = None,
    limits: dict | bool | None = None,
    pm_tolerance: tuple[float, float] | None = PM_TOLERANCE,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Read hourly station observations (CNEMC wide files, UCI PRSA files or a tidy table).

    Parameters
    ----------
    path : str, path-like, list of them, or glob pattern
        Files (``.csv``, ``.csv.gz``, ``.parquet``), layouts may be mixed.
    format : {"auto", "cnemc", "prsa", "tidy"}
        Layout; ``"auto"`` detects it per file; a header that contradicts it raises.
    stations : list of str or DataFrame with a ``station`` column, optional
        Keep only these station codes (read-time filter; faster for the national files).
    include_derived : bool, default False
        Keep the CNEMC running means and AQI (``pm25_24h, ..., o3_8h, aqi``) too.
    dayfirst : bool, optional
        Order of tidy dates written ``01/02/2019`` (True: day first). Default: such dates
        raise unless each shows its order (a day above 12).
    limits : dict, False or None
        Plausibility maxima (data-model units); ``None``: :data:`PLAUSIBLE_MAX`; a dict
        overrides single pollutants (value ``None``: off); ``False``: no limits.
    pm_tolerance : (float, float) or None, default (0.15, 10.0)
        PM2.5 above ``PM10 * (1 + rel) + abs`` (µg/m³) is masked; ``None``: no check.
    n_jobs : int, optional
        Threads reading CNEMC files (default: the ``n_jobs`` option).

    Returns
    -------
    pandas.DataFrame
        One row per station-hour, sorted by ``station, time``: ``station`` (str),
        ``time`` (``datetime64[ns, Asia/Shanghai]``, end of the hour), ``pm25, pm10, so2,
        no2, o3`` (µg/m³), ``co`` (mg/m³) - always present; PRSA files add ``ws`` (m/s),
        ``wd`` (degrees FROM), ``temp`` (°C), ``pres`` (hPa), ``dewp`` (°C), ``rain`` (mm).
        ``attrs``: ``droplog`` (every removed row and masked value), ``params``, ``units``.

    Notes
    -----
    Every check is logged or raised (module docstring, "Checks"); times end the averaging
    hour ("Time convention"). The log holds this reader's drops (1-based file rows).

    References
    ----------
    HJ 663-2013 / -2026 (hour-ending labels); Zhang S. et al. (2017) Proc. R. Soc. A 473:
    20170457 (UCI Beijing data).

    Examples
    --------
    >>> obs = read_observations("china_sites_2019010*.csv.gz", stations=["1001A"])  # doctest: +SKIP
    """
    check_option("format", format, FORMATS), check_option("dayfirst", dayfirst, (None, True, False))
    files, keep = expand_paths(path), _station_filter(stations)
    opts = ObsOptions(include_derived=bool(include_derived), dayfirst=dayfirst, limits=resolve_limits(limits),
                      pm_tolerance=check_tolerance(pm_tolerance), n_jobs=resolve_n_jobs(n_jobs))
    formats = {str(f): _layout_of(f, format) for f in files}
    log = DropLog()
    parts = [layout.read(mine, keep, log, opts) for layout in LAYOUTS
             if (mine := [f for f in files if formats[str(f)] == layout.NAME])]
    skipped = [p.attrs["lines_not_requested"] for p in parts if "lines_not_requested" in p.attrs]
    out = _combine(parts, log, [str(f) for f in files])
    if keep is not None and out.empty and files:
        raise GeoairInputError(
            "None of the requested stations is in the file(s).",
            received=sorted(keep)[:10],
            fix="Check the station codes (e.g. '1001A'); read without stations= to list them.",
        )
    params = {"files": [str(f) for f in files], "formats": formats, "include_derived": bool(include_derived),
              "stations": None if keep is None else sorted(keep), "dayfirst": dayfirst, "limits": opts.limits,
              "pm_tolerance": None if opts.pm_tolerance is None else list(opts.pm_tolerance),
              **({"cnemc_lines_not_requested": skipped[0]} if skipped else {})}
    out.attrs.update(droplog=log, params=params, units=units_of(out))
    return out


def _layout_of(path: Path, format: str) -> str:  # noqa: A002
    fmt = "tidy" if is_parquet(path) else detect_format(path)
    if format != "auto" and fmt != format:
        raise GeoairInputError(
            f"The file was read as format={format!r} but its header looks like {fmt!r}.",
            file=path,
            received=read_header(path)[:8] if not is_parquet(path) else "parquet",
            fix=f"Use format='auto' or format={fmt!r}, or check that this is the right file.",
        )
    return fmt


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


# ------------------------------------------------------------------------------- combine


def _combine(parts: list[pd.DataFrame], log: DropLog, order: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if p is not None]
    if not parts:
        return _empty()
    # a lone CNEMC grid is built sorted and unique by station, time: no sort needed
    grid_only = len(parts) == 1 and parts[0].attrs.get("sorted_unique", False)
    for p in parts:
        p.attrs = {}
    df = pd.concat(parts, ignore_index=True, sort=False) if len(parts) > 1 else parts[0]
    df = df.reset_index(drop=True)
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
