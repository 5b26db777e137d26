"""Inspection feedback -> next round: per-source prior weights and activity, and the re-ranked list.

The rule (:func:`update_priors`)
--------------------------------
Each source has an unknown probability ``p`` that an inspection finds it violating. Before the
round ``p`` has a Beta prior with mean ``m0`` and strength ``k`` (pseudo-visits):
``Beta(k m0, k (1 - m0))``; ``m0`` defaults to the round's pooled hit rate among decided visits
(violation or compliant) of sources, ``k`` to 2. After ``v`` violations and ``c`` compliant
visits the posterior mean is ``(k m0 + v) / (k + v + c)``, and the source's prior weight (its
relative emission strength in the attribution) is multiplied by

``factor = posterior mean / m0``

so a confirmed violator's weight rises (one violation at ``m0 = 0.3``: x 1.78), a compliant
visit lowers it (x 0.67), and repeated findings move it further but never beyond ``1 / m0``
or below 0. ``not_found`` leaves the weight alone and flags the location for checking; a visit
whose finding is ``closed`` (the latest visit of that source) sets ``active_to`` to the visit
date, so the attribution gives the source no activity afterwards and the next list leaves it
out. The rule is the Beta-binomial update (e.g. Gelman et al. 2013, *Bayesian Data Analysis*,
ch. 2); the weight scaling by the posterior-to-prior ratio is a geoair convention, documented
in ``docs/methods/dispatch.md``.

:func:`apply_feedback` applies the same factors to an existing priority list without refitting
the attribution (scores x factor; closed sources out), for the list of the next round before new
data arrive. Refitting the attribution with the updated sources is the full update.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, require_columns
from ._rows import plain, row_kind, units

__all__ = ["update_priors", "apply_feedback", "feedback_factors"]

_COUNTS = ("n_violation", "n_compliant", "n_not_found", "n_closed")


def _with_source_ids(feedback: pd.DataFrame, tasks) -> pd.DataFrame:
    fb = plain(feedback)
    require_columns(fb, ["task_id", "finding"], what="feedback")
    if "source_id" not in fb.columns:
        fb["source_id"] = ""
    fb["source_id"] = fb["source_id"].astype("string").fillna("").astype(str)
    if tasks is not None:
        ids = plain(tasks).drop_duplicates("task_id").set_index("task_id")
        blank = fb["source_id"] == ""
        fb.loc[blank, "source_id"] = fb.loc[blank, "task_id"].map(ids["source_id"].astype(str)).fillna("")
        if "row_kind" not in fb.columns or (fb["row_kind"].astype("string").fillna("") == "").all():
            fb["row_kind"] = fb["task_id"].map(ids["row_kind"]) if "row_kind" in ids.columns else "source"
    if "row_kind" not in fb.columns:
        fb["row_kind"] = "source"
    fb["row_kind"] = fb["row_kind"].astype("string").fillna("").replace("", "source").astype(str)
    return fb


def feedback_factors(feedback, *, tasks=None, prior_mean: float | None = None,
                     prior_strength: float = 2.0) -> pd.DataFrame:
    """Per source: visit counts, the last visit and finding, and the weight factor of the rule above.

    Parameters
    ----------
    feedback : DataFrame
        :func:`geoair.dispatch.read_feedback` output (``task_id, source_id, row_kind,
        visited, finding``).
    tasks : DataFrame, optional
        The dispatched tasks, to find ``source_id`` and ``row_kind`` from ``task_id`` when the
        feedback lacks them.
    prior_mean : float, optional
        ``m0``, the prior probability of finding a violation (default: the round's pooled hit
        rate of sources, 0.5 when there is no decided visit; clipped to 0.05-0.95).
    prior_strength : float
        ``k``, the prior's weight in visits (> 0).

    Returns
    -------
    DataFrame
        ``source_id, n_violation, n_compliant, n_not_found, n_closed, last_visit,
        last_finding, feedback_factor, closed_on`` (the visit date when the latest finding is
        ``closed``, else NaT), ``location_check`` (latest finding ``not_found``);
        ``attrs["params"]`` holds ``m0`` and ``k``.
    """
    if not prior_strength > 0:
        raise GeoairInputError("prior_strength must be positive.", received=prior_strength,
                               fix="Use e.g. 2 (the prior counts as two visits).")
    fb = _with_source_ids(feedback, tasks)
    fb = fb[fb["finding"].notna() & (fb["row_kind"] == "source") & (fb["source_id"] != "")]
    fb = fb.assign(visited=pd.to_datetime(fb["visited"])).sort_values(["source_id", "visited"], kind="stable")
    counts = pd.crosstab(fb["source_id"], fb["finding"]).reindex(
        columns=["violation", "compliant", "not_found", "closed"], fill_value=0)
    counts.columns = list(_COUNTS)
    v_all, c_all = counts["n_violation"].sum(), counts["n_compliant"].sum()
    m0 = prior_mean if prior_mean is not None else (v_all / (v_all + c_all) if v_all + c_all else 0.5)
    m0 = float(np.clip(m0, 0.05, 0.95))
    k = float(prior_strength)
    last = fb.groupby("source_id").tail(1).set_index("source_id")
    out = counts.copy()
    out["last_visit"] = last["visited"].reindex(out.index)
    out["last_finding"] = last["finding"].reindex(out.index)
    post = (k * m0 + out["n_violation"]) / (k + out["n_violation"] + out["n_compliant"])
    out["feedback_factor"] = post / m0
    out["closed_on"] = out["last_visit"].where(out["last_finding"] == "closed")
    out["location_check"] = out["last_finding"] == "not_found"
    out = out.reset_index().rename(columns={"index": "source_id"})
    out.attrs["params"] = {"prior_mean": m0, "prior_strength": k}
    out.attrs["units"] = units(out)
    return out


def update_priors(sources, feedback, *, tasks=None, prior_mean: float | None = None, prior_strength: float = 2.0):
    """Sources with prior weights and activity updated from a round of inspections.

    Parameters
    ----------
    sources : GeoDataFrame
        The sources layer (``source_id``, ``weight`` - 1.0 when absent - and optionally
        ``active_to``).
    feedback : DataFrame
        :func:`geoair.dispatch.read_feedback` output.
    tasks, prior_mean, prior_strength
        See :func:`feedback_factors`.

    Returns
    -------
    GeoDataFrame
        A copy of ``sources`` with ``weight`` x ``feedback_factor``, ``active_to`` set to the
        visit date of sources found closed (an earlier ``active_to`` is kept), and the columns
        ``weight_prior, feedback_factor, n_violation, n_compliant, n_not_found, n_closed,
        last_visit, last_finding, location_check``. ``attrs["droplog"]`` lists feedback rows
        that could not be used (a source not in the layer; fire clusters and station checks
        have no prior weight); ``attrs["params"]`` the rule's ``m0`` and ``k``.
    """
    require_columns(sources, ["source_id"], what="sources")
    fac = feedback_factors(feedback, tasks=tasks, prior_mean=prior_mean, prior_strength=prior_strength)
    log = DropLog()
    fb = _with_source_ids(feedback, tasks)
    visited = fb["finding"].notna().to_numpy()
    log.add("feedback on a fire cluster or station check (no prior weight to update)",
            np.flatnonzero(visited & (fb["row_kind"] != "source").to_numpy()), column=None)
    src = sources.copy()
    src.attrs = {}
    ids = src["source_id"].astype(str)
    unknown = visited & (fb["row_kind"] == "source").to_numpy() & ~fb["source_id"].isin(set(ids)).to_numpy()
    log.add("feedback for a source_id not in the sources layer", np.flatnonzero(unknown), column=None)
    f = fac.set_index("source_id").reindex(ids)
    weight = pd.to_numeric(src["weight"], errors="coerce") if "weight" in src.columns else pd.Series(1.0, index=src.index)
    src["weight_prior"] = weight.to_numpy(float)
    src["feedback_factor"] = f["feedback_factor"].fillna(1.0).to_numpy()
    src["weight"] = src["weight_prior"] * src["feedback_factor"]
    closed = pd.to_datetime(f["closed_on"]).to_numpy()
    old = pd.to_datetime(src["active_to"], errors="coerce") if "active_to" in src.columns else \
        pd.Series(pd.NaT, index=src.index)
    old_naive = old.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None) if old.dt.tz is not None else old
    src["active_to"] = np.where(pd.notna(closed) & ~(old_naive.to_numpy() <= closed), closed, old_naive.to_numpy())
    src["active_to"] = pd.to_datetime(src["active_to"])
    for c in (*_COUNTS, "last_visit", "last_finding", "location_check"):
        src[c] = f[c].to_numpy()
    for c in _COUNTS:
        src[c] = src[c].fillna(0).astype(int)
    src["location_check"] = src["location_check"].fillna(False).astype(bool)
    src.attrs["droplog"] = log
    given = sources.attrs.get("units")
    src.attrs["units"] = {**(given if isinstance(given, dict) else {}), **units(src)}
    src.attrs["params"] = dict(fac.attrs["params"])
    return src


def apply_feedback(priority, updated, *, now=None):
    """The next list without refitting: scores x feedback factor, closed sources out, re-ranked.

    Parameters
    ----------
    priority : GeoDataFrame
        The last list (:func:`geoair.priority.priority_list`, optionally with station rows).
    updated : DataFrame
        :func:`update_priors` output (or :func:`feedback_factors`).
    now : Timestamp, optional
        Sources whose ``active_to`` is on or before ``now`` (default: every source found
        closed) leave the list.

    Returns
    -------
    GeoDataFrame
        The rows re-ordered by level, row kind (sources, fire clusters, station checks),
        adjusted score, then (ties) the factor and the last rank; ``rank`` renumbered, with ``feedback_factor``, ``last_finding`` and
        ``last_visit``; levels are kept (they come from the evidence, not from the visit).
        ``attrs["droplog"]`` lists the closed sources left out.
    """
    require_columns(updated, ["source_id", "feedback_factor"], what="updated sources")
    upd = plain(updated).assign(source_id=lambda d: d["source_id"].astype(str)).drop_duplicates("source_id")
    upd = upd.set_index("source_id")
    out = priority.copy()
    log = DropLog()  # this step's drops only (callers chain the list's own log)
    out.attrs = {}
    sid = out["source_id"].astype(str)
    is_src = row_kind(out) == "source"
    fac = sid.map(upd["feedback_factor"]).where(is_src).fillna(1.0).to_numpy(float)
    out["score"] = (pd.to_numeric(out["score"], errors="coerce") * fac).round(1)
    out["feedback_factor"] = fac
    for c in ("last_finding", "last_visit"):
        out[c] = sid.map(upd[c]).where(is_src).to_numpy() if c in upd.columns else None
    end = upd["active_to"] if "active_to" in upd.columns else upd.get("closed_on")
    closed = np.zeros(len(out), bool)
    if end is not None:
        end = pd.to_datetime(sid.map(end), errors="coerce")
        end = end.dt.tz_localize(None) if end.dt.tz is not None else end
        if now is None:
            closed = (is_src & (out["last_finding"] == "closed")).to_numpy()
        else:
            ref = pd.Timestamp(now)
            ref = ref.tz_convert("Asia/Shanghai").tz_localize(None) if ref.tz is not None else ref
            closed = is_src & (end <= ref).to_numpy()
    log.add("source found closed at inspection (left out of the next list)", np.flatnonzero(closed), column=None)
    out = out[~closed]
    order = {"red": 0, "yellow": 1, "green": 2}
    kind = pd.Series(row_kind(out), index=out.index).map({"source": 0, "fire_cluster": 1, "station_check": 2})
    # ties of score (e.g. sources with no exceedance hours: 0 x factor = 0) are broken by the
    # factor (a confirmed violator first), then by the last list's rank
    out = out.assign(_l=out["level"].map(order), _k=kind, _r=pd.to_numeric(out["rank"], errors="coerce"))
    out = out.sort_values(["_l", "_k", "score", "feedback_factor", "_r"], ascending=[True, True, False, False, True],
                          kind="stable")
    out = out.drop(columns=["_l", "_k", "_r"]).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out.attrs["droplog"], out.attrs["units"] = log, units(out)
    out.attrs["params"] = dict(priority.attrs.get("params", {}), feedback=True)
    return out
