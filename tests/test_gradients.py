"""Vanishing/exploding gradients (§7.1): backprop vs finite differences and Keras, known
answers for the chain rule, initialisation formulas vs Keras' initialisers, divergence."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import math
import time

import matplotlib.figure
import numpy as np
import pytest

from surveykit import gradients as G
from surveykit import gradients_plots as GP
from surveykit.optim import SGD, NumpyOptimizer
from surveykit.optim.numpy_net import numerical_gradients
from surveykit.training import Run


@pytest.fixture(scope="module")
def small_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)
    return X, y


@pytest.fixture(scope="module")
def cancer():
    from surveykit import data

    split = data.breast_cancer_split(seed=0, dtype="float64")
    return split.X_train, split.y_train.astype(float)


# --- initialisation formulas ---------------------------------------------------------

def test_he_and_glorot_formulas():
    assert G.he_std(32) == math.sqrt(2 / 32)
    assert G.he_std(2) == 1.0
    assert G.glorot_std(30, 34) == math.sqrt(2 / 64)
    assert G.glorot_std(32, 32) == pytest.approx(math.sqrt(1 / 32))
    assert G.init_std("he", 50, 7) == G.he_std(50)
    assert G.init_std("glorot", 50, 7) == G.glorot_std(50, 7)
    assert G.init_std("normal", 50, 7, 0.3) == 0.3
    assert G.init_std("orthogonal", 16, 16) == 0.25


@pytest.mark.parametrize("bad", [
    lambda: G.he_std(0), lambda: G.glorot_std(3, 0), lambda: G.init_std("lecun", 3, 3),
    lambda: G.init_std("normal", 3, 3), lambda: G.init_std("normal", 3, 3, -1.0),
])
def test_initialisation_arguments_are_validated(bad):
    with pytest.raises(ValueError, match=r"fan_in|fan_out|init|std"):
        bad()


@pytest.mark.parametrize("name,fan_in,fan_out", [
    ("he_normal", 512, 256), ("he_uniform", 300, 400),
    ("glorot_normal", 512, 256), ("glorot_uniform", 100, 900),
])
def test_keras_initializers_have_the_formula_std(name, fan_in, fan_out):
    W = G.keras_initializer_sample(name, fan_in, fan_out, seed=0)
    assert W.shape == (fan_in, fan_out)
    expected = G.he_std(fan_in) if name.startswith("he") else G.glorot_std(fan_in, fan_out)
    tol = G.sample_std_tolerance(expected, W.size)
    assert abs(W.std() - expected) < tol, (W.std(), expected, tol)
    assert abs(W.mean()) < 4 * expected / math.sqrt(W.size)
    # and the tolerance is tight enough to reject the neighbouring formulas
    assert abs(math.sqrt(2 / fan_out) - expected) > tol or fan_in == fan_out


def test_sample_std_tolerance_covers_normal_samples():
    rng = np.random.default_rng(3)
    n, std = 5000, 0.7
    devs = [abs(rng.normal(0, std, n).std() - std) for _ in range(200)]
    tol1 = G.sample_std_tolerance(std, n, z=1.0)
    assert 0.55 < np.mean(np.array(devs) < tol1) < 0.8  # ≈ 68 % within one standard error
    assert max(devs) < G.sample_std_tolerance(std, n)


@pytest.mark.parametrize("init,std", [("he", None), ("glorot", None), ("normal", 0.05),
                                      ("orthogonal", 1.5)])
def test_init_params_shapes_and_stds(init, std):
    config = G.DeepNetConfig(n_in=60, depth=3, width=200, activation="relu", init=init, std=std)
    p = G.init_params(config, seed=1)
    assert p["W1"].shape == (60, 200) and p["W2"].shape == (200, 200)
    assert p["W_out"].shape == (200, 1) and p["b_out"].shape == (1,)
    assert not any(k.startswith("gamma") for k in p)
    W = p["W2"]
    expected = G.init_std(init, 200, 200, std)
    assert abs(W.std() - expected) < G.sample_std_tolerance(expected, W.size)
    if init == "orthogonal":
        np.testing.assert_allclose(W @ W.T, 1.5**2 * np.eye(200), atol=1e-12)
    bn = G.init_params(config.with_(batchnorm=True), seed=1)
    np.testing.assert_array_equal(bn["gamma3"], np.ones(200))
    np.testing.assert_array_equal(bn["W2"], p["W2"])  # same seed, same weights


def test_config_validation_and_label():
    with pytest.raises(ValueError, match="activation"):
        G.DeepNetConfig(n_in=3, activation="softplus")
    with pytest.raises(ValueError, match="depth"):
        G.DeepNetConfig(n_in=3, depth=0)
    with pytest.raises(ValueError, match="std must be given"):
        G.DeepNetConfig(n_in=3, init="normal")
    with pytest.raises(ValueError, match="batchnorm"):
        G.DeepNetConfig(n_in=3, batchnorm=1)
    config = G.DeepNetConfig(n_in=3, activation="tanh", init="normal", std=0.1, residual=True)
    assert config.label() == "tanh, N(0, 0.1²), residual"
    assert config.with_(init="he", std=None, batchnorm=True).label() == "tanh, He, BN, residual"


# --- activations and backpropagation -------------------------------------------------

@pytest.mark.parametrize("name", G.ACTIVATIONS)
def test_activation_derivative_matches_finite_differences(name):
    z = np.linspace(-4, 4, 41) + 0.013  # avoid ReLU's kink at 0
    h = 1e-6
    numeric = (G.activation(z + h, name) - G.activation(z - h, name)) / (2 * h)
    np.testing.assert_allclose(G.activation_derivative(z, name), numeric, atol=1e-8)


def test_sigmoid_derivative_is_at_most_a_quarter():
    z = np.linspace(-30, 30, 10001)
    d = G.activation_derivative(z, "sigmoid")
    assert d.max() == G.SIGMOID_MAX_DERIVATIVE == G.activation_derivative(0.0, "sigmoid")
    assert np.all(d <= 0.25)


@pytest.mark.parametrize("activation", G.ACTIVATIONS)
@pytest.mark.parametrize("batchnorm,residual", [(False, False), (True, False), (False, True),
                                                (True, True)])
def test_backprop_passes_the_finite_difference_check(small_data, activation, batchnorm,
                                                     residual):
    X, y = small_data
    config = G.DeepNetConfig(n_in=3, depth=3, width=4, activation=activation, init="normal",
                             std=0.8, batchnorm=batchnorm, residual=residual)
    params = G.init_params(config, seed=2)
    rng = np.random.default_rng(5)
    params = {k: v + 0.3 * rng.standard_normal(v.shape) if k.startswith(("b", "gamma"))
              else v for k, v in params.items()}
    _, grads, _ = G.loss_and_grads(params, config, X, y)
    numeric = numerical_gradients(lambda p: G.loss(p, config, X, y), params)
    assert list(grads) == list(params)
    for key in params:  # CS231n's relative error, per parameter array
        a, n = grads[key].ravel(), numeric[key].ravel()
        err = np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-300)
        # (a bias just before batch norm has gradient exactly 0: BN subtracts it again)
        assert err < 1e-7 or np.linalg.norm(a - n) < 1e-9, (key, err)
    if batchnorm:
        assert np.abs(grads["b2"]).max() < 1e-15


def test_deltas_are_the_gradients_with_respect_to_activations(small_data):
    X, y = small_data
    config = G.DeepNetConfig(n_in=3, depth=2, width=4, activation="tanh", init="he",
                             residual=True)
    params = G.init_params(config, seed=0)
    _, _, deltas = G.loss_and_grads(params, config, X, y)
    from surveykit.gradcheck import numerical_gradient

    numeric_dx = numerical_gradient(lambda x: G.loss(params, config, x, y), X)
    np.testing.assert_allclose(deltas[0], numeric_dx, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("config", [
    G.DeepNetConfig(n_in=30, depth=6, width=16, activation="sigmoid", init="glorot"),
    G.DeepNetConfig(n_in=30, depth=6, width=16, activation="relu", init="he", batchnorm=True,
                    residual=True),
    G.DeepNetConfig(n_in=30, depth=6, width=16, activation="tanh", init="normal", std=0.5,
                    batchnorm=True),
])
def test_layer_gradient_norms_match_keras_gradient_tape(cancer, config):
    X, y = cancer
    params = G.init_params(config, seed=0)
    loss, grads, _ = G.loss_and_grads(params, config, X, y)
    keras_loss, keras_norms = G.keras_layer_gradient_norms(params, config, X, y)
    assert keras_loss == pytest.approx(loss, rel=1e-9)
    np.testing.assert_allclose(keras_norms, G.layer_gradient_norms(grads, config), rtol=1e-6)


# --- the chain rule with known answers ----------------------------------------------

def test_linear_orthogonal_network_preserves_the_gradient_norm_exactly(small_data):
    X, y = small_data
    config = G.DeepNetConfig(n_in=3, depth=12, width=8, activation="linear", init="orthogonal")
    report = G.gradient_report(G.init_params(config, seed=4), config, X, y)
    np.testing.assert_allclose(report.gains[1:], 1.0, rtol=1e-12)  # layers 2…L are 8×8
    np.testing.assert_allclose(report.delta_norms[1:], report.delta_norms[-1], rtol=1e-12)


@pytest.mark.parametrize("activation,factor", [("sigmoid", 0.25), ("tanh", 1.0)])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_chain_at_zero_scales_by_the_derivative_power(activation, factor, gain):
    """At z = 0 every layer multiplies ‖δ‖ by act'(0) × gain: (1/4)^L for the sigmoid."""
    L, n = 10, 6
    config = G.DeepNetConfig(n_in=n, depth=L, width=n, activation=activation,
                             init="orthogonal", std=gain)
    x0 = np.linspace(-1, 1, n)
    params = G.zero_preactivation_biases(G.init_params(config, seed=0), config, x0)
    _, cache = G.forward(params, config, x0[None, :])
    np.testing.assert_allclose(np.concatenate(cache["z"]), 0.0, atol=1e-12)
    report = G.gradient_report(params, config, x0[None, :], np.array([1.0]))
    np.testing.assert_allclose(report.gains, factor * gain, rtol=1e-12)
    assert report.measured_shrinkage == pytest.approx((factor * gain) ** L, rel=1e-10)
    # the bound is attained: ‖W‖₂ = gain, max act' = act'(0)
    assert report.bound_product == pytest.approx(report.measured_shrinkage, rel=1e-10)


