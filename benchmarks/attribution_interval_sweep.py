"""How wide should the attribution's intervals be? One fit per twin, the hourly update re-run.

For each twin of :func:`geoair.testing.make_attribution_truth` (the hardest default, held-out
seeds, the twins with roads and villages), fits ``SourceAttribution`` once, keeps the stacked
plume prior, then re-runs only the hourly update (seconds) for each ``prior_sd`` and reads the
nominal 90 % intervals for each ``interval_scale``. Prints one JSON line per twin x variant:
hourly R² and interval coverage per category over the present station-hours (as
:func:`~geoair.testing.attribution.score_attribution` counts them).

Usage::

    NUMBA_NUM_THREADS=1 python benchmarks/attribution_interval_sweep.py --twins hardest heldout shapes \\
        --out benchmarks/results/attribution_interval_sweep.jsonl

(one fit per twin, 20 s - 4 min on an idle core; each variant a few seconds);
``--prior-sd 1.0 2.0 --scales 0.6 0.7 0.8`` choose the grid.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

CATS = ("coal", "dust", "vehicle", "burning")
PRIOR_SD = (1.0, 0.7, 1.4, "auto")
SCALES = (0.7, 0.8, 0.9, 1.0)


def twins(groups):
    out = []
    if "hardest" in groups:
        out += [(f"hardest seed {s}", {"seed": s}) for s in range(5)]
    if "heldout" in groups:
        out += [(f"heldout seed {s}", {"seed": s}) for s in (5, 6, 7, 200)]
    if "shapes" in groups:
        out += [("shapes seed 2", {"seed": 2, "shapes": {"grid_deg": None}}),
                ("shapes 25 % of emission", {"seed": 11, "shapes": {"grid_deg": None, "share": 0.25}}),
                ("shapes 80 % of emission", {"seed": 12, "shapes": {"grid_deg": None, "share": 0.8}}),
                ("shapes seed 4", {"seed": 4, "shapes": {"grid_deg": None}})]
    if "fresh" in groups:  # seeds no run of the package used before the prior_sd choice (2026-11-29)
        out += [(f"fresh seed {s}", {"seed": s}) for s in (8, 9, 10, 300)]
        out += [(f"fresh shapes seed {s}", {"seed": s, "shapes": {"grid_deg": None}}) for s in (30, 31)]
    return out


def _sd(x):
    return x if x == "auto" else float(x)


def run_twin(label, kw, prior_sds=PRIOR_SD, scales=SCALES):
    from attribution_update_diagnosis import (  # beside this script
        fit_keeping_update_inputs,
        truth_array,
    )

    from geoair.apportion import SourceAttribution, _results

    t0 = time.time()
    syn, model, st = fit_keeping_update_inputs(kw)
    grid, stack, cats = st["grid"], st["stack"], st["cats"]
    truth = np.nan_to_num(truth_array(syn, grid, cats))
    present = grid.present
    rows = []
    for sd in prior_sds:
        # the scales swept here multiply the posterior sd alone (the calibration's own
        # selection is benchmarks/attribution_innovation_calibration.py)
        m = SourceAttribution(**{**model.get_params(), "prior_sd": sd, "interval_calibration": "none"})
        m._cats = cats
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            state = m._update(grid, stack, cats)
        for scale in scales:
            m.interval_scale = scale
            lo, hi, _, _ = _results._bounds(m, state)
            rec = {"twin": label, "kw": str(kw), "prior_sd": sd, "interval_scale": scale, "r2": {}, "coverage": {},
                   "tau": getattr(m, "prior_sd_", None)}
            for c in CATS:
                if c not in cats:
                    continue
                j = cats.index(c)
                e, t = state.post[:, :, j][present], truth[:, :, j][present]
                rec["r2"][c] = round(float(1 - ((e - t) ** 2).sum() / ((t - t.mean()) ** 2).sum()), 3)
                inside = (lo[:, :, j][present] <= t + 1e-9) & (t <= hi[:, :, j][present] + 1e-9)
                rec["coverage"][c] = round(float(inside.mean()), 3)
            rec["t"] = round(time.time() - t0, 1)
            rows.append(rec)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--twins", nargs="+", default=["hardest"])
    ap.add_argument("--out", default=None)
    ap.add_argument("--prior-sd", nargs="+", type=_sd, default=list(PRIOR_SD))
    ap.add_argument("--scales", nargs="+", type=float, default=list(SCALES))
    a = ap.parse_args()
    from geoair import set_options

    set_options(progress=False)
    for label, kw in twins(a.twins):
        for rec in run_twin(label, kw, a.prior_sd, a.scales):
            line = json.dumps(rec)
            print(line, flush=True)
            if a.out:
                with open(a.out, "a") as f:
                    f.write(line + "\n")


if __name__ == "__main__":
    main()
