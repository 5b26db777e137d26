"""A source's hourly contribution at its most affected station, from the attribution's output.

The attribution (:class:`geoair.apportion.SourceAttribution`) estimates every category's
hourly contribution at every station (``contributions_``) and each source's mean contribution
(``source_scores_``). Inspectors need the source's own hourly pattern: when is it most likely
caught emitting? :func:`source_hourly` splits the category's hourly contribution at the
station among that category's sources in proportion to their hourly plume exposure, as the
attribution itself splits category coefficients among sources:

``c_s(t) = C_k(st, t) * e_s(t) / sum_j e_j(t)``,  ``e_j(t) = w_j * a_j(t) * K_j(st, t)``

with ``C_k`` the category's hourly contribution, ``w_j`` the prior weight, ``a_j`` the activity
profile (:mod:`geoair.apportion.profiles`, with ``active_from``/``active_to``) and ``K_j`` the
Gaussian-plume transfer under the station's hourly wind (:mod:`geoair.dispatch._plume`); ``j``
runs over the category's sources within ``cutoff_km`` of the station. Hours in which no source
of the category is exposed give the source nothing. Without the sources layer or the station
locations, ``c_s(t) = C_k(st, t) * a_s(t) / a_k(t)`` (the category's pattern, reshaped by the
source's own activity profile where it differs from the category default).

For the main attribution this reproduces its per-source split exactly when the physics agree;
for the assimilating attribution it applies the hourly update of the category to the source in
proportion to its prior share, as its ``source_scores_`` does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import GeoairInputError, require_columns
from ._rows import plain, row_kind

__all__ = ["source_hourly", "HOURLY_COLUMNS"]

HOURLY_COLUMNS = ("source_id", "station", "category", "time", "contribution", "basis")
_EARTH_R = 6_371_008.8


def _local(times) -> pd.DatetimeIndex:
    t = pd.DatetimeIndex(times)
    return t.tz_localize("Asia/Shanghai") if t.tz is None else t.tz_convert("Asia/Shanghai")


def _profile_name(kind: str, category: str, profiles: dict | None) -> str:
    from ..apportion import profiles as prof

    k = str(kind or "").strip().lower()
    if profiles and k in profiles:
        return profiles[k]
    return prof.KIND_PROFILE.get(k, prof.CATEGORY_DEFAULT_PROFILE.get(str(category), "constant"))


def _activity(frame: pd.DataFrame, times: pd.DatetimeIndex, profiles: dict | None) -> np.ndarray:
    """Activity (rows x hours) of each source: its profile, zero outside active_from/active_to."""
    from ..apportion import profiles as prof

    names = [_profile_name(k, c, profiles) for k, c in zip(frame["kind"], frame["category"], strict=True)]
    cache = {p: prof.activity(p, times) for p in set(names) if p != "fire"}
    act = np.vstack([cache.get(p, np.ones(len(times))) for p in names]) if names else np.zeros((0, len(times)))
    for col, after in (("active_from", True), ("active_to", False)):
        if col in frame.columns:
            lim = pd.to_datetime(frame[col], errors="coerce")
            lim = lim.dt.tz_localize("Asia/Shanghai") if lim.dt.tz is None else lim.dt.tz_convert("Asia/Shanghai")
            for i, v in enumerate(lim):
                if pd.notna(v):
                    act[i, (times < v) if after else (times > v)] = 0.0
    return act


def _station_wind(observations, station: str, times: pd.DatetimeIndex):
    """(u, v, known) at the station for each hour; NaN where the wind is unknown."""
    from ._plume import wind_uv

    nan = np.full(len(times), np.nan)
    if observations is None or not {"ws", "wd"} <= set(observations.columns):
        return nan, nan.copy(), False
    obs = observations[observations["station"].astype(str) == station]
    if not len(obs):
        return nan, nan.copy(), False
    w = pd.DataFrame({"ws": obs["ws"].to_numpy(float), "wd": obs["wd"].to_numpy(float)},
                     index=_local(obs["time"])).groupby(level=0).mean().reindex(times)
    u, v = wind_uv(w["ws"].to_numpy(), w["wd"].to_numpy())
    return u, v, bool(np.isfinite(u).any())


def _near(sources: pd.DataFrame, category: str, lon0: float, lat0: float, cutoff_m: float, must: set):
    """The category's sources within the cut-off (and the rows' own sources), with offsets (m)."""
    cand = sources[(sources["category"] == category) | sources["source_id"].isin(must)]
    lon, lat = cand.geometry.x.to_numpy(), cand.geometry.y.to_numpy()
    # station offset from each source, local equirectangular metres (< 0.1 % error within 50 km)
    dx = np.radians(lon0 - lon) * np.cos(np.radians(lat0)) * _EARTH_R
    dy = np.radians(lat0 - lat) * _EARTH_R
    keep = (np.hypot(dx, dy) <= cutoff_m) | cand["source_id"].isin(must).to_numpy()
    return cand[keep], dx[keep], dy[keep]


def _split_plume(cat_series, rows, sources, st_xy, observations, cutoff_m, profiles):
    """Per row of one (station, category): the plume share of the category's hourly contribution."""
    from ..apportion.kernels import solar_elevation, stability_class
    from ._plume import transfer

    station, category = rows["station"].iat[0], rows["category"].iat[0]
    times = cat_series.index
    lon0, lat0 = st_xy
    near, dx, dy = _near(sources, category, lon0, lat0, cutoff_m, set(rows["source_id"]))
    u, v, has_wind = _station_wind(observations, station, times)
    cls = stability_class(np.hypot(u, v), solar_elevation(times, [lon0], [lat0])[0])
    height = near["height"].to_numpy(float)[:, None] if "height" in near.columns else 0.0
    weight = near["weight"].to_numpy(float) if "weight" in near.columns else np.ones(len(near))
    e = transfer(dx[:, None], dy[:, None], u, v, cls, np.nan_to_num(height)) * _activity(near, times, profiles)
    e *= np.nan_to_num(weight, nan=0.0)[:, None]
    total = e.sum(axis=0)
    pos = {sid: i for i, sid in enumerate(near["source_id"])}
    basis = "plume_share" if has_wind else "plume_share_no_wind"
    out = {}
    for sid in rows["source_id"]:
        share = np.divide(e[pos[sid]], total, out=np.zeros(len(times)), where=total > 0)
        out[sid] = (cat_series.to_numpy() * share, basis)
    return out


