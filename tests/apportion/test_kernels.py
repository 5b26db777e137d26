"""Plume kernels against textbook values.

Sources of expected values:
- Briggs (1973) rural curves as tabulated in Seinfeld & Pandis, Atmospheric Chemistry and
  Physics, Table 18.3: class D, x = 1 km -> sigma_y = 0.08*1000/sqrt(1.1) = 76.3 m,
  sigma_z = 0.06*1000/sqrt(2.5) = 37.9 m.
- Turner (1970) AP-26 eq. 3.1: centreline of an elevated plume far above ground,
  C = Q / (2 pi u sy sz); ground-level source and receptor (full reflection) Q / (pi u sy sz).
- Turner (1970) Table 1: wind 2-3 m/s with strong insolation -> A; clear night, < 2 m/s -> F.
- One degree of latitude on the R = 6371.0088 km sphere: 111.195 km.
"""

import math

import numpy as np
import pytest

from geoair.apportion import kernels as k


def test_briggs_rural_sigmas_class_d_1km():
    sy, sz = k.sigmas(1000.0, "D", "briggs_rural")
    assert sy == pytest.approx(0.08 * 1000 / math.sqrt(1.1), rel=1e-9)
    assert sy == pytest.approx(76.3, abs=0.05)
    assert sz == pytest.approx(37.9, abs=0.05)


def test_briggs_urban_and_martin_differ():
    # the twin experiment needs truth (Martin/PG) and model (Briggs) curves to differ
    sy_r, _ = k.sigmas(1000.0, "D", "briggs_rural")
    sy_m, sz_m = k.sigmas(1000.0, "D", "pasquill_gifford")
    assert sy_m == pytest.approx(68.0, rel=1e-6)  # Martin a_D = 68 at 1 km
    assert sz_m == pytest.approx(44.5 - 13.0, rel=1e-6)
    assert abs(sy_m - sy_r) / sy_r > 0.05


def test_centreline_concentration_textbook():
    q, u = 100.0, 5.0
    sy, sz = k.sigmas(1000.0, "D")
    aloft = k.plume_concentration(q, u, 1000.0, 0.0, 5000.0, 5000.0, "D")
    assert aloft == pytest.approx(q / (2 * math.pi * u * sy * sz), rel=1e-9)
    ground = k.plume_concentration(q, u, 1000.0, 0.0, 0.0, 0.0, "D")
    assert ground == pytest.approx(q / (math.pi * u * sy * sz), rel=1e-12)


def test_exposure_kernel_matches_plume_formula():
    # station 1 km north of a ground source, wind blowing to the north (from the south)
    pairs = (np.array([0, 1]), np.array([0]), np.array([0.0]), np.array([1000.0]), np.array([1000.0]))
    u, v = np.array([[0.0]]), np.array([[5.0]])
    e = k.exposure(pairs, [0], [0], [1.0], [0.0], np.ones((1, 1)), u, v, np.array([[3]]), n_categories=1)
    sy, sz = k.sigmas(1000.0, "D")
    assert e[0, 0, 0] == pytest.approx(1e6 / (math.pi * 5.0 * sy * sz), rel=1e-9)
    # wind from the north: station upwind, no contribution
    e2 = k.exposure(pairs, [0], [0], [1.0], [0.0], np.ones((1, 1)), u, -v, np.array([[3]]), n_categories=1)
    assert e2[0, 0, 0] == 0.0


