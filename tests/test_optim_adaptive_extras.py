"""surveykit.optim.adaptive_experiments, adaptive_plots and ewa_plots (notebooks 05.04, 05.06)."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from surveykit import widgets
from surveykit.optim import (
    SGD,
    Adam,
    NumpyOptimizer,
    RMSProp,
    adaptive_plots,
    ewa_plots,
    ewa_series,
    rules,
    surfaces,
)
from surveykit.optim import adaptive_experiments as ax
from surveykit.optim.experiments import constant_slope_steps

W0 = np.array([-2.0, 1.0])


# --- §5.4–5.5 -------------------------------------------------------------------------------


def test_rotated_quadratic_without_rotation_is_the_quadratic():
    plain, turned = surfaces.Quadratic(1.0, 30.0), ax.RotatedQuadratic(1.0, 30.0, angle=0.0)
    w = np.array([0.3, -0.7])
    assert turned.loss(w) == pytest.approx(plain.loss(w))
    np.testing.assert_allclose(turned.grad(w), plain.grad(w))
    grid = np.zeros((4, 5, 2))
    assert turned.loss(grid).shape == (4, 5)


def test_rotated_quadratic_gradient_matches_finite_differences():
    s = ax.RotatedQuadratic(2.0, 50.0, angle=30.0)
    w, h = np.array([0.4, -1.1]), 1e-6
    numeric = [(s.loss(w + h * e) - s.loss(w - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(s.grad(w), numeric, rtol=1e-6)
    assert np.linalg.eigvalsh(s.hessian) == pytest.approx([2.0, 50.0])


@pytest.mark.parametrize("kwargs, name", [({"a": 0.0}, "a"), ({"b": -1.0}, "b"),
                                          ({"angle": 400.0}, "angle")])
def test_rotated_quadratic_validates(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ax.RotatedQuadratic(**kwargs)


def test_uncorrected_adam_is_the_survey_step_without_correction():
    g, m, v = np.array([0.3, -2.0]), np.array([0.1, 0.2]), np.array([0.5, 0.01])
    delta, m1, v1 = ax.adam_uncorrected_step(g, m, v, lr=0.1, t=3, beta_1=0.9, beta_2=0.99,
                                             epsilon=1e-8)
    np.testing.assert_allclose(m1, 0.9 * m + 0.1 * g)
    np.testing.assert_allclose(v1, 0.99 * v + 0.01 * g**2)
    np.testing.assert_allclose(delta, 0.1 * m1 / np.sqrt(v1 + 1e-8))


def test_uncorrected_step_ratio_values():
    r = ax.uncorrected_step_ratio(0.9, 0.999, np.arange(1, 3001))
    assert r[0] == pytest.approx(0.1 / math.sqrt(0.001))
    assert int(np.argmax(r)) + 1 == 12 and r.max() == pytest.approx(6.5685, abs=1e-4)
    assert r[-1] == pytest.approx(1.0, abs=0.06)
    with pytest.raises(ValueError, match="t must be"):
        ax.uncorrected_step_ratio(0.9, 0.999, [0])
    with pytest.raises(ValueError, match="beta_2"):
        ax.uncorrected_step_ratio(0.9, 1.0, [1])


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 0.99), st.floats(0.0, 0.999), st.floats(1e-3, 1e3))
def test_uncorrected_over_corrected_is_the_ratio_for_any_gradient(b1, b2, g):
    """The uncorrected/corrected step ratio does not depend on the gradient (ε → 0)."""
    kwargs = {"beta_1": b1, "beta_2": b2, "epsilon": 1e-300}
    steps = 5
    m = v = mu = vu = 0.0
    for t in range(1, steps + 1):
        d, m, v = rules.adam_survey_step(g * t, m, v, lr=1.0, t=t, **kwargs)
        du, mu, vu = ax.adam_uncorrected_step(g * t, mu, vu, lr=1.0, t=t, **kwargs)
        assert du / d == pytest.approx(float(ax.uncorrected_step_ratio(b1, b2, t)), rel=1e-9)


def test_adam_without_bias_correction_runs_in_numpy_optimizer():
    rule = ax.AdamWithoutBiasCorrection(beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    assert rule.hyperparameters() == {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8}
    steps = constant_slope_steps(rule, 0.01, 20, gradient=10.0)
    ratio = ax.uncorrected_step_ratio(0.9, 0.999, np.arange(1, 21))
    np.testing.assert_allclose(steps / 0.01, ratio, rtol=1e-6)
    with pytest.raises(ValueError, match="beta_1"):
        ax.AdamWithoutBiasCorrection(beta_1=1.5)


def test_steps_to_distance_and_condition_sweep():
    sweep = ax.condition_sweep([1, 100], max_steps=3000)
    gd, rms, adam = (sweep["axis"][k] for k in ("gradient descent (best η)", "RMSProp", "Adam"))
    assert gd == [1, 231] and rms[0] == rms[1] == 223 and adam[0] == adam[1] == 457
    assert sweep["rotated"]["RMSProp"][1] > sweep["rotated"]["RMSProp"][0]
    slow = NumpyOptimizer(SGD(), 1e-4)
    assert ax.steps_to_distance(slow, surfaces.Quadratic(1, 10), W0, max_steps=50) is None
    diverging = NumpyOptimizer(SGD(), 1.0)
    assert ax.steps_to_distance(diverging, surfaces.Quadratic(1, 10), W0, max_steps=500) is None


def test_step_record_rates_are_rmsprops_per_parameter_learning_rates():
    bowl = surfaces.Quadratic(1.0, 100.0)
    rec = ax.step_record(NumpyOptimizer(RMSProp(0.9, 1e-8), 0.01), bowl, W0, 5)
    assert rec["points"].shape == (6, 2) and rec["grads"].shape == rec["deltas"].shape == (5, 2)
    np.testing.assert_allclose(rec["points"][1:], rec["points"][:-1] - rec["deltas"])
    s = np.zeros(2)
    for g, delta in zip(rec["grads"], rec["deltas"], strict=True):
        s = 0.9 * s + 0.1 * g**2
        np.testing.assert_allclose(delta / g, 0.01 / np.sqrt(s + 1e-8))
    gd = ax.step_record(NumpyOptimizer(SGD(), 0.003), bowl, W0, 3)
    np.testing.assert_allclose(gd["deltas"] / gd["grads"], 0.003)


def test_first_step_sizes_closed_forms():
    g = np.array([1e-6, 1e-4, 1.0])
    s = ax.first_step_sizes(g, epsilon=1e-8, learning_rate=0.5)
    np.testing.assert_allclose(s["survey"], 0.5 * g / np.sqrt(g**2 + 1e-8))
    np.testing.assert_allclose(s["paper"], 0.5 * g / (g + 1e-8))
    np.testing.assert_allclose(s["keras"], 0.5 * g / (g + 1e-8 / math.sqrt(1 - 0.999)), rtol=1e-6)
    with pytest.raises(ValueError, match="epsilon"):
        ax.first_step_sizes(g, epsilon=0.0)


def test_form_gap_vanishes_as_epsilon_goes_to_zero():
    bowl = surfaces.Quadratic(1.0, 100.0)
    eps = [1e-12, 1e-8, 1e-4, 1.0]
    for reference in ("paper", "keras"):
        gap = ax.form_gap(eps, bowl, W0, n_steps=100, reference=reference)
        assert np.all(np.diff(gap) > 0) and gap[0] < 1e-9 and gap[-1] > 0.1
    with pytest.raises(ValueError, match="reference"):
        ax.form_gap(eps, bowl, W0, reference="torch")


def test_adaptive_paths_labels_and_bias_correction_switch():
    bowl = surfaces.Quadratic(1.0, 100.0)
    paths = ax.adaptive_paths(bowl, W0, n_steps=10)
    assert list(paths) == ["GD η=0.019", "RMSProp η=0.1", "Adam survey (ε inside √)",
                           "Adam paper (ε outside √)"]
    off = ax.adaptive_paths(bowl, W0, n_steps=10, bias_correction=False)
    key = "Adam survey (ε inside √), no bias correction"
    assert key in off
    first = np.linalg.norm(off[key].points[1] - W0) / np.linalg.norm(
        paths["Adam survey (ε inside √)"].points[1] - W0)
    assert first == pytest.approx(0.1 / math.sqrt(0.001), rel=1e-6)


def test_weights_gap():
    a = [np.array([1.0, 2.0]), np.array([[0.5]])]
    assert ax.weights_gap(a, a) == {"max_abs": 0.0, "max_rel": 0.0}
    b = [np.array([1.0, 2.1]), np.array([[0.5]])]
    gap = ax.weights_gap(b, a)
    assert gap["max_abs"] == pytest.approx(0.1) and gap["max_rel"] == pytest.approx(0.05)
    with pytest.raises(ValueError, match="same length"):
        ax.weights_gap(a, a[:1])
    with pytest.raises(ValueError, match="shapes differ"):
        ax.weights_gap([np.zeros(2)], [np.zeros(3)])


def test_second_moment_estimates_from_keras_adam_and_keras_optimizer():
    import keras

    from surveykit.optim import KerasOptimizer

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(6, 3)).astype("float32")
    results = []
    for opt in (keras.optimizers.Adam(1e-3),
                KerasOptimizer(Adam(epsilon=1e-7, form="keras"), 1e-3)):
        var = keras.Variable(np.zeros(3, dtype="float32"))
        for g in grads:
            opt.apply([keras.ops.convert_to_tensor(g)], [var])
        results.append(ax.second_moment_estimates(opt))
    expected = ewa_series(grads.astype(float) ** 2, 0.999, bias_correction=True)[-1]
    for v_hat in results:
        np.testing.assert_allclose(v_hat, expected, rtol=1e-5)
    with pytest.raises(ValueError, match="not taken a step"):
        ax.second_moment_estimates(keras.optimizers.Adam())
    with pytest.raises(ValueError, match="expected an Adam rule"):
        opt = KerasOptimizer(RMSProp(), 1e-3)
        var = keras.Variable(np.zeros(3, dtype="float32"))
        opt.apply([keras.ops.convert_to_tensor(grads[0])], [var])
        ax.second_moment_estimates(opt)


# --- §5.6, §3.5 -----------------------------------------------------------------------------


def test_noisy_signal_is_seeded_and_has_its_noise():
    t, truth, x = ax.noisy_signal(365, noise_sd=3.0, seed=0)
    assert t.shape == truth.shape == x.shape == (365,) and t[0] == 1
    assert truth.min() == pytest.approx(4.0, abs=1e-3)
    assert truth.max() == pytest.approx(20.0, abs=1e-3)
    assert np.std(x - truth) == pytest.approx(3.0, rel=0.1)
    np.testing.assert_array_equal(x, ax.noisy_signal(365, noise_sd=3.0, seed=0)[2])
    with pytest.raises(ValueError, match="noise_sd"):
        ax.noisy_signal(10, noise_sd=-1.0)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98])
def test_lag_and_noise_measured_against_theory(beta):
    assert ax.measure_lag(beta) == pytest.approx(ax.ewa_lag(beta), abs=1e-4)
    assert ax.measure_noise_factor(beta) == pytest.approx(ax.ewa_noise_factor(beta), rel=0.1)


def test_lag_and_noise_theory_values_and_validation():
    assert ax.ewa_lag(0.9) == pytest.approx(9.0)
    assert ax.ewa_noise_factor(0.9) == pytest.approx(math.sqrt(0.1 / 1.9))
    with pytest.raises(ValueError, match="beta"):
        ax.ewa_lag(1.0)
    with pytest.raises(ValueError, match="n must exceed"):
        ax.measure_noise_factor(0.99, n=500)


def test_best_shift_recovers_a_known_delay():
    truth = np.sin(np.linspace(0, 6, 300))
    delayed = np.r_[np.full(7, truth[0]), truth[:-7]]
    assert ax.best_shift(delayed, truth, max_shift=30) == 7
    with pytest.raises(ValueError, match="same length"):
        ax.best_shift(delayed[:-1], truth)


def test_beta_tradeoff_and_lag_noise_curve():
    _, truth, x = ax.noisy_signal(365, noise_sd=3.0, seed=0)
    out = ax.beta_tradeoff([0.5, 0.9, 0.99], truth, x)
    assert out["best_beta"] == 0.9
    assert out["rmse"][1] < out["rmse"][0] and out["rmse"][1] < out["rmse"][2]
    np.testing.assert_allclose(out["lag_theory"], [1, 9, 99])
    curve = ax.lag_noise_curve([0.5, 0.9], n_noise=5000)
    np.testing.assert_allclose(curve["lag"], curve["lag_theory"], atol=1e-4)
    np.testing.assert_allclose(curve["noise"], curve["noise_theory"], rtol=0.15)


def test_window_table():
    table = ax.window_table([0.9, 0.999])
    np.testing.assert_allclose(table["window"], [10, 1000])
    np.testing.assert_allclose(table["mass_in_window"], [1 - 0.9**10, 1 - 0.999**1000])
    np.testing.assert_allclose(table["mass_in_window"] + table["oldest_weight_ratio"], 1.0)
    assert table["half_life"][0] == pytest.approx(math.log(0.5) / math.log(0.9))
    with pytest.raises(ValueError, match="beta"):
        ax.window_table([0.0])


def test_noisy_losses_without_noise_is_the_deterministic_path():
    from surveykit.optim import CosineDecay, optimize

    bowl = surfaces.Quadratic(1.0, 10.0)
    quiet = ax.noisy_losses(Adam(), 0.05, bowl, w0=W0, noise_sd=0.0, n_steps=50, n_runs=3)
    path = optimize(NumpyOptimizer(Adam(), 0.05), bowl.grad, W0, 50)
    np.testing.assert_allclose(quiet, bowl.loss(path), rtol=1e-12)
    noisy = {name: ax.noisy_losses(Adam(), lr, bowl, w0=W0, noise_sd=1.0, n_steps=400, n_runs=100)
             for name, lr in (("constant", 0.05), ("decay", CosineDecay(0.05, 400)))}
    assert noisy["decay"][-1] < noisy["constant"][-1] / 3
    with pytest.raises(ValueError, match="noise_sd"):
        ax.noisy_losses(Adam(), 0.05, bowl, w0=W0, noise_sd=-1.0, n_steps=5)


def test_keras_slots_are_ewas():
    rng = np.random.default_rng(3)
    grads = rng.normal(0.5, 1.0, size=(40, 2))
    slots = ax.keras_slots(grads, learning_rate=0.01)
    np.testing.assert_allclose(slots["adam_m"], ewa_series(grads, 0.9), rtol=1e-10)
    np.testing.assert_allclose(slots["adam_v"], ewa_series(grads**2, 0.999), rtol=1e-10)
    np.testing.assert_allclose(slots["rmsprop_s"], ewa_series(grads**2, 0.9), rtol=1e-10)
    np.testing.assert_allclose(slots["sgd_m"], -0.1 * ewa_series(grads, 0.9), atol=1e-7)
    with pytest.raises(ValueError, match="shape"):
        ax.keras_slots(np.zeros(5))


# --- plots and the widgets' callbacks ----------------------------------------------------------


def test_adaptive_plots_return_figures():
    bowl = surfaces.Quadratic(1.0, 100.0)
    records = {"GD": ax.step_record(NumpyOptimizer(SGD(), 0.019), bowl, W0, 20),
               "RMSProp": ax.step_record(NumpyOptimizer(RMSProp(), 0.01), bowl, W0, 20),
               "Adam": ax.step_record(NumpyOptimizer(Adam(), 0.01), bowl, W0, 20)}
    fig = adaptive_plots.per_parameter_rates(bowl, records)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert len(fig.axes[1].lines) == 4  # GD and RMSProp, two parameters each; Adam left out
    sweep = ax.condition_sweep([1, 10], max_steps=30)  # some runs do not reach the tolerance
    fig = adaptive_plots.condition_steps(sweep)
    assert len(fig.axes) == 2
    fig = adaptive_plots.first_step_sizes(ax.first_step_sizes(np.geomspace(1e-8, 1, 9)),
                                          epsilon=1e-8)
    assert len(fig.axes) == 1
    fig = adaptive_plots.form_gap([1e-8, 1e-4], {"a": np.array([1e-9, 1e-5])})
    assert len(fig.axes) == 1
    steps = np.arange(1, 101)
    paths = ax.adaptive_paths(bowl, W0, n_steps=20)
    fig = adaptive_plots.bias_correction(steps, ax.uncorrected_step_ratio(0.9, 0.999, steps),
                                         1 - 0.9**steps, bowl, paths)
    assert len(fig.axes) == 2


def explore(learning_rate, epsilon, bias_correction):
    """The 05.04 widget's callback (same composition as in the notebook)."""
    bowl = surfaces.Quadratic(1.0, 1000.0)
    paths = ax.adaptive_paths(bowl, W0, learning_rate=learning_rate, epsilon=epsilon,
                              gd_learning_rate=0.0019, n_steps=200,
                              bias_correction=bias_correction == "on")
    return adaptive_plots.paths_view(bowl, paths, title="")


