"""geoair.io.era5: ERA5 NetCDF (new and legacy CDS layouts) and station-wind IDW fields.

Spot values: ../shared/data/era5_wind/SOURCE.md (near Zhengzhou 34.75N 113.75E, 925 hPa,
2021-07-20 03 UTC: u = -12.8, v = 7.9 m/s; 925 hPa maximum speed 38.1 m/s at 26.0N 130.25E).
"""


import numpy as np
import pandas as pd
import pytest
import xarray as xr
from _shared_data import SHARED_DATA

from geoair import GeoairInputError, get_droplog
from geoair.io.era5 import read_wind, wind_from_stations
from geoair.met.wind import sample_wind, uv_to_wswd

ERA5 = SHARED_DATA / "era5_wind"  # ../shared/data (tests marked shared_data: skipped when absent)
PL = ERA5 / "era5_pl_uvw_20210720T03_eastasia.nc"
SL = ERA5 / "era5_sl_u10v10_20251109T01_maritime_continent.nc"


def _layout_ok(ds):
    assert ds["u10"].dims == ("time", "latitude", "longitude")
    assert np.all(np.diff(ds["latitude"].values) > 0)
    lon = ds["longitude"].values
    assert np.all(np.diff(lon) > 0) and lon.min() >= -180 and lon.max() < 180
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    assert ds["u10"].attrs["units"] == "m/s" and ds["v10"].attrs["units"] == "m/s"
    assert "number" not in ds.coords and "expver" not in ds.coords


@pytest.mark.shared_data("era5_wind")
def test_pressure_level_file_spot_values():
    ds = read_wind(PL, level=925)
    _layout_ok(ds)
    assert ds.sizes == {"time": 1, "latitude": 201, "longitude": 321}
    assert ds["time"].values[0] == np.datetime64("2021-07-20T03:00")
    pt = ds.sel(latitude=34.75, longitude=113.75).isel(time=0)
    assert float(pt["u10"]) == pytest.approx(-12.8, abs=0.05)
    assert float(pt["v10"]) == pytest.approx(7.9, abs=0.05)
    ws = np.hypot(ds["u10"], ds["v10"])
    assert float(ws.max()) == pytest.approx(38.1, abs=0.05)
    _, iy, ix = np.unravel_index(int(np.argmax(ws.values)), ws.shape)
    assert float(ds["latitude"][iy]) == 26.0 and float(ds["longitude"][ix]) == 130.25
    assert float(ws.mean()) == pytest.approx(6.2, abs=0.05)
    # the same point sampled with a Beijing-time timestamp
    u, v = sample_wind(ds, 113.75, 34.75, pd.Timestamp("2021-07-20 11:00", tz="Asia/Shanghai"))
    assert float(u) == pytest.approx(float(pt["u10"])) and float(v) == pytest.approx(float(pt["v10"]))


@pytest.mark.shared_data("era5_wind")
def test_pressure_level_needs_a_level():
    with pytest.raises(GeoairInputError, match="several pressure levels") as err:
        read_wind(PL)
    assert "925.0" in str(err.value)
    with pytest.raises(GeoairInputError, match="not in the wind file"):
        read_wind(PL, level=700)
    assert read_wind(PL, level=500)["u10"].attrs["level_hPa"] == 500


@pytest.mark.shared_data("era5_wind")
def test_single_level_file():
    ds = read_wind(SL)
    _layout_ok(ds)
    assert ds.sizes == {"time": 1, "latitude": 89, "longitude": 185}
    assert float(ds["latitude"][0]) == -11.0 and float(ds["longitude"][-1]) == 141.0
    raw = xr.open_dataset(SL)
    # values unchanged, only re-ordered (latitude flipped)
    np.testing.assert_allclose(
        ds["u10"].isel(time=0).values, raw["u10"].isel(valid_time=0).values[::-1, :], rtol=1e-6
    )


