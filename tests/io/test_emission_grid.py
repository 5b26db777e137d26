"""read_emission_grid: GeoTIFF and NetCDF inventories to area sources, totals preserved."""

import numpy as np
import pandas as pd
import pytest

rasterio = pytest.importorskip("rasterio")
xr = pytest.importorskip("xarray")
pytest.importorskip("geopandas")

from geoair import GeoairInputError  # noqa: E402
from geoair.io import read_emission_grid  # noqa: E402
from geoair.io.emission_grid import rate_factor  # noqa: E402

YEAR_S = 365.25 * 86400.0


def _tif(path, data, transform, crs, units=None):
    data = np.atleast_3d(data) if data.ndim == 2 else data
    arr = data[None] if data.ndim == 2 else data
    with rasterio.open(path, "w", driver="GTiff", height=arr.shape[1], width=arr.shape[2], count=arr.shape[0],
                       dtype="float64", crs=crs, transform=transform, nodata=-9999.0) as ds:
        ds.write(arr)
        if units:
            ds.update_tags(units=units)


def test_units():
    assert rate_factor("t/yr") == (pytest.approx(1e6 / YEAR_S), False)
    assert rate_factor("Mg/month") == (pytest.approx(1e6 / (YEAR_S / 12)), False)
    assert rate_factor("kg/m2/s") == (pytest.approx(1e3 * 1e6), True)  # g/s per km²
    assert rate_factor("kg m-2 s-1") == rate_factor("kg/m2/s")
    with pytest.raises(GeoairInputError, match="units"):
        rate_factor("mol/km2/h")


def test_geotiff_wgs84_positions_and_total(tmp_path):
    from rasterio.transform import from_origin

    data = np.array([[1.0, 2.0, 0.0], [-9999.0, 4.0, 5.0]])
    tr = from_origin(116.0, 40.0, 0.25, 0.25)  # MEIC-like 0.25° cells, north-up
    _tif(tmp_path / "g.tif", data[None], tr, "EPSG:4326", units="t/yr")
    src = read_emission_grid(tmp_path / "g.tif", category="coal")
    assert src.crs.to_epsg() == 4326
    assert len(src) == 4  # zero cell: not a source; nodata cell: logged
    assert src.attrs["droplog"].total() == 1 and src.attrs["n_zero"] == 1
    np.testing.assert_allclose(src["weight"].sum(), 12.0 * 1e6 / YEAR_S)  # the file's total in g/s
    cell = src.set_index("source_id").loc["G1_2"]  # row 1, col 2: 116.5-116.75 E, 39.5-39.75 N
    np.testing.assert_allclose(cell.geometry.bounds, (116.5, 39.5, 116.75, 39.75), atol=1e-9)
    np.testing.assert_allclose([cell["lon"], cell["lat"]], [116.625, 39.625], atol=1e-9)
    assert (src["category"] == "coal").all() and src.attrs["temporal_factors"] is None


def test_geotiff_utm_flux_reprojected(tmp_path):
    from pyproj import Transformer
    from rasterio.transform import from_origin

    x0, y0 = 440_000.0, 4_420_000.0  # UTM 50N near Beijing, 1-km cells
    flux = np.arange(1.0, 7.0).reshape(2, 3) * 1e-9  # kg/m2/s
    _tif(tmp_path / "u.tif", flux[None], from_origin(x0, y0, 1000.0, 1000.0), "EPSG:32650")
    src = read_emission_grid(tmp_path / "u.tif", category="industry", units="kg/m2/s")
    # 1 km² cells (UTM scale factor ~0.9996: geodesic area within 0.2 %)
    np.testing.assert_allclose(src["area_km2"], 1.0, rtol=2e-3)
    expect = (flux * 1e3 * 1e6 * src["area_km2"].to_numpy().reshape(2, 3)).sum()
    np.testing.assert_allclose(src["weight"].sum(), expect, rtol=1e-12)
    lon, lat = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True).transform(x0 + 500, y0 - 500)
    c = src.set_index("source_id").loc["G0_0"].geometry.centroid
    assert abs(c.x - lon) < 1e-5 and abs(c.y - lat) < 1e-5


def test_netcdf_monthly_factors(tmp_path):
    lat = np.array([39.875, 39.625])  # descending, cell centres
    lon = np.array([116.125, 116.375, 116.625])
    base = np.array([[1.0, 0.0, 2.0], [3.0, 1.0, 1.0]])
    season = np.array([3, 2.5, 1.5, 1, 0.6, 0.5, 0.5, 0.5, 0.6, 1, 1.5, 2.8])  # heating-season shape
    emis = season[:, None, None] * base[None]
    ds = xr.Dataset({"emis": (("month", "lat", "lon"), emis, {"units": "Mg/month"})},
                    coords={"month": np.arange(1, 13), "lat": lat, "lon": lon})
    ds.to_netcdf(tmp_path / "m.nc")
    src = read_emission_grid(tmp_path / "m.nc", category="coal", kind="residential_coal")
    assert len(src) == 5
    month_s = YEAR_S / 12
    np.testing.assert_allclose(src["weight"].sum(), emis.sum() / 12 * 1e6 / month_s)  # annual-mean rate
    f = src.attrs["temporal_factors"]
    np.testing.assert_allclose(f["factor"], season / season.mean())
    assert f["month"].tolist() == list(range(1, 13))
    g = src.set_index("source_id").loc["G1_0"].geometry.bounds  # lat 39.5-39.75, lon 116-116.25
    np.testing.assert_allclose(g, (116.0, 39.5, 116.25, 39.75), atol=1e-9)
    # two sector grids concatenated (a user's usual next step): the factor tables in attrs
    # must not make pandas' attrs comparison raise
    other = read_emission_grid(tmp_path / "m.nc", category="dust", kind="construction")
    both = pd.concat([src, other], ignore_index=True)
    assert len(both) == 10 and both.attrs["temporal_factors"].equals(f)


def test_errors(tmp_path):
    with pytest.raises(GeoairInputError, match="does not exist"):
        read_emission_grid(tmp_path / "none.tif", category="coal")
    ds = xr.Dataset({"a": (("lat", "lon"), np.ones((2, 2))), "b": (("lat", "lon"), np.ones((2, 2)))},
                    coords={"lat": [39.0, 39.1], "lon": [116.0, 116.1]})
    ds.to_netcdf(tmp_path / "two.nc")
    with pytest.raises(GeoairInputError, match="variable"):
        read_emission_grid(tmp_path / "two.nc", category="coal", units="t/yr")
    with pytest.raises(GeoairInputError, match="units"):
        read_emission_grid(tmp_path / "two.nc", category="coal", variable="a")
