"""Synthetic-truth generators for tests, benchmarks and notebooks.

One module per analysis: :mod:`geoair.testing.attribution` builds twin experiments for
:class:`geoair.apportion.SourceAttribution`; :mod:`geoair.testing.integrity` injects
tampering events with known truth into real station data for :mod:`geoair.integrity`.
"""

from .attribution import TRUE_PM10_RATIO, SyntheticAttribution, make_attribution_truth
from .integrity import TamperedData, inject_tampering, make_clean_network, score_detection

__all__ = ["SyntheticAttribution", "make_attribution_truth", "TRUE_PM10_RATIO", "TamperedData",
           "inject_tampering", "make_clean_network", "score_detection"]
