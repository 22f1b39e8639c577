"""Figures of a search's results (survey §6): best-so-far curves, value against each
hyperparameter. Pure: they draw from stored trials (or arrays), never evaluate anything.

- :func:`best_so_far_figure` — the best value found after each evaluated trial,
  ``b_k = min{value_j : j ≤ k, trial j complete}`` (§6: "return the best-performing
  configuration"), for one or several searches, with the median and 25–75 % band when a
  label holds several repeats (seeds); against trials or against the budget spent (epochs,
  for the adequate search of §6.4).
- :func:`value_vs_params_figure` — every finished trial's value against each
  hyperparameter, the x axis in the dimension's own scale (log for log-uniform and
  log-integer dimensions, §7.4; the choices for a categorical one); failed trials are
  marked × along the top, the best trial with a star.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..plots import new_figure
from ..validation import check_choice, check_int, check_range
from .base import Trial
from .space import Integer, Space
from .study import FINISHED, Study, best_so_far

__all__ = ["best_so_far_figure", "value_vs_params_figure", "best_so_far_series"]


def _trials_of(obj) -> list[Trial] | None:
    if isinstance(obj, Study):
        return obj.trials
    if isinstance(obj, Sequence) and not isinstance(obj, str) and obj \
            and all(isinstance(t, Trial) for t in obj):
        return list(obj)
    return None


def best_so_far_series(obj, x: str = "trials") -> tuple[np.ndarray, np.ndarray]:
    """``(xs, ys)`` of one search's best-so-far step curve.

    ``obj``: a :class:`Study`, its trials, or an array of best-so-far values (one per
    trial). With trials, only finished ones (complete or failed) are evaluations: ``xs``
    counts them (``x="trials"``) or sums their budgets (``x="budget"``; a trial without a
    budget counts 1), and ``ys`` is :func:`~surveykit.tuning.study.best_so_far` at each.
    """
    check_choice("x", x, ("trials", "budget"))
    trials = _trials_of(obj)
    if trials is None:
        ys = np.asarray(obj, dtype=float)
        if ys.ndim != 1:
            raise ValueError(f"a best-so-far curve must be 1-D; got shape {ys.shape}")
        if x != "trials":
            raise ValueError("x='budget' needs trials (a Study or its trials), not an array")
        return np.arange(1, len(ys) + 1, dtype=float), ys
    curve = best_so_far(trials)
    done = sorted((t for t in trials if t.state in FINISHED), key=lambda t: t.number)
    ys = np.array([curve[t.number] for t in done], dtype=float)
    if x == "trials":
        xs = np.arange(1, len(done) + 1, dtype=float)
    else:
        xs = np.cumsum([1.0 if t.budget is None else float(t.budget) for t in done])
    return xs, ys


def _groups(runs, labels) -> list[tuple[str, list]]:
    """[(label, [search, …])]: one search per label, or several (repeats) under a dict key."""
    if isinstance(runs, Mapping):
        out = []
        for label, v in runs.items():
            if _trials_of(v) is not None:
                out.append((str(label), [v]))
            elif isinstance(v, np.ndarray) and v.ndim == 2:
                out.append((str(label), list(v)))
            elif isinstance(v, (list, tuple)) and v and not np.isscalar(v[0]):
                out.append((str(label), list(v)))
            else:
                out.append((str(label), [v]))
        groups = out
    elif _trials_of(runs) is not None or isinstance(runs, Study):
        groups = [(getattr(runs, "name", "search"), [runs])]
    elif isinstance(runs, np.ndarray) and runs.ndim == 1:
        groups = [("search", [runs])]
    elif isinstance(runs, (list, tuple)) and runs and not np.isscalar(runs[0]):
        groups = [(getattr(r, "name", f"search {i + 1}"), [r]) for i, r in enumerate(runs)]
    elif isinstance(runs, (list, tuple)) and runs:
        groups = [("search", [np.asarray(runs, float)])]
    else:
        raise ValueError("runs must be a Study, its trials, a best-so-far array, a list of "
                         f"those, or a dict label → those (or → a list of repeats); got {runs!r}")
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(groups):
            raise ValueError(f"labels must give one label per search ({len(groups)}); "
                             f"got {len(labels)}")
        groups = [(str(lab), g) for lab, (_, g) in zip(labels, groups, strict=True)]
    return groups


def _on_grid(xs, ys, grid) -> np.ndarray:
    """The step function (xs, ys) (post) at each grid point; NaN outside [xs[0], xs[-1]]."""
    idx = np.searchsorted(xs, grid, side="right") - 1
    out = np.where(idx >= 0, ys[np.clip(idx, 0, None)], np.nan) if len(xs) else \
        np.full(len(grid), np.nan)
    if len(xs):
        out[grid > xs[-1]] = np.nan
    return out


def best_so_far_figure(runs, *, labels: Sequence[str] | None = None, x: str = "trials",
                       logy: bool = False, optimum: float | None = None, regret: bool = False,
                       ylabel: str = "best validation loss so far", title: str = "", ax=None):
    """Best value found so far against the trials evaluated (or the budget spent), §6.

    ``runs``: a :class:`Study`, its trials or a best-so-far array (one curve); a list of
    those (one curve each, labelled by study name or ``labels``); or a dict label → one of
    those, or → a list of repeats (or a 2-D array, repeats × trials), drawn as their median
    with a 25–75 % band. ``x``: "trials" or "budget" (cumulative budget, e.g. epochs).
    ``optimum``: a known minimum, drawn as a dotted line — or, with ``regret=True``,
    subtracted, so the curve is the regret ``b_k − f*`` (use ``logy=True``).
    """
    check_choice("x", x, ("trials", "budget"))
    if optimum is not None:
        optimum = check_range("optimum", optimum)
    elif regret:
        raise ValueError("regret=True needs the known optimum (optimum=…)")
    groups = _groups(runs, labels)
    if ax is None:
        fig, (ax,) = new_figure()
    else:
        fig = ax.figure
    shift = optimum if regret else 0.0
    for i, (label, searches) in enumerate(groups):
        color = f"C{i % 10}"
        series = [best_so_far_series(s, x) for s in searches]
        if len(series) == 1:
            xs, ys = series[0]
            ax.step(xs, ys - shift, where="post", color=color, lw=2, label=label)
            continue
        grid = np.unique(np.concatenate([xs for xs, _ in series]))
        Y = np.array([_on_grid(xs, ys, grid) for xs, ys in series]) - shift
        ok = np.isfinite(Y).all(axis=0)
        med = np.full(len(grid), np.nan)
        lo, hi = med.copy(), med.copy()
        if ok.any():
            med[ok] = np.median(Y[:, ok], axis=0)
            lo[ok], hi[ok] = np.quantile(Y[:, ok], [0.25, 0.75], axis=0)
        ax.step(grid, med, where="post", color=color, lw=2,
                label=f"{label} (median of {len(series)})")
        ax.fill_between(grid, lo, hi, step="post", color=color, alpha=0.2, lw=0)
    if optimum is not None and not regret:
        ax.axhline(optimum, color="k", ls=":", lw=1, label=f"known optimum {optimum:.4g}")
    ax.set_xlabel("trials evaluated" if x == "trials" else "budget spent (sum of budgets)")
    ax.set_ylabel(f"{ylabel} − optimum (regret)" if regret else ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend(loc="best", fontsize=9)
    if title:
        ax.set_title(title)
    return fig


def _log_axis(ax, low: float, high: float) -> None:
    """A log x axis over [low, high] with plain labels (1, 2, 5 × 10^k over narrow ranges)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_xscale("log")
    ratio = high / low
    ax.set_xlim(low / ratio ** 0.03, high * ratio ** 0.03)
    if ratio < 300:
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())


