"""Vanishing and exploding gradients, measured (survey §7.1).

The survey's chain rule (§7.1)::

    ∂L/∂w = ∂L/∂a_n · ∂a_n/∂a_{n−1} ⋯ ∂a_1/∂w

"If each derivative ∂a_i/∂a_{i−1} is less than 1, gradients shrink exponentially →
vanishing. If greater than 1, they grow exponentially → exploding."

This module makes that argument numeric on a deep fully connected network written in
numpy (hand-written backpropagation, checked by finite differences and against
``tf.GradientTape``). Hidden layer l = 1 … L computes::

    z_l = h_{l−1} W_l + b_l                          (pre-activation)
    ẑ_l = BN(z_l)             if batchnorm, else z_l (surveykit.regularization.batchnorm)
    a_l = act(ẑ_l)                                   (sigmoid, tanh, relu or linear)
    h_l = h_{l−1} + a_l       if residual and l ≥ 2, else a_l

then one logit ``z = h_L w_out + b_out`` and the mean binary cross-entropy. Backward,
with δ_l = ∂L/∂h_l, one layer multiplies δ by its Jacobian::

    δ_{l−1} = ((δ_l ⊙ act'(ẑ_l)) · BN') W_lᵀ   (+ δ_l with a residual connection)

so ‖δ_{l−1}‖ ≤ ‖W_l‖₂ · max|act'(ẑ_l)| · max|γ/σ_B| · ‖δ_l‖ (+ ‖δ_l‖ with a residual): the
product of these per-layer bounds bounds the measured shrinkage. For the sigmoid
``σ'(z) = σ(z)(1 − σ(z)) ≤ 1/4`` (equality at z = 0), so without batch norm or residual
connections the gradient shrinks at least like (1/4)^L · Π‖W_l‖₂.

Initialisation (survey §3.2, §7.1): Xavier/Glorot ``std = √(2/(fan_in + fan_out))``,
He ``std = √(2/fan_in)``, or a normal with a given ``std``. A run whose loss becomes NaN,
infinite or larger than ``max_loss`` (the survey's "loss diverges to NaN") is stopped and
reported as diverged, with the same criterion as :class:`surveykit.training.DivergenceDetector`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from .foundations import sigmoid
from .optim.numpy_net import bce_from_logits
from .regularization.batchnorm import batchnorm_backward, batchnorm_forward
from .training import Run
from .validation import check_choice, check_int, check_range

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "SIGMOID_MAX_DERIVATIVE",
    "BN_EPSILON",
    "he_std",
    "glorot_std",
    "init_std",
    "activation",
    "activation_derivative",
    "DeepNetConfig",
    "init_params",
    "forward",
    "loss",
    "loss_and_grads",
    "backprop",
    "weight_keys",
    "layer_gradient_norms",
    "first_last_ratio",
    "GradientReport",
    "gradient_report",
    "zero_preactivation_biases",
    "shrinkage_vs_std",
    "flat_std",
    "is_diverged",
    "TrainResult",
    "train",
    "CLIP_ARGS",
    "Variant",
    "run_variant",
    "compare_mitigations",
    "mitigation_table",
    "outcome",
    "sample_std_tolerance",
    "keras_initializer_sample",
    "keras_model",
    "keras_layer_gradient_norms",
]

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
INITIALIZERS = ("glorot", "he", "normal", "orthogonal")
SIGMOID_MAX_DERIVATIVE = 0.25  # σ'(z) = σ(z)(1 − σ(z)) ≤ 1/4, equality at z = 0
BN_EPSILON = 1e-5  # the survey's ε (surveykit.regularization.batchnorm's default)


# --- initialisation -------------------------------------------------------------------

def he_std(fan_in: int) -> float:
    """He (Kaiming) initialisation's standard deviation, ``√(2 / fan_in)`` (survey §3.2, §7.1).

    Chosen so that a ReLU layer keeps the variance of its input: Var[z] = fan_in · std² ·
    E[h²] and ReLU halves E[h²], so std² = 2/fan_in keeps it constant from layer to layer.
    ``keras.initializers.HeNormal`` / ``HeUniform`` draw weights with this std.
    """
    fan_in = check_int("fan_in", fan_in, low=1)
    return math.sqrt(2.0 / fan_in)


def glorot_std(fan_in: int, fan_out: int) -> float:
    """Xavier/Glorot initialisation's standard deviation, ``√(2 / (fan_in + fan_out))``.

    The compromise between keeping the forward variance (std² = 1/fan_in) and the backward
    variance (std² = 1/fan_out) for activations with slope 1 at 0 (tanh, linear).
    ``keras.initializers.GlorotNormal`` / ``GlorotUniform`` draw weights with this std.
    """
    fan_in = check_int("fan_in", fan_in, low=1)
    fan_out = check_int("fan_out", fan_out, low=1)
    return math.sqrt(2.0 / (fan_in + fan_out))


def init_std(init: str, fan_in: int, fan_out: int, std: float | None = None) -> float:
    """The weight std of a ``fan_in × fan_out`` layer under initialiser ``init``.

    ``"glorot"`` → :func:`glorot_std`, ``"he"`` → :func:`he_std`, ``"normal"`` → ``std``
    (required), ``"orthogonal"`` → ``std`` is the gain (default 1) times ``1/√fan_in``,
    i.e. the per-entry std of a scaled orthogonal matrix.
    """
    init = check_choice("init", init, INITIALIZERS)
    if init == "glorot":
        return glorot_std(fan_in, fan_out)
    if init == "he":
        return he_std(fan_in)
    if init == "normal":
        if std is None:
            raise ValueError("std must be given (in (0, inf)) when init='normal'; got None")
        return check_range("std", std, 0.0, low_closed=False)
    gain = 1.0 if std is None else check_range("std", std, 0.0, low_closed=False)
    return gain / math.sqrt(check_int("fan_in", fan_in, low=1))


def _orthogonal(rng, n_rows: int, n_cols: int) -> np.ndarray:
    """A matrix with orthonormal rows or columns (QR of a Gaussian, signs fixed)."""
    big, small = max(n_rows, n_cols), min(n_rows, n_cols)
    q, r = np.linalg.qr(rng.standard_normal((big, small)))
    q = q * np.sign(np.diag(r))
    return q if n_rows >= n_cols else q.T


# --- activations ----------------------------------------------------------------------

def activation(z, name: str):
    """act(z) for ``name`` in :data:`ACTIVATIONS` (σ is :func:`surveykit.foundations.sigmoid`)."""
    name = check_choice("activation", name, ACTIVATIONS)
    z = np.asarray(z, dtype=float)
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z


def activation_derivative(z, name: str, *, out=None):
    """act'(z): σ(z)(1 − σ(z)) ≤ 1/4, 1 − tanh²(z) ≤ 1, 1[z > 0] (ReLU), 1 (linear).

    ``out``, if given, is act(z) already computed (saves recomputing σ or tanh).
    """
    name = check_choice("activation", name, ACTIVATIONS)
    z = np.asarray(z, dtype=float)
    if name == "sigmoid":
        s = sigmoid(z) if out is None else out
        return s * (1.0 - s)
    if name == "tanh":
        t = np.tanh(z) if out is None else out
        return 1.0 - t**2
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


# --- the network ----------------------------------------------------------------------

@dataclass(frozen=True)
class DeepNetConfig:
    """Architecture and initialisation of the deep network (the hyperparameters of §7.1).

    ``n_in`` inputs, ``depth`` hidden layers (L ≥ 1) of ``width`` units, ``activation`` in
    :data:`ACTIVATIONS`, ``init`` in :data:`INITIALIZERS` (``std`` required for
    ``"normal"``; for ``"orthogonal"`` it is the gain), optional ``batchnorm`` (before the
    activation) and ``residual`` connections (h_l = h_{l−1} + a_l for l ≥ 2).
    """

    n_in: int
    depth: int = 20
    width: int = 32
    activation: str = "sigmoid"
    init: str = "glorot"
    std: float | None = None
    batchnorm: bool = False
    residual: bool = False

    def __post_init__(self):
        check_int("n_in", self.n_in, low=1)
        check_int("depth", self.depth, low=1)
        check_int("width", self.width, low=1)
        check_choice("activation", self.activation, ACTIVATIONS)
        check_choice("init", self.init, INITIALIZERS)
        if self.std is not None or self.init == "normal":
            init_std(self.init, 1, 1, self.std)  # validates std
        for name in ("batchnorm", "residual"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False; got {getattr(self, name)!r}")

    def with_(self, **changes) -> DeepNetConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def label(self) -> str:
        """A short description, e.g. ``"sigmoid, N(0, 0.1²), BN, residual"``."""
        init = {"glorot": "Xavier", "he": "He", "orthogonal": "orthogonal"}.get(self.init)
        init = init or f"N(0, {self.std:g}²)"
        extras = [e for e, on in (("BN", self.batchnorm), ("residual", self.residual)) if on]
        return ", ".join([self.activation, init, *extras])


def weight_keys(config: DeepNetConfig) -> list[str]:
    """The names of the hidden layers' weight matrices, ``["W1", …, "WL"]``."""
    return [f"W{i}" for i in range(1, config.depth + 1)]


