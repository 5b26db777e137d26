"""``geoair integrity``: screen station data for interference, faults and falsification.

Writes ``events.csv`` (``station, start, end, kind, score, pollutant, evidence`` and detail
columns, best first), ``stations.csv`` (one row per station) and ``manifest.json`` into
``--out`` atomically (:func:`geoair._output.atomic_output`: the manifest, with the DropLog
summary and input checksums, is written last). An event is a reason to check a station,
not a finding of falsification.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``integrity`` options to ``parser``."""
    parser.add_argument("--observations", "-o", nargs="+", required=True, metavar="PATH",
                        help="observation files or globs (CNEMC wide, UCI PRSA, or tidy CSV station,time,...)")
    parser.add_argument("--format", default="auto", choices=["auto", "cnemc", "prsa", "tidy"],
                        help="layout of the observation files (default: detect)")
    parser.add_argument("--stations", "-s", required=True, metavar="PATH",
                        help="station list with coordinates (national list or plain CSV)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder (new or empty; an earlier run only with --overwrite)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the earlier geoair run in --out (only the files its manifest lists)")
    parser.add_argument("--min-score", type=float, default=0.5,
                        help="report events scoring at least this (default 0.5: weak evidence is listed "
                        "too, as green; levels: yellow >= 4, red >= 6)")
    parser.add_argument("--neighbours", type=int, default=8, help="neighbours per station (default 8)")
    parser.add_argument("--max-km", type=float, default=150.0, help="farthest neighbour used, km (default 150)")
    parser.add_argument("--lang", choices=["zh", "en"], default=None, help="language of the evidence")


def run(args: argparse.Namespace) -> int:
    """Run the screen and write the outputs atomically; returns the exit code."""
    from .._output import atomic_output
    from .._validation import DropLog
    from ..integrity import station_summary
    from ..integrity.report import write_tables

    config = {k: v for k, v in vars(args).items() if not k.startswith("_")}
    # checks --out (a file, unwritable, an earlier run) before anything is read or fitted
    writer = atomic_output(args.out, overwrite=args.overwrite, config=config,
                           inputs=[*args.observations, args.stations], command="integrity")
    screen, logs = _fit(args)
    summary = station_summary(screen)
    with writer as tmp:
        write_tables(screen.events_, summary, tmp)
        writer.droplog = DropLog.chain(*logs, screen.droplog_)
    n_red = int((summary["level"] == "red").sum())
    print(f"geoair integrity: {len(screen.events_)} events at {int((summary['n_events'] > 0).sum())} "
          f"stations ({n_red} red) -> {writer.out}")
    print("An event is a reason to check a station, not a finding of falsification.")
    return 0


def _fit(args: argparse.Namespace):
    """Read the inputs and fit the screen; returns it and the readers' results (for their logs)."""
    from ..integrity import IntegrityScreen
    from ..io import read_observations, read_stations

    obs_path = args.observations if len(args.observations) > 1 else args.observations[0]
    obs = read_observations(obs_path, format=args.format)
    stations = read_stations(args.stations)
    screen = IntegrityScreen(n_neighbours=args.neighbours, max_distance_km=args.max_km,
                             min_score=args.min_score, lang=args.lang)
    screen.fit(obs, stations)
    return screen, [obs, stations]
