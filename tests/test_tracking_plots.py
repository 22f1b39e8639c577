"""Figures of tracked runs (survey §8.3): what they draw is the data they were given."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from surveykit.tracking import ExperimentLog
from surveykit.tracking_plots import compare_figure, final_metric_figure


@pytest.fixture
def runs():
    log = ExperimentLog(None)
    curves = {0: ([1.0, 0.6, 0.4], [1.1, 0.8, 0.7]), 1: ([0.9, 0.5, 0.2], [1.0, 0.6, 0.5])}
    for i, (train, val) in curves.items():
        with log.start({"learning_rate": 10.0 ** -(i + 1), "optimizer": "adam"}) as run:
            for t, v in zip(train, val, strict=True):
                run.log_epoch({"loss": t, "val_loss": v, "accuracy": 1 - t,
                               "val_accuracy": 1 - v})
            run.finish({"loss": val[-1] + 0.01, "accuracy": 0.9 + i / 100})
    bad = log.start({"learning_rate": 10.0, "optimizer": "adam"})
    bad.log_epoch({"loss": 2.0, "val_loss": 2.5, "accuracy": 0.5, "val_accuracy": 0.5})
    bad.log_epoch({"loss": np.nan, "val_loss": 2.5, "accuracy": 0.5, "val_accuracy": 0.5})
    return log.runs(state=None)


def _lines(ax):
    return [line for line in ax.get_lines() if len(line.get_xdata())]


def test_compare_figure_draws_train_solid_and_val_dashed_per_run(runs):
    fig = compare_figure(runs, "loss")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    lines = _lines(ax)
    solid = [ln for ln in lines if ln.get_linestyle() == "-"]
    dashed = [ln for ln in lines if ln.get_linestyle() == "--"]
    assert [list(ln.get_ydata()) for ln in solid] == [[1.0, 0.6, 0.4], [0.9, 0.5, 0.2], [2.0]]
    assert [list(ln.get_ydata()) for ln in dashed] == [[1.1, 0.8, 0.7], [1.0, 0.6, 0.5], [2.5]]
    assert [ln.get_color() for ln in solid] == [ln.get_color() for ln in dashed]
    assert len({ln.get_color() for ln in solid}) == 3
    labels = [ln.get_label() for ln in solid]
    assert labels[0] == "#0 learning_rate=0.1"
    assert labels[2] == "#2 learning_rate=10 — diverged in epoch 2"
    crosses = [ln for ln in lines if ln.get_marker() == "x"]
    assert len(crosses) == 1 and list(crosses[0].get_xdata()) == [2]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    acc = compare_figure(runs[:2], "accuracy", labels=["a", "b"])
    solid = [ln for ln in _lines(acc.axes[0]) if ln.get_linestyle() == "-"]
    np.testing.assert_allclose(solid[1].get_ydata(), [0.1, 0.5, 0.8])
    assert [ln.get_label() for ln in solid] == ["a", "b"]


def test_final_metric_figure_marks_the_best(runs):
    fig = final_metric_figure(runs, "val_loss")
    (ax,) = fig.axes
    widths = [p.get_width() for p in ax.patches]
    assert widths == [0.7, 0.5, 2.5]
    texts = [t.get_text() for t in ax.texts]
    assert texts[1].strip() == "0.5  ← best" and "best" not in texts[0] + texts[2]
    fig = final_metric_figure(runs, "test_accuracy", mode="max")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[1].strip() == "0.91  ← best" and "no value (failed)" in texts[2]


def test_bad_arguments(runs):
    with pytest.raises(ValueError, match=r"metric must be one of \['accuracy', 'loss'\]; "
                                         r"got 'val_loss'"):
        compare_figure(runs, "val_loss")
    with pytest.raises(ValueError, match="labels must give one label per run"):
        compare_figure(runs, labels=["a"])
    with pytest.raises(ValueError, match="runs must hold at least one run"):
        compare_figure([])
    with pytest.raises(ValueError, match="runs must be TrackedRuns"):
        final_metric_figure([{"loss": [1]}])
    with pytest.raises(ValueError, match=r"mode must be one of \['min', 'max'\]"):
        final_metric_figure(runs, mode="best")
