"""The machinery behind every exercise check cell.

A checker calls the learner's function on a few cases, compares each result with
surveykit's reference implementation, and either prints one clear "✓" line or raises
:class:`CheckFailed` (an AssertionError, so nbgrader's autograder counts it as a failed
test) whose message says what was wrong, what was expected and what was received, with
a hint. An unanswered exercise (``raise NotImplementedError()`` still in place) raises
NotImplementedError with a message saying so, so a learner knows it is not a bug.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CheckFailed", "Check"]


class CheckFailed(AssertionError):
    """An exercise check found a wrong answer; the message says what and why."""


def _short(value, limit: int = 300) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=12)
    else:
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


class Check:
    """Collects the checks of one exercise.

    Usage inside a checker::

        c = Check("sigmoid_neuron")
        out = c.call(fn, X, w, b, case="two points")
        c.shape("the output", out, (2,))
        c.close("the output", out, expected, hint="…")
        c.passed()
    """

    def __init__(self, exercise: str):
        self.exercise = exercise
        self.count = 0

    def fail(self, message: str) -> None:
        raise CheckFailed(f"✗ {self.exercise}: {message}")

    def unanswered(self) -> None:
        raise NotImplementedError(
            f"{self.exercise}: this exercise is not answered yet — replace "
            "`raise NotImplementedError()` with your code, then run this cell again."
        )

    def call(self, fn, *args, case: str = "", **kwargs):
        """Call the learner's function; turn its exceptions into clear messages."""
        where = f" on {case}" if case else ""
        if not callable(fn):
            self.fail(f"expected a function, got {type(fn).__name__}.")
        try:
            return fn(*args, **kwargs)
        except NotImplementedError:
            pass  # raised below, outside the except block, so no chained traceback
        except Exception as exc:  # the learner's traceback stays chained for debugging
            self.fail(f"your function raised {type(exc).__name__}: {exc}{where}.")
        self.unanswered()

    def shape(self, what: str, got, shape: tuple, case: str = "") -> None:
        self.count += 1
        where = f" on {case}" if case else ""
        got_shape = np.shape(got)
        if tuple(got_shape) != tuple(shape):
            self.fail(f"wrong shape for {what}{where}. Expected shape {tuple(shape)}, "
                      f"got {tuple(got_shape)}.")

    def close(self, what: str, got, expected, *, case: str = "", hint: str = "",
              rtol: float = 1e-6, atol: float = 1e-9) -> None:
        self.count += 1
        where = f" on {case}" if case else ""
        try:
            got_arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            self.fail(f"{what}{where} should be numeric; got {_short(got)}.")
        exp_arr = np.asarray(expected, dtype=float)
        if got_arr.shape != exp_arr.shape:
            self.fail(f"wrong shape for {what}{where}. Expected shape {exp_arr.shape}, "
                      f"got {got_arr.shape}.")
        if not np.all(np.isfinite(got_arr)):
            self.fail(f"{what}{where} contains NaN or inf: {_short(got_arr)}."
                      + (f" Hint: {hint}" if hint else ""))
        if not np.allclose(got_arr, exp_arr, rtol=rtol, atol=atol):
            self.fail(f"wrong values for {what}{where}.\n  Expected: {_short(exp_arr)}\n"
                      f"  Got:      {_short(got_arr)}" + (f"\n  Hint: {hint}" if hint else ""))

    def equal(self, what: str, got, expected, *, hint: str = "") -> None:
        self.count += 1
        if got != expected:
            self.fail(f"wrong {what}.\n  Expected: {_short(expected)}\n  Got:      {_short(got)}"
                      + (f"\n  Hint: {hint}" if hint else ""))

    def passed(self) -> None:
        print(f"✓ {self.exercise}: all {self.count} checks passed.")
