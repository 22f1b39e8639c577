"""Experiments for notebooks 05.01 (mini-batch GD and SGD, survey §5.1–5.2) and 05.03
(momentum and Nesterov, §5.3 and §3.4).

Every function here *computes* (plots are in :mod:`surveykit.optim.plots`) and uses the
update rules of :mod:`surveykit.optim.rules` through :class:`~surveykit.optim.NumpyOptimizer`,
the small network of :mod:`surveykit.optim.numpy_net` and the surfaces of
:mod:`surveykit.optim.surfaces`; nothing re-implements an update rule.

§5.1–5.2
    :func:`per_example_gradients`, :func:`gradient_noise_law` (the variance of a mini-batch
    gradient drawn without replacement), :func:`measure_gradient_noise`,
    :func:`train_minibatch` (full-data loss after every update, time per epoch),
    :func:`learning_rate_sweep`, :func:`updates_to_reach`, :func:`activation_memory`,
    :func:`neuron_minibatch_epoch`, :class:`TiltedDoubleWell` and
    :func:`escape_experiment` (does gradient noise help escape a local minimum?).
§5.3
    :func:`run_path` (a path with its look-ahead points and divergence detection),
    :func:`keras_path`, :func:`momentum_paths`, :func:`settle_step`,
    :func:`steps_to_tolerance`, :func:`grid_paths` (many learning rates at once),
    :func:`constant_slope_steps`, :func:`travel_ratio`, :func:`stability_limit`,
    :func:`heavy_ball_tuning`, :func:`condition_number_for_beta`, :func:`beta_sweep`,
    :class:`DentedSlope`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import foundations
from ..validation import check_choice, check_int, check_range
from . import numpy_net
from .numpy_optimizer import NumpyOptimizer
from .rules import SGD, Momentum, Nesterov

__all__ = [
    # §5.1–5.2
    "flatten",
    "per_example_gradients",
    "gradient_noise_law",
    "measure_gradient_noise",
    "MinibatchRun",
    "train_minibatch",
    "learning_rate_sweep",
    "neuron_minibatch_epoch",
    "updates_to_reach",
    "activation_memory",
    "TiltedDoubleWell",
    "escape_experiment",
    # §5.3
    "Path",
    "run_path",
    "keras_path",
    "momentum_paths",
    "steps_to_tolerance",
    "settle_step",
    "grid_paths",
    "constant_slope_steps",
    "travel_ratio",
    "stability_limit",
    "heavy_ball_tuning",
    "condition_number_for_beta",
    "beta_sweep",
    "DentedSlope",
]


# ========================================================================================
# §5.1–5.2: mini-batch gradient descent and SGD
# ========================================================================================


def flatten(grads) -> np.ndarray:
    """All entries of a dict of arrays (a network's gradients) as one vector, in key order."""
    if isinstance(grads, dict):
        return np.concatenate([np.ravel(grads[k]) for k in grads])
    return np.ravel(np.asarray(grads, dtype=float))


def per_example_gradients(params: dict, X, y, *, activation: str = "tanh") -> np.ndarray:
    """The gradient of each example's loss, shape ``(N, P)`` (one flattened row per example).

    Row ``i`` is ``∇_w L(x⁽ⁱ⁾, y⁽ⁱ⁾)``, the gradient SGD (survey §5.2) steps along; it is
    computed by :func:`~surveykit.optim.numpy_net.mlp_loss_and_grads` on the one example.
    The full-batch gradient is their mean (the loss is a mean over examples).
    """
    X = np.asarray(X)
    y = np.asarray(y).reshape(-1)
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X and y must hold the same number (≥ 1) of examples; "
                         f"got {len(X)} and {len(y)}")
    rows = [flatten(numpy_net.mlp_loss_and_grads(params, X[i:i + 1], y[i:i + 1],
                                                  activation=activation)[1])
            for i in range(len(X))]
    return np.stack(rows)


