"""Line and area geometries of source files: roads, villages, sites (used by ``read_sources``).

A source may be a point, a LineString/MultiLineString (a road) or a Polygon/MultiPolygon (a
village, a construction site, an inventory cell). Vector files carry the geometry; CSV and
Excel files may give it as WKT in a ``wkt`` (or ``geometry``/``几何``) column. GCJ-02 and
BD-09 files are converted vertex by vertex. Strength may be given per length or per area:

``weight_per_km``
    Emission per km of line (g/s per km, or a relative weight per km): ``weight`` becomes
    ``weight_per_km * length_km``.
``weight_per_km2``
    Emission per km² of area (g/s per km², or relative): ``weight`` becomes
    ``weight_per_km2 * area_km2``.

Lengths and areas are geodesic on the WGS84 ellipsoid (``pyproj.Geod``), after the CRS
conversion, and are kept in the ``length_km`` and ``area_km2`` columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validation import GeoairInputError

#: Extra column spellings of :func:`geoair.io.read_sources` for geometry and strengths.
SHAPE_ALIASES: dict[str, str] = {
    "wkt": "wkt",
    "geometry_wkt": "wkt",
    "几何": "wkt",
    "weight_per_km": "weight_per_km",
    "emission_per_km": "weight_per_km",
    "每公里排放": "weight_per_km",
    "weight_per_km2": "weight_per_km2",
    "emission_per_km2": "weight_per_km2",
    "每平方公里排放": "weight_per_km2",
}

_LINE, _AREA = ("LineString", "MultiLineString"), ("Polygon", "MultiPolygon")


def wkt_geometry(df: pd.DataFrame, geom: Any, file: Any) -> Any:
    """Geometries from a ``wkt`` column of a table without geometry (None if there is none)."""
    col = next((c for c in df.columns if SHAPE_ALIASES.get(str(c).strip().lower()) == "wkt"
                or str(c).strip() == "几何"), None)
    if geom is not None or col is None:
        return geom
    import geopandas as gpd
    import shapely

    text = df[col].astype("object")
    present = text.notna().to_numpy()
    out = np.full(len(df), None, dtype=object)
    try:
        out[present] = shapely.from_wkt(text[present].astype(str).to_numpy())
    except shapely.errors.GEOSException as err:
        raise GeoairInputError(
            f"A geometry in the WKT column cannot be read ({err}).", file=file, column=str(col),
            received=text[present].astype(str).str.slice(0, 60).head(3).tolist(),
            fix="Write geometries as WKT in lon/lat order, e.g. LINESTRING (116.3 39.9, 116.4 39.9).",
        ) from None
    return gpd.GeoSeries(out, crs="EPSG:4326")


def kept_shapes(geom: Any, file_rows: np.ndarray, crs: str) -> np.ndarray:
    """Line/area geometries of the kept rows (None for points), converted to WGS84 per vertex."""
    n = len(file_rows)
    out = np.full(n, None, dtype=object)
    if geom is None or not n:
        return out
    import shapely

    g = np.asarray(geom, dtype=object)[np.asarray(file_rows) - 1]
    gtype = shapely.get_type_id(g)
    shape = np.isin(gtype, (1, 2, 3, 5, 6)) & ~shapely.is_empty(g)
    if shape.any() and crs != "wgs84":
        from ..coords import convert_coords

        def conv(xy):
            lon, lat = convert_coords(xy[:, 0], xy[:, 1], src=crs, dst="wgs84")
            return np.stack([np.asarray(lon, float), np.asarray(lat, float)], axis=1)

        g = g.copy()
        g[shape] = shapely.transform(g[shape], conv)
    out[shape] = g[shape]
    return out


def _geodesic(shapes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    length, area = np.full(len(shapes), np.nan), np.full(len(shapes), np.nan)
    for i, g in enumerate(shapes):
        if g is None:
            continue
        if g.geom_type in _LINE:
            length[i] = geod.geometry_length(g) / 1000.0
        elif g.geom_type in _AREA:
            area[i] = abs(geod.geometry_area_perimeter(g)[0]) / 1e6
    return length, area


def strengths(df: pd.DataFrame, shapes: np.ndarray, file: Any, file_rows: np.ndarray) -> pd.DataFrame:
    """``length_km``/``area_km2`` of lines/areas and ``weight`` from per-km or per-km² strengths."""
    length, area = _geodesic(shapes)
    if np.isfinite(length).any():
        df["length_km"] = length
    if np.isfinite(area).any():
        df["area_km2"] = area
    for col, size, what in (("weight_per_km", length, "line"), ("weight_per_km2", area, "area")):
        if col not in df.columns:
            continue
        val = pd.to_numeric(df[col], errors="coerce").to_numpy(float)
        given = df[col].notna().to_numpy()
        bad = given & (~np.isfinite(val) | (val < 0))
        wrong = given & ~bad & ~np.isfinite(size)
        if bad.any() or wrong.any():
            rows = bad if bad.any() else wrong
            raise GeoairInputError(
                f"{col} must be a non-negative number on {what} sources." if bad.any()
                else f"{col} is given on sources that are not {what}s (they have no {'length' if what == 'line' else 'area'}).",
                file=file, column=col, row=file_rows[rows].tolist(), received=df.loc[rows, col].head(5).tolist(),
                fix=f"Give {col} (per {'km' if what == 'line' else 'km²'}) only on {what} geometries, or use weight "
                "(the source's total).",
            )
        if "weight" not in df.columns:
            df["weight"] = np.nan
        use = given & np.isfinite(size)
        w = pd.to_numeric(df["weight"], errors="coerce").to_numpy(float)
        df["weight"] = np.where(use, val * np.nan_to_num(size), w)
    return df


def geometry(lon: np.ndarray, lat: np.ndarray, shapes: np.ndarray) -> np.ndarray:
    """Points at lon/lat where ``shapes`` is None, the line/area geometry elsewhere."""
    import geopandas as gpd

    points = np.asarray(gpd.points_from_xy(lon, lat), dtype=object)
    return np.where(pd.isna(shapes), points, shapes)
