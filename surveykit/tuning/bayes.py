"""Bayesian optimization: a Gaussian-process surrogate plus Expected Improvement (§6.6).

The survey's four steps (§6.6), as :meth:`BayesianOptimization.ask` does them:

1. *"Fit a surrogate model to predict performance from past trials"* — a Gaussian process
   (:mod:`surveykit.tuning.gp`: Matérn 5/2, one length scale per hyperparameter, fitted
   noise) on the completed trials, inputs in the unit cube of :meth:`Space.to_unit
   <surveykit.tuning.space.Space.to_unit>` (§7.4: *"Normalize hyperparameters when using
   Bayesian optimization"*), outputs standardised.
2. *"Use an acquisition function (e.g., Expected Improvement) to balance exploration vs.
   exploitation"* — EI (:mod:`surveykit.tuning.acquisition`), computed as log EI so that
   it never underflows to a flat 0.
3. *"Choose the next hyperparameters that optimize the acquisition function"* — log EI is
   evaluated on many random points and on points near the best trials, and the best few
   start L-BFGS-B runs with its analytic gradient (:func:`maximize_ei`).
4. *"Repeat until convergence or budget is exhausted"* — the study's loop.

Choices a real implementation has to make, and the ones made here:

- **Initial design**: the first ``n_initial`` trials are points of a scrambled Sobol
  sequence (an evenly spread random design, ``scipy.stats.qmc``); trial number ``i`` gets
  point ``i``, so the design is the same however trials are batched.
- **Noise**: the GP fits a noise variance σ_n², and the incumbent f* in EI is the lowest
  *posterior mean* at the completed trials, not the lowest noisy observation (which would
  be biased low by a lucky draw). For a deterministic objective σ_n² goes to its floor
  and the two agree.
- **Failed trials are penalised**: they enter the GP with the worst completed value, so
  the search moves away from a region that crashes or diverges without a huge value
  wrecking the standardisation (``failed="ignore"`` leaves them out instead). Abandoned
  trials are ignored.
- **Pending (running) trials** — a batch, or parallel workers: the *kriging believer*.
  Each pending point is added to the GP with its own posterior mean as a fantasised
  value; the mean is unchanged but the uncertainty there collapses, so EI no longer
  points at it and the next suggestion goes elsewhere. A batch ``ask(trials, n)`` is the
  same as n single asks with the earlier suggestions running.
- **Integer and categorical dimensions** go through the space's unit mapping: an
  integer's coordinate is snapped to the centre of its value's bin (so the GP only ever
  sees values that can be evaluated, in the integer's own linear or log scale); a
  categorical becomes a one-hot block (its unit-interval order is arbitrary). The
  acquisition is climbed by gradient in the continuous coordinates and by trying the
  other values of each discrete one in turn.
- **Statelessness**: a suggestion is a function of the trial history and of
  ``self.rng(number)``. Each suggestion's ``info`` records the GP hyperparameters it
  used and a digest of the data they were fitted to; the next ask starts its
  hyperparameter search from them (a warm start), and reuses them as they are when the
  data has not changed (a batch, or an ask while trials are running).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.stats import qmc

from ..validation import check_choice, check_int, check_range
from .acquisition import expected_improvement, log_expected_improvement, log_h
from .base import Strategy, Suggestion, Trial, completed
from .gp import GaussianProcess, GPParams, fit_gp
from .space import Categorical, Integer, Space

__all__ = ["Encoding", "sobol_design", "Surrogate", "fit_surrogate", "maximize_ei",
           "BayesianOptimization", "posterior_on_grid", "timed_search", "one_blas_thread"]


class Encoding:
    """The GP's features of a point of the unit cube (one coordinate per dimension).

    Continuous dimensions (Uniform, LogUniform) pass through; an integer's coordinate is
    snapped to its value's bin centre (:meth:`snap`); a categorical with k choices becomes
    k one-hot columns.
    """

    def __init__(self, space: Space):
        self.space = space
        self.kinds = []
        self.columns = []  # feature columns of each dimension
        col = 0
        for d in space.dimensions:
            if isinstance(d, Categorical):
                self.kinds.append("categorical")
                self.columns.append(list(range(col, col + len(d.choices))))
                col += len(d.choices)
            else:
                self.kinds.append("integer" if isinstance(d, Integer) else "continuous")
                self.columns.append([col])
                col += 1
        self.n_features = col
        self.continuous = [i for i, k in enumerate(self.kinds) if k == "continuous"]
        self.discrete = [i for i, k in enumerate(self.kinds) if k != "continuous"]
        # feature column of each continuous dimension (the identity on that coordinate)
        self.continuous_columns = [self.columns[i][0] for i in self.continuous]

    def values_of(self, i: int) -> np.ndarray:
        """The unit coordinates (bin centres) of every value of discrete dimension ``i``."""
        d = self.space.dimensions[i]
        if isinstance(d, Categorical):
            return (np.arange(len(d.choices)) + 0.5) / len(d.choices)
        return np.array([d.to_unit(v) for v in range(d.low, d.high + 1)])

    def snap(self, U) -> np.ndarray:
        """Unit points with every discrete coordinate moved to its value's bin centre."""
        U = np.array(U, dtype=float, ndmin=2)
        U = np.clip(U, 0.0, 1.0)
        for i in self.discrete:
            d = self.space.dimensions[i]
            if isinstance(d, Categorical):
                k = len(d.choices)
                U[:, i] = (np.minimum(np.floor(U[:, i] * k), k - 1) + 0.5) / k
            else:
                U[:, i] = [d.to_unit(d.from_unit(float(u))) for u in U[:, i]]
        return U

    def features(self, U) -> np.ndarray:
        """The GP inputs of (snapped) unit points, shape (m, n_features)."""
        U = self.snap(U)
        F = np.zeros((len(U), self.n_features))
        for i, (kind, cols) in enumerate(zip(self.kinds, self.columns, strict=True)):
            if kind == "categorical":
                k = len(cols)
                idx = np.minimum(np.floor(U[:, i] * k), k - 1).astype(int)
                F[np.arange(len(U)), np.asarray(cols)[idx]] = 1.0
            else:
                F[:, cols[0]] = U[:, i]
        return F

    def unit(self, params: dict) -> np.ndarray:
        return self.space.to_unit(params)

    def params(self, u) -> dict:
        return self.space.from_unit(np.clip(np.asarray(u, float), 0.0, 1.0))


