"""Tampering generator for the integrity screen: inject known events into real station data.

:func:`inject_tampering` writes interference, faults and falsification of every kind the
screen reports into real hourly observations (e.g. the bundled national month), keeping the
truth: station, start, end, kind, pollutant, strength. It sweeps what makes an event easy or
hard, so that a detector cannot be tuned to one generator setting:

- **length**: log-uniform between 6 h and 7 days (spikes 1-3 h);
- **strength**: suppression and drift factors 30-70 %, capping at the AQI-100 concentration
  (PM2.5 75 µg/m³, PM10 150 µg/m³; either exactly at the cap or just under it; placed only
  where it changes at least 6 hours - a cap over clean air changes nothing), flatlines at
  the value the analyser showed when it stuck, copies from the nearest reporting neighbour at
  lag 0-3 h;
- **pollutant**: PM2.5, PM10 or both;
- **station type**: urban, background (对照点) and sparse (fewer than 3 stations within 50 km);
- **start time**: haze days, clean days, the Spring Festival eve fireworks night, any time;
- **gaps**: the real data's own gaps are kept (a tampered window may be partly missing).

:func:`score_detection` compares reported events with the truth: recall by kind (an injected
event is found when a reported event of any kind at that station overlaps it in time) and
the precision of the top-K ranked events (K = number injected).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["TamperedData", "inject_tampering", "score_detection", "station_types", "make_clean_network",
           "TAMPER_KINDS", "ACCEPTANCE_KINDS", "AQI100_CONCENTRATION"]

#: Kinds the generator can inject.
TAMPER_KINDS: tuple[str, ...] = ("suppression", "capping", "flatline", "copy", "drift", "spike",
                                 "ratio")
#: The kinds of the acceptance test of the integrity issue.
ACCEPTANCE_KINDS: tuple[str, ...] = ("suppression", "capping", "flatline", "copy")
#: Concentration at IAQI 100 (HJ 633-2012 Table 1, 24-h means), µg/m³.
AQI100_CONCENTRATION: dict[str, float] = {"pm25": 75.0, "pm10": 150.0}
_PERIODS = ("haze", "clean", "festival", "any")
_TYPES = ("urban", "background", "sparse")


@dataclass
class TamperedData:
    """Tampered observations and the truth.

    Attributes
    ----------
    obs : DataFrame
        The input rows with tampered values (same rows, same order).
    truth : DataFrame
        One row per injected event: ``event_id, station, start, end`` (inclusive hours),
        ``kind, pollutant`` (``pm25``, ``pm10`` or ``both``), ``strength`` (suppression/drift:
        fraction removed; capping: the cap in µg/m³; spike: multiplier; ratio: PM2.5/PM10;
        copy: lag in hours; flatline: the stuck value), ``source_station`` (copy),
        ``station_type, period, length_h, n_valid`` (hours with data), ``n_changed`` (hours
        whose value changed).
    params : dict
    """

    obs: pd.DataFrame
    truth: pd.DataFrame
    params: dict = field(default_factory=dict)


def station_types(stations, codes, *, sparse_km: float = 50.0, sparse_n: int = 3) -> np.ndarray:
    """Label stations ``urban``, ``background`` (对照点) or ``sparse`` (few neighbours).

    A station is sparse when fewer than ``sparse_n`` other stations lie within ``sparse_km``
    km; background when flagged 对照点 (and not sparse); urban otherwise.
    """
    from ..integrity._grid import to_grid

    frame = pd.DataFrame({"station": list(codes), "time": pd.Timestamp("2019-01-01", tz="Asia/Shanghai"),
                          "pm25": 1.0})
    g = to_grid(frame, stations, pollutants=("pm25",))
    from ..integrity.expected import find_neighbours

    nb, _ = find_neighbours(g.lon, g.lat, k=sparse_n, max_km=sparse_km)
    sparse = (nb[:, sparse_n - 1] < 0)
    out = np.where(sparse, "sparse", np.where(g.meta["is_background"].to_numpy(bool), "background",
                                               "urban"))
    return pd.Series(out, index=g.codes).reindex(list(codes)).to_numpy()


def _period_starts(x, times, period, length, rng, festival):
    """Candidate start rows for an event of ``length`` hours in a period class."""
    n_t = len(x)
    if n_t <= length:
        return np.arange(1)
    starts = np.arange(0, n_t - length)
    if period == "festival" and festival is not None:
        f = times.get_indexer([festival], method="nearest")[0]
        lo, hi = max(0, f - length + 1), min(n_t - length - 1, f)
        return np.arange(lo, hi + 1) if hi >= lo else starts
    if period in ("haze", "clean"):
        daily = pd.Series(x).rolling(24, min_periods=6, center=True).mean().to_numpy()
        valid = np.isfinite(daily)
        if valid.sum() > 48:
            q = np.nanpercentile(daily, 75 if period == "haze" else 25)
            mid = starts + length // 2
            good = (daily[mid] >= q) if period == "haze" else (daily[mid] <= q)
            good &= valid[mid]
            if good.any():
                return starts[good]
    return starts


def _apply(kind, seg, other, rng, pollutant):
    """New values of one pollutant's segment; returns (values, strength)."""
    out = seg.copy()
    ok = np.isfinite(seg)
    if kind == "suppression":
        s = rng.uniform(0.3, 0.7)
        out[ok] = np.maximum(np.round(seg[ok] * (1 - s)), 1.0)
        return out, s
    if kind == "drift":
        s = rng.uniform(0.3, 0.7)
        f = 1 - s * np.linspace(0, 1, len(seg))
        out[ok] = np.maximum(np.round(seg[ok] * f[ok]), 1.0)
        return out, s
    if kind == "capping":
        cap = AQI100_CONCENTRATION[pollutant]
        hi = ok & (seg > cap)
        if rng.random() < 0.5:
            out[hi] = cap
        else:
            out[hi] = np.round(cap - rng.uniform(0, 0.08 * cap, hi.sum()))
        return out, cap
    if kind == "flatline":
        first = np.flatnonzero(ok)
        v = seg[first[0]] if len(first) else np.nan
        out[ok] = v
        return out, v
    if kind == "spike":
        m = rng.uniform(3, 8)
        out[ok] = np.round(seg[ok] * m)
        return out, m
    raise ValueError(kind)


