"""Step "feedback": last round's inspection results (hit rate per level, category, score decile)."""

from __future__ import annotations

import pandas as pd

from .._i18n import has, t
from ._model import Section, _Run
from ._tables import display

__all__ = ["feedback_sections", "feedback_section"]

_COLUMNS = {"by": "dispatch.perf.col.by", "group": "dispatch.perf.col.group", "n_tasks": "dispatch.perf.col.n_tasks",
            "n_visited": "dispatch.perf.col.n_visited", "n_decided": "dispatch.perf.col.n_decided",
            "n_violation": "dispatch.perf.col.n_violation", "hit_rate": "dispatch.perf.col.hit_rate",
            "lower": "dispatch.perf.col.lower", "upper": "dispatch.perf.col.upper"}


def _pct(v) -> str:
    return "—" if pd.isna(v) else f"{100 * v:.0f}%"


def feedback_section(feedback: pd.DataFrame, lang: str, *, method: str = "wilson") -> Section:
    """The "last round's results" section from :func:`geoair.dispatch.read_feedback` output."""
    from ..dispatch import list_performance

    perf = list_performance(feedback, method=method)
    overall = perf.iloc[0]
    counts = {c: int(overall[c]) for c in ("n_tasks", "n_visited", "n_violation", "n_compliant", "n_not_found",
                                           "n_closed")}
    note = t("briefing.feedback.text", lang, **counts, rate=_pct(overall["hit_rate"]), lo=_pct(overall["lower"]),
             hi=_pct(overall["upper"]), method=method.capitalize())
    shown = perf.copy()
    shown["by"] = [t(f"dispatch.perf.by.{b}", lang) for b in shown["by"]]
    level = perf["by"] == "level"
    shown.loc[level, "group"] = [t(f"level.{g}", lang) if g in ("red", "yellow", "green") else g
                                 for g in perf.loc[level, "group"]]
    cat = perf["by"] == "category"
    shown.loc[cat, "group"] = [t(f"category.{g}", lang) if has(f"category.{g}") else g
                               for g in perf.loc[cat, "group"]]
    shown.loc[perf["by"] == "all", "group"] = ""
    for c in ("hit_rate", "lower", "upper"):
        shown[c] = shown[c].map(_pct)
    warnings = [] if overall["n_decided"] else [t("briefing.feedback.none", lang)]
    return Section("feedback", t("briefing.section.feedback", lang), note=note, table=display(shown, _COLUMNS, lang),
                   warnings=warnings, max_rows=60)


def feedback_sections(run: _Run) -> list[Section]:
    """Section when ``[data] feedback`` names the filled-in outcome sheets of the last round."""
    path = run.cfg["data"].get("feedback")
    if not path:
        return []
    from ..dispatch import list_performance, read_feedback

    feedback = read_feedback(path)
    run.res.droplog.extend(feedback.attrs.get("droplog"))
    run.res.tables["feedback_performance"] = list_performance(feedback)
    return [feedback_section(feedback, run.lang)]
