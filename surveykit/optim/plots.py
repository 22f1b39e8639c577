"""Plotting functions for the optimization notebooks (survey §5.1–5.3).

Each draws from results computed by :mod:`surveykit.optim.experiments` (no training, no
randomness inside) and returns its ``matplotlib.figure.Figure``, so widgets can call
them on every slider move and tests can check what they drew. A diverged run is marked
with a × and named "diverged at step k" in its legend, never drawn as if it converged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..plots import new_figure

__all__ = [
    "gradient_noise",
    "minibatch_comparison",
    "minibatch_view",
    "escape",
    "contour_paths",
    "slope_paths",
    "step_lengths",
    "steps_vs_beta",
]


def _axes(ax, ncols=1, **size):
    if ax is None:
        fig, axes = new_figure(ncols, **size)
        return fig, (axes[0] if ncols == 1 else axes)
    return ax.figure, ax


# ----------------------------------------------------------------------------------------
# §5.1–5.2
# ----------------------------------------------------------------------------------------


def gradient_noise(noise: dict, *, highlight: int | None = None, ax=None):
    """Measured ``E‖g_B − g‖²`` against the batch size, with the sampling law (log–log).

    ``noise`` is :func:`~surveykit.optim.experiments.measure_gradient_noise`'s result.
    Draws the measurements (± 2 standard errors), the without-replacement law
    ``(tr Σ/m)(N − m)/(N − 1)``, the with-replacement ``tr Σ/m`` for comparison, and the
    squared norm of the full gradient (the "signal"). The full batch (noise exactly 0)
    cannot be drawn on a log axis; it is named in the title.
    """
    fig, ax = _axes(ax)
    m = np.asarray(noise["batch_sizes"], float)
    measured, sem, theory = (np.asarray(noise[k], float) for k in ("measured", "sem", "theory"))
    n = noise["n"]
    shown = m < n
    trace = theory[0] * m[0] * (n - 1) / (n - m[0])  # tr Σ, recovered from the law at m[0]
    grid = np.unique(np.r_[np.geomspace(1, n - 1, 200), np.arange(max(1, n - 20), n)])
    ax.plot(grid, trace / grid, ":", color="0.5", label="with replacement: tr Σ / m")
    ax.plot(grid, trace / grid * (n - grid) / (n - 1), "-", color="C0",
            label="without replacement: (tr Σ / m)(N − m)/(N − 1)")
    ax.errorbar(m[shown], measured[shown], yerr=2 * sem[shown], fmt="o", color="C3", ms=5,
                capsize=3, label=f"measured ({noise['n_draws']} batches each, ± 2 s.e.)")
    ax.axhline(noise["grad_norm2"], color="C2", ls="--", label="‖full gradient‖² (signal)")
    if highlight is not None:
        ax.axvline(highlight, color="k", lw=6, alpha=0.15)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("batch size m")
    ax.set_ylabel("E ‖g_batch − g_full‖²")
    ax.set_title(f"gradient noise vs batch size (N = {n}: full batch has noise 0)")
    ax.legend(loc="lower left")
    return fig


def _label(run, label):
    suffix = f" — diverged at update {run.diverged_at}" if run.diverged else ""
    return f"{label}{suffix}"


def minibatch_comparison(runs: Sequence, labels: Sequence[str], *, logy: bool = True):
    """Full training loss per epoch, per update and per measured second, side by side.

    ``runs`` are :class:`~surveykit.optim.experiments.MinibatchRun`. The time axis is the
    cumulative measured gradient-and-update time at the end of each epoch (it varies from
    machine to machine and run to run).
    """
    fig, axes = new_figure(3, width=13, height=4)
    for i, (run, label) in enumerate(zip(runs, labels, strict=True)):
        color = f"C{i % 10}"
        per_epoch = run.loss_per_epoch
        axes[0].plot(np.arange(len(per_epoch)), per_epoch, "o-", ms=3, color=color,
                     label=_label(run, label))
        updates = np.arange(len(run.loss))
        ok = np.isfinite(run.loss)
        axes[1].plot(updates[ok][1:], run.loss[ok][1:], "-", color=color, lw=1.2)
        seconds = np.r_[0.0, np.cumsum(run.epoch_times)][: len(per_epoch)]
        axes[2].plot(seconds[1:], per_epoch[1:], "o-", ms=3, color=color)
        if run.diverged:
            axes[0].plot([len(per_epoch) - 1], [per_epoch[-1]], "x", color=color, ms=10, mew=2)
    axes[0].set_xlabel("epoch (passes over the training set)")
    axes[1].set_xlabel("update (log scale)")
    axes[1].set_xscale("log")
    axes[2].set_xlabel("measured time (s, log scale)")
    axes[2].set_xscale("log")
    for ax in axes:
        ax.set_ylabel("full training loss")
        if logy:
            ax.set_yscale("log")
    axes[0].legend(loc="best")
    axes[0].set_title("per epoch")
    axes[1].set_title("per update")
    axes[2].set_title("per second of computing")
    return fig


def minibatch_view(run, reference, noise: dict):
    """The batch-size slider's view: one run's loss curves beside the gradient noise.

    Left: the full training loss after every update (line) and the mini-batch loss each
    update stepped on (dots), against epochs, with the full-batch ``reference`` dashed.
    Right: :func:`gradient_noise` with the run's batch size highlighted.
    """
    fig, (ax1, ax2) = new_figure(2, width=12, height=4.2)
    x = run.epochs_axis
    ax1.plot(x[1:], run.batch_loss[: len(x) - 1], ".", color="C1", ms=2, alpha=0.4,
             label="loss of the mini-batch stepped on")
    ax1.plot(x, run.loss, "-", color="C0", lw=1.5, label=_label(run, "full training loss"))
    ax1.plot(reference.epochs_axis, reference.loss, "--", color="k", lw=1.2,
             label=f"full batch (m = {reference.batch_size})")
    ax1.set_yscale("log")
    ax1.set_ylim(1e-4, 5)
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("loss")
    ax1.set_title(f"batch size m = {run.batch_size}: {run.updates_per_epoch} updates per "
                  f"epoch, η = {run.learning_rate:g}")
    ax1.legend(loc="lower left", frameon=True, framealpha=0.9)
    gradient_noise(noise, highlight=run.batch_size, ax=ax2)
    return fig


def escape(problem, result: dict, *, show: Sequence[int] | None = None):
    """The double-well experiment: the loss, example paths, and the escape fraction.

    ``result`` is :func:`~surveykit.optim.experiments.escape_experiment`'s. Left: the full
    loss with its shallow (start) and deep minima. Middle: the recorded runs' ``w`` over
    training for the batch sizes in ``show`` (default: the smallest and the largest).
    Right: the share of runs that end in the deep basin, per batch size.
    """
    fig, axes = new_figure(3, width=13, height=3.8)
    w = np.linspace(-1.7, 1.6, 400)
    axes[0].plot(w, problem.loss(w), color="k")
    for x, name, color in [(problem.local_minimum, "start: shallow minimum", "C3"),
                           (problem.global_minimum, "deep minimum", "C2")]:
        axes[0].plot([x], [problem.loss(x)], "o", color=color, ms=8, label=name)
    axes[0].axvline(problem.barrier, color="0.5", ls=":", label="barrier")
    axes[0].set_xlabel("w")
    axes[0].set_ylabel("full loss L(w)")
    axes[0].set_title("(w² − 1)² + tilt·w; per-example slopes add noise")
    axes[0].legend(loc="upper center")
    sizes = list(result["batch_sizes"])
    show = [sizes[0], sizes[-1]] if show is None else list(show)
    for i, m in enumerate(show):
        k, color = sizes.index(m), f"C{(i + 1) % 10}"
        paths = result["paths"][k]
        t = np.arange(len(paths)) / (len(paths) - 1) * result["epochs"]
        for j in range(paths.shape[1]):
            axes[1].plot(t, paths[:, j], color=color, lw=0.8, alpha=0.8,
                         label=f"m = {m}" if j == 0 else None)
    axes[1].axhline(problem.barrier, color="0.5", ls=":")
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("w")
    axes[1].set_title("a few runs")
    axes[1].legend(loc="lower left")
    labels = [str(m) for m in sizes]
    axes[2].bar(labels, result["fraction"], color="C2")
    axes[2].set_ylim(0, 1)
    axes[2].set_xlabel("batch size m")
    axes[2].set_ylabel("share of runs ending in the deep minimum")
    axes[2].set_title(f"{result['n_runs']} runs each, η = {result['learning_rate']:g}, "
                      f"{result['epochs']} epochs")
    return fig


# ----------------------------------------------------------------------------------------
# §5.3
# ----------------------------------------------------------------------------------------


def contour_paths(surface, paths: dict, *, xlim=(-2.5, 2.5), ylim=(-1.5, 1.5),
                  title: str = "", n_levels: int = 18, ax=None):
    """Contours of ``surface`` (log-spaced levels) and each optimizer's path on them.

    ``paths`` maps a label to a :class:`~surveykit.optim.experiments.Path` (or an array of
    points). A diverged path is drawn up to its last point inside the view and marked ×.
    """
    fig, ax = _axes(ax, width=6.5, height=4.6)
    xs = np.linspace(*xlim, 240)
    ys = np.linspace(*ylim, 200)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    floor = float(surface.loss(surface.minimum))
    z = surface.loss(grid) - floor
    positive = z[z > 0]
    levels = np.geomspace(max(np.percentile(positive, 0.5), 1e-6), positive.max(), n_levels)
    ax.contour(xs, ys, z, levels=levels, colors="0.6", linewidths=0.6)
    ax.plot(*surface.minimum, "*", color="k", ms=13, label="minimum")
    for i, (label, path) in enumerate(paths.items()):
        points = getattr(path, "points", path)
        points = np.asarray(points, float)
        diverged_at = getattr(path, "diverged_at", None)
        color = f"C{i % 10}"
        text = label + (f" — diverged at step {diverged_at}" if diverged_at else
                        f" — loss {surface.loss(points[-1]) - floor:.2g} after {len(points) - 1}")
        if diverged_at:  # drawn until it first leaves the view, then marked ×
            inside = ((points[:, 0] >= xlim[0]) & (points[:, 0] <= xlim[1])
                      & (points[:, 1] >= ylim[0]) & (points[:, 1] <= ylim[1]))
            points = points[: int(np.argmin(inside)) if not inside.all() else len(points)]
            points = points if len(points) else np.asarray(getattr(path, "points", path))[:1]
        ax.plot(points[:, 0], points[:, 1], ".-", color=color, lw=1.2, ms=3, label=text)
        if diverged_at:
            ax.plot(*points[-1], "x", color=color, ms=12, mew=2.5)
    start = np.asarray(getattr(next(iter(paths.values())), "points",
                               next(iter(paths.values()))))[0]
    ax.plot(*start, "o", color="k", ms=6)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def slope_paths(slope, paths: dict, *, xlim=(-3.3, 1.0)):
    """The ball on the hill: a 1-D loss profile with each optimizer's positions.

    Left: ``slope.loss`` along ``w`` and, for each path, its positions (dots, later steps
    darker) drawn on the curve. Right: ``w`` against the step.
    """
    fig, (ax1, ax2) = new_figure(2, width=12, height=4)
    w = np.linspace(*xlim, 500)
    ax1.plot(w, slope.loss(w), color="k", lw=1.5)
    for i, (label, path) in enumerate(paths.items()):
        points = np.asarray(getattr(path, "points", path), float)[:, 0]
        color = f"C{i % 10}"
        ax1.plot(points, slope.loss(points) + 0.12 * i, "o", color=color, ms=4, alpha=0.5,
                 label=label)
        ax1.plot(points[-1:], slope.loss(points[-1:]) + 0.12 * i, "o", color=color, ms=9,
                 mec="k")
        ax2.plot(np.arange(len(points)), points, "-", color=color, label=label)
    ax1.set_xlim(*xlim)
    ax1.set_xlabel("w")
    ax1.set_ylabel("loss (paths offset vertically)")
    ax1.set_title("a hill with a small dent on the way down")
    ax1.legend(loc="upper right")
    ax2.axhline(slope.center, color="0.5", ls=":", label="the dent")
    ax2.axhline(float(slope.minimum[0]), color="k", ls="--", lw=1, label="the valley floor")
    ax2.set_xlabel("step")
    ax2.set_ylabel("w")
    ax2.legend(loc="lower right")
    return fig


def step_lengths(curves: dict, *, reference: float | None = None, ax=None,
                 title: str = "step length on a constant slope"):
    """Step length against the step for several optimizers (a steady gradient)."""
    fig, ax = _axes(ax)
    for i, (label, steps) in enumerate(curves.items()):
        steps = np.asarray(steps, float)
        ax.plot(np.arange(1, len(steps) + 1), steps, "-", color=f"C{i % 10}", label=label)
    if reference is not None:
        ax.axhline(reference, color="k", ls=":", label="gradient descent: η·|g|")
    ax.set_xlabel("step t")
    ax.set_ylabel("|w_t − w_{t−1}|")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.legend(loc="best")
    return fig


def steps_vs_beta(sweeps: Sequence[dict], labels: Sequence[str], *,
                  survey_range=(0.9, 0.99), marks: dict | None = None, ax=None):
    """Fewest steps to the tolerance against β, one line per sweep.

    ``sweeps`` are :func:`~surveykit.optim.experiments.beta_sweep` results; a β at which no
    learning rate reached the tolerance is drawn as × at the top edge ("not reached").
    The survey's recommended range is shaded; ``marks`` maps a label to a β to draw as a
    vertical line (e.g. Polyak's optimal β).
    """
    fig, ax = _axes(ax, width=7.5, height=4.2)
    ax.axvspan(*survey_range, color="C2", alpha=0.12, label=f"survey: β ∈ {list(survey_range)}")
    top = max(s["max_steps"] for s in sweeps)
    for i, (sweep, label) in enumerate(zip(sweeps, labels, strict=True)):
        color = f"C{i % 10}"
        b, k = sweep["betas"], sweep["steps"]
        ok = np.isfinite(k)
        ax.plot(b[ok], k[ok], "o-", color=color, ms=4, label=label)
        if (~ok).any():
            ax.plot(b[~ok], np.full((~ok).sum(), top), "x+"[i % 2], color=color,
                    ms=max(6, 12 - 3 * i), mew=2)
    for j, (label, beta) in enumerate((marks or {}).items()):
        ax.axvline(beta, color=f"C{(j + len(sweeps)) % 10}", ls="--", lw=1, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("β")
    ax.set_ylabel(f"steps to reach tolerance (× = not within {top})")
    ax.legend(loc="best", fontsize=8)
    return fig
