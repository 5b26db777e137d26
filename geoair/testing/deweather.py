"""Synthetic truth for meteorological normalisation: known emissions under known weather.

The pollutant is ``c(t) = E(t) * W(t) * eps(t)``: an emission level ``E`` (flat, then a step
at ``step_at``), a weather factor ``W`` of wind speed, wind direction and relative humidity,
and log-normal noise with hour-to-hour persistence. The weather itself is synthetic
(autocorrelated wind speed with a diurnal cycle, a wandering wind direction, seasonal
temperature) and can turn windier at the same moment as the emission step, so the observed
change mixes the two and only a method that separates them recovers ``step``.

Truth for rmweather's whole-record normalisation: ``E(t) * mean(W) * E[eps]``; the relative
change between two periods is the relative change of ``E``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SyntheticDeweather", "make_deweather_truth", "weather_factor"]


@dataclass
class SyntheticDeweather:
    """Observations and their truth."""

    data: pd.DataFrame  #: station, time, <pollutant>, ws, wd, temp, dewp, rh, pres, rain
    emission: pd.Series  #: E(t), relative units
    weather: pd.Series  #: W(t)
    truth: pd.Series  #: E(t) * mean(W) * E[eps]: the whole-record normalised series
    step: float  #: relative emission change at step_at (e.g. -0.3)
    step_at: pd.Timestamp


def weather_factor(ws, wd, rh, *, ws_effect: float = 0.35, wd_effect: float = 0.3,
                   rh_effect: float = 0.01) -> np.ndarray:
    """``exp(-a (ws - 2)) (1 + b cos(wd - 180°)) (1 + c (rh - 50))``: dilution by wind,
    more from the south, more when humid."""
    ws = np.asarray(ws, float)
    wd = np.asarray(wd, float)
    rh = np.asarray(rh, float)
    return (np.exp(-ws_effect * (ws - 2.0)) * (1.0 + wd_effect * np.cos(np.radians(wd - 180.0)))
            * (1.0 + rh_effect * (rh - 50.0)))


def _ar1(rng, n: int, phi: float, sd: float) -> np.ndarray:
    e = rng.normal(0.0, sd * np.sqrt(1 - phi**2), n)
    x = np.empty(n)
    x[0] = rng.normal(0.0, sd)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + e[i]
    return x


def make_deweather_truth(*, n_days: int = 240, start: str = "2015-01-01", step: float = -0.3,
                         step_at: float = 0.5, windier_after: float = 0.8, level: float = 60.0,
                         noise: float = 0.15, station: str = "1001A", pollutant: str = "pm25",
                         freq: str = "h", seed: int = 0) -> SyntheticDeweather:
    """Synthetic (hourly by default) observations of one station with a known emission step.

    Parameters
    ----------
    n_days : int
        Length of the record (hours = 24 n_days).
    start : str
        First hour (Asia/Shanghai).
    step : float
        Relative emission change at ``step_at`` (-0.3 = a 30 % cut).
    step_at : float
        Fraction of the record at which the step (and the wind change) happens.
    windier_after : float
        m/s added to the mean wind speed after ``step_at`` (0: same weather climate).
    level : float
        Emission level before the step, in pollutant units at average weather.
    noise : float
        Standard deviation of the log noise (AR(1), phi 0.9 per hour).
    freq : str
        Time step (``"h"``; ``"3h"`` gives a lighter record for quick tests). Persistence is
        set per hour and converted to the step.
    seed : int
        Random seed.
    """
    rng = np.random.default_rng(seed)
    step_h = pd.to_timedelta(pd.tseries.frequencies.to_offset(freq)) / pd.Timedelta(hours=1)
    n = int(round(24 * n_days / step_h))
    time = pd.date_range(start, periods=n, freq=freq, tz="Asia/Shanghai")
    ar = lambda phi, sd: _ar1(rng, n, phi**step_h, sd)  # noqa: E731
    hour = time.hour.to_numpy()
    after = np.arange(n) >= int(step_at * n)
    doy = time.day_of_year.to_numpy()
    ws = np.exp(np.log(1.8) + ar(0.97, 0.45)) * (1 + 0.3 * np.sin(
        np.pi * (hour - 8) / 12).clip(0)) + windier_after * after
    wd = np.mod(200.0 + np.cumsum(rng.normal(0, 12 * np.sqrt(step_h), n)) + 60 * ar(0.99, 1.0),
                360.0)
    temp = 12 - 14 * np.cos(2 * np.pi * (doy - 15) / 365.25) \
        + 4 * np.sin(np.pi * (hour - 9) / 12) + ar(0.98, 2.5)
    rh = np.clip(55 + ar(0.98, 18.0) - 6 * np.sin(np.pi * (hour - 9) / 12), 8, 100)
    es = lambda x: 6.112 * np.exp(17.62 * x / (243.12 + x))  # noqa: E731
    e_dew = es(temp) * rh / 100.0
    dewp = 243.12 * np.log(e_dew / 6.112) / (17.62 - np.log(e_dew / 6.112))
    pres = 1015 + 8 * np.cos(2 * np.pi * (doy - 15) / 365.25) + ar(0.995, 4.0)
    rain = np.where(rng.random(n) < 0.03 * step_h, rng.exponential(1.5, n), 0.0)
    W = weather_factor(ws, wd, rh)
    E = level * np.where(after, 1.0 + step, 1.0)
    eps = np.exp(ar(0.9, noise))
    c = E * W / W.mean() * eps
    data = pd.DataFrame({"station": station, "time": time, pollutant: c, "ws": ws, "wd": wd,
                         "temp": temp, "dewp": dewp, "rh": rh, "pres": pres, "rain": rain})
    truth = pd.Series(E * np.exp(noise**2 / 2), index=time, name="truth")
    return SyntheticDeweather(data=data, emission=pd.Series(E, index=time, name="emission"),
                              weather=pd.Series(W, index=time, name="weather"), truth=truth,
                              step=step, step_at=time[int(step_at * n)])
