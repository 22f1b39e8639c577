"""Checker of notebook 05.06: its own solution passes, typical mistakes get specific hints."""

import numpy as np
import pytest
from notebook_utils import solution_namespace

from surveykit import checks

NOTEBOOK = "05.06-Exponentially-Weighted-Averages.ipynb"


@pytest.fixture(scope="module")
def ns():
    return solution_namespace(NOTEBOOK, np=np)


def _message(answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        checks.check_bias_corrected_ewa(answer)
    return str(err.value)


def test_notebook_solution_passes(ns, capsys):
    checks.check_bias_corrected_ewa(ns["bias_corrected_ewa"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ bias_corrected_ewa: all 8 checks passed."]


def _loop(x, beta, *, correct=True, t0=1, feed_back=False, swap=False, start_at_x1=False):
    out, v = [], 0.0
    for i, value in enumerate(x):
        t = i + t0
        if start_at_x1 and i == 0:
            v = value
        elif swap:
            v = (1 - beta) * v + beta * value
        else:
            v = beta * v + (1 - beta) * value
        corrected = v / (1 - beta**t) if correct else v
        if feed_back:
            v = corrected
        out.append(corrected)
    return np.array(out)


def test_raw_average_is_named():
    msg = _message(lambda x, b: _loop(x, b, correct=False))
    assert "wrong values for the averages" in msg and "you returned the raw v_t" in msg


def test_step_count_from_zero_gives_nan_with_a_hint():
    msg = _message(lambda x, b: _loop(x, b, t0=0))
    assert "NaN or inf" in msg and "1 − β⁰ = 0" in msg


def test_step_count_one_too_far():
    assert "use the 1-based step" in _message(lambda x, b: _loop(x, b, t0=2))


def test_feeding_the_corrected_value_back():
    assert "feeding v̂ back in over-corrects" in _message(lambda x, b: _loop(x, b, feed_back=True))


def test_swapped_beta():
    assert "β weighs the *old* average" in _message(lambda x, b: _loop(x, b, swap=True))


def test_starting_from_the_first_observation():
    assert "v_0 = 0" in _message(lambda x, b: _loop(x, b, start_at_x1=True))


def test_running_mean():
    msg = _message(lambda x, b: np.cumsum(x) / np.arange(1, len(x) + 1))
    assert "a plain running mean" in msg


def test_wrong_shape():
    assert "wrong shape" in _message(lambda x, b: _loop(x, b)[:, None])


def test_unanswered_exercise_says_so():
    def unanswered(x, beta):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="not answered yet"):
        checks.check_bias_corrected_ewa(unanswered)
