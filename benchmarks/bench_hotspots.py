"""Benchmark: Gi* on a regular grid, fire space-time clustering, and the briefing end to end.

Run: python benchmarks/bench_hotspots.py   (prints wall times and peak memory)
"""

import resource
import time

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import box

from geoair.hotspot import fire_clusters, local_gi_star


def main():
    rng = np.random.default_rng(0)
    n = 100  # 100 x 100 = 10,000 cells of 3 km
    xs, ys = np.meshgrid(np.arange(n) * 3000.0, np.arange(n) * 3000.0)
    g = gpd.GeoDataFrame({"v": rng.gamma(2.0, size=n * n)},
                         geometry=box(xs.ravel(), ys.ravel(), xs.ravel() + 3000, ys.ravel() + 3000),
                         crs="EPSG:3857")
    local_gi_star(g.iloc[:50], "v", permutations=9)  # JIT warm-up of esda's kernels
    t = time.perf_counter()
    local_gi_star(g, "v", weights="queen", permutations=199)
    print(f"Gi* 10,000 cells, queen, 199 permutations: {time.perf_counter() - t:.1f} s")

    m = 20_000
    lon = 114 + rng.uniform(0, 4, m)
    lat = 36 + rng.uniform(0, 4, m)
    tt = pd.Timestamp("2022-06-01", tz="Asia/Shanghai") + pd.to_timedelta(rng.uniform(0, 240, m), unit="h")
    f = gpd.GeoDataFrame({"time": tt, "frp": rng.gamma(2, 5, m)}, geometry=gpd.points_from_xy(lon, lat),
                         crs="EPSG:4326")
    t = time.perf_counter()
    _, cl = fire_clusters(f, eps_km=2, window_hours=48, min_samples=3)
    print(f"fire_clusters 20,000 points: {time.perf_counter() - t:.1f} s, {len(cl)} clusters")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
