"""geoair._output: output folders written atomically, manifest last, stale files removed.

The interruption tests run ``geoair attribute`` and ``geoair briefing`` in a subprocess and
send SIGINT at random moments (fixed seed) over the run's duration; after every kill the
folder must hold one complete run whose manifest matches every file (sha256, no file
missing, none unlisted), never a manifest that says complete beside a partial file.
"""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from geoair import DropLog, GeoairInputError
from geoair._output import MANIFEST, atomic_output, read_manifest, sha256, verify_manifest


def _write(tmp, files):
    for rel, text in files.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_text(text, encoding="utf-8")


def test_new_folder_gets_files_and_manifest_last(tmp_path):
    out = tmp_path / "run"
    log = DropLog()
    log.add("duplicate station-hour", [3, 4], file="a.csv")
    inp = tmp_path / "a.csv"
    inp.write_text("x\n1\n")
    with atomic_output(out, config={"cutoff_km": 50}, inputs=[inp], command="attribute") as tmp:
        assert tmp.parent == out.parent and tmp.name.startswith(".run.geoair-tmp-")
        assert not out.exists()  # nothing appears before the run is complete
        _write(tmp, {"a.csv": "x,y\n1,2\n3,4\n", "figures/f.png": "png", "s.geojson": json.dumps(
            {"type": "FeatureCollection", "features": [{}, {}, {}]})})
    man = read_manifest(out)
    assert man["complete"] is True and man["command"] == "attribute"
    assert {f["path"]: f["rows"] for f in man["files"]} == {"a.csv": 2, "figures/f.png": None, "s.geojson": 3}
    assert man["inputs"] == [{"path": str(inp), "bytes": 4, "sha256": sha256(inp)}]
    assert man["config"] == {"cutoff_km": 50} and man["geoair_version"]
    assert verify_manifest(out) == []
    assert not [p for p in tmp_path.iterdir() if "geoair-tmp" in p.name]


def test_manifest_carries_the_droplog_summary(tmp_path):
    w = atomic_output(tmp_path / "r")
    with w as tmp:
        (tmp / "x.csv").write_text("a\n1\n")
        log = DropLog()
        log.add("sentinel", [1, 2, 3], file="f.csv", column="pm25")
        w.droplog = log
    assert read_manifest(tmp_path / "r")["droplog"]["total"] == 3
    assert read_manifest(tmp_path / "r")["droplog"]["rows"] == 0


