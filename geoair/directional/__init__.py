"""Directional analysis: polar surfaces (mean, CPF/CBPF, NWR), roses, annulus, time variation.

Algorithms follow openair 2.17 (Carslaw & Ropkins 2012); see each module.
"""

from .annulus import polar_annulus
from .batch import polar_plot_many
from .polar import polar_plot
from .roses import percentile_rose, pollution_rose, wind_rose
from .timevar import time_variation

__all__ = ["polar_plot", "polar_plot_many", "polar_annulus", "percentile_rose", "pollution_rose", "wind_rose", "time_variation"]
