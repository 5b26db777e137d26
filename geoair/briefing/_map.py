"""Step "map": the offline interactive map (hotspot classes, stations, fires, sources, wind)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._i18n import t
from ._model import Section, _Run

__all__ = ["map_sections", "station_mean_wind"]


def station_mean_wind(inp: dict):
    """Period vector-mean wind per station (lon, lat, ws m/s, wd deg) from station ws/wd, or None."""
    obs, stations = inp["obs"], inp["stations"]
    if not {"ws", "wd"} <= set(obs.columns):
        return None
    w = obs[["station", "ws", "wd"]].dropna()
    if w.empty:
        return None
    rad = np.radians(w["wd"].to_numpy(dtype=float))
    ws = w["ws"].to_numpy(dtype=float)
    uv = pd.DataFrame({"station": w["station"].to_numpy(), "u": -ws * np.sin(rad), "v": -ws * np.cos(rad)})
    m = uv.groupby("station")[["u", "v"]].mean()
    xy = stations.set_index("station").geometry.reindex(m.index)
    ok = xy.notna().to_numpy()
    m, xy = m[ok], xy[ok]
    return pd.DataFrame({"lon": xy.x.to_numpy(), "lat": xy.y.to_numpy(),
                         "ws": np.hypot(m["u"], m["v"]).to_numpy(),
                         "wd": (np.degrees(np.arctan2(-m["u"], -m["v"])) % 360.0).to_numpy()})


def _polar_pngs(run: _Run, max_stations: int = 40) -> dict:
    """Small PM2.5 polar plots (openair polarPlot, :mod:`geoair.directional`) per station, PNG bytes."""
    obs = run.inp["obs"]
    if not {"ws", "wd"} <= set(obs.columns) or obs[["ws", "wd"]].notna().sum().min() == 0:
        return run.omit("polar_plots", t("briefing.reason.no_station_wind", run.lang)) or {}
    try:
        from ..directional import polar_plot
        from ..plot.directional import plot_polar
    except ImportError:
        return run.omit("polar_plots", t("briefing.reason.not_in_build", run.lang,
                                         module="geoair.directional")) or {}
    import io as _io

    import matplotlib.pyplot as plt

    out = {}
    for code, grp in list(obs.groupby("station"))[:max_stations]:
        if grp[["ws", "wd", "pm25"]].dropna().shape[0] < 100:
            continue
        fig = plot_polar(polar_plot(grp, "pm25"), lang=run.lang)
        fig.set_size_inches(2.4, 2.4)
        buf = _io.BytesIO()
        fig.savefig(buf, format="png", dpi=70)
        plt.close(fig)
        out[code] = buf.getvalue()
    return out


def _station_layer(run: _Run):
    st = run.inp["stations"].copy()
    st["county"] = st["county_label"]
    if "station_aqi" in run.inp:
        st["aqi"] = st["station"].map(run.inp["station_aqi"]).to_numpy()
    if "station_top_sources" in run.inp:
        st["top_sources"] = st["station"].map(run.inp["station_top_sources"]).to_numpy()
    polar = _polar_pngs(run)
    if polar:
        st["polar_png"] = st["station"].map(polar).to_numpy()
    return st


def _wind(run: _Run):
    wind = run.inp.get("wind")
    if wind is None or wind.sizes.get("time", 0) == 0:
        wind = station_mean_wind(run.inp)
    if wind is None:
        run.omit("wind_arrows", t("briefing.reason.no_wind", run.lang))
    return wind


def map_sections(run: _Run) -> list[Section]:
    """Write ``map.html`` and show it in the report."""
    from ..plot.maps import hotspot_map, save_map

    counties = run.inp["counties"]
    ch = run.res.tables.get("county_hotspots")
    if ch is not None:
        counties = counties.merge(ch[["adcode", "hotspot"]], on="adcode", how="left")
    srcs = run.inp["sources"][["source_id", "name", "kind", "category", "geometry"]].copy()
    pr = run.inp.get("priority")
    if pr is not None and len(pr):
        srcs["level"] = srcs["source_id"].astype(str).map(pr.set_index("source_id")["level"]).to_numpy()
    m = hotspot_map(counties, stations=_station_layer(run), fires=run.inp.get("fires_qc"),
                    clusters=run.inp.get("fire_clusters"), priority=pr, sources=srcs, wind=_wind(run),
                    lang=run.lang)
    from ._render import report_text

    # one font subset for the map and the report (the report's text is known by now)
    run.res.files["map"] = save_map(m, run.out_dir / "map.html", font_text=report_text(run.res.sections, run.lang))
    return [Section("map", t("briefing.section.map", run.lang), links=[("map.html", t("briefing.map.link", run.lang))],
                    embed="map.html")]
