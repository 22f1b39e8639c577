"""Training Keras models for the curriculum, with divergence detected and reported.

A diverging run (the survey's "loss diverges to NaN", §2.3, §7.1) is never plotted as if
it were a curve: :class:`DivergenceDetector` stops training at the first batch whose loss
is NaN, infinite, or above ``max_loss`` (default 1e6 — far beyond any cross-entropy a
learning model produces; an exploding run passes it a step or two before overflowing),
and the returned :class:`Run` says so (``run.diverged``, ``run.diverged_at``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from .validation import check_int, check_range

__all__ = ["Run", "DivergenceDetector", "fit", "sweep"]


@dataclass
class Run:
    """A finished training run: its configuration and per-epoch history.

    ``history`` maps a metric name (``loss``, ``val_loss``, ``accuracy``…) to one value
    per completed epoch. When the loss became NaN/inf, ``diverged`` is True,
    ``diverged_at`` is the (1-based) epoch in which it happened, and ``history`` holds
    only the epochs completed before it.
    """

    config: dict
    history: dict[str, list[float]] = field(default_factory=dict)
    diverged: bool = False
    diverged_at: int | None = None
    bad_loss: float | None = None

    @property
    def epochs(self) -> int:
        return len(next(iter(self.history.values()), []))

    def final(self, metric: str = "val_loss") -> float:
        """The metric's last finite value (NaN when the run diverged before one)."""
        values = self.history.get(metric, [])
        return float(values[-1]) if values else math.nan

    def status(self) -> str:
        if self.diverged:
            return f"diverged in epoch {self.diverged_at} (loss reached {self.bad_loss:.3g})"
        return f"finished {self.epochs} epochs"


def _keras_callback_base():
    import keras

    return keras.callbacks.Callback


class DivergenceDetector(_keras_callback_base()):
    """Stop training at the first batch whose loss is NaN, ±inf or above ``max_loss``."""

    def __init__(self, max_loss: float = 1e6):
        super().__init__()
        self.max_loss = check_range("max_loss", max_loss, 0.0, low_closed=False)
        self.diverged_at: int | None = None
        self.bad_loss: float | None = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not (np.isfinite(loss) and loss <= self.max_loss):
            self.diverged_at = self._epoch
            self.bad_loss = float(loss)
            self.model.stop_training = True


def fit(
    build_model: Callable[[], object],
    split,
    *,
    optimizer,
    epochs: int,
    batch_size: int = 32,
    loss="binary_crossentropy",  # a Keras loss name or object
    metrics: Iterable[str] = ("accuracy",),
    seed: int = 0,
    config: dict | None = None,
    max_loss: float = 1e6,
    callbacks: Iterable = (),
) -> Run:
    """Build, compile and train a Keras model on ``split`` (a :class:`surveykit.data.Split`).

    Seeds Keras before building so that the same call gives the same weights and the same
    shuffling. Divergence is detected as described in the module docstring. Returns a
    :class:`Run` with ``loss``/``val_loss`` and each metric per epoch.

    ``callbacks`` are more Keras callbacks, run after the divergence detector: e.g.
    early stopping (:class:`surveykit.regularization.early_stopping.EarlyStoppingCallback`,
    survey §4.4) or experiment tracking (:meth:`surveykit.tracking.ExperimentLog.callback`,
    §8.3). When early stopping ends training, ``history`` holds the epochs that ran.
    """
    import keras

    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    keras.utils.set_random_seed(seed)
    model = build_model()
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    detector = DivergenceDetector(max_loss)
    hist = model.fit(
        split.X_train, split.y_train,
        validation_data=(split.X_val, split.y_val),
        epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[detector, *callbacks],
    )
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    if detector.diverged_at is not None:
        # Keras still logs the epoch it stopped in; drop it, it is not a finished epoch.
        history = {k: v[: detector.diverged_at - 1] for k, v in history.items()}
    run = Run(config=dict(config or {}), history=history,
              diverged=detector.diverged_at is not None, diverged_at=detector.diverged_at,
              bad_loss=detector.bad_loss)
    run.model = model
    return run


def sweep(values: Iterable, run_one: Callable[[object], Run], *, desc: str = "runs") -> list[Run]:
    """Run ``run_one(value)`` for each value with a progress bar; return the runs."""
    from .progress import progress

    with progress(list(values), desc) as bar:
        return [run_one(v) for v in bar]
