"""Step "fires": FIRMS quality control, space-time clusters, counts and density per county."""

from __future__ import annotations

import pandas as pd

from .._i18n import t
from .._validation import DropLog
from ._model import Section, _Run
from ._tables import display

__all__ = ["fire_sections"]


def _qc(run: _Run):
    """Fires inside the region after quality control; the QC drops go to the briefing's log."""
    from ..hotspot import assign_county, qc_fires

    a = run.cfg["analysis"]
    fires = assign_county(run.inp["fires"], run.inp["counties"])
    inside = fires[fires["adcode"].notna()].reset_index(drop=True)
    # fires outside the region are out of scope, not dropped: keep only the reader's log
    inside.attrs["droplog"] = DropLog().extend(run.inp["fires"].attrs.get("droplog"))
    qc = qc_fires(inside, min_confidence=a["fire_min_confidence"], static="drop")
    run.res.droplog.extend(qc.attrs["droplog"])  # QC's own drops (the reader's are already there)
    return inside, qc


def _figures(run: _Run, qc, counts) -> list:
    from ..hotspot import fire_density
    from ..plot.figures import plot_bar, plot_density

    figs = []
    names = dict(zip(run.inp["counties"]["adcode"].astype(str), run.inp["counties"]["label"], strict=False))
    by_county = counts.assign(label=counts["adcode"].astype(str).map(names)).groupby("label")["n_fires"].sum()
    by_county = by_county[by_county > 0]
    if len(by_county):
        title = t("briefing.fires.bar_title", run.lang)
        fig = plot_bar(by_county, title=title, xlabel=t("briefing.fires.bar_x", run.lang), color="#b30000")
        figs.append(run.figure(fig, "fires", title))
    if len(qc) >= 3:
        title = t("briefing.fires.density", run.lang)
        dens = fire_density(qc, bandwidth_km=10.0, cell_km=3.0, extent=tuple(run.inp["counties"].total_bounds))
        figs.append(run.figure(plot_density(dens, run.inp["counties"], title=title), "fire_density", title))
    return figs


def fire_sections(run: _Run) -> list[Section]:
    """Detections, QC, DBSCAN clusters, counts per county (with the previous year when present)."""
    from ..hotspot import fire_clusters, fire_counts

    a, lang = run.cfg["analysis"], run.lang
    inside, qc = _qc(run)
    _, clusters = fire_clusters(qc, eps_km=a["fire_eps_km"], window_hours=a["fire_window_hours"],
                                min_samples=a["fire_min_samples"])
    counts = fire_counts(qc, run.inp["counties"])
    run.res.tables["fire_counts"] = counts
    run.res.tables["fire_clusters"] = pd.DataFrame(clusters.drop(columns="geometry"))
    run.inp["fires_qc"], run.inp["fire_clusters"] = qc, clusters
    span = "—"
    if len(qc):
        tq = pd.to_datetime(qc["time"])
        span = f"{tq.min():%Y-%m-%d} – {tq.max():%Y-%m-%d}"
    yoy = bool(counts["n_prev"].notna().any())
    note = t("briefing.fires.text", lang, n_all=len(inside), span=span, n_qc=len(qc),
             conf=a["fire_min_confidence"], n_clusters=len(clusters), eps=a["fire_eps_km"],
             hours=a["fire_window_hours"], min_samples=a["fire_min_samples"])
    if not yoy:
        note += " " + t("briefing.fires.no_yoy", lang)
    names = dict(zip(run.inp["counties"]["adcode"].astype(str), run.inp["counties"]["label"], strict=False))
    tab = counts[counts["n_fires"] > 0].assign(county=lambda x: x["adcode"].astype(str).map(names))
    cols = {"adcode": "col.adcode", "county": "col.county", "period": "col.period", "n_fires": "col.n_fires"}
    if yoy:
        cols.update({"n_prev": "col.n_prev", "change": "col.change", "change_pct": "col.change_pct"})
    return [Section("fires", t("briefing.section.fires", lang), note=note, figures=_figures(run, qc, counts),
                    table=display(tab, cols, lang), digits=1, csv="fire_counts")]
