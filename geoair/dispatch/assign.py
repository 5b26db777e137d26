"""Assign priority rows to supervision grids (网格化监管) and to the people responsible for them.

Counties run pollution control through grids (township, street or village), each with named
people responsible; tasks are set by place, time, person and responsibility (定点、定时、定人、
定责). :func:`dispatch` puts every row of a priority list - sources, fire clusters and
"check the station" rows alike - into the grid polygon that contains it. A row outside every
grid (or without a location) is kept, marked unassigned, recorded in the DropLog and listed by
:func:`unassigned` (and in the export's ``unassigned`` table): it is reported, never dropped.

Grid polygons drawn on Chinese web maps (AMap, Tencent) are in GCJ-02 and those of Baidu in
BD-09 even when a file declares EPSG:4326; ``grids_coords`` converts their vertices to WGS84
(:func:`geoair.coords.convert_geometry`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option, require_columns
from ..schema import INPUT_CRS
from ._rows import as_points, plain, row_kind, units

__all__ = ["dispatch", "unassigned", "prepare_grids", "people_table", "TASK_COLUMNS"]

#: Columns :func:`dispatch` adds to the priority list's columns.
TASK_COLUMNS = ("task_id", "row_kind", "grid_id", "grid_name", "grid_rank", "assigned_by", "person", "phone")

#: Column spellings (case-insensitive) read from a ``people`` table.
PEOPLE_COLUMNS = {
    "person": ("person", "name", "names", "responsible", "负责人", "责任人", "网格员", "姓名"),
    "phone": ("phone", "tel", "telephone", "mobile", "电话", "联系电话", "手机", "手机号"),
}
_GRID_NAME = ("grid_name", "name", "名称", "网格名称")


def _find(columns, spellings) -> str | None:
    lower = {str(c).strip().lower(): c for c in columns}
    return next((lower[s.lower()] for s in spellings if s.lower() in lower), None)


def prepare_grids(grids, *, grid_id: str = "grid_id", grids_coords: str = "wgs84", log: DropLog | None = None):
    """Grid polygons in WGS84 with ``grid_id`` (text) and ``grid_name``; one row per grid.

    Parameters
    ----------
    grids : GeoDataFrame
        Polygons in any CRS (reprojected to EPSG:4326), with a ``grid_id`` column.
    grid_id : str
        Name of the grid identifier column.
    grids_coords : {"wgs84", "gcj02", "bd09"}
        Datum of the coordinates after reprojection to EPSG:4326: grids traced on AMap or
        Tencent maps are ``"gcj02"``, on Baidu maps ``"bd09"``.
    log : DropLog, optional
        Receives grids without a geometry.

    Returns
    -------
    GeoDataFrame
        ``grid_id, grid_name, geometry`` (EPSG:4326); polygons of the same id are merged.
    """
    import geopandas as gpd
    import shapely

    from ..coords import convert_geometry

    check_option("grids_coords", grids_coords, INPUT_CRS)
    if not isinstance(grids, gpd.GeoDataFrame):
        raise GeoairInputError("The grids must be a GeoDataFrame of polygons.", received=type(grids).__name__,
                               fix="Read them with geopandas.read_file (Shapefile, GeoJSON, GeoPackage).")
    require_columns(grids, [grid_id], what="grids")
    if grids.crs is None:
        raise GeoairInputError("The grids have no CRS.", fix="Set it, e.g. grids.set_crs('EPSG:4326').")
    g = grids.to_crs("EPSG:4326")
    empty = (g.geometry.isna() | g.geometry.is_empty).to_numpy()
    if log is not None:
        log.add("grid without a geometry", np.flatnonzero(empty), column=None)
    g = g[~empty]
    name_col = _find(g.columns.drop(grid_id), _GRID_NAME)
    ids = g[grid_id].astype("string").fillna("").str.strip()
    geom = shapely.make_valid(g.geometry.to_numpy())
    if grids_coords != "wgs84":
        geom = convert_geometry(geom, src=grids_coords, dst="wgs84")
    frame = gpd.GeoDataFrame({"grid_id": ids.to_numpy(),
                              "grid_name": g[name_col].astype("string").fillna("").to_numpy() if name_col else "",
                              }, geometry=list(geom), crs="EPSG:4326")
    if frame["grid_id"].duplicated().any():
        frame = frame.dissolve(by="grid_id", aggfunc="first", as_index=False)[["grid_id", "grid_name", "geometry"]]
    return frame.reset_index(drop=True)


def people_table(people, *, grid_id: str = "grid_id") -> pd.DataFrame:
    """One row per grid: ``grid_id, person, phone`` (several people joined with "、").

    Parameters
    ----------
    people : DataFrame
        ``grid_id`` and a name column (``person``/负责人/网格员/姓名...) and optionally a phone
        column (``phone``/电话/联系电话...), one row per person.
    """
    require_columns(people, [grid_id], what="people")
    df = plain(people)
    cols = {k: _find(df.columns.drop(grid_id), v) for k, v in PEOPLE_COLUMNS.items()}
    if cols["person"] is None:
        raise GeoairInputError("The people table has no name column.", column="person",
                               received=list(map(str, df.columns))[:20],
                               fix=f"Add a column named one of {list(PEOPLE_COLUMNS['person'])}.")
    out = pd.DataFrame({"grid_id": df[grid_id].astype("string").fillna("").str.strip()})
    for k, c in cols.items():
        out[k] = df[c].astype("string").fillna("").str.strip() if c is not None else ""
    out = out[out["grid_id"] != ""]

    def join(s):
        return "、".join(dict.fromkeys(v for v in s if v))

    return out.groupby("grid_id", as_index=False, sort=False).agg(person=("person", join), phone=("phone", join))


def _locate(points, grids, snap_m: float):
    """Per point: grid index (-1 = none) and how it was found ("within", "nearest", "overlap")."""
    import geopandas as gpd

    n = len(points)
    idx = np.full(n, -1, dtype=np.int64)
    how = np.full(n, "", dtype=object)
    has_geom = ~(points.geometry.isna() | points.geometry.is_empty).to_numpy()
    if not len(grids) or not has_geom.any():
        return idx, how
    pts = gpd.GeoDataFrame({"_i": np.flatnonzero(has_geom)}, geometry=list(points.geometry[has_geom]),
                           crs="EPSG:4326")
    hits = gpd.sjoin(pts, grids[["geometry"]], how="inner", predicate="intersects")
    if len(hits):
        area = grids.to_crs(grids.estimate_utm_crs()).area.to_numpy()
        hits = hits.assign(_area=area[hits["index_right"].to_numpy()])
        n_hit = hits.groupby("_i")["_area"].transform("size").to_numpy()
        hits = hits.assign(_n=n_hit).sort_values(["_i", "_area"])  # overlapping grids: the smallest wins
        first = hits.drop_duplicates("_i")
        idx[first["_i"].to_numpy()] = first["index_right"].to_numpy()
        how[first["_i"].to_numpy()] = np.where(first["_n"].to_numpy() > 1, "overlap", "within")
    if snap_m > 0:
        missing = np.flatnonzero(has_geom & (idx < 0))
        if missing.size:
            utm = grids.estimate_utm_crs()
            near = gpd.sjoin_nearest(pts[pts["_i"].isin(missing)].to_crs(utm), grids[["geometry"]].to_crs(utm),
                                     how="inner", max_distance=snap_m, distance_col="_d").drop_duplicates("_i")
            idx[near["_i"].to_numpy()] = near["index_right"].to_numpy()
            how[near["_i"].to_numpy()] = "nearest"
    return idx, how


def _task_ids(grid: pd.Series, round_id: str | None) -> tuple[np.ndarray, np.ndarray]:
    """``[round-]grid-NNN`` (or ``[round-]unassigned-NNN``) in list order, and the rank in the grid."""
    key = grid.fillna("").to_numpy(dtype=object)
    order = pd.Series(np.arange(len(key))).groupby(key, sort=False).cumcount().to_numpy() + 1
    prefix = "" if not round_id else f"{round_id}-"
    ids = [f"{prefix}{g if g else 'unassigned'}-{k:03d}" for g, k in zip(key, order, strict=True)]
    return np.asarray(ids, dtype=object), order


def _merge_windows(out, windows) -> pd.DataFrame:
    if windows is None or not len(windows):
        return out
    w = plain(windows)
    require_columns(w, ["source_id"], what="windows")
    w["source_id"] = w["source_id"].astype(str)
    w = w.drop_duplicates("source_id").drop(columns=[c for c in w.columns if c in out.columns and c != "source_id"])
    merged = out.merge(w, on="source_id", how="left")
    merged.index = out.index
    return merged


def dispatch(priority, grids, *, grid_id: str = "grid_id", people=None, grids_coords: str = "wgs84",
             windows=None, snap_m: float = 0.0, round_id: str | None = None):
    """Assign every priority row to the supervision grid containing it, with the people responsible.

    Parameters
    ----------
    priority : GeoDataFrame or DataFrame
        Rows of :func:`geoair.priority.priority_list` (sources and fire clusters), of
        :func:`geoair.integrity.integrity_priority_rows` ("check the station"), or both
        concatenated; points in EPSG:4326 (geometry, or ``lon_wgs84``/``lat_wgs84``).
    grids : GeoDataFrame
        Grid polygons in any CRS with a ``grid_id`` column (and optionally ``grid_name`` or
        ``name``), see :func:`prepare_grids`.
    grid_id : str
        Name of the grid identifier column in ``grids`` and ``people``.
    people : DataFrame, optional
        One row per responsible person: ``grid_id``, name, phone (:func:`people_table`).
        Without it the ``person`` and ``phone`` columns are left blank for the county to fill.
    grids_coords : {"wgs84", "gcj02", "bd09"}
        Datum of the grid coordinates (GCJ-02 for grids traced on AMap/Tencent maps).
    windows : DataFrame, optional
        :func:`geoair.dispatch.inspection_windows` output, joined by ``source_id``.
    snap_m : float
        Rows outside every grid but within this distance (m) of one are assigned to the
        nearest (``assigned_by == "nearest"``); 0 = only rows inside a grid.
    round_id : str, optional
        Prefix of the task ids (e.g. ``"2026W48"``), so ids stay unique across rounds.

    Returns
    -------
    GeoDataFrame
        The priority rows in their original order with :data:`TASK_COLUMNS` added:
        ``task_id`` (``[round-]grid-NNN``, numbered in list order within each grid),
        ``row_kind`` (source / fire_cluster / station_check), ``grid_id`` (empty when
        unassigned), ``grid_name``, ``grid_rank``, ``assigned_by`` (``within``; ``overlap``
        when overlapping grids contain the row - the smallest wins; ``nearest``;
        ``unassigned``), ``person``, ``phone``. Unassigned rows stay in the table
        (:func:`unassigned` lists them); ``attrs["droplog"]`` says why each was not assigned,
        ``attrs["grids"]`` lists every grid (``grid_id``, ``grid_name``: the county summary
        shows grids without tasks too) and ``attrs["params"]`` the settings.
    """
    log = DropLog()
    grid_frame = prepare_grids(grids, grid_id=grid_id, grids_coords=grids_coords, log=log)
    pts = as_points(priority)
    pts = pts.reset_index(drop=True)
    pts["source_id"] = pts["source_id"].astype(str)
    idx, how = _locate(pts, grid_frame, float(snap_m))
    found = idx >= 0
    out = pts.copy()
    out["row_kind"] = row_kind(out)
    out["grid_id"] = np.where(found, grid_frame["grid_id"].to_numpy()[np.maximum(idx, 0)], "")
    out["grid_name"] = np.where(found, grid_frame["grid_name"].to_numpy()[np.maximum(idx, 0)], "")
    out["assigned_by"] = np.where(found, how, "unassigned")
    no_geom = (pts.geometry.isna() | pts.geometry.is_empty).to_numpy()
    log.add("priority row without a location (not assigned to a grid)", np.flatnonzero(no_geom), column=None)
    log.add("priority row outside every grid (kept, not assigned to a grid)",
            np.flatnonzero(~no_geom & ~found), column=None)
    out["task_id"], out["grid_rank"] = _task_ids(out["grid_id"].where(found, ""), round_id)
    out["person"], out["phone"] = "", ""
    if people is not None:
        ppl = people_table(people, grid_id=grid_id).set_index("grid_id")
        for c in ("person", "phone"):
            out[c] = out["grid_id"].map(ppl[c]).fillna("").to_numpy()
    out = _merge_windows(out, windows)
    out.attrs["droplog"], out.attrs["units"] = log, units(out)
    # plain lists (a DataFrame in attrs breaks pandas concat): every grid, with or without tasks
    out.attrs["grids"] = {"grid_id": grid_frame["grid_id"].tolist(), "grid_name": grid_frame["grid_name"].tolist()}
    out.attrs["params"] = {"grid_id": grid_id, "grids_coords": grids_coords, "snap_m": float(snap_m),
                           "round_id": round_id, "n_grids": len(grid_frame)}
    return out


def unassigned(dispatched) -> pd.DataFrame:
    """The rows :func:`dispatch` could not put into a grid (``assigned_by == "unassigned"``)."""
    require_columns(dispatched, ["assigned_by"], what="dispatched tasks")
    out = dispatched[dispatched["assigned_by"] == "unassigned"].copy()
    out.attrs = {}
    return out
