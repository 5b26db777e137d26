"""``geoair feedback``: read filled-in outcome sheets, update the sources, score the list.

Writes into ``--out`` (atomically, with ``manifest.json``): ``sources_updated.geojson`` (prior
weights and ``active_to`` updated: the input of the next attribution), ``feedback.csv`` (the
visits read), ``performance_<lang>.csv`` (hit rate per level, category and score decile with
intervals) and, with ``--priority``, the re-ranked next list ``priority_next_<lang>.xlsx/.csv``.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``feedback`` options to ``parser``."""
    parser.add_argument("--sources", required=True, nargs="+", metavar="PATH", help="the sources layer(s)")
    parser.add_argument("--sources-crs", default="wgs84", choices=["wgs84", "gcj02", "bd09"])
    parser.add_argument("--feedback", required=True, nargs="+", metavar="PATH",
                        help="filled-in outcome workbooks/CSV files, or the dispatch output folder")
    parser.add_argument("--priority", metavar="PATH", help="the last priority list: write the re-ranked next list")
    parser.add_argument("--prior-mean", type=float, help="prior probability of a violation (default: the round's rate)")
    parser.add_argument("--prior-strength", type=float, default=2.0, help="weight of the prior, in visits")
    parser.add_argument("--method", default="wilson", choices=["wilson", "jeffreys"], help="hit-rate interval")
    parser.add_argument("--lang", choices=["zh", "en"], help="language (default: the geoair option)")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier geoair output in --out")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")


def _write(tmp, updated, feedback, perf, nxt, lang: str) -> None:
    from .._spreadsheet import csv_safe
    from ..dispatch.export import header
    from ..priority import export_priority

    geo = updated.copy()
    for c in geo.columns:
        if c != "geometry" and geo[c].dtype == object:
            geo[c] = geo[c].astype("string")
    geo.to_file(tmp / "sources_updated.geojson", driver="GeoJSON")
    csv_safe(feedback).to_csv(tmp / "feedback.csv", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    shown = perf.rename(columns={c: header(c, lang) for c in perf.columns})
    csv_safe(shown).to_csv(tmp / f"performance_{lang}.csv", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    if nxt is not None:
        export_priority(nxt, tmp, lang=lang, stem="priority_next", formats=("xlsx", "csv"))


def run(args: argparse.Namespace) -> int:
    """Read the feedback, update the sources, score the list; returns the exit code."""
    from pathlib import Path

    import pandas as pd

    from .._i18n import resolve_lang
    from .._validation import DropLog
    from ..dispatch import apply_feedback, list_performance, read_feedback, update_priors
    from ..dispatch._io import read_priority
    from ..dispatch._write import output_folder
    from ..io import read_sources

    lang = resolve_lang(args.lang)
    writer = output_folder(args.out, overwrite=args.overwrite, command="feedback",
                           config={"prior_mean": args.prior_mean, "prior_strength": args.prior_strength,
                                   "method": args.method}, inputs=[*args.sources, *args.feedback])
    sources = pd.concat([read_sources(p, crs=args.sources_crs) for p in args.sources], ignore_index=True)
    feedback = read_feedback(list(args.feedback))
    updated = update_priors(sources, feedback, prior_mean=args.prior_mean, prior_strength=args.prior_strength)
    perf = list_performance(feedback, method=args.method)
    nxt = apply_feedback(read_priority(args.priority), updated) if args.priority else None
    with writer as tmp:
        _write(Path(tmp), updated, feedback, perf, nxt, lang)
        writer.droplog = DropLog.chain(feedback, updated, nxt)  # each step's own drops
    overall = perf.iloc[0]
    n_closed = int((updated["last_finding"] == "closed").sum())
    print(f"geoair feedback: {int(overall['n_visited'])} of {int(overall['n_tasks'])} tasks visited, "
          f"{int(overall['n_violation'])} violations of {int(overall['n_decided'])} decided "
          f"(hit rate {overall['hit_rate']:.0%}); {int((updated['feedback_factor'] != 1).sum())} source weights "
          f"updated, {n_closed} closed -> {args.out}")
    return 0
