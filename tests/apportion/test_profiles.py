"""Activity profiles and the festival calendar (Lunar New Year from the Chinese calendar:
2019 Spring Festival 5 Feb, eve 4 Feb; Lantern Festival 19 Feb 2019)."""

import pandas as pd

from geoair.apportion import profiles as p


def test_festival_nights_2019():
    n = p.festival_nights([2019])
    eve = n[n.festival == "lunar_new_year_eve"].iloc[0]
    assert eve.start == pd.Timestamp("2019-02-04 18:00", tz="Asia/Shanghai")
    lan = n[n.festival == "lantern"].iloc[0]
    assert lan.start.date() == pd.Timestamp("2019-02-19").date()


def test_table_covers_2013_2030():
    assert set(p.LUNAR_NEW_YEAR) == set(range(2013, 2031))


def test_profiles_shapes():
    t = pd.date_range("2019-02-04 01:00", periods=48, freq="h", tz="Asia/Shanghai")
    fest = p.activity("festival", t)
    assert fest[t.get_loc(pd.Timestamp("2019-02-05 01:00", tz="Asia/Shanghai"))] == 1
    assert fest[t.get_loc(pd.Timestamp("2019-02-04 12:00", tz="Asia/Shanghai"))] == 0
    assert p.activity("heating", t).min() == 1.0  # February is in the heating season
    day = p.activity("daytime", t)
    assert day[3] == 0.05 and day[11] == 1.0  # 03-04 h vs 11-12 h
    fire = p.activity("fire", t, fire_time=pd.Timestamp("2019-02-04 05:30", tz="UTC"))
    assert fire.argmax() == t.get_loc(pd.Timestamp("2019-02-04 14:00", tz="Asia/Shanghai"))
