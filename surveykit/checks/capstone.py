"""Checkers for the capstone's exercises (notebook 09.01).

* :func:`check_next_step` — the survey's next step for each learning-curve diagnosis of
  :func:`surveykit.curves.diagnose` (§8.2's interpretation guidelines, as
  :data:`NEXT_STEPS`);
* :func:`check_gain_interval` — the Welch interval of a difference of mean test losses,
  against :func:`surveykit.robustness.seed_difference` (one definition of the formula).
"""

from __future__ import annotations

import math

import numpy as np

from .. import robustness
from ..curves import KINDS
from .core import Check

__all__ = ["NEXT_STEPS", "check_next_step", "check_gain_interval"]

#: §8.2: underfitting ("high training and validation loss that decrease very slowly") asks
#: for more capacity or training; overfitting ("validation loss starts increasing") for
#: regularization or stopping at the turn; a good fit for tuning; a diverged run (§2, §7.1)
#: for a smaller learning rate.
NEXT_STEPS = {"underfitting": "add capacity", "overfitting": "regularize", "good fit": "tune",
              "diverged": "lower the learning rate"}

_WHY = {
    "underfitting": "both losses stay high: the model cannot fit even the training data, so "
                    "it needs more capacity (units, layers) or more training — regularizing "
                    "would make it worse.",
    "overfitting": "the training loss keeps falling while the validation loss rises: "
                   "regularize (dropout, weight decay) or stop early at the turn epoch.",
    "good fit": "both losses are low and close: the curves ask for nothing, so search the "
                "hyperparameters (in their right scales) for a better point.",
    "diverged": "the loss went to NaN/inf: the steps are too large — lower the learning rate.",
}


def check_next_step(fn) -> None:
    """Check ``fn(kind)`` returns :data:`NEXT_STEPS` [kind] for every diagnosis kind."""
    c = Check("next_step")
    assert set(NEXT_STEPS) == set(KINDS), "every diagnosis kind has a next step"
    for kind in KINDS:
        got = c.call(fn, kind, case=f"kind={kind!r}")
        if not isinstance(got, str):
            c.fail(f"return one of the four strings {sorted(set(NEXT_STEPS.values()))}; "
                   f"got {got!r} for kind={kind!r}.")
        c.equal(f"next step for {kind!r}", got.strip().lower(), NEXT_STEPS[kind],
                hint=_WHY[kind])
    c.passed()


_GAIN_CASES = [
    ([0.20, 0.22, 0.21], [0.12, 0.13, 0.125]),
    ([0.10, 0.14, 0.09, 0.12], [0.11, 0.10, 0.13]),
    ([1.0, 1.5], [0.4, 0.9, 0.5, 0.7, 0.6]),
]


def _gain_hint(got, a: np.ndarray, b: np.ndarray) -> str:
    diff = b.mean() - a.mean()
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    from scipy import stats

    pooled = stats.ttest_ind(b, a, equal_var=True).confidence_interval(0.95)
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = stats.t.ppf(0.975, dof) * se
    known = [
        ((-diff, -diff - half, -diff + half), "tuned minus default, not the other way round."),
        ((diff, diff - 1.96 * se, diff + 1.96 * se), "use the Student-t quantile at the "
                                                     "Welch degrees of freedom, not 1.96: "
                                                     "with 3 seeds a normal interval is far "
                                                     "too narrow."),
        ((diff, pooled.low, pooled.high), "that is the pooled (equal-variance) interval; "
                                          "Welch's keeps each group's own variance."),
    ]
    va0, vb0 = a.var() / a.size, b.var() / b.size
    dof0 = (va0 + vb0) ** 2 / (va0**2 / (a.size - 1) + vb0**2 / (b.size - 1))
    half0 = stats.t.ppf(0.975, dof0) * math.sqrt(va0 + vb0)
    known.append(((diff, diff - half0, diff + half0), "use the sample variance (ddof = 1)."))
    for values, hint in known:
        if all(math.isclose(g, v, rel_tol=1e-6, abs_tol=1e-12)
               for g, v in zip(got, values, strict=True)):
            return hint
    return ("difference = mean(tuned) − mean(default); half-width = t(0.975, ν)·√(s_a²/n_a + "
            "s_b²/n_b).")


def check_gain_interval(fn) -> None:
    """Check ``fn(default_losses, tuned_losses)`` = (mean difference tuned − default, low,
    high), the 95 % Welch interval — :func:`surveykit.robustness.seed_difference`."""
    c = Check("gain_interval")
    for a_list, b_list in _GAIN_CASES:
        case = f"default={a_list}, tuned={b_list}"
        got = c.call(fn, list(a_list), list(b_list), case=case)
        try:
            got = tuple(float(v) for v in got)
        except (TypeError, ValueError):
            c.fail(f"return three numbers (difference, low, high); got {got!r} on {case}.")
        c.equal(f"number of values returned on {case}", len(got), 3,
                hint="return a tuple (difference, low, high).")
        a, b = np.array(a_list), np.array(b_list)
        ref = robustness.seed_difference(
            robustness.SeedSpread(params={}, seeds=tuple(range(a.size)), values=a),
            robustness.SeedSpread(params={}, seeds=tuple(range(b.size)), values=b))
        c.close("(difference, low, high)", got, (ref.difference, *ref.ci), case=case,
                rtol=1e-6, atol=1e-12, hint=_gain_hint(got, a, b))
    c.passed()
