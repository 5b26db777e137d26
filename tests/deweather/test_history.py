"""The meteorological history terms of the deweather design (``history="24h"``/``"72h"``)."""

import numpy as np
import pandas as pd
import pytest

from geoair.deweather import Normaliser
from geoair.deweather._features import build_design, set_variable
from geoair.testing.deweather import make_deweather_truth

MET = ["ws", "wd", "temp", "dewp", "rh", "pres", "rain"]


@pytest.fixture(scope="module")
def small():
    return make_deweather_truth(n_days=60, step=0.0, windier_after=0.0, seed=7).data


def _frame(n=300):
    t = pd.date_range("2016-01-01", periods=n, freq="h", tz="Asia/Shanghai")
    return pd.DataFrame({"time": t, "pm25": 50.0, "ws": 2.0, "wd": 0.0,
                         "temp": np.linspace(0, 10, n), "dewp": np.arange(n, dtype=float),
                         "pres": 1010.0, "rain": 0.0})


def test_72h_adds_slow_terms_and_keeps_24h_terms(small):
    d24 = build_design(small, "pm25", MET, history="24h")
    d72 = build_design(small, "pm25", MET, history="72h")
    new = [c for c in d72.columns if c not in d24.columns]
    assert new == ["ws_72h", "u_72h", "v_72h", "temp_72h", "rh_72h", "dewp_72h", "rain_72h",
                   "pres_change_72h", "dewp_change_24h", "hours_since_rain"]
    # the 24-h option is a subset: same columns, same values
    np.testing.assert_array_equal(d72.X[:, d72.index(d24.columns)], d24.X)
    np.testing.assert_array_equal(d72.pool, d24.pool)


def test_72h_values_by_hand():
    f = _frame()
    f.loc[10, "rain"] = 0.05  # a trace: below 0.1 mm, not rain
    f.loc[20, "rain"] = 2.0
    f.loc[[150, 151], "dewp"] = np.nan  # a gap
    des = build_design(f, "pm25", MET, history="72h")
    col = {c: des.X[:, i] for i, c in enumerate(des.columns)}
    since = col["hours_since_rain"]
    assert np.isnan(since[:20]).all() and since[20] == 0 and since[25] == 5
    assert since[-1] == min(len(f) - 1 - 20, 240)
    assert col["rain_72h"][20 + 71] == 2.0 and col["rain_72h"][20 + 72] == 0.0
    # dew point rises 1 °C per hour: its 24-h change is 24 where both hours exist
    ch = col["dewp_change_24h"]
    assert np.isnan(ch[:24]).all() and np.allclose(ch[24:150], 24.0)
    assert np.isnan(ch[[150, 151, 174, 175]]).all()
    # trailing 72-h mean of 0, 1, ..., t over the window (t - 71 .. t)
    assert col["dewp_72h"][100] == pytest.approx(np.mean(np.arange(29, 101)))
    assert np.isnan(col["dewp_72h"][:17]).all() and np.isfinite(col["dewp_72h"][17])
    assert np.allclose(col["v_72h"][17:], -2.0)  # wind from the north: v = -ws


def test_set_variable_sustains_72h_terms(small):
    des = build_design(small.iloc[:600], "pm25", MET, history="72h")
    cols = {c: i for i, c in enumerate(des.columns)}
    z = set_variable(des.X, des, "ws", 3.0)
    speed = np.hypot(z[:, cols["u_72h"]], z[:, cols["v_72h"]])
    had = np.isfinite(des.X[:, cols["u_72h"]])  # the first hours have no 72-h mean
    assert had.sum() > 500 and np.allclose(speed[had], 3.0)
    assert (z[:, cols["ws_72h"]] == 3.0).all()
    z = set_variable(des.X, des, "rain", 1.0)
    assert (z[:, cols["rain_72h"]] == 72.0).all() and (z[:, cols["hours_since_rain"]] == 0).all()
    z = set_variable(des.X, des, "dewp", 5.0)
    assert (z[:, cols["dewp_change_24h"]] == 0).all() and (z[:, cols["dewp_72h"]] == 5).all()
    z = set_variable(des.X, des, "dewp", 5.0, sustained=False)
    np.testing.assert_array_equal(z[:, cols["dewp_72h"]], des.X[:, cols["dewp_72h"]])


def test_72h_option_fits_and_names_features(small):
    m = Normaliser(pollutant="pm25", history="72h", n_folds=2, n_jobs=1).fit(small)
    assert "hours_since_rain" in m.feature_names_ and np.isfinite(m.performance_["r2"])
    with pytest.raises(Exception, match="history"):
        Normaliser(pollutant="pm25", history="48h").fit(small)


def test_72h_terms_learn_multi_day_accumulation():
    """Synthetic truth: PM builds up over calm days (dilution by the trailing 72-h mean wind
    speed, not the last day's). The 72-h terms must raise the blocked out-of-sample R²."""
    d = make_deweather_truth(n_days=365, step=0.0, windier_after=0.0, freq="3h", seed=3).data
    idx = pd.DatetimeIndex(d["time"])
    ws72 = pd.Series(d["ws"].to_numpy(), index=idx).rolling("72h").mean().to_numpy()
    noise = np.random.default_rng(0).lognormal(0.0, 0.1, len(d))
    d = d.assign(pm25=60.0 * np.exp(-0.8 * (ws72 - ws72.mean())) * noise)
    kw = dict(pollutant="pm25", n_folds=3, n_jobs=1, random_state=0)
    r2 = {h: Normaliser(history=h, **kw).fit(d).performance_["r2"] for h in ("24h", "72h")}
    assert r2["72h"] > 0.8 and r2["72h"] > r2["24h"] + 0.05, r2
