"""Interactive folium maps of hotspots, stations, fires, priority sources and wind, usable offline.

Every saved map carries Leaflet's JavaScript and CSS inline (vendored in
``geoair/plot/static``; see its README for origin and licence), so it opens on networks with
no internet. The default base layer is the county boundaries themselves; online tiles are
optional. AMap tiles use GCJ-02, so all overlays are shifted to GCJ-02 when ``tiles="amap"``;
Tianditu tiles use CGCS2000 (within a metre of WGS84) and need no shift.
Every text that comes from data is HTML-escaped before it reaches the page.

References
----------
Leaflet 1.9.4 (https://leafletjs.com); folium (https://python-visualization.github.io/folium/).
GCJ-02 conversion: :mod:`geoair.coords`.
"""

from __future__ import annotations

import base64
import html
import re
from importlib import resources
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .._compat import import_optional
from .._validation import check_option

__all__ = ["hotspot_map", "save_map", "offline_assets_html", "HOTSPOT_COLORS", "LEVEL_COLORS"]

HOTSPOT_COLORS = {"hot": "#d7301f", "cold": "#2c7fb8", "not significant": "#f0f0f0", "no data": "#ffffff"}
LEVEL_COLORS = {"red": "#d7191c", "yellow": "#fdae61", "green": "#1a9641"}
TILES = {
    "amap": ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
             "&x={x}&y={y}&z={z}", "&copy; AMap (高德)", "1234"),
    "tianditu": ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                 "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
                 "&TILECOL={x}&tk={key}", "&copy; 天地图 Tianditu", "01234567"),
}
_TEXT = {
    "counties": {"en": "Counties (hotspot class)", "zh": "区县（热点类别）"},
    "stations": {"en": "Stations", "zh": "监测站点"},
    "fires": {"en": "Fire heat", "zh": "火点热力"},
    "clusters": {"en": "Fire clusters", "zh": "火点聚类"},
    "priority": {"en": "Priority sources", "zh": "重点污染源"},
    "sources": {"en": "All sources", "zh": "全部污染源"},
    "wind": {"en": "Wind", "zh": "风场"},
    "top_sources": {"en": "Top sources", "zh": "主要来源"},
    "fires_n": {"en": "fires", "zh": "个火点"},
}


def _t(key: str, lang: str) -> str:
    return _TEXT[key][lang]


def _esc(value) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=True)


def _static(name: str) -> bytes:
    return resources.files("geoair.plot").joinpath("static", name).read_bytes()


