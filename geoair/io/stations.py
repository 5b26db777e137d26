"""Read monitoring-station lists into the geoair stations GeoDataFrame.

Two layouts: the national list published with the CNEMC hourly files (``监测点编码, 监测点名称,
城市, 经度, 纬度, 对照点``) and a plain CSV (``station, name, city, lon, lat[, adcode]``).

Decisions (documented here because readers of the list disagree on them):

- Stations without usable coordinates (empty or ``-``) are dropped and logged: a station
  without a place cannot enter any spatial analysis.
- Stations outside China's bounding box (73-136 °E, 3-54 °N) are dropped and logged; when the
  coordinates instead look swapped (the latitude column holds longitudes and vice versa) a
  :class:`~geoair.GeoairInputError` is raised, because that is a file-level mistake.
  When no row at all lies inside China the file is rejected (projected or wrong coordinates).
- Shutdown notes in names (``市监测中心(停运150702)``, ``（已停运）``, ``(20190222停运)``,
  ``(停用200107)``) are kept in ``name``; ``status`` is ``"closed"`` and ``closed_on`` holds the
  date when it can be read (6 digits = YYMMDD, 8 digits = YYYYMMDD), else NaT.
- ``is_background`` is the ``对照点`` flag (``Y``) of a station that is not closed: the source
  flags most stopped stations ``Y`` as well (see the list's SOURCE.md).
- Duplicated station codes: the first is kept, the others logged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, require_columns
from ..schema import CRS, TIMEZONE
from ._common import expand_paths, is_parquet, read_csv_checked, read_parquet_checked, units_of

__all__ = ["read_stations", "CHINA_BOUNDS"]

#: (lon_min, lat_min, lon_max, lat_max) of China incl. the South China Sea islands, degrees.
CHINA_BOUNDS: tuple[float, float, float, float] = (73.0, 3.0, 136.0, 54.0)

_NATIONAL = {
    "监测点编码": "station",
    "监测点名称": "name",
    "城市": "city",
    "经度": "lon",
    "纬度": "lat",
    "对照点": "background_flag",
}
# target column -> accepted spellings in order of preference (first present wins, so a file
# with both ``station`` (a name) and ``station_code`` takes the code)
_PLAIN: dict[str, tuple[str, ...]] = {
    "station": ("station_code", "code", "station", "site", "site_code"),
    "name": ("name", "name_zh", "station_name"),
    "city": ("city",),
    "lon": ("lon", "longitude", "lng", "x"),
    "lat": ("lat", "latitude", "y"),
    "adcode": ("adcode",),
    "background_flag": ("is_background", "background"),
}
_SHUTDOWN = re.compile(r"[（(]\s*([^()（）]*?(?:停运|停用)[^()（）]*?)\s*[)）]")
_DIGITS = re.compile(r"(\d{8}|\d{6})")
_TRUE = {"y", "yes", "true", "1", "t", "是"}


def read_stations(path: Any) -> Any:
    """Read a station list (national CNEMC list or a plain CSV) to a GeoDataFrame.

    Parameters
    ----------
    path : str, path-like, list or glob
        CSV (``.csv``/``.csv.gz``, UTF-8 or GB18030) or Parquet file(s).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row per station sorted by code: ``station`` (str), ``name``, ``city``,
        ``adcode`` (str, <NA> unless given), ``is_background`` (bool), ``lon``, ``lat``
        (degrees, WGS84/CGCS2000 as published), ``status`` (``"active"``/``"closed"``),
        ``closed_on`` (midnight Asia/Shanghai of the date, NaT when unknown), ``geometry`` (Point).
        ``attrs["droplog"]`` lists removed rows.

    Raises
    ------
    GeoairInputError
        Missing columns, swapped latitude/longitude, or no station inside China.

    References
    ----------
    CNEMC station list "站点列表-2022.02.13起" (quotsoft.net mirror); coordinates are
    CGCS2000, treated as WGS84 (metre-level difference).
    """
    import geopandas as gpd

    files = expand_paths(path)
    log = DropLog()
    parts = [_read_one(f, log) for f in files]
    df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    dup = df.duplicated("station", keep="first").to_numpy()
    if dup.any():
        for f, g in df[dup].groupby("_file", sort=False):
            log.add("duplicate station code; first kept", rows=g["_row"].to_numpy(), file=f)
        df = df[~dup]
    df = df.sort_values("station", kind="stable").drop(columns=["_file", "_row"])
    df = df.reset_index(drop=True)
    for c in ("station", "name", "city", "adcode"):
        df[c] = df[c].astype("str")
    df["closed_on"] = df["closed_on"].astype("datetime64[ns]").dt.tz_localize(TIMEZONE)
    cols = ["station", "name", "city", "adcode", "is_background", "lon", "lat", "status", "closed_on"]
    gdf = gpd.GeoDataFrame(
        df[cols], geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=CRS
    )
    gdf.attrs["droplog"] = log
    gdf.attrs["params"] = {"files": [str(f) for f in files]}
    gdf.attrs["units"] = units_of(gdf, lon="degree (WGS84)", lat="degree (WGS84)")
    return gdf


def _read_csv(path: Path) -> pd.DataFrame:
    if is_parquet(path):
        return read_parquet_checked(path, "station list")
    return read_csv_checked(path, "station list", dtype=str, keep_default_na=False)


def _read_one(path: Path, log: DropLog) -> pd.DataFrame:
    raw = _read_csv(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    if set(_NATIONAL) & set(raw.columns):
        df = raw.rename(columns=_NATIONAL)
        require_columns(
            df, ["station", "name", "city", "lon", "lat"], file=path, what="national station list",
            fix="The list needs 监测点编码, 监测点名称, 城市, 经度, 纬度 (对照点 optional).",
        )
    else:
        lower = {c.lower(): c for c in raw.columns}
        pick = {}
        for target, spellings in _PLAIN.items():
            src = next((lower[s] for s in spellings if s in lower), None)
            if src is not None:
                pick[src] = target
        # columns not picked keep their names, unless they would collide with a picked one
        keep = [c for c in raw.columns if c in pick or c not in pick.values()]
        df = raw[keep].rename(columns=pick)
        require_columns(
            df, ["station", "lon", "lat"], file=path, what="station list",
            fix="Give columns station, lon, lat (name, city, adcode optional) or the national "
            "list's 监测点编码, 监测点名称, 城市, 经度, 纬度.",
        )
    n = len(df)
    rows = np.arange(1, n + 1, dtype=np.int64)
    out = pd.DataFrame(
        {
            "station": _text(df, "station"),
            "name": _text(df, "name"),
            "city": _text(df, "city"),
            "adcode": _text(df, "adcode"),
        }
    )
    out["_file"] = str(path)
    out["_row"] = rows

    # shutdown notes: kept in the name, parsed into status / closed_on
    note = out["name"].astype("string").str.extract(_SHUTDOWN, expand=False)
    closed = note.notna().to_numpy()
    digits = note.str.extract(_DIGITS, expand=False)
    full = digits.where(digits.str.len() == 8, "20" + digits)
    out["status"] = np.where(closed, "closed", "active")
    out["closed_on"] = pd.to_datetime(full, format="%Y%m%d", errors="coerce").to_numpy()
    flag = _text(df, "background_flag").astype("string").str.strip().str.lower()
    out["is_background"] = (flag.isin(list(_TRUE)).fillna(False) & ~closed).astype(bool).to_numpy()

    lon = pd.to_numeric(_text(df, "lon").astype("string").str.strip(), errors="coerce")
    lat = pd.to_numeric(_text(df, "lat").astype("string").str.strip(), errors="coerce")
    out["lon"] = lon.to_numpy(dtype="float64", na_value=np.nan)
    out["lat"] = lat.to_numpy(dtype="float64", na_value=np.nan)

    no_code = (out["station"].isna() | (out["station"].astype("string").str.strip() == "")).to_numpy(
        dtype=bool, na_value=True
    )
    if no_code.any():
        log.add("row without a station code; dropped", rows=rows[no_code], file=path)
    no_xy = (np.isnan(out["lon"].to_numpy()) | np.isnan(out["lat"].to_numpy())) & ~no_code
    if no_xy.any():
        raw_xy = (_text(df, "lon").astype(str) + "," + _text(df, "lat").astype(str)).to_numpy()
        log.add(
            "station without coordinates (lon/lat empty or '-'); dropped",
            rows=rows[no_xy], file=path, values=raw_xy[no_xy],
        )
    ok = ~no_code & ~no_xy
    _check_china(out, ok, rows, path, log)
    inside = _inside(out["lon"].to_numpy(), out["lat"].to_numpy())
    outside = ok & ~inside
    if outside.any():
        log.add(
            f"station lon/lat outside China's bounding box {CHINA_BOUNDS} (lon_min, lat_min, lon_max, lat_max); dropped",
            rows=rows[outside], file=path,
            values=list(zip(out["lon"].to_numpy()[outside], out["lat"].to_numpy()[outside], strict=True)),
        )
    return out[ok & inside]


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    s = df[col].astype("string").str.strip()
    return s.mask(s == "")


def _inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = CHINA_BOUNDS
    with np.errstate(invalid="ignore"):
        return (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)


def _check_china(out: pd.DataFrame, ok: np.ndarray, rows: np.ndarray, path: Path, log: DropLog) -> None:
    lon = out["lon"].to_numpy()
    lat = out["lat"].to_numpy()
    inside = _inside(lon, lat) & ok
    swapped = _inside(lat, lon) & ~inside & ok
    if swapped.any():
        raise GeoairInputError(
            f"{int(swapped.sum())} station(s) have latitude and longitude that look swapped "
            "(the lat column holds values of China's longitudes, 73-136).",
            file=path,
            column="lat",
            row=rows[swapped].tolist(),
            received=list(zip(lon[swapped][:3].tolist(), lat[swapped][:3].tolist(), strict=True)),
            fix="Swap the lon and lat columns (lon = east-west, 73-136 in China; lat = 3-54).",
        )
    if ok.any() and not inside.any():
        raise GeoairInputError(
            "No station lies in China: coordinates are not WGS84 degrees (projected metres?).",
            file=path,
            column="lon",
            received=list(zip(lon[ok][:3].tolist(), lat[ok][:3].tolist(), strict=True)),
            fix="Give longitude/latitude in decimal degrees (EPSG:4326).",
        )
