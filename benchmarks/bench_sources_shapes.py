"""Cost of line and area sources against the points they replace (issue 20).

National station list (bundled), synthetic roads (bent polylines 5-30 km long with a vertex
every ~1 km, each passing near a random station), villages (~1 km² squares) and a 0.1°
inventory grid over one region. Measures:

- the one-off decomposition into elements (``_discretise.station_pairs``): time and the number
  of station-element pairs (segments and triangles, integrated in closed form by the kernels);
- the hourly kernel (``kernels.exposure``, one physics) over ``--hours`` random-wind hours with
  (a) the shapes, (b) each shape as its vertices (the road digitised as points, a village as its
  corners + centre, a cell as its centre) and (c) each shape as one representative point.

Usage: ``NUMBA_NUM_THREADS=2 python benchmarks/bench_sources_shapes.py [--hours 48 --frac 0.2]``
(record ``uptime``: the project machine is shared).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd


def _world(n_roads, n_villages, seed=0):
    import geopandas as gpd
    import shapely

    from geoair import datasets

    st = datasets.load_national_stations()
    st_lon, st_lat = st.geometry.x.to_numpy(), st.geometry.y.to_numpy()
    rng = np.random.default_rng(seed)
    geoms, cats = [], []
    for _ in range(n_roads):
        s = rng.integers(len(st_lon))
        length = rng.uniform(5_000, 30_000)
        k = max(int(length / 1000), 2)
        ang = rng.uniform(0, np.pi) + np.cumsum(rng.normal(0, 0.15, k))
        off = rng.uniform(-2000, 2000)
        x = np.concatenate([[-length / 2], -length / 2 + np.cumsum(np.full(k, length / k) * np.cos(ang))])
        y = off + np.concatenate([[0.0], np.cumsum(np.full(k, length / k) * np.sin(ang))])
        c = np.cos(np.radians(st_lat[s]))
        geoms.append(shapely.LineString(np.c_[st_lon[s] + x / 111_195 / c, st_lat[s] + y / 111_195]))
        cats.append("vehicle")
    for _ in range(n_villages):
        s = rng.integers(len(st_lon))
        d, b = rng.uniform(300, 30_000), rng.uniform(0, 2 * np.pi)
        lon = st_lon[s] + d * np.sin(b) / 111_195 / np.cos(np.radians(st_lat[s]))
        lat = st_lat[s] + d * np.cos(b) / 111_195
        geoms.append(shapely.box(lon - 0.006, lat - 0.0045, lon + 0.006, lat + 0.0045))
        cats.append("coal")
    for lo in np.arange(116.0, 117.0, 0.1):  # a 0.1° inventory grid over Beijing
        for la in np.arange(39.5, 40.5, 0.1):
            geoms.append(shapely.box(lo, la, lo + 0.1, la + 0.1))
            cats.append("industry")
    src = gpd.GeoDataFrame({"source_id": [f"X{i}" for i in range(len(geoms))], "category": cats, "weight": 1.0},
                           geometry=geoms, crs="EPSG:4326")
    return st_lon, st_lat, src


def _vertices(src):
    import shapely

    rows = []
    for sid, g in zip(src["source_id"], src.geometry, strict=True):
        xy = shapely.get_coordinates(g)
        if g.geom_type == "Polygon":
            xy = np.vstack([xy[:-1], [[g.centroid.x, g.centroid.y]]]) if g.area < 1e-3 else [[g.centroid.x,
                                                                                              g.centroid.y]]
        xy = np.asarray(xy)
        rows += [(sid, x, y, 1.0 / len(xy)) for x, y in xy]
    return pd.DataFrame(rows, columns=["source_id", "lon", "lat", "weight"])


def _kernel(pairs, weight, hours, S, rng):
    from geoair.apportion import kernels as k

    u, v = rng.normal(0, 3, (S, hours)), rng.normal(0, 3, (S, hours))
    cls = rng.integers(0, 6, (S, hours))
    n = len(weight)
    z = np.zeros(n, np.int64)
    k.exposure(pairs, z, z, weight, np.zeros(n), np.ones((1, 2)), u[:, :2], v[:, :2], cls[:, :2], n_categories=1)
    t0, c0 = time.perf_counter(), time.process_time()
    k.exposure(pairs, z, z, weight, np.zeros(n), np.ones((1, hours)), u, v, cls, n_categories=1)
    return time.perf_counter() - t0, time.process_time() - c0


def main(hours, n_roads, n_villages, **options):
    from geoair.apportion import kernels as k
    from geoair.apportion._discretise import shapes_of, station_pairs

    st_lon, st_lat, src = _world(n_roads, n_villages)
    S = len(st_lon)
    table = pd.DataFrame({"source_id": src["source_id"], "design_name": src["category"],
                          "lon": src.geometry.representative_point().x, "lat": src.geometry.representative_point().y,
                          "weight": 1.0})
    t0 = time.perf_counter()
    pairs, t = station_pairs(st_lon, st_lat, table, shapes_of(src), 50_000.0, **options)
    t_pre = time.perf_counter() - t0
    vert = _vertices(src)
    p_vert = k.pair_index(st_lon, st_lat, vert["lon"], vert["lat"], 50_000.0)
    p_rep = k.pair_index(st_lon, st_lat, table["lon"], table["lat"], 50_000.0)
    rng = np.random.default_rng(1)
    t_shape = _kernel(pairs, t["weight"].to_numpy(), hours, S, rng)
    t_vert = _kernel(p_vert, vert["weight"].to_numpy(), hours, S, rng)
    t_rep = _kernel(p_rep, table["weight"].to_numpy(), hours, S, rng)
    n_sp = pd.MultiIndex.from_arrays([np.repeat(np.arange(S), np.diff(pairs[0])),
                                      t["source_id"].to_numpy()[pairs[1]]]).nunique()
    print(f"{S} stations; {n_roads} roads, {n_villages} villages, 100 grid cells; {hours} h")
    print(f"decomposition: {t_pre:.1f} s, {pairs[1].size:,} element pairs for {n_sp:,} station-source pairs "
          f"({pairs[1].size / max(n_sp, 1):.1f} per pair)")
    kinds = np.bincount(getattr(pairs, "kind", np.zeros(0, np.int8)), minlength=3)
    print(f"element pairs: {kinds[1]:,} segments, {kinds[2]:,} triangles (+ {kinds[0]:,} points)")
    for name, (wall, cpu), n in (("shapes", t_shape, pairs[1].size), ("as vertices", t_vert, p_vert[1].size),
                                 ("as one point each", t_rep, p_rep[1].size)):
        print(f"kernel {name}: wall {wall:.2f} s, CPU {cpu:.2f} s, {n:,} pairs x {hours} h = {n * hours:,} "
              "pair-hour evaluations")
    print(f"ratio shapes / vertices: wall {t_shape[0] / t_vert[0]:.2f}, CPU {t_shape[1] / t_vert[1]:.2f}; "
          f"shapes / one point: wall {t_shape[0] / t_rep[0]:.2f}, CPU {t_shape[1] / t_rep[1]:.2f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=int, default=48)
    ap.add_argument("--roads", type=int, default=500)
    ap.add_argument("--villages", type=int, default=1000)
    ap.add_argument("--frac", type=float, default=0.2)
    a = ap.parse_args()
    print(f"options: frac={a.frac}")
    main(a.hours, a.roads, a.villages, frac=a.frac)
