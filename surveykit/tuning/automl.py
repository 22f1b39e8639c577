"""AutoML tools side by side with surveykit's own strategies (survey §6.7).

The survey (§6.7): *"AutoML automates the end-to-end process of model selection,
hyperparameter tuning, and sometimes feature engineering. […] Leverages search
algorithms (Bayesian, genetic, bandits) behind the scenes. Accepts user input like a
dataset and an objective metric. Returns the best model configuration with minimal
human involvement."* Its popular tools: *"Optuna, HyperOpt, Ray Tune, Auto-sklearn,
Google AutoML"*.

This module lets three of them — **Optuna**, **HyperOpt** and **KerasTuner** (the
Keras-native one) — search the *same* surveykit :class:`~surveykit.tuning.space.Space`
with the *same* objective (``objective(trial) -> float``, minimised, as in
:class:`~surveykit.tuning.study.Study`) and the *same* number of trials, and records
every search in one :class:`SearchRecord`, which surveykit's own strategies fill too.

**Translating a space.** Each surveykit dimension maps to the tool's own distribution
with the same support and, wherever the tool allows it, the same probability law:

- ``Uniform(a, b)`` → Optuna ``FloatDistribution(a, b)``; HyperOpt ``hp.uniform(a, b)``;
  KerasTuner ``Float(a, b)``.
- ``LogUniform(a, b)`` → ``FloatDistribution(a, b, log=True)``; ``hp.loguniform(ln a,
  ln b)``; ``Float(a, b, sampling="log")``.
- ``Integer(a, b)`` → ``IntDistribution(a, b)``; ``int(hp.quniform(a − ½, b + ½, 1))``;
  ``Int(a, b)``.
- ``Integer(a, b, log=True)`` → ``IntDistribution(a, b, log=True)``;
  ``int(hp.qloguniform(ln(a − ½), ln(b + ½), 1))``; ``Float(a − ½, b + ½, sampling="log")``
  rounded as surveykit rounds.
- ``Categorical(cs)`` → ``CategoricalDistribution(cs)``; ``hp.choice(cs)``;
  ``Choice(cs, ordered=False)``.

surveykit's integers give every integer k the probability of the bin [k − ½, k + ½]
(in the dimension's scale). Optuna does exactly that. HyperOpt's ``hp.uniformint(a, b)``
would be ``round(uniform(a, b))``, which gives the two end points half a bin each, so we
use ``quniform`` on [a − ½, b + ½] instead (and ``qloguniform`` on the log scale: the
same bins). KerasTuner's log-scale ``Int`` has two problems, so it is not used: it
*floors* ``a·((b+1)/a)**u``, giving k the log-width of [k, k + 1] instead of
[k − ½, k + ½] (:func:`kerastuner_log_int_pmf` against :func:`integer_pmf`), and at
``u = 1`` — a corner its Bayesian optimizer's L-BFGS-B reaches, its bounds being
[0, 1] — it returns b + 1, outside the range (KerasTuner 1.4.8). A log-scale integer is
therefore a log-scale ``Float`` on [a − ½, b + ½] for KerasTuner, turned into an integer
by surveykit's own :meth:`Integer.from_unit <surveykit.tuning.space.Integer.from_unit>`:
the same bins. KerasTuner's ``Choice`` holds one type among str, int and float: other
choices (bools, None, mixed types) are passed to it as their indices 0…k−1 and mapped
back.

**Running a search.** :func:`run_optuna`, :func:`run_hyperopt`, :func:`run_kerastuner`
and :func:`run_surveykit` call ``objective`` exactly ``n_trials`` times through a
surveykit :class:`~surveykit.tuning.base.Trial` (``params`` in surveykit's types,
``budget``, ``seed``), time every call, record a raised exception or a non-finite
value as a failed trial (value NaN, the error kept) and tell the tool it failed, and
return a :class:`SearchRecord`: the trials in order, each value, the best, the number of
trials needed to reach it, and the wall time split into the objective's time and the
tool's own overhead. The tools' logging is silenced while they run; KerasTuner writes
its files into a temporary directory removed afterwards. A tool that proposes a point
outside the space stops the search with a ValueError.

**Comparing.** :func:`compare` runs :data:`METHODS` (surveykit's random search and
Bayesian optimization, Optuna's and HyperOpt's TPE, KerasTuner's Bayesian oracle) on the
same terms over seeds; :func:`holdout_score` retrains a search's best configuration and
scores it on the test part; :func:`default_startup_is_random` checks whether a tool with
its default settings would still be in its random start-up phase at a given budget;
:func:`named_tools` says which of the survey's tools can run here and why.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import importlib.util
import logging
import math
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..validation import check_choice, check_int, check_range
from .base import Strategy, Trial, best
from .space import Categorical, Dimension, Integer, LogUniform, Space, Uniform

__all__ = [
    "SearchRecord", "optuna_distribution", "to_optuna", "hyperopt_expression", "to_hyperopt",
    "kerastuner_hyperparameter", "to_kerastuner", "from_tool", "prior_samples",
    "integer_pmf", "kerastuner_log_int_pmf", "translation_report", "run_optuna",
    "run_hyperopt", "run_kerastuner", "run_surveykit", "record_from_study",
    "comparison_table", "trials_to_reach", "named_tools", "TOOL_DEFAULTS", "HoldoutScore",
    "holdout_score", "TranslationCheck", "TOOLS", "METHODS", "run_method", "compare",
    "default_startup_is_random", "pooled_trials",
]

#: How many random (surveykit: Sobol) trials each model-based search runs before its
#: model takes over, by default; d is the number of hyperparameters.
TOOL_DEFAULTS = {
    "surveykit BO": "n_initial = 2·d + 1, clipped to [5, 10]",
    "Optuna TPE": "n_startup_trials = 10",
    "HyperOpt TPE": "n_startup_jobs = 20",
    "KerasTuner BO": "num_initial_points = max(3·d, 3)",
}


def _check_space(space) -> Space:
    if not isinstance(space, Space):
        raise ValueError(f"space must be a surveykit.tuning.Space; got {space!r}")
    return space


def _check_dimension(dim) -> Dimension:
    if not isinstance(dim, (Uniform, LogUniform, Integer, Categorical)):
        raise ValueError(f"dimension must be a Uniform, LogUniform, Integer or Categorical; "
                         f"got {dim!r}")
    return dim


# --------------------------------------------------------------------------- translations


def optuna_distribution(dim: Dimension):
    """The Optuna distribution of one surveykit dimension (same support, same law).

    Uniform(a, b) → ``FloatDistribution(a, b)``; LogUniform(a, b) →
    ``FloatDistribution(a, b, log=True)`` (density ∝ 1/x); Integer(a, b, log) →
    ``IntDistribution(a, b, log=log)`` (Optuna samples ``round(u)`` with u uniform on
    [a − ½, b + ½] in the dimension's scale — surveykit's bins); Categorical(cs) →
    ``CategoricalDistribution(cs)``.
    """
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    dim = _check_dimension(dim)
    if isinstance(dim, LogUniform):
        return FloatDistribution(dim.low, dim.high, log=True)
    if isinstance(dim, Uniform):
        return FloatDistribution(dim.low, dim.high)
    if isinstance(dim, Integer):
        return IntDistribution(dim.low, dim.high, log=dim.log)
    return CategoricalDistribution(dim.choices)


def to_optuna(space: Space) -> dict:
    """``{name: optuna distribution}`` for ``study.ask(fixed_distributions=…)`` (§6.7)."""
    return {d.name: optuna_distribution(d) for d in _check_space(space)}


def hyperopt_expression(dim: Dimension):
    """The HyperOpt search-space expression of one surveykit dimension (same law).

    Uniform(a, b) → ``hp.uniform(a, b)``; LogUniform(a, b) → ``hp.loguniform(ln a, ln b)``
    (HyperOpt takes the bounds of ln x); Integer(a, b) → ``int(hp.quniform(a − ½, b + ½,
    1))`` and on a log scale ``int(hp.qloguniform(ln(a − ½), ln(b + ½), 1))``: round(x)
    with x uniform on [a − ½, b + ½] in the dimension's scale, as surveykit's bins
    (``hp.uniformint(a, b)`` would halve the end points' probability); Categorical(cs) →
    ``hp.choice(cs)``.
    """
    from hyperopt import hp
    from hyperopt.pyll import scope

    dim = _check_dimension(dim)
    name = dim.name
    if isinstance(dim, LogUniform):
        return hp.loguniform(name, math.log(dim.low), math.log(dim.high))
    if isinstance(dim, Uniform):
        return hp.uniform(name, dim.low, dim.high)
    if isinstance(dim, Integer):
        if dim.log:
            return scope.int(hp.qloguniform(name, math.log(dim.low - 0.5),
                                            math.log(dim.high + 0.5), 1))
        return scope.int(hp.quniform(name, dim.low - 0.5, dim.high + 0.5, 1))
    return hp.choice(name, list(dim.choices))


def to_hyperopt(space: Space) -> dict:
    """``{name: hyperopt expression}``, the ``space`` argument of ``hyperopt.fmin`` (§6.7)."""
    return {d.name: hyperopt_expression(d) for d in _check_space(space)}


def _kerastuner_native(dim: Categorical) -> bool:
    """Whether KerasTuner's Choice can hold these choices as they are (one type among
    str, int, float; it would turn bools into ints and refuses None and mixed types)."""
    types = {type(c) for c in dim.choices}
    return len(types) == 1 and types <= {str, int, float}


def kerastuner_hyperparameter(dim: Dimension, hps):
    """Declare one surveykit dimension in a ``keras_tuner.HyperParameters`` ``hps``.

    Uniform(a, b) → ``hps.Float(a, b)``; LogUniform(a, b) → ``hps.Float(a, b,
    sampling="log")`` (value a·(b/a)**u); Integer(a, b) → ``hps.Int(a, b)`` (uniform on
    the integers) and on a log scale ``hps.Float(a − ½, b + ½, sampling="log")``, rounded
    by :func:`from_tool` with surveykit's bins (KerasTuner's own log-scale ``Int`` floors,
    and can return b + 1: see the module docstring); Categorical(cs) →
    ``hps.Choice(cs, ordered=False)``, or over the indices 0…k−1 when KerasTuner cannot hold
    the choices themselves.
    """
    dim = _check_dimension(dim)
    if isinstance(dim, LogUniform):
        return hps.Float(dim.name, dim.low, dim.high, sampling="log")
    if isinstance(dim, Uniform):
        return hps.Float(dim.name, dim.low, dim.high)
    if isinstance(dim, Integer):
        if dim.log:
            return hps.Float(dim.name, dim.low - 0.5, dim.high + 0.5, sampling="log")
        return hps.Int(dim.name, dim.low, dim.high)
    values = list(dim.choices) if _kerastuner_native(dim) else list(range(len(dim.choices)))
    return hps.Choice(dim.name, values, ordered=False)


def to_kerastuner(space: Space):
    """A ``keras_tuner.HyperParameters`` holding every dimension of ``space`` (§6.7)."""
    import keras_tuner

    hps = keras_tuner.HyperParameters()
    for d in _check_space(space):
        kerastuner_hyperparameter(d, hps)
    return hps


TOOLS = ("optuna", "hyperopt", "kerastuner")


def from_tool(space: Space, values: Mapping, tool: str) -> dict:
    """A tool's sampled values as a surveykit point (``space.check``-ed, never clipped).

    Reals become floats, integers ints (a float that is not a whole number is an
    error, except KerasTuner's log-scale integers, drawn as reals on [a − ½, b + ½] and
    rounded by :meth:`Integer.from_unit <surveykit.tuning.space.Integer.from_unit>`),
    categorical values the surveykit choice (KerasTuner's index when the choices were
    passed as indices). A value outside its dimension raises ValueError: a translation
    that sampled outside the range is a bug to see, not to hide.
    """
    space = _check_space(space)
    tool = check_choice("tool", tool, TOOLS)
    point = {}
    for d in space:
        if d.name not in values:
            raise ValueError(f"{tool} gave no value for {d.name!r}; got {dict(values)!r}")
        v = values[d.name]
        if isinstance(d, Categorical):
            if tool == "kerastuner" and not _kerastuner_native(d):
                v = d.choices[check_int(f"{d.name} (KerasTuner's choice index)", v, 0,
                                        len(d.choices) - 1)]
            point[d.name] = d.choices[d.index(v)]
        elif isinstance(d, Integer) and d.log and tool == "kerastuner":
            x = check_range(f"{d.name} (KerasTuner's real value on [low − ½, high + ½])",
                            v, d.low - 0.5, d.high + 0.5)
            u = (math.log(x) - math.log(d.low - 0.5)) / \
                (math.log(d.high + 0.5) - math.log(d.low - 0.5))
            point[d.name] = d.from_unit(min(max(u, 0.0), 1.0))
        elif isinstance(d, Integer):
            f = float(v)
            if not f.is_integer():
                raise ValueError(f"{tool} gave {d.name}={v!r}, not an integer")
            point[d.name] = int(f)
        else:
            point[d.name] = float(v)
    return space.check(point)


# --------------------------------------------------------------------------- prior samples


def prior_samples(space: Space, tool: str, n: int, seed: int = 0) -> list[dict]:
    """``n`` points drawn from ``tool``'s own *random* sampler over the translated space,
    as surveykit points — what each tool draws before its model takes over.

    Optuna: ``RandomSampler(seed)`` through ``study.ask(to_optuna(space))``; HyperOpt:
    ``hyperopt.pyll.stochastic.sample(to_hyperopt(space), rng)``; KerasTuner: each
    hyperparameter's ``random_sample`` with the seed sequence its oracles use (seed,
    seed + 1, …); surveykit: ``space.sample(rng)``.
    """
    space = _check_space(space)
    tool = check_choice("tool", tool, (*TOOLS, "surveykit"))
    n = check_int("n", n, 1)
    seed = check_int("seed", seed, 0)
    if tool == "surveykit":
        rng = np.random.default_rng(seed)
        return [space.sample(rng) for _ in range(n)]
    with _quiet():
        if tool == "optuna":
            import optuna

            study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
            dists = to_optuna(space)
            out = []
            for _ in range(n):
                t = study.ask(dists)
                out.append(from_tool(space, t.params, tool))
                study.tell(t, 0.0)
            return out
        if tool == "hyperopt":
            from hyperopt.pyll import stochastic

            expr, rng = to_hyperopt(space), np.random.default_rng(seed)
            return [from_tool(space, stochastic.sample(expr, rng=rng), tool) for _ in range(n)]
        hps, state, out = to_kerastuner(space), seed, []
        for _ in range(n):
            values = {}
            for hp in hps.space:
                values[hp.name] = hp.random_sample(state)
                state += 1
            out.append(from_tool(space, values, tool))
        return out


def integer_pmf(dim: Integer) -> tuple[np.ndarray, np.ndarray]:
    """(integers, probabilities) of surveykit's ``Integer`` dimension: k gets the width
    of its bin [k − ½, k + ½] in the dimension's scale (log or linear) over [a − ½, b + ½]."""
    if not isinstance(dim, Integer):
        raise ValueError(f"dim must be an Integer dimension; got {dim!r}")
    k = np.arange(dim.low, dim.high + 1)
    edges = np.append(k - 0.5, dim.high + 0.5)
    if dim.log:
        edges = np.log(edges)
    p = np.diff(edges) / (edges[-1] - edges[0])
    return k, p


