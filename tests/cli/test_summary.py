"""`geoair summary`: counts printed for given files and for the bundled data."""

import importlib.util
import re
import sys
import types
from pathlib import Path

import pytest

from geoair.cli import main
from geoair.io import read_observations, read_stations

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def _real(bundled: str, shared: str) -> Path:
    """The repository's bundled copy of a real file, else the one in ../shared/data."""
    path = ROOT / "data" / bundled
    return path if path.is_file() else SHARED / shared


DAY = _real("china_sites/china_sites_20190204.csv.gz", "china_sites_2019jf/china_sites_20190204.csv.gz")
LIST = _real("china_stations/station_list_2022-02-13.csv", "china_stations/station_list_2022-02-13.csv")
DONGSI = "PRSA_Data_Dongsi_20130301-20170228.csv.gz"
PRSA = _real(f"beijing_prsa/{DONGSI}", f"beijing_prsa/{DONGSI}")
BEIJING = _real("beijing_prsa/beijing_12_stations.csv", "beijing_prsa/beijing_12_stations.csv")


@pytest.fixture(scope="module")
def shared_data():
    missing = [p for p in (DAY, LIST, PRSA, BEIJING) if not p.is_file()]
    if missing:
        pytest.skip(f"real data files missing from data/ and ../shared/data: {missing}")


def test_summary_of_given_files_en(shared_data, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("station,time,pm25\n1001A,2019-02-04 01:00,-999\n1001A,2019-02-04 01:00,5\n")
    assert main(["summary", "-o", str(DAY), str(bad), "-s", str(LIST), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    # 1,605 stations x 24 hours (SOURCE.md); the tidy file's station-hour duplicates one of them
    assert "stations: 1605" in out
    assert "hours: 24" in out
    assert "station-hours: 38520" in out
    assert "2019-02-04 00:00:00+08:00 .. 2019-02-04 23:00:00+08:00" in out
    assert "pm25: sentinel value" in out and "duplicate station-hour" in out
    # 1 masked value + both tidy rows, which repeat 1001A 01:00 of the CNEMC file given first
    assert "dropped or masked: 3" in out
    # stations block: 2,026 listed, 10 without coordinates dropped (SOURCE.md)
    assert "stations: 2016" in out and "closed stations: 76" in out
    assert "dropped or masked: 10" in out


def test_summary_completeness_matches_data(shared_data, capsys):
    assert main(["summary", "-o", str(DAY)]) == 0
    out = capsys.readouterr().out
    obs = read_observations(DAY)
    share = 100 * obs["pm25"].notna().mean()
    assert re.search(rf"PM2.5\s+{share:.1f} %", out)


def test_summary_chinese(shared_data, capsys):
    assert main(["summary", "-s", str(LIST), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "监测站点" in out and "站点数: 2016" in out and "已停运站点: 76" in out


def test_summary_bad_file_exit_code(tmp_path, capsys):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    assert main(["summary", "-o", str(p)]) == 2
    assert "not an observation file" in capsys.readouterr().err


def test_summary_default_uses_bundled_loaders(shared_data, capsys, monkeypatch):
    # the loaders of geoair.datasets, stood in for by readers of the same real files
    fake = types.ModuleType("geoair.datasets")
    fake.load_beijing_observations = lambda: read_observations(PRSA)
    fake.load_cnemc_observations = lambda: read_observations(DAY)
    fake.load_national_stations = lambda: read_stations(LIST)
    fake.load_beijing_stations = lambda: read_stations(BEIJING)
    monkeypatch.setitem(sys.modules, "geoair.datasets", fake)
    import geoair

    monkeypatch.setattr(geoair, "datasets", fake, raising=False)
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "station-hours: 35064" in out  # PRSA: 35,064 rows
    assert "station-hours: 38520" in out
    assert "stations: 2016" in out
    assert "stations: 12" in out and "background stations: 1" in out
    assert "wind speed" in out


@pytest.mark.skipif(
    importlib.util.find_spec("geoair.datasets") is None,
    reason="geoair.datasets (bundled data) is merged from the foundation-geo branch",
)
def test_summary_default_on_real_bundled_data(capsys):
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "Observations" in out and "Stations" in out
