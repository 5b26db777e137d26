"""Multi-scale scan of standardised residuals and change-point segmentation into events.

A station's residual series is autocorrelated (neighbour differences persist for hours to
days), so a window mean is compared with the station's *own* spread of window means at the
same length, not with a white-noise formula:

1. For each window length w (default 6, 12, 24, 48, 96, 168 h) the rolling mean of the
   standardised residual is centred and divided by the robust scale (1.4826 x MAD) of the
   station's rolling means of that length, shrunk towards the network's typical scale when
   the station has few independent windows. The result ``Z_w(t)`` is comparable across
   stations and lengths.
2. Hours covered by a window with ``sign * Z_w >= threshold`` form candidate regions.
3. Within a region the event is the segment ``[a, b]`` maximising the calibrated statistic
   ``sign * (mean z(a..b) - c(n)) / s(n)`` (``c, s`` interpolated in log-length from step 1):
   the epidemic change-point estimator (two change points, a CUSUM maximum) of Levin & Kline
   (1985) with the scale of step 1. What is left of the region on either side is searched
   again (binary segmentation), so two episodes in one region become two events.
4. The event score is that statistic after a Bonferroni adjustment for the number of
   independent windows searched (``sum_w n_hours / w``), expressed as a one-sided normal
   quantile, so that scan and run scores (:mod:`.runs`) share one scale.

References
----------
Page, E. S. (1954), Biometrika 41:100 (CUSUM); Levin, B. & Kline, J. (1985), Stat. Med.
4:469 (epidemic change-point CUSUM); Siegmund, D. (1986), Ann. Stat. 14:361 (scan
statistics); Carslaw, D. C. et al. (2006), Environ. Sci. Technol. 40:6912 (CUSUM on air
quality); Killick, R. et al. (2012), JASA 107:1590 (multiple change points).
"""

from __future__ import annotations

import numpy as np

from .._compat import njit
from ._kernels import column_median_mad
from .calibrate import robust_scale_of_excess

__all__ = ["WINDOWS", "window_statistics", "scan_segments", "adjusted_score", "segment_statistic",
           "Channel"]

#: Window lengths (hours) of the scan.
WINDOWS: tuple[int, ...] = (6, 12, 24, 48, 96, 168)
_SHRINK_N0 = 20.0  # prior weight (in independent windows) of the network scale


def _rolling_mean(z: np.ndarray, w: int, min_frac: float) -> np.ndarray:
    """Mean of the last ``w`` hours (ending at t) over valid hours; NaN below coverage."""
    ok = np.isfinite(z)
    cs = np.vstack([np.zeros((1, z.shape[1])), np.cumsum(np.where(ok, z, 0.0), axis=0)])
    cn = np.vstack([np.zeros((1, z.shape[1])), np.cumsum(ok, axis=0)])
    n_t = z.shape[0]
    out = np.full(z.shape, np.nan)
    if n_t < w:
        return out
    s = cs[w:] - cs[:-w]
    n = cn[w:] - cn[:-w]
    need = max(3, int(np.ceil(min_frac * w)))
    with np.errstate(invalid="ignore", divide="ignore"):
        out[w - 1:] = np.where(n >= need, s / np.maximum(n, 1), np.nan)
    return out


def window_statistics(z: np.ndarray, windows=WINDOWS, *, min_frac: float = 0.5):
    """Calibrated window means ``Z_w`` of a standardised residual array.

    Parameters
    ----------
    z : ndarray (T, S)
        Standardised residuals (NaN missing).
    windows : sequence of int
        Window lengths (h).
    min_frac : float
        Minimum fraction of valid hours in a window.

    Returns
    -------
    stats : list of ndarray (T, S)
        ``Z_w(t)`` for the window ending at hour t.
    lengths : ndarray (W + 1,)
        1 followed by ``windows`` (the hourly level has centre 0, scale 1 by construction).
    centre, scale : ndarray (W + 1, S)
        Per-station centre and scale of the window means at each length.
    """
    n_s = z.shape[1]
    lengths = np.r_[1, np.asarray(windows, dtype=float)]
    centre = np.zeros((len(lengths), n_s))
    scale = np.ones((len(lengths), n_s))
    stats = []
    for i, w in enumerate(windows, start=1):
        m = _rolling_mean(z, int(w), min_frac)
        c = np.nan_to_num(column_median_mad(m, 12)[0])
        centre[i] = c
        scale[i] = _block_scale(m - c[None, :], int(w))
        stats.append((m - c[None, :]) / scale[i][None, :])
    return stats, lengths, centre, scale


