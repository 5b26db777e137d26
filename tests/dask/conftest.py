"""A small store from the bundled national files: 2019-01-29 .. 2019-02-03 (crosses a month)."""

from __future__ import annotations

import pytest

import geoair
from geoair import datasets
from geoair.io import build_store

DAYS = ["20190129", "20190130", "20190131", "20190201", "20190202", "20190203"]


def bundled_files(days=DAYS):
    folder = datasets.get_path("cnemc_2019")
    return [str(folder / f"china_sites_{d}.csv.gz") for d in days]


@pytest.fixture(autouse=True)
def _quiet():
    with geoair.set_options(progress=False):
        yield


@pytest.fixture(scope="session")
def provinces():
    from geoair.io import read_boundaries

    return read_boundaries(datasets.get_path("bth_provinces"))


@pytest.fixture(scope="session")
def store(tmp_path_factory, provinces):
    out = tmp_path_factory.mktemp("store")
    with geoair.set_options(progress=False):
        build_store(bundled_files(), out, stations=datasets.load_national_stations(),
                    provinces=provinces)
    return out


@pytest.fixture(scope="session")
def hourly(store):
    """The in-memory reading of the same files (the reference path)."""
    from geoair.io import read_observations

    return read_observations(bundled_files(), format="cnemc")