def test_zero_preactivation_biases_rejects_batchnorm():
    config = G.DeepNetConfig(n_in=2, depth=2, width=2, batchnorm=True)
    with pytest.raises(ValueError, match="batchnorm"):
        G.zero_preactivation_biases(G.init_params(config), config, [0.0, 0.0])


@pytest.mark.parametrize("activation", G.ACTIVATIONS)
@pytest.mark.parametrize("batchnorm,residual", [(False, False), (True, False), (False, True),
                                                (True, True)])
def test_measured_gains_never_exceed_the_bounds(cancer, activation, batchnorm, residual):
    X, y = cancer
    config = G.DeepNetConfig(n_in=30, depth=8, width=16, activation=activation,
                             init="normal", std=0.4, batchnorm=batchnorm, residual=residual)
    report = G.gradient_report(G.init_params(config, seed=1), config, X, y)
    assert np.all(report.gains <= report.bounds * (1 + 1e-12))
    assert report.measured_shrinkage <= report.bound_product * (1 + 1e-9)


def test_sigmoid_gradients_shrink_at_least_geometrically(cancer):
    X, y = cancer
    config = G.DeepNetConfig(n_in=30, depth=15, width=32, activation="sigmoid", init="glorot")
    params = G.init_params(config, seed=0)
    report = G.gradient_report(params, config, X, y)
    assert np.all(report.max_derivative <= 0.25)
    spectral = np.prod([np.linalg.norm(params[k], 2) for k in G.weight_keys(config)])
    assert report.measured_shrinkage <= 0.25**15 * spectral
    assert report.ratio < 1e-6


