"""Experiments for RMSProp, Adam and exponentially weighted averages (survey §5.4–5.6, §3.5).

Pure functions (seeded, no plotting) behind notebooks 05.04 and 05.06. They reuse the one
definition of every formula: the update rules of :mod:`surveykit.optim.rules`, the EWA of
:mod:`surveykit.optim.ewa`, and the path runner of :mod:`surveykit.optim.experiments`.

§5.4–5.5 (notebook 05.04)

* :class:`RotatedQuadratic` — the ill-conditioned bowl turned by an angle, where
  per-parameter step sizes lose their advantage;
* :func:`adam_uncorrected_step` / :class:`AdamWithoutBiasCorrection` — the survey's Adam
  with the bias corrections left out, and :func:`uncorrected_step_ratio`, by how much that
  changes every step;
* :func:`steps_to_distance`, :func:`condition_sweep` — steps to reach the minimum against
  the condition number; :func:`step_record` — per-parameter effective learning rates;
* :func:`first_step_sizes`, :func:`form_gap` — where ε sits (inside or outside the root);
* :func:`adaptive_paths` — GD, RMSProp and both Adams from one start (the widget);
* :func:`weights_gap`, :func:`second_moment_estimates` — comparing trained Keras models.

§5.6 and §3.5 (notebook 05.06)

* :func:`noisy_signal` — a year of noisy "daily temperatures" with a known truth;
* :func:`ewa_lag`, :func:`ewa_noise_factor` — the two sides of β's trade-off (theory), and
  :func:`measure_lag`, :func:`measure_noise_factor`, :func:`best_shift`,
  :func:`beta_tradeoff` — the same measured;
* :func:`window_table` — the "about 1/(1 − β) observations" rule in numbers;
* :func:`keras_slots` — the state Keras' Adam, RMSprop and momentum SGD keep, step by step
  (their m and v are EWAs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..validation import check_int, check_range
from .ewa import (
    bias_correct,
    effective_window,
    ewa,
    ewa_update,
    half_life,
    weight_in_last,
)
from .experiments import Path, run_path, settle_step
from .numpy_optimizer import NumpyOptimizer, optimize
from .rules import SGD, Adam, RMSProp, adam_keras_step, adam_paper_step, adam_survey_step
from .surfaces import Quadratic

__all__ = [
    # §5.4–5.5
    "RotatedQuadratic",
    "adam_uncorrected_step",
    "AdamWithoutBiasCorrection",
    "uncorrected_step_ratio",
    "steps_to_distance",
    "condition_sweep",
    "step_record",
    "first_step_sizes",
    "form_gap",
    "adaptive_paths",
    "weights_gap",
    "second_moment_estimates",
    # §5.6, §3.5
    "noisy_signal",
    "ewa_lag",
    "ewa_noise_factor",
    "measure_lag",
    "measure_noise_factor",
    "best_shift",
    "lag_noise_curve",
    "beta_tradeoff",
    "window_table",
    "noisy_losses",
    "keras_slots",
]

ADAM_FORMS = {"survey": adam_survey_step, "paper": adam_paper_step, "keras": adam_keras_step}


# ========================================================================================
# §5.4–5.5: RMSProp and Adam
# ========================================================================================


class RotatedQuadratic:
    """The bowl ``L(w) = ½ wᵀ H w`` with ``H = R diag(a, b) Rᵀ``, ``R`` a rotation by ``angle``°.

    With ``angle = 0`` it is :class:`~surveykit.optim.surfaces.Quadratic` (``a``, ``b``):
    its valley runs along a coordinate axis, so RMSProp's and Adam's per-parameter step
    sizes (survey §5.4–5.5) can match each coordinate's curvature. Turned by 45° every
    coordinate sees both curvatures and that advantage is gone. Condition number ``b/a``.
    """

    def __init__(self, a: float = 1.0, b: float = 100.0, angle: float = 45.0):
        self.a = check_range("a", a, 0.0, math.inf, low_closed=False)
        self.b = check_range("b", b, 0.0, math.inf, low_closed=False)
        self.angle = check_range("angle", angle, -180.0, 180.0)
        c, s = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        rotation = np.array([[c, -s], [s, c]])
        self.hessian = rotation @ np.diag([self.a, self.b]) @ rotation.T
        self.minimum = np.zeros(2)

    def loss(self, w):
        w = np.asarray(w, dtype=float)
        return 0.5 * np.einsum("...i,ij,...j->...", w, self.hessian, w)

    def grad(self, w):
        return self.hessian @ np.asarray(w, dtype=float)

    def __repr__(self) -> str:
        return f"RotatedQuadratic(a={self.a}, b={self.b}, angle={self.angle})"


def adam_uncorrected_step(g, m, v, *, lr, t, beta_1, beta_2, epsilon, xp=np):
    """The survey's Adam (§5.5) **without** its bias corrections: ``w −= η m_t / √(v_t + ε)``.

    The same EWAs ``m_t``, ``v_t`` as :func:`~surveykit.optim.rules.adam_survey_step`, used
    raw instead of ``m̂_t = m_t/(1 − β₁ᵗ)`` and ``v̂_t = v_t/(1 − β₂ᵗ)`` (``t`` is unused,
    kept for the common signature). For ε → 0 every step is the corrected one times
    :func:`uncorrected_step_ratio`.
    """
    m = ewa_update(m, g, beta_1)
    v = ewa_update(v, xp.square(g), beta_2)
    return lr * m / xp.sqrt(v + epsilon), m, v


class AdamWithoutBiasCorrection(Adam):
    """:class:`~surveykit.optim.rules.Adam` (survey form) with the bias correction left out.

    For experiments only (:func:`adam_uncorrected_step`); no Keras optimizer computes this.
    """

    forms = ("survey",)

    def __init__(self, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8):
        super().__init__(beta_1, beta_2, epsilon, form="survey")

    def update(self, g, state, *, lr, t, xp=np):
        delta, m, v = adam_uncorrected_step(g, state[0], state[1], lr=lr, t=t,
                                            beta_1=self.beta_1, beta_2=self.beta_2,
                                            epsilon=self.epsilon, xp=xp)
        return delta, (m, v)

    def hyperparameters(self) -> dict:
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


def uncorrected_step_ratio(beta_1: float, beta_2: float, t) -> np.ndarray:
    """Uncorrected over corrected Adam step at step ``t`` (ε → 0): ``(1 − β₁ᵗ) / √(1 − β₂ᵗ)``.

    Exact for *any* gradient sequence, since ``m_t = (1 − β₁ᵗ) m̂_t`` and
    ``√v_t = √(1 − β₂ᵗ) √v̂_t``. With the survey's defaults (β₁ = 0.9, β₂ = 0.999) it is
    3.16 at t = 1 and peaks at 6.57 at t = 12: without correction Adam's first
    steps are several times **too large**. The numerator alone (``1 − β₁ᵗ``, what an EWA
    of the gradient suffers, as in momentum) makes them too small.
    """
    b1 = check_range("beta_1", beta_1, 0.0, 1.0, high_closed=False)
    b2 = check_range("beta_2", beta_2, 0.0, 1.0, high_closed=False)
    t = np.asarray(t, dtype=float)
    if np.any(t < 1):
        raise ValueError(f"t must be a step count ≥ 1; got {t.min()!r}")
    return (1 - b1**t) / np.sqrt(1 - b2**t)


def steps_to_distance(optimizer: NumpyOptimizer, surface, w0, *, tol: float = 1e-2,
                      max_steps: int = 20000) -> int | None:
    """Steps until ``‖w − w*‖ ≤ tol · ‖w0 − w*‖`` holds for good; None if never (or diverged).

    A distance rather than a loss criterion: it does not change when a coordinate's
    curvature is rescaled, which is what per-parameter step sizes are about.
    Uses :func:`~surveykit.optim.experiments.run_path` and
    :func:`~surveykit.optim.experiments.settle_step`.
    """
    tol = check_range("tol", tol, 0.0, 1.0, low_closed=False, high_closed=False)
    path = run_path(optimizer, surface, w0, max_steps)
    if path.diverged:
        return None
    d = np.linalg.norm(path.points - surface.minimum, axis=1)
    return settle_step(d / d[0], tol)


def condition_sweep(kappas: Sequence[float], *, learning_rate: float = 0.01,
                    w0=(-2.0, 1.0), angle: float = 45.0, tol: float = 1e-2,
                    max_steps: int = 20000) -> dict:
    """Steps to reach the minimum against the condition number κ = b/a (a = 1).

    For each κ, on the axis-aligned bowl (:class:`~surveykit.optim.surfaces.Quadratic`)
    and on the same bowl rotated by ``angle`` (:class:`RotatedQuadratic`): gradient descent
    with its best constant rate ``η = 2/(a + b)``, RMSProp (β = 0.9, ε = 1e-8) and the
    survey's Adam (defaults), both with ``learning_rate``. Returns
    ``{"kappa": [...], "axis": {name: [steps…]}, "rotated": {name: [steps…]}}``
    (None where a run had not reached ``tol`` within ``max_steps``).
    """
    kappas = [check_range("kappa", k, 1.0, math.inf) for k in kappas]
    out = {"kappa": kappas, "axis": {}, "rotated": {}, "learning_rate": learning_rate,
           "angle": angle, "tol": tol}
    names = ("gradient descent (best η)", "RMSProp", "Adam")
    for key in ("axis", "rotated"):
        out[key] = {name: [] for name in names}
        for k in kappas:
            surface = Quadratic(1.0, k) if key == "axis" else RotatedQuadratic(1.0, k, angle)
            optimizers = (NumpyOptimizer(SGD(), 2.0 / (1.0 + k)),
                          NumpyOptimizer(RMSProp(0.9), learning_rate),
                          NumpyOptimizer(Adam(), learning_rate))
            for name, opt in zip(names, optimizers, strict=True):
                out[key][name].append(steps_to_distance(opt, surface, w0, tol=tol,
                                                        max_steps=max_steps))
    return out


def step_record(optimizer: NumpyOptimizer, surface, w0, n_steps: int) -> dict:
    """Run ``n_steps`` updates and keep every point, gradient and update.

    Returns ``{"points": (n+1, 2), "grads": (n, 2), "deltas": (n, 2)}`` with
    ``w_{t} = w_{t−1} − delta_t``. For RMSProp ``delta/grad`` is exactly each parameter's
    effective learning rate ``η/√(s_t + ε)`` (survey §5.4); for gradient descent it is η.
    """
    n_steps = check_int("n_steps", n_steps, low=1)
    optimizer.reset()
    w = np.asarray(w0, dtype=float)
    points, grads, deltas = [w], [], []
    for _ in range(n_steps):
        g = surface.grad(optimizer.lookahead(w))
        new = optimizer.step(w, g)
        grads.append(g)
        deltas.append(w - new)
        points.append(new)
        w = new
    return {"points": np.asarray(points), "grads": np.asarray(grads),
            "deltas": np.asarray(deltas)}


def first_step_sizes(grad_magnitudes, *, epsilon: float = 1e-8, learning_rate: float = 1.0,
                     beta_1: float = 0.9, beta_2: float = 0.999) -> dict:
    """Adam's first step ``|Δw|`` for a gradient of each magnitude, in each form of ε.

    At ``t = 1`` (``m = v = 0``) the bias-corrected moments are ``m̂ = g`` and ``v̂ = g²``, so
    the survey's form steps ``η|g|/√(g² + ε)``, the paper's ``η|g|/(|g| + ε)`` and Keras'
    ``η|g|/(|g| + ε/√(1 − β₂))``. Computed with the rules' own step functions. The survey's
    step has a floor of √ε on its denominator (1e-4 for ε = 1e-8), the paper's of ε:
    for gradients below √ε the survey's Adam takes *smaller* steps than the paper's.
    Returns ``{"grad": |g|, "survey": …, "paper": …, "keras": …}``.
    """
    eps = check_range("epsilon", epsilon, 0.0, math.inf, low_closed=False)
    g = np.abs(np.asarray(grad_magnitudes, dtype=float))
    zeros = np.zeros_like(g)
    out = {"grad": g}
    for form, step in ADAM_FORMS.items():
        delta, _, _ = step(g, zeros, zeros, lr=learning_rate, t=1.0, beta_1=beta_1,
                           beta_2=beta_2, epsilon=eps)
        out[form] = np.abs(delta)
    return out


def form_gap(epsilons: Sequence[float], surface, w0, *, learning_rate: float = 0.05,
             n_steps: int = 300, reference: str = "paper") -> np.ndarray:
    """Largest distance between the survey's Adam path and another form's, for each ε.

    Both runs start at ``w0`` with the same η and the survey's β's; returns
    ``max_t ‖w_t(survey) − w_t(reference)‖`` per ε (``reference`` is ``"paper"`` or
    ``"keras"``). Tends to 0 as ε → 0 (the forms coincide) and is large for a large ε.
    """
    if reference not in ("paper", "keras"):
        raise ValueError(f"reference must be one of ['paper', 'keras']; got {reference!r}")
    gaps = []
    for eps in epsilons:
        survey = run_path(NumpyOptimizer(Adam(epsilon=eps), learning_rate), surface, w0, n_steps)
        other = run_path(NumpyOptimizer(Adam(epsilon=eps, form=reference), learning_rate),
                         surface, w0, n_steps)
        n = min(len(survey.points), len(other.points))
        gaps.append(float(np.max(np.linalg.norm(survey.points[:n] - other.points[:n], axis=1))))
    return np.asarray(gaps)


def adaptive_paths(surface, w0, *, learning_rate: float = 0.1, gd_learning_rate: float = 0.019,
                   beta: float = 0.9, beta_1: float = 0.9, beta_2: float = 0.999,
                   epsilon: float = 1e-8, n_steps: int = 100,
                   bias_correction: bool = True) -> dict[str, Path]:
    """Gradient descent, RMSProp and Adam (survey and paper forms) from one start.

    GD uses ``gd_learning_rate`` (on an ill-conditioned bowl it must stay below
    ``2/b``); the adaptive rules share ``learning_rate``, ``epsilon``, RMSProp's ``beta``
    and Adam's ``beta_1``/``beta_2``. With ``bias_correction=False`` the survey's Adam
    runs without it (:class:`AdamWithoutBiasCorrection`). Returns label → Path.
    """
    adam = (Adam(beta_1, beta_2, epsilon) if bias_correction
            else AdamWithoutBiasCorrection(beta_1, beta_2, epsilon))
    tag = "" if bias_correction else ", no bias correction"
    runs = {
        f"GD η={gd_learning_rate:g}": NumpyOptimizer(SGD(), gd_learning_rate),
        f"RMSProp η={learning_rate:g}": NumpyOptimizer(RMSProp(beta, epsilon), learning_rate),
        f"Adam survey (ε inside √){tag}": NumpyOptimizer(adam, learning_rate),
        "Adam paper (ε outside √)": NumpyOptimizer(Adam(beta_1, beta_2, epsilon, form="paper"),
                                                   learning_rate),
    }
    return {label: run_path(opt, surface, w0, n_steps) for label, opt in runs.items()}


def weights_gap(weights, reference) -> dict:
    """How far two lists of weight arrays are apart.

    ``max_abs`` is the largest ``|a − b|``; ``max_rel`` the largest, over tensors, of
    ``max|a − b| / max|b|`` (relative to the tensor's scale, so tiny weights do not blow
    it up). Both 0.0 for bit-identical weights.
    """
    weights, reference = list(weights), list(reference)
    if len(weights) != len(reference):
        raise ValueError(f"weights and reference must have the same length; got "
                         f"{len(weights)} and {len(reference)}")
    max_abs = max_rel = 0.0
    for a, b in zip(weights, reference, strict=True):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if a.shape != b.shape:
            raise ValueError(f"weight shapes differ: {a.shape} and {b.shape}")
        diff = float(np.max(np.abs(a - b))) if a.size else 0.0
        max_abs = max(max_abs, diff)
        scale = float(np.max(np.abs(b))) if b.size else 0.0
        max_rel = max(max_rel, diff / scale if scale > 0 else (0.0 if diff == 0 else math.inf))
    return {"max_abs": max_abs, "max_rel": max_rel}


def second_moment_estimates(optimizer) -> np.ndarray:
    """All bias-corrected second moments ``v̂ = v/(1 − β₂ᵗ)`` of a trained Adam, flattened.

    ``optimizer`` is a ``keras.optimizers.Adam`` or a :class:`~surveykit.optim.KerasOptimizer`
    running an :class:`~surveykit.optim.rules.Adam` rule, after training (``t`` is its
    ``iterations``). Used to count the weights whose ``√v̂`` is below ``√ε``, where the
    survey's placement of ε changes the step.
    """
    t = int(optimizer.iterations.numpy())
    if t < 1:
        raise ValueError("the optimizer has not taken a step yet (iterations = 0)")
    if hasattr(optimizer, "rule"):
        if not isinstance(optimizer.rule, Adam):
            raise ValueError(f"expected an Adam rule; got {optimizer.rule!r}")
        slots = optimizer._state_slots[optimizer.rule.slots.index("v")]
        beta_2 = optimizer.rule.beta_2
    elif hasattr(optimizer, "_velocities") and hasattr(optimizer, "beta_2"):
        slots, beta_2 = optimizer._velocities, optimizer.beta_2
    else:
        raise ValueError(f"expected a Keras Adam or a KerasOptimizer(Adam(...)); got "
                         f"{type(optimizer).__name__}")
    v = np.concatenate([np.asarray(s.numpy(), dtype=float).ravel() for s in slots])
    return bias_correct(v, float(beta_2), t)


# ========================================================================================
# §5.6 and §3.5: exponentially weighted averages
# ========================================================================================


def noisy_signal(n: int = 365, *, noise_sd: float = 3.0, seed: int = 0):
    """A year of noisy daily "temperatures": ``(t, truth, x)`` with ``x = truth + noise``.

    ``truth_t = 12 − 8 cos(2π (t − 15)/365)`` (°C, coldest mid-January), noise Gaussian
    with standard deviation ``noise_sd``; ``t = 1 … n``. A series far from 0, so the zero
    start of an EWA (§5.6) shows plainly.
    """
    n = check_int("n", n, low=2)
    noise_sd = check_range("noise_sd", noise_sd, 0.0, math.inf)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    t = np.arange(1, n + 1, dtype=float)
    truth = 12.0 - 8.0 * np.cos(2 * np.pi * (t - 15.0) / 365.0)
    return t, truth, truth + noise_sd * rng.standard_normal(n)


def ewa_lag(beta) -> float:
    """How many steps an EWA trails a linear trend, in the long run: ``β/(1 − β)``.

    The mean age ``Σ_k k (1 − β) βᵏ`` of the observations in the average (survey §5.6):
    0.9 → 9 steps, 0.98 → 49. Smoothing more (β → 1) costs delay.
    """
    beta = check_range("beta", beta, 0.0, 1.0, high_closed=False)
    return beta / (1.0 - beta)


def ewa_noise_factor(beta) -> float:
    """Std of the (long-run) EWA of white noise over the noise's: ``√((1 − β)/(1 + β))``.

    ``Var v = σ² (1 − β)² Σ β²ᵏ = σ² (1 − β)/(1 + β)``: 0.23 for β = 0.9, 0.10 for 0.98.
    """
    beta = check_range("beta", beta, 0.0, 1.0, high_closed=False)
    return math.sqrt((1.0 - beta) / (1.0 + beta))


def measure_lag(beta, n: int | None = None) -> float:
    """Measured delay of the bias-corrected EWA behind the ramp ``x_t = t``: ``x_n − v̂_n``.

    ``n`` defaults to ``20/(1 − β)`` steps (long enough for the start to be forgotten).
    Compare with :func:`ewa_lag`.
    """
    beta = check_range("beta", beta, 0.0, 1.0, high_closed=False)
    n = check_int("n", n if n is not None else math.ceil(20 / (1 - beta)), low=1)
    ramp = np.arange(1, n + 1, dtype=float)
    return float(ramp[-1] - ewa(ramp, beta, bias_correction=True)[-1])


def measure_noise_factor(beta, *, n: int = 20000, seed: int = 0) -> float:
    """Measured ``std(EWA of white noise) / σ`` after a burn-in of ``10/(1 − β)`` steps.

    Compare with :func:`ewa_noise_factor`.
    """
    beta = check_range("beta", beta, 0.0, 1.0, high_closed=False)
    n = check_int("n", n, low=2)
    burn = math.ceil(10 / (1 - beta))
    if burn >= n:
        raise ValueError(f"n must exceed the burn-in 10/(1 − β) = {burn}; got {n}")
    noise = np.random.default_rng(check_int("seed", seed, low=0)).standard_normal(n)
    return float(np.std(ewa(noise, beta)[burn:]))


def lag_noise_curve(betas: Sequence[float], *, n_noise: int = 20000, seed: int = 0) -> dict:
    """Both sides of β's trade-off, measured and in theory, for each β (survey §5.6).

    ``lag`` (:func:`measure_lag`) against ``lag_theory`` (:func:`ewa_lag`), and ``noise``
    (:func:`measure_noise_factor`, on ``n_noise`` steps of unit white noise) against
    ``noise_theory`` (:func:`ewa_noise_factor`). Returns a dict of arrays.
    """
    betas = [check_range("beta", b, 0.0, 1.0, high_closed=False) for b in betas]
    return {
        "beta": np.asarray(betas),
        "lag": np.asarray([measure_lag(b) for b in betas]),
        "lag_theory": np.asarray([ewa_lag(b) for b in betas]),
        "noise": np.asarray([measure_noise_factor(b, n=n_noise, seed=seed) for b in betas]),
        "noise_theory": np.asarray([ewa_noise_factor(b) for b in betas]),
    }


def best_shift(average, truth, *, max_shift: int = 100) -> int:
    """The delay ``s`` (0 … max_shift) for which ``average_t`` best matches ``truth_{t−s}``.

    Least mean squared difference over the overlapping part: how far behind the truth an
    average runs on a real series (not only on a ramp).
    """
    average, truth = np.asarray(average, dtype=float), np.asarray(truth, dtype=float)
    if average.shape != truth.shape or average.ndim != 1:
        raise ValueError(f"average and truth must be 1-D of the same length; got "
                         f"{average.shape} and {truth.shape}")
    max_shift = check_int("max_shift", max_shift, low=0, high=len(truth) - 2)
    errors = [np.mean((average[s:] - truth[: len(truth) - s]) ** 2)
              for s in range(max_shift + 1)]
    return int(np.argmin(errors))


def beta_tradeoff(betas: Sequence[float], truth, x) -> dict:
    """Lag against smoothness, measured on a noisy series for each β (survey §5.6).

    For the bias-corrected EWA of ``x``: ``rmse`` against the noiseless ``truth``,
    ``residual_sd`` (standard deviation of the average minus the truth shifted by the
    measured lag: what noise is left), ``lag`` (:func:`best_shift`), with the theory
    ``lag_theory`` (:func:`ewa_lag`) and ``noise_theory`` (σ · :func:`ewa_noise_factor`,
    σ estimated as ``std(x − truth)``). Returns a dict of arrays plus ``best_beta`` (least
    rmse).
    """
    truth, x = np.asarray(truth, dtype=float), np.asarray(x, dtype=float)
    betas = [check_range("beta", b, 0.0, 1.0, high_closed=False) for b in betas]
    sigma = float(np.std(x - truth))
    rows = {"beta": np.asarray(betas), "rmse": [], "residual_sd": [], "lag": [],
            "lag_theory": [], "noise_theory": []}
    for b in betas:
        avg = ewa(x, b, bias_correction=True)
        lag = best_shift(avg, truth, max_shift=min(100, len(x) // 3))
        rows["rmse"].append(float(np.sqrt(np.mean((avg - truth) ** 2))))
        rows["residual_sd"].append(float(np.std(avg[lag:] - truth[: len(truth) - lag])))
        rows["lag"].append(lag)
        rows["lag_theory"].append(ewa_lag(b))
        rows["noise_theory"].append(sigma * ewa_noise_factor(b))
    out = {k: np.asarray(v) for k, v in rows.items()}
    out["best_beta"] = float(out["beta"][int(np.argmin(out["rmse"]))])
    out["noise_sd"] = sigma
    return out


def window_table(betas: Sequence[float]) -> dict:
    """The "about 1/(1 − β) observations" rule, made concrete for each β.

    Columns: ``window`` ``n = 1/(1 − β)``; ``mass_in_window`` (share of the weight on the
    last n observations, ``1 − βⁿ`` → 1 − 1/e ≈ 0.632); ``oldest_weight_ratio`` (weight of
    the observation n steps back relative to the newest, ``βⁿ`` → 1/e ≈ 0.368);
    ``half_life`` (steps for a weight to halve). All from :mod:`surveykit.optim.ewa`.
    """
    betas = [check_range("beta", b, 0.0, 1.0, low_closed=False, high_closed=False)
             for b in betas]
    out = {"beta": np.asarray(betas), "window": [], "mass_in_window": [],
           "oldest_weight_ratio": [], "half_life": []}
    for b in betas:
        n = effective_window(b)
        out["window"].append(n)
        out["mass_in_window"].append(weight_in_last(b))
        out["oldest_weight_ratio"].append(1.0 - weight_in_last(b))
        out["half_life"].append(half_life(b))
    return {k: np.asarray(v) for k, v in out.items()}


def noisy_losses(rule, learning_rate, surface, *, w0, noise_sd: float, n_steps: int,
                 n_runs: int = 200, seed: int = 0) -> np.ndarray:
    """Mean loss over ``n_runs`` runs of ``rule`` with noisy gradients, at each step.

    The gradient at every step is ``∇L(w) + σξ`` with fresh standard-normal ξ; ``rule``
    (e.g. the survey's :class:`~surveykit.optim.rules.Adam`) runs in a
    :class:`~surveykit.optim.NumpyOptimizer` with ``learning_rate`` a number or a schedule
    (§3.5: "learning rate schedule with EWA … coupled with warm restarts or decay").
    ``surface.grad`` must accept ``(2, n_runs)`` arrays (the runs advance together), as
    :class:`~surveykit.optim.surfaces.Quadratic`'s does. The same experiment as
    :func:`surveykit.optim.schedule_plots.noisy_quadratic_losses`, for any rule.
    Returns ``n_steps + 1`` mean losses (step 0 = the start).
    """
    noise_sd = check_range("noise_sd", noise_sd, 0.0, math.inf)
    n_runs = check_int("n_runs", n_runs, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    start = np.repeat(np.asarray(w0, dtype=float).reshape(2, 1), n_runs, axis=1)

    def noisy_grad(w):
        return surface.grad(w) + noise_sd * rng.standard_normal(w.shape)

    path = optimize(NumpyOptimizer(rule, learning_rate), noisy_grad, start, n_steps)
    return surface.loss(np.moveaxis(path, 1, -1)).mean(axis=1)


def keras_slots(grads, *, learning_rate: float = 0.01, beta_1: float = 0.9,
                beta_2: float = 0.999, rho: float = 0.9, momentum: float = 0.9) -> dict:
    """Feed the gradient sequence ``grads`` (shape ``(T, d)``) to Keras' optimizers; record state.

    Keras' ``Adam(beta_1, beta_2)``, ``RMSprop(rho)`` and ``SGD(momentum)`` each update one
    float64 variable with ``grads[t]`` at step t. Returns ``(T, d)`` arrays of their state
    after every step: ``adam_m`` and ``adam_v`` (Adam's first and second moments),
    ``rmsprop_s`` (RMSprop's mean square) and ``sgd_m`` (SGD's momentum buffer).
    The first three are EWAs (survey §5.6, uncorrected) of g, g² and g²; the last is
    ``−η/(1 − β)`` times the EWA of g (classic momentum sums rather than averages).
    Imports Keras.
    """
    import keras

    grads = np.asarray(grads, dtype="float64")
    if grads.ndim != 2:
        raise ValueError(f"grads must have shape (T, d); got {grads.shape}")
    optimizers = {
        "adam": keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2),
        "rmsprop": keras.optimizers.RMSprop(learning_rate, rho=rho),
        "sgd": keras.optimizers.SGD(learning_rate, momentum=momentum),
    }
    readers = {
        "adam_m": lambda o: o["adam"]._momentums[0],
        "adam_v": lambda o: o["adam"]._velocities[0],
        "rmsprop_s": lambda o: o["rmsprop"]._velocities[0],
        "sgd_m": lambda o: o["sgd"].momentums[0],
    }
    variables = {name: keras.Variable(np.zeros(grads.shape[1]), dtype="float64")
                 for name in optimizers}
    out = {key: [] for key in readers}
    for g in grads:
        tensor = keras.ops.convert_to_tensor(g, dtype="float64")
        for name, opt in optimizers.items():
            opt.apply([tensor], [variables[name]])
        for key, read in readers.items():
            out[key].append(np.asarray(read(optimizers).numpy(), dtype=float).copy())
    return {key: np.asarray(v) for key, v in out.items()}
