"""Daily statistics from hourly observations with the HJ 663 / GB 3095 validity rules.

Reading of the day boundary (research/standards.md §1.1, §1.4, §2.1): hourly values are
labelled by the **end** of the hour in Beijing time, so the hour "01:00" is the mean over
00:00-01:00. HJ 633-2012 §5.1.2 takes "the 24 h before 00:00" (the hours labelled 01:00 ... 24:00,
where 24:00 is 00:00 of the next calendar day); HJ 633-2026 and GB 3095-2026 take the natural
day 00:00-24:00, which, with end-of-hour labels, is the same 24 hours. Both standards therefore
use the labels 01:00 ... 24:00 here; data labelled by the hour's **start** (00:00 ... 23:00) are
handled with ``hour_label="start"``. What differs between the versions is the indicator set
(2012 keeps the O3 daily max 1-h), not the hours.

Validity (GB 3095-2012/-2026 Table 4, HJ 663-2013/-2026 §6.1.2):

* 24-h means of SO2, NO2, CO, PM10, PM2.5: at least 20 valid hourly values in the day.
* O3 8-h moving mean at hour X = mean of hours X-7 ... X, valid with at least 6 values.
* O3 daily max 8-h: the 17 windows ending 08:00 ... 24:00 (all inside the day); at least 14
  valid windows, or fewer when the maximum still exceeds the Grade II 8-h limit (160 µg/m³).
* O3 daily max 1-h: assumed to need 20 valid hours like the 24-h means (no separate rule was
  found in the standards' text available to us).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._attrs import FrameAttr
from .._validation import DropLog, GeoairInputError, check_option, require_columns
from ..schema import TIMEZONE, attach_units
from .tables import SWITCH_DATE

__all__ = ["daily"]

_MEANS = ("pm25", "pm10", "so2", "no2", "co")
MIN_HOURS = 20
MIN_8H_HOURS = 6
MIN_8H_WINDOWS = 14
O3_8H_LIMIT = 160.0


def _local_naive(t: pd.Series) -> pd.Series:
    t = pd.to_datetime(t)
    if t.dt.tz is None:
        return t
    return t.dt.tz_convert(TIMEZONE).dt.tz_localize(None)


def daily(obs, *, hour_label: str = "end", min_hours: int = MIN_HOURS,
          pollutants=None) -> pd.DataFrame:
    """Daily means, O3 daily max 1-h and daily max 8-h per station, with validity.

    Parameters
    ----------
    obs : pandas.DataFrame or dask.dataframe.DataFrame
        Hourly wide observations (``geoair.read_observations``, or ``geoair.io.read_store``
        for a dask frame): ``station``, ``time`` (tz-aware Asia/Shanghai or naive local time)
        and any of ``pm25, pm10, so2, no2, co, o3`` (µg/m³, CO mg/m³). A dask frame is reduced
        partition by partition on the ``scheduler`` option's scheduler (days split across
        partitions are handled by a shuffle by station) and the result is the same pandas
        frame as for the in-memory input.
    hour_label : {"end", "start"}
        Whether ``time`` labels the end (Chinese practice, default) or start of the hour.
    min_hours : int
        Minimum valid hours for a 24-h mean (GB 3095 Table 4: 20).
    pollutants : sequence of str, optional
        Subset of pollutants to process (default: those present).

    Returns
    -------
    pandas.DataFrame
        One row per station and local calendar day from the station's first to last day:
        ``station``, ``date`` (datetime64, local date), the 24-h means, ``o3`` (daily max 1-h),
        ``o3_8h`` (daily max 8-h), ``standard`` (HJ 633 version in force that day). Invalid
        values are NaN and listed in ``attrs["validity"]`` (station, date, indicator, n,
        valid, reason) and ``attrs["droplog"]`` (row positions of masked cells per reason).

    References
    ----------
    GB 3095-2012 and GB 3095-2026 Table 4; HJ 663-2013 and HJ 663-2026 §6.1.2 and Table A.1.
    """
    check_option("hour_label", hour_label, ("end", "start"))
    from .._dask import is_dask

    if is_dask(obs):
        from ._dask_paths import daily_dask

        return daily_dask(obs, hour_label=hour_label, min_hours=min_hours, pollutants=pollutants)
    pols = _check_input(obs, pollutants)
    if obs.empty:
        return _empty_result(pols)
    res, val, dup = daily_arrays(obs, pols, hour_label, min_hours)
    return finish_daily(res, val, dup, hour_label, min_hours)


def _check_input(obs, pollutants) -> list[str]:
    """Pollutant columns to aggregate; raises on a wrong type or missing columns."""
    if not isinstance(obs, pd.DataFrame):
        raise GeoairInputError("daily() needs the hourly wide observation frame.",
                               received=type(obs).__name__,
                               fix="Use geoair.read_observations(...).")
    require_columns(obs, ["station", "time"], what="hourly observation frame")
    pols = [p for p in (pollutants or (*_MEANS, "o3")) if p in obs.columns]
    if not pols:
        raise GeoairInputError("No pollutant columns to aggregate.",
                               received=list(obs.columns)[:20],
                               fix="Provide any of pm25, pm10, so2, no2, co, o3.")
    return pols


def output_columns(pols) -> list[str]:
    """Columns of the daily frame (before ``standard``) for the pollutants ``pols``."""
    cols = ["station", "date"] + [p for p in _MEANS if p in pols]
    return cols + (["o3", "o3_8h"] if "o3" in pols else [])


def _empty_result(pols) -> pd.DataFrame:
    res = pd.DataFrame({c: pd.Series(dtype=float) for c in output_columns(pols)})
    res["station"] = res["station"].astype(object)
    res["date"] = pd.Series(dtype="datetime64[ns]")
    res["standard"] = pd.Series(dtype=object)
    res.attrs.update(droplog=DropLog(), validity=FrameAttr(
        columns=["station", "date", "indicator", "n", "valid", "reason"]))
    return attach_units(res)


def daily_arrays(obs: pd.DataFrame, pols, hour_label: str, min_hours: int):
    """The daily frame (without ``standard``), the validity table and duplicate row positions."""
    if obs["time"].isna().any():
        bad = np.flatnonzero(obs["time"].isna().to_numpy())
        raise GeoairInputError("Missing time stamps in the observation frame.", column="time",
                               row=bad.tolist(), fix="Drop or fill rows without a time.")
    t = _local_naive(obs["time"]).to_numpy("datetime64[h]").astype(np.int64)
    if hour_label == "end":
        t = t - 1  # hour ending at X belongs to the hour starting at X-1
    day = t // 24
    pos = t % 24
    # hash-based codes (sorted like numpy strings); far faster than sorting strings
    s_all, codes = pd.factorize(obs["station"].astype(str), sort=True)
    codes = np.asarray(codes, dtype=object)
    dup = pd.Series(s_all * (t.max() - t.min() + 1) + (t - t.min())).duplicated().to_numpy()
    keep = ~dup
    values = {p: obs[p].to_numpy(dtype=float, na_value=np.nan)[keep] for p in pols}
    s_idx, day, pos = s_all[keep], day[keep], pos[keep]
    if s_idx.size and np.bincount(s_idx, minlength=codes.size).min() == 0:
        used, s_idx = np.unique(s_idx, return_inverse=True)  # all rows of a code duplicated
        codes = codes[used]
    first = np.full(codes.size, day.max())
    np.minimum.at(first, s_idx, day)
    last = np.full(codes.size, day.min())
    np.maximum.at(last, s_idx, day)
    n_cells = codes.size * (day.max() - day.min() + 1)
    if n_cells <= 2 * (last - first + 1).sum() + 100_000:
        res, val = _grid_days(codes, s_idx, day, pos, values, min_hours)
    else:  # stations far apart in time: one station at a time keeps the grid small
        order = np.argsort(s_idx, kind="stable")
        cuts = np.searchsorted(s_idx[order], np.arange(1, codes.size))
        parts = [_grid_days(codes[[i]], np.zeros(r.size, np.int64), day[r], pos[r],
                            {p: v[r] for p, v in values.items()}, min_hours)
                 for i, r in enumerate(np.split(order, cuts))]
        res = pd.concat([r for r, _ in parts], ignore_index=True)
        val = pd.concat([v for _, v in parts], ignore_index=True)
    return res, val, np.flatnonzero(dup)


def _grid_days(codes, s_idx, day, pos, values: dict, min_hours: int):
    """Daily frame and validity from a dense station x day x hour grid of each pollutant."""
    d0 = day.min()
    d_idx = day - d0
    n_days = int(d_idx.max()) + 1
    first = np.full(codes.size, n_days)
    np.minimum.at(first, s_idx, d_idx)
    last = np.zeros(codes.size, np.int64)
    np.maximum.at(last, s_idx, d_idx)
    # (station, day) cells from each station's first to last day, station-major
    span = np.arange(n_days)[None, :]
    inside = (span >= first[:, None]) & (span <= last[:, None])
    cell = (s_idx * n_days + d_idx) * 24 + pos
    dates = ((d0 + np.arange(n_days)) * 86400 * 10**9).astype("datetime64[ns]")
    rec = {"station": np.repeat(codes.astype(object), inside.sum(axis=1)),
           "date": np.broadcast_to(dates, inside.shape)[inside]}
    val = {k: [] for k in ("indicator", "n", "valid", "reason")}
    for p, v in values.items():
        grid = np.full(codes.size * n_days * 24, np.nan)
        grid[cell] = np.where(v < 0, np.nan, v)  # negative concentrations are invalid
        for ind, value, n, ok, reason in _indicators(p, grid.reshape(codes.size, n_days, 24),
                                                     min_hours):
            rec[ind] = value[inside]
            for k, x in (("indicator", ind), ("n", n), ("valid", ok),
                         ("reason", np.where(ok, "", reason))):
                val[k].append(x)
    res = pd.DataFrame({c: rec[c] for c in output_columns(list(values))})
    return res, _validity(val, codes, dates, inside)


def _indicators(p: str, g: np.ndarray, min_hours: int):
    """(indicator, value, n, valid, reason) arrays (station x day) of one pollutant's grid."""
    n = np.isfinite(g).sum(axis=2)
    ok = n >= min_hours
    reason = np.where(n == 0, "no data", f"fewer than {min_hours} valid hours")
    if p != "o3":
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(g, axis=2) / n
        return [(p, np.where(ok, mean, np.nan), n, ok, reason)]
    with np.errstate(invalid="ignore"):
        mx = np.where(n > 0, np.nanmax(np.where(np.isfinite(g), g, -np.inf), axis=2), np.nan)
    return [("o3", np.where(ok, mx, np.nan), n, ok, reason), ("o3_8h", *_o3_8h(g))]


