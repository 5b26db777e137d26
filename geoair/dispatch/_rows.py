"""Priority rows of every list (sources, fire clusters, "check the station"), as one table.

:func:`geoair.priority.priority_list` writes ``group`` ``"source"`` or ``"fire_cluster"``;
the integrity screen's "check the station" rows (:func:`geoair.integrity.integrity_priority_rows`)
have ``kind == "station_check"`` and ``category == "integrity"``. :func:`row_kind` reads the
kind of every row from those columns, so rows of any list can be dispatched together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import GeoairInputError, require_columns

__all__ = ["ROW_KINDS", "row_kind", "as_points", "plain"]

#: The kinds of task, in the order tasks are listed within a level.
ROW_KINDS = ("source", "fire_cluster", "station_check")


def _text(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series("", index=frame.index, dtype="string")
    return frame[col].astype("string").fillna("").str.strip().str.lower()


def row_kind(table: pd.DataFrame) -> np.ndarray:
    """``"source"``, ``"fire_cluster"`` or ``"station_check"`` for every priority row.

    A row is a station check when its ``kind`` is ``station_check``, its ``category`` is
    ``integrity`` or its ``group`` is ``station_check``; a fire cluster when its ``group`` or
    ``kind`` is ``fire_cluster``; otherwise a source.
    """
    group, kind, cat = _text(table, "group"), _text(table, "kind"), _text(table, "category")
    station = (kind == "station_check") | (cat == "integrity") | (group == "station_check")
    fire = (group == "fire_cluster") | (kind == "fire_cluster")
    out = np.where(station.to_numpy(), "station_check", np.where(fire.to_numpy(), "fire_cluster", "source"))
    return out.astype(object)


def plain(df) -> pd.DataFrame:
    """A copy as a plain DataFrame without ``attrs`` (a DropLog in attrs breaks merges)."""
    out = pd.DataFrame(df).copy()
    out.attrs = {}
    return out


def as_points(priority, *, what: str = "priority list"):
    """The rows as a GeoDataFrame of points in EPSG:4326 (geometry, or ``lon_wgs84/lat_wgs84``).

    Rows without a location keep an empty geometry (the caller reports them).
    """
    import geopandas as gpd

    require_columns(priority, ["source_id"], what=what)
    if isinstance(priority, gpd.GeoDataFrame) and priority.geometry.name in priority.columns:
        if priority.crs is None:
            raise GeoairInputError(f"The {what} has no CRS.", fix="Set it, e.g. gdf.set_crs('EPSG:4326').")
        out = priority.to_crs("EPSG:4326").copy()
        out.attrs = {}
        return out
    if {"lon_wgs84", "lat_wgs84"} <= set(priority.columns):
        df = plain(priority)
        lon = pd.to_numeric(df["lon_wgs84"], errors="coerce")
        lat = pd.to_numeric(df["lat_wgs84"], errors="coerce")
        geom = gpd.points_from_xy(lon, lat)
        geom[(lon.isna() | lat.isna()).to_numpy()] = None
        return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")
    raise GeoairInputError(f"The {what} has no locations.", received=list(map(str, priority.columns))[:20],
                           fix="Pass the GeoDataFrame of geoair.priority.priority_list, or columns "
                               "'lon_wgs84' and 'lat_wgs84' (degrees).")


#: Units of the dispatch columns that are quantities (the data-model columns come from geoair.schema).
_UNITS = {
    "lon_wgs84": "degree (WGS84)", "lat_wgs84": "degree (WGS84)", "lon_gcj02": "degree (GCJ-02)",
    "lat_gcj02": "degree (GCJ-02)", "distance_km": "km", "score": "see score_unit (per row kind)",
    "window_start": "hour of day (local time, hour beginning)", "window_end": "hour of day (local time, hour beginning)",
    "peak_hour": "hour of day (local time, hour beginning)", "hours_share": "1 (fraction)",
    "window_share": "1 (fraction)", "n_days": "days", "weight": "1 (relative prior weight)",
    "weight_prior": "1 (relative prior weight)", "feedback_factor": "1 (ratio)", "hit_rate": "1 (fraction)",
    "lower": "1 (fraction)", "upper": "1 (fraction)", "contribution": "µg/m³",
}


def units(df) -> dict[str, str]:
    """``attrs["units"]`` of a dispatch result: each quantity column present, with its unit."""
    from ..schema import UNITS

    out = {c: UNITS[c] for c in df.columns if c in UNITS}
    out.update({c: u for c, u in _UNITS.items() if c in df.columns})
    out.update({c: "count" for c in df.columns if str(c).startswith("n_") and c not in out})
    return out
