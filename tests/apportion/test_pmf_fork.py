"""PMF runs in forked worker processes: identical to the serial path, failures reported."""

import os

import numpy as np
import pytest

from geoair import GeoairInputError
from geoair.apportion import _pmf_fork
from geoair.apportion.pmf import _esat_init, fit_runs

needs_fork = pytest.mark.skipif(not _pmf_fork.fork_available(), reason="os.fork: Linux only")


def _problem(seed=5, n=90, m=10, p=3, runs=5):
    rng = np.random.default_rng(seed)
    G = rng.lognormal(0, 0.7, (n, p)) * (rng.random((n, p)) > 0.2)
    F = rng.random((p, m)) * (rng.random((p, m)) > 0.3)
    X = G @ F
    U = 0.05 * X + 0.02
    V = np.clip(X + rng.normal(0, 1, X.shape) * U, 0, None)
    starts = [_esat_init(V, p, s, "ls-nmf") for s in range(runs)]
    return V, U ** -2.0, np.stack([w for w, _ in starts]), np.stack([h for _, h in starts])


@needs_fork
@pytest.mark.parametrize("robust", [True, False])
def test_forked_batches_equal_the_serial_path(robust):
    """Every output of 3 forked batches (5 runs) is bit-for-bit the single-process one."""
    V, We, W0, H0 = _problem()
    kw = dict(robust=robust, max_iter=1500, tol=1e-4)
    serial = fit_runs(V, We, W0, H0, n_jobs=1, **kw)
    forked = fit_runs(V, We, W0, H0, n_jobs=3, processes=True, **kw)
    threads = fit_runs(V, We, W0, H0, n_jobs=3, processes=False, **kw)
    assert len(set(serial[2].tolist())) > 1  # the runs stopped at different iterations
    for a, b, c in zip(serial, forked, threads, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


@needs_fork
def test_run_forked_relays_progress_and_reports_failures(capfd):
    out = _pmf_fork.shared_copy(np.zeros(6))
    seen = []

    def work(idx, on_done):
        out[idx] = idx + 1.0
        on_done(len(idx))

    _pmf_fork.run_forked(work, np.array_split(np.arange(6), 3), seen.append)
    np.testing.assert_array_equal(out, np.arange(1.0, 7.0))  # children's writes are seen
    assert sorted(seen) == [2, 2, 2]

    def fails_in_child(idx, on_done):
        if idx[0] > 0:
            raise ValueError("boom")

    with pytest.raises(RuntimeError, match="1 PMF worker"):
        _pmf_fork.run_forked(fails_in_child, [np.array([0]), np.array([1])])
    assert "ValueError: boom" in capfd.readouterr().err
    with pytest.raises(ChildProcessError):  # every child was reaped
        os.waitpid(-1, os.WNOHANG)


@needs_fork
def test_parent_failure_stops_the_children():
    def work(idx, on_done):
        if idx[0] == 0:
            raise KeyError("parent")
        import time

        time.sleep(30)  # killed by the parent long before this ends

    with pytest.raises(KeyError, match="parent"):
        _pmf_fork.run_forked(work, [np.array([0]), np.array([1])])
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_processes_without_fork_is_an_input_error(monkeypatch):
    V, We, W0, H0 = _problem(runs=2)
    monkeypatch.setattr(_pmf_fork, "fork_available", lambda: False)
    with pytest.raises(GeoairInputError, match="fork"):
        fit_runs(V, We, W0, H0, n_jobs=2, processes=True, max_iter=50)
    # the default falls back to threads, same results as one worker
    a = fit_runs(V, We, W0, H0, n_jobs=2, max_iter=200)
    b = fit_runs(V, We, W0, H0, n_jobs=1, max_iter=200)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


@needs_fork
def test_forked_batches_without_traces():
    V, We, W0, H0 = _problem(runs=3)
    a = fit_runs(V, We, W0, H0, n_jobs=2, processes=True, trace=False, max_iter=300)
    b = fit_runs(V, We, W0, H0, n_jobs=1, trace=False, max_iter=300)
    assert a[4].shape == (3, 0)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_all_cores_means_the_usable_ones(monkeypatch):
    """``n_jobs=-1`` counts the cores this process may run on (taskset, cpusets)."""
    import os

    from geoair.apportion.pmf import _resolve_n_jobs

    if hasattr(os, "sched_getaffinity"):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5})
        assert _resolve_n_jobs(-1, 20) == 3
        assert _resolve_n_jobs(-1, 2) == 2
    else:
        assert _resolve_n_jobs(-1, 20) == min(os.cpu_count() or 1, 20)
