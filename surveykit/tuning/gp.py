"""Gaussian-process regression from scratch: the surrogate of Bayesian optimization (§6.6).

The survey's step 1 of Bayesian optimization (§6.6): *"Fit a surrogate model to predict
performance from past trials"*, usually a Gaussian process. Here it is, in numpy/scipy.

**Inputs** are points of the unit cube [0, 1]^d (:meth:`Space.to_unit
<surveykit.tuning.space.Space.to_unit>`: each hyperparameter in its own scale, so a
learning rate's decades are evenly spread) — §7.4's *"Normalize hyperparameters when
using Bayesian optimization"*. **Outputs** are standardised, ``y_s = (y − mean(y)) /
std(y)``, so one set of hyperparameter bounds and priors suits every objective.

**Model.** ``f ~ GP(0, k)`` on the standardised outputs, observed with Gaussian noise
``y_i = f(x_i) + ε_i``, ``ε_i ~ N(0, σ_n²)``. The kernel is Matérn 5/2 with one length
scale per dimension (automatic relevance determination, ARD) and a signal variance s²::

    r = √(Σ_j ((x_j − x'_j) / ℓ_j)²)
    k(x, x') = s² (1 + √5 r + 5r²/3) exp(−√5 r)

**Posterior** at test points X* (K = k(X, X) + (σ_n² + jitter) I = L Lᵀ, α = K⁻¹ y)::

    μ(x*)  = k(x*, X) α
    σ²(x*) = s² − k(x*, X) K⁻¹ k(X, x*)          (+ σ_n² for a noisy observation)

**Hyperparameters** θ = (log ℓ_1 … log ℓ_d, log s², log σ_n²) maximise the log marginal
likelihood (optionally plus a log prior, i.e. a MAP estimate)::

    log p(y | X, θ) = −½ yᵀ K⁻¹ y − Σ_i log L_ii − (n/2) log 2π
    ∂/∂θ_j          = ½ tr((α αᵀ − K⁻¹) ∂K/∂θ_j)

with ∂K/∂log s² = K_f (the noise-free kernel matrix), ∂K/∂log σ_n² = σ_n² I and, because
dk/dr = −(5/3) s² r (1 + √5 r) e^{−√5 r} and ∂r/∂log ℓ_j = −(x_j − x'_j)² / (ℓ_j² r),
∂k/∂log ℓ_j = (5/3) s² (1 + √5 r) e^{−√5 r} (x_j − x'_j)² / ℓ_j². The search runs
L-BFGS-B in θ (log-parameter space, box bounds) from a few starting points.

The kernel, likelihood and posterior are tested against scikit-learn's
``GaussianProcessRegressor(ConstantKernel * Matern(nu=2.5) + WhiteKernel)``, and every
gradient against finite differences (:mod:`surveykit.gradcheck`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize

from ..validation import check_int, check_range

__all__ = ["SQRT5", "GPParams", "DEFAULT_BOUNDS", "matern52", "matern52_dk_dx",
           "log_marginal_likelihood", "log_prior", "GaussianProcess", "fit_gp"]

SQRT5 = math.sqrt(5.0)

#: Box bounds of the hyperparameters, for unit-cube inputs and standardised outputs:
#: ``(low, high)`` of the length scales, the signal variance and the noise variance.
#: The noise floor 1e-6 (Optuna's GPSampler uses the same) keeps K well conditioned
#: when the objective is deterministic.
DEFAULT_BOUNDS = {"length_scale": (1e-2, 1e2), "signal_variance": (1e-2, 1e2),
                  "noise_variance": (1e-8, 1.0)}


@dataclass(frozen=True)
class GPParams:
    """The kernel's hyperparameters: ARD length scales ℓ (one per input dimension), the
    signal variance s² and the noise variance σ_n² (both in standardised output units)."""

    length_scales: np.ndarray
    signal_variance: float
    noise_variance: float

    def __post_init__(self):
        ls = np.atleast_1d(np.asarray(self.length_scales, dtype=float))
        if ls.ndim != 1 or not np.all(np.isfinite(ls)) or not np.all(ls > 0):
            raise ValueError(f"length_scales must be positive and finite; got {ls!r}")
        object.__setattr__(self, "length_scales", ls)
        object.__setattr__(self, "signal_variance",
                           check_range("signal_variance", self.signal_variance, 0.0,
                                       low_closed=False))
        object.__setattr__(self, "noise_variance",
                           check_range("noise_variance", self.noise_variance, 0.0))

    @property
    def theta(self) -> np.ndarray:
        """θ = (log ℓ_1 … log ℓ_d, log s², log σ_n²): the optimiser's coordinates."""
        return np.concatenate([np.log(self.length_scales),
                               [math.log(self.signal_variance),
                                math.log(max(self.noise_variance, 1e-300))]])

    @classmethod
    def from_theta(cls, theta) -> GPParams:
        theta = np.asarray(theta, dtype=float)
        return cls(np.exp(theta[:-2]), float(np.exp(theta[-2])), float(np.exp(theta[-1])))

    def to_dict(self) -> dict:
        return {"length_scales": [float(v) for v in self.length_scales],
                "signal_variance": float(self.signal_variance),
                "noise_variance": float(self.noise_variance)}


