"""Which meteorological history should the deweather model see? Blocked out-of-sample skill.

    python benchmarks/deweather_history_cv.py [--stations 1001A 1004A ...]
        [--pollutants pm25 no2 ...] [--histories none 24h 72h] [--n-jobs 1]
        [--out out/deweather/history_cv.csv]

Fits :class:`geoair.deweather.Normaliser` (defaults: 5 cross-fitted gradient-boosting models,
7-day blocks dealt to folds, the same held-out weeks for every option) on each PRSA station
and pollutant with each ``history`` option and prints the blocked cross-validated R² and RMSE
(pooled over the held-out folds), per pollutant: the mean over stations, the mean change
against ``24h`` and the number of stations where the option is better. This, not the
Beijing 2013-2017 decomposition, is the criterion for the default ``history``.
Default: all 12 stations x 6 pollutants x (none, 24h, 72h), 216 fits.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
POLLUTANTS = ["pm25", "pm10", "so2", "no2", "co", "o3"]


def run(obs, stations, pollutants, histories, n_jobs) -> pd.DataFrame:
    from geoair.deweather import Normaliser

    rows = []
    for st in stations:
        d = obs[obs["station"] == st]
        for pol in pollutants:
            for h in histories:
                t, c = time.perf_counter(), time.process_time()
                m = Normaliser(pollutant=pol, history=None if h == "none" else h,
                               n_jobs=n_jobs).fit(d)
                p = m.performance_
                rows.append({"station": st, "pollutant": pol, "history": h, "r2": p["r2"],
                             "rmse": p["rmse"], "n_features": len(m.feature_names_),
                             "cpu_s": time.process_time() - c,
                             "wall_s": time.perf_counter() - t})
                print(f"{st} {pol:5s} {h:5s} R2 {p['r2']:.3f} RMSE {p['rmse']:.2f} "
                      f"({rows[-1]['wall_s']:.1f} s, load {os.getloadavg()[0]:.1f})", flush=True)
    return pd.DataFrame(rows)


def summary(res: pd.DataFrame, ref: str = "24h") -> pd.DataFrame:
    """Per pollutant and option: mean R², RMSE, change against ``ref``, stations better."""
    wide = res.pivot_table(index=["pollutant", "station"], columns="history",
                           values=["r2", "rmse"])
    out = []
    for h in res["history"].unique():
        d_r2 = wide[("r2", h)] - wide[("r2", ref)]
        d_rmse = wide[("rmse", h)] / wide[("rmse", ref)] - 1
        g = pd.DataFrame({"r2": wide[("r2", h)], "d_r2": d_r2, "d_rmse_pct": 100 * d_rmse,
                          "better": d_r2 > 0}).groupby(level="pollutant")
        s = g.agg(r2=("r2", "mean"), d_r2=("d_r2", "mean"), d_rmse_pct=("d_rmse_pct", "mean"),
                  better=("better", "sum"), n=("better", "size"))
        out.append(s.assign(history=h).reset_index())
    return pd.concat(out).set_index(["pollutant", "history"]).sort_index()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--stations", nargs="*")
    p.add_argument("--pollutants", nargs="*", default=POLLUTANTS)
    p.add_argument("--histories", nargs="*", default=["none", "24h", "72h"])
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--out", default="out/deweather/history_cv.csv")
    args = p.parse_args(argv)
    from geoair.datasets import load_beijing_observations

    obs = load_beijing_observations()
    stations = args.stations or sorted(obs["station"].unique())
    t, c = time.perf_counter(), time.process_time()
    res = run(obs, stations, args.pollutants, args.histories, args.n_jobs)
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    res.to_csv(out, index=False)
    print(f"{len(res)} fits: {time.perf_counter() - t:.0f} s wall, "
          f"{time.process_time() - c:.0f} s CPU, load {os.getloadavg()[0]:.1f}, "
          f"{pd.Timestamp.now(tz='UTC'):%Y-%m-%d %H:%M} UTC")
    print(summary(res).round(4).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
