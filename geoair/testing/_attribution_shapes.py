"""Line and area sources of the attribution twin family (issue 20): roads, villages, a grid.

:func:`geoair.testing.make_attribution_truth` with ``shapes=True`` (or a dict of
:data:`SHAPE_DEFAULTS` overrides) adds, beside its point sources and fires:

- **roads** (category ``vehicle``, kind ``road_network``): one per station, passing at
  ``road_km`` (default 0.1-0.5 km) from it, 4-12 km long, bent away from the station;
- **highways** (``vehicle``, kind ``highway``): ``n_highways`` radial roads from 2-6 km to
  30-50 km out of the network's centre and one ring road of radius 8-15 km;
- **villages** (``coal``, kind ``village``): ``villages`` irregular polygons (radius 0.3-1 km)
  per station at ``village_km`` (default 1-8 km);
- **inventory cells** (``grid_category``, kind ``inventory_cell``): a ``grid_deg`` grid
  (default 0.25°) covering the stations with a 0.25° margin, cell strengths log-normal.

``share`` is the fraction of each category's emission (sum of the true strengths) that its
lines and areas carry; within a category the groups (roads / highways, villages / cells)
share it equally.

The truth integrates every shape with its **own** brute-force discretisation, independent of
the estimator's :mod:`geoair.apportion._discretise` (Gauss-Legendre segments and triangles
refined by a plume-width rule): lines are sampled every 5 m and the samples merged, per
station, into consecutive blocks of length ``max(d / 40, 5 m)`` (``d`` the sample's distance
to the station; one point per block at its centroid, midpoint rule); areas are cut into a
quadtree of lon/lat cells, each split until its diagonal is at most ``max(d / 20, 25 m)``
(``d`` its distance to the station, 0 inside), leaf centres outside the polygon dropped and the
weights (leaf areas) normalised to the polygon's strength. Each block or leaf is a point source
of the twin's physics; the hourly series of one shape at one station is their sum, and the
twin's saturation then applies to the whole shape. Activity follows the twin's own variants of
the traffic and residential-coal profiles of :mod:`geoair.apportion.profiles` (other peak
hours, night-time trucks on highways, another heating-season start), so the truth does not
share the estimator's assumptions exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SHAPE_DEFAULTS", "shape_options", "place_shapes", "shape_activity", "shape_series",
           "scale_shares", "line_points", "area_points"]

#: Defaults of the ``shapes`` option of :func:`geoair.testing.make_attribution_truth`.
SHAPE_DEFAULTS: dict = {"road_km": (0.1, 0.5), "n_highways": 4, "villages": 2, "village_km": (1.0, 8.0),
                        "grid_deg": 0.25, "grid_category": "coal", "share": 0.5}

_M_PER_DEG = 111_195.0
_GROUP_KIND = {"road": "road_network", "highway": "highway", "village": "village", "cell": "inventory_cell"}


def shape_options(shapes) -> dict | None:
    """The ``shapes`` option as a full dict (None when off); unknown keys raise ``ValueError``."""
    if shapes is None or shapes is False:
        return None
    opt = dict(SHAPE_DEFAULTS)
    if shapes is not True:
        bad = sorted(set(shapes) - set(SHAPE_DEFAULTS))
        if bad:
            raise ValueError(f"shapes: unknown option(s) {bad}; valid options are {sorted(SHAPE_DEFAULTS)}.")
        opt.update(shapes)
    return opt


def _to_lonlat(lon0, lat0, x, y):
    """Local east/north metres around (lon0, lat0) to degrees (equirectangular)."""
    return lon0 + np.asarray(x) / (_M_PER_DEG * np.cos(np.radians(lat0))), lat0 + np.asarray(y) / _M_PER_DEG


def _roads(rng, st_lon, st_lat, road_km):
    """One road per station passing ``road_km`` from it, bent away from it (lon/lat arrays)."""
    out = []
    for lon0, lat0 in zip(st_lon, st_lat, strict=True):
        d = rng.uniform(*road_km) * 1000.0
        th = rng.uniform(0, 2 * np.pi)
        length = rng.uniform(4000.0, 12000.0)
        a = rng.uniform(0.3, 0.7)
        along = np.array([-a, -a / 2, 0.0, (1 - a) / 2, 1 - a]) * length
        lateral = d + np.abs(rng.normal(0.0, 0.04 * length, 5)) * (along != 0)
        # along-track direction th, the station sits at lateral 0: road at +lateral
        x = along * np.cos(th) - lateral * np.sin(th)
        y = along * np.sin(th) + lateral * np.cos(th)
        out.append(np.column_stack(_to_lonlat(lon0, lat0, x, y)))
    return out


def _highways(rng, st_lon, st_lat, n):
    """``n`` bent radial highways from the network's centre and one jittered ring road."""
    lon0, lat0 = float(np.mean(st_lon)), float(np.mean(st_lat))
    out = []
    for _ in range(n):
        brg = rng.uniform(0, 2 * np.pi)
        r = np.linspace(rng.uniform(2e3, 6e3), rng.uniform(30e3, 50e3), 6)
        b = brg + np.concatenate([[0.0], np.cumsum(rng.normal(0.0, 0.04, 5))])
        out.append(np.column_stack(_to_lonlat(lon0, lat0, r * np.sin(b), r * np.cos(b))))
    ang = np.linspace(0, 2 * np.pi, 49)
    rad = rng.uniform(8e3, 15e3) * (1 + 0.05 * np.sin(3 * ang + rng.uniform(0, 2 * np.pi)))
    rad[-1] = rad[0]
    out.append(np.column_stack(_to_lonlat(lon0, lat0, rad * np.sin(ang), rad * np.cos(ang))))
    return out


