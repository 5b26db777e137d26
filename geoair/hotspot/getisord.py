"""Local Getis-Ord Gi* (and Gi) hot and cold spots with permutation inference.

The statistic and its analytical z-score follow Ord and Getis (1995) exactly as PySAL
``esda.G_Local`` computes them (binary weights, self-weight 1 for Gi*; equality with esda is
tested to 1e-12). The permutation reference distribution comes from
:func:`geoair.hotspot.significance.conditional_randomization` (numpy, same scheme as esda,
no compilation) or, with ``engine="esda"``, from esda itself (numba; compiles on the first
call of each process).

References
----------
Ord, J. K. and Getis, A. (1995). Local spatial autocorrelation statistics: distributional
issues and an application. *Geographical Analysis* 27(4), 286-306.
Esri, "How Hot Spot Analysis (Getis-Ord Gi*) works", ArcGIS Pro documentation (bins).
PySAL esda: ``esda.G_Local`` (https://pysal.org/esda/).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DropLog, check_option
from ..schema import attach_units
from .significance import ALTERNATIVES, conditional_randomization, fdr_bh, pseudo_p
from .weights import values_of, weights_for

__all__ = ["local_gi_star", "gi_star_statistic"]

ENGINES = ("numpy", "esda")

#: Units of the Gi* result columns (``attrs["units"]``).
UNITS_GI = {"gi_z": "1 (z-score)", "p_norm": "1 (probability)", "p_sim": "1 (probability)",
            "p_fdr": "1 (probability)", "gi_bin": "1 (confidence bin -3..3)"}


def gi_star_statistic(y: np.ndarray, w, *, star: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Gi* (or Gi) and its analytical z-score with binary weights (Ord and Getis 1995).

    Parameters
    ----------
    y : ndarray, shape (n,)
    w : libpysal.weights.W
        Neighbours (binary); the self-weight 1 is added for Gi*.
    star : bool

    Returns
    -------
    (G, z) : ndarrays
        ``G_i = sum_j w_ij y_j / sum_j y_j`` (self excluded from both sums for Gi) and
        ``z_i = (G_i - E[G_i]) / sqrt(Var[G_i])`` under the randomisation null.
    """
    y = np.asarray(y, dtype=float)
    mat = _binary(w, star)
    drop_self = 0.0 if star else 1.0
    n_eff = y.size - drop_self
    total = y.sum() - y * drop_self
    g = (mat @ y) / total
    mean = total / n_eff
    var_y = (np.sum(y**2) - y**2 * drop_self) / n_eff - mean**2
    card = np.asarray(mat.sum(axis=1)).ravel()
    expected = card / n_eff
    variance = card * (n_eff - card) / (n_eff - 1) / n_eff**2 * var_y / mean**2
    return g, (g - expected) / np.sqrt(variance)


def _binary(w, star: bool):
    """CSR binary weights with self-weight 1 (Gi*) or 0 (Gi), as esda's ``transform="B"``."""
    from scipy import sparse

    mat = sparse.csr_matrix(w.sparse, dtype=float, copy=True)
    mat.eliminate_zeros()
    mat.data[:] = 1.0
    mat.setdiag(1.0 if star else 0.0)
    mat.eliminate_zeros()
    return mat


