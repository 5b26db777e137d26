"""Meteorological normalisation ("deweathering"): was it the controls or the weather?

A machine-learning model of a pollutant on a trend term, calendar terms and meteorology is
used to predict each period under resampled weather; the mean of those predictions is the
weather-normalised concentration, whose changes reflect emissions rather than weather.

* :func:`normalise` - normalised series with intervals, per station and pollutant
  (rmweather's whole-record resampling, or Vu et al.'s same-hour seasonal window);
* :func:`decompose` - the observed change between two periods split into its emission
  (normalised) and meteorological parts, with intervals;
* :func:`aggregate` - normalised series to months or years, intervals recomputed;
* :class:`Normaliser` - the estimator under both (fit, normalise, partial dependence);
* :func:`network_met`, :func:`met_shifts` - one weather record per city from its stations, and
  how far each station's own record drifts from it (breaks that would pass for weather).

References
----------
Grange et al. (2018), Atmos. Chem. Phys. 18, 6223; Grange & Carslaw (2019), Sci. Total Environ.
653, 578; Vu et al. (2019), Atmos. Chem. Phys. 19, 11303; Carslaw & Taylor (2009), Atmos.
Environ. 43, 3563. Method notes and validation: ``docs/methods/deweather.md``.
"""

import importlib as _importlib

__all__ = ["normalise", "decompose", "aggregate", "Normaliser", "PoorFitError",
           "DeweatherWarning", "network_met", "met_shifts"]

# resolved on first use, so that the light helpers (``_features``, ``_exact``) can be imported
# without loading scikit-learn (the estimator's base class)
_LAZY = {"aggregate": ".aggregate", "decompose": ".decomposition", "Normaliser": ".estimator",
         "PoorFitError": ".estimator", "normalise": ".series", "DeweatherWarning": ".series",
         "network_met": ".network", "met_shifts": ".network"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