def _villages(rng, st_lon, st_lat, per_station, village_km):
    """Irregular heptagons (radius 0.3-1 km) log-uniformly ``village_km`` from each station."""
    out = []
    for lon0, lat0 in zip(st_lon, st_lat, strict=True):
        for _ in range(per_station):
            d = np.exp(rng.uniform(*np.log(village_km))) * 1000.0
            brg = rng.uniform(0, 2 * np.pi)
            cx, cy = d * np.sin(brg), d * np.cos(brg)
            # jittered even angles: star-shaped around the centre, hence a simple polygon
            ang = (np.arange(7) + rng.uniform(-0.35, 0.35, 7)) * 2 * np.pi / 7 + rng.uniform(0, 2 * np.pi)
            rad = rng.uniform(300.0, 1000.0) * rng.uniform(0.6, 1.0, 7)
            out.append(np.column_stack(_to_lonlat(lon0, lat0, cx + rad * np.sin(ang), cy + rad * np.cos(ang))))
    return out


def _cells(st_lon, st_lat, deg):
    """Corner (lon0, lat0) of each ``deg`` cell covering the stations with a 0.25° margin."""
    lo = np.floor((np.array([st_lon.min(), st_lat.min()]) - 0.25) / deg) * deg
    hi = np.ceil((np.array([st_lon.max(), st_lat.max()]) + 0.25) / deg) * deg
    xs = np.arange(lo[0], hi[0] - 1e-9, deg)
    ys = np.arange(lo[1], hi[1] - 1e-9, deg)
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def place_shapes(rng, st_lon, st_lat, opt: dict, points: pd.DataFrame) -> pd.DataFrame:
    """Roads, highways, villages and inventory cells with their true relative strengths.

    Returns
    -------
    DataFrame
        ``source_id, category, kind, group, geometry`` (shapely, lon/lat), ``lon, lat``
        (centroid), ``q`` (true relative strength, scaled by :func:`scale_shares` so that the
        shapes carry ``opt["share"]`` of their category) and ``height`` (m).
    """
    import shapely

    rows = []
    for xy in _roads(rng, st_lon, st_lat, opt["road_km"]):
        rows.append(("road", "vehicle", shapely.LineString(xy), 1.0))
    for xy in _highways(rng, st_lon, st_lat, int(opt["n_highways"])):
        rows.append(("highway", "vehicle", shapely.LineString(xy), 1.0))
    for xy in _villages(rng, st_lon, st_lat, int(opt["villages"]), opt["village_km"]):
        rows.append(("village", "coal", shapely.Polygon(xy), rng.uniform(3.0, 8.0)))
    deg = float(opt["grid_deg"] or 0.0)
    for x0, y0 in zip(*(_cells(st_lon, st_lat, deg) if deg > 0 else ((), ())), strict=True):
        rows.append(("cell", opt["grid_category"], shapely.box(x0, y0, x0 + deg, y0 + deg),
                     10.0 if opt["grid_category"] in ("coal", "industry") else 0.0))
    group, cat, geom, height = (list(c) for c in zip(*rows, strict=True))
    geom = np.array(geom, dtype=object)
    size = np.array([_size_km(g) for g in geom])  # km of line or km² of area
    cen = shapely.centroid(geom)
    df = pd.DataFrame({"source_id": [f"{g}{i:03d}" for i, g in enumerate(group)], "category": cat,
                       "kind": [_GROUP_KIND[g] for g in group], "group": group, "geometry": geom,
                       "lon": shapely.get_x(cen), "lat": shapely.get_y(cen),
                       "q": size * rng.lognormal(0.0, 0.6, len(group)), "height": height})
    return scale_shares(df, points, float(opt["share"]))


