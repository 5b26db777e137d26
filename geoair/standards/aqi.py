"""Individual and overall Air Quality Index: HJ 633-2012, HJ 633-2026 and US EPA (2024).

The rules (research/standards.md §1 and §4):

* IAQI by linear interpolation between breakpoints (HJ 633 formula 1), rounded **up** to an
  integer (HJ 633-2012 §6.2, HJ 633-2026 §4.2.6). A float-noise guard (``ceil(x - 1e-9)``) keeps
  exact breakpoint results exact: PM2.5 36 µg/m³ under HJ 633-2026 is 52.0, not 52.000000001.
* HJ 633-2026 §4.2.2 rounds concentrations first, per GB/T 8170 (round half to even): SO2, NO2,
  O3, PM10, PM2.5 to integers (µg/m³), CO to one decimal (mg/m³). HJ 633-2012 has no such rule.
* Above the top breakpoints: SO2 1-h > 800 µg/m³ gives no IAQI under 2012 (report the 24-h
  IAQI instead) but IAQI 200 under 2026; O3 8-h > 800 µg/m³ gives no IAQI under 2012 (report the
  1-h IAQI) but IAQI 300 under 2026. Other pollutants above the 500 row are reported as 500
  (the tables end there; CNEMC publishes 500).
* AQI = max IAQI (formula 2); primary pollutant(s) when AQI > 50, ties all joint; 2012
  "exceedance pollutants" = IAQI > 100 (the definition was removed in 2026).
* Daily report: 2012 uses seven indicators (24-h SO2, NO2, PM10, PM2.5, CO, O3 daily max 1-h and
  daily max 8-h); 2026 uses six (O3 daily max 1-h dropped). Real-time (hourly) report: 2012 uses
  1-h SO2, NO2, CO, O3, the O3 8-h moving mean and the 24-h moving PM means; 2026 uses the 1-h
  values of all six, PM with the daily breakpoints.
* US EPA: concentrations truncated (O3 ppm 3 dp, PM2.5 1 dp, PM10 integer, CO ppm 1 dp, SO2 and
  NO2 ppb integer), interpolated, rounded half up; values above the top row extrapolated with the
  top segment (TAD 2024).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DropLog, GeoairInputError, check_option
from ..options import get_options
from ..schema import POLLUTANT_ALIASES, attach_units
from .tables import (
    CN_BREAKPOINTS,
    CN_CATEGORIES,
    EPA_CATEGORIES,
    EPA_SEGMENTS,
    EPA_TRUNCATE,
    EPA_UNIT_FACTORS,
    IAQI_BREAKS,
    STANDARDS,
    SWITCH_DATE,
)

__all__ = ["iaqi", "aqi", "round_half_even", "resolve_standard"]

AVERAGING = ("1h", "8h", "24h")
_EPS = 1e-9


# --------------------------------------------------------------------------- helpers
def round_half_even(x, decimals: int = 0) -> np.ndarray:
    """Round half to even as GB/T 8170 ("四舍六入五成双") on the decimal value as written.

    A value like 0.15 is stored as 0.1499999... in binary; plain float rounding would give 0.1,
    while rounding the decimal string gives 0.2. Ties are therefore detected with a relative
    tolerance far above float noise and far below any meaningful digit.

    Parameters
    ----------
    x : array-like of float
    decimals : int
        Number of decimals to keep.

    Returns
    -------
    numpy.ndarray of float
    """
    x = np.asarray(x, dtype=float)
    if decimals == 0:
        # Halves are exact in binary, so IEEE round-half-even is already exact here.
        return np.rint(x)
    scale = 10.0**decimals
    y = x * scale
    f = np.floor(y)
    tol = 1e-11 * np.maximum(1.0, np.abs(y))
    tie = np.abs(y - f - 0.5) < tol
    out = np.where(tie, f + (np.mod(f, 2.0) == 1.0), np.round(y))
    return out / scale


def _half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5 + _EPS)


def _canon_pollutant(pollutant: str, averaging: str) -> tuple[str, str]:
    key = str(pollutant).lower()
    if key in ("o3_8h", "o3-8h", "o3_8"):
        return "o3", "8h"
    code = POLLUTANT_ALIASES.get(key, key)
    if code not in ("pm25", "pm10", "so2", "no2", "co", "o3"):
        raise GeoairInputError(
            "Unknown pollutant for the AQI.",
            received=pollutant,
            fix="Use one of 'pm25', 'pm10', 'so2', 'no2', 'co', 'o3', 'o3_8h'.",
        )
    check_option("averaging", averaging, AVERAGING)
    return code, averaging


def resolve_standard(standard: str | None, dates=None, n: int = 1) -> np.ndarray:
    """Standard per element: the given one, else chosen by date, else the one in force now.

    Parameters
    ----------
    standard : {"hj633-2012", "hj633-2026", "us-epa-2024"} or None
    dates : array-like of datetime-like, optional
        Local calendar dates of the values (for hourly end-of-hour labels pass ``time - 1 h``).
    n : int
        Number of elements (used when neither is given).

    Returns
    -------
    numpy.ndarray of str, length ``n``
    """
    if standard is not None:
        check_option("standard", standard, STANDARDS)
        return np.full(n, standard, dtype=object)
    if dates is None:
        # No date: the standard in force today (HJ 633-2026 since 2026-03-01).
        today = pd.Timestamp.now(tz="Asia/Shanghai").tz_localize(None)
        return np.full(n, "hj633-2026" if today >= SWITCH_DATE else "hj633-2012", dtype=object)
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(np.asarray(dates).ravel())))
    if idx.tz is not None:
        idx = idx.tz_convert("Asia/Shanghai").tz_localize(None)
    return np.where(np.asarray(idx >= SWITCH_DATE), "hj633-2026", "hj633-2012").astype(object)


def _standard_codes(standard, dates, n: int):
    """Standards in use and, when more than one, the index of each element's standard."""
    if standard is not None or dates is None:
        return [str(resolve_standard(standard, None, 1)[0])], None
    if isinstance(dates, (pd.Series, pd.Index)):
        idx = pd.DatetimeIndex(pd.to_datetime(dates))
    else:
        idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(np.asarray(dates).ravel())))
    if idx.tz is not None:
        idx = idx.tz_convert("Asia/Shanghai").tz_localize(None)
    new = np.asarray(idx >= SWITCH_DATE)
    if new.all():
        return ["hj633-2026"], None
    if not new.any():
        return ["hj633-2012"], None
    return ["hj633-2012", "hj633-2026"], new.astype(np.int8)


