"""Checkers for the §8.3 exercises on tracked runs (notebook 08.03).

The references are :func:`surveykit.tracking.filter_runs` and
:func:`surveykit.tracking.best` with :meth:`~surveykit.tracking.TrackedRun.final`, so
"the final validation loss" and "the best run" are defined once. The learner's function
is called on small constructed logs in which each usual mistake gives another answer.
"""

from __future__ import annotations

import math

from .. import tracking
from ..tracking import TrackedRun
from .core import Check

__all__ = ["check_runs_where", "check_best_test_accuracy"]


def _run(number, optimizer, val, loss, test_acc=0.9, val_acc=None, lr=0.01) -> TrackedRun:
    n = len(val)
    train = [loss + 0.1 * (n - 1 - i) for i in range(n)]
    val_acc = [0.9] * n if val_acc is None else [val_acc] * n
    return TrackedRun(number=number, study="experiments",
                      params={"learning_rate": lr, "optimizer": optimizer},
                      history={"loss": train, "val_loss": list(val),
                               "accuracy": [0.9] * n, "val_accuracy": val_acc},
                      test={"loss": val[-1] + 0.02, "accuracy": test_acc}, value=val[-1])


def where_runs() -> list[TrackedRun]:
    """The log the filter exercise is checked on: run 0's validation loss dips below the
    threshold in epoch 2 but ends above it, run 3 ends exactly at it, run 1 is SGD."""
    return [_run(0, "adam", [0.5, 0.2, 0.35], 0.5),
            _run(1, "sgd", [0.4, 0.2], 0.3),
            _run(2, "adam", [0.6, 0.25], 0.4),
            _run(3, "adam", [0.3, 0.3], 0.1),
            _run(4, "rmsprop", [0.3, 0.1], 0.2),
            _run(5, "adam", [0.9, 0.1, 0.28], 0.5),
            _run(6, "sgd", [0.7, 0.45], 0.35),
            _run(7, "sgd", [0.8, 0.6], 0.2)]


def _where_reference(runs, optimizer, max_val_loss) -> list[int]:
    return [r.number for r in tracking.filter_runs(
        runs, optimizer=optimizer, where=lambda r: r.final("val_loss") < max_val_loss)]


def _where_hint(got, runs, optimizer, max_val_loss) -> str:
    variants = [
        ([r.number for r in runs if r.params["optimizer"] == optimizer
          and min(r.history["val_loss"]) < max_val_loss],
         "you used the lowest validation loss over the epochs; the run's result is its "
         "final validation loss, r.final(\"val_loss\") (the last epoch's)."),
        ([r.number for r in runs if r.params["optimizer"] == optimizer
          and r.final("val_loss") <= max_val_loss],
         "a run whose final validation loss equals the threshold is not below it: use <."),
        ([r.number for r in runs if r.final("val_loss") < max_val_loss],
         "you kept runs of every optimizer; keep only r.params[\"optimizer\"] == optimizer."),
        ([r.number for r in runs if r.params["optimizer"] == optimizer
          and r.final("loss") < max_val_loss],
         "you compared the training loss; the condition is on the validation loss, "
         "\"val_loss\"."),
    ]
    for numbers, hint in variants:
        if got == numbers and numbers != _where_reference(runs, optimizer, max_val_loss):
            return hint
    return ("keep the runs whose params[\"optimizer\"] equals optimizer and whose final "
            "validation loss r.final(\"val_loss\") is below max_val_loss, in the order given.")