def _size_km(g) -> float:
    """Length (km) of a line or area (km²) of a polygon, equirectangular at its centroid."""
    import shapely

    lat = shapely.get_y(shapely.centroid(g))
    sx = _M_PER_DEG * np.cos(np.radians(lat)) / 1000.0
    scaled = shapely.transform(g, lambda c: c * np.array([sx, _M_PER_DEG / 1000.0]))
    return float(scaled.length if g.geom_type == "LineString" else scaled.area)


def scale_shares(shapes: pd.DataFrame, points: pd.DataFrame, share: float) -> pd.DataFrame:
    """Scale shape strengths so lines and areas carry ``share`` of each category's total.

    Within a category each group (e.g. roads and highways) gets an equal part of it; a
    category without point sources is all shapes (strengths kept relative).
    """
    out = shapes.copy()
    q_pts = points.groupby("category")["q"].sum()
    for cat, g in out.groupby("category"):
        pts = float(q_pts.get(cat, 0.0))
        target = share / (1.0 - share) * pts if pts > 0 and share < 1 else float(g["q"].sum())
        groups = g["group"].unique()
        for grp in groups:
            idx = g.index[g["group"] == grp]
            out.loc[idx, "q"] *= target / len(groups) / out.loc[idx, "q"].sum()
    return out


def _bump(hour, centre, width):
    d = (hour - centre + 12) % 24 - 12
    return np.exp(-0.5 * (d / width) ** 2)


def _twin_traffic(rng, hour, wkend):
    """Urban roads: drawn rush-hour peaks and night floor; later, flatter weekend mornings."""
    night, plateau = rng.uniform(0.05, 0.25), rng.uniform(0.5, 0.8)
    p1, p2, w1, w2 = rng.uniform(7.0, 9.0), rng.uniform(17.0, 19.5), rng.uniform(0.8, 2.0), rng.uniform(0.8, 2.0)
    day = np.where((hour >= 6) & (hour < 21), plateau, night)
    wkday = np.maximum(day, np.maximum(_bump(hour, p1, w1), _bump(hour, p2, w2)))
    wkend_shape = np.maximum(day, rng.uniform(0.6, 0.9) * _bump(hour, p1 + rng.uniform(1.0, 3.0), 2.5))
    return np.where(wkend, wkend_shape * rng.uniform(0.7, 1.0), wkday)


def _twin_highway(rng, hour, wkend):
    """Highways: flat daytime, a night-time heavy-truck bump (trucks barred from the city by day)."""
    day = np.where((hour >= 6) & (hour < 22), rng.uniform(0.6, 0.9), rng.uniform(0.2, 0.4))
    trucks = rng.uniform(0.4, 0.9) * _bump(hour, rng.uniform(0.0, 3.0), 2.0)
    return np.maximum(day, trucks) * np.where(wkend, rng.uniform(0.8, 1.0), 1.0)


def _twin_stoves(rng, hour, loc, t0):
    """Village coal: drawn stoking peaks over a banked night fire, within a drawn heating season."""
    banked = rng.uniform(0.25, 0.6)
    morning = _bump(hour, rng.uniform(6.0, 8.5), rng.uniform(0.7, 1.5))
    evening = rng.uniform(0.8, 1.0) * _bump(hour, rng.uniform(17.0, 20.0), rng.uniform(1.0, 2.5))
    start = t0.tz_localize(None).normalize() + pd.Timedelta(days=float(rng.integers(-10, 6)))
    season = np.asarray(loc.tz_localize(None) >= start)
    return np.maximum(banked, np.maximum(morning, evening)) * np.where(season, 1.0, rng.uniform(0.05, 0.2))