def test_adam_explorer_panel_handles_every_corner():
    panel = widgets.panel(explore, learning_rate=widgets.log_slider(1e-3, 1.0, 0.1),
                          epsilon=widgets.log_slider(1e-12, 1.0, 1e-8, steps_per_decade=1),
                          bias_correction=widgets.choice(["on", "off"], "on"))
    assert panel.error is None and isinstance(panel.figure, Figure)
    for lr, eps, bc in [(1.0, 1.0, "off"), (1e-3, 1e-12, "on"), (1.0, 1e-12, "off")]:
        panel.controls["learning_rate"].value = lr
        panel.controls["epsilon"].value = eps
        panel.controls["bias_correction"].value = bc
        assert panel.error is None, panel.error
    legend = [t.get_text() for t in panel.figure.axes[0].get_legend().get_texts()]
    assert any("no bias correction" in text for text in legend)


def show(beta, bias_correction):
    """The 05.06 widget's callback (same composition as in the notebook)."""
    t, truth, x = ax.noisy_signal(365, noise_sd=3.0, seed=0)
    corrected = bias_correction == "on"
    average = ewa_series(x, beta, bias_correction=corrected)
    return ewa_plots.series_view(t, truth, x, average, beta=beta, bias_correction=corrected)


def test_ewa_panel_handles_every_corner():
    panel = widgets.panel(show, beta=widgets.float_slider(0.0, 0.99, 0.9, 0.01),
                          bias_correction=widgets.choice(["on", "off"], "on"))
    assert panel.error is None
    for beta, bc in [(0.0, "off"), (0.99, "off"), (0.99, "on"), (0.5, "on")]:
        panel.controls["beta"].value = beta
        panel.controls["bias_correction"].value = bc
        assert panel.error is None, panel.error
    line = panel.figure.axes[0].lines[2]
    _, truth, x = ax.noisy_signal(365, noise_sd=3.0, seed=0)
    np.testing.assert_allclose(line.get_ydata(), ewa_series(x, 0.5, bias_correction=True))