def _as_2d(X, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must be a finite (n, d) array; got shape {X.shape}")
    return X


def _scaled_diff(X1, X2, length_scales):
    """(x_j − x'_j)/ℓ_j for every pair: shape (n1, n2, d)."""
    return (X1[:, None, :] - X2[None, :, :]) / length_scales


def matern52(X1, X2, length_scales, signal_variance: float) -> np.ndarray:
    """The Matérn 5/2 ARD kernel matrix, k(x, x') = s² (1 + √5 r + 5r²/3) exp(−√5 r),
    r = √(Σ_j ((x_j − x'_j)/ℓ_j)²) (survey §6.6: the GP surrogate's covariance)."""
    X1, X2 = _as_2d(X1, "X1"), _as_2d(X2, "X2")
    D = _scaled_diff(X1, X2, np.asarray(length_scales, float))
    r = np.sqrt(np.einsum("ijk,ijk->ij", D, D))
    return signal_variance * (1.0 + SQRT5 * r + (5.0 / 3.0) * r * r) * np.exp(-SQRT5 * r)


def matern52_dk_dx(x, X, length_scales, signal_variance: float) -> np.ndarray:
    """∂k(x_m, X_i)/∂x_m for test points ``x`` (m, d) against training points ``X`` (n, d):
    shape (m, n, d), ``−(5/3) s² (1 + √5 r) e^{−√5 r} (x_j − X_ij)/ℓ_j²`` (smooth at r = 0)."""
    x, X = _as_2d(x, "x"), _as_2d(X, "X")
    ls = np.asarray(length_scales, float)
    D = _scaled_diff(x, X, ls)
    r = np.sqrt(np.einsum("ijk,ijk->ij", D, D))
    g = -(5.0 / 3.0) * signal_variance * (1.0 + SQRT5 * r) * np.exp(-SQRT5 * r)
    return g[:, :, None] * D / ls


def _cholesky(K: np.ndarray, jitter: float):
    """Cholesky factor of K + jitter·I, raising the jitter ×10 (up to 1e-4 · mean diag)
    when K is numerically not positive definite; returns (L, jitter used)."""
    scale = float(np.mean(np.diag(K))) if len(K) else 1.0
    j = jitter
    n = len(K)
    while True:
        try:
            return linalg.cholesky(K + j * np.eye(n), lower=True), j
        except linalg.LinAlgError:
            if j > 1e-4 * scale:
                raise
            j = max(10.0 * j, 1e-10 * scale)


def log_marginal_likelihood(X, y, params: GPParams, *, jitter: float = 1e-10,
                            gradient: bool = False):
    """log p(y | X, θ) = −½ yᵀK⁻¹y − Σ log L_ii − (n/2) log 2π for K = K_f + (σ_n² + jitter) I,
    with its gradient with respect to θ = (log ℓ, log s², log σ_n²) when ``gradient``:
    ∂/∂θ_j = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ_j) (survey §6.6: fitting the surrogate).

    ``y`` is used as given (standardise it first, as :class:`GaussianProcess` does)."""
    X = _as_2d(X)
    y = np.asarray(y, dtype=float).reshape(-1)
    n = len(X)
    ls, s2, sn2 = params.length_scales, params.signal_variance, params.noise_variance
    D = _scaled_diff(X, X, ls)
    D2 = D * D
    r = np.sqrt(D2.sum(axis=2))
    e = np.exp(-SQRT5 * r)
    Kf = s2 * (1.0 + SQRT5 * r + (5.0 / 3.0) * r * r) * e
    L, _ = _cholesky(Kf + sn2 * np.eye(n), jitter)
    alpha = linalg.cho_solve((L, True), y)
    lml = -0.5 * y @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * math.log(2.0 * math.pi)
    if not gradient:
        return float(lml)
    W = np.outer(alpha, alpha) - linalg.cho_solve((L, True), np.eye(n))
    common = (5.0 / 3.0) * s2 * (1.0 + SQRT5 * r) * e  # ∂K/∂log ℓ_j = common · D2[..., j]
    grad_ls = 0.5 * np.einsum("ij,ij,ijk->k", W, common, D2)
    grad_s2 = 0.5 * np.sum(W * Kf)
    grad_sn2 = 0.5 * sn2 * np.trace(W)
    return float(lml), np.concatenate([grad_ls, [grad_s2, grad_sn2]])


def log_prior(theta) -> tuple[float, np.ndarray]:
    """A weak log prior on θ (up to a constant) and its gradient, the heuristic one of
    Optuna's GPSampler, written for unit-cube inputs and standardised outputs:

    - each length scale: −0.1 (ℓ² + 1/ℓ²), largest at ℓ = 1 (the width of the cube);
    - signal variance s² ~ Gamma(2, 1): log s² − s²;
    - noise variance σ_n² ~ Gamma(1.1, 30): 0.1 log σ_n² − 30 σ_n² (mean 0.037: little noise).

    With few trials it keeps the length scales from collapsing onto the data (which
    would make the surrogate a bed of nails) and the noise from explaining everything.
    """
    theta = np.asarray(theta, dtype=float)
    t_ls, t_s2, t_sn2 = theta[:-2], theta[-2], theta[-1]
    value = (-0.1 * (np.exp(2 * t_ls) + np.exp(-2 * t_ls)).sum()
             + (t_s2 - math.exp(t_s2)) + (0.1 * t_sn2 - 30.0 * math.exp(t_sn2)))
    grad = np.concatenate([-0.2 * (np.exp(2 * t_ls) - np.exp(-2 * t_ls)),
                           [1.0 - math.exp(t_s2), 0.1 - 30.0 * math.exp(t_sn2)]])
    return float(value), grad


class GaussianProcess:
    """A GP conditioned on data ``(X, y)`` with fixed hyperparameters ``params``.

    ``y`` is standardised inside (``y_mean``, ``y_std``; pass ``standardize=(m, s)`` to
    reuse another GP's constants, e.g. when adding fantasised observations).
    :meth:`predict` returns the posterior mean and standard deviation in ``y``'s units.
    """

    def __init__(self, X, y, params: GPParams, *, jitter: float = 1e-10,
                 standardize: bool | tuple[float, float] = True):
        X = _as_2d(X)
        y = np.asarray(y, dtype=float).reshape(-1)
        if len(y) != len(X) or len(X) == 0:
            raise ValueError(f"X and y must hold the same number (≥ 1) of points; got "
                             f"{len(X)} and {len(y)}")
        if not np.all(np.isfinite(y)):
            raise ValueError("y must be finite (leave failed trials out or impute them)")
        if len(params.length_scales) != X.shape[1]:
            raise ValueError(f"params has {len(params.length_scales)} length scales for "
                             f"{X.shape[1]} input dimensions")
        self.X, self.y, self.params = X, y, params
        if isinstance(standardize, tuple):
            self.y_mean, self.y_std = float(standardize[0]), float(standardize[1])
        elif standardize:
            self.y_mean = float(y.mean())
            std = float(y.std())
            self.y_std = std if std > 1e-12 * max(1.0, abs(self.y_mean)) else 1.0
        else:
            self.y_mean, self.y_std = 0.0, 1.0
        self.y_s = (y - self.y_mean) / self.y_std
        K = matern52(X, X, params.length_scales, params.signal_variance)
        K[np.diag_indices_from(K)] += params.noise_variance
        self.L, self.jitter = _cholesky(K, jitter)
        self.alpha = linalg.cho_solve((self.L, True), self.y_s)

    @property
    def n(self) -> int:
        return len(self.X)

    def log_marginal_likelihood(self) -> float:
        """log p(y_s | X, θ) of the standardised outputs (scikit-learn's with normalize_y)."""
        return float(-0.5 * self.y_s @ self.alpha - np.log(np.diag(self.L)).sum()
                     - 0.5 * self.n * math.log(2.0 * math.pi))

    def predict(self, X, *, noise: bool = False, standardized: bool = False):
        """Posterior mean μ(x) = k(x, X) α and standard deviation σ(x), with
        σ²(x) = s² − k(x, X) K⁻¹ k(X, x) (+ σ_n² if ``noise``: a new noisy observation).
        In ``y``'s units unless ``standardized``."""
        Xs = _as_2d(X)
        Ks = matern52(Xs, self.X, self.params.length_scales, self.params.signal_variance)
        mu = Ks @ self.alpha
        V = linalg.solve_triangular(self.L, Ks.T, lower=True)
        var = self.params.signal_variance - np.einsum("ij,ij->j", V, V)
        if noise:
            var = var + self.params.noise_variance
        std = np.sqrt(np.maximum(var, 0.0))
        if standardized:
            return mu, std
        return self.y_mean + self.y_std * mu, self.y_std * std

    def predict_with_gradient(self, X):
        """μ, σ (standardised units) and their gradients ∂μ/∂x, ∂σ/∂x (shape (m, d)) at the
        test points: ∂μ/∂x = ∂k/∂x · α, ∂σ²/∂x = −2 ∂k/∂x · K⁻¹ k(X, x), ∂σ = ∂σ²/(2σ)."""
        Xs = _as_2d(X)
        p = self.params
        Ks = matern52(Xs, self.X, p.length_scales, p.signal_variance)
        dK = matern52_dk_dx(Xs, self.X, p.length_scales, p.signal_variance)  # (m, n, d)
        mu = Ks @ self.alpha
        v = linalg.cho_solve((self.L, True), Ks.T)  # (n, m)
        var = np.maximum(p.signal_variance - np.einsum("mn,nm->m", Ks, v), 1e-300)
        std = np.sqrt(var)
        dmu = np.einsum("mnd,n->md", dK, self.alpha)
        dvar = -2.0 * np.einsum("mnd,nm->md", dK, v)
        return mu, std, dmu, dvar / (2.0 * std[:, None])

    def condition(self, X_new, y_new) -> GaussianProcess:
        """The same hyperparameters and standardisation, with extra observations (e.g.
        fantasised values of pending trials: the kriging believer)."""
        X_new = _as_2d(X_new)
        return GaussianProcess(np.vstack([self.X, X_new]),
                               np.concatenate([self.y, np.asarray(y_new, float).reshape(-1)]),
                               self.params, jitter=self.jitter,
                               standardize=(self.y_mean, self.y_std))


def _log_bounds(d: int, bounds: dict) -> list[tuple[float, float]]:
    b = {**DEFAULT_BOUNDS, **(bounds or {})}
    for key, (lo, hi) in b.items():
        if not 0 < lo < hi:
            raise ValueError(f"bounds[{key!r}] must satisfy 0 < low < high; got {(lo, hi)}")
    return ([tuple(map(math.log, b["length_scale"]))] * d
            + [tuple(map(math.log, b["signal_variance"])),
               tuple(map(math.log, b["noise_variance"]))])


def fit_gp(X, y, *, prior: bool = True, restarts: int = 3, rng=None, init=None,
           bounds: dict | None = None, jitter: float = 1e-10,
           fixed_noise: float | None = None) -> GaussianProcess:
    """Fit a GP to ``(X, y)``: standardise y, then choose θ = (log ℓ, log s², log σ_n²) by
    maximising log p(y | X, θ) (+ :func:`log_prior` if ``prior``) with L-BFGS-B and the
    analytic gradient, from ``restarts`` starting points, keeping the best (survey §6.6).

    The starting points are: ``init`` (a :class:`GPParams`, e.g. the previous fit — a warm
    start) if given, the default ℓ = 0.5, s² = 1, σ_n² = 0.01, then points drawn
    log-uniformly inside the bounds with ``rng``. ``fixed_noise`` fixes σ_n² instead of
    fitting it. Bounds default to :data:`DEFAULT_BOUNDS`.
    """
    X = _as_2d(X)
    y = np.asarray(y, dtype=float).reshape(-1)
    restarts = check_int("restarts", restarts, 1)
    n, d = X.shape
    if len(y) != n or n == 0:
        raise ValueError(f"X and y must hold the same number (≥ 1) of points; got {n} and "
                         f"{len(y)}")
    rng = np.random.default_rng(0) if rng is None else rng
    b = _log_bounds(d, bounds)
    lo, hi = np.array([v[0] for v in b]), np.array([v[1] for v in b])
    if fixed_noise is not None:
        fixed_noise = check_range("fixed_noise", fixed_noise, 0.0)
        lo[-1] = hi[-1] = math.log(max(fixed_noise, 1e-300))
    gp0 = GaussianProcess(X, y, GPParams(np.full(d, 0.5), 1.0, 0.01), jitter=jitter)
    ys = gp0.y_s

    def objective(theta):
        params = GPParams.from_theta(theta)
        try:
            value, grad = log_marginal_likelihood(X, ys, params, jitter=jitter, gradient=True)
        except linalg.LinAlgError:
            return 1e25, np.zeros_like(theta)
        if prior:
            pv, pg = log_prior(theta)
            value, grad = value + pv, grad + pg
        if fixed_noise is not None:
            grad = grad.copy()
            grad[-1] = 0.0
        return -value, -grad

    starts = []
    if init is not None:
        starts.append(np.clip(init.theta, lo, hi))
    starts.append(np.clip(gp0.params.theta, lo, hi))
    while len(starts) < restarts:
        starts.append(rng.uniform(lo, hi))
    best_theta, best_value = None, math.inf
    for theta0 in starts[:max(restarts, 1 + (init is not None))]:
        res = optimize.minimize(objective, theta0, jac=True, method="L-BFGS-B",
                                bounds=list(zip(lo, hi, strict=True)),
                                options={"maxiter": 200})
        if res.fun < best_value:
            best_theta, best_value = res.x, float(res.fun)
    if best_theta is None:  # every start failed: keep the default
        best_theta = starts[0]
    return GaussianProcess(X, y, GPParams.from_theta(best_theta), jitter=jitter)
