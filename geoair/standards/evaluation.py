"""HJ 663 assessment: period statistics, data capture, good-day ratio, composite index, rank.

References (research/standards.md §2-§3):

* HJ 663-2013 / HJ 663-2026 Table 1 - annual statistics: annual means of SO2, NO2, PM10,
  PM2.5; 98th percentile of 24-h SO2/NO2; 95th of 24-h PM10/PM2.5 and CO; 90th of O3 daily
  max 8-h. Appendix A percentile: ``k = 1 + (n-1) p/100``, linear between order statistics, which
  is numpy's default ``method="linear"``.
* GB 3095 Table 4 - data capture: >= 324 daily values a year, >= 27 a month (25 in February).
* MEE ranking rule (环办〔2014〕64号, revised 环办监测〔2018〕19号) - composite index
  ``I_sum = sum_i w_i C_i / S_i`` with equal weights by default, ties share a rank, the
  pollutant with the largest ``I_i`` is the composite's primary pollutant.
* 优良天数比例 = days with AQI <= 100 / valid days x 100 %; dust days may be excluded
  (环办监测〔2016〕120号).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option, require_columns
from ..schema import attach_units
from .aqi import aqi as _aqi
from .tables import GRADE2_LIMITS, SWITCH_DATE

__all__ = ["evaluate", "percentile", "composite_index", "unit_daily"]

_POLS = ("pm25", "pm10", "so2", "no2", "co", "o3", "o3_8h")
_CAPTURE_POLS = ("pm25", "pm10", "so2", "no2")
_INDEX_POLS = ("so2", "no2", "pm10", "pm25", "co", "o3_8h")
_PERCENTILES = {"so2": 98, "no2": 98, "pm10": 95, "pm25": 95, "co": 95, "o3_8h": 90}

#: Units of the evaluation columns outside the data model (``attrs["units"]``).
UNITS_EVAL = {
    **{f"{p}_p{q}": ("mg/m³" if p == "co" else "µg/m³") for p, q in _PERCENTILES.items()},
    "n_days": "days", "good_days": "days", "polluted_days": "days", "heavy_days": "days",
    "severe_days": "days", "good_ratio": "%", "composite": "1 (composite index)",
    "pm25_yoy_pct": "%", "composite_yoy_pct": "%", "good_ratio_yoy_pp": "percentage points",
}


def percentile(x, p: float) -> float:
    """Percentile by HJ 663 Appendix A (NaN ignored; NaN for an empty series).

    ``k = 1 + (n - 1) p / 100``, ``s = floor(k)``, ``m_p = X(s) + (X(s+1) - X(s)) (k - s)`` on the
    ascending series - identical to ``numpy.percentile(x, p)`` (``method="linear"``).

    Examples
    --------
    >>> percentile([3, 4, 8, 2, 5, 4], 90)
    6.5
    """
    a = np.asarray(x, dtype=float)
    a = np.sort(a[np.isfinite(a)])
    if a.size == 0:
        return float("nan")
    k = 1 + (a.size - 1) * p / 100.0
    s = int(np.floor(k))
    if s >= a.size:
        return float(a[-1])
    return float(a[s - 1] + (a[s] - a[s - 1]) * (k - s))


def composite_index(conc: Mapping[str, float] | pd.DataFrame, *, limits=None, weights=None,
                    standard: str = "hj633-2012"):
    """Composite index (环境空气质量综合指数) ``sum_i w_i C_i / S_i``.

    Parameters
    ----------
    conc : mapping or DataFrame
        ``so2, no2, pm10, pm25`` period means (µg/m³), ``co`` 24-h 95th percentile (mg/m³)
        and ``o3_8h`` daily max 8-h 90th percentile (µg/m³).
    limits : mapping, optional
        Divisors ``S_i``; default the Grade II limits of ``standard`` (tables.GRADE2_LIMITS).
    weights : mapping, optional
        Weights ``w_i`` (default 1 each, the 2018 rule; weighted schemes are a parameter).
    standard : {"hj633-2012", "hj633-2026"}

    Returns
    -------
    float (mapping input) or DataFrame with ``i_<pollutant>`` columns and ``composite``.

    Examples
    --------
    >>> round(composite_index({"so2": 10, "no2": 35, "pm10": 70, "pm25": 35, "co": 1.2,
    ...                        "o3_8h": 160}), 4)
    4.3417
    """
    s = dict(GRADE2_LIMITS[standard])
    s.update(limits or {})
    w = {p: 1.0 for p in _INDEX_POLS}
    w.update(weights or {})
    if isinstance(conc, pd.DataFrame):
        out = pd.DataFrame(index=conc.index)
        for p in _INDEX_POLS:
            out[f"i_{p}"] = conc[p] / s[p] if p in conc else np.nan
        out["composite"] = sum(w[p] * out[f"i_{p}"] for p in _INDEX_POLS)
        return out
    return float(sum(w[p] * conc[p] / s[p] for p in _INDEX_POLS))


def unit_daily(daily: pd.DataFrame, by: str | None = "station", stations=None) -> pd.DataFrame:
    """Daily values per assessment unit: a station, or the station mean of a group.

    City/county daily concentrations are the arithmetic mean of the valid station daily values
    (HJ 663 §5); invalid (NaN) station values are left out of the mean.
    """
    require_columns(daily, ["date"], what="daily frame", fix="Use geoair.standards.daily(obs).")
    d = daily
    if by is None:
        d = d.assign(_unit="all")
        key = "_unit"
    else:
        key = by
        if by not in d.columns:
            if stations is None or "station" not in d.columns or by not in stations.columns:
                raise GeoairInputError(
                    f"Cannot group by {by!r}: not a column of the daily frame.",
                    column=by, received=list(d.columns)[:20],
                    fix="Add the column, or pass stations=read_stations(...) with it.")
            m = pd.Series(stations[by].to_numpy(), index=stations["station"].astype(str))
            d = d.assign(**{by: d["station"].astype(str).map(m)})
    pols = [p for p in _POLS if p in d.columns]
    if key == "station":
        return d[["station", "date", *pols]].rename(columns={"station": "unit"})
    g = d.groupby([key, "date"], sort=True)[pols].mean()
    return g.reset_index().rename(columns={key: "unit"})


def _period_key(dates: pd.Series, period):
    if isinstance(period, str):
        check_option("period", period, ("year", "quarter", "month", "all"))
        if period == "all":
            return pd.Series("all", index=dates.index)
        return dates.dt.to_period({"year": "Y", "quarter": "Q", "month": "M"}[period])
    if isinstance(period, tuple) and len(period) == 2:
        lo, hi = pd.Timestamp(period[0]), pd.Timestamp(period[1])
        lab = f"{lo.date()}/{hi.date()}"
        return pd.Series(np.where((dates >= lo) & (dates <= hi), lab, None), index=dates.index)
    raise GeoairInputError("period must be 'year', 'quarter', 'month', 'all' or (start, end).",
                           received=period, fix="e.g. period=('2019-01-01', '2019-06-30').")


def _bounds(label, dates: pd.Series):
    if isinstance(label, pd.Period):
        return label.start_time.normalize(), label.end_time.normalize()
    if label == "all":
        return dates.min(), dates.max()
    lo, hi = label.split("/")
    return pd.Timestamp(lo), pd.Timestamp(hi)


def evaluate(daily: pd.DataFrame, period="year", by: str | None = "station", *, stations=None,
             standard: str | None = None, weights=None, limits=None,
             exclude_dust=None) -> pd.DataFrame:
    """Assess daily data per station (or station group) and period, as HJ 663 prescribes.

    Parameters
    ----------
    daily : pandas.DataFrame or dask.dataframe.DataFrame
        Output of :func:`geoair.standards.daily` (``station, date`` + daily values). A dask
        frame is shuffled by unit and assessed per partition; the result (a pandas frame) is
        the same as for the in-memory input (``exclude_dust`` then takes a column or dates).
    period : {"year", "quarter", "month", "all"} or (start, end)
    by : str or None
        ``"station"``, a column such as ``"adcode"`` or ``"city"`` (station groups; taken from
        ``stations`` when not in ``daily``), or None for all stations as one unit.
    stations : DataFrame, optional
        Station table with ``station`` and the ``by`` column.
    standard : {"hj633-2012", "hj633-2026"}, optional
        AQI rules and composite divisors; default per day for the AQI and, for the divisors,
        the standard in force at the end of each period.
    weights, limits : mapping, optional
        Composite-index weights (default 1) and divisors (default Grade II limits).
    exclude_dust : str, array-like of bool, or collection of dates, optional
        Dust-affected days to leave out (a boolean column name, a mask aligned with ``daily``,
        or dates applying to all units); they are logged in the DropLog.

    Returns
    -------
    pandas.DataFrame
        One row per unit and period: ``unit, period, start, end``; ``n_days`` (days with an
        AQI), ``n_<pol>`` valid daily values, ``capture_ok`` (GB 3095 Table 4 for SO2, NO2,
        PM10, PM2.5: every month >= 27 days, February >= 25, a year >= 324); period means
        ``pm25, pm10, so2, no2, co`` (µg/m³; CO mg/m³); percentiles ``so2_p98, no2_p98,
        pm10_p95, pm25_p95, co_p95, o3_8h_p90``; ``good_days, good_ratio`` (%),
        ``polluted_days`` (AQI > 100), ``heavy_days`` (AQI > 200), ``severe_days``
        (AQI > 300); ``i_<pol>``, ``composite``, ``composite_primary``; ``rank`` (composite,
        ascending, ties share the smaller rank, per period); ``pm25_yoy_pct``,
        ``composite_yoy_pct`` (% change vs the same period a year before) and
        ``good_ratio_yoy_pp`` (percentage points); ``standard``.

    References
    ----------
    HJ 663-2013 and HJ 663-2026; GB 3095 Table 4; 城市环境空气质量排名技术规定 (环办监测〔2018〕19号).
    """
    from .._dask import is_dask

    if standard is not None:
        check_option("standard", standard, ("hj633-2012", "hj633-2026"))
    params = {"period": period, "by": by, "standard": standard, "weights": weights,
              "limits": limits, "exclude_dust": exclude_dust is not None}
    if is_dask(daily):
        from ._dask_paths import evaluate_dask

        return evaluate_dask(daily, params, stations=stations, exclude_dust=exclude_dust)
    if not isinstance(daily, pd.DataFrame):
        raise GeoairInputError("evaluate() needs the daily frame.", received=type(daily).__name__,
                               fix="Use geoair.standards.daily(obs).")
    require_columns(daily, ["date"], what="daily frame",
                    fix="Use geoair.standards.daily(obs) to make daily values from hourly data.")
    log = DropLog()  # this step's drops only (callers chain the daily log)
    d = daily.copy()
    d["date"] = pd.to_datetime(d["date"])
    if exclude_dust is not None:
        mask = dust_mask(d, exclude_dust)
        log.add("dust-affected day excluded (扣沙)", np.flatnonzero(mask))
        d = d.loc[~mask]
    u = unit_periods(unit_daily(d, by, stations), period)
    if u.empty:
        return attach_units(pd.DataFrame(columns=["unit", "period", "start", "end", "n_days"]), UNITS_EVAL)
    res = unit_statistics(u, period, standard=standard, weights=weights, limits=limits)
    return finish_evaluation(res, params, log)


def dust_mask(d: pd.DataFrame, exclude_dust) -> np.ndarray:
    """Boolean mask of dust-affected days (a column name, an aligned mask or dates)."""
    if isinstance(exclude_dust, str):
        require_columns(d, [exclude_dust], what="daily frame")
        return d[exclude_dust].fillna(False).to_numpy(bool)
    arr = np.asarray(exclude_dust)
    if arr.dtype == bool and arr.shape == (len(d),):
        return arr
    dd = pd.DatetimeIndex(pd.to_datetime(list(np.atleast_1d(exclude_dust))))
    return d["date"].isin(dd.normalize()).to_numpy()


def unit_periods(u: pd.DataFrame, period) -> pd.DataFrame:
    """Unit daily values with a ``period`` column; days outside a (start, end) period dropped."""
    key = _period_key(u["date"], period)
    outside = key.isna().to_numpy()
    if outside.any():
        u = u.loc[~outside]
        key = key.loc[~outside]
    return u.assign(period=key.to_numpy())


def unit_statistics(u: pd.DataFrame, period, *, standard, weights, limits,
                    span=None) -> pd.DataFrame:
    """Per (unit, period): counts, means, percentiles, AQI days, capture, composite index.

    ``span`` = (first, last) date of the whole data for ``period="all"`` (default: of ``u``).
    The standard of each row's composite divisors is in column ``standard``.
    """
    a = _aqi(u, "24h", standard)["aqi"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    u = u.assign(aqi=a, _good=a <= 100, _pol=a > 100, _heavy=a > 200, _severe=a > 300,
                 _valid=np.isfinite(a))
    g = u.groupby(["unit", "period"], sort=True)
    res = pd.DataFrame({"n_days": g["_valid"].sum()})
    pols = [p for p in _POLS if p in u.columns]
    for p in pols:
        res[f"n_{p}"] = g[p].count()
    for p in ("pm25", "pm10", "so2", "no2", "co"):
        if p in u.columns:
            res[p] = g[p].mean()
    for p, q in _PERCENTILES.items():
        if p in u.columns:
            # pandas' linear quantile equals HJ 663 Appendix A.
            res[f"{p}_p{q}"] = g[p].quantile(q / 100.0)
    res["good_days"] = g["_good"].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        res["good_ratio"] = 100.0 * res["good_days"] / res["n_days"].where(res["n_days"] > 0)
    res["polluted_days"] = g["_pol"].sum()
    res["heavy_days"] = g["_heavy"].sum()
    res["severe_days"] = g["_severe"].sum()
    res = res.reset_index()
    dates = u["date"] if span is None else pd.Series(list(span))
    bounds = [_bounds(p, dates) for p in res["period"]]
    res.insert(2, "start", [b[0] for b in bounds])
    res.insert(3, "end", [b[1] for b in bounds])
    res["capture_ok"] = _capture(u, res, pols, period)
    return _composite_columns(res, standard, weights, limits)


def _composite_columns(res: pd.DataFrame, standard, weights, limits) -> pd.DataFrame:
    """Composite index with the divisors of the standard in force at the period's end."""
    stds = (np.full(len(res), standard, dtype=object) if standard else
            np.where(res["end"] >= SWITCH_DATE, "hj633-2026", "hj633-2012"))
    conc = pd.DataFrame({
        "so2": res.get("so2"), "no2": res.get("no2"), "pm10": res.get("pm10"),
        "pm25": res.get("pm25"), "co": res.get("co_p95"), "o3_8h": res.get("o3_8h_p90")},
        index=res.index)
    ci = pd.DataFrame(index=res.index)
    for std in pd.unique(stds):
        m = stds == std
        ci = ci.combine_first(composite_index(conc.loc[m], limits=limits, weights=weights,
                                              standard=std))
    icols = [f"i_{p}" for p in _INDEX_POLS]
    for c in icols + ["composite"]:
        res[c] = ci[c]
    sub = res[icols].astype(float)
    has = sub.notna().any(axis=1)
    res["composite_primary"] = np.where(
        has, sub.fillna(-np.inf).idxmax(axis=1).str.replace("i_", "", regex=False), None)
    res["standard"] = stds
    return res


