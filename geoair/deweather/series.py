"""``normalise``: weather-normalised series for every station and pollutant of a frame."""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pandas as pd

from .._attrs import as_attr
from .._validation import DropLog, GeoairInputError, get_droplog
from ..options import get_options
from . import _features
from ._exact import uses_exact
from .estimator import Normaliser, PoorFitError, check_frame, resolve_threads

_WARN_R2 = 0.5


class DeweatherWarning(UserWarning):
    """A station or pollutant was left out or fitted poorly (see ``attrs["performance"]``)."""


def normalise(data: pd.DataFrame, pollutant="pm25", *, met="auto", wind="sincos",
              history="72h", model="hgb", n_samples: int = 300, expectation: str = "auto",
              sampling: str = "whole", window=(14, 0), resolution: str = "D",
              n_folds: int = 5, block: str = "7D",
              level: float = 0.95, min_r2: float | None = 0.2, members: bool = False,
              era5=None, stations=None, met_source: str = "station", met_group=None,
              random_state: int | None = 0, n_jobs=None, progress: bool | None = None,
              ) -> pd.DataFrame:
    """Weather-normalised concentrations with intervals (rmweather's method, or Vu et al.'s).

    For each station (and pollutant) a :class:`~geoair.deweather.Normaliser` is fitted and
    normalised; see it for the method and every parameter not listed here.

    Parameters
    ----------
    data : pandas.DataFrame
        Observations in the data model (``station, time, <pollutant>, ws, wd, temp, ...``),
        e.g. :func:`geoair.datasets.load_beijing_observations`.
    pollutant : str or list of str
        Pollutant column(s).
    members : bool
        Keep the per-model columns that :func:`decompose` needs.
    era5 : xarray.Dataset, optional
        Wind field (``u10, v10``; :func:`geoair.io.read_wind`). When given, the wind of every
        station is sampled from it at the station (needs ``stations``) and replaces station
        ``ws/wd``; other meteorology still comes from the station columns.
    stations : DataFrame, optional
        ``station`` with ``lon, lat`` (or point geometry), for ``era5``.
    met_source, met_group : {"station", "network"}, str, optional
        Each station's own meteorology (default), or the hourly median over the stations of
        each ``met_group`` (column, e.g. ``"city"``; default all): :func:`network_met`.
    random_state : int or None
        Seed; each station-pollutant derives its own stream from it and its name, so a result
        does not depend on which other stations are in the frame.
    n_jobs : int, optional
        CPU cores (default the geoair option ``n_jobs``; -1 all). With several
        station-pollutants they run in parallel processes, one thread each; a single one uses
        ``n_jobs`` threads in the model.
    progress : bool, optional
        Progress bar over station-pollutants (default the geoair option ``progress``).

    Returns
    -------
    pandas.DataFrame
        ``[station,] [pollutant,] time, observed, normalised, lower, upper, se, n_obs``
        (``station`` when the input has a station column, ``pollutant`` when several were
        asked for). ``attrs["performance"]``: one row per station-pollutant with the
        out-of-sample skill (``r2, rmse, mae, bias, r, fac2``, blocked cross-validation),
        ``met`` (inputs used) and ``status`` (``ok``, ``poor fit``, ``refused: poor fit``,
        ``no meteorology``, ``too few data``); left-out stations are not in the series.
        ``attrs["params"]``, ``attrs["droplog"]``.

    Warns
    -----
    DeweatherWarning
        Stations left out (no meteorology, too few data, R² < ``min_r2``) or with R² < 0.5.

    Examples
    --------
    >>> obs = geoair.datasets.load_beijing_observations()  # doctest: +SKIP
    >>> res = normalise(obs[obs.station == "1004A"], ["so2", "pm25"])  # doctest: +SKIP
    """
    check_frame(data, pols := [pollutant] if isinstance(pollutant, str) else list(pollutant))
    frame = _met_frame(data, met_source, met_group, era5, stations)
    kw = dict(met=met, wind=wind, history=history, model=model, n_samples=n_samples,
              expectation=expectation, sampling=sampling, window=window, resolution=resolution,
              n_folds=n_folds, block=block, level=level, min_r2=min_r2, n_jobs=n_jobs)
    Normaliser(pollutant=pols[0], **kw)._check_params()
    has_station = "station" in frame.columns
    tasks = _tasks(frame, pols)
    parts, perf, log = _collect(frame, tasks, kw, members, random_state, progress,
                                DropLog().extend(get_droplog(data)))
    out = _assemble(parts, has_station, len(pols) > 1, members, n_folds)
    _warn(perf := pd.DataFrame(perf))
    out.attrs["performance"] = as_attr(perf if has_station else perf.drop(columns="station"))
    out.attrs.update(droplog=log, params={
        "pollutant": pollutant, **kw, "model": str(model), "members": members,
        "expectation": "exact" if uses_exact(expectation, sampling, model) else "draws",
        "era5": era5 is not None, "met_source": met_source, "random_state": random_state})
    return out


