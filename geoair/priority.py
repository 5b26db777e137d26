"""Ranked lists for inspectors: which sources and fire clusters to visit first, and why.

Two lists share one table but never one score:

- **sources** with attribution evidence, scored in *weighted exceedance hours* (h): the
  exceedance hours the source helps explain at its most affected station, scaled by
  ``min(1, contribution / min_contribution)``, halved when the contribution interval includes
  zero (weak evidence) and faded by recency when the source's activity has ended;
- **fire clusters**, scored in *recency-weighted detections*: detections x
  ``0.5 ** (days since the last detection / half_life_days)``.

Rows are ordered by level (red, yellow, green: a documented rule per list), then sources
before fire clusters, then by the list's own score; the two scores are never added or compared.
Each row carries the source's own ID and, when the input has them, its address and unified
social credit code; WGS84 and GCJ-02 coordinates (phone maps in China use GCJ-02) to 6
decimals; the most affected station (code and name) with the distance (km) and bearing from
the source; and one sentence of evidence. Sources whose contribution rounds to 0.0 µg/m³ are
left out (recorded in the DropLog): they have nothing to show an inspector.

References
----------
Attribution scores: :class:`geoair.apportion.SourceAttribution` ``source_scores_``.
GCJ-02 conversion: :mod:`geoair.coords`. Geodesics: Karney (2013), *J. Geodesy* 87, 43-55
(``pyproj.Geod``).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ._i18n import LABELS, has, resolve_lang, t
from ._validation import DropLog, GeoairInputError, check_option, require_columns
from .schema import attach_units

__all__ = ["priority_list", "export_priority", "PRIORITY_COLUMNS", "LEVEL_LABELS"]

_COLUMNS = (
    "rank", "level", "group", "source_id", "name", "kind", "category", "city", "county", "adcode", "address",
    "credit_code", "lon_wgs84", "lat_wgs84", "lon_gcj02", "lat_gcj02", "station", "station_name",
    "distance_km", "bearing_deg", "bearing", "contribution", "contribution_lower", "contribution_upper",
    "hours_upwind", "exceedance_hours", "n_fires", "last_seen", "score", "score_unit", "evidence",
)
#: Output columns with English and Chinese headers (the documented layout of every export).
PRIORITY_COLUMNS: dict[str, dict[str, str]] = {c: dict(LABELS[f"priority.col.{c}"]) for c in _COLUMNS}
#: Level codes with their English and Chinese names.
LEVEL_LABELS: dict[str, dict[str, str]] = {c: dict(LABELS[f"level.{c}"]) for c in ("red", "yellow", "green")}
#: Units of the quantity columns (``attrs["units"]``); ``score`` is in its row's ``score_unit``.
PRIORITY_UNITS = {"lon_wgs84": "degree (WGS84)", "lat_wgs84": "degree (WGS84)", "lon_gcj02": "degree (GCJ-02)",
                  "lat_gcj02": "degree (GCJ-02)", "distance_km": "km", "bearing_deg": "degree (from north)",
                  "contribution": "µg/m³", "contribution_lower": "µg/m³", "contribution_upper": "µg/m³",
                  "hours_upwind": "h", "exceedance_hours": "h", "n_fires": "count",
                  "score": "per row: see score_unit"}
SCORE_COLUMNS = ("source_id", "station", "contribution", "lower", "upper", "hours_upwind",
                 "exceedance_hours_explained")
#: Input column spellings (case-insensitive) passed through as ``address`` and ``credit_code``.
PASS_THROUGH = {
    "address": ("address", "addr", "地址", "详细地址", "企业地址", "单位地址"),
    "credit_code": ("credit_code", "uscc", "unified_social_credit_code", "统一社会信用代码",
                    "社会信用代码", "信用代码"),
}
_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def _compass(deg: np.ndarray, lang: str) -> list[str]:
    """Eight-point compass name of bearings in degrees clockwise from north."""
    idx = np.round(np.asarray(deg, float) / 45.0) % 8
    return [t(f"compass.{_COMPASS[int(i)]}", lang) if np.isfinite(i) else "" for i in idx]


def _pass_through(frame: pd.DataFrame) -> pd.DataFrame:
    """``address`` and ``credit_code`` from whichever spelling the input uses (text, or empty)."""
    lower = {str(c).strip().lower(): c for c in frame.columns}
    out = {}
    for name, spellings in PASS_THROUGH.items():
        col = next((lower[s.lower()] for s in spellings if s.lower() in lower), None)
        vals = frame[col] if col is not None else pd.Series(pd.NA, index=frame.index)
        out[name] = vals.astype("string").str.strip().fillna("").to_numpy()
    return pd.DataFrame(out, index=frame.index)


def _best_station(scores: pd.DataFrame, sources, log: DropLog) -> pd.DataFrame:
    """Per source the station with the most exceedance hours explained, joined to the source."""
    sc = pd.DataFrame(scores).copy()
    sc.attrs = {}  # a DropLog in attrs breaks merges under pandas 3 (issue 11.5)
    sc["source_id"] = sc["source_id"].astype(str)
    best = sc.sort_values(["exceedance_hours_explained", "contribution"], ascending=False)
    best = best.drop_duplicates("source_id")
    src = pd.DataFrame(sources).copy()
    src.attrs = {}
    src["source_id"] = src["source_id"].astype(str)
    merged = best.merge(src, on="source_id", how="left", suffixes=("", "_src")).reset_index(drop=True)
    nogeo = merged["geometry"].isna().to_numpy()
    log.add("score for a source_id not in the sources layer", np.flatnonzero(nogeo), column=None)
    merged = merged[~nogeo].reset_index(drop=True)
    zero = (merged["contribution"].astype(float).round(1) <= 0.0).to_numpy()
    log.add("source contribution rounds to 0.0 µg/m³ (nothing to inspect)", np.flatnonzero(zero), column=None)
    return merged[~zero].reset_index(drop=True)


def _text(frame: pd.DataFrame, col: str) -> np.ndarray:
    vals = frame[col] if col in frame.columns else pd.Series("", index=frame.index)
    return vals.astype("string").fillna("").to_numpy()


def _recency(merged: pd.DataFrame, now, half_life_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Recency factor of sources whose activity ended before ``now``, and that end date."""
    recency = np.ones(len(merged))
    last = np.full(len(merged), "", dtype=object)
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
        last = np.where(past, end.dt.strftime("%Y-%m-%d").to_numpy(), "")
    return recency, last


