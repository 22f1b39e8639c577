"""The early-stopping exercise of notebook 04.04: its solution passes, mistakes are named."""

import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks

NOTEBOOK = "04.04-Early-Stopping.ipynb"


@pytest.fixture(scope="module")
def ns():
    return solution_namespace(NOTEBOOK)


def _message(answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        checks.check_patience_rule(answer)
    return str(err.value)


def test_notebook_solution_passes(ns, capsys):
    checks.check_patience_rule(ns["patience_rule"])
    assert capsys.readouterr().out.strip() == "✓ patience_rule: all 6 checks passed."


def test_check_cell_follows_the_solution():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [c.source.strip() for _, c in pairs] == [
        "sk.checks.check_patience_rule(patience_rule)"]


def _rule(*, strict=True, reset=True, offset=0, stop_offset=0, last_instead_of_none=False):
    """The solution's rule with one typical mistake switched on."""

    def rule(values, patience):
        best, best_epoch, wait = None, None, 0
        for epoch, v in enumerate(values):
            wait += 1
            better = best is None or (v < best if strict else v <= best)
            if better:
                best, best_epoch = v, epoch
                if reset or epoch == 0:
                    wait = 0
            elif wait >= patience:
                return epoch + offset + stop_offset, best_epoch + offset
        return (len(values) - 1 if last_instead_of_none else None), best_epoch + offset

    return rule


@pytest.mark.parametrize("mistake, expected", [
    (dict(offset=1), "epochs are 0-based"),
    (dict(strict=False), "an equal value is not an improvement"),
    (dict(last_instead_of_none=True), "return None as the stop epoch"),
    (dict(stop_offset=1), "off by one"),
    (dict(reset=False), "reset the wait counter"),
])
def test_typical_mistakes_get_specific_hints(mistake, expected):
    msg = _message(_rule(**mistake))
    assert msg.startswith("✗ patience_rule: wrong (stop_epoch, best_epoch)"), msg
    assert expected in msg, msg
    assert "Expected:" in msg and "Got:" in msg


def test_stopping_at_the_best_epoch_with_patience_zero():
    def rule(values, patience):
        stop, best = _rule()(values, patience)
        return (best if patience == 0 and stop is not None else stop), best

    assert "not at the best epoch itself" in _message(rule)


def test_wrong_return_type_and_exceptions():
    assert "return a tuple (stop_epoch, best_epoch)" in _message(lambda v, p: 3)
    assert "your function raised ZeroDivisionError" in _message(lambda v, p: 1 / 0)


def test_unanswered_says_so():
    def todo(values, patience):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="not answered yet"):
        checks.check_patience_rule(todo)
