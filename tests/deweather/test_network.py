"""Network meteorology against synthetic truth (a broken weather record) and the PRSA record."""

import numpy as np
import pandas as pd
import pytest

import geoair
from geoair.deweather import decompose, met_shifts, network_met, normalise
from geoair.testing.deweather import make_deweather_truth

FAST = dict(n_samples=60, n_folds=3, members=True, progress=False)


@pytest.fixture(scope="module")
def broken_network():
    """Three stations under one weather, constant emissions, the climate 0.8 m/s windier in the
    second year; station B's anemometer reads 0.8 m/s low from that moment (the windier
    climate hidden in its record)."""
    truth = make_deweather_truth(n_days=730, step=0.0, windier_after=0.8, freq="3h", seed=5)
    rng = np.random.default_rng(0)
    parts = []
    for name in ("A", "B", "C"):
        d = truth.data.assign(station=name)
        d["pm25"] = d["pm25"] * np.exp(rng.normal(0.0, 0.1, len(d)))
        # each station's own sensors: small independent errors
        d["temp"] = d["temp"] + rng.normal(0.0, 0.3, len(d))
        d["ws"] = (d["ws"] + rng.normal(0.0, 0.1, len(d))).clip(0.0)
        parts.append(d)
    data = pd.concat(parts, ignore_index=True)
    broken = (data["station"] == "B") & (data["time"] >= truth.step_at)
    data.loc[broken, "ws"] = (data.loc[broken, "ws"] - 0.8).clip(0.0)
    return data, truth


def test_network_met_is_the_hourly_median(broken_network):
    data, _ = broken_network
    net = network_met(data)
    hour = data["time"] == data["time"].iloc[100]
    assert net.loc[hour, "temp"].nunique() == 1
    assert net.loc[hour, "temp"].iloc[0] == pytest.approx(data.loc[hour, "temp"].median())
    assert net.loc[hour, "ws"].iloc[0] == pytest.approx(data.loc[hour, "ws"].median())
    # direction from the median of u and v: the three stations share the true direction
    assert np.allclose(net.loc[hour, "wd"], data.loc[hour, "wd"].iloc[0], atol=1.0)
    assert net.attrs["met_source"] == "network"
    assert (net["pm25"] == data["pm25"]).all() and len(net) == len(data)


def test_groups_keep_their_own_weather(broken_network):
    data, _ = broken_network
    far = data[data["station"] == "A"].assign(station="Z", city="far",
                                              temp=lambda d: d["temp"] + 20.0)
    both = pd.concat([data.assign(city="near"), far], ignore_index=True)
    net = network_met(both, group="city")
    z = net["station"] == "Z"
    assert np.allclose(net.loc[z, "temp"], far["temp"].to_numpy())
    assert net.loc[~z, "temp"].max() < far["temp"].max()
    with pytest.raises(geoair.GeoairInputError, match="city"):
        network_met(data, group="city")


def test_met_shifts_finds_the_broken_anemometer(broken_network):
    data, _ = broken_network
    s = met_shifts(data).set_index(["station", "variable"])["shift"]
    assert -0.85 < s["B", "ws"] < -0.6  # -0.8 m/s, a little less where clipped at 0
    # with three stations the median itself moves a little when one of them breaks
    assert abs(s["A", "ws"]) < 0.1 and abs(s["C", "ws"]) < 0.1
    assert max(abs(s[st, "temp"]) for st in "ABC") < 0.05


def test_network_met_removes_a_false_emission_change(broken_network):
    data, _ = broken_network
    b = data[data["station"] == "B"]
    own = decompose(normalise(b, "pm25", random_state=0, **FAST)).iloc[0]
    # with its own record, the windier climate's fall passes for an emission cut at B
    assert own["emission_change_pct"] < -15.0  # -21 % at seed 5; the truth is 0
    net = normalise(data, "pm25", met_source="network", random_state=0, **FAST)
    d = decompose(net).set_index("station").loc["B"]
    assert abs(d["emission_change_pct"]) < 4.0
    assert d["emission_change_pct_lower"] - 1.0 <= 0.0 <= d["emission_change_pct_upper"] + 1.0
    assert net.attrs["params"]["met_source"] == "network"
    with pytest.raises(geoair.GeoairInputError, match="met_source"):
        normalise(b, "pm25", met_source="airport", **FAST)


def test_prsa_gucheng_wind_record_moves_against_the_network():
    obs = geoair.datasets.load_beijing_observations()
    s = met_shifts(obs).pivot(index="station", columns="variable", values="shift")
    # Gucheng's (1012A) anemometer reads 0.6 m/s more in 2016-17 than in 2013-14 against the other
    # stations' median: the largest wind shift in the network
    assert s["ws"].idxmax() == "1012A" and s.loc["1012A", "ws"] > 0.5
    assert (s["ws"].drop("1012A").abs() < 0.4).all()