def _inject_one(vals, kind, pol, s, a, b, rng, nb_row):
    """Modify ``vals`` in place for one event; returns (strength, source, n_changed) or None."""
    pols = ("pm25", "pm10") if pol == "both" else (pol,)
    before = {p: vals[p][a:b + 1, s].copy() for p in vals}
    strength, source = np.nan, ""
    if kind == "copy":
        lag = int(rng.choice([0, 0, 0, 1, 2, 3]))
        for j in nb_row[nb_row >= 0]:
            src = vals[pols[0]][max(a - lag, 0):b + 1 - lag, j]
            if len(src) == b - a + 1 and np.isfinite(src).mean() >= 0.5:
                for p in pols:
                    vals[p][a:b + 1, s] = vals[p][a - lag:b + 1 - lag, j]
                strength, source = float(lag), int(j)
                break
        else:
            return None
    elif kind == "ratio":
        r = rng.uniform(1.05, 1.3)
        pm10 = vals["pm10"][a:b + 1, s]
        ok = np.isfinite(pm10) & np.isfinite(vals["pm25"][a:b + 1, s])
        if ok.sum() < 3:
            return None
        seg = vals["pm25"][a:b + 1, s].copy()
        seg[ok] = np.round(pm10[ok] * r)
        vals["pm25"][a:b + 1, s] = seg
        strength = r
    else:
        for p in pols:
            new, strength = _apply(kind, vals[p][a:b + 1, s], None, rng, p)
            vals[p][a:b + 1, s] = new
    changed = np.zeros(b - a + 1, dtype=bool)
    for p in vals:
        after = vals[p][a:b + 1, s]
        changed |= ~((after == before[p]) | (np.isnan(after) & np.isnan(before[p])))
    if kind == "capping" and changed.sum() < min(6, b - a + 1):
        for p in vals:
            vals[p][a:b + 1, s] = before[p]
        return None
    return strength, source, int(changed.sum())


