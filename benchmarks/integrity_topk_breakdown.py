"""What fills the top K of the integrity ranking besides injected events (one seed, bundled month).

Usage: ``NUMBA_NUM_THREADS=2 PYTHONPATH=. python benchmarks/integrity_topk_breakdown.py [seed]``.
Prints the top-K share of injected events, the top-K kinds split by injected / not, and how
many non-injected copy events sit at the source stations of injected copies.
"""

import sys

import pandas as pd

from geoair import datasets, set_options
from geoair.integrity import detect_integrity
from geoair.testing import inject_tampering, score_detection
from geoair.testing.integrity import ACCEPTANCE_KINDS


def main(seed: int = 1, n_events: int = 200) -> None:
    set_options(progress=False)
    obs, st = datasets.load_cnemc_observations(), datasets.load_national_stations()
    td = inject_tampering(obs, st, n_events=n_events, kinds=ACCEPTANCE_KINDS, random_state=seed)
    res = score_detection(detect_integrity(td.obs, st), td.truth)
    top = res["events"].head(res["k"])
    print(f"top-{res['k']} injected share {top['injected'].mean():.3f}; cut-off score {top['score'].iloc[-1]:.2f}")
    print(pd.crosstab(top["kind"], top["injected"]))
    cp = top[(top["kind"] == "copy") & ~top["injected"]]
    src = set(td.truth["source_station"].dropna().astype(str))
    print(f"non-injected copies: {len(cp)}, at source stations of injected copies: {cp['station'].isin(src).sum()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
