"""Checker for the early-stopping exercise of notebook 04.04 (survey §4.4).

The reference is :func:`surveykit.regularization.early_stopping` (Keras' rule), imported
when a check runs so that ``import surveykit.checks`` stays free of TensorFlow.
"""

from __future__ import annotations

from .core import Check

__all__ = ["check_patience_rule"]

# (case, validation losses, patience)
_CASES = [
    ("a U-shaped validation loss with patience 2",
     [1.0, 0.8, 0.6, 0.5, 0.55, 0.7, 0.9, 1.2, 1.5], 2),
    ("a plateau of equal values with patience 3", [1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 3),
    ("an improvement that comes back within the patience (3)",
     [1.0, 0.9, 0.95, 0.97, 0.85, 0.9, 0.9, 0.9, 0.9, 0.9], 3),
    ("patience 0", [1.0, 0.75, 0.8, 0.5, 0.4], 0),
    ("a loss that keeps falling (patience 2)", [1.0, 0.8, 0.6, 0.5, 0.45], 2),
    ("a noisy run of 30 epochs with patience 5",
     [0.9, 0.7, 0.62, 0.6, 0.58, 0.59, 0.57, 0.575, 0.58, 0.6, 0.56, 0.61, 0.62, 0.6, 0.64,
      0.66, 0.65, 0.7, 0.72, 0.71, 0.75, 0.8, 0.78, 0.82, 0.85, 0.9, 0.88, 0.95, 1.0, 1.1], 5),
]


def _expected(values, patience):
    from ..regularization import early_stopping

    r = early_stopping(values, patience=patience, mode="min")
    return r.stopped_epoch, r.best_epoch


def _variant(values, patience, *, strict=True, reset=True):
    """The rule with one typical mistake: ties count as improvements (strict=False), or
    the wait counter is never reset after an improvement (reset=False)."""
    best, best_epoch, wait = None, None, 0
    for epoch, v in enumerate(values):
        wait += 1
        if best is None or (v < best if strict else v <= best):
            best, best_epoch = v, epoch
            if reset or epoch == 0:
                wait = 0
        elif wait >= patience:
            return epoch, best_epoch
    return None, best_epoch


def _hint(case, values, patience, got, expected) -> str:
    stop, best = expected
    got_stop, got_best = got
    if stop is not None and got == (stop + 1, best + 1):
        return ("epochs are 0-based indices (the first epoch is 0), as in Keras' "
                "stopped_epoch and best_epoch.")
    if got == _variant(values, patience, strict=False):
        return ("an equal value is not an improvement: the loss must be strictly lower "
                "than the best so far (use <, not <=).")
    if got == _variant(values, patience, reset=False):
        return ("reset the wait counter to 0 whenever the loss improves: the patience "
                "counts the epochs since the *last* improvement.")
    if stop is None:
        return ("when the patience is never exhausted, training runs to the end: return "
                "None as the stop epoch (not the last epoch).")
    if got_stop is None:
        return ("training must stop at the first epoch where the number of epochs since the "
                "last improvement reaches the patience.")
    if patience == 0 and got_stop == best:
        return ("with patience 0 training stops at the first epoch *without* improvement, "
                "after the best epoch, not at the best epoch itself.")
    if got_stop in (stop - 1, stop + 1):
        return ("off by one: count the epochs since the last improvement after each epoch "
                "(wait += 1, reset to 0 on an improvement) and stop as soon as "
                "wait >= patience, at that epoch.")
    return ("keep the best loss and its epoch; after every epoch: wait += 1; if the loss "
            "is below the best, update the best and set wait = 0; otherwise stop when "
            "wait >= patience.")


def check_patience_rule(fn) -> None:
    """Check ``fn(val_losses, patience)`` → ``(stop_epoch, best_epoch)``, Keras' rule (§4.4)."""
    c = Check("patience_rule")
    for case, values, patience in _CASES:
        result = c.call(fn, list(values), patience, case=case)
        if not (isinstance(result, tuple) and len(result) == 2):
            c.fail(f"return a tuple (stop_epoch, best_epoch); got {result!r} on {case}.")
        got = tuple(None if v is None else int(v) for v in result)
        expected = _expected(values, patience)
        c.equal(f"(stop_epoch, best_epoch) on {case} (losses {values})", got, expected,
                hint=_hint(case, values, patience, got, expected))
    c.passed()