def sobol_design(d: int, n: int, seed: int) -> np.ndarray:
    """The first ``n`` points of a scrambled Sobol sequence in [0, 1]^d (seeded), as rows."""
    d, n = check_int("d", d, 1), check_int("n", n, 0)
    if n == 0:
        return np.zeros((0, d))
    m = max(1, math.ceil(math.log2(n)))
    sampler = qmc.Sobol(d, scramble=True, seed=np.random.default_rng([seed, 0x5061]))
    return sampler.random_base2(m)[:n]


@dataclass
class Surrogate:
    """A GP fitted to a search's history, with what EI needs.

    ``gp`` holds the completed (and penalised failed) trials; ``gp_pending`` adds the
    running trials' fantasised values (kriging believer). ``best`` is f*, the lowest
    posterior mean at a completed trial; ``incumbents`` the unit points of the completed
    trials, best posterior mean first."""

    encoding: Encoding
    gp: GaussianProcess
    gp_pending: GaussianProcess
    best: float
    incumbents: np.ndarray
    data_key: str

    def predict(self, U, *, pending: bool = True):
        """Posterior mean and std (latent f, objective units) at unit points ``U``."""
        gp = self.gp_pending if pending else self.gp
        return gp.predict(self.encoding.features(U))

    def log_ei(self, U, xi: float = 0.0, *, pending: bool = True) -> np.ndarray:
        mu, std = self.predict(U, pending=pending)
        return log_expected_improvement(mu, std, self.best, xi)

    def ei(self, U, xi: float = 0.0, *, pending: bool = True) -> np.ndarray:
        mu, std = self.predict(U, pending=pending)
        return expected_improvement(mu, std, self.best, xi)


_CONTROLLER = []


def one_blas_thread():
    """A context that limits BLAS to one thread (threadpoolctl).

    The GP's matrices are small (n ≤ a few hundred): with several BLAS threads on a busy
    machine OpenBLAS spends its time waiting for cores — measured here, one suggestion
    took 1.3 s with 2 threads against 85 ms with one, on 2 loaded cores."""
    from threadpoolctl import ThreadpoolController

    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


def _data_key(numbers, values) -> str:
    text = repr([(int(n), float(v)) for n, v in zip(numbers, values, strict=True)])
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _warm_start(trials: Sequence[Trial], n_features: int):
    """The latest GP hyperparameters recorded in a trial's info: (theta, data_key)."""
    for t in sorted(trials, key=lambda t: t.number, reverse=True):
        gp_info = (t.info or {}).get("gp")
        if isinstance(gp_info, dict) and len(gp_info.get("theta", ())) == n_features + 2:
            return np.asarray(gp_info["theta"], float), gp_info.get("data")
    return None, None


