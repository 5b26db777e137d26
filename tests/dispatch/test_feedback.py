"""A synthetic round of inspections: filled-in outcome sheets read back (every row kept or logged,
errors naming file, column and row), prior update direction, the next list, and the hit-rate table
against a hand count."""

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geoair import GeoairInputError
from geoair.dispatch import (
    apply_feedback,
    binom_interval,
    dispatch,
    export_tasks,
    feedback_factors,
    list_performance,
    rank_auc,
    read_feedback,
    update_priors,
)

VISIT = "2026-11-20"


@pytest.fixture(scope="module")
def round1(priority, grids, world, tmp_path_factory):
    """Tasks exported, then the outcome sheets filled in as inspectors would (known findings)."""
    tasks = dispatch(priority, grids, round_id="R1")
    out = tmp_path_factory.mktemp("fb") / "round1"
    export_tasks(tasks, out, lang="zh")
    src = tasks[(tasks["row_kind"] == "source") & (tasks["grid_id"] != "")].sort_values("rank")
    assert len(src) >= 10
    ids = src["task_id"].tolist()
    truth = {ids[-1]: "违法", ids[-2]: "违法", ids[-3]: "违法", ids[0]: "合规", ids[1]: "合规", ids[2]: "合规",
             ids[3]: "违法", ids[4]: "已关停", ids[5]: "未找到"}
    station = tasks.loc[tasks["row_kind"] == "station_check", "task_id"].iloc[0]
    truth[station] = "违法"  # a station check confirmed: counts in the hit rate, not in the priors
    filled = tmp_path_factory.mktemp("fb") / "returned"
    filled.mkdir()
    n_rows = 0
    for path in sorted((out / "grids").glob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        ws = wb["检查结果"]
        head = [c.value for c in ws[1]]
        c_id, c_date, c_find = head.index("任务编号") + 1, head.index("检查日期") + 1, head.index("检查结果") + 1
        for r in range(2, ws.max_row + 1):
            tid = ws.cell(row=r, column=c_id).value
            n_rows += tid is not None
            if tid in truth:
                ws.cell(row=r, column=c_date).value = VISIT
                ws.cell(row=r, column=c_find).value = truth[tid]
        wb.save(filled / path.name)
    codes = {"违法": "violation", "合规": "compliant", "已关停": "closed", "未找到": "not_found"}
    return {"tasks": tasks, "out": out, "filled": filled, "n_rows": n_rows, "sources": world["sources"],
            "truth": {k: codes[v] for k, v in truth.items()}, "priority": priority}


def test_feedback_round_trip_keeps_every_row(round1):
    fb = read_feedback(round1["filled"])
    tasks = round1["tasks"]
    assigned = tasks.loc[tasks["grid_id"] != "", "task_id"]
    assert len(fb) == round1["n_rows"] == len(assigned)  # one row per assigned task, none lost
    assert set(fb["task_id"]) == set(assigned)
    got = fb.dropna(subset=["finding"]).set_index("task_id")["finding"].to_dict()
    assert got == round1["truth"]
    assert (fb.loc[fb["finding"].notna(), "visited"] == pd.Timestamp(VISIT)).all()
    # codes back from Chinese labels; attributes of the task carried on the sheet
    merged = fb.merge(pd.DataFrame(tasks[["task_id", "source_id", "level", "row_kind"]]), on="task_id",
                      suffixes=("", "_task"))
    for c in ("source_id", "level", "row_kind"):
        assert (merged[c].astype(str) == merged[f"{c}_task"].astype(str)).all(), c
    assert fb["file"].str.endswith("[检查结果]").all() and (fb["row"] >= 1).all()


def test_folder_with_blank_copies_conserves_rows(round1, tmp_path):
    """The filled workbooks plus the blank outcome CSV of the export: every row kept or logged."""
    import shutil

    both = tmp_path / "both"
    shutil.copytree(round1["filled"], both)
    shutil.copy(round1["out"] / "outcome_zh.csv", both / "outcome_zh.csv")
    n_csv = len(pd.read_csv(both / "outcome_zh.csv", dtype=str))
    fb = read_feedback(both)
    log = fb.attrs["droplog"]
    assert len(fb) + log.total() == round1["n_rows"] + n_csv
    assert len(fb) == fb["task_id"].nunique() == round1["n_rows"] + (n_csv - round1["n_rows"])
    reasons = {e["reason"] for e in log}
    assert "blank copy of a task whose visit is recorded in another row" in reasons
    assert all(e["file"].endswith("outcome_zh.csv") and e["index"] == "file_row" for e in log)


def _csv(tmp_path, rows, name="fb.csv", head=("task id", "visited", "finding")):
    p = tmp_path / name
    pd.DataFrame(rows, columns=list(head)).to_csv(p, index=False)
    return p


def test_english_headers_aliases_dates_and_duplicates(tmp_path):
    p = _csv(tmp_path, [["T1", "2026年11月3日", "已取缔"], ["T2", "2026-11-04", "Violation"],
                        ["T2", "2026-11-04", "违法"], ["T3", "", ""], ["", "", ""]])
    fb = read_feedback(p)
    assert fb["task_id"].tolist() == ["T1", "T2", "T3"]
    assert fb["finding"].tolist()[:2] == ["closed", "violation"] and pd.isna(fb["finding"].iloc[2])
    assert fb["visited"].iloc[0] == pd.Timestamp("2026-11-03")
    log = fb.attrs["droplog"]
    assert log.total() == 1 and log[0]["rows"] == "3" and log[0]["file"] == str(p)


@pytest.mark.parametrize("rows,column,row,what", [
    ([["T1", "2026-11-03", "违法"], ["T2", "2026-11-03", "maybe"]], "finding", "2", "Unknown inspection finding"),
    ([["T1", "", "合规"]], "visited", "1", "without a visit date"),
    ([["T1", "2026-11-03", "违法"], ["T2", "下周二", "违法"]], "visited", "2", "cannot be read"),
    ([["", "2026-11-03", "违法"]], "task id", "1", "without a task id"),
])
def test_errors_name_file_column_and_row(tmp_path, rows, column, row, what):
    p = _csv(tmp_path, rows)
    with pytest.raises(GeoairInputError, match=what) as err:
        read_feedback(p)
    e = err.value
    assert e.file == str(p) and e.column == column
    assert f"row {row}" in str(e) and str(p) in str(e)


def test_errors_in_a_workbook_name_the_sheet(round1, tmp_path):
    path = sorted(round1["filled"].glob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(path)
    ws = wb["检查结果"]
    head = [c.value for c in ws[1]]
    ws.cell(row=3, column=head.index("检查结果") + 1).value = "差不多"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(GeoairInputError, match="Unknown inspection finding") as err:
        read_feedback(bad)
    assert err.value.file == f"{bad}[检查结果]" and err.value.column == "检查结果" and "row 2" in str(err.value)
    with pytest.raises(GeoairInputError, match="no task id or finding column"):
        read_feedback(_csv(tmp_path, [["a", "b"]], head=("x", "y")))
    with pytest.raises(GeoairInputError, match="not found"):
        read_feedback(tmp_path / "missing.xlsx")


def test_update_priors_direction_and_the_rule(round1):
    fb = read_feedback(round1["filled"])
    sources, truth, tasks = round1["sources"], round1["truth"], round1["tasks"]
    sid = tasks.set_index("task_id")["source_id"]
    kind = tasks.set_index("task_id")["row_kind"]
    by_src = {sid[t]: f for t, f in truth.items() if kind[t] == "source"}
    upd = update_priors(sources, fb)
    m0, k = upd.attrs["params"]["prior_mean"], upd.attrs["params"]["prior_strength"]
    v = sum(f == "violation" for f in by_src.values())
    c = sum(f == "compliant" for f in by_src.values())
    assert m0 == pytest.approx(v / (v + c)) and k == 2.0  # pooled rate of decided source visits: 4 / 7
    w = upd.set_index("source_id")
    for s, f in by_src.items():
        ratio = w.loc[s, "weight"] / w.loc[s, "weight_prior"]
        if f == "violation":  # (k m0 + 1) / (k + 1) / m0 = 1.25 at m0 = 4/7
            assert ratio == pytest.approx((k * m0 + 1) / (k + 1) / m0) and ratio > 1
        elif f == "compliant":
            assert ratio == pytest.approx(k * m0 / (k + 1) / m0) and ratio < 1
        else:
            assert ratio == 1.0
        if f == "closed":
            assert w.loc[s, "active_to"] == pd.Timestamp(VISIT)
        else:
            assert pd.isna(w.loc[s, "active_to"])
        assert w.loc[s, "location_check"] == (f == "not_found")
    unvisited = ~w.index.isin(list(by_src))
    assert (w.loc[unvisited, "weight"] == w.loc[unvisited, "weight_prior"]).all()
    log = upd.attrs["droplog"]
    assert [e["reason"] for e in log] == ["feedback on a fire cluster or station check (no prior weight to update)"]
    assert log.total() == 1
    # with a prior mean given, two violations move further than one, never beyond 1 / m0
    two = pd.DataFrame({"task_id": ["a", "b", "c"], "source_id": ["s01", "s01", "s02"],
                        "visited": pd.to_datetime(["2026-11-01", "2026-11-08", "2026-11-01"]),
                        "finding": ["violation", "violation", "violation"]})
    f = feedback_factors(two, prior_mean=0.3).set_index("source_id")["feedback_factor"]
    assert f["s01"] == pytest.approx((0.6 + 2) / 4 / 0.3) and f["s02"] == pytest.approx(1.6 / 3 / 0.3)
    assert 1 < f["s02"] < f["s01"] < 1 / 0.3


def _order_vs_unvisited(lst, sid, others):
    """How many unvisited sources of the same level stand above ``sid``."""
    lst = lst.set_index("source_id")
    lvl = lst.loc[sid, "level"]
    above = lst[(lst["level"] == lvl) & (lst["rank"] < lst.loc[sid, "rank"])]
    return int(above.index.isin(others).sum())


def test_next_list_puts_violators_higher_and_closed_sites_out(round1):
    fb = read_feedback(round1["filled"])
    pl, tasks, truth = round1["priority"], round1["tasks"], round1["truth"]
    sid = tasks.set_index("task_id")["source_id"]
    upd = update_priors(round1["sources"], fb)
    nxt = apply_feedback(pl, upd)
    kind = tasks.set_index("task_id")["row_kind"]
    by_src = {sid[t]: f for t, f in truth.items() if kind[t] == "source"}
    closed = [s for s, f in by_src.items() if f == "closed"]
    assert not nxt["source_id"].isin(closed).any()
    assert len(nxt) == len(pl) - len(closed) and nxt.attrs["droplog"].total() >= len(closed)
    assert (nxt["rank"] == np.arange(1, len(nxt) + 1)).all()
    others = [s for s in pl["source_id"] if s not in by_src]
    moved = 0
    old = pl.set_index("source_id")["score"]
    for s, f in by_src.items():
        if f in ("closed",):
            continue
        before, after = _order_vs_unvisited(pl, s, others), _order_vs_unvisited(nxt, s, others)
        new = nxt.set_index("source_id").loc[s, "score"]
        if f == "violation":  # a score of 0 stays 0 but wins its ties
            assert after <= before and (new > old[s] or old[s] == 0)
        elif f == "compliant":
            assert after >= before and (new < old[s] or old[s] == 0)
        moved += after != before
    assert moved > 0  # the reorder is not empty
    # levels come from the evidence, not from the visit
    lv = pl.set_index("source_id")["level"]
    assert (nxt.set_index("source_id")["level"] == lv.reindex(nxt["source_id"]).to_numpy()).all()


def test_hit_rate_table_matches_a_hand_count():
    fb = pd.DataFrame({
        "task_id": [f"T{i}" for i in range(12)] + ["T0", "T1"],
        "level": ["red"] * 5 + ["yellow"] * 4 + ["green"] * 3 + ["red", "red"],
        "category": ["dust", "coal", "dust", "coal", "dust", "dust", "coal", "dust", "coal", "dust", "coal", "dust",
                     "dust", "coal"],
        "row_kind": "source",
        "score": [95, 90, 85, 80, 75, 60, 55, 50, 45, 20, 15, 10, 95, 90],
        "visited": pd.to_datetime(["2026-11-01"] * 12 + ["2026-11-08"] * 2),
        # T0: compliant then violation (latest decided counts); T1: violation then closed
        "finding": ["compliant", "violation", "violation", "compliant", None,
                    "violation", "compliant", "not_found", "compliant",
                    "compliant", "closed", None, "violation", "closed"],
    })
    tab = list_performance(fb, by=("level", "category"))
    row = tab.set_index(["by", "group"])
    # hand count, one decision per task (its latest decided visit):
    # red: T0 v, T1 v, T2 v, T3 c (T4 not visited) -> 3/4; yellow: T5 v, T6 c, T8 c (T7 not found) -> 1/3;
    # green: T9 c (T10 closed, T11 not visited) -> 0/1; dust: T0 T2 T5 v, T9 c -> 3/4 (T4, T11 not visited,
    # T7 not found); coal: T1 v, T3 T6 T8 c -> 1/4 (T1 and T10 closed)
    hand = {("all", "all"): (12, 10, 8, 4, 1, 2), ("level", "red"): (5, 4, 4, 3, 0, 1),
            ("level", "yellow"): (4, 4, 3, 1, 1, 0), ("level", "green"): (3, 2, 1, 0, 0, 1),
            ("category", "dust"): (7, 5, 4, 3, 1, 0), ("category", "coal"): (5, 5, 4, 1, 0, 2)}
    for key, (nt, nv, nd, nh, nnf, ncl) in hand.items():
        r = row.loc[key]
        assert (r["n_tasks"], r["n_visited"], r["n_decided"], r["n_violation"], r["n_not_found"],
                r["n_closed"]) == (nt, nv, nd, nh, nnf, ncl), key
        assert r["hit_rate"] == pytest.approx(nh / nd)
        lo, hi = binom_interval(nh, nd)
        assert (r["lower"], r["upper"]) == pytest.approx((float(lo), float(hi)))
    assert tab.loc[tab["by"] == "level", "group"].tolist() == ["red", "yellow", "green"]
    assert tab.attrs["params"] == {"method": "wilson", "alpha": 0.05}


def test_score_deciles_and_auc():
    rng = np.random.default_rng(3)
    n = 200
    score = rng.uniform(0, 100, n)
    hit = rng.uniform(size=n) < score / 100  # the list ranks well by construction
    fb = pd.DataFrame({"task_id": [f"T{i}" for i in range(n)], "level": "red", "category": "dust",
                       "row_kind": "source", "score": score, "visited": pd.Timestamp("2026-11-01"),
                       "finding": np.where(hit, "violation", "compliant")})
    tab = list_performance(fb, by=("decile",)).query("by == 'decile'")
    assert tab["group"].tolist() == [f"D{i}" for i in range(1, 11)] and (tab["n_tasks"] == 20).all()
    order = np.argsort(np.argsort(score, kind="stable"), kind="stable")
    for i, r in enumerate(tab.itertuples(), start=0):
        in_d = (order >= 20 * i) & (order < 20 * (i + 1))
        assert r.n_violation == hit[in_d].sum()
    assert tab["hit_rate"].iloc[-1] > tab["hit_rate"].iloc[0]
    auc = rank_auc(fb)
    pos, neg = score[hit], score[~hit]
    hand = (pos[:, None] > neg[None, :]).mean()  # no ties in continuous scores
    assert auc["auc"] == pytest.approx(hand) and 0 < auc["se"] < 0.1 and auc["auc"] > 0.7


def test_wilson_matches_newcombe_and_jeffreys_holds_its_mass():
    # Newcombe (1998), Table I, method 3 (Wilson score interval without continuity correction)
    lo, hi = binom_interval([81, 15, 0, 1], [263, 148, 20, 29])
    np.testing.assert_allclose(lo, [0.2553, 0.0624, 0.0, 0.0061], atol=6e-5)
    np.testing.assert_allclose(hi, [0.3662, 0.1605, 0.1611, 0.1718], atol=6e-5)
    from scipy.special import betainc

    x, n = np.array([3, 7, 0, 10]), np.array([10, 20, 10, 10])
    lo, hi = binom_interval(x, n, method="jeffreys")
    a, b = x + 0.5, n - x + 0.5
    mass = betainc(a, b, hi) - betainc(a, b, lo)
    np.testing.assert_allclose(mass[:2], 0.95, atol=1e-9)  # equal tails of the Jeffreys posterior
    assert lo[2] == 0.0 and hi[3] == 1.0
    assert np.isnan(binom_interval(0, 0)[0])
