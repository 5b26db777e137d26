"""The briefing's weather-adjusted league table (geoair.briefing._weather)."""

import subprocess
import sys

import pandas as pd
import pytest

from geoair.briefing._model import Briefing, _Run
from geoair.briefing._weather import MIN_DAYS, weather_sections
from geoair.datasets import load_beijing_observations, load_beijing_stations


def _run(tmp_path, obs, stations, lang="en"):
    counties = pd.DataFrame({"adcode": stations["adcode"].astype(str).unique()})
    counties["name"] = "county " + counties["adcode"]
    return _Run(cfg={"analysis": {"pollutant": "pm25", "random_state": 0}}, lang=lang,
                out_dir=tmp_path, res=Briefing(out_dir=tmp_path, report=tmp_path / "b.html"),
                inp={"obs": obs, "stations": stations, "counties": counties})


@pytest.fixture(scope="module")
def prsa():
    obs = load_beijing_observations()
    last = obs["time"].max() - pd.Timedelta(days=MIN_DAYS + 5)
    sub = obs[obs["station"].isin(["1001A", "1003A"]) & (obs["time"] > last)]
    return sub, load_beijing_stations()


def test_observed_and_weather_ranks_side_by_side(prsa, tmp_path):
    obs, st = prsa
    run = _run(tmp_path, obs, st)
    (sec,) = weather_sections(run)
    table = sec.table
    rank_cols = [c for c in table.columns if "rank" in c.lower()]
    assert len(rank_cols) >= 2  # observed rank and weather-adjusted rank
    n = len(table)
    assert n == st.loc[st["station"].isin(obs["station"].unique()), "adcode"].nunique()
    for c in rank_cols[:2]:
        assert set(table[c].dropna().astype(int)) <= set(range(1, n + 1))
    assert "2016-03-01" in sec.note and "2017-02-28" in sec.note
    assert table.filter(like="PM2.5").notna().all().all()
    assert "league_table_weather" in run.res.tables


def test_left_out_with_the_reason(prsa, tmp_path):
    obs, st = prsa
    no_met = obs[["station", "time", "pm25"]]
    run = _run(tmp_path, no_met, st)
    assert weather_sections(run) == [] and "meteorology" in run.res.omitted["weather"]
    short = obs[obs["time"] > obs["time"].max() - pd.Timedelta(days=MIN_DAYS - 30)]
    run = _run(tmp_path, short, st, lang="zh")
    assert weather_sections(run) == [] and str(MIN_DAYS) in run.res.omitted["weather"]


def test_the_check_for_meteorology_does_not_load_scikit_learn():
    # the default briefing (no meteorology) must not pay for importing the models
    code = ("import sys, pandas as pd; from geoair.briefing._weather import _why_not; "
            "r = _why_not(pd.DataFrame({'time': pd.to_datetime(['2019-01-01']), 'pm25': [1.0]}),"
            " 'pm25', 'en'); print('meteorology' in r, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
