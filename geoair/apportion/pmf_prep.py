"""Data preparation for PMF: uncertainties, missing values, signal-to-noise and categories.

Follows the conventions of EPA PMF 5.0 (Norris et al. 2014, EPA/600/R-14/108) as documented in
``research/pmf_algorithms.md`` section 3. ESAT (the open EPA toolkit) has none of the builders
here (no MDL/EF uncertainty, no missing-value rule, no automatic categories), so these are
checked against the formulas themselves and against the EPA example files' conventions.

References
----------
Polissar, A. V. et al. (1998) Atmospheric aerosol over Alaska 2. J. Geophys. Res. 103(D15),
19045-19057, doi:10.1029/98JD01212.
Norris, G., Duvall, R., Brown, S., Bai, S. (2014) EPA Positive Matrix Factorization (PMF) 5.0
Fundamentals and User Guide. EPA/600/R-14/108.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from .._attrs import as_attr
from .._validation import DropLog, GeoairInputError

__all__ = [
    "equation_uncertainty",
    "handle_missing",
    "signal_to_noise",
    "categorize",
    "apply_categories",
    "add_model_uncertainty",
    "prepare",
    "read_epa_pmf",
]


def _as_series(value, columns, name: str) -> pd.Series:
    """Per-species parameter as a Series aligned with ``columns`` (scalar broadcast)."""
    if np.isscalar(value):
        return pd.Series(float(value), index=columns)
    s = pd.Series(value, dtype=float)
    missing = [c for c in columns if c not in s.index]
    if missing:
        raise GeoairInputError(
            f"{name} has no value for some species",
            received=missing,
            fix=f"give {name} as a scalar or a mapping with every species column",
        )
    return s.reindex(columns)


def _check_frame(df: pd.DataFrame, name: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise GeoairInputError(
            f"{name} must be a pandas DataFrame (samples x species)",
            received=type(df).__name__,
            fix="pass a DataFrame with one row per sample and one column per species",
        )
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise GeoairInputError(
            f"{name} has non-numeric species columns",
            column=str(bad[0]),
            received=[str(df[c].dtype) for c in bad[:5]],
            fix="move dates/labels to the index (e.g. df.set_index('Date')) and keep numbers only",
        )


def equation_uncertainty(conc: pd.DataFrame, mdl, error_fraction) -> pd.DataFrame:
    """Equation-based uncertainty of EPA PMF 5.0 (after Polissar et al. 1998).

    ``Unc = 5/6 * MDL`` where ``x <= MDL``, else ``Unc = sqrt((EF * x)**2 + (0.5 * MDL)**2)``.

    Parameters
    ----------
    conc : DataFrame
        Concentrations, samples x species (any consistent unit, e.g. µg/m³).
    mdl : float or mapping species -> float
        Method detection limit, same unit as ``conc``.
    error_fraction : float or mapping species -> float
        Relative analytical error (e.g. 0.05-0.2).

    Returns
    -------
    DataFrame
        Uncertainties, same shape, index and unit as ``conc``; NaN where ``conc`` is NaN.
    """
    _check_frame(conc, "conc")
    mdl_s = _as_series(mdl, conc.columns, "mdl")
    ef_s = _as_series(error_fraction, conc.columns, "error_fraction")
    x = conc.to_numpy(dtype=float)
    m = mdl_s.to_numpy()[None, :]
    ef = ef_s.to_numpy()[None, :]
    with np.errstate(invalid="ignore"):
        unc = np.where(x <= m, 5.0 / 6.0 * m, np.sqrt((ef * x) ** 2 + (0.5 * m) ** 2))
    unc = np.where(np.isnan(x), np.nan, unc)
    return pd.DataFrame(unc, index=conc.index, columns=conc.columns)


def handle_missing(
    conc: pd.DataFrame,
    unc: pd.DataFrame | None = None,
    *,
    mdl=None,
    method: str = "median",
    below_mdl: str = "half",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace missing and below-MDL values the way EPA PMF 5.0 does.

    Missing cells get the species median with uncertainty ``4 x median`` (``method="median"``),
    or their samples are removed (``method="exclude"``, recorded in the DropLog). With ``mdl``,
    concentrations at or below the MDL become ``MDL/2`` with uncertainty ``5/6 MDL``
    (``below_mdl="half"``; ``"keep"`` leaves them).

    Parameters
    ----------
    conc, unc : DataFrame
        Concentrations and uncertainties (samples x species); ``unc`` may be None when it is
        built later with :func:`equation_uncertainty` (then only ``conc`` is filled and the
        returned ``unc`` holds the missing-value uncertainties, NaN elsewhere).
    mdl : float or mapping, optional
        Detection limits for the below-MDL rule.
    method : {"median", "exclude"}
    below_mdl : {"half", "keep"}

    Returns
    -------
    (conc, unc) : tuple of DataFrame
        New frames; ``conc.attrs["droplog"]`` lists excluded samples and replaced cells.
    """
    from .._validation import check_option

    check_option("method", method, ("median", "exclude"))
    check_option("below_mdl", below_mdl, ("half", "keep"))
    _check_frame(conc, "conc")
    c = conc.astype(float).copy()
    u = (
        pd.DataFrame(np.nan, index=c.index, columns=c.columns)
        if unc is None
        else unc.astype(float).reindex(index=c.index, columns=c.columns).copy()
    )
    log = DropLog()
    miss = c.isna() | (u.isna() if unc is not None else False)
    if method == "exclude":
        rows = np.flatnonzero(miss.any(axis=1).to_numpy())
        log.add("sample with a missing value (PMF exclude)", rows)
        keep = ~miss.any(axis=1)
        c, u = c.loc[keep], u.loc[keep]
    else:
        med = c.median(skipna=True)
        for col in c.columns:
            rows = np.flatnonzero(miss[col].to_numpy())
            if rows.size:
                log.add("missing value replaced by species median, unc = 4 x median", rows,
                        column=str(col))
                c.iloc[rows, c.columns.get_loc(col)] = med[col]
                u.iloc[rows, u.columns.get_loc(col)] = 4.0 * med[col]
    if mdl is not None and below_mdl == "half":
        m = _as_series(mdl, c.columns, "mdl")
        for col in c.columns:
            below = (c[col] <= m[col]).to_numpy()
            rows = np.flatnonzero(below)
            if rows.size:
                log.add("below MDL: conc = MDL/2, unc = 5/6 MDL", rows, column=str(col))
                c.iloc[rows, c.columns.get_loc(col)] = m[col] / 2.0
                u.iloc[rows, u.columns.get_loc(col)] = 5.0 / 6.0 * m[col]
    c.attrs["droplog"] = log
    return c, u


