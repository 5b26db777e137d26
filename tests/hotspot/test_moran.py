"""Local Moran's I against PySAL esda on the same input (Anselin 1995)."""

import numpy as np
import pytest

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")

from geoair.hotspot import local_moran  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _grid(n=7, seed=0):
    import geopandas as gpd
    from shapely import box

    rng = np.random.default_rng(seed)
    xs, ys = np.meshgrid(np.arange(n), np.arange(n))
    geom = box(xs.ravel(), ys.ravel(), xs.ravel() + 1, ys.ravel() + 1)
    v = rng.normal(size=n * n)
    v[(xs.ravel() < 3) & (ys.ravel() < 3)] += 4.0  # planted hot corner
    return gpd.GeoDataFrame({"v": v}, geometry=geom)


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