# ----------------------------------------------------------------------- IAQI kernels
def _cn_iaqi(c: np.ndarray, code: str, averaging: str, standard: str,
             out: np.ndarray | None = None) -> np.ndarray:
    table = CN_BREAKPOINTS[standard]
    key = (code, averaging)
    if key not in table:
        valid = sorted(f"{p} {a}" for p, a in table)
        raise GeoairInputError(
            f"{standard} defines no IAQI for {code} {averaging}.",
            received=f"{code} {averaging}",
            fix=f"Use one of: {', '.join(valid)}. HJ 633-2012 gives PM IAQIs only for 24-h means.",
        )
    from ._kernels import cn_iaqi

    bp = table[key]
    top = IAQI_BREAKS[len(bp) - 1]
    if key == ("so2", "1h"):
        # Note 2 (2012): no IAQI above 800 (report the 24-h one); note b (2026): 200.
        top = np.nan if standard == "hj633-2012" else 200.0
    elif key == ("o3", "8h"):
        # Note 3 (2012): no IAQI above 800 (report the 1-h one); note c (2026): 300.
        top = np.nan if standard == "hj633-2012" else 300.0
    decimals = (1 if code == "co" else 0) if standard == "hj633-2026" else -1
    c = np.ascontiguousarray(c, dtype=float)
    if out is None:
        out = np.empty(c.shape)
    cn_iaqi(c.reshape(-1), bp, IAQI_BREAKS, decimals, float(top), out.reshape(-1))
    return out


