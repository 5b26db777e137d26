"""A web font for pages that must show Chinese on any machine, offline.

The Noto Sans CJK SC font that ships with ``mplfonts`` (the same font the figures use) is cut
down with fontTools to the characters a page actually uses and embedded as a WOFF data URI in
an ``@font-face`` rule, so ``briefing.html`` and ``map.html`` render Chinese without a system
CJK font and without a network (a page of county names needs a few hundred glyphs, 20-60 kB).

References
----------
Noto Sans CJK (SIL Open Font License 1.1), via mplfonts. fontTools ``subset``
(https://fonttools.readthedocs.io). W3C CSS Fonts Level 4, ``@font-face``.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

__all__ = ["FAMILY", "font_face_css", "glyph_text"]

#: CSS family name of the embedded subset.
FAMILY = "geoair-cjk"
_FONT_FILE = "NotoSansCJKsc-Regular.otf"


def glyph_text(text: str) -> str:
    """The characters of ``text`` the embedded font must cover (everything beyond ASCII), sorted."""
    return "".join(sorted({c for c in text if ord(c) > 0x7F and not c.isspace()}))


#: Subsets made in this process: (characters, WOFF bytes); a page whose characters are all in
#: one of them reuses it (the briefing and its map share one subset).
_MADE: list[tuple[frozenset, bytes]] = []


def _woff_for(chars: str) -> bytes:
    need = frozenset(chars)
    for have, data in _MADE:
        if need <= have:
            return data
    data = _subset_woff(chars)
    _MADE.append((need, data))
    del _MADE[:-4]
    return data


@lru_cache(maxsize=8)
def _subset_woff(chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from .._compat import import_optional

    mplfonts = import_optional("mplfonts", "Chinese text in HTML pages")
    path = Path(mplfonts.__file__).parent / "fonts" / _FONT_FILE
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = []  # horizontal text only: no GSUB/GPOS (10x faster, 2x smaller)
    opts.drop_tables += ["GSUB", "GPOS", "VORG", "vhea", "vmtx"]
    opts.notdef_outline = True
    opts.hinting = False
    font = TTFont(str(path), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def font_face_css(text: str, family: str = FAMILY) -> str:
    """``@font-face`` rule with the CJK font cut to the characters of ``text`` ("" if none needed).

    Parameters
    ----------
    text : str
        Every text the page shows (the rule covers its non-ASCII characters).
    family : str
        CSS family name to declare.

    Returns
    -------
    str
        CSS text (a data URI, no external request).
    """
    chars = glyph_text(text)
    if not chars:
        return ""
    data = base64.b64encode(_woff_for(chars)).decode("ascii")
    return (f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: 400; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
