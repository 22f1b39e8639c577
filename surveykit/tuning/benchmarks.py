"""Test functions with known minima for comparing tuning strategies (survey §6.6).

A real training run is too slow and too noisy to tell two search strategies apart over
many seeds, so optimisation papers use cheap functions whose minimum is known and report
the **simple regret**, best value found − true minimum. Three are here, each as a
:class:`Benchmark` (a search :class:`~surveykit.tuning.space.Space` plus the function):

- **Branin** (2-D, three global minima, value 0.397887), on [−5, 10] × [0, 15]::

      f(x₁, x₂) = a (x₂ − b x₁² + c x₁ − r)² + s (1 − t) cos x₁ + s,
      a = 1, b = 5.1/(4π²), c = 5/π, r = 6, s = 10, t = 1/(8π)

- **Hartmann-6** (6-D on [0, 1]⁶, minimum −3.32237, several local minima)::

      f(x) = −Σᵢ αᵢ exp(−Σⱼ Aᵢⱼ (xⱼ − Pᵢⱼ)²)

- **ML surrogate**: a smooth, deterministic stand-in for a network's validation loss over
  log-scaled hyperparameters (§7.4) — learning rate (log), weight decay (log), dropout
  (linear) and batch size (integer, log) — with a valley in log learning rate whose centre
  moves with the batch size (√-scaling), regularisation shared between weight decay and
  dropout, and a divergence cliff when the learning rate is too large. Its minimum 0.3 is
  known by construction (see :func:`ml_surrogate`). Its slice along the learning rate,
  :data:`LEARNING_RATE_1D`, is a 1-D problem for pictures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .space import Integer, LogUniform, Space, Uniform

__all__ = ["Benchmark", "branin", "hartmann6", "ml_surrogate", "learning_rate_slice",
           "BRANIN", "HARTMANN6", "ML_SURROGATE", "LEARNING_RATE_1D", "BENCHMARKS"]


@dataclass(frozen=True)
class Benchmark:
    """A test function on a search space, with its known minimum and minimisers."""

    name: str
    space: Space
    function: Callable[..., float]  # called with the point's values as keyword arguments
    minimum: float
    argmins: tuple[dict, ...]

    def __call__(self, params: dict) -> float:
        """The function's value at a point ``{name: value}`` of :attr:`space`."""
        return float(self.function(**self.space.check(params)))

    def objective(self, trial) -> float:
        """An objective for :class:`~surveykit.tuning.study.Study`: ``trial.params``."""
        return self(trial.params)

    def regret(self, value) -> np.ndarray | float:
        """Simple regret: value − true minimum (≥ 0)."""
        return np.asarray(value, dtype=float) - self.minimum if np.ndim(value) else \
            float(value) - self.minimum


def branin(x1: float, x2: float) -> float:
    """Branin's function: a (x₂ − b x₁² + c x₁ − r)² + s (1 − t) cos x₁ + s (minimum
    0.397887 at (−π, 12.275), (π, 2.275) and (9.42478, 2.475))."""
    a, b, c = 1.0, 5.1 / (4.0 * math.pi**2), 5.0 / math.pi
    r, s, t = 6.0, 10.0, 1.0 / (8.0 * math.pi)
    return float(a * (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1.0 - t) * math.cos(x1) + s)


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                  [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]], dtype=float)
_H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886],
                         [2329, 4135, 8307, 3736, 1004, 9991],
                         [2348, 1451, 3522, 2883, 3047, 6650],
                         [4047, 8828, 8732, 5743, 1091, 381]], dtype=float)


def hartmann6(x1: float, x2: float, x3: float, x4: float, x5: float, x6: float) -> float:
    """Hartmann's 6-D function −Σᵢ αᵢ exp(−Σⱼ Aᵢⱼ (xⱼ − Pᵢⱼ)²) on [0, 1]⁶ (minimum
    −3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573))."""
    x = np.array([x1, x2, x3, x4, x5, x6], dtype=float)
    return float(-np.sum(_H6_ALPHA * np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1))))


