"""Line and area sources: adaptive sub-points against a brute-force uniform discretisation."""

import numpy as np
import pytest

shapely = pytest.importorskip("shapely")

from geoair.apportion import _discretise as D  # noqa: E402
from geoair.apportion import kernels as K  # noqa: E402

LON0, LAT0 = 116.4, 39.9
_M = 1.0 / 111_195.0


def _deg(xy):
    c = np.cos(np.radians(LAT0))
    return [(LON0 + x * _M / c, LAT0 + y * _M) for x, y in xy]


def _exposure(e, n, w, u, v, cls):
    pairs = (np.array([0, len(e)]), np.arange(len(e)), -e, -n, np.hypot(e, n))
    z = np.zeros(len(w), int)
    return K.exposure(pairs, z, z, w, np.zeros(len(w)), np.ones((1, u.shape[1])), u, v, cls,
                      n_categories=1)[0, :, 0]


def _projected(geom):
    xy = shapely.get_coordinates(geom)
    return np.stack(D._enu(xy[:, 0], xy[:, 1], LON0, LAT0), axis=1)


def _brute_line(xy, h):
    """Midpoints of equal pieces of at most h metres, weight by length (independent of D)."""
    pts, ws = [], []
    for a, b in zip(xy[:-1], xy[1:], strict=True):
        length = np.hypot(*(b - a))
        m = max(int(np.ceil(length / h)), 1)
        t = (np.arange(m) + 0.5) / m
        pts.append(a + t[:, None] * (b - a))
        ws.append(np.full(m, length / m))
    p, w = np.concatenate(pts), np.concatenate(ws)
    return p[:, 0], p[:, 1], w / w.sum()


def _brute_area(xy, h):
    """Centres of an h-metre grid inside the polygon, equal weights (independent of D)."""
    poly = shapely.Polygon(xy)
    x0, y0, x1, y1 = poly.bounds
    gx, gy = np.meshgrid(np.arange(x0 + h / 2, x1, h), np.arange(y0 + h / 2, y1, h))
    inside = shapely.contains_xy(poly, gx, gy)
    return gx[inside], gy[inside], np.full(int(inside.sum()), 1.0 / inside.sum())


def _winds(n=120, seed=0):
    rng = np.random.default_rng(seed)
    ws, wd = rng.uniform(0.5, 6.0, n), rng.uniform(0.0, 2 * np.pi, n)
    return (ws * np.sin(wd))[None], (ws * np.cos(wd))[None], rng.integers(0, 6, (1, n))


def _shape(kind, d):
    if kind == "line":  # a bent road passing d metres from the station, 2d-100 km long
        span = min(max(2 * d, 1000.0), 50_000.0)
        return shapely.LineString(_deg([(-span, d), (0.3 * span, 1.2 * d), (0.5 * span, 2 * d)]))
    size = min(max(d, 1000.0), 5000.0)  # a village / inventory cell whose edge is d metres away
    return shapely.Polygon(_deg([(-size, d), (size, d), (0.5 * size, d + size), (-0.8 * size, d + 0.6 * size)]))


def _element_pairs(geom):
    st, g, e, n, kind, shape, w = D.station_elements([LON0], [LAT0], D.elements_of([geom]), 1e7)
    assert np.all(st == 0) and np.all(g == 0)
    np.testing.assert_allclose(w.sum(), 1.0, rtol=1e-12)
    return D.Pairs((np.array([0, len(e)]), np.arange(len(e)), -e, -n, np.hypot(e, n)), kind, shape,
                   np.zeros(len(e), np.int64)), w


def _brute(kind, d, geom):
    xy = _projected(geom)
    if kind == "line":
        eb, nb, wb = _brute_line(xy, min(max(d / 100, 0.5), 50.0))
    else:
        eb, nb, wb = _brute_area(xy, min(d / 10, 10.0) if d < 5000 else 50.0)
    return (np.array([0, len(eb)]), np.arange(len(eb)), -eb, -nb, np.hypot(eb, nb)), wb


def _run(pairs, w, u, v, cls, lib=None):
    z = np.zeros(len(w), int)
    args = (pairs, z, z, w, np.zeros(len(w)), np.ones((1, u.shape[1])), u, v)
    if lib is None:
        return K.exposure(*args, cls, n_categories=1)[0, :, 0]
    return K.exposure_variants(*args, lib.stability, lib.variants, n_categories=1)[0, :, 0, :, 0]


