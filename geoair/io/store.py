"""A partitioned Parquet store of hourly observations, read back as a dask DataFrame.

Layout (hive style, one file per partition)::

    out/
      year=2019/month=01/part.parquet   station, time, province, pm25, ..., (ws, wd, ...)
      year=2019/month=02/part.parquet
      droplog.csv                       every row/value the conversion dropped or masked
      store.json                        geoair version, units, time zone, partition rule

A partition holds the hours of the HJ 663 days of one month: an hourly value labelled by the
end of its hour, ``time = t``, averages ``(t - 1 h, t]``, and belongs to the month of
``t - 1 h``. So the hour labelled 00:00 on the 1st closes the last day of the previous month
and is stored with it, every day's 24 hours sit in one partition, and daily statistics are
computed partition by partition without moving data (:func:`geoair.standards.daily`).

Incremental: :func:`build_store` on an existing store rewrites only the partitions its new
files touch (a CNEMC daily file touches one partition; the file of the 1st of a month also
closes the previous month's last day, so it touches two). Station-hours already stored are
replaced by the new values and the replacement is logged.

References
----------
Apache Parquet format; Apache Arrow dataset (hive partitioning). Dask DataFrame
(https://docs.dask.org/en/stable/dataframe.html).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, require_columns
from ..schema import TIMEZONE, UNITS
from ._common import expand_paths
from .observations import _station_filter

__all__ = ["build_store", "read_store", "store_partitions"]

_PART = re.compile(r"year=(\d{4})[/\\]month=(\d{2})$")
_DATED = re.compile(r"(\d{8})")
_LOG_COLUMNS = ["file", "row", "column", "reason"]


def _month_key(time: pd.Series) -> np.ndarray:
    """Partition key year*100+month of the averaging hour's start (time - 1 h, local)."""
    start = time.dt.tz_convert(TIMEZONE) - pd.Timedelta(hours=1)
    return (start.dt.year * 100 + start.dt.month).to_numpy()


def _batches(files: list[Path]) -> list[list[Path]]:
    """Files grouped by the month in their name (CNEMC daily files), others one by one."""
    groups: dict[str, list[Path]] = {}
    singles = []
    for f in files:
        m = _DATED.search(f.name)
        if m and f.name.startswith("china_"):
            groups.setdefault(m.group(1)[:6], []).append(f)
        else:
            singles.append([f])
    return [groups[k] for k in sorted(groups)] + singles


def _province_map(stations, provinces) -> pd.Series | None:
    """station code -> province name, from the station table (or a point-in-polygon join)."""
    if stations is None:
        return None
    require_columns(stations, ["station"], what="station table")
    codes = stations["station"].astype(str).to_numpy()
    if provinces is not None:
        from ..hotspot.aggregate import assign_county

        require_columns(provinces, ["name", "geometry"], what="province layer")
        joined = assign_county(stations, provinces, name_col="name")
        return pd.Series(joined["county"].to_numpy(dtype=object), index=codes)
    if "province" in stations.columns:
        return pd.Series(stations["province"].to_numpy(dtype=object), index=codes)
    raise GeoairInputError(
        "The station table has no 'province' column and no province layer was given.",
        received=list(map(str, stations.columns))[:20],
        fix="Pass provinces=read_boundaries(...) (province polygons with 'name'), or add a "
        "'province' column to the station table.")


def _partition_path(out: Path, key: int) -> Path:
    return out / f"year={key // 100:04d}" / f"month={key % 100:02d}" / "part.parquet"


