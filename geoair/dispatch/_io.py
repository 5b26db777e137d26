"""Reading the command line's inputs: priority lists (any export format), grids, people, tables."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import pandas as pd

from .._i18n import LABELS
from .._validation import GeoairInputError

__all__ = ["read_table", "read_priority", "read_grids", "read_contributions"]

_VECTOR = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb")


def read_table(path: str | PathLike) -> pd.DataFrame:
    """A CSV (UTF-8 or GB18030), Excel (first sheet) or Parquet file as a DataFrame."""
    p = Path(path)
    if not p.is_file():
        raise GeoairInputError("File not found.", file=p, fix="Check the path.")
    suffix = "".join(p.suffixes[-2:]).lower() if p.suffix.lower() == ".gz" else p.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(p)
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(p, dtype=str)
    if suffix in (".csv", ".csv.gz", ".txt"):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(p, encoding=enc, keep_default_na=True)
            except UnicodeDecodeError:
                continue
        raise GeoairInputError("Cannot decode the file.", file=p, fix="Save it as UTF-8 or GB18030.")
    raise GeoairInputError("Unsupported table file type.", file=p, received=p.suffix,
                           fix="Use CSV, XLSX or Parquet.")


def _reverse(prefix: str) -> dict[str, str]:
    cut = len(prefix) + 1
    out = {}
    for key, labels in LABELS.items():
        if key.startswith(prefix + "."):
            out.update({v: key[cut:] for v in labels.values()})
            out[key[cut:]] = key[cut:]
    return out


def read_priority(path: str | PathLike):
    """A priority list written by :func:`geoair.priority.export_priority` (GeoJSON, CSV or XLSX,
    English or Chinese headers and values) as a GeoDataFrame with the code columns."""
    import geopandas as gpd

    from ..priority import PRIORITY_COLUMNS

    p = Path(path)
    if p.suffix.lower() in _VECTOR:
        if not p.is_file():
            raise GeoairInputError("File not found.", file=p, fix="Check the path.")
        gdf = gpd.read_file(p)
        return gdf.to_crs("EPSG:4326") if gdf.crs is not None else gdf.set_crs("EPSG:4326")
    df = read_table(p)
    heads = {}
    for code, labels in PRIORITY_COLUMNS.items():
        heads.update({v: code for v in labels.values()})
        heads[code] = code
    df = df.rename(columns=lambda c: heads.get(str(c).lstrip("'").strip(), c))
    for col, prefix in (("level", "level"), ("group", "priority.group"), ("kind", "kind"), ("category", "category")):
        if col in df.columns:
            rev = _reverse(prefix)
            df[col] = df[col].map(lambda v, r=rev: r.get(v, v) if isinstance(v, str) else v)
    if "source_id" not in df.columns:
        raise GeoairInputError("The priority file has no source id column.", file=p,
                               received=list(map(str, df.columns))[:20],
                               fix="Pass priority.geojson or priority_<lang>.csv/.xlsx written by geoair.")
    df["source_id"] = df["source_id"].astype(str)
    return df


def read_grids(path: str | PathLike):
    """Grid polygons from a vector file (Shapefile, GeoJSON, GeoPackage)."""
    import geopandas as gpd

    p = Path(path)
    if not p.exists():
        raise GeoairInputError("Grid file not found.", file=p, fix="Check the path.")
    try:
        return gpd.read_file(p)
    except Exception as err:  # pyogrio raises its own error types
        raise GeoairInputError(f"Cannot read the grid file ({err}).", file=p,
                               fix="Pass a Shapefile, GeoJSON or GeoPackage of grid polygons.") from None


def read_contributions(path: str | PathLike) -> pd.DataFrame:
    """``geoair attribute``'s contributions (CSV or Parquet) with ``time`` in Asia/Shanghai."""
    df = read_table(path)
    if "time" not in df.columns:
        raise GeoairInputError("The contributions file has no time column.", file=path,
                               fix="Pass contributions.csv/.parquet written by geoair attribute.")
    t = pd.to_datetime(df["time"], utc=True, errors="coerce") if df["time"].dtype == object else df["time"]
    t = pd.DatetimeIndex(t)
    df["time"] = t.tz_localize("Asia/Shanghai") if t.tz is None else t.tz_convert("Asia/Shanghai")
    return df
