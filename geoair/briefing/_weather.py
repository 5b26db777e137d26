"""Step "weather": the county league table ranked on observed and weather-normalised PM2.5.

The weather adjustment (:mod:`geoair.deweather`, Grange et al. 2018) needs station meteorology
and a record long enough for the ranked year's weather to be one sample among several: the
step runs when the observations carry meteorology and span at least two years, and is listed
under "Sections not produced" with the reason otherwise (the bundled month has neither).
"""

from __future__ import annotations

import warnings

import pandas as pd

from .._i18n import t
from ._model import Section, _Run
from ._tables import county_names

__all__ = ["weather_sections", "MIN_DAYS"]

#: Shortest record (days) for a weather-adjusted ranking of its last 365 days.
MIN_DAYS = 730


def _why_not(obs: pd.DataFrame, pollutant: str, lang: str) -> str | None:
    """Reason (report language) the weather adjustment cannot run, or None."""
    from ..deweather._features import resolve_met  # light: no scikit-learn

    if pollutant != "pm25":
        return t("briefing.reason.weather_pollutant", lang)
    if not resolve_met(obs, "auto"):
        return t("briefing.reason.weather_no_met", lang)
    span = (obs["time"].max() - obs["time"].min()) / pd.Timedelta(days=1) if len(obs) else 0.0
    if span < MIN_DAYS:
        return t("briefing.reason.weather_short", lang, days=int(span), min_days=MIN_DAYS)
    return None


def weather_sections(run: _Run) -> list[Section]:
    """League table of the last 365 days with observed and weather-adjusted PM2.5 ranks."""
    obs, stations = run.inp["obs"], run.inp["stations"]
    reason = _why_not(obs, run.cfg["analysis"]["pollutant"], run.lang)
    if reason is not None:
        return run.omit("weather", reason)
    from ..deweather import DeweatherWarning, normalise
    from ..standards import daily, evaluate, league_table

    st = pd.DataFrame(stations[["station", "adcode"]]).astype({"station": str})
    end = obs["time"].max()
    start = (end - pd.Timedelta(days=365)).normalize() + pd.Timedelta(days=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeweatherWarning)
        res = normalise(obs, "pm25", random_state=run.cfg["analysis"]["random_state"])
    run.res.droplog.extend(res.attrs.get("droplog"))
    d = daily(obs)
    ev = evaluate(d, period=(start.tz_localize(None), end.tz_localize(None)), by="adcode",
                  stations=st)
    league = league_table(ev, names=county_names(run.inp["counties"]), lang=run.lang,
                          sort_by="pm25", adjust="weather", normalised=res, stations=st)
    run.res.tables["league_table_weather"] = league
    perf = res.attrs["performance"]
    note = t("briefing.weather.note", run.lang, start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}",
             n_ok=int((perf["status"] == "ok").sum()), n=len(perf),
             r2=float(perf["r2"].median()))
    return [Section("weather", t("briefing.section.weather", run.lang), note=note,
                    table=league.dropna(axis=1, how="all"), max_rows=60,
                    csv="league_table_weather", warnings=[str(w.message) for w in caught])]
