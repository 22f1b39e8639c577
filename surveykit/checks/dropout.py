"""Checkers for the exercises of notebook 04.03 (dropout, survey §4.3).

They compare the learner's answer with :mod:`surveykit.regularization.dropout`; the
statistical check of a random mask uses the standard error of its mean (n draws of a
Bernoulli(1 − p): √(p(1 − p)/n)) with a 5-standard-error tolerance.
"""

from __future__ import annotations

import numpy as np

from .core import Check

# The references are imported inside each checker: surveykit.regularization imports Keras,
# and importing sk.checks must stay cheap for notebooks that do not use TensorFlow.

__all__ = ["check_keep_mask", "check_survey_dropout"]

_Z = 5.0


def check_keep_mask(fn) -> None:
    """Check ``fn(shape, p, rng)`` → a 0/1 (or boolean) keep-mask with m_i ~ Bernoulli(1 − p)."""
    c = Check("keep_mask")
    for p, shape in ((0.3, (200, 500)), (0.8, (100_000,)), (0.0, (3, 4))):
        case = f"shape {shape}, p = {p}"
        mask = c.call(fn, shape, p, np.random.default_rng(0), case=case)
        c.shape("the mask", mask, shape, case=case)
        values = np.unique(np.asarray(mask))
        if not np.all(np.isin(values.astype(float), (0.0, 1.0))):
            c.fail(f"the mask on {case} must hold only 0/1 (or False/True) values; got values "
                   f"such as {values[:5]}. Hint: compare uniform draws with p.")
        kept = float(np.mean(mask))
        n = int(np.prod(shape))
        tolerance = _Z * np.sqrt(p * (1 - p) / n)
        c.count += 1
        if abs(kept - (1 - p)) > tolerance:
            hint = ("each unit must be *kept* with probability 1 − p (and dropped with "
                    "probability p), e.g. rng.random(shape) >= p.")
            if p not in (0.0, 0.5) and abs(kept - p) <= _Z * np.sqrt(p * (1 - p) / n):
                hint = ("your mask keeps a fraction p of the units: it is the *drop* mask. "
                        "m_i = 1 means kept, with probability 1 − p.")
            c.fail(f"wrong fraction of kept units on {case}: expected 1 − p = {1 - p:.3f} "
                   f"(± {tolerance:.4f}, 5 standard errors for {n} draws), got {kept:.4f}.\n"
                   f"  Hint: {hint}")
    a = c.call(fn, (50,), 0.5, np.random.default_rng(1), case="a repeated seed")
    b = c.call(fn, (50,), 0.5, np.random.default_rng(1), case="a repeated seed")
    c.count += 1
    if not np.array_equal(np.asarray(a), np.asarray(b)):
        c.fail("two generators with the same seed gave different masks. Hint: draw from the "
               "`rng` argument (rng.random(shape)), not from np.random's global state.")
    c.passed()


def check_survey_dropout(fn) -> None:
    """Check ``fn(h, p, mask, training)``: h·m in training, (1 − p)·h at inference (§4.3)."""
    from ..regularization import dropout, dropout_mask, inverted_dropout

    c = Check("survey_dropout")
    rng = np.random.default_rng(6)
    h = rng.uniform(0.1, 2.0, size=(4, 6))
    for p in (0.5, 0.2):
        mask = dropout_mask(h.shape, p, rng=rng)
        mask[0, 0], mask[0, 1] = True, False  # at least one kept and one dropped unit
        case = f"training, p = {p}"
        got = c.call(fn, h.copy(), p, mask.copy(), True, case=case)
        expected = dropout(h, p, training=True, mask=mask)
        g = np.asarray(got, dtype=float) if np.shape(got) == h.shape else None
        hint = "in training multiply each unit by its mask entry: h̃ = h·m (0 for dropped units)."
        if g is not None:
            if np.allclose(g, inverted_dropout(h, p, training=True, mask=mask)):
                hint = ("you divided by 1 − p: that is the *inverted* dropout Keras uses. The "
                        "survey's form does not rescale in training; it scales at inference.")
            elif np.allclose(g, h * ~mask):
                hint = "mask entries equal to 1/True mean *kept*: keep h where the mask is 1."
            elif np.allclose(g, (1 - p) * h):
                hint = "that is the inference output; in training apply the random mask."
        c.close("the training output", got, expected, case=case, hint=hint)

        case = f"inference, p = {p}"
        got = c.call(fn, h.copy(), p, mask.copy(), False, case=case)
        expected = dropout(h, p, training=False)
        g = np.asarray(got, dtype=float) if np.shape(got) == h.shape else None
        hint = "at inference use every unit and scale by the keep probability: (1 − p)·h."
        if g is not None:
            if np.allclose(g, h):
                hint = ("returning h unchanged is inverted dropout's inference; the survey's "
                        "form scales every unit by 1 − p at inference.")
            elif np.allclose(g, p * h):
                hint = "scale by 1 − p (the probability of keeping a unit), not by p."
            elif np.allclose(g, (1 - p) * h * mask) or np.allclose(g, h * mask):
                hint = "no mask at inference: all neurons are used, scaled by 1 − p."
        c.close("the inference output", got, expected, case=case, hint=hint)
    c.passed()