def init_params(config: DeepNetConfig, *, seed: int = 0) -> dict:
    """Parameters ``{"W1", "b1", (…"gamma1", "beta1"), …, "W_out", "b_out"}`` in float64.

    Weights are drawn from N(0, std²) with std from :func:`init_std` for each layer's
    (fan_in, fan_out) — or scaled orthogonal matrices; biases are 0, BN's γ = 1, β = 0.
    """
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    sizes = [config.n_in] + [config.width] * config.depth + [1]
    params = {}
    for i in range(1, config.depth + 2):
        fan_in, fan_out = sizes[i - 1], sizes[i]
        std = init_std(config.init, fan_in, fan_out, config.std)
        if config.init == "orthogonal":
            W = _orthogonal(rng, fan_in, fan_out) * std * math.sqrt(fan_in)
        else:
            W = rng.standard_normal((fan_in, fan_out)) * std
        key = "out" if i == config.depth + 1 else str(i)
        params[f"W{'_' if key == 'out' else ''}{key}"] = W
        params[f"b{'_' if key == 'out' else ''}{key}"] = np.zeros(fan_out)
        if config.batchnorm and key != "out":
            params[f"gamma{i}"] = np.ones(fan_out)
            params[f"beta{i}"] = np.zeros(fan_out)
    return params


