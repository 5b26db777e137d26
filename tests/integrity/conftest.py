"""Fixtures for the integrity tests: a clean synthetic network and a real regional subset.

The real subset is the bundled national month (``geoair.datasets``) cut to the stations of
Beijing, Tianjin and central Hebei (about 70 stations): small enough to screen in seconds,
dense enough for neighbours, and it holds the January 2019 haze and Spring Festival eve.
"""

import pytest

from geoair import set_options
from geoair.testing import make_clean_network

BOX = (114.0, 37.5, 118.5, 40.8)  # lon_min, lat_min, lon_max, lat_max


@pytest.fixture(autouse=True, scope="session")
def _no_progress():
    with set_options(progress=False):
        yield


@pytest.fixture(scope="session")
def clean_network():
    """(obs, stations) of a synthetic 30-station month without tampering."""
    return make_clean_network(n_stations=30, n_hours=24 * 30, random_state=11)


@pytest.fixture(scope="session")
def regional():
    """(obs, stations) of the bundled January 2019 month, North China subset."""
    from geoair import datasets

    stations = datasets.load_national_stations()
    lon0, lat0, lon1, lat1 = BOX
    box = stations[stations["lon"].between(lon0, lon1) & stations["lat"].between(lat0, lat1)]
    obs = datasets.load_cnemc_observations(stations=list(box["station"]))
    return obs, stations
