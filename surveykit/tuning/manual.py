"""Manual search (survey §6.1): one hyperparameter at a time, around sensible defaults.

§6.1: *"Start with a reasonable initial guess or defaults. Adjust one hyperparameter at a time
(e.g., learning rate). Evaluate the model's performance. Iterate based on trial and error."*
:class:`OneAtATime` is that procedure made explicit (coordinate search): starting from
``x⁽⁰⁾ = defaults``, sweep ``h₁`` over its values with everything else fixed, keep the best,

    x⁽ʲ⁾ = argmin_{x ∈ {x⁽ʲ⁻¹⁾} ∪ {x⁽ʲ⁻¹⁾ with hⱼ = v : v ∈ Vⱼ}} L(x),

then sweep ``h₂`` from there, and so on (``rounds`` passes). It costs ``Σⱼ |Vⱼ|`` trials
instead of a grid's ``Πⱼ |Vⱼ|``, and can miss what only a *joint* change finds (two
hyperparameters that interact — the survey's "prone to bias and suboptimal results").
:func:`one_at_a_time` runs it in a :class:`~surveykit.tuning.study.Study`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ..validation import check_int
from .base import Strategy, Suggestion, Trial, running
from .space import Categorical, Space
from .strategies import _key, active

__all__ = ["OneAtATime", "one_at_a_time"]


class OneAtATime(Strategy):
    """§6.1's manual search as a stateless strategy: sweep one hyperparameter at a time.

    ``defaults``: a value for every dimension of ``space`` (the "reasonable initial
    guess"); ``sweeps``: ``{name: [values…]}``, swept in that order, ``rounds`` times.
    Step ``j`` evaluates the current point with ``name = v`` for each ``v`` (points already
    evaluated are not asked again), then moves to the best of them and the current point
    (the current point wins ties; failed trials never win). Trials carry
    ``info = {"round": r, "sweep": name}`` (``"sweep": None`` for the defaults). ``ask``
    returns ``[]`` while a step's trials are running, and ``[]`` with nothing running once
    every sweep is done.
    """

    name = "one-at-a-time"

    def __init__(self, space: Space, defaults: Mapping, sweeps: Mapping[str, Sequence], *,
                 rounds: int = 1, seed: int = 0):
        super().__init__(space, seed=seed)
        self.defaults = space.check(defaults)
        if not isinstance(sweeps, Mapping) or not sweeps:
            raise ValueError(f"sweeps must be a non-empty dict {{name: [values…]}}; "
                             f"got {sweeps!r}")
        clean = {}
        for name, values in sweeps.items():
            if name not in space.names:
                raise ValueError(f"sweeps: {name!r} is not a dimension of the space "
                                 f"{space.names}")
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) \
                    or len(values) == 0:
                raise ValueError(f"sweeps[{name!r}] must be a non-empty list of values; "
                                 f"got {values!r}")
            clean[name] = [space[name].check(v) for v in values]
        self.sweeps = clean
        self.rounds = check_int("rounds", rounds, 1)

    def _steps(self) -> list[tuple[int, str | None]]:
        return [(0, None)] + [(r, name) for r in range(self.rounds) for name in self.sweeps]

    def _walk(self, trials: Sequence[Trial]):
        """Replay the procedure on the history. Returns ``(decisions, pending, step)``:
        the finished steps' choices, the points still to ask at the current step (with
        its info), and the current step (None when all are done)."""
        live = active(trials)
        by_point: dict = {}
        for t in live:
            by_point.setdefault(_key(t.params), []).append(t)
        current, current_value = dict(self.defaults), None
        decisions = []
        for r, name in self._steps():
            contenders, keys = [dict(current)], {_key(current)}
            for v in ([] if name is None else self.sweeps[name]):
                p = {**current, name: v}
                if _key(p) not in keys:
                    contenders.append(p)
                    keys.add(_key(p))
            info = {"round": r, "sweep": name}
            missing = [p for p in contenders if _key(p) not in by_point]
            if missing:
                return decisions, missing, info
            if any(running(by_point[_key(p)]) for p in contenders):
                return decisions, [], info
            scored = []
            for i, p in enumerate(contenders):
                ok = [t for t in by_point[_key(p)] if t.ok]
                if ok:
                    scored.append((min(t.value for t in ok), i, p))
            if scored:
                current_value, _, current = min(scored, key=lambda s: (s[0], s[1]))
            decisions.append({"round": r, "sweep": name,
                              "value": None if name is None else current[name],
                              "loss": current_value, "params": dict(current)})
        return decisions, [], None

    def decisions(self, trials: Sequence[Trial]) -> list[dict]:
        """The choices made so far, one per finished step: ``{"round", "sweep" (the
        hyperparameter, None for the defaults), "value" (kept for it), "loss" (of the
        current point after the step), "params" (the current point)}``."""
        return self._walk(trials)[0]

    def ask(self, trials: Sequence[Trial], n: int = 1) -> list[Suggestion]:
        n = check_int("n", n, 1)
        _, missing, info = self._walk(trials)
        return [Suggestion(p, info=dict(info)) for p in missing[:n]]

    def max_trials(self) -> int:
        """An upper bound on the trials: 1 + rounds · Σⱼ |Vⱼ|."""
        return 1 + self.rounds * sum(len(v) for v in self.sweeps.values())

    def describe(self) -> dict:
        return {**super().describe(), "defaults": self.defaults,
                "sweeps": {k: list(v) for k, v in self.sweeps.items()}, "rounds": self.rounds}


def _space_from(defaults: Mapping, sweeps: Mapping) -> Space:
    dims = []
    for name, default in defaults.items():
        values = [default] + [v for v in sweeps.get(name, []) if not (
            type(v) is type(default) and v == default)]
        seen, choices = set(), []
        for v in values:
            if repr(v) not in seen:
                seen.add(repr(v))
                choices.append(v)
        dims.append(Categorical(name, choices))
    return Space(dims)


def one_at_a_time(objective: Callable[[Trial], float], defaults: Mapping,
                  sweeps: Mapping[str, Sequence], *, space: Space | None = None,
                  rounds: int = 1, progress: str | None = None):
    """Run §6.1's manual search: from ``defaults``, sweep each hyperparameter of ``sweeps``
    in turn with the others fixed, keeping the best value before moving on
    (:class:`OneAtATime`). ``objective(trial) -> validation loss``, as for
    :meth:`Study.optimize <surveykit.tuning.study.Study.optimize>` (it reads
    ``trial.params``). Without ``space``, each hyperparameter becomes a categorical
    dimension of its default and swept values. Returns the in-memory
    :class:`~surveykit.tuning.study.Study` (``.best``, ``.table()``, and
    ``.strategy.decisions(study.trials)``)."""
    from .study import Study

    if not isinstance(defaults, Mapping) or not defaults:
        raise ValueError(f"defaults must be a non-empty dict {{name: value}}; got {defaults!r}")
    if not isinstance(sweeps, Mapping):
        raise ValueError(f"sweeps must be a dict {{name: [values…]}}; got {sweeps!r}")
    missing = [k for k in sweeps if k not in defaults]
    if missing:
        raise ValueError(f"sweeps names {missing} have no default; defaults give "
                         f"{list(defaults)}")
    if space is None:
        space = _space_from(defaults, sweeps)
    strategy = OneAtATime(space, defaults, sweeps, rounds=rounds)
    study = Study(space, strategy, name="one-at-a-time")
    study.optimize(objective, strategy.max_trials(), progress=progress)
    return study
