"""Polar plots for many stations and pollutants in one call, as Dask tasks.

What is shared between stations is computed once. openair (and
:func:`~geoair.directional.polar_plot`) put the bin nodes at ``(i / 29) * max(ws)``, so in
units of a station's maximum wind speed ``c`` every station has the same nodes, the same
51 x 51 prediction grid over ``[-1, 1]^2`` and the same exclusion neighbourhoods (mgcv's
``exclude.too.far`` scales both axes by the grid's range). The squared distances between
nodes and from the prediction grid to the nodes, and the neighbourhoods, are computed once
(:class:`PolarGrid`); for a station they are sliced to its occupied nodes and scaled by
``c^2``. The thin-plate basis is then built from the station's own occupied nodes exactly as
:func:`polar_plot` builds it (eigen-decomposition, constraint, penalty, GCV), so the surfaces
are :func:`polar_plot`'s to floating-point rounding; only the distance and neighbour
computations are shared. ``method="exact"`` calls :func:`polar_plot` itself per station.

References
----------
Carslaw, D. C. & Ropkins, K. (2012). openair. *Environ. Model. Softw.* 27-28, 52-61.
Wood, S. N. (2003). Thin plate regression splines. *J. R. Stat. Soc. B* 65(1), 95-114.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .._attrs import as_attr
from .._validation import GeoairInputError, check_option, require_columns
from ._prep import prepare, r_seq
from .polar import _bilinear_refine, _uv, _wd_interval, bin_polar, cpf_thresholds, polar_plot

__all__ = ["polar_plot_many", "PolarGrid"]

SHARED_STATISTICS = ("mean", "median", "max", "stdev", "frequency", "weighted_mean",
                     "percentile", "cpf")
_WS_BINS = 30


@dataclass
class PolarGrid:
    """What every station's polar fit shares, for one direction step, in units of max(ws).

    ``nodes`` (n x 2) in :func:`bin_polar`'s order, ``r2_nodes`` (n x n) and ``r2_pred``
    (2,601 x n) squared distances between nodes and from the 51 x 51 prediction grid to the
    nodes, ``pred`` the prediction grid, ``near`` (40,401 x n, sparse) the 201 x 201 grid
    points within 0.05 grid ranges of each node.
    """

    wd_int: int
    nodes: np.ndarray
    r2_nodes: np.ndarray
    pred: np.ndarray
    r2_pred: np.ndarray
    near: object

    @classmethod
    def build(cls, wd_int: int) -> PolarGrid:
        """Nodes, distances and exclusion neighbourhoods for direction step ``wd_int``."""
        from scipy import sparse
        from scipy.spatial import cKDTree
        from scipy.spatial.distance import cdist

        ws_seq = r_seq(0.0, 1.0, _WS_BINS)
        wd_seq = np.arange(wd_int, 360 + wd_int, wd_int, dtype=float)
        nodes = np.column_stack(_uv(np.tile(ws_seq, wd_seq.size),
                                    np.repeat(wd_seq, ws_seq.size))) + 0.0
        g51 = r_seq(-1.0, 1.0, 51)
        pred = np.column_stack([np.tile(g51, 51), np.repeat(g51, 51)])
        g201 = r_seq(-1.0, 1.0, 201)
        grid = np.column_stack([np.tile(g201, g201.size), np.repeat(g201, g201.size)])
        pairs = cKDTree((nodes + 1.0) / 2.0).query_ball_point((grid + 1.0) / 2.0, r=0.05)
        rows = np.repeat(np.arange(len(pairs)), [len(p) for p in pairs])
        cols = np.concatenate([np.asarray(p, np.int64) for p in pairs])
        near = sparse.csr_matrix((np.ones(cols.size), (rows, cols)),
                                 shape=(len(grid), len(nodes)))
        return cls(wd_int=wd_int, nodes=nodes, r2_nodes=cdist(nodes, nodes, "sqeuclidean"),
                   pred=pred, r2_pred=cdist(pred, nodes, "sqeuclidean"), near=near)


@lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _fit_station(table: pd.DataFrame, grid: PolarGrid, c: float, o: dict):
    """polar_plot's fit of one bin table with the shared distances (c = max ws, m/s)."""
    from ._tprs import TPRSError, eta_from_r2, gcv_fit, tprs_basis

    value = table["value"].to_numpy(float).copy()
    n = table["n"].to_numpy()
    value[(n > 0) & (n < o["min_bin"])] = np.nan
    w = np.ones(n.size)
    for j, wt in enumerate(o["weights"], start=1):
        w[n == j] = wt
    y = value**0.5 if o["force_positive"] else value
    ok = np.flatnonzero(np.isfinite(y))
    xy = grid.nodes[ok] * c
    shift = xy.mean(axis=0)
    knots, first, inverse = np.unique(xy - shift + 0.0, axis=0, return_index=True,
                                      return_inverse=True)
    if knots.shape[0] < o["k"] or knots.shape[0] > 2000:
        raise TPRSError(f"{knots.shape[0]} distinct occupied nodes for a basis of dimension "
                        f"k={o['k']} (the shared fit needs k to 2,000; use method='exact')")
    kidx = ok[first]
    with _blas().limit(limits=1, user_api="blas"):  # small matrices: threads only contend
        basis = tprs_basis(knots, o["k"], E=eta_from_r2(c * c * grid.r2_nodes[np.ix_(kidx, kidx)]))
        beta, edf, rss, lam = gcv_fit(basis.X[inverse.ravel()], y[ok], w[ok], basis.S)
        e = eta_from_r2(c * c * grid.r2_pred[:, kidx])
        p = grid.pred * c - shift
        pred = np.column_stack([e @ basis.UZ, np.ones(len(p)), p[:, 0], p[:, 1]]) @ beta
    pred = pred ** (1.0 / 0.5) if o["force_positive"] else pred
    z = _bilinear_refine(pred.reshape(51, 51)).ravel()
    if o["exclude_missing"]:
        occ = ((n >= 1) & (n >= o["min_bin"])).astype(float)
        z = np.where(grid.near @ occ > 0, z, np.nan)
    if o["statistic"] == "cpf":
        z = np.where(z > 1, 1.0, z)
    m = ok.size
    return z, {"edf": edf, "gcv": m * rss / (m - edf) ** 2, "lambda": lam, "n_fit": m}


