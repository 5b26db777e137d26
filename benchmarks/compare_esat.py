"""Run EPA ESAT and geoair PMF on the EPA PMF 5.0 example data sets and compare them.

ESAT is NOT a geoair dependency. Run the ESAT half in its own environment::

    python3 -m venv /work/venv-esat && /work/venv-esat/bin/pip install esat==2025.0.1
    /work/venv-esat/bin/python benchmarks/compare_esat.py esat      # writes tests/data/pmf_esat/
    /work/venv/bin/python benchmarks/compare_esat.py geoair         # compares with the refs

Settings (same for both): LS-NMF, 20 random starts, batch seed 42, max_iter 20000,
converge_delta 0.01, converge_n 50 (ESAT workflow notebook), best model = min Q(robust),
all species strong (ESAT's default; the example uncertainty files are used as given).
ESAT minimises Q(true) (its robust flag is ignored), so geoair is run with ``robust=False``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "pmf"
if not DATA.exists():
    DATA = Path("/work/shared/data/pmf")
REF = ROOT / "tests" / "data" / "pmf_esat"

# name -> (conc, unc, factors). Factor numbers: St. Louis 4 and Baton Rouge 6 are the solutions
# EPA/ESAT document for these files (research notes, section 7); Baltimore 6 = ESAT notebook default.
DATASETS = {
    "st_louis": ("st_louis/Dataset-StLouis-con.csv", "st_louis/Dataset-StLouis-unc.csv", 4),
    "baton_rouge": ("baton_rouge/Dataset-BatonRouge-con.csv",
                    "baton_rouge/Dataset-BatonRouge-unc.csv", 6),
    "baltimore": ("baltimore/Dataset-Baltimore_con.txt", "baltimore/Dataset-Baltimore_unc.txt", 6),
    # WS-NMF reference (same settings, method="ws-nmf")
    "st_louis_ws": ("st_louis/Dataset-StLouis-con.csv", "st_louis/Dataset-StLouis-unc.csv", 4),
}


def _settings(name):
    return {**SETTINGS, "method": "ws-nmf"} if name.endswith("_ws") else SETTINGS
SETTINGS = dict(method="ls-nmf", models=20, seed=42, max_iter=20000, converge_delta=0.01,
                converge_n=50, best_robust=True)


def run_esat(names):
    import esat
    from esat.data.datahandler import DataHandler
    from esat.model.batch_sa import BatchSA

    REF.mkdir(parents=True, exist_ok=True)
    for name in names:
        c, u, k = DATASETS[name]
        dh = DataHandler(input_path=str(DATA / c), uncertainty_path=str(DATA / u), index_col="Date")
        V, U = dh.get_data()
        species = list(dh.input_data.columns)
        t0 = time.perf_counter()
        batch = BatchSA(V=V, U=U, factors=k, parallel=False, verbose=False, **_settings(name))
        batch.train()
        wall = time.perf_counter() - t0
        best = batch.results[batch.best_model]
        qs = [(int(r.seed), float(r.Qtrue), float(r.Qrobust), int(r.converge_steps) + 1,
               bool(r.converged)) for r in batch.results]
        H = pd.DataFrame(np.asarray(best.H, dtype=float), columns=species,
                         index=[f"Factor {i + 1}" for i in range(k)])
        H.to_csv(REF / f"{name}_H.csv", float_format="%.8g")
        meta = {
            "esat_version": getattr(esat, "__version__", "2025.0.1"),
            "dataset": name, "factors": k, "settings": _settings(name), "parallel": False,
            "n_samples": int(V.shape[0]), "n_species": int(V.shape[1]),
            "best_model": int(batch.best_model),
            "q_true": float(best.Qtrue), "q_robust": float(best.Qrobust),
            "runs": [{"seed": sd, "q_true": a, "q_robust": b, "n_iter": n, "converged": cv}
                     for sd, a, b, n, cv in qs],
            "wall_s": wall,
        }
        (REF / f"{name}.json").write_text(json.dumps(meta, indent=1))
        print(name, k, "Q(true)", meta["q_true"], "Q(robust)", meta["q_robust"], f"{wall:.1f}s")


def match_cosine(Ha, Hb):
    """Hungarian matching of factor profiles (rows) by cosine similarity of normalised rows."""
    from scipy.optimize import linear_sum_assignment

    a = Ha / np.linalg.norm(Ha, axis=1, keepdims=True)
    b = Hb / np.linalg.norm(Hb, axis=1, keepdims=True)
    cos = a @ b.T
    r, c = linear_sum_assignment(-cos)
    return cos[r, c], c


def run_geoair(names):
    sys.path.insert(0, str(ROOT))
    from geoair.apportion.pmf import PMF
    from geoair.apportion.pmf_prep import read_epa_pmf

    rows = []
    for name in names:
        c, u, k = DATASETS[name]
        meta = json.loads((REF / f"{name}.json").read_text())
        Href = pd.read_csv(REF / f"{name}_H.csv", index_col=0)
        conc, unc = read_epa_pmf(DATA / c, DATA / u)
        t0 = time.perf_counter()
        m = PMF(n_components=k, method=_settings(name)["method"], robust=False, n_runs=20, max_iter=20000,
                tol=0.01, tol_window=50, random_state=42).fit(conc, unc)
        wall = time.perf_counter() - t0
        cos, _ = match_cosine(m.profiles_.to_numpy(), Href.to_numpy())
        rows.append({
            "dataset": name, "factors": k, "best_run": m.best_run_, "esat_best": meta["best_model"],
            "esat_q_true": meta["q_true"], "geoair_q_true": m.q_true_,
            "d_q_true_%": 100 * (m.q_true_ / meta["q_true"] - 1),
            "esat_q_robust": meta["q_robust"], "geoair_q_robust": m.q_robust_,
            "d_q_robust_%": 100 * (m.q_robust_ / meta["q_robust"] - 1),
            "min_cos": cos.min(), "mean_cos": cos.mean(),
            "esat_s": meta["wall_s"], "geoair_s": wall,
        })
    out = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(out.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return out


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "geoair"
    names = sys.argv[2:] or list(DATASETS)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    (run_esat if which == "esat" else run_geoair)(names)
