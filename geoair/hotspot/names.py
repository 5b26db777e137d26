"""Names a person can read: "city county" labels for counties whose names repeat.

County names are not unique in China (two 新华区 and two 桥西区 in Hebei alone), so every
county a person reads is shown with its city: "石家庄市 新华区", "沧州市 新华区". City names
come from a city boundary layer matched on the county's ``parent`` adcode (the bundled
Beijing-Tianjin-Hebei cities by default); a county whose city is unknown keeps its own name.
"""

from __future__ import annotations

import pandas as pd

from .._validation import require_columns

__all__ = ["add_city_names"]


def add_city_names(counties, cities=None):
    """Add ``city`` (name of the enclosing city) and ``label`` ("city county") to counties.

    Parameters
    ----------
    counties : GeoDataFrame
        ``adcode, name`` and ``parent`` (adcode of the enclosing city; municipalities use the
        province code, e.g. 110000 北京市), as :func:`geoair.io.read_boundaries` returns.
    cities : DataFrame, optional
        ``adcode, name`` of the cities; default the bundled Beijing-Tianjin-Hebei cities.

    Returns
    -------
    GeoDataFrame
        A copy of ``counties`` with ``city`` (<NA> when unknown) and ``label``.
    """
    require_columns(counties, ["adcode", "name"], what="counties")
    if cities is None:
        from .. import datasets
        from ..io.boundaries import read_boundaries

        cities = read_boundaries(datasets.get_path("bth_cities"))
    require_columns(cities, ["adcode", "name"], what="cities")
    out = counties.copy()
    lookup = dict(zip(cities["adcode"].astype(str), cities["name"].astype(str), strict=False))
    parent = out["parent"].astype("string") if "parent" in out.columns else pd.Series(pd.NA, index=out.index)
    out["city"] = pd.array([lookup.get(p) if pd.notna(p) else None for p in parent], dtype="string")
    name = out["name"].astype("string")
    out["label"] = (out["city"] + " " + name).fillna(name)
    return out
