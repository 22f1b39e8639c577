"""Checkers for the exercises of notebook 04.01 (L1, L2 and elastic net; survey §4.1–4.2).

Each compares the learner's answer with :mod:`surveykit.regularization.penalties` (and
:func:`surveykit.regularization.experiments.l2_sgd_step`), so every formula is defined once.
"""

from __future__ import annotations

import numpy as np

from .core import Check

# The references are imported inside each checker: surveykit.regularization imports Keras,
# and importing sk.checks must stay cheap for notebooks that do not use TensorFlow.

__all__ = ["check_l2_penalty_and_gradient", "check_elastic_net", "check_l2_sgd_step"]


def _pair(c: Check, result, case: str, names=("penalty", "gradient")):
    if not (isinstance(result, tuple) and len(result) == 2):
        c.fail(f"return a tuple ({names[0]}, {names[1]}); got {type(result).__name__} "
               f"on {case}.")
    return result


def _scalar(c: Check, what: str, value, case: str) -> float:
    if np.ndim(value) != 0:
        c.fail(f"{what} on {case} should be one number (the sum over all weights); got an "
               f"array of shape {np.shape(value)}. Hint: sum the per-weight terms.")
    return value


def _w_cases():
    rng = np.random.default_rng(3)
    yield "a vector w = [1, −2, 0, 3], λ = 0.1", np.array([1.0, -2.0, 0.0, 3.0]), 0.1
    yield "a 4×3 weight matrix, λ = 0.01", rng.normal(size=(4, 3)), 0.01
    yield "λ = 0 (no penalty)", rng.normal(size=5), 0.0


def check_l2_penalty_and_gradient(fn) -> None:
    """Check ``fn(w, lam)`` → (λ Σ w², 2λ w), the survey's L2 penalty and its gradient."""
    from ..regularization import l2_gradient, l2_penalty

    c = Check("l2_penalty_and_gradient")
    for case, w, lam in _w_cases():
        penalty, grad = _pair(c, c.call(fn, w.copy(), lam, case=case), case)
        _scalar(c, "the penalty", penalty, case)
        expected_p, expected_g = l2_penalty(w, lam), l2_gradient(w, lam)
        hint_p = "Ω(w) = λ Σ_i w_i²: square every weight, add them all up, multiply by λ."
        got_p = float(np.asarray(penalty, dtype=float))
        if np.isclose(got_p, lam * np.mean(w**2)) and not np.isclose(got_p, expected_p):
            hint_p = "use the sum Σ w_i², not the mean: the survey's penalty sums the weights."
        elif np.isclose(got_p, lam * np.sum(np.abs(w))) and not np.isclose(got_p, expected_p):
            hint_p = "that is the L1 penalty λ Σ|w_i|; L2 squares the weights."
        elif np.isclose(got_p, lam * np.sqrt(np.sum(w**2))) and not np.isclose(got_p,
                                                                              expected_p):
            hint_p = "λ‖w‖₂ is not squared; the penalty is λ Σ w_i² = λ‖w‖₂²."
        elif np.isclose(got_p, 0.5 * expected_p) and not np.isclose(got_p, expected_p):
            hint_p = "no ½ here: the survey (and Keras' L2) write λ Σ w_i², not ½ λ Σ w_i²."
        c.close("the penalty", got_p, expected_p, case=case, hint=hint_p)
        hint_g = "∂/∂w_i of λ Σ w_j² is 2λ w_i, one entry per weight (same shape as w)."
        g = np.asarray(grad, dtype=float)
        if g.shape == w.shape and lam > 0:
            if np.allclose(g, lam * w):
                hint_g = ("the factor 2 is missing: the derivative of λ w² is 2λ w (λw is the "
                          "gradient of ½ λ w², a convention the survey does not use).")
            elif np.allclose(g, 2 * w):
                hint_g = "multiply by λ: the gradient is 2λ w."
            elif np.allclose(g, -2 * lam * w):
                hint_g = "wrong sign: the penalty grows with |w|, so its gradient is +2λ w."
        c.close("the gradient", grad, expected_g, case=case, hint=hint_g)
    c.passed()


