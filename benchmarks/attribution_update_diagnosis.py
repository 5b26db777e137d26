"""Where does a twin's hourly R² get lost: the plume prior, the hourly update or its tracer ratios?

Fits ``SourceAttribution`` once on a twin of :func:`geoair.testing.make_attribution_truth`,
keeps the stacked plume prior, then re-runs only the hourly update (seconds) under variants and
scores each against the truth (hourly R² pooled over stations, mean bias in µg/m³, coverage of
the nominal 90 % intervals):

- ``prior``: the stacked plume model before any update;
- ``default``: the estimator as it is;
- ``own-level weights``: tracer/PM2.5 ratios fitted with weights ``1 / observed²`` of each row
  (the rule before issue 20's follow-up; biased low under multiplicative noise);
- ``truth signatures``: the gas ratios fixed at the twin's true signatures (an oracle: how much
  is lost to the ratio estimate);
- ``PM2.5 only``: no tracers at all (PM2.5 alone updates the prior).

Usage::

    NUMBA_NUM_THREADS=1 python benchmarks/attribution_update_diagnosis.py \\
        '{"seed": 13, "shapes": {"grid_deg": null, "villages": 4, "village_km": [0.5, 3.0]}}'

(one fit, 1-4 min on the shared 2 cores; each variant a few seconds).
"""

from __future__ import annotations

import json
import sys
import warnings

import numpy as np


def truth_array(syn, grid, cats):
    """True contributions as a (station, time, category) array on the fit's grid (0 where none)."""
    tc = syn.contributions.pivot_table(index=["station", "time"], columns="category", values="pm25")
    out = np.zeros(grid.shape + (len(cats),))
    for j, c in enumerate(cats):
        if c in tc:
            out[:, :, j] = tc[c].unstack("time").reindex(index=grid.codes, columns=grid.times).to_numpy()
    return out


def _score(name, post, truth, cats, bounds=None):
    row = [name]
    for c in ("coal", "dust", "vehicle", "burning"):
        j = cats.index(c)
        e, t = post[:, :, j], truth[:, :, j]
        r2 = 1 - ((e - t) ** 2).sum() / ((t - t.mean()) ** 2).sum()
        cov = "" if bounds is None else f" cov {((bounds[0][:, :, j] <= t + 1e-9) & (t <= bounds[1][:, :, j] + 1e-9)).mean():.2f}"
        row.append(f"{c} R² {r2:.3f} bias {e.mean() - t.mean():+.2f}{cov}")
    print(" | ".join(row))


def fit_keeping_update_inputs(kw):
    """Generate the twin and fit once with the defaults; return ``(twin, model, stash)``.

    ``stash`` holds what the fit's last step received (``grid, table, met, design, stack,
    cats``): enough to re-run ``SourceAttribution._update`` under variants (it reads ``grid``,
    ``stack`` and ``cats`` and changes none of them) or to rebuild exposures from the design.
    """
    from geoair.apportion import SourceAttribution
    from geoair.apportion import attribution as attr
    from geoair.testing import make_attribution_truth

    syn = make_attribution_truth(**kw)
    stash = {}
    set_results = attr.SourceAttribution._set_results

    def keep(self, obs, grid, table, met, design, stack, state, cats, log):
        stash.update(grid=grid, table=table, met=met, design=design, stack=stack, cats=cats)
        return set_results(self, obs, grid, table, met, design, stack, state, cats, log)

    attr.SourceAttribution._set_results = keep
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = SourceAttribution(random_state=0).fit(syn.obs, **syn.fit_inputs())
    finally:
        attr.SourceAttribution._set_results = set_results
    return syn, model, stash


def main() -> None:
    from geoair.apportion import SourceAttribution, _assimilate, _results

    kw = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"seed": 13}
    for key in ("road_km", "village_km"):
        if isinstance(kw.get("shapes"), dict) and key in kw["shapes"]:
            kw["shapes"][key] = tuple(kw["shapes"][key])
    syn, model, stash = fit_keeping_update_inputs(kw)
    grid, stack, cats = stash["grid"], stash["stack"], stash["cats"]
    truth = truth_array(syn, grid, cats)
    _score("prior", stack.prior, truth, cats)
    sig = syn.params["signatures"]
    oracle = {"signatures": {c: {g: sig[g][c] for g in sig} for c in sig["so2"]}, "signature_bounds": 1.0001,
              "n_iter": 1}
    variants = [("default", {}, False), ("own-level weights", {}, True), ("truth signatures", oracle, False),
                ("PM2.5 only", {"tracers": ()}, False)]
    group_level = _assimilate.group_level
    for name, params, own_level in variants:
        m = SourceAttribution(**{**model.get_params(), **params})
        m._cats = cats
        if own_level:
            _assimilate.group_level = lambda g, ok, cluster: np.maximum(np.where(ok, g, 0.0), 1e-9)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            state = m._update(grid, stack, cats)
        _assimilate.group_level = group_level
        lo, hi, _, _ = _results._bounds(m, state)
        _score(name, state.post, truth, cats, (lo, hi))
    print("estimated ratios (default):\n", model.tracer_ratios_.round(3).to_string())
    print("true signatures:", {g: {c: round(v, 3) for c, v in d.items()} for g, d in sig.items()})


if __name__ == "__main__":
    main()
