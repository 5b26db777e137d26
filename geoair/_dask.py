"""Dask plumbing shared by geoair's analyses: detection, computing where the user asked, progress,
and mapping a per-station function over stations as Dask tasks.

Nothing here is imported by ``import geoair``; dask itself is imported inside the functions.
Which scheduler runs the work is the ``scheduler`` option (:func:`geoair.set_options`):
``None`` (dask's default: the active ``distributed.Client`` if any, else threads), a local
scheduler name, a ``dask scheduler`` address (``"tcp://host:8786"``) or a ``distributed.Client``.

References
----------
Rocklin, M. (2015). Dask: parallel computation with blocked algorithms and task scheduling.
*Proc. 14th Python in Science Conf.*, 130-136. https://docs.dask.org
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

from ._attrs import as_attr
from ._compat import import_optional
from ._validation import GeoairInputError, check_option, require_columns
from .options import get_options

__all__ = ["is_dask", "compute", "get_client", "map_stations", "to_pandas", "plain_strings"]

_LOCAL = ("threads", "processes", "synchronous")
_CLIENTS: dict[str, Any] = {}


def is_dask(obj: Any) -> bool:
    """True for a dask collection (DataFrame, Series, Array, Delayed), without importing dask."""
    mod = type(obj).__module__
    return mod == "dask" or mod.startswith(("dask.", "dask_expr"))


def get_client(address: str):
    """A ``distributed.Client`` connected to ``address`` (one per address, reused).

    Parameters
    ----------
    address : str
        Scheduler address as printed by ``dask scheduler``, e.g. ``"tcp://127.0.0.1:8786"``.
    """
    distributed = import_optional("distributed", "running geoair on a Dask cluster")
    client = _CLIENTS.get(address)
    if client is None or client.status in ("closed", "closing"):
        try:
            import dask

            timeout = dask.config.get("distributed.comm.timeouts.connect")
            client = distributed.Client(address, set_as_default=False, timeout=timeout)
        except OSError as err:
            raise GeoairInputError(
                f"Cannot reach the Dask scheduler ({err}).", received=address,
                fix="Start it with `dask scheduler` (and workers with `dask worker ADDRESS`), "
                "or check the address given to --scheduler / set_options(scheduler=...).",
            ) from None
        _CLIENTS[address] = client
    return client


def _active_client():
    """The client work should go to, or None for a local scheduler."""
    sched = get_options()["scheduler"]
    if sched is None:
        if "distributed" not in sys.modules:
            return None
        from distributed import default_client

        try:
            return default_client()
        except ValueError:  # no client started
            return None
    if isinstance(sched, str):
        return None if sched in _LOCAL else get_client(sched)
    return sched  # a distributed.Client


def compute(*collections, progress: bool | None = None, desc: str = "geoair"):
    """``dask.compute`` on the scheduler chosen by the ``scheduler`` option, with a progress bar.

    Parameters
    ----------
    *collections : dask collections (or plain objects, returned as they are)
    progress : bool, optional
        Show progress (default the ``progress`` option): a tqdm bar on local schedulers,
        distributed's text progress bar on a cluster.
    desc : str
        Label of the bar.

    Returns
    -------
    tuple
        The computed results, in order.
    """
    import dask

    progress = get_options()["progress"] if progress is None else progress
    client = _active_client()
    if client is not None:
        futures = client.compute(list(collections))
        if progress:
            from distributed import progress as show_progress

            show_progress(futures)
        return tuple(client.gather(futures))
    sched = get_options()["scheduler"]
    if not progress:
        return dask.compute(*collections, scheduler=sched)
    from tqdm.dask import TqdmCallback

    with TqdmCallback(desc=desc, leave=False):
        return dask.compute(*collections, scheduler=sched)


def plain_strings(frame):
    """Undo dask's conversion of text columns to ``string[pyarrow]`` (pd.NA for missing).

    Text columns get pandas' default text dtype back (``str`` with NaN for missing under
    pandas 3, object before), so results and their dtypes are those of the in-memory path.
    """
    import pandas as pd

    text = [c for c, t in frame.dtypes.items()
            if isinstance(t, pd.StringDtype) and t.na_value is pd.NA]
    if not text:
        return frame
    target = pd.Series(["a"]).dtype  # the dtype pandas infers for text
    out = frame.copy()
    for c in text:
        out[c] = out[c].astype(object).where(out[c].notna(), None).astype(target)
    return out


def to_pandas(data: Any, columns=None):
    """A pandas frame from a pandas or dask frame (only ``columns`` read when given)."""
    if not is_dask(data):
        return data if columns is None else data[list(columns)]
    part = data if columns is None else data[list(columns)]
    return plain_strings(compute(part, desc="geoair: load")[0])


def _tag(res, station: str, code):
    if res is None:
        return None
    res = res.copy()
    res.attrs = {}
    if station not in res.columns:
        res.insert(0, station, str(code))
    return res


def _apply_batch(frame, func, kwargs, station, errors):
    """Run ``func`` on each station of one batch; returns (results, failures)."""
    import pandas as pd

    out, failed = [], []
    for code, grp in frame.groupby(station, sort=True, observed=True):
        try:
            res = func(grp.reset_index(drop=True), **kwargs)
        except (GeoairInputError, ValueError, ArithmeticError) as err:
            if errors == "raise":
                raise
            failed.append((str(code), f"{type(err).__name__}: {err}"))
            continue
        if res is None:
            continue
        out.append(tuple(_tag(r, station, code) for r in res) if isinstance(res, tuple)
                   else _tag(res, station, code))
    fail = pd.DataFrame(failed, columns=[station, "error"])
    return out, fail


def _concat_results(results, station: str):
    """Concatenate the batches' results (frames, or tuples of frames) ordered by station."""
    import pandas as pd

    items = [r for batch, _ in results for r in batch]

    def cat(frames):
        frames = [f for f in frames if f is not None]
        if not frames:
            return pd.DataFrame({station: []})
        df = pd.concat(frames, ignore_index=True)
        return df.sort_values(station, kind="stable", ignore_index=True)

    if items and isinstance(items[0], tuple):
        return tuple(cat([it[j] for it in items]) for j in range(len(items[0])))
    return cat(items)


