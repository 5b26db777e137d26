"""Cues that rank integrity events: neighbour disagreement, the station's own gases, and which
station of a copied pair is the copier."""

import numpy as np

from geoair.integrity._kernels import neighbour_prediction
from geoair.integrity.candidates import _gas_agreement, gas_support_multiplier, source_multiplier
from geoair.integrity.expected import disagreement_factor


def test_disagreement_is_the_rms_of_standardised_neighbour_deviations():
    rng = np.random.default_rng(5)
    logv = rng.normal(4.0, 0.3, size=(50, 4))
    nb = np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]])
    off = np.zeros((4, 3))
    spread = np.full((4, 3), 0.5)
    _, used, dis = neighbour_prediction(logv, nb, off, np.ones((4, 3)), spread, 100.0)
    v = logv[:, 1:]
    manual = np.sqrt((((v - v.mean(axis=1, keepdims=True)) / 0.5) ** 2).sum(axis=1) / 2)
    np.testing.assert_allclose(dis[:, 0], manual)
    # a single neighbour cannot disagree with itself: NaN
    _, _, dis1 = neighbour_prediction(logv, np.array([[1, -1, -1]] * 4), off, np.ones((4, 3)), spread, 3.0)
    assert np.isnan(dis1).all()


def test_disagreement_factor_recovers_a_scale_growing_with_disagreement():
    # synthetic truth: the residual's scale is sqrt(ratio); the factor must follow it
    rng = np.random.default_rng(1)
    ratio = np.exp(rng.uniform(np.log(0.2), np.log(5.0), size=(4000, 10)))
    z = rng.normal(size=ratio.shape) * np.sqrt(ratio)
    f = disagreement_factor(z, ratio)
    lo, hi = f[ratio < 0.4].mean(), f[ratio > 3.5].mean()
    assert hi / lo > 2.0  # true ratio of scales sqrt(4.0 / 0.3) = 3.7, banded and clipped
    assert np.all(np.diff([f[(ratio > a) & (ratio < b)].mean() for a, b in
                           [(0.2, 0.5), (0.5, 1), (1, 2), (2, 5)]]) > 0)
    # unknown ratio (one neighbour, other predictor): unchanged scale
    ratio[:, 0] = np.nan
    assert (disagreement_factor(z, ratio)[:, 0] == 1.0).all()
    # too few hours to estimate: no change at all
    assert (disagreement_factor(z[:10, :5], ratio[:10, :5]) == 1.0).all()


def test_gas_adjusted_removes_the_part_shared_with_the_gases():
    from geoair.integrity._grid import to_grid
    from geoair.integrity.expected import (
        expected_field,
        find_neighbours,
        gas_adjusted,
        gas_residual,
    )
    from geoair.testing import make_clean_network

    obs, stations = make_clean_network(12, 24 * 20, random_state=4)
    g = to_grid(obs, stations)
    nb, _ = find_neighbours(g.lon, g.lat, k=6)
    fields = {p: expected_field(g, p, nb) for p in ("pm25", "pm10")}
    zg = gas_residual(g, nb)
    z, beta = gas_adjusted(fields, zg)
    # the generator's CO follows PM2.5, so part of a PM residual is shared with the CO residual
    assert 0.0 < beta["pm25"] <= 1.0
    zco = expected_field(g, "co", nb, use_cross=False, use_history=False, disagreement=False).z
    ok = np.isfinite(z["pm25"]) & np.isfinite(zco) & (np.abs(zco) < 5) & (np.abs(fields["pm25"].z) < 5)
    r_before = np.corrcoef(fields["pm25"].z[ok], zco[ok])[0, 1]
    r_after = np.corrcoef(z["pm25"][ok], zco[ok])[0, 1]
    assert abs(r_after) < abs(r_before)
    # without any gas the residuals are returned unchanged
    g.values.pop("co"), g.values.pop("no2", None)
    assert gas_residual(g, nb) is None
    z0, b0 = gas_adjusted(fields, None)
    assert b0 == {"pm25": 0.0, "pm10": 0.0} and z0["pm25"] is fields["pm25"].z


def test_a_pm_series_agrees_with_its_own_gases_not_with_a_copiers():
    rng = np.random.default_rng(0)
    n = 72
    co = np.cumsum(rng.normal(0, 0.1, size=(n, 2)), axis=0)  # two stations' own CO (log)
    pm_src = co[:, 0] + rng.normal(0, 0.05, n)  # the source's PM moves with its CO
    gases = {"co": co}
    own = _gas_agreement(pm_src, gases, 0, 0, n - 1)
    copied = _gas_agreement(pm_src, gases, 1, 0, n - 1)  # station 1 shows station 0's PM
    assert own > 4.0 and abs(copied) < 3.0


def test_source_multiplier():
    m = source_multiplier([-3.0, -1.0, -0.5, 0.0, 2.0], 0.05)
    np.testing.assert_allclose(m, [0.05, 0.05, 0.05, 1.0, 1.0])


def test_gas_support_multiplier_halves_departures_shared_by_the_gases():
    import pandas as pd

    zg = np.zeros((100, 3))
    zg[10:30, 0] = -2.0  # station 0's gases left their neighbours with its PM
    zg[10:30, 2] = np.nan  # station 2: no gas reported
    cands = pd.DataFrame({"station": [0, 1, 0, 2, 0], "start": [10, 10, 50, 10, 10],
                          "end": [29, 29, 70, 29, 29],
                          "kind": ["suppression", "suppression", "suppression", "suppression", "flatline"],
                          "family": ["scan:pm25:-1"] * 4 + ["flatline:pm25"]})
    m = gas_support_multiplier(cands, zg, 0.5, z_gas=1.0)
    # shared by the gases: halved; gases quiet, other hours, no gas data, other kinds: unchanged
    np.testing.assert_array_equal(m, [0.5, 1.0, 1.0, 1.0, 1.0])
