"""geoair.datasets: bundled data found offline, checksummed, loaded into the data model.

Expected counts come from each data/*/SOURCE.md (copied from ../shared/data with the cuts stated).
"""

import shutil
from pathlib import Path

import pandas as pd
import pytest

import geoair.datasets as ds
from geoair import GeoairInputError

REPO = Path(__file__).resolve().parents[1]


def _has_obs_readers():
    try:
        from geoair.io import read_observations, read_stations  # noqa: F401
    except ImportError:
        return False
    return True


needs_obs = pytest.mark.skipif(
    not _has_obs_readers(),
    reason="geoair.io.read_observations/read_stations come from the foundation-obs branch (merged by the lead)",
)


def test_bundle_is_complete_small_and_intact(monkeypatch):
    monkeypatch.delenv("GEOAIR_DATA_DIR", raising=False)
    root = ds.data_dir()
    # source checkout (data/) or installed wheel (geoair/_data); GEOAIR_DATA_DIR unset here
    assert root in (REPO / "data", Path(ds.__file__).resolve().parent / "_data")
    names = ds.verify()
    assert len(names) == 12 + 1 + 3 + 31 + 1 + 1 + 1 + 1  # PRSA, stations, boundaries, days, ...
    size = sum((root / n).stat().st_size for n in names)
    assert size < 40e6
    for key in ds.DATASETS:
        assert ds.get_path(key).exists()
    for sub in ("beijing_prsa", "china_boundaries", "china_sites", "china_stations", "firms", "power_plants", "steel_plants"):
        assert (root / sub / "SOURCE.md").is_file()
    days = sorted(p.name for p in ds.get_path("cnemc_2019").glob("*.csv.gz"))
    assert days[0] == "china_sites_20190108.csv.gz" and days[-1] == "china_sites_20190207.csv.gz"


def _partial_copy(tmp_path):
    root = tmp_path / "geoair_data"
    (root / "beijing_prsa").mkdir(parents=True)
    shutil.copy(REPO / "data" / "MANIFEST.sha256", root)
    shutil.copy(REPO / "data" / "beijing_prsa" / "beijing_12_stations.csv", root / "beijing_prsa")
    return root


def test_env_var_lookup_and_corruption(tmp_path, monkeypatch):
    root = _partial_copy(tmp_path)
    monkeypatch.setenv("GEOAIR_DATA_DIR", str(root))
    assert ds.data_dir() == root
    assert ds.get_path("beijing_stations") == root / "beijing_prsa" / "beijing_12_stations.csv"
    f = root / "beijing_prsa" / "beijing_12_stations.csv"
    f.write_text(f.read_text().replace("116.3621", "116.3622"))
    with pytest.raises(GeoairInputError, match="corrupt") as err:
        ds.get_path("beijing_stations")
    assert "GEOAIR_DATA_DIR" in str(err.value)
    with pytest.raises(GeoairInputError, match="missing"):
        ds.get_path("firms_2022")
    monkeypatch.setenv("GEOAIR_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(GeoairInputError, match="GEOAIR_DATA_DIR"):
        ds.data_dir()


def test_unknown_name():
    with pytest.raises(GeoairInputError, match="bth_counties"):
        ds.get_path("nonsense")


def test_beijing_stations():
    st = ds.load_beijing_stations()
    assert st["station"].tolist() == [f"{i:04d}A" for i in range(1001, 1013)]
    assert st.crs.to_epsg() == 4326
    by = st.set_index("station")
    # Dongsi (东四, 1003A) lies in 东城区 110101; Dingling (1002A) is the background site
    assert by.loc["1003A", "name_en"] == "Dongsi" and by.loc["1003A", "adcode"] == "110101"
    assert by["is_background"].sum() == 1 and by.loc["1002A", "is_background"]
    assert by["adcode"].str.startswith("11").all()


def test_bth_counties_firms_and_sources():
    c = ds.load_bth_counties()
    assert len(c) == 199 and c["adcode"].is_unique
    f = ds.load_firms()
    assert len(f) == 2100 and f.attrs["droplog"].total() == 0
    assert len(f.cx[112:122, 32:40]) == 575
    p = ds.load_power_plants()
    assert len(p) == 1121 and (p.loc[p["fuel"] == "Coal", "category"] == "coal").all()
    assert p.attrs["droplog"].total() == 1920
    s = ds.load_steel_plants()
    # 404 plants: 323 with an operating status kept, 81 logged as not operating
    assert len(s) == 323 and s.attrs["droplog"].total() == 81
    assert (s["kind"] == "steel_plant").all() and (s["category"] == "industry").all()
    assert s["weight"].median() == pytest.approx(1.0)
    assert s["capacity_ttpa"].notna().sum() >= 300


@needs_obs
def test_national_stations():
    st = ds.load_national_stations()
    # 2,026 listed; the few without coordinates are in the DropLog, not lost
    assert len(st) + st.attrs["droplog"].total(rows_only=False) == 2026
    assert len(st) > 2000
    assert st.set_index("station").loc["1001A", "name"] == "万寿西宫"


@needs_obs
def test_cnemc_spring_festival_eve():
    obs = ds.load_cnemc_observations(stations=["1001A"], start="2019-02-04 20:00", end="2019-02-05 00:00")
    assert set(obs["station"]) == {"1001A"}
    assert str(obs["time"].dt.tz) == "Asia/Shanghai"
    # china_sites_20190204.csv, type PM2.5, 1001A, hours 20..23: 74, 81, 80, 77 (µg/m³)
    seq = obs["pm25"].tolist()
    assert any(seq[i : i + 4] == [74, 81, 80, 77] for i in range(len(seq) - 3))


@needs_obs
def test_beijing_observations():
    obs = ds.load_beijing_observations()
    # 12 stations x 35,064 hours; every row not returned is in the DropLog
    assert len(obs) + obs.attrs["droplog"].total(rows_only=True) == 12 * 35_064
    assert set(obs["station"]) == {f"{i:04d}A" for i in range(1001, 1013)}
    first = obs[obs["station"] == "1011A"].iloc[0]  # Aotizhongxin, first row: CO 300 µg/m³, WSPM 4.4, NNW
    assert first["co"] == pytest.approx(0.3) and first["ws"] == pytest.approx(4.4)
    assert first["wd"] == pytest.approx(337.5)
    assert isinstance(obs["time"].dtype, pd.DatetimeTZDtype)
