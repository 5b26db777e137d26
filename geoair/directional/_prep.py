"""Input preparation shared by the directional functions (openair's ``checkPrep`` and ``cutData``).

References
----------
Carslaw, D. C. & Ropkins, K. (2012). openair - an R package for air quality data analysis.
*Environ. Model. Softw.* 27-28, 52-61 (functions ``checkPrep``, ``cutData``; openair 2.17).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, require_columns

__all__ = ["prepare", "r_seq", "condition", "time_column", "BY_OPTIONS"]

BY_OPTIONS = ("season", "weekday", "weekend", "month", "year", "hour", "daylight")

_SEASON_N = {12: "winter (DJF)", 1: "winter (DJF)", 2: "winter (DJF)",
             3: "spring (MAM)", 4: "spring (MAM)", 5: "spring (MAM)",
             6: "summer (JJA)", 7: "summer (JJA)", 8: "summer (JJA)",
             9: "autumn (SON)", 10: "autumn (SON)", 11: "autumn (SON)"}
_SEASON_ORDER = ["spring (MAM)", "summer (JJA)", "autumn (SON)", "winter (DJF)"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def r_seq(start: float, stop: float, length: int) -> np.ndarray:
    """``seq(start, stop, length.out = length)`` exactly as R computes it.

    R forms ``from + i * ((to - from) / (n - 1))`` and sets the last element to ``to``; using the
    same arithmetic keeps bin edges bit-identical to openair's, which matters for values that
    fall on an edge.
    """
    if length == 1:
        return np.array([float(start)])
    n1 = length - 1
    out = start + np.arange(length, dtype=float) * ((stop - start) / n1)
    out[0] = start
    out[-1] = stop
    return out


def time_column(data: pd.DataFrame, time: str | None = None) -> str | None:
    """Name of the time column (``time`` in geoair frames, ``date`` in openair frames)."""
    if time is not None:
        require_columns(data, [time], what="data")
        return time
    for name in ("time", "date"):
        if name in data.columns:
            return name
    return None


def _as_datetime(s: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    try:
        return pd.to_datetime(s, utc=True)
    except (ValueError, TypeError) as err:
        raise GeoairInputError(
            "The time column could not be parsed as dates.", column=name,
            received=s.head(3).tolist(), fix="Pass datetimes (ISO 8601 strings or datetime64).",
        ) from err


def _solar_elevation(t: pd.Series, lat: float, lon: float) -> np.ndarray:
    """Solar elevation (degrees) with the NOAA general solar position formulas."""
    tu = t.dt.tz_convert("UTC") if t.dt.tz is not None else t
    doy = tu.dt.day_of_year.to_numpy(float)
    hour = (tu.dt.hour + tu.dt.minute / 60.0).to_numpy(float)
    g = 2 * np.pi / 365.0 * (doy - 1 + (hour - 12) / 24)
    eqtime = 229.18 * (0.000075 + 0.001868 * np.cos(g) - 0.032077 * np.sin(g)
                       - 0.014615 * np.cos(2 * g) - 0.040849 * np.sin(2 * g))
    decl = (0.006918 - 0.399912 * np.cos(g) + 0.070257 * np.sin(g) - 0.006758 * np.cos(2 * g)
            + 0.000907 * np.sin(2 * g) - 0.002697 * np.cos(3 * g) + 0.00148 * np.sin(3 * g))
    tst = hour * 60 + eqtime + 4 * lon
    ha = np.deg2rad(tst / 4 - 180)
    la = np.deg2rad(lat)
    cosz = np.sin(la) * np.sin(decl) + np.cos(la) * np.cos(decl) * np.cos(ha)
    return 90 - np.rad2deg(np.arccos(np.clip(cosz, -1, 1)))


def condition(
    data: pd.DataFrame,
    by: str,
    *,
    time: str | None = None,
    n_levels: int = 4,
    latitude: float | None = None,
    longitude: float | None = None,
) -> pd.Series:
    """Conditioning variable for ``by=`` (openair's ``type`` / ``cutData``).

    ``season`` (northern hemisphere, MAM/JJA/SON/DJF), ``weekday``, ``weekend``, ``month``,
    ``year``, ``hour``, ``daylight`` (sun above -0.833 degrees at ``latitude``/``longitude``,
    NOAA solar position; both required, no default site), or any column: categorical columns as they are, numeric columns with
    more than ``n_levels`` values cut at their quantiles (type 7) into ``n_levels`` groups.
    Returns an ordered categorical aligned with ``data``.
    """
    if by in BY_OPTIONS:
        tcol = time_column(data, time)
        if tcol is None:
            raise GeoairInputError(
                f"by={by!r} needs a time column.", received=list(map(str, data.columns))[:20],
                fix="Add a 'time' (or 'date') column, or condition on an existing column.",
            )
        t = _as_datetime(data[tcol], tcol)
        if by == "season":
            vals = t.dt.month.map(_SEASON_N)
            return pd.Series(pd.Categorical(vals, categories=_SEASON_ORDER, ordered=True),
                             index=data.index, name="season")
        if by == "weekday":
            vals = np.array(_WEEKDAYS, dtype=object)[t.dt.day_of_week.to_numpy()]
            return pd.Series(pd.Categorical(vals, categories=_WEEKDAYS, ordered=True),
                             index=data.index, name="weekday")
        if by == "weekend":
            vals = np.where(t.dt.day_of_week.to_numpy() >= 5, "weekend", "weekday")
            return pd.Series(pd.Categorical(vals, categories=["weekday", "weekend"], ordered=True),
                             index=data.index, name="weekend")
        if by == "month":
            vals = np.array(_MONTHS, dtype=object)[t.dt.month.to_numpy() - 1]
            return pd.Series(pd.Categorical(vals, categories=_MONTHS, ordered=True),
                             index=data.index, name="month")
        if by == "year":
            return pd.Series(pd.Categorical(t.dt.year.to_numpy(), ordered=True),
                             index=data.index, name="year")
        if by == "hour":
            return pd.Series(pd.Categorical(t.dt.hour.to_numpy(), categories=range(24), ordered=True),
                             index=data.index, name="hour")
        if latitude is None or longitude is None:
            raise GeoairInputError(
                "by='daylight' needs the site position.", received=(latitude, longitude),
                fix="Pass latitude= and longitude= (degrees) of the station.",
            )
        elev = _solar_elevation(t, latitude, longitude)
        vals = np.where(elev > -0.833, "daylight", "nighttime")
        return pd.Series(pd.Categorical(vals, categories=["daylight", "nighttime"], ordered=True),
                         index=data.index, name="daylight")
    require_columns(data, [by], what="data",
                    fix=f"by= must be a column or one of {list(BY_OPTIONS)}.")
    col = data[by]
    if pd.api.types.is_numeric_dtype(col) and col.nunique() > n_levels:
        qs = np.unique(np.nanquantile(col.to_numpy(float), np.linspace(0, 1, n_levels + 1)))
        cut = pd.cut(col, qs, include_lowest=True)
        labels = [f"{by} {a:.3g} to {b:.3g}" for a, b in zip(qs[:-1], qs[1:], strict=True)]
        cut = cut.cat.rename_categories(labels)
        return pd.Series(cut.astype(pd.CategoricalDtype(labels, ordered=True)),
                         index=data.index, name=by)
    cat = col.astype("category")
    return pd.Series(cat.values, index=data.index, name=by)


def prepare(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    ws: str | None,
    wd: str | None,
    wd0_as_north: bool = True,
    droplog: DropLog | None = None,
) -> tuple[pd.DataFrame, DropLog]:
    """openair ``checkPrep`` for data.frame input, then removal of incomplete rows.

    +-Inf -> NA; negative wind speed -> NA; wind direction outside [0, 360] -> NA; with
    ``wd0_as_north`` (openair's data.frame behaviour) wd = 0 becomes 360. Rows with NA in any
    of ``columns`` are dropped and recorded in the DropLog (frame positions).
    """
    log = DropLog() if droplog is None else droplog
    if not isinstance(data, pd.DataFrame):
        raise GeoairInputError("data must be a pandas DataFrame.", received=type(data).__name__,
                               fix="Pass a DataFrame with wind and pollutant columns.")
    require_columns(data, columns, what="data")
    out = data.loc[:, list(dict.fromkeys(columns))].copy()
    for c in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[c]) or isinstance(out[c].dtype, pd.CategoricalDtype)
                or pd.api.types.is_datetime64_any_dtype(out[c]) or c not in (ws, wd)):
            raise GeoairInputError("Column must be numeric.", column=c, received=str(out[c].dtype),
                                   fix="Convert it with pd.to_numeric.")
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            bad = np.isinf(out[c].to_numpy())
            if bad.any():
                log.add("infinite value set to missing", np.flatnonzero(bad), column=c)
                out.loc[bad, c] = np.nan
    if ws is not None:
        x = out[ws].to_numpy(float)
        neg = x < 0
        if neg.any():
            log.add("negative wind speed set to missing", np.flatnonzero(neg), column=ws,
                    values=x[neg])
            out[ws] = np.where(neg, np.nan, x)
    if wd is not None:
        d = out[wd].to_numpy(float)
        bad = (d < 0) | (d > 360)
        if bad.any():
            log.add("wind direction outside 0-360 set to missing", np.flatnonzero(bad),
                    column=wd, values=d[bad])
        d = np.where(bad, np.nan, d)
        if wd0_as_north:
            d = np.where(d == 0, 360.0, d)
        out[wd] = d
    na = out.isna().any(axis=1).to_numpy()
    if na.any():
        log.add(f"missing value in one of {list(columns)}", np.flatnonzero(na))
    return out.loc[~na], log
