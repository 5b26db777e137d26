"""League tables of counties or cities from :func:`geoair.standards.evaluate` results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option, require_columns
from ..options import get_options
from ..schema import UNITS, label
from .evaluation import UNITS_EVAL

__all__ = ["league_table"]

_HEADERS = {
    "rank": ("排名", "rank"),
    "unit": ("单位", "unit"),
    "name": ("名称", "name"),
    "composite": ("综合指数", "composite index"),
    "composite_primary": ("首要污染物", "primary pollutant"),
    "pm25": ("PM2.5浓度(μg/m³)", "PM2.5 (µg/m³)"),
    "good_ratio": ("优良天数比例(%)", "good-day ratio (%)"),
    "polluted_days": ("污染天数", "polluted days"),
    "heavy_days": ("重污染天数", "heavily polluted days"),
    "composite_yoy_pct": ("综合指数同比(%)", "composite vs last year (%)"),
    "rank_last_year": ("去年同期排名", "rank last year"),
    "rank_change_yoy": ("排名同比变化", "rank change vs last year"),
    "composite_prev_pct": ("综合指数环比(%)", "composite vs last period (%)"),
    "rank_prev": ("上期排名", "rank last period"),
    "rank_change_prev": ("排名环比变化", "rank change vs last period"),
    "pm25_yoy_pct": ("PM2.5同比(%)", "PM2.5 vs last year (%)"),
    "good_ratio_yoy_pp": ("优良天数比例同比(百分点)", "good-day ratio vs last year (pp)"),
}


def _ranks(ev: pd.DataFrame, period, sort_by: str):
    """Ranks of the units in one period (ties share the smaller rank) and their rows."""
    sub = ev.loc[ev["period"] == period].set_index("unit")
    return sub[sort_by].rank(method="min", ascending=sort_by != "good_ratio"), sub


def league_table(evaluation: pd.DataFrame, period=None, *, names=None, lang: str | None = None,
                 sort_by: str = "composite", adjust: str | None = None, normalised=None,
                 stations=None) -> pd.DataFrame:
    """Ranked table of units for one period, with change vs last year and vs last period.

    Parameters
    ----------
    evaluation : pandas.DataFrame or dask.dataframe.DataFrame
        Output of :func:`geoair.standards.evaluate` (several periods for the comparisons).
    period : pandas.Period or str, optional
        Period to rank (default the latest).
    names : mapping, optional
        Unit code -> display name (e.g. adcode -> county name).
    lang : {"zh", "en"}, optional
        Column language (default the ``lang`` option).
    sort_by : {"composite", "pm25", "good_ratio"}
        Ranking key: ascending for composite and PM2.5, descending for the good-day ratio.
        Ties share the smaller rank (MEE ranking rule).
    adjust, normalised, stations : optional
        ``adjust="weather"`` adds the weather-adjusted value and rank side by side
        (:func:`_weather_columns`) from ``normalised`` (:func:`geoair.deweather.normalise`
        output); ``stations`` maps stations to grouped units (e.g. ``adcode``).

    Returns
    -------
    pandas.DataFrame
        Rank 1 = best. Rank changes are positive when the unit moved up.
    """
    from .._dask import to_pandas

    evaluation = to_pandas(evaluation)  # a dask frame (units x periods) is small: computed
    lang = lang or get_options()["lang"]
    check_option("lang", lang, ("zh", "en"))
    check_option("sort_by", sort_by, ("composite", "pm25", "good_ratio"))
    check_option("adjust", adjust, (None, "weather"))
    require_columns(evaluation, ["unit", "period", sort_by], what="evaluation frame",
                    fix="Use geoair.standards.evaluate(...).")
    ev = evaluation
    periods = list(pd.unique(ev["period"]))
    try:
        periods = sorted(periods)
    except TypeError:
        pass
    if not periods:
        return pd.DataFrame(columns=[_HEADERS["rank"][lang == "en"]])
    period = periods[-1] if period is None else period
    if isinstance(period, str) and periods and isinstance(periods[0], pd.Period):
        period = pd.Period(period, freq=periods[0].freq)
    if period not in periods:
        raise GeoairInputError("Period not in the evaluation.", received=str(period),
                               fix=f"Choose one of {[str(p) for p in periods]}.")

    t = _ranked(ev, periods, period, sort_by)
    if adjust == "weather":
        t = _weather_columns(t, evaluation, period, sort_by, normalised, stations)
    t = t.reset_index().sort_values(["rank", "unit"], kind="stable")
    t["name"] = t["unit"].map(dict(names)) if names is not None else t["unit"]
    if "composite_primary" in t:
        t["composite_primary"] = t["composite_primary"].map(
            lambda p: label(p, lang) if isinstance(p, str) else p)
    keep = [c for c in _HEADERS if c in t.columns]
    heads = {c: _HEADERS[c][lang == "en"] for c in keep}
    if adjust == "weather":
        heads.update(_weather_headers(sort_by, lang))
        keep += list(_weather_headers(sort_by, lang))
    out = t[keep].reset_index(drop=True).rename(columns=heads)
    out.attrs["params"] = {"period": str(period), "sort_by": sort_by, "lang": lang,
                           "adjust": adjust}
    out.attrs["droplog"] = DropLog()  # no row dropped here (callers chain the evaluation's log)
    out.attrs["units"] = _table_units(keep, heads, sort_by)
    return out


def _table_units(keep: list, heads: dict, sort_by: str) -> dict:
    """``attrs["units"]`` of the league table, keyed by its (translated) headers."""
    known = {**UNITS, **UNITS_EVAL, "composite_prev_pct": "%", f"{sort_by}_weather": None}
    known[f"{sort_by}_weather"] = known.get(sort_by)
    return {heads[c]: known[c] for c in keep if known.get(c)}


def _ranked(ev: pd.DataFrame, periods: list, period, sort_by: str) -> pd.DataFrame:
    """The period's rows with ranks, and rank changes vs the last period and last year."""
    r, cur = _ranks(ev, period, sort_by)
    t = cur.copy()
    t["rank"] = r.astype("Int64")
    i = periods.index(period)
    prev = periods[i - 1] if i > 0 else None
    last_year = None
    if isinstance(period, pd.Period):
        lag = {"Y": 1, "Q": 4, "M": 12}[period.freqstr[0]]
        last_year = period - lag if (period - lag) in periods else None
    for tag, other in (("prev", prev), ("last_year", last_year)):
        col = "rank_prev" if tag == "prev" else "rank_last_year"
        if other is None:
            t[col] = pd.NA
            if tag == "prev":
                t["composite_prev_pct"] = np.nan
            continue
        ro, o = _ranks(ev, other, sort_by)
        t[col] = ro.reindex(t.index).astype("Int64")
        if tag == "prev":
            t["composite_prev_pct"] = 100.0 * (t["composite"] / o["composite"].reindex(t.index) - 1)
    t["rank_change_prev"] = t["rank_prev"] - t["rank"]
    t["rank_change_yoy"] = t["rank_last_year"] - t["rank"]
    return t


