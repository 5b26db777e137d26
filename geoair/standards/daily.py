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

from .._validation import DropLog, GeoairInputError, check_option, require_columns
from ..schema import TIMEZONE
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


def daily(obs: pd.DataFrame, *, hour_label: str = "end", min_hours: int = MIN_HOURS,
          pollutants=None) -> pd.DataFrame:
    """Daily means, O3 daily max 1-h and daily max 8-h per station, with validity.

    Parameters
    ----------
    obs : pandas.DataFrame
        Hourly wide observations (``geoair.read_observations``): ``station``, ``time``
        (tz-aware Asia/Shanghai or naive local time) and any of ``pm25, pm10, so2, no2, co, o3``
        (µg/m³, CO mg/m³).
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
    log = DropLog()
    out_cols = ["station", "date"] + [p for p in _MEANS if p in pols]
    if "o3" in pols:
        out_cols += ["o3", "o3_8h"]
    if obs.empty:
        res = pd.DataFrame({c: pd.Series(dtype=float) for c in out_cols})
        res["station"] = res["station"].astype(object)
        res["date"] = pd.Series(dtype="datetime64[ns]")
        res["standard"] = pd.Series(dtype=object)
        res.attrs.update(droplog=log, validity=pd.DataFrame(
            columns=["station", "date", "indicator", "n", "valid", "reason"]))
        return res

    if obs["time"].isna().any():
        bad = np.flatnonzero(obs["time"].isna().to_numpy())
        raise GeoairInputError("Missing time stamps in the observation frame.", column="time",
                               row=bad.tolist(), fix="Drop or fill rows without a time.")
    t = _local_naive(obs["time"]).to_numpy("datetime64[h]").astype(np.int64)
    if hour_label == "end":
        t = t - 1  # hour ending at X belongs to the hour starting at X-1
    day = t // 24
    pos = t % 24
    station = obs["station"].astype(str).to_numpy()
    values = {p: obs[p].to_numpy(dtype=float, na_value=np.nan) for p in pols}
    dup = pd.DataFrame({"s": station, "t": t}).duplicated().to_numpy()
    if dup.any():
        log.add("duplicate station-hour (later row ignored)", np.flatnonzero(dup))

    frames, validity = [], []
    order = np.lexsort((t, station))
    st_sorted = station[order]
    bounds = np.flatnonzero(np.r_[True, st_sorted[1:] != st_sorted[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        rows = order[a:b]
        rows = rows[~dup[rows]]
        st = st_sorted[a]
        d0, d1 = day[rows].min(), day[rows].max()
        nd = int(d1 - d0 + 1)
        idx = (day[rows] - d0) * 24 + pos[rows]
        dates = (np.arange(d0, d1 + 1) * 86400 * 10**9).astype("datetime64[ns]")
        rec = {"station": np.full(nd, st, dtype=object), "date": dates}
        for p in pols:
            grid = np.full(nd * 24, np.nan)
            v = values[p][rows]
            v = np.where(v < 0, np.nan, v)  # negative concentrations are invalid
            grid[idx] = v
            g = grid.reshape(nd, 24)
            n = np.isfinite(g).sum(axis=1)
            ok = n >= min_hours
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.nansum(g, axis=1) / n
            reason = np.where(n == 0, "no data", f"fewer than {min_hours} valid hours")
            if p != "o3":
                rec[p] = np.where(ok, mean, np.nan)
                validity.append(_val(st, dates, p, n, ok, reason))
                continue
            with np.errstate(invalid="ignore"):
                mx = np.where(n > 0, np.nanmax(np.where(np.isfinite(g), g, -np.inf), axis=1),
                              np.nan)
            rec["o3"] = np.where(ok, mx, np.nan)
            validity.append(_val(st, dates, "o3", n, ok, reason))
            # 8-h moving means over the continuous hour axis (windows may reach into the
            # previous day only for the windows not used here).
            fin = np.isfinite(grid)
            cs = np.r_[0.0, np.cumsum(np.where(fin, grid, 0.0))]
            cn = np.r_[0, np.cumsum(fin)]
            end = np.arange(nd * 24)
            start = np.maximum(end - 7, 0)
            wn = cn[end + 1] - cn[start]
            with np.errstate(invalid="ignore", divide="ignore"):
                w = (cs[end + 1] - cs[start]) / wn
            full = end - start == 7
            w = np.where((wn >= MIN_8H_HOURS) & full, w, np.nan).reshape(nd, 24)[:, 7:]
            nw = np.isfinite(w).sum(axis=1)
            with np.errstate(invalid="ignore"):
                m8 = np.where(nw > 0, np.nanmax(np.where(np.isfinite(w), w, -np.inf), axis=1),
                              np.nan)
            ok8 = (nw >= MIN_8H_WINDOWS) | ((nw > 0) & (m8 > O3_8H_LIMIT))
            rec["o3_8h"] = np.where(ok8, m8, np.nan)
            r8 = np.where(nw == 0, "no valid 8-h window",
                          f"fewer than {MIN_8H_WINDOWS} valid 8-h windows and max <= "
                          f"{O3_8H_LIMIT:g}")
            validity.append(_val(st, dates, "o3_8h", nw, ok8, r8))
        frames.append(rec)
    res = pd.DataFrame({c: np.concatenate([f[c] for f in frames]) for c in out_cols})
    res["standard"] = np.where(res["date"] >= SWITCH_DATE, "hj633-2026", "hj633-2012")
    val = pd.DataFrame({k: np.concatenate([v[k] for v in validity]) for k in validity[0]})
    # Row positions of masked cells, per indicator and reason.
    key = res[["station", "date"]].reset_index().rename(columns={"index": "row"})
    bad = val.loc[~val["valid"]].merge(key, on=["station", "date"], how="left")
    for (ind, why), grp in bad.groupby(["indicator", "reason"], sort=False):
        log.add(f"daily value invalid: {why}", grp["row"].to_numpy(), column=ind)
    res.attrs["droplog"] = log
    res.attrs["validity"] = val
    res.attrs["params"] = {"hour_label": hour_label, "min_hours": min_hours}
    return res


def _val(st, dates, ind, n, ok, reason) -> dict:
    # Plain arrays; one DataFrame is built at the end (thousands of stations).
    return {"station": np.full(len(dates), st, dtype=object), "date": dates,
            "indicator": np.full(len(dates), ind, dtype=object), "n": n, "valid": ok,
            "reason": np.where(ok, "", reason)}
