"""Lines and areas in the attribution: same exposures as a dense point discretisation, and the
source scores rank roads and villages by their id (issue 20)."""

import warnings

import numpy as np
import pandas as pd
import pytest

gpd = pytest.importorskip("geopandas")
shapely = pytest.importorskip("shapely")

from geoair._validation import DropLog  # noqa: E402
from geoair.apportion import _inputs, kernels  # noqa: E402
from geoair.apportion._discretise import station_pairs  # noqa: E402

ST_LON, ST_LAT = np.array([116.40, 116.60]), np.array([39.90, 39.95])
ROAD = shapely.LineString([(116.30, 39.9006), (116.50, 39.9006), (116.55, 39.99)])  # ~70 m north of A
VILLAGE = shapely.box(116.58, 39.93, 116.60, 39.945)  # ~550 m south of B


def _dense(geom, n):
    """The geometry as n equal-weight points (line: along its length; area: a fine grid)."""
    if geom.geom_type == "LineString":  # equal lengths in metres (scale longitude by cos(lat))
        c = np.cos(np.radians(39.95))
        from shapely import affinity

        scaled = affinity.scale(geom, xfact=c, yfact=1.0, origin=(0, 0))
        pts = [scaled.interpolate(t, normalized=True) for t in (np.arange(n) + 0.5) / n]
        return np.array([p.x for p in pts]) / c, np.array([p.y for p in pts])
    x0, y0, x1, y1 = geom.bounds
    k = int(np.sqrt(n))
    gx, gy = np.meshgrid(x0 + (x1 - x0) * (np.arange(k) + 0.5) / k, y0 + (y1 - y0) * (np.arange(k) + 0.5) / k)
    return gx.ravel(), gy.ravel()


def _winds(T=96, seed=1):
    rng = np.random.default_rng(seed)
    ws, wd = rng.uniform(0.5, 5.0, (2, T)), rng.uniform(0, 2 * np.pi, (2, T))
    return ws * np.sin(wd), ws * np.cos(wd), rng.integers(0, 6, (2, T))


@pytest.mark.parametrize("geom", [ROAD, VILLAGE], ids=["road", "village"])
def test_shape_exposure_equals_dense_points(geom):
    times = pd.date_range("2024-01-01 01:00", periods=96, freq="h", tz="Asia/Shanghai")
    src = gpd.GeoDataFrame({"source_id": ["S1"], "category": ["vehicle"], "weight": [3.0]}, geometry=[geom],
                           crs="EPSG:4326")
    table = _inputs.source_table(src, None, times, ["vehicle"], log=DropLog())
    pairs, t = station_pairs(ST_LON, ST_LAT, table.table, table.shapes, 50_000.0)
    u, v, cls = _winds()
    args = (t["design"], t["profile"], t["weight"], t["height"], table.activity, u, v, cls)
    got = kernels.exposure(pairs, *args, n_categories=1)[..., 0]
    x, y = _dense(geom, 20_000)
    dense = pd.DataFrame({"source_id": [f"D{i}" for i in range(len(x))], "category": "vehicle",
                          "weight": 3.0 / len(x), "lon": x, "lat": y})
    td = _inputs.source_table(dense, None, times, ["vehicle"], log=DropLog())
    pd_ = kernels.pair_index(ST_LON, ST_LAT, td.table["lon"], td.table["lat"], 50_000.0)
    ref = kernels.exposure(pd_, td.table["design"], td.table["profile"], td.table["weight"], td.table["height"],
                           td.activity, u, v, cls, n_categories=1)[..., 0]
    np.testing.assert_allclose(got.sum(axis=1), ref.sum(axis=1), rtol=0.01)
    assert np.abs(got - ref).max() <= 0.02 * ref.max()
    # one source per station: its sub-pairs are consecutive, the nearest first
    for s in range(2):
        d = pairs[4][pairs[0][s]:pairs[0][s + 1]]
        assert d[0] == d.min()


def test_fit_ranks_roads_and_villages():
    from geoair.apportion import SourceAttribution
    from geoair.testing import make_attribution_truth

    syn = make_attribution_truth(seed=5, days=5, stations=["1001A", "1003A", "1005A"], n_sources=10, n_fires=5)
    st = syn.stations.set_index("station")
    lon, lat = float(st.geometry.iloc[0].x), float(st.geometry.iloc[0].y)
    road = shapely.LineString([(lon - 0.1, lat + 0.001), (lon + 0.1, lat + 0.001)])
    village = shapely.box(lon + 0.01, lat - 0.03, lon + 0.03, lat - 0.01)
    extra = gpd.GeoDataFrame({"source_id": ["ROAD1", "VIL1"], "category": ["vehicle", "coal"],
                              "kind": ["road", "village"], "weight": [20.0, 10.0]},
                             geometry=[road, village], crs="EPSG:4326")
    sources = pd.concat([syn.sources, extra], ignore_index=True)
    inputs = {**syn.fit_inputs(), "sources": sources}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = SourceAttribution(n_bootstrap=5, random_state=0).fit(syn.obs, **inputs)
    sc = model.source_scores_
    for sid in ("ROAD1", "VIL1"):
        rows = sc[sc["source_id"] == sid]
        assert len(rows) == 3  # one row per station, elements summed
        assert rows["contribution"].ge(0).all()
    near = sc[(sc["source_id"] == "ROAD1") & (sc["station"] == st.index[0])]
    assert float(near["distance_m"].iloc[0]) < 150  # nearest element: the road passes ~110 m away