def _epa_iaqi(c: np.ndarray, code: str, averaging: str, units: str) -> np.ndarray:
    key = (code, averaging)
    if key not in EPA_SEGMENTS:
        raise GeoairInputError(
            f"US EPA defines no AQI for {code} {averaging}.",
            received=f"{code} {averaging}",
            fix="Use pm25/pm10 24h, o3 8h or 1h, co 8h, so2 1h (or 24h >= 305 ppb), no2 1h.",
        )
    if units == "geoair":
        c = c / EPA_UNIT_FACTORS[code]
    d = 10.0 ** EPA_TRUNCATE[code]
    c = np.floor(c * d + _EPS) / d
    seg = EPA_SEGMENTS[key]
    k = np.clip(np.searchsorted(seg[:, 0], c, side="right") - 1, 0, len(seg) - 1)
    c_lo, c_hi, i_lo, i_hi = seg[k, 0], seg[k, 1], seg[k, 2], seg[k, 3]
    val = _half_up((i_hi - i_lo) / (c_hi - c_lo) * (c - c_lo) + i_lo)
    ok = np.isfinite(c) & (c >= seg[0, 0])
    if key in (("o3", "8h"), ("so2", "1h")):
        # O3 8-h above 0.200 ppm: use the 1-h AQI; SO2 1-h >= 305 ppb: use the 24-h AQI.
        ok &= c <= seg[-1, 1]
    return np.where(ok, val, np.nan)


def _wrap(values: np.ndarray, like: Any, name: str | None = None) -> Any:
    if isinstance(like, pd.DataFrame):
        return pd.DataFrame(values.reshape(like.shape), index=like.index, columns=like.columns)
    if isinstance(like, pd.Series):
        return pd.Series(values.reshape(len(like)), index=like.index, name=name or like.name)
    if np.ndim(like) == 0:
        return float(values.reshape(-1)[0])
    return values.reshape(np.shape(like))


def iaqi(conc, pollutant: str, averaging: str = "24h", standard: str | None = None, *,
         date=None, units: str = "geoair"):
    """Individual air quality index (IAQI) of one pollutant.

    Parameters
    ----------
    conc : float, array-like, pandas.Series or pandas.DataFrame
        Concentrations: µg/m³, CO mg/m³ (``units="geoair"``); with ``units="native"`` and
        ``standard="us-epa-2024"`` the EPA's units (O3, CO ppm; SO2, NO2 ppb; PM µg/m³).
    pollutant : {"pm25", "pm10", "so2", "no2", "co", "o3", "o3_8h"}
    averaging : {"24h", "8h", "1h"}
        Averaging time of ``conc`` (O3 8-h: ``"8h"``; EPA CO: ``"8h"``).
    standard : {"hj633-2012", "hj633-2026", "us-epa-2024"}, optional
        Default: chosen per element from ``date`` (HJ 633-2012 before 2026-03-01, HJ 633-2026
        from then on); without dates (nor a DatetimeIndex) the standard in force today.
    date : array-like of datetime-like, optional
        Local calendar date of each value.
    units : {"geoair", "native"}
        Unit convention of ``conc`` for the US EPA standard (ignored for HJ 633).

    Returns
    -------
    Same type and shape as ``conc``, float: integer-valued IAQI, NaN where the standard gives
    no IAQI (missing or negative concentration, SO2 1-h > 800 or O3 8-h > 800 under 2012, O3
    1-h < 0.125 ppm or 8-h > 0.200 ppm or SO2 1-h >= 305 ppb under the EPA rules).

    References
    ----------
    HJ 633-2012 §5-6 and Table 1; HJ 633-2026 §4.2 and Table 3; US EPA, Technical Assistance
    Document for the Reporting of Daily Air Quality - the AQI (EPA-454/B-24-002, May 2024).

    Examples
    --------
    >>> iaqi(80, "pm25", "24h", "hj633-2012"), iaqi(80, "pm25", "24h", "hj633-2026")
    (107.0, 119.0)
    """
    code, averaging = _canon_pollutant(pollutant, averaging)
    check_option("units", units, ("geoair", "native"))
    if isinstance(conc, (pd.Series, pd.DataFrame)):
        c = conc.to_numpy(dtype=float, na_value=np.nan)
    else:
        c = np.asarray(conc, dtype=float)
    flat = c.reshape(-1)
    if date is None and isinstance(conc, (pd.Series, pd.DataFrame)) and isinstance(
        conc.index, pd.DatetimeIndex
    ):
        date = (conc.index if c.ndim == 1 else
                pd.DatetimeIndex(np.repeat(conc.index.to_numpy(), c.shape[1])))
    names, codes = _standard_codes(standard, date, flat.size)
    out = np.full(flat.size, np.nan)
    for k, std in enumerate(names):
        m = slice(None) if codes is None else codes == k
        sub = flat[m]
        if std == "us-epa-2024":
            out[m] = _epa_iaqi(sub, code, averaging, units)
        else:
            out[m] = _cn_iaqi(sub, code, averaging, std)
    return _wrap(out, conc)


