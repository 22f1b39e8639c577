"""Checkers for the §7.1 exercises on weight initialisation (notebook 07.01).

The reference is :mod:`surveykit.gradients` (:func:`~surveykit.gradients.he_std`,
:func:`~surveykit.gradients.glorot_std`, :func:`~surveykit.gradients.sample_std_tolerance`),
so the He formula is defined once.
"""

from __future__ import annotations

import math

import numpy as np

from .. import gradients
from .core import Check

__all__ = ["check_he_std", "check_he_normal"]

_FANS = [(30, 32), (32, 32), (400, 10), (3, 500)]


def _std_hint(got: float, fan_in: int, fan_out: int) -> str:
    """Name the usual mistake behind a wrong He standard deviation."""
    he = gradients.he_std(fan_in)
    known = [
        (he**2, "you returned the variance 2/fan_in; the standard deviation is its square "
                "root, √(2/fan_in)."),
        (math.sqrt(2.0 / fan_out), "you used fan_out; He initialisation divides by fan_in, "
                                   "the number of inputs of each unit."),
        (gradients.glorot_std(fan_in, fan_out), "that is Xavier/Glorot's √(2/(fan_in + "
                                                "fan_out)); He's is √(2/fan_in)."),
        (math.sqrt(1.0 / fan_in), "that is LeCun's √(1/fan_in); He doubles the variance "
                                  "(factor 2) because ReLU zeroes half of its inputs."),
        (2.0 / math.sqrt(fan_in), "the 2 goes inside the square root: √(2/fan_in)."),
    ]
    for value, hint in known:
        if not math.isclose(value, he, rel_tol=1e-9) and math.isclose(got, value, rel_tol=1e-6):
            return hint
    return "He's standard deviation is √(2 / fan_in)."


def check_he_std(fn) -> None:
    """Check ``fn(fan_in, fan_out)`` = He's standard deviation √(2 / fan_in)."""
    c = Check("he_std")
    for fan_in, fan_out in _FANS:
        case = f"fan_in={fan_in}, fan_out={fan_out}"
        got = c.call(fn, fan_in, fan_out, case=case)
        try:
            value = float(np.asarray(got))
        except (TypeError, ValueError):
            c.fail(f"return one number (the standard deviation); got {got!r} on {case}.")
        c.close("the standard deviation", value, gradients.he_std(fan_in), case=case,
                hint=_std_hint(value, fan_in, fan_out))
    c.passed()


def check_he_normal(fn) -> None:
    """Check ``fn(fan_in, fan_out, rng)`` → a (fan_in, fan_out) array of He-normal weights.

    The sample std must be within :func:`~surveykit.gradients.sample_std_tolerance`
    (4 standard errors) of √(2/fan_in), the sample mean within 4 standard errors of 0
    and the kurtosis within 4 standard errors (√(24/n)) of a normal's 3; two calls with
    different generators must differ (the weights are random).
    """
    c = Check("he_normal")
    for fan_in, fan_out in [(400, 100), (50, 800)]:
        case = f"fan_in={fan_in}, fan_out={fan_out}"
        got = c.call(fn, fan_in, fan_out, np.random.default_rng(1), case=case)
        c.count += 1
        if np.shape(got) != (fan_in, fan_out):
            c.fail(f"wrong shape for the weights on {case}. Expected shape "
                   f"{(fan_in, fan_out)}, got {np.shape(got)}.\n  Hint: the kernel of a layer "
                   "with fan_in inputs and fan_out units has shape (fan_in, fan_out), as "
                   "Keras' Dense kernels do.")
        W = np.asarray(got, dtype=float)
        if not np.all(np.isfinite(W)):
            c.fail(f"the weights contain NaN or inf on {case}.")
        n, expected = W.size, gradients.he_std(fan_in)
        tol = gradients.sample_std_tolerance(expected, n)
        c.count += 1
        if abs(W.std() - expected) > tol:
            got_std = float(W.std())
            hint = ("draw the weights from a normal distribution with standard deviation "
                    "√(2/fan_in).")
            if got_std > 0:
                for value, text in [(gradients.he_std(fan_in) ** 2, "variance"),
                                    (math.sqrt(2.0 / fan_out), "fan_out"),
                                    (gradients.glorot_std(fan_in, fan_out), "glorot"),
                                    (1.0, "unit")]:
                    if abs(got_std - value) <= gradients.sample_std_tolerance(value, n):
                        hint = {"variance": "you scaled by the variance 2/fan_in; scale by "
                                            "its square root √(2/fan_in).",
                                "fan_out": "you used fan_out; He divides by fan_in.",
                                "glorot": "that is Xavier/Glorot's std; He's is √(2/fan_in).",
                                "unit": "the weights have std 1: multiply the standard "
                                        "normal draws by √(2/fan_in)."}[text]
                        break
            c.fail(f"the weights' standard deviation is {got_std:.4g} on {case}; expected "
                   f"√(2/{fan_in}) = {expected:.4g} (± {tol:.2g}, 4 standard errors for "
                   f"{n} draws).\n  Hint: {hint}")
        c.count += 1
        if abs(W.mean()) > 4 * W.std() / math.sqrt(n):
            c.fail(f"the weights' mean is {W.mean():.4g} on {case}; He-normal weights have "
                   "mean 0. Hint: draw from rng.normal(0.0, std, size) or "
                   "rng.standard_normal(size) * std.")
        kurtosis = float(np.mean((W - W.mean()) ** 4) / W.var() ** 2)
        c.count += 1
        if abs(kurtosis - 3.0) > 4 * math.sqrt(24.0 / n):
            c.fail(f"the weights do not look normally distributed on {case}: their kurtosis "
                   f"is {kurtosis:.3g}, a normal distribution's is 3 (a uniform one's 1.8). "
                   "Hint: draw from rng.normal, not rng.uniform or a truncated normal.")
    a = np.asarray(c.call(fn, 20, 20, np.random.default_rng(2)), dtype=float)
    b = np.asarray(c.call(fn, 20, 20, np.random.default_rng(3)), dtype=float)
    c.count += 1
    if a.shape == b.shape and np.array_equal(a, b):
        c.fail("two different generators gave identical weights: draw them from the `rng` "
               "argument (rng.normal(...)), not from a fixed seed or a constant.")
    c.passed()
