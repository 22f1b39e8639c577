"""Checkers for the batch-normalization exercises of notebook 04.06 (survey §4.6).

The references are :func:`surveykit.regularization.batchnorm_forward`,
:func:`~surveykit.regularization.batch_moments` and
:func:`~surveykit.regularization.update_running_stats`, imported when a check runs so that
``import surveykit.checks`` stays free of TensorFlow.
"""

from __future__ import annotations

import numpy as np

from .core import Check

__all__ = ["check_batchnorm_forward", "check_running_statistics"]


def _bn():
    from ..regularization import batchnorm

    return batchnorm


def _forward_cases():
    rng = np.random.default_rng(3)
    d = 3
    yield ("a batch of 6 examples × 3 features of different scales",
           rng.normal(loc=[5.0, -2.0, 0.0], scale=[3.0, 0.5, 10.0], size=(6, d)),
           np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0]), 1e-5)
    yield ("a batch of 2 examples with ε = 0.1",
           np.array([[0.2, 1.0], [0.4, 3.0]]), np.array([1.5, 1.0]), np.array([0.5, 0.0]), 0.1)
    yield ("a batch of 5 examples × 1 feature, γ = 1, β = 0",
           np.array([[1.0], [2.0], [3.0], [4.0], [10.0]]), np.ones(1), np.zeros(1), 1e-3)


def _forward_hint(x, gamma, beta, eps, got) -> str:
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    candidates = [
        (gamma * (x - mu) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta,
         "σ²_B is the *biased* batch variance, 1/m Σ (x − μ_B)² (np.var's default ddof=0), "
         "not the sample variance with ddof=1."),
        (gamma * (x - mu) / (np.sqrt(var) + eps) + beta,
         "ε goes inside the square root: x̂ = (x − μ_B) / √(σ²_B + ε)."),
        ((x - mu) / np.sqrt(var + eps),
         "you returned x̂: the output is y = γ x̂ + β."),
        (beta * (x - mu) / np.sqrt(var + eps) + gamma,
         "γ scales and β shifts: y = γ x̂ + β (γ and β are swapped)."),
    ]
    if x.shape[1] > 1:
        mu_row = x.mean(axis=1, keepdims=True)
        var_row = x.var(axis=1, keepdims=True)
        candidates += [
            (gamma * (x - mu_row) / np.sqrt(var_row + eps) + beta,
             "you normalized each example over its features (axis=1): that is layer "
             "normalization. Batch norm takes μ_B and σ²_B of each feature over the batch "
             "(axis=0)."),
            (gamma * (x - x.mean()) / np.sqrt(x.var() + eps) + beta,
             "μ_B and σ²_B are per feature (axis=0), not one number for the whole array."),
        ]
    for wrong, hint in candidates:
        if np.shape(got) == wrong.shape and np.allclose(got, wrong, rtol=1e-6, atol=1e-9):
            return hint
    return ("μ_B = mean over the batch (axis=0), σ²_B = mean of (x − μ_B)², "
            "x̂ = (x − μ_B)/√(σ²_B + ε), y = γ x̂ + β.")


def check_batchnorm_forward(fn) -> None:
    """Check ``fn(x, gamma, beta, eps)`` → y, training-mode batch norm (survey §4.6)."""
    c = Check("batchnorm_forward")
    for case, x, gamma, beta, eps in _forward_cases():
        got = c.call(fn, x.copy(), gamma.copy(), beta.copy(), eps, case=case)
        expected, _ = _bn().batchnorm_forward(x, gamma, beta, eps=eps)
        c.shape("y", got, x.shape, case=case)
        c.close("y", got, expected, case=case, hint=_forward_hint(x, gamma, beta, eps, got))
    c.passed()


def _expected_running(batches, momentum):
    bn = _bn()
    d = batches[0].shape[1]
    mean, var = np.zeros(d), np.ones(d)
    for b in batches:
        mean, var = bn.update_running_stats(mean, var, *bn.batch_moments(b), momentum)
    return mean, var


def _running_hint(batches, momentum, got_mean, got_var) -> str:
    d = batches[0].shape[1]

    def replay(update, moments, start):
        mean, var = start
        for b in batches:
            mean, var = update(mean, var, *moments(b))
        return mean, var

    def survey(m, v, mb, vb):
        return momentum * m + (1 - momentum) * mb, momentum * v + (1 - momentum) * vb

    def swapped(m, v, mb, vb):
        return (1 - momentum) * m + momentum * mb, (1 - momentum) * v + momentum * vb

    def biased(b):
        return b.mean(axis=0), b.var(axis=0)

    def unbiased(b):
        return b.mean(axis=0), b.var(axis=0, ddof=1)

    zero_one = (np.zeros(d), np.ones(d))
    first = biased(batches[0])
    candidates = [
        (replay(swapped, biased, zero_one),
         "ρ weights the *old* running value: μ_run ← ρ μ_run + (1 − ρ) μ_B (you swapped ρ and "
         "1 − ρ)."),
        (replay(survey, unbiased, zero_one),
         "use the biased batch variance 1/m Σ (x − μ_B)² (ddof=0), the σ²_B that "
         "normalizes the batch."),
        (replay(survey, biased, (np.zeros(d), np.zeros(d))),
         "the running variance starts at 1 (and the running mean at 0), as in Keras."),
        (replay(survey, biased, first),
         "start from μ_run = 0 and σ²_run = 1, not from the first batch's statistics, and "
         "update once per batch."),
        (biased(batches[-1]), "return the running averages, not the last batch's statistics."),
        (biased(np.concatenate(batches)),
         "the running statistics are an exponentially weighted average updated once per "
         "batch, not the plain statistics of all the data."),
    ]
    for (wrong_m, wrong_v), hint in candidates:
        if (np.shape(got_mean) == wrong_m.shape and np.allclose(got_mean, wrong_m)
                and np.allclose(got_var, wrong_v)):
            return hint
    return ("for each batch: μ_B = mean(axis=0), σ²_B = var(axis=0); then "
            "μ_run ← ρ μ_run + (1 − ρ) μ_B and σ²_run ← ρ σ²_run + (1 − ρ) σ²_B.")


def check_running_statistics(fn) -> None:
    """Check ``fn(batches, momentum)`` → (running_mean, running_var) after all batches,
    starting from 0 and 1 (survey §4.6)."""
    c = Check("running_statistics")
    rng = np.random.default_rng(8)
    cases = [
        ("3 batches of 4 × 2, ρ = 0.9",
         [rng.normal([2.0, -1.0], [1.0, 3.0], size=(4, 2)) for _ in range(3)], 0.9),
        ("20 batches of 8 × 3, ρ = 0.5",
         [rng.normal([1.0, 0.0, 5.0], [0.5, 2.0, 1.0], size=(8, 3)) for _ in range(20)], 0.5),
        ("one batch, ρ = 0 (the running statistics are the batch's)",
         [np.array([[1.0], [3.0]])], 0.0),
    ]
    for case, batches, momentum in cases:
        result = c.call(fn, [b.copy() for b in batches], momentum, case=case)
        if not (isinstance(result, tuple) and len(result) == 2):
            c.fail(f"return a tuple (running_mean, running_var); got "
                   f"{type(result).__name__} on {case}.")
        exp_m, exp_v = _expected_running(batches, momentum)
        got_m, got_v = (np.asarray(r, float) for r in result)
        hint = _running_hint(batches, momentum, got_m, got_v)
        c.close("running_mean", got_m, exp_m, case=case, hint=hint)
        c.close("running_var", got_v, exp_v, case=case, hint=hint)
    c.passed()
