"""Checker for notebook 05.06 (exponentially weighted averages, survey §5.6 and §3.5).

Compares the learner's bias-corrected EWA with surveykit's reference
:func:`surveykit.optim.ewa.ewa` (``bias_correction=True``) and recognises the usual
mistakes: no correction, a step count starting at 0, β and 1 − β swapped, feeding the
corrected value back into the recursion, starting from ``v_0 = x_1``, and a plain
running mean.
"""

from __future__ import annotations

import numpy as np

from ..optim.ewa import bias_correct, ewa, ewa_update
from .core import Check

__all__ = ["check_bias_corrected_ewa"]


def _cases():
    rng = np.random.default_rng(56)
    yield "a constant series 5, 5, 5, 5 with β = 0.9", np.full(4, 5.0), 0.9
    yield "40 noisy values with β = 0.9", 10 + 2 * rng.normal(size=40), 0.9
    yield "12 values with β = 0.5", rng.normal(size=12), 0.5
    yield "β = 0 (the average is the last observation)", np.array([1.0, -2.0, 3.0]), 0.0


def _variants(x, beta) -> dict:
    """Typical wrong answers, each with its hint."""
    t = np.arange(1, len(x) + 1)
    out = {}
    out["raw"] = (ewa(x, beta), "you returned the raw v_t; divide by the bias correction "
                                "1 − βᵗ: v̂_t = v_t / (1 − βᵗ).")
    if beta > 0:
        text = ("β weighs the *old* average and (1 − β) the new observation: "
                "v_t = β·v_{t−1} + (1 − β)·x_t.")
        out["swap"] = (ewa(x, 1 - beta) / (1 - beta**t), text)
        out["swap, corrected with 1 − β"] = (ewa(x, 1 - beta, bias_correction=True), text)
    fed, v = [], 0.0
    for i, xi in enumerate(x):
        v = bias_correct(ewa_update(v, xi, beta), beta, i + 1)
        fed.append(v)
    out["fed"] = (np.asarray(fed), "keep the raw v_t in the recursion and correct only the "
                                   "value you return; feeding v̂ back in over-corrects.")
    started = [x[0]]
    for xi in x[1:]:
        started.append(ewa_update(started[-1], xi, beta))
    out["v0=x1"] = (np.asarray(started) / (1 - beta**t),
                    "the survey starts from v_0 = 0 (that is why the correction is needed); "
                    "starting from v_1 = x_1 and then correcting double-counts.")
    out["mean"] = (np.cumsum(x) / t, "a plain running mean weighs all points equally; the "
                                     "EWA's weights decay by β per step.")
    out["t+1"] = (ewa(x, beta) / (1 - beta ** (t + 1)),
                  "the t-th average (t = 1, 2, …) is divided by 1 − βᵗ; use the 1-based step.")
    return out


def check_bias_corrected_ewa(fn) -> None:
    """Check ``fn(x, beta)`` → array of ``v̂_t = v_t / (1 − βᵗ)`` for ``t = 1 … len(x)``.

    With ``v_0 = 0`` and ``v_t = β v_{t−1} + (1 − β) x_t`` (survey §5.6).
    """
    c = Check("bias_corrected_ewa")
    for case, x, beta in _cases():
        with np.errstate(divide="ignore", invalid="ignore"):
            got = c.call(fn, x.copy(), beta, case=case)
        expected = ewa(x, beta, bias_correction=True)
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            c.fail(f"return an array of numbers; got {type(got).__name__} on {case}.")
        c.shape("the averages", arr, expected.shape, case=case)
        if not np.all(np.isfinite(arr)):
            c.fail(f"the averages on {case} contain NaN or inf: {arr}. Hint: the first "
                   "average is step t = 1, divided by 1 − β¹; with t = 0 you divide by "
                   "1 − β⁰ = 0.")
        hint = "v̂_t = v_t / (1 − βᵗ), with v_0 = 0 and v_t = β·v_{t−1} + (1 − β)·x_t."
        if not np.allclose(arr, expected):
            for wrong, text in _variants(x, beta).values():
                if wrong is not None and np.allclose(arr, wrong):
                    hint = text
                    break
        c.close("the averages", arr, expected, case=case, hint=hint)
    c.passed()
