"""A small store from the bundled national files: 2019-01-29 .. 2019-02-03 (crosses a month)."""

from __future__ import annotations

import pytest
from dask_files import DAYS, bundled_files  # noqa: E402,F401

import geoair
from geoair import datasets
from geoair.io import build_store


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
