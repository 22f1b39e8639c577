"""The small numpy network: backprop against centred finite differences, and training it."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import numpy as np
import pytest

from surveykit.optim import Adam, Nesterov, NumpyOptimizer
from surveykit.optim.numpy_net import (
    gradient_check,
    init_mlp,
    minibatches,
    mlp_forward,
    mlp_loss,
    mlp_loss_and_grads,
    numerical_gradients,
    relative_error,
    train_mlp,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return X, y


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backprop_passes_the_gradient_check(data, activation, seed):
    X, y = data
    params = init_mlp(4, 5, seed=seed)
    # move the biases off zero so that every parameter's gradient is exercised
    rng = np.random.default_rng(seed)
    params["b1"] = rng.standard_normal(5) * 0.5
    params["b2"] = rng.standard_normal(1) * 0.5
    error = gradient_check(params, X, y, activation=activation, h=1e-5)
    assert error < 1e-7, f"relative error {error:.2e}"


def test_gradient_check_catches_a_wrong_backprop(data):
    """The check is discriminating: a missing activation derivative is far above 1e-7."""
    X, y = data
    params = init_mlp(4, 5, seed=0)
    _, grads = mlp_loss_and_grads(params, X, y)
    numeric = numerical_gradients(lambda p: mlp_loss(p, X, y), params)
    assert relative_error(grads, numeric) < 1e-7
    wrong = dict(grads)
    p, cache = mlp_forward(params, X)
    dz = ((p - y) / len(y))[:, None]
    wrong["W1"] = X.T @ (dz @ params["W2"].T)  # forgot ⊙ (1 − h²)
    assert relative_error(wrong, numeric) > 1e-3
    slightly = dict(grads, b2=grads["b2"] * 1.001)
    assert relative_error(slightly, numeric) > 1e-7


def test_loss_is_binary_cross_entropy(data):
    X, y = data
    params = init_mlp(4, 3, seed=3)
    p, _ = mlp_forward(params, X)
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert mlp_loss(params, X, y) == pytest.approx(expected, rel=1e-12)


def test_loss_is_stable_for_huge_logits():
    params = {"W1": np.eye(1) * 100, "b1": np.zeros(1), "W2": np.eye(1) * 1000, "b2": np.zeros(1)}
    loss = mlp_loss(params, np.array([[1.0], [-1.0]]), np.array([0.0, 1.0]))
    assert np.isfinite(loss) and loss == pytest.approx(1000 * np.tanh(100))


def test_minibatches_cover_every_example_once():
    batches = minibatches(10, 3, rng=np.random.default_rng(0))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    assert len(minibatches(10, 10)) == 1  # full batch
    assert len(minibatches(10, 1)) == 10  # SGD


@pytest.mark.parametrize("rule", [Adam(), Nesterov(0.9)], ids=str)
def test_training_reduces_the_loss(data, rule):
    X, y = data
    params = init_mlp(4, 8, seed=0)
    start = mlp_loss(params, X, y)
    trained, losses = train_mlp(NumpyOptimizer(rule, 0.05), params, X, y, batch_size=5, epochs=60)
    assert len(losses) == 60 * 4
    assert mlp_loss(trained, X, y) < 0.5 * start
