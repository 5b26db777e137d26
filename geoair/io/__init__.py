"""Readers: every input format to the geoair data model (see ``CONVENTIONS.md``).

Each reader returns pandas/GeoPandas/xarray objects with units fixed, times tz-aware
(Asia/Shanghai) and a :class:`~geoair.DropLog` of every removed row in ``attrs["droplog"]``.
"""

from .observations import read_observations
from .stations import read_stations

__all__ = ["read_observations", "read_stations"]