def signal_to_noise(conc: pd.DataFrame, unc: pd.DataFrame) -> pd.Series:
    """Signal-to-noise ratio per species as defined by EPA PMF 5.0.

    ``d_ij = (x_ij - s_ij)/s_ij`` if ``x_ij > s_ij`` else 0; ``S/N_j = mean_i d_ij``.
    Computed on the raw inputs (before weak tripling), as PMF 5.0 and ESAT do.

    Returns
    -------
    Series
        S/N per species (dimensionless).
    """
    _check_frame(conc, "conc")
    x = conc.to_numpy(dtype=float)
    s = unc.reindex(index=conc.index, columns=conc.columns).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(x > s, (x - s) / s, 0.0)
    return pd.Series(np.nanmean(d, axis=0), index=conc.columns, name="S/N")


def categorize(
    conc: pd.DataFrame,
    unc: pd.DataFrame,
    *,
    weak: float = 1.0,
    bad: float = 0.5,
    total: str | None = None,
    overrides: dict | None = None,
) -> pd.Series:
    """Strong/weak/bad category per species from S/N (EPA PMF 5.0 guidance).

    ``S/N < bad`` -> "bad", ``bad <= S/N < weak`` -> "weak", otherwise "strong". The total
    variable (e.g. PM2.5) is set "weak" so it does not drive the fit. ``overrides`` (species ->
    category) wins over everything.

    Returns
    -------
    Series
        Category per species, ``attrs["sn"]`` holds the S/N values.
    """
    sn = signal_to_noise(conc, unc)
    cat = pd.Series(
        np.where(sn < bad, "bad", np.where(sn < weak, "weak", "strong")),
        index=conc.columns,
        name="category",
    )
    if total is not None:
        if total not in cat.index:
            raise GeoairInputError(
                "total variable is not a species column", column=total,
                received=list(cat.index)[:10], fix="give the name of the total mass column",
            )
        cat[total] = "weak"
    for k, v in (overrides or {}).items():
        if v not in ("strong", "weak", "bad"):
            raise GeoairInputError(
                "unknown species category", column=str(k), received=v,
                fix="use one of 'strong', 'weak', 'bad'",
            )
        cat[k] = v
    cat.attrs["sn"] = as_attr(sn)
    return cat


