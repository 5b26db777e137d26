"""estimate() and loo() on synthetic truth; polygons, CRS, IDW and input errors."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from surface_synth import TRUTH, make_case

from geoair import GeoairInputError
from geoair.hotspot import GRID_CRS
from geoair.surface import Variogram, estimate, loo, loo_summary


def test_known_field_coverage_and_range(case):
    """Held-out points of a known Gaussian field: 90 % intervals cover about 90 %."""
    values, stations, test, truth = case
    est = estimate(values, stations, test, model="exponential")
    wide = est.pivot(index="date", columns="id", values="estimate").to_numpy()
    lo = est.pivot(index="date", columns="id", values="lower").to_numpy()
    hi = est.pivot(index="date", columns="id", values="upper").to_numpy()
    cover = np.mean((truth >= lo) & (truth <= hi))
    assert 0.84 <= cover <= 0.96
    r = np.corrcoef(np.log(wide).ravel(), np.log(truth).ravel())[0, 1]
    assert r > 0.8
    vg = est.attrs["variogram"]
    # the pooled, standardised fit recovers the generator's length scale within a factor of 2
    assert 0.5 * TRUTH["len_scale"] < vg.model_.len_scale < 2.0 * TRUTH["len_scale"]
    assert est.attrs["params"]["support"] == "point"


def test_loo_columns_summary_and_kriging_beats_idw(case):
    values, stations, _, _ = case
    cv = loo(values, stations)
    assert list(cv.columns) == ["station", "date", "observed", "estimate", "lower", "upper", "method"]
    assert len(cv) == 2 * len(values)
    s = cv.attrs["summary"].set_index("method")
    assert list(s.columns) == ["n", "r2", "r2_log", "r2_within_day", "rmse", "mae", "bias",
                               "coverage", "interval_width"]
    assert s.loc["kriging", "rmse"] < s.loc["idw", "rmse"]
    assert 0.82 <= s.loc["kriging", "coverage"] <= 0.96
    pd.testing.assert_frame_equal(loo_summary(cv), cv.attrs["summary"], check_frame_type=False)
    buffered = loo(values, stations, methods=["kriging"], buffer=30_000.0).attrs["summary"]
    assert buffered.loc[0, "rmse"] > s.loc["kriging", "rmse"]


def test_polygon_block_mean_equals_dense_point_average(case):
    values, stations, _, _ = case
    one_day = values[values["date"] == values["date"].min()]
    x0, y0 = 1.10e6, 4.10e6
    poly = gpd.GeoDataFrame({"adcode": ["A"]}, geometry=[box(x0, y0, x0 + 40_000, y0 + 30_000)],
                            crs=GRID_CRS)
    blk = estimate(one_day, stations, poly, spacing=2000.0)
    xs, ys = np.meshgrid(np.arange(x0 + 1000, x0 + 40_000, 2000.0), np.arange(y0 + 1000, y0 + 30_000, 2000.0))
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=GRID_CRS)
    pt = estimate(one_day, stations, pts, observed_radius=0.0)
    # the block mean is the mean of the points' expected values of the smooth field (no nugget)
    nug = blk.attrs["variogram"].model_.nugget * blk.attrs["variogram"].scale_[0]
    expected = np.mean(pt["estimate"] * np.exp(-nug / 2))
    assert blk.loc[0, "estimate"] == pytest.approx(expected, rel=1e-3)
    # averaging shrinks the uncertainty: the block interval is narrower than a point's
    assert blk.loc[0, "se"] < pt["se"].min()
    assert blk.loc[0, "lower"] < blk.loc[0, "estimate"] < blk.loc[0, "upper"]
    inside = stations.geometry.within(poly.geometry.iloc[0])
    day_st = set(one_day["station"])
    assert bool(blk.loc[0, "observed"]) == bool(stations.loc[inside, "station"].isin(day_st).any())


def test_observed_flag_and_station_counts(case):
    values, stations, _, _ = case
    day = values[values["date"] == values["date"].min()]
    s0 = stations[stations["station"] == day["station"].iloc[0]]
    far = gpd.GeoDataFrame(geometry=gpd.points_from_xy([-5e5], [9e6]), crs=GRID_CRS)
    at = gpd.GeoDataFrame({"id": ["on", "far"]},
                          geometry=[s0.geometry.iloc[0], far.geometry.iloc[0]], crs=GRID_CRS)
    est = estimate(day, stations, at).set_index("id")
    assert est.loc["on", "observed"] and not est.loc["far", "observed"]
    assert est.loc["on", "n_stations"] > est.loc["far", "n_stations"]
    # extrapolation far away: a wide interval
    assert est.loc["far", "upper"] / est.loc["far", "lower"] > est.loc["on", "upper"] / est.loc["on", "lower"]


def test_crs_of_inputs_does_not_matter(case):
    values, stations, test, _ = case
    day = values[values["date"] == values["date"].min()]
    a = estimate(day, stations, test.iloc[:20])
    b = estimate(day, stations.to_crs("EPSG:4326"), test.iloc[:20].to_crs("EPSG:3857"))
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-3)  # mm-level reprojection
    np.testing.assert_allclose(a["upper"], b["upper"], rtol=1e-3)


def test_idw_baseline_sanity():
    xy = np.array([[0.0, 0.0], [10_000.0, 0.0], [0.0, 10_000.0], [10_000.0, 10_000.0]] * 3)
    xy[4:] += np.repeat(np.array([[50_000.0, 0.0], [0.0, 50_000.0]]), 4, axis=0)
    codes = [f"S{i}" for i in range(len(xy))]
    st = gpd.GeoDataFrame({"station": codes}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                          crs=GRID_CRS)
    v = np.linspace(20, 80, len(xy))
    values = pd.DataFrame({"station": codes, "date": "d1", "value": v})
    at = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0.0, 5_000.0], [0.0, 5_000.0]), crs=GRID_CRS)
    est = estimate(values, st, at, method="idw", min_stations=3)
    assert est.loc[0, "estimate"] == pytest.approx(v[0])  # on a station: its value
    d = np.hypot(xy[:, 0] - 5_000.0, xy[:, 1] - 5_000.0)
    assert est.loc[1, "estimate"] == pytest.approx(np.sum(v / d**2) / np.sum(1 / d**2))
    const = values.assign(value=42.0)
    flat = estimate(const, st, at, method="idw", min_stations=3)
    np.testing.assert_allclose(flat["estimate"], 42.0)


def test_daily_variogram_option_and_variogram_instance(case):
    values, stations, test, _ = case
    daily = estimate(values, stations, test.iloc[:10], variogram="daily")
    assert daily.attrs["params"]["variogram"]["pooling"] == "daily"
    custom = estimate(values, stations, test.iloc[:10], variogram=Variogram(model="spherical", n_bins=12))
    assert custom.attrs["params"]["variogram"]["model"] == "spherical"
    assert np.isfinite(daily["estimate"]).all() and np.isfinite(custom["estimate"]).all()


def test_covariate_drift_recovers_a_known_term():
    """Log field plus a known short-wavelength term: external drift lowers the LOO error."""
    values, stations, _, _ = make_case(n_stations=100, n_days=3, seed=4)

    def wave(x, y):
        return np.sin(2 * np.pi * x / 40_000.0)

    xy = np.column_stack([stations.geometry.x, stations.geometry.y])
    factor = dict(zip(stations["station"], np.exp(0.6 * wave(xy[:, 0], xy[:, 1])), strict=True))
    boosted = values.assign(value=values["value"] * values["station"].map(factor))
    plain = loo(boosted, stations, methods=["kriging"]).attrs["summary"]
    drift = loo(boosted, stations, methods=["kriging"], covariates={"wave": wave}).attrs["summary"]
    assert drift.loc[0, "rmse"] < 0.9 * plain.loc[0, "rmse"]


def test_source_density_kernel():
    from geoair.surface import source_density

    src = gpd.GeoDataFrame({"weight": [2.0, 1.0]},
                           geometry=gpd.points_from_xy([0.0, 10_000.0], [0.0, 0.0]), crs=GRID_CRS)
    xy = np.array([[0.0, 0.0], [1e6, 0.0]])
    dens = source_density(src, xy, crs=GRID_CRS, bandwidth=10_000.0)
    assert dens[0] == pytest.approx(2.0 + np.exp(-0.5))
    assert dens[1] == 0.0


def test_droplog_counts_unusable_rows(case):
    values, stations, test, _ = case
    bad = pd.concat([values, pd.DataFrame({"station": ["NOPE", "S0001", "S0002"],
                                           "date": [values["date"].iloc[0]] * 2 + [pd.Timestamp("2020-01-01")],
                                           "value": [10.0, np.nan, -1.0]})], ignore_index=True)
    bad = bad.drop_duplicates(["station", "date"], keep="last")
    est = estimate(bad, stations, test.iloc[:5])
    log = est.attrs["droplog"].summary()
    reasons = set(log["reason"])
    assert "station not in the station layer" in reasons
    assert "value <= 0 cannot be log-transformed" in reasons


@pytest.mark.parametrize("mutate, match", [
    (lambda v, s, a: (v.drop(columns="value"), s, a), "lacks required column"),
    (lambda v, s, a: (v.assign(value=v["value"].astype(object).where(v.index != 3, "x")), s, a),
     "must be numbers"),
    (lambda v, s, a: (pd.concat([v, v.iloc[:1]]), s, a), "More than one value"),
    (lambda v, s, a: (v, s.set_crs(None, allow_override=True), a), "no CRS"),
    (lambda v, s, a: (v, s, pd.DataFrame({"x": [1]})), "GeoDataFrame"),
    (lambda v, s, a: (v, s, pd.concat([a.iloc[:2], gpd.GeoDataFrame(
        geometry=[box(0, 0, 1, 1)], crs=a.crs)])), "all points or all"),
])
def test_bad_input_errors(case, mutate, match):
    values, stations, test, _ = case
    v, s, a = mutate(values, stations, test.iloc[:5])
    with pytest.raises(GeoairInputError, match=match):
        estimate(v, s, a)


def test_bad_options():
    values, stations, test, _ = make_case(n_stations=30, n_days=1, n_test=3)
    with pytest.raises(ValueError, match="Valid options"):
        estimate(values, stations, test, method="spline")
    with pytest.raises(GeoairInputError, match="level"):
        estimate(values, stations, test, level=1.5)


def test_empty_values_give_empty_result(case):
    _, stations, test, _ = case
    empty = pd.DataFrame({"station": pd.Series(dtype=str), "date": pd.Series(dtype="datetime64[ns]"),
                          "value": pd.Series(dtype=float)})
    out = estimate(empty, stations, test)
    assert out.empty and {"id", "date", "estimate", "lower", "upper", "observed"} <= set(out.columns)
