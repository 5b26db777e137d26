"""When to inspect: windows from the hourly contributions (hand count, synthetic truth), fires, stations."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from dispatch_world import window_world

from geoair.dispatch import fire_windows, hour_day_profile, inspection_windows, source_hourly


def _one_source(values_by_hour, days=21, category="industry"):
    times = pd.date_range("2024-01-01 01:00", periods=24 * days, freq="h", tz="Asia/Shanghai")
    hb = (times - pd.Timedelta(hours=1)).hour
    con = pd.DataFrame({"station": "1001A", "time": times, "category": category,
                        "pm25": np.asarray(values_by_hour, float)[hb]})
    pr = pd.DataFrame({"source_id": ["s1"], "station": ["1001A"], "category": [category], "kind": ["steel_plant"],
                       "group": ["source"]})
    return pr, con


def test_window_and_shares_match_a_hand_count():
    # 10 µg/m³ from 22:00 to 02:00 (hour beginning; 12 at 23:00), 1 otherwise: the 4-h window holds 42/62
    vals = np.ones(24)
    vals[[22, 23, 0, 1]] = [10.0, 12.0, 10.0, 10.0]
    pr, con = _one_source(vals)
    w = inspection_windows(pr, con).iloc[0]
    assert (w["window_start"], w["window_end"], w["window_hours"]) == (22, 2, "22:00-02:00")
    assert w["hours_share"] == pytest.approx(42 / 62) and w["window_share"] == pytest.approx(42 / 62)
    assert w["window_days"] == "all" and w["peak_hour"] == 23 and w["n_days"] == 21
    assert w["window_basis"] == "category_profile"  # no sources layer: the category's own pattern
    w2 = inspection_windows(pr, con, hours=2).iloc[0]
    assert w2["window_hours"] == "22:00-00:00" and w2["hours_share"] == pytest.approx(22 / 62)


def test_weekday_pattern_is_found_and_shares_restricted_to_those_days():
    times = pd.date_range("2024-01-01 01:00", periods=24 * 42, freq="h", tz="Asia/Shanghai")
    begin = times - pd.Timedelta(hours=1)
    c = np.where((begin.hour >= 4) & (begin.hour < 7) & (begin.day_of_week < 5), 6.0, 0.5)
    hourly = pd.DataFrame({"source_id": "s", "time": times, "contribution": c})
    w = inspection_windows(pd.DataFrame({"source_id": ["s"], "group": ["source"]}), hourly=hourly, hours=3).iloc[0]
    assert w["window_hours"] == "04:00-07:00" and w["window_days"] == "weekdays"
    total_week = 5 * 3 * 6.0 + (7 * 24 - 15) * 0.5  # per week: 5 days x 3 h at 6, the rest 0.5
    assert w["window_share"] == pytest.approx(5 * 3 * 6.0 / total_week)
    assert w["hours_share"] == pytest.approx((15 * 6.0 + 6 * 0.5) / total_week)  # weekend mornings too


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_windows_recover_the_true_hours_of_each_source(seed):
    """Synthetic truth: the category series split by plume share gives each source's own window."""
    d = window_world(seed)
    est = inspection_windows(d["priority"], d["contributions"], sources=d["sources"], stations=d["stations"],
                             observations=d["observations"])
    true = inspection_windows(d["priority"], hourly=d["truth"])
    m = est.merge(true, on="source_id", suffixes=("", "_true")).set_index("source_id")
    assert (m["window_hours"] == m["window_hours_true"]).all()
    assert np.allclose(m["window_share"], m["window_share_true"], atol=0.02)
    assert (m["window_basis"] == "plume_share").all()
    # the night boiler is caught at night, the dawn site before 07:00
    assert m.loc["boiler_night", "window_start"] in (21, 22, 23)
    assert m.loc["site_dawn", "window_hours"] == "03:00-07:00"