def apply_categories(
    conc: pd.DataFrame, unc: pd.DataFrame, categories: pd.Series | dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Triple weak species' uncertainty and drop bad species (PMF 5.0 / ESAT ``set_category``).

    Returns new frames; ``unc.attrs["categories"]`` keeps the categories used.
    """
    cat = pd.Series(categories).reindex(conc.columns).fillna("strong")
    keep = [c for c in conc.columns if cat[c] != "bad"]
    u = unc.reindex(index=conc.index, columns=conc.columns).astype(float).copy()
    weak = [c for c in keep if cat[c] == "weak"]
    u[weak] = u[weak] * 3.0
    c_out = conc[keep].copy()
    u_out = u[keep]
    u_out.attrs["categories"] = as_attr(cat)
    log = DropLog()
    for c in conc.columns:
        if cat[c] == "bad":
            log.add("species categorised bad (excluded from PMF)", np.arange(len(conc)), column=str(c))
    c_out.attrs["droplog"] = log
    return c_out, u_out


def add_model_uncertainty(conc: pd.DataFrame, unc: pd.DataFrame, extra: float) -> pd.DataFrame:
    """Add PMF 5.0's "extra modelling uncertainty" (0-25 %) to every cell.

    Uses ``s' = sqrt(s**2 + (extra * x)**2)``, the common reading of the option; the exact
    formula inside ME-2 is not public (see research notes, section 3).
    """
    if not 0.0 <= extra <= 0.25:
        raise GeoairInputError(
            "extra modelling uncertainty must be a fraction in [0, 0.25]",
            received=extra, fix="e.g. extra=0.1 for 10 %",
        )
    x = conc.to_numpy(dtype=float)
    s = unc.reindex(index=conc.index, columns=conc.columns).to_numpy(dtype=float)
    return pd.DataFrame(np.sqrt(s**2 + (extra * x) ** 2), index=conc.index, columns=conc.columns)


def prepare(
    conc: pd.DataFrame,
    unc: pd.DataFrame | None = None,
    *,
    mdl=None,
    error_fraction=None,
    missing: str = "median",
    total: str | None = None,
    categories: dict | pd.Series | None = None,
    auto_categories: bool = True,
    extra_uncertainty: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """One-call PMF input preparation in EPA PMF 5.0 order.

    1. Missing values (median / 4 x median, or exclude) and below-MDL values (MDL/2).
    2. Uncertainty: given ``unc`` or equation-based from ``mdl`` and ``error_fraction``.
    3. S/N on the raw inputs and categories (automatic unless ``auto_categories=False``;
       ``total`` weak; ``categories`` override).
    4. Extra modelling uncertainty, then weak x3 and bad dropped.

    Returns
    -------
    conc, unc, categories
        Model-ready frames (bad species removed) and the category of every input species
        (``categories.attrs["sn"]`` holds S/N). ``conc.attrs["droplog"]`` lists every change.
    """
    _check_frame(conc, "conc")
    if unc is None and (mdl is None or error_fraction is None):
        raise GeoairInputError(
            "no uncertainties given", fix="pass unc=..., or mdl=... and error_fraction=...",
        )
    log = DropLog()
    if unc is None:
        c, u_missing = handle_missing(conc, None, mdl=mdl, method=missing)
        log.extend(c.attrs.get("droplog"))
        u = equation_uncertainty(c, mdl, error_fraction)
        # cells replaced by the missing/below-MDL rules keep their own uncertainty
        u = u_missing.combine_first(u)
    else:
        _check_frame(unc, "unc")
        if unc.shape != conc.shape or not unc.columns.equals(conc.columns):
            raise GeoairInputError(
                "conc and unc must have the same species columns and number of samples",
                received={"conc": conc.shape, "unc": unc.shape},
                fix="read both files with the same layout (see read_epa_pmf)",
            )
        unc = unc.set_axis(conc.index, axis=0)
        c, u = handle_missing(conc, unc, mdl=mdl, method=missing,
                              below_mdl="half" if mdl is not None else "keep")
        log.extend(c.attrs.get("droplog"))
    if auto_categories:
        cat = categorize(c, u, total=total, overrides=dict(categories or {}))
    else:
        sn = signal_to_noise(c, u)
        cat = pd.Series("strong", index=c.columns, name="category")
        if total is not None:
            cat[total] = "weak"
        for k, v in dict(categories or {}).items():
            cat[k] = v
        cat.attrs["sn"] = as_attr(sn)
    if extra_uncertainty:
        u = add_model_uncertainty(c, u, extra_uncertainty)
    c2, u2 = apply_categories(c, u, cat)
    log.extend(c2.attrs.get("droplog"))
    c2.attrs["droplog"] = log
    return c2, u2, cat


def read_epa_pmf(
    conc_path: str | PathLike, unc_path: str | PathLike, *, index_col: str = "Date"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read an EPA PMF 5.0 / ESAT concentration + uncertainty file pair (.csv or tab .txt).

    Empty trailing lines (Baltimore's file has 27) are dropped and logged; the date column
    becomes a DatetimeIndex when it parses.

    Returns
    -------
    conc, unc : DataFrame
        Samples x species, float; ``conc.attrs["droplog"]`` lists removed empty rows.
    """
    frames = []
    log = DropLog()
    for path in (conc_path, unc_path):
        sep = "\t" if str(path).endswith(".txt") else ","
        df = pd.read_csv(path, sep=sep)
        if index_col not in df.columns:
            raise GeoairInputError(
                "date column not found", file=path, column=index_col,
                received=list(df.columns)[:5], fix="pass index_col=<name of the date column>",
            )
        empty = df.drop(columns=index_col).isna().all(axis=1) & df[index_col].isna()
        if empty.any():
            log.add("empty line", np.flatnonzero(empty.to_numpy()) + 1, file=path)
        df = df.loc[~empty]
        try:
            idx = pd.to_datetime(df[index_col], format="mixed")
        except (ValueError, TypeError):
            idx = df[index_col]
        df = df.drop(columns=index_col).set_axis(pd.Index(idx, name="time"), axis=0)
        frames.append(df.astype(float))
    conc, unc = frames
    if conc.shape != unc.shape or not conc.index.equals(unc.index):
        raise GeoairInputError(
            "concentration and uncertainty files do not have the same samples/species",
            file=unc_path, received={"conc": conc.shape, "unc": unc.shape},
            fix="both files need the same dates in the same order and the same columns",
        )
    conc.attrs["droplog"] = log
    return conc, unc