def _validity(val: dict, codes, dates, inside: np.ndarray) -> pd.DataFrame:
    """Validity rows in the order station, indicator, date (cells of ``inside`` only)."""
    shape = (inside.shape[0], len(val["indicator"]), inside.shape[1])
    sel = np.broadcast_to(inside[:, None, :], shape)
    return pd.DataFrame({
        "station": np.broadcast_to(codes.astype(object)[:, None, None], shape)[sel],
        "date": np.broadcast_to(dates[None, None, :], shape)[sel],
        "indicator": np.broadcast_to(np.array(val["indicator"], dtype=object)[None, :, None],
                                     shape)[sel],
        **{c: np.stack(val[c], axis=1)[sel] for c in ("n", "valid", "reason")}})


def _o3_8h(g: np.ndarray):
    """O3 daily max 8-h, window count, validity and reason (station x day).

    8-h moving means over each station's continuous hour axis: the 17 windows ending 08:00 ...
    24:00 lie inside the day (hours X-7 ... X), so windows reaching into the previous day
    are never used.
    """
    ns, nd, _ = g.shape
    grid = g.reshape(ns, nd * 24)
    fin = np.isfinite(grid)
    cs = np.concatenate([np.zeros((ns, 1)), np.cumsum(np.where(fin, grid, 0.0), axis=1)], axis=1)
    cn = np.concatenate([np.zeros((ns, 1), np.int64), np.cumsum(fin, axis=1)], axis=1)
    end = np.arange(nd * 24)
    start = np.maximum(end - 7, 0)
    wn = cn[:, end + 1] - cn[:, start]
    with np.errstate(invalid="ignore", divide="ignore"):
        w = (cs[:, end + 1] - cs[:, start]) / wn
    full = end - start == 7
    w = np.where((wn >= MIN_8H_HOURS) & full, w, np.nan).reshape(ns, nd, 24)[:, :, 7:]
    nw = np.isfinite(w).sum(axis=2)
    with np.errstate(invalid="ignore"):
        m8 = np.where(nw > 0, np.nanmax(np.where(np.isfinite(w), w, -np.inf), axis=2), np.nan)
    ok8 = (nw >= MIN_8H_WINDOWS) | ((nw > 0) & (m8 > O3_8H_LIMIT))
    r8 = np.where(nw == 0, "no valid 8-h window",
                  f"fewer than {MIN_8H_WINDOWS} valid 8-h windows and max <= {O3_8H_LIMIT:g}")
    return np.where(ok8, m8, np.nan), nw, ok8, r8


def finish_daily(res: pd.DataFrame, val: pd.DataFrame, dup: np.ndarray, hour_label: str,
                 min_hours: int) -> pd.DataFrame:
    """Add ``standard``, the DropLog (duplicates, masked cells by reason) and attrs."""
    log = DropLog()
    if dup.size:
        log.add("duplicate station-hour (later row ignored)", dup)
    res["standard"] = np.where(res["date"] >= SWITCH_DATE, "hj633-2026", "hj633-2012")
    # Row positions of masked cells, per indicator and reason.
    key = res[["station", "date"]].reset_index().rename(columns={"index": "row"})
    bad = val.loc[~val["valid"]].merge(key, on=["station", "date"], how="left")
    for (ind, why), grp in bad.groupby(["indicator", "reason"], sort=False):
        log.add(f"daily value invalid: {why}", grp["row"].to_numpy(), column=ind)
    res.attrs["droplog"] = log
    res.attrs["validity"] = FrameAttr(val)
    res.attrs["params"] = {"hour_label": hour_label, "min_hours": min_hours}
    return attach_units(res)
