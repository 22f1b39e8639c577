"""Checkers for the §8.4 exercises on hyperparameter robustness (notebook 08.04).

The references are :mod:`surveykit.robustness`'s own functions — :func:`~surveykit.
robustness.perturb` on a log-uniform dimension, :class:`~surveykit.robustness.SeedSpread`
(mean, sample std, Student-t interval) and :func:`~surveykit.robustness.
expected_quadratic_increase` — so each formula is defined once.
"""

from __future__ import annotations

import math

import numpy as np

from .. import robustness
from ..tuning.space import LogUniform
from .core import Check

__all__ = ["check_log_step", "check_seed_summary", "check_quadratic_sharpness"]

_STEP_CASES = [(1e-2, 0.5), (1e-3, 1.0), (3e-4, 0.25), (0.1, math.log10(2)), (5e-5, 0.1)]


def _pair(c: Check, got, what: str, case: str) -> tuple:
    try:
        values = tuple(float(v) for v in got)
    except (TypeError, ValueError):
        c.fail(f"return {what}; got {got!r} on {case}.")
    return values


def _log_step_hint(got: tuple, value: float, step: float) -> str:
    known = [
        ((value - step, value + step), "that is a step on a linear scale (value ± step); on "
                                       "a log scale the step multiplies: value·10^(±step)."),
        ((value * math.exp(-step), value * math.exp(step)), "the step is in decades: use "
                                                            "10**step, not e**step."),
        ((value * 10 ** step, value * 10 ** -step), "return (down, up): the smaller value "
                                                    "first."),
        ((value / step, value * step), "multiply by 10**step, not by step itself."),
    ]
    for values, hint in known:
        if all(math.isclose(g, v, rel_tol=1e-6) for g, v in zip(got, values, strict=True)):
            return hint
    return "down = value / 10**step and up = value * 10**step."


def check_log_step(fn) -> None:
    """Check ``fn(value, step)`` = (value·10^−step, value·10^+step), the two neighbours of a
    log-scale hyperparameter one ``step`` (in decades) away — what
    :func:`surveykit.robustness.perturb` does for a :class:`LogUniform` dimension."""
    c = Check("log_step")
    dim = LogUniform("learning_rate", 1e-12, 1e12)
    for value, step in _STEP_CASES:
        case = f"value={value:g}, step={step:.4g}"
        got = _pair(c, c.call(fn, value, step, case=case), "two numbers (down, up)", case)
        c.equal(f"number of values returned on {case}", len(got), 2,
                hint="return a tuple (down, up).")
        right = tuple(p["learning_rate"] for p in robustness.perturb(
            dim, {"learning_rate": value}, "learning_rate", step))
        c.close("(down, up)", got, right, case=case, rtol=1e-9, atol=0.0,
                hint=_log_step_hint(got, value, step))
    c.passed()


_SEED_CASES = [
    [0.171, 0.158, 0.166],
    [0.161, 0.152, 0.149, 0.177, 0.158],
    [0.30, 0.25, 0.41, 0.28, 0.33, 0.26, 0.31, 0.29],
    [1.0, 2.0],
]


def _seed_hint(got: tuple, x: np.ndarray) -> str:
    from scipy import stats

    n, mean = x.size, x.mean()
    s1, s0 = x.std(ddof=1), x.std(ddof=0)
    t = stats.t.ppf(0.975, n - 1)
    if math.isclose(got[1], s0, rel_tol=1e-6) and not math.isclose(s0, s1):
        return ("that std divides by n (numpy's default ddof=0); the sample standard "
                "deviation divides by n − 1: np.std(values, ddof=1).")
    half = got[3] - got[0] if len(got) == 4 else math.nan
    checks = [
        (1.959964 * s1 / math.sqrt(n), "±1.96·s/√n is the normal interval; with a few seeds "
                                       "use Student's t: t_{0.975, n−1} = "
                                       "scipy.stats.t.ppf(0.975, n − 1)."),
        (t * s1, "the interval is for the mean: use the standard error s/√n, not s."),
        (t * s0 / math.sqrt(n), "use the sample std (ddof=1) in the standard error."),
        (stats.t.ppf(0.95, n - 1) * s1 / math.sqrt(n), "a 95 % two-sided interval uses "
                                                        "t.ppf(0.975, n − 1), not 0.95."),
        (stats.t.ppf(0.975, n) * s1 / math.sqrt(n), "Student's t has n − 1 degrees of "
                                                     "freedom, not n."),
    ]
    for value, hint in checks:
        if math.isclose(half, value, rel_tol=1e-4):
            return hint
    if not math.isclose(got[0], mean, rel_tol=1e-9):
        return "the mean is sum(values) / n."
    return ("(low, high) = mean ∓ t·s/√n with t = scipy.stats.t.ppf(0.975, n − 1) and s "
            "the sample std (ddof=1).")


