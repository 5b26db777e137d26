"""Static matplotlib figures and maps for PDF/PPT briefings, with a CJK font from ``mplfonts``.

No system font is assumed: the Noto Sans CJK SC font shipped by the ``mplfonts`` package is
registered with matplotlib's font manager on first use and applied through an ``rc_context``
(global rcParams are left alone).

References
----------
matplotlib (https://matplotlib.org); Noto Sans CJK (SIL Open Font License), via mplfonts.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from .._compat import import_optional
from ._style import HOTSPOT_COLORS  # noqa: F401  (re-exported: one colour table, in _style)

__all__ = ["cjk_font", "cjk_context", "plot_hotspot_map", "plot_bar", "plot_stacked_shares", "plot_density",
           "save_png"]

_FONT_FILE = "NotoSansCJKsc-Regular.otf"
_FAMILY: str | None = None


def cjk_font() -> str:
    """Register the mplfonts CJK font with matplotlib and return its family name."""
    global _FAMILY
    if _FAMILY is None:
        mplfonts = import_optional("mplfonts", "Chinese labels in figures")
        from matplotlib import font_manager

        path = Path(mplfonts.__file__).parent / "fonts" / _FONT_FILE
        font_manager.fontManager.addfont(str(path))
        _FAMILY = font_manager.FontProperties(fname=str(path)).get_name()
    return _FAMILY


@contextmanager
def cjk_context():
    """``matplotlib.rc_context`` with the CJK font first and a proper minus sign."""
    import matplotlib

    with matplotlib.rc_context({"font.family": "sans-serif",
                                "font.sans-serif": [cjk_font(), "DejaVu Sans"],
                                "axes.unicode_minus": False}):
        yield


def _fig(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def plot_hotspot_map(counties, column: str = "hotspot", *, ax=None, title: str | None = None,
                     colors: dict | None = None, labels: dict | None = None, points=None,
                     figsize=(7, 7), lang: str | None = None):
    """Static county choropleth of a categorical hotspot class.

    Parameters
    ----------
    counties : GeoDataFrame
        With ``column``: class codes "hot"/"cold"/"not significant"/"no data" or emerging
        hot spot patterns ("sporadic hot spot", ...), coloured by :mod:`geoair.plot._style`
        (hot = red, cold = blue).
    colors : dict, optional
        Class -> colour overrides.
    labels : dict, optional
        Class -> legend text (default: the class's label in ``lang``).
    points : GeoDataFrame, optional
        Points drawn on top (stations, fire clusters).
    lang : {"en", "zh"}, optional
        Legend language (default the geoair option).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch

    from .._i18n import has, resolve_lang, t
    from ._style import CLASS_COLORS, class_color

    lang = resolve_lang(lang)
    colors = colors or {}
    with cjk_context():
        fig, ax = _fig(ax, figsize)
        c = counties.to_crs("EPSG:4326")
        cats = c[column].astype(str) if column in c.columns else pd.Series("not significant", index=c.index)
        c.plot(ax=ax, color=[colors.get(k, class_color(k)) for k in cats], edgecolor="#666", linewidth=0.3)
        if points is not None and len(points):
            points.to_crs("EPSG:4326").plot(ax=ax, color="k", markersize=6)
        order = [k for k in CLASS_COLORS if k in set(cats)] + sorted(set(cats) - set(CLASS_COLORS))

        def text(k):
            return (labels or {}).get(k) or (t(f"class.{k}", lang) if has(f"class.{k}") else k)

        ax.legend(handles=[Patch(facecolor=colors.get(k, class_color(k)), edgecolor="#666", label=text(k))
                           for k in order], loc="lower right", fontsize=8)
        ax.set_xlabel("°E")
        ax.set_ylabel("°N")
        if len(c):
            b = c.total_bounds
            ax.set_aspect(1 / np.cos(np.radians((b[1] + b[3]) / 2)))
        if title:
            ax.set_title(title)
    return fig


def plot_bar(values: pd.Series, *, title: str = "", xlabel: str = "", ax=None, color="#4c72b0",
             top: int = 20, figsize=(7, 5)):
    """Horizontal bar chart of the ``top`` largest values (league tables, fire counts)."""
    with cjk_context():
        fig, ax = _fig(ax, figsize)
        v = values.dropna().sort_values(ascending=False).head(top)[::-1]
        ax.barh([str(i) for i in v.index], v.to_numpy(), color=color)
        ax.set_xlabel(xlabel)
        ax.set_title(title)
    return fig


def plot_stacked_shares(shares: pd.DataFrame, *, title: str = "", ax=None, lang: str | None = None,
                        figsize=(8, 5)):
    """Stacked horizontal bars of category shares (rows: counties or stations; columns: categories, %).

    Negative parts (e.g. an "unexplained" share below zero where the fitted categories add up
    to more than the observed mean) are not stacked; the figure says how many were left out.
    """
    from .._i18n import t
    from ..schema import label

    with cjk_context():
        fig, ax = _fig(ax, figsize)
        left = np.zeros(len(shares))
        cmap = import_optional("matplotlib").colormaps["tab10"]
        values = shares.fillna(0).to_numpy(dtype=float)
        for i, col in enumerate(shares.columns):
            vals = np.clip(values[:, i], 0.0, None)
            ax.barh([str(x) for x in shares.index], vals, left=left, color=cmap(i % 10), label=label(col, lang))
            left += vals
        n_neg = int((values < 0).sum())
        ax.set_xlabel("%" if not n_neg else f"%  ({t('figures.negative_parts', lang, n=n_neg)})")
        ax.set_title(title)
        ax.legend(fontsize=7, loc="lower right")
    return fig


def plot_density(density, boundaries=None, *, title: str = "", ax=None, cmap: str = "YlOrRd",
                 figsize=(7, 7)):
    """Map of a gridded density (:func:`geoair.hotspot.fire_density`) under boundary outlines."""
    with cjk_context():
        fig, ax = _fig(ax, figsize)
        lon, lat = density["longitude"].values, density["latitude"].values
        if lon.size and lat.size:
            mesh = ax.pcolormesh(lon, lat, density.values, cmap=cmap, shading="auto")
            fig.colorbar(mesh, ax=ax, shrink=0.7, label=density.attrs.get("units", ""))
        if boundaries is not None and len(boundaries):
            boundaries.to_crs("EPSG:4326").boundary.plot(ax=ax, color="#555", linewidth=0.3)
        if lat.size:
            ax.set_aspect(1 / np.cos(np.radians(float(lat.mean()))))
        ax.set_title(title)
        ax.set_xlabel("°E")
        ax.set_ylabel("°N")
    return fig


def save_png(fig, path, dpi: int = 120) -> Path:
    """Save a figure as PNG and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with cjk_context():
        fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
