"""Building blocks of geoair.deweather: features, draws, folds, intervals, aggregation and
partial dependence."""

import numpy as np
import pandas as pd
import pytest

from geoair.deweather import Normaliser, aggregate
from geoair.deweather._features import build_design, rh_from_dewpoint, set_variable
from geoair.deweather._intervals import Estimate, period_estimate
from geoair.deweather._models import block_folds, skill
from geoair.deweather._resample import donor_rows, held_rows, period_codes
from geoair.testing.deweather import make_deweather_truth, weather_factor


@pytest.fixture(scope="module")
def small():
    return make_deweather_truth(n_days=400, step=0.0, windier_after=0.0, seed=7)


def test_rh_from_dewpoint_magnus():
    # WMO Magnus: e_s(10 °C) = 12.27 hPa, e_s(20 °C) = 23.37 hPa -> 52.5 %
    assert rh_from_dewpoint(20.0, 10.0) == pytest.approx(52.5, abs=0.1)
    assert rh_from_dewpoint(15.0, 15.0) == pytest.approx(100.0)


def test_design_columns_and_donor_pool(small):
    d = small.data.copy()
    d.loc[5, "temp"] = np.nan
    d.loc[7, ["ws", "wd"]] = [0.0, np.nan]  # a calm: direction undefined, still a donor
    des = build_design(d, "pm25", ["ws", "wd", "temp", "rh", "pres"])
    assert des.columns[:4] == ["date_unix", "day_julian", "weekday", "hour"]
    assert {"ws", "wd_sin", "wd_cos", "ws_24h", "u_24h", "v_24h", "pres_change_24h"} <= set(
        des.columns)
    assert 5 not in des.pool and 7 in des.pool
    uv = build_design(d, "pm25", ["ws", "wd"], wind="uv", history=None)
    assert uv.columns[4:] == ["u", "v"]
    assert uv.X[0, 0] == pytest.approx((d["time"].iloc[0] - pd.Timestamp("1970-01-01", tz="UTC"))
                                       / pd.Timedelta(days=1))


def test_set_variable_wind_codings(small):
    for wind in ("sincos", "uv", "degrees"):
        des = build_design(small.data.iloc[:500], "pm25", ["ws", "wd"], wind=wind)
        z = set_variable(des.X, des, "wd", 90.0)
        from geoair.deweather._features import variable_values

        des.X = z
        assert np.allclose(variable_values(des, "wd")[np.isfinite(z[:, 4])], 90.0)


def test_window_donors_same_hour_and_season(small):
    des = build_design(small.data, "pm25", ["ws", "wd", "temp"])
    codes, starts = period_codes(des.time, "D")
    assert len(starts) == 400 and str(starts.tz) == "Asia/Shanghai"
    rng = np.random.default_rng(0)
    held = held_rows(codes, 50, rng)
    assert (codes[held] == np.arange(400)[:, None]).all()
    donors, fallback = donor_rows(held, des.pool, rng, sampling="window", hour=des.hour,
                                  doy=des.doy, window=(10, 0))
    assert fallback == 0
    assert (des.hour[donors] == des.hour[held]).all()
    gap = np.abs(des.doy[donors] - des.doy[held])
    assert (np.minimum(gap, 366 - gap) <= 10).all()
    d2, _ = donor_rows(held, des.pool, rng, sampling="window", hour=des.hour, doy=des.doy,
                       window=(10, 2))
    dh = np.abs(des.hour[d2] - des.hour[held])
    assert (np.minimum(dh, 24 - dh) <= 2).all() and (dh > 0).any()


def test_block_folds_are_balanced_and_shared():
    t = pd.date_range("2015-01-05", periods=24 * 7 * 40, freq="h", tz="Asia/Shanghai")
    f = block_folds(t, 5, "7D", seed=1)
    week = np.arange(len(t)) // (24 * 7)
    assert all(len(np.unique(f[week == w])) == 1 for w in range(40))  # a week stays together
    # weeks are counted from 1970-01-05; every run of 5 of them holds each fold once
    bid = (t[:: 24 * 7].tz_localize(None) - pd.Timestamp("1970-01-05")).days // 7
    runs = pd.Series(f[:: 24 * 7]).groupby(bid // 5).agg(sorted)
    full = pd.Series(bid // 5).value_counts().sort_index() == 5
    assert all(r == [0, 1, 2, 3, 4] for r in runs[full[full].index])
    later = block_folds(t[24 * 7 * 10:], 5, "7D", seed=1)  # another station, shorter record
    assert (later == f[24 * 7 * 10:]).all()


def test_jackknife_and_monte_carlo_variance():
    e = Estimate(np.float64(3.0), np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.float64(0.0),
                 np.zeros(5))
    lo, hi, se = e.interval(0.95)
    assert se == pytest.approx(np.sqrt(4 / 5 * 10))  # grouped jackknife
    assert hi - 3 == pytest.approx(2.776445 * se, rel=1e-5)  # t(4) quantile
    same = Estimate(np.float64(3.0), np.full(5, 3.0), np.float64(0.04), np.full(5, 0.2))
    assert same.interval()[2] == pytest.approx(0.2)  # MC only
    # MC noise in the members is not double counted as model spread
    rng = np.random.default_rng(0)
    mem = 3.0 + rng.normal(0, np.sqrt(0.2), (5, 20000))
    est = period_estimate(mem, np.full(20000, 0.2 * 60), np.full(5, 60))
    assert np.median(est.interval()[2]) == pytest.approx(np.sqrt(0.2 * 60 / 300), rel=0.35)


def test_skill_statistics():
    y = np.array([1.0, 2.0, 3.0, 4.0, np.nan])
    s = skill(y, np.array([1.0, 2.0, 3.0, 8.0, 1.0]))
    assert s["n"] == 4 and s["fac2"] == pytest.approx(1.0)
    assert s["r2"] == pytest.approx(1 - 16 / 5) and s["rmse"] == pytest.approx(2.0)


def test_aggregate_recomputes_intervals(step_result):
    yearly = aggregate(step_result, "Y")
    assert len(yearly) == 2 and yearly.attrs["params"]["interval"] == "jackknife + Monte Carlo"
    day = step_result
    y0 = day[day["time"].dt.year == 2015]
    assert yearly["normalised"].iloc[0] == pytest.approx(
        np.average(y0["normalised"], weights=y0["n_obs"]), rel=1e-9)
    loose = aggregate(day.drop(columns=[c for c in day if c.startswith("member_")]), "Y")
    assert loose.attrs["params"]["interval"].startswith("mean of input bounds")
    assert (yearly["upper"] - yearly["lower"] < loose["upper"] - loose["lower"]).all()


def test_partial_dependence_recovers_the_wind_effect(step_truth):
    d = step_truth.data.iloc[: 8 * 500]
    est = Normaliser(n_folds=3, n_samples=20).fit(d)
    pdep = est.partial_dependence(["ws", "wd"], n_points=9, n_rows=400)
    ws = pdep[pdep["variable"] == "ws"]
    assert np.all(np.diff(ws["partial"].to_numpy()) < 1.0)  # falls with wind speed
    lo, hi = ws["value"].iloc[1], ws["value"].iloc[-2]
    truth = weather_factor(hi, 180, 50) / weather_factor(lo, 180, 50)
    got = ws["partial"].iloc[-2] / ws["partial"].iloc[1]
    assert got == pytest.approx(truth, abs=0.15)
    wd = pdep[pdep["variable"] == "wd"].set_index("value")["partial"]
    assert wd.loc[180.0] > wd.loc[0.0]  # more from the south, as generated
    assert (pdep["lower"] <= pdep["partial"]).all()
