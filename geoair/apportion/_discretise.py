"""Line and area sources as segments and triangles, finer near each station.

A road (LineString) or a village / site / inventory cell (Polygon) is cut, for every station
within reach, into elements: its segments and the triangles of a constrained Delaunay
triangulation (holes respected), halved (segments) or split in four (triangles) until each is at
most ``max(frac d, h_min)`` long, ``d`` its distance to the station (:func:`station_elements`).
The split depends on the station, not on the hour, so it is done once per station-source pair.
Every element is one station-source pair (a pseudo-row of the source table with its share of the
strength); the pairs tuple (:class:`Pairs`) carries each element's kind and shape, and the
hourly kernels of :mod:`geoair.apportion.kernels` integrate it in closed form across the wind
(``erf``; along the wind too for triangles), so no element needs to be narrower than an hourly
plume. Coordinates are local east/north metres around each station (mid-latitude
equirectangular projection, < 0.1 % distance error within 50 km).

References
----------
Benson, P.E. (1979), CALINE3 - a versatile dispersion model for predicting air pollutant levels
near highways and arterial streets, FHWA/CA/TL-79/23.
U.S. EPA (1995), User's Guide for the Industrial Source Complex (ISC3) Dispersion Models,
vol. II, EPA-454/B-95-003b, sec. 1.2.3 (area sources).
Strang, G. & Fix, G. (1973), An Analysis of the Finite Element Method, Prentice-Hall (table 4.1).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Elements", "Pairs", "elements_of", "station_elements", "size_limit", "shapes_of", "station_pairs"]

EARTH_RADIUS_M = 6_371_008.8


class Elements:
    """Segments and triangles of a set of geometries, in degrees.

    Attributes
    ----------
    seg_geom : int array (n_seg,)
    seg : float array (n_seg, 2, 2)
        ``[k, vertex, (lon, lat)]``.
    tri_geom : int array (n_tri,)
    tri : float array (n_tri, 3, 2)
    centroid : float array (n_geom, 2)
        Length- or area-weighted centroid (lon, lat); the point itself for points.
    radius_m : float array (n_geom,)
        Largest distance of a vertex from the centroid (m).
    is_point : bool array (n_geom,)
    """

    def __init__(self, seg_geom, seg, tri_geom, tri, centroid, radius_m, is_point):
        self.seg_geom, self.seg, self.tri_geom, self.tri = seg_geom, seg, tri_geom, tri
        self.centroid, self.radius_m, self.is_point = centroid, radius_m, is_point


def _triangles(poly) -> np.ndarray:
    import shapely

    tris = shapely.get_parts(shapely.constrained_delaunay_triangles(poly))
    if len(tris) == 0:
        return np.zeros((0, 3, 2))
    coords = shapely.get_coordinates(shapely.get_exterior_ring(tris)).reshape(len(tris), 4, 2)
    return coords[:, :3, :]


def elements_of(geoms) -> Elements:
    """Split geometries (EPSG:4326 shapely geometries, array-like) into segments and triangles.

    Points (and empty geometries) get no elements. Lines give their segments, polygons the
    triangles of a constrained Delaunay triangulation.
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    segs, seg_g, tris, tri_g = [], [], [], []
    for i, g in enumerate(geoms):
        kind = shapely.get_type_id(g)
        if kind in (1, 2, 5):  # LineString, LinearRing, MultiLineString
            for part in shapely.get_parts(g):
                c = shapely.get_coordinates(part)
                if len(c) >= 2:
                    segs.append(np.stack([c[:-1], c[1:]], axis=1))
                    seg_g.append(np.full(len(c) - 1, i))
        elif kind in (3, 6):  # Polygon, MultiPolygon
            t = _triangles(g)
            tris.append(t)
            tri_g.append(np.full(len(t), i))
    seg = np.concatenate(segs) if segs else np.zeros((0, 2, 2))
    tri = np.concatenate(tris) if tris else np.zeros((0, 3, 2))
    seg_geom = np.concatenate(seg_g).astype(np.int64) if seg_g else np.zeros(0, np.int64)
    tri_geom = np.concatenate(tri_g).astype(np.int64) if tri_g else np.zeros(0, np.int64)
    is_point = np.ones(n, bool)
    is_point[seg_geom] = False
    is_point[tri_geom] = False
    centroid, radius = _centroids(geoms, seg, seg_geom, tri, tri_geom, is_point)
    return Elements(seg_geom, seg, tri_geom, tri, centroid, radius, is_point)


