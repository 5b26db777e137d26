"""Benchmark the directional functions on openair's mydata (65,533 rows) and 100,000 72-h
back-trajectories on a synthetic 0.5 degree wind field.

Run from the repository root:  python benchmarks/bench_directional.py [--quick]
openair 2.17 reference times (R 4.2, 2 cores, same data; issue 4): polarPlot mean or CPF
0.5-0.7 s, NWR 11-12 s, timeVariation 3.1 s, polarAnnulus 1.9 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MYDATA = ROOT.parent / "shared" / "data" / "openair_mydata" / "mydata.csv.gz"


def timeit(label, fn, repeat=3):
    best = np.inf
    cpu = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        c = time.process_time()
        fn()
        best = min(best, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # CPU time (all threads) is reported too: on a shared, oversubscribed machine it is the
    # better estimate of the wall time on an idle one for single-threaded steps
    print(f"| {label} | {best:.2f} s | {cpu:.2f} s | {rss:.0f} MiB |", flush=True)
    return best


def wind_field(hours=172):
    import xarray as xr

    lat = np.arange(10, 60.01, 0.5)
    lon = np.arange(80, 140.01, 0.5)
    t = pd.date_range("2020-01-01", periods=hours, freq="h")
    th = np.arange(hours)[:, None, None]
    la = np.deg2rad(lat)[None, :, None]
    lo = np.deg2rad(lon)[None, None, :]
    # westerlies with travelling waves, 3-10 m/s
    u = 6 + 3 * np.cos(2 * la) + 2 * np.sin(3 * lo + 2 * np.pi * th / 48)
    v = 2 * np.cos(2 * lo - 2 * np.pi * th / 36) * np.cos(la)
    return xr.Dataset({"u10": (("time", "latitude", "longitude"), u),
                       "v10": (("time", "latitude", "longitude"), v.repeat(1, 0) + 0 * u)},
                      coords={"time": t, "latitude": lat, "longitude": lon})


def main(quick=False):
    from geoair.directional import polar_annulus, polar_plot, time_variation, wind_rose
    from geoair.met.trajectory import back_trajectories

    d = pd.read_csv(MYDATA)
    d["date"] = pd.to_datetime(d["date"], utc=True)
    r = 1 if quick else 3
    print(f"mydata rows: {len(d)}")
    print("| task | wall (best of runs) | CPU time | peak RSS so far |\n|---|---|---|---|")
    timeit("polar_plot pm10 mean", lambda: polar_plot(d, "pm10"), r)
    timeit("polar_plot pm10 CPF 90", lambda: polar_plot(d, "pm10", statistic="cpf", percentile=90), r)
    timeit("polar_plot pm10 CBPF 75-90", lambda: polar_plot(d, "pm10", statistic="cpf", percentile=[75, 90]), r)
    timeit("polar_plot pm10 NWR", lambda: polar_plot(d, "pm10", statistic="nwr"), r)
    timeit("time_variation pm10 (B = 100)", lambda: time_variation(d, "pm10"), r)
    timeit("polar_annulus pm10", lambda: polar_annulus(d, "pm10"), r)
    timeit("wind_rose", lambda: wind_rose(d), r)

    ds = wind_field()
    rng = np.random.default_rng(0)
    n_rec = 100 if quick else 1000
    rec = pd.DataFrame({"lon": rng.uniform(110, 125, n_rec), "lat": rng.uniform(30, 42, n_rec)})
    times = ds.time.values[72:172]
    t = time.perf_counter()
    back_trajectories(ds, rec.iloc[:2], times[:2], hours=72)
    print(f"trajectory kernel first call (numba compile or cache load): {time.perf_counter() - t:.2f} s")
    n = n_rec * times.size
    out = {}

    def run():
        out["t"] = back_trajectories(ds, rec, times, hours=72)

    timeit(f"back_trajectories {n:,} x 72 h (RK2, 15 min steps)", run, 1)
    print(f"points: {len(out['t']):,}; left field: {out['t'].lon.isna().mean():.1%}")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    main(p.parse_args().quick)
