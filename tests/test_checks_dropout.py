"""Checkers of notebook 04.03: its own solutions pass, typical mistakes get specific hints."""

import numpy as np
import pytest
from notebook_utils import solution_namespace

from surveykit import checks

NOTEBOOK = "04.03-Dropout.ipynb"


@pytest.fixture(scope="module")
def ns():
    return solution_namespace(NOTEBOOK, np=np)


def test_notebook_solutions_pass(ns, capsys):
    checks.check_keep_mask(ns["keep_mask"])
    checks.check_survey_dropout(ns["survey_dropout"])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.startswith("✓ ") for line in out), out


def test_boolean_masks_are_accepted(capsys):
    checks.check_keep_mask(lambda shape, p, rng: rng.random(shape) >= p)
    assert capsys.readouterr().out.startswith("✓ keep_mask")


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


@pytest.mark.parametrize("answer, expected", [
    (lambda shape, p, rng: rng.random(shape) < p, "it is the *drop* mask"),
    (lambda shape, p, rng: rng.random(shape) >= 0.5, "wrong fraction of kept units"),
    (lambda shape, p, rng: rng.random(shape), "only 0/1"),
    (lambda shape, p, rng: rng.random(10) >= p, "wrong shape"),
    (lambda shape, p, rng: np.random.default_rng().random(shape) >= p, "draw from the `rng`"),
])
def test_mask_mistakes_are_named(answer, expected):
    msg = _message(checks.check_keep_mask, answer)
    assert msg.startswith("✗ keep_mask:") and expected in msg, msg


@pytest.mark.parametrize("answer, expected", [
    (lambda h, p, m, t: h * m / (1 - p) if t else h, "*inverted* dropout"),
    (lambda h, p, m, t: h * m if t else h, "returning h unchanged"),
    (lambda h, p, m, t: h * m if t else p * h, "not by p"),
    (lambda h, p, m, t: h * ~m if t else (1 - p) * h, "mean *kept*"),
    (lambda h, p, m, t: h * m if t else (1 - p) * h * m, "no mask at inference"),
    (lambda h, p, m, t: (1 - p) * h, "that is the inference output"),
])
def test_dropout_mistakes_are_named(answer, expected):
    msg = _message(checks.check_survey_dropout, answer)
    assert msg.startswith("✗ survey_dropout:") and expected in msg, msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_keep_mask, checks.check_survey_dropout):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
