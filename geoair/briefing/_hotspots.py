"""Step "hotspots": county Gi* hot and cold spots and emerging hot spots on daily county means.

Counties are ranked on the interpolated surface (:func:`geoair.surface.county_means`: daily
block kriging, then the period mean) where the surface module runs; otherwise, or with
``analysis.county_values = "stations"``, on the mean of the stations inside each county. The
section's note says which was used and why.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._i18n import t
from ..schema import label
from ._model import Section, _Run
from ._tables import display

__all__ = ["hotspot_sections", "county_means", "county_values"]

COUNTY_VALUES = ("surface", "stations")


def county_means(obs, stations, pollutant: str) -> pd.DataFrame:
    """Station period means, then county means (µg/m³) with the number of stations."""
    st = obs.groupby("station")[pollutant].mean().rename("value")
    st = stations[["station", "adcode"]].merge(st, left_on="station", right_index=True)
    st = st.dropna(subset=["value"])
    return st.groupby("adcode", as_index=False).agg(value=("value", "mean"), n_stations=("station", "size"))


def _surface_means(run: _Run) -> tuple[pd.DataFrame, list[str]]:
    """Surface county means of counties within the variogram range of a station, and warnings."""
    from ..surface import county_means as surface_county_means

    counties = run.inp["counties"][["adcode", "name", "geometry"]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cv = surface_county_means(run.inp["obs"], run.inp["stations"], counties, run.cfg["analysis"]["pollutant"])
    ours = [w for w in caught if "geoair" in str(w.filename)]
    for w in caught:  # other libraries' warnings go on as they came
        if w not in ours:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    # a county beyond every station's variogram range only gets the regional mean: not ranked
    keep = np.isfinite(cv["value"].to_numpy(dtype=float)) & (cv["n_in_range"].to_numpy() > 0)
    out = cv[keep].reset_index(drop=True)
    out.attrs = cv.attrs
    return out, [str(w.message) for w in ours]


def county_values(run: _Run) -> tuple[pd.DataFrame, str, str, list[str]]:
    """County period means to rank: ``(table, "surface" | "stations", reason, warnings)``.

    The surface (:func:`geoair.surface.county_means`) is used unless the configuration asks
    for station means or it cannot run (missing optional dependency, too few stations or days,
    a failed variogram fit); then the station means (:func:`county_means`) are used and
    ``reason`` (report language) says why.
    """
    from .._validation import check_option

    a, lang = run.cfg["analysis"], run.lang
    how = check_option("analysis.county_values", a.get("county_values", "surface"), COUNTY_VALUES)
    stations = county_means(run.inp["obs"], run.inp["stations"], a["pollutant"])
    if how == "stations":
        return stations, "stations", t("briefing.hotspots.by_config", lang), []
    try:
        cv, caught = _surface_means(run)
    except (ImportError, ValueError, ArithmeticError, RuntimeError) as err:  # GeoairInputError is a ValueError
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return stations, "stations", t("briefing.hotspots.surface_failed", lang, reason=reason), []
    if len(cv) < 5:
        return stations, "stations", t("briefing.hotspots.surface_failed", lang, reason=f"{len(cv)} counties"), []
    cv["basis"] = np.where(cv["observed"].to_numpy(dtype=bool), "monitored", "estimated")
    return cv, "surface", "", caught


def _gi_section(run: _Run, g, k: int, basis: tuple[str, str, list[str]]) -> Section:
    from ..hotspot import local_gi_star
    from ..plot.figures import plot_hotspot_map

    a, lang = run.cfg["analysis"], run.lang
    pol = label(a["pollutant"], lang)
    gi = local_gi_star(g, "value", weights="knn", k=k, permutations=a["permutations"], alternative="two-sided",
                       fdr=True, alpha=a["alpha"], random_state=a["random_state"])
    counties = run.inp["counties"]
    cols = ["adcode", "value", "lower", "upper", "basis", "n_stations", "gi_z", "p_fdr", "hotspot"]
    full = counties.merge(gi[[c for c in cols if c in gi.columns]], on="adcode", how="left")
    full["hotspot"] = full["hotspot"].fillna("no data")
    run.res.tables["county_hotspots"] = pd.DataFrame(full.drop(columns="geometry"))
    title = t("briefing.hotspots.figure", lang, pollutant=pol, alpha=a["alpha"])
    fig = plot_hotspot_map(full, "hotspot", points=run.inp["stations"], title=title, lang=lang)
    table = display(gi.sort_values("gi_z", ascending=False),
                    {"adcode": "col.adcode", "label": "col.county", "value": "col.value",
                     "lower": "col.value_lower", "upper": "col.value_upper", "basis": "col.basis",
                     "n_stations": "col.n_stations", "gi_z": "col.gi_z", "p_fdr": "col.p_fdr",
                     "hotspot": "col.hotspot"}, lang, values={"hotspot": "class", "basis": "basis"},
                    fmt={"value": {"pollutant": pol}})
    how, reason, caught = basis
    note = t("briefing.hotspots.method", lang, k=k, permutations=a["permutations"], pollutant=pol, n=len(g))
    if how == "surface":
        n_est = int((g["basis"] == "estimated").sum())
        note += " " + t("briefing.hotspots.on_surface", lang, n=len(g), n_est=n_est)
    else:
        note += " " + t("briefing.hotspots.on_stations", lang, reason=reason)
    return Section("hotspots", t("briefing.section.hotspots", lang), note=note, warnings=caught,
                   figures=[run.figure(fig, "hotspots", title)], table=table, digits=2, csv="county_hotspots")


def _daily_county_means(run: _Run, adcodes, cv: pd.DataFrame) -> pd.DataFrame:
    obs, pol = run.inp["obs"], run.cfg["analysis"]["pollutant"]
    if "daily" in cv.attrs:  # the surface's daily county estimates
        from ..surface import county_daily

        cd = county_daily(cv.attrs["daily"], value=pol)
        return cd[cd["adcode"].isin(adcodes)][["adcode", "date", pol]]
    day = obs.assign(date=obs["time"].dt.tz_convert("Asia/Shanghai").dt.date)
    sd = day.groupby(["station", "date"])[pol].mean().reset_index()
    sd = sd.merge(run.inp["stations"][["station", "adcode"]], on="station")
    cd = sd.groupby(["adcode", "date"], as_index=False)[pol].mean()
    return cd[cd["adcode"].isin(adcodes)]


def _emerging_section(run: _Run, g, k: int, cv: pd.DataFrame) -> list[Section]:
    from ..hotspot import emerging_hotspots
    from ..plot.figures import plot_hotspot_map

    a, lang = run.cfg["analysis"], run.lang
    cd = _daily_county_means(run, g["adcode"], cv)
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
    cv, how, reason, caught = county_values(run)
    if len(cv) < 5:
        run.omit("emerging", t("briefing.reason.few_counties", run.lang, pollutant=label(a["pollutant"], run.lang)))
        return run.omit("hotspots", run.res.omitted["emerging"])
    g = run.inp["counties"].merge(cv, on="adcode", how="inner").to_crs(GRID_CRS)
    k = min(a["knn"], len(g) - 1)
    return [_gi_section(run, g, k, (how, reason, caught)), *_emerging_section(run, g, k, cv)]
