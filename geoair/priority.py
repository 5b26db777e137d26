"""Ranked lists for inspectors: which sources and fire clusters to visit first, and why.

A source is ranked by the exceedance hours it helps explain at nearby stations (from the
attribution's ``source_scores_``), discounted when its contribution interval includes zero
(weak evidence) and, for fire clusters, by the age of the last detection. Each row carries
WGS84 and GCJ-02 coordinates (phone maps in China use GCJ-02) and one sentence of evidence.

References
----------
Attribution scores: :class:`geoair.apportion.SourceAttribution` ``source_scores_``.
GCJ-02 conversion: :mod:`geoair.coords` (standards notes §7).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ._validation import DropLog, GeoairInputError, check_option, require_columns

__all__ = ["priority_list", "export_priority", "PRIORITY_COLUMNS"]

#: Output columns with English and Chinese headers (the documented layout of every export).
PRIORITY_COLUMNS: dict[str, dict[str, str]] = {
    "rank": {"en": "Rank", "zh": "排序"},
    "level": {"en": "Level", "zh": "等级"},
    "source_id": {"en": "Source ID", "zh": "源编号"},
    "name": {"en": "Name", "zh": "名称"},
    "kind": {"en": "Kind", "zh": "类型"},
    "category": {"en": "Category", "zh": "源类别"},
    "county": {"en": "County", "zh": "区县"},
    "adcode": {"en": "County code", "zh": "行政区划代码"},
    "lon_wgs84": {"en": "Longitude (WGS84)", "zh": "经度(WGS84)"},
    "lat_wgs84": {"en": "Latitude (WGS84)", "zh": "纬度(WGS84)"},
    "lon_gcj02": {"en": "Longitude (GCJ-02)", "zh": "经度(GCJ-02)"},
    "lat_gcj02": {"en": "Latitude (GCJ-02)", "zh": "纬度(GCJ-02)"},
    "station": {"en": "Most affected station", "zh": "受影响站点"},
    "contribution": {"en": "Contribution (µg/m³)", "zh": "估计贡献(µg/m³)"},
    "contribution_lower": {"en": "Contribution lower (µg/m³)", "zh": "贡献下限(µg/m³)"},
    "contribution_upper": {"en": "Contribution upper (µg/m³)", "zh": "贡献上限(µg/m³)"},
    "hours_upwind": {"en": "Hours upwind (h)", "zh": "上风向小时数(h)"},
    "exceedance_hours": {"en": "Exceedance hours explained (h)", "zh": "解释超标小时数(h)"},
    "last_seen": {"en": "Last seen", "zh": "最近观测时间"},
    "evidence": {"en": "Evidence", "zh": "证据"},
    "score": {"en": "Score", "zh": "优先得分"},
}
LEVEL_LABELS = {"red": {"en": "red", "zh": "红"}, "yellow": {"en": "yellow", "zh": "黄"},
                "green": {"en": "green", "zh": "绿"}}
SCORE_COLUMNS = ("source_id", "station", "contribution", "lower", "upper", "hours_upwind",
                 "exceedance_hours_explained")


def _evidence(row, lang: str) -> str:
    if row["kind"] == "fire_cluster" and not np.isfinite(row["contribution"]):
        if lang == "zh":
            return (f"卫星火点聚类：{row['_n_fires']}个火点，总辐射功率{row['_frp']:.0f} MW，"
                    f"最近一次观测于{row['last_seen']}。")
        return (f"Satellite fire cluster of {row['_n_fires']} detections, total FRP "
                f"{row['_frp']:.0f} MW, last detected {row['last_seen']}.")
    sig = row["contribution_lower"] > 0
    upwind = row["hours_upwind"] > 0
    if lang == "zh":
        where = (f"位于站点{row['station']}上风向{row['hours_upwind']:.0f}小时" if upwind
                 else f"邻近站点{row['station']}（无风向资料，仅按距离）")
        return (f"{where}，估计贡献"
                f"{row['contribution']:.1f} µg/m³（区间{row['contribution_lower']:.1f}–"
                f"{row['contribution_upper']:.1f}），解释超标{row['exceedance_hours']:.0f}小时"
                f"{'' if sig else '（区间含零，证据较弱）'}。")
    where = (f"Upwind of station {row['station']} for {row['hours_upwind']:.0f} h" if upwind
             else f"Near station {row['station']} (no wind direction: distance only)")
    return (f"{where}; estimated "
            f"contribution {row['contribution']:.1f} µg/m³ (interval {row['contribution_lower']:.1f}"
            f"-{row['contribution_upper']:.1f}) explaining {row['exceedance_hours']:.0f} exceedance "
            f"hours{'' if sig else ' (interval includes zero: weak evidence)'}.")


def priority_list(
    scores: pd.DataFrame | None,
    sources=None,
    counties=None,
    *,
    fire_clusters=None,
    now=None,
    red_hours: float = 10.0,
    yellow_hours: float = 3.0,
    min_contribution: float = 1.0,
    half_life_days: float = 7.0,
    lang: str = "en",
):
    """Rank sources and fire clusters for inspection.

    Parameters
    ----------
    scores : DataFrame or None
        ``source_id, station, contribution, lower, upper`` (µg/m³), ``hours_upwind`` (h),
        ``exceedance_hours_explained`` (h): the attribution's ``source_scores_``. Per source the
        station with the most exceedance hours explained is kept.
    sources : GeoDataFrame
        ``source_id, name, kind, category, geometry`` (EPSG:4326); fire clusters may be passed
        here too or via ``fire_clusters``.
    counties : GeoDataFrame, optional
        ``adcode, name, geometry``; adds the county of each row.
    fire_clusters : GeoDataFrame, optional
        From :func:`geoair.hotspot.fire_clusters`; clusters without attribution scores are
        listed with their size and recency (contribution left empty, not invented).
    now : Timestamp, optional
        Reference time for recency (fire clusters: default their latest ``last``; sources with
        ``active_to`` before ``now`` fade by ``half_life_days`` and cannot be red beyond one
        half-life; without ``now`` sources get no recency factor).
    red_hours, yellow_hours, min_contribution : float
        Level rule: red when the interval excludes zero, >= ``red_hours`` exceedance hours are
        explained and the contribution is >= ``min_contribution`` µg/m³; yellow when the
        interval excludes zero or >= ``yellow_hours`` hours are explained, and the contribution
        is >= ``min_contribution / 10``; green otherwise. The score is the exceedance hours
        explained, scaled by ``min(1, contribution / min_contribution)`` and halved when the
        interval includes zero. Fire clusters without scores: red if seen within 2 days and >= 10
        detections, yellow if within ``half_life_days``, else green.
    half_life_days : float
        Recency half-life (score x 0.5 per half-life since the last fire detection or the end
        of a source's activity).
    lang : {"en", "zh"}
        Language of the evidence sentence.

    Returns
    -------
    GeoDataFrame
        The columns of :data:`PRIORITY_COLUMNS`, best first, geometry in EPSG:4326.
    """
    import geopandas as gpd

    from .coords import wgs84_to_gcj02

    check_option("lang", lang, ("en", "zh"))
    cols = list(PRIORITY_COLUMNS)
    log = DropLog()
    parts = []
    if scores is not None and len(scores):
        require_columns(scores, SCORE_COLUMNS, what="source scores")
        if sources is None:
            raise GeoairInputError("Source scores need the sources layer for names and locations.",
                                   fix="Pass sources= (geoair.read_sources or a loader).")
        require_columns(sources, ["source_id", "geometry"], what="sources")
        sc = scores.copy()
        sc["source_id"] = sc["source_id"].astype(str)
        best = sc.sort_values(["exceedance_hours_explained", "contribution"], ascending=False)
        best = best.drop_duplicates("source_id")
        src = sources.copy()
        src["source_id"] = src["source_id"].astype(str)
        merged = best.merge(src, on="source_id", how="left", suffixes=("", "_src"))
        nogeo = merged["geometry"].isna().to_numpy()
        log.add("score for a source_id not in the sources layer", np.flatnonzero(nogeo), column=None)
        merged = merged[~nogeo]
        df = pd.DataFrame({
            "source_id": merged["source_id"].to_numpy(),
            "name": merged.get("name", pd.Series("", index=merged.index)).astype(str).to_numpy(),
            "kind": merged.get("kind", pd.Series("", index=merged.index)).astype(str).to_numpy(),
            "category": merged.get("category", pd.Series("", index=merged.index)).astype(str).to_numpy(),
            "station": merged["station"].astype(str).to_numpy(),
            "contribution": merged["contribution"].astype(float).to_numpy(),
            "contribution_lower": merged["lower"].astype(float).to_numpy(),
            "contribution_upper": merged["upper"].astype(float).to_numpy(),
            "hours_upwind": merged["hours_upwind"].astype(float).to_numpy(),
            "exceedance_hours": merged["exceedance_hours_explained"].astype(float).to_numpy(),
            "last_seen": "",
            "_n_fires": 0, "_frp": np.nan,
        })
        # recency of sources: a site whose activity ended before `now` fades with the half-life
        recency = np.ones(len(df))
        if "active_to" in merged.columns and now is not None:
            end = pd.to_datetime(merged["active_to"], errors="coerce")
            ref = pd.Timestamp(now)
            if end.dt.tz is None and ref.tz is not None:
                ref = ref.tz_localize(None)
            elif end.dt.tz is not None and ref.tz is None:
                ref = ref.tz_localize(end.dt.tz)
            ended = (ref - end).dt.total_seconds().to_numpy() / 86400.0
            past = np.isfinite(ended) & (ended > 0)
            recency[past] = 0.5 ** (ended[past] / half_life_days)
            df["last_seen"] = np.where(past, end.dt.strftime("%Y-%m-%d").to_numpy(), "")
        sig = df["contribution_lower"] > 0
        size = (df["contribution"].clip(lower=0) / min_contribution).clip(upper=1.0)
        df["score"] = (df["exceedance_hours"] * size * np.where(sig, 1.0, 0.5) * recency
                       + 1e-3 * df["contribution"].clip(lower=0))
        big = df["contribution"] >= min_contribution
        some = df["contribution"] >= min_contribution / 10.0
        current = recency > 0.5  # ended less than one half-life ago (or still active)
        df["level"] = np.where(sig & big & current & (df["exceedance_hours"] >= red_hours), "red",
                               np.where(some & (sig | (df["exceedance_hours"] >= yellow_hours)), "yellow",
                                        "green"))
        parts.append(gpd.GeoDataFrame(df, geometry=list(merged["geometry"]), crs="EPSG:4326"))
    if fire_clusters is not None and len(fire_clusters):
        fc = fire_clusters.to_crs("EPSG:4326")
        last = pd.to_datetime(fc["last"])
        ref = pd.Timestamp(now) if now is not None else last.max()
        if ref.tz is None and last.dt.tz is not None:
            ref = ref.tz_localize(last.dt.tz)  # naive `now` is read as local (Beijing) time
        age_d = (ref - last).dt.total_seconds().to_numpy() / 86400.0
        recency = 0.5 ** (np.clip(age_d, 0, None) / half_life_days)
        n = fc["n_fires"].astype(int).to_numpy()
        df = pd.DataFrame({
            "source_id": [f"fire-{c}" for c in fc["cluster"]],
            "name": [f"火点聚类 {c}" if lang == "zh" else f"fire cluster {c}" for c in fc["cluster"]],
            "kind": "fire_cluster", "category": "burning", "station": "",
            "contribution": np.nan, "contribution_lower": np.nan, "contribution_upper": np.nan,
            "hours_upwind": np.nan, "exceedance_hours": np.nan,
            "last_seen": last.dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
            "_n_fires": n, "_frp": fc["frp_sum"].astype(float).to_numpy(),
            # size (detections) times recency: a stale cluster falls down the list
            "score": n * recency,
        })
        df["level"] = np.where((age_d <= 2) & (n >= 10), "red",
                               np.where(age_d <= half_life_days, "yellow", "green"))
        parts.append(gpd.GeoDataFrame(df, geometry=list(fc.geometry), crs="EPSG:4326"))
    if not parts:
        out = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in cols}, geometry=[], crs="EPSG:4326")
        out.attrs["droplog"] = log
        return out
    out = pd.concat(parts, ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    lvl = out["level"].map({"red": 0, "yellow": 1, "green": 2})
    out = out.assign(_lvl=lvl).sort_values(["_lvl", "score"], ascending=[True, False]).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out["lon_wgs84"] = out.geometry.x.round(7)
    out["lat_wgs84"] = out.geometry.y.round(7)
    glon, glat = wgs84_to_gcj02(out.geometry.x.to_numpy(), out.geometry.y.to_numpy())
    out["lon_gcj02"] = np.round(glon, 7)
    out["lat_gcj02"] = np.round(glat, 7)
    if counties is not None and len(counties):
        from .hotspot.aggregate import assign_county

        withc = assign_county(out[["geometry"]], counties)
        out["adcode"] = withc["adcode"].to_numpy()
        out["county"] = withc["county"].to_numpy()
    else:
        out["adcode"] = pd.NA
        out["county"] = pd.NA
    out["evidence"] = [_evidence(r, lang) for _, r in out.iterrows()]
    out = out[cols + ["geometry"]]
    out.attrs["droplog"] = log
    out.attrs["params"] = dict(red_hours=red_hours, yellow_hours=yellow_hours, min_contribution=min_contribution,
                               half_life_days=half_life_days)
    return out


def export_priority(table, out_dir: str | PathLike, *, lang: str = "zh", stem: str = "priority",
                    formats: tuple[str, ...] = ("xlsx", "csv", "geojson")) -> dict[str, Path]:
    """Write a priority list to Excel, CSV and GeoJSON.

    Parameters
    ----------
    table : GeoDataFrame
        From :func:`priority_list`.
    out_dir : path
        Output folder (created).
    lang : {"zh", "en"}
        Header language of the Excel and CSV files (GeoJSON keeps the English keys).
    formats : tuple
        Any of "xlsx", "csv", "geojson".

    Returns
    -------
    dict
        format -> written path.
    """
    check_option("lang", lang, ("en", "zh"))
    for f in formats:
        check_option("formats", f, ("xlsx", "csv", "geojson"))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cols = list(PRIORITY_COLUMNS)
    flat = pd.DataFrame(table.drop(columns="geometry", errors="ignore")).reindex(columns=cols)
    flat["level"] = flat["level"].map(lambda v: LEVEL_LABELS.get(v, {}).get(lang, v))
    headers = {c: PRIORITY_COLUMNS[c][lang] for c in cols}
    written: dict[str, Path] = {}
    if "csv" in formats:
        p = out_dir / f"{stem}_{lang}.csv"
        # utf-8-sig so that Excel on Windows shows Chinese headers correctly
        flat.rename(columns=headers).to_csv(p, index=False, encoding="utf-8-sig")
        written["csv"] = p
    if "geojson" in formats:
        import geopandas as gpd

        p = out_dir / f"{stem}.geojson"
        gdf = gpd.GeoDataFrame(pd.DataFrame(table.drop(columns="geometry", errors="ignore")).reindex(columns=cols),
                               geometry=list(table.geometry), crs="EPSG:4326")
        for c in gdf.columns:
            if c != "geometry" and gdf[c].dtype == object:
                gdf[c] = gdf[c].astype("string")
        gdf.to_file(p, driver="GeoJSON")
        written["geojson"] = p
    if "xlsx" in formats:
        written["xlsx"] = _write_excel(flat.rename(columns=headers), out_dir / f"{stem}_{lang}.xlsx",
                                       lang)
    return written


def _write_excel(df: pd.DataFrame, path: Path, lang: str) -> Path:
    from ._compat import import_optional

    openpyxl = import_optional("openpyxl", "Excel priority lists")
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "优先名单" if lang == "zh" else "priority"
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and not np.isfinite(v)) or v is pd.NA else v
                   for v in row])
    ws.freeze_panes = "A2"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    fills = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE", "红": "FFC7CE", "黄": "FFEB9C",
             "绿": "C6EFCE"}
    level_col = list(df.columns).index(PRIORITY_COLUMNS["level"][lang]) + 1
    for r in range(2, ws.max_row + 1):
        c = ws.cell(row=r, column=level_col)
        if c.value in fills:
            c.fill = PatternFill("solid", fgColor=fills[c.value])
    for i, col in enumerate(df.columns, start=1):
        values = [str(col)] + [str(v) for v in df.iloc[:, i - 1].head(200)]
        # CJK characters take about two Latin character widths
        width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in v) for v in values)
        ws.column_dimensions[get_column_letter(i)].width = min(max(8, width + 2), 60)
    wb.save(path)
    return path
