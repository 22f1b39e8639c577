"""Figures of a search (survey §6): what they draw is the data they were given."""

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from tuning_worker import SPACE, SeededRandom, bowl

from surveykit.tuning import Categorical, Integer, LogUniform, Space, Trial, Uniform
from surveykit.tuning.plots import (
    best_so_far_figure,
    best_so_far_series,
    value_vs_params_figure,
)
from surveykit.tuning.study import Study


def _search(seed=0, n=12, fail_every=None):
    def objective(trial):
        if fail_every and trial.number % fail_every == fail_every - 1:
            raise ValueError("boom")
        return bowl(trial)

    return Study(SPACE, SeededRandom(SPACE, seed=seed), name=f"seed {seed}").optimize(
        objective, n, progress=None)


def _lines(ax):
    return [line for line in ax.get_lines() if len(line.get_xdata())]


def test_best_so_far_series_counts_finished_trials_and_budget():
    trials = [Trial(0, {}, budget=1.0, state="complete", value=3.0),
              Trial(1, {}, budget=3.0, state="abandoned"),
              Trial(2, {}, budget=3.0, state="failed", error="x"),
              Trial(3, {}, budget=9.0, state="complete", value=1.0),
              Trial(4, {}, budget=None, state="complete", value=2.0)]
    xs, ys = best_so_far_series(trials)
    np.testing.assert_array_equal(xs, [1, 2, 3, 4])
    np.testing.assert_array_equal(ys, [3.0, 3.0, 1.0, 1.0])
    xs, ys = best_so_far_series(trials, x="budget")
    np.testing.assert_array_equal(xs, [1, 4, 13, 14])
    xs, ys = best_so_far_series(np.array([2.0, 1.0]))
    np.testing.assert_array_equal(xs, [1, 2])
    with pytest.raises(ValueError, match="needs trials"):
        best_so_far_series(np.array([2.0, 1.0]), x="budget")
    with pytest.raises(ValueError, match="x must be one of"):
        best_so_far_series(trials, x="time")


def test_best_so_far_figure_draws_each_study_and_the_median_of_repeats():
    a, b = _search(0, fail_every=4), _search(1)
    fig = best_so_far_figure([a, b], logy=True)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    lines = _lines(ax)
    assert [line.get_label() for line in lines] == ["seed 0", "seed 1"]
    np.testing.assert_allclose(lines[0].get_ydata(), best_so_far_series(a)[1])
    np.testing.assert_allclose(lines[1].get_ydata(), np.minimum.accumulate(
        [t.value for t in b.trials]))
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "trials evaluated"

    reps = [_search(s) for s in range(2, 7)]
    fig = best_so_far_figure({"random": reps, "one": a}, optimum=0.05)
    (ax,) = fig.axes
    med, one, opt = _lines(ax)
    assert med.get_label() == "random (median of 5)" and one.get_label() == "one"
    Y = np.array([best_so_far_series(r)[1] for r in reps])
    np.testing.assert_allclose(med.get_ydata(), np.median(Y, axis=0))
    assert len(ax.collections) == 1  # the 25–75 % band
    assert opt.get_ydata()[0] == 0.05 and "known optimum" in opt.get_label()
    assert ax.get_yscale() == "linear"

    fig = best_so_far_figure(np.array([3.0, 1.0, 1.0]) + 1, optimum=1.0, regret=True,
                             labels=["curve"])
    line = _lines(fig.axes[0])[0]
    np.testing.assert_allclose(line.get_ydata(), [3.0, 1.0, 1.0])
    assert "regret" in fig.axes[0].get_ylabel() and line.get_label() == "curve"


def test_best_so_far_figure_rejects_bad_input():
    with pytest.raises(ValueError, match="runs must be"):
        best_so_far_figure("study")
    with pytest.raises(ValueError, match="needs the known optimum"):
        best_so_far_figure(np.ones(3), regret=True)
    with pytest.raises(ValueError, match="one label per search"):
        best_so_far_figure([np.ones(3), np.ones(3)], labels=["a"])


def test_value_vs_params_uses_each_dimension_scale_and_marks_failures():
    study = _search(0, n=16, fail_every=5)
    ok = [t for t in study.trials if t.ok]
    failed = [t for t in study.trials if t.state == "failed"]
    assert len(failed) == 3
    fig = value_vs_params_figure(study, logy=True)
    lr_ax, units_ax, act_ax = fig.axes
    assert lr_ax.get_xscale() == "log" and units_ax.get_xscale() == "log"
    assert act_ax.get_xscale() == "linear"
    assert [t.get_text() for t in act_ax.get_xticklabels()] == ["relu", "tanh"]
    assert lr_ax.get_yscale() == "log"
    # the points are the trials' (param, value) pairs
    pts = lr_ax.collections[0].get_offsets()
    np.testing.assert_allclose(pts[:, 0], [t.params["learning_rate"] for t in ok])
    np.testing.assert_allclose(pts[:, 1], [t.value for t in ok])
    cats = act_ax.collections[0].get_offsets()[:, 0]
    idx = [["relu", "tanh"].index(t.params["activation"]) for t in ok]
    assert np.all(np.abs(cats - idx) <= 0.18)
    # failed trials: × along the top, in every panel
    crosses = [line for line in _lines(units_ax) if line.get_marker() == "x"]
    assert len(crosses) == 1
    np.testing.assert_allclose(crosses[0].get_xdata(), [t.params["units"] for t in failed])
    star = [line for line in _lines(lr_ax) if line.get_marker() == "*"][0]
    assert star.get_ydata()[0] == study.best.value
    labels = [t.get_text() for t in lr_ax.get_legend().get_texts()]
    assert labels == ["failed (3)", f"best {study.best.value:.4g} (trial {study.best.number})"]


def test_value_vs_params_colours_budgets_and_wraps_many_dimensions():
    space = Space([Uniform("a", 0, 1), Uniform("b", -1, 1), LogUniform("c", 1e-3, 1.0),
                   Integer("d", 1, 9), Categorical("e", [True, False]), Uniform("f", 0, 2)])
    rng = np.random.default_rng(0)
    trials = [Trial(k, space.sample(rng), budget=[1.0, 3.0][k % 2], state="complete",
                    value=float(k + 1)) for k in range(8)]
    fig = value_vs_params_figure(trials, space, ncols=4)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 6 and len(fig.axes) == 8
    assert visible[0].get_xlim()[0] < 0 < 1 < visible[0].get_xlim()[1]
    assert [t.get_text() for t in visible[0].get_legend().get_texts()] == [
        "budget 1", "budget 3", "best 1 (trial 0)"]
    colours = visible[0].collections[0].get_facecolors()
    assert len({tuple(c) for c in colours}) == 2
    assert matplotlib.colors.same_color(colours[0][:3], "C0")  # budget 1
    assert matplotlib.colors.same_color(colours[1][:3], "C1")  # budget 3
    with pytest.raises(ValueError, match="space is needed"):
        value_vs_params_figure(trials)
    with pytest.raises(ValueError, match="Study or a list of Trials"):
        value_vs_params_figure("nope", space)
