"""Which misspecification of the twin limits a category's recovery (a diagnostic, issue 10).

Usage::

    NUMBA_NUM_THREADS=1 python benchmarks/attribution_axis_probe.py --seeds 0 3 --remove saturation

Fits the estimator (defaults) on the hardest twin of each seed twice: as generated, and with one
of the truth's misspecifications removed *on the same random stream*, so that everything else
(sources, fires, winds, noise) stays identical. Switching an axis off with the generator's own
keyword (``saturation=False`` ...) skips that axis's random draws and so changes the rest of the
twin too; this probe avoids that by patching the generator's step instead. Axes:

- ``saturation``: the truth's per-plume saturation ``c / (1 + c / c_half)`` is skipped (its
  ``c_half`` is still drawn).

Prints one JSON line per fit (R², 90 % coverage, share errors, top-5 recall, fit time).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _remove(axis: str) -> None:
    import geoair.testing.attribution as ta

    if axis == "saturation":
        orig = ta._scale_to_shares

        def no_saturation(series, pcat, pst, S, targets, total, c_half):
            return orig(series, pcat, pst, S, targets, total, 0.0)

        ta._scale_to_shares = no_saturation
    else:
        raise SystemExit(f"unknown axis {axis!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 3])
    ap.add_argument("--remove", default="saturation", choices=["saturation"])
    args = ap.parse_args()
    from bench_attribution_twins import run_one

    keys = ("r2", "coverage", "share_err_pp", "recall", "t_fit")
    for label in ("as generated", f"{args.remove} removed"):
        if label != "as generated":
            _remove(args.remove)
        for seed in args.seeds:
            r = run_one("probe", f"seed {seed}", {"seed": seed})
            print(json.dumps({"truth": label, "seed": seed, **{k: r[k] for k in keys}}), flush=True)


if __name__ == "__main__":
    main()
