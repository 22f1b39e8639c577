"""Checkers for notebook 05.01 (mini-batch gradient descent and SGD, survey §5.1–5.2).

Each compares the learner's answer with surveykit's reference: the mini-batch iterator
:func:`surveykit.optim.numpy_net.minibatches`, the mini-batch epoch
:func:`surveykit.optim.experiments.neuron_minibatch_epoch` and the sampling law
:func:`surveykit.optim.experiments.gradient_noise_law`.
"""

from __future__ import annotations

import numpy as np

from .. import foundations
from ..optim import experiments, numpy_net
from .core import Check

__all__ = ["check_minibatch_indices", "check_minibatch_epoch", "check_gradient_noise_law"]


def _as_batches(c: Check, result, case: str) -> list[np.ndarray]:
    try:
        batches = [np.asarray(b) for b in result]
    except TypeError:
        c.fail(f"return a list of index arrays; got {type(result).__name__} on {case}.")
    for b in batches:
        if b.ndim != 1 or not (b.size == 0 or np.issubdtype(b.dtype, np.integer)):
            c.fail(f"each batch must be a 1-D array of integer indices; got one with shape "
                   f"{b.shape} and dtype {b.dtype} on {case}.")
    return batches


def check_minibatch_indices(fn) -> None:
    """Check ``fn(n, batch_size, rng=None)`` → list of index arrays covering ``range(n)``."""
    c = Check("minibatch_indices")
    for n, m in [(10, 3), (12, 4), (7, 7), (5, 1)]:
        case = f"n = {n}, batch_size = {m}, rng = None"
        batches = _as_batches(c, c.call(fn, n, m, None, case=case), case)
        expected = numpy_net.minibatches(n, m)
        c.equal(f"number of batches on {case}", len(batches), len(expected),
                hint=(f"⌈n / batch_size⌉ = {len(expected)} batches: keep the last, smaller "
                      "batch (do not drop the remainder)." if len(batches) < len(expected)
                      else "step through the examples batch_size at a time, "
                           "e.g. range(0, n, batch_size)."))
        flat = np.concatenate(batches) if batches else np.array([], int)
        c.equal(f"batch sizes on {case}", [len(b) for b in batches],
                [len(b) for b in expected],
                hint="every batch has batch_size examples except possibly the last one.")
        if not np.array_equal(flat, np.arange(n)):
            c.fail(f"without an rng the examples must stay in their order 0, 1, …, n−1 on "
                   f"{case}; got {flat.tolist()}.")
    n, m = 100, 16
    case = f"n = {n}, batch_size = {m} with an rng"
    rng = np.random.default_rng(3)
    first = _as_batches(c, c.call(fn, n, m, rng, case=case), case)
    flat = np.concatenate(first)
    c.count += 1
    if len(flat) != n or len(np.unique(flat)) != len(flat):
        dupes = len(flat) - len(np.unique(flat))
        c.fail(f"every example must appear exactly once per epoch on {case}: got {len(flat)} "
               f"indices with {dupes} repeated.\n  Hint: shuffle a permutation "
               "(rng.permutation(n)) and cut it into batches; drawing indices at random "
               "(rng.integers / rng.choice with replacement) repeats some and misses others.")
    if not np.array_equal(np.sort(flat), np.arange(n)):
        c.fail(f"the indices must be exactly 0 … {n - 1} on {case}.")
    c.count += 1
    if np.array_equal(flat, np.arange(n)):
        c.fail(f"with an rng the examples must be shuffled on {case}; they came out in "
               "order.\n  Hint: order = rng.permutation(n), then cut order into batches.")
    if all(np.array_equal(b, np.arange(b[0], b[0] + len(b))) for b in first):
        c.fail(f"each batch is a run of consecutive indices on {case}: you shuffled the "
               "order of the batches, not the examples.\n  Hint: permute the examples "
               "(rng.permutation(n)) first, then cut the permutation into batches.")
    second = _as_batches(c, c.call(fn, n, m, rng, case=case + ", second epoch"), case)
    c.count += 1
    if np.array_equal(np.concatenate(second), flat):
        c.fail("two epochs with the same rng gave the same order: draw the permutation from "
               "the rng you are given (do not create np.random.default_rng(0) inside), so "
               "each epoch is shuffled anew.")
    c.shape("the last batch", first[-1], (n % m,), case=case)
    c.passed()


