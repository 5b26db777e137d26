"""Emerging hot spot categories on constructed series with known answers (standards notes §9.3)."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geoair.hotspot import classify_emerging, emerging_hotspots, mann_kendall

H, C, N = 3.0, -3.0, 0.0  # z of a significant hot bin, cold bin, not significant


def _one(series, trend=None):
    z = np.array(series, float)
    if trend is not None:  # add a monotone drift that keeps significance but sets the MK sign
        z = z + trend * np.arange(z.size) * 0.1
    p = np.where(np.abs(np.array(series)) > 0, 0.001, 0.5)
    return classify_emerging(z[None, :], p[None, :]).iloc[0]


@pytest.mark.parametrize(
    ("series", "trend", "category", "kind"),
    [
        ([N] * 9 + [H], None, "new", "hot"),
        ([N] * 7 + [H] * 3, None, "consecutive", "hot"),
        ([H] * 10, +1, "intensifying", "hot"),
        ([H, H, H, H, H, H, H, H, H, H], None, "persistent", "hot"),
        ([H] * 10, -1, "diminishing", "hot"),
        ([N, H, N, N, H, N, H, N, N, H], None, "sporadic", "hot"),
        ([N, C, N, N, H, N, C, N, N, H], None, "oscillating", "hot"),
        ([H] * 9 + [N], None, "historical", "hot"),
        ([N] * 9 + [C], None, "new", "cold"),
        ([C] * 10, -1, "intensifying", "cold"),
        ([N, C, N, H, N, C, N, N, N, C], None, "oscillating", "cold"),
        ([N] * 10, None, "none", None),
        # consecutive needs no earlier hot bin: an earlier one makes it sporadic
        ([H, N, N, N, N, N, N, H, H, H], None, "sporadic", "hot"),
        # a run of one final bin after nothing is new, not consecutive
        ([N] * 8 + [N, H], None, "new", "hot"),
    ],
)
def test_categories(series, trend, category, kind):
    res = _one(series, trend)
    assert res["category"] == category
    assert res["kind"] == kind


def test_mann_kendall_matches_definition():
    # S = sum sign(x_j - x_i); for 1..10 strictly increasing tau = 1, Var(S) = n(n-1)(2n+5)/18
    tau, p = mann_kendall(np.arange(10.0))
    assert tau == pytest.approx(1.0)
    from scipy.stats import norm

    s, var = 45.0, 10 * 9 * 25 / 18
    # normal approximation Z = S / sqrt(Var S), two-sided, no continuity correction (scipy)
    assert p == pytest.approx(2 * norm.sf(s / np.sqrt(var)), rel=1e-9)
    assert np.isnan(mann_kendall([1.0, 1.0, 1.0])[1])


def test_emerging_hotspots_planted_growing_cluster():
    from shapely import box

    n, steps = 6, 8
    xs, ys = np.meshgrid(np.arange(n), np.arange(n))
    xs, ys = xs.ravel(), ys.ravel()
    areas = gpd.GeoDataFrame({"adcode": [f"{i:03d}" for i in range(n * n)]},
                             geometry=box(xs, ys, xs + 1, ys + 1))
    rng = np.random.default_rng(0)
    rows = []
    corner = (xs < 2) & (ys < 2)
    for t in range(steps):
        v = rng.normal(size=n * n)
        if t == steps - 1:
            v[corner] += 6.0  # appears only in the last step -> new hot spot
        rows.append(pd.DataFrame({"adcode": areas["adcode"], "time": t, "pm25": v}))
    out = emerging_hotspots(pd.concat(rows), areas, "pm25", permutations=999, random_state=1)
    assert (out.loc[corner, "category"] == "new").all()
    assert (out.loc[corner, "kind"] == "hot").all()
    assert out.attrs["gi"].shape == (n * n, steps)
