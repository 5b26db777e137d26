"""Parity of geoair.deweather with rmweather (R) on the bundled Beijing PRSA data.

Two steps; the first needs R with rmweather (benchmarks/rmweather/INSTALL.md), the second only
geoair. CI has no R: step 1 was run once and its summary is stored in
``tests/data/deweather_rmweather/`` (dated), which step 2 and the tests compare against.

    python benchmarks/compare_rmweather.py rmweather --station 1004A --pollutant pm25 \\
        --seeds 1 2 3 --n-samples 300 --cores 2
    python benchmarks/compare_rmweather.py geoair --station 1004A --pollutant pm25

Same data and settings on both sides: hourly rows of one station, predictors ``date_unix,
day_julian, weekday, hour, ws, wd (degrees), temp, rh (from dew point), pres``; a random
forest with ranger's settings (300 trees, mtry = floor(sqrt(9)) = 3, min node size 5);
normalisation by rmweather's whole-record resampling, 300 draws per hour (rmweather) or per
day (geoair, ``resolution="D"``; a draw takes a random hour of the day as its trend). The
calendar is the local (Beijing) wall clock on both sides.

Agreement criterion (issue 14): geoair's normalised series lies within the spread of
rmweather's own runs. rmweather is run with several seeds (each: a new random 80/20 split,
forest and draws); for each month the reference is the seeds' mean and the spread their
standard deviation. Reported: the share of months where |geoair - mean| <= 2 sd_between_seeds,
the median ratio |geoair - mean| / sd, and the relative change between the first and the last
12 months on both sides.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "out" / "rmweather"
STORED = ROOT / "tests" / "data" / "deweather_rmweather"
R_SCRIPT = Path(__file__).resolve().parent / "rmweather" / "normalise.R"
MET = ("ws", "wd", "temp", "rh", "pres")
PARITY = dict(met=MET, wind="degrees", history=None, model="rf", sampling="whole")


def load_station(station: str) -> pd.DataFrame:
    from geoair.datasets import load_beijing_observations
    from geoair.deweather._features import rh_from_dewpoint

    obs = load_beijing_observations()
    d = obs[obs["station"] == station].reset_index(drop=True)
    return d.assign(rh=rh_from_dewpoint(d["temp"], d["dewp"]))


def write_input(d: pd.DataFrame, pollutant: str, path: Path) -> None:
    """rmweather input: local wall-clock dates (parsed as UTC in R), value and predictors."""
    wall = d["time"].dt.tz_localize(None).dt.strftime("%Y-%m-%d %H:%M:%S")
    df = pd.DataFrame({"date": wall, "value": d[pollutant], **{m: d[m] for m in MET}})
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, na_rep="NA")


def run_rmweather(args) -> None:
    d = load_station(args.station)
    tag = f"{args.station}_{args.pollutant}"
    inp = OUT / f"{tag}_input.csv"
    write_input(d, args.pollutant, inp)
    env = dict(os.environ, R_LIBS=os.environ.get("RMWEATHER_LIB", "/tmp/dw_r/lib"))
    for seed in args.seeds:
        prefix = OUT / f"{tag}_seed{seed}"
        t = time.perf_counter()
        subprocess.run(["Rscript", str(R_SCRIPT), str(inp), str(prefix), str(seed),
                        str(args.n_samples), str(args.cores)], check=True, env=env)
        print(f"seed {seed}: {time.perf_counter() - t:.0f} s wall", flush=True)
    summarise_rmweather(args.station, args.pollutant, args.seeds)


def _monthly(series: pd.Series) -> pd.Series:
    return series.groupby(series.index.to_period("M")).mean()


def summarise_rmweather(station: str, pollutant: str, seeds) -> None:
    """Monthly means per seed and the run statistics -> tests/data (small, committed)."""
    tag = f"{station}_{pollutant}"
    cols, stats = {}, []
    for seed in seeds:
        s = pd.read_csv(OUT / f"{tag}_seed{seed}_normalised.csv", parse_dates=["date"])
        cols[f"seed{seed}"] = _monthly(s.set_index("date")["value_predict"])
        stats.append(pd.read_csv(OUT / f"{tag}_seed{seed}_stats.csv"))
    monthly = pd.DataFrame(cols)
    monthly.index = monthly.index.astype(str)
    monthly.index.name = "month"
    STORED.mkdir(parents=True, exist_ok=True)
    monthly.round(4).to_csv(STORED / f"{tag}_monthly.csv")
    st = pd.concat(stats, ignore_index=True)
    st["run_date"] = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")
    st.to_csv(STORED / f"{tag}_stats.csv", index=False)
    print(monthly.describe().T.round(2))
    print(st.T)


def change(monthly: pd.Series) -> float:
    """Relative change (%) between the first and the last 12 monthly means."""
    return float(100.0 * (monthly.iloc[-12:].mean() / monthly.iloc[:12].mean() - 1.0))


def compare(station: str, pollutant: str, geo_monthly: pd.Series) -> dict:
    """Agreement statistics of a geoair monthly series with the stored rmweather runs."""
    ref = pd.read_csv(STORED / f"{station}_{pollutant}_monthly.csv", index_col="month")
    geo = geo_monthly.reindex(ref.index)
    mean, sd = ref.mean(axis=1), ref.std(axis=1, ddof=1)
    z = (geo - mean).abs() / sd
    return {
        "months": len(ref), "seeds": ref.shape[1],
        "within_2sd": float((z <= 2).mean()), "median_z": float(z.median()),
        "max_abs_rel_diff_pct": float(100 * ((geo - mean).abs() / mean).max()),
        "mean_abs_rel_diff_pct": float(100 * ((geo - mean).abs() / mean).mean()),
        "seed_sd_rel_pct": float(100 * (sd / mean).mean()),
        "change_geoair_pct": change(geo),
        "change_rmweather_pct": [round(change(ref[c]), 2) for c in ref.columns],
    }


def run_geoair(args) -> None:
    from geoair.deweather import normalise

    d = load_station(args.station)
    t = time.perf_counter()
    c = time.process_time()
    res = normalise(d, args.pollutant, n_samples=args.n_samples, resolution="D",
                    n_jobs=args.cores, progress=False, random_state=args.seed, **PARITY)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    s = res.set_index(res["time"].dt.tz_localize(None))["normalised"]
    geo = _monthly(s)
    geo.index = geo.index.astype(str)
    out = compare(args.station, args.pollutant, geo)
    perf = res.attrs["performance"].iloc[0]
    print(f"geoair {args.station} {args.pollutant}: {wall:.1f} s wall, {cpu:.1f} s CPU, "
          f"load {os.getloadavg()[0]:.1f}; blocked-CV R2 {perf['r2']:.3f}")
    for k, v in out.items():
        print(f"  {k}: {v}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("rmweather", "geoair", "summarise"):
        q = sub.add_parser(name)
        q.add_argument("--station", default="1004A")
        q.add_argument("--pollutant", default="pm25")
        q.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
        q.add_argument("--seed", type=int, default=0)
        q.add_argument("--n-samples", type=int, default=300)
        q.add_argument("--cores", type=int, default=2)
    args = p.parse_args(argv)
    if args.cmd == "rmweather":
        run_rmweather(args)
    elif args.cmd == "summarise":
        summarise_rmweather(args.station, args.pollutant, args.seeds)
    else:
        run_geoair(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
