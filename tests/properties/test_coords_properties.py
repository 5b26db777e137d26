"""Property tests (hypothesis) for geoair.coords: round trips over China, identity outside it.

Tolerance 1e-7° (~1 cm); the iterated inverses converge to 1e-10° (standards.md §7: fixed-point
iteration reaches < 1 µm in <= 5 iterations). The shift itself is at most ~705 m
(standards.md §7, 20,000-point scan), i.e. < 0.01°.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from geoair import coords

china_lng = st.floats(73.7, 135.0, allow_nan=False)
china_lat = st.floats(18.0, 53.5, allow_nan=False)
TOL = 1e-7


@settings(max_examples=300, deadline=None)
@given(china_lng, china_lat)
def test_wgs_gcj_round_trip(lng, lat):
    g = coords.wgs84_to_gcj02(lng, lat)
    back = coords.gcj02_to_wgs84(*g)
    assert abs(back[0] - lng) < TOL and abs(back[1] - lat) < TOL
    # the shift is real but bounded (< ~705 m)
    assert 0 < max(abs(g[0] - lng), abs(g[1] - lat)) < 0.01


@settings(max_examples=300, deadline=None)
@given(china_lng, china_lat)
def test_wgs_bd_round_trip(lng, lat):
    b = coords.wgs84_to_bd09(lng, lat)
    back = coords.bd09_to_wgs84(*b)
    assert abs(back[0] - lng) < TOL and abs(back[1] - lat) < TOL
    g = coords.bd09_to_gcj02(*b)
    assert np.allclose(coords.gcj02_to_bd09(*g), b, atol=TOL, rtol=0)


@settings(max_examples=100, deadline=None)
@given(
    arrays(np.float64, 50, elements=st.floats(73.7, 135.0)),
    arrays(np.float64, 50, elements=st.floats(18.0, 53.5)),
)
def test_vectorised_equals_scalar(lng, lat):
    g_lng, g_lat = coords.convert_coords(lng, lat, src="wgs84", dst="bd09")
    for i in (0, 17, 49):
        s = coords.convert_coords(float(lng[i]), float(lat[i]), src="wgs84", dst="bd09")
        assert s == (float(g_lng[i]), float(g_lat[i]))
    back = coords.convert_coords(g_lng, g_lat, src="bd09", dst="wgs84")
    np.testing.assert_allclose(back, (lng, lat), atol=TOL, rtol=0)


outside = st.one_of(
    st.tuples(st.floats(-180, 73.0), st.floats(-90, 90)),
    st.tuples(st.floats(136.0, 180), st.floats(-90, 90)),
    st.tuples(st.floats(-180, 180), st.floats(54.0, 90)),
    st.tuples(st.floats(-180, 180), st.floats(-90, 3.0)),
)


@settings(max_examples=300, deadline=None)
@given(outside)
def test_outside_china_gcj_is_identity(pt):
    lng, lat = pt
    assert coords.wgs84_to_gcj02(lng, lat) == (lng, lat)
    assert coords.gcj02_to_wgs84(lng, lat) == (lng, lat)
