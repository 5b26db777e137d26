"""read_observations on the real CNEMC and UCI PRSA files and on small bad-input fixtures.

Expected values are read from the raw files inside the tests (csv module, no geoair code) or
quoted from the data's SOURCE.md (row counts, the Spring Festival eve peak).
"""

import csv
import gzip

import numpy as np
import pandas as pd
import pytest

from geoair import DropLog, GeoairInputError
from geoair.io import read_observations
from geoair.io.observations import COMPASS_DEGREES, detect_format
from geoair.schema import CNEMC_TYPES, DERIVED_POLLUTANTS, POLLUTANTS, TIMEZONE

CNEMC = "china_sites_2019jf/china_sites_{}.csv.gz"
PRSA = "beijing_prsa/PRSA_Data_{}_20130301-20170228.csv.gz"


def raw_rows(path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def cnemc_cell(rows, hour, typ, code):
    header = rows[0]
    j = header.index(code)
    for r in rows[1:]:
        if int(r[1]) == hour and r[2] == typ:
            return float(r[j]) if r[j] != "" else np.nan
    raise LookupError((hour, typ, code))


def ts(text):
    return pd.Timestamp(text, tz=TIMEZONE)


# ------------------------------------------------------------------ CNEMC national files


@pytest.fixture(scope="module")
def day(real):
    path = real(CNEMC.format("20190204"))
    return path, read_observations(path), raw_rows(path)


def test_cnemc_day_shape_and_dtypes(day):
    path, obs, rows = day
    n_stations = len(rows[0]) - 3
    assert n_stations == 1605  # SOURCE.md: 1,605 station-code columns
    assert len(rows) - 1 == 24 * 15  # 24 hours x 15 types
    assert len(obs) == 24 * n_stations  # one row per station-hour, none lost
    assert list(obs.columns) == ["station", "time", *POLLUTANTS]
    assert str(obs["time"].dtype) == f"datetime64[ns, {TIMEZONE}]"
    assert obs["station"].nunique() == n_stations
    assert not obs.duplicated(["station", "time"]).any()
    assert obs.equals(obs.sort_values(["station", "time"]))
    assert obs.attrs["droplog"].total() == 0
    # the 9 derived types x 24 hours are deselected, not dropped: recorded in params
    assert obs.attrs["params"]["cnemc_lines_not_requested"] == 9 * 24


def test_cnemc_spot_values_and_hour_ending_time(day):
    path, obs, rows = day
    o = obs.set_index(["station", "time"])
    # hour 0 of file 20190204 is labelled 2019-02-04 00:00 (the hour ending then)
    assert o.loc[("1001A", ts("2019-02-04 00:00")), "pm25"] == cnemc_cell(rows, 0, "PM2.5", "1001A") == 13
    assert o.loc[("1001A", ts("2019-02-04 00:00")), "co"] == cnemc_cell(rows, 0, "CO", "1001A") == 0.4
    for hour, typ, code, col in [(13, "O3", "1011A", "o3"), (23, "NO2", "1029A", "no2"), (7, "SO2", "1003A", "so2")]:
        got = o.loc[(code, ts(f"2019-02-04 {hour:02d}:00")), col]
        want = cnemc_cell(rows, hour, typ, code)
        assert (np.isnan(got) and np.isnan(want)) or got == want
    # every non-empty raw value of the six pollutants is in the output (counts per pollutant)
    for typ, col in [(k, v) for k, v in CNEMC_TYPES.items() if v in POLLUTANTS]:
        n_raw = sum(1 for r in rows[1:] if r[2] == typ for v in r[3:] if v != "")
        assert obs[col].notna().sum() == n_raw, col


def test_cnemc_include_derived(real):
    path = real(CNEMC.format("20190204"))
    stations = pd.DataFrame({"station": ["1001A", "1002A"]})  # a stations frame works as filter
    obs = read_observations(path, stations=stations, include_derived=True)
    assert set(obs.columns) == {"station", "time", *POLLUTANTS, *DERIVED_POLLUTANTS}
    assert len(obs) == 48
    assert obs.attrs["params"]["cnemc_lines_not_requested"] == 0
    # every cell of the two stations, all 15 types x 24 hours, equals the raw file (NaN = empty)
    rows = raw_rows(path)
    o = obs.set_index(["station", "time"])
    for code in ("1001A", "1002A"):
        for r in rows[1:]:
            got = o.loc[(code, ts(f"2019-02-04 {int(r[1]):02d}:00")), CNEMC_TYPES[r[2]]]
            want = cnemc_cell(rows, int(r[1]), r[2], code)
            assert (np.isnan(got) and np.isnan(want)) or got == want, (code, r[1], r[2])


def test_cnemc_missing_hour_is_not_invented(real):
    # SOURCE.md: china_sites_20190203 lacks hour 22
    obs = read_observations(real(CNEMC.format("20190203")), stations=["1001A"])
    assert len(obs) == 23
    assert ts("2019-02-03 22:00") not in set(obs["time"])


def test_cnemc_many_files_glob_and_spring_festival_peak(real):
    beijing = [f"{i}A" for i in range(1001, 1013)]
    obs = read_observations(
        str(real(CNEMC.format("20190204")).parent / "china_sites_2019020[45].csv.gz"), stations=beijing
    )
    assert len(obs) == 2 * 24 * 12
    assert sorted(obs["station"].unique()) == beijing
    # SOURCE.md: Beijing mean rises to 175 µg/m³ at 03:00 on 2019-02-05 (fireworks)
    peak = obs[obs["time"] == ts("2019-02-05 03:00")]["pm25"].mean()
    assert peak == pytest.approx(175.33, abs=0.01)


def test_cnemc_same_file_twice_duplicates_logged(real):
    path = real(CNEMC.format("20190204"))
    obs = read_observations([path, path], stations=["1001A", "1003A"])
    assert len(obs) == 48
    log = obs.attrs["droplog"]
    assert log.total() == 360  # every line of the second copy, (date, hour, type) duplicated
    assert all("duplicate" in r for r in log.summary()["reason"])


def test_cnemc_unknown_station_filter(real):
    with pytest.raises(GeoairInputError, match="None of the requested stations"):
        read_observations(real(CNEMC.format("20190204")), stations=["9999Z"])


# ------------------------------------------------------------------------ UCI PRSA files


@pytest.fixture(scope="module")
def dongsi(real):
    path = real(PRSA.format("Dongsi"))
    return path, read_observations(path), raw_rows(path)


def test_prsa_rows_units_and_station_code(dongsi):
    path, obs, rows = dongsi
    assert len(rows) - 1 == 35064 == len(obs)  # SOURCE.md: 35,064 rows per station
    assert detect_format(path) == "prsa"
    assert set(obs["station"]) == {"1003A"}  # SOURCE.md station mapping: Dongsi = 1003A
    assert list(obs.columns[:8]) == ["station", "time", *POLLUTANTS]
    assert {"ws", "wd", "temp", "pres", "dewp", "rain"} <= set(obs.columns)
    assert obs["time"].iloc[0] == ts("2013-03-01 00:00")
    assert obs["time"].iloc[-1] == ts("2017-02-28 23:00")
    # the only drops: PM2.5 above PM10 * 1.15 + 10 in the same hour (counted from the raw rows)
    header = rows[0]
    i25, i10 = header.index("PM2.5"), header.index("PM10")
    above = [k + 1 for k, r in enumerate(rows[1:])
             if "NA" not in (r[i25], r[i10]) and float(r[i25]) > float(r[i10]) * 1.15 + 10]
    assert len(above) == 987
    log = obs.attrs["droplog"]
    assert log.total() == len(above) and set(log.summary()["column"]) == {"PM2.5"}
    assert sorted(log.to_frame()["row"]) == above
    # NA counts are preserved (no value lost or invented)
    for name, col in [("PM2.5", "pm25"), ("CO", "co"), ("wd", "wd"), ("WSPM", "ws")]:
        j = header.index(name)
        masked = len(above) if col == "pm25" else 0
        assert obs[col].isna().sum() == sum(1 for r in rows[1:] if r[j] == "NA") + masked, name


def test_prsa_spot_row_co_to_mg_and_compass(dongsi):
    path, obs, rows = dongsi
    header = rows[0]
    raw = dict(zip(header, rows[99], strict=True))  # data row 99
    assert raw["No"] == "99"
    got = obs.iloc[98]
    want_time = ts(f"{raw['year']}-{int(raw['month']):02d}-{int(raw['day']):02d} {int(raw['hour']):02d}:00")
    assert got["time"] == want_time
    assert got["pm25"] == float(raw["PM2.5"])
    assert got["co"] == pytest.approx(float(raw["CO"]) / 1000)  # µg/m³ -> mg/m³
    assert np.isnan(got["so2"]) and raw["SO2"] == "NA"
    assert got["wd"] == COMPASS_DEGREES[raw["wd"]]
    assert got["ws"] == float(raw["WSPM"])


def test_compass_table():
    assert COMPASS_DEGREES["N"] == 0 and COMPASS_DEGREES["E"] == 90
    assert COMPASS_DEGREES["SSW"] == 202.5 and COMPASS_DEGREES["NNW"] == 337.5
    assert len(COMPASS_DEGREES) == 16


def test_prsa_and_cnemc_together(real):
    obs = read_observations(
        [real(PRSA.format("Dingling")), real(CNEMC.format("20190204"))],
        stations=["1002A"],
    )
    assert len(obs) == 35064 + 24
    assert obs["station"].unique().tolist() == ["1002A"]
    assert obs["time"].is_monotonic_increasing


# -------------------------------------------------------------------------- tidy tables


def test_tidy_roundtrip_csv_and_parquet(tmp_path, real):
    src = read_observations(real(CNEMC.format("20190204")), stations=["1001A", "1011A"])
    for name, write in [("o.csv", lambda d, p: d.to_csv(p, index=False)),
                        ("o.parquet", lambda d, p: d.to_parquet(p))]:
        p = tmp_path / name
        write(src, p)
        back = read_observations(p)
        pd.testing.assert_frame_equal(back, src)
        assert back.attrs["droplog"].total() == 0


def test_tidy_naive_and_utc_offsets(tmp_path):
    p = tmp_path / "naive.csv"
    p.write_text("station,time,PM2.5,co\n1001A,2019-01-01 08:00,10,0.5\n1001A,2019-01-01 09:00,,0.6\n")
    obs = read_observations(p)
    assert obs["time"].tolist() == [ts("2019-01-01 08:00"), ts("2019-01-01 09:00")]
    assert obs["pm25"].isna().tolist() == [False, True]  # empty row kept as a missing hour
    q = tmp_path / "utc.csv"
    q.write_text("station,time,pm25\n1001A,2019-01-01T00:00:00Z,10\n1001A,2019-01-01T01:00:00Z,11\n")
    assert read_observations(q)["time"].tolist() == [ts("2019-01-01 08:00"), ts("2019-01-01 09:00")]


def test_tidy_duplicates_and_sentinels_logged(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(
        "station,time,pm25,no2,temp\n"
        "1001A,2019-01-01 01:00,10,-999,-5\n"   # row 1: sentinel no2; negative temp is valid
        "1001A,2019-01-01 02:00,9999,20,-999\n"  # row 2: sentinel pm25 and temp
        "1001A,2019-01-01 01:00,12,30,1\n"      # row 3: duplicate of row 1
        "1001A,2019-01-01 03:00,-3,x,2\n"       # row 4: negative pm25, non-numeric no2
    )
    obs = read_observations(p)
    assert len(obs) == 3  # 4 rows in, 1 duplicate dropped
    first = obs.iloc[0]
    assert first["pm25"] == 10 and np.isnan(first["no2"]) and first["temp"] == -5
    frame = obs.attrs["droplog"].to_frame()
    got = sorted(zip(frame["row"], frame["column"].fillna("(row)"), strict=True))
    assert got == sorted([(1, "no2"), (2, "pm25"), (2, "temp"), (3, "(row)"), (4, "pm25"), (4, "no2")])
    summary = obs.attrs["droplog"].summary()
    assert summary["n"].sum() == 6
    entry = next(e for e in obs.attrs["droplog"] if e["column"] == "no2" and 1 in DropLog.rows_of(e))
    assert entry["sample_values"] == ["-999.0"] and entry["index"] == "file_row"
    assert entry["stage"] == "read_observations"


def test_tidy_other_time_spellings(tmp_path):
    p = tmp_path / "slash.csv"
    p.write_text("station,datetime,PM2.5\n1001A,2019/01/01 01:00,1\n1001A,2019-01-01 02:00:00,2\n")
    obs = read_observations(p)
    assert obs["time"].tolist() == [ts("2019-01-01 01:00"), ts("2019-01-01 02:00")]
    assert obs.attrs["droplog"].total() == 0


def test_tidy_mixed_offsets_raise(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_text("station,time,pm25\n1001A,2019-01-01T00:00+08:00,1\n1001A,2019-01-01T00:00+00:00,2\n")
    with pytest.raises(GeoairInputError, match="mixes time zones") as err:
        read_observations(p)
    assert "mixed.csv" in str(err.value) and "Fix:" in str(err.value)
    q = tmp_path / "half.csv"
    q.write_text("station,time,pm25\n1001A,2019-01-01T00:00+08:00,1\n1001A,2019-01-01 01:00,2\n")
    with pytest.raises(GeoairInputError, match="without one"):
        read_observations(q)


def test_duplicates_across_files_keep_the_file_given_first(tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("station,time,pm25\n1001A,2019-01-01 01:00,1\n1001A,2019-01-01 02:00,2\n")
    b.write_text("station,time,pm25\n1001A,2019-01-01 02:00,20\n1001A,2019-01-01 03:00,30\n")
    for first, second, want in [(a, b, 2.0), (b, a, 20.0)]:
        obs = read_observations([first, second])
        assert obs["pm25"].tolist()[1] == want
        (entry,) = obs.attrs["droplog"]
        assert entry["file"] == str(second) and entry["rows"] == ("1" if second is b else "2")


def test_tidy_unparseable_time_and_missing_station_dropped(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("station,time,pm25\n1001A,not a time,1\n,2019-01-01 01:00,2\n1001A,2019-01-01 02:00,3\n")
    obs = read_observations(p)
    assert len(obs) == 1
    assert obs.attrs["droplog"].total() == 2


# ---------------------------------------------------------------------------- bad input


def _tiny_cnemc(path, types=("PM2.5", "PM10"), cell="5"):
    lines = ["date,hour,type,1001A,1002A"]
    for h in (0, 1):
        for t in types:
            lines.append(f"20190101,{h},{t},{cell if (h, t) == (1, types[0]) else '7'},8")
    path.write_text("\r\n".join(lines))
    return path


def test_cnemc_unknown_type_raises(tmp_path):
    p = _tiny_cnemc(tmp_path / "china_sites_20190101.csv", types=("PM2.5", "PM1"))
    with pytest.raises(GeoairInputError, match="Unknown pollutant type") as err:
        read_observations(p)
    assert err.value.column == "type" and err.value.row == [2, 4]


@pytest.mark.parametrize("cell, reason", [("-999", "sentinel"), ("-4", "negative"), ("n/a", "non-numeric")])
def test_cnemc_bad_cells_masked_and_logged(tmp_path, cell, reason):
    p = _tiny_cnemc(tmp_path / "c.csv", cell=cell)
    obs = read_observations(p)
    assert len(obs) == 4
    assert np.isnan(obs.set_index(["station", "time"]).loc[("1001A", ts("2019-01-01 01:00")), "pm25"])
    (entry,) = obs.attrs["droplog"]
    assert reason in entry["reason"] and "pm25" in entry["reason"]
    assert entry["column"] == "1001A" and DropLog.rows_of(entry).tolist() == [3]


def test_file_not_what_it_claims(tmp_path, real):
    with pytest.raises(GeoairInputError, match="looks like 'prsa'"):
        read_observations(real(PRSA.format("Dongsi")), format="cnemc")
    p = tmp_path / "stations.csv"
    p.write_text("监测点编码,监测点名称,城市,经度,纬度\n1001A,万寿西宫,北京,116.36,39.87\n")
    with pytest.raises(GeoairInputError, match="not an observation file"):
        read_observations(p)


def test_missing_column_and_bad_paths(tmp_path):
    p = tmp_path / "prsa_like.csv"
    p.write_text('"No","year","month","day","hour","PM2.5","station"\n1,2013,3,1,0,9,"Atlantis"\n')
    with pytest.raises(GeoairInputError, match="Unknown station name"):
        read_observations(p)
    with pytest.raises(GeoairInputError, match="File not found"):
        read_observations(tmp_path / "nope.csv")
    with pytest.raises(GeoairInputError, match="matched no file"):
        read_observations(str(tmp_path / "china_sites_*.csv"))
    with pytest.raises(ValueError, match="Valid options"):
        read_observations(p, format="excel")


def test_empty_tidy_file_gives_empty_frame(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("station,time,pm25\n")
    obs = read_observations(p)
    assert len(obs) == 0 and {"station", "time", "pm25"} <= set(obs.columns)
    assert str(obs["time"].dtype) == f"datetime64[ns, {TIMEZONE}]"
