"""Task workbooks per grid, a one-page county summary and the blank outcome sheets.

:func:`export_tasks` writes, atomically into one folder (:mod:`geoair.dispatch._write`):

- ``grids/<grid>.xlsx`` per grid (or ``tasks_<lang>.xlsx`` with a sheet per grid): the tasks
  (place with address, WGS84 and GCJ-02 coordinates and a map link; the suggested window;
  the evidence; what to check; the people responsible), the checklist items of the kinds in
  that grid, and the outcome sheet (task and source ids filled in, visit date / finding /
  action / notes blank, the finding as a drop-down) that :func:`geoair.dispatch.read_feedback`
  reads back;
- ``summary_<lang>.xlsx``: tasks per grid with red/yellow/green counts (printed on one page)
  and the unassigned rows;
- ``tasks_<lang>.csv``, ``outcome_<lang>.csv``, ``unassigned_<lang>.csv`` and
  ``checklists_<lang>.csv`` (UTF-8 with BOM, formula-safe).

Every text cell is stored as text (:mod:`geoair._spreadsheet`): names and addresses from input
files can never become formulas.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd

from .._i18n import has, resolve_lang, t
from .._validation import GeoairInputError, require_columns
from ._rows import plain
from ._xlsx import DEFAULT_FONT

__all__ = ["export_tasks", "task_table", "outcome_table", "county_summary", "DEFAULT_MAP_LINK", "FINDINGS"]

#: Map link of each task: AMap's marker URI (GCJ-02). Fields: ``lon_gcj02, lat_gcj02, lon_wgs84,
#: lat_wgs84, lon_bd09, lat_bd09, name, task_id`` (text fields URL-encoded).
DEFAULT_MAP_LINK = "https://uri.amap.com/marker?position={lon_gcj02},{lat_gcj02}&name={name}"
#: Finding codes of the outcome sheet.
FINDINGS = ("violation", "compliant", "not_found", "closed")

TASK_SHEET = ("task_id", "grid_rank", "level", "row_kind", "kind", "name", "address", "credit_code", "county",
              "lon_wgs84", "lat_wgs84", "lon_gcj02", "lat_gcj02", "map_link", "station", "station_name",
              "distance_km", "bearing", "window_hours", "window_days", "window_share", "overpass", "evidence",
              "checklist", "person", "phone")
OUTCOME_SHEET = ("task_id", "source_id", "grid_id", "name", "level", "row_kind", "category", "kind", "rank",
                 "score", "visited", "finding", "action", "note", "inspector")
_SUMMARY = ("grid_id", "grid_name", "person", "phone", "n_tasks", "n_red", "n_yellow", "n_green", "n_source",
            "n_fire_cluster", "n_station_check")


def header(code: str, lang: str) -> str:
    """Column header of a code (dispatch labels first, then the priority list's)."""
    for key in (f"dispatch.col.{code}", f"priority.col.{code}", f"dispatch.perf.col.{code}"):
        if has(key):
            return t(key, lang)
    return code


def _label(prefix: str, value, lang: str) -> str:
    v = "" if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else str(value)
    return t(f"{prefix}.{v}", lang) if v and has(f"{prefix}.{v}") else v


def _days(code: str, row_kind: str, lang: str) -> str:
    if row_kind == "fire_cluster":
        return t("dispatch.dow.asap", lang)
    if row_kind == "station_check":
        return t("dispatch.dow.any", lang)
    return t(f"dispatch.dow.{code}", lang) if code else ""


def map_links(table: pd.DataFrame, template: str) -> list[str]:
    """The map link of every row from ``template`` (:data:`DEFAULT_MAP_LINK`)."""
    from ..coords import wgs84_to_bd09

    lon = pd.to_numeric(table["lon_wgs84"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(table["lat_wgs84"], errors="coerce").to_numpy(float)
    blon, blat = wgs84_to_bd09(np.nan_to_num(lon), np.nan_to_num(lat))
    out = []
    for i, row in enumerate(table.itertuples(index=False)):
        if not (np.isfinite(lon[i]) and np.isfinite(lat[i])):
            out.append("")
            continue
        fields = {"lon_wgs84": f"{lon[i]:.6f}", "lat_wgs84": f"{lat[i]:.6f}",
                  "lon_gcj02": f"{float(row.lon_gcj02):.6f}", "lat_gcj02": f"{float(row.lat_gcj02):.6f}",
                  "lon_bd09": f"{blon[i]:.6f}", "lat_bd09": f"{blat[i]:.6f}",
                  "name": quote(str(row.name or ""), safe=""), "task_id": quote(str(row.task_id), safe="")}
        try:
            out.append(template.format(**fields))
        except (KeyError, IndexError, ValueError) as err:
            raise GeoairInputError("The map-link template has an unknown field.", received=template,
                                   fix=f"Use only the fields {sorted(fields)} ({err}).") from None
    return out


def _checklist_text(keys, lang: str) -> dict[str, str]:
    from .checklists import checklist

    items = checklist(sorted(set(keys)), lang=lang)
    sep = "；" if lang == "zh" else "; "
    return {k: sep.join(f"{i}. {x}" for i, x in zip(g["item"], g["text"], strict=True))
            for k, g in items.groupby("checklist")}


def task_table(dispatched, *, lang: str | None = None, map_link: str = DEFAULT_MAP_LINK) -> pd.DataFrame:
    """The task sheet of dispatched rows: codes translated, headers in ``lang`` (:data:`TASK_SHEET`)."""
    from .checklists import checklist_key

    lang = resolve_lang(lang)
    df = plain(dispatched.drop(columns="geometry", errors="ignore"))
    require_columns(df, ["task_id", "row_kind", "lon_wgs84", "lat_wgs84", "lon_gcj02", "lat_gcj02"],
                    what="dispatched tasks")
    df = df.reindex(columns=sorted(set(df.columns) | set(TASK_SHEET) | {"category"}, key=str))
    df["map_link"] = map_links(df, map_link)
    keys = [checklist_key(k, c) for k, c in zip(df["kind"], df["category"], strict=True)]
    text = _checklist_text(keys, lang)
    df["checklist"] = [text.get(k, "") for k in keys]
    df["window_days"] = [_days("" if pd.isna(d) else str(d), r, lang)
                         for d, r in zip(df["window_days"], df["row_kind"], strict=True)]
    if df["window_share"].notna().any():
        df["window_share"] = pd.to_numeric(df["window_share"], errors="coerce").round(2)
    for col, prefix in (("level", "level"), ("row_kind", "dispatch.kind"), ("kind", "kind")):
        df[col] = [_label(prefix, v, lang) for v in df[col]]
    flat = df[list(TASK_SHEET)]
    return flat.rename(columns={c: header(c, lang) for c in TASK_SHEET})


def outcome_table(dispatched, *, lang: str | None = None) -> pd.DataFrame:
    """The blank outcome sheet: ids, level, kind and score filled in; the visit columns empty."""
    lang = resolve_lang(lang)
    df = plain(dispatched.drop(columns="geometry", errors="ignore")).reindex(columns=list(OUTCOME_SHEET))
    for c in ("visited", "finding", "action", "note", "inspector"):
        df[c] = ""
    for col, prefix in (("level", "level"), ("row_kind", "dispatch.kind"), ("category", "category"),
                        ("kind", "kind")):
        df[col] = [_label(prefix, v, lang) for v in df[col]]
    return df.rename(columns={c: header(c, lang) for c in OUTCOME_SHEET})


def county_summary(dispatched, *, lang: str | None = None) -> pd.DataFrame:
    """Tasks per grid (every grid of ``attrs["grids"]``, also those without tasks), with totals."""
    lang = resolve_lang(lang)
    df = plain(dispatched.drop(columns="geometry", errors="ignore"))
    grids = dispatched.attrs.get("grids") or {"grid_id": sorted(set(df["grid_id"]) - {""}), "grid_name": None}
    names = grids.get("grid_name") or [""] * len(grids["grid_id"])
    base = pd.DataFrame({"grid_id": grids["grid_id"], "grid_name": names})
    if (df["grid_id"] == "").any():
        base = pd.concat([base, pd.DataFrame({"grid_id": [""], "grid_name": [t("dispatch.unassigned", lang)]})])
    counts = pd.DataFrame({"grid_id": df["grid_id"], "n_tasks": 1})
    for lv in ("red", "yellow", "green"):
        counts[f"n_{lv}"] = (df["level"] == lv).astype(int)
    for k in ("source", "fire_cluster", "station_check"):
        counts[f"n_{k}"] = (df["row_kind"] == k).astype(int)
    per = counts.groupby("grid_id").sum()
    ppl = df.drop_duplicates("grid_id").set_index("grid_id")[["person", "phone"]]
    out = base.merge(per, left_on="grid_id", right_index=True, how="left").merge(
        ppl, left_on="grid_id", right_index=True, how="left")
    num = [c for c in _SUMMARY if c.startswith("n_")]
    out[num] = out[num].fillna(0).astype(int)
    out[["person", "phone"]] = out[["person", "phone"]].fillna("")
    total = {"grid_id": t("dispatch.total", lang), "grid_name": "", "person": "", "phone": "",
             **{c: int(out[c].sum()) for c in num}}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)[list(_SUMMARY)]
    return out.rename(columns={c: header(c, lang) for c in _SUMMARY})


def _file_name(grid: str, used: set[str]) -> str:
    stem = re.sub(r"[^\w.-]+", "_", grid, flags=re.UNICODE).strip("._") or "grid"
    name, k = stem, 2
    while name.lower() in used:
        name, k = f"{stem}_{k}", k + 1
    used.add(name.lower())
    return name


def _grid_sheets(wb, suffix: str, rows: pd.DataFrame, links: list, out_rows: pd.DataFrame, lang: str, font: str,
                 used: set[str]) -> None:
    """Task, checklist and outcome sheets of one grid into workbook ``wb`` (titles end in ``suffix``)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    from ._xlsx import safe_sheet_title, write_sheet
    from .checklists import checklist, checklist_key

    ws = wb.create_sheet(safe_sheet_title(suffix or t("dispatch.sheet.tasks", lang), used))
    write_sheet(ws, rows, font=font, wrap=(header("evidence", lang), header("checklist", lang)),
                links={header("map_link", lang): links})
    keys = [checklist_key(k, c) for k, c in zip(out_rows["_kind"], out_rows["_category"], strict=True)]
    items = checklist(dict.fromkeys(keys), lang=lang)
    items["checklist"] = [_label("dispatch.checklist", k, lang) for k in items["checklist"]]
    items = items.rename(columns={"checklist": header("checklist_key", lang), "item": header("item", lang),
                                  "text": header("text", lang), "basis": header("basis", lang)})
    write_sheet(wb.create_sheet(safe_sheet_title(f"{t('dispatch.sheet.checklist', lang)} {suffix}".strip(), used)), items,
                font=font, wrap=(header("text", lang), header("basis", lang)), landscape=False)
    outcome = out_rows.drop(columns=["_kind", "_category"])
    ws_o = wb.create_sheet(safe_sheet_title(f"{t('dispatch.sheet.outcome', lang)} {suffix}".strip(), used))
    write_sheet(ws_o, outcome, font=font)
    if len(outcome):
        options = ",".join(t(f"dispatch.finding.{f}", lang) for f in FINDINGS)
        dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        col = list(outcome.columns).index(header("finding", lang)) + 1
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}{len(outcome) + 1}")
        ws_o.add_data_validation(dv)


def _howto(lang: str) -> pd.DataFrame:
    options = " / ".join(t(f"dispatch.finding.{f}", lang) for f in FINDINGS)
    keys = [("finding", {"options": options}), ("visited", {}), ("ids", {}), ("closed", {}), ("not_found", {}),
            ("window", {})]
    return pd.DataFrame({t("dispatch.sheet.howto", lang): [t(f"dispatch.howto.{k}", lang, **f) for k, f in keys]})


def _workbook(lang: str, font: str):
    from .._compat import import_optional
    from ._xlsx import write_sheet

    openpyxl = import_optional("openpyxl", "Excel task sheets")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = t("dispatch.sheet.howto", lang)
    write_sheet(ws, _howto(lang), font=font, max_width=100, wrap=(t("dispatch.sheet.howto", lang),), landscape=False)
    return wb


def _write_grids(tmp: Path, dispatched, tasks, outcome, lang, font, per) -> list[str]:
    """Workbooks per grid (or sheets of one workbook); returns the written relative paths."""
    grid = dispatched["grid_id"].to_numpy()
    links = tasks[header("map_link", lang)].tolist()
    outcome = outcome.assign(_kind=dispatched["kind"].to_numpy(), _category=dispatched["category"].to_numpy())
    order = [g for g in dict.fromkeys(grid) if g]
    written, used_files = [], set()
    wb = _workbook(lang, font) if per == "sheet" else None
    used: set[str] = {t("dispatch.sheet.howto", lang)}
    for g in order:
        sel = np.flatnonzero(grid == g)
        if per == "workbook":
            wb, used = _workbook(lang, font), {t("dispatch.sheet.howto", lang)}
        _grid_sheets(wb, g if per == "sheet" else "", tasks.iloc[sel], [links[i] for i in sel], outcome.iloc[sel], lang, font, used)
        if per == "workbook":
            (tmp / "grids").mkdir(exist_ok=True)
            rel = f"grids/{_file_name(g, used_files)}.xlsx"
            wb.save(tmp / rel)
            written.append(rel)
    if per == "sheet":
        wb.save(tmp / f"tasks_{lang}.xlsx")
        written.append(f"tasks_{lang}.xlsx")
    return written


def _write_summary(path: Path, summary: pd.DataFrame, unassigned: pd.DataFrame, lang: str, font: str) -> None:
    from .._compat import import_optional
    from ._xlsx import write_sheet

    openpyxl = import_optional("openpyxl", "Excel task sheets")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = t("dispatch.sheet.summary", lang)
    write_sheet(ws, summary, font=font)
    ws.page_setup.fitToHeight = 1  # one page
    write_sheet(wb.create_sheet(t("dispatch.sheet.unassigned", lang)), unassigned, font=font,
                wrap=(header("evidence", lang),))
    wb.save(path)


def export_tasks(dispatched, out_dir: str | PathLike, *, lang: str | None = None, map_link: str = DEFAULT_MAP_LINK,
                 per: str = "workbook", font: str = DEFAULT_FONT, overwrite: bool = False) -> dict[str, Path]:
    """Write the task workbooks, the county summary and the outcome templates (atomically).

    Parameters
    ----------
    dispatched : GeoDataFrame
        :func:`geoair.dispatch.dispatch` output (with windows joined, when computed).
    out_dir : path
        Output folder: new, empty, or an earlier geoair output (replaced with ``overwrite``).
    lang : {"zh", "en"}, optional
        Language of headers, codes and checklists (default the geoair option).
    map_link : str
        Template of the map link, see :data:`DEFAULT_MAP_LINK` (e.g. Baidu:
        ``"https://api.map.baidu.com/marker?location={lat_bd09},{lon_bd09}&title={name}&content={task_id}&output=html"``).
        Only ``http(s)`` links become clickable.
    per : {"workbook", "sheet"}
        One workbook per grid (``grids/<grid>.xlsx``) or one workbook with sheets per grid.
    font : str
        Font name of every cell (CJK-capable; see :data:`geoair.dispatch._xlsx.DEFAULT_FONT`).
    overwrite : bool
        Replace an earlier geoair output in ``out_dir``.

    Returns
    -------
    dict
        Role -> written path (``summary``, ``tasks_csv``, ``outcome_csv``, ``unassigned_csv``,
        ``checklists_csv``, ``manifest`` and ``grid:<file>`` per workbook).
    """
    from .._spreadsheet import csv_safe
    from ._write import output_folder
    from .checklists import checklist

    lang = resolve_lang(lang)
    if per not in ("workbook", "sheet"):
        from .._validation import check_option

        check_option("per", per, ("workbook", "sheet"))
    writer = output_folder(out_dir, overwrite=overwrite, command="dispatch",
                           config={"lang": lang, "map_link": map_link, "per": per, "font": font})
    tasks, outcome = task_table(dispatched, lang=lang, map_link=map_link), outcome_table(dispatched, lang=lang)
    summary = county_summary(dispatched, lang=lang)
    unassigned = tasks[(dispatched["grid_id"] == "").to_numpy()]
    csv = {"tasks_csv": (f"tasks_{lang}.csv", tasks), "outcome_csv": (f"outcome_{lang}.csv", outcome),
           "unassigned_csv": (f"unassigned_{lang}.csv", unassigned),
           "checklists_csv": (f"checklists_{lang}.csv", checklist(lang=lang))}
    with writer as tmp:
        tmp = Path(tmp)
        grids = _write_grids(tmp, dispatched, tasks, outcome, lang, font, per)
        _write_summary(tmp / f"summary_{lang}.xlsx", summary, unassigned, lang, font)
        for _, (name, frame) in csv.items():
            csv_safe(frame).to_csv(tmp / name, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        writer.droplog = dispatched.attrs.get("droplog") or writer.droplog
    out = Path(out_dir)
    files = {"summary": out / f"summary_{lang}.xlsx", "manifest": out / "manifest.json"}
    files.update({k: out / name for k, (name, _) in csv.items()})
    files.update({f"grid:{Path(g).name}": out / g for g in grids})
    return files
