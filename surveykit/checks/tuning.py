"""Checkers for the §6.3–6.5 exercises (notebook 06.04): log-uniform sampling and one round
of successive halving.

The references are surveykit's own: :meth:`LogUniform.from_unit
<surveykit.tuning.space.LogUniform.from_unit>` (``value = low·(high/low)^u``) and
:func:`surveykit.tuning.adequate.successive_halving_round` (keep the best ``⌊n/η⌋``, at
least one, and multiply the budget by ``η``), so each formula is defined once.
"""

from __future__ import annotations

import math

import numpy as np

from ..tuning.adequate import successive_halving_round, survivors
from ..tuning.space import LogUniform
from .core import Check

__all__ = ["check_log_uniform", "check_successive_halving_round"]

_LOG_CASES = [(1e-5, 1e-1, u) for u in (0.0, 0.25, 0.5, 0.75, 1.0)] + [
    (1e-4, 1e-2, 0.3), (0.5, 8.0, 0.6), (2.0, 32.0, 0.9), (1e-6, 1e-2, 0.125)]


def _number(c: Check, got, case: str) -> float:
    try:
        value = float(np.asarray(got))
    except (TypeError, ValueError):
        c.fail(f"return one number (the hyperparameter's value); got {got!r} on {case}.")
    return value


def _mistakes(low: float, high: float, u: float) -> list[tuple[float, str]]:
    """The values the usual wrong formulas give at (low, high, u), with what to say."""
    ln, lg = math.log, math.log10
    out = [
        (high * (low / high) ** u, "u = 0 must give low and u = 1 give high: you swapped the "
                                   "bounds (that maps u to 1 − u)."),
        (low + u * (high - low), "that is uniform(low, high), a linear scale: between 1e-5 "
                                 "and 1e-1 it puts 90 % of the draws in the top decade. Map u "
                                 "linearly in log space: exp(log low + u·(log high − log low))."),
        (ln(low + u * (high - low)), "you drew uniformly and then took the log: the log of a "
                                     "uniform draw is neither log-uniform nor even a value in "
                                     "[low, high]. Draw uniformly in log space, then "
                                     "exponentiate."),
        (lg(low + u * (high - low)), "you drew uniformly and then took log10: draw uniformly in "
                                     "log space, then exponentiate."),
        (ln(low) + u * (ln(high) - ln(low)), "you returned the logarithm of the value: "
                                             "exponentiate it (math.exp)."),
        (lg(low) + u * (lg(high) - lg(low)), "you returned the log10 of the value: raise 10 to "
                                             "it."),
        (math.exp(lg(low) + u * (lg(high) - lg(low))), "you mixed bases: log10 of the bounds "
                                                       "but exp (base e) back. Use one base "
                                                       "both ways: 10**(…) with log10, or exp "
                                                       "with log."),
        (10 ** (ln(low) + u * (ln(high) - ln(low))), "you mixed bases: natural log of the "
                                                     "bounds but 10**(…) back. Use one base "
                                                     "both ways."),
        ((high / low) ** u, "you forgot the starting point: low·(high/low)^u."),
    ]
    try:
        out.append((10 ** (low + u * (high - low)), "the bounds are the values themselves, "
                                                    "not their exponents: take their logs "
                                                    "first."))
    except OverflowError:  # pragma: no cover
        pass
    return out


def _log_uniform_hint(results: list[tuple[float, float, float, float]]) -> str:
    """Name the mistake that explains *every* answer ``(low, high, u, got)`` (a single
    point can fit two mistakes: at u = 0 the log of a uniform draw is log low, too)."""
    candidates = None
    for low, high, u, got in results:
        fits = {hint for value, hint in _mistakes(low, high, u)
                if math.isfinite(value) and math.isclose(got, value, rel_tol=1e-6,
                                                         abs_tol=1e-15)}
        candidates = fits if candidates is None else candidates & fits
    for _, hint in _mistakes(*results[0][:3]):  # in the order of the list
        if candidates and hint in candidates:
            return hint
    return "value = low·(high/low)^u = exp(log low + u·(log high − log low))."


def check_log_uniform(fn) -> None:
    """Check ``fn(low, high, u)`` = the log-uniform(low, high) value at ``u`` ∈ [0, 1]:
    ``low·(high/low)^u`` (so ``u ~ U(0, 1)`` gives a log-uniform draw), on several ranges."""
    c = Check("log_uniform")
    results = []
    for low, high, u in _LOG_CASES:
        case = f"low={low:g}, high={high:g}, u={u:g}"
        results.append((low, high, u, _number(c, c.call(fn, low, high, u, case=case), case)))
    hint = None
    for low, high, u, got in results:
        case = f"low={low:g}, high={high:g}, u={u:g}"
        right = LogUniform("x", low, high).from_unit(u)
        if hint is None and not math.isclose(got, right, rel_tol=1e-6) and math.isfinite(got):
            hint = _log_uniform_hint(results)
        c.close("the value", got, right, case=case, rtol=1e-6, atol=0.0,
                hint=hint if math.isfinite(got) else
                "the value must be a finite number in [low, high].")
    # the share of each decade, the point of the exercise (§7.4): equal shares
    u = np.random.default_rng(0).uniform(size=4000)
    draws = np.array([_number(c, c.call(fn, 1e-5, 1e-1, float(x)), "u ~ U(0, 1)") for x in u])
    if np.any(~(draws > 0)):
        c.fail("with u ~ U(0, 1) some values were not positive numbers; every value of "
               "log-uniform(1e-5, 1e-1) lies in [1e-5, 1e-1].")
    shares = np.histogram(np.log10(draws), bins=[-5, -4, -3, -2, -1])[0] / draws.size
    c.count += 1
    if np.any(np.abs(shares - 0.25) > 0.04):  # 0.04 ≈ 6 standard errors of a share
        c.fail(f"4000 draws with u ~ U(0, 1) do not give each decade of [1e-5, 1e-1] a quarter "
               f"of the draws: shares {np.round(shares, 3).tolist()}.")
    c.passed()


