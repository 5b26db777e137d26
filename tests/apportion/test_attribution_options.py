"""Options of the attribution added after issue 10: fire lags, activity block length, the PM10
ratio uncertainty, the full-width regional interval and the innovation-calibrated intervals."""

import numpy as np
import pandas as pd
import pytest

gpd = pytest.importorskip("geopandas")

from geoair._validation import DropLog  # noqa: E402
from geoair.apportion import SourceAttribution, _assimilate, _inputs, _results  # noqa: E402
from geoair.apportion.attribution import _activity_keys  # noqa: E402
from geoair.testing import make_attribution_truth  # noqa: E402

TIMES = pd.date_range("2024-01-01 01:00", periods=48, freq="h", tz="Asia/Shanghai")


def _fire():
    return gpd.GeoDataFrame({"fire_id": ["F"], "time": [pd.Timestamp("2024-01-01 13:30", tz="Asia/Shanghai")],
                             "frp": [10.0]}, geometry=gpd.points_from_xy([116.4], [39.9]), crs="EPSG:4326")


def test_fire_lags_shift_the_burning_profile():
    tab = _inputs.source_table(None, _fire(), TIMES, ["burning"], fire_sigma_grid=(1.5,), fire_lag_grid=(0.0, 2.0),
                               log=DropLog())
    assert tab.design == ["burning@1.5h", "burning@1.5h+2h"]
    # hour labels are hour ends: the hour 13:00-14:00 (label 14:00) has its middle at 13:30
    mid = TIMES - pd.Timedelta(minutes=30)
    peaks = [mid[np.argmax(tab.activity[int(r)])] for r in tab.table["profile"]]
    assert peaks == [pd.Timestamp("2024-01-01 13:30", tz="Asia/Shanghai"),
                     pd.Timestamp("2024-01-01 15:30", tz="Asia/Shanghai")]
    lagged = tab.activity[int(tab.table["profile"].iloc[1])]
    assert lagged.max() == pytest.approx(1.0)
    # exactly the same Gaussian, two hours later
    np.testing.assert_allclose(lagged[2:], tab.activity[int(tab.table["profile"].iloc[0])][:-2], atol=1e-12)


def test_activity_block_keys():
    k3 = _activity_keys(TIMES, 3)
    k1 = _activity_keys(TIMES, 1)
    # 2024-01-01 is a Monday; the label 01:00 is the hour beginning 00:00 -> block 0
    assert k3[0] == 0 and k3[3] == 1 and k1[5] == 5
    sat = pd.date_range("2024-01-06 01:00", periods=24, freq="h", tz="Asia/Shanghai")
    assert _activity_keys(sat, 3).min() == 8 and _activity_keys(sat, 1).max() == 47
    with pytest.raises(ValueError, match="activity_block_h"):
        SourceAttribution(activity_block_h=5)._check_params()


class _State:
    """The fields of the update's state that the interval bounds read."""

    post = np.full((1, 2, 1), 5.0)
    pvar = np.full((1, 2, 1), 4.0)
    regional = np.full((1, 2), 50.0)
    regional_var = np.full((1, 2), 9.0)
    interval_factor = 1.0


def test_regional_interval_keeps_full_gaussian_width():
    State = _State
    model = SourceAttribution(interval_scale=0.5, alpha=0.1)
    lo, up, rlo, rup = _results._bounds(model, State())
    z = 1.6448536
    np.testing.assert_allclose(up - State.post, 0.5 * z * 2.0, rtol=1e-6)  # categories: scaled
    np.testing.assert_allclose(rup - 50.0, z * 3.0, rtol=1e-6)  # regional: not scaled
    np.testing.assert_allclose(50.0 - rlo, z * 3.0, rtol=1e-6)


def test_pm10_sd_sets_the_pm10_row_error_only():
    m = SourceAttribution(tracer_sd=0.5, pm10_sd=0.1)
    prior = np.ones((1, 1, 2))
    y = np.full((1, 1), 10.0)
    mask = np.ones((1, 1), bool)
    tracers = {"pm10": (np.full((1, 1), 20.0), np.array([1.0, 3.0]), None, None),
               "co": (np.full((1, 1), 1.0), np.array([0.01, 0.0]), None, None)}
    tr_reg = {k: np.zeros((1, 1)) for k in tracers}

    class Noise:
        @staticmethod
        def var(name, level):
            return np.zeros_like(np.asarray(level, float))

    _, _, var = m._observation_rows(y, mask, np.zeros((1, 1)), prior, tracers, tr_reg, Noise(), 2)
    assert var[0, 0, 1] == pytest.approx((0.1 * 4.0) ** 2)  # PM10: pm10_sd x prior PM10
    assert var[0, 0, 2] == pytest.approx((0.5 * 0.01) ** 2)  # CO: tracer_sd x prior CO


