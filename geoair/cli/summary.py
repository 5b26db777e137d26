"""``geoair summary``: what is in the data - stations, hours, coverage, completeness, drops.

With no arguments it summarises the bundled data (:mod:`geoair.datasets`); ``--observations``
and ``--stations`` summarise any files :func:`geoair.read_observations` and
:func:`geoair.read_stations` understand. The text comes from :func:`geoair.io.describe`.
"""

from __future__ import annotations

import argparse
from typing import Any


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``summary`` options to ``parser``."""
    parser.add_argument(
        "--observations", "-o", nargs="+", metavar="PATH",
        help="observation files or globs (CNEMC wide, UCI PRSA or tidy CSV/Parquet); "
        "default: the bundled data",
    )
    parser.add_argument("--stations", "-s", metavar="PATH", help="a station list (national or plain CSV)")
    parser.add_argument(
        "--format", default="auto", choices=["auto", "cnemc", "prsa", "tidy"],
        help="layout of the observation files (default: detect from the header)",
    )
    parser.add_argument("--lang", choices=["zh", "en"], default=None, help="language of the report")


def run(args: argparse.Namespace) -> int:
    """Print the summary; returns the exit code."""
    from .._i18n import resolve_lang

    lang = resolve_lang(args.lang)
    blocks: list[tuple[str, Any, str]] = []
    if args.observations or args.stations:
        from ..io import read_observations, read_stations

        if args.observations:
            obs = read_observations(args.observations, format=args.format)
            blocks.append(("obs", obs, ", ".join(args.observations)))
        if args.stations:
            blocks.append(("sta", read_stations(args.stations), args.stations))
    else:
        try:
            from .. import datasets
        except ImportError as err:  # the bundled data module is shipped with the package
            from .._validation import GeoairInputError

            raise GeoairInputError(
                f"The bundled data are not available ({err}).",
                fix="Reinstall geoair, or pass --observations PATH and --stations PATH.",
            ) from None
        from .._i18n import t

        bundled = t("describe.bundled", lang)
        blocks.append(("obs", datasets.load_beijing_observations(), f"{bundled}: Beijing PRSA 2013-2017"))
        blocks.append(("obs", datasets.load_cnemc_observations(), f"{bundled}: CNEMC 2019-01/02"))
        blocks.append(("sta", datasets.load_beijing_stations(), f"{bundled}: Beijing PRSA stations"))
        blocks.append(("sta", datasets.load_national_stations(), f"{bundled}: national station list"))
    from .._i18n import t
    from ..io.describe import summarise_observations, summarise_stations

    for kind, data, source in blocks:
        text = summarise_observations(data, lang) if kind == "obs" else summarise_stations(data, lang)
        print(f"{text[0]}  [{t('describe.source', lang)}: {source}]")
        print("\n".join(text[1:]))
        print()
    return 0
