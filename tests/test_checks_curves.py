"""Checkers of notebook 08.01's exercises: its own solutions pass, typical mistakes are named."""

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

import surveykit as sk
from surveykit import checks, ranges
from surveykit.tuning.space import Categorical, Integer, LogUniform, Uniform

NOTEBOOK = "08.01-Initial-Ranges-and-Learning-Curves.ipynb"


@pytest.fixture(scope="module")
def ns():
    """Run the notebook's solution cells (only those) and return what they define."""
    return solution_namespace(NOTEBOOK, np=np, sk=sk, ranges=ranges)


def test_check_cells_call_these_checkers():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_turn_epoch(turn_epoch)", "sk.checks.check_l2_dimension(l2_dimension)"]


def test_notebook_solutions_pass(ns, capsys):
    checks.check_turn_epoch(ns["turn_epoch"])
    checks.check_l2_dimension(ns["l2_dimension"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ turn_epoch: all 12 checks passed.", "✓ l2_dimension: all 5 checks passed."]


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


def _centred(val):
    val = np.asarray(val, float)
    return np.array([val[max(0, i - 1): i + 2].mean() for i in range(len(val))])


@pytest.mark.parametrize("wrong, hint", [
    (lambda v: int(np.argmin(_centred(v))), "epochs are counted from 1"),
    (lambda v: int(np.argmin(v)) + 1, "that is the raw minimum; smooth the curve first"),
    (lambda v: int(np.argmin([np.mean(v[max(0, i - 2): i + 1]) for i in range(len(v))])) + 1,
     "that is a trailing average"),
    (lambda v: int(np.argmax(_centred(v))) + 1, "that is the maximum"),
    (lambda v: 1, "smooth with a centred 3-epoch moving average"),
])
def test_turn_epoch_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_turn_epoch, wrong)
    assert msg.startswith("✗ turn_epoch: wrong turn epoch on ") and "Expected:" in msg
    assert hint in msg


def test_turn_epoch_ties_and_types():
    # the last of equal minima instead of the first
    def last_min(v):
        s = _centred(v)
        return int(len(s) - 1 - np.argmin(s[::-1])) + 1

    msg = _message(checks.check_turn_epoch, last_min)
    assert "equal smoothed minima" in msg
    msg = _message(checks.check_turn_epoch, lambda v: "epoch 15")
    assert "return an epoch number (an int)" in msg
    msg = _message(checks.check_turn_epoch, lambda v: 14.5)
    assert "return an epoch number" in msg
    # an integral float is accepted
    checks.check_turn_epoch(lambda v: float(np.argmin(_centred(v)) + 1))


@pytest.mark.parametrize("wrong, hint", [
    (lambda: Uniform("l2", 1e-5, 1e-2), "samples λ on a linear scale"),
    (lambda: LogUniform("l2", 1e-6, 1e-2), "§8.1: 'Start with λ ∈ [10^-5, 10^-2]'"),
    (lambda: LogUniform("lam", 1e-5, 1e-2), "name it 'l2'"),
    (lambda: Categorical("l2", [1e-5, 1e-4, 1e-3, 1e-2]), "use LogUniform"),
    (lambda: Integer("l2", 1, 100, log=True), "use LogUniform"),
    (lambda: (1e-5, 1e-2), "return a surveykit.tuning.space Dimension"),
])
def test_l2_dimension_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_l2_dimension, wrong)
    assert msg.startswith("✗ l2_dimension: ") and hint in msg


def test_exceptions_in_answers_are_reported_clearly():
    msg = _message(checks.check_turn_epoch, lambda v: v.smooth())
    assert "your function raised AttributeError" in msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_turn_epoch, checks.check_l2_dimension):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
