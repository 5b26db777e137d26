"""Read the filled-in outcome sheets of a round of inspections.

:func:`read_feedback` reads the outcome sheets written by :func:`geoair.dispatch.export_tasks`
(the per-grid workbooks, the ``outcome_<lang>.csv`` file, or any CSV/XLSX with the same
columns, in Chinese or English headers) back into one table with codes: one row per task
and visit. The finding is one of ``violation`` (违法), ``compliant`` (合规), ``not_found`` (未找到)
or ``closed`` (已关停), with common synonyms accepted; a blank finding means "not visited".
A bad value raises :class:`~geoair.GeoairInputError` naming the file (and sheet), the column,
the row and the values accepted.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .._i18n import LABELS
from .._validation import DropLog, GeoairInputError
from .export import FINDINGS, OUTCOME_SHEET

__all__ = ["read_feedback", "FEEDBACK_COLUMNS", "FINDING_ALIASES"]

FEEDBACK_COLUMNS = (*OUTCOME_SHEET, "file", "row")

#: Accepted spellings of each finding (case- and space-insensitive), besides its code and labels.
FINDING_ALIASES = {
    "violation": ("violation", "违法", "违规", "有问题", "存在问题", "查实", "属实", "confirmed"),
    "compliant": ("compliant", "合规", "达标", "无问题", "正常", "未发现问题", "ok"),
    "not_found": ("not_found", "not found", "未找到", "查无", "点位不存在", "不存在"),
    "closed": ("closed", "closed site", "已关停", "关停", "已关闭", "停产", "已停产", "已拆除", "已取缔", "取缔"),
}
_CODE_PREFIX = {"level": "level", "row_kind": "dispatch.kind", "category": "category", "kind": "kind"}


def _norm(v) -> str:
    return re.sub(r"\s+", " ", str(v)).strip().lower()


def _header_map() -> dict[str, str]:
    """Header text (any language, or the code) -> column code."""
    out = {}
    for code in OUTCOME_SHEET:
        out[_norm(code)] = code
        for prefix in ("dispatch.col.", "priority.col.", "dispatch.perf.col."):
            for text in LABELS.get(prefix + code, {}).values():
                out.setdefault(_norm(text), code)
    return out


def _value_map(prefix: str) -> dict[str, str]:
    cut = len(prefix) + 1
    out = {}
    for key, labels in LABELS.items():
        if key.startswith(prefix + "."):
            out[_norm(key[cut:])] = key[cut:]
            out.update({_norm(v): key[cut:] for v in labels.values()})
    return out


def _finding_map() -> dict[str, str]:
    out = _value_map("dispatch.finding")
    for code, names in FINDING_ALIASES.items():
        out.update({_norm(n): code for n in names})
    return out


def _tables(path: Path) -> list[tuple[str, pd.DataFrame]]:
    """(label, raw table) of every outcome table in a file: CSV, or each XLSX sheet with a task id column."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return [(str(path), pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc))]
            except UnicodeDecodeError:
                continue
        raise GeoairInputError("Cannot decode the feedback file.", file=path, fix="Save it as UTF-8 or GB18030.")
    if suffix in (".xlsx", ".xlsm"):
        from .._compat import import_optional

        openpyxl = import_optional("openpyxl", "reading Excel feedback")
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        out = []
        heads = _header_map()
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            if not rows:
                continue
            head = ["" if h is None else str(h) for h in rows[0]]
            codes = {heads.get(_norm(h)) for h in head}
            if {"task_id", "finding"} <= codes:
                out.append((f"{path}[{ws.title}]", pd.DataFrame(rows[1:], columns=head, dtype=object)))
        wb.close()
        return out
    raise GeoairInputError("Unsupported feedback file type.", file=path, received=path.suffix,
                           fix="Pass the outcome workbooks (.xlsx) or a CSV file.")


def _paths(path) -> list[Path]:
    items = path if isinstance(path, list | tuple) else [path]
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix.lower() in (".xlsx", ".xlsm", ".csv")
                          and not q.name.startswith(("summary_", "checklists_", "unassigned_", "tasks_", "~$")))
        elif p.is_file():
            out.append(p)
        else:
            raise GeoairInputError("Feedback file not found.", file=p, fix="Check the path.")
    return out


def _dates(raw: pd.Series, label: str, col: str) -> pd.Series:
    text = raw.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else v)
    text = text.map(lambda v: re.sub(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?", r"\1-\2-\3", v)
                    if isinstance(v, str) else v)
    parsed = pd.Series([pd.to_datetime(v, errors="coerce") if v != "" else pd.NaT for v in text], index=raw.index)
    bad = parsed.isna() & (text != "")
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1).tolist()
        raise GeoairInputError("Visit dates that cannot be read.", file=label, column=col, row=rows,
                               received=text[bad].head(5).tolist(), fix="Write dates as YYYY-MM-DD.")
    return parsed.map(lambda x: x.tz_localize(None).normalize() if pd.notna(x) and x.tzinfo else
                      (x.normalize() if pd.notna(x) else pd.NaT))


