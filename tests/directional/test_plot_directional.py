"""Smoke-and-content tests for geoair.plot.directional (Agg backend): figures are built from the
compute results, carry units, and Chinese labels render with the mplfonts CJK font."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from geoair.directional import polar_annulus, polar_plot, time_variation, wind_rose  # noqa: E402
from geoair.plot.directional import plot_annulus, plot_polar, plot_rose, plot_time_variation  # noqa: E402


@pytest.fixture(scope="module")
def small(mydata):
    return mydata.iloc[:15000]


def _texts(fig):
    out = []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.texts]
    out += [t.get_text() for t in fig.texts]
    return " ".join(out)


def test_polar_and_annulus_figures(small, tmp_path):
    r = polar_plot(small, "pm10")
    fig = plot_polar(r, lang="en")
    assert "µg/m³" in _texts(fig)
    fig.savefig(tmp_path / "p.png")
    figzh = plot_polar(polar_plot(small, "pm10", statistic="cpf", percentile=90), lang="zh")
    txt = _texts(figzh)
    assert "北" in txt and "概率" in txt
    figzh.savefig(tmp_path / "pzh.png")
    a = plot_annulus(polar_annulus(small, "pm10"), lang="zh")
    a.savefig(tmp_path / "a.png")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_rose_and_time_variation_figures(small, tmp_path):
    fig = plot_rose(wind_rose(small), lang="zh")
    assert "静风" in _texts(fig)
    fig.savefig(tmp_path / "r.png")
    tv = time_variation(small, "pm10", B=10)
    fig = plot_time_variation(tv, lang="en")
    assert "µg/m³" in _texts(fig)
    fig.savefig(tmp_path / "t.png")
    assert (tmp_path / "t.png").stat().st_size > 10_000
    import matplotlib.pyplot as plt

    plt.close("all")
    assert np.isfinite(tv["mean"]).all()
