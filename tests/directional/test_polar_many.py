"""polar_plot_many: every station's polar_plot surface in one call (shared grids, Dask tasks).

Reference: polar_plot itself (validated against openair in test_polar.py), on the real wind
and PM2.5 of the bundled Beijing PRSA stations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geoair
from geoair import GeoairInputError, datasets
from geoair.directional import polar_plot, polar_plot_many


@pytest.fixture(scope="module")
def prsa():
    obs = datasets.load_beijing_observations()
    keep = obs["station"].isin(["1001A", "1002A", "1003A"]) & (obs["time"].dt.year == 2016)
    return obs.loc[keep].reset_index(drop=True)


@pytest.fixture(autouse=True)
def _quiet():
    with geoair.set_options(progress=False):
        yield


@pytest.mark.parametrize("kw", [dict(), dict(statistic="cpf", percentile=90),
                                dict(statistic="median", min_bin=2)])
def test_same_surfaces_as_polar_plot(prsa, kw):
    many = polar_plot_many(prsa, ["pm25", "no2"], **kw)
    assert sorted(many["station"].unique()) == ["1001A", "1002A", "1003A"]
    for (st, pol), got in many.groupby(["station", "pollutant"]):
        opts = dict(kw)
        if opts.get("min_bin") == 1:
            opts.pop("min_bin")
        ref = polar_plot(prsa[prsa["station"] == st], pol, **opts)
        np.testing.assert_allclose(got["u"], ref["u"], rtol=1e-12)
        a, b = ref["z"].to_numpy(), got["z"].to_numpy()
        both = np.isfinite(a) & np.isfinite(b)
        # cells exactly on the 0.05 exclusion distance may flip with rounding
        assert (np.isfinite(a) != np.isfinite(b)).sum() <= 10
        assert both.sum() > 5000
        np.testing.assert_allclose(b[both], a[both], rtol=1e-6, atol=1e-9)
    summary = many.attrs["summary"]
    assert len(summary) == 6 and summary["edf"].between(3, 100).all()


def test_written_table_and_pngs(prsa, tmp_path):
    summary = polar_plot_many(prsa, "pm25", out=tmp_path, png=True)
    assert list(summary["station"]) == ["1001A", "1002A", "1003A"]
    table = pd.read_parquet(tmp_path / "surfaces")
    assert len(table) == 3 * 201 * 201 and table["z"].dtype == np.float32
    pngs = sorted(p.name for p in (tmp_path / "png").glob("*.png"))
    assert pngs == ["1001A_pm25.png", "1002A_pm25.png", "1003A_pm25.png"]
    # the peak direction is a real direction on the grid
    assert summary["wd_at_max"].between(0, 360).all()


def test_exact_method_and_failures(prsa):
    calm = prsa.assign(ws=np.where(prsa["station"] == "1003A", 0.0, prsa["ws"]))
    many = polar_plot_many(calm, "pm25", method="exact", statistic="percentile", percentile=90)
    assert list(many.attrs["failed"]["station"]) == ["1003A"]
    ref = polar_plot(prsa[prsa["station"] == "1001A"], "pm25", statistic="percentile",
                     percentile=90)
    got = many[many["station"] == "1001A"]
    np.testing.assert_array_equal(got["z"].to_numpy(), ref["z"].to_numpy())
    with pytest.raises(GeoairInputError):
        polar_plot_many(prsa, "pm25", png=True)
    with pytest.raises(ValueError, match="statistic"):
        polar_plot_many(prsa, "pm25", statistic="nwr")
