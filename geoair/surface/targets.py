"""Where to estimate: points as they are, polygons as clouds of sample points (block support).

A polygon is discretised by the nodes of a regular lattice (``spacing`` metres, aligned to the
projected CRS origin) that fall inside it; a polygon too small to hold a node is represented
by one interior point (``representative_point``). With the default 5-km spacing a 1-km grid
cell is a point and a county is a block of tens to hundreds of points.

References
----------
Journel, A. G. and Huijbregts, C. J. (1978). *Mining Geostatistics*, Academic Press, §V.A
(block kriging by discretisation of the block).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validation import GeoairInputError

__all__ = ["Targets", "make_targets"]


@dataclass
class Targets:
    """Estimation targets in a projected CRS.

    Attributes
    ----------
    ids : ndarray
        One id per target (the ``id`` column of the output).
    xy : ndarray (m, 2)
        Sample points, sorted by target.
    starts : ndarray (k,)
        First row of each target's sample points in ``xy``.
    center : ndarray (k, 2)
        A point inside each target (for counting stations within range).
    station_target : ndarray (n_stations,)
        Target index holding each station (-1 none): drives the ``observed`` flag.
    is_polygon : bool
        Polygons (model the smooth field, block means) or points (new measurements).
    """

    ids: np.ndarray
    xy: np.ndarray
    starts: np.ndarray
    center: np.ndarray
    station_target: np.ndarray
    is_polygon: bool

    @property
    def counts(self) -> np.ndarray:
        return np.diff(np.r_[self.starts, len(self.xy)])


def _ids(at, id_col: str | None) -> np.ndarray:
    if id_col is None:
        for c in ("adcode", "cell_id", "station", "id"):
            if c in at.columns:
                id_col = c
                break
    if id_col is None:
        return at.index.to_numpy()
    if id_col not in at.columns:
        raise GeoairInputError(f"Column {id_col!r} is not in the target layer.", column=id_col,
                               received=list(map(str, at.columns))[:20],
                               fix="Pass id_col= one of the layer's columns.")
    ids = at[id_col].to_numpy()
    if pd.Series(ids).duplicated().any():
        rows = np.flatnonzero(pd.Series(ids).duplicated(keep=False).to_numpy())
        raise GeoairInputError("Target ids must be unique.", column=id_col, row=rows.tolist(),
                               fix="Dissolve duplicated polygons or pass another id_col.")
    return ids


def _check_layer(at):
    if not hasattr(at, "geometry") or not hasattr(at, "crs"):
        raise GeoairInputError("'at' must be a GeoDataFrame of points or polygons.",
                               received=type(at).__name__,
                               fix="Use counties (datasets.load_bth_counties()) or a grid "
                               "(geoair.hotspot.make_grid).")
    if at.crs is None:
        raise GeoairInputError("The target layer has no CRS.",
                               fix="Set it, e.g. at.set_crs('EPSG:4326').")
    kinds = set(at.geometry.geom_type.dropna())
    bad = np.flatnonzero((at.geometry.isna() | at.geometry.is_empty).to_numpy())
    if bad.size or not kinds <= {"Point", "Polygon", "MultiPolygon"} or len(kinds - {"Point"}) and (
            "Point" in kinds):
        raise GeoairInputError("Target geometries must be all points or all (multi)polygons.",
                               column="geometry", row=bad.tolist() or None, received=sorted(kinds),
                               fix="Split the layer, or drop empty geometries.")


def _lattice(geom, spacing: float):
    """Lattice nodes inside each polygon: (node xy, polygon index), sorted by polygon."""
    import shapely

    minx, miny, maxx, maxy = geom.total_bounds
    xs = np.arange(np.floor(minx / spacing), np.ceil(maxx / spacing) + 1) * spacing + spacing / 2
    ys = np.arange(np.floor(miny / spacing), np.ceil(maxy / spacing) + 1) * spacing + spacing / 2
    gx, gy = np.meshgrid(xs, ys)
    pts = shapely.points(gx.ravel(), gy.ravel())
    poly_idx, pt_idx = geom.sindex.query(pts, predicate="within")[::-1]
    order = np.lexsort((pt_idx, poly_idx))
    poly_idx, pt_idx = poly_idx[order], pt_idx[order]
    return np.column_stack([gx.ravel()[pt_idx], gy.ravel()[pt_idx]]), poly_idx


def make_targets(at, station_xy: np.ndarray, *, crs: str, id_col: str | None = None,
                 spacing: float = 5000.0, observed_radius: float = 1000.0) -> Targets:
    """Sample points, ids and station membership for a point or polygon layer.

    Parameters
    ----------
    at : GeoDataFrame
        Points or (multi)polygons, any CRS.
    station_xy : ndarray (n, 2)
        Station coordinates in ``crs`` (metres).
    spacing : float
        Lattice spacing for polygons, metres.
    observed_radius : float
        For point targets: a station closer than this (metres) makes the point ``observed``.
    """
    import shapely

    _check_layer(at)
    ids = _ids(at, id_col)
    geom = at.geometry.to_crs(crs).reset_index(drop=True)
    if (geom.geom_type == "Point").all():
        xy = np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])
        return Targets(ids=ids, xy=xy, starts=np.arange(len(xy)), center=xy,
                       station_target=_nearest_within(xy, station_xy, observed_radius),
                       is_polygon=False)
    if spacing <= 0:
        raise GeoairInputError("spacing must be positive (metres).", received=spacing,
                               fix="Use e.g. 5000 (5 km).")
    nodes, owner = _lattice(geom, spacing)
    rep = shapely.get_coordinates(geom.representative_point().values)
    empty = np.setdiff1d(np.arange(len(geom)), owner)
    owner = np.r_[owner, empty]
    nodes = np.vstack([nodes, rep[empty]])
    order = np.argsort(owner, kind="stable")
    owner, nodes = owner[order], nodes[order]
    starts = np.searchsorted(owner, np.arange(len(geom)))
    pts = shapely.points(station_xy[:, 0], station_xy[:, 1])
    st_idx, poly_idx = geom.sindex.query(pts, predicate="within")
    station_target = np.full(len(station_xy), -1)
    station_target[st_idx] = poly_idx
    return Targets(ids=ids, xy=nodes, starts=starts, center=rep, station_target=station_target,
                   is_polygon=True)


def _nearest_within(xy: np.ndarray, station_xy: np.ndarray, radius: float) -> np.ndarray:
    from scipy.spatial import cKDTree

    if len(xy) == 0:
        return np.full(len(station_xy), -1)
    dist, idx = cKDTree(xy).query(station_xy, k=1)
    return np.where(dist <= radius, idx, -1)
