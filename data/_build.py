"""Rebuild the bundled data in this folder from the full sets in ../shared/data.

Run from the repository root:  python data/_build.py [SHARED_DATA_DIR]
Copies (gzip as-is) or cuts the inputs, then rewrites MANIFEST.sha256. What each cut keeps is
written in the SOURCE.md of each sub-folder.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "data"


def _gz_csv(df: pd.DataFrame, dest: Path) -> None:
    # mtime=0 keeps the gzip bytes (and the checksum) reproducible
    with open(dest, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as fh:
        fh.write(df.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def prsa() -> None:
    out = HERE / "beijing_prsa"
    out.mkdir(exist_ok=True)
    for f in sorted((SHARED / "beijing_prsa").glob("PRSA_Data_*.csv.gz")):
        shutil.copyfile(f, out / f.name)
    shutil.copyfile(SHARED / "beijing_prsa" / "beijing_12_stations.csv", out / "beijing_12_stations.csv")


def boundaries() -> None:
    out = HERE / "china_boundaries"
    out.mkdir(exist_ok=True)
    for lev in ("province", "city", "district"):
        name = f"bth_{lev}.geojson.gz"
        shutil.copyfile(SHARED / "china_boundaries" / "amap_wgs84_bth" / name, out / name)


def cnemc() -> None:
    out = HERE / "china_sites"
    out.mkdir(exist_ok=True)
    for day in pd.date_range("2019-01-08", "2019-02-07", freq="D"):
        name = f"china_sites_{day:%Y%m%d}.csv.gz"
        shutil.copyfile(SHARED / "china_sites_2019jf" / name, out / name)
    out = HERE / "china_stations"
    out.mkdir(exist_ok=True)
    shutil.copyfile(
        SHARED / "china_stations" / "station_list_2022-02-13.csv", out / "station_list_2022-02-13.csv"
    )


def firms() -> None:
    out = HERE / "firms"
    out.mkdir(exist_ok=True)
    df = pd.read_csv(SHARED / "firms_modis_2022" / "MODIS_C6_1_Global_7d.csv.gz", dtype=str, keep_default_na=False)
    lon, lat = df["longitude"].astype(float), df["latitude"].astype(float)
    china = (lon >= 73) & (lon <= 135.5) & (lat >= 18) & (lat <= 54)
    _gz_csv(df[china], out / "MODIS_C6_1_China_7d_20220528.csv.gz")


def gppd() -> None:
    out = HERE / "power_plants"
    out.mkdir(exist_ok=True)
    df = pd.read_csv(
        SHARED / "power_plants_gppd" / "global_power_plant_database_v1.2.0_first11cols.csv.gz",
        dtype=str,
        keep_default_na=False,
    )
    _gz_csv(df[df["country"] == "CHN"], out / "gppd_v1.2.0_china.csv.gz")


def steel() -> None:
    out = HERE / "steel_plants"
    out.mkdir(exist_ok=True)
    src = SHARED / "steel_plants_gem"
    plants = pd.read_csv(src / "china_steel_plants_plantdata.csv", dtype=str, keep_default_na=False)
    caps = pd.read_excel(src / "Global-Iron-and-Steel-Tracker-2025-09-V1.xlsx", sheet_name="Plant capacities and status")
    caps = caps[caps["Country/Area"] == "China"]
    cap = pd.to_numeric(caps["Nominal crude steel capacity (ttpa)"], errors="coerce")
    operating = caps["Status"].astype(str).str.startswith("operating")
    op_cap = cap[operating].groupby(caps.loc[operating, "Plant ID"]).sum(min_count=1)
    status = caps.assign(op=operating).sort_values("op", ascending=False).groupby("Plant ID")["Status"].first()
    plants["status"] = plants["Plant ID"].map(status).fillna("unknown")
    plants["capacity_ttpa"] = plants["Plant ID"].map(op_cap)
    _gz_csv(plants, out / "gem_gist_2025-09_china_plants.csv.gz")


def manifest() -> None:
    lines = []
    for f in sorted(HERE.rglob("*")):
        if f.is_file() and f.name not in ("MANIFEST.sha256", "_build.py") and not f.name.endswith(".md"):
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
            lines.append(f"{digest}  {f.relative_to(HERE).as_posix()}")
    (HERE / "MANIFEST.sha256").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    prsa()
    boundaries()
    cnemc()
    firms()
    gppd()
    steel()
    manifest()
