"""geoair._dask.map_stations: a per-station function as Dask tasks, pandas or dask input."""

from __future__ import annotations

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from geoair import GeoairInputError, options
from geoair._dask import is_dask, map_stations


def _frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"station": np.repeat([f"{i:04d}A" for i in range(25)], 40),
                         "pm25": rng.gamma(2.0, 30.0, 1000)})


def _stats(frame, *, scale):
    if frame["station"].iat[0] == "0003A":
        raise GeoairInputError("bad station")
    return pd.DataFrame({"mean": [frame["pm25"].mean() * scale], "n": [len(frame)]})


def test_pandas_and_dask_inputs_agree():
    data = _frame()
    ref = (data.groupby("station")["pm25"].mean() * 2).drop("0003A")
    for src in (data, dd.from_pandas(data, npartitions=3)):
        got = map_stations(_stats, src, scale=2.0, errors="skip", n_batches=4)
        assert list(got["station"]) == list(ref.index)
        np.testing.assert_allclose(got["mean"].to_numpy(), ref.to_numpy())
        assert (got["n"] == 40).all()
        assert got.attrs["failed"]["station"].tolist() == ["0003A"]


def test_raise_and_tuple_results():
    data = _frame()
    with pytest.raises(GeoairInputError, match="bad station"):
        map_stations(_stats, data, scale=1.0)
    a, b = map_stations(lambda f: (f.head(2), f.tail(1)), data)
    assert len(a) == 50 and len(b) == 25
    assert a["station"].is_monotonic_increasing


def test_scheduler_option_and_detection():
    assert not is_dask(_frame()) and is_dask(dd.from_pandas(_frame(), npartitions=2))
    with pytest.raises(ValueError, match="scheduler"):
        options.set_options(scheduler=3)
    with options.set_options(scheduler="synchronous", progress=False):
        got = map_stations(_stats, _frame(), scale=1.0, errors="skip")
    assert len(got) == 24


def test_import_geoair_does_not_import_dask():
    import subprocess
    import sys

    code = ("import sys, geoair, geoair.io, geoair.standards, geoair.directional; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
