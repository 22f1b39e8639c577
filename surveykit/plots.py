"""Plotting functions: each draws from computed results and returns its Figure.

They are pure (no training, no randomness), so a widget can call them on every slider
move and tests can check what they drew.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["learning_curves", "bias_variance_curves", "fits_on_resamples",
           "metric_vs_hyperparameter", "new_figure", "axis_or_new"]


def new_figure(ncols: int = 1, *, width: float = 7.0, height: float = 4.0):
    """A figure with ``ncols`` side-by-side axes (not attached to pyplot's state machine)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, axes


def axis_or_new(ax=None, width: float = 7.0, height: float = 4.0):
    """``(figure, axis)``: the figure of ``ax`` when given (a plot drawn into a panel of a
    larger figure), else a new one-axis figure of ``width`` × ``height`` inches."""
    if ax is None:
        fig, (ax,) = new_figure(width=width, height=height)
        return fig, ax
    return ax.figure, ax


def learning_curves(runs: Sequence, *, metric: str = "loss", labels: Sequence[str] | None = None,
                    title: str | None = None, logy: bool = False, ax=None):
    """Training (solid) and validation (dashed) curves per run, survey §8.2's convention.

    A diverged run is drawn up to its last finished epoch and marked with ×, and its legend
    entry says "diverged in epoch k": a NaN loss is reported, never silently plotted.
    ``runs`` are :class:`surveykit.training.Run` objects or :class:`surveykit.curves.Curves`
    (then the default label is the curves' ``label``).
    """
    if ax is None:
        fig, (ax,) = new_figure()
    else:
        fig = ax.figure
    labels = list(labels) if labels is not None else [getattr(r, "label", "") or str(r.config)
                                                      for r in runs]
    colors = [f"C{i % 10}" for i in range(len(runs))]
    for run, label, color in zip(runs, labels, colors, strict=True):
        train = np.asarray(run.history.get(metric, []), float)
        val = np.asarray(run.history.get(f"val_{metric}", []), float)
        epochs = np.arange(1, len(train) + 1)
        suffix = f" — diverged in epoch {run.diverged_at}" if run.diverged else ""
        ax.plot(epochs, train, "-", color=color, label=f"{label}{suffix}")
        if len(val):
            ax.plot(epochs, val, "--", color=color)
        if run.diverged:
            x = run.diverged_at
            y = train[-1] if len(train) else np.nan
            ax.plot([x], [y if np.isfinite(y) else 0.0], "x", color=color, markersize=10, mew=2)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    if logy:
        ax.set_yscale("log")
    ax.plot([], [], "k-", label="training (solid)")
    ax.plot([], [], "k--", label="validation (dashed)")
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return fig


def bias_variance_curves(sweep: dict, *, x_key: str = "degree", xlabel: str = "model complexity",
                         highlight=None, logy: bool = True, ax=None):
    """The survey's Figure 1 from a :func:`surveykit.biasvariance.sweep_complexity` result.

    Draws bias², variance, the noise floor, their sum (expected error) and the directly
    measured test error; marks the complexity with the lowest expected error.
    """
    if ax is None:
        fig, (ax,) = new_figure()
    else:
        fig = ax.figure
    x = np.asarray(sweep[x_key])
    ax.plot(x, sweep["bias2"], "o-", color="C0", label="bias²")
    ax.plot(x, sweep["variance"], "s-", color="C1", label="variance")
    ax.plot(x, sweep["noise"], ":", color="0.4", label="irreducible error σ²")
    ax.plot(x, sweep["expected_error"], "-", color="C3", lw=2.5,
            label="total = bias² + variance + σ²")
    ax.plot(x, sweep["test_mse"], "x", color="k", label="measured test MSE")
    best = int(np.argmin(sweep["expected_error"]))
    ax.axvline(x[best], color="C2", alpha=0.5, lw=6, label=f"sweet spot ({x_key} {x[best]})")
    if highlight is not None:
        ax.axvline(highlight, color="k", lw=1)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("error (mean squared)")
    ax.legend(loc="upper center", ncols=2)
    return fig


def fits_on_resamples(x_test, f_test, predictions, *, x_train=None, y_train=None, n_show: int = 20,
                      title: str = "", ylim=(-2.0, 2.0), ax=None):
    """Several fitted models (thin), their average (thick) and the true function (dashed)."""
    if ax is None:
        fig, (ax,) = new_figure()
    else:
        fig = ax.figure
    for p in predictions[:n_show]:
        ax.plot(x_test, p, color="C1", alpha=0.25, lw=1)
    ax.plot(x_test, predictions.mean(axis=0), color="C0", lw=2.5, label="average fit")
    ax.plot(x_test, f_test, "k--", lw=1.5, label="true f(x)")
    if x_train is not None:
        ax.plot(x_train, y_train, ".", color="0.3", label="one training set")
    ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title)
    ax.legend(loc="lower left")
    return fig


def metric_vs_hyperparameter(values, runs: Sequence, *, name: str, metric: str = "val_loss",
                             logx: bool = True, logy: bool = True, ax=None):
    """The final ``metric`` of each run against the hyperparameter value it used.

    Diverged runs have no final value: they are marked with a red × at the top edge and
    labelled "diverged", so they are seen rather than silently dropped or plotted as NaN.
    """
    if ax is None:
        fig, (ax,) = new_figure()
    else:
        fig = ax.figure
    values = np.asarray(values, float)
    finals = np.array([np.nan if r.diverged else r.final(metric) for r in runs])
    ok = np.isfinite(finals)
    ax.plot(values[ok], finals[ok], "o-", color="C0", label=f"final {metric}")
    if (~ok).any():
        top = np.nanmax(finals) * (3 if logy else 1.2) if ok.any() else 1.0
        ax.plot(values[~ok], np.full((~ok).sum(), top), "x", color="C3", markersize=11, mew=2.5,
                label="diverged")
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(name)
    ax.set_ylabel(metric)
    ax.legend(loc="best")
    return fig
