"""Result frames of :class:`~geoair.apportion.SourceAttribution`: contributions, shares, source
scores, and the invariants they keep.

Invariants (property-tested in ``tests/apportion/test_attribution_properties.py``): every
contribution and bound is >= 0; ``lower <= pm25 <= upper``; category shares are in [0, 1] and,
with ``unexplained``, sum to 1 for every station, every group of stations and the whole
network (the modelled mean never exceeds the observed mean: where it would, the regional term
and then the local terms of that station are scaled down).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["enforce_observed_mean", "set_results", "group_shares", "summary"]


def enforce_observed_mean(state, y: np.ndarray, mask: np.ndarray):
    """Scale each station's regional (then local) terms so the modelled mean <= observed mean."""
    n = mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        obs_m = np.where(mask, y, 0.0).sum(axis=1) / n
        loc_m = np.where(mask[:, :, None], state.post, 0.0).sum(axis=(1, 2)) / n
        reg_m = np.where(mask, state.regional, 0.0).sum(axis=1) / n
    for s in np.flatnonzero(n > 0):
        if loc_m[s] + reg_m[s] <= obs_m[s] or obs_m[s] <= 0:
            continue
        f_reg = min(1.0, max(obs_m[s] - loc_m[s], 0.0) / reg_m[s]) if reg_m[s] > 0 else 1.0
        state.regional[s] *= f_reg
        state.regional_var[s] *= f_reg**2
        if loc_m[s] > obs_m[s]:
            f_loc = obs_m[s] / loc_m[s]
            state.post[s] *= f_loc
            state.pvar[s] *= f_loc**2
    return state


def _z(alpha: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - alpha / 2))


def _bounds(model, state):
    # interval_scale and the innovation calibration act on the heavy-tailed category posteriors
    # only; the regional spread is a robust (MAD) scale of the stations' own backgrounds and keeps
    # the full Gaussian width
    z_reg = _z(model.alpha)
    z = z_reg * model.interval_scale * state.interval_factor
    sd = np.sqrt(state.pvar)
    lower = np.maximum(state.post - z * sd, 0.0)
    upper = state.post + z * sd
    rsd = np.sqrt(state.regional_var)
    return lower, upper, np.maximum(state.regional - z_reg * rsd, 0.0), state.regional + z_reg * rsd


def _contributions(model, grid, state, cats):
    """Tidy contributions of the present station-hours (categoricals keep it compact)."""
    lower, upper, rlo, rhi = _bounds(model, state)
    names = [*cats, "regional"]
    pm10 = state.tracers.get("pm10")
    ss, tt = np.nonzero(grid.present)
    K = len(names)

    def stack(local, reg):
        return np.concatenate([local, reg[:, :, None]], axis=2)[ss, tt].ravel()

    if pm10 is not None:
        ratio, reg10 = pm10
        # PM10 regional bounds: the PM2.5 regional bounds scaled by the PM10/PM2.5 regional ratio
        with np.errstate(invalid="ignore", divide="ignore"):
            rr = np.where(state.regional > 0, reg10 / state.regional, 1.0)
        p10 = (stack(state.post * ratio, reg10), stack(lower * ratio, rlo * rr), stack(upper * ratio, rhi * rr))
    else:
        p10 = (np.full(ss.size * K, np.nan),) * 3
    df = pd.DataFrame({
        "station": pd.Categorical.from_codes(np.repeat(ss, K), categories=pd.Index(grid.codes, dtype=object)),
        "time": np.repeat(grid.times[tt], K),
        "category": pd.Categorical.from_codes(np.tile(np.arange(K), ss.size), categories=pd.Index(names, dtype=object)),
        "pm25": stack(state.post, state.regional),
        "pm10": p10[0],
        "lower": stack(lower, rlo),
        "upper": stack(upper, rhi),
        "pm10_lower": p10[1],
        "pm10_upper": p10[2],
        "prior": stack(state.prior, state.regional),
    })
    df.attrs["units"] = "µg/m³ (estimates with intervals, not regulatory concentrations)"
    return df


