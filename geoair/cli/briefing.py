"""``geoair briefing``: the main job, an HTML briefing with maps, figures and priority lists."""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``briefing`` options."""
    parser.add_argument("--config", default=None,
                        help="TOML or JSON configuration (default: the bundled data)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--lang", choices=("zh", "en"), default=None,
                        help="report language (default: geoair option 'lang')")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def run(args: argparse.Namespace) -> int:
    """Run the briefing and print where it was written."""
    from .._i18n import resolve_lang, t
    from ..briefing import run_briefing

    lang = resolve_lang(args.lang)
    res = run_briefing(args.config, args.out, lang=lang, progress=not args.no_progress)
    print(f"briefing: {res.report}")
    for key, path in res.files.items():
        if not key.startswith("table_"):
            print(f"  {key}: {path}")
    if res.omitted:
        parts = "; ".join(f"{t(f'briefing.section.{k}', lang)} ({v})" for k, v in res.omitted.items())
        print(f"{t('briefing.section.omitted', lang)}: {parts}")
    return 0
