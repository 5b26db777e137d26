"""Bivariate polar plots: a pollutant as a smooth function of wind speed and direction.

Reproduces openair 2.17 ``polarPlot()``: the binned statistic on openair's node grid, the
thin-plate regression spline with GCV (mgcv ``s(u, v, bs = "tp")``) on the square root of the
bin values, prediction on a 51 x 51 grid, bilinear refinement to 201 x 201, and masking of
points more than 0.1 * upper from any occupied bin. Statistics: mean, median, max, stdev,
frequency, weighted_mean, percentile, CPF / CBPF (conditional (bivariate) probability
function) and NWR (non-parametric wind regression).

References
----------
Carslaw, D. C., Beevers, S. D., Ropkins, K. & Bell, M. C. (2006). Detecting and quantifying
aircraft and other on-airport contributions to ambient nitrogen oxides in the vicinity of a
large international airport. *Atmos. Environ.* 40(28), 5424-5434.
Uria-Tellaetxe, I. & Carslaw, D. C. (2014). Conditional bivariate probability function for
source identification. *Environ. Model. Softw.* 59, 1-9.
Henry, R., Norris, G. A., Vedantham, R. & Turner, J. R. (2009). Source region identification
using kernel smoothing. *Environ. Sci. Technol.* 43(11), 4090-4097.
Carslaw, D. C. & Ropkins, K. (2012). openair. *Environ. Model. Softw.* 27-28, 52-61.

Notes
-----
Algorithm as documented in openair 2.17 (``R/polarPlot.R``) and mgcv 1.8. NWR values at the
nodes are exact; the GAM step is an own thin-plate regression spline with GCV
(:mod:`geoair.directional._tprs`). openair draws speed bin i at ``(i - 1) * max / (bins - 1)``
while binning by ``max / bins``; that quirk is kept so the surfaces are comparable. ``upper``
only sets the prediction grid and clips the output circle; the bins still span 0 to the
maximum speed. openair's ``daylight`` default site is London; geoair requires the position.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._attrs import FrameAttr
from .._validation import DropLog, GeoairInputError, check_option
from ._prep import condition, prepare, r_seq, time_column

__all__ = ["polar_plot", "STATISTICS", "bin_polar", "nwr_nodes", "cpf_thresholds"]

STATISTICS = ("mean", "median", "max", "stdev", "frequency", "weighted_mean", "percentile",
              "cpf", "nwr")


def _wd_interval(wd: np.ndarray, statistic: str) -> int:
    """openair's direction step: 10 when every direction is a multiple of 10, else 5 (2 for NWR)."""
    if np.all(np.mod(wd, 10) == 0):
        return 10
    return 2 if statistic == "nwr" else 5


