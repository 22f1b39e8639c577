"""Plotting functions for RMSProp and Adam (survey §5.4–5.5), notebook 05.04.

Each draws from results computed by :mod:`surveykit.optim.adaptive_experiments` (no
training, no randomness inside) and returns its ``matplotlib.figure.Figure``. Paths on
2-D surfaces are drawn with :func:`surveykit.optim.plots.contour_paths`.
"""

from __future__ import annotations

import math

import numpy as np

from ..plots import new_figure
from .plots import contour_paths

__all__ = [
    "condition_steps",
    "per_parameter_rates",
    "first_step_sizes",
    "form_gap",
    "bias_correction",
    "paths_view",
]


def _not_reached_top(values, max_steps):
    return [max_steps if v is None else v for v in values]


def condition_steps(sweep: dict, *, max_steps: int | None = None):
    """Steps to reach the minimum against the condition number κ, two panels.

    ``sweep`` is :func:`~surveykit.optim.adaptive_experiments.condition_sweep`'s result.
    Left: the valley along a coordinate axis; right: the same valley rotated. A run that
    did not reach the tolerance is drawn as × at ``max_steps`` (the top edge).
    """
    fig, axes = new_figure(2, width=11, height=4)
    kappa = np.asarray(sweep["kappa"], float)
    top = max_steps or max(v for key in ("axis", "rotated") for vals in sweep[key].values()
                           for v in vals if v is not None)
    titles = {"axis": "valley along an axis (Quadratic)",
              "rotated": f"the same valley turned {sweep['angle']:g}°"}
    for ax, key in zip(axes, ("axis", "rotated"), strict=True):
        for i, (name, steps) in enumerate(sweep[key].items()):
            color = f"C{i}"
            ok = np.array([s is not None for s in steps])
            y = np.asarray(_not_reached_top(steps, top), float)
            ax.plot(kappa[ok], y[ok], "o-", color=color, label=name)
            if (~ok).any():
                ax.plot(kappa[~ok], y[~ok], "x", color=color, ms=10, mew=2)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("condition number κ = b / a")
        ax.set_title(titles[key])
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel(f"steps until ‖w − w*‖ ≤ {sweep['tol']:g}·‖w₀ − w*‖")
    axes[0].legend(loc="upper left", fontsize=9)
    lo = min(ax.get_ylim()[0] for ax in axes)
    hi = max(ax.get_ylim()[1] for ax in axes)
    for ax in axes:
        ax.set_ylim(lo, hi)
    return fig


def per_parameter_rates(surface, records: dict, *, n_rate: int = 100, xlim=(-2.5, 2.5),
                        ylim=(-1.5, 1.5)):
    """Paths on ``surface`` (left) and each parameter's effective learning rate (right).

    ``records`` maps a label to :func:`~surveykit.optim.adaptive_experiments.step_record`'s
    result. Right: ``|Δw_i / g_i|`` over the first ``n_rate`` steps — for GD the constant
    η, for RMSProp ``η/√(s_i + ε)``, one per parameter (solid: w₁, the flat direction;
    dashed: w₂, the steep one). Adam's update also contains momentum, so its ratio is not
    a learning rate and is left out of that panel.
    """
    fig, (ax1, ax2) = new_figure(2, width=12.5, height=4.6)
    contour_paths(surface, {label: rec["points"] for label, rec in records.items()},
                  xlim=xlim, ylim=ylim, ax=ax1, title="paths from the same start")
    for i, (label, rec) in enumerate(records.items()):
        if label.lower().startswith("adam"):
            continue
        deltas, grads = rec["deltas"][:n_rate], rec["grads"][:n_rate]
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.abs(deltas / grads)
        steps = np.arange(1, len(rate) + 1)
        for j, ls in enumerate(("-", "--")):
            ax2.plot(steps, rate[:, j], ls, color=f"C{i}", lw=2,
                     label=f"{label}: w{j + 1} ({'flat' if j == 0 else 'steep'})")
    ax2.set_yscale("log")
    ax2.set_xlabel("step t")
    ax2.set_ylabel("effective learning rate |Δwᵢ / gᵢ|")
    ax2.set_title("one learning rate for all, or one per parameter")
    ax2.legend(loc="best", fontsize=9)
    return fig