def kerastuner_log_int_pmf(dim: Integer) -> tuple[np.ndarray, np.ndarray]:
    """(integers, probabilities) of KerasTuner's own ``Int(a, b, sampling="log")`` (not
    used by :func:`to_kerastuner`): ⌊a·((b+1)/a)**u⌋ for u ∈ [0, 1) gives k the log-width
    of [k, k + 1] over [a, b + 1]."""
    if not isinstance(dim, Integer) or not dim.log:
        raise ValueError(f"dim must be an Integer dimension with log=True; got {dim!r}")
    k = np.arange(dim.low, dim.high + 1)
    p = np.log((k + 1) / k) / math.log((dim.high + 1) / dim.low)
    return k, p


@dataclass(frozen=True)
class TranslationCheck:
    """One line of :func:`translation_report`."""

    tool: str
    name: str
    law: str          # what was tested, e.g. "log-uniform (KS)"
    in_range: bool
    statistic: float  # KS distance, or total-variation distance between frequencies and law
    p_value: float

    @property
    def agrees(self) -> bool:
        return self.in_range and self.p_value > 0.001


def translation_report(space: Space, n: int = 2000, seed: int = 0,
                       tools: Sequence[str] = TOOLS) -> list[TranslationCheck]:
    """Does each tool's random sampler draw each dimension from surveykit's law?

    For every tool and dimension, on ``n`` :func:`prior_samples`: whether every value
    lies in the dimension's range, and a goodness-of-fit test against surveykit's law —
    Kolmogorov–Smirnov of x (Uniform) or ln x (LogUniform) against the uniform
    distribution; χ² of the counts against :func:`integer_pmf` (Integer) or against
    equal shares (Categorical). ``statistic`` is the KS distance or the total-variation
    distance ½Σ|f̂_k − p_k|.
    """
    from scipy import stats

    space = _check_space(space)
    rows = []
    for tool in tools:
        pts = prior_samples(space, tool, n, seed)
        for d in space:
            vals = [p[d.name] for p in pts]
            in_range = all(d.contains(v) for v in vals)
            if isinstance(d, (Uniform, LogUniform)):
                x = np.array(vals, float)
                lo, hi = d.low, d.high
                if isinstance(d, LogUniform):
                    x, lo, hi = np.log(x), math.log(lo), math.log(hi)
                    law = "log-uniform (KS on ln x)"
                else:
                    law = "uniform (KS)"
                res = stats.kstest(x, stats.uniform(lo, hi - lo).cdf)
                stat, p = float(res.statistic), float(res.pvalue)
            else:
                if isinstance(d, Integer):
                    support, probs = integer_pmf(d)
                    law = "log-scale integer bins (χ²)" if d.log else "uniform integers (χ²)"
                    index = {int(k): i for i, k in enumerate(support)}
                    idx = [index[int(v)] for v in vals]
                else:
                    probs = np.full(len(d.choices), 1.0 / len(d.choices))
                    law = "equal shares (χ²)"
                    idx = [d.index(v) for v in vals]
                counts = np.bincount(idx, minlength=len(probs))
                stat = 0.5 * float(np.abs(counts / len(vals) - probs).sum())
                p = float(stats.chisquare(counts, probs * len(vals)).pvalue)
            rows.append(TranslationCheck(tool, d.name, law, in_range, stat, p))
    return rows