def test_he_relu_keeps_the_typical_gain_near_one(cancer):
    X, y = cancer
    config = G.DeepNetConfig(n_in=30, depth=20, width=256, activation="relu", init="he")
    report = G.gradient_report(G.init_params(config, seed=0), config, X, y)
    assert np.all(np.abs(report.estimates - 1) < 0.1)  # √fan_in · √(2/fan_in) · √(1/2) = 1
    assert 0.9 < np.median(report.gains) < 1.1


def test_first_last_ratio():
    assert G.first_last_ratio([1e-6, 1.0, 2.0]) == 5e-7
    assert G.first_last_ratio([4.0, 2.0]) == 2.0


# --- training: symptoms, divergence, mitigations --------------------------------------

def test_is_diverged():
    assert G.is_diverged(float("nan")) and G.is_diverged(float("inf"))
    assert G.is_diverged(2e6) and not G.is_diverged(1e6) and not G.is_diverged(0.3)
    assert G.is_diverged(11.0, max_loss=10.0)


def test_exploding_network_diverges_and_is_reported(cancer):
    X, y = cancer
    config = G.DeepNetConfig(n_in=30, depth=20, width=32, activation="relu", init="normal",
                             std=0.35)
    params = G.init_params(config, seed=0)
    result = G.train(params, config, X, y, optimizer=NumpyOptimizer(SGD(), 0.1), steps=50)
    run = result.run
    assert run.diverged and run.diverged_at == len(run.history["loss"]) + 1
    assert G.is_diverged(run.bad_loss) and all(np.isfinite(run.history["loss"]))
    # without a threshold the loss really reaches inf/NaN, a step or two later
    raw = G.train(params, config, X, y, optimizer=NumpyOptimizer(SGD(), 0.1), steps=50,
                  max_loss=1e300)
    assert raw.diverged and not np.isfinite(raw.run.bad_loss)
    assert raw.run.diverged_at >= run.diverged_at
    # clipping (surveykit.optim.clipping through the optimizer) keeps it finite
    clipped = G.train(params, config, X, y, steps=50,
                      optimizer=NumpyOptimizer(SGD(), 0.1, clipnorm=1.0))
    assert not clipped.diverged and len(clipped.run.history["loss"]) == 51
    assert clipped.final_loss() < clipped.run.history["loss"][0]