def gradient_noise_law(per_example: np.ndarray, batch_size: int) -> float:
    """Expected squared distance of a mini-batch gradient from the full gradient, §5.1–5.2.

    For a mini-batch ``B`` of ``m`` examples drawn **without replacement** from ``N`` (one
    batch of a shuffled epoch), the mini-batch gradient ``g_B`` is an unbiased estimate of
    the full gradient ``g`` and

    ``E‖g_B − g‖² = (tr Σ / m) · (N − m)/(N − 1)``,  ``tr Σ = (1/N) Σ_i ‖g_i − g‖²``

    (sampling without replacement from a finite population; ``Σ`` is the per-example
    gradients' covariance with ``ddof = 0``). ``m = 1`` (SGD) gives ``tr Σ``; ``m = N``
    (full batch) gives 0; for ``m ≪ N`` it is the familiar ``σ²/m``.
    """
    G = np.asarray(per_example, dtype=float)
    if G.ndim != 2 or len(G) < 2:
        raise ValueError(f"per_example must have shape (N, P) with N ≥ 2; got {G.shape}")
    n = len(G)
    m = check_int("batch_size", batch_size, low=1, high=n)
    trace = float(np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1)))
    return trace / m * (n - m) / (n - 1)


def measure_gradient_noise(params: dict, X, y, batch_sizes: Sequence[int], *,
                           n_draws: int = 500, seed: int = 0,
                           activation: str = "tanh") -> dict:
    """Draw mini-batches and measure how far their gradients fall from the full gradient.

    For each ``m`` in ``batch_sizes``, mini-batches come from shuffled epochs
    (:func:`~surveykit.optim.numpy_net.minibatches`; only full-size batches are kept)
    until ``n_draws`` are collected; each gradient is computed on the batch by
    :func:`~surveykit.optim.numpy_net.mlp_loss_and_grads`. Returns arrays over batch sizes:
    ``measured`` (mean of ``‖g_B − g‖²``), ``sem`` (its standard error), ``theory``
    (:func:`gradient_noise_law`), and the scalars ``grad_norm2 = ‖g‖²`` and ``n``.
    """
    X = np.asarray(X)
    y = np.asarray(y).reshape(-1)
    n = len(X)
    n_draws = check_int("n_draws", n_draws, low=2)
    sizes = [check_int("batch_size", m, low=1, high=n) for m in batch_sizes]
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    g_full = flatten(numpy_net.mlp_loss_and_grads(params, X, y, activation=activation)[1])
    per_example = per_example_gradients(params, X, y, activation=activation)
    measured, sem, theory = [], [], []
    for m in sizes:
        dist2 = []
        while len(dist2) < n_draws:
            for idx in numpy_net.minibatches(n, m, rng=rng):
                if len(idx) == m and len(dist2) < n_draws:
                    g = flatten(numpy_net.mlp_loss_and_grads(params, X[idx], y[idx],
                                                             activation=activation)[1])
                    dist2.append(float(np.sum((g - g_full) ** 2)))
        dist2 = np.asarray(dist2)
        measured.append(dist2.mean())
        sem.append(dist2.std(ddof=1) / math.sqrt(len(dist2)))
        theory.append(gradient_noise_law(per_example, m))
    return {"batch_sizes": np.asarray(sizes), "measured": np.asarray(measured),
            "sem": np.asarray(sem), "theory": np.asarray(theory),
            "grad_norm2": float(g_full @ g_full), "n": n, "n_draws": n_draws}


@dataclass
class MinibatchRun:
    """One training run of :func:`train_minibatch`.

    ``loss`` holds the **full training-set** loss before training and after every update
    (length ``updates + 1``); ``batch_loss`` the mini-batch loss each update stepped on;
    ``epoch_times`` the seconds spent computing gradients and updating in each epoch (the
    full-data loss evaluations are not timed). ``diverged_at`` is the update whose loss was
    not finite (then ``loss`` stops before it).
    """

    batch_size: int
    learning_rate: float
    updates_per_epoch: int
    loss: np.ndarray
    batch_loss: np.ndarray
    epoch_times: np.ndarray
    diverged_at: int | None = None
    params: dict = field(default_factory=dict, repr=False)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def updates(self) -> int:
        return len(self.loss) - 1

    @property
    def epochs_axis(self) -> np.ndarray:
        """Training progress of each entry of ``loss`` in epochs (0, 1/k, 2/k, …)."""
        return np.arange(len(self.loss)) / self.updates_per_epoch

    @property
    def loss_per_epoch(self) -> np.ndarray:
        """Full training loss at the start and at the end of each completed epoch."""
        return self.loss[:: self.updates_per_epoch]

    def increase_fraction(self) -> float:
        """Fraction of updates after which the full training loss went *up* (§5.2's noise)."""
        return float(np.mean(np.diff(self.loss) > 0)) if self.updates else 0.0


