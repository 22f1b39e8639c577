"""Checker of notebook 05.04: its own solution passes, typical mistakes get specific hints."""

import numpy as np
import pytest
from notebook_utils import solution_namespace

from surveykit import checks

NOTEBOOK = "05.04-RMSProp-and-Adam.ipynb"


@pytest.fixture(scope="module")
def ns():
    return solution_namespace(NOTEBOOK, np=np)


def _message(answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        checks.check_adam_step(answer)
    return str(err.value)


def test_notebook_solution_passes(ns, capsys):
    checks.check_adam_step(ns["adam_step"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ adam_step: all 9 checks passed."]


def _adam(*, eps_outside=False, correct=True, store_hat=False, t_shift=0, square=True,
          swap=False, ascent=False):
    def step(w, m, v, g, t, lr, b1, b2, eps):
        tt = t + t_shift
        if swap:
            m = (1 - b1) * m + b1 * g
            v = (1 - b2) * v + b2 * g**2
        else:
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * (g**2 if square else g)
        m_hat = m / (1 - b1**tt) if correct else m
        v_hat = v / (1 - b2**tt) if correct else v
        denom = np.sqrt(v_hat) + eps if eps_outside else np.sqrt(v_hat + eps)
        w = w + lr * m_hat / denom if ascent else w - lr * m_hat / denom
        return (w, m_hat, v_hat) if store_hat else (w, m, v)
    return step


def test_eps_outside_the_root_is_the_papers_form():
    msg = _message(_adam(eps_outside=True))
    assert "wrong values for new_w" in msg and "the paper's (and Keras') form" in msg
    assert "ε inside" in msg


def test_missing_bias_correction_is_named():
    assert "you left out the bias correction" in _message(_adam(correct=False))


def test_returning_the_corrected_moments_is_named():
    msg = _message(_adam(store_hat=True))
    assert "wrong values for new_m" in msg and "you returned the bias-corrected m̂_t" in msg


def test_gradient_instead_of_its_square():
    msg = _message(_adam(square=False))
    assert "wrong values for new_v" in msg and "square the gradient" in msg


def test_swapped_betas():
    assert "β₁ weighs the *old* average" in _message(_adam(swap=True))


def test_gradient_ascent():
    assert "you moved *up* the gradient" in _message(_adam(ascent=True))


def test_step_count_from_zero_gives_nan_with_a_hint():
    msg = _message(_adam(t_shift=-1))
    assert "NaN or inf" in msg and "t counts from 1" in msg


def test_step_count_off_by_one_later():
    assert "use βᵗ with the step t you are given" in _message(_adam(t_shift=1))


def test_not_a_tuple():
    assert "return a tuple (new_w, new_m, new_v)" in _message(lambda *args: args[0])


def test_unanswered_exercise_says_so():
    def unanswered(*args):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="not answered yet"):
        checks.check_adam_step(unanswered)


def test_exceptions_are_reported():
    def broken(w, m, v, g, t, lr, b1, b2, eps):
        return w @ np.ones(7), m, v

    assert "your function raised ValueError" in _message(broken)