def _source_rows(scores, sources, log: DropLog, now, rules: dict):
    import geopandas as gpd

    require_columns(scores, SCORE_COLUMNS, what="source scores")
    if sources is None:
        raise GeoairInputError("Source scores need the sources layer for names and locations.",
                               fix="Pass sources= (geoair.read_sources or a loader).")
    require_columns(sources, ["source_id", "geometry"], what="sources")
    merged = _best_station(scores, sources, log)
    recency, last = _recency(merged, now, rules["half_life_days"])
    df = pd.DataFrame({
        "group": "source", "source_id": merged["source_id"].to_numpy(), "name": _text(merged, "name"),
        "kind": _text(merged, "kind"), "category": _text(merged, "category"),
        "station": merged["station"].astype(str).to_numpy(),
        "contribution": merged["contribution"].astype(float).to_numpy(),
        "contribution_lower": merged["lower"].astype(float).to_numpy(),
        "contribution_upper": merged["upper"].astype(float).to_numpy(),
        "hours_upwind": merged["hours_upwind"].astype(float).to_numpy(),
        "exceedance_hours": merged["exceedance_hours_explained"].astype(float).to_numpy(),
        "n_fires": np.nan, "last_seen": last, "_frp": np.nan,
    })
    df = pd.concat([df, _pass_through(merged)], axis=1)
    sig = (df["contribution_lower"] > 0).to_numpy()
    size = (df["contribution"].clip(lower=0) / rules["min_contribution"]).clip(upper=1.0).to_numpy()
    df["score"] = df["exceedance_hours"].to_numpy() * size * np.where(sig, 1.0, 0.5) * recency
    big = df["contribution"] >= rules["min_contribution"]
    some = df["contribution"] >= rules["min_contribution"] / 10.0
    current = recency > 0.5  # ended less than one half-life ago (or still active)
    red = sig & big & current & (df["exceedance_hours"] >= rules["red_hours"])
    yellow = some & (sig | (df["exceedance_hours"] >= rules["yellow_hours"]))
    df["level"] = np.where(red, "red", np.where(yellow, "yellow", "green"))
    return gpd.GeoDataFrame(df, geometry=list(merged["geometry"]), crs="EPSG:4326")


