"""Positive Matrix Factorization (PMF) for speciated PM and VOC data, compatible with EPA ESAT.

``X = G F + E`` with non-negative profiles ``F`` (factors x species) and contributions ``G``
(samples x factors), minimising the uncertainty-weighted sum of squares

    Q(true)   = sum_ij (e_ij / u_ij)**2
    Q(robust) = same, with |e/u| > alpha (4) down-weighted to 4 |e/u| (PMF 5.0 robust mode).

Solvers: weighted LS-NMF (Wang et al. 2006) and WS-NMF (semi-NMF, Ding et al. 2010), with
ESAT's initialisation, update order, seeds and stopping rule (research notes, section 2), so a
run with ``robust=False`` reproduces ESAT's models; ``robust=True`` additionally re-weights
outliers every iteration as EPA PMF 5.0 does (ESAT accepts but ignores its robust flag).

PMF on the six criteria pollutants only (PM2.5, PM10, SO2, NO2, CO, O3) is weakly identified:
six co-emitted, partly secondary species cannot separate sources. geoair allows it but warns
(:class:`PMFWeakIdentificationWarning`); never present it as the primary source attribution.

Workflow::

    from geoair.apportion.pmf import PMF
    from geoair.apportion.pmf_prep import prepare, read_epa_pmf
    conc, unc = read_epa_pmf("site_con.csv", "site_unc.csv")
    conc, unc, cats = prepare(conc, unc, total="PM2.5")        # S/N, weak x3, bad dropped
    m = PMF(n_components=6, random_state=42).fit(conc, unc)    # 20 runs, robust
    names = m.identify()                                       # factor -> source, confidence
    bs = m.bootstrap(n_boot=100, random_state=0)               # BS intervals + mapping
    ts = m.contributions_timeseries(station="S1", total="PM2.5")  # for polar_plot / CPF / PSCF

Parity with EPA PMF 5.0 and ESAT 2025.0.1:

================================  =========  =========  ======================================
feature                           PMF 5.0    ESAT       geoair
================================  =========  =========  ======================================
Q(true) / Q(robust) / Q(exp)      yes        no Qexp    yes
robust mode (minimise Q(robust))  yes        ignored    yes (majorize-minimize re-weighting)
MDL/EF uncertainty, missing rule  yes        no         ``pmf_prep``
S/N categories, weak x3, bad      yes        manual     automatic + overrides
extra modelling uncertainty       yes        no         ``add_model_uncertainty``
BS (block, factor mapping)        yes        yes        yes (contribution correlation r>=0.6)
DISP                              yes        variant    yes (finite re-fit, see docstring)
BS-DISP, Fpeak, constraints       yes        partly     no
factor naming from a library      no         no         ``identify``
================================  =========  =========  ======================================

References
----------
Paatero, P., Tapper, U. (1994) Positive matrix factorization. Environmetrics 5, 111-126,
doi:10.1002/env.3170050203.
Norris, G. et al. (2014) EPA Positive Matrix Factorization (PMF) 5.0 Fundamentals and User
Guide, EPA/600/R-14/108.
Paatero, P. et al. (2014) Methods for estimating uncertainty in factor analytic solutions.
Atmos. Meas. Tech. 7, 781-797, doi:10.5194/amt-7-781-2014.
Smith, D. et al. (2024) ESAT. JOSS 9(103), 7316, doi:10.21105/joss.07316.
"""

from __future__ import annotations

import os
import re
import warnings
from importlib import resources

import numpy as np
import pandas as pd

from .._attrs import as_attr
from .._estimator import Estimator
from .._validation import DropLog, GeoairInputError, check_option
from ..schema import UNITS, attach_units

__all__ = [
    "PMF",
    "PMFWeakIdentificationWarning",
    "load_profile_library",
    "identify_factors",
    "contributions_timeseries",
]

_CRITERIA = {"pm25", "pm10", "so2", "no2", "co", "o3"}


class PMFWeakIdentificationWarning(UserWarning):
    """PMF was run on criteria pollutants only: factors are weakly identified."""


def _norm_name(name) -> str:
    return re.sub(r"[^a-z0-9+\-]", "", str(name).lower().replace(".", ""))


def _attach_pmf_units(model, conc) -> None:
    """``attrs["units"]`` on the fitted frames; species in the input's units (its
    ``attrs["units"]`` when given, else the data model's)."""
    given = conc.attrs.get("units")
    given = given if isinstance(given, dict) else {}
    species = {str(c): given.get(str(c)) or UNITS.get(str(c)) or "units of the input concentrations"
               for c in conc.columns}
    attach_units(model.contributions_, dict.fromkeys(map(str, model.contributions_.columns),
                                                     "1 (normalised contribution, mean 1)"))
    attach_units(model.profiles_, species)
    attach_units(model.profiles_pct_, dict.fromkeys(species, "% (of the species total)"))
    attach_units(model.residuals_, dict.fromkeys(species, "1 (scaled residual)"))
    attach_units(model.runs_, {"q_true": "1", "q_robust": "1", "n_iter": "count"})
    attach_units(model.species_stats_, {
        "q_true": "1", "q_robust": "1", "q_qexp": "1 (ratio)", "r2": "1", "slope": "1",
        "intercept": "species units (row)", "obs_mean": "species units (row)",
        "pred_mean": "species units (row)", "n_abs_resid_gt3": "count"})


