"""Wind, pollution and percentile roses (openair ``windRose``, ``pollutionRose``, ``percentileRose``).

References
----------
Carslaw, D. C. & Ropkins, K. (2012). openair - an R package for air quality data analysis.
*Environ. Model. Softw.* 27-28, 52-61 (openair 2.17: ``R/windRose.R``, ``R/percentileRose.R``).
R Core Team. ``pretty()`` (src/appl/pretty.c) for the pollution-rose breaks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, require_columns
from ..schema import attach_units, value_unit

__all__ = ["wind_rose", "pollution_rose", "percentile_rose", "r_pretty"]


def r_pretty(lo: float, up: float, n: int = 5) -> np.ndarray:
    """R's ``pretty(c(lo, up), n)``: about n+1 equally spaced round values covering [lo, up].

    Port of the R_pretty algorithm with R's defaults (``high.u.bias = 1.5``,
    ``u5.bias = 0.5 + 1.5 * high.u.bias``, ``min.n = n %/% 3``, ``shrink.sml = 0.75``).
    """
    h, h5 = 1.5, 0.5 + 1.5 * 1.5
    min_n = n // 3
    eps = 1e-10
    dx = up - lo
    if dx == 0 and up == 0:
        cell, small = 1.0, True
    else:
        cell = max(abs(lo), abs(up))
        uu = 1 + (1 / (1 + h) if h5 >= 1.5 * h + 0.5 else 1.5 / (1 + h5))
        uu *= max(1, n) * np.finfo(float).eps
        small = dx < cell * uu * 3
    if small:
        if cell > 10:
            cell = 9 + cell / 10
        cell *= 0.75
        if min_n > 1:
            cell /= min_n
    else:
        cell = dx
        if n > 1:
            cell /= n
    base = 10.0 ** math.floor(math.log10(cell))
    unit = base
    if 2 * base - cell < h * (cell - unit):
        unit = 2 * base
        if 5 * base - cell < h5 * (cell - unit):
            unit = 5 * base
            if 10 * base - cell < h * (cell - unit):
                unit = 10 * base
    ns = math.floor(lo / unit + eps)
    nu = math.ceil(up / unit - eps)
    while ns * unit > lo + eps * unit:
        ns -= 1
    while nu * unit < up - eps * unit:
        nu += 1
    k = int(0.5 + nu - ns)
    if k < min_n:
        k = min_n - k
        if ns >= 0:
            nu += k // 2
            ns -= k // 2 + k % 2
        else:
            ns -= k // 2
            nu += k // 2 + k % 2
    return np.arange(ns, nu + 1) * unit


def _round_wd(wd: np.ndarray, angle: float) -> np.ndarray:
    """openair's sector: nearest multiple of ``angle`` (exact halves down), 0 -> 360."""
    r = angle * np.ceil(wd / angle - 0.5)
    return np.where(r == 0, 360.0, r)


