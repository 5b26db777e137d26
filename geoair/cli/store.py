"""``geoair store``: convert observation files into a year/month-partitioned Parquet store."""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``store`` options to ``parser``."""
    parser.add_argument("files", nargs="+", metavar="PATH",
                        help="observation files or globs (CNEMC daily wide, UCI PRSA, tidy)")
    parser.add_argument("--out", required=True, metavar="DIR", help="store folder (updated in place)")
    parser.add_argument("--format", default="auto", choices=["auto", "cnemc", "prsa", "tidy"],
                        help="layout of the files (default: detect from the header)")
    parser.add_argument("--stations", metavar="PATH",
                        help="station list (with a province column, or coordinates + --provinces)")
    parser.add_argument("--provinces", metavar="PATH", help="province polygons (GeoJSON/shapefile)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def run(args: argparse.Namespace) -> int:
    """Build or update the store and print one line per partition written."""
    from ..io import build_store, read_boundaries, read_stations

    stations = read_stations(args.stations) if args.stations else None
    provinces = read_boundaries(args.provinces) if args.provinces else None
    res = build_store(args.files, args.out, format=args.format, stations=stations,
                      provinces=provinces, progress=not args.no_progress)
    for row in res.itertuples(index=False):
        print(f"{row.year:04d}-{row.month:02d}  {row.rows:>10,d} rows  {row.path}")
    log = res.attrs["droplog"]
    print(f"dropped or masked: {log.total()} (see {args.out}/droplog.csv)")
    return 0