def offline_assets_html() -> str:
    """``<style>`` and ``<script>`` blocks with Leaflet, its CSS (images as data URIs) and Leaflet.heat."""
    css = _static("leaflet.css").decode("utf-8")

    def _img(match: re.Match) -> str:
        data = base64.b64encode(_static("images/" + match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\(images/([\w\-@.]+\.png)\)", _img, css)
    js = _static("leaflet.js").decode("utf-8")
    heat = _static("leaflet-heat.js").decode("utf-8")
    # folium's Popup template calls $(`<div>...</div>`)[0] (jQuery) only to turn an HTML string
    # into an element; this three-line stand-in does that without shipping jQuery.
    shim = ("window.$=window.$||function(s){var t=document.createElement('template');"
            "t.innerHTML=String(s).trim();return [t.content.firstElementChild];};")
    return (f"<style>{css}</style>\n<script>{js}</script>\n<script>{heat}</script>\n"
            f"<script>{shim}</script>\n"
            "<style>.geoair-legend{background:#fff;padding:6px 8px;font:12px sans-serif;"
            "border:1px solid #999;line-height:1.5}</style>\n")


def _strip_cdn(element) -> None:
    """Drop folium's CDN JS/CSS links on this element and its children (assets are inlined)."""
    if hasattr(element, "default_js"):
        element.default_js = []
    if hasattr(element, "default_css"):
        element.default_css = []
    for child in getattr(element, "_children", {}).values():
        _strip_cdn(child)


def _shift(gdf, to_gcj: bool):
    if not to_gcj:
        return gdf
    from ..coords import convert_geometry

    out = gdf.copy()
    out["geometry"] = [convert_geometry(g, src="wgs84", dst="gcj02") for g in out.geometry]
    return out


def _xy(lon, lat, to_gcj: bool):
    if not to_gcj:
        return np.asarray(lon, float), np.asarray(lat, float)
    from ..coords import wgs84_to_gcj02

    return wgs84_to_gcj02(np.asarray(lon, float), np.asarray(lat, float))


def _wind_arrows(wind, to_gcj: bool, max_arrows: int = 400):
    """(lon, lat, u, v) of wind arrows from a Dataset (u10/v10, time-mean) or a frame (lon, lat, ws, wd)."""
    if hasattr(wind, "data_vars"):
        w = wind[["u10", "v10"]]
        if "time" in w.dims:
            w = w.mean("time")
        lon2, lat2 = np.meshgrid(w["longitude"].values, w["latitude"].values)
        u, v = w["u10"].values.ravel(), w["v10"].values.ravel()
        lon, lat = lon2.ravel(), lat2.ravel()
    else:
        # meteorological FROM convention: the wind blows towards wd + 180 degrees
        ws, wd = np.asarray(wind["ws"], float), np.radians(np.asarray(wind["wd"], float))
        u, v = -ws * np.sin(wd), -ws * np.cos(wd)
        lon, lat = np.asarray(wind["lon"], float), np.asarray(wind["lat"], float)
    ok = np.isfinite(u) & np.isfinite(v)
    lon, lat, u, v = lon[ok], lat[ok], u[ok], v[ok]
    step = max(1, int(np.ceil(lon.size / max_arrows)))
    lon, lat, u, v = lon[::step], lat[::step], u[::step], v[::step]
    x, y = _xy(lon, lat, to_gcj)
    return x, y, u, v


def hotspot_map(
    counties=None,
    *,
    hotspot_col: str = "hotspot",
    stations=None,
    fires=None,
    clusters=None,
    priority=None,
    sources=None,
    wind=None,
    tiles: str | None = None,
    tianditu_key: str | None = None,
    lang: str = "en",
    heat_radius: int = 12,
):
    """Build an interactive hotspot map.

    Parameters
    ----------
    counties : GeoDataFrame, optional
        ``adcode, name`` and ``hotspot_col`` ("hot"/"cold"/"not significant"; from
        :func:`geoair.hotspot.local_gi_star`) or an emerging-hotspot ``pattern`` column. Also the
        default base layer.
    stations : GeoDataFrame, optional
        ``station, name`` and optionally ``aqi``, ``top_sources`` (text) and ``polar_png``
        (PNG bytes or base64 text of a small polar plot) shown in the popup.
    fires : GeoDataFrame, optional
        Fire points; drawn as a heat layer weighted by ``frp`` (MW) when present.
    clusters : GeoDataFrame, optional
        Fire clusters (:func:`geoair.hotspot.fire_clusters`), circles sized by ``n_fires``.
    priority : GeoDataFrame, optional
        :func:`geoair.priority_list` output; markers coloured by ``level``.
    sources : GeoDataFrame, optional
        All sources (``source_id, name, kind``, optional ``level``): small markers coloured by
        their priority level, grey when not ranked.
    wind : xarray.Dataset or DataFrame, optional
        ``u10, v10`` field (time-mean drawn) or a frame ``lon, lat, ws, wd``; arrows point downwind.
    tiles : {None, "amap", "tianditu"}
        Optional online base tiles (None: county boundaries only, works offline).
    tianditu_key : str, optional
        Tianditu token (required for ``tiles="tianditu"``).
    lang : {"en", "zh"}

    Returns
    -------
    folium.Map
        Save with :func:`save_map` (inlines the assets).
    """
    folium = import_optional("folium", "interactive maps")
    from folium.plugins import HeatMap

    check_option("tiles", tiles, (None, "amap", "tianditu"))
    check_option("lang", lang, ("en", "zh"))
    to_gcj = tiles == "amap"
    layers = [g for g in (counties, stations, fires, clusters, priority, sources) if g is not None and len(g)]
    if layers:
        b = np.array([g.to_crs("EPSG:4326").total_bounds for g in layers])
        bounds = [[b[:, 1].min(), b[:, 0].min()], [b[:, 3].max(), b[:, 2].max()]]
    else:
        bounds = [[39.4, 115.4], [41.1, 117.5]]
    m = folium.Map(location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
                   zoom_start=8, tiles=None, control_scale=True, prefer_canvas=True)
    if tiles == "amap":
        url, attr, sub = TILES["amap"]
        folium.TileLayer(url, attr=attr, name="AMap", subdomains=sub).add_to(m)
    elif tiles == "tianditu":
        if not tianditu_key:
            raise ValueError("tiles='tianditu' needs tianditu_key= (a Tianditu developer token).")
        url, attr, sub = TILES["tianditu"]
        folium.TileLayer(url.replace("{key}", tianditu_key), attr=attr, name="Tianditu",
                         subdomains=sub).add_to(m)

    if counties is not None and len(counties):
        c = _shift(counties.to_crs("EPSG:4326"), to_gcj)
        cls = (c[hotspot_col].astype(object).where(c[hotspot_col].notna(), "no data").astype(str)
               if hotspot_col in c.columns else pd.Series("no data", index=c.index))
        label = [f"{_esc(n)} ({_esc(a)}): {_esc(h)}" for n, a, h in
                 zip(c.get("name", c.index), c.get("adcode", ""), cls, strict=False)]
        gj = c[["geometry"]].assign(_label=label, _cls=cls.to_numpy())
        colors = {**HOTSPOT_COLORS}

        def style(feature):
            k = feature["properties"]["_cls"]
            col = colors.get(k, "#fc8d59" if "hot" in k else "#91bfdb" if "cold" in k else "#f0f0f0")
            return {"fillColor": col, "color": "#555", "weight": 0.6, "fillOpacity": 0.6}

        folium.GeoJson(gj.__geo_interface__, name=_t("counties", lang), style_function=style,
                       tooltip=folium.GeoJsonTooltip(fields=["_label"], labels=False)).add_to(m)

    if fires is not None and len(fires):
        f = fires.to_crs("EPSG:4326")
        x, y = _xy(f.geometry.x, f.geometry.y, to_gcj)
        w = (pd.to_numeric(f["frp"], errors="coerce").fillna(1.0).to_numpy() if "frp" in f.columns
             else np.ones(len(f)))
        w = w / max(float(np.nanmax(w)), 1e-9)
        HeatMap(np.column_stack([y, x, w]).tolist(), name=_t("fires", lang), radius=heat_radius).add_to(m)

    if clusters is not None and len(clusters):
        fg = folium.FeatureGroup(name=_t("clusters", lang))
        cl = clusters.to_crs("EPSG:4326")
        x, y = _xy(cl.geometry.x, cl.geometry.y, to_gcj)
        for xi, yi, (_, r) in zip(x, y, cl.iterrows(), strict=True):
            txt = f"#{_esc(r.get('cluster'))}: {_esc(r.get('n_fires'))} {_t('fires_n', lang)}"
            folium.CircleMarker([yi, xi], radius=float(4 + 2 * np.sqrt(r.get("n_fires", 1))), color="#b30000",
                                fill=True, fill_opacity=0.4, tooltip=txt).add_to(fg)
        fg.add_to(m)

    if sources is not None and len(sources):
        fg = folium.FeatureGroup(name=_t("sources", lang), show=priority is None or not len(priority))
        sv = sources.to_crs("EPSG:4326")
        x, y = _xy(sv.geometry.x, sv.geometry.y, to_gcj)
        for xi, yi, (_, r) in zip(x, y, sv.iterrows(), strict=True):
            body = (f"<b>{_esc(r.get('name'))}</b><br>{_esc(r.get('source_id'))} · {_esc(r.get('kind'))} · "
                    f"{_esc(r.get('category'))}")
            folium.CircleMarker([yi, xi], radius=3, color="#444", weight=0.5, fill=True,
                                fill_color=LEVEL_COLORS.get(str(r.get("level")), "#9e9e9e"), fill_opacity=0.8,
                                popup=folium.Popup(body, max_width=300)).add_to(fg)
        fg.add_to(m)

    if priority is not None and len(priority):
        fg = folium.FeatureGroup(name=_t("priority", lang))
        p = priority.to_crs("EPSG:4326")
        x, y = _xy(p.geometry.x, p.geometry.y, to_gcj)
        for xi, yi, (_, r) in zip(x, y, p.iterrows(), strict=True):
            body = (f"<b>{_esc(r.get('rank'))}. {_esc(r.get('name'))}</b><br>{_esc(r.get('kind'))} · "
                    f"{_esc(r.get('county'))}<br>{_esc(r.get('evidence'))}")
            folium.CircleMarker([yi, xi], radius=6, color="#333", weight=1, fill=True,
                                fill_color=LEVEL_COLORS.get(str(r.get("level")), "#999"), fill_opacity=0.9,
                                popup=folium.Popup(body, max_width=320)).add_to(fg)
        fg.add_to(m)

    if stations is not None and len(stations):
        fg = folium.FeatureGroup(name=_t("stations", lang))
        s = stations.to_crs("EPSG:4326")
        x, y = _xy(s.geometry.x, s.geometry.y, to_gcj)
        for xi, yi, (_, r) in zip(x, y, s.iterrows(), strict=True):
            body = f"<b>{_esc(r.get('name'))}</b> ({_esc(r.get('station'))})"
            if "aqi" in s.columns and pd.notna(r.get("aqi")):
                body += f"<br>AQI {_esc(round(float(r['aqi'])))}"
            if "top_sources" in s.columns and pd.notna(r.get("top_sources")):
                body += f"<br>{_t('top_sources', lang)}: {_esc(r['top_sources'])}"
            png = r.get("polar_png") if "polar_png" in s.columns else None
            if isinstance(png, (bytes, bytearray)):
                png = base64.b64encode(png).decode("ascii")
            if isinstance(png, str) and re.fullmatch(r"[A-Za-z0-9+/=]+", png):
                body += f'<br><img src="data:image/png;base64,{png}" width="160" height="160">'
            folium.CircleMarker([yi, xi], radius=5, color="#000", weight=1, fill=True, fill_color="#ffffff",
                                fill_opacity=1.0, popup=folium.Popup(body, max_width=360),
                                tooltip=_esc(r.get("name"))).add_to(fg)
        fg.add_to(m)

    if wind is not None and len(wind):
        fg = folium.FeatureGroup(name=_t("wind", lang))
        x, y, u, v = _wind_arrows(wind, to_gcj)
        speed = np.hypot(u, v)
        scale = 0.15 / max(float(np.nanmax(speed)) if speed.size else 1.0, 1e-6)  # degrees per m/s
        for xi, yi, ui, vi, si in zip(x, y, u, v, speed, strict=True):
            if si <= 0:
                continue
            x1, y1 = xi + ui * scale / np.cos(np.radians(yi)), yi + vi * scale
            ang = np.arctan2(vi, ui)
            head = 0.35 * si * scale
            pts = [[yi, xi], [y1, x1]]
            left = [y1 - head * np.sin(ang - 0.5), x1 - head * np.cos(ang - 0.5) / np.cos(np.radians(yi))]
            right = [y1 - head * np.sin(ang + 0.5), x1 - head * np.cos(ang + 0.5) / np.cos(np.radians(yi))]
            folium.PolyLine(pts, color="#1f4e79", weight=2).add_to(fg)
            folium.PolyLine([left, [y1, x1], right], color="#1f4e79", weight=2,
                            tooltip=f"{si:.1f} m/s").add_to(fg)
        fg.add_to(m)

    legend = "".join(f'<i style="background:{col};display:inline-block;width:12px;height:12px"></i> '
                     f"{html.escape(k)}<br>" for k, col in HOTSPOT_COLORS.items())
    legend += "".join(f'<i style="background:{col};display:inline-block;width:12px;height:12px;'
                      f'border-radius:6px"></i> {k}<br>' for k, col in LEVEL_COLORS.items())
    from branca.element import MacroElement, Template

    class _Legend(MacroElement):
        _template = Template(
            "{% macro script(this, kwargs) %}"
            "var legend = L.control({position: 'bottomright'});"
            "legend.onAdd = function () { var d = L.DomUtil.create('div', 'geoair-legend');"
            "d.innerHTML = " + repr(legend).replace("</", "<\\/") + "; return d; };"
            "legend.addTo({{ this._parent.get_name() }});"
            "{% endmacro %}"
        )

    m.add_child(_Legend())
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds(bounds)
    return m


def save_map(m, path: str | PathLike) -> Path:
    """Save a folium map as one self-contained HTML file (Leaflet inlined, no CDN).

    Raises
    ------
    RuntimeError
        If an external script or stylesheet would still be loaded (guards offline use).
    """
    from branca.element import Element

    _strip_cdn(m)
    root = m.get_root()
    _strip_cdn(root)
    root.header.add_child(Element(offline_assets_html()), name="geoair_offline_assets", index=0)
    text = root.render()
    external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?:)?//[^"]+"', text)
    if external:
        raise RuntimeError(f"map still references external assets: {external[:3]}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
