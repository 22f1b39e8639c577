"""Figures for vanishing and exploding gradients (survey §7.1).

Each function draws from results computed by :mod:`surveykit.gradients` (a
:class:`~surveykit.gradients.GradientReport` or :class:`~surveykit.gradients.Variant`)
and returns its Figure; none trains anything. :func:`explorer`, the slider's callback,
backpropagates one batch (a few milliseconds) and draws it.
"""

from __future__ import annotations

import numpy as np

from . import gradients
from .plots import axis_or_new as _axis
from .plots import new_figure

__all__ = ["layer_norms", "chain_rule", "training_curves", "weight_change", "explorer"]




def _finite_positive(values):
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


def layer_norms(reports: dict, *, ax=None, title: str = "", ylim=None):
    """‖∂L/∂W_l‖ against the layer l (1 = next to the input), log scale, one line per report.

    ``reports`` maps a label to a :class:`~surveykit.gradients.GradientReport`. The legend
    gives each line's first/last ratio. Non-finite norms (an overflowed network) are left
    out of the line and said in the legend.
    """
    fig, ax = _axis(ax)
    for i, (label, report) in enumerate(reports.items()):
        norms = np.asarray(report.weight_grad_norms, float)
        layers = np.arange(1, len(norms) + 1)
        bad = ~np.isfinite(norms)
        note = f" — {bad.sum()} layers overflowed" if bad.any() else ""
        ax.plot(layers, _finite_positive(norms), "o-", ms=3.5, color=f"C{i % 10}",
                label=f"{label}: ratio {report.ratio:.2g}{note}")
    ax.set_yscale("log")
    ax.set_xlabel("layer l (1 = first, next to the input)")
    ax.set_ylabel("‖∂L/∂W_l‖")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return fig


