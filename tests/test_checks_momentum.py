"""Checkers of notebook 05.03: its own solutions pass, typical mistakes get specific hints."""

import numpy as np
import pytest
from notebook_utils import solution_namespace

from surveykit import checks

NOTEBOOK = "05.03-Momentum-and-Nesterov.ipynb"


@pytest.fixture(scope="module")
def ns():
    return solution_namespace(NOTEBOOK, np=np)


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


def test_notebook_solutions_pass(ns, capsys):
    checks.check_momentum_step(ns["momentum_step"])
    checks.check_nesterov_step(ns["nesterov_step"])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.startswith("✓ ") for line in out), out


# --- momentum_step ----------------------------------------------------------------------------


def test_classic_form_is_recognised():
    def classic(w, v, g, lr, beta):
        v = beta * v + g
        return w - lr * v, v

    msg = _message(checks.check_momentum_step, classic)
    assert "wrong values for new_v" in msg and "multiply the gradient by (1 − β)" in msg


def test_keras_form_is_recognised():
    def keras_form(w, v, g, lr, beta):
        m = beta * v - lr * g
        return w + m, m

    assert "that is Keras' form" in _message(checks.check_momentum_step, keras_form)


def test_swapped_weights_are_recognised():
    def swapped(w, v, g, lr, beta):
        v = (1 - beta) * v + beta * g
        return w - lr * v, v

    assert "β weighs the *old* velocity" in _message(checks.check_momentum_step, swapped)


def test_old_velocity_and_ascent_are_recognised():
    def old_velocity(w, v, g, lr, beta):
        return w - lr * v, beta * v + (1 - beta) * g

    msg = _message(checks.check_momentum_step, old_velocity)
    assert "wrong values for new_w" in msg and "you used the old velocity" in msg

    def ascent(w, v, g, lr, beta):
        v = beta * v + (1 - beta) * g
        return w + lr * v, v

    assert "descent subtracts it" in _message(checks.check_momentum_step, ascent)
    assert "return a tuple (new_w, new_v)" in _message(checks.check_momentum_step,
                                                       lambda w, v, g, lr, beta: w)


# --- nesterov_step ----------------------------------------------------------------------------


def test_gradient_at_w_is_classic_momentum():
    def no_lookahead(w, v, grad_fn, lr, beta):
        v = beta * v + lr * grad_fn(w)
        return w - v, v

    assert "that is classic momentum" in _message(checks.check_nesterov_step, no_lookahead)


def test_lookahead_with_the_wrong_sign_is_recognised():
    def plus(w, v, grad_fn, lr, beta):
        v = beta * v + lr * grad_fn(w + beta * v)
        return w - v, v

    assert "not w + β·v" in _message(checks.check_nesterov_step, plus)


def test_ewa_scaling_and_double_eta_are_recognised():
    def ewa(w, v, grad_fn, lr, beta):
        v = beta * v + (1 - beta) * grad_fn(w - beta * v)
        return w - lr * v, v

    assert "has no (1 − β)" in _message(checks.check_nesterov_step, ewa)

    def double_eta(w, v, grad_fn, lr, beta):
        v = beta * v + lr * grad_fn(w - beta * v)
        return w - lr * v, v

    msg = _message(checks.check_nesterov_step, double_eta)
    assert "wrong values for new_w" in msg and "not w − η·v_t" in msg


def test_not_calling_the_gradient_is_recognised():
    def constant(w, v, grad_fn, lr, beta):
        return w - lr, v

    assert "call grad_fn" in _message(checks.check_nesterov_step, constant)


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_momentum_step, checks.check_nesterov_step):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
