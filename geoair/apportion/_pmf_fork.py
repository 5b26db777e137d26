"""Batches of PMF runs in forked worker processes (Linux), results in shared memory.

The numpy solver (:mod:`geoair.apportion._pmf_batch`) spends much of an iteration in small
numpy calls that hold the GIL, so two threads scale only 1.5-1.7 x on two cores; forked
processes share nothing but the result arrays and scale as far as the cores allow. ``fork``
copies the parent's memory lazily (copy-on-write), so the data and the imported modules cost
nothing to hand over, and a child runs exactly the code the serial path runs on the same
inputs: results are identical to ``n_jobs=1`` (tested).

Used only where ``fork`` is safe and cheap (:func:`fork_available`: Linux); elsewhere
:func:`geoair.apportion.pmf.fit_runs` uses threads.
"""

from __future__ import annotations

import mmap
import os
import sys
import threading
import warnings

import numpy as np


def fork_available() -> bool:
    """True on Linux (``os.fork`` present; macOS forks are unsafe with system frameworks)."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def shared_copy(a: np.ndarray) -> np.ndarray:
    """A copy of ``a`` in an anonymous shared memory map (writes in a child are seen here)."""
    buf = mmap.mmap(-1, max(a.nbytes, 1))
    out = np.frombuffer(buf, dtype=a.dtype, count=a.size).reshape(a.shape)
    out[...] = a
    return out


def _child(work, idx, wfd) -> None:
    """Body of a forked child: ``work(idx, on_done)``, then leave without cleanup handlers
    (``os._exit``: the parent's atexit hooks, buffers and threads are not the child's)."""
    code = 1
    try:
        def on_done(k):
            os.write(wfd, bytes([min(int(k), 255)]))

        work(idx, on_done)
        code = 0
    except BaseException as err:  # noqa: BLE001 - reported by the exit code and on stderr
        try:
            os.write(2, f"geoair PMF worker failed: {type(err).__name__}: {err}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def _fork(work, idx, wfd, rfd) -> int:
    with warnings.catch_warnings():
        # Python >= 3.12 warns on fork() from a process with threads (BLAS, tqdm's monitor);
        # the child only runs numpy code on its own arrays and leaves by os._exit
        warnings.filterwarnings("ignore", message=r".*fork\(\)", category=DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        os.close(rfd)
        _child(work, idx, wfd)
    return pid


def run_forked(work, parts, on_done=None) -> None:
    """Call ``work(idx, on_done)`` for each index array in ``parts``: the first in this
    process, each other one in a forked child; wait for all.

    ``work`` must write its results into arrays made by :func:`shared_copy`. ``on_done(k)``
    (e.g. a progress bar's ``update``) is called here for the runs finished in every process
    (children report through a pipe read by a helper thread).

    Raises
    ------
    RuntimeError
        A child failed (its message is on stderr); the other children are waited for.
    """
    note = on_done if on_done is not None else (lambda k: None)
    rfd, wfd = os.pipe()
    pids = []
    try:
        for idx in parts[1:]:
            pids.append(_fork(work, idx, wfd, rfd))
    finally:
        os.close(wfd)
    reader = threading.Thread(target=_relay, args=(rfd, note), daemon=True)
    reader.start()
    try:
        work(parts[0], note)
    except BaseException:
        for pid in pids:
            _kill(pid)
        raise
    finally:
        failed = [pid for pid in pids if _wait(pid) != 0]
        reader.join()
    if failed:
        raise RuntimeError(f"{len(failed)} PMF worker process(es) failed (see stderr); "
                           "rerun with n_jobs=1 to see the error here")


def _relay(rfd, note) -> None:
    """Pass the children's finished-run counts to ``note`` until every child has exited."""
    try:
        while chunk := os.read(rfd, 256):
            for k in chunk:
                note(k)
    finally:
        os.close(rfd)


def _kill(pid) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def _wait(pid) -> int:
    """Exit code of child ``pid`` (negative: killed by that signal)."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue
        return os.waitstatus_to_exitcode(status)
