"""Value checks applied by the observation readers: every masked cell is logged with its reason.

Checks, in order, on each numeric cell (the first that applies names the reason):

1. not finite (``inf``, ``-inf``);
2. a sentinel (-99, -999, 9999, ...) that loggers and agencies write for "missing";
3. negative where impossible (concentrations, AQI, wind speed, rain);
4. wind direction outside 0-360 degrees;
5. above the plausibility limit of the pollutant (:data:`PLAUSIBLE_MAX`, configurable);

and, per station-hour, PM2.5 above PM10 beyond the measurement tolerance
(:data:`PM_TOLERANCE`): PM2.5 is masked, both values are logged.

See ``docs/methods/input_checks.md`` for the sources of the limits and the evidence.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import DropLog, GeoairInputError

__all__ = ["SENTINELS", "PLAUSIBLE_MAX", "PM_TOLERANCE", "resolve_limits", "cell_checks", "mask_invalid",
           "pm_ratio_violations"]

#: Values used by data loggers and agencies to mean "missing" (never a real concentration).
#: 999 is deliberately absent: the UCI Beijing files cap PM2.5/PM10 reports at exactly 999.
SENTINELS: tuple[float, ...] = (-99.0, -999.0, -9999.0, -99999.0, 9999.0, 99999.0, 999999.0)

#: Columns whose negative values are physically impossible (concentrations, AQI, speed, rain).
NON_NEGATIVE_PREFIXES: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "co", "o3", "aqi", "ws", "rain")

#: Upper plausibility limit of each pollutant, in data-model units (µg/m³; CO mg/m³; AQI 1).
#: Gases and the AQI: the top of the HJ 633-2012 index scale (Table 1, IAQI 500: SO2 24-h
#: 2620, NO2 1-h 3840, CO 1-h 150 mg/m³, O3 1-h 1200 µg/m³; AQI 500). Particles: 10 000 µg/m³,
#: far above the highest hourly PM10 of dust storms in the national network (3 761 µg/m³ in
#: the bundled Jan-Feb 2019 files) because the index scale (PM10 600, PM2.5 500) is exceeded
#: by real dust and haze hours. Running means (``pm25_24h``, ``o3_8h``...) use the limit of
#: their pollutant. Pass ``limits=`` to the reader to change or switch them off.
PLAUSIBLE_MAX: dict[str, float] = {
    "pm25": 10_000.0,
    "pm10": 10_000.0,
    "so2": 2620.0,
    "no2": 3840.0,
    "co": 150.0,
    "o3": 1200.0,
    "aqi": 500.0,
}

#: PM2.5 above PM10 is tolerated up to ``PM10 * (1 + rel) + abs`` (µg/m³): the acceptance
#: limits of automatic PM monitors against the reference method (slope 1 ± 0.15, intercept
#: 0 ± 10 µg/m³; HJ 653). Beyond it PM2.5 is masked (the fine fraction cannot exceed the
#: coarser one that contains it).
PM_TOLERANCE: tuple[float, float] = (0.15, 10.0)


def resolve_limits(limits: Any) -> dict[str, float]:
    """``None`` -> :data:`PLAUSIBLE_MAX`; ``False`` -> no limits; a dict overrides the defaults.

    A value of ``None`` in the dict switches that pollutant's limit off.
    """
    if limits is None or limits is True:
        return dict(PLAUSIBLE_MAX)
    if limits is False:
        return {}
    if not isinstance(limits, dict):
        raise GeoairInputError(
            "limits must be None (defaults), False (no limits) or a dict pollutant -> maximum.",
            received=type(limits).__name__, fix="Pass e.g. limits={'pm10': 20000}.",
        )
    out = dict(PLAUSIBLE_MAX)
    for key, value in limits.items():
        if key not in PLAUSIBLE_MAX:
            raise GeoairInputError(
                f"No plausibility limit for {key!r}. Valid options are {sorted(PLAUSIBLE_MAX)}.",
                received=key, fix=f"Use keys from {sorted(PLAUSIBLE_MAX)}.",
            )
        if value is None:
            out.pop(key)
        elif not isinstance(value, (int, float)) or not value > 0:
            raise GeoairInputError(
                f"The limit for {key!r} must be a positive number.", received=value,
                fix="Give the maximum in data-model units (µg/m³; CO mg/m³).",
            )
        else:
            out[key] = float(value)
    return out


def _limit(col: str, limits: dict[str, float]) -> float | None:
    return limits.get(col, limits.get(col.split("_")[0]))


def cell_checks(vals: np.ndarray, col: str, limits: dict[str, float],
                factor: float = 1.0) -> list[tuple[np.ndarray, str]]:
    """``(mask, reason)`` for each check that fails somewhere in ``vals`` (masks disjoint).

    ``col`` is the data-model name; ``factor`` converts data-model units to the units of
    ``vals`` (1000 for the UCI files' CO in µg/m³).
    """
    with np.errstate(invalid="ignore"):
        nonfinite = np.isinf(vals)
        sentinel = np.isin(vals, SENTINELS)
        out: list[tuple[np.ndarray, str]] = [
            (nonfinite, f"{col}: not a finite number (inf) masked to NaN"),
            (sentinel, f"{col}: sentinel value (e.g. -999, 9999) masked to NaN"),
        ]
        taken = nonfinite | sentinel
        if col.startswith(NON_NEGATIVE_PREFIXES):
            out.append(((vals < 0) & ~taken, f"{col}: negative value masked to NaN"))
        if col == "wd":
            out.append((((vals < 0) | (vals > 360)) & ~taken, f"{col}: wind direction outside 0-360 masked to NaN"))
        top = _limit(col, limits)
        if top is not None:
            above = (vals > top * factor) & ~taken
            out.append((above, f"{col}: above the plausibility limit {top:g} (geoair.io PLAUSIBLE_MAX) masked to NaN"))
    return [(m, r) for m, r in out if m.any()]


def mask_invalid(
    df: Any,
    columns: Any,
    *,
    file: Any,
    rows: np.ndarray,
    log: DropLog,
    file_columns: dict[str, str] | None = None,
    limits: dict[str, float] | None = None,
    factors: dict[str, float] | None = None,
) -> Any:
    """Mask failing cells of ``columns`` to NaN in place, logging each one (file row, column).

    ``rows`` gives the file row number of every frame row; ``file_columns`` maps a data-model
    column to the column name it had in the file; ``factors`` the unit factor per column.
    """
    limits = PLAUSIBLE_MAX if limits is None else limits
    for col in columns:
        if col not in df.columns:
            continue
        vals = df[col].to_numpy(dtype="float64", na_value=np.nan)
        name = (file_columns or {}).get(col, col)
        for mask, reason in cell_checks(vals, col, limits, (factors or {}).get(col, 1.0)):
            log.add(reason, rows=rows[mask], file=file, column=name, values=vals[mask])
            vals = np.where(mask, np.nan, vals)
        df[col] = vals
    return df


def pm_ratio_violations(pm25: np.ndarray, pm10: np.ndarray,
                        tolerance: tuple[float, float] | None) -> np.ndarray:
    """Where PM2.5 exceeds PM10 beyond ``PM10 * (1 + rel) + abs`` (both present)."""
    if tolerance is None:
        return np.zeros(np.shape(pm25), dtype=bool)
    rel, absolute = tolerance
    with np.errstate(invalid="ignore"):
        return np.asarray(pm25 > pm10 * (1.0 + rel) + absolute, dtype=bool)


def ratio_reason(tolerance: tuple[float, float]) -> str:
    rel, absolute = tolerance
    return (f"pm25: above PM10 in the same hour by more than PM10 x {rel:g} + {absolute:g} µg/m³ "
            "(PM2.5 masked to NaN, PM10 kept; values 'pm25/pm10')")


def check_tolerance(tolerance: Any) -> tuple[float, float] | None:
    """Validate ``pm_tolerance=``: None (check off) or (relative, absolute µg/m³)."""
    if tolerance is None:
        return None
    try:
        rel, absolute = (float(v) for v in tolerance)
    except (TypeError, ValueError):
        rel = absolute = -1.0
    if not (rel >= 0 and absolute >= 0):
        raise GeoairInputError(
            "pm_tolerance must be None or a pair (relative, absolute µg/m³) of numbers >= 0.",
            received=tolerance, fix=f"Use e.g. pm_tolerance={PM_TOLERANCE}.",
        )
    return rel, absolute


def mask_pm_ratio(df: Any, *, file: Any, rows: np.ndarray, log: DropLog,
                  tolerance: tuple[float, float] | None, column: str = "pm25") -> Any:
    """Mask PM2.5 (in place) where it exceeds PM10 beyond ``tolerance``; log both values."""
    if tolerance is None or "pm25" not in df.columns or "pm10" not in df.columns:
        return df
    pm25 = df["pm25"].to_numpy(dtype="float64", na_value=np.nan)
    pm10 = df["pm10"].to_numpy(dtype="float64", na_value=np.nan)
    bad = pm_ratio_violations(pm25, pm10, tolerance)
    if bad.any():
        pairs = [f"{a:g}/{b:g}" for a, b in zip(pm25[bad][:5], pm10[bad][:5], strict=True)]
        log.add(ratio_reason(tolerance), rows=rows[bad], file=file, column=column, values=pairs)
        df["pm25"] = np.where(bad, np.nan, pm25)
    return df
