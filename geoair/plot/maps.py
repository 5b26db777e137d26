"""Interactive folium maps of hotspots, stations, fires, priority sources and wind, usable offline.

Every saved map carries Leaflet's JavaScript and CSS inline (vendored in
``geoair/plot/static``; see its README for origin and licence) and a subset of the bundled CJK
font, so it opens and shows Chinese on machines with no internet and no Chinese font. An offline
context layer (province and city outlines and names from the bundled boundaries) is on by
default; online tiles are optional. AMap tiles use GCJ-02, so all overlays are shifted to GCJ-02
when ``tiles="amap"``; Tianditu tiles use CGCS2000 (within a metre of WGS84) and need no shift.

Text from data never becomes code: popups, tooltips, labels and the legend are rendered by
autoescaped Jinja2 templates (``geoair/templates/map``) and reach the page as JSON data
(:func:`geoair._templates.js_json`), not inside JavaScript source or template literals.

References
----------
Leaflet 1.9.4 (https://leafletjs.com); folium (https://python-visualization.github.io/folium/).
GCJ-02 conversion: :mod:`geoair.coords`.
"""

from __future__ import annotations

import base64
import re
from importlib import resources
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .._compat import import_optional
from .._i18n import has, resolve_lang, t
from .._templates import html_text, render
from .._validation import check_option
from ._style import CLASS_COLORS, HOTSPOT_COLORS, LEVEL_COLORS, class_color

__all__ = ["hotspot_map", "save_map", "offline_assets_html", "HOTSPOT_COLORS", "LEVEL_COLORS"]

TILES = {
    "amap": ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
             "&x={x}&y={y}&z={z}", "&copy; AMap (高德)", "1234"),
    "tianditu": ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                 "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
                 "&TILECOL={x}&tk={key}", "&copy; 天地图 Tianditu", "01234567"),
}
#: Simplification tolerance of drawn polygons (degrees, ~100 m).
SIMPLIFY_DEG = 0.001


def _static(name: str) -> bytes:
    return resources.files("geoair.plot").joinpath("static", name).read_bytes()


