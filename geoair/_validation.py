"""Input checks shared by every reader and analysis: errors that say where and how to fix, and the DropLog.

Nothing in geoair drops a row silently. A reader or analysis that removes rows (or masks
values) records them in a :class:`DropLog` with a reason, and attaches the log to its
result as ``result.attrs["droplog"]``.

The drop-log rule
-----------------
A result's log holds the drops of **its own step only**; a caller that runs several steps
chains the logs (:meth:`DropLog.chain`), so that nothing is counted twice. Every entry says
which step made it (``stage``: the public function or method, e.g. ``"read_observations"``)
and what its row numbers mean (``index``): ``"file_row"`` = 1-based data rows of ``file``
(header excluded), ``"position"`` = 0-based positions in the frame the step received.

The log is a plain ``list`` of plain ``dict`` records (strings, integers, ``None``), so a
result that carries it still works with ``merge``, ``concat``, ``astype``, ``groupby``,
``to_parquet`` (which JSON-encodes ``attrs``) and ``copy.deepcopy``. After a parquet round
trip ``attrs["droplog"]`` is a plain list; :func:`get_droplog` turns it back into a DropLog.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal

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
    "read_config_file",
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


# ------------------------------------------------------------------------------ DropLog

IndexKind = Literal["file_row", "position"]
_INDEX_KINDS = ("file_row", "position")
_RECORD_KEYS = ("stage", "reason", "file", "column", "index", "n", "rows", "sample_values")


def encode_rows(rows: np.ndarray) -> str:
    """Row numbers as compact text: runs of consecutive numbers become ``a-b`` (``"1-4,9"``).

    The sequence is kept as given (order and repeats), so :func:`decode_rows` gives it back.
    """
    r = np.asarray(rows, dtype=np.int64).ravel()
    if r.size == 0:
        return ""
    if (r < 0).any():
        raise ValueError("DropLog rows must be >= 0 (file rows or frame positions).")
    brk = np.flatnonzero(np.diff(r) != 1) + 1
    starts = r[np.r_[0, brk]].tolist()
    ends = r[np.r_[brk - 1, r.size - 1]].tolist()
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in zip(starts, ends, strict=True))


def decode_rows(text: str) -> np.ndarray:
    """Inverse of :func:`encode_rows`."""
    if not text:
        return np.empty(0, dtype=np.int64)
    parts = []
    for tok in text.split(","):
        a, _, b = tok.partition("-")
        parts.append(np.arange(int(a), int(b or a) + 1, dtype=np.int64))
    return np.concatenate(parts)


def _caller_stage() -> str | None:
    """Qualified name of the innermost public geoair function on the stack (the step)."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("geoair.") and module != __name__:
            parts = module.split(".")[1:] + frame.f_code.co_qualname.split(".")
            if not any(p.startswith("_") or p == "<locals>" for p in parts):
                return frame.f_code.co_qualname
        frame = frame.f_back
    return None


