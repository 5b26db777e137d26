"""Kernels and run statistics: equal-value runs, flatlines, copies, the Markov run model."""

import numpy as np

from geoair.integrity import _runs_kernels as rk
from geoair.integrity._kernels import column_median_mad, neighbour_prediction, pair_offsets
from geoair.integrity.runs import copy_runs, flatline_runs, level_bands


def test_equal_runs_bridges_short_gaps_only():
    x = np.array([1, 2, 2, 2, np.nan, 2, 2, 3, 3, np.nan, np.nan, np.nan, np.nan, 3, 3], float)
    prev = np.r_[np.nan, x[:-1]]
    a, b, n = rk.equal_runs(x, prev, 0, 1, 2)
    # run of 2s: equalities at rows 2, 3, 6 (row 5 follows a gap: compared with NaN)
    assert list(zip(a, b, n, strict=True)) == [(2, 3, 2)]


def test_flatline_runs_finds_the_stuck_value_with_start_at_first_reading():
    rng = np.random.default_rng(0)
    x = np.round(rng.uniform(20, 200, (300, 4)))
    x[100:130, 2] = 88.0
    out = flatline_runs(x, "pm25")
    hit = out[out["station"] == 2]
    assert len(hit) == 1 and hit["start"].iloc[0] == 100 and hit["end"].iloc[0] == 129
    assert hit["n_equal"].iloc[0] == 29 and hit["logp"].iloc[0] < -30  # p < 1e-13


def test_copy_runs_with_lag():
    rng = np.random.default_rng(1)
    x = np.round(rng.uniform(20, 200, (300, 3)))
    x[50:100, 0] = x[48:98, 1]  # station 0 shows station 1's values 2 h late
    nb = np.array([[1, 2], [0, 2], [0, 1]])
    out = copy_runs(x, "pm25", nb)
    hit = out[(out["station"] == 0) & (out["partner"] == 1)]
    assert (hit["lag"] == 2).any() and hit["n_equal"].max() == 50


def test_level_bands():
    b = level_bands(np.array([[5.0], [15.0], [np.nan], [500.0]]), "pm25")
    assert b.ravel().tolist() == [0, 1, -1, 5]


def test_pair_offsets_and_prediction_match_numpy():
    rng = np.random.default_rng(2)
    base = rng.normal(4, 0.5, 200)
    logv = np.c_[base + 0.3, base - 0.2, base + rng.normal(0, 0.1, 200)]
    nb = np.array([[1, 2], [0, 2], [0, 1]])
    off, scale, count = pair_offsets(logv, nb)
    assert off[0, 0] == np.median(logv[:, 0] - logv[:, 1]) and count[0, 0] == 200
    w = np.ones((3, 2))
    pred, used, _ = neighbour_prediction(logv, nb, off, w, np.ones((3, 2)), 3.0)
    manual = 0.5 * ((logv[:, 1] + off[0, 0]) + (logv[:, 2] + off[0, 1]))
    np.testing.assert_allclose(pred[:, 0], manual)
    assert (used[:, 0] == 2).all()


def test_column_median_mad_equals_numpy():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(50, 4))
    a[::7, 1] = np.nan
    med, mad = column_median_mad(a, 5)
    np.testing.assert_allclose(med, np.nanmedian(a, axis=0))
    np.testing.assert_allclose(mad, np.nanmedian(np.abs(a - np.nanmedian(a, axis=0)), axis=0))
