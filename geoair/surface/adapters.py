"""Hand estimated county means to the hotspot and league-table analyses, flag kept.

:func:`county_table` turns :func:`estimate` output for counties into the frame that
:func:`geoair.hotspot.local_gi_star` and :func:`geoair.hotspot.emerging_hotspots` already
accept (a ``value`` column on county polygons), with every county present and the
``observed`` flag, interval and station count alongside. :func:`to_evaluation` gives the
``unit, period, pm25`` frame that :func:`geoair.standards.league_table` ranks with
``sort_by="pm25"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._attrs import as_attr
from .._validation import GeoairInputError, require_columns

__all__ = ["county_table", "county_daily", "county_means", "period_mean", "to_evaluation", "league_table"]

_COLS = ["id", "date", "estimate", "lower", "upper", "observed", "n_stations"]


def _one_date(est: pd.DataFrame, date):
    dates = pd.unique(est["date"])
    if date is None:
        if len(dates) != 1:
            raise GeoairInputError(
                "The estimates hold several dates; say which one to map.",
                received=[str(d) for d in dates[:5]],
                fix="Pass date=..., or estimate period means (station_values(obs, freq='all')).")
        date = dates[0]
    sub = est[est["date"] == date]
    if sub.empty:
        raise GeoairInputError("Date not in the estimates.", received=str(date),
                               fix=f"Use one of {[str(d) for d in dates[:5]]}.")
    return sub


def county_table(est: pd.DataFrame, counties, *, date=None, id_col: str = "adcode"):
    """Counties with estimated means, intervals and the ``observed`` flag.

    Parameters
    ----------
    est : DataFrame
        :func:`geoair.surface.estimate` output for county polygons (``id`` = ``adcode``).
    counties : GeoDataFrame
        ``adcode, name, geometry`` (e.g. :func:`geoair.datasets.load_bth_counties`).
    date : optional
        The date (or period label) to use; required when ``est`` has several.

    Returns
    -------
    GeoDataFrame
        ``counties`` with ``value`` (estimate, µg/m³), ``lower``, ``upper`` (interval),
        ``observed`` (a station with data inside), ``estimated`` (not observed),
        ``n_stations`` (stations within the variogram range), ``date``. Counties missing from
        ``est`` keep NaN and ``observed=False``. Input for ``local_gi_star(table, "value")``.
    """
    require_columns(est, _COLS, what="estimate frame", fix="Use geoair.surface.estimate(...).")
    require_columns(counties, [id_col, "geometry"], what="counties")
    sub = _one_date(est, date)
    keyed = sub.set_index(sub["id"].astype(str))
    key = counties[id_col].astype(str)
    out = counties.copy()
    out["value"] = key.map(keyed["estimate"]).astype(float).to_numpy()
    out["lower"] = key.map(keyed["lower"]).astype(float).to_numpy()
    out["upper"] = key.map(keyed["upper"]).astype(float).to_numpy()
    out["observed"] = key.map(keyed["observed"]).astype("boolean").fillna(False).to_numpy(dtype=bool)
    out["estimated"] = ~out["observed"]
    out["n_stations"] = key.map(keyed["n_stations"]).fillna(0).astype(int).to_numpy()
    out["date"] = sub["date"].iloc[0]
    out.attrs["params"] = dict(est.attrs.get("params", {}))
    return out


def period_mean(est: pd.DataFrame, *, label="all", freq: str | None = None) -> pd.DataFrame:
    """Period means of daily estimates (or of LOO predictions), with a conservative interval.

    The estimate is the mean of the daily estimates. The bounds are the means of the daily
    bounds: quantiles add under comonotonicity, so this is the exact interval of the mean when
    the daily errors are perfectly correlated, and wider than needed otherwise (coverage at or
    above nominal; 95 % for nominal 90 % in the bundled validation).

    Parameters
    ----------
    est : DataFrame
        :func:`estimate` output (``id``) or :func:`loo` output (``station``) with several dates.
    label : object
        ``date`` of the result when ``freq`` is None.
    freq : str, optional
        Pandas period frequency (e.g. ``"M"``) to average per calendar period instead.

    Returns
    -------
    DataFrame
        Same columns; ``observed`` is true when the area was observed on any day (for LOO
        frames ``observed`` is the mean observed value); ``n_days`` days averaged.
    """
    key = "id" if "id" in est.columns else "station"
    require_columns(est, [key, "date", "estimate", "lower", "upper", "observed"], what="estimate frame",
                    fix="Use geoair.surface.estimate(...) or loo(...).")
    df = est.copy()
    df["date"] = label if freq is None else pd.to_datetime(df["date"]).dt.to_period(freq)
    by = [key, "date"] + (["method"] if "method" in df.columns else [])
    agg = {"estimate": ("estimate", "mean"), "lower": ("lower", "mean"), "upper": ("upper", "mean"),
           "observed": ("observed", "max" if df["observed"].dtype == bool else "mean"),
           "n_days": ("estimate", "size")}
    if "n_stations" in df.columns:
        agg["n_stations"] = ("n_stations", "min")
    out = df.groupby(by, as_index=False, sort=False).agg(**agg)
    out.attrs["params"] = dict(est.attrs.get("params", {}), period_mean=True)
    return out


def county_daily(est: pd.DataFrame, *, value: str = "pm25") -> pd.DataFrame:
    """Daily county estimates as ``adcode, date, <value>, observed`` for emerging hotspots.

    The frame :func:`geoair.hotspot.emerging_hotspots` takes (``time="date"``), with every
    county on every day.
    """
    require_columns(est, _COLS, what="estimate frame", fix="Use geoair.surface.estimate(...).")
    out = est[["id", "date", "estimate", "observed"]].rename(columns={"id": "adcode",
                                                                      "estimate": value})
    return out.reset_index(drop=True)


def to_evaluation(est: pd.DataFrame, *, value: str = "pm25", period=None) -> pd.DataFrame:
    """``unit, period, <value>, observed, lower, upper`` rows for a league table.

    Parameters
    ----------
    est : DataFrame
        Period (e.g. monthly) estimates for counties.
    period : optional
        Period label written to ``period`` (default the estimates' ``date``).

    Returns
    -------
    DataFrame
        Rank with ``geoair.standards.league_table(frame, sort_by="pm25")``; the composite
        index needs all six pollutants and is not estimated.
    """
    require_columns(est, _COLS, what="estimate frame", fix="Use geoair.surface.estimate(...).")
    out = pd.DataFrame({
        "unit": est["id"].to_numpy(),
        "period": est["date"].to_numpy() if period is None else np.repeat(period, len(est)),
        value: est["estimate"].to_numpy(),
        "observed": est["observed"].to_numpy(),
        "lower": est["lower"].to_numpy(),
        "upper": est["upper"].to_numpy(),
    })
    return out


def league_table(est: pd.DataFrame, *, date=None, names=None, lang: str | None = None,
                 value: str = "pm25") -> pd.DataFrame:
    """PM2.5 league table of all counties from estimates, with the interval and the flag.

    Ranks with :func:`geoair.standards.league_table` (``sort_by=value``; ties share the
    smaller rank) and adds the interval and whether the county has a station.

    Parameters
    ----------
    est : DataFrame
        :func:`geoair.surface.estimate` output for counties.
    date : optional
        Date / period to rank (required when ``est`` has several).
    names : mapping, optional
        adcode -> county name.
    lang : {"zh", "en"}, optional
        Column language (default the geoair option).

    Returns
    -------
    DataFrame
        The standards league table plus interval bounds and an observed / estimated column.
    """
    from .._i18n import resolve_lang, t
    from ..standards import league_table as _league

    lang = resolve_lang(lang)
    sub = _one_date(est, date)
    ev = to_evaluation(sub, value=value, period="period")
    table = _league(ev[["unit", "period", value]], names=names, lang=lang, sort_by=value)
    unit_col = "unit" if lang == "en" else "单位"  # geoair.standards.ranking headers
    by_unit = ev.set_index(ev["unit"].astype(str))
    units = table[unit_col].astype(str)
    table[t("surface.lower", lang)] = units.map(by_unit["lower"]).to_numpy()
    table[t("surface.upper", lang)] = units.map(by_unit["upper"]).to_numpy()
    flag = units.map(by_unit["observed"]).astype(bool)
    table[t("surface.basis", lang)] = np.where(flag, t("surface.observed", lang),
                                               t("surface.estimated", lang))
    return table


def county_means(obs: pd.DataFrame, stations, counties, pollutant: str = "pm25", *,
                 method: str = "kriging", **kwargs) -> pd.DataFrame:
    """Period county means for every county, from hourly observations (briefing drop-in).

    Daily station means (GB 3095 validity) are block-kriged to each county every day and
    averaged over the period (:func:`period_mean`), so counties without a station get a value
    with an interval instead of "no data".

    Parameters
    ----------
    obs : DataFrame
        Hourly observations (``station, time, <pollutant>``).
    stations : GeoDataFrame
        Stations (the more beyond the counties' border, the better the edge counties: see
        :func:`stations_near`).
    counties : GeoDataFrame
        ``adcode, geometry``.
    kwargs
        Passed to :func:`estimate` (``model``, ``variogram``, ``covariates`` ...).

    Returns
    -------
    DataFrame
        ``adcode, value, lower, upper, observed, n_stations`` (stations inside the county with
        data, as the station-only county means count them), ``n_in_range`` (stations within the
        variogram range); ``attrs["daily"]`` holds the daily estimates (for
        :func:`county_daily`), ``attrs["droplog"]`` the dropped station-days.
    """
    from ..hotspot.aggregate import assign_county
    from .estimate import estimate
    from .values import station_values

    daily = station_values(obs, pollutant, freq="D")
    st = stations[stations["station"].astype(str).isin(daily["station"].astype(str))]
    est = estimate(daily, st, counties, method=method, **kwargs)
    tab = county_table(period_mean(est), counties)
    inside = assign_county(st, counties)["adcode"].value_counts()
    out = pd.DataFrame({
        "adcode": tab["adcode"].to_numpy(),
        "value": tab["value"].to_numpy(),
        "lower": tab["lower"].to_numpy(),
        "upper": tab["upper"].to_numpy(),
        "observed": tab["observed"].to_numpy(),
        "n_stations": tab["adcode"].map(inside).fillna(0).astype(int).to_numpy(),
        "n_in_range": tab["n_stations"].to_numpy(),
    })
    out.attrs["daily"] = as_attr(est)
    out.attrs["droplog"] = daily.attrs.get("droplog")
    out.attrs["params"] = dict(est.attrs.get("params", {}), pollutant=pollutant, period_mean=True)
    return out