def test_legacy_layout_packed_int16_0_360(tmp_path):
    lon = np.arange(0, 360, 30.0)
    lat = np.array([60.0, 30.0, 0.0, -30.0])
    time = pd.date_range("2019-01-01", periods=2, freq="h")
    rng = np.random.default_rng(2)
    u = rng.uniform(-20, 20, (2, 2, lat.size, lon.size))
    v = rng.uniform(-20, 20, (2, 2, lat.size, lon.size))
    scale, offset = 0.001, 0.0
    ds = xr.Dataset(
        {
            "u": (("time", "level", "latitude", "longitude"), u),
            "v": (("time", "level", "latitude", "longitude"), v),
        },
        coords={"time": time, "level": np.array([850, 925], dtype="int32"), "latitude": lat, "longitude": lon},
    )
    enc = {k: {"dtype": "int16", "scale_factor": scale, "add_offset": offset, "_FillValue": -32767} for k in ("u", "v")}
    path = tmp_path / "legacy.nc"
    ds.to_netcdf(path, encoding=enc, format="NETCDF3_64BIT")
    with xr.open_dataset(path, mask_and_scale=False) as raw:
        assert raw["u"].dtype == np.int16  # really packed on disk

    out = read_wind(path, level=925)
    _layout_ok(out)
    assert out["longitude"].values.tolist() == [-180, -150, -120, -90, -60, -30, 0, 30, 60, 90, 120, 150]
    assert out["latitude"].values.tolist() == [-30, 0, 30, 60]
    # 210E (= -150) at 60N, second time, level 925 (index 1)
    got = float(out["u10"].sel(time=time[1], latitude=60, longitude=-150))
    assert got == pytest.approx(u[1, 1, 0, 7], abs=scale)


def test_expver_dimension_and_blh():
    # legacy ERA5/ERA5T mix: expver dimension (1 = ERA5, 5 = ERA5T), NaN where the other holds data
    time = pd.date_range("2020-01-01", periods=2, freq="h")
    u = np.full((2, 2, 2, 2), np.nan)
    u[0, 0] = 1.0  # ERA5 has the first hour
    u[1, 1] = 2.0  # ERA5T the second
    ds = xr.Dataset(
        {"u10": (("time", "expver", "latitude", "longitude"), u),
         "v10": (("time", "expver", "latitude", "longitude"), u * 0),
         "blh": (("time", "expver", "latitude", "longitude"), u * 100)},
        coords={"time": time, "expver": [1, 5], "latitude": [40.0, 39.75], "longitude": [116.0, 116.25]},
    )
    out = read_wind(ds)
    _layout_ok(out)
    np.testing.assert_allclose(out["u10"].isel(time=0), 1.0)
    np.testing.assert_allclose(out["u10"].isel(time=1), 2.0)
    assert out["blh"].attrs["units"] == "m" and float(out["blh"].max()) == 200.0


def test_bad_inputs(tmp_path):
    bad = tmp_path / "notnc.nc"
    bad.write_text("hello")
    with pytest.raises(GeoairInputError, match="Cannot read the wind file as NetCDF"):
        read_wind(bad)
    with pytest.raises(GeoairInputError, match="does not exist"):
        read_wind(tmp_path / "missing.nc")
    ds = xr.Dataset({"t2m": (("time", "latitude", "longitude"), np.zeros((1, 2, 2)))},
                    coords={"time": [np.datetime64("2020-01-01")], "latitude": [0.0, 1.0], "longitude": [0.0, 1.0]})
    with pytest.raises(GeoairInputError, match="neither u10/v10 nor u/v"):
        read_wind(ds)


def _stations():
    return pd.DataFrame({"station": ["A", "B", "C"], "lon": [116.0, 116.5, 116.2], "lat": [39.8, 39.9, 40.2]})


