"""Kind of each event and the numbers its evidence sentence reports.

Downward departures found by the residual scan are split into:

- ``capping`` (also a flatline held at the cap): the observed values never exceed the AQI-100
  concentration (PM2.5 75 µg/m³,
  PM10 150 µg/m³ - HJ 633-2012 Table 1, 24-h) while the expected value does in at least
  ``min_capped`` hours, and in those hours the values sit just under the cap (at least half
  within 80-102 % of it): a ceiling, not a factor;
- ``drift``: at least 24 h long, the departure grows through the event (the last quarter's
  mean residual is lower than the first quarter's by more than twice the scale of a
  quarter-length mean, and the first quarter is less than half as far from zero): a slow
  decline such as a clogging inlet;
- ``suppression``: the rest (values pushed down by a factor).

Every event gets ``observed`` and ``expected`` means over its hours (µg/m³), ``change``
(observed / expected - 1), ``n_hours`` and ``n_valid``; run events add the repeated value,
the partner station and the lag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["classify_events", "AQI100", "event_numbers"]

#: Concentration at IAQI 100 (HJ 633-2012 Table 1, 24-h mean), µg/m³.
AQI100: dict[str, float] = {"pm25": 75.0, "pm10": 150.0}


def _is_capping(x: np.ndarray, e: np.ndarray, cap: float, min_capped: int) -> bool:
    ok = np.isfinite(x) & np.isfinite(e)
    if not ok.any() or np.nanmax(x) > cap * 1.02:
        return False
    above = ok & (e > cap * 1.1)
    if above.sum() < min_capped:
        return False
    near = (x[above] >= 0.8 * cap) & (x[above] <= 1.02 * cap)
    return bool(near.mean() >= 0.5)


def _is_drift(r: np.ndarray, scale_q: float) -> bool:
    r = r[np.isfinite(r)]
    if len(r) < 24:
        return False
    q = len(r) // 4
    first, last = r[:q].mean(), r[-q:].mean()
    return bool(last < first - 2.0 * scale_q and abs(first) < 0.5 * abs(last))


def event_numbers(grid, fields: dict, s: int, a: int, b: int, pollutant: str, caps=None) -> dict:
    """Observed and expected means, relative change, hour counts and hours expected above the cap."""
    p = pollutant.split(",")[0] if pollutant.split(",")[0] in fields else next(iter(fields))
    x = grid.values[p][a:b + 1, s]
    f = fields[p]
    e = f.concentration_at(slice(a, b + 1), s)
    ok = np.isfinite(x) & np.isfinite(e)
    obs_m = float(np.mean(x[ok])) if ok.any() else float(np.nanmean(x)) if np.isfinite(x).any() else np.nan
    exp_m = float(np.mean(e[ok])) if ok.any() else np.nan
    with np.errstate(all="ignore"):
        change = obs_m / exp_m - 1.0 if ok.any() and exp_m > 0 else np.nan
    cap = (caps or AQI100).get(p, np.inf)
    return {"observed": obs_m, "expected": exp_m, "change": change, "n_hours": b - a + 1,
            "n_valid": int(np.isfinite(x).sum()), "n_above_cap": int(np.sum(e[ok] > cap))}


def _refine_kind(row, grid, fields, channels, caps, min_capped) -> str:
    p = row.pollutant.split(",")[0]
    if row.kind not in ("suppression", "flatline") or p not in fields:
        return row.kind
    s, a, b = int(row.station), int(row.start), int(row.end)
    x = grid.values[p][a:b + 1, s]
    e = fields[p].concentration_at(slice(a, b + 1), s)
    if p in caps and _is_capping(x, e, caps[p], min_capped):
        return "capping"  # a flatline at the cap while the neighbours are above it is a ceiling
    if row.kind == "flatline":
        return row.kind
    ch = channels.get(p)
    if ch is not None and b - a + 1 >= 24:
        _, lengths, centre, scale = ch.calibration
        q = max((b - a + 1) // 4, 1)
        scale_q = float(np.exp(np.interp(np.log(q), np.log(lengths), np.log(scale[:, s]))))
        if _is_drift(ch.z[a:b + 1, s], scale_q):
            return "drift"
    return "suppression"


def classify_events(events: pd.DataFrame, grid, fields: dict, channels: dict, *, caps=None,
                    min_capped: int = 3) -> pd.DataFrame:
    """Refine kinds (capping, drift) and add the evidence numbers.

    Parameters
    ----------
    events : DataFrame
        :func:`geoair.integrity.candidates.merge_candidates` output (grid indices).
    grid : StationGrid
    fields : dict of ExpectedField
    channels : dict of Channel
        The pollutants' residual channels (drift test scale).
    caps : dict, optional
        Pollutant -> ceiling tested for capping (default :data:`AQI100`).
    min_capped : int
        Hours with the expected value above the cap needed to call a capping.

    Returns
    -------
    DataFrame
        ``events`` with ``kind`` refined and ``observed, expected, change, n_hours, n_valid,
        n_above_cap``.
    """
    caps = AQI100 if caps is None else dict(caps)
    out = events.copy()
    if len(out) == 0:
        for c in ("observed", "expected", "change"):
            out[c] = pd.Series(dtype=float)
        for c in ("n_hours", "n_valid", "n_above_cap"):
            out[c] = pd.Series(dtype=np.int64)
        return out
    out["kind"] = [_refine_kind(r, grid, fields, channels, caps, min_capped)
                   for r in out.itertuples(index=False)]
    out["kinds"] = [",".join(dict.fromkeys([k, *ks.split(",")])) for k, ks in zip(out["kind"], out["kinds"],
                                                                                   strict=True)]
    nums = [event_numbers(grid, fields, int(r.station), int(r.start), int(r.end), r.pollutant, caps)
            for r in out.itertuples(index=False)]
    return pd.concat([out.reset_index(drop=True), pd.DataFrame(nums)], axis=1)
