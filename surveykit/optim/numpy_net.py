"""A small numpy network with hand-written backpropagation, and a gradient check.

Used to run the optimizers of survey §5.1–5.5 on a real (tiny) network without any
framework, and to show that its gradients are right before trusting any optimizer
comparison: the centred finite-difference check of CS231n / the Deep Learning
Specialization (course 2), ``‖a − n‖ / (‖a‖ + ‖n‖)`` with ``h ≈ 1e-5`` — below 1e-7 is
right, above 1e-2 is wrong.

Network: ``X (m, n_in) → hidden = act(X W1 + b1) (m, n_hidden) → z = hidden W2 + b2 (m,)
→ p = σ(z)``; loss: mean binary cross-entropy ``−[y log p + (1 − y) log(1 − p)]``,
computed from the logits ``z`` in the stable form ``max(z, 0) − z y + log(1 + e^{−|z|})``.
"""

from __future__ import annotations

import numpy as np

from .. import gradcheck
from ..validation import check_choice, check_int

__all__ = [
    "bce_from_logits",
    "init_mlp",
    "mlp_forward",
    "mlp_loss",
    "mlp_loss_and_grads",
    "relative_error",
    "numerical_gradients",
    "gradient_check",
    "minibatches",
    "train_mlp",
]

_ACTIVATIONS = ("tanh", "sigmoid")


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z), overflow-free


def _activate(a, activation):
    return np.tanh(a) if activation == "tanh" else _sigmoid(a)


def _activation_grad(h, activation):
    """d act / d a, written with the activation's output ``h``."""
    return 1.0 - h**2 if activation == "tanh" else h * (1.0 - h)


def init_mlp(n_in: int, n_hidden: int, *, seed: int = 0, dtype=np.float64) -> dict:
    """Parameters ``{"W1", "b1", "W2", "b2"}``: Xavier-normal weights, zero biases."""
    n_in = check_int("n_in", n_in, low=1)
    n_hidden = check_int("n_hidden", n_hidden, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    return {
        "W1": (rng.standard_normal((n_in, n_hidden)) * np.sqrt(2.0 / (n_in + n_hidden))).astype(
            dtype
        ),
        "b1": np.zeros(n_hidden, dtype=dtype),
        "W2": (rng.standard_normal((n_hidden, 1)) * np.sqrt(2.0 / (n_hidden + 1))).astype(dtype),
        "b2": np.zeros(1, dtype=dtype),
    }


def mlp_forward(params: dict, X, *, activation: str = "tanh"):
    """Return ``(p, cache)``: probabilities ``p`` (m,) and what backprop needs."""
    activation = check_choice("activation", activation, _ACTIVATIONS)
    X = np.asarray(X, dtype=params["W1"].dtype)
    h = _activate(X @ params["W1"] + params["b1"], activation)
    z = (h @ params["W2"] + params["b2"])[:, 0]
    return _sigmoid(z), {"X": X, "h": h, "z": z}


def bce_from_logits(z, y) -> float:
    """Mean binary cross-entropy of logits ``z`` against labels ``y`` ∈ {0, 1}, computed
    stably as ``max(z, 0) − z·y + log(1 + e^{−|z|})`` (never takes log of 0)."""
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def mlp_loss(params: dict, X, y, *, activation: str = "tanh") -> float:
    """Mean binary cross-entropy of the network on ``(X, y)``, ``y`` in {0, 1}."""
    _, cache = mlp_forward(params, X, activation=activation)
    return bce_from_logits(cache["z"], np.asarray(y, dtype=cache["z"].dtype))


def mlp_loss_and_grads(params: dict, X, y, *, activation: str = "tanh"):
    """Loss and its gradients by backpropagation: ``(loss, {"W1": dW1, …})``.

    ``dL/dz = (σ(z) − y)/m``; ``dW2 = hᵀ dz``; ``db2 = Σ dz``; ``dh = dz W2ᵀ``;
    ``da = dh ⊙ act'(a)``; ``dW1 = Xᵀ da``; ``db1 = Σ da``.
    """
    p, cache = mlp_forward(params, X, activation=activation)
    X, h, z = cache["X"], cache["h"], cache["z"]
    y = np.asarray(y, dtype=z.dtype).reshape(-1)
    m = X.shape[0]
    dz = ((p - y) / m)[:, None]
    da = (dz @ params["W2"].T) * _activation_grad(h, activation)
    grads = {
        "W1": X.T @ da,
        "b1": da.sum(axis=0),
        "W2": h.T @ dz,
        "b2": dz.sum(axis=0),
    }
    return bce_from_logits(z, y), grads


def _flat(grads) -> np.ndarray:
    values = grads.values() if isinstance(grads, dict) else [grads]
    return np.concatenate([np.ravel(v) for v in values])


def relative_error(a, n) -> float:
    """:func:`surveykit.gradcheck.relative_error` over all entries of dicts of arrays."""
    return gradcheck.relative_error(_flat(a), _flat(n))


def numerical_gradients(loss_fn, params: dict, *, h: float = 1e-5) -> dict:
    """Centred differences (:func:`surveykit.gradcheck.numerical_gradient`) for every array."""

    def loss_of(key):
        return lambda value: loss_fn({**params, key: value})

    return {key: gradcheck.numerical_gradient(loss_of(key), value, h=h)
            for key, value in params.items()}


def gradient_check(params: dict, X, y, *, activation: str = "tanh", h: float = 1e-5) -> float:
    """Relative error between backprop and centred finite differences (< 1e-7: right).

    Run in float64 (the parameters are cast): in float32 rounding alone gives ~1e-3.
    """
    params = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    _, analytic = mlp_loss_and_grads(params, X, y, activation=activation)
    numeric = numerical_gradients(lambda p: mlp_loss(p, X, y, activation=activation), params, h=h)
    return relative_error(analytic, numeric)


def minibatches(n: int, batch_size: int, *, rng=None):
    """Index arrays covering ``range(n)`` in batches (shuffled when ``rng`` is given), §5.1.

    ``batch_size = n`` is full-batch gradient descent, ``batch_size = 1`` is SGD (§5.2);
    the last batch may be smaller.
    """
    n = check_int("n", n, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    order = np.arange(n) if rng is None else rng.permutation(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def train_mlp(
    optimizer,
    params: dict,
    X,
    y,
    *,
    batch_size: int = 32,
    epochs: int = 10,
    activation: str = "tanh",
    seed: int = 0,
):
    """Mini-batch training (§5.1) with a :class:`~surveykit.optim.NumpyOptimizer`.

    Returns ``(params, losses)`` where ``losses`` holds the mini-batch loss of every step.
    Batches are reshuffled each epoch with ``seed``.
    """
    epochs = check_int("epochs", epochs, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    X = np.asarray(X)
    y = np.asarray(y).reshape(-1)
    losses = []
    for _ in range(epochs):
        for idx in minibatches(X.shape[0], batch_size, rng=rng):
            point = optimizer.lookahead(params)
            loss, grads = mlp_loss_and_grads(point, X[idx], y[idx], activation=activation)
            params = optimizer.step(params, grads)
            losses.append(loss)
    return params, np.asarray(losses)
