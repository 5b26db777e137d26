"""Directional analysis: polar surfaces (mean, CPF/CBPF, NWR), roses, annulus, time variation.

Algorithms follow openair 2.17 (Carslaw & Ropkins 2012); see each module.
"""

from .polar import polar_plot

__all__ = ["polar_plot"]
