"""Figures for hyperparameter robustness (survey §8.4).

Each function draws from results computed by :mod:`surveykit.robustness` (a
:class:`~surveykit.robustness.Sensitivity`, :class:`~surveykit.robustness.SeedSpread`,
:class:`~surveykit.robustness.LossGrid` or lists of
:class:`~surveykit.robustness.Sharpness`) and returns its Figure; none trains anything.
A diverged run (NaN loss) is marked and said in the legend, never drawn as a value.
"""

from __future__ import annotations

import math

import numpy as np

from .plots import axis_or_new as _axis
from .robustness import LossGrid, SeedSpread, Sensitivity, Sharpness
from .validation import check_range

__all__ = ["sensitivity_figure", "seed_spread_figure", "contour_figure", "sharpness_figure"]




def _short(v) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def sensitivity_figure(sens: Sensitivity, *, noise: float | None = None, ax=None,
                       title: str = ""):
    """The change of validation loss L(neighbour) − L(params) for each hyperparameter's
    neighbours (survey §8.4, sensitivity analysis), most sensitive at the top; each bar is
    labelled with the neighbour's value. ``noise`` (e.g. the seed standard deviation)
    shades ±noise: changes inside the band are not distinguishable from seed noise. A
    diverged neighbour is written "diverged", not drawn."""
    if not isinstance(sens, Sensitivity):
        raise ValueError(f"sens must be a robustness.Sensitivity; got {sens!r}")
    names = sens.ranking()[::-1]
    fig, ax = _axis(ax, height=0.6 + 0.75 * len(names) + 1.0)
    if noise is not None:
        noise = check_range("noise", noise, 0.0)
        ax.axvspan(-noise, noise, color="0.85", label=f"± seed std ({noise:.3g})")
    h = 0.38
    for k, n in enumerate(names):
        for m, (v, loss) in enumerate(sens.neighbours[n]):
            y = k + (m - 0.5) * h if len(sens.neighbours[n]) > 1 else k
            if not math.isfinite(loss):
                ax.text(0, y, f"  {_short(v)}: diverged", va="center", color="C3")
                continue
            d = loss - sens.base
            ax.barh(y, d, height=h * 0.9, color=f"C{m % 10}")
            ax.text(d, y, f" {_short(v)} ", va="center",
                    ha="left" if d >= 0 else "right", fontsize=8)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels([f"{n} = {_short(sens.params[n])}" for n in names])
    ax.set_xlabel(f"validation loss change from {sens.base:.4f}")
    ax.margins(x=0.25)
    if noise is not None:
        ax.legend(loc="lower right")
    ax.set_title(title or "Sensitivity: one small step per hyperparameter")
    return fig


def seed_spread_figure(spreads: dict, *, ax=None, title: str = "", ylabel="validation loss"):
    """One column per configuration: each seed's validation loss (dots), the mean (bar)
    and its Student-t interval (error bar) — survey §8.4's "different seeds". Diverged
    seeds are counted in the label, not drawn."""
    if not spreads or not all(isinstance(s, SeedSpread) for s in spreads.values()):
        raise ValueError("spreads must be a non-empty dict label -> robustness.SeedSpread")
    fig, ax = _axis(ax, width=6.0)
    for k, s in enumerate(spreads.values()):
        color = f"C{k % 10}"
        vals = s.finite
        jitter = np.linspace(-0.12, 0.12, max(vals.size, 1))[: vals.size]
        ax.plot(k + jitter, vals, "o", color=color, alpha=0.7, ms=6)
        lo, hi = s.ci
        if s.n >= 2:
            ax.errorbar([k + 0.3], [s.mean], yerr=[[s.mean - lo], [hi - s.mean]], fmt="s",
                        color=color, capsize=6, ms=7)
        ax.plot([k - 0.2, k + 0.2], [s.mean] * 2, "-", color=color, lw=2)
    labels = []
    for label, s in spreads.items():
        extra = f"\n{len(s.diverged)} diverged" if s.diverged else ""
        labels.append(f"{label}\n{s.n} seeds, std {s.std:.3g}{extra}")
    ax.set_xticks(range(len(spreads)))
    ax.set_xticklabels(labels)
    ax.set_xlim(-0.6, len(spreads) - 0.4)
    ax.set_ylabel(ylabel)
    ax.plot([], [], "ko", label="one seed")
    level = next(iter(spreads.values())).level
    ax.errorbar([], [], yerr=[], fmt="ks", capsize=6, label=f"mean, {level:.0%} t interval")
    ax.legend(loc="best")
    ax.set_title(title or "The same configuration, different seeds")
    return fig