def _draw(rng, kinds, pollutants, types, periods, length_range):
    kind = kinds[rng.integers(len(kinds))]
    if kind == "spike":
        length = int(rng.integers(1, 4))
    else:
        lo, hi = np.log(length_range[0]), np.log(length_range[1])
        length = int(round(np.exp(rng.uniform(lo, hi))))
    pol = "pm25" if kind == "ratio" else pollutants[rng.integers(len(pollutants))]
    return kind, pol, types[rng.integers(len(types))], periods[rng.integers(len(periods))], length


def _to_frame(obs, grid, vals, pollutants):
    """Write the grid values back onto the input rows (same rows, same order)."""
    out = obs.copy()
    t = pd.to_datetime(out["time"])
    t = t.dt.tz_localize("Asia/Shanghai") if t.dt.tz is None else t
    t_idx = grid.times.get_indexer(t.dt.tz_convert("Asia/Shanghai"))
    s_idx = pd.Index(grid.codes).get_indexer(out["station"].astype(str))
    for p in pollutants:
        if p in out.columns:
            out[p] = vals[p][t_idx, s_idx]
    return out


def inject_tampering(obs: pd.DataFrame, stations, *, n_events: int = 200, kinds=TAMPER_KINDS,
                     pollutants=("pm25", "pm10", "both"), station_kinds=_TYPES, periods=_PERIODS,
                     length_range=(6, 168), festival="2019-02-04 22:00", min_valid: float = 0.5,
                     random_state=None) -> TamperedData:
    """Inject tampering events with known truth into real hourly observations.

    Parameters
    ----------
    obs : DataFrame
        Data-model observations (``station, time, pm25, pm10, ...``), e.g.
        :func:`geoair.datasets.load_cnemc_observations`.
    stations : GeoDataFrame
        Station table with coordinates (:func:`geoair.datasets.load_national_stations`).
    n_events : int
        Number of events (each on a different station-period; no two events overlap).
    kinds : sequence of str
        Any of :data:`TAMPER_KINDS`, drawn uniformly.
    pollutants : sequence of {"pm25", "pm10", "both"}
        Drawn uniformly (``ratio`` always targets PM2.5).
    station_kinds : sequence of {"urban", "background", "sparse"}
        Station types, drawn uniformly (see :func:`station_types`).
    periods : sequence of {"haze", "clean", "festival", "any"}
        Start-time classes: the station's top / bottom quartile of 24-h running means, an
        event covering ``festival`` (Beijing time), or any time.
    length_range : (int, int)
        Event length range in hours (log-uniform; spikes are 1-3 h).
    min_valid : float
        Minimum fraction of hours with data in the tampered window.
    random_state : int or Generator, optional

    Returns
    -------
    TamperedData
    """
    from ..integrity._grid import to_grid
    from ..integrity.expected import find_neighbours

    rng = np.random.default_rng(random_state)
    grid = to_grid(obs, stations, pollutants=("pm25", "pm10", "so2", "no2", "co", "o3"))
    vals = {p: v.copy() for p, v in grid.values.items()}
    nb, _ = find_neighbours(grid.lon, grid.lat, k=8, max_km=150.0)
    types = station_types(stations, grid.codes)
    fest = None if festival is None else pd.Timestamp(festival, tz="Asia/Shanghai")
    busy = {s: [] for s in range(len(grid.codes))}
    rows, tries = [], 0
    while len(rows) < n_events and tries < 50 * n_events:
        tries += 1
        kind, pol, stype, period, length = _draw(rng, list(kinds), list(pollutants),
                                                 list(station_kinds), list(periods), length_range)
        pool = np.flatnonzero(types == stype)
        if len(pool) == 0 or (kind == "copy" and not (nb[pool, 0] >= 0).any()):
            continue
        s = int(rng.choice(pool if kind != "copy" else pool[nb[pool, 0] >= 0]))
        base = vals["pm25" if pol == "both" else pol][:, s]
        starts = _period_starts(base, grid.times, period, length, rng, fest)
        a = int(rng.choice(starts))
        b = min(a + length - 1, len(grid.times) - 1)
        if np.isfinite(base[a:b + 1]).mean() < min_valid or any(a <= y and b >= x for x, y in busy[s]):
            continue
        done = _inject_one(vals, kind, pol, s, a, b, rng, nb[s])
        if done is None:
            continue
        strength, source, n_changed = done
        busy[s].append((a - 24, b + 24))
        rows.append({"station": grid.codes[s], "start": grid.times[a], "end": grid.times[b],
                     "kind": kind, "pollutant": pol, "strength": strength,
                     "source_station": grid.codes[source] if source != "" else "",
                     "station_type": stype, "period": period, "length_h": b - a + 1,
                     "n_valid": int(np.isfinite(base[a:b + 1]).sum()), "n_changed": n_changed})
    truth = pd.DataFrame(rows)
    truth.insert(0, "event_id", np.arange(len(truth)))
    params = dict(n_events=n_events, kinds=list(kinds), pollutants=list(pollutants),
                  station_kinds=list(station_kinds), periods=list(periods),
                  length_range=tuple(length_range), festival=festival, min_valid=min_valid,
                  random_state=random_state if isinstance(random_state, int) else None)
    return TamperedData(_to_frame(obs, grid, vals, ("pm25", "pm10")), truth, params)


