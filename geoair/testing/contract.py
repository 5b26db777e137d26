"""The API contract every public geoair result keeps (scikit-learn's ``check_estimator`` idea).

Each ``check_*`` function raises ``AssertionError`` with the reason when a result breaks the
contract; ``tests/test_contract.py`` runs them over a table of (public callable, small
fixture). The contract:

``droplog``
    A result (frame, Dataset or fitted estimator) carries its drop log: ``attrs["droplog"]``
    (a :class:`~geoair.DropLog`; JSON text on an xarray Dataset) or ``droplog_``; every record
    is plain JSON with the fields of :class:`~geoair.DropLog` and an explicit ``index`` kind.
``own_drops``
    The log holds the step's own drops only: entries that came in with the input's log are
    not repeated (callers chain logs with :meth:`DropLog.chain`).
``pandas``
    ``merge``, ``concat``, ``astype``, ``groupby``, ``to_csv`` and ``to_parquet`` (or
    ``to_netcdf``) work while the log is attached, and the log survives the file round trip.
``time_zone``
    Datetime columns are tz-aware Asia/Shanghai (columns named ``*_utc`` are UTC); a column
    of calendar dates (every value at midnight, e.g. a daily ``date``) may be naive. Wind
    fields (xarray) keep naive UTC times, per the data model.
``units``
    ``attrs["units"]`` names the unit of the result's data-model columns (dict column -> unit,
    or one string for a single-quantity result).
``lang``
    A callable with a ``lang`` parameter follows the global option when ``lang=None``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._validation import _RECORD_KEYS, DropLog, decode_rows, get_droplog

__all__ = [
    "CHECKS",
    "MARKER",
    "check_droplog",
    "check_own_drops",
    "check_pandas_roundtrips",
    "check_time_zone",
    "check_units_attrs",
    "check_lang_option",
    "with_marker",
]

#: The names of the checks, in the order the contract test runs them.
CHECKS = ("droplog", "own_drops", "pandas", "time_zone", "units", "lang")

#: The reason of the foreign entry that :func:`with_marker` puts into an input's log.
MARKER = "contract check: a drop made by an earlier step"


def _frames(result: Any) -> list[Any]:
    """The frames/datasets a result exposes (a tuple: each item; a fitted estimator: its
    ``*_`` frames)."""
    if isinstance(result, (tuple, list)):
        return [f for item in result for f in _frames(item)]
    if hasattr(result, "attrs"):
        return [result]
    return [v for k, v in vars(result).items() if k.endswith("_") and hasattr(v, "attrs") and hasattr(v, "columns")]


def _raw_log(obj: Any) -> Any:
    attrs = getattr(obj, "attrs", None)
    if isinstance(attrs, dict):
        return attrs.get("droplog")
    return getattr(obj, "droplog_", None)


def check_droplog(result: Any) -> None:
    """The result carries a well-formed, JSON-able drop log."""
    if isinstance(result, (tuple, list)):
        holders = _frames(result)
        missing = [type(f).__name__ for f in holders if _raw_log(f) is None]
        assert not missing, f"no attrs['droplog'] on the returned {missing}"
    else:
        holders = [result] if _raw_log(result) is not None else [f for f in _frames(result) if _raw_log(f) is not None]
        assert holders, f"no attrs['droplog'] (or droplog_) on the result ({type(result).__name__})"
    for obj in holders:
        raw = _raw_log(obj)
        assert isinstance(raw, (DropLog, str)), f"droplog is a {type(raw).__name__}, not a DropLog"
        log = get_droplog(obj)
        json.loads(json.dumps(list(log)))  # plain JSON
        for rec in log:
            assert set(rec) == set(_RECORD_KEYS), f"record fields {sorted(rec)}"
            assert rec["index"] in ("file_row", "position"), rec["index"]
            assert rec["index"] != "file_row" or rec["file"], "file rows without a file"
            assert rec["n"] == decode_rows(rec["rows"]).size, "n does not match the rows"


def with_marker(obj: Any) -> Any:
    """A shallow copy of ``obj`` whose log has one extra, foreign entry (see :data:`MARKER`)."""
    out = obj.copy(deep=False) if hasattr(obj, "copy") else obj
    log = DropLog.chain(get_droplog(obj))
    log.add(MARKER, [0], stage="contract")
    out.attrs["droplog"] = log.to_json() if isinstance(_raw_log(obj), str) else log
    return out


def check_own_drops(result: Any) -> None:
    """The result's log does not repeat the marker entry of its input (own drops only)."""
    for obj in {id(o): o for o in [*([] if isinstance(result, (tuple, list)) else [result]), *_frames(result)]}.values():
        log = get_droplog(obj)
        assert not [e for e in log if e["reason"] == MARKER], (
            "the log repeats its input's entries: keep only this step's drops (callers chain)")


