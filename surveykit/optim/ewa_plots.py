"""Plotting functions for exponentially weighted averages (survey §5.6, §3.5), notebook 05.06.

Each draws from results computed by :mod:`surveykit.optim.ewa` and
:mod:`surveykit.optim.adaptive_experiments` (no randomness inside) and returns its
``matplotlib.figure.Figure``.
"""

from __future__ import annotations

import numpy as np

from ..plots import new_figure
from .ewa import effective_window, ewa_weights, weight_in_last
from .schedules import evaluate

__all__ = ["series_view", "weights_by_age", "bias_correction_start", "tradeoff",
           "optimizer_moments", "schedule_losses"]


def series_view(t, truth, x, average, *, beta: float, bias_correction: bool,
                n_weights: int = 60):
    """A noisy series, its truth and its EWA (left); the weights of the last points (right).

    ``average`` is the EWA of ``x`` (:func:`surveykit.optim.ewa_series`) for ``beta``,
    with or without ``bias_correction`` (named in the legend). The right panel shows
    the weight of each of the last ``n_weights`` observations in the last average, with
    the last ``1/(1 − β)`` shaded and their share of the weight written.
    """
    fig, (ax1, ax2) = new_figure(2, width=12.5, height=4.2)
    fig.get_layout_engine().set(w_pad=0.1)
    ax1.plot(t, x, ".", color="0.6", ms=3, label="observations x_t")
    ax1.plot(t, truth, "--", color="k", lw=1.2, label="noiseless truth")
    kind = "bias-corrected v̂_t" if bias_correction else "raw v_t"
    ax1.plot(t, average, "-", color="C3", lw=2, label=f"EWA, β = {beta:g} ({kind})")
    ax1.set_xlabel("day t")
    ax1.set_ylabel("temperature (°C)")
    ax1.set_ylim(min(-1.0, float(np.min(x)) - 1), float(np.max(x)) + 1)
    ax1.legend(loc="upper left", fontsize=9)
    ax1.set_title("smoothing a noisy series")
    n = min(n_weights, len(x))
    w = ewa_weights(beta, len(x), bias_correction=bias_correction)[-n:]
    ages = np.arange(n - 1, -1, -1)
    window = effective_window(beta) if beta > 0 else 1.0
    inside = ages < window
    ax2.bar(ages[inside], w[inside], color="C3", width=0.8,
            label=f"last 1/(1 − β) = {window:.3g} points")
    ax2.bar(ages[~inside], w[~inside], color="0.6", width=0.8, label="older points")
    share = weight_in_last(beta) if beta > 0 else 1.0
    ax2.set_title(f"weights in the last average: {share:.1%} on the shaded points")
    ax2.set_xlabel("age of the observation (steps back)")
    ax2.set_ylabel("weight")
    ax2.set_xlim(n, -1)
    ax2.legend(loc="upper left", fontsize=9)
    return fig


def weights_by_age(betas, *, n_ages: int = 120):
    """Weight ``(1 − β)βᵏ`` of the observation ``k`` steps back, for several β.

    Each curve's first ``1/(1 − β)`` points (the "window") are filled; the legend gives
    the share of the weight they carry.
    """
    fig, (ax,) = new_figure(width=8, height=4)
    ages = np.arange(n_ages)
    for i, beta in enumerate(betas):
        w = ewa_weights(beta, n_ages)[::-1]  # index = age
        window = effective_window(beta)
        color = f"C{i}"
        ax.plot(ages, w, "-", color=color, lw=1.8,
                label=f"β = {beta:g}: window 1/(1 − β) = {window:.0f}, "
                      f"carries {weight_in_last(beta):.1%}")
        inside = ages < window
        ax.fill_between(ages[inside], w[inside], color=color, alpha=0.25)
        ax.plot([window], [(1 - beta) * beta**window], "o", color=color, ms=6)
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 0.2)
    ax.set_xlabel("age k of the observation (steps back)")
    ax.set_ylabel("weight (1 − β)·βᵏ")
    ax.set_title("dots: the weight 1/(1 − β) steps back is ≈ 1/e of the newest one's")
    ax.legend(loc="upper right", fontsize=9)
    return fig


def bias_correction_start(t, truth, x, raw: dict, corrected: dict, *, n_show: int = 60):
    """The first ``n_show`` steps: raw EWAs (dashed) start at 0, corrected ones (solid) do not.

    ``raw`` and ``corrected`` map β to the EWA of ``x`` without and with bias correction.
    Right: the correction factor ``1/(1 − βᵗ)`` for each β.
    """
    fig, (ax1, ax2) = new_figure(2, width=12, height=4.2)
    s = slice(0, n_show)
    ax1.plot(t[s], x[s], ".", color="0.6", ms=5, label="observations")
    ax1.plot(t[s], truth[s], "--", color="k", lw=1, label="truth")
    for i, beta in enumerate(raw):
        color = f"C{i}"
        ax1.plot(t[s], raw[beta][s], "--", color=color, lw=1.8, label=f"β = {beta:g}, raw v_t")
        ax1.plot(t[s], corrected[beta][s], "-", color=color, lw=2,
                 label=f"β = {beta:g}, corrected v̂_t")
    ax1.set_xlabel("day t")
    ax1.set_ylabel("°C")
    ax1.set_title("the zero start: v_0 = 0 drags the raw average down")
    ax1.legend(loc="lower right", fontsize=8, ncols=2)
    steps = np.arange(1, max(len(t), 1) + 1)
    for i, beta in enumerate(raw):
        ax2.plot(steps, 1 / (1 - beta ** steps), "-", color=f"C{i}", lw=2,
                 label=f"β = {beta:g}")
    ax2.axhline(1, color="k", lw=1, ls=":")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("step t")
    ax2.set_ylabel("correction factor 1 / (1 − βᵗ)")
    ax2.set_title("the correction fades after a few 1/(1 − β) steps")
    ax2.legend(loc="upper right", fontsize=9)
    return fig


