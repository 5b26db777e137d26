"""Source lists as Excel workbooks (first sheet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._common import cannot_read

NAME = "excel"


def sniff(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xls", ".xlsm")


def read(path: Path) -> tuple[Any, None]:
    """The first sheet as a table (no geometry)."""
    import pandas as pd

    try:
        return pd.read_excel(path), None
    except Exception as err:  # noqa: BLE001 - openpyxl/xlrd raise zipfile, XML and their own errors
        raise cannot_read(path, "source workbook", err, "Save the workbook again as .xlsx, or as CSV.") from None