def first_step_sizes(sizes: dict, *, epsilon: float, learning_rate: float = 1.0, ax=None):
    """Adam's first step ``|Δw|/η`` against the gradient's size, for each placement of ε.

    ``sizes`` is :func:`~surveykit.optim.adaptive_experiments.first_step_sizes`'s result.
    Marks √ε, where the survey's form starts to shrink the step, and ε, where the paper's does.
    """
    if ax is None:
        fig, (ax,) = new_figure(width=7.5, height=4.2)
    else:
        fig = ax.figure
    g = sizes["grad"]
    styles = {"survey": ("C3", "-", "survey: η·m̂/√(v̂ + ε)"),
              "paper": ("C0", "--", "paper: η·m̂/(√v̂ + ε)"),
              "keras": ("C2", ":", "Keras: ε̂ = ε/√(1 − β₂ᵗ) outside")}
    for form, (color, ls, label) in styles.items():
        ax.plot(g, sizes[form] / learning_rate, ls, color=color, lw=2, label=label)
    root = math.sqrt(epsilon)
    ax.axvline(root, color="C3", alpha=0.4, lw=5, label=f"√ε = {root:.0e}")
    ax.axvline(epsilon, color="C0", alpha=0.4, lw=5, label=f"ε = {epsilon:.0e}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("gradient size |g| (first step: m̂ = g, v̂ = g²)")
    ax.set_ylabel("first step |Δw| / η")
    ax.set_title("where ε sits decides which gradients count as 'tiny'")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def form_gap(epsilons, gaps: dict, *, ax=None):
    """Largest distance between the survey's Adam path and others', against ε (log–log).

    ``gaps`` maps a label to :func:`~surveykit.optim.adaptive_experiments.form_gap`'s
    result for ``epsilons``.
    """
    if ax is None:
        fig, (ax,) = new_figure(width=7, height=4)
    else:
        fig = ax.figure
    for i, (label, gap) in enumerate(gaps.items()):
        ax.plot(epsilons, gap, "o-", color=f"C{i}", label=label)
    ax.axvline(1e-8, color="k", ls=":", label="survey default ε = 1e-8")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("ε")
    ax.set_ylabel("max over the path of ‖w_survey − w_other‖")
    ax.set_title("survey Adam vs paper/Keras Adam on the same bowl")
    ax.legend(loc="upper left", fontsize=9)
    return fig


def bias_correction(steps, ratio, numerator, surface, paths: dict, *,
                    xlim=(-2.5, 2.5), ylim=(-1.5, 1.5)):
    """Left: uncorrected / corrected step against t; right: Adam with and without correction.

    ``ratio`` is :func:`~surveykit.optim.adaptive_experiments.uncorrected_step_ratio` over
    ``steps``; ``numerator`` is ``1 − β₁ᵗ`` (what an EWA of the gradient alone loses);
    ``paths`` maps a label to a Path drawn on ``surface``'s contours.
    """
    fig, (ax1, ax2) = new_figure(2, width=12, height=4.4)
    ax1.plot(steps, ratio, "-", color="C3", lw=2, label="Adam: (1 − β₁ᵗ)/√(1 − β₂ᵗ)")
    ax1.plot(steps, numerator, "--", color="C0", lw=2, label="m alone (momentum): 1 − β₁ᵗ")
    ax1.axhline(1.0, color="k", lw=1, ls=":")
    peak = int(np.argmax(ratio))
    ax1.annotate(f"×{ratio[peak]:.2f} at t = {steps[peak]}", (steps[peak], ratio[peak]),
                 xytext=(steps[peak] * 6, ratio[peak] * 0.7), arrowprops={"arrowstyle": "->"})
    ax1.set_xscale("log")
    ax1.set_xlabel("step t")
    ax1.set_ylabel("uncorrected step / corrected step")
    ax1.set_title("without bias correction (β₁ = 0.9, β₂ = 0.999)")
    ax1.legend(loc="center right", fontsize=9)
    contour_paths(surface, paths, xlim=xlim, ylim=ylim, ax=ax2,
                  title="Adam's path, with and without the correction")
    return fig


def paths_view(surface, paths: dict, *, title: str = "", xlim=(-2.5, 2.5), ylim=(-1.5, 1.5)):
    """Paths on ``surface`` (left) and each path's loss against the step (right, log)."""
    fig, (ax1, ax2) = new_figure(2, width=12.5, height=4.6)
    contour_paths(surface, paths, xlim=xlim, ylim=ylim, ax=ax1, title=title)
    floor = float(surface.loss(surface.minimum))
    for i, (label, path) in enumerate(paths.items()):
        loss = surface.loss(path.points) - floor
        ax2.plot(np.arange(len(loss)), np.maximum(loss, 1e-16), "-", color=f"C{i % 10}",
                 label=label + (f" — diverged at step {path.diverged_at}"
                                if path.diverged else ""))
    ax2.set_yscale("log")
    ax2.set_xlabel("step t")
    ax2.set_ylabel("L(w) − L(w*)")
    ax2.set_title("loss")
    ax2.legend(loc="lower left", fontsize=8)
    return fig