def forward(params: dict, config: DeepNetConfig, X):
    """Return ``(logits (m,), cache)``; the cache holds every layer's h, z, ẑ, a and BN state.

    Batch norm runs in training mode (batch statistics), as during a training step.
    Overflow in an exploding network gives inf/NaN silently (reported by :func:`train`).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != config.n_in:
        raise ValueError(f"X must have shape (m, {config.n_in}); got {X.shape}")
    hs, zs, zhats, acts, bn_caches = [X], [], [], [], []
    h = X
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(1, config.depth + 1):
            z = h @ params[f"W{i}"] + params[f"b{i}"]
            if config.batchnorm:
                zhat, bn = batchnorm_forward(z, params[f"gamma{i}"], params[f"beta{i}"],
                                             eps=BN_EPSILON)
            else:
                zhat, bn = z, None
            a = activation(zhat, config.activation)
            h = h + a if (config.residual and i >= 2) else a
            zs.append(z)
            zhats.append(zhat)
            acts.append(a)
            bn_caches.append(bn)
            hs.append(h)
        logits = (h @ params["W_out"] + params["b_out"])[:, 0]
    return logits, {"h": hs, "z": zs, "zhat": zhats, "a": acts, "bn": bn_caches}


def loss(params: dict, config: DeepNetConfig, X, y) -> float:
    """Mean binary cross-entropy of the network's logits against labels ``y`` in {0, 1}."""
    logits, _ = forward(params, config, X)
    with np.errstate(over="ignore", invalid="ignore"):
        return bce_from_logits(logits, np.asarray(y, dtype=float).reshape(-1))


