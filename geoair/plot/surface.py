"""Figures for :mod:`geoair.surface`: county estimates (estimated counties hatched), intervals,
gridded surfaces, leave-one-out scatter, and the data a folium layer needs.

Estimated counties (no station inside) are drawn paler and hatched, so a reader never takes
an interpolated value for a measurement; every label comes from :mod:`geoair._i18n`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._i18n import resolve_lang, t
from .figures import _fig, cjk_context, cjk_font

__all__ = ["plot_county_estimates", "plot_intervals", "plot_surface", "plot_loo", "surface_layer"]

_HATCH = "////"


def _fonts(fig):
    """Pin the CJK font on every text of ``fig`` so it renders outside ``cjk_context`` too
    (notebooks, ``fig.savefig``), not only through :func:`geoair.plot.figures.save_png`."""
    from matplotlib.text import Text

    family = [cjk_font(), "DejaVu Sans"]
    for txt in fig.findobj(Text):
        txt.set_fontfamily(family)
    return fig


def _norm(values, vmin=None, vmax=None):
    from matplotlib.colors import Normalize

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    lo = vmin if vmin is not None else (float(v.min()) if v.size else 0.0)
    hi = vmax if vmax is not None else (float(v.max()) if v.size else 1.0)
    return Normalize(vmin=lo, vmax=max(hi, lo + 1e-9))


def plot_county_estimates(table, column: str = "value", *, ax=None, pollutant: str = "PM2.5",
                          cmap: str = "YlOrRd", title: str | None = None, stations=None,
                          lang: str | None = None, figsize=(7, 7)):
    """Choropleth of county estimates; estimated counties paler and hatched.

    Parameters
    ----------
    table : GeoDataFrame
        :func:`geoair.surface.county_table` output (``value``, ``observed``).
    stations : GeoDataFrame, optional
        Station points drawn on top.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    lang = resolve_lang(lang)
    c = table.to_crs("EPSG:4326")
    norm = _norm(c[column])
    colors = plt.get_cmap(cmap)(norm(c[column].to_numpy(dtype=float)))
    obs = c["observed"].to_numpy(dtype=bool)
    with cjk_context():
        fig, ax = _fig(ax, figsize)
        if obs.any():
            c[obs].plot(ax=ax, color=colors[obs], edgecolor="#555", linewidth=0.4)
        if (~obs).any():
            c[~obs].plot(ax=ax, color=colors[~obs], alpha=0.6, edgecolor="#888", linewidth=0.3,
                         hatch=_HATCH)
        if stations is not None and len(stations):
            stations.to_crs("EPSG:4326").plot(ax=ax, color="k", markersize=4)
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(sm, ax=ax, shrink=0.7, label=t("surface.unit", lang, pollutant=pollutant))
        ax.legend(handles=[Patch(facecolor="#bbb", edgecolor="#555", label=t("surface.observed", lang)),
                           Patch(facecolor="#ddd", edgecolor="#888", hatch=_HATCH,
                                 label=t("surface.estimated", lang))], loc="lower right", fontsize=8)
        b = c.total_bounds
        if np.isfinite(b).all():
            pad = 0.03 * max(b[2] - b[0], b[3] - b[1])
            ax.set_xlim(b[0] - pad, b[2] + pad)
            ax.set_ylim(b[1] - pad, b[3] + pad)
            ax.set_aspect(1 / np.cos(np.radians((b[1] + b[3]) / 2)))
        ax.set_xlabel("°E")
        ax.set_ylabel("°N")
        date = str(c["date"].iloc[0]) if "date" in c.columns and len(c) else "all"
        date = t("surface.period", lang) if date == "all" else date
        ax.set_title(title if title is not None else t("surface.map_title", lang, pollutant=pollutant,
                                                        date=date))
    return _fonts(fig)


def plot_intervals(table, column: str = "value", *, top: int = 40, name: str = "name",
                   pollutant: str = "PM2.5", ax=None, lang: str | None = None, figsize=None):
    """Counties ranked by estimate with their intervals (monitored filled, estimated open).

    Returns
    -------
    matplotlib.figure.Figure
    """
    lang = resolve_lang(lang)
    df = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
    df = df.dropna(subset=[column]).sort_values(column, ascending=False).head(top).iloc[::-1]
    y = np.arange(len(df))
    obs = df["observed"].to_numpy(dtype=bool)
    err = np.vstack([df[column] - df["lower"], df["upper"] - df[column]])
    with cjk_context():
        fig, ax = _fig(ax, figsize or (7, max(3.0, 0.22 * len(df) + 1)))
        for mask, face, label in ((obs, "#b2182b", t("surface.observed", lang)),
                                  (~obs, "white", t("surface.estimated", lang))):
            if mask.any():
                ax.errorbar(df[column][mask], y[mask], xerr=err[:, mask], fmt="o", color="#b2182b",
                            mfc=face, ecolor="#999", capsize=2, ms=4, label=label)
        labels = df[name] if name in df.columns else df.index.astype(str)
        ax.set_yticks(y, labels=labels, fontsize=7)
        ax.set_xlabel(t("surface.unit", lang, pollutant=pollutant) + " · " + t("surface.interval", lang))
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(axis="x", color="#eee")
    return _fonts(fig)


