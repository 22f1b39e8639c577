"""Figures comparing AutoML tools with surveykit's strategies (survey §6.7).

Each function draws from finished :class:`~surveykit.tuning.automl.SearchRecord` objects
and returns its Figure; none runs a search.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..plots import axis_or_new as _axis
from ..plots import new_figure
from ..validation import check_int
from .automl import SearchRecord
from .space import Dimension

__all__ = ["best_so_far", "comparison", "seed_spread", "replay"]




def _records(records) -> list[SearchRecord]:
    records = list(records)
    if not records or not all(isinstance(r, SearchRecord) for r in records):
        raise ValueError(f"records must be a non-empty list of SearchRecord; got {records!r}")
    return records


def best_so_far(records: Sequence[SearchRecord], *, ax=None, title: str = "",
                ylabel: str = "validation loss", show_trials: bool = True,
                logy: bool = False):
    """The best value found after each trial, one step line per search (§6.7).

    ``min_{j ≤ i} value_j`` against the trial number i (1-based); the search's best is
    starred, and with ``show_trials`` every trial's own value is a faint dot of the same
    colour. A failed trial has no value: it is a × on the x-axis, and the legend counts
    the failures.
    """
    records = _records(records)
    fig, ax = _axis(ax, width=8.0, height=4.3)
    finite = np.concatenate([r.values[np.isfinite(r.values)] for r in records] or [[]])
    bottom = float(np.min(finite)) if finite.size else 0.0
    for i, r in enumerate(records):
        color = f"C{i % 10}"
        n = np.arange(1, r.n_trials + 1)
        curve = r.best_so_far()
        failed = f", {r.n_failed} failed" if r.n_failed else ""
        ax.step(n, curve, where="post", color=color, lw=2,
                label=f"{r.label}: {r.best_value:.4g} at trial {r.trials_to_best}{failed}")
        if show_trials:
            ok = np.isfinite(r.values)
            ax.plot(n[ok], r.values[ok], "o", color=color, ms=3.5, alpha=0.35)
        if r.trials_to_best is not None:
            ax.plot([r.trials_to_best], [r.best_value], "*", color=color, ms=13, mec="k",
                    mew=0.6, zorder=5)
        bad = ~np.isfinite(r.values)
        if bad.any():
            ax.plot(n[bad], np.zeros(bad.sum()), "x", color=color, ms=8, mew=2,
                    transform=ax.get_xaxis_transform(), clip_on=False)
    if logy:
        ax.set_yscale("log")
    elif show_trials and finite.size:
        # keep the curves readable: the worst trials may be far above the best
        top = float(np.quantile(finite, 0.9))
        ax.set_ylim(bottom - 0.05 * (top - bottom), top)
    ax.set_xlabel("trial")
    ax.set_ylabel(f"{ylabel} (best so far: line; each trial: dot)")
    ax.set_xlim(0.5, max(r.n_trials for r in records) + 0.5)
    ax.legend(loc="upper right", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def comparison(records: Sequence[SearchRecord], *, title: str = "",
               ylabel: str = "best validation loss", scores: Sequence[float] | None = None,
               score_label: str = "test loss of the best configuration"):
    """Two panels, one bar per search: its best value (and, given ``scores``, a second
    bar, e.g. the best configuration's test score), and its wall time split into the
    objective's seconds (the trainings) and the tool's own seconds."""
    records = _records(records)
    if scores is not None and len(scores) != len(records):
        raise ValueError(f"scores needs one value per record ({len(records)}); "
                         f"got {len(scores)}")
    fig, (ax1, ax2) = new_figure(2, width=12.0, height=4.2)
    y = np.arange(len(records))[::-1]
    labels = [r.label for r in records]
    h = 0.38 if scores is not None else 0.6
    best = np.array([r.best_value for r in records])
    ax1.barh(y + (h / 2 if scores is not None else 0), best, height=h, color="C0",
             label=ylabel)
    for yi, b in zip(y, best, strict=True):
        ax1.text(b, yi + (h / 2 if scores is not None else 0), f" {b:.4f}", va="center",
                 fontsize=8)
    if scores is not None:
        s = np.asarray(scores, float)
        ax1.barh(y - h / 2, s, height=h, color="C1", label=score_label)
        for yi, v in zip(y, s, strict=True):
            ax1.text(v, yi - h / 2, f" {v:.4f}", va="center", fontsize=8)
        ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8,
                   frameon=False)
    ax1.set_yticks(y, labels)
    ax1.set_xlabel(ylabel if scores is None else "loss")
    ax1.set_xlim(0, 1.25 * np.nanmax(np.concatenate([best, scores if scores is not None
                                                     else []])))
    obj = np.array([r.objective_seconds for r in records])
    tool = np.array([r.overhead_seconds for r in records])
    ax2.barh(y, obj, color="C2", label="objective (training the models)")
    ax2.barh(y, tool, left=obj, color="C3", label="the tool's own work")
    for yi, o, t in zip(y, obj, tool, strict=True):
        ax2.text(o + t, yi, f" {o + t:.1f} s", va="center", fontsize=8)
    ax2.set_yticks(y, [""] * len(records))
    ax2.set_xlabel("wall time (s)")
    ax2.set_xlim(0, 1.2 * float(np.max(obj + tool)) if len(records) else 1)
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8,
               frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def seed_spread(groups: Mapping[str, Sequence[SearchRecord]], *, ax=None, title: str = "",
                ylabel: str = "best value after the budget", optimum: float | None = None):
    """The best value each search reached, one column per method, one dot per seed, with
    the median as a bar — how much of a difference between methods is seed noise."""
    if not groups:
        raise ValueError("groups must map a method's name to its SearchRecords; got none")
    fig, ax = _axis(ax, width=8.0, height=4.0)
    for i, recs in enumerate(groups.values()):
        recs = _records(recs)
        vals = np.array([r.best_value for r in recs])
        jitter = np.linspace(-0.15, 0.15, len(vals)) if len(vals) > 1 else np.zeros(1)
        ax.plot(i + jitter, vals, "o", color=f"C{i % 10}", ms=5, alpha=0.8)
        ax.plot([i - 0.3, i + 0.3], [np.median(vals)] * 2, "-", color="k", lw=2)
    if optimum is not None:
        ax.axhline(optimum, color="0.5", ls=":", label=f"the optimum, {optimum:.4g}")
        ax.legend(loc="best", fontsize=8)
    ax.set_xticks(range(len(groups)), list(groups), rotation=15, ha="right")
    ax.set_ylabel(f"{ylabel} (dot: a seed; bar: median)")
    if title:
        ax.set_title(title)
    return fig


def replay(records: Sequence[SearchRecord], trial: int, *, dimension: Dimension,
           method: str = "all", n_initial: int | None = None,
           ylabel: str = "validation loss"):
    """The searches up to trial ``trial``: where each one has looked, and what it found.

    Left: every trial 1…``trial`` of each search (or only the one labelled ``method``),
    its value against the hyperparameter ``dimension`` (a log axis for a log-scale
    dimension, the choices for a categorical one); trial ``trial`` itself is the large
    ringed marker; failed trials are × along the top. Right: the best value so far, up to
    ``trial``. ``n_initial`` marks where the model-based searches' models take over.
    """
    records = _records(records)
    n_max = max(r.n_trials for r in records)
    trial = check_int("trial", trial, 1, n_max)
    labels = [r.label for r in records]
    if method != "all" and method not in labels:
        raise ValueError(f"method must be 'all' or one of {labels}; got {method!r}")
    if not isinstance(dimension, Dimension):
        raise ValueError(f"dimension must be a surveykit Dimension; got {dimension!r}")
    fig, (ax1, ax2) = new_figure(2, width=12.5, height=4.2)
    finite = np.concatenate([r.values[np.isfinite(r.values)] for r in records] or [[]])
    for i, r in enumerate(records):
        if method != "all" and r.label != method:
            continue
        color = f"C{i % 10}"
        shown = r.trials[:trial]
        xs = []
        for t in shown:
            v = t.params[dimension.name]
            xs.append(dimension.index(v) + 0.1 * (i - 2) if dimension.scale == "categorical"
                      else float(v))
        ok = [j for j, t in enumerate(shown) if t.ok]
        bad = [j for j, t in enumerate(shown) if not t.ok]
        ax1.plot([xs[j] for j in ok], [shown[j].value for j in ok], "o", color=color, ms=5,
                 alpha=0.75, label=r.label)
        if bad:
            ax1.plot([xs[j] for j in bad], np.full(len(bad), 0.97), "x", color=color, ms=8,
                     mew=2, transform=ax1.get_xaxis_transform(), clip_on=False)
        if len(shown) == trial:
            last = shown[-1]
            y = last.value if last.ok else None
            if y is not None:
                ax1.plot([xs[-1]], [y], "o", color=color, ms=13, mec="k", mew=1.5, zorder=5)
        curve = r.best_so_far()[:trial]
        ax2.step(np.arange(1, len(curve) + 1), curve, where="post", color=color, lw=2,
                 label=r.label)
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    plain = FuncFormatter(lambda v, _: f"{v:g}")
    if dimension.scale == "log":
        ax1.set_xscale("log")
        ax1.set_xlim(dimension.low / 1.3, dimension.high * 1.3)
        if dimension.high / dimension.low < 300:  # a narrow range: 1, 2, 5 × 10^k, plain
            ax1.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax1.xaxis.set_major_formatter(plain)
            ax1.xaxis.set_minor_formatter(NullFormatter())
    elif dimension.scale == "categorical":
        ax1.set_xticks(range(len(dimension.choices)), [str(c) for c in dimension.choices])
        ax1.set_xlim(-0.5, len(dimension.choices) - 0.5)
    else:
        pad = 0.04 * (dimension.high - dimension.low)
        ax1.set_xlim(dimension.low - pad, dimension.high + pad)
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        ax1.set_yscale("log")
        ax1.set_ylim(lo / 1.15, hi * 1.15)
        ax1.yaxis.set_major_formatter(plain)
        ax1.yaxis.set_minor_formatter(plain)
        ax2.set_ylim(lo - 0.05 * (np.quantile(finite, 0.75) - lo), np.quantile(finite, 0.75))
    ax1.set_xlabel(f"{dimension.name}" + (" (log scale)" if dimension.scale == "log" else ""))
    ax1.set_ylabel(f"{ylabel} (log scale)")
    ax1.set_title(f"Trials 1–{trial}: where each search looked (ringed: trial {trial})")
    handles, labels_ = ax2.get_legend_handles_labels()
    fig.legend(handles, labels_, loc="outside lower center", ncol=len(labels_), fontsize=8,
               frameon=False)
    ax2.set_xlim(0.5, n_max + 0.5)
    ax2.set_xlabel("trial")
    ax2.set_ylabel(f"best {ylabel} so far")
    if n_initial is not None:
        ax2.axvline(n_initial + 0.5, color="0.5", ls="--", lw=1)
        ax2.text(n_initial + 0.6, 0.97, "models take over →", transform=ax2.get_xaxis_transform(),
                 va="top", fontsize=8, color="0.35")
    ax2.set_title(f"Best so far after {trial} trial{'s' if trial > 1 else ''}")
    return fig