# --------------------------------------------------------------------------- the record


@dataclass
class SearchRecord:
    """One search: who ran it, every trial in order, and how long it took (§6.7).

    ``trials`` are surveykit :class:`~surveykit.tuning.base.Trial` objects (params in
    surveykit's types, ``state`` "complete" or "failed", ``value``, ``error``, start and
    end times); ``seconds`` is the wall time of the whole search, tool included.
    """

    tool: str
    algorithm: str
    trials: list[Trial]
    seconds: float
    seed: int | None = None
    settings: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.tool} {self.algorithm}"

    @property
    def n_trials(self) -> int:
        return len(self.trials)

    @property
    def values(self) -> np.ndarray:
        """Each trial's value in order, NaN for a failed one."""
        return np.array([t.value if t.ok else np.nan for t in self.trials], dtype=float)

    @property
    def params(self) -> list[dict]:
        return [dict(t.params) for t in self.trials]

    @property
    def n_failed(self) -> int:
        return sum(not t.ok for t in self.trials)

    @property
    def best(self) -> Trial | None:
        """The completed trial with the lowest value (the earliest on ties)."""
        return best(self.trials)

    @property
    def best_value(self) -> float:
        b = self.best
        return float(b.value) if b is not None else math.nan

    @property
    def best_params(self) -> dict | None:
        b = self.best
        return dict(b.params) if b is not None else None

    @property
    def trials_to_best(self) -> int | None:
        """How many trials the search ran until it first found its best value (1-based)."""
        b = self.best
        return None if b is None else self.trials.index(b) + 1

    def best_so_far(self) -> np.ndarray:
        """Running minimum of the values, trial by trial (NaN before the first success)."""
        v = self.values
        out = np.full(len(v), np.nan)
        current = math.inf
        for i, x in enumerate(v):
            if np.isfinite(x):
                current = min(current, x)
            out[i] = current if math.isfinite(current) else np.nan
        return out

    @property
    def objective_seconds(self) -> float:
        """Seconds spent inside the objective (the trainings)."""
        return float(sum(t.duration or 0.0 for t in self.trials))

    @property
    def overhead_seconds(self) -> float:
        """The tool's own seconds: proposing points, fitting its model, bookkeeping."""
        return max(self.seconds - self.objective_seconds, 0.0)

    def summary(self) -> dict:
        return {"tool": self.tool, "algorithm": self.algorithm, "seed": self.seed,
                "n_trials": self.n_trials, "n_failed": self.n_failed,
                "best_value": self.best_value, "trials_to_best": self.trials_to_best,
                "best_params": self.best_params, "seconds": self.seconds,
                "objective_seconds": self.objective_seconds,
                "overhead_seconds": self.overhead_seconds}

    def __repr__(self) -> str:
        return (f"SearchRecord({self.label!r}, {self.n_trials} trials, best "
                f"{self.best_value:.4g} at trial {self.trials_to_best}, {self.seconds:.1f} s)")