def _jitter(number: int) -> float:
    """A deterministic offset in [−0.18, 0.18] spreading points of one category."""
    return 0.36 * (((number * 0.6180339887498949) % 1.0) - 0.5)


def value_vs_params_figure(study_or_trials, space: Space | None = None, *, logy: bool = False,
                           ncols: int | None = None, ylabel: str = "validation loss",
                           title: str = ""):
    """Each finished trial's value against each hyperparameter, one panel per dimension.

    The x axis is in the dimension's own scale: logarithmic for log-uniform and log-integer
    dimensions, the choices (points spread sideways) for a categorical one. Failed trials
    are × along the top of each panel (they have no value); the best trial is a star.
    When the trials used several budgets (adequate search, §6.4), colour shows the budget.
    """
    trials = _trials_of(study_or_trials)
    if trials is None:
        if isinstance(study_or_trials, Sequence) and not study_or_trials:
            trials = []
        else:
            raise ValueError(f"study_or_trials must be a Study or a list of Trials; "
                             f"got {study_or_trials!r}")
    if space is None:
        if not isinstance(study_or_trials, Study):
            raise ValueError("space is needed when plotting a list of trials")
        space = study_or_trials.space
    if not isinstance(space, Space):
        raise ValueError(f"space must be a surveykit.tuning.Space; got {space!r}")
    d = len(space)
    ncols = min(d, 3) if ncols is None else check_int("ncols", ncols, 1)
    ncols = min(ncols, d)
    nrows = -(-d // ncols)
    fig, (first,) = new_figure(width=3.4 * ncols + 0.6, height=2.9 * nrows + 0.4)
    first.remove()
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel())
    for ax in axes[d:]:
        ax.set_visible(False)

    ok = [t for t in trials if t.ok]
    failed = [t for t in trials if t.state == "failed"]
    budgets = sorted({t.budget for t in ok + failed if t.budget is not None})
    by_budget = len(budgets) > 1
    best = min(ok, key=lambda t: (t.value, t.number)) if ok else None

    def color(t):
        return f"C{budgets.index(t.budget) % 10}" if by_budget and t.budget is not None else "C0"

    for k, (ax, dim) in enumerate(zip(axes, space.dimensions, strict=False)):
        def xpos(t, dim=dim):
            v = t.params[dim.name]
            if dim.scale == "categorical":
                return dim.index(v) + _jitter(t.number)
            return float(v)

        if ok:
            ax.scatter([xpos(t) for t in ok], [t.value for t in ok],
                       c=[color(t) for t in ok], s=22, alpha=0.8, lw=0)
        if failed:
            ax.plot([xpos(t) for t in failed], np.full(len(failed), 0.97), "x", color="C3",
                    ms=7, mew=2, transform=ax.get_xaxis_transform(), clip_on=False)
        if best is not None:
            ax.plot([xpos(best)], [best.value], "*", color="gold", mec="k", ms=15, zorder=5,
                    clip_on=False)
        if dim.scale == "log":
            _log_axis(ax, dim.low, dim.high)
        elif dim.scale == "categorical":
            ax.set_xticks(range(len(dim.choices)), [str(c) for c in dim.choices])
            ax.set_xlim(-0.5, len(dim.choices) - 0.5)
        else:
            pad = 0.5 if isinstance(dim, Integer) else 0.04 * (dim.high - dim.low)
            ax.set_xlim(dim.low - pad, dim.high + pad)
        scale = {"log": " (log scale)", "categorical": ""}.get(dim.scale, "")
        ax.set_xlabel(f"{dim.name}{scale}")
        if k % ncols == 0:
            ax.set_ylabel(ylabel)
    if logy:
        axes[0].set_yscale("log")
    if failed and ok:  # headroom: the row of × along the top stays clear of the points
        values = np.array([t.value for t in ok])
        lo, hi = values.min(), values.max()
        if logy and lo > 0:
            r = (hi / lo) if hi > lo else 10.0
            axes[0].set_ylim(lo / r ** 0.06, hi * r ** 0.2)
        else:
            r = (hi - lo) if hi > lo else max(abs(hi), 1.0)
            axes[0].set_ylim(lo - 0.06 * r, hi + 0.2 * r)
    handles = []
    if by_budget:
        handles += [axes[0].scatter([], [], color=f"C{i % 10}", s=22, label=f"budget {b:g}")
                    for i, b in enumerate(budgets)]
    if failed:
        handles += axes[0].plot([], [], "x", color="C3", mew=2, label=f"failed ({len(failed)})")
    if best is not None:
        handles += axes[0].plot([], [], "*", color="gold", mec="k", ms=12,
                                label=f"best {best.value:.4g} (trial {best.number})")
    if handles:
        axes[0].legend(handles=handles, loc="best", fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
