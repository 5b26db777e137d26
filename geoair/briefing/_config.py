"""Briefing configuration: defaults, TOML/JSON files, merging with checks of every key."""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

from .._validation import GeoairInputError, read_config_file

__all__ = ["DEFAULT_CONFIG", "load_config"]

#: Settings used when no configuration file is given (paths ``None`` = bundled data).
DEFAULT_CONFIG: dict[str, Any] = {
    "data": {"observations": None, "stations": None, "counties": None, "cities": None, "fires": None,
             "sources": None, "wind": None, "feedback": None},
    "period": {"start": None, "end": None},
    "region": {"adcode_prefix": ["11", "12", "13"]},
    "analysis": {"pollutant": "pm25", "permutations": 199, "n_bootstrap": 50, "alpha": 0.05, "ehsa_alpha": 0.10,
                 "knn": 5, "county_values": "surface", "random_state": 12345, "fire_min_confidence": 30.0,
                 "fire_eps_km": 2.0, "fire_window_hours": 48.0, "fire_min_samples": 3},
    # GB 3095-2012 Grade II annual PM2.5 limit; the good-day ratio target is a stated assumption
    "targets": {"pm25": 35.0, "good_ratio": 80.0, "year": None},
}


def _merge(base: dict, over: dict) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for k, v in (over or {}).items():
        if k not in out:
            raise GeoairInputError(f"Unknown briefing configuration section or key {k!r}.",
                                   received=k, fix=f"Use one of {sorted(base)}.")
        if isinstance(out[k], dict) and isinstance(v, dict):
            unknown = set(v) - set(out[k])
            if unknown:
                raise GeoairInputError(f"Unknown key(s) {sorted(unknown)} in section [{k}].",
                                       received=sorted(unknown), fix=f"Valid keys: {sorted(out[k])}.")
            out[k].update(v)
        else:
            out[k] = v
    return out


def load_config(path: str | PathLike | None) -> dict:
    """Read a TOML or JSON briefing configuration; relative data paths are resolved against it.

    See :data:`DEFAULT_CONFIG` for the sections and keys.
    """
    if path is None:
        return _merge(DEFAULT_CONFIG, {})
    path = Path(path)
    raw = read_config_file(path)  # GeoairInputError with the line of a TOML/JSON mistake
    cfg = _merge(DEFAULT_CONFIG, raw)
    for key, value in cfg["data"].items():
        if value is None:
            continue
        vals = value if isinstance(value, list) else [value]
        vals = [str(v) if Path(v).is_absolute() else str(path.parent / v) for v in vals]
        cfg["data"][key] = vals if isinstance(value, list) else vals[0]
    return cfg
