"""Wall time of read_observations on the national month (31 CNEMC files) and 12 PRSA files.

Run from the repository root: ``python benchmarks/bench_read_observations.py [DATA_DIR]``
(default ``../shared/data``). Peak memory: run under ``/usr/bin/time -v``.
"""

import sys
import time
from pathlib import Path

from geoair.io import read_observations

data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
for label, pattern in [
    ("CNEMC January 2019 (31 files, 1,605 stations)", "china_sites_2019jf/china_sites_201901*.csv.gz"),
    ("UCI PRSA (12 files x 35,064 rows)", "beijing_prsa/PRSA_Data_*.csv.gz"),
]:
    best = float("inf")
    for _ in range(2):
        t = time.perf_counter()
        obs = read_observations(str(data / pattern))
        best = min(best, time.perf_counter() - t)
    print(f"{label}: {len(obs):,} station-hours, best of 2: {best:.2f} s, dropped {obs.attrs['droplog'].total()}")
