"""PSCF / CWT on a small hand-built example; expected values worked out by hand from openair
2.17 trajLevel's rules (openair_algorithms.md section 2): cells = round(lon/inc)*inc, every
point counts (NA concentrations included in N), PSCF threshold = type-7 quantile over points,
PSCF weights relative to the mean occupied-cell count, CWT weights on absolute counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoair.met.trajlevel import cwt, pscf, trajectory_grid_to_geojson, trajectory_grid_to_geotiff


@pytest.fixture
def traj():
    # cell (0, 0): 8 points, cell (1, 0): 3 points, cell (2, 1): 1 point  -> mean N = 4
    lon = [0.1] * 8 + [1.2, 0.9, 1.4] + [2.0]
    lat = [0.2] * 8 + [0.1, -0.3, 0.4] + [0.6]
    z = [10, 10, 10, 10, 50, 50, np.nan, 10] + [50, 50, 10] + [50]
    return pd.DataFrame({"lon": lon, "lat": lat, "pm25": z, "hour_inc": 0})


def test_pscf_by_hand(traj):
    r = pscf(traj, "pm25", percentile=50).set_index(["xgrid", "ygrid"])
    # threshold: median of the 11 non-NA values (six 10s, five 50s) = 10; m counts z > 10
    assert r.attrs["threshold"] == 10
    assert r.loc[(0, 0), "n_exceed"] == 2 and r.loc[(0, 0), "count"] == 8  # NA counts in N
    r2 = pscf(traj, "pm25", threshold=20).set_index(["xgrid", "ygrid"])
    assert r2.loc[(0, 0), "count"] == 8 and r2.loc[(0, 0), "n_exceed"] == 2
    assert r2.loc[(1, 0), "count"] == 3 and r2.loc[(1, 0), "n_exceed"] == 2
    # mean N = 4: N = 8 -> 0.75 (n < N <= 2n), N = 3 -> 0.5, N = 1 -> 0.15
    np.testing.assert_allclose(r2["weight"], [0.75, 0.5, 0.15])
    assert r2.loc[(0, 0), "pm25"] == pytest.approx(2 / 8 * 0.75)
    assert r2.loc[(1, 0), "pm25"] == pytest.approx(2 / 3 * 0.5)
    assert r2.loc[(2, 1), "pm25"] == pytest.approx(1 * 0.15)
    # user tiers (openair issue #195): no down-weighting
    r3 = pscf(traj, "pm25", threshold=20, weights=None)
    np.testing.assert_allclose(r3["pm25"], r3["pscf_raw"])


def test_pscf_percentile_over_points(traj):
    r = pscf(traj, "pm25", percentile=25)
    assert r.attrs["threshold"] == np.quantile([10] * 6 + [50] * 5, 0.25)


def test_cwt_by_hand(traj):
    r = cwt(traj, "pm25").set_index(["xgrid", "ygrid"])
    # cell (0,0): mean of 7 values = (6*10... ) -> (10*5 + 50*2) / 7; N = 8 <= 10 -> 0.05
    assert r.loc[(0, 0), "cwt_raw"] == pytest.approx((10 * 5 + 50 * 2) / 7)
    assert r.loc[(0, 0), "weight"] == 0.05
    many = pd.concat([traj] * 10, ignore_index=True)  # N = 80, 30, 10
    r2 = cwt(many, "pm25").set_index(["xgrid", "ygrid"])
    assert list(r2["weight"]) == [0.7, 0.7, 0.05]
    assert r2.loc[(1, 0), "pm25"] == pytest.approx(110 / 3 * 0.7)


def test_half_to_even_cells():
    t = pd.DataFrame({"lon": [0.5, 1.5, 2.5], "lat": [0.0, 0.0, 0.0], "z": [1.0, 2.0, 3.0]})
    r = cwt(t, "z")
    assert list(r["xgrid"]) == [0.0, 2.0]  # R/numpy round half to even


def test_export(traj, tmp_path):
    r = pscf(traj, "pm25", threshold=20, lon_inc=1, lat_inc=1)
    gdf = trajectory_grid_to_geojson(r, tmp_path / "p.geojson")
    assert gdf.crs.to_epsg() == 4326 and len(gdf) == 3
    assert gdf.geometry.iloc[0].bounds == (-0.5, -0.5, 0.5, 0.5)
    import rasterio

    trajectory_grid_to_geotiff(r, tmp_path / "p.tif")
    with rasterio.open(tmp_path / "p.tif") as src:
        a = src.read(1)
        assert a.shape == (2, 3)
        assert a[1, 0] == pytest.approx(2 / 8 * 0.75)  # row 1 = southern row (lat 0)
        assert a[0, 2] == pytest.approx(0.15)
        assert a[0, 0] == src.nodata


def test_join_concentrations_utc():
    from geoair.met.trajlevel import join_concentrations

    traj = pd.DataFrame({"receptor": pd.Categorical(["A", "A", "B"]),
                         "date": pd.to_datetime(["2019-01-10 00:00", "2019-01-10 00:00", "2019-01-10 01:00"]),
                         "hour_inc": [0, -1, 0], "lat": [40, 41, 39], "lon": [116, 115, 117]})
    obs = pd.DataFrame({"station": ["A", "B", "B"],
                        "time": pd.to_datetime(["2019-01-10 08:00", "2019-01-10 09:00", "2019-01-10 08:00"]).tz_localize("Asia/Shanghai"),
                        "pm25": [100.0, 55.0, 7.0]})
    out = join_concentrations(traj, obs, "pm25", station="station")
    # Beijing 08:00 = 00:00 UTC
    assert out["pm25"].tolist() == [100.0, 100.0, 55.0]
    assert len(out) == len(traj)


def test_pscf_synthetic_source_experiment():
    """Synthetic truth: a receptor sees high concentrations only when the air arrives from a
    source east of it; PSCF built from computed back-trajectories must point east."""
    import xarray as xr

    from geoair.met.trajectory import back_trajectories
    from geoair.met.trajlevel import join_concentrations

    lat = np.arange(30, 50.01, 0.5)
    lon = np.arange(106, 126.01, 0.5)
    times = pd.date_range("2019-01-01", periods=24 * 40, freq="h")
    # wind direction (FROM) turns through 8 sectors, 12 h each; speed 6 m/s
    wd_from = (np.arange(times.size) // 12 % 8) * 45.0
    u = -6 * np.sin(np.deg2rad(wd_from))
    v = -6 * np.cos(np.deg2rad(wd_from))
    shape = (times.size, lat.size, lon.size)
    ds = xr.Dataset({"u10": (("time", "latitude", "longitude"), np.broadcast_to(u[:, None, None], shape).copy()),
                     "v10": (("time", "latitude", "longitude"), np.broadcast_to(v[:, None, None], shape).copy())},
                    coords={"time": times, "latitude": lat, "longitude": lon})
    arrivals = times[48::3]
    traj = back_trajectories(ds, pd.DataFrame({"station": ["R"], "lon": [116.0], "lat": [40.0]}),
                             arrivals, hours=24)
    # concentration = 100 if the trajectory passed within 1 degree of the source at (118.5E, 40N)
    near = np.hypot(traj.lon - 118.5, traj.lat - 40.0) < 1.0
    hit = traj.assign(hit=near).groupby("date")["hit"].any()
    obs = pd.DataFrame({"station": "R", "time": hit.index.tz_localize("UTC"),
                        "pm25": np.where(hit.to_numpy(), 100.0, 10.0)})
    t = join_concentrations(traj, obs, "pm25", station="station")
    r = pscf(t, "pm25", threshold=50, weights=None)
    east = r[(r.xgrid >= 118) & (r.ygrid == 40)]
    west = r[(r.xgrid <= 114) & (r.ygrid == 40)]
    assert east["pscf_raw"].min() > 0.9 and west["pscf_raw"].max() < 0.1
    c = cwt(t, "pm25", weights=None)
    assert c.loc[(c.xgrid == 119) & (c.ygrid == 40), "cwt_raw"].iloc[0] > 90


def test_user_grid_origin():
    t = pd.DataFrame({"lon": [0.1, 0.2, 0.3], "lat": [0.1, 0.1, 0.4], "z": [1.0, 2.0, 3.0]})
    r = cwt(t, "z", lon_inc=0.25, lat_inc=0.25, origin=(0.125, 0.125), weights=None)
    # centres at 0.125 + k * 0.25: 0.1 -> 0.125, 0.2 -> 0.125, 0.3 -> 0.375; lat 0.4 -> 0.375
    assert sorted(zip(r.xgrid, r.ygrid, r["count"], strict=True)) == [(0.125, 0.125, 2), (0.375, 0.375, 1)]
