"""Figures for adequate and coarse-to-fine search (survey §6.4, §6.5).

Every function draws from results already computed (trials, learning curves, stop
summaries) and returns its Figure; none trains anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..plots import axis_or_new as _axis
from ..plots import new_figure
from ..validation import check_int, check_range
from .adequate import NoImprovement, permutation_stops, stop_summary
from .base import Trial, best, completed
from .space import LogUniform, Space

__all__ = ["halving_figure", "regret_boxes", "stopping_figure", "phases_figure"]




def _short(params: Mapping) -> str:
    return ", ".join(f"{k}={v:.2g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in params.items())


def halving_figure(trials: Sequence[Trial], curves: Mapping[int, Sequence[float]] | None = None,
                   *, title: str = "", ylabel: str = "validation loss", legend: bool = True,
                   ax=None):
    """Successive halving on learning curves (§6.4).

    Each configuration of rung 0 is one colour: its trials are dots at (budget, value),
    joined rung to rung; with ``curves`` (``{rung-0 trial number: loss per epoch}``) its
    whole curve is drawn — solid up to the epochs the search paid for, dotted beyond
    (what the search never saw). A star marks the configuration the search returns (best
    at the largest budget), a ring the one that was best at that budget among all.
    ``legend=False`` names only those two (inside the axes) instead of every configuration.
    """
    fig, ax = _axis(ax, width=8.5 if legend else 6.0, height=4.8)
    trials = list(trials)
    roots = [t for t in trials if t.info.get("rung") == 0]
    if not roots:
        raise ValueError("trials must hold a successive-halving search (trials with "
                         "info['rung']); got none with rung 0")
    by_number = {t.number: t for t in trials}

    def root_of(t):
        while "parent" in t.info:
            t = by_number[t.info["parent"]]
        return t.number

    chains: dict[int, list[Trial]] = {}
    for t in trials:
        if "rung" in t.info:
            chains.setdefault(root_of(t), []).append(t)
    max_budget = max(t.budget for t in trials if t.budget is not None)
    for i, (root, chain) in enumerate(sorted(chains.items())):
        color = f"C{i % 10}"
        ok = [t for t in chain if t.ok]
        paid = max(t.budget for t in chain)
        if curves is not None and root in curves:
            c = np.asarray(curves[root], dtype=float)
            epochs = np.arange(1, c.size + 1)
            seen = epochs <= paid
            ax.plot(epochs[seen], c[seen], "-", color=color, lw=1.6)
            ax.plot(epochs[epochs >= paid], c[epochs >= paid], ":", color=color, lw=1.2)
        ax.plot([t.budget for t in ok], [t.value for t in ok], "o", color=color, mec="k",
                ms=7, label=(f"{_short(by_number[root].params)}" + (
                    "" if paid == max_budget else f" (stopped at {paid:g})")) if legend
                else None)
    top = best([t for t in trials if t.budget == max_budget])
    if top is not None:
        ax.plot(top.budget, top.value, "*", ms=22, mfc="none", mec="k", mew=1.8,
                label=f"returned: {top.value:.3f}")
    if curves is not None:
        finals = {r: np.asarray(c, float)[int(max_budget) - 1] for r, c in curves.items()
                  if len(c) >= max_budget and np.isfinite(c[int(max_budget) - 1])}
        if finals:
            r = min(finals, key=finals.get)
            ax.plot(max_budget, finals[r], "o", ms=18, mfc="none", mec="C3", mew=2,
                    label=f"best of all at {max_budget:g}: {finals[r]:.3f}")
    budgets = sorted({t.budget for t in trials if t.budget is not None})
    ax.set_xscale("log")
    ax.set_xticks(budgets, [f"{b:g}" for b in budgets])
    ax.minorticks_off()
    ax.set_xlabel("budget (epochs, log scale)")
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    else:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def regret_boxes(results: Mapping[str, Mapping[str, Sequence[float]]], *, title: str = "",
                 ax=None):
    """Each strategy's regret next to random search's given the same epochs, one pair of
    boxes per strategy, from :func:`~surveykit.tuning.adequate.equal_budget_comparison`
    (log scale; the legend gives the medians and how often the strategy did better)."""
    fig, ax = _axis(ax, width=7.0, height=4.2)
    floor = 1e-6
    for i, (label, r) in enumerate(results.items()):
        a = np.maximum(np.asarray(r["regret"], float), floor)
        b = np.maximum(np.asarray(r["random_regret"], float), floor)
        for j, (vals, color) in enumerate([(a, f"C{i}"), (b, "0.6")]):
            pos = 3 * i + j
            ax.boxplot([vals], positions=[pos], widths=0.7, showfliers=False,
                       medianprops={"color": "k"}, patch_artist=True,
                       boxprops={"facecolor": color, "alpha": 0.6})
            ax.plot(np.full(vals.size, pos) + np.linspace(-0.2, 0.2, vals.size), vals, ".",
                    color="k", alpha=0.35, ms=4)
        better = np.mean(np.asarray(r["regret"]) < np.asarray(r["random_regret"]))
        ax.plot([], [], "s", color=f"C{i}", alpha=0.6,
                label=f"{label}: median {np.median(a):.3g} vs random {np.median(b):.3g}; "
                      f"better in {better:.0%}")
    ax.plot([], [], "s", color="0.6", alpha=0.6, label="random search, same epochs")
    ax.set_xticks([3 * i + 0.5 for i in range(len(results))], list(results), fontsize=9)
    ax.set_yscale("log")
    ax.set_ylabel("regret (loss − best possible)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), fontsize=8, framealpha=0.9)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def stopping_figure(values: Sequence[float], patience: int, min_delta: float = 0.0, *,
                    max_patience: int = 20, n_orders: int = 500, value_name: str = "loss",
                    floor: float | None = None):
    """§6.4's "stop when additional tuning yields little improvement", and its risk.

    Left: one search's trials in order (dots), the best so far (line), and where
    :class:`~surveykit.tuning.adequate.NoImprovement` (``patience``, ``min_delta``) stops
    it, with the trials saved and the loss given up. Right: over ``n_orders`` random orders
    of the same trials (:func:`~surveykit.tuning.adequate.permutation_stops`), for every
    patience up to ``max_patience``: the mean share of trials run and how often the search
    stopped before its best trial; the current patience is marked.
    """
    v = np.asarray(values, dtype=float)
    patience = check_int("patience", patience, 1)
    min_delta = check_range("min_delta", min_delta, 0.0)
    max_patience = check_int("max_patience", max_patience, 1)
    stop = NoImprovement(patience, min_delta)
    s = stop_summary(v, stop)
    fig, (left, right) = new_figure(2, width=13, height=4.4)
    x = np.arange(1, v.size + 1)
    filled = np.where(np.isfinite(v), v, np.inf)
    running = np.minimum.accumulate(filled)
    shift = 0.0 if floor is None else floor
    left.plot(x, v - shift, ".", color="0.55", label="trial")
    left.step(x, running - shift, where="post", color="C0", lw=2, label="best so far")
    k = s["trials_run"]
    left.axvline(k + 0.5, color="C3", lw=2,
                 label=f"patience {patience}: stop after {k} trials ({s['trials_saved']} saved)")
    left.axvspan(k + 0.5, v.size + 0.5, color="C3", alpha=0.08)
    if s["lost"] > 0:
        j = int(np.argmin(filled))
        left.plot(j + 1, v[j] - shift, "*", ms=16, color="C3", mec="k",
                  label=f"missed: best trial {j + 1} ({s['lost']:.3g} better)")
    else:
        left.plot([], [], " ", label="nothing lost: the best trial came before the stop")
    left.set_xlim(0.5, v.size + 0.5)
    left.set_yscale("log" if floor is not None else "linear")
    left.set_xlabel("trial")
    left.set_ylabel(f"{value_name} − minimum" if floor is not None else value_name)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8, ncol=2,
                framealpha=0.9)
    left.set_title(f"one search of {v.size} trials", fontsize=10)
    ps = np.arange(1, max_patience + 1)
    share, lost, lost90 = [], [], []
    for p in ps:
        r = permutation_stops(v, NoImprovement(int(p), min_delta), n_orders=n_orders, seed=0)
        share.append(r["trials_run"].mean() / v.size)
        lost.append(np.median(r["lost"]))
        lost90.append(np.quantile(r["lost"], 0.9))
    right.plot(ps, share, "o-", color="C0",
               label="share of the trials run (= chance the best was among them)")
    i = min(patience, max_patience) - 1
    right.plot(ps[i], share[i], "o", ms=14, mfc="none", mec="k", mew=2)
    right.set_ylim(0, 1.02)
    right.set_xlabel("patience (trials without improvement)")
    right.set_ylabel("share of the trials run", color="C0")
    right.set_xticks(ps[::max(1, len(ps) // 10)])
    twin = right.twinx()
    twin.plot(ps, lost, "^-", color="C3", label=f"{value_name} given up: median")
    twin.plot(ps, lost90, "v--", color="C3", alpha=0.6, label="… 90th percentile")
    twin.plot(ps[i], lost[i], "^", ms=14, mfc="none", mec="k", mew=2)
    twin.set_yscale("symlog", linthresh=1e-3)
    twin.set_ylim(0, max(max(lost90), 1e-3) * 1.5)
    twin.set_ylabel(f"{value_name} given up (best at stop − best of all)", color="C3")
    handles = right.get_legend_handles_labels()
    extra = twin.get_legend_handles_labels()
    right.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper center",
                 bbox_to_anchor=(0.5, -0.13), fontsize=8, ncol=2, framealpha=0.9)
    right.set_title(f"over {n_orders} orders of the same trials (min_delta = {min_delta:g})",
                    fontsize=10)
    return fig


def phases_figure(trials: Sequence[Trial], regions: Sequence[Space], *, x: str,
                  y: str | None = None, background: Callable[[dict], float] | None = None,
                  fixed: Mapping | None = None, resolution: int = 90, marks: Sequence = (),
                  marks_label: str = "marked", value_name: str = "validation loss"):
    """Coarse-to-fine search phase by phase (§6.5): one panel per phase.

    One dimension (``y=None``): every trial's value against ``x`` (log axis for a
    log-scaled dimension); the phase's trials in colour, earlier ones grey, the phase's
    region shaded; ``marks`` are values drawn as dashed lines (e.g. the survey's fine grid),
    named ``marks_label`` in the legend.
    Two dimensions: the trials in the (x, y) plane over contours of ``background(params)``
    (evaluated on a ``resolution`` grid, other dimensions from ``fixed``; levels at its
    quantiles, so valleys and plateaus are both resolved; dark = high), the phase's
    region as a rectangle, ``marks`` points (dicts) drawn as crosses (e.g. the known
    minima). Trials carry ``info["phase"]``.
    """
    trials = [t for t in trials if "phase" in t.info]
    n = len(regions)
    if n == 0:
        raise ValueError("regions must hold at least the first phase's region; got none")
    fig, axes = new_figure(n, width=4.6 * n, height=4.2)
    full = regions[0]
    log_x = isinstance(full[x], LogUniform)
    log_y = y is not None and isinstance(full[y], LogUniform)
    Z = None
    if y is not None and background is not None:
        gx = (np.geomspace if log_x else np.linspace)(full[x].low, full[x].high, resolution)
        gy = (np.geomspace if log_y else np.linspace)(full[y].low, full[y].high, resolution)
        X, Y = np.meshgrid(gx, gy)
        extra = dict(fixed or {})
        Z = np.array([[background({**extra, x: a, y: b}) for a in gx] for b in gy])
    for p, (ax, region) in enumerate(zip(axes, regions, strict=True)):
        earlier = [t for t in trials if t.info["phase"] < p]
        mine = [t for t in trials if t.info["phase"] == p]
        done = completed(mine)
        so_far = best(earlier + mine)
        if y is None:
            ax.axvspan(region[x].low, region[x].high, color="C1", alpha=0.15,
                       label=f"region [{region[x].low:.3g}, {region[x].high:.3g}]")
            ok = completed(earlier)
            ax.plot([t.params[x] for t in ok], [t.value for t in ok], "o", color="0.7",
                    label="earlier phases")
            ax.plot([t.params[x] for t in done], [t.value for t in done], "o", color="C0",
                    mec="k", ms=8, label=f"phase {p + 1}: {len(mine)} trials")
            for j, m in enumerate(marks):
                ax.axvline(m, color="k", ls="--", lw=0.8, label=marks_label if j == 0
                           else None)
            ax.margins(y=0.12)
            ax.set_ylabel(value_name)
        else:
            if Z is not None:
                levels = np.unique(np.quantile(Z[np.isfinite(Z)], np.linspace(0, 1, 15)))
                ax.contourf(X, Y, Z, levels=levels, cmap="viridis_r", alpha=0.8)
            from matplotlib.patches import Rectangle

            ax.add_patch(Rectangle((region[x].low, region[y].low),
                                   region[x].high - region[x].low,
                                   region[y].high - region[y].low, fill=False, ec="C1",
                                   lw=2.5, label="region"))
            ax.plot([t.params[x] for t in earlier], [t.params[y] for t in earlier], "o",
                    color="0.8", mec="0.4", ms=5, label="earlier phases")
            ax.plot([t.params[x] for t in mine], [t.params[y] for t in mine], "o", color="w",
                    mec="k", ms=7, label=f"phase {p + 1}: {len(mine)} trials")
            for j, m in enumerate(marks):
                ax.plot(m[x], m[y], "P", color="C1", mec="k", ms=9,
                        label=marks_label if j == 0 else None)
            if log_y:
                ax.set_yscale("log")
            ax.set_ylim(full[y].low, full[y].high)
            ax.set_ylabel(y)
        if so_far is not None:
            ax.plot(so_far.params[x], so_far.value if y is None else so_far.params[y], "*",
                    ms=18, color="C3", mec="k", label=f"best so far: {so_far.value:.4g}")
        if log_x:
            ax.set_xscale("log")
        pad = (full[x].high / full[x].low) ** 0.03 if log_x and y is None else None
        if pad is not None:
            ax.set_xlim(full[x].low / pad, full[x].high * pad)
        elif y is None:
            width = full[x].high - full[x].low
            ax.set_xlim(full[x].low - 0.03 * width, full[x].high + 0.03 * width)
        else:
            ax.set_xlim(full[x].low, full[x].high)
        ax.set_xlabel(x)
        ax.legend(loc="best", fontsize=7.5, framealpha=0.9)
        ax.set_title(f"phase {p + 1}" + (" (coarse)" if p == 0 else ""), fontsize=10)
    return fig
