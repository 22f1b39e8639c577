"""Learning-rate schedules (survey §5.7; decay as a hyperparameter in §3.4).

Each schedule's formula is written once, in :meth:`Schedule.formula`, against an array
namespace ``xp``, and serves two uses:

* ``schedule(t)`` evaluates it with numpy (float64) for a step or an array of steps —
  a plain callable for :class:`~surveykit.optim.NumpyOptimizer` and for plots
  (:func:`evaluate`);
* ``schedule.as_keras()`` wraps it as a ``keras.optimizers.schedules.LearningRateSchedule``
  that evaluates the same formula with ``keras.ops`` inside training
  (:class:`~surveykit.optim.keras_adapter.KerasSchedule`).

Steps count from 0, as a Keras optimizer's ``iterations`` do. Relations to Keras'
schedules (all checked by the tests):

==============================  ================================================================
surveykit                       Keras
==============================  ================================================================
StepDecay(η0, γ, s)             ExponentialDecay(η0, decay_steps=s, decay_rate=γ, staircase=True)
ExponentialDecay(η0, k, d)      ExponentialDecay(η0, decay_steps=d, decay_rate=e^(−k·d))
InverseTimeDecay(η0, k, d)      InverseTimeDecay(η0, decay_steps=d, decay_rate=k)
CosineDecay(η0, T, α)           CosineDecay(η0, decay_steps=T, alpha=α)
CosineDecayRestarts(η0, T0, …)  CosineDecayRestarts(η0, first_decay_steps=T0, …)
PiecewiseConstant(b, v, "right")  PiecewiseConstantDecay(b, v); the survey's ``"left"``
                                  convention equals PiecewiseConstantDecay(b − 1, v) on integers
LinearWarmup(CosineDecay(…), W, η_init)  CosineDecay(η_init, T, α, warmup_target=η0, warmup_steps=W)
==============================  ================================================================

Nothing here imports Keras until ``as_keras()`` is called.
"""

from __future__ import annotations

import math

import numpy as np

from ..validation import check_choice, check_increasing, check_int, check_range

__all__ = [
    "Schedule",
    "Constant",
    "StepDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "PiecewiseConstant",
    "LinearWarmup",
    "SCHEDULES",
    "schedule_from_config",
    "evaluate",
]


def _positive(name, value):
    return check_range(name, value, 0.0, math.inf, low_closed=False)


def _lr(name, value):
    return _positive(name, value)


class Schedule:
    """Base class. Subclasses implement :meth:`formula` and :meth:`get_config`."""

    def formula(self, t, xp):
        """The learning rate at step(s) ``t`` (float array or tensor), computed with ``xp``."""
        raise NotImplementedError

    def __call__(self, step):
        """η at ``step`` (an int, or an array of steps ≥ 0), evaluated with numpy in float64.

        Returns a float for a scalar step and an array for an array of steps.
        """
        t = np.asarray(step, dtype=np.float64)
        if np.any(t < 0) or not np.all(np.isfinite(t)):
            raise ValueError(f"step must be in [0, inf); got {step!r}")
        out = np.asarray(self.formula(t, np), dtype=np.float64)
        if out.shape != t.shape:
            out = np.broadcast_to(out, t.shape).copy()
        return float(out) if out.ndim == 0 else out

    def as_keras(self):
        """This schedule as a ``keras.optimizers.schedules.LearningRateSchedule``."""
        from .keras_adapter import KerasSchedule

        return KerasSchedule(self)

    def hyperparameters(self) -> dict:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"class_name": type(self).__name__, "config": self.hyperparameters()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    __hash__ = None


class Constant(Schedule):
    """A constant learning rate ``η_t = η0`` (the baseline to compare schedules against)."""

    def __init__(self, initial_learning_rate: float = 0.01):
        self.initial_learning_rate = _lr("initial_learning_rate", initial_learning_rate)

    def formula(self, t, xp):
        return t * 0.0 + self.initial_learning_rate

    def hyperparameters(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate}


