"""Air-quality standards: AQI (HJ 633-2012/-2026, US EPA 2024), daily statistics and validity,
HJ 663 assessment (percentiles, data capture, good-day ratio, composite index), target budgets
and league tables.

Rules are chosen per observation date: HJ 633-2012 / HJ 663-2013 before 2026-03-01, the 2026
versions from then on; every function takes ``standard=`` to override.
"""

from .aqi import aqi, iaqi, round_half_even
from .budget import target_budget
from .daily import daily
from .evaluation import composite_index, evaluate, percentile
from .national import store_rankings
from .ranking import league_table

__all__ = [
    "iaqi",
    "aqi",
    "daily",
    "evaluate",
    "percentile",
    "composite_index",
    "target_budget",
    "league_table",
    "store_rankings",
    "round_half_even",
]
