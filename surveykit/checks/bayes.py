"""Checker for the §6.6 exercise on Expected Improvement (notebook 06.06).

The reference is :func:`surveykit.tuning.acquisition.expected_improvement`, so the EI
formula is defined once::

    EI = (f* − μ − ξ) Φ(z) + σ φ(z),   z = (f* − μ − ξ) / σ   (minimisation)
    EI = max(f* − μ − ξ, 0)            where σ = 0
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..tuning.acquisition import expected_improvement
from .core import Check

__all__ = ["check_expected_improvement"]

_PHI = lambda z: np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)  # noqa: E731


def _variants(mu, sigma, best, xi):
    """The usual wrong answers, each with the hint that names it (σ > 0 entries only)."""
    gap = best - mu - xi
    z = gap / sigma
    up = mu - best - xi  # as if maximising
    zu = up / sigma
    g0 = best - mu
    return [
        (up * special.ndtr(zu) + sigma * _PHI(zu),
         "that is EI for *maximisation*, with μ − f*. Here we minimise a loss: the "
         "improvement is f* − ξ − f(x), so z = (f* − μ − ξ)/σ."),
        (gap * special.ndtr(z),
         "the exploration term σ φ(z) is missing: EI = (f* − μ − ξ) Φ(z) + σ φ(z)."),
        (sigma * _PHI(z),
         "the exploitation term (f* − μ − ξ) Φ(z) is missing: EI = (f* − μ − ξ) Φ(z) + σ φ(z)."),
        (gap * _PHI(z) + sigma * _PHI(z),
         "you used the density φ where the cumulative distribution Φ belongs: the first "
         "term is (f* − μ − ξ) Φ(z), with Φ = scipy.stats.norm.cdf."),
        (gap * special.ndtr(z) + sigma * special.ndtr(z),
         "you used the cumulative distribution Φ in the second term: it is σ φ(z), with "
         "φ = scipy.stats.norm.pdf."),
        (g0 * special.ndtr(g0 / sigma) + sigma * _PHI(g0 / sigma),
         "ξ is ignored: subtract it, z = (f* − μ − ξ)/σ and the first factor f* − μ − ξ."),
        ((best - mu + xi) * special.ndtr((best - mu + xi) / sigma)
         + sigma * _PHI((best - mu + xi) / sigma),
         "ξ has the wrong sign: it is a margin the improvement must beat, f* − μ − ξ."),
        (gap * special.ndtr(gap) + _PHI(gap),
         "z must be divided by σ, and the second term multiplied by σ: z = (f* − μ − ξ)/σ, "
         "EI = (f* − μ − ξ) Φ(z) + σ φ(z)."),
        (gap * special.ndtr(gap / sigma**2) + sigma * _PHI(gap / sigma**2),
         "z divides by the standard deviation σ, not the variance σ²."),
    ]


def _hint(got, mu, sigma, best, xi) -> str:
    for value, hint in _variants(mu, sigma, best, xi):
        if np.allclose(got, value, rtol=1e-6, atol=1e-9):
            return hint
    return "EI = (f* − μ − ξ) Φ(z) + σ φ(z), z = (f* − μ − ξ)/σ (Φ, φ: the standard normal " \
           "cdf and pdf)."


# (mu, sigma, best, xi): points below, at and above the incumbent, small and large σ
_CASES = [
    ("five points, best=0.5, xi=0", np.array([0.2, 0.5, 0.8, 1.5, 0.45]),
     np.array([0.3, 0.1, 0.4, 0.2, 1.0]), 0.5, 0.0),
    ("five points, best=-1, xi=0.1", np.array([-1.5, -1.0, -0.8, 0.0, -1.05]),
     np.array([0.5, 0.2, 0.05, 1.5, 0.3]), -1.0, 0.1),
]


def check_expected_improvement(fn) -> None:
    """Check ``fn(mu, sigma, best, xi)`` = EI for minimisation on arrays mu, sigma:
    (f* − μ − ξ) Φ(z) + σ φ(z), z = (f* − μ − ξ)/σ, and max(f* − μ − ξ, 0) where σ = 0."""
    c = Check("expected_improvement")
    for case, mu, sigma, best, xi in _CASES:
        got = c.call(fn, mu.copy(), sigma.copy(), best, xi, case=case)
        got = np.asarray(got, dtype=float) if got is not None else got
        c.shape("the expected improvement", got, mu.shape, case=case)
        c.close("the expected improvement", got, expected_improvement(mu, sigma, best, xi),
                case=case, hint=_hint(got, mu, sigma, best, xi))
    c.count += 1
    if np.any(np.asarray(c.call(fn, np.array([0.0, 1.0]), np.array([1.0, 1.0]), 0.5, 0.0),
                         float) < 0):
        c.fail("EI came out negative; an expected improvement is never below 0.")
    # σ = 0: the value is known, so the improvement is max(f* − μ − ξ, 0)
    # (f* − μ − ξ = 0.125, −0.5, ·, 0 exactly: without a guard 0/0 gives nan)
    case = "sigma = 0 in some entries (best=0.5, xi=0.25)"
    mu = np.array([0.125, 0.75, 0.4, 0.25])
    sigma = np.array([0.0, 0.0, 0.3, 0.0])
    with np.errstate(all="ignore"):
        got = c.call(fn, mu.copy(), sigma.copy(), 0.5, 0.25, case=case)
    expected = expected_improvement(mu, sigma, 0.5, 0.25)
    c.shape("the expected improvement", got, mu.shape, case=case)
    got = np.asarray(got, dtype=float)
    c.count += 1
    at_zero = sigma == 0
    if not np.all(np.isfinite(got[at_zero])) or not np.allclose(got[at_zero],
                                                                expected[at_zero], atol=1e-9):
        c.fail(f"wrong values where σ = 0 on {case}.\n  Expected: {expected}\n"
               f"  Got:      {got}\n  Hint: with σ = 0 the value at x is known (no "
               "uncertainty), so EI = max(f* − μ − ξ, 0) there; dividing by σ = 0 gives "
               "nan or inf. Use np.where(sigma > 0, ei, np.maximum(best - mu - xi, 0)), "
               "dividing by a safe σ (e.g. np.where(sigma > 0, sigma, 1)).")
    c.close("the expected improvement", got, expected, case=case)
    c.passed()
