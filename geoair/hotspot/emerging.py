"""Emerging space-time hot spots: Gi* per time step plus a Mann-Kendall trend per location.

Eight patterns (new, consecutive, intensifying, persistent, diminishing, sporadic,
oscillating, historical; cold spots mirror them) as defined by Esri's Emerging Hot Spot
Analysis, written down in the project's standards notes §9.3.

References
----------
Esri, "How Emerging Hot Spot Analysis works", ArcGIS Pro documentation.
Mann, H. B. (1945). Nonparametric tests against trend. *Econometrica* 13, 245-259.
Kendall, M. G. (1975). *Rank Correlation Methods*, 4th ed. Griffin.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._attrs import FrameAttr
from .._i18n import LABELS, t
from .._validation import GeoairInputError, require_columns
from ..schema import attach_units

__all__ = ["classify_emerging", "mann_kendall", "emerging_hotspots", "EHSA_LABELS"]

CATEGORIES = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)

#: English / Chinese names of the patterns (``{kind}`` is "hot" or "cold"), from :mod:`geoair._i18n`.
EHSA_LABELS: dict[str, dict[str, str]] = {
    c: dict(LABELS[f"ehsa.{c}"]) for c in (*CATEGORIES, "none")
}

#: Units of the emerging hot-spot columns (``attrs["units"]``).
UNITS_EHSA = {"n_hot": "count (time steps)", "n_cold": "count (time steps)", "mk_tau": "1 (Kendall's tau)",
              "mk_p": "1 (probability)"}


def pattern_label(category: str, kind: str | None, lang: str | None = None) -> str:
    """Human-readable name of a pattern, e.g. ``("new", "hot") -> "new hot spot"``."""
    if category == "none" or kind is None:
        return t("ehsa.none", lang)
    return t(f"ehsa.{category}", lang, kind=t(f"ehsa.kind.{kind}", lang))


def mann_kendall(series: np.ndarray) -> tuple[float, float]:
    """Mann-Kendall trend test of one series against time.

    Kendall's tau-b between time and the series with the tie-corrected normal
    approximation (``scipy.stats.kendalltau``), which is the Mann-Kendall test
    (Mann 1945; Kendall 1975) for a series without repeated time stamps.

    Returns
    -------
    (tau, p) : floats; ``(nan, nan)`` when fewer than 3 finite values.
    """
    from scipy.stats import kendalltau

    s = np.asarray(series, dtype=float)
    ok = np.isfinite(s)
    if ok.sum() < 3 or np.nanstd(s[ok]) == 0:
        return float("nan"), float("nan")
    res = kendalltau(np.flatnonzero(ok), s[ok], method="asymptotic")
    return float(res.statistic), float(res.pvalue)


def _classify_one(sig: np.ndarray, opp: np.ndarray, trend: int, share: float) -> str:
    """Pattern of one location for one kind; ``sig`` significant bins of that kind, ``opp`` the other."""
    n = sig.size
    frac = sig.mean()
    last = bool(sig[-1])
    if last:
        if not sig[:-1].any():
            return "new"
        run = n - np.flatnonzero(~sig)[-1] - 1 if (~sig).any() else n
        if frac < share and run >= 2 and not sig[: n - run].any():
            return "consecutive"
        if frac >= share:
            if trend > 0:
                return "intensifying"
            if trend < 0:
                return "diminishing"
            return "persistent"
        if opp[:-1].any():
            return "oscillating"
        return "sporadic"
    if frac >= share:
        return "historical"
    return "none"


def classify_emerging(
    z: np.ndarray,
    p: np.ndarray,
    *,
    alpha: float = 0.10,
    share: float = 0.9,
    trend_alpha: float = 0.05,
) -> pd.DataFrame:
    """Emerging hot/cold spot pattern of each location from its Gi* series.

    Parameters
    ----------
    z : ndarray, shape (n_locations, n_steps)
        Gi* z-scores per location and time step (time ascending).
    p : ndarray, same shape
        p-values (FDR-corrected) of those z-scores.
    alpha : float
        A bin is a significant hot (cold) spot when ``p < alpha`` and ``z > 0`` (``z < 0``);
        0.10 = the 90 % confidence of Esri's definitions.
    share : float
        "At least 90 % of time steps" threshold of persistent / intensifying / diminishing /
        historical.
    trend_alpha : float
        Significance of the Mann-Kendall trend of the z-scores.

    Returns
    -------
    DataFrame
        One row per location: ``category`` (one of the eight or "none"), ``kind``
        ("hot", "cold" or None), ``pattern`` (English name), ``pattern_zh``, ``n_hot``,
        ``n_cold``, ``mk_tau``, ``mk_p``.

    Notes
    -----
    Tests run in the order new, consecutive, intensifying / diminishing / persistent,
    oscillating, sporadic for locations significant in the final step, then historical;
    hot patterns are checked before cold ones (a location cannot be both in the final step).
    Persistent here requires the final step to be significant; a location hot in >= 90 % of
    steps but not in the last one is historical (Esri's definitions overlap there).
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    p = np.atleast_2d(np.asarray(p, dtype=float))
    if z.shape != p.shape:
        raise GeoairInputError("z and p must have the same shape.", received=(z.shape, p.shape),
                               fix="Pass arrays of shape (n_locations, n_steps).")
    rows = []
    for zi, pi in zip(z, p, strict=True):
        sig = np.isfinite(pi) & (pi < alpha)
        hot = sig & (zi > 0)
        cold = sig & (zi < 0)
        tau, mk_p = mann_kendall(zi)
        trend = 0 if not (mk_p < trend_alpha) else int(np.sign(tau))
        cat, kind = _classify_one(hot, cold, trend, share), "hot"
        if cat == "none":
            # a cold spot intensifies when its z-scores fall further
            cat, kind = _classify_one(cold, hot, -trend, share), "cold"
        if cat == "none":
            kind = None
        rows.append(dict(category=cat, kind=kind, pattern=pattern_label(cat, kind, "en"),
                         pattern_zh=pattern_label(cat, kind, "zh"), n_hot=int(hot.sum()),
                         n_cold=int(cold.sum()), mk_tau=tau, mk_p=mk_p))
    return pd.DataFrame(rows, columns=["category", "kind", "pattern", "pattern_zh", "n_hot",
                                       "n_cold", "mk_tau", "mk_p"])


def _wide(data, ids, id_col: str, time: str, column: str, log):
    """Areas x steps table of ``column``; missing cells get the step mean (logged)."""
    wide = data.pivot_table(index=id_col, columns=time, values=column, aggfunc="mean")
    wide = wide.reindex(ids.to_numpy())
    missing = ~np.isfinite(wide.to_numpy(dtype=float))
    if missing.any():
        rows = np.flatnonzero(missing.any(axis=1))
        log.add("area-step without data filled with the step mean", rows, column=column)
        wide = wide.fillna(wide.mean(axis=0))
    return wide


def _gi_series(geoms, wide, w, **gi_kw) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and FDR p-values of every area at every step (areas x steps)."""
    from .getisord import local_gi_star

    zs, ps = [], []
    for step in wide.columns:
        g = geoms.copy()
        g["_v"] = wide[step].to_numpy(dtype=float)
        r = local_gi_star(g, "_v", weights=w, fdr=True, **gi_kw)
        zs.append(r["gi_z"].to_numpy())
        ps.append(r["p_fdr"].to_numpy())
    return np.column_stack(zs), np.column_stack(ps)


def emerging_hotspots(
    data: pd.DataFrame,
    areas,
    column: str,
    *,
    id_col: str = "adcode",
    time: str = "time",
    weights: Any = "queen",
    k: int = 6,
    threshold: float | None = None,
    permutations: int = 199,
    alternative: str = "two-sided",
    alpha: float = 0.10,
    share: float = 0.9,
    trend_alpha: float = 0.05,
    random_state: int = 12345,
):
    """Emerging hot spot analysis of a value observed on fixed areas over time steps.

    For every time step the local Gi* of ``column`` over ``areas`` is computed with
    :func:`geoair.hotspot.local_gi_star` (FDR-corrected permutation p-values), then
    each area's series is classified by :func:`classify_emerging`.

    Parameters
    ----------
    data : DataFrame
        Long table ``id_col, time, column`` (e.g. monthly mean PM2.5 per county, µg/m³).
        Areas missing at a time step get the step's mean (recorded in the DropLog).
    areas : GeoDataFrame
        One row per area with ``id_col`` and geometry.
    column, id_col, time : str
    weights, k, threshold, permutations, alternative, random_state
        As for :func:`local_gi_star`.
    alpha, share, trend_alpha
        As for :func:`classify_emerging`.

    Returns
    -------
    GeoDataFrame
        ``areas`` with the classification columns; ``attrs["gi"]`` holds the
        per-step z-scores (areas x steps DataFrame) and ``attrs["droplog"]`` the filled cells.
    """
    from .._validation import DropLog

    require_columns(data, [id_col, time, column], what="emerging-hotspot data")
    require_columns(areas, [id_col, "geometry"], what="areas")
    out = areas.reset_index(drop=True).copy()
    log = DropLog()
    if len(out) == 0 or len(data) == 0:
        empty = classify_emerging(np.empty((0, 1)), np.empty((0, 1)))
        for c in empty.columns:
            out[c] = empty[c]
        out.attrs["droplog"] = log
        return attach_units(out, UNITS_EHSA)
    wide = _wide(data, out[id_col], id_col, time, column, log)
    from .weights import weights_for

    w = weights_for(out, weights, k=k, threshold=threshold)
    z, p = _gi_series(out[["geometry"]], wide, w, permutations=permutations, alternative=alternative,
                      alpha=alpha, random_state=random_state)
    cls = classify_emerging(z, p, alpha=alpha, share=share, trend_alpha=trend_alpha)
    for c in cls.columns:
        out[c] = cls[c].to_numpy()
    out.attrs["gi"] = FrameAttr(z, index=out[id_col].to_numpy(), columns=wide.columns)
    out.attrs["droplog"] = log
    out.attrs["params"] = dict(column=column, alpha=alpha, share=share, trend_alpha=trend_alpha,
                               permutations=permutations, alternative=alternative,
                               random_state=random_state)
    return attach_units(out, UNITS_EHSA)
