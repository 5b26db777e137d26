"""geoair.io.build_store / read_store: layout, data model, pushed-down filters, increments."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from dask_files import bundled_files

from geoair import GeoairInputError, datasets
from geoair.io import build_store, read_store, store_partitions


def test_layout_and_metadata(store):
    parts = store_partitions(store)
    # 2019-02-01 00:00 closes 2019-01-31 (HJ 663 day): it is stored with January
    assert parts[["year", "month"]].values.tolist() == [[2019, 1], [2019, 2]]
    meta = json.loads((store / "store.json").read_text("utf-8"))
    assert meta["time_zone"] == "Asia/Shanghai"
    assert meta["units"]["co"] == "mg/m³" and meta["units"]["pm25"] == "µg/m³"
    jan = pd.read_parquet(parts["path"][0])
    t = jan["time"].dt.tz_convert("Asia/Shanghai")
    assert t.min() == pd.Timestamp("2019-01-29 00:00", tz="Asia/Shanghai")
    assert t.max() == pd.Timestamp("2019-02-01 00:00", tz="Asia/Shanghai")


def test_same_rows_as_reader(store, hourly):
    got = read_store(store).compute()
    assert str(got["time"].dtype) == "datetime64[ns, Asia/Shanghai]"
    got = got.drop(columns="province").sort_values(["station", "time"], ignore_index=True)
    ref = hourly.sort_values(["station", "time"], ignore_index=True)
    assert len(got) == len(ref) == 1605 * (6 * 24 - 1)  # hour 22 of 2019-02-03 is missing
    pd.testing.assert_frame_equal(got.astype({"station": str}), ref.astype({"station": str}),
                                  check_dtype=False)


def test_filters_pushed_down(store, hourly):
    ddf = read_store(store, start="2019-02-01 12:00", end="2019-02-02 00:00",
                     provinces="北京市", columns=["pm25"])
    assert list(ddf.columns) == ["station", "time", "pm25"]
    assert ddf.npartitions == 1  # January cannot hold these hours: not opened
    got = ddf.compute()
    bj = datasets.load_beijing_stations()["station"].tolist()
    sel = hourly[(hourly["time"] >= pd.Timestamp("2019-02-01 12:00", tz="Asia/Shanghai"))
                 & (hourly["time"] <= pd.Timestamp("2019-02-02 00:00", tz="Asia/Shanghai"))]
    full = read_store(store).compute()
    beijing = set(full.loc[full["province"] == "北京市", "station"])
    assert set(got["station"]) == beijing and set(bj) <= beijing
    assert len(got) == len(beijing) * 13
    one = sel[sel["station"] == "1001A"]["pm25"].to_numpy()
    np.testing.assert_array_equal(got.loc[got["station"] == "1001A", "pm25"].to_numpy(), one)
    st = read_store(store, stations=["1001A", "1029A"]).compute()
    assert sorted(st["station"].unique()) == ["1001A", "1029A"]
    assert (st.loc[st["station"] == "1029A", "province"] == "河北省").all()


def test_increment_rewrites_one_partition(tmp_path):
    build_store(bundled_files(["20190131", "20190201"]), tmp_path)
    parts = store_partitions(tmp_path)
    assert parts["month"].tolist() == [1, 2]
    jan, feb = parts["path"]
    jan_stamp, feb_stamp = os.stat(jan).st_mtime_ns, os.stat(feb).st_mtime_ns
    res = build_store(bundled_files(["20190204"]), tmp_path)  # a mid-month day
    assert res["month"].tolist() == [2]
    assert os.stat(jan).st_mtime_ns == jan_stamp  # January untouched
    assert os.stat(feb).st_mtime_ns != feb_stamp
    assert len(read_store(tmp_path).compute()) == 1605 * 72
    # re-released file: the stored station-hours are replaced and logged, none duplicated
    res = build_store(bundled_files(["20190204"]), tmp_path)
    assert res.attrs["droplog"].total() == 1605 * 24
    assert len(read_store(tmp_path).compute()) == 1605 * 72
    log = pd.read_csv(tmp_path / "droplog.csv")
    assert log["reason"].str.contains("replaced").sum() == 1605 * 24
    # the 1st of a month also closes the previous month's last day: two partitions
    res = build_store(bundled_files(["20190201"]), tmp_path)
    assert res["month"].tolist() == [1, 2]


def test_read_errors(tmp_path, store):
    with pytest.raises(GeoairInputError, match="store.json"):
        read_store(tmp_path)
    with pytest.raises(GeoairInputError, match="overlaps"):
        read_store(store, start="2030-01-01")
    with pytest.raises(GeoairInputError, match="province"):
        build_store(bundled_files(["20190202"]), tmp_path / "x",
                    stations=pd.DataFrame({"station": ["1001A"]}))
