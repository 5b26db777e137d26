"""Tests for geoair.directional.polar (openair 2.17 polarPlot).

Where the expected values come from:
- edf / GCV / scale of the fitted GAMs and the CPF thresholds and row counts: openair 2.17 run
  on ``openair::mydata`` (tibble input, so wd = 0 stays in the first bin), as recorded in
  ../shared/research/openair_algorithms.md sections 1.3 and 1.4.
- bin counts, bin means, CPF/CBPF bin values, NWR node values and the NA mask: independent
  straightforward re-computations (loops / pandas) of the formulas in that document.
- the smoother: synthetic truth and the defining property of the GCV optimum.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geoair.directional import polar_plot
from geoair.directional._tprs import fit_tprs
from geoair.directional.polar import _assign, exclude_too_far, nwr_nodes

# openair 2.17 + mgcv 1.8-41 on openair::mydata (openair_algorithms.md 1.4)
OPENAIR_FITS = {
    ("pm10", "mean", None): {"edf": 66.2399, "gcv": 0.1163996, "scale": 0.1053375},
    ("so2", "mean", None): {"edf": 68.8458, "gcv": 0.0398091},
    ("pm10", "cpf", 90): {"edf": 49.0543, "gcv": 0.0093469},
}


@pytest.fixture(scope="module")
def surfaces(mydata):
    out = {}
    for (pol, stat, pc) in OPENAIR_FITS:
        out[(pol, stat, pc)] = polar_plot(mydata, pol, statistic=stat, percentile=pc,
                                          wd0_as_north=False)
    return out


@pytest.mark.parametrize("key", list(OPENAIR_FITS))
def test_gam_fit_matches_openair_edf_and_gcv(surfaces, key):
    fit = surfaces[key].attrs["fit"]["all data"]
    ref = OPENAIR_FITS[key]
    assert fit["n_fit"] == 697  # openair: 697 non-NA nodes for pm10 mean (notes 1.4)
    assert fit["edf"] == pytest.approx(ref["edf"], abs=1e-4)
    assert fit["gcv"] == pytest.approx(ref["gcv"], abs=1e-7)
    if "scale" in ref:
        assert fit["scale"] == pytest.approx(ref["scale"], abs=1e-7)


def test_cpf_thresholds_and_rows_match_openair(mydata):
    # openair polarPlot_cpf_thresholds.csv: pm10 P75 44, P90 56 over 62,576 rows;
    # so2 P75 6.5, P90 9.25 over 54,307 rows
    r = polar_plot(mydata, "pm10", statistic="cpf", percentile=[75, 90])
    assert r.attrs["thresholds"] == [44.0, 56.0]
    assert r.attrs["params"]["n_rows"] == 62576
    s = polar_plot(mydata, "so2", statistic="cpf", percentile=[75, 90])
    assert s.attrs["thresholds"] == pytest.approx([6.5, 9.25], abs=1e-12)
    assert s.attrs["params"]["n_rows"] == 54307
    # CBPF bin values: share of a bin's hours with 44 < pm10 <= 56, recomputed with pandas
    tab = r.attrs["binned"]
    ref = _reference_bins(mydata, "pm10", wd0_as_north=True)
    hit = ((ref["z"] > 44) & (ref["z"] <= 56)).groupby([ref["j"], ref["i"]]).mean()
    got = tab.set_index([tab["wd"] / 10 - 1, np.tile(np.arange(30), 36)])["value"].dropna()
    got.index = got.index.set_names(["j", "i"])
    assert len(got) == len(hit)
    np.testing.assert_allclose(got.sort_index().to_numpy(), hit.sort_index().to_numpy(), atol=1e-14)
    # z is a probability: clamped at 1, never negative (force.positive squares)
    assert np.nanmax(r["z"]) <= 1 and np.nanmin(r["z"]) >= 0


def _reference_bins(d, pol, *, wd0_as_north):
    """Bin assignment written out row by row from the rules in openair_algorithms.md 1.2."""
    sub = d[["ws", "wd", pol]].dropna()
    max_ws = sub["ws"].max()
    breaks = [0.0] + [0.0 + k * (max_ws / 30) for k in range(1, 30)] + [max_ws]
    rows = []
    for ws, wd, z in sub.itertuples(index=False):
        if wd0_as_north and wd == 0:
            wd = 360.0
        r = 10 * math.ceil(wd / 10 - 0.5)
        j = max(1, r // 10)
        i = next(b for b in range(1, 31) if ws <= breaks[b]) if ws > 0 else 1
        rows.append((j - 1, i - 1, z))
    return pd.DataFrame(rows, columns=["j", "i", "z"])


@pytest.mark.parametrize("wd0_as_north", [True, False])
def test_binned_counts_and_means_match_rules(mydata, surfaces, wd0_as_north):
    res = polar_plot(mydata, "pm10", statistic="mean", wd0_as_north=wd0_as_north) if wd0_as_north \
        else surfaces[("pm10", "mean", None)]
    tab = res.attrs["binned"]
    ref = _reference_bins(mydata, "pm10", wd0_as_north=wd0_as_north)
    g = ref.groupby(["j", "i"])["z"]
    n = np.zeros(36 * 30, dtype=int)
    m = np.full(36 * 30, np.nan)
    idx = g.size().index
    flat = np.array([j * 30 + i for j, i in idx])
    n[flat] = g.size().to_numpy()
    m[flat] = g.mean().to_numpy()
    np.testing.assert_array_equal(tab["n"].to_numpy(), n)
    np.testing.assert_allclose(tab["value"].to_numpy(), m, rtol=1e-13)
    assert tab["n"].sum() == 62576
    assert (tab["n"] > 0).sum() == 697
    # node placement quirk: speed bin i drawn at (i - 1) * max / 29
    assert tab["ws"].iloc[29] == pytest.approx(20.16) and tab["ws"].iloc[1] == pytest.approx(20.16 / 29)


def test_wd_rounding_half_down():
    # openair 1.2: 5 -> 0 (bin 1), 15 -> 10, 355 -> 350, 356 -> 360, 0 -> bin 1
    wd = np.array([5.0, 15.0, 355.0, 356.0, 0.0, 10.0, 360.0, 4.9])
    _, j = _assign(np.ones(wd.size), wd, 10.0, 30, 10)
    np.testing.assert_array_equal(j + 1, [1, 1, 35, 36, 1, 1, 36, 1])


def test_nwr_node_values_equal_direct_kernel_sum(mydata):
    sub = mydata[["ws", "wd", "pm10"]].dropna()
    ws, wd, z = (sub[c].to_numpy(float) for c in ("ws", "wd", "pm10"))
    nodes_ws = np.array([0.0, 20.16 / 39 * 7, 20.16 / 39 * 20])
    nodes_wd = np.array([10.0, 200.0, 360.0])
    got = nwr_nodes(ws, wd, z, nodes_ws, nodes_wd)
    for a, b, g in zip(nodes_ws, nodes_wd, got, strict=True):
        dth = np.mod(wd - b + 180, 360) - 180  # R's %% is non-negative, as numpy's mod
        k = np.exp(-0.5 * (dth / 5) ** 2) * np.exp(-0.5 * ((ws - a) / 1.5) ** 2)
        assert g == pytest.approx(np.sum(z * k) / np.sum(k), rel=1e-12)
    # continuous directions take the row-wise path (too many distinct pairs to tabulate)
    rng = np.random.default_rng(0)
    wd2 = np.mod(wd + rng.uniform(-3, 3, wd.size), 360)
    got2 = nwr_nodes(ws, wd2, z, nodes_ws, nodes_wd)
    for a, b, g in zip(nodes_ws, nodes_wd, got2, strict=True):
        dth = np.mod(wd2 - b + 180, 360) - 180
        k = np.exp(-0.5 * (dth / 5) ** 2) * np.exp(-0.5 * ((ws - a) / 1.5) ** 2)
        assert g == pytest.approx(np.sum(z * k) / np.sum(k), rel=1e-12)


def test_nwr_surface(mydata):
    r = polar_plot(mydata, "pm10", statistic="nwr")
    fit = r.attrs["fit"]["all data"]
    assert fit["k"] == 200 and fit["n_fit"] == 1440  # every 40 x 36 node is fitted
    assert r.attrs["params"]["ws_bins"] == 40
    assert len(r) == 201 * 201
    tab = r.attrs["binned"]
    assert tab["value"].notna().all()


def test_mask_is_distance_rule(surfaces):
    res = surfaces[("pm10", "mean", None)]
    tab = res.attrs["binned"]
    occ = tab[tab["n"] > 0]
    g = res[["u", "v"]].to_numpy()
    upper = 20.16
    # brute force: NA where no occupied node lies within 0.1 * upper (unit-square dist 0.05)
    sample = np.arange(0, len(g), 37)
    d = np.sqrt(((g[sample, None, :] - occ[["u", "v"]].to_numpy()[None]) ** 2).sum(-1)).min(1)
    expect_na = d / (2 * upper) > 0.05
    np.testing.assert_array_equal(res["z"].isna().to_numpy()[sample], expect_na)
    assert exclude_too_far(np.array([0.0, 1.0]), np.array([0.0, 1.0]), [0.0], [0.0]).tolist() == [False, True]


def test_grid_layout(surfaces):
    res = surfaces[("so2", "mean", None)]
    assert list(res.columns) == ["u", "v", "z"] and len(res) == 40401
    g = np.linspace(-20.16, 20.16, 201)
    np.testing.assert_allclose(res["u"].to_numpy()[:201], g, atol=1e-12)  # u fastest
    np.testing.assert_allclose(res["v"].to_numpy()[::201], g, atol=1e-12)
    assert np.nanmin(res["z"]) >= 0


def test_by_season_and_weekday(mydata):
    small = mydata.iloc[:20000]
    r = polar_plot(small, "pm10", by="season")
    assert list(r.columns) == ["season", "u", "v", "z"]
    assert r["season"].nunique() == 4 and len(r) == 4 * 40401
    tab = r.attrs["binned"]
    months = small["date"].dt.month
    summer = small[months.isin([6, 7, 8])][["ws", "wd", "pm10"]].dropna()
    assert tab.loc[tab["season"] == "summer (JJA)", "n"].sum() == len(summer)


def test_tprs_recovers_smooth_truth():
    rng = np.random.default_rng(1)
    u = rng.uniform(-1, 1, 400)
    v = rng.uniform(-1, 1, 400)
    truth = np.sin(2 * u) + np.cos(3 * v) * u
    y = truth + rng.normal(0, 0.05, u.size)
    fit = fit_tprs(u, v, y, k=60)
    pred = fit.predict(u, v)
    # noise sd 0.05: a GCV-chosen smooth must track the truth well inside the noise
    assert np.sqrt(np.mean((pred - truth) ** 2)) < 0.03
    assert 3 < fit.edf < 60


def test_empty_and_bad_input(mydata):
    e = polar_plot(mydata.iloc[:0], "pm10")
    assert e.empty and list(e.columns) == ["u", "v", "z"]
    with pytest.raises(ValueError, match="Valid options"):
        polar_plot(mydata, "pm10", statistic="average")
    r = polar_plot(mydata.iloc[:3000], "pm10")
    assert r.attrs["droplog"].total() > 0  # rows with missing ws/wd/pm10 are logged


def test_min_bin_adds_miss_and_masks(mydata):
    small = mydata.iloc[:20000]
    r = polar_plot(small, "so2", min_bin=3)
    assert "miss" in r.columns
    tab = r.attrs["binned"]
    occ = tab[tab["n"] >= 3]
    far = exclude_too_far(r["u"].to_numpy(), r["v"].to_numpy(), occ["u"], occ["v"])
    np.testing.assert_array_equal(r["z"].isna().to_numpy(), far)
    assert r["miss"].notna().sum() >= r["z"].notna().sum()


def test_several_pollutants_and_normalise(mydata):
    small = mydata.iloc[:20000]
    r = polar_plot(small, ["pm10", "so2"], normalise=True)
    assert list(r.columns) == ["pollutant", "u", "v", "z"] and len(r) == 2 * 40401
    for _, g in r.groupby("pollutant"):
        assert g["z"].mean() == pytest.approx(1.0)


def test_daylight_condition():
    from geoair.directional._prep import condition

    t = pd.date_range("2001-01-01", "2001-12-31 23:00", freq="h", tz="UTC")
    c = condition(pd.DataFrame({"date": t}), "daylight", latitude=51.5, longitude=-0.1)
    share = (c == "daylight").mean()
    # London: about 4,480 h of daylight (sunrise to sunset, refraction included) per year
    assert 0.49 < share < 0.53
    with pytest.raises(ValueError, match="latitude"):
        condition(pd.DataFrame({"date": t}), "daylight")
    noon_summer = c[(t.month == 6) & (t.hour == 12)]
    midnight_winter = c[(t.month == 12) & (t.hour == 0)]
    assert (noon_summer == "daylight").all() and (midnight_winter == "nighttime").all()


def test_cpf_threshold_is_taken_before_the_by_split(mydata):
    small = mydata.iloc[:20000]
    r = polar_plot(small, "pm10", statistic="cpf", percentile=90, by="season")
    allz = small[["ws", "wd", "pm10"]].dropna()["pm10"]
    assert r.attrs["thresholds"] == [float(np.quantile(allz, 0.9))]
    assert r["season"].nunique() == 4


def test_upper_clips_output_not_data(mydata):
    small = mydata.iloc[:20000]
    full = polar_plot(small, "pm10")
    r = polar_plot(small, "pm10", upper=10)
    assert r.attrs["params"]["upper_used"] == 10
    # the binned table is unchanged by upper (openair: bins span 0..max ws)
    np.testing.assert_array_equal(r.attrs["binned"]["n"], full.attrs["binned"]["n"])
    assert r.loc[np.hypot(r.u, r.v) > 10 + 1e-9, "z"].isna().all()
    assert r["u"].max() == pytest.approx(10)
