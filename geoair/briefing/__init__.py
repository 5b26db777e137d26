"""The main job: load -> QA -> AQI -> hotspots -> fires -> priority list -> maps and an HTML briefing.

``run_briefing()`` with no configuration runs on the bundled data (Beijing-Tianjin-Hebei
stations, January-February 2019 hourly observations, BTH counties, the bundled FIRMS week and
the bundled power and steel plants). Every section states its data, period and method; a
section whose input or analysis is not available is left out and listed as such (never filled
with placeholder numbers).

The report is data first: each step of :data:`STEPS` returns :class:`Section` objects (title,
note, figures, a DataFrame table, warnings) and one renderer turns them into HTML through the
Jinja2 templates in ``geoair/templates`` (autoescaped). A new analysis adds a section by adding
a function and a row to :data:`STEPS`.

References
----------
HJ 633 / HJ 663 (AQI, evaluation): :mod:`geoair.standards`. Hotspots: :mod:`geoair.hotspot`.
Priority lists: :mod:`geoair.priority`. Maps: :mod:`geoair.plot.maps`.
"""

from ._config import DEFAULT_CONFIG, load_config
from ._model import Briefing, Section
from ._run import STEPS, run_briefing

__all__ = ["run_briefing", "load_config", "Briefing", "Section", "STEPS", "DEFAULT_CONFIG"]
