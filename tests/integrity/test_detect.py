"""IntegrityScreen / detect_integrity: recall on injected events, no false events on clean data,
every kind detected, empty input, bad input."""

import numpy as np
import pandas as pd
import pytest

from geoair import GeoairInputError
from geoair.integrity import EVENT_COLUMNS, IntegrityScreen, detect_integrity
from geoair.testing import inject_tampering, score_detection
from geoair.testing.integrity import ACCEPTANCE_KINDS


def test_clean_synthetic_network_has_no_strong_events(clean_network):
    # synthetic truth: no tampering at all; the scores are multiple-testing-adjusted normal
    # quantiles, so nothing should reach the "yellow" level (4) and at most a stray 3
    obs, stations = clean_network
    ev = detect_integrity(obs, stations)
    assert list(ev.columns[:7]) == EVENT_COLUMNS
    assert (ev["score"] >= 4.0).sum() == 0
    assert (ev["score"] >= 3.0).sum() <= 1


def test_recall_on_injected_events_in_real_data(regional):
    # 24 events of the acceptance kinds injected into the real January 2019 month
    obs, stations = regional
    td = inject_tampering(obs, stations, n_events=24, kinds=ACCEPTANCE_KINDS, random_state=3)
    ev = detect_integrity(td.obs, stations)
    res = score_detection(ev, td.truth)
    assert len(td.truth) == 24
    assert res["recall"] >= 0.8, res["recall_by_kind"]
    by_kind = res["recall_by_kind"].set_index("kind")["recall"]
    assert (by_kind >= 0.5).all(), by_kind
    # ranking: most of the top-K events are injected ones
    assert res["top_k_precision"] >= 0.5


def _nearest(stations, i):
    d = np.hypot(stations["lon"] - stations["lon"].iloc[i], stations["lat"] - stations["lat"].iloc[i])
    return int(np.argsort(d.to_numpy())[1])


def _one_event(obs, stations, kind, station_idx=5, start=200, length=48, **kw):
    """Inject one event of ``kind`` by hand into the clean synthetic network."""
    out = obs.copy()
    code = stations["station"].iloc[station_idx]
    times = np.sort(out["time"].unique())
    t0, t1 = times[start], times[start + length - 1]
    rows = (out["station"] == code) & (out["time"] >= t0) & (out["time"] <= t1)
    if kind == "suppression":
        out.loc[rows, ["pm25", "pm10"]] = np.round(out.loc[rows, ["pm25", "pm10"]] * 0.5)
    elif kind == "capping":
        out.loc[rows, "pm25"] = np.minimum(out.loc[rows, "pm25"], kw["cap"])
    elif kind == "flatline":
        out.loc[rows, "pm25"] = out.loc[rows, "pm25"].dropna().iloc[0]
    elif kind == "copy":
        src = stations["station"].iloc[_nearest(stations, station_idx)]
        src_rows = (out["station"] == src) & (out["time"] >= t0) & (out["time"] <= t1)
        out.loc[rows, ["pm25", "pm10"]] = out.loc[src_rows, ["pm25", "pm10"]].to_numpy()
    elif kind == "drift":
        f = 1 - 0.7 * np.linspace(0, 1, rows.sum())
        out.loc[rows, ["pm25", "pm10"]] = np.round(out.loc[rows, ["pm25", "pm10"]].to_numpy() * f[:, None])
    elif kind == "spike":
        out.loc[rows, "pm25"] = out.loc[rows, "pm25"] * 6
    elif kind == "ratio":
        out.loc[rows, "pm25"] = np.round(out.loc[rows, "pm10"] * 1.3)
    return out, code, pd.Timestamp(t0), pd.Timestamp(t1)


@pytest.mark.parametrize("kind, kw", [
    ("suppression", {}), ("capping", {"cap": 40.0}), ("flatline", {}), ("copy", {}),
    ("drift", {"length": 120}), ("spike", {"length": 2}), ("ratio", {"length": 12}),
])
def test_each_kind_is_detected_and_named(clean_network, kind, kw):
    obs, stations = clean_network
    length = kw.pop("length", 48)
    tampered, code, t0, t1 = _one_event(obs, stations, kind, length=length, **kw)
    caps = {"pm25": 40.0, "pm10": 150.0} if kind == "capping" else None
    ev = detect_integrity(tampered, stations, caps=caps)
    hit = ev[(ev["station"] == code) & (ev["start"] <= t1) & (ev["end"] >= t0)]
    assert len(hit), f"no event for injected {kind}"
    assert kind in hit["kinds"].iloc[0].split(",") or hit["kind"].iloc[0] == kind, hit[["kind", "kinds"]]
    # the tampered station leads the list
    assert ev["station"].iloc[0] == code or kind == "spike"


