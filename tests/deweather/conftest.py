"""Synthetic-truth series shared by the deweather tests (fitted once per session)."""

import pytest

from geoair.deweather import normalise
from geoair.testing.deweather import make_deweather_truth

# Two years of hourly data, so that the emission step (mid-record) is not confounded with the
# season (with 3-hourly data the step is recovered 3 pp short: fewer rows, more attenuation).
FAST = dict(n_samples=60, n_folds=3, members=True, progress=False)


@pytest.fixture(scope="session")
def step_truth():
    """-30 % emission step, and a windier climate from the same moment."""
    return make_deweather_truth(n_days=730, step=-0.3, windier_after=0.8, seed=1)


@pytest.fixture(scope="session")
def flat_truth():
    """Constant emissions; the weather turns windier mid-record."""
    return make_deweather_truth(n_days=730, step=0.0, windier_after=0.8, seed=2)


@pytest.fixture(scope="session")
def quick_truth():
    """3-hourly, for the mechanical tests (errors, flags, reproducibility)."""
    return make_deweather_truth(n_days=730, step=0.0, windier_after=0.8, freq="3h", seed=2)


@pytest.fixture(scope="session")
def step_result(step_truth):
    return normalise(step_truth.data, "pm25", random_state=0, **FAST)


@pytest.fixture(scope="session")
def flat_result(flat_truth):
    return normalise(flat_truth.data, "pm25", random_state=0, **FAST)
