"""Early stopping (survey §4.4): our rule and callback against keras.callbacks.EarlyStopping.

Keras' callback is driven epoch by epoch over a recorded history with a fake model whose
weights are set to a distinct value each epoch, so that "which weights were restored"
identifies an epoch; one test drives both callbacks inside a real ``model.fit``.
"""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveykit.regularization import (
    EarlyStoppingCallback,
    EarlyStoppingRule,
    early_stopping,
    resolve_mode,
)


class FakeModel:
    """Just what EarlyStopping touches: get/set_weights and stop_training."""

    def __init__(self):
        self.stop_training = False
        self._weights = None

    def get_weights(self):
        return [w.copy() for w in self._weights]

    def set_weights(self, weights):
        self._weights = [np.array(w) for w in weights]


def epoch_weights(n):
    """Distinct weights per epoch: epoch e's weights are filled with e."""
    return [[np.full((2, 2), float(e)), np.full(3, -float(e))] for e in range(n)]


def drive(callback, values, monitor="val_loss", cast=float):
    """Run a callback over recorded values; returns (epochs run, final weights epoch)."""
    model = FakeModel()
    weights = epoch_weights(len(values))
    callback.set_model(model)
    callback.on_train_begin()
    epochs = 0
    for epoch, value in enumerate(values):
        model.set_weights(weights[epoch])
        callback.on_epoch_end(epoch, {monitor: cast(value)})
        epochs += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return epochs, model.get_weights()[0][0, 0]


def keras_callback(**kw):
    return keras.callbacks.EarlyStopping(**kw)


def ours_callback(**kw):
    kw = dict(kw)
    monitor = kw.pop("monitor", "val_loss")
    return EarlyStoppingCallback(monitor, **kw)


def assert_all_agree(values, monitor="val_loss", cast=float, **kw):
    """Pure function, our callback and Keras' callback: same stop, same weights."""
    kw.setdefault("restore_best_weights", True)
    result = early_stopping(values, monitor=monitor, weights=epoch_weights(len(values)), **kw)
    k_cb, o_cb = keras_callback(monitor=monitor, **kw), ours_callback(monitor=monitor, **kw)
    k_epochs, k_restored = drive(k_cb, values, monitor, cast)
    o_epochs, o_restored = drive(o_cb, values, monitor, cast)
    assert result.epochs_run == k_epochs == o_epochs, (result, k_epochs, o_epochs)
    keras_stopped = k_cb.stopped_epoch if k_cb.stopped_epoch > 0 else None
    assert result.stopped_epoch == keras_stopped == o_cb.stopped_epoch
    assert result.restored_epoch == k_restored == o_restored
    assert result.weights[0][0, 0] == result.restored_epoch
    if kw["restore_best_weights"] and result.best_epoch is not None:  # Keras says 0 if None
        assert result.best_epoch == k_cb.best_epoch == o_cb.best_epoch
    return result


