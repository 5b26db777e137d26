"""geoair.met.wind: u/v <-> ws/wd (standards.md §6 vectors), calm policy, vector mean, sampling."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from geoair.met.wind import sample_wind, uv_to_wswd, vector_mean, wswd_to_uv

# (u, v) -> (ws, wd): standards.md §6 (ECMWF formula; MetPy docs example (10, 10) -> 225;
# MetPy reports 360 for a north wind, geoair folds it to 0).
VECTORS = [
    (10.0, 10.0, np.hypot(10, 10), 225.0),
    (0.0, -10.0, 10.0, 0.0),
    (-10.0, 0.0, 10.0, 90.0),
    (10.0, 0.0, 10.0, 270.0),
    (0.0, 10.0, 10.0, 180.0),
    (-3.0, 4.0, 5.0, 143.13010235415598),
]


@pytest.mark.parametrize(("u", "v", "ws", "wd"), VECTORS)
def test_uv_to_wswd_standard_vectors(u, v, ws, wd):
    got_ws, got_wd = uv_to_wswd(u, v)
    assert got_ws == pytest.approx(ws, abs=1e-12)
    assert got_wd == pytest.approx(wd, abs=1e-9)
    back_u, back_v = wswd_to_uv(ws, wd)
    assert back_u == pytest.approx(u, abs=1e-9)
    assert back_v == pytest.approx(v, abs=1e-9)


def test_vectorised_and_calm_policy():
    u = np.array([10.0, 0.0, 0.0, np.nan])
    v = np.array([10.0, 0.0, -1e-12, 1.0])
    ws, wd = uv_to_wswd(u, v)
    assert ws[1] == 0 and np.isnan(wd[1])  # calm: direction undefined -> NaN, not 0 (north)
    assert wd[2] == 0.0  # a tiny north wind is still north, never 360
    assert np.isnan(ws[3]) and np.isnan(wd[3])
    # calm back to components: zero vector, not NaN
    assert wswd_to_uv(0.0, np.nan) == (0.0, 0.0)
    assert np.isnan(wswd_to_uv(3.0, np.nan)[0])


def test_round_trip_random():
    rng = np.random.default_rng(0)
    ws = rng.uniform(0.1, 30, 1000)
    wd = rng.uniform(0, 360, 1000)
    ws2, wd2 = uv_to_wswd(*wswd_to_uv(ws, wd))
    np.testing.assert_allclose(ws2, ws, rtol=1e-12)
    diff = (wd2 - wd + 180) % 360 - 180
    assert np.abs(diff).max() < 1e-9


def test_vector_mean():
    # opposite winds cancel (scalar mean of directions would give 180, nonsense)
    ws, wd = vector_mean([5, 5], [0, 180])
    assert ws == pytest.approx(0, abs=1e-12)
    # north-east and north-west average to north, speed 5*cos(45°)
    ws, wd = vector_mean([5, 5], [45, 315])
    assert wd == pytest.approx(0, abs=1e-9) or wd == pytest.approx(360, abs=1e-9)
    assert ws == pytest.approx(5 * np.cos(np.radians(45)))
    # weights and NaNs
    ws, wd = vector_mean([2, 4, np.nan], [90, 90, 10], weights=[1, 3, 1])
    assert (ws, wd) == (pytest.approx(3.5), pytest.approx(90))
    assert all(np.isnan(vector_mean([np.nan], [np.nan])))


def _field():
    # linear in lon, lat and time -> bilinear/linear interpolation must be exact
    lon = np.array([110.0, 110.5, 111.0, 112.0])
    lat = np.array([30.0, 31.0, 32.0])
    time = pd.date_range("2021-07-20 00:00", periods=3, freq="3h").values
    T, Y, X = np.meshgrid(np.arange(3) * 3.0, lat, lon, indexing="ij")
    u = 2 * X - 3 * Y + 0.5 * T
    v = -X + Y - T
    return xr.Dataset(
        {"u10": (("time", "latitude", "longitude"), u), "v10": (("time", "latitude", "longitude"), v)},
        coords={"time": time, "latitude": lat, "longitude": lon},
    )


def test_sample_wind_exact_on_linear_field():
    ds = _field()
    rng = np.random.default_rng(1)
    lon = rng.uniform(110, 112, 500)
    lat = rng.uniform(30, 32, 500)
    hours = rng.uniform(0, 6, 500)
    # tz-aware Beijing times: 08:00 Beijing = 00:00 UTC
    t = pd.Timestamp("2021-07-20 08:00", tz="Asia/Shanghai") + pd.to_timedelta(hours, unit="h")
    u, v = sample_wind(ds, lon, lat, t)
    np.testing.assert_allclose(u, 2 * lon - 3 * lat + 0.5 * hours, atol=1e-9)
    np.testing.assert_allclose(v, -lon + lat - hours, atol=1e-9)


def test_sample_wind_outside_is_nan_and_broadcast():
    ds = _field()
    u, v = sample_wind(ds, [109.9, 111, 111, 111], [31, 32.1, 31, 31], np.array(
        ["2021-07-20T03:00", "2021-07-20T03:00", "2021-07-20T07:00", "2021-07-19T23:00"], dtype="datetime64[ns]"))
    assert np.isnan(u[[0, 1, 2, 3]]).all() and np.isnan(v).all()
    u, _ = sample_wind(ds, np.array([[110.0, 112.0]]), 30.0, np.datetime64("2021-07-20T00:00"))
    assert u.shape == (1, 2)
    np.testing.assert_allclose(u, [[2 * 110 - 90, 2 * 112 - 90]])


def test_sample_wind_single_time_is_steady():
    ds = _field().isel(time=[1])
    u, _ = sample_wind(ds, 111.0, 31.0, pd.Timestamp("2030-01-01", tz="UTC"))
    assert float(u) == pytest.approx(2 * 111 - 3 * 31 + 0.5 * 3)


def test_sample_wind_empty():
    u, v = sample_wind(_field(), [], [], np.array([], dtype="datetime64[ns]"))
    assert u.shape == (0,) and v.shape == (0,)
