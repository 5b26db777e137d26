"""Satellite fire points: quality control, kernel density, space-time clusters, county counts.

References
----------
Giglio, L. et al. (2016). The collection 6 MODIS active fire detection algorithm and fire
products. *Remote Sensing of Environment* 178, 31-41 (confidence classes, ``type``).
NASA FIRMS attribute documentation (standards notes §5): ``type`` 0 vegetation fire,
1 volcano, 2 other static land source (industrial heat), 3 offshore.
Ester, M. et al. (1996). A density-based algorithm for discovering clusters (DBSCAN). KDD-96.
Birant, D. and Kut, A. (2007). ST-DBSCAN: an algorithm for clustering spatial-temporal data.
*Data & Knowledge Engineering* 60, 208-221.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option, require_columns
from ..schema import attach_units

__all__ = ["qc_fires", "fire_clusters", "fire_density", "fire_counts"]

EARTH_RADIUS_M = 6_371_008.8


def qc_fires(fires, *, min_confidence: float = 30.0, static: str = "drop", daynight: str = "both",
             types: tuple[int, ...] = (0,)):
    """Quality-control FIRMS fire points.

    Parameters
    ----------
    fires : GeoDataFrame
        From :func:`geoair.read_firms` (``confidence`` 0-100, ``type``, ``daynight``).
    min_confidence : float
        Keep points with ``confidence >= min_confidence`` (%, MODIS nominal >= 30; VIIRS
        l/n/h are mapped to 0-100 by the reader).
    static : {"drop", "flag", "keep"}
        What to do with ``type`` values other than ``types`` (type 2 = static industrial
        heat source, 1 volcano, 3 offshore): remove them, or keep them with
        ``is_static = True``. Points whose type is unknown (<NA>, NRT files) are kept.
    daynight : {"both", "D", "N"}
        Keep both, only day or only night detections.
    types : tuple of int
        Types counted as open burning (default 0, presumed vegetation fire).

    Returns
    -------
    GeoDataFrame
        The kept points with ``is_static`` (bool); ``attrs["droplog"]`` lists every row removed
        here (positions in ``fires``; the input's own log is not repeated).
    """
    check_option("static", static, ("drop", "flag", "keep"))
    check_option("daynight", daynight, ("both", "D", "N"))
    require_columns(fires, ["confidence", "geometry"], what="fire points")
    out = fires.reset_index(drop=True).copy()
    log = DropLog()  # this step's drops only (callers chain the reader's log)
    typ = out["type"] if "type" in out.columns else pd.Series(pd.NA, index=out.index, dtype="Int64")
    typ = pd.to_numeric(typ, errors="coerce").astype("Int64")
    out["is_static"] = (typ.notna() & ~typ.isin(list(types))).fillna(False).astype(bool).to_numpy()
    conf = pd.to_numeric(out["confidence"], errors="coerce")
    drop = np.zeros(len(out), bool)
    low = (~(conf >= min_confidence)).to_numpy()
    log.add(f"fire confidence below {min_confidence:g} % (or missing)", np.flatnonzero(low))
    drop |= low
    if static == "drop":
        st = out["is_static"].to_numpy() & ~drop
        log.add("FIRMS type not a vegetation fire (2 = static industrial heat source)",
                np.flatnonzero(st))
        drop |= st
    if daynight != "both":
        require_columns(fires, ["daynight"], what="fire points")
        dn = (out["daynight"].astype("string").str.upper() != daynight).fillna(True).to_numpy() & ~drop
        log.add(f"detection not {'day' if daynight == 'D' else 'night'}", np.flatnonzero(dn))
        drop |= dn
    out = out.loc[~drop].reset_index(drop=True)
    out.attrs["droplog"] = log
    out.attrs["params"] = dict(min_confidence=min_confidence, static=static, daynight=daynight)
    return out


def _lonlat_rad(gdf) -> np.ndarray:
    g = gdf.geometry.to_crs("EPSG:4326")
    return np.radians(np.column_stack([g.y.to_numpy(), g.x.to_numpy()]))


def fire_clusters(fires, *, eps_km: float = 2.0, window_hours: float = 48.0, min_samples: int = 3,
                  time: str = "time"):
    """Cluster fire points in space and time (DBSCAN with a time window).

    Two detections are neighbours when they are within ``eps_km`` (haversine distance) and
    ``window_hours`` of each other (the ST-DBSCAN neighbourhood of Birant & Kut 2007); clusters
    are then found by scikit-learn's DBSCAN on that precomputed sparse neighbourhood.

    Parameters
    ----------
    fires : GeoDataFrame
        Fire points with tz-aware ``time``.
    eps_km : float
        Spatial radius, km (MODIS pixel 1 km nominal; 2 km joins adjacent pixels).
    window_hours : float
        Temporal radius, hours.
    min_samples : int
        DBSCAN core-point size (including the point itself).

    Returns
    -------
    (points, clusters)
        ``points``: a copy with ``cluster`` (-1 = noise). ``clusters``: GeoDataFrame with one
        row per cluster: ``cluster, n_fires, frp_sum`` (MW), ``frp_max``, ``first``, ``last``,
        ``duration_h`` and the centroid point (EPSG:4326).
    """
    import geopandas as gpd
    from scipy.sparse import csr_matrix
    from sklearn.cluster import DBSCAN
    from sklearn.neighbors import BallTree

    require_columns(fires, [time, "geometry"], what="fire points")
    pts = fires.reset_index(drop=True).copy()
    cols = ["cluster", "n_fires", "frp_sum", "frp_max", "first", "last", "duration_h"]
    if len(pts) == 0:
        pts["cluster"] = pd.Series(dtype=int)
        return _cluster_attrs(pts, gpd.GeoDataFrame(columns=cols, geometry=[], crs="EPSG:4326"))
    xy = _lonlat_rad(pts)
    t = pd.to_datetime(pts[time])
    if t.isna().any():
        raise GeoairInputError("Fire points need a time.", column=time,
                               row=np.flatnonzero(t.isna()).tolist(), fix="Drop them first.")
    hours = (t - t.min()).dt.total_seconds().to_numpy() / 3600.0
    tree = BallTree(xy, metric="haversine")
    ind, dist = tree.query_radius(xy, r=eps_km * 1000.0 / EARTH_RADIUS_M, return_distance=True)
    rows = np.repeat(np.arange(len(pts)), [len(i) for i in ind])
    cols_ = np.concatenate(ind)
    d = np.concatenate(dist)
    near = np.abs(hours[rows] - hours[cols_]) <= window_hours
    # DBSCAN treats stored entries as neighbours; a tiny offset keeps zero distances stored
    graph = csr_matrix((d[near] + 1e-12, (rows[near], cols_[near])), shape=(len(pts), len(pts)))
    labels = DBSCAN(eps=eps_km * 1000.0 / EARTH_RADIUS_M + 1e-9, min_samples=min_samples,
                    metric="precomputed").fit_predict(graph)
    pts["cluster"] = labels
    clustered = pts[labels >= 0]
    if clustered.empty:
        return _cluster_attrs(pts, gpd.GeoDataFrame(columns=cols, geometry=[], crs="EPSG:4326"))
    g = clustered.geometry.to_crs("EPSG:4326")
    frp = pd.to_numeric(clustered.get("frp", pd.Series(np.nan, index=clustered.index)), errors="coerce")
    tab = pd.DataFrame({"cluster": labels[labels >= 0], "x": g.x.to_numpy(), "y": g.y.to_numpy(),
                        "frp": frp.to_numpy(), "t": t[labels >= 0].to_numpy()})
    summ = tab.groupby("cluster").agg(n_fires=("x", "size"), frp_sum=("frp", "sum"),
                                      frp_max=("frp", "max"), first=("t", "min"), last=("t", "max"),
                                      x=("x", "mean"), y=("y", "mean")).reset_index()
    summ["duration_h"] = (summ["last"] - summ["first"]).dt.total_seconds() / 3600.0
    out = gpd.GeoDataFrame(summ[cols], geometry=gpd.points_from_xy(summ["x"], summ["y"]),
                           crs="EPSG:4326")
    out.attrs["params"] = dict(eps_km=eps_km, window_hours=window_hours, min_samples=min_samples)
    return _cluster_attrs(pts, out)


def _cluster_attrs(pts, clusters):
    """Drop logs and units of :func:`fire_clusters`' two frames.

    No point is dropped (noise points stay in ``pts`` with ``cluster = -1``; points without a
    time raise), so both logs are empty: this step's own drops only (callers chain).
    """
    pts.attrs["droplog"], clusters.attrs["droplog"] = DropLog(), DropLog()
    attach_units(pts, {"cluster": "1 (cluster label, -1 = noise)"})
    attach_units(clusters, {"n_fires": "count", "frp_sum": "MW", "frp_max": "MW", "duration_h": "h"})
    return pts, clusters


def fire_density(fires, *, bandwidth_km: float = 10.0, cell_km: float = 5.0, weight: str | None = None,
                 extent=None, pad_km: float = 20.0):
    """Kernel density of fire points on a regular lon/lat grid.

    Gaussian kernel on the sphere (scikit-learn ``KernelDensity`` with the haversine metric);
    density is expressed as expected fires per km².

    Parameters
    ----------
    fires : GeoDataFrame
    bandwidth_km : float
        Kernel bandwidth, km.
    cell_km : float
        Approximate output cell size, km.
    weight : str, optional
        Column of sample weights (e.g. ``frp``: then MW per km²).
    extent : (minx, miny, maxx, maxy), optional
        Degrees; default the points' bounds padded by ``pad_km``.

    Returns
    -------
    xarray.DataArray
        ``density`` on ``(latitude, longitude)``, units fires km⁻² (or weight km⁻²).
    """
    import xarray as xr
    from sklearn.neighbors import KernelDensity

    if len(fires) == 0:
        return xr.DataArray(np.zeros((0, 0)), dims=("latitude", "longitude"), name="density",
                            coords={"latitude": [], "longitude": []},
                            attrs={"units": "km-2", "droplog": DropLog().to_json()})
    xy = _lonlat_rad(fires)
    lat = np.degrees(xy[:, 0])
    lon = np.degrees(xy[:, 1])
    if extent is None:
        pad = pad_km / 111.0
        extent = (lon.min() - pad, lat.min() - pad, lon.max() + pad, lat.max() + pad)
    minx, miny, maxx, maxy = extent
    dlat = cell_km / 111.0
    dlon = dlat / max(np.cos(np.radians((miny + maxy) / 2)), 0.1)
    glat = np.arange(miny, maxy + dlat / 2, dlat)
    glon = np.arange(minx, maxx + dlon / 2, dlon)
    if glat.size * glon.size > 4_000_000:
        raise GeoairInputError("The density grid would be too large.", received=glat.size * glon.size,
                               fix="Increase cell_km or pass a smaller extent.")
    log = DropLog()
    w = None if weight is None else pd.to_numeric(fires[weight], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if w is not None and np.isnan(w).any():
        log.add("weight missing or not a number: counted as 0", np.flatnonzero(np.isnan(w)), column=weight)
        w = np.nan_to_num(w, nan=0.0)
    bw = bandwidth_km * 1000.0 / EARTH_RADIUS_M
    kde = KernelDensity(bandwidth=bw, metric="haversine", kernel="gaussian").fit(xy, sample_weight=w)
    LON, LAT = np.meshgrid(glon, glat)
    q = np.radians(np.column_stack([LAT.ravel(), LON.ravel()]))
    dens = np.exp(kde.score_samples(q))  # per steradian, integrates to 1
    total = len(fires) if w is None else float(w.sum())
    per_km2 = dens * total / (EARTH_RADIUS_M / 1000.0) ** 2
    da = xr.DataArray(per_km2.reshape(LAT.shape), dims=("latitude", "longitude"),
                      coords={"latitude": glat, "longitude": glon}, name="density")
    da.attrs.update(units="km-2", bandwidth_km=bandwidth_km, weight=weight or "count",
                    method="Gaussian KDE, haversine (scikit-learn KernelDensity)",
                    droplog=log.to_json())  # JSON text: netCDF attributes are plain
    return da


def fire_counts(fires, counties, *, time: str = "time", freq: str = "year", name_col: str = "name"):
    """Fire counts per county and period with the change against the previous period.

    Parameters
    ----------
    fires : GeoDataFrame
        QC'd fire points with tz-aware ``time``.
    counties : GeoDataFrame
        ``adcode, name, geometry``.
    freq : {"year", "month"}
        Period; the change is year-on-year for both (month m of year y vs month m of y-1).

    Returns
    -------
    DataFrame
        ``adcode, county, period, n_fires, n_prev, change, change_pct`` (``change_pct`` NaN when
        the previous count is 0 or the previous period is not in the data).
    """
    from .aggregate import assign_county

    check_option("freq", freq, ("year", "month"))
    cols = ["adcode", "county", "period", "n_fires", "n_prev", "change", "change_pct"]
    if len(fires) == 0:
        return attach_units(pd.DataFrame(columns=cols), _COUNT_UNITS)
    log = DropLog()  # this step's drops only (not the input's log)
    if "adcode" in fires.columns:
        pts = fires
        na = pd.Series(fires["adcode"]).isna().to_numpy()
        if na.any():
            log.add("fire without a county (adcode <NA>): not counted", np.flatnonzero(na), column="adcode")
    else:
        pts = assign_county(fires, counties, name_col=name_col)
        log.extend(pts.attrs.get("droplog"))
    t = pd.to_datetime(pts[time])
    df = pd.DataFrame({"adcode": pts["adcode"].astype("string").to_numpy(), "year": t.dt.year.to_numpy(),
                       "month": t.dt.month.to_numpy()})
    df = df[df["adcode"].notna()]
    keys = ["adcode", "year"] + (["month"] if freq == "month" else [])
    counts = df.groupby(keys).size().rename("n_fires").reset_index()
    years = sorted(df["year"].unique())
    full_index = pd.MultiIndex.from_product(
        [counties["adcode"].astype("string").unique(), years]
        + ([sorted(df["month"].unique())] if freq == "month" else []), names=keys)
    counts = counts.set_index(keys).reindex(full_index, fill_value=0).reset_index()
    prev = counts.copy()
    prev["year"] = prev["year"] + 1
    counts = counts.merge(prev.rename(columns={"n_fires": "n_prev"}), on=keys, how="left")
    counts["change"] = counts["n_fires"] - counts["n_prev"]
    counts["change_pct"] = np.where(counts["n_prev"] > 0, 100.0 * counts["change"] / counts["n_prev"],
                                    np.nan)
    counts["period"] = (counts["year"].astype(str) if freq == "year"
                        else counts["year"].astype(str) + "-" + counts["month"].astype(str).str.zfill(2))
    names = counties.assign(adcode=counties["adcode"].astype("string")).set_index("adcode")[name_col]
    counts["county"] = counts["adcode"].map(names)
    out = counts[cols].sort_values(["period", "n_fires"], ascending=[True, False]).reset_index(drop=True)
    out.attrs["droplog"] = log
    return attach_units(out, _COUNT_UNITS)


#: Units of :func:`fire_counts` (``attrs["units"]``).
_COUNT_UNITS = {"n_fires": "count", "n_prev": "count", "change": "count", "change_pct": "%"}
