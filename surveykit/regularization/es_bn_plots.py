"""Plots of notebooks 04.04 (early stopping) and 04.06 (batch normalization).

Pure drawing functions: each takes computed results (a recorded history, an
:class:`~surveykit.regularization.EarlyStoppingResult`, recorded batch statistics, runs)
and returns a matplotlib Figure built with :func:`surveykit.plots.new_figure`; none
trains. Epochs are 0-based indices, as in ``keras.callbacks.EarlyStopping.stopped_epoch``
and :func:`surveykit.regularization.early_stopping`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..plots import new_figure
from .es_bn_experiments import replay_running_stats

__all__ = [
    "early_stopping_view",
    "patience_sweep_plot",
    "normalization_steps_plot",
    "running_stats_view",
    "metric_vs_learning_rate",
    "small_batch_plot",
]


def _annotate_bars(ax, bars, fmt: str = "{:.3f}") -> None:
    for bar in bars:
        ax.annotate(fmt.format(bar.get_height()), (bar.get_x() + bar.get_width() / 2,
                                                    bar.get_height()),
                    ha="center", va="bottom", fontsize=8, xytext=(0, 2),
                    textcoords="offset points")


def early_stopping_view(history: Mapping, result, *, monitor: str = "val_loss",
                        title: str | None = None):
    """A recorded run and what early stopping does to it (survey §4.4).

    Left: the training (inference mode), validation and test curves of the monitored
    quantity (loss or accuracy), the best epoch (★, whose weights are restored), the epoch after
    which training stops (vertical line) and the epochs never trained (grey). Right: the
    test loss and accuracy of the restored weights next to those of training to the end.
    ``result`` is the :class:`~surveykit.regularization.EarlyStoppingResult` of
    ``early_stopping(history, monitor=…, restore_best_weights=True, …)``.
    """
    fig, (ax, ax_bar) = new_figure(2, width=11, height=3.8)
    fig.get_layout_engine().set(w_pad=0.15)
    kind = "accuracy" if monitor.endswith("accuracy") else "loss"
    train = np.asarray(history[f"train_{kind}"], float)
    val = np.asarray(history[f"val_{kind}"], float)
    epochs = np.arange(len(val))
    last = result.epochs_run - 1
    ax.plot(epochs, train, "-", color="C0", label=f"training {kind}")
    ax.plot(epochs, val, "--", color="C1", label=f"validation {kind}")
    ax.plot(epochs, np.asarray(history[f"test_{kind}"], float), ":", color="C3", lw=1.2,
            label=f"test {kind} (never used to decide)")
    if last < len(val) - 1:
        ax.axvspan(last + 0.5, len(val) - 1, color="0.85", alpha=0.6, lw=0,
                   label="not trained (stopped)")
    ax.axvline(last, color="C3", lw=1.5,
               label=f"stops after epoch {last}" if result.stopped_epoch is not None
               else "runs to the end")
    best = result.restored_epoch
    ax.plot([best], [val[best]], "*", color="C2", markersize=15, mec="k",
            label=f"best epoch {best} (restored)")
    if kind == "loss":
        ax.set_yscale("log")
    ax.set_xlabel("epoch (0-based)")
    ax.set_ylabel(kind)
    ax.legend(loc="lower left" if kind == "loss" else "lower right", fontsize=8)
    ax.set_title(title or f"monitor = {monitor}")

    test_loss = history["test_loss"]
    test_acc = history["test_accuracy"]
    labels = [f"restored\n(epoch {best})", f"trained to the end\n(epoch {len(val) - 1})"]
    x = np.arange(2)
    bars = ax_bar.bar(x - 0.2, [test_loss[best], test_loss[-1]], 0.4, color="C3",
                      label="test loss")
    _annotate_bars(ax_bar, bars)
    ax_acc = ax_bar.twinx()
    bars = ax_acc.bar(x + 0.2, [test_acc[best], test_acc[-1]], 0.4, color="C0",
                      label="test accuracy")
    _annotate_bars(ax_acc, bars)
    ax_acc.set_ylim(0.5, 1.05)
    ax_acc.set_ylabel("test accuracy")
    ax_acc.grid(False)
    ax_bar.set_xticks(x, labels)
    ax_bar.set_ylabel("test loss")
    ax_bar.set_ylim(0, max(test_loss[best], test_loss[-1]) * 1.25)
    ax_bar.set_title("the model you end with, on the test set")
    handles = ax_bar.get_legend_handles_labels()[0] + ax_acc.get_legend_handles_labels()[0]
    ax_bar.legend(handles, [h.get_label() for h in handles], loc="upper left", fontsize=8)
    return fig


def patience_sweep_plot(outcomes_by_label: Mapping[str, Mapping]):
    """Epochs trained and the restored model's test loss against the patience, one line
    (and one "trained to the end" reference, dashed) per recorded run.

    ``outcomes_by_label`` maps a label to the result of
    :func:`~surveykit.regularization.es_bn_experiments.early_stopping_outcomes`.
    """
    fig, (ax1, ax2) = new_figure(2, width=11, height=3.6)
    for k, (label, out) in enumerate(outcomes_by_label.items()):
        color = f"C{k}"
        p = np.asarray(out["patience"])
        ax1.plot(p, out["epochs_run"], "o-", color=color, markersize=3,
                 label=f"{label}: epochs trained")
        ax1.plot(p, out["restored"], "s:", color=color, markersize=3,
                 label=f"{label}: restored (best) epoch")
        ax2.plot(p, out["test_loss"], "o-", color=color, markersize=3,
                 label=f"{label}: restored weights")
        ax2.axhline(out["final_test_loss"], color=color, ls="--",
                    label=f"{label}: trained to the end ({out['total_epochs']} epochs)")
    ax1.set_xlabel("patience")
    ax1.set_ylabel("epoch")
    ax1.set_ylim(0, None)
    ax1.legend(loc="upper left", fontsize=8)
    ax1.set_title("cost: epochs trained")
    ax2.set_xlabel("patience")
    ax2.set_ylabel("test loss")
    ax2.set_ylim(0, None)
    ax2.legend(loc="best", fontsize=8)
    ax2.set_title("benefit: test loss of the model you keep")
    return fig


def normalization_steps_plot(x, x_hat, y):
    """A mini-batch at each step of §4.6, one row of points per feature: the input x
    (features on different scales), x̂ = (x − μ_B)/√(σ²_B + ε) (every feature centred,
    unit variance) and y = γ x̂ + β (each feature rescaled by γ, shifted by β). The red
    bar marks each feature's batch mean."""
    fig, axes = new_figure(3, width=11, height=3.0)
    panels = [(x, "input x"), (x_hat, "normalized x̂: mean 0, variance ≈ 1"),
              (y, "output y = γ x̂ + β")]
    d = x.shape[1]
    for ax, (a, title) in zip(axes, panels, strict=True):
        for k in range(d):
            ax.plot(a[:, k], np.full(len(a), k), "o", color=f"C{k}", alpha=0.7, markersize=6)
            ax.plot([a[:, k].mean()] * 2, [k - 0.3, k + 0.3], "-", color="C3", lw=2.5)
        ax.set_yticks(range(d), [f"feature {k}" for k in range(d)])
        ax.set_ylim(-0.6, d - 0.4)
        ax.set_xlabel("value")
        ax.set_title(title)
    return fig


