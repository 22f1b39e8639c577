"""surveykit.optim.plots: each function draws what it is given, and marks diverged runs."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from surveykit.optim import SGD, Momentum, NumpyOptimizer
from surveykit.optim import experiments as ex
from surveykit.optim import numpy_net as nn
from surveykit.optim import plots as op
from surveykit.optim.surfaces import Quadratic


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 3))
    y = (X[:, 0] > 0).astype(float)
    params = nn.init_mlp(3, 4, seed=0)
    runs = {m: ex.train_minibatch(NumpyOptimizer(SGD(), 0.3), params, X, y, batch_size=m,
                                  epochs=3) for m in (1, 6, 24)}
    noise = ex.measure_gradient_noise(params, X, y, [1, 3, 12, 24], n_draws=20)
    return runs, noise


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_gradient_noise_draws_measurements_law_and_signal(small):
    _, noise = small
    fig = op.gradient_noise(noise, highlight=3)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_xscale() == ax.get_yscale() == "log"
    measured = [c for c in ax.containers]  # the error bars
    assert len(measured) == 1
    points = measured[0].lines[0]
    np.testing.assert_array_equal(points.get_xdata(), [1, 3, 12])  # m = N has noise 0: not drawn
    np.testing.assert_allclose(points.get_ydata(), noise["measured"][:3])
    law = next(line for line in ax.lines if line.get_label().startswith("without replacement"))
    x, yv = law.get_xdata(), law.get_ydata()
    k = int(np.argmin(np.abs(x - 12)))
    assert x[k] == 12 and yv[k] == pytest.approx(noise["theory"][2])
    signal = next(line for line in ax.lines if "signal" in line.get_label())
    assert signal.get_ydata()[0] == pytest.approx(noise["grad_norm2"])
    assert any(line.get_xdata()[0] == 3 for line in ax.lines if line.get_linewidth() == 6)


def test_minibatch_comparison_per_epoch_update_and_time(small):
    runs, _ = small
    fig = op.minibatch_comparison(list(runs.values()), ["SGD", "m = 6", "full"])
    ax_epoch, ax_update, ax_time = fig.axes
    assert len(ax_epoch.lines) == len(ax_update.lines) == len(ax_time.lines) == 3
    np.testing.assert_allclose(ax_epoch.lines[0].get_ydata(), runs[1].loss_per_epoch)
    np.testing.assert_allclose(ax_update.lines[1].get_ydata(), runs[6].loss[1:])
    np.testing.assert_allclose(ax_time.lines[2].get_xdata(), np.cumsum(runs[24].epoch_times))
    assert legend_texts(ax_epoch) == ["SGD", "m = 6", "full"]


def test_a_diverged_run_is_named_and_marked(small):
    runs, _ = small
    good = runs[6]
    bad = ex.MinibatchRun(batch_size=6, learning_rate=9.0, updates_per_epoch=4,
                          loss=good.loss[:6], batch_loss=good.batch_loss[:6],
                          epoch_times=good.epoch_times[:2], diverged_at=6)
    fig = op.minibatch_comparison([bad], ["big η"])
    assert legend_texts(fig.axes[0]) == ["big η — diverged at update 6"]
    assert any(line.get_marker() == "x" for line in fig.axes[0].lines)


def test_minibatch_view_shows_the_run_the_reference_and_the_noise(small):
    runs, noise = small
    fig = op.minibatch_view(runs[6], runs[24], noise)
    left, right = fig.axes
    assert "m = 6" in left.get_title() and "4 updates per epoch" in left.get_title()
    full = next(line for line in left.lines if line.get_label() == "full training loss")
    np.testing.assert_allclose(full.get_ydata(), runs[6].loss)
    ref = next(line for line in left.lines if line.get_label().startswith("full batch"))
    np.testing.assert_allclose(ref.get_ydata(), runs[24].loss)
    assert right.get_yscale() == "log"


def test_escape_draws_the_well_paths_and_fractions():
    well = ex.TiltedDoubleWell(n=32)
    result = ex.escape_experiment(well, [1, 8, 32], epochs=2, n_runs=10, n_paths=2)
    fig = op.escape(well, result, show=[1, 32])
    profile, paths, bars = fig.axes
    assert len(paths.lines) == 2 + 2 + 1  # two runs per shown batch size, and the barrier
    heights = [p.get_height() for p in bars.patches]
    np.testing.assert_allclose(heights, result["fraction"])
    assert [t.get_text() for t in bars.get_xticklabels()] == ["1", "8", "32"]


def test_contour_paths_truncates_and_marks_a_diverged_path():
    bowl = Quadratic(1.0, 20.0)
    paths = ex.momentum_paths(bowl, [-2.0, 0.5], learning_rate=0.15, beta=0.9, n_steps=60)
    fig = op.contour_paths(bowl, paths, xlim=(-2.5, 1.0), ylim=(-1.0, 1.0), title="t")
    (ax,) = fig.axes
    texts = legend_texts(ax)
    gd = paths["gradient descent"]
    assert gd.diverged and f"gradient descent — diverged at step {gd.diverged_at}" in texts
    assert any(t.startswith("momentum β=0.9 — loss") for t in texts)
    gd_line = next(line for line in ax.lines if line.get_label().startswith("gradient descent"))
    xs, ys = gd_line.get_xdata(), gd_line.get_ydata()
    assert np.all((np.abs(ys) <= 1.0) & (xs >= -2.5) & (xs <= 1.0))  # only the part in view
    assert len(xs) < len(gd.points)
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and crosses[0].get_xdata()[0] == xs[-1]
    mom = next(line for line in ax.lines if line.get_label().startswith("momentum"))
    np.testing.assert_allclose(mom.get_xdata(), paths["momentum β=0.9"].points[:, 0])
    assert ax.get_title() == "t" and ax.get_xlim() == (-2.5, 1.0)


def test_contour_paths_accepts_plain_arrays():
    bowl = Quadratic(1.0, 4.0)
    points = np.array([[1.0, 1.0], [0.5, 0.2], [0.1, 0.0]])
    fig = op.contour_paths(bowl, {"by hand": points})
    assert any(line.get_label().startswith("by hand — loss") for line in fig.axes[0].lines)


def test_slope_paths_draws_positions_on_the_profile():
    hill = ex.DentedSlope()
    paths = {"GD": ex.run_path(NumpyOptimizer(SGD(), 0.1), hill, [-3.0], 30),
             "momentum": ex.run_path(NumpyOptimizer(Momentum(0.9), 0.1), hill, [-3.0], 30)}
    fig = op.slope_paths(hill, paths)
    profile, over_time = fig.axes
    gd = next(line for line in over_time.lines if line.get_label() == "GD")
    np.testing.assert_allclose(gd.get_ydata(), paths["GD"].points[:, 0])
    dots = next(line for line in profile.lines if line.get_label() == "momentum")
    np.testing.assert_allclose(dots.get_xdata(), paths["momentum"].points[:, 0])


def test_step_lengths_and_steps_vs_beta():
    fig = op.step_lengths({"a": [0.1, 0.2], "b": [0.3, 0.3]}, reference=0.3)
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines][:2] == ["a", "b"]
    assert ax.lines[2].get_ydata()[0] == 0.3
    sweep = {"betas": np.array([0.0, 0.5, 0.9]), "steps": np.array([np.nan, 40.0, 90.0]),
             "max_steps": 500}
    fig = op.steps_vs_beta([sweep], ["momentum"], marks={"β*": 0.67})
    (ax,) = fig.axes
    line = next(ln for ln in ax.lines if ln.get_label() == "momentum")
    np.testing.assert_array_equal(line.get_xdata(), [0.5, 0.9])
    cross = next(ln for ln in ax.lines if ln.get_marker() == "x")
    assert cross.get_xdata()[0] == 0.0 and cross.get_ydata()[0] == 500
    assert any(ln.get_label() == "β*" and ln.get_xdata()[0] == 0.67 for ln in ax.lines)
