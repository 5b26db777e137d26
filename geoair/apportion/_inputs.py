"""Inputs of the attribution: validated observations on a station x hour grid, sources and fires
as one table with activity profiles, and the wind at the stations.

Every observation, source or fire that is not used is recorded in the DropLog with its reason;
sources and fires whose dates do not overlap the observations are left out with a warning.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, require_columns
from . import profiles as _prof

__all__ = ["Grid", "SourceTable", "times_local", "lonlat", "validate", "station_grid", "source_table",
           "wind_at_stations"]

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co")


def times_local(s) -> pd.DatetimeIndex:
    """Times as a tz-aware Asia/Shanghai index (naive values are read as Beijing time)."""
    t = pd.DatetimeIndex(s)
    return t.tz_localize("Asia/Shanghai") if t.tz is None else t.tz_convert("Asia/Shanghai")


def lonlat(df: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees) from ``lon``/``lat`` columns or geometries (lines and
    areas: a representative point; they are integrated by :mod:`._discretise`)."""
    if "lon" in df and "lat" in df:
        return df["lon"].to_numpy(float), df["lat"].to_numpy(float)
    if "geometry" in df:
        geom = df["geometry"]
        if hasattr(geom, "geom_type") and (geom.geom_type != "Point").any():
            geom = geom.where(geom.geom_type == "Point", geom.representative_point())
        return np.asarray(geom.x, float), np.asarray(geom.y, float)
    raise GeoairInputError(f"The {what} have no coordinates.", received=list(map(str, df.columns))[:20],
                           fix="Pass a GeoDataFrame (EPSG:4326) or columns 'lon' and 'lat' in degrees.")


@dataclass
class Grid:
    """Observations on a station x hour grid.

    Attributes
    ----------
    codes : ndarray (S,) of str
    times : DatetimeIndex (T,), Asia/Shanghai
    lon, lat : ndarray (S,)
    cluster : ndarray (S,) of int
        Station group sharing one regional value per hour (city, else one group).
    data : dict of ndarray (S, T)
        ``pm25, pm10, so2, no2, co, ws, wd, blh`` where observed (NaN = missing).
    present : bool ndarray (S, T)
        Station-hours present in the observations (rows of the output).
    rows : tuple of int ndarrays
        Station and hour index of each observation row (in the validated frame's order).
    """

    codes: np.ndarray
    times: pd.DatetimeIndex
    lon: np.ndarray
    lat: np.ndarray
    cluster: np.ndarray
    data: dict = field(default_factory=dict)
    present: np.ndarray | None = None
    rows: tuple = ()

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.codes), len(self.times)


