"""Spatial weights for the local statistics: contiguity, k nearest neighbours, distance band.

Built with PySAL ``libpysal``; distances are always computed in metres (geographic input is
projected to the China Albers equal-area CRS first).

References
----------
Rey, S. J. and Anselin, L. (2007). PySAL: a Python library of spatial analytical methods.
*Review of Regional Studies* 37(1), 5-27. libpysal: https://pysal.org/libpysal/.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._validation import GeoairInputError, check_option, require_columns

__all__ = ["spatial_weights", "SparseWeights", "WEIGHTS"]

WEIGHTS = ("queen", "rook", "knn", "distance")


def spatial_weights(gdf, weights: Any = "queen", *, k: int = 6, threshold: float | None = None):
    """Build a libpysal spatial weights object for the rows of ``gdf``.

    Parameters
    ----------
    gdf : GeoDataFrame
        Polygons (counties, grid cells) or points.
    weights : {"queen", "rook", "knn", "distance"} or libpysal.weights.W
        Contiguity for polygons; k nearest neighbours or a distance band (on centroids in
        metres) for points. A ready ``W`` is returned unchanged.
    k : int
        Neighbours for ``"knn"``.
    threshold : float, optional
        Distance band in metres for ``"distance"`` (in the frame's CRS units when it is
        projected).

    Returns
    -------
    libpysal.weights.W
    """
    from .._compat import import_optional  # numba-free import path
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
        pts = _centroids_m(gdf)
        if weights == "knn":
            return lw.KNN(pts, k=min(k, len(gdf) - 1))
        if threshold is None:
            raise GeoairInputError(
                "weights='distance' needs a distance band.",
                received=None,
                fix="Pass threshold= in metres (CRS units for projected input).",
            )
        return lw.DistanceBand(pts, threshold=threshold, binary=True, silence_warnings=True)


class SparseWeights:
    """Binary spatial weights as a CSR matrix: what the local statistics need, without libpysal.

    Attributes
    ----------
    sparse : scipy.sparse.csr_matrix, shape (n, n)
    n : int
    islands : list of int
        Rows without neighbours.
    """

    def __init__(self, sparse):
        from scipy import sparse as sp

        self.sparse = sp.csr_matrix(sparse)
        self.n = self.sparse.shape[0]

    @property
    def islands(self) -> list[int]:
        return np.flatnonzero(np.diff(self.sparse.indptr) == 0).tolist()


def knn_weights(gdf, k: int = 6) -> SparseWeights:
    """k nearest neighbours on centroids in metres, exactly as ``libpysal.weights.KNN`` picks them.

    scipy's k-d tree is queried for ``k + 1`` points; the site itself is removed (or, when
    duplicates crowd it out, the farthest of the ``k + 1``), as libpysal does. Building these
    weights does not import libpysal (seconds saved on the first call of a process).
    """
    from scipy import sparse as sp
    from scipy.spatial import cKDTree

    pts = _centroids_m(gdf)
    n = len(pts)
    k = min(k, n - 1)
    if k < 1:
        return SparseWeights(sp.csr_matrix((n, n)))
    _, idx = cKDTree(pts).query(pts, k=k + 1)
    keep = idx != np.arange(n)[:, None]
    keep[keep.sum(axis=1) == k + 1, -1] = False
    cols = idx[keep].reshape(n, k)
    return SparseWeights(sp.csr_matrix((np.ones(n * k), (np.repeat(np.arange(n), k), cols.ravel())), shape=(n, n)))


def weights_for(gdf, weights: Any = "queen", *, k: int = 6, threshold: float | None = None):
    """Weights for the local statistics: ``knn`` without libpysal, the others via :func:`spatial_weights`."""
    if isinstance(weights, SparseWeights):
        return weights
    if isinstance(weights, str) and weights == "knn":
        return knn_weights(gdf, k)
    return spatial_weights(gdf, weights, k=k, threshold=threshold)


def _centroids_m(gdf) -> np.ndarray:
    """Centroid coordinates in metres: geographic input goes to China Albers equal-area."""
    geom = gdf.geometry
    if gdf.crs is not None and gdf.crs.is_geographic:
        from .aggregate import GRID_CRS

        geom = geom.to_crs(GRID_CRS)
    cen = geom.centroid
    return np.column_stack([cen.x, cen.y])


def values_of(gdf, column: str) -> np.ndarray:
    """The tested column as floats; every area must have a finite value."""
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
