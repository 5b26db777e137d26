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
# ColorBrewer Reds / Blues sampled at 0.95 .. 0.40 (matplotlib colormaps), darkest first: the
# lightest pattern is still clearly red or blue, never close to the white of "no data"
_REDS = ("#7e0610", "#a50f15", "#be151a", "#d52221", "#ec382b", "#f6553c", "#fb7151", "#fc8a6a")
_BLUES = ("#083c7d", "#08519c", "#1966ad", "#2b7bba", "#3f8fc5", "#58a1cf", "#74b3d8", "#94c4df")

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