_SH_CASES = [  # (configs, losses, budget, eta)
    (list("abcdefghi"), [0.52, 0.31, 0.77, 0.29, 0.64, 0.45, 0.58, 0.33, 0.91], 1.0, 3),
    (list("abcdefghij"), [0.9, 0.2, 0.5, 0.6, 0.1, 0.8, 0.3, 0.7, 0.4, 0.65], 3.0, 3),
    ([f"cfg{i}" for i in range(8)], [1.3, 0.4, 2.2, 0.9, 0.2, 1.7, 0.8, 1.1], 5.0, 2),
    (["small", "large"], [0.35, 0.3], 27.0, 3),
    ([f"c{i}" for i in range(27)],
     np.random.default_rng(5).permutation(np.linspace(0.1, 1.0, 27)).tolist(), 1.0, 3),
]


def _sh_hint(configs, losses, budget, eta, kept, new_budget) -> str:
    n = len(configs)
    keep = survivors(n, eta)
    order = list(np.argsort(losses, kind="stable"))
    worst_first = [configs[i] for i in order[::-1]]
    if kept is not None:
        k = len(kept)
        if k and set(map(str, kept)) == set(map(str, worst_first[:k])) and k < n:
            return ("you kept the configurations with the *highest* loss: a validation loss "
                    "is minimised, so keep the lowest (np.argsort(losses)[:k]).")
        if k != keep:
            if k == math.ceil(n / eta) and k != keep:
                return (f"you kept ⌈n/η⌉ = {k}; this round keeps ⌊n/η⌋ = {keep} (Li et al.'s "
                        "rule), and at least one.")
            if k == 0:
                return "keep at least one configuration, even when n < η."
            if k == n - n // eta:
                return (f"you dropped 1/η of them; successive halving *keeps* 1/η: "
                        f"⌊{n}/{eta}⌋ = {keep}.")
            return f"keep ⌊n/η⌋ = ⌊{n}/{eta}⌋ = {keep} configurations (at least one)."
        if all(isinstance(x, (int, np.integer)) for x in kept) and not isinstance(
                configs[0], (int, np.integer)):
            return "return the configurations themselves, not their indices."
        best = [configs[i] for i in order[:keep]]
        if set(map(str, kept)) == set(map(str, best)):
            return "those are the right configurations; return them best first."
    if new_budget is not None and not math.isclose(new_budget, budget * eta):
        if math.isclose(new_budget, budget / eta):
            return "the survivors get *more* budget: multiply it by η, do not divide."
        if math.isclose(new_budget, budget + eta):
            return "the budget grows geometrically: multiply by η, do not add it."
        if math.isclose(new_budget, budget):
            return "give the survivors η times the budget."
    return ("keep the ⌊n/η⌋ (at least one) configurations with the lowest loss, best first, "
            "and multiply the budget by η.")


def check_successive_halving_round(fn) -> None:
    """Check ``fn(configs, losses, budget, eta) -> (kept, new_budget)``: the ``⌊n/η⌋``
    configurations with the lowest loss (at least one), best first, and ``budget·η``."""
    c = Check("successive_halving_round")
    for configs, losses, budget, eta in _SH_CASES:
        case = f"n={len(configs)}, eta={eta}, budget={budget:g}"
        got = c.call(fn, list(configs), list(losses), budget, eta, case=case)
        c.count += 1
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            c.fail(f"return a pair (kept configurations, new budget); got {got!r} on {case}.")
        kept, new_budget = got
        try:
            kept = list(kept)
        except TypeError:
            c.fail(f"the kept configurations must be a list; got {kept!r} on {case}.")
        expected, expected_budget = successive_halving_round(configs, losses, budget, eta)
        c.count += 1
        if [str(x) for x in kept] != [str(x) for x in expected]:
            c.fail(f"wrong configurations kept on {case}.\n  Expected: {expected}\n"
                   f"  Got:      {kept}\n  Hint: "
                   + _sh_hint(configs, losses, budget, eta, kept, None))
        nb = _number(c, new_budget, case)
        c.count += 1
        if not math.isclose(nb, expected_budget, rel_tol=1e-9):
            c.fail(f"wrong new budget on {case}.\n  Expected: {expected_budget:g}\n"
                   f"  Got:      {nb:g}\n  Hint: "
                   + _sh_hint(configs, losses, budget, eta, None, nb))
    c.passed()
