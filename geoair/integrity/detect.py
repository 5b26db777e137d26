"""The integrity screen: expected values, detectors, events, ranking.

:class:`IntegrityScreen` is the estimator; :func:`detect_integrity` is the one-call function
returning the ranked event table. See :mod:`geoair.integrity` for what the screen can and
cannot tell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._i18n import resolve_lang
from .._validation import DropLog, GeoairInputError, check_option
from . import candidates as cand
from ._grid import SCREENED, to_grid
from .calibrate import score_candidates
from .classify import AQI100, classify_events
from .evidence import evidence_sentences
from .expected import (
    GASES,
    LOG_OFFSET,
    expected_field,
    expected_values,
    find_neighbours,
    gas_adjusted,
    gas_residual,
)
from .scan import WINDOWS, Channel

__all__ = ["IntegrityScreen", "detect_integrity", "EVENT_COLUMNS"]

#: Columns of the event table, in order.
EVENT_COLUMNS = ["station", "start", "end", "kind", "score", "pollutant", "evidence"]
#: Extra columns kept after the documented ones (numbers behind the evidence).
#: Units of the event columns (``events.attrs["units"]``).
EVENT_UNITS = {"score": "1 (calibrated evidence, comparable across stations; yellow >= 4, red >= 6)",
               "observed": "µg/m³", "expected": "µg/m³", "change": "1 (observed / expected - 1)",
               "n_hours": "h", "n_valid": "h", "lag": "h"}
DETAIL_COLUMNS = ["rank", "name", "city", "observed", "expected", "change", "n_hours", "n_valid",
                  "partner", "lag", "kinds", "channel"]


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int):
    from ..options import get_options

    if not get_options()["progress"]:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="integrity", leave=False)


class IntegrityScreen(BaseEstimator):
    """Screen station data for interference, faults and falsification.

    Parameters
    ----------
    pollutants : tuple of str
        Screened pollutants (``pm25``, ``pm10``).
    n_neighbours : int
        Neighbours per station for the expected value.
    max_distance_km : float
        Neighbours farther than this are not used (km).
    windows : tuple of int
        Scan window lengths (h).
    threshold : float
        Calibrated scan statistic needed to open an event (before the multiple-testing
        adjustment).
    clip : float
        Winsorising bound of hourly standardised residuals.
    min_score : float
        Events scoring below this are not reported. The default (0.5) lists weak evidence too,
        as "green" events at the bottom of the ranking: a reported event is a place to look,
        and the levels (:data:`~geoair.integrity.summary.LEVELS`) say where to look first.
    upward_weight : float
        Score multiplier for departures that are not downward and sustained (spikes, excess,
        PM10-driven ratio breaks): local emissions and faults rather than values made to
        look cleaner.
    source_weight : float
        Score multiplier for the station that looks like the *source* of a copied series
        (:func:`~geoair.integrity.candidates.source_multiplier`): a copied pair is ranked
        once, at the likely copier. The source's event stays in the table, low, its evidence
        naming the likely copier.
    calibration : {"network", "gaussian"}
        How a detector statistic becomes a score (:func:`~geoair.integrity.calibrate.score_candidates`).
    caps : dict, optional
        Pollutant -> ceiling for the capping test (default the AQI-100 concentrations).
    gas_adjust : bool
        Scan the PM residuals with the part shared with the station's own CO/NO2 residuals
        taken out (:func:`~geoair.integrity.expected.gas_adjusted`): a station whose gases
        part from their neighbours with its PM is seeing different air, not a doctored PM.
    gas_support : float
        A downward departure during which the station's own gases were on average more
        than this many robust scales below their neighbours too is scored like an upward
        one (x ``upward_weight``): the station saw different air
        (:func:`~geoair.integrity.candidates.gas_support_multiplier`; ``inf``: off).
    lang : {"en", "zh"}, optional
        Language of the evidence (default: the geoair option).

    Attributes
    ----------
    events_ : DataFrame
        Ranked events: ``station, start, end, kind, score, pollutant, evidence`` then
        ``rank, name, city, observed, expected`` (µg/m³ means over the event), ``change``,
        ``n_hours, n_valid, partner, lag, kinds, channel``.
    grid_ : StationGrid
    fields_ : dict of ExpectedField
    neighbours_ : tuple of ndarray
        ``(indices, distances_km)`` from :func:`~geoair.integrity.expected.find_neighbours`.
    droplog_ : DropLog

    References
    ----------
    See :mod:`geoair.integrity.expected`, :mod:`~geoair.integrity.scan`,
    :mod:`~geoair.integrity.runs` and :mod:`~geoair.integrity.classify`.
    """

    def __init__(self, *, pollutants=SCREENED, n_neighbours: int = 8, max_distance_km: float = 150.0,
                 windows=WINDOWS, threshold: float = 2.5, clip: float = 5.0, min_score: float = 0.5,
                 upward_weight: float = 0.5, source_weight: float = 0.05, calibration: str = "gaussian",
                 caps=None, gas_adjust: bool = True, gas_support: float = 1.0, lang=None):
        self.pollutants = pollutants
        self.n_neighbours = n_neighbours
        self.max_distance_km = max_distance_km
        self.windows = windows
        self.threshold = threshold
        self.clip = clip
        self.min_score = min_score
        self.upward_weight = upward_weight
        self.source_weight = source_weight
        self.calibration = calibration
        self.caps = caps
        self.gas_adjust = gas_adjust
        self.gas_support = gas_support
        self.lang = lang

    def _check(self) -> None:
        for p in self.pollutants:
            check_option("pollutants", p, SCREENED)
        if not len(self.pollutants):
            raise GeoairInputError("No pollutant to screen.", received=self.pollutants,
                                   fix=f"Use any of {list(SCREENED)}.")
        check_option("calibration", self.calibration, ("network", "gaussian"))
        if self.n_neighbours < 1 or self.max_distance_km <= 0:
            raise GeoairInputError("n_neighbours must be >= 1 and max_distance_km > 0.",
                                   received=(self.n_neighbours, self.max_distance_km))

    def _candidates(self, grid, nb, fields, channels, ratio) -> pd.DataFrame:
        parts = [cand.ratio_candidates(ratio, channels, threshold=self.threshold,
                                       upward_weight=self.upward_weight)]
        if "pm" in channels:
            parts.append(cand.scan_candidates(channels["pm"], "pm25,pm10", threshold=self.threshold,
                                              upward_weight=self.upward_weight, name="pm"))
        gases = {g: np.log(grid.values[g] + LOG_OFFSET[g]) for g in GASES if g in grid.values}
        for p, f in fields.items():
            parts.append(cand.scan_candidates(channels[p], p, threshold=self.threshold,
                                              upward_weight=self.upward_weight, name=p))
            parts.append(cand.run_candidates(grid.values[p], p, nb, f, ratio,
                                             source_weight=self.source_weight, gases=gases))
            parts.append(cand.spike_candidates(f, p, clip=self.clip, upward_weight=self.upward_weight))
        if {"pm25", "pm10"} <= set(fields):
            parts.append(cand.violation_candidates(grid.values["pm25"], grid.values["pm10"]))
        parts = [p for p in parts if len(p)]
        return pd.concat(parts, ignore_index=True) if parts else cand._empty()

    def fit(self, obs: pd.DataFrame, stations=None) -> IntegrityScreen:
        """Screen ``obs`` (data-model observations) with ``stations`` (coordinates)."""
        self._check()
        lang = resolve_lang(self.lang)
        bar = _progress(4)
        grid = to_grid(obs, stations)
        nb, dist = find_neighbours(grid.lon, grid.lat, k=self.n_neighbours, max_km=self.max_distance_km)
        fields = {p: expected_field(grid, p, nb) for p in self.pollutants}
        bar.update()
        zg = gas_residual(grid, nb) if self.gas_adjust else None
        zadj, self.gas_beta_ = gas_adjusted(fields, zg)
        channels = {p: Channel(zadj[p], clip=self.clip, windows=self.windows) for p in fields}
        joint = cand.joint_channel(fields, clip=self.clip, windows=self.windows, z=zadj)
        if joint is not None:
            channels["pm"] = joint
        ratio = cand.ratio_channel(fields, clip=self.clip, windows=self.windows)
        raw = self._candidates(grid, nb, fields, channels, ratio)
        if zg is not None and self.gas_support < np.inf:
            raw["weight"] = raw["weight"] * cand.gas_support_multiplier(raw, zg, self.upward_weight,
                                                                       z_gas=self.gas_support)
        raw["score"] = score_candidates(raw, {**channels, "ratio": ratio}, len(grid.codes),
                                        calibration=self.calibration, windows=self.windows)
        raw.attrs["units"] = {"score": EVENT_UNITS["score"], "start": "hour index", "end": "hour index",
                              "station": "station index", "lag": "h", "station_hours": "h",
                              "weight": "1 (score multiplier)"}
        raw.attrs["droplog"] = DropLog()
        self.candidates_ = raw
        bar.update()
        events = cand.merge_candidates(raw)
        # a copy's likely source stays listed (low) when its unweighted score would be
        # reported: the direction can be wrong, and the pair must stay visible
        full = events["score"] / events["weight"].where(events["weight"] > 0, 1.0)
        keep = (events["score"] >= self.min_score) | (events["source_side"].astype(bool) & (full >= self.min_score))
        events = events[keep].reset_index(drop=True)
        events = classify_events(events, grid, fields, channels, caps=self.caps or AQI100)
        bar.update()
        self.events_ = self._finalise(events, grid, lang)
        self.grid_, self.fields_, self.neighbours_ = grid, fields, (nb, dist)
        self.channels_, self.ratio_channel_ = channels, ratio
        self.droplog_ = grid.log
        bar.update()
        bar.close()
        return self

    def _finalise(self, ev: pd.DataFrame, grid, lang: str) -> pd.DataFrame:
        evidence = evidence_sentences(ev, grid, lang=lang, caps=self.caps or AQI100)
        s = ev["station"].to_numpy(np.int64)
        partner = ev["partner"].to_numpy(np.int64) if len(ev) else np.zeros(0, np.int64)
        out = pd.DataFrame({
            "station": grid.codes[s], "start": grid.times[ev["start"].to_numpy(np.int64)],
            "end": grid.times[ev["end"].to_numpy(np.int64)], "kind": ev["kind"].to_numpy(object),
            "score": ev["score"].to_numpy(float).round(3), "pollutant": ev["pollutant"].to_numpy(object),
            "evidence": evidence, "name": grid.meta["name"].to_numpy()[s],
            "city": grid.meta["city"].to_numpy()[s], "observed": ev["observed"].to_numpy(float),
            "expected": ev["expected"].to_numpy(float), "change": ev["change"].to_numpy(float),
            "n_hours": ev["n_hours"].to_numpy(np.int64), "n_valid": ev["n_valid"].to_numpy(np.int64),
            "partner": np.where(partner >= 0, grid.codes[np.maximum(partner, 0)], ""),
            "lag": ev["lag"].to_numpy(np.int64), "kinds": ev["kinds"].to_numpy(object),
            "channel": ev["channel"].to_numpy(object)})
        out = out.sort_values(["score", "station"], ascending=[False, True], ignore_index=True)
        out.insert(7, "rank", np.arange(1, len(out) + 1))
        out = out[EVENT_COLUMNS + DETAIL_COLUMNS]
        out.attrs["droplog"] = grid.log
        out.attrs["params"] = self.get_params()
        out.attrs["units"] = dict(EVENT_UNITS)
        return out

    def expected(self, station: str | None = None) -> pd.DataFrame:
        """Observed and expected values with the hourly band (``expected_values``), one station or all."""
        table = expected_values(self.grid_, self.fields_)
        return table if station is None else table[table["station"] == str(station)].reset_index(drop=True)


def detect_integrity(obs: pd.DataFrame, stations=None, **params) -> pd.DataFrame:
    """Ranked integrity events of a station network (one call of :class:`IntegrityScreen`).

    Parameters
    ----------
    obs : DataFrame
        Hourly observations (``station, time, pm25, pm10`` and, for the fallback predictor,
        ``co``), e.g. :func:`geoair.read_observations` output.
    stations : DataFrame or GeoDataFrame, optional
        ``station`` with coordinates (``lon, lat`` or Point geometry, EPSG:4326); without it
        no neighbour can be used and only runs and the station's own history are screened.
    **params
        :class:`IntegrityScreen` parameters.

    Returns
    -------
    DataFrame
        ``station, start, end, kind, score, pollutant, evidence`` (best first) and detail
        columns; ``attrs["droplog"]`` and ``attrs["params"]``.
    """
    return IntegrityScreen(**params).fit(obs, stations).events_
