"""surveykit.curves_plots: the §8.1 sample figure and the §8.2 learning-curve figures draw
what they are given (solid training, dashed validation, the turn epoch, the diagnosis)."""

import numpy as np
import pytest

from surveykit import curves_plots, plots, ranges
from surveykit.curves import Curves, diagnose

E = np.arange(1, 41, dtype=float)
B = np.log(2.0)
TRAIN = 0.7 * np.exp(-E / 6)
OVER = Curves(TRAIN, 0.15 + 0.0005 * (E - 12) ** 2, label="overfit", baseline=B)
GOOD = Curves(TRAIN + 0.05, TRAIN + 0.09, label="good", baseline=B)
UNDER = Curves(np.full(40, 0.65), np.full(40, 0.68), label="under", baseline=B)
DIVERGED = Curves(np.r_[TRAIN[:9], np.nan], np.r_[TRAIN[:9] + 0.1, np.nan], label="bad")


def _lines(ax):
    return [ln for ln in ax.get_lines() if len(ln.get_xdata())]


def test_diagnosed_curves_figure_draws_solid_dashed_and_the_turn():
    fig = curves_plots.diagnosed_curves_figure([OVER, GOOD])
    ax = fig.axes[0]
    lines = _lines(ax)
    styles = [ln.get_linestyle() for ln in lines if len(ln.get_xdata()) == 40]
    assert styles == ["-", "--", "-", "--"]
    assert np.allclose(lines[0].get_ydata(), OVER.train)
    assert np.allclose(lines[1].get_ydata(), OVER.val)
    vlines = [ln for ln in lines if ln.get_linestyle() == ":"]
    assert len(vlines) == 1 and np.allclose(vlines[0].get_xdata(), 12)
    dot = [ln for ln in lines if ln.get_marker() == "o" and len(ln.get_xdata()) == 1]
    assert dot[0].get_xdata()[0] == 12 and np.isclose(dot[0].get_ydata()[0], OVER.val[11])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "overfit: overfitting, turns at epoch 12" in texts
    assert "good: good fit" in texts and "training (solid)" in texts
    assert "validation (dashed)" in texts and "turn epoch (val. minimum)" in texts
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"


def test_a_diverged_run_is_marked_not_plotted_as_nan():
    fig = curves_plots.diagnosed_curves_figure([DIVERGED])
    ax = fig.axes[0]
    lines = _lines(ax)
    assert all(np.all(np.isfinite(ln.get_ydata())) for ln in lines)
    assert len(lines[0].get_xdata()) == 9
    cross = [ln for ln in lines if ln.get_marker() == "x"]
    assert cross and cross[0].get_xdata()[0] == 10
    assert "bad: diverged in epoch 10" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="one label per run"):
        curves_plots.diagnosed_curves_figure([OVER, GOOD], ["a"])
    with pytest.raises(ValueError, match="must hold Curves"):
        curves_plots.diagnosed_curves_figure([{"loss": [1, 2]}])
    with pytest.raises(ValueError, match="at least one Curves"):
        curves_plots.diagnosed_curves_figure([])
    with pytest.raises(ValueError, match="one per run"):
        curves_plots.diagnosed_curves_figure([OVER], diagnoses=[])


def test_figure2_has_one_panel_per_run_titled_with_its_diagnosis():
    fig = curves_plots.figure2({"underfit": UNDER, "overfit": OVER, "good fit": GOOD})
    assert len(fig.axes) == 3
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["underfit\ndiagnosis: underfitting",
                      "overfit\ndiagnosis: overfitting, turns at epoch 12",
                      "good fit\ndiagnosis: good fit"]
    for ax, c in zip(fig.axes, (UNDER, OVER, GOOD), strict=True):
        solid, dashed = _lines(ax)[:2]
        assert solid.get_linestyle() == "-" and dashed.get_linestyle() == "--"
        assert np.allclose(solid.get_ydata(), c.train) and np.allclose(dashed.get_ydata(), c.val)
        assert ax.get_ylim()[0] == 0.0
    assert len({ax.get_ylim() for ax in fig.axes}) == 1, "one y-scale for all panels"
    fig_list = curves_plots.figure2([OVER, GOOD])
    assert fig_list.axes[0].get_title().startswith("overfit\n")


def test_sweep_figure_shows_the_chosen_run_and_every_diagnosis():
    sweep = {0.0: OVER, 1e-2: GOOD, 1.0: UNDER}
    fig = curves_plots.sweep_figure(sweep, 1e-2, name="λ")
    left, right = fig.axes
    assert np.allclose(_lines(left)[0].get_ydata(), GOOD.train)
    assert left.get_title() == "the run with λ = 10⁻²"
    assert [t.get_text() for t in right.get_xticklabels()] == ["0", "10⁻²", "1"]
    colored = {ln.get_label(): ln.get_color() for ln in right.get_lines()
               if ln.get_marker() == "o"}
    assert colored == {"underfitting": "C0", "overfitting": "C3", "good fit": "C2"}
    finals = [ln for ln in right.get_lines() if ln.get_label() == "final validation loss"][0]
    assert np.allclose(finals.get_ydata(), [diagnose(c).numbers["val_end"]
                                            for c in sweep.values()])
    assert "chosen: good fit" in right.get_title()
    with pytest.raises(ValueError, match="value must be one of the sweep's values"):
        curves_plots.sweep_figure(sweep, 0.5)
    with pytest.raises(ValueError, match="non-empty dict"):
        curves_plots.sweep_figure({}, 0.0)


def test_space_samples_figure_matches_the_samples():
    space = ranges.space()
    rng = np.random.default_rng(0)
    points = [space.sample(rng) for _ in range(500)]
    fig = curves_plots.space_samples_figure(space, points)
    assert len(fig.axes) == 4
    lr_ax = fig.axes[0]
    heights = [p.get_height() for p in lr_ax.patches]
    x = np.array([p["learning_rate"] for p in points])
    expected = np.histogram(x, bins=10.0 ** np.arange(-5, 1))[0] / len(x)
    assert np.allclose(heights, expected)
    assert [ax.get_title() for ax in fig.axes] == [repr(d) for d in space]
    bs = [p.get_height() for p in fig.axes[1].patches]
    assert np.isclose(sum(bs), 1.0) and len(bs) == 4
    with pytest.raises(ValueError, match="at least one sampled point"):
        curves_plots.space_samples_figure(space, [])


def test_plots_learning_curves_accepts_curves():
    fig = plots.learning_curves([OVER, DIVERGED])
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts[:2] == ["overfit", "bad — diverged in epoch 10"]
    lines = _lines(fig.axes[0])
    assert np.allclose(lines[0].get_ydata(), OVER.train)
    assert lines[1].get_linestyle() == "--"