def train_minibatch(optimizer: NumpyOptimizer, params: dict, X, y, *, batch_size: int,
                    epochs: int, seed: int = 0, activation: str = "tanh",
                    record_every_update: bool = True,
                    stop_loss: float | None = None) -> MinibatchRun:
    """Mini-batch training (survey §5.1; ``batch_size = 1`` is SGD §5.2, ``= N`` full batch).

    The same loop as :func:`~surveykit.optim.numpy_net.train_mlp` (batches from
    :func:`~surveykit.optim.numpy_net.minibatches`, reshuffled each epoch; gradient at
    ``optimizer.lookahead``; ``optimizer.step``), and in addition it records the loss on the
    **whole** training set after every update (``record_every_update=False``: after every
    epoch only, faster) and times each epoch's gradient and update work. With
    ``stop_loss``, training stops at the end of the first epoch whose full training loss
    is at or below it. The optimizer is reset first.
    """
    X = np.asarray(X)
    y = np.asarray(y).reshape(-1)
    n = len(X)
    batch_size = check_int("batch_size", batch_size, low=1, high=n)
    epochs = check_int("epochs", epochs, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    optimizer.reset()
    per_epoch = math.ceil(n / batch_size)
    losses = [numpy_net.mlp_loss(params, X, y, activation=activation)]
    batch_losses, times = [], []
    diverged_at = None
    for _ in range(epochs):
        spent = 0.0
        batches = numpy_net.minibatches(n, batch_size, rng=rng)
        for k, idx in enumerate(batches):
            start = time.perf_counter()
            point = optimizer.lookahead(params)
            loss, grads = numpy_net.mlp_loss_and_grads(point, X[idx], y[idx],
                                                       activation=activation)
            params = optimizer.step(params, grads)
            spent += time.perf_counter() - start
            batch_losses.append(loss)
            if record_every_update or k == len(batches) - 1:
                full = numpy_net.mlp_loss(params, X, y, activation=activation)
                if not np.isfinite(full):
                    diverged_at = len(batch_losses)
                    break
                if record_every_update:
                    losses.append(full)
                else:
                    losses.extend([np.nan] * (len(batches) - 1) + [full])
        times.append(spent)
        if diverged_at is not None or (stop_loss is not None and losses[-1] <= stop_loss):
            break
    return MinibatchRun(batch_size=batch_size, learning_rate=optimizer.learning_rate,
                        updates_per_epoch=per_epoch, loss=np.asarray(losses),
                        batch_loss=np.asarray(batch_losses), epoch_times=np.asarray(times),
                        diverged_at=diverged_at, params=params)


def updates_to_reach(losses, target: float) -> int | None:
    """Index of the first entry of ``losses`` at or below ``target`` (None if never)."""
    losses = np.asarray(losses, dtype=float)
    hit = np.flatnonzero(losses <= target)
    return int(hit[0]) if len(hit) else None


def activation_memory(params: dict, X, *, activation: str = "tanh") -> int:
    """Bytes held for backpropagation on the batch ``X``: the batch and its forward cache.

    Measured from the arrays :func:`~surveykit.optim.numpy_net.mlp_forward` keeps (inputs,
    hidden activations, logits) plus the output: what one update needs beyond the
    parameters, proportional to the batch size (§5.2's "requires very little memory").
    """
    p, cache = numpy_net.mlp_forward(params, X, activation=activation)
    return int(sum(np.asarray(v).nbytes for v in cache.values()) + p.nbytes)


class TiltedDoubleWell:
    """A finite-sum 1-D loss with a shallow and a deep minimum, to test §5.2's claim.

    ``L(w) = (1/N) Σ_i ℓ_i(w)``, ``ℓ_i(w) = (w² − 1)² + tilt·w + a_i·w`` with slopes
    ``a_i`` of mean 0 and standard deviation ``spread``. The full loss is the tilted double
    well ``(w² − 1)² + tilt·w``: for ``tilt > 0`` the minimum near ``w = +1`` is shallow
    (a local minimum) and the one near ``w = −1`` deep. A mini-batch gradient is the full
    gradient plus the batch mean of the ``a_i``: pure gradient noise, whose size falls with
    the batch size as :func:`gradient_noise_law` says.
    """

    def __init__(self, n: int = 256, tilt: float = 0.3, spread: float = 8.0, seed: int = 0):
        self.n = check_int("n", n, low=2)
        self.tilt = check_range("tilt", tilt, 0.0, 1.5, low_closed=False)
        self.spread = check_range("spread", spread, 0.0)
        a = np.random.default_rng(check_int("seed", seed, low=0)).standard_normal(self.n)
        a = (a - a.mean()) / a.std()
        self.slopes = a * self.spread
        roots = np.sort(np.roots([4.0, 0.0, -4.0, self.tilt]).real)
        self.global_minimum, self.barrier, self.local_minimum = roots

    def loss(self, w):
        w = np.asarray(w, dtype=float)
        return (w**2 - 1) ** 2 + self.tilt * w

    def grad(self, w):
        w = np.asarray(w, dtype=float)
        return 4 * w * (w**2 - 1) + self.tilt

    def batch_grad(self, w, idx):
        """Gradient of the mean of ``ℓ_i`` over the examples ``idx``."""
        return self.grad(w) + self.slopes[np.asarray(idx)].mean(axis=-1)

    def __repr__(self) -> str:
        return f"TiltedDoubleWell(n={self.n}, tilt={self.tilt}, spread={self.spread})"


def escape_experiment(problem: TiltedDoubleWell, batch_sizes: Sequence[int], *,
                      learning_rate: float = 0.05, epochs: int = 20, n_runs: int = 200,
                      seed: int = 0, n_paths: int = 3) -> dict:
    """Mini-batch SGD from the shallow minimum: how often does it end in the deep one?

    For each batch size, ``n_runs`` independent runs (each with its own shuffling, all
    stepped at once as one array by :class:`~surveykit.optim.NumpyOptimizer` with the
    SGD rule) start at ``problem.local_minimum`` and train for ``epochs`` epochs.
    Returns ``fraction`` (share of runs ending beyond the barrier, in the deep basin) and
    ``paths`` (the first ``n_paths`` runs' ``w`` after every update) per batch size.
    """
    n_runs = check_int("n_runs", n_runs, low=1)
    epochs = check_int("epochs", epochs, low=1)
    n_paths = check_int("n_paths", n_paths, low=0, high=n_runs)
    sizes = [check_int("batch_size", m, low=1, high=problem.n) for m in batch_sizes]
    fractions, paths = [], []
    for m in sizes:
        rngs = [np.random.default_rng([check_int("seed", seed, low=0), m, r])
                for r in range(n_runs)]
        opt = NumpyOptimizer(SGD(), learning_rate)
        w = np.full(n_runs, problem.local_minimum)
        trace = [w[:n_paths].copy()]
        for _ in range(epochs):
            # each run's shuffled epoch (the one batch of size n is the whole permutation
            # that minibatches(n, m, rng) would cut into consecutive batches of m)
            perm = np.stack([numpy_net.minibatches(problem.n, problem.n, rng=r)[0]
                             for r in rngs])
            for lo in range(0, problem.n, m):
                w = opt.step(w, problem.batch_grad(w, perm[:, lo:lo + m]))
                trace.append(w[:n_paths].copy())
        fractions.append(float(np.mean(w < problem.barrier)))
        paths.append(np.asarray(trace))
    return {"batch_sizes": np.asarray(sizes), "fraction": np.asarray(fractions),
            "paths": paths, "learning_rate": learning_rate, "epochs": epochs,
            "n_runs": n_runs}


# ========================================================================================
# §5.3: momentum and Nesterov on 2-D surfaces
# ========================================================================================


@dataclass
class Path:
    """A run of an optimizer on a surface.

    ``points[t]`` is ``w`` after ``t`` updates; ``lookahead[t]`` the point where the next
    gradient is taken (``w − βv`` for the survey's Nesterov, ``w`` itself otherwise);
    ``diverged_at`` the update after which ``w`` left the region ``‖w‖ ≤ max_norm`` or
    stopped being finite (that point is not stored), else None.
    """

    points: np.ndarray
    lookahead: np.ndarray
    diverged_at: int | None = None

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def steps(self) -> int:
        return len(self.points) - 1


def run_path(optimizer: NumpyOptimizer, surface, w0, n_steps: int, *,
             max_norm: float = 1e6, stop_loss: float | None = None) -> Path:
    """Run ``n_steps`` updates of ``optimizer`` on ``surface`` from ``w0``.

    Like :func:`~surveykit.optim.optimize` (gradient at ``optimizer.lookahead(w)``), and in
    addition: stops and reports divergence as soon as ``w`` is not finite or
    ``‖w‖ > max_norm`` (so nothing overflows), stops early once
    ``surface.loss(w) ≤ stop_loss`` (when given), and records the look-ahead points.
    """
    n_steps = check_int("n_steps", n_steps, low=0)
    max_norm = check_range("max_norm", max_norm, 0.0, low_closed=False)
    optimizer.reset()
    w = np.array(w0, dtype=float)
    points, look = [w], [w]
    diverged_at = None
    for t in range(n_steps):
        if stop_loss is not None and surface.loss(w) <= stop_loss:
            break
        w = optimizer.step(w, surface.grad(look[-1]))
        if not np.all(np.isfinite(w)) or np.linalg.norm(w) > max_norm:
            diverged_at = t + 1
            break
        points.append(w)
        look.append(optimizer.lookahead(w))
    return Path(np.asarray(points), np.asarray(look), diverged_at)


def keras_path(keras_optimizer, surface, w0, n_steps: int, *, dtype: str = "float64"):
    """The path of a **Keras** optimizer on ``surface``: the variable after every update.

    The point is a ``keras.Variable`` (float64 by default, so comparisons are limited by
    arithmetic order only); each step applies ``surface.grad`` at the variable's value.
    Imports Keras. Returns an array of shape ``(n_steps + 1, 2)``.
    """
    import keras

    n_steps = check_int("n_steps", n_steps, low=0)
    var = keras.Variable(np.asarray(w0, dtype=dtype), dtype=dtype)
    path = [var.numpy().copy()]
    for _ in range(n_steps):
        g = keras.ops.convert_to_tensor(surface.grad(var.numpy()).astype(dtype))
        keras_optimizer.apply([g], [var])
        path.append(var.numpy().copy())
    return np.asarray(path)


def _nesterov_lr(learning_rate: float, beta: float) -> float:
    return learning_rate * (1.0 - beta)


def momentum_paths(surface, w0, *, learning_rate: float, beta: float, n_steps: int = 300,
                   max_norm: float = 1e6) -> dict[str, Path]:
    """Gradient descent, EWA-form momentum and the survey's Nesterov from the same start.

    All three share one scale: GD and momentum (§3.4, §5.3: ``v = βv + (1−β)g; w −= ηv``)
    use ``η = learning_rate``; the survey's Nesterov (``v = βv + η_N ∇L(w − βv); w −= v``,
    with no ``(1 − β)``) uses ``η_N = η(1 − β)``, which makes it the look-ahead version
    of the *same* EWA-form momentum (its velocity is ``η`` times the EWA's).
    """
    learning_rate = check_range("learning_rate", learning_rate, 0.0, low_closed=False)
    return {
        "gradient descent": run_path(NumpyOptimizer(SGD(), learning_rate), surface, w0,
                                     n_steps, max_norm=max_norm),
        f"momentum β={beta:g}": run_path(NumpyOptimizer(Momentum(beta), learning_rate),
                                         surface, w0, n_steps, max_norm=max_norm),
        f"Nesterov β={beta:g}": run_path(
            NumpyOptimizer(Nesterov(beta), _nesterov_lr(learning_rate, beta)), surface, w0,
            n_steps, max_norm=max_norm),
    }


def _relative_gap(surface, points) -> np.ndarray:
    """``(L(w) − L(w*)) / (L(w0) − L(w*))`` for points of shape ``(T, 2)`` (row 0 is w0)."""
    floor = float(surface.loss(surface.minimum))
    gaps = surface.loss(points) - floor
    return gaps / gaps[0]


def settle_step(relative_losses, tol: float) -> int | None:
    """First step after which the relative loss stays at or below ``tol`` to the end.

    A run that oscillates (momentum does) can dip below a tolerance and climb out again;
    this counts it as converged only once it stays below. None if the last value is above
    ``tol`` or not finite.
    """
    tol = check_range("tol", tol, 0.0, low_closed=False)
    r = np.asarray(relative_losses, dtype=float)
    if len(r) == 0 or not np.isfinite(r[-1]) or r[-1] > tol:
        return None
    above = np.flatnonzero(~(r <= tol))
    return int(above[-1]) + 1 if len(above) else 0


def steps_to_tolerance(optimizer: NumpyOptimizer, surface, w0, *, tol: float = 1e-6,
                       max_steps: int = 1000) -> int | None:
    """Steps until ``L(w) − L(w*) ≤ tol · (L(w0) − L(w*))`` holds for good (:func:`settle_step`).

    Runs ``max_steps`` updates (:func:`run_path`); None when the run diverged or had not
    settled below the tolerance by then.
    """
    tol = check_range("tol", tol, 0.0, 1.0, low_closed=False, high_closed=False)
    path = run_path(optimizer, surface, w0, max_steps)
    if path.diverged:
        return None
    return settle_step(_relative_gap(surface, path.points), tol)


def grid_paths(rule, learning_rates: Sequence[float], surface, w0, n_steps: int, *,
               max_norm: float = 1e6) -> np.ndarray:
    """Run one rule at many learning rates at once; points of shape ``(n_steps + 1, n, 2)``.

    The same arithmetic as :class:`~surveykit.optim.NumpyOptimizer` with ``rule`` (its pure
    ``update`` and ``lookahead_shift``, with ``η`` an array over the grid), vectorised over
    the learning rates: a sweep costs about as much as one run. A run whose point leaves
    ``‖w‖ ≤ max_norm`` is marked diverged: its points are NaN from then on.
    """
    n_steps = check_int("n_steps", n_steps, low=0)
    lrs = np.asarray([check_range("learning_rate", lr, 0.0, low_closed=False)
                      for lr in learning_rates], dtype=float)
    w = np.repeat(np.asarray(w0, dtype=float)[:, None], len(lrs), axis=1)  # (2, n)
    state = tuple(np.full_like(w, value) for value in rule.initial_state().values())
    alive = np.ones(len(lrs), dtype=bool)
    out = [w.T.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, n_steps + 1):
            shift = rule.lookahead_shift(state, xp=np)
            g = surface.grad(w if shift is None else w - shift)
            delta, state = rule.update(g, state, lr=lrs, t=float(t), xp=np)
            w = w - delta
            bad = ~np.all(np.isfinite(w), axis=0) | (np.linalg.norm(w, axis=0) > max_norm)
            alive &= ~bad
            w = np.where(alive, w, 0.0)  # frozen at 0 so nothing overflows; reported as NaN
            state = tuple(np.where(alive, s_, 0.0) for s_ in state)
            out.append(np.where(alive[:, None], w.T, np.nan))
    return np.asarray(out)


def constant_slope_steps(rule, learning_rate: float, n_steps: int, *,
                         gradient: float = 1.0) -> np.ndarray:
    """Step lengths of ``rule`` when the gradient is the same every step (a steady slope).

    The "ball rolling down a hill" of §5.3: returns ``|w_{t} − w_{t−1}|`` for
    ``t = 1 … n_steps``. For EWA-form momentum it is ``η(1 − βᵗ)|g|`` (it tends to plain
    GD's ``η|g|``); for the classic/Keras form ``η(1 − βᵗ)/(1 − β)·|g|``.
    """
    n_steps = check_int("n_steps", n_steps, low=1)
    opt = NumpyOptimizer(rule, learning_rate)
    w = np.zeros(1)
    steps = []
    for _ in range(n_steps):
        new = opt.step(w, np.array([gradient]))
        steps.append(abs(float(new[0] - w[0])))
        w = new
    return np.asarray(steps)


def travel_ratio(points, minimum, axis: int = 1) -> float:
    """Distance travelled along coordinate ``axis`` over the distance that was needed.

    ``Σ_t |w_{t+1} − w_t|`` along ``axis``, divided by ``|w_0 − w*|`` along it: 1 for a
    path that heads straight for the minimum's coordinate, large for a zig-zag across a
    narrow valley (§5.3's oscillations that momentum damps).
    """
    points = np.asarray(points, dtype=float)
    axis = check_int("axis", axis, low=0, high=points.shape[1] - 1)
    needed = abs(points[0, axis] - float(np.asarray(minimum)[axis]))
    if needed == 0:
        raise ValueError("the path must not start at the minimum's coordinate along axis")
    return float(np.sum(np.abs(np.diff(points[:, axis]))) / needed)


def stability_limit(curvature: float, beta: float, rule: str = "momentum") -> float:
    """Largest stable η along a direction of curvature λ of a quadratic (EWA scale).

    ``rule="momentum"``: ``v = βv + (1−β)λw; w −= ηv`` is stable iff
    ``0 < η(1 − β)λ < 2(1 + β)``, so ``η < 2(1 + β) / ((1 − β) λ)``; at β = 0.9 that is
    19 times gradient descent's ``2/λ`` (β = 0).
    ``rule="nesterov"``: the survey's Nesterov at ``η_N = η(1 − β)`` (as in
    :func:`momentum_paths`) is stable iff ``η_N λ < 2(1 + β)/(1 + 2β)``, so
    ``η < 2(1 + β) / ((1 + 2β)(1 − β) λ)`` — a lower limit than momentum's for β > 0.
    Both follow from the Jury conditions on the 2×2 linear recurrence of each mode.
    """
    curvature = check_range("curvature", curvature, 0.0, low_closed=False)
    beta = check_range("beta", beta, 0.0, 1.0, high_closed=False)
    rule = check_choice("rule", rule, ("momentum", "nesterov"))
    if rule == "momentum":
        return 2.0 * (1.0 + beta) / ((1.0 - beta) * curvature)
    return 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) * (1.0 - beta) * curvature)


