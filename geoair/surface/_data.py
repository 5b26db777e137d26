"""Input checks and reshaping for :mod:`geoair.surface`: values frame -> days x stations matrix.

Every value that cannot be used is counted in the DropLog with its reason (missing value,
unknown station, non-positive value under the log transform, day with too few stations);
malformed input raises :class:`~geoair.GeoairInputError` naming the column and rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option, require_columns

__all__ = ["Prepared", "prepare", "project_stations", "TRANSFORMS"]

TRANSFORMS = ("log", "none")


@dataclass
class Prepared:
    """Station values ready for interpolation.

    Attributes
    ----------
    dates : ndarray
        Date labels as given (sorted), one per row of ``raw``.
    codes : ndarray of str
        Station codes, one per column.
    xy : ndarray, shape (n_stations, 2)
        Station coordinates in metres (``crs``).
    raw : ndarray, shape (n_dates, n_stations)
        Values in the input unit (µg/m³ for PM2.5), NaN where missing.
    z : ndarray
        ``raw`` on the modelling scale (natural log or unchanged).
    """

    dates: np.ndarray
    codes: np.ndarray
    xy: np.ndarray
    raw: np.ndarray
    z: np.ndarray
    transform: str
    crs: str
    log: DropLog = field(default_factory=DropLog)


def project_stations(stations, crs: str):
    """Station codes and projected coordinates (metres) from a point GeoDataFrame.

    Raises
    ------
    GeoairInputError
        Not a GeoDataFrame, no CRS, non-point or empty geometries, duplicated codes.
    """
    if not hasattr(stations, "geometry"):
        raise GeoairInputError("stations must be a GeoDataFrame of points.",
                               received=type(stations).__name__,
                               fix="Use geoair.read_stations(...) or datasets.load_national_stations().")
    require_columns(stations, ["station", "geometry"], what="station layer")
    if stations.crs is None:
        raise GeoairInputError("The station layer has no CRS.",
                               fix="Set it, e.g. stations.set_crs('EPSG:4326').")
    geom = stations.geometry
    bad = np.flatnonzero((geom.isna() | geom.is_empty | (geom.geom_type != "Point")).to_numpy())
    if bad.size:
        raise GeoairInputError("Station geometries must be non-empty points.", column="geometry",
                               row=bad.tolist(), received=list(geom.iloc[bad[:3]].geom_type),
                               fix="Drop stations without coordinates, or use their centroids.")
    codes = stations["station"].astype(str).to_numpy()
    dup = pd.Series(codes).duplicated(keep=False).to_numpy()
    if dup.any():
        raise GeoairInputError("Station codes must be unique.", column="station",
                               row=np.flatnonzero(dup).tolist(), received=sorted(set(codes[dup]))[:5],
                               fix="Keep one row per station (e.g. stations.drop_duplicates('station')).")
    pts = geom.to_crs(crs)
    return codes, np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def _numeric(values: pd.DataFrame, column: str) -> np.ndarray:
    raw = values[column]
    num = pd.to_numeric(raw, errors="coerce")
    bad = np.flatnonzero((num.isna() & raw.notna()).to_numpy())
    if bad.size:
        raise GeoairInputError("Values must be numbers.", column=column, row=bad.tolist(),
                               received=list(raw.iloc[bad[:5]]),
                               fix="Convert the column to numbers (µg/m³), missing as NaN.")
    return num.to_numpy(dtype=float)


def _sorted_unique(dates: pd.Series) -> np.ndarray:
    uniq = pd.unique(dates)
    try:
        return np.asarray(sorted(uniq), dtype=object)
    except TypeError:
        return np.asarray(uniq, dtype=object)


def prepare(values, stations, *, crs: str, transform: str = "log", min_stations: int = 10,
            value: str = "value") -> Prepared:
    """Check ``values`` (``station, date, value``) and ``stations``; pivot to a matrix.

    Parameters
    ----------
    values : DataFrame
        One row per station and date; ``value`` in the pollutant's unit (µg/m³).
    stations : GeoDataFrame
        ``station`` codes and point geometries (any CRS).
    crs : str
        Projected CRS in metres for the coordinates.
    transform : {"log", "none"}
        Modelling scale.
    min_stations : int
        Dates with fewer usable stations are dropped (DropLog).
    """
    check_option("transform", transform, TRANSFORMS)
    if not isinstance(values, pd.DataFrame):
        raise GeoairInputError("values must be a DataFrame with columns station, date, value.",
                               received=type(values).__name__,
                               fix="Build it with geoair.surface.station_values(obs).")
    require_columns(values, ["station", "date", value], what="values frame",
                    fix="Provide station, date, value (e.g. geoair.surface.station_values(obs)).")
    codes, xy = project_stations(stations, crs)
    log = DropLog()
    v = _numeric(values, value)
    st = values["station"].astype(str).to_numpy()
    dup = pd.DataFrame({"s": st, "d": values["date"].to_numpy()}).duplicated(keep=False).to_numpy()
    if dup.any():
        raise GeoairInputError("More than one value per station and date.", column="date",
                               row=np.flatnonzero(dup).tolist(),
                               fix="Average duplicates first (values.groupby(['station','date']).mean()).")
    known = pd.Series(st).isin(codes).to_numpy()
    log.add("station not in the station layer", np.flatnonzero(~known), column="station")
    missing = known & ~np.isfinite(v)
    log.add("missing value", np.flatnonzero(missing), column=value)
    ok = known & np.isfinite(v)
    if transform == "log":
        nonpos = ok & (v <= 0)
        log.add("value <= 0 cannot be log-transformed", np.flatnonzero(nonpos), column=value,
                values=v[nonpos])
        ok &= ~nonpos
    return _pivot(values, v, st, ok, codes, xy, crs, transform, min_stations, log)


def _pivot(values, v, st, ok, codes, xy, crs, transform, min_stations, log) -> Prepared:
    dates_all = values["date"].to_numpy()
    n_per = pd.Series(dates_all[ok]).value_counts()
    few = pd.Series(dates_all).map(n_per).fillna(0).to_numpy() < min_stations
    log.add(f"date with fewer than {min_stations} stations", np.flatnonzero(ok & few), column=None)
    ok &= ~few
    dates = _sorted_unique(pd.Series(dates_all[ok]))
    col = {c: i for i, c in enumerate(codes)}
    row = {d: i for i, d in enumerate(dates)}
    raw = np.full((len(dates), len(codes)), np.nan)
    ri = np.fromiter((row[d] for d in dates_all[ok]), dtype=np.int64, count=int(ok.sum()))
    ci = np.fromiter((col[s] for s in st[ok]), dtype=np.int64, count=int(ok.sum()))
    raw[ri, ci] = v[ok]
    z = np.log(raw) if transform == "log" else raw.copy()
    return Prepared(dates=dates, codes=codes, xy=xy, raw=raw, z=z, transform=transform, crs=crs,
                    log=log)
