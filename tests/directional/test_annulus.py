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
    b = pd.cut(d.wd, np.linspace(0, 360, 38), labels=False) + 1  # R's cut: (a, b], 0 -> NA
    d = d.assign(b=b, h=d.date.dt.hour).dropna(subset=["b"])
    ref = d.groupby(["h", "b"])["pm10"].agg(["mean", "size"])
    assert len(g) == len(ref)
    np.testing.assert_allclose(g["mean"].to_numpy(), ref["mean"].to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(g["n"].to_numpy(), ref["size"].to_numpy())
    assert set(np.unique(g["wd"])) <= set(np.arange(0, 361, 10.0))


def test_surface_tracks_bins(ann):
    g = ann.attrs["binned"]
    assert len(ann) == 201 * 201
    # prediction grid nodes that coincide with bins (hour 0 and 23 rows, wd multiples of 10
    # fall on the 1.8 degree grid only at multiples of 90 -> compare at those)
    sel = ann[(ann.trend.isin([0.0, 10.0])) & (ann.wd.isin([90.0, 180.0, 270.0]))]
    for _, r in sel.iterrows():
        m = g[(g.trend == r.trend) & (g.wd == r.wd)]["mean"].iloc[0]
        assert abs(r.z - m) / m < 0.15
    r = np.hypot(ann.u, ann.v)
    np.testing.assert_allclose(r, 10 + ann.trend, atol=1e-9)
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