def heavy_ball_tuning(a: float, b: float) -> dict:
    """Polyak's optimal momentum for a quadratic with curvatures in ``[a, b]`` (κ = b/a).

    Classic form: ``η' = 4/(√a + √b)²``, ``β = ((√b − √a)/(√b + √a))²``, convergence rate
    ``(√κ − 1)/(√κ + 1)`` per step; in the survey's EWA form ``η = η'/(1 − β)``.
    Gradient descent's best: ``η = 2/(a + b)``, rate ``(κ − 1)/(κ + 1)``.
    """
    a = check_range("a", a, 0.0, low_closed=False)
    b = check_range("b", b, a)
    ra, rb = math.sqrt(a), math.sqrt(b)
    beta = ((rb - ra) / (rb + ra)) ** 2
    lr_keras = 4.0 / (ra + rb) ** 2
    kappa = b / a
    return {"beta": beta, "lr_keras": lr_keras, "lr": lr_keras / (1.0 - beta),
            "rate": (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1),
            "gd_lr": 2.0 / (a + b), "gd_rate": (kappa - 1) / (kappa + 1), "kappa": kappa}


def condition_number_for_beta(beta: float) -> float:
    """The condition number κ for which Polyak's optimal momentum is ``beta``.

    Inverts ``β = ((√κ − 1)/(√κ + 1))²``: ``κ = ((1 + √β)/(1 − √β))²``.
    """
    beta = check_range("beta", beta, 0.0, 1.0, high_closed=False)
    s = math.sqrt(beta)
    return ((1 + s) / (1 - s)) ** 2