def pooled_trials(records: Sequence[SearchRecord]) -> list[Trial]:
    """Every trial of several searches on the same objective, as one history: copies
    renumbered 0, 1, 2… in order, each with ``info["search"]`` = its search's label."""
    import dataclasses

    out = []
    for r in records:
        for t in r.trials:
            out.append(dataclasses.replace(t, number=len(out), info={**t.info,
                                                                     "search": r.label}))
    return out


def trials_to_reach(record: SearchRecord, target: float) -> int | None:
    """The first trial (1-based) after which the best value so far is ≤ ``target``, or None."""
    target = check_range("target", target)
    hits = np.flatnonzero(np.nan_to_num(record.best_so_far(), nan=math.inf) <= target)
    return int(hits[0]) + 1 if len(hits) else None


# --------------------------------------------------------------------------- running


class _Evaluator:
    """Calls the objective for a tool exactly as :class:`~surveykit.tuning.study.Study`
    does: one surveykit Trial per call (``seed`` = ``trial_seed(search seed, number)``),
    run by ``study.evaluate`` (timed; an exception or a NaN/±inf value is a failed trial
    with its error text)."""

    def __init__(self, objective: Callable, space: Space, n_trials: int, budget, seed: int):
        if not callable(objective):
            raise ValueError(f"objective must be callable (objective(trial) -> float); "
                             f"got {objective!r}")
        self.objective, self.space, self.n_trials = objective, space, n_trials
        self.budget = None if budget is None else check_range("budget", budget, 0.0,
                                                              low_closed=False)
        self.seed = seed
        self.trials: list[Trial] = []

    def __call__(self, params: dict) -> float:
        """The trial's value, or NaN when it failed (what the tool is told)."""
        from .study import evaluate, trial_seed

        if len(self.trials) >= self.n_trials:
            raise RuntimeError(f"the tool asked for more than n_trials={self.n_trials} trials")
        number = len(self.trials)
        trial = Trial(number=number, params=params, budget=self.budget,
                      seed=trial_seed(self.seed, number))
        result = evaluate(self.objective, trial)
        trial.started, trial.finished = result.started, result.finished
        trial.metrics.update(result.metrics)
        trial.info.update(result.info)
        if result.error is None:
            trial.state, trial.value = "complete", float(result.value)
        else:
            trial.state, trial.error = "failed", result.error
        self.trials.append(trial)
        return trial.value if trial.ok else math.nan