def _winds_with_road(geom, n=60, seed=0):
    """Random winds plus winds along, against, across and at 10-30 degrees to the road's first
    segment, each speed and stability class."""
    u, v, cls = _winds(n, seed)
    xy = _projected(geom)
    ang = np.arctan2(*(xy[1] - xy[0])[::-1])
    extra = ang + np.radians([0.0, 180.0, 90.0, 270.0, 10.0, 190.0, 30.0, 210.0])
    ws = np.array([1.0, 4.0])
    a, s, c = np.meshgrid(extra, ws, np.arange(6), indexing="ij")
    u = np.concatenate([u, (s * np.cos(a)).reshape(1, -1)], axis=1)
    v = np.concatenate([v, (s * np.sin(a)).reshape(1, -1)], axis=1)
    return u, v, np.concatenate([cls, c.reshape(1, -1)], axis=1)


@pytest.mark.parametrize("kind", ["line", "area"])
@pytest.mark.parametrize("d", [50.0, 500.0, 5000.0, 50_000.0])
def test_elements_match_brute_force(kind, d):
    """Closed-form element integration within 1 % of a brute-force discretisation, for the
    plume and the direction-averaged kernel and every physics variant of the attribution."""
    from geoair.apportion import _physics

    geom = _shape(kind, d)
    pairs, w = _element_pairs(geom)
    bp, wb = _brute(kind, d, geom)
    assert len(w) < len(wb) / 10  # far cheaper than the brute force
    u, v, cls = _winds_with_road(geom)
    a, b = _run(pairs, w, u, v, cls), _run(bp, wb, u, v, cls)
    assert np.abs(a - b).max() <= 0.01 * b.max()
    assert abs(a.sum() / b.sum() - 1) <= 0.01
    np.testing.assert_allclose(_run(pairs, w, u * np.nan, v * np.nan, cls), _run(bp, wb, u * np.nan, v * np.nan, cls),
                               rtol=0.01)
    # the physics library: three sigma families, two stability rules, sigma scales, calm
    # thresholds, +40 m release height, the direction-averaged variant
    elev = np.random.default_rng(3).uniform(-30.0, 70.0, u.shape)
    lib = _physics.library(u, v, elev, None)
    av, bv = _run(pairs, w, u, v, None, lib), _run(bp, wb, u, v, None, lib)
    assert (np.abs(av - bv).max(axis=0) <= 0.01 * bv.max(axis=0)).all()
    np.testing.assert_allclose(av.sum(axis=0), bv.sum(axis=0), rtol=0.01)
    # with a boundary layer capping sigma_z
    blh = np.random.default_rng(4).uniform(100.0, 2000.0, u.shape)
    z = np.zeros(len(w), int)
    ab = K.exposure(pairs, z, z, w, np.zeros(len(w)), np.ones((1, u.shape[1])), u, v, cls, blh=blh,
                    n_categories=1)[0, :, 0]
    zb = np.zeros(len(wb), int)
    bb = K.exposure(bp, zb, zb, wb, np.zeros(len(wb)), np.ones((1, u.shape[1])), u, v, cls, blh=blh,
                    n_categories=1)[0, :, 0]
    assert np.abs(ab - bb).max() <= 0.01 * bb.max()


def test_element_upwind_flag_and_series():
    """pair_series on elements: the series adds up to the exposure, hours upwind are counted."""
    from geoair.apportion import _physics

    geom = _shape("line", 500.0)
    pairs, w = _element_pairs(geom)
    u, v, cls = _winds_with_road(geom)
    lib = _physics.library(u, v, np.zeros(u.shape), None)
    z = np.zeros(len(w), int)
    args = (pairs, z, z, w, np.zeros(len(w)), np.ones((1, u.shape[1])), u, v, lib.stability, lib.variants[:1])
    series, hours = K.pair_series(*args, np.ones((1, 1)))
    expo = K.exposure_variants(*args, n_categories=1)[0, :, 0, 0, 0]
    np.testing.assert_allclose(series.sum(axis=0), expo, rtol=1e-5, atol=1e-9)
    assert 0 < hours.max() <= u.shape[1]


