"""Design matrix for meteorological normalisation: trend, calendar and meteorology.

One station's hourly rows become a float matrix whose columns fall in three groups:

* the trend term ``date_unix`` (days since 1970-01-01 UTC; the only variable never resampled);
* calendar terms ``day_julian`` (1-366), ``weekday`` (0 = Monday) and ``hour`` (0-23), local time;
* meteorology: the instantaneous variables and, with ``history="24h"``, their trailing 24-h
  means (24-h sum for rain, 24-h change for pressure); ``history="72h"`` adds the same over
  72 h, the 24-h change of dew point and the hours since the last rain (multi-day
  accumulation: stagnation, humid secondary formation).

Wind direction enters as ``wd_sin, wd_cos`` next to ``ws`` (default), as ``u, v`` components,
or (``wind="degrees"``, rmweather's input) as raw degrees.

References
----------
Grange, S. K. et al. (2018), Atmos. Chem. Phys. 18, 6223 (rmweather's ``rmw_prepare_data``:
``date_unix, day_julian, weekday, hour``). Relative humidity from dew point by the Magnus
formula with the WMO (2018, WMO-No. 8, Annex 4.B) constants 6.112 hPa, 17.62, 243.12 °C.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option
from ..met.wind import wswd_to_uv

TREND = "date_unix"
CALENDAR = ("day_julian", "weekday", "hour")
#: Meteorological inputs geoair looks for, in order (``met="auto"``).
MET_CANDIDATES = ("ws", "wd", "temp", "dewp", "rh", "pres", "rain", "blh")
WIND_CODINGS = ("sincos", "uv", "degrees")
HISTORIES = (None, "24h", "72h")
#: Trailing windows of each ``history`` option.
_WINDOWS = {"24h": ("24h",), "72h": ("24h", "72h")}


@dataclass
class Design:
    """Model inputs of one station: features, response and what may be resampled."""

    time: pd.DatetimeIndex
    X: np.ndarray
    y: np.ndarray
    columns: list[str]
    met_columns: list[str]
    met_inputs: list[str]
    hour: np.ndarray
    doy: np.ndarray
    pool: np.ndarray
    drops: DropLog = field(default_factory=DropLog)

    def index(self, names) -> np.ndarray:
        """Column positions of ``names``."""
        pos = {c: i for i, c in enumerate(self.columns)}
        return np.array([pos[n] for n in names], dtype=np.intp)


def rh_from_dewpoint(temp, dewp):
    """Relative humidity (%) from air temperature and dew point (°C), Magnus formula (WMO)."""
    t = np.asarray(temp, dtype=float)
    d = np.asarray(dewp, dtype=float)
    es = lambda x: 6.112 * np.exp(17.62 * x / (243.12 + x))  # noqa: E731
    with np.errstate(invalid="ignore", over="ignore"):
        return np.clip(100.0 * es(d) / es(t), 0.0, 100.0)


def resolve_met(data: pd.DataFrame, met) -> list[str]:
    """The meteorological inputs to use: ``"auto"`` takes every candidate present with data."""
    if isinstance(met, str) and met == "auto":
        have = [c for c in MET_CANDIDATES if c in data.columns and data[c].notna().any()]
        if "rh" not in have and {"temp", "dewp"} <= set(have):
            have.insert(have.index("pres") if "pres" in have else len(have), "rh")
        return have
    met = [met] if isinstance(met, str) else list(met)
    derivable = {"rh"} if {"temp", "dewp"} <= set(data.columns) else set()
    missing = [c for c in met if c not in data.columns and c not in derivable]
    if missing:
        raise GeoairInputError(
            f"Meteorological column(s) {missing} are not in the data.", column=missing[0],
            received=[str(c) for c in data.columns][:30],
            fix="Pass met='auto' to use the meteorology present, or add the columns "
            "(rh can be derived from temp and dewp).")
    if ("ws" in met) != ("wd" in met):
        raise GeoairInputError("Wind needs both ws and wd.", received=met,
                               fix="List both 'ws' and 'wd' in met, or neither.")
    return met


def _met_block(frame: pd.DataFrame, met: list[str], wind: str) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name in met:
        if name == "wd":
            continue
        if name == "ws":
            ws = frame["ws"].to_numpy(dtype=float)
            wd = frame["wd"].to_numpy(dtype=float)
            if wind == "uv":
                out["u"], out["v"] = wswd_to_uv(ws, wd)
            elif wind == "sincos":
                out["ws"] = ws
                out["wd_sin"] = np.sin(np.radians(wd))
                out["wd_cos"] = np.cos(np.radians(wd))
            else:
                out["ws"], out["wd"] = ws, wd
        elif name == "rh" and "rh" not in frame.columns:
            out["rh"] = rh_from_dewpoint(frame["temp"], frame["dewp"])
        else:
            out[name] = frame[name].to_numpy(dtype=float)
    return out


def _history(frame: pd.DataFrame, met: list[str], block: dict, history: str):
    """Trailing statistics of the meteorology (time-based windows, gaps allowed).

    ``"24h"``: trailing 24-h means of wind speed, the wind vector, temperature, humidity and
    boundary-layer height, 24-h rain sum and 24-h pressure change. ``"72h"`` adds the same over
    72 h, the 24-h change of dew point and the hours since the last measurable rain
    (:func:`_memory`).
    """
    idx = pd.DatetimeIndex(frame["time"])
    src = {}
    if "ws" in met:
        u, v = wswd_to_uv(frame["ws"].to_numpy(float), frame["wd"].to_numpy(float))
        src.update(ws=frame["ws"].to_numpy(float), u=u, v=v)
    for name in ("temp", "rh", "dewp", "blh"):
        if name in block:
            src[name] = block[name]
    df = pd.DataFrame(src, index=idx)
    out = {}
    for win in _WINDOWS[history]:
        out.update(_trailing(df, block, idx, win))
    if history == "72h":
        out.update(_memory(block, idx))
    return out


def _trailing(df: pd.DataFrame, block: dict, idx: pd.DatetimeIndex, win: str) -> dict:
    """Trailing means over ``win`` (rain: sum; pressure: change over ``win``)."""
    need = max(6, pd.Timedelta(win) // pd.Timedelta("4h"))  # a quarter of the hours
    out = {f"{k}_{win}": df[k].rolling(win, min_periods=need).mean().to_numpy() for k in df}
    if "rain" in block:
        rain = pd.Series(block["rain"], index=idx)
        out[f"rain_{win}"] = rain.rolling(win, min_periods=need).sum().to_numpy()
    if "pres" in block:
        out[f"pres_change_{win}"] = block["pres"] - _lagged(block["pres"], idx, win)
    return out


def _memory(block: dict, idx: pd.DatetimeIndex) -> dict:
    """Slow-weather terms of ``history="72h"``: dew-point change over 24 h, hours since rain.

    Hours since rain count from the last hour with >= 0.1 mm (WMO's measurable
    precipitation; a missing rain value counts as no rain), capped at 240 h (NaN before the
    first rain of the record).
    """
    out = {}
    if "dewp" in block:
        out["dewp_change_24h"] = block["dewp"] - _lagged(block["dewp"], idx, "24h")
    if "rain" in block:
        t = pd.Series((idx - idx[0]) / pd.Timedelta("1h"), index=idx)  # hours
        last = t.where(np.nan_to_num(block["rain"], nan=0.0) >= 0.1).ffill()
        out["hours_since_rain"] = np.minimum((t - last).to_numpy(), 240.0)
    return out


def _lagged(values: np.ndarray, idx: pd.DatetimeIndex, lag: str) -> np.ndarray:
    """``values`` ``lag`` earlier (NaN where that hour is missing)."""
    return pd.Series(values, index=idx).shift(freq=pd.Timedelta(lag)).reindex(idx).to_numpy()


def calendar(time: pd.Series) -> dict[str, np.ndarray]:
    """rmweather's time variables: trend (days since epoch, UTC) and local calendar terms."""
    unix = time.dt.tz_convert("UTC").dt.tz_localize(None) if time.dt.tz is not None else time
    days = (unix - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    return {
        TREND: days.to_numpy(dtype=float),
        "day_julian": time.dt.day_of_year.to_numpy(dtype=float),
        "weekday": time.dt.day_of_week.to_numpy(dtype=float),
        "hour": time.dt.hour.to_numpy(dtype=float),
    }


def build_design(frame: pd.DataFrame, pollutant: str, met: list[str], *, wind: str = "sincos",
                 history: str | None = "24h") -> Design:
    """Features of one station's rows, sorted by time (rows without a time are logged).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``time`` (tz-aware), ``pollutant`` and the ``met`` columns of one station.
    pollutant : str
        Response column.
    met : list of str
        Meteorological inputs (from :func:`resolve_met`).
    wind : {"sincos", "uv", "degrees"}
    history : {"24h", "72h", None}
        Add trailing 24-h means of the meteorology (``"72h"``: and 72-h means, the 24-h
        change of dew point and the hours since rain).
    """
    check_option("wind", wind, WIND_CODINGS)
    check_option("history", history, HISTORIES)
    log = DropLog()
    bad_time = frame["time"].isna().to_numpy()
    log.add("no time: row not used", np.flatnonzero(bad_time), column=None)
    order = np.flatnonzero(~bad_time)
    order = order[np.argsort(frame["time"].to_numpy()[order], kind="stable")]
    f = frame.iloc[order]
    dup = f["time"].duplicated(keep="first").to_numpy()
    log.add("duplicate time within the station: later row not used", order[dup])
    f = f.loc[~dup]
    inst = _met_block(f, met, wind)
    block = dict(inst)
    if history is not None and met:
        # a history term without a single value (e.g. 3-hourly or 6-hourly records too sparse
        # for the trailing window) cannot be learned from: left out
        block.update({k: v for k, v in _history(f, met, inst, history).items()
                      if np.isfinite(v).any()})
    met_cols = list(block)
    cal = calendar(f["time"])
    columns = [TREND, *CALENDAR, *met_cols]
    X = np.column_stack([cal[c] for c in (TREND, *CALENDAR)] + [block[c] for c in met_cols])
    pool = np.flatnonzero(_complete(inst, len(f)))
    return Design(time=pd.DatetimeIndex(f["time"]), X=X, y=f[pollutant].to_numpy(dtype=float),
                  columns=columns, met_columns=met_cols, met_inputs=list(met),
                  hour=cal["hour"].astype(np.int64), doy=cal["day_julian"].astype(np.int64),
                  pool=pool, drops=log)


def _complete(inst: dict, n: int) -> np.ndarray:
    """Rows with every instantaneous met value (a calm's undefined direction allowed).

    These rows are the donors of the resampling: a draw never hands a timestamp an imputed
    or missing weather record.
    """
    ok = np.ones(n, dtype=bool)
    for name, values in inst.items():
        finite = np.isfinite(values)
        if name in ("wd_sin", "wd_cos", "wd"):
            finite |= inst["ws"] == 0
        ok &= finite
    return ok


def set_variable(X: np.ndarray, design: Design, var: str, value: float, *,
                 sustained: bool = True) -> np.ndarray:
    """Copy of ``X`` with the variable ``var`` set to ``value`` in every row.

    Understands the wind codings: ``wd`` sets the direction (keeping each row's speed),
    ``ws`` the speed (keeping each row's direction). With ``sustained``, the variable's
    trailing 24-h (and 72-h) terms are set too (for wind, the mean vectors keep their direction
    or speed), i.e. the weather has been ``value`` for the past days; a sustained dew point
    has no 24-h change, sustained rain (>= 0.1 mm/h) means 0 hours since rain.
    """
    Z = X.copy()
    cols = {c: i for i, c in enumerate(design.columns)}
    if var not in design.met_inputs and var not in CALENDAR:
        raise GeoairInputError(f"{var!r} is not a model input.", received=var,
                               fix=f"Use one of {design.met_inputs + list(CALENDAR)}.")
    wins = ("24h", "72h") if sustained else ()
    pairs = [("u", "v")] + [(f"u_{w}", f"v_{w}") for w in wins]
    if var in ("ws", "wd"):
        for cu, cv in pairs:
            if cu not in cols:
                continue
            u, v = X[:, cols[cu]], X[:, cols[cv]]
            speed = np.hypot(u, v)
            direction = np.mod(np.degrees(np.arctan2(-u, -v)), 360.0)
            if var == "ws":
                speed = np.full(len(Z), value)
            else:
                direction = np.full(len(Z), value)
            Z[:, cols[cu]], Z[:, cols[cv]] = wswd_to_uv(speed, direction)
    if var == "wd" and "wd_sin" in cols:
        Z[:, cols["wd_sin"]] = np.sin(np.radians(value))
        Z[:, cols["wd_cos"]] = np.cos(np.radians(value))
    elif var in cols:
        Z[:, cols[var]] = value
    if var != "wd":
        for w in wins:
            if f"{var}_{w}" in cols:
                hours = pd.Timedelta(w) / pd.Timedelta("1h")
                Z[:, cols[f"{var}_{w}"]] = value if var != "rain" else hours * value
    if sustained and var == "dewp" and "dewp_change_24h" in cols:
        Z[:, cols["dewp_change_24h"]] = 0.0
    if sustained and var == "rain" and value >= 0.1 and "hours_since_rain" in cols:
        Z[:, cols["hours_since_rain"]] = 0.0
    return Z


def variable_values(design: Design, var: str) -> np.ndarray:
    """The instantaneous values of ``var`` in the design (wind decoded to ws/wd)."""
    cols = {c: i for i, c in enumerate(design.columns)}
    X = design.X
    if var in ("ws", "wd") and "u" in cols:
        u, v = X[:, cols["u"]], X[:, cols["v"]]
        if var == "ws":
            return np.hypot(u, v)
        return np.mod(np.degrees(np.arctan2(-u, -v)), 360.0)
    if var == "wd" and "wd_sin" in cols:
        return np.mod(np.degrees(np.arctan2(X[:, cols["wd_sin"]], X[:, cols["wd_cos"]])), 360.0)
    return X[:, cols[var]]
