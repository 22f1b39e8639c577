"""Experiments of notebooks 04.04 (early stopping, §4.4) and 04.06 (batch norm, §4.6–4.8).

Pure functions: they train, replay or measure and return results; the plots in
:mod:`surveykit.regularization.es_bn_plots` draw from those results. The early-stopping
rule is :func:`surveykit.regularization.early_stopping`, the batch-norm formulas those of
:mod:`surveykit.regularization.batchnorm`; nothing here redefines them.

- :func:`train_recorded` trains a Keras model with a compiled epoch loop (the same
  mini-batch updates as ``model.fit``, much faster on these small problems) and records,
  after every epoch, the losses and accuracies on the training, validation and test parts
  and optionally the weights — what early stopping needs to be applied afterwards to the
  recorded run, for every patience, without retraining.
- :func:`replay_keras_early_stopping` drives ``keras.callbacks.EarlyStopping`` itself over
  such a recorded run, so that its decisions can be compared with surveykit's rule.
- :func:`build_normalized_mlp` builds the MLPs of the batch-norm demonstrations (no
  normalization, batch norm or layer norm; before or after the activation; dropout).
- :func:`record_batch_statistics` and :func:`replay_running_stats` separate the running
  statistics from training (they never influence it), so that the momentum ρ can be
  varied after the fact.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .. import gradcheck
from ..validation import check_choice, check_int, check_range
from .batchnorm import BatchNorm, batchnorm_backward, batchnorm_forward, update_running_stats
from .early_stopping import early_stopping, resolve_mode

__all__ = [
    "flip_labels",
    "with_noisy_labels",
    "RecordingTrainer",
    "train_recorded",
    "evaluate",
    "KerasReplay",
    "replay_keras_early_stopping",
    "compare_with_keras_early_stopping",
    "early_stopping_outcomes",
    "batchnorm_gradient_errors",
    "compare_with_keras_batchnorm",
    "build_normalized_mlp",
    "BatchStatistics",
    "record_batch_statistics",
    "replay_running_stats",
    "inference_with_running_stats",
    "train_inference_gap",
]

_LOSSES = ("binary_crossentropy", "sparse_categorical_crossentropy")


# --------------------------------------------------------------------------- data


def flip_labels(y, fraction: float, *, n_classes: int = 2, seed: int = 0):
    """Label noise: exactly ``round(fraction · n)`` labels changed to another class.

    The examples to corrupt are drawn without replacement; a binary label becomes
    1 − y, a multi-class label a different class drawn uniformly. Returns
    ``(noisy_y, flipped)`` with ``flipped`` the boolean mask of the changed examples.
    """
    fraction = check_range("fraction", fraction, 0.0, 1.0)
    n_classes = check_int("n_classes", n_classes, low=2)
    y = np.asarray(y)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    n_flip = int(round(fraction * y.size))
    flipped = np.zeros(y.size, bool)
    flipped[rng.choice(y.size, n_flip, replace=False)] = True
    noisy = y.copy()
    if n_classes == 2:
        noisy[flipped] = 1 - y[flipped]
    else:
        noisy[flipped] = (y[flipped] + rng.integers(1, n_classes, n_flip)) % n_classes
    return noisy, flipped


def with_noisy_labels(split, fraction: float, *, seed: int = 0):
    """A copy of a :class:`surveykit.data.Split` whose *training* labels carry noise.

    Validation and test labels stay clean. Returns ``(noisy_split, flipped)``.
    """
    n_classes = int(max(split.classes.max() + 1, 2))
    y_noisy, flipped = flip_labels(split.y_train, fraction, n_classes=n_classes, seed=seed)
    return dataclasses.replace(split, y_train=y_noisy), flipped


# --------------------------------------------------------------------------- training


def _loss_object(loss: str):
    import keras

    loss = check_choice("loss", loss, _LOSSES)
    if loss == "binary_crossentropy":
        return keras.losses.BinaryCrossentropy()
    return keras.losses.SparseCategoricalCrossentropy()


def _targets(y, loss: str) -> np.ndarray:
    y = np.asarray(y)
    if loss == "sparse_categorical_crossentropy":
        return y.astype("int64")
    return y.astype("float32").reshape(-1, 1)


@contextlib.contextmanager
def _quiet_retracing():
    """Silence TensorFlow's "triggered tf.function retracing" warning for the block.

    Every run builds a new model and so traces a new function by design; the warning
    (on the ``tensorflow`` Python logger) would otherwise land in notebook outputs.
    """
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _hits(out, t, loss: str):
    import tensorflow as tf

    if loss == "sparse_categorical_crossentropy":
        return tf.cast(tf.equal(tf.argmax(out, axis=-1), t), "float32")
    return tf.cast(tf.equal(tf.cast(out > 0.5, "float32"), t), "float32")


class RecordingTrainer:
    """Train one Keras architecture many times, recording every epoch (see
    :func:`train_recorded`); the compiled epoch loop is traced once per trainer.

    On these small problems tracing a ``tf.function`` costs more than 20 epochs of
    training, so sweeps over the learning rate, the initialization, the seed or the batch
    size reuse one trainer: :meth:`run` resets every variable of the model (weights,
    moving statistics, dropout seed states) to those of a freshly built one and the
    optimizer's state to zero, then trains. A run is identical to a fresh
    :func:`train_recorded` call with the same arguments (tested).

    ``build_model`` builds the architecture (seed Keras before, as :meth:`run` does);
    ``optimizer`` is a Keras optimizer used for every run (its learning rate can be
    changed per run); ``loss`` is "binary_crossentropy" or
    "sparse_categorical_crossentropy".
    """

    _KEYS = ("loss", "accuracy", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
             "test_loss", "test_accuracy")

    def __init__(self, build_model: Callable[[], object], split, *, optimizer,
                 loss: str = "binary_crossentropy"):
        import keras
        import tensorflow as tf

        self.build_model = build_model
        self.optimizer = optimizer
        self.loss = check_choice("loss", loss, _LOSSES)
        keras.utils.set_random_seed(0)
        self.model = model = build_model()
        loss_fn = _loss_object(loss)
        data = {part: (tf.constant(np.asarray(getattr(split, f"X_{part}"), "float32")),
                       tf.constant(_targets(getattr(split, f"y_{part}"), loss)))
                for part in ("train", "val", "test")}
        X, y = data["train"]
        self.n = n = int(X.shape[0])

        def train_epoch(order, batch_size, max_loss):
            n_batches = (n + batch_size - 1) // batch_size
            total_loss, total_hits = tf.constant(0.0), tf.constant(0.0)
            worst = tf.constant(0.0)
            for i in tf.range(n_batches):
                idx = order[i * batch_size: tf.minimum((i + 1) * batch_size, n)]
                xb, yb = tf.gather(X, idx), tf.gather(y, idx)
                with tf.GradientTape() as tape:
                    out = model(xb, training=True)
                    objective = loss_fn(yb, out)
                    if model.losses:
                        objective = objective + tf.add_n(model.losses)
                grads = tape.gradient(objective, model.trainable_variables)
                optimizer.apply(grads, model.trainable_variables)
                size = tf.cast(tf.shape(idx)[0], "float32")
                total_loss += objective * size
                total_hits += tf.reduce_sum(_hits(out, yb, loss))
                bad = tf.logical_not(tf.math.is_finite(objective))
                worst = tf.where(bad, tf.constant(math.inf), tf.maximum(worst, objective))
                if worst > max_loss:
                    break
            return total_loss / n, total_hits / n, worst

        @tf.function
        def epoch_and_evaluate(order, batch_size, max_loss):
            mean_loss, mean_acc, worst = train_epoch(order, batch_size, max_loss)
            values = [mean_loss, mean_acc]
            for part in ("train", "val", "test"):
                x, t = data[part]
                out = model(x, training=False)
                values += [loss_fn(t, out), tf.reduce_mean(_hits(out, t, loss))]
            return tf.stack(values), worst

        self._epoch = epoch_and_evaluate

    def _reset(self, seed: int, learning_rate, initial_model):
        import keras

        if initial_model is None:
            keras.utils.set_random_seed(seed)
            initial_model = self.build_model()
        source = initial_model.variables
        if len(source) != len(self.model.variables):
            raise ValueError("initial_model must have the trainer's architecture")
        for var, value in zip(self.model.variables, source, strict=True):
            var.assign(value)
        lr_var = getattr(self.optimizer, "_learning_rate", None)
        for var in self.optimizer.variables:
            if var is not lr_var and not var.path.endswith("learning_rate"):
                var.assign(np.zeros(var.shape, var.dtype))
        if learning_rate is not None:
            self.optimizer.learning_rate = check_range("learning_rate", learning_rate, 0.0,
                                                       low_closed=False)

    def run(self, *, epochs: int, batch_size: int = 32, seed: int = 0,
            learning_rate: float | None = None, initial_model=None,
            record_weights: bool = False, max_loss: float = 1e6, config: dict | None = None):
        """Reset and train; return a :class:`surveykit.training.Run` (see
        :func:`train_recorded` for what it records).

        The model starts from ``build_model()`` built after
        ``keras.utils.set_random_seed(seed)``, or from the variables of ``initial_model``
        (a model of the same architecture, e.g. built with another initializer); the
        batches are permutations drawn from ``numpy.random.default_rng(seed)``;
        ``learning_rate``, if given, replaces the optimizer's.
        """
        import tensorflow as tf

        from ..training import Run

        epochs = check_int("epochs", epochs, low=1)
        batch_size = check_int("batch_size", batch_size, low=1)
        max_loss = check_range("max_loss", max_loss, 0.0, low_closed=False)
        seed = check_int("seed", seed, low=0)
        self._reset(seed, learning_rate, initial_model)
        rng = np.random.default_rng(seed)
        history: dict[str, list[float]] = {k: [] for k in self._KEYS}
        weights = [] if record_weights else None
        diverged_at, bad_loss = None, None
        for epoch in range(epochs):
            with _quiet_retracing():
                values, worst = self._epoch(tf.constant(rng.permutation(self.n), "int32"),
                                            tf.constant(batch_size, "int32"),
                                            tf.constant(max_loss, "float32"))
            worst = float(worst)
            if not worst <= max_loss:
                diverged_at, bad_loss = epoch + 1, worst
                break
            for key, value in zip(self._KEYS, values.numpy().tolist(), strict=True):
                history[key].append(value)
            if record_weights:
                weights.append(self.model.get_weights())
        run = Run(config=dict(config or {}), history=history,
                  diverged=diverged_at is not None, diverged_at=diverged_at, bad_loss=bad_loss)
        run.model = self.model
        run.weights = weights
        return run


def train_recorded(
    build_model: Callable[[], object],
    split,
    *,
    optimizer,
    epochs: int,
    batch_size: int = 32,
    loss: str = "binary_crossentropy",
    seed: int = 0,
    record_weights: bool = False,
    max_loss: float = 1e6,
    config: dict | None = None,
):
    """Train a Keras model on ``split`` and record every epoch; return a training ``Run``.

    One epoch is the mini-batch update of ``model.fit``: the batches of a fresh
    permutation of the training part (drawn from ``numpy.random.default_rng(seed)``; the
    last batch may be smaller), the gradient of the mean loss in training mode (batch
    statistics, dropout active) plus the layers' penalties, applied by ``optimizer``; it
    runs as one compiled ``tf.function``, which on these small models is ~30× faster than
    ``fit`` (whose per-epoch overhead dominates). Keras is seeded with ``seed`` before
    the model is built. (:class:`RecordingTrainer` does the work; use it directly to
    train one architecture many times without tracing it again.)

    ``run.history`` holds, per epoch:

    - ``loss``, ``accuracy``: the training part in *training mode*, mean over the
      epoch's batches weighted by their size (what ``fit`` logs as ``loss``);
    - ``train_loss``, ``train_accuracy``: the training part in *inference mode* at the
      end of the epoch;
    - ``val_loss``, ``val_accuracy``, ``test_loss``, ``test_accuracy``: the validation
      and test parts, inference mode, end of the epoch (no penalty term).

    ``run.weights`` is the list of ``model.get_weights()`` after each epoch when
    ``record_weights`` (else None); ``run.model`` is the trained model. A run whose
    mini-batch loss becomes NaN, infinite or larger than ``max_loss`` stops there, as
    :func:`surveykit.training.fit` does: ``run.diverged`` is True, ``run.diverged_at`` the
    1-based epoch, and the history holds only the epochs finished before it.
    """
    trainer = RecordingTrainer(build_model, split, optimizer=optimizer, loss=loss)
    return trainer.run(epochs=epochs, batch_size=batch_size, seed=seed,
                       record_weights=record_weights, max_loss=max_loss, config=config)


def evaluate(model, X, y, *, loss: str = "binary_crossentropy") -> tuple[float, float]:
    """(loss, accuracy) of ``model`` on ``(X, y)`` in inference mode, as recorded above."""
    import tensorflow as tf

    loss_fn = _loss_object(loss)
    t = tf.constant(_targets(y, loss))
    out = model(tf.constant(np.asarray(X, "float32")), training=False)
    return float(loss_fn(t, out)), float(tf.reduce_mean(_hits(out, t, loss)))


# --------------------------------------------------------------------------- early stopping


class _ReplayModel:
    """What ``keras.callbacks.EarlyStopping`` touches: weights and ``stop_training``."""

    def __init__(self):
        self.stop_training = False
        self.weights = None

    def get_weights(self):
        return [np.array(w, copy=True) for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w, copy=True) for w in weights]


@dataclass(frozen=True)
class KerasReplay:
    """What ``keras.callbacks.EarlyStopping`` did over a recorded run.

    ``epochs_run``: epochs trained; ``stopped_epoch``: Keras' attribute (0-based; Keras
    reports 0 when training was not stopped, here None); ``best_epoch``; ``weights``: the
    weights the model ends with (restored or last).
    """

    epochs_run: int
    stopped_epoch: int | None
    best_epoch: int | None
    weights: list


def replay_keras_early_stopping(history: dict, weights: Sequence, *, monitor: str = "val_loss",
                                **kwargs) -> KerasReplay:
    """Drive ``keras.callbacks.EarlyStopping(monitor=…, **kwargs)`` over a recorded run.

    At the end of each recorded epoch the replay model holds that epoch's weights and the
    callback receives that epoch's logs (the values of ``history``, as Python floats as in
    ``fit``), until it sets ``stop_training``; then ``on_train_end`` may restore weights.
    The callback is Keras' own; only the training is replaced by the recording. In
    ``mode="auto"`` a real ``fit`` reads a metric's direction from the compiled model, which
    the replay has not, so the mode is resolved by :func:`resolve_mode` and passed on.
    """
    import keras

    kwargs = dict(kwargs)
    kwargs["mode"] = resolve_mode(monitor, kwargs.get("mode", "auto"))
    callback = keras.callbacks.EarlyStopping(monitor=monitor, **kwargs)
    model = _ReplayModel()
    callback.set_model(model)
    callback.on_train_begin()
    n_epochs = len(history[monitor])
    if len(weights) < n_epochs:
        raise ValueError(f"weights must hold one entry per epoch ({n_epochs}); "
                         f"got {len(weights)}")
    epochs_run = 0
    for epoch in range(n_epochs):
        model.set_weights(weights[epoch])
        logs = {key: float(values[epoch]) for key, values in history.items()}
        callback.on_epoch_end(epoch, logs)
        epochs_run += 1
        if model.stop_training:
            break
    callback.on_train_end()
    stopped = callback.stopped_epoch if model.stop_training else None
    best = callback.best_epoch if callback.best is not None else None
    return KerasReplay(epochs_run=epochs_run, stopped_epoch=stopped, best_epoch=best,
                       weights=model.get_weights())


def _same_weights(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def compare_with_keras_early_stopping(run, settings: Sequence[dict]) -> list[dict]:
    """For each settings dict (``monitor``, ``patience``, ``min_delta``, ``mode``…, with
    ``restore_best_weights`` defaulting to True), apply surveykit's
    :func:`~surveykit.regularization.early_stopping` and Keras' callback to the recorded
    ``run`` (``run.history``, ``run.weights``); return one row per setting with both
    decisions and ``agree`` (same epochs run, same stop epoch, same weights restored).
    """
    rows = []
    for setting in settings:
        kw = dict(setting)
        kw.setdefault("restore_best_weights", True)
        monitor = kw.pop("monitor", "val_loss")
        ours = early_stopping(run.history, monitor=monitor, weights=run.weights, **kw)
        theirs = replay_keras_early_stopping(run.history, run.weights, monitor=monitor, **kw)
        agree = (ours.epochs_run == theirs.epochs_run
                 and ours.stopped_epoch == theirs.stopped_epoch
                 and _same_weights(ours.weights, theirs.weights))
        rows.append({"monitor": monitor, **kw, "stopped_epoch": ours.stopped_epoch,
                     "keras_stopped_epoch": theirs.stopped_epoch,
                     "restored_epoch": ours.restored_epoch, "epochs_run": ours.epochs_run,
                     "keras_epochs_run": theirs.epochs_run, "agree": agree})
    return rows


def early_stopping_outcomes(history: dict, patiences: Sequence[int], *,
                            monitor: str = "val_loss", mode: str = "auto",
                            min_delta: float = 0.0) -> dict[str, np.ndarray]:
    """Early stopping with restored best weights applied to a recorded history, for each
    patience: epochs run, best (restored) epoch, and the recorded test loss and accuracy
    of the restored weights next to those of the last epoch (training to the end).

    ``stopped`` is −1 where training runs to the end. Epochs are 0-based.
    """
    rows = {k: [] for k in ("patience", "stopped", "epochs_run", "restored", "test_loss",
                            "test_accuracy")}
    for patience in patiences:
        r = early_stopping(history, monitor=monitor, mode=mode, min_delta=min_delta,
                           patience=patience, restore_best_weights=True)
        rows["patience"].append(patience)
        rows["stopped"].append(-1 if r.stopped_epoch is None else r.stopped_epoch)
        rows["epochs_run"].append(r.epochs_run)
        rows["restored"].append(r.restored_epoch)
        rows["test_loss"].append(history["test_loss"][r.restored_epoch])
        rows["test_accuracy"].append(history["test_accuracy"][r.restored_epoch])
    out = {k: np.asarray(v) for k, v in rows.items()}
    out["final_test_loss"] = float(history["test_loss"][-1])
    out["final_test_accuracy"] = float(history["test_accuracy"][-1])
    out["total_epochs"] = len(history["test_loss"])
    return out


# --------------------------------------------------------------------------- batch norm: checks


def batchnorm_gradient_errors(shape=(8, 4), *, eps: float = 1e-5, seed: int = 0) -> dict:
    """Finite-difference check of :func:`batchnorm_backward` for x, γ and β (§4.6).

    The loss is L = Σ g ⊙ y with a fixed random g = ∂L/∂y, so the backward pass is fed
    exactly g; returns the CS231n relative errors {"x", "gamma", "beta"} between the
    analytic gradients and centred differences (h = 1e-5) in float64.
    """
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    d = shape[-1]
    x = rng.normal(loc=rng.uniform(-3, 3, d), scale=rng.uniform(0.5, 4, d), size=shape)
    gamma, beta = rng.uniform(0.5, 2, d), rng.normal(size=d)
    g = rng.normal(size=shape)

    def loss(x_, gamma_, beta_):
        return float(np.sum(g * batchnorm_forward(x_, gamma_, beta_, eps=eps)[0]))

    _, cache = batchnorm_forward(x, gamma, beta, eps=eps)
    dx, dgamma, dbeta = batchnorm_backward(g, cache)
    return {
        "x": gradcheck.relative_error(
            dx, gradcheck.numerical_gradient(lambda v: loss(v, gamma, beta), x)),
        "gamma": gradcheck.relative_error(
            dgamma, gradcheck.numerical_gradient(lambda v: loss(x, v, beta), gamma)),
        "beta": gradcheck.relative_error(
            dbeta, gradcheck.numerical_gradient(lambda v: loss(x, gamma, v), beta)),
    }


def compare_with_keras_batchnorm(shape=(16, 4), *, momentum: float = 0.9, eps: float = 1e-5,
                                 steps: int = 5, dtype: str = "float64", lr: float = 0.1,
                                 seed: int = 0) -> dict:
    """Run ``keras.layers.BatchNormalization(momentum=ρ, epsilon=ε)`` and surveykit's
    :class:`~surveykit.regularization.BatchNorm` side by side for ``steps`` training steps
    (SGD on γ, β with L = Σ g ⊙ y), then once at inference; return the largest error seen
    for each quantity, as max |keras − ours| / (1 + |ours|): the outputs ``y``, the
    moving mean and variance, ∂L/∂x, ∂L/∂γ, ∂L/∂β, γ after the updates and the
    inference-mode output.
    """
    import keras
    import tensorflow as tf

    dtype = check_choice("dtype", dtype, ("float32", "float64"))
    steps = check_int("steps", steps, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    d = shape[-1]
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=eps, dtype=dtype)
    layer.build(shape)
    ours = BatchNorm(d, momentum=momentum, eps=eps)
    layer.gamma.assign(rng.uniform(0.5, 2, d).astype(dtype))
    layer.beta.assign(rng.normal(size=d).astype(dtype))
    ours.gamma = layer.gamma.numpy().astype(float)
    ours.beta = layer.beta.numpy().astype(float)
    err = dict.fromkeys(["y", "moving_mean", "moving_variance", "dx", "dgamma", "dbeta",
                         "gamma", "inference"], 0.0)

    def track(name, theirs, mine):
        theirs = np.asarray(theirs, float)
        err[name] = max(err[name], float(np.max(np.abs(theirs - mine) / (1 + np.abs(mine)))))

    def batch():
        return rng.normal(loc=rng.uniform(-3, 3, d), scale=rng.uniform(0.5, 4, d),
                          size=shape).astype(dtype)

    for _ in range(steps):
        x, g = batch(), rng.normal(size=shape).astype(dtype)
        x_tf = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x_tf)
            y_keras = layer(x_tf, training=True)
            objective = tf.reduce_sum(y_keras * g)
        dx_k, dgamma_k, dbeta_k = tape.gradient(objective, [x_tf, layer.gamma, layer.beta])
        y = ours(x.astype(float), training=True)
        dx = ours.backward(g.astype(float))
        track("y", y_keras, y)
        track("moving_mean", layer.moving_mean.numpy(), ours.running_mean)
        track("moving_variance", layer.moving_variance.numpy(), ours.running_var)
        track("dx", dx_k, dx)
        track("dgamma", dgamma_k, ours.dgamma)
        track("dbeta", dbeta_k, ours.dbeta)
        layer.gamma.assign(layer.gamma - lr * dgamma_k)
        layer.beta.assign(layer.beta - lr * dbeta_k)
        ours.gamma, ours.beta = ours.gamma - lr * ours.dgamma, ours.beta - lr * ours.dbeta
        track("gamma", layer.gamma.numpy(), ours.gamma)
    x = batch()
    track("inference", layer(x, training=False), ours(x.astype(float), training=False))
    return err


# --------------------------------------------------------------------------- batch norm: models


def build_normalized_mlp(input_dim: int, hidden_units: Sequence[int] = (64, 64, 64), *,
                         norm: str | None = None, placement: str = "before",
                         activation: str = "relu", dropout: float = 0.0,
                         momentum: float = 0.9, epsilon: float = 1e-3, output_units: int = 1,
                         output_activation: str = "sigmoid", init_std: float | None = None):
    """An MLP whose hidden layers are Dense → [norm] → activation → [dropout] (§4.6–4.7).

    ``norm``: None, ``"batch"`` (``keras.layers.BatchNormalization(momentum=ρ,
    epsilon=ε)``) or ``"layer"`` (``keras.layers.LayerNormalization(epsilon=ε)``).
    ``placement="before"`` puts it between the linear transformation and the activation,
    as the survey recommends (§4.7; the Dense layer then has no bias, which β replaces);
    ``"after"`` puts it after the activation. ``init_std``: kernels drawn from
    N(0, init_std²) instead of Keras' Glorot-uniform default (to probe the sensitivity to
    initialization). ``dropout`` is the rate of a Dropout layer after each activation.
    """
    import keras

    input_dim = check_int("input_dim", input_dim, low=1)
    hidden_units = [check_int("hidden_units[i]", u, low=1) for u in hidden_units]
    norm = check_choice("norm", norm, (None, "batch", "layer"))
    placement = check_choice("placement", placement, ("before", "after"))
    dropout = check_range("dropout", dropout, 0.0, 1.0, high_closed=False)
    momentum = check_range("momentum", momentum, 0.0, 1.0, high_closed=False)
    epsilon = check_range("epsilon", epsilon, 0.0, low_closed=False)
    init = "glorot_uniform"
    if init_std is not None:
        init = keras.initializers.RandomNormal(
            stddev=check_range("init_std", init_std, 0.0, low_closed=False))

    def normalization():
        if norm == "batch":
            return keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon)
        return keras.layers.LayerNormalization(epsilon=epsilon)

    layers = [keras.Input((input_dim,))]
    for units in hidden_units:
        before = norm is not None and placement == "before"
        layers.append(keras.layers.Dense(units, use_bias=not before, kernel_initializer=init))
        if before:
            layers.append(normalization())
        layers.append(keras.layers.Activation(activation))
        if norm is not None and placement == "after":
            layers.append(normalization())
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(output_units, activation=output_activation,
                                     kernel_initializer=init))
    return keras.Sequential(layers)


# --------------------------------------------------------------------------- running statistics


@dataclass
class BatchStatistics:
    """The batch statistics a batch-norm layer saw at every training step.

    ``means``/``variances``: arrays (steps, features) of μ_B and the biased σ²_B of the
    layer's input at each step; ``population_mean``/``population_variance``: the
    statistics of that input over the whole training set with the final weights (what
    the running averages should estimate at the end); ``steps_per_epoch``.
    """

    means: np.ndarray
    variances: np.ndarray
    population_mean: np.ndarray
    population_variance: np.ndarray
    steps_per_epoch: int


def _bn_layers(model):
    import keras

    return [lay for lay in model.layers if isinstance(lay, keras.layers.BatchNormalization)]


def record_batch_statistics(model, split, *, optimizer, epochs: int, batch_size: int = 32,
                            loss: str = "binary_crossentropy",
                            seed: int = 0) -> list[BatchStatistics]:
    """Train ``model`` (built, with BatchNormalization layers whose momentum is ρ = 0)
    step by step and record the batch statistics every BN layer saw at every step.

    The running statistics never influence training (a training step normalizes with the
    batch's own μ_B and σ²_B), so ρ does not change the run; with ρ = 0 a layer's moving
    statistics after a step *are* that step's μ_B and σ²_B, read back exactly. Any ρ can
    then be replayed with :func:`replay_running_stats`. Batches as in
    :func:`train_recorded` (a fresh permutation per epoch from ``default_rng(seed)``).

    The population statistics of each layer's input are those of the whole training set
    with the final weights, every earlier BN layer normalizing with its own population
    statistics (the ideal the running averages approximate). Returns one
    :class:`BatchStatistics` per BN layer, in order; the model keeps its final weights and
    the population statistics as moving statistics.
    """
    import tensorflow as tf

    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    bns = _bn_layers(model)
    if not bns:
        raise ValueError("model has no BatchNormalization layer")
    if any(float(bn.momentum) != 0.0 for bn in bns):
        raise ValueError("build the BatchNormalization layers with momentum=0.0 to record "
                         f"batch statistics; got {[float(bn.momentum) for bn in bns]}")
    loss_fn = _loss_object(loss)
    X = tf.constant(np.asarray(split.X_train, "float32"))
    y = tf.constant(_targets(split.y_train, loss))
    n = int(X.shape[0])

    @tf.function
    def step(idx):
        with tf.GradientTape() as tape:
            objective = loss_fn(tf.gather(y, idx), model(tf.gather(X, idx), training=True))
        grads = tape.gradient(objective, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)

    rng = np.random.default_rng(check_int("seed", seed, low=0))
    means, variances = [[] for _ in bns], [[] for _ in bns]
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            with _quiet_retracing():
                step(tf.constant(order[start:start + batch_size], "int32"))
            for k, bn in enumerate(bns):
                means[k].append(bn.moving_mean.numpy().astype(float))
                variances[k].append(bn.moving_variance.numpy().astype(float))
    result = []
    for k, bn in enumerate(bns):
        upstream = model.layers[:model.layers.index(bn)]
        h = X
        for lay in upstream:
            h = lay(h, training=False)
        h = np.asarray(h, float)
        pop_mean, pop_var = h.mean(axis=0), h.var(axis=0)
        bn.moving_mean.assign(pop_mean.astype("float32"))
        bn.moving_variance.assign(pop_var.astype("float32"))
        result.append(BatchStatistics(np.array(means[k]), np.array(variances[k]), pop_mean,
                                      pop_var, -(-n // batch_size)))
    return result


def inference_with_running_stats(model, stats: Sequence[BatchStatistics], momentum: float,
                                 X, y, *, loss: str = "binary_crossentropy"):
    """(loss, accuracy) in inference mode when every BN layer of ``model`` holds the
    running statistics that momentum ρ would have produced over the recorded steps
    (:func:`replay_running_stats`). The model's weights are left unchanged.
    """
    bns = _bn_layers(model)
    if len(bns) != len(stats):
        raise ValueError(f"stats must hold one entry per BN layer ({len(bns)}); "
                         f"got {len(stats)}")
    saved = model.get_weights()
    for bn, s in zip(bns, stats, strict=True):
        mean, var = replay_running_stats(s, momentum)
        bn.moving_mean.assign(mean[-1].astype("float32"))
        bn.moving_variance.assign(var[-1].astype("float32"))
    result = evaluate(model, X, y, loss=loss)
    model.set_weights(saved)
    return result


def replay_running_stats(stats: BatchStatistics, momentum: float, *,
                         init_mean: float = 0.0, init_var: float = 1.0):
    """μ_run and σ²_run after every step for momentum ρ, by the survey's update (§4.6)::

        μ_run ← ρ μ_run + (1 − ρ) μ_B,    σ²_run ← ρ σ²_run + (1 − ρ) σ²_B

    starting from μ_run = 0 and σ²_run = 1 (Keras' and the survey's initialization).
    Returns two arrays shaped like ``stats.means``.
    """
    d = stats.means.shape[1]
    mean, var = np.full(d, float(init_mean)), np.full(d, float(init_var))
    out_m, out_v = np.empty_like(stats.means), np.empty_like(stats.variances)
    for t, (mu_b, var_b) in enumerate(zip(stats.means, stats.variances, strict=True)):
        mean, var = update_running_stats(mean, var, mu_b, var_b, momentum)
        out_m[t], out_v[t] = mean, var
    return out_m, out_v


_TRAIN_MODE_PASSES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _train_mode_pass(model, loss: str):
    """A compiled pass over data in training mode, batch by batch (traced once per model)."""
    import tensorflow as tf

    key = (loss,)
    per_model = _TRAIN_MODE_PASSES.setdefault(model, {})
    if key not in per_model:
        loss_fn = _loss_object(loss)

        @tf.function
        def run(X, t, order, batch_size):
            n = tf.shape(order)[0]
            total, hits = tf.constant(0.0), tf.constant(0.0)
            for i in tf.range((n + batch_size - 1) // batch_size):
                idx = order[i * batch_size: tf.minimum((i + 1) * batch_size, n)]
                tb = tf.gather(t, idx)
                out = model(tf.gather(X, idx), training=True)
                total += loss_fn(tb, out) * tf.cast(tf.shape(idx)[0], "float32")
                hits += tf.reduce_sum(_hits(out, tb, loss))
            return total / tf.cast(n, "float32"), hits / tf.cast(n, "float32")

        per_model[key] = run
    return per_model[key]


def train_inference_gap(model, X, y, *, batch_size: int, loss: str = "binary_crossentropy",
                        seed: int = 0) -> dict:
    """The same data through the same weights in training and in inference mode.

    Training mode normalizes each batch of ``batch_size`` examples (a permutation drawn
    from ``default_rng(seed)``) with its own statistics — the way the network saw data
    while learning; inference mode uses the running statistics. Returns
    {"train_mode_loss", "train_mode_accuracy", "inference_loss", "inference_accuracy"}.
    The model's variables (moving statistics included) are left unchanged.
    """
    import tensorflow as tf

    batch_size = check_int("batch_size", batch_size, low=1)
    loss = check_choice("loss", loss, _LOSSES)
    saved = [v.numpy() for v in model.variables]
    X = np.asarray(X, "float32")
    order = np.random.default_rng(check_int("seed", seed, low=0)).permutation(len(X))
    with _quiet_retracing():
        train_loss, train_acc = _train_mode_pass(model, loss)(
            tf.constant(X), tf.constant(_targets(y, loss)), tf.constant(order, "int32"),
            tf.constant(batch_size, "int32"))
    for var, value in zip(model.variables, saved, strict=True):
        var.assign(value)
    inf_loss, inf_acc = evaluate(model, X, y, loss=loss)
    return {"train_mode_loss": float(train_loss), "train_mode_accuracy": float(train_acc),
            "inference_loss": inf_loss, "inference_accuracy": inf_acc}
