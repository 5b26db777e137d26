"""Issue 11, items 6-12: every bad input a new user tried gives a clear error or a counted drop.

Each test here failed on the main branch of 2026-11-29 (a traceback from deep inside pandas,
pyarrow or gzip, or a silent acceptance) and passes now. Expected values are written by hand
next to the fixtures.
"""

import gzip
import json
import os

import numpy as np
import pandas as pd
import pytest

from geoair import DropLog, GeoairInputError
from geoair.io import read_boundaries, read_firms, read_observations, read_sources, read_stations
from geoair.schema import TIMEZONE


def ts(text):
    return pd.Timestamp(text, tz=TIMEZONE)


def _gz_truncated(path, text):
    """A .gz file cut in the middle of its compressed stream (an interrupted download)."""
    blob = gzip.compress(text.encode("utf-8"))
    path.write_bytes(blob[: len(blob) // 2])
    return path


TIDY = "station,time,pm25\n" + "".join(f"1001A,2019-01-01 {h:02d}:00,{h}\n" for h in range(24)) * 40
PRSA = ('"No","year","month","day","hour","PM2.5","PM10","station"\n'
        + "".join(f'{i},2013,3,1,{i % 24},9,12,"Dongsi"\n' for i in range(1, 800)))
STATIONS = "station,lon,lat\n" + "".join(f"S{i},116.{i:03d},39.9\n" for i in range(900))
SOURCES = "name,lon,lat,category\n" + "".join(f"site {i},116.{i:03d},39.9,dust\n" for i in range(900))
FIRMS = ("latitude,longitude,brightness,acq_date,acq_time,satellite,confidence,frp\n"
         + "".join(f"39.{i:03d},116.5,320.1,2022-05-28,0436,T,80,{i}.5\n" for i in range(900)))


# ------------------------------------------------------------------- 11.6: tracebacks


@pytest.mark.parametrize("reader", [read_stations, read_firms, read_sources, read_observations])
def test_empty_file_is_a_clear_error(tmp_path, reader):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(GeoairInputError, match="empty") as err:
        reader(p)
    assert str(p) in str(err.value)


@pytest.mark.parametrize(("name", "text", "reader"), [
    ("tidy.csv.gz", TIDY, read_observations),
    ("PRSA_Data_Dongsi.csv.gz", PRSA, read_observations),
    ("stations.csv.gz", STATIONS, read_stations),
    ("sources.csv.gz", SOURCES, read_sources),
    ("firms.csv.gz", FIRMS, read_firms),
])
def test_truncated_gzip_is_a_clear_error(tmp_path, name, text, reader):
    p = _gz_truncated(tmp_path / name, text)
    with pytest.raises(GeoairInputError, match="ends early|damaged") as err:
        reader(p)
    assert err.value.file == str(p) and "Fix:" in str(err.value)


def test_unreadable_stations_file(tmp_path, monkeypatch):
    p = tmp_path / "stations.csv"
    p.write_text(STATIONS)
    p.chmod(0)
    if os.access(p, os.R_OK):  # root reads anything: make the open fail as it does for a user
        real_open = open

        def no_read(file, *args, **kwargs):
            if str(file) == str(p):
                raise PermissionError(13, "Permission denied", str(p))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr("builtins.open", no_read)
    try:
        with pytest.raises(GeoairInputError, match="permission denied") as err:
            read_stations(p)
        assert err.value.file == str(p)
    finally:
        p.chmod(0o644)


def test_gb18030_tidy_observations(tmp_path):
    p = tmp_path / "gbk.csv"
    text = "监测点编码,time,PM2.5,备注\n1001A,2019-01-01 01:00,12,万寿西宫\n1001A,2019-01-01 02:00,15,北京\n"
    p.write_bytes(text.encode("gb18030"))
    obs = read_observations(p)
    assert obs["pm25"].tolist() == [12.0, 15.0]
    assert obs["备注"].tolist() == ["万寿西宫", "北京"]
    assert obs["time"].tolist() == [ts("2019-01-01 01:00"), ts("2019-01-01 02:00")]


@pytest.mark.parametrize(("zone", "beijing"), [("UTC", "08:00"), ("GMT", "08:00"), ("BJT", "00:00")])
def test_time_zone_names_read(tmp_path, zone, beijing):
    p = tmp_path / "z.csv"
    p.write_text(f"station,time,pm25\n1001A,2019-01-01 00:00 {zone},1\n1001A,2019-01-01 01:00 {zone},2\n")
    obs = read_observations(p)
    assert obs["time"].iloc[0] == ts(f"2019-01-01 {beijing}")
    assert obs["time"].iloc[1] - obs["time"].iloc[0] == pd.Timedelta(hours=1)


def test_time_zone_cst_refused_as_ambiguous(tmp_path):
    p = tmp_path / "cst.csv"
    p.write_text("station,time,pm25\n1001A,2019-01-01 08:00 CST,1\n")
    with pytest.raises(GeoairInputError, match="CST.*China Standard Time") as err:
        read_observations(p)
    assert err.value.column == "time" and err.value.row == [1] and "+08:00" in err.value.fix


def test_cnemc_repeated_station_column(tmp_path):
    p = tmp_path / "china_sites_20190101.csv"
    p.write_text("date,hour,type,1001A,1002A,1001A\r\n"
                 "20190101,0,PM2.5,5,6,50\r\n20190101,0,PM10,7,8,\r\n20190101,1,PM2.5,9,10,90\r\n")
    obs = read_observations(p)
    o = obs.set_index(["station", "time"])
    assert o.loc[("1001A", ts("2019-01-01 00:00")), "pm25"] == 5  # the first column is kept
    assert o.loc[("1001A", ts("2019-01-01 01:00")), "pm25"] == 9
    (entry,) = obs.attrs["droplog"]
    assert entry["column"] == "1001A" and "repeated" in entry["reason"]
    assert DropLog.rows_of(entry).tolist() == [1, 3]  # the copy's two non-empty cells


# ------------------------------------------------------ 11.7: impossible values, PM2.5 > PM10


def test_impossible_values_masked_and_logged(tmp_path):
    p = tmp_path / "imp.csv"
    p.write_text("station,time,pm25,pm10,co,o3\n"
                 "1001A,2019-01-01 01:00,50000,60000,1.0,80\n"   # PM above 10 000 µg/m³
                 "1001A,2019-01-01 02:00,inf,100,1.1,90\n"       # not finite
                 "1001A,2019-01-01 03:00,40,60,151,1300\n"       # CO > 150 mg/m³, O3 > 1200 µg/m³
                 "1001A,2019-01-01 04:00,35,50,2.0,100\n")
    obs = read_observations(p)
    assert obs["pm25"].isna().tolist() == [True, True, False, False]
    assert obs["pm10"].isna().tolist() == [True, False, False, False]
    assert obs["co"].isna().tolist() == [False, False, True, False]
    assert obs["o3"].isna().tolist() == [False, False, True, False]
    got = sorted(zip(obs.attrs["droplog"].to_frame()["row"], obs.attrs["droplog"].to_frame()["column"], strict=True))
    assert got == [(1, "pm10"), (1, "pm25"), (2, "pm25"), (3, "co"), (3, "o3")]
    reasons = " ".join(obs.attrs["droplog"].summary()["reason"])
    assert "plausibility limit 10000" in reasons and "inf" in reasons and "limit 150" in reasons


def test_plausibility_limits_configurable(tmp_path):
    p = tmp_path / "dust.csv"
    p.write_text("station,time,pm25,pm10\n1001A,2021-03-15 08:00,900,12000\n")
    assert np.isnan(read_observations(p)["pm10"].iloc[0])
    assert read_observations(p, limits={"pm10": 20000})["pm10"].iloc[0] == 12000
    assert read_observations(p, limits=False)["pm10"].iloc[0] == 12000
    with pytest.raises(GeoairInputError, match="Valid options"):
        read_observations(p, limits={"pm1": 5})


def test_pm25_above_pm10_beyond_tolerance(tmp_path):
    p = tmp_path / "ratio.csv"
    p.write_text("station,time,PM2.5,PM10\n"
                 "1001A,2019-01-01 01:00,120,80\n"    # 120 > 80 * 1.15 + 10 = 102: PM2.5 masked
                 "1001A,2019-01-01 02:00,100,80\n"    # within tolerance: kept
                 "1001A,2019-01-01 03:00,30,\n")      # no PM10: nothing to compare
    obs = read_observations(p)
    assert obs["pm25"].tolist()[1:] == [100.0, 30.0] and np.isnan(obs["pm25"].iloc[0])
    assert obs["pm10"].tolist()[:2] == [80.0, 80.0]  # PM10 kept
    (entry,) = obs.attrs["droplog"]
    assert entry["column"] == "PM2.5" and entry["rows"] == "1" and entry["sample_values"] == ["120/80"]
    assert "PM10 kept" in entry["reason"]
    assert read_observations(p, pm_tolerance=None)["pm25"].iloc[0] == 120


def test_pm25_above_pm10_in_cnemc_lines(tmp_path):
    p = tmp_path / "china_sites_20190101.csv"
    p.write_text("date,hour,type,1001A,1002A\r\n"
                 "20190101,0,PM2.5,300,20\r\n20190101,0,PM10,100,30\r\n")
    obs = read_observations(p).set_index("station")
    assert np.isnan(obs.loc["1001A", "pm25"]) and obs.loc["1002A", "pm25"] == 20
    (entry,) = obs.attrs["droplog"]
    assert entry["column"] == "1001A" and entry["rows"] == "1" and entry["sample_values"] == ["300/100"]


# -------------------------------------------------------------------- 11.8: ambiguous dates


def test_ambiguous_dates_refused_without_dayfirst(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("station,time,pm25\n1001A,01/02/2019 01:00,1\n1001A,13/01/2019 01:00,2\n")
    with pytest.raises(GeoairInputError, match="ambiguous") as err:
        read_observations(p)
    assert err.value.row == [1] and "dayfirst" in err.value.fix
    obs = read_observations(p, dayfirst=True)
    assert obs["time"].tolist() == [ts("2019-01-13 01:00"), ts("2019-02-01 01:00")]
    obs = read_observations(p, dayfirst=False)  # 13/01 is not month/day: dropped and logged
    assert obs["time"].tolist() == [ts("2019-01-02 01:00")]
    assert obs.attrs["droplog"].to_frame()["row"].tolist() == [2]


def test_mixed_date_orders_refused(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_text("station,time,pm25\n1001A,13/01/2019 01:00,1\n1001A,01/13/2019 02:00,2\n")
    with pytest.raises(GeoairInputError, match="mixes day/month/year and month/day/year"):
        read_observations(p)


def test_proven_day_first_dates_read(tmp_path):
    p = tmp_path / "dmy.csv"
    p.write_text("station,time,pm25\n1001A,13/01/2019 01:00,1\n1001A,25/12/2019 23:00,2\n")
    assert read_observations(p)["time"].tolist() == [ts("2019-01-13 01:00"), ts("2019-12-25 23:00")]


def test_cnemc_iso_dates_accepted(tmp_path):
    lines = "date,hour,type,1001A\r\n2019-01-08,0,PM2.5,11\r\n2019-01-08,1,PM2.5,12\r\n"
    p = tmp_path / "china_sites_20190108.csv"
    p.write_text(lines)
    obs = read_observations(p)
    assert obs["time"].tolist() == [ts("2019-01-08 00:00"), ts("2019-01-08 01:00")]
    assert obs["pm25"].tolist() == [11.0, 12.0] and obs.attrs["droplog"].total() == 0


# --------------------------------------------------------------- 11.10: coordinates per row


def test_sources_rows_outside_china_dropped_and_logged(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("name,lon,lat,category\n"
                 "ok,116.4,39.9,dust\n"
                 "north pole,116.4,86.5,dust\n"      # lat 86.5
                 "null island,0,0,dust\n"            # (0, 0)
                 "america,-116.4,39.9,dust\n"        # lon -116
                 "swapped,39.9,116.4,dust\n"         # lat/lon swapped
                 "ok too,117.2,39.1,coal\n")
    src = read_sources(p, crs="wgs84")
    assert src["name"].tolist() == ["ok", "ok too"]
    frame = src.attrs["droplog"].to_frame()
    assert sorted(frame["row"]) == [2, 3, 4, 5]
    assert frame["column"].isna().all()  # whole rows dropped
    assert any("swapped" in r for r in frame["reason"])
    assert len(src) + src.attrs["droplog"].total(rows_only=True) == 6


def test_station_coordinate_drops_count_as_rows(tmp_path):
    p = tmp_path / "st.csv"
    p.write_text("station,lon,lat\nS1,116.4,39.9\nS2,,\nS3,-,-\nS4,2.35,48.85\n")
    st = read_stations(p)
    log = st.attrs["droplog"]
    assert len(st) == 1
    assert log.total(rows_only=True) == 3 == log.total()  # main: 0 rows (logged as column 'lon/lat')


# ------------------------------------------------------------ 11.11: GeoJSON in metres


def _metres_geojson(path, props):
    feats = [{"type": "Feature", "properties": props,
              "geometry": {"type": "Polygon", "coordinates": [[[12_958_000, 4_852_000], [12_960_000, 4_852_000],
                                                               [12_960_000, 4_854_000], [12_958_000, 4_852_000]]]}}]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def test_geojson_in_metres_without_crs_refused(tmp_path):
    b = _metres_geojson(tmp_path / "b.geojson", {"adcode": "110101", "name": "东城区"})
    with pytest.raises(GeoairInputError, match="outside ±180/±90") as err:
        read_boundaries(b)
    assert "1295" in str(err.value.received)
    s = _metres_geojson(tmp_path / "s.geojson", {"name": "site", "category": "dust"})
    with pytest.raises(GeoairInputError, match="outside ±180/±90"):
        read_sources(s)


# ------------------------------------------------------------- 11.12: the CRS assumed


def test_sources_say_which_crs_was_assumed(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("name,lon,lat,category\nsite,116.4,39.9,dust\n")
    assumed = read_sources(p)
    assert assumed.attrs["params"]["crs_assumed"] is True
    assert "WGS84" in assumed.attrs["crs_note"] and "gcj02" in assumed.attrs["crs_note"]
    given = read_sources(p, crs="wgs84")
    assert given.attrs["params"]["crs_assumed"] is False and "crs_note" not in given.attrs