def beta_sweep(surface, w0, betas: Sequence[float], *, rule: str = "momentum",
               learning_rates: Callable[[float], Sequence[float]] | Sequence[float],
               tol: float = 1e-6, max_steps: int = 1000) -> dict:
    """For each β, the fewest steps to settle below ``tol`` over a grid of learning rates.

    ``rule``: ``"momentum"`` (EWA form) or ``"nesterov"`` (the survey's form at
    ``η(1 − β)``, as in :func:`momentum_paths`); β = 0 is gradient descent for both.
    ``learning_rates`` is a grid, or a function of β returning one (the stable range
    grows with β, :func:`stability_limit`). Each grid is run at once by
    :func:`grid_paths`; steps are counted by :func:`settle_step`. Returns ``betas``,
    ``steps`` (NaN when no rate settled within ``max_steps``) and ``best_lr``.
    """
    rule = check_choice("rule", rule, ("momentum", "nesterov"))
    tol = check_range("tol", tol, 0.0, 1.0, low_closed=False, high_closed=False)
    steps, best = [], []
    for beta in betas:
        grid = np.asarray(learning_rates(beta) if callable(learning_rates) else learning_rates,
                          dtype=float)
        if rule == "momentum":
            points = grid_paths(Momentum(beta), grid, surface, w0, max_steps)
        else:
            points = grid_paths(Nesterov(beta), _nesterov_lr(grid, beta), surface, w0,
                                max_steps)
        found = []
        for j, lr in enumerate(grid):
            k = settle_step(_relative_gap(surface, points[:, j]), tol)
            if k is not None:
                found.append((k, lr))
        k, lr = min(found) if found else (math.nan, math.nan)
        steps.append(k)
        best.append(lr)
    return {"betas": np.asarray(betas, dtype=float), "steps": np.asarray(steps, dtype=float),
            "best_lr": np.asarray(best, dtype=float), "rule": rule, "tol": tol,
            "max_steps": max_steps}


