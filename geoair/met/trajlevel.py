"""Gridded trajectory statistics: PSCF and CWT (openair ``trajLevel``), with GIS export.

References
----------
Ashbaugh, L. L., Malm, W. C. & Sadeh, W. Z. (1985). A residence time probability analysis of
sulfur concentrations at Grand Canyon National Park. *Atmos. Environ.* 19(8), 1263-1270 (PSCF).
Hsu, Y.-K., Holsen, T. M. & Hopke, P. K. (2003). Comparison of hybrid receptor models to locate
PCB sources in Chicago. *Atmos. Environ.* 37(4), 545-562 (CWT).
Carslaw, D. C. & Ropkins, K. (2012). openair. *Environ. Model. Softw.* 27-28, 52-61
(``trajLevel`` 2.17: grid, thresholds and the default weights).
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, require_columns
from ..schema import attach_units, value_unit

__all__ = ["pscf", "cwt", "join_concentrations", "trajectory_grid_to_geojson", "trajectory_grid_to_geotiff",
           "OPENAIR_PSCF_WEIGHTS", "OPENAIR_CWT_WEIGHTS"]

#: openair trajLevel PSCF weights, relative to the mean count n of occupied cells:
#: N <= n/2 -> 0.15, n/2 < N <= n -> 0.5, n < N <= 2n -> 0.75, N > 2n -> 1
OPENAIR_PSCF_WEIGHTS = {"breaks": (0.5, 1.0, 2.0), "values": (0.15, 0.5, 0.75, 1.0), "relative": True}
#: openair trajLevel CWT weights on absolute counts:
#: N <= 10 -> 0.05, 10 < N <= 20 -> 0.42, 20 < N <= 80 -> 0.7, N > 80 -> 1
OPENAIR_CWT_WEIGHTS = {"breaks": (10.0, 20.0, 80.0), "values": (0.05, 0.42, 0.7, 1.0), "relative": False}

#: Units of the grid columns shared by :func:`pscf` and :func:`cwt` (``attrs["units"]``).
_GRID_UNITS = {"xgrid": "degree (longitude of the cell centre, WGS84)",
               "ygrid": "degree (latitude of the cell centre, WGS84)", "count": "count",
               "weight": "1 (weight on the cell's point count)"}


def _grid(traj: pd.DataFrame, lon_inc: float, lat_inc: float, origin=(0.0, 0.0)):
    lon = traj["lon"].to_numpy(float) - origin[0]
    lat = traj["lat"].to_numpy(float) - origin[1]
    # R's round() sends halves to even, as numpy does: cells centred on multiples of the step
    # (shifted by origin)
    return (np.round(lon / lon_inc) * lon_inc + origin[0],
            np.round(lat / lat_inc) * lat_inc + origin[1])


def _weights(N: np.ndarray, spec) -> np.ndarray:
    if spec is None:
        return np.ones(N.size)
    if callable(spec):
        return np.asarray(spec(N), float)
    breaks = np.asarray(spec["breaks"], float)
    values = np.asarray(spec["values"], float)
    if values.size != breaks.size + 1:
        raise ValueError("weights: 'values' must have one more element than 'breaks'.")
    if spec.get("relative", False):
        breaks = breaks * N.mean()
    # right-closed tiers: N <= b0 -> v0, b0 < N <= b1 -> v1, ...
    return values[np.searchsorted(breaks, N, side="left")]


def _prep(traj, pollutant, lon_inc, lat_inc, origin=(0.0, 0.0)):
    require_columns(traj, ["lon", "lat", pollutant], what="trajectories",
                    fix="Pass back_trajectories() output with the receptor concentration "
                        "of each arrival date merged in as a column.")
    log = DropLog()
    ok = np.isfinite(traj["lon"].to_numpy(float)) & np.isfinite(traj["lat"].to_numpy(float))
    if (~ok).any():
        log.add("trajectory point without position (left the wind field)", np.flatnonzero(~ok))
    t = traj.loc[ok]
    xg, yg = _grid(t, lon_inc, lat_inc, origin)
    cell = pd.MultiIndex.from_arrays([xg, yg], names=["xgrid", "ygrid"])
    z = pd.to_numeric(t[pollutant], errors="coerce").to_numpy(float)
    return cell, z, log


def join_concentrations(
    traj: pd.DataFrame,
    obs: pd.DataFrame,
    pollutant: str | list[str],
    *,
    time: str = "time",
    station: str | None = None,
) -> pd.DataFrame:
    """Attach the receptor concentration of each arrival time to every trajectory point.

    Parameters
    ----------
    traj : DataFrame
        :func:`geoair.met.trajectory.back_trajectories` output (``receptor``, ``date`` naive UTC).
    obs : DataFrame
        Observations with ``time`` (tz-aware or naive UTC) and the pollutant column(s); with
        ``station``, rows are matched on ``receptor == obs[station]`` as well.
    pollutant : str or list of str
        Columns to attach.

    Returns
    -------
    DataFrame
        ``traj`` with the pollutant column(s); arrivals without an observation get NaN (they
        still count in PSCF's N, as in openair).
    """
    pols = [pollutant] if isinstance(pollutant, str) else list(pollutant)
    require_columns(obs, [time, *pols] + ([station] if station else []), what="observations")
    require_columns(traj, ["date"] + (["receptor"] if station else []), what="trajectories")
    t = pd.DatetimeIndex(pd.to_datetime(obs[time]))
    if t.tz is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    right = pd.DataFrame({"date": t.as_unit("ns")})
    for c in pols:
        right[c] = pd.to_numeric(obs[c], errors="coerce").to_numpy()
    keys = ["date"]
    left = traj.copy()
    left["date"] = pd.DatetimeIndex(left["date"]).as_unit("ns")
    if station:
        right["receptor"] = obs[station].astype(str).to_numpy()
        left["__rec__"] = left["receptor"].astype(str)
        right = right.rename(columns={"receptor": "__rec__"})
        keys = ["date", "__rec__"]
    right = right.drop_duplicates(subset=keys, keep="last")
    out = left.merge(right, on=keys, how="left")
    out = out.drop(columns=["__rec__"], errors="ignore")
    out.attrs = dict(traj.attrs)
    return out


def pscf(
    traj: pd.DataFrame,
    pollutant: str,
    *,
    percentile: float = 90,
    threshold: float | None = None,
    lon_inc: float = 1.0,
    lat_inc: float = 1.0,
    origin: tuple[float, float] = (0.0, 0.0),
    weights: dict | None | object = "openair",
) -> pd.DataFrame:
    """Potential source contribution function on a lon/lat grid (openair ``trajLevel(statistic="pscf")``).

    Parameters
    ----------
    traj : DataFrame
        Trajectory points (``lon, lat`` in degrees) carrying the receptor concentration of
        their arrival time in ``pollutant``; every point counts, receptor points included.
    pollutant : str
        Concentration column.
    percentile : float
        The criterion is the ``percentile`` (type 7) of ``pollutant`` over all trajectory
        points (not over arrivals), as openair.
    threshold : float, optional
        Absolute criterion (e.g. a standard's limit value) instead of the percentile.
    lon_inc, lat_inc : float
        Cell size (degrees); cells are centred on multiples of the increment (openair).
    origin : (float, float)
        Shift of the grid (degrees): cell centres at ``origin + k * inc`` (default (0, 0),
        openair's grid), e.g. (0.125, 0.125) for a 0.25 degree grid aligned with ERA5 edges.
    weights : "openair", dict, callable or None
        Down-weighting of sparsely visited cells. ``"openair"``: :data:`OPENAIR_PSCF_WEIGHTS`;
        a dict ``{"breaks": ..., "values": ..., "relative": bool}`` (right-closed tiers on N,
        breaks in multiples of the mean occupied-cell count when relative); a callable N -> w;
        None for none.

    Returns
    -------
    DataFrame
        ``xgrid, ygrid`` (cell centres, degrees), ``count`` (N points), ``n_exceed`` (m points
        above the criterion), ``pscf_raw`` (m / N), ``weight`` and ``<pollutant>`` (weighted
        PSCF, openair's value). ``attrs``: ``threshold``, ``params``, ``droplog``.
    """
    cell, z, log = _prep(traj, pollutant, lon_inc, lat_inc, origin)
    zf = z[np.isfinite(z)]
    if threshold is None:
        if zf.size == 0:
            raise GeoairInputError("No concentrations on the trajectories.", column=pollutant,
                                   fix="Merge the receptor concentrations into the trajectories.")
        q = float(np.quantile(zf, percentile / 100.0))
    else:
        q = float(threshold)
    df = pd.DataFrame({"n": 1, "m": (z > q).astype(int)}, index=cell)
    g = df.groupby(level=["xgrid", "ygrid"], sort=True).sum()
    N = g["n"].to_numpy(float)
    spec = OPENAIR_PSCF_WEIGHTS if isinstance(weights, str) and weights == "openair" else weights
    w = _weights(N, spec)
    out = pd.DataFrame({"xgrid": g.index.get_level_values(0), "ygrid": g.index.get_level_values(1),
                        "count": g["n"].to_numpy(), "n_exceed": g["m"].to_numpy()})
    out["pscf_raw"] = out["n_exceed"] / out["count"]
    out["weight"] = w
    out[pollutant] = out["pscf_raw"] * w
    out.attrs = {"threshold": q, "droplog": log, "statistic": "pscf",
                 "params": {"percentile": percentile if threshold is None else None,
                            "threshold": threshold, "lon_inc": lon_inc, "lat_inc": lat_inc,
                            "origin": tuple(origin),
                            "weights": "openair" if spec is OPENAIR_PSCF_WEIGHTS else spec}}
    return attach_units(out, {**_GRID_UNITS, "n_exceed": "count", "pscf_raw": "1 (fraction)",
                              pollutant: "1 (weighted probability)"})


def cwt(
    traj: pd.DataFrame,
    pollutant: str,
    *,
    lon_inc: float = 1.0,
    lat_inc: float = 1.0,
    origin: tuple[float, float] = (0.0, 0.0),
    weights: dict | None | object = "openair",
) -> pd.DataFrame:
    """Concentration-weighted trajectory field (openair ``trajLevel(statistic="cwt")``).

    The cell value is the mean receptor concentration over the cell's trajectory points
    (missing concentrations ignored), times a weight on the cell's point count N (default
    :data:`OPENAIR_CWT_WEIGHTS`; see :func:`pscf` for the ``weights`` forms).

    Returns
    -------
    DataFrame
        ``xgrid, ygrid, count, cwt_raw, weight, <pollutant>`` (concentration units).
    """
    cell, z, log = _prep(traj, pollutant, lon_inc, lat_inc, origin)
    df = pd.DataFrame({"n": 1, "z": z}, index=cell)
    grp = df.groupby(level=["xgrid", "ygrid"], sort=True)
    N = grp["n"].sum()
    mean = grp["z"].mean()
    spec = OPENAIR_CWT_WEIGHTS if isinstance(weights, str) and weights == "openair" else weights
    w = _weights(N.to_numpy(float), spec)
    out = pd.DataFrame({"xgrid": N.index.get_level_values(0), "ygrid": N.index.get_level_values(1),
                        "count": N.to_numpy(), "cwt_raw": mean.to_numpy()})
    out["weight"] = w
    out[pollutant] = out["cwt_raw"] * w
    out.attrs = {"droplog": log, "statistic": "cwt",
                 "params": {"lon_inc": lon_inc, "lat_inc": lat_inc, "origin": tuple(origin),
                            "weights": "openair" if spec is OPENAIR_CWT_WEIGHTS else spec}}
    conc = value_unit(pollutant)
    return attach_units(out, {**_GRID_UNITS, "cwt_raw": conc, pollutant: f"{conc} (weighted)"})


def _cells(grid: pd.DataFrame):
    from shapely.geometry import box

    dx = grid.attrs.get("params", {}).get("lon_inc", 1.0)
    dy = grid.attrs.get("params", {}).get("lat_inc", 1.0)
    return [box(x - dx / 2, y - dy / 2, x + dx / 2, y + dy / 2)
            for x, y in zip(grid["xgrid"], grid["ygrid"], strict=True)]


def trajectory_grid_to_geojson(grid: pd.DataFrame, path: str | PathLike | None = None):
    """Cells of a :func:`pscf`/:func:`cwt` result as polygons (EPSG:4326).

    Returns the GeoDataFrame; writes GeoJSON to ``path`` when given.
    """
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(pd.DataFrame(grid).copy(), geometry=_cells(grid), crs="EPSG:4326")
    if path is not None:
        gdf.to_file(path, driver="GeoJSON")
    return gdf


def trajectory_grid_to_geotiff(grid: pd.DataFrame, path: str | PathLike, column: str | None = None,
                               nodata: float = -9999.0) -> None:
    """Write one column of a :func:`pscf`/:func:`cwt` result as a single-band GeoTIFF (EPSG:4326).

    Cells without trajectory points are ``nodata``. Rows run north to south.
    """
    from .._compat import import_optional

    rasterio = import_optional("rasterio", "GeoTIFF export")
    from rasterio.transform import from_origin

    params = grid.attrs.get("params", {})
    dx, dy = params.get("lon_inc", 1.0), params.get("lat_inc", 1.0)
    if column is None:
        column = [c for c in grid.columns if c not in ("xgrid", "ygrid", "count", "n_exceed",
                                                        "pscf_raw", "cwt_raw", "weight")][0]
    if grid.empty:
        raise GeoairInputError("Empty grid; nothing to write.", fix="Check the trajectories.")
    x0, x1 = grid["xgrid"].min(), grid["xgrid"].max()
    y0, y1 = grid["ygrid"].min(), grid["ygrid"].max()
    nx = int(round((x1 - x0) / dx)) + 1
    ny = int(round((y1 - y0) / dy)) + 1
    arr = np.full((ny, nx), nodata, dtype="float64")
    ix = np.rint((grid["xgrid"].to_numpy() - x0) / dx).astype(int)
    iy = np.rint((y1 - grid["ygrid"].to_numpy()) / dy).astype(int)
    vals = grid[column].to_numpy(float)
    arr[iy, ix] = np.where(np.isfinite(vals), vals, nodata)
    transform = from_origin(x0 - dx / 2, y1 + dy / 2, dx, dy)
    with rasterio.open(path, "w", driver="GTiff", height=ny, width=nx, count=1, dtype="float64",
                       crs="EPSG:4326", transform=transform, nodata=nodata) as dst:
        dst.write(arr, 1)
        dst.set_band_description(1, column)

