"""Source lists as CSV (UTF-8 or GB18030, optionally compressed): the fallback layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._common import read_csv_checked

NAME = "csv"


def sniff(path: Path) -> bool:
    """Any file that is not a spreadsheet or a vector file is read as CSV."""
    return True


def read(path: Path) -> tuple[Any, None]:
    """The table; CSV has no geometry."""
    return read_csv_checked(path, "source list"), None
