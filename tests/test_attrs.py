"""Tables carried in ``attrs`` (:class:`geoair._attrs.FrameAttr`) survive pandas' attrs propagation."""

import copy
import pickle

import numpy as np
import pandas as pd
import pytest

from geoair import daily
from geoair._attrs import FrameAttr


def _hourly(station: str, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = pd.date_range("2025-01-01 01:00", periods=72, freq="h", tz="Asia/Shanghai")
    return pd.DataFrame({"station": station, "time": t, "pm25": rng.gamma(4.0, 15.0, t.size),
                         "pm10": rng.gamma(4.0, 25.0, t.size)})


def test_concat_of_two_daily_results_keeps_going():
    # before FrameAttr, pandas compared the two DataFrames in attrs and raised
    # "The truth value of a DataFrame is ambiguous" from inside pd.concat
    a, b = daily(_hourly("1001A", 0)), daily(_hourly("1002A", 1))
    both = pd.concat([a, b], ignore_index=True)
    assert len(both) == len(a) + len(b)
    same = pd.concat([a, a], ignore_index=True)
    assert isinstance(same.attrs["validity"], FrameAttr)
    pd.testing.assert_frame_equal(pd.DataFrame(same.attrs["validity"]), pd.DataFrame(a.attrs["validity"]))


def test_frame_attr_equality_copy_and_pickle():
    x = FrameAttr({"v": [1.0, 2.0]})
    assert (x == FrameAttr({"v": [1.0, 2.0]})) is True
    assert (x != FrameAttr({"v": [1.0, 3.0]})) is True
    # with scalars and plain frames it compares element by element, as a DataFrame does
    assert (x == 1.0)["v"].tolist() == [True, False]
    assert isinstance(copy.deepcopy(x), FrameAttr) and copy.deepcopy(x).equals(x)
    back = pickle.loads(pickle.dumps(x))
    assert isinstance(back, FrameAttr) and back.equals(x)
    assert type(x[["v"]]) is pd.DataFrame  # derived frames are plain DataFrames


@pytest.mark.parametrize("op", ["merge", "copy"])
def test_attrs_table_survives_operations(op):
    d = daily(_hourly("1001A", 0))
    out = d.merge(d[["station"]].drop_duplicates(), on="station") if op == "merge" else d.copy()
    assert isinstance(out.attrs["validity"], FrameAttr)