def test_vanishing_network_first_layer_stops_updating(cancer):
    X, y = cancer
    config = G.DeepNetConfig(n_in=30, depth=20, width=32, activation="sigmoid",
                             init="normal", std=0.1)
    result = G.train(G.init_params(config, seed=0), config, X, y,
                     optimizer=NumpyOptimizer(SGD(), 0.1), steps=30)
    assert result.weight_change[0] < 1e-12 < result.weight_change[-1]
    assert result.grad_norms.shape == (30, 20)
    losses = result.run.history["loss"]
    assert abs(losses[-1] - losses[-2]) < 1e-3  # stagnates


def test_train_validates_and_resets_the_optimizer(small_data):
    X, y = small_data
    config = G.DeepNetConfig(n_in=3, depth=2, width=4, activation="tanh")
    params = G.init_params(config)
    opt = NumpyOptimizer(SGD(), 0.1)
    a = G.train(params, config, X, y, optimizer=opt, steps=5)
    b = G.train(params, config, X, y, optimizer=opt, steps=5)
    assert a.run.history == b.run.history and opt.iterations == 5
    with pytest.raises(ValueError, match="steps"):
        G.train(params, config, X, y, optimizer=opt, steps=0)
    with pytest.raises(ValueError, match="X must have shape"):
        G.forward(params, config, X[:, :2])


