"""polar_annulus: the binned table is checked against a direct pandas recount of openair's rules
(openair_algorithms.md section 3: trend = 10 hour / 23, cut(wd, seq(0, 360, length = 38)) bins
placed at 0, 10, ..., 360); the smooth surface is checked against the bin means it fits
(no openair reference numbers exist for the annulus surface, see module notes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoair.directional.annulus import _cc, _place_knots, polar_annulus


@pytest.fixture(scope="module")
def ann(mydata):
    return polar_annulus(mydata, "pm10")


def test_binned_means(mydata, ann):
    g = ann.attrs["binned"]
    d = mydata.dropna(subset=["wd", "pm10"])
    d = pd.concat([d, d[d.wd == 360].assign(wd=0.0)], ignore_index=True)
    # R's cut(..., include.lowest = TRUE): (a, b], with 0 in the first bin
    b = pd.cut(d.wd, np.linspace(0, 360, 38), labels=False, include_lowest=True) + 1
    d = d.assign(b=b, h=d.date.dt.hour)
    ref = d.groupby(["b", "h"])["pm10"].agg(["mean", "size"])
    assert len(g) == len(ref) == 24 * 37
    np.testing.assert_allclose(g["mean"].to_numpy(), ref["mean"].to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(g["n"].to_numpy(), ref["size"].to_numpy())
    np.testing.assert_array_equal(g["hour"].round(9).to_numpy(), ref.index.get_level_values(1))
    assert set(np.unique(g["wd"])) == set(np.arange(0, 361, 10.0))


def test_surface_tracks_bins(ann):
    g = ann.attrs["binned"]
    pred = ann.attrs["prediction"]
    assert len(pred) == 201 * 201 and len(ann) == 401 * 401
    # prediction nodes coinciding with bins (hours 0 and 23, wd multiples of 90)
    sel = pred[(pred.trend.isin([0.0, 10.0])) & (pred.wd.isin([90.0, 180.0, 270.0]))]
    for _, r in sel.iterrows():
        m = g[(g.trend == r.trend) & (g.wd == r.wd)]["mean"].iloc[0]
        assert abs(r.z - m) / m < 0.15
    ring = ann.dropna(subset=["wd"])
    r = np.hypot(ring.u, ring.v)
    assert r.min() >= 10 and r.max() <= 20
    assert ann.loc[np.hypot(ann.u, ann.v) > 20.001, "z"].isna().all()
    assert ann.attrs["fit"]["edf"] > 10


def test_cyclic_basis_is_periodic():
    basis, S = _cc(np.linspace(0.0, 360.0, 10))
    a, b = basis(np.array([0.0, 1e-9])), basis(np.array([360.0 - 1e-9, 360.0]))
    np.testing.assert_allclose(a[0], b[1], atol=1e-12)
    np.testing.assert_allclose(a[1], b[0], atol=1e-6)
    # constants are in the span and unpenalised
    np.testing.assert_allclose(basis(np.linspace(0, 360, 7)).sum(1), 1.0, atol=1e-12)
    np.testing.assert_allclose(S @ np.ones(9), 0.0, atol=1e-12)


def test_place_knots_like_mgcv():
    # evenly spaced distinct values -> evenly spaced knots from min to max (mgcv place.knots)
    np.testing.assert_allclose(_place_knots(np.arange(10, 361, 10.0), 10), np.linspace(10, 360, 10))
    np.testing.assert_allclose(_place_knots(np.array([0.0, 1, 2, 10]), 3), [0, 1.5, 10])
