"""Twin-family sweep of SourceAttribution (issue 10 acceptance), one table per misspecification.

Runs the estimator with its defaults on members of the twin family of
:mod:`geoair.testing.attribution` (12 Beijing PRSA stations, real hourly winds, 2016-11-15 ..
2017-01-15, 125 point sources, 400 fires unless a row says otherwise) and scores it with
:func:`geoair.testing.attribution.score_attribution`: hourly R² per category (pooled over
stations), share errors (percentage points), coverage of the nominal 90 % intervals, and the
recall of the five largest true sources among the ten highest scores per station.

Groups of runs:

- ``hardest``: every misspecification axis on (the family's default), several seeds;
- ``one_axis``: one axis on at a time, every other axis at the estimator's assumption;
- ``harder``: beyond the default (day-to-day activity variation, the truth using the stations'
  own winds while the estimator gets a gridded field, a coarse 0.25° field);
- ``untuned``: generators the method was not tuned on (6 or 20 sources per station, another
  winter of winds, sources farther out, another seed family);
- ``shapes``: the hardest default plus line and area sources (issue 20: a road 0.1-0.5 km from
  every station, radial highways and a ring road as ``vehicle`` lines, two villages per station
  as ``coal`` polygons; ``shapes=`` of the generator), sweeping the road distance, the share of
  the emission in lines and areas and the number and distance of villages;
- ``shapes_grid``: the same with a coarse inventory grid (0.25° coal, 0.1° dust cells) as area
  sources (about 4 min of truth and 4 min of fit per run; ``--stations``/``--days`` shorten a run);
- ``heldout``: hardest-default seeds 5-7 (used for no calibration) and two untuned runs, the
  check of later changes (``--params`` passes estimator parameters to compare).

Usage::

    NUMBA_NUM_THREADS=2 python benchmarks/bench_attribution_twins.py --groups hardest one_axis \
        --out benchmarks/twin_runs.jsonl
    python benchmarks/bench_attribution_twins.py --report benchmarks/twin_runs.jsonl   # markdown tables

Each run takes about a minute on an idle 2-core machine (generation ~10 s, fit ~30 s).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings

AXES_ON = {"sigma": "random", "stability": "random", "saturation": True, "weight_error": 0.3, "heights": "hidden",
           "signatures": "random", "activity": "shapes", "regional": "structured", "wind": "field", "noise": 0.2,
           "missing": 0.1}


def configs(groups, seeds):
    from geoair.testing.attribution import TWIN_AXES

    out = []
    if "hardest" in groups:
        out += [("hardest", f"seed {s}", {"seed": s}) for s in seeds]
    if "one_axis" in groups:
        for axis, on in AXES_ON.items():
            out.append(("one_axis", f"{axis}={on}", {**TWIN_AXES, axis: on, "seed": seeds[0]}))
    if "harder" in groups:
        out += [("harder", "activity=daily", {"activity": "daily", "seed": seeds[0]}),
                ("harder", "wind=mismatch", {"wind": "mismatch", "seed": seeds[0]}),
                ("harder", "wind=coarse", {"wind": "coarse", "seed": seeds[0]})]
    if "untuned" in groups:
        out += [("untuned", "6 sources/station", {"n_sources": 72, "seed": 100}),
                ("untuned", "20 sources/station", {"n_sources": 240, "seed": 101}),
                ("untuned", "winter 2015/16 winds", {"start": "2015-11-15", "seed": 102}),
                ("untuned", "sources 1-25 km", {"radius_km": (1.0, 25.0), "seed": 103}),
                ("untuned", "seed 200", {"seed": 200})]
    if "shapes" in groups:  # issue 20: roads, highways and villages beside the points and fires
        road = {"grid_deg": None}
        out += [("shapes", f"seed {s}", {"seed": s, "shapes": road}) for s in seeds]
        out += [("shapes", "roads 0.5-2 km", {"seed": 10, "shapes": {**road, "road_km": (0.5, 2.0)}}),
                ("shapes", "shapes 25 % of emission", {"seed": 11, "shapes": {**road, "share": 0.25}}),
                ("shapes", "shapes 80 % of emission", {"seed": 12, "shapes": {**road, "share": 0.8}}),
                ("shapes", "4 villages/station 0.5-3 km", {"seed": 13, "shapes": {**road, "villages": 4,
                                                                                   "village_km": (0.5, 3.0)}})]
    if "shapes_grid" in groups:  # plus a coarse inventory grid
        out += [("shapes_grid", "0.25° coal grid", {"seed": 20, "shapes": {"grid_deg": 0.25}}),
                ("shapes_grid", "0.1° dust grid", {"seed": 21, "shapes": {"grid_deg": 0.1, "grid_category": "dust"}})]
    if "heldout" in groups:  # seeds used for no calibration (checks of later changes)
        out += [("heldout", f"seed {s}", {"seed": s}) for s in (5, 6, 7)]
        out += [("heldout", "6 sources/station", {"n_sources": 72, "seed": 100}),
                ("heldout", "seed 200", {"seed": 200})]
    return out


def run_one(group, label, kw, params=None):
    from geoair.apportion import SourceAttribution
    from geoair.testing.attribution import make_attribution_truth, score_attribution

    t0 = time.perf_counter()
    syn = make_attribution_truth(**kw)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = SourceAttribution(random_state=0, **(params or {})).fit(syn.obs, **syn.fit_inputs())
    t_fit = time.perf_counter() - t0
    res = score_attribution(syn, m.contributions_, m.source_scores_)
    tab = res["table"]
    p = syn.params
    extra = _shape_recall(syn, m.source_scores_) if "shapes" in p else {}
    return {**extra, "group": group, "label": label, "kw": {k: str(v) for k, v in kw.items()}, "params": params or {},
            "truth": {"sigma": p["sigma_family"], "rule": str(p["stability_rule"]), "calm_ws": round(p["calm_ws"], 2),
                      "c_half": round(p["c_half"], 1)},
            "r2": tab["r2"].round(3).to_dict(), "share_err_pp": tab["share_err_pp"].round(2).to_dict(),
            "coverage": tab["coverage"].round(3).to_dict(), "recall": round(res["recall"], 3),
            "t_gen": round(t_gen, 1), "t_fit": round(t_fit, 1), "load": os.getloadavg()[0]}


def _shape_recall(syn, scores) -> dict:
    """Lines and areas among each station's five largest true sources, and how many of them
    the ten highest scores find (the recall of score_attribution restricted to shapes)."""
    kinds = ("road", "highway", "village", "cell")
    sc = scores[["source_id", "station", "rank"]].copy()
    sc.attrs = {}
    sc = sc.astype({"station": str, "source_id": str})
    n_top = n_hit = 0
    for station, g in syn.source_truth.groupby("station"):
        top5 = {i for i in g.nlargest(5, "pm25")["source_id"] if i.startswith(kinds)}
        top10 = set(sc[(sc["station"] == station) & (sc["rank"] <= 10)]["source_id"])
        n_top, n_hit = n_top + len(top5), n_hit + len(top5 & top10)
    return {"shape_top5": n_top, "shape_recall": round(n_hit / n_top, 3) if n_top else None}


def report(path) -> str:
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    cats = ["coal", "dust", "vehicle", "burning", "regional"]
    out = []
    for group in dict.fromkeys(r["group"] for r in rows):
        out.append(f"\n**{group}**\n")
        out.append("| run | truth (sigma, rule, calm, c_half) | R² coal / dust / vehicle / burning | share err pp "
                   "coal / dust / vehicle / burning / regional | 90 % coverage coal / dust / vehicle / burning / "
                   "regional | top-5 recall | fit s |")
        out.append("|---|---|---|---|---|---|---|")
        if any("shape_top5" in x for x in rows if x["group"] == group):
            out[-2] += " shapes in true top-5 (found) |"
            out[-1] += "---|"
        for r in (x for x in rows if x["group"] == group):
            t = r["truth"]
            out.append(f"| {r['label']} | {t['sigma']}, {t['rule']}, {t['calm_ws']}, {t['c_half']} | "
                       + " / ".join(f"{r['r2'].get(c, float('nan')):.2f}" for c in cats[:4]) + " | "
                       + " / ".join(f"{r['share_err_pp'].get(c, float('nan')):+.1f}" for c in cats) + " | "
                       + " / ".join(f"{r['coverage'].get(c, float('nan')):.2f}" for c in cats) + " | "
                       + f"{r['recall']:.2f} | {r['t_fit']:.0f} |"
                       + (f" {r['shape_top5']} ({r['shape_recall']}) |" if "shape_top5" in r else ""))
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", nargs="+", default=["hardest", "one_axis", "harder", "untuned"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--out", default="benchmarks/twin_runs.jsonl")
    ap.add_argument("--params", default="{}", help="JSON of SourceAttribution parameters to change")
    ap.add_argument("--only", nargs="+", help="run only these labels of the chosen groups")
    ap.add_argument("--report", metavar="JSONL", help="print the markdown tables of a results file and exit")
    ap.add_argument("--stations", nargs="+", help="PRSA station codes (default all 12)")
    ap.add_argument("--days", type=int, help="days from the start (default 61)")
    args = ap.parse_args()
    if args.report:
        print(report(args.report))
        return
    params = json.loads(args.params)
    for group, label, kw in configs(args.groups, args.seeds):
        if args.only and label not in args.only:
            continue
        kw = {**kw, **({"stations": args.stations} if args.stations else {}),
              **({"days": args.days} if args.days else {})}
        rec = run_one(group, label, kw, params)
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec) + "\n")
        print(group, label, rec["r2"], rec["share_err_pp"], rec["coverage"], rec["recall"], flush=True)


if __name__ == "__main__":
    main()