def _neuron_case(seed: int, n: int, d: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (rng.uniform(size=n) < foundations.neuron_forward(X, rng.normal(size=d), 0.2)).astype(float)
    return X, y, rng.normal(size=d) * 0.5, 0.1


def check_minibatch_epoch(fn) -> None:
    """Check ``fn(w, b, X, y, learning_rate, batches)`` → (w, b) after one mini-batch epoch."""
    c = Check("minibatch_epoch")
    cases = [
        ("12 examples in batches of 4 (shuffled)", 0, 12, 3, 0.5,
         numpy_net.minibatches(12, 4, rng=np.random.default_rng(1))),
        ("10 examples in batches of 3 (last batch smaller)", 1, 10, 2, 0.3,
         numpy_net.minibatches(10, 3)),
        ("SGD: 6 batches of one example", 2, 6, 2, 0.2,
         numpy_net.minibatches(6, 1, rng=np.random.default_rng(2))),
    ]
    for case, seed, n, d, lr, batches in cases:
        X, y, w, b = _neuron_case(seed, n, d)
        result = c.call(fn, w.copy(), b, X.copy(), y.copy(), lr, [bt.copy() for bt in batches],
                        case=case)
        if not (isinstance(result, tuple) and len(result) == 2):
            c.fail(f"return a tuple (new_w, new_b); got {type(result).__name__} on {case}.")
        exp_w, exp_b = experiments.neuron_minibatch_epoch(w, b, X, y, lr, batches)
        hint = ("for each batch idx in turn: compute the gradient on X[idx], y[idx] at the "
                "current (w, b) and take one step w := w − η·∂L/∂w (same for b).")
        full = experiments.neuron_minibatch_epoch(w, b, X, y, lr, [np.arange(n)] * len(batches))
        dw0, db0 = foundations.neuron_gradients(X, y, w, b)
        one_step = [foundations.neuron_gradients(X[i], y[i], w, b) for i in batches]
        averaged = w - lr * sum(g[0] for g in one_step)
        if np.allclose(result[0], full[0]):
            hint = ("you stepped on the whole data set each time: use only the batch's rows, "
                    "X[idx] and y[idx].")
        elif np.allclose(result[0], averaged):
            hint = ("you computed every batch's gradient at the starting weights and added "
                    "them up: mini-batch descent updates w after *each* batch, and the next "
                    "gradient is taken at the new w.")
        elif len(batches[0]) > 1 and np.allclose(
                result[0], experiments.neuron_minibatch_epoch(
                    w, b, X, y, lr * len(batches[0]), batches)[0], rtol=1e-3):
            hint = ("your steps are batch_size times too long: the loss is the *mean* over "
                    "the batch, so its gradient divides by the batch size.")
        elif np.allclose(result[0], w - lr * dw0) and np.isclose(result[1], b - lr * db0):
            hint = "that is one full-batch step; take one step per mini-batch."
        c.close("new_w", result[0], exp_w, case=case, hint=hint)
        c.close("new_b", result[1], exp_b, case=case, hint=hint)
    c.passed()


def check_gradient_noise_law(fn) -> None:
    """Check ``fn(per_example_grads, m)`` → E‖g_B − g‖² for m examples without replacement."""
    c = Check("gradient_noise_law")
    rng = np.random.default_rng(4)
    G = rng.normal(size=(20, 3)) * [1.0, 2.0, 0.5] + [0.3, -1.0, 2.0]
    for m in (1, 5, 19, 20):
        case = f"N = 20 examples, P = 3 parameters, m = {m}"
        got = c.call(fn, G.copy(), m, case=case)
        expected = experiments.gradient_noise_law(G, m)
        if np.ndim(got) == 1 and np.shape(got) == (3,):
            c.fail(f"return one number, the expected *squared norm* ‖g_B − g‖² (sum over the "
                   f"{G.shape[1]} parameters), not one variance per parameter, on {case}.")
        trace = np.mean(np.sum((G - G.mean(0)) ** 2, axis=1))
        hint = ("tr Σ = mean over examples of ‖g_i − g‖² (g = mean gradient), then multiply "
                "by (1/m)·(N − m)/(N − 1).")
        got_f = float(np.asarray(got, dtype=float)) if np.size(got) == 1 else got
        if np.size(got) == 1 and not np.isclose(got_f, expected):
            if np.isclose(got_f, trace / m) and m > 1:
                hint = ("that is the with-replacement variance tr Σ/m; a batch drawn from a "
                        "shuffled epoch has no repeats, so multiply by (N − m)/(N − 1) — at "
                        "m = N the batch *is* the full data and the noise must be 0.")
            elif np.isclose(got_f, trace * 20 / 19 / m * (20 - m) / 19):
                hint = ("you used the sample variance (ddof=1) for tr Σ; the law uses the "
                        "population mean of ‖g_i − g‖² (ddof=0) with the (N − m)/(N − 1) "
                        "factor.")
            elif np.isclose(got_f, trace / m * (20 - m) / 20):
                hint = "the finite-population factor is (N − m)/(N − 1), not (N − m)/N."
        c.close("the expected squared noise", got, expected, case=case, hint=hint)
    c.passed()
