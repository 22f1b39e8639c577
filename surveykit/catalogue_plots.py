"""Figures for the optimization and EWA hyperparameters of survey §3.4–3.5 (notebook 03.01).

Pure functions returning a Figure, drawn from computed arrays: :func:`decay_figure`
(the survey's 1/t learning-rate decay, surveykit's values against Keras') and
:func:`bias_correction_figure` (EWA estimates with and without bias correction).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .plots import new_figure

__all__ = ["decay_figure", "bias_correction_figure"]


def decay_figure(steps, values, reference=None, *, initial_learning_rate: float,
                 decay_rate: float, reference_label: str = "Keras InverseTimeDecay",
                 every: int = 10, ax=None):
    """η_t against t (line), ``reference`` values as markers every ``every`` steps.

    Marks η0/2, reached at t = 1/decay_rate for η_t = η0 / (1 + decay_rate · t).
    """
    if ax is None:
        fig, (ax,) = new_figure(width=7.0, height=3.6)
    else:
        fig = ax.figure
    steps = np.asarray(steps, float)
    ax.plot(steps, values, "-", color="C0", label="surveykit InverseTimeDecay")
    if reference is not None:
        ax.plot(steps[::every], np.asarray(reference)[::every], "o", mfc="none", color="C3",
                label=reference_label)
    half = 1.0 / decay_rate
    ax.axhline(initial_learning_rate / 2, color="0.5", ls=":", lw=1)
    if steps.min() <= half <= steps.max():
        ax.axvline(half, color="0.5", ls=":", lw=1)
        ax.annotate(f"η0/2 at t = 1/decay = {half:g}", (half, initial_learning_rate / 2),
                    xytext=(6, 8), textcoords="offset points", fontsize=9)
    ax.set_xlabel("step t")
    ax.set_ylabel("learning rate η_t")
    ax.set_ylim(0, initial_learning_rate * 1.05)
    ax.set_title(f"η_t = η0 / (1 + decay·t),  η0 = {initial_learning_rate:g}, "
                 f"decay = {decay_rate:g}")
    ax.legend(loc="upper right")
    return fig


def bias_correction_figure(panels: Sequence[dict]):
    """One panel per EWA: raw average, bias-corrected average and the ``target`` value.

    Each panel is a dict with ``title``, ``symbol`` (``"m"`` or ``"v"``), ``t`` (the steps,
    drawn on a log scale), ``raw``, ``corrected`` and ``target`` (the value averaged).
    """
    fig, axes = new_figure(len(panels), width=5.5 * len(panels), height=3.8)
    for ax, p in zip(axes, panels, strict=True):
        t, sym = np.asarray(p["t"], float), p["symbol"]
        ax.plot(t, p["raw"], "-", color="C1", label=f"raw average {sym}_t (starts at 0)")
        ax.plot(t, p["corrected"], "--", color="C0", lw=2.2,
                label=f"bias-corrected {sym}̂_t = {sym}_t / (1 − βᵗ)")
        ax.axhline(p["target"], color="k", ls=":", lw=1.2, label="value being averaged")
        ax.set_xscale("log")
        ax.set_xlabel("step t (log scale)")
        ax.set_title(p["title"])
        ax.set_ylim(0, p["target"] * 1.25)
        ax.legend(loc="lower right")
    return fig
