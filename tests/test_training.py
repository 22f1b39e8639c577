"""Training helpers: divergence is detected and reported, runs are reproducible."""

import keras
import numpy as np
import pytest

from surveykit import data, models, plots, training


@pytest.fixture(scope="module")
def split():
    return data.breast_cancer_split(seed=0)


def _small():
    return models.build_mlp(30, (8,))


def test_survey_architecture_has_the_expected_parameter_count():
    model = models.build_mlp(30)
    assert [layer.units for layer in model.layers] == [128, 64, 32, 1]
    assert model.count_params() == (30 * 128 + 128) + (128 * 64 + 64) + (64 * 32 + 32) + (32 + 1)
    assert model.layers[-1].activation.__name__ == "sigmoid"


@pytest.mark.parametrize(
    "kwargs, name",
    [(dict(input_dim=0), "input_dim"), (dict(input_dim=3, hidden_units=(4, 0)), "hidden_units"),
     (dict(input_dim=3, activation="swishy"), "activation")],
)
def test_build_mlp_validates(kwargs, name):
    with pytest.raises(ValueError, match=name):
        models.build_mlp(**kwargs)


def test_a_normal_run_is_reproducible_and_not_diverged(split):
    runs = [training.fit(_small, split, optimizer=keras.optimizers.SGD(0.05), epochs=3, seed=4)
            for _ in range(2)]
    assert not runs[0].diverged and runs[0].epochs == 3
    assert runs[0].history == runs[1].history
    assert set(runs[0].history) >= {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert runs[0].history["loss"][-1] < runs[0].history["loss"][0]


def test_a_diverging_run_is_stopped_and_reported(split):
    run = training.fit(lambda: models.build_mlp(30), split,
                       optimizer=keras.optimizers.SGD(50.0), epochs=5, seed=0)
    assert run.diverged and run.diverged_at == 1
    assert run.epochs == 0  # no finished epoch is kept from a diverged one
    assert run.bad_loss is not None and not (np.isfinite(run.bad_loss) and run.bad_loss <= 1e6)
    assert "diverged in epoch 1" in run.status()
    assert np.isnan(run.final("loss"))


def test_divergence_detector_catches_nan_and_threshold():
    det = training.DivergenceDetector(max_loss=10.0)

    class FakeModel:
        stop_training = False

    det.set_model(FakeModel())
    det.on_epoch_begin(2)
    det.on_train_batch_end(0, {"loss": 3.0})
    assert det.diverged_at is None and not det.model.stop_training
    det.on_train_batch_end(1, {"loss": float("nan")})
    assert det.diverged_at == 3 and det.model.stop_training
    det2 = training.DivergenceDetector(max_loss=10.0)
    det2.set_model(FakeModel())
    det2.on_epoch_begin(0)
    det2.on_train_batch_end(0, {"loss": 11.0})
    assert det2.diverged_at == 1 and det2.bad_loss == 11.0
    with pytest.raises(ValueError, match="max_loss"):
        training.DivergenceDetector(max_loss=0)


def test_plots_mark_diverged_runs_instead_of_drawing_nan():
    good = training.Run({"lr": 0.1}, {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    bad = training.Run({"lr": 9}, {"loss": [2.0], "val_loss": [3.0]}, diverged=True,
                       diverged_at=2, bad_loss=float("inf"))
    fig = plots.learning_curves([good, bad], labels=["good", "bad"])
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "bad — diverged in epoch 2" in labels
    for line in ax.lines:
        assert np.all(np.isfinite(np.asarray(line.get_ydata(), float)))
    fig2 = plots.metric_vs_hyperparameter([0.1, 9], [good, bad], name="η")
    marked = [line for line in fig2.axes[0].lines if line.get_label() == "diverged"]
    assert len(marked) == 1 and list(marked[0].get_xdata()) == [9.0]


def test_extra_callbacks_see_every_epoch_and_can_stop_training(split):
    seen = []

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, float(logs["val_loss"])))

    class StopAfterTwo(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    run = training.fit(_small, split, optimizer=keras.optimizers.SGD(0.05), epochs=5, seed=4,
                       callbacks=[Record(), StopAfterTwo()])
    assert run.epochs == 2 and not run.diverged
    assert [e for e, _ in seen] == [0, 1]
    assert [v for _, v in seen] == run.history["val_loss"]
