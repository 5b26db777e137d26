"""Meteorology: wind components and directions, wind fields sampled at points, trajectories.

Submodules are imported on use (``geoair.met.wind``); this package imports nothing heavy.
"""