def _collect(frame, tasks, kw, members, random_state, progress, log: DropLog):
    """Run the tasks (with a progress bar) and gather series, performance rows and drops."""
    from tqdm.auto import tqdm

    parts, perf = [], []
    progress = get_options()["progress"] if progress is None else progress
    results = tqdm(_run(frame, tasks, kw, members, random_state), total=len(tasks),
                   disable=not progress, desc="normalise", unit="series")
    for (st, pos, pol), (res, row, drops) in zip(tasks, results, strict=True):
        perf.append({"station": st, "pollutant": pol, **row})
        for reason, rows, column in drops:
            log.add(reason, pos[rows], column=column)
        if res is not None:
            parts.append(res.assign(station=st, pollutant=pol))
        else:
            log.add(f"{pol}: station left out of the normalised series ({row['status']})",
                    pos, column=pol)
    return parts, perf, log


def _task_seed(random_state: int, station, pollutant: str) -> int:
    tag = zlib.crc32(f"{station}|{pollutant}".encode())
    return int(np.random.SeedSequence([int(random_state), tag]).generate_state(1)[0])


def _run(frame: pd.DataFrame, tasks, kw: dict, members: bool, random_state):
    """Results of the station-pollutant tasks, in order; in parallel processes when
    ``n_jobs`` > 1 and there are several tasks (one model thread each)."""
    workers = min(resolve_threads(kw["n_jobs"]), len(tasks))
    inner = dict(kw, n_jobs=1) if workers > 1 else kw
    cols = [c for c in frame.columns if c == "time" or c in {p for _, _, p in tasks}
            or c in _features.MET_CANDIDATES]
    args = [(frame.iloc[pos][cols], pol,
             None if random_state is None else _task_seed(random_state, st, pol), inner,
             members) for st, pos, pol in tasks]
    if workers <= 1:
        return (_one(*a) for a in args)
    from joblib import Parallel, delayed

    return Parallel(n_jobs=workers, return_as="generator")(delayed(_one)(*a) for a in args)


def _one(g: pd.DataFrame, pol: str, seed, kw: dict, members: bool):
    """Fit and normalise one station-pollutant.

    Returns ``(frame or None, performance row, drops)``; ``drops`` are ``(reason, rows,
    column)`` with rows as positions in ``g``.
    """
    met = _features.resolve_met(g, kw["met"])
    row = {"met": ", ".join(met), "status": "ok"}
    if not met:
        row["status"] = "no meteorology"
        return None, row, []
    est = Normaliser(pollutant=pol, random_state=seed, **kw)
    try:
        est.fit(g)
    except GeoairInputError as err:
        if "Too few" not in str(err):
            raise
        row["status"] = "too few data"
        return None, row, []
    drops = [(e["reason"], DropLog.rows_of(e), e["column"]) for e in est._design.drops]
    row.update({k: v for k, v in est.performance_.items() if k != "r2_folds"})
    try:
        res = est.normalise(members=members)
    except PoorFitError:
        row["status"] = "refused: poor fit"
        return None, row, drops
    if row["r2"] < _WARN_R2:
        row["status"] = "poor fit"
    if est.n_fallback_:
        row["window_fallback_draws"] = est.n_fallback_
    return res, row, drops


