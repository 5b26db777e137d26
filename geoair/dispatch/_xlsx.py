"""Workbook helpers: text-safe cells in a CJK-capable font, fitted columns, one-page printing.

Every text cell goes through :func:`geoair._spreadsheet.write_text_cell` (stored as text, never
a formula). A workbook has no fonts of its own: the viewer draws the cells with the font named
in their style, falling back on its own choice when it lacks it; the default here,
:data:`DEFAULT_FONT` (Microsoft YaHei, on every Windows since Vista and in WPS), has Chinese and
Latin glyphs, so Chinese headers do not fall back to a Latin-only font.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["DEFAULT_FONT", "write_sheet", "safe_sheet_title"]

#: Font name set on every cell (any CJK-capable font the county's computers have will do).
DEFAULT_FONT = "Microsoft YaHei"
_BAD_TITLE = set('[]:*?/\\')


def safe_sheet_title(title: str, used: set[str]) -> str:
    """An Excel sheet name (<= 31 characters, none of ``[]:*?/\\``), unique within ``used``."""
    base = "".join("_" if ch in _BAD_TITLE else ch for ch in str(title)).strip("'") or "sheet"
    name, k = base[:31], 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f"~{k}"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(name)
    return name


def _width(values) -> int:
    # CJK characters take about two Latin character widths
    return max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(v)) for v in values), default=0)


def write_sheet(ws, df: pd.DataFrame, *, font: str = DEFAULT_FONT, max_width: int = 50, wrap=(),
                links: dict | None = None, landscape: bool = True) -> None:
    """Header and rows as text-safe cells in ``font``; frozen bold header, filter, widths, print setup.

    Parameters
    ----------
    ws : openpyxl worksheet
    df : DataFrame
        Written as is (headers already translated).
    font : str
        Font name of every cell.
    wrap : iterable of str
        Columns whose text wraps.
    links : dict, optional
        Column name -> list of URLs (http/https only) set as cell hyperlinks of that column.
    """
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from .._spreadsheet import write_text_cell

    body, bold = Font(name=font), Font(name=font, bold=True)
    cols = list(df.columns)
    for j, col in enumerate(cols, start=1):
        write_text_cell(ws, 1, j, str(col)).font = bold
    wrap_idx = {cols.index(c) + 1 for c in wrap if c in cols}
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for j, v in enumerate(row, start=1):
            cell = write_text_cell(ws, i, j, v)
            cell.font = body
            if j in wrap_idx:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, urls in (links or {}).items():
        if col in cols:
            j = cols.index(col) + 1
            for i, url in enumerate(urls, start=2):
                if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
                    ws.cell(row=i, column=j).hyperlink = url
    ws.freeze_panes = "A2"
    if cols:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(1, len(df)) + 1}"
    for j, col in enumerate(cols, start=1):
        width = _width([col, *df.iloc[:200, j - 1].tolist()])
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), max_width)
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
