"""Offline folium maps: no CDN, data text escaped, layers present."""

import json

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


def test_offline_context_layer_on_by_default(tmp_path, map_inputs):
    """Issue 12.9: province and city outlines and names from the bundled boundaries, no tiles."""
    inp = map_inputs
    text = save_map(hotspot_map(inp["counties"], lang="zh"), tmp_path / "ctx.html").read_text(encoding="utf-8")
    layer = json.dumps("省市边界")[1:-1]  # folium writes layer names as ASCII JSON (\\uXXXX)
    assert layer in text  # the layer, named in the layer control
    for name in ("北京市", "天津市", "河北省", "廊坊市"):
        assert name in text
    assert "tile.openstreetmap" not in text and "L.tileLayer" not in text
    plain = save_map(hotspot_map(inp["counties"], lang="zh", context=False), tmp_path / "plain.html")
    assert layer not in plain.read_text(encoding="utf-8")


def test_map_pages_stay_small(tmp_path):
    """199 county polygons + context: simplified (~100 m) and rounded (1e-5 deg), a few MB at most."""
    from geoair import datasets
    from geoair.hotspot import add_city_names

    counties = add_city_names(datasets.load_bth_counties())
    path = save_map(hotspot_map(counties, lang="en"), tmp_path / "size.html")
    assert path.stat().st_size < 2_500_000
    assert "石家庄市 新华区" in path.read_text(encoding="utf-8")  # county tooltips carry the city


def test_add_city_names_disambiguates_repeated_county_names():
    from geoair import datasets
    from geoair.hotspot import add_city_names

    c = add_city_names(datasets.load_bth_counties())
    assert c["city"].notna().all()
    xinhua = sorted(c.loc[c["name"] == "新华区", "label"])
    assert xinhua == ["沧州市 新华区", "石家庄市 新华区"]
    assert sorted(c.loc[c["name"] == "桥西区", "label"]) == ["张家口市 桥西区", "石家庄市 桥西区"]
    assert c["label"].is_unique
    assert c.set_index("adcode").loc["110101", "label"] == "北京市 东城区"
