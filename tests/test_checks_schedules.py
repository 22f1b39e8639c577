"""Checkers of notebook 05.07: its solutions pass, typical mistakes are named."""

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks

NOTEBOOK = "05.07-Learning-Rate-Schedules.ipynb"


@pytest.fixture(scope="module")
def solutions():
    """Run the notebook's solution cells (only those) and return what they define."""
    return solution_namespace(NOTEBOOK, np=np)


def test_notebook_solutions_pass(solutions, capsys):
    checks.check_step_decay(solutions["step_decay"])
    checks.check_inverse_time_decay(solutions["inverse_time_decay"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ step_decay: all 3 checks passed.",
                   "✓ inverse_time_decay: all 3 checks passed."]


def test_check_cells_call_these_checkers():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_step_decay(step_decay)",
        "sk.checks.check_inverse_time_decay(inverse_time_decay)",
    ]


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


STEP_MISTAKES = {
    "no floor": (lambda t, e, g, s: e * g ** (t / s), "without the floor ⌊t/s⌋"),
    "ceil": (lambda t, e, g, s: e * g ** np.ceil(t / s), "np.ceil drops the rate already at t = 1"),
    "round": (lambda t, e, g, s: e * g ** np.round(t / s), "np.round drops the rate half a period"),
    "1-based steps": (lambda t, e, g, s: e * g ** np.floor((t + 1) / s), "steps count from t = 0"),
    "product": (lambda t, e, g, s: e * g * np.floor(t / s), "not multiplied by ⌊t/s⌋"),
    "swapped": (lambda t, e, g, s: e * s ** np.floor(t / g), "γ and s are swapped"),
}


@pytest.mark.parametrize("name", list(STEP_MISTAKES))
def test_step_decay_mistakes_get_specific_hints(name):
    answer, hint = STEP_MISTAKES[name]
    msg = _message(checks.check_step_decay, answer)
    assert msg.startswith("✗ step_decay: wrong values for the learning rates")
    assert "Expected:" in msg and "Got:" in msg
    assert hint in msg


def test_step_decay_names_the_first_wrong_step():
    msg = _message(checks.check_step_decay, STEP_MISTAKES["1-based steps"][0])
    assert "(first at step t = 9)" in msg  # s = 10: the 1-based version drops one step early


def test_step_decay_other_errors():
    msg = _message(checks.check_step_decay, lambda t, e, g, s: e * 0.9 ** np.floor(t / s))
    assert "γ is raised to the number of completed periods" in msg
    msg = _message(checks.check_step_decay, lambda t, e, g, s: e)
    assert "wrong shape for the learning rates" in msg
    msg = _message(checks.check_step_decay, lambda t, e, g, s: "fast then slow")
    assert "should be numeric" in msg
    msg = _message(checks.check_step_decay, lambda t, e, g, s: t.foo)
    assert "your function raised AttributeError" in msg


INVERSE_MISTAKES = {
    "parentheses": (lambda t, e, k: e / (1 + k) * t, "mind the parentheses"),
    "linear": (lambda t, e, k: e * (1 - k * t), "decays linearly and turns negative"),
    "power": (lambda t, e, k: e / (1 + k) ** t, "η0 / (1 + k)^t is an exponential decay"),
    "exponential": (lambda t, e, k: e * np.exp(-k * t), "that is the exponential decay"),
}


@pytest.mark.parametrize("name", list(INVERSE_MISTAKES))
def test_inverse_time_mistakes_get_specific_hints(name):
    answer, hint = INVERSE_MISTAKES[name]
    msg = _message(checks.check_inverse_time_decay, answer)
    assert msg.startswith("✗ inverse_time_decay: wrong values for the learning rates")
    assert hint in msg


def test_inverse_time_without_the_one_is_caught_at_t_zero():
    def no_one(t, e, k):
        with np.errstate(divide="ignore"):
            return e / (k * t)

    msg = _message(checks.check_inverse_time_decay, no_one)
    assert "contains NaN or inf" in msg and "keeps the 1" in msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_step_decay, checks.check_inverse_time_decay):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
