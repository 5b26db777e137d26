"""When to inspect: the hours and days in which a listed source is most likely caught emitting.

For a source row, the window is read from its hourly contribution at its most affected
station (:func:`geoair.dispatch.source_hourly`): the mean contribution by hour of day (local
time, hour beginning) and by day of week; the suggested hours are the ``hours`` consecutive
hours of day (wrapping past midnight) with the largest mean contribution; the suggested days
are weekdays or the weekend when the source's mean daily totals differ between them (two-sided
permutation test of the difference of means at ``day_alpha``, 999 permutations, fixed seed; a
few weeks of data cannot tell single weekdays apart), else every day.
``hours_share`` is the share of the source's contribution that falls in those hours,
``window_share`` the share in those hours on those days. Both are estimates from the model:
they say when the source's emissions reach the station, which for a source upwind of the
station is when it emits *and* the wind carries its plume there.

Fire clusters get the satellite overpass times (:mod:`geoair.dispatch.fires`) and the likely
burning window; "check the station" rows have no window (any time; the evidence names the
event times).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DropLog, check_option
from ._rows import plain, row_kind, units

__all__ = ["inspection_windows", "hour_day_profile", "WINDOW_COLUMNS"]

WINDOW_COLUMNS = ("source_id", "row_kind", "window_start", "window_end", "window_hours", "window_days",
                  "hours_share", "window_share", "peak_hour", "n_days", "overpass", "window_basis")


def hour_day_profile(hourly: pd.DataFrame) -> pd.DataFrame:
    """Mean contribution (µg/m³) by source, day of week (0 = Monday) and hour of day (0-23).

    Hours are local (Asia/Shanghai) *hour beginning*: the averaging hour labelled 01:00 is
    hour 0 of its day (the observation labels are hour ends).
    """
    t = _begin(hourly["time"])
    df = pd.DataFrame({"source_id": hourly["source_id"].to_numpy(), "dow": t.day_of_week, "hour": t.hour,
                       "contribution": hourly["contribution"].to_numpy(float)})
    return df.groupby(["source_id", "dow", "hour"], as_index=False)["contribution"].mean()


def _best_hours(by_hour: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Start hour and sum of the circular run of ``length`` hours with the largest sum (per row)."""
    padded = np.concatenate([by_hour, by_hour[:, : length - 1]], axis=1)
    csum = np.concatenate([np.zeros((len(by_hour), 1)), np.cumsum(padded, axis=1)], axis=1)
    sums = csum[:, length:length + 24] - csum[:, :24]
    start = np.argmax(sums, axis=1)  # ties: the earliest start
    return start, sums[np.arange(len(by_hour)), start]


def _perm_pvalue(vals: np.ndarray, weekend: np.ndarray, n_perm: int, rng) -> float:
    """Two-sided permutation p-value of the weekday-minus-weekend difference of mean daily totals."""
    obs = vals[~weekend].mean() - vals[weekend].mean()
    perm = np.argsort(rng.random((n_perm, len(vals))), axis=1) < weekend.sum()
    diffs = (vals * ~perm).sum(1) / (~perm).sum(1) - (vals * perm).sum(1) / perm.sum(1)
    return (1.0 + np.sum(np.abs(diffs) >= abs(obs) - 1e-12)) / (n_perm + 1.0)


def _day_choice(hourly: pd.DataFrame, alpha: float, n_perm: int = 999) -> pd.Series:
    """Per source: "weekdays" or "weekend" when its daily totals differ (permutation test), else "all"."""
    begin = _begin(hourly["time"])
    daily = pd.DataFrame({"source_id": hourly["source_id"].to_numpy(), "date": begin.normalize(),
                          "c": hourly["contribution"].to_numpy(float)}).groupby(["source_id", "date"])["c"].sum()
    weekend = daily.index.get_level_values("date").day_of_week >= 5
    rng = np.random.default_rng(20261129)  # fixed: the same data always give the same suggestion
    out = {}
    for sid, idx in daily.groupby(level="source_id").indices.items():
        vals, we = daily.to_numpy()[idx], weekend[idx]
        choice = "all"
        if we.sum() >= 3 and (~we).sum() >= 3 and np.ptp(vals) > 0 and _perm_pvalue(vals, we, n_perm, rng) < alpha:
            choice = "weekdays" if vals[~we].mean() > vals[we].mean() else "weekend"
        out[sid] = choice
    return pd.Series(out, dtype=object)


def _begin(times) -> pd.DatetimeIndex:
    t = pd.DatetimeIndex(times)
    return (t.tz_localize("Asia/Shanghai") if t.tz is None else t.tz_convert("Asia/Shanghai")) - pd.Timedelta(hours=1)


