"""One renderer: sections (data) -> ``briefing.html`` through the autoescaped Jinja2 templates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._i18n import t
from .._templates import render
from ._model import Section

__all__ = ["render_report", "table_view", "report_text"]


def _cell(v, digits: int) -> tuple[str, bool]:
    """Display text of one table cell and whether it is a number (right-aligned)."""
    if v is None or v is pd.NA or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
        return "", False
    if isinstance(v, (bool, np.bool_)):
        return str(v), False
    if isinstance(v, (float, np.floating)):
        return f"{v:.{digits}f}", True
    if isinstance(v, (int, np.integer)):
        return str(v), True
    return str(v), False


def table_view(df: pd.DataFrame, digits: int | dict = 1, max_rows: int = 30) -> dict:
    """Headers, rows of ``(text, is_number)`` and the truncation count of a display table.

    Columns with nothing in them (e.g. year-on-year change from a single period) are left out.
    """
    df = df.dropna(axis=1, how="all")
    per_col = digits if isinstance(digits, dict) else {}
    default = 1 if isinstance(digits, dict) else digits
    cols = list(df.columns)
    rows = [[_cell(v, per_col.get(c, default)) for c, v in zip(cols, row, strict=True)]
            for row in df.head(max_rows).itertuples(index=False)]
    return {"headers": [str(c) for c in cols], "rows": rows, "total": len(df), "shown": len(rows)}


def report_text(sections: list[Section], lang: str) -> str:
    """Every text the report can show (its sections and the report's own labels), for the font subset."""
    from .._i18n import LABELS

    parts = [v[lang] for k, v in LABELS.items() if k.startswith(("briefing.", "step."))]
    for s in sections:
        parts += [s.title, s.note, *s.warnings, *(text for _, text in s.links)]
        if s.table is not None:
            parts += [str(c) for c in s.table.columns] + [str(v) for v in s.table.head(s.max_rows).to_numpy().ravel()]
    return " ".join(parts)


def _context(sections: list[Section], lang: str) -> list[dict]:
    out = []
    for s in sections:
        tbl = table_view(s.table, s.digits, s.max_rows) if s.table is not None and len(s.table.columns) else None
        more = (t("briefing.rows_shown", lang, n=tbl["shown"], total=tbl["total"], file=f"tables/{s.csv}.csv")
                if tbl and s.csv and tbl["total"] > tbl["shown"] else "")
        out.append({"section": s, "table": tbl, "more": more})
    return out


def render_report(sections: list[Section], *, period: str, omitted: dict, timings: dict, lang: str,
                  version: str) -> str:
    """The full HTML page (CSS and a CJK font subset inline, no external request)."""
    from importlib import resources

    from markupsafe import Markup

    from ..plot._webfont import FAMILY, font_face_css

    def tr(key, **fmt):
        return t(key, lang, **fmt)

    run_time = " · ".join(t("briefing.seconds", lang, name=t(f"step.{k}", lang), value=v) for k, v in timings.items())
    body = render("briefing_body.html.j2", t=tr, sections=_context(sections, lang), period=period,
                  omitted=[(t(f"briefing.section.{k}", lang), v) for k, v in omitted.items()],
                  run_time=run_time, version=version)
    css = resources.files("geoair").joinpath("templates", "briefing.css").read_text(encoding="utf-8")
    font_css = font_face_css(body + tr("briefing.title"))
    return render("briefing.html.j2", t=tr, html_lang="zh-CN" if lang == "zh" else "en", body=Markup(body),
                  css=Markup(css), font_css=Markup(font_css), family=FAMILY)
