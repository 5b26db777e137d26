"""From list to action: task sheets per supervision grid, when to inspect, and inspection feedback.

The priority list (:mod:`geoair.priority`) says what to inspect; this subpackage says who goes
(the grid and its people, :func:`dispatch`), when the source is most likely caught emitting
(:func:`inspection_windows`, from :func:`source_hourly`), what to check (:func:`checklist`),
and writes one workbook per grid with a blank outcome section and a one-page county summary
(:func:`export_tasks`). It closes the loop: the filled-in outcomes (:func:`read_feedback`)
adjust each source's prior weight and activity (:func:`update_priors`; :func:`apply_feedback`
for the next list without refitting) and measure how well the list ranks
(:func:`list_performance`, :func:`rank_auc`).

The rules and their limits: ``docs/methods/dispatch.md``.
"""

from .assign import TASK_COLUMNS, dispatch, people_table, prepare_grids, unassigned
from .checklists import checklist, checklist_key
from .export import (
    DEFAULT_MAP_LINK,
    FINDINGS,
    county_summary,
    export_tasks,
    outcome_table,
    task_table,
)
from .feedback import read_feedback
from .fires import fire_windows
from .hourly import source_hourly
from .performance import binom_interval, list_performance, rank_auc
from .priors import apply_feedback, feedback_factors, update_priors
from .windows import hour_day_profile, inspection_windows

__all__ = [
    # assign
    "dispatch", "unassigned", "prepare_grids", "people_table", "TASK_COLUMNS",
    # when to inspect
    "source_hourly", "inspection_windows", "hour_day_profile", "fire_windows",
    # what to check, and the workbooks
    "checklist", "checklist_key", "export_tasks", "task_table", "outcome_table", "county_summary",
    "DEFAULT_MAP_LINK", "FINDINGS",
    # feedback
    "read_feedback", "update_priors", "feedback_factors", "apply_feedback", "list_performance", "binom_interval",
    "rank_auc",
]
