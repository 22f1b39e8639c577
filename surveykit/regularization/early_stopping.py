"""Early stopping (survey §3.3, §4.4): stop when the validation metric stops improving.

The survey names two hyperparameters: the *patience* (epochs to wait after the last
improvement) and the *monitored metric* (validation loss or accuracy). The decision rule,
applied at the end of every epoch t to the monitored value v_t, is Keras'::

    improved  ⇔  v_t + δ < best   (mode "min", δ = min_delta ≥ 0; the first value improves)
              ⇔  v_t − δ > best   (mode "max")
    wait      ←  0 if improved (and v_t also beats the baseline, when one is given),
                 else wait + 1
    stop after epoch t  ⇔  not improved and wait ≥ patience

So with patience P training stops P epochs after the last improvement, and with
``restore_best_weights`` the weights of the best epoch are put back at the end (whether
or not training stopped early). An improvement by exactly δ does not count (strict <).

The rule is one pure function, :func:`early_stopping_step`, from a state and one value to
the next state. :func:`early_stopping` folds it over a recorded history (for plots and
sliders); :class:`EarlyStoppingCallback` applies it during ``model.fit``. Both stop at the
same epoch and restore the same weights as ``keras.callbacks.EarlyStopping`` (tested).

Where Keras differs: Keras compares through ``keras.ops.less``/``greater``, which turn
Python floats into float32 tensors, so with Python-float logs (what ``fit`` passes) two
values closer than float32 resolution (~6e-8 relative), or a ``min_delta`` below it,
compare as in float32. This module compares in float64, exactly. Keras also accepts a
negative ``min_delta`` (and takes its absolute value) and falls back to "auto" on an
unknown mode with a warning; here both are ValueErrors. In "auto" mode Keras asks the
compiled metric for its direction; here the direction is read from the metric's name.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import keras

from ..validation import check_choice, check_int, check_range

__all__ = [
    "resolve_mode",
    "EarlyStoppingRule",
    "EarlyStoppingState",
    "early_stopping_step",
    "EarlyStoppingResult",
    "early_stopping",
    "EarlyStoppingCallback",
]

_MIN_NAMES = ("loss", "mse", "mae", "mean_squared_error", "mean_absolute_error",
              "crossentropy", "error")
_MAX_NAMES = ("accuracy", "acc", "auc", "precision", "recall", "f1_score")


def resolve_mode(monitor: str, mode: str = "auto") -> str:
    """"min" or "max": ``mode`` itself, or in "auto" mode the direction of ``monitor``.

    Names ending in a loss/error (``loss``, ``val_loss``, ``mse``…) are minimised, names
    ending in a score (``accuracy``, ``val_accuracy``, ``auc``…) maximised; any other
    name in "auto" mode is a ValueError asking for an explicit mode.
    """
    mode = check_choice("mode", mode, ("auto", "min", "max"))
    if mode != "auto":
        return mode
    name = str(monitor).removeprefix("val_")
    if name.endswith(_MIN_NAMES):
        return "min"
    if name.endswith(_MAX_NAMES):
        return "max"
    raise ValueError(
        f"mode='auto' cannot tell whether monitor={monitor!r} should be minimised or "
        "maximised; pass mode='min' or mode='max'"
    )


@dataclass(frozen=True)
class EarlyStoppingRule:
    """The hyperparameters of early stopping, validated (survey §3.3, §4.4).

    patience ≥ 0 (integer), mode "min"/"max" (already resolved, see
    :func:`resolve_mode`), min_delta ≥ 0, baseline None or a finite number,
    start_from_epoch ≥ 0 (epochs before it are not monitored).
    """

    patience: int = 0
    mode: str = "min"
    min_delta: float = 0.0
    baseline: float | None = None
    start_from_epoch: int = 0

    def __post_init__(self):
        object.__setattr__(self, "patience", check_int("patience", self.patience, low=0))
        object.__setattr__(self, "mode", check_choice("mode", self.mode, ("min", "max")))
        object.__setattr__(self, "min_delta", check_range("min_delta", self.min_delta, 0.0))
        if self.baseline is not None:
            object.__setattr__(self, "baseline", check_range("baseline", self.baseline))
        object.__setattr__(self, "start_from_epoch",
                           check_int("start_from_epoch", self.start_from_epoch, low=0))

    def is_improvement(self, value: float, reference: float | None) -> bool:
        """v + δ < reference ("min") or v − δ > reference ("max"); True if no reference.

        That is, the value must beat the reference by *more* than δ = min_delta.
        """
        if reference is None:
            return True
        if self.mode == "min":
            return value + self.min_delta < reference
        return value - self.min_delta > reference


@dataclass(frozen=True)
class EarlyStoppingState:
    """Where the rule stands after some epochs.

    ``best`` is the best monitored value so far and ``best_epoch`` its (0-based) epoch
    (both None before the first monitored epoch); ``wait`` counts the epochs since the
    last counted improvement; ``stop`` says that training stops after the last epoch.
    """

    best: float | None = None
    best_epoch: int | None = None
    wait: int = 0
    stop: bool = False


def early_stopping_step(rule: EarlyStoppingRule, state: EarlyStoppingState, epoch: int,
                        value: float | None) -> EarlyStoppingState:
    """The state after the end of (0-based) ``epoch`` whose monitored value is ``value``.

    A missing value (None) or an epoch before ``rule.start_from_epoch`` changes nothing.
    """
    if value is None or epoch < rule.start_from_epoch:
        return state
    value = float(value)
    wait = state.wait + 1
    if rule.is_improvement(value, state.best):
        beats_baseline = rule.baseline is None or rule.is_improvement(value, rule.baseline)
        return EarlyStoppingState(best=value, best_epoch=epoch,
                                  wait=0 if beats_baseline else wait, stop=False)
    # (Keras also requires epoch > 0, which always holds here: the first monitored epoch
    # is always an improvement.)
    stop = wait >= rule.patience
    return EarlyStoppingState(best=state.best, best_epoch=state.best_epoch, wait=wait,
                              stop=stop)


@dataclass(frozen=True)
class EarlyStoppingResult:
    """What early stopping does to a recorded history.

    ``stopped_epoch``: the 0-based epoch after which training stops (None: it runs to the
    end); ``epochs_run``: how many epochs are trained; ``best_epoch``/``best``: the best
    monitored epoch and value; ``restored_epoch``: the epoch whose weights the model ends
    with (``best_epoch`` with ``restore_best_weights``, else the last epoch run);
    ``waits``: the wait counter after each epoch run; ``weights``: the weights of
    ``restored_epoch`` when per-epoch weights were given, else None.
    """

    stopped_epoch: int | None
    epochs_run: int
    best_epoch: int | None
    best: float | None
    restored_epoch: int | None
    waits: tuple[int, ...]
    weights: object = None


def _values(history, monitor: str) -> list:
    if isinstance(history, Mapping):
        if monitor not in history:
            raise ValueError(
                f"monitor={monitor!r} is not in the history; it has {sorted(history)}")
        history = history[monitor]
    if not isinstance(history, Sequence) and not hasattr(history, "__len__"):
        raise ValueError(f"history must be a sequence of values or a dict; got {history!r}")
    # NaN never counts as an improvement (every comparison with NaN is False), as in Keras.
    return [None if v is None else float(v) for v in history]


def early_stopping(history, *, monitor: str = "val_loss", patience: int = 0,
                   mode: str = "auto", min_delta: float = 0.0, baseline: float | None = None,
                   restore_best_weights: bool = False, start_from_epoch: int = 0,
                   weights: Sequence | None = None) -> EarlyStoppingResult:
    """Apply early stopping (survey §4.4) to a recorded history, without training.

    ``history`` is a sequence of per-epoch monitored values or a dict such as
    ``History.history`` (then ``history[monitor]`` is used). ``weights``, if given, holds
    the model's weights at the end of each epoch; the result then carries the weights
    the model would end with. Defaults are those of ``keras.callbacks.EarlyStopping``.
    """
    values = _values(history, monitor)
    rule = EarlyStoppingRule(patience=patience, mode=resolve_mode(monitor, mode),
                             min_delta=min_delta, baseline=baseline,
                             start_from_epoch=start_from_epoch)
    if weights is not None and len(weights) < len(values):
        raise ValueError(
            f"weights must hold one entry per epoch ({len(values)}); got {len(weights)}")
    state, waits, stopped = EarlyStoppingState(), [], None
    for epoch, value in enumerate(values):
        state = early_stopping_step(rule, state, epoch, value)
        waits.append(state.wait)
        if state.stop:
            stopped = epoch
            break
    epochs_run = len(waits)
    if restore_best_weights and state.best_epoch is not None:
        restored = state.best_epoch
    else:
        restored = epochs_run - 1 if epochs_run else None
    chosen = weights[restored] if weights is not None and restored is not None else None
    return EarlyStoppingResult(stopped_epoch=stopped, epochs_run=epochs_run,
                               best_epoch=state.best_epoch, best=state.best,
                               restored_epoch=restored, waits=tuple(waits), weights=chosen)


class EarlyStoppingCallback(keras.callbacks.Callback):
    """Keras callback applying :func:`early_stopping_step` at the end of every epoch.

    Same arguments and defaults as ``keras.callbacks.EarlyStopping`` (survey §4.4):
    ``monitor`` (e.g. "val_loss" or "val_accuracy"), ``patience``, ``mode``
    ("auto"/"min"/"max"), ``min_delta``, ``baseline``, ``restore_best_weights``,
    ``start_from_epoch``. After training, ``stopped_epoch`` (0-based, None if training
    ran to the end), ``best_epoch``, ``best`` and ``waits`` say what happened.
    """

    def __init__(self, monitor: str = "val_loss", *, patience: int = 0, mode: str = "auto",
                 min_delta: float = 0.0, baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0,
                 verbose: int = 0):
        super().__init__()
        self.monitor = monitor
        self.rule = EarlyStoppingRule(patience=patience, mode=resolve_mode(monitor, mode),
                                      min_delta=min_delta, baseline=baseline,
                                      start_from_epoch=start_from_epoch)
        self.restore_best_weights = bool(restore_best_weights)
        self.verbose = verbose
        self._reset()

    def _reset(self):
        self.state = EarlyStoppingState()
        self.stopped_epoch: int | None = None
        self.best_weights = None
        self.waits: list[int] = []

    @property
    def best_epoch(self) -> int | None:
        return self.state.best_epoch

    @property
    def best(self) -> float | None:
        return self.state.best

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"early stopping monitors {self.monitor!r}, which is not in the "
                          f"logs: {sorted(logs or {})}", stacklevel=2)
        self.state = early_stopping_step(self.rule, self.state, epoch, value)
        self.waits.append(self.state.wait)
        if self.restore_best_weights and self.state.best_epoch == epoch:
            self.best_weights = self.model.get_weights()
        if self.state.stop:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.verbose and self.stopped_epoch is not None:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of epoch {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
