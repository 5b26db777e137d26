"""geoair: geospatial air-pollution source apportionment and hotspot analysis.

Station data (PM2.5, PM10, SO2, NO2, CO, O3), satellite fire points, source locations and
wind fields in; AQI statistics, directional analysis, source attribution, county hotspots,
inspector priority lists and briefings out.

Public names are loaded lazily so that ``import geoair`` stays fast and imports neither
matplotlib nor folium.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._validation import CRSMismatchError, DropLog, GeoairInputError
from .options import get_options, set_options

__version__ = "0.1.0"

# name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    # readers
    "read_observations": "geoair.io",
    "read_stations": "geoair.io",
    "read_firms": "geoair.io",
    "read_sources": "geoair.io",
    "read_wind": "geoair.io",
    "read_boundaries": "geoair.io",
    "wind_from_stations": "geoair.io",
    # source attribution
    "SourceAttribution": "geoair.apportion",
    "detect_episodes": "geoair.apportion",
    "apportion": "geoair.apportion",
    "testing": "geoair.testing",
    # air-quality standards
    "iaqi": "geoair.standards",
    "aqi": "geoair.standards",
    "daily": "geoair.standards",
    "evaluate": "geoair.standards",
    "target_budget": "geoair.standards",
    "league_table": "geoair.standards",
    # coordinates
    "convert_coords": "geoair.coords",
    # receptor modelling
    "PMF": "geoair.apportion.pmf",
    # station data integrity
    "IntegrityScreen": "geoair.integrity",
    "detect_integrity": "geoair.integrity",
    "integrity": "geoair.integrity",
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
    "hotspot": "geoair.hotspot",
    "priority": "geoair.priority",
    "briefing": "geoair.briefing",
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
    # wind
    "uv_to_wswd": "geoair.met.wind",
    "wswd_to_uv": "geoair.met.wind",
    "sample_wind": "geoair.met.wind",
    # modules
    "datasets": "geoair.datasets",
    "schema": "geoair.schema",
    "io": "geoair.io",
    "coords": "geoair.coords",
    "met": "geoair.met",
    "standards": "geoair.standards",
}

__all__ = [
    # errors and options
    "GeoairInputError",
    "CRSMismatchError",
    "DropLog",
    "set_options",
    "get_options",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'geoair' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name.rsplit(".", 1)[-1] == name else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
