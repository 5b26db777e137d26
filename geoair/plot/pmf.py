"""PMF figures: factor profiles (EPA PMF 5.0 layout) and contribution time series.

matplotlib is imported inside the functions, so importing this module stays light.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._compat import import_optional

__all__ = ["plot_pmf_profiles", "plot_pmf_contributions"]


def _names(model, names):
    idx = list(model.profiles_.index)
    if names is None:
        return idx
    return [names.get(f, f) for f in idx]


def plot_pmf_profiles(model, *, names: dict | None = None, figsize=None):
    """Factor profiles as in EPA PMF 5.0: concentration bars (log axis) and % of species dots.

    Parameters
    ----------
    model : geoair.apportion.pmf.PMF
        Fitted model.
    names : dict, optional
        Factor -> display name (e.g. from ``model.identify()``).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per factor.

    References
    ----------
    Norris et al. (2014) EPA PMF 5.0 User Guide, EPA/600/R-14/108 (profile plot layout).
    """
    plt = import_optional("matplotlib.pyplot", "PMF plots")
    prof = model.profiles_
    pct = model.profiles_pct_
    p, m = prof.shape
    fig, axes = plt.subplots(p, 1, sharex=True, squeeze=False,
                             figsize=figsize or (max(6.0, 0.35 * m), 1.8 * p))
    x = np.arange(m)
    labels = _names(model, names)
    for k, ax in enumerate(axes[:, 0]):
        vals = prof.iloc[k].to_numpy(dtype=float)
        ax.bar(x, np.where(vals > 0, vals, np.nan), color="0.6", label="conc. (input unit)")
        ax.set_yscale("log")
        ax.set_ylabel(str(labels[k]), fontsize=8)
        ax2 = ax.twinx()
        ax2.plot(x, pct.iloc[k].to_numpy(dtype=float), "s", color="tab:red", ms=3,
                 label="% of species")
        ax2.set_ylim(0, 100)
        ax2.tick_params(labelsize=7)
    axes[-1, 0].set_xticks(x)
    axes[-1, 0].set_xticklabels([str(c) for c in prof.columns], rotation=90, fontsize=7)
    axes[0, 0].set_title("Factor profiles: bars = concentration (log), squares = % of species",
                         fontsize=9)
    fig.tight_layout()
    return fig


def plot_pmf_contributions(model, *, names: dict | None = None, total: str | None = None,
                           figsize=None):
    """Factor contributions over time, one panel per factor.

    With ``total`` the contributions are in that species' unit (e.g. µg/m³ of PM2.5, via
    ``model.factor_mass(total)``); otherwise normalised (mean 1).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = import_optional("matplotlib.pyplot", "PMF plots")
    G = model.factor_mass(total) if total is not None else model.contributions_
    p = G.shape[1]
    fig, axes = plt.subplots(p, 1, sharex=True, squeeze=False, figsize=figsize or (8, 1.5 * p))
    labels = _names(model, names)
    xs = G.index if isinstance(G.index, pd.DatetimeIndex) else np.arange(len(G))
    for k, ax in enumerate(axes[:, 0]):
        ax.plot(xs, G.iloc[:, k].to_numpy(dtype=float), lw=0.7, color="tab:blue")
        ax.set_ylabel(str(labels[k]), fontsize=8)
        ax.tick_params(labelsize=7)
    unit = f"contribution to {total}" if total else "normalised contribution (mean 1)"
    axes[0, 0].set_title(f"Factor contributions: {unit}", fontsize=9)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