def running_stats_view(stats, momentum: float, *, features: Sequence[int] = (0, 1, 2),
                       accuracy: float | None = None, logy_var: bool = True):
    """Batch statistics (dots) and the running averages with momentum ρ (lines) over
    the training steps, for a few features of one BN layer, with the population
    statistics of the final network (dashed) they should reach (survey §4.6).

    ``stats`` is a :class:`~surveykit.regularization.es_bn_experiments.BatchStatistics`;
    the running averages come from
    :func:`~surveykit.regularization.es_bn_experiments.replay_running_stats` (the survey's
    update from μ_run = 0, σ²_run = 1), a few hundred numpy steps: cheap enough for a slider.
    """
    means, variances = stats.means, stats.variances
    steps = np.arange(1, len(means) + 1)
    run_m, run_v = replay_running_stats(stats, momentum)
    fig, (ax1, ax2) = new_figure(2, width=11, height=3.8)
    for k, f in enumerate(features):
        color = f"C{k}"
        ax1.plot(steps, means[:, f], ".", color=color, alpha=0.25, markersize=3)
        ax1.plot(steps, run_m[:, f], "-", color=color, lw=2, label=f"feature {f}")
        ax1.axhline(stats.population_mean[f], color=color, ls="--", lw=1)
        ax2.plot(steps, variances[:, f], ".", color=color, alpha=0.25, markersize=3)
        ax2.plot(steps, run_v[:, f], "-", color=color, lw=2, label=f"feature {f}")
        ax2.axhline(stats.population_variance[f], color=color, ls="--", lw=1)
    ax1.plot([], [], "k.", label="batch μ_B (each step)")
    ax1.plot([], [], "k-", label=f"running μ (ρ = {momentum:g})")
    ax1.plot([], [], "k--", lw=1, label="full training set, final weights")
    ax1.set_xlabel("training step")
    ax1.set_ylabel("mean")
    ax1.set_title("μ_run ← ρ μ_run + (1 − ρ) μ_B")
    ax1.legend(loc="center right", fontsize=7, ncols=2)
    ax2.set_xlabel("training step")
    ax2.set_ylabel("variance")
    if logy_var:
        ax2.set_yscale("log")
    title = "σ²_run ← ρ σ²_run + (1 − ρ) σ²_B"
    if accuracy is not None:
        title += f"   (inference: validation accuracy {accuracy:.3f})"
    ax2.set_title(title)
    return fig


