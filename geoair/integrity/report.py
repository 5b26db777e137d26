"""Outputs of the integrity screen: "check the station" rows for the priority list, and files.

:func:`integrity_priority_rows` turns events into rows with the columns of
:data:`geoair.priority.PRIORITY_COLUMNS` (one row per station, its strongest event as the
evidence), so the briefing can list stations to check next to - and separate from - the
sources to inspect. :func:`write_integrity` writes ``events.csv``, ``stations.csv`` and a
``manifest.json`` to an output folder.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .._i18n import resolve_lang, t
from .summary import LEVELS

__all__ = ["integrity_priority_rows", "write_integrity", "write_tables", "PRIORITY_KIND"]

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
        ``station, lon, lat`` (or Point geometry), optionally ``name, city, county, adcode``.
    min_score : float
        Stations whose strongest event scores below this get no row.
    lang : {"en", "zh"}, optional

    Returns
    -------
    GeoDataFrame
        Columns of :data:`geoair.priority.PRIORITY_COLUMNS` plus geometry (EPSG:4326):
        ``group`` = ``kind`` = ``"station_check"``, ``source_id`` = ``"station-<code>"``,
        ``category`` = ``"integrity"``, ``level`` red or yellow
        (:data:`~geoair.integrity.LEVELS`), ``score`` = strongest event score (``score_unit``
        says so), ``last_seen`` = end of the latest event, contribution, fire and distance
        columns empty (``distance_km`` 0: the row is the station itself), ``evidence`` =
        number of events and the strongest event's sentence.
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
        "group": PRIORITY_KIND, "source_id": [f"station-{c}" for c in codes],
        "name": st.loc[codes, "name"].astype(str).to_numpy() if "name" in st.columns else codes,
        "kind": PRIORITY_KIND, "category": "integrity",
        "city": _col(st, codes, "city"), "county": _col(st, codes, "county"),
        "address": "", "credit_code": "",
        "adcode": st.loc[codes, "adcode"].to_numpy() if "adcode" in st.columns else pd.NA,
        "lon_wgs84": lon.round(7), "lat_wgs84": lat.round(7),
        "lon_gcj02": np.round(glon, 7), "lat_gcj02": np.round(glat, 7),
        "station": codes, "station_name": _col(st, codes, "name"), "distance_km": 0.0,
        "bearing_deg": np.nan, "bearing": "", "n_fires": np.nan, "contribution": np.nan, "contribution_lower": np.nan,
        "contribution_upper": np.nan, "hours_upwind": np.nan, "exceedance_hours": np.nan,
        "last_seen": pd.to_datetime(last.to_numpy()).strftime("%Y-%m-%d %H:%M"),
        "evidence": [t("integrity_priority_evidence", lang, n=int(k), kind=lab, score=float(s), evidence=e)
                     for k, lab, s, e in zip(n.to_numpy(), kind_label, best["score"], best["evidence"],
                                             strict=True)],
        "score": best["score"].to_numpy(float),
        "score_unit": t(f"priority.unit.{PRIORITY_KIND}", lang),
    })
    df = df.sort_values(["level", "score"], ascending=[True, False], key=lambda c: c.map(
        {"red": 0, "yellow": 1}) if c.name == "level" else c, ignore_index=True)
    df["rank"] = np.arange(1, len(df) + 1)
    out = gpd.GeoDataFrame(df[cols], geometry=gpd.points_from_xy(df["lon_wgs84"], df["lat_wgs84"]),
                           crs="EPSG:4326")
    out.attrs["params"] = {"min_score": min_score, "levels": dict(LEVELS)}
    return out


def _col(st: pd.DataFrame, codes, name: str):
    """Column ``name`` of the station table for ``codes`` (text), or empty text when absent."""
    if name not in st.columns:
        return ""
    return st.loc[codes, name].astype("string").fillna("").to_numpy()


def _safe_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would read as a formula (``= + - @``) get a leading quote."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            s = out[c].astype("string")
            risky = s.str.match(r"^[=+\-@]").fillna(False)
            out[c] = s.where(~risky, "'" + s)
    return out


def write_tables(events: pd.DataFrame, stations: pd.DataFrame, folder: str | PathLike) -> dict[str, Path]:
    """Write ``events.csv`` and ``stations.csv`` into ``folder`` (no manifest).

    CSVs are UTF-8 with BOM (Excel shows Chinese correctly); times are ISO 8601 with the
    offset; text cells beginning with ``= + - @`` are quoted so a spreadsheet cannot run them.
    Used inside :func:`geoair._output.atomic_output` by :func:`write_integrity` and the CLI.
    """
    folder = Path(folder)
    files = {"events": folder / "events.csv", "stations": folder / "stations.csv"}
    ev = events.copy()
    for c in ("start", "end"):
        ev[c] = pd.to_datetime(ev[c]).dt.strftime("%Y-%m-%dT%H:%M%z")
    _safe_cells(ev).to_csv(files["events"], index=False, encoding="utf-8-sig")
    _safe_cells(pd.DataFrame(stations)).to_csv(files["stations"], index=False, encoding="utf-8-sig")
    return files


def write_integrity(events: pd.DataFrame, stations: pd.DataFrame, out_dir: str | PathLike, *,
                    params: dict | None = None, overwrite: bool = False, droplog=None,
                    inputs=()) -> dict[str, Path]:
    """Write ``events.csv``, ``stations.csv`` and ``manifest.json`` to ``out_dir`` atomically.

    The folder is written by :func:`geoair._output.atomic_output`: the files go to a
    temporary sibling folder and are moved into place with the manifest last (file sizes,
    sha256, row counts, ``params``, input checksums and the DropLog summary), so a failed run
    never leaves half an output.

    Parameters
    ----------
    events, stations : DataFrame
        :func:`~geoair.integrity.detect_integrity` events and
        :func:`~geoair.integrity.station_summary` rows.
    out_dir : str or path-like
        New or empty folder, or an earlier geoair run (only with ``overwrite=True``).
    params : dict, optional
        Settings recorded in the manifest (``config``).
    overwrite : bool, default False
        Replace an earlier geoair run in ``out_dir``.
    droplog : DropLog or list of records, optional
        The run's drop log (default: ``events.attrs["droplog"]``).
    inputs : iterable of paths, optional
        Input files whose checksums go into the manifest.

    Returns
    -------
    dict
        ``{"events": path, "stations": path, "manifest": path}``.

    Raises
    ------
    GeoairInputError
        ``out_dir`` is a file, not writable, a foreign non-empty folder, or an earlier run
        without ``overwrite``.
    """
    from .._output import MANIFEST, atomic_output
    from .._validation import DropLog

    writer = atomic_output(out_dir, overwrite=overwrite, config=params or {}, inputs=inputs,
                           command="integrity")
    with writer as tmp:
        write_tables(events, stations, tmp)
        writer.droplog = DropLog(droplog if droplog is not None else events.attrs.get("droplog"))
    return {k: writer.out / f"{k}.csv" for k in ("events", "stations")} | {"manifest": writer.out / MANIFEST}
