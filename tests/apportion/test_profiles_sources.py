"""Heating-season and diurnal profiles for residential coal and traffic (issue 20)."""

import numpy as np
import pandas as pd

from geoair.apportion import profiles as P


def _hours(start, days=7):
    return pd.date_range(start, periods=24 * days, freq="h", tz="Asia/Shanghai") + pd.Timedelta(hours=1)


def test_heating_season_bounds():
    t = pd.DatetimeIndex(["2024-11-14 12:00", "2024-11-15 00:30", "2025-03-15 23:00", "2025-03-16 01:00",
                          "2025-01-10 08:00"]).tz_localize("Asia/Shanghai")
    assert P.heating_season(t).tolist() == [False, True, True, False, True]


def test_residential_coal_peaks_and_season():
    t = _hours("2025-01-06")  # a heating-season week
    a = P.activity("residential_coal", t)
    hour = ((t.hour - 1) % 24).to_numpy()
    by_hour = pd.Series(a).groupby(hour).mean()
    assert by_hour.idxmax() in (7, 18) and by_hour.max() == 1.0
    assert by_hour[3] < 0.5 * by_hour[7]  # banked fire at night
    summer = P.activity("residential_coal", _hours("2025-07-07"))
    np.testing.assert_allclose(summer.max(), 0.1)  # a tenth outside the heating season
    assert P.KIND_PROFILE["village"] == "residential_coal"


def test_traffic_weekday_double_peak_weekend_flatter():
    t = _hours("2025-05-05")  # Monday to Sunday
    a = P.activity("traffic", t)
    hour = ((t.hour - 1) % 24).to_numpy()
    day = (t - pd.Timedelta(hours=1)).day_of_week.to_numpy()
    wk = pd.Series(a[day < 5]).groupby(hour[day < 5]).mean()
    we = pd.Series(a[day >= 5]).groupby(hour[day >= 5]).mean()
    assert wk[8] == 1.0 and wk[17] == 1.0 and wk[3] < 0.1
    assert we[8] < wk[8] and we[12] > wk[12]
    assert P.KIND_PROFILE["highway"] == "traffic"
    # every profile stays within 0-1
    for name in P.PROFILES:
        if name != "fire":
            v = P.activity(name, t)
            assert v.min() >= 0 and v.max() <= 1
