"""Figures for the architecture hyperparameters (survey §3.1), drawn from computed results.

Pure functions returning a Figure (no training): :func:`parameter_bars` draws where a
network's parameters are, layer by layer; :func:`architecture_view` shows one cached
run's learning curves next to every cached run's validation loss against its size, for
the architecture widget of notebook 03.01.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

from .models import Architecture, layer_parameters
from .plots import learning_curves, new_figure

__all__ = ["parameter_bars", "architecture_view"]


def parameter_bars(arch: Architecture, *, title: str | None = None, ax=None):
    """Stacked bars per layer: weights, biases and batch norm's γ,β and moving statistics.

    The counts come from :func:`surveykit.models.layer_parameters` (no Keras needed).
    """
    if ax is None:
        fig, (ax,) = new_figure(width=7.0, height=3.6)
    else:
        fig = ax.figure
    rows = layer_parameters(arch)
    x = np.arange(len(rows))
    bottom = np.zeros(len(rows))
    parts = [("kernel", "weights", "C0"), ("bias", "biases", "C1"),
             ("scale_shift", "batch norm γ, β", "C2"), ("moving", "batch norm moving stats", "0.6")]
    for attr, label, color in parts:
        values = np.array([getattr(r, attr) for r in rows], float)
        if values.any():
            ax.bar(x, values, bottom=bottom, color=color, label=label)
            bottom += values
    for xi, total in zip(x, bottom, strict=True):
        ax.annotate(f"{int(total):,}", (xi, total), ha="center", va="bottom", fontsize=9,
                    xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(x, [r.layer for r in rows], rotation=20 if len(rows) > 5 else 0)
    ax.set_ylabel("parameters")
    ax.set_ylim(0, bottom.max() * 1.15)
    total = int(bottom.sum())
    ax.set_title(title or f"{arch.label()}: {total:,} parameters")
    ax.legend(loc="upper right")
    return fig


def architecture_view(runs: Mapping, depth: int, width: int, activation: str, *,
                      input_shape=(30,), taper: bool = True):
    """One cached run's learning curves (left) and all runs' validation loss vs size (right).

    ``runs`` maps ``(depth, width, activation)`` to a :class:`surveykit.training.Run`
    trained with ``Architecture.from_depth_width(input_shape, depth, width, taper=taper,
    activation=activation)``. The parameter count in the title is computed live from the
    hyperparameters; the curves are the cached run's. Right: for every cached run, the
    training (×) and validation (●) loss at the last epoch against its parameter count —
    the vertical gap between them is the overfitting; the selected run is ringed.
    """
    key = (depth, width, activation)
    if key not in runs:
        raise ValueError(f"(depth, width, activation) must be one of {sorted(runs)}; got {key!r}")
    arch = Architecture.from_depth_width(input_shape, depth, width, taper=taper,
                                         activation=activation)
    n_params = arch.count_parameters()
    fig, (ax1, ax2) = new_figure(2, width=11.0, height=4.0)
    run = runs[key]
    learning_curves([run], labels=[arch.label()], logy=True, ax=ax1,
                    title=f"{arch.label()} — {n_params:,} parameters")
    ax1.set_ylim(0.002, 1.0)
    acts = sorted({k[2] for k in runs})
    colors = {act: f"C{i}" for i, act in enumerate(acts)}
    offset = {act: 0.15 * (i - (len(acts) - 1) / 2) for i, act in enumerate(acts)}
    sizes = {}
    for d, w, act in runs:
        sizes[d, w] = Architecture.from_depth_width(input_shape, d, w, taper=taper,
                                                    activation=act).count_parameters()
    order = sorted(sizes, key=lambda k: (sizes[k], k))
    for (d, w, act), r in sorted(runs.items()):
        x = order.index((d, w)) + offset[act]
        train, val = r.final("loss"), r.final("val_loss")
        ax2.plot([x, x], [train, val], "-", color=colors[act], lw=1, alpha=0.6)
        ax2.plot(x, train, "x", color=colors[act], ms=7, mew=2)
        ax2.plot(x, val, "o", color=colors[act])
        if key == (d, w, act):
            ax2.plot([x, x], [train, val], "o", ms=13, mfc="none", color="k", mew=1.2)
    for act, c in colors.items():
        ax2.plot([], [], "s", color=c, label=activation_label(act))
    ax2.plot([], [], "x", color="0.3", mew=2, label="training loss")
    ax2.plot([], [], "o", color="0.3", label="validation loss")
    ax2.set_xticks(range(len(order)),
                   [f"{d} × {w}\n{sizes[d, w]:,} params" for d, w in order])
    ax2.set_xlim(-0.5, len(order) - 0.5)
    ax2.set_yscale("log")
    ax2.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax2.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax2.yaxis.set_minor_formatter(NullFormatter())
    ax2.set_xlabel("depth × first width, in order of size")
    ax2.set_ylabel("loss at the last epoch")
    ax2.set_title("every cached run: the gap ✕ → ● is the overfitting")
    ax2.legend(loc="lower left")
    return fig


def activation_label(name: str) -> str:
    return {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "tanh": "tanh",
            "sigmoid": "sigmoid"}.get(name, name)