def block_dof(z: np.ndarray, windows=WINDOWS) -> np.ndarray:
    """Degrees of freedom of each station's window scale: its independent windows + the prior's.

    Row 0 (hourly) is the number of valid hours; row i the number of non-overlapping
    windows of length ``windows[i-1]`` plus :data:`_SHRINK_N0`.
    """
    n_valid = np.isfinite(z).sum(axis=0).astype(float)
    rows = [np.maximum(n_valid, 1.0)] + [n_valid / w + _SHRINK_N0 for w in windows]
    return np.vstack(rows)


def _block_scale(dev: np.ndarray, w: int) -> np.ndarray:
    """Robust scale of non-overlapping window means, shrunk towards the network's.

    Overlapping rolling means are strongly autocorrelated, and their spread around the
    median underestimates the spread of independent windows when a station has only a few
    (a month holds four 168-h windows). The scale is therefore taken from non-overlapping
    windows (two phases, ``w`` apart), by the MAD, and shrunk in variance towards the
    network median with the weight of :data:`_SHRINK_N0` windows.
    """
    blocks = np.vstack([dev[w - 1::w], dev[w - 1 + w // 2::w]])
    n_blocks = np.isfinite(blocks).sum(axis=0) / 2.0
    med_abs, _ = column_median_mad(np.ascontiguousarray(np.abs(blocks)), 2)
    s_emp = 1.4826 * med_abs  # MAD around zero (the deviations are already centred)
    good = np.isfinite(s_emp) & (s_emp > 0)
    s_net = float(np.median(s_emp[good])) if good.any() else 1.0 / np.sqrt(w)
    var = (np.where(good, n_blocks * s_emp**2, 0.0) + _SHRINK_N0 * s_net**2) / \
        (np.where(good, n_blocks, 0.0) + _SHRINK_N0)
    return np.sqrt(var)


def _covered(stats, windows, sign: float, threshold: float) -> np.ndarray:
    """Hours inside at least one window whose statistic passes ``threshold`` (window ends at t)."""
    n_t, n_s = stats[0].shape
    cover = np.zeros((n_t, n_s), dtype=bool)
    for zw, w in zip(stats, windows, strict=True):
        hit = np.nan_to_num(sign * zw, nan=-np.inf) >= threshold
        # hour t is covered when a passing window ends in [t, t + w - 1]
        c = np.vstack([np.zeros((1, n_s), dtype=np.int64), np.cumsum(hit, axis=0)])
        upper = np.minimum(np.arange(n_t) + int(w), n_t)
        cover |= (c[upper] - c[np.arange(n_t)]) > 0
    return cover


@njit(cache=True)
def _interp(log_n, log_len, vals):
    if log_n <= log_len[0]:
        return vals[0]
    for i in range(1, len(log_len)):
        if log_n <= log_len[i]:
            f = (log_n - log_len[i - 1]) / (log_len[i] - log_len[i - 1])
            return vals[i - 1] + f * (vals[i] - vals[i - 1])
    return vals[len(vals) - 1]


@njit(cache=True)
def _length_tables(n_max, log_len, centre, log_scale):
    """Centre and 1/scale of segment means for every valid-hour count 1..n_max."""
    c = np.empty(n_max + 1)
    inv = np.empty(n_max + 1)
    for n in range(1, n_max + 1):
        ln = np.log(n)
        c[n] = _interp(ln, log_len, centre)
        inv[n] = 1.0 / np.exp(_interp(ln, log_len, log_scale))
    return c, inv


@njit(cache=True)
def _best_segment(z, a0, b0, sign, c_tab, inv_tab, min_hours, max_len):
    """Best ``[a, b]`` inside ``[a0, b0]`` (at most ``max_len`` hours): max calibrated mean."""
    best = -np.inf
    ba = -1
    bb = -1
    for a in range(a0, b0 + 1):
        if z[a] != z[a]:
            continue
        s = 0.0
        n = 0
        for b in range(a, min(b0, a + max_len - 1) + 1):
            v = z[b]
            if v == v:
                s += v
                n += 1
            else:
                continue
            if n < min_hours or 2 * n < (b - a + 1):
                continue
            stat = sign * (s / n - c_tab[n]) * inv_tab[n]
            if stat > best:
                best = stat
                ba = a
                bb = b
    return ba, bb, best


@njit(cache=True)
def _segment_station(z, cover, sign, log_len, centre, log_scale, threshold, min_hours, max_events,
                     max_len):
    n_t = len(z)
    c_tab, inv_tab = _length_tables(max(n_t, 1), log_len, centre, log_scale)
    out_a = np.empty(max_events, dtype=np.int64)
    out_b = np.empty(max_events, dtype=np.int64)
    out_s = np.empty(max_events)
    n_out = 0
    stack_a = np.empty(4 * max_events + 4, dtype=np.int64)
    stack_b = np.empty(4 * max_events + 4, dtype=np.int64)
    t = 0
    while t < n_t and n_out < max_events:
        if not cover[t]:
            t += 1
            continue
        r1 = t
        while r1 + 1 < n_t and cover[r1 + 1]:
            r1 += 1
        top = 0
        stack_a[0] = t
        stack_b[0] = r1
        top = 1
        while top > 0 and n_out < max_events:
            top -= 1
            a0 = stack_a[top]
            b0 = stack_b[top]
            if b0 - a0 + 1 < min_hours:
                continue
            a, b, stat = _best_segment(z, a0, b0, sign, c_tab, inv_tab, min_hours, max_len)
            if a < 0 or stat < threshold:
                continue
            out_a[n_out] = a
            out_b[n_out] = b
            out_s[n_out] = stat
            n_out += 1
            if top + 2 <= len(stack_a):
                stack_a[top] = a0
                stack_b[top] = a - 1
                stack_a[top + 1] = b + 1
                stack_b[top + 1] = b0
                top += 2
        t = r1 + 1
    return out_a[:n_out], out_b[:n_out], out_s[:n_out]


def scan_segments(z: np.ndarray, *, sign: float = -1.0, windows=WINDOWS, threshold: float = 4.0,
                  min_hours: int = 3, max_events: int = 64, calibration=None):
    """Events of a standardised residual array where it departs (``sign``) from zero.

    Parameters
    ----------
    z : ndarray (T, S)
    sign : {-1.0, 1.0}
        -1 finds values below expectation (suppression, capping, drift), +1 above (spikes).
    windows : sequence of int
        Scan window lengths (h).
    threshold : float
        Minimum calibrated statistic (before the multiple-testing adjustment).
    min_hours : int
        Minimum valid hours in an event.
    max_events : int
        Per station.
    calibration : tuple, optional
        :func:`window_statistics` output for ``z`` (computed when not given).

    Returns
    -------
    dict of ndarray
        ``station`` (column index), ``start``, ``end`` (row indices, inclusive), ``stat``
        (calibrated statistic), ``n_tests`` (independent windows searched at that station).
    """
    stats, lengths, centre, scale = calibration or window_statistics(z, windows)
    cover = _covered(stats, windows, sign, threshold)
    log_len = np.log(lengths)
    n_valid = np.isfinite(z).sum(axis=0)
    rows = {"station": [], "start": [], "end": [], "stat": [], "n_tests": [], "n_valid": []}
    for s in np.flatnonzero(cover.any(axis=0)):
        a, b, st = _segment_station(np.ascontiguousarray(z[:, s]), cover[:, s], sign, log_len,
                                    centre[:, s], np.log(scale[:, s]), threshold, min_hours,
                                    max_events, int(2 * max(windows)))
        n_tests = max(1.0, float(sum(n_valid[s] / w for w in windows)))
        rows["station"] += [s] * len(a)
        rows["start"] += list(a)
        rows["end"] += list(b)
        rows["stat"] += list(st)
        rows["n_tests"] += [n_tests] * len(a)
        rows["n_valid"] += [float(n_valid[s])] * len(a)
    return {k: np.asarray(v, dtype=float if k in ("stat", "n_tests", "n_valid") else np.int64)
            for k, v in rows.items()}


def adjusted_score(stat, n_tests):
    """One-sided normal quantile of ``sf(stat) * n_tests`` (Bonferroni), floored at 0.

    Uses log-space tails so that very strong evidence keeps its order (no overflow at 40 σ).
    """
    from scipy.special import log_ndtr, ndtri_exp

    logp = log_ndtr(-np.asarray(stat, float)) + np.log(np.maximum(np.asarray(n_tests, float), 1.0))
    logp = np.minimum(logp, np.log(0.5))
    return np.maximum(-ndtri_exp(logp), 0.0)


def segment_statistic(z: np.ndarray, stations, starts, ends, lengths, centre, scale) -> np.ndarray:
    """Calibrated mean statistic ``(mean z - c(n)) / s(n)`` of given segments.

    Parameters
    ----------
    z : ndarray (T, S)
    stations, starts, ends : array-like of int
        Column and (inclusive) row indices of each segment.
    lengths, centre, scale
        From :func:`window_statistics`.

    Returns
    -------
    ndarray
        NaN for a segment without valid hours.
    """
    return _segment_stats(z, np.asarray(stations, np.int64), np.asarray(starts, np.int64),
                          np.asarray(ends, np.int64), np.log(lengths), centre, np.log(scale))


@njit(cache=True)
def _segment_stats(z, stations, starts, ends, log_len, centre, log_scale):
    out = np.full(len(stations), np.nan)
    for i in range(len(stations)):
        s = stations[i]
        tot = 0.0
        n = 0
        for t in range(starts[i], ends[i] + 1):
            v = z[t, s]
            if v == v:
                tot += v
                n += 1
        if n == 0:
            continue
        ln = np.log(n)
        out[i] = (tot / n - _interp(ln, log_len, centre[:, s])) / np.exp(_interp(ln, log_len, log_scale[:, s]))
    return out


def _tails(stats, sign: float, q: float):
    """Threshold (``q`` quantile) and mean excess of ``sign * Z`` for each window length."""
    u, beta = [], []
    for zw in stats:
        v = sign * zw[np.isfinite(zw)]
        if v.size < 100:
            u.append(3.0)
            beta.append(1.0)
            continue
        uq = float(np.quantile(v, q))
        u.append(uq)
        beta.append(max(robust_scale_of_excess(v[v > uq] - uq), 0.05))
    return np.asarray(u), np.asarray(beta)


class Channel:
    """A winsorised residual array with its window calibration, scanned and queried by segment.

    Parameters
    ----------
    z : ndarray (T, S)
        Standardised residuals.
    clip : float
        Winsorising bound (hourly residuals beyond ``±clip`` are set to it: Huber's idea that
        a gross error should count as a large, not an unbounded, departure).
    windows : sequence of int
    """

    def __init__(self, z: np.ndarray, *, clip: float = 5.0, windows=WINDOWS, tail_quantile: float = 0.95):
        self.z = np.clip(z, -clip, clip)
        self.windows = tuple(windows)
        self.calibration = window_statistics(self.z, self.windows)
        self.tail_quantile = tail_quantile
        self._tails: dict = {}
        self.dof = block_dof(self.z, self.windows)

    @property
    def tails(self) -> dict:
        """Network tail (threshold, scale) of the window statistics per sign, computed on first use."""
        if not self._tails:
            self._tails = {sign: _tails([self.z] + self.calibration[0], sign, self.tail_quantile)
                           for sign in (-1.0, 1.0)}
        return self._tails

    def dof_at(self, stations, n_hours) -> np.ndarray:
        """Degrees of freedom of the scale used for segments of ``n_hours`` at ``stations``."""
        log_len = np.log(self.calibration[1])
        ln = np.log(np.maximum(np.asarray(n_hours, float), 1.0))
        st = np.asarray(stations, np.int64)
        out = np.empty(len(st))
        for i in range(len(log_len) - 1):  # piecewise-linear in log length, vectorised per piece
            lo, hi = log_len[i], log_len[i + 1]
            m = (ln >= lo) & ((ln < hi) | (i == len(log_len) - 2))
            f = np.clip((ln[m] - lo) / (hi - lo), 0.0, 1.0)
            out[m] = self.dof[i, st[m]] * (1 - f) + self.dof[i + 1, st[m]] * f
        out[ln < log_len[0]] = self.dof[0, st[ln < log_len[0]]]
        return out

    def tail_logp(self, stat, n_hours, sign: float) -> np.ndarray:
        """Log of the network-calibrated chance of a window statistic at least this extreme.

        The tail of ``sign * Z_w`` over every station and hour of the network is modelled as
        exponential beyond its ``tail_quantile`` (a peaks-over-threshold fit, interpolated in
        log window length), so a departure is scored by how rare it is among the network's
        *own* departures of that length - ordinary noise, weather and the honest-but-odd
        included - rather than by a Gaussian tail the residuals do not have.
        """
        u, beta = self.tails[sign]
        log_len = np.log(self.calibration[1])
        ln = np.log(np.maximum(np.asarray(n_hours, float), 1.0))
        uu = np.interp(ln, log_len, u)
        bb = np.exp(np.interp(ln, log_len, np.log(beta)))
        excess = np.maximum(np.asarray(stat, float) - uu, 0.0)
        return np.log(1.0 - self.tail_quantile) - excess / bb

    def scan(self, sign: float, threshold: float, **kw):
        """:func:`scan_segments` of this channel, with the scale's degrees of freedom (``dof``)."""
        seg = scan_segments(self.z, sign=sign, windows=self.windows, threshold=threshold,
                            calibration=self.calibration, **kw)
        seg["dof"] = self.dof_at(seg["station"], seg["end"] - seg["start"] + 1)
        return seg

    def stat(self, stations, starts, ends) -> np.ndarray:
        """:func:`segment_statistic` of given segments."""
        _, lengths, centre, scale = self.calibration
        return segment_statistic(self.z, stations, starts, ends, lengths, centre, scale)
