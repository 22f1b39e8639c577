"""Checkers of notebook 04.01: its own solutions pass, typical mistakes get specific hints."""

import numpy as np
import pytest
from notebook_utils import solution_namespace

from surveykit import checks

NOTEBOOK = "04.01-L1-L2-and-Elastic-Net.ipynb"


@pytest.fixture(scope="module")
def ns():
    return solution_namespace(NOTEBOOK, np=np)


def test_notebook_solutions_pass(ns, capsys):
    checks.check_l2_penalty_and_gradient(ns["l2_penalty_and_gradient"])
    checks.check_elastic_net(ns["elastic_net"])
    checks.check_l2_sgd_step(ns["l2_sgd_step"])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all(line.startswith("✓ ") for line in out), out


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


@pytest.mark.parametrize("answer, expected", [
    (lambda w, lam: (lam * np.sum(w**2), lam * w), "the factor 2 is missing"),
    (lambda w, lam: (0.5 * lam * np.sum(w**2), lam * w), "no ½ here"),
    (lambda w, lam: (lam * np.mean(w**2), 2 * lam * w), "not the mean"),
    (lambda w, lam: (lam * np.sum(np.abs(w)), 2 * lam * w), "that is the L1 penalty"),
    (lambda w, lam: (lam * np.sqrt(np.sum(w**2)), 2 * lam * w), "is not squared"),
    (lambda w, lam: (lam * np.sum(w**2), 2 * w), "multiply by λ"),
    (lambda w, lam: (lam * np.sum(w**2), -2 * lam * w), "wrong sign"),
    (lambda w, lam: (lam * w**2, 2 * lam * w), "should be one number"),
    (lambda w, lam: lam * np.sum(w**2), "return a tuple (penalty, gradient)"),
])
def test_l2_mistakes_are_named(answer, expected):
    msg = _message(checks.check_l2_penalty_and_gradient, answer)
    assert msg.startswith("✗ l2_penalty_and_gradient:") and expected in msg, msg


@pytest.mark.parametrize("answer, expected", [
    (lambda w, a, b: (b * np.abs(w).sum() + a * (w**2).sum(), a * np.sign(w) + 2 * b * w),
     "λ1 and λ2 are swapped"),
    (lambda w, a, b: (a * np.abs(w).sum() + b * (w**2).sum(), b * np.sign(w) + 2 * a * w),
     "λ1 and λ2 are swapped"),
    (lambda w, a, b: (a * np.abs(w).sum() + b * (w**2).sum(), a * np.sign(w) + b * w),
     "derivative is 2λ2 w"),
    (lambda w, a, b: (a * np.abs(w).sum() + b * (w**2).sum(), a * w / np.abs(w) + 2 * b * w),
     "use np.sign(w)"),
    (lambda w, a, b: (a * np.abs(w).sum() + b * (w**2).sum(), a * np.abs(w) + 2 * b * w),
     "the derivative of |w| is sign(w)"),
])
def test_elastic_net_mistakes_are_named(answer, expected):
    with np.errstate(invalid="ignore", divide="ignore"):
        msg = _message(checks.check_elastic_net, answer)
    assert msg.startswith("✗ elastic_net:") and expected in msg, msg


@pytest.mark.parametrize("answer, expected", [
    (lambda w, g, lr, lam: w + lr * (g + 2 * lam * w), "stepped *up* the gradient"),
    (lambda w, g, lr, lam: (1 - lr * lam) * w - lr * g, "the decay factor is 1 − 2ηλ"),
    (lambda w, g, lr, lam: (1 - 2 * lam) * w - lr * g, "multiplied by the learning rate"),
    (lambda w, g, lr, lam: w - lr * g, "the penalty is missing"),
])
def test_sgd_step_mistakes_are_named(answer, expected):
    msg = _message(checks.check_l2_sgd_step, answer)
    assert msg.startswith("✗ l2_sgd_step:") and expected in msg, msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_l2_penalty_and_gradient, checks.check_elastic_net,
                  checks.check_l2_sgd_step):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
