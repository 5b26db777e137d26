"""Spatial weights: distances in metres for geographic input."""

import geopandas as gpd


def test_distance_weights_in_metres_for_geographic_input():
    from geoair.hotspot import spatial_weights

    # three points 0.01 deg (~850 m E-W at 40 N) apart in a row, one 0.1 deg away
    g = gpd.GeoDataFrame(geometry=gpd.points_from_xy([116.0, 116.01, 116.02, 116.12], [40.0] * 4),
                         crs="EPSG:4326")
    w = spatial_weights(g, "distance", threshold=1000.0)
    assert w.neighbors[0] == [1] and sorted(w.neighbors[1]) == [0, 2] and w.neighbors[3] == []
