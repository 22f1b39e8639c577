"""A search: the ask → evaluate → tell loop of every §6 strategy, durable and parallel.

Survey §6: every tuning strategy "trains and evaluates models" on configurations it
chooses, and "returns the best-performing configuration". :class:`Study` is that loop,
shared by all of surveykit's strategies::

    study = Study(space, RandomSearch(space, seed=0), storage="search.db", name="mlp")
    study.optimize(objective, n_trials=30)          # objective(trial) -> validation loss
    study.best, study.table(top=5), study.best_so_far()

- **Minimise.** ``objective(trial)`` returns the validation loss of a model trained with
  ``trial.params`` (for ``trial.budget`` epochs when the strategy sets a budget, seeded with
  ``trial.seed``); the best trial is the one with the lowest value.
- **Durable.** Every trial is written to a :class:`~surveykit.tuning.store.TrialStore`
  (SQLite; ``storage`` names the file) when it starts and when it ends, with its params,
  budget, seed, value or error, per-epoch ``metrics`` and timing. A search that is
  interrupted (kernel restart, kill) resumes from the store when the same study is opened
  again: finished trials are never re-run; trials whose process died are marked
  ``abandoned`` (kept for the record, never counted). Strategies are stateless — what they
  propose depends only on the history and on ``strategy.rng(number)`` — so a resumed
  search proposes for trial ``k`` exactly what an uninterrupted one would have.
- **Failures.** An objective that raises, or returns NaN/±inf, gives a ``failed`` trial
  with its error (``"ValueError: message"``); the search goes on.
- **Parallel.** ``optimize(..., n_jobs=k)`` keeps up to ``k`` trials in flight in a local
  process pool, asking the strategy for a new trial as each one finishes; running trials
  are in the history the strategy sees (``state == "running"``), so it can avoid
  proposing the same point twice. Several processes may also run ``optimize`` on the same
  study in the same file at once: trial numbers are allocated under SQLite's write lock.

The trial seed is derived from (study seed, trial number), so it too does not depend on
the order in which trials ran.
"""

from __future__ import annotations

import math
import pickle
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np

from ..tables import html_table, text_table
from ..validation import check_int, check_range
from .base import Strategy, Suggestion, Trial, best, running
from .space import Categorical, Integer, Space
from .store import TrialStore

__all__ = ["Study", "TrialTable", "best_so_far", "trial_seed", "evaluate", "FINISHED"]

#: the states that count as a finished trial (``n_trials`` counts these)
FINISHED = ("complete", "failed")


def trial_seed(base: int, number: int) -> int:
    """The seed of trial ``number``: ``SeedSequence([base, number], spawn_key=(1,))``'s first
    32-bit word, reduced to [0, 2³¹). Deterministic and independent of execution order, and
    not the stream the strategy draws from with ``rng(number)``."""
    base, number = check_int("seed", base, 0), check_int("number", number, 0)
    ss = np.random.SeedSequence([base, number], spawn_key=(1,))
    return int(ss.generate_state(1, dtype=np.uint32)[0]) % (2**31)


def best_so_far(trials: Sequence[Trial]) -> np.ndarray:
    """The best (lowest) value found up to each trial number:
    ``b_k = min{ value_j : j ≤ k, trial j complete }`` (NaN before the first complete
    trial; failed, running and abandoned trials add nothing). Index k is trial number k."""
    trials = sorted(trials, key=lambda t: t.number)
    n = trials[-1].number + 1 if trials else 0
    values = np.full(n, np.inf)
    for t in trials:
        if t.ok:
            values[t.number] = t.value
    out = np.minimum.accumulate(values) if n else values
    out[~np.isfinite(out)] = np.nan
    return out


def _error_text(exc: BaseException) -> str:
    msg = str(exc)
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


@dataclass
class _Result:
    value: float | None
    error: str | None
    metrics: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    started: float | None = None
    finished: float | None = None


def _as_value(raw) -> tuple[float | None, str | None]:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None, (f"TypeError: the objective must return a number (the validation "
                      f"loss); got {type(raw).__name__} {raw!r:.60}")
    if not math.isfinite(value):
        return None, f"NonFiniteValue: the objective returned {value} (a finite loss is needed)"
    return value, None


def evaluate(objective: Callable[[Trial], float], trial: Trial) -> _Result:
    """Run ``objective(trial)`` and catch what goes wrong: an exception or a NaN/±inf value
    becomes an error string ``"ExcType: message"``. Module-level so a process pool can run
    it; returns what the objective wrote into ``trial.metrics`` and ``trial.info``."""
    started = time.time()
    try:
        value, error = _as_value(objective(trial))
    except Exception as exc:  # a failed trial, recorded; the search goes on
        value, error = None, _error_text(exc)
    return _Result(value, error, dict(trial.metrics), dict(trial.info), started, time.time())


