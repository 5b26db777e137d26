"""Build hook: ship the repository's top-level ``data/`` inside the wheel as ``geoair/_data``.

All metadata lives in pyproject.toml. This file only maps ``data/`` onto the package
``geoair._data`` so that ``pip install .`` (non-editable) finds the bundled data
(see geoair/datasets.py for the lookup order).
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup

# each sub-folder of data/ is declared as a (data-only) package: setuptools warns, and will
# refuse in a later release, when an importable-looking folder is shipped as package data
_SUB = sorted(p.name for p in Path(__file__).resolve().parent.joinpath("data").iterdir()
              if p.is_dir() and not p.name.startswith(("_", ".")))

setup(
    packages=[
        *find_namespace_packages(include=["geoair", "geoair.*"], exclude=["*__pycache__*"]),
        "geoair._data",
        *(f"geoair._data.{name}" for name in _SUB),
    ],
    package_dir={"geoair._data": "data", **{f"geoair._data.{name}": f"data/{name}" for name in _SUB}},
    package_data={"geoair._data": ["MANIFEST.sha256", "*.md"],
                  **{f"geoair._data.{name}": ["*"] for name in _SUB}},
    exclude_package_data={"geoair._data": ["_build.py"]},
)
