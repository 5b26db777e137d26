"""league_table(..., adjust="weather"): weather-adjusted ranks side by side with observed ranks."""

import numpy as np
import pandas as pd
import pytest

import geoair
from geoair.deweather.adjust import weather_adjustment
from geoair.standards import evaluate, league_table


def _daily(unit, pm25, so2=8.0):
    dates = pd.date_range("2019-01-01", "2019-12-31", freq="D")
    return pd.DataFrame({"station": unit, "date": dates, "pm25": float(pm25), "pm10": 60.0,
                         "so2": so2, "no2": 30.0, "co": 0.8, "o3": 90.0, "o3_8h": 80.0})


def _normalised(station, pollutant, observed, normalised, hours=24):
    t = pd.date_range("2019-01-01", "2019-12-31", freq="D", tz="Asia/Shanghai")
    return pd.DataFrame({"station": station, "pollutant": pollutant, "time": t,
                         "observed": float(observed), "normalised": float(normalised),
                         "lower": np.nan, "upper": np.nan, "n_obs": hours})


@pytest.fixture(scope="module")
def ev():
    return evaluate(pd.concat([_daily("A", 50), _daily("B", 45), _daily("C", 60)],
                              ignore_index=True))


@pytest.fixture(scope="module")
def norm():
    # A had stagnant weather (normalised below observed), B windy weather, C neutral
    return pd.concat([_normalised("A", "pm25", 50, 40), _normalised("B", "pm25", 45, 48),
                      _normalised("C", "pm25", 60, 60), _normalised("A", "so2", 8, 4)],
                     ignore_index=True)


def test_pm25_ranks_side_by_side(ev, norm):
    full = league_table(ev, lang="en", sort_by="pm25", adjust="weather", normalised=norm)
    t = full.set_index("unit")
    assert t["rank"].to_dict() == {"B": 1, "A": 2, "C": 3}  # observed ranking unchanged
    assert t["rank (weather-adjusted)"].to_dict() == {"A": 1, "B": 2, "C": 3}
    assert t.loc["A", "rank change from weather adjustment"] == 1
    assert t.loc["B", "rank change from weather adjustment"] == -1
    assert t.loc["A", "PM2.5 (µg/m³), weather-adjusted"] == pytest.approx(40.0)
    plain = league_table(ev, lang="en", sort_by="pm25")
    assert list(plain.columns) == [c for c in full.columns if "weather" not in c]


def test_composite_scales_sub_indices_by_weather_factor(ev, norm):
    t = league_table(ev, lang="zh", adjust="weather", normalised=norm).set_index("单位")
    row = ev[ev["unit"] == "A"].iloc[0]
    expect = row["composite"] + row["i_pm25"] * (40 / 50 - 1) + row["i_so2"] * (4 / 8 - 1)
    assert t.loc["A", "综合指数（气象调整后）"] == pytest.approx(expect)
    assert "排名（气象调整后）" in t.columns


def test_grouped_units_need_the_station_table(norm):
    d = pd.concat([_daily("A", 50), _daily("B", 45), _daily("C", 60)], ignore_index=True)
    st = pd.DataFrame({"station": ["A", "B", "C"], "adcode": ["110101", "110101", "110102"]})
    ev = evaluate(d, by="adcode", stations=st)
    with pytest.raises(geoair.GeoairInputError, match="stations table"):
        league_table(ev, sort_by="pm25", adjust="weather", normalised=norm)
    t = league_table(ev, lang="en", sort_by="pm25", adjust="weather", normalised=norm,
                     stations=st).set_index("unit")
    assert t.loc["110101", "PM2.5 (µg/m³), weather-adjusted"] == pytest.approx(44.0)


def test_adjust_errors(ev, norm):
    with pytest.raises(ValueError, match="adjust"):
        league_table(ev, adjust="wind", normalised=norm)
    with pytest.raises(geoair.GeoairInputError, match="normalised series"):
        league_table(ev, adjust="weather")
    with pytest.raises(geoair.GeoairInputError, match="good-day"):
        league_table(ev, sort_by="good_ratio", adjust="weather", normalised=norm)


def test_weather_adjustment_weights_observed_hours():
    a = _normalised("A", "pm25", 50, 40)
    a.loc[a.index < 100, ["observed", "normalised", "n_obs"]] = [100.0, 10.0, 0]
    out = weather_adjustment(a, "2019-01-01", "2019-12-31").iloc[0]
    assert out["observed"] == pytest.approx(50) and out["normalised"] == pytest.approx(40)
    assert out["factor"] == pytest.approx(0.8)
