"""``aggregate``: normalised series to coarser periods (months, years), intervals kept honest."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import GeoairInputError, require_columns
from ._exact import member_shares
from ._intervals import period_estimate

_FREQ = {"W": "W-SUN", "M": "M", "Q": "Q", "Y": "Y"}


def aggregate(result: pd.DataFrame, freq: str = "M") -> pd.DataFrame:
    """Means of a :func:`normalise` result over weeks, months, quarters or years.

    Observed and normalised means weight each input period by its observed hours, as in
    :func:`decompose`. With the per-model columns (``normalise(..., members=True)``) the
    interval of each mean is recomputed (jackknife over the fold models plus Monte-Carlo
    error); without them it is the mean of the input bounds, which treats the errors of the
    periods as fully correlated and is therefore conservative (``attrs["params"]["interval"]``).

    Parameters
    ----------
    result : pandas.DataFrame
        Output of :func:`geoair.deweather.normalise`.
    freq : {"W", "M", "Q", "Y"}

    Returns
    -------
    pandas.DataFrame
        ``[station,] [pollutant,] time, observed, normalised, lower, upper, n_obs``.
    """
    if freq not in _FREQ:
        raise GeoairInputError(f"Unknown freq {freq!r}.", received=freq,
                               fix=f"Use one of {list(_FREQ)}.")
    require_columns(result, ["time", "observed", "normalised", "lower", "upper", "n_obs"],
                    what="normalised series", fix="Use geoair.deweather.normalise(...).")
    params = result.attrs.get("params", {})
    members = [c for c in result.columns if c.startswith("member_")]
    exact = bool(members) and "draw_var" in result.columns
    n_k = member_shares(params, len(members))
    level = float(params.get("level", 0.95))
    keys = [c for c in ("station", "pollutant") if c in result.columns]
    time = pd.DatetimeIndex(result["time"])
    local = time.tz_localize(None) if time.tz is not None else time
    per = local.to_period(_FREQ[freq])
    rows = []
    frame = result.assign(_per=per)
    for key, g in frame.groupby([*keys, "_per"], sort=True):
        key = key if isinstance(key, tuple) else (key,)
        n = g["n_obs"].to_numpy(float)
        w = n if n.sum() > 0 else np.ones_like(n)
        row = dict(zip([*keys, "_per"], key, strict=True))
        row["observed"] = float(np.sum(g["observed"].fillna(0).to_numpy() * n) / n.sum()) \
            if n.sum() > 0 else np.nan
        if exact:
            est = period_estimate(g[members].to_numpy(float).T, g["draw_var"].to_numpy(float),
                                  n_k, weights=w)
            lo, hi, _ = est.interval(level)
            row.update(normalised=float(est.value), lower=float(lo), upper=float(hi))
        else:
            ww = w / w.sum()
            row.update({c: float(np.nansum(g[c].to_numpy(float) * ww))
                        for c in ("normalised", "lower", "upper")})
        row["n_obs"] = int(n.sum())
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=[*keys, "time", "observed", "normalised", "lower", "upper",
                                     "n_obs"])
    start = pd.PeriodIndex(out.pop("_per")).start_time
    out.insert(len(keys), "time", start.tz_localize(time.tz) if time.tz is not None else start)
    out.attrs["params"] = {**params, "freq": freq,
                           "interval": "jackknife + Monte Carlo" if exact
                           else "mean of input bounds (conservative)"}
    return out
