"""Plain-text descriptions of observations and station tables (used by ``geoair summary``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validation import get_droplog
from ..schema import POLLUTANTS, label, unit

__all__ = ["describe", "summarise_observations", "summarise_stations"]

def _t(key: str, lang: str) -> str:
    from .._i18n import t

    return t(f"describe.{key}", lang)


def summarise_observations(obs: pd.DataFrame, lang: str | None = None) -> list[str]:
    """Lines of text describing an observations frame (first line is the title).

    ``lang=None`` means the geoair option ``lang``.
    """
    from .._i18n import resolve_lang

    lang = resolve_lang(lang)
    lines = [f"== {_t('title_obs', lang)} =="]
    n_st = obs["station"].nunique() if len(obs) else 0
    times = obs["time"] if len(obs) else pd.Series([], dtype="datetime64[ns]")
    lines.append(f"  {_t('stations', lang)}: {n_st}")
    lines.append(f"  {_t('hours', lang)}: {times.nunique()}")
    lines.append(f"  {_t('rows', lang)}: {len(obs)}")
    if len(obs):
        lines.append(f"  {_t('coverage', lang)}: {times.min()} .. {times.max()}")
    lines.append(f"  {_t('completeness', lang)}:")
    for col in [c for c in POLLUTANTS if c in obs.columns] + [c for c in ("ws", "wd") if c in obs.columns]:
        vals = obs[col].to_numpy(dtype="float64", na_value=np.nan)
        share = 100.0 * np.isfinite(vals).mean() if len(vals) else 0.0
        line = f"    {label(col, lang):<14} {share:6.1f} %"
        if col != "wd" and np.isfinite(vals).any():  # an arithmetic mean of angles means nothing
            line += f"   {_t('mean', lang)} {np.nanmean(vals):8.2f} {unit(col)}"
        lines.append(line)
    lines.extend(_droplog_lines(obs, lang))
    return lines


def summarise_stations(stations: pd.DataFrame, lang: str | None = None) -> list[str]:
    """Lines of text describing a stations GeoDataFrame (first line is the title).

    ``lang=None`` means the geoair option ``lang``.
    """
    from .._i18n import resolve_lang

    lang = resolve_lang(lang)
    lines = [f"== {_t('title_sta', lang)} =="]
    lines.append(f"  {_t('stations', lang)}: {len(stations)}")
    if "city" in stations.columns:
        lines.append(f"  {_t('cities', lang)}: {stations['city'].nunique()}")
    if "is_background" in stations.columns:
        lines.append(f"  {_t('background', lang)}: {int(stations['is_background'].sum())}")
    if "status" in stations.columns:
        lines.append(f"  {_t('closed', lang)}: {int((stations['status'] == 'closed').sum())}")
    if len(stations):
        b = stations.total_bounds if hasattr(stations, "total_bounds") else None
        if b is not None:
            lines.append(f"  lon {b[0]:.3f}..{b[2]:.3f}, lat {b[1]:.3f}..{b[3]:.3f} (EPSG:4326)")
    lines.extend(_droplog_lines(stations, lang))
    return lines


def _droplog_lines(obj: Any, lang: str) -> list[str]:
    log = get_droplog(obj)
    head = f"  {_t('drops', lang)}: {log.total()}"
    if not log:
        return [head + f" ({_t('none', lang)})"]
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
