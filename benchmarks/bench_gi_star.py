"""Benchmark: local Gi* with the numpy conditional randomisation vs esda (numba), first and later calls.

Run: python benchmarks/bench_gi_star.py

Each engine is timed in a fresh process (``python -c``) so that the first call includes what a
user meets (imports and, for esda, numba compilation into an empty cache), then a second call in
the same process. Sizes: the briefing's case (44 counties, k=5 nearest neighbours, 199
permutations) and a 10,000-cell grid (queen, 199 permutations).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

CODE = r"""
import time, warnings, numpy as np, geopandas as gpd
from shapely import box
t0 = time.perf_counter()
from geoair.hotspot import local_gi_star
def grid(n):
    rng = np.random.default_rng(0)
    xs, ys = np.meshgrid(np.arange(n) * 3000.0, np.arange(n) * 3000.0)
    return gpd.GeoDataFrame({"v": rng.gamma(2.0, size=n * n)}, crs="EPSG:3857",
                            geometry=box(xs.ravel(), ys.ravel(), xs.ravel() + 3000, ys.ravel() + 3000))
small = grid(7).iloc[:44]
t1 = time.perf_counter()
local_gi_star(small, "v", weights="knn", k=5, permutations=199, engine=ENGINE)
t2 = time.perf_counter()
local_gi_star(small, "v", weights="knn", k=5, permutations=199, engine=ENGINE)
t3 = time.perf_counter()
big = grid(100)
t4 = time.perf_counter()
local_gi_star(big, "v", weights="queen", permutations=199, engine=ENGINE)
t5 = time.perf_counter()
import resource
print(f"| {ENGINE} | {t1 - t0:.1f} | {t2 - t1:.2f} | {t3 - t2:.3f} | {t5 - t4:.1f} | "
      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} |")
"""


def main() -> None:
    print(f"load average {os.getloadavg()}")
    print("| engine | import (s) | first call, 44 counties (s) | second call (s) | 10,000 cells (s) | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|")
    for engine in ("numpy", "esda"):
        env = {**os.environ, "NUMBA_CACHE_DIR": tempfile.mkdtemp(prefix="geoair-numba-")}
        out = subprocess.run([sys.executable, "-c", CODE.replace("ENGINE", repr(engine))], env=env,
                             capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr[-1500:], flush=True)
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
