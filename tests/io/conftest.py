"""Real files for the reader tests: the repository's bundled data/ first, else ../shared/data.

The bundled copies (``geoair.datasets``) keep the shared layout except that the national hourly
files live in ``data/china_sites`` instead of ``china_sites_2019jf``.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
BUNDLED = ROOT / "data"
_BUNDLED_DIRS = {"china_sites_2019jf": "china_sites"}


def find_real(rel: str) -> Path | None:
    """Path of a real data file given relative to shared/data, or None if neither copy exists."""
    head, _, tail = rel.partition("/")
    for path in (BUNDLED / _BUNDLED_DIRS.get(head, head) / tail, SHARED / rel):
        if path.is_file():
            return path
    return None


@pytest.fixture(scope="session")
def real():
    """``real("china_sites_2019jf/china_sites_20190204.csv.gz")`` -> an existing path (or skip)."""

    def _get(rel: str) -> Path:
        path = find_real(rel)
        if path is None:
            pytest.skip(f"real data file {rel} is in neither {BUNDLED} nor {SHARED}")
        return path

    return _get
