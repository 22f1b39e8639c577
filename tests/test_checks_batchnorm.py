"""The batch-normalization exercises of notebook 04.06: solutions pass, mistakes are named."""

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks

NOTEBOOK = "04.06-Batch-Normalization.ipynb"


@pytest.fixture(scope="module")
def ns():
    return solution_namespace(NOTEBOOK, np=np)


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


def test_notebook_solutions_pass(ns, capsys):
    checks.check_batchnorm_forward(ns["batchnorm_forward"])
    checks.check_running_statistics(ns["running_statistics"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ batchnorm_forward: all 6 checks passed.",
                   "✓ running_statistics: all 6 checks passed."]


def test_check_cells_follow_the_solutions():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [c.source.strip() for _, c in pairs] == [
        "sk.checks.check_batchnorm_forward(batchnorm_forward)",
        "sk.checks.check_running_statistics(running_statistics)"]


def _bn(x, gamma, beta, eps, *, ddof=0, axis=0, eps_outside=False, affine=True, swap=False):
    mu = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, ddof=ddof, keepdims=True)
    x_hat = (x - mu) / (np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps))
    if not affine:
        return x_hat
    return beta * x_hat + gamma if swap else gamma * x_hat + beta


@pytest.mark.parametrize("mistake, expected", [
    (dict(ddof=1), "ddof=1"),
    (dict(eps_outside=True), "ε goes inside the square root"),
    (dict(affine=False), "you returned x̂"),
    (dict(swap=True), "γ and β are swapped"),
    (dict(axis=1), "that is layer normalization"),
    (dict(axis=None), "not one number for the whole array"),
])
def test_forward_mistakes_get_specific_hints(mistake, expected):
    msg = _message(checks.check_batchnorm_forward, lambda x, g, b, e: _bn(x, g, b, e, **mistake))
    assert msg.startswith("✗ batchnorm_forward: wrong values for y"), msg
    assert expected in msg, msg


def test_forward_wrong_shape():
    msg = _message(checks.check_batchnorm_forward, lambda x, g, b, e: _bn(x, g, b, e)[:, :1])
    assert "wrong shape for y" in msg


def _running(batches, rho, *, swap=False, ddof=0, start=(0.0, 1.0), first=False):
    d = batches[0].shape[1]
    m, v = np.full(d, start[0]), np.full(d, start[1])
    if first:
        m, v = batches[0].mean(0), batches[0].var(0)
    for b in batches:
        mb, vb = b.mean(0), b.var(0, ddof=ddof)
        a = 1 - rho if swap else rho
        m, v = a * m + (1 - a) * mb, a * v + (1 - a) * vb
    return m, v


@pytest.mark.parametrize("answer, expected", [
    (lambda bs, r: _running(bs, r, swap=True), "you swapped ρ and 1 − ρ"),
    (lambda bs, r: _running(bs, r, ddof=1), "biased batch variance"),
    (lambda bs, r: _running(bs, r, start=(0.0, 0.0)), "the running variance starts at 1"),
    (lambda bs, r: _running(bs, r, first=True), "not from the first batch's statistics"),
    (lambda bs, r: (bs[-1].mean(0), bs[-1].var(0)), "not the last batch's statistics"),
    (lambda bs, r: (np.concatenate(bs).mean(0), np.concatenate(bs).var(0)),
     "not the plain statistics of all the data"),
])
def test_running_statistics_mistakes_get_specific_hints(answer, expected):
    msg = _message(checks.check_running_statistics, answer)
    assert msg.startswith("✗ running_statistics: wrong values for running_"), msg
    assert expected in msg, msg


def test_running_statistics_must_return_a_pair():
    msg = _message(checks.check_running_statistics, lambda bs, r: np.zeros(2))
    assert "return a tuple (running_mean, running_var)" in msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_batchnorm_forward, checks.check_running_statistics):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
