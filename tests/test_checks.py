"""Exercise checkers: the notebooks' own solutions pass, wrong answers get helpful messages."""

import numpy as np
import pytest
from notebook_utils import solution_namespace

from surveykit import checks


@pytest.fixture(scope="module")
def ns0201():
    return solution_namespace("02.01-Hyperparameters-vs-Parameters.ipynb", np=np)


@pytest.fixture(scope="module")
def ns0204():
    return solution_namespace("02.04-Bias-Variance-Tradeoff.ipynb", np=np)


def test_notebook_solutions_pass(ns0201, ns0204, capsys):
    checks.check_sigmoid_neuron(ns0201["sigmoid_neuron"])
    checks.check_gd_step(ns0201["gd_step"])
    checks.check_parameter_split(ns0201["parameters"], ns0201["hyperparameters"])
    checks.check_bias_variance(ns0204["bias_variance"])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and all(line.startswith("✓ ") for line in out), out


def _message(check, answer, *more) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer, *more)
    return str(err.value)


def test_wrong_neuron_is_explained():
    msg = _message(checks.check_sigmoid_neuron, lambda X, w, b: np.tanh(X @ w + b))
    assert msg.startswith("✗ sigmoid_neuron: wrong values for the output")
    assert "Expected:" in msg and "Got:" in msg and "σ(z) = 1 / (1 + exp(−z))" in msg
    msg = _message(checks.check_sigmoid_neuron, lambda X, w, b: 1 / (1 + np.exp(-(X @ w))))
    assert "wrong values" in msg
    msg = _message(checks.check_sigmoid_neuron,
                   lambda X, w, b: (1 / (1 + np.exp(-(X @ w + b))))[:, None])
    assert "wrong shape" in msg


def test_gradient_ascent_and_summed_gradient_get_specific_hints(ns0201):
    sig = ns0201["sigmoid_neuron"]

    def ascent(w, b, X, y, lr):
        r = sig(X, w, b) - y
        return w + lr * X.T @ r / len(y), b + lr * r.mean()

    def summed(w, b, X, y, lr):
        r = sig(X, w, b) - y
        return w - lr * X.T @ r, b - lr * r.sum()

    assert "subtracts η·∂L/∂w" in _message(checks.check_gd_step, ascent)
    assert "divide the summed gradient by the batch size" in _message(checks.check_gd_step, summed)
    assert "return a tuple" in _message(checks.check_gd_step, lambda w, b, X, y, lr: w)


def test_parameter_split_mistakes():
    full_h = {"activation", "learning_rate", "batch_size", "epochs"}
    msg = _message(checks.check_parameter_split, {"w1", "w2", "b", "learning_rate"},
                   full_h - {"learning_rate"})
    assert "['learning_rate'] is not learned by backpropagation" in msg
    msg = _message(checks.check_parameter_split, {"w1", "w2"}, full_h | {"b"})
    assert "['b'] is learned from the data" in msg
    msg = _message(checks.check_parameter_split, {"w1", "w2", "b"}, {"activation"})
    assert "wrong set of hyperparameters" in msg


def test_bias_variance_common_mistakes_are_named():
    msg = _message(checks.check_bias_variance,
                   lambda p, f: (np.mean((p.mean(0) - f) ** 2), np.mean(p.var(0, ddof=1))))
    assert "ddof=1" in msg
    msg = _message(checks.check_bias_variance,
                   lambda p, f: (np.mean((p - f) ** 2), np.mean(p.var(0))))
    assert "which is bias² + variance" in msg
    msg = _message(checks.check_bias_variance, lambda p, f: [0.0, 0.0])
    assert "return a tuple (bias2, variance)" in msg


def test_exceptions_in_answers_are_reported_clearly():
    def broken(X, w, b):
        return X @ w @ b  # shape error

    msg = _message(checks.check_sigmoid_neuron, broken)
    assert "your function raised" in msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_sigmoid_neuron, checks.check_gd_step, checks.check_bias_variance):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
    with pytest.raises(NotImplementedError, match="not answered yet"):
        checks.check_parameter_split(set(), set())