def fit_surrogate(space: Space, trials: Sequence[Trial], *, failed: str = "worst",
                  rng: np.random.Generator | None = None, restarts: int = 1,
                  prior: bool = True, warm_start: bool = True) -> Surrogate | None:
    """Step 1 of §6.6: fit the GP surrogate to the history (None if fewer than two distinct
    completed trials). Failed trials get the worst completed value (``failed="worst"``)
    or are left out (``"ignore"``); running trials are fantasised at their posterior
    mean (kriging believer) in ``gp_pending``."""
    check_choice("failed", failed, ("worst", "ignore"))
    enc = Encoding(space)
    done = completed(trials)
    if len(done) < 2 or len({tuple(enc.unit(t.params)) for t in done}) < 2:
        return None
    used = list(done)
    values = [float(t.value) for t in done]
    if failed == "worst":
        worst = max(values)
        for t in trials:
            if t.state == "failed" or (t.state == "complete" and not t.ok):
                used.append(t)
                values.append(worst)
    U = np.array([enc.unit(t.params) for t in used])
    y = np.array(values)
    X = enc.features(U)
    key = _data_key([t.number for t in used], values)
    theta, old_key = _warm_start(trials, enc.n_features) if warm_start else (None, None)
    if theta is not None and old_key == key:  # same data as the fit that made this theta
        gp = GaussianProcess(X, y, GPParams.from_theta(theta))
    else:
        init = GPParams.from_theta(theta) if theta is not None else None
        gp = fit_gp(X, y, prior=prior, restarts=restarts, rng=rng, init=init)
    n_done = len(done)
    mu_done, _ = gp.predict(X[:n_done])
    order = np.argsort(mu_done, kind="stable")
    best = float(mu_done[order[0]])
    pending = [t for t in trials if t.state == "running"]
    gp_pending = gp
    if pending:
        Xp = enc.features(np.array([enc.unit(t.params) for t in pending]))
        gp_pending = gp.condition(Xp, gp.predict(Xp)[0])
    return Surrogate(enc, gp, gp_pending, best, U[:n_done][order], key)


def _neg_log_ei_and_grad(z, fixed_u, surrogate: Surrogate, scale, xi):
    """−log EI and its gradient with respect to the scaled continuous coordinates z = u/ℓ."""
    enc = surrogate.encoding
    u = fixed_u.copy()
    u[enc.continuous] = z * scale
    F = enc.features(u)
    gp = surrogate.gp_pending
    mu, sd, dmu, dsd = gp.predict_with_gradient(F)
    best_s = (surrogate.best - gp.y_mean) / gp.y_std
    gap = best_s - mu[0] - xi / gp.y_std
    zz = gap / sd[0]
    lh, dlh = log_h(np.array([zz]))
    value = math.log(sd[0]) + float(lh[0])
    dz_dx = (-dmu[0] - zz * dsd[0]) / sd[0]
    grad_f = dsd[0] / sd[0] + float(dlh[0]) * dz_dx
    grad = grad_f[enc.continuous_columns] * scale
    return -value, -grad


