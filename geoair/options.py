"""Global options: the only global state in geoair.

Examples
--------
>>> import geoair
>>> with geoair.set_options(lang="zh"):
...     geoair.get_options()["lang"]
'zh'
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

__all__ = ["set_options", "get_options", "resolve_n_jobs"]

_OPTIONS: dict[str, Any] = {
    "progress": True,
    "lang": "en",
    "n_jobs": 1,
    "scheduler": None,
}

#: What each option accepts, in words (used in error messages and the docstring).
_ACCEPTS: dict[str, str] = {
    "progress": "True or False",
    "lang": "'en' or 'zh'",
    "n_jobs": "a positive int, or -1 for all cores",
    "scheduler": "None (dask's default), one of ['threads', 'processes', 'synchronous'], a distributed "
    "scheduler address such as 'tcp://127.0.0.1:8786' or a distributed.Client",
}

_LOCAL_SCHEDULERS = ("threads", "processes", "synchronous")


def _is_progress(value: Any) -> bool:
    return isinstance(value, bool)


def _is_lang(value: Any) -> bool:
    return isinstance(value, str) and value in ("zh", "en")


def _is_n_jobs(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and (value >= 1 or value == -1)


def _is_scheduler(value: Any) -> bool:
    # dask is not imported here: a Client is recognised by its class, an address by its form
    if value is None or (isinstance(value, str) and value in _LOCAL_SCHEDULERS):
        return True
    if type(value).__name__ == "Client" and type(value).__module__.startswith("distributed"):
        return True
    return isinstance(value, str) and ("://" in value or value.rsplit(":", 1)[-1].isdigit())


_VALIDATORS: dict[str, Callable[[Any], bool]] = {
    "progress": _is_progress,
    "lang": _is_lang,
    "n_jobs": _is_n_jobs,
    "scheduler": _is_scheduler,
}


def _check(kwargs: dict[str, Any]) -> None:
    """Raise on the first unknown option or bad value, before anything is applied."""
    from ._validation import GeoairInputError

    for key, value in kwargs.items():
        if key not in _OPTIONS:
            raise GeoairInputError(
                f"{key!r} is not a geoair option. Valid options are {sorted(_OPTIONS)}.",
                received=key,
                fix=f"Use one of {sorted(_OPTIONS)}.",
            )
        if not _VALIDATORS[key](value):
            raise GeoairInputError(
                f"{key} must be {_ACCEPTS[key]}, got {value!r}.",
                column=key,
                received=value,
                fix=f"Pass {key}= {_ACCEPTS[key]}.",
            )


class set_options:  # noqa: N801 - lower case like xarray.set_options, used as a function
    """Set geoair options globally or, as a context manager, temporarily.

    Every option is checked before any is applied, so a bad value leaves the options as
    they were.

    Parameters
    ----------
    progress : bool
        Show tqdm progress bars on long steps (default True).
    lang : {"en", "zh"}
        Language of labels, column headers and reports (default "en"). Every function
        with ``lang=None`` uses this option (:func:`geoair._i18n.resolve_lang`).
    n_jobs : int
        Worker count for the steps that can run in parallel (reading many observation
        files; estimators with independent restarts or partitions); -1 means all cores
        (default 1). Read it with :func:`resolve_n_jobs`.
    scheduler : None, {"threads", "processes", "synchronous"}, str or distributed.Client
        Where Dask work runs (functions given a dask DataFrame): None uses dask's default (the
        active ``distributed.Client`` if there is one, else threads); a local scheduler name;
        or a ``dask scheduler`` address such as ``"tcp://10.0.0.5:8786"`` (geoair connects a
        client to it on first use).

    Raises
    ------
    GeoairInputError
        (a ``ValueError``) for an unknown option, listing the valid ones, or a bad value.
    """

    def __init__(self, **kwargs: Any):
        _check(kwargs)
        self.old: dict[str, Any] = {key: _OPTIONS[key] for key in kwargs}
        _OPTIONS.update(kwargs)

    def __enter__(self) -> set_options:
        return self

    def __exit__(self, *exc: Any) -> None:
        _OPTIONS.update(self.old)


def get_options() -> dict[str, Any]:
    """Return a copy of the current options."""
    return dict(_OPTIONS)


def resolve_n_jobs(n_jobs: int | None = None) -> int:
    """The number of workers to use: ``n_jobs`` when given, else the option; -1 = all cores."""
    if n_jobs is None:
        n_jobs = _OPTIONS["n_jobs"]
    else:
        _check({"n_jobs": n_jobs})
    if n_jobs == -1:
        return os.cpu_count() or 1
    return int(n_jobs)
