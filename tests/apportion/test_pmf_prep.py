"""PMF data preparation, checked against the EPA PMF 5.0 formulas and the EPA example files.

Formulas: Norris et al. (2014) EPA/600/R-14/108 (equation-based uncertainty after Polissar et
al. 1998; S/N definition; weak = 3 x uncertainty), as summarised in
shared/research/pmf_algorithms.md section 3. Data facts: shared/data/pmf/*/SOURCE.md.
"""


import numpy as np
import pandas as pd
import pytest
from _shared_data import SHARED_DATA  # tests/_shared_data.py

from geoair import GeoairInputError
from geoair.apportion import pmf_prep as prep

DATA = SHARED_DATA / "pmf"  # ../shared/data/pmf beside the clone (skipped when absent)


def test_equation_uncertainty_matches_formula():
    conc = pd.DataFrame({"a": [0.005, 0.01, 0.53, 2.0, np.nan], "b": [1.0, 0.1, 0.2, 0.3, 0.4]})
    unc = prep.equation_uncertainty(conc, mdl={"a": 0.01, "b": 0.2}, error_fraction=0.15)
    # x <= MDL -> 5/6 MDL (both 0.005 and the boundary value 0.01)
    assert unc["a"].iloc[0] == pytest.approx(5 / 6 * 0.01)
    assert unc["a"].iloc[1] == pytest.approx(5 / 6 * 0.01)
    # x > MDL -> sqrt((EF x)^2 + (MDL/2)^2); 0.53 gives 0.0797 (research notes, section 3)
    assert unc["a"].iloc[2] == pytest.approx(np.sqrt((0.15 * 0.53) ** 2 + 0.005**2))
    assert unc["a"].iloc[2] == pytest.approx(0.0797, abs=5e-5)
    assert np.isnan(unc["a"].iloc[4])
    assert unc["b"].iloc[2] == pytest.approx(5 / 6 * 0.2)
    assert unc["b"].iloc[0] == pytest.approx(np.sqrt(0.15**2 + 0.1**2))
    assert conc["a"].iloc[0] == 0.005  # input untouched


def test_handle_missing_median_rule_and_below_mdl():
    conc = pd.DataFrame({"a": [1.0, np.nan, 3.0, 0.001], "b": [2.0, 4.0, 6.0, 8.0]})
    c, u = prep.handle_missing(conc, None, mdl={"a": 0.01, "b": 0.01})
    assert c["a"].iloc[1] == pytest.approx(1.0)  # median of 1, 3, 0.001
    assert u["a"].iloc[1] == pytest.approx(4.0)  # 4 x median
    assert c["a"].iloc[3] == pytest.approx(0.005)  # MDL/2
    assert u["a"].iloc[3] == pytest.approx(5 / 6 * 0.01)
    log = c.attrs["droplog"].summary()
    assert set(log["reason"]) == {
        "missing value replaced by species median, unc = 4 x median",
        "below MDL: conc = MDL/2, unc = 5/6 MDL",
    }
    assert np.isnan(conc["a"].iloc[1])  # input untouched
    c2, _ = prep.handle_missing(conc, None, method="exclude")
    assert len(c2) == 3 and c2.attrs["droplog"].total() == 1


def test_signal_to_noise_definition_by_hand():
    conc = pd.DataFrame({"a": [3.0, 1.0, 5.0], "b": [1.0, 1.0, 1.0]})
    unc = pd.DataFrame({"a": [1.0, 2.0, 1.0], "b": [1.0, 1.0, 1.0]})
    sn = prep.signal_to_noise(conc, unc)
    # a: (3-1)/1 = 2, 0 (x<s), (5-1)/1 = 4 -> mean 2; b: x == s -> 0
    assert sn["a"] == pytest.approx(2.0)
    assert sn["b"] == 0.0