def offline_assets_html() -> str:
    """``<style>`` and ``<script>`` blocks with Leaflet, its CSS (images as data URIs) and Leaflet.heat."""
    css = _static("leaflet.css").decode("utf-8")

    def _img(match: re.Match) -> str:
        data = base64.b64encode(_static("images/" + match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\(images/([\w\-@.]+\.png)\)", _img, css)
    return render("map/assets.html.j2", css=css, leaflet=_static("leaflet.js").decode("utf-8"),
                  heat=_static("leaflet-heat.js").decode("utf-8"))


def _strip_cdn(element) -> None:
    """Drop folium's CDN JS/CSS links on this element and its children (assets are inlined)."""
    if hasattr(element, "default_js"):
        element.default_js = []
    if hasattr(element, "default_css"):
        element.default_css = []
    for child in getattr(element, "_children", {}).values():
        _strip_cdn(child)


def _raw(text: str):
    """A branca element holding text already rendered by geoair's templates.

    branca turns the output of every element into a new Jinja template and renders it again,
    so data text containing ``{{ ... }}`` would run as template code when the page is written.
    Elements made here are inserted as they are (no second pass), which is also much faster for
    the large GeoJSON layers.
    """
    from branca.element import Element

    class RawText(Element):
        def __init__(self, text: str):
            super().__init__()
            self._name = "RawText"
            self.text = text

        def render(self, **kwargs) -> str:
            return self.text

    return RawText(text)


def _macro_class():
    """Base of geoair's map elements: a macro template from geoair/templates, rendered once."""
    from branca.element import MacroElement

    class GeoairElement(MacroElement):
        def render(self, **kwargs):
            script = self._template.module.__dict__["script"](self, kwargs)
            self.get_root().script.add_child(_raw(str(script)), name=self.get_name())
            for child in self._children.values():
                child.render(**kwargs)

    return GeoairElement


def _layer_class():
    """A branca element drawing one GeoJSON FeatureCollection (data only) with Leaflet."""
    from .._templates import environment

    class GeoairLayer(_macro_class()):
        _template = environment().get_template("map/layer.js.j2")

        def __init__(self, features: list[dict], popup_width: int = 320):
            super().__init__()
            self._name = "GeoairLayer"
            self.data = {"type": "FeatureCollection", "features": features}
            self.popup_width = popup_width
            self.font_text = " ".join(str(v) for f in features for k, v in f["properties"].items()
                                      if k in ("popup", "tooltip", "label"))

    return GeoairLayer


def _feature(geom, **props) -> dict:
    from shapely.geometry import mapping

    return {"type": "Feature", "geometry": mapping(geom), "properties": props}


def _text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    return str(value)


def _shift(gdf, to_gcj: bool):
    gdf = gdf.to_crs("EPSG:4326")
    if not to_gcj:
        return gdf
    from ..coords import convert_geometry

    out = gdf.copy()
    out["geometry"] = [convert_geometry(g, src="wgs84", dst="gcj02") for g in out.geometry]
    return out


def _simplified(gdf) -> list:
    """Polygons simplified for drawing (~100 m) with coordinates rounded to 5 decimals (~1 m).

    Independent simplification can open slivers of up to the tolerance between neighbours,
    invisible at the zoom levels of a regional map; the page stays small (MB, not tens of MB).
    """
    import shapely

    geoms = shapely.simplify(np.asarray(gdf.geometry.values), SIMPLIFY_DEG, preserve_topology=True)
    return list(shapely.transform(geoms, lambda xy: np.round(xy, 5)))


def _group(m, name: str, show: bool = True):
    import folium

    fg = folium.FeatureGroup(name=html_text(name), show=show)
    fg.add_to(m)
    return fg


def _add_counties(m, counties, hotspot_col: str, to_gcj: bool, lang: str) -> list[str]:
    """County polygons filled by class; returns the classes drawn."""
    c = _shift(counties, to_gcj)
    cls = (c[hotspot_col].astype(object).where(c[hotspot_col].notna(), "no data").astype(str)
           if hotspot_col in c.columns else pd.Series("no data", index=c.index))
    names = c["label"] if "label" in c.columns else c.get("name", pd.Series("", index=c.index))
    codes = c.get("adcode", pd.Series("", index=c.index))
    features = []
    for geom, name, code, k in zip(_simplified(c), names, codes, cls, strict=True):
        text = t(f"class.{k}", lang) if has(f"class.{k}") else k
        tip = render("map/label.html.j2", text=f"{_text(name)} ({_text(code)}): {text}")
        style = {"fillColor": class_color(k), "color": "#555", "weight": 0.6, "fillOpacity": 0.6}
        features.append(_feature(geom, style=style, tooltip=tip, cls=k))
    _layer_class()(features).add_to(_group(m, t("map.layer.counties", lang)))
    return list(pd.unique(cls))


def _context_layers(bounds) -> list:
    """Bundled province and city outlines that meet ``bounds`` ((lat0, lon0), (lat1, lon1))."""
    from shapely import box

    from .. import datasets
    from ..io.boundaries import read_boundaries

    area = box(bounds[0][1], bounds[0][0], bounds[1][1], bounds[1][0])
    out = []
    for key, kind in (("bth_cities", "city"), ("bth_provinces", "province")):
        layer = read_boundaries(datasets.get_path(key))
        out.append((kind, layer[layer.intersects(area)].reset_index(drop=True)))
    return out


def _add_context(m, bounds, to_gcj: bool, lang: str) -> None:
    """Offline context: province and city outlines with their names (bundled data)."""
    features = []
    for kind, layer in _context_layers(bounds):
        if not len(layer):
            continue
        layer = _shift(layer, to_gcj)
        width, color = (2.0, "#444") if kind == "province" else (1.0, "#777")
        for geom, name in zip(_simplified(layer), layer["name"], strict=True):
            style = {"fill": False, "color": color, "weight": width, "opacity": 0.9, "interactive": False}
            features.append(_feature(geom.boundary, style=style))
            features.append(_feature(geom.representative_point(), label=render("map/label.html.j2", text=name),
                                     label_class=f"geoair-label geoair-label-{kind}"))
    if features:
        _layer_class()(features).add_to(_group(m, t("map.layer.context", lang)))


def _points(gdf, to_gcj: bool):
    p = _shift(gdf, to_gcj)
    return p, p.geometry


def _station_popup(r, lang: str) -> str:
    png = r.get("polar_png")
    if isinstance(png, (bytes, bytearray)):
        png = base64.b64encode(png).decode("ascii")
    png = png if isinstance(png, str) and re.fullmatch(r"[A-Za-z0-9+/=]+", png) else ""
    aqi = r.get("aqi")
    aqi_text = t("map.aqi", lang, aqi=round(float(aqi))) if aqi is not None and pd.notna(aqi) else ""
    return render("map/popup_station.html.j2", name=_text(r.get("name")), code=_text(r.get("station")),
                  county=_text(r.get("county")), aqi=aqi_text, top_label=t("map.top_sources", lang),
                  top_sources=_text(r.get("top_sources")), polar_png=png)


def _kind_text(v, lang: str) -> str:
    v = _text(v)
    return t(f"kind.{v}", lang) if v and has(f"kind.{v}") else v


def _source_popup(r, lang: str, with_rank: bool) -> str:
    cat = _text(r.get("category"))
    details = [x for x in (_text(r.get("source_id")), _kind_text(r.get("kind"), lang),
                           t(f"category.{cat}", lang) if has(f"category.{cat}") else cat,
                           _text(r.get("city")), _text(r.get("county"))) if x]
    return render("map/popup_source.html.j2", rank=_text(r.get("rank")) if with_rank else "",
                  name=_text(r.get("name")), details=details, evidence=_text(r.get("evidence")))


def _add_points(m, gdf, kind: str, to_gcj: bool, lang: str, show: bool = True) -> None:
    """Stations, sources, priority sources or fire clusters as circle markers with popups."""
    p, geom = _points(gdf, to_gcj)
    features = []
    for g, (_, r) in zip(geom, p.iterrows(), strict=True):
        if kind == "stations":
            style = {"radius": 5, "color": "#000", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 1.0}
            props = {"popup": _station_popup(r, lang), "tooltip": render("map/label.html.j2", text=_text(r.get("name")))}
        elif kind == "clusters":
            n = r.get("n_fires", 1)
            style = {"radius": float(4 + 2 * np.sqrt(n)), "color": "#b30000", "fillOpacity": 0.4}
            tip = f"#{_text(r.get('cluster'))}: {t('map.fires_n', lang, n=_text(n))}"
            props = {"tooltip": render("map/label.html.j2", text=tip)}
        else:
            big = kind == "priority"
            style = {"radius": 6 if big else 3, "color": "#333" if big else "#444", "weight": 1 if big else 0.5,
                     "fillColor": LEVEL_COLORS.get(_text(r.get("level")), "#9e9e9e"),
                     "fillOpacity": 0.9 if big else 0.8}
            props = {"popup": _source_popup(r, lang, with_rank=big)}
        features.append(_feature(g, style=style, **props))
    width = 360 if kind == "stations" else 320
    _layer_class()(features, popup_width=width).add_to(_group(m, t(f"map.layer.{kind}", lang), show=show))


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
    if to_gcj:
        from ..coords import wgs84_to_gcj02

        lon, lat = wgs84_to_gcj02(lon, lat)
    return np.asarray(lon, float), np.asarray(lat, float), u, v


def _add_wind(m, wind, to_gcj: bool, lang: str) -> None:
    """Arrows pointing downwind, length proportional to speed."""
    from shapely.geometry import MultiLineString

    x, y, u, v = _wind_arrows(wind, to_gcj)
    speed = np.hypot(u, v)
    scale = 0.15 / max(float(np.nanmax(speed)) if speed.size else 1.0, 1e-6)  # degrees per m/s
    features = []
    for xi, yi, ui, vi, si in zip(x, y, u, v, speed, strict=True):
        if si <= 0:
            continue
        cos = np.cos(np.radians(yi))
        x1, y1 = xi + ui * scale / cos, yi + vi * scale
        ang, head = np.arctan2(vi, ui), 0.35 * si * scale
        left = (x1 - head * np.cos(ang - 0.5) / cos, y1 - head * np.sin(ang - 0.5))
        right = (x1 - head * np.cos(ang + 0.5) / cos, y1 - head * np.sin(ang + 0.5))
        geom = MultiLineString([[(xi, yi), (x1, y1)], [left, (x1, y1), right]])
        features.append(_feature(geom, style={"color": "#1f4e79", "weight": 2},
                                 tooltip=render("map/label.html.j2", text=t("map.wind_speed", lang, ws=si))))
    _layer_class()(features).add_to(_group(m, t("map.layer.wind", lang)))


def _add_legend(m, classes: list[str], with_levels: bool, lang: str) -> None:
    from .._templates import environment

    order = [k for k in CLASS_COLORS if k in classes] + sorted(set(classes) - set(CLASS_COLORS))
    html = render("map/legend.html.j2",
                  classes_title=t("map.legend.classes", lang), levels_title=t("map.legend.levels", lang),
                  classes=[(t(f"class.{k}", lang) if has(f"class.{k}") else k, class_color(k)) for k in order],
                  levels=[(t(f"level.{k}", lang), c) for k, c in LEVEL_COLORS.items()] if with_levels else [])

    class GeoairLegend(_macro_class()):
        _template = environment().get_template("map/legend.js.j2")

    legend = GeoairLegend()
    legend._name, legend.legend_html, legend.font_text = "GeoairLegend", html, html
    m.add_child(legend)


def _bounds(layers) -> list:
    if layers:
        b = np.array([g.to_crs("EPSG:4326").total_bounds for g in layers])
        return [[b[:, 1].min(), b[:, 0].min()], [b[:, 3].max(), b[:, 2].max()]]
    return [[39.4, 115.4], [41.1, 117.5]]


def _base_map(bounds, tiles, tianditu_key):
    folium = import_optional("folium", "interactive maps")
    m = folium.Map(location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
                   zoom_start=8, tiles=None, control_scale=True, prefer_canvas=True)
    if tiles == "amap":
        url, attr, sub = TILES["amap"]
        folium.TileLayer(url, attr=attr, name="AMap", subdomains=sub).add_to(m)
    elif tiles == "tianditu":
        if not tianditu_key:
            raise ValueError("tiles='tianditu' needs tianditu_key= (a Tianditu developer token).")
        url, attr, sub = TILES["tianditu"]
        folium.TileLayer(url.replace("{key}", tianditu_key), attr=attr, name="Tianditu", subdomains=sub).add_to(m)
    return m


def _add_fires(m, fires, to_gcj: bool, lang: str, heat_radius: int) -> None:
    from folium.plugins import HeatMap

    f, geom = _points(fires, to_gcj)
    w = (pd.to_numeric(f["frp"], errors="coerce").fillna(1.0).to_numpy() if "frp" in f.columns
         else np.ones(len(f)))
    w = w / max(float(np.nanmax(w)), 1e-9)
    HeatMap(np.column_stack([geom.y, geom.x, w]).tolist(), name=html_text(t("map.layer.fires", lang)),
            radius=heat_radius).add_to(m)


def _add_overlays(m, layers: dict, to_gcj: bool, lang: str, heat_radius: int) -> bool:
    """Fires, clusters, sources, priority sources, stations and wind; whether levels are shown."""
    def present(key):
        return layers[key] is not None and len(layers[key]) > 0

    if present("fires"):
        _add_fires(m, layers["fires"], to_gcj, lang, heat_radius)
    if present("clusters"):
        _add_points(m, layers["clusters"], "clusters", to_gcj, lang)
    if present("sources"):
        _add_points(m, layers["sources"], "sources", to_gcj, lang, show=not present("priority"))
    if present("priority"):
        _add_points(m, layers["priority"], "priority", to_gcj, lang)
    if present("stations"):
        _add_points(m, layers["stations"], "stations", to_gcj, lang)
    if present("wind"):
        _add_wind(m, layers["wind"], to_gcj, lang)
    return present("priority") or (present("sources") and "level" in layers["sources"])


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
    lang: str | None = None,
    heat_radius: int = 12,
    context: bool = True,
):
    """Build an interactive hotspot map.

    Parameters
    ----------
    counties : GeoDataFrame, optional
        ``adcode, name`` (and ``label`` = "city county", :func:`geoair.hotspot.add_city_names`)
        and ``hotspot_col``: class codes "hot"/"cold"/"not significant" (from
        :func:`geoair.hotspot.local_gi_star`) or emerging hot spot patterns; hot = red,
        cold = blue (:mod:`geoair.plot._style`).
    stations : GeoDataFrame, optional
        ``station, name`` and optionally ``county``, ``aqi``, ``top_sources`` (text) and
        ``polar_png`` (PNG bytes or base64 text of a small polar plot) shown in the popup.
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
        Optional online base tiles (None: offline, with the context layer).
    tianditu_key : str, optional
        Tianditu token (required for ``tiles="tianditu"``).
    lang : {"en", "zh"}, optional
        Language of layer names, legend and popups (default the geoair option).
    heat_radius : int
        Pixel radius of the fire heat layer.
    context : bool
        Draw the bundled province and city outlines and names (Beijing-Tianjin-Hebei).

    Returns
    -------
    folium.Map
        Save with :func:`save_map` (inlines the assets and the font).
    """
    import_optional("folium", "interactive maps")
    check_option("tiles", tiles, (None, "amap", "tianditu"))
    lang = resolve_lang(lang)
    to_gcj = tiles == "amap"
    bounds = _bounds([g for g in (counties, stations, fires, clusters, priority, sources) if g is not None and len(g)])
    m = _base_map(bounds, tiles, tianditu_key)
    classes = _add_counties(m, counties, hotspot_col, to_gcj, lang) if counties is not None and len(counties) else []
    if context:
        _add_context(m, bounds, to_gcj, lang)
    with_levels = _add_overlays(m, dict(fires=fires, clusters=clusters, sources=sources, priority=priority,
                                        stations=stations, wind=wind), to_gcj, lang, heat_radius)
    _add_legend(m, classes, with_levels, lang)
    import folium

    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds(bounds)
    return m


def _page_text(m) -> str:
    """Every text the page shows (for the font subset): layer names, labels, popups, legend."""
    parts, stack = [], [m]
    while stack:
        el = stack.pop()
        parts += [str(getattr(el, "font_text", "")), str(getattr(el, "layer_name", ""))]
        stack.extend(getattr(el, "_children", {}).values())
    return " ".join(parts)


def save_map(m, path: str | PathLike, *, font_text: str = "") -> Path:
    """Save a folium map as one self-contained HTML file (Leaflet and a CJK font subset inlined).

    Parameters
    ----------
    m : folium.Map
        From :func:`hotspot_map`.
    path : path
        Output file.
    font_text : str
        Extra text whose characters the embedded font must also cover (e.g. the report the map
        is shown in, so that both pages share one font subset).

    Raises
    ------
    RuntimeError
        If an external script or stylesheet would still be loaded (guards offline use).
    """
    from ._webfont import FAMILY, font_face_css

    _strip_cdn(m)
    root = m.get_root()
    _strip_cdn(root)
    root.header.add_child(_raw(offline_assets_html()), name="geoair_offline_assets", index=0)
    font = font_face_css(_page_text(m) + " " + font_text)
    root.header.add_child(_raw(render("map/style.html.j2", font_css=_own_css(font), family=FAMILY)),
                          name="geoair_style")
    text = root.render()
    external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?:)?//[^"]+"', text)
    if external:
        raise RuntimeError(f"map still references external assets: {external[:3]}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _own_css(css: str):
    """Mark geoair's own CSS (a font data URI, no data text in it) as safe for the template."""
    from markupsafe import Markup

    return Markup(css)
