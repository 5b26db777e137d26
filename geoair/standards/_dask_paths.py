"""The standards' functions on dask DataFrames: same results as the in-memory path.

Hourly data are only touched by :func:`daily_dask`, which reduces each partition to daily
values (24 times fewer rows) where it lies; a (station, day) split between partitions (a frame
not partitioned by HJ 663 days, unlike :func:`geoair.io.read_store`) is detected and the
rows are then shuffled by station first. What follows (AQI, HJ 663 assessment, budgets) works
on daily values: per-day steps run per partition, per-unit steps after a shuffle by unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._dask import compute, plain_strings
from .._validation import GeoairInputError, require_columns
from .daily import _MEANS, daily_arrays, finish_daily, output_columns

__all__ = ["daily_dask", "aqi_dask", "evaluate_dask", "budget_dask"]


def _daily_part(frame: pd.DataFrame, pols, hour_label: str, min_hours: int):
    """Daily values of one partition: (res, validity, duplicate positions, rows)."""
    if frame.empty:
        return None, None, np.zeros(0, np.int64), 0
    res, val, dup = daily_arrays(plain_strings(frame).reset_index(drop=True), pols, hour_label, min_hours)
    return res, val, dup, len(frame)


def _run_parts(ddf, pols, hour_label, min_hours):
    import dask

    task = dask.delayed(_daily_part, pure=True, nout=4)
    parts = ddf.to_delayed()
    return compute(*[task(p, pols, hour_label, min_hours) for p in parts],
                   desc="geoair: daily")


def _indicator_order(pols) -> dict[str, int]:
    inds = [p for p in pols if p != "o3"] + (["o3", "o3_8h"] if "o3" in pols else [])
    return {ind: i for i, ind in enumerate(inds)}


def _fill_gaps(res: pd.DataFrame, val: pd.DataFrame, pols):
    """Days without any row between a station's partitions, as the in-memory path has them."""
    span = res.groupby("station", sort=False)["date"].agg(["min", "max", "size"])
    nd = ((span["max"] - span["min"]).dt.days + 1).to_numpy()
    if (nd == span["size"].to_numpy()).all():
        return res, val
    full = pd.DataFrame({
        "station": np.repeat(span.index.to_numpy(dtype=object), nd),
        "date": np.concatenate([pd.date_range(a, b, freq="D").to_numpy()
                                for a, b in zip(span["min"], span["max"], strict=True)])})
    miss = full.merge(res[["station", "date"]], how="left", indicator=True)
    miss = miss.loc[miss["_merge"] == "left_only", ["station", "date"]]
    res = pd.concat([res, miss], ignore_index=True)
    extra = []
    for ind in _indicator_order(pols):
        reason = "no valid 8-h window" if ind == "o3_8h" else "no data"
        extra.append(miss.assign(indicator=ind, n=0, valid=False, reason=reason))
    return res, pd.concat([val, *extra], ignore_index=True)


def _combine(outs, pols):
    """Concatenate partition results in the in-memory order (station, then day)."""
    outs = [o for o in outs if o[0] is not None]
    offsets = np.cumsum([0] + [o[3] for o in outs])
    dup = np.concatenate([o[2] + off for o, off in zip(outs, offsets, strict=False)])
    res = pd.concat([o[0] for o in outs], ignore_index=True)
    val = pd.concat([o[1] for o in outs], ignore_index=True)
    if res.duplicated(["station", "date"]).any():
        return None
    res, val = _fill_gaps(res, val, pols)
    res = res.sort_values(["station", "date"], kind="stable", ignore_index=True)
    rank = val["indicator"].map(_indicator_order(pols))
    val = (val.assign(_rank=rank.to_numpy())
           .sort_values(["station", "_rank", "date"], kind="stable", ignore_index=True)
           .drop(columns="_rank"))
    val["n"] = val["n"].astype(np.int64)
    val["valid"] = val["valid"].astype(bool)
    return res, val, dup