def _source_windows(hourly: pd.DataFrame, hours: int, alpha: float) -> pd.DataFrame:
    """One row per source: the hour window, the days and the shares."""
    prof = hour_day_profile(hourly)
    ids = pd.Index(pd.unique(prof["source_id"]))
    cube = np.full((len(ids), 7, 24), np.nan)
    cube[ids.get_indexer(prof["source_id"]), prof["dow"].to_numpy(), prof["hour"].to_numpy()] = prof["contribution"]
    by_hour = np.nan_to_num(np.nanmean(cube, axis=1))
    total_h = by_hour.sum(axis=1)
    start, best = _best_hours(by_hour, hours)
    in_hours = ((np.arange(24)[None, :] - start[:, None]) % 24) < hours
    days = _day_choice(hourly, alpha).reindex(ids).fillna("all").to_numpy()
    on = np.array([[d < 5 if c == "weekdays" else (d >= 5 if c == "weekend" else True) for d in range(7)]
                   for c in days]).reshape(len(ids), 7)
    cell = np.nan_to_num(cube)
    inside = (cell * on[:, :, None] * in_hours[:, None, :]).sum(axis=(1, 2))
    w_share = inside / np.maximum(cell.sum(axis=(1, 2)), 1e-300)
    n_days = hourly.assign(_d=_begin(hourly["time"]).normalize()).groupby("source_id")["_d"].nunique()
    ok = total_h > 0
    return pd.DataFrame({
        "source_id": ids.to_numpy(), "window_start": np.where(ok, start, -1),
        "window_end": np.where(ok, (start + hours) % 24, -1),
        "window_hours": [f"{s:02d}:00-{(s + hours) % 24:02d}:00" if k else "" for s, k in zip(start, ok, strict=True)],
        "window_days": np.where(ok, days, ""),
        "hours_share": np.where(ok, best / np.maximum(total_h, 1e-300), np.nan),
        "window_share": np.where(ok, w_share, np.nan), "peak_hour": np.where(ok, np.argmax(by_hour, axis=1), -1),
        "n_days": n_days.reindex(ids).to_numpy(),
        "window_basis": hourly.groupby("source_id", sort=False)["basis"].first().reindex(ids).to_numpy(),
    })


def inspection_windows(priority, contributions=None, *, hourly=None, sources=None, stations=None,
                       observations=None, fires=None, hours: int = 4, day_alpha: float = 0.05,
                       pollutant: str = "pm25", cutoff_km: float = 50.0, profiles: dict | None = None) -> pd.DataFrame:
    """Suggested inspection window of every priority row.

    Parameters
    ----------
    priority : DataFrame
        Priority rows (sources, fire clusters, station checks), see :func:`geoair.dispatch.dispatch`.
    contributions : DataFrame, optional
        The attribution's ``contributions_`` (``station, time, category, pm25``); with
        ``sources``, ``stations``, ``observations``, ``cutoff_km`` and ``profiles`` passed to
        :func:`geoair.dispatch.source_hourly`.
    hourly : DataFrame, optional
        Per-source hourly contributions (``source_id, time, contribution[, basis]``) when
        already computed (e.g. :func:`source_hourly`); used instead of ``contributions``.
    fires : GeoDataFrame, optional
        Fire detections with a ``cluster`` column (the points returned by
        :func:`geoair.hotspot.fire_clusters`): observed overpass times of each cluster.
    hours : int
        Length of the suggested window (hours, 1-24).
    day_alpha : float
        Weekdays (or the weekend) are suggested when the source's mean daily totals on weekdays
        and at weekends differ at this level (two-sided permutation test, at least three days of
        each); otherwise every day. Days are autocorrelated (weather spells), so the test is
        somewhat liberal.

    Returns
    -------
    DataFrame
        :data:`WINDOW_COLUMNS`: ``window_start``/``window_end`` (hour of day, local time, hour
        beginning; -1 when there is no window), ``window_hours`` ("22:00-02:00"),
        ``window_days`` ("all", "weekdays" or "weekend"), ``hours_share`` and
        ``window_share`` (fractions of the source's contribution at the station),
        ``peak_hour``, ``n_days`` (days of data), ``overpass`` (fire clusters) and
        ``window_basis`` (how the window was found).
    """
    from .fires import fire_windows
    from .hourly import source_hourly

    if not 1 <= int(hours) <= 24:
        check_option("hours", hours, range(1, 25))
    rows = plain(priority)
    rows["source_id"] = rows["source_id"].astype(str)
    rows["row_kind"] = row_kind(rows)
    if hourly is None and contributions is not None:
        hourly = source_hourly(rows, contributions, sources=sources, stations=stations, observations=observations,
                               pollutant=pollutant, cutoff_km=cutoff_km, profiles=profiles)
    out = rows[["source_id", "row_kind"]].copy()
    if hourly is not None and len(hourly):
        h = plain(hourly).assign(source_id=lambda d: d["source_id"].astype(str))
        if "basis" not in h.columns:
            h["basis"] = "given"
        out = out.merge(_source_windows(h, int(hours), float(day_alpha)), on="source_id", how="left")
    fire = rows[rows["row_kind"] == "fire_cluster"]
    if len(fire):
        fw = fire_windows(fire, fires=fires).set_index("source_id")
        for c in fw.columns:
            if c not in out.columns:
                out[c] = pd.Series(dtype=fw[c].dtype)
            hit = out["source_id"].isin(fw.index)
            out.loc[hit, c] = fw[c].reindex(out.loc[hit, "source_id"]).to_numpy()
    station = out["row_kind"] == "station_check"
    out = out.reindex(columns=list(WINDOW_COLUMNS))
    out.loc[station, "window_basis"] = "station"
    out["window_basis"] = out["window_basis"].fillna("none")
    for c in ("window_hours", "window_days", "overpass"):
        out[c] = out[c].astype("string").fillna("")
    for c in ("window_start", "window_end", "peak_hour"):
        out[c] = pd.to_numeric(out[c], errors="coerce").fillna(-1).astype(int)
    out.attrs["droplog"] = DropLog()  # every row is returned (no window: window_basis "none")
    out.attrs["units"] = units(out)
    return out