def test_compare_mitigations_and_table(cancer):
    X, y = cancer
    base = G.DeepNetConfig(n_in=30, depth=20, width=32, activation="relu", init="normal",
                           std=0.35)
    variants = G.compare_mitigations(
        base, {"baseline": {}, "He": {"init": "he", "std": None}, "clip": {"clipnorm": 1.0}},
        X, y, learning_rate=0.1, steps=20)
    assert [v.name for v in variants] == ["baseline", "He", "clip"]
    assert variants[0].result.diverged and not variants[1].result.diverged
    assert variants[2].clip == {"clipnorm": 1.0} and variants[2].config == base
    np.testing.assert_array_equal(variants[0].report.weight_grad_norms,
                                  variants[2].report.weight_grad_norms)  # same network
    table = G.mitigation_table(variants, steps=20)
    lines = table.splitlines()
    assert len(lines) == 4 and "loss after 20 steps" in lines[0]
    assert "diverged after 1 step (loss" in lines[1]
    assert lines[2].split()[-1].replace(".", "").isdigit()
    assert "diverged at initialisation" in G.outcome(Run({}, {"loss": []}, True, 1, 1e7))


# --- plots ---------------------------------------------------------------------------

def test_plots_return_figures_and_mark_divergence(cancer):
    X, y = cancer
    base = G.DeepNetConfig(n_in=30, depth=6, width=8, activation="relu", init="normal",
                           std=2.0)
    variants = G.compare_mitigations(base, {"baseline": {}, "He": {"init": "he", "std": None}},
                                     X, y, learning_rate=0.1, steps=5)
    assert variants[0].result.diverged
    fig = GP.training_curves(variants)
    assert isinstance(fig, matplotlib.figure.Figure)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("diverged after" in t or "diverged at initialisation" in t for t in labels)
    fig = GP.weight_change(variants)
    assert "diverged: baseline" in fig.axes[0].get_title()
    reports = {v.name: v.report for v in variants}
    assert isinstance(GP.layer_norms(reports), matplotlib.figure.Figure)
    assert isinstance(GP.chain_rule(variants[1].report, sigmoid_quarter=True),
                      matplotlib.figure.Figure)


def test_explorer_is_fast_enough_for_a_live_slider(cancer):
    X, y = cancer
    GP.explorer(20, 0.25, "relu", X=X, y=y)  # warm up
    start = time.perf_counter()
    fig = GP.explorer(40, 0.1, "sigmoid", X=X, y=y)
    assert time.perf_counter() - start < 1.0  # ≈ 0.1 s here; generous for busy CI machines
    assert "He std = 0.250" in fig.axes[0].get_title()
    fig = GP.explorer(30, 2.0, "relu", X=X, y=y)  # overflowing network still draws
    assert isinstance(fig, matplotlib.figure.Figure)


def test_explorer_panel_redraws_on_slider_moves(cancer):
    from surveykit import widgets

    X, y = cancer

    def explore(depth, weight_std, activation):
        return GP.explorer(depth, weight_std, activation, X=X, y=y)

    panel = widgets.panel(explore, depth=widgets.int_slider(2, 40, 20),
                          weight_std=widgets.log_slider(0.01, 2.0, 0.25, steps_per_decade=8),
                          activation=widgets.choice(["sigmoid", "tanh", "relu", "linear"], "relu"))
    assert panel.calls == 1 and panel.error is None
    panel.controls["depth"].value = 35
    panel.controls["activation"].value = "sigmoid"
    panel.controls["weight_std"].value = 2.0
    assert panel.calls == 4 and panel.error is None
    assert "you chose 2 = 8 × He" in panel.figure.axes[0].get_title()