def _batches_pandas(data, station: str, n_batches: int):
    codes = data[station].astype(str)
    uniq = sorted(codes.unique())
    size = math.ceil(len(uniq) / n_batches) if uniq else 1
    groups = {c: i // size for i, c in enumerate(uniq)}
    key = codes.map(groups).to_numpy()
    return [data.loc[key == b] for b in range(math.ceil(len(uniq) / size))] if uniq else []


def map_stations(func: Callable, data, *, station: str = "station", n_batches: int | None = None,
                 errors: str = "raise", progress: bool | None = None, **kwargs):
    """Apply ``func(frame_of_one_station, **kwargs)`` to every station, as Dask tasks.

    Stations are grouped into batches (one task each) so that task overhead stays small next
    to the work; with a dask DataFrame the rows are first shuffled so that each station's rows
    sit in one partition. ``kwargs`` are put in the graph once and shared by all tasks (pass
    large shared arrays here, not in a closure).

    Parameters
    ----------
    func : callable
        Takes a pandas DataFrame holding one station's rows (index reset) and keyword
        arguments; returns a DataFrame (a ``station`` column is added when it lacks one), a
        tuple of DataFrames (concatenated element by element), or None to skip the station.
    data : pandas.DataFrame or dask.dataframe.DataFrame
        Rows of many stations with a ``station`` column.
    station : str
        Station column.
    n_batches : int, optional
        Number of tasks (default: 4 per worker thread of the local machine, at most one per
        station; for a dask frame its number of partitions after the shuffle).
    errors : {"raise", "skip"}
        ``"skip"``: a station whose ``func`` raises ``ValueError`` (including
        :class:`~geoair.GeoairInputError`) or an arithmetic error is left out and listed in
        ``attrs["failed"]`` (station, error).
    progress : bool, optional
        Progress bar (default the ``progress`` option).
    **kwargs
        Passed to ``func``.

    Returns
    -------
    pandas.DataFrame or tuple of DataFrames
        The concatenated results, ordered by station; ``attrs["failed"]`` lists skipped
        stations.
    """
    import dask
    import pandas as pd

    check_option("errors", errors, ("raise", "skip"))
    require_columns(data, [station], what="data")
    shared = dask.delayed(kwargs, pure=True)
    if is_dask(data):
        parts = data.shuffle(on=station, npartitions=n_batches).to_delayed()
    else:
        import os

        n = n_batches or 4 * (os.cpu_count() or 1)
        parts = _batches_pandas(data, station, n)
    apply = dask.delayed(_apply_batch, pure=True, nout=2)
    tasks = [apply(p, func, shared, station, errors) for p in parts]
    results = compute(*tasks, progress=progress, desc="geoair: stations")
    out = _concat_results(results, station)
    failed = [f for _, f in results if len(f)]
    failed = (pd.concat(failed, ignore_index=True) if failed
              else pd.DataFrame(columns=[station, "error"]))
    for frame in out if isinstance(out, tuple) else (out,):
        frame.attrs["failed"] = as_attr(failed)
    return out
