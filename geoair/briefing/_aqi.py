"""Steps "aqi": AQI summary, county league table (HJ 633 / HJ 663) and the target budget."""

from __future__ import annotations

import pandas as pd

from .._i18n import t
from ._model import Section, _Run
from ._tables import county_names, display

__all__ = ["aqi_sections"]

_BUDGET_COLUMNS = {c: f"col.{c}" for c in (
    "unit", "year", "as_of", "days_remaining", "pm25_mean_to_date", "pm25_max_remaining_mean",
    "pm25_reachable", "good_days", "good_ratio_to_date", "polluted_days_allowed", "good_ratio_reachable")}


def _daily_figure(run: _Run, d_aqi: pd.DataFrame):
    from ..plot.figures import plot_bar

    day_mean = d_aqi.groupby("date")["aqi"].mean()
    day_mean.index = pd.to_datetime(day_mean.index).strftime("%m-%d")
    title = t("briefing.aqi.figure", run.lang)
    fig = plot_bar(day_mean.sort_index(ascending=False), top=len(day_mean), title=title, xlabel="AQI",
                   color="#8c510a", figsize=(7, 8))
    return run.figure(fig, "aqi_daily", title)


def _budget_section(run: _Run, d: pd.DataFrame) -> Section:
    from ..standards import target_budget

    tg = run.cfg["targets"]
    year = tg["year"] or int(pd.to_datetime(d["date"]).dt.year.max())
    budget = target_budget(d, tg["pm25"], tg["good_ratio"], year, by=None)
    run.res.tables["target_budget"] = budget
    shown = budget.assign(unit=budget["unit"].astype(str),
                          pm25_reachable=budget["pm25_reachable"].astype(str).str.lower(),
                          good_ratio_reachable=budget["good_ratio_reachable"].astype(str).str.lower())
    table = display(shown, _BUDGET_COLUMNS, run.lang, values={"unit": "value", "pm25_reachable": "value",
                                                               "good_ratio_reachable": "value"})
    note = t("briefing.budget.note", run.lang, pm25=tg["pm25"], good_ratio=tg["good_ratio"], year=year)
    return Section("budget", t("briefing.section.budget", run.lang), note=note, table=table)


def aqi_sections(run: _Run) -> list[Section]:
    """AQI summary with the daily AQI figure and the county league table; the target budget."""
    try:
        from ..standards import aqi, daily, evaluate, league_table
    except ImportError:
        reason = t("briefing.reason.not_in_build", run.lang, module="geoair.standards")
        run.omit("budget", reason)
        return run.omit("aqi", reason)
    obs, stations = run.inp["obs"], run.inp["stations"]
    d = daily(obs)
    run.res.droplog.extend(d.attrs.get("droplog"))
    st = pd.DataFrame(stations[["station", "adcode", "county"]])
    d_aqi = d.assign(aqi=aqi(d)["aqi"].astype(float).to_numpy())
    run.inp["station_aqi"] = d_aqi.groupby("station")["aqi"].mean()
    region = evaluate(d, period="all", by=None)
    ev = evaluate(d, period="all", by="adcode", stations=st)
    league = league_table(ev, names=county_names(run.inp["counties"]), lang=run.lang)
    run.res.tables["league_table"] = league
    run.res.tables["region_evaluation"] = region
    r = region.iloc[0]
    note = t("briefing.aqi.text", run.lang, n_days=int(r["n_days"]), pm25=r["pm25"], good_ratio=r["good_ratio"],
             polluted=int(r["polluted_days"]), heavy=int(r["heavy_days"]))
    aqi_sec = Section("aqi", t("briefing.section.aqi", run.lang), note=note,
                      figures=[_daily_figure(run, d_aqi)], table=league.dropna(axis=1, how="all"),
                      max_rows=60, csv="league_table")
    return [aqi_sec, _budget_section(run, d)]
