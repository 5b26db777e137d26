"""Benchmark of SourceAttribution at national scale (issue 10: <= 5 min and <= 4 GB on 2 cores).

1. Kernel throughput of the physics library (:func:`geoair.apportion.kernels.exposure_variants`,
   13 variants x 4 saturation levels, numba threads as set by NUMBA_NUM_THREADS) on the national
   station list with synthetic sources placed around random stations and random winds.
2. The real national month: bundled CNEMC files 2019-01-08 .. 02-07 (1,605 stations; no wind in
   these files, so every kernel is direction-averaged), GPPD power plants + GEM steel plants as
   sources, the bundled FIRMS week (2022: left out, logged), 100 bootstrap replicates.

Usage: ``NUMBA_NUM_THREADS=2 /usr/bin/time -v python benchmarks/bench_attribution.py [--hours 168]``
(record ``uptime`` next to the numbers: the project machine is shared).
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import numpy as np
import pandas as pd


def kernel_throughput(hours: int, n_sources: int) -> None:
    from geoair import datasets
    from geoair.apportion import _physics
    from geoair.apportion import kernels as k

    st = datasets.load_national_stations()
    st_lon, st_lat = st.geometry.x.to_numpy(), st.geometry.y.to_numpy()
    S = st_lon.size
    rng = np.random.default_rng(0)
    host = rng.integers(S, size=n_sources)
    d, b = rng.uniform(0, 50_000, n_sources), rng.uniform(0, 2 * np.pi, n_sources)
    src_lat = st_lat[host] + d * np.cos(b) / 111_195.0
    src_lon = st_lon[host] + d * np.sin(b) / (111_195.0 * np.cos(np.radians(st_lat[host])))
    table = pd.DataFrame({"design": rng.integers(0, 2, n_sources), "profile": 0, "weight": 1.0, "height": 0.0})
    pairs = k.pair_index(st_lon, st_lat, src_lon, src_lat, 50_000.0)
    times = pd.date_range("2019-01-01 01:00", periods=hours, freq="h", tz="Asia/Shanghai")
    u, v = rng.normal(0, 3, (S, hours)), rng.normal(0, 3, (S, hours))
    lib = _physics.library(u, v, k.solar_elevation(times, st_lon, st_lat), None)
    levels = np.array([[np.inf, 0.1, 1.0, 10.0]] * 2)
    act = np.ones((1, hours))
    small = (pairs[0][:3], pairs[1][: pairs[0][2]], *[a[: pairs[0][2]] for a in pairs[2:]])
    _physics.exposure_design(small, table, act[:, :2], u[:2, :2], v[:2, :2], None,
                             _physics.Library(lib.variants, lib.stability[:, :2, :2], lib.names), 2, levels)
    t0 = time.perf_counter()
    E = _physics.exposure_design(pairs, table, act, u, v, None, lib, 2, levels)
    dt = time.perf_counter() - t0
    n_eval = pairs[1].size * hours * len(lib)
    print(f"kernel: {S} stations, {n_sources:,} sources, {pairs[1].size:,} pairs within 50 km, {hours} h, "
          f"{len(lib)} variants x {levels.shape[1]} levels: {n_eval / 1e6:.0f} M transfer evaluations in {dt:.1f} s "
          f"= {n_eval / dt / 1e6:.1f} M/s; design {E.nbytes / 1e6:.0f} MB")


def national_month(n_bootstrap: int) -> None:
    from geoair import datasets
    from geoair.apportion import SourceAttribution

    t0 = time.perf_counter()
    obs = datasets.load_cnemc_observations(start="2019-01-08", end="2019-02-07")
    st = datasets.load_national_stations()
    src = pd.concat([datasets.load_power_plants(), datasets.load_steel_plants()], ignore_index=True)
    fires = datasets.load_firms()
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no wind in the bundled files; 2022 fires left out
        m = SourceAttribution(n_bootstrap=n_bootstrap, random_state=0).fit(obs, stations=st, sources=src, fires=fires)
    t_fit = time.perf_counter() - t0
    sh = m.shares_[m.shares_["station"] == "all"].set_index("category")["share"]
    print(f"national month: load {t_load:.1f} s, fit {t_fit:.1f} s; {m.contributions_['station'].nunique()} stations "
          f"x {obs['time'].nunique()} h ({len(obs):,} rows), {len(src):,} sources, {m.n_pairs_:,} pairs, "
          f"{len(m.contributions_):,} contribution rows; shares {sh.round(3).to_dict()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=int, default=168)
    ap.add_argument("--sources", type=int, default=20_000)
    ap.add_argument("--n-bootstrap", type=int, default=100)
    ap.add_argument("--skip-kernel", action="store_true")
    args = ap.parse_args()
    import numba

    print(f"numba threads: {numba.get_num_threads()}")
    if not args.skip_kernel:
        kernel_throughput(args.hours, args.sources)
    national_month(args.n_bootstrap)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