def shape_activity(rng, mode: str, times: pd.DatetimeIndex, cat_act: dict, grid_category: str) -> dict:
    """Activity (T,) of each shape group: the twin's own variants, or the estimator's priors.

    ``mode`` is the twin's ``activity`` axis: ``"prior"`` gives
    :func:`geoair.apportion.profiles.activity` of the profile the estimator assigns to each
    kind; otherwise the generator's own shapes (``"daily"`` adds day-to-day log-AR(1)
    variation, sd 0.2). Inventory cells follow the truth's activity of their category.
    """
    from ..apportion import profiles as prof

    if mode == "prior":
        return {"road": prof.activity("traffic", times), "highway": prof.activity("traffic", times),
                "village": prof.activity("residential_coal", times),
                "cell": prof.activity(prof.CATEGORY_DEFAULT_PROFILE.get(grid_category, "constant"), times)}
    from .attribution import _averaged_hour, _hour_weekend

    hour, wkend = _hour_weekend(times)
    loc = _averaged_hour(times)
    out = {"road": _twin_traffic(rng, hour, wkend), "highway": _twin_highway(rng, hour, wkend),
           "village": _twin_stoves(rng, hour, loc, pd.Timestamp(times[0]).tz_convert("Asia/Shanghai")),
           "cell": np.asarray(cat_act.get(grid_category, np.ones(len(times))), float)}
    if mode == "daily":
        day = pd.factorize(loc.normalize())[0]
        for g in ("road", "highway", "village"):
            z = np.zeros(day.max() + 1)
            for i in range(1, z.size):
                z[i] = 0.6 * z[i - 1] + rng.normal(0, 0.2 * np.sqrt(1 - 0.36))
            out[g] = out[g] * np.exp(z[day] - 0.02)
    return out


def _line_samples(lines, step_m: float = 5.0):
    """Midpoints of pieces of at most ``step_m`` along every line: lon, lat, length (m), line."""
    lon, lat, dl, idx = [], [], [], []
    for i, g in enumerate(lines):
        xy = np.asarray(g.coords)
        mx = _M_PER_DEG * np.cos(np.radians(xy[:, 1].mean()))
        seg_m = np.hypot(np.diff(xy[:, 0]) * mx, np.diff(xy[:, 1]) * _M_PER_DEG)
        n = np.maximum(np.ceil(seg_m / step_m).astype(int), 1)
        k = np.repeat(np.arange(seg_m.size), n)
        t = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + 0.5) / np.repeat(n, n)
        lon.append(xy[k, 0] + t * (xy[k + 1, 0] - xy[k, 0]))
        lat.append(xy[k, 1] + t * (xy[k + 1, 1] - xy[k, 1]))
        dl.append(np.repeat(seg_m / n, n))
        idx.append(np.full(n.sum(), i))
    return tuple(np.concatenate(a) for a in (lon, lat, dl, idx))


def line_points(samples, s_lon: float, s_lat: float, *, per_d: float = 40.0, h_min: float = 5.0):
    """Brute-force quadrature points of lines for one station (midpoint rule on blocks).

    Consecutive 5-m samples of a line are merged into blocks of length ``max(d / per_d,
    h_min)`` (``d`` the distance of the samples to the station, m); each block is one point
    at its length-weighted centroid.

    Returns
    -------
    lon, lat, weight, parent : arrays
        ``weight`` the block's fraction of its line's length.
    """
    from ..apportion.kernels import haversine_m

    lon, lat, dl, idx = samples
    d = haversine_m(lon, lat, s_lon, s_lat)
    c = np.cumsum(dl / np.maximum(d / per_d, h_min))
    first = np.r_[0, np.flatnonzero(np.diff(idx)) + 1]
    c0 = np.repeat(np.r_[0.0, c][first], np.diff(np.r_[first, idx.size]))
    key = idx * 10_000_000 + np.floor(c - c0).astype(np.int64)
    _, blk = np.unique(key, return_inverse=True)
    w = np.bincount(blk, weights=dl)
    par = np.zeros(w.size, np.int64)
    par[blk] = idx
    total = np.bincount(idx, weights=dl)
    return np.bincount(blk, weights=dl * lon) / w, np.bincount(blk, weights=dl * lat) / w, w / total[par], par