# ----------------------------------------------------------------------------- AQI
# (indicator code, column, pollutant, averaging) per standard and report.
_CN_DAILY = [
    ("pm25", "pm25", "pm25", "24h"),
    ("pm10", "pm10", "pm10", "24h"),
    ("so2", "so2", "so2", "24h"),
    ("no2", "no2", "no2", "24h"),
    ("co", "co", "co", "24h"),
    ("o3_8h", "o3_8h", "o3", "8h"),
]
_INDICATORS = {
    ("hj633-2026", "24h"): _CN_DAILY,
    ("hj633-2012", "24h"): _CN_DAILY + [("o3", "o3", "o3", "1h")],
    ("hj633-2026", "1h"): [
        ("pm25", "pm25", "pm25", "1h"),
        ("pm10", "pm10", "pm10", "1h"),
        ("so2", "so2", "so2", "1h"),
        ("no2", "no2", "no2", "1h"),
        ("co", "co", "co", "1h"),
        ("o3", "o3", "o3", "1h"),
    ],
    ("hj633-2012", "1h"): [
        ("pm25", "pm25_24h", "pm25", "24h"),
        ("pm10", "pm10_24h", "pm10", "24h"),
        ("so2", "so2", "so2", "1h"),
        ("no2", "no2", "no2", "1h"),
        ("co", "co", "co", "1h"),
        ("o3", "o3", "o3", "1h"),
        ("o3_8h", "o3_8h", "o3", "8h"),
    ],
    ("us-epa-2024", "24h"): [
        ("pm25", "pm25", "pm25", "24h"),
        ("pm10", "pm10", "pm10", "24h"),
        ("o3_8h", "o3_8h", "o3", "8h"),
        ("o3", "o3", "o3", "1h"),
        ("co", "co", "co", "8h"),
        ("so2", "so2", "so2", "1h"),
        ("no2", "no2", "no2", "1h"),
    ],
}
#: Indicators whose absence makes a 2026 AQI <= 100 unpublishable (HJ 633-2026 §5.3).
_REQUIRED_2026 = {"24h": {"pm25", "pm10", "so2", "no2", "co", "o3_8h"},
                  "1h": {"pm25", "pm10", "so2", "no2", "co", "o3"}}


def _dates_of(data: pd.DataFrame, averaging: str):
    if "date" in data.columns:
        return data["date"]
    if "time" in data.columns:
        t = pd.to_datetime(data["time"])
        # End-of-hour labels: hour "00:00" belongs to the previous day.
        return t - pd.Timedelta(hours=1) if averaging == "1h" else t
    if isinstance(data.index, pd.DatetimeIndex):
        return data.index
    return None