def _assemble(parts, has_station: bool, several: bool, members: bool, n_folds: int):
    cols = ["time", "observed", "normalised", "lower", "upper", "se", "n_obs"]
    if members:
        cols += [f"member_{k}" for k in range(n_folds)] + ["draw_var"]
    lead = (["station"] if has_station else []) + (["pollutant"] if several else [])
    if not parts:
        return pd.DataFrame(columns=lead + cols)
    out = pd.concat(parts, ignore_index=True)
    return out[lead + cols]


def _warn(perf: pd.DataFrame) -> None:
    for status, what in (("no meteorology", "have no meteorology and were left out"),
                         ("too few data", "have too few observations and were left out"),
                         ("refused: poor fit", "were left out: cross-validated R² below min_r2"),
                         ("poor fit", f"have a cross-validated R² below {_WARN_R2}: read their "
                          "normalised series with care")):
        sel = perf[perf["status"] == status]
        if len(sel):
            names = [f"{s}/{p}" if s is not None else p
                     for s, p in zip(sel["station"], sel["pollutant"], strict=True)]
            warnings.warn(f"{len(sel)} station-pollutant(s) {what}: {names[:10]}"
                          f"{' ...' if len(names) > 10 else ''} (see attrs['performance']).",
                          DeweatherWarning, stacklevel=3)


def _tasks(frame: pd.DataFrame, pols: list[str]) -> list:
    """(station, row positions, pollutant) for every series to normalise."""
    groups = (sorted(frame.groupby("station", sort=True).indices.items())
              if "station" in frame.columns else [(None, np.arange(len(frame)))])
    return [(s, pos, p) for s, pos in groups for p in pols]


def _met_frame(data: pd.DataFrame, met_source: str, met_group, era5, stations):
    """The observations with the meteorology the models will see."""
    if met_source not in ("station", "network"):
        raise GeoairInputError("Unknown met_source.", received=met_source,
                               fix="Use 'station' or 'network'.")
    if met_source == "network":
        from .network import network_met

        data = network_met(data, group=met_group)
    return _with_era5(data, era5, stations) if era5 is not None else data


def _with_era5(data: pd.DataFrame, era5, stations) -> pd.DataFrame:
    """Replace station ws/wd by the ERA5 wind sampled at each station."""
    from ..met.wind import sample_wind, uv_to_wswd

    if stations is None or "station" not in data.columns:
        raise GeoairInputError("ERA5 wind needs station coordinates.",
                               fix="Pass stations=read_stations(...) (station, lon, lat) and "
                               "a station column in the observations.")
    st = pd.DataFrame(stations)
    if not {"lon", "lat"} <= set(st.columns):
        st = st.assign(lon=st.geometry.x, lat=st.geometry.y)
    coords = st.drop_duplicates("station").set_index(st["station"].astype(str))
    lon = data["station"].astype(str).map(coords["lon"])
    lat = data["station"].astype(str).map(coords["lat"])
    if lon.isna().any():
        missing = sorted(data.loc[lon.isna(), "station"].astype(str).unique())[:5]
        raise GeoairInputError("Stations without coordinates for the ERA5 wind.",
                               column="station", received=missing,
                               fix="Add them to the stations table.")
    u, v = sample_wind(era5, lon.to_numpy(float), lat.to_numpy(float), data["time"])
    ws, wd = uv_to_wswd(u, v)
    return data.assign(ws=ws, wd=wd)
