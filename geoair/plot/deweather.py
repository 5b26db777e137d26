"""Figures for meteorological normalisation: observed vs normalised series, partial
dependence, and the emission/weather split of a change.

matplotlib is imported inside the functions; labels come from :mod:`geoair._i18n`
(``dw_*`` keys) and Chinese text uses the bundled CJK font (:func:`geoair.plot.figures.cjk_context`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._i18n import resolve_lang, t
from .._validation import GeoairInputError
from ..schema import UNITS, label
from .figures import _fig, cjk_context

__all__ = ["plot_normalised", "plot_partial_dependence", "plot_decomposition"]

_OBS = "#9e9e9e"
_NORM = "#1f5fa8"
_MET = "#e08214"


def _select(frame: pd.DataFrame, station, pollutant) -> tuple[pd.DataFrame, str, str]:
    f = frame
    params = frame.attrs.get("params", {})
    pol = pollutant
    if "pollutant" in f.columns:
        pol = pol or f["pollutant"].iloc[0]
        f = f[f["pollutant"] == pol]
    pol = pol or (params.get("pollutant") if isinstance(params.get("pollutant"), str) else "")
    st = station
    if "station" in f.columns:
        st = st or f["station"].iloc[0]
        f = f[f["station"] == st]
    if f.empty:
        raise GeoairInputError("Nothing to plot for this station/pollutant.",
                               received=[station, pollutant],
                               fix="Choose a station and pollutant present in the result.")
    return f, str(st or ""), str(pol)


def plot_normalised(result: pd.DataFrame, *, station=None, pollutant=None, freq: str | None = "M",
                    ax=None, lang: str | None = None, figsize=(9, 4)):
    """Observed and weather-normalised concentrations with the normalised interval.

    Parameters
    ----------
    result : pandas.DataFrame
        :func:`geoair.deweather.normalise` output.
    station, pollutant : str, optional
        Which series (default the first).
    freq : {"W", "M", "Q", "Y"} or None
        Aggregate first with :func:`geoair.deweather.aggregate` (None: as given).
    lang : {"en", "zh"}, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..deweather.aggregate import aggregate

    lang = resolve_lang(lang)
    f, st, pol = _select(result, station, pollutant)
    if freq is not None:
        f = f.copy()
        f.attrs = dict(result.attrs)  # n_samples and level travel in attrs["params"]
        f = aggregate(f, freq)
    level = 100 * float(result.attrs.get("params", {}).get("level", 0.95))
    x = pd.DatetimeIndex(f["time"]).tz_localize(None)
    name = label(pol, lang) if pol else ""
    with cjk_context():
        fig, ax = _fig(ax, figsize)
        ax.plot(x, f["observed"], color=_OBS, lw=1.0, label=t("dw_observed", lang))
        ax.fill_between(x, f["lower"], f["upper"], color=_NORM, alpha=0.25, lw=0,
                        label=t("dw_interval", lang, level=level))
        ax.plot(x, f["normalised"], color=_NORM, lw=2.0, label=t("dw_normalised", lang))
        ax.set_ylabel(t("dw_concentration", lang, pollutant=name, unit=UNITS.get(pol, "")))
        ax.set_title(t("dw_series_title", lang, pollutant=name, station=st))
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.grid(alpha=0.3)
    return fig


def plot_partial_dependence(pdep: pd.DataFrame, *, pollutant: str = "", ncols: int = 3,
                            lang: str | None = None, figsize=None):
    """Small multiples of partial dependence with the fold-model interval.

    Parameters
    ----------
    pdep : pandas.DataFrame
        :meth:`geoair.deweather.Normaliser.partial_dependence` output (``variable, value,
        partial, lower, upper``).
    pollutant : str
        Pollutant code, for the labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    lang = resolve_lang(lang)
    variables = list(dict.fromkeys(pdep["variable"]))
    if not variables:
        raise GeoairInputError("No partial dependence to plot.", fix="Compute it first.")
    nrows = int(np.ceil(len(variables) / ncols))
    name = label(pollutant, lang) if pollutant else ""
    with cjk_context():
        fig, axes = plt.subplots(nrows, min(ncols, len(variables)), squeeze=False,
                                 sharey=True, layout="constrained",
                                 figsize=figsize or (3.2 * min(ncols, len(variables)), 2.6 * nrows))
        for ax, var in zip(axes.ravel(), variables, strict=False):
            g = pdep[pdep["variable"] == var]
            ax.fill_between(g["value"], g["lower"], g["upper"], color=_NORM, alpha=0.25, lw=0)
            ax.plot(g["value"], g["partial"], color=_NORM, lw=2)
            key = f"dw_var_{var}"
            ax.set_xlabel(t(key, lang) if _has(key) else var)
            ax.grid(alpha=0.3)
        for ax in axes.ravel()[len(variables):]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel(t("dw_partial_ylabel", lang, pollutant=name,
                            unit=UNITS.get(pollutant, "")))
        fig.suptitle(t("dw_partial_title", lang, pollutant=name))
    return fig


def _has(key: str) -> bool:
    from .._i18n import LABELS

    return key in LABELS


def plot_decomposition(decomp: pd.DataFrame, *, station="all", ax=None, lang: str | None = None,
                       figsize=(8, 4)):
    """Bars per pollutant: observed change, emission-driven and weather-driven parts (%).

    Parameters
    ----------
    decomp : pandas.DataFrame
        :func:`geoair.deweather.decompose` output.
    station : str
        Row to show per pollutant (default the ``"all"`` aggregate; the only station when
        there is one).

    Returns
    -------
    matplotlib.figure.Figure
    """
    lang = resolve_lang(lang)
    d = decomp
    if "station" in d.columns and d["station"].nunique() > 1:
        d = d[d["station"] == station]
    if d.empty:
        raise GeoairInputError("No decomposition rows for this station.", received=station,
                               fix=f"Use one of {sorted(map(str, decomp['station'].unique()))}.")
    pols = [str(p) for p in d["pollutant"]]
    x = np.arange(len(pols))
    w = 0.27
    with cjk_context():
        fig, ax = _fig(ax, figsize)
        ax.bar(x - w, d["observed_change_pct"], w, color=_OBS, label=t("dw_observed_change", lang))
        for off, col, color, key in ((0.0, "emission_change_pct", _NORM, "dw_emission_change"),
                                     (w, "met_change_pct", _MET, "dw_met_change")):
            v = d[col].to_numpy(float)
            err = np.vstack([v - d[f"{col}_lower"].to_numpy(float),
                             d[f"{col}_upper"].to_numpy(float) - v])
            ax.bar(x + off, v, w, color=color, yerr=err, capsize=3, label=t(key, lang))
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xticks(x, [label(p, lang) for p in pols])
        b, a = str(d["before"].iloc[0]), str(d["after"].iloc[0])
        ax.set_ylabel(t("dw_change_pct", lang, before=b.replace("/", "–"),
                        after=a.replace("/", "–")))
        ax.set_title(t("dw_decomp_title", lang))
        ax.legend(fontsize=8, frameon=False)
        ax.grid(axis="y", alpha=0.3)
    return fig