def test_split_geometry_designs_lines_and_areas_apart():
    shapely = pytest.importorskip("shapely")
    src = gpd.GeoDataFrame(
        {"source_id": ["P1", "V1", "R1", "B1"], "category": ["coal", "coal", "vehicle", "coal"],
         "kind": ["boiler", "village", "road_network", "boiler"]},
        geometry=[shapely.Point(116.4, 39.9), shapely.box(116.41, 39.91, 116.42, 39.92),
                  shapely.LineString([(116.3, 39.95), (116.5, 39.95)]), shapely.Point(116.45, 39.85)],
        crs="EPSG:4326")
    fire = _fire().assign(time=TIMES[10])
    split = _inputs.source_table(src, fire, TIMES, ["coal", "vehicle", "burning"], fire_sigma_grid=(1.5,),
                                 split_geometry=True, log=DropLog())
    # points keep their category's design; lines and areas get their own, after the points'
    assert split.design == ["coal", "coal@area", "vehicle@line", "burning@1.5h"]
    assert split.output == ["coal", "coal", "vehicle", "burning"]
    t = split.table.set_index("source_id")
    assert [split.design[i] for i in t.loc[["P1", "V1", "R1", "B1"], "design"]] == \
        ["coal", "coal@area", "vehicle@line", "coal"]
    assert split.fire_designs().tolist() == [False, False, False, True]
    joint = _inputs.source_table(src, fire, TIMES, ["coal", "vehicle", "burning"], fire_sigma_grid=(1.5,),
                                 log=DropLog())
    assert joint.design == ["coal", "vehicle", "burning@1.5h"]
    assert joint.fire_designs().tolist() == [False, False, True]
    # the village's activity row is the residential-coal profile either way
    assert (split.activity[int(t.loc["V1", "profile"])] == joint.activity[int(t.loc["V1", "profile"])]).all()


def test_innovation_spread_recovers_the_scale_of_the_innovations():
    rng = np.random.default_rng(0)
    S, T, C = 4, 600, 2
    prior = rng.uniform(1.0, 10.0, (S, T, C))
    var_prior = (0.5 * prior) ** 2
    var_obs = np.full((S, T), 4.0)
    sd = np.sqrt(var_prior.sum(axis=2) + var_obs)
    mask = np.ones((S, T), bool)
    mask[0, :100] = False
    for scale in (0.5, 1.0, 2.0):
        incr = prior.sum(axis=2) + scale * sd * rng.standard_normal((S, T))
        incr[~mask] = 1e6  # invalid hours must not count
        spread = _assimilate.innovation_spread(prior, var_prior, incr, var_obs, mask)
        assert spread == pytest.approx(scale, rel=0.08)
    assert _assimilate.innovation_spread(prior, var_prior, incr, var_obs, np.zeros_like(mask)) == 1.0


def test_innovation_factor_scales_the_category_intervals_only():
    class State(_State):
        interval_factor = 0.5

    model = SourceAttribution(interval_scale=1.3, alpha=0.1)
    lo, up, rlo, rup = _results._bounds(model, State())
    z = 1.6448536
    np.testing.assert_allclose(up - State.post, 1.3 * 0.5 * z * 2.0, rtol=1e-6)
    np.testing.assert_allclose(rup - 50.0, z * 3.0, rtol=1e-6)
    with pytest.raises(ValueError, match="interval_calibration"):
        SourceAttribution(interval_calibration="chi2")._check_params()


def test_interval_calibration_moves_the_width_not_the_estimate():
    syn = make_attribution_truth(seed=5, days=4, stations=["1001A", "1003A", "1005A", "1011A"], n_sources=16,
                                 n_fires=10)
    fits = {}
    for cal, scale in (("innovation", 1.3), ("none", 0.8)):
        m = SourceAttribution(interval_calibration=cal, interval_scale=scale, n_bootstrap=5, random_state=0)
        fits[cal] = m.fit(syn.obs, **syn.fit_inputs())
    a, b = (fits[k].contributions_ for k in ("innovation", "none"))
    np.testing.assert_allclose(a["pm25"], b["pm25"])
    spread = fits["innovation"].interval_spread_
    assert spread == pytest.approx(fits["none"].interval_spread_) and 0.1 < spread < 5.0
    local = (a["category"] != "regional") & (b["upper"] > b["pm25"] + 1e-6)
    ratio = (a["upper"] - a["pm25"])[local] / (b["upper"] - b["pm25"])[local]
    np.testing.assert_allclose(ratio, 1.3 * spread / 0.8, rtol=1e-6)
    reg = a["category"] == "regional"
    np.testing.assert_allclose(a.loc[reg, "upper"], b.loc[reg, "upper"])
