"""Checkers of notebook 08.04's exercises: its own solutions pass, typical mistakes are named."""

import math

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace
from scipy import stats

from surveykit import checks

NOTEBOOK = "08.04-Hyperparameter-Robustness.ipynb"


@pytest.fixture(scope="module")
def ns():
    """Run the notebook's solution cells (only those) and return what they define."""
    return solution_namespace(NOTEBOOK, np=np, math=math, stats=stats)


def test_check_cells_call_these_checkers():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_log_step(log_step)", "sk.checks.check_seed_summary(seed_summary)",
        "sk.checks.check_quadratic_sharpness(quadratic_sharpness)"]


def test_notebook_solutions_pass(ns, capsys):
    checks.check_log_step(ns["log_step"])
    checks.check_seed_summary(ns["seed_summary"])
    checks.check_quadratic_sharpness(ns["quadratic_sharpness"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ log_step: all 10 checks passed.", "✓ seed_summary: all 8 checks passed.",
                   "✓ quadratic_sharpness: all 4 checks passed."]


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


@pytest.mark.parametrize("wrong,hint", [
    (lambda v, s: (v - s, v + s), "a step on a linear scale"),
    (lambda v, s: (v * math.exp(-s), v * math.exp(s)), "use 10**step, not e**step"),
    (lambda v, s: (v * 10**s, v / 10**s), "the smaller value first"),
    (lambda v, s: (v / s, v * s), "not by step itself"),
    (lambda v, s: (v / 2, v * 2), "down = value / 10**step"),
])
def test_log_step_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_log_step, wrong)
    assert "wrong values for (down, up)" in msg and hint in msg


def test_log_step_shape_errors():
    assert "two numbers" in _message(checks.check_log_step, lambda v, s: v * 10**s)
    assert "number of values returned" in _message(checks.check_log_step,
                                                   lambda v, s: (v, v / 10**s, v * 10**s))


def _summary(ddof=1, q=0.975, dof=lambda n: n - 1, sem=True, z=None):
    def fn(values):
        x = np.asarray(values, float)
        n = x.size
        s = x.std(ddof=ddof)
        c = z if z is not None else stats.t.ppf(q, dof(n))
        half = c * s / (math.sqrt(n) if sem else 1.0)
        return x.mean(), s, x.mean() - half, x.mean() + half
    return fn


@pytest.mark.parametrize("wrong,hint", [
    (_summary(ddof=0), "divides by n (numpy's default ddof=0)"),
    (_summary(z=1.959964), "the normal interval"),
    (_summary(sem=False), "use the standard error s/√n, not s"),
    (_summary(q=0.95), "t.ppf(0.975, n − 1), not 0.95"),
    (_summary(dof=lambda n: n), "n − 1 degrees of freedom, not n"),
])
def test_seed_summary_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_seed_summary, wrong)
    assert "wrong values for (mean, std, low, high)" in msg and hint in msg


@pytest.mark.parametrize("wrong,hint", [
    (lambda H, r: r**2 * np.trace(H) / len(H), "you forgot the ½"),
    (lambda H, r: 0.5 * r**2 * np.trace(H), "divide tr(H) by d"),
    (lambda H, r: 0.5 * r * np.trace(H) / len(H), "use r², not r"),
    (lambda H, r: 0.5 * r**2 * H.sum() / len(H), "use the trace"),
    (lambda H, r: 0.5 * r**2 * np.linalg.eigvalsh(H).max(), "largest eigenvalue"),
    (lambda H, r: 0.123, "E[ΔL] = ½ r² tr(H) / d"),
])
def test_quadratic_sharpness_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_quadratic_sharpness, wrong)
    assert "wrong values for the expected increase" in msg and hint in msg


def test_quadratic_sharpness_must_return_a_number():
    msg = _message(checks.check_quadratic_sharpness, lambda H, r: [1.0, 2.0])
    assert "return one number" in msg


def test_exceptions_in_answers_are_reported_clearly():
    msg = _message(checks.check_seed_summary, lambda values: values.mean())
    assert "your function raised AttributeError" in msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_log_step, checks.check_seed_summary,
                  checks.check_quadratic_sharpness):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
