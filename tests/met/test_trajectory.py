"""Tests for geoair.met.trajectory against analytic wind fields (exact paths known in closed form).

- uniform zonal wind u = U: latitude constant, lon(t) = lon0 + U t / (R cos lat0) (R = 6371 km);
- rigid rotation in the (lon, lat) plane about (115E, 0N) with period 48 h, i.e.
  u = -omega R (lat - lat_c) cos(lat), v = omega R (lon - lon_c) (angles in radians): the
  trajectory is a circle, position = rotation of the receptor by omega * t;
- solid-body rotation of the atmosphere about the Earth's axis, u = omega R cos(lat):
  lon(t) = lon0 + omega t, lat constant.
Tolerance 1 % of the distance travelled (acceptance of issue 4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from geoair.met.trajectory import back_trajectories

R = 6371000.0
LAT = np.arange(-20, 20.01, 0.25)
LON = np.arange(95, 135.01, 0.25)
TIMES = pd.date_range("2020-01-01", periods=97, freq="h")


def _field(u, v, blh=None):
    shape = (TIMES.size, LAT.size, LON.size)
    data = {"u10": (("time", "latitude", "longitude"), np.broadcast_to(u, shape).copy()),
            "v10": (("time", "latitude", "longitude"), np.broadcast_to(v, shape).copy())}
    if blh is not None:
        data["blh"] = (("time", "latitude", "longitude"), np.broadcast_to(blh, shape).copy())
    return xr.Dataset(data, coords={"time": TIMES, "latitude": LAT, "longitude": LON})


def test_uniform_wind():
    U = 5.0
    ds = _field(np.full((LAT.size, LON.size), U), np.zeros((LAT.size, LON.size)))
    rec = pd.DataFrame({"station": ["A", "B"], "lon": [125.0, 120.0], "lat": [10.0, -5.0]})
    tr = back_trajectories(ds, rec, [TIMES[-1]], hours=72)
    assert len(tr) == 2 * 73
    for _, r in rec.iterrows():
        sub = tr[tr.receptor == r.station]
        expect = r.lon - np.rad2deg(U * (-sub.hour_inc.to_numpy()) * 3600 / (R * np.cos(np.deg2rad(r.lat))))
        travelled = np.abs(expect[-1] - r.lon)
        assert np.max(np.abs(sub.lon.to_numpy() - expect)) < 0.01 * travelled
        np.testing.assert_allclose(sub.lat, r.lat, atol=1e-9)


def test_rotation_circle():
    om = 2 * np.pi / (48 * 3600)
    la, lo = np.meshgrid(np.deg2rad(LAT), np.deg2rad(LON - 115), indexing="ij")
    ds = _field(-om * R * la * np.cos(la), om * R * lo)
    rec = pd.DataFrame({"lon": [118.0, 115.0], "lat": [0.0, 4.0]})
    tr = back_trajectories(ds, rec, [TIMES[-1]], hours=72)
    for k, r in rec.iterrows():
        sub = tr[tr.receptor == str(k)]
        ang = om * sub.hour_inc.to_numpy() * 3600
        x0, y0 = r.lon - 115, r.lat
        ex_lon = 115 + x0 * np.cos(ang) - y0 * np.sin(ang)
        ex_lat = x0 * np.sin(ang) + y0 * np.cos(ang)
        err = np.hypot(sub.lon.to_numpy() - ex_lon, sub.lat.to_numpy() - ex_lat)
        radius = np.hypot(x0, y0)  # 1.5 revolutions of this radius are travelled
        assert err.max() < 0.01 * radius


def test_solid_body_rotation_about_axis_and_blh():
    om = 2 * np.pi / (20 * 86400)  # 18 degrees of longitude per day
    la = np.deg2rad(LAT)[:, None] * np.ones((1, LON.size))
    ds = _field(om * R * np.cos(la), np.zeros_like(la), blh=np.full(la.shape, 800.0))
    rec = pd.DataFrame({"lon": [133.0], "lat": [15.0]})
    tr = back_trajectories(ds, rec, TIMES[[-1, -2]], hours=48)
    sub = tr[tr.date == TIMES[-1]]
    expect = 133 + np.rad2deg(om * sub.hour_inc.to_numpy() * 3600)
    assert np.max(np.abs(sub.lon - expect)) < 0.01 * 36
    assert (sub.blh == 800).all()
    assert (sub.time == TIMES[-1] + pd.to_timedelta(sub.hour_inc, unit="h")).all()


def test_leaving_field_gives_nan_and_forward():
    ds = _field(np.full((LAT.size, LON.size), 20.0), np.zeros((LAT.size, LON.size)))
    rec = pd.DataFrame({"lon": [97.0], "lat": [0.0]})
    tr = back_trajectories(ds, rec, [TIMES[-1]], hours=24)
    assert tr.lon.iloc[0] == 97.0 and tr.lon.isna().iloc[-1]
    fw = back_trajectories(ds, rec, [TIMES[0]], hours=10, forward=True)
    assert fw.hour_inc.iloc[-1] == 10 and fw.lon.iloc[-1] > 97.0


def test_bad_input():
    ds = _field(np.zeros((LAT.size, LON.size)), np.zeros((LAT.size, LON.size)))
    with pytest.raises(ValueError, match="lon"):
        back_trajectories(ds, pd.DataFrame({"x": [1]}), [TIMES[-1]])
    with pytest.raises(ValueError, match="u10"):
        back_trajectories(ds.drop_vars("u10"), pd.DataFrame({"lon": [1], "lat": [1]}), [TIMES[-1]])


def test_first_step_matches_sample_wind_heun():
    """One Heun step by hand with geoair.met.wind.sample_wind (independent interpolation code)."""
    from geoair.met.wind import sample_wind

    rng = np.random.default_rng(2)
    la, lo = np.meshgrid(np.deg2rad(LAT), np.deg2rad(LON), indexing="ij")
    th = np.arange(TIMES.size)[:, None, None]
    u = 5 + 3 * np.sin(3 * lo + th / 7.0) + rng.normal(0, 0.5, (TIMES.size,) + la.shape)
    v = 2 * np.cos(2 * la - th / 5.0) + rng.normal(0, 0.5, (TIMES.size,) + la.shape)
    ds = xr.Dataset({"u10": (("time", "latitude", "longitude"), u),
                     "v10": (("time", "latitude", "longitude"), v)},
                    coords={"time": TIMES, "latitude": LAT, "longitude": LON})
    lon0, lat0, t0 = 117.3, 3.7, TIMES[50] + pd.Timedelta("20min")
    tr = back_trajectories(ds, pd.DataFrame({"lon": [lon0], "lat": [lat0]}), [t0], hours=1,
                           steps_per_hour=1)
    k = 3600 / R * 180 / np.pi
    ua, va = sample_wind(ds, lon0, lat0, t0)
    plon = lon0 - ua * k / np.cos(np.deg2rad(lat0))
    plat = lat0 - va * k
    ub, vb = sample_wind(ds, plon, plat, t0 - pd.Timedelta("1h"))
    elon = lon0 - 0.5 * k * (ua / np.cos(np.deg2rad(lat0)) + ub / np.cos(np.deg2rad(plat)))
    elat = lat0 - 0.5 * k * (va + vb)
    assert tr.lon.iloc[1] == pytest.approx(float(elon), abs=1e-9)
    assert tr.lat.iloc[1] == pytest.approx(float(elat), abs=1e-9)


def test_steady_single_time_field():
    ds = _field(np.full((LAT.size, LON.size), 5.0), np.zeros((LAT.size, LON.size))).isel(time=[0])
    tr = back_trajectories(ds, pd.DataFrame({"lon": [120.0], "lat": [0.0]}), [TIMES[10]], hours=6)
    assert tr.lon.notna().all()
    assert tr.lon.iloc[-1] == pytest.approx(120 - np.rad2deg(5 * 6 * 3600 / R), rel=1e-9)
