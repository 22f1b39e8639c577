"""Learning-rate schedules seen and compared: plots and small experiments (survey §5.7, §3.4).

The schedules themselves (one formula each) are in :mod:`surveykit.optim.schedules`; this
module draws them and supplies what notebook 05.07 measures with them:

* :func:`keras_schedule_values`, :func:`agrees_with_keras` — a surveykit schedule against a
  Keras ``LearningRateSchedule`` at every step of a range;
* :func:`explorer_schedule` and :func:`plot_schedule_explorer` — the schedule explorer
  (one schedule type and its hyperparameters → a figure), pure and cheap, so a slider can
  redraw it live;
* :func:`plot_schedules` — several schedules side by side;
* :func:`plot_schedule_runs` — the same model trained under each schedule: the learning
  rate followed, then the training and validation loss per epoch;
* :func:`restart_steps` — where a schedule jumps back up (SGDR's warm restarts);
* :func:`sgd_noise_floor`, :func:`noisy_quadratic_losses`, :func:`plot_noisy_quadratic` —
  why a small late learning rate "fine-tunes" (§5.7): SGD with a constant rate η on a
  quadratic with noisy gradients stalls at a loss floor proportional to η; a decaying rate
  keeps going down.

Every plot function returns a :class:`matplotlib.figure.Figure` and trains nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from ..plots import new_figure
from ..validation import check_choice, check_int, check_range
from .adaptive_experiments import noisy_losses
from .rules import SGD
from .schedules import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LinearWarmup,
    PiecewiseConstant,
    Schedule,
    StepDecay,
    evaluate,
)

__all__ = [
    "EXPLORER_KINDS",
    "keras_schedule_values",
    "agrees_with_keras",
    "explorer_schedule",
    "plot_schedule_explorer",
    "plot_schedules",
    "plot_schedule_runs",
    "restart_steps",
    "sgd_noise_floor",
    "noisy_quadratic_losses",
    "plot_noisy_quadratic",
]

#: The schedule types of the explorer, in the survey's order (§5.7), plus linear warm-up.
EXPLORER_KINDS = (
    "step decay",
    "exponential",
    "1/t",
    "SGDR",
    "staircase",
    "warm-up + cosine",
)


# --- comparing with Keras ------------------------------------------------------------------


def keras_schedule_values(schedule, steps) -> np.ndarray:
    """A Keras ``LearningRateSchedule`` (or any callable of a step) at each step, as float64.

    ``steps`` is an int (``0 … steps−1``) or a sequence of steps ≥ 0. The schedule is called
    once on an int64 tensor of all the steps, like an optimizer's ``iterations``; schedules
    that branch on a scalar (Keras' ``CosineDecay`` with warm-up) are called step by step.
    """
    import keras

    if isinstance(steps, (int, np.integer)):
        steps = np.arange(check_int("steps", int(steps), low=1))
    steps = np.asarray(steps, dtype=np.int64)
    try:
        values = schedule(keras.ops.convert_to_tensor(steps))
        values = np.asarray(values, dtype=np.float64)
        if values.shape != steps.shape:
            raise ValueError("not vectorized")
    except (ValueError, TypeError):
        values = np.array([float(schedule(keras.ops.convert_to_tensor(s))) for s in steps])
    return values


def agrees_with_keras(schedule, keras_schedule, steps, *, rtol: float = 1e-5) -> tuple[bool, float]:
    """``(agree, max relative difference)`` of a surveykit schedule and a Keras one.

    The surveykit schedule is evaluated with numpy in float64, the Keras one in float32, so
    they agree to float32 rounding: ``|ours − keras| ≤ rtol·|keras| + 2⁻²³·max(keras)``
    (the absolute floor is float32's resolution at the schedule's peak, needed where a cosine
    passes through zero and relative error loses meaning).
    """
    rtol = check_range("rtol", rtol, 0.0, 1.0, low_closed=False)
    steps = np.arange(check_int("steps", steps, low=1)) if np.isscalar(steps) else steps
    ours = np.asarray(schedule(np.asarray(steps)), dtype=np.float64)
    theirs = keras_schedule_values(keras_schedule, steps)
    atol = 2.0**-23 * float(np.max(np.abs(theirs)))
    agree = bool(np.all(np.abs(ours - theirs) <= rtol * np.abs(theirs) + atol))
    rel = np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300)
    return agree, float(np.max(rel))


# --- the explorer ----------------------------------------------------------------------------


def explorer_schedule(
    kind: str,
    initial_learning_rate: float = 0.3,
    *,
    gamma: float = 0.5,
    k: float = 0.02,
    period: int = 40,
    t_mul: float = 1.0,
    warmup_steps: int = 20,
    total_steps: int = 220,
) -> Schedule:
    """The schedule the explorer draws, from its controls.

    Each type uses the controls that are its hyperparameters (the others are ignored):

    ==================  ==========================================================================
    ``kind``            schedule
    ==================  ==========================================================================
    "step decay"        ``StepDecay(η0, γ, s=period)``: η0·γ^⌊t/s⌋
    "exponential"       ``ExponentialDecay(η0, k)``: η0·e^(−kt)
    "1/t"               ``InverseTimeDecay(η0, k)``: η0/(1 + kt)
    "SGDR"              ``CosineDecayRestarts(η0, T0=period, t_mul, m_mul=γ)``
    "staircase"         ``PiecewiseConstant([s, 2s], [η0, γη0, γ²η0])`` with s = period
    "warm-up + cosine"  ``LinearWarmup(CosineDecay(η0, total − W), W)``: 0 → η0 linearly over W
                        = warmup_steps steps, then a cosine down to 0 at ``total_steps``
    ==================  ==========================================================================
    """
    kind = check_choice("kind", kind, EXPLORER_KINDS)
    period = check_int("period", period, low=1)
    total_steps = check_int("total_steps", total_steps, low=2)
    if kind == "step decay":
        return StepDecay(initial_learning_rate, gamma, period)
    if kind == "exponential":
        return ExponentialDecay(initial_learning_rate, k)
    if kind == "1/t":
        return InverseTimeDecay(initial_learning_rate, k)
    if kind == "SGDR":
        return CosineDecayRestarts(initial_learning_rate, period, t_mul=t_mul, m_mul=gamma)
    if kind == "staircase":
        values = [initial_learning_rate * gamma**i for i in range(3)]
        return PiecewiseConstant([period, 2 * period], values)
    warmup_steps = check_int("warmup_steps", warmup_steps, low=1, high=total_steps - 1)
    cosine = CosineDecay(initial_learning_rate, total_steps - warmup_steps)
    return LinearWarmup(cosine, warmup_steps)


_USES = {
    "step decay": ("γ", "period s"),
    "exponential": ("k",),
    "1/t": ("k",),
    "SGDR": ("period T0", "t_mul", "γ (= m_mul)"),
    "staircase": ("γ", "period s"),
    "warm-up + cosine": ("warm-up steps W",),
}


def plot_schedule_explorer(
    kind: str,
    initial_learning_rate: float = 0.3,
    gamma: float = 0.5,
    k: float = 0.02,
    period: int = 40,
    t_mul: float = 1.0,
    warmup_steps: int = 20,
    *,
    total_steps: int = 220,
    steps_per_epoch: int | None = None,
):
    """Draw :func:`explorer_schedule`'s schedule over ``total_steps`` steps (linear and log η).

    The title names the schedule with its hyperparameters; the legend gives the rate at
    the last step and the mean rate (the "learning-rate budget" per step).
    """
    schedule = explorer_schedule(
        kind, initial_learning_rate, gamma=gamma, k=k, period=period, t_mul=t_mul,
        warmup_steps=warmup_steps, total_steps=total_steps,
    )
    steps, eta = evaluate(schedule, total_steps)
    fig, axes = new_figure(2, width=10, height=3.4)
    for ax, log in zip(axes, (False, True), strict=True):
        ax.axhline(initial_learning_rate, color="0.6", ls="--", lw=1,
                   label=f"η0 = {initial_learning_rate:.3g}")
        ax.plot(steps, eta, color="C0", lw=2,
                label=f"η at the last step {eta[-1]:.3g}\nmean η {eta.mean():.3g}")
        epoch_note = f"  ({steps_per_epoch} steps = 1 epoch)" if steps_per_epoch else ""
        ax.set_xlabel("step t" + epoch_note)
        ax.set_ylabel("learning rate η_t")
        if log:
            ax.set_yscale("log")
            ax.set_title("log scale")
        else:
            ax.set_ylim(0, initial_learning_rate * 1.08)
            ax.set_title(f"{kind}: uses {', '.join(('η0', *_USES[kind]))}")
    axes[0].legend(loc="upper right")
    fig.suptitle(repr(schedule), fontsize=9)
    return fig


# --- several schedules, and the runs trained under them ------------------------------------


def plot_schedules(schedules: Mapping[str, object], total_steps: int, *,
                   groups: Mapping[str, Sequence[str]] | None = None,
                   steps_per_epoch: int | None = None, logy: bool = False):
    """Each schedule's η_t over ``total_steps`` steps; one panel per group.

    ``schedules`` maps a label to a schedule (a surveykit :class:`Schedule` or any callable
    of a step); ``groups`` maps a panel title to the labels drawn in it (default: all in
    one panel). A schedule keeps its colour across panels (its position in ``schedules``);
    labels starting with "constant" are dashed. With ``steps_per_epoch`` the x axis is in
    epochs (step / steps_per_epoch), the unit of the survey's step decay.
    """
    total_steps = check_int("total_steps", total_steps, low=1)
    groups = dict(groups) if groups is not None else {"": list(schedules)}
    unknown = [label for labels in groups.values() for label in labels if label not in schedules]
    if unknown:
        raise ValueError(f"groups must name schedules among {list(schedules)}; got {unknown}")
    colors = {label: f"C{i % 10}" for i, label in enumerate(schedules)}
    fig, axes = new_figure(len(groups), width=5.2 * len(groups), height=3.6)
    scale = float(steps_per_epoch or 1)
    for ax, (title, labels) in zip(axes, groups.items(), strict=True):
        for label in labels:
            steps, eta = evaluate(schedules[label], total_steps)
            style = "--" if label.startswith("constant") else "-"
            ax.plot(steps / scale, eta, style, color=colors[label], lw=1.8, label=label)
        ax.set_xlabel("epoch" if steps_per_epoch else "step t")
        ax.set_ylabel("learning rate η_t")
        if logy:
            ax.set_yscale("log")
        else:  # headroom above the highest rate for the legend
            ax.set_ylim(0, 1.45 * max(ax.get_ylim()[1] / 1.05, 1e-12))
        if title:
            ax.set_title(title)
        ax.legend(loc="upper right", fontsize=8)
    return fig


def restart_steps(schedule, total_steps: int) -> np.ndarray:
    """The steps ``t`` (1 ≤ t < total_steps) at which η_t > η_{t−1}: the warm restarts."""
    _, eta = evaluate(schedule, total_steps)
    return np.nonzero(np.diff(eta) > 0)[0] + 1


def plot_schedule_runs(runs: Mapping[str, object], schedules: Mapping[str, object], *,
                       steps_per_epoch: int, logy: bool = True, val_ylim=None):
    """Three panels for runs trained under schedules (same labels in both mappings).

    Left: the learning rate each run followed (per step, x in epochs). Middle and right: the
    training loss (log scale when ``logy``) and the validation loss per epoch. A diverged run
    is drawn up to its last finished epoch and marked with ×, and its legend entry says so.
    ``val_ylim = (low, high)`` zooms the validation panel (its title then says so).
    """
    steps_per_epoch = check_int("steps_per_epoch", steps_per_epoch, low=1)
    fig, axes = new_figure(3, width=13, height=3.9)
    for i, (label, run) in enumerate(runs.items()):
        color = f"C{i % 10}"
        style = "--" if label.startswith("constant") else "-"
        total = max(run.epochs, run.diverged_at or 0) * steps_per_epoch
        steps, eta = evaluate(schedules[label], max(total, 1))
        axes[0].plot(steps / steps_per_epoch, eta, style, color=color, lw=1.5)
        for ax, metric in zip(axes[1:], ("loss", "val_loss"), strict=True):
            values = np.asarray(run.history.get(metric, []), float)
            epochs = np.arange(1, len(values) + 1)
            suffix = f" — diverged in epoch {run.diverged_at}" if run.diverged else ""
            ax.plot(epochs, values, style, color=color, lw=1.5, label=f"{label}{suffix}")
            if run.diverged:
                y = values[-1] if len(values) else 1.0
                ax.plot([run.diverged_at], [y], "x", color=color, markersize=10, mew=2)
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("learning rate η_t")
    axes[0].set_title("the schedule followed")
    for ax, title in zip(axes[1:], ("training loss (log scale)", "validation loss"), strict=True):
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (binary cross-entropy)")
        ax.set_title(title)
    if logy:
        axes[1].set_yscale("log")
    if val_ylim is not None:
        axes[2].set_ylim(*val_ylim)
        axes[2].set_title(f"validation loss (y axis cut at {val_ylim[1]:g})")
    axes[2].legend(loc="upper right", fontsize=7)
    return fig


# --- why a small late rate fine-tunes: SGD on a noisy quadratic ------------------------------


def sgd_noise_floor(learning_rate: float, curvatures: Sequence[float], noise_sd: float) -> float:
    """Stationary expected loss of SGD with constant η on ``L(w) = ½ Σ aᵢwᵢ²`` with noisy gradients.

    With gradient ``gᵢ = aᵢwᵢ + σξᵢ`` (ξ standard normal), ``wᵢ ← (1 − ηaᵢ)wᵢ − ησξᵢ`` has
    stationary variance ``η σ² / (aᵢ(2 − ηaᵢ))``, so the loss settles at

        E[L] = Σᵢ η σ² / (2 (2 − η aᵢ))          (stable when η aᵢ < 2)

    — proportional to η for small η: a constant rate stalls at a floor set by the rate itself.
    """
    learning_rate = check_range("learning_rate", learning_rate, 0.0, math.inf, low_closed=False)
    noise_sd = check_range("noise_sd", noise_sd, 0.0, math.inf)
    a = np.asarray(curvatures, dtype=float)
    if a.ndim != 1 or a.size == 0 or np.any(a <= 0):
        raise ValueError(f"curvatures must be positive numbers; got {curvatures!r}")
    if np.any(learning_rate * a >= 2):
        raise ValueError(f"learning_rate must be in (0, {2 / a.max():g}) for these curvatures "
                         f"(η·a < 2); got {learning_rate!r}")
    return float(np.sum(learning_rate * noise_sd**2 / (2 * (2 - learning_rate * a))))


def noisy_quadratic_losses(schedule, surface, *, w0, noise_sd: float, n_steps: int,
                           n_runs: int = 200, seed: int = 0) -> np.ndarray:
    """Mean loss over ``n_runs`` independent SGD runs with noisy gradients, at each step.

    Plain SGD with ``schedule`` as its learning rate: the experiment of
    :func:`surveykit.optim.adaptive_experiments.noisy_losses` (gradient ``∇L(w) + σξ``,
    ``surface`` a :class:`~surveykit.optim.surfaces.Quadratic`) with ``rule=SGD()``.
    Returns an array of ``n_steps + 1`` mean losses (step 0 = the start).
    """
    return noisy_losses(SGD(), schedule, surface, w0=w0, noise_sd=noise_sd, n_steps=n_steps,
                        n_runs=n_runs, seed=seed)


def plot_noisy_quadratic(losses: Mapping[str, np.ndarray], *,
                         floors: Mapping[str, float] | None = None, title: str | None = None):
    """Mean loss per step for each schedule (log scale), with predicted floors as dotted lines."""
    fig, (ax,) = new_figure(width=7.5, height=4.0)
    for i, (label, values) in enumerate(losses.items()):
        color = f"C{i % 10}"
        style = "--" if label.startswith("constant") else "-"
        ax.plot(np.arange(len(values)), values, style, color=color, lw=1.6, label=label)
        if floors and label in floors:
            ax.axhline(floors[label], color=color, ls=":", lw=1.2)
    if floors:
        ax.plot([], [], "k:", lw=1.2, label="predicted floor of a constant η")
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("mean loss over runs")
    ax.legend(loc="upper right", fontsize=8)
    if title:
        ax.set_title(title)
    return fig
