"""One score for every detector: how rare an event is in the network's own behaviour.

An integrity event is scored by its expected number per station-month at least as extreme,
``lambda``, estimated from the network being screened, and reported as
``score = -log10(lambda)`` (score 3: about once in a thousand station-months). Real data are
full of honest oddities - instrument gaps, stuck analysers, fireworks nights, calibration
dips, dust - and their signatures overlap manipulation; calibrating every detector on the
network's own distribution of its statistic ranks an event by how far it lies beyond what the
network shows anyway, whatever the detector:

- **residual scans**: the network's tail of window statistics of that length
  (:meth:`geoair.integrity.scan.Channel.tail_logp`), times the number of windows of that
  length in a station's series;
- **runs** (flatlines, copies, PM2.5 > PM10): the empirical survival function of the run
  statistic (``-log P`` under the Markov model of :mod:`.runs`) across all runs in the
  network of that family, with an exponential tail fitted above the ``tail_quantile`` of
  that distribution to extrapolate beyond the largest honest run.

Tail scales are estimated from the median excess, so that a minority of extreme events (the
manipulated ones, when a network holds several) cannot widen the tail and calibrate
themselves away.

References
----------
Coles, S. (2001), An Introduction to Statistical Modeling of Extreme Values, Springer
(peaks over threshold, exponential tail); Benjamini, Y. & Hochberg, Y. (1995), JRSS B
57:289 (expected false discoveries as the currency of many tests).
"""

from __future__ import annotations

import numpy as np

__all__ = ["scan_log_rate", "empirical_log_rate", "score_from_log_rate", "robust_scale_of_excess",
           "score_candidates"]

_LN10 = np.log(10.0)
#: Effective tests per window position of the segment search (positions and lengths between
#: the scan windows): measured on clean synthetic networks (tests/integrity), see
#: docs/methods/integrity.md.
_SEGMENT_FACTOR = 5.0


def scan_log_rate(channel, stat, n_hours, sign: float, n_valid) -> np.ndarray:
    """Log expected count per station-month of windows at least this extreme.

    Parameters
    ----------
    channel : Channel
    stat : array-like
        Calibrated window statistics of the events.
    n_hours : array-like
        Event lengths (h).
    sign : float
        Direction scanned.
    n_valid : array-like
        Valid hours of each event's station.
    """
    n = np.maximum(np.asarray(n_hours, float), 1.0)
    windows = np.maximum(np.asarray(n_valid, float) / n, 1.0)
    return channel.tail_logp(stat, n, sign) + np.log(windows)


def empirical_log_rate(stat, n_units: int, *, tail_quantile: float = 0.75,
                       min_tail: int = 20) -> np.ndarray:
    """Log expected count per unit of family members with a statistic at least each value.

    Parameters
    ----------
    stat : array-like
        The statistic of every member of one detector family in the network.
    n_units : int
        Stations screened (the rate is per station over the period).
    tail_quantile : float
        Above this quantile the survival function is an exponential fitted to the excesses
        (mean excess), so that it extrapolates past the largest observed value.
    min_tail : int
        Minimum members above the threshold (the threshold is lowered to keep them).

    Returns
    -------
    ndarray
        ``log(count >= stat / n_units)``.
    """
    x = np.asarray(stat, float)
    out = np.zeros(len(x))
    if len(x) == 0:
        return out
    srt = np.sort(x)
    n = len(srt)
    u = float(np.quantile(srt, tail_quantile)) if n > min_tail else float(srt[0])
    if (srt > u).sum() < min(min_tail, n - 1):
        u = float(srt[max(n - min_tail - 1, 0)])
    above = srt[srt > u]
    beta = robust_scale_of_excess(above - u)
    count = n - np.searchsorted(srt, x, side="left")
    n_u = max(len(above), 1)
    tail = n_u * np.exp(-(x - u) / beta)
    count = np.where(x > u, tail, count)
    return np.log(np.maximum(count, 1e-300) / max(n_units, 1))