def _check_findings(df: pd.DataFrame, raw: pd.Series, label: str, col_of: dict) -> None:
    bad = df["finding"].isna() & raw.map(lambda v: _norm(v) if v is not None else "").ne("").to_numpy()
    if bad.any():
        from .._i18n import t

        ok = [f"{f} / {t(f'dispatch.finding.{f}', 'zh')}" for f in FINDINGS]
        raise GeoairInputError("Unknown inspection finding.", file=label, column=col_of["finding"],
                               row=(np.flatnonzero(bad.to_numpy()) + 1).tolist(), received=raw[bad].head(5).tolist(),
                               fix=f"Use one of {ok} (or leave it blank if not visited).")
    need = df["finding"].notna()
    for col, what in (("visited", "a visit date"), ("task_id", "a task id")):
        miss = need & df[col].isna() if col == "visited" else need & (df[col] == "")
        if miss.any():
            raise GeoairInputError(f"A finding without {what}.", file=label, column=col_of.get(col, col),
                                   row=(np.flatnonzero(miss.to_numpy()) + 1).tolist(),
                                   fix=f"Fill in {what} for every visited task.")


def _one(label: str, raw: pd.DataFrame) -> pd.DataFrame:
    heads = _header_map()
    col_of = {}
    for h in raw.columns:
        code = heads.get(_norm(h))
        if code and code not in col_of:
            col_of[code] = h
    if "task_id" not in col_of or "finding" not in col_of:
        raise GeoairInputError("The feedback table has no task id or finding column.", file=label,
                               received=list(map(str, raw.columns))[:20],
                               fix="Use the outcome sheet written by geoair dispatch (任务编号, 检查结果 ...).")
    df = pd.DataFrame(index=raw.index)
    for code in OUTCOME_SHEET:
        vals = raw[col_of[code]] if code in col_of else pd.Series("", index=raw.index)
        df[code] = vals.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
    fmap = _finding_map()
    df["finding"] = df["finding"].map(lambda v: fmap.get(_norm(v)) if v else None)
    df["visited"] = (_dates(raw[col_of["visited"]], label, col_of["visited"]) if "visited" in col_of
                     else pd.Series(pd.NaT, index=raw.index))
    _check_findings(df, raw[col_of["finding"]], label, col_of)
    for code, prefix in _CODE_PREFIX.items():
        vmap = _value_map(prefix)
        df[code] = df[code].map(lambda v, m=vmap: m.get(_norm(v), v) if v else v)
    for code in ("rank", "score"):
        df[code] = pd.to_numeric(df[code].replace("", np.nan), errors="coerce")
    df["file"], df["row"] = label, np.arange(1, len(df) + 1)
    return df


def read_feedback(path: str | PathLike | list) -> pd.DataFrame:
    """Read filled-in outcome sheets (one file, several, or the export folder).

    Parameters
    ----------
    path : path, folder or list of paths
        ``.xlsx`` workbooks (every sheet with a task id and a finding column is read),
        ``.csv`` files (UTF-8 or GB18030), or the folder written by
        :func:`geoair.dispatch.export_tasks` (its outcome sheets and ``outcome_*.csv``).

    Returns
    -------
    DataFrame
        :data:`FEEDBACK_COLUMNS`: ``task_id, source_id, grid_id, name, level, row_kind,
        category, kind`` (codes), ``rank``, ``score``, ``visited`` (date), ``finding`` (code,
        ``None`` when not visited), ``action, note, inspector``, ``file`` and ``row`` (1-based
        data row). A task with a finding is not repeated by a blank copy of it in another file;
        blank copies and exact duplicate visits are dropped and recorded, by file and row, in
        ``attrs["droplog"]`` (so every non-blank input row is either returned or logged).

    Raises
    ------
    GeoairInputError
        An unknown finding, a finding without a visit date or task id, an unreadable date, a
        file without task id and finding columns - naming the file (and sheet), column and
        rows.
    """
    log = DropLog()
    parts = [_one(label, raw) for p in _paths(path) for label, raw in _tables(p)]
    parts = [p for p in parts if len(p)]
    if not parts:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in FEEDBACK_COLUMNS})
        out.attrs["droplog"] = log
        return out
    df = pd.concat(parts, ignore_index=True)
    df = df[(df["task_id"] != "") | df["finding"].notna()]  # wholly blank lines are not rows
    visited_ids = set(df.loc[df["finding"].notna(), "task_id"])
    drops = {
        "blank copy of a task whose visit is recorded in another row":
            df["finding"].isna() & df["task_id"].isin(visited_ids),
        "duplicate visit (same task, date and finding)":
            df.duplicated(["task_id", "visited", "finding"], keep="first") & df["finding"].notna(),
    }
    drops["blank copy of a task listed in another row"] = (
        df["finding"].isna() & ~drops["blank copy of a task whose visit is recorded in another row"]
        & df.duplicated("task_id"))
    for reason, mask in drops.items():
        for label, g in df[mask].groupby("file"):
            log.add(reason, g["row"].to_numpy(), file=label, stage="read_feedback")
    keep = ~np.logical_or.reduce([m.to_numpy() for m in drops.values()])
    df = df[keep].reset_index(drop=True)
    df = df[list(FEEDBACK_COLUMNS)]
    df.attrs["droplog"] = log
    return df
