"""Synthetic truth for the inspection windows (a module with a unique name: importing ``conftest``
by name may pick another folder's conftest when the whole suite runs)."""

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

M_PER_DEG = 111_195.0


def window_world(seed: int = 0, days: int = 56):
    """Synthetic truth for the inspection windows: three sources around one station, known hours.

    An illegal night boiler (22:00-03:00) and a daytime boiler (08:00-18:00) share the coal
    category; a construction site digs before dawn on weekdays (04:00-07:00). Truth dispersion:
    Gaussian plume with Pasquill-Gifford sigmas (Martin 1976 fits) under a wandering wind; the
    estimator splits with Briggs rural sigmas, the prior weights are off by up to 30 % and the
    activity profiles it knows are the documented defaults (not the true hours).
    """
    from geoair.apportion.kernels import plume_concentration

    rng = np.random.default_rng(seed)
    times = pd.date_range("2024-12-02 01:00", periods=24 * days, freq="h", tz="Asia/Shanghai")
    wd = np.cumsum(rng.normal(0, 25, len(times))) % 360
    ws = np.full(len(times), 3.0)
    u, v = -ws * np.sin(np.radians(wd)), -ws * np.cos(np.radians(wd))
    st = (116.40, 39.90)
    begin = times - pd.Timedelta(hours=1)
    hb, dow = begin.hour, begin.day_of_week
    layout = [("boiler_night", "coal", "boiler", -3000.0, 1500.0, 5.0, (hb >= 22) | (hb < 3)),
              ("boiler_day", "coal", "boiler", 2500.0, 2500.0, 5.0, (hb >= 8) & (hb < 18)),
              ("site_dawn", "dust", "construction", 1200.0, -2000.0, 2.0, (hb >= 4) & (hb < 7) & (dow < 5))]
    rows, truth = [], []
    for sid, cat, kind, dx, dy, q, on in layout:
        x = (-dx * u - dy * v) / ws
        y = (dx * v - dy * u) / ws
        h = 10.0 if cat == "coal" else 0.0
        c = np.where(x > 0, plume_concentration(q, ws, np.maximum(x, 1.0), y, 0.0, h, "D", scheme="pasquill_gifford")
                     * 1e6, 0.0) * np.asarray(on, float)
        truth.append(pd.DataFrame({"source_id": sid, "time": times, "contribution": c}))
        rows.append((sid, cat, kind, q * rng.uniform(0.7, 1.3), st[0] + dx / (M_PER_DEG * np.cos(np.radians(st[1]))),
                     st[1] + dy / M_PER_DEG, h))
    truth = pd.concat(truth, ignore_index=True)
    src = pd.DataFrame(rows, columns=["source_id", "category", "kind", "weight", "lon", "lat", "height"])
    sources = gpd.GeoDataFrame(src, geometry=gpd.points_from_xy(src["lon"], src["lat"]), crs="EPSG:4326")
    cat_of = dict(zip(src["source_id"], src["category"], strict=True))
    con = (truth.assign(category=truth["source_id"].map(cat_of)).groupby(["time", "category"], as_index=False)
           ["contribution"].sum().rename(columns={"contribution": "pm25"}).assign(station="1001A"))
    return {"truth": truth, "sources": sources, "contributions": con,
            "observations": pd.DataFrame({"station": "1001A", "time": times, "ws": ws, "wd": wd}),
            "stations": gpd.GeoDataFrame({"station": ["1001A"], "name": ["站"]}, geometry=[Point(*st)],
                                         crs="EPSG:4326"),
            "priority": pd.DataFrame({"source_id": src["source_id"], "station": "1001A", "category": src["category"],
                                      "kind": src["kind"], "group": "source"})}
