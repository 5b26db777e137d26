"""The same calls on dask.distributed: a LocalCluster, and a scheduler and a worker started as
separate processes (``dask scheduler`` / ``dask worker``) reached by address, as on a cluster.

Reference: the results of the default local scheduler (threads).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pandas as pd
import pytest

import geoair
from geoair import _dask
from geoair.cli import main
from geoair.standards import daily
from geoair.standards.national import store_rankings

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def local_result(store):
    with geoair.set_options(progress=False):
        return store_rankings(store, by="province")


def _same(a: dict, b: dict) -> None:
    for key in ("daily", "evaluation", "table"):
        pd.testing.assert_frame_equal(a[key], b[key])


def test_local_cluster(store, local_result):
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                       dashboard_address=None, memory_limit="2GB")
    try:
        with distributed.Client(cluster, set_as_default=False) as client:
            with geoair.set_options(scheduler=client, progress=False):
                got = store_rankings(store, by="province")
    finally:
        cluster.close()
    _same(local_result, got)


def _wait_for(path, timeout=60.0):
    t0 = time.monotonic()
    while not path.exists():
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"{path} not written in {timeout} s")
        time.sleep(0.2)
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def process_cluster(tmp_path_factory):
    """`dask scheduler` and one `dask worker` (2 threads) as separate processes on localhost."""
    folder = tmp_path_factory.mktemp("cluster")
    sched_file = folder / "scheduler.json"
    common = ["--no-dashboard"]
    sched = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", "0", "--scheduler-file", str(sched_file), *common],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        address = _wait_for(sched_file)["address"]
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
             "--nthreads", "2", "--memory-limit", "2GB", "--local-directory", str(folder),
             *common], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = _dask.get_client(address)
        client.wait_for_workers(1, timeout=120)
        yield address
    finally:
        client = _dask._CLIENTS.pop(address, None) if "address" in locals() else None
        if client is not None:
            client.close()
        for proc in (worker, sched):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)


def test_separate_process_cluster(store, local_result, process_cluster, tmp_path, capsys):
    # the national pipeline through the cluster, by address: the option ...
    with geoair.set_options(scheduler=process_cluster, progress=False):
        got = store_rankings(store, by="province")
        client = _dask.get_client(process_cluster)
        assert len(client.scheduler_info()["workers"]) == 1
    _same(local_result, got)
    # ... and on the command line
    out = tmp_path / "table.csv"
    code = main(["rankings", str(store), "--by", "province", "--scheduler", process_cluster,
                 "--out", str(out), "--no-progress", "--lang", "en"])
    assert code == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    ref = store_rankings(store, by="province", lang="en")["table"]
    assert table["unit"].tolist() == ref["unit"].tolist()
    assert "北京市" in capsys.readouterr().out


def test_unreachable_scheduler(store):
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            geoair.set_options(scheduler="tcp://127.0.0.1:1", progress=False):
        with pytest.raises(geoair.GeoairInputError, match="dask scheduler"):
            daily(geoair.io.read_store(store))
