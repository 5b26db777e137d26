"""The light estimator base: scikit-learn's parameter API without importing scikit-learn."""

import subprocess
import sys

import pytest
from sklearn.base import clone

from geoair._estimator import Estimator


class _Inner(Estimator):
    def __init__(self, *, k=1):
        self.k = k


class _Outer(Estimator):
    def __init__(self, *, a=1, inner=None, seq=(1, 2)):
        self.a = a
        self.inner = inner
        self.seq = seq


def test_params_round_trip_and_clone_like_sklearn():
    est = _Outer(a=3, inner=_Inner(k=5))
    assert est.get_params(deep=False) == {"a": 3, "inner": est.inner, "seq": (1, 2)}
    assert est.get_params()["inner__k"] == 5
    assert est.set_params(a=4, inner__k=6) is est and est.a == 4 and est.inner.k == 6
    twin = clone(est)
    assert twin is not est and twin.inner is not est.inner
    assert twin.get_params(deep=False)["a"] == 4 and twin.inner.k == 6
    assert repr(_Outer(a=2)) == "_Outer(a=2)" and repr(_Inner()) == "_Inner()"
    with pytest.raises(ValueError, match="invalid parameter 'b'"):
        est.set_params(b=1)


def test_pmf_module_does_not_import_sklearn_or_scipy():
    code = ("import sys, geoair.apportion.pmf; "
            "print(','.join(m for m in ('sklearn', 'scipy', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
