"""Write small intersphinx inventories for the libraries geoair's API takes and returns.

The docs build is offline (CI and users' machines have no network), so the inventories
intersphinx needs are kept here. They are generated from the installed libraries' public
names and each project's documented page layout (checked by hand against the live sites on
the date in README.md), not downloaded: run ``python docs/_intersphinx/make_inventories.py``
after upgrading a library to refresh them.
"""

from __future__ import annotations

import importlib
import inspect
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

# project -> (version source, {module: page pattern}); {name} is the fully qualified name
LAYOUT = {
    "pandas": ("pandas", {"pandas": "reference/api/{name}.html"}),
    "geopandas": ("geopandas", {"geopandas": "docs/reference/api/{name}.html"}),
    "xarray": ("xarray", {"xarray": "generated/{name}.html"}),
    "numpy": ("numpy", {"numpy": "reference/generated/{name}.html"}),
    "sklearn": ("sklearn", {m: "modules/generated/{name}.html" for m in (
        "sklearn.base", "sklearn.ensemble", "sklearn.linear_model", "sklearn.neighbors",
        "sklearn.gaussian_process", "sklearn.model_selection", "sklearn.decomposition")}),
    "matplotlib": ("matplotlib", {"matplotlib.figure": "api/_as_gen/{name}.html",
                                  "matplotlib.axes": "api/_as_gen/{name}.html"}),
}


def _entries(module: str, pattern: str) -> list[str]:
    mod = importlib.import_module(module)
    names = getattr(mod, "__all__", None) or [n for n in dir(mod) if not n.startswith("_")]
    out = []
    for name in sorted(set(names)):
        try:
            obj = getattr(mod, name, None)
        except ImportError:  # experimental names that need an explicit enable_* import
            continue
        if inspect.isclass(obj):
            role = "py:class"
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj) or type(obj).__name__ == "ufunc":
            role = "py:function"
        else:
            continue
        full = f"{module}.{name}"
        out.append(f"{full} {role} 1 {pattern.format(name=full)} -")
    return out


def write(project: str) -> Path:
    """Write ``<project>-objects.inv`` (Sphinx inventory version 2)."""
    version_mod, modules = LAYOUT[project]
    version = importlib.import_module(version_mod).__version__
    lines = [e for m, pat in modules.items() for e in _entries(m, pat)]
    header = (f"# Sphinx inventory version 2\n# Project: {project}\n# Version: {version}\n"
              "# The remainder of this file is compressed using zlib.\n").encode()
    path = HERE / f"{project}-objects.inv"
    path.write_bytes(header + zlib.compress(("\n".join(lines) + "\n").encode()))
    return path


if __name__ == "__main__":
    for p in LAYOUT:
        print(write(p))
