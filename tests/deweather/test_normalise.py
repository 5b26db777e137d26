"""normalise() and decompose() against synthetic truth: a known emission step under known,
changing weather (geoair.testing.deweather)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor

import geoair
from geoair.deweather import DeweatherWarning, Normaliser, PoorFitError, decompose, normalise
from geoair.testing.deweather import make_deweather_truth

FAST = dict(n_samples=60, n_folds=3, members=True, progress=False)
# mechanical tests (errors, flags, reproducibility) do not need a full-size model
LIGHT = dict(FAST, model=HistGradientBoostingRegressor(max_iter=40))


def test_emission_step_recovered_under_changing_weather(step_result, step_truth):
    d = decompose(step_result).iloc[0]
    # truth: E falls 30 %; the windier second year adds ~ -24 % of weather on top
    assert d["observed_change_pct"] < -42
    assert d["emission_change_pct"] == pytest.approx(-30.0, abs=4.0)
    # The interval is the fold models' spread (exact expectation: no Monte-Carlo term); the
    # attenuation bias when emissions and weather change at the same moment (~1 pp here) is
    # outside it by design (docs/methods/deweather.md, "What the interval includes").
    lo, hi = d["emission_change_pct_lower"], d["emission_change_pct_upper"]
    assert lo < d["emission_change_pct"] < hi and hi - lo < 4.0
    assert lo - 1.5 <= -30.0 <= hi + 1.5
    assert d["met_change_pct"] < -12 and d["met_change_pct_upper"] < 0
    # the parts add up to the observed change
    assert d["emission_change"] + d["met_change"] == pytest.approx(d["observed_change"])
    truth_level = step_truth.truth.iloc[0]
    assert d["normalised_before"] == pytest.approx(truth_level, rel=0.08)


def test_constant_emissions_give_a_flat_normalised_series(flat_result):
    d = decompose(flat_result).iloc[0]
    assert d["observed_change_pct"] < -15  # all of it weather
    assert abs(d["emission_change_pct"]) < 4.0
    assert d["emission_change_pct_lower"] <= 0.0 <= d["emission_change_pct_upper"]
    # daily normalised values: no trend, and much less variable than the observations
    r = flat_result
    assert r["normalised"].std() < 0.35 * r["observed"].std()


def test_result_columns_units_and_skill(step_result):
    r = step_result
    assert list(r.columns[:9]) == ["station", "time", "observed", "normalised", "lower",
                                   "upper", "se", "n_obs", "member_0"]
    assert isinstance(r["time"].dtype, pd.DatetimeTZDtype)
    assert len(r) == 730 and (r["n_obs"] == 24).all()
    assert (r["lower"] <= r["normalised"]).all() and (r["normalised"] <= r["upper"]).all()
    perf = r.attrs["performance"].iloc[0]
    assert perf["status"] == "ok" and perf["r2"] > 0.8 and perf["fac2"] > 0.9
    assert perf["split"].startswith("3-fold, blocks of 7D")
    assert r.attrs["params"]["sampling"] == "whole"


def test_reproducible_with_random_state(quick_truth):
    d = quick_truth.data.iloc[: 8 * 400]
    kw = dict(LIGHT, members=False, n_samples=20)
    a = normalise(d, "pm25", random_state=3, **kw)
    b = normalise(d, "pm25", random_state=3, **kw)
    c = normalise(d, "pm25", random_state=4, **kw)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["normalised"], c["normalised"])


def test_window_sampling_keeps_the_season():
    """Vu et al.'s window keeps the seasonal weather cycle; rmweather's whole record removes it."""
    syn = make_deweather_truth(n_days=730, step=0.0, windier_after=0.0, freq="3h", seed=5)
    # colder -> more pollution: the seasonal temperature cycle makes a seasonal pm25 cycle
    data = syn.data.assign(pm25=syn.data["pm25"] * np.exp(-0.04 * (syn.data["temp"] - 12)))
    kw = dict(FAST, members=False, resolution="M", history=None)
    whole = normalise(data, "pm25", **kw)
    window = normalise(data, "pm25", sampling="window", window=(15, 1), **kw)
    season = lambda r: r.groupby(r["time"].dt.month)["normalised"].mean()  # noqa: E731
    obs = data.groupby(data["time"].dt.month)["pm25"].mean()
    assert np.corrcoef(season(window), obs)[0, 1] > 0.9
    assert season(whole).std() < 0.5 * season(window).std()


def test_no_meteorology_is_flagged_and_left_out(quick_truth):
    d = quick_truth.data.iloc[: 8 * 120]
    nomet = d.assign(station="1002A", ws=np.nan, wd=np.nan, temp=np.nan, dewp=np.nan,
                     rh=np.nan, pres=np.nan, rain=np.nan)
    both = pd.concat([d, nomet], ignore_index=True)
    with pytest.warns(DeweatherWarning, match="no meteorology"):
        r = normalise(both, "pm25", **dict(LIGHT, n_samples=10))
    perf = r.attrs["performance"].set_index("station")
    assert perf.loc["1002A", "status"] == "no meteorology"
    assert perf.loc["1001A", "status"] == "ok"
    assert set(r["station"]) == {"1001A"}


def test_poor_model_is_refused(quick_truth):
    d = quick_truth.data.iloc[: 8 * 200].copy()
    d["pm25"] = np.random.default_rng(0).lognormal(3, 0.5, len(d))  # no relation to weather
    est = Normaliser(n_folds=3, n_samples=10, model=LIGHT["model"]).fit(d)
    assert est.performance_["r2"] < 0.2
    with pytest.raises(PoorFitError, match="min_r2"):
        est.normalise()
    with pytest.warns(DeweatherWarning, match="below min_r2"):
        r = normalise(d, "pm25", **dict(LIGHT, n_samples=10))
    assert r.empty and r.attrs["performance"]["status"].iloc[0] == "refused: poor fit"
    kept = Normaliser(n_folds=3, n_samples=10, min_r2=None, model=LIGHT["model"]).fit(
        d).normalise()
    assert len(kept) == 200


@pytest.mark.parametrize("bad, match", [
    (lambda d: d.drop(columns="time"), "lacks required column"),
    (lambda d: d.assign(time=d["time"].dt.tz_localize(None)), "tz-aware"),
    (lambda d: d.assign(pm25=d["pm25"].astype(str).where(d.index != 5, "n/a")), "numeric"),
    (lambda d: d.drop(columns="pm25"), "pm25"),
    ("list", "GeoairInputError"),
])
def test_bad_input_errors(quick_truth, bad, match):
    d = quick_truth.data.iloc[:200]
    if bad == "list":
        with pytest.raises(geoair.GeoairInputError, match="DataFrame"):
            normalise(d.to_dict("list"), "pm25")
        return
    with pytest.raises(geoair.GeoairInputError, match=match):
        normalise(bad(d), "pm25", progress=False)


@pytest.mark.parametrize("kw, match", [
    (dict(sampling="random"), "sampling"),
    (dict(resolution="Y"), "resolution"),
    (dict(n_samples=0), "n_samples"),
    (dict(n_folds=1), "n_folds"),
    (dict(window=(200, 0)), "window"),
    (dict(wind="polar"), "wind"),
    (dict(met=["ws", "blh"]), "blh"),
    (dict(met=["ws", "temp"]), "both ws and wd"),
    (dict(model="svm"), "Unknown model"),
])
def test_bad_options(quick_truth, kw, match):
    with pytest.raises(ValueError, match=match):
        normalise(quick_truth.data.iloc[: 8 * 60], "pm25", progress=False, **kw)


def test_too_few_data_flagged(quick_truth):
    d = quick_truth.data.iloc[: 8 * 10]
    with pytest.warns(DeweatherWarning, match="too few"):
        r = normalise(d.assign(pm25=np.where(np.arange(len(d)) < 20, d["pm25"], np.nan)),
                      "pm25", progress=False)
    assert r.attrs["performance"]["status"].iloc[0] == "too few data"


def test_decompose_needs_members_and_periods(flat_result, flat_truth):
    plain = flat_result.drop(columns=[c for c in flat_result if c.startswith("member_")])
    with pytest.raises(geoair.GeoairInputError, match="members=True"):
        decompose(plain)
    with pytest.raises(geoair.GeoairInputError, match="before/after"):
        decompose(flat_result, before=("soon", "later"))
    d = decompose(flat_result, before=("2015-01-01", "2015-12-31"),
                  after=("2016-01-01", "2016-12-30"))
    assert d["before"].iloc[0] == "2015-01-01/2015-12-31"
    assert d["n_obs_before"].iloc[0] == 365 * 24


def test_era5_wind_replaces_station_wind(quick_truth):
    import xarray as xr

    from geoair.deweather.series import _with_era5

    d = quick_truth.data.iloc[: 8 * 90]
    times = pd.date_range("2014-12-31", "2015-04-02", freq="h")  # naive UTC, as read_wind
    lat, lon = np.array([39.0, 41.0]), np.array([115.0, 118.0])
    u = np.full((times.size, 2, 2), 3.0)
    v = np.full((times.size, 2, 2), -4.0)  # blowing to the south-east: from the north-west
    wind = xr.Dataset({"u10": (("time", "latitude", "longitude"), u),
                       "v10": (("time", "latitude", "longitude"), v)},
                      coords={"time": times, "latitude": lat, "longitude": lon})
    st = pd.DataFrame({"station": ["1001A"], "lon": [116.4], "lat": [39.9]})
    out = _with_era5(d, wind, st)
    assert np.allclose(out["ws"], 5.0) and np.allclose(out["wd"], np.degrees(np.arctan2(-3, 4)) % 360)
    with pytest.raises(geoair.GeoairInputError, match="coordinates"):
        normalise(d, "pm25", era5=wind)
    with pytest.raises(geoair.GeoairInputError, match="without coordinates"):
        _with_era5(d, wind, st.assign(station="1002A"))


def test_droplog_counts_every_unused_row(quick_truth):
    d = quick_truth.data.iloc[: 8 * 120].copy()
    d.loc[3, "time"] = pd.NaT
    d = pd.concat([d, d.iloc[[10, 11]]], ignore_index=True)  # duplicate station-hours
    nomet = d.iloc[:48].assign(station="1002A", ws=np.nan, wd=np.nan, temp=np.nan, dewp=np.nan,
                               rh=np.nan, pres=np.nan, rain=np.nan)
    d = pd.concat([d, nomet], ignore_index=True)
    with pytest.warns(DeweatherWarning):
        r = normalise(d, "pm25", **dict(LIGHT, n_samples=10))
    frame = r.attrs["droplog"].to_frame()
    reasons = frame.groupby("reason")["row"].apply(sorted)
    assert reasons["no time: row not used"] == [3]
    assert reasons["duplicate time within the station: later row not used"] == [960, 961]
    left = [k for k in reasons.index if "left out" in k]
    assert reasons[left[0]] == list(range(962, 1010))
