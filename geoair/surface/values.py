"""Station values to interpolate: valid daily means, or period means of valid days.

Daily means follow GB 3095 Table 4 (at least 20 valid hours, :func:`geoair.standards.daily`);
a period mean needs valid days on at least ``min_fraction`` of the period's days (default
27/31, the GB 3095 monthly rule of 27 days, scaled to the period's length).

References
----------
GB 3095-2012, Table 4 (data validity); HJ 663-2013 §6.1.2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option, require_columns

__all__ = ["station_values", "stations_near"]

FREQS = ("D", "MS", "all")


def station_values(obs: pd.DataFrame, pollutant: str = "pm25", *, freq: str = "D",
                   min_fraction: float = 27 / 31) -> pd.DataFrame:
    """``station, date, value`` frame from hourly observations.

    Parameters
    ----------
    obs : DataFrame
        Hourly wide observations (``station, time, pm25, ...``).
    pollutant : str
        Column to use (µg/m³; CO mg/m³).
    freq : {"D", "MS", "all"}
        Daily means; means per calendar month (``date`` = first day of month); or one mean
        over the whole period (``date`` = ``"all"``).
    min_fraction : float
        For ``"MS"`` and ``"all"``: fewest valid days, as a share of the days in the period
        (a calendar month, or the span of the data).

    Returns
    -------
    DataFrame
        ``station, date, value`` with ``attrs["droplog"]`` (invalid days and stations with too
        few valid days; rows are station-day positions of the daily table).
    """
    from ..standards import daily

    check_option("freq", freq, FREQS)
    require_columns(obs, ["station", "time", pollutant], what="hourly observations")
    d = daily(obs, pollutants=[pollutant])
    log = DropLog().extend(d.attrs.get("droplog"))
    d = d[["station", "date", pollutant]].rename(columns={pollutant: "value"})
    if freq == "D":
        out = d.dropna(subset=["value"]).reset_index(drop=True)
        out.attrs["droplog"] = log
        return out
    if not 0 < min_fraction <= 1:
        raise GeoairInputError("min_fraction must be in (0, 1].", received=min_fraction,
                               fix="Use 27/31 (GB 3095 monthly rule).")
    dates = pd.to_datetime(d["date"])
    if freq == "MS":
        key = dates.dt.to_period("M").dt.to_timestamp()
        n_days = dates.dt.days_in_month
    else:
        key = pd.Series("all", index=d.index)
        n_days = pd.Series((dates.max() - dates.min()).days + 1, index=d.index)
    g = d.assign(key=key, n_days=n_days).groupby(["station", "key"], sort=True)
    agg = g.agg(value=("value", "mean"), n_valid=("value", "count"), n_days=("n_days", "first"))
    short = agg["n_valid"] < np.ceil(min_fraction * agg["n_days"])
    bad_keys = agg.index[short]
    rows = np.flatnonzero(pd.MultiIndex.from_arrays([d["station"], key]).isin(bad_keys))
    log.add(f"station with valid days on fewer than {min_fraction:.0%} of the period", rows)
    out = agg.loc[~short, ["value"]].reset_index().rename(columns={"key": "date"})
    out.attrs["droplog"] = log
    return out


def stations_near(stations, area, *, buffer: float = 150_000.0, crs: str | None = None):
    """Stations inside ``area`` or within ``buffer`` metres of it (support beyond the edges).

    Kriging near a region's border needs the neighbours' stations: the bundled validation
    uses Beijing-Tianjin-Hebei plus 150 km (parts of Shanxi, Inner Mongolia, Liaoning,
    Shandong and Henan).

    Parameters
    ----------
    stations : GeoDataFrame
        Station points, any CRS.
    area : GeoDataFrame or GeoSeries
        The region's polygons (e.g. counties).
    buffer : float
        Metres.
    crs : str, optional
        Projected CRS for the buffer (default China Albers, as :mod:`geoair.hotspot`).

    Returns
    -------
    GeoDataFrame
        The selected rows of ``stations`` (other stations are out of scope, not dropped).
    """
    from ..hotspot.aggregate import GRID_CRS

    crs = crs or GRID_CRS
    if stations.crs is None or area.crs is None:
        raise GeoairInputError("Both layers need a CRS.", fix="Set it, e.g. gdf.set_crs('EPSG:4326').")
    zone = area.geometry.to_crs(crs).union_all().buffer(buffer)
    inside = stations.geometry.to_crs(crs).within(zone).to_numpy()
    return stations[inside].reset_index(drop=True)
