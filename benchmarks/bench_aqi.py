"""Benchmark: hourly (real-time) AQI for N station-hours.

Usage: python benchmarks/bench_aqi.py [N=10_000_000]

Builds a random wide hourly frame (6 pollutants, plausible ranges), then times
``geoair.standards.aqi(frame, "1h", standard="hj633-2026")`` and the date-aware call on a frame
that straddles 2026-03-01. Peak RSS from ``resource.getrusage``.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from geoair.standards import aqi


def make_frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "pm25": rng.gamma(2.0, 30.0, n),
        "pm10": rng.gamma(2.0, 45.0, n),
        "so2": rng.gamma(1.5, 8.0, n),
        "no2": rng.gamma(3.0, 12.0, n),
        "co": np.round(rng.gamma(2.0, 0.5, n), 1),
        "o3": rng.gamma(2.0, 40.0, n),
    })


def main(n: int) -> None:
    t0 = time.perf_counter()
    df = make_frame(n)
    t1 = time.perf_counter()
    r = aqi(df, "1h", standard="hj633-2026")
    t2 = time.perf_counter()
    print(f"build frame: {t1 - t0:.2f} s; aqi(1h, hj633-2026) on {n:,} rows: {t2 - t1:.2f} s")
    print(r["category_en"].value_counts().to_string())
    # Date-aware: half before, half after the 2026-03-01 switch (2012 real-time rules need
    # the 24-h moving PM means; the hourly values stand in for them here).
    df["pm25_24h"] = df["pm25"]
    df["pm10_24h"] = df["pm10"]
    df["date"] = np.where(np.arange(n) < n // 2, np.datetime64("2026-02-01"),
                          np.datetime64("2026-04-01"))
    t3 = time.perf_counter()
    aqi(df.drop(columns="date").assign(date=pd.to_datetime(df["date"])), "24h")
    t4 = time.perf_counter()
    print(f"aqi(24h, date-aware 2012/2026 mix) on {n:,} rows: {t4 - t3:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