def _check_inputs(conc, unc):
    for nm, df in (("conc", conc), ("unc", unc)):
        if not isinstance(df, pd.DataFrame):
            raise GeoairInputError(
                f"{nm} must be a pandas DataFrame (samples x species)",
                received=type(df).__name__, fix="pass DataFrames, e.g. from read_epa_pmf()",
            )
    if conc.shape != unc.shape or list(conc.columns) != list(unc.columns):
        raise GeoairInputError(
            "conc and unc must have the same shape and species columns",
            received={"conc": conc.shape, "unc": unc.shape},
            fix="prepare both with geoair.apportion.pmf_prep.prepare()",
        )
    V = conc.to_numpy(dtype=float)
    U = unc.to_numpy(dtype=float)
    for nm, X in (("conc", V), ("unc", U)):
        bad = ~np.isfinite(X)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise GeoairInputError(
                f"{nm} has missing or infinite values ({int(bad.sum())} cells)",
                column=str(conc.columns[j]), row=int(i),
                fix="fill them with pmf_prep.handle_missing() (PMF 5.0 median rule) first",
            )
    if (U < 0).any():
        j = int(np.argwhere(U < 0)[0][1])
        raise GeoairInputError("unc has negative values", column=str(conc.columns[j]),
                               fix="uncertainties are standard deviations (>= 0)")
    return V, U


def _esat_init(V, p, seed, method):
    """ESAT's ``column_mean`` start (float32 draws, same generator order) as float64."""
    rng = np.random.default_rng(seed)
    V32 = V.astype(np.float32)
    H = np.sqrt(V32.mean(axis=0) / p) * rng.standard_normal(size=(p, V.shape[1])).astype(
        np.float32
    )
    W = np.sqrt(V32.mean(axis=1) / p)[:, None] * rng.standard_normal(
        size=(V.shape[0], p)
    ).astype(np.float32)
    W = W.astype(np.float64)
    H = H.astype(np.float64)
    if method == "ls-nmf":
        W[W <= 0.0] = 1e-12
    H[H <= 0.0] = 1e-12
    return W, H


def _batch_seeds(random_state, n):
    """Per-run seeds exactly as ESAT's BatchSA draws them (``integers(0, 1e5)`` in turn)."""
    if isinstance(random_state, (list, tuple, np.ndarray)):
        return [int(v) for v in random_state]
    if isinstance(random_state, np.random.Generator):
        rng = random_state
    else:
        rng = np.random.default_rng(random_state)
    return [int(rng.integers(low=0, high=1e5)) for _ in range(n)]


def _resolve_n_jobs(n_jobs, n_tasks: int) -> int:
    if n_jobs is None:
        from ..options import get_options

        n_jobs = get_options()["n_jobs"]
    if n_jobs == -1:  # the cores this process may use (taskset, cgroup cpusets), not the machine's
        usable = getattr(os, "sched_getaffinity", None)
        n_jobs = len(usable(0)) if usable is not None else (os.cpu_count() or 1)
    if not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise GeoairInputError("n_jobs must be a positive int, -1 (all cores) or None",
                               received=n_jobs, fix="e.g. n_jobs=2")
    return int(max(1, min(n_jobs, n_tasks)))


# a line-searched step may shrink an element to no less than this fraction of its value
_THETA = 0.1


def fit_runs(V, We, W0, H0, *, method="ls-nmf", robust=True, alpha=4.0, max_iter=20000,
             tol=5e-6, tol_abs=0.0, tol_window=50, fixed=None, n_jobs=None, trace=True,
             line_search=True, processes=None):
    """Fit ``R`` models from the start matrices ``W0`` (R x n x p) and ``H0`` (R x p x m).

    The low-level driver of :class:`PMF` (arguments as there; ``V`` concentrations, ``We`` the
    weights 1/u**2, n x m). Runs are independent, so they are spread over ``n_jobs`` workers;
    the results do not depend on ``n_jobs``. LS-NMF with ``line_search`` (the default) runs
    the numpy solver batched over the runs (:mod:`geoair.apportion._pmf_batch`, float32, no
    compilation), one batch per worker: forked processes on Linux (``processes=None``, the
    default; :mod:`geoair.apportion._pmf_fork`), threads elsewhere or with
    ``processes=False``. Plain MU steps (``line_search=False``, ESAT's updates) and WS-NMF
    run the float64 numba kernels (:mod:`geoair.apportion._pmf_kernels`, compiled once per
    machine) in threads.

    Returns
    -------
    W, H : ndarray
        Fitted matrices (float64), R x n x p and R x p x m.
    n_iter : ndarray of int
    converged : ndarray of bool
    traces : ndarray
        R x max_iter objective per iteration (NaN after a run stopped); R x 0 if not ``trace``.
    """
    from tqdm import tqdm

    from ..options import get_options

    R, p, m = H0.shape
    V = np.ascontiguousarray(V, dtype=np.float64)
    We = np.ascontiguousarray(We, dtype=np.float64)
    Ws = np.array(W0, dtype=np.float64, order="C")
    Hs = np.array(H0, dtype=np.float64, order="C")
    mask = np.zeros((p, m), dtype=np.bool_) if fixed is None else np.asarray(fixed, np.bool_)
    traces = np.full((R, int(max_iter) if trace else 0), np.nan)
    opts = dict(robust=bool(robust), alpha=float(alpha), max_iter=int(max_iter),
                rtol=float(tol), atol=float(tol_abs), window=int(tol_window), fixed=mask)
    jobs = _resolve_n_jobs(n_jobs, R)
    bar = tqdm(total=R, desc="PMF runs", disable=R < 2 or not get_options()["progress"])
    with bar:
        if method == "ls-nmf" and line_search:
            iters, conv = _fit_batched(V, We, Ws, Hs, traces, opts, jobs, bar.update,
                                       processes)
        else:
            iters, conv = _fit_compiled(V, We, Ws, Hs, traces, opts, jobs, bar.update,
                                        method)
    return Ws, Hs, iters, conv, traces