def metric_vs_learning_rate(learning_rates, runs_by_label: Mapping[str, Sequence], *,
                            metric: str = "val_loss", logy: bool = True, title: str = ""):
    """Final ``metric`` against the learning rate, one line per configuration.

    A diverged run has no final value: it is drawn as a red × at the top edge, labelled,
    never as a point of the curve.
    """
    fig, (ax,) = new_figure(width=7.5, height=4.0)
    lrs = np.asarray(learning_rates, float)
    finals_all = []
    for runs in runs_by_label.values():
        finals_all += [r.final(metric) for r in runs if not r.diverged]
    top = (np.nanmax(finals_all) * (2.5 if logy else 1.15)) if finals_all else 1.0
    for k, (label, runs) in enumerate(runs_by_label.items()):
        finals = np.array([np.nan if r.diverged else r.final(metric) for r in runs])
        ok = np.isfinite(finals)
        ax.plot(lrs[ok], finals[ok], "o-", color=f"C{k}", label=label)
        if (~ok).any():
            ax.plot(lrs[~ok], np.full((~ok).sum(), top * (1 + 0.12 * k)), "x",
                    color=f"C{k}", markersize=11, mew=2.5, label=f"{label}: diverged")
    ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("learning rate η")
    ax.set_ylabel(f"final {metric}")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def small_batch_plot(rows: Sequence[Mapping]):
    """The small-batch failure (§4.7): for each normalization and batch size, the training
    set's loss in training mode (batch statistics) and in inference mode (running
    statistics), and the validation accuracy.

    ``rows``: dicts with ``norm``, ``batch_size``, ``train_mode_loss``, ``inference_loss``
    and ``val_accuracy``.
    """
    fig, (ax1, ax2) = new_figure(2, width=11, height=3.8)
    labels = [f"{r['norm']}\nm = {r['batch_size']}" for r in rows]
    x = np.arange(len(rows))
    bars = ax1.bar(x - 0.2, [r["train_mode_loss"] for r in rows], 0.4, color="C1",
                   label="training mode (batch statistics)")
    _annotate_bars(ax1, bars, "{:.2f}")
    bars = ax1.bar(x + 0.2, [r["inference_loss"] for r in rows], 0.4, color="C0",
                   label="inference mode (running statistics)")
    _annotate_bars(ax1, bars, "{:.2f}")
    ax1.set_xticks(x, labels, fontsize=8)
    ax1.set_ylabel("training-set loss")
    ax1.set_title("the same weights, the same data, two modes")
    ax1.legend(loc="upper right", fontsize=8)
    bars = ax2.bar(x, [r["val_accuracy"] for r in rows],
                   color=["C2" if r["norm"] == "layer norm" else "C4" for r in rows])
    _annotate_bars(ax2, bars)
    ax2.set_xticks(x, labels, fontsize=8)
    ax2.set_ylim(0.8, 1.0)
    ax2.set_ylabel("validation accuracy (inference)")
    ax2.set_title("batch norm vs layer norm across batch sizes")
    return fig
