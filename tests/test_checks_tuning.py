"""Checkers of notebook 06.04's exercises: its own solutions pass, typical mistakes are named."""

import math

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks

NOTEBOOK = "06.04-Adequate-and-Coarse-to-Fine-Search.ipynb"


@pytest.fixture(scope="module")
def ns():
    """Run the notebook's solution cells (only those) and return what they define."""
    return solution_namespace(NOTEBOOK, np=np)


def test_check_cells_call_these_checkers():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_log_uniform(log_uniform)",
        "sk.checks.check_successive_halving_round(successive_halving_round)"]


def test_notebook_solutions_pass(ns, capsys):
    checks.check_log_uniform(ns["log_uniform"])
    checks.check_successive_halving_round(ns["successive_halving_round"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ log_uniform: all 10 checks passed.",
                   "✓ successive_halving_round: all 15 checks passed."]


def test_other_correct_answers_pass(capsys):
    checks.check_log_uniform(lambda lo, hi, u: math.exp(math.log(lo) + u * math.log(hi / lo)))
    checks.check_log_uniform(lambda lo, hi, u: 10 ** (np.log10(lo) + u * np.log10(hi / lo)))

    def by_sorting(configs, losses, budget, eta):
        ranked = sorted(zip(losses, range(len(configs)), configs, strict=True))
        return tuple(c for _, _, c in ranked[:max(1, len(configs) // eta)]), budget * eta

    checks.check_successive_halving_round(by_sorting)
    assert capsys.readouterr().out.count("✓") == 3


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


@pytest.mark.parametrize("wrong,hint", [
    (lambda lo, hi, u: lo + u * (hi - lo), "that is uniform(low, high), a linear scale"),
    (lambda lo, hi, u: math.log(lo + u * (hi - lo)), "you drew uniformly and then took the log"),
    (lambda lo, hi, u: math.log10(lo + u * (hi - lo)), "you drew uniformly and then took log10"),
    (lambda lo, hi, u: hi * (lo / hi) ** u, "you swapped the bounds"),
    (lambda lo, hi, u: math.exp(math.log10(lo) + u * (math.log10(hi) - math.log10(lo))),
     "you mixed bases: log10 of the bounds but exp"),
    (lambda lo, hi, u: 10 ** (math.log(lo) + u * (math.log(hi) - math.log(lo))),
     "you mixed bases: natural log of the bounds but 10**"),
    (lambda lo, hi, u: math.log(lo) + u * (math.log(hi) - math.log(lo)),
     "you returned the logarithm of the value"),
    (lambda lo, hi, u: (hi / lo) ** u, "you forgot the starting point"),
    (lambda lo, hi, u: 10 ** (lo + u * (hi - lo)), "the bounds are the values themselves"),
    (lambda lo, hi, u: lo * (hi / lo) ** (u / 2), "value = low·(high/low)^u"),
])
def test_log_uniform_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_log_uniform, wrong)
    assert msg.startswith("✗ log_uniform: wrong values for the value on low=")
    assert "Expected:" in msg and hint in msg


def test_log_uniform_answers_must_be_numbers_and_follow_the_law():
    msg = _message(checks.check_log_uniform, lambda lo, hi, u: [lo, hi])
    assert "return one number" in msg
    msg = _message(checks.check_log_uniform, lambda lo, hi, u: float("nan"))
    assert "NaN or inf" in msg
    table = {(lo, hi, u): lo * (hi / lo) ** u for lo, hi, u in checks.tuning._LOG_CASES}
    msg = _message(checks.check_log_uniform,  # right on the checked points only
                   lambda lo, hi, u: table.get((lo, hi, u), 0.05))
    assert "do not give each decade of [1e-5, 1e-1] a quarter" in msg


def _keep(k_of, order="best"):
    """A halving round that keeps ``k_of(n, eta)`` configurations, by the lowest loss
    (``order="best"``) or the highest (``"worst"``)."""
    def fn(configs, losses, budget, eta):
        idx = np.argsort(losses, kind="stable")
        if order == "worst":
            idx = idx[::-1]
        return [configs[i] for i in idx[:k_of(len(configs), eta)]], budget * eta
    return fn


@pytest.mark.parametrize("wrong,hint", [
    (_keep(lambda n, e: max(1, n // e), "worst"), "kept the configurations with the *highest* "
                                                  "loss"),
    (_keep(lambda n, e: math.ceil(n / e)), "you kept ⌈n/η⌉ = 4; this round keeps ⌊n/η⌋ = 3"),
    (_keep(lambda n, e: n // e), "keep at least one configuration"),
    (_keep(lambda n, e: n - n // e), "successive halving *keeps* 1/η"),
    (_keep(lambda n, e: n // 2), "keep ⌊n/η⌋"),
])
def test_halving_round_wrong_configurations_are_named(wrong, hint):
    msg = _message(checks.check_successive_halving_round, wrong)
    assert "wrong configurations kept" in msg and "Expected:" in msg and hint in msg


def test_halving_round_order_indices_and_budget_are_named():
    def worst_first(configs, losses, budget, eta):
        kept, b = _keep(lambda n, e: max(1, n // e))(configs, losses, budget, eta)
        return kept[::-1], b

    assert "return them best first" in _message(checks.check_successive_halving_round,
                                                worst_first)

    def indices(configs, losses, budget, eta):
        k = max(1, len(configs) // eta)
        return [int(i) for i in np.argsort(losses)[:k]], budget * eta

    assert "not their indices" in _message(checks.check_successive_halving_round, indices)
    for budget_rule, hint in [(lambda b, e: b / e, "do not divide"),
                              (lambda b, e: b + e, "do not add"),
                              (lambda b, e: b, "η times the budget"),
                              (lambda b, e: b * e * e, "multiply the budget by η")]:
        def fn(configs, losses, budget, eta, rule=budget_rule):
            return _keep(lambda n, e: max(1, n // e))(configs, losses, budget, eta)[0], \
                rule(budget, eta)
        msg = _message(checks.check_successive_halving_round, fn)
        assert "wrong new budget" in msg and hint in msg
    msg = _message(checks.check_successive_halving_round, lambda c, losses, b, e: c[:1])
    assert "return a pair (kept configurations, new budget)" in msg


def test_exceptions_in_answers_are_reported_clearly():
    msg = _message(checks.check_log_uniform, lambda lo, hi, u: math.log(-u - 1))
    assert "your function raised ValueError" in msg
    msg = _message(checks.check_successive_halving_round, lambda c, losses, b, e: c[len(c) + 1])
    assert "your function raised IndexError" in msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_log_uniform, checks.check_successive_halving_round):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
