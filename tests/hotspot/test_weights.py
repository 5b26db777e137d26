"""Spatial weights: distances in metres for geographic input."""

import geopandas as gpd


def test_distance_weights_in_metres_for_geographic_input():
    from geoair.hotspot import spatial_weights

    # three points 0.01 deg (~850 m E-W at 40 N) apart in a row, one 0.1 deg away
    g = gpd.GeoDataFrame(geometry=gpd.points_from_xy([116.0, 116.01, 116.02, 116.12], [40.0] * 4),
                         crs="EPSG:4326")
    w = spatial_weights(g, "distance", threshold=1000.0)
    assert w.neighbors[0] == [1] and sorted(w.neighbors[1]) == [0, 2] and w.neighbors[3] == []


def test_knn_without_libpysal_matches_libpysal_knn():
    """The default Gi* path builds k-NN weights with scipy; the neighbours are libpysal's."""
    import numpy as np
    from libpysal.weights import KNN

    from geoair.hotspot.aggregate import GRID_CRS
    from geoair.hotspot.weights import _centroids_m, knn_weights

    rng = np.random.default_rng(1)
    g = gpd.GeoDataFrame(geometry=gpd.points_from_xy(rng.uniform(114, 118, 60), rng.uniform(37, 41, 60)),
                         crs="EPSG:4326")
    for k in (1, 5, 8):
        ours = knn_weights(g, k).sparse.toarray()
        ref = KNN(_centroids_m(g), k=k).sparse.toarray()
        np.testing.assert_array_equal(ours, ref)
    # duplicated points (ties: which twin is taken is arbitrary in both): k others, never itself
    d = gpd.GeoDataFrame(geometry=list(g.geometry) + [g.geometry.iloc[0]] * 3, crs="EPSG:4326")
    m = knn_weights(d.to_crs(GRID_CRS), 5).sparse
    assert m.nnz == 5 * len(d) and m.diagonal().sum() == 0


def test_gi_star_knn_path_does_not_import_libpysal():
    import subprocess
    import sys

    code = ("import sys, numpy as np, geopandas as gpd\n"
            "from geoair.hotspot import local_gi_star\n"
            "g = gpd.GeoDataFrame({'v': np.arange(30.0)}, geometry=gpd.points_from_xy(np.arange(30.0), "
            "np.arange(30.0) % 7), crs='EPSG:3857')\n"
            "local_gi_star(g, 'v', weights='knn', k=4, permutations=99)\n"
            "print(sorted(m for m in ('libpysal', 'esda', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