def robust_scale_of_excess(excess) -> float:
    """Scale of an exponential tail from the *median* excess (``median / ln 2``).

    The mean excess (the usual estimate) is dragged up by a handful of extreme members -
    precisely the manipulated events, when a network holds several - which would then
    calibrate themselves away. The median is not.
    """
    excess = np.asarray(excess, float)
    if excess.size == 0:
        return 1.0
    return max(float(np.median(excess)) / np.log(2.0), 1e-3)


def score_from_log_rate(log_rate) -> np.ndarray:
    """``-log10`` of the expected count per station-month, floored at 0."""
    return np.maximum(-np.asarray(log_rate, float) / _LN10, 0.0)


def _gaussian(fam: str, stat, n_hours, n_valid, windows, dof) -> np.ndarray:
    from .candidates import score_from_logp

    if fam.startswith("spike:"):
        from scipy.special import log_ndtr

        return score_from_logp(log_ndtr(-np.asarray(stat, float)), n_valid)
    if fam.startswith("scan:"):
        from scipy.stats import t as student_t

        n_tests = _SEGMENT_FACTOR * sum(np.asarray(n_valid, float) / w for w in windows)
        logp = student_t.logsf(np.asarray(stat, float), np.nan_to_num(dof, nan=1e6))
        return score_from_logp(logp, n_tests)
    return score_from_logp(-np.asarray(stat, float), n_valid)


def _network(fam: str, stat, n_hours, n_valid, channel, n_stations: int) -> np.ndarray:
    if fam.startswith("spike:"):
        return score_from_log_rate(empirical_log_rate(stat, n_stations)) if len(stat) >= 20 else \
            np.zeros(len(stat))
    if fam.startswith("scan:"):
        sign = float(fam.rsplit(":", 1)[1])
        return score_from_log_rate(scan_log_rate(channel, stat, n_hours, sign, n_valid))
    if len(stat) >= 20:
        return score_from_log_rate(empirical_log_rate(stat, n_stations))
    return score_from_log_rate(-np.asarray(stat, float) + np.log(np.maximum(n_valid, 1.0)))


def score_candidates(cands, channels: dict, n_stations: int, *, calibration: str = "network",
                     windows=(6, 12, 24, 48, 96, 168)) -> np.ndarray:
    """Score of every candidate (before merging), its family's calibration times its weight.

    Parameters
    ----------
    cands : DataFrame
        :mod:`geoair.integrity.candidates` rows (``family, stat, station_hours, weight``).
    channels : dict
        Channel of each scanned family (``"pm25"``, ``"pm10"``, ``"ratio"``).
    n_stations : int
    calibration : {"network", "gaussian"}
        ``"network"``: expected count per station-month from the network's own distribution
        (this module); ``"gaussian"``: a normal-tail p-value of the scan statistic and the
        Markov run probability, each Bonferroni-adjusted for the places searched and given
        as a normal quantile (the textbook score, kept for comparison).
    windows : sequence of int
        Scan windows (for the Gaussian adjustment).
    """
    score = np.zeros(len(cands))
    if len(cands) == 0:
        return score
    fam = cands["family"].to_numpy()
    n_hours = (cands["end"] - cands["start"] + 1).to_numpy(float)
    for f in np.unique(fam):
        rows = np.flatnonzero(fam == f)
        stat = cands["stat"].to_numpy(float)[rows]
        n_valid = cands["station_hours"].to_numpy(float)[rows]
        if calibration == "gaussian":
            score[rows] = _gaussian(f, stat, n_hours[rows], n_valid, windows,
                                    cands["dof"].to_numpy(float)[rows])
        else:
            ch = channels.get(f.split(":")[1]) if f.startswith("scan:") else None
            score[rows] = _network(f, stat, n_hours[rows], n_valid, ch, n_stations)
    return score * cands["weight"].to_numpy(float)