@contextlib.contextmanager
def _quiet():
    """Silence the tools' logging and warnings while they run; restore afterwards."""
    loggers = {name: logging.getLogger(name) for name in ("optuna", "hyperopt")}
    levels = {name: lg.level for name, lg in loggers.items()}
    optuna_level = None
    if importlib.util.find_spec("optuna") is not None:
        import optuna

        optuna_level = optuna.logging.get_verbosity()
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    for lg in loggers.values():
        lg.setLevel(max(lg.level, logging.WARNING))
    try:
        with warnings.catch_warnings():
            for module in ("optuna", "hyperopt", "keras_tuner", r"sklearn\.gaussian_process"):
                warnings.filterwarnings("ignore", module=module)
            yield
    finally:
        for name, lg in loggers.items():
            lg.setLevel(levels[name])
        if optuna_level is not None:
            import optuna

            optuna.logging.set_verbosity(optuna_level)


def _check_run_args(space, n_trials, seed, n_initial):
    space = _check_space(space)
    n_trials = check_int("n_trials", n_trials, 1)
    seed = check_int("seed", seed, 0, 2**31 - 2)
    if n_initial is not None:
        n_initial = check_int("n_initial", n_initial, 1)
    return space, n_trials, seed, n_initial


def run_optuna(objective: Callable, space: Space, n_trials: int, seed: int = 0, *,
               sampler: str = "tpe", n_initial: int | None = None,
               budget: float | None = None) -> SearchRecord:
    """Optuna's search on ``space``, evaluating ``objective`` exactly ``n_trials`` times (§6.7).

    ``sampler``: "tpe" (``TPESampler(seed=seed)``, the Tree-structured Parzen Estimator:
    it models p(x | good) and p(x | bad) and proposes the x maximising their ratio, after
    ``n_initial`` random trials — Optuna's default 10) or "random"
    (``RandomSampler(seed=seed)``). Driven by ask/tell on the translated space; a failed
    trial is told ``TrialState.FAIL``.
    """
    import optuna

    space, n_trials, seed, n_initial = _check_run_args(space, n_trials, seed, n_initial)
    sampler = check_choice("sampler", sampler, ("tpe", "random"))
    ev = _Evaluator(objective, space, n_trials, budget, seed)
    start = time.perf_counter()
    with _quiet():
        if sampler == "tpe":
            kwargs = {} if n_initial is None else {"n_startup_trials": n_initial}
            smp = optuna.samplers.TPESampler(seed=seed, **kwargs)
        else:
            smp = optuna.samplers.RandomSampler(seed=seed)
        study = optuna.create_study(direction="minimize", sampler=smp)
        dists = to_optuna(space)
        for _ in range(n_trials):
            t = study.ask(dists)
            value = ev(from_tool(space, t.params, "optuna"))
            if math.isfinite(value):
                study.tell(t, value)
            else:
                study.tell(t, state=optuna.trial.TrialState.FAIL)
    seconds = time.perf_counter() - start
    algorithm = {"tpe": "TPE", "random": "random"}[sampler]
    return SearchRecord("Optuna", algorithm, ev.trials, seconds, seed,
                        {"sampler": sampler, "n_initial": n_initial})


