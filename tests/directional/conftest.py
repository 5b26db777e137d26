"""Shared fixtures: openair's own example data ``mydata`` (../shared/data/openair_mydata)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

MYDATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "openair_mydata" / "mydata.csv.gz"


@pytest.fixture(scope="session")
def mydata() -> pd.DataFrame:
    if not MYDATA.exists():
        pytest.skip(f"openair mydata not found at {MYDATA} (needs shared/ beside the clone)")
    d = pd.read_csv(MYDATA)
    d["date"] = pd.to_datetime(d["date"], utc=True)
    return d