def tradeoff(curve: dict, series: dict):
    """Lag against smoothness (left) and the error on a real series against β (right).

    ``curve``: ``beta``, ``lag`` and ``lag_theory`` (steps behind a ramp), ``noise`` and
    ``noise_theory`` (std of the EWA of unit white noise). ``series``:
    :func:`~surveykit.optim.adaptive_experiments.beta_tradeoff`'s result.
    """
    fig, (ax1, ax2) = new_figure(2, width=12, height=4.3)
    ax1.plot(curve["lag_theory"], curve["noise_theory"], "-", color="C0", lw=2,
             label="theory: lag β/(1 − β), noise √((1 − β)/(1 + β))")
    ax1.plot(curve["lag"], curve["noise"], "o", color="C3", label="measured")
    for b, lag, noise in zip(curve["beta"], curve["lag"], curve["noise"], strict=True):
        ax1.annotate(f"β={b:g}", (lag, noise), xytext=(5, 4), textcoords="offset points",
                     fontsize=8)
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("lag: steps behind a linear trend")
    ax1.set_ylabel("noise left: std(EWA of noise) / σ")
    ax1.set_title("smoother costs later: each β is one point")
    ax1.legend(loc="upper right", fontsize=9)
    b = series["beta"]
    ax2.plot(b, series["rmse"], "o-", color="C3", lw=2, label="RMSE against the truth")
    ax2.plot(b, series["residual_sd"], "s--", color="C0", label="noise left (after the lag)")
    ax2.plot(b, series["noise_theory"], ":", color="C0", label="noise left, theory")
    best = series["best_beta"]
    ax2.axvline(best, color="C2", lw=6, alpha=0.3, label=f"best β = {best:g}")
    ax2.set_xlabel("β")
    ax2.set_ylabel("°C")
    ax2.set_title(f"the temperature series (noise σ = {series['noise_sd']:.2f})")
    ax2.legend(loc="upper left", fontsize=9)
    return fig


def optimizer_moments(grads, slots: dict, ewas: dict, *, beta_1: float, beta_2: float):
    """Keras' Adam state (dots) on top of surveykit's EWAs (lines), for one coordinate.

    Left: the gradient, Adam's ``m`` and the EWA of g (β₁); right: g², Adam's ``v`` and the
    EWA of g² (β₂), with its bias-corrected version. ``slots`` is
    :func:`~surveykit.optim.adaptive_experiments.keras_slots`'s result and ``ewas`` maps
    ``"m"``, ``"v"``, ``"v_hat"`` to the matching surveykit EWAs (first coordinate used).
    """
    fig, (ax1, ax2) = new_figure(2, width=12, height=4.2)
    g = np.asarray(grads)[:, 0]
    steps = np.arange(1, len(g) + 1)
    every = max(1, len(g) // 60)
    ax1.plot(steps, g, "-", color="0.7", lw=1, label="gradient g_t")
    ax1.plot(steps, ewas["m"][:, 0], "-", color="C0", lw=2, label=f"EWA of g, β₁ = {beta_1:g}")
    ax1.plot(steps[::every], slots["adam_m"][::every, 0], "o", color="C3", ms=4,
             label="Keras Adam's m")
    ax1.set_xlabel("step t")
    ax1.set_title("first moment: m is an EWA of the gradients")
    ax1.legend(loc="lower right", fontsize=9)
    ax2.plot(steps, g**2, "-", color="0.7", lw=1, label="g_t²")
    ax2.plot(steps, ewas["v"][:, 0], "-", color="C0", lw=2, label=f"EWA of g², β₂ = {beta_2:g}")
    ax2.plot(steps[::every], slots["adam_v"][::every, 0], "o", color="C3", ms=4,
             label="Keras Adam's v")
    ax2.plot(steps, ewas["v_hat"][:, 0], "-", color="C2", lw=2, label="bias-corrected v̂_t")
    ax2.set_yscale("log")
    ax2.set_xlabel("step t")
    ax2.set_title("second moment: v is an EWA of the squared gradients")
    ax2.legend(loc="lower right", fontsize=9)
    return fig


def schedule_losses(schedules: dict, losses: dict, *, title: str = ""):
    """Learning-rate schedules (left) and the mean loss each gives (right, log scale).

    ``schedules`` and ``losses`` map the same labels to a schedule (anything
    :func:`surveykit.optim.schedules.evaluate` accepts) and to
    :func:`~surveykit.optim.adaptive_experiments.noisy_losses`' result.
    """
    fig, (ax1, ax2) = new_figure(2, width=12, height=4)
    for i, (label, loss) in enumerate(losses.items()):
        color = f"C{i}"
        steps = np.arange(len(loss))
        _, eta = evaluate(schedules[label], steps[:-1])
        ax1.plot(steps[:-1], eta, "-", color=color, lw=2, label=label)
        ax2.plot(steps, loss, "-", color=color, lw=1.5,
                 label=f"{label}: final {loss[-1]:.2g}")
    ax1.set_xlabel("step t")
    ax1.set_ylabel("learning rate η_t")
    ax1.set_title("schedules")
    ax1.legend(loc="lower left", fontsize=9)
    ax2.set_yscale("log")
    ax2.set_xlabel("step t")
    ax2.set_ylabel("mean loss over the runs")
    ax2.set_title(title)
    ax2.legend(loc="upper right", fontsize=9)
    return fig
