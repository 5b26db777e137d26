"""The one place dispatch writes an output folder: through :class:`geoair._output.atomic_output`.

Files are written into a temporary folder, ``manifest.json`` (files with sha256 and row counts,
inputs, DropLog summary) last, and the folder moved into place; an earlier run is replaced only
with ``overwrite``.
"""

from __future__ import annotations

from os import PathLike

__all__ = ["output_folder"]


def output_folder(out: str | PathLike, *, overwrite: bool = False, command: str | None = None,
                  config: dict | None = None, inputs=()):
    """A context manager yielding a temporary folder that becomes ``out`` when the block succeeds.

    Set ``.droplog`` on the returned object inside the block to record the run's drop log.
    """
    from .._output import atomic_output

    return atomic_output(out, overwrite=overwrite, config=config, inputs=inputs, command=command)
