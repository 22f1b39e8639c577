"""Batch normalization from scratch, and layer normalization (survey §3.3, §4.6–4.8).

Training mode, for a mini-batch B = {x⁽¹⁾ … x⁽ᵐ⁾} and each feature (§4.6)::

    μ_B  = (1/m) Σ_i x⁽ⁱ⁾                 σ²_B = (1/m) Σ_i (x⁽ⁱ⁾ − μ_B)²   (biased: 1/m)
    x̂⁽ⁱ⁾ = (x⁽ⁱ⁾ − μ_B) / √(σ²_B + ε)      y⁽ⁱ⁾ = γ x̂⁽ⁱ⁾ + β

and the running statistics used at inference, with momentum ρ::

    μ_run ← ρ μ_run + (1 − ρ) μ_B          σ²_run ← ρ σ²_run + (1 − ρ) σ²_B

Inference mode: y = γ (x − μ_run)/√(σ²_run + ε) + β. Gradients (§4.6 gives the first two)::

    ∂L/∂γ = Σ_i ∂L/∂y⁽ⁱ⁾ x̂⁽ⁱ⁾      ∂L/∂β = Σ_i ∂L/∂y⁽ⁱ⁾
    ∂L/∂x⁽ⁱ⁾ = γ/(m √(σ²_B + ε)) · (m g⁽ⁱ⁾ − Σ_j g⁽ʲ⁾ − x̂⁽ⁱ⁾ Σ_j g⁽ʲ⁾ x̂⁽ʲ⁾),  g = ∂L/∂y

(the last one follows by the chain rule through μ_B and σ²_B, which depend on every x⁽ʲ⁾).
Inputs may have any rank ≥ 2 with the features last, e.g. (m, d) after a dense layer or
(N, H, W, C) after a convolution; statistics are then taken over every axis but the last,
as ``keras.layers.BatchNormalization(axis=-1)`` does.

Comparison with Keras 3 (read in keras/src/layers/normalization/batch_normalization.py
and keras/src/backend/tensorflow/nn.py): ``BatchNormalization(momentum=ρ, epsilon=ε)``
computes μ_B and σ²_B with ``tf.nn.moments``, i.e. the *biased* variance (divide by m),
and updates ``moving_variance`` with that same biased σ²_B, exactly the survey's formula
(PyTorch, by contrast, puts the unbiased m/(m−1)·σ²_B into its running variance). Keras'
``momentum`` is the survey's ρ (weight of the old value). Defaults differ: Keras uses
ρ = 0.99, ε = 1e-3; the defaults here are the survey's ρ = 0.9, ε = 1e-5. Keras starts
the moving mean at 0 and the moving variance at 1, as here.

Layer normalization (the §4.7 alternative for small batches) normalizes each example over
its features instead: μ⁽ⁱ⁾, σ²⁽ⁱ⁾ over the last axis; no running statistics, the same
computation in training and at inference; equal to ``keras.layers.LayerNormalization``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validation import check_int, check_range

__all__ = [
    "batch_moments",
    "update_running_stats",
    "BatchNormCache",
    "batchnorm_forward",
    "batchnorm_backward",
    "batchnorm_inference",
    "BatchNorm",
    "layernorm_forward",
]

DEFAULT_EPSILON = 1e-5
DEFAULT_MOMENTUM = 0.9


def _check_eps(eps) -> float:
    return check_range("eps", eps, 0.0, low_closed=False)


def _check_momentum(momentum) -> float:
    return check_range("momentum", momentum, 0.0, 1.0, high_closed=False)


def _as_batch(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (batch, ..., features), ndim >= 2; got {x.shape}")
    return x


def _check_param(name: str, value, d: int) -> np.ndarray:
    v = np.asarray(value, dtype=float)
    if v.shape != (d,):
        raise ValueError(f"{name} must have shape ({d},), one value per feature; "
                         f"got {v.shape}")
    return v


def batch_moments(x) -> tuple[np.ndarray, np.ndarray]:
    """(μ_B, σ²_B) per feature over every axis but the last; σ² biased (1/m), §4.6."""
    x = _as_batch(x)
    axes = tuple(range(x.ndim - 1))
    mu = x.mean(axis=axes)
    var = ((x - mu) ** 2).mean(axis=axes)
    return mu, var


def update_running_stats(running_mean, running_var, batch_mean, batch_var,
                         momentum: float = DEFAULT_MOMENTUM):
    """μ_run ← ρ μ_run + (1 − ρ) μ_B and σ²_run ← ρ σ²_run + (1 − ρ) σ²_B (§4.6).

    ``momentum`` is ρ, in [0, 1). Returns the new (running_mean, running_var).
    """
    rho = _check_momentum(momentum)
    new_mean = rho * np.asarray(running_mean, float) + (1.0 - rho) * np.asarray(batch_mean)
    new_var = rho * np.asarray(running_var, float) + (1.0 - rho) * np.asarray(batch_var)
    return new_mean, new_var


class BatchNormCache(NamedTuple):
    """What :func:`batchnorm_backward` needs from the training-mode forward pass."""

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    mean: np.ndarray
    var: np.ndarray


def batchnorm_forward(x, gamma, beta, *, eps: float = DEFAULT_EPSILON):
    """Training-mode batch normalization (survey §4.6): y = γ (x − μ_B)/√(σ²_B + ε) + β.

    ``x`` has shape (m, …, d); ``gamma`` and ``beta`` have shape (d,); ε > 0.
    Returns (y, cache); ``cache.mean`` and ``cache.var`` are μ_B and the biased σ²_B, to
    pass to :func:`update_running_stats`.
    """
    eps = _check_eps(eps)
    x = _as_batch(x)
    d = x.shape[-1]
    gamma, beta = _check_param("gamma", gamma, d), _check_param("beta", beta, d)
    mu, var = batch_moments(x)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, BatchNormCache(x_hat, inv_std, gamma, mu, var)


def batchnorm_backward(dy, cache: BatchNormCache):
    """Gradients (∂L/∂x, ∂L/∂γ, ∂L/∂β) of training-mode batch norm, given g = ∂L/∂y (§4.6).

    ∂L/∂γ = Σ g x̂, ∂L/∂β = Σ g (sums over every axis but the last), and
    ∂L/∂x = γ/(m √(σ²_B + ε)) (m g − Σ g − x̂ Σ g x̂).
    """
    dy = np.asarray(dy, dtype=float)
    if dy.shape != cache.x_hat.shape:
        raise ValueError(f"dy must have the shape of y {cache.x_hat.shape}; got {dy.shape}")
    axes = tuple(range(dy.ndim - 1))
    m = dy.size // dy.shape[-1]
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * cache.x_hat).sum(axis=axes)
    dx = cache.gamma * cache.inv_std / m * (m * dy - dbeta - cache.x_hat * dgamma)
    return dx, dgamma, dbeta


def batchnorm_inference(x, gamma, beta, running_mean, running_var, *,
                        eps: float = DEFAULT_EPSILON) -> np.ndarray:
    """Inference-mode batch norm (§4.6): y = γ (x − μ_run)/√(σ²_run + ε) + β."""
    eps = _check_eps(eps)
    x = _as_batch(x)
    d = x.shape[-1]
    gamma, beta = _check_param("gamma", gamma, d), _check_param("beta", beta, d)
    mean = _check_param("running_mean", running_mean, d)
    var = _check_param("running_var", running_var, d)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


class BatchNorm:
    """A batch-normalization layer in numpy, with γ, β and running statistics (§4.6).

    ``momentum`` is ρ in [0, 1), ``eps`` is ε > 0. γ starts at 1, β at 0, μ_run at 0 and
    σ²_run at 1 (as in the survey and Keras). ``forward(x, training=True)`` normalizes
    with the batch statistics and updates the running ones; ``training=False`` uses the
    running statistics and changes nothing. ``backward(dy)`` (after a training forward)
    returns ∂L/∂x and stores ``dgamma`` and ``dbeta``.
    """

    def __init__(self, num_features: int, *, momentum: float = DEFAULT_MOMENTUM,
                 eps: float = DEFAULT_EPSILON):
        d = check_int("num_features", num_features, low=1)
        self.momentum = _check_momentum(momentum)
        self.eps = _check_eps(eps)
        self.gamma = np.ones(d)
        self.beta = np.zeros(d)
        self.running_mean = np.zeros(d)
        self.running_var = np.ones(d)
        self.dgamma = self.dbeta = None
        self._cache: BatchNormCache | None = None

    def forward(self, x, *, training: bool) -> np.ndarray:
        if not training:
            return batchnorm_inference(x, self.gamma, self.beta, self.running_mean,
                                       self.running_var, eps=self.eps)
        y, self._cache = batchnorm_forward(x, self.gamma, self.beta, eps=self.eps)
        self.running_mean, self.running_var = update_running_stats(
            self.running_mean, self.running_var, self._cache.mean, self._cache.var,
            self.momentum)
        return y

    __call__ = forward

    def backward(self, dy) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError("backward() needs a forward(x, training=True) first")
        dx, self.dgamma, self.dbeta = batchnorm_backward(dy, self._cache)
        return dx


def layernorm_forward(x, gamma, beta, *, eps: float = 1e-3) -> np.ndarray:
    """Layer normalization (survey §4.7's alternative to BN; Ba et al., 2016).

    For each example i, over its d features (the last axis)::

        μ⁽ⁱ⁾ = (1/d) Σ_k x_k⁽ⁱ⁾,  σ²⁽ⁱ⁾ = (1/d) Σ_k (x_k⁽ⁱ⁾ − μ⁽ⁱ⁾)²
        y_k⁽ⁱ⁾ = γ_k (x_k⁽ⁱ⁾ − μ⁽ⁱ⁾)/√(σ²⁽ⁱ⁾ + ε) + β_k

    Independent of the batch (works with batch size 1), identical in training and at
    inference. ε defaults to Keras' 1e-3 for ``keras.layers.LayerNormalization``.
    """
    eps = _check_eps(eps)
    x = np.asarray(x, dtype=float)
    if x.ndim < 1:
        raise ValueError(f"x must have a feature axis; got shape {x.shape}")
    d = x.shape[-1]
    gamma, beta = _check_param("gamma", gamma, d), _check_param("beta", beta, d)
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
