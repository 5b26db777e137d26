"""The standards and county aggregation on dask frames give the in-memory results.

Reference: the same functions on the pandas frame read by geoair.read_observations from the
same bundled national files (1,605 stations, 2019-01-29 .. 2019-02-03).
"""

from __future__ import annotations

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from geoair import datasets
from geoair.hotspot import to_counties
from geoair.io import read_store
from geoair.standards import aqi, daily, evaluate, league_table, target_budget


def _strip(frame):
    out = frame.copy()
    out.attrs = {}
    return out


@pytest.fixture(scope="module")
def daily_ref(hourly):
    return daily(hourly)


@pytest.fixture(scope="module")
def daily_ddf(daily_ref):
    return dd.from_pandas(_strip(daily_ref), npartitions=3)


def _same_aqi(a, b):
    """Equal frames; categoricals compared by value (a dask result's categories are unions)."""
    cats = [c for c, t in a.dtypes.items() if isinstance(t, pd.CategoricalDtype)]
    a, b = a.astype({c: str for c in cats}), b.astype({c: str for c in cats})
    pd.testing.assert_frame_equal(a, b)


def _same_daily(a, b):
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a.attrs["validity"], b.attrs["validity"])
    assert a.attrs["droplog"].to_frame().equals(b.attrs["droplog"].to_frame())


def test_daily_from_store(store, daily_ref):
    got = daily(read_store(store))
    assert len(got) == 1605 * 7  # 2019-01-28 (hour 00:00 of the 29th) .. 2019-02-03
    _same_daily(daily_ref, got)


def test_daily_unaligned_partitions(hourly, daily_ref):
    # rows shuffled: days split across partitions -> detected, rows grouped by station
    ddf = dd.from_pandas(_strip(hourly).sample(frac=1.0, random_state=3), npartitions=4)
    _same_daily(daily_ref, daily(ddf))


def test_aqi_hourly_and_daily(store, hourly, daily_ref, daily_ddf):
    with pytest.warns(UserWarning, match="24-h moving mean"):
        ref = aqi(hourly, "1h", missing="available")
    with pytest.warns(UserWarning, match="24-h moving mean"):
        got = aqi(read_store(store), "1h", missing="available").compute()
    got = got.reset_index(drop=True)
    order = read_store(store).compute()[["station", "time"]].astype({"station": str})
    key = hourly[["station", "time"]].astype({"station": str}).reset_index()
    pos = order.merge(key, on=["station", "time"])["index"].to_numpy()
    _same_aqi(ref.iloc[pos].reset_index(drop=True), got)
    _same_aqi(aqi(daily_ref), aqi(daily_ddf).compute())


@pytest.mark.parametrize("kw", [
    dict(period="month"),
    dict(period="all", by=None),
    dict(period="month", by="adcode", with_stations=True),
    dict(period=("2019-01-29", "2019-02-02"), exclude_dust=["2019-01-30"]),
])
def test_evaluate(daily_ref, daily_ddf, kw):
    kw = dict(kw)
    if kw.pop("with_stations", False):
        kw["stations"] = datasets.load_beijing_stations()
    ref = evaluate(daily_ref, **kw)
    got = evaluate(daily_ddf, **kw)
    assert len(ref) > 0
    pd.testing.assert_frame_equal(ref, got)
    if "exclude_dust" in kw:  # a dask frame carries no attrs: only the dust rows are logged
        dust = ref.attrs["droplog"].to_frame()
        dust = dust[dust["reason"].str.contains("dust")].reset_index(drop=True)
        assert len(dust) == 1605
        assert dust.equals(got.attrs["droplog"].to_frame())
    t_ref = league_table(ref, lang="en")
    pd.testing.assert_frame_equal(t_ref, league_table(dd.from_pandas(_strip(got), 2), lang="en"))


@pytest.mark.parametrize("kw", [dict(), dict(by=None), dict(as_of="2019-01-31")])
def test_target_budget(daily_ref, daily_ddf, kw):
    ref = target_budget(daily_ref, 35, 80, 2019, **kw)
    got = target_budget(daily_ddf, 35, 80, 2019, **kw)
    pd.testing.assert_frame_equal(ref, got)
    assert ref.attrs["params"] == got.attrs["params"]


def test_to_counties_and_gi_inputs(daily_ref):
    counties = datasets.load_bth_counties()
    st = datasets.load_beijing_stations()[["station", "adcode", "lon", "lat", "geometry"]]
    ev = evaluate(daily_ref, period="all", stations=st)
    pts = st.merge(ev.rename(columns={"unit": "station"})[["station", "pm25"]], on="station")
    ref = to_counties(pts, counties, "pm25", statistic="mean")
    by_code = dd.from_pandas(pd.DataFrame(pts[["adcode", "pm25"]]), npartitions=2)
    by_xy = dd.from_pandas(pd.DataFrame(pts[["lon", "lat", "pm25"]]), npartitions=2)
    for ddf in (by_code, by_xy):
        got = to_counties(ddf, counties, "pm25", statistic="mean")
        np.testing.assert_array_equal(ref["pm25"].to_numpy(), got["pm25"].to_numpy())
        np.testing.assert_array_equal(ref["n_points"].to_numpy(), got["n_points"].to_numpy())
    assert ref["n_points"].sum() == 12
