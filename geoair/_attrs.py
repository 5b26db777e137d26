"""Tables carried in ``DataFrame.attrs`` that survive pandas' attribute propagation.

Some results carry a second table in ``attrs`` (the validity table of :func:`geoair.daily`,
the binned statistics of a polar plot, the Gi* panel of the emerging hotspots). pandas
propagates ``attrs`` through ``concat``, ``merge`` and friends and decides whether to keep
them with ``obj.attrs == other.attrs``; a plain DataFrame value makes that comparison raise
"The truth value of a DataFrame is ambiguous" from inside pandas, so ``pd.concat`` of two
results failed. :class:`FrameAttr` is a DataFrame whose equality *with another FrameAttr* is
:meth:`pandas.DataFrame.equals` (one bool), and which stays a FrameAttr when pandas deep-copies
``attrs``. Everything else (indexing, arithmetic, comparison with scalars or plain frames)
behaves as a DataFrame and returns plain DataFrames. :class:`SeriesAttr` does the same for a
Series; :func:`as_attr` wraps either.

``to_parquet`` still refuses such results: pandas writes ``attrs`` as JSON.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FrameAttr", "SeriesAttr", "as_attr"]


class _AttrTable:
    """Equality, deep copy and pickling of a pandas table kept in ``attrs``."""

    __hash__ = None  # mutable, like the pandas objects
    _plain: type

    def __eq__(self, other):
        if type(other) is type(self):
            return self.equals(other)
        return super().__eq__(other)

    def __ne__(self, other):
        if type(other) is type(self):
            return not self.equals(other)
        return super().__ne__(other)

    def __deepcopy__(self, memo=None):
        return type(self)(self.copy(deep=True))

    def __reduce__(self):
        # pickles (and hence multiprocessing) rebuild the wrapper from a plain copy
        return type(self), (self._plain(self),)


class FrameAttr(_AttrTable, pd.DataFrame):
    """A DataFrame meant for ``attrs``: ``==`` between two of them is one bool (``equals``)."""

    _plain = pd.DataFrame


class SeriesAttr(_AttrTable, pd.Series):
    """A Series meant for ``attrs``: ``==`` between two of them is one bool (``equals``)."""

    _plain = pd.Series


def as_attr(obj):
    """``obj`` ready for ``attrs``: DataFrames and Series wrapped, anything else unchanged.

    GeoDataFrames stay as they are (a FrameAttr would drop their geometry methods).
    """
    if isinstance(obj, pd.DataFrame) and not isinstance(obj, FrameAttr) and not hasattr(obj, "geometry"):
        return FrameAttr(obj)
    if isinstance(obj, pd.Series) and not isinstance(obj, SeriesAttr):
        return SeriesAttr(obj)
    return obj
