"""Speed and the Beijing 2013-2017 acceptance run of geoair.deweather (issue 14).

    python benchmarks/bench_deweather.py one [--station 1004A --pollutant pm25 --n-jobs 2]
                                             [--history none|24h|72h]
    python benchmarks/bench_deweather.py all [--n-jobs 2 --sampling whole|window]
                                             [--met-source station|network]
                                             [--history none|24h|72h]

``one``: one station-pollutant, 4 years of hourly data (35,064 h), default settings (5
cross-fitted HistGradientBoosting models, 24-h and 72-h met history, whole-record
resampling, exact expectation; ``--sampling window`` uses 300 draws per day). Target:
<= 30 s on 2 cores.

``all``: the 12 PRSA stations x 6 pollutants (72 series), then :func:`geoair.deweather.decompose`
between the first (2013-03..2014-02) and the last (2016-03..2017-02) 12 months. Target:
<= 10 min on 2 cores. Prints the per-pollutant changes of the 12-station mean with 95 %
intervals and checks the published order (Vu et al. 2019: SO2 falls most, then CO and PM2.5,
less for PM10 and NO2, O3 not falling). Writes ``out/deweather/decompose_<sampling>.csv`` and
``tests/data/deweather_beijing/decompose_<sampling>.csv`` (the 'all' rows);
``--met-source network`` (one weather record for the 12 stations, their hourly median, as Vu
et al. used one airport record) writes ``decompose_<sampling>_network.csv``; ``--history``
(default: the package default) other than the default adds ``_history-<h>`` to the name.

Every run prints wall time, CPU time, peak RSS and the 1-min load average: the project machine
is shared, so rerun on an idle machine for clean timings.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
POLLUTANTS = ["pm25", "pm10", "so2", "no2", "co", "o3"]


def _stamp(label: str, wall: float, cpu: float) -> None:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {rss:.0f} MiB, "
          f"load {os.getloadavg()[0]:.1f} (1 min), {pd.Timestamp.now(tz='UTC'):%Y-%m-%d %H:%M} UTC",
          flush=True)


def run_one(args, obs) -> None:
    from geoair.deweather import normalise

    d = obs[obs["station"] == args.station]
    t, c = time.perf_counter(), time.process_time()
    res = normalise(d, args.pollutant, n_samples=300, n_jobs=args.n_jobs, progress=False,
                    sampling=args.sampling, **_history_kw(args))
    how = res.attrs["params"]["expectation"]
    _stamp(f"one {args.station}/{args.pollutant} ({len(d)} h, "
           f"{'exact expectation' if how == 'exact' else '300 draws/day'}, "
           f"n_jobs={args.n_jobs}, {args.sampling}, history={res.attrs['params']['history']})",
           time.perf_counter() - t,
           time.process_time() - c)
    print(res.attrs["performance"].drop(columns=["met"]).to_string(index=False))


def run_all(args, obs) -> None:
    from geoair.deweather import decompose

    t, c = time.perf_counter(), time.process_time()
    hist = _history_kw(args)
    dec = decompose(obs, POLLUTANTS, n_samples=300, n_jobs=args.n_jobs, progress=True,
                    sampling=args.sampling, met_source=args.met_source, **hist)
    _stamp(f"all 12 stations x 6 pollutants ({len(obs)} h, n_jobs={args.n_jobs}, "
           f"{args.sampling}, met_source={args.met_source}, "
           f"history={dec.attrs['params'].get('history')})", time.perf_counter() - t,
           time.process_time() - c)
    tag = args.sampling + ("_network" if args.met_source == "network" else "")
    if args.history is not None and hist["history"] != _default_history():
        tag += f"_history-{args.history}"
    out = ROOT / "out" / "deweather"
    out.mkdir(parents=True, exist_ok=True)
    dec.to_csv(out / f"decompose_{tag}.csv", index=False)
    allrows = dec[dec["station"] == "all"].set_index("pollutant").loc[POLLUTANTS]
    keep = ["observed_change_pct", "emission_change_pct", "emission_change_pct_lower",
            "emission_change_pct_upper", "met_change_pct", "met_change_pct_lower",
            "met_change_pct_upper", "observed_before", "normalised_before", "r2"]
    stored = ROOT / "tests" / "data" / "deweather_beijing"
    stored.mkdir(parents=True, exist_ok=True)
    allrows[keep].round(3).assign(run_date=f"{pd.Timestamp.now(tz='UTC'):%Y-%m-%d}").to_csv(
        stored / f"decompose_{tag}.csv")
    print(allrows[keep].round(1).to_string())
    check_order(allrows["emission_change_pct"], allrows["emission_change_pct_upper"])
    per_station = dec[dec["station"] != "all"].pivot(index="station", columns="pollutant",
                                                     values="emission_change_pct")
    print("per station, emission-driven change (%):")
    print(per_station[POLLUTANTS].round(1).to_string())
    print("mean of the per-station changes (%; the 'all' row is the change of the "
          "12-station mean):")
    print(per_station[POLLUTANTS].mean().round(1).to_string())
    r2 = dec[dec["station"] != "all"].pivot(index="station", columns="pollutant", values="r2")
    print("per station, cross-validated R2 (blocked):")
    print(r2[POLLUTANTS].round(3).to_string())
    met = dec[dec["station"] != "all"].pivot(index="station", columns="pollutant",
                                             values="met_change_pct")
    print("per station, weather part (pp); its spread across one city's stations measures how "
          "much of it is the station records rather than the weather:")
    print(met[POLLUTANTS].round(1).to_string())


def _history_kw(args) -> dict:
    if args.history is None:
        return {}
    return {"history": None if args.history == "none" else args.history}


def _default_history():
    import inspect

    from geoair.deweather import Normaliser

    return inspect.signature(Normaliser).parameters["history"].default


def check_order(change: pd.Series, upper: pd.Series) -> bool:
    """The published pattern: SO2 falls most, CO and PM2.5 next, PM10 and NO2 less, O3 not
    falling (its change, or the upper end of its interval, is >= 0)."""
    ok = {
        "SO2 largest fall": change["so2"] == change[["so2", "co", "pm25", "pm10", "no2"]].min(),
        "CO and PM2.5 fall more than PM10 and NO2":
            max(change["co"], change["pm25"]) < min(change["pm10"], change["no2"]),
        "PM10 and NO2 falling": change["pm10"] < 0 and change["no2"] < 0,
        "O3 not falling": change["o3"] >= 0 or upper["o3"] >= 0,
    }
    for k, v in ok.items():
        print(f"  {'PASS' if v else 'FAIL'}: {k}")
    return all(ok.values())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("what", choices=["one", "all"])
    p.add_argument("--station", default="1004A")
    p.add_argument("--pollutant", default="pm25")
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--sampling", default="whole", choices=["whole", "window"])
    p.add_argument("--met-source", default="station", choices=["station", "network"])
    p.add_argument("--history", default=None, choices=["none", "24h", "72h"])
    args = p.parse_args(argv)
    from geoair.datasets import load_beijing_observations

    obs = load_beijing_observations()
    (run_one if args.what == "one" else run_all)(args, obs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