def check_elastic_net(fn) -> None:
    """Check ``fn(w, lam1, lam2)`` → (λ1 Σ|w| + λ2 Σw², λ1 sign(w) + 2λ2 w) (survey §4.2)."""
    from ..regularization import elastic_net_gradient, elastic_net_penalty

    c = Check("elastic_net")
    rng = np.random.default_rng(4)
    cases = [
        ("w = [1, −2, 0, 3], λ1 = 0.1, λ2 = 0.01 (note the 0)", np.array([1.0, -2.0, 0.0, 3.0]),
         0.1, 0.01),
        ("a 3×4 matrix with some exact zeros, λ1 = 0.02, λ2 = 0.3",
         np.where(rng.uniform(size=(3, 4)) < 0.3, 0.0, rng.normal(size=(3, 4))), 0.02, 0.3),
        ("λ1 = 0 (pure L2)", rng.normal(size=4), 0.0, 0.2),
    ]
    for case, w, lam1, lam2 in cases:
        penalty, grad = _pair(c, c.call(fn, w.copy(), lam1, lam2, case=case), case)
        _scalar(c, "the penalty", penalty, case)
        expected_p = elastic_net_penalty(w, lam1, lam2)
        expected_g = elastic_net_gradient(w, lam1, lam2)
        got_p = float(np.asarray(penalty, dtype=float))
        hint_p = "Ω(w) = λ1 Σ|w_i| + λ2 Σ w_i²."
        if np.isclose(got_p, elastic_net_penalty(w, lam2, lam1)) and lam1 != lam2:
            hint_p = "λ1 and λ2 are swapped: λ1 multiplies Σ|w_i| (L1), λ2 multiplies Σ w_i² (L2)."
        c.close("the penalty", got_p, expected_p, case=case, hint=hint_p)
        g = np.asarray(grad, dtype=float)
        hint_g = "∂Ω/∂w_i = λ1 sign(w_i) + 2λ2 w_i, with sign(0) = 0 (np.sign does that)."
        if g.shape == w.shape:
            if not np.all(np.isfinite(g)):
                hint_g = ("w/|w| is 0/0 = NaN at w = 0; use np.sign(w), which gives 0 there — a "
                          "valid subgradient of |w| at 0.")
            elif np.allclose(g, lam1 * np.sign(w) + lam2 * w) and lam2 > 0:
                hint_g = "the L2 part's derivative is 2λ2 w (d/dw of w² is 2w)."
            elif np.allclose(g, elastic_net_gradient(w, lam2, lam1)) and lam1 != lam2:
                hint_g = "λ1 and λ2 are swapped: λ1 goes with sign(w), λ2 with 2w."
            elif np.allclose(g, lam1 * np.abs(w) + 2 * lam2 * w):
                hint_g = "the derivative of |w| is sign(w), not |w|."
        c.close("the gradient", grad, expected_g, case=case, hint=hint_g)
    c.passed()


def check_l2_sgd_step(fn) -> None:
    """Check ``fn(w, grad_loss, learning_rate, lam)`` → w − η(∇L + 2λw) (survey §3.2, §4.1)."""
    from ..regularization.experiments import l2_sgd_step

    c = Check("l2_sgd_step")
    rng = np.random.default_rng(5)
    cases = [
        ("w = [1, −2], ∇L = [0, 0], η = 0.1, λ = 0.5 (pure decay)", np.array([1.0, -2.0]),
         np.zeros(2), 0.1, 0.5),
        ("a 3×2 matrix, η = 0.05, λ = 0.01", rng.normal(size=(3, 2)), rng.normal(size=(3, 2)),
         0.05, 0.01),
        ("λ = 0 (plain SGD)", rng.normal(size=3), rng.normal(size=3), 0.2, 0.0),
    ]
    for case, w, g, lr, lam in cases:
        got = c.call(fn, w.copy(), g.copy(), lr, lam, case=case)
        expected = l2_sgd_step(w, g, lr, lam)
        got_arr = np.asarray(got, dtype=float)
        hint = "w_new = w − η (∇L + 2λ w) = (1 − 2ηλ) w − η ∇L."
        if got_arr.shape == w.shape:
            if np.allclose(got_arr, w + lr * (g + 2 * lam * w)):
                hint = "you stepped *up* the gradient; SGD subtracts η·(∇L + 2λw)."
            elif lam > 0 and np.allclose(got_arr, (1 - lr * lam) * w - lr * g):
                hint = ("the decay factor is 1 − 2ηλ: the gradient of λ Σ w² is 2λw (the "
                        "survey has no ½ in front of the penalty).")
            elif lam > 0 and np.allclose(got_arr, (1 - 2 * lam) * w - lr * g):
                hint = "the penalty's gradient is multiplied by the learning rate too: (1 − 2ηλ)."
            elif lam > 0 and np.allclose(got_arr, w - lr * g):
                hint = "the penalty is missing: add its gradient 2λw to ∇L before stepping."
        c.close("the new weights", got, expected, case=case, hint=hint)
    c.passed()