def daily_dask(ddf, *, hour_label: str, min_hours: int, pollutants=None) -> pd.DataFrame:
    """:func:`geoair.standards.daily` of a dask DataFrame (see its documentation)."""
    require_columns(ddf, ["station", "time"], what="hourly observation frame")
    pols = [p for p in (pollutants or (*_MEANS, "o3")) if p in ddf.columns]
    if not pols:
        raise GeoairInputError("No pollutant columns to aggregate.",
                               received=list(ddf.columns)[:20],
                               fix="Provide any of pm25, pm10, so2, no2, co, o3.")
    sub = ddf[["station", "time", *pols]]
    outs = [o for o in _run_parts(sub, pols, hour_label, min_hours)]
    if not any(o[0] is not None for o in outs):
        from .daily import _empty_result

        return _empty_result(pols)
    combined = _combine(outs, pols)
    if combined is None:  # a station-day spans partitions: put each station in one partition
        outs = _run_parts(sub.shuffle(on="station"), pols, hour_label, min_hours)
        combined = _combine(outs, pols)
    res, val, dup = combined
    res = res[output_columns(pols)]
    return finish_daily(res, val, dup, hour_label, min_hours)


def _standards_present(ddf, averaging: str, standard) -> list[str]:
    """The standards aqi() applies to a dask frame's rows, from the range of its dates."""
    from .aqi import _standard_codes

    if standard is not None:
        return _standard_codes(standard, None, 1)[0]
    col = "date" if "date" in ddf.columns else "time" if "time" in ddf.columns else None
    if col is None:
        return _standard_codes(None, None, 1)[0]
    lo, hi = compute(ddf[col].min(), ddf[col].max(), desc="geoair: dates")
    dates = pd.Series([lo, hi])
    if col == "time" and averaging == "1h":
        dates = dates - pd.Timedelta(hours=1)
    return _standard_codes(None, dates.dropna(), 2)[0]


