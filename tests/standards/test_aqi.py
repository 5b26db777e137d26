"""IAQI/AQI against the breakpoint tables of HJ 633-2012, HJ 633-2026 and the US EPA TAD (2024).

Expected values come from the tables as printed in research/standards.md §1.1, §1.3 and §4
(typed again below, independently of geoair.standards.tables) and an exact reference
implementation of HJ 633 formula (1) in rational arithmetic with ``math.ceil``.
"""

import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoair._validation import GeoairInputError
from geoair.standards import aqi, iaqi, round_half_even

IAQI_ROWS = [0, 50, 100, 150, 200, 300, 400, 500]
# HJ 633-2012 Table 1 (research/standards.md §1.1).
T2012 = {
    ("so2", "24h"): [0, 50, 150, 475, 800, 1600, 2100, 2620],
    ("so2", "1h"): [0, 150, 500, 650, 800],
    ("no2", "24h"): [0, 40, 80, 180, 280, 565, 750, 940],
    ("no2", "1h"): [0, 100, 200, 700, 1200, 2340, 3090, 3840],
    ("pm10", "24h"): [0, 50, 150, 250, 350, 420, 500, 600],
    ("co", "24h"): [0, 2, 4, 14, 24, 36, 48, 60],
    ("co", "1h"): [0, 5, 10, 35, 60, 90, 120, 150],
    ("o3", "1h"): [0, 160, 200, 300, 400, 800, 1000, 1200],
    ("o3", "8h"): [0, 100, 160, 215, 265, 800],
    ("pm25", "24h"): [0, 35, 75, 115, 150, 250, 350, 500],
}
# HJ 633-2026 Table 3 (research/standards.md §1.3): only PM at IAQI 100 differs.
T2026 = dict(T2012)
T2026[("pm10", "24h")] = [0, 50, 120, 250, 350, 420, 500, 600]
T2026[("pm25", "24h")] = [0, 35, 60, 115, 150, 250, 350, 500]
TABLES = {"hj633-2012": T2012, "hj633-2026": T2026}


def ref_iaqi(c, pol, avg, std):
    """Exact HJ 633 formula (1) + ceil; 2026 rounds the decimal string half to even first."""
    bps = [Fraction(b) for b in TABLES[std][(pol, avg)]]
    if std == "hj633-2026":
        q = Decimal("0.1") if pol == "co" else Decimal("1")
        x = Fraction(Decimal(str(c)).quantize(q, rounding=ROUND_HALF_EVEN))
    else:
        x = Fraction(str(c))
    if x > bps[-1]:
        if (pol, avg) == ("so2", "1h"):
            return math.nan if std == "hj633-2012" else 200
        if (pol, avg) == ("o3", "8h"):
            return math.nan if std == "hj633-2012" else 300
        return 500
    for i in range(1, len(bps)):
        if x <= bps[i]:
            lo, hi = bps[i - 1], bps[i]
            val = IAQI_ROWS[i - 1] + Fraction(IAQI_ROWS[i] - IAQI_ROWS[i - 1]) / (hi - lo) * (x - lo)
            return math.ceil(val)
    raise AssertionError


def _vectors():
    out = []
    for std, tabs in TABLES.items():
        for (pol, avg), bps in tabs.items():
            step = 0.1 if pol == "co" else 1
            for i, b in enumerate(bps):
                for c in (b - step, b, b + step):
                    if c >= 0:
                        out.append((std, pol, avg, round(c, 1), i if c == b else None))
    return out


VECTORS = _vectors()


def test_vector_count_covers_every_breakpoint():
    # 10 columns x 2 versions; below/at/above every row (below 0 skipped).
    n_bp = sum(len(v) for v in T2012.values()) + sum(len(v) for v in T2026.values())
    assert len(VECTORS) == 3 * n_bp - 20


@pytest.mark.parametrize("std,pol,avg,c,row", VECTORS)
def test_every_breakpoint_below_at_above(std, pol, avg, c, row):
    got = iaqi(c, pol, avg, std)
    want = ref_iaqi(c, pol, avg, std)
    if math.isnan(want):
        assert math.isnan(got)
    else:
        assert got == want
    if row is not None:  # exactly at a breakpoint: the table's IAQI row
        assert got == IAQI_ROWS[row]