class DropLog(list):
    """Every row (or value) removed from an input, with the reason.

    A ``list`` of plain records (``dict``), one per (step, reason, file, column):

    ``stage``
        the public function that dropped them (e.g. ``"read_observations"``);
    ``reason``
        why, in words a user understands;
    ``file``
        the source file, or ``None``;
    ``column``
        the column whose values were masked; ``None`` means whole rows were removed;
    ``index``
        ``"file_row"`` (1-based data rows of ``file``, header excluded) or ``"position"``
        (0-based positions in the frame the step received);
    ``n``
        how many rows/values;
    ``rows``
        the row numbers as compact text (``"1-4,9"``; :meth:`rows_of` decodes them);
    ``sample_values``
        the first few offending values, as text (evidence).

    Examples
    --------
    >>> log = DropLog()
    >>> log.add("duplicate station-hour", rows=[4, 9], file="a.csv", stage="read_observations")
    >>> log.total()
    2
    >>> log[0]["rows"], log[0]["index"]
    ('4,9', 'file_row')
    """

    def __init__(self, entries: Iterable[dict] | None = None):
        super().__init__()
        self.extend(entries)

    # -- building -----------------------------------------------------------------------
    def add(
        self,
        reason: str,
        rows: Iterable[int] | np.ndarray | int,
        *,
        file: str | PathLike | None = None,
        column: str | None = None,
        values: Iterable[Any] | None = None,
        index: IndexKind | None = None,
        stage: str | None = None,
    ) -> None:
        """Record that ``rows`` were dropped (or, with ``column``, that those cells were masked).

        Parameters
        ----------
        reason : str
            Why, in words a user understands.
        rows : int or array-like of int
            Row numbers: 1-based data rows of ``file`` or 0-based frame positions (see ``index``).
        file : str, optional
            Source file.
        column : str, optional
            The column whose values were masked; ``None`` means whole rows were removed.
        values : array-like, optional
            The offending values (the first five are kept, as text, for evidence).
        index : {"file_row", "position"}, optional
            What ``rows`` counts. Default: ``"file_row"`` when ``file`` is given, else
            ``"position"``.
        stage : str, optional
            The step that dropped them. Default: the innermost public geoair function
            (or ``Class.method``) on the call stack.
        """
        rows_arr = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if rows_arr.size == 0:
            return
        if index is None:
            index = "file_row" if file is not None else "position"
        check_option("index", index, _INDEX_KINDS)
        sample = None
        if values is not None:
            sample = [str(v) for v in list(np.asarray(list(values), dtype=object)[:5])]
        self.append(
            {
                "stage": stage if stage is not None else _caller_stage(),
                "reason": str(reason),
                "file": None if file is None else str(file),
                "column": None if column is None else str(column),
                "index": index,
                "n": int(rows_arr.size),
                "rows": encode_rows(rows_arr),
                "sample_values": sample,
            }
        )

    def extend(self, other: Any) -> DropLog:  # type: ignore[override]
        """Append another log's entries (in place) and return self.

        ``other`` may be a DropLog, a plain list of records (e.g. after a parquet round
        trip), a result carrying ``attrs["droplog"]``, or ``None``.
        """
        if other is None:
            return self
        if hasattr(other, "attrs") or hasattr(other, "droplog_"):
            other = get_droplog(other)
        for rec in other:
            self.append(_as_record(rec))
        return self

    @classmethod
    def chain(cls, *logs: Any) -> DropLog:
        """One log holding the entries of ``logs`` in order (each a log, a result or None).

        This is how a caller combines the logs of the steps it ran (each step's log holds
        only its own drops).
        """
        out = cls()
        for log in logs:
            out.extend(log)
        return out

    @property
    def entries(self) -> DropLog:
        """The records (the log itself; kept for code written against the old API)."""
        return self

    @staticmethod
    def rows_of(entry: dict) -> np.ndarray:
        """The row numbers of one entry as an int64 array."""
        return decode_rows(entry["rows"])

    # -- reading ------------------------------------------------------------------------
    def total(self, *, rows_only: bool = False) -> int:
        """Number of dropped rows (and masked values unless ``rows_only``)."""
        return int(sum(e["n"] for e in self if not rows_only or e["column"] is None))

    def summary(self) -> pd.DataFrame:
        """Counts per step, file, column and reason (``n`` = rows or values)."""
        import pandas as pd

        cols = ["stage", "file", "column", "reason", "index", "n"]
        if not self:
            return pd.DataFrame(columns=cols)
        df = pd.DataFrame(
            [
                {
                    "stage": e["stage"] or "",
                    "file": e["file"] or "",
                    "column": e["column"] or "(row)",
                    "reason": e["reason"],
                    "index": e["index"],
                    "n": e["n"],
                }
                for e in self
            ]
        )
        keys = cols[:-1]
        return df.groupby(keys, as_index=False, sort=False)["n"].sum()

    def to_frame(self) -> pd.DataFrame:
        """One line per dropped row/value: stage, file, index kind, row, column, reason."""
        import pandas as pd

        cols = ["stage", "file", "index", "row", "column", "reason"]
        if not self:
            return pd.DataFrame(columns=cols)
        parts = [
            pd.DataFrame(
                {
                    "stage": e["stage"],
                    "file": e["file"],
                    "index": e["index"],
                    "row": decode_rows(e["rows"]),
                    "column": e["column"],
                    "reason": e["reason"],
                }
            )
            for e in self
        ]
        return pd.concat(parts, ignore_index=True)[cols]

    def to_json(self) -> str:
        """The log as JSON text (for xarray/netCDF attributes, manifests)."""
        return json.dumps(list(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> DropLog:
        """Inverse of :meth:`to_json`."""
        return cls(json.loads(text))

    def __repr__(self) -> str:
        if not self:
            return "DropLog(empty)"
        lines = [f"DropLog({self.total()} dropped)"]
        for rec in self.summary().itertuples(index=False):
            lines.append(f"  {rec.n:>8}  {rec.column:<12} {rec.reason}  [{rec.stage} {rec.file}]")
        return "\n".join(lines)


def _as_record(rec: Any) -> dict:
    """A plain record from a record of this or of the pre-JSON DropLog (rows as an array)."""
    if not isinstance(rec, dict) or "reason" not in rec or "rows" not in rec:
        raise TypeError(f"Not a DropLog record: {_short(rec)}")
    rows = rec["rows"]
    if not isinstance(rows, str):
        arr = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        rows, n = encode_rows(arr), int(arr.size)
    else:
        n = int(rec.get("n", decode_rows(rows).size))
    sample = rec.get("sample_values")
    index = rec.get("index") or ("file_row" if rec.get("file") is not None else "position")
    return {
        "stage": rec.get("stage"),
        "reason": str(rec["reason"]),
        "file": rec.get("file"),
        "column": rec.get("column"),
        "index": index,
        "n": n,
        "rows": rows,
        "sample_values": None if sample is None else [str(v) for v in sample],
    }


def get_droplog(obj: Any) -> DropLog:
    """Return the DropLog attached to a result (an empty one if none).

    Understands ``attrs["droplog"]`` of a pandas/GeoPandas object or an xarray Dataset
    (where it is JSON text), a plain list after a parquet round trip, and a fitted
    estimator's ``droplog_``.
    """
    if isinstance(obj, DropLog):
        return obj
    attrs = getattr(obj, "attrs", None)
    log = attrs.get("droplog") if isinstance(attrs, dict) else getattr(obj, "droplog_", None)
    if log is None:
        return DropLog()
    if isinstance(log, DropLog):
        return log
    if isinstance(log, str):
        return DropLog.from_json(log)
    return DropLog(log)


# ------------------------------------------------------------------------ other checks


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
    """Return ``value`` if it is one of ``options``, else raise :class:`GeoairInputError`.

    The error (a ``ValueError``) names the parameter and lists the valid options.
    """
    options = list(options)
    try:
        ok = value in options
    except TypeError:  # unhashable or uncomparable value
        ok = False
    if not ok:
        raise GeoairInputError(
            f"{name}={value!r} is not valid. Valid options are {options}.",
            received=value,
            fix=f"Use one of {options}.",
        )
    return value


def read_config_file(path: str | PathLike) -> dict:
    """Read a TOML (``.toml``, default) or JSON (``.json``) configuration into a dict.

    Raises
    ------
    GeoairInputError
        The file is missing, unreadable, not UTF-8, or not valid TOML/JSON (with the line
        and column of the mistake), or its top level is not a table/object.
    """
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise GeoairInputError(
            "Configuration file not found." if not p.exists() else "The configuration path is not a file.",
            file=p, fix="Check the path.",
        )
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise GeoairInputError(
            f"Cannot read the configuration file ({type(err).__name__}: {err}).",
            file=p, fix="Check the file's permissions and save it as UTF-8.",
        ) from None
    is_json = p.suffix.lower() == ".json"
    try:
        if is_json:
            raw = json.loads(text)
        else:
            import tomllib

            raw = tomllib.loads(text)
    except ValueError as err:  # json.JSONDecodeError and tomllib.TOMLDecodeError
        kind = "JSON" if is_json else "TOML"
        raise GeoairInputError(
            f"The configuration file is not valid {kind}: {err}.",
            file=p, fix=f"Correct the {kind} syntax at the place named (see the example configuration).",
        ) from None
    if not isinstance(raw, dict):
        raise GeoairInputError(
            "The configuration must be a table of sections (a JSON object).",
            file=p, received=type(raw).__name__, fix="Put the settings in sections such as [data].",
        )
    return raw