def _write_partition(path: Path, new: pd.DataFrame, log: DropLog) -> int:
    """Merge ``new`` into the partition file (new values win) and write it atomically."""
    if path.exists():
        old = pd.read_parquet(path)
        both = pd.concat([old, new], ignore_index=True)
        dup = both.duplicated(["station", "time"], keep="last").to_numpy()
        replaced = np.flatnonzero(dup[: len(old)])
        log.add("station-hour already stored, replaced by the newer file", replaced,
                file=str(path))
        new = both.loc[~dup]
    new = new.sort_values(["station", "time"], kind="stable", ignore_index=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    new.to_parquet(tmp, index=False, row_group_size=200_000)
    os.replace(tmp, path)
    return len(new)


def _append_log(out: Path, log: DropLog) -> None:
    frame = log.to_frame()
    if frame.empty:
        return
    target = out / "droplog.csv"
    frame[_LOG_COLUMNS].to_csv(target, mode="a", header=not target.exists(), index=False)


def _write_meta(out: Path, columns: list[str]) -> None:
    from .. import __version__

    meta_path = out / "store.json"
    meta = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
    cols = list(dict.fromkeys([*meta.get("columns", []), *columns]))
    meta.update({
        "geoair_version": __version__, "time_zone": TIMEZONE, "columns": cols,
        "units": {c: UNITS[c] for c in cols if c in UNITS},
        "time_label": "end of the averaging hour",
        "partition": "year/month of (time - 1 h): the hours of the HJ 663 days of the month",
    })
    meta_path.write_text(json.dumps(meta, indent=1, ensure_ascii=False), "utf-8")


def build_store(paths: Any, out: str | os.PathLike, *, format: str = "auto",  # noqa: A002
                stations=None, provinces=None, include_derived: bool = False,
                progress: bool | None = None) -> pd.DataFrame:
    """Convert observation files into a year/month-partitioned Parquet store (or add to one).

    Parameters
    ----------
    paths : str, path-like, list of them, or glob pattern
        Files :func:`geoair.read_observations` understands (CNEMC daily wide files, UCI PRSA,
        tidy CSV/Parquet). CNEMC daily files are read a month at a time.
    out : path-like
        Store folder (created if needed). An existing store is updated in place.
    format : {"auto", "cnemc", "prsa", "tidy"}
        Passed to :func:`~geoair.read_observations`.
    stations : DataFrame, optional
        Station table (``station`` and ``province``, or Point geometries with ``provinces``)
        that gives each station its ``province``; without it ``province`` is missing.
    provinces : GeoDataFrame, optional
        Province polygons (``name``, geometry): stations are placed by point-in-polygon.
    include_derived : bool
        Keep the CNEMC running means and AQI lines as columns.
    progress : bool, optional
        Progress bar over the file batches (default the ``progress`` option).

    Returns
    -------
    pandas.DataFrame
        One row per partition written: ``year, month, rows, path``. ``attrs["droplog"]``:
        what the conversion dropped or masked (also appended to ``out/droplog.csv``).

    Examples
    --------
    >>> build_store("china_sites_2019*.csv.gz", "store/")  # doctest: +SKIP
    >>> obs = read_store("store/", start="2019-01-01", provinces=["北京市"])  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    from ..options import get_options
    from .observations import read_observations

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = expand_paths(paths)
    prov = _province_map(stations, provinces)
    progress = get_options()["progress"] if progress is None else progress
    log, written, columns = DropLog(), {}, []
    for batch in tqdm(_batches(files), disable=not progress, desc="geoair store", unit="batch"):
        obs = read_observations([str(f) for f in batch], format=format,
                                include_derived=include_derived)
        log.extend(obs.attrs.get("droplog"))
        obs = obs.copy()
        obs.attrs = {}
        codes = obs["station"].astype(str)
        obs.insert(2, "province", pd.array(codes.map(prov) if prov is not None
                                           else [None] * len(obs), dtype="str"))
        columns = list(dict.fromkeys([*columns, *obs.columns]))
        keys = _month_key(obs["time"])
        for key in np.unique(keys):
            written[int(key)] = _write_partition(_partition_path(out, int(key)),
                                                 obs.loc[keys == key], log)
    _append_log(out, log)
    _write_meta(out, columns)
    res = pd.DataFrame([(k // 100, k % 100, n, str(_partition_path(out, k)))
                        for k, n in sorted(written.items())],
                       columns=["year", "month", "rows", "path"])
    res.attrs["droplog"] = log
    return res


def store_partitions(path: str | os.PathLike) -> pd.DataFrame:
    """The partitions of a store: ``year, month, path`` (sorted by time)."""
    root = Path(path)
    if not (root / "store.json").is_file():
        raise GeoairInputError("Not a geoair store (no store.json).", file=root,
                               fix="Build one with geoair.io.build_store(files, folder).")
    rows = []
    for p in root.glob("year=*/month=*/part.parquet"):
        m = _PART.search(str(p.parent))
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), str(p)))
    return pd.DataFrame(rows, columns=["year", "month", "path"]).sort_values(
        ["year", "month"], ignore_index=True)


def _as_local(value) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return ts.tz_localize(TIMEZONE) if ts.tz is None else ts.tz_convert(TIMEZONE)


def _read_partition(path: str, schema: dict[str, Any], filters, columns=None) -> pd.DataFrame:
    """One partition, with the filters pushed into pyarrow; columns missing in it are NaN."""
    import pyarrow.parquet as pq

    want = list(schema) if columns is None else list(columns)
    present = set(pq.read_schema(path).names)
    table = pq.read_table(path, columns=[c for c in want if c in present], filters=filters)
    df = table.to_pandas()
    for c in want:
        if c not in df.columns:
            df[c] = pd.Series(np.nan, index=df.index, dtype=schema[c])
        elif pd.api.types.is_string_dtype(schema[c]):
            df[c] = df[c].astype("str")
    return df[want]


def _filters(start, end, stations, provinces) -> list | None:
    flt = []
    if start is not None:
        flt.append(("time", ">=", start))
    if end is not None:
        flt.append(("time", "<=", end))
    if stations is not None:  # the reader's own station filter (codes, a frame or one code)
        flt.append(("station", "in", sorted(_station_filter(stations))))
    if provinces is not None:
        names = [provinces] if isinstance(provinces, str) else provinces
        flt.append(("province", "in", sorted({str(s) for s in names})))
    return flt or None


def read_store(path: str | os.PathLike, *, start=None, end=None, stations=None, provinces=None,
               columns=None):
    """Open a store written by :func:`build_store` as a dask DataFrame (one partition a month).

    Parameters
    ----------
    path : path-like
        The store folder.
    start, end : datetime-like, optional
        Keep ``start <= time <= end`` (naive values are Beijing time). Partitions outside the
        range are not opened; inside, pyarrow filters row groups and rows.
    stations : str, list of str or DataFrame with ``station``, optional
        Station codes to keep (pushed down to pyarrow).
    provinces : str or list of str, optional
        Province names to keep (pushed down to pyarrow).
    columns : list of str, optional
        Columns to read (``station`` and ``time`` are always read).

    Returns
    -------
    dask.dataframe.DataFrame
        The geoair observation model (``station``, ``time`` tz-aware Asia/Shanghai end of
        hour, ``province``, pollutants in µg/m³ and CO in mg/m³, wind if stored), rows sorted
        by station and time within each partition; partitions in time order.
    """
    import dask.dataframe as dd
    import pyarrow.parquet as pq

    parts = store_partitions(path)
    t0, t1 = _as_local(start), _as_local(end)
    first = pd.to_datetime(dict(year=parts["year"], month=parts["month"], day=1)).dt.tz_localize(
        TIMEZONE)
    lo = first + pd.Timedelta(hours=1)  # earliest end-of-hour label of the partition
    hi = first + pd.offsets.MonthBegin(1)  # latest label: 00:00 on the 1st of the next month
    keep = np.ones(len(parts), bool)
    if t0 is not None:
        keep &= (hi >= t0).to_numpy()
    if t1 is not None:
        keep &= (lo <= t1).to_numpy()
    parts = parts.loc[keep]
    empty = [pq.read_schema(p).empty_table().to_pandas() for p in parts["path"]]
    schema: dict[str, Any] = {}
    for e in empty:
        for c in e.columns:
            dtype = e[c].dtype
            text = pd.api.types.is_string_dtype(dtype)
            schema.setdefault(c, pd.StringDtype(na_value=np.nan) if text else dtype)
    if not schema:
        raise GeoairInputError("No partition of the store overlaps the requested period.",
                               file=path, received=(str(start), str(end)),
                               fix="Check start/end against store_partitions(path).")
    if columns is not None:
        require_columns(pd.DataFrame(columns=list(schema)), columns, what="store")
        schema = {c: schema[c] for c in dict.fromkeys(["station", "time", *columns])}
    meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema.items()})
    return dd.from_map(_read_partition, list(parts["path"]), schema=schema,
                       filters=_filters(t0, t1, stations, provinces), meta=meta,
                       label="geoair-store", enforce_metadata=False)
