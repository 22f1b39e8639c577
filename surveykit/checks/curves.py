"""Checkers for the §8.1–8.2 exercises (notebook 08.01): initial ranges and learning curves.

The references are :func:`surveykit.curves.turn_epoch` (the turn epoch of a validation
curve after a centred 3-epoch moving average) and :func:`surveykit.ranges.dimension`
(λ's §8.1 search dimension), so each is defined once.
"""

from __future__ import annotations

import numpy as np

from .. import curves, ranges
from .core import Check

__all__ = ["check_turn_epoch", "check_l2_dimension"]


def _turn_cases() -> list[tuple[str, np.ndarray]]:
    """Validation curves with a known turn epoch, and traps for the usual mistakes."""
    e = np.arange(1, 41, dtype=float)
    rng = np.random.default_rng(8)
    u_shape = 0.2 + 0.002 * (e - 15.0) ** 2                      # minimum at epoch 15
    noisy = u_shape + rng.normal(0.0, 0.02, e.size)               # smoothing matters
    # one low epoch (3) that smoothing discounts: the smoothed minimum is at epoch 8
    spike = np.array([1.0, 0.8, 0.2, 0.8, 0.7, 0.5, 0.4, 0.4, 0.45, 0.6, 0.7])
    decreasing = 1.0 * np.exp(-e / 10.0) + 0.1                    # never turns: the last epoch
    first_low = np.array([0.3, 0.5, 0.6, 0.7, 0.8])               # the minimum at the edge
    ties = np.array([1.0, 0.5, 0.5, 0.5, 0.5, 1.0])               # equal minima: the first
    return [("a U-shaped curve (minimum at epoch 15)", u_shape),
            ("a curve with a one-epoch dip", spike),
            ("a curve that keeps decreasing", decreasing),
            ("a curve lowest at epoch 1", first_low),
            ("a curve with equal smoothed minima", ties),
            ("a noisy U-shaped curve", noisy)]


def _turn_hint(got, val) -> str:
    exp = curves.turn_epoch(val, 3)
    v = np.asarray(val, float)
    raw = int(np.argmin(v)) + 1
    trailing = np.array([v[max(0, i - 2): i + 1].mean() for i in range(v.size)])
    if got == exp - 1:
        return "epochs are counted from 1: return argmin + 1."
    if got == raw and raw != exp:
        return ("that is the raw minimum; smooth the curve first with a centred average of "
                "3 epochs (the epoch and its two neighbours, fewer at the ends).")
    if got == int(np.argmin(trailing)) + 1:
        return ("that is a trailing average (the epoch and the two before it); the average "
                "is centred: the epoch before, the epoch itself and the epoch after.")
    if got == int(np.argmax(curves.smooth(v, 3))) + 1:
        return "that is the maximum; the turn is where the smoothed loss is lowest."
    return ("smooth with a centred 3-epoch moving average, then return the (1-based) epoch "
            "of its minimum, the first one on ties.")


def check_turn_epoch(fn) -> None:
    """Check ``fn(val)`` = the 1-based epoch where the 3-epoch centred moving average of
    the validation loss ``val`` is lowest (:func:`surveykit.curves.turn_epoch`)."""
    c = Check("turn_epoch")
    for case, val in _turn_cases():
        got = c.call(fn, val.copy(), case=case)
        c.count += 1
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
            try:
                as_float = float(got)
            except (TypeError, ValueError):
                as_float = None
            if as_float is None or not as_float.is_integer():
                c.fail(f"return an epoch number (an int); got {got!r} on {case}.")
            got = int(as_float)
        c.equal(f"turn epoch on {case}", int(got), curves.turn_epoch(val, 3),
                hint=_turn_hint(int(got), val))
    c.passed()


def check_l2_dimension(fn) -> None:
    """Check ``fn()`` = the search dimension of the L2 strength λ from survey §8.1: named
    ``"l2"``, log-uniform over [10⁻⁵, 10⁻²] (:func:`surveykit.ranges.dimension`)."""
    from ..tuning.space import Dimension, LogUniform, Uniform

    c = Check("l2_dimension")
    got = c.call(fn)
    expected = ranges.dimension("l2")
    c.count += 1
    if not isinstance(got, Dimension):
        c.fail(f"return a surveykit.tuning.space Dimension (e.g. LogUniform(name, low, high)); "
               f"got {type(got).__name__}.")
    c.equal("name of the dimension", got.name, expected.name,
            hint="name it 'l2', as MLPObjective and ranges.space call λ.")
    c.count += 1
    if isinstance(got, Uniform):
        c.fail("a Uniform dimension samples λ on a linear scale: 90 % of the samples would "
               "fall in the top decade [10⁻³, 10⁻²] and 0.09 % in [10⁻⁵, 10⁻⁴]. §8.1's tip: "
               "log-uniform sampling for continuous hyperparameters — use LogUniform.")
    if not isinstance(got, LogUniform):
        c.fail(f"λ is a continuous hyperparameter spanning three decades: use LogUniform; "
               f"got {got!r}.")
    rec = ranges.get("l2")
    c.close("bounds (low, high)", [got.low, got.high], [expected.low, expected.high],
            rtol=1e-12, hint=f"§8.1: 'Start with λ ∈ [10^-5, 10^-2]' — ranges.get('l2') has "
                             f"low={rec.low:g}, high={rec.high:g}.")
    rng = np.random.default_rng(0)
    u = rng.uniform(size=5)
    c.close("values at unit points", [got.from_unit(float(x)) for x in u],
            [expected.from_unit(float(x)) for x in u], rtol=1e-12)
    c.passed()