@pytest.mark.parametrize(
    "pol,avg,c,v2012,v2026",
    [  # research/standards.md §1.3 "Worked values"
        ("pm25", "24h", 35, 50, 50),
        ("pm25", "24h", 36, 52, 52),
        ("pm25", "24h", 60, 82, 100),
        ("pm25", "24h", 75, 100, 114),
        ("pm25", "24h", 80, 107, 119),
        ("pm10", "24h", 121, 86, 101),
        ("pm10", "24h", 150, 100, 112),
        ("o3", "8h", 161, 101, 101),
        ("co", "24h", 4.5, 103, 103),
    ],
)
def test_worked_examples(pol, avg, c, v2012, v2026):
    assert iaqi(c, pol, avg, "hj633-2012") == v2012
    assert iaqi(c, pol, avg, "hj633-2026") == v2026


def test_float_noise_guard():
    # (100-50)/(60-35)*(36-35)+50 = 52 exactly; a naive ceil of float noise would give 53.
    assert iaqi(36.0, "pm25", "24h", "hj633-2026") == 52
    assert iaqi(np.array([36.0, 61.0]), "pm25", "24h", "hj633-2026").tolist() == [52, 101]


def test_special_rules_above_800():
    # SO2 1-h > 800: 2012 no IAQI (report 24-h), 2026 IAQI 200; O3 8-h > 800: 2012 none, 2026 300.
    assert np.isnan(iaqi(801, "so2", "1h", "hj633-2012"))
    assert iaqi(801, "so2", "1h", "hj633-2026") == 200
    assert np.isnan(iaqi(900, "o3_8h", "8h", "hj633-2012"))
    assert iaqi(900, "o3", "8h", "hj633-2026") == 300
    hourly = pd.DataFrame({"so2": [1000.0], "so2_24h": [700.0], "no2": [10.0], "co": [0.5],
                           "o3": [900.0], "o3_8h": [850.0], "pm25_24h": [10.0],
                           "pm10_24h": [10.0]})
    r12 = aqi(hourly, "1h", "hj633-2012")
    assert r12["iaqi_so2"].iloc[0] == ref_iaqi(700, "so2", "24h", "hj633-2012")  # 182
    assert np.isnan(r12["iaqi_o3_8h"].iloc[0])
    assert r12["aqi"].iloc[0] == ref_iaqi(900, "o3", "1h", "hj633-2012") == 350
    r26 = aqi(hourly.rename(columns={"pm25_24h": "pm25", "pm10_24h": "pm10"}), "1h", "hj633-2026")
    assert r26["iaqi_so2"].iloc[0] == 200


def test_2026_rounding_half_even():
    # GB/T 8170: 35.5 -> 36 (52), 36.5 -> 36 (52), 34.5 -> 34 (49); CO 4.05 -> 4.0, 4.15 -> 4.2
    assert iaqi([35.5, 36.5, 34.5], "pm25", "24h", "hj633-2026").tolist() == [52, 52, 49]
    assert iaqi([4.05, 4.15], "co", "24h", "hj633-2026").tolist() == [100, 101]
    # 2012: no concentration rounding: 35.5 -> 50.625 -> 51; CO 4.05 -> 100.25 -> 101
    assert iaqi(35.5, "pm25", "24h", "hj633-2012") == 51
    assert iaqi(4.05, "co", "24h", "hj633-2012") == 101


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=3000, places=3), st.sampled_from([0, 1]))
def test_round_half_even_matches_decimal(x, d):
    want = float(x.quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_EVEN))
    assert round_half_even(float(x), d) == want


