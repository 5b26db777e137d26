"""Fixtures for every test folder: the external ``../shared/data`` sets (skipped when absent)."""

import pytest
from _shared_data import SHARED_DATA, shared_path


def pytest_configure(config):
    config.addinivalue_line("markers", "shared_data(*paths): needs ../shared/data/<path>; skipped when absent")


def pytest_runtest_setup(item):
    for mark in item.iter_markers("shared_data"):
        for rel in mark.args:
            shared_path(rel)


@pytest.fixture(scope="session")
def shared_data():
    """Callable ``shared_data("era5_wind/x.nc") -> Path`` (skips the test when the file is absent)."""
    return shared_path


__all__ = ["SHARED_DATA", "shared_path"]
