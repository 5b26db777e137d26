"""Every reader, fed random bytes, truncated files and text in random encodings, either reads the
file or raises GeoairInputError: no other exception escapes (issue 11 acceptance).

Each reader gets a small valid file of each format it accepts (built here); hypothesis then
writes (a) random bytes, (b) a prefix of the valid file cut at a random byte, (c) the valid
text re-encoded in a random codec, under the same name, and calls the reader.
"""

import gzip
import io
import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoair import GeoairInputError
from geoair.io import (
    read_boundaries,
    read_firms,
    read_observations,
    read_sources,
    read_stations,
    read_wind,
)
from geoair.io.sources import read_gem_steel, read_gppd

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEXT = {
    "tidy.csv": "station,time,PM2.5,备注\n1001A,2019-01-01 01:00,12,万寿西宫\n1001A,2019-01-01 02:00,15,北京\n",
    "cnemc.csv": "date,hour,type,1001A,1002A\n20190101,0,PM2.5,5,6\n20190101,0,PM10,7,8\n",
    "prsa.csv": '"No","year","month","day","hour","PM2.5","PM10","station"\n1,2013,3,1,0,9,12,"Dongsi"\n',
    "stations.csv": "监测点编码,监测点名称,城市,经度,纬度,对照点\n1001A,万寿西宫,北京,116.366,39.8673,N\n",
    "firms.csv": ("latitude,longitude,brightness,acq_date,acq_time,satellite,confidence,frp,daynight\n"
                  "39.1,116.5,320.1,2022-05-28,0436,T,80,12.5,D\n"),
    "sources.csv": "名称,经度,纬度,类别\n工地A,116.40,39.90,扬尘\n电厂B,116.50,40.00,燃煤\n",
    "gppd.csv": ("country,name,gppd_idnr,capacity_mw,latitude,longitude,primary_fuel\n"
                 "CHN,Plant A,CHN001,600,39.9,116.4,Coal\n"),
    "gem.csv": "Plant ID,Plant name (English),Coordinates,status\nP1,Steel A,\"39.9, 116.4\",operating\n",
    "boundary.geojson": json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"adcode": "110101", "name": "东城区"},
        "geometry": {"type": "Polygon", "coordinates": [[[116.3, 39.8], [116.5, 39.8], [116.5, 40.0],
                                                          [116.3, 39.8]]]}}]}, ensure_ascii=False),
    "sources.geojson": json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "工地A", "category": "dust"},
        "geometry": {"type": "Point", "coordinates": [116.4, 39.9]}}]}, ensure_ascii=False),
}


def _binary_seeds(folder: Path) -> dict[str, bytes]:
    """Valid binary files: Parquet, Excel, NetCDF, GeoPackage."""
    import geopandas as gpd
    import xarray as xr

    out = {}
    tidy = pd.read_csv(io.StringIO(TEXT["tidy.csv"]))
    tidy.to_parquet(folder / "tidy.parquet")
    pd.read_csv(io.StringIO(TEXT["stations.csv"]), dtype=str).to_parquet(folder / "stations.parquet")
    pd.read_csv(io.StringIO(TEXT["sources.csv"])).to_excel(folder / "sources.xlsx", index=False)
    t = pd.date_range("2019-01-10", periods=2, freq="h")
    xr.Dataset({"u10": (("time", "latitude", "longitude"), np.ones((2, 2, 2))),
                "v10": (("time", "latitude", "longitude"), np.ones((2, 2, 2)))},
               coords={"time": t, "latitude": [39.0, 40.0], "longitude": [116.0, 117.0]}).to_netcdf(folder / "wind.nc")
    gpd.read_file(io.StringIO(TEXT["boundary.geojson"])).to_file(folder / "boundary.gpkg")
    for name in ("tidy.parquet", "stations.parquet", "sources.xlsx", "wind.nc", "boundary.gpkg"):
        out[name] = (folder / name).read_bytes()
    return out


# seed name, file name the reader sees, reader
CASES = [
    ("tidy.csv", "obs.csv", read_observations),
    ("tidy.csv", "obs.csv.gz", read_observations),
    ("cnemc.csv", "china_sites_20190101.csv", read_observations),
    ("prsa.csv", "PRSA_Data_Dongsi.csv.gz", read_observations),
    ("tidy.parquet", "obs.parquet", read_observations),
    ("stations.csv", "stations.csv", read_stations),
    ("stations.csv", "stations.csv.gz", read_stations),
    ("stations.parquet", "stations.parquet", read_stations),
    ("firms.csv", "firms.csv", read_firms),
    ("firms.csv", "firms.csv.gz", read_firms),
    ("sources.csv", "sources.csv", read_sources),
    ("sources.xlsx", "sources.xlsx", read_sources),
    ("sources.geojson", "sources.geojson", read_sources),
    ("gppd.csv", "gppd.csv", read_gppd),
    ("gem.csv", "gem.csv", read_gem_steel),
    ("boundary.geojson", "boundary.geojson", read_boundaries),
    ("boundary.geojson", "boundary.geojson.gz", read_boundaries),
    ("boundary.gpkg", "boundary.gpkg", read_boundaries),
    ("wind.nc", "wind.nc", read_wind),
]
CODECS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", "gb18030", "gbk", "big5", "shift_jis", "latin-1", "cp1252"]


@pytest.fixture(scope="module")
def seeds():
    folder = Path(tempfile.mkdtemp(prefix="geoair-seeds-"))
    out = {name: text.encode("utf-8") for name, text in TEXT.items()}
    out.update(_binary_seeds(folder))
    return out


def _call(reader, folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") and not data.startswith(b"\x1f\x8b") else data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # third-party warnings about odd files are not the question
        try:
            reader(path)
        except GeoairInputError:
            pass


@pytest.mark.parametrize(("seed", "name", "reader"), CASES, ids=[c[1] + "-" + c[2].__name__ for c in CASES])
def test_valid_seed_reads(seeds, tmp_path, seed, name, reader):
    path = tmp_path / name
    path.write_bytes(gzip.compress(seeds[seed]) if name.endswith(".gz") else seeds[seed])
    result = reader(path)
    assert len(result) > 0 if hasattr(result, "__len__") else result is not None


@pytest.mark.parametrize(("seed", "name", "reader"), CASES, ids=[c[1] + "-" + c[2].__name__ for c in CASES])
@SETTINGS
@given(data=st.data())
def test_damaged_files_raise_only_geoair_errors(seeds, seed, name, reader, data):
    valid = gzip.compress(seeds[seed]) if name.endswith(".gz") else seeds[seed]
    kind = data.draw(st.sampled_from(["random", "truncated", "encoding"]))
    if kind == "random":
        blob = data.draw(st.binary(min_size=0, max_size=400))
    elif kind == "truncated":
        blob = valid[: data.draw(st.integers(0, max(len(valid) - 1, 0)))]
    else:
        if seed not in TEXT:
            blob = valid[: data.draw(st.integers(0, len(valid)))] + data.draw(st.binary(max_size=50))
        else:
            codec = data.draw(st.sampled_from(CODECS))
            blob = TEXT[seed].encode(codec, errors="replace")
            blob = gzip.compress(blob) if name.endswith(".gz") else blob
    with tempfile.TemporaryDirectory() as tmp:
        _call(reader, Path(tmp), name, blob)