def validate(obs: pd.DataFrame, stations, log: DropLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check columns, align station codes, drop (and log) stations without coordinates."""
    require_columns(obs, ["station", "time", "pm25"], what="observations")
    require_columns(stations, ["station"], what="stations")
    obs = obs.copy()
    obs["station"] = obs["station"].astype(str)
    obs["time"] = times_local(obs["time"])
    st = pd.DataFrame(stations).copy()
    st["station"] = st["station"].astype(str)
    known = obs["station"].isin(set(st["station"]))
    if not known.any() and len(obs):
        raise GeoairInputError("Observation stations are missing from the station table.", column="station",
                               received=sorted(set(obs["station"]))[:10],
                               fix="Pass the stations of every observed code.")
    if not known.all():
        unknown = sorted(set(obs.loc[~known, "station"]))
        log.add("station not in the station table (no coordinates)", np.flatnonzero(~known.to_numpy()),
                column="station", values=unknown)
        warnings.warn(f"{len(unknown)} observed station(s) are not in the station table and were "
                      f"dropped ({(~known).sum()} rows), e.g. {unknown[:5]}; see attrs['droplog'].",
                      UserWarning, stacklevel=3)
        obs = obs.loc[known].reset_index(drop=True)
    st = st[st["station"].isin(obs["station"].unique())].drop_duplicates("station").reset_index(drop=True)
    return obs, st


def station_grid(obs: pd.DataFrame, st: pd.DataFrame, log: DropLog) -> Grid:
    """Put the observations on a (station, hour) grid; stations grouped by city."""
    lon, lat = lonlat(st, "stations")
    codes = st["station"].to_numpy()
    times = pd.DatetimeIndex(np.sort(obs["time"].unique()))
    s_idx = pd.Index(codes).get_indexer(obs["station"])
    t_idx = times.get_indexer(obs["time"])
    S, T = len(codes), len(times)
    data = {}
    for col in (*POLLUTANTS, "ws", "wd", "blh"):
        if col in obs:
            a = np.full((S, T), np.nan)
            a[s_idx, t_idx] = pd.to_numeric(obs[col], errors="coerce").to_numpy(float)
            data[col] = a
    present = np.zeros((S, T), bool)
    present[s_idx, t_idx] = True
    log.add("PM2.5 missing: station-hour not used in the fit (contributions still estimated)",
            np.flatnonzero(obs["pm25"].isna().to_numpy()), column="pm25")
    key = st["city"].astype(str).to_numpy() if "city" in st else np.zeros(S, int)
    cluster = pd.factorize(key)[0] if S else np.zeros(0, int)
    return Grid(codes, times, lon, lat, cluster.astype(np.int64), data, present, (s_idx, t_idx))


@dataclass
class SourceTable:
    """Point sources and fires as design sources.

    A fire appears once per candidate burning duration (one *design category* each, merged
    into ``burning`` in the output); lines and areas may be design categories of their own
    (``coal@area``, merged into ``coal``). ``table`` columns: ``source_id, category (output),
    design (design-category index), kind, lon, lat, weight, height, profile (row of
    activity), fire (a fire detection)``.
    """

    table: pd.DataFrame
    activity: np.ndarray
    design: list  # design-category names, e.g. "coal", "coal@area", "burning@3h"
    output: list  # output category of each design category
    shapes: dict = field(default_factory=dict)  # source_id -> line/area geometry (see _discretise)

    def output_index(self, cats) -> np.ndarray:
        return pd.Index(list(cats)).get_indexer(self.output)

    def fire_designs(self) -> np.ndarray:
        """True for the design categories of fire detections (bool, one per design category)."""
        return np.isin(np.arange(len(self.design)), self.table.loc[self.table["fire"], "design"].to_numpy(np.int64))


def _activity_fn(pname, af, at, tl):
    def fn():
        a = _prof.activity(pname, tl)
        if pd.notna(af):
            a = a * (tl >= times_local([af])[0])
        if pd.notna(at):
            a = a * (tl <= times_local([at])[0])
        return np.asarray(a, float)
    return fn


def _point_sources(sources, cats, tl, profiles, log, rows, act, keys, geometry_class=None):
    """Rows of the point sources (activity profile by kind, active_from/active_to).

    ``sources`` has ``source_id`` and ``category`` (checked by :func:`source_table`).

    ``geometry_class`` maps the source ids of lines and areas to ``"line"``/``"area"``: their
    rows get the design category ``category@line`` or ``category@area`` (default: all rows
    are designed as their category).
    """
    src = sources.reset_index(drop=True)
    geometry_class = geometry_class or {}
    lon, lat = lonlat(src, "sources")
    kind_prof = {**_prof.KIND_PROFILE, **(profiles or {})}
    bad_cat = ~src["category"].isin(cats).to_numpy()
    log.add("source category not modelled", np.flatnonzero(bad_cat), column="category",
            values=src.loc[bad_cat, "category"])
    bad_xy = ~(np.isfinite(lon) & np.isfinite(lat))
    log.add("source without coordinates", np.flatnonzero(bad_xy & ~bad_cat), column="geometry")
    weight = pd.to_numeric(src["weight"], errors="coerce").fillna(1.0).to_numpy() if "weight" in src \
        else np.ones(len(src))
    kind = src["kind"].astype("string").fillna("").str.lower() if "kind" in src else pd.Series([""] * len(src))
    height = pd.to_numeric(src["height"], errors="coerce").fillna(0.0).to_numpy() if "height" in src \
        else np.zeros(len(src))
    a_from = pd.to_datetime(src["active_from"]) if "active_from" in src else pd.Series(pd.NaT, index=src.index)
    a_to = pd.to_datetime(src["active_to"]) if "active_to" in src else pd.Series(pd.NaT, index=src.index)
    af_l = times_local(a_from.fillna(pd.Timestamp("1900-01-01")))
    at_l = times_local(a_to.fillna(pd.Timestamp("2200-01-01")))
    out_period = np.asarray((af_l > tl.max()) | (at_l < tl.min())) if len(tl) else np.zeros(len(src), bool)
    out_period &= ~bad_cat & ~bad_xy
    _warn_out_of_period(log, out_period, "source", "active_from/active_to", tl)
    for i in np.flatnonzero(~(bad_cat | bad_xy | out_period)):
        cat = src["category"].iat[i]
        pname = kind_prof.get(kind.iat[i], _prof.CATEGORY_DEFAULT_PROFILE.get(cat, "constant"))
        key = (pname, a_from.iat[i], a_to.iat[i])
        if key not in keys:
            keys[key] = len(act)
            act.append(_activity_fn(pname, key[1], key[2], tl)())
        sid = str(src["source_id"].iat[i])
        design = f"{cat}@{geometry_class[sid]}" if sid in geometry_class else cat
        rows.append((sid, cat, design, kind.iat[i], lon[i], lat[i], weight[i], height[i], keys[key], False))


def _warn_out_of_period(log, mask, what, column, tl):
    if not mask.any():
        return
    span = f"{tl.min():%Y-%m-%d} .. {tl.max():%Y-%m-%d}" if len(tl) else "(none)"
    log.add(f"{what} outside the observation period (left out)", np.flatnonzero(mask), column=column)
    warnings.warn(f"{int(mask.sum())} {what}(s) do not overlap the observations ({span}) and were left out; "
                  "see attrs['droplog'].", UserWarning, stacklevel=5)


def _fires(fires, tl, sigma_grid, weight_mode, log, rows, act, lag_grid=(0.0,)):
    """Rows of the fire points, once per candidate burning duration and lag (design categories)."""
    require_columns(fires, ["time"], what="fires")
    fr = fires.reset_index(drop=True)
    lon, lat = lonlat(fr, "fires")
    ft = times_local(pd.to_datetime(fr["time"], utc=True))
    w = pd.to_numeric(fr["frp"], errors="coerce").fillna(0.0).to_numpy() if (weight_mode == "frp" and "frp" in fr) \
        else np.ones(len(fr))
    ids = fr["fire_id"].astype(str).to_numpy() if "fire_id" in fr else np.array([f"fire{i}" for i in range(len(fr))])
    bad = ~(np.isfinite(lon) & np.isfinite(lat)) | np.asarray(pd.isna(ft))
    log.add("fire without coordinates or time", np.flatnonzero(bad), column="geometry")
    reach = pd.Timedelta(hours=4 * max(sigma_grid) + max(np.abs(lag_grid)) + 1)
    outside = np.asarray((ft < tl.min() - reach) | (ft > tl.max() + reach)) & ~bad if len(tl) else ~bad
    _warn_out_of_period(log, outside, "fire", "time", tl)
    combos = [(g, o) for o in lag_grid for g in sigma_grid]
    design = [f"burning@{g:g}h" + (f"{o:+g}h" if o else "") for g, o in combos]
    keep = np.flatnonzero(~(bad | outside))
    # hours between each overpass and the middle of each averaging hour (labels are hour ends)
    mid = (tl - pd.Timedelta(minutes=30)).tz_convert("UTC").tz_localize(None).to_numpy()
    f_utc = ft[keep].tz_convert("UTC").tz_localize(None).to_numpy()
    dt_h = (mid[None, :] - f_utc[:, None]) / np.timedelta64(1, "h")
    for (g, o), name in zip(combos, design, strict=True):
        prof = np.where(np.abs(dt_h - o) > 4 * g, 0.0, np.exp(-0.5 * ((dt_h - o) / g) ** 2))  # profiles.activity("fire")
        for row, i in zip(prof, keep, strict=True):
            act.append(row)
            rows.append((ids[i], "burning", name, "fire", lon[i], lat[i], w[i], 0.0, len(act) - 1, True))
    return design


def source_table(sources, fires, times, cats, *, profiles=None, fire_sigma_grid=(1.5, 3.0, 6.0),
                 fire_lag_grid=(0.0,), fire_weight="frp", split_geometry=False, log: DropLog) -> SourceTable:
    """Sources and fires as design sources with activity profiles (see :class:`SourceTable`).

    With ``split_geometry`` the lines and areas of a category are design categories of their
    own (``vehicle@line``, ``coal@area``), after the points' (``vehicle``, ``coal``).
    """
    from ._discretise import shapes_of

    tl = times_local(times)
    rows: list = []
    act: list = []
    shapes: dict = {}
    if sources is not None and len(sources):
        require_columns(sources, ["source_id", "category"], what="sources")
        shapes = shapes_of(sources)
        geo = {k: ("line" if g.geom_type.endswith("LineString") else "area") for k, g in shapes.items()} \
            if split_geometry else None
        _point_sources(sources, cats, tl, profiles, log, rows, act, {}, geo)
    fire_design: list = []
    if fires is not None and len(fires) and "burning" in cats:
        fire_design = _fires(fires, tl, tuple(fire_sigma_grid), fire_weight, log, rows, act,
                             tuple(float(o) for o in fire_lag_grid))
    cols = ["source_id", "category", "design_name", "kind", "lon", "lat", "weight", "height", "profile", "fire"]
    table = pd.DataFrame(rows, columns=cols).astype({"fire": bool})
    names = set(table["design_name"])
    design = [c for c in cats if c in names] + [f"{c}@{g}" for c in cats for g in ("line", "area")
                                                  if f"{c}@{g}" in names] + [d for d in fire_design if d in names]
    table["design"] = pd.Index(design).get_indexer(table["design_name"]).astype(np.int64)
    output = [d.split("@")[0] for d in design]
    activity = np.vstack(act) if act else np.zeros((0, len(times)))
    return SourceTable(table, activity, design, output, shapes)


def wind_at_stations(grid: Grid, wind, warn=True):
    """Wind components (m/s, blowing to) and BLH at the station-hours, and where they came from.

    The wind field (``u10, v10[, blh]``) is sampled at the stations when given; otherwise the
    stations' ``ws``/``wd``; a station-hour without wind takes that hour's network-mean vector.
    """
    S, T = grid.shape
    u = np.full((S, T), np.nan)
    v = np.full((S, T), np.nan)
    blh, source = grid.data.get("blh"), "none"
    if wind is not None:
        from ..met.wind import sample_wind

        tu = grid.times.tz_convert("UTC").tz_localize(None).to_numpy()
        lon, lat, tt = np.repeat(grid.lon, T), np.repeat(grid.lat, T), np.tile(tu, S)
        uu, vv = sample_wind(wind, lon, lat, tt)
        u, v = np.asarray(uu, float).reshape(S, T), np.asarray(vv, float).reshape(S, T)
        if "blh" in wind:
            import xarray as xr

            bl = xr.Dataset({"u10": wind["blh"], "v10": wind["blh"]})
            blh = np.asarray(sample_wind(bl, lon, lat, tt)[0], float).reshape(S, T)
        source = "field"
    elif "ws" in grid.data and "wd" in grid.data:
        ws, wd = grid.data["ws"], np.radians(grid.data["wd"])
        u, v = -ws * np.sin(wd), -ws * np.cos(wd)
        u[ws == 0], v[ws == 0] = 0.0, 0.0
        source = "stations"
    if np.all(np.isnan(u)):
        if warn:
            warnings.warn("No wind given (no `wind` field covering the stations and no ws/wd columns): every "
                          "source uses the direction-averaged (isotropic) plume kernel at 2 m/s, class D; "
                          "contributions reflect distance and activity only.", UserWarning, stacklevel=3)
        return u, v, blh, "none"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        um, vm = np.nanmean(u, axis=0), np.nanmean(v, axis=0)
    u = np.where(np.isnan(u), um[None, :], u)
    v = np.where(np.isnan(v), vm[None, :], v)
    return u, v, blh, source