def _fire_rows(fire_clusters, now, half_life_days: float, lang: str):
    import geopandas as gpd

    fc = fire_clusters.to_crs("EPSG:4326")
    last = pd.to_datetime(fc["last"])
    ref = pd.Timestamp(now) if now is not None else last.max()
    if ref.tz is None and last.dt.tz is not None:
        ref = ref.tz_localize(last.dt.tz)  # naive `now` is read as local (Beijing) time
    age_d = (ref - last).dt.total_seconds().to_numpy() / 86400.0
    n = fc["n_fires"].astype(int).to_numpy()
    df = pd.DataFrame({
        "group": "fire_cluster", "source_id": [f"fire-{c}" for c in fc["cluster"]],
        "name": [t("map.cluster", lang, id=c) for c in fc["cluster"]],
        "kind": "fire_cluster", "category": "burning", "station": "",
        "contribution": np.nan, "contribution_lower": np.nan, "contribution_upper": np.nan,
        "hours_upwind": np.nan, "exceedance_hours": np.nan, "n_fires": n.astype(float),
        "last_seen": last.dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
        "_frp": fc["frp_sum"].astype(float).to_numpy(), "address": "", "credit_code": "",
        # size (detections) times recency: a stale cluster falls down the list
        "score": n * 0.5 ** (np.clip(age_d, 0, None) / half_life_days),
    })
    df["level"] = np.where((age_d <= 2) & (n >= 10), "red", np.where(age_d <= half_life_days, "yellow", "green"))
    return gpd.GeoDataFrame(df, geometry=list(fc.geometry), crs="EPSG:4326")


def _stations_info(out, stations, lang: str) -> None:
    """Station name, distance (km) and bearing (degrees, compass) from each source to its station."""
    from pyproj import Geod

    n = len(out)
    out["station_name"], out["distance_km"], out["bearing_deg"] = "", np.nan, np.nan
    if stations is None or not len(stations) or not n:
        out["bearing"] = ""
        return
    st = stations.to_crs("EPSG:4326").drop_duplicates("station")
    st.index = st["station"].astype(str).to_numpy()
    hit = out["station"].isin(st.index).to_numpy()
    names = st["name"].astype("string").fillna("") if "name" in st.columns else pd.Series("", index=st.index)
    out.loc[hit, "station_name"] = names.reindex(out.loc[hit, "station"]).to_numpy()
    if hit.any():
        s_geom = st.geometry.reindex(out.loc[hit, "station"])
        pts = out.geometry.representative_point()  # lines/areas (issue 20): a point on them
        az, _, dist = Geod(ellps="WGS84").inv(pts.x[hit].to_numpy(), pts.y[hit].to_numpy(),
                                               s_geom.x.to_numpy(), s_geom.y.to_numpy())
        out.loc[hit, "distance_km"] = np.round(dist / 1000.0, 1)
        out.loc[hit, "bearing_deg"] = np.round(np.mod(az, 360.0)) % 360
    out["bearing"] = [c if h else "" for c, h in zip(_compass(out["bearing_deg"], lang), hit, strict=True)]