def _simulate(y, mat, w, star, permutations, random_state, engine):
    """Reference distribution of G (n x permutations) from the chosen engine."""
    if engine == "esda":
        from .._compat import import_optional  # numba-free import path
        esda = import_optional("esda", "Getis-Ord Gi* (engine='esda')")
        if not hasattr(w, "transform"):  # a SparseWeights: esda needs a libpysal W
            from libpysal.weights import WSP

            w = WSP(w.sparse).to_W(silence_warnings=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = esda.G_Local(y, w, transform="B", star=star, permutations=permutations,
                             keep_simulations=True, n_jobs=1, seed=random_state)
        return np.asarray(g.rGs, dtype=float)
    lags = conditional_randomization(y, mat, permutations, random_state)
    denom = y.sum() - (0.0 if star else y)
    return lags / np.broadcast_to(np.atleast_1d(denom), (y.size,))[:, None]


def _results(out, g, z, sim, alternative: str, fdr: bool, alpha: float) -> None:
    """Add z, p-values (normal, permutation, FDR), ArcGIS bins and hot/cold labels to ``out``."""
    from scipy.stats import norm

    out["gi_z"] = z
    out["p_norm"] = 2.0 * norm.sf(np.abs(z))
    out["p_sim"] = pseudo_p(g, sim, alternative) if sim is not None else np.nan
    p_used = out["p_sim" if sim is not None else "p_norm"].to_numpy()
    out["p_fdr"] = fdr_bh(p_used) if fdr else np.nan
    p_final = out["p_fdr"].to_numpy() if fdr else p_used
    conf = np.select([p_final < 0.01, p_final < 0.05, p_final < 0.10], [3, 2, 1], 0)
    out["gi_bin"] = (np.sign(z) * conf).astype(int)
    sig = p_final < alpha
    out["hotspot"] = np.where(sig & (z > 0), "hot", np.where(sig & (z < 0), "cold", "not significant"))


def local_gi_star(
    gdf,
    column: str,
    *,
    weights: Any = "queen",
    k: int = 6,
    threshold: float | None = None,
    star: bool = True,
    permutations: int = 999,
    alternative: str = "two-sided",
    fdr: bool = True,
    alpha: float = 0.05,
    random_state: int = 12345,
    engine: str = "numpy",
):
    """Local Getis-Ord Gi* hot and cold spots.

    Gi* (``star=True``) with binary weights and self-weight 1 is the z-score of ArcGIS Hot
    Spot Analysis; the statistic equals ``esda.G_Local(transform="B", star=True)``.

    Parameters
    ----------
    gdf : GeoDataFrame
        One row per area (county, grid cell) or point.
    column : str
        Value to test (e.g. ``pm25`` in µg/m³, fire counts).
    weights, k, threshold
        See :func:`geoair.hotspot.spatial_weights` (``weights`` may also be a ready libpysal
        ``W`` or a :class:`geoair.hotspot.weights.SparseWeights`).
    star : bool
        Include the area itself (Gi*, default) or not (Gi).
    permutations : int
        Conditional permutations for the pseudo p-value (0: analytical p only).
    alternative : {"two-sided", "greater", "lesser", "directed"}
        Tail of the permutation test (explicit; no deprecated default).
    fdr : bool
        Apply the Benjamini-Hochberg correction to the p-values used for labels (default).
    alpha : float
        Significance level of the labels.
    random_state : int
        Seed of the permutations.
    engine : {"numpy", "esda"}
        Who draws the permutations: vectorised numpy (default, no compilation) or esda
        (numba; reproduces esda's p-values draw for draw).

    Returns
    -------
    GeoDataFrame
        A copy of ``gdf`` with ``gi_z`` (z-score), ``p_norm`` (two-sided normal p of the
        z-score), ``p_sim`` (permutation pseudo-p for ``alternative``), ``p_fdr``
        (BH-adjusted, NaN when ``fdr=False``), ``gi_bin`` (ArcGIS bins -3..3 on the p used)
        and ``hotspot`` ("hot"/"cold"/"not significant"). ``attrs["params"]`` records
        the settings.
    """
    check_option("alternative", alternative, ALTERNATIVES)
    check_option("engine", engine, ENGINES)
    out = gdf.copy()
    if len(gdf) == 0:
        for c in ("gi_z", "p_norm", "p_sim", "p_fdr", "gi_bin", "hotspot"):
            out[c] = pd.Series(dtype=object if c == "hotspot" else float)
        out.attrs["droplog"] = DropLog()
        return attach_units(out, UNITS_GI)
    y = values_of(gdf, column)
    w = weights_for(gdf, weights, k=k, threshold=threshold)  # knn without importing libpysal
    g, z = gi_star_statistic(y, w, star=star)
    sim = _simulate(y, _binary(w, star), w, star, permutations, random_state, engine) if permutations > 0 else None
    _results(out, g, z, sim, alternative, fdr, alpha)
    out.attrs["params"] = dict(
        statistic="Gi*" if star else "Gi", column=column, weights=str(weights),
        permutations=permutations, alternative=alternative, fdr=fdr, alpha=alpha,
        random_state=random_state, engine=engine, islands=list(map(int, w.islands)),
    )
    out.attrs["droplog"] = DropLog()  # no area dropped (missing values raise); callers chain
    return attach_units(out, UNITS_GI)
