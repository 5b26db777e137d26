"""SourceAttribution against synthetic truths of the twin family (geoair.testing.attribution).

The twin family's truth differs from the estimator along every axis at once by default (another
sigma family and stability rule, saturating plumes, hidden stack heights, 30 % log-normal
prior-weight error, gas signatures unlike SIGNATURES, other activity profiles, structured
regional field, 20 % noise, 10 % missing hours). These tests use a *small* member (6 stations,
14 days) so they stay fast; the thresholds are the values measured on it (seed 11, recorded in
the comments) less a margin. The acceptance levels of issue 10 are checked on the full-size
family by ``benchmarks/bench_attribution_twins.py`` (``docs/methods/attribution.md``).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from geoair import GeoairInputError
from geoair.apportion import SourceAttribution
from geoair.apportion._defaults import ATTRIBUTION_DEFAULTS
from geoair.testing import make_attribution_truth
from geoair.testing.attribution import TWIN_AXES, score_attribution

SMALL = dict(stations=["1001A", "1003A", "1004A", "1006A", "1011A", "1012A"], days=14, n_sources=60, n_fires=80)


@pytest.fixture(scope="module")
def small():
    syn = make_attribution_truth(seed=11, **SMALL)
    model = SourceAttribution(n_bootstrap=20, random_state=0).fit(syn.obs, **syn.fit_inputs())
    return syn, model, score_attribution(syn, model.contributions_, model.source_scores_)


def test_generator_is_seeded_and_honest():
    a = make_attribution_truth(seed=3, days=4, stations=["1001A", "1003A", "1005A"], n_sources=12, n_fires=10)
    b = make_attribution_truth(seed=3, days=4, stations=["1001A", "1003A", "1005A"], n_sources=12, n_fires=10)
    pd.testing.assert_frame_equal(a.obs, b.obs)
    assert 0.03 < a.obs["pm25"].isna().mean() < 0.25
    assert a.obs["ws"].notna().mean() > 0.9  # real PRSA winds
    # every station has sources around it (none clean) and the truth is recorded per source
    assert set(a.source_truth["station"]) == {"1001A", "1003A", "1005A"}
    assert a.params["sigma_family"] in ("pasquill_gifford", "briggs_urban", "powerlaw")
    assert "height" not in a.sources  # stack heights hidden from the estimator by default
    total = a.contributions.groupby(["station", "time"])["pm25"].sum()
    clean = a.obs.set_index(["station", "time"])["pm25"]
    ratio = (clean / total.reindex(clean.index)).dropna()
    assert 0.9 < ratio.mean() < 1.1  # multiplicative noise with mean one


def test_generator_axes_can_be_switched_off():
    syn = make_attribution_truth(seed=1, days=3, stations=["1001A", "1003A"], n_sources=6, n_fires=4, **TWIN_AXES)
    assert syn.params["sigma_family"] == "briggs_rural" and syn.params["c_half"] == 0.0
    assert syn.wind is None and syn.obs["pm25"].notna().all()
    assert "height" in syn.sources


def test_small_twin_recovery(small):
    syn, model, res = small
    t = res["table"]
    print(t.round(3), "recall", res["recall"])
    # measured (prior_sd 1.4, innovation-calibrated intervals, spread 0.58): R² coal 0.84, dust
    # 0.70, vehicle 0.83; share errors <= 6.1 pp; coverage dust, vehicle, burning 0.93-0.98, coal
    # 0.72 (0.74 with the constant interval_scale 0.8, 0.70 with prior_sd 1.0). Before the
    # tracer ratios were fitted with group-level weights: R² coal 0.67, coverage coal 0.77 (this
    # short twin's coal prior is 4.8 µg/m³ high; the update removes part of it, with narrower
    # intervals; docs/methods/attribution.md)
    assert t.loc["coal", "r2"] > 0.75 and t.loc["dust", "r2"] > 0.6 and t.loc["vehicle", "r2"] > 0.75
    assert t.loc[["coal", "dust", "vehicle", "regional"], "share_err_pp"].abs().max() < 8.0
    assert t.loc[["dust", "vehicle", "burning"], "coverage"].between(0.8, 1.0).all()
    assert t.loc["coal", "coverage"] > 0.7
    assert res["recall"] >= 0.8
    assert 0.3 < model.interval_spread_ < 1.5  # the prior fits better than prior_sd assumes


def test_estimator_contract(small):
    _, model, _ = small
    defaults = SourceAttribution().get_params()
    assert {k: defaults[k] for k in ATTRIBUTION_DEFAULTS} == ATTRIBUTION_DEFAULTS
    twin = clone(model).set_params(n_bootstrap=3)
    assert twin.n_bootstrap == 3 and not hasattr(twin, "contributions_")
    c = model.contributions_
    assert list(c.columns[:7]) == ["station", "time", "category", "pm25", "pm10", "lower", "upper"]
    sc = model.source_scores_
    assert {"source_id", "station", "category", "contribution", "lower", "upper", "rank"} <= set(sc.columns)
    assert (sc["lower"] <= sc["contribution"] + 1e-9).all() and (sc["contribution"] <= sc["upper"] + 1e-9).all()
    assert model.cv_scores_ and model.ridge_ in model.cv_scores_


def test_source_scores_add_up_to_category(small):
    syn, model, _ = small
    c = model.contributions_
    cat_mean = c.groupby(["station", "category"], observed=True)["pm25"].mean()
    src_sum = model.source_scores_.groupby(["station", "category"])["contribution"].sum()
    for (st, cat), v in src_sum.items():
        assert v <= cat_mean[(st, cat)] * (1 + 1e-6) + 1e-9
        if cat in ("coal", "vehicle") and cat_mean[(st, cat)] > 1:
            assert v >= 0.9 * cat_mean[(st, cat)]


def test_deterministic_with_random_state():
    syn = make_attribution_truth(seed=1, days=5, stations=["1001A", "1003A", "1005A", "1011A"], n_sources=16,
                                 n_fires=10)
    kw = dict(n_bootstrap=5, random_state=42)
    a = SourceAttribution(**kw).fit(syn.obs, **syn.fit_inputs())
    b = SourceAttribution(**kw).fit(syn.obs, **syn.fit_inputs())
    pd.testing.assert_frame_equal(a.contributions_, b.contributions_)


def test_no_wind_warns_and_runs():
    syn = make_attribution_truth(seed=2, days=4, stations=["1001A", "1003A", "1005A"], n_sources=9, n_fires=0,
                                 wind="stations")
    obs = syn.obs.drop(columns=["ws", "wd"])
    with pytest.warns(UserWarning, match="isotropic"):
        m = SourceAttribution(n_bootstrap=3, random_state=0).fit(obs, stations=syn.stations, sources=syn.sources)
    assert np.isfinite(m.contributions_["pm25"]).all() and m.wind_source_ == "none"


def test_wind_field_input_equals_station_wind():
    xr = pytest.importorskip("xarray")
    syn = make_attribution_truth(seed=2, days=3, stations=["1001A", "1003A", "1005A"], n_sources=9, n_fires=0,
                                 wind="stations")
    # network-mean wind of each hour, speeds kept away from the kernels' thresholds (0.5, 2, 3,
    # 5, 6 m/s) so that rounding cannot flip a class between the two paths
    w = syn.obs.assign(u=-syn.obs.ws * np.sin(np.radians(syn.obs.wd)), v=-syn.obs.ws * np.cos(np.radians(syn.obs.wd)))
    hourly = w.groupby("time")[["u", "v"]].mean().interpolate(limit_direction="both")
    ws = np.round(np.hypot(hourly.u, hourly.v), 1) + 0.037
    wd = np.round(np.degrees(np.arctan2(-hourly.u, -hourly.v)) % 360)
    uniform = pd.DataFrame({"ws": ws, "wd": wd}, index=hourly.index)
    u, v = -ws * np.sin(np.radians(wd)), -ws * np.cos(np.radians(wd))
    t = hourly.index.tz_convert("UTC").tz_localize(None)
    lat, lon = np.array([39.0, 41.0]), np.array([115.0, 118.0])
    shape = (len(t), 2, 2)
    ds = xr.Dataset({"u10": (("time", "latitude", "longitude"), np.broadcast_to(u.to_numpy()[:, None, None], shape)),
                     "v10": (("time", "latitude", "longitude"), np.broadcast_to(v.to_numpy()[:, None, None], shape))},
                    coords={"time": t, "latitude": lat, "longitude": lon})
    obs_uniform = syn.obs.drop(columns=["ws", "wd"]).merge(uniform, left_on="time", right_index=True)
    kw = dict(n_bootstrap=0, random_state=0)
    a = SourceAttribution(**kw).fit(syn.obs.drop(columns=["ws", "wd"]), stations=syn.stations, sources=syn.sources,
                                    wind=ds)
    b = SourceAttribution(**kw).fit(obs_uniform, stations=syn.stations, sources=syn.sources)
    np.testing.assert_allclose(a.exposure_.to_numpy(), b.exposure_.sort_index().reindex(a.exposure_.index).to_numpy(),
                               rtol=1e-5, atol=1e-6)
    assert a.wind_source_ == "field" and b.wind_source_ == "stations"


def test_input_errors():
    syn = make_attribution_truth(seed=2, days=3, stations=["1001A", "1003A", "1005A", "1011A"], n_sources=8,
                                 n_fires=0, wind="stations")
    with pytest.raises(GeoairInputError, match="missing from the station table"):
        SourceAttribution(n_bootstrap=0).fit(syn.obs.assign(station="9999A"), stations=syn.stations)
    with pytest.warns(UserWarning, match="not in the station table"):
        part = SourceAttribution(n_bootstrap=0).fit(syn.obs, stations=syn.stations.iloc[:3], sources=syn.sources)
    assert part.contributions_["station"].nunique() == 3
    assert part.droplog_.total() >= (syn.obs.station == syn.stations.station.iloc[3]).sum()
    with pytest.raises(ValueError, match="Valid options"):
        SourceAttribution(physics="nope").fit(syn.obs, stations=syn.stations)
    bad = syn.sources.copy()
    bad.loc[0, "category"] = "cooking"
    m = SourceAttribution(n_bootstrap=0).fit(syn.obs, stations=syn.stations, sources=bad)
    assert "source category not modelled" in set(m.droplog_.summary()["reason"])


def test_out_of_period_fires_and_sources_left_out_with_warning():
    syn = make_attribution_truth(seed=4, days=3, stations=["1001A", "1003A", "1005A"], n_sources=9, n_fires=6,
                                 wind="stations")
    old_fires = syn.fires.assign(time=syn.fires["time"] - pd.Timedelta(days=400))
    src = syn.sources.copy()
    src["active_to"] = pd.Timestamp("2015-01-01")
    with pytest.warns(UserWarning, match="do not overlap the observations"):
        m = SourceAttribution(n_bootstrap=0).fit(syn.obs, stations=syn.stations, sources=src, fires=old_fires)
    reasons = set(m.droplog_.summary()["reason"])
    assert {"fire outside the observation period (left out)", "source outside the observation period (left out)"} <= reasons
    assert m.source_scores_.empty


def test_pm25_only_gives_no_pm10_estimate():
    syn = make_attribution_truth(seed=4, days=3, stations=["1001A", "1003A", "1005A"], n_sources=9, n_fires=0,
                                 wind="stations")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = SourceAttribution(n_bootstrap=2, random_state=0).fit(
            syn.obs[["station", "time", "pm25", "ws", "wd"]], stations=syn.stations, sources=syn.sources)
    assert m.contributions_[["pm10", "pm10_lower", "pm10_upper"]].isna().all().all()
    assert m.contributions_["pm25"].notna().all()