# ------------------------------------------------------------- weather adjustment (deweather)
_ADJ_POLS = {"so2": "so2", "no2": "no2", "pm10": "pm10", "pm25": "pm25", "co": "co",
             "o3_8h": "o3"}


def _weather_columns(t: pd.DataFrame, evaluation: pd.DataFrame, period, sort_by: str,
                     normalised, stations) -> pd.DataFrame:
    """Weather-adjusted value and rank of each unit, next to the observed ones.

    ``pm25``: the unit's mean weather-normalised PM2.5 over the period (Grange et al. 2018).
    ``composite``: each sub-index ``I_i = C_i / S_i`` is scaled by the pollutant's weather
    factor ``normalised / observed`` over the period (pollutants without a normalised series
    keep factor 1; O3 8-h uses the hourly O3 factor); an approximation, since percentile
    statistics (CO p95, O3 8-h p90) are scaled like means.
    """
    from ..deweather.adjust import weather_adjustment

    if sort_by == "good_ratio":
        raise GeoairInputError("adjust='weather' ranks concentrations, not good-day ratios.",
                               received=sort_by, fix="Use sort_by='composite' or 'pm25'.")
    if normalised is None:
        raise GeoairInputError("adjust='weather' needs the normalised series.",
                               fix="Pass normalised=geoair.deweather.normalise(obs, [...]).")
    by = evaluation.attrs.get("params", {}).get("by", "station")
    units = None
    if by not in ("station", None):
        require_columns(stations if stations is not None else pd.DataFrame(), ["station", by],
                        what="stations table", fix=f"Pass stations with station and {by}.")
        units = pd.Series(stations[by].to_numpy(), index=stations["station"].astype(str))
    elif by is None:
        units = pd.Series("all", index=pd.unique(normalised["station"].astype(str)))
    row = evaluation.loc[evaluation["period"] == period].iloc[0]
    adj = weather_adjustment(normalised, row["start"], row["end"], units=units)
    fac = adj.pivot(index="unit", columns="pollutant", values="factor")
    fac.index = fac.index.astype(t.index.dtype)
    if sort_by == "pm25":
        norm = adj[adj["pollutant"] == "pm25"].set_index("unit")["normalised"]
        norm.index = norm.index.astype(t.index.dtype)
        t["pm25_weather"] = norm.reindex(t.index)
    else:
        comp = 0.0
        for p, q in _ADJ_POLS.items():
            f = fac[q].reindex(t.index).fillna(1.0) if q in fac.columns else 1.0
            comp = comp + t[f"i_{p}"] * f if f"i_{p}" in t.columns else comp
        t["composite_weather"] = comp
    col = f"{sort_by}_weather"
    t["rank_weather"] = t[col].rank(method="min").astype("Int64")
    t["rank_change_weather"] = t["rank"] - t["rank_weather"]
    return t


def _weather_headers(sort_by: str, lang: str) -> dict:
    from .._i18n import t as _t

    name = _HEADERS[sort_by][lang == "en"]
    return {f"{sort_by}_weather": _t("dw_value_weather", lang, name=name),
            "rank_weather": _t("dw_rank_weather", lang),
            "rank_change_weather": _t("dw_rank_change_weather", lang)}
