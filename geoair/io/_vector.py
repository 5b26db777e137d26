"""Vector files (GeoJSON, optionally .gz; GeoPackage; shapefile) read safely, in degrees."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import GeoairInputError
from ..schema import CRS
from ._common import cannot_read

#: File name endings read as vector files.
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".geojson.gz", ".json.gz")


def is_vector(path: Path) -> bool:
    return "".join(path.suffixes).lower().endswith(VECTOR_SUFFIXES)


def read_vector(path: Path, what: str) -> Any:
    """``geopandas.read_file`` (a ``.gz`` is decompressed first); errors name the file.

    A layer in a projected CRS is moved to EPSG:4326; a layer without a CRS, or declared
    geographic (GeoJSON without a ``crs`` member is taken as WGS84 by GDAL), whose coordinates
    exceed ±180/±90 raises: it is in metres (or another projection) and cannot be placed.
    """
    import geopandas as gpd

    try:
        if path.suffix.lower() == ".gz":
            with gzip.open(path, "rb") as fh:
                gdf = gpd.read_file(io.BytesIO(fh.read()))
        else:
            gdf = gpd.read_file(path)
    except Exception as err:  # noqa: BLE001 - GDAL/pyogrio raise their own error family
        raise cannot_read(path, what, err, "Pass a GeoJSON, GeoPackage or shapefile (GeoJSON may be .gz).") from None
    return to_degrees(gdf, path, what)


def to_degrees(gdf: Any, path: Any, what: str) -> Any:
    """Check that a layer's coordinates are degrees (see :func:`read_vector`); reproject if needed."""
    if gdf.crs is not None and not gdf.crs.is_geographic:
        return gdf.to_crs(CRS)
    geom = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty] if len(gdf) else gdf.geometry
    if len(geom):
        b = np.asarray(geom.total_bounds, dtype=float)
        if np.isfinite(b).all() and (max(abs(b[0]), abs(b[2])) > 180 or max(abs(b[1]), abs(b[3])) > 90):
            raise GeoairInputError(
                f"The {what}'s coordinates lie outside ±180/±90 degrees, but the file declares no "
                "projected CRS: they are metres or another projection (GeoJSON without a 'crs' "
                "member is read as WGS84 degrees).",
                file=path, received=[round(float(v), 1) for v in b],
                fix="Re-export the file as WGS84 (EPSG:4326) longitude/latitude, or write its CRS "
                "into it (e.g. a GeoPackage, or ogr2ogr -a_srs EPSG:3857).",
            )
    return gdf
