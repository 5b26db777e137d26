"""Readers: every input format to the geoair data model (see ``CONVENTIONS.md``).

Each reader returns pandas/GeoPandas/xarray objects with units fixed, times tz-aware
(Asia/Shanghai) and a :class:`~geoair.DropLog` of every removed row in ``attrs["droplog"]``.
"""

from .boundaries import read_boundaries
from .describe import describe
from .era5 import read_wind, wind_from_stations
from .firms import read_firms
from .observations import read_observations
from .sources import read_sources
from .stations import read_stations
from .store import build_store, read_store, store_partitions

__all__ = [
    "read_observations",
    "read_stations",
    "read_firms",
    "read_sources",
    "read_wind",
    "wind_from_stations",
    "read_boundaries",
    "describe",
    "build_store",
    "read_store",
    "store_partitions",
]