# Recorded histories, each with what the rule must do (stopped_epoch, restored_epoch).
CASES = {
    # U-shaped validation loss: best at epoch 3, patience 2 → stop after epoch 5.
    "overfitting": ([1.0, 0.8, 0.6, 0.5, 0.55, 0.7, 0.9, 1.2], dict(patience=2), 5, 3),
    # A plateau: equal values are not improvements (strict <).
    "plateau": ([1.0, 0.5, 0.5, 0.5, 0.5, 0.5], dict(patience=3), 4, 1),
    # Improves again within patience: the wait counter resets.
    "late improvement": ([1.0, 0.9, 0.95, 0.97, 0.85, 0.9, 0.9, 0.9],
                         dict(patience=3), 7, 4),
    # Patience 0: stop at the first epoch without improvement.
    "patience 0": ([1.0, 0.75, 0.75, 0.5], dict(patience=0), 2, 1),
    # Never stops: monotone decrease; the best (last) weights are restored.
    "no stop": ([1.0, 0.75, 0.5, 0.25], dict(patience=1), None, 3),
    # min_delta: an improvement of exactly min_delta does not count (0.75 + 0.25 = 1.0)…
    "min_delta equal": ([1.0, 0.75, 0.5, 0.25], dict(patience=0, min_delta=0.25), 1, 0),
    # …one by more than min_delta does (0.5 + 0.25 < 1.0), one by less does not.
    "min_delta more": ([1.0, 0.5, 0.375, 0.125], dict(patience=0, min_delta=0.25), 2, 1),
    # min_delta with patience: small steps below min_delta accumulate no credit.
    "min_delta creep": ([1.0, 0.875, 0.75, 0.625, 0.5, 0.375],
                        dict(patience=2, min_delta=0.25), 2, 0),
    # max mode (accuracy): stops when the accuracy stops increasing.
    "max mode": ([0.5, 0.625, 0.75, 0.75, 0.6875, 0.8], dict(mode="max", patience=2), 4, 2),
    "max mode min_delta": ([0.5, 0.75, 0.875, 1.0], dict(mode="max", patience=0,
                                                          min_delta=0.125), 2, 1),
    # baseline: improvements that do not beat the baseline don't reset the wait counter.
    # (Without the baseline this history would not stop: 0.8 improves on 0.9 in time.)
    # An improvement always returns before the patience test, so a history that keeps
    # improving never stops, baseline or not.
    "baseline not reached": ([1.0, 0.9, 0.9, 0.8, 0.8], dict(patience=2, baseline=0.5), 2, 1),
    "baseline, improving": ([1.0, 0.9, 0.8, 0.7, 0.6], dict(patience=1, baseline=0.5),
                            None, 4),
    "baseline reached": ([1.0, 0.4, 0.45, 0.5, 0.3], dict(patience=2, baseline=0.5), 3, 1),
    # Warm-up: the first epochs are not monitored.
    "start_from_epoch": ([1.0, 2.0, 3.0, 2.5, 2.75, 2.8], dict(patience=1,
                                                              start_from_epoch=2), 4, 3),
    # restore_best_weights=False: the last weights stay.
    "no restore": ([1.0, 0.5, 0.75, 0.8], dict(patience=1, restore_best_weights=False), 2, 2),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_recorded_histories_stop_and_restore_like_keras(case):
    values, kw, stopped, restored = CASES[case]
    monitor = "val_accuracy" if kw.get("mode") == "max" else "val_loss"
    result = assert_all_agree(values, monitor=monitor, **kw)
    assert (result.stopped_epoch, result.restored_epoch) == (stopped, restored)


histories = st.lists(st.sampled_from([0.25, 0.5, 0.5625, 0.625, 0.75, 1.0, 1.25]),
                     min_size=1, max_size=25)


@settings(max_examples=150, deadline=None)
@given(values=histories, patience=st.integers(0, 5),
       min_delta=st.sampled_from([0.0, 0.0625, 0.125, 0.25]),
       mode=st.sampled_from(["min", "max"]),
       baseline=st.none() | st.sampled_from([0.5, 0.75]),
       start=st.integers(0, 3), restore=st.booleans())
def test_random_histories_agree_with_keras(values, patience, min_delta, mode, baseline,
                                           start, restore):
    # Dyadic values: every v ± min_delta is exact in float32 and float64 alike.
    assert_all_agree(values, patience=patience, min_delta=min_delta, mode=mode,
                     baseline=baseline, start_from_epoch=start, restore_best_weights=restore)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(0, 2, allow_nan=False), min_size=1, max_size=20),
       patience=st.integers(0, 4), min_delta=st.floats(0, 0.2, allow_nan=False))
def test_arbitrary_float64_histories_agree_with_keras_fed_float64(values, patience, min_delta):
    # Fed numpy float64 logs, Keras compares in float64 too and agrees on any values.
    assert_all_agree(values, patience=patience, min_delta=min_delta, cast=np.float64)


def test_keras_compares_python_floats_in_float32():
    """Documented difference: Keras' ops.less turns Python floats into float32 tensors."""
    values = [1.0, 1.0 - 1e-9, 1.0 - 2e-9]  # improvements far below float32 resolution
    ours = early_stopping(values, patience=0)
    k_epochs, _ = drive(keras_callback(patience=0), values)
    assert ours.stopped_epoch is None and ours.epochs_run == 3  # float64: both improve
    assert k_epochs == 2  # float32: 1 − 1e-9 rounds to 1.0, no improvement, stop
    # With float64 logs Keras agrees with us.
    assert drive(keras_callback(patience=0), values, cast=np.float64)[0] == 3