def _smoothstep(t: float) -> float:
    t = min(max(t, 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


ML_DIVERGED_LOSS = math.log(10.0)  # a 10-class classifier that predicts uniformly


def ml_surrogate(learning_rate: float, weight_decay: float, dropout: float,
                 batch_size: int) -> float:
    """A smooth surrogate of validation loss over (learning rate, weight decay, dropout,
    batch size), deterministic, with minimum 0.3 at learning rate 10⁻³·√(32/64) ≈ 7.07e-4,
    weight decay 1e-4, dropout 0.25, batch size 32::

        a   = log₁₀ η − log₁₀(10⁻³ √(B/64))             (the best η grows like √B)
        ρ   = p + 0.1 (log₁₀ λ + 6)                     (dropout p and weight decay λ
                                                         share one regularisation budget)
        g   = 0.3 + 0.06 a² + 0.5 (ρ − 0.45)² + 0.2 (p − 0.25)² + 0.008 (log₂ B − 5)²
        f   = g + (ln 10 − g) · smoothstep(a − 0.8)    (past 0.8 decades too large, the
                                                         loss climbs to ln 10: divergence)

    smoothstep(t) = 3t² − 2t³ on [0, 1] is 0 for a ≤ 0.8, so f = g near the optimum, and
    f ≥ min(g, ln 10) ≥ 0.3 everywhere: the minimum is g's."""
    a = math.log10(learning_rate) - math.log10(1e-3 * math.sqrt(batch_size / 64.0))
    rho = dropout + 0.1 * (math.log10(weight_decay) + 6.0)
    g = (0.3 + 0.06 * a * a + 0.5 * (rho - 0.45) ** 2 + 0.2 * (dropout - 0.25) ** 2
         + 0.008 * (math.log2(batch_size) - 5.0) ** 2)
    return float(g + (ML_DIVERGED_LOSS - g) * _smoothstep(a - 0.8))


BRANIN = Benchmark(
    "branin", Space([Uniform("x1", -5.0, 10.0), Uniform("x2", 0.0, 15.0)]), branin,
    0.397887357729738,
    ({"x1": -math.pi, "x2": 12.275}, {"x1": math.pi, "x2": 2.275},
     {"x1": 9.42477796076938, "x2": 2.475}))

HARTMANN6 = Benchmark(
    "hartmann6", Space([Uniform(f"x{i}", 0.0, 1.0) for i in range(1, 7)]), hartmann6,
    -3.32236801141551,
    ({"x1": 0.20168951, "x2": 0.15001069, "x3": 0.47687398, "x4": 0.27533243,
      "x5": 0.31165162, "x6": 0.65730053},))

ML_SURROGATE = Benchmark(
    "ml_surrogate",
    Space([LogUniform("learning_rate", 1e-5, 1.0), LogUniform("weight_decay", 1e-6, 1e-1),
           Uniform("dropout", 0.0, 0.7), Integer("batch_size", 16, 512, log=True)]),
    ml_surrogate, 0.3,
    ({"learning_rate": 1e-3 * math.sqrt(0.5), "weight_decay": 1e-4, "dropout": 0.25,
      "batch_size": 32},))

def learning_rate_slice(learning_rate: float) -> float:
    """:func:`ml_surrogate` along the learning rate, the other hyperparameters at their
    best (weight decay 1e-4, dropout 0.25, batch size 32): a valley 0.3 + 0.06 a² in
    a = log₁₀(η / 7.07e-4) and the divergence cliff up to ln 10 past a = 0.8."""
    return ml_surrogate(learning_rate, 1e-4, 0.25, 32)


LEARNING_RATE_1D = Benchmark(
    "learning_rate_1d", Space([LogUniform("learning_rate", 1e-5, 1.0)]), learning_rate_slice,
    0.3, ({"learning_rate": 1e-3 * math.sqrt(0.5)},))

BENCHMARKS = {b.name: b for b in (BRANIN, HARTMANN6, ML_SURROGATE, LEARNING_RATE_1D)}
