"""Checkers for notebook 05.03 (momentum and Nesterov, survey §5.3 and §3.4).

Each compares the learner's step with surveykit's reference formulas
:func:`surveykit.optim.rules.momentum_survey_step` and
:func:`surveykit.optim.rules.nesterov_survey_step`, and recognises the usual mix-ups
between the EWA form, the classic (Keras) form and the look-ahead.
"""

from __future__ import annotations

import numpy as np

from ..optim import rules
from ..optim.surfaces import Quadratic
from .core import Check

__all__ = ["check_momentum_step", "check_nesterov_step"]


def _cases():
    rng = np.random.default_rng(8)
    yield "2 parameters, β = 0.9", rng.normal(size=2), rng.normal(size=2), rng.normal(size=2), \
        0.03, 0.9
    yield "a 2×3 weight matrix, β = 0.5", rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), \
        rng.normal(size=(2, 3)), 0.05, 0.5
    yield "β = 0 (plain gradient descent)", np.array([1.0, -2.0]), np.array([0.3, 0.3]), \
        np.array([0.5, -1.0]), 0.2, 0.0


def _pair(c: Check, result, case: str):
    if not (isinstance(result, tuple) and len(result) == 2):
        c.fail(f"return a tuple (new_w, new_v); got {type(result).__name__} on {case}.")
    return result


def check_momentum_step(fn) -> None:
    """Check ``fn(w, v, grad, lr, beta)`` → (new_w, new_v), the survey's EWA-form momentum."""
    c = Check("momentum_step")
    for case, w, v, g, lr, beta in _cases():
        new_w, new_v = _pair(c, c.call(fn, w.copy(), v.copy(), g.copy(), lr, beta, case=case),
                             case)
        delta, exp_v = rules.momentum_survey_step(g, v, lr=lr, beta=beta)
        exp_w = w - delta
        hint_v = "v_t = β·v_{t−1} + (1 − β)·grad: an exponentially weighted average of gradients."
        if np.allclose(new_v, beta * v + g) and beta > 0:
            hint_v = ("that is the classic form v = βv + g; the survey's momentum is an "
                      "average: multiply the gradient by (1 − β).")
        elif np.allclose(new_v, (1 - beta) * v + beta * g) and beta not in (0.5,):
            hint_v = "β weighs the *old* velocity and (1 − β) the new gradient, not the reverse."
        elif np.allclose(new_v, beta * v - lr * g) and beta > 0:
            hint_v = ("that is Keras' form m = βm − ηg; the survey keeps η out of the "
                      "velocity: v = βv + (1 − β)g, then w −= ηv.")
        c.close("new_v", new_v, exp_v, case=case, hint=hint_v)
        hint_w = "update the weights with the *new* velocity: w_t = w_{t−1} − η·v_t."
        if np.allclose(new_w, w + lr * exp_v):
            hint_w = "you moved along the velocity; descent subtracts it: w − η·v."
        elif np.allclose(new_w, w - lr * v) and beta > 0:
            hint_w = "you used the old velocity v_{t−1}; compute v_t first, then w −= η·v_t."
        c.close("new_w", new_w, exp_w, case=case, hint=hint_w)
    c.passed()


def check_nesterov_step(fn) -> None:
    """Check ``fn(w, v, grad_fn, lr, beta)`` → (new_w, new_v), the survey's Nesterov (§5.3).

    ``v_t = β v + η ∇L(w − β v)``, ``w := w − v_t``.
    """
    c = Check("nesterov_step")
    bowl = Quadratic(1.0, 20.0)
    for case, w, v, _, lr, beta in _cases():
        if w.shape != (2,):  # the bowl's gradient is for 2-D points: use a linear model
            target = np.arange(w.size, dtype=float).reshape(w.shape)

            def grad_fn(p, target=target):
                return 3.0 * (np.asarray(p) - target)
        else:
            grad_fn = bowl.grad
        calls = []

        def spy(p, grad_fn=grad_fn, calls=calls):
            calls.append(np.array(p, dtype=float))
            return grad_fn(p)

        new_w, new_v = _pair(c, c.call(fn, w.copy(), v.copy(), spy, lr, beta, case=case), case)
        lookahead = w - beta * v
        delta, exp_v = rules.nesterov_survey_step(grad_fn(lookahead), v, lr=lr, beta=beta)
        hint = ("take the gradient at the look-ahead point w − β·v, then "
                "v_t = β·v + η·∇L(w − β·v) and w := w − v_t.")
        hint_w = "update the weights with the new velocity: w := w − v_t."
        if not calls:
            hint = "call grad_fn to get the gradient (at the look-ahead point w − β·v)."
        elif beta > 0 and np.allclose(calls[0], w):
            hint = ("you took the gradient at w: that is classic momentum. Nesterov looks "
                    "ahead: evaluate grad_fn at w − β·v.")
        elif beta > 0 and np.allclose(calls[0], w + beta * v):
            hint = ("the look-ahead point is w − β·v (where the velocity is about to take "
                    "you, since w moves by −v), not w + β·v.")
        elif np.allclose(new_v, beta * v + (1 - beta) * grad_fn(lookahead)):
            hint = ("the survey's Nesterov has no (1 − β): v_t = β·v + η·∇L(w − β·v) "
                    "(η inside the velocity), then w −= v_t.")
        if np.allclose(new_w, w - lr * exp_v):
            hint_w = "η is already inside v_t here: the update is w := w − v_t, not w − η·v_t."
        elif np.allclose(new_w, w + exp_v):
            hint_w = "descent subtracts the velocity: w := w − v_t."
        c.close("new_v", new_v, exp_v, case=case, hint=hint)
        c.close("new_w", new_w, w - delta, case=case, hint=hint_w if calls else hint)
    c.passed()
