"""Checkers of notebook 07.01's exercises: its own solutions pass, typical mistakes are named."""

import math

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks

NOTEBOOK = "07.01-Vanishing-and-Exploding-Gradients.ipynb"


@pytest.fixture(scope="module")
def ns():
    """Run the notebook's solution cells (only those) and return what they define."""
    return solution_namespace(NOTEBOOK, np=np)


def test_check_cells_call_these_checkers():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_he_std(he_std)", "sk.checks.check_he_normal(he_normal)"]


def test_notebook_solutions_pass(ns, capsys):
    checks.check_he_std(ns["he_std"])
    checks.check_he_normal(ns["he_normal"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ he_std: all 4 checks passed.", "✓ he_normal: all 9 checks passed."]


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


@pytest.mark.parametrize("wrong,hint", [
    (lambda fi, fo: 2.0 / fi, "you returned the variance 2/fan_in"),
    (lambda fi, fo: math.sqrt(2.0 / fo), "you used fan_out"),
    (lambda fi, fo: math.sqrt(2.0 / (fi + fo)), "that is Xavier/Glorot's"),
    (lambda fi, fo: math.sqrt(1.0 / fi), "that is LeCun's"),
    (lambda fi, fo: 2.0 / math.sqrt(fi), "the 2 goes inside the square root"),
    (lambda fi, fo: 0.1, "He's standard deviation is √(2 / fan_in)"),
])
def test_he_std_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_he_std, wrong)
    assert msg.startswith("✗ he_std: wrong values for the standard deviation")
    assert "Expected:" in msg and hint in msg


def test_he_std_must_return_a_number():
    msg = _message(checks.check_he_std, lambda fi, fo: "sqrt(2/fan_in)")
    assert "return one number" in msg
    msg = _message(checks.check_he_std, lambda fi, fo: [math.sqrt(2 / fi)] * 2)
    assert "return one number" in msg


@pytest.mark.parametrize("wrong,hint", [
    (lambda fi, fo, rng: rng.normal(0, 2.0 / fi, (fi, fo)), "scale by its square root"),
    (lambda fi, fo, rng: rng.normal(0, math.sqrt(2.0 / fo), (fi, fo)), "you used fan_out"),
    (lambda fi, fo, rng: rng.normal(0, math.sqrt(2.0 / (fi + fo)), (fi, fo)),
     "that is Xavier/Glorot's std"),
    (lambda fi, fo, rng: rng.standard_normal((fi, fo)), "the weights have std 1"),
    (lambda fi, fo, rng: rng.normal(0, 0.05, (fi, fo)), "standard deviation √(2/fan_in)"),
])
def test_he_normal_wrong_scale_is_named(wrong, hint):
    msg = _message(checks.check_he_normal, wrong)
    assert "the weights' standard deviation is" in msg and hint in msg


def test_he_normal_other_mistakes():
    std = lambda fi: math.sqrt(2.0 / fi)  # noqa: E731
    msg = _message(checks.check_he_normal, lambda fi, fo, rng: rng.normal(0, std(fi), (fo, fi)))
    assert "wrong shape for the weights" in msg and "(fan_in, fan_out), as" in msg
    msg = _message(checks.check_he_normal,
                   lambda fi, fo, rng: rng.normal(0.5, std(fi), (fi, fo)))
    assert "mean 0" in msg
    limit = lambda fi: math.sqrt(3) * std(fi)  # noqa: E731  (uniform with the right std)
    msg = _message(checks.check_he_normal,
                   lambda fi, fo, rng: rng.uniform(-limit(fi), limit(fi), (fi, fo)))
    assert "do not look normally distributed" in msg and "rng.normal" in msg
    msg = _message(checks.check_he_normal,
                   lambda fi, fo, rng: np.random.default_rng(0).normal(0, std(fi), (fi, fo)))
    assert "two different generators gave identical weights" in msg
    msg = _message(checks.check_he_normal, lambda fi, fo, rng: np.full((fi, fo), np.nan))
    assert "NaN or inf" in msg


def test_exceptions_in_answers_are_reported_clearly():
    msg = _message(checks.check_he_normal, lambda fi, fo, rng: rng.normal(0, 1, fi) @ fo)
    assert "your function raised" in msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_he_std, checks.check_he_normal):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
