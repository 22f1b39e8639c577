"""Checkers of notebook 08.03's exercises: its own solutions pass, typical mistakes are named."""

import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks, tracking
from surveykit.checks import tracking as tracking_checks

NOTEBOOK = "08.03-Tracking-Experiments.ipynb"


@pytest.fixture(scope="module")
def ns():
    """Run the notebook's solution cells (only those) and return what they define."""
    return solution_namespace(NOTEBOOK)


def test_check_cells_call_these_checkers():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_runs_where(runs_where)",
        "sk.checks.check_best_test_accuracy(best_test_accuracy)"]


def test_notebook_solutions_pass(ns, capsys):
    checks.check_runs_where(ns["runs_where"])
    checks.check_best_test_accuracy(ns["best_test_accuracy"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ runs_where: all 3 checks passed.",
                   "✓ best_test_accuracy: all 6 checks passed."]


def test_the_check_data_separate_the_mistakes():
    """Each mistake the checkers name gives another answer than the right one."""
    runs = tracking_checks.where_runs()
    right = [r.number for r in tracking.filter_runs(
        runs, optimizer="adam", where=lambda r: r.final("val_loss") < 0.3)]
    assert right == [2, 5]
    best = tracking_checks.best_runs()
    assert tracking.best(best).number == 1
    assert tracking.best(best, "test_accuracy", mode="max").number == 3
    assert min(best, key=lambda r: min(r.history["val_loss"])).number == 2
    assert tracking.best(best, "loss").number == 0
    assert tracking.best(best, "val_accuracy", mode="max").number == 4


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


@pytest.mark.parametrize("wrong,hint", [
    (lambda runs, opt, t: [r.number for r in runs if r.params["optimizer"] == opt
                           and min(r.history["val_loss"]) < t],
     "you used the lowest validation loss over the epochs"),
    (lambda runs, opt, t: [r.number for r in runs if r.params["optimizer"] == opt
                           and r.final("val_loss") <= t], "use <"),
    (lambda runs, opt, t: [r.number for r in runs if r.final("val_loss") < t],
     "you kept runs of every optimizer"),
    (lambda runs, opt, t: [r.number for r in runs if r.params["optimizer"] == opt
                           and r.final("loss") < t], "you compared the training loss"),
    (lambda runs, opt, t: [r.number for r in runs if r.params["optimizer"] == opt][:1],
     "keep the runs whose params"),
])
def test_runs_where_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_runs_where, wrong)
    assert msg.startswith("✗ runs_where: wrong run numbers on optimizer='adam'")
    assert "Expected: [2, 5]" in msg and hint in msg


def test_runs_where_other_mistakes():
    msg = _message(checks.check_runs_where,
                   lambda runs, opt, t: [r for r in runs if r.params["optimizer"] == opt])
    assert "return the runs' numbers (r.number)" in msg
    msg = _message(checks.check_runs_where, lambda runs, opt, t: 3)
    assert "return a list of run numbers" in msg


def _final(metric):
    return lambda r: r.final(metric)


@pytest.mark.parametrize("wrong,hint", [
    (lambda runs: (lambda r: (r.number, r.test["accuracy"]))(
        max(runs, key=lambda r: r.test["accuracy"])), "the best *test* accuracy"),
    (lambda runs: (lambda r: (r.number, r.test["accuracy"]))(
        min(runs, key=lambda r: min(r.history["val_loss"]))), "lowest validation loss in any"),
    (lambda runs: (lambda r: (r.number, r.test["accuracy"]))(min(runs, key=_final("loss"))),
     "you chose by the training loss"),
    (lambda runs: (lambda r: (r.number, r.final("val_accuracy")))(
        min(runs, key=_final("val_loss"))), "that is the run's validation accuracy"),
])
def test_best_test_accuracy_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_best_test_accuracy, wrong)
    assert msg.startswith("✗ best_test_accuracy: wrong")
    assert hint in msg


def test_best_test_accuracy_by_validation_accuracy_is_named():
    def by_val_acc(runs):
        r = max(runs, key=_final("val_accuracy"))
        return r.number, r.test["accuracy"]

    msg = _message(checks.check_best_test_accuracy, by_val_acc)
    assert "you chose by validation accuracy" in msg


def test_best_test_accuracy_shape_mistakes():
    msg = _message(checks.check_best_test_accuracy,
                   lambda runs: min(runs, key=_final("val_loss")))
    assert "return a pair (run number, test accuracy)" in msg
    msg = _message(checks.check_best_test_accuracy,
                   lambda runs: (min(runs, key=_final("val_loss")), 0.93))
    assert "return the run's number (r.number), not the run" in msg


def test_unanswered_exercises_say_so():
    def unanswered(*args):
        raise NotImplementedError()

    for check in (checks.check_runs_where, checks.check_best_test_accuracy):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(unanswered)
