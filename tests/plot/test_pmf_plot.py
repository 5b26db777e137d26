"""PMF figures draw one panel per factor from a fitted model (synthetic data, known shape)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from geoair.apportion.pmf import PMF  # noqa: E402
from geoair.plot.pmf import plot_pmf_contributions, plot_pmf_profiles  # noqa: E402


def _model():
    rng = np.random.default_rng(0)
    H = np.array([[3.0, 1.0, 0.1, 4.0], [0.1, 2.0, 3.0, 5.0]])
    W = rng.lognormal(0, 0.5, (60, 2))
    V = W @ H
    idx = pd.date_range("2021-01-01", periods=60, freq="D")
    cols = ["SO4", "NO3", "EC", "PM2.5"]
    conc = pd.DataFrame(V, index=idx, columns=cols)
    return PMF(n_components=2, n_runs=1, max_iter=300, random_state=0).fit(conc, conc * 0.1 + 0.01)


def test_profile_and_contribution_figures():
    import matplotlib.pyplot as plt

    m = _model()
    fig = plot_pmf_profiles(m, names={"Factor 1": "sulfate"})
    bar_axes = [ax for ax in fig.axes if ax.get_yscale() == "log"]
    assert len(bar_axes) == 2
    assert bar_axes[0].get_ylabel() == "sulfate"
    assert [t.get_text() for t in bar_axes[-1].get_xticklabels()] == ["SO4", "NO3", "EC", "PM2.5"]
    fig2 = plot_pmf_contributions(m, total="PM2.5")
    assert len(fig2.axes) == 2
    y = fig2.axes[0].lines[0].get_ydata()
    np.testing.assert_allclose(y, m.factor_mass("PM2.5")["Factor 1"].to_numpy())
    plt.close("all")
