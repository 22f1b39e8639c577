"""The experiments and plots of notebooks 04.01 and 04.03 (surveykit.regularization.experiments
and .plots): the training loop against model.fit, the penalised logistic regression against
Keras and against the optimality conditions of its objective, the dropout statistics, and
every plot drawn from small results."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

from surveykit import data, foundations
from surveykit.regularization import (
    L2Regularizer,
    elastic_net_gradient,
    elastic_net_penalty,
    l1_gradient,
    l1_penalty,
    l2_gradient,
    l2_penalty,
)
from surveykit.regularization import experiments as rx
from surveykit.regularization import plots as rplots
from surveykit.training import Run


@pytest.fixture(scope="module")
def split():
    return data.breast_cancer_split(seed=0, dtype="float64")


# --- the training loop ---------------------------------------------------------------------


def _small_model(reg=None):
    return keras.Sequential([keras.Input((30,)),
                             keras.layers.Dense(8, activation="relu", kernel_regularizer=reg),
                             keras.layers.Dense(1, activation="sigmoid", kernel_regularizer=reg)])


@pytest.mark.parametrize("batch_size", [341, 64])
def test_train_compiled_makes_the_updates_of_model_fit(split, batch_size):
    """Same initial weights, no shuffling, SGD with an L2 penalty: same weights as fit."""
    run = rx.train_compiled(lambda: _small_model(L2Regularizer(1e-2)), split.X_train,
                            split.y_train, split.X_val, split.y_val,
                            optimizer=keras.optimizers.SGD(0.1), epochs=3,
                            batch_size=batch_size, shuffle=False, seed=3)
    keras.utils.set_random_seed(3)
    model = _small_model(L2Regularizer(1e-2))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    model.fit(split.X_train.astype("float32"), split.y_train.astype("float32"),
              batch_size=batch_size, epochs=3, shuffle=False, verbose=0)
    for a, b in zip(run.model.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_train_compiled_history(split):
    run = rx.train_compiled(lambda: _small_model(L2Regularizer(0.1)), split.X_train,
                            split.y_train, split.X_val, split.y_val,
                            optimizer=keras.optimizers.Adam(1e-2), epochs=7, batch_size=64,
                            eval_every=3, seed=0, config={"name": "x"})
    assert isinstance(run, Run) and run.config == {"name": "x", "epochs": 7}
    assert run.history["epoch"] == [1, 3, 6, 7]
    assert set(run.history) == {"epoch", "loss", "data_loss", "accuracy", "val_loss",
                                "val_accuracy"}
    # val_loss is the data loss alone (no penalty), at inference
    p = np.asarray(run.model(split.X_val.astype("float32")), float)[:, 0]
    bce = foundations.binary_cross_entropy(split.y_val, p, eps=1e-7)
    assert run.final("val_loss") == pytest.approx(bce, rel=1e-4)
    assert run.final("val_accuracy") == pytest.approx(np.mean((p > 0.5) == split.y_val))
    # the training objective includes the penalty, so it exceeds the data loss here
    assert run.history["loss"][-1] > run.history["data_loss"][-1]
    # reproducible
    again = rx.train_compiled(lambda: _small_model(L2Regularizer(0.1)), split.X_train,
                              split.y_train, split.X_val, split.y_val,
                              optimizer=keras.optimizers.Adam(1e-2), epochs=7, batch_size=64,
                              eval_every=3, seed=0)
    assert again.history == run.history


def test_train_compiled_multiclass_and_validation():
    d = data.digits_split(seed=0)
    run = rx.train_compiled(lambda: rx.build_mlp_with(64, (16,), output_units=10),
                            d.X_train[:100], d.y_train[:100], d.X_val, d.y_val,
                            loss="sparse_categorical_crossentropy",
                            optimizer=keras.optimizers.Adam(1e-2), epochs=2, batch_size=50)
    assert run.final("accuracy") > 0.1
    with pytest.raises(ValueError, match="^loss must be one of"):
        rx.train_compiled(lambda: None, d.X_train, d.y_train, d.X_val, d.y_val,
                          optimizer=None, epochs=1, loss="mse")
    with pytest.raises(ValueError, match="^eval_every must be"):
        rx.train_compiled(lambda: None, d.X_train, d.y_train, d.X_val, d.y_val,
                          optimizer=None, epochs=1, eval_every=0)


# --- penalties ----------------------------------------------------------------------------

W = np.array([[1.5, -0.5, 0.0], [2.0, -3.0, 0.25]])


def test_named_penalties_are_the_formulas():
    assert rx.penalty_strengths("l2", 0.4) == (0.0, 0.4)
    assert rx.penalty_strengths("l1", 0.4) == (0.4, 0.0)
    assert rx.penalty_strengths("elastic_net", 0.4, mix=0.25) == pytest.approx((0.1, 0.3))
    assert rx.penalty_value(W, "l2", 0.3) == l2_penalty(W, 0.3)
    assert rx.penalty_value(W, "l1", 0.3) == l1_penalty(W, 0.3)
    assert rx.penalty_value(W, "elastic_net", 0.3) == elastic_net_penalty(W, 0.15, 0.15)
    np.testing.assert_array_equal(rx.penalty_gradient(W, "l2", 0.3), l2_gradient(W, 0.3))
    np.testing.assert_array_equal(rx.penalty_gradient(W, "l1", 0.3), l1_gradient(W, 0.3))
    np.testing.assert_array_equal(rx.penalty_gradient(W, "elastic_net", 0.3, 0.2),
                                  elastic_net_gradient(W, 0.06, 0.24))


def test_keras_regularizer_factory():
    assert rx.keras_regularizer("l2", 0.0) is None
    assert isinstance(rx.keras_regularizer("l2", 0.1), L2Regularizer)
    theirs = rx.keras_regularizer("elastic_net", 0.1, source="keras")
    assert isinstance(theirs, keras.regularizers.L1L2)
    assert (float(theirs.l1), float(theirs.l2)) == pytest.approx((0.05, 0.05))


def test_soft_threshold_is_the_proximal_step():
    z = np.array([-2.0, -0.3, 0.0, 0.1, 0.5, 3.0])
    out = rx.soft_threshold(z, 0.4)
    np.testing.assert_allclose(out, [-1.6, 0.0, 0.0, 0.0, 0.1, 2.6])
    grid = np.linspace(-4, 4, 80_001)
    for zi, oi in zip(z, out, strict=True):  # argmin ½(w − z)² + t|w| by brute force
        assert grid[np.argmin(0.5 * (grid - zi) ** 2 + 0.4 * np.abs(grid))] == pytest.approx(
            oi, abs=1e-4)


def test_l2_sgd_step_is_weight_decay():
    rng = np.random.default_rng(0)
    w, g = rng.normal(size=5), rng.normal(size=5)
    np.testing.assert_allclose(rx.l2_sgd_step(w, g, 0.1, 0.3), (1 - 2 * 0.1 * 0.3) * w - 0.1 * g)


@pytest.mark.parametrize("penalty", rx.PENALTIES)
def test_numpy_logistic_regression_equals_keras(split, penalty):
    w0 = np.random.default_rng(0).normal(0, 0.5, 30)
    ours = rx.train_logistic(split.X_train, split.y_train, penalty=penalty, lam=0.05,
                             steps=30, w0=w0)
    kours = rx.keras_logistic(split.X_train, split.y_train, penalty=penalty, lam=0.05,
                              steps=30, w0=w0)
    ktheirs = rx.keras_logistic(split.X_train, split.y_train, penalty=penalty, lam=0.05,
                                steps=30, w0=w0, source="keras")
    np.testing.assert_allclose(kours.w, ours.w, atol=1e-5)
    assert kours.b == pytest.approx(ours.b, abs=1e-5)
    np.testing.assert_array_equal(kours.w, ktheirs.w)


@pytest.mark.parametrize("penalty, lam", [("l1", 0.05), ("elastic_net", 0.1)])
def test_proximal_fit_satisfies_the_optimality_conditions(split, penalty, lam):
    """At the minimiser of BCE + λ1Σ|w| + λ2Σw²: for w_i ≠ 0, ∂L/∂w_i + λ1 sign(w_i) +
    2λ2 w_i = 0; for w_i = 0, |∂L/∂w_i| ≤ λ1 (0 lies in the subdifferential)."""
    fit = rx.train_logistic(split.X_train, split.y_train, penalty=penalty, lam=lam,
                            steps=6000, method="proximal")
    lam1, lam2 = rx.penalty_strengths(penalty, lam)
    dw, db = foundations.neuron_gradients(split.X_train, split.y_train, fit.w, fit.b)
    nz = fit.w != 0
    assert 0 < nz.sum() < 30
    # ISTA converges slowly along correlated features: stationary to 2 % of λ1
    np.testing.assert_allclose(dw[nz] + lam1 * np.sign(fit.w[nz]) + 2 * lam2 * fit.w[nz], 0,
                               atol=0.02 * lam1)
    assert np.all(np.abs(dw[~nz]) <= lam1 + 1e-6)
    assert abs(db) < 1e-3


def test_weight_decay_matches_l2_only_for_plain_sgd(split):
    assert rx.weight_decay_gap(split.X_train, split.y_train, lam=0.05, steps=5) < 1e-6
    assert rx.weight_decay_gap(split.X_train, split.y_train, lam=0.05, steps=5,
                               optimizer="adam") > 1e-2
    with pytest.raises(ValueError, match="^optimizer must be one of"):
        rx.weight_decay_gap(split.X_train, split.y_train, lam=0.05, optimizer="rmsprop")


@pytest.fixture(scope="module")
def sweeps(split):
    return rx.penalty_sweeps(split, [1e-3, 1e-2, 1e-1],
                             [("l2", "gradient"), ("l1", "gradient"), ("l1", "proximal")],
                             steps=800)


def test_penalty_sweeps(sweeps):
    l2s, l1s, l1p = sweeps[("l2", "gradient")], sweeps[("l1", "gradient")], \
        sweeps[("l1", "proximal")]
    assert l2s.weights.shape == (3, 30) and l2s.val_loss.shape == (3,)
    assert np.all(np.diff(l2s.norms()["l2"]) < 0)
    np.testing.assert_array_equal(l2s.zero_band(), 0.0)
    np.testing.assert_allclose(l1s.zero_band(), 2 * 0.1 * np.array([1e-3, 1e-2, 1e-1]))
    np.testing.assert_array_equal(l1p.zero_band(), 0.0)
    assert not l2s.zeros().any()
    assert np.all(np.diff(l1p.zeros().sum(1)) >= 0) and l1p.zeros()[-1].sum() > 15
    np.testing.assert_array_equal(l1p.zeros(), l1p.weights == 0)
    assert l1p.index(0.012) == 1 and l1p.index(0.0) == 0
    survivors = l1p.survivors(0.1)
    assert len(survivors) == 30 - l1p.zeros()[2].sum()
    i = [l1p.feature_names.index(s) for s in survivors]
    assert np.all(np.diff(np.abs(l1p.weights[2, i])) <= 0)  # largest |w| first
    assert l1p.sparsity(1e-12)[2] == pytest.approx(l1p.zeros()[2].mean())
    with pytest.raises(ValueError, match="^method must be one of"):
        rx.penalty_sweeps(None, [0.1], [("l1", "newton")])


def test_correlated_features_and_refits(split):
    group = rx.correlated_features(split, "worst perimeter", 0.9)
    assert group[0] == "worst perimeter" and {"worst radius", "mean area"} <= set(group)
    res = rx.refit_on_features(split, ["worst radius", "worst texture"], steps=300)
    assert res["features"] == 2 and 0.8 < res["accuracy"] <= 1 and res["loss"] > 0
    with pytest.raises(ValueError, match="^feature must be one of"):
        rx.correlated_features(split, "colour")


def test_build_mlp_with():
    model = rx.build_mlp_with(30, regularizer=lambda: L2Regularizer(1e-3), dropout_rate=0.2)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    drops = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert [d.units for d in dense] == [128, 64, 32, 1]
    assert all(isinstance(d.kernel_regularizer, L2Regularizer) for d in dense)
    assert len(drops) == 3 and all(d.rate == 0.2 for d in drops)
    assert not any(isinstance(layer, keras.layers.Dropout)
                   for layer in rx.build_mlp_with(2, (4,)).layers)
    with pytest.raises(ValueError, match=r"^dropout_rate must be .*\[0, 1\)"):
        rx.build_mlp_with(2, dropout_rate=1.0)


def test_mlp_penalty_runs(split):
    runs = rx.mlp_penalty_runs(split, [("l2", 0.0), ("l1", 1e-2)], epochs=2, batch_size=128)
    assert set(runs) == {("l2", 0.0), ("l1", 1e-2)}
    assert len(runs[("l1", 1e-2)].kernels) == 4
    assert runs[("l2", 0.0)].config == {"penalty": "l2", "lam": 0.0, "epochs": 2}


# --- dropout ------------------------------------------------------------------------------


def test_standard_errors():
    se_s, se_i = rx.standard_errors(np.array([2.0, -1.0]), 0.2, 100)
    np.testing.assert_allclose(se_s, [2 * 0.04, 0.04])
    np.testing.assert_allclose(se_i, se_s / 0.8)
    with pytest.raises(ValueError, match="^p must be"):
        rx.standard_errors([1.0], 1.0, 10)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_monte_carlo_means_and_variances(p):
    h = np.random.default_rng(0).uniform(0.2, 2, 8)
    mc = rx.dropout_monte_carlo(h, p, n=20_000, seed=1)
    assert mc.within(5.0)
    np.testing.assert_allclose(mc.survey_inference, (1 - p) * h)
    np.testing.assert_array_equal(mc.inverted_inference, h)
    np.testing.assert_allclose(mc.survey_z, mc.inverted_z)  # same masks
    np.testing.assert_allclose(mc.survey_var, h**2 * p * (1 - p), rtol=0.05)
    np.testing.assert_allclose(mc.inverted_var, h**2 * p / (1 - p), rtol=0.05)
    # a wrong expectation is caught: shift the survey mean by 10 standard errors
    mc.survey_mean = mc.survey_mean + 10 * mc.survey_se
    assert not mc.within(5.0)


def test_zero_activation_has_zero_error():
    mc = rx.dropout_monte_carlo(np.array([0.0, 1.0]), 0.3, n=100, seed=0)
    assert mc.survey_z[0] == 0.0 and mc.within()


def test_monte_carlo_error_shrinks_with_n():
    err = rx.monte_carlo_error_vs_n(1.0, 0.5, [100, 100_000], seed=0)
    assert err["survey_se"][1] == pytest.approx(err["survey_se"][0] / np.sqrt(1000))
    assert np.all(err["survey_error"] <= 5 * err["survey_se"])
    assert np.all(err["inverted_error"] <= 5 * err["inverted_se"])


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_keras_dropout_comparison(p):
    res = rx.keras_dropout_comparison(np.linspace(0.2, 2, 8), p, n=20_000)
    for key in ("inference_equal", "keras_mean_ok", "keep_ok", "survey_layer_mean_ok",
                "survey_layer_inference_equal"):
        assert res[key], key
    assert res["same_formula_max_rel"] < 1e-6


def _fake_run(train, val, acc):
    return Run(config={}, history={"data_loss": train, "val_loss": val, "val_accuracy": acc})


def test_rate_summary():
    runs = {(0.0, 0): _fake_run([0.5, 0.1], [0.5, 0.6], [0.8, 0.8]),
            (0.0, 1): _fake_run([0.5, 0.2], [0.4, 0.8], [0.7, 0.9]),
            (0.5, 0): _fake_run([0.5, 0.3], [0.5, 0.4], [0.8, 0.85]),
            (0.5, 1): _fake_run([0.5, 0.3], [0.5, 0.4], [0.8, 0.85])}
    s = rx.rate_summary(runs, [0.0, 0.5], [0, 1])
    np.testing.assert_allclose(s["final_val_loss"], [0.7, 0.4])
    np.testing.assert_allclose(s["final_val_loss_spread"], [0.2, 0.0])
    np.testing.assert_allclose(s["best_val_loss"], [0.45, 0.4])
    np.testing.assert_allclose(s["gap"], [0.55, 0.1])
    np.testing.assert_allclose(s["final_val_accuracy"], [0.85, 0.85])


@pytest.fixture(scope="module")
def moons():
    return rx.moons_dropout_sweep([0.0, 0.5], seeds=(0,), n_train=20, n_val=30, n_test=50,
                                  hidden_units=(8,), epochs=4, eval_every=2, grid_size=7)


def test_moons_dropout_sweep(moons):
    assert set(moons.runs) == {(0.0, 0), (0.5, 0)}
    assert moons.proba[(0.5, 0)].shape == (7, 7)
    assert np.all((moons.proba[(0.0, 0)] >= 0) & (moons.proba[(0.0, 0)] <= 1))
    assert moons.runs[(0.5, 0)].history["epoch"] == [1, 2, 4]
    assert 0 <= moons.test[(0.0, 0)]["accuracy"] <= 1
    assert moons.X_train.shape == (20, 2) and moons.X_val.shape == (30, 2)
    drops = [layer for layer in moons.runs[(0.5, 0)].model.layers
             if isinstance(layer, keras.layers.Dropout)]
    assert len(drops) == 1


def test_digits_cnn_placement_and_correlations():
    model = rx.build_digits_cnn(0.3, 0.0)
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in model.layers) == 2
    plain = rx.build_digits_cnn()
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in plain.layers)
    runs = rx.placement_runs({"none": (0.0, 0.0), "dense": (0.0, 0.3)}, seeds=(0,), n_train=40,
                             epochs=2)
    assert set(runs) == {("none", 0), ("dense", 0)}
    corr = rx.neighbour_correlations(runs[("none", 0)].model, data.digits_split().X_val[:100])
    assert -1 <= corr["dense"] <= 1 and -1 <= corr["conv"] <= 1


# --- plots ----------------------------------------------------------------------------------


def test_penalty_plots(sweeps):
    l2s, l1s, l1p = sweeps[("l2", "gradient")], sweeps[("l1", "gradient")], \
        sweeps[("l1", "proximal")]
    fig = rplots.penalty_shapes(0.5)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    fig = rplots.regularization_paths([l2s, l1s], highlight=["worst radius"])
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) >= 30
    assert len(rplots.norms_and_zeros([l2s, l1s, l1p]).axes) == 2
    assert len(rplots.loss_vs_lambda([l2s, l1s]).axes) == 1
    fig = rplots.weights_view(l1s, 0.1, reference=l1p)
    assert "λ = 0.1" in fig.axes[0].get_title()
    assert len(fig.axes[0].patches) >= 30  # one bar per weight


def test_mlp_and_dropout_plots(moons):
    run = Run(config={}, history={"epoch": [1, 2], "val_loss": [0.5, 0.4]})
    run.kernels = [np.array([[1e-5, 0.3], [0.0, -1.0]])]
    assert len(rplots.mlp_summary({"a": run}).axes) == 2
    err = rx.monte_carlo_error_vs_n(1.0, 0.5, [10, 100], seed=0)
    assert len(rplots.monte_carlo_convergence(err).axes) == 2
    fig = rplots.dropout_run_view(moons, 0.5)
    assert "p = 0.5" in fig.axes[0].get_title()
    summary = rx.rate_summary(moons.runs, moons.rates, moons.seeds)
    assert len(rplots.rate_summary_plot(summary, moons.test, moons.seeds).axes) == 2
    fake = {(n, s): _fake_run([0.1], [0.3 + s / 10], [0.9]) for n in ("a", "b") for s in (0, 1)}
    assert len(rplots.placement_plot(fake, ["a", "b"], [0, 1]).axes) == 2