def _labels_for(bits_codes: list[str]) -> list[str]:
    k = len(bits_codes)
    labels = []
    for b in range(2**k):
        labels.append(",".join(bits_codes[j] for j in range(k) if b >> j & 1))
    return labels


def _aqi_block(data: pd.DataFrame, m, std: str, averaging: str, missing: str) -> dict:
    """AQI of the rows ``m`` (a mask, or None for all), which follow one standard."""
    spec = list(_INDICATORS[(std, averaging)])
    n = len(data) if m is None else int(m.sum())

    def col_values(col):
        v = data[col].to_numpy(dtype=float, na_value=np.nan)
        return v if m is None else v[m]

    if std == "hj633-2012" and averaging == "1h":
        for pm in ("pm25", "pm10"):
            if f"{pm}_24h" not in data.columns and pm in data.columns:
                warnings.warn(
                    f"HJ 633-2012 real-time IAQI uses the 24-h moving mean of {pm} "
                    f"('{pm}_24h'), which is absent; the 1-h {pm} is used with the 24-h "
                    "breakpoints instead (the HJ 633-2026 rule).",
                    UserWarning,
                    stacklevel=3,
                )
                spec = [(c, pm if col == f"{pm}_24h" else col, p, a) for c, col, p, a in spec]
    from ._kernels import reduce_block

    k = len(spec)
    mat = np.empty((k, n))
    present = np.zeros((k, n), bool)
    codes = []
    for j, (code, col, pol, avg) in enumerate(spec):
        codes.append(code)
        if col not in data.columns:
            mat[j] = np.nan
            continue
        c = col_values(col)
        if std == "us-epa-2024":
            mat[j] = _epa_iaqi(c, pol, avg, "geoair")
        else:
            _cn_iaqi(c, pol, avg, std, out=mat[j])
        if code == "so2" and avg == "1h" and "so2_24h" in data.columns:
            c24 = col_values("so2_24h")
            if std == "hj633-2012":
                # SO2 1-h > 800: SO2's IAQI is reported from the 24-h mean.
                hi = c > 800
                mat[j][hi] = _cn_iaqi(c24[hi], "so2", "24h", std)
            elif std == "us-epa-2024":
                hi = np.floor(c / EPA_UNIT_FACTORS["so2"] + _EPS) >= 305
                v24 = _epa_iaqi(c24, "so2", "24h", "geoair")
                mat[j] = np.where(hi, np.where(np.isnan(v24), 200.0, v24), mat[j])
        present[j] = np.isfinite(c)
    a = np.empty(n)
    bits = np.empty(n, np.int64)
    ex_bits = np.empty(n, np.int64)
    complete = np.empty(n, bool)
    reduce_block(mat, present, a, bits, ex_bits, complete)
    if std == "hj633-2026" and missing == "standard":
        req = [j for j, c in enumerate(codes) if c in _REQUIRED_2026[averaging]]
        withheld = ~present[req].all(axis=0) & (a <= 100)
        a[withheld] = np.nan
        bits[withheld] = 0
    return {"codes": codes, "iaqi": mat, "aqi": a, "bits": bits,
            "ex_bits": ex_bits if std == "hj633-2012" else None, "complete": complete}


