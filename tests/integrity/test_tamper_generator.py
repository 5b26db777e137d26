"""The tampering generator: truth consistent with the changes, sweeps, and the scorer."""

import numpy as np
import pandas as pd

from geoair.testing import inject_tampering, score_detection
from geoair.testing.integrity import TAMPER_KINDS


def test_injection_changes_only_inside_events(regional):
    obs, stations = regional
    td = inject_tampering(obs, stations, n_events=30, random_state=0)
    assert len(td.obs) == len(obs) and (td.obs["station"].to_numpy() == obs["station"].to_numpy()).all()
    changed = ~((td.obs["pm25"] == obs["pm25"]) | (td.obs["pm25"].isna() & obs["pm25"].isna())) | \
        ~((td.obs["pm10"] == obs["pm10"]) | (td.obs["pm10"].isna() & obs["pm10"].isna()))
    inside = np.zeros(len(obs), dtype=bool)
    for r in td.truth.itertuples():
        inside |= ((obs["station"] == r.station) & (obs["time"] >= r.start) & (obs["time"] <= r.end)).to_numpy()
    assert changed.any() and not (changed.to_numpy() & ~inside).any()
    assert set(td.truth["kind"]) <= set(TAMPER_KINDS)


def test_sweeps_and_strengths(regional):
    obs, stations = regional
    td = inject_tampering(obs, stations, n_events=60, random_state=1)
    t = td.truth
    sup = t[t["kind"].isin(["suppression", "drift"])]
    assert sup["strength"].between(0.3, 0.7).all()
    assert t.loc[t["kind"] == "capping", "strength"].isin([75.0, 150.0]).all()
    long = t[t["kind"] != "spike"]
    assert long["length_h"].between(6, 168).all()
    assert t["station_type"].nunique() >= 2 and t["period"].nunique() >= 3
    # no two events of one station overlap
    for _, g in t.groupby("station"):
        g = g.sort_values("start")
        assert (g["start"].iloc[1:].to_numpy() > g["end"].iloc[:-1].to_numpy()).all()


def test_score_detection_counts_overlaps():
    truth = pd.DataFrame({"station": ["A", "B"], "start": pd.to_datetime(["2019-01-01 00:00", "2019-01-02 00:00"]),
                          "end": pd.to_datetime(["2019-01-01 10:00", "2019-01-02 10:00"]),
                          "kind": ["copy", "flatline"]})
    events = pd.DataFrame({"station": ["A", "C", "B"],
                           "start": pd.to_datetime(["2019-01-01 09:00", "2019-01-01 00:00", "2019-01-03 00:00"]),
                           "end": pd.to_datetime(["2019-01-01 12:00", "2019-01-01 05:00", "2019-01-03 05:00"]),
                           "score": [3.0, 9.0, 1.0]})
    res = score_detection(events, truth)
    assert res["recall"] == 0.5 and res["k"] == 2
    assert res["top_k_precision"] == 0.5  # ranked: C (false), A (true)
    assert res["recall_by_kind"].set_index("kind")["recall"].to_dict() == {"copy": 1.0, "flatline": 0.0}


def test_score_detection_sets_pre_existing_events_aside():
    t = pd.to_datetime
    truth = pd.DataFrame({"station": ["A"], "start": t(["2019-01-01 00:00"]), "end": t(["2019-01-01 10:00"]),
                          "kind": ["flatline"]})
    events = pd.DataFrame({"station": ["C", "D", "A", "E"], "pollutant": ["pm25", "pm10", "pm25", "pm25"],
                           "kind": ["flatline", "flatline", "suppression", "spike"],
                           "start": t(["2019-01-01 00:00", "2019-01-02 00:00", "2019-01-01 02:00", "2019-01-05 00:00"]),
                           "end": t(["2019-01-01 05:00", "2019-01-02 05:00", "2019-01-01 04:00", "2019-01-05 01:00"]),
                           "score": [9.0, 8.0, 3.0, 1.0]})
    # before injection: C's flatline was there already; D had a pm25 (not pm10) flatline; A had
    # a suppression at the injected time (an injected event is never set aside)
    baseline = pd.DataFrame({"station": ["C", "D", "A"], "pollutant": ["pm25", "pm25", "pm25"],
                             "kind": ["flatline", "flatline", "suppression"],
                             "start": t(["2019-01-01 01:00", "2019-01-02 00:00", "2019-01-01 00:00"]),
                             "end": t(["2019-01-01 03:00", "2019-01-02 05:00", "2019-01-01 09:00"])})
    res = score_detection(events, truth, k=2, baseline=baseline)
    assert res["events"]["pre_existing"].tolist() == [True, False, False, False]
    assert res["top_k_precision"] == 0.0  # C, D
    assert res["top_k_precision_new"] == 0.5  # D, A
    assert res["n_pre_existing_top_k"] == 1
    assert "top_k_precision_new" not in score_detection(events, truth)