def test_categories_weak_triples_and_bad_drops():
    conc = pd.DataFrame({"s": [10.0, 12.0], "w": [1.5, 1.8], "x": [0.1, 0.1], "tot": [20.0, 22.0]})
    unc = pd.DataFrame({"s": [1.0, 1.0], "w": [1.0, 1.0], "x": [1.0, 1.0], "tot": [1.0, 1.0]})
    cat = prep.categorize(conc, unc, total="tot")
    assert cat.to_dict() == {"s": "strong", "w": "weak", "x": "bad", "tot": "weak"}
    c, u = prep.apply_categories(conc, unc, cat)
    assert list(c.columns) == ["s", "w", "tot"]
    assert u["w"].tolist() == [3.0, 3.0] and u["s"].tolist() == [1.0, 1.0]
    assert c.attrs["droplog"].summary()["column"].tolist() == ["x"]
    with pytest.raises(GeoairInputError, match="unknown species category"):
        prep.categorize(conc, unc, overrides={"s": "medium"})


def test_extra_model_uncertainty():
    conc = pd.DataFrame({"a": [10.0]})
    unc = pd.DataFrame({"a": [1.0]})
    out = prep.add_model_uncertainty(conc, unc, 0.1)
    assert out["a"].iloc[0] == pytest.approx(np.sqrt(1 + 1.0))
    with pytest.raises(GeoairInputError, match="0, 0.25"):
        prep.add_model_uncertainty(conc, unc, 0.5)


@pytest.mark.shared_data("pmf/baltimore", "pmf/baton_rouge", "pmf/st_louis")
def test_read_epa_files_and_file_conventions():
    # Baltimore: 630 samples + 27 empty tab lines (SOURCE.md)
    c, u = prep.read_epa_pmf(DATA / "baltimore/Dataset-Baltimore_con.txt",
                             DATA / "baltimore/Dataset-Baltimore_unc.txt")
    assert c.shape == (630, 26) and u.shape == (630, 26)
    log = c.attrs["droplog"].summary()
    assert log["n"].tolist() == [27, 27]  # 27 empty lines in each of the two files
    assert isinstance(c.index, pd.DatetimeIndex) and c.index[0] == pd.Timestamp("2000-12-14")
    # Baton Rouge below-detection cells: conc 0.005 = MDL/2, unc = 5/6 x 0.01 (SOURCE.md: 1,065)
    c, u = prep.read_epa_pmf(DATA / "baton_rouge/Dataset-BatonRouge-con.csv",
                             DATA / "baton_rouge/Dataset-BatonRouge-unc.csv")
    below = np.isclose(c.to_numpy(), 0.005)
    assert below.sum() == 1065
    np.testing.assert_allclose(u.to_numpy()[below], 5 / 6 * 0.01, rtol=1e-3)
    # St. Louis: Mass uncertainty 12 x conc gives S/N = 0 (SOURCE.md)
    c, u = prep.read_epa_pmf(DATA / "st_louis/Dataset-StLouis-con.csv",
                             DATA / "st_louis/Dataset-StLouis-unc.csv")
    assert prep.signal_to_noise(c, u)["Mass"] == 0.0
    cat = prep.categorize(c, u, total="Mass")
    assert cat["Mass"] == "weak"


def test_prepare_equation_path_and_errors():
    rng = np.random.default_rng(0)
    conc = pd.DataFrame(rng.lognormal(0, 1, (50, 3)), columns=["a", "b", "c"])
    conc.iloc[3, 1] = np.nan
    c, u, cat = prep.prepare(conc, mdl=0.05, error_fraction=0.1, total="c")
    assert not c.isna().any().any() and not u.isna().any().any()
    assert u["b"].iloc[3] == pytest.approx(4 * conc["b"].median())
    # total weak -> tripled equation uncertainty
    x = conc["c"].iloc[0]
    assert u["c"].iloc[0] == pytest.approx(3 * np.sqrt((0.1 * x) ** 2 + 0.025**2))
    assert cat["c"] == "weak"
    with pytest.raises(GeoairInputError, match="no uncertainties"):
        prep.prepare(conc)
    with pytest.raises(GeoairInputError, match="non-numeric"):
        prep.prepare(conc.assign(d="x"), mdl=0.1, error_fraction=0.1)
