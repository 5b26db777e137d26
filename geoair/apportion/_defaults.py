"""Default parameters of :class:`~geoair.apportion.SourceAttribution`, importable without numpy
or pandas so that ``geoair attribute --help`` can show them without loading the estimator.

The estimator's ``__init__`` takes its defaults from this table (one source of truth); a test
checks that ``SourceAttribution().get_params()`` and the command line agree.
"""

ATTRIBUTION_DEFAULTS: dict = {
    "cutoff_km": 50.0,
    "physics": "auto",
    "n_bootstrap": 100,
    "alpha": 0.1,
    "prior_sd": 1.4,
    "interval_scale": 1.3,
    "interval_calibration": "innovation",
    "random_state": None,
}
