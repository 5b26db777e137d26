"""Build hook: ship the repository's top-level ``data/`` inside the wheel as ``geoair/_data``.

All metadata lives in pyproject.toml. This file only maps ``data/`` onto the package
``geoair._data`` so that ``pip install .`` (non-editable) finds the bundled data
(see geoair/datasets.py for the lookup order).
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["geoair", "geoair.*"], exclude=["*__pycache__*"]),
        "geoair._data",
    ],
    package_dir={"geoair._data": "data"},
    package_data={"geoair._data": ["MANIFEST.sha256", "*.md", "*/*"]},
    exclude_package_data={"geoair._data": ["_build.py"]},
)
