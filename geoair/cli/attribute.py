"""``geoair attribute``: source attribution of station PM from files.

Writes into ``--out``: ``contributions.parquet`` (``station, time, category, pm25, pm10,
lower, upper, ...``; ``contributions.csv`` with ``--csv``), ``source_scores`` (same format),
``shares.csv``, ``summary.json``, ``droplog.csv`` (every input row left out, with the
reason) and, last, ``manifest.json`` (atomically: :func:`geoair._output.atomic_output`).
Outputs are plume-based estimates with intervals, not regulatory concentrations.
"""

from __future__ import annotations

import argparse
import sys

from ..apportion._defaults import ATTRIBUTION_DEFAULTS as _D

_PHYSICS = ["auto", "briggs_rural", "briggs_urban", "pasquill_gifford"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``attribute`` options to ``parser`` (defaults are the estimator's)."""
    parser.formatter_class = argparse.ArgumentDefaultsHelpFormatter
    parser.add_argument("--observations", "-o", nargs="+", required=True, metavar="PATH",
                        help="observation files or globs (CNEMC wide, UCI PRSA, or tidy CSV station,time,...)")
    parser.add_argument("--format", default="auto", choices=["auto", "cnemc", "prsa", "tidy"],
                        help="layout of the observation files")
    parser.add_argument("--stations", "-s", required=True, metavar="PATH", help="station list (CSV)")
    parser.add_argument("--sources", nargs="+", metavar="PATH",
                        help="source point files (geoair.read_sources; GPPD and GEM steel files are recognised)")
    parser.add_argument("--category", nargs="+", metavar="CAT",
                        help="category of the sources in files without a category column: one for all "
                             "files or one per file (e.g. coal dust)")
    parser.add_argument("--kind", nargs="+", metavar="KIND",
                        help="kind (activity profile) of the sources in files without a kind column: one "
                             "for all files or one per file (e.g. power_plant construction)")
    parser.add_argument("--sources-crs", default=None, choices=["wgs84", "gcj02", "bd09"],
                        help="coordinate system of the source files (default: WGS84, assumed and said so; "
                        "lists from Amap/Tencent are gcj02, from Baidu bd09)")
    parser.add_argument("--fires", metavar="PATH", help="FIRMS active-fire CSV")
    parser.add_argument("--wind", metavar="PATH",
                        help="NetCDF wind field (u10, v10[, blh]); without it the ws/wd columns, else isotropic")
    parser.add_argument("--cutoff-km", type=float, default=_D["cutoff_km"],
                        help="source-station cut-off distance (km)")
    parser.add_argument("--physics", default=_D["physics"], choices=_PHYSICS,
                        help="dispersion physics: the library weighted by the data, or one fixed scheme")
    parser.add_argument("--n-bootstrap", type=int, default=_D["n_bootstrap"], help="day-block bootstrap replicates")
    parser.add_argument("--alpha", type=float, default=_D["alpha"], help="intervals are 1 - alpha")
    parser.add_argument("--random-state", type=int, default=_D["random_state"], help="seed of the bootstrap")
    parser.add_argument("--csv", action="store_true", help="write CSV instead of Parquet")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder (new or empty; an earlier run only with --overwrite)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the earlier geoair run in --out (only the files its manifest lists)")


def _per_file(values, n: int, flag: str):
    if not values:
        return [None] * n
    if len(values) == 1:
        return list(values) * n
    if len(values) != n:
        from .._validation import GeoairInputError

        raise GeoairInputError(f"{flag} takes one value for all source files or one per file.",
                               received=f"{n} files, {len(values)} values",
                               fix=f"Give {flag} once (for every file) or once per --sources file, in order.")
    return list(values)


def _read_source_file(path: str, crs: str, category, kind):
    """GPPD and GEM steel files by their own readers; anything else by read_sources."""
    import pandas as pd

    from ..io import read_sources
    from ..io.sources import read_gem_steel, read_gppd

    head = set(pd.read_csv(path, nrows=0).columns) if str(path).lower().endswith((".csv", ".csv.gz")) else set()
    if {"gppd_idnr", "primary_fuel"} <= head:
        src = read_gppd(path, country=None)
    elif {"Plant ID", "capacity_ttpa"} <= head:
        src = read_gem_steel(path)
    else:
        return read_sources(path, crs=crs, category=category, kind=kind)
    if category is not None:
        src["category"] = category
    if kind is not None:
        src["kind"] = kind
    return src


def _read_inputs(args):
    """Read every input; returns (obs, stations, sources, fires, wind, readers' results for their logs)."""
    import warnings

    import pandas as pd

    from ..io import read_firms, read_observations, read_stations

    obs_path = args.observations if len(args.observations) > 1 else args.observations[0]
    obs = read_observations(obs_path, format=args.format)
    stations = read_stations(args.stations)
    sources, parts = None, []
    if args.sources:
        cats = _per_file(args.category, len(args.sources), "--category")
        kinds = _per_file(args.kind, len(args.sources), "--kind")
        parts = [_read_source_file(p, args.sources_crs, c, k)
                 for p, c, k in zip(args.sources, cats, kinds, strict=True)]
        sources = pd.concat(parts, ignore_index=True)
    else:
        msg = ("NO SOURCES GIVEN (--sources): every local category is zero and all PM is 'regional' "
               "except what fires explain. Give source files to attribute PM to coal, dust, vehicles, ...")
        print(f"geoair attribute: WARNING: {msg}", file=sys.stderr)
        warnings.warn(msg, UserWarning, stacklevel=2)
    fires = read_firms(args.fires) if args.fires else None
    wind = None
    if args.wind:
        from ..io import read_wind

        wind = read_wind(args.wind)
    return obs, stations, sources, fires, wind, [obs, stations, *parts, fires]


def _write_outputs(model, out, *, csv: bool = False, inputs: dict | None = None, droplog=None) -> None:
    """Write the contributions, source scores, shares, summary and drop log into ``out``.

    ``droplog`` (default: the model's) is written as ``droplog.csv``.
    """
    import json
    from pathlib import Path

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in (("contributions", model.contributions_), ("source_scores", model.source_scores_)):
        df = frame.copy()
        df.attrs = {}
        if csv:
            if "time" in df:
                df["time"] = df["time"].dt.strftime("%Y-%m-%dT%H:%M%z")
            df.to_csv(out / f"{name}.csv", index=False, float_format="%.4g")
        else:
            df.to_parquet(out / f"{name}.parquet", index=False)
    shares = model.shares_.copy()
    shares.attrs = {}
    shares.to_csv(out / "shares.csv", index=False, float_format="%.5g")
    log = model.droplog_ if droplog is None else droplog
    log.to_frame().to_csv(out / "droplog.csv", index=False)
    summary = model.summary()
    summary["inputs"] = inputs or {}
    summary["dropped"] = int(log.total())
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str),
                                      encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    """Run the attribution and write the outputs; returns the exit code."""
    from .._output import atomic_output
    from .._validation import DropLog
    from ..apportion.attribution import SourceAttribution

    paths = [*args.observations, args.stations, *(args.sources or []), args.fires, args.wind]
    config = {k: v for k, v in vars(args).items() if not k.startswith("_")}
    # checks --out (a file, unwritable, an earlier run) before anything is read or fitted
    writer = atomic_output(args.out, overwrite=args.overwrite, config=config, inputs=paths, command="attribute")
    obs, stations, sources, fires, wind, readers = _read_inputs(args)
    for note in sorted({r.attrs["crs_note"] for r in readers if r is not None and "crs_note" in r.attrs}):
        print(f"geoair attribute: note: {note}", file=sys.stderr)
    model = SourceAttribution(cutoff_km=args.cutoff_km, physics=args.physics, n_bootstrap=args.n_bootstrap,
                              alpha=args.alpha, random_state=args.random_state)
    model.fit(obs, stations=stations, sources=sources, fires=fires, wind=wind)
    log = DropLog.chain(*readers, model.droplog_)
    inputs = {"observations": [str(p) for p in args.observations], "stations": args.stations,
              "sources": args.sources, "category": args.category, "kind": args.kind, "fires": args.fires,
              "wind": args.wind, "params": {k: v for k, v in model.get_params().items() if k in _D}}
    with writer as tmp:
        _write_outputs(model, tmp, csv=args.csv, inputs=inputs, droplog=log)
        writer.droplog = log
    print(f"geoair attribute: {len(model.contributions_)} contribution rows, "
          f"{len(model.source_scores_)} station-source pairs, {log.total()} input rows/values "
          f"left out (droplog.csv) -> {writer.out}")
    print("Estimates with intervals from a plume model, not regulatory concentrations.")
    return 0
