"""``geoair attribute``: upwind-exposure source attribution from files.

Writes ``contributions.csv`` (station, time, category, pm25, pm10, lower, upper, ...),
``source_scores.csv``, ``summary.json`` and, last, ``manifest.json`` into ``--out``
(atomically: :func:`geoair._output.atomic_output`). Outputs are plume-based
estimates with intervals, not regulatory concentrations.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``attribute`` options to ``parser``."""
    parser.add_argument("--observations", "-o", nargs="+", required=True, metavar="PATH",
                        help="observation files or globs (CNEMC wide, UCI PRSA, or tidy CSV station,time,...)")
    parser.add_argument("--format", default="auto", choices=["auto", "cnemc", "prsa", "tidy"],
                        help="layout of the observation files (default: detect)")
    parser.add_argument("--stations", "-s", required=True, metavar="PATH", help="station list (CSV)")
    parser.add_argument("--sources", nargs="+", metavar="PATH", help="source point files (geoair.read_sources)")
    parser.add_argument("--sources-crs", default=None, choices=["wgs84", "gcj02", "bd09"],
                        help="coordinate system of the source files (default: WGS84, assumed and said so; "
                        "lists from Amap/Tencent are gcj02, from Baidu bd09)")
    parser.add_argument("--fires", metavar="PATH", help="FIRMS active-fire CSV")
    parser.add_argument("--wind", metavar="PATH",
                        help="ERA5 NetCDF wind (u10, v10[, blh]); default: station ws/wd columns, else isotropic")
    parser.add_argument("--cutoff-km", type=float, default=50.0, help="source-station cut-off distance (km)")
    parser.add_argument("--n-bootstrap", type=int, default=200, help="block-bootstrap replicates (days)")
    parser.add_argument("--random-state", type=int, default=0, help="seed of the bootstrap")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder (new or empty; an earlier run only with --overwrite)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the earlier geoair run in --out (only the files its manifest lists)")


def run(args: argparse.Namespace) -> int:
    """Run the attribution and write the outputs; returns the exit code."""
    from .._output import atomic_output

    inputs = [*args.observations, args.stations, *(args.sources or []), args.fires, args.wind]
    config = {k: v for k, v in vars(args).items() if not k.startswith("_")}
    # checks --out (a file, unwritable, an earlier run) before anything is read or fitted
    writer = atomic_output(args.out, overwrite=args.overwrite, config=config, inputs=inputs,
                           command="attribute")
    model, logs = _fit(args)
    notes = {r.attrs["crs_note"] for r in logs if r is not None and "crs_note" in r.attrs}
    for note in sorted(notes):
        print(f"geoair attribute: note: {note}", file=sys.stderr)
    with writer as tmp:
        _write(model, args, tmp)
        from .._validation import DropLog

        writer.droplog = DropLog.chain(*logs, model.contributions_)
    print(f"geoair attribute: {len(model.contributions_)} contribution rows, "
          f"{len(model.source_scores_)} station-source pairs -> {writer.out}")
    print("Estimates with intervals from a plume model, not regulatory concentrations.")
    return 0


def _fit(args: argparse.Namespace):
    """Read the inputs and fit; returns the model and the readers' results (for their logs)."""
    import pandas as pd

    from ..apportion.attribution import SourceAttribution
    from ..io import read_firms, read_observations, read_sources, read_stations

    obs_path = args.observations if len(args.observations) > 1 else args.observations[0]
    obs = read_observations(obs_path, format=args.format)
    stations = read_stations(args.stations)
    sources = None
    src_parts = [read_sources(p, crs=args.sources_crs) for p in args.sources or []]
    if src_parts:
        sources = pd.concat(src_parts, ignore_index=True)
    fires = read_firms(args.fires) if args.fires else None
    wind = None
    if args.wind:
        from ..io import read_wind

        wind = read_wind(args.wind)
    model = SourceAttribution(cutoff_km=args.cutoff_km, n_bootstrap=args.n_bootstrap,
                              random_state=args.random_state)
    model.fit(obs, stations=stations, sources=sources, fires=fires, wind=wind)
    return model, [obs, stations, *src_parts, fires]


def _write(model, args: argparse.Namespace, out) -> None:
    """contributions.csv, source_scores.csv and summary.json into the folder ``out``."""
    import json

    contrib = model.contributions_.copy()
    contrib["time"] = contrib["time"].dt.strftime("%Y-%m-%dT%H:%M%z")
    contrib.to_csv(out / "contributions.csv", index=False, float_format="%.4g")
    model.source_scores_.to_csv(out / "source_scores.csv", index=False, float_format="%.4g")
    summary = model.summary()
    summary["inputs"] = {"observations": [str(p) for p in args.observations], "stations": args.stations,
                         "sources": args.sources, "fires": args.fires, "wind": args.wind,
                         "cutoff_km": args.cutoff_km, "n_bootstrap": args.n_bootstrap}
    summary["dropped"] = int(contrib.attrs["droplog"].total()) if contrib.attrs.get("droplog") else 0
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str),
                                      encoding="utf-8")
