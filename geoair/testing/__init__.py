"""Synthetic-truth generators for tests, benchmarks and notebooks.

One module per analysis: :mod:`geoair.testing.attribution` builds twin experiments for
:class:`geoair.apportion.SourceAttribution`.
"""

from .attribution import TRUE_PM10_RATIO, SyntheticAttribution, make_attribution_truth

__all__ = ["SyntheticAttribution", "make_attribution_truth", "TRUE_PM10_RATIO"]