def chain_rule(report, *, ax=None, title: str = "", sigmoid_quarter: bool = False):
    """The chain-rule argument, numeric: how much the backward gradient shrinks from the
    output down to each layer.

    For l = L … 0: measured ‖δ_l‖/‖δ_L‖ (δ_l = ∂L/∂h_l), the product of the per-layer bounds
    Π_{k>l} ‖W_k‖₂·max|act'|·… (it can only be above the measurement) and the product of
    the random-matrix estimates Π_{k>l} √fan_in·std(W_k)·rms(act'). With
    ``sigmoid_quarter`` also (1/4)^(L−l): the factor from σ' ≤ 1/4 alone.
    """
    fig, ax = _axis(ax)
    L = len(report.gains)
    layers = np.arange(L, -1, -1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        measured = report.delta_norms[::-1] / report.delta_norms[-1]
        bound = np.concatenate([[1.0], np.cumprod(report.bounds[::-1])])
        estimate = np.concatenate([[1.0], np.cumprod(report.estimates[::-1])])
    ax.plot(layers, _finite_positive(measured), "o-", ms=3.5, color="C0",
            label="measured ‖δ_l‖ / ‖δ_L‖")
    ax.plot(layers, _finite_positive(bound), "--", color="C3",
            label="bound: Π ‖W_k‖₂ · max|act'(z_k)|")
    ax.plot(layers, _finite_positive(estimate), ":", color="k", lw=2,
            label="estimate: Π √fan_in · std(W_k) · rms act'(z_k)")
    if sigmoid_quarter:
        ax.plot(layers, 0.25 ** np.arange(L + 1), "-", color="0.6", lw=1,
                label="(1/4)^(L−l): σ' ≤ 1/4 alone")
    ax.set_yscale("log")
    ax.set_xlabel("layer l (the gradient flows from l = L down to 0)")
    ax.set_ylabel("backward factor relative to the output")
    ax.invert_xaxis()
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def training_curves(variants, *, ax=None, title: str = "", ylim=(1e-3, 1e3)):
    """Training loss per full-batch step, one line per :class:`~surveykit.gradients.Variant`.

    A diverged run is drawn up to its last finite loss, then a dotted line to a × at the
    top edge where it diverged; its legend entry says when (its NaN/huge losses are never
    plotted). A run whose losses equal an earlier run's is drawn dashed and says so.
    """
    fig, ax = _axis(ax, width=8.0, height=4.2)
    seen = []
    for i, v in enumerate(variants):
        run = v.result.run
        losses = np.asarray(run.history.get("loss", []), float)
        steps = np.arange(len(losses))
        color = f"C{i % 10}"
        twin = next((name for name, other in seen if np.array_equal(other, losses)), None)
        seen.append((v.name, losses))
        style = "--" if twin else "-"
        label = v.name + (f" (identical to {twin.split(' (')[0]})" if twin else "")
        if run.diverged:
            label += f" — {gradients.outcome(run).split(' (')[0]}"
            x = run.diverged_at - 1
            if len(losses):
                ax.plot([steps[-1], x], [min(losses[-1], ylim[1]), ylim[1]], ":", color=color)
            ax.plot([x], [ylim[1]], "x", color=color, ms=12, mew=3, clip_on=False)
        ax.plot(steps, losses, style, color=color, label=label)
    ax.set_yscale("log")
    ax.set_ylim(*ylim)
    ax.set_xlabel("full-batch SGD step")
    ax.set_ylabel("training loss (binary cross-entropy)")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def weight_change(variants, *, ax=None, title: str = "", legend: bool = True):
    """How far each layer's weights moved in training, ‖W_l(end) − W_l(0)‖ / ‖W_l(0)‖.

    The survey's symptom of vanishing gradients, "weights stop updating", is the early
    layers' curve at ~0. Diverged runs are skipped (named in the title); a run identical
    to an earlier one is drawn dashed and says so. Colours follow the order of
    ``variants`` (as in :func:`training_curves`), so ``legend=False`` can share its legend.
    """
    fig, ax = _axis(ax)
    skipped, seen = [], []
    for i, v in enumerate(variants):
        if v.result.diverged:
            skipped.append(v.name)
            continue
        change = v.result.weight_change
        twin = next((name for name, other in seen if np.array_equal(other, change)), None)
        seen.append((v.name, change))
        ax.plot(np.arange(1, len(change) + 1), _finite_positive(change),
                "o--" if twin else "o-", ms=3.5, color=f"C{i % 10}",
                label=v.name + (f" (identical to {twin.split(' (')[0]})" if twin else ""))
    ax.set_yscale("log")
    ax.set_xlabel("layer l")
    ax.set_ylabel("relative change of W_l during training")
    if legend:
        ax.legend(loc="best", fontsize=8)
    note = f" (not shown, diverged: {', '.join(skipped)})" if skipped else ""
    ax.set_title((title + note).strip())
    return fig


def _ylim(values, low=1e-30, high=1e20):
    """A fixed range (so slider moves compare), widened by decades if the data leave it."""
    v = _finite_positive(values)
    if np.all(np.isnan(v)):
        return low, high
    lo, hi = np.nanmin(v), np.nanmax(v)
    return (min(low, 10.0 ** np.floor(np.log10(lo) - 1)),
            max(high, 10.0 ** np.ceil(np.log10(hi) + 1)))


def explorer(depth: int, weight_std: float, activation: str, *, X, y, width: int = 32,
             seed: int = 0):
    """The slider view: per-layer gradient norms and backward factors of one network.

    A ``depth``-layer, ``width``-unit network with ``activation`` and N(0, weight_std²)
    weights; gradients of one batch (X, y). He's and Xavier's std for this width are
    given in the title, for reference. The y-axes span 1e-30 … 1e20 unless the data leave
    that range, so that moves of a slider compare at a glance.
    """
    config = gradients.DeepNetConfig(n_in=np.shape(X)[1], depth=depth, width=width,
                                     activation=activation, init="normal", std=weight_std)
    report = gradients.gradient_report(gradients.init_params(config, seed=seed), config, X, y)
    fig, (ax1, ax2) = new_figure(2, width=11, height=4.0)
    layer_norms({config.label(): report}, ax=ax1, ylim=_ylim(report.weight_grad_norms))
    he = gradients.he_std(width)
    glorot = gradients.glorot_std(width, width)
    ax1.set_title(f"He std = {he:.3f}, Xavier std = {glorot:.3f}; you chose {weight_std:.3g} "
                  f"= {weight_std / he:.2g} × He")
    chain_rule(report, ax=ax2, sigmoid_quarter=activation == "sigmoid")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ax2.set_ylim(*_ylim(report.delta_norms / report.delta_norms[-1]))
    ax2.set_title(f"loss {report.loss:.3g}; ‖δ₀‖/‖δ_L‖ = {report.measured_shrinkage:.2g}")
    return fig
