"""Step "hotspots": county Gi* hot and cold spots and emerging hot spots on daily county means."""

from __future__ import annotations

import pandas as pd

from .._i18n import t
from ..schema import label
from ._model import Section, _Run
from ._tables import display

__all__ = ["hotspot_sections", "county_means"]


def county_means(obs, stations, pollutant: str) -> pd.DataFrame:
    """Station period means, then county means (µg/m³) with the number of stations."""
    st = obs.groupby("station")[pollutant].mean().rename("value")
    st = stations[["station", "adcode"]].merge(st, left_on="station", right_index=True)
    st = st.dropna(subset=["value"])
    return st.groupby("adcode", as_index=False).agg(value=("value", "mean"), n_stations=("station", "size"))


def _gi_section(run: _Run, g, k: int) -> Section:
    from ..hotspot import local_gi_star
    from ..plot.figures import plot_hotspot_map

    a, lang = run.cfg["analysis"], run.lang
    pol = label(a["pollutant"], lang)
    gi = local_gi_star(g, "value", weights="knn", k=k, permutations=a["permutations"], alternative="two-sided",
                       fdr=True, alpha=a["alpha"], random_state=a["random_state"])
    counties = run.inp["counties"]
    full = counties.merge(gi[["adcode", "value", "n_stations", "gi_z", "p_fdr", "hotspot"]], on="adcode", how="left")
    full["hotspot"] = full["hotspot"].fillna("no data")
    run.res.tables["county_hotspots"] = pd.DataFrame(full.drop(columns="geometry"))
    title = t("briefing.hotspots.figure", lang, pollutant=pol, alpha=a["alpha"])
    fig = plot_hotspot_map(full, "hotspot", points=run.inp["stations"], title=title, lang=lang)
    table = display(gi.sort_values("gi_z", ascending=False),
                    {"adcode": "col.adcode", "label": "col.county", "value": "col.value",
                     "n_stations": "col.n_stations", "gi_z": "col.gi_z", "p_fdr": "col.p_fdr",
                     "hotspot": "col.hotspot"}, lang, values={"hotspot": "class"}, fmt={"value": {"pollutant": pol}})
    note = t("briefing.hotspots.method", lang, k=k, permutations=a["permutations"], pollutant=pol, n=len(g))
    return Section("hotspots", t("briefing.section.hotspots", lang), note=note,
                   figures=[run.figure(fig, "hotspots", title)], table=table, digits=2)


def _daily_county_means(run: _Run, adcodes) -> pd.DataFrame:
    obs, pol = run.inp["obs"], run.cfg["analysis"]["pollutant"]
    day = obs.assign(date=obs["time"].dt.tz_convert("Asia/Shanghai").dt.date)
    sd = day.groupby(["station", "date"])[pol].mean().reset_index()
    sd = sd.merge(run.inp["stations"][["station", "adcode"]], on="station")
    cd = sd.groupby(["adcode", "date"], as_index=False)[pol].mean()
    return cd[cd["adcode"].isin(adcodes)]


def _emerging_section(run: _Run, g, k: int) -> list[Section]:
    from ..hotspot import emerging_hotspots
    from ..plot.figures import plot_hotspot_map

    a, lang = run.cfg["analysis"], run.lang
    cd = _daily_county_means(run, g["adcode"])
    n_days = cd["date"].nunique()
    if n_days < 5:
        return run.omit("emerging", t("briefing.reason.few_days", lang))
    eh = emerging_hotspots(cd, g[["adcode", "name", "geometry"]], a["pollutant"], time="date", weights="knn", k=k,
                           permutations=a["permutations"], alpha=a["ehsa_alpha"], random_state=a["random_state"])
    run.res.droplog.extend(eh.attrs.get("droplog"))
    run.res.tables["emerging"] = pd.DataFrame(eh.drop(columns="geometry"))
    counts = eh["pattern"].value_counts().rename_axis("pattern").reset_index(name="n_counties")
    title = t("briefing.section.emerging", lang)
    classes = run.inp["counties"].merge(eh[["adcode", "pattern"]], on="adcode", how="left")
    fig = plot_hotspot_map(classes.fillna({"pattern": "no data"}), "pattern", title=title, lang=lang)
    table = display(counts, {"pattern": "col.pattern", "n_counties": "col.n_counties"}, lang,
                    values={"pattern": "class"})
    note = t("briefing.emerging.note", lang, n_days=n_days, alpha=a["ehsa_alpha"])
    return [Section("emerging", title, note=note, level=3, figures=[run.figure(fig, "emerging", title)],
                    table=table, digits=0)]


def hotspot_sections(run: _Run) -> list[Section]:
    """Gi* on county period means (counties with stations) and emerging hot spots."""
    from ..hotspot import GRID_CRS

    a = run.cfg["analysis"]
    cv = county_means(run.inp["obs"], run.inp["stations"], a["pollutant"])
    if len(cv) < 5:
        run.omit("emerging", t("briefing.reason.few_counties", run.lang, pollutant=label(a["pollutant"], run.lang)))
        return run.omit("hotspots", run.res.omitted["emerging"])
    g = run.inp["counties"].merge(cv, on="adcode", how="inner").to_crs(GRID_CRS)
    k = min(a["knn"], len(g) - 1)
    return [_gi_section(run, g, k), *_emerging_section(run, g, k)]
