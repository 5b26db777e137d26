"""Twin experiments: SourceAttribution against the synthetic truth of geoair.testing.

The generator disperses with Pasquill-Gifford (Martin 1976) curves while the model uses
Briggs rural ones, perturbs the prior weights by ±30 %, adds 20 % multiplicative noise and
10 % missing hours (issue 5 acceptance). Expected values are the issue's acceptance levels:
hourly R² >= 0.8 per category, mean shares within 5 percentage points, the five strongest
true sources near a station among the model's top ten. Seeds 0-3 were all checked
(seeds 0 and 2 run here); the fire duration is chosen from data (``fire_sigma_h="auto"``),
with a fixed 3-h duration burning R² fell to 0.46-0.57 for seeds 2-3 (truth: 2 h).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from geoair import GeoairInputError
from geoair.apportion import SourceAttribution
from geoair.testing import make_attribution_truth


@pytest.fixture(scope="module", params=[0, 2])
def twin(request):
    syn = make_attribution_truth(seed=request.param)
    model = SourceAttribution(n_bootstrap=100, random_state=0).fit(
        syn.obs, stations=syn.stations, sources=syn.sources, fires=syn.fires)
    merged = model.contributions_.merge(syn.contributions, on=["station", "time", "category"],
                                        suffixes=("", "_true"))
    return syn, model, merged


def _r2(est, true):
    return 1 - ((est - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()


def test_generator_is_seeded_and_honest():
    a = make_attribution_truth(seed=3, days=5)
    b = make_attribution_truth(seed=3, days=5)
    pd.testing.assert_frame_equal(a.obs, b.obs)
    miss = a.obs["pm25"].isna().mean()
    assert 0.05 < miss < 0.15
    assert a.obs["ws"].notna().mean() > 0.9  # real PRSA winds


@pytest.mark.parametrize("pollutant", ["pm25", "pm10"])
def test_twin_hourly_r2_per_category(twin, pollutant):
    _, _, m = twin
    r2 = {c: _r2(g[pollutant], g[f"{pollutant}_true"]) for c, g in m.groupby("category")}
    print(pollutant, {c: round(v, 3) for c, v in r2.items()})
    assert min(r2.values()) >= 0.8, r2


def test_twin_mean_shares_within_5pp(twin):
    syn, model, _ = twin
    true = syn.contributions.groupby("category")["pm25"].mean()
    true_share = true / true.sum()
    est = model.shares_[model.shares_.station == "all"].set_index("category")["share"]
    diff = (est.reindex(true_share.index) - true_share).abs()
    print("share error (pp):", (100 * diff).round(2).to_dict())
    assert diff.max() <= 0.05


def test_twin_top_sources(twin):
    syn, model, _ = twin
    sc = model.source_scores_
    for station, g in syn.source_truth.groupby("station"):
        top5 = g.nlargest(5, "pm25")["source_id"]
        top10 = set(sc[(sc.station == station) & (sc["rank"] <= 10)]["source_id"])
        assert top5.isin(top10).all(), (station, list(top5), sorted(top10))
    assert {"contribution", "lower", "upper", "hours_upwind", "exceedance_hours_explained"} <= set(sc.columns)
    assert (sc["lower"] <= sc["contribution"] + 1e-12).all() and (sc["contribution"] <= sc["upper"] + 1e-12).all()


def test_auto_fire_duration_picks_truth(twin):
    _, model, _ = twin
    # the generator's fires burn with a 2-h time scale; the profile residual is flat between
    # 2 and 3 h for seed 0 (picks 3) and clear for seed 2 (picks 2)
    assert model.fire_sigma_h_ in (2.0, 3.0)
    scores = model.fire_sigma_scores_
    assert scores[model.fire_sigma_h_] < min(scores[1.0], scores[6.0])


def test_twin_interval_coverage_reported(twin):
    _, model, m = twin
    cov = m.groupby("category").apply(lambda g: ((g.pm25_true >= g.lower) & (g.pm25_true <= g.upper)).mean())
    print("90% interval coverage:", cov.round(3).to_dict())
    # nominal 90 %; structural (dispersion) error makes it approximate: require 75-100 %
    assert cov.min() >= 0.75


def test_deterministic_with_random_state():
    syn = make_attribution_truth(seed=1, days=10)
    kw = dict(n_bootstrap=20, random_state=42)
    a = SourceAttribution(**kw).fit(syn.obs, stations=syn.stations, sources=syn.sources, fires=syn.fires)
    b = SourceAttribution(**kw).fit(syn.obs, stations=syn.stations, sources=syn.sources, fires=syn.fires)
    pd.testing.assert_frame_equal(a.contributions_, b.contributions_)
    assert not syn.obs.columns.difference(["station", "time", "pm25", "pm10", "so2", "no2", "co", "ws", "wd"]).size


def test_no_wind_warns_and_runs():
    syn = make_attribution_truth(seed=2, days=6)
    obs = syn.obs.drop(columns=["ws", "wd"])
    with pytest.warns(UserWarning, match="isotropic"):
        m = SourceAttribution(n_bootstrap=5, random_state=0).fit(obs, stations=syn.stations, sources=syn.sources)
    assert np.isfinite(m.contributions_["pm25"]).all()


def test_wind_field_input_equals_station_wind():
    xr = pytest.importorskip("xarray")
    syn = make_attribution_truth(seed=2, days=4)
    # a uniform field equal to the network-mean wind of each hour
    w = syn.obs.assign(u=-syn.obs.ws * np.sin(np.radians(syn.obs.wd)), v=-syn.obs.ws * np.cos(np.radians(syn.obs.wd)))
    hourly = w.groupby("time")[["u", "v"]].mean()
    t = hourly.index.tz_convert("UTC").tz_localize(None)
    lat, lon = np.array([39.0, 41.0]), np.array([115.0, 118.0])
    ds = xr.Dataset({"u10": (("time", "latitude", "longitude"), np.broadcast_to(hourly.u.to_numpy()[:, None, None], (len(t), 2, 2))),
                     "v10": (("time", "latitude", "longitude"), np.broadcast_to(hourly.v.to_numpy()[:, None, None], (len(t), 2, 2)))},
                    coords={"time": t, "latitude": lat, "longitude": lon})
    obs_uniform = syn.obs.drop(columns=["ws", "wd"]).merge(
        hourly.assign(ws=np.hypot(hourly.u, hourly.v), wd=np.degrees(np.arctan2(-hourly.u, -hourly.v)) % 360)[["ws", "wd"]],
        left_on="time", right_index=True)
    kw = dict(n_bootstrap=0, random_state=0)
    a = SourceAttribution(**kw).fit(syn.obs.drop(columns=["ws", "wd"]), stations=syn.stations, sources=syn.sources, wind=ds)
    b = SourceAttribution(**kw).fit(obs_uniform, stations=syn.stations, sources=syn.sources)
    np.testing.assert_allclose(a.exposure_.to_numpy(), b.exposure_.to_numpy(), rtol=1e-6, atol=1e-9)


def test_input_errors():
    syn = make_attribution_truth(seed=2, days=3)
    with pytest.raises(GeoairInputError, match="missing from the station table"):
        SourceAttribution(n_bootstrap=0).fit(syn.obs.assign(station="9999A"), stations=syn.stations)
    with pytest.warns(UserWarning, match="not in the station table"):
        part = SourceAttribution(n_bootstrap=0).fit(syn.obs, stations=syn.stations.iloc[:3], sources=syn.sources)
    assert part.contributions_["station"].nunique() == 3
    assert part.contributions_.attrs["droplog"].total() >= (syn.obs.station == syn.stations.station.iloc[3]).sum()
    with pytest.raises(ValueError, match="Valid options"):
        SourceAttribution(sigma="nope").fit(syn.obs, stations=syn.stations)
    bad = syn.sources.copy()
    bad.loc[0, "category"] = "cooking"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = SourceAttribution(n_bootstrap=0).fit(syn.obs, stations=syn.stations, sources=bad)
    log = m.contributions_.attrs["droplog"]
    assert "source category not modelled" in set(log.summary()["reason"])


def test_real_beijing_2019_full_run():
    from geoair import datasets

    obs = datasets.load_cnemc_observations(stations=[f"10{i:02d}A" for i in range(1, 13)],
                                           start="2019-01-28", end="2019-02-06")
    src = pd.concat([datasets.load_power_plants(), datasets.load_steel_plants()], ignore_index=True)
    with pytest.warns(UserWarning, match="No wind"):
        m = SourceAttribution(n_bootstrap=20, random_state=0).fit(
            obs, stations=datasets.load_beijing_stations(), sources=src, fires=datasets.load_firms())
    ep = m.episodes_
    eve = ep[(ep.time > pd.Timestamp("2019-02-04 18:00", tz="Asia/Shanghai"))
             & (ep.time <= pd.Timestamp("2019-02-05 06:00", tz="Asia/Shanghai"))]
    assert eve["fireworks"].sum() > 20
    fw = m.contributions_[m.contributions_.category == "fireworks"]
    night = fw.time.isin(eve.time.unique())
    assert fw.loc[night, "pm25"].mean() > fw.loc[~night, "pm25"].mean()
    s = m.summary()
    assert "not regulatory" in s["note"]
    # the bundled FIRMS week is from 2022: logged as having no effect, not silently ignored
    reasons = set(m.contributions_.attrs["droplog"].summary()["reason"])
    assert "fire outside the observation period (no effect)" in reasons


def test_pm25_only_gives_no_pm10_estimate():
    syn = make_attribution_truth(seed=4, days=5)
    m = SourceAttribution(n_bootstrap=5, random_state=0).fit(
        syn.obs[["station", "time", "pm25", "ws", "wd"]], stations=syn.stations, sources=syn.sources)
    assert m.contributions_[["pm10", "pm10_lower", "pm10_upper"]].isna().all().all()
    assert m.contributions_["pm25"].notna().all()
