"""The bundled national files the dask tests read (importable by name: conftest is not)."""

from __future__ import annotations

from geoair import datasets

DAYS = ["20190129", "20190130", "20190131", "20190201", "20190202", "20190203"]


def bundled_files(days=DAYS):
    folder = datasets.get_path("cnemc_2019")
    return [str(folder / f"china_sites_{d}.csv.gz") for d in days]