def _centroids(geoms, seg, seg_geom, tri, tri_geom, is_point):
    import shapely

    n = len(geoms)
    cen = np.full((n, 2), np.nan)
    pts = np.flatnonzero(is_point)
    if len(pts):
        c = shapely.get_coordinates(shapely.centroid(geoms[pts]))
        ok = ~shapely.is_empty(geoms[pts])
        cen[pts[ok]] = c
    for geom_of, el, size in ((seg_geom, seg, _seg_len_deg), (tri_geom, tri, _tri_area_deg)):
        if len(el):
            w = size(el)
            mid = el.mean(axis=1)
            tot = np.bincount(geom_of, w, n)
            for k in range(2):
                cen[:, k] = np.where(tot > 0, np.bincount(geom_of, w * mid[:, k], n) / np.where(tot > 0, tot, 1),
                                     cen[:, k])
    radius = np.zeros(n)
    for geom_of, el in ((seg_geom, seg), (tri_geom, tri)):
        if len(el):
            c = cen[geom_of][:, None, :]
            e, nn = _enu(el[..., 0], el[..., 1], c[..., 0], c[..., 1])
            np.maximum.at(radius, geom_of, np.hypot(e, nn).max(axis=1))
    return cen, radius


def _seg_len_deg(seg):
    cl = np.cos(np.radians(seg[:, :, 1].mean(axis=1)))
    return np.hypot((seg[:, 1, 0] - seg[:, 0, 0]) * cl, seg[:, 1, 1] - seg[:, 0, 1])


def _tri_area_deg(tri):
    cl = np.cos(np.radians(tri[:, :, 1].mean(axis=1)))
    a = (tri[:, 1] - tri[:, 0]) * np.stack([cl, np.ones_like(cl)], axis=1)
    b = (tri[:, 2] - tri[:, 0]) * np.stack([cl, np.ones_like(cl)], axis=1)
    return 0.5 * np.abs(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0])


def _enu(lon, lat, lon0, lat0):
    """East/north metres of (lon, lat) from (lon0, lat0), mid-latitude equirectangular."""
    k = math.pi / 180.0 * EARTH_RADIUS_M
    return (lon - lon0) * k * np.cos(np.radians(0.5 * (lat + lat0))), (lat - lat0) * k


def _seg_dist(p0, p1):
    """Distance (m) from the origin to segments p0-p1 (arrays (n, 2))."""
    d = p1 - p0
    ll = np.maximum((d * d).sum(axis=1), 1e-30)
    t = np.clip(-(p0 * d).sum(axis=1) / ll, 0.0, 1.0)
    q = p0 + t[:, None] * d
    return np.hypot(q[:, 0], q[:, 1])


def _tri_dist(v):
    """Distance (m) from the origin to triangles v (n, 3, 2); 0 inside."""
    d = np.minimum.reduce([_seg_dist(v[:, i], v[:, (i + 1) % 3]) for i in range(3)])
    cross = [v[:, i, 0] * v[:, (i + 1) % 3, 1] - v[:, i, 1] * v[:, (i + 1) % 3, 0] for i in range(3)]
    inside = ((cross[0] >= 0) & (cross[1] >= 0) & (cross[2] >= 0)) | ((cross[0] <= 0) & (cross[1] <= 0)
                                                                      & (cross[2] <= 0))
    return np.where(inside, 0.0, d)


