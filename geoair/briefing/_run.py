"""The step table and :func:`run_briefing`: run each step, collect sections, write the files."""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from os import PathLike
from pathlib import Path

import pandas as pd

from .._i18n import resolve_lang, t
from ..options import get_options
from ._aqi import aqi_sections
from ._attribution import attribution_sections
from ._config import DEFAULT_CONFIG, _merge, load_config
from ._feedback import feedback_sections
from ._fires import fire_sections
from ._hotspots import hotspot_sections
from ._load import load_inputs
from ._map import map_sections
from ._model import Briefing, Section, _Run
from ._priority import priority_sections
from ._render import render_report
from ._weather import weather_sections

__all__ = ["STEPS", "run_briefing"]


def _load_step(run: _Run) -> list[Section]:
    run.inp.update(load_inputs(run.cfg, run.res.droplog))
    return []


#: The briefing, in order: (key, step). A step takes the run state and returns its sections;
#: a new analysis adds a function and a row here (its labels go in geoair._i18n).
STEPS: list[tuple[str, Callable[[_Run], list[Section]]]] = [
    ("load", _load_step),
    ("aqi", aqi_sections),
    ("weather", weather_sections),
    ("attribution", attribution_sections),
    ("hotspots", hotspot_sections),
    ("fires", fire_sections),
    ("feedback", feedback_sections),
    ("priority", priority_sections),
    ("map", map_sections),
]


def _data_section(run: _Run) -> Section:
    """Data and quality control: what went in, what was removed (counts what each number means)."""
    from ..schema import label

    obs, stations, pol = run.inp["obs"], run.inp["stations"], run.cfg["analysis"]["pollutant"]
    with_data = obs.loc[obs[pol].notna(), "station"].unique() if len(obs) else []
    covered = stations.loc[stations["station"].isin(with_data), "adcode"].nunique()
    text = t("briefing.data.text", run.lang, n_stations=len(with_data), n_counties=covered,
             pollutant=label(pol, run.lang),
             n_region=len(run.inp["counties"]), n_hours=len(obs), n_sources=len(run.inp["sources"]),
             n_dropped=run.res.droplog.total())
    return Section("data", t("briefing.section.data", run.lang), note=text)


def _write_tables(run: _Run) -> None:
    from .._spreadsheet import csv_safe

    tdir = run.out_dir / "tables"
    tdir.mkdir(exist_ok=True)
    run.res.tables["droplog"] = run.res.droplog.summary()
    for name, tab in run.res.tables.items():
        p = tdir / f"{name}.csv"
        csv_safe(tab).to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        run.res.files[f"table_{name}"] = p


def _period(obs: pd.DataFrame) -> str:
    if not len(obs):
        return "—"
    return f"{obs['time'].min():%Y-%m-%d %H:%M} – {obs['time'].max():%Y-%m-%d %H:%M}"


def run_briefing(config: str | PathLike | dict | None = None, out_dir: str | PathLike = "briefing", *,
                 lang: str | None = None, progress: bool | None = None) -> Briefing:
    """Produce the HTML briefing, figures, map and priority-list files.

    Parameters
    ----------
    config : path, dict or None
        TOML/JSON file or dict overriding :data:`DEFAULT_CONFIG`; ``None`` runs on the bundled data.
    out_dir : path
        Output folder (created; files are written into it): ``briefing.html``, ``map.html``,
        ``figures/*.png``, ``priority_<lang>.xlsx/.csv``, ``priority.geojson``, ``tables/*.csv``.
    lang : {"zh", "en"}, optional
        Report language (default :func:`geoair.get_options` ``lang``).
    progress : bool, optional
        Show a tqdm progress bar (default the ``progress`` option).

    Returns
    -------
    Briefing
    """
    from tqdm.auto import tqdm

    from .. import __version__

    lang = resolve_lang(lang)
    progress = get_options()["progress"] if progress is None else progress
    cfg = _merge(DEFAULT_CONFIG, config) if isinstance(config, dict) else load_config(config)
    out_dir = Path(out_dir)
    (out_dir / "figures").mkdir(parents=True, exist_ok=True)
    run = _Run(cfg=cfg, lang=lang, out_dir=out_dir, res=Briefing(out_dir=out_dir, report=out_dir / "briefing.html"))
    bar = tqdm(total=len(STEPS), disable=not progress, desc="geoair briefing", unit="step")
    for key, step in STEPS:
        bar.set_postfix_str(t(f"step.{key}", lang))
        t0 = _time.perf_counter()
        run.res.sections += step(run)
        run.res.timings[key] = _time.perf_counter() - t0
        bar.update(1)
    bar.close()
    run.res.sections = [_data_section(run), *run.res.sections]
    _write_tables(run)
    html = render_report(run.res.sections, period=_period(run.inp["obs"]), omitted=run.res.omitted,
                         timings=run.res.timings, lang=lang, version=__version__)
    run.res.report.write_text(html, encoding="utf-8")
    return run.res