def check_seed_summary(fn) -> None:
    """Check ``fn(values)`` = (mean, sample std (ddof = 1), low, high) with (low, high) the
    95 % Student-t interval of the mean — :class:`surveykit.robustness.SeedSpread`'s
    ``mean``, ``std`` and ``ci``."""
    c = Check("seed_summary")
    for values in _SEED_CASES:
        x = np.array(values)
        case = f"values={values}"
        got = _pair(c, c.call(fn, list(values), case=case), "four numbers (mean, std, low, "
                    "high)", case)
        c.equal(f"number of values returned on {case}", len(got), 4,
                hint="return a tuple (mean, std, low, high).")
        ref = robustness.SeedSpread(params={}, seeds=tuple(range(x.size)), values=x)
        right = (ref.mean, ref.std, *ref.ci)
        c.close("(mean, std, low, high)", got, right, case=case, rtol=1e-6, atol=0.0,
                hint=_seed_hint(got, x))
    c.passed()


_H_CASES = [
    (np.diag([1.0, 2.0, 3.0]), 0.1),
    (np.array([[2.0, 0.5], [0.5, 1.0]]), 0.3),
    (np.diag(np.linspace(0.5, 4.0, 10)), 1.0),
    (np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]), 0.05),
]


def _sharp_hint(got: float, H: np.ndarray, r: float) -> str:
    d, tr = H.shape[0], float(np.trace(H))
    known = [
        (r ** 2 * tr / d, "you forgot the ½ of L = ½ wᵀHw: E[ΔL] = ½ E[εᵀHε]."),
        (0.5 * r ** 2 * tr, "a direction of norm r spreads r² over d coordinates: "
                            "E[εεᵀ] = (r²/d)·I, so divide tr(H) by d."),
        (0.5 * r * tr / d, "the increase is quadratic in the radius: use r², not r."),
        (0.5 * r ** 2 * float(H.sum()) / d, "use the trace (the sum of the diagonal), not "
                                            "the sum of every entry: the off-diagonal "
                                            "terms average to 0."),
        (0.5 * r ** 2 * float(np.linalg.eigvalsh(H).max()), "that is the worst direction "
                                                            "(largest eigenvalue); a random "
                                                            "direction gives the average."),
    ]
    for value, hint in known:
        if math.isclose(got, value, rel_tol=1e-6):
            return hint
    return "E[ΔL] = ½ r² tr(H) / d."


def check_quadratic_sharpness(fn) -> None:
    """Check ``fn(H, radius)`` = ½ r² tr(H)/d, the expected loss increase of
    L(w) = ½ wᵀHw under a random direction of norm r in d dimensions
    (:func:`surveykit.robustness.expected_quadratic_increase`)."""
    c = Check("quadratic_sharpness")
    for H, r in _H_CASES:
        case = f"H of shape {H.shape} with diagonal {np.round(np.diag(H), 3).tolist()}, r={r:g}"
        got = c.call(fn, H.copy(), r, case=case)
        try:
            value = float(np.asarray(got))
        except (TypeError, ValueError):
            c.fail(f"return one number (the expected increase); got {got!r} on {case}.")
        c.close("the expected increase", value, robustness.expected_quadratic_increase(H, r),
                case=case, rtol=1e-9, atol=0.0, hint=_sharp_hint(value, H, r))
    c.passed()