def size_limit(d, frac, plume, h_min):
    """Largest element size (m) at distance ``d`` (m): ``max(min(frac d, plume sigma_F(d)), h_min)``.

    ``sigma_F(d) = 0.04 d / sqrt(1 + 1e-4 d)`` is the narrowest horizontal spread of the sigma
    library (Briggs rural, class F; Briggs 1973 via Turner 1994), so an element never spans more
    than ``plume`` plume widths and an hourly plume crossing a road is resolved.
    """
    d = np.asarray(d, float)
    sig = 0.04 * d / np.sqrt(1.0 + 1e-4 * d)
    return np.maximum(np.minimum(frac * d, sig * plume) if np.isfinite(plume) else frac * d, h_min)


def _refine_segments(pair, p, w, lim, max_iter=40):
    """Halve segments until length <= lim(distance); returns the final ones."""
    done = []
    for _ in range(max_iter):
        if not len(pair):
            break
        length = np.hypot(*(p[:, 1] - p[:, 0]).T)
        split = length > lim(_seg_dist(p[:, 0], p[:, 1]))
        done.append((pair[~split], p[~split], w[~split]))
        pair, p, w = pair[split], p[split], w[split]
        mid = 0.5 * (p[:, 0] + p[:, 1])
        p = np.concatenate([np.stack([p[:, 0], mid], 1), np.stack([mid, p[:, 1]], 1)])
        pair, w = np.concatenate([pair, pair]), np.concatenate([0.5 * w, 0.5 * w])
    done.append((pair, p, w))
    return (np.concatenate([d[0] for d in done]), np.concatenate([d[1] for d in done]),
            np.concatenate([d[2] for d in done]))


def _refine_triangles(pair, v, w, lim, max_iter=40):
    """Split triangles in four until the longest edge <= lim(distance)."""
    done = []
    for _ in range(max_iter):
        if not len(pair):
            break
        edge = np.max([np.hypot(*(v[:, (i + 1) % 3] - v[:, i]).T) for i in range(3)], axis=0)
        split = edge > lim(_tri_dist(v))
        done.append((pair[~split], v[~split], w[~split]))
        pair, v, w = pair[split], v[split], w[split]
        m01, m12, m20 = 0.5 * (v[:, 0] + v[:, 1]), 0.5 * (v[:, 1] + v[:, 2]), 0.5 * (v[:, 2] + v[:, 0])
        v = np.concatenate([np.stack(t, 1) for t in ((v[:, 0], m01, m20), (m01, v[:, 1], m12),
                                                      (m20, m12, v[:, 2]), (m01, m12, m20))])
        pair, w = np.tile(pair, 4), np.tile(0.25 * w, 4)
    done.append((pair, v, w))
    return (np.concatenate([d[0] for d in done]), np.concatenate([d[1] for d in done]),
            np.concatenate([d[2] for d in done]))


def _candidate_pairs(st_lon, st_lat, el: Elements, cutoff_m):
    """(station, geometry) pairs whose centroid lies within cutoff + the geometry's radius."""
    from scipy.spatial import cKDTree

    from .kernels import _unit_xyz

    shp = np.flatnonzero(~el.is_point & np.isfinite(el.centroid[:, 0]))
    if not len(shp) or not len(st_lon):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    tree = cKDTree(_unit_xyz(st_lon, st_lat))
    reach = np.minimum((cutoff_m + el.radius_m[shp]) / EARTH_RADIUS_M, math.pi)
    lists = tree.query_ball_point(_unit_xyz(el.centroid[shp, 0], el.centroid[shp, 1]), r=2.0 * np.sin(reach / 2))
    counts = np.array([len(x) for x in lists], dtype=np.int64)
    geom = np.repeat(shp, counts)
    st = np.array([s for x in lists for s in x], dtype=np.int64)
    return st, geom


