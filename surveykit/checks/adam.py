"""Checker for notebook 05.04 (RMSProp and Adam, survey §5.4–5.5): one Adam step.

Compares the learner's step with surveykit's reference
:func:`surveykit.optim.rules.adam_survey_step` (the survey's form, ε inside the square
root) and recognises the usual mistakes: ε outside the root (the paper's form), no bias
correction, storing the corrected moments, a step count starting at 0, g instead of g²,
β and 1 − β swapped, and gradient ascent.
"""

from __future__ import annotations

import numpy as np

from ..optim import rules
from ..optim.adaptive_experiments import adam_uncorrected_step
from .core import Check

__all__ = ["check_adam_step"]


def _cases():
    rng = np.random.default_rng(55)
    yield ("the first step (t = 1, m = v = 0), survey defaults",
           rng.normal(size=3), np.zeros(3), np.zeros(3), rng.normal(size=3), 1, 0.01,
           0.9, 0.999, 1e-8)
    yield ("a 2×3 weight matrix at t = 5, β₁ = 0.8, β₂ = 0.99, ε = 1e-3",
           rng.normal(size=(2, 3)), 0.1 * rng.normal(size=(2, 3)),
           0.05 * rng.random(size=(2, 3)), 0.1 * rng.normal(size=(2, 3)), 5, 0.05,
           0.8, 0.99, 1e-3)
    yield ("tiny gradients (1e-5) at t = 3 with ε = 1e-8, where ε's place matters",
           np.array([0.5, -0.5]), np.array([2e-6, -1e-6]), np.array([1e-10, 3e-11]),
           np.array([1e-5, -2e-5]), 3, 0.001, 0.9, 0.999, 1e-8)


def _triple(c: Check, result, case: str):
    if not (isinstance(result, tuple) and len(result) == 3):
        c.fail(f"return a tuple (new_w, new_m, new_v); got {type(result).__name__} on {case}.")
    return result


def _moment_hint(new_m, new_v, m, v, g, t, b1, b2) -> tuple[str, str]:
    hint_m = "m_t = β₁·m_{t−1} + (1 − β₁)·g: an EWA of the gradients."
    hint_v = "v_t = β₂·v_{t−1} + (1 − β₂)·g²: an EWA of the *squared* gradients."
    m_t = b1 * m + (1 - b1) * g
    v_t = b2 * v + (1 - b2) * g**2
    if np.allclose(new_m, (1 - b1) * m + b1 * g):
        hint_m = "β₁ weighs the *old* average and (1 − β₁) the new gradient, not the reverse."
    elif np.allclose(new_m, m_t / (1 - b1**t)):
        hint_m = ("you returned the bias-corrected m̂_t. Store the raw average m_t (the next "
                  "step builds on it); use m̂_t = m_t/(1 − β₁ᵗ) only inside the update.")
    if np.allclose(new_v, b2 * v + (1 - b2) * g):
        hint_v = "square the gradient: v averages g², which is what makes the step per-parameter."
    elif np.allclose(new_v, (1 - b2) * v + b2 * g**2):
        hint_v = "β₂ weighs the *old* average and (1 − β₂) the new g², not the reverse."
    elif np.allclose(new_v, v_t / (1 - b2**t)):
        hint_v = ("you returned the bias-corrected v̂_t. Store the raw average v_t; use "
                  "v̂_t = v_t/(1 − β₂ᵗ) only inside the update.")
    return hint_m, hint_v


def _step_hint(new_w, w, m, v, g, t, lr, b1, b2, eps) -> str:
    kwargs = {"lr": lr, "beta_1": b1, "beta_2": b2, "epsilon": eps}
    delta, _, _ = rules.adam_survey_step(g, m, v, t=t, **kwargs)
    paper, _, _ = rules.adam_paper_step(g, m, v, t=t, **kwargs)
    keras, _, _ = rules.adam_keras_step(g, m, v, t=t, **kwargs)
    raw, _, _ = adam_uncorrected_step(g, m, v, t=t, **kwargs)
    if np.allclose(new_w, w + delta):
        return "you moved *up* the gradient; Adam descends: w := w − η·m̂/√(v̂ + ε)."
    if np.allclose(new_w, w - paper) or np.allclose(new_w, w - keras):
        return ("that is the paper's (and Keras') form, ε outside the root: η·m̂/(√v̂ + ε). "
                "The survey puts ε inside: η·m̂/√(v̂ + ε).")
    if np.allclose(new_w, w - raw):
        return ("you left out the bias correction: divide m_t by (1 − β₁ᵗ) and v_t by "
                "(1 − β₂ᵗ) before the update.")
    shifts = [t + 1] + ([t - 1] if t > 1 else [])
    for other in shifts:
        shifted, _, _ = rules.adam_survey_step(g, m, v, t=other, **kwargs)
        if np.allclose(new_w, w - shifted):
            return "use βᵗ with the step t you are given (t counts from 1), not t − 1 or t + 1."
    return "w := w − η·m̂_t/√(v̂_t + ε) with m̂_t = m_t/(1 − β₁ᵗ), v̂_t = v_t/(1 − β₂ᵗ)."


def check_adam_step(fn) -> None:
    """Check ``fn(w, m, v, grad, t, learning_rate, beta_1, beta_2, epsilon)``.

    It must return ``(new_w, new_m, new_v)`` for the survey's Adam (§5.5):

    ``m_t = β₁m + (1 − β₁)g``, ``v_t = β₂v + (1 − β₂)g²``,
    ``m̂ = m_t/(1 − β₁ᵗ)``, ``v̂ = v_t/(1 − β₂ᵗ)``, ``w := w − η m̂/√(v̂ + ε)``.
    """
    c = Check("adam_step")
    for case, w, m, v, g, t, lr, b1, b2, eps in _cases():
        args = (w.copy(), m.copy(), v.copy(), g.copy(), t, lr, b1, b2, eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = c.call(fn, *args, case=case)
        new_w, new_m, new_v = _triple(c, result, case)
        delta, exp_m, exp_v = rules.adam_survey_step(g, m, v, lr=lr, t=t, beta_1=b1,
                                                     beta_2=b2, epsilon=eps)
        hint_m, hint_v = _moment_hint(new_m, new_v, m, v, g, t, b1, b2)
        c.close("new_m", new_m, exp_m, case=case, hint=hint_m)
        c.close("new_v", new_v, exp_v, case=case, hint=hint_v)
        try:
            got_w = np.asarray(new_w, dtype=float)
        except (TypeError, ValueError):
            c.fail(f"new_w on {case} should be numeric; got {type(new_w).__name__}.")
        if got_w.shape == w.shape and not np.all(np.isfinite(got_w)):
            c.fail(f"new_w on {case} contains NaN or inf: {got_w}. Hint: t counts from 1, so "
                   "1 − βᵗ is never 0; did you use t − 1 (1 − β⁰ = 0)?")
        c.close("new_w", new_w, w - delta, case=case, rtol=1e-7, atol=1e-12,
                hint=_step_hint(got_w, w, m, v, g, t, lr, b1, b2, eps))
    c.passed()
