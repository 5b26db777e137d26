"""Plain-text descriptions of observations and station tables (used by ``geoair summary``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validation import get_droplog
from ..schema import POLLUTANTS, label, unit

__all__ = ["describe", "summarise_observations", "summarise_stations"]

_TEXT = {
    "title_obs": {"en": "Observations", "zh": "监测数据"},
    "title_sta": {"en": "Stations", "zh": "监测站点"},
    "source": {"en": "source", "zh": "来源"},
    "stations": {"en": "stations", "zh": "站点数"},
    "hours": {"en": "hours", "zh": "小时数"},
    "rows": {"en": "station-hours", "zh": "站点小时数"},
    "coverage": {"en": "time coverage", "zh": "时间范围"},
    "completeness": {"en": "completeness (valid station-hours)", "zh": "数据完整率(有效站点小时)"},
    "mean": {"en": "mean", "zh": "均值"},
    "drops": {"en": "dropped or masked", "zh": "剔除或屏蔽"},
    "none": {"en": "none", "zh": "无"},
    "background": {"en": "background stations", "zh": "对照点"},
    "closed": {"en": "closed stations", "zh": "已停运站点"},
    "cities": {"en": "cities", "zh": "城市数"},
    "bundled": {"en": "bundled data", "zh": "内置数据"},
}



def summarise_observations(obs: pd.DataFrame, lang: str | None = None) -> list[str]:
    """Lines of text describing an observations frame (first line is the title).

    ``lang=None`` means the geoair option ``lang``.
    """
    from .._i18n import resolve_lang

    lang = resolve_lang(lang)
    t = _TEXT
    lines = [f"== {t['title_obs'][lang]} =="]
    n_st = obs["station"].nunique() if len(obs) else 0
    times = obs["time"] if len(obs) else pd.Series([], dtype="datetime64[ns]")
    lines.append(f"  {t['stations'][lang]}: {n_st}")
    lines.append(f"  {t['hours'][lang]}: {times.nunique()}")
    lines.append(f"  {t['rows'][lang]}: {len(obs)}")
    if len(obs):
        lines.append(f"  {t['coverage'][lang]}: {times.min()} .. {times.max()}")
    lines.append(f"  {t['completeness'][lang]}:")
    for col in [c for c in POLLUTANTS if c in obs.columns] + [c for c in ("ws", "wd") if c in obs.columns]:
        vals = obs[col].to_numpy(dtype="float64", na_value=np.nan)
        share = 100.0 * np.isfinite(vals).mean() if len(vals) else 0.0
        line = f"    {label(col, lang):<14} {share:6.1f} %"
        if col != "wd" and np.isfinite(vals).any():  # an arithmetic mean of angles means nothing
            line += f"   {t['mean'][lang]} {np.nanmean(vals):8.2f} {unit(col)}"
        lines.append(line)
    lines.extend(_droplog_lines(obs, lang))
    return lines


def summarise_stations(stations: pd.DataFrame, lang: str | None = None) -> list[str]:
    """Lines of text describing a stations GeoDataFrame (first line is the title).

    ``lang=None`` means the geoair option ``lang``.
    """
    from .._i18n import resolve_lang

    lang = resolve_lang(lang)
    t = _TEXT
    lines = [f"== {t['title_sta'][lang]} =="]
    lines.append(f"  {t['stations'][lang]}: {len(stations)}")
    if "city" in stations.columns:
        lines.append(f"  {t['cities'][lang]}: {stations['city'].nunique()}")
    if "is_background" in stations.columns:
        lines.append(f"  {t['background'][lang]}: {int(stations['is_background'].sum())}")
    if "status" in stations.columns:
        lines.append(f"  {t['closed'][lang]}: {int((stations['status'] == 'closed').sum())}")
    if len(stations):
        b = stations.total_bounds if hasattr(stations, "total_bounds") else None
        if b is not None:
            lines.append(f"  lon {b[0]:.3f}..{b[2]:.3f}, lat {b[1]:.3f}..{b[3]:.3f} (EPSG:4326)")
    lines.extend(_droplog_lines(stations, lang))
    return lines


def _droplog_lines(obj: Any, lang: str) -> list[str]:
    log = get_droplog(obj)
    head = f"  {_TEXT['drops'][lang]}: {log.total()}"
    if not log:
        return [head + f" ({_TEXT['none'][lang]})"]
    lines = [head]
    for rec in log.summary().itertuples(index=False):
        lines.append(f"    {rec.n:>8}  {rec.column:<10} {rec.reason}  [{rec.file}]")
    return lines


def describe(obj: pd.DataFrame, lang: str | None = None) -> str:
    """Describe observations or a station table as text (stations, hours, coverage, drops).

    Parameters
    ----------
    obj : DataFrame or GeoDataFrame
        Observations (with ``time``) or stations.
    lang : {"en", "zh"}, optional
        Language; default the geoair option ``lang``.
    """
    from .._i18n import resolve_lang

    lang = resolve_lang(lang)
    lines = summarise_observations(obj, lang) if "time" in obj.columns else summarise_stations(obj, lang)
    return "\n".join(lines)
