"""Source apportionment: upwind attribution, PMF receptor modelling, episodes."""

from .pmf import PMF, PMFWeakIdentificationWarning  # noqa: F401
