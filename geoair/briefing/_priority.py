"""Step "priority": the inspectors' list (sources with attribution evidence, fire clusters)."""

from __future__ import annotations

import pandas as pd

from .._i18n import t
from ._model import Section, _Run

__all__ = ["priority_sections"]

_SHOWN = ("rank", "level", "group", "name", "kind", "city", "county", "station_name", "distance_km", "bearing",
          "lon_gcj02", "lat_gcj02", "score", "score_unit", "evidence")


def priority_sections(run: _Run) -> list[Section]:
    """Rank, export (xlsx with a "how to read" sheet, csv, geojson) and show the top rows."""
    from ..priority import PRIORITY_COLUMNS, _translated, export_priority, priority_list

    lang, scores = run.lang, run.inp.get("source_scores")
    table = priority_list(scores, run.inp["sources"] if scores is not None else None, run.inp["counties"],
                          stations=run.inp["stations"], fire_clusters=run.inp.get("fire_clusters"), lang=lang)
    run.res.droplog.extend(table.attrs.get("droplog"))
    run.inp["priority"] = table
    run.res.tables["priority"] = pd.DataFrame(table.drop(columns="geometry"))
    files = export_priority(table, run.out_dir, lang=lang)
    run.res.files.update({f"priority_{k}": v for k, v in files.items()})
    shown = _translated(table, lang)[list(_SHOWN)]
    shown = shown.rename(columns={c: PRIORITY_COLUMNS[c][lang] for c in _SHOWN})
    note = t("briefing.priority.note" if scores is not None else "briefing.priority.note_fires", lang)
    digits = {PRIORITY_COLUMNS[c][lang]: 6 for c in ("lon_gcj02", "lat_gcj02")}
    return [Section("priority", t("briefing.section.priority", lang), note=note, table=shown, digits=digits,
                    links=[(p.name, p.name) for p in files.values()], csv="priority")]
