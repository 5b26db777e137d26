"""geoair.plot.deweather: figures draw, in English and Chinese, from the compute results."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import geoair  # noqa: E402
from geoair.deweather import decompose  # noqa: E402
from geoair.plot.deweather import (  # noqa: E402
    plot_decomposition,
    plot_normalised,
    plot_partial_dependence,
)


def _texts(fig):
    out = []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_ylabel(), ax.get_xlabel()]
        leg = ax.get_legend()
        if leg is not None:
            out += [x.get_text() for x in leg.get_texts()]
    if fig._suptitle is not None:
        out.append(fig._suptitle.get_text())
    return " | ".join(out)


def test_plot_normalised_en_zh(step_result):
    fig = plot_normalised(step_result, lang="en")
    text = _texts(fig)
    assert "Weather-normalised" in text and "95% interval" in text and "1001A" in text
    line = fig.axes[0].get_lines()[1]
    assert len(line.get_xdata()) == 24  # monthly means of two years
    with geoair.set_options(lang="zh"):
        zh = _texts(plot_normalised(step_result, freq=None))
    assert "气象归一化值" in zh and "观测值" in zh


def test_plot_decomposition_and_partial_dependence(step_result):
    d = decompose(step_result)
    fig = plot_decomposition(d, lang="zh")
    assert "排放驱动" in _texts(fig) and "气象驱动" in _texts(fig)
    pdep = pd.DataFrame({"variable": ["ws"] * 3 + ["temp"] * 3, "value": [0, 1, 2, -5, 5, 15],
                         "partial": [3, 2, 1, 1, 2, 3], "lower": [2, 1, 0, 0, 1, 2],
                         "upper": [4, 3, 2, 2, 3, 4]})
    fig = plot_partial_dependence(pdep, pollutant="pm25", lang="zh")
    assert "风速（m/s）" in _texts(fig) and "气温（°C）" in _texts(fig)


def test_plot_errors(step_result):
    with pytest.raises(geoair.GeoairInputError, match="Nothing to plot"):
        plot_normalised(step_result, station="9999A")


def test_plot_decomposition_bars_are_the_numbers(step_result):
    d = decompose(step_result)
    ax = plot_decomposition(d, lang="en").axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert heights[0] == pytest.approx(d["observed_change_pct"].iloc[0])
    assert heights[1] == pytest.approx(d["emission_change_pct"].iloc[0])
    assert heights[2] == pytest.approx(d["met_change_pct"].iloc[0])
