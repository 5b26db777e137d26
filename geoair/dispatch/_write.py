"""The one place dispatch writes an output folder: atomically, with a manifest written last.

:func:`output_folder` uses the package-wide :class:`geoair._output.atomic_output` when it is
available (files written into a temporary folder, ``manifest.json`` last, moved into place;
an earlier run replaced only with ``overwrite``). Until then a minimal stand-in with the same
interface does the same for a fresh or earlier-dispatch folder; swapping it out is a one-line
change here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from os import PathLike
from pathlib import Path

from .._validation import DropLog, GeoairInputError

__all__ = ["output_folder"]

_MANIFEST = "manifest.json"


def output_folder(out: str | PathLike, *, overwrite: bool = False, command: str | None = None,
                  config: dict | None = None, inputs=()):
    """A context manager yielding a temporary folder that becomes ``out`` when the block succeeds.

    Set ``.droplog`` on the returned object inside the block to record the run's drop log.
    """
    try:
        from .._output import atomic_output
    except ImportError:  # until geoair._output lands
        return _Folder(out, overwrite=overwrite, command=command, config=config)
    return atomic_output(out, overwrite=overwrite, config=config, inputs=inputs, command=command)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Folder:
    """Stand-in for ``geoair._output.atomic_output`` (temporary folder, manifest last, rename)."""

    def __init__(self, out, *, overwrite: bool, command: str | None, config: dict | None):
        self.out = Path(os.path.abspath(os.fspath(out)))
        self.overwrite, self.command, self.config = overwrite, command, config or {}
        self.droplog = DropLog()
        self.manifest: dict = {}
        if self.out.exists() and not self.out.is_dir():
            raise GeoairInputError("The output path is a file, not a folder.", file=self.out,
                                   fix="Give a folder name (new, empty, or an earlier geoair output).")
        if self.out.is_dir() and any(self.out.iterdir()):
            if not (self.out / _MANIFEST).is_file():
                raise GeoairInputError("The output folder is not empty and has no geoair manifest.json.",
                                       file=self.out, fix="Choose a new or empty folder.")
            if not overwrite:
                raise GeoairInputError("The output folder holds an earlier geoair run.", file=self.out,
                                       fix="Pass overwrite=True (--overwrite) to replace it, or choose another folder.")

    def __enter__(self) -> Path:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.geoair-tmp-", dir=self.out.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.tmp, 0o777 & ~umask)  # mkdtemp makes it private; the folder is the user's output
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if exc_type is None:
                self._finish()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False

    def _finish(self) -> None:
        from .. import __version__

        files = [{"path": p.relative_to(self.tmp).as_posix(), "bytes": p.stat().st_size, "sha256": _sha256(p)}
                 for p in sorted(self.tmp.rglob("*")) if p.is_file()]
        log = self.droplog if isinstance(self.droplog, DropLog) else DropLog()
        self.manifest = {"geoair_version": __version__, "command": self.command, "config": self.config,
                         "files": files, "droplog": {"total": log.total(),
                                                     "summary": log.summary().to_dict(orient="records")},
                         "complete": True}
        (self.tmp / _MANIFEST).write_text(json.dumps(self.manifest, ensure_ascii=False, indent=2, default=str),
                                          encoding="utf-8")
        if self.out.exists():
            old = json.loads((self.out / _MANIFEST).read_text(encoding="utf-8")) if (self.out / _MANIFEST).is_file() \
                else {"files": []}
            for f in [*old.get("files", []), {"path": _MANIFEST}]:
                p = self.out / f["path"]
                if p.is_file() and p.resolve().is_relative_to(self.out.resolve()):
                    p.unlink()
            for p in sorted(self.out.rglob("*"), reverse=True):
                if p.is_dir() and not any(p.iterdir()):
                    p.rmdir()
            if not any(self.out.iterdir()):
                self.out.rmdir()
        if not self.out.exists():
            os.rename(self.tmp, self.out)
            return
        for f in files:  # files of another kind remain in out: move ours in, the manifest last
            (self.out / f["path"]).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.tmp / f["path"], self.out / f["path"])
        os.replace(self.tmp / _MANIFEST, self.out / _MANIFEST)
