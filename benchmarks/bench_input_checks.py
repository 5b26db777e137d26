"""Input checks: the evidence behind the PM2.5 > PM10 rule, reader timings, drop-log overhead.

Run from the repository root: ``python benchmarks/bench_input_checks.py`` (bundled ``data/``).
Prints the numbers quoted in ``docs/methods/input_checks.md`` and ``benchmarks/RESULTS.md``.
Peak memory is the process's maximum RSS (``resource.getrusage``).
"""

import copy
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from geoair import DropLog, datasets
from geoair.io import read_observations


def timed(fn, repeat=2):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def ratio_evidence():
    cnemc = sorted(str(p) for p in datasets.get_path("cnemc_2019").glob("china_sites_*.csv.gz"))
    obs = read_observations(cnemc, pm_tolerance=None)
    both = obs[["pm25", "pm10"]].dropna()
    r = both["pm25"] / both["pm10"]
    print(f"CNEMC bundled ({len(cnemc)} files): {len(both):,} station-hours with PM2.5 and PM10; "
          f"PM2.5 > PM10: {(r > 1).sum()}; equal: {(r == 1).sum():,}; ratio in [0.99, 0.9999): "
          f"{((r >= 0.99) & (r < 0.9999)).sum():,}; max ratio {r.max():.3f}")
    prsa = sorted(str(p) for p in datasets.get_path("beijing_prsa").glob("PRSA_Data_*.csv.gz"))
    raw = read_observations(prsa, pm_tolerance=None)
    both = raw[["pm25", "pm10"]].dropna()
    above = both["pm25"] > both["pm10"]
    beyond = both["pm25"] > both["pm10"] * 1.15 + 10
    print(f"UCI PRSA ({len(prsa)} files, {len(raw):,} station-hours): PM2.5 > PM10 in {above.sum():,}; "
          f"beyond PM10 x 1.15 + 10: {beyond.sum():,} ({100 * beyond.mean():.1f} % of pairs)")
    return cnemc, prsa


def reader_timings(cnemc, prsa):
    for label, files, kw in [
        (f"CNEMC {len(cnemc)} files, 1 thread", cnemc, {"n_jobs": 1}),
        (f"CNEMC {len(cnemc)} files, 2 threads", cnemc, {"n_jobs": 2}),
        (f"PRSA {len(prsa)} files", prsa, {}),
    ]:
        dt, obs = timed(lambda files=files, kw=kw: read_observations(files, **kw))
        print(f"read_observations {label}: {len(obs):,} rows, best of 2 {dt:.2f} s, "
              f"{obs.attrs['droplog'].total():,} dropped/masked")


def droplog_overhead(n_rows=1_000_000, n_masked=100_000):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"station": rng.integers(0, 1600, n_rows).astype(str), "pm25": rng.gamma(2, 30, n_rows)})
    log = DropLog()
    for col in ("pm25", "pm10", "so2", "no2"):
        log.add(f"{col}: sentinel", np.sort(rng.choice(n_rows, n_masked // 4, replace=False)) + 1,
                file="a.csv", column=col, values=[-999] * 5)
    t = time.perf_counter()
    text_len = len(log.to_json())
    enc = time.perf_counter() - t
    print(f"DropLog with {log.total():,} scattered rows in {len(log)} entries: JSON {text_len / 1e6:.1f} MB, "
          f"encoded in {enc * 1e3:.0f} ms")
    plain = df.copy()
    df.attrs["droplog"] = log
    for label, fn in [("deepcopy(log)", lambda: copy.deepcopy(log)),
                      ("df.copy() with log", lambda: df.copy()), ("df.copy() without", lambda: plain.copy()),
                      ("pd.concat([df, df]) with log", lambda: pd.concat([df, df])),
                      ("pd.concat without", lambda: pd.concat([plain, plain]))]:
        dt, _ = timed(fn, repeat=3)
        print(f"  {label}: {dt * 1e3:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        for label, frame in [("with log", df), ("without", plain)]:
            dt, _ = timed(lambda frame=frame: frame.to_parquet(Path(tmp) / "x.parquet"))
            print(f"  to_parquet {label}: {dt * 1e3:.0f} ms")


if __name__ == "__main__":
    print(f"{time.strftime('%Y-%m-%d %H:%M')} load average {os.getloadavg()}")
    cnemc, prsa = ratio_evidence()
    reader_timings(cnemc, prsa)
    droplog_overhead()
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