def _shares(model, grid, state, cats):
    """Shares of mean PM2.5 per station and overall; intervals treat hours within a day as
    fully correlated and days as independent."""
    y = grid.data["pm25"]
    valid = np.isfinite(y)
    lower, upper, rlo, rhi = _bounds(model, state)
    comp = np.concatenate([state.post, state.regional[:, :, None]], axis=2)
    half = np.concatenate([(upper - lower) / 2, ((rhi - rlo) / 2)[:, :, None]], axis=2)
    day = pd.factorize(grid.times.tz_convert("Asia/Shanghai").floor("D"))[0]
    comp_v = np.where(valid[:, :, None], comp, 0.0)
    half_v = np.where(valid[:, :, None], half, 0.0)
    rows = []
    groups = [("all", np.ones(len(grid.codes), bool))] + [(c, grid.codes == c) for c in grid.codes]
    names = [*cats, "regional"]
    for who, sel in groups:
        ysum = np.where(valid[sel], y[sel], 0.0).sum()
        if ysum <= 0:
            continue
        share = comp_v[sel].sum(axis=(0, 1)) / ysum
        share = share / max(share.sum(), 1.0)  # rounding only: the modelled mean is <= the observed
        per_day = np.zeros((day.max() + 1, comp.shape[2]))
        np.add.at(per_day, day, half_v[sel].sum(axis=0))
        hw = np.sqrt((per_day**2).sum(axis=0)) / ysum
        for k, c in enumerate(names):
            rows.append((who, c, share[k], max(share[k] - hw[k], 0.0), min(share[k] + hw[k], 1.0)))
        rows.append((who, "unexplained", max(1.0 - share.sum(), 0.0), np.nan, np.nan))
    return pd.DataFrame(rows, columns=["station", "category", "share", "lower", "upper"])


def _pair_groups(table, pairs, codes):
    """Group station-source pairs by (source_id, station): a fire's duration variants add up."""
    from scipy import sparse

    ptr, psrc, _, _, dist = pairs
    pst = np.repeat(np.arange(len(codes)), np.diff(ptr))
    sid = table["source_id"].to_numpy()[psrc]
    key = pd.MultiIndex.from_arrays([sid, pst])
    gid, uniq = pd.factorize(key)
    agg = sparse.csr_matrix((np.ones(psrc.size, np.float32), (gid, np.arange(psrc.size))),
                            shape=(len(uniq), psrc.size))
    first = np.zeros(len(uniq), np.int64)
    first[gid[::-1]] = np.arange(psrc.size)[::-1]
    return agg, gid, first, pst