def loss_and_grads(params: dict, config: DeepNetConfig, X, y):
    """Backpropagation: ``(loss, grads, deltas)``.

    ``grads`` has one array per parameter (same keys). ``deltas[l]`` is δ_l = ∂L/∂h_l for
    l = 0 … L (δ_0 = ∂L/∂X), the gradient flowing backward between layers.
    """
    value, grads, deltas, _ = backprop(params, config, X, y)
    return value, grads, deltas


def backprop(params: dict, config: DeepNetConfig, X, y):
    """One forward and backward pass: ``(loss, grads, deltas, cache)``.

    Backward, from dL/dlogit = (σ(logit) − y)/m, layer l = L … 1 (the chain rule, §7.1)::

        ∂L/∂ẑ_l = δ_l ⊙ act'(ẑ_l);   ∂L/∂z_l = BN backward of it (if batchnorm)
        ∂L/∂W_l = h_{l−1}ᵀ ∂L/∂z_l;   ∂L/∂b_l = Σ ∂L/∂z_l
        δ_{l−1} = ∂L/∂z_l W_lᵀ  (+ δ_l if layer l has a residual connection)
    """
    logits, cache = forward(params, config, X)
    y = np.asarray(y, dtype=float).reshape(-1)
    m = logits.shape[0]
    grads, deltas = {}, [None] * (config.depth + 1)
    hs = cache["h"]
    with np.errstate(over="ignore", invalid="ignore"):
        value = bce_from_logits(logits, y)
        dlogit = ((sigmoid(logits) - y) / m)[:, None]
        grads["W_out"] = hs[-1].T @ dlogit
        grads["b_out"] = dlogit.sum(axis=0)
        delta = dlogit @ params["W_out"].T
        deltas[config.depth] = delta
        for i in range(config.depth, 0, -1):
            dzhat = delta * activation_derivative(cache["zhat"][i - 1], config.activation,
                                                  out=cache["a"][i - 1])
            if config.batchnorm:
                dz, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(
                    dzhat, cache["bn"][i - 1])
            else:
                dz = dzhat
            grads[f"W{i}"] = hs[i - 1].T @ dz
            grads[f"b{i}"] = dz.sum(axis=0)
            back = dz @ params[f"W{i}"].T
            delta = back + delta if (config.residual and i >= 2) else back
            deltas[i - 1] = delta
    grads = {k: grads[k] for k in params}  # same order as params
    return value, grads, deltas, cache


def _fro(a) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sqrt(np.sum(np.square(a))))


def layer_gradient_norms(grads: dict, config: DeepNetConfig) -> np.ndarray:
    """‖∂L/∂W_l‖ (Frobenius) for the hidden layers l = 1 … L, an array of length L."""
    return np.array([_fro(grads[k]) for k in weight_keys(config)])


