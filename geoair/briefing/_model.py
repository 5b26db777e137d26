"""What a briefing is made of: sections (data, never HTML) and the result object."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._validation import DropLog

__all__ = ["Section", "Briefing"]


@dataclass
class Section:
    """One part of the report, as data; :mod:`geoair.briefing._render` turns it into HTML.

    Attributes
    ----------
    key : str
        Identifier (also the HTML ``id``), e.g. ``"hotspots"``.
    title : str
        Heading, already in the report language.
    note : str
        One paragraph: data, period, method.
    figures : list of (str, str)
        ``(path relative to the report, alternative text)`` of PNG figures.
    table : DataFrame, optional
        Display table: headers and category values already translated; numbers are
        formatted by the renderer with ``digits`` decimals.
    warnings : list of str
        Messages a reader must see (e.g. a fit's warnings).
    level : int
        Heading level (2 = section, 3 = sub-section).
    links : list of (str, str)
        ``(relative href, text)`` of files written for this section.
    embed : str, optional
        Relative path of a page shown in an ``iframe`` (the map).
    digits : int or dict
        Decimals of floating-point table cells (a dict: column -> decimals, others 1).
    max_rows : int
        Rows shown.
    csv : str, optional
        Name of the ``tables/<csv>.csv`` file with the full table behind the section.
    """

    key: str
    title: str
    note: str = ""
    figures: list[tuple[str, str]] = field(default_factory=list)
    table: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    level: int = 2
    links: list[tuple[str, str]] = field(default_factory=list)
    embed: str | None = None
    digits: int | dict[str, int] = 1
    max_rows: int = 30
    csv: str | None = None


@dataclass
class Briefing:
    """Result of :func:`geoair.briefing.run_briefing`.

    Attributes
    ----------
    out_dir, report : Path
        Output folder and ``briefing.html``.
    files : dict
        Every written file by role (``map``, ``priority_xlsx``, ``fig_hotspots``, ``table_<name>``...).
    tables : dict of DataFrame
        The analysis tables behind the sections (written to ``tables/<name>.csv``).
    sections : list of Section
        The report's sections in order.
    omitted : dict
        Section key -> reason (in the report language) for every part not produced.
    droplog : DropLog
        Every row or value removed or flagged on the way.
    timings : dict
        Step -> wall time (s).
    """

    out_dir: Path
    report: Path
    files: dict[str, Path] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    omitted: dict[str, str] = field(default_factory=dict)
    droplog: DropLog = field(default_factory=DropLog)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Run:
    """State passed from step to step of one briefing run."""

    cfg: dict
    lang: str
    out_dir: Path
    res: Briefing
    inp: dict = field(default_factory=dict)

    @property
    def fig_dir(self) -> Path:
        return self.out_dir / "figures"

    def figure(self, fig, name: str, alt: str) -> tuple[str, str]:
        """Save a matplotlib figure as ``figures/<name>.png``; return ``(relative path, alt)``."""
        from ..plot.figures import save_png

        path = save_png(fig, self.fig_dir / f"{name}.png")
        self.res.files[f"fig_{name}"] = path
        return f"figures/{name}.png", alt

    def omit(self, key: str, reason: str) -> list:
        """Record a section that is not produced (``reason`` in the report language)."""
        self.res.omitted[key] = reason
        return []
