"""Time per PMF model on the Baton Rouge example (307 x 41, 6 factors, 20 runs): geoair vs ESAT.

Same settings for both: LS-NMF, 20 random starts, seed 42, max_iter 20000, converge_delta 0.01,
converge_n 50 (Q(true) minimised: geoair ``robust=False``)::

    NUMBA_NUM_THREADS=1 /usr/bin/time -v /work/venv/bin/python benchmarks/bench_pmf.py geoair
    /usr/bin/time -v /work/venv-esat/bin/python benchmarks/bench_pmf.py esat          # serial
    /usr/bin/time -v /work/venv-esat/bin/python benchmarks/bench_pmf.py esat 2        # 2 processes

geoair's first call compiles the numba kernels (cached on disk afterwards); the timed fit is
the second one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path("/work/shared/data/pmf/baton_rouge")
CONC, UNC = DATA / "Dataset-BatonRouge-con.csv", DATA / "Dataset-BatonRouge-unc.csv"
K, RUNS = 6, 20


def bench_geoair():
    sys.path.insert(0, str(ROOT))
    from geoair.apportion.pmf import PMF
    from geoair.apportion.pmf_prep import read_epa_pmf

    conc, unc = read_epa_pmf(CONC, UNC)
    kw = dict(n_components=K, method="ls-nmf", robust=False, max_iter=20000, tol=0.01,
              tol_window=50)
    PMF(n_runs=1, random_state=0, **kw).fit(conc.iloc[:50], unc.iloc[:50])  # compile/load
    t0 = time.perf_counter()
    m = PMF(n_runs=RUNS, random_state=42, **kw).fit(conc, unc)
    wall = time.perf_counter() - t0
    print(f"geoair: {wall:.2f} s for {RUNS} runs = {wall / RUNS:.3f} s/model; "
          f"Q(true) {m.q_true_:.1f}, Q(robust) {m.q_robust_:.1f}, "
          f"iterations {int(m.runs_['n_iter'].sum())}")


def bench_esat(cores):
    from esat.data.datahandler import DataHandler
    from esat.model.batch_sa import BatchSA

    dh = DataHandler(input_path=str(CONC), uncertainty_path=str(UNC), index_col="Date")
    V, U = dh.get_data()
    t0 = time.perf_counter()
    b = BatchSA(V=V, U=U, factors=K, models=RUNS, method="ls-nmf", seed=42, max_iter=20000,
                converge_delta=0.01, converge_n=50, best_robust=True, parallel=cores > 1,
                cores=cores, verbose=False)
    b.train()
    wall = time.perf_counter() - t0
    best = b.results[b.best_model]
    iters = sum(int(r.converge_steps) + 1 for r in b.results)
    print(f"esat ({cores} core(s)): {wall:.2f} s for {RUNS} runs = {wall / RUNS:.3f} s/model; "
          f"Q(true) {float(best.Qtrue):.1f}, Q(robust) {float(best.Qrobust):.1f}, "
          f"iterations {iters}")


if __name__ == "__main__":
    if sys.argv[1] == "esat":
        bench_esat(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    else:
        bench_geoair()