def test_wind_from_stations_idw():
    t = pd.date_range("2019-01-10 01:00", periods=2, freq="h", tz="Asia/Shanghai")
    obs = pd.DataFrame(
        {
            "station": ["A", "B", "C", "A", "B", "C", "Z"],
            "time": [t[0], t[0], t[0], t[1], t[1], t[1], t[1]],
            "ws": [2.0, 2.0, 2.0, 4.0, np.nan, 2.0, 3.0],
            "wd": [90.0, 90.0, 90.0, 0.0, 10.0, 180.0, 45.0],
        }
    )
    grid = (np.array([116.0, 116.3, 116.5]), np.array([39.8, 40.0, 40.2]))
    out = wind_from_stations(obs, _stations(), grid=grid)
    _layout_ok(out.assign(u10=out.u10.assign_attrs(units="m/s"), v10=out.v10.assign_attrs(units="m/s")))
    assert out["time"].values[0] == np.datetime64("2019-01-09T17:00")  # Beijing 01:00 = UTC 17:00
    # hour 1: all stations east wind 2 m/s -> the whole field is u = -2, v = 0
    np.testing.assert_allclose(out["u10"].isel(time=0), -2.0)
    np.testing.assert_allclose(out["v10"].isel(time=0), 0.0, atol=1e-12)
    # hour 2: node on station A takes A's north wind (v = -4)
    assert float(out["v10"].isel(time=1).sel(longitude=116.0, latitude=39.8)) == pytest.approx(-4.0, abs=1e-4)
    # hand-computed IDW at a node from A (north 4 m/s) and C (south 2 m/s), B missing
    from geoair.io.era5 import _haversine_matrix

    d = _haversine_matrix([116.3], [40.0], [116.0, 116.2], [39.8, 40.2])[0]
    w = d ** -2.0
    v_exp = (w[0] * -4.0 + w[1] * 2.0) / w.sum()
    assert float(out["v10"].isel(time=1).sel(longitude=116.3, latitude=40.0)) == pytest.approx(v_exp)
    log = get_droplog(out)
    reasons = log.summary().set_index("reason")["n"].to_dict()
    assert reasons == {"station not in the station table (no coordinates)": 1, "missing wind speed or direction": 1}
    assert sorted(log.to_frame()["row"]) == [4, 6] and set(log.to_frame()["index"]) == {"position"}


def test_wind_from_stations_writes_to_netcdf_with_its_droplog(tmp_path):
    t = pd.Timestamp("2019-01-10 01:00", tz="Asia/Shanghai")
    obs = pd.DataFrame({"station": ["A", "Z"], "time": [t, t], "ws": [3.0, 2.0], "wd": [270.0, 90.0]})
    out = wind_from_stations(obs, _stations())
    out.to_netcdf(tmp_path / "w.nc")  # main: TypeError, a DropLog object in attrs
    back = xr.open_dataset(tmp_path / "w.nc")
    assert get_droplog(back) == get_droplog(out) and get_droplog(back).total() == 1


def test_wind_from_stations_default_grid_and_haversine():
    from geoair.io.era5 import _haversine_matrix

    # one degree of latitude on the mean-radius sphere = 111.195 km
    assert _haversine_matrix([0.0], [0.0], [0.0], [1.0])[0, 0] == pytest.approx(111_195, rel=1e-4)
    obs = pd.DataFrame({"station": ["A"], "time": [pd.Timestamp("2019-01-10 01:00", tz="Asia/Shanghai")],
                        "ws": [3.0], "wd": [270.0]})
    out = wind_from_stations(obs, _stations())
    assert out["longitude"].min() <= 115.75 and out["latitude"].max() >= 40.45
    np.testing.assert_allclose(out["u10"], 3.0)
    ws, wd = uv_to_wswd(out["u10"].values, out["v10"].values)
    np.testing.assert_allclose(wd, 270.0)


def test_wind_from_stations_empty_and_errors():
    empty = pd.DataFrame({"station": [], "time": pd.DatetimeIndex([], tz="Asia/Shanghai"), "ws": [], "wd": []})
    out = wind_from_stations(empty, _stations())
    assert out.sizes["time"] == 0
    with pytest.raises(GeoairInputError, match="ws"):
        wind_from_stations(empty.drop(columns="ws"), _stations())


@pytest.mark.shared_data("era5_wind")
def test_normalised_file_round_trips(tmp_path):
    # read_wind output is itself a valid input (writable to NetCDF, read back unchanged)
    ds = read_wind(SL)
    ds.to_netcdf(tmp_path / "w.nc")
    again = read_wind(tmp_path / "w.nc")
    xr.testing.assert_allclose(ds[["u10", "v10"]], again[["u10", "v10"]])
    # tz-aware Series of times is accepted by sample_wind
    t = pd.Series(pd.to_datetime(["2025-11-09 09:00"] * 2).tz_localize("Asia/Shanghai"))
    u, _ = sample_wind(again, [110.0, 200.0], [0.0, 0.0], t)
    assert float(u[0]) == pytest.approx(float(ds["u10"].sel(latitude=0.0, longitude=110.0).isel(time=0)))
    assert np.isnan(u[1])