def test_overwrite_removes_only_the_earlier_runs_files(tmp_path):
    out = tmp_path / "run"
    with atomic_output(out) as tmp:
        _write(tmp, {"old.csv": "a\n1\n", "figures/old.png": "x", "same.csv": "a\n1\n"})
    (out / "my_notes.txt").write_text("keep me")  # the user's file, not in the manifest
    with pytest.raises(GeoairInputError, match="--overwrite"):
        atomic_output(out)
    with atomic_output(out, overwrite=True) as tmp:
        _write(tmp, {"same.csv": "a\n2\n3\n", "new.csv": "b\n"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "manifest.json", "my_notes.txt", "new.csv", "same.csv"]  # old files and empty folder gone
    assert (out / "same.csv").read_text() == "a\n2\n3\n"
    assert verify_manifest(out) == ["not in the manifest: my_notes.txt"]


def test_failure_inside_leaves_the_earlier_run_intact(tmp_path):
    out = tmp_path / "run"
    with atomic_output(out) as tmp:
        _write(tmp, {"a.csv": "a\n1\n"})
    before = read_manifest(out)
    with pytest.raises(RuntimeError), atomic_output(out, overwrite=True) as tmp:
        _write(tmp, {"a.csv": "half"})
        raise RuntimeError("fit failed")
    assert read_manifest(out) == before and verify_manifest(out) == []
    assert not [p for p in tmp_path.iterdir() if "geoair-tmp" in p.name]


def test_interrupted_update_is_recoverable(tmp_path):
    # a kill -9 between removing the old manifest and placing the new one leaves the marker
    out = tmp_path / "run"
    out.mkdir()
    (out / "a.csv").write_text("partial")
    (out / ".geoair-partial.json").write_text(json.dumps({"files": ["a.csv", "b.csv"]}))
    with pytest.raises(GeoairInputError, match="earlier geoair run"):
        atomic_output(out)
    with atomic_output(out, overwrite=True) as tmp:
        _write(tmp, {"b.csv": "b\n1\n"})
    assert verify_manifest(out) == [] and not (out / "a.csv").exists()


def test_out_checks(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(GeoairInputError, match="is a file"):
        atomic_output(f)
    with pytest.raises(GeoairInputError, match="Cannot write"):
        atomic_output(f / "sub")
    d = tmp_path / "foreign"
    d.mkdir()
    (d / "x").write_text("x")
    with pytest.raises(GeoairInputError, match="no geoair manifest"):
        atomic_output(d, overwrite=True)
    (tmp_path / "empty").mkdir()
    with atomic_output(tmp_path / "empty") as tmp:
        (tmp / "a.txt").write_text("a")
    assert verify_manifest(tmp_path / "empty") == []


def test_manifest_cannot_delete_outside_the_folder(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (out / MANIFEST).write_text(json.dumps({"files": [{"path": "../victim.txt"}], "complete": True}))
    with atomic_output(out, overwrite=True) as tmp:
        (tmp / "a.txt").write_text("a")
    assert victim.read_text() == "keep"


# ------------------------------------------------------------------ interrupted commands


def _default_sigint():
    # a test run started in the background inherits SIGINT ignored; the command must see the default
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run(argv, cwd):
    return subprocess.Popen([sys.executable, "-m", "geoair", *argv], cwd=cwd, preexec_fn=_default_sigint,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _check_after_kill(out):
    """The invariant: the folder holds exactly one complete run (no partial file anywhere)."""
    assert read_manifest(out) is not None, sorted(os.listdir(out))
    assert verify_manifest(out) == []
    assert not [p for p in out.parent.iterdir() if "geoair-tmp" in p.name]


def _kill_at_random_moments(argv, out, cwd, n_kills, seed):
    """One run to create the folder, one timed warm run, then ``n_kills`` runs each sent
    SIGINT at a random fraction (5-95 %) of the warm run's duration."""
    first = _run(argv, cwd)
    assert first.wait(timeout=900) == 0, first.stderr.read()
    assert verify_manifest(out) == []
    t0 = time.perf_counter()
    warm = _run([*argv, "--overwrite"], cwd)
    assert warm.wait(timeout=900) == 0, warm.stderr.read()
    duration = time.perf_counter() - t0
    rng = np.random.default_rng(seed)
    outcomes = []
    for delay in rng.uniform(0.05, 0.95, size=n_kills) * duration:
        proc = _run([*argv, "--overwrite"], cwd)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=900)
        # 0: finished first; 130: KeyboardInterrupt in the command; -2: during start-up
        assert code in (0, 130, -signal.SIGINT), proc.stderr.read()
        outcomes.append(code)
        _check_after_kill(out)
    return outcomes


@pytest.mark.slow
def test_attribute_interrupted_at_random_moments(tmp_path):
    from geoair.testing import make_attribution_truth

    syn = make_attribution_truth(seed=5, days=8)
    obs = syn.obs.copy()
    obs["time"] = obs["time"].dt.strftime("%Y-%m-%d %H:%M")
    obs.to_csv(tmp_path / "obs.csv", index=False)
    syn.stations[["station", "name", "city", "lon", "lat"]].to_csv(tmp_path / "stations.csv", index=False)
    src = syn.sources.assign(lon=syn.sources.geometry.x, lat=syn.sources.geometry.y).drop(columns="geometry")
    src.to_csv(tmp_path / "sources.csv", index=False)
    argv = ["attribute", "-o", "obs.csv", "--format", "tidy", "-s", "stations.csv", "--sources", "sources.csv",
            "--sources-crs", "wgs84", "--n-bootstrap", "10", "--out", "out"]
    outcomes = _kill_at_random_moments(argv, tmp_path / "out", tmp_path, n_kills=4, seed=11)
    assert {130, -signal.SIGINT} & set(outcomes)  # at least one kill landed during the run


@pytest.mark.slow
def test_briefing_interrupted_at_random_moments(tmp_path):
    (tmp_path / "cfg.toml").write_text('[analysis]\npermutations = 99\n[period]\nstart = "2019-01-08"\n'
                                       'end = "2019-01-21"\n')
    argv = ["briefing", "--config", "cfg.toml", "--out", "out", "--no-progress"]
    outcomes = _kill_at_random_moments(argv, tmp_path / "out", tmp_path, n_kills=3, seed=7)
    assert {130, -signal.SIGINT} & set(outcomes)
