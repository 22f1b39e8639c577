"""Checker for the §6.2 exercise on grid search (notebook 06.01): every combination.

The reference is :meth:`surveykit.tuning.space.Space.grid` over categorical dimensions
holding the given values, so "a grid is the Cartesian product of the value lists" is
defined once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..tuning.space import Categorical, Space
from .core import Check

__all__ = ["check_grid_points", "reference_grid"]

_CASES = [
    {"learning_rate": [0.001, 0.01, 0.1], "batch_size": [16, 32, 64]},  # §6.2's example
    {"learning_rate": [1e-4, 1e-2], "dropout": [0.2, 0.5],
     "optimizer": ["adam", "sgd", "rmsprop"]},
    {"units": [8, 16, 32, 64]},
    {"learning_rate": [0.01], "batch_size": [32, 128]},
]


def reference_grid(values: Mapping) -> list[dict]:
    """Every combination of ``values`` ({name: list of values}), by ``Space.grid``."""
    space = Space([Categorical(name, vals) for name, vals in values.items()])
    return space.grid(1)


def _key(point: Mapping, names) -> tuple:
    return tuple(repr(point[n]) for n in names)


def _describe(values: Mapping) -> str:
    return " × ".join(f"{len(v)} {n}" for n, v in values.items())


def check_grid_points(fn) -> None:
    """Check ``fn(values) -> list of dicts``: every combination of the value lists once.

    Any order of the points is accepted; each point must be a dict with exactly the
    hyperparameters' names as keys.
    """
    c = Check("grid_points")
    for values in _CASES:
        names = list(values)
        case = f"values={values}"
        got = c.call(fn, {k: list(v) for k, v in values.items()}, case=case)
        expected = reference_grid(values)
        n_expected = math.prod(len(v) for v in values.values())
        c.count += 1
        try:
            points = list(got)
        except TypeError:
            c.fail(f"return a list of points (dicts); got {type(got).__name__} on {case}.")
        for p in points:
            if not isinstance(p, Mapping):
                c.fail(f"each point must be a dict {{name: value}}; got {p!r} on {case}.\n"
                       f"  Hint: dict(zip(names, combination)) turns a tuple into a point.")
            if set(p) != set(names):
                c.fail(f"each point must have exactly the keys {names}; got "
                       f"{sorted(p)} on {case}.")
        c.count += 1
        if len(points) != n_expected:
            hint = f"a grid takes every combination: {_describe(values)} = {n_expected} points."
            if len(points) == sum(len(v) for v in values.values()) and len(values) > 1:
                hint = ("you varied one hyperparameter at a time (that is §6.1's manual "
                        f"search); {hint}")
            elif len(points) == max(len(v) for v in values.values()) and len(values) > 1:
                hint = f"you paired the lists element by element (zip); {hint}"
            c.fail(f"wrong number of points on {case}.\n  Expected: {n_expected}\n"
                   f"  Got:      {len(points)}\n  Hint: {hint}")
        keys = [_key(p, names) for p in points]
        c.count += 1
        if len(set(keys)) != len(keys):
            dup = next(p for p, k in zip(points, keys, strict=True) if keys.count(k) > 1)
            c.fail(f"the point {dup} appears more than once on {case}; each combination "
                   "must appear exactly once.")
        wanted = {_key(p, names): p for p in expected}
        c.count += 1
        for p, k in zip(points, keys, strict=True):
            if k not in wanted:
                c.fail(f"the point {dict(p)} is not a combination of the given values on "
                       f"{case}.")
        missing = [p for k, p in wanted.items() if k not in set(keys)]
        if missing:
            c.fail(f"the combination {missing[0]} is missing on {case}.")
    c.passed()
