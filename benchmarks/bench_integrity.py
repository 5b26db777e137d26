"""Benchmark of the integrity screen (geoair.integrity) on the real national month.

1. **Speed**: the bundled national month (2019-01-08 .. 02-07, ~1,605 stations x 744 h)
   screened end to end (grid, expected values, detectors, events, evidence); reading the
   files is timed separately. Run once first to fill the numba cache.
2. **Clean synthetic networks** (``make_clean_network``, no tampering): false alarms per
   level and station-month (``--only-clean`` runs this part alone).
3. **Real data, no injection**: events by kind and level, and the 25 strongest (for the
   methods page and the notebook).
4. **Injected tampering** (geoair.testing.inject_tampering into the real month, several
   seeds): recall by kind, strength, length, pollutant, station type and start period;
   precision of the top-K ranked events for K = number injected (and K/2, 2K); also the top-K
   precision with the real data's own anomalies set aside (events of the same station,
   pollutant and kind that the screen reports on the data before injection).
5. **Held-out month**: the same injection into 2019-02-08 .. 02-28 from
   ``../shared/data/china_sites_2019jf`` (not in the repository; the truncated 20190220
   file is left out), when that folder exists; its "festival" events cover the Lantern
   Festival night (2019-02-19, fireworks again), the Spring Festival eve lying before it.
6. **Bunching tests**: McCrary rejection rate on smooth log-normal daily means (null) and
   power when 30 % of the days in (75, 95] are reported just under 75, against the
   rddensity package when it is installed (``pip install rddensity``; not a dependency).

Usage::

    NUMBA_NUM_THREADS=2 PYTHONPATH=. python benchmarks/bench_integrity.py [--seeds 3]
        [--n-events 200] [--skip-heldout] [--skip-bunching] [--only-clean] [--only-heldout]

Prints markdown tables for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import glob
import os
import resource
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "china_sites_2019jf"


def _md(df: pd.DataFrame, index: bool = True) -> str:
    """A markdown table (no tabulate dependency)."""
    d = df.reset_index() if index else df
    cells = [[str(c) for c in d.columns]] + [["" if pd.isna(v) else (f"{v:.3g}" if isinstance(v, float) else str(v))
                                               for v in row] for row in d.itertuples(index=False)]
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    lines += ["| " + " | ".join(r).replace("\n", " ") + " |" for r in cells[1:]]
    return "\n".join(lines)


def _load():
    """Monthly bundled data with timings."""
    from geoair import datasets

    t0 = time.perf_counter()
    obs = datasets.load_cnemc_observations()
    stations = datasets.load_national_stations()
    return obs, stations, time.perf_counter() - t0


def _load_heldout():
    from geoair.io import read_observations

    files = sorted(glob.glob(str(SHARED / "china_sites_2019*.csv.gz")))
    files = [f for f in files if "20190208" <= Path(f).name[12:20] <= "20190228"
             and not f.endswith("20190220.csv.gz")]
    return read_observations(files, format="cnemc") if files else None


def speed(obs, stations) -> dict:
    from geoair.integrity import IntegrityScreen, station_summary

    IntegrityScreen().fit(obs[obs["station"].isin(obs["station"].unique()[:50])], stations)  # warm
    t0 = time.perf_counter()
    screen = IntegrityScreen().fit(obs, stations)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = station_summary(screen)
    t_sum = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"screen": screen, "summary": summary, "t_fit": t_fit, "t_summary": t_sum, "rss_mib": rss}


def real_events(screen) -> None:
    from geoair.integrity import LEVELS

    ev = screen.events_
    lvl = np.where(ev["score"] >= LEVELS["red"], "red", np.where(ev["score"] >= LEVELS["yellow"], "yellow", "green"))
    print("\n### Real month, no injection: events by kind and level\n")
    print(_md(pd.crosstab(ev["kind"], lvl)))
    print("\n### The 25 strongest events of the real month\n")
    top = ev.head(25)[["station", "name", "city", "start", "end", "kind", "score", "evidence"]]
    print(_md(top, index=False))


def _bins(truth: pd.DataFrame) -> pd.DataFrame:
    t = truth.copy()
    t["length"] = pd.cut(t["length_h"], [0, 12, 24, 48, 96, 200], labels=["6-12", "13-24", "25-48", "49-96", "97-168"])
    sup = t["kind"].isin(["suppression", "drift"])
    t["strength_bin"] = np.where(sup, pd.cut(t["strength"], [0, 0.4, 0.55, 0.71], labels=["30-40%", "40-55%", "55-70%"])
                                 .astype(str), "")
    return t


def injection(obs, stations, seeds, n_events, kinds, label, festival="2019-02-04 22:00") -> pd.DataFrame:
    from geoair.integrity import detect_integrity
    from geoair.testing import inject_tampering, score_detection

    rows, truths = [], []
    # the real data's own anomalies (stuck analysers, honest departures), found before injection
    baseline = detect_integrity(obs, stations)
    for seed in seeds:
        td = inject_tampering(obs, stations, n_events=n_events, kinds=kinds, random_state=seed,
                              festival=festival)
        ev = detect_integrity(td.obs, stations)
        res = score_detection(ev, td.truth, baseline=baseline)
        inj = res["events"]["injected"].to_numpy()
        k = res["k"]
        rows.append({"data": label, "seed": seed, "injected": k, "reported": len(ev),
                     "recall": res["recall"], "P@K/2": inj[: k // 2].mean(), "P@K": inj[:k].mean(),
                     "P@2K": inj[: 2 * k].mean(), "pre-existing in top K": res["n_pre_existing_top_k"],
                     "P@K without pre-existing": res["top_k_precision_new"],
                     **{f"recall {r.kind}": r.recall for r in res["recall_by_kind"].itertuples()}})
        truths.append(_bins(res["truth"]).assign(seed=seed))
    summary = pd.DataFrame(rows)
    print(f"\n### Injection into {label} ({len(seeds)} seeds x {n_events} events, kinds {list(kinds)})\n")
    print(_md(summary.round(3), index=False))
    truth = pd.concat(truths, ignore_index=True)
    for col in ("length", "strength_bin", "pollutant", "station_type", "period"):
        tab = truth.pivot_table(index="kind", columns=col, values="found", aggfunc="mean", observed=True)
        print(f"\nRecall by kind and {col}:\n")
        print(_md(tab.round(2)))
    return summary


def clean_null(n_rep: int = 10, n_stations: int = 30, n_hours: int = 720) -> pd.DataFrame:
    """False alarms on clean synthetic networks (no tampering): events per level and station-month."""
    from geoair.integrity import LEVELS, detect_integrity
    from geoair.testing import make_clean_network

    rows = []
    for seed in range(n_rep):
        obs, stations = make_clean_network(n_stations, n_hours, random_state=seed)
        ev = detect_integrity(obs, stations)
        rows.append({"seed": seed, "events": len(ev), "max score": ev["score"].max() if len(ev) else np.nan,
                     "score >= 2": int((ev["score"] >= 2).sum()),
                     "yellow (>= 4)": int((ev["score"] >= LEVELS["yellow"]).sum()),
                     "red (>= 6)": int((ev["score"] >= LEVELS["red"]).sum()),
                     "stations flagged yellow+": ev.loc[ev["score"] >= LEVELS["yellow"], "station"].nunique()})
    tab = pd.DataFrame(rows)
    months = n_rep * n_stations * n_hours / 720
    print(f"\n### Clean synthetic networks, no tampering ({n_rep} x {n_stations} stations x {n_hours} h)\n")
    print(_md(tab.round(2), index=False))
    print(f"\nFalse alarms per station-month: any event {tab['events'].sum() / months:.3f}, "
          f"score >= 2 {tab['score >= 2'].sum() / months:.4f}, yellow+ {tab['yellow (>= 4)'].sum() / months:.4f}, "
          f"red {tab['red (>= 6)'].sum() / months:.4f}; stations flagged yellow+: "
          f"{tab['stations flagged yellow+'].sum()} of {n_rep * n_stations}")
    return tab


def bunching(n_rep: int = 200) -> None:
    from geoair.integrity import mccrary_test

    rng = np.random.default_rng(0)
    try:
        from rddensity import rddensity
    except ImportError:
        rddensity = None
    res = {"mccrary null": [], "mccrary power": [], "rddensity null": [], "rddensity power": []}
    for i in range(n_rep):
        for case in ("null", "power"):
            x = np.exp(rng.normal(np.log(60), 0.6, 1500))
            if case == "power":
                moved = (x > 75) & (x <= 95) & (rng.random(len(x)) < 0.3)
                x[moved] = rng.uniform(65, 75, moved.sum())
            p = mccrary_test(x, 75.0)
            res[f"mccrary {case}"].append(p.p if case == "null" else p.p_below)
            if rddensity is not None and i < 60:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    r = rddensity(X=x, c=75.0)
                res[f"rddensity {case}"].append(r.test["p_jk"])
    print(f"\n### Bunching tests at 75 µg/m³ (log-normal daily means, n = 1500; {n_rep} draws, rddensity 60)\n")
    print("| test | rejection at 5 % (null) | power (30 % of (75, 95] moved below) |\n|---|---|---|")
    for name in ("mccrary", "rddensity"):
        null, power = np.array(res[f"{name} null"]), np.array(res[f"{name} power"])
        if len(null):
            print(f"| {name} | {np.mean(null < 0.05):.3f} | {np.mean(power < 0.05):.3f} |")


def _heldout(args, stations=None) -> None:
    """Injection into the held-out month; its festival night is the Lantern Festival (Feb 19)."""
    from geoair import datasets
    from geoair.testing.integrity import ACCEPTANCE_KINDS

    held = _load_heldout() if SHARED.is_dir() else None
    if held is None:
        print("\n(held-out month skipped: ../shared/data/china_sites_2019jf not found)")
        return
    stations = datasets.load_national_stations() if stations is None else stations
    injection(held, stations, list(range(1, args.seeds + 1)), args.n_events, ACCEPTANCE_KINDS,
              "the held-out month 2019-02-08..28 (acceptance kinds)", festival="2019-02-19 20:00")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--n-events", type=int, default=200)
    ap.add_argument("--skip-heldout", action="store_true")
    ap.add_argument("--skip-bunching", action="store_true")
    ap.add_argument("--only-clean", action="store_true", help="only the clean synthetic null")
    ap.add_argument("--only-heldout", action="store_true", help="only the held-out month injection")
    args = ap.parse_args()
    from geoair import set_options
    from geoair.testing.integrity import ACCEPTANCE_KINDS, TAMPER_KINDS

    set_options(progress=False)
    print(f"date {pd.Timestamp.now(tz='UTC'):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}, "
          f"NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS', 'default')}")
    if args.only_heldout:
        _heldout(args)
        return
    clean_null()
    if args.only_clean:
        return
    obs, stations, t_load = _load()
    sp = speed(obs, stations)
    print(f"\n### Speed\n\nread {obs['station'].nunique()} stations x {obs['time'].nunique()} h "
          f"({len(obs):,} rows): {t_load:.1f} s; screen (IntegrityScreen.fit): {sp['t_fit']:.1f} s; "
          f"station summary: {sp['t_summary']:.1f} s; peak RSS {sp['rss_mib']:.0f} MiB; "
          f"load average after {os.getloadavg()}")
    real_events(sp["screen"])
    seeds = list(range(1, args.seeds + 1))
    injection(obs, stations, seeds, args.n_events, ACCEPTANCE_KINDS, "the bundled month (acceptance kinds)")
    injection(obs, stations, seeds[:1], args.n_events, TAMPER_KINDS, "the bundled month (all kinds)")
    if not args.skip_heldout:
        _heldout(args, stations)
    if not args.skip_bunching:
        bunching()


if __name__ == "__main__":
    main()