def first_last_ratio(norms) -> float:
    """‖∂L/∂W_1‖ / ‖∂L/∂W_L‖: ≪ 1 when gradients vanish toward the input, ≫ 1 when they explode."""
    norms = np.asarray(norms, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(norms[0] / norms[-1])


class GradientReport(NamedTuple):
    """One batch's gradients, layer by layer, and the chain-rule argument made numeric.

    * ``loss``: the loss on the batch;
    * ``weight_grad_norms[l−1]`` = ‖∂L/∂W_l‖, l = 1 … L;
    * ``delta_norms[l]`` = ‖δ_l‖ = ‖∂L/∂h_l‖, l = 0 … L;
    * ``gains[l−1]`` = ‖δ_{l−1}‖ / ‖δ_l‖, the measured backward factor of layer l;
    * ``bounds[l−1]`` = ‖W_l‖₂ · max|act'(ẑ_l)| · max|γ/σ_B| (+1 with a residual
      connection): no layer's gain can exceed it;
    * ``estimates[l−1]`` = √fan_in · std(W_l) · rms(act'(ẑ_l)): the typical gain of a
      random layer without BN/residual (‖x Wᵀ‖ ≈ √fan_in · std · ‖x‖ for a random
      fan_in × fan_out matrix W: each of the fan_in entries of x Wᵀ has variance std²‖x‖²);
    * ``mean_derivative[l−1]`` = mean |act'(ẑ_l)|, ``max_derivative[l−1]`` = max |act'(ẑ_l)|.
    """

    loss: float
    weight_grad_norms: np.ndarray
    delta_norms: np.ndarray
    gains: np.ndarray
    bounds: np.ndarray
    estimates: np.ndarray
    mean_derivative: np.ndarray
    max_derivative: np.ndarray

    @property
    def ratio(self) -> float:
        """First-layer / last-layer gradient-norm ratio, :func:`first_last_ratio`."""
        return first_last_ratio(self.weight_grad_norms)

    @property
    def measured_shrinkage(self) -> float:
        """‖δ_0‖ / ‖δ_L‖: how much the gradient shrank (or grew) through all L layers."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(self.delta_norms[0] / self.delta_norms[-1])

    @property
    def bound_product(self) -> float:
        """Π_l bounds[l]: the chain rule's upper bound on :attr:`measured_shrinkage`."""
        return float(np.prod(self.bounds))


def gradient_report(params: dict, config: DeepNetConfig, X, y) -> GradientReport:
    """Backpropagate one batch and collect the per-layer quantities of :class:`GradientReport`."""
    value, grads, deltas, cache = backprop(params, config, X, y)
    delta_norms = np.array([_fro(d) for d in deltas])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gains = delta_norms[:-1] / delta_norms[1:]
        bounds, estimates, mean_d, max_d = [], [], [], []
        for i in range(1, config.depth + 1):
            W = params[f"W{i}"]
            d = np.abs(activation_derivative(cache["zhat"][i - 1], config.activation,
                                             out=cache["a"][i - 1]))
            b = np.linalg.norm(W, 2) * d.max() if np.all(np.isfinite(W)) else math.inf
            if config.batchnorm:
                bn = cache["bn"][i - 1]
                b *= float(np.max(np.abs(bn.gamma) * bn.inv_std))
            if config.residual and i >= 2:
                b += 1.0
            bounds.append(b)
            estimates.append(math.sqrt(W.shape[0]) * float(W.std()) * float(np.sqrt(np.mean(d**2))))
            mean_d.append(float(d.mean()))
            max_d.append(float(d.max()))
    return GradientReport(value, layer_gradient_norms(grads, config), delta_norms, gains,
                          np.array(bounds), np.array(estimates), np.array(mean_d),
                          np.array(max_d))


def zero_preactivation_biases(params: dict, config: DeepNetConfig, x0) -> dict:
    """Biases that make every pre-activation z_l exactly 0 at the single input ``x0``.

    A test case with a known answer: at z = 0, σ' = 1/4 and tanh' = 1, so the backward
    pass through an orthogonal network multiplies ‖δ‖ by exactly (1/4) (sigmoid) or 1
    (tanh) per layer. Not defined with batch norm (which re-centres z itself).
    """
    if config.batchnorm:
        raise ValueError("batchnorm must be False for zero_preactivation_biases; got True")
    x0 = np.asarray(x0, dtype=float).reshape(1, -1)
    if x0.shape[1] != config.n_in:
        raise ValueError(f"x0 must have {config.n_in} features; got {x0.shape[1]}")
    out = dict(params)
    h = x0
    for i in range(1, config.depth + 1):
        out[f"b{i}"] = -(h @ params[f"W{i}"])[0]
        a = activation(np.zeros((1, config.width)), config.activation)
        h = h + a if (config.residual and i >= 2) else a
    return out


def shrinkage_vs_std(base: DeepNetConfig, stds, X, y, *, seed: int = 0) -> np.ndarray:
    """‖δ_0‖/‖δ_L‖ at initialisation for N(0, std²) weights, one value per ``std``.

    1 means the gradient reaches the input with its size intact; ≪ 1 vanishing, ≫ 1
    exploding. Only the weights' std changes between entries (same seed, same data).
    """
    out = []
    for std in stds:
        config = base.with_(init="normal", std=std)
        out.append(gradient_report(init_params(config, seed=seed), config, X, y)
                   .measured_shrinkage)
    return np.array(out)


def flat_std(base: DeepNetConfig, X, y, *, low: float = 0.05, high: float = 3.0,
             n: int = 31, seed: int = 0) -> float:
    """The weights' std at which ‖δ_0‖/‖δ_L‖ = 1: the gradient neither vanishes nor explodes.

    Scans ``n`` stds spaced evenly in log between ``low`` and ``high``
    (:func:`shrinkage_vs_std`), then interpolates log‖δ_0‖/‖δ_L‖ linearly in log std
    between the two grid points around its first crossing of 0. Raises ValueError when
    the grid has no crossing.
    """
    low = check_range("low", low, 0.0, low_closed=False)
    high = check_range("high", high, low, low_closed=False)
    n = check_int("n", n, low=2)
    stds = np.geomspace(low, high, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(shrinkage_vs_std(base, stds, X, y, seed=seed))
    crossing = np.flatnonzero((logs[:-1] < 0) & (logs[1:] >= 0))
    if not crossing.size:
        raise ValueError(f"no std in [{low:g}, {high:g}] gives ‖δ_0‖/‖δ_L‖ = 1 for "
                         f"{base.label()}; widen low/high")
    i = int(crossing[0])
    t = -logs[i] / (logs[i + 1] - logs[i])
    return float(np.exp(np.log(stds[i]) + t * np.log(stds[i + 1] / stds[i])))


# --- training, with divergence reported -----------------------------------------------

def is_diverged(loss_value: float, max_loss: float = 1e6) -> bool:
    """True when a loss is NaN, ±inf or above ``max_loss`` (DivergenceDetector's criterion)."""
    return not (np.isfinite(loss_value) and loss_value <= max_loss)


@dataclass
class TrainResult:
    """A numpy training run: ``run`` (a :class:`surveykit.training.Run`, one "epoch" per
    full-batch step, ``history["loss"]`` the loss *before* each step), the final
    ``params``, the per-layer gradient norms at every step (``grad_norms``, steps × L),
    and ``weight_change[l−1]`` = ‖W_l(end) − W_l(0)‖ / ‖W_l(0)‖.
    """

    run: Run
    params: dict
    grad_norms: np.ndarray
    weight_change: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def diverged(self) -> bool:
        return self.run.diverged

    def final_loss(self) -> float:
        """The last finite loss (NaN if the run diverged before one)."""
        return self.run.final("loss")


def train(params: dict, config: DeepNetConfig, X, y, *, optimizer, steps: int,
          max_loss: float = 1e6) -> TrainResult:
    """Full-batch training for ``steps`` steps with a :class:`~surveykit.optim.NumpyOptimizer`.

    Gradient clipping is the optimizer's (``clipnorm=`` / ``global_clipnorm=`` /
    ``clipvalue=``, :mod:`surveykit.optim.clipping`). The loss is recorded before each
    step and once after the last; the first loss that :func:`is_diverged` stops the run,
    which is then reported (``run.diverged``, ``run.diverged_at`` = that step, 1-based;
    ``run.bad_loss``) and its history holds only the finite losses before it.
    """
    steps = check_int("steps", steps, low=1)
    max_loss = check_range("max_loss", max_loss, 0.0, low_closed=False)
    optimizer.reset()
    start = params
    losses, norms = [], []
    diverged_at = bad = None
    for step in range(1, steps + 2):
        value, grads, _ = loss_and_grads(params, config, X, y)
        if is_diverged(value, max_loss):
            diverged_at, bad = step, value
            break
        losses.append(value)
        if step == steps + 1:
            break
        norms.append(layer_gradient_norms(grads, config))
        with np.errstate(over="ignore", invalid="ignore"):
            params = optimizer.step(params, grads)
    run = Run(config={"network": config.label()}, history={"loss": losses},
              diverged=diverged_at is not None, diverged_at=diverged_at,
              bad_loss=None if bad is None else float(bad))
    with np.errstate(over="ignore", invalid="ignore"):
        change = np.array([_fro(params[k] - start[k]) / _fro(start[k])
                           for k in weight_keys(config)])
    return TrainResult(run, params, np.array(norms).reshape(-1, config.depth), change)


# --- mitigations, each measured on the same network ----------------------------------

CLIP_ARGS = ("clipvalue", "clipnorm", "global_clipnorm")


@dataclass
class Variant:
    """One mitigation measured: its ``name``, the network ``config``, the optimizer's
    clipping arguments ``clip``, the :class:`GradientReport` at initialisation and the
    :class:`TrainResult` of training it."""

    name: str
    config: DeepNetConfig
    clip: dict
    report: GradientReport
    result: TrainResult


def run_variant(base: DeepNetConfig, name: str, changes: dict, X, y, *,
                learning_rate: float, steps: int, seed: int = 0,
                max_loss: float = 1e6) -> Variant:
    """Apply ``changes`` to ``base`` and measure: gradients at initialisation, then training.

    ``changes`` mixes :class:`DeepNetConfig` fields (``activation="relu"``,
    ``init="he"``, ``batchnorm=True``, ``residual=True``…) and the optimizer's clipping
    arguments (:data:`CLIP_ARGS`, e.g. ``clipnorm=1.0``). The weights are drawn with the
    same ``seed`` for every variant, the optimizer is plain SGD with ``learning_rate``
    (:class:`~surveykit.optim.NumpyOptimizer`), full batch, ``steps`` steps.
    """
    from .optim import SGD, NumpyOptimizer

    changes = dict(changes)
    clip = {k: changes.pop(k) for k in CLIP_ARGS if k in changes}
    config = base.with_(**changes)
    params = init_params(config, seed=seed)
    report = gradient_report(params, config, X, y)
    optimizer = NumpyOptimizer(SGD(), learning_rate, **clip)
    result = train(params, config, X, y, optimizer=optimizer, steps=steps, max_loss=max_loss)
    result.run.config.update(name=name, **clip)
    return Variant(name, config, clip, report, result)


def compare_mitigations(base: DeepNetConfig, variants: dict, X, y, *, learning_rate: float,
                        steps: int, seed: int = 0, desc: str = "mitigations") -> list[Variant]:
    """:func:`run_variant` for each ``name → changes`` of ``variants`` (with a progress bar).

    Include ``"baseline": {}`` to measure the unchanged network.
    """
    from .progress import progress

    with progress(list(variants.items()), desc) as bar:
        return [run_variant(base, name, changes, X, y, learning_rate=learning_rate,
                            steps=steps, seed=seed) for name, changes in bar]


def outcome(run: Run) -> str:
    """The final loss to 3 decimals, or where the run diverged, in SGD steps.

    ``run.diverged_at`` counts loss evaluations from 1 (as Keras counts epochs: with one
    full-batch step per epoch, epoch k's loss is measured after k − 1 updates), so a run
    with ``diverged_at = k`` diverged *after k − 1 steps*.
    """
    if not run.diverged:
        return f"{run.final('loss'):.3f}"
    steps = run.diverged_at - 1
    when = ("at initialisation" if steps == 0
            else f"after {steps} step{'s' if steps > 1 else ''}")
    return f"diverged {when} (loss {run.bad_loss:.3g})"


def mitigation_table(variants, *, steps: int | None = None) -> str:
    """A fixed-width table, one row per :class:`Variant`: ‖∂L/∂W_1‖ and ‖∂L/∂W_L‖ at
    initialisation, their ratio, how far W_1 moved in training (relative), and the loss
    after training — or the step at which the run diverged. Numbers to 3 significant digits.
    """
    head = (f"{'mitigation':<30}{'‖∂L/∂W₁‖':>10}{'‖∂L/∂W_L‖':>11}{'ratio':>10}"
            f"{'W₁ moved':>10}  {'loss after ' + str(steps) + ' steps' if steps else 'final loss'}")
    lines = [head]
    for v in variants:
        g = v.report.weight_grad_norms
        run = v.result.run
        moved = "—" if run.diverged else f"{v.result.weight_change[0]:.3g}"
        lines.append(f"{v.name:<30}{g[0]:>10.3g}{g[-1]:>11.3g}{v.report.ratio:>10.3g}"
                     f"{moved:>10}  {outcome(run)}")
    return "\n".join(lines)


# --- statistics of Keras' initialisers -----------------------------------------------

def sample_std_tolerance(std: float, n: int, *, z: float = 4.0) -> float:
    """``z`` standard errors of a sample standard deviation: z · std / √(2n).

    For n normal draws the sample std has standard error ≈ std/√(2n); for a truncated
    normal or a uniform (lighter tails) it is smaller, so this tolerance is conservative.
    """
    std = check_range("std", std, 0.0, low_closed=False)
    n = check_int("n", n, low=2)
    return check_range("z", z, 0.0, low_closed=False) * std / math.sqrt(2.0 * n)


_KERAS_INITIALIZERS = {"he_normal": "HeNormal", "he_uniform": "HeUniform",
                       "glorot_normal": "GlorotNormal", "glorot_uniform": "GlorotUniform"}


def keras_initializer_sample(name: str, fan_in: int, fan_out: int, *, seed: int = 0) -> np.ndarray:
    """A ``(fan_in, fan_out)`` kernel drawn by ``keras.initializers.<name>``.

    ``name`` is ``"he_normal"``, ``"he_uniform"``, ``"glorot_normal"`` or
    ``"glorot_uniform"``. (Keras' normal variants are truncated at two standard deviations
    and rescaled by 1/0.8796 so that the sample std is still √(2/fan_in) resp.
    √(2/(fan_in + fan_out)).)
    """
    import keras

    name = check_choice("name", name, tuple(_KERAS_INITIALIZERS))
    fan_in = check_int("fan_in", fan_in, low=1)
    fan_out = check_int("fan_out", fan_out, low=1)
    seed = check_int("seed", seed, low=0)
    init = getattr(keras.initializers, _KERAS_INITIALIZERS[name])(seed=seed)
    return np.asarray(keras.ops.convert_to_numpy(init((fan_in, fan_out), dtype="float64")))


# --- the same network in Keras, for verification -------------------------------------

def keras_model(params: dict, config: DeepNetConfig):
    """The network as a float64 Keras functional model holding ``params``' values.

    Dense → (BatchNormalization(epsilon=1e-5)) → Activation → (Add) per layer, then a
    Dense(1) logit. Call it with ``training=True`` so batch norm uses batch statistics.
    """
    import keras

    inp = keras.Input((config.n_in,), dtype="float64")
    h = inp
    for i in range(1, config.depth + 1):
        z = keras.layers.Dense(config.width, dtype="float64", name=f"W{i}")(h)
        if config.batchnorm:
            z = keras.layers.BatchNormalization(epsilon=BN_EPSILON, dtype="float64",
                                                name=f"bn{i}")(z)
        a = keras.layers.Activation(config.activation, dtype="float64")(z)
        h = keras.layers.Add(dtype="float64")([h, a]) if (config.residual and i >= 2) else a
    out = keras.layers.Dense(1, dtype="float64", name="W_out")(h)
    model = keras.Model(inp, out)
    for i in range(1, config.depth + 1):
        model.get_layer(f"W{i}").set_weights([params[f"W{i}"], params[f"b{i}"]])
        if config.batchnorm:
            w = config.width
            model.get_layer(f"bn{i}").set_weights([params[f"gamma{i}"], params[f"beta{i}"],
                                                   np.zeros(w), np.ones(w)])
    model.get_layer("W_out").set_weights([params["W_out"], params["b_out"]])
    return model


def keras_layer_gradient_norms(params: dict, config: DeepNetConfig, X,
                               y) -> tuple[float, np.ndarray]:
    """``(loss, ‖∂L/∂W_l‖ for l = 1 … L)`` computed by ``tf.GradientTape`` on :func:`keras_model`.

    The loss is ``keras.losses.BinaryCrossentropy(from_logits=True)``, the same mean
    binary cross-entropy as :func:`loss`.
    """
    import keras
    import tensorflow as tf

    model = keras_model(params, config)
    X = tf.constant(np.asarray(X, dtype=np.float64))
    y = tf.constant(np.asarray(y, dtype=np.float64).reshape(-1, 1))
    kernels = [model.get_layer(k).kernel for k in weight_keys(config)]
    bce = keras.losses.BinaryCrossentropy(from_logits=True, dtype="float64")
    with tf.GradientTape() as tape:
        value = bce(y, model(X, training=True))
    grads = tape.gradient(value, kernels)
    return float(value), np.array([float(tf.norm(g)) for g in grads])
