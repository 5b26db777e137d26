"""SourceAttribution on real data: UCI PRSA Beijing, winter 2016-11 .. 2017-02, with the bundled
GPPD power plants and GEM steel plants as sources and the bundled FIRMS week (2022) as fires.

References for the expectations: Lunar New Year's Eve 2017 was 27 January (fireworks from the
evening to the early morning of the 28th; Beijing CNY study, ACP 22:11089, 2022); the FIRMS
file covers 2022-05-28 .. 06-04, so its fires must be left out and logged.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from geoair import datasets
from geoair.apportion import SourceAttribution, attribution_shares


@pytest.fixture(scope="module")
def winter():
    obs = datasets.load_beijing_observations()
    t = obs["time"]
    obs = obs[(t >= pd.Timestamp("2016-11-01", tz="Asia/Shanghai")) & (t < pd.Timestamp("2017-03-01", tz="Asia/Shanghai"))]
    src = pd.concat([datasets.load_power_plants(), datasets.load_steel_plants()], ignore_index=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = SourceAttribution(n_bootstrap=20, random_state=0).fit(
            obs, stations=datasets.load_beijing_stations(), sources=src, fires=datasets.load_firms())
    return obs, m, [str(w.message) for w in caught]


def test_invariants_on_real_data(winter):
    obs, m, _ = winter
    c = m.contributions_
    assert (c[["pm25", "lower", "upper", "pm10", "pm10_lower", "pm10_upper"]] >= 0).all().all()
    assert (c["lower"] <= c["pm25"] + 1e-9).all() and (c["pm25"] <= c["upper"] + 1e-9).all()
    sh = m.shares_
    assert sh["share"].between(0, 1).all()
    np.testing.assert_allclose(sh.groupby("station")["share"].sum().to_numpy(), 1.0, atol=1e-9)
    counties = datasets.load_beijing_stations().set_index("station")["adcode"].astype(str)
    cs = attribution_shares(c, obs, by=counties)
    assert cs["share"].between(0, 1).all()
    np.testing.assert_allclose(cs.groupby("group")["share"].sum().to_numpy(), 1.0, atol=1e-9)


def test_fireworks_peak_on_lunar_new_years_eve_2017(winter):
    _, m, _ = winter
    c = m.contributions_
    fw = c[c["category"] == "fireworks"].groupby("time")["pm25"].mean()
    eve = (fw.index > pd.Timestamp("2017-01-27 18:00", tz="Asia/Shanghai")) & (
        fw.index <= pd.Timestamp("2017-01-28 06:00", tz="Asia/Shanghai"))
    assert fw.idxmax() in fw.index[eve]
    assert fw[eve].mean() > 50 and fw[~eve].mean() < 2


def test_episode_labels_still_fire(winter):
    _, m, _ = winter
    ep = m.episodes_
    eve = ep[(ep.time > pd.Timestamp("2017-01-27 18:00", tz="Asia/Shanghai"))
             & (ep.time <= pd.Timestamp("2017-01-28 06:00", tz="Asia/Shanghai"))]
    assert eve["fireworks"].sum() > 20
    assert ep["stagnation"].sum() > 100 and ep["regional"].sum() > 100


def test_out_of_period_fires_logged_and_warned(winter):
    _, m, messages = winter
    assert "fire outside the observation period (left out)" in set(m.droplog_.summary()["reason"])
    assert any("do not overlap the observations" in msg for msg in messages)
    assert (m.source_scores_["category"] != "burning").all()
