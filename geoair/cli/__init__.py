"""The ``geoair`` command line.

One registry (:data:`COMMANDS`); each sub-command is a module ``geoair/cli/<name>.py`` with
``configure(parser)`` and ``run(args) -> int`` that imports only :mod:`argparse` at the top,
so that ``geoair --help`` loads neither pandas nor pyarrow. Every ``ValueError`` a command
raises (:class:`~geoair.GeoairInputError`, a bad option, a broken configuration file) ends
as exit code 2 with its message; Ctrl-C ends as exit code 130. Commands that write a folder
do it through :func:`geoair._output.atomic_output`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# sub-command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "summary": ("geoair.cli.summary", "summarise the bundled (or given) data: stations, hours, coverage, drops"),
    "attribute": ("geoair.cli.attribute", "attribute station PM to source categories and sources (plume estimates)"),
    "briefing": ("geoair.cli.briefing", "HTML briefing: AQI, hotspots, fires, priority lists, offline maps"),
    "store": ("geoair.cli.store", "convert observation files into a year/month Parquet store"),
    "rankings": ("geoair.cli.rankings", "HJ 663 assessment and league table from a store (local or --scheduler)"),
    "integrity": ("geoair.cli.integrity", "screen stations for interference, faults and falsification"),
    "dispatch": ("geoair.cli.dispatch", "task workbooks per supervision grid: place, window, checklist, outcome sheet"),
    "feedback": ("geoair.cli.feedback", "read inspection outcomes: update source priors, hit rate of the list"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="geoair",
        description="Geospatial air-pollution source apportionment and hotspot analysis.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        importlib.import_module(module).configure(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from geoair import __version__

        print(__version__)
        return 0
    if not args.command:
        parser.print_help()
        return 0
    try:
        return int(importlib.import_module(args._module).run(args) or 0)
    except ValueError as err:  # GeoairInputError, option errors, bad config files
        print(f"geoair {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return _interrupted(args.command)
    except SystemError as err:
        # Ctrl-C inside a compiled (numba) call surfaces as a SystemError caused by the
        # KeyboardInterrupt: still an interruption, not a failure
        if not _caused_by_interrupt(err):
            raise
        return _interrupted(args.command)


def _interrupted(command: str) -> int:
    print(f"geoair {command}: interrupted; no output was left half-written.", file=sys.stderr)
    return 130


def _caused_by_interrupt(err: BaseException) -> bool:
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, KeyboardInterrupt):
            return True
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return False


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