def _check_importable(objective) -> None:
    """A process pool started with "spawn" re-imports the objective by name in each worker."""
    try:
        pickle.dumps(objective)
    except Exception as exc:
        raise ValueError(
            f"n_jobs > 1 runs the objective in other processes, so it must be picklable: a "
            f"function or class instance defined at the top level of an importable module "
            f"(not a lambda or a closure); {objective!r} is not ({_error_text(exc)})") from None
    target = getattr(objective, "__func__", objective)
    module = getattr(target, "__module__", None) or type(objective).__module__
    if type(objective).__module__ == "__main__":
        module = "__main__"
    main = sys.modules.get("__main__")
    if module == "__main__" and not getattr(main, "__file__", None):
        raise ValueError(
            f"n_jobs > 1 runs the objective in other processes, which cannot import "
            f"{objective!r}: it is defined in a notebook or an interactive session. Put it in "
            f"a module (a .py file) and import it, or use n_jobs=1")


class _NoBar:
    n = 0

    def update(self, k=1):
        self.n += k

    def set_postfix_str(self, s):
        pass


class Study:
    """A hyperparameter search on ``space`` driven by ``strategy`` (survey §6), recorded in
    ``storage``: None (in memory), a path to a SQLite file, or a
    :class:`~surveykit.tuning.store.TrialStore`.

    Opening an existing ``name`` in a file resumes it: the space must be the same (else a
    ValueError), and running trials whose process has died (same host) are marked
    ``abandoned`` — their numbers are in :attr:`abandoned_on_open`. ``seed`` (default:
    the strategy's seed) is the base of every :func:`trial_seed`.
    """

    def __init__(self, space: Space, strategy: Strategy, storage=None, name: str = "search",
                 *, seed: int | None = None):
        if not isinstance(space, Space):
            raise ValueError(f"space must be a surveykit.tuning.Space; got {space!r}")
        if not isinstance(strategy, Strategy):
            raise ValueError(f"strategy must be a surveykit.tuning.Strategy; got {strategy!r}")
        if strategy.space != space:
            raise ValueError(f"strategy searches a different space than the study:\n"
                             f"  study:    {space}\n  strategy: {strategy.space}")
        self.space = space
        self.strategy = strategy
        self.seed = strategy.seed if seed is None else check_int("seed", seed, 0)
        self._open(storage, name, {**strategy.describe(), "trial_seed": self.seed})

    def _open(self, storage, name, description) -> None:
        if isinstance(storage, TrialStore):
            self.store = storage
        else:
            self.store = TrialStore(storage)
        self.name = name
        record = self.store.open_study(name, self.space.to_dict(), description)
        self.study_id = record.id
        self.abandoned_on_open: list[int] = self.store.abandon_dead(self.study_id)

    @classmethod
    def load(cls, storage, name: str = "search") -> Study:
        """A stored study, for its results only (``trials``, ``table``, plots): no strategy,
        so it cannot ``ask`` or ``optimize``."""
        store = storage if isinstance(storage, TrialStore) else TrialStore(storage)
        record = store.get_study(name)
        if record is None:
            names = [s.name for s in store.studies()]
            raise ValueError(f"name must be one of the studies in {store.path!r}: {names}; "
                             f"got {name!r}")
        self = cls.__new__(cls)
        self.space = Space.from_dict(record.space)
        self.strategy = None
        self.seed = int(record.strategy.get("trial_seed", 0))
        self.store, self.name, self.study_id = store, name, record.id
        self.abandoned_on_open = store.abandon_dead(record.id)
        return self

    # ------------------------------------------------------------------ results
    @property
    def trials(self) -> list[Trial]:
        """Every trial, in number order, whatever its state (read from the store)."""
        return self.store.trials(self.study_id)

    def records(self) -> list[dict]:
        """Every stored column of every trial (adds ``pid``, ``host``, ``user_attrs``)."""
        return self.store.records(self.study_id)

    def counts(self) -> dict:
        """``{"running": …, "complete": …, "failed": …, "abandoned": …}``."""
        return self.store.counts(self.study_id)

    @property
    def n_finished(self) -> int:
        """Complete + failed trials: what ``optimize``'s ``n_trials`` counts."""
        c = self.counts()
        return c["complete"] + c["failed"]

    @property
    def best(self) -> Trial | None:
        """The complete trial with the lowest value (the earliest on ties), or None."""
        return best(self.trials)

    def best_so_far(self) -> np.ndarray:
        """:func:`best_so_far` of this study's trials."""
        return best_so_far(self.trials)

    def table(self, top: int | None = None) -> TrialTable:
        """The trials as a table sorted by value (best first), ``top`` rows if given."""
        return TrialTable(self.trials, self.space, top=top)

    def __repr__(self) -> str:
        c = self.counts()
        parts = ", ".join(f"{k} {v}" for k, v in c.items() if v)
        b = self.best
        best_txt = f", best {b.value:.4g} (trial {b.number})" if b is not None else ""
        return f"Study({self.name!r} in {self.store.path!r}: {parts or 'no trials'}{best_txt})"

    # ------------------------------------------------------------------ ask / tell
    def _clean(self, suggestion) -> dict:
        if not isinstance(suggestion, Suggestion):
            raise ValueError(f"{type(self.strategy).__name__}.ask must return Suggestions; "
                             f"got {suggestion!r}")
        params = self.space.check(suggestion.params)
        clean = {}
        for d in self.space:
            v = params[d.name]
            if isinstance(d, Categorical):
                clean[d.name] = d.choices[d.index(v)]
            elif isinstance(d, Integer):
                clean[d.name] = int(v)
            else:
                clean[d.name] = float(v)
        budget = suggestion.budget
        if budget is not None:
            budget = check_range("budget", budget, 0.0, math.inf, low_closed=False)
        return {"params": clean, "budget": budget, "info": dict(suggestion.info)}

    def _ask(self, n: int, cap: int | None) -> list[Trial]:
        if self.strategy is None:
            raise ValueError("this study was loaded without a strategy (Study.load): it can "
                             "show results but not ask for new trials")
        with self.store.transaction():  # history, proposal and numbering: one atomic step
            trials = self.store.trials(self.study_id)
            if cap is not None:
                n_finished = sum(t.state in FINISHED for t in trials)
                n = min(n, cap - n_finished - len(running(trials)))
                if n <= 0:
                    return []
            suggestions = list(self.strategy.ask(trials, n))
            if len(suggestions) > n:
                raise ValueError(f"{type(self.strategy).__name__}.ask(trials, n={n}) returned "
                                 f"{len(suggestions)} suggestions; at most n are allowed")
            items = [self._clean(s) for s in suggestions]
            return self.store.add_trials(self.study_id, items,
                                         seed_of=lambda k: trial_seed(self.seed, k))

    def ask(self, n: int = 1) -> list[Trial]:
        """Up to ``n`` new trials from the strategy, registered as ``running`` in the store.

        The strategy sees the whole history, running trials included; an empty list means
        it is waiting for running trials (or, with none running, has nothing left)."""
        return self._ask(check_int("n", n, 1), None)

    def tell(self, trial: Trial | int, value=None, *, error: str | None = None,
             metrics: Mapping | None = None) -> Trial:
        """Record the result of a running trial (a :class:`Trial` or its number).

        ``value``: the loss — NaN, ±inf or a non-number make the trial ``failed`` with that
        error; ``error``: a failure message (the trial is ``failed``). ``metrics`` (default:
        ``trial.metrics``) and ``trial.info`` are stored too. Returns the stored trial."""
        number = trial.number if isinstance(trial, Trial) else check_int("trial", trial, 0)
        if error is not None:
            value, error = None, str(error)
        elif value is None:
            raise ValueError("tell: give the trial's value (its loss) or an error message")
        else:
            value, error = _as_value(value)
        if metrics is None and isinstance(trial, Trial):
            metrics = trial.metrics
        return self.store.finish_trial(
            self.study_id, number, state="failed" if error else "complete", value=value,
            error=error, metrics=metrics, info=trial.info if isinstance(trial, Trial) else None)

    def evaluate(self, objective: Callable[[Trial], float], params: Mapping, *,
                 budget: float | None = None) -> Trial:
        """Evaluate a point of your choice as the study's next trial and record it — e.g.
        the survey's recommended starting configuration (§8.1) before a search, so the
        search is compared with, and a model-based strategy learns from, that point.

        ``params`` must be a point of the space (every dimension, each value inside it);
        the trial gets the next number, ``info = {"given": True}``, and the seed a trial
        of that number would get. Returns the finished trial (``failed`` with its error
        if the objective raised or returned NaN/inf, as in :meth:`optimize`)."""
        # _clean validates the point (a ValueError naming what is missing or invalid)
        item = self._clean(Suggestion(params=params, budget=budget, info={"given": True}))
        (trial,) = self.store.add_trials(self.study_id, [item],
                                         seed_of=lambda k: trial_seed(self.seed, k))
        return self._record(trial, evaluate(objective, trial))

    def _record(self, trial: Trial, result: _Result) -> Trial:
        return self.store.finish_trial(
            self.study_id, trial.number, state="failed" if result.error else "complete",
            value=result.value, error=result.error, metrics=result.metrics, info=result.info,
            started=result.started, finished=result.finished)

    # ------------------------------------------------------------------ the loop
    def optimize(self, objective: Callable[[Trial], float], n_trials: int, *, n_jobs: int = 1,
                 stop: Callable[[list[Trial]], bool] | None = None,
                 progress: str | None = "search") -> Study:
        """Evaluate trials until the study holds ``n_trials`` finished trials (complete +
        failed, earlier ones included: a resumed search only runs what is missing), the
        strategy has nothing left, or ``stop(trials)`` returns True (checked before each
        new trial; trials in flight are finished, not dropped).

        ``n_jobs = 1`` runs ``objective`` in this process. ``n_jobs > 1`` keeps up to
        ``n_jobs`` trials in flight in a process pool started with "spawn" (TensorFlow and
        ``fork`` do not mix): the objective must be picklable and importable by name — a
        top-level function or class instance of a module, not one defined in a notebook.
        Several processes may optimize the same stored study at once; each stops asking
        when finished + running trials of the study reach ``n_trials``.

        ``progress``: the progress bar's label (None: no bar). An interruption
        (KeyboardInterrupt, any exception from the loop itself) marks this call's trials in
        flight ``abandoned`` and re-raises. Returns the study.
        """
        if not callable(objective):
            raise ValueError(f"objective must be callable as objective(trial) -> float; "
                             f"got {objective!r}")
        n_trials = check_int("n_trials", n_trials, 1)
        n_jobs = check_int("n_jobs", n_jobs, 1)
        if stop is not None and not callable(stop):
            raise ValueError(f"stop must be None or a callable stop(trials) -> bool; "
                             f"got {stop!r}")
        if progress is not None and not isinstance(progress, str):
            raise ValueError(f"progress must be a label (str) or None; got {progress!r}")
        if n_jobs > 1:
            _check_importable(objective)
        if self.strategy is None:
            self._ask(1, None)  # raises the "loaded without a strategy" error

        if progress is None:
            bar_ctx = nullcontext(_NoBar())
        else:
            from ..progress import progress as progress_bar

            bar_ctx = progress_bar(None, progress, total=n_trials)
        in_flight: dict[int, tuple[Trial, Future | _Result]] = {}
        pool: ProcessPoolExecutor | None = None
        owner: dict[Future, ProcessPoolExecutor] = {}  # which pool runs each future
        with bar_ctx as bar:
            bar.update(min(self.n_finished, n_trials))
            self._postfix(bar)
            try:
                stopping, broken = False, 0
                while True:
                    if not stopping and stop is not None and stop(self.trials):
                        stopping = True
                    free = n_jobs - len(in_flight)
                    if not stopping and free > 0:
                        new = self._ask(free, n_trials)
                        for t in new:  # registered first, so an interruption abandons them
                            in_flight[t.number] = (t, None)
                        for t in new:
                            if n_jobs == 1:
                                in_flight[t.number] = (t, evaluate(objective, t))
                            else:
                                if pool is None:
                                    pool = _new_pool(n_jobs)
                                try:
                                    future = pool.submit(evaluate, objective, t)
                                except BrokenProcessPool:
                                    # a worker died after the last check (its own trial's
                                    # future reports it below): go on in a fresh pool
                                    pool.shutdown(wait=False, cancel_futures=True)
                                    pool = _new_pool(n_jobs)
                                    future = pool.submit(evaluate, objective, t)
                                owner[future] = pool
                                in_flight[t.number] = (t, future)
                    if not in_flight:
                        break
                    for number in self._done(in_flight):
                        t, outcome = in_flight.pop(number)
                        result = outcome
                        if isinstance(outcome, Future):
                            exc = outcome.exception()
                            from_pool = owner.pop(outcome, None)
                            if exc is not None:  # the worker itself failed (crash, pickling)
                                result = _Result(None, _error_text(exc), started=t.started,
                                                 finished=time.time())
                                if isinstance(exc, BrokenProcessPool) and from_pool is pool \
                                        and pool is not None:
                                    pool.shutdown(wait=False, cancel_futures=True)
                                    pool = None
                                    broken += 1
                            else:
                                result = outcome.result()
                                broken = 0
                        self._record(t, result)
                        if broken >= 3:
                            raise RuntimeError(
                                "the worker processes of n_jobs > 1 died three times in a row "
                                "without finishing a trial (is the objective importable in a "
                                "fresh process? is there enough memory?); the trials are "
                                "recorded as failed with BrokenProcessPool")
                        if bar.n < n_trials:
                            bar.update(1)
                        self._postfix(bar)
            except BaseException as exc:
                for t, _ in in_flight.values():
                    try:
                        self.store.finish_trial(self.study_id, t.number, state="abandoned",
                                                error=f"Abandoned: {_error_text(exc)}")
                    except ValueError:  # already recorded
                        pass
                if pool is not None:
                    _kill_pool(pool)
                    pool = None
                raise
            finally:
                if pool is not None:
                    pool.shutdown(wait=True)
        return self

    @staticmethod
    def _done(in_flight: dict) -> list[int]:
        ready = [k for k, (_, o) in in_flight.items() if not isinstance(o, Future) or o.done()]
        if ready:
            return sorted(ready)
        futures = {o: k for k, (_, o) in in_flight.items()}
        done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
        return sorted(futures[f] for f in done)

    def _postfix(self, bar) -> None:
        b = self.best
        if b is not None:
            bar.set_postfix_str(f"best {b.value:.4g} (trial {b.number})")


