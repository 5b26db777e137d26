"""Gi* and Local Moran against PySAL esda on the same input (standards notes §9.1-9.2)."""

import geopandas as gpd
import numpy as np
import pytest

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")

from geoair.hotspot import fdr_bh, local_gi_star, local_moran, pseudo_p  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PTS = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
Y = np.array([2, 3, 3.2, 5, 8, 7.0])
# esda G_Local docstring values, reproduced in standards.md §9.1
ZS_STAR = [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331]
ZS_GI = [-1.0136729, -0.04361589, 1.31558703, -0.31412676, 1.15373986, 1.77833941]


def _points():
    return gpd.GeoDataFrame({"y": Y}, geometry=gpd.points_from_xy(*zip(*PTS, strict=True)))


def test_gi_star_docstring_vector():
    w = libpysal.weights.DistanceBand(PTS, threshold=15)
    out = local_gi_star(_points(), "y", weights=w, permutations=99, random_state=1)
    np.testing.assert_allclose(out["gi_z"], ZS_STAR, atol=1e-7)
    gi = local_gi_star(_points(), "y", weights=w, star=False, permutations=0)
    np.testing.assert_allclose(gi["gi_z"], ZS_GI, atol=1e-7)


def test_gi_star_distance_option_matches_docstring():
    out = local_gi_star(_points(), "y", weights="distance", threshold=15, permutations=0)
    np.testing.assert_allclose(out["gi_z"], ZS_STAR, atol=1e-7)


def _grid(n=7, seed=0):
    from shapely import box

    rng = np.random.default_rng(seed)
    xs, ys = np.meshgrid(np.arange(n), np.arange(n))
    geom = box(xs.ravel(), ys.ravel(), xs.ravel() + 1, ys.ravel() + 1)
    v = rng.normal(size=n * n)
    v[(xs.ravel() < 3) & (ys.ravel() < 3)] += 4.0  # planted hot corner
    return gpd.GeoDataFrame({"v": v}, geometry=geom)


def test_gi_star_equals_esda_on_grid_and_fdr_applied():
    g = _grid()
    w = libpysal.weights.Queen.from_dataframe(g, use_index=False)
    ref = esda.G_Local(g["v"].to_numpy(), w, transform="B", star=True, permutations=199,
                       seed=7, n_jobs=1)
    out = local_gi_star(g, "v", permutations=199, random_state=7, alternative="directed", fdr=True)
    np.testing.assert_allclose(out["gi_z"], ref.Zs, rtol=1e-12)
    # esda <= 2.9 reports the folded ("directed") pseudo p
    np.testing.assert_allclose(out["p_sim"], ref.p_sim)
    np.testing.assert_allclose(out["p_fdr"], fdr_bh(ref.p_sim))
    assert (out["p_fdr"] >= out["p_sim"] - 1e-15).all()
    # labels use FDR p: planted corner is hot
    corner = [0, 1, 7, 8]
    assert (out.loc[corner, "hotspot"] == "hot").all()
    assert set(out["hotspot"]) <= {"hot", "cold", "not significant"}
    assert out.attrs["params"]["fdr"] is True


def test_local_moran_equals_esda():
    g = _grid(seed=3)
    w = libpysal.weights.Queen.from_dataframe(g, use_index=False)
    ref = esda.Moran_Local(g["v"].to_numpy(), w, transformation="r", permutations=199, seed=11)
    out = local_moran(g, "v", permutations=199, random_state=11, alternative="directed")
    np.testing.assert_allclose(out["moran_i"], ref.Is, rtol=1e-12)
    np.testing.assert_array_equal(out["moran_q"], ref.q)
    np.testing.assert_allclose(out["p_sim"], ref.p_sim)
    hh = (out["p_fdr"] < 0.05) & (out["moran_q"] == 1)
    assert ((out["cluster"] == "HH") == hh).all()


def test_pseudo_p_alternatives():
    obs = np.array([5.0])
    sim = np.arange(10.0)[None, :]  # 0..9: 5 draws >= 5, 6 draws <= 5
    assert pseudo_p(obs, sim, "greater")[0] == pytest.approx(6 / 11)
    assert pseudo_p(obs, sim, "lesser")[0] == pytest.approx(7 / 11)
    assert pseudo_p(obs, sim, "directed")[0] == pytest.approx(6 / 11)
    assert pseudo_p(obs, sim, "two-sided")[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="Valid options"):
        pseudo_p(obs, sim, "both")


def test_fdr_bh_known_values():
    # Benjamini & Hochberg step-up by hand: sorted p * m / rank = .04, .06, .0533, .2;
    # cumulative minimum from the largest rank down gives .04, .0533, .0533, .2
    p = np.array([0.01, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(fdr_bh(p), [0.04, 0.16 / 3, 0.16 / 3, 0.20])


def test_empty_and_missing_values():
    g = _grid().iloc[:0]
    assert len(local_gi_star(g, "v")) == 0
    bad = _grid()
    bad.loc[3, "v"] = np.nan
    from geoair import GeoairInputError

    with pytest.raises(GeoairInputError, match="row 3"):
        local_gi_star(bad, "v")


def test_distance_weights_in_metres_for_geographic_input():
    from geoair.hotspot import spatial_weights

    # three points 0.01 deg (~850 m E-W at 40 N) apart in a row, one 0.1 deg away
    g = gpd.GeoDataFrame(geometry=gpd.points_from_xy([116.0, 116.01, 116.02, 116.12], [40.0] * 4),
                         crs="EPSG:4326")
    w = spatial_weights(g, "distance", threshold=1000.0)
    assert w.neighbors[0] == [1] and sorted(w.neighbors[1]) == [0, 2] and w.neighbors[3] == []