def _station_pollutant(frame, pol, o, bases):
    """(surface frame, summary row) of one station and pollutant."""
    clean, log = prepare(frame, [o["wd"], o["ws"], pol], ws=o["ws"], wd=o["wd"])
    if clean.empty:
        raise GeoairInputError(f"No complete {o['ws']}/{o['wd']}/{pol} rows.", column=pol)
    x = clean[o["ws"]].to_numpy(float)
    x = x - x.min()
    d = clean[o["wd"]].to_numpy(float)
    z = clean[pol].to_numpy(float)
    max_ws = float(x.max())
    if max_ws <= 0:
        raise GeoairInputError("All wind speeds are zero.", column=o["ws"])
    wd_int = _wd_interval(d, o["statistic"])
    thresholds = cpf_thresholds(z, o["percentile"]) if o["statistic"] == "cpf" else None
    table = bin_polar(x, d, z, statistic=o["statistic"], max_ws=max_ws, min_ws=0.0,
                      ws_bins=_WS_BINS, wd_int=wd_int, percentile=o["percentile"],
                      thresholds=thresholds, n_panel=z.size)
    gz, info = _fit_station(table, bases[wd_int], max_ws, o)
    g = r_seq(-max_ws, max_ws, 201)
    surf = pd.DataFrame({"pollutant": pol, "u": np.tile(g, g.size), "v": np.repeat(g, g.size),
                         "z": gz})
    return surf, _summary(surf, pol, info, len(clean), log.total(), max_ws)