def run_hyperopt(objective: Callable, space: Space, n_trials: int, seed: int = 0, *,
                 algorithm: str = "tpe", n_initial: int | None = None,
                 budget: float | None = None) -> SearchRecord:
    """HyperOpt's ``fmin`` on ``space``, evaluating ``objective`` exactly ``n_trials`` times.

    ``algorithm``: "tpe" (``tpe.suggest``, after ``n_initial`` random trials — HyperOpt's
    default ``n_startup_jobs`` is 20), "random" (``rand.suggest``) or "anneal"
    (``anneal.suggest``); ``rstate=np.random.default_rng(seed)``. A failed trial returns
    ``{"status": STATUS_FAIL}``.
    """
    from hyperopt import STATUS_FAIL, STATUS_OK, Trials, anneal, fmin, rand, tpe
    from hyperopt.exceptions import AllTrialsFailed

    space, n_trials, seed, n_initial = _check_run_args(space, n_trials, seed, n_initial)
    algorithm = check_choice("algorithm", algorithm, ("tpe", "random", "anneal"))
    ev = _Evaluator(objective, space, n_trials, budget, seed)
    if algorithm == "tpe":
        algo = tpe.suggest if n_initial is None else functools.partial(
            tpe.suggest, n_startup_jobs=n_initial)
    else:
        algo = {"random": rand.suggest, "anneal": anneal.suggest}[algorithm]

    def fn(values):
        value = ev(from_tool(space, values, "hyperopt"))
        if math.isfinite(value):
            return {"status": STATUS_OK, "loss": value}
        return {"status": STATUS_FAIL}

    start = time.perf_counter()
    with _quiet():
        try:
            fmin(fn, to_hyperopt(space), algo=algo, max_evals=n_trials, trials=Trials(),
                 rstate=np.random.default_rng(seed), verbose=False, show_progressbar=False,
                 return_argmin=False)
        except AllTrialsFailed:  # raised after the last trial when none succeeded
            pass
    seconds = time.perf_counter() - start
    name = {"tpe": "TPE", "random": "random", "anneal": "anneal"}[algorithm]
    return SearchRecord("HyperOpt", name, ev.trials, seconds, seed,
                        {"algorithm": algorithm, "n_initial": n_initial})


def run_kerastuner(objective: Callable, space: Space, n_trials: int, seed: int = 0, *,
                   oracle: str = "bayesian", n_initial: int | None = None,
                   budget: float | None = None) -> SearchRecord:
    """KerasTuner's search on ``space``, evaluating ``objective`` exactly ``n_trials`` times.

    ``oracle``: "bayesian" (``BayesianOptimizationOracle``: a Gaussian process with a
    Matérn 5/2 kernel and the lower-confidence-bound acquisition μ − 2.6·σ, after
    ``n_initial`` random trials — KerasTuner's default max(3·d, 3)) or "random"
    (``RandomSearchOracle``). A ``BaseTuner`` subclass's ``run_trial`` calls the
    objective and returns its value (NaN for a failed trial, which KerasTuner marks
    FAILED; ``max_consecutive_failed_trials`` is raised to ``n_trials`` so failures never
    end the search early; note that its GP ignores failed trials, so it may propose a
    failing region again). A proposal outside the space raises ValueError (KerasTuner
    would otherwise count it as one more failed trial). KerasTuner treats seed 0 as "no
    seed", so its oracle gets ``seed + 1``. Its files go to a temporary directory,
    removed afterwards.
    """
    import keras_tuner

    space, n_trials, seed, n_initial = _check_run_args(space, n_trials, seed, n_initial)
    oracle = check_choice("oracle", oracle, ("bayesian", "random"))
    ev = _Evaluator(objective, space, n_trials, budget, seed)

    class _ObjectiveTuner(keras_tuner.engine.base_tuner.BaseTuner):
        def run_trial(self, trial, *args, **kwargs):
            try:
                params = from_tool(space, trial.hyperparameters.values, "kerastuner")
            except ValueError as exc:  # fatal: KerasTuner would count it as a failed trial
                raise keras_tuner.errors.FatalValueError(
                    f"KerasTuner proposed a point outside the space: {exc}") from exc
            return ev(params)

    common = dict(max_trials=n_trials, seed=seed + 1, hyperparameters=to_kerastuner(space),
                  allow_new_entries=False, tune_new_entries=False,
                  max_consecutive_failed_trials=n_trials + 1)
    start = time.perf_counter()
    with _quiet(), tempfile.TemporaryDirectory(prefix="surveykit-kerastuner-") as directory:
        if oracle == "bayesian":
            kwargs = {} if n_initial is None else {"num_initial_points": n_initial}
            orc = keras_tuner.oracles.BayesianOptimizationOracle(**common, **kwargs)
        else:
            orc = keras_tuner.oracles.RandomSearchOracle(**common)
        tuner = _ObjectiveTuner(oracle=orc, directory=directory, project_name="search",
                                overwrite=True)
        tuner.search(verbose=0)
    seconds = time.perf_counter() - start
    name = {"bayesian": "BayesianOptimization", "random": "random"}[oracle]
    return SearchRecord("KerasTuner", name, ev.trials, seconds, seed,
                        {"oracle": oracle, "n_initial": n_initial})


def record_from_study(study, *, tool: str = "surveykit", algorithm: str | None = None,
                      seconds: float | None = None, seed: int | None = None) -> SearchRecord:
    """A :class:`SearchRecord` of a finished surveykit :class:`~surveykit.tuning.study.Study`
    (its trials in number order; ``seconds`` defaults to the span of their start/end times)."""
    trials = [t for t in study.trials if t.state in ("complete", "failed")]
    if seconds is None:
        starts = [t.started for t in trials if t.started is not None]
        ends = [t.finished for t in trials if t.finished is not None]
        seconds = (max(ends) - min(starts)) if starts and ends else 0.0
    strategy = getattr(study, "strategy", None)
    if algorithm is None:
        algorithm = getattr(strategy, "name", "strategy")
    if seed is None:
        seed = getattr(strategy, "seed", None)
    return SearchRecord(tool, algorithm, trials, float(seconds), seed,
                        strategy.describe() if strategy is not None else {})


