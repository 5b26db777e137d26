"""Shared inputs of the dispatch tests: grids cut from bundled counties, a priority list with every
kind of row, and a synthetic-truth hourly world for the inspection windows."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geoair.priority import PRIORITY_COLUMNS, priority_list

SPLIT = ("110105", "110106", "110108")  # Chaoyang, Fengtai, Haidian (Beijing)
M_PER_DEG = 111_195.0


@pytest.fixture(scope="session")
def counties():
    from geoair.datasets import load_bth_counties

    return load_bth_counties()


def split_counties(counties, adcodes=SPLIT):
    """Each county cut into four quadrants at its centroid: grid ids ``<adcode>-NE`` etc."""
    rows = []
    for _, c in counties[counties["adcode"].isin(adcodes)].iterrows():
        x0, y0, x1, y1 = c.geometry.bounds
        cx, cy = c.geometry.centroid.x, c.geometry.centroid.y
        quads = {"SW": box(x0, y0, cx, cy), "SE": box(cx, y0, x1, cy), "NW": box(x0, cy, cx, y1),
                 "NE": box(cx, cy, x1, y1)}
        for q, b in quads.items():
            g = c.geometry.intersection(b)
            if not g.is_empty:
                rows.append((f"{c['adcode']}-{q}", f"{c['name']}{q}", g))
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=["grid_id", "name", "geometry"]), geometry="geometry",
                            crs="EPSG:4326")


@pytest.fixture(scope="session")
def grids(counties):
    return split_counties(counties)


def _inside(geom, n, rng):
    x0, y0, x1, y1 = geom.bounds
    pts = []
    while len(pts) < n:
        p = Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        if geom.contains(p):
            pts.append(p)
    return pts


KINDS = [("construction", "dust"), ("boiler", "coal"), ("steel_plant", "industry"), ("road", "vehicle"),
         ("restaurant", "cooking")]


@pytest.fixture(scope="session")
def world(counties, grids):
    """Sources (30 inside the grids, 2 outside), their scores, stations, fire clusters, station rows."""
    rng = np.random.default_rng(7)
    inside = _inside(grids.union_all(), 30, rng)
    dongcheng = counties.loc[counties["adcode"] == "110101", "geometry"].iloc[0]
    outside = [dongcheng.representative_point(), Point(117.70, 39.00)]  # Dongcheng (not split), Tianjin coast
    pts = inside + outside
    n = len(pts)
    kinds = [KINDS[i % len(KINDS)] for i in range(n)]
    names = [f"源{i:02d}" for i in range(n)]
    names[3] = "=HYPERLINK(\"http://evil\",\"x\")"  # a formula-like name from an input file
    sources = gpd.GeoDataFrame({"source_id": [f"s{i:02d}" for i in range(n)], "name": names,
                                "kind": [k for k, _ in kinds], "category": [c for _, c in kinds],
                                "weight": rng.uniform(0.5, 2.0, n), "地址": [f"北京市某路{i}号" for i in range(n)]},
                               geometry=pts, crs="EPSG:4326")
    st_pts = [counties.loc[counties["adcode"] == a, "geometry"].iloc[0].centroid for a in SPLIT]
    stations = gpd.GeoDataFrame({"station": ["1001A", "1002A", "1003A"], "name": ["朝阳站", "丰台站", "海淀站"]},
                                geometry=st_pts, crs="EPSG:4326")
    contribution = rng.lognormal(0.5, 0.8, n)
    scores = pd.DataFrame({"source_id": sources["source_id"], "station": rng.choice(stations["station"], n),
                           "contribution": contribution, "lower": contribution * rng.uniform(-0.2, 0.8, n),
                           "upper": contribution * 1.8, "hours_upwind": rng.integers(10, 200, n),
                           "exceedance_hours_explained": rng.integers(0, 40, n).astype(float)})
    fc = gpd.GeoDataFrame({"cluster": [0, 1], "n_fires": [12, 4], "frp_sum": [300.0, 40.0],
                           "last": pd.to_datetime(["2024-01-20 13:40", "2024-01-15 01:30"]).tz_localize("Asia/Shanghai")},
                          geometry=[_inside(grids.geometry.iloc[2], 1, rng)[0], Point(118.5, 39.6)], crs="EPSG:4326")
    return {"sources": sources, "scores": scores, "stations": stations, "fire_clusters": fc}


def station_rows(stations):
    """"Check the station" rows in the priority list's columns (as geoair.integrity writes them)."""
    codes = stations["station"].astype(str).tolist()
    df = pd.DataFrame({c: pd.Series([pd.NA] * len(codes), dtype=object) for c in PRIORITY_COLUMNS})
    df["level"] = ["red"] + ["yellow"] * (len(codes) - 1)
    df["source_id"] = [f"station-{c}" for c in codes]
    df["name"] = stations["name"].tolist()
    df["kind"], df["category"], df["station"] = "station_check", "integrity", codes
    df["lon_wgs84"], df["lat_wgs84"] = stations.geometry.x.round(7).tolist(), stations.geometry.y.round(7).tolist()
    from geoair.coords import wgs84_to_gcj02

    glon, glat = wgs84_to_gcj02(df["lon_wgs84"].to_numpy(float), df["lat_wgs84"].to_numpy(float))
    df["lon_gcj02"], df["lat_gcj02"] = np.round(glon, 7), np.round(glat, 7)
    df["score"] = [0.9] + [0.6] * (len(codes) - 1)
    df["evidence"] = "2 events; flatline at the cap"
    df["rank"] = np.arange(1, len(codes) + 1)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon_wgs84"], df["lat_wgs84"]), crs="EPSG:4326")


@pytest.fixture(scope="session")
def priority(world, counties):
    pl = priority_list(world["scores"], world["sources"], counties, stations=world["stations"],
                       fire_clusters=world["fire_clusters"], now=pd.Timestamp("2024-01-21", tz="Asia/Shanghai"),
                       lang="zh")
    out = pd.concat([pl, station_rows(world["stations"])], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


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
