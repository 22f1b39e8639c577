"""Exponentially weighted averages (survey §5.6, hyperparameters in §3.5).

The one formula, used here and by the momentum, RMSProp and Adam rules in
:mod:`surveykit.optim.rules`::

    v_t = β v_{t−1} + (1 − β) x_t,        v_0 = 0
    v̂_t = v_t / (1 − β^t)                 (bias correction)

Unrolled, ``v_t = (1 − β) Σ_{i=1..t} β^{t−i} x_i``: observation ``x_i`` gets weight
``(1 − β) β^{t−i}``. The weights sum to ``1 − β^t`` (not 1: the missing mass is the
weight of the zero start ``v_0``, which is why early averages are biased towards 0);
bias correction divides by exactly that sum.

"About 1/(1 − β) observations": with ``n = 1/(1 − β)``, ``β^n = (1 − 1/n)^n ≈ 1/e``,
so the last ``n`` observations carry ``1 − β^n ≈ 1 − 1/e ≈ 63 %`` of the weight and an
observation ``n`` steps old is down to about ``1/e`` of the newest one's weight.
:func:`effective_window` and :func:`weight_in_last` make this concrete.

Nothing here imports Keras; :func:`ewa_update` is written with operators only, so it
works on numpy arrays and on Keras/TensorFlow tensors alike.
"""

from __future__ import annotations

import math

import numpy as np

from ..validation import check_int, check_range

__all__ = [
    "ewa_update",
    "bias_correct",
    "ewa",
    "RunningAverage",
    "ewa_weights",
    "effective_window",
    "weight_in_last",
    "half_life",
]


def _check_beta(beta, *, allow_zero: bool = True) -> float:
    return check_range("beta", beta, 0.0, 1.0, low_closed=allow_zero, high_closed=False)


def ewa_update(v, x, beta):
    """One EWA step, survey §5.6: ``v_t = β v_{t−1} + (1 − β) x_t``.

    Pure: returns the new average and touches nothing. ``v`` and ``x`` may be numbers,
    numpy arrays or Keras tensors; ``beta`` is a Python float. (Validation is done by
    the callers' constructors, not here, so that this stays cheap inside a training step.)
    """
    return beta * v + (1 - beta) * x


def bias_correct(v, beta, t):
    """Bias-corrected average, survey §3.5/§5.6: ``v̂_t = v_t / (1 − β^t)`` for step ``t ≥ 1``."""
    return v / (1 - beta**t)


def ewa(x, beta, *, bias_correction: bool = False) -> np.ndarray:
    """Running EWA of the sequence ``x`` (along axis 0), survey §5.6.

    Returns ``[v_1, …, v_T]`` (or ``[v̂_1, …, v̂_T]`` with ``bias_correction=True``),
    with ``v_0 = 0`` and ``v_t = β v_{t−1} + (1 − β) x_t``; same shape as ``x``.
    ``beta`` must be in [0, 1).
    """
    beta = _check_beta(beta)
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        raise ValueError(f"x must be a sequence (at least 1-D); got a scalar {x!r}")
    out = np.empty_like(x)
    v = np.zeros_like(x[0])
    for t in range(x.shape[0]):
        v = ewa_update(v, x[t], beta)
        out[t] = bias_correct(v, beta, t + 1) if bias_correction else v
    return out


class RunningAverage:
    """A streaming EWA (survey §5.6): feed observations one at a time.

    >>> avg = RunningAverage(beta=0.9)
    >>> avg.update(10.0)          # v_1 = 0.1 · 10
    1.0
    >>> avg.corrected             # v̂_1 = v_1 / (1 − 0.9)
    10.0

    ``value`` is the raw average ``v_t``; ``corrected`` is ``v̂_t = v_t / (1 − β^t)``.
    """

    def __init__(self, beta: float = 0.9):
        self.beta = _check_beta(beta)
        self.t = 0
        self.value = 0.0

    def update(self, x):
        """Add one observation and return the raw average ``v_t``."""
        self.t += 1
        self.value = ewa_update(self.value, x, self.beta)
        return self.value

    @property
    def corrected(self):
        """The bias-corrected average ``v̂_t`` (``nan`` before the first observation)."""
        if self.t == 0:
            return math.nan
        return bias_correct(self.value, self.beta, self.t)

    def __repr__(self) -> str:
        return f"RunningAverage(beta={self.beta}, t={self.t}, value={self.value!r})"


def ewa_weights(beta, t, *, bias_correction: bool = False) -> np.ndarray:
    """The weight each of ``x_1 … x_t`` carries in ``v_t`` (survey §5.6, unrolled).

    ``w_i = (1 − β) β^{t−i}``; they sum to ``1 − β^t``. With ``bias_correction=True``
    they are divided by ``1 − β^t`` and sum to 1 (a proper weighted mean).
    """
    beta = _check_beta(beta)
    t = check_int("t", t, low=1)
    ages = np.arange(t - 1, -1, -1, dtype=float)  # age of x_1 … x_t
    w = (1 - beta) * beta**ages
    if bias_correction:
        w = w / (1 - beta**t)
    return w


def effective_window(beta) -> float:
    """The survey's "about 1/(1 − β) observations" (§5.6): ``n = 1 / (1 − β)``.

    β = 0.9 → 10, β = 0.98 → 50, β = 0.999 → 1000.
    """
    beta = _check_beta(beta)
    return 1.0 / (1.0 - beta)


def weight_in_last(beta, n=None) -> float:
    """Share of the (long-run) EWA weight carried by the most recent ``n`` observations.

    ``Σ_{k<n} (1 − β) β^k = 1 − β^n``. With the default ``n = 1/(1 − β)`` this is
    ``1 − (1 − 1/n)^n``, which tends to ``1 − 1/e ≈ 0.632`` as β → 1 (0.651 at β = 0.9,
    0.636 at β = 0.99): the "about 1/(1 − β) observations" rule made concrete.
    A non-integer ``n`` is allowed (the formula is continuous in ``n``).
    """
    beta = _check_beta(beta, allow_zero=False)
    if n is None:
        n = effective_window(beta)
    n = check_range("n", n, 0.0, math.inf, low_closed=False)
    return 1.0 - beta**n


def half_life(beta) -> float:
    """Steps after which an observation's weight has halved: ``ln(1/2) / ln(β)``."""
    beta = _check_beta(beta, allow_zero=False)
    return math.log(0.5) / math.log(beta)
