"""Network meteorology: one weather record per city, and the station records that drift from it.

Station weather records have breaks - a sensor replaced, a mast moved, a station that took its
weather from another site for a while. A break looks to a deweathering model like a change of
weather and moves the split between weather and emissions at that one station. In the PRSA
Beijing data the Gucheng (1012A) wind speed is 0.85 m/s higher in 2016-17 than in 2013-14 while
its neighbours' barely move, and the station-met model gives it a weather part of -19 % for
PM2.5 next to -1 % to +3 % at its neighbours. Vu et al. (2019) took one (airport) weather record
for all 12 stations for this reason. :func:`network_met` builds such a record from the stations
themselves (the hourly median across the stations of a group); :func:`met_shifts` measures how
far each station's record moves against it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import GeoairInputError
from ..met.wind import uv_to_wswd, wswd_to_uv
from ._features import MET_CANDIDATES

_SCALARS = tuple(c for c in MET_CANDIDATES if c not in ("ws", "wd"))


def network_met(data: pd.DataFrame, *, group: str | None = None) -> pd.DataFrame:
    """Replace each station's meteorology by the hourly median across its group's stations.

    Parameters
    ----------
    data : pandas.DataFrame
        Observations with ``station, time`` and meteorological columns (any of ``ws`` (m/s),
        ``wd`` (degrees from north), ``temp``, ``dewp`` (°C), ``rh`` (%), ``pres`` (hPa),
        ``rain`` (mm), ``blh`` (m)).
    group : str, optional
        Column naming the network of each station (e.g. ``"city"``); by default all stations
        of the frame form one network. Use a group per city for national data: weather 1,000
        km away is not a station's weather.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with the meteorological columns replaced: the median over the
        group's stations reporting in that hour (wind as the median of the u and v
        components, speed as the median speed, so calm and opposing winds do not cancel into
        a false calm). An hour where no station of the group reports keeps NaN.
        ``attrs["met_source"] = "network"``.

    Notes
    -----
    The median rather than the mean, so one broken record cannot move the network's.

    Examples
    --------
    >>> obs = geoair.datasets.load_beijing_observations()  # doctest: +SKIP
    >>> res = normalise(network_met(obs), "pm25")  # doctest: +SKIP
    """
    keys = _keys(data, group)
    cols = [c for c in _SCALARS if c in data.columns]
    frame = data[keys + cols].copy()
    wind = {"ws", "wd"} <= set(data.columns)
    if wind:
        frame["_u"], frame["_v"] = wswd_to_uv(data["ws"].to_numpy(float),
                                              data["wd"].to_numpy(float))
        frame["ws"] = data["ws"]
    values = [c for c in frame.columns if c not in keys]
    aligned = frame.groupby(keys, sort=False, dropna=False)[values].transform("median")
    out = data.copy()
    for c in cols + (["ws"] if wind else []):
        out[c] = aligned[c].to_numpy()
    if wind:
        _, wd = uv_to_wswd(aligned["_u"].to_numpy(), aligned["_v"].to_numpy())
        out["wd"] = np.where(np.isfinite(out["ws"]), wd, np.nan)
    out.attrs = dict(data.attrs, met_source="network")
    return out


def met_shifts(data: pd.DataFrame, *, before=None, after=None,
               group: str | None = None) -> pd.DataFrame:
    """How far each station's weather record moves against its network between two periods.

    Parameters
    ----------
    data : pandas.DataFrame
        Observations with ``station, time`` and meteorological columns.
    before, after : (start, end), optional
        Inclusive date ranges; default the first and the last 12 months of the record.
    group : str, optional
        As in :func:`network_met`.

    Returns
    -------
    pandas.DataFrame
        One row per station and variable: ``station, variable, shift`` (the change of the
        station's mean difference from the network median, after minus before, in the
        variable's units; wind direction is left out), ``network_change`` (the network
        median's own change) and ``n_before, n_after`` (hours with both). A shift as large as
        the network's own change is a break to check before trusting the station's weather.
    """
    from .decomposition import _windows

    net = network_met(data, group=group)
    times = pd.DatetimeIndex(pd.to_datetime(data["time"]))
    masks = [np.asarray((times >= lo) & (times <= hi))
             for lo, hi in _windows(times, before, after, "h")]
    rows = [_shift_table(data, net, var, masks)
            for var in ("ws",) + _SCALARS if var in data.columns]
    if not rows:
        raise GeoairInputError("No meteorological columns to compare.",
                               received=[str(c) for c in data.columns][:30],
                               fix=f"Add any of {list(MET_CANDIDATES)}.")
    out = pd.concat(rows, ignore_index=True)
    out[["n_before", "n_after"]] = out[["n_before", "n_after"]].fillna(0).astype(int)
    return out[["station", "variable", "shift", "network_change", "n_before", "n_after"]]


def _shift_table(data, net, var: str, masks) -> pd.DataFrame:
    d = pd.DataFrame({"station": data["station"].to_numpy(),
                      "d": (data[var] - net[var]).to_numpy(), "n": net[var].to_numpy()})
    ok = d["d"].notna().to_numpy()
    gb, ga = (d[ok & m].groupby("station") for m in masks)
    return pd.DataFrame({"shift": ga["d"].mean() - gb["d"].mean(),
                         "network_change": ga["n"].mean() - gb["n"].mean(),
                         "n_before": gb.size(), "n_after": ga.size()}
                        ).rename_axis("station").reset_index().assign(variable=var)


def _keys(data: pd.DataFrame, group: str | None) -> list[str]:
    need = ["station", "time"] + ([group] if group is not None else [])
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise GeoairInputError("Network meteorology needs these columns.", column=missing[0],
                               received=[str(c) for c in data.columns][:30],
                               fix="Pass observations with station and time (and the group "
                               "column, e.g. city).")
    return ["time"] + ([group] if group is not None else [])