def _locate(out, counties) -> None:
    """Rounded WGS84 / GCJ-02 coordinates (6 decimals) and the county (code, name, city)."""
    from .coords import wgs84_to_gcj02

    pts = out.geometry.representative_point()  # lines/areas (issue 20): a point on them
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    out["lon_wgs84"], out["lat_wgs84"] = np.round(x, 6), np.round(y, 6)
    glon, glat = wgs84_to_gcj02(x, y)
    out["lon_gcj02"], out["lat_gcj02"] = np.round(glon, 6), np.round(glat, 6)
    out["adcode"], out["county"], out["city"] = pd.NA, pd.NA, pd.NA
    if counties is not None and len(counties):
        from .hotspot.aggregate import assign_county

        withc = assign_county(out[["geometry"]], counties)
        out["adcode"] = withc["adcode"].to_numpy()
        out["county"] = withc["county"].to_numpy()
        if "city" in withc.columns:
            out["city"] = withc["city"].to_numpy()


def _evidence(row, lang: str) -> str:
    if row["group"] == "fire_cluster":
        return t("priority.evidence.fire", lang, n=int(row["n_fires"]), frp=row["_frp"], last=row["last_seen"])
    station = row["station"] + (f" {row['station_name']}" if row["station_name"] else "")
    dist = (t("priority.evidence.dist", lang, km=row["distance_km"], bearing=row["bearing"])
            if np.isfinite(row["distance_km"]) else "")
    where = (t("priority.evidence.upwind", lang, station=station, hours=row["hours_upwind"], dist=dist)
             if row["hours_upwind"] > 0 else t("priority.evidence.near", lang, station=station, dist=dist))
    text = t("priority.evidence.source", lang, where=where, c=row["contribution"], lo=row["contribution_lower"],
             hi=row["contribution_upper"], exc=row["exceedance_hours"])
    return text + ("" if row["contribution_lower"] > 0 else t("priority.evidence.weak", lang))


def _finish(out, counties, stations, lang: str):
    """Order, rank, locate, round and explain the rows."""
    lvl = out["level"].map({"red": 0, "yellow": 1, "green": 2})
    grp = out["group"].map({"source": 0, "fire_cluster": 1})
    out = out.assign(_lvl=lvl, _grp=grp).sort_values(["_lvl", "_grp", "score"], ascending=[True, True, False])
    out = out.reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    _locate(out, counties)
    _stations_info(out, stations, lang)
    out["score_unit"] = [t(f"priority.unit.{g}", lang) for g in out["group"]]
    out["evidence"] = [_evidence(r, lang) for _, r in out.iterrows()]
    for c in ("contribution", "contribution_lower", "contribution_upper", "score"):
        out[c] = out[c].astype(float).round(1)
    for c in ("hours_upwind", "exceedance_hours"):
        out[c] = out[c].astype(float).round(0)
    return out[[*_COLUMNS, "geometry"]]


