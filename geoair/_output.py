"""Output folders written atomically, with a manifest written last.

A command that writes several files (``geoair attribute``, ``geoair briefing``) writes them
into a temporary folder next to ``--out``; when every file is complete, ``manifest.json``
(files with sha256 and row counts, geoair version, configuration, input checksums, DropLog
summary, ``"complete": true``) is written last and the folder is moved into place. So:

- Ctrl-C or a crash leaves the previous run untouched and no half-written file in ``--out``;
- a folder whose ``manifest.json`` exists is complete, and :func:`verify_manifest` proves it;
- ``--out`` holding an earlier run is refused unless ``overwrite=True``, and then exactly
  the earlier run's files (those in its manifest) are removed, so no stale file survives;
- a non-empty folder without a manifest (not a geoair output) is always refused;
- ``--out`` that is a file, or whose parent cannot be written, is refused when the writer
  is created, i.e. before any input is read or any model fitted.

Examples
--------
>>> writer = atomic_output("results", overwrite=True, command="attribute")  # doctest: +SKIP
>>> ...  # read inputs, fit (a bad --out has already raised)                # doctest: +SKIP
>>> with writer as tmp:                                                      # doctest: +SKIP
...     frame.to_csv(tmp / "contributions.csv")
...     writer.droplog = log
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import glob
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path
from typing import Any

from ._validation import DropLog, GeoairInputError

__all__ = ["atomic_output", "read_manifest", "verify_manifest", "MANIFEST"]

#: Name of the manifest file, written last.
MANIFEST = "manifest.json"
# Written while an existing folder is being updated; lists every file a run may own there.
_PARTIAL = ".geoair-partial.json"
_TMP_PREFIX = ".geoair-tmp-"


def sha256(path: str | PathLike, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _count_rows(path: Path) -> int | None:
    """Data rows of a CSV (header excluded), features of a GeoJSON, rows of a Parquet file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import csv

        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    if suffix == ".geojson":
        with open(path, encoding="utf-8") as fh:
            return len(json.load(fh).get("features", []))
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    return None


def _expand_inputs(inputs: Iterable[Any]) -> list[Path]:
    out: list[Path] = []
    for item in inputs:
        if item is None:
            continue
        text = os.fspath(item)
        matches = [text] if Path(text).exists() else sorted(glob.glob(text))
        out.extend(Path(m) for m in matches if Path(m).is_file())
    return out


def read_manifest(out: str | PathLike) -> dict | None:
    """The manifest of an output folder, or ``None`` when it has none (or an unreadable one)."""
    path = Path(out) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def verify_manifest(out: str | PathLike) -> list[str]:
    """Problems with a finished output folder: missing, changed or unlisted files ([] = good)."""
    out = Path(out)
    man = read_manifest(out)
    if man is None:
        return [f"no readable {MANIFEST} in {out}"]
    problems = [] if man.get("complete") is True else ["manifest does not say complete"]
    listed = {f["path"] for f in man.get("files", [])}
    for f in man.get("files", []):
        p = out / f["path"]
        if not p.is_file():
            problems.append(f"missing: {f['path']}")
        elif p.stat().st_size != f["bytes"] or sha256(p) != f["sha256"]:
            problems.append(f"changed or partial: {f['path']}")
    for p in sorted(out.rglob("*")):
        rel = p.relative_to(out).as_posix()
        if p.is_file() and rel not in listed and rel != MANIFEST:
            problems.append(f"not in the manifest: {rel}")
    return problems


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C while files are moved into place; raise it afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    old = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
    if received:
        raise KeyboardInterrupt