def test_split_adds_up_to_the_category_and_follows_the_wind():
    d = window_world(0, days=14)
    h = source_hourly(d["priority"], d["contributions"], sources=d["sources"], stations=d["stations"],
                      observations=d["observations"])
    coal = h[h["category"] == "coal"].groupby("time")["contribution"].sum()
    cat = d["contributions"].query("category == 'coal'").set_index("time")["pm25"]
    exposed = coal > 0
    assert np.allclose(coal[exposed], cat.reindex(coal.index)[exposed], rtol=1e-9)
    # hours the estimator cannot give to any source (no coal source upwind under its plume model) are rare
    assert cat.reindex(coal.index)[~exposed].sum() < 0.02 * cat.sum()
    no_wind = source_hourly(d["priority"], d["contributions"], sources=d["sources"], stations=d["stations"])
    assert set(no_wind["basis"]) == {"plume_share_no_wind"}


def test_profile_fallback_and_errors():
    pr, con = _one_source(np.ones(24), category="coal")
    pr["kind"] = "power_plant"  # constant profile in a category whose default is heating (0.15 outside winter)
    con["time"] = con["time"] + pd.Timedelta(days=150)  # June: heating profile 0.15
    h = source_hourly(pr, con)
    assert h["contribution"].to_numpy() == pytest.approx(np.full(len(con), 1 / 0.15))
    with pytest.raises(Exception, match="not in the sources layer"):
        src = gpd.GeoDataFrame({"source_id": ["other"], "category": ["coal"]}, geometry=gpd.points_from_xy([116], [40]),
                               crs="EPSG:4326")
        source_hourly(pr, con, sources=src, stations=None)
    with pytest.raises(ValueError, match="Valid options"):
        inspection_windows(pr, con, hours=0)


def test_fire_clusters_get_overpasses_and_burning_window():
    rows = pd.DataFrame({"source_id": ["fire-0", "fire-1"], "group": "fire_cluster", "kind": "fire_cluster",
                         "lon_wgs84": [116.4, 116.4], "lat_wgs84": [39.9, 39.9]})
    nominal = fire_windows(rows).set_index("source_id")
    # 10:30 solar time at 116.4 E is 10:44 Beijing time; 13:30 -> 13:44
    assert nominal.loc["fire-0", "overpass"].startswith("Terra 10:44, Aqua 13:44, VIIRS 13:44; Terra 22:44")
    assert nominal.loc["fire-0", "window_hours"] == "12:00-18:00"
    pts = pd.DataFrame({"cluster": [0, 0, 1], "satellite": ["Aqua", "Terra", "Aqua"], "daynight": ["D", "D", "N"],
                        "time": pd.to_datetime(["2024-05-30 13:41", "2024-05-30 10:52", "2024-05-31 01:35"])
                        .tz_localize("Asia/Shanghai")})
    obs = inspection_windows(rows, fires=pts).set_index("source_id")
    assert obs.loc["fire-0", "overpass"] == "05-30 10:52 Terra, 05-30 13:41 Aqua"
    assert obs.loc["fire-1", "window_hours"] == "12:00-18:00, 18:00-02:00"  # burnt at night too
    assert (obs["window_basis"] == "fire_observed").all()


def test_station_rows_and_rows_without_data(priority):
    w = inspection_windows(priority)
    kinds = w.set_index("row_kind")["window_basis"]
    assert (kinds.loc["station_check"] == "station").all()
    assert (kinds.loc["source"] == "none").all()
    assert len(w) == len(priority) and (w["window_start"] == -1).all()


def test_hour_day_profile_uses_hour_beginning_local_time():
    t = pd.DatetimeIndex(["2024-01-01 01:00", "2024-01-01 00:00"]).tz_localize("Asia/Shanghai")
    prof = hour_day_profile(pd.DataFrame({"source_id": "s", "time": t, "contribution": [1.0, 2.0]}))
    # 01:00 label = the hour 00-01 on Monday; 00:00 label = 23-24 on Sunday
    assert prof[["dow", "hour"]].values.tolist() == [[0, 0], [6, 23]]