def aqi(data: pd.DataFrame, averaging: str = "24h", standard: str | None = None, *,
        missing: str = "standard") -> pd.DataFrame:
    """Overall AQI, level, category, colour and primary pollutant(s) of each row.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide frame (µg/m³, CO mg/m³). ``averaging="24h"`` (daily report): ``pm25, pm10, so2,
        no2, co`` 24-h means, ``o3_8h`` daily max 8-h mean and (HJ 633-2012 only) ``o3`` daily
        max 1-h - the output of :func:`geoair.standards.daily`. ``averaging="1h"`` (real-time
        report): 1-h ``pm25, pm10, so2, no2, co, o3``; under HJ 633-2012 also ``o3_8h``
        (8-h moving mean), ``pm25_24h``/``pm10_24h`` (24-h moving means) and ``so2_24h``.
        For ``"us-epa-2024"`` (daily only) ``co`` is read as the 8-h mean and ``so2``/``no2``
        as (daily max) 1-h values; SO2 1-h >= 305 ppb needs ``so2_24h`` (else SO2 counts as
        missing). Missing columns count as missing indicators.
    averaging : {"24h", "1h"}
    standard : {"hj633-2012", "hj633-2026", "us-epa-2024"}, optional
        Default: per row by date (column ``date``, else ``time`` - 1 h, else a DatetimeIndex).
    missing : {"standard", "available"}
        ``"standard"``: HJ 633-2026 §5.3 - with an indicator missing, the AQI is published only
        when the others give AQI > 100 (else NaN). ``"available"``: AQI of what is there.

    Returns
    -------
    pandas.DataFrame
        Same index as ``data``: ``iaqi_<indicator>`` columns, ``aqi`` and ``level`` (Int64),
        ``category_zh``, ``category_en``, ``colour`` (hex), ``primary`` (comma-joined
        indicator codes, "" when AQI <= 50), ``category`` (in the language of
        ``geoair.set_options(lang=...)``), ``exceed`` (HJ 633-2012 IAQI > 100 indicators;
        NA under other standards), ``complete`` (all indicators present), ``standard``.

    References
    ----------
    HJ 633-2012 §4-6; HJ 633-2026 §4-5; US EPA TAD (May 2024).

    Examples
    --------
    >>> day = pd.DataFrame({"pm25": [80.0], "pm10": [100.0], "so2": [10.0], "no2": [40.0],
    ...                     "co": [1.0], "o3_8h": [100.0], "date": [pd.Timestamp("2019-01-10")]})
    >>> r = aqi(day)
    >>> int(r["aqi"].iloc[0]), r["category_en"].iloc[0], r["primary"].iloc[0]
    (107, 'Lightly polluted', 'pm25')
    """
    from .._dask import is_dask

    if is_dask(data):
        from ._dask_paths import aqi_dask

        return aqi_dask(data, averaging, standard, missing=missing)
    if not isinstance(data, pd.DataFrame):
        raise GeoairInputError("aqi() needs a wide DataFrame.", received=type(data).__name__,
                               fix="Pass e.g. geoair.standards.daily(obs) or an hourly frame.")
    check_option("averaging", averaging, ("24h", "1h"))
    check_option("missing", missing, ("standard", "available"))
    n = len(data)
    names, scodes = _standard_codes(standard, _dates_of(data, averaging)
                                    if standard is None else None, n)
    if "us-epa-2024" in names and averaging != "24h":
        raise GeoairInputError("The US EPA AQI is a daily index (NowCast is not implemented).",
                               received=averaging, fix="Use averaging='24h'.")
    blocks = []
    for k, std in enumerate(names):
        m = None if scodes is None else scodes == k
        blocks.append((std, m, _aqi_block(data, m, std, averaging, missing)))
    merged = _merge_blocks(blocks, n)
    res = _result_frame(merged, data.index, names, scodes)
    res.attrs["params"] = {"averaging": averaging, "standard": standard, "missing": missing,
                           "lang": res.attrs.pop("lang")}
    res.attrs["droplog"] = _unreported(res, missing)
    return attach_units(res, {"level": "1 (AQI level 1-6)"}, prefix_iaqi_="1")


def _unreported(res: pd.DataFrame, missing: str) -> DropLog:
    """The rows whose AQI is not reported (NaN) for missing indicators: this step's own log
    (no row is removed; the ``aqi`` cells are masked)."""
    log = DropLog()
    na = res["aqi"].isna().to_numpy()
    if na.any():
        rule = ("the standard's rule for missing indicators, e.g. HJ 633-2026 §5.3"
                if missing == "standard" else "no indicator present")
        log.add(f"AQI not reported: indicator(s) missing ({rule})", np.flatnonzero(na), column="aqi")
    return log


