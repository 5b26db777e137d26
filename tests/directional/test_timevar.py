"""Tests for time_variation. Expected means: direct pandas groupby (openair's Mean is the plain
mean per hour/weekday/month/weekday-hour, openair_algorithms.md section 3)."""

from __future__ import annotations

import numpy as np
import pytest

from geoair.directional.timevar import time_variation


def test_means_equal_groupby(mydata):
    tv = time_variation(mydata, ["pm10", "no2"], B=20)
    d = mydata.dropna(subset=["pm10"])
    h = d.groupby(d.date.dt.hour)["pm10"].mean()
    got = tv[(tv.panel == "hour") & (tv.pollutant == "pm10")]
    np.testing.assert_allclose(got["mean"].to_numpy(), h.to_numpy(), rtol=1e-12)
    wk = d.groupby(d.date.dt.day_of_week)["pm10"].mean()
    got = tv[(tv.panel == "weekday") & (tv.pollutant == "pm10")]
    np.testing.assert_allclose(got["mean"].to_numpy(), wk.to_numpy(), rtol=1e-12)
    hw = d.groupby([d.date.dt.day_of_week, d.date.dt.hour])["pm10"].mean()
    got = tv[(tv.panel == "hour_weekday") & (tv.pollutant == "pm10")]
    np.testing.assert_allclose(got["mean"].to_numpy(), hw.to_numpy(), rtol=1e-12)
    assert (got["lower"] <= got["mean"]).all() and (got["upper"] >= got["mean"]).all()
    assert set(tv.panel) == {"hour", "weekday", "month", "hour_weekday"}


def test_bootstrap_ci_width_matches_standard_error(mydata):
    tv = time_variation(mydata, "pm10", B=400, random_state=1)
    t = time_variation(mydata, "pm10", ci="t")
    a = tv[tv.panel == "month"]
    b = t[t.panel == "month"]
    # the percentile bootstrap of a mean approximates mean +- 1.96 se for n in the thousands
    np.testing.assert_allclose((a.upper - a.lower).to_numpy(), (b.upper - b.lower).to_numpy(), rtol=0.2)
    assert time_variation(mydata, "pm10", B=10, random_state=3).equals(
        time_variation(mydata, "pm10", B=10, random_state=3))


def test_needs_time(mydata):
    with pytest.raises(ValueError, match="time"):
        time_variation(mydata.drop(columns="date"), "pm10")
