"""``decompose``: the observed change between two periods = emission part + weather part."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import GeoairInputError
from ._exact import member_shares
from ._intervals import Estimate, combine, mean_of, period_estimate
from .series import normalise


def decompose(data: pd.DataFrame, pollutant=None, *, before=None, after=None,
              level: float | None = None, **kwargs) -> pd.DataFrame:
    """Split the observed change between two periods into emission and meteorological parts.

    The *emission* (weather-normalised) change is the change of the normalised series; the
    *meteorological* part is the rest of the observed change (observed minus normalised
    change), the convention of Vu et al. (2019) and Grange & Carslaw (2019). Both means are
    taken over the same hours: the normalised value of each output period is weighted by the
    number of observed hours in it, so missing data cannot masquerade as weather.

    Parameters
    ----------
    data : pandas.DataFrame
        Either observations (``normalise`` is run with ``members=True`` and ``kwargs``), or
        the output of :func:`normalise` made with ``members=True``.
    pollutant : str or list of str, optional
        For observations (default ``"pm25"``).
    before, after : (start, end), optional
        Inclusive date ranges, e.g. ``("2013-03-01", "2014-02-28")``. Default: the first and
        the last 12 months of the series.
    level : float, optional
        Confidence level (default the ``level`` the series was made with).
    **kwargs
        Passed to :func:`normalise` (observations only).

    Returns
    -------
    pandas.DataFrame
        One row per station and pollutant, plus a ``station="all"`` row (equal-weight mean of
        the stations) when there are several: ``observed_before/after``,
        ``normalised_before/after``, ``observed_change``, ``emission_change`` and
        ``met_change`` (pollutant units) with ``_lower/_upper``; ``observed_change_pct``,
        ``emission_change_pct`` (change of the normalised mean, % of its level before) and
        ``met_change_pct`` (their difference, percentage points) with intervals;
        ``n_obs_before/after`` (hours), ``r2`` (cross-validated), ``before``, ``after``.
        The observed change is treated as exact; its interval is empty.

    References
    ----------
    Vu, T. V. et al. (2019), Atmos. Chem. Phys. 19, 11303-11314 (Beijing 2013-2017: observed
    vs deweathered change). Grange, S. K. and Carslaw, D. C. (2019), Sci. Total Environ. 653,
    578-588.
    """
    res, params, members = _result(data, pollutant, kwargs)
    level = params.get("level", 0.95) if level is None else level
    n_k = member_shares(params, len(members))
    times = pd.DatetimeIndex(res["time"])
    windows = _windows(times, before, after, params.get("resolution", "D"))
    rows = _rows(res, members, n_k, times, windows, level)
    out = pd.DataFrame(rows)
    out["before"] = f"{windows[0][0].date()}/{windows[0][1].date()}"
    out["after"] = f"{windows[1][0].date()}/{windows[1][1].date()}"
    if "pollutant" not in out.columns:
        pol = params.get("pollutant")
        pol = pol if isinstance(pol, str) else (pol[0] if pol and len(pol) == 1 else None)
        out.insert(1 if "station" in out.columns else 0, "pollutant", pol)
    out.attrs["params"] = {**params, "before": out["before"].iloc[0] if len(out) else None,
                           "after": out["after"].iloc[0] if len(out) else None, "level": level}
    return out


def _result(data, pollutant, kwargs):
    """The normalised series with per-model columns (computed from observations if needed)."""
    if "normalised" in getattr(data, "columns", ()):
        res = data
        if pollutant is not None or kwargs:
            raise GeoairInputError("pollutant and normalise options apply to observations only.",
                                   received=[pollutant, *kwargs],
                                   fix="Drop them, or pass observations instead of a result.")
    else:
        res = normalise(data, "pm25" if pollutant is None else pollutant, members=True,
                        **kwargs)
    members = [c for c in res.columns if c.startswith("member_")]
    if not members or "draw_var" not in res.columns:
        raise GeoairInputError("The normalised series lacks the per-model columns.",
                               received=list(res.columns)[:20],
                               fix="Make it with normalise(..., members=True).")
    return res, res.attrs.get("params", {}), members


def _rows(res, members, n_k, times, windows, level) -> list[dict]:
    """One row per station-pollutant, then the station means ("all") per pollutant."""
    perf = res.attrs.get("performance")
    keys = [c for c in ("station", "pollutant") if c in res.columns]
    rows, by_pol = [], {}
    for key, g in (res.groupby(keys, sort=True) if keys else [((), res)]):
        key = key if isinstance(key, tuple) else (key,)
        ids = dict(zip(keys, key, strict=True))
        est = [_period(g, members, n_k, times[g.index], w) for w in windows]
        obs = [_observed(g, times[g.index], w) for w in windows]
        r2 = _r2(perf, ids)
        rows.append({**ids, **_row(est, obs, level), "r2": r2})
        by_pol.setdefault(ids.get("pollutant"), []).append((est, obs, r2))
    if "station" in keys and res["station"].nunique() > 1:
        for pol, items in by_pol.items():
            est = [mean_of([it[0][i] for it in items]) for i in (0, 1)]
            obs = [(float(np.mean([it[1][i][0] for it in items])),
                    float(np.sum([it[1][i][1] for it in items]))) for i in (0, 1)]
            extra = {"pollutant": pol} if pol is not None else {}
            rows.append({"station": "all", **extra, **_row(est, obs, level),
                         "r2": float(np.nanmean([it[2] for it in items]))})
    return rows


def _windows(times: pd.DatetimeIndex, before, after, resolution: str):
    """Inclusive (start, end) timestamps of the two periods, in the series' time zone."""
    if times.empty:
        raise GeoairInputError("The normalised series is empty.", fix="Check attrs['performance'].")
    tz = times.tz
    step = {"h": pd.Timedelta(hours=1), "D": pd.Timedelta(days=1), "W": pd.Timedelta(days=7),
            "M": pd.DateOffset(months=1)}[resolution]
    first, last = times.min(), times.max() + step

    def parse(rng, default):
        if rng is None:
            return default
        try:
            lo, hi = (pd.Timestamp(x) for x in rng)
        except (TypeError, ValueError) as err:
            raise GeoairInputError("before/after must be (start, end) dates.", received=rng,
                                   fix="e.g. before=('2013-03-01', '2014-02-28').") from err
        lo = lo.tz_localize(tz) if lo.tz is None and tz is not None else lo
        hi = hi.tz_localize(tz) if hi.tz is None and tz is not None else hi
        if hi == hi.normalize():
            hi = hi + pd.Timedelta(days=1) - pd.Timedelta(nanoseconds=1)
        return lo, hi

    year = pd.DateOffset(months=12)
    b = parse(before, (first, first + year - pd.Timedelta(nanoseconds=1)))
    a = parse(after, (last - year, last - pd.Timedelta(nanoseconds=1)))
    return [b, a]