def _overlaps(events: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    """Boolean matrix (events x truth): same station and overlapping [start, end]."""
    if len(events) == 0 or len(truth) == 0:
        return np.zeros((len(events), len(truth)), dtype=bool)
    same = events["station"].astype(str).to_numpy()[:, None] == truth["station"].astype(str).to_numpy()[None, :]
    es = pd.to_datetime(events["start"]).to_numpy()[:, None]
    ee = pd.to_datetime(events["end"]).to_numpy()[:, None]
    ts = pd.to_datetime(truth["start"]).to_numpy()[None, :]
    te = pd.to_datetime(truth["end"]).to_numpy()[None, :]
    return same & (es <= te) & (ee >= ts)


def _pre_existing(events: pd.DataFrame, baseline: pd.DataFrame) -> np.ndarray:
    """Events that overlap a baseline event of the same station, pollutant and kind."""
    out = np.zeros(len(events), dtype=bool)
    if len(events) == 0 or len(baseline) == 0:
        return out
    for key, b in baseline.groupby(["pollutant", "kind"], observed=True, sort=False):
        sel = ((events["pollutant"] == key[0]) & (events["kind"] == key[1])).to_numpy()
        if sel.any():
            out[sel] = _overlaps(events[sel], b).any(axis=1)
    return out


def score_detection(events: pd.DataFrame, truth: pd.DataFrame, *, k: int | None = None,
                    baseline: pd.DataFrame | None = None) -> dict:
    """Recall by kind and top-K precision of reported events against injected truth.

    Parameters
    ----------
    events : DataFrame
        ``station, start, end, score`` (:func:`geoair.integrity.detect_integrity`).
    truth : DataFrame
        :attr:`TamperedData.truth`.
    k : int, optional
        Number of top-ranked events to check (default: number injected).
    baseline : DataFrame, optional
        Events reported on the same data *before* the injection (``station, pollutant, kind,
        start, end``). Real data hold anomalies of their own (stuck analysers, honest local
        departures); a reported event that is not injected but overlaps a baseline event of the
        same station, pollutant and kind is marked ``pre_existing``, and
        ``top_k_precision_new`` is the top-K precision among the other events (injected events
        are never removed).

    Returns
    -------
    dict
        ``recall`` (overall), ``recall_by_kind`` (DataFrame ``kind, n, found, recall``),
        ``top_k_precision``, ``k``, ``truth`` (with ``found`` and ``best_score``), ``events``
        (with ``injected``, ranked by score); with ``baseline`` also ``top_k_precision_new``
        and ``n_pre_existing_top_k`` (pre-existing events among the top K).
    """
    ev = events.sort_values("score", ascending=False, ignore_index=True)
    ov = _overlaps(ev, truth)
    tr = truth.copy()
    tr["found"] = ov.any(axis=0) if len(ev) else False
    scores = ev["score"].to_numpy(float)[:, None] if len(ev) else np.zeros((0, 1))
    tr["best_score"] = np.where(ov, scores, -np.inf).max(axis=0) if len(ev) else -np.inf
    ev["injected"] = ov.any(axis=1) if len(tr) else False
    k = len(truth) if k is None else int(k)
    top = ev["injected"].to_numpy()[:k]
    by_kind = (tr.groupby("kind")["found"].agg(n="size", found="sum").reset_index()
               if len(tr) else pd.DataFrame(columns=["kind", "n", "found"]))
    by_kind["recall"] = by_kind["found"] / by_kind["n"].clip(lower=1)
    out = {"recall": float(tr["found"].mean()) if len(tr) else float("nan"),
           "recall_by_kind": by_kind, "top_k_precision": float(top.mean()) if len(top) else float("nan"),
           "k": k, "truth": tr, "events": ev}
    if baseline is not None:
        ev["pre_existing"] = _pre_existing(ev, baseline) & ~ev["injected"].to_numpy()
        new = ev.loc[~ev["pre_existing"], "injected"].to_numpy()[:k]
        out["top_k_precision_new"] = float(new.mean()) if len(new) else float("nan")
        out["n_pre_existing_top_k"] = int(ev["pre_existing"].to_numpy()[:k].sum())
    return out


def make_clean_network(n_stations: int = 30, n_hours: int = 24 * 30, *, start="2019-01-08 01:00",
                       random_state=None):
    """A synthetic station network with no tampering: the null case of the integrity screen.

    A regional log-PM2.5 field (daily cycle plus an AR(1) weather signal, shared by all
    stations with a smooth west-east gradient) plus per-station offsets and AR(1) local noise
    (lag-1 correlation 0.7, sd 0.15 in log units, as measured on the real network), PM10 from
    PM2.5 with a station ratio and its own noise, CO following PM2.5, all rounded like the
    CNEMC releases (PM to 1 µg/m³, CO to 0.1 mg/m³), 3 % of hours missing at random.

    Returns
    -------
    obs : DataFrame
        ``station, time, pm25, pm10, so2, no2, co, o3``.
    stations : DataFrame
        ``station, name, city, lon, lat, is_background``.
    """
    rng = np.random.default_rng(random_state)
    times = pd.date_range(pd.Timestamp(start, tz="Asia/Shanghai"), periods=n_hours, freq="h")
    lon = 116.0 + rng.uniform(-1.0, 1.0, n_stations)
    lat = 39.0 + rng.uniform(-0.8, 0.8, n_stations)
    weather = np.zeros(n_hours)
    for i in range(1, n_hours):
        weather[i] = 0.97 * weather[i - 1] + rng.normal(0, 0.12)
    daily = 0.25 * np.cos(2 * np.pi * (times.hour.to_numpy() - 22) / 24)
    regional = np.log(60.0) + weather + daily
    local = np.zeros((n_hours, n_stations))
    eps = rng.normal(0, 0.15 * np.sqrt(1 - 0.7**2), (n_hours, n_stations))
    for i in range(1, n_hours):
        local[i] = 0.7 * local[i - 1] + eps[i]
    offset = rng.normal(0, 0.2, n_stations) + 0.1 * (lon - 116.0)
    log25 = regional[:, None] + offset[None, :] + local
    pm25 = np.maximum(np.round(np.exp(log25)), 1.0)
    ratio = rng.uniform(0.5, 0.75, n_stations)
    pm10 = np.maximum(np.round(pm25 / ratio[None, :] * np.exp(rng.normal(0, 0.08, pm25.shape))), pm25)
    co = np.round(np.exp(log25 - np.log(60.0)) * np.exp(rng.normal(0, 0.2, pm25.shape)), 1).clip(0.1)
    codes = [f"{9000 + i}A" for i in range(n_stations)]
    obs = pd.DataFrame({"station": np.tile(codes, n_hours), "time": np.repeat(times, n_stations),
                        "pm25": pm25.ravel(), "pm10": pm10.ravel(),
                        "so2": np.round(10 * np.exp(rng.normal(0, 0.3, pm25.size))),
                        "no2": np.round(35 * np.exp(rng.normal(0, 0.3, pm25.size))),
                        "co": co.ravel(), "o3": np.round(30 * np.exp(rng.normal(0, 0.4, pm25.size)))})
    gone = rng.random(len(obs)) < 0.03
    obs.loc[gone, ["pm25", "pm10", "so2", "no2", "co", "o3"]] = np.nan
    stations = pd.DataFrame({"station": codes, "name": [f"site {i}" for i in range(n_stations)],
                             "city": "synthetic", "lon": lon, "lat": lat,
                             "is_background": np.zeros(n_stations, dtype=bool)})
    return obs.sort_values(["station", "time"], ignore_index=True), stations