def test_ewa_plots_return_figures():
    t, truth, x = ax.noisy_signal(100, noise_sd=3.0, seed=0)
    assert len(ewa_plots.weights_by_age([0.9, 0.98]).axes) == 1
    raw = {0.9: ewa_series(x, 0.9)}
    corrected = {0.9: ewa_series(x, 0.9, bias_correction=True)}
    assert len(ewa_plots.bias_correction_start(t, truth, x, raw, corrected).axes) == 2
    curve = ax.lag_noise_curve([0.5, 0.9], n_noise=3000)
    series = ax.beta_tradeoff([0.5, 0.9], truth, x)
    assert len(ewa_plots.tradeoff(curve, series).axes) == 2
    grads = np.random.default_rng(0).normal(size=(30, 2))
    slots = {"adam_m": ewa_series(grads, 0.9), "adam_v": ewa_series(grads**2, 0.999)}
    ewas = {"m": slots["adam_m"], "v": slots["adam_v"],
            "v_hat": ewa_series(grads**2, 0.999, bias_correction=True)}
    assert len(ewa_plots.optimizer_moments(grads, slots, ewas, beta_1=0.9, beta_2=0.999).axes) == 2
    from surveykit.optim import Constant, CosineDecay

    schedules = {"c": Constant(0.05), "d": CosineDecay(0.05, 10)}
    losses = {"c": np.linspace(1, 0.1, 11), "d": np.linspace(1, 0.01, 11)}
    fig = ewa_plots.schedule_losses(schedules, losses)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2
