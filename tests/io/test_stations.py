"""read_stations on the national station list (quirks from its SOURCE.md) and plain CSVs."""

import csv

import numpy as np
import pandas as pd
import pytest

from geoair import GeoairInputError
from geoair.io import read_stations
from geoair.io._obs_prsa import _station_table as _prsa_station_table

LIST = "china_stations/station_list_2022-02-13.csv"


@pytest.fixture(scope="module")
def national(real):
    path = real(LIST)
    with open(path, encoding="utf-8-sig") as fh:
        raw = list(csv.DictReader(fh))
    return path, read_stations(path), raw


def test_national_list_rows_and_droplog(national):
    path, st, raw = national
    assert len(raw) == 2026  # SOURCE.md: 2,026 stations
    # SOURCE.md: 10 stations lack coordinates (8 empty, 2 '-'): dropped and logged
    no_xy = {"1202A", "1254A", "1347A", "2172A", "2184A", "2302A", "2592A", "2666A", "1045A", "3019A"}
    assert len(st) == 2026 - len(no_xy)
    assert not no_xy & set(st["station"])
    frame = st.attrs["droplog"].to_frame()
    assert len(frame) == 10
    assert {raw[r - 1]["监测点编码"] for r in frame["row"]} == no_xy
    assert st.crs.to_epsg() == 4326
    assert list(st.columns[:7]) == ["station", "name", "city", "adcode", "is_background", "lon", "lat"]
    assert st["adcode"].isna().all()  # the national list carries no adcode
    assert st["station"].is_unique and st["station"].is_monotonic_increasing


def test_national_list_spot_values(national):
    path, st, raw = national
    s = st.set_index("station")
    row = next(r for r in raw if r["监测点编码"] == "1001A")
    assert s.loc["1001A", "lon"] == float(row["经度"]) == 116.3621
    assert s.loc["1001A", "lat"] == float(row["纬度"]) == 39.8784
    assert s.loc["1001A", "geometry"].x == 116.3621
    assert s.loc["1001A", "name"] == "万寿西宫" and s.loc["1001A", "city"] == "北京"
    assert s.loc["1002A", "is_background"]  # 定陵(对照点), flag Y
    assert not s.loc["1001A", "is_background"]
    # names with two spaces or a space before the parenthesis are kept verbatim
    assert s.loc["1837A", "name"] == "二  印"
    assert s.loc["2165A", "name"] == "白马寺 (对照点)" and s.loc["2165A", "is_background"]


def test_shutdown_notes(national):
    path, st, raw = national
    s = st.set_index("station")
    assert (st["status"] == "closed").sum() == 76  # SOURCE.md: 76 names carry a shutdown note
    assert s.loc["1013A", "name"] == "市监测中心(停运150702)"
    assert s.loc["1013A", "closed_on"] == pd.Timestamp("2015-07-02", tz="Asia/Shanghai")
    assert s.loc["1475A", "closed_on"] == pd.Timestamp("2018-11-15", tz="Asia/Shanghai")  # （20181115停运）
    assert s.loc["1586A", "closed_on"] == pd.Timestamp("2020-01-07", tz="Asia/Shanghai")  # (停用200107)
    assert s.loc["1436A", "status"] == "closed" and pd.isna(s.loc["1436A", "closed_on"])  # （已停运）
    # flagged Y in the list, but closed: not a background station
    assert not s.loc["1013A", "is_background"]
    assert s.loc["1001A", "status"] == "active"


def test_prsa_mapping_agrees_with_national_list(national):
    path, st, raw = national
    table = _prsa_station_table()
    s = st.set_index("station")
    assert len(table) == 12
    for rec in table.itertuples():
        assert s.loc[rec.station, "lon"] == float(rec.lon)
        assert s.loc[rec.station, "lat"] == float(rec.lat)
        assert s.loc[rec.station, "name"] == rec.name


def test_plain_csv_with_adcode_and_outside_china(tmp_path):
    p = tmp_path / "st.csv"
    p.write_text(
        "station,name,city,lon,lat,adcode\n"
        "S1,a,北京,116.4,39.9,110101\n"
        "S2,b,北京,116.5,39.8,110105\n"
        "S3,c,Paris,2.35,48.85,\n"     # outside China: dropped with a log entry
        "S1,dup,北京,116.0,39.0,\n"    # duplicate code
    )
    st = read_stations(p)
    assert st["station"].tolist() == ["S1", "S2"]
    assert st["adcode"].tolist() == ["110101", "110105"]
    assert st.loc[0, "name"] == "a"
    frame = st.attrs["droplog"].to_frame()
    assert sorted(frame["row"].tolist()) == [3, 4]
    assert not st["is_background"].any()


def test_swapped_coordinates_raise(tmp_path):
    p = tmp_path / "swapped.csv"
    p.write_text("station,lon,lat\nS1,39.9,116.4\nS2,116.5,39.8\n")
    with pytest.raises(GeoairInputError, match="look swapped") as err:
        read_stations(p)
    assert err.value.row == [1] and "swapped.csv" in str(err.value)


def test_projected_coordinates_raise(tmp_path):
    p = tmp_path / "utm.csv"
    p.write_text("station,lon,lat\nS1,448000,4418000\nS2,449000,4417000\n")
    with pytest.raises(GeoairInputError, match="No station lies in China"):
        read_stations(p)


def test_missing_column_raises(tmp_path):
    p = tmp_path / "nolat.csv"
    p.write_text("station,lon\nS1,116.4\n")
    with pytest.raises(GeoairInputError, match=r"lacks required column\(s\) \['lat'\]"):
        read_stations(p)


def test_gb18030_encoded_national_list(tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes("监测点编码,监测点名称,城市,经度,纬度,对照点\n1001A,万寿西宫,北京,116.3621,39.8784,N\n".encode("gb18030"))
    st = read_stations(p)
    assert st.loc[0, "name"] == "万寿西宫" and np.isclose(st.loc[0, "lat"], 39.8784)


def test_beijing_12_station_file(real):
    # columns station (PRSA name), station_code, name_zh, city, lon, lat, is_background
    st = read_stations(real("beijing_prsa/beijing_12_stations.csv"))
    assert st["station"].tolist() == [f"{i}A" for i in range(1001, 1013)]
    s = st.set_index("station")
    assert s.loc["1003A", "name"] == "东四" and s.loc["1003A", "lon"] == 116.4174
    assert s.loc["1002A", "is_background"] and s[["is_background"]].sum().item() == 1
    assert st.attrs["droplog"].total() == 0