class DentedSlope:
    """A 1-D hill with a small dent on the way down: the survey's "small obstacle" (§5.3).

    ``L(w) = ½ c w² − h·exp(−(w − w_d)²/(2s²))``: a broad bowl with its minimum near 0
    and a narrow dent of depth ``h`` and width ``s`` at ``w_d`` that, when deep enough,
    is a local minimum where plain gradient descent stops. Points have shape ``(1,)``
    (``loss`` also accepts any array of positions, for plotting the profile).
    """

    def __init__(self, curvature: float = 1.0, depth: float = 1.0, center: float = -1.5,
                 width: float = 0.25):
        self.curvature = check_range("curvature", curvature, 0.0, low_closed=False)
        self.depth = check_range("depth", depth, 0.0)
        self.center = check_range("center", center)
        self.width = check_range("width", width, 0.0, low_closed=False)
        grid = np.linspace(-0.5, 0.5, 20001)
        self.minimum = np.array([grid[np.argmin(self._profile(grid))]])

    def _profile(self, w):
        bump = np.exp(-((w - self.center) ** 2) / (2 * self.width**2))
        return 0.5 * self.curvature * w**2 - self.depth * bump

    def loss(self, w):
        w = np.asarray(w, dtype=float)
        return self._profile(w[..., 0] if w.ndim and w.shape[-1] == 1 else w)

    def grad(self, w):
        w = np.asarray(w, dtype=float)
        bump = np.exp(-((w - self.center) ** 2) / (2 * self.width**2))
        return self.curvature * w + self.depth * bump * (w - self.center) / self.width**2

    def __repr__(self) -> str:
        return (f"DentedSlope(curvature={self.curvature}, depth={self.depth}, "
                f"center={self.center}, width={self.width})")