def _source_scores(model, grid, table, met, design, stack, state, cats):
    """Per (source, station): mean contribution after the hourly update, bounds, hours upwind,
    exceedance hours explained; ranked per station."""
    from . import kernels

    t = table.table
    pairs = design.pairs
    if pairs[1].size == 0:
        cols = ["source_id", "station", "category", "kind", "distance_m", "contribution", "lower", "upper",
                "hours_upwind", "exceedance_hours_explained", "rank"]
        return pd.DataFrame(columns=cols)
    series, up = kernels.pair_series(pairs, t["design"], t["profile"], t["weight"], t["height"], table.activity,
                                     met.u, met.v, design.library.stability, design.library.variants, stack.coef,
                                     saturation=design.levels, blh=met.blh)
    lower, upper, _, _ = _bounds(model, state)
    p_design = t["design"].to_numpy()[pairs[1]]
    if design.activity_factor is not None:
        series *= design.activity_factor[p_design].astype(series.dtype)
    out_idx = table.output_index(cats)[p_design]
    agg, gid, first, pst = _pair_groups(t, pairs, grid.codes)
    with np.errstate(invalid="ignore", divide="ignore"):
        prior = state.prior
        scale = [np.where(prior > 0, a / prior, 0.0) for a in (state.post, lower, upper)]
    sums = []
    y = grid.data["pm25"]
    exceed = np.nan_to_num(y, nan=-1.0) >= model.exceed_pm25
    incr = np.nan_to_num(y - state.regional, nan=0.0)
    present = grid.present
    for k, sc in enumerate(scale):
        per_pair = series * sc[pst, :, out_idx]
        per_pair = np.where(present[pst], per_pair, 0.0)
        g = np.asarray(agg @ per_pair)
        sums.append(g.sum(axis=1))
        if k == 0:
            gst = pst[first]
            inc = incr[gst]
            expl = ((g >= model.explain_frac * inc) & (inc > 0) & exceed[gst] & (g > 0)).sum(axis=1)
    n_hours = np.maximum(present.sum(axis=1)[pst[first]], 1)
    hours = np.zeros(len(first), np.int64)
    np.maximum.at(hours, gid, up)
    src_i = pairs[1][first]
    sc = pd.DataFrame({
        "source_id": t["source_id"].to_numpy()[src_i], "station": grid.codes[pst[first]],
        "category": t["category"].to_numpy()[src_i], "kind": t["kind"].to_numpy()[src_i],
        "distance_m": pairs[4][first], "contribution": sums[0] / n_hours, "lower": sums[1] / n_hours,
        "upper": sums[2] / n_hours, "hours_upwind": hours, "exceedance_hours_explained": expl,
    })
    sc = sc.sort_values(["station", "contribution"], ascending=[True, False]).reset_index(drop=True)
    sc["rank"] = sc.groupby("station").cumcount() + 1
    return sc


def _coef_frame(design, table, stack):
    d, v, lv = np.nonzero(stack.coef)
    names = design.library.names
    levels = design.levels
    return pd.DataFrame({"design": [table.design[i] for i in d], "variant": [names[i] for i in v],
                         "level": [float(levels[i, j]) for i, j in zip(d, lv, strict=True)],
                         "coef": stack.coef[d, v, lv]})


def _episodes(obs, grid, met, state, cats):
    from .episodes import detect_episodes

    obs_ep = obs.copy()
    s_idx, t_idx = grid.rows
    if "ws" not in obs_ep and met.source != "none":
        obs_ep["ws"] = np.hypot(met.u, met.v)[s_idx, t_idx]
    fe = None
    if "burning" in cats and state.prior[:, :, cats.index("burning")].any():
        fe = pd.Series(state.prior[s_idx, t_idx, cats.index("burning")],
                       index=pd.MultiIndex.from_arrays([obs_ep["station"], obs_ep["time"]]))
    return detect_episodes(obs_ep, fire_exposure=fe)


def set_results(model, obs, grid, table, met, design, stack, state, cats, log):
    """Attach the fitted attributes (``*_``) to ``model``."""
    model.contributions_ = _contributions(model, grid, state, cats)
    model.shares_ = _shares(model, grid, state, cats)
    model.source_scores_ = _source_scores(model, grid, table, met, design, stack, state, cats)
    for res in (model.contributions_, model.shares_, model.source_scores_):
        res.attrs["droplog"] = log
    model.coef_ = _coef_frame(design, table, stack)
    model.tracer_ratios_ = pd.DataFrame({k: v[0] for k, v in state.tracers.items()}, index=cats).T
    ss, tt = np.nonzero(grid.present)
    model.exposure_ = pd.DataFrame(state.prior[ss, tt], columns=cats, index=pd.MultiIndex.from_arrays(
        [grid.codes[ss], grid.times[tt]], names=["station", "time"]))
    model.episodes_ = _episodes(obs, grid, met, state, cats)
    model.cv_scores_ = stack.fit.cv_scores
    model.ridge_ = stack.fit.ridge
    model.physics_ = list(design.library.names)
    model.saturation_levels_ = pd.DataFrame(design.levels, index=table.design)
    model.noise_ = {"a": state.noise.a, "b": state.noise.b}
    model.n_pairs_ = int(design.pairs[1].size)
    model.wind_source_ = met.source
    model.droplog_ = log
    _attach_units(model)


