"""``geoair rankings``: HJ 663 assessment and league table from a store, locally or on a cluster.

``--scheduler tcp://host:8786`` sends the work to a running ``dask scheduler`` (its workers must
see the store's folder); without it Dask's local threads are used.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``rankings`` options to ``parser``."""
    parser.add_argument("store", metavar="STORE", help="store folder (geoair store)")
    parser.add_argument("--by", default="station", choices=["station", "province", "adcode"],
                        help="assessment unit (adcode = county: needs --stations and --counties)")
    parser.add_argument("--period", default="year", choices=["year", "quarter", "month", "all"])
    parser.add_argument("--start", help="first hour to read (Beijing time)")
    parser.add_argument("--end", help="last hour to read (Beijing time)")
    parser.add_argument("--stations", metavar="PATH", help="station list with coordinates")
    parser.add_argument("--counties", metavar="PATH", help="county polygons")
    parser.add_argument("--out", metavar="CSV", help="write the league table here")
    parser.add_argument("--evaluation", metavar="CSV", help="write the full assessment here")
    parser.add_argument("--lang", choices=["zh", "en"], default=None, help="table language")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: local)")
    parser.add_argument("--top", type=int, default=20, help="rows to print (default 20)")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")


def run(args: argparse.Namespace) -> int:
    """Compute the rankings and print (and write) the league table."""
    from ..io import read_boundaries, read_stations
    from ..options import set_options
    from ..standards.national import store_rankings

    stations = read_stations(args.stations) if args.stations else None
    counties = read_boundaries(args.counties) if args.counties else None
    opts = {"progress": not args.no_progress}
    if args.scheduler:
        opts["scheduler"] = args.scheduler
    with set_options(**opts):
        res = store_rankings(args.store, by=args.by, period=args.period, start=args.start,
                             end=args.end, stations=stations, counties=counties, lang=args.lang)
    table = res["table"]
    if args.out:
        table.to_csv(args.out, index=False, encoding="utf-8-sig")
    if args.evaluation:
        res["evaluation"].to_csv(args.evaluation, index=False, encoding="utf-8-sig")
    print(table.head(args.top).to_string(index=False))
    return 0