def _rose_table(x, ws, wd, breaks, angle, *, bias_corr, openair_calms, labels, log):
    """Cumulative percentage per sector and interval of ``x`` (openair windRose prep).

    ``ws`` decides calms (ws == 0) and the denominator (rows with a wind speed); ``x`` is the
    binned variable (ws itself for a wind rose, the pollutant for a pollution rose).
    """
    sectors = np.arange(angle, 360 + angle / 2, angle, dtype=float)
    has_ws = np.isfinite(ws)
    if (~has_ws).any():
        log.add("missing wind speed", np.flatnonzero(~has_ws))
    rows = np.flatnonzero(has_ws)
    x = x[has_ws]
    ws = ws[has_ws]
    ten_degree = bool(np.all(np.mod(wd[np.isfinite(wd)], 10) == 0))
    wd = wd[has_ws]
    calm = ws == 0
    na_wd = ~np.isfinite(wd)
    if openair_calms:
        # openair subsets calms with wd == -999, and R keeps the NA rows of that subset, so
        # rows with a missing direction are counted as calm; the denominator is every row
        # with a speed
        n_calm = int(np.sum(calm | na_wd))
        total = ws.size
    else:
        drop = na_wd & ~calm
        if drop.any():
            log.add("missing wind direction (not calm)", rows[drop])
        n_calm = int(calm.sum())
        total = int(ws.size - drop.sum())
    keep = ~calm & ~na_wd
    sec = _round_wd(wd[keep], angle)
    xi = x[keep]
    # cut(x, breaks), right-closed, include.lowest = FALSE: x == breaks[0] falls in no interval
    interval = np.searchsorted(breaks, xi, side="left") - 1
    valid = (interval >= 0) & (interval < len(breaks) - 1) & (xi > breaks[0]) & np.isfinite(xi)
    isec = np.searchsorted(sectors, sec)
    counts = np.zeros((sectors.size, len(breaks) - 1))
    np.add.at(counts, (isec[valid & (isec < sectors.size)], interval[valid & (isec < sectors.size)]), 1)
    pct = 100.0 * counts / total if total else counts * np.nan
    if bias_corr and ten_degree:  # openair corrects only data in 10 degree steps
        ten = _round_wd(np.arange(10, 370, 10, dtype=float), angle)
        per = np.array([np.sum(ten == s) for s in sectors], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            fac = np.where(per > 0, per.mean() / per, 0.0)
        pct = pct * fac[:, None]
    cum = np.cumsum(pct, axis=1)
    out = pd.DataFrame({"wd": sectors})
    for i in range(len(labels)):
        out[f"Interval{i + 1}"] = cum[:, i]
    # openair's freqs: rows per sector (a missing pollutant still counts)
    out["count"] = np.bincount(isec[isec < sectors.size], minlength=sectors.size)
    out["calm"] = 100.0 * n_calm / total if total else np.nan
    out.attrs = {"intervals": dict(zip([f"Interval{i + 1}" for i in range(len(labels))], labels,
                                       strict=True)),
                 "calm_percent": float(out["calm"].iloc[0]) if len(out) else np.nan,
                 "n_calm": n_calm, "n_total": int(total), "breaks": list(map(float, breaks))}
    return out


def _labels(breaks: np.ndarray) -> list[str]:
    def f(b):
        return f"{b:g}"
    return [f"{f(a)} to {f(b)}" for a, b in zip(breaks[:-1], breaks[1:], strict=True)]


def wind_rose(
    data: pd.DataFrame,
    *,
    ws: str = "ws",
    wd: str = "wd",
    angle: float = 30,
    ws_int: float = 2,
    breaks: int | Sequence[float] = 4,
    bias_corr: bool = True,
    calm_threshold: float = 0.0,
    openair_calms: bool = False,
) -> pd.DataFrame:
    """Wind rose table: cumulative % of hours per direction sector and speed interval.

    Parameters
    ----------
    data : DataFrame
        With wind speed (m/s) and direction (degrees FROM north).
    ws, wd : str
        Column names.
    angle : float
        Sector width (degrees); sectors centred on multiples of ``angle``, 360 = north.
    ws_int : float
        Interval width (m/s) when ``breaks`` is a number.
    breaks : int or sequence
        Number of intervals (``0, ws_int, ..., (breaks-1)*ws_int`` plus the maximum speed), or
        explicit break points.
    bias_corr : bool
        Rescale sectors by the number of 10 degree directions they hold (openair).
    calm_threshold : float
        Speeds ``<= calm_threshold`` (m/s) are calm (default 0: only ws == 0).
    openair_calms : bool
        False (default): calms are the hours with ws <= threshold; hours with a speed but no
        direction are dropped (DropLog) and not in the denominator. True: openair 2.17's
        count, which also counts hours with a missing direction as calm (mydata: 213 instead of
        37 hours).

    Returns
    -------
    DataFrame
        ``wd`` (sector centre, degrees), ``Interval1..N`` (cumulative % of all hours), ``count``
        (hours per sector), ``calm`` (%). ``attrs``: interval labels (m/s), ``calm_percent``,
        ``n_calm``, ``n_total``, ``breaks``, ``droplog``.

    References
    ----------
    openair 2.17 ``windRose`` (Carslaw & Ropkins 2012).
    """
    require_columns(data, [ws, wd], what="data")
    log = DropLog()
    x = pd.to_numeric(data[ws], errors="coerce").to_numpy(float).copy()
    d = pd.to_numeric(data[wd], errors="coerce").to_numpy(float).copy()
    neg = x < 0
    if neg.any():
        log.add("negative wind speed set to missing", np.flatnonzero(neg), column=ws)
        x[neg] = np.nan
    bad = (d < 0) | (d > 360)
    if bad.any():
        log.add("wind direction outside 0-360 set to missing", np.flatnonzero(bad), column=wd)
        d[bad] = np.nan
    if calm_threshold > 0:
        x = np.where(x <= calm_threshold, 0.0, x)
    if not np.isfinite(x).any():
        out = pd.DataFrame(columns=["wd", "count", "calm"])
        out.attrs = {"droplog": log, "n_calm": 0, "n_total": 0}
        return out
    if np.isscalar(breaks):
        b = np.arange(int(breaks), dtype=float) * ws_int
        mx = np.nanmax(x) if np.isfinite(x).any() else 0.0
        if mx > b[-1]:
            b = np.append(b, mx)
    else:
        b = np.asarray(breaks, dtype=float)
    out = _rose_table(x, x, d, b, angle, bias_corr=bias_corr, openair_calms=openair_calms,
                      labels=_labels(b), log=log)
    out.attrs.update({"droplog": log, "units": "percent of hours; intervals in m/s",
                      "params": {"angle": angle, "ws_int": ws_int, "breaks": breaks,
                                 "bias_corr": bias_corr, "calm_threshold": calm_threshold,
                                 "openair_calms": openair_calms}})
    return out


def pollution_rose(
    data: pd.DataFrame,
    pollutant: str,
    *,
    ws: str = "ws",
    wd: str = "wd",
    angle: float = 30,
    breaks: int | Sequence[float] = 6,
    bias_corr: bool = True,
    openair_calms: bool = True,
) -> pd.DataFrame:
    """Pollution rose table: % of hours per direction sector and concentration interval.

    openair ``pollutionRose``: a wind rose whose intervals are of the pollutant instead of
    wind speed. With a number of ``breaks`` the intervals are
    ``unique(pretty(c(min, P90), breaks))`` plus the maximum (R's ``pretty``). As in openair,
    calms are wind calms (ws == 0), the percentages are of all hours with a wind speed
    (hours with a missing concentration included), and a concentration equal to the lowest
    break falls in no interval.

    Returns
    -------
    DataFrame
        As :func:`wind_rose`, intervals in the pollutant's units.

    References
    ----------
    openair 2.17 ``pollutionRose``/``windRose`` (Carslaw & Ropkins 2012).
    """
    require_columns(data, [pollutant, ws, wd], what="data")
    log = DropLog()
    z = pd.to_numeric(data[pollutant], errors="coerce").to_numpy(float)
    x = pd.to_numeric(data[ws], errors="coerce").to_numpy(float).copy()
    x[x < 0] = np.nan
    d = pd.to_numeric(data[wd], errors="coerce").to_numpy(float).copy()
    d[(d < 0) | (d > 360)] = np.nan
    zz = z[np.isfinite(z) & np.isfinite(x)]
    if zz.size == 0:
        out = pd.DataFrame(columns=["wd", "count", "calm"])
        out.attrs = {"droplog": log, "n_calm": 0, "n_total": 0}
        return out
    if np.isscalar(breaks):
        b = np.unique(r_pretty(zz.min(), np.quantile(zz, 0.9), int(breaks)))
        if b.max() < zz.max():
            b = np.append(b, zz.max())
    else:
        b = np.asarray(breaks, float)
    out = _rose_table(z, x, d, b, angle, bias_corr=bias_corr, openair_calms=openair_calms,
                      labels=_labels(b), log=log)
    out.attrs.update({"droplog": log, "units": f"percent of hours; intervals in {pollutant} units",
                      "params": {"pollutant": pollutant, "angle": angle, "breaks": list(b)}})
    return out


def percentile_rose(
    data: pd.DataFrame,
    pollutant: str,
    *,
    wd: str = "wd",
    ws: str | None = "ws",
    angle: float = 10,
    percentile: Sequence[float] = (25, 50, 75, 90, 95),
    fill: bool = True,
) -> pd.DataFrame:
    """Percentiles (type 7) and mean of a pollutant per direction sector (openair ``percentileRose``).

    Rows with ws == 0 and wd == 0 are dropped (openair treats them as undefined direction);
    directions are rounded to ``angle`` (exact halves down) with 0 -> 360.

    Returns
    -------
    DataFrame
        ``wd`` (sector centre, degrees), one column per percentile (``p0`` when ``fill``,
        ``p25``...), ``mean`` and ``n``; concentrations in the pollutant's units.

    References
    ----------
    openair 2.17 ``percentileRose``; Hyndman & Fan (1996) type 7 quantiles.
    """
    cols = [wd, pollutant] + ([ws] if ws is not None and ws in data.columns else [])
    require_columns(data, [wd, pollutant], what="data")
    log = DropLog()
    df = data[cols].apply(pd.to_numeric, errors="coerce")
    if len(cols) == 3:
        still = (df[ws] == 0) & (df[wd] == 0)
        if still.any():
            log.add("ws == 0 and wd == 0 (no direction)", np.flatnonzero(still.to_numpy()))
        df = df[~still.to_numpy()]
    na = df[[wd, pollutant]].isna().any(axis=1).to_numpy()
    if na.any():
        log.add("missing direction or concentration", np.flatnonzero(na))
    df = df[~na]
    if df.empty:
        raise GeoairInputError("No complete rows for the percentile rose.", column=pollutant,
                               fix="Check the pollutant and wind direction columns.")
    sec = _round_wd(df[wd].to_numpy(float), angle)
    z = df[pollutant].to_numpy(float)
    pcs = ([0.0] if fill and 0 not in percentile else []) + [float(p) for p in percentile]
    rows = []
    # every sector appears (openair pads sectors without data with NA)
    for s in np.arange(angle, 360 + angle / 2, angle, dtype=float):
        zs = z[sec == s]
        rec = {"wd": s}
        for p in pcs:
            rec[f"p{p:g}"] = float(np.quantile(zs, p / 100.0)) if zs.size else np.nan
        rec["mean"] = float(zs.mean()) if zs.size else np.nan
        rec["n"] = int(zs.size)
        rows.append(rec)
    out = pd.DataFrame(rows)
    out.attrs = {"droplog": log, "params": {"pollutant": pollutant, "angle": angle,
                                            "percentile": pcs}}
    conc = value_unit(pollutant)
    return attach_units(out, {"wd": "degree (sector centre, from north)", "mean": conc, "n": "count"},
                        prefix_p=conc)
