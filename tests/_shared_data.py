"""The large external data sets in ``../shared/data`` (beside the clone): use them when present, skip when not.

A user's clone of geoair has no ``../shared``; tests that need those files (ERA5, the full FIRMS,
GPPD and GEM files, the GCJ-02 boundary set, openair's ``mydata``, EPA PMF examples) are skipped
there with a reason, and run in CI where ``../shared`` exists. Set ``GEOAIR_REQUIRE_SHARED=1`` to
turn a missing file into a failure (CI). Tests should prefer the bundled ``data/`` (``geoair.datasets``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: ``<repository>/../shared/data``
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_path(rel: str) -> Path:
    """``SHARED_DATA / rel`` if it exists; otherwise skip the test (or fail with GEOAIR_REQUIRE_SHARED=1)."""
    path = SHARED_DATA / rel
    if not path.exists():
        msg = (f"needs ../shared/data/{rel} (an external data set beside the clone, not in the "
               f"repository; looked at {path})")
        if os.environ.get("GEOAIR_REQUIRE_SHARED"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path