class StepDecay(Schedule):
    """Step decay, survey §5.7: ``η_t = η0 · γ^floor(t / s)``.

    Drops by the factor ``gamma`` (γ in (0, 1], e.g. 0.5 or 0.1) every ``step_size``
    (s ≥ 1) steps. Keras: ``ExponentialDecay(η0, decay_steps=s, decay_rate=γ, staircase=True)``.
    """

    def __init__(self, initial_learning_rate: float = 0.1, gamma: float = 0.5, step_size: int = 10):
        self.initial_learning_rate = _lr("initial_learning_rate", initial_learning_rate)
        self.gamma = check_range("gamma", gamma, 0.0, 1.0, low_closed=False)
        self.step_size = check_int("step_size", step_size, low=1)

    def formula(self, t, xp):
        return self.initial_learning_rate * xp.power(self.gamma, xp.floor(t / self.step_size))

    def hyperparameters(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "gamma": self.gamma,
            "step_size": self.step_size,
        }


class ExponentialDecay(Schedule):
    """Exponential decay, survey §5.7: ``η_t = η0 · e^{−k t}`` (the survey's decay rate ``k`` > 0).

    With ``staircase=True`` the exponent advances in blocks of ``decay_steps`` d:
    ``η_t = η0 · e^{−k d floor(t/d)}`` (without staircase ``d`` has no effect).
    Keras' ``ExponentialDecay(η0, decay_steps=d, decay_rate=r)`` computes ``η0 · r^{t/d}``:
    the same schedule when ``r = e^{−k d}``, i.e. ``k = −ln(r)/d`` (:meth:`from_keras`
    converts). The parameter is called ``k``, not ``decay_rate``, because Keras' ``decay_rate``
    is the factor ``r``, a different number.
    """

    def __init__(
        self,
        initial_learning_rate: float = 0.1,
        k: float = 0.01,
        decay_steps: int = 1,
        staircase: bool = False,
    ):
        self.initial_learning_rate = _lr("initial_learning_rate", initial_learning_rate)
        self.k = _positive("k", k)
        self.decay_steps = check_int("decay_steps", decay_steps, low=1)
        self.staircase = bool(check_choice("staircase", staircase, (True, False)))

    @classmethod
    def from_keras(cls, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        """The survey-form twin of ``keras…ExponentialDecay(η0, decay_steps, decay_rate)``.

        ``decay_rate`` here is Keras' factor r in (0, 1); ``k = −ln(r) / decay_steps``.
        """
        r = check_range("decay_rate", decay_rate, 0.0, 1.0, low_closed=False, high_closed=False)
        d = check_int("decay_steps", decay_steps, low=1)
        return cls(initial_learning_rate, -math.log(r) / d, d, staircase)

    def formula(self, t, xp):
        p = t
        if self.staircase:
            p = self.decay_steps * xp.floor(t / self.decay_steps)
        return self.initial_learning_rate * xp.exp(-self.k * p)

    def hyperparameters(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "k": self.k,
            "decay_steps": self.decay_steps,
            "staircase": self.staircase,
        }


class InverseTimeDecay(Schedule):
    """1/t decay, survey §5.7 and §3.4: ``η_t = η0 / (1 + k · t/d)`` (``k = decay_rate`` > 0).

    The survey's form is ``decay_steps = 1``; ``staircase=True`` uses ``floor(t/d)``.
    Identical to Keras' ``InverseTimeDecay(η0, decay_steps=d, decay_rate=k, staircase)``.
    """

    def __init__(
        self,
        initial_learning_rate: float = 0.1,
        decay_rate: float = 0.01,
        decay_steps: int = 1,
        staircase: bool = False,
    ):
        self.initial_learning_rate = _lr("initial_learning_rate", initial_learning_rate)
        self.decay_rate = _positive("decay_rate", decay_rate)
        self.decay_steps = check_int("decay_steps", decay_steps, low=1)
        self.staircase = bool(check_choice("staircase", staircase, (True, False)))

    def formula(self, t, xp):
        p = t / self.decay_steps
        if self.staircase:
            p = xp.floor(p)
        return self.initial_learning_rate / (1 + self.decay_rate * p)

    def hyperparameters(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_rate": self.decay_rate,
            "decay_steps": self.decay_steps,
            "staircase": self.staircase,
        }


def _cosine(fraction, alpha, xp, scale=1.0):
    """``(1 − α) · scale · ½(1 + cos(π · fraction)) + α``, the cosine annealing curve."""
    return (1 - alpha) * (0.5 * scale * (1.0 + xp.cos(math.pi * fraction))) + alpha


class CosineDecay(Schedule):
    """Cosine annealing, one cycle (the building block of SGDR, survey §5.7).

    ``η_t = η0 · ((1 − α) · ½(1 + cos(π · min(t, T)/T)) + α)``: from η0 down to α·η0 over
    ``decay_steps`` T steps, then constant. Keras: ``CosineDecay(η0, decay_steps=T, alpha=α)``.
    """

    def __init__(
        self, initial_learning_rate: float = 0.1, decay_steps: int = 100, alpha: float = 0.0
    ):
        self.initial_learning_rate = _lr("initial_learning_rate", initial_learning_rate)
        self.decay_steps = check_int("decay_steps", decay_steps, low=1)
        self.alpha = check_range("alpha", alpha, 0.0, 1.0)

    def formula(self, t, xp):
        fraction = xp.minimum(t, float(self.decay_steps)) / self.decay_steps
        return self.initial_learning_rate * _cosine(fraction, self.alpha, xp)

    def hyperparameters(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
        }


class CosineDecayRestarts(Schedule):
    """Cosine annealing with warm restarts, SGDR (Loshchilov & Hutter 2017; survey §5.7).

    The rate follows a cosine from ``m_mul^i · η0`` down to ``α · η0`` over period ``i``,
    then jumps back up ("warm restart"). Period 0 lasts ``first_decay_steps`` T0 steps and
    each next one ``t_mul`` times longer. With ``x = t/T0``, the period index is
    ``i = floor(x)`` (t_mul = 1) or ``i = floor(log(1 − x(1 − t_mul)) / log t_mul)``, the
    position in it ``f = (x − (1 − t_mulⁱ)/(1 − t_mul)) / t_mulⁱ`` (``x − i`` when
    t_mul = 1), and ``η_t = η0 · ((1 − α) · m_mulⁱ · ½(1 + cos πf) + α)``.

    Same formula and arguments as Keras' ``CosineDecayRestarts`` (defaults t_mul = 2,
    m_mul = 1, α = 0). ``t_mul`` ≥ 1, ``m_mul`` in (0, 1], ``alpha`` in [0, 1];
    then ``α·η0 ≤ η_t ≤ η0``.
    """

    def __init__(
        self,
        initial_learning_rate: float = 0.1,
        first_decay_steps: int = 10,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
    ):
        self.initial_learning_rate = _lr("initial_learning_rate", initial_learning_rate)
        self.first_decay_steps = check_int("first_decay_steps", first_decay_steps, low=1)
        self.t_mul = check_range("t_mul", t_mul, 1.0, math.inf)
        self.m_mul = check_range("m_mul", m_mul, 0.0, 1.0, low_closed=False)
        self.alpha = check_range("alpha", alpha, 0.0, 1.0)

    def formula(self, t, xp):
        x = t / self.first_decay_steps
        if self.t_mul == 1.0:
            i = xp.floor(x)
            f = x - i
        else:
            i = xp.floor(xp.log(1.0 - x * (1.0 - self.t_mul)) / math.log(self.t_mul))
            sum_r = (1.0 - xp.power(self.t_mul, i)) / (1.0 - self.t_mul)
            f = (x - sum_r) / xp.power(self.t_mul, i)
        m_fac = xp.power(self.m_mul, i)
        return self.initial_learning_rate * _cosine(f, self.alpha, xp, scale=m_fac)

    def hyperparameters(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self.t_mul,
            "m_mul": self.m_mul,
            "alpha": self.alpha,
        }


class PiecewiseConstant(Schedule):
    """Discrete staircase decay, survey §5.7: a piecewise-constant rate.

    ``closed="left"`` (the survey's convention): ``η_t = values[0]`` for ``t < b_1``,
    ``values[i]`` for ``b_i ≤ t < b_{i+1}``, ``values[-1]`` for ``t ≥ b_last`` — the new
    rate takes effect *at* the boundary step. ``closed="right"`` (Keras'
    ``PiecewiseConstantDecay``): ``values[i]`` for ``b_i < t ≤ b_{i+1}``, the change one
    step later. On integer steps the two agree when Keras is given ``b − 1``.

    ``boundaries`` strictly increasing, at least one; ``values`` positive, one more than
    ``boundaries``.
    """

    def __init__(self, boundaries=(10, 20), values=(0.1, 0.01, 0.001), closed: str = "left"):
        boundaries = list(boundaries)
        values = list(values)
        check_int("len(boundaries)", len(boundaries), low=1)
        self.boundaries = [check_range("boundaries", b) for b in boundaries]
        check_increasing("boundaries", self.boundaries, strict=True)
        check_int("len(values)", len(values), low=len(boundaries) + 1, high=len(boundaries) + 1)
        self.values = [_lr("values", v) for v in values]
        self.closed = check_choice("closed", closed, ("left", "right"))

    def formula(self, t, xp):
        edges = [-math.inf, *self.boundaries, math.inf]
        out = 0.0
        for lo, hi, value in zip(edges[:-1], edges[1:], self.values, strict=True):
            inside = (t >= lo) & (t < hi) if self.closed == "left" else (t > lo) & (t <= hi)
            out = out + xp.where(inside, value, 0.0)
        return out

    def hyperparameters(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "closed": self.closed}


class LinearWarmup(Schedule):
    """Linear warm-up in front of another schedule (survey §5.7 "warm restarts" family).

    For ``t < W``: ``η_t = η_init + (η* − η_init) · t / W`` with ``η* = schedule(0)``;
    afterwards ``η_t = schedule(t − W)``, so the wrapped schedule starts when the warm-up
    ends and the rate reaches ``η*`` exactly at ``t = W``. Matches Keras'
    ``CosineDecay(η_init, T, α, warmup_target=η*, warmup_steps=W)`` when wrapping
    ``CosineDecay(η*, T, α)``. ``warmup_steps`` ≥ 1, ``initial_learning_rate`` ≥ 0.
    """

    def __init__(self, schedule, warmup_steps: int = 10, initial_learning_rate: float = 0.0):
        if not isinstance(schedule, Schedule):
            schedule = schedule_from_config(schedule)
        self.schedule = schedule
        self.warmup_steps = check_int("warmup_steps", warmup_steps, low=1)
        self.initial_learning_rate = check_range(
            "initial_learning_rate", initial_learning_rate, 0.0, math.inf
        )
        self.target = float(schedule(0))

    def formula(self, t, xp):
        w = float(self.warmup_steps)
        warm = (self.target - self.initial_learning_rate) * (t / w) + self.initial_learning_rate
        after = self.schedule.formula(xp.maximum(t - w, 0.0), xp)
        return xp.where(t < w, warm, after)

    def hyperparameters(self) -> dict:
        return {
            "schedule": self.schedule.get_config(),
            "warmup_steps": self.warmup_steps,
            "initial_learning_rate": self.initial_learning_rate,
        }


SCHEDULES = {
    cls.__name__: cls
    for cls in (
        Constant,
        StepDecay,
        ExponentialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
        PiecewiseConstant,
        LinearWarmup,
    )
}


def schedule_from_config(config) -> Schedule:
    """Inverse of :meth:`Schedule.get_config` (a :class:`Schedule` is returned unchanged)."""
    if isinstance(config, Schedule):
        return config
    if not isinstance(config, dict):
        raise ValueError(f"schedule must be a Schedule or its config dict; got {config!r}")
    cls = SCHEDULES[check_choice("class_name", config.get("class_name"), SCHEDULES)]
    return cls(**config.get("config", {}))


def evaluate(schedule, steps) -> tuple[np.ndarray, np.ndarray]:
    """``(steps, η(steps))`` as float arrays, for plotting a schedule.

    ``steps`` is an int (meaning ``0 … steps−1``) or a sequence of steps. ``schedule`` is
    a surveykit :class:`Schedule` or any callable of one step (e.g. a Keras
    ``LearningRateSchedule``, evaluated step by step).
    """
    if isinstance(steps, (int, np.integer)):
        steps = np.arange(check_int("steps", int(steps), low=1))
    steps = np.asarray(steps)
    if isinstance(schedule, Schedule):
        values = np.asarray(schedule(steps), dtype=np.float64)
    else:
        values = np.array([float(schedule(int(s))) for s in steps], dtype=np.float64)
    return steps.astype(np.float64), values