@pytest.mark.parametrize("kind", ["line", "area"])
def test_saturation_applies_to_the_whole_source(kind):
    """The saturation transform caps a line's or area's summed exposure, as for the brute force's
    points taken as one source; pair_series splits it over the elements by their shares."""
    from geoair.apportion import _physics

    geom = _shape(kind, 500.0)
    pairs, w = _element_pairs(geom)
    bp, wb = _brute(kind, 500.0, geom)
    bp = D.Pairs(bp, np.zeros(len(wb), np.int8), np.zeros((len(wb), 6)), np.zeros(len(wb), np.int64))
    u, v, cls = _winds_with_road(geom)
    lib = _physics.library(u, v, np.zeros(u.shape), None)
    variants = lib.variants[:4]
    lin = _run(bp, wb, u, v, None, lib)
    sat = np.array([[np.inf, np.median(lin[lin > 0]), np.quantile(lin[lin > 0], 0.9)]])

    def run(p, ww):
        z = np.zeros(len(ww), int)
        args = (p, z, z, ww, np.zeros(len(ww)), np.ones((1, u.shape[1])), u, v, lib.stability, variants)
        return K.exposure_variants(*args, n_categories=1, saturation=sat)[0, :, 0], args

    (a, args), (b, _) = run(pairs, w), run(bp, wb)
    assert (np.abs(a - b).max(axis=0) <= 0.01 * b.max(axis=0)).all()
    assert (b[..., 1] <= sat[0, 1] + 1e-9).all() and (b[..., 1] < b[..., 0]).any()
    coef = np.ones((1, len(variants), 3))
    series, _ = K.pair_series(*args, coef, saturation=sat)
    np.testing.assert_allclose(series.sum(axis=0), a.sum(axis=(1, 2)), rtol=1e-4, atol=1e-9)
    starts = K.group_starts(pairs)
    assert list(starts) == [0]


def test_points_have_no_elements_and_multiparts():
    geoms = [shapely.Point(LON0, LAT0), shapely.MultiLineString([_deg([(0, 0), (100, 0)]), _deg([(0, 50), (0, 150)])]),
             shapely.MultiPolygon([shapely.box(LON0, LAT0, LON0 + 0.01, LAT0 + 0.01),
                                   shapely.box(LON0 + 0.02, LAT0, LON0 + 0.03, LAT0 + 0.01)])]
    el = D.elements_of(geoms)
    assert list(el.is_point) == [True, False, False]
    assert set(el.seg_geom) == {1} and len(el.seg) == 2
    assert set(el.tri_geom) == {2}
    st, g, e, n, kind, shape, w = D.station_elements([LON0 - 0.05], [LAT0], el, 50_000.0)
    for k in (1, 2):
        np.testing.assert_allclose(w[g == k].sum(), 1.0)
    assert 0 not in g


def test_polygon_with_hole_triangulated_exactly():
    outer = [(116.0, 39.0), (116.1, 39.0), (116.1, 39.1), (116.0, 39.1)]
    hole = [(116.03, 39.03), (116.07, 39.03), (116.07, 39.07), (116.03, 39.07)]
    poly = shapely.Polygon(outer, [hole])
    el = D.elements_of([poly])
    area = D._tri_area_deg(el.tri).sum()
    # areas in degrees² scaled by cos(lat); the hole is left out
    np.testing.assert_allclose(area, poly.area * np.cos(np.radians(39.05)), rtol=1e-3)
    mid = el.tri.mean(axis=1)
    assert not shapely.contains_xy(shapely.Polygon(hole), mid[:, 0], mid[:, 1]).any()


def test_invalid_polygon_is_named_not_a_geos_traceback():
    import pandas as pd
    import shapely

    from geoair import GeoairInputError
    from geoair.apportion._discretise import shapes_of

    bowtie = shapely.Polygon([(116.0, 40.0), (116.01, 40.01), (116.01, 40.0), (116.0, 40.01)])
    ok = shapely.box(116.1, 40.1, 116.11, 40.11)
    src = pd.DataFrame({"source_id": ["v1", "v2"], "geometry": [ok, bowtie]})
    with pytest.raises(GeoairInputError, match="invalid polygon") as err:
        shapes_of(src)
    assert "v2" in str(err.value) and "Self-intersection" in str(err.value)
    assert list(shapes_of(src.iloc[:1])) == ["v1"]
