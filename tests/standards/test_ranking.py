"""league_table(): ranks with ties (MEE ranking rule), changes vs last year / last period,
Chinese and English columns."""

import pandas as pd
import pytest

import geoair
from geoair.standards import evaluate, league_table


def _unit(unit, year, pm25):
    dates = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    return pd.DataFrame({"station": unit, "date": dates, "pm25": float(pm25), "pm10": 50.0,
                         "so2": 8.0, "no2": 30.0, "co": 0.8, "o3": 90.0, "o3_8h": 80.0})


@pytest.fixture(scope="module")
def ev():
    d = pd.concat([_unit("A", 2018, 40), _unit("B", 2018, 50), _unit("C", 2018, 60),
                   _unit("A", 2019, 55), _unit("B", 2019, 45), _unit("C", 2019, 45)],
                  ignore_index=True)
    return evaluate(d)


def test_ranks_ties_and_changes(ev):
    t = league_table(ev, lang="en", names={"A": "甲县", "B": "乙县", "C": "丙县"})
    assert t["rank"].tolist() == [1, 1, 3]
    assert t["unit"].tolist() == ["B", "C", "A"]
    assert t["name"].tolist() == ["乙县", "丙县", "甲县"]
    a = t.set_index("unit").loc["A"]
    assert a["rank last year"] == 1 and a["rank change vs last year"] == -2
    assert t.set_index("unit").loc["C", "rank change vs last year"] == 2
    # composite change vs last year: only PM2.5 changed (I = C/35)
    ci18 = ev.set_index(["unit", "period"]).loc[("A", pd.Period("2018", "Y")), "composite"]
    assert a["composite vs last year (%)"] == pytest.approx(100 * ((ci18 + 15 / 35) / ci18 - 1))


def test_chinese_columns_follow_options(ev):
    with geoair.set_options(lang="zh"):
        t = league_table(ev)
    assert {"排名", "综合指数", "优良天数比例(%)", "排名同比变化"} <= set(t.columns)
    assert t["首要污染物"].iloc[0] == "PM2.5"
    t18 = league_table(ev, "2018", lang="zh", sort_by="pm25")
    assert t18["排名"].tolist() == [1, 2, 3] and t18["单位"].tolist() == ["A", "B", "C"]
    with pytest.raises(geoair.GeoairInputError, match="Period"):
        league_table(ev, "2030")