def test_nan_and_missing_values():
    # NaN is never an improvement; a missing value (None) is skipped.
    assert early_stopping([1.0, float("nan"), 0.5], patience=2).best_epoch == 2
    assert early_stopping([1.0, float("nan"), float("nan")], patience=1).stopped_epoch == 1
    assert early_stopping([1.0, None, None, 0.9], patience=0).stopped_epoch is None
    assert_all_agree([1.0, float("nan"), 0.9, float("nan"), float("nan")], patience=1)


def test_history_dict_and_wait_counter():
    history = {"loss": [1.0, 0.5, 0.25, 0.2], "val_loss": [1.0, 0.8, 0.9, 0.95]}
    result = early_stopping(history, patience=2)  # monitor defaults to "val_loss"
    assert result.waits == (0, 0, 1, 2) and result.stopped_epoch == 3
    assert early_stopping(history, monitor="loss", patience=2).stopped_epoch is None
    with pytest.raises(ValueError, match="monitor='val_accuracy' is not in the history"):
        early_stopping(history, monitor="val_accuracy")


@pytest.mark.parametrize("monitor, expected", [
    ("loss", "min"), ("val_loss", "min"), ("val_mse", "min"),
    ("accuracy", "max"), ("val_accuracy", "max"), ("val_binary_accuracy", "max"),
    ("val_auc", "max"),
])
def test_auto_mode_reads_the_direction_from_the_name(monitor, expected):
    assert resolve_mode(monitor) == expected
    assert resolve_mode(monitor, "max") == "max"


def test_inside_model_fit_with_val_accuracy_in_auto_mode():
    """Both callbacks in a real fit; a first callback replaces the logs and the weights."""
    accuracy = [0.5, 0.625, 0.75, 0.75, 0.6875, 0.625, 0.875, 0.9]

    class Replay(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            logs["val_accuracy"] = accuracy[epoch]
            self.model.set_weights([np.full((2, 1), epoch, "float32"),
                                    np.full((1,), -epoch, "float32")])
            self.epochs += 1

    def run(early):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, "sigmoid")])
        model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
        x = np.zeros((4, 2), "float32")
        y = np.array([0, 1, 0, 1], "float32")
        replay = Replay()
        model.fit(x, y, validation_data=(x, y), epochs=len(accuracy), verbose=0,
                  callbacks=[replay, early])
        return replay.epochs, float(model.get_weights()[0][0, 0])

    kw = dict(monitor="val_accuracy", patience=2, restore_best_weights=True)  # mode auto
    expected = early_stopping(accuracy, **kw)
    assert (expected.epochs_run, expected.restored_epoch) == (5, 2)
    assert run(keras.callbacks.EarlyStopping(**kw)) == (5, 2.0)
    assert run(EarlyStoppingCallback(**kw)) == (5, 2.0)


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("kw, name", [
    (dict(patience=-1), "patience"),
    (dict(patience=1.5), "patience"),
    (dict(min_delta=-0.1), "min_delta"),
    (dict(mode="up"), "mode"),
    (dict(baseline=float("nan")), "baseline"),
    (dict(start_from_epoch=-2), "start_from_epoch"),
])
def test_invalid_hyperparameters_raise(kw, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        early_stopping([1.0, 0.5], **kw)
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        EarlyStoppingCallback(**kw)


def test_auto_mode_on_an_unknown_metric_asks_for_a_mode():
    with pytest.raises(ValueError, match="pass mode='min' or mode='max'"):
        early_stopping([1.0], monitor="val_perplexity_ratio_x")
    assert EarlyStoppingRule(mode="max").is_improvement(0.6, 0.5)


def test_weights_must_cover_the_history():
    with pytest.raises(ValueError, match="one entry per epoch"):
        early_stopping([1.0, 0.5, 0.4], weights=[0, 1])