def _expand(st, geom, geom_of, el, st_lon, st_lat):
    """Elements of every candidate pair, in metres around the pair's station."""
    order = np.argsort(geom_of, kind="stable")
    start = np.searchsorted(geom_of[order], np.arange(len(el.is_point) + 1))
    cnt = start[geom + 1] - start[geom]
    pair = np.repeat(np.arange(len(st)), cnt)
    idx = order[np.concatenate([np.arange(start[g], start[g + 1]) for g in geom])] if len(geom) else \
        np.zeros(0, np.int64)
    return pair, idx


def station_elements(st_lon, st_lat, el: Elements, cutoff_m: float, *, frac: float = 0.2, frac_area: float = 1.0,
                     h_min: float = 10.0):
    """Segments and triangles of every line/area geometry near every station, finer near it.

    Each segment is halved, each triangle split in four, until its size (length, longest edge)
    is at most ``max(frac d, h_min)``, ``d`` its distance to the station. The hourly kernels
    integrate each element in closed form across the wind (:func:`geoair.apportion.kernels._transfer_seg`,
    ``_transfer_tri``), so no element needs to be narrower than the plume.

    Parameters
    ----------
    st_lon, st_lat : float arrays (S,)
        Stations (degrees).
    el : Elements
        From :func:`elements_of`.
    cutoff_m : float
        Elements whose centre lies farther than this from the station are left out.
    frac : float, default 0.2
        Largest segment length as a fraction of its distance to the station.
    frac_area : float, default 1.0
        Same for the longest edge of a triangle (the kernels integrate a triangle in closed
        form along and across the wind, and split it further for the direction-averaged kernel).
    h_min : float, default 10.0
        Smallest element size (m), well under the kernels' near-field radius (100 m), inside
        which the kernels hold the dispersion fixed.

    Returns
    -------
    station, geometry : int arrays (n,)
    east, north : float arrays (n,)
        Element centre (segment midpoint, triangle centroid) relative to the station (m).
    kind : int8 array (n,)
        1 segment, 2 triangle.
    shape : float array (n, 6)
        Segment: half-vector from the centre to its end (m) in columns 0-1; triangle: its
        vertices relative to the centre (m).
    weight : float array (n,)
        Share of the geometry's total length or area.
    """
    st_lon, st_lat = np.asarray(st_lon, float), np.asarray(st_lat, float)
    st, geom = _candidate_pairs(st_lon, st_lat, el, cutoff_m)

    def lim(d):
        return size_limit(d, frac, np.inf, h_min)

    def lim_area(d):
        return size_limit(d, frac_area, np.inf, h_min)

    parts = []
    if len(el.seg):
        pair, idx = _expand(st, geom, el.seg_geom, el, st_lon, st_lat)
        p = _local(el.seg[idx], st[pair], st_lon, st_lat)
        length = np.hypot(*(p[:, 1] - p[:, 0]).T)
        pair, p, w = _refine_segments(pair, p, _shares(pair, length, len(st)), lim)
        c = 0.5 * (p[:, 0] + p[:, 1])
        shape = np.zeros((len(c), 6))
        shape[:, :2] = p[:, 1] - c
        parts.append((pair, c, np.ones(len(c), np.int8), shape, w))
    if len(el.tri):
        pair, idx = _expand(st, geom, el.tri_geom, el, st_lon, st_lat)
        v = _local(el.tri[idx], st[pair], st_lon, st_lat)
        area = 0.5 * np.abs((v[:, 1, 0] - v[:, 0, 0]) * (v[:, 2, 1] - v[:, 0, 1])
                            - (v[:, 1, 1] - v[:, 0, 1]) * (v[:, 2, 0] - v[:, 0, 0]))
        pair, v, w = _refine_triangles(pair, v, _shares(pair, area, len(st)), lim_area)
        c = v.mean(axis=1)
        parts.append((pair, c, np.full(len(c), 2, np.int8), (v - c[:, None, :]).reshape(-1, 6), w))
    if not parts:
        z = np.zeros(0)
        return np.zeros(0, np.int64), np.zeros(0, np.int64), z, z, np.zeros(0, np.int8), np.zeros((0, 6)), z
    pair, c, kind, shape, w = (np.concatenate([q[k] for q in parts]) for k in range(5))
    keep = np.hypot(c[:, 0], c[:, 1]) <= cutoff_m
    return st[pair][keep], geom[pair][keep], c[keep, 0], c[keep, 1], kind[keep], shape[keep], w[keep]


