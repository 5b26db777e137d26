"""Outputs of the integrity screen: "check the station" rows for the priority list, and files.

:func:`integrity_priority_rows` turns events into rows with the columns of
:data:`geoair.priority.PRIORITY_COLUMNS` (one row per station, its strongest event as the
evidence), so the briefing can list stations to check next to - and separate from - the
sources to inspect. :func:`write_integrity` writes ``events.csv``, ``stations.csv`` and a
``manifest.json`` to an output folder.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .._i18n import resolve_lang, t
from .summary import LEVELS

__all__ = ["integrity_priority_rows", "write_integrity", "write_manifest", "PRIORITY_KIND"]

#: ``kind`` of integrity rows in the priority list (``category`` is ``"integrity"``).
PRIORITY_KIND = "station_check"


def integrity_priority_rows(events: pd.DataFrame, stations, *, min_score: float = LEVELS["yellow"],
                            lang: str | None = None):
    """"Check the station" rows in the priority list's columns.

    Parameters
    ----------
    events : DataFrame
        :func:`geoair.integrity.detect_integrity` output.
    stations : DataFrame or GeoDataFrame
        ``station, lon, lat`` (or Point geometry), optionally ``name, adcode, county``.
    min_score : float
        Stations whose strongest event scores below this get no row.
    lang : {"en", "zh"}, optional

    Returns
    -------
    GeoDataFrame
        Columns of :data:`geoair.priority.PRIORITY_COLUMNS` plus geometry (EPSG:4326):
        ``source_id`` = ``"station-<code>"``, ``kind`` = ``"station_check"``, ``category`` =
        ``"integrity"``, ``level`` red or yellow (:data:`~geoair.integrity.summary.LEVELS`), ``score`` = strongest event
        score, ``last_seen`` = end of the latest event, contribution columns empty,
        ``evidence`` = number of events and the strongest event's sentence.
    """
    import geopandas as gpd

    from ..coords import wgs84_to_gcj02
    from ..priority import PRIORITY_COLUMNS

    lang = resolve_lang(lang)
    cols = list(PRIORITY_COLUMNS)
    ev = events[events["score"] >= min_score]
    st = pd.DataFrame(stations).copy()
    st["station"] = st["station"].astype(str)
    if "lon" not in st.columns and "geometry" in st.columns:
        st["lon"], st["lat"] = st.geometry.x, st.geometry.y
    st = st.drop_duplicates("station").set_index("station")
    ev = ev[ev["station"].isin(st.index)]
    if len(ev) == 0:
        return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in cols}, geometry=[], crs="EPSG:4326")
    g = ev.sort_values("score", ascending=False).groupby("station", sort=False)
    best = g.first()
    n = g.size()
    last = g["end"].max()
    codes = best.index.to_numpy()
    lon = st.loc[codes, "lon"].astype(float).to_numpy()
    lat = st.loc[codes, "lat"].astype(float).to_numpy()
    glon, glat = wgs84_to_gcj02(lon, lat)
    kind_label = [t(f"integrity_kind_{k}", lang) for k in best["kind"]]
    df = pd.DataFrame({
        "level": np.where(best["score"] >= LEVELS["red"], "red", "yellow"),
        "source_id": [f"station-{c}" for c in codes],
        "name": st.loc[codes, "name"].astype(str).to_numpy() if "name" in st.columns else codes,
        "kind": PRIORITY_KIND, "category": "integrity",
        "county": st.loc[codes, "county"].to_numpy() if "county" in st.columns else pd.NA,
        "adcode": st.loc[codes, "adcode"].to_numpy() if "adcode" in st.columns else pd.NA,
        "lon_wgs84": lon.round(7), "lat_wgs84": lat.round(7),
        "lon_gcj02": np.round(glon, 7), "lat_gcj02": np.round(glat, 7),
        "station": codes, "contribution": np.nan, "contribution_lower": np.nan,
        "contribution_upper": np.nan, "hours_upwind": np.nan, "exceedance_hours": np.nan,
        "last_seen": pd.to_datetime(last.to_numpy()).strftime("%Y-%m-%d %H:%M"),
        "evidence": [t("integrity_priority_evidence", lang, n=int(k), kind=lab, score=float(s), evidence=e)
                     for k, lab, s, e in zip(n.to_numpy(), kind_label, best["score"], best["evidence"],
                                             strict=True)],
        "score": best["score"].to_numpy(float),
    })
    df = df.sort_values(["level", "score"], ascending=[True, False], key=lambda c: c.map(
        {"red": 0, "yellow": 1}) if c.name == "level" else c, ignore_index=True)
    df["rank"] = np.arange(1, len(df) + 1)
    out = gpd.GeoDataFrame(df[cols], geometry=gpd.points_from_xy(df["lon_wgs84"], df["lat_wgs84"]),
                           crs="EPSG:4326")
    out.attrs["params"] = {"min_score": min_score, "levels": dict(LEVELS)}
    return out


def _safe_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would read as a formula (``= + - @``) get a leading quote."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            s = out[c].astype("string")
            risky = s.str.match(r"^[=+\-@]").fillna(False)
            out[c] = s.where(~risky, "'" + s)
    return out


def write_manifest(out_dir: Path, files: dict[str, Path], params: dict) -> Path:
    """A ``manifest.json`` listing the written files (name, rows, sha256) and the parameters.

    Kept in one small function so it can be replaced by the package-wide output manifest.
    """
    import hashlib

    from .. import __version__

    entries = {}
    for key, path in files.items():
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        with open(path, encoding="utf-8-sig") as fh:
            rows = sum(1 for _ in fh) - 1
        entries[key] = {"file": Path(path).name, "rows": rows, "sha256": digest}
    manifest = {"tool": "geoair integrity", "version": __version__,
                "created": pd.Timestamp.now(tz="Asia/Shanghai").isoformat(), "files": entries,
                "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}}
    path = Path(out_dir) / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path


def write_integrity(events: pd.DataFrame, stations: pd.DataFrame, out_dir: str | PathLike, *,
                    params: dict | None = None) -> dict[str, Path]:
    """Write ``events.csv``, ``stations.csv`` and ``manifest.json`` to ``out_dir``.

    The files are written to a temporary sibling folder first and then renamed into place
    (other files in ``out_dir`` are left alone), so a failed run never leaves half an output. CSVs are UTF-8 with BOM (Excel shows Chinese correctly); text
    cells beginning with ``= + - @`` are quoted so a spreadsheet cannot run them.

    Returns
    -------
    dict
        ``{"events": path, "stations": path, "manifest": path}``.
    """
    import shutil
    import tempfile

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        files = {"events": tmp / "events.csv", "stations": tmp / "stations.csv"}
        ev = events.copy()
        for c in ("start", "end"):
            ev[c] = pd.to_datetime(ev[c]).dt.strftime("%Y-%m-%dT%H:%M%z")
        _safe_cells(ev).to_csv(files["events"], index=False, encoding="utf-8-sig")
        _safe_cells(pd.DataFrame(stations)).to_csv(files["stations"], index=False, encoding="utf-8-sig")
        write_manifest(tmp, files, params or {})
        if out_dir.exists():  # keep whatever else the folder holds; replace our files only
            for f in tmp.iterdir():
                f.replace(out_dir / f.name)
            tmp.rmdir()
        else:
            tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {k: out_dir / f"{k}.csv" for k in ("events", "stations")} | {"manifest": out_dir / "manifest.json"}