def _map(fn, tasks, jobs):
    """``fn`` over ``tasks``, in ``jobs`` threads when more than one."""
    if jobs <= 1:
        return [fn(t) for t in tasks]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(fn, tasks))


def _fit_batched(V, We, Ws, Hs, traces, opts, jobs, update, processes=None):
    """The numpy solver: the runs dealt into ``jobs`` batches. Fills ``Ws``, ``Hs``, ``traces``.

    With ``jobs > 1`` the batches run in forked processes where ``fork`` is available
    (Linux; ``processes=None`` or True), else in threads (``processes=False``; numpy
    releases the GIL in its larger calls only, so threads scale 1.5-1.7 x on two cores).
    The results do not depend on ``jobs`` or on processes vs threads.
    """
    from ._pmf_batch import ls_fit_batch
    from ._pmf_fork import fork_available, run_forked, shared_copy

    R = Ws.shape[0]
    parts = np.array_split(np.arange(R), jobs)
    fork = jobs > 1 and (processes is None or processes) and fork_available()
    if processes and not fork and jobs > 1:
        raise GeoairInputError("worker processes need os.fork (Linux)", received=processes,
                               fix="processes=None (threads where fork is not available)")
    out = [Ws, Hs, traces, np.full(R, -1, np.int64), np.zeros(R, bool)]
    if fork:
        out = [shared_copy(a) for a in out]
    W_, H_, tr_, iters, conv = out

    def one(idx, on_done=update):
        W, H, tr = W_[idx], H_[idx], tr_[idx]
        it, ok = ls_fit_batch(V, We, W, H, theta=_THETA, traces=tr, on_done=on_done, **opts)
        W_[idx], H_[idx], tr_[idx], iters[idx], conv[idx] = W, H, tr, it, ok

    if fork:
        run_forked(one, parts, update)
        Ws[...], Hs[...], traces[...] = W_, H_, tr_
        if (iters < 0).any():
            raise RuntimeError("a PMF worker process ended without its results")
        return iters.copy(), conv.copy()
    _map(one, parts, jobs)
    return iters, conv


def _fit_compiled(V, We, Ws, Hs, traces, opts, jobs, update, method):
    """The numba kernels, one run per call (they release the GIL), ``jobs`` threads."""
    from . import _pmf_kernels as K

    kernel, extra = (K.ws_fit, ()) if method != "ls-nmf" else (K.ls_fit, ())
    args = [opts[k] for k in ("robust", "alpha", "max_iter", "rtol", "atol", "window", "fixed")]

    def one(r):
        _, it, ok = kernel(V, We, Ws[r], Hs[r], *args, traces[r], *extra)
        update()
        return it, ok

    out = _map(one, range(Ws.shape[0]), jobs)
    iters = np.array([it for it, _ in out], dtype=np.int64)
    conv = np.array([ok for _, ok in out], dtype=bool)
    return iters, conv


def _q_values(V, We, Ws, Hs, alpha):
    """Q(true) and Q(robust) of each run (float64, research notes section 1)."""
    qt = np.empty(len(Ws))
    qr = np.empty(len(Ws))
    for r in range(len(Ws)):
        R2 = (V - Ws[r] @ Hs[r]) ** 2 * We
        Ra = np.sqrt(R2)
        qt[r] = R2.sum()
        qr[r] = np.where(Ra > alpha, alpha * Ra, R2).sum()
    return qt, qr