def _local(deg, st, st_lon, st_lat):
    """Vertices (n, k, 2) in degrees -> east/north metres around station ``st`` (n,)."""
    e, n = _enu(deg[..., 0], deg[..., 1], st_lon[st, None], st_lat[st, None])
    return np.stack([e, n], axis=-1)


def _shares(pair, size, n_pairs):
    tot = np.bincount(pair, size, n_pairs)
    return size / np.where(tot[pair] > 0, tot[pair], 1.0)


class Pairs(tuple):
    """``(ptr, src, dx, dy, dist)`` as :func:`geoair.apportion.kernels.pair_index`, plus elements.

    Attributes
    ----------
    kind : int8 array (n_pairs,)
        0 point, 1 segment, 2 triangle.
    geometry : float array (n_pairs, 6)
        The element relative to its centre, on the same tangent plane as ``dx, dy`` (m): see
        :func:`station_elements`. ``dx, dy, dist`` of an element pair refer to its centre.
    parent : int array (n_pairs,) or None
        Source (row of the original table) of each pair: consecutive pairs of one parent at a
        station are the elements of one line or area, summed before the saturation transform.
    """

    def __new__(cls, pairs, kind, geometry, parent=None):
        obj = super().__new__(cls, pairs)
        obj.kind, obj.geometry, obj.parent = kind, geometry, parent
        return obj


def _offsets(st_lon, st_lat, s, e, n):
    """Distance and station offset from each sub-point as :func:`kernels.pair_index` gives them
    for points (great circle, bearing on the source's tangent plane)."""
    from .kernels import haversine_m

    k = math.pi / 180.0 * EARTH_RADIUS_M
    lat = st_lat[s] + n / k
    lon = st_lon[s] + e / (k * np.cos(np.radians(0.5 * (lat + st_lat[s]))))
    dist = haversine_m(lon, lat, st_lon[s], st_lat[s])
    p1, p2 = np.radians(lat), np.radians(st_lat[s])
    dl = np.radians(st_lon[s] - lon)
    brg = np.arctan2(np.sin(dl) * np.cos(p2), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl))
    return dist, dist * np.sin(brg), dist * np.cos(brg)


def shapes_of(sources) -> dict:
    """``source_id -> geometry`` of the line and area sources of a sources frame (may be empty)."""
    if sources is None or "geometry" not in getattr(sources, "columns", ()) or not len(sources):
        return {}
    import shapely

    geom = np.asarray(sources["geometry"], dtype=object)
    kind = shapely.get_type_id(geom)
    keep = np.isin(kind, (1, 2, 3, 5, 6)) & ~shapely.is_empty(geom)
    ids = sources["source_id"].astype(str).to_numpy()
    _check_areas(geom, kind, ids)
    return dict(zip(ids[keep], geom[keep], strict=True))


def _check_areas(geom, kind, ids) -> None:
    """Invalid polygons (self-intersecting rings, ...) cannot be triangulated: name them."""
    import shapely

    from .._validation import GeoairInputError

    areas = np.isin(kind, (3, 6)) & ~shapely.is_empty(geom)
    bad = np.flatnonzero(areas & ~shapely.is_valid(geom))
    if len(bad):
        raise GeoairInputError(
            f"{len(bad)} area source(s) have an invalid polygon "
            f"({shapely.is_valid_reason(geom[bad[0]])}).", column="geometry",
            row=(bad[:10] + 1).tolist(), received=ids[bad[:10]].tolist(),
            fix="Repair the polygons (e.g. shapely.make_valid or QGIS 'Fix geometries'); a "
            "village outline must not cross itself.")


