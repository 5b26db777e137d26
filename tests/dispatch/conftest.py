"""Shared inputs of the dispatch tests: grids cut from bundled counties, a priority list with every
kind of row (the synthetic-truth hourly world is in dispatch_world.py)."""

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
