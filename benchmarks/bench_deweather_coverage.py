"""Synthetic-truth check of geoair.deweather: bias of the emission change and coverage of
its interval, over independent replicates.

    python benchmarks/bench_deweather_coverage.py [--replicates 20 --n-samples 300 --n-folds 5
        --expectation auto|exact|draws]

Each replicate draws two years of hourly synthetic observations
(:func:`geoair.testing.deweather.make_deweather_truth`): emissions fall by ``--step`` in the
middle of the record while the climate turns windier (``--windier`` m/s) at the same moment,
with autocorrelated weather and noise. The emission-driven change between the first and the
second year is estimated with default settings and compared with the truth. Reported: mean
and RMS error of the estimate (percentage points), the share of 95 % intervals that contain
the truth, the mean interval width, and the observed change (what a weather-blind comparison
would report).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np


def main(argv=None) -> int:
    from geoair.deweather import decompose, normalise
    from geoair.testing.deweather import make_deweather_truth

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--replicates", type=int, default=20)
    p.add_argument("--n-samples", type=int, default=300)
    p.add_argument("--n-folds", type=int, default=5)
    p.add_argument("--step", type=float, default=-0.3)
    p.add_argument("--windier", type=float, default=0.8)
    p.add_argument("--sampling", default="whole", choices=["whole", "window"])
    p.add_argument("--expectation", default="auto", choices=["auto", "exact", "draws"])
    args = p.parse_args(argv)
    truth = 100 * args.step
    est, lo, hi, obs = [], [], [], []
    t, c = time.perf_counter(), time.process_time()
    for r in range(args.replicates):
        syn = make_deweather_truth(n_days=730, step=args.step, windier_after=args.windier,
                                   seed=1000 + r)
        res = normalise(syn.data, "pm25", n_samples=args.n_samples, n_folds=args.n_folds,
                        members=True, progress=False, random_state=r, sampling=args.sampling,
                        expectation=args.expectation)
        d = decompose(res).iloc[0]
        est.append(d["emission_change_pct"])
        lo.append(d["emission_change_pct_lower"])
        hi.append(d["emission_change_pct_upper"])
        obs.append(d["observed_change_pct"])
        print(f"replicate {r}: observed {obs[-1]:.1f} %, emission {est[-1]:.1f} % "
              f"[{lo[-1]:.1f}, {hi[-1]:.1f}]", flush=True)
    est, lo, hi = map(np.asarray, (est, lo, hi))
    err = est - truth
    print(f"truth {truth:.1f} %; {args.replicates} replicates, n_samples {args.n_samples}, "
          f"n_folds {args.n_folds}, sampling {args.sampling}, expectation {args.expectation}")
    print(f"mean error {err.mean():+.2f} pp, RMSE {np.sqrt(np.mean(err**2)):.2f} pp, "
          f"coverage of 95 % intervals {np.mean((lo <= truth) & (truth <= hi)):.2f}, "
          f"mean width {np.mean(hi - lo):.2f} pp; observed change {np.mean(obs):.1f} %")
    print(f"{time.perf_counter() - t:.0f} s wall, {time.process_time() - c:.0f} s CPU, "
          f"load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