def check_runs_where(fn) -> None:
    """Check ``fn(runs, optimizer, max_val_loss)`` → the numbers of the runs trained with
    ``optimizer`` whose final validation loss is below ``max_val_loss``, in order."""
    c = Check("runs_where")
    runs = where_runs()
    for optimizer, threshold in [("adam", 0.3), ("sgd", 0.5), ("rmsprop", 0.05)]:
        case = f"optimizer={optimizer!r}, max_val_loss={threshold}"
        got = c.call(fn, list(runs), optimizer, threshold, case=case)
        if isinstance(got, (list, tuple)) and got and all(isinstance(g, TrackedRun) for g in got):
            c.fail(f"return the runs' numbers (r.number), not the runs themselves, on {case}.")
        try:
            numbers = [int(g) for g in got]
        except (TypeError, ValueError):
            c.fail(f"return a list of run numbers; got {got!r} on {case}.")
        expected = _where_reference(runs, optimizer, threshold)
        c.equal(f"run numbers on {case}", numbers, expected,
                hint=_where_hint(numbers, runs, optimizer, threshold))
    c.passed()


def best_runs() -> list[TrackedRun]:
    """The log the best-run exercise is checked on: run 1 has the lowest final validation
    loss; run 2 the lowest validation loss in some epoch; run 3 the best test accuracy;
    run 0 the lowest training loss; run 4 the best validation accuracy."""
    return [_run(0, "adam", [0.5, 0.3], 0.05, test_acc=0.90, val_acc=0.91),
            _run(1, "adam", [0.4, 0.22, 0.25], 0.2, test_acc=0.93, val_acc=0.95),
            _run(2, "sgd", [0.5, 0.1, 0.4], 0.3, test_acc=0.92, val_acc=0.97),
            _run(3, "sgd", [0.6, 0.35], 0.25, test_acc=0.97, val_acc=0.90),
            _run(4, "adam", [0.7, 0.45], 0.4, test_acc=0.91, val_acc=0.98)]


def check_best_test_accuracy(fn) -> None:
    """Check ``fn(runs)`` → ``(number, test accuracy)`` of the run with the lowest final
    validation loss (chosen by validation, reported on test: survey §7.3, §8.3)."""
    c = Check("best_test_accuracy")
    base = best_runs()
    for case, runs in [("five runs", base), ("the same runs in reverse order", base[::-1]),
                       ("run 1 left out", [base[0], base[2], base[3], base[4]])]:
        got = c.call(fn, list(runs), case=case)
        if not (isinstance(got, tuple) and len(got) == 2):
            c.fail(f"return a pair (run number, test accuracy); got {got!r} on {case}.")
        number, acc = got
        if isinstance(number, TrackedRun):
            c.fail(f"return the run's number (r.number), not the run, on {case}.")
        winner = tracking.best(runs, "val_loss")
        expected = (winner.number, winner.test["accuracy"])
        hint = "choose by r.final(\"val_loss\") (lowest), then report r.test[\"accuracy\"]."
        by = {
            "test": tracking.best(runs, "test_accuracy", mode="max"),
            "min val": min(runs, key=lambda r: min(r.history["val_loss"])),
            "train": tracking.best(runs, "loss"),
            "val acc": tracking.best(runs, "val_accuracy", mode="max"),
        }
        if number == by["test"].number != winner.number:
            hint = ("you chose the run with the best *test* accuracy. The test set must play "
                    "no part in the choice (survey §7.3): choose by validation loss, then "
                    "report that run's test accuracy.")
        elif number == by["min val"].number != winner.number:
            hint = ("you chose by the lowest validation loss in any epoch; a run's result is "
                    "its final validation loss, r.final(\"val_loss\").")
        elif number == by["train"].number != winner.number:
            hint = "you chose by the training loss; choose by the validation loss, \"val_loss\"."
        elif number == by["val acc"].number != winner.number:
            hint = ("you chose by validation accuracy; the exercise asks for the lowest "
                    "validation loss.")
        elif number == winner.number and isinstance(acc, (int, float)) and math.isclose(
                float(acc), winner.final("val_accuracy")):
            hint = ("that is the run's validation accuracy; report its test accuracy, "
                    "r.test[\"accuracy\"].")
        c.equal(f"run number on {case}", number, expected[0], hint=hint)
        c.close(f"test accuracy on {case}", acc, expected[1], hint=hint)
    c.passed()
