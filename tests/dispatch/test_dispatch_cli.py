"""``geoair dispatch`` and ``geoair feedback`` end to end, and the briefing's "last round" section."""

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from geoair._output import read_manifest, verify_manifest
from geoair.cli import main
from geoair.dispatch import list_performance, read_feedback
from geoair.priority import export_priority


@pytest.fixture(scope="module")
def inputs(priority, grids, world, tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    pl = priority[priority["group"] != "station_check"].copy() if "group" in priority else priority
    files = export_priority(pl, d, lang="zh", stem="priority", formats=("geojson", "xlsx"))
    grids.to_file(d / "grids.geojson", driver="GeoJSON")
    pd.DataFrame({"grid_id": ["110105-NE", "110108-SW"], "负责人": ["张三", "李四"],
                  "电话": ["13800000001", "13800000002"]}).to_csv(d / "people.csv", index=False)
    src = world["sources"].copy()
    src.to_file(d / "sources.geojson", driver="GeoJSON")
    return {"dir": d, "priority": files["geojson"], "priority_xlsx": files["xlsx"], "grids": d / "grids.geojson",
            "people": d / "people.csv", "sources": d / "sources.geojson"}


def test_dispatch_then_feedback(inputs, capsys):
    d = inputs["dir"]
    out = d / "round1"
    argv = ["dispatch", "--priority", str(inputs["priority"]), "--grids", str(inputs["grids"]), "--people",
            str(inputs["people"]), "--round", "R1", "--lang", "zh", "--out", str(out)]
    assert main(argv) == 0
    assert "geoair dispatch:" in capsys.readouterr().out
    assert verify_manifest(out) == [] and read_manifest(out)["command"] == "dispatch"
    wb = openpyxl.load_workbook(out / "grids" / "110105-NE.xlsx")
    rows = list(wb["任务单"].iter_rows(values_only=True))
    assert rows[1][rows[0].index("责任人")] == "张三"
    assert main(argv) == 2  # an earlier run is not replaced without --overwrite
    assert "earlier geoair run" in capsys.readouterr().err
    tasks = pd.read_csv(out / "outcome_zh.csv", dtype=str, keep_default_na=False)
    src = tasks[tasks["任务类型"] == "污染源"]
    first, last = src.iloc[0]["任务编号"], src.iloc[-1]["任务编号"]
    tasks.loc[tasks["任务编号"] == first, ["检查日期", "检查结果"]] = ["2026-11-20", "合规"]
    tasks.loc[tasks["任务编号"] == last, ["检查日期", "检查结果"]] = ["2026-11-21", "违法"]
    filled = d / "filled.csv"
    tasks.to_csv(filled, index=False, encoding="utf-8-sig")
    fout = d / "fb1"
    assert main(["feedback", "--sources", str(inputs["sources"]), "--feedback", str(filled), "--priority",
                 str(inputs["priority"]), "--prior-mean", "0.3", "--lang", "zh", "--out", str(fout)]) == 0
    assert "1 violations of 2 decided" in capsys.readouterr().out
    assert verify_manifest(fout) == []
    upd = gpd.read_file(fout / "sources_updated.geojson").set_index("source_id")
    fb = read_feedback(filled)
    sid = fb.set_index("task_id")["source_id"]
    assert upd.loc[sid[last], "weight"] / upd.loc[sid[last], "weight_prior"] == pytest.approx((0.6 + 1) / 3 / 0.3)
    assert upd.loc[sid[first], "weight"] / upd.loc[sid[first], "weight_prior"] == pytest.approx(0.6 / 3 / 0.3)
    perf = pd.read_csv(fout / "performance_zh.csv")
    assert len(perf) == len(list_performance(fb))
    assert (fout / "priority_next_zh.xlsx").is_file() or any(fout.glob("priority_next*.xlsx"))


def test_feedback_errors_exit_2_with_the_place(inputs, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"任务编号": ["T1"], "检查日期": ["2026-11-20"], "检查结果": ["也许"]}).to_csv(bad, index=False)
    assert main(["feedback", "--sources", str(inputs["sources"]), "--feedback", str(bad), "--out",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "Unknown inspection finding" in err and "bad.csv" in err and "'检查结果'" in err and "row 1" in err
    assert not (tmp_path / "o").exists()


def test_briefing_feedback_section_matches_the_table():
    from geoair.briefing._feedback import feedback_section

    fb = pd.DataFrame({"task_id": ["a", "b", "c", "d"], "level": ["red", "red", "yellow", "yellow"],
                       "category": "dust", "row_kind": "source", "score": [9, 8, 3, 2],
                       "visited": pd.Timestamp("2026-11-20"),
                       "finding": ["violation", "violation", "compliant", None]})
    sec = feedback_section(fb, "zh")
    perf = list_performance(fb)
    assert sec.table is not None and len(sec.table) == len(perf)
    assert "2" in sec.note and "67%" in sec.note  # 2 violations of 3 decided
    en = feedback_section(fb, "en")
    assert en.title != sec.title


def test_briefing_step_reads_the_configured_feedback(tmp_path):
    import copy

    from geoair.briefing._config import DEFAULT_CONFIG
    from geoair.briefing._feedback import feedback_sections
    from geoair.briefing._model import Briefing, _Run

    p = tmp_path / "outcome.csv"
    pd.DataFrame({"任务编号": ["a", "b", "b", "c"], "等级": ["红", "红", "红", "黄"], "检查日期": "2026-11-20",
                  "检查结果": ["违法", "合规", "合规", ""]}).to_csv(p, index=False)
    cfg = copy.deepcopy(DEFAULT_CONFIG)
    run = _Run(cfg=cfg, lang="en", out_dir=tmp_path, res=Briefing(out_dir=tmp_path, report=tmp_path / "r.html"))
    assert feedback_sections(run) == []  # no [data] feedback: no section
    cfg["data"]["feedback"] = str(p)
    (sec,) = feedback_sections(run)
    perf = run.res.tables["feedback_performance"]
    assert sec.key == "feedback" and perf.iloc[0]["n_decided"] == 2 and perf.iloc[0]["n_violation"] == 1
    assert run.res.droplog.total() == 1  # the duplicate visit of "b", logged with its file and row
    assert run.res.droplog[0]["rows"] == "3" and run.res.droplog[0]["file"] == str(p)
