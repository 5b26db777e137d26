"""geoair.io.firms: FIRMS MODIS/VIIRS CSVs (standards.md §5; ../shared/data/firms_modis_2022/SOURCE.md)."""


import numpy as np
import pandas as pd
import pytest

from geoair import GeoairInputError
from geoair.io.firms import VIIRS_CONFIDENCE, read_firms

MODIS = "firms_modis_2022/MODIS_C6_1_Global_7d.csv.gz"  # in ../shared/data (skipped when absent)

VIIRS_TEXT = """latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight,type
34.11,114.21,330.5,0.39,0.36,2023-06-01,436,N,VIIRS,n,2.0NRT,290.1,5.1,D,0
34.12,114.22,367.0,0.39,0.36,2023-06-01,5,N20,VIIRS,h,2.0NRT,291.2,12.4,N,2
34.13,114.23,301.2,0.39,0.36,2023-05-31,1759,1,VIIRS,l,2.0NRT,289.0,0.9,N,3
"""


@pytest.fixture(scope="module")
def modis(shared_data):
    return read_firms(shared_data(MODIS))


def test_modis_counts_and_duplicates(modis):
    # SOURCE.md: 52,377 rows, 4 exact duplicate rows (Hawaii, 2022-05-31 11:36 UTC)
    assert len(modis) == 52_377 - 4
    log = modis.attrs["droplog"]
    assert log.total() == 4
    assert log.summary()["reason"].tolist() == ["exact duplicate row (repeated FIRMS granule)"]
    assert modis.crs.to_epsg() == 4326
    # China bbox 73-135.5E, 18-54N: 2,100 detections; BTH bbox 113.4-119.9E, 36-42.7N: 320
    assert len(modis.cx[73:135.5, 18:54]) == 2100
    assert len(modis.cx[113.4:119.9, 36:42.7]) == 320


def test_modis_first_row_and_types(modis):
    # first data row of the file: 18.1563,145.78052,323.39,...,2022-05-28,0043,T,61,6.1NRT,305.21,13.12,D
    r = modis.iloc[0]
    assert r["time_utc"] == pd.Timestamp("2022-05-28 00:43", tz="UTC")
    assert r["time"] == pd.Timestamp("2022-05-28 08:43", tz="Asia/Shanghai")
    assert (r["frp"], r["confidence"], r["confidence_raw"]) == (13.12, 61.0, "61")
    assert (r["satellite"], r["instrument"], r["daynight"], r["version"]) == ("Terra", "MODIS", "D", "6.1NRT")
    assert r["brightness"] == 323.39
    assert pd.isna(r["type"]) and str(modis["type"].dtype) == "Int64"  # NRT file: no type column
    assert str(modis["time"].dtype) == "datetime64[ns, Asia/Shanghai]"
    assert modis["confidence"].between(0, 100).all()
    assert set(modis["satellite"].unique()) == {"Terra", "Aqua"}


def test_modis_north_china_plain(modis):
    # SOURCE.md: NCP (112-122E, 32-40N): 575 detections, peak 2022-05-30 (199, UTC date), median confidence 55
    ncp = modis.cx[112:122, 32:40]
    assert len(ncp) == 575
    per_day = ncp["time_utc"].dt.strftime("%Y-%m-%d").value_counts()
    assert per_day.idxmax() == "2022-05-30" and per_day.max() == 199
    assert ncp["confidence"].median() == 55
    assert ncp["frp"].mean() == pytest.approx(13.6, abs=0.05)


def test_viirs_fixture(tmp_path):
    path = tmp_path / "fire_nrt_SV-C2_test.csv"
    path.write_text(VIIRS_TEXT)
    f = read_firms(path)
    assert len(f) == 3
    assert f["instrument"].tolist() == ["VIIRS"] * 3
    # unpadded HHMM: 436 = 04:36, 5 = 00:05 (standards.md §5)
    assert f["time_utc"].tolist() == [
        pd.Timestamp("2023-06-01 04:36", tz="UTC"),
        pd.Timestamp("2023-06-01 00:05", tz="UTC"),
        pd.Timestamp("2023-05-31 17:59", tz="UTC"),
    ]
    # late-UTC overpass falls on the next Beijing day
    assert f["time"].iloc[2] == pd.Timestamp("2023-06-01 01:59", tz="Asia/Shanghai")
    assert f["confidence"].tolist() == [60.0, 90.0, 20.0]
    assert f["confidence_raw"].tolist() == ["n", "h", "l"]
    assert f["satellite"].tolist() == ["Suomi NPP", "NOAA-20", "NOAA-20"]
    assert f["type"].tolist() == [0, 2, 3]
    assert f["brightness"].tolist() == [330.5, 367.0, 301.2]


def test_viirs_words_and_inferred_instrument(tmp_path):
    # no instrument column: bright_ti4 -> VIIRS; spelled-out classes
    text = VIIRS_TEXT.replace(",instrument", "").replace(",VIIRS", "").replace(",n,", ",nominal,").replace(",h,", ",HIGH,")
    path = tmp_path / "v.csv"
    path.write_text(text)
    f = read_firms(path)
    assert f["instrument"].tolist() == ["VIIRS"] * 3
    assert f["confidence"].tolist() == [VIIRS_CONFIDENCE["nominal"], VIIRS_CONFIDENCE["high"], VIIRS_CONFIDENCE["l"]]
    # the mapped values lie inside the MODIS classes (low 0-29, nominal 30-79, high 80-100)
    assert VIIRS_CONFIDENCE["l"] < 30 <= VIIRS_CONFIDENCE["n"] < 80 <= VIIRS_CONFIDENCE["h"]


def test_empty_file_gives_empty_frame(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,frp,daynight\n")
    f = read_firms(path)
    assert len(f) == 0 and "time" in f and str(f["time"].dtype) == "datetime64[ns, Asia/Shanghai]"


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda t: t.replace(",436,", ",4x6,"), "acq_time"),
        (lambda t: t.replace(",436,", ",2460,"), "acq_time"),
        (lambda t: t.replace("2023-06-01,436", "01/06/2023,436"), "acq_date"),
        (lambda t: t.replace(",n,", ",maybe,"), "confidence"),
        (lambda t: t.replace(",5.1,", ",-5,"), "frp"),
        (lambda t: t.replace("34.11,", "134.11,"), "latitude"),
        (lambda t: t.replace("frp", "power"), "FIRMS active-fire CSV"),
    ],
)
def test_bad_input_errors(tmp_path, edit, match):
    path = tmp_path / "bad.csv"
    path.write_text(edit(VIIRS_TEXT))
    with pytest.raises(GeoairInputError, match=match) as err:
        read_firms(path)
    assert "bad.csv" in str(err.value)


def test_row_numbers_in_errors(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(VIIRS_TEXT.replace(",1759,", ",1799,"))
    with pytest.raises(GeoairInputError) as err:
        read_firms(path)
    assert err.value.row == [3] and err.value.column == "acq_time"
    assert np.isscalar(err.value.row[0])
