"""One sentence of evidence per event, in English or Chinese, with the numbers behind the score.

The sentences are templates in :mod:`geoair._i18n` (the ``integrity_*`` keys); this module
only fills them in. A sentence states what was seen and what was expected, never a verdict:
an event is a reason to check a station, not a finding of falsification.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._i18n import t
from .classify import AQI100

__all__ = ["evidence_sentences", "POLLUTANT_LABEL"]

POLLUTANT_LABEL = {"pm25": "PM2.5", "pm10": "PM10"}
_FLOOR = 5.0  # µg/m³: mean readings at or below this are near a PM analyser's floor


def _haversine_km(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return float(2 * 6371.0088 * np.arcsin(np.sqrt(h)))


def _copy_sentence(r, grid, fmt, lang) -> str:
    s, j = int(r.station), int(r.partner)
    if j == s:
        return t("integrity_copy_own", lang, lag_h=int(r.lag), **fmt)
    km = _haversine_km(grid.lon[s], grid.lat[s], grid.lon[j], grid.lat[j])
    dist = t("integrity_km", lang, km=km) if np.isfinite(km) else ""
    lag = t("integrity_lag", lang, lag_h=int(r.lag)) if int(r.lag) else ""
    text = t("integrity_copy", lang, partner=grid.codes[j], distance=dist, lag=lag, **fmt)
    return text + (t("integrity_copy_source", lang, partner=grid.codes[j])
                   if getattr(r, "source_side", False) else "")


def _ratio_numbers(grid, s, a, b) -> dict:
    with np.errstate(all="ignore"):
        ratio = grid.values["pm25"][:, s] / grid.values["pm10"][:, s]
    seg = ratio[a:b + 1]
    return {"ratio": float(np.nanmedian(seg)) if np.isfinite(seg).any() else np.nan,
            "ratio_usual": float(np.nanmedian(ratio)) if np.isfinite(ratio).any() else np.nan}


def _sentence(r, grid, lang: str, caps: dict, stamps) -> str:
    s, a, b = int(r.station), int(r.start), int(r.end)
    pol = t("integrity_pol_both", lang) if r.pollutant == "pm25,pm10" else \
        POLLUTANT_LABEL.get(r.pollutant, r.pollutant)
    fmt = dict(pol=pol, score=float(r.score),
               start=stamps[a], end=stamps[b],
               n_hours=int(r.n_hours), observed=float(r.observed), expected=float(r.expected),
               change=float(r.change) if r.change == r.change else 0.0, n_equal=int(r.n_equal))
    kind = r.kind
    if kind == "copy":
        return _copy_sentence(r, grid, fmt, lang)
    if kind == "flatline":
        value = grid.values[r.pollutant][a, s]
        return t("integrity_flatline", lang, value=float(value), n_repeat=int(r.n_equal) + 1, **fmt)
    if kind == "ratio" and r.channel == "pm25>pm10":
        return t("integrity_violation", lang, **fmt)
    if kind == "ratio":
        return t("integrity_ratio", lang, **_ratio_numbers(grid, s, a, b), **fmt)
    if kind == "capping":
        return t("integrity_capping", lang, cap=caps.get(r.pollutant.split(",")[0], np.nan),
                 n_above=int(r.n_above_cap), **fmt)
    text = t(f"integrity_{kind}", lang, **fmt)
    if kind in ("suppression", "drift") and np.isfinite(r.observed) and r.observed <= _FLOOR:
        text += t("integrity_floor", lang)
    return text


def evidence_sentences(events: pd.DataFrame, grid, *, lang: str = "en", caps=None) -> list[str]:
    """Evidence sentence of each event (classified, with grid indices).

    Parameters
    ----------
    events : DataFrame
        :func:`geoair.integrity.classify.classify_events` output.
    grid : StationGrid
    lang : {"en", "zh"}
    caps : dict, optional
        Capping ceilings (default :data:`~geoair.integrity.classify.AQI100`).
    """
    caps = AQI100 if caps is None else dict(caps)
    stamps = grid.times.strftime("%Y-%m-%d %H:%M")
    return [_sentence(r, grid, lang, caps, stamps) for r in events.itertuples(index=False)]