def _summary(surf: pd.DataFrame, pol: str, info: dict, n_rows: int, n_dropped: int,
             max_ws: float) -> dict:
    z = surf["z"].to_numpy()
    i = int(np.nanargmax(z)) if np.isfinite(z).any() else None
    u_max = np.nan if i is None else surf["u"].iat[i]
    v_max = np.nan if i is None else surf["v"].iat[i]
    return {"pollutant": pol, "n_rows": n_rows, "n_dropped": n_dropped, "max_ws": max_ws,
            "z_max": np.nan if i is None else z[i], "ws_at_max": float(np.hypot(u_max, v_max)),
            "wd_at_max": float(np.mod(np.degrees(np.arctan2(u_max, v_max)), 360.0)), **info}


def _station_task(frame, pollutants, o, bases):
    """One station: every pollutant's surface; written to ``out`` or returned."""
    code = str(frame[o["station"]].iat[0])
    surfaces, rows = [], []
    for pol in pollutants:
        if o["method"] == "exact":
            res = polar_plot(frame, pol, statistic=o["statistic"], percentile=o["percentile"],
                             ws=o["ws"], wd=o["wd"], k=o["k"], weights=o["weights"],
                             min_bin=None if o["min_bin"] == 1 else o["min_bin"],
                             force_positive=o["force_positive"],
                             exclude_missing=o["exclude_missing"])
            fit = res.attrs["fit"].get("all data", {})
            surf = res[["u", "v", "z"]].assign(pollutant=pol)[["pollutant", "u", "v", "z"]]
            surf.attrs = {}
            row = _summary(surf, pol, {k: fit.get(k) for k in ("edf", "gcv", "n_fit")},
                           res.attrs["params"].get("n_rows", 0), res.attrs["droplog"].total(),
                           res.attrs["params"].get("max_ws", np.nan))
        else:
            surf, row = _station_pollutant(frame, pol, o, bases)
        surfaces.append(surf)
        rows.append(row)
        if o["png"]:
            _write_png(surf, Path(o["out"]) / "png" / f"{code}_{pol}.png", o["statistic"])
    surf = pd.concat(surfaces, ignore_index=True)
    if o["out"] is None:
        return surf, pd.DataFrame(rows)
    target = Path(o["out"]) / "surfaces" / f"part-{code}.parquet"
    surf.insert(0, o["station"], code)
    surf.astype({"u": "float32", "v": "float32", "z": "float32"}).to_parquet(target, index=False)
    return None, pd.DataFrame(rows)


def _write_png(surf: pd.DataFrame, path: Path, statistic: str) -> None:
    """The surface as an image (201 x 201 px, north up, masked cells transparent)."""
    import matplotlib
    from matplotlib import image

    z = surf["z"].to_numpy().reshape(201, 201)
    cmap = matplotlib.colormaps["viridis" if statistic == "cpf" else "jet"].with_extremes(
        bad=(0, 0, 0, 0))
    finite = z[np.isfinite(z)]
    lo, hi = (0.0, 1.0) if finite.size == 0 else (float(finite.min()), float(finite.max()))
    image.imsave(path, np.ma.masked_invalid(z), cmap=cmap, vmin=lo, vmax=hi, origin="lower")


def _wd_steps(data, o) -> list[int]:
    """Direction steps needed: 10 where all of a station's directions are multiples of 10."""
    from .._dask import is_dask, to_pandas

    wd = data[[o["station"], o["wd"]]]
    off = (wd[o["wd"]] % 10 != 0) & wd[o["wd"]].notna()
    flag = off.groupby(wd[o["station"]]).any()
    flag = to_pandas(flag) if is_dask(data) else flag
    return sorted({5 if f else 10 for f in flag.to_numpy()})