def _conform(res: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Give a partition's aqi() frame the IAQI columns of the whole frame, in its order."""
    iaqi = [f"iaqi_{c}" for c in codes]
    for c in iaqi:
        if c not in res.columns:
            res[c] = np.nan
    rest = [c for c in res.columns if not c.startswith("iaqi_")]
    return res[iaqi + rest]


def _aqi_part(frame: pd.DataFrame, averaging, standard, missing, codes) -> pd.DataFrame:
    from .aqi import aqi

    res = aqi(plain_strings(frame), averaging, standard, missing=missing)
    res.attrs = {}
    return _conform(res, codes)


def aqi_dask(ddf, averaging: str, standard, *, missing: str):
    """:func:`geoair.standards.aqi` of a dask frame: a dask frame, row by row as in memory.

    The IAQI columns are those of the standards in force over the frame's dates (as the
    in-memory path); ``primary``, ``exceed`` and ``standard`` are categoricals whose
    categories become known when computed.
    """
    from dask.dataframe.utils import clear_known_categories

    from .aqi import _INDICATORS, aqi

    names = _standards_present(ddf, averaging, standard)
    codes: list[str] = []
    for std in names:
        codes += [c for c, *_ in _INDICATORS[(std, averaging)] if c not in codes]
    meta = aqi(ddf._meta, averaging, names[0] if standard is None else standard,
               missing=missing)
    meta.attrs = {}
    meta = clear_known_categories(_conform(meta, codes), cols=["primary", "exceed", "standard"])
    return ddf.map_partitions(_aqi_part, averaging, standard, missing, codes, meta=meta)


def _unit_key(ddf, by, stations):
    """The dask frame with a ``_unit`` column holding each row's assessment unit."""
    if by is None:
        return ddf.assign(_unit="all")
    if by in ddf.columns:
        return ddf.assign(_unit=ddf[by])
    require_columns(ddf, ["station"], what="daily frame")
    if stations is None or by not in stations.columns:
        raise GeoairInputError(
            f"Cannot group by {by!r}: not a column of the daily frame.", column=by,
            received=list(ddf.columns)[:20],
            fix="Add the column, or pass stations=read_stations(...) with it.")
    table = dict(zip(stations["station"].astype(str), stations[by], strict=False))
    unit = ddf["station"].astype(str).map(table, meta=("station", object))
    return ddf.assign(**{by: unit}).assign(_unit=lambda d: d[by])


def _evaluate_part(frame: pd.DataFrame, by, period, standard, weights, limits, span):
    from .evaluation import unit_daily, unit_periods, unit_statistics

    frame = plain_strings(frame.drop(columns="_unit"))
    if frame.empty:
        return None
    frame["date"] = pd.to_datetime(frame["date"])
    u = unit_periods(unit_daily(frame, by, None), period)
    if u.empty:
        return None
    return unit_statistics(u, period, standard=standard, weights=weights, limits=limits,
                           span=span)


def evaluate_dask(ddf, params: dict, *, stations, exclude_dust) -> pd.DataFrame:
    """:func:`geoair.standards.evaluate` of a dask frame of daily values (a pandas result)."""
    import dask

    from .._validation import DropLog
    from .evaluation import finish_evaluation

    require_columns(ddf, ["date"], what="daily frame",
                    fix="Use geoair.standards.daily(obs) to make daily values from hourly data.")
    log = DropLog()
    if exclude_dust is not None:
        if isinstance(exclude_dust, str):
            require_columns(ddf, [exclude_dust], what="daily frame")
            drop = ddf[exclude_dust].fillna(False).astype(bool)
        else:
            days = pd.DatetimeIndex(pd.to_datetime(list(np.atleast_1d(exclude_dust))))
            if len(days) and not isinstance(days[0], pd.Timestamp):
                raise GeoairInputError("exclude_dust for a dask frame: a column or dates.",
                                       received=type(exclude_dust).__name__,
                                       fix="Pass a boolean column name or a list of dates.")
            drop = ddf["date"].isin(list(days.normalize()))
        mask = compute(drop, desc="geoair: dust days")[0].to_numpy(bool)
        log.add("dust-affected day excluded (扣沙)", np.flatnonzero(mask))
        ddf = ddf[~drop]
    by, period = params["by"], params["period"]
    span = None  # the bounds of period "all" are those of the whole frame
    if period == "all":
        span = tuple(pd.Timestamp(x) for x in compute(ddf["date"].min(), ddf["date"].max()))
    keyed = _unit_key(ddf, by, stations).shuffle(on="_unit")
    task = dask.delayed(_evaluate_part, pure=True)
    outs = compute(*[task(p, by, period, params["standard"],
                          params["weights"], params["limits"], span)
                     for p in keyed.to_delayed()], desc="geoair: evaluate")
    outs = [o for o in outs if o is not None]
    if not outs:
        return pd.DataFrame(columns=["unit", "period", "start", "end", "n_days"])
    res = pd.concat(outs, ignore_index=True).sort_values(["unit", "period"], kind="stable",
                                                          ignore_index=True)
    return finish_evaluation(res, params, log)


def _budget_part(frame: pd.DataFrame, by, params, as_of, standard):
    from .budget import budget_units, year_units

    frame = plain_strings(frame.drop(columns="_unit"))
    frame["date"] = pd.to_datetime(frame["date"])
    u = year_units(frame, by, None, params["year"])
    return None if u.empty else budget_units(u, params, as_of, standard)


def budget_dask(ddf, params: dict, *, stations, standard) -> pd.DataFrame:
    """:func:`geoair.standards.target_budget` of a dask frame of daily values."""
    import dask
    import dask.dataframe as dd

    from ..schema import attach_units
    from .budget import COLUMNS, UNITS_BUDGET, check_as_of

    require_columns(ddf, ["date"], what="daily frame", fix="Use geoair.standards.daily(obs).")
    year, by = params["year"], params["by"]
    dates = dd.to_datetime(ddf["date"])
    last = compute(dates[dates.dt.year == year].max(), desc="geoair: dates")[0]
    if pd.isna(last):
        return pd.DataFrame(columns=COLUMNS)
    as_of = check_as_of(params["as_of"], last, year)
    keyed = _unit_key(ddf, by, stations).shuffle(on="_unit")
    task = dask.delayed(_budget_part, pure=True)
    outs = compute(*[task(p, by, params, as_of, standard) for p in keyed.to_delayed()],
                   desc="geoair: budget")
    outs = [o for o in outs if o is not None]
    if not outs:
        return pd.DataFrame(columns=COLUMNS)
    res = pd.concat(outs, ignore_index=True).sort_values("unit", kind="stable",
                                                         ignore_index=True)
    res.attrs["params"] = {**params, "as_of": as_of.date().isoformat()}  # JSON-able (parquet)
    return attach_units(res, UNITS_BUDGET)
