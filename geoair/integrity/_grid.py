"""Observations and stations as aligned (hour x station) arrays: the shape every integrity step uses.

The tidy observation frame (one row per station-hour) is laid onto a regular hourly grid from
the first to the last hour present, one column per station. Hours missing from the input are
NaN (a gap is information for the integrity screen, never filled). Station coordinates come
from the station table; a station without coordinates is kept and screened on its own series
only (no neighbours), and that is recorded in the DropLog.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, require_columns
from ..schema import TIMEZONE

__all__ = ["StationGrid", "to_grid", "SCREENED", "CONTEXT"]

#: Pollutants screened for integrity events (PM is what interference and editing target).
SCREENED: tuple[str, ...] = ("pm25", "pm10")
#: Pollutants read as context (untouched by PM-inlet interference).
CONTEXT: tuple[str, ...] = ("co", "no2", "so2")


@dataclass
class StationGrid:
    """Aligned arrays of one observation set.

    Attributes
    ----------
    codes : ndarray of str, shape (S,)
        Station codes, sorted.
    times : DatetimeIndex, length T
        Regular hourly grid (Asia/Shanghai, end of hour).
    values : dict of str -> ndarray, shape (T, S)
        Concentrations (µg/m³, CO mg/m³), NaN where missing.
    lon, lat : ndarray, shape (S,)
        Degrees WGS84; NaN for stations not in the station table.
    meta : DataFrame
        ``station, name, city, is_background`` aligned with ``codes``.
    log : DropLog
        Rows removed or values masked while building the grid.
    """

    codes: np.ndarray
    times: pd.DatetimeIndex
    values: dict[str, np.ndarray]
    lon: np.ndarray
    lat: np.ndarray
    meta: pd.DataFrame
    log: DropLog = field(default_factory=DropLog)

    @property
    def shape(self) -> tuple[int, int]:
        """(hours, stations)."""
        return len(self.times), len(self.codes)


def _times(obs: pd.DataFrame) -> pd.Series:
    t = obs["time"]
    if not pd.api.types.is_datetime64_any_dtype(t):
        try:
            t = pd.to_datetime(t)
        except (ValueError, TypeError) as err:
            raise GeoairInputError(
                "The observation column 'time' is not a date-time.", column="time",
                received=str(obs["time"].head(3).tolist()),
                fix="Read the data with geoair.read_observations, or convert 'time' with "
                "pandas.to_datetime.") from err
    if t.isna().any():
        bad = np.flatnonzero(t.isna().to_numpy())
        raise GeoairInputError("Observation rows without a time.", column="time",
                               row=bad.tolist(), fix="Drop or fill rows without a time.")
    t = t.dt.tz_localize(TIMEZONE) if t.dt.tz is None else t.dt.tz_convert(TIMEZONE)
    off = (t.dt.minute != 0) | (t.dt.second != 0)
    if off.any():
        bad = np.flatnonzero(off.to_numpy())
        raise GeoairInputError(
            "Integrity screening needs hourly observations on the hour.", column="time",
            row=bad.tolist(), received=str(t.iloc[bad[0]]),
            fix="Average sub-hourly data to hourly means labelled by the end of the hour.")
    return t


def _values(obs: pd.DataFrame, col: str, log: DropLog) -> np.ndarray:
    if col not in obs.columns:
        return np.full(len(obs), np.nan)
    raw = obs[col]
    if not (pd.api.types.is_numeric_dtype(raw) or raw.isna().all()):
        bad = pd.to_numeric(raw, errors="coerce").isna() & raw.notna()
        rows = np.flatnonzero(bad.to_numpy())
        raise GeoairInputError(
            f"Column {col!r} holds values that are not numbers.", column=col, row=rows.tolist(),
            received=raw.iloc[rows[:3]].tolist(),
            fix="Convert the column to numbers (empty or NaN for missing values).")
    v = np.array(raw.to_numpy(dtype=float, na_value=np.nan), dtype=float, copy=True)
    neg = np.flatnonzero(v < 0)
    log.add("negative concentration masked (integrity screen)", neg, column=col, values=v[neg])
    v[neg] = np.nan
    return v


def _station_table(codes: np.ndarray, stations, log: DropLog):
    n = len(codes)
    meta = pd.DataFrame({"station": codes, "name": pd.Series([pd.NA] * n, dtype="string"),
                         "city": pd.Series([pd.NA] * n, dtype="string"),
                         "is_background": np.zeros(n, dtype=bool)})
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if stations is None:
        return meta, lon, lat
    require_columns(stations, ["station"], what="station table",
                    fix="Use geoair.read_stations(...) or a table with station, lon, lat.")
    st = pd.DataFrame(stations).copy()
    if "lon" not in st.columns and "geometry" in st.columns:
        st["lon"] = st.geometry.x
        st["lat"] = st.geometry.y
    require_columns(st, ["station", "lon", "lat"], what="station table")
    st["station"] = st["station"].astype(str)
    st = st.drop_duplicates("station").set_index("station")
    idx = st.index.get_indexer(codes)
    found = idx >= 0
    lon[found] = pd.to_numeric(st["lon"], errors="coerce").to_numpy(float)[idx[found]]
    lat[found] = pd.to_numeric(st["lat"], errors="coerce").to_numpy(float)[idx[found]]
    for col in ("name", "city"):
        if col in st.columns:
            meta.loc[found, col] = st[col].astype("string").to_numpy()[idx[found]]
    if "is_background" in st.columns:
        meta.loc[found, "is_background"] = st["is_background"].fillna(False).astype(bool).to_numpy()[
            idx[found]]
    nocoord = np.flatnonzero(~np.isfinite(lon) | ~np.isfinite(lat))
    log.add("station without coordinates: screened on its own series, no neighbours",
            nocoord, column="station", values=codes[nocoord])
    return meta, lon, lat


def to_grid(obs: pd.DataFrame, stations=None, *, pollutants=SCREENED + CONTEXT) -> StationGrid:
    """Lay observations onto a regular (hour x station) grid.

    Parameters
    ----------
    obs : DataFrame
        Data-model observations: ``station``, ``time`` (tz-aware or naive Beijing time, end
        of hour) and pollutant columns (µg/m³, CO mg/m³). ``pm25`` or ``pm10`` is required.
    stations : DataFrame or GeoDataFrame, optional
        ``station, lon, lat`` (or a Point geometry, EPSG:4326), optionally ``name, city,
        is_background``.
    pollutants : sequence of str
        Columns to grid; absent ones become all-NaN.

    Returns
    -------
    StationGrid
        Duplicated station-hours (first kept) and negative values (masked) are in ``log``.
    """
    if not isinstance(obs, pd.DataFrame):
        raise GeoairInputError("The integrity screen needs the hourly observation frame.",
                               received=type(obs).__name__, fix="Use geoair.read_observations(...).")
    require_columns(obs, ["station", "time"], what="observation frame")
    if not any(p in obs.columns for p in SCREENED):
        raise GeoairInputError("The observations have neither 'pm25' nor 'pm10' to screen.",
                               received=list(map(str, obs.columns))[:20],
                               fix="Provide hourly pm25 and/or pm10 columns (µg/m³).")
    log = DropLog()
    t = _times(obs)
    s_idx, codes = pd.factorize(obs["station"].astype(str), sort=True)
    codes = np.asarray(codes, dtype=object).astype(str)
    hours = t.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[h]").astype(np.int64)
    h0 = hours.min() if len(hours) else 0
    n_t = int(hours.max() - h0 + 1) if len(hours) else 0
    t_idx = hours - h0
    key = t_idx * max(len(codes), 1) + s_idx
    dup = pd.Series(key).duplicated().to_numpy()
    log.add("duplicate station-hour (first kept)", np.flatnonzero(dup))
    times = pd.date_range(pd.Timestamp(int(h0) * 3600, unit="s", tz="UTC"), periods=n_t,
                          freq="h").tz_convert(TIMEZONE)
    keep = ~dup
    values = {}
    for p in pollutants:
        grid = np.full((n_t, len(codes)), np.nan)
        grid[t_idx[keep], s_idx[keep]] = _values(obs, p, log)[keep]
        values[p] = grid
    meta, lon, lat = _station_table(codes, stations, log)
    return StationGrid(codes=codes, times=times, values=values, lon=lon, lat=lat, meta=meta, log=log)