def _roundtrip_frame(df: Any, folder: Path) -> None:
    import pandas as pd

    log = get_droplog(df)
    plain = pd.DataFrame(df)
    key = plain.columns[0]
    pd.concat([df, df])
    df.merge(plain[[key]].iloc[:0], how="left", left_index=True, right_index=True, suffixes=("", "_r"))
    df.astype({key: "object"})
    if len(df):
        df.groupby(key, dropna=False, observed=True).size()
    df.to_csv(folder / "r.csv")
    path = folder / "r.parquet"
    df.to_parquet(path)
    back = get_droplog(pd.read_parquet(path)) if not hasattr(df, "geometry") else None
    if back is not None:
        assert back == log, "the drop log changed in a parquet round trip"


def check_pandas_roundtrips(result: Any) -> None:
    """merge/concat/astype/groupby/to_csv/to_parquet (to_netcdf for xarray) work with the log."""
    with tempfile.TemporaryDirectory() as tmp:
        for obj in _frames(result):
            if hasattr(obj, "to_netcdf") and not hasattr(obj, "columns"):
                obj.to_netcdf(Path(tmp) / "r.nc")
                import xarray as xr

                with xr.open_dataset(Path(tmp) / "r.nc") as back:
                    assert get_droplog(back) == get_droplog(obj)
            else:
                _roundtrip_frame(obj, Path(tmp))


def check_time_zone(result: Any) -> None:
    """Datetime columns are tz-aware Asia/Shanghai (``*_utc``: UTC)."""
    import pandas as pd

    from ..schema import TIMEZONE

    for obj in _frames(result):
        if not hasattr(obj, "columns"):
            continue  # xarray wind fields: naive UTC by the data model
        series = {c: obj[c] for c in obj.columns if pd.api.types.is_datetime64_any_dtype(obj[c].dtype)}
        if isinstance(obj.index, pd.DatetimeIndex):
            series["(index)"] = obj.index.to_series()
        for name, s in series.items():
            tz = getattr(s.dtype, "tz", None)
            if tz is None and (s.dropna() == s.dropna().dt.normalize()).all():
                continue  # calendar dates carry no time zone
            want = "UTC" if str(name).endswith("_utc") else TIMEZONE
            assert tz is not None and str(tz) == want, f"{name}: {s.dtype} (want tz {want})"


def check_units_attrs(result: Any) -> None:
    """``attrs["units"]`` names the units of the data-model columns present."""
    from ..schema import UNITS

    for obj in _frames(result):
        if hasattr(obj, "data_vars"):  # xarray: each variable carries its units
            missing = [v for v in obj.data_vars if "units" not in obj[v].attrs]
            assert not missing, f"variables without attrs['units']: {missing}"
            continue
        units = obj.attrs.get("units")
        assert units is not None, "no attrs['units']"
        if isinstance(units, dict) and hasattr(obj, "columns"):
            missing = [c for c in obj.columns if c in UNITS and c not in units]
            assert not missing, f"columns without units: {missing}"


def check_lang_option(call: Callable[..., Any]) -> None:
    """``call(lang=None)`` under ``set_options(lang="zh")`` equals ``call(lang="zh")``."""
    import pandas as pd

    from ..options import set_options

    explicit = call(lang="zh")
    with set_options(lang="zh"):
        implicit = call(lang=None)
    if hasattr(explicit, "columns"):
        pd.testing.assert_frame_equal(pd.DataFrame(implicit), pd.DataFrame(explicit))
    else:
        assert implicit == explicit
