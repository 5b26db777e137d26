"""evaluate(): HJ 663 statistics, capture, good-day ratio, composite index, ranks, year-on-year.

References: research/standards.md §2.2 (percentile example 6.5), §2.4 (composite example
4.3417), GB 3095 Table 4 (capture); Beijing PRSA annual statistics reproduced independently."""

import warnings

import numpy as np
import pandas as pd
import pytest
from _standards_data import read_prsa as _read_prsa

from geoair.standards import composite_index, daily, evaluate, percentile

T12 = {  # HJ 633-2012 Table 1, typed for the independent AQI
    "pm25": ([0, 35, 75, 115, 150, 250, 350, 500]),
    "pm10": ([0, 50, 150, 250, 350, 420, 500, 600]),
    "so2": ([0, 50, 150, 475, 800, 1600, 2100, 2620]),
    "no2": ([0, 40, 80, 180, 280, 565, 750, 940]),
    "co": ([0, 2, 4, 14, 24, 36, 48, 60]),
    "o3": ([0, 160, 200, 300, 400, 800, 1000, 1200]),
    "o3_8h": ([0, 100, 160, 215, 265, 800]),
}
ROWS = [0, 50, 100, 150, 200, 300, 400, 500]


def test_percentile_hj663_example_and_numpy():
    assert percentile([3, 4, 8, 2, 5, 4], 90) == pytest.approx(6.5)
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = rng.gamma(2, 30, size=rng.integers(1, 400))
        for p in (90, 95, 98):
            assert percentile(x, p) == pytest.approx(np.percentile(x, p), rel=1e-12)
    assert np.isnan(percentile([np.nan], 90))


def test_composite_index_example_and_weights():
    c = {"so2": 10, "no2": 35, "pm10": 70, "pm25": 35, "co": 1.2, "o3_8h": 160}
    assert composite_index(c) == pytest.approx(4.3417, abs=5e-5)
    # weights are a parameter (PM2.5 x3 adds 2 x I_pm25 = 2)
    assert composite_index(c, weights={"pm25": 3}) == pytest.approx(6.3417, abs=5e-5)
    # 2026 divisors (GB 3095-2026 transitional Grade II): PM10 60, PM2.5 30
    assert composite_index(c, standard="hj633-2026") == pytest.approx(
        10 / 60 + 35 / 40 + 70 / 60 + 35 / 30 + 1.2 / 4 + 1)


def _year(unit, year, pm25, n_days=None, **extra):
    dates = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    if n_days is not None:
        dates = dates[:n_days]
    d = pd.DataFrame({"station": unit, "date": dates, "pm25": float(pm25), "pm10": 40.0,
                      "so2": 5.0, "no2": 20.0, "co": 0.5, "o3": 60.0, "o3_8h": 50.0})
    for k, v in extra.items():
        d[k] = v
    return d


def test_capture_rules():
    full = _year("A", 2019, 30)
    assert evaluate(full)["capture_ok"].item()
    # February with 24 valid days fails (needs 25); 25 passes
    for n_bad, ok in ((4, False), (3, True)):
        d = full.copy()
        feb = d.index[d["date"].dt.month == 2][:n_bad]
        d.loc[feb, ["pm25", "pm10", "so2", "no2"]] = np.nan
        assert evaluate(d)["capture_ok"].item() is ok
    # Every month at its minimum (27 valid days, February 25) gives 11*27 + 25 = 322 < 324:
    # each month passes, the year fails.
    d = full.copy()
    keep = np.where(d["date"].dt.month == 2, 25, 27)
    pos = d.groupby(d["date"].dt.month).cumcount().to_numpy()
    d.loc[pos >= keep, "pm25"] = np.nan
    assert d["pm25"].notna().sum() == 322
    assert evaluate(d)["capture_ok"].item() is False
    assert evaluate(d, period="month")["capture_ok"].all()
    assert evaluate(d, period="quarter")["capture_ok"].all()


def test_good_ratio_counts_rank_and_yoy():
    a19 = _year("A", 2019, 30)
    a19.loc[a19.index[:73], "pm25"] = 120.0  # 120 -> IAQI 157 (2012): polluted, not heavy
    a19.loc[a19.index[:10], "pm25"] = 260.0  # 260 -> IAQI 310: severe
    b19 = _year("B", 2019, 30)
    c19 = _year("C", 2019, 30)
    a20 = _year("A", 2020, 24)
    d = pd.concat([a19, b19, c19, a20], ignore_index=True)
    e = evaluate(d).set_index(["unit", e_p := "period"])
    r = e.loc[("A", pd.Period("2019", "Y"))]
    assert r["n_days"] == 365 and r["polluted_days"] == 73 and r["severe_days"] == 10
    assert r["heavy_days"] == 10 and r["good_days"] == 365 - 73
    assert r["good_ratio"] == pytest.approx(100 * 292 / 365)
    # ties share a rank: B and C identical -> both 1, A -> 3
    ranks = e.xs(pd.Period("2019", "Y"), level=e_p)["rank"]
    assert ranks.to_dict() == {"A": 3, "B": 1, "C": 1}
    a20r = e.loc[("A", pd.Period("2020", "Y"))]
    mean19 = (63 * 120 + 10 * 260 + 292 * 30) / 365
    assert a20r["pm25_yoy_pct"] == pytest.approx(100 * (24 / mean19 - 1))
    assert a20r["good_ratio_yoy_pp"] == pytest.approx(100 - 100 * 292 / 365)