def area_points(polys, rect, s_lon: float, s_lat: float, *, per_d: float = 20.0, h_min: float = 25.0):
    """Brute-force quadrature points of polygons for one station (quadtree, midpoint rule).

    Each polygon's bounding box is cut into 4 x 4 lon/lat cells, and every cell whose diagonal
    exceeds ``max(d / per_d, h_min)`` (``d`` its distance to the station, 0 inside; m) is split
    into four until none does. Leaf centres outside the polygon are dropped (``rect``: the
    polygon is its bounding box, all kept); weights are leaf areas normalised per polygon.

    Returns
    -------
    lon, lat, weight, parent : arrays
    """
    import shapely

    b = shapely.bounds(np.asarray(polys, dtype=object))
    k = np.arange(4)
    fx, fy = np.meshgrid((k + 0.5) / 4, (k + 0.5) / 4)
    par = np.repeat(np.arange(len(polys)), 16)
    cx = b[par, 0] + np.tile(fx.ravel(), len(polys)) * (b[par, 2] - b[par, 0])
    cy = b[par, 1] + np.tile(fy.ravel(), len(polys)) * (b[par, 3] - b[par, 1])
    hx, hy = (b[par, 2] - b[par, 0]) / 8, (b[par, 3] - b[par, 1]) / 8
    leaves = []
    while cx.size:
        mx = _M_PER_DEG * np.cos(np.radians(cy))
        d = np.hypot(np.maximum(np.abs(cx - s_lon) - hx, 0) * mx, np.maximum(np.abs(cy - s_lat) - hy, 0) * _M_PER_DEG)
        split = 2 * np.hypot(hx * mx, hy * _M_PER_DEG) > np.maximum(d / per_d, h_min)
        keep = ~split
        leaves.append((cx[keep], cy[keep], 4 * hx[keep] * hy[keep] * mx[keep] * _M_PER_DEG, par[keep]))
        sx, sy = np.array([-0.5, 0.5, -0.5, 0.5]), np.array([-0.5, -0.5, 0.5, 0.5])
        cx = (cx[split][:, None] + sx * hx[split][:, None]).ravel()
        cy = (cy[split][:, None] + sy * hy[split][:, None]).ravel()
        hx, hy, par = np.repeat(hx[split] / 2, 4), np.repeat(hy[split] / 2, 4), np.repeat(par[split], 4)
    lon, lat, w, par = (np.concatenate(a) for a in zip(*leaves, strict=True))
    inside = np.ones(lon.size, bool)
    for i in np.flatnonzero(~np.asarray(rect, bool)):
        m = par == i
        inside[m] = shapely.contains_xy(polys[i], lon[m], lat[m])
    lon, lat, w, par = lon[inside], lat[inside], w[inside], par[inside]
    total = np.bincount(par, weights=w, minlength=len(polys))
    return lon, lat, w / total[par], par


def shape_series(phys: dict, cls, st_lon, st_lat, shapes: pd.DataFrame, profile, act, u, v, *,
                 cutoff_m: float = 50_000.0, resolution: float = 1.0):
    """True hourly series of every station-shape pair under the twin's physics.

    Parameters
    ----------
    phys : dict
        The twin's physics (``table, switch_m, scale_y, scale_z, calm_ws``).
    cls : int array (S, T)
        The truth's stability classes.
    shapes : DataFrame
        :func:`place_shapes` output.
    profile : int array
        Row of ``act`` of each shape.
    act : float array (n_profiles, T)
    u, v : float arrays (S, T)
    resolution : float
        Multiplies ``per_d`` of both discretisations (2 = twice as fine; convergence checks).

    Returns
    -------
    list of (station, shape index array, series (n, T) float64, n_points)
        Shapes with no point within ``cutoff_m`` of a station are left out for it.
    """
    from ..apportion import kernels

    var = kernels.Variant(phys["table"], phys["switch_m"], phys["scale_y"], phys["scale_z"], calm_ws=phys["calm_ws"])
    geom = shapes["geometry"].to_numpy()
    is_line = np.array([g.geom_type == "LineString" for g in geom])
    lines, areas = np.flatnonzero(is_line), np.flatnonzero(~is_line)
    samples = _line_samples(geom[lines])
    rect = (shapes["group"].to_numpy() == "cell")[areas]
    q, h = shapes["q"].to_numpy(float), shapes["height"].to_numpy(float)
    out = []
    for s in range(len(st_lon)):
        pl = line_points(samples, st_lon[s], st_lat[s], per_d=40.0 * resolution)
        pa = area_points(geom[areas], rect, st_lon[s], st_lat[s], per_d=20.0 * resolution)
        lon, lat, w = (np.concatenate([pl[i], pa[i]]) for i in range(3))
        parent = np.concatenate([lines[pl[3]], areas[pa[3]]])
        pairs = kernels.pair_index(st_lon[s:s + 1], st_lat[s:s + 1], lon, lat, cutoff_m)
        series, _ = kernels.pair_series(pairs, np.zeros(lon.size, np.int64), np.asarray(profile)[parent],
                                        q[parent] * w, h[parent], act, u[s:s + 1], v[s:s + 1], cls[None, s:s + 1],
                                        [var], np.ones((1, 1)))
        par = parent[pairs[1]]
        ids, inv = np.unique(par, return_inverse=True)
        agg = np.zeros((ids.size, series.shape[1]))
        np.add.at(agg, inv, series)
        out.append((s, ids, agg, int(par.size)))
    return out
