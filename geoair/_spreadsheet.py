"""Text that stays text in spreadsheets: CSV and Excel cells that cannot become formulas.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and WPS as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). Names,
addresses and evidence come from input files, so every text cell is neutralised:

- CSV: such a cell gets a leading apostrophe (OWASP "CSV injection" rule), the rest of the text
  unchanged; numbers are left alone.
- XLSX: text cells are written with the string type (``data_type "s"``) and the quote-prefix
  style, so the text shows exactly as given and is never evaluated.

References
----------
OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection).
ECMA-376 Part 1, §18.3.1.4 (cell type ``s``) and §18.8.45 (``quotePrefix``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["FORMULA_PREFIXES", "csv_safe", "write_text_cell", "is_formula_like"]

#: First characters that make a spreadsheet cell a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """Whether a text value would be read as a formula by a spreadsheet."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and headers) cannot start a formula in a spreadsheet."""
    out = pd.DataFrame(df).copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.map(lambda v: "'" + v if is_formula_like(v) else v)
    out.columns = ["'" + c if is_formula_like(c) else c for c in map(str, out.columns)]
    return out


def write_text_cell(ws, row: int, col: int, value):
    """Write ``value`` into an openpyxl worksheet; text is always stored as text, never a formula."""
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return ws.cell(row=row, column=col)
    if isinstance(value, np.generic):
        value = value.item()
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes "=..." a formula; force the string type
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell
