"""Weather adjustment of period statistics (league tables): normalised vs observed means."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import GeoairInputError, require_columns


def weather_adjustment(normalised: pd.DataFrame, start, end, *, units=None) -> pd.DataFrame:
    """Observed and weather-normalised means of each unit and pollutant over a period.

    Parameters
    ----------
    normalised : pandas.DataFrame
        :func:`geoair.deweather.normalise` output (``station``, optionally ``pollutant``,
        ``time, observed, normalised, n_obs``).
    start, end : datetime-like
        Inclusive period (a date ``end`` includes that whole day).
    units : mapping or Series, optional
        Station -> assessment unit (e.g. county ``adcode``); default each station is a unit.

    Returns
    -------
    pandas.DataFrame
        ``unit, pollutant, observed, normalised, factor, n_stations``. Station means weight
        each output period by its observed hours (the hours the observed mean covers); the
        unit's values are the equal-weight means of its stations (HJ 663 §5). ``factor`` =
        normalised / observed: below 1 when the period's weather raised concentrations above
        what the emissions alone would give under average weather.
    """
    require_columns(normalised, ["time", "observed", "normalised", "n_obs"],
                    what="normalised series", fix="Use geoair.deweather.normalise(...).")
    f = normalised
    if "pollutant" not in f.columns:
        pol = f.attrs.get("params", {}).get("pollutant")
        pol = pol if isinstance(pol, str) else (pol[0] if pol and len(pol) == 1 else None)
        if pol is None:
            raise GeoairInputError("Cannot tell which pollutant the normalised series is.",
                                   fix="Pass the normalise() result unchanged.")
        f = f.assign(pollutant=pol)
    if "station" not in f.columns:
        f = f.assign(station="all")
    time = pd.DatetimeIndex(f["time"])
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    if hi == hi.normalize():
        hi = hi + pd.Timedelta(days=1) - pd.Timedelta(nanoseconds=1)
    if time.tz is not None:
        lo = lo.tz_localize(time.tz) if lo.tz is None else lo
        hi = hi.tz_localize(time.tz) if hi.tz is None else hi
    f = f.loc[np.asarray((time >= lo) & (time <= hi))]
    n = f["n_obs"].astype(float)
    g = f.assign(_wo=f["observed"].fillna(0) * n, _wn=f["normalised"] * n, _n=n)
    st = g.groupby(["station", "pollutant"])[["_wo", "_wn", "_n"]].sum()
    st = st[st["_n"] > 0]
    st = pd.DataFrame({"observed": st["_wo"] / st["_n"], "normalised": st["_wn"] / st["_n"]})
    st = st.reset_index()
    if units is None:
        st["unit"] = st["station"]
    else:
        st["unit"] = st["station"].map(pd.Series(units) if not isinstance(units, pd.Series)
                                       else units)
    st = st.dropna(subset=["unit"])
    out = st.groupby(["unit", "pollutant"]).agg(observed=("observed", "mean"),
                                                normalised=("normalised", "mean"),
                                                n_stations=("station", "nunique")).reset_index()
    out["factor"] = out["normalised"] / out["observed"]
    return out[["unit", "pollutant", "observed", "normalised", "factor", "n_stations"]]