def priority_list(
    scores: pd.DataFrame | None,
    sources=None,
    counties=None,
    *,
    stations=None,
    fire_clusters=None,
    now=None,
    red_hours: float = 10.0,
    yellow_hours: float = 3.0,
    min_contribution: float = 1.0,
    half_life_days: float = 7.0,
    lang: str | None = None,
):
    """Rank sources and fire clusters for inspection.

    Parameters
    ----------
    scores : DataFrame or None
        ``source_id, station, contribution, lower, upper`` (µg/m³), ``hours_upwind`` (h),
        ``exceedance_hours_explained`` (h): the attribution's ``source_scores_``. Per source the
        station with the most exceedance hours explained is kept.
    sources : GeoDataFrame
        ``source_id, name, kind, category, geometry`` (EPSG:4326); ``address`` and
        ``credit_code`` (or 地址 / 统一社会信用代码, see :data:`PASS_THROUGH`) are passed through.
    counties : GeoDataFrame, optional
        ``adcode, name, geometry`` (and ``city``, :func:`geoair.hotspot.add_city_names`); adds the
        county and city of each row.
    stations : GeoDataFrame, optional
        ``station, name, geometry``: adds the station name, distance (km) and bearing from the
        source to its most affected station.
    fire_clusters : GeoDataFrame, optional
        From :func:`geoair.hotspot.fire_clusters`; listed with their size and recency
        (contribution left empty, not invented).
    now : Timestamp, optional
        Reference time for recency (fire clusters: default their latest ``last``; sources with
        ``active_to`` before ``now`` fade by ``half_life_days`` and cannot be red beyond one
        half-life; without ``now`` sources get no recency factor).
    red_hours, yellow_hours, min_contribution : float
        Level rule of sources: red when the interval excludes zero, >= ``red_hours``
        exceedance hours are explained and the contribution is >= ``min_contribution`` µg/m³;
        yellow when the interval excludes zero or >= ``yellow_hours`` hours are explained, and
        the contribution is >= ``min_contribution / 10``; green otherwise. Fire clusters: red
        if seen within 2 days and >= 10 detections, yellow if within ``half_life_days``, else
        green.
    half_life_days : float
        Recency half-life (x 0.5 per half-life since the last fire detection or the end of a
        source's activity).
    lang : {"en", "zh"}, optional
        Language of the evidence, bearing and score-unit text (default the geoair option).

    Returns
    -------
    GeoDataFrame
        The columns of :data:`PRIORITY_COLUMNS` in order, geometry in EPSG:4326. ``score`` is
        in weighted exceedance hours for ``group == "source"`` and in recency-weighted
        detections for ``group == "fire_cluster"`` (``score_unit`` says which).
        ``attrs["droplog"]`` lists the sources left out; ``attrs["params"]`` the rules.
    """
    import geopandas as gpd

    lang = resolve_lang(lang)
    rules = dict(red_hours=red_hours, yellow_hours=yellow_hours, min_contribution=min_contribution,
                 half_life_days=half_life_days)
    log = DropLog()
    parts = []
    if scores is not None and len(scores):
        parts.append(_source_rows(scores, sources, log, now, rules))
    if fire_clusters is not None and len(fire_clusters):
        parts.append(_fire_rows(fire_clusters, now, half_life_days, lang))
    parts = [p for p in parts if len(p)]
    if not parts:
        out = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in _COLUMNS}, geometry=[], crs="EPSG:4326")
    else:
        out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs="EPSG:4326")
        out = _finish(out, counties, stations, lang)
    out.attrs["droplog"] = log
    out.attrs["params"] = rules
    return attach_units(out, PRIORITY_UNITS)


def _translated(table, lang: str) -> pd.DataFrame:
    """Flat table with codes (level, list, kind, category) translated, for people."""
    flat = pd.DataFrame(table.drop(columns="geometry", errors="ignore")).reindex(columns=list(_COLUMNS))
    for col, prefix in (("level", "level"), ("group", "priority.group"), ("kind", "kind"), ("category", "category")):
        flat[col] = flat[col].map(lambda v, p=prefix: t(f"{p}.{v}", lang) if has(f"{p}.{v}") else v)
    return flat


def how_to_read(params: dict, lang: str | None = None) -> pd.DataFrame:
    """The "how to read" sheet: each column group and rule in words (``lang``)."""
    lang = resolve_lang(lang)
    p = {"red_hours": 10.0, "yellow_hours": 3.0, "min_contribution": 1.0, "half_life_days": 7.0, **(params or {})}
    fields = dict(red_hours=p["red_hours"], yellow_hours=p["yellow_hours"], min_c=p["min_contribution"],
                  min_c10=p["min_contribution"] / 10.0, half_life=p["half_life_days"])
    rows = [("rank", "rank"), ("level", "level"), ("score", "score"), ("exceedance_hours", "exceedance"),
            ("contribution", "contribution"), ("distance_km", "distance"), ("lon_gcj02", "coords"),
            ("credit_code", "ids")]
    return pd.DataFrame({
        t("priority.howto.term", lang): [t(f"priority.col.{c}", lang) for c, _ in rows],
        t("priority.howto.meaning", lang): [t(f"priority.howto.{k}", lang, **fields) for _, k in rows],
    })


