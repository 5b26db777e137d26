"""Kriging algebra against GSTools (peer), brute-force systems and exactness properties."""

import gstools as gs
import numpy as np
import pytest
from scipy.spatial.distance import cdist

from geoair.surface import _engine, _kriging
from geoair.surface.covariates import drift_matrix
from geoair.surface.targets import Targets


def _setup(seed=0, n=60, nugget=0.05):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 200_000, (n, 2))
    model = gs.Exponential(dim=2, var=0.4, len_scale=50_000.0, nugget=nugget)
    z = gs.SRF(model, seed=seed + 3)((xy[:, 0], xy[:, 1])) + 4.0
    tx = rng.uniform(0, 200_000, (300, 2))
    return xy, z, model, tx


@pytest.mark.parametrize("kind", ["ordinary", "universal", "extdrift"])
def test_matches_gstools_krige(kind):
    """Means and variances equal gstools.krige.Ordinary / Universal / ExtDrift (exact=False)."""
    xy, z, model, tx = _setup()
    ext = lambda x, y: np.sin(x / 40_000.0) + y / 1e5  # noqa: E731
    if kind == "ordinary":
        f, ft = np.ones((len(xy), 1)), np.ones((len(tx), 1))
        ref = gs.krige.Ordinary(model, (xy[:, 0], xy[:, 1]), z, exact=False)
        fld, var = ref((tx[:, 0], tx[:, 1]))
    elif kind == "universal":
        f = drift_matrix(xy, drift="linear")
        ft = drift_matrix(tx, drift="linear")
        ref = gs.krige.Universal(model, (xy[:, 0], xy[:, 1]), z, "linear", exact=False)
        fld, var = ref((tx[:, 0], tx[:, 1]))
    else:
        f = drift_matrix(xy, covariates={"c": ext})
        ft = drift_matrix(tx, covariates={"c": ext})
        ref = gs.krige.ExtDrift(model, (xy[:, 0], xy[:, 1]), z, ext(xy[:, 0], xy[:, 1]), exact=False)
        fld, var = ref((tx[:, 0], tx[:, 1]), ext_drift=ext(tx[:, 0], tx[:, 1]))
    sys = _kriging.build(model, 1.0, xy, z, f, np.arange(len(xy)))
    mean, red, _ = _kriging.predict(sys, _kriging.cov(model, cdist(xy, tx)), ft)
    np.testing.assert_allclose(mean, fld, atol=1e-6)
    # GSTools' variance with exact=False is that of a new measurement (nugget included)
    np.testing.assert_allclose(model.sill - red, var, atol=1e-6)


def test_exact_interpolation_without_nugget():
    xy, z, model, _ = _setup(nugget=0.0)
    sys = _kriging.build(model, 1.0, xy, z, np.ones((len(xy), 1)), np.arange(len(xy)))
    mean, red, _ = _kriging.predict(sys, _kriging.cov(model, cdist(xy, xy)), np.ones((len(xy), 1)))
    np.testing.assert_allclose(mean, z, atol=1e-5)
    np.testing.assert_allclose(model.sill - red, 0.0, atol=1e-5)


@pytest.mark.parametrize("drift", ["constant", "linear"])
def test_dubrule_loo_equals_refit(drift):
    """Closed-form leave-one-out errors equal solving the system without the station."""
    xy, z, model, _ = _setup(n=30)
    f = drift_matrix(xy, drift=drift, center=xy.mean(axis=0))
    err, var = _kriging.loo_errors(model, 2.0, xy, z, f)
    near = cdist(xy, xy) <= 30_000.0
    groups = [np.r_[i, np.flatnonzero(near[i] & (np.arange(len(xy)) != i))] for i in range(len(xy))]
    err_b, var_b = _kriging.loo_errors(model, 2.0, xy, z, f, groups)
    for i in (0, 7, 19):
        for g, e, v in ((np.array([i]), err, var), (groups[i], err_b, var_b)):
            keep = np.setdiff1d(np.arange(len(xy)), g)
            sys = _kriging.build(model, 2.0, xy[keep], z[keep], f[keep], keep)
            m, red, _ = _kriging.predict(sys, _kriging.cov(model, cdist(xy[keep], xy[i:i + 1]), 2.0),
                                         f[i:i + 1])
            assert z[i] - m[0] == pytest.approx(e[i], abs=1e-7)
            assert 2.0 * model.sill - red[0] == pytest.approx(v[i], rel=1e-6)


def test_pooled_shortcut_equals_direct_solve(monkeypatch):
    """The partitioned-inverse shortcut gives the per-day solve's answers on days with gaps."""
    from geoair.surface.variogram import Variogram

    xy, _, model, tx = _setup(n=50)
    rng = np.random.default_rng(1)
    vario = Variogram()
    vario.model_ = model
    f = np.ones((len(xy), 1))
    systems = []
    for d, scale in enumerate((0.5, 1.0, 2.0)):
        idx = np.sort(rng.choice(len(xy), size=40 + 5 * d, replace=False))
        z = rng.normal(4, 0.5, len(idx))
        systems.append(_kriging.build(model, scale, xy[idx], z, f[idx], idx))
    tg = Targets(ids=np.arange(len(tx)), xy=tx, starts=np.arange(len(tx)), center=tx,
                 station_target=np.full(len(xy), -1), is_polygon=False)
    run = lambda: _engine.krige_targets(systems, vario, xy, f, tg, np.ones((len(tx), 1)),  # noqa: E731
                                        transform="log", z=1.645, chunk_size=100)
    fast = run()
    monkeypatch.setattr(_kriging, "make_pool", lambda *a, **k: None)
    slow = run()
    np.testing.assert_allclose(fast.estimate, slow.estimate, rtol=1e-9)
    np.testing.assert_allclose(fast.se, slow.se, rtol=1e-8)
    np.testing.assert_array_equal(fast.n_stations, slow.n_stations)


def test_cov_table_matches_model():
    model = gs.Matern(dim=2, var=1.3, len_scale=80_000.0, nu=0.7)
    d = np.random.default_rng(2).uniform(0, 600_000, 5000)
    np.testing.assert_allclose(_kriging.cov(model, d), model.covariance(d), atol=1e-6 * model.var)
    model.len_scale = 20_000.0  # parameters changed: the cached table is rebuilt
    np.testing.assert_allclose(_kriging.cov(model, d), model.covariance(d), atol=1e-6 * model.var)
