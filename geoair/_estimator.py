"""A scikit-learn compatible estimator base that does not import scikit-learn.

``sklearn.base`` pulls in ``scipy.stats`` and most of ``sklearn.utils`` (about 1.5-3 s on the
project machine), which dominated the start-up of a PMF fit. :class:`Estimator` implements the
part of the scikit-learn estimator API that geoair's estimators use - ``get_params``,
``set_params`` and the parameter ``repr`` - with scikit-learn's semantics, so
``sklearn.base.clone``, grid searches and pipelines treat it as an estimator (they duck-type
on ``get_params``/``set_params``).

References
----------
Buitinck, L. et al. (2013) API design for machine learning software: experiences from the
scikit-learn project. ECML PKDD workshop, arXiv:1309.0238 (the estimator conventions).
"""

from __future__ import annotations

import inspect

__all__ = ["Estimator"]


class Estimator:
    """Base class: parameters are the keyword arguments of ``__init__``, stored as is."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        params = inspect.signature(init).parameters.values()
        return sorted(p.name for p in params
                      if p.name != "self" and p.kind != p.VAR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict:
        """Parameters of this estimator (and of nested estimators when ``deep``).

        Parameters
        ----------
        deep : bool
            Also return ``<param>__<sub>`` entries of parameters that are estimators.

        Returns
        -------
        dict
        """
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params):
        """Set parameters (``name=value``, or ``name__sub=value`` for nested estimators).

        Returns
        -------
        self
        """
        valid = self.get_params(deep=True)
        nested: dict[str, dict] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for estimator "
                                 f"{type(self).__name__}; valid parameters: {sorted(valid)}")
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in
                    inspect.signature(type(self).__init__).parameters.values()}
        shown = []
        for name in self._get_param_names():
            value = getattr(self, name)
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = default is not inspect.Parameter.empty and bool(value == default)
            except (TypeError, ValueError):  # arrays and other non-scalar comparisons
                same = value is default
            if not same:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"
