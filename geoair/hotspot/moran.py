"""Local Moran's I (LISA) clusters and outliers with conditional permutation inference.

Computed by PySAL ``esda.Moran_Local`` on row-standardised weights (Anselin 1995); this
module fixes the seed, applies an explicit ``alternative`` and the FDR correction, and
names the quadrants.

References
----------
Anselin, L. (1995). Local indicators of spatial association - LISA. *Geographical Analysis*
27(2), 93-115. PySAL esda: ``esda.Moran_Local`` (https://pysal.org/esda/).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option
from ..schema import attach_units
from .significance import ALTERNATIVES, fdr_bh, pseudo_p
from .weights import spatial_weights, values_of

__all__ = ["local_moran"]

#: Units of the local Moran result columns (``attrs["units"]``).
UNITS_MORAN = {"moran_i": "1 (local Moran's I)", "moran_q": "1 (quadrant 1-4)", "p_sim": "1 (probability)",
               "p_fdr": "1 (probability)"}


def local_moran(
    gdf,
    column: str,
    *,
    weights: Any = "queen",
    k: int = 6,
    threshold: float | None = None,
    permutations: int = 999,
    alternative: str = "two-sided",
    fdr: bool = True,
    alpha: float = 0.05,
    random_state: int = 12345,
):
    """Local Moran's I (LISA) clusters and outliers with conditional permutation inference.

    Parameters
    ----------
    gdf, column, weights, k, threshold, permutations, alternative, fdr, alpha, random_state
        As for :func:`geoair.hotspot.local_gi_star`.

    Returns
    -------
    GeoDataFrame
        A copy with ``moran_i``, ``moran_q`` (PySAL quadrant 1 HH, 2 LH, 3 LL, 4 HL),
        ``p_sim``, ``p_fdr``, ``cluster`` ("HH", "LL", "LH", "HL" when significant, else
        "not significant") and ``hotspot`` (HH -> "hot", LL -> "cold").
    """
    check_option("alternative", alternative, ALTERNATIVES)
    out = gdf.copy()
    if len(gdf) == 0:
        for c in ["moran_i", "moran_q", "p_sim", "p_fdr", "cluster", "hotspot"]:
            out[c] = pd.Series(dtype=object if c in ("cluster", "hotspot") else float)
        out.attrs["droplog"] = DropLog()
        return attach_units(out, UNITS_MORAN)
    if permutations < 1:
        raise GeoairInputError("Local Moran needs permutations >= 1.", received=permutations,
                               fix="Use permutations=999 (default).")
    from .._compat import import_optional  # numba-free import path
    esda = import_optional("esda", "Local Moran's I")
    y = values_of(gdf, column)
    w = spatial_weights(gdf, weights, k=k, threshold=threshold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = esda.Moran_Local(
            y, w, transformation="r", permutations=permutations,
            keep_simulations=True, n_jobs=1, seed=random_state,
        )
    out["moran_i"] = np.asarray(m.Is, dtype=float)
    out["moran_q"] = np.asarray(m.q, dtype=int)
    out["p_sim"] = pseudo_p(m.Is, m.rlisas, alternative)
    out["p_fdr"] = fdr_bh(out["p_sim"].to_numpy()) if fdr else np.nan
    p_final = out["p_fdr"].to_numpy() if fdr else out["p_sim"].to_numpy()
    sig = p_final < alpha
    names = np.array(["", "HH", "LH", "LL", "HL"])[out["moran_q"].to_numpy()]
    out["cluster"] = np.where(sig, names, "not significant")
    out["hotspot"] = np.where(
        out["cluster"] == "HH", "hot", np.where(out["cluster"] == "LL", "cold", "not significant")
    )
    out.attrs["params"] = dict(
        statistic="Local Moran", column=column, weights=str(weights), permutations=permutations,
        alternative=alternative, fdr=fdr, alpha=alpha, random_state=random_state,
    )
    out.attrs["droplog"] = DropLog()  # no area dropped (missing values raise); callers chain
    return attach_units(out, UNITS_MORAN)
