"""Timings of the geo readers and wind sampling (foundation-geo). Run: python benchmarks/bench_geo_readers.py"""

import time
from pathlib import Path

import numpy as np
import pandas as pd

from geoair.io.boundaries import read_boundaries
from geoair.io.era5 import read_wind, wind_from_stations
from geoair.io.firms import read_firms
from geoair.met.wind import sample_wind

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def timed(label, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - t:.2f} s")
    return out


wind = timed("read_wind ERA5 pl 925 hPa (201x321)", lambda: read_wind(SHARED / "era5_wind" / "era5_pl_uvw_20210720T03_eastasia.nc", level=925))
rng = np.random.default_rng(0)
n = 1_000_000
lon, lat = rng.uniform(80, 160, n), rng.uniform(5, 55, n)
timed(f"sample_wind {n:,} points", lambda: sample_wind(wind, lon, lat, pd.Timestamp("2021-07-20 03:00")))
timed("read_firms global 7-day MODIS (52,377 rows)", lambda: read_firms(SHARED / "firms_modis_2022" / "MODIS_C6_1_Global_7d.csv.gz"))
timed("read_boundaries cnmaps GCJ-02 BTH folder -> WGS84 (215 files)", lambda: read_boundaries(SHARED / "china_boundaries" / "amap_gcj02_bth", crs="gcj02"))

hours = pd.date_range("2013-03-01 01:00", periods=24 * 365, freq="h", tz="Asia/Shanghai")
st = pd.DataFrame({"station": [f"S{i}" for i in range(12)], "lon": rng.uniform(116, 116.7, 12), "lat": rng.uniform(39.8, 40.3, 12)})
obs = pd.DataFrame({
    "station": np.repeat(st["station"].to_numpy(), hours.size),
    "time": np.tile(hours, 12),
    "ws": rng.uniform(0, 8, 12 * hours.size),
    "wd": rng.uniform(0, 360, 12 * hours.size),
})
out = timed(f"wind_from_stations 12 stations x {hours.size} h", lambda: wind_from_stations(obs, st))
print("grid", dict(out.sizes))
