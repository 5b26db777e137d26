"""National year on Dask: ingest -> daily -> AQI -> HJ 663 -> county rankings; batch polar plots.

Usage (each step in its own process so that peak memory is its own)::

    python benchmarks/bench_dask.py all --work /tmp/geoair_bench      # everything below
    python benchmarks/bench_dask.py make-year --work DIR    # 365 CNEMC daily files (setup)
    python benchmarks/bench_dask.py ingest --work DIR       # build_store of the year
    python benchmarks/bench_dask.py pipeline --work DIR --workers 0|1|2
    python benchmarks/bench_dask.py polar --work DIR --workers 0|1|2

The year is the bundled real month (31 CNEMC daily files, 2019-01-08 .. 02-07, 1,605
stations) replayed over 2019-01-01 .. 2019-12-31: day d takes file d mod 31, with every
station-day's values multiplied by a log-normal factor (sigma 0.15, seed 42). The national
month has no wind: the polar benchmark replays the real wind of the 12 Beijing PRSA stations
for 2016-01-08 .. 2016-02-07 (station i gets PRSA station i mod 12's wind, hour by hour).
``--workers 0`` = dask's threads (2); 1 or 2 = a LocalCluster with that many single-thread
worker processes. Prints one JSON line per step (wall s, peak RSS of the process and of each
worker, MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def make_year(work: Path) -> None:
    """Write 365 perturbed CNEMC daily files (plain CSV) into work/year."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from geoair import datasets

    src = sorted(datasets.get_path("cnemc_2019").glob("china_sites_*.csv.gz"))
    out = work / "year"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(42)
    tables = [pacsv.read_csv(p, convert_options=pacsv.ConvertOptions(
        column_types={"date": pa.string(), "hour": pa.int64(), "type": pa.string()}))
        for p in src]
    days = np.arange(np.datetime64("2019-01-01"), np.datetime64("2020-01-01"))
    for i, day in enumerate(days):
        t = tables[i % len(tables)]
        stamp = str(day).replace("-", "")
        cols = {"date": pa.array([stamp] * t.num_rows), "hour": t.column("hour"),
                "type": t.column("type")}
        factor = np.exp(rng.normal(0.0, 0.15, t.num_columns - 3))
        for j, name in enumerate(t.column_names[3:]):
            v = t.column(name).to_numpy(zero_copy_only=False).astype(float)
            cols[name] = pa.array(np.round(v * factor[j], 1), mask=np.isnan(v))
        pacsv.write_csv(pa.table(cols), out / f"china_sites_{stamp}.csv")


def _cluster(workers: int):
    if workers == 0:
        return None, None
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit="3GB")
    return cluster, Client(cluster, set_as_default=False)


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return round(r.ru_utime + r.ru_stime, 1)


def _worker_peaks(client) -> list[float]:
    if client is None:
        return []
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    return sorted(round(v, 1) for v in peaks.values())


def _worker_cpu(client) -> float:
    if client is None:
        return 0.0
    cpu = client.run(lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2]))
    return round(sum(cpu.values()), 1)


def ingest(work: Path) -> dict:
    import shutil

    import geoair
    from geoair import datasets
    from geoair.io import build_store, read_boundaries

    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    provinces = read_boundaries(datasets.get_path("bth_provinces"))
    t0 = time.perf_counter()
    with geoair.set_options(progress=False):
        res = build_store(str(work / "year" / "*.csv"), store,
                          stations=datasets.load_national_stations(), provinces=provinces)
    return {"step": "ingest", "wall_s": round(time.perf_counter() - t0, 1),
            "rows": int(res["rows"].sum()), "partitions": len(res), "peak_mib": _rss_mib(),
            "cpu_s": _cpu_s()}


def _counties():
    """National counties from ../shared if present, else the bundled BTH counties."""
    from geoair import datasets
    from geoair.io import read_boundaries

    shared = (Path(__file__).resolve().parents[1].parent / "shared" / "data" /
              "china_boundaries" / "tianditu_cgcs2000" / "cn_district.geojson.gz")
    if shared.exists():
        return read_boundaries(shared), "national (tianditu, 2,891)"
    return datasets.load_bth_counties(), "BTH (bundled, 199)"


