"""Fixtures of the surface tests (the generator is in surface_synth.py)."""

import pytest
from surface_synth import make_case


@pytest.fixture(scope="module")
def case():
    return make_case()
