"""A library of dispersion physics for the attribution, evaluated in one pass over the pairs.

Real plumes differ from any one Gaussian-plume setup (sigma curves, stability scheme, behaviour
in calm air, saturation of concentrated plumes). Instead of fixing one, the attribution
evaluates a small library of variants at once (:func:`geoair.apportion.kernels.exposure_variants`)
and lets the data weight them (non-negative stacking chosen by day-blocked cross-validation,
:mod:`geoair.apportion._solver`):

- sigma curves: Pasquill-Gifford (Martin 1976 fits) with Turner classes and with a fixed
  day/night rule (C by day, E at night), Briggs urban and rural; each with sigmas scaled by 0.5,
  1 and 2 (wider or narrower plumes than the curves say);
- calm air: the direction-averaged plume below 0.5 m/s, and a variant below 1 m/s; one
  variant always direction-averaged (the exposure to expect when the direction is not trusted);
- release height: one variant lifts every source by 40 m (stacks whose heights are unknown);
- saturation: every station-source-hour exposure ``k`` also enters as ``x0 k / (x0 + k)`` for
  three levels ``x0`` (the 50th, 90th and 99th percentiles of the category's non-zero
  exposures), so that a non-negative combination of levels is any concave, saturating response.

References
----------
- Martin, D.O. (1976) JAPCA 26:145; Briggs, G.A. (1973) ATDL-106; Turner, D.B. (1970) AP-26.
- Breiman, L. (1996) Stacked regressions, Machine Learning 24:49 (non-negative stacking).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels

__all__ = ["Library", "library", "saturation_levels", "exposure_design", "STABILITY_RULES"]

#: Stability rules of the library: name -> (rule, day class, night class, shift).
STABILITY_RULES = {"turner": ("turner", 0, 0, 0), "day_night": ("day_night", 2, 4, 0)}

# (scheme, rule, sigma scale, calm threshold m/s, added release height m)
_WIND_LIBRARY = (
    [("pasquill_gifford", "turner", s, 0.5, 0.0) for s in (0.5, 1.0, 2.0)]
    + [("pasquill_gifford", "day_night", s, 0.5, 0.0) for s in (0.5, 1.0, 2.0)]
    + [("briggs_urban", "turner", s, 0.5, 0.0) for s in (0.5, 1.0, 2.0)]
    + [("briggs_rural", "turner", 1.0, 0.5, 0.0), ("pasquill_gifford", "turner", 1.0, 1.0, 0.0),
       ("pasquill_gifford", "turner", 1.0, 0.5, 40.0)]
)
# without wind every kernel is direction-averaged: only the vertical spread matters
_CALM_LIBRARY = [(f, "turner", s, 0.5, 0.0) for f in ("pasquill_gifford", "briggs_urban") for s in (0.5, 1.0, 2.0)]


@dataclass
class Library:
    """Physics variants with the stability-class arrays they use."""

    variants: list
    stability: np.ndarray  # (n_rules, S, T) int8
    names: list

    def __len__(self) -> int:
        return len(self.variants)


def library(u, v, elevation, blh, *, scheme: str = "auto", has_wind: bool = True) -> Library:
    """The physics library (``scheme="auto"``) or a single fixed scheme with Turner classes.

    Parameters
    ----------
    u, v : ndarray (S, T)
        Wind components (m/s).
    elevation : ndarray (S, T)
        Solar elevation (degrees).
    blh : ndarray (S, T) or None
        Boundary-layer height (m).
    scheme : {"auto", "briggs_rural", "briggs_urban", "pasquill_gifford"}
        ``"auto"``: the library; a scheme name: that scheme alone (the pre-library behaviour).
    has_wind : bool
        False when no wind is known at all (the library then varies the vertical spread only).
    """
    ws = np.hypot(u, v)
    rules = list(STABILITY_RULES)
    cls = np.stack([kernels.stability_class(ws, elevation, blh, rule=r[0], day_class=r[1], night_class=r[2],
                                            shift=r[3]) for r in STABILITY_RULES.values()])
    spec = (_WIND_LIBRARY if has_wind else _CALM_LIBRARY) if scheme == "auto" else [(scheme, "turner", 1.0, 0.5, 0.0)]
    variants, names = [], []
    for fam, rule, scale, calm, dh in spec:
        variants.append(kernels.Variant(kernels.SIGMA_TABLES[fam], kernels.SIGMA_SWITCH_M[fam], scale, scale,
                                        rules.index(rule), calm, False, dh))
        names.append(f"{fam}/{rule}/x{scale:g}" + (f"/calm<{calm:g}" if calm != 0.5 else "")
                     + (f"/+{dh:g}m" if dh else ""))
    if scheme == "auto" and has_wind:
        variants.append(kernels.Variant(kernels.SIGMA_TABLES["pasquill_gifford"], 1000.0, 1.0, 1.0, 0, 0.5, True))
        names.append("pasquill_gifford/turner/x1/direction-averaged")
    return Library(variants, cls, names)


def saturation_levels(pairs, table, activity, u, v, lib: Library, n_design: int,
                      quantiles=(0.5, 0.9, 0.99), step: int = 3) -> np.ndarray:
    """Saturation levels per design category: ``inf`` (linear) and quantiles of the exposures.

    The quantiles are those of the non-zero hourly station-source exposures (the elements of a
    line or area summed) under the library's reference variant, on every ``step``-th hour
    (enough for percentiles).

    Returns
    -------
    ndarray (n_design, 1 + len(quantiles))
    """
    levels = np.full((n_design, 1 + len(quantiles)), np.inf)
    if not quantiles or not len(table):
        return levels[:, :1]
    hrs = slice(None, None, step)
    ref = lib.variants[min(1, len(lib) - 1)]
    series, _ = kernels.pair_series(pairs, table["design"], table["profile"], table["weight"], table["height"],
                                    activity[:, hrs], u[:, hrs], v[:, hrs], lib.stability[:, :, hrs], [ref],
                                    np.ones((n_design, 1)))
    # a line's or area's elements at a station add up to one station-source exposure
    starts = kernels.group_starts(pairs)
    if len(starts) < len(series):
        series = np.add.reduceat(series, starts, axis=0)
    pd_ = table["design"].to_numpy()[pairs[1][starts]]
    for c in range(n_design):
        x = series[pd_ == c]
        x = x[x > 0]
        if x.size:
            levels[c, 1:] = np.maximum(np.quantile(x, quantiles), 1e-12)
    return levels


def exposure_design(pairs, table, activity, u, v, blh, lib: Library, n_design: int, levels) -> np.ndarray:
    """Exposure of every design category under every variant and saturation level.

    Returns
    -------
    float32 ndarray (S, T, n_design, n_variants, n_levels)
    """
    return kernels.exposure_variants(pairs, table["design"], table["profile"], table["weight"], table["height"],
                                     activity, u, v, lib.stability, lib.variants, n_categories=n_design,
                                     saturation=levels, blh=blh)
