"""Concentration surfaces from monitoring stations: every county on the map, with an interval.

Kriging (ordinary, universal or with external drift) of log concentrations with a variogram
fitted by GSTools, pooled over days; IDW as the baseline; polygon means by block kriging;
leave-one-station-out validation; county tables for the hotspot and league-table analyses;
GeoTIFF export.

Main functions: :func:`station_values`, :func:`estimate`, :func:`estimate_grid`, :func:`loo`,
:func:`loo_summary`, :func:`county_table`, :func:`to_geotiff`.
"""

from .adapters import (
    county_daily,
    county_means,
    county_table,
    league_table,
    period_mean,
    to_evaluation,
)
from .covariates import source_density
from .cv import loo, loo_summary
from .estimate import METHODS, estimate, fit_surface
from .grid import estimate_grid, grid_centres
from .raster import to_geotiff
from .values import station_values, stations_near
from .variogram import Variogram

__all__ = [
    "METHODS",
    "county_daily",
    "county_means",
    "county_table",
    "league_table",
    "period_mean",
    "to_evaluation",
    "Variogram",
    "estimate",
    "estimate_grid",
    "grid_centres",
    "fit_surface",
    "loo",
    "loo_summary",
    "source_density",
    "station_values",
    "stations_near",
    "to_geotiff",
]
