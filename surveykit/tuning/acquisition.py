"""Expected Improvement: the acquisition function of Bayesian optimization (§6.6).

The survey's step 2 (§6.6): *"Use an acquisition function (e.g., Expected Improvement)
to balance exploration vs. exploitation."* With the surrogate's prediction
f(x) ~ N(μ(x), σ(x)²) and the best value so far f*, the improvement of a point is
I(x) = max(f* − ξ − f(x), 0) (we **minimise**; ξ ≥ 0 asks for a margin), and its
expectation has a closed form::

    EI(x) = (f* − μ − ξ) Φ(z) + σ φ(z),     z = (f* − μ − ξ) / σ
          = σ h(z),                         h(z) = z Φ(z) + φ(z)

with Φ and φ the standard normal cdf and pdf. The first term is large where the mean is
already good (exploitation), the second where the model is unsure (exploration). When
σ = 0 the point's value is known and EI = max(f* − μ − ξ, 0).

Far from the incumbent (z ≪ 0) EI underflows to 0 in floating point, and a flat zero
gives an optimiser nothing to climb. :func:`log_expected_improvement` computes
log EI = log σ + log h(z) without forming h: for z > −1 directly; for −1/√ε < z ≤ −1
as −z²/2 − ½ log 2π + log(1 − √(π/2) |z| erfcx(|z|/√2)); beyond, by the asymptote
−z²/2 − ½ log 2π − 2 log|z| (Ament et al., 2023, "Unexpected improvements to expected
improvement for Bayesian optimization"). Its derivative is d log h/dz = Φ(z)/h(z),
because h'(z) = Φ(z).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ..validation import check_int, check_range

__all__ = ["expected_improvement", "log_h", "log_expected_improvement",
           "expected_improvement_mc"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_HALF_PI = math.sqrt(0.5 * math.pi)
_INV_SQRT_EPS = 1.0 / math.sqrt(np.finfo(float).eps)


def expected_improvement(mu, sigma, best, xi: float = 0.0):
    """EI = (f* − μ − ξ) Φ(z) + σ φ(z), z = (f* − μ − ξ)/σ, for minimisation (survey §6.6);
    where σ = 0, EI = max(f* − μ − ξ, 0). Broadcasts over arrays."""
    xi = check_range("xi", xi, 0.0)
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    if np.any(sigma < 0):
        raise ValueError("sigma must be ≥ 0 (a standard deviation)")
    gap = best - mu - xi
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sigma > 0, gap / np.where(sigma > 0, sigma, 1.0), 0.0)
        ei = gap * special.ndtr(z) + sigma * np.exp(-0.5 * z * z - _LOG_SQRT_2PI)
    ei = np.where(sigma > 0, np.maximum(ei, 0.0), np.maximum(gap, 0.0))
    return ei if ei.ndim else float(ei)


def _log1mexp(x):
    """log(1 − eˣ) for x < 0, accurate at both ends."""
    return np.where(x > -math.log(2.0), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


def log_h(z):
    """log h(z) = log(z Φ(z) + φ(z)) computed without underflow or cancellation, and its
    derivative d log h / dz = Φ(z) / h(z) (a pair of arrays)."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    mid = z > -1.0
    out[mid] = np.log(z[mid] * special.ndtr(z[mid])
                      + np.exp(-0.5 * z[mid] ** 2 - _LOG_SQRT_2PI))
    tail = (~mid) & (z > -_INV_SQRT_EPS)
    zt = z[tail]
    out[tail] = (-0.5 * zt * zt - _LOG_SQRT_2PI
                 + _log1mexp(np.log(special.erfcx(-zt / math.sqrt(2.0)) * np.abs(zt))
                             + math.log(_SQRT_HALF_PI)))
    far = ~(mid | tail)
    out[far] = -0.5 * z[far] ** 2 - _LOG_SQRT_2PI - 2.0 * np.log(np.abs(z[far]))
    dlog = np.exp(special.log_ndtr(z) - out)
    return out, dlog


def log_expected_improvement(mu, sigma, best, xi: float = 0.0):
    """log EI = log σ + log h(z), z = (f* − μ − ξ)/σ (:func:`expected_improvement`'s
    logarithm, finite far into the region where EI itself underflows to 0); −inf where
    σ = 0 and f* − μ − ξ ≤ 0."""
    xi = check_range("xi", xi, 0.0)
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    if np.any(sigma < 0):
        raise ValueError("sigma must be ≥ 0 (a standard deviation)")
    mu, sigma = np.broadcast_arrays(mu, sigma)
    out = np.empty(mu.shape)
    pos = sigma > 0
    gap = best - mu - xi
    lh, _ = log_h(gap[pos] / sigma[pos])
    out[pos] = np.log(sigma[pos]) + lh
    with np.errstate(divide="ignore"):
        out[~pos] = np.log(np.maximum(gap[~pos], 0.0))
    return out if out.ndim else float(out)


def expected_improvement_mc(mu: float, sigma: float, best: float, xi: float = 0.0, *,
                            n: int = 1_000_000, seed: int = 0) -> tuple[float, float]:
    """Monte-Carlo estimate of E[max(f* − ξ − F, 0)], F ~ N(μ, σ²), with its standard
    error: the definition of EI, against which the closed form is checked."""
    n = check_int("n", n, 2)
    sigma = check_range("sigma", sigma, 0.0)
    f = np.random.default_rng(seed).normal(mu, sigma, size=n)
    imp = np.maximum(best - xi - f, 0.0)
    return float(imp.mean()), float(imp.std(ddof=1) / math.sqrt(n))