def learning_rate_sweep(params: dict, X, y, *, batch_size: int,
                        learning_rates: Sequence[float], epochs: int, seed: int = 0,
                        activation: str = "tanh"):
    """Train with plain mini-batch SGD at each learning rate; return ``(best, runs)``.

    Each run is :func:`train_minibatch` (loss recorded per epoch) from the same ``params``
    and shuffling seed. ``best`` is the run with the lowest mean log full training loss over
    its epochs (robust to a lucky last epoch); diverged runs are never best.
    """
    runs = [train_minibatch(NumpyOptimizer(SGD(), lr), params, X, y, batch_size=batch_size,
                            epochs=epochs, seed=seed, activation=activation,
                            record_every_update=False)
            for lr in learning_rates]

    def score(run):
        return math.inf if run.diverged else float(np.mean(np.log(run.loss_per_epoch[1:])))

    return min(runs, key=score), runs


def neuron_minibatch_epoch(w, b, X, y, learning_rate: float, batches):
    """One epoch of mini-batch gradient descent (§5.1) on the sigmoid neuron of §2.2.

    For each index array in ``batches`` in turn:
    ``w, b ← foundations.gradient_descent_step(w, b, X[idx], y[idx], η)``, i.e.
    ``w := w − η ∇_w L_mini-batch``, each step starting where the previous one ended.
    Returns ``(w, b)``.
    """
    w, b = np.asarray(w, dtype=float), float(b)
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    for idx in batches:
        w, b = foundations.gradient_descent_step(w, b, X[idx], y[idx], learning_rate)
    return w, b