class PMF(Estimator):
    """Positive Matrix Factorization with per-cell uncertainties (EPA PMF 5.0 / ESAT).

    Parameters
    ----------
    n_components : int
        Number of factors p.
    method : {"ls-nmf", "ws-nmf"}
        Solver. LS-NMF keeps contributions non-negative; WS-NMF (semi-NMF) allows negative
        contributions and is used automatically when the data hold negative values (with a
        warning, unlike ESAT's silent switch).
    robust : bool
        Minimise Q(robust) (PMF 5.0 default) instead of Q(true) (ESAT).
    n_runs : int
        Random starts; the run with the lowest Q(robust) is kept (as ESAT ``best_robust``).
    max_iter : int
        Iteration limit per run.
    tol, tol_abs, tol_window : float, float, int
        Stop a run when the objective fell by less than ``tol * Q + tol_abs`` over the last
        ``tol_window`` iterations: ``Q(t - tol_window + 1) - Q(t) < tol Q(t) + tol_abs``
        (ESAT's window test, research notes section 2, made relative). ESAT's absolute
        ``converge_delta=0.01`` acts on its float32 Q, so it fires when Q stops moving in
        float32 (relative steps of about float32's epsilon, 6e-8). The default ``tol=5e-6``
        over 50 iterations (1e-7 per iteration) states that explicitly: on the three EPA
        examples float64 runs then stop within -18 % to +5 % of ESAT's iteration counts with
        the same or lower Q (``benchmarks/compare_esat.py``). ``tol=0, tol_abs=0.01`` is
        ESAT's own rule, which float64 runs satisfy only after about twice as many iterations.
    alpha : float
        Robust threshold on the absolute scaled residual (4 in PMF 5.0 and ESAT).
    random_state : int, Generator, sequence of int or None
        Batch seed; per-run seeds are drawn as ESAT does, so ``random_state=42`` starts from
        the same matrices as ESAT's ``BatchSA(seed=42)``. A sequence gives the per-run seeds
        directly (``n_runs`` is then its length), e.g. to repeat one ESAT model.
    n_jobs : int or None
        Workers running the random starts in parallel: forked processes on Linux for the
        default solver (one batch of runs each), threads elsewhere and for the numba
        kernels (:func:`fit_runs`). The default -1 uses all cores this process may run on,
        as ESAT's ``BatchSA(parallel=True)`` does; None means the ``n_jobs`` option of
        :func:`geoair.set_options` (default 1). Results do not depend on it.
    line_search : bool
        LS-NMF only. Stretch every multiplicative step of H (per species) and of W (per
        sample) to the minimum of the weighted least-squares objective along it (exact, a
        quadratic; steps never shorter than ESAT's, elements never cut below 10 % of their
        value in one step). Each step is still a majorize-minimize step, so Q (Q(robust) in
        robust mode) never rises; runs stop after about half the iterations of plain
        multiplicative updates. This path is a numpy solver batched over the runs, float32
        storage as ESAT's with Q summed in float64, and compiles nothing. ``False`` runs
        ESAT's plain updates in float64 numba kernels (compiled once per machine; use it to
        reproduce an ESAT model step by step); the random starts then end in different
        local minima, so single runs differ while the batch's best Q is comparable
        (``benchmarks/compare_esat.py``).

    Attributes
    ----------
    profiles_ : DataFrame
        Factor profiles F (factors x species), concentration units, with contributions scaled to
        mean 1 (PMF 5.0 convention).
    contributions_ : DataFrame
        Contributions G (samples x factors, mean 1), indexed like ``conc`` (time index kept).
    profiles_pct_ : DataFrame
        Percentage of each species apportioned to each factor ("% of species").
    q_true_, q_robust_, q_expected_ : float
        Objective values of the best run; Q(expected) = n m - p (n + m) with m the modelled
        species.
    species_stats_ : DataFrame
        Per species: Q(true), Q(robust), Q/Qexp, r2/slope/intercept of predicted on observed,
        mean observed and predicted.
    runs_ : DataFrame
        Every run: seed, Q(true), Q(robust), iterations, converged.
    q_history_ : ndarray
        The objective (Q(robust) if ``robust`` else Q(true)) after each iteration of the kept
        run, as ESAT's ``q_list``.
    best_run_ : int
        0-based index of the kept run.
    residuals_ : DataFrame
        Scaled residuals e/u of the best run.

    References
    ----------
    Paatero & Tapper (1994); Norris et al. (2014) EPA/600/R-14/108; ESAT (Smith et al. 2024).

    Examples
    --------
    >>> from geoair.apportion.pmf import PMF
    >>> m = PMF(n_components=4, n_runs=5, random_state=0).fit(conc, unc)  # doctest: +SKIP
    >>> m.profiles_.round(3)  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        n_components: int,
        method: str = "ls-nmf",
        robust: bool = True,
        n_runs: int = 20,
        max_iter: int = 20000,
        tol: float = 5e-6,
        tol_abs: float = 0.0,
        tol_window: int = 50,
        alpha: float = 4.0,
        random_state=None,
        n_jobs: int | None = -1,
        line_search: bool = True,
    ):
        self.n_components = n_components
        self.method = method
        self.robust = robust
        self.n_runs = n_runs
        self.max_iter = max_iter
        self.tol = tol
        self.tol_abs = tol_abs
        self.tol_window = tol_window
        self.alpha = alpha
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.line_search = line_search

    # ------------------------------------------------------------------ fitting
    def _validate_params(self, V):
        check_option("method", self.method, ("ls-nmf", "ws-nmf"))
        p = int(self.n_components)
        if p < 1 or p > min(V.shape):
            raise GeoairInputError(
                "n_components must be between 1 and min(samples, species)",
                received=self.n_components, fix=f"use 1..{min(V.shape)}",
            )
        if int(self.n_runs) < 1 or int(self.max_iter) < 1 or int(self.tol_window) < 1:
            raise GeoairInputError("n_runs, max_iter and tol_window must be >= 1",
                                   received=(self.n_runs, self.max_iter, self.tol_window))
        return p

    def _method(self, V):
        if self.method == "ls-nmf" and (V < 0).any():
            warnings.warn(
                "conc has negative values; LS-NMF needs non-negative data, using WS-NMF",
                UserWarning, stacklevel=3,
            )
            return "ws-nmf"
        return self.method

    def fit(self, conc: pd.DataFrame, unc: pd.DataFrame, H_init=None):
        """Fit the model from ``n_runs`` random starts and keep the best (lowest Q(robust)).

        Parameters
        ----------
        conc, unc : DataFrame
            Concentrations and uncertainties (samples x species, same unit), model-ready
            (see :func:`geoair.apportion.pmf_prep.prepare`).
        H_init : array (p x m), optional
            Start every run from these profiles (bootstrap and DISP use the base run's).

        Returns
        -------
        self
        """
        V, U = _check_inputs(conc, unc)
        p = self._validate_params(V)
        species = [_norm_name(c) for c in conc.columns]
        if set(species) <= _CRITERIA:
            warnings.warn(
                "PMF on criteria pollutants only (PM2.5, PM10, SO2, NO2, CO, O3) is weakly "
                "identified: factors mix sources and secondary formation. Use it as a "
                "supplement, never as the primary source attribution.",
                PMFWeakIdentificationWarning, stacklevel=2,
            )
        method = self._method(V)
        # ESAT guard: tiny uncertainties would give infinite weights
        We = 1.0 / np.maximum(U, 1e-12) ** 2
        seeds = _batch_seeds(self.random_state, int(self.n_runs))
        if not seeds:
            raise GeoairInputError("random_state gives no run seeds", received=self.random_state,
                                   fix="pass an int or a non-empty list of ints")
        W0 = np.empty((len(seeds), V.shape[0], p))
        H0 = np.empty((len(seeds), p, V.shape[1]))
        for r, s in enumerate(seeds):
            W0[r], H0[r] = _esat_init(V, p, s, method)
            if H_init is not None:
                H0[r] = np.maximum(np.asarray(H_init, dtype=float), 1e-12)
        Ws, Hs, iters, conv, traces = fit_runs(
            V, We, W0, H0, method=method, robust=bool(self.robust), alpha=float(self.alpha),
            max_iter=int(self.max_iter), tol=float(self.tol), tol_abs=float(self.tol_abs),
            tol_window=int(self.tol_window), n_jobs=self.n_jobs,
            line_search=bool(self.line_search),
        )
        qt, qr = _q_values(V, We, Ws, Hs, float(self.alpha))
        best = int(np.argmin(qr))
        self.runs_ = pd.DataFrame(
            {"seed": seeds, "q_true": qt, "q_robust": qr, "n_iter": iters, "converged": conv}
        )
        self.best_run_ = best
        self.method_ = method
        self.q_history_ = traces[best, : iters[best]].copy()
        self._store(conc, unc, V, We, Ws[best], Hs[best])
        self.droplog_ = DropLog()  # no sample dropped: missing or bad cells raise
        _attach_pmf_units(self, conc)
        return self

    def _store(self, conc, unc, V, We, W, H):
        p = H.shape[0]
        n, m = V.shape
        names = [f"Factor {k + 1}" for k in range(p)]
        # PMF 5.0 convention: mean contribution 1, profiles in concentration units
        scale = W.mean(axis=0)
        scale = np.where(np.abs(scale) > 0, scale, 1.0)
        Wn, Hn = W / scale, H * scale[:, None]
        self.W_ = W
        self.H_ = H
        self.contributions_ = pd.DataFrame(Wn, index=conc.index, columns=names)
        self.profiles_ = pd.DataFrame(Hn, index=names, columns=conc.columns)
        tot = Hn.sum(axis=0)
        self.profiles_pct_ = self.profiles_ / np.where(tot > 0, tot, 1.0) * 100.0
        WH = W @ H
        E = V - WH
        R = E * np.sqrt(We)
        a = float(self.alpha)
        cell_r = np.where(np.abs(R) > a, a * np.abs(R), R**2)
        self.q_true_ = float((R**2).sum())
        self.q_robust_ = float(cell_r.sum())
        self.q_expected_ = float(n * m - p * (n + m))
        self.residuals_ = pd.DataFrame(R, index=conc.index, columns=conc.columns)
        self.n_features_in_ = m
        self.feature_names_in_ = np.asarray(conc.columns, dtype=object)
        self._fit_data = (conc, unc)
        rows = []
        qexp_j = self.q_expected_ / m
        for j, sp in enumerate(conc.columns):
            obs, pred = V[:, j], WH[:, j]
            if np.ptp(obs) > 0 and np.ptp(pred) > 0:
                slope, icpt = np.polyfit(obs, pred, 1)
                r2 = float(np.corrcoef(obs, pred)[0, 1] ** 2)
            else:
                slope = icpt = r2 = np.nan
            qt = float((R[:, j] ** 2).sum())
            rows.append({
                "species": sp, "q_true": qt, "q_robust": float(cell_r[:, j].sum()),
                "q_qexp": qt / qexp_j if qexp_j > 0 else np.nan,
                "r2": r2, "slope": slope, "intercept": icpt,
                "obs_mean": float(obs.mean()), "pred_mean": float(pred.mean()),
                "n_abs_resid_gt3": int((np.abs(R[:, j]) > 3).sum()),
            })
        self.species_stats_ = pd.DataFrame(rows).set_index("species")

    # ------------------------------------------------------------- post-fit API
    def _check_fitted(self):
        if not hasattr(self, "profiles_"):
            raise GeoairInputError("this PMF model is not fitted yet", fix="call fit(conc, unc) first")

    def predict(self) -> pd.DataFrame:
        """Modelled concentrations G F of the fitted samples."""
        self._check_fitted()
        return self.contributions_ @ self.profiles_

    def factor_mass(self, total: str | None = None) -> pd.DataFrame:
        """Contribution of each factor to a species (e.g. the total variable), per sample.

        ``G_ik F_kj`` for species ``total`` (default: the first column whose name looks like a
        total: PM2.5, Mass, TNMOC, PM10), in the species' unit.
        """
        self._check_fitted()
        if total is None:
            total = next((c for c in self.profiles_.columns
                          if _norm_name(c) in {"pm25", "mass", "tnmoc", "pm10", "pm", "totalmass"}),
                         None)
            if total is None:
                raise GeoairInputError("no total variable found", received=list(self.profiles_.columns)[:8],
                                       fix="pass total=<species column>")
        return self.contributions_ * self.profiles_[total].to_numpy()[None, :]

    def identify(self, library: pd.DataFrame | None = None) -> pd.DataFrame:
        """Name the factors from a source-profile library (see :func:`identify_factors`)."""
        self._check_fitted()
        return identify_factors(self.profiles_, library)

    def bootstrap(self, *, n_boot: int = 100, block_size: int | None = None,
                  threshold: float = 0.6, random_state=None) -> pd.DataFrame:
        """Block bootstrap (BS) error estimate of the profiles (PMF 5.0 style).

        Non-overlapping blocks of ``block_size`` consecutive samples (default ``ceil(n**(1/3))``,
        the usual block-length rate of Kuensch 1989) are drawn with replacement; each resample
        is fitted once from the base-run profiles and a random W; each BS factor is mapped to the
        base factor whose contributions (on the same resampled samples) correlate best, if
        Pearson r >= ``threshold`` (Hungarian assignment; PMF 5.0 uses r >= 0.6).

        Returns
        -------
        DataFrame
            Tidy: factor, species, base, p05, p25, median, p75, p95 (profile values, the
            base-run units) and ``n_mapped``; ``attrs["mapping"]`` counts, per base factor,
            the BS runs in which a factor mapped to it and those in which none did (PMF 5.0's
            BS mapping summary).

        References
        ----------
        Paatero et al. (2014) AMT 7, 781-797, doi:10.5194/amt-7-781-2014.
        """
        from scipy.optimize import linear_sum_assignment

        self._check_fitted()
        conc, unc = self._fit_data
        n = len(conc)
        b = int(block_size or int(np.ceil(n ** (1 / 3))))
        rng = np.random.default_rng(random_state)
        p = self.H_.shape[0]
        names = list(self.profiles_.index)
        base_W = self.W_ / self.W_.mean(axis=0)
        samples = []
        mapping = np.zeros((p, 2), dtype=int)
        n_blocks = int(np.ceil(n / b))
        for _ in range(int(n_boot)):
            starts = rng.integers(0, n_blocks, size=n_blocks) * b
            idx = np.concatenate([np.arange(s, min(s + b, n)) for s in starts])[:n]
            sub = PMF(n_components=p, method=self.method_, robust=self.robust, n_runs=1,
                      max_iter=self.max_iter, tol=self.tol, tol_abs=self.tol_abs,
                      tol_window=self.tol_window, n_jobs=1, line_search=self.line_search,
                      alpha=self.alpha, random_state=int(rng.integers(0, 2**31)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PMFWeakIdentificationWarning)
                sub.fit(conc.iloc[idx].reset_index(drop=True), unc.iloc[idx].reset_index(drop=True),
                        H_init=self.H_)
            Gb = sub.contributions_.to_numpy()
            Gref = base_W[idx]
            r = np.array([[np.corrcoef(Gref[:, a], Gb[:, c])[0, 1] if np.ptp(Gb[:, c]) > 0 else 0
                           for c in range(p)] for a in range(p)])
            r = np.nan_to_num(r)
            ri, ci = linear_sum_assignment(-r)
            prof = np.full((p, self.H_.shape[1]), np.nan)
            for a, c in zip(ri, ci, strict=True):
                if r[a, c] >= threshold:
                    prof[a] = sub.profiles_.to_numpy()[c]
                    mapping[a, 0] += 1
                else:
                    mapping[a, 1] += 1
            samples.append(prof)
        S = np.stack(samples)
        rows = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            q = np.nanpercentile(S, [5, 25, 50, 75, 95], axis=0)
        for k, f in enumerate(names):
            for j, sp in enumerate(self.profiles_.columns):
                rows.append({"factor": f, "species": sp, "base": self.profiles_.iat[k, j],
                             "p05": q[0, k, j], "p25": q[1, k, j], "median": q[2, k, j],
                             "p75": q[3, k, j], "p95": q[4, k, j],
                             "n_mapped": int(np.isfinite(S[:, k, j]).sum())})
        out = pd.DataFrame(rows)
        out.attrs["mapping"] = as_attr(pd.DataFrame(mapping, index=names, columns=["mapped", "unmapped"]))
        out.attrs["params"] = {"n_boot": n_boot, "block_size": b, "threshold": threshold}
        return out

    def displacement(self, *, dq_max=(4.0,), species=None, max_steps: int = 12,
                     refit_iter: int = 200) -> pd.DataFrame:
        """DISP summary: how far each profile value can move before Q rises by ``dq_max``.

        For each element F_kj the value is held fixed at a displaced level while all other
        values are re-fitted (warm start, ``refit_iter`` iterations); the displacement reaching
        ``dQ = dq_max`` is searched by doubling then bisection (``max_steps``), as in PMF 5.0's
        DISP (Paatero et al. 2014). Because a factor's scale is free (F_k x c, G_k / c), every
        accepted model is reported in PMF 5.0 units (contributions scaled to mean 1), and the
        interval is the range of F_kj over the accepted models. The finite re-fit makes the
        intervals approximate (too narrow where the re-fit falls short). ``swap`` tells whether
        any accepted model's displaced factor became most similar to another base factor.

        Returns
        -------
        DataFrame
            factor, species, dq_max, base, low, high, swap.
        """
        self._check_fitted()
        conc, unc = self._fit_data
        V, U = _check_inputs(conc, unc)
        We = 1.0 / np.maximum(U, 1e-12) ** 2
        W0, H0 = self.W_, self.H_
        refit = _disp_refit(V, We, W0, H0, self.method_, bool(self.robust), float(self.alpha),
                            int(refit_iter), bool(self.line_search))
        q0 = self.q_robust_ if self.robust else self.q_true_
        scale = W0.mean(axis=0)
        cols = list(conc.columns)
        sel = range(len(cols)) if species is None else [cols.index(s) for s in species]
        rows = []
        for k in range(H0.shape[0]):
            for j in sel:
                base = H0[k, j]
                qb, _, vb = refit(k, j, base)
                # the converged base may still improve slightly under re-fit: dQ from the lower
                qref = min(q0, qb)
                hi0 = max(2.0 * base, 1e-2 * H0[:, j].max())
                for dq in dq_max:
                    seen = _disp_search(refit, k, j, base, hi0, qref, dq, [(vb, False)],
                                        int(max_steps))
                    vals = np.array([v for v, _ in seen])
                    rows.append({"factor": self.profiles_.index[k], "species": cols[j],
                                 "dq_max": dq, "base": base * scale[k],
                                 "low": float(min(vals.min(), base * scale[k])),
                                 "high": float(max(vals.max(), base * scale[k])),
                                 "swap": bool(any(sw for _, sw in seen))})
        return pd.DataFrame(rows)

    def contributions_timeseries(self, *, station: str = "pmf", names: dict | None = None,
                                 total: str | None = None, tz: str | None = None) -> pd.DataFrame:
        """Contributions as a ``station, time, <factor>...`` wide frame (see module function)."""
        self._check_fitted()
        return contributions_timeseries(self, station=station, names=names, total=total, tz=tz)


def _disp_refit(V, We, W0, H0, method, robust, alpha, refit_iter, line_search=True):
    """``refit(k, j, val) -> (Q, swap, value)``: re-fit everything with F_kj held at ``val``.

    A warm start from the base run, ``refit_iter`` iterations; ``value`` is F_kj in PMF 5.0
    units (contributions scaled to mean 1) and ``swap`` whether the displaced factor became
    most similar (cosine) to another base factor.
    """
    p, m = H0.shape
    Hn0 = H0 / np.linalg.norm(H0, axis=1, keepdims=True)

    def refit(k, j, val):
        H = H0.copy()
        H[k, j] = val
        mask = np.zeros((p, m), dtype=np.bool_)
        mask[k, j] = True
        Ws, Hs, *_ = fit_runs(V, We, W0[None], H[None], method=method, robust=robust,
                              alpha=alpha, max_iter=refit_iter, tol=0.0, tol_abs=-np.inf,
                              tol_window=1, fixed=mask, n_jobs=1, trace=False,
                              line_search=line_search)
        qt, qr = _q_values(V, We, Ws, Hs, alpha)
        W, H = Ws[0], Hs[0]
        hn = H / np.linalg.norm(H, axis=1, keepdims=True)
        swap = int(np.argmax(hn[k] @ Hn0.T)) != k
        return (qr[0] if robust else qt[0]), swap, float(H[k, j] * W[:, k].mean())

    return refit


def _disp_search(refit, k, j, base, hi0, qref, dq, seen, max_steps):
    """Accepted (value, swap) pairs of the DISP search for F_kj, appended to ``seen``.

    Upward: double from ``hi0`` until dQ exceeds ``dq``, then bisect; downward: zero if
    allowed, else bisect between the base value and 0 (``max_steps`` each).
    """

    def probe(val):
        q, sw, v = refit(k, j, val)
        if q - qref <= dq:
            seen.append((v, sw))
            return True
        return False

    def bisect(a, c):
        for _ in range(max_steps):
            mid = 0.5 * (a + c)
            a, c = (mid, c) if probe(mid) else (a, mid)

    lo_v, hi_v = base, hi0
    for _ in range(max_steps):
        if not probe(hi_v):
            break
        lo_v, hi_v = hi_v, 2.0 * hi_v
    bisect(lo_v, hi_v)
    if not probe(0.0):
        bisect(base, 0.0)
    return seen


# ---------------------------------------------------------------- factor naming
def load_profile_library(path=None) -> pd.DataFrame:
    """The source-profile library used to name factors (``pmf_profiles.csv``).

    Columns: ``source`` (profile id), ``category`` (geoair source category: coal, dust,
    vehicle, burning, fireworks, industry, regional, other...), ``species`` (canonical name,
    e.g. "so4", "ec", "si"), ``fraction`` (indicative mass fraction of the species in the source
    emission or factor), ``tracer`` (1 for marker species) and ``reference``. Users extend it
    by concatenating rows of the same layout and passing the frame to :func:`identify_factors`.
    """
    if path is None:
        with resources.files("geoair.apportion").joinpath("pmf_profiles.csv").open("rb") as fh:
            lib = pd.read_csv(fh, comment="#")
    else:
        lib = pd.read_csv(path, comment="#")
    need = {"source", "category", "species", "fraction", "tracer"}
    if not need <= set(lib.columns):
        raise GeoairInputError("profile library lacks columns", file=path,
                               received=sorted(set(lib.columns)), fix=f"columns needed: {sorted(need)}")
    return lib


#: species name (normalised) -> canonical library species
SPECIES_ALIASES = {
    "sulfate": "so4", "so4": "so4", "so42-": "so4", "sulfateion": "so4", "so4-2": "so4",
    "nitrate": "no3", "no3": "no3", "totalnitrate": "no3", "no3-": "no3", "nitrateion": "no3",
    "ammonium": "nh4", "ammoniumion": "nh4", "nh4": "nh4", "nh4+": "nh4",
    "oc": "oc", "organiccarbon": "oc", "om": "om", "ec": "ec", "elementalcarbon": "ec",
    "potassiumion": "k+", "k+": "k+", "kion": "k+", "potassium": "k", "k": "k",
    "sodiumion": "na+", "na+": "na+", "sodium": "na", "na": "na",
    "chlorine": "cl", "cl": "cl", "chloride": "cl-", "cl-": "cl-",
    "aluminum": "al", "aluminium": "al", "al": "al", "silicon": "si", "si": "si",
    "calcium": "ca", "ca": "ca", "iron": "fe", "fe": "fe", "titanium": "ti", "ti": "ti",
    "manganese": "mn", "mn": "mn", "zinc": "zn", "zn": "zn", "lead": "pb", "pb": "pb",
    "copper": "cu", "cu": "cu", "nickel": "ni", "ni": "ni", "vanadium": "v", "v": "v",
    "arsenic": "as", "as": "as", "selenium": "se", "se": "se", "bromine": "br", "br": "br",
    "barium": "ba", "ba": "ba", "strontium": "sr", "sr": "sr", "magnesium": "mg", "mg": "mg",
    "cadmium": "cd", "cd": "cd", "chromium": "cr", "cr": "cr", "levoglucosan": "levoglucosan",
    "so2": "so2", "no2": "no2", "co": "co", "o3": "o3", "pm25": "pm25", "pm10": "pm10",
    "ethane": "ethane", "propane": "propane", "isoprene": "isoprene", "toluene": "toluene",
    "benzene": "benzene", "isopentane": "isopentane", "n-butane": "n-butane",
    "ethylene": "ethylene", "propylene": "propylene", "acetylene": "acetylene",
    "m_pxylene": "mp-xylene", "mpxylene": "mp-xylene", "o-xylene": "o-xylene",
    "styrene": "styrene", "isobutane": "isobutane", "n-pentane": "n-pentane",
}


def _canon(name) -> str:
    k = _norm_name(name)
    return SPECIES_ALIASES.get(k, k)


def identify_factors(profiles: pd.DataFrame, library: pd.DataFrame | None = None) -> pd.DataFrame:
    """Name PMF factors by tracer species and profile similarity to a source-profile library.

    For each factor and library source, over the species both share:

    * ``similarity``: cosine similarity of the square-root mass fractions (sqrt keeps trace
      elements from being swamped by the major ions);
    * ``tracer``: mean share (0-1) of the source's tracer species apportioned to the factor
      (PMF 5.0 "% of species" / 100), which is how analysts name factors by hand.

    ``score = 0.5 * similarity + 0.5 * tracer``. ``confidence`` combines the score with the
    margin to the runner-up: "high" (score >= 0.6 and margin >= 0.15), "medium" (score >= 0.4),
    else "low". Sources sharing fewer than two species (or no tracer) with the data are skipped.

    Returns
    -------
    DataFrame
        One row per factor: factor, source, category, label_en, label_zh, score, similarity,
        tracer, runner_up, margin, confidence.
    """
    from ..schema import CATEGORY_LABELS

    lib = load_profile_library() if library is None else library
    prof = profiles.clip(lower=0)
    canon = [_canon(c) for c in prof.columns]
    prof = prof.set_axis(canon, axis=1)
    prof = prof.T.groupby(level=0).sum().T
    tot = prof.sum(axis=0)
    pct = prof / tot.where(tot > 0, 1.0)
    rows = []
    for f in prof.index:
        scores = []
        for src, g in lib.groupby("source", sort=False):
            g = g.assign(species=g["species"].map(_canon)).groupby("species").agg(
                fraction=("fraction", "sum"), tracer=("tracer", "max"),
                category=("category", "first"))
            common = [s for s in g.index if s in prof.columns]
            tracers = [s for s in common if g.at[s, "tracer"] == 1]
            if len(common) < 2 or not tracers:
                continue
            a = np.sqrt(prof.loc[f, common].to_numpy(dtype=float))
            b = np.sqrt(g.loc[common, "fraction"].to_numpy(dtype=float))
            den = np.linalg.norm(a) * np.linalg.norm(b)
            sim = float(a @ b / den) if den > 0 else 0.0
            tr = float(pct.loc[f, tracers].mean())
            scores.append((0.5 * sim + 0.5 * tr, src, g["category"].iloc[0], sim, tr))
        if not scores:
            rows.append({"factor": f, "source": "unknown", "category": "other", "score": np.nan,
                         "similarity": np.nan, "tracer": np.nan, "runner_up": None,
                         "margin": np.nan, "confidence": "low"})
            continue
        scores.sort(reverse=True)
        best = scores[0]
        margin = best[0] - (scores[1][0] if len(scores) > 1 else 0.0)
        conf = ("high" if best[0] >= 0.6 and margin >= 0.15 else
                "medium" if best[0] >= 0.4 else "low")
        rows.append({"factor": f, "source": best[1], "category": best[2], "score": best[0],
                     "similarity": best[3], "tracer": best[4],
                     "runner_up": scores[1][1] if len(scores) > 1 else None,
                     "margin": margin, "confidence": conf})
    out = pd.DataFrame(rows)
    if len(out):
        out["label_en"] = [CATEGORY_LABELS.get(c, {}).get("en", c) for c in out["category"]]
        out["label_zh"] = [CATEGORY_LABELS.get(c, {}).get("zh", c) for c in out["category"]]
    return out


def contributions_timeseries(model: PMF, *, station: str = "pmf", names: dict | None = None,
                             total: str | None = None, tz: str | None = None) -> pd.DataFrame:
    """Factor contributions in the observations layout: ``station, time, <factor>...``.

    The frame is what ``polar_plot``, CPF and PSCF take as ``data`` with ``pollutant=<factor>``
    (merge it with wind/met columns on ``station, time``). With ``total`` the values are the
    factor's contribution to that species (e.g. µg/m³ of PM2.5), otherwise normalised
    contributions (mean 1). ``names`` renames factors (e.g. from :meth:`PMF.identify`: pass
    ``dict(zip(t.factor, t.source))``). ``tz`` localises naive sample times (e.g.
    ``"Asia/Shanghai"``, geoair's observation time zone) so the frame merges with observations.

    Raises
    ------
    GeoairInputError
        If the fitted samples are not indexed by time.
    """
    G = model.factor_mass(total) if total is not None else model.contributions_.copy()
    idx = G.index
    if not isinstance(idx, pd.DatetimeIndex):
        try:
            idx = pd.DatetimeIndex(pd.to_datetime(idx))
        except (ValueError, TypeError) as err:
            raise GeoairInputError(
                "PMF samples are not indexed by time", received=type(G.index).__name__,
                fix="fit with conc indexed by sample time (read_epa_pmf does this)",
            ) from err
    if tz is not None and idx.tz is None:
        idx = idx.tz_localize(tz)
    out = G.set_axis(idx, axis=0).rename_axis("time").reset_index()
    out.insert(0, "station", station)
    if names:
        out = out.rename(columns=names)
    out.attrs["params"] = {"source": "PMF", "total": total}
    return out