def finish_evaluation(res: pd.DataFrame, params: dict, log: DropLog) -> pd.DataFrame:
    """Rank per period, year-on-year changes, ``standard`` last, attrs."""
    stds = res.pop("standard").to_numpy()
    res["rank"] = res.groupby("period")["composite"].rank(method="min").astype("Int64")
    res = _yoy(res, params["period"])
    res["standard"] = stds
    res.attrs["droplog"] = log
    res.attrs["params"] = params
    return attach_units(res, UNITS_EVAL, prefix_n_="days", prefix_i_="1 (single-pollutant index)")


def _capture(u: pd.DataFrame, res: pd.DataFrame, pols, period) -> np.ndarray:
    cp = [p for p in _CAPTURE_POLS if p in pols]
    if not cp:
        return np.zeros(len(res), bool)
    cnt = (u.assign(month=u["date"].dt.to_period("M"))
           .groupby(["unit", "period", "month"])[cp].count().reset_index())
    # Every calendar month of each period, including months without any row.
    grid = res[["unit", "period", "start", "end"]].copy()
    grid["_row"] = np.arange(len(res))
    grid["month"] = [list(pd.period_range(a, b, freq="M"))
                     for a, b in zip(grid["start"], grid["end"], strict=True)]
    grid = grid.explode("month").drop(columns=["start", "end"])
    grid["month"] = grid["month"].astype(cnt["month"].dtype)
    g = grid.merge(cnt, on=["unit", "period", "month"], how="left")
    counts = g[cp].fillna(0).to_numpy()
    need = np.where(g["month"].dt.month.to_numpy() == 2, 25, 27)
    month_ok = pd.Series((counts >= need[:, None]).all(axis=1), index=g.index)
    ok = month_ok.groupby(g["_row"].to_numpy()).all().reindex(range(len(res)), fill_value=False)
    ok = ok.to_numpy(bool).copy()
    annual = np.array([period == "year" or (isinstance(p, pd.Period) and p.freqstr == "Y")
                       for p in res["period"]])
    if annual.any():
        tot = pd.DataFrame(counts, columns=cp).groupby(g["_row"].to_numpy()).sum()
        tot = tot.reindex(range(len(res)), fill_value=0).to_numpy()
        ok = ok & (~annual | (tot >= 324).all(axis=1))
    return ok


def _yoy(res: pd.DataFrame, period) -> pd.DataFrame:
    res["pm25_yoy_pct"] = np.nan
    res["composite_yoy_pct"] = np.nan
    res["good_ratio_yoy_pp"] = np.nan
    if not isinstance(res["period"].iloc[0], pd.Period):
        return res
    lag = {"Y": 1, "Q": 4, "M": 12}[res["period"].iloc[0].freqstr[0]]
    prev = res[["unit", "period", "pm25", "composite", "good_ratio"]].copy()
    prev["period"] = prev["period"] + lag
    m = res[["unit", "period"]].merge(prev, on=["unit", "period"], how="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        res["pm25_yoy_pct"] = 100.0 * (res["pm25"].to_numpy() / m["pm25"].to_numpy() - 1)
        res["composite_yoy_pct"] = 100.0 * (
            res["composite"].to_numpy(dtype=float) / m["composite"].to_numpy(dtype=float) - 1)
        res["good_ratio_yoy_pp"] = res["good_ratio"].to_numpy() - m["good_ratio"].to_numpy()
    return res
