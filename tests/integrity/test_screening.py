"""Network screening: McCrary and binomial bunching tests against synthetic truth, hour dips,
missing data in polluted hours."""

import numpy as np
import pandas as pd
import pytest

from geoair.integrity import binomial_test, bunching_table, mccrary_test
from geoair.integrity.screening import hour_dips, missing_when_polluted


def test_mccrary_recovers_a_known_density_jump():
    # synthetic truth: density 2/3 on [0, 1) and 1/3 on [1, 2) -> theta = ln(1/2) at c = 1
    rng = np.random.default_rng(0)
    x = np.r_[rng.uniform(0, 1, 20000), rng.uniform(1, 2, 10000)]
    r = mccrary_test(x, 1.0)
    assert r.theta == pytest.approx(np.log(0.5), abs=3 * r.se)
    assert r.p_below < 1e-6


def test_mccrary_has_no_jump_in_a_smooth_density():
    rng = np.random.default_rng(1)
    pvals = [mccrary_test(rng.uniform(0, 2, 3000), 1.0).p for _ in range(60)]
    assert np.mean(np.array(pvals) < 0.05) <= 0.15  # nominal 5 %, 60 draws


def test_mccrary_detects_bunching_below_75():
    # PM2.5 daily means (log-normal); 30 % of the days in (75, 95] reported just below 75
    rng = np.random.default_rng(2)
    x = np.exp(rng.normal(np.log(60), 0.6, 1500))
    moved = (x > 75) & (x <= 95) & (rng.random(len(x)) < 0.3)
    x[moved] = rng.uniform(65, 75, moved.sum())
    r = mccrary_test(x, 75.0)
    assert r.theta < 0 and r.p_below < 1e-3
    b = binomial_test(x, 75.0, window=7.5)  # the local test needs a window wide enough to see it
    assert b.n_below > b.n_above and b.p_below < 0.01


def test_too_little_data_gives_nan_not_an_error():
    r = mccrary_test([70.0, 80.0, 90.0], 75.0)
    assert np.isnan(r.theta) and r.n == 3


def test_bunching_table_per_group():
    rng = np.random.default_rng(3)
    honest = np.exp(rng.normal(np.log(60), 0.6, 800))
    cheat = np.exp(rng.normal(np.log(60), 0.6, 800))
    moved = (cheat > 75) & (cheat <= 100)
    cheat[moved] = rng.uniform(68, 75, moved.sum())
    daily = pd.DataFrame({"city": ["A"] * 800 + ["B"] * 800, "pm25": np.r_[honest, cheat]})
    tab = bunching_table(daily, column="pm25", cutoff=75.0, by="city")
    assert tab["group"].iloc[0] == "B" and tab["p_below"].iloc[0] < 0.02
    assert tab.set_index("group").loc["A", "p_below"] > 0.01


def test_hour_dips_finds_a_daily_drop():
    rng = np.random.default_rng(4)
    hours = np.tile(np.arange(24), 30)
    z = rng.normal(0, 1, (len(hours), 3))
    z[hours == 9, 1] -= 1.5  # station 1 drops at 09:00 every day
    out = hour_dips(z, hours)
    assert out.loc[1, "dip_hour"] == 9 and out.loc[1, "dip_p"] < 1e-4
    assert out.loc[0, "dip_p"] > 0.01


def test_missing_when_polluted():
    rng = np.random.default_rng(5)
    expected = rng.uniform(20, 150, (720, 2))
    values = expected.copy()
    values[rng.random((720, 2)) < 0.05] = np.nan  # honest: random gaps
    hide = (expected[:, 1] > 75) & (rng.random(720) < 0.4)
    values[hide, 1] = np.nan  # station 1 goes missing when the air is bad
    out = missing_when_polluted(values, expected)
    assert out.loc[1, "missing_p"] < 1e-6 and out.loc[1, "missing_ratio"] > 3
    assert out.loc[0, "missing_p"] > 0.01