def export_priority(table, out_dir: str | PathLike, *, lang: str | None = None, stem: str = "priority",
                    formats: tuple[str, ...] = ("xlsx", "csv", "geojson")) -> dict[str, Path]:
    """Write a priority list to Excel, CSV and GeoJSON.

    Text cells cannot become spreadsheet formulas (:mod:`geoair._spreadsheet`): CSV cells
    starting with ``= + - @`` (or tab/CR) get a leading apostrophe, XLSX text cells are stored
    as text. The workbook has a "how to read" sheet and an autofilter on the header row.

    Parameters
    ----------
    table : GeoDataFrame
        From :func:`priority_list`.
    out_dir : path
        Output folder (created).
    lang : {"zh", "en"}, optional
        Header language of the Excel and CSV files (default the geoair option; GeoJSON keeps
        the English keys and codes).
    formats : tuple
        Any of "xlsx", "csv", "geojson".

    Returns
    -------
    dict
        format -> written path.
    """
    from ._spreadsheet import csv_safe

    lang = resolve_lang(lang)
    for f in formats:
        check_option("formats", f, ("xlsx", "csv", "geojson"))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    flat = _translated(table, lang).rename(columns={c: PRIORITY_COLUMNS[c][lang] for c in _COLUMNS})
    written: dict[str, Path] = {}
    if "csv" in formats:
        p = out_dir / f"{stem}_{lang}.csv"
        # utf-8-sig so that Excel on Windows shows Chinese headers correctly; CRLF line ends so
        # that a field holding a bare CR or LF is quoted
        csv_safe(flat).to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        written["csv"] = p
    if "geojson" in formats:
        written["geojson"] = _write_geojson(table, out_dir / f"{stem}.geojson")
    if "xlsx" in formats:
        written["xlsx"] = _write_excel(flat, how_to_read(table.attrs.get("params", {}), lang),
                                       out_dir / f"{stem}_{lang}.xlsx", lang)
    return written


def _write_geojson(table, path: Path) -> Path:
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(pd.DataFrame(table.drop(columns="geometry", errors="ignore")).reindex(columns=list(_COLUMNS)),
                           geometry=list(table.geometry), crs="EPSG:4326")
    for c in gdf.columns:
        if c != "geometry" and gdf[c].dtype == object:
            gdf[c] = gdf[c].astype("string")
    gdf.to_file(path, driver="GeoJSON")
    return path


def _sheet(ws, df: pd.DataFrame, max_width: int = 60) -> None:
    """Header + rows as text-safe cells, bold frozen header, autofilter, widths from the content."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from ._spreadsheet import write_text_cell

    for j, col in enumerate(df.columns, start=1):
        write_text_cell(ws, 1, j, str(col)).font = Font(bold=True)
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for j, v in enumerate(row, start=1):
            write_text_cell(ws, i, j, v)
    ws.freeze_panes = "A2"
    if len(df.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{max(1, len(df)) + 1}"
    for j, col in enumerate(df.columns, start=1):
        values = [str(col)] + [str(v) for v in df.iloc[:, j - 1].head(200)]
        # CJK characters take about two Latin character widths
        width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in v) for v in values)
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), max_width)


def _write_excel(df: pd.DataFrame, howto: pd.DataFrame, path: Path, lang: str) -> Path:
    from ._compat import import_optional

    openpyxl = import_optional("openpyxl", "Excel priority lists")
    from openpyxl.styles import Alignment, PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = t("priority.sheet.list", lang)
    _sheet(ws, df)
    fills = {LEVEL_LABELS[k][lang]: c for k, c in (("red", "FFC7CE"), ("yellow", "FFEB9C"), ("green", "C6EFCE"))}
    level_col = list(df.columns).index(PRIORITY_COLUMNS["level"][lang]) + 1
    for r in range(2, ws.max_row + 1):
        c = ws.cell(row=r, column=level_col)
        if c.value in fills:
            c.fill = PatternFill("solid", fgColor=fills[c.value])
    guide = wb.create_sheet(t("priority.sheet.howto", lang))
    _sheet(guide, howto, max_width=100)
    for row in guide.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
    return path
