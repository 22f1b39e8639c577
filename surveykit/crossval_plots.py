"""Figures for overfitting to the validation set and k-fold cross-validation (survey §7.3).

Each function draws from results computed by :mod:`surveykit.crossval` (folds, a
:func:`~surveykit.crossval.statistical_gap_curve`, a
:class:`~surveykit.crossval.TuningTrials` and its
:func:`~surveykit.crossval.selection_curves`, an
:class:`~surveykit.crossval.EarlyStoppingSelection`) and returns its Figure; none trains
or samples anything, so the slider's callback :func:`explorer` only picks among cached
results.
"""

from __future__ import annotations

import numpy as np

from . import crossval
from .plots import axis_or_new as _axis
from .plots import new_figure

__all__ = ["folds", "statistical_gaps", "selection", "symptoms", "single_search",
           "gap_vs_validation_size", "early_stopping", "explorer"]

_HOLD, _CV, _TEST = "C3", "C0", "0.25"




def folds(fold_list, y=None, *, ax=None, title: str = ""):
    """One row per fold, one column per sample: validation cells coloured, training grey.

    With labels ``y`` the validation cells are coloured by class (so stratification is
    visible) and each row's class counts are written on the right; without, the fold
    sizes are.
    """
    from matplotlib.colors import ListedColormap

    k = len(fold_list)
    n = sum(len(val) for _, val in fold_list)
    grid = np.zeros((k, n))
    for i, (_, val) in enumerate(fold_list):
        grid[i, val] = 1 if y is None else 1 + np.asarray(y)[val]
    colours = ["0.88", "C1"] if y is None else ["0.88", "C3", "C0"]
    fig, ax = _axis(ax, width=8.0, height=0.45 * k + 1.4)
    ax.imshow(grid, aspect="auto", interpolation="nearest", vmin=0, vmax=len(colours) - 1,
              cmap=ListedColormap(colours))
    ax.set_yticks(range(k), [f"fold {i}" for i in range(k)])
    ax.set_xlabel("sample index")
    ax.grid(False)
    for i, (_, val) in enumerate(fold_list):
        if y is None:
            text = f"{len(val)} val"
        else:
            counts = np.bincount(np.asarray(y)[val], minlength=2)
            text = f"{len(val)} val ({counts[0]}× class 0, {counts[1]}× class 1)"
        ax.text(1.01, i, text, transform=ax.get_yaxis_transform(), va="center", fontsize=8)
    ax.set_title(title or "validation fold (coloured) and training folds (grey)")
    return fig


