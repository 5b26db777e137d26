"""Input checks shared by every reader and analysis: errors that say where and how to fix, and the DropLog.

Nothing in geoair drops a row silently. A reader or analysis that removes rows (or masks
values) records them in a :class:`DropLog` with a reason, and attaches the log to its
result as ``result.attrs["droplog"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pandas is imported lazily: `import geoair` must stay fast
    import pandas as pd

__all__ = [
    "GeoairInputError",
    "CRSMismatchError",
    "DropLog",
    "require_columns",
    "check_option",
    "get_droplog",
]


class GeoairInputError(ValueError):
    """Bad input, with where it is and how to fix it.

    Parameters
    ----------
    message : str
        What is wrong.
    file : str or path-like, optional
        The file the input came from.
    column : str, optional
        The offending column.
    row : int or sequence of int, optional
        Row number(s) in the file (1-based data rows, header excluded) or frame index.
    received : object, optional
        What was received (a value, a dtype, a list of columns).
    fix : str, optional
        How to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike | None = None,
        column: str | None = None,
        row: int | Sequence[int] | None = None,
        received: Any = None,
        fix: str | None = None,
    ):
        self.file = None if file is None else str(file)
        self.column = column
        self.row = row
        self.received = received
        self.fix = fix
        parts = [message]
        where = []
        if self.file is not None:
            where.append(f"file {self.file!r}")
        if column is not None:
            where.append(f"column {column!r}")
        if row is not None:
            where.append(f"row {_format_rows(row)}")
        if where:
            parts.append("Where: " + ", ".join(where) + ".")
        if received is not None:
            parts.append(f"Received: {_short(received)}.")
        if fix:
            parts.append(f"Fix: {fix}")
        super().__init__(" ".join(parts))


class CRSMismatchError(GeoairInputError):
    """Two inputs are in different coordinate reference systems."""


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _format_rows(row: int | Sequence[int]) -> str:
    if isinstance(row, (int, np.integer)):
        return str(int(row))
    rows = [int(r) for r in row]
    head = ", ".join(str(r) for r in rows[:5])
    return head + (f" (and {len(rows) - 5} more)" if len(rows) > 5 else "")


@dataclass
class DropLog:
    """Every row (or value) removed from an input, with the reason.

    Entries are grouped: one entry holds a reason, the file, the column (``None`` when the
    whole row was removed) and the row numbers it concerns.

    Examples
    --------
    >>> log = DropLog()
    >>> log.add("duplicate station-hour", rows=[4, 9], file="a.csv")
    >>> log.total()
    2
    """

    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        reason: str,
        rows: Iterable[int] | np.ndarray | int,
        *,
        file: str | PathLike | None = None,
        column: str | None = None,
        values: Iterable[Any] | None = None,
    ) -> None:
        """Record that ``rows`` were dropped (or, with ``column``, that those cells were masked).

        Parameters
        ----------
        reason : str
            Why, in words a user understands.
        rows : int or array-like of int
            Row numbers in the input (file data rows, 1-based) or frame positions.
        file : str, optional
            Source file.
        column : str, optional
            The column whose values were masked; ``None`` means whole rows were removed.
        values : array-like, optional
            The offending values (kept for the first few rows only, as evidence).
        """
        rows_arr = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if rows_arr.size == 0:
            return
        sample = None if values is None else list(np.asarray(list(values), dtype=object)[:5])
        self.entries.append(
            {
                "reason": reason,
                "file": None if file is None else str(file),
                "column": column,
                "rows": rows_arr,
                "sample_values": sample,
            }
        )

    def extend(self, other: DropLog | None) -> DropLog:
        """Append another log's entries (in place) and return self."""
        if other is not None:
            self.entries.extend(other.entries)
        return self

    def total(self, *, rows_only: bool = False) -> int:
        """Number of dropped rows (and masked values unless ``rows_only``)."""
        return int(
            sum(
                e["rows"].size
                for e in self.entries
                if not rows_only or e["column"] is None
            )
        )

    def __len__(self) -> int:
        return self.total()

    def __bool__(self) -> bool:
        return bool(self.entries)

    def summary(self) -> pd.DataFrame:
        """Counts per file, column and reason (``n`` = rows or values)."""
        import pandas as pd

        cols = ["file", "column", "reason", "n"]
        if not self.entries:
            return pd.DataFrame(columns=cols)
        df = pd.DataFrame(
            [
                {
                    "file": e["file"] or "",
                    "column": e["column"] or "(row)",
                    "reason": e["reason"],
                    "n": e["rows"].size,
                }
                for e in self.entries
            ]
        )
        return df.groupby(["file", "column", "reason"], as_index=False, sort=False)["n"].sum()

    def to_frame(self) -> pd.DataFrame:
        """One line per dropped row/value: file, row, column, reason."""
        import pandas as pd

        cols = ["file", "row", "column", "reason"]
        if not self.entries:
            return pd.DataFrame(columns=cols)
        parts = [
            pd.DataFrame(
                {
                    "file": e["file"],
                    "row": e["rows"],
                    "column": e["column"],
                    "reason": e["reason"],
                }
            )
            for e in self.entries
        ]
        return pd.concat(parts, ignore_index=True)[cols]

    def __repr__(self) -> str:
        if not self.entries:
            return "DropLog(empty)"
        lines = [f"DropLog({self.total()} dropped)"]
        for rec in self.summary().itertuples(index=False):
            lines.append(f"  {rec.n:>8}  {rec.column:<12} {rec.reason}  [{rec.file}]")
        return "\n".join(lines)


def get_droplog(obj: Any) -> DropLog:
    """Return the DropLog attached to a result (an empty one if none)."""
    attrs = getattr(obj, "attrs", None) or {}
    log = attrs.get("droplog")
    return log if isinstance(log, DropLog) else DropLog()


def require_columns(
    df: pd.DataFrame,
    columns: Iterable[str],
    *,
    file: str | PathLike | None = None,
    what: str = "input",
    fix: str | None = None,
) -> None:
    """Raise :class:`GeoairInputError` naming the missing columns and what is there instead."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise GeoairInputError(
            f"The {what} lacks required column(s) {missing}.",
            file=file,
            column=missing[0],
            received=list(map(str, df.columns))[:30],
            fix=fix or f"Provide columns {list(columns)} (see geoair.schema).",
        )


def check_option(name: str, value: Any, options: Iterable[Any]) -> Any:
    """Raise a ``ValueError`` listing the valid options when ``value`` is not one of them."""
    options = list(options)
    if value not in options:
        raise ValueError(f"{name}={value!r} is not valid. Valid options are {options}.")
    return value
