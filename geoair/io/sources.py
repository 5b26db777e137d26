"""Emission-source point files (construction sites, enterprises, power plants) as sources.

Source lists compiled in China are often geocoded on Amap/Tencent (GCJ-02) or Baidu (BD-09);
``crs=`` converts them to WGS84 on read (:mod:`geoair.coords`). One module per file type behind
``sniff(path)``/``read(path)``: :mod:`~geoair.io._src_excel`, :mod:`~geoair.io._src_vector` and
:mod:`~geoair.io._src_csv` (the fallback). Also loaders for two public
inventories: WRI's Global Power Plant Database and GEM's Global Iron and Steel Tracker.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import schema
from .._validation import DropLog, GeoairInputError, check_option, require_columns
from . import _src_csv, _src_excel, _src_shapes, _src_vector
from ._common import read_csv_checked, units_of

if TYPE_CHECKING:
    import geopandas

__all__ = ["read_sources", "read_gppd", "read_gem_steel", "GPPD_FUEL_CATEGORY"]

#: Column spellings accepted by :func:`read_sources` (case-insensitive), mapped to the model.
COLUMN_ALIASES: dict[str, str] = {
    "source_id": "source_id",
    "id": "source_id",
    "编号": "source_id",
    "name": "name",
    "名称": "name",
    "企业名称": "name",
    "项目名称": "name",
    "lon": "lon",
    "lng": "lon",
    "long": "lon",
    "longitude": "lon",
    "经度": "lon",
    "lat": "lat",
    "latitude": "lat",
    "纬度": "lat",
    "category": "category",
    "类别": "category",
    "源类别": "category",
    "kind": "kind",
    "type": "kind",
    "类型": "kind",
    "weight": "weight",
    "权重": "weight",
    "active_from": "active_from",
    "active_to": "active_to",
}

#: GPPD ``primary_fuel`` -> source category. Coal plants are the ``coal`` category (SO2,
#: primary PM and NOx from coal combustion); gas and oil plants emit NOx but little SO2/PM
#: and no coal tracers, so they go to the general combustion/industry category ``industry``.
#: Fuels absent here (hydro, wind, solar, nuclear, geothermal, storage, ...) emit no air
#: pollutants at the plant and are dropped with reason "non-emitting fuel". Biomass, waste,
#: petcoke and cogeneration plants do burn fuel and map to ``industry``.
GPPD_FUEL_CATEGORY: dict[str, str] = {
    "Coal": "coal",
    "Gas": "industry",
    "Oil": "industry",
    "Petcoke": "industry",
    "Biomass": "industry",
    "Waste": "industry",
    "Cogeneration": "industry",
}

_NON_EMITTING = "non-emitting fuel"


def _category_lookup() -> dict[str, str]:
    table = {c: c for c in schema.CATEGORIES}
    for code, labels in schema.CATEGORY_LABELS.items():
        table[labels["zh"]] = code
        table[labels["en"].lower()] = code
    return table


def _normalise_categories(values: pd.Series, path) -> pd.Series:
    lookup = _category_lookup()
    text = values.astype("string").str.strip()
    mapped = text.str.lower().map(lambda s: lookup.get(s) if pd.notna(s) else None)
    mapped = mapped.where(mapped.notna(), text.map(lambda s: lookup.get(s) if pd.notna(s) else None))
    bad = text.notna() & mapped.isna()
    if bad.any():
        valid = ", ".join(f"{c} ({schema.CATEGORY_LABELS[c]['zh']})" for c in schema.CATEGORIES)
        raise GeoairInputError(
            f"Unknown source category {sorted(set(text[bad].tolist()))[:5]}.",
            file=path,
            column="category",
            row=(np.flatnonzero(bad.to_numpy()) + 1).tolist(),
            received=text[bad].head(5).tolist(),
            fix=f"Use one of the categories: {valid}.",
        )
    return mapped.astype("string")


_LAYOUTS = (_src_excel, _src_vector, _src_csv)  # asked in order; CSV takes the rest

#: Said in ``attrs["crs_note"]`` when ``crs=`` is not given.
CRS_NOTE = (
    "Coordinates were read as WGS84 because crs= was not given. Lists geocoded on Amap or "
    "Tencent maps (GCJ-02) or Baidu maps (BD-09) are then ~300-700 m off, which the data "
    "cannot reveal: pass crs='gcj02' or crs='bd09' for such lists."
)


def _load(path) -> tuple[pd.DataFrame, object, Path | None]:
    """The attribute table, the geometries (vector files) and the file, via the first layout
    whose ``sniff`` accepts the file."""
    if isinstance(path, pd.DataFrame):
        return path.copy(), None, None
    p = Path(path)
    if not p.is_file():
        raise GeoairInputError(
            "The source file does not exist." if not p.exists() else "The source path is not a file.",
            file=path, fix="Check the path.",
        )
    layout = next(lay for lay in _LAYOUTS if lay.sniff(p))
    df, geom = layout.read(p)
    return df, geom, p


def _rename(df: pd.DataFrame) -> pd.DataFrame:
    rename = {}
    for col in df.columns:
        key = (COLUMN_ALIASES.get(str(col).strip().lower()) or COLUMN_ALIASES.get(str(col).strip())
               or _src_shapes.SHAPE_ALIASES.get(str(col).strip().lower()))
        if key and key not in rename.values():
            rename[col] = key
    return df.rename(columns=rename).reset_index(drop=True)


def _numeric_coordinates(df: pd.DataFrame, geom, file) -> pd.DataFrame:
    if geom is not None and not {"lon", "lat"} <= set(df.columns):
        geom = geom.reset_index(drop=True)
        pts = geom.where(geom.geom_type == "Point", geom.representative_point())
        df["lon"] = pts.x.to_numpy()
        df["lat"] = pts.y.to_numpy()
    for col in ("lon", "lat"):
        if col not in df.columns:
            raise GeoairInputError(
                f"The source file has no {'longitude' if col == 'lon' else 'latitude'} column.",
                file=file, column=col, received=list(map(str, df.columns))[:30],
                fix="Name the coordinate columns lon/lat (or 经度/纬度, longitude/latitude).",
            )
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna() & df[col].notna()
        if bad.any():
            raise GeoairInputError(
                "Coordinates are not numbers.", file=file, column=col,
                row=(np.flatnonzero(bad.to_numpy()) + 1).tolist(), received=df.loc[bad, col].head(5).tolist(),
                fix="Use decimal degrees (e.g. 116.397), not degree-minute-second text.",
            )
        df[col] = num.astype("float64")
    return df


def _place(df: pd.DataFrame, geom, file, log: DropLog) -> tuple[pd.DataFrame, np.ndarray]:
    """Numeric lon/lat; rows without coordinates, with swapped ones or outside China dropped
    and logged. A file where no row lies in China raises. Returns the kept rows and their
    1-based file rows."""
    from .stations import CHINA_BOUNDS, _inside

    df = _numeric_coordinates(df, geom, file)
    file_rows = np.arange(1, len(df) + 1)
    lon, lat = df["lon"].to_numpy(), df["lat"].to_numpy()
    missing = np.isnan(lon) | np.isnan(lat)
    inside = _inside(lon, lat)
    swapped = _inside(lat, lon) & ~inside
    outside = ~missing & ~inside & ~swapped
    if len(df) and not inside.any() and not missing.all():
        all_swapped = swapped[~missing].all()
        raise GeoairInputError(
            "Longitude and latitude look swapped (longitudes in 3-54, latitudes in 73-136)." if all_swapped
            else f"No source lies in China: coordinates out of range of {CHINA_BOUNDS} (lon_min, lat_min, "
            "lon_max, lat_max), or projected (metres).",
            file=file, column="lon", received=[(float(a), float(b)) for a, b in zip(lon[:3], lat[:3], strict=False)],
            fix="Swap the lon and lat columns." if all_swapped else "Give WGS84/GCJ-02/BD-09 decimal degrees.",
        )
    where = file_rows if file is not None else file_rows - 1  # a frame given directly: 0-based positions
    log.add("missing coordinates (lon/lat); dropped", where[missing], file=file)
    log.add("lon/lat look swapped (latitude column holds a longitude); dropped", where[swapped], file=file,
            values=[f"{a:g},{b:g}" for a, b in zip(lon[swapped], lat[swapped], strict=True)])
    log.add(f"lon/lat outside China's bounding box {CHINA_BOUNDS}; dropped", where[outside], file=file,
            values=[f"{a:g},{b:g}" for a, b in zip(lon[outside], lat[outside], strict=True)])
    keep = inside
    return df.loc[keep].reset_index(drop=True), file_rows[keep]


def _fill(df: pd.DataFrame, col: str, default, file) -> pd.DataFrame:
    if col not in df.columns:
        df[col] = default if default is not None else pd.NA
    elif default is not None:
        df[col] = df[col].where(df[col].notna(), default)
    return df


def _categories(df: pd.DataFrame, category, kind, file, file_rows: np.ndarray) -> pd.DataFrame:
    if "category" not in df.columns and category is None:
        raise GeoairInputError(
            "The source file has no category column and no category= was given.",
            file=file, column="category", received=list(map(str, df.columns))[:30],
            fix=f"Add a category (类别) column or call read_sources(path, category=...) with "
            f"one of {list(schema.CATEGORIES)}.",
        )
    if category is not None:
        _normalise_categories(pd.Series([category]), file)
    df = _fill(df, "category", category, file)
    df["category"] = _normalise_categories(df["category"], file)
    nocat = df["category"].isna().to_numpy()
    if nocat.any():
        raise GeoairInputError(
            "Some sources have no category.", file=file, column="category", row=file_rows[nocat].tolist(),
            fix="Fill the category column or pass category= as a default.",
        )
    df = _fill(df, "kind", kind, file)
    df["kind"] = df["kind"].astype("string")
    df = _fill(df, "name", None, file)
    df["name"] = df["name"].astype("string")
    return df


def _weights_and_ids(df: pd.DataFrame, file, file_rows: np.ndarray) -> pd.DataFrame:
    if "weight" not in df.columns:
        df["weight"] = 1.0
    w = pd.to_numeric(df["weight"], errors="coerce")
    badw = (w.isna() & df["weight"].notna()) | (w < 0)
    if badw.any():
        raise GeoairInputError(
            "weight must be a non-negative number (relative emission strength).",
            file=file, column="weight", row=file_rows[badw.to_numpy()].tolist(),
            received=df.loc[badw, "weight"].head(5).tolist(), fix="Use numbers >= 0, or leave blank for the default 1.",
        )
    df["weight"] = w.fillna(1.0).astype("float64")
    if "source_id" not in df.columns:
        df["source_id"] = [f"S{i:05d}" for i in file_rows]
    df["source_id"] = df["source_id"].astype("string")
    dup = df["source_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise GeoairInputError(
            "source_id values are not unique.", file=file, column="source_id", row=file_rows[dup].tolist(),
            received=df.loc[dup, "source_id"].head(5).tolist(),
            fix="Make source_id unique or drop the column to have ids generated.",
        )
    return df


def _active_dates(df: pd.DataFrame, file, file_rows: np.ndarray) -> pd.DataFrame:
    for col in ("active_from", "active_to"):
        if col in df.columns:
            parsed = pd.to_datetime(df[col], errors="coerce", format="ISO8601")
            bad = (parsed.isna() & df[col].notna()).to_numpy()
            if bad.any():
                raise GeoairInputError(
                    "Dates that cannot be read.", file=file, column=col, row=file_rows[bad].tolist(),
                    received=df.loc[bad, col].head(5).tolist(),
                    fix="Use ISO dates (YYYY-MM-DD) or leave the cell blank (open-ended).",
                )
            df[col] = parsed
    return df


def read_sources(
    path: str | PathLike,
    crs: str | None = None,
    *,
    category: str | None = None,
    kind: str | None = None,
) -> geopandas.GeoDataFrame:
    """Read emission sources (points, lines, areas) from CSV, XLSX, GeoJSON, GeoPackage or shapefile.

    Parameters
    ----------
    path : str, path-like or DataFrame
        The file (CSV in UTF-8 or GB18030, optionally compressed; Excel; a vector file, whose
        projected CRS, if declared, is converted). Columns (English or Chinese,
        case-insensitive): ``name``/名称, ``lon``/经度, ``lat``/纬度 (not needed when the file
        has point geometries), ``category``/类别, ``kind``/类型 (free text such as
        "construction_site"), optional ``source_id``/编号, ``weight``/权重, ``active_from``,
        ``active_to``. Lines (roads) and polygons (villages, sites) from a vector file or a
        ``wkt`` column; their strength is ``weight`` (the whole source's) or ``weight_per_km``
        / ``weight_per_km2`` (per km of line / km² of area; :mod:`geoair.io._src_shapes`).
    crs : {"wgs84", "gcj02", "bd09"}, optional
        Coordinate system of the file. GCJ-02 (Amap, Tencent) and BD-09 (Baidu) are converted
        to WGS84 (iterated inverse, < 1e-9°; :func:`geoair.coords.convert_coords`), every
        vertex of a line or polygon too. **Not given: WGS84 is assumed and said** in ``attrs["crs_note"]`` and
        ``attrs["params"]["crs_assumed"]``. A list geocoded on a Chinese web map and read as
        WGS84 is ~300-700 m off, and nothing in the data can reveal it: say ``crs=``.
    category : str, optional
        Category for rows whose category is blank, or for all rows when the file has no
        category column. English codes or Chinese labels (燃煤, 扬尘, ...).
    kind : str, optional
        Same, for ``kind``.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns ``source_id, category, kind, name, weight`` (float, relative
        emission strength, default 1.0), ``active_from``/``active_to`` when given, extra
        columns of the file kept, ``length_km`` / ``area_km2`` (geodesic) for lines / areas,
        ``geometry`` (points, lines, polygons; a line or area is checked against China's box by
        its representative point). Rows without coordinates, with swapped coordinates or outside
        China's bounding box are dropped into ``attrs["droplog"]`` (1-based file rows; for a
        frame given directly, 0-based positions).

    Raises
    ------
    GeoairInputError
        Unknown categories (the message lists the valid ones), missing category, missing or
        non-numeric coordinate columns, every row swapped or outside China, coordinates in
        metres in a file that declares no projection, an unreadable or damaged file.
    """
    import geopandas as gpd

    from ..coords import convert_coords

    crs_assumed = crs is None
    crs = "wgs84" if crs is None else crs
    check_option("crs", crs, schema.INPUT_CRS)
    df, geom, file = _load(path)
    geom = _src_shapes.wkt_geometry(df, geom, file)
    log = DropLog()
    df, file_rows = _place(_rename(df), geom, file, log)
    lon, lat = df["lon"].to_numpy(), df["lat"].to_numpy()
    if crs != "wgs84" and len(df):
        lon, lat = convert_coords(lon, lat, src=crs, dst="wgs84")
    shapes = _src_shapes.kept_shapes(geom, file_rows, crs)  # lines/areas, every vertex converted
    df = _src_shapes.strengths(df, shapes, file, file_rows)  # weight from weight_per_km(2)
    df = _categories(df, category, kind, file, file_rows)
    df = _active_dates(_weights_and_ids(df, file, file_rows), file, file_rows)
    first = [c for c in (*schema.SOURCE_COLUMNS, "active_from", "active_to") if c in df.columns]
    rest = [c for c in df.columns if c not in first and c not in ("lon", "lat", "geometry", "wkt")]
    out = gpd.GeoDataFrame(df[first + rest], geometry=_src_shapes.geometry(lon, lat, shapes), crs=schema.CRS)
    out.attrs["droplog"] = log
    out.attrs["source_crs"] = crs
    out.attrs["params"] = {"file": None if file is None else str(file), "crs": crs, "crs_assumed": crs_assumed,
                           "category": category, "kind": kind}
    out.attrs["units"] = units_of(out)
    if crs_assumed:
        out.attrs["crs_note"] = CRS_NOTE
    return out


def read_gppd(path: str | PathLike, *, country: str | None = "CHN") -> geopandas.GeoDataFrame:
    """Power plants of the WRI Global Power Plant Database as sources.

    Parameters
    ----------
    path : str or path-like
        GPPD CSV (v1.2.0 or v1.3.0, full or column-trimmed; needs ``country, name,
        gppd_idnr, capacity_mw, latitude, longitude, primary_fuel``).
    country : str or None, default "CHN"
        ISO3 code to keep; ``None`` keeps every country. Other countries are not logged
        as drops (a selection, not a data problem).

    Returns
    -------
    geopandas.GeoDataFrame
        Sources (EPSG:4326): ``source_id`` (= ``gppd_idnr``), ``category`` per
        :data:`GPPD_FUEL_CATEGORY` (Coal -> coal, Gas/Oil -> industry), ``kind`` =
        "power_plant", ``name``, ``weight`` = capacity / median capacity of the kept plants
        (relative, 1 = a median plant; 1.0 where capacity is missing), plus ``fuel`` and
        ``capacity_mw``. Hydro, wind, solar, nuclear and other non-combustion plants are
        dropped with reason "non-emitting fuel".

    References
    ----------
    Byers, L. et al. (2019), A Global Database of Power Plants, World Resources Institute
    (v1.2.0), https://datasets.wri.org/dataset/globalpowerplantdatabase (CC BY 4.0).
    """
    import geopandas as gpd

    raw = read_csv_checked(Path(path), "GPPD file", low_memory=False)
    need = ["country", "name", "gppd_idnr", "capacity_mw", "latitude", "longitude", "primary_fuel"]
    require_columns(
        raw, need, file=path, what="GPPD file", fix="Pass global_power_plant_database.csv (WRI GPPD)."
    )
    file_rows = np.arange(1, len(raw) + 1)
    if country is not None:
        keep = (raw["country"] == country).to_numpy()
        raw, file_rows = raw.loc[keep], file_rows[keep]
    log = DropLog()
    cat = raw["primary_fuel"].map(GPPD_FUEL_CATEGORY)
    non = cat.isna().to_numpy()
    log.add(_NON_EMITTING, file_rows[non], file=path, values=raw.loc[non, "primary_fuel"])
    raw, cat, file_rows = raw.loc[~non], cat[~non], file_rows[~non]
    lat = pd.to_numeric(raw["latitude"], errors="coerce")
    lon = pd.to_numeric(raw["longitude"], errors="coerce")
    nocoord = (lat.isna() | lon.isna()).to_numpy()
    log.add("missing coordinates", file_rows[nocoord], file=path)
    raw, cat, lat, lon = raw.loc[~nocoord], cat[~nocoord], lat[~nocoord], lon[~nocoord]
    cap = pd.to_numeric(raw["capacity_mw"], errors="coerce")
    med = float(cap.median()) if cap.notna().any() else 1.0
    out = gpd.GeoDataFrame(
        {
            "source_id": raw["gppd_idnr"].astype("string").to_numpy(),
            "category": cat.astype("string").to_numpy(),
            "kind": "power_plant",
            "name": raw["name"].astype("string").to_numpy(),
            "weight": (cap / med).fillna(1.0).to_numpy(dtype=float),
            "fuel": raw["primary_fuel"].astype("string").to_numpy(),
            "capacity_mw": cap.to_numpy(dtype=float),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=schema.CRS,
    )
    out["kind"] = out["kind"].astype("string")
    out.attrs["droplog"] = log
    out.attrs["units"] = units_of(out, capacity_mw="MW")
    out.attrs["weight"] = f"capacity_mw / {med:g} MW (median capacity of the kept plants)"
    return out


def read_gem_steel(path: str | PathLike) -> geopandas.GeoDataFrame:
    """Iron and steel plants of GEM's Global Iron and Steel Tracker as sources.

    Parameters
    ----------
    path : str or path-like
        CSV of the tracker's ``Plant data`` sheet with ``Plant ID``, ``Plant name
        (English)``, ``Plant name (other language)`` and ``latitude``/``longitude`` (or the
        ``Coordinates`` "lat, lon" string). Optional ``capacity_ttpa`` (operating nominal
        crude steel capacity, thousand tonnes per annum) and ``status`` columns, as in the
        bundled copy (:func:`geoair.datasets.load_steel_plants`).

    Returns
    -------
    geopandas.GeoDataFrame
        Sources: ``source_id`` (GEM plant id), ``category`` "industry", ``kind``
        "steel_plant", ``name`` (Chinese name when given, else English), ``weight`` =
        capacity / median capacity where the capacity is parseable, else 1.0; plus
        ``name_en``, ``province``, ``capacity_ttpa`` and ``status`` when present. Plants
        whose ``status`` is given and is not operating are dropped (reason "not operating").

    References
    ----------
    Global Energy Monitor (2025), Global Iron and Steel Tracker, September 2025 (V1) release,
    https://globalenergymonitor.org (CC BY 4.0).
    """
    import geopandas as gpd

    raw = read_csv_checked(Path(path), "GEM plant table", low_memory=False)
    log = DropLog()
    raw, lat, lon = _gem_places(raw, path, log)
    cap = pd.to_numeric(raw["capacity_ttpa"], errors="coerce") if "capacity_ttpa" in raw.columns else (
        pd.Series(np.nan, index=raw.index))
    med = float(cap.median()) if cap.notna().any() else 1.0
    name_zh = raw.get("Plant name (other language)", pd.Series(pd.NA, index=raw.index)).astype("string")
    name_en = raw.get("Plant name (English)", pd.Series(pd.NA, index=raw.index)).astype("string")
    data = {
        "source_id": raw["Plant ID"].astype("string").to_numpy(),
        "category": "industry",
        "kind": "steel_plant",
        "name": name_zh.where(name_zh.notna() & (name_zh != "unknown"), name_en).to_numpy(),
        "weight": (cap / med).fillna(1.0).to_numpy(dtype=float),
        "name_en": name_en.to_numpy(),
    }
    if "Subnational unit (province/state)" in raw.columns:
        data["province"] = raw["Subnational unit (province/state)"].astype("string").to_numpy()
    data["capacity_ttpa"] = cap.to_numpy(dtype=float)
    if "status" in raw.columns:
        data["status"] = raw["status"].astype("string").to_numpy()
    out = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(lon, lat), crs=schema.CRS)
    for col in ("category", "kind", "name", "name_en"):
        out[col] = out[col].astype("string")
    out.attrs["droplog"] = log
    out.attrs["units"] = units_of(out, capacity_ttpa="kt/year (thousand tonnes of crude steel per annum)")
    out.attrs["weight"] = (
        f"capacity_ttpa / {med:g} ttpa (median operating capacity)" if cap.notna().any() else "1.0 (no capacity column)"
    )
    return out


def _gem_places(raw: pd.DataFrame, path, log: DropLog):
    """Plants with coordinates (from latitude/longitude or "Coordinates") and operating;
    the others logged. Returns the kept rows and their latitudes and longitudes."""
    if "Plant ID" not in raw.columns:
        raise GeoairInputError(
            "Not a GEM Global Iron and Steel Tracker plant table: no 'Plant ID' column.",
            file=path, received=list(raw.columns)[:20], fix="Pass the 'Plant data' sheet exported as CSV.",
        )
    if not {"latitude", "longitude"} <= set(raw.columns):
        if "Coordinates" not in raw.columns:
            raise GeoairInputError(
                "The GEM table has neither latitude/longitude nor Coordinates.",
                file=path, fix="Keep the 'Coordinates' column of the Plant data sheet.",
            )
        parts = raw["Coordinates"].astype("string").str.split(",", n=1, expand=True).reindex(columns=[0, 1])
        raw["latitude"] = pd.to_numeric(parts[0], errors="coerce")
        raw["longitude"] = pd.to_numeric(parts[1], errors="coerce")
    file_rows = np.arange(1, len(raw) + 1)
    lat = pd.to_numeric(raw["latitude"], errors="coerce")
    lon = pd.to_numeric(raw["longitude"], errors="coerce")
    nocoord = (lat.isna() | lon.isna()).to_numpy()
    log.add("missing coordinates", file_rows[nocoord], file=path)
    keep = ~nocoord
    if "status" in raw.columns:
        notop = ~raw["status"].astype("string").str.startswith("operating").fillna(False).to_numpy(dtype=bool)
        log.add("not operating (GEM status)", file_rows[keep & notop], file=path,
                values=raw.loc[keep & notop, "status"])
        keep &= ~notop
    return raw.loc[keep], lat[keep], lon[keep]
