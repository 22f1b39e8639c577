"""The bias–variance decomposition, estimated empirically (survey §2.4).

For a learner trained on a random training set D and evaluated at a point x with
noisy target y = f(x) + ε, ε ~ N(0, σ²), the expected squared error splits as::

    E_D,ε[(y − f̂_D(x))²] = (E_D[f̂_D(x)] − f(x))²  +  Var_D[f̂_D(x)]  +  σ²
                          =        Bias²           +    Variance     + irreducible error

:func:`decompose` estimates each term by training the learner on many independently
drawn training sets and looking at the spread of its predictions on a fixed test grid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .validation import check_int, check_range

__all__ = [
    "Decomposition",
    "bias_variance_terms",
    "decompose",
    "polynomial_learner",
    "sweep_complexity",
]


@dataclass(frozen=True)
class Decomposition:
    """One point of the bias–variance curve.

    ``bias2``, ``variance`` and ``noise`` are averaged over the test grid;
    ``expected_error`` is their sum, and ``test_mse`` is the directly measured mean
    squared error against fresh noisy targets, which ``expected_error`` should match
    up to Monte Carlo error. ``predictions`` has shape (n_datasets, n_test).
    """

    bias2: float
    variance: float
    noise: float
    test_mse: float
    train_mse: float
    predictions: np.ndarray

    @property
    def expected_error(self) -> float:
        return self.bias2 + self.variance + self.noise


def bias_variance_terms(predictions, f_true) -> tuple[float, float]:
    """Return (bias², variance) from a predictions matrix.

    ``predictions[k, j]`` is the prediction at test point j of the model trained on
    training set k; ``f_true[j]`` is the noiseless target there.

    bias²    = mean_j (mean_k predictions[k, j] − f_true[j])²
    variance = mean_j  mean_k (predictions[k, j] − mean_k predictions[k, j])²
    (the population variance over training sets, as in the expectation E_D).
    """
    p = np.asarray(predictions, dtype=float)
    f = np.asarray(f_true, dtype=float)
    if p.ndim != 2:
        raise ValueError("predictions must be a 2-D array (datasets × test points); "
                         f"got shape {p.shape}")
    if f.shape != (p.shape[1],):
        raise ValueError(
            f"f_true must have shape ({p.shape[1]},) to match predictions {p.shape}; got {f.shape}"
        )
    mean_pred = p.mean(axis=0)
    bias2 = float(np.mean((mean_pred - f) ** 2))
    variance = float(np.mean(p.var(axis=0)))
    return bias2, variance


Learner = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def polynomial_learner(degree: int, ridge: float = 0.0) -> Learner:
    """A least-squares polynomial of the given degree, optionally ridge-regularised.

    Model complexity is the degree (degree + 1 parameters). The features are Legendre
    polynomials of x mapped from [0, 1] to [−1, 1], so high degrees stay well conditioned;
    this changes the basis, not the fitted function (without ridge). ``ridge`` (λ ≥ 0)
    adds λ Σ w_i² (the survey's L2 penalty, §3.3) on all but the constant term.
    Returns ``learner(x_train, y_train, x_test) -> predictions``.
    """
    degree = check_int("degree", degree, low=0, high=40)
    ridge = check_range("ridge", ridge, 0.0)

    def features(x):
        return np.polynomial.legendre.legvander(2.0 * np.asarray(x, float) - 1.0, degree)

    def learner(x_train, y_train, x_test):
        A = features(x_train)
        if ridge > 0:
            penalty = np.sqrt(ridge) * np.eye(degree + 1)[1:]
            A_aug = np.vstack([A, penalty])
            y_aug = np.concatenate([y_train, np.zeros(degree)])
            w, *_ = np.linalg.lstsq(A_aug, y_aug, rcond=None)
        else:
            w, *_ = np.linalg.lstsq(A, y_train, rcond=None)
        return features(x_test) @ w

    learner.degree = degree
    learner.ridge = ridge
    return learner


def decompose(
    learner: Learner,
    f_true: Callable[[np.ndarray], np.ndarray],
    *,
    n_train: int = 30,
    noise_sd: float = 0.3,
    n_datasets: int = 200,
    x_test: np.ndarray | None = None,
    design: str = "uniform",
    seed: int = 0,
) -> Decomposition:
    """Estimate bias², variance and noise of ``learner`` by resampling training sets.

    Draws ``n_datasets`` training sets of ``n_train`` points (x uniform on [0, 1], or a
    fixed evenly spaced grid with ``design="fixed"``; y = f(x) + N(0, noise_sd²)), trains
    the learner on each and predicts on ``x_test`` (default: 101 points on [0, 1]).
    Also measures the test MSE against fresh noisy targets and the mean training MSE.
    """
    n_train = check_int("n_train", n_train, low=2)
    noise_sd = check_range("noise_sd", noise_sd, 0.0)
    n_datasets = check_int("n_datasets", n_datasets, low=2)
    if design not in ("uniform", "fixed"):
        raise ValueError(f"design must be one of ['uniform', 'fixed']; got {design!r}")
    rng = np.random.default_rng(seed)
    x_test = np.linspace(0.0, 1.0, 101) if x_test is None else np.asarray(x_test, float)
    f_test = f_true(x_test)
    preds = np.empty((n_datasets, x_test.size))
    test_sq = np.empty(n_datasets)
    train_sq = np.empty(n_datasets)
    x_fixed = np.linspace(0.0, 1.0, n_train)
    for k in range(n_datasets):
        x = x_fixed if design == "fixed" else rng.uniform(0.0, 1.0, n_train)
        y = f_true(x) + rng.normal(0.0, noise_sd, n_train)
        preds[k] = learner(x, y, x_test)
        train_sq[k] = np.mean((learner(x, y, x) - y) ** 2)
        y_test = f_test + rng.normal(0.0, noise_sd, x_test.size)
        test_sq[k] = np.mean((preds[k] - y_test) ** 2)
    bias2, variance = bias_variance_terms(preds, f_test)
    return Decomposition(
        bias2=bias2,
        variance=variance,
        noise=noise_sd**2,
        test_mse=float(test_sq.mean()),
        train_mse=float(train_sq.mean()),
        predictions=preds,
    )


def sweep_complexity(
    degrees: Sequence[int],
    f_true: Callable[[np.ndarray], np.ndarray],
    *,
    ridge: float = 0.0,
    **kwargs,
) -> dict[str, np.ndarray]:
    """Run :func:`decompose` for each polynomial degree; return arrays for plotting.

    Keys: ``degree``, ``bias2``, ``variance``, ``noise``, ``expected_error``,
    ``test_mse``, ``train_mse``. Every degree sees the same training sets (same seed),
    so the curves differ only through the model.
    """
    rows = [decompose(polynomial_learner(d, ridge), f_true, **kwargs) for d in degrees]
    out = {"degree": np.asarray(degrees)}
    for key in ("bias2", "variance", "noise", "expected_error", "test_mse", "train_mse"):
        out[key] = np.array([getattr(r, key) for r in rows])
    return out
