"""Adequate search (survey §6.4): budgeted trials stopped early, and stopping the search itself.

§6.4: *"Adequate search focuses on searching just long enough to find diminishing returns,
saving compute by stopping early"* — it *"combines random/grid search with early-stopping of
tuning trials"* and *"stops when additional tuning yields little improvement"*. Both halves
are here:

- **Early-stopping of trials.** A trial gets a *budget* (epochs): :class:`SuccessiveHalving`
  trains ``n`` random configurations for a small budget ``r₀``, keeps the best ``⌊n/η⌋``
  (:func:`survivors`), trains those ``η`` times longer, and so on up to the maximum budget
  (Jamieson & Talwalkar 2016); :class:`Hyperband` (Li et al. 2018, Algorithm 1) runs
  successive halving in ``s_max + 1`` brackets that trade the number of configurations
  against how early they are judged. For maximum budget ``R`` (in units of the minimum
  budget) and reduction factor ``η``::

      s_max = ⌊log_η R⌋,  bracket s = s_max … 0:  n = ⌈(s_max + 1) η^s / (s + 1)⌉,
      rung i = 0 … s:  nᵢ = ⌊n η^(−i)⌋ configurations, each trained for rᵢ = R η^(i−s)

  (:func:`hyperband_schedule`; for R = 81, η = 3 this is the paper's Table 1).
- **Stopping the search.** :class:`NoImprovement` is a ``stop(trials)`` rule for
  :meth:`Study.optimize <surveykit.tuning.study.Study.optimize>`: stop once ``patience``
  finished trials in a row have not improved the best value by more than ``min_delta``
  (§4.4's early-stopping rule, applied to the tuning loop). Its risk — the survey's
  *"risk of premature stopping"* — is measured by :func:`stop_summary`.

A promotion is a *new trial* with the same params and a larger budget, and
``info = {"bracket": s, "rung": i, "parent": number of the trial it continues}``; the
objective trains it for ``trial.budget`` epochs. :class:`CurveObjective` makes that cheap
when experimenting: each configuration is trained once, to the maximum budget, and a trial
with budget ``b`` reads the validation loss after epoch ``b`` — what training for ``b``
epochs from the same seed gives.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..validation import check_int, check_range
from .base import Strategy, Suggestion, Trial, best, completed, running
from .space import Space
from .strategies import active

__all__ = ["survivors", "successive_halving_round", "halving_schedule", "hyperband_schedule",
           "SuccessiveHalving", "Hyperband", "NoImprovement", "stop_index", "stop_summary",
           "permutation_stops", "epochs_spent", "incumbent_curve", "best_trial_at",
           "CurveObjective", "LearningCurves", "simulate", "equal_budget_comparison",
           "replay_searches"]


# --------------------------------------------------------------------------- the formulas


def survivors(n: int, eta: int) -> int:
    """How many of ``n`` configurations a successive-halving round keeps: ``⌊n/η⌋``, at
    least 1 (Li et al.'s ``top_k(T, L, ⌊nᵢ/η⌋)``; the last configuration is never dropped)."""
    n = check_int("n (configurations)", n, 1)
    eta = check_int("eta (reduction factor)", eta, 2)
    return max(1, n // eta)


def successive_halving_round(configs: Sequence, losses: Sequence[float], budget: float,
                             eta: int) -> tuple[list, float]:
    """One round of successive halving (§6.4): keep the ``⌊n/η⌋`` (at least 1)
    configurations with the **lowest** validation loss, best first (ties: the earlier
    one), and give them ``η`` times the budget. Returns ``(kept, budget·η)``.

    A failed configuration has loss NaN or ±inf and is never kept ahead of a finite one.
    """
    configs = list(configs)
    losses = np.asarray(losses, dtype=float)
    if losses.shape != (len(configs),) or not configs:
        raise ValueError(f"losses must give one value per configuration ({len(configs)}, at "
                         f"least one); got {losses.shape[0] if losses.ndim else 'a scalar'}")
    budget = check_range("budget", budget, 0.0, math.inf, low_closed=False)
    keep = survivors(len(configs), eta)
    filled = np.where(np.isfinite(losses), losses, np.inf)
    order = np.argsort(filled, kind="stable")[:keep]
    return [configs[i] for i in order], budget * eta


def _halvings(min_budget: float, max_budget: float, eta: int) -> int:
    """``s_max = ⌊log_η(max/min)⌋``, computed without floating-point surprises."""
    s = 0
    while min_budget * eta ** (s + 1) <= max_budget * (1 + 1e-12):
        s += 1
    return s


def _budget(max_budget: float, eta: int, steps_down: int) -> float:
    """``max_budget / η^steps_down``, as an exact integer when it is one."""
    b = max_budget / eta**steps_down
    r = round(b)
    return float(r) if abs(b - r) <= 1e-9 * max(1.0, abs(b)) else b


def _check_budgets(min_budget, max_budget, eta) -> tuple[float, float, int]:
    min_budget = check_range("min_budget", min_budget, 0.0, math.inf, low_closed=False)
    max_budget = check_range("max_budget", max_budget, min_budget, math.inf)
    eta = check_int("eta (reduction factor)", eta, 2)
    return min_budget, max_budget, eta


def halving_schedule(n_configs: int, min_budget: float, max_budget: float,
                     eta: int = 3) -> list[tuple[int, float]]:
    """Successive halving's rungs ``[(nᵢ, rᵢ), …]``: ``n₀ = n_configs``,
    ``nᵢ₊₁ = ⌊nᵢ/η⌋`` (at least 1) and ``rᵢ = max_budget · η^(i − s)`` for
    ``i = 0 … s``, ``s = ⌊log_η(max_budget/min_budget)⌋`` — so the last rung trains for
    the maximum budget and the first for at least the minimum."""
    n = check_int("n_configs", n_configs, 1)
    min_budget, max_budget, eta = _check_budgets(min_budget, max_budget, eta)
    s = _halvings(min_budget, max_budget, eta)
    rungs = []
    for i in range(s + 1):
        rungs.append((n, _budget(max_budget, eta, s - i)))
        n = survivors(n, eta)
    return rungs


def hyperband_schedule(min_budget: float, max_budget: float,
                       eta: int = 3) -> dict[int, list[tuple[int, float]]]:
    """Hyperband's brackets ``{s: [(nᵢ, rᵢ), …]}`` for ``s = s_max … 0`` (Li et al. 2018,
    Algorithm 1, with R = max_budget/min_budget)::

        s_max = ⌊log_η R⌋,   n = ⌈(s_max + 1) η^s / (s + 1)⌉,   nᵢ = ⌊n η^(−i)⌋,
        rᵢ = max_budget · η^(i − s)

    Every bracket spends about the same total budget, ``(s_max + 1) · max_budget`` per
    rung; bracket ``s_max`` is the most aggressive successive halving, bracket 0 is random
    search at the maximum budget."""
    min_budget, max_budget, eta = _check_budgets(min_budget, max_budget, eta)
    s_max = _halvings(min_budget, max_budget, eta)
    out = {}
    for s in range(s_max, -1, -1):
        n = -(-((s_max + 1) * eta**s) // (s + 1))  # integer ceiling
        out[s] = halving_schedule(n, _budget(max_budget, eta, s), max_budget, eta)
    return out


# --------------------------------------------------------------------------- strategies


def _bracket_step(space: Space, rng: Callable[[int], np.random.Generator],
                  mine: Sequence[Trial], rungs: list[tuple[int, float]], info: dict, n: int,
                  first_number: int) -> tuple[list[Suggestion], str]:
    """Up to ``n`` suggestions for one bracket, from its own trials ``mine`` (non-abandoned,
    with ``info["rung"]``). Returns ``(suggestions, status)``, status ``"ready"``,
    ``"waiting"`` (a rung still runs) or ``"done"``."""
    by_rung = [[t for t in mine if t.info.get("rung") == i] for i in range(len(rungs))]
    out: list[Suggestion] = []
    size0, budget0 = rungs[0]
    for _ in range(min(n, size0 - len(by_rung[0]))):  # rung 0: fresh random configurations
        number = first_number + len(out)
        out.append(Suggestion(space.sample(rng(number)), budget0, {**info, "rung": 0}))
    if len(by_rung[0]) + len(out) < size0 or out:
        return out, "ready"
    for i in range(len(rungs) - 1):
        if running(by_rung[i]):
            return out, "waiting"
        done = sorted(completed(by_rung[i]), key=lambda t: (t.value, t.number))
        keep = min(rungs[i + 1][0], len(done))
        promoted = {t.info.get("parent") for t in by_rung[i + 1]}
        todo = [t for t in done[:keep] if t.number not in promoted]
        for t in todo[:n]:
            out.append(Suggestion(dict(t.params), rungs[i + 1][1],
                                  {**info, "rung": i + 1, "parent": t.number}))
        if todo:
            return out, "ready"
    if running(by_rung[-1]):
        return out, "waiting"
    return out, "done"


class SuccessiveHalving(Strategy):
    """Synchronous successive halving (§6.4's early-stopping of tuning trials).

    Rung 0: ``n_configs`` configurations drawn as by random search (trial ``k`` from
    ``rng(k)``, so with the same seed they are :class:`RandomSearch`'s), each trained for
    the smallest budget ``r₀``; once every trial of rung ``i`` has finished, the best
    ``⌊nᵢ/η⌋`` (:func:`successive_halving_round`) are promoted — new trials with the same
    params and budget ``rᵢ₊₁ = η·rᵢ`` — up to ``max_budget`` (:func:`halving_schedule`).
    Trials carry ``info = {"bracket": s, "rung": i}`` and, for promotions, ``"parent"``
    (the number of the trial promoted). While a rung is incomplete and trials are running,
    ``ask`` returns ``[]`` (wait); after the last rung, ``[]`` with nothing running.
    Failed trials are never promoted.
    """

    name = "successive-halving"

    def __init__(self, space: Space, n_configs: int, min_budget: float, max_budget: float,
                 eta: int = 3, seed: int = 0):
        super().__init__(space, seed=seed)
        self.n_configs = check_int("n_configs", n_configs, 1)
        self.min_budget, self.max_budget, self.eta = _check_budgets(min_budget, max_budget, eta)
        self.rungs = halving_schedule(self.n_configs, self.min_budget, self.max_budget, self.eta)
        self.bracket = len(self.rungs) - 1

    def schedule(self) -> list[tuple[int, float]]:
        """The rungs ``[(nᵢ, rᵢ), …]``."""
        return list(self.rungs)

    def total_budget(self) -> float:
        """Σᵢ nᵢ rᵢ: the epochs spent when every trial trains from scratch."""
        return float(sum(n * r for n, r in self.rungs))

    def ask(self, trials: Sequence[Trial], n: int = 1) -> list[Suggestion]:
        n = check_int("n", n, 1)
        mine = [t for t in active(trials) if t.info.get("bracket") == self.bracket
                and "rung" in t.info]
        out, _ = _bracket_step(self.space, self.rng, mine, self.rungs,
                               {"bracket": self.bracket}, n, len(trials))
        return out

    def describe(self) -> dict:
        return {**super().describe(), "n_configs": self.n_configs,
                "min_budget": self.min_budget, "max_budget": self.max_budget, "eta": self.eta}


class Hyperband(Strategy):
    """Hyperband (Li et al. 2018): successive halving in every bracket of
    :func:`hyperband_schedule`, from the most aggressive (``s = s_max``: many
    configurations, judged after ``min_budget``) to plain random search at ``max_budget``
    (``s = 0``), ``iterations`` times over.

    Brackets run in that order; while a bracket waits for its running trials, the next
    bracket starts (so parallel workers stay busy). Trials carry
    ``info = {"bracket": s, "rung": i, "iteration": k}`` (+ ``"parent"`` for promotions).
    Rung-0 configurations are drawn with ``rng(trial number)``, as :class:`RandomSearch`
    draws them. ``[]`` with nothing running once every bracket is done.
    """

    name = "hyperband"

    def __init__(self, space: Space, min_budget: float, max_budget: float, eta: int = 3,
                 seed: int = 0, *, iterations: int = 1):
        super().__init__(space, seed=seed)
        self.min_budget, self.max_budget, self.eta = _check_budgets(min_budget, max_budget, eta)
        self.iterations = check_int("iterations", iterations, 1)
        self.brackets = hyperband_schedule(self.min_budget, self.max_budget, self.eta)

    def schedule(self) -> dict[int, list[tuple[int, float]]]:
        """The brackets ``{s: [(nᵢ, rᵢ), …]}`` of one iteration."""
        return {s: list(r) for s, r in self.brackets.items()}

    def total_budget(self) -> float:
        """Σ over brackets and rungs of nᵢ rᵢ, times ``iterations``: the epochs spent when
        every trial trains from scratch."""
        return self.iterations * float(sum(n * r for rungs in self.brackets.values()
                                           for n, r in rungs))

    def n_trials(self) -> int:
        """How many trials the whole search runs (promotions included)."""
        return self.iterations * sum(n for rungs in self.brackets.values() for n, _ in rungs)

    def ask(self, trials: Sequence[Trial], n: int = 1) -> list[Suggestion]:
        n = check_int("n", n, 1)
        live = active(trials)
        out: list[Suggestion] = []
        for k in range(self.iterations):
            for s, rungs in self.brackets.items():
                if len(out) >= n:
                    return out
                mine = [t for t in live if t.info.get("bracket") == s
                        and t.info.get("iteration", 0) == k and "rung" in t.info]
                more, _ = _bracket_step(self.space, self.rng, mine, rungs,
                                        {"bracket": s, "iteration": k}, n - len(out),
                                        len(trials) + len(out))
                out.extend(more)
        return out

    def describe(self) -> dict:
        return {**super().describe(), "min_budget": self.min_budget,
                "max_budget": self.max_budget, "eta": self.eta, "iterations": self.iterations}


# --------------------------------------------------------------------------- stopping the search


def _finished(trials: Sequence[Trial]) -> list[Trial]:
    return sorted((t for t in trials if t.state in ("complete", "failed")),
                  key=lambda t: t.number)


@dataclass(frozen=True)
class NoImprovement:
    """``stop(trials) -> bool``: §6.4's *"stop when additional tuning yields little
    improvement"*.

    Going through the finished trials in number order with ``best = +inf``: a complete
    trial with ``value < best − min_delta`` improves (``best = value``, counter reset);
    any other finished trial — a smaller improvement, no improvement, or a failure — adds
    one to the counter. Stop once the counter reaches ``patience``: the last ``patience``
    trials brought nothing worth having. Running and abandoned trials are ignored.
    (The rule of :func:`surveykit.crossval.adequate_stop`, written for losses.)
    """

    patience: int
    min_delta: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "patience", check_int("patience", self.patience, 1))
        object.__setattr__(self, "min_delta", check_range("min_delta", self.min_delta, 0.0))

    def since_improvement(self, trials: Sequence[Trial]) -> int:
        """How many finished trials in a row have not improved the best value."""
        best_value, since = math.inf, 0
        for t in _finished(trials):
            if t.ok and t.value < best_value - self.min_delta:
                best_value, since = t.value, 0
            else:
                since += 1
        return since

    def __call__(self, trials: Sequence[Trial]) -> bool:
        return self.since_improvement(trials) >= self.patience

    def trials_run_many(self, values) -> np.ndarray:
        """:meth:`trials_run` for every row of ``values`` (shape (searches, trials)) at once."""
        V = np.atleast_2d(np.asarray(values, dtype=float))
        m, n = V.shape
        best_value = np.full(m, np.inf)
        since = np.zeros(m, dtype=int)
        out = np.full(m, n, dtype=int)
        live = np.ones(m, dtype=bool)
        for k in range(n):
            v = V[:, k]
            improved = np.isfinite(v) & (v < best_value - self.min_delta)
            best_value = np.where(improved, v, best_value)
            since = np.where(improved, 0, since + 1)
            hit = live & (since >= self.patience)
            out[hit] = k + 1
            live &= ~hit
        return out

    def trials_run(self, values: Sequence[float]) -> int:
        """How many of the trials with ``values`` (in order; NaN = failed) a search stopped
        by this rule runs: :func:`stop_index` in one pass."""
        return int(self.trials_run_many([np.asarray(values, dtype=float)])[0])


def stop_index(trials: Sequence[Trial], stop: Callable[[list[Trial]], bool]) -> int:
    """How many trials a search of ``trials`` (finished, in number order) would have run
    with ``stop``: the smallest ``k`` with ``stop(trials[:k])`` (Study checks the rule
    before each new trial), or ``len(trials)`` if it never fires."""
    trials = _finished(trials)
    for k in range(len(trials) + 1):
        if stop(trials[:k]):
            return k
    return len(trials)


def _as_trials(values) -> list[Trial]:
    out = []
    for k, v in enumerate(np.asarray(values, dtype=float)):
        ok = bool(np.isfinite(v))
        out.append(Trial(k, {}, state="complete" if ok else "failed",
                         value=float(v) if ok else None))
    return out


def stop_summary(values: Sequence[float], stop: Callable[[list[Trial]], bool]) -> dict:
    """What ``stop`` saves and loses on one search whose trials gave ``values`` (in order,
    NaN for a failed trial): ``trials_run`` (k), ``trials_saved`` (n − k), ``best_at_stop``
    (the best of the first k), ``best`` (the best of all n) and ``lost`` =
    best_at_stop − best (≥ 0; > 0 when the search stopped before its best trial)."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"values must be a non-empty 1-D sequence; got shape {v.shape}")
    k = stop.trials_run(v) if isinstance(stop, NoImprovement) else stop_index(_as_trials(v), stop)
    finite = np.where(np.isfinite(v), v, np.inf)
    at_stop = float(finite[:k].min()) if k else math.inf
    overall = float(finite.min())
    return {"trials_run": k, "trials_saved": int(v.size - k), "best_at_stop": at_stop,
            "best": overall, "lost": at_stop - overall}


def permutation_stops(values: Sequence[float], stop: Callable[[list[Trial]], bool], *,
                      n_orders: int = 1000, seed: int = 0) -> dict[str, np.ndarray]:
    """:func:`stop_summary` over ``n_orders`` random orders of the same trials.

    Random-search trials are independent draws, so every order of them is an equally
    likely search: the spread over orders is the spread over seeds, for free. Returns
    arrays ``trials_run``, ``lost`` and ``missed_best`` (1.0 when the stopped search had
    not yet found the overall best)."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"values must be a non-empty 1-D sequence; got shape {v.shape}")
    n_orders = check_int("n_orders", n_orders, 1)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    orders = v[np.array([rng.permutation(v.size) for _ in range(n_orders)])]
    if isinstance(stop, NoImprovement):
        run = stop.trials_run_many(orders)
    else:
        run = np.array([stop_index(_as_trials(row), stop) for row in orders])
    running_best = np.minimum.accumulate(np.where(np.isfinite(orders), orders, np.inf), axis=1)
    at_stop = np.where(run > 0, running_best[np.arange(n_orders), np.maximum(run, 1) - 1],
                       np.inf)
    lost = at_stop - running_best[:, -1]
    return {"trials_run": run, "lost": lost, "missed_best": (lost > 0).astype(float)}


# --------------------------------------------------------------------------- accounting


def epochs_spent(trials: Sequence[Trial], *, resume: bool = False,
                 default_budget: float | None = None) -> float:
    """The training a search cost, in budget units (epochs).

    ``resume=False``: Σ budget over finished trials — every trial trains from scratch (a
    promotion repeats its parent's epochs). ``resume=True``: per configuration, only its
    largest budget — promoted trials continue from a checkpoint (KerasTuner's Hyperband,
    Optuna's pruners). Trials without a budget count ``default_budget``."""
    spent: dict = {}
    total = 0.0
    for t in _finished(trials):
        b = t.budget if t.budget is not None else default_budget
        if b is None:
            raise ValueError(f"trial {t.number} has no budget: give default_budget (the "
                             "epochs of an unbudgeted trial)")
        if resume:
            key = tuple(sorted((k, repr(v)) for k, v in t.params.items()))
            spent[key] = max(spent.get(key, 0.0), float(b))
        else:
            total += float(b)
    return float(sum(spent.values())) if resume else total


def incumbent_curve(trials: Sequence[Trial], *, budget: float | None = None,
                    default_budget: float | None = None,
                    resume: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The best value so far against the budget spent so far: ``(epochs, best)`` after each
    finished trial (number order). Only trials trained for ``budget`` (default: all) can
    become the incumbent — a 1-epoch loss is not comparable with a 9-epoch one; the others
    still cost their epochs. ``best`` is NaN until the first eligible trial."""
    xs, ys = [], []
    seen: dict = {}
    spent, best_value = 0.0, math.inf
    for t in _finished(trials):
        b = t.budget if t.budget is not None else default_budget
        if b is None:
            raise ValueError(f"trial {t.number} has no budget: give default_budget")
        if resume:
            key = tuple(sorted((k, repr(v)) for k, v in t.params.items()))
            spent += max(0.0, float(b) - seen.get(key, 0.0))
            seen[key] = max(seen.get(key, 0.0), float(b))
        else:
            spent += float(b)
        if t.ok and (budget is None or math.isclose(float(b), float(budget))):
            best_value = min(best_value, t.value)
        xs.append(spent)
        ys.append(best_value if math.isfinite(best_value) else math.nan)
    return np.array(xs), np.array(ys)


# --------------------------------------------------------------------------- cheap budgets


@dataclass(frozen=True)
class CurveObjective:
    """A budgeted objective that trains each configuration once: ``trial`` with budget
    ``b`` (epochs; None = ``max_budget``) returns the ``metric`` (validation loss) after
    epoch ``b`` of one training of ``max_budget`` epochs.

    With a fixed seed and no schedule, training for ``b`` epochs *is* the first ``b``
    epochs of a longer training (same initial weights, same batches), so the value is the
    one a fresh ``b``-epoch training gives (to float32 rounding) — successive halving's
    promotions then cost nothing extra here, while :func:`epochs_spent` still counts what
    a real search would pay. ``objective`` is a :class:`~surveykit.tuning.objectives.
    MLPObjective` (its ``evaluate(params, budget, seed)`` is memoised); a configuration
    whose training diverged before epoch ``b`` raises its
    :class:`~surveykit.tuning.objectives.Diverged`.
    """

    objective: object
    max_budget: int
    metric: str = "val_loss"

    def __post_init__(self):
        if not hasattr(self.objective, "evaluate"):
            raise ValueError(f"objective must have evaluate(params, budget, seed) (an "
                             f"MLPObjective); got {self.objective!r}")
        check_int("max_budget", self.max_budget, 1)

    def curve(self, params: dict, seed: int = 0) -> np.ndarray:
        """The per-epoch ``metric`` of one training of ``max_budget`` epochs."""
        ev = self.objective.evaluate(params, self.max_budget, seed)
        return np.asarray(ev.history.get(self.metric, []), dtype=float)

    def __call__(self, trial: Trial) -> float:
        from .objectives import Diverged

        b = self.max_budget if trial.budget is None else int(round(
            check_range("budget (epochs)", trial.budget, 1.0, self.max_budget)))
        curve = self.curve(trial.params, getattr(trial, "seed", 0) or 0)
        if len(curve) < b or not np.isfinite(curve[b - 1]):
            raise Diverged(f"the training of {trial.params} diverged before epoch {b}")
        if isinstance(getattr(trial, "metrics", None), dict):
            trial.metrics[self.metric] = [float(x) for x in curve[:b]]
        return float(curve[b - 1])


def best_trial_at(trials: Sequence[Trial], budget: float) -> Trial | None:
    """The best complete trial trained for ``budget`` (what a budgeted search returns)."""
    return best([t for t in trials if t.budget is not None
                 and math.isclose(float(t.budget), float(budget))])


# --------------------------------------------------------------------------- a cheap testbed


@dataclass(frozen=True)
class LearningCurves:
    """Cheap learning curves with a known best configuration, to replay many searches (§6.4).

    Over §6.3's space (learning rate η ~ log-uniform(1e-5, 1e-1), dropout p ~
    uniform(0.2, 0.5)), the validation loss after ``b`` epochs is::

        L(p, b) = f(p) + (L₀ − f(p)) · exp(−b / τ(p)),    L₀ = ln 2 (a coin flip),
        f(p)    = 0.2 + 0.08 (log₁₀ η − log₁₀ η*)² + 0.8 (p − 0.3)²,   η* = 1e-3,
        τ(p)    = τ₀ · (1e-2 / η)^k,  τ₀ = 2 epochs

    ``f`` is the loss a configuration ends at (minimum 0.2 at η* = 1e-3, p = 0.3) and τ
    how many epochs it needs. With ``slowness`` k = 0 every curve has the same shape, so
    after any number of epochs configurations rank as they will at the end — early
    judgement is safe. With k > 0 small learning rates learn slowly: the best
    configuration looks worse than faster, worse ones after a few epochs, and curves
    cross — what makes judging too early miss the best (§6.4's "might miss global optima
    if cut too early").
    """

    slowness: float = 0.0
    tau0: float = 2.0
    best_learning_rate: float = 1e-3

    def __post_init__(self):
        check_range("slowness", self.slowness, 0.0, 3.0)
        check_range("tau0", self.tau0, 0.0, math.inf, low_closed=False)
        check_range("best_learning_rate", self.best_learning_rate, 1e-5, 1e-1)

    @staticmethod
    def space() -> Space:
        """§6.3's example space: learning rate log-uniform(1e-5, 1e-1), dropout uniform(0.2,
        0.5)."""
        from .space import LogUniform, Uniform

        return Space([LogUniform("learning_rate", 1e-5, 1e-1), Uniform("dropout", 0.2, 0.5)])

    def final(self, params) -> float:
        """f(p): the loss the configuration converges to (minimum 0.2)."""
        a = math.log10(params["learning_rate"] / self.best_learning_rate)
        return 0.2 + 0.08 * a * a + 0.8 * (params["dropout"] - 0.3) ** 2

    def tau(self, params) -> float:
        """τ(p): the epochs the configuration needs (its curve's time constant)."""
        return self.tau0 * (1e-2 / params["learning_rate"]) ** self.slowness

    def value(self, params, budget: float) -> float:
        """L(p, b): the validation loss after ``budget`` epochs."""
        budget = check_range("budget (epochs)", budget, 0.0, math.inf, low_closed=False)
        f = self.final(params)
        return f + (math.log(2.0) - f) * math.exp(-budget / self.tau(params))

    def minimum(self, budget: float) -> float:
        """min over the space of L(p, budget): the best loss any configuration reaches after
        ``budget`` epochs (dropout 0.3 is best at every budget, as only f depends on it; the
        learning rate is found on a grid of 20 001 points in log₁₀ η, then refined)."""
        from scipy.optimize import minimize_scalar

        budget = check_range("budget (epochs)", budget, 0.0, math.inf, low_closed=False)

        def loss(log_lr):
            return self.value({"learning_rate": 10.0**log_lr, "dropout": 0.3}, budget)

        grid = np.linspace(-5.0, -1.0, 20001)
        values = np.array([loss(x) for x in grid])
        i = int(np.argmin(values))
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
        res = minimize_scalar(loss, bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-12})
        return float(min(res.fun, values[i]))

    def __call__(self, trial: Trial) -> float:
        if trial.budget is None:
            raise ValueError("LearningCurves needs a budget (epochs) on every trial")
        return self.value(trial.params, trial.budget)


def simulate(strategy: Strategy, objective: Callable[[Trial], float],
             n_trials: int | None = None, *, default_budget: float | None = None) -> list[Trial]:
    """A sequential ask → evaluate → tell loop in memory, for cheap objectives
    (:class:`LearningCurves`, benchmarks) where many searches are replayed: the same loop as
    :meth:`Study.optimize <surveykit.tuning.study.Study.optimize>` with ``n_jobs=1``,
    without its store. Stops after ``n_trials`` trials or when the strategy has nothing left
    (``n_trials=None``: only then). Trials without a budget get ``default_budget``."""
    if not isinstance(strategy, Strategy):
        raise ValueError(f"strategy must be a surveykit Strategy; got {strategy!r}")
    if n_trials is not None:
        n_trials = check_int("n_trials", n_trials, 1)
    trials: list[Trial] = []
    while n_trials is None or len(trials) < n_trials:
        suggestions = strategy.ask(trials, 1)
        if not suggestions:
            break
        s = suggestions[0]
        budget = s.budget if s.budget is not None else default_budget
        t = Trial(len(trials), dict(s.params), budget, info=dict(s.info))
        try:
            value = float(objective(t))
        except Exception as exc:  # a failed trial, as in a study
            t.state, t.error = "failed", f"{type(exc).__name__}: {exc}"
        else:
            if math.isfinite(value):
                t.state, t.value = "complete", value
            else:
                t.state, t.error = "failed", f"NonFiniteValue: {value}"
        trials.append(t)
    return trials


def equal_budget_comparison(curves: LearningCurves, makers: dict[str, Callable[[int], Strategy]],
                            seeds: Sequence[int], max_budget: float) -> dict[str, dict]:
    """Each strategy ``makers[label](seed)`` against random search given the same epochs.

    For every seed: run the strategy on ``curves`` (:func:`simulate`), count its epochs
    ``E`` (:func:`epochs_spent`, every trial from scratch), and run random search
    (another seed stream) with ``⌊E / max_budget⌋`` configurations trained for
    ``max_budget`` epochs. Both are scored by the loss of the configuration they
    return (their best trial at ``max_budget``) minus the best any configuration reaches in
    ``max_budget`` epochs (:meth:`LearningCurves.minimum`) — the regret.
    Returns per label the arrays ``regret``, ``random_regret``, ``epochs``,
    ``configurations`` (distinct ones looked at) and ``random_configurations``."""
    from .strategies import RandomSearch

    if not isinstance(curves, LearningCurves):
        raise ValueError(f"curves must be a LearningCurves; got {curves!r}")
    seeds = [check_int("seed", s, 0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed; got none")
    max_budget = check_range("max_budget", max_budget, 0.0, math.inf, low_closed=False)
    space = curves.space()
    floor = curves.minimum(max_budget)
    out = {}
    for label, make in makers.items():
        rows = {k: [] for k in ("regret", "random_regret", "epochs", "configurations",
                                "random_configurations")}
        for seed in seeds:
            trials = simulate(make(seed), curves, default_budget=max_budget)
            top = best_trial_at(trials, max_budget)
            spent = epochs_spent(trials, default_budget=max_budget)
            n_random = max(1, int(spent // max_budget))
            rs = simulate(RandomSearch(space, seed=seed + 10_000), curves, n_random,
                          default_budget=max_budget)
            rows["regret"].append(top.value - floor if top else math.nan)
            rows["random_regret"].append(best(rs).value - floor)
            rows["epochs"].append(spent)
            rows["configurations"].append(len({repr(sorted(t.params.items()))
                                               for t in trials}))
            rows["random_configurations"].append(n_random)
        out[label] = {k: np.asarray(v, dtype=float) for k, v in rows.items()}
    return out


def replay_searches(makers: dict[str, Callable[[int], Strategy]],
                    objective: Callable[[Trial], float], seeds: Sequence[int],
                    n_trials: int | None = None) -> dict[str, np.ndarray]:
    """The best value each search ``makers[label](seed)`` finds on a cheap ``objective``
    (:func:`simulate`, ``n_trials`` trials or until the strategy stops), for every seed:
    ``{label: array of best values, one per seed}`` (NaN if every trial failed)."""
    seeds = [check_int("seed", s, 0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed; got none")
    out = {}
    for label, make in makers.items():
        found = []
        for seed in seeds:
            b = best(simulate(make(seed), objective, n_trials))
            found.append(b.value if b is not None else math.nan)
        out[label] = np.asarray(found, dtype=float)
    return out
