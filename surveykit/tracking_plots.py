"""Plots of tracked runs (survey §8.3, "visual comparisons between runs").

Pure functions: they draw stored :class:`~surveykit.tracking.TrackedRun` objects and
return the Figure; nothing is trained here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .plots import learning_curves, new_figure
from .tracking import TrackedRun, best, check_runs, run_labels
from .validation import check_choice

__all__ = ["compare_figure", "final_metric_figure"]


def compare_figure(runs: Sequence[TrackedRun], metric: str = "loss", *,
                   labels: Sequence[str] | None = None, title: str | None = None,
                   logy: bool = False, ax=None, width: float = 10.0, height: float = 4.5):
    """Overlaid learning curves of several runs, one colour per run: training ``metric``
    solid, ``val_<metric>`` dashed (survey §8.2's convention), epoch 1 … E on the x axis.
    A diverged run is drawn up to its last finished epoch and marked × with "diverged in
    epoch k" in its legend (:func:`surveykit.plots.learning_curves` draws them). Labels
    default to :func:`~surveykit.tracking.run_labels` (the hyperparameters that differ);
    the legend sits to the right of the axes, clear of the curves (``width`` × ``height``
    inches when no ``ax`` is given)."""
    runs = check_runs(runs, "draw")
    names = sorted({m for r in runs for m in r.history if not m.startswith("val_")})
    check_choice("metric", metric, names)
    if labels is None:
        labels = run_labels(runs)
    elif len(labels) != len(runs):
        raise ValueError(f"labels must give one label per run ({len(runs)}); got {len(labels)}")
    if ax is None:
        _, (ax,) = new_figure(width=width, height=height)
    fig = learning_curves(runs, metric=metric, labels=list(labels),
                          title=title or f"{metric}: training (solid) and validation (dashed)",
                          logy=logy, ax=ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig


def final_metric_figure(runs: Sequence[TrackedRun], metric: str = "val_loss", *,
                        mode: str = "min", labels: Sequence[str] | None = None,
                        title: str | None = None, ax=None):
    """One horizontal bar per run: its final ``metric`` (``run.final(metric)``; a test
    metric as ``"test_<m>"``), the best run (:func:`~surveykit.tracking.best` with
    ``mode``) drawn in a darker colour and labelled; runs without a finite value are
    listed with "no value"."""
    runs = check_runs(runs, "draw")
    mode = check_choice("mode", mode, ("min", "max"))
    names = sorted({m for r in runs for m in r.metric_names()})
    check_choice("metric", metric, names)
    if labels is None:
        labels = run_labels(runs)
    elif len(labels) != len(runs):
        raise ValueError(f"labels must give one label per run ({len(runs)}); got {len(labels)}")
    values = np.array([r.final(metric) for r in runs])
    winner = best(runs, metric, mode=mode) if np.isfinite(values).any() else None
    if ax is None:
        fig, (ax,) = new_figure(width=7.0, height=0.45 * len(runs) + 1.2)
    else:
        fig = ax.figure
    y = np.arange(len(runs))[::-1]
    for yi, r, v in zip(y, runs, values, strict=True):
        is_best = r is winner
        if math.isfinite(v):
            ax.barh(yi, v, color="C3" if is_best else "C0", alpha=1.0 if is_best else 0.6)
            ax.text(v, yi, f" {v:.4g}" + ("  ← best" if is_best else ""), va="center",
                    fontsize=9)
        else:
            ax.text(0, yi, f" no value ({r.state})", va="center", fontsize=9, color="0.4")
    ax.set_yticks(y)
    ax.set_yticklabels(list(labels), fontsize=9)
    ax.set_xlabel(f"final {metric}")
    finite = values[np.isfinite(values)]
    if finite.size:
        ax.set_xlim(0, finite.max() * 1.3)
    ax.set_title(title or f"final {metric} per run ({'lowest' if mode == 'min' else 'highest'} "
                 f"is best)")
    return fig
