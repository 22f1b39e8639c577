"""L1, L2 and elastic-net weight penalties (survey §3.3, §4.1, §4.2).

The survey adds a penalty Ω(w) to the data loss, J(w) = L(y, ŷ) + Ω(w), with::

    L2 (weight decay, §4.1):  Ω(w) = λ Σ_i w_i²               ∂Ω/∂w_i = 2λ w_i
    L1 (§4.1):                Ω(w) = λ Σ_i |w_i|              ∂Ω/∂w_i = λ sign(w_i)
    elastic net (§4.2):       Ω(w) = λ1 Σ_i |w_i| + λ2 Σ_i w_i²
                                                      ∂Ω/∂w_i = λ1 sign(w_i) + 2λ2 w_i

|w| is not differentiable at 0; every subgradient in [−λ, λ] is valid there, and we use
sign(0) = 0, as TensorFlow's gradient of ``abs`` does.

Each formula is written **once**, over an array namespace ``xp``: ``numpy`` by default,
``keras.ops`` for tensors. The Keras regularizers below call the very same functions, so
the penalty in a model's ``losses`` is the survey's formula. They equal
``keras.regularizers.L1``, ``L2`` and ``L1L2``: Keras, like the survey, has no factor ½
(many textbooks write ½λΣw², whose gradient is λw). With plain SGD the L2 gradient turns
into "weight decay": w ← w − η(∇L + 2λw) = (1 − 2ηλ)w − η∇L.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import keras
import numpy as np

from ..validation import check_range

__all__ = [
    "l2_penalty",
    "l1_penalty",
    "elastic_net_penalty",
    "l2_gradient",
    "l1_gradient",
    "elastic_net_gradient",
    "L1Regularizer",
    "L2Regularizer",
    "ElasticNetRegularizer",
    "sparsity",
    "WeightNorms",
    "weight_norms",
    "kernel_weights",
]


# --- the formulas, once ----------------------------------------------------------------


def l2_penalty(w, lam: float, *, xp=np):
    """L2 penalty λ Σ_i w_i² (survey §3.3, §4.1).

    ``w`` is a numpy array (``xp=np``, returns a float) or a tensor (``xp=keras.ops``).
    ``lam`` (λ) must be ≥ 0.
    """
    lam = check_range("lam", lam, 0.0)
    total = lam * xp.sum(xp.square(w))
    return float(total) if xp is np else total


def l1_penalty(w, lam: float, *, xp=np):
    """L1 penalty λ Σ_i |w_i| (survey §3.3, §4.1). ``lam`` (λ) must be ≥ 0."""
    lam = check_range("lam", lam, 0.0)
    total = lam * xp.sum(xp.absolute(w))
    return float(total) if xp is np else total


def elastic_net_penalty(w, lam1: float, lam2: float, *, xp=np):
    """Elastic-net penalty λ1 Σ_i |w_i| + λ2 Σ_i w_i² (survey §4.2); λ1, λ2 ≥ 0.

    Equal to ``keras.regularizers.L1L2(l1=λ1, l2=λ2)``.
    """
    lam1 = check_range("lam1", lam1, 0.0)
    lam2 = check_range("lam2", lam2, 0.0)
    return l1_penalty(w, lam1, xp=xp) + l2_penalty(w, lam2, xp=xp)


def l2_gradient(w, lam: float, *, xp=np):
    """∂/∂w of λ Σ w_i²: 2λ w (survey §4.1; no ½ in the survey, so the factor 2 stays)."""
    lam = check_range("lam", lam, 0.0)
    return 2.0 * lam * (np.asarray(w, dtype=float) if xp is np else w)


def l1_gradient(w, lam: float, *, xp=np):
    """A subgradient of λ Σ |w_i|: λ sign(w), with sign(0) = 0 (survey §4.1).

    At w_i = 0 the one-sided derivatives are −λ and +λ; 0 is the subgradient that
    TensorFlow's ``abs`` also returns.
    """
    lam = check_range("lam", lam, 0.0)
    return lam * xp.sign(np.asarray(w, dtype=float) if xp is np else w)


def elastic_net_gradient(w, lam1: float, lam2: float, *, xp=np):
    """A subgradient of λ1 Σ|w_i| + λ2 Σ w_i²: λ1 sign(w) + 2λ2 w (survey §4.2)."""
    return l1_gradient(w, lam1, xp=xp) + l2_gradient(w, lam2, xp=xp)


# --- the same formulas as Keras regularizers -------------------------------------------


@keras.saving.register_keras_serializable(package="surveykit")
class L2Regularizer(keras.regularizers.Regularizer):
    """Keras regularizer computing :func:`l2_penalty`: l2 · Σ w² (survey §4.1).

    Same argument name and value as ``keras.regularizers.L2(l2)``; pass it as
    ``kernel_regularizer=`` to a layer and the penalty appears in ``model.losses``.
    """

    def __init__(self, l2: float = 0.01):
        self.l2 = check_range("l2", l2, 0.0)

    def __call__(self, x):
        return l2_penalty(x, self.l2, xp=keras.ops)

    def get_config(self):
        return {"l2": self.l2}


@keras.saving.register_keras_serializable(package="surveykit")
class L1Regularizer(keras.regularizers.Regularizer):
    """Keras regularizer computing :func:`l1_penalty`: l1 · Σ |w| (survey §4.1).

    Same argument name and value as ``keras.regularizers.L1(l1)``.
    """

    def __init__(self, l1: float = 0.01):
        self.l1 = check_range("l1", l1, 0.0)

    def __call__(self, x):
        return l1_penalty(x, self.l1, xp=keras.ops)

    def get_config(self):
        return {"l1": self.l1}


@keras.saving.register_keras_serializable(package="surveykit")
class ElasticNetRegularizer(keras.regularizers.Regularizer):
    """Keras regularizer computing :func:`elastic_net_penalty`: l1 Σ|w| + l2 Σw² (§4.2).

    Same argument names and values as ``keras.regularizers.L1L2(l1, l2)`` (λ1 = l1,
    λ2 = l2); note that Keras' own ``L1L2`` defaults to 0 for both, this class too.
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = check_range("l1", l1, 0.0)
        self.l2 = check_range("l2", l2, 0.0)

    def __call__(self, x):
        return elastic_net_penalty(x, self.l1, self.l2, xp=keras.ops)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