def _owned_files(out: Path) -> set[str] | None:
    """Files an earlier geoair run wrote into ``out`` (None: ``out`` is not a geoair folder)."""
    owned: set[str] | None = None
    for name in (MANIFEST, _PARTIAL):
        try:
            rec = json.loads((out / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        files = rec.get("files", []) if isinstance(rec, dict) else []
        owned = (owned or set()) | {f["path"] if isinstance(f, dict) else str(f) for f in files}
        owned |= {name}
    return owned


class atomic_output:  # noqa: N801 - used like a function (a context manager)
    """Write a run's files into a temporary folder and move them to ``out`` when complete.

    Parameters
    ----------
    out : str or path-like
        The output folder.
    overwrite : bool, default False
        Replace an earlier geoair run in ``out`` (only the files its manifest lists).
    config : dict, optional
        The run's settings, recorded in the manifest (must be JSON-able; other values are
        written with ``str``).
    inputs : iterable of paths or glob patterns, optional
        Input files; their sizes and sha256 go into the manifest.
    command : str, optional
        The command name, recorded in the manifest.

    Attributes
    ----------
    droplog : DropLog
        Set it (inside the ``with`` block) to the run's drop log: its summary goes into the
        manifest.
    manifest : dict
        The manifest written (after the ``with`` block).

    Raises
    ------
    GeoairInputError
        When created: ``out`` is a file, its parent cannot be written, it is a non-empty
        folder that no geoair run wrote, or it holds an earlier run and ``overwrite`` is
        False.
    """

    def __init__(self, out: str | PathLike, *, overwrite: bool = False, config: dict | None = None,
                 inputs: Iterable[Any] = (), command: str | None = None):
        self.out = Path(os.path.abspath(os.fspath(out)))
        self.overwrite = bool(overwrite)
        self.config = config or {}
        self.inputs = _expand_inputs(inputs)
        self.command = command
        self.droplog = DropLog()
        self.manifest: dict = {}
        self.tmp: Path | None = None
        self._check()

    # -- before any work ------------------------------------------------------------------
    def _check(self) -> None:
        out = self.out
        if out.exists() and not out.is_dir():
            raise GeoairInputError(
                "The output path is a file, not a folder.", file=out,
                fix="Give --out a folder name (new, empty, or an earlier geoair output).",
            )
        if out.is_dir() and any(out.iterdir()):
            owned = _owned_files(out)
            if owned is None:
                raise GeoairInputError(
                    "The output folder is not empty and has no geoair manifest.json: it was not "
                    "written by geoair, and its files would be mixed with the new ones.",
                    file=out, received=sorted(p.name for p in out.iterdir())[:10],
                    fix="Choose a new or empty folder for --out.",
                )
            if not self.overwrite:
                raise GeoairInputError(
                    "The output folder holds an earlier geoair run.", file=out,
                    fix="Pass --overwrite (overwrite=True) to replace it, or choose another folder.",
                )
        self._probe_writable(out if out.is_dir() else out.parent)

    @staticmethod
    def _probe_writable(folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            Path(tempfile.mkdtemp(prefix=_TMP_PREFIX + "probe-", dir=folder)).rmdir()
        except OSError as err:
            raise GeoairInputError(
                f"Cannot write the output folder ({type(err).__name__}: {err.strerror or err}).",
                file=folder, fix="Choose a folder you can write to for --out.",
            ) from None

    # -- the run --------------------------------------------------------------------------
    def __enter__(self) -> Path:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}{_TMP_PREFIX}", dir=self.out.parent))
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        assert self.tmp is not None
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        try:
            self._write_manifest()
            with _sigint_deferred():
                self._commit()
        finally:
            if self.tmp.exists():
                shutil.rmtree(self.tmp, ignore_errors=True)
        return False

    def _write_manifest(self) -> None:
        from . import __version__

        assert self.tmp is not None
        files = []
        for p in sorted(self.tmp.rglob("*")):
            if p.is_file():
                files.append({"path": p.relative_to(self.tmp).as_posix(), "bytes": p.stat().st_size,
                              "sha256": sha256(p), "rows": _count_rows(p)})
        log = self.droplog if isinstance(self.droplog, DropLog) else DropLog(self.droplog)
        self.manifest = {
            "geoair_version": __version__,
            "command": self.command,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "config": self.config,
            "inputs": [{"path": str(p), "bytes": p.stat().st_size, "sha256": sha256(p)} for p in self.inputs],
            "files": files,
            "droplog": {"total": log.total(), "rows": log.total(rows_only=True),
                        "summary": log.summary().to_dict(orient="records")},
            "complete": True,
        }
        text = json.dumps(self.manifest, ensure_ascii=False, indent=2, default=str)
        (self.tmp / MANIFEST).write_text(text, encoding="utf-8")

    def _commit(self) -> None:
        """Move the finished files into place; the manifest arrives last."""
        assert self.tmp is not None
        out, tmp = self.out, self.tmp
        if not out.exists():
            os.rename(tmp, out)
            return
        new = [f["path"] for f in self.manifest["files"]]
        owned = _owned_files(out) or set()
        clash = [p for p in new if (out / p).exists() and p not in owned]
        if clash:
            raise GeoairInputError(
                "The output folder holds files of the same name that geoair did not write.",
                file=out, received=clash[:10], fix="Move those files away, or choose another --out.",
            )
        marker = out / _PARTIAL
        marker.write_text(json.dumps({"files": sorted(owned | set(new))}), encoding="utf-8")
        for rel in [MANIFEST, *sorted(owned - {MANIFEST, _PARTIAL})]:
            _remove(out, rel)
        if [p.name for p in out.iterdir()] == [_PARTIAL]:
            marker.unlink()
            out.rmdir()
            os.rename(tmp, out)
            return
        for rel in new:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / rel, out / rel)
        os.replace(tmp / MANIFEST, out / MANIFEST)
        marker.unlink()


def _remove(out: Path, rel: str) -> None:
    """Remove one file of an earlier run and the folders it leaves empty (never ``out``)."""
    path = out / rel
    try:
        path.resolve().relative_to(out.resolve())
    except ValueError:  # a manifest naming a file outside the folder is not obeyed
        return
    if path.is_file() or path.is_symlink():
        path.unlink()
    parent = path.parent
    while parent != out and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