def statistical_gaps(curves: dict, *, binomial: dict | None = None, ax=None, title: str = ""):
    """Expected optimism of the best of t (log x) per validation size.

    ``curves`` maps a label to a :func:`~surveykit.crossval.statistical_gap_curve` result:
    the exact value is a line, the Monte-Carlo mean a dot with ±2 standard errors.
    ``binomial`` (optional) maps a label to ``(t, gap)`` arrays drawn dashed.
    """
    fig, ax = _axis(ax)
    for i, (label, c) in enumerate(curves.items()):
        colour = f"C{i % 10}"
        ax.plot(c["t"], c["exact"], "-", color=colour, label=f"{label}: exact (integral)")
        ax.errorbar(c["t"], c["mc"], yerr=2 * c["mc_se"], fmt="o", ms=4, color=colour,
                    label=f"{label}: Monte Carlo ± 2 SE")
    for i, (label, (t, gap)) in enumerate((binomial or {}).items()):
        ax.plot(t, gap, "--", color=f"{0.15 + 0.25 * i:.2f}", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("number of tuning trials t")
    ax.set_ylabel("E[val score of winner − its true accuracy]")
    ax.legend(loc="upper left", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def _band(ax, t, mean, se, colour, style, label):
    ax.plot(t, mean, style, color=colour, label=label)
    ax.fill_between(t, mean - 2 * se, mean + 2 * se, color=colour, alpha=0.15, lw=0)


def selection(curves: dict, *, t_mark: int | None = None, axes=None, title: str = ""):
    """Left: the winner's selection score and its test score against t, holdout (red) and
    k-fold CV (blue), ±2 standard errors shaded. Right: their gaps. ``t_mark`` draws a
    vertical line at that number of trials.
    """
    if axes is None:
        fig, axes = new_figure(2, width=12, height=4.2)
    else:
        fig = axes[0].figure
    ax1, ax2 = axes
    t = curves["t"]
    _band(ax1, t, curves["val_sel"], curves["val_sel_se"], _HOLD, "-",
          "holdout: winner's validation score")
    _band(ax1, t, curves["test_sel"], curves["test_sel_se"], _HOLD, "--",
          "holdout: its test score")
    _band(ax1, t, curves["cv_sel"], curves["cv_sel_se"], _CV, "-", "k-fold CV: winner's CV score")
    _band(ax1, t, curves["cv_test_sel"], curves["cv_test_sel_se"], _CV, "--",
          "k-fold CV: its test score (refit)")
    ax1.set_ylabel("accuracy (mean over repeats)")
    _band(ax2, t, curves["gap"], curves["gap_se"], _HOLD, "-", "holdout: validation − test")
    _band(ax2, t, curves["cv_gap"], curves["cv_gap_se"], _CV, "-", "k-fold CV: CV − test")
    ax2.axhline(0, color="k", lw=0.8)
    ax2.set_ylabel("optimistic gap (accuracy points)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("number of tuning trials t")
        if t_mark is not None:
            ax.axvline(t_mark, color="k", lw=1, alpha=0.6)
        ax.legend(loc="best", fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def symptoms(curves: dict, *, t: int, ax=None, title: str = ""):
    """The survey's symptoms as bars: training, validation and test accuracy of a random
    configuration (t = 1) and of the best of t by validation score (holdout protocol)."""
    fig, ax = _axis(ax, width=7.0, height=4.0)
    names = [("train_sel", "training"), ("val_sel", "validation"), ("test_sel", "test")]
    colours = ["0.6", _HOLD, _TEST]
    width = 0.25
    for j, (key, label) in enumerate(names):
        values = [curves[key][0], curves[key][t - 1]]
        errors = [2 * curves[f"{key}_se"][0], 2 * curves[f"{key}_se"][t - 1]]
        x = np.arange(2) + (j - 1) * width
        ax.bar(x, values, width, yerr=errors, color=colours[j], label=label, capsize=3)
        for xi, v, e in zip(x, values, errors, strict=True):
            ax.text(xi, v + e + 0.001, f"{v:.3f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(2), ["a random configuration (t = 1)", f"best of t = {t} by validation"])
    lows = min(curves[key][0] for key, _ in names)
    ax.set_ylim(lows - 0.03, 1.0)
    ax.set_ylabel("accuracy (mean over repeats, ±2 SE)")
    ax.legend(loc="upper left", ncols=3)
    if title:
        ax.set_title(title)
    return fig


def single_search(trials, repeat: int = 0, *, ax=None, title: str = ""):
    """One search, trial by trial: every configuration's validation score (dots), the best
    so far (step line) and that winner's test score, for the holdout and the CV protocol —
    what a practitioner monitoring the gap would see."""
    fig, ax = _axis(ax, width=9.0, height=4.2)
    t = np.arange(1, trials.n_trials + 1)
    ax.plot(t, trials.val[repeat], ".", color=_HOLD, alpha=0.35, ms=5,
            label="each trial's validation score")
    hold = crossval.best_so_far(trials.val[repeat])
    cvi = crossval.best_so_far(trials.cv[repeat])
    ax.step(t, trials.val[repeat][hold], where="post", color=_HOLD,
            label="holdout: best validation score so far")
    ax.step(t, trials.test[repeat][hold], where="post", color=_HOLD, ls="--",
            label="holdout: that winner's test score")
    ax.step(t, trials.cv[repeat][cvi], where="post", color=_CV,
            label="k-fold CV: best CV score so far")
    ax.step(t, trials.cv_test[repeat][cvi], where="post", color=_CV, ls="--",
            label="k-fold CV: that winner's test score")
    ax.set_xscale("log")
    ax.set_xlabel("trial")
    ax.set_ylabel("accuracy")
    ax.set_ylim(max(0.8, float(trials.val[repeat].min()) - 0.01), 1.005)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title or f"one search (repeat {repeat}): n_val = {trials.n_val}, "
                 f"n_test = {trials.n_test}")
    return fig


def gap_vs_validation_size(rows, *, ax=None, title: str = ""):
    """The gap at the largest t against the validation set's size.

    ``rows`` is a list of dicts with ``n_val``, ``gap``, ``gap_se``, ``cv_gap``, ``cv_gap_se``
    (measured) and optionally ``gaussian`` and ``binomial`` (the statistical model's
    prediction for that n_val), one per validation fraction.
    """
    fig, ax = _axis(ax)
    n = np.array([r["n_val"] for r in rows])
    for key, colour, label in [("gap", _HOLD, "measured, holdout"),
                               ("cv_gap", _CV, "measured, k-fold CV on train ∪ val")]:
        ax.errorbar(n, [r[key] for r in rows], yerr=[2 * r[f"{key}_se"] for r in rows],
                    fmt="o-", color=colour, capsize=3, label=label + " (±2 SE)")
    for key, style, label in [("gaussian", ":", "iid model, all p = 0.95, Gaussian noise"),
                              ("binomial", "--", "iid model, all p = 0.95, binomial (exact)")]:
        if all(key in r for r in rows):
            ax.plot(n, [r[key] for r in rows], style, color="0.3", label=label)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlabel("validation set size n_val")
    ax.set_ylabel("optimistic gap of the winner")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def early_stopping(result, *, repeat: int = 0, axes=None):
    """Left: one run's validation and test accuracy per gradient-descent step, with the
    early-stopped step marked. Right: the mean curves over all repeats, and the mean
    validation/test accuracy at each repeat's early-stopped step."""
    if axes is None:
        fig, axes = new_figure(2, width=12, height=4.0)
    else:
        fig = axes[0].figure
    ax1, ax2 = axes
    steps = np.arange(result.val_curves.shape[1])
    ax1.plot(steps, result.val_curves[repeat], color=_HOLD, label="validation accuracy")
    ax1.plot(steps, result.test_curves[repeat], color=_TEST, ls="--", label="test accuracy")
    b = result.best_step[repeat]
    ax1.axvline(b, color="k", lw=1)
    ax1.plot([b], [result.val_curves[repeat][b]], "o", color=_HOLD,
             label=f"early-stopped step {b} (best validation)")
    ax1.set_title(f"one run (repeat {repeat}), n_val = {result.n_val}")
    ax2.plot(steps, result.val_curves.mean(axis=0), color=_HOLD,
             label="validation accuracy (mean)")
    ax2.plot(steps, result.test_curves.mean(axis=0), color=_TEST, ls="--",
             label="test accuracy (mean)")
    ax2.axhline(result.val_at_best.mean(), color=_HOLD, lw=1, ls=":",
                label=f"validation at the early-stopped step: {result.val_at_best.mean():.3f}")
    ax2.axhline(result.test_at_best.mean(), color=_TEST, lw=1, ls=":",
                label=f"test at the early-stopped step: {result.test_at_best.mean():.3f}")
    ax2.set_title(f"mean over {len(result.best_step)} repeats (step 0, all weights 0, is "
                  "below the scale)")
    for ax in axes:
        ax.set_xscale("symlog", linthresh=10)
        ax.set_xlim(0, steps[-1])
        ax.set_ylim(0.9, 1.0)
        ax.set_xlabel("gradient-descent step (linear up to 10, then log)")
        ax.set_ylabel("accuracy")
        ax.legend(loc="lower right", fontsize=8)
    return fig


def explorer(val_fraction: float, n_trials: int, *, results: dict):
    """The slider view over precomputed searches.

    ``results`` maps a validation fraction to ``(trials, curves)`` from
    :func:`~surveykit.crossval.tuning_trials` and
    :func:`~surveykit.crossval.selection_curves`. Left: the two gaps against t, the
    chosen ``n_trials`` marked. Right: each repeat's winner after ``n_trials`` trials,
    its selection score against its test score — above the diagonal is optimistic.
    """
    trials, curves = results[val_fraction]
    t = int(np.clip(n_trials, 1, trials.n_trials))
    fig, (ax1, ax2) = new_figure(2, width=12, height=4.3)
    x = curves["t"]
    _band(ax1, x, curves["gap"], curves["gap_se"], _HOLD, "-", "holdout: validation − test")
    _band(ax1, x, curves["cv_gap"], curves["cv_gap_se"], _CV, "-", "k-fold CV: CV − test")
    ax1.axhline(0, color="k", lw=0.8)
    ax1.axvline(t, color="k", lw=1)
    ax1.set_xscale("log")
    ax1.set_ylim(-0.03, 0.07)
    ax1.set_xlabel("number of tuning trials t")
    ax1.set_ylabel("optimistic gap (mean ± 2 SE)")
    ax1.legend(loc="upper left", fontsize=8)
    gap, cv_gap = curves["gap"][t - 1], curves["cv_gap"][t - 1]
    ax1.set_title(f"n_val = {trials.n_val} (val fraction {val_fraction:g}); "
                  f"gap at t = {t}: {gap:+.3f} vs CV {cv_gap:+.3f}")
    rows = np.arange(trials.n_repeats)
    hold = crossval.best_so_far(trials.val)[:, t - 1]
    cvi = crossval.best_so_far(trials.cv)[:, t - 1]
    rng = np.random.default_rng(0)  # a fixed jitter, so that equal accuracies stay visible
    jitter = rng.uniform(-0.002, 0.002, (2, trials.n_repeats))
    ax2.plot(trials.test[rows, hold] + jitter[0], trials.val[rows, hold] + jitter[1], "o",
             color=_HOLD, alpha=0.6, label="holdout winner: (test, validation)")
    ax2.plot(trials.cv_test[rows, cvi] + jitter[0], trials.cv[rows, cvi] + jitter[1], "s",
             color=_CV, alpha=0.6, label="CV winner: (test, CV score)")
    ax2.plot([0.88, 1.01], [0.88, 1.01], "k-", lw=0.8, label="selection score = test score")
    ax2.set_xlim(0.88, 1.01)
    ax2.set_ylim(0.88, 1.01)
    ax2.set_aspect("equal")
    ax2.set_xlabel("test accuracy of the winner")
    ax2.set_ylabel("the score it was selected by")
    ax2.legend(loc="lower right", fontsize=8)
    ax2.set_title(f"{trials.n_repeats} searches after {t} trials")
    return fig