def _uv(ws: np.ndarray, wd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # openair writes ws * sin(pi * wd / 180); the same operation order keeps nodes bit-identical
    return ws * np.sin(np.pi * wd / 180), ws * np.cos(np.pi * wd / 180)


def _assign(ws: np.ndarray, wd: np.ndarray, max_ws: float, ws_bins: int, wd_int: int):
    """0-based speed-bin and direction-bin index of each observation (openair 1.2)."""
    r = wd_int * np.ceil(wd / wd_int - 0.5)  # nearest multiple, exact halves round down
    j = np.maximum(1, np.rint(r / wd_int).astype(np.int64)) - 1
    breaks = r_seq(0.0, max_ws, ws_bins + 1)
    # cut(..., include.lowest = TRUE), right-closed: (b[i-1], b[i]], 0 goes to bin 1
    i = np.searchsorted(breaks, ws, side="left")
    i = np.clip(i, 1, ws_bins) - 1
    return i, j


def cpf_thresholds(z: np.ndarray, percentile: Sequence[float]) -> np.ndarray:
    """CPF/CBPF concentration thresholds (openair 1.3).

    One or two percentiles: type-7 quantiles of ``z``. Three values ``(p1, p2, t)``: with
    ``t >= 0`` the quantiles of the values ``z >= t * mean(z)``; with ``t < 0`` ``p1, p2`` are
    absolute concentrations.
    """
    p = [float(x) for x in np.atleast_1d(percentile)]
    if len(p) == 3:
        if p[2] < 0:
            return np.array(p[:2])
        sub = z[z >= p[2] * z.mean()]
        return np.quantile(sub, np.array(p[:2]) / 100.0)
    return np.quantile(z, np.array(p) / 100.0)


def bin_polar(
    ws: np.ndarray,
    wd: np.ndarray,
    z: np.ndarray,
    *,
    statistic: str,
    max_ws: float,
    min_ws: float,
    ws_bins: int,
    wd_int: int,
    percentile: float | None = None,
    thresholds: np.ndarray | None = None,
    n_panel: int | None = None,
) -> pd.DataFrame:
    """openair's binned table for one panel: one row per node (ws fastest), with n and value."""
    ws_seq = r_seq(min_ws, max_ws, ws_bins)
    wd_seq = np.arange(wd_int, 360 + wd_int, wd_int, dtype=float)
    node_ws = np.tile(ws_seq, wd_seq.size)
    node_wd = np.repeat(wd_seq, ws_seq.size)
    u, v = _uv(node_ws, node_wd)
    i, j = _assign(ws, wd, max_ws, ws_bins, wd_int)
    node = j * ws_bins + i
    nnodes = ws_bins * wd_seq.size
    n = np.bincount(node, minlength=nnodes)
    value = np.full(nnodes, np.nan)
    occ = n > 0
    if statistic in ("mean", "weighted_mean"):
        s = np.bincount(node, weights=z, minlength=nnodes)
        value[occ] = s[occ] / n[occ]
        if statistic == "weighted_mean":
            value[occ] *= n[occ] / (n_panel if n_panel else z.size)
    elif statistic == "frequency":
        value[occ] = n[occ]
    elif statistic == "cpf":
        t = np.atleast_1d(thresholds)
        hit = (z > t[0]) if t.size == 1 else ((z > t[0]) & (z <= t[1]))
        m = np.bincount(node, weights=hit.astype(float), minlength=nnodes)
        value[occ] = m[occ] / n[occ]
    elif statistic != "nwr":
        order = np.argsort(node, kind="stable")
        zs, ns = z[order], node[order]
        starts = np.flatnonzero(np.r_[True, ns[1:] != ns[:-1]])
        groups = np.split(zs, starts[1:])
        for g, k in zip(groups, ns[starts], strict=True):
            if statistic == "median":
                value[k] = np.median(g)
            elif statistic == "max":
                value[k] = g.max()
            elif statistic == "stdev":
                value[k] = g.std(ddof=1) if g.size > 1 else np.nan
            elif statistic == "percentile":
                value[k] = np.quantile(g, percentile / 100.0)
    return pd.DataFrame({"ws": node_ws, "wd": node_wd, "u": u, "v": v, "n": n, "value": value})


def nwr_nodes(
    ws: np.ndarray,
    wd: np.ndarray,
    z: np.ndarray,
    node_ws: np.ndarray,
    node_wd: np.ndarray,
    *,
    ws_spread: float = 1.5,
    wd_spread: float = 5.0,
) -> np.ndarray:
    """Non-parametric wind regression at the nodes (Henry et al. 2009, Gaussian kernels).

    ``sum(z K) / sum(K)`` with ``K = exp(-0.5 (dtheta / wd_spread)^2) exp(-0.5 (dws / ws_spread)^2)``
    and ``dtheta = ((wd - wd_c + 180) mod 360) - 180`` degrees. The kernel is separable, so the
    sums over all rows for all nodes are two matrix products: O(rows x (n_ws + n_wd)) kernel
    evaluations instead of O(rows x n_ws x n_wd).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # small products: threads only contend
        grid = _nwr_grid(ws, wd, z, node_ws, node_wd, ws_spread, wd_spread)
    uws = np.unique(node_ws)
    uwd = np.unique(node_wd)
    iw = np.searchsorted(uws, node_ws)
    id_ = np.searchsorted(uwd, node_wd)
    return grid[iw, id_]


def _nwr_grid(ws, wd, z, node_ws, node_wd, ws_spread, wd_spread):
    uws = np.unique(node_ws)
    uwd = np.unique(node_wd)
    # observations repeat few (ws, wd) pairs (wd in 10 degree steps, ws to 0.01 m/s): sum z and
    # counts per distinct pair first, then the kernels are evaluated on distinct values only
    vws, iws = np.unique(ws, return_inverse=True)
    vwd, iwd = np.unique(wd, return_inverse=True)
    if vws.size * vwd.size <= 4_000_000:
        cell = iws.ravel() * vwd.size + iwd.ravel()
        zsum = np.bincount(cell, weights=z, minlength=vws.size * vwd.size).reshape(vws.size, vwd.size)
        cnt = np.bincount(cell, minlength=vws.size * vwd.size).reshape(vws.size, vwd.size).astype(float)
        dth = np.mod(vwd[:, None] - uwd[None, :] + 180.0, 360.0) - 180.0
        kwd = np.exp(-0.5 * (dth / wd_spread) ** 2)  # distinct wd x n_wd
        kws = np.exp(-0.5 * ((vws[:, None] - uws[None, :]) / ws_spread) ** 2)  # distinct ws x n_ws
        num = kws.T @ zsum @ kwd
        den = kws.T @ cnt @ kwd
    else:
        # row blocks keep the kernel matrices cache-sized
        num = np.zeros((uws.size, uwd.size))
        den = np.zeros((uws.size, uwd.size))
        for a in range(0, ws.size, 4096):
            sl = slice(a, a + 4096)
            dth = np.mod(wd[sl, None] - uwd[None, :] + 180.0, 360.0) - 180.0
            kwd = np.exp(-0.5 * (dth / wd_spread) ** 2)  # rows x n_wd
            kws = np.exp(-0.5 * ((ws[sl, None] - uws[None, :]) / ws_spread) ** 2)  # rows x n_ws
            num += (kws * z[sl, None]).T @ kwd
            den += kws.T @ kwd
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den  # n_ws x n_wd


def _bilinear_refine(z51: np.ndarray, factor: int = 4) -> np.ndarray:
    """Bilinear refinement of a regular (nv x nu) grid by an integer factor in each axis."""
    nv, nu = z51.shape
    m_u = (nu - 1) * factor + 1
    m_v = (nv - 1) * factor + 1
    pu = np.arange(m_u) / factor
    pv = np.arange(m_v) / factor
    iu = np.minimum(np.floor(pu).astype(int), nu - 2)
    iv = np.minimum(np.floor(pv).astype(int), nv - 2)
    fu = pu - iu
    fv = pv - iv
    z00 = z51[np.ix_(iv, iu)]
    z01 = z51[np.ix_(iv, iu + 1)]
    z10 = z51[np.ix_(iv + 1, iu)]
    z11 = z51[np.ix_(iv + 1, iu + 1)]
    fu2 = fu[None, :]
    fv2 = fv[:, None]
    return (z00 * (1 - fu2) * (1 - fv2) + z01 * fu2 * (1 - fv2)
            + z10 * (1 - fu2) * fv2 + z11 * fu2 * fv2)


def exclude_too_far(gu, gv, du, dv, dist: float = 0.05) -> np.ndarray:
    """mgcv ``exclude.too.far``: True where a grid point is farther than ``dist`` from all data.

    Both axes are scaled to [0, 1] by the grid's range before measuring distance.
    """
    from scipy.spatial import cKDTree

    gu = np.asarray(gu, float)
    gv = np.asarray(gv, float)
    umin, urng = gu.min(), gu.max() - gu.min()
    vmin, vrng = gv.min(), gv.max() - gv.min()
    if len(du) == 0:
        return np.ones(gu.size, dtype=bool)
    tree = cKDTree(np.column_stack([(np.asarray(du) - umin) / urng, (np.asarray(dv) - vmin) / vrng]))
    d, _ = tree.query(np.column_stack([(gu - umin) / urng, (gv - vmin) / vrng]))
    return d > dist


def _smooth_panel(table: pd.DataFrame, *, statistic, k, force_positive, upper, min_bin,
                  weights, exclude_missing, ws_bins):
    """Fit, predict on 51 x 51, refine to 201 x 201 and mask, for one panel's table."""
    from ._tprs import TPRSError, fit_tprs

    value = table["value"].to_numpy(float).copy()
    n = table["n"].to_numpy()
    # openair: tapply gives empty bins a count of NA, so `count < min.bin` only hits occupied
    # bins; empty NWR nodes keep their kernel value
    value[(n > 0) & (n < min_bin)] = np.nan
    w = np.ones(n.size)
    for c, wt in enumerate(weights, start=1):
        w[n == c] = wt
    p = 0.5 if force_positive else 1.0
    y = value**p if force_positive else value
    ok = np.isfinite(y)
    g51 = r_seq(-upper, upper, 51)
    g201 = r_seq(-upper, upper, 201)
    gu = np.tile(g201, g201.size)
    gv = np.repeat(g201, g201.size)
    info = {}
    try:
        fit = fit_tprs(table["u"].to_numpy()[ok], table["v"].to_numpy()[ok], y[ok], w[ok], k=k)
    except (TPRSError, np.linalg.LinAlgError) as err:
        warnings.warn(
            f"Smoothing failed ({err}); returning the raw bin values at the nodes, as openair does.",
            stacklevel=5,
        )
        return (table["u"].to_numpy()[ok], table["v"].to_numpy()[ok], value[ok],
                {"fit": "failed", "reason": str(err)})
    pu = np.tile(g51, 51)
    pv = np.repeat(g51, 51)
    pred = fit.predict(pu, pv)
    pred = pred ** (1.0 / p) if force_positive else pred
    z = _bilinear_refine(pred.reshape(51, 51)).ravel()
    info = {"fit": "ok", "edf": fit.edf, "gcv": fit.gcv, "scale": fit.scale, "lambda": fit.lam,
            "n_fit": fit.n, "k": k}
    if exclude_missing:
        occ = (n >= 1) & (n >= min_bin)
        far = exclude_too_far(gu, gv, table["u"].to_numpy()[occ], table["v"].to_numpy()[occ], 0.05)
        z = np.where(far, np.nan, z)
    if statistic == "cpf":
        z = np.where(z > 1, 1.0, z)
    return gu, gv, z, info


def polar_plot(data: pd.DataFrame, pollutant: str | Sequence[str], *, statistic: str = "mean",
               percentile: float | Sequence[float] | None = None, by: str | None = None,
               ws: str = "ws", wd: str = "wd", time: str | None = None,
               min_bin: int | None = None, upper: float | None = None,
               weights: Sequence[float] = (0.25, 0.5, 0.75), force_positive: bool = True,
               k: int = 100, exclude_missing: bool = True, normalise: bool = False,
               ws_spread: float = 1.5, wd_spread: float = 5.0, wd0_as_north: bool = True,
               latitude: float | None = None, longitude: float | None = None) -> pd.DataFrame:
    """Bivariate polar plot surface (openair ``polarPlot``), as data (algorithm: module notes).

    Parameters
    ----------
    data : DataFrame
        Hourly (or any) observations with wind speed, wind direction and the pollutant.
    pollutant : str or list of str
        Pollutant column(s); several are computed separately and stacked with a ``pollutant``
        column (openair stacks them as a conditioning type).
    statistic : str
        One of ``mean, median, max, stdev, frequency, weighted_mean, percentile, cpf, nwr``.
    percentile : float or sequence, optional
        ``percentile``: the percentile (0-100) of each bin. ``cpf``: p gives the CPF (share of
        a bin's hours above the p-th percentile of all data, default 75); ``(p1, p2)`` the CBPF
        (share in ``(P1, P2]``); ``(p1, p2, t)`` as openair (``t >= 0``: percentiles of values
        ``>= t * mean``; ``t < 0``: p1, p2 are absolute concentrations).
    by : str, optional
        ``season, weekday, weekend, month, year, hour, daylight`` (need a ``time``/``date``
        column) or any column (numeric columns cut into quartiles).
    ws, wd, time : str
        Wind speed (m/s), direction (degrees FROM) and time (for ``by``) columns.
    min_bin : int, optional
        Bins with fewer observations are left out of the fit and the mask; column ``miss``
        then holds the surface fitted without the limit (as openair).
    upper : float, optional
        Outer wind speed of the grid (m/s; default the maximum); z is NA beyond it.
    weights : 3 floats
        Prior weights of bins holding 1, 2 and 3 observations.
    force_positive : bool
        Fit the square root of the bin values and square the prediction.
    k : int
        Basis dimension of the thin-plate spline (NWR always uses 200, as openair).
    exclude_missing : bool
        Mask grid points more than 0.1 * upper (m/s) from every occupied bin.
    normalise : bool
        Divide each panel by its mean z.
    ws_spread, wd_spread : float
        NWR Gaussian kernel widths in m/s and degrees (openair's defaults 1.5, 5).
    wd0_as_north : bool
        True: wd = 0 is treated as 360 (openair, data.frame input); False: wd = 0 stays in
        the first direction bin (openair, tibble input such as ``openair::mydata``).
    latitude, longitude : float, optional
        Site position (degrees), required for ``by="daylight"``.

    Returns
    -------
    DataFrame
        openair's ``$data`` layout: ``[by,] u, v, z`` on the 201 x 201 grid
        ``seq(-upper, upper, length = 201)`` (u fastest; m/s), NaN where masked. ``attrs``:
        ``binned`` (node table per panel: ws, wd, u, v, n, value, weight), ``params``, ``fit``
        (edf, GCV score, scale per panel), ``thresholds`` (CPF) and ``droplog``.

    Examples
    --------
    >>> res = polar_plot(obs, "pm10", statistic="cpf", percentile=90)  # doctest: +SKIP
    """
    opts = dict(locals())  # the keyword options, passed on as one mapping
    del opts["data"], opts["pollutant"]
    check_option("statistic", statistic, STATISTICS)
    if isinstance(pollutant, (list, tuple)):
        if len(pollutant) == 0:
            raise GeoairInputError("pollutant is an empty list.", fix="Name at least one column.")
        if len(pollutant) > 1:
            if len(weights) != 3:
                raise ValueError(f"weights must hold 3 values (bins of 1, 2, 3 observations), "
                                 f"got {weights!r}")
            return _stack_pollutants({pol: _polar_one(data, pol, opts) for pol in pollutant})
        pollutant = pollutant[0]
    if len(weights) != 3:
        raise ValueError(f"weights must hold 3 values (bins of 1, 2, 3 observations), got {weights!r}")
    return _polar_one(data, pollutant, opts)


def _stack_pollutants(results: dict) -> pd.DataFrame:
    """Several pollutants' surfaces stacked with a ``pollutant`` column (attrs per pollutant)."""
    parts = []
    for pol, res in results.items():
        part = res.copy()
        part.insert(0, "pollutant", pol)
        part.attrs = {}
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out.attrs = {"by_pollutant": {pol: res.attrs for pol, res in results.items()}}
    return out


def _polar_one(data: pd.DataFrame, pollutant: str, o: dict) -> pd.DataFrame:
    """polar_plot of one pollutant; ``o`` holds polar_plot's keyword options."""
    clean, log, by_name = _clean_input(data, pollutant, o)
    params = {
        "pollutant": pollutant, "statistic": o["statistic"], "percentile": o["percentile"],
        "by": o["by"], "min_bin": o["min_bin"], "upper": o["upper"],
        "weights": tuple(o["weights"]), "force_positive": o["force_positive"],
        "k": 200 if o["statistic"] == "nwr" else o["k"],
        "exclude_missing": o["exclude_missing"], "normalise": o["normalise"],
        "ws_spread": o["ws_spread"], "wd_spread": o["wd_spread"],
        "wd0_as_north": o["wd0_as_north"],
        "reference": "openair 2.17 polarPlot (Carslaw & Ropkins 2012)",
    }
    if clean.empty:
        columns = ([by_name] if by_name else []) + ["u", "v", "z"]
        out = pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
        out.attrs = {"params": params, "droplog": log, "binned": FrameAttr(), "fit": {}}
        return out
    st = _settings(clean, pollutant, o, params)
    panels = [(None, np.ones(len(clean), dtype=bool))]
    if by_name:
        grp = clean["__by__"]
        cats = grp.cat.categories if isinstance(grp.dtype, pd.CategoricalDtype) else pd.unique(grp)
        panels = [(c, (grp == c).to_numpy()) for c in cats if (grp == c).any()]
    frames, tables, fits = [], [], {}
    for label_, sel in panels:
        res, table, info = _panel(st["x"][sel], st["d"][sel], st["z"][sel], st, o)
        if by_name:
            res.insert(0, by_name, label_)
            table.insert(0, by_name, label_)
        frames.append(res)
        tables.append(table)
        fits["all data" if label_ is None else label_] = info
    out = pd.concat(frames, ignore_index=True)
    if by_name:
        out[by_name] = pd.Categorical(out[by_name], categories=[p[0] for p in panels], ordered=True)
    out.attrs = {
        "binned": FrameAttr(pd.concat(tables, ignore_index=True)),
        "params": {**params, "max_ws": st["max_ws"], "min_ws": st["min_ws"],
                   "upper_used": st["up"], "wd_int": st["wd_int"], "ws_bins": st["ws_bins"],
                   "n_rows": int(len(clean))},
        "fit": fits,
        "thresholds": None if st["thresholds"] is None else np.asarray(st["thresholds"]).tolist(),
        "droplog": log,
        "units": {"u": "m/s", "v": "m/s",
                  "z": "probability" if o["statistic"] == "cpf" else "pollutant units"},
    }
    return out


def _clean_input(data: pd.DataFrame, pollutant: str, o: dict):
    """Complete rows of wind and pollutant (and the ``by`` panel), the DropLog, the panel name."""
    ws, wd = o["ws"], o["wd"]
    cols = [wd, ws, pollutant]
    frame = data
    by_name = None
    if o["by"] is not None:
        cond = condition(data, o["by"], time=o["time"], latitude=o["latitude"],
                         longitude=o["longitude"])
        by_name = cond.name if cond.name not in (ws, wd, pollutant) else f"{cond.name}_group"
        frame = data.assign(**{"__by__": cond})
        cols = cols + ["__by__"]
    else:
        time_column(data, o["time"])  # a named time column must exist
    clean, log = prepare(frame, cols, ws=ws, wd=wd, wd0_as_north=o["wd0_as_north"],
                         droplog=DropLog())
    return clean, log, by_name


def _settings(clean: pd.DataFrame, pollutant: str, o: dict, params: dict) -> dict:
    """Wind and pollutant arrays, bin layout, upper speed and CPF thresholds of one fit."""
    statistic = o["statistic"]
    x = clean[o["ws"]].to_numpy(float)
    x = x - x.min()
    d = clean[o["wd"]].to_numpy(float)
    z = clean[pollutant].to_numpy(float)
    max_ws = float(x.max())
    # upper only sets the prediction grid and clips the output circle; the bins still span
    # 0..max(ws) and no observation is changed (openair polarPlot)
    if max_ws <= 0:
        raise GeoairInputError("All wind speeds are zero; no polar surface can be formed.",
                               column=o["ws"], fix="Check the wind speed column.")
    percentile, thresholds = o["percentile"], None
    if statistic == "cpf":
        if percentile is None:
            warnings.warn("statistic='cpf' without percentile: using 75, as openair.", stacklevel=4)
            percentile = 75
        thresholds = cpf_thresholds(z, percentile)
        params["percentile"] = percentile
    elif statistic == "percentile":
        if percentile is None:
            raise GeoairInputError("statistic='percentile' needs percentile=.",
                                   fix="Pass e.g. percentile=95.")
        percentile = float(np.atleast_1d(percentile)[0])
    return {"x": x, "d": d, "z": z, "max_ws": max_ws, "min_ws": float(x.min()),
            "up": max_ws if o["upper"] is None else float(o["upper"]),
            "wd_int": _wd_interval(d, statistic), "ws_bins": 40 if statistic == "nwr" else 30,
            "k": 200 if statistic == "nwr" else o["k"], "percentile": percentile,
            "thresholds": thresholds}


def _panel(xs, ds, zs, st: dict, o: dict):
    """Binned table, fitted 201 x 201 surface and fit information of one panel."""
    statistic = o["statistic"]
    table = bin_polar(xs, ds, zs, statistic=statistic, max_ws=st["max_ws"],
                      min_ws=st["min_ws"], ws_bins=st["ws_bins"], wd_int=st["wd_int"],
                      percentile=st["percentile"], thresholds=st["thresholds"],
                      n_panel=int(xs.size))
    if statistic == "nwr":
        table["value"] = nwr_nodes(xs, ds, zs, table["ws"].to_numpy(), table["wd"].to_numpy(),
                                   ws_spread=o["ws_spread"], wd_spread=o["wd_spread"])
    w = np.ones(len(table))
    for c, wt in enumerate(o["weights"], start=1):
        w[table["n"].to_numpy() == c] = wt
    table["weight"] = w
    opts = dict(statistic=statistic, k=st["k"], force_positive=o["force_positive"],
                upper=st["up"], weights=o["weights"], exclude_missing=o["exclude_missing"],
                ws_bins=st["ws_bins"])
    min_bin = o["min_bin"]
    gu, gv, gz, info = _smooth_panel(table, min_bin=1 if min_bin is None else min_bin, **opts)
    res = pd.DataFrame({"u": gu, "v": gv, "z": gz})
    if min_bin is not None:
        _, _, gz0, _ = _smooth_panel(table, min_bin=0, **opts)
        res["miss"] = gz0
    if o["upper"] is not None and info.get("fit") == "ok":
        beyond = np.hypot(res["u"], res["v"]) > st["up"]
        res.loc[beyond, "z"] = np.nan
    if o["normalise"]:
        res["z"] = res["z"] / res["z"].mean()
    return res, table, info
