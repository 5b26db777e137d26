"""Global options: the only global state in geoair.

Examples
--------
>>> import geoair
>>> with geoair.set_options(lang="zh"):
...     geoair.get_options()["lang"]
'zh'
"""

from __future__ import annotations

from typing import Any

__all__ = ["set_options", "get_options"]

_OPTIONS: dict[str, Any] = {
    "progress": True,
    "lang": "en",
    "n_jobs": 1,
    "scheduler": None,
}


def _validate_progress(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"progress must be True or False, got {value!r}")
    return value


def _validate_lang(value: Any) -> str:
    if value not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {value!r}")
    return value


def _validate_n_jobs(value: Any) -> int:
    if not isinstance(value, int) or value == 0 or value < -1:
        raise ValueError(f"n_jobs must be a positive int or -1 (all cores), got {value!r}")
    return value


_LOCAL_SCHEDULERS = ("threads", "processes", "synchronous")


def _validate_scheduler(value: Any) -> Any:
    # dask is not imported here: a Client is recognised by its class, an address by its form
    if value is None or value in _LOCAL_SCHEDULERS:
        return value
    if type(value).__name__ == "Client" and type(value).__module__.startswith("distributed"):
        return value
    if isinstance(value, str) and ("://" in value or value.rsplit(":", 1)[-1].isdigit()):
        return value
    raise ValueError(
        f"scheduler must be None (dask's default), one of {list(_LOCAL_SCHEDULERS)}, a "
        f"distributed scheduler address such as 'tcp://127.0.0.1:8786' or a "
        f"distributed.Client, got {value!r}"
    )


_VALIDATORS = {
    "progress": _validate_progress,
    "lang": _validate_lang,
    "n_jobs": _validate_n_jobs,
    "scheduler": _validate_scheduler,
}


class set_options:  # noqa: N801 - lower case like xarray.set_options, used as a function
    """Set geoair options globally or, as a context manager, temporarily.

    Parameters
    ----------
    progress : bool
        Show tqdm progress bars on long steps (default True).
    lang : {"en", "zh"}
        Language of labels, column headers and reports (default "en").
    n_jobs : int
        Worker count for parallel steps; -1 means all cores (default 1).
    scheduler : None, {"threads", "processes", "synchronous"}, str or distributed.Client
        Where Dask work runs (functions given a dask DataFrame): None uses dask's default (the
        active ``distributed.Client`` if there is one, else threads); a local scheduler name;
        or a ``dask scheduler`` address such as ``"tcp://10.0.0.5:8786"`` (geoair connects a
        client to it on first use).
    """

    def __init__(self, **kwargs: Any):
        self.old: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key not in _OPTIONS:
                raise ValueError(
                    f"{key!r} is not a geoair option. Valid options are {sorted(_OPTIONS)}."
                )
            self.old[key] = _OPTIONS[key]
            _OPTIONS[key] = _VALIDATORS[key](value)

    def __enter__(self) -> set_options:
        return self

    def __exit__(self, *exc: Any) -> None:
        _OPTIONS.update(self.old)


def get_options() -> dict[str, Any]:
    """Return a copy of the current options."""
    return dict(_OPTIONS)
