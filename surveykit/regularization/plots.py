"""Figures of notebooks 04.01 (L1, L2, elastic net) and 04.03 (dropout).

Pure functions: each draws from results computed by
:mod:`surveykit.regularization.experiments` (no training, no randomness) and returns its
Figure, so a slider can call it on every move and tests can check what it drew.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..plots import new_figure
from .experiments import PenaltySweep, penalty_gradient, penalty_value

__all__ = [
    "PENALTY_LABELS", "PENALTY_COLORS",
    "penalty_shapes", "regularization_paths", "norms_and_zeros", "loss_vs_lambda",
    "weights_view", "mlp_summary",
    "monte_carlo_convergence", "dropout_run_view", "rate_summary_plot", "placement_plot",
]

PENALTY_LABELS = {"l2": "L2", "l1": "L1", "elastic_net": "elastic net"}
PENALTY_COLORS = {"l2": "C0", "l1": "C3", "elastic_net": "C2"}


def _plain_log(ax, axis: str = "y") -> None:
    """Plain numbers (0.2, 3) instead of 2×10⁻¹ on a log axis."""
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    target.set_major_formatter(FormatStrFormatter("%g"))
    target.set_minor_formatter(NullFormatter())


def _label(sweep: PenaltySweep) -> str:
    name = PENALTY_LABELS[sweep.penalty]
    return name if sweep.method == "gradient" else f"{name}, proximal"


# --- 04.01: penalties ------------------------------------------------------------------


def penalty_shapes(lam: float = 1.0, mix: float = 0.5, w_max: float = 2.0):
    """Ω(w) and ∂Ω/∂w of L2, L1 and elastic net for one weight, at strength ``lam``.

    The right panel is the reason for L1's zeros: its pull λ·sign(w) keeps its full size
    however small w gets, while L2's pull 2λw fades away near 0.
    """
    w = np.linspace(-w_max, w_max, 401)
    fig, (ax1, ax2) = new_figure(2, width=10, height=3.6)
    for penalty in ("l2", "l1", "elastic_net"):
        color, label = PENALTY_COLORS[penalty], PENALTY_LABELS[penalty]
        value = [penalty_value(np.array([v]), penalty, lam, mix) for v in w]
        grad = penalty_gradient(w, penalty, lam, mix)
        ax1.plot(w, value, color=color, label=label)
        for side in (w < 0, w > 0):  # no vertical line through L1's jump at 0
            ax2.plot(w[side], grad[side], color=color, label=label if side[-1] else None)
    ax2.plot([0], [0], "o", color="k", ms=4, label="sign(0) = 0 used at w = 0")
    ax1.set(xlabel="weight w", ylabel="penalty Ω(w)",
            title=f"penalty, λ = {lam:g} (elastic net: λ1 = λ2 = {lam * mix:g})")
    ax2.set(xlabel="weight w", ylabel="∂Ω/∂w",
            title="its gradient: the pull towards 0")
    ax1.legend(loc="upper center")
    ax2.legend(loc="upper left")
    return fig


def regularization_paths(sweeps: Sequence[PenaltySweep], *, highlight: Sequence[str] = (),
                         ylim=None):
    """Each weight against λ (log scale), one panel per sweep.

    Features named in ``highlight`` are drawn in colour and labelled, the others thin
    grey. For gradient fits the band |w| < 2ηλ1 that counts as zero is shaded.
    """
    fig, axes = new_figure(len(sweeps), width=4.2 * len(sweeps), height=4.0)
    for ax, sweep in zip(axes, sweeps, strict=True):
        lam = sweep.lambdas
        band = sweep.zero_band()
        if np.any(band > 0):
            ax.fill_between(lam, -band, band, color="0.85", label="|w| < 2ηλ1 (counts as 0)")
        colored = 0
        for j, name in enumerate(sweep.feature_names):
            if name in highlight:
                ax.plot(lam, sweep.weights[:, j], lw=2, color=f"C{colored % 10}", label=name)
                colored += 1
            else:
                ax.plot(lam, sweep.weights[:, j], lw=0.8, color="0.55", alpha=0.7)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xscale("log")
        ax.set(xlabel="λ", ylabel="weight", title=f"{_label(sweep)}: weights vs λ")
        if ylim is not None:
            ax.set_ylim(*ylim)
    handles, names = axes[-1].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="outside lower center", ncols=4, fontsize=8)
    return fig


def norms_and_zeros(sweeps: Sequence[PenaltySweep]):
    """‖w‖₂ (left) and the number of weights at zero (right) against λ, per sweep."""
    fig, (ax1, ax2) = new_figure(2, width=10, height=3.6)
    for sweep in sweeps:
        color = PENALTY_COLORS[sweep.penalty]
        style = "-" if sweep.method == "gradient" else ":"
        ax1.plot(sweep.lambdas, sweep.norms()["l2"], style, color=color, marker="o", ms=3,
                 label=_label(sweep))
        ax2.plot(sweep.lambdas, sweep.zeros().sum(1), style, color=color, marker="o", ms=3,
                 label=_label(sweep))
    n = len(sweeps[0].feature_names)
    ax1.set(xscale="log", yscale="log", xlabel="λ", ylabel="‖w‖₂ = √Σw²",
            title="size of the weights")
    _plain_log(ax1)
    ax2.set(xscale="log", xlabel="λ", ylabel=f"weights at zero (of {n})",
            title="sparsity: exact zeros, or |w| < 2ηλ1 for gradient fits")
    ax2.set_ylim(-1, n + 1)
    ax1.legend()
    ax2.legend(loc="upper left")
    return fig


def loss_vs_lambda(sweeps: Sequence[PenaltySweep]):
    """Training (solid) and validation (dashed) data loss against λ, per sweep; the λ with
    the lowest validation loss of each sweep is marked."""
    fig, (ax,) = new_figure(width=7, height=4)
    for sweep in sweeps:
        color = PENALTY_COLORS[sweep.penalty]
        ax.plot(sweep.lambdas, sweep.train_loss, "-", color=color, label=f"{_label(sweep)}")
        ax.plot(sweep.lambdas, sweep.val_loss, "--", color=color)
        best = int(np.argmin(sweep.val_loss))
        ax.plot(sweep.lambdas[best], sweep.val_loss[best], "*", color=color, ms=13)
    ax.plot([], [], "k-", label="training (solid)")
    ax.plot([], [], "k--", label="validation (dashed)")
    ax.plot([], [], "k*", ls="none", label="lowest validation loss")
    ax.set(xscale="log", xlabel="λ", ylabel="binary cross-entropy (data loss, no penalty)",
           title="loss against the regularization strength")
    ax.legend(loc="upper left")
    return fig


def weights_view(sweep: PenaltySweep, lam: float, reference: PenaltySweep | None = None):
    """The slider's view: every weight at ``lam`` (bars) and the path summary.

    Left: the 30 weights as horizontal bars; weights counted as zero are grey; the band
    |w| < 2ηλ1 is shaded; ``reference`` (e.g. the proximal fit of the same penalty) is
    drawn as black dots. Right: ‖w‖₂ and the number of zero weights along λ, with the
    current λ marked.
    """
    i = sweep.index(lam)
    w = sweep.weights[i]
    zeros = sweep.zeros()[i]
    names = sweep.feature_names
    fig = new_figure(width=11, height=6.2)[0]
    fig.clear()
    grid = fig.add_gridspec(1, 2, width_ratios=[1.5, 1])
    ax, ax2 = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    pos = np.arange(len(names))[::-1]
    color = PENALTY_COLORS[sweep.penalty]
    ax.barh(pos, w, color=np.where(zeros, "0.7", color), height=0.75)
    band = sweep.zero_band()[i]
    if band > 0:
        ax.axvspan(-band, band, color="0.88", zorder=0, label=f"|w| < 2ηλ1 = {band:.3g}")
    if reference is not None:
        j = reference.index(lam)
        exact = int((reference.weights[j] == 0).sum())
        ax.plot(reference.weights[j], pos, "o", color="k", ms=3.5,
                label=f"{_label(reference)} (exact zeros: {exact})")
    ax.set_yticks(pos, names, fontsize=7.5)
    ax.axvline(0, color="k", lw=0.6)
    limit = max(1e-3, float(np.abs(sweep.weights).max()))
    ax.set_xlim(-1.05 * limit, 1.05 * limit)
    ax.set(xlabel="weight", title=f"{_label(sweep)}, λ = {sweep.lambdas[i]:.3g}: "
                                  f"{int(zeros.sum())}/{len(w)} weights at zero, "
                                  f"‖w‖₂ = {np.linalg.norm(w):.2f}")
    ax.legend(loc="lower right", fontsize=8)
    norms = sweep.norms()["l2"]
    ax2.plot(sweep.lambdas, norms, "o-", color=color, ms=3, label="‖w‖₂")
    ax2.set(xscale="log", xlabel="λ", ylabel="‖w‖₂")
    ax2.axvline(sweep.lambdas[i], color="k", lw=1)
    twin = ax2.twinx()
    twin.plot(sweep.lambdas, sweep.zeros().sum(1), "s--", color="0.4", ms=3,
              label="weights at zero")
    twin.set_ylabel("weights at zero")
    twin.set_ylim(-1, len(w) + 1)
    twin.grid(False)
    ax2.plot([], [], "s--", color="0.4", label="weights at zero")
    ax2.legend(loc="center left")
    ax2.set_title(f"val loss {sweep.val_loss[i]:.3f}, val accuracy {sweep.val_accuracy[i]:.3f}")
    return fig


def mlp_summary(runs: dict, labels: dict | None = None):
    """The survey MLP with penalties: validation loss per epoch (left) and the
    distribution of log10 |w| over all kernels (right), one colour per case.

    ``runs`` maps a case to a Run with ``val_loss`` and ``kernels`` (see
    :func:`~surveykit.regularization.experiments.mlp_penalty_runs`).
    """
    fig, (ax1, ax2) = new_figure(2, width=11, height=3.8)
    labels = labels or {case: str(case) for case in runs}
    bins = np.linspace(-8, 1, 46)
    for k, (case, run) in enumerate(runs.items()):
        color = f"C{k % 10}"
        ax1.plot(run.history["epoch"], run.history["val_loss"], color=color,
                 label=labels[case])
        w = np.abs(np.concatenate([kernel.ravel() for kernel in run.kernels]))
        ax2.hist(np.log10(np.maximum(w, 1e-8)), bins=bins, histtype="step", color=color,
                 lw=1.6, label=labels[case])
    ax1.set(xlabel="epoch", ylabel="validation loss (no penalty)", yscale="log",
            title="survey MLP (30-128-64-32-1): validation loss")
    _plain_log(ax1)
    ax2.set(xlabel="log10 |w| (all kernel weights; 1e-8 and below at the left edge)",
            ylabel="number of weights", title="where the weights end up")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8, loc="upper left")
    return fig


# --- 04.03: dropout --------------------------------------------------------------------


def monte_carlo_convergence(errors: dict, z: float = 5.0):
    """|sample mean − inference output| against the number of samples n, both forms,
    with the standard error (line) and the z-standard-error tolerance (shaded)."""
    fig, axes = new_figure(2, width=10, height=3.6)
    n = errors["n"]
    for ax, form, color in zip(axes, ("survey", "inverted"), ("C0", "C1"), strict=True):
        se = errors[f"{form}_se"]
        ax.fill_between(n, 0, z * se, color=color, alpha=0.15, label=f"tolerance {z:g}·SE")
        ax.plot(n, se, "-", color=color, label="standard error √(var/n)")
        ax.plot(n, np.maximum(errors[f"{form}_error"], 1e-12), "o", color="k",
                label="measured |mean − expected|")
        ax.set(xscale="log", yscale="log", xlabel="samples n",
               ylabel="|sample mean − inference output|",
               title=f"{form} form" + (": E[h·m] = (1 − p)h" if form == "survey"
                                       else ": E[h·m/(1 − p)] = h"))
        ax.legend(loc="lower left", fontsize=8)
    return fig


def dropout_run_view(sweep, rate: float, seed: int | None = None):
    """The slider's view for one dropout rate.

    Left: training data loss (solid) and validation loss (dashed) per epoch, the rate's
    training objective in dropout mode (dotted) and, in grey, the no-dropout run.
    Right: the learned P(class 1) on the plane, its 0.5 contour, and the training points.
    """
    seed = sweep.seeds[0] if seed is None else seed
    run = sweep.runs[(rate, seed)]
    base = sweep.runs[(sweep.rates[0], seed)]
    fig, (ax1, ax2) = new_figure(2, width=11.5, height=4.2)
    for r, color, tag in ((base, "0.6", f"p = {sweep.rates[0]:g}"), (run, "C0", f"p = {rate:g}")):
        e = r.history["epoch"]
        ax1.plot(e, r.history["data_loss"], "-", color=color, label=f"{tag}: training")
        ax1.plot(e, r.history["val_loss"], "--", color=color, label=f"{tag}: validation")
    ax1.plot(run.history["epoch"], run.history["loss"], ":", color="C1",
             label=f"p = {rate:g}: training objective with dropout on")
    ax1.set(xlabel="epoch", ylabel="binary cross-entropy", ylim=(0, 1.0),
            title=f"p = {rate:g}: final val loss {run.final('val_loss'):.3f}, "
                  f"test accuracy {sweep.test[(rate, seed)]['accuracy']:.3f}")
    ax1.legend(fontsize=8, loc="upper right")
    proba = sweep.proba[(rate, seed)]
    ax2.contourf(sweep.grid_x, sweep.grid_y, proba, levels=np.linspace(0, 1, 11),
                 cmap="RdBu", alpha=0.55)
    ax2.contour(sweep.grid_x, sweep.grid_y, proba, levels=[0.5], colors="k", linewidths=1.5)
    ax2.contour(sweep.grid_x, sweep.grid_y, sweep.proba[(sweep.rates[0], seed)], levels=[0.5],
                colors="0.4", linewidths=1, linestyles="--")
    X, y = sweep.X_train, sweep.y_train
    ax2.scatter(X[y == 0, 0], X[y == 0, 1], c="C3", s=16, edgecolors="k", lw=0.4,
                label="class 0")
    ax2.scatter(X[y == 1, 0], X[y == 1, 1], c="C0", s=16, edgecolors="k", lw=0.4,
                label="class 1")
    ax2.plot([], [], "k-", label=f"boundary, p = {rate:g}")
    ax2.plot([], [], "--", color="0.4", label=f"boundary, p = {sweep.rates[0]:g}")
    ax2.set(xlabel="x₁", ylabel="x₂", title=f"{len(y)} training points and the learned P(y = 1)")
    ax2.legend(fontsize=8, loc="lower left")
    ax2.grid(False)
    return fig


def rate_summary_plot(summary: dict, test: dict, seeds: Sequence[int],
                      typical=(0.2, 0.5)):
    """Against the dropout rate: final training and validation loss (left; test loss as
    squares) and test accuracy (right), means over seeds with each seed's value as a dot;
    the survey's typical range of p is shaded."""
    rates = summary["rate"]
    fig, (ax1, ax2) = new_figure(2, width=11, height=3.8)
    for ax in (ax1, ax2):
        ax.axvspan(*typical, color="C2", alpha=0.12, label=f"survey: typical p {typical[0]}–"
                                                           f"{typical[1]}")
    ax1.plot(rates, summary["final_train_loss"], "o-", color="C0", label="training (final)")
    ax1.plot(rates, summary["final_val_loss"], "o--", color="C1", label="validation (final)")
    ax1.plot(rates, summary["best_val_loss"], "v:", color="C1",
             label="validation (best epoch)")
    test_loss = np.array([[test[(r, s)]["loss"] for s in seeds] for r in rates])
    test_acc = np.array([[test[(r, s)]["accuracy"] for s in seeds] for r in rates])
    ax1.plot(rates, test_loss.mean(1), "s-", color="C3", label="test (final, 5000 points)")
    ax2.plot(rates, test_acc.mean(1), "s-", color="C3", label="test accuracy (mean)")
    for k in range(len(seeds)):
        ax2.plot(rates, test_acc[:, k], ".", color="C3", alpha=0.5)
    ax1.set(xlabel="dropout rate p", ylabel="binary cross-entropy",
            title="loss after the last epoch")
    ax2.set(xlabel="dropout rate p", ylabel="accuracy", title="test accuracy")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8, loc="lower left")
    return fig


def placement_plot(runs: dict, names: Sequence[str], seeds: Sequence[int]):
    """Final and best validation loss of each placement of dropout (bars: mean over
    seeds; dots: each seed)."""
    fig, axes = new_figure(2, width=10, height=3.6)
    x = np.arange(len(names))
    for ax, (key, fn, title) in zip(axes, (("val_loss", lambda v: v[-1], "final epoch"),
                                           ("val_loss", min, "best epoch")), strict=True):
        values = np.array([[fn(runs[(n, s)].history[key]) for s in seeds] for n in names])
        ax.bar(x, values.mean(1), color=[f"C{i}" for i in range(len(names))], alpha=0.6)
        for k in range(len(seeds)):
            ax.plot(x, values[:, k], "o", color="k", ms=4, label="one seed" if k == 0 else None)
        ax.set_xticks(x, names)
        ax.set(ylabel="validation loss", title=f"digits CNN, {title}")
        ax.legend(fontsize=8)
    return fig