def test_isotropic_kernel_symmetric_and_smaller_than_plume():
    pairs = (np.array([0, 4]), np.arange(4), np.array([1000.0, -1000.0, 0.0, 0.0]),
             np.array([0.0, 0.0, 1000.0, -1000.0]), np.full(4, 1000.0))
    nan = np.array([[np.nan]])
    for j in range(4):
        sub = (np.array([0, 1]), np.array([j]), pairs[2][j:j + 1], pairs[3][j:j + 1], pairs[4][j:j + 1])
        e = k.exposure(sub, [0, 0, 0, 0], [0] * 4, [1.0] * 4, [0.0] * 4, np.ones((1, 1)), nan, nan,
                       np.array([[3]]), n_categories=1)[0, 0, 0]
        if j == 0:
            e0 = e
        assert e == pytest.approx(e0, rel=1e-12)
    plume = k.exposure(pairs, [0] * 4, [0] * 4, [1.0] * 4, [0.0] * 4, np.ones((1, 1)), np.array([[0.0]]),
                       np.array([[2.0]]), np.array([[3]]), n_categories=1)[0, 0, 0]
    assert 0 < e0 < plume


def test_pair_index_matches_bruteforce_haversine():
    rng = np.random.default_rng(1)
    st_lon, st_lat = 116 + rng.random(20), 39.5 + rng.random(20)
    src_lon, src_lat = 115.5 + 2 * rng.random(300), 39 + 2 * rng.random(300)
    ptr, src, dx, dy, dist = k.pair_index(st_lon, st_lat, src_lon, src_lat, 30_000.0)
    brute = k.haversine_m(src_lon[None, :], src_lat[None, :], st_lon[:, None], st_lat[:, None])
    assert ptr[-1] == int((brute <= 30_000.0).sum())
    for i in range(20):
        assert set(src[ptr[i]:ptr[i + 1]]) == set(np.flatnonzero(brute[i] <= 30_000.0))
    np.testing.assert_allclose(np.hypot(dx, dy), dist, rtol=1e-9)
    assert k.haversine_m(116, 39, 116, 40) == pytest.approx(111_195, abs=1)


def test_stability_class_turner_table():
    cls = k.stability_class(np.array([2.5, 1.0, 7.0, np.nan]), np.array([70.0, -10.0, 70.0, 70.0]))
    assert list(cls) == [0, 5, 2, 3]  # A, F, C, D (unknown wind -> neutral)
    # shallow boundary layer forces a stable class
    assert k.stability_class(np.array([5.5]), np.array([-5.0]), np.array([100.0]))[0] >= 4


def test_no_pairs_empty():
    ptr, src, dx, dy, dist = k.pair_index([116.0], [40.0], [], [], 50_000.0)
    assert list(ptr) == [0, 0] and src.size == 0


def test_shallow_boundary_layer_gives_well_mixed_limit():
    # 10 km downwind, class D: Briggs sigma_z (~ 155 m) exceeds 0.8 x 100 m, so the plume is
    # capped at the well-mixed limit C = Q / (sqrt(2 pi) u sigma_y L) (Seinfeld & Pandis
    # eq. 18.113 form); the 0.8 L cap reproduces it to 0.3 %.
    pairs = (np.array([0, 1]), np.array([0]), np.array([0.0]), np.array([10_000.0]), np.array([10_000.0]))
    e = k.exposure(pairs, [0], [0], [1.0], [0.0], np.ones((1, 1)), np.array([[0.0]]), np.array([[4.0]]),
                   np.array([[3]]), n_categories=1, blh=np.array([[100.0]]))[0, 0, 0]
    sy, _ = k.sigmas(10_000.0, "D")
    assert e == pytest.approx(1e6 / (math.sqrt(2 * math.pi) * 4.0 * sy * 100.0), rel=3e-3)


def _one_pair(dx=0.0, dy=1000.0):
    return (np.array([0, 1]), np.array([0]), np.array([dx]), np.array([dy]), np.array([np.hypot(dx, dy)]))


