"""Figures of adequate and coarse-to-fine search (§6.4, §6.5): pure, and draw what they say."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from surveykit.tuning import LogUniform, Space
from surveykit.tuning.adequate import (
    Hyperband,
    LearningCurves,
    NoImprovement,
    SuccessiveHalving,
    equal_budget_comparison,
    permutation_stops,
    simulate,
    stop_summary,
)
from surveykit.tuning.adequate_plots import (
    halving_figure,
    phases_figure,
    regret_boxes,
    stopping_figure,
)
from surveykit.tuning.benchmarks import BRANIN
from surveykit.tuning.strategies import CoarseToFine

LC = LearningCurves(1.0)
SPACE = LC.space()


def _labels(ax):
    return ax.get_legend_handles_labels()[1]


def test_halving_figure_marks_the_returned_and_the_truly_best_configuration():
    trials = simulate(SuccessiveHalving(SPACE, 9, 1, 9, seed=0), LC)
    curves = {t.number: [LC.value(t.params, b) for b in range(1, 10)]
              for t in trials if t.info["rung"] == 0}
    fig = halving_figure(trials, curves, title="t")
    assert isinstance(fig, Figure)
    labels = _labels(fig.axes[0])
    returned = min((t for t in trials if t.budget == 9), key=lambda t: t.value)
    truly = min(c[8] for c in curves.values())
    assert f"returned: {returned.value:.3f}" in labels
    assert f"best of all at 9: {truly:.3f}" in labels
    assert sum("stopped at 1" in s for s in labels) == 6 and sum("stopped at 3" in s
                                                                for s in labels) == 2
    short = halving_figure(trials, curves, legend=False)
    assert len(_labels(short.axes[0])) == 2
    with pytest.raises(ValueError, match="trials must hold a successive-halving search"):
        halving_figure(simulate(CoarseToFine(SPACE, 1, 3), lambda t: 0.0))


def test_regret_boxes_reports_medians_and_win_rates():
    res = equal_budget_comparison(LC, {"hb": lambda s: Hyperband(SPACE, 1, 9, seed=s)},
                                  range(5), 9)
    fig = regret_boxes(res, title="x")
    label = _labels(fig.axes[0])[0]
    r = res["hb"]
    assert f"median {np.median(r['regret']):.3g}" in label
    assert f"better in {np.mean(r['regret'] < r['random_regret']):.0%}" in label


def test_stopping_figure_draws_the_stop_and_the_trade_off():
    values = np.random.default_rng(0).uniform(size=40)
    fig = stopping_figure(values, 5, max_patience=8, n_orders=50)
    left, right = fig.axes[:2]
    k = stop_summary(values, NoImprovement(5))["trials_run"]
    assert f"patience 5: stop after {k} trials ({40 - k} saved)" in _labels(left)
    assert any(list(line.get_xdata()) == [k + 0.5, k + 0.5] for line in left.lines)
    share = permutation_stops(values, NoImprovement(3), n_orders=50)["trials_run"].mean() / 40
    assert right.lines[0].get_ydata()[2] == pytest.approx(share)
    assert len(right.lines[0].get_xdata()) == 8
    with pytest.raises(ValueError, match=r"patience must be an integer in \[1, inf\)"):
        stopping_figure(values, 0)
    with pytest.raises(ValueError, match=r"min_delta must be in \[0, inf\)"):
        stopping_figure(values, 2, -1.0)


def test_phases_figure_draws_one_panel_per_phase():
    space = Space([LogUniform("learning_rate", 1e-3, 1e-1)])
    zoom = CoarseToFine(space, 3, 3, top=1, margin=0.25, sampler="grid")
    trials = simulate(zoom, lambda t: abs(math.log10(t.params["learning_rate"] / 0.007)))
    fig = phases_figure(trials, zoom.regions(trials), x="learning_rate", marks=[0.007],
                        marks_label="target")
    assert len(fig.axes) == 3 and fig.axes[0].get_xscale() == "log"
    assert "target" in _labels(fig.axes[0])
    b = CoarseToFine(BRANIN.space, 2, 5, seed=0)
    bt = simulate(b, BRANIN.objective)
    fig = phases_figure(bt, b.regions(bt), x="x1", y="x2", background=BRANIN, resolution=20,
                        marks=BRANIN.argmins, marks_label="minima")
    assert len(fig.axes) == 2 and "minima" in _labels(fig.axes[1])
    with pytest.raises(ValueError, match="regions must hold at least"):
        phases_figure(trials, [], x="learning_rate")
