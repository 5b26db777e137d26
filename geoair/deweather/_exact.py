"""Exact normalised values of a boosted-tree model: the limit of infinitely many draws.

With ``sampling="whole"`` a draw keeps the trend term of its held row and takes every other
predictor from one donor row of the pool (rmweather's resampling). A regression tree is a sum
of leaf values over boxes, and a leaf's box splits into a trend interval ``I_l`` and a box
``B_l`` on the other predictors, so for a gradient-boosted ensemble with baseline ``b``

    E_donor f(t, z) = b + sum over trees and leaves of v_l * P_l * 1[t in I_l],

where ``P_l`` is the fraction of pool rows whose predictors fall in ``B_l``. The expectation
over the whole pool is a step function of the trend with steps at the model's trend
thresholds (at most the 255 bin edges of a histogram model): it is computed once per model and
read off for every hour. This is what the Monte-Carlo mean of ``n_samples`` draws estimates,
without its sampling error and at a fraction of its cost (one pass of the pool through each
tree instead of ``n_samples`` predictions per period).

Only :class:`sklearn.ensemble.HistGradientBoostingRegressor` with the squared-error loss (an
identity link, so the expectation passes through the sum) is handled; other models use draws.
The tree arrays are read from the fitted model's ``_predictors`` (scikit-learn's tree
predictor records, stable since scikit-learn 0.24); a model whose records do not have the
expected fields falls back to draws.
"""

from __future__ import annotations

import numpy as np

EXPECTATIONS = ("auto", "exact", "draws")
_FIELDS = ("value", "feature_idx", "num_threshold", "missing_go_to_left", "left", "right",
           "is_leaf", "is_categorical")


def supports_exact(model) -> bool:
    """Whether ``model`` (a name or a regressor) has an exact expectation here."""
    if isinstance(model, str):
        return model == "hgb"
    from sklearn.ensemble import HistGradientBoostingRegressor

    return (isinstance(model, HistGradientBoostingRegressor)
            and model.get_params().get("loss") == "squared_error")


def uses_exact(expectation: str, sampling: str, model) -> bool:
    """Whether the normalised values are exact expectations for these settings."""
    return expectation != "draws" and sampling == "whole" and supports_exact(model)


def member_shares(params: dict, n_members: int) -> np.ndarray:
    """Weight of each fold model in a normalised value (draws given to it, or equal).

    ``params`` are a result's ``attrs["params"]`` (``n_samples``, ``expectation``).
    """
    if params.get("expectation") == "exact":
        return np.ones(n_members, dtype=np.int64)
    return draw_shares(int(params.get("n_samples", 300)), n_members)


def draw_shares(n_samples: int, n_members: int) -> np.ndarray:
    """Draws given to each fold model when draw ``d`` goes to model ``d mod n_members``."""
    return np.array([len(range(k, n_samples, n_members)) for k in range(n_members)])


def tree_arrays(est) -> dict | None:
    """The fitted ensemble as flat node arrays (global node ids), or None when unsupported."""
    preds = getattr(est, "_predictors", None)
    if not preds or not supports_exact(est):
        return None
    nodes = [p[0].nodes for p in preds]
    if any(not set(_FIELDS) <= set(n.dtype.names or ()) for n in nodes):
        return None
    if any(n["is_categorical"][~n["is_leaf"].astype(bool)].any() for n in nodes):
        return None
    sizes = np.array([len(n) for n in nodes], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    cat = np.concatenate(nodes)
    shift = np.repeat(offsets, sizes)
    return {
        "feature": cat["feature_idx"].astype(np.int64),
        "threshold": cat["num_threshold"].astype(np.float64),
        "missing_left": cat["missing_go_to_left"].astype(np.bool_),
        "left": cat["left"].astype(np.int64) + shift,
        "right": cat["right"].astype(np.int64) + shift,
        "leaf": cat["is_leaf"].astype(np.bool_),
        "value": cat["value"].astype(np.float64),
        "roots": offsets,
        "baseline": float(np.ravel(est._baseline_prediction)[0]),
    }


def expected_by_trend(est, Z: np.ndarray, trend: int, t: np.ndarray) -> np.ndarray | None:
    """Mean prediction over the donor rows ``Z`` with the trend column set to each ``t``.

    Parameters
    ----------
    est : fitted HistGradientBoostingRegressor
    Z : ndarray, shape (n_donors, n_features)
        Donor rows (their trend column is ignored).
    trend : int
        Column of the trend term.
    t : ndarray
        Trend values (days since 1970-01-01) at which to evaluate.

    Returns
    -------
    ndarray or None
        ``E_donor f(t, z)`` for every ``t``; None when the model is not supported.
    """
    from ._exact_kernels import leaf_fractions, trend_steps

    a = tree_arrays(est)
    if a is None:
        return None
    Z = np.ascontiguousarray(Z, dtype=np.float64)
    frac = leaf_fractions(Z, a["feature"], a["threshold"], a["missing_left"], a["left"],
                           a["right"], a["leaf"], a["roots"], trend)
    weight = np.where(a["leaf"], a["value"] * frac, 0.0)
    split = ~a["leaf"] & (a["feature"] == trend)
    cuts = np.unique(a["threshold"][split])
    # one representative trend per interval between cuts: (c[j-1], c[j]] -> c[j]; above: inf
    reps = np.concatenate([cuts, [np.inf]])
    steps = trend_steps(reps, a["feature"], a["threshold"], a["left"], a["right"], a["leaf"],
                         a["roots"], weight, trend)
    idx = np.searchsorted(cuts, np.asarray(t, dtype=np.float64), side="left")
    return a["baseline"] + steps[idx]