def maximize_ei(surrogate: Surrogate, rng: np.random.Generator, *, xi: float = 0.0,
                n_candidates: int = 2000, n_local: int = 5, n_roulette: int = 0,
                n_near: int = 3, maxiter: int = 100) -> tuple[np.ndarray, float]:
    """Step 3 of §6.6: the unit point that maximises EI (returns it and its log EI).

    log EI is evaluated at ``n_candidates`` uniform random points and at 40 perturbations
    of each of the ``n_near`` best completed trials (both snapped); the ``n_local`` best of
    these, ``n_roulette`` more random candidates drawn with probability ∝ EI (so that
    distant peaks of EI are climbed too; off by default: 5 of them changed nothing on
    Hartmann-6 and doubled the time), and the best trial itself start L-BFGS-B runs
    on the continuous coordinates (analytic gradient, coordinates scaled by the GP's
    length scales so that the problem is well conditioned), each followed by trying every
    other value of each discrete coordinate (the 16 nearest for a long integer range) —
    repeated while that helps.
    """
    enc = surrogate.encoding
    d = len(enc.space)
    cand = [rng.uniform(size=(n_candidates, d))]
    for u0 in surrogate.incumbents[:n_near]:
        for sd in (0.05, 0.005):
            cand.append(u0 + sd * rng.standard_normal((20, d)))
    U = enc.snap(np.vstack(cand))
    lei = surrogate.log_ei(U, xi)
    order = np.argsort(-lei, kind="stable")
    starts, seen = [], set()
    for i in order:
        key = tuple(np.round(U[i], 6))
        if key not in seen:
            seen.add(key)
            starts.append((U[i], lei[i]))
        if len(starts) == n_local:
            break
    # roulette: more starts drawn among the random candidates with probability ∝ EI, so
    # that a second peak of EI far from the first gets its own local search
    n_random = n_candidates
    w = np.exp(lei[:n_random] - np.max(lei[:n_random]))
    w[~np.isfinite(w)] = 0.0
    for i in order[:n_local]:
        if i < n_random:
            w[i] = 0.0
    k = min(n_roulette, int(np.count_nonzero(w)))
    if k > 0:
        for i in rng.choice(n_random, size=k, replace=False, p=w / w.sum()):
            starts.append((U[i], lei[i]))
    inc = enc.snap(surrogate.incumbents[:1])[0]
    starts.append((inc, float(surrogate.log_ei(inc[None], xi)[0])))
    ls = surrogate.gp.params.length_scales
    scale = np.array([ls[c] for c in enc.continuous_columns])
    best_u, best_v = starts[0]
    for u0, v0 in starts:
        u, v = u0.copy(), float(v0)
        for _ in range(3):
            improved = False
            if enc.continuous:
                res = optimize.minimize(
                    _neg_log_ei_and_grad, u[enc.continuous] / scale, jac=True,
                    args=(u, surrogate, scale, xi), method="L-BFGS-B",
                    bounds=[(0.0, 1.0 / s) for s in scale],
                    options={"maxiter": maxiter})
                if np.isfinite(res.fun) and -res.fun > v + 1e-12:
                    u = u.copy()
                    u[enc.continuous] = np.clip(res.x * scale, 0.0, 1.0)
                    v = float(-res.fun)
            for i in enc.discrete:
                values = enc.values_of(i)
                if len(values) > 16:  # the 16 values nearest the current one
                    values = values[np.argsort(np.abs(values - u[i]), kind="stable")[:16]]
                trial = np.repeat(u[None], len(values), axis=0)
                trial[:, i] = values
                tv = surrogate.log_ei(trial, xi)
                j = int(np.argmax(tv))
                if tv[j] > v + 1e-12:
                    u, v, improved = trial[j], float(tv[j]), True
            if not improved:
                break
        if v > best_v:
            best_u, best_v = u, v
    return enc.snap(best_u)[0], float(best_v)


class BayesianOptimization(Strategy):
    """Bayesian optimization with a GP surrogate and Expected Improvement (survey §6.6).

    ``n_initial`` Sobol points first (default: 2·d + 1 clipped to [5, 10], d the number
    of dimensions), then each suggestion maximises EI under the GP fitted to the history
    (see the module docstring for noise, failures, pending trials and discrete
    dimensions). ``xi`` ≥ 0 is EI's exploration margin (in objective units).
    ``restarts`` is the number of starting points of the GP's hyperparameter search
    besides the warm start (the previous suggestion's fit): by default 1, the default
    point. More random restarts and keeping the most probable fit was measured worse on
    Hartmann-6 (3 of 5 seeds stuck in a local minimum against 2 of 5): the best-scoring fit
    is often an overconfident one, with long length scales along directions that still
    matter.
    """

    name = "bayes"

    def __init__(self, space: Space, n_initial: int | None = None, *, seed: int = 0,
                 xi: float = 0.0, failed: str = "worst", restarts: int = 1,
                 n_candidates: int = 2000, n_local: int = 5):
        super().__init__(space, seed=seed)
        d = len(space)
        self.n_initial = (min(max(2 * d + 1, 5), 10) if n_initial is None
                          else check_int("n_initial", n_initial, 1))
        self.xi = check_range("xi", xi, 0.0)
        self.failed = check_choice("failed", failed, ("worst", "ignore"))
        self.restarts = check_int("restarts", restarts, 1)
        self.n_candidates = check_int("n_candidates", n_candidates, 1)
        self.n_local = check_int("n_local", n_local, 1)

    def describe(self) -> dict:
        return {**super().describe(), "n_initial": self.n_initial, "xi": self.xi,
                "failed": self.failed, "restarts": self.restarts,
                "n_candidates": self.n_candidates, "n_local": self.n_local}

    def initial_point(self, number: int) -> dict:
        """Trial ``number``'s point of the initial Sobol design (number < n_initial)."""
        u = sobol_design(len(self.space), self.n_initial, self.seed)[number]
        return self.space.from_unit(u)

    def ask(self, trials: Sequence[Trial], n: int = 1) -> list[Suggestion]:
        n = check_int("n", n, 1)
        history = list(trials)
        out = []
        with one_blas_thread():
            for k in range(n):
                number = len(trials) + k
                suggestion = self._suggest(history, number)
                out.append(suggestion)
                history.append(Trial(number, suggestion.params, info=suggestion.info))
        return out

    def surrogate(self, trials: Sequence[Trial]) -> Surrogate | None:
        """The GP this strategy fits to ``trials`` before suggesting trial ``len(trials)``."""
        return fit_surrogate(self.space, trials, failed=self.failed,
                             rng=self.rng(len(trials)), restarts=self.restarts)

    def _suggest(self, history: list[Trial], number: int) -> Suggestion:
        if number < self.n_initial:
            return Suggestion(self.initial_point(number), info={"phase": "initial"})
        surrogate = self.surrogate(history)
        if surrogate is None:  # too few results yet (failures, or still running)
            return Suggestion(self.space.sample(self.rng(number)), info={"phase": "random"})
        u, log_ei = maximize_ei(surrogate, self.rng(number), xi=self.xi,
                                n_candidates=self.n_candidates, n_local=self.n_local)
        info = {"phase": "bayes", "log_ei": log_ei if math.isfinite(log_ei) else None,
                "best_mean": surrogate.best,
                "gp": {"theta": [float(t) for t in surrogate.gp.params.theta],
                       "data": surrogate.data_key}}
        return Suggestion(self.space.from_unit(u), info=info)