def _new_pool(n_jobs: int) -> ProcessPoolExecutor:
    import multiprocessing

    return ProcessPoolExecutor(max_workers=n_jobs, mp_context=multiprocessing.get_context("spawn"))


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (an interrupted search must not leave them training)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        try:
            p.terminate()
        except Exception:  # pragma: no cover  (already gone)
            pass


# --------------------------------------------------------------------------- table
def _fmt(v, digits: int = 4) -> str:
    if v is None:
        return ""
    if isinstance(v, bool) or isinstance(v, str):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.{digits}g}"
    return str(v)


class TrialTable:
    """Trials as a table, best first (survey §6: "select the configuration with the best
    validation performance"): complete trials by value, then failed, running and abandoned
    ones by number. Columns: number, one per hyperparameter, budget (when a strategy set
    one), value, state, duration (s), and error when a shown trial has one.

    ``rows`` is a list of dicts with the raw values; ``str(table)`` is a text table and
    ``_repr_html_`` an HTML one (what a notebook displays)."""

    def __init__(self, trials: Sequence[Trial], space: Space | None = None, *,
                 top: int | None = None):
        if top is not None:
            top = check_int("top", top, 1)
        order = {"complete": 0, "failed": 1, "running": 2, "abandoned": 3}
        trials = sorted(trials, key=lambda t: (order.get(t.state, 4), t.value
                                               if t.ok else 0.0, t.number))
        if top is not None:
            trials = trials[:top]
        names = space.names if space is not None else sorted(
            {k for t in trials for k in t.params})
        self.param_names = list(names)
        self.columns = ["number", *names]
        if any(t.budget is not None for t in trials):
            self.columns.append("budget")
        self.columns += ["value", "state", "duration"]
        if any(t.error for t in trials):
            self.columns.append("error")
        self.rows = []
        for t in trials:
            row = {"number": t.number, **{n: t.params.get(n) for n in names},
                   "budget": t.budget, "value": t.value, "state": t.state,
                   "duration": t.duration, "error": t.error}
            self.rows.append({c: row[c] for c in self.columns})

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i) -> dict:
        return self.rows[i]

    def _cells(self) -> list[list[str]]:
        out = []
        for r in self.rows:
            cells = []
            for c in self.columns:
                v = r[c]
                if c == "duration":
                    cells.append("" if v is None else f"{v:.2f}")
                elif c == "error":
                    s = v or ""
                    cells.append(s if len(s) <= 60 else s[:57] + "…")
                else:
                    cells.append(_fmt(v, 4 if c in ("value", "budget") else 3))
            out.append(cells)
        return out

    def _header(self) -> list[str]:
        return ["duration (s)" if c == "duration" else c for c in self.columns]

    def __str__(self) -> str:
        left = [i for i, c in enumerate(self.columns) if c in ("state", "error")]
        return text_table(self._header(), self._cells(), left=left, rstrip=True)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        styles = ["" if r["state"] == "complete" else "color:#888" for r in self.rows]
        return html_table(self._header(), self._cells(), row_styles=styles)