def _split_profile(cat_series, rows, profiles):
    """Fallback: the category's pattern reshaped by the source's own activity profile."""
    times = cat_series.index
    own = _activity(rows[["kind", "category"]], times, profiles)
    cat = _activity(rows.assign(kind="")[["kind", "category"]], times, profiles)
    out = {}
    for i, sid in enumerate(rows["source_id"]):
        ratio = np.divide(own[i], cat[i], out=np.zeros(len(times)), where=cat[i] > 0)
        out[sid] = (cat_series.to_numpy() * ratio, "category_profile")
    return out


def _prepare(priority, contributions, pollutant):
    rows = plain(priority)
    require_columns(rows, ["source_id", "station", "category"], what="priority list")
    rows = rows[row_kind(rows) == "source"].copy()
    for c in ("source_id", "station", "category", "kind"):
        rows[c] = rows[c].astype("string").fillna("").astype(str) if c in rows.columns else ""
    rows = rows[rows["station"] != ""].drop_duplicates("source_id")
    require_columns(contributions, ["station", "time", "category", pollutant], what="contributions")
    con = plain(contributions)[["station", "time", "category", pollutant]]
    con["station"] = con["station"].astype(str)
    con["time"] = _local(con["time"])
    return rows, con


def _sources_frame(sources):
    if sources is None:
        return None
    require_columns(sources, ["source_id", "category", "geometry"], what="sources")
    src = sources.to_crs("EPSG:4326").copy()
    src.attrs = {}
    src["source_id"] = src["source_id"].astype(str)
    if "kind" not in src.columns:
        src["kind"] = ""
    return src


def _stations_xy(stations) -> dict:
    if stations is None:
        return {}
    st = stations.to_crs("EPSG:4326") if hasattr(stations, "to_crs") else stations
    lon = st.geometry.x.to_numpy() if "geometry" in st.columns else st["lon"].to_numpy(float)
    lat = st.geometry.y.to_numpy() if "geometry" in st.columns else st["lat"].to_numpy(float)
    return dict(zip(st["station"].astype(str), zip(lon, lat, strict=True), strict=True))


def source_hourly(priority, contributions, *, sources=None, stations=None, observations=None,
                  pollutant: str = "pm25", cutoff_km: float = 50.0, profiles: dict | None = None) -> pd.DataFrame:
    """Hourly contribution (µg/m³) of each listed source at its most affected station.

    Parameters
    ----------
    priority : DataFrame
        Priority rows (``source_id, station, category[, kind]``); only source rows with a
        station are used (fire clusters and station checks have no attribution series).
    contributions : DataFrame
        ``station, time, category, pm25`` (µg/m³): the attribution's ``contributions_``.
    sources : GeoDataFrame, optional
        The sources layer given to the attribution (``source_id, category, kind, weight[,
        height, active_from, active_to]``, EPSG:4326): the category's contribution is split
        among its sources by hourly plume exposure. Without it (or without ``stations``) the
        category's pattern reshaped by the source's activity profile is used.
    stations : GeoDataFrame, optional
        ``station`` and point geometry (or ``lon, lat``).
    observations : DataFrame, optional
        ``station, time, ws, wd`` (m/s, degrees from north): the station's hourly wind. Without
        it the plume is averaged over all directions (distance and activity only).
    pollutant : str
        Contribution column (``pm25`` or ``pm10``).
    cutoff_km : float
        Sources of the category farther than this from the station are not exposed (km), as
        in the attribution.
    profiles : dict, optional
        Source kind -> activity profile overrides (as given to the attribution).

    Returns
    -------
    DataFrame
        ``source_id, station, category, time`` (Asia/Shanghai, end of hour), ``contribution``
        (µg/m³), ``basis`` (``plume_share``, ``plume_share_no_wind`` or ``category_profile``).
    """
    rows, con = _prepare(priority, contributions, pollutant)
    src = _sources_frame(sources)
    xy = _stations_xy(stations)
    if src is not None:
        missing = sorted(set(rows["source_id"]) - set(src["source_id"]))
        if missing:
            raise GeoairInputError("Priority rows name sources that are not in the sources layer.",
                                   column="source_id", received=missing[:10],
                                   fix="Pass the sources layer the attribution was fitted with.")
    parts = []
    for (station, category), grp in rows.groupby(["station", "category"], sort=False):
        sel = con[(con["station"] == station) & (con["category"] == category)]
        series = sel.groupby("time")[pollutant].sum().sort_index()
        if not len(series):
            continue
        if src is not None and station in xy:
            split = _split_plume(series, grp, src, xy[station], observations, cutoff_km * 1000.0, profiles)
        else:
            split = _split_profile(series, grp, profiles)
        for sid, (vals, basis) in split.items():
            parts.append(pd.DataFrame({"source_id": sid, "station": station, "category": category,
                                       "time": series.index, "contribution": vals, "basis": basis}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in HOURLY_COLUMNS})
    return pd.concat(parts, ignore_index=True)[list(HOURLY_COLUMNS)]
