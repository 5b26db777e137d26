"""The national assessment pipeline on a store: hourly -> daily -> HJ 663 -> league table.

One function so that the command line, the benchmarks and a cluster run share one code path;
each step is the public function of its module, run on the scheduler chosen by
``geoair.set_options(scheduler=...)``.
"""

from __future__ import annotations

import pandas as pd

from .._validation import GeoairInputError, check_option

__all__ = ["store_rankings", "station_groups"]


def station_groups(store, stations=None, counties=None) -> pd.DataFrame:
    """Station -> ``province`` (from the store) and, with ``counties``, ``adcode``/``county``.

    Parameters
    ----------
    store : path-like
        A store written by :func:`geoair.io.build_store`.
    stations : GeoDataFrame, optional
        Station table with Point geometries (needed for ``counties``).
    counties : GeoDataFrame, optional
        County polygons (``adcode, name``): stations are placed by point-in-polygon.
    """
    from .._dask import to_pandas
    from ..io.store import read_store

    prov = to_pandas(read_store(store, columns=["province"])[["station", "province"]]
                     .drop_duplicates())
    prov = prov.drop_duplicates("station").reset_index(drop=True)
    prov["station"] = prov["station"].astype(str)
    if counties is None:
        return prov
    if stations is None:
        raise GeoairInputError("Counties need the station table (coordinates).",
                               fix="Pass stations=read_stations(...).")
    from ..hotspot.aggregate import assign_county

    placed = assign_county(stations, counties)
    placed = pd.DataFrame({"station": placed["station"].astype(str),
                           "adcode": placed["adcode"], "county": placed["county"]})
    return prov.merge(placed, on="station", how="left")


def store_rankings(store, *, by: str = "station", period: str = "year", start=None, end=None,
                   stations=None, counties=None, lang: str | None = None) -> dict:
    """Daily values, HJ 663 assessment and league table of a store's stations or groups.

    Parameters
    ----------
    store : path-like
        A store written by :func:`geoair.io.build_store`.
    by : {"station", "province", "adcode"}
        Assessment unit (``adcode`` = county; needs ``stations`` and ``counties``).
    period : {"year", "quarter", "month", "all"}
    start, end : datetime-like, optional
        Hours to read (pushed down to the store).
    stations, counties : GeoDataFrame, optional
        For ``by="adcode"``: station points and county polygons.
    lang : {"zh", "en"}, optional
        League-table language (default the ``lang`` option).

    Returns
    -------
    dict
        ``daily`` (:func:`geoair.standards.daily`), ``evaluation``
        (:func:`geoair.standards.evaluate`) and ``table`` (:func:`league_table` of the last
        period).
    """
    from ..io.store import read_store
    from . import daily, evaluate, league_table

    check_option("by", by, ("station", "province", "adcode"))
    groups = None
    if by != "station":
        groups = station_groups(store, stations, counties if by == "adcode" else None)
    d = daily(read_store(store, start=start, end=end))
    ev = evaluate(d, period, by, stations=groups)
    names = None
    if by == "adcode":
        names = dict(zip(groups["adcode"], groups["county"], strict=False))
    return {"daily": d, "evaluation": ev, "table": league_table(ev, names=names, lang=lang)}