def posterior_on_grid(strategy: BayesianOptimization, trials: Sequence[Trial], *,
                      n_grid: int = 200) -> dict:
    """For teaching (a 1-D space): the GP posterior and EI on a grid after ``trials``.

    Fits the surrogate exactly as ``strategy`` does before suggesting trial
    ``len(trials)`` and returns a dict: ``grid`` (the dimension's values, evenly spaced in
    its own scale; ``name`` and ``scale`` say which), ``unit`` (their unit coordinates),
    ``mean`` and ``std`` (the GP posterior of the objective), ``ei`` (with the strategy's
    ξ), ``best`` (f*, the lowest posterior mean at a trial), ``next`` (the value the
    strategy suggests next), ``x`` and ``y`` (the completed trials) and ``params`` (the
    GP's hyperparameters as a dict). The posterior entries are None while the strategy is
    still in its initial design or has fewer than two results; ``next`` is then the
    design's next point.
    """
    if not isinstance(strategy, BayesianOptimization):
        raise ValueError(f"strategy must be a BayesianOptimization; got {strategy!r}")
    space = strategy.space
    if len(space) != 1:
        raise ValueError(f"posterior_on_grid needs a 1-D space; got {len(space)} dimensions")
    n_grid = check_int("n_grid", n_grid, 2)
    dim = space.dimensions[0]
    unit = np.linspace(0.0, 1.0, n_grid)
    grid = np.array([dim.from_unit(float(u)) for u in unit])
    done = completed(trials)
    suggestion = strategy.ask(trials, 1)[0]
    out = {"name": dim.name, "scale": dim.scale, "grid": grid, "unit": unit,
           "x": np.array([t.params[dim.name] for t in done]),
           "y": np.array([t.value for t in done], dtype=float),
           "mean": None, "std": None, "ei": None, "best": None,
           "next": suggestion.params[dim.name], "params": None}
    if suggestion.info.get("phase") != "bayes":
        return out
    with one_blas_thread():
        s = strategy.surrogate(list(trials))
        U = unit[:, None]
        mean, std = s.predict(U)
    out.update(mean=mean, std=std, ei=s.ei(U, strategy.xi), best=s.best,
               params=s.gp.params.to_dict())
    return out


def timed_search(strategy: Strategy, function, n_trials: int) -> tuple[list[Trial], np.ndarray]:
    """Run ``strategy`` for ``n_trials`` sequential trials on ``function(params) -> value``
    and time each ``ask`` — the strategy's own cost per suggestion, which §6.6 calls
    "computationally expensive per iteration" for Bayesian optimization. Returns the
    trials and the seconds each suggestion took. (A bare loop for cheap test functions;
    :class:`~surveykit.tuning.study.Study` is the loop for real objectives.)"""
    import time

    n_trials = check_int("n_trials", n_trials, 1)
    trials, seconds = [], []
    for number in range(n_trials):
        t0 = time.perf_counter()
        suggestion = strategy.ask(trials, 1)[0]
        seconds.append(time.perf_counter() - t0)
        value = float(function(suggestion.params))
        ok = math.isfinite(value)
        trials.append(Trial(number, suggestion.params, budget=suggestion.budget,
                            state="complete" if ok else "failed", value=value if ok else None,
                            error=None if ok else f"non-finite value {value}",
                            info=suggestion.info))
    return trials, np.array(seconds)
