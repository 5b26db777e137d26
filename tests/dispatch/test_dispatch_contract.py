"""The geoair API contract (geoair.testing.contract) on the dispatch results."""

import pandas as pd
import pytest
from dispatch_world import window_world

from geoair.dispatch import (
    apply_feedback,
    dispatch,
    inspection_windows,
    list_performance,
    update_priors,
)
from geoair.testing import contract

FB = pd.DataFrame({"task_id": ["a", "b"], "source_id": ["s01", "s02"], "visited": pd.to_datetime(["2026-11-01"] * 2),
                   "finding": ["violation", "compliant"], "row_kind": "source", "level": "red", "category": "dust",
                   "score": [1.0, 2.0]})


@pytest.fixture(scope="module")
def makers(priority, grids, world):
    d = window_world(0, days=14)
    return {
        "dispatch": lambda m: dispatch(m(priority), grids),
        "update_priors": lambda m: update_priors(m(world["sources"]), FB),
        "apply_feedback": lambda m: apply_feedback(m(priority), update_priors(world["sources"], FB)),
        "list_performance": lambda m: list_performance(m(FB)),
        "inspection_windows": lambda m: inspection_windows(m(d["priority"]), d["contributions"], sources=d["sources"],
                                                           stations=d["stations"], observations=d["observations"]),
    }


CHECKS = {"droplog": contract.check_droplog, "pandas": contract.check_pandas_roundtrips,
          "time_zone": contract.check_time_zone, "units": contract.check_units_attrs}


@pytest.mark.parametrize("name", ["dispatch", "update_priors", "apply_feedback", "list_performance",
                                  "inspection_windows"])
def test_contract_of_dispatch_results(makers, name):
    result = makers[name](lambda x: x)
    for check in CHECKS.values():
        check(result)
    contract.check_own_drops(makers[name](contract.with_marker))
