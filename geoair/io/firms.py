"""NASA FIRMS active-fire CSVs (MODIS C6.1 and VIIRS 375 m) as a fires GeoDataFrame.

References
----------
FIRMS attribute descriptions (earthdata.nasa.gov, "Active fire data attributes MODIS VIIRS")
and the FIRMS download Readme, summarised in ``shared/research/standards.md`` §5; Giglio et al.
(2016), "The collection 6 MODIS active fire detection algorithm and fire products", RSE 178,
31-41; Schroeder et al. (2014), "The New VIIRS 375 m active fire detection data product",
RSE 143, 85-96.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import schema
from .._validation import DropLog, GeoairInputError, require_columns
from ._common import read_csv_checked, units_of

if TYPE_CHECKING:
    import geopandas

__all__ = ["read_firms", "VIIRS_CONFIDENCE"]

#: VIIRS confidence classes mapped onto the MODIS 0-100 % scale. Each value sits inside the
#: matching MODIS class (low 0-29, nominal 30-79, high 80-100; Giglio et al. 2016), so a
#: threshold such as ``confidence >= 30`` means "nominal or high" for both instruments.
VIIRS_CONFIDENCE: dict[str, float] = {
    "l": 20.0,
    "low": 20.0,
    "n": 60.0,
    "nominal": 60.0,
    "h": 90.0,
    "high": 90.0,
}

_SATELLITE_NAMES = {
    "T": "Terra",
    "TERRA": "Terra",
    "A": "Aqua",
    "AQUA": "Aqua",
    "N": "Suomi NPP",
    "NPP": "Suomi NPP",
    "SNPP": "Suomi NPP",
    "SUOMI NPP": "Suomi NPP",
    "1": "NOAA-20",
    "N20": "NOAA-20",
    "NOAA-20": "NOAA-20",
    "J1": "NOAA-20",
    "N21": "NOAA-21",
    "NOAA-21": "NOAA-21",
    "J2": "NOAA-21",
}

_REQUIRED = ("latitude", "longitude", "acq_date", "acq_time", "confidence", "frp")

_OUT_COLUMNS = [
    "fire_id",
    "time",
    "time_utc",
    "frp",
    "confidence",
    "confidence_raw",
    "satellite",
    "instrument",
    "daynight",
    "type",
    "brightness",
    "version",
    "latitude",
    "longitude",
]


def _parse_time(df: pd.DataFrame, path) -> pd.Series:
    hhmm = pd.to_numeric(df["acq_time"].astype("string").str.strip(), errors="coerce")
    bad = hhmm.isna() | (hhmm < 0) | (hhmm % 100 >= 60) | (hhmm // 100 >= 24)
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy()) + 1
        raise GeoairInputError(
            "acq_time is not an HHMM time of day.",
            file=path,
            column="acq_time",
            row=rows.tolist(),
            received=df.loc[bad, "acq_time"].head(5).tolist(),
            fix="FIRMS acq_time is UTC HHMM (e.g. 0436 or 436 for 04:36); fix or remove these rows.",
        )
    hhmm = hhmm.astype("int64")
    date = pd.to_datetime(df["acq_date"].astype("string").str.strip(), format="%Y-%m-%d", errors="coerce")
    if date.isna().any():
        rows = np.flatnonzero(date.isna().to_numpy()) + 1
        raise GeoairInputError(
            "acq_date is not a YYYY-MM-DD date.",
            file=path,
            column="acq_date",
            row=rows.tolist(),
            received=df.loc[date.isna(), "acq_date"].head(5).tolist(),
            fix="FIRMS acq_date is YYYY-MM-DD (UTC).",
        )
    minutes = (hhmm // 100) * 60 + hhmm % 100
    return (date + pd.to_timedelta(minutes.to_numpy(), unit="min")).dt.tz_localize("UTC")


def _confidence(raw: pd.Series, instrument: pd.Series, path) -> pd.Series:
    text = raw.astype("string").str.strip().str.lower()
    numeric = pd.to_numeric(text, errors="coerce")
    mapped = text.map(VIIRS_CONFIDENCE).astype("float64")
    conf = numeric.astype("float64").where(numeric.notna(), mapped)
    bad = conf.isna() | (conf < 0) | (conf > 100)
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy()) + 1
        raise GeoairInputError(
            "confidence is neither a 0-100 number (MODIS) nor l/n/h (VIIRS).",
            file=path,
            column="confidence",
            row=rows.tolist(),
            received=raw[bad].head(5).tolist(),
            fix="Use the FIRMS CSV as downloaded; VIIRS classes are l/n/h or low/nominal/high.",
        )
    return conf


def read_firms(path: str | PathLike) -> geopandas.GeoDataFrame:
    """Read a FIRMS MODIS or VIIRS active-fire CSV.

    Parameters
    ----------
    path : str or path-like
        FIRMS CSV (optionally ``.gz``), as downloaded: NRT 7-day/24-h files or archive
        (``fire_archive_*``) files; MODIS (``brightness``) or VIIRS (``bright_ti4``) columns.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per detection, EPSG:4326 points at the pixel centres, columns

        - ``fire_id``: ``"<instrument>-<row in file>"``;
        - ``time`` (tz-aware Asia/Shanghai) and ``time_utc`` (tz-aware UTC) from
          ``acq_date`` + ``acq_time`` (UTC HHMM, leading zeros optional: ``436`` = 04:36);
        - ``frp`` (MW); ``confidence`` (0-100 float: MODIS as given, VIIRS
          ``l``/``n``/``h`` -> 20/60/90, see :data:`VIIRS_CONFIDENCE`) and ``confidence_raw``
          (the original, as string);
        - ``satellite`` (Terra, Aqua, Suomi NPP, NOAA-20, NOAA-21), ``instrument`` (MODIS or
          VIIRS; inferred from ``brightness``/``bright_ti4`` when the column is absent),
          ``daynight`` (D/N), ``type`` (Int64: 0 vegetation fire, 1 volcano, 2 other static
          land source, 3 offshore; ``<NA>`` when the file has no type column),
          ``brightness`` (K: MODIS band 21/22 or VIIRS I-4), ``version`` (string),
          ``latitude``, ``longitude``.

        Exact duplicate rows (FIRMS NRT files can repeat a granule) are removed and recorded in
        ``attrs["droplog"]``.

    Raises
    ------
    GeoairInputError
        Missing columns, unparseable dates/times, confidence values or coordinates.
    """
    import geopandas as gpd

    log = DropLog()
    df, file_rows = _load(Path(path), log)
    instrument = _instrument(df, path)
    lat, lon = _coordinates(df, path, file_rows)
    time_utc = (
        _parse_time(df, path)
        if len(df)
        else pd.Series(pd.DatetimeIndex([], tz="UTC"), index=df.index)
    ).dt.as_unit("ns")
    out = pd.DataFrame(
        {
            "fire_id": (instrument.fillna("FIRE") + "-" + pd.Series(file_rows, index=df.index).astype(str)).astype("string"),
            "time": time_utc.dt.tz_convert(schema.TIMEZONE),
            "time_utc": time_utc,
            "frp": _frp(df, path, file_rows),
            "confidence": _confidence(df["confidence"], instrument, path),
            "confidence_raw": df["confidence"].astype("string"),
            "satellite": _satellite(df),
            "instrument": instrument,
            "daynight": _text(df, "daynight").str.strip().str.upper(),
            "type": pd.to_numeric(df["type"], errors="coerce").astype("Int64") if "type" in df.columns
            else pd.Series(pd.NA, index=df.index, dtype="Int64"),
            "brightness": _brightness(df),
            "version": _text(df, "version"),
            "latitude": lat,
            "longitude": lon,
        },
        index=df.index,
    )[_OUT_COLUMNS]
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["longitude"], out["latitude"]), crs=schema.CRS)
    gdf.attrs["droplog"] = log
    gdf.attrs["source"] = str(path)
    gdf.attrs["units"] = units_of(gdf, brightness="K", latitude="degree (WGS84)", longitude="degree (WGS84)")
    return gdf


def _load(path: Path, log: DropLog) -> tuple[pd.DataFrame, np.ndarray]:
    """The CSV as text, exact duplicate rows dropped (logged); returns it and the file rows."""
    raw = read_csv_checked(path, "FIRMS CSV", dtype=str, keep_default_na=False, na_values=[""])
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    require_columns(
        raw, _REQUIRED, file=path, what="FIRMS active-fire CSV",
        fix="Pass a FIRMS MODIS or VIIRS CSV as downloaded from firms.modaps.eosdis.nasa.gov.",
    )
    if raw.empty:
        return raw, np.empty(0, dtype=np.int64)
    dup = raw.duplicated(keep="first").to_numpy()
    log.add("exact duplicate row (repeated FIRMS granule)", np.flatnonzero(dup) + 1, file=path)
    df = raw.loc[~dup]
    return df.reset_index(drop=True), df.index.to_numpy() + 1


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    if col in df.columns:
        return df[col].astype("string")
    return pd.Series(pd.NA, index=df.index, dtype="string")


def _instrument(df: pd.DataFrame, path) -> pd.Series:
    if "instrument" in df.columns:
        return df["instrument"].astype("string").str.strip().str.upper()
    if "bright_ti4" in df.columns:
        return pd.Series("VIIRS", index=df.index, dtype="string")
    if "brightness" in df.columns:
        return pd.Series("MODIS", index=df.index, dtype="string")
    raise GeoairInputError(
        "Cannot tell MODIS from VIIRS: no instrument, brightness or bright_ti4 column.",
        file=path, received=list(df.columns)[:20], fix="Pass the FIRMS CSV with its original columns.",
    )


def _brightness(df: pd.DataFrame):
    col = "brightness" if "brightness" in df.columns else "bright_ti4" if "bright_ti4" in df.columns else None
    return pd.to_numeric(df[col], errors="coerce").astype("float64") if col else np.nan


def _satellite(df: pd.DataFrame) -> pd.Series:
    sat = _text(df, "satellite").str.strip()
    return sat.map(lambda s: _SATELLITE_NAMES.get(str(s).upper(), s) if pd.notna(s) else s).astype("string")


def _coordinates(df: pd.DataFrame, path, file_rows: np.ndarray) -> tuple[pd.Series, pd.Series]:
    lat = pd.to_numeric(df["latitude"], errors="coerce")
    lon = pd.to_numeric(df["longitude"], errors="coerce")
    bad = lat.isna() | lon.isna() | (lat.abs() > 90) | (lon.abs() > 180)
    if bad.any():
        raise GeoairInputError(
            "latitude/longitude missing or out of range.",
            file=path,
            column="latitude" if (lat.isna() | (lat.abs() > 90)).any() else "longitude",
            row=file_rows[bad.to_numpy()].tolist(),
            fix="FIRMS coordinates are WGS84 degrees; fix or remove these rows.",
        )
    return lat.astype("float64"), lon.astype("float64")


def _frp(df: pd.DataFrame, path, file_rows: np.ndarray) -> pd.Series:
    frp = pd.to_numeric(df["frp"], errors="coerce")
    bad = frp.isna() | (frp < 0) | np.isinf(frp)
    if bad.any():
        raise GeoairInputError(
            "frp (fire radiative power, MW) missing, non-numeric, infinite or negative.",
            file=path, column="frp", row=file_rows[bad.to_numpy()].tolist(),
            received=df.loc[bad, "frp"].head(5).tolist(), fix="Fix or remove these rows.",
        )
    return frp.astype("float64")
