"""A station against its expected band, with its integrity events shaded.

Compute lives in :mod:`geoair.integrity`; this module only draws what
:meth:`geoair.integrity.IntegrityScreen.expected` and the event table give it.
"""

from __future__ import annotations

import pandas as pd

from .._i18n import resolve_lang, t
from .figures import _fig, cjk_context

__all__ = ["plot_integrity"]

_KIND_COLOURS = {"suppression": "#d7301f", "capping": "#e6550d", "drift": "#fd8d3c",
                 "flatline": "#756bb1", "copy": "#3182bd", "ratio": "#31a354", "spike": "#969696",
                 "excess": "#bdbdbd"}
_POLLUTANT = {"pm25": "PM2.5", "pm10": "PM10"}


def plot_integrity(expected: pd.DataFrame, events: pd.DataFrame | None = None, *, station: str,
                   pollutant: str = "pm25", start=None, end=None, name: str = "", ax=None,
                   lang: str | None = None, figsize=(10, 4)):
    """Observed series, expected value and its band, and the station's events.

    Parameters
    ----------
    expected : DataFrame
        ``station, time, pollutant, observed, expected, lower, upper`` (µg/m³), e.g.
        ``screen.expected(station)``.
    events : DataFrame, optional
        :func:`geoair.integrity.detect_integrity` output; the station's events are shaded
        and labelled with their kind.
    station : str
    pollutant : {"pm25", "pm10"}
    start, end : time-like, optional
        Window to draw (default all).
    name : str
        Station name for the title.
    ax : matplotlib Axes, optional
    lang : {"en", "zh"}, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    lang = resolve_lang(lang)
    d = expected[(expected["station"].astype(str) == str(station)) & (expected["pollutant"] == pollutant)]
    if start is not None:
        d = d[d["time"] >= _ts(start, d["time"].dt.tz)]
    if end is not None:
        d = d[d["time"] <= _ts(end, d["time"].dt.tz)]
    pol = _POLLUTANT.get(pollutant, pollutant)
    with cjk_context():
        fig, ax = _fig(ax, figsize)
        x = d["time"].dt.tz_localize(None) if d["time"].dt.tz is not None else d["time"]
        ax.fill_between(x, d["lower"], d["upper"], color="#9ecae1", alpha=0.5, linewidth=0,
                        label=t("integrity_band", lang))
        ax.plot(x, d["expected"], color="#3182bd", linewidth=1.0, label=t("integrity_expected", lang))
        ax.plot(x, d["observed"], color="black", linewidth=1.0, label=t("integrity_observed", lang))
        _shade_events(ax, events, station, d, lang)
        ax.set_ylabel(t("integrity_ylabel", lang, pol=pol))
        ax.set_xlabel(t("integrity_time", lang))
        ax.set_title(t("integrity_title", lang, station=station, name=name, pol=pol))
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        _pin_font(fig)
    return fig


def _pin_font(fig) -> None:
    """Give every text its CJK font explicitly, so the figure renders right outside the context
    (notebook inline display, a later ``savefig``)."""
    from matplotlib.text import Text

    from .figures import cjk_font

    family = [cjk_font(), "DejaVu Sans"]
    for text in fig.findobj(Text):
        text.set_fontfamily(family)


def _ts(value, tz):
    ts = pd.Timestamp(value)
    return ts.tz_localize(tz) if ts.tz is None and tz is not None else ts


def _shade_events(ax, events, station, d, lang) -> None:
    if events is None or len(events) == 0 or len(d) == 0:
        return
    ev = events[events["station"].astype(str) == str(station)]
    t0, t1 = d["time"].min(), d["time"].max()
    top = float(pd.concat([d["observed"], d["upper"]]).max()) if len(d) else 1.0
    for r in ev.itertuples(index=False):
        if r.end < t0 or r.start > t1:
            continue
        a = max(r.start, t0).tz_localize(None) if r.start.tzinfo else max(r.start, t0)
        b = min(r.end, t1).tz_localize(None) if r.end.tzinfo else min(r.end, t1)
        ax.axvspan(a, b, color=_KIND_COLOURS.get(r.kind, "#d7301f"), alpha=0.18, linewidth=0)
        ax.text(a, top, f"{t(f'integrity_kind_{r.kind}', lang)} {r.score:.1f}", fontsize=7,
                va="top", ha="left", color=_KIND_COLOURS.get(r.kind, "#d7301f"))
