"""Regression models, time-blocked folds and out-of-sample skill.

Models
------
``"hgb"`` (default): :class:`sklearn.ensemble.HistGradientBoostingRegressor`, 200 boosting
iterations, learning rate 0.1, 31 leaves, no early stopping (every row trains; results do not
depend on a random validation split). Comparable to openair's deweather (boosted trees,
Carslaw & Taylor 2009) and fast to predict.

``"rf"``: :class:`sklearn.ensemble.RandomForestRegressor` with rmweather's ranger settings
(Grange et al. 2018): 300 trees, ``mtry = floor(sqrt(p))``, bootstrap samples of n rows, a node
of 5 or fewer rows is not split (ranger's ``min.node.size = 5``; sklearn ``min_samples_split=6``),
variance (squared-error) splitting.

Folds
-----
Rows are grouped in blocks of consecutive time (default 7 days) and every run of
``n_folds`` consecutive blocks is dealt to the folds in a random order, so each fold covers
every season and year while neighbouring, autocorrelated hours stay in the same fold. A
random row split (rmweather's ``rmw_prepare_data``) puts the hour before and after a test hour
in training and overstates skill.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import GeoairInputError

MODELS = ("hgb", "rf")


def make_model(model, *, n_features: int, random_state: int, n_jobs: int):
    """A fresh, unfitted regressor for ``model`` (a name or a scikit-learn regressor)."""
    from sklearn.base import clone, is_regressor

    if isinstance(model, str):
        if model == "hgb":
            from sklearn.ensemble import HistGradientBoostingRegressor

            return HistGradientBoostingRegressor(
                max_iter=200, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20,
                early_stopping=False, random_state=random_state)
        if model == "rf":
            from sklearn.ensemble import RandomForestRegressor

            mtry = max(1, int(np.floor(np.sqrt(n_features))))
            return RandomForestRegressor(
                n_estimators=300, max_features=mtry, min_samples_split=6, min_samples_leaf=1,
                bootstrap=True, n_jobs=n_jobs, random_state=random_state)
        raise GeoairInputError(f"Unknown model {model!r}.", received=model,
                               fix=f"Use one of {list(MODELS)} or a scikit-learn regressor.")
    if not is_regressor(model):
        raise GeoairInputError("model must be 'hgb', 'rf' or a scikit-learn regressor.",
                               received=type(model).__name__,
                               fix="e.g. model=HistGradientBoostingRegressor(max_iter=500).")
    est = clone(model)
    if "random_state" in est.get_params():
        est.set_params(random_state=random_state)
    return est


def block_folds(time: pd.DatetimeIndex, n_folds: int, block: str, seed: int) -> np.ndarray:
    """Fold (0 .. n_folds-1) of every row: blocks of ``block`` dealt in shuffled runs.

    Blocks are counted from a fixed epoch (1970-01-05, a Monday, local time), so stations and
    pollutants with the same ``seed`` hold out the same weeks.
    """
    local = time.tz_localize(None) if time.tz is not None else time
    width = pd.Timedelta(block)
    bid = ((local - pd.Timestamp("1970-01-05")) // width).to_numpy(dtype=np.int64)
    groups, inv = np.unique(bid // n_folds, return_inverse=True)
    perms = np.stack([np.random.default_rng([seed, int(g)]).permutation(n_folds)
                      for g in groups]) if groups.size else np.empty((0, n_folds), np.int64)
    return perms[inv, bid % n_folds]


def skill(y: np.ndarray, pred: np.ndarray) -> dict:
    """Out-of-sample statistics: n, R², RMSE, MAE, mean bias, Pearson r, FAC2.

    R² is ``1 - SSE/SST`` (the coefficient of determination, not r²). FAC2 is the fraction of
    predictions within a factor of two of the observation (Chang & Hanna 2004).
    """
    ok = np.isfinite(y) & np.isfinite(pred)
    yo, po = y[ok], pred[ok]
    n = int(ok.sum())
    if n < 3:
        return {"n": n, "r2": np.nan, "rmse": np.nan, "mae": np.nan, "bias": np.nan,
                "r": np.nan, "fac2": np.nan}
    sst = float(np.sum((yo - yo.mean()) ** 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = po / yo
    return {
        "n": n,
        "r2": 1.0 - float(np.sum((po - yo) ** 2)) / sst if sst > 0 else np.nan,
        "rmse": float(np.sqrt(np.mean((po - yo) ** 2))),
        "mae": float(np.mean(np.abs(po - yo))),
        "bias": float(np.mean(po - yo)),
        "r": float(np.corrcoef(yo, po)[0, 1]) if yo.std() > 0 and po.std() > 0 else np.nan,
        "fac2": float(np.mean((ratio >= 0.5) & (ratio <= 2.0))),
    }
