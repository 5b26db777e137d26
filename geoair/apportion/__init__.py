"""Source apportionment: upwind plume attribution, episodes (and PMF, in ``pmf``).

Submodules are imported on first use so that ``import geoair.apportion`` stays light (no numba).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "SourceAttribution": "geoair.apportion.attribution",
    "SIGNATURES": "geoair.apportion.attribution",
    "attribution_shares": "geoair.apportion.attribution",
    "detect_episodes": "geoair.apportion.episodes",
    "EPISODES": "geoair.apportion.episodes",
    "festival_nights": "geoair.apportion.profiles",
    "activity": "geoair.apportion.profiles",
    "PMF": "geoair.apportion.pmf",
    "PMFWeakIdentificationWarning": "geoair.apportion.pmf",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'geoair.apportion' has no attribute {name!r}")
    value = getattr(importlib.import_module(mod), name)
    globals()[name] = value
    return value
