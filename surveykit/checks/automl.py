"""Checker for the §6.7 exercise (notebook 06.07): a surveykit dimension in Optuna's terms.

The reference is :func:`surveykit.tuning.automl.optuna_distribution`, the translation the
notebook's searches use, so the mapping is defined once.
"""

from __future__ import annotations

import math

from ..tuning import automl
from ..tuning.space import Categorical, Integer, LogUniform, Uniform
from .core import Check

__all__ = ["check_optuna_distribution"]

_CASES = [
    LogUniform("learning_rate", 1e-5, 1e-1),
    Uniform("dropout", 0.2, 0.5),
    Integer("units", 4, 64, log=True),
    Integer("n_layers", 1, 3),
    Categorical("optimizer", ["adam", "sgd", "momentum", "rmsprop"]),
]


def _describe(dist) -> str:
    return f"{type(dist).__name__}({', '.join(f'{k}={v!r}' for k, v in vars(dist).items())})"


def _hint(dim, got) -> str:
    """Name the usual mistake behind a wrong translation of ``dim``."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if isinstance(dim, Categorical):
        if not isinstance(got, CategoricalDistribution):
            return ("an unordered choice is a CategoricalDistribution(dim.choices); numeric "
                    "distributions would make Optuna treat the choices as ordered numbers.")
        return "pass the dimension's choices, all of them, in their order: dim.choices."
    if isinstance(dim, Integer) and not isinstance(got, IntDistribution):
        return ("an Integer dimension is an IntDistribution, so that Optuna proposes whole "
                "numbers (a FloatDistribution would propose 12.7 units).")
    if isinstance(dim, (Uniform, LogUniform)) and not isinstance(got, FloatDistribution):
        return "a real-valued dimension is a FloatDistribution(low, high, log=…)."
    low, high, log = got.low, got.high, got.log
    if (low, high) != (dim.low, dim.high):
        if math.isclose(low, math.log10(dim.low)) or math.isclose(low, math.log(dim.low)):
            return ("give the bounds as the hyperparameter's own values (dim.low, dim.high); "
                    "with log=True Optuna takes the logarithm itself.")
        return f"the bounds are the dimension's: low={dim.low!r}, high={dim.high!r}."
    if dim.scale == "log" and not log:
        share = ""
        if isinstance(dim, LogUniform):
            above = (dim.high - dim.high / 10) / (dim.high - dim.low)
            share = (f" — without it {above:.0%} of the draws would land in the top decade "
                     f"[{dim.high / 10:g}, {dim.high:g}]")
        return f"{dim.name} is on a log scale: pass log=True{share} (survey §7.4)."
    if dim.scale != "log" and log:
        return f"{dim.name} is on a linear scale: leave log=False."
    return "compare with surveykit.tuning.automl's table of translations."


def check_optuna_distribution(fn) -> None:
    """Check ``fn(dim)`` returns the Optuna distribution of a surveykit dimension, equal to
    :func:`~surveykit.tuning.automl.optuna_distribution` for a log-uniform, a uniform, a
    log-scale integer, a linear integer and a categorical dimension."""
    from optuna.distributions import BaseDistribution

    c = Check("optuna_distribution")
    for dim in _CASES:
        case = repr(dim)
        got = c.call(fn, dim, case=case)
        expected = automl.optuna_distribution(dim)
        c.count += 1
        if not isinstance(got, BaseDistribution):
            c.fail(f"return an Optuna distribution (FloatDistribution, IntDistribution or "
                   f"CategoricalDistribution from optuna.distributions); got {got!r} on "
                   f"{case}.")
        if got != expected:
            c.fail(f"wrong distribution for {case}.\n  Expected: {_describe(expected)}\n"
                   f"  Got:      {_describe(got)}\n  Hint: {_hint(dim, got)}")
    c.passed()
