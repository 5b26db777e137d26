"""Task workbooks: open with openpyxl, no live formulas, Chinese headers in a CJK font, summary, atomic."""

import csv
import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from geoair import GeoairInputError
from geoair.dispatch import checklist, checklist_key, county_summary, dispatch, export_tasks
from geoair.dispatch._xlsx import DEFAULT_FONT


@pytest.fixture(scope="module")
def tasks(priority, grids):
    people = pd.DataFrame({"grid_id": ["110105-NE"], "负责人": ["张三"], "电话": ["13800000001"]})
    empty = gpd.GeoDataFrame({"grid_id": ["sea"], "name": ["渤海"]}, geometry=[box(121.0, 38.0, 121.1, 38.1)],
                             crs="EPSG:4326")  # a grid without tasks
    return dispatch(priority, pd.concat([grids, empty], ignore_index=True), people=people, round_id="2026W48")


@pytest.fixture(scope="module")
def written(tasks, tmp_path_factory):
    out = tmp_path_factory.mktemp("tasks") / "round1"
    return out, export_tasks(tasks, out, lang="zh")


def _cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_workbooks_open_without_formulas_and_with_chinese_headers(written, tasks):
    out, files = written
    grid_files = [v for k, v in files.items() if k.startswith("grid:")]
    assert len(grid_files) == tasks.loc[tasks["grid_id"] != "", "grid_id"].nunique()
    for path in [*grid_files, files["summary"]]:
        wb = openpyxl.load_workbook(path)
        assert all(c.data_type != "f" for c in _cells(wb)), path  # no live formula anywhere
        for ws in wb.worksheets:
            head = ws.cell(row=1, column=1)
            assert head.font.name == DEFAULT_FONT and head.font.b
    wb = openpyxl.load_workbook(out / "grids" / "110105-NE.xlsx")
    assert wb.sheetnames == ["填写说明", "任务单", "检查要点", "检查结果"]
    head = [c.value for c in wb["任务单"][1]]
    for h in ("任务编号", "等级", "名称", "地址", "经度(WGS84)", "经度(GCJ-02)", "地图链接", "建议检查时段", "证据",
              "检查要点", "责任人", "联系电话"):
        assert h in head
    rows = list(wb["任务单"].iter_rows(min_row=2, values_only=True))
    assert rows and all(r[head.index("责任人")] == "张三" for r in rows)
    assert all(r[head.index("任务编号")].startswith("2026W48-110105-NE-") for r in rows)
    outcome = [c.value for c in wb["检查结果"][1]]
    assert outcome[:3] == ["任务编号", "源编号", "网格编号"] and "检查结果" in outcome and "检查日期" in outcome
    assert wb["检查结果"].data_validations.dataValidation  # the finding drop-down


def test_formula_like_text_stays_text(written, tasks):
    out, files = written
    evil = tasks.loc[tasks["source_id"] == "s03"].iloc[0]
    if evil["grid_id"]:
        wb = openpyxl.load_workbook(out / "grids" / f"{evil['grid_id']}.xlsx")
        ws = wb["任务单"]
    else:
        ws = openpyxl.load_workbook(files["summary"])["未分配"]
    cells = [c for c in _cells(ws.parent) if c.value == evil["name"]]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    with open(files["tasks_csv"], encoding="utf-8-sig", newline="") as fh:
        flat = [v for row in csv.reader(fh) for v in row]
    assert "'" + evil["name"] in flat and evil["name"] not in flat


def test_map_links_and_checklists(written, tasks):
    out, _ = written
    wb = openpyxl.load_workbook(out / "grids" / "110105-NE.xlsx")
    ws = wb["任务单"]
    head = [c.value for c in ws[1]]
    j = head.index("地图链接") + 1
    link = ws.cell(row=2, column=j)
    row = tasks[tasks["grid_id"] == "110105-NE"].iloc[0]
    assert link.value.startswith(f"https://uri.amap.com/marker?position={row['lon_gcj02']:.6f},{row['lat_gcj02']:.6f}")
    assert link.hyperlink.target == link.value
    kinds = {checklist_key(k, c) for k, c in tasks.loc[tasks["grid_id"] == "110105-NE", ["kind", "category"]].values}
    items = [r for r in wb["检查要点"].iter_rows(min_row=2, values_only=True)]
    assert len(items) == len(checklist(kinds))
    site = checklist(["construction"], lang="zh")
    assert len(site) >= 7 and "围挡" in site["text"].iloc[0] and "国发〔2018〕22号" in site["basis"].iloc[0]
    assert checklist_key("construction_site", "dust") == "construction"
    assert checklist_key("unknown", "coal") == "boiler" and checklist_key(None, None) == "other"
    assert checklist_key("station_check", "integrity") == "station"


def test_county_summary_counts_match_the_tasks(written, tasks):
    out, files = written
    summary = county_summary(tasks, lang="en")
    body = summary.iloc[:-1].set_index("Grid ID")
    assert len(body) == tasks.attrs["params"]["n_grids"] + 1  # every grid, plus the unassigned row
    for g, grp in tasks.groupby("grid_id"):
        key = g
        assert body.loc[key, "Tasks"] == len(grp)
        assert body.loc[key, "Red"] == (grp["level"] == "red").sum()
        assert body.loc[key, "Station checks"] == (grp["row_kind"] == "station_check").sum()
    total = summary.iloc[-1]
    assert total["Tasks"] == len(tasks) and total["Red"] == (tasks["level"] == "red").sum()
    assert body.loc["sea", "Tasks"] == 0  # a grid without tasks is listed too
    wb = openpyxl.load_workbook(files["summary"])
    ws = wb["县级汇总"]
    assert ws.page_setup.fitToHeight == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert wb["未分配"].max_row - 1 == (tasks["grid_id"] == "").sum()


def test_output_is_atomic_with_a_manifest(written, tasks, tmp_path):
    out, files = written
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"] for f in man["files"]}
    assert {"summary_zh.xlsx", "tasks_zh.csv", "outcome_zh.csv", "grids/110105-NE.xlsx"} <= listed
    with pytest.raises(GeoairInputError, match="earlier geoair run"):
        export_tasks(tasks, out, lang="zh")
    files_en = export_tasks(tasks, out, lang="en", overwrite=True)
    assert files_en["summary"].exists() and not (out / "summary_zh.xlsx").exists()  # no stale file survives
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("x")
    with pytest.raises(GeoairInputError, match="not empty"):
        export_tasks(tasks, foreign)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    one = export_tasks(tasks, tmp_path / "one", lang="en", per="sheet")
    wb = openpyxl.load_workbook(one["grid:tasks_en.xlsx"])
    assert "110105-NE" in wb.sheetnames and "Outcome 110105-NE" in wb.sheetnames
    with pytest.raises(GeoairInputError, match="unknown field"):
        export_tasks(tasks, tmp_path / "bad", map_link="https://x/?p={lon}")