_UG = "µg/m³"
_COLUMN_UNITS = {"pm25": _UG, "pm10": _UG, "lower": _UG, "upper": _UG, "pm10_lower": _UG, "pm10_upper": _UG,
                 "prior": _UG, "contribution": _UG, "share": "1 (fraction of mean observed PM2.5)",
                 "distance_m": "m", "hours_upwind": "h", "exceedance_hours_explained": "h", "coef": "1",
                 "level": _UG}


def _attach_units(model) -> None:
    """``attrs["units"]`` on every fitted frame (column -> unit; exposure_ in µg/m³,
    tracer_ratios_ in tracer units per µg/m³ of PM2.5)."""
    from ..schema import UNITS

    for name, frame in vars(model).items():
        if not name.endswith("_") or not isinstance(frame, pd.DataFrame) or "units" in frame.attrs:
            continue
        if name == "exposure_":
            units = dict.fromkeys(map(str, frame.columns), _UG)
        elif name == "tracer_ratios_":
            units = {str(t): f"{UNITS.get(str(t), '')} per µg/m³ PM2.5" for t in frame.index}
        else:
            units = {str(c): _COLUMN_UNITS.get(str(c), UNITS.get(str(c), "")) for c in frame.columns}
        frame.attrs["units"] = {k: v for k, v in units.items() if v}


def group_shares(contributions: pd.DataFrame, observed: pd.DataFrame, by=None) -> pd.DataFrame:
    """Shares of mean PM2.5 per group of stations (see :func:`attribution_shares`)."""
    obs = observed[["station", "time", "pm25"]].copy()
    obs.attrs = {}
    obs["station"] = obs["station"].astype(str)
    obs = obs[obs["pm25"].notna()]
    con = contributions[["station", "time", "category", "pm25"]].copy()
    con.attrs = {}
    con = con.astype({"station": str, "category": str})
    con = con.merge(obs[["station", "time"]], on=["station", "time"])  # valid hours only
    mapping = pd.Series(by) if by is not None else pd.Series("all", index=obs["station"].unique())
    mapping.index = mapping.index.astype(str)
    obs["group"] = obs["station"].map(mapping)
    con["group"] = con["station"].map(mapping)
    den = obs.groupby("group")["pm25"].sum()
    num = con.groupby(["group", "category"])["pm25"].sum().unstack(fill_value=0.0)
    share = num.div(den, axis=0).clip(lower=0.0, upper=1.0)
    total = share.sum(axis=1)
    # rounding: a modelled mean equal to the observed one may exceed it by a few ulps
    share = share.div(np.maximum(total, 1.0), axis=0)
    share["unexplained"] = (1.0 - share.sum(axis=1)).clip(lower=0.0)
    out = share.stack().rename("share").reset_index()
    return out.rename(columns={"level_1": "category"})


def _f(x):
    return None if x is None or not np.isfinite(x) else float(x)


def summary(model) -> dict:
    """JSON-ready summary of a fitted attribution."""
    sh = model.shares_[model.shares_["station"] == "all"]
    return {
        "note": "Plume-based estimates with intervals, not regulatory concentrations.",
        "shares_pm25": {r.category: {"share": _f(r.share), "lower": _f(r.lower), "upper": _f(r.upper)}
                        for r in sh.itertuples()},
        "tracer_ratios": {k: {c: _f(v) for c, v in row.items()} for k, row in model.tracer_ratios_.iterrows()},
        "physics": model.coef_.groupby("variant")["coef"].size().to_dict(),
        "ridge": model.ridge_,
        "interval_spread": _f(model.interval_spread_),
        "episode_hours": {c: int(model.episodes_[c].sum()) for c in model.episodes_.columns[2:]},
        "n_station_source_pairs": model.n_pairs_,
        "wind": model.wind_source_,
        "top_sources": model.source_scores_.head(10)[["source_id", "station", "category", "contribution"]]
        .to_dict("records"),
    }
