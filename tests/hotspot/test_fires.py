"""Fire QC, space-time clustering, density and county counts on constructed points with known answers."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from geoair.hotspot import fire_clusters, fire_counts, fire_density, qc_fires


def _fires(lon, lat, time, **cols):
    df = pd.DataFrame({"time": pd.to_datetime(time).tz_localize("Asia/Shanghai"), **cols})
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def test_qc_confidence_static_daynight():
    f = _fires([116.0] * 5, [40.0] * 5, ["2022-06-01"] * 5,
               confidence=[10.0, 50.0, 90.0, 85.0, np.nan],
               type=pd.array([0, 0, 2, pd.NA, 0], dtype="Int64"),
               daynight=["D", "N", "D", "D", "D"], frp=1.0)
    out = qc_fires(f)
    assert len(out) == 2  # low confidence, static type 2 and missing confidence removed
    assert out.attrs["droplog"].total() == 3
    flagged = qc_fires(f, static="flag")
    assert flagged["is_static"].sum() == 1 and len(flagged) == 3
    night = qc_fires(f, daynight="N")
    assert list(night["daynight"]) == ["N"]


def test_clusters_split_by_space_and_time():
    rng = np.random.default_rng(0)
    # A: 5 fires within ~1 km on day 1; B: same place 10 days later; C: 50 km away; D: isolated
    lon = np.r_[116 + rng.uniform(0, 0.01, 5), 116 + rng.uniform(0, 0.01, 5), 116.6 + rng.uniform(0, 0.01, 5), 117.5]
    lat = np.r_[40 + rng.uniform(0, 0.005, 5), 40 + rng.uniform(0, 0.005, 5), 40 + rng.uniform(0, 0.005, 5), 41.0]
    t = ["2022-06-01 13:00"] * 5 + ["2022-06-11 13:00"] * 5 + ["2022-06-01 13:00"] * 5 + ["2022-06-01 00:00"]
    pts, cl = fire_clusters(_fires(lon, lat, t, frp=2.0), eps_km=2, window_hours=48, min_samples=3)
    lab = pts["cluster"].to_numpy()
    assert len(set(lab[:5])) == 1 and len(set(lab[5:10])) == 1 and len(set(lab[10:15])) == 1
    assert len({lab[0], lab[5], lab[10]}) == 3
    assert lab[15] == -1
    assert len(cl) == 3 and (cl["n_fires"] == 5).all() and (cl["frp_sum"] == 10.0).all()


def test_density_integrates_to_count():
    f = _fires([116.0, 116.2, 116.1], [40.0, 40.1, 39.9], ["2022-06-01"] * 3)
    da = fire_density(f, bandwidth_km=5, cell_km=1, pad_km=40)
    # cell area in km²: dlat 1/111 deg ~ 1 km by construction
    dlat_km = float(np.diff(da.latitude)[0]) * 111.0
    dlon_km = float(np.diff(da.longitude)[0]) * 111.0 * np.cos(np.radians(40.0))
    total = float(da.sum()) * dlat_km * dlon_km
    assert total == pytest.approx(3.0, rel=0.03)


def test_counts_year_on_year():
    counties = gpd.GeoDataFrame({"adcode": ["1", "2"], "name": ["A", "B"]},
                                geometry=[box(115, 39, 116, 40), box(116, 39, 117, 40)], crs="EPSG:4326")
    lon = [115.5] * 3 + [115.5] * 6 + [116.5] * 2 + [130.0]
    t = ["2021-06-01"] * 3 + ["2022-06-01"] * 6 + ["2022-05-01"] * 2 + ["2022-05-01"]
    out = fire_counts(_fires(lon, [39.5] * 12, t), counties)
    a22 = out[(out.adcode == "1") & (out.period == "2022")].iloc[0]
    assert (a22.n_fires, a22.n_prev, a22.change, a22.change_pct) == (6, 3, 3, 100.0)
    b22 = out[(out.adcode == "2") & (out.period == "2022")].iloc[0]
    assert b22.n_prev == 0 and np.isnan(b22.change_pct)
    assert out.attrs["droplog"].total() == 1  # the point outside both counties


def test_empty_inputs_give_empty_results():
    f = _fires([], [], [], confidence=[], frp=[])
    assert len(qc_fires(f)) == 0
    pts, cl = fire_clusters(f)
    assert len(pts) == 0 and len(cl) == 0
    counties = gpd.GeoDataFrame({"adcode": ["1"], "name": ["A"]}, geometry=[box(115, 39, 116, 40)], crs="EPSG:4326")
    assert len(fire_counts(f, counties)) == 0
    assert fire_density(f).size == 0


def test_logs_hold_own_drops_only():
    from geoair._validation import DropLog

    counties = gpd.GeoDataFrame({"adcode": ["1"], "name": ["A"]}, geometry=[box(115, 39, 116, 40)], crs="EPSG:4326")
    f = _fires([115.5, 115.6, 115.7], [39.5] * 3, ["2022-06-01"] * 3, confidence=[10.0, 50.0, 60.0],
               frp=[1.0, np.nan, 3.0])
    reader = DropLog()
    reader.add("a reader's drop", [7])
    f.attrs["droplog"] = reader
    qc = qc_fires(f)
    assert [e["reason"] for e in qc.attrs["droplog"]] == ["fire confidence below 30 % (or missing)"]
    # a frame that already has adcode: fires without one are logged, the input's log is not repeated
    qc["adcode"] = pd.array(["1", None], dtype="string")
    counts = fire_counts(qc, counties)
    assert counts["n_fires"].sum() == 1 and counts.attrs["droplog"].total() == 1
    assert counts.attrs["units"]["change_pct"] == "%"
    pts, cl = fire_clusters(qc, min_samples=1)
    assert pts.attrs["droplog"].total() == 0 and cl.attrs["units"]["frp_sum"] == "MW"
    # a missing weight counts as 0 and is logged (JSON text on the DataArray)
    da = fire_density(qc, weight="frp", cell_km=5)
    assert '"n": 1' in da.attrs["droplog"] and da.attrs["units"] == "km-2"