def test_groups_dust_and_droplog():
    a = _year("A", 2019, 30, adcode="110101")
    b = _year("B", 2019, 50, adcode="110101")
    c = _year("C", 2019, 70, adcode="110102")
    d = pd.concat([a, b, c], ignore_index=True)
    g = evaluate(d, by="adcode").set_index("unit")
    assert g.loc["110101", "pm25"] == pytest.approx(40.0)
    assert g.loc["110102", "pm25"] == pytest.approx(70.0)
    # stations table supplies the grouping column
    st = pd.DataFrame({"station": ["A", "B", "C"], "city": ["x", "x", "y"]})
    g2 = evaluate(d, by="city", stations=st).set_index("unit")
    assert g2.loc["x", "pm25"] == pytest.approx(40.0)
    # dust exclusion: dusty days (PM10 600) removed from the statistics and logged
    dd = d.copy()
    dd["dust"] = False
    dd.loc[dd["date"].dt.month == 4, ["pm10", "dust"]] = [600.0, True]
    with_dust = evaluate(dd).set_index("unit")
    no_dust = evaluate(dd, exclude_dust="dust").set_index("unit")
    assert with_dust.loc["A", "polluted_days"] == 30 and no_dust.loc["A", "polluted_days"] == 0
    assert no_dust.loc["A", "n_days"] == 335
    assert no_dust.attrs["droplog"].total() == 90
    by_dates = evaluate(dd, exclude_dust=pd.date_range("2019-04-01", "2019-04-30"))
    assert by_dates["polluted_days"].sum() == 0


def _iaqi12(c, p):
    with np.errstate(invalid="ignore"):
        v = np.ceil(np.interp(c, T12[p], ROWS[: len(T12[p])]) - 1e-9)
    if p == "o3_8h":
        v = np.where(c > 800, np.nan, v)
    return np.where(np.isnan(c), np.nan, v)


def test_beijing_annual_statistics_match_independent():
    obs = pd.concat([_read_prsa("Dongsi"), _read_prsa("Huairou")], ignore_index=True)
    d = daily(obs)
    e = evaluate(d).set_index(["unit", "period"])
    d = d.assign(year=d["date"].dt.year)
    iaqis = np.column_stack([_iaqi12(d[p].to_numpy(float), p) for p in T12])
    with warnings.catch_warnings():  # all-NaN days give NaN, as intended
        warnings.simplefilter("ignore", RuntimeWarning)
        d["aqi_ref"] = np.nanmax(iaqis, axis=1)
    for (st, yr), g in d.groupby(["station", "year"]):
        r = e.loc[(st, pd.Period(str(yr), "Y"))]
        assert r["pm25"] == pytest.approx(g["pm25"].mean(), rel=1e-12)
        assert r["no2"] == pytest.approx(g["no2"].mean(), rel=1e-12)
        assert r["co_p95"] == pytest.approx(np.percentile(g["co"].dropna(), 95), rel=1e-12)
        assert r["o3_8h_p90"] == pytest.approx(np.percentile(g["o3_8h"].dropna(), 90), rel=1e-12)
        valid = g["aqi_ref"].notna()
        assert r["n_days"] == valid.sum()
        assert r["good_days"] == (g["aqi_ref"] <= 100).sum()
        assert r["heavy_days"] == (g["aqi_ref"] > 200).sum()
        ci = (g["so2"].mean() / 60 + g["no2"].mean() / 40 + g["pm10"].mean() / 70
              + g["pm25"].mean() / 35 + np.percentile(g["co"].dropna(), 95) / 4
              + np.percentile(g["o3_8h"].dropna(), 90) / 160)
        assert r["composite"] == pytest.approx(ci, rel=1e-12)
    # 2015 at Dongsi: full year of data; a published-style sanity check on magnitude
    r15 = e.loc[("Dongsi", pd.Period("2015", "Y"))]
    assert r15["capture_ok"] and 60 < r15["pm25"] < 110


def test_custom_period_and_single_unit():
    d = pd.concat([_year("A", 2019, 30), _year("B", 2019, 50)], ignore_index=True)
    e = evaluate(d, period=("2019-03-01", "2019-05-31"), by=None)
    assert len(e) == 1 and e["unit"].item() == "all"
    assert e["period"].item() == "2019-03-01/2019-05-31"
    assert e["n_days"].item() == 92 and e["pm25"].item() == pytest.approx(40.0)
    assert e["capture_ok"].item()
    assert evaluate(d.iloc[:0]).empty


def test_input_errors_are_explained():
    from geoair._validation import GeoairInputError

    hourly = pd.DataFrame({"station": ["A"], "time": [pd.Timestamp("2019-01-01 01:00")],
                           "pm25": [1.0]})
    with pytest.raises(GeoairInputError, match="daily"):
        evaluate(hourly)
    with pytest.raises(ValueError, match="Valid options"):
        evaluate(_year("A", 2019, 30), standard="us-epa-2024")
    with pytest.raises(ValueError, match="Valid options"):
        evaluate(_year("A", 2019, 30), period="decade")
    with pytest.raises(GeoairInputError, match="adcode"):
        evaluate(_year("A", 2019, 30), by="adcode")