def polar_plot_many(data, pollutant, *, statistic: str = "mean", percentile=None,
                    station: str = "station", ws: str = "ws", wd: str = "wd", k: int = 100,
                    min_bin: int = 1, weights=(0.25, 0.5, 0.75), force_positive: bool = True,
                    exclude_missing: bool = True, method: str = "shared", out=None,
                    png: bool = False, errors: str = "skip", progress: bool | None = None):
    """Polar plot surfaces of every station and pollutant, mapped over stations with Dask.

    Parameters
    ----------
    data : pandas.DataFrame or dask.dataframe.DataFrame
        Observations of many stations: ``station``, wind speed (m/s), direction (degrees
        FROM north) and the pollutant columns (e.g. :func:`geoair.io.read_store`).
    pollutant : str or list of str
    statistic, percentile, k, min_bin, weights, force_positive, exclude_missing
        As in :func:`polar_plot` (``min_bin`` 1 = no limit; ``nwr`` only with ``"exact"``).
    station, ws, wd : str
        Column names.
    method : {"shared", "exact"}
        ``"shared"``: distances and neighbourhoods computed once (module notes); ``"exact"``:
        :func:`polar_plot` per station (slower; also for NWR).
    out : path-like, optional
        Folder: surfaces are written by the workers to ``out/surfaces/part-<station>.parquet``
        (one Parquet dataset: ``pd.read_parquet(out + "/surfaces")``; float32) and the call
        returns the summary table. Needed for thousands of stations (40,401 grid points
        each). The folder must be reachable by every worker.
    png : bool
        Also write ``out/png/<station>_<pollutant>.png`` (the surface as an image).
    errors : {"skip", "raise"}
        Stations that cannot be fitted (no wind, too few occupied bins) are listed in
        ``attrs["failed"]`` or raise.
    progress : bool, optional
        Progress bar (default the ``progress`` option).

    Returns
    -------
    pandas.DataFrame
        Without ``out``: ``station, pollutant, u, v, z`` on each station's 201 x 201 grid
        (u, v in m/s as :func:`polar_plot`) with the summary in ``attrs["summary"]``. With
        ``out``: the summary - ``station, pollutant, n_rows, n_dropped, max_ws, z_max,
        ws_at_max, wd_at_max`` (m/s, degrees FROM north), ``edf, gcv, lambda, n_fit``.

    References
    ----------
    Carslaw & Ropkins (2012) openair ``polarPlot``; Wood (2003) thin plate regression splines.
    """
    from .._dask import is_dask, map_stations

    check_option("method", method, ("shared", "exact"))
    check_option("statistic", statistic, SHARED_STATISTICS + (("nwr",) if method == "exact"
                                                              else ()))
    pollutants = [pollutant] if isinstance(pollutant, str) else list(pollutant)
    require_columns(data, [station, ws, wd, *pollutants], what="data")
    if statistic == "percentile" and percentile is None:
        raise GeoairInputError("statistic='percentile' needs percentile=.", fix="e.g. 95.")
    if png and out is None:
        raise GeoairInputError("png=True needs out= (a folder).", fix="Pass out='polar/'.")
    o = dict(statistic=statistic, percentile=75 if statistic == "cpf" and percentile is None
             else percentile, station=station, ws=ws, wd=wd, k=k, min_bin=min_bin,
             weights=tuple(weights), force_positive=force_positive,
             exclude_missing=exclude_missing, method=method, png=png,
             out=None if out is None else os.fspath(out))
    if out is not None:
        for sub in ("surfaces", "png") if png else ("surfaces",):
            (Path(out) / sub).mkdir(parents=True, exist_ok=True)
    cols = list(dict.fromkeys([station, ws, wd, *pollutants]))
    data = data[cols] if is_dask(data) else data.loc[:, cols]
    bases = ({} if method == "exact" else
             {s: PolarGrid.build(s) for s in _wd_steps(data, o)})
    res = map_stations(_station_task, data, station=station, errors=errors,
                       progress=progress, pollutants=pollutants, o=o, bases=bases)
    if not isinstance(res, tuple):  # no station could be fitted
        res = (res.iloc[:0], res)
    surfaces, summary = res
    summary.attrs["params"] = o
    if out is not None:
        return summary
    surfaces.attrs.update(summary=as_attr(summary), params=o)
    return surfaces