# ------------------------------------------------------------------- US EPA (TAD 2024)
EPA = {  # research/standards.md §4 table, native units
    ("o3", "8h"): [(0.000, 0.054, 0, 50), (0.055, 0.070, 51, 100), (0.071, 0.085, 101, 150),
                   (0.086, 0.105, 151, 200), (0.106, 0.200, 201, 300)],
    ("o3", "1h"): [(0.125, 0.164, 101, 150), (0.165, 0.204, 151, 200), (0.205, 0.404, 201, 300),
                   (0.405, 0.604, 301, 500)],
    ("pm25", "24h"): [(0.0, 9.0, 0, 50), (9.1, 35.4, 51, 100), (35.5, 55.4, 101, 150),
                      (55.5, 125.4, 151, 200), (125.5, 225.4, 201, 300), (225.5, 325.4, 301, 500)],
    ("pm10", "24h"): [(0, 54, 0, 50), (55, 154, 51, 100), (155, 254, 101, 150),
                      (255, 354, 151, 200), (355, 424, 201, 300), (425, 604, 301, 500)],
    ("co", "8h"): [(0.0, 4.4, 0, 50), (4.5, 9.4, 51, 100), (9.5, 12.4, 101, 150),
                   (12.5, 15.4, 151, 200), (15.5, 30.4, 201, 300), (30.5, 50.4, 301, 500)],
    ("so2", "1h"): [(0, 35, 0, 50), (36, 75, 51, 100), (76, 185, 101, 150), (186, 304, 151, 200)],
    ("so2", "24h"): [(305, 604, 201, 300), (605, 1004, 301, 500)],
    ("no2", "1h"): [(0, 53, 0, 50), (54, 100, 51, 100), (101, 360, 101, 150),
                    (361, 649, 151, 200), (650, 1249, 201, 300), (1250, 2049, 301, 500)],
}
EPA_VECTORS = [(p, a, lo, hi, ilo, ihi) for (p, a), rows in EPA.items()
               for lo, hi, ilo, ihi in rows]


