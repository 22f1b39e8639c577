"""Checkers of the capstone's exercises (09.01): its own solutions pass, mistakes are named."""

import math

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace
from scipy import stats

from surveykit import checks, robustness

NOTEBOOK = "09.01-Capstone-From-Default-to-Tuned.ipynb"


@pytest.fixture(scope="module")
def ns():
    return solution_namespace(NOTEBOOK, np=np, stats=stats)


def test_check_cells_call_these_checkers():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_next_step(next_step)", "sk.checks.check_gain_interval(gain_interval)"]


def test_notebook_solutions_pass(ns, capsys):
    checks.check_next_step(ns["next_step"])
    checks.check_gain_interval(ns["gain_interval"])
    assert capsys.readouterr().out.splitlines() == [
        "✓ next_step: all 4 checks passed.", "✓ gain_interval: all 6 checks passed."]


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


@pytest.mark.parametrize("wrong,hint", [
    ({"underfitting": "regularize", "overfitting": "regularize", "good fit": "tune",
      "diverged": "lower the learning rate"}, "more capacity"),
    ({"underfitting": "add capacity", "overfitting": "add capacity", "good fit": "tune",
      "diverged": "lower the learning rate"}, "stop early at the turn epoch"),
    ({"underfitting": "add capacity", "overfitting": "regularize", "good fit": "regularize",
      "diverged": "lower the learning rate"}, "search the hyperparameters"),
    ({"underfitting": "add capacity", "overfitting": "regularize", "good fit": "tune",
      "diverged": "tune"}, "lower the learning rate"),
])
def test_next_step_mistakes_are_explained(wrong, hint):
    assert hint in _message(checks.check_next_step, lambda kind: wrong[kind])


def test_next_step_accepts_case_and_spaces_but_not_other_types():
    from surveykit.checks.capstone import NEXT_STEPS as right

    checks.check_next_step(lambda kind: f"  {right[kind].upper()} ")
    assert "return one of the four strings" in _message(checks.check_next_step, lambda k: 1)


def _dof(a, b):
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    return (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))


def _welch(a, b, quantile):
    a, b = np.asarray(a, float), np.asarray(b, float)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    d = b.mean() - a.mean()
    return d, d - quantile * math.sqrt(va + vb), d + quantile * math.sqrt(va + vb)


@pytest.mark.parametrize("wrong,hint", [
    (lambda a, b: _welch(b, a, stats.t.ppf(0.975, _dof(a, b))), "tuned minus default"),
    (lambda a, b: _welch(a, b, 1.96), "not 1.96"),
    (lambda a, b: (np.mean(b) - np.mean(a),
                   *stats.ttest_ind(b, a, equal_var=True).confidence_interval(0.95)),
     "pooled (equal-variance)"),
    (lambda a, b: (0.0, -1.0, 1.0), "half-width"),
    (lambda a, b: (1.0, 2.0), "return a tuple (difference, low, high)"),
])
def test_gain_interval_mistakes_are_explained(wrong, hint):
    assert hint in _message(checks.check_gain_interval, wrong)


def test_gain_interval_reference_is_scipy_welch():
    a, b = [0.2, 0.22, 0.21], [0.12, 0.13, 0.125]
    ref = robustness.seed_difference(
        robustness.SeedSpread(params={}, seeds=(0, 1, 2), values=np.array(a)),
        robustness.SeedSpread(params={}, seeds=(0, 1, 2), values=np.array(b)))
    scipy_ci = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert np.allclose(ref.ci, (scipy_ci.low, scipy_ci.high), rtol=1e-10)


def test_unanswered_exercises_say_so():
    def unanswered(*args):
        raise NotImplementedError()

    for check in (checks.check_next_step, checks.check_gain_interval):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(unanswered)
