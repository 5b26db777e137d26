"""Optional imports with install hints, and the numba fallback.

``NUMBA_DISABLE_JIT=1`` runs every kernel as plain Python (tests run both paths).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_optional", "njit", "prange", "HAS_NUMBA"]

_INSTALL_HINT = {
    "folium": "folium",
    "matplotlib": "matplotlib",
    "openpyxl": "openpyxl",
    "esda": "esda",
    "libpysal": "libpysal",
    "mplfonts": "mplfonts",
    "netCDF4": "netCDF4",
    "h5netcdf": "h5netcdf",
    "rasterio": "rasterio",
    "tqdm": "tqdm",
}


def import_optional(name: str, purpose: str = "") -> ModuleType:
    """Import ``name`` or raise ImportError saying how to install it.

    Parameters
    ----------
    name : str
        Module name, e.g. ``"folium"``.
    purpose : str, optional
        What it is needed for, used in the error message.
    """
    try:
        return importlib.import_module(name)
    except ImportError as err:  # pragma: no cover - depends on environment
        pkg = _INSTALL_HINT.get(name.split(".")[0], name)
        why = f" for {purpose}" if purpose else ""
        raise ImportError(
            f"geoair needs the optional package {pkg!r}{why}. "
            f"Install it with `pip install {pkg}` or `conda install -c conda-forge {pkg}`."
        ) from err


try:
    from numba import njit, prange

    HAS_NUMBA = True
except ImportError:  # pragma: no cover - numba is a hard dependency, fallback kept for portability
    HAS_NUMBA = False
    prange = range

    def njit(*args, **kwargs):
        """No-op stand-in for :func:`numba.njit`."""
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda f: f