def _period(g: pd.DataFrame, members, n_k, times, window) -> Estimate:
    sel = np.asarray((times >= window[0]) & (times <= window[1]))
    w = np.where(sel, g["n_obs"].to_numpy(float), 0.0)
    mem = g[members].to_numpy(float).T
    return period_estimate(mem, g["draw_var"].to_numpy(float), n_k, weights=w)


def _observed(g: pd.DataFrame, times, window):
    sel = np.asarray((times >= window[0]) & (times <= window[1]))
    n = g["n_obs"].to_numpy(float)[sel]
    o = g["observed"].to_numpy(float)[sel]
    ok = n > 0
    total = n[ok].sum()
    return (float(np.sum(o[ok] * n[ok]) / total) if total else np.nan, float(total))


def _row(est, obs, level) -> dict:
    (o1, n1), (o2, n2) = obs
    d = combine(est[0], est[1], "diff")
    p = combine(est[0], est[1], "pct")
    obs_change = o2 - o1
    obs_pct = 100.0 * (o2 / o1 - 1.0) if o1 else np.nan
    met = Estimate(obs_change - d.value, -d.members + obs_change, d.mc, d.mc_members)
    met_pct = Estimate(obs_pct - p.value, -p.members + obs_pct, p.mc, p.mc_members)
    row = {"observed_before": o1, "observed_after": o2,
           "normalised_before": float(est[0].value), "normalised_after": float(est[1].value),
           "observed_change": obs_change, "observed_change_pct": obs_pct}
    for name, e in (("emission_change", d), ("met_change", met),
                    ("emission_change_pct", p), ("met_change_pct", met_pct)):
        lo, hi, _ = e.interval(level)
        row.update({name: float(e.value), f"{name}_lower": float(lo), f"{name}_upper": float(hi)})
    row.update({"n_obs_before": n1, "n_obs_after": n2})
    return row


def _r2(perf, ids) -> float:
    if perf is None or not len(perf):
        return np.nan
    sel = np.ones(len(perf), dtype=bool)
    for k, v in ids.items():
        if k in perf.columns:
            sel &= (perf[k] == v).to_numpy()
    vals = perf.loc[sel, "r2"] if "r2" in perf.columns else []
    return float(vals.iloc[0]) if len(vals) else np.nan
