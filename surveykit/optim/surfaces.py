"""Two-dimensional loss surfaces for watching optimizers move (survey §5.3–5.5).

Each surface is an object with ``loss(w)`` and ``grad(w)`` for a point ``w`` of shape
``(2,)`` (``loss`` also accepts arrays of shape ``(..., 2)`` for contour plots) and a
``minimum``. Use with :func:`surveykit.optim.optimize`.
"""

from __future__ import annotations

import math

import numpy as np

from ..validation import check_range

__all__ = ["Quadratic", "Rosenbrock"]


class Quadratic:
    """An ill-conditioned bowl ``L(w) = ½ (a w₁² + b w₂²)``, condition number ``b/a``.

    Gradient descent needs ``η < 2/b`` to be stable and then crawls along ``w₁`` at rate
    ``1 − ηa``: the valley where momentum (§5.3) and per-parameter step sizes (§5.4–5.5) help.
    """

    def __init__(self, a: float = 1.0, b: float = 20.0):
        self.a = check_range("a", a, 0.0, math.inf, low_closed=False)
        self.b = check_range("b", b, 0.0, math.inf, low_closed=False)
        self.minimum = np.zeros(2)

    def loss(self, w):
        w = np.asarray(w, dtype=float)
        return 0.5 * (self.a * w[..., 0] ** 2 + self.b * w[..., 1] ** 2)

    def grad(self, w):
        w = np.asarray(w, dtype=float)
        return np.array([self.a * w[0], self.b * w[1]])

    def __repr__(self) -> str:
        return f"Quadratic(a={self.a}, b={self.b})"


class Rosenbrock:
    """Rosenbrock's banana valley ``L(w) = (a − w₁)² + b (w₂ − w₁²)²``, minimum at ``(a, a²)``."""

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a = check_range("a", a)
        self.b = check_range("b", b, 0.0, math.inf, low_closed=False)
        self.minimum = np.array([self.a, self.a**2])

    def loss(self, w):
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def grad(self, w):
        w = np.asarray(w, dtype=float)
        x, y = w[0], w[1]
        return np.array([-2 * (self.a - x) - 4 * self.b * x * (y - x**2), 2 * self.b * (y - x**2)])

    def __repr__(self) -> str:
        return f"Rosenbrock(a={self.a}, b={self.b})"
