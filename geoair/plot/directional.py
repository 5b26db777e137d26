"""matplotlib figures for directional analysis: polar surface, roses, annulus, time variation.

Compute and draw are separate: each function takes the DataFrame returned by the matching
``geoair.directional`` function and returns the matplotlib Figure. Labels in Chinese or
English (``lang``, default from ``geoair.set_options``); Chinese text uses the Noto Sans CJK
SC font shipped by ``mplfonts`` (never a system font).

References
----------
Carslaw, D. C. & Ropkins, K. (2012). openair (figure conventions of polarPlot, windRose,
polarAnnulus, timeVariation). Hunter, J. D. (2007). Matplotlib. *Comput. Sci. Eng.* 9(3).
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd

from .._compat import import_optional
from ..schema import label, unit
from .figures import cjk_font

__all__ = ["plot_polar", "plot_rose", "plot_annulus", "plot_time_variation"]

def _texts(lang: str) -> dict:
    """Axis words of the directional figures in ``lang`` (from :mod:`geoair._i18n`)."""
    from .._i18n import labels_for

    out: dict = labels_for("directional", lang)
    out["days"] = out["days"].split(",")
    return out


@contextmanager
def _style(lang):
    plt = import_optional("matplotlib.pyplot", "figures")
    rc = {"axes.unicode_minus": False}
    if lang == "zh":
        rc["font.family"] = [cjk_font(), "DejaVu Sans"]
    with plt.rc_context(rc):
        yield plt


def _lang(lang):
    from .._i18n import resolve_lang

    return resolve_lang(lang)


def _zlabel(pollutant, lang, statistic=None):
    if statistic == "cpf":
        return _texts(lang)["prob"]
    u = unit(pollutant) if pollutant else ""
    name = label(pollutant, lang) if pollutant else "z"
    return f"{name} ({u})" if u else name


def plot_polar(result: pd.DataFrame, *, lang: str | None = None, cmap: str = "viridis", ncols: int = 4):
    """Draw a :func:`geoair.directional.polar_plot` surface (one panel per ``by`` group).

    Wind-speed rings are labelled in m/s; the colour bar carries the pollutant's unit (or
    "probability" for CPF/CBPF).
    """
    lang = _lang(lang)
    params = result.attrs.get("params", {})
    by = [c for c in result.columns if c not in ("u", "v", "z", "miss")]
    groups = list(result.groupby(by[0], observed=True, sort=False)) if by else [(None, result)]
    with _style(lang) as plt:
        n = len(groups)
        nc = min(ncols, n)
        nr = int(np.ceil(n / nc))
        fig, axes = plt.subplots(nr, nc, figsize=(4.2 * nc, 4 * nr), squeeze=False)
        zmin = np.nanmin(result["z"]) if result["z"].notna().any() else 0
        zmax = np.nanmax(result["z"]) if result["z"].notna().any() else 1
        upper = float(np.nanmax(np.abs(result["u"]))) if len(result) else 1.0
        mesh = None
        for ax, (name, g) in zip(axes.ravel(), groups, strict=False):
            m = int(round(np.sqrt(len(g))))
            U = g["u"].to_numpy().reshape(m, m)
            V = g["v"].to_numpy().reshape(m, m)
            Z = g["z"].to_numpy().reshape(m, m)
            mesh = ax.pcolormesh(U, V, np.ma.masked_invalid(Z), cmap=cmap, vmin=zmin, vmax=zmax,
                                 shading="auto")
            step = max(1, int(round(upper / 4)))
            for r in range(step, int(upper) + 1, step):
                ax.add_patch(plt.Circle((0, 0), r, fill=False, lw=0.5, ls="--", color="grey"))
                ax.text(r * 0.71, -r * 0.71, f"{r}", fontsize=7, color="grey")
            t = _texts(lang)
            off = upper * 1.08
            for txt, x, y in ((t["N"], 0, off), (t["E"], off, 0), (t["S"], 0, -off), (t["W"], -off, 0)):
                ax.text(x, y, txt, ha="center", va="center")
            ax.set_xlim(-upper * 1.15, upper * 1.15)
            ax.set_ylim(-upper * 1.15, upper * 1.15)
            ax.set_aspect("equal")
            ax.set_axis_off()
            if name is not None:
                ax.set_title(str(name))
        for ax in axes.ravel()[n:]:
            ax.set_visible(False)
        if mesh is not None:
            cb = fig.colorbar(mesh, ax=axes.ravel().tolist(), shrink=0.8)
            cb.set_label(_zlabel(params.get("pollutant"), lang, params.get("statistic")))
        fig.text(0.01, 0.01, f"{t['ws']}; openair-style polar plot", fontsize=7)
    return fig


def plot_rose(table: pd.DataFrame, *, lang: str | None = None, cmap: str = "YlOrRd"):
    """Draw a :func:`wind_rose` or :func:`pollution_rose` table as stacked sector wedges."""
    lang = _lang(lang)
    ints = [c for c in table.columns if c.startswith("Interval")]
    labels = table.attrs.get("intervals", {})
    with _style(lang) as plt:
        fig = plt.figure(figsize=(5.5, 5))
        ax = fig.add_subplot(projection="polar")
        ax.set_theta_zero_location("N")
        ax.set_theta_direction(-1)
        angle = float(table["wd"].diff().dropna().iloc[0]) if len(table) > 1 else 30.0
        theta = np.deg2rad(table["wd"].to_numpy())
        colors = plt.get_cmap(cmap)(np.linspace(0.25, 1, max(len(ints), 1)))
        prev = np.zeros(len(table))
        for c, col in zip(ints, colors, strict=True):
            cur = table[c].to_numpy()
            ax.bar(theta, cur - prev, width=np.deg2rad(angle) * 0.9, bottom=prev, color=col,
                   edgecolor="white", lw=0.3, label=labels.get(c, c))
            prev = cur
        calm = table["calm"].iloc[0] if "calm" in table and len(table) else np.nan
        ax.set_title(f"{_texts(lang)['calm']} = {calm:.1f}%", fontsize=9)
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8,
                  title=table.attrs.get("units", ""), title_fontsize=7)
        ax.set_ylabel(_texts(lang)["freq"], labelpad=25)
    return fig


def plot_annulus(result: pd.DataFrame, *, lang: str | None = None, cmap: str = "viridis"):
    """Draw a :func:`polar_annulus` surface: radius = hour of day (inner 0 h, outer 23 h)."""
    lang = _lang(lang)
    params = result.attrs.get("params", {})
    with _style(lang) as plt:
        fig, ax = plt.subplots(figsize=(5.5, 5))
        m = int(round(np.sqrt(len(result))))
        U = result["u"].to_numpy().reshape(m, m)
        V = result["v"].to_numpy().reshape(m, m)
        Z = np.ma.masked_invalid(result["z"].to_numpy().reshape(m, m))
        # (u, v) is a curvilinear grid here: gouraud shading needs no cell edges
        mesh = ax.pcolormesh(U, V, Z, cmap=cmap, shading="gouraud")
        t = _texts(lang)
        for txt, x, y in ((t["N"], 0, 21.5), (t["E"], 21.5, 0), (t["S"], 0, -21.5), (t["W"], -21.5, 0)):
            ax.text(x, y, txt, ha="center", va="center")
        ax.text(0, 0, t["hour_rings"], ha="center", va="center", fontsize=8)
        ax.set_aspect("equal")
        ax.set_axis_off()
        fig.colorbar(mesh, ax=ax, shrink=0.8).set_label(_zlabel(params.get("pollutant"), lang))
    return fig


def plot_time_variation(result: pd.DataFrame, *, lang: str | None = None):
    """Draw a :func:`time_variation` table: weekday-hour, hour, month and weekday panels with CIs."""
    lang = _lang(lang)
    t = _texts(lang)
    with _style(lang) as plt:
        fig = plt.figure(figsize=(11, 6.5))
        gs = fig.add_gridspec(2, 3)
        axes = {"hour_weekday": fig.add_subplot(gs[0, :]), "hour": fig.add_subplot(gs[1, 0]),
                "month": fig.add_subplot(gs[1, 1]), "weekday": fig.add_subplot(gs[1, 2])}
        pols = list(pd.unique(result["pollutant"]))
        for i, pol in enumerate(pols):
            r = result[result["pollutant"] == pol]
            color = f"C{i}"
            name = _zlabel(pol, lang)
            hw = r[r.panel == "hour_weekday"]
            x = np.arange(len(hw))
            axes["hour_weekday"].plot(x, hw["mean"], color=color, label=name)
            axes["hour_weekday"].fill_between(x, hw["lower"].astype(float), hw["upper"].astype(float),
                                              color=color, alpha=0.3)
            for key, col in (("hour", "hour"), ("month", "month"), ("weekday", "weekday")):
                p = r[r.panel == key]
                xv = p[col].to_numpy(int)
                axes[key].plot(xv, p["mean"], color=color, marker="o", ms=3)
                axes[key].fill_between(xv, p["lower"].astype(float), p["upper"].astype(float),
                                       color=color, alpha=0.3)
        axes["hour_weekday"].set_xticks(np.arange(7) * 24 + 12, t["days"])
        axes["hour_weekday"].legend(fontsize=8)
        axes["hour"].set_xlabel(t["hour"])
        axes["month"].set_xlabel(t["month"])
        axes["weekday"].set_xticks(range(1, 8), t["days"], fontsize=8)
        axes["weekday"].set_xlabel(t["weekday"])
        ylab = _zlabel(pols[0], lang) if len(pols) == 1 else ""
        for ax in axes.values():
            ax.set_ylabel(ylab)
        fig.tight_layout()
    return fig
