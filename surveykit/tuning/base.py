"""What every tuning strategy shares: trials, suggestions and the ask interface (§6).

A search is a sequence of **trials**, numbered 0, 1, 2… Each trial evaluates one point
of the search space (its ``params``), possibly at a reduced ``budget`` (epochs, for the
adequate search of §6.4), with its own ``seed``, and ends ``complete`` with a ``value``
(the validation loss: **surveykit's searches always minimise**; return an error rate or
``1 − accuracy`` for a score to maximise) or ``failed`` with its ``error``.

A :class:`Strategy` proposes what to evaluate next from the search's history::

    suggestions = strategy.ask(trials, n)

``trials`` is every trial so far in number order — finished, failed *and still
running* (``state == "running"``) — so a strategy can take pending work into account
when several trials are in flight. A strategy keeps no hidden state between calls: what
it proposes is a function of the history and of ``strategy.rng(number)``, a generator
seeded by (strategy seed, trial number). That is what makes a search resumable after a
crash (replay the stored history, ask again) and safe to run in parallel. ``ask`` may
return fewer than ``n`` suggestions: ``[]`` with trials still running means "wait for
them"; ``[]`` with none running means the strategy has nothing left (a finished grid).

:class:`~surveykit.tuning.study.Study` adds the ask/tell loop, the durable store and
the runners on top.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..validation import check_int
from .space import Space

__all__ = ["Trial", "Suggestion", "Strategy", "STATES", "completed", "running", "best"]

STATES = ("running", "complete", "failed", "abandoned")


@dataclass(frozen=True)
class Suggestion:
    """What a strategy asks to evaluate: a point, an optional budget, and notes
    (``info``: e.g. the bracket and rung of a successive-halving trial, JSON-able)."""

    params: dict
    budget: float | None = None
    info: dict = field(default_factory=dict)


@dataclass
class Trial:
    """One evaluation of one point. ``state`` is one of :data:`STATES`
    ("abandoned": its process died before finishing; it never counts as a result)."""

    number: int
    params: dict
    budget: float | None = None
    seed: int = 0
    state: str = "running"
    value: float | None = None
    error: str | None = None
    info: dict = field(default_factory=dict)
    started: float | None = None
    finished: float | None = None
    metrics: dict = field(default_factory=dict)

    @property
    def duration(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return self.finished - self.started

    @property
    def ok(self) -> bool:
        """Complete with a finite value."""
        return self.state == "complete" and self.value is not None and math.isfinite(self.value)


def completed(trials: Sequence[Trial]) -> list[Trial]:
    """The trials that finished with a finite value."""
    return [t for t in trials if t.ok]


def running(trials: Sequence[Trial]) -> list[Trial]:
    """The trials still in flight."""
    return [t for t in trials if t.state == "running"]


def best(trials: Sequence[Trial]) -> Trial | None:
    """The completed trial with the lowest value (the earliest on ties), or None."""
    done = completed(trials)
    return min(done, key=lambda t: (t.value, t.number)) if done else None


class Strategy(ABC):
    """Base class of the search strategies: ``ask(trials, n) -> list[Suggestion]``."""

    #: a short name for tables and plots
    name: str = "strategy"

    def __init__(self, space: Space, *, seed: int = 0):
        if not isinstance(space, Space):
            raise ValueError(f"space must be a surveykit.tuning.Space; got {space!r}")
        self.space = space
        self.seed = check_int("seed", seed, 0)

    def rng(self, number: int) -> np.random.Generator:
        """The random generator for trial ``number``: the same whatever happened before,
        so a resumed or parallel search draws the same points as an uninterrupted one."""
        return np.random.default_rng([self.seed, check_int("number", number, 0)])

    @abstractmethod
    def ask(self, trials: Sequence[Trial], n: int = 1) -> list[Suggestion]:
        """Up to ``n`` suggestions for trials ``len(trials)``, ``len(trials) + 1``…"""

    def describe(self) -> dict:
        """A JSON-able description stored with the study (name, seed, settings)."""
        return {"strategy": self.name, "seed": self.seed}