def station_pairs(st_lon, st_lat, table, shapes: dict, cutoff_m: float, **options):
    """Station-source pairs of points and of the elements (segments, triangles) of lines and areas.

    Parameters
    ----------
    st_lon, st_lat : float arrays (S,)
    table : DataFrame
        Design sources (``source_id, lon, lat, weight, ...``, one row per source; see
        :class:`geoair.apportion._inputs.SourceTable`).
    shapes : dict
        ``source_id -> geometry`` of the rows that are lines or areas (:func:`shapes_of`);
        rows of fires (column ``fire`` True) are never shapes.
    cutoff_m : float
    **options
        Passed to :func:`station_elements` (``frac``, ``frac_area``, ``h_min``).

    Returns
    -------
    pairs : tuple
        As :func:`geoair.apportion.kernels.pair_index`, pointing into the returned table;
        within a station the pairs of one source are consecutive, nearest element first. When
        there are lines or areas, a :class:`Pairs` (the same 5-tuple with each pair's element
        kind, shape and parent source, read by the kernels).
    table : DataFrame
        ``table`` followed by one row per element (copy of its source's row, ``weight`` times
        the element's share of the length or area), so the kernels and the per-source sums run
        unchanged.
    """
    from .kernels import pair_index

    sid = table["source_id"].astype(str).to_numpy()
    fire = table["fire"].to_numpy(bool) if "fire" in table else np.zeros(len(table), bool)
    is_shape = np.array([s in shapes for s in sid], bool) & ~fire
    if not is_shape.any():
        return pair_index(st_lon, st_lat, table["lon"], table["lat"], cutoff_m), table
    pts = np.flatnonzero(~is_shape)
    ptr0, src0, dx0, dy0, d0 = pair_index(st_lon, st_lat, table["lon"].to_numpy()[pts],
                                          table["lat"].to_numpy()[pts], cutoff_m)
    n_st = len(st_lon)
    st0, src0 = np.repeat(np.arange(n_st), np.diff(ptr0)), pts[src0]
    rows = np.flatnonzero(is_shape)
    s, g, e, n, kind, shape, w = station_elements(st_lon, st_lat, elements_of([shapes[sid[r]] for r in rows]),
                                                  cutoff_m, **options)
    dist, dxs, dys = _offsets(st_lon, st_lat, s, e, n)
    # the element's shape on the same tangent plane as (dx, dy): turn it by the angle between
    # the great-circle offset and the station's east/north one (meridian convergence, < 0.5°)
    rot = np.arctan2(dys, dxs) - np.arctan2(-n, -e)
    cr, sr = np.cos(rot)[:, None], np.sin(rot)[:, None]
    shape = np.stack([cr * shape[:, 0::2] - sr * shape[:, 1::2], sr * shape[:, 0::2] + cr * shape[:, 1::2]],
                     axis=-1).reshape(-1, 6)
    parent = rows[g]
    extra = table.iloc[parent].copy()
    extra["weight"] = extra["weight"].to_numpy(float) * w
    new = len(table) + np.arange(len(parent))
    st_all, src_all = np.concatenate([st0, s]), np.concatenate([src0, new])
    par_all = np.concatenate([src0, parent])
    dx, dy = np.concatenate([dx0, dxs]), np.concatenate([dy0, dys])
    dist = np.concatenate([d0, dist])
    kinds = np.concatenate([np.zeros(len(src0), np.int8), kind])
    shapes_ = np.concatenate([np.zeros((len(src0), 6)), shape])
    order = np.lexsort((dist, par_all, st_all))
    ptr = np.concatenate([[0], np.cumsum(np.bincount(st_all, minlength=n_st))]).astype(np.int64)
    import pandas as pd

    out = pd.concat([table, extra], ignore_index=True)
    return Pairs((ptr, src_all[order].astype(np.int64), dx[order], dy[order], dist[order]), kinds[order],
                 shapes_[order], par_all[order].astype(np.int64)), out
