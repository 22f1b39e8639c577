"""The survey's §2 example: a single sigmoid neuron, its parameters and its hyperparameters.

    y = σ(w1·x1 + w2·x2 + b)                                       (survey §2.2)

w1, w2 and b are *parameters*: learned from data by gradient descent. The activation σ,
the learning rate η, the batch size and the number of steps are *hyperparameters*: set by
the practitioner before training. The update rule is the survey's (§3.2)::

    w := w − η ∂L/∂w

with L the mean binary cross-entropy, whose gradient for the sigmoid neuron is
∂L/∂w = Xᵀ(ŷ − y)/n and ∂L/∂b = mean(ŷ − y).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import check_int, check_range

__all__ = [
    "NEURON_PARAMETERS",
    "NEURON_HYPERPARAMETERS",
    "sigmoid",
    "neuron_forward",
    "binary_cross_entropy",
    "neuron_gradients",
    "gradient_descent_step",
    "NeuronFit",
    "train_neuron",
]

# Which names in the survey's example are learned, and which are chosen (§2.2).
NEURON_PARAMETERS = frozenset({"w1", "w2", "b"})
NEURON_HYPERPARAMETERS = frozenset({"activation", "learning_rate", "batch_size", "epochs"})


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    ez = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))


def neuron_forward(X, w, b):
    """ŷ = σ(X·w + b) for inputs X of shape (n, d), weights w (d,), bias b (scalar)."""
    return sigmoid(np.asarray(X, float) @ np.asarray(w, float) + float(b))


def binary_cross_entropy(y, p, eps: float = 1e-12) -> float:
    """L = −mean(y·log p + (1−y)·log(1−p)), with p clipped to [eps, 1−eps]."""
    p = np.clip(np.asarray(p, float), eps, 1.0 - eps)
    y = np.asarray(y, float)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def neuron_gradients(X, y, w, b):
    """(∂L/∂w, ∂L/∂b) of the mean binary cross-entropy of the sigmoid neuron."""
    X = np.asarray(X, float)
    residual = neuron_forward(X, w, b) - np.asarray(y, float)
    return X.T @ residual / len(residual), float(residual.mean())


def gradient_descent_step(w, b, X, y, learning_rate):
    """One full-batch step of w := w − η ∂L/∂w (and the same for b); returns (w, b)."""
    learning_rate = check_range("learning_rate", learning_rate, 0.0, low_closed=False)
    dw, db = neuron_gradients(X, y, w, b)
    return np.asarray(w, float) - learning_rate * dw, float(b) - learning_rate * db


@dataclass(frozen=True)
class NeuronFit:
    """The result of :func:`train_neuron`: final parameters and the loss per step."""

    w: np.ndarray
    b: float
    losses: np.ndarray


def train_neuron(X, y, *, learning_rate: float, steps: int, w0=None, b0: float = 0.0) -> NeuronFit:
    """Train the sigmoid neuron by full-batch gradient descent for ``steps`` steps.

    ``losses[k]`` is the loss before step k (so ``losses[0]`` is the initial loss) and
    ``losses[steps]`` the loss after the last step.
    """
    learning_rate = check_range("learning_rate", learning_rate, 0.0, low_closed=False)
    steps = check_int("steps", steps, low=0)
    X = np.asarray(X, float)
    w = np.zeros(X.shape[1]) if w0 is None else np.asarray(w0, float).copy()
    b = float(b0)
    losses = np.empty(steps + 1)
    for k in range(steps):
        losses[k] = binary_cross_entropy(y, neuron_forward(X, w, b))
        w, b = gradient_descent_step(w, b, X, y, learning_rate)
    losses[steps] = binary_cross_entropy(y, neuron_forward(X, w, b))
    return NeuronFit(w=w, b=b, losses=losses)
