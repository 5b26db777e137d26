"""Grids, GeoTIFF round trip, station values, county adapters and plots."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from shapely.geometry import box

from geoair import GeoairInputError
from geoair.hotspot import GRID_CRS, local_gi_star
from geoair.surface import (
    county_daily,
    county_table,
    estimate,
    estimate_grid,
    league_table,
    station_values,
    to_geotiff,
)


@pytest.fixture(scope="module")
def small(case):
    values, stations, _, _ = case
    return values[values["date"] <= values["date"].min() + pd.Timedelta(days=1)], stations


@pytest.fixture(scope="module")
def counties():
    x0, y0 = 1.0e6, 4.0e6
    polys = [box(x0 + i * 60_000, y0 + j * 60_000, x0 + (i + 1) * 60_000, y0 + (j + 1) * 60_000)
             for i in range(5) for j in range(5)]
    return gpd.GeoDataFrame({"adcode": [f"{k:06d}" for k in range(25)],
                             "name": [f"C{k}" for k in range(25)]}, geometry=polys,
                            crs=GRID_CRS).to_crs("EPSG:4326")


def test_grid_and_geotiff_round_trip(small, counties, tmp_path):
    values, stations = small
    ds = estimate_grid(values, stations, counties, cell_size=5000.0)
    assert ds["estimate"].dims == ("date", "y", "x")
    assert np.all(np.diff(ds["y"]) < 0) and np.all(np.diff(ds["x"]) > 0)
    # cells are aligned to multiples of the cell size; centres sit half a cell inside
    assert np.allclose((ds["x"].to_numpy() - 2500.0) % 5000.0, 0.0)
    est = ds["estimate"].to_numpy()
    assert np.isfinite(est).mean() > 0.9
    assert (ds["lower"] <= ds["estimate"]).where(np.isfinite(ds["estimate"])).fillna(True).all()
    path = to_geotiff(ds, tmp_path / "s.tif")
    with rasterio.open(path) as src:
        assert src.count == ds.sizes["date"]
        assert src.crs == rasterio.crs.CRS.from_user_input(GRID_CRS)
        band = src.read(2)
        np.testing.assert_allclose(band, est[1], equal_nan=True)
        # the centre of cell (row 3, col 4) maps back to the dataset's coordinates
        xc, yc = src.xy(3, 4)
        assert xc == pytest.approx(float(ds["x"][4])) and yc == pytest.approx(float(ds["y"][3]))
        assert src.descriptions[0] == str(ds["date"].to_numpy()[0])
    one = to_geotiff(ds, tmp_path / "m.tif", date="mean")
    with rasterio.open(one) as src:
        np.testing.assert_allclose(src.read(1), ds["estimate"].mean("date").to_numpy(), rtol=1e-5,
                                   equal_nan=True)
    with pytest.raises(GeoairInputError, match="No variable"):
        to_geotiff(ds, tmp_path / "x.tif", "nope")


def test_grid_points_agree_with_estimate(small):
    values, stations = small
    ds = estimate_grid(values, stations, (9.5, 36.0, 10.0, 36.3), cell_size=10_000.0)
    xs, ys = np.meshgrid(ds["x"].to_numpy(), ds["y"].to_numpy())
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=GRID_CRS)
    est = estimate(values, stations, pts)
    d0 = est[est["date"] == est["date"].min()]["estimate"].to_numpy()
    np.testing.assert_allclose(ds["estimate"].isel(date=0).to_numpy().ravel(), d0, rtol=1e-5)


def test_county_table_feeds_gi_star_and_league(small, counties):
    values, stations = small
    est = estimate(values, stations, counties)
    with pytest.raises(GeoairInputError, match="several dates"):
        county_table(est, counties)
    day = est["date"].min()
    tab = county_table(est, counties, date=day)
    assert len(tab) == 25 and tab["value"].notna().all()
    assert (tab["estimated"] == ~tab["observed"]).all()
    gi = local_gi_star(tab.to_crs(GRID_CRS), "value", weights="queen", permutations=0)
    assert {"gi_z", "hotspot", "observed"} <= set(gi.columns)
    lt = league_table(est, date=day, names=dict(zip(counties["adcode"], counties["name"], strict=True)),
                      lang="en")
    assert len(lt) == 25 and {"basis", "lower 90 %", "upper 90 %"} <= set(lt.columns)
    assert lt["rank"].iloc[0] == 1
    first = lt.iloc[0]
    assert first["PM2.5 (µg/m³)"] == pytest.approx(tab["value"].min())
    daily = county_daily(est)
    assert list(daily.columns) == ["adcode", "date", "pm25", "observed"]
    assert len(daily) == 25 * est["date"].nunique()


def test_station_values_daily_and_period():
    t = pd.date_range("2019-01-01 01:00", periods=24 * 4, freq="h", tz="Asia/Shanghai")
    obs = pd.DataFrame({"station": ["A"] * len(t) + ["B"] * len(t), "time": list(t) * 2,
                        "pm25": np.r_[np.full(len(t), 50.0), np.full(len(t), 80.0)]})
    obs.loc[(obs["station"] == "B") & (obs["time"] < t[26]), "pm25"] = np.nan  # B: day 1 invalid
    d = station_values(obs, "pm25")
    assert list(d.columns) == ["station", "date", "value"]
    assert len(d[d["station"] == "A"]) == 4 and len(d[d["station"] == "B"]) == 3
    p = station_values(obs, "pm25", freq="all", min_fraction=1.0)
    assert list(p["station"]) == ["A"] and p["value"].iloc[0] == pytest.approx(50.0)
    assert p.attrs["droplog"].total() > 0
    p2 = station_values(obs, "pm25", freq="all", min_fraction=0.75)
    assert set(p2["station"]) == {"A", "B"}


def test_plots_and_folium_layer(small, counties):
    import matplotlib

    matplotlib.use("Agg")
    from geoair.plot.surface import (
        plot_county_estimates,
        plot_intervals,
        plot_loo,
        plot_surface,
        surface_layer,
    )
    from geoair.surface import loo

    values, stations = small
    est = estimate(values, stations, counties)
    tab = county_table(est, counties, date=est["date"].min())
    for lang in ("en", "zh"):
        fig = plot_county_estimates(tab, stations=stations, lang=lang)
        hatched = [p for p in fig.axes[0].collections if p.get_hatch()]
        assert hatched or tab["observed"].all()
        assert plot_intervals(tab, lang=lang).axes
    ds = estimate_grid(values, stations, counties, cell_size=10_000.0)
    assert plot_surface(ds, date="mean", boundaries=counties).axes
    assert plot_loo(loo(values, stations)).axes
    layer = surface_layer(tab, lang="zh")
    feats = layer["geojson"]["features"]
    assert len(feats) == 25
    est_f = [f for f in feats if not f["properties"]["observed"]]
    assert all(f["properties"]["style"]["fillOpacity"] < 0.8 for f in est_f)
    assert "µg/m³" in feats[0]["properties"]["tooltip"]


def test_period_mean_of_daily_estimates(small, counties):
    from geoair.surface import period_mean

    values, stations = small
    est = estimate(values, stations, counties)
    pm = period_mean(est)
    assert len(pm) == 25 and (pm["date"] == "all").all() and (pm["n_days"] == 2).all()
    first = est[est["id"] == pm["id"].iloc[0]]
    assert pm["estimate"].iloc[0] == pytest.approx(first["estimate"].mean())
    assert pm["upper"].iloc[0] == pytest.approx(first["upper"].mean())
    assert pm["observed"].iloc[0] == first["observed"].any()
    tab = county_table(pm, counties)
    assert tab["value"].notna().all()
