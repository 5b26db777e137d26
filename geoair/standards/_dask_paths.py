"""The standards' functions on dask DataFrames: same results as the in-memory path.

Hourly data are only touched by :func:`daily_dask`, which reduces each partition to daily
values (24 times fewer rows) where it lies; a (station, day) split between partitions (a frame
not partitioned by HJ 663 days, unlike :func:`geoair.io.read_store`) is detected and the
rows are then shuffled by station first. What follows (AQI, HJ 663 assessment, budgets) works
on daily values: per-day steps run per partition, per-unit steps after a shuffle by unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._dask import compute
from .._validation import GeoairInputError, require_columns
from .daily import _MEANS, daily_arrays, finish_daily, output_columns

__all__ = ["daily_dask"]


def _daily_part(frame: pd.DataFrame, pols, hour_label: str, min_hours: int):
    """Daily values of one partition: (res, validity, duplicate positions, rows)."""
    if frame.empty:
        return None, None, np.zeros(0, np.int64), 0
    res, val, dup = daily_arrays(frame.reset_index(drop=True), pols, hour_label, min_hours)
    return res, val, dup, len(frame)


def _run_parts(ddf, pols, hour_label, min_hours):
    import dask

    task = dask.delayed(_daily_part, pure=True, nout=4)
    parts = ddf.to_delayed()
    return compute(*[task(p, pols, hour_label, min_hours) for p in parts],
                   desc="geoair: daily")


def _indicator_order(pols) -> dict[str, int]:
    inds = [p for p in pols if p != "o3"] + (["o3", "o3_8h"] if "o3" in pols else [])
    return {ind: i for i, ind in enumerate(inds)}


def _fill_gaps(res: pd.DataFrame, val: pd.DataFrame, pols):
    """Days without any row between a station's partitions, as the in-memory path has them."""
    span = res.groupby("station", sort=False)["date"].agg(["min", "max", "size"])
    nd = ((span["max"] - span["min"]).dt.days + 1).to_numpy()
    if (nd == span["size"].to_numpy()).all():
        return res, val
    full = pd.DataFrame({
        "station": np.repeat(span.index.to_numpy(dtype=object), nd),
        "date": np.concatenate([pd.date_range(a, b, freq="D").to_numpy()
                                for a, b in zip(span["min"], span["max"], strict=True)])})
    miss = full.merge(res[["station", "date"]], how="left", indicator=True)
    miss = miss.loc[miss["_merge"] == "left_only", ["station", "date"]]
    res = pd.concat([res, miss], ignore_index=True)
    extra = []
    for ind in _indicator_order(pols):
        reason = "no valid 8-h window" if ind == "o3_8h" else "no data"
        extra.append(miss.assign(indicator=ind, n=0, valid=False, reason=reason))
    return res, pd.concat([val, *extra], ignore_index=True)


def _combine(outs, pols):
    """Concatenate partition results in the in-memory order (station, then day)."""
    outs = [o for o in outs if o[0] is not None]
    offsets = np.cumsum([0] + [o[3] for o in outs])
    dup = np.concatenate([o[2] + off for o, off in zip(outs, offsets, strict=False)])
    res = pd.concat([o[0] for o in outs], ignore_index=True)
    val = pd.concat([o[1] for o in outs], ignore_index=True)
    if res.duplicated(["station", "date"]).any():
        return None
    res, val = _fill_gaps(res, val, pols)
    res = res.sort_values(["station", "date"], kind="stable", ignore_index=True)
    rank = val["indicator"].map(_indicator_order(pols))
    val = (val.assign(_rank=rank.to_numpy())
           .sort_values(["station", "_rank", "date"], kind="stable", ignore_index=True)
           .drop(columns="_rank"))
    val["n"] = val["n"].astype(np.int64)
    val["valid"] = val["valid"].astype(bool)
    return res, val, dup


def daily_dask(ddf, *, hour_label: str, min_hours: int, pollutants=None) -> pd.DataFrame:
    """:func:`geoair.standards.daily` of a dask DataFrame (see its documentation)."""
    require_columns(ddf, ["station", "time"], what="hourly observation frame")
    pols = [p for p in (pollutants or (*_MEANS, "o3")) if p in ddf.columns]
    if not pols:
        raise GeoairInputError("No pollutant columns to aggregate.",
                               received=list(ddf.columns)[:20],
                               fix="Provide any of pm25, pm10, so2, no2, co, o3.")
    sub = ddf[["station", "time", *pols]]
    outs = [o for o in _run_parts(sub, pols, hour_label, min_hours)]
    if not any(o[0] is not None for o in outs):
        from .daily import _empty_result

        return _empty_result(pols)
    combined = _combine(outs, pols)
    if combined is None:  # a station-day spans partitions: put each station in one partition
        outs = _run_parts(sub.shuffle(on="station"), pols, hour_label, min_hours)
        combined = _combine(outs, pols)
    res, val, dup = combined
    res = res[output_columns(pols)]
    return finish_daily(res, val, dup, hour_label, min_hours)
