"""Experiments and plots of notebooks 04.04 (early stopping) and 04.06 (batch norm)."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

from surveykit import data
from surveykit.regularization import (
    batch_moments,
    early_stopping,
    es_bn_plots,
    update_running_stats,
)
from surveykit.regularization import es_bn_experiments as E


@pytest.fixture(scope="module")
def split():
    return data.breast_cancer_split(seed=0, fractions=(0.2, 0.4, 0.4))


def small_mlp():
    return E.build_normalized_mlp(30, (8,), norm=None)


def bn_mlp(momentum=0.9):
    return E.build_normalized_mlp(30, (8, 8), norm="batch", momentum=momentum)


# --- data -------------------------------------------------------------------------------------


def test_flip_labels_flips_exactly_the_requested_fraction():
    y = np.array([0, 1] * 50)
    noisy, flipped = E.flip_labels(y, 0.1, seed=3)
    assert flipped.sum() == 10 and np.all(noisy[flipped] == 1 - y[flipped])
    assert np.array_equal(noisy[~flipped], y[~flipped])
    y10 = np.arange(100) % 10
    noisy10, flipped10 = E.flip_labels(y10, 0.25, n_classes=10, seed=0)
    assert flipped10.sum() == 25 and np.all(noisy10[flipped10] != y10[flipped10])
    assert np.all((0 <= noisy10) & (noisy10 < 10))
    with pytest.raises(ValueError, match="^fraction must be"):
        E.flip_labels(y, 1.5)


def test_noisy_split_keeps_validation_and_test_clean(split):
    noisy, flipped = E.with_noisy_labels(split, 0.1, seed=0)
    assert flipped.sum() == round(0.1 * len(split.y_train))
    assert np.array_equal(noisy.y_val, split.y_val) and np.array_equal(noisy.y_test, split.y_test)
    assert np.array_equal(noisy.y_train[flipped], 1 - split.y_train[flipped])


# --- training ---------------------------------------------------------------------------------


def test_train_recorded_records_every_epoch_and_the_weights(split):
    run = E.train_recorded(small_mlp, split, optimizer=keras.optimizers.Adam(1e-2), epochs=4,
                           record_weights=True)
    assert set(run.history) == {"loss", "accuracy", "train_loss", "train_accuracy", "val_loss",
                                "val_accuracy", "test_loss", "test_accuracy"}
    assert all(len(v) == 4 for v in run.history.values()) and len(run.weights) == 4
    assert not run.diverged
    # the recorded numbers are those of the recorded weights
    model = small_mlp()
    model.set_weights(run.weights[2])
    loss, acc = E.evaluate(model, split.X_val, split.y_val)
    assert loss == pytest.approx(run.history["val_loss"][2], rel=1e-5)
    assert acc == pytest.approx(run.history["val_accuracy"][2])
    assert all(np.array_equal(a, b) for a, b in zip(run.weights[-1], run.model.get_weights(),
                                                    strict=True))


def test_same_arguments_same_run_and_a_reused_trainer_equals_fresh_runs(split):
    def build():
        return E.build_normalized_mlp(30, (8,), norm="batch", dropout=0.2)

    kw = dict(epochs=3, batch_size=16)
    a = E.train_recorded(build, split, optimizer=keras.optimizers.Adam(1e-2), **kw)
    b = E.train_recorded(build, split, optimizer=keras.optimizers.Adam(1e-2), **kw)
    assert a.history == b.history
    trainer = E.RecordingTrainer(build, split, optimizer=keras.optimizers.Adam(1e-3))
    trainer.run(epochs=2, learning_rate=3e-2, seed=5, batch_size=4)  # leaves state behind
    again = trainer.run(learning_rate=1e-2, **kw)
    assert again.history == a.history  # weights, dropout seeds and Adam's moments were reset
    other = E.train_recorded(build, split, optimizer=keras.optimizers.Adam(1e-2), seed=1, **kw)
    assert trainer.run(learning_rate=1e-2, seed=1, **kw).history == other.history


def test_initial_model_sets_the_starting_weights(split):
    trainer = E.RecordingTrainer(small_mlp, split, optimizer=keras.optimizers.SGD(0.1))
    zero = small_mlp()
    zero.set_weights([np.zeros_like(w) for w in zero.get_weights()])
    run = trainer.run(epochs=1, initial_model=zero)
    # all-zero weights: the hidden layer stays dead and only the output bias learns
    assert np.all(trainer.model.layers[0].kernel.numpy() == 0)
    assert run.history["loss"][0] == pytest.approx(np.log(2), abs=0.01)  # ≈ constant output
    with pytest.raises(ValueError, match="trainer's architecture"):
        trainer.run(epochs=1, initial_model=bn_mlp())


def test_divergence_is_detected_and_the_epoch_dropped(split):
    def build():
        return E.build_normalized_mlp(30, (64, 64), init_std=1.0)

    run = E.train_recorded(build, split, optimizer=keras.optimizers.SGD(10.0), epochs=3)
    assert run.diverged and run.diverged_at == 1 and run.epochs == 0
    assert not np.isfinite(run.bad_loss) or run.bad_loss > 1e6


def test_invalid_arguments(split):
    with pytest.raises(ValueError, match="^epochs must be"):
        E.train_recorded(small_mlp, split, optimizer=keras.optimizers.SGD(0.1), epochs=0)
    with pytest.raises(ValueError, match="^loss must be"):
        E.train_recorded(small_mlp, split, optimizer=keras.optimizers.SGD(0.1), epochs=1,
                         loss="hinge")
    with pytest.raises(ValueError, match="^norm must be"):
        E.build_normalized_mlp(30, norm="group")
    with pytest.raises(ValueError, match="^placement must be"):
        E.build_normalized_mlp(30, norm="batch", placement="inside")
    with pytest.raises(ValueError, match="^dropout must be"):
        E.build_normalized_mlp(30, dropout=1.0)


# --- early stopping -----------------------------------------------------------------------------


class _FakeRun:
    def __init__(self, val_loss):
        n = len(val_loss)
        acc = [0.5 + 0.01 * ((7 * e) % 5) for e in range(n)]
        self.history = {"val_loss": val_loss, "val_accuracy": acc,
                        "test_loss": [2 * v for v in val_loss], "test_accuracy": acc}
        self.weights = [[np.full((2, 2), float(e)), np.full(3, -float(e))] for e in range(n)]


def test_keras_replay_agrees_with_the_rule():
    run = _FakeRun([1.0, 0.8, 0.6, 0.5, 0.55, 0.7, 0.5, 0.9, 1.2, 1.5])
    settings = [dict(monitor=m, patience=p, min_delta=d)
                for m in ("val_loss", "val_accuracy") for p in range(6) for d in (0.0, 0.05)]
    rows = E.compare_with_keras_early_stopping(run, settings)
    assert len(rows) == len(settings) and all(r["agree"] for r in rows)
    replay = E.replay_keras_early_stopping(run.history, run.weights, patience=2,
                                           restore_best_weights=True)
    assert (replay.epochs_run, replay.stopped_epoch, replay.best_epoch) == (6, 5, 3)
    assert replay.weights[0][0, 0] == 3.0
    with pytest.raises(ValueError, match="one entry per epoch"):
        E.replay_keras_early_stopping(run.history, run.weights[:3])


def test_outcomes_per_patience():
    run = _FakeRun([1.0, 0.8, 0.6, 0.5, 0.55, 0.7, 0.45, 0.9, 1.2, 1.5])
    out = E.early_stopping_outcomes(run.history, [0, 1, 2, 3, 10])
    assert out["stopped"].tolist() == [4, 4, 5, 9, -1]
    assert out["restored"].tolist() == [3, 3, 3, 6, 6]
    assert out["test_loss"].tolist() == [1.0, 1.0, 1.0, 0.9, 0.9]
    assert out["final_test_loss"] == 3.0 and out["total_epochs"] == 10


# --- batch norm ---------------------------------------------------------------------------------


def test_gradient_errors_are_tiny():
    errors = E.batchnorm_gradient_errors((6, 3), seed=0)
    assert set(errors) == {"x", "gamma", "beta"} and max(errors.values()) < 1e-7


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-12), ("float32", 5e-5)])
def test_keras_comparison_reports_small_errors(dtype, tol):
    err = E.compare_with_keras_batchnorm((8, 3), momentum=0.9, eps=1e-5, steps=3, dtype=dtype)
    assert max(err.values()) < tol, err


def test_normalized_mlp_layer_order():
    def kinds(model):
        return [type(layer).__name__ for layer in model.layers]

    before = E.build_normalized_mlp(4, (3,), norm="batch", dropout=0.1)
    assert kinds(before) == ["Dense", "BatchNormalization", "Activation", "Dropout", "Dense"]
    assert before.layers[0].use_bias is False  # β replaces the bias
    after = E.build_normalized_mlp(4, (3,), norm="layer", placement="after")
    assert kinds(after) == ["Dense", "Activation", "LayerNormalization", "Dense"]
    assert after.layers[0].use_bias is True
    assert kinds(E.build_normalized_mlp(4, (3, 3))) == ["Dense", "Activation"] * 2 + ["Dense"]
    assert before.layers[1].momentum == 0.9


def test_recorded_statistics_and_their_replay(split):
    keras.utils.set_random_seed(0)
    model = bn_mlp(momentum=0.0)
    stats = E.record_batch_statistics(model, split, optimizer=keras.optimizers.SGD(0.1),
                                      epochs=2, batch_size=32)
    steps = 2 * -(-len(split.y_train) // 32)
    assert len(stats) == 2 and stats[0].means.shape == (steps, 8)
    assert stats[0].steps_per_epoch == steps // 2
    # the first layer's input is a bias-free linear map of standardized data: mean 0
    assert np.allclose(stats[0].population_mean, 0, atol=1e-5)
    mean, var = E.replay_running_stats(stats[1], 0.0)  # ρ = 0: the last batch's statistics
    np.testing.assert_array_equal(mean, stats[1].means)
    m, v = np.zeros(8), np.ones(8)
    for mu_b, var_b in zip(stats[1].means, stats[1].variances, strict=True):
        m, v = update_running_stats(m, v, mu_b, var_b, 0.9)
    np.testing.assert_allclose(E.replay_running_stats(stats[1], 0.9)[0][-1], m)
    np.testing.assert_allclose(E.replay_running_stats(stats[1], 0.9)[1][-1], v)
    before = [w.copy() for w in model.get_weights()]
    loss, acc = E.inference_with_running_stats(model, stats, 0.5, split.X_val, split.y_val)
    assert np.isfinite(loss) and 0 <= acc <= 1
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    with pytest.raises(ValueError, match="momentum=0.0"):
        E.record_batch_statistics(bn_mlp(0.9), split, optimizer=keras.optimizers.SGD(0.1),
                                  epochs=1)
    with pytest.raises(ValueError, match="no BatchNormalization"):
        E.record_batch_statistics(small_mlp(), split, optimizer=keras.optimizers.SGD(0.1),
                                  epochs=1)


def test_population_statistics_are_those_of_the_full_training_set(split):
    keras.utils.set_random_seed(0)
    model = bn_mlp(momentum=0.0)
    stats = E.record_batch_statistics(model, split, optimizer=keras.optimizers.SGD(0.1),
                                      epochs=1)
    first_dense = model.layers[0]
    h = np.asarray(first_dense(split.X_train), float)
    mu, var = batch_moments(h)
    np.testing.assert_allclose(stats[0].population_mean, mu, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(stats[0].population_variance, var, rtol=1e-5, atol=1e-6)


def test_train_inference_gap(split):
    run = E.train_recorded(bn_mlp, split, optimizer=keras.optimizers.SGD(0.1), epochs=2)
    before = [v.numpy().copy() for v in run.model.variables]
    gap = E.train_inference_gap(run.model, split.X_train, split.y_train, batch_size=4)
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(before, run.model.variables,
                                                            strict=True))
    assert gap["inference_loss"] == pytest.approx(run.history["train_loss"][-1], rel=1e-5)
    ln = E.train_recorded(lambda: E.build_normalized_mlp(30, (8,), norm="layer"), split,
                          optimizer=keras.optimizers.SGD(0.1), epochs=1)
    ln_gap = E.train_inference_gap(ln.model, split.X_train, split.y_train, batch_size=2)
    assert ln_gap["train_mode_loss"] == pytest.approx(ln_gap["inference_loss"], rel=1e-5)


# --- plots --------------------------------------------------------------------------------------


def test_plots_draw_what_they_are_given():
    run = _FakeRun([1.0, 0.8, 0.6, 0.5, 0.55, 0.7, 0.45, 0.9, 1.2, 1.5])
    h = {**run.history, "train_loss": [0.5] * 10, "train_accuracy": [0.9] * 10}
    result = early_stopping(h, patience=2, restore_best_weights=True)
    fig = es_bn_plots.early_stopping_view(h, result)
    assert isinstance(fig, Figure)
    assert "stops after epoch 5" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    fig = es_bn_plots.early_stopping_view(h, early_stopping(h, monitor="val_accuracy"),
                                          monitor="val_accuracy")
    assert fig.axes[0].get_ylabel() == "accuracy"
    out = E.early_stopping_outcomes(h, range(5))
    assert isinstance(es_bn_plots.patience_sweep_plot({"a": out, "b": out}), Figure)
    x = np.random.default_rng(0).normal(size=(6, 3))
    assert len(es_bn_plots.normalization_steps_plot(x, x, x).axes) == 3
    stats = E.BatchStatistics(np.zeros((5, 3)), np.ones((5, 3)), np.zeros(3), np.ones(3), 5)
    fig = es_bn_plots.running_stats_view(stats, 0.9, features=(0, 2), accuracy=0.5)
    assert "0.500" in fig.axes[1].get_title()
    rows = [{"norm": "batch norm", "batch_size": 2, "train_mode_loss": 0.5,
             "inference_loss": 0.2, "val_accuracy": 0.9}]
    assert isinstance(es_bn_plots.small_batch_plot(rows), Figure)


def test_learning_rate_plot_marks_diverged_runs():
    from surveykit.training import Run

    ok = Run(config={}, history={"val_loss": [0.5, 0.3]})
    bad = Run(config={}, history={"val_loss": []}, diverged=True, diverged_at=1, bad_loss=1e9)
    fig = es_bn_plots.metric_vs_learning_rate([0.1, 1.0], {"plain": [ok, bad]})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["plain", "plain: diverged"]
    line = fig.axes[0].get_lines()[0]
    assert list(line.get_xdata()) == [0.1] and list(line.get_ydata()) == [0.3]
