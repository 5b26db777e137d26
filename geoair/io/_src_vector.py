"""Source lists as vector files (GeoJSON, GeoPackage, shapefile) with point (or polygon) geometry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._vector import is_vector, read_vector

NAME = "vector"


def sniff(path: Path) -> bool:
    return is_vector(path)


def read(path: Path) -> tuple[Any, Any]:
    """The attribute table and the geometries (EPSG:4326 degrees; see ``_vector.read_vector``)."""
    import pandas as pd

    gdf = read_vector(path, "source file")
    return pd.DataFrame(gdf.drop(columns=gdf.geometry.name)), gdf.geometry
