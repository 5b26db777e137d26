"""geoair PMF cost on the Baton Rouge example (307 x 41, 6 factors, 20 runs, seed 42).

Every measurement runs in a fresh Python process, as a user's script would::

    python benchmarks/bench_pmf.py firstcall   # empty numba cache vs warm cache
    python benchmarks/bench_pmf.py cores       # n_jobs 1 vs 2, robust vs plain, per iteration
    python benchmarks/bench_pmf.py steps       # plain MU vs line-searched MU: cost, iterations
    python benchmarks/bench_pmf.py workers     # 1 worker vs 2 threads vs 2 forked processes

``firstcall`` points ``NUMBA_CACHE_DIR`` at a new empty folder (a user's very first call:
every kernel is compiled and written to the cache), then runs again on the filled folder (every
later call: the kernels are loaded). Each child reports the time of its imports, of loading or
compiling the kernel (a one-iteration fit on a small slice), and of the full fit; the parent
times the whole process and reads its peak RSS. ``cores`` reports wall and CPU time per
iteration. ``steps`` (one process) times the default numpy solver (line search, batched over
runs, float32) per run-iteration at batch sizes 1, 5 and 20 against the numba plain-MU kernel
(CPU, 1,000 iterations, best of 3), and fits the 20 runs with each to the default stopping
rule (iterations, CPU, best Q(robust)). ``workers`` (one process) fits the 20 runs with
one worker, two threads and two forked processes (CPU counts the reaped children too) and
checks that the three give identical results. With the numpy solver the "empty cache" case compiles
nothing (only ``line_search=False`` and WS-NMF use numba). Record ``uptime`` next to the
numbers: on a shared machine they are inflated.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "pmf" / "baton_rouge"
if not DATA.exists():
    DATA = Path("/work/shared/data/pmf/baton_rouge")
CONC, UNC = DATA / "Dataset-BatonRouge-con.csv", DATA / "Dataset-BatonRouge-unc.csv"


def child(robust: bool, n_jobs: int, method: str = "ls-nmf"):
    t0 = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from geoair.apportion.pmf import PMF
    from geoair.apportion.pmf_prep import read_epa_pmf

    conc, unc = read_epa_pmf(CONC, UNC)
    t1 = time.perf_counter()
    kw = dict(n_components=6, method=method, robust=robust, n_jobs=n_jobs)
    PMF(n_runs=1, max_iter=1, random_state=0, **kw).fit(conc.iloc[:20], unc.iloc[:20])
    t2 = time.perf_counter()
    c2 = _cpu()
    m = PMF(n_runs=20, random_state=42, **kw).fit(conc, unc)
    t3 = time.perf_counter()
    c3 = _cpu()
    it = int(m.runs_["n_iter"].sum())
    print(json.dumps({"import_read_s": t1 - t0, "kernel_s": t2 - t1, "fit_s": t3 - t2,
                      "fit_cpu_s": c3 - c2, "n_iter": it, "us_per_iter": 1e6 * (t3 - t2) / it,
                      "cpu_us_per_iter": 1e6 * (c3 - c2) / it, "q_robust": m.q_robust_,
                      "q_true": m.q_true_}))


def _cpu():
    """CPU seconds of this process and of its reaped children (forked PMF workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def workers():
    """Baton Rouge, 20 robust runs: wall and CPU with 1 worker, 2 threads, 2 processes."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from geoair.apportion.pmf import _batch_seeds, _esat_init, _q_values, fit_runs
    from geoair.apportion.pmf_prep import read_epa_pmf

    conc, unc = read_epa_pmf(CONC, UNC)
    V = conc.to_numpy(float)
    We = 1.0 / np.maximum(unc.to_numpy(float), 1e-12) ** 2
    starts = [_esat_init(V, 6, s, "ls-nmf") for s in _batch_seeds(42, 20)]
    W0, H0 = np.stack([w for w, _ in starts]), np.stack([h for _, h in starts])
    ref = None
    for label, jobs, proc in (("1 worker", 1, False), ("2 threads", 2, False),
                              ("2 forked processes", 2, True)):
        t0, c0 = time.perf_counter(), _cpu()
        out = fit_runs(V, We, W0, H0, n_jobs=jobs, processes=proc)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        ref = out if ref is None else ref
        same = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(out, ref, strict=True))
        q = _q_values(V, We, out[0], out[1], 4.0)[1].min()
        print(f"{label:20s}: fit {wall:.2f} s wall, {cpu:.2f} s CPU, {int(out[2].sum())} "
              f"iterations, best Q(robust) {q:.1f}, identical to 1 worker: {same}; load "
              f"{os.getloadavg()[0]:.1f}", flush=True)


def steps(n_iter=1000, repeats=3):
    """CPU per run-iteration of the numpy batched solver (batches of 1, 5, 20 runs) against the
    numba plain-MU kernel, then the 20-run fit with each (iterations, CPU, best Q(robust))."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from geoair.apportion import _pmf_kernels as K
    from geoair.apportion._pmf_batch import ls_fit_batch
    from geoair.apportion.pmf import _THETA, PMF, _batch_seeds, _esat_init
    from geoair.apportion.pmf_prep import read_epa_pmf

    conc, unc = read_epa_pmf(CONC, UNC)
    V = conc.to_numpy(float)
    We = 1.0 / np.maximum(unc.to_numpy(float), 1e-12) ** 2
    mask = np.zeros((6, V.shape[1]), np.bool_)
    starts = [_esat_init(V, 6, s, "ls-nmf") for s in _batch_seeds(42, 20)]
    W0, H0 = np.stack([w for w, _ in starts]), np.stack([h for _, h in starts])
    K.ls_fit(V, We, W0[0].copy(), H0[0].copy(), True, 4.0, 1, 0.0, -np.inf, 1, mask, np.empty(0))
    for label, R in (("numba plain MU, 1 run", 0), ("numpy line search, batch 1", 1),
                     ("numpy line search, batch 5", 5), ("numpy line search, batch 20", 20)):
        best = np.inf
        for _ in range(repeats):
            c0 = time.process_time()
            if R == 0:
                K.ls_fit(V, We, W0[0].copy(), H0[0].copy(), True, 4.0, n_iter, 0.0, -np.inf, 1,
                         mask, np.empty(0))
            else:
                ls_fit_batch(V, We, W0[:R].copy(), H0[:R].copy(), robust=True, alpha=4.0,
                             max_iter=n_iter, rtol=0.0, atol=-np.inf, window=1, fixed=mask,
                             traces=np.empty((R, 0)), theta=_THETA)
            best = min(best, (time.process_time() - c0) / max(R, 1))
        print(f"{label:28s}: {1e6 * best / n_iter:.0f} us CPU per run-iteration (robust, best "
              f"of {repeats}); load {os.getloadavg()[0]:.1f}", flush=True)
    for ls in (False, True):
        c0 = time.process_time()
        m = PMF(n_components=6, random_state=42, n_jobs=1, line_search=ls).fit(conc, unc)
        cpu = time.process_time() - c0
        it = int(m.runs_["n_iter"].sum())
        print(f"line_search={ls}: 20 runs {it} iterations, fit {cpu:.1f} s CPU "
              f"({1e6 * cpu / it:.0f} us/it), best Q(robust) {m.q_robust_:.1f}; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)


def spawn(args, env):
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "_child", *args], env=env, text=True,
                         capture_output=True, check=True)
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return {**res, "process_s": wall, "peak_rss_mib_so_far": rss, "load1": os.getloadavg()[0]}


