"""Tests for wind/pollution/percentile roses.

Expected values: openair 2.17 windRose calm share on mydata, 213 / 64,901 hours (the count that
includes missing directions; openair_algorithms.md section 3), the 37 true calms of mydata
(SOURCE.md), R's ``pretty()`` outputs (R documentation examples) and direct pandas recounts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoair.directional.roses import percentile_rose, pollution_rose, r_pretty, wind_rose


def test_wind_rose_calms_openair_and_correct(mydata):
    oa = wind_rose(mydata, openair_calms=True)
    assert oa.attrs["n_calm"] == 213 and oa.attrs["n_total"] == 64901
    assert oa["calm"].iloc[0] == pytest.approx(100 * 213 / 64901)
    ok = wind_rose(mydata)
    assert ok.attrs["n_calm"] == 37  # SOURCE.md: 37 hours with ws == 0
    # every non-calm hour with a direction is in exactly one sector/interval
    last = ok[[c for c in ok.columns if c.startswith("Interval")][-1]].sum()
    assert last + ok["calm"].iloc[0] == pytest.approx(100.0)


def test_wind_rose_counts_by_hand(mydata):
    r = wind_rose(mydata, openair_calms=True)
    d = mydata[["ws", "wd"]].dropna()
    d = d[d.ws > 0]
    sec = 30 * np.ceil(d.wd / 30 - 0.5)
    sec[sec == 0] = 360
    # (0, 2] m/s share in the 210 degree sector, denominator = hours with a speed
    n = ((sec == 210) & (d.ws <= 2)).sum()
    assert r.loc[r.wd == 210, "Interval1"].iloc[0] == pytest.approx(100 * n / 64901)
    assert r["count"].sum() == len(d)


def test_r_pretty_matches_r():
    # values printed by R 4.x: pretty(c(0, 1)); pretty(c(1, 56), 6); pretty(c(-3.2, 7.9))
    np.testing.assert_allclose(r_pretty(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    np.testing.assert_allclose(r_pretty(1, 56, 6), [0, 10, 20, 30, 40, 50, 60])
    np.testing.assert_allclose(r_pretty(-3.2, 7.9), [-4, -2, 0, 2, 4, 6, 8])


def test_pollution_rose_breaks(mydata):
    r = pollution_rose(mydata, "pm10")
    z = mydata.loc[mydata.ws.notna(), "pm10"].dropna()
    b = r.attrs["breaks"]
    assert b[-1] == z.max() and b[0] <= z.min()
    assert b[:-1] == list(r_pretty(z.min(), np.quantile(z, 0.9), 6))


def test_percentile_rose_by_hand(mydata):
    r = percentile_rose(mydata, "pm10")
    d = mydata[["ws", "wd", "pm10"]]
    d = d[~((d.ws == 0) & (d.wd == 0))].dropna(subset=["wd", "pm10"])
    sec = 10 * np.ceil(d.wd / 10 - 0.5)
    sec[sec == 0] = 360
    z = d.pm10[sec == 220]
    row = r[r.wd == 220].iloc[0]
    assert row["p90"] == np.quantile(z, 0.9) and row["mean"] == pytest.approx(z.mean())
    assert list(r.columns[:7]) == ["wd", "p0", "p25", "p50", "p75", "p90", "p95"]
    assert r["n"].sum() == len(d)


def test_empty_wind_rose():
    r = wind_rose(pd.DataFrame({"ws": [np.nan], "wd": [np.nan]}))
    assert r.empty


def test_pollution_rose_counts_by_hand(mydata):
    r = pollution_rose(mydata, "pm10")
    b = r.attrs["breaks"]
    d = mydata[mydata.ws.notna()]
    assert r.attrs["n_total"] == 64901 and r.attrs["n_calm"] == 213  # as the wind rose
    sec = 30 * np.ceil(d.wd / 30 - 0.5)
    sec[sec == 0] = 360
    ok = (d.ws > 0) & d.wd.notna()
    n = (ok & (sec == 240) & (d.pm10 > b[0]) & (d.pm10 <= b[1])).sum()
    assert r.loc[r.wd == 240, "Interval1"].iloc[0] == pytest.approx(100 * n / 64901)


def test_percentile_rose_pads_empty_sectors():
    d = pd.DataFrame({"wd": [90.0, 90.0, 180.0], "pm10": [1.0, 3.0, 5.0]})
    r = percentile_rose(d, "pm10", ws=None)
    assert len(r) == 36 and r.loc[r.wd == 10, "mean"].isna().all()
    assert r.loc[r.wd == 90, "p50"].iloc[0] == 2.0
