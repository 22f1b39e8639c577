"""Checkers for the learning-rate schedule exercises (notebook 05.07, survey §5.7 and §3.4).

Each compares the learner's schedule with the package's reference implementation in
:mod:`surveykit.optim.schedules` (:class:`~surveykit.optim.schedules.StepDecay`,
:class:`~surveykit.optim.schedules.InverseTimeDecay`) at every step of a few ranges, and
recognises the usual mistakes by comparing with what each of them would produce.
"""

from __future__ import annotations

import numpy as np

from ..optim.schedules import InverseTimeDecay, StepDecay
from .core import Check

__all__ = ["check_step_decay", "check_inverse_time_decay"]

# Typical wrong answers: (what the mistake computes, as a function of the case, and the hint).
STEP_DECAY_MISTAKES = [
    (lambda t, eta0, gamma, s: eta0 * gamma ** (t / s),
     "without the floor ⌊t/s⌋ this is a smooth exponential decay; step decay stays constant "
     "for s steps and then drops by γ: use np.floor(t / s)."),
    (lambda t, eta0, gamma, s: eta0 * gamma ** np.ceil(t / s),
     "np.ceil drops the rate already at t = 1; the first drop comes at t = s: use "
     "np.floor(t / s)."),
    (lambda t, eta0, gamma, s: eta0 * gamma ** np.round(t / s),
     "np.round drops the rate half a period early; use np.floor(t / s)."),
    (lambda t, eta0, gamma, s: eta0 * gamma ** np.floor((t + 1) / s),
     "steps count from t = 0 (like a Keras optimizer's iterations), so the rate first drops "
     "at t = s, not at t = s − 1: use np.floor(t / s)."),
    (lambda t, eta0, gamma, s: eta0 * gamma * np.floor(t / s),
     "γ multiplies the rate once per completed period, i.e. it is raised to the power ⌊t/s⌋ "
     "(gamma ** np.floor(t / s)), not multiplied by ⌊t/s⌋."),
    (lambda t, eta0, gamma, s: eta0 * s ** np.floor(t / gamma),
     "γ and s are swapped: γ is the factor, s the number of steps between drops."),
]
STEP_DECAY_HINT = "η_t = η0 · γ ** np.floor(t / s): γ is raised to the number of completed periods."

INVERSE_TIME_MISTAKES = [
    (lambda t, eta0, k: eta0 / (1 + k) * t,
     "mind the parentheses: η0 / (1 + k * t), not η0 / (1 + k) * t."),
    (lambda t, eta0, k: eta0 * (1 - k * t),
     "η0 · (1 − kt) decays linearly and turns negative; the survey divides: η0 / (1 + kt)."),
    (lambda t, eta0, k: eta0 / (1 + k) ** t,
     "η0 / (1 + k)^t is an exponential decay; 1/t decay is η0 / (1 + k · t)."),
    (lambda t, eta0, k: eta0 * np.exp(-k * t),
     "that is the exponential decay η0·e^(−kt); 1/t decay is η0 / (1 + k · t)."),
    (lambda t, eta0, k: eta0 / (k * t),
     "η0 / (k·t) is infinite at t = 0; the survey's 1/t decay keeps the 1: η0 / (1 + k · t), "
     "which starts at η0."),
]
INVERSE_TIME_HINT = "η_t = η0 / (1 + k · t): the rate is η0 at t = 0 and falls like 1/t later."


def _as_float(values):
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return None


def _diagnose(got, mistakes, args, default: str) -> str:
    """The hint of the first typical mistake that reproduces ``got`` (where it is finite)."""
    got = _as_float(got)
    if got is None:
        return default
    for compute, hint in mistakes:
        with np.errstate(all="ignore"):
            candidate = np.asarray(compute(*args), dtype=float)
        if candidate.shape != got.shape:
            continue
        finite = np.isfinite(candidate)
        if finite.any() and np.allclose(got[finite], candidate[finite], rtol=1e-6, atol=0):
            return hint
    return default


def _first_difference(got, expected, steps) -> str:
    """' (first at step t = …)' naming the first step where the two disagree, or ''."""
    got = _as_float(got)
    if got is None or got.shape != np.shape(expected):
        return ""
    with np.errstate(all="ignore"):
        bad = ~np.isclose(got, expected, rtol=1e-6, atol=1e-12)
    if not bad.any():
        return ""
    return f" (first at step t = {int(np.asarray(steps)[np.argmax(bad)])})"


def check_step_decay(fn) -> None:
    """Check ``fn(t, initial_learning_rate, gamma, step_size)`` = η0·γ^⌊t/s⌋ (t an array)."""
    c = Check("step_decay")
    cases = [
        ("t = 0…49, η0 = 0.1, γ = 0.5, s = 10", np.arange(50), 0.1, 0.5, 10),
        ("t = 0…11, η0 = 0.2, γ = 0.1, s = 3", np.arange(12), 0.2, 0.1, 3),
        ("steps [0, 7, 8, 9, 100], η0 = 1, γ = 0.9, s = 8", np.array([0, 7, 8, 9, 100]),
         1.0, 0.9, 8),
    ]
    for case, t, eta0, gamma, s in cases:
        got = c.call(fn, t.copy(), eta0, gamma, s, case=case)
        expected = StepDecay(eta0, gamma, s)(t)
        hint = _diagnose(got, STEP_DECAY_MISTAKES, (t, eta0, gamma, s), STEP_DECAY_HINT)
        where = case + _first_difference(got, expected, t)
        c.close("the learning rates", got, expected, case=where, hint=hint)
    c.passed()


def check_inverse_time_decay(fn) -> None:
    """Check ``fn(t, initial_learning_rate, decay_rate)`` = η0 / (1 + k·t) (t an array)."""
    c = Check("inverse_time_decay")
    cases = [
        ("t = 0…99, η0 = 0.1, k = 0.05", np.arange(100), 0.1, 0.05),
        ("t = 0…9, η0 = 1, k = 1", np.arange(10), 1.0, 1.0),
        ("steps [0, 1, 1000, 10⁶], η0 = 0.3, k = 0.002", np.array([0, 1, 1000, 10**6]),
         0.3, 0.002),
    ]
    for case, t, eta0, k in cases:
        got = c.call(fn, t.copy(), eta0, k, case=case)
        expected = InverseTimeDecay(eta0, k)(t)
        hint = _diagnose(got, INVERSE_TIME_MISTAKES, (t, eta0, k), INVERSE_TIME_HINT)
        where = case + _first_difference(got, expected, t)
        c.close("the learning rates", got, expected, case=where, hint=hint)
    c.passed()
