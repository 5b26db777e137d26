"""Optional imports with install hints, and numba with an on-disk compile cache.

:func:`njit` is :func:`numba.njit` with ``cache=True`` by default, so a kernel is compiled once
per machine and loaded from disk in every later process. numba writes the cache next to the
source (``__pycache__``) when that is writable, else in the user cache directory
(``~/.cache/numba``); when neither is writable (read-only installs with a read-only home),
:func:`njit` points numba at a private directory under the system temp dir, and compiles
without a cache as a last resort instead of failing. ``NUMBA_CACHE_DIR`` overrides all of this.
``NUMBA_DISABLE_JIT=1`` runs every kernel as plain Python (tests run both paths). numba itself
is imported only when a kernel module is imported, never by ``import geoair``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import tempfile
from types import ModuleType

__all__ = ["import_optional", "njit", "HAS_NUMBA"]  # and prange, resolved lazily

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


HAS_NUMBA = importlib.util.find_spec("numba") is not None


def __getattr__(name: str):
    # ``prange`` is resolved lazily so that importing _compat does not import numba
    if name == "prange":
        if not HAS_NUMBA:  # pragma: no cover - numba is a hard dependency
            return range
        from numba import prange

        return prange
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _private_temp_cache() -> str | None:
    """A cache directory under the temp dir owned by this user only, or None."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    path = os.path.join(tempfile.gettempdir(), f"geoair-numba-cache-{uid}")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.stat(path)
        # a directory someone else made (or others may write) could hold planted cache files,
        # which numba unpickles: use a fresh one in that case
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
            path = tempfile.mkdtemp(prefix="geoair-numba-cache-")
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return None
    return path


def _jit(func, options: dict):
    import numba

    try:
        return numba.njit(**options)(func)
    except RuntimeError as err:  # "cannot cache function ...: no locator available"
        if not options.get("cache") or "locator" not in str(err):
            raise
    path = _private_temp_cache()
    if path is not None:
        numba.config.CACHE_DIR = path
        try:
            return numba.njit(**options)(func)
        except RuntimeError:
            pass
    return numba.njit(**{**options, "cache": False})(func)


def njit(*args, **kwargs):
    """:func:`numba.njit` with ``cache=True`` by default and a cache location that always works.

    Use as ``@njit``, ``@njit(parallel=True)`` or ``@njit(nogil=True, fastmath=...)``; any
    numba option passes through (``cache=False`` turns the disk cache off). Without numba the
    function is returned unchanged.

    Notes
    -----
    numba looks for a writable cache directory in this order: ``NUMBA_CACHE_DIR``, the
    ``__pycache__`` folder next to the module, the user cache dir (``~/.cache/numba`` or
    ``$XDG_CACHE_HOME/numba``). If none is writable numba raises at decoration time; here the
    cache moves to ``<tmp>/geoair-numba-cache-<uid>`` (mode 700, checked to be this user's), and
    if even that fails the kernel is compiled in every process without a cache.
    """
    kwargs.setdefault("cache", True)
    if len(args) == 1 and callable(args[0]):
        return njit(**kwargs)(args[0])
    if args:
        raise TypeError("njit takes the function or keyword options only")
    if not HAS_NUMBA:  # pragma: no cover - numba is a hard dependency
        return lambda f: f
    return lambda f: _jit(f, kwargs)
