"""Readers: every input format to the geoair data model.

Each reader returns pandas/GeoPandas/xarray objects with units fixed (``attrs["units"]``),
times tz-aware (Asia/Shanghai; wind fields naive UTC) and a :class:`~geoair.DropLog` of every
removed row and masked value in ``attrs["droplog"]``; a damaged or unreadable file raises
:class:`~geoair.GeoairInputError` naming the file and the fix. See
``docs/methods/input_checks.md`` for the checks and their sources.
"""

from .boundaries import read_boundaries
from .describe import describe
from .emission_grid import read_emission_grid
from .era5 import read_wind, wind_from_stations
from .firms import read_firms
from .observations import PLAUSIBLE_MAX, PM_TOLERANCE, read_observations
from .sources import read_sources
from .stations import read_stations
from .store import build_store, read_store, store_partitions

__all__ = [
    "read_observations",
    "read_stations",
    "read_firms",
    "read_sources",
    "read_emission_grid",
    "read_wind",
    "wind_from_stations",
    "read_boundaries",
    "describe",
    "build_store",
    "read_store",
    "store_partitions",
    "PLAUSIBLE_MAX",
    "PM_TOLERANCE",
]