def test_variant_library_reduces_to_the_scheme_kernel():
    rng = np.random.default_rng(0)
    pairs = k.pair_index(116 + rng.random(4) * 0.2, 40 + rng.random(4) * 0.2, 116 + rng.random(9) * 0.2,
                         40 + rng.random(9) * 0.2, 30_000.0)
    T = 30
    u, v = rng.normal(0, 3, (4, T)), rng.normal(0, 3, (4, T))
    cls = rng.integers(0, 6, (4, T))
    cat, w, h = rng.integers(0, 2, 9), rng.lognormal(0, 1, 9), rng.uniform(0, 30, 9)
    act = np.ones((1, T))
    for scheme in k.SIGMA_SCHEMES:
        ref = k.exposure(pairs, cat, np.zeros(9, int), w, h, act, u, v, cls, n_categories=2, scheme=scheme)
        var = k.Variant(k.SIGMA_TABLES[scheme], k.SIGMA_SWITCH_M[scheme])
        got = k.exposure_variants(pairs, cat, np.zeros(9, int), w, h, act, u, v, cls[None], [var], n_categories=2)
        np.testing.assert_allclose(got[..., 0, 0], ref, rtol=1e-5)
        # the per-pair series sum to the category exposure
        ser, _ = k.pair_series(pairs, cat, np.zeros(9, int), w, h, act, u, v, cls[None], [var], np.ones((2, 1)))
        summed = np.zeros((4, T, 2))
        np.add.at(summed, (np.repeat(np.arange(4), np.diff(pairs[0])), slice(None), cat[pairs[1]]), ser)
        np.testing.assert_allclose(summed, ref, rtol=1e-4, atol=1e-6)


def test_saturation_levels_cap_a_single_plume():
    # a ground source 1 km upwind: exposure k; with level x0 the sum is x0 k / (x0 + k) <= x0
    pairs = _one_pair()
    args = (pairs, [0], [0], [1.0], [0.0], np.ones((1, 1)), np.array([[0.0]]), np.array([[1.0]]),
            np.array([[[3]]]), [k.Variant(k.SIGMA_TABLES["briggs_rural"])])
    lin = k.exposure_variants(*args, n_categories=1)[0, 0, 0, 0, 0]
    sat = k.exposure_variants(*args, n_categories=1, saturation=np.array([[np.inf, 10.0]]))[0, 0, 0, 0]
    assert sat[0] == pytest.approx(lin, rel=1e-6)
    assert sat[1] == pytest.approx(10.0 * lin / (10.0 + lin), rel=1e-5) and sat[1] < 10.0


def test_variant_height_scale_and_isotropic():
    pairs = _one_pair()
    base = dict(n_categories=1)
    run = [pairs, [0], [0], [1.0], [0.0], np.ones((1, 1)), np.array([[0.0]]), np.array([[3.0]]), np.array([[[3]]])]
    tab = k.SIGMA_TABLES["briggs_rural"]
    e = k.exposure_variants(*run, [k.Variant(tab), k.Variant(tab, height_m=40.0), k.Variant(tab, scale_y=2.0,
                                                                                           scale_z=2.0),
                                   k.Variant(tab, isotropic=True)], **base)[0, 0, 0, :, 0]
    sy, sz = k.sigmas(1000.0, "D")
    assert e[0] == pytest.approx(1e6 / (math.pi * 3.0 * sy * sz), rel=1e-5)
    assert e[1] == pytest.approx(e[0] * math.exp(-0.5 * (40.0 / sz) ** 2), rel=1e-5)  # lifted release
    assert e[2] == pytest.approx(e[0] / 4.0, rel=1e-5)  # both sigmas doubled
    assert 0 < e[3] < e[0]  # direction-averaged: less than on the plume axis


def test_day_night_stability_rule():
    cls = k.stability_class(np.array([1.0, 1.0]), np.array([30.0, -5.0]), rule="day_night", day_class=2,
                            night_class=4)
    assert list(cls) == [2, 4]
    shifted = k.stability_class(np.array([2.5, 1.0]), np.array([70.0, -10.0]), shift=1)
    assert list(shifted) == [1, 5]  # A -> B; F stays F (clipped)
    with pytest.raises(ValueError, match="Valid options"):
        k.stability_class(np.array([1.0]), np.array([1.0]), rule="nope")