def contour_figure(grid: LossGrid, *, tolerance: float = 0.02, ax=None, title: str = "",
                   levels: int = 12, vmax: float | None = None):
    """Survey §8.4's contour plot: validation loss over learning rate × batch size, both
    axes logarithmic; the robust zone (loss ≤ best + ``tolerance``) is outlined in black
    and its cells dotted, the best point ★ and the most stable one (best worst
    neighbour, :meth:`~surveykit.robustness.LossGrid.most_stable`) ◆ are marked.
    Diverged cells are × and left blank (never a colour). ``vmax`` caps the colour scale."""
    if not isinstance(grid, LossGrid):
        raise ValueError(f"grid must be a robustness.LossGrid; got {grid!r}")
    tolerance = check_range("tolerance", tolerance, 0.0)
    fig, ax = _axis(ax, width=7.5, height=4.8)
    x, y = grid.learning_rates, grid.batch_sizes.astype(float)
    z = np.ma.masked_invalid(grid.values.T)
    finite = grid.values[np.isfinite(grid.values)]
    top = float(finite.max()) if vmax is None else check_range("vmax", vmax, 0.0,
                                                               low_closed=False)
    lv = np.linspace(float(finite.min()), max(top, float(finite.min()) + 1e-9), levels)
    cs = ax.contourf(x, y, np.ma.minimum(z, top), levels=lv, cmap="viridis_r", extend="max"
                     if vmax is not None else "neither")
    fig.colorbar(cs, ax=ax, label="validation loss")
    lr_b, bs_b, best = grid.best()
    cut = best + tolerance
    inside = grid.robust_region(tolerance)
    if finite.max() > cut:
        ax.contour(x, y, z, levels=[cut], colors="k", linewidths=2.2)
    ii, jj = np.nonzero(inside)
    ax.plot(x[ii], y[jj], "o", color="white", mec="k", ms=5, ls="none")
    ax.plot([], [], "k-", lw=2.2, label=f"robust zone: loss ≤ {best:.3f} + {tolerance:g} "
                                         f"({int(inside.sum())} of {inside.size} runs)")
    ax.plot([lr_b], [bs_b], "*", color="gold", mec="k", ms=17, ls="none",
            label=f"best: η = {lr_b:.2g}, B = {bs_b} ({best:.3f})")
    lr_s, bs_s, worst = grid.most_stable()
    ax.plot([lr_s], [bs_s], "D", color="none", mec="red", mew=2, ms=13, ls="none",
            label=f"most stable: η = {lr_s:.2g}, B = {bs_s} (worst neighbour {worst:.3f})")
    bad = grid.diverged
    if bad:
        ax.plot([b[0] for b in bad], [b[1] for b in bad], "x", color="red", ms=11, mew=2.5,
                ls="none", label=f"diverged ({len(bad)} runs)")
    ax.set_xscale("log")
    ax.set_yscale("log", base=2)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{v:.2g}" for v in x])
    ax.set_yticks(y)
    ax.set_yticklabels([str(int(v)) for v in y])
    ax.minorticks_off()
    ax.set_xlabel("learning rate η (log scale)")
    ax.set_ylabel("batch size B (log scale)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, ncol=1)
    ax.set_title(title or "Validation loss over learning rate × batch size")
    return fig


def sharpness_figure(curves: dict, *, radius: float | None = None, ax=None, title: str = "",
                     show_max: bool = True, ylabel: str = "training loss increase ΔL"):
    """Loss increase against the perturbation radius, one colour per model: the mean over
    the random directions (line, with ± 2 standard errors shaded) and, with
    ``show_max``, the largest increase (dashed) — survey §8.4's flat vs sharp minima.
    ``radius`` draws a vertical marker (the slider's position) and writes each model's
    mean there in the legend. ``curves`` maps a label to a list of
    :class:`~surveykit.robustness.Sharpness` at increasing radii."""
    if not curves or not all(len(c) and all(isinstance(s, Sharpness) for s in c)
                             for c in curves.values()):
        raise ValueError("curves must be a non-empty dict label -> list of "
                         "robustness.Sharpness")
    fig, ax = _axis(ax)
    for k, (label, curve) in enumerate(curves.items()):
        color = f"C{k % 10}"
        r = np.array([s.radius for s in curve])
        m = np.array([s.mean for s in curve])
        se = np.array([s.sem for s in curve])
        extra = ""
        if radius is not None:
            i = int(np.argmin(np.abs(r - radius)))
            extra = f": {m[i]:.4f} at r = {r[i]:g}"
        ax.plot(r, m, "o-", color=color, ms=4, label=f"{label}{extra}")
        ax.fill_between(r, m - 2 * se, m + 2 * se, color=color, alpha=0.18, lw=0)
        if show_max:
            ax.plot(r, [s.max for s in curve], "--", color=color, lw=1)
    if show_max:
        ax.plot([], [], "k--", lw=1, label="max over directions")
    if radius is not None:
        ax.axvline(radius, color="0.4", lw=1, ls=":")
    ax.axhline(0, color="k", lw=0.6)
    first = next(iter(curves.values()))[0]
    scale = "relative radius r (‖ε_l‖ = r·‖w_l‖ per layer)" if first.relative \
        else "radius r (‖ε‖ = r)"
    ax.set_xlabel(scale)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title or "Sharpness: loss increase under random weight perturbations")
    return fig
