"""Episode rules on constructed series and on the bundled CNEMC 2019 files.

Real-data expectations: Spring Festival eve 2019 (night of 4-5 Feb) fireworks in Beijing
(ACP 22:11089, 2022); the 11-14 January 2019 North China haze (PM2.5 > 500 µg/m³ at most
Beijing stations on the night of 12-13 January, visible in the CNEMC files themselves).
"""

import numpy as np
import pandas as pd
import pytest

from geoair.apportion import detect_episodes


def _frame(n_st=4, hours=48, start="2019-03-01 01:00", **cols):
    t = pd.date_range(start, periods=hours, freq="h", tz="Asia/Shanghai")
    df = pd.DataFrame({"station": np.repeat([f"S{i}" for i in range(n_st)], hours), "time": np.tile(t, n_st)})
    for k, v in cols.items():
        df[k] = np.resize(np.asarray(v, float), len(df))
    return df


def test_dust_rule():
    df = _frame(pm25=40.0, pm10=80.0)
    df.loc[5, ["pm25", "pm10"]] = [60.0, 400.0]  # ratio 0.15, PM10 400
    df.loc[6, ["pm25", "pm10"]] = [150.0, 200.0]  # haze: ratio 0.75
    ep = detect_episodes(df)
    assert ep["dust"].tolist()[5] and not ep["dust"].tolist()[6]
    assert ep["dust"].sum() == 1


def test_stagnation_needs_low_wind_and_high_pm():
    df = _frame(pm25=120.0, pm10=150.0, ws=0.8)
    df.loc[df.station == "S1", "ws"] = 4.0
    ep = detect_episodes(df)
    assert ep.loc[df.station == "S0", "stagnation"].iloc[6:].all()
    assert not ep.loc[df.station == "S1", "stagnation"].any()


def test_fireworks_rule_constructed():
    df = _frame(hours=36, start="2019-02-04 01:00", pm25=30.0, so2=5.0)
    spike = (df.time >= pd.Timestamp("2019-02-05 00:00", tz="Asia/Shanghai")) & (
        df.time <= pd.Timestamp("2019-02-05 03:00", tz="Asia/Shanghai"))
    df.loc[spike, ["pm25", "so2"]] = [150.0, 12.0]
    ep = detect_episodes(df)
    assert ep["fireworks"].sum() == spike.sum()
    # the same spike on an ordinary night is not fireworks
    df2 = df.copy()
    df2["time"] = df2["time"] + pd.Timedelta(days=3)
    assert detect_episodes(df2)["fireworks"].sum() == 0


def test_empty_and_missing_logged():
    df = _frame(pm25=10.0).iloc[:0]
    assert detect_episodes(df).empty
    df = _frame(pm25=10.0)
    df.loc[0, "pm25"] = np.nan
    assert detect_episodes(df).attrs["droplog"].total() == 1


@pytest.fixture(scope="module")
def beijing_2019():
    from geoair import datasets

    return datasets.load_cnemc_observations(stations=[f"10{i:02d}A" for i in range(1, 13)],
                                            start="2019-01-10", end="2019-02-06")


def test_real_spring_festival_eve_2019_fireworks(beijing_2019):
    ep = detect_episodes(beijing_2019)
    night = (ep.time > pd.Timestamp("2019-02-04 18:00", tz="Asia/Shanghai")) & (
        ep.time <= pd.Timestamp("2019-02-05 06:00", tz="Asia/Shanghai"))
    fw = ep[night & ep.fireworks]
    assert fw["station"].nunique() >= 9  # most of the 12 Beijing stations
    assert ep.loc[~night, "fireworks"].sum() == 0


def test_real_january_2019_haze_regional(beijing_2019):
    ep = detect_episodes(beijing_2019)
    haze = (ep.time >= pd.Timestamp("2019-01-12 18:00", tz="Asia/Shanghai")) & (
        ep.time <= pd.Timestamp("2019-01-13 03:00", tz="Asia/Shanghai"))
    assert ep.loc[haze, "regional"].mean() > 0.7
    clean = (ep.time >= pd.Timestamp("2019-01-13 12:00", tz="Asia/Shanghai")) & (
        ep.time <= pd.Timestamp("2019-01-13 16:00", tz="Asia/Shanghai"))
    assert not ep.loc[clean, "regional"].any()
    assert not ep["stagnation"].any()  # no wind in the national files: never claimed
