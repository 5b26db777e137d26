"""Benchmark: ``geoair briefing`` on the bundled data, cold (fresh process, empty numba cache) and warm.

Run on an idle machine:

    python benchmarks/bench_briefing.py            # one cold run, then one warm run
    python benchmarks/bench_briefing.py --runs 2   # more warm runs

Each run is a fresh ``python -m geoair briefing --out <tmp> --no-progress`` process. "Cold" uses
a new empty ``NUMBA_CACHE_DIR`` (as on a machine that has just installed geoair: every numba kernel
compiles); "warm" reuses that cache (a second run). Prints one Markdown table row per run: wall
time, CPU time (user + system of the child), peak RSS of the child, and the 1-minute load average
before and after (timings on a shared machine are inflated by the load; CPU time much less so).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time


def _run(out: str, env: dict) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "geoair", "briefing", "--out", out, "--no-progress"],
                          env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss_mib": after.ru_maxrss / 1024, "load": (load0, os.getloadavg()[0])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1, help="warm runs after the cold one")
    args = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="geoair-numba-")
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    print("| run | wall (s) | CPU user+sys (s) | peak RSS (MiB) | load 1-min before/after |")
    print("|---|---|---|---|---|")
    for i in range(1 + args.runs):
        with tempfile.TemporaryDirectory(prefix="geoair-briefing-") as out:
            r = _run(out, env)
        name = "cold (empty numba cache)" if i == 0 else f"warm {i}"
        print(f"| {name} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['rss_mib']:.0f} | "
              f"{r['load'][0]:.1f} / {r['load'][1]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
