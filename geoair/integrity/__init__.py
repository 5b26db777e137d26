"""Station data integrity: interference, faults and falsification.

(Full module docstring written below once the API settles.)
"""

from .detect import EVENT_COLUMNS, IntegrityScreen, detect_integrity

__all__ = ["IntegrityScreen", "detect_integrity", "EVENT_COLUMNS"]
