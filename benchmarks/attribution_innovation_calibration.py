"""Does the innovation spread of a run predict how wide its intervals must be? (issue 10, item 3)

For each twin of :func:`attribution_interval_sweep.twins`: one fit with the defaults, then the
final hourly update re-run with its inputs kept, and

- the robust spread of the normalised innovations of every observed row (PM2.5, PM10, SO2, NO2,
  CO): ``median(d² / V) / 0.455`` with ``d`` the increment minus the prior's prediction and ``V``
  its predicted variance (1 when the assumed errors are right);
- the coverage of each category's interval ``post +- 1.645 f sd`` (clipped at 0) against the
  truth for ``f`` in :data:`FACTORS`.

``--report`` reads the JSON lines back and scores rules ``f = k x spread^b``: twins with every
category's coverage in 80-98 %, twins where coal and vehicle are, and the rms distance of the
coverages from 0.90, against the constant ``f = 0.8`` (the default before this calibration).

Usage::

    NUMBA_NUM_THREADS=1 python benchmarks/attribution_innovation_calibration.py \\
        --twins hardest heldout shapes fresh --shard 0 2 > a.jsonl   # and --shard 1 2
    python benchmarks/attribution_innovation_calibration.py --report a.jsonl b.jsonl
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np

FACTORS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2)
CATS = ("coal", "dust", "vehicle", "burning")
ROWS = ("pm25", "pm10", "so2", "no2", "co")


def measure(label, kw):
    """One twin: innovation spreads per observed row and coverage per category and factor."""
    from attribution_update_diagnosis import fit_keeping_update_inputs, truth_array

    from geoair.apportion import SourceAttribution, _assimilate

    syn, model, st = fit_keeping_update_inputs(kw)
    grid, stack, cats = st["grid"], st["stack"], st["cats"]
    truth = truth_array(syn, grid, cats)
    est = SourceAttribution(**model.get_params())
    est._cats = cats
    kept, posterior = {}, _assimilate.posterior

    def keep(prior, var_prior, ratios, incr, var_obs, chunk=200_000):
        kept.update(prior=prior, var_prior=var_prior, ratios=ratios, incr=incr, var_obs=var_obs)
        return posterior(prior, var_prior, ratios, incr, var_obs, chunk)

    _assimilate.posterior = keep
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            state = est._update(grid, stack, cats)
    finally:
        _assimilate.posterior = posterior
    d = kept["incr"] - kept["prior"] @ kept["ratios"].T
    v = (kept["var_prior"][..., None, :] * kept["ratios"][None, None] ** 2).sum(-1) + kept["var_obs"]
    ok = (kept["var_obs"] < 1e11) & grid.present[..., None]
    spread = {ROWS[k]: float(np.median((d[..., k] ** 2 / v[..., k])[ok[..., k]]) / 0.455) for k in range(d.shape[-1])}
    sd = np.sqrt(state.pvar)
    cov = {}
    for c in CATS:
        j = cats.index(c)
        t, e, s = (a[:, :, j][grid.present] for a in (truth, state.post, sd))
        cov[c] = {str(f): float(((np.maximum(e - 1.645 * f * s, 0) <= t + 1e-9) & (t <= e + 1.645 * f * s + 1e-9)).mean())
                  for f in FACTORS}
    return {"twin": label, "spread": spread, "coverage": cov}


def score(rows, k, b, row="pm25"):
    """(twins all in 80-98 %, twins with coal and vehicle in it, rms - 0.9, min and max coverage)."""
    covs = []
    for r in rows:
        f = k * r["spread"][row] ** (b / 2) if b else k  # spread is a variance ratio
        covs.append([float(np.interp(f, FACTORS, [r["coverage"][c][str(x)] for x in FACTORS])) for c in CATS])
    c = np.array(covs)
    band = (c >= 0.80) & (c <= 0.98)
    return int(band.all(axis=1).sum()), int(band[:, [0, 2]].all(axis=1).sum()), float(np.sqrt(((c - 0.9) ** 2).mean())), \
        c.min(axis=0).round(3).tolist(), c.max(axis=0).round(3).tolist()


def report(paths):
    rows = [json.loads(line) for p in paths for line in open(p)]
    print(f"{len(rows)} twins; constant f = 0.8:", score(rows, 0.8, 0))
    for b in (1.0, 2.0):
        for k in np.arange(1.0, 1.81, 0.05):
            print(f"f = {k:.2f} x spread^{b / 2:g}:", score(rows, k, b))


def main() -> None:
    from attribution_interval_sweep import twins

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--twins", nargs="+", default=["hardest", "heldout", "shapes", "fresh"])
    ap.add_argument("--shard", type=int, nargs=2, default=(0, 1), metavar=("I", "N"))
    ap.add_argument("--report", nargs="+")
    args = ap.parse_args()
    if args.report:
        report(args.report)
        return
    for label, kw in twins(args.twins)[args.shard[0]::args.shard[1]]:
        print(json.dumps(measure(label, kw)), flush=True)


if __name__ == "__main__":
    main()
