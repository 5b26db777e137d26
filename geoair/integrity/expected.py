"""Expected value of every station-hour from what the station cannot easily touch.

Three predictors of a station's log concentration, each with a per-station robust scale:

1. **Neighbours** (main): every one of the ``k`` nearest stations (haversine, within
   ``max_km``) implies ``log x_j(t) + b_sj``, where the station effect ``b_sj`` is the median
   of ``log x_s - log x_j`` over the period. The implied values are combined by a weighted,
   trimmed mean (weights 1/MAD² of each pair's difference; values more than 3 pair scales from
   the weighted median are dropped, so one disturbed neighbour cannot drag the prediction).
2. **Other pollutants** at the same station: ``log CO + median(log PM - log CO)``. Interference
   at a PM inlet (water spray, blocking, fog cannons) leaves the CO analyser untouched.
3. **Own history**: the station's median log concentration at that hour of day (a weak
   fallback for stations without neighbours or CO).

Per station the predictor with the smallest robust residual scale is used, the others only
where it has no value; the residual ``log x - expected`` is centred and divided by that
predictor's robust scale (1.4826 x MAD), by a network-wide factor for the concentration
level and by one for how much the neighbours disagree among themselves in that hour
(:func:`disagreement_factor`), giving a standardised residual comparable across stations.
:func:`gas_residual` and :func:`gas_adjusted` give the PM residual with the part shared by
the station's own CO and NO2 residuals taken out (the screen scans that one).

References
----------
Wu, H. et al. (2018), Adv. Atmos. Sci. 35:1522 (spatio-temporal residual QC of the CNEMC
network); Miskell, G. et al. (2016), Environ. Sci. Technol. (proxy-site comparisons);
Huber, P. J. (1981), Robust Statistics (trimmed weighted means, MAD scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _kernels
from ._grid import SCREENED, StationGrid

__all__ = ["ExpectedField", "find_neighbours", "expected_field", "level_factor", "LEVEL_EDGES", "disagreement_factor",
           "DISAGREEMENT_EDGES", "gas_adjusted", "gas_residual", "GASES", "LOG_OFFSET", "EARTH_RADIUS_KM"]

#: Offset (µg/m³; CO mg/m³) added before taking logs, damping noise of near-zero readings.
LOG_OFFSET: dict[str, float] = {"pm25": 3.0, "pm10": 5.0, "co": 0.1, "no2": 3.0, "so2": 3.0}
EARTH_RADIUS_KM = 6371.0088
_MIN_SCALE = 0.03  # floor of a residual scale in log units (integer rounding at ~30 µg/m³)


@dataclass
class ExpectedField:
    """Expected log concentrations and standardised residuals of one pollutant.

    Attributes
    ----------
    pollutant : str
    logv, expected : ndarray (T, S)
        Observed and expected ``log(x + LOG_OFFSET)`` (the expected value is already centred
        on the station's residual median).
    z : ndarray (T, S)
        Standardised residual ``(logv - expected) / scale``.
    scale : ndarray (T, S)
        Robust scale (log units) of the predictor used at that hour.
    source : ndarray (T, S) int8
        Predictor used: 0 neighbours, 1 CO at the station, 2 own hour-of-day history, -1 none.
    n_neighbours : ndarray (T, S) int
        Neighbours used at each hour.
    spatial : ndarray (T, S)
        The neighbour prediction alone (before centring).
    model : tuple
        ``(nb, offset, weight)`` of the neighbour prediction, each (S, K).
    """

    pollutant: str
    logv: np.ndarray
    expected: np.ndarray
    z: np.ndarray
    scale: np.ndarray
    source: np.ndarray
    n_neighbours: np.ndarray
    spatial: np.ndarray | None = None
    model: tuple | None = None

    def leave_out(self, station: int, rows: slice, exclude: int) -> np.ndarray:
        """Standardised residuals of ``station`` over ``rows`` predicted without neighbour ``exclude``.

        Used to tell the copier of a pair from its source: the copier departs from its *other*
        neighbours, the source does not.
        """
        nb, offset, weight = self.model
        keep = (nb[station] >= 0) & (nb[station] != exclude) & (weight[station] > 0)
        cols = nb[station][keep]
        implied = self.logv[rows, cols] + offset[station][keep][None, :]
        w = np.where(np.isfinite(implied), weight[station][keep][None, :], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            pred = np.nansum(np.nan_to_num(implied) * w, axis=1) / w.sum(axis=1)
        centre = self.expected[rows, station] - self.spatial[rows, station]
        return (self.logv[rows, station] - pred - centre) / self.scale[rows, station]

    def concentration(self, width: float = 0.0) -> np.ndarray:
        """Expected concentration (µg/m³), shifted by ``width`` robust scales (a band edge)."""
        return np.exp(self.expected + width * self.scale) - LOG_OFFSET[self.pollutant]

    def concentration_at(self, rows: slice, station: int, width: float = 0.0) -> np.ndarray:
        """:meth:`concentration` of one station over ``rows`` (without the full array)."""
        return np.exp(self.expected[rows, station] + width * self.scale[rows, station]) - \
            LOG_OFFSET[self.pollutant]

    def station_scale(self) -> np.ndarray:
        """Per-station median residual scale (log units), NaN for a station never predicted."""
        return _kernels.column_median_mad(np.ascontiguousarray(self.scale), 1)[0]


def find_neighbours(lon, lat, *, k: int = 8, max_km: float = 150.0):
    """The ``k`` nearest stations of every station within ``max_km`` (haversine).

    Parameters
    ----------
    lon, lat : array-like (S,)
        Degrees; NaN for stations without coordinates (they get no neighbours and are
        nobody's neighbour).
    k : int
        Neighbours per station.
    max_km : float
        Great-circle distance limit (km).

    Returns
    -------
    nb : ndarray (S, k) int
        Column indices of the neighbours, nearest first, -1 when fewer are available.
    dist : ndarray (S, k)
        Distances (km), inf for missing neighbours.
    """
    from sklearn.neighbors import BallTree

    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    n = len(lon)
    nb = np.full((n, k), -1, dtype=np.int64)
    dist = np.full((n, k), np.inf)
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(ok) < 2 or k < 1:
        return nb, dist
    xy = np.deg2rad(np.c_[lat[ok], lon[ok]])
    kq = min(k + 1, len(ok))
    d, idx = BallTree(xy, metric="haversine").query(xy, k=kq)
    d = d * EARTH_RADIUS_KM
    for row in range(len(ok)):
        mask = (ok[idx[row]] != ok[row]) & (d[row] <= max_km)
        cand = ok[idx[row][mask]][:k]
        nb[ok[row], : len(cand)] = cand
        dist[ok[row], : len(cand)] = d[row][mask][:k]
    return nb, dist


def _robust(resid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column median and 1.4826 x MAD (NaN-aware), scale floored."""
    centre, mad = _kernels.column_median_mad(np.ascontiguousarray(resid), 12)
    return np.nan_to_num(centre), np.fmax(1.4826 * mad, _MIN_SCALE)


def _spatial(logv, nb):
    offset, spread, count = _kernels.pair_offsets(logv, nb)
    good = np.isfinite(offset) & (count >= 48)
    spread = np.where(good, np.maximum(spread, _MIN_SCALE), 1.0)
    weight = np.where(good, 1.0 / spread**2, 0.0)
    offset = np.where(good, offset, 0.0)
    pred, used, disagree = _kernels.neighbour_prediction(logv, nb, offset, weight, spread, 3.0)
    return pred, used, (np.asarray(nb), offset, weight), disagree


def _cross(logv, logco):
    diff = logv - logco
    med, _ = _kernels.column_median_mad(np.ascontiguousarray(diff), 24)
    return logco + med[None, :]


def _history(logv, hour_of_day):
    out = np.full_like(logv, np.nan)
    for h in range(24):
        rows = hour_of_day == h
        if rows.any():
            med, _ = _kernels.column_median_mad(np.ascontiguousarray(logv[rows]), 3)
            out[rows] = med[None, :]
    return out


def _fallback(logv, preds):
    """Per station, the sharpest predictor first, then the others where it has no value.

    Each predictor (neighbours, CO at the station, own hour-of-day history) is centred and
    scaled on its own residuals, so the standardised residual means the same whichever
    predictor an hour uses. Per station they are tried in order of increasing robust scale:
    the neighbours for a station in a dense network, its own CO for one whose nearest
    neighbours are far or unlike it. Mixing predictors within an hour (inverse-variance
    averaging) was tried and made the residual noisier, because their errors are correlated.
    """
    n_s = logv.shape[1]
    fits = [(pred, *_robust(logv - pred)) for pred in preds]
    scales = np.vstack([np.where(np.isfinite(pred).sum(axis=0) >= 24, sc, np.inf)
                        for pred, _, sc in fits])
    order = np.argsort(scales, axis=0, kind="stable")  # (n_preds, S)
    expected = np.full_like(logv, np.nan)
    scale_h = np.full_like(logv, np.nan)
    source = np.full(logv.shape, -1, dtype=np.int8)
    cols = np.arange(n_s)
    for rank in range(len(preds)):
        for i, (pred, centre, scale) in enumerate(fits):
            use = order[rank] == i
            if not use.any():
                continue
            sub = np.ix_(np.arange(logv.shape[0]), cols[use])
            fill = np.isfinite(pred[sub]) & np.isnan(expected[sub])
            expected[sub] = np.where(fill, pred[sub] + centre[use][None, :], expected[sub])
            scale_h[sub] = np.where(fill, scale[use][None, :], scale_h[sub])
            source[sub] = np.where(fill, i, source[sub])
    return expected, scale_h, source


def expected_field(grid: StationGrid, pollutant: str, nb: np.ndarray, *,
                   use_cross: bool = True, use_history: bool = True,
                   disagreement: bool = True) -> ExpectedField:
    """Expected log concentration and standardised residual of one pollutant.

    Parameters
    ----------
    grid : StationGrid
    pollutant : {"pm25", "pm10"}
    nb : ndarray (S, K)
        From :func:`find_neighbours`.
    use_cross, use_history : bool
        Add the CO-based and hour-of-day predictors (see the module docstring).
    disagreement : bool
        Widen the scale of hours whose neighbours disagree among themselves more than usual
        (:func:`disagreement_factor`).

    Returns
    -------
    ExpectedField
    """
    c = LOG_OFFSET[pollutant]
    logv = np.log(grid.values[pollutant] + c)
    spatial, used, model, disagree = _spatial(logv, nb)
    preds = [spatial]
    if use_cross and "co" in grid.values:
        preds.append(_cross(logv, np.log(grid.values["co"] + LOG_OFFSET["co"])))
    if use_history:
        preds.append(_history(logv, grid.times.hour.to_numpy()))
    expected, scale_h, source = _fallback(logv, preds)
    scale_h = scale_h * level_factor((logv - expected) / scale_h, np.exp(expected) - c)
    if disagreement:
        ratio = np.where(source == 0, disagree / _kernels.column_median_mad(disagree, 24)[0][None, :], np.nan)
        scale_h = scale_h * disagreement_factor((logv - expected) / scale_h, ratio)
    z = (logv - expected) / scale_h
    return ExpectedField(pollutant, logv, expected, z, scale_h, source, used, spatial, model)


#: Expected-concentration band edges (µg/m³) of the level-dependent residual scale.
LEVEL_EDGES = (10.0, 20.0, 35.0, 50.0, 75.0, 115.0, 150.0, 250.0)


def level_factor(z: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Relative residual scale by expected concentration (network-wide), per station-hour.

    Log residuals are wider at low concentrations (integer rounding, a few µg/m³ of local
    dust weigh more) and narrower in haze. The robust scale of ``z`` is measured in bands of
    the expected concentration across the whole network and returned per hour (interpolated
    between band centres in log concentration), so that a standardised residual means the
    same on a clean night and in a haze episode.
    """
    edges = np.asarray(LEVEL_EDGES)
    band = np.digitize(np.nan_to_num(level, nan=-1.0), edges)
    ok = np.isfinite(z) & np.isfinite(level)
    factor = np.ones(len(edges) + 1)
    for b in range(len(edges) + 1):
        zb = z[ok & (band == b)]
        if zb.size >= 200:
            factor[b] = 1.4826 * np.median(np.abs(zb - np.median(zb)))
    factor = np.clip(factor / np.median(factor), 0.5, 2.0)
    centres = np.log(np.r_[edges[0] / 2, np.sqrt(edges[:-1] * edges[1:]), edges[-1] * 1.5])
    return np.interp(np.log(np.clip(np.nan_to_num(level, nan=edges[3]), 1.0, None)), centres, factor)


#: Band edges of the neighbour-disagreement ratio (hour / station median).
DISAGREEMENT_EDGES = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


def disagreement_factor(z: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Relative residual scale by how much the neighbours disagree in that hour (network-wide).

    A station is predicted from neighbours that usually agree; when a haze front, a dust
    plume or fireworks in some districts pass, they disagree among themselves, and the
    station's own departure from their mean is then less surprising. ``ratio`` is the hour's
    disagreement (root mean square of the neighbours' standardised deviations from the
    prediction) over the station's median disagreement. The robust scale of ``z`` is
    measured in bands of ``ratio`` across the network (on the real national month it grows
    from about 0.75 for ratios under 0.5 to 1.8 for ratios over 3), divided by the scale of
    all hours, and returned per hour (interpolated in log ratio between band centres; 1
    where the ratio is unknown: one neighbour, or the hour predicted otherwise).
    """
    edges = np.asarray(DISAGREEMENT_EDGES)
    ok = np.isfinite(z) & np.isfinite(ratio)
    if ok.sum() < 1000:
        return np.ones_like(z)
    band = np.digitize(np.nan_to_num(ratio, nan=1.0), edges)
    zall = z[ok]
    ref = 1.4826 * np.median(np.abs(zall - np.median(zall)))
    factor = np.ones(len(edges) + 1)
    for b in range(len(edges) + 1):
        zb = z[ok & (band == b)]
        if zb.size >= 200:
            factor[b] = 1.4826 * np.median(np.abs(zb - np.median(zb))) / ref
    factor = np.clip(factor, 0.5, 3.0)
    centres = np.log(np.r_[edges[0] / 2, np.sqrt(edges[:-1] * edges[1:]), edges[-1] * 1.5])
    out = np.interp(np.log(np.clip(np.nan_to_num(ratio, nan=1.0), 1e-3, None)), centres, factor)
    return np.where(np.isfinite(ratio), out, 1.0)


#: Gases whose departure from their neighbours is taken out of the PM residual.
GASES: tuple[str, ...] = ("co", "no2")


def gas_residual(grid: StationGrid, nb: np.ndarray, *, gases=GASES, clip: float = 5.0) -> np.ndarray | None:
    """Mean standardised neighbour residual of the station's own gases, per station-hour.

    Each gas (CO, NO2) is predicted from the neighbours as PM is (:func:`_spatial`), centred
    and scaled per station (1.4826 MAD), clipped at ±``clip``; the hour's value is the mean
    over the gases reporting. None when no gas is in ``grid``.
    """
    zs = []
    for gas in gases:
        if gas in grid.values:
            logv = np.log(grid.values[gas] + LOG_OFFSET[gas])
            spatial = _spatial(logv, nb)[0]
            centre, scale = _robust(logv - spatial)
            zs.append((logv - spatial - centre[None, :]) / scale[None, :])
    if not zs:
        return None
    stack = np.clip(np.stack(zs), -clip, clip)
    n_ok = np.isfinite(stack).sum(axis=0)
    return np.where(n_ok > 0, np.nansum(stack, axis=0) / np.maximum(n_ok, 1), np.nan)


def gas_adjusted(fields: dict[str, ExpectedField], zg: np.ndarray | None, *,
                 clip: float = 5.0) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """PM residuals with the part shared with the station's own gases taken out.

    A station can part from its neighbours honestly: a haze front or an inversion reaching
    it earlier or later, a local plume. Its gas analysers (CO, NO2: same air, same
    dispersion) then part from their neighbours too. Interference at the PM inlet and edited
    PM values leave the gases alone (Linfen/Xi'an cases; research note
    ``integrity_methods.md``). So the scan uses ``z_pm - beta * z_gas``, with ``z_gas`` the
    gases' residual (:func:`gas_residual`) and ``beta`` the network-wide least-squares
    slope of ``z_pm`` on ``z_gas`` (hours with both within ±``clip``; 0.34 for PM2.5 and
    0.37 for PM10 on the national month, correlation 0.3). Hours without a gas residual
    keep ``z_pm``.

    Returns
    -------
    z : dict
        Pollutant -> adjusted standardised residual (T, S).
    beta : dict
        Pollutant -> slope used (0 when no gas is available).
    """
    if zg is None:
        return {p: f.z for p, f in fields.items()}, {p: 0.0 for p in fields}
    out, betas = {}, {}
    for p, f in fields.items():
        ok = np.isfinite(f.z) & np.isfinite(zg) & (np.abs(f.z) < clip) & (np.abs(zg) < clip)
        x, y = zg[ok], f.z[ok]
        beta = float(np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)) if ok.sum() > 1000 else 0.0
        beta = min(max(beta, 0.0), 1.0)
        out[p] = np.where(np.isfinite(zg), f.z - beta * np.nan_to_num(zg), f.z)
        betas[p] = beta
    return out, betas


def expected_values(grid: StationGrid, fields: dict[str, ExpectedField]) -> pd.DataFrame:
    """Tidy table of observed and expected values with the hourly band (for plots and export).

    Returns
    -------
    DataFrame
        ``station, time, pollutant, observed, expected, lower, upper, z`` (µg/m³; the band is
        expected x exp(±2 robust scales)).
    """
    parts = []
    n_t, n_s = grid.shape
    for p, f in fields.items():
        parts.append(pd.DataFrame({
            "station": np.tile(grid.codes, n_t),
            "time": np.repeat(grid.times, n_s),
            "pollutant": p,
            "observed": grid.values[p].ravel(),
            "expected": f.concentration().ravel(),
            "lower": f.concentration(width=-2.0).clip(min=0).ravel(),
            "upper": f.concentration(width=2.0).ravel(),
            "z": f.z.ravel(),
        }))
    if not parts:
        return pd.DataFrame(columns=["station", "time", "pollutant", "observed", "expected",
                                     "lower", "upper", "z"])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["station", "pollutant", "time"], ignore_index=True)


__all__ += ["expected_values", "SCREENED"]
