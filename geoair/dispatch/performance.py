"""Did the list rank well? Hit rates of the inspections per level, category and score decile.

A *hit* is a visit that found a violation. The hit rate of a group is ``violations / decided``
where *decided* visits are those with a finding of violation or compliant; ``not_found`` and
``closed`` visits are counted separately and left out of the rate (the list cannot be right or
wrong about a site that is gone or misplaced). Each task counts once: its latest decided visit.

Intervals for a binomial proportion (Brown, Cai & DasGupta 2001):

- ``"wilson"`` (default): the Wilson (1927) score interval,
  ``(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``; Newcombe (1998, Table I) gives
  81/263 -> 0.2553-0.3662, 15/148 -> 0.0624-0.1605, 0/20 -> 0-0.1611, 1/29 -> 0.0061-0.1718.
- ``"jeffreys"``: the equal-tailed interval of the Beta(x + 1/2, n - x + 1/2) posterior, with
  the lower end 0 when x = 0 and the upper end 1 when x = n.

A list that ranks well has a higher hit rate for red than for yellow and green, and rising
rates over score deciles; :func:`rank_auc` gives the probability that a violator's score is
above a compliant source's (Mann-Whitney; Hanley & McNeil 1982 standard error), 0.5 meaning
the score does not rank at all.

References
----------
Wilson, E.B. (1927) *JASA* 22, 209-212. Newcombe, R.G. (1998) *Stat. Med.* 17, 857-872.
Brown, L.D., Cai, T.T. & DasGupta, A. (2001) *Statistical Science* 16, 101-133.
Hanley, J.A. & McNeil, B.J. (1982) *Radiology* 143, 29-36.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DropLog, check_option, require_columns
from ._rows import plain, units

__all__ = ["list_performance", "binom_interval", "rank_auc", "PERFORMANCE_COLUMNS"]

PERFORMANCE_COLUMNS = ("by", "group", "n_tasks", "n_visited", "n_decided", "n_violation", "n_compliant",
                       "n_not_found", "n_closed", "hit_rate", "lower", "upper")


def binom_interval(x, n, *, method: str = "wilson", alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided ``1 - alpha`` interval of a binomial proportion ``x / n`` (NaN where n = 0)."""
    from scipy import stats

    check_option("method", method, ("wilson", "jeffreys"))
    x, n = np.asarray(x, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "wilson":
            z = stats.norm.ppf(1 - alpha / 2)
            p = x / n
            centre = (p + z * z / (2 * n)) / (1 + z * z / n)
            half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
            lo, hi = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
        else:
            lo = np.where(x > 0, stats.beta.ppf(alpha / 2, x + 0.5, n - x + 0.5), 0.0)
            hi = np.where(x < n, stats.beta.ppf(1 - alpha / 2, x + 0.5, n - x + 0.5), 1.0)
    bad = ~(n > 0)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def _per_task(feedback: pd.DataFrame) -> pd.DataFrame:
    """One row per task: its attributes, visit counts and the latest decided finding."""
    fb = plain(feedback)
    require_columns(fb, ["task_id", "finding"], what="feedback")
    for c in ("level", "category", "row_kind", "score", "visited"):
        if c not in fb.columns:
            fb[c] = np.nan
    fb = fb.assign(visited=pd.to_datetime(fb["visited"])).sort_values("visited", kind="stable", na_position="first")
    g = fb.groupby("task_id", sort=False)
    per = g[["level", "category", "row_kind", "score"]].first()
    f = fb["finding"]
    for code in ("violation", "compliant", "not_found", "closed"):
        per[f"_{code}"] = (f == code).groupby(fb["task_id"], sort=False).sum()
    decided = fb[f.isin(["violation", "compliant"])]
    per["hit"] = decided.groupby("task_id")["finding"].last().eq("violation").astype(float).reindex(per.index)
    per["visited_any"] = f.notna().groupby(fb["task_id"], sort=False).any()
    return per


def _deciles(per: pd.DataFrame) -> pd.Series:
    """Score decile (1 = lowest) of each task within its row kind (scores of different lists differ)."""
    out = pd.Series(pd.NA, index=per.index, dtype="string")
    score = pd.to_numeric(per["score"], errors="coerce")
    for kind, idx in per.groupby(per["row_kind"].fillna("source")).groups.items():
        s = score.loc[idx].dropna()
        if not len(s):
            continue
        q = min(10, len(s))
        d = pd.qcut(s.rank(method="first"), q=q, labels=False) + 1
        prefix = "" if per["row_kind"].fillna("source").nunique() == 1 else f"{kind}:"
        out.loc[s.index] = [f"{prefix}D{int(v)}" for v in d]
    return out


def _summarise(per: pd.DataFrame, key: pd.Series, by: str, method: str, alpha: float) -> pd.DataFrame:
    grp = per.assign(_k=key.fillna("")).groupby("_k", sort=True)
    tab = pd.DataFrame({
        "by": by, "n_tasks": grp.size(), "n_visited": grp["visited_any"].sum(),
        "n_decided": grp["hit"].count(), "n_violation": grp["hit"].sum(),
        "n_not_found": grp["_not_found"].apply(lambda s: int((s > 0).sum())),
        "n_closed": grp["_closed"].apply(lambda s: int((s > 0).sum())),
    })
    tab["n_compliant"] = tab["n_decided"] - tab["n_violation"]
    tab["hit_rate"] = np.where(tab["n_decided"] > 0, tab["n_violation"] / tab["n_decided"].clip(lower=1), np.nan)
    tab["lower"], tab["upper"] = binom_interval(tab["n_violation"], tab["n_decided"], method=method, alpha=alpha)
    return tab.reset_index(names="group")


def list_performance(feedback, *, by=("level", "category", "decile"), method: str = "wilson",
                     alpha: float = 0.05) -> pd.DataFrame:
    """Hit rate of the inspections, overall and per level, category and score decile, with intervals.

    Parameters
    ----------
    feedback : DataFrame
        :func:`geoair.dispatch.read_feedback` output: ``task_id, finding`` and the task's
        ``level, category, row_kind, score`` (filled in on the outcome sheet). Tasks with no
        finding count in ``n_tasks`` only.
    by : sequence of {"level", "category", "decile", "row_kind"}
        Groupings after the overall row. Deciles (``D1`` = lowest scores) are of ``score``
        within each row kind over all tasks of the list, so unvisited tasks keep their place;
        with fewer than ten scored tasks there are as many groups as tasks.
    method : {"wilson", "jeffreys"}
        Interval for the proportion (see the module documentation).
    alpha : float
        Intervals are ``1 - alpha`` (default 95 %).

    Returns
    -------
    DataFrame
        :data:`PERFORMANCE_COLUMNS`: ``by`` ("all", "level", ...), ``group``, ``n_tasks``,
        ``n_visited``, ``n_decided`` (latest finding violation or compliant), ``n_violation``,
        ``n_compliant``, ``n_not_found``, ``n_closed`` (tasks with such a visit), ``hit_rate``
        (``n_violation / n_decided``), ``lower``, ``upper``. ``attrs["params"]`` holds the
        method and alpha.
    """
    for b in by:
        check_option("by", b, ("level", "category", "decile", "row_kind"))
    per = _per_task(feedback)
    parts = [_summarise(per, pd.Series("all", index=per.index), "all", method, alpha)]
    keys = {"level": per["level"], "category": per["category"], "row_kind": per["row_kind"],
            "decile": _deciles(per) if "decile" in by else None}
    order = {"red": "0", "yellow": "1", "green": "2"}
    for b in by:
        part = _summarise(per, keys[b], b, method, alpha)
        if b == "level":
            part = part.sort_values("group", key=lambda s: s.map(order).fillna(s))
        elif b == "decile":
            part = part.sort_values("group", key=lambda s: s.str.replace(r"D(\d+)$", lambda m: f"D{int(m[1]):02d}",
                                                                          regex=True))
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)[list(PERFORMANCE_COLUMNS)]
    for c in ("n_tasks", "n_visited", "n_decided", "n_violation", "n_compliant", "n_not_found", "n_closed"):
        out[c] = out[c].astype(int)
    out.attrs["params"] = {"method": method, "alpha": alpha}
    out.attrs["droplog"] = DropLog()  # every task counts (unvisited ones in n_tasks only)
    out.attrs["units"] = units(out)
    return out


def rank_auc(feedback, *, row_kind: str = "source") -> dict:
    """Probability that a violator's score exceeds a compliant task's score (ties count one half).

    Returns
    -------
    dict
        ``auc``, ``se`` (Hanley & McNeil 1982), ``n_violation``, ``n_compliant``; ``auc`` is NaN
        when either group is empty.
    """
    from scipy.stats import mannwhitneyu

    per = _per_task(feedback)
    per = per[(per["row_kind"].fillna("source") == row_kind) & per["hit"].notna()]
    score = pd.to_numeric(per["score"], errors="coerce")
    pos, neg = score[per["hit"].astype(bool)].dropna(), score[~per["hit"].astype(bool)].dropna()
    n1, n0 = len(pos), len(neg)
    if not n1 or not n0:
        return {"auc": np.nan, "se": np.nan, "n_violation": n1, "n_compliant": n0}
    auc = mannwhitneyu(pos, neg).statistic / (n1 * n0)
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    se = np.sqrt((auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n0 - 1) * (q2 - auc**2)) / (n1 * n0))
    return {"auc": float(auc), "se": float(se), "n_violation": n1, "n_compliant": n0}
