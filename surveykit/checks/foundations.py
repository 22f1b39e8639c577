"""Checkers for the section 2 exercises (notebooks 02.01 and 02.04).

Each compares the learner's answer with the package's reference implementation, so a
formula is defined once (in :mod:`surveykit.foundations` or :mod:`surveykit.biasvariance`).
"""

from __future__ import annotations

import numpy as np

from .. import biasvariance, foundations
from .core import Check

__all__ = ["check_sigmoid_neuron", "check_gd_step", "check_parameter_split",
           "check_bias_variance"]


def _cases(seed: int = 7):
    rng = np.random.default_rng(seed)
    yield "a 5×2 batch", rng.normal(size=(5, 2)), rng.normal(size=2), 0.3
    yield "a single example", np.array([[0.5, -1.5]]), np.array([2.0, 1.0]), -1.0
    yield "large inputs (|z| ≈ 800)", np.array([[400.0, 400.0], [-400.0, -400.0]]), \
        np.array([1.0, 1.0]), 0.0


def check_sigmoid_neuron(fn) -> None:
    """Check ``fn(X, w, b)`` = σ(X·w + b) for X (n, 2), w (2,), scalar b."""
    c = Check("sigmoid_neuron")
    for case, X, w, b in _cases():
        got = c.call(fn, X, w, b, case=case)
        expected = foundations.neuron_forward(X, w, b)
        hint = ("compute z = X @ w + b, then σ(z) = 1 / (1 + exp(−z)); for very large |z| "
                "use np.exp(-np.abs(z)) or scipy-free tricks so nothing overflows."
                if "large" in case else "compute z = X @ w + b, then σ(z) = 1 / (1 + exp(−z)).")
        c.close("the output", got, expected, case=case, hint=hint)
    c.passed()


def check_gd_step(fn) -> None:
    """Check ``fn(w, b, X, y, learning_rate)`` → (new_w, new_b), one gradient-descent step."""
    c = Check("gd_step")
    rng = np.random.default_rng(11)
    for i, (case, X, w, b) in enumerate(list(_cases())[:2]):
        y = (rng.uniform(size=len(X)) < 0.5).astype(float)
        lr = [0.1, 0.5][i]
        result = c.call(fn, w.copy(), b, X, y, lr, case=case)
        if not (isinstance(result, tuple) and len(result) == 2):
            c.fail(f"return a tuple (new_w, new_b); got {type(result).__name__} on {case}.")
        exp_w, exp_b = foundations.gradient_descent_step(w, b, X, y, lr)
        dw, db = foundations.neuron_gradients(X, y, w, b)
        hint = ("∂L/∂w = Xᵀ(ŷ − y) / n and ∂L/∂b = mean(ŷ − y); then move *against* the "
                "gradient: w − η·∂L/∂w.")
        if np.allclose(result[0], w + lr * dw):
            hint = "you moved along the gradient; gradient *descent* subtracts η·∂L/∂w."
        elif np.allclose(result[0], w - lr * dw * len(X)):
            hint = "divide the summed gradient by the batch size n: the loss is a mean."
        c.close("new_w", result[0], exp_w, case=case, hint=hint)
        c.close("new_b", result[1], exp_b, case=case, hint=hint)
    c.passed()


def check_parameter_split(parameters, hyperparameters) -> None:
    """Check the sets of names the learner calls parameters and hyperparameters (§2.2)."""
    c = Check("parameters vs hyperparameters")
    parameters, hyperparameters = set(parameters), set(hyperparameters)
    if not parameters and not hyperparameters:
        c.unanswered()
    both = parameters & hyperparameters
    if both:
        c.fail(f"{sorted(both)} cannot be both a parameter and a hyperparameter.")
    wrong_p = parameters - foundations.NEURON_PARAMETERS
    wrong_h = hyperparameters - foundations.NEURON_HYPERPARAMETERS
    if wrong_p:
        c.fail(f"{sorted(wrong_p)} is not learned by backpropagation: it is chosen before "
               "training, so it is a hyperparameter.")
    if wrong_h:
        c.fail(f"{sorted(wrong_h)} is learned from the data by gradient descent, so it is a "
               "parameter.")
    c.equal("set of parameters", parameters, set(foundations.NEURON_PARAMETERS),
            hint="every name must be placed in one of the two sets.")
    c.equal("set of hyperparameters", hyperparameters, set(foundations.NEURON_HYPERPARAMETERS),
            hint="every name must be placed in one of the two sets.")
    c.passed()


def check_bias_variance(fn) -> None:
    """Check ``fn(predictions, f_true)`` → (bias², variance) as in survey §2.4."""
    c = Check("bias_variance")
    rng = np.random.default_rng(5)
    f_true = np.sin(np.linspace(0, 3, 7))
    cases = [
        ("predictions that never vary", np.tile(f_true + 0.5, (4, 1))),
        ("noisy predictions (50 models × 7 points)", f_true + 0.2 + rng.normal(0, 0.3, (50, 7))),
    ]
    for case, preds in cases:
        result = c.call(fn, preds.copy(), f_true.copy(), case=case)
        if not (isinstance(result, tuple) and len(result) == 2):
            c.fail(f"return a tuple (bias2, variance); got {type(result).__name__} on {case}.")
        bias2, variance = biasvariance.bias_variance_terms(preds, f_true)
        got_b, got_v = (float(np.asarray(r)) for r in result)
        hint_v = "average over test points the variance *across training sets* (axis 0)."
        sample_var = np.mean(preds.var(axis=0, ddof=1))
        if np.isclose(got_v, sample_var) and not np.isclose(got_v, variance):
            hint_v = ("you used the sample variance (ddof=1); the decomposition's Var_D is the "
                      "population variance over training sets: ddof=0 (np.var's default).")
        hint_b = ("bias² squares the error of the *average* prediction: "
                  "mean over points of (mean over sets of predictions − f_true)².")
        if np.isclose(got_b, np.mean((preds - f_true) ** 2)) and not np.isclose(got_b, bias2):
            hint_b = ("you averaged the squared error of every model, which is bias² + variance; "
                      "average the predictions over training sets first, then square.")
        c.close("bias2", got_b, bias2, case=case, hint=hint_b)
        c.close("variance", got_v, variance, case=case, hint=hint_v)
    c.passed()
