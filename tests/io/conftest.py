"""Locations of the real data used by the reader tests (../shared/data beside the clone)."""

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is missing (CI places shared/ beside the clone)")
    return SHARED