# --- helpers for plots -----------------------------------------------------------------


def _flat(weights) -> np.ndarray:
    """One float64 vector of all entries of an array or an iterable of arrays."""
    if isinstance(weights, np.ndarray) or np.isscalar(weights):
        return np.asarray(weights, dtype=float).ravel()
    parts = [np.asarray(w, dtype=float).ravel() for w in weights]
    return np.concatenate(parts) if parts else np.zeros(0)


def sparsity(weights, threshold: float = 1e-3) -> float:
    """Fraction of weights with |w| < threshold (L1's effect, survey §4.1).

    ``weights`` is an array or an iterable of arrays (e.g. :func:`kernel_weights`);
    ``threshold`` must be > 0. An empty set of weights has sparsity 0.
    """
    threshold = check_range("threshold", threshold, 0.0, low_closed=False)
    w = _flat(weights)
    return float(np.mean(np.abs(w) < threshold)) if w.size else 0.0


class WeightNorms(NamedTuple):
    """Norms of a set of weights: l1 = Σ|w|, l2 = √(Σw²), max_abs = max|w|."""

    l1: float
    l2: float
    max_abs: float


def weight_norms(weights) -> WeightNorms:
    """L1 norm Σ|w|, L2 norm √(Σw²) and max |w| of an array or iterable of arrays.

    The L2 *penalty* of §4.1 is λ times the *squared* L2 norm returned here.
    """
    w = _flat(weights)
    if not w.size:
        return WeightNorms(0.0, 0.0, 0.0)
    return WeightNorms(float(np.sum(np.abs(w))), float(np.sqrt(np.sum(w * w))),
                       float(np.max(np.abs(w))))


def kernel_weights(model) -> list[np.ndarray]:
    """The kernels (not biases, not normalization parameters) of a Keras model's layers.

    These are the weights a ``kernel_regularizer`` penalises; pass them to
    :func:`sparsity` or :func:`weight_norms`.
    """
    kernels: Iterable = (getattr(layer, "kernel", None) for layer in _all_layers(model))
    return [np.asarray(k.numpy()) for k in kernels if k is not None]


def _all_layers(model):
    for layer in getattr(model, "layers", []):
        if getattr(layer, "layers", None):
            yield from _all_layers(layer)
        else:
            yield layer
