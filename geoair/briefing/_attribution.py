"""Step "attribution": source-category shares (SourceAttribution), by county, and episodes."""

from __future__ import annotations

import warnings

import pandas as pd

from .._i18n import has, t
from ._model import Section, _Run
from ._tables import display

__all__ = ["attribution_sections"]


def _fit(run: _Run):
    """Fit SourceAttribution; its warnings (e.g. no wind) go to the report, not to stderr."""
    from ..apportion import SourceAttribution

    a = run.cfg["analysis"]
    obs, fires = run.inp["obs"], run.inp["fires"]
    # fires only when they overlap the observation period (the bundled FIRMS week is 2022)
    if len(fires) and len(obs):
        ft = pd.to_datetime(fires["time"])
        fires = fires[(ft >= obs["time"].min()) & (ft <= obs["time"].max())]
    model = SourceAttribution(n_bootstrap=a["n_bootstrap"], random_state=a["random_state"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(obs, stations=run.inp["stations"], sources=run.inp["sources"],
                  fires=fires if len(fires) else None, wind=run.inp.get("wind"))
    return model, sorted({str(w.message) for w in caught})


def _plain(df) -> pd.DataFrame:
    """A copy without ``attrs`` (a DropLog in attrs breaks pandas merges and casts, issue 11.5)."""
    out = pd.DataFrame(df).copy()
    out.attrs = {}
    return out


def _county_shares(run: _Run, shares: pd.DataFrame) -> pd.DataFrame:
    """Mean station share (%) per county ("city county") and category."""
    st = pd.DataFrame(run.inp["stations"][["station", "county_label"]]).rename(columns={"county_label": "county"})
    per_station = _plain(shares[shares["station"] != "all"]).merge(st, on="station")
    return per_station.pivot_table(index="county", columns="category", values="share", aggfunc="mean") * 100.0


def _shares_figure(run: _Run, county_sh: pd.DataFrame) -> list:
    if not len(county_sh):
        return []
    from ..plot.figures import plot_stacked_shares

    title = t("briefing.attribution.figure", run.lang)
    fig = plot_stacked_shares(county_sh, lang=run.lang, figsize=(8, max(4, 0.25 * len(county_sh))), title=title)
    return [run.figure(fig, "shares", title)]


def _top_sources(run: _Run, scores: pd.DataFrame) -> dict:
    """Station -> names of its three largest contributing sources (for the map popups)."""
    names = _plain(run.inp["sources"][["source_id", "name"]]).astype({"source_id": str})
    top = (_plain(scores[["source_id", "station", "contribution"]]).astype({"source_id": str})
           .sort_values("contribution", ascending=False)
           .merge(names, on="source_id", how="left").groupby("station").head(3))
    return top.groupby("station")["name"].apply(lambda x: ", ".join(map(str, x))).to_dict()


def _episodes(run: _Run, episodes: pd.DataFrame) -> Section:
    cols = [c for c in episodes.columns if c not in ("station", "time")]
    st = pd.DataFrame(run.inp["stations"][["station", "county_label"]])
    hours = _plain(episodes).merge(st, on="station").groupby("county_label")[cols].sum()
    hours = hours[hours.sum(axis=1) > 0].reset_index().rename(columns={"county_label": "county"})
    run.res.tables["episodes_by_county"] = hours
    headers = {"county": "col.county", **{c: f"episode.{c}" for c in cols if has(f"episode.{c}")}}
    return Section("episodes", t("briefing.section.episodes", run.lang), level=3,
                   table=display(hours, headers, run.lang), digits=0, max_rows=60, csv="episodes_by_county")


def attribution_sections(run: _Run) -> list[Section]:
    """Network shares with intervals, shares per county (figure) and episode hours per county."""
    try:
        from ..apportion import SourceAttribution  # noqa: F401
    except ImportError:
        reason = t("briefing.reason.not_in_build", run.lang, module="geoair.apportion")
        run.omit("episodes", reason)
        return run.omit("attribution", reason)
    lang = run.lang
    model, fit_warnings = _fit(run)
    run.inp["source_scores"] = model.source_scores_
    run.inp["station_top_sources"] = _top_sources(run, model.source_scores_)
    county_sh = _county_shares(run, model.shares_)
    run.res.tables["shares_by_county"] = county_sh.reset_index()
    allsh = _plain(model.shares_[model.shares_["station"] == "all"])
    allsh[["share", "lower", "upper"]] = allsh[["share", "lower", "upper"]] * 100.0
    table = display(allsh, {"category": "col.category", "share": "col.share", "lower": "col.lower",
                            "upper": "col.upper"}, lang, values={"category": "category"})
    wind = t(f"briefing.wind.{model.wind_source_}", lang)
    note = t("briefing.attribution.note", lang, n_bootstrap=run.cfg["analysis"]["n_bootstrap"], wind=wind)
    main = Section("attribution", t("briefing.section.attribution", lang), note=note, table=table,
                   warnings=fit_warnings, figures=_shares_figure(run, county_sh))
    return [main, _episodes(run, model.episodes_)]
