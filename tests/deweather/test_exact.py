"""Exact expectation over the donor pool (geoair.deweather._exact) against brute force and draws."""

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor

from geoair._validation import GeoairInputError
from geoair.deweather import Normaliser
from geoair.deweather._exact import expected_by_trend, member_shares, uses_exact


@pytest.fixture(scope="module")
def boosted():
    rng = np.random.default_rng(0)
    n = 2000
    X = np.column_stack([np.linspace(0.0, 100.0, n), rng.normal(size=n), rng.normal(size=n),
                         rng.integers(0, 24, n).astype(float)])
    X[rng.random(n) < 0.05, 1] = np.nan  # missing values take the model's learned branch
    y = (0.05 * X[:, 0] + np.sin(X[:, 0] / 7.0) + np.nan_to_num(X[:, 1]) * X[:, 2]
         + 0.1 * X[:, 3] + rng.normal(size=n) * 0.3)
    est = HistGradientBoostingRegressor(max_iter=40, random_state=0).fit(X, y)
    return est, X


def test_equals_brute_force_mean_over_the_pool(boosted):
    est, X = boosted
    pool = X[::3]
    t = np.array([-5.0, 0.0, 10.3, 55.5, 99.9, 100.0, 150.0])
    exact = expected_by_trend(est, pool, 0, t)
    brute = []
    for tv in t:
        Z = pool.copy()
        Z[:, 0] = tv
        brute.append(est.predict(Z).mean())
    np.testing.assert_allclose(exact, brute, rtol=0, atol=1e-10)


def test_trend_not_in_column_zero(boosted):
    est, X = boosted
    order = [3, 1, 0, 2]  # trend in column 2
    est2 = HistGradientBoostingRegressor(max_iter=20, random_state=0).fit(X[:, order],
                                                                           X[:, 0] * 0.1)
    t = np.array([20.0, 80.0])
    exact = expected_by_trend(est2, X[:, order], 2, t)
    brute = [est2.predict(np.where(np.arange(4) == 2, tv, X[:, order])).mean() for tv in t]
    np.testing.assert_allclose(exact, brute, atol=1e-10)


def test_unsupported_models_fall_back():
    assert not uses_exact("auto", "whole", "rf")
    assert not uses_exact("auto", "window", "hgb")
    assert not uses_exact("draws", "whole", "hgb")
    assert uses_exact("auto", "whole", HistGradientBoostingRegressor())
    assert not uses_exact("auto", "whole", HistGradientBoostingRegressor(loss="poisson"))
    rf = RandomForestRegressor(n_estimators=2).fit(np.arange(20.0).reshape(10, 2), np.arange(10.0))
    assert expected_by_trend(rf, np.zeros((3, 2)), 0, np.zeros(2)) is None


def test_member_shares():
    assert member_shares({"expectation": "exact", "n_samples": 7}, 3).tolist() == [1, 1, 1]
    assert member_shares({"expectation": "draws", "n_samples": 7}, 3).tolist() == [3, 2, 2]


def test_exact_agrees_with_many_draws(quick_truth):
    d = quick_truth.data
    est = Normaliser(pollutant="pm25", n_folds=3, n_samples=200, random_state=0).fit(d)
    exact = est.set_params(expectation="exact").normalise(members=True)
    assert est.expectation_ == "exact" and (exact["draw_var"] == 0).all()
    draws = est.set_params(expectation="draws").normalise(members=True)
    assert est.expectation_ == "draws"
    # daily values differ by Monte-Carlo noise only: z-scores of the draws' error ~ N(0, 1)
    mc_se = np.sqrt(draws["draw_var"] / 200)
    z = (draws["normalised"] - exact["normalised"]) / mc_se
    assert np.nanmean(np.abs(z)) < 1.0
    assert exact["normalised"].mean() == pytest.approx(draws["normalised"].mean(), rel=0.01)


def test_exact_needs_whole_sampling_and_boosting(quick_truth):
    with pytest.raises(GeoairInputError, match="expectation='exact'"):
        Normaliser(pollutant="pm25", expectation="exact", sampling="window").fit(quick_truth.data)
    with pytest.raises(GeoairInputError, match="expectation"):
        Normaliser(pollutant="pm25", expectation="mean").fit(quick_truth.data)
