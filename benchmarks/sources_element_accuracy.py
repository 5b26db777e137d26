"""Accuracy of the line/area element integration against a brute-force discretisation (issue 20).

The same shapes, brute force and winds as ``tests/apportion/test_discretise.py`` (a bent road and
a quadrilateral village whose nearest point is 50 m - 50 km from the station; 60 random hours
plus winds along, against, across and at 10-30 degrees to the road, every stability class), for
the plume kernel, the direction-averaged kernel (unknown wind) and the 14 variants of the
attribution's physics library. Prints a Markdown table for ``docs/methods/attribution.md``.

Usage: ``python benchmarks/sources_element_accuracy.py`` (about a minute).
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "apportion"))


def main():
    import test_discretise as T

    from geoair.apportion import _physics

    print("| source | distance (m) | elements | brute-force points | plume: max hourly error (% of peak hour) "
          "| plume: period sum (%) | direction-averaged: max error (%) | 14 variants: max hourly error (% of peak) "
          "| 14 variants: worst period sum (%) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in ("line", "area"):
        for d in (50.0, 500.0, 5000.0, 50_000.0):
            geom = T._shape(kind, d)
            pairs, w = T._element_pairs(geom)
            bp, wb = T._brute(kind, d, geom)
            u, v, cls = T._winds_with_road(geom)
            a, b = T._run(pairs, w, u, v, cls), T._run(bp, wb, u, v, cls)
            ai = T._run(pairs, w, u * np.nan, v * np.nan, cls)
            bi = T._run(bp, wb, u * np.nan, v * np.nan, cls)
            lib = _physics.library(u, v, np.random.default_rng(3).uniform(-30.0, 70.0, u.shape), None)
            av, bv = T._run(pairs, w, u, v, None, lib), T._run(bp, wb, u, v, None, lib)
            sums = av.sum(axis=0) / bv.sum(axis=0) - 1
            print(f"| {kind} | {d:g} | {len(w)} | {len(wb)} | {np.abs(a - b).max() / b.max() * 100:.2f} "
                  f"| {(a.sum() / b.sum() - 1) * 100:+.2f} | {np.abs(ai / bi - 1).max() * 100:.3f} "
                  f"| {(np.abs(av - bv).max(axis=0) / bv.max(axis=0)).max() * 100:.2f} "
                  f"| {sums[np.argmax(np.abs(sums))] * 100:+.2f} |")


if __name__ == "__main__":
    main()
