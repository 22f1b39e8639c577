"""Checker of notebook 06.06's exercise: its own solution passes, typical mistakes are named."""

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace
from scipy.stats import norm

from surveykit import checks

NOTEBOOK = "06.06-Bayesian-Optimization.ipynb"


@pytest.fixture(scope="module")
def ns():
    """Run the notebook's solution cells (only those) and return what they define."""
    return solution_namespace(NOTEBOOK, np=np)


def test_check_cell_calls_this_checker():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_expected_improvement(expected_improvement)"]


def test_notebook_solution_passes(ns, capsys):
    checks.check_expected_improvement(ns["expected_improvement"])
    assert capsys.readouterr().out.splitlines() == [
        "✓ expected_improvement: all 8 checks passed."]


def _message(answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        checks.check_expected_improvement(answer)
    return str(err.value)


def _with_sigma0(formula):
    """A learner's formula for σ > 0, with σ = 0 handled correctly."""
    def ei(mu, sigma, best, xi=0.0):
        mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
        safe = np.where(sigma > 0, sigma, 1.0)
        return np.where(sigma > 0, formula(mu, safe, best, xi), np.maximum(best - mu - xi, 0))
    return ei


def _z(mu, s, best, xi):
    return (best - mu - xi) / s


@pytest.mark.parametrize("formula,hint", [
    (lambda m, s, b, xi: (m - b - xi) * norm.cdf((m - b - xi) / s) + s * norm.pdf((m - b - xi) / s),
     "EI for *maximisation*"),
    (lambda m, s, b, xi: (b - m - xi) * norm.cdf(_z(m, s, b, xi)), "σ φ(z) is missing"),
    (lambda m, s, b, xi: s * norm.pdf(_z(m, s, b, xi)), "(f* − μ − ξ) Φ(z) is missing"),
    (lambda m, s, b, xi: (b - m - xi) * norm.pdf(_z(m, s, b, xi)) + s * norm.pdf(_z(m, s, b, xi)),
     "you used the density φ where the cumulative distribution Φ belongs"),
    (lambda m, s, b, xi: (b - m - xi) * norm.cdf(_z(m, s, b, xi)) + s * norm.cdf(_z(m, s, b, xi)),
     "you used the cumulative distribution Φ in the second term"),
    (lambda m, s, b, xi: (b - m) * norm.cdf((b - m) / s) + s * norm.pdf((b - m) / s),
     "ξ is ignored"),
    (lambda m, s, b, xi: (b - m + xi) * norm.cdf((b - m + xi) / s)
     + s * norm.pdf((b - m + xi) / s), "ξ has the wrong sign"),
    (lambda m, s, b, xi: (b - m - xi) * norm.cdf((b - m - xi) / s**2)
     + s * norm.pdf((b - m - xi) / s**2), "not the variance σ²"),
    (lambda m, s, b, xi: 0.5 * s + 0 * m, "EI = (f* − μ − ξ) Φ(z) + σ φ(z)"),
])
def test_formula_mistakes_are_named(formula, hint):
    msg = _message(_with_sigma0(formula))
    assert msg.startswith("✗ expected_improvement: wrong values for the expected improvement")
    assert "Expected:" in msg and hint in msg


def test_sigma_zero_must_be_handled():
    def no_guard(mu, sigma, best, xi=0.0):
        z = (best - mu - xi) / sigma
        return (best - mu - xi) * norm.cdf(z) + sigma * norm.pdf(z)

    msg = _message(no_guard)
    assert "wrong values where σ = 0" in msg and "max(f* − μ − ξ, 0)" in msg

    def zero_there(mu, sigma, best, xi=0.0):
        sigma = np.asarray(sigma, float)
        safe = np.where(sigma > 0, sigma, 1.0)
        z = (best - mu - xi) / safe
        return np.where(sigma > 0, (best - mu - xi) * norm.cdf(z) + sigma * norm.pdf(z), 0.0)

    assert "wrong values where σ = 0" in _message(zero_there)


def test_shape_and_sign_problems():
    msg = _message(lambda mu, sigma, best, xi=0.0: float(np.sum(sigma)))
    assert "wrong shape" in msg
    msg = _message(lambda mu, sigma, best, xi=0.0: np.full_like(mu, np.nan))
    assert "NaN or inf" in msg


def test_exceptions_and_unanswered():
    msg = _message(lambda mu, sigma, best, xi=0.0: mu @ "x")
    assert "your function raised" in msg

    def todo(*args):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="not answered yet"):
        checks.check_expected_improvement(todo)
