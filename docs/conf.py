"""Sphinx configuration for geoair's documentation.

The build is offline: intersphinx reads inventories cached in ``_intersphinx/`` (see
``_intersphinx/README.md``), notebooks are rendered with their stored outputs, and the gallery
runs its scripts on the bundled data at build time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _api  # noqa: E402

import geoair  # noqa: E402

project = "geoair"
author = "geoair developers"
copyright = "2026, geoair developers"
version = release = geoair.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_intersphinx", "**.ipynb_checkpoints", "jupyter_execute",
                    "gallery/*.ipynb", "gallery/*.py"]
templates_path = ["_templates"]

# -- API reference -------------------------------------------------------------------------
import shutil  # noqa: E402

shutil.rmtree(HERE / "api" / "generated", ignore_errors=True)  # no stale pages of removed names
_api.write_pages(HERE / "api")
autosummary_generate = True
autodoc_typehints = "none"
autodoc_default_options = {"members": False, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    "DataFrame": "pandas.DataFrame",
    "Series": "pandas.Series",
    "DatetimeIndex": "pandas.DatetimeIndex",
    "GeoDataFrame": "geopandas.GeoDataFrame",
    "GeoSeries": "geopandas.GeoSeries",
    "Dataset": "xarray.Dataset",
    "DataArray": "xarray.DataArray",
    "ndarray": "numpy.ndarray",
    "Figure": "matplotlib.figure.Figure",
    "Axes": "matplotlib.axes.Axes",
    "BaseEstimator": "sklearn.base.BaseEstimator",
    "DropLog": "geoair.DropLog",
    # numpydoc's defaults point these at glossary labels of inventories not cached here
    "bool": "bool",
    "boolean": "bool",
    "sequence": "collections.abc.Sequence",
    "iterable": "collections.abc.Iterable",
    "array_like": "numpy.typing.ArrayLike",
    "array-like": "numpy.typing.ArrayLike",
}
numpydoc_xref_ignore = {"optional", "default", "of", "or", "and", "shape", "type", "str", "int",
                        "float", "bool", "None", "dict", "list", "tuple", "sequence", "callable",
                        "path-like", "array-like", "iterable", "object", "mapping"}

# -- Notebooks (myst-nb) --------------------------------------------------------------------
def _copy_notebooks() -> None:
    """Copy ``../notebooks/*.ipynb`` into ``notebooks/`` (Sphinx reads only its source folder)."""
    import shutil

    dst = HERE / "notebooks"
    dst.mkdir(exist_ok=True)
    for nb in sorted((HERE.parent / "notebooks").glob("*.ipynb")):
        target = dst / nb.name
        if not target.exists() or target.read_bytes() != nb.read_bytes():
            shutil.copyfile(nb, target)


_copy_notebooks()
# The notebooks are executed by the test suite (pytest --nbmake); the site shows their stored
# outputs so that the docs build stays within minutes on two cores.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

# -- Gallery (sphinx-gallery): figures made from the bundled data at build time -------------
sphinx_gallery_conf = {
    "examples_dirs": ["gallery_src"],
    "gallery_dirs": ["gallery"],
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "default_thumb_file": str(HERE / "hotspots_bth_2019.png"),
    "write_computation_times": False,
}

# -- Cross-references to the libraries geoair returns (offline inventories) ----------------
_INV = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "pandas": "https://pandas.pydata.org/docs",
    "geopandas": "https://geopandas.org/en/stable",
    "xarray": "https://docs.xarray.dev/en/stable",
    "sklearn": "https://scikit-learn.org/stable",
    "matplotlib": "https://matplotlib.org/stable",
}
intersphinx_mapping = {
    name: (url, str(HERE / "_intersphinx" / f"{name}-objects.inv"))
    for name, url in _INV.items()
    if (HERE / "_intersphinx" / f"{name}-objects.inv").is_file()
}
intersphinx_timeout = 1

# -- HTML ------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "geoair"
html_static_path = ["_static"]
html_css_files = ["geoair.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
}
html_context = {"default_mode": "light"}
os.environ.setdefault("MPLBACKEND", "Agg")
