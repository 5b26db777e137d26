"""Gi* against PySAL esda on the same input (esda G_Local docstring values; Ord and Getis 1995)."""

import geopandas as gpd
import numpy as np
import pytest

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")

from geoair.hotspot import fdr_bh, local_gi_star  # noqa: E402

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


def test_gi_star_esda_engine_reproduces_esda_and_fdr_applied():
    g = _grid()
    w = libpysal.weights.Queen.from_dataframe(g, use_index=False)
    ref = esda.G_Local(g["v"].to_numpy(), w, transform="B", star=True, permutations=199,
                       seed=7, n_jobs=1)
    out = local_gi_star(g, "v", permutations=199, random_state=7, alternative="directed", fdr=True,
                        engine="esda")
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


@pytest.mark.parametrize("star", [True, False])
def test_gi_numpy_engine_agrees_with_esda_within_monte_carlo_error(star):
    """Same statistic to 1e-12; pseudo p-values from independent draws agree to their own error.

    With R = 4999 draws each, the difference of two independent pseudo p-values has standard
    error sqrt(2 p (1 - p) / R); over 49 sites the largest standardised difference stays
    below 4 (a 1-in-15,000 event per site under the null of equal distributions).
    """
    g = _grid()
    w = libpysal.weights.Queen.from_dataframe(g, use_index=False)
    r = 4999
    ref = esda.G_Local(g["v"].to_numpy(), w, transform="B", star=star, permutations=r, seed=7, n_jobs=1)
    out = local_gi_star(g, "v", weights=w, star=star, permutations=r, random_state=3,
                        alternative="directed")
    np.testing.assert_allclose(out["gi_z"], ref.Zs, rtol=1e-12)
    p_ref = np.asarray(ref.p_sim)
    se = np.sqrt(2.0 * np.maximum(p_ref, 1.0 / r) * (1.0 - p_ref) / r)
    assert np.max(np.abs(out["p_sim"].to_numpy() - p_ref) / se) < 4.0
    corner = [0, 1, 7, 8]
    assert (out.loc[corner, "hotspot"] == "hot").all()


def test_gi_star_default_engine_needs_no_esda(monkeypatch):
    """The default path never imports esda (no numba compilation in a fresh process)."""
    import sys

    monkeypatch.setitem(sys.modules, "esda", None)  # import esda would now fail
    out = local_gi_star(_grid(), "v", permutations=99, random_state=0)
    assert out.attrs["params"]["engine"] == "numpy" and np.isfinite(out["p_sim"]).all()


def test_empty_and_missing_values():
    g = _grid().iloc[:0]
    assert len(local_gi_star(g, "v")) == 0
    bad = _grid()
    bad.loc[3, "v"] = np.nan
    from geoair import GeoairInputError

    with pytest.raises(GeoairInputError, match="row 3"):
        local_gi_star(bad, "v")