def test_copy_is_attributed_to_the_copier(clean_network):
    obs, stations = clean_network
    tampered, code, t0, t1 = _one_event(obs, stations, "copy", length=72)
    ev = detect_integrity(tampered, stations)
    copies = ev[ev["kinds"].str.contains("copy") & (ev["start"] <= t1) & (ev["end"] >= t0)]
    best = copies.sort_values("score", ascending=False).iloc[0]
    assert best["station"] == code and best["partner"] == stations["station"].iloc[_nearest(stations, 5)]


def test_empty_input_gives_empty_table():
    obs = pd.DataFrame({"station": pd.Series(dtype=str), "time": pd.Series(dtype="datetime64[ns, Asia/Shanghai]"),
                        "pm25": pd.Series(dtype=float), "pm10": pd.Series(dtype=float)})
    ev = detect_integrity(obs, None)
    assert len(ev) == 0 and list(ev.columns[:7]) == EVENT_COLUMNS


def test_bad_input_errors_say_what_and_how(clean_network):
    obs, stations = clean_network
    with pytest.raises(GeoairInputError, match="lacks required column"):
        detect_integrity(obs.drop(columns="time"), stations)
    with pytest.raises(GeoairInputError, match="neither 'pm25' nor 'pm10'"):
        detect_integrity(obs.drop(columns=["pm25", "pm10"]), stations)
    bad = obs.astype({"pm25": object})
    bad.loc[3, "pm25"] = "n/a"
    with pytest.raises(GeoairInputError, match="not numbers") as err:
        detect_integrity(bad, stations)
    assert err.value.column == "pm25" and err.value.row == [3]
    with pytest.raises(GeoairInputError, match="not a date-time"):
        detect_integrity(obs.assign(time="yesterday"), stations)
    with pytest.raises(GeoairInputError, match="lacks required column"):
        detect_integrity(obs, stations.drop(columns=["lon"]))
    with pytest.raises(ValueError, match="calibration"):
        IntegrityScreen(calibration="magic").fit(obs, stations)


def test_stations_without_coordinates_are_logged_not_dropped(clean_network):
    obs, stations = clean_network
    screen = IntegrityScreen().fit(obs, stations.iloc[1:])
    assert stations["station"].iloc[0] in set(screen.grid_.codes)
    log = screen.droplog_.summary()
    assert log["reason"].str.contains("without coordinates").any()


def test_negative_values_are_masked_and_logged(clean_network):
    obs, stations = clean_network
    bad = obs.copy()
    bad.loc[[10, 11], "pm25"] = -5.0
    screen = IntegrityScreen().fit(bad, stations)
    assert screen.droplog_.total() >= 2
    assert np.isnan(screen.grid_.values["pm25"]).sum() >= np.isnan(obs["pm25"]).sum() + 2


def test_copy_source_stays_listed_low_and_names_the_copier(clean_network):
    # a copied pair is ranked once, at the copier; the source's event stays, low, naming it
    obs, stations = clean_network
    tampered, code, t0, t1 = _one_event(obs, stations, "copy", length=72)
    src = stations["station"].iloc[_nearest(stations, 5)]
    ev = detect_integrity(tampered, stations)
    at = (ev["start"] <= t1) & (ev["end"] >= t0) & ev["kinds"].str.contains("copy")
    copier, source = ev[at & (ev["station"] == code)].iloc[0], ev[at & (ev["station"] == src)]
    assert len(source) == 1
    source = source.iloc[0]
    assert source["score"] <= 0.1 * copier["score"]  # 1/20 of its own run's score
    assert "looks more like the source" in source["evidence"] and code in source["evidence"]
    assert "looks more like the source" not in copier["evidence"]


def test_capping_of_both_fractions_names_the_pm25_cap():
    from types import SimpleNamespace

    from geoair.integrity.evidence import _sentence

    grid = SimpleNamespace(values={}, codes=np.array(["1001A"]))
    row = SimpleNamespace(station=0, start=0, end=9, pollutant="pm25,pm10", score=5.0, n_hours=10,
                          observed=70.0, expected=90.0, change=-0.22, n_equal=0, kind="capping",
                          n_above_cap=8, channel="pm")
    text = _sentence(row, grid, "en", {"pm25": 75.0, "pm10": 150.0}, [f"t{i}" for i in range(10)])
    assert "never exceeded 75 µg/m³" in text and "nan" not in text
