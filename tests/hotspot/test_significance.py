"""Permutation inference: pseudo p (Hope 1968), BH FDR, conditional randomisation (esda's scheme)."""

import numpy as np
import pytest
from scipy import sparse

from geoair.hotspot import conditional_randomization, fdr_bh, pseudo_p


def test_pseudo_p_alternatives():
    obs = np.array([5.0])
    sim = np.arange(10.0)[None, :]  # 0..9: 5 draws >= 5, 6 draws <= 5
    assert pseudo_p(obs, sim, "greater")[0] == pytest.approx(6 / 11)
    assert pseudo_p(obs, sim, "lesser")[0] == pytest.approx(7 / 11)
    assert pseudo_p(obs, sim, "directed")[0] == pytest.approx(6 / 11)
    assert pseudo_p(obs, sim, "two-sided")[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="Valid options"):
        pseudo_p(obs, sim, "both")


def test_fdr_bh_known_values():
    # Benjamini & Hochberg step-up by hand: sorted p * m / rank = .04, .06, .0533, .2;
    # cumulative minimum from the largest rank down gives .04, .0533, .0533, .2
    p = np.array([0.01, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(fdr_bh(p), [0.04, 0.16 / 3, 0.16 / 3, 0.20])


def _ring(n=12):
    """Each site has its two ring neighbours (binary) and self-weight 1, as Gi*."""
    rows = np.repeat(np.arange(n), 3)
    cols = np.concatenate([[(i - 1) % n, i, (i + 1) % n] for i in range(n)])
    return sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))


def test_conditional_randomization_holds_self_and_draws_others_without_replacement():
    y = 10.0 ** np.arange(12)  # every sum of two distinct others identifies the pair drawn
    lags = conditional_randomization(y, _ring(), 500, random_state=1)
    assert lags.shape == (12, 500)
    for i in (0, 5, 11):
        rest = lags[i] - y[i]  # the self value is always there, with weight 1
        digits = np.array([[int(c) for c in f"{int(r):012d}"[::-1]] for r in rest])
        assert (digits.sum(axis=1) == 2).all()  # two neighbours per draw ...
        assert (digits.max(axis=1) == 1).all()  # ... without replacement
        assert (digits[:, i] == 0).all()  # never the site itself
        # every other site is drawn about 2/11 of the time
        freq = digits.mean(axis=0)[np.arange(12) != i]
        assert np.all(np.abs(freq - 2 / 11) < 4 * np.sqrt(2 / 11 * 9 / 11 / 500))


def test_conditional_randomization_mean_is_the_exact_conditional_expectation():
    """E[lag_i] = w_ii y_i + k_i * mean(y without i) under conditional randomisation."""
    rng = np.random.default_rng(0)
    y = rng.gamma(2.0, 20.0, size=40)
    w = _ring(40)
    r = 4000
    lags = conditional_randomization(y, w, r, random_state=2)
    expected = y + 2 * (y.sum() - y) / 39
    se = lags.std(axis=1) / np.sqrt(r)
    assert np.max(np.abs(lags.mean(axis=1) - expected) / se) < 4.5
    # reproducible with a seed, different with another
    np.testing.assert_array_equal(lags, conditional_randomization(y, w, r, random_state=2))
    assert not np.array_equal(lags, conditional_randomization(y, w, r, random_state=3))


def test_conditional_randomization_islands_and_no_permutations():
    w = sparse.csr_matrix(np.diag([1.0, 1.0, 0.0]))  # no neighbours at all
    y = np.array([1.0, 2.0, 3.0])
    lags = conditional_randomization(y, w, 5, random_state=0)
    np.testing.assert_array_equal(lags, np.array([[1.0] * 5, [2.0] * 5, [0.0] * 5]))
    assert conditional_randomization(y, _ring(3), 0).shape == (3, 0)
