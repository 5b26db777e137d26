"""Offline folium maps: no CDN, data text escaped, layers present."""

import pytest

pytest.importorskip("folium")

from geoair.plot.maps import hotspot_map, save_map  # noqa: E402


def test_offline_and_escaped(tmp_path, map_inputs, evil):
    inp = map_inputs
    path = save_map(hotspot_map(inp.pop("counties"), **inp), tmp_path / "m.html")
    text = path.read_text(encoding="utf-8")
    assert "alert('x')</script>" not in text  # never markup
    assert "&lt;script&gt;" in text or "\\u0026lt;script\\u0026gt;" in text
    assert "cdn.jsdelivr" not in text and "code.jquery" not in text
    assert "L.heatLayer" in text and "L.map" in text


def test_amap_tiles_shift_overlays(tmp_path, map_inputs):
    inp = map_inputs
    m = hotspot_map(None, stations=inp["stations"], tiles="amap")
    text = save_map(m, tmp_path / "a.html").read_text(encoding="utf-8")
    from geoair.coords import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(116.3, 39.8)
    assert f"{lat:.6f}"[:8] in text and f"{lon:.6f}"[:9] in text
    with pytest.raises(ValueError, match="Valid options"):
        hotspot_map(None, tiles="google")


def test_empty_map(tmp_path):
    assert save_map(hotspot_map(), tmp_path / "e.html").exists()


def test_missing_class_drawn_as_no_data(tmp_path, map_inputs):
    c = map_inputs["counties"].copy()
    c.loc[0, "hotspot"] = None
    text = save_map(hotspot_map(c), tmp_path / "n.html").read_text(encoding="utf-8")
    assert "no data" in text


def test_wind_arrows_point_downwind():
    import numpy as np
    import pandas as pd
    import xarray as xr

    from geoair.plot.maps import _wind_arrows

    # a north wind (from 0 deg) blows towards the south: v < 0
    x, y, u, v = _wind_arrows(pd.DataFrame({"lon": [116.0], "lat": [40.0], "ws": [4.0], "wd": [0.0]}), False)
    assert abs(u[0]) < 1e-12 and v[0] == -4.0
    ds = xr.Dataset({"u10": (("time", "latitude", "longitude"), np.full((2, 2, 3), 3.0)),
                     "v10": (("time", "latitude", "longitude"), np.zeros((2, 2, 3)))},
                    coords={"time": pd.date_range("2019-01-01", periods=2, freq="h"),
                            "latitude": [39.0, 40.0], "longitude": [116.0, 116.5, 117.0]})
    x, y, u, v = _wind_arrows(ds, False)
    assert len(x) == 6 and np.allclose(u, 3.0)
    m = hotspot_map(None, wind=ds)
    assert m is not None
