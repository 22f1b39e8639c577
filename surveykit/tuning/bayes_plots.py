"""Figures for Bayesian optimization (survey §6.6).

Each function draws from results already computed — a snapshot from
:func:`surveykit.tuning.bayes.posterior_on_grid`, best-so-far curves, timings — and returns
its Figure; none fits or evaluates anything.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..plots import new_figure

__all__ = ["gp_snapshot", "time_per_suggestion"]


def gp_snapshot(snapshot: Mapping, *, truth=None, title: str = "", ylim=None, ylabel: str =
                "validation loss", width: float = 8.0, height: float = 6.0):
    """Survey §6.6's loop at one iteration, in two panels sharing the x axis.

    Top: the completed trials (dots), the GP posterior mean with its ±2σ band, the true
    objective if ``truth = (x, y)`` is given (dashed), the incumbent f* (dotted) and the
    next suggestion (a vertical line). Bottom: Expected Improvement, its maximum marked —
    EI is large where the mean is low (exploitation) or the band is wide (exploration).
    The x axis is logarithmic for a log-scaled hyperparameter. While the strategy is still
    in its initial design (no posterior yet), only the trials and the next point are drawn.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    ax, ax_ei = fig.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
    x = np.asarray(snapshot["grid"], float)
    if truth is not None:
        ax.plot(truth[0], truth[1], "--", color="0.45", lw=1.2, label="true objective")
    n = len(snapshot["x"])
    if snapshot["mean"] is not None:
        mean, std = np.asarray(snapshot["mean"]), np.asarray(snapshot["std"])
        ax.plot(x, mean, color="C0", lw=2, label="GP mean μ(x)")
        ax.fill_between(x, mean - 2 * std, mean + 2 * std, color="C0", alpha=0.18, lw=0,
                        label="μ ± 2σ")
        ax.axhline(snapshot["best"], color="C2", ls=":", lw=1.3,
                   label=f"f* = lowest mean at a trial ({snapshot['best']:.3g})")
        ei = np.asarray(snapshot["ei"])
        ax_ei.fill_between(x, 0, ei, color="C1", alpha=0.35, lw=0)
        ax_ei.plot(x, ei, color="C1", lw=1.5, label="Expected Improvement")
        k = int(np.argmax(ei))
        ax_ei.plot([x[k]], [ei[k]], "v", color="C3", ms=8)
        ax_ei.set_ylim(0, max(float(ei.max()), 1e-300) * 1.15)
    else:
        ax_ei.text(0.5, 0.5, "initial design: no surrogate yet", ha="center", va="center",
                   transform=ax_ei.transAxes, color="0.4")
        ax_ei.set_yticks([])
    ax.plot(snapshot["x"], snapshot["y"], "o", color="k", ms=5, zorder=5,
            label=f"{n} trials")
    for a in (ax, ax_ei):
        a.axvline(snapshot["next"], color="C3", lw=1.2, alpha=0.8)
    ax.plot([], [], color="C3", lw=1.2, label=f"next: {snapshot['name']} = "
                                              f"{snapshot['next']:.3g}")
    if snapshot.get("scale") == "log":
        ax.set_xscale("log")
    ax.set_xlim(x[0], x[-1])
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=8.5, ncols=2)
    ax_ei.set_xlabel(snapshot["name"])
    ax_ei.set_ylabel("EI")
    ax.set_title(title or f"after {n} trials")
    return fig


def time_per_suggestion(times: Mapping[str, np.ndarray], *, title: str = "", ax=None):
    """The strategy's own time per suggestion (ms) against the trial number, one line per
    strategy — §6.6's "computationally expensive per iteration", measured."""
    if ax is None:
        fig, (ax,) = new_figure()
    else:
        fig = ax.figure
    for i, (label, t) in enumerate(times.items()):
        t = 1000 * np.asarray(t, float)
        ax.plot(np.arange(1, len(t) + 1), t, "-", color=f"C{i % 10}", lw=1.5,
                label=f"{label} (median {np.median(t):.2g} ms)")
    ax.set_yscale("log")
    ax.set_xlabel("trial number")
    ax.set_ylabel("time to suggest the trial (ms)")
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return fig
