"""surveykit.robustness_plots: pure figures from computed results; diverged runs are marked,
never drawn as values; the contour has log axes and outlines the robust zone."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from surveykit import robustness as rb
from surveykit import robustness_plots as rp
from surveykit.tuning.space import LogUniform, Space, Uniform


def _grid(with_nan=True):
    values = np.array([[0.40, 0.35, 0.30], [0.20, 0.18, 0.22], [0.25, 0.19, 0.21],
                       [np.nan if with_nan else 0.9, 0.60, 0.45]])
    return rb.LossGrid(np.array([1e-3, 1e-2, 1e-1, 1.0]), np.array([16, 32, 64]), values)


def _labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_contour_figure_log_axes_robust_zone_and_diverged_cells():
    fig = rp.contour_figure(_grid(), tolerance=0.025)
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    labels = _labels(ax)
    assert any("robust zone: loss ≤ 0.180 + 0.025 (3 of 12 runs)" in t for t in labels)
    assert any(t.startswith("best: η = 0.01, B = 32") for t in labels)
    assert any(t.startswith("diverged (1 runs)") for t in labels)
    # the outline is a contour line at best + tolerance
    assert any(getattr(c, "levels", None) is not None and np.allclose(c.levels, [0.205])
               for c in ax.collections)


def test_contour_figure_without_divergence_and_a_wide_tolerance():
    fig = rp.contour_figure(_grid(with_nan=False), tolerance=5.0)
    labels = _labels(fig.axes[0])
    assert not any("diverged" in t for t in labels)
    assert any("(12 of 12 runs)" in t for t in labels)
    with pytest.raises(ValueError, match="tolerance must be in"):
        rp.contour_figure(_grid(), tolerance=-1)


def test_sensitivity_figure_marks_diverged_neighbours_as_text():
    space = Space([LogUniform("learning_rate", 1e-5, 1.0), Uniform("dropout", 0.0, 0.5)])

    def score(p):
        return math.nan if p["learning_rate"] > 0.05 else p["dropout"] + p["learning_rate"]

    sens = rb.sensitivity(score, {"learning_rate": 0.02, "dropout": 0.2}, space, step=0.5)
    fig = rp.sensitivity_figure(sens, noise=0.01)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert any("diverged" in t for t in texts)
    assert len(ax.patches) >= 3  # two dropout bars + one learning-rate bar (+ the band)
    # most sensitive (the diverged learning rate) at the top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["dropout = 0.2",
                                                            "learning_rate = 0.02"]
    assert "± seed std (0.01)" in _labels(ax)


def test_seed_spread_figure_draws_each_seed_and_counts_divergence():
    a = rb.SeedSpread({}, (0, 1, 2), np.array([0.2, 0.22, 0.21]))
    b = rb.SeedSpread({}, (0, 1, 2), np.array([0.3, np.nan, 0.32]))
    fig = rp.seed_spread_figure({"a": a, "b": b})
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "1 diverged" in ticks[1] and "2 seeds" in ticks[1]
    points = np.concatenate([ln.get_ydata() for ln in ax.lines if ln.get_marker() == "o"])
    assert np.all(np.isfinite(points)) and points.size == 5
    with pytest.raises(ValueError):
        rp.seed_spread_figure({})


def test_sharpness_figure_lines_and_radius_marker():
    H = np.diag([1.0, 2.0, 3.0])

    def f(ws):
        return 0.5 * ws[0] @ H @ ws[0]

    curves = {"flat": rb.sharpness_curve(f, np.ones(3), [0.0, 0.1, 0.2], n=5),
              "sharp": rb.sharpness_curve(lambda ws: 10 * f(ws), np.ones(3), [0.0, 0.1, 0.2],
                                          n=5)}
    fig = rp.sharpness_figure(curves, radius=0.1)
    ax = fig.axes[0]
    labels = _labels(ax)
    assert labels[0].startswith("flat: ") and "at r = 0.1" in labels[0]
    means = [ln.get_ydata() for ln in ax.lines if ln.get_marker() == "o"]
    assert np.all(means[1][1:] > means[0][1:])
    with pytest.raises(ValueError):
        rp.sharpness_figure({"x": []})
