"""One place for validating hyperparameters.

Every constructor and public function in surveykit checks its hyperparameters here,
so that bad input always gives the same kind of message: a ``ValueError`` that names
the hyperparameter, the value given and the valid range, e.g.::

    ValueError: learning_rate must be in (0, inf); got -0.1
"""

from __future__ import annotations

import math
import numbers

__all__ = ["check_range", "check_int", "check_choice", "check_increasing"]


def _fmt_interval(low: float, high: float, low_closed: bool, high_closed: bool) -> str:
    left = "[" if low_closed else "("
    right = "]" if high_closed else ")"
    lo = "-inf" if low == -math.inf else f"{low:g}"
    hi = "inf" if high == math.inf else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def check_range(
    name: str,
    value,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_closed: bool = True,
    high_closed: bool = True,
) -> float:
    """Return ``value`` as a float if it is a finite real number in the interval.

    ``low_closed``/``high_closed`` say whether the bounds themselves are allowed.
    Infinite bounds are always open.
    """
    interval = _fmt_interval(low, high, low_closed and low != -math.inf,
                             high_closed and high != math.inf)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number in {interval}; got {value!r}")
    v = float(value)
    if math.isnan(v):
        raise ValueError(f"{name} must be in {interval}; got nan")
    too_low = v < low or (v == low and not low_closed) or v == -math.inf
    too_high = v > high or (v == high and not high_closed) or v == math.inf
    if too_low or too_high:
        raise ValueError(f"{name} must be in {interval}; got {value!r}")
    return v


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer in ``[low, high]`` (either may be None)."""
    lo = "-inf" if low is None else str(low)
    hi = "inf" if high is None else str(high)
    interval = f"{'(' if low is None else '['}{lo}, {hi}{')' if high is None else ']'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer in {interval}; got {value!r}")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        raise ValueError(f"{name} must be an integer in {interval}; got {value!r}")
    return v


def check_choice(name: str, value, choices) -> object:
    """Return ``value`` if it is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {value!r}")
    return value


def check_increasing(name: str, values, *, strict: bool = True) -> list:
    """Return ``values`` as a list if it is (strictly) increasing."""
    values = list(values)
    for i, (a, b) in enumerate(zip(values, values[1:], strict=False)):
        if (b <= a) if strict else (b < a):
            kind = "strictly increasing" if strict else "non-decreasing"
            raise ValueError(
                f"{name} must be {kind}; got {values!r} (element {i + 1} is {b!r} after {a!r})"
            )
    return values
