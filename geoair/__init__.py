"""geoair: geospatial air-pollution source apportionment and hotspot analysis.

Station data (PM2.5, PM10, SO2, NO2, CO, O3), satellite fire points, source locations and
wind fields in; AQI statistics, directional analysis, source attribution, county hotspots,
inspector priority lists and briefings out.

Public names are loaded lazily (like scikit-learn and xarray) so that ``import geoair``
stays fast and imports neither pandas, matplotlib nor folium. ``dir(geoair)`` lists exactly
``__all__``. The readers are exported at the top level; their subpackage ``geoair.io`` is
reachable as an attribute but left out of ``__all__`` so that ``from geoair import *`` does
not shadow the standard library's :mod:`io`.
"""

from __future__ import annotations

import importlib as _importlib
from typing import Any as _Any

from ._validation import CRSMismatchError, DropLog, GeoairInputError, get_droplog
from .options import get_options, set_options

__version__ = "0.1.0"

# Sub-packages and modules, imported on first access (``geoair.io`` too, though not in __all__).
_SUBMODULES: tuple[str, ...] = (
    "apportion", "briefing", "coords", "datasets", "deweather", "directional", "dispatch", "hotspot",
    "integrity", "io", "met", "plot", "priority", "schema", "standards", "surface", "testing",
)

# public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    # readers
    "read_observations": "geoair.io",
    "read_stations": "geoair.io",
    "read_firms": "geoair.io",
    "read_sources": "geoair.io",
    "read_emission_grid": "geoair.io",
    "read_wind": "geoair.io",
    "read_boundaries": "geoair.io",
    "wind_from_stations": "geoair.io",
    # air-quality standards
    "iaqi": "geoair.standards",
    "aqi": "geoair.standards",
    "daily": "geoair.standards",
    "evaluate": "geoair.standards",
    "target_budget": "geoair.standards",
    "league_table": "geoair.standards",
    # coordinates and wind
    "convert_coords": "geoair.coords",
    "uv_to_wswd": "geoair.met.wind",
    "wswd_to_uv": "geoair.met.wind",
    "sample_wind": "geoair.met.wind",
    # directional analysis and trajectories
    "polar_plot": "geoair.directional",
    "percentile_rose": "geoair.directional",
    "pollution_rose": "geoair.directional",
    "wind_rose": "geoair.directional",
    "time_variation": "geoair.directional",
    "polar_annulus": "geoair.directional",
    "back_trajectories": "geoair.met.trajectory",
    "pscf": "geoair.met.trajlevel",
    "cwt": "geoair.met.trajlevel",
    # source apportionment
    "detect_episodes": "geoair.apportion",
    # station data integrity
    "IntegrityScreen": "geoair.integrity",
    "detect_integrity": "geoair.integrity",
    # hotspots, priority lists, briefing
    "local_gi_star": "geoair.hotspot",
    "local_moran": "geoair.hotspot",
    "emerging_hotspots": "geoair.hotspot",
    "to_counties": "geoair.hotspot",
    "to_grid": "geoair.hotspot",
    "make_grid": "geoair.hotspot",
    "qc_fires": "geoair.hotspot",
    "fire_clusters": "geoair.hotspot",
    "fire_density": "geoair.hotspot",
    "fire_counts": "geoair.hotspot",
    "priority_list": "geoair.priority",
    "export_priority": "geoair.priority",
    "run_briefing": "geoair.briefing",
    # classes (estimators)
    "SourceAttribution": "geoair.apportion",
    "PMF": "geoair.apportion.pmf",
}

__all__ = (
    # sub-packages
    *(m for m in _SUBMODULES if m != "io"),
    # readers
    "read_observations", "read_stations", "read_firms", "read_sources", "read_emission_grid", "read_wind",
    "read_boundaries", "wind_from_stations",
    # analyses
    *(name for name in _LAZY if name[0].islower() and not name.startswith("read_")
      and name != "wind_from_stations"),
    # classes
    "SourceAttribution", "PMF", "IntegrityScreen", "DropLog",
    # errors
    "GeoairInputError", "CRSMismatchError",
    # drop log and options
    "get_droplog", "set_options", "get_options",
)


def __getattr__(name: str) -> _Any:
    if name in _SUBMODULES:
        value = _importlib.import_module(f"geoair.{name}")
    elif name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'geoair' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
