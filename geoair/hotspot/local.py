"""Local spatial association: Getis-Ord Gi* and Local Moran's I with permutation inference.

Both statistics are computed by PySAL ``esda`` (not re-implemented here); this module builds
the spatial weights, fixes the random seed, turns the conditional-permutation draws into
pseudo p-values for an explicit ``alternative``, applies the Benjamini-Hochberg false
discovery rate correction by default and labels hot and cold spots.

References
----------
Ord, J. K. and Getis, A. (1995). Local spatial autocorrelation statistics: distributional
issues and an application. *Geographical Analysis* 27(4), 286-306.
Anselin, L. (1995). Local indicators of spatial association - LISA. *Geographical Analysis*
27(2), 93-115.
Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1),
289-300.
PySAL esda: ``esda.G_Local``, ``esda.Moran_Local`` (https://pysal.org/esda/).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._compat import import_optional
from .._validation import GeoairInputError, check_option, require_columns

__all__ = ["spatial_weights", "local_gi_star", "local_moran", "pseudo_p", "fdr_bh"]

ALTERNATIVES = ("two-sided", "greater", "lesser", "directed")
WEIGHTS = ("queen", "rook", "knn", "distance")


def spatial_weights(gdf, weights: Any = "queen", *, k: int = 6, threshold: float | None = None):
    """Build a libpysal spatial weights object for the rows of ``gdf``.

    Parameters
    ----------
    gdf : GeoDataFrame
        Polygons (counties, grid cells) or points.
    weights : {"queen", "rook", "knn", "distance"} or libpysal.weights.W
        Contiguity for polygons; k nearest neighbours or a distance band (on centroids in the
        frame's CRS, so project first: distances in metres) for points. A ready ``W`` is
        returned unchanged.
    k : int
        Neighbours for ``"knn"``.
    threshold : float, optional
        Distance band (CRS units, metres in a projected CRS) for ``"distance"``.

    Returns
    -------
    libpysal.weights.W
    """
    lw = import_optional("libpysal.weights", "spatial weights")
    if isinstance(weights, lw.W):
        return weights
    check_option("weights", weights, WEIGHTS)
    with warnings.catch_warnings():
        # islands are reported by the caller; libpysal's warning text is noisy in notebooks
        warnings.simplefilter("ignore", UserWarning)
        if weights == "queen":
            return lw.Queen.from_dataframe(gdf, use_index=False)
        if weights == "rook":
            return lw.Rook.from_dataframe(gdf, use_index=False)
        geom = gdf.geometry
        if gdf.crs is not None and gdf.crs.is_geographic:
            # distances in metres, never in degrees (China Albers equal-area)
            from .aggregate import GRID_CRS

            geom = geom.to_crs(GRID_CRS)
        cen = geom.centroid
        pts = np.column_stack([cen.x, cen.y])
        if weights == "knn":
            return lw.KNN(pts, k=min(k, len(gdf) - 1))
        if threshold is None:
            raise GeoairInputError(
                "weights='distance' needs a distance band.",
                received=None,
                fix="Pass threshold= in the CRS units (metres after gdf.to_crs(projected)).",
            )
        return lw.DistanceBand(pts, threshold=threshold, binary=True, silence_warnings=True)


def pseudo_p(observed: np.ndarray, simulated: np.ndarray, alternative: str) -> np.ndarray:
    """Pseudo p-values of observed local statistics from conditional permutations.

    Parameters
    ----------
    observed : ndarray, shape (n,)
    simulated : ndarray, shape (n, permutations)
    alternative : {"two-sided", "greater", "lesser", "directed"}
        ``"directed"`` folds to the smaller tail (esda's behaviour up to 2.9, the
        ``alternative=None`` default); ``"two-sided"`` doubles the smaller tail (capped at 1).

    Returns
    -------
    ndarray
        ``(M + 1) / (R + 1)`` with M the number of draws at least as extreme (Hope 1968).
    """
    check_option("alternative", alternative, ALTERNATIVES)
    obs = np.asarray(observed, dtype=float)[:, None]
    sim = np.asarray(simulated, dtype=float)
    r = sim.shape[1]
    larger = (sim >= obs).sum(axis=1)
    smaller = (sim <= obs).sum(axis=1)
    if alternative == "greater":
        m = larger
    elif alternative == "lesser":
        m = smaller
    else:
        m = np.minimum(larger, r - larger)
    p = (m + 1.0) / (r + 1.0)
    if alternative == "two-sided":
        p = np.minimum(2.0 * p, 1.0)
    return p


def fdr_bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (``scipy.stats.false_discovery_control``)."""
    from scipy.stats import false_discovery_control

    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = false_discovery_control(p[ok], method="bh")
    return out


def _prepare(gdf, column: str):
    require_columns(gdf, [column, "geometry"], what="hotspot input")
    y = pd.to_numeric(gdf[column], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(y).all():
        rows = np.flatnonzero(~np.isfinite(y))
        raise GeoairInputError(
            "Local statistics need a value for every area.",
            column=column,
            row=rows.tolist(),
            received=y[rows][:5].tolist(),
            fix="Fill or drop the areas without data first (e.g. gdf.dropna(subset=[column])).",
        )
    return y


def _label(z: np.ndarray, p: np.ndarray, alpha: float) -> np.ndarray:
    sig = p < alpha
    return np.where(sig & (z > 0), "hot", np.where(sig & (z < 0), "cold", "not significant"))


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
):
    """Local Getis-Ord Gi* hot and cold spots.

    Gi* (``star=True``) with binary weights and self-weight 1 is the z-score of ArcGIS Hot Spot
    Analysis (standards notes §9.1); computed by ``esda.G_Local(transform="B", star=True)``.

    Parameters
    ----------
    gdf : GeoDataFrame
        One row per area (county, grid cell) or point.
    column : str
        Value to test (e.g. ``pm25`` in µg/m³, fire counts).
    weights, k, threshold
        See :func:`spatial_weights`.
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
        Seed passed to esda (numba ignores ``np.random.seed``).

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
    out = gdf.copy()
    cols = ["gi_z", "p_norm", "p_sim", "p_fdr", "gi_bin", "hotspot"]
    if len(gdf) == 0:
        for c in cols:
            out[c] = pd.Series(dtype=object if c == "hotspot" else float)
        return out
    from scipy.stats import norm

    esda = import_optional("esda", "Getis-Ord Gi*")
    y = _prepare(gdf, column)
    w = spatial_weights(gdf, weights, k=k, threshold=threshold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(
            y, w, transform="B", star=star, permutations=permutations,
            keep_simulations=True, n_jobs=1, seed=random_state,
        )
    z = np.asarray(g.Zs, dtype=float)
    out["gi_z"] = z
    out["p_norm"] = 2.0 * norm.sf(np.abs(z))
    if permutations > 0:
        out["p_sim"] = pseudo_p(g.Gs, g.rGs, alternative)
        p_used = out["p_sim"].to_numpy()
    else:
        out["p_sim"] = np.nan
        p_used = out["p_norm"].to_numpy()
    out["p_fdr"] = fdr_bh(p_used) if fdr else np.nan
    p_final = out["p_fdr"].to_numpy() if fdr else p_used
    conf = np.select([p_final < 0.01, p_final < 0.05, p_final < 0.10], [3, 2, 1], 0)
    out["gi_bin"] = (np.sign(z) * conf).astype(int)
    out["hotspot"] = _label(z, p_final, alpha)
    out.attrs["params"] = dict(
        statistic="Gi*" if star else "Gi", column=column, weights=str(weights),
        permutations=permutations, alternative=alternative, fdr=fdr, alpha=alpha,
        random_state=random_state, islands=list(map(int, w.islands)),
    )
    return out


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

    Computed by ``esda.Moran_Local`` on row-standardised weights (Anselin 1995).

    Parameters
    ----------
    gdf, column, weights, k, threshold, permutations, alternative, fdr, alpha, random_state
        As for :func:`local_gi_star`.

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
        return out
    if permutations < 1:
        raise GeoairInputError("Local Moran needs permutations >= 1.", received=permutations,
                               fix="Use permutations=999 (default).")
    esda = import_optional("esda", "Local Moran's I")
    y = _prepare(gdf, column)
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
    return out