def plot_surface(ds, variable: str = "estimate", *, date=None, boundaries=None, stations=None,
                 pollutant: str = "PM2.5", cmap: str = "YlOrRd", ax=None, lang: str | None = None,
                 figsize=(7, 7)):
    """Map of a gridded surface from :func:`geoair.surface.estimate_grid` (projected metres).

    ``date=None`` draws the first date, ``"mean"`` the mean over dates.
    """
    lang = resolve_lang(lang)
    da = ds[variable]
    if isinstance(date, str) and date == "mean":
        arr, label = da.mean("date").to_numpy(), "mean"
    else:
        d = ds["date"].to_numpy()[0] if date is None else date
        arr, label = da.sel(date=d).to_numpy(), str(pd.Timestamp(d).date()) if not isinstance(d, str) else d
    cs = float(ds.attrs["cell_size"])
    x, y = ds["x"].to_numpy(), ds["y"].to_numpy()
    extent = (x[0] - cs / 2, x[-1] + cs / 2, y[-1] - cs / 2, y[0] + cs / 2)
    with cjk_context():
        fig, ax = _fig(ax, figsize)
        im = ax.imshow(arr, extent=extent, origin="upper", cmap=cmap, interpolation="nearest")
        fig.colorbar(im, ax=ax, shrink=0.7, label=t("surface.unit", lang, pollutant=pollutant))
        crs = ds.attrs["crs"]
        if boundaries is not None and len(boundaries):
            boundaries.to_crs(crs).boundary.plot(ax=ax, color="#555", linewidth=0.3)
        if stations is not None and len(stations):
            stations.to_crs(crs).plot(ax=ax, color="k", markersize=3)
        ax.set_xlim(extent[:2])
        ax.set_ylim(extent[2:])
        ax.set_axis_off()
        ax.set_title(t("surface.grid_title", lang, pollutant=pollutant, date=label))
    return _fonts(fig)


def plot_loo(cv: pd.DataFrame, *, lang: str | None = None, figsize=None):
    """Held-out observations against leave-one-out estimates, one panel per method (log axes)."""
    import matplotlib.pyplot as plt

    lang = resolve_lang(lang)
    methods = list(pd.unique(cv["method"]))
    summary = cv.attrs.get("summary")
    with cjk_context():
        fig, axes = plt.subplots(1, max(len(methods), 1), figsize=figsize or (4.2 * len(methods), 4.2),
                                 squeeze=False, sharex=True, sharey=True)
        for ax, m in zip(axes[0], methods, strict=False):
            g = cv[cv["method"] == m]
            ax.scatter(g["observed"], g["estimate"], s=3, alpha=0.3, color="#2166ac")
            lim = [max(1.0, float(g[["observed", "estimate"]].min().min())),
                   float(g[["observed", "estimate"]].max().max())]
            ax.plot(lim, lim, color="k", linewidth=0.8)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel(t("surface.loo_observed", lang))
            ax.set_title(t("surface.loo_title", lang, method=m))
            if summary is not None and m in set(summary["method"]):
                r = summary.set_index("method").loc[m]
                ax.text(0.03, 0.97, f"R² {r['r2']:.2f}\nRMSE {r['rmse']:.1f}\n90 %: {r['coverage']:.0%}",
                        transform=ax.transAxes, va="top", fontsize=8)
        axes[0][0].set_ylabel(t("surface.loo_estimated", lang))
    return _fonts(fig)


def surface_layer(table, column: str = "value", *, name: str = "name", cmap: str = "YlOrRd",
                  vmin: float | None = None, vmax: float | None = None, lang: str | None = None) -> dict:
    """What a folium choropleth layer of county estimates needs (no folium import here).

    Returns
    -------
    dict
        ``geojson`` (FeatureCollection in EPSG:4326; each feature's properties hold
        ``value, lower, upper, observed, tooltip`` and a ``style`` dict with ``fillColor``,
        ``fillOpacity`` 0.8 for monitored and 0.45 for estimated counties, and
        ``dashArray`` "4 4" on estimated outlines), ``vmin``, ``vmax``, ``colors`` (10 hex
        colours of the scale) and ``legend`` (labels for monitored / estimated). Use with
        ``folium.GeoJson(d["geojson"], style_function=lambda f: f["properties"]["style"],
        tooltip=folium.GeoJsonTooltip(["tooltip"]))``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    lang = resolve_lang(lang)
    c = table.to_crs("EPSG:4326")
    norm = _norm(c[column], vmin, vmax)
    cm = plt.get_cmap(cmap)
    feats = []
    for row, geom in zip(c.drop(columns="geometry").to_dict("records"), c.geometry, strict=True):
        val = row.get(column)
        ok = val is not None and np.isfinite(val)
        obs = bool(row.get("observed", False))
        basis = t("surface.observed" if obs else "surface.estimated", lang)
        tip = (t("surface.tooltip", lang, name=str(row.get(name, "")), value=val, lower=row["lower"],
                 upper=row["upper"], basis=basis) if ok else f"{row.get(name, '')}: {t('surface.nan', lang)}")
        style = {"fillColor": to_hex(cm(norm(val))) if ok else "#ffffff", "color": "#555",
                 "weight": 0.6 if obs else 0.4, "fillOpacity": 0.8 if obs else 0.45,
                 "dashArray": None if obs else "4 4"}
        props = {"id": str(row.get("adcode", "")), "name": str(row.get(name, "")),
                 "value": float(val) if ok else None, "lower": _f(row.get("lower")),
                 "upper": _f(row.get("upper")), "observed": obs, "tooltip": tip, "style": style}
        feats.append({"type": "Feature", "geometry": geom.__geo_interface__, "properties": props})
    colors = [to_hex(cm(x)) for x in np.linspace(0, 1, 10)]
    return {"geojson": {"type": "FeatureCollection", "features": feats}, "vmin": float(norm.vmin),
            "vmax": float(norm.vmax), "colors": colors,
            "legend": {"observed": t("surface.observed", lang), "estimated": t("surface.estimated", lang)}}


def _f(v):
    return float(v) if v is not None and np.isfinite(v) else None
