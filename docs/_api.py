"""Generate the API reference pages from the package's ``__all__`` lists.

Run by ``conf.py`` at build time (and by ``tests/test_docs.py``), so that every public name
has a page without a hand-kept list: a name added to an ``__all__`` appears in the docs, and
a module added to :data:`GROUPS` gets its own page.
"""

from __future__ import annotations

import importlib
from pathlib import Path

#: (page, title, modules whose ``__all__`` the page lists), in the package's order.
GROUPS: list[tuple[str, str, list[str]]] = [
    ("top", "Top level (``geoair``)", ["geoair", "geoair.options"]),
    ("io", "Readers and stores (``geoair.io``)", ["geoair.io", "geoair.coords", "geoair.datasets",
                                                  "geoair.schema"]),
    ("standards", "Air-quality standards (``geoair.standards``)", ["geoair.standards"]),
    ("directional", "Wind and direction (``geoair.directional``)", ["geoair.directional"]),
    ("met", "Meteorology and trajectories (``geoair.met``)", ["geoair.met"]),
    ("apportion", "Source attribution and PMF (``geoair.apportion``)", ["geoair.apportion"]),
    ("hotspot", "Hotspots (``geoair.hotspot``)", ["geoair.hotspot"]),
    ("priority", "Priority lists (``geoair.priority``)", ["geoair.priority"]),
    ("integrity", "Station integrity (``geoair.integrity``)", ["geoair.integrity"]),
    ("deweather", "Weather normalisation (``geoair.deweather``)", ["geoair.deweather"]),
    ("surface", "County surfaces (``geoair.surface``)", ["geoair.surface"]),
    ("dispatch", "Task sheets and feedback (``geoair.dispatch``)", ["geoair.dispatch"]),
    ("plot", "Figures and maps (``geoair.plot``)", ["geoair.plot"]),
    ("briefing", "The briefing (``geoair.briefing``)", ["geoair.briefing"]),
    ("testing", "Synthetic truth (``geoair.testing``)", ["geoair.testing"]),
]


def public_names(module_name: str) -> list[str]:
    """The names ``module_name`` exports (its ``__all__``), submodules excluded."""
    import types

    mod = importlib.import_module(module_name)
    names = list(getattr(mod, "__all__", []))
    out = []
    for name in names:
        obj = getattr(mod, name)
        if isinstance(obj, types.ModuleType):
            continue
        out.append(name)
    return out


def available_groups() -> list[tuple[str, str, list[str]]]:
    """:data:`GROUPS` restricted to the modules that exist in this version of geoair."""
    out = []
    for page, title, modules in GROUPS:
        present = [m for m in modules if importlib.util.find_spec(m) is not None]
        if present:
            out.append((page, title, present))
    return out


def documented_names() -> set[str]:
    """Fully qualified names that the generated pages document."""
    return {f"{m}.{n}" for _, _, modules in available_groups() for m in modules for n in public_names(m)}


def _canonical(module_name: str, name: str) -> str | None:
    """Where ``module_name.name`` is documented when it is a re-export of a grouped module."""
    obj = getattr(importlib.import_module(module_name), name)
    for _, _, modules in available_groups():
        for m in modules:
            if m == module_name or m == "geoair":
                continue
            if name in public_names(m) and getattr(importlib.import_module(m), name) is obj:
                return m
    return None


def _module_block(m: str) -> list[str]:
    names = public_names(m)
    mod = importlib.import_module(m)
    summary = (mod.__doc__ or "").strip().splitlines()[0] if mod.__doc__ else ""
    own = [n for n in names if m != "geoair" or _canonical(m, n) is None]
    alias = [(n, _canonical(m, n)) for n in names if n not in own]
    lines = [f".. currentmodule:: {m}", "", f"``{m}``: {summary}", ""]
    if own:
        lines += [".. autosummary::", "   :toctree: generated", ""]
        lines += [f"   {n}" for n in sorted(own, key=str.lower)] + [""]
    if alias:
        lines += ["Also available at the top level (documented with their module):", ""]
        lines += [f"- ``geoair.{n}``: :obj:`{c}.{n}`" for n, c in sorted(alias, key=lambda x: x[0].lower())]
        lines.append("")
    return lines


def write_pages(out_dir: Path) -> list[Path]:
    """Write ``api/<page>.rst`` for every group and ``api/index.rst``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    toc = []
    for page, title, modules in available_groups():
        lines = [title, "=" * len(title), ""]
        for m in modules:
            if public_names(m):
                lines += _module_block(m)
        path = out_dir / f"{page}.rst"
        _write_if_changed(path, "\n".join(lines) + "\n")
        written.append(path)
        toc.append(f"   {page}")
    index = ["API reference", "=============", "",
             "Every public function and class, grouped like the package. Each page is generated from "
             "the docstrings (numpydoc, with units and references).", "",
             ".. toctree::", "   :maxdepth: 1", "", *toc, ""]
    _write_if_changed(out_dir / "index.rst", "\n".join(index))
    return written


def _write_if_changed(path: Path, text: str) -> None:
    # unchanged files keep their mtime, so incremental builds stay incremental
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
