"""Target budget: what the rest of the year may still contain if the annual targets are to hold.

For a unit with ``k`` valid PM2.5 days so far summing to ``S`` µg/m³ and ``R`` days left in the
year (all assumed valid), the annual mean ``(S + R x) / (k + R)`` stays at or below the target
``T`` while the mean of the remaining days ``x <= (T (k + R) - S) / R``.
For ``G`` good days (AQI <= 100) among ``V`` valid AQI days so far, the year's good-day ratio
``(G + R - P) / (V + R)`` stays at or above ``r`` while the polluted days still to come
``P <= G + R - r (V + R)`` (rounded down, capped at ``R``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import GeoairInputError
from ..schema import attach_units
from .aqi import aqi as _aqi
from .evaluation import unit_daily

__all__ = ["target_budget"]

COLUMNS = ["unit", "year", "as_of", "days_remaining", "pm25_days", "pm25_mean_to_date",
           "pm25_max_remaining_mean", "pm25_reachable", "aqi_days", "good_days",
           "good_ratio_to_date", "polluted_days_allowed", "good_ratio_reachable"]

#: Units of the budget columns (``attrs["units"]``).
UNITS_BUDGET = {"days_remaining": "days", "pm25_days": "days", "pm25_mean_to_date": "µg/m³",
                "pm25_max_remaining_mean": "µg/m³", "aqi_days": "days", "good_days": "days",
                "good_ratio_to_date": "%", "polluted_days_allowed": "days"}


def target_budget(daily: pd.DataFrame, target_pm25: float, target_good_ratio: float, year: int,
                  as_of=None, *, by: str | None = "station", stations=None,
                  standard: str | None = None) -> pd.DataFrame:
    """Remaining PM2.5 mean and polluted days allowed to meet the year's targets.

    Parameters
    ----------
    daily : pandas.DataFrame or dask.dataframe.DataFrame
        Output of :func:`geoair.standards.daily` (or any frame with ``date`` and daily values;
        an ``aqi`` column is used if present, else the daily AQI is computed). A dask frame is
        shuffled by unit and budgeted per partition (same pandas result).
    target_pm25 : float
        Annual mean PM2.5 target, µg/m³.
    target_good_ratio : float
        Good-day ratio target, percent (e.g. 80 for 80 %).
    year : int
        Calendar year of the targets.
    as_of : date-like, optional
        Last day already observed (inclusive); default the last date in ``daily`` for ``year``.
    by : str or None
        Unit: ``"station"``, a station-group column (e.g. ``"adcode"``; station means per day)
        or None for all stations as one unit.
    stations : DataFrame, optional
        Station table supplying the ``by`` column.
    standard : str, optional
        AQI standard override (default by date).

    Returns
    -------
    pandas.DataFrame
        Per unit: ``unit, year, as_of, days_remaining, pm25_days, pm25_mean_to_date,
        pm25_max_remaining_mean`` (µg/m³; NaN when no day is left), ``pm25_reachable``,
        ``aqi_days, good_days, good_ratio_to_date`` (%), ``polluted_days_allowed``,
        ``good_ratio_reachable``.

    References
    ----------
    Annual mean and good-day ratio as defined by HJ 663 and the MEE ranking rule (环办监测〔2018〕
    19号); the budget is the algebra above.
    """
    # a fraction (0.8) passed for a percentage would silently allow nearly every day to be polluted
    if not 1 < target_good_ratio <= 100:
        raise GeoairInputError("target_good_ratio is a percentage.", received=target_good_ratio,
                               fix="Pass e.g. 80 for 80 % (not 0.8).")
    params = {"target_pm25": target_pm25, "target_good_ratio": target_good_ratio,
              "year": year, "as_of": as_of, "by": by}
    from .._dask import is_dask

    if is_dask(daily):
        from ._dask_paths import budget_dask

        return budget_dask(daily, params, stations=stations, standard=standard)
    u = year_units(daily, by, stations, year)
    if u.empty:
        return attach_units(pd.DataFrame(columns=COLUMNS), UNITS_BUDGET)
    as_of = check_as_of(as_of, u["date"].max(), year)
    out = budget_units(u, params, as_of, standard)
    out.attrs["params"] = {**params, "as_of": as_of.date().isoformat()}  # JSON-able (parquet)
    return attach_units(out, UNITS_BUDGET)


def year_units(daily: pd.DataFrame, by, stations, year: int) -> pd.DataFrame:
    """Unit daily values of the target year (with the daily ``aqi`` when given per station)."""
    u = unit_daily(daily, by, stations)
    if "aqi" in daily.columns and by == "station":
        u = u.assign(aqi=daily["aqi"].to_numpy())
    return u.loc[u["date"].dt.year == year]


def check_as_of(as_of, last_date, year: int) -> pd.Timestamp:
    """The last observed day: given, else the last date of the data; must lie in ``year``."""
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else pd.Timestamp(last_date)
    if not pd.Timestamp(year, 1, 1) <= as_of <= pd.Timestamp(year, 12, 31):
        raise GeoairInputError("as_of must lie in the target year.", received=str(as_of.date()),
                               fix=f"Use a date in {year}.")
    return as_of


def budget_units(u: pd.DataFrame, params: dict, as_of: pd.Timestamp, standard) -> pd.DataFrame:
    """The budget table of the units in ``u`` (days up to ``as_of``)."""
    target_pm25, target_good_ratio = params["target_pm25"], params["target_good_ratio"]
    u = u.loc[u["date"] <= as_of]
    if "aqi" not in u.columns:
        u = u.assign(aqi=_aqi(u, "24h", standard)["aqi"])
    a = pd.to_numeric(u["aqi"], errors="coerce").astype(float)
    u = u.assign(_aqi=a, _good=a <= 100, _valid=a.notna())
    g = u.groupby("unit", sort=True)
    res = pd.DataFrame({"pm25_days": g["pm25"].count(), "_s": g["pm25"].sum(),
                        "aqi_days": g["_valid"].sum(), "good_days": g["_good"].sum()})
    r_days = int((pd.Timestamp(params["year"], 12, 31) - as_of).days)
    k, s = res["pm25_days"].astype(float), res["_s"]
    res["pm25_mean_to_date"] = s / k.where(k > 0)
    if r_days > 0:
        res["pm25_max_remaining_mean"] = (target_pm25 * (k + r_days) - s) / r_days
        res["pm25_reachable"] = res["pm25_max_remaining_mean"] >= 0
    else:
        res["pm25_max_remaining_mean"] = np.nan
        res["pm25_reachable"] = res["pm25_mean_to_date"] <= target_pm25
    v, gd = res["aqi_days"].astype(float), res["good_days"].astype(float)
    res["good_ratio_to_date"] = 100.0 * gd / v.where(v > 0)
    allowed = np.floor(gd + r_days - target_good_ratio / 100.0 * (v + r_days) + 1e-9)
    res["good_ratio_reachable"] = allowed >= 0
    res["polluted_days_allowed"] = np.minimum(allowed, r_days).astype("Int64")
    res = res.reset_index()
    res["year"] = params["year"]
    res["as_of"] = as_of
    res["days_remaining"] = r_days
    return res[COLUMNS]
