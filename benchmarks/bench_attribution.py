"""Benchmark of the attribution exposure kernel (geoair.apportion.kernels).

1. Kernel throughput: station-source-hour evaluations per second (numba, threads as set by
   NUMBA_NUM_THREADS; run with NUMBA_NUM_THREADS=2 on the 2-core machine).
2. National case projected from a measured run: the 1,600-odd national stations (bundled
   list), 20,000 synthetic sources placed around random stations (0-60 km, sources cluster
   where monitors are), 50 km cut-off; the kernel is timed on ``--hours`` hours and the
   8,760-hour year is projected linearly (cost is stations x pairs x hours).
3. The full estimator on the twin experiment (4 stations x 70 days, 100 bootstrap draws).

Usage: ``NUMBA_NUM_THREADS=2 PYTHONPATH=. python benchmarks/bench_attribution.py [--hours 336]``
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=int, default=336)
    ap.add_argument("--sources", type=int, default=20_000)
    args = ap.parse_args()

    import numba

    from geoair.apportion import kernels as k

    print(f"numba threads: {numba.get_num_threads()}")
    st = pd.read_csv("data/china_stations/station_list_2022-02-13.csv")
    st_lon = pd.to_numeric(st.iloc[:, 3], errors="coerce").to_numpy(float)
    st_lat = pd.to_numeric(st.iloc[:, 4], errors="coerce").to_numpy(float)
    ok = np.isfinite(st_lon) & np.isfinite(st_lat)
    st_lon, st_lat = st_lon[ok][:1600], st_lat[ok][:1600]
    S = st_lon.size
    rng = np.random.default_rng(0)
    host = rng.integers(S, size=args.sources)
    d = rng.uniform(0, 60_000, args.sources)
    b = rng.uniform(0, 2 * np.pi, args.sources)
    src_lat = st_lat[host] + d * np.cos(b) / 111_195.0
    src_lon = st_lon[host] + d * np.sin(b) / (111_195.0 * np.cos(np.radians(st_lat[host])))
    cat = rng.integers(0, 5, args.sources)

    t0 = time.perf_counter()
    pairs = k.pair_index(st_lon, st_lat, src_lon, src_lat, 50_000.0)
    t_pairs = time.perf_counter() - t0
    n_pairs = pairs[1].size
    print(f"stations {S}, sources {args.sources}, pairs within 50 km {n_pairs:,} "
          f"({n_pairs / S:.0f}/station), pair search {t_pairs:.2f} s")

    T = args.hours
    times = pd.date_range("2019-01-01 01:00", periods=T, freq="h", tz="Asia/Shanghai")
    u = rng.normal(0, 3, (S, T))
    v = rng.normal(0, 3, (S, T))
    cls = k.stability_class(np.hypot(u, v), k.solar_elevation(times, st_lon, st_lat))
    act = np.ones((1, T))  # every source active every hour: worst case
    kw = dict(n_categories=5)
    # compile (numba) on a tiny slice first
    small = k.pair_index(st_lon[:2], st_lat[:2], src_lon, src_lat, 50_000.0)
    k.exposure(small, cat, np.zeros(args.sources, int), np.ones(args.sources), np.zeros(args.sources), act[:, :2],
               u[:2, :2], v[:2, :2], cls[:2, :2], **kw)
    t0 = time.perf_counter()
    E = k.exposure(pairs, cat, np.zeros(args.sources, int), np.ones(args.sources), np.zeros(args.sources), act,
                   u, v, cls, **kw)
    t_kernel = time.perf_counter() - t0
    n_eval = n_pairs * T
    rate = n_eval / t_kernel
    year = n_pairs * 8760 / rate
    print(f"kernel: {n_eval:,} station-source-hour evaluations in {t_kernel:.2f} s = {rate / 1e6:.1f} M/s")
    print(f"national year projected (1 pass, {S} x 8,760 h x {args.sources:,} sources, 50 km): "
          f"{year:.0f} s = {year / 60:.1f} min; exposure array {S * 8760 * 5 * 8 / 1e9:.2f} GB")
    assert np.isfinite(E).all()

    from geoair.apportion import SourceAttribution
    from geoair.testing import make_attribution_truth

    t0 = time.perf_counter()
    syn = make_attribution_truth(seed=0)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    SourceAttribution(n_bootstrap=100, random_state=0).fit(syn.obs, stations=syn.stations, sources=syn.sources,
                                                           fires=syn.fires)
    t_fit = time.perf_counter() - t0
    print(f"twin experiment: generate {t_gen:.2f} s, fit (4 stations x {syn.obs.time.nunique()} h, "
          f"{len(syn.sources) + len(syn.fires)} sources, 100 bootstrap) {t_fit:.2f} s")
    # 4. the real national month: bundled CNEMC files (no wind: isotropic kernels), GPPD power
    # plants and GEM steel plants as sources
    import warnings

    from geoair import datasets

    t0 = time.perf_counter()
    obs = datasets.load_cnemc_observations(start="2019-01-08", end="2019-02-07")
    st = datasets.load_national_stations()
    src = pd.concat([datasets.load_power_plants(), datasets.load_steel_plants()], ignore_index=True)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = SourceAttribution(n_bootstrap=100, random_state=0).fit(obs, stations=st, sources=src)
    t_nat = time.perf_counter() - t0
    print(f"national month (CNEMC 2019-01-08..02-07): load {t_load:.1f} s, fit {t_nat:.1f} s, "
          f"{m.contributions_.station.nunique()} stations x {obs.time.nunique()} h, {len(src)} sources, "
          f"{m.n_pairs_} pairs, {len(m.contributions_):,} contribution rows")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
