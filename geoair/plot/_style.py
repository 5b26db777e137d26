"""One colour scheme for every figure and map: hot = red, cold = blue, levels red/yellow/green.

Hot spot classes (Gi*) and emerging hot spot patterns (Esri EHSA) share one table keyed by the
class code (the English name, e.g. ``"hot"``, ``"sporadic cold spot"``): every hot pattern is a
red (darker = stronger or newer), every cold pattern a blue, non-significant grey, areas
without data white. ColorBrewer Reds/Blues (Brewer, colorbrewer2.org).
"""

from __future__ import annotations

__all__ = ["HOTSPOT_COLORS", "EHSA_COLORS", "CLASS_COLORS", "LEVEL_COLORS", "class_color"]

HOTSPOT_COLORS = {"hot": "#d7301f", "cold": "#2c7fb8", "not significant": "#f0f0f0", "no data": "#ffffff"}

_PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating",
             "historical")
# ColorBrewer 9-class Reds / Blues, darkest first (the lightest class is left out)
_REDS = ("#67000d", "#a50f15", "#cb181d", "#ef3b2c", "#fb6a4a", "#fc9272", "#fcbba1", "#fee0d2")
_BLUES = ("#08306b", "#08519c", "#2171b5", "#4292c6", "#6baed6", "#9ecae1", "#c6dbef", "#deebf7")

EHSA_COLORS = {
    **{f"{p} hot spot": c for p, c in zip(_PATTERNS, _REDS, strict=True)},
    **{f"{p} cold spot": c for p, c in zip(_PATTERNS, _BLUES, strict=True)},
    "no pattern detected": "#f0f0f0",
}

CLASS_COLORS = {**HOTSPOT_COLORS, **EHSA_COLORS}

LEVEL_COLORS = {"red": "#d7191c", "yellow": "#fdae61", "green": "#1a9641"}

#: Colour of a class without an entry (never a hue that could read as hot or cold).
UNKNOWN_COLOR = "#bdbdbd"


def class_color(code: str) -> str:
    """Fill colour of a hot spot class or emerging pattern code."""
    return CLASS_COLORS.get(str(code), UNKNOWN_COLOR)