def pipeline(work: Path, workers: int) -> dict:
    import geoair
    from geoair import datasets
    from geoair.standards import aqi, league_table
    from geoair.standards.national import store_rankings

    counties, which = _counties()
    stations = datasets.load_national_stations()
    cluster, client = _cluster(workers)
    t0 = time.perf_counter()
    with geoair.set_options(progress=False, scheduler=client):
        res = store_rankings(work / "store", by="adcode", stations=stations, counties=counties)
        t1 = time.perf_counter()
        days = aqi(res["daily"])
        from geoair.standards import evaluate

        by_station = evaluate(res["daily"], "year")
        table = league_table(by_station)
    wall = time.perf_counter() - t0
    peaks, wcpu = _worker_peaks(client), _worker_cpu(client)
    if cluster is not None:
        client.close()
        cluster.close()
    d = res["daily"]
    return {"step": "pipeline", "workers": workers, "wall_s": round(wall, 1),
            "rankings_s": round(t1 - t0, 1), "daily_rows": len(d),
            "valid_pm25_days": int(d["pm25"].notna().sum()),
            "counties": which, "ranked_counties": len(res["table"]),
            "ranked_stations": len(table), "aqi_days": int(days["aqi"].notna().sum()),
            "mean_pm25": round(float(by_station["pm25"].mean()), 2),
            "peak_mib": _rss_mib(), "worker_peak_mib": peaks, "cpu_s": _cpu_s(),
            "worker_cpu_s": wcpu}


def _national_month_with_wind():
    import pandas as pd

    from geoair import datasets

    obs = datasets.load_cnemc_observations()[["station", "time", "pm25"]]
    prsa = datasets.load_beijing_observations()
    t0 = pd.Timestamp("2016-01-08", tz="Asia/Shanghai")
    prsa = prsa[(prsa["time"] >= t0) & (prsa["time"] < t0 + pd.Timedelta(days=31))]
    wind = {s: g.set_index("time")[["ws", "wd"]] for s, g in prsa.groupby("station")}
    codes = sorted(obs["station"].unique())
    src = {c: sorted(wind)[i % len(wind)] for i, c in enumerate(codes)}
    shift = pd.Timedelta(days=(pd.Timestamp("2019-01-08") - pd.Timestamp("2016-01-08")).days)
    parts = []
    for code, grp in obs.groupby("station"):
        w = wind[src[code]].reindex(grp["time"] - shift)
        parts.append(grp.assign(ws=w["ws"].to_numpy(), wd=w["wd"].to_numpy()))
    return pd.concat(parts, ignore_index=True)


def polar(work: Path, workers: int) -> dict:
    import shutil

    import geoair
    from geoair.directional import polar_plot_many

    data = _national_month_with_wind()
    out = work / f"polar_{workers}"
    shutil.rmtree(out, ignore_errors=True)
    cluster, client = _cluster(workers)
    t0 = time.perf_counter()
    with geoair.set_options(progress=False, scheduler=client):
        summary = polar_plot_many(data, "pm25", out=out)
    wall = time.perf_counter() - t0
    peaks, wcpu = _worker_peaks(client), _worker_cpu(client)
    if cluster is not None:
        client.close()
        cluster.close()
    return {"step": "polar", "workers": workers, "wall_s": round(wall, 1),
            "stations": int(data["station"].nunique()), "fitted": len(summary),
            "failed": len(summary.attrs.get("failed", [])), "peak_mib": _rss_mib(),
            "worker_peak_mib": peaks, "cpu_s": _cpu_s(), "worker_cpu_s": wcpu}


def run_all(work: Path) -> None:
    steps = [["make-year"], ["ingest"]] + [[s, "--workers", str(w)]
                                            for s in ("pipeline", "polar") for w in (0, 1, 2)]
    for step in steps:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, *step, "--work", str(work)], check=True)
        print(json.dumps({"step": " ".join(step), "process_wall_s":
                          round(time.perf_counter() - t0, 1),
                          "load": os.getloadavg()}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["all", "make-year", "ingest", "pipeline", "polar"])
    ap.add_argument("--work", default="/tmp/geoair_bench", type=Path)
    ap.add_argument("--workers", type=int, default=0)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.step == "all":
        return run_all(args.work)
    if args.step == "make-year":
        t0 = time.perf_counter()
        make_year(args.work)
        res = {"step": "make-year", "wall_s": round(time.perf_counter() - t0, 1)}
    elif args.step == "ingest":
        res = ingest(args.work)
    elif args.step == "pipeline":
        res = pipeline(args.work, args.workers)
    else:
        res = polar(args.work, args.workers)
    res["load"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(res, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