@pytest.mark.parametrize("pol,avg,lo,hi,ilo,ihi", EPA_VECTORS)
def test_epa_every_breakpoint(pol, avg, lo, hi, ilo, ihi):
    assert iaqi(lo, pol, avg, "us-epa-2024", units="native") == ilo
    assert iaqi(hi, pol, avg, "us-epa-2024", units="native") == ihi
    mid = Fraction(str(lo)) + (Fraction(str(hi)) - Fraction(str(lo))) / 2
    step = {"o3": "0.001", "co": "0.1", "pm25": "0.1"}.get(pol, "1")
    mid = (mid // Fraction(step)) * Fraction(step)  # truncated like the EPA does
    exact = Fraction(ihi - ilo) / (Fraction(str(hi)) - Fraction(str(lo))) * (mid - Fraction(str(lo))) + ilo
    assert iaqi(float(mid), pol, avg, "us-epa-2024", units="native") == math.floor(exact + Fraction(1, 2))


@pytest.mark.parametrize(
    "pol,avg,c,want",
    [  # EPA TAD (May 2024) worked examples, research/standards.md §4
        ("o3", "8h", 0.07853333, 126),  # truncated to 0.078 -> 125.5 -> 126 (half up)
        ("pm25", "24h", 35.9, 102),
        ("co", "8h", 8.4, 90),
        # research note quotes 148 for this TAD example; formula (1) on the 2024 1-h table gives
        # 49/0.039 * 0.037 + 101 = 147.49 -> 147, which is what we assert.
        ("o3", "1h", 0.162, 147),
        ("pm25", "24h", 12.0, 56),  # 2024 PM2.5 update (was 50 before 2024)
        ("pm25", "24h", 55.5, 151),
    ],
)
def test_epa_worked_examples(pol, avg, c, want):
    assert iaqi(c, pol, avg, "us-epa-2024", units="native") == want


def test_epa_edges_and_units():
    assert np.isnan(iaqi(0.124, "o3", "1h", "us-epa-2024", units="native"))
    assert np.isnan(iaqi(0.201, "o3", "8h", "us-epa-2024", units="native"))
    assert np.isnan(iaqi(305, "so2", "1h", "us-epa-2024", units="native"))
    # above the top row: extrapolate with the last segment (TAD)
    assert iaqi(425.4, "pm25", "24h", "us-epa-2024") == math.floor(
        (500 - 301) / (325.4 - 225.5) * (425.4 - 225.5) + 301 + 0.5)
    # geoair units: O3 µg/m³ / 1962 -> ppm; 0.078 ppm = 153.036 µg/m³
    assert iaqi(0.078 * 1962, "o3", "8h", "us-epa-2024") == 126
    day = pd.DataFrame({"pm25": [35.9], "o3_8h": [0.078 * 1962], "co": [8.4 * 1.145]})
    r = aqi(day, standard="us-epa-2024", missing="available")
    assert r["aqi"].iloc[0] == 126 and r["primary"].iloc[0] == "o3_8h"
    assert r["category_en"].iloc[0] == "Unhealthy for Sensitive Groups"
    with pytest.raises(GeoairInputError):
        aqi(day, "1h", "us-epa-2024")


def test_shapes_preserved():
    assert isinstance(iaqi(50, "pm25", "24h", "hj633-2012"), float)
    arr = iaqi(np.array([[10, 20], [30, 40]]), "pm25", "24h", "hj633-2012")
    assert arr.shape == (2, 2)
    s = pd.Series([10.0, np.nan, 80.0], index=list("abc"), name="pm25")
    out = iaqi(s, "pm25", "24h", "hj633-2012")
    assert list(out.index) == list("abc") and np.isnan(out["b"]) and out["c"] == 107
    df = pd.DataFrame({"x": [10.0, 80.0], "y": [35.0, 75.0]})
    assert iaqi(df, "pm25", "24h", "hj633-2012").to_numpy().tolist() == [[15, 50], [107, 100]]
    assert np.isnan(iaqi(-1.0, "pm25", "24h", "hj633-2012"))


def test_date_aware_selection():
    idx = pd.to_datetime(["2026-02-28", "2026-03-01"])
    s = pd.Series([75.0, 75.0], index=idx)
    assert iaqi(s, "pm25", "24h").tolist() == [100, 114]
    day = pd.DataFrame({"date": idx, "pm25": [75.0, 75.0], "pm10": [10.0, 10], "so2": [5.0, 5],
                        "no2": [5.0, 5], "co": [0.5, 0.5], "o3_8h": [50.0, 50], "o3": [60.0, 60]})
    r = aqi(day)
    assert r["aqi"].tolist() == [100, 114]
    assert r["standard"].astype(str).tolist() == ["hj633-2012", "hj633-2026"]
    # hourly: the hour labelled 2026-03-01 00:00 is the last hour of 2026-02-28
    t = pd.to_datetime(["2026-03-01 00:00", "2026-03-01 01:00"]).tz_localize("Asia/Shanghai")
    h = pd.DataFrame({"time": t, "pm25": [75.0, 75.0], "pm25_24h": [75.0, 75.0],
                      "pm10": [10.0, 10.0]})
    with pytest.warns(UserWarning, match="pm10"):
        r = aqi(h, "1h", missing="available")
    assert r["aqi"].tolist() == [100, 114]


LEVELS = [(0, 1, "优", "#00E400"), (50, 1, "优", "#00E400"), (51, 2, "良", "#FFFF00"),
          (100, 2, "良", "#FFFF00"), (101, 3, "轻度污染", "#FF7E00"),
          (150, 3, "轻度污染", "#FF7E00"), (151, 4, "中度污染", "#FF0000"),
          (200, 4, "中度污染", "#FF0000"), (201, 5, "重度污染", "#99004C"),
          (300, 5, "重度污染", "#99004C"), (301, 6, "严重污染", "#7E0023"),
          (500, 6, "严重污染", "#7E0023")]


def test_categories_colours_at_every_boundary():
    # HJ 633 Table 2 (research/standards.md §1.2). CO 24-h in mg/m³ whose IAQI equals the AQI.
    target = np.array([v[0] for v in LEVELS], float)
    co = np.interp(target, IAQI_ROWS, T2012[("co", "24h")])
    df = pd.DataFrame({"co": co, "o3": 0.0})
    r = aqi(df, standard="hj633-2012", missing="available")
    assert r["aqi"].tolist() == [v[0] for v in LEVELS]
    assert r["level"].tolist() == [v[1] for v in LEVELS]
    assert r["category_zh"].astype(str).tolist() == [v[2] for v in LEVELS]
    assert r["colour"].astype(str).tolist() == [v[3] for v in LEVELS]
    assert r["category_en"].iloc[-1] == "Severely polluted"


def _day(**kw):
    base = {"pm25": 10.0, "pm10": 10.0, "so2": 5.0, "no2": 5.0, "co": 0.2, "o3_8h": 20.0,
            "o3": 30.0}
    base.update(kw)
    return pd.DataFrame({k: [v] for k, v in base.items()})


def test_primary_ties_and_exceedance():
    # PM2.5 80 -> 107 and PM10 164 -> 107 (2012): joint primary pollutants
    r = aqi(_day(pm25=80.0, pm10=164.0), standard="hj633-2012")
    assert r["aqi"].iloc[0] == 107
    assert r["primary"].iloc[0] == "pm25,pm10"
    assert r["exceed"].iloc[0] == "pm25,pm10"
    # PM2.5 at 45 (2012: IAQI 63) primary; NO2 90 (IAQI 105) would be exceedance & primary
    r = aqi(_day(pm25=45.0, no2=90.0), standard="hj633-2012")
    assert r["primary"].iloc[0] == "no2" and r["exceed"].iloc[0] == "no2"
    # AQI <= 50: no primary pollutant
    assert aqi(_day(), standard="hj633-2012")["primary"].iloc[0] == ""
    # 2026: no exceedance pollutants
    assert pd.isna(aqi(_day(pm25=80.0), standard="hj633-2026")["exceed"].iloc[0])


def test_missing_pollutant_rule_2026():
    # §5.3: a missing pollutant -> AQI published only if the others give AQI > 100
    low = aqi(_day(so2=np.nan), standard="hj633-2026")
    assert pd.isna(low["aqi"].iloc[0]) and low["iaqi_pm25"].iloc[0] == 15
    high = aqi(_day(so2=np.nan, pm25=80.0), standard="hj633-2026")
    assert high["aqi"].iloc[0] == 119
    assert not high["complete"].iloc[0]
    avail = aqi(_day(so2=np.nan), standard="hj633-2026", missing="available")
    assert avail["aqi"].iloc[0] == 15


def test_daily_2012_includes_o3_1h_max_2026_does_not():
    d = _day(o3=250.0, o3_8h=100.0)  # O3 1-h 250 -> IAQI 125 (2012), 8-h 100 -> 50
    assert aqi(d, standard="hj633-2012")["aqi"].iloc[0] == 125
    assert aqi(d, standard="hj633-2026")["aqi"].iloc[0] == 50


def test_bad_inputs():
    with pytest.raises(GeoairInputError, match="Unknown pollutant"):
        iaqi(1, "pm1", "24h", "hj633-2012")
    with pytest.raises(ValueError, match="Valid options"):
        iaqi(1, "pm25", "24h", "hj633-2099")
    with pytest.raises(GeoairInputError, match="no IAQI"):
        iaqi(1, "pm25", "1h", "hj633-2012")
    empty = aqi(pd.DataFrame({"pm25": pd.Series(dtype=float)}), standard="hj633-2026")
    assert len(empty) == 0 and "aqi" in empty


def test_category_follows_lang_option():
    import geoair

    d = _day(pm25=80.0)
    assert aqi(d, standard="hj633-2012")["category"].iloc[0] == "Lightly polluted"
    with geoair.set_options(lang="zh"):
        assert aqi(d, standard="hj633-2012")["category"].iloc[0] == "轻度污染"


def test_unreported_aqi_is_logged_and_units_attached():
    day = pd.DataFrame({"pm25": [30.0, 200.0], "date": pd.to_datetime(["2019-01-10", "2019-01-11"])})
    r = aqi(day, standard="hj633-2026")  # others missing: AQI 43 is not reported, 250 is (§5.3)
    assert pd.isna(r["aqi"].iloc[0]) and r["aqi"].iloc[1] == 250
    (entry,) = r.attrs["droplog"]
    assert entry["rows"] == "0" and entry["column"] == "aqi" and entry["index"] == "position"
    assert r.attrs["units"]["aqi"] == "1" and r.attrs["units"]["iaqi_pm25"] == "1"
    assert aqi(day, standard="hj633-2026", missing="available").attrs["droplog"].total() == 0
