"""target_budget() on constructed years whose answers are known in closed form or by brute force."""

import numpy as np
import pandas as pd
import pytest

from geoair._validation import GeoairInputError
from geoair.standards import target_budget


def _days(start, n, pm25, unit="city", aqi=None):
    d = pd.DataFrame({"station": unit, "date": pd.date_range(start, periods=n, freq="D"),
                      "pm25": pm25})
    if aqi is not None:
        d["aqi"] = aqi
    return d


def test_pm25_budget_closed_form():
    # 300 days at 40 µg/m³ in 2019; 65 days left; annual target 35:
    # x <= (35 * 365 - 40 * 300) / 65 = 775 / 65 = 11.923...
    d = _days("2019-01-01", 300, 40.0, aqi=50)
    r = target_budget(d, 35, 80, 2019).iloc[0]
    assert r["as_of"] == pd.Timestamp("2019-10-27") and r["days_remaining"] == 65
    assert r["pm25_max_remaining_mean"] == pytest.approx(775 / 65)
    assert r["pm25_reachable"]
    # check: staying exactly at that mean gives the target
    annual = (300 * 40 + 65 * r["pm25_max_remaining_mean"]) / 365
    assert annual == pytest.approx(35)
    # unreachable: 300 days at 60 -> needs a negative mean
    r2 = target_budget(_days("2019-01-01", 300, 60.0, aqi=80), 35, 80, 2019).iloc[0]
    assert not r2["pm25_reachable"] and r2["pm25_max_remaining_mean"] < 0


def test_leap_year_and_as_of():
    d = _days("2020-01-01", 366, 30.0, aqi=40)
    r = target_budget(d, 35, 80, 2020, as_of="2020-02-29").iloc[0]
    assert r["days_remaining"] == 366 - 60 and r["pm25_days"] == 60
    assert r["pm25_max_remaining_mean"] == pytest.approx((35 * 366 - 30 * 60) / 306)
    with pytest.raises(GeoairInputError):
        target_budget(d, 35, 80, 2020, as_of="2021-01-05")
    with pytest.raises(GeoairInputError, match="percentage"):
        target_budget(d, 35, 180, 2020)
    with pytest.raises(GeoairInputError, match="not 0.8"):  # a fraction for a percentage
        target_budget(d, 35, 0.8, 2020)


@pytest.mark.parametrize("good,polluted,target", [(250, 54, 80), (200, 104, 70), (280, 24, 85)])
def test_polluted_days_allowed_brute_force(good, polluted, target):
    # Jan 1 .. Oct 31 2019 = 304 days; 61 days remain ("the last two months").
    aqi = np.r_[np.full(good, 60), np.full(polluted, 130)]
    d = _days("2019-01-01", good + polluted, 30.0, aqi=aqi)
    r = target_budget(d, 35, target, 2019).iloc[0]
    assert r["days_remaining"] == 61
    ok = [p for p in range(0, 62) if (good + 61 - p) / 365 >= target / 100 - 1e-12]
    want = max(ok) if ok else None
    if want is None:
        assert not r["good_ratio_reachable"]
    else:
        assert r["polluted_days_allowed"] == want and r["good_ratio_reachable"]
    assert r["good_ratio_to_date"] == pytest.approx(100 * good / (good + polluted))


def test_aqi_computed_when_absent_and_groups():
    # Without an aqi column the daily AQI is computed (HJ 633-2012 for 2019, from PM2.5 alone).
    a = _days("2019-01-01", 304, np.r_[np.full(250, 30.0), np.full(54, 100.0)], unit="A")
    r = target_budget(a, 35, 80, 2019).iloc[0]
    assert r["good_days"] == 250 and r["aqi_days"] == 304
    b = _days("2019-01-01", 304, 50.0, unit="B")
    both = pd.concat([a, b], ignore_index=True).assign(city="X")
    r = target_budget(both, 35, 80, 2019, by="city").iloc[0]
    # city daily mean = station mean: 40 for 250 days, 75 for 54
    assert r["pm25_mean_to_date"] == pytest.approx((250 * 40 + 54 * 75) / 304)
    assert target_budget(a.iloc[:0], 35, 80, 2019).empty