def _merge_blocks(blocks, n: int) -> dict:
    """One IAQI matrix and label codes from the blocks of rows under each standard.

    Primary/exceedance labels are categorical codes: every subset of indicators has its own
    label, so a block's bit mask indexes its label list; blocks map into one global list.
    """
    all_codes: list[str] = []
    for _std, _m, blk in blocks:
        all_codes += [c for c in blk["codes"] if c not in all_codes]
    gmat = blocks[0][2]["iaqi"] if len(blocks) == 1 else np.full((len(all_codes), n), np.nan)
    out = {"codes": all_codes, "iaqi": gmat, "aqi": np.full(n, np.nan), "labels": [""],
           "primary": np.zeros(n, np.int64), "exceed": np.full(n, -1, np.int64),
           "has_exceed": False, "complete": np.zeros(n, bool)}
    gindex = {"": 0}
    for _std, m, blk in blocks:
        labels = _labels_for(blk["codes"])
        for lab in labels:
            if lab not in gindex:
                gindex[lab] = len(out["labels"])
                out["labels"].append(lab)
        lut = np.array([gindex[lab] for lab in labels], np.int64)
        sel = slice(None) if m is None else m
        if len(blocks) > 1:
            for j, c in enumerate(blk["codes"]):
                gmat[all_codes.index(c), sel] = blk["iaqi"][j]
        out["aqi"][sel] = blk["aqi"]
        out["primary"][sel] = lut[blk["bits"]]
        out["complete"][sel] = blk["complete"]
        if blk["ex_bits"] is not None:
            out["has_exceed"] = True
            out["exceed"][sel] = lut[blk["ex_bits"]]
    return out


def _result_frame(merged: dict, index, names: list[str], scodes) -> pd.DataFrame:
    """The aqi() frame: IAQIs, AQI, level, categories, colour, primary, exceed, standard."""
    n = len(index)
    a = merged["aqi"]
    cats = EPA_CATEGORIES if names == ["us-epa-2024"] else CN_CATEGORIES
    lvl = np.searchsorted(np.array([50, 100, 150, 200, 300]), a, side="left")
    valid = np.isfinite(a)
    lvl_codes = np.where(valid, lvl, -1)
    # (indicators, rows) C-order is pandas' own block layout: the frame wraps it without a copy.
    res = pd.DataFrame(merged["iaqi"].T, index=index,
                       columns=[f"iaqi_{c}" for c in merged["codes"]], copy=False)
    res["aqi"] = pd.arrays.IntegerArray(np.where(valid, a, 0).astype(np.int64), ~valid)
    res["level"] = pd.arrays.IntegerArray((lvl + 1).astype(np.int64), ~valid)
    lang = get_options()["lang"]
    res["category"] = pd.Categorical.from_codes(lvl_codes, categories=list(cats[lang]))
    res["category_zh"] = pd.Categorical.from_codes(lvl_codes, categories=list(cats["zh"]))
    res["category_en"] = pd.Categorical.from_codes(lvl_codes, categories=list(cats["en"]))
    res["colour"] = pd.Categorical.from_codes(lvl_codes, categories=list(cats["colour"]))
    glabels = merged["labels"]
    res["primary"] = pd.Categorical.from_codes(merged["primary"], categories=glabels)
    res["exceed"] = pd.Categorical.from_codes(
        merged["exceed"] if merged["has_exceed"] else np.full(n, -1), categories=glabels)
    res["complete"] = merged["complete"]
    res["standard"] = pd.Categorical.from_codes(
        np.zeros(n, np.int8) if scodes is None else scodes, categories=names)
    res.attrs["lang"] = lang
    return res
