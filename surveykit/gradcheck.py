"""Finite-difference gradient checks (the CS231n recipe).

Centred differences ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h with h ≈ 1e-5, compared
to an analytic gradient by the relative error |a − n| / max(|a| + |n|, tiny): above 1e-2
the gradient is wrong, below 1e-7 (in float64) it is right.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .validation import check_range

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f: Callable[[np.ndarray], float], x, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of the scalar function ``f`` at ``x`` (any shape)."""
    h = check_range("h", h, 0.0, low_closed=False)
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = f(x)
        flat[i] = old - h
        f_minus = f(x)
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(analytic, numeric) -> float:
    """max_i |a_i − n_i| / max(|a_i| + |n_i|, 1e-300): the CS231n relative error."""
    a = np.asarray(analytic, float)
    n = np.asarray(numeric, float)
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-300)))
