"""Synthetic truth for the surface tests: log concentrations drawn from a known Gaussian field.

Imported by name from the tests (a conftest module cannot be: every test folder has one).
"""

import geopandas as gpd
import numpy as np
import pandas as pd

from geoair.hotspot import GRID_CRS

#: Truth used by the generator: exponential covariance (GSTools), sill, length scale (m), nugget.
TRUTH = dict(var=0.30, len_scale=60_000.0, nugget=0.02)


def gaussian_days(xy, n_days, *, seed=0, mean=4.0, truth=TRUTH, model="Exponential"):
    """Fields of log concentration at ``xy`` for ``n_days`` independent days (GSTools SRF)."""
    import gstools as gs

    cls = getattr(gs, model)
    m = cls(dim=2, var=truth["var"], len_scale=truth["len_scale"])
    rng = np.random.default_rng(seed)
    out = []
    for d in range(n_days):
        srf = gs.SRF(m, seed=seed * 1000 + d + 1)
        f = srf((xy[:, 0], xy[:, 1])) + mean + 0.3 * rng.standard_normal()
        out.append(f + np.sqrt(truth["nugget"]) * rng.standard_normal(len(xy)))
    return np.array(out)


def make_case(n_stations=120, n_days=6, n_test=200, *, seed=0, extent=300_000.0, missing=0.05,
              truth=TRUTH):
    """Stations + held-out test points with the same fields; values frame and truth."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, extent, (n_stations + n_test, 2)) + np.array([1.0e6, 4.0e6])
    fields = gaussian_days(xy, n_days, seed=seed, truth=truth)
    codes = np.array([f"S{i:04d}" for i in range(n_stations)])
    rows = []
    for d in range(n_days):
        keep = rng.random(n_stations) >= missing
        for i in np.flatnonzero(keep):
            rows.append((codes[i], pd.Timestamp("2019-01-08") + pd.Timedelta(days=d),
                         float(np.exp(fields[d, i]))))
    values = pd.DataFrame(rows, columns=["station", "date", "value"])
    stations = gpd.GeoDataFrame({"station": codes},
                                geometry=gpd.points_from_xy(xy[:n_stations, 0], xy[:n_stations, 1]),
                                crs=GRID_CRS)
    test = gpd.GeoDataFrame({"id": np.arange(n_test)},
                            geometry=gpd.points_from_xy(xy[n_stations:, 0], xy[n_stations:, 1]),
                            crs=GRID_CRS)
    return values, stations, test, np.exp(fields[:, n_stations:])
