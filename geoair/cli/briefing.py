"""``geoair briefing``: the main job, an HTML briefing with maps, figures and priority lists.

The folder is written atomically (:func:`geoair._output.atomic_output`): the briefing is
produced in a temporary folder and moved to ``--out`` with ``manifest.json`` last.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``briefing`` options."""
    parser.add_argument("--config", default=None,
                        help="TOML or JSON configuration (default: the bundled data)")
    parser.add_argument("--out", required=True,
                        help="output folder (new or empty; an earlier run only with --overwrite)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the earlier geoair run in --out (only the files its manifest lists)")
    parser.add_argument("--lang", choices=("zh", "en"), default=None,
                        help="report language (default: geoair option 'lang')")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def run(args: argparse.Namespace) -> int:
    """Run the briefing and print where it was written."""
    from .._i18n import resolve_lang, t
    from .._output import atomic_output
    from ..briefing import load_config, run_briefing

    lang = resolve_lang(args.lang)
    cfg = load_config(args.config)  # a broken or missing config fails here, before any work
    inputs = [p for v in cfg.get("data", {}).values() if v for p in (v if isinstance(v, list) else [v])]
    writer = atomic_output(args.out, overwrite=args.overwrite, command="briefing", inputs=inputs,
                           config={"config_file": args.config, "lang": lang, "settings": cfg})
    with writer as tmp:
        res = run_briefing(cfg, tmp, lang=lang, progress=not args.no_progress)
        writer.droplog = res.droplog
    print(f"briefing: {writer.out / res.report.relative_to(tmp)}")
    for key, path in res.files.items():
        if not key.startswith("table_"):
            print(f"  {key}: {writer.out / path.relative_to(tmp)}")
    if res.omitted:
        parts = "; ".join(f"{t(f'briefing.section.{k}', lang)} ({v})" for k, v in res.omitted.items())
        print(f"{t('briefing.section.omitted', lang)}: {parts}")
    return 0
