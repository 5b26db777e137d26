"""Wall and CPU time of ``IntegrityScreen().fit`` on the bundled national month (after a warm-up).

Usage: ``NUMBA_NUM_THREADS=2 PYTHONPATH=. python benchmarks/integrity_fit_cpu.py [repeats]``;
to compare with another checkout run it with ``PYTHONPATH=/path/to/that/checkout`` in
alternation (CPU time is less sensitive to the machine's load than wall time).
"""

import os
import sys
import time

import geoair
from geoair import datasets, set_options
from geoair.integrity import IntegrityScreen


def main(repeats: int = 2) -> None:
    set_options(progress=False)
    obs, st = datasets.load_cnemc_observations(), datasets.load_national_stations()
    IntegrityScreen().fit(obs[obs["station"].isin(obs["station"].unique()[:50])], st)  # numba cache
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        IntegrityScreen().fit(obs, st)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    print(f"{geoair.__file__}: wall {[round(x, 1) for x in wall]} s, cpu {[round(x, 1) for x in cpu]} s, "
          f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