def run_surveykit(strategy: Strategy, objective: Callable, n_trials: int, *,
                  algorithm: str | None = None) -> SearchRecord:
    """One of surveykit's own strategies on the same terms: a
    :class:`~surveykit.tuning.study.Study` in memory, ``n_trials`` trials, wall time
    measured around ``study.optimize``."""
    from .study import Study

    if not isinstance(strategy, Strategy):
        raise ValueError(f"strategy must be a surveykit Strategy; got {strategy!r}")
    n_trials = check_int("n_trials", n_trials, 1)
    study = Study(strategy.space, strategy)
    start = time.perf_counter()
    study.optimize(objective, n_trials, progress=None)
    seconds = time.perf_counter() - start
    return record_from_study(study, algorithm=algorithm, seconds=seconds)


# --------------------------------------------------------------------------- side by side

#: The searches :func:`compare` runs: surveykit's random search (§6.3) and Bayesian
#: optimization (§6.6), and the three AutoML tools' model-based searches.
METHODS = ("surveykit random", "surveykit BO", "Optuna TPE", "HyperOpt TPE", "KerasTuner BO")


def run_method(method: str, objective: Callable, space: Space, n_trials: int, seed: int = 0,
               *, n_initial: int | None = None) -> SearchRecord:
    """One of :data:`METHODS` on ``space`` with ``n_trials`` trials; ``n_initial`` random
    (or Sobol, for surveykit's BO) trials before each model-based search's model takes over
    (None: each tool's default, :data:`TOOL_DEFAULTS`). The record's ``algorithm`` is the
    method's short name ("random", "BO", "TPE"), so its ``label`` is the method."""
    import dataclasses

    method = check_choice("method", method, METHODS)
    if method == "surveykit random":
        from .strategies import RandomSearch

        rec = run_surveykit(RandomSearch(_check_space(space), seed=seed), objective, n_trials)
    elif method == "surveykit BO":
        from .bayes import BayesianOptimization

        rec = run_surveykit(BayesianOptimization(_check_space(space), n_initial=n_initial,
                                                 seed=seed), objective, n_trials)
    elif method == "Optuna TPE":
        rec = run_optuna(objective, space, n_trials, seed, n_initial=n_initial)
    elif method == "HyperOpt TPE":
        rec = run_hyperopt(objective, space, n_trials, seed, n_initial=n_initial)
    else:
        rec = run_kerastuner(objective, space, n_trials, seed, n_initial=n_initial)
    return dataclasses.replace(rec, algorithm=method.split(" ", 1)[1])


def compare(objective: Callable, space: Space, n_trials: int, *, seeds: Sequence[int] = (0,),
            n_initial: int | None = None, methods: Sequence[str] = METHODS,
            progress: str | None = None) -> dict[str, list[SearchRecord]]:
    """Every method in ``methods`` on the same objective, space and budget, once per seed:
    ``{method: [record for each seed]}`` (§6.7's tools side by side with §6.3, §6.6).
    ``progress``: a progress bar's label (None: no bar)."""
    methods = [check_choice("method", m, METHODS) for m in methods]
    seeds = [check_int("seed", s, 0) for s in seeds]
    if not methods or not seeds:
        raise ValueError("compare needs at least one method and one seed")
    jobs = [(m, s) for m in methods for s in seeds]
    out: dict[str, list[SearchRecord]] = {m: [] for m in methods}
    if progress is None:
        for m, s in jobs:
            out[m].append(run_method(m, objective, space, n_trials, s, n_initial=n_initial))
        return out
    from ..progress import progress as progress_bar

    with progress_bar(jobs, progress) as bar:
        for m, s in bar:
            out[m].append(run_method(m, objective, space, n_trials, s, n_initial=n_initial))
    return out


def default_startup_is_random(objective: Callable, space: Space, n_trials: int,
                              seed: int = 0) -> dict[str, bool]:
    """With its default settings, does each tool's model-based search propose exactly
    what its random search proposes for the first ``n_trials`` trials?

    True means the budget ends before the tool's default number of random start-up trials
    (:data:`TOOL_DEFAULTS`): its "TPE" or "Bayesian optimization" is then random search.
    Compares Optuna's TPESampler with RandomSampler, HyperOpt's tpe.suggest with
    rand.suggest and KerasTuner's Bayesian oracle with its random oracle, same seed."""
    def same(a, b):
        return a.params == b.params

    return {
        "Optuna TPE": same(run_optuna(objective, space, n_trials, seed),
                           run_optuna(objective, space, n_trials, seed, sampler="random")),
        "HyperOpt TPE": same(run_hyperopt(objective, space, n_trials, seed),
                             run_hyperopt(objective, space, n_trials, seed,
                                          algorithm="random")),
        "KerasTuner BO": same(run_kerastuner(objective, space, n_trials, seed),
                              run_kerastuner(objective, space, n_trials, seed,
                                             oracle="random")),
    }


# --------------------------------------------------------------------------- the test score


