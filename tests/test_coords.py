"""Coordinate conversion against the published vectors (standards.md §7)."""

import numpy as np
import pytest

from geoair import coords

# WGS84 -> GCJ-02 vectors, (lng, lat), standards.md §7 table 1
WGS_GCJ = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # eviltransform, Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # eviltransform, Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # eviltransform, Beijing
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),  # coordtransform-rs
    ((114.363089, 30.517411), (114.36861383019243, 30.515078352018758)),  # coordtransform-go
]


@pytest.mark.parametrize(("wgs", "gcj"), WGS_GCJ)
def test_wgs84_to_gcj02_published(wgs, gcj):
    out = coords.wgs84_to_gcj02(*wgs)
    np.testing.assert_allclose(out, gcj, atol=1e-9, rtol=0)


@pytest.mark.parametrize(("wgs", "gcj"), WGS_GCJ)
def test_gcj02_to_wgs84_inverts_exactly(wgs, gcj):
    # the iterated inverse must return the WGS84 point the vector started from
    out = coords.gcj02_to_wgs84(*gcj)
    np.testing.assert_allclose(out, wgs, atol=1e-9, rtol=0)


def test_iterated_inverse_published_value():
    # standards.md §7: iterative inverse of (116.404, 39.915)
    out = coords.gcj02_to_wgs84(116.404, 39.915)
    np.testing.assert_allclose(out, (116.39775575457485, 39.913596235609404), atol=1e-9)


@pytest.mark.parametrize(
    ("fn", "inp", "expected"),
    [
        (coords.gcj02_to_bd09, (116.404, 39.915), (116.41036949371029, 39.92133699351021)),
        (coords.bd09_to_gcj02, (116.404, 39.915), (116.39762729119315, 39.90865673957631)),
        (coords.wgs84_to_bd09, (116.404, 39.915), (116.41662724378733, 39.922699552216216)),
        (coords.gcj02_to_bd09, (114.363089, 30.517411), (114.36951652929112, 30.523754384540837)),
        (coords.bd09_to_gcj02, (114.363089, 30.517411), (114.356659806424, 30.511068245460944)),
    ],
)
def test_bd09_published(fn, inp, expected):
    np.testing.assert_allclose(fn(*inp), expected, atol=1e-6, rtol=0)


def test_outside_china_unchanged():
    # Tokyo lies outside the GCJ box: no shift (standards.md §7)
    assert coords.wgs84_to_gcj02(139.69, 35.68) == (139.69, 35.68)


def test_vectorised_shape_and_convert_coords():
    lng = np.array([116.404, 121.5272106, 139.69])
    lat = np.array([39.915, 31.1774276, 35.68])
    g = coords.convert_coords(lng, lat, src="wgs84", dst="gcj02")
    assert g[0].shape == (3,)
    back = coords.convert_coords(*g, src="gcj02", dst="wgs84")
    np.testing.assert_allclose(back, (lng, lat), atol=1e-9)
    with pytest.raises(ValueError, match="Valid options"):
        coords.convert_coords(lng, lat, src="wgs", dst="gcj02")