def main():
    mode = sys.argv[1]
    if mode == "_child":
        return child(sys.argv[2] == "1", int(sys.argv[3]))
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    if mode == "steps":
        return steps()
    if mode == "workers":
        return workers()
    cache = tempfile.mkdtemp(prefix="geoair-bench-pmf-")
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    if mode == "firstcall":
        cases = [("cold (empty cache)", ["1", "1"]), ("warm", ["1", "1"]), ("warm", ["1", "2"])]
    else:
        # warm the cache first (not reported)
        spawn(["1", "1"], env)
        cases = [(f"robust={r} n_jobs={j}", [r, str(j)]) for r in ("1", "0") for j in (1, 2)]
    for label, args in cases:
        r = spawn(args, env)
        print(f"{label:24s} robust={args[0]} n_jobs={args[1]}: process {r['process_s']:.2f} s "
              f"= imports+read {r['import_read_s']:.2f} + kernel load/compile "
              f"{r['kernel_s']:.2f} + fit {r['fit_s']:.2f} (cpu {r['fit_cpu_s']:.2f}); "
              f"{r['n_iter']} iterations, {r['us_per_iter']:.0f} us/it wall, "
              f"{r['cpu_us_per_iter']:.0f} us/it cpu; Q(robust) {r['q_robust']:.1f}; "
              f"peak RSS {r['peak_rss_mib_so_far']:.0f} MiB; load {r['load1']:.1f}", flush=True)
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