@dataclass(frozen=True)
class HoldoutScore:
    """A configuration retrained as the search trained it, scored on validation and test."""

    params: dict
    val_loss: float
    test_loss: float
    test_accuracy: float
    search_value: float  # the validation loss the search recorded for the same training
    model: object = field(default=None, repr=False, compare=False)  # the retrained model

    @property
    def reproduces_search(self) -> bool:
        """Whether the retraining gave the search's validation loss again (to 1e-6)."""
        return math.isclose(self.val_loss, self.search_value, rel_tol=1e-6, abs_tol=1e-9)


def holdout_score(objective, params: Mapping, *, budget=None, seed: int = 0) -> HoldoutScore:
    """Retrain ``params`` exactly as an :class:`~surveykit.tuning.objectives.MLPObjective`
    trains a trial (same builder, optimizer, epochs, batch size and seed) and score the
    model on the **test** part — data no search has seen (§7.3: the validation loss a
    search minimised is an optimistic estimate of the best configuration's quality).

    The test loss is the same cross-entropy as the objective's validation loss, computed on
    ``split.X_test``; the validation loss is computed again by the objective's own
    :meth:`~surveykit.tuning.objectives.MLPObjective.validation_loss`, and
    ``search_value`` is what the objective returns for these params (from its cache), so
    :attr:`HoldoutScore.reproduces_search` checks that the retraining is the search's one.
    """
    from . import objectives

    if not isinstance(objective, objectives.MLPObjective):
        raise ValueError(f"objective must be an MLPObjective; got {objective!r}")
    search_value = objective.evaluate(params, budget, seed).value
    run = objective.fit(params, budget, seed)
    if run.diverged:
        nan = math.nan
        return HoldoutScore(dict(params), nan, nan, nan, search_value)
    val_loss, _ = objective.scores(run.model, "val")
    test_loss, test_acc = objective.scores(run.model, "test")
    return HoldoutScore(dict(params), val_loss, test_loss, test_acc, search_value, run.model)


# --------------------------------------------------------------------------- tables


def comparison_table(records: Sequence[SearchRecord], *, times: bool = True,
                     extra: Mapping[str, Sequence] | None = None) -> str:
    """A plain-text table, one row per search: best value, trials to reach it, failures,
    and (``times=True``) the wall time split into the objective's and the tool's own
    seconds; ``extra`` adds columns ``{header: one value per record}``."""
    records = list(records)
    if not records:
        raise ValueError("records must hold at least one SearchRecord; got none")
    extra = dict(extra or {})
    for header, vals in extra.items():
        if len(vals) != len(records):
            raise ValueError(f"extra column {header!r} needs {len(records)} values; "
                             f"got {len(vals)}")
    width = max(len(r.label) for r in records)
    head = f"{'search':<{width}}  {'best':>7}  {'at trial':>8}  {'failed':>6}"
    head += "".join(f"  {h:>{max(len(h), 8)}}" for h in extra)
    if times:
        head += f"  {'wall':>7}  {'objective':>9}  {'tool':>7}"
    lines = [head]
    for i, r in enumerate(records):
        at = "—" if r.trials_to_best is None else f"{r.trials_to_best}/{r.n_trials}"
        line = f"{r.label:<{width}}  {r.best_value:7.4f}  {at:>8}  {r.n_failed:>6}"
        for h, vals in extra.items():
            v = vals[i]
            text = f"{v:.4f}" if isinstance(v, float) else str(v)
            line += f"  {text:>{max(len(h), 8)}}"
        if times:
            line += (f"  {r.seconds:5.1f} s  {r.objective_seconds:7.1f} s  "
                     f"{r.overhead_seconds:5.1f} s")
        lines.append(line)
    return "\n".join(lines)


# --------------------------------------------------------------------------- which tools run here


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


#: The survey's "popular tools" (§6.7), and what was found when this was written.
_NAMED = (
    ("Optuna", "optuna", "optuna",
     "runs offline; its default sampler is TPE (others: random, grid, CMA-ES, Gaussian "
     "process, NSGA-II); pruners such as Hyperband stop bad trials early"),
    ("HyperOpt", "hyperopt", "hyperopt",
     "runs offline; TPE, random search and annealing through fmin"),
    ("KerasTuner", "keras_tuner", "keras-tuner",
     "runs offline; the Keras-native tuner: random, Bayesian (GP), Hyperband, grid oracles"),
    ("Ray Tune", "ray", "ray",
     "not a dependency of this project: `pip install --dry-run ray` resolves a wheel for "
     "Python 3.11 (ray 2.60.0), so it would install; it schedules trials on a local Ray "
     "cluster and its searchers wrap Optuna and HyperOpt (OptunaSearch, HyperOptSearch)"),
    ("Auto-sklearn", "autosklearn", "auto-sklearn",
     "does not install here: its last release (0.15.0) pins scikit-learn < 0.25, which "
     "has no wheel for Python 3.11 and fails to build; and it searches scikit-learn "
     "pipelines, not Keras models"),
    ("Google AutoML", None, None,
     "a cloud service (Vertex AI AutoML): needs a Google Cloud account, billing and the "
     "network — it cannot run in this offline notebook"),
)


def named_tools() -> list[dict]:
    """The survey's named AutoML tools: whether each is importable in this environment
    (its installed version, or None) and a note on what it is and why it does or does not
    run here. ``installed`` is computed now; the notes record what was found when the
    notebook was written (a ``pip install --dry-run`` for Ray Tune and Auto-sklearn)."""
    rows = []
    for name, module, dist, note in _NAMED:
        installed = module is not None and importlib.util.find_spec(module) is not None
        rows.append({"tool": name, "installed": installed,
                     "version": _version(dist) if installed and dist else None,
                     "note": note})
    return rows
