"""Experiment tracking: every training run recorded, listed, filtered, compared (survey §8.3).

The survey (§8.3): *"Experiment tracking helps manage reproducibility, comparison, and
collaboration … What to track: hyperparameter configurations (learning rate, batch size,
optimizer, etc.); model architecture (layers, activations, etc.); metrics:
training/validation/test loss and accuracy."* Its benefits: *"visual comparisons between
runs, automatic logging of metrics, easy sharing with collaborators."*

Here the experiment log **is a study in the same SQLite file** the tuning searches of §6
use (:class:`~surveykit.tuning.store.TrialStore`): one file holds the hand-made runs and
the searches, and is the one thing to send to a collaborator. A run is a trial of the
study ``name`` (default ``"experiments"``):

- ``params`` — the hyperparameters, as given;
- ``info["architecture"]`` — the layers (type, units, activation, dropout rate, parameter
  count), the total parameter count and the optimizer, read from the Keras model by the
  callback (:func:`describe_model`) or given by hand;
- ``user_attrs`` — ``tags``, ``notes`` and the ``test`` metrics;
- ``metrics`` — one list per metric Keras logs (``loss``, ``val_loss``, ``accuracy``…),
  one value per finished epoch: :math:`h_m = (m_1, m_2, \\dots, m_E)`;
- ``value`` — the **final** validation loss :math:`m^{\\text{val\\_loss}}_E` (the last
  epoch's, what the tuning objectives return too; not the best epoch's), None when the
  run had no validation data;
- ``state`` — ``running`` while it trains, then ``complete``, ``failed`` (an error, or a
  divergence: "diverged in epoch k: loss = nan") or ``abandoned`` (its process died).

Each epoch is written in its own committed transaction when it ends, so a kernel killed
mid-training keeps every finished epoch; when the file is opened again, that run's dead
process is noticed and the run is marked ``abandoned`` (the store's rule for trials of
dead processes). Several processes may log into one file at once (SQLite WAL, numbers
allocated under the write lock).

One line logs a Keras training::

    log = ExperimentLog("runs/experiments.db")
    model.fit(X, y, validation_data=(Xv, yv), epochs=20,
              callbacks=[log.callback({"learning_rate": 1e-3, "optimizer": "adam"},
                                      test_data=(Xt, yt))])
    log.runs(optimizer="adam", where=lambda r: r.final("val_loss") < 0.2)

:func:`export_tensorboard` writes the runs for TensorBoard's HParams dashboard.
"""

from __future__ import annotations

import math
import numbers
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .tables import html_table, text_table
from .tuning.base import STATES
from .tuning.store import TrialStore
from .validation import check_choice

__all__ = ["ExperimentLog", "RunRecorder", "TrackedRun", "RunsTable", "describe_model",
           "filter_runs", "check_runs", "runs_table", "best", "run_labels", "export_tensorboard",
           "read_tensorboard", "TRACKING_STRATEGY"]

#: the "strategy" description stored with an experiment-log study (it has no search space)
TRACKING_STRATEGY = {"strategy": "experiment-log"}


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _clean_params(params) -> dict:
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict {{hyperparameter: value}}; got {params!r}")
    out = {}
    for k, v in params.items():
        if not isinstance(k, str) or not k:
            raise ValueError(f"params: every hyperparameter name must be a non-empty string; "
                             f"got {k!r}")
        if hasattr(v, "item") and callable(v.item) and getattr(v, "shape", None) == ():
            v = v.item()  # numpy scalar
        if not (v is None or isinstance(v, (str, bool)) or _is_number(v)):
            raise ValueError(f"params[{k!r}] must be a number, string, bool or None; "
                             f"got {v!r}")
        if _is_number(v) and not math.isfinite(float(v)):
            raise ValueError(f"params[{k!r}] must be finite; got {v!r}")
        out[k] = v
    return out


def _clean_tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = (tags,)
    try:
        tags = list(tags)
    except TypeError:
        raise ValueError(f"tags must be a sequence of strings; got {tags!r}") from None
    for t in tags:
        if not isinstance(t, str) or not t:
            raise ValueError(f"tags must be non-empty strings; got {t!r} in {tags!r}")
    return tags


def _clean_notes(notes) -> str:
    if not isinstance(notes, str):
        raise ValueError(f"notes must be a string; got {notes!r}")
    return notes


# --------------------------------------------------------------------------- architecture


def describe_model(model) -> dict:
    """The architecture of a built Keras model, as stored with a run (survey §8.3, "model
    architecture (layers, activations, etc.)").

    ``{"name", "layers": [{"name", "type", "units", "activation", "rate", "params"}…],
    "total_params", "trainable_params", "optimizer": {"name", "learning_rate"}}`` —
    ``units`` for layers that have them (Dense), ``activation`` as Keras names it,
    ``rate`` for Dropout, ``params`` = ``layer.count_params()``; ``total_params`` =
    ``model.count_params()`` (Σ of the layers'); the optimizer when the model is compiled.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model; got {type(model).__name__}")
    if not model.built:
        raise ValueError("model must be built (give it an Input, or call it once) before "
                         "its architecture can be read")
    layers = []
    for layer in model.layers:
        entry = {"name": layer.name, "type": type(layer).__name__}
        units = getattr(layer, "units", None)
        if units is not None:
            entry["units"] = int(units)
        for attr in ("filters", "kernel_size"):
            if getattr(layer, attr, None) is not None:
                value = getattr(layer, attr)
                entry[attr] = list(value) if isinstance(value, tuple) else value
        activation = getattr(layer, "activation", None)
        if activation is not None:
            entry["activation"] = keras.activations.serialize(activation)
            if isinstance(entry["activation"], dict):
                entry["activation"] = entry["activation"].get("config", {}).get(
                    "name", str(entry["activation"]))
        rate = getattr(layer, "rate", None)
        if rate is not None:
            entry["rate"] = float(rate)
        entry["params"] = int(layer.count_params())
        layers.append(entry)
    trainable = sum(int(math.prod(w.shape)) for w in model.trainable_weights)
    out = {"name": model.name, "layers": layers, "total_params": int(model.count_params()),
           "trainable_params": trainable}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        opt = {"name": type(optimizer).__name__}
        try:
            opt["learning_rate"] = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        except Exception:  # a schedule: keep its name only
            opt["learning_rate"] = type(optimizer.learning_rate).__name__
        momentum = getattr(optimizer, "momentum", None)
        if _is_number(momentum):
            opt["momentum"] = float(momentum)
        out["optimizer"] = opt
    return out


# --------------------------------------------------------------------------- runs


@dataclass
class TrackedRun:
    """One stored run (or a tuning trial read as a run), survey §8.3's record.

    ``history`` maps each per-epoch metric to its values, epoch 1 first; ``test`` the test
    metrics (``{"loss": …, "accuracy": …}``); ``value`` the final validation loss;
    ``extra`` any other scalar a tuning objective stored. ``config``, ``diverged`` and
    ``diverged_at`` make it usable wherever a :class:`surveykit.training.Run` is
    (``plots.learning_curves``).
    """

    number: int
    study: str
    params: dict
    architecture: dict = field(default_factory=dict)
    tags: tuple = ()
    notes: str = ""
    history: dict = field(default_factory=dict)
    test: dict = field(default_factory=dict)
    value: float | None = None
    state: str = "complete"
    error: str | None = None
    started: float | None = None
    finished: float | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Mapping, study: str) -> TrackedRun:
        """A run from a store record (:meth:`TrialStore.records`): list-valued metrics are
        the history, others go to ``extra``."""
        metrics = dict(record.get("metrics") or {})
        history = {k: [float(x) for x in v] for k, v in metrics.items()
                   if isinstance(v, list)}
        extra = {k: v for k, v in metrics.items() if not isinstance(v, list)}
        attrs = dict(record.get("user_attrs") or {})
        info = dict(record.get("info") or {})
        return cls(number=int(record["number"]), study=study, params=dict(record["params"]),
                   architecture=dict(info.get("architecture") or {}),
                   tags=tuple(attrs.get("tags", ())), notes=attrs.get("notes", ""),
                   history=history, test=dict(attrs.get("test") or {}),
                   value=record.get("value"), state=record["state"], error=record.get("error"),
                   started=record.get("started"), finished=record.get("finished"), extra=extra)

    # what plots.learning_curves and training.Run users expect
    @property
    def config(self) -> dict:
        return self.params

    @property
    def epochs(self) -> int:
        """Finished epochs recorded."""
        return max((len(v) for v in self.history.values()), default=0)

    @property
    def diverged(self) -> bool:
        return bool(self.error) and self.error.startswith("diverged")

    @property
    def diverged_at(self) -> int | None:
        """The (1-based) epoch in which the run diverged, or None."""
        if not self.diverged:
            return None
        try:
            return int(self.error.split("epoch", 1)[1].split(":")[0])
        except (IndexError, ValueError):
            return None

    @property
    def duration(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return self.finished - self.started

    def metric_names(self) -> list[str]:
        """The names :meth:`final` accepts: history metrics, ``test_*``, extras."""
        return [*self.history, *(f"test_{k}" for k in self.test), *self.extra]

    def final(self, metric: str = "val_loss") -> float:
        """The metric's final value: the last epoch of ``history[metric]``; for
        ``"test_<m>"`` the test metric ``m``; else a stored scalar. NaN when the run has
        no value for it (no epoch finished, no test data)."""
        if metric in self.history:
            values = self.history[metric]
            return float(values[-1]) if values else math.nan
        if metric.startswith("test_") and metric[5:] in self.test:
            return float(self.test[metric[5:]])
        if metric in self.extra and _is_number(self.extra[metric]):
            return float(self.extra[metric])
        return math.nan

    def curves(self, metric: str = "loss", label: str | None = None):
        """This run's training and validation curves as a :class:`surveykit.curves.Curves`
        (survey §8.2); a diverged run keeps its divergence (a NaN epoch after the last
        finished one), as ``Curves.from_history`` does for a Run."""
        from .curves import Curves

        return Curves.from_history(self, metric=metric,
                                   label=f"run {self.number}" if label is None else label)

    def __repr__(self) -> str:
        p = ", ".join(f"{k}={_fmt(v)}" for k, v in self.params.items())
        v = "" if self.value is None else f", val_loss {self.value:.4g}"
        return (f"TrackedRun({self.study!r} #{self.number}: {p}; {self.state}, "
                f"{self.epochs} epochs{v})")


# --------------------------------------------------------------------------- recording


class RunRecorder:
    """Records one run, epoch by epoch (survey §8.3: "automatic logging of metrics").

    Made by :meth:`ExperimentLog.start`. ``log_epoch(logs)`` appends one value per metric
    and commits it at once; :meth:`finish` ends the run ``complete`` (with test metrics);
    :meth:`fail` ends it ``failed``. A non-finite value in an epoch's logs (the loss
    became NaN or inf) fails the run with "diverged in epoch k: loss = nan" and the epoch
    is not appended: a diverged run is never stored as a curve of NaNs. As a context
    manager the run is finished on a normal exit and failed (with the exception's text)
    on an exception, which propagates.
    """

    def __init__(self, log: ExperimentLog, number: int):
        self.log = log
        self.number = number
        self.history: dict[str, list[float]] = {}
        self.state = "running"
        self.error: str | None = None

    @property
    def epoch(self) -> int:
        """Epochs logged so far."""
        return max((len(v) for v in self.history.values()), default=0)

    def _check_running(self, what: str) -> None:
        if self.state != "running":
            raise ValueError(f"{what}: run {self.number} is already {self.state}"
                             + (f" ({self.error})" if self.error else ""))

    def log_epoch(self, logs: Mapping) -> bool:
        """Append one epoch's metrics (``{"loss": 0.41, "val_loss": 0.45, …}``: every key
        Keras logs) and write them durably. Returns True, or False when a value was NaN or
        infinite: the run is then recorded as failed ("diverged in epoch k: …")."""
        self._check_running("log_epoch")
        if not isinstance(logs, Mapping) or not logs:
            raise ValueError(f"logs must be a non-empty dict {{metric: number}}; got {logs!r}")
        clean = {}
        for k, v in logs.items():
            if not isinstance(k, str) or not k:
                raise ValueError(f"logs: metric names must be non-empty strings; got {k!r}")
            try:
                clean[k] = float(v)
            except (TypeError, ValueError):
                raise ValueError(f"logs[{k!r}] must be a number; got {v!r}") from None
        k = self.epoch + 1
        bad = [(name, v) for name, v in clean.items() if not math.isfinite(v)]
        if bad:
            what = ", ".join(f"{name} = {v}" for name, v in bad)
            self.fail(f"diverged in epoch {k}: {what}")
            return False
        if self.history and set(clean) != set(self.history):
            raise ValueError(f"logs must have the same metrics every epoch: epoch {k} has "
                             f"{sorted(clean)}, the earlier ones {sorted(self.history)}")
        for name, v in clean.items():
            self.history.setdefault(name, []).append(v)
        self.log.store.update_trial(self.log.study_id, self.number, metrics=self.history)
        return True

    def set_architecture(self, architecture: Mapping) -> None:
        """Store (or replace) the run's architecture while it is running."""
        self._check_running("set_architecture")
        if not isinstance(architecture, Mapping):
            raise ValueError(f"architecture must be a dict; got {architecture!r}")
        self.log.store.update_trial(self.log.study_id, self.number,
                                    info={"architecture": dict(architecture)})

    def finish(self, test_metrics: Mapping | None = None, value: float | None = None) -> TrackedRun:
        """End the run ``complete``. ``test_metrics``: ``{"loss": …, "accuracy": …}`` on the
        test set; ``value`` defaults to the final validation loss (None without one)."""
        self._check_running("finish")
        test = {}
        if test_metrics is not None:
            if not isinstance(test_metrics, Mapping):
                raise ValueError(f"test_metrics must be a dict {{metric: number}}; "
                                 f"got {test_metrics!r}")
            for k, v in test_metrics.items():
                name = k[5:] if isinstance(k, str) and k.startswith("test_") else k
                try:
                    test[str(name)] = float(v)
                except (TypeError, ValueError):
                    raise ValueError(f"test_metrics[{k!r}] must be a number; got {v!r}") from None
        if value is None and self.history.get("val_loss"):
            value = self.history["val_loss"][-1]
        if value is not None and not math.isfinite(float(value)):
            raise ValueError(f"value must be finite; got {value!r}")
        store, sid = self.log.store, self.log.study_id
        with store.transaction():
            attrs = {**store.record(sid, self.number)["user_attrs"], "test": test}
            store.finish_trial(sid, self.number, state="complete", value=value,
                               metrics=self.history, user_attrs=attrs)
        self.state = "complete"
        return self.log.run(self.number)

    def fail(self, error) -> TrackedRun:
        """End the run ``failed`` with ``error`` (a message or an exception)."""
        self._check_running("fail")
        if isinstance(error, BaseException):
            msg = str(error)
            error = f"{type(error).__name__}: {msg}" if msg else type(error).__name__
        self.error = str(error)
        self.log.store.finish_trial(self.log.study_id, self.number, state="failed",
                                    error=self.error, metrics=self.history)
        self.state = "failed"
        return self.log.run(self.number)

    def __enter__(self) -> RunRecorder:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self.state == "running":
            if exc is None:
                self.finish()
            else:
                self.fail(exc)
        return False

    def __repr__(self) -> str:
        return f"RunRecorder(run {self.number}, {self.state}, {self.epoch} epochs)"


def _keras_callback(log: ExperimentLog, params: dict, test_data, tags, notes, architecture):
    import keras

    class TrackingCallback(keras.callbacks.Callback):
        """Logs a ``model.fit`` as a run of ``log`` (survey §8.3): the model's architecture
        at the start, every epoch's logs as it ends (durably), the test metrics at the end.
        A NaN/inf in an epoch's logs fails the run and stops training."""

        def __init__(self):
            super().__init__()
            self.recorder: RunRecorder | None = None
            self._architecture_pending = False  # the model was not built at the start

        @property
        def number(self) -> int | None:
            return None if self.recorder is None else self.recorder.number

        def on_train_begin(self, logs=None):
            arch = architecture
            if arch is None and self.model.built:
                arch = describe_model(self.model)
            self.recorder = log.start(params, architecture=arch, tags=tags, notes=notes)
            self._architecture_pending = arch is None

        def on_epoch_end(self, epoch, logs=None):
            rec = self.recorder
            if rec is None or rec.state != "running":
                return
            if self._architecture_pending and self.model.built:
                rec.set_architecture(describe_model(self.model))
                self._architecture_pending = False
            if not rec.log_epoch(dict(logs or {})):
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            rec = self.recorder
            if rec is None or rec.state != "running":
                return
            test = None
            if test_data is not None:
                X, y = test_data
                test = self.model.evaluate(X, y, verbose=0, return_dict=True)
            rec.finish(test)

    return TrackingCallback()


class ExperimentLog:
    """The runs of the study ``name`` in ``storage`` — a path to the SQLite file the
    tuning studies use, ``None``/``":memory:"``, or a :class:`TrialStore` (survey §8.3).

    Opening the log marks ``abandoned`` the runs of this host whose process has died (a
    killed kernel); their numbers are in :attr:`abandoned_on_open`.
    """

    def __init__(self, storage=None, name: str = "experiments"):
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty string; got {name!r}")
        self.store = storage if isinstance(storage, TrialStore) else TrialStore(storage)
        self.name = name
        existing = self.store.get_study(name)
        if existing is not None and existing.strategy.get("strategy") != \
                TRACKING_STRATEGY["strategy"]:
            raise ValueError(f"name {name!r} is a tuning study in {self.store.path!r}, not an "
                             f"experiment log; read it with log.runs(study={name!r}) from a "
                             f"log with another name")
        self.study_id = self.store.open_study(name, [], TRACKING_STRATEGY).id
        self.abandoned_on_open: list[int] = self.store.abandon_dead(self.study_id)

    @property
    def path(self) -> str:
        return self.store.path

    def __repr__(self) -> str:
        c = self.store.counts(self.study_id)
        parts = ", ".join(f"{k} {v}" for k, v in c.items() if v)
        return f"ExperimentLog({self.name!r} in {self.path!r}: {parts or 'no runs'})"

    # ------------------------------------------------------------------ writing
    def start(self, params: Mapping, *, architecture: Mapping | None = None, tags=(),
              notes: str = "") -> RunRecorder:
        """Register a new ``running`` run with its hyperparameters, architecture, tags and
        notes (written at once) and return its :class:`RunRecorder`."""
        params = _clean_params(params)
        tags = _clean_tags(tags)
        notes = _clean_notes(notes)
        if architecture is not None and not isinstance(architecture, Mapping):
            raise ValueError(f"architecture must be a dict (e.g. describe_model(model)) or "
                             f"None; got {architecture!r}")
        info = {"architecture": dict(architecture or {})}
        with self.store.transaction():
            (trial,) = self.store.add_trials(self.study_id, [{"params": params, "info": info}])
            self.store.update_trial(self.study_id, trial.number,
                                    user_attrs={"tags": tags, "notes": notes, "test": {}})
        return RunRecorder(self, trial.number)

    def callback(self, params: Mapping, *, test_data=None, tags=(), notes: str = "",
                 architecture: Mapping | None = None):
        """A Keras callback logging a ``model.fit`` as one run (the one-liner):
        ``model.fit(..., callbacks=[log.callback(params, test_data=(X_test, y_test))])``.

        The architecture is read from the model (:func:`describe_model`) unless given;
        every epoch's logs (``loss``, ``val_loss``, metrics…) are stored as the epoch
        ends; with ``test_data`` the model is evaluated on it when training ends and the
        result stored as the run's test metrics. A NaN/inf in an epoch fails the run
        ("diverged in epoch k") and stops training.
        """
        params = _clean_params(params)
        tags = _clean_tags(tags)
        notes = _clean_notes(notes)
        if test_data is not None:
            if not (isinstance(test_data, (tuple, list)) and len(test_data) == 2):
                raise ValueError(f"test_data must be None or a pair (X_test, y_test); "
                                 f"got {type(test_data).__name__}")
            if len(test_data[0]) != len(test_data[1]):
                raise ValueError(f"test_data: X_test and y_test must have the same length; "
                                 f"got {len(test_data[0])} and {len(test_data[1])}")
        if architecture is not None and not isinstance(architecture, Mapping):
            raise ValueError(f"architecture must be a dict or None; got {architecture!r}")
        return _keras_callback(self, params, test_data, tags, notes, architecture)

    def copy_to(self, path) -> Path:
        """A consistent single-file copy of the whole store (every study: this log and the
        tuning searches) at ``path``, to send to a collaborator (survey §8.3, "easy
        sharing"); see :meth:`TrialStore.backup`."""
        return self.store.backup(path)

    # ------------------------------------------------------------------ reading
    def studies(self) -> list[str]:
        """The names of every study in the file (experiment logs and tuning searches)."""
        return [s.name for s in self.store.studies()]

    def _study_id(self, study: str | None) -> tuple[int, str]:
        if study is None or study == self.name:
            return self.study_id, self.name
        record = self.store.get_study(study) if isinstance(study, str) else None
        if record is None:
            raise ValueError(f"study must be one of the studies in {self.path!r}: "
                             f"{self.studies()}; got {study!r}")
        return record.id, record.name

    def run(self, number: int, *, study: str | None = None) -> TrackedRun:
        """Run ``number`` (of this log, or of ``study``), whatever its state."""
        sid, name = self._study_id(study)
        return TrackedRun.from_record(self.store.record(sid, number), name)

    def runs(self, *, study: str | None = None, state: str | Sequence[str] | None = "complete",
             where: Callable[[TrackedRun], bool] | None = None, tags=(),
             **equal) -> list[TrackedRun]:
        """The runs of this log (or of the tuning study ``study`` in the same file, its
        trials read as runs), in number order, filtered by :func:`filter_runs`: ``state``
        (one of the states, a list of them, or None for all), ``tags`` (runs carrying all
        of them), ``name=value`` hyperparameter equality (a list/tuple/set value: one of
        them) and the predicate ``where(run) -> bool``."""
        sid, name = self._study_id(study)
        if sid != self.study_id:
            self.store.abandon_dead(sid)
        runs = [TrackedRun.from_record(r, name) for r in self.store.records(sid)]
        return filter_runs(runs, state=state, where=where, tags=tags, **equal)

    def counts(self) -> dict:
        """``{state: number of runs}``."""
        return self.store.counts(self.study_id)


# --------------------------------------------------------------------------- filtering


def filter_runs(runs: Iterable[TrackedRun], *, state: str | Sequence[str] | None = None,
                where: Callable[[TrackedRun], bool] | None = None, tags=(),
                **equal) -> list[TrackedRun]:
    """The runs that pass every filter (survey §8.3: comparing runs starts with finding
    them): ``state`` in the given state(s); every tag of ``tags``; ``params[name] ==
    value`` for each ``name=value`` (``value`` a list, tuple or set: ``params[name]`` in
    it); ``where(run)`` true. A hyperparameter no run has is a ValueError listing those
    that exist."""
    runs = list(runs)
    if state is not None:
        states = [state] if isinstance(state, str) else list(state)
        for s in states:
            check_choice("state", s, STATES)
    if where is not None and not callable(where):
        raise ValueError(f"where must be None or a function run -> bool; got {where!r}")
    tags = _clean_tags(tags)
    known = sorted({k for r in runs for k in r.params})
    for k in equal:
        if runs and k not in known:
            raise ValueError(f"{k} must be one of the hyperparameters of these runs: {known}; "
                             f"got {k!r}")
    out = []
    for r in runs:
        if state is not None and r.state not in states:
            continue
        if any(t not in r.tags for t in tags):
            continue
        ok = True
        for k, v in equal.items():
            have = r.params.get(k, _MISSING)
            if isinstance(v, (list, tuple, set, frozenset)):
                ok = have in v
            else:
                ok = have == v and isinstance(have, bool) == isinstance(v, bool)
            if not ok:
                break
        if ok and (where is None or where(r)):
            out.append(r)
    return out


_MISSING = object()


def best(runs: Iterable[TrackedRun], metric: str = "val_loss", *, mode: str = "min") -> TrackedRun:
    """The run whose **final** ``metric`` is lowest (``mode="max"``: highest), the
    earliest number on ties; runs without a finite value of it are skipped (survey §8.3:
    compare runs; choose by validation, never by test, §7.3)."""
    mode = check_choice("mode", mode, ("min", "max"))
    runs = list(runs)
    scored = [(r.final(metric), r) for r in runs]
    scored = [(v, r) for v, r in scored if math.isfinite(v)]
    if not scored:
        names = sorted({m for r in runs for m in r.metric_names()})
        raise ValueError(f"metric must be one that these runs have a final value of: {names}; "
                         f"got {metric!r}")
    sign = 1.0 if mode == "min" else -1.0
    return min(scored, key=lambda vr: (sign * vr[0], vr[1].study, vr[1].number))[1]


def check_runs(runs, purpose: str) -> list[TrackedRun]:
    """``runs`` as a non-empty list of :class:`TrackedRun` (a ValueError otherwise);
    ``purpose`` ("draw", "export"…) says what they are for in the message."""
    runs = list(runs)
    if not runs:
        raise ValueError(f"runs must hold at least one run to {purpose}; got none")
    for r in runs:
        if not isinstance(r, TrackedRun):
            raise ValueError(f"runs must be TrackedRuns (from ExperimentLog.runs); got "
                             f"{type(r).__name__}")
    return runs


def _varying(runs: Sequence[TrackedRun]) -> list[str]:
    names = []
    for r in runs:
        for k in r.params:
            if k not in names:
                names.append(k)
    return [k for k in names if len({repr(r.params.get(k)) for r in runs}) > 1] or names


def run_labels(runs: Sequence[TrackedRun]) -> list[str]:
    """Short labels: ``"#3 optimizer=adam, learning_rate=0.01"`` with only the
    hyperparameters that differ between the runs (a study name when several are mixed)."""
    runs = list(runs)
    names = _varying(runs)
    several = len({r.study for r in runs}) > 1
    out = []
    for r in runs:
        p = ", ".join(f"{k}={_fmt(r.params[k])}" for k in names if k in r.params)
        prefix = f"{r.study} #{r.number}" if several else f"#{r.number}"
        out.append(f"{prefix} {p}".strip())
    return out


# --------------------------------------------------------------------------- the table


def _fmt(v, digits: int = 4) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.{digits}g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return str(v)


_FIXED = ("number", "study", "state", "value", "epochs", "tags", "notes", "parameters",
          "duration", "error")


def _column_value(run: TrackedRun, column: str):
    if column in ("number", "study", "state", "value", "epochs", "notes", "error", "duration"):
        return getattr(run, column)
    if column == "tags":
        return list(run.tags)
    if column == "parameters":
        return run.architecture.get("total_params")
    if column in run.params:
        return run.params[column]
    v = run.final(column)
    return None if math.isnan(v) else v


class RunsTable:
    """Runs side by side (survey §8.3, "comparisons between runs"): ``rows`` (dicts of raw
    values), ``columns``; ``str(table)`` is a text table, ``_repr_html_`` an HTML one."""

    def __init__(self, runs: Sequence[TrackedRun], columns: Sequence[str]):
        self.runs = list(runs)
        self.columns = list(columns)
        self.rows = [{c: _column_value(r, c) for c in self.columns} for r in self.runs]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i) -> dict:
        return self.rows[i]

    def _cells(self) -> list[list[str]]:
        return [[_fmt(r[c]) for c in self.columns] for r in self.rows]

    def __str__(self) -> str:
        return text_table(self.columns, self._cells(), rule=False)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return html_table(self.columns, self._cells())


def runs_table(runs: Iterable[TrackedRun], columns: Sequence[str] | None = None) -> RunsTable:
    """A table of ``runs`` (survey §8.3). Default columns: number, every hyperparameter,
    epochs, the final value of each per-epoch metric, each test metric, state. A column
    is a hyperparameter, a metric (its final value, ``test_<m>`` for test metrics), or one
    of number, study, state, value, epochs, tags, notes, parameters (total parameter
    count), duration, error."""
    runs = list(runs)
    params, metrics = [], []
    for r in runs:
        params += [k for k in r.params if k not in params]
        metrics += [m for m in r.metric_names() if m not in metrics]
    if columns is None:
        hist = [m for m in metrics if not m.startswith("test_")]
        test = [m for m in metrics if m.startswith("test_")]
        columns = ["number", *params, "epochs", *hist, *test, "state"]
        if any(r.error for r in runs):
            columns.append("error")
        if any(r.study != runs[0].study for r in runs):
            columns.insert(0, "study")
    else:
        if isinstance(columns, str):
            columns = [columns]
        valid = [*_FIXED, *params, *metrics]
        for c in columns:
            check_choice("columns (each)", c, valid)
    return RunsTable(runs, columns)


# --------------------------------------------------------------------------- TensorBoard


def _hparam_domains(runs: Sequence[TrackedRun]):
    """One ``tensorboard.plugins.hparams.api.HParam`` per hyperparameter: numbers →
    ``IntInterval``/``RealInterval`` over the values seen, anything else → ``Discrete``."""
    from tensorboard.plugins.hparams import api as hp

    names = []
    for r in runs:
        names += [k for k in r.params if k not in names]
    out = []
    for name in names:
        values = [r.params[name] for r in runs if name in r.params and r.params[name] is not None]
        if values and all(_is_number(v) for v in values):
            if all(isinstance(v, numbers.Integral) for v in values):
                domain = hp.IntInterval(int(min(values)), int(max(values)))
            else:
                domain = hp.RealInterval(float(min(values)), float(max(values)))
        elif values and all(isinstance(v, bool) for v in values):
            domain = hp.Discrete(sorted(set(values)))
        else:
            domain = hp.Discrete(sorted({str(v) for v in values}))
        out.append(hp.HParam(name, domain))
    return out


def _hparam_value(v):
    if v is None:
        return "None"
    if isinstance(v, bool) or isinstance(v, str):
        return v
    if isinstance(v, numbers.Integral):
        return int(v)
    return float(v)


def _tb_run_name(run: TrackedRun) -> str:
    return f"{run.study}-run-{run.number:03d}"


def _write_events(directory: Path, events) -> None:
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("events.out.tfevents.*"):
        old.unlink()
    writer = EventFileWriter(str(directory))
    try:
        for event in events:
            writer.add_event(event)
    finally:
        writer.close()


def _scalar_summary(tag: str, value: float):
    import numpy as np
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.scalar import metadata as scalar_metadata
    from tensorboard.util import tensor_util

    summary = summary_pb2.Summary()
    summary.value.add(tag=tag, metadata=scalar_metadata.create_summary_metadata(tag, ""),
                      tensor=tensor_util.make_tensor_proto(np.float32(value)))
    return summary


def export_tensorboard(runs: Iterable[TrackedRun], logdir) -> Path:
    """Write ``runs`` for TensorBoard's HParams dashboard (survey §8.3, "visual
    comparisons between runs … easy sharing"); open it with ``tensorboard --logdir
    <logdir>``.

    ``logdir`` gets the experiment's ``hparams_config`` (one domain per hyperparameter —
    ``Discrete`` for categorical values, an interval for numbers — and one metric per
    logged metric), and one sub-directory per run (``<study>-run-<number>``) with the
    run's hyperparameters (``hparams``, trial id = that name) and its scalars: each
    per-epoch metric at step k = epoch k (1-based), each test metric as ``test_<m>`` at
    the last epoch. Written with tensorboard's own protos and event writer (no
    TensorFlow needed); re-exporting replaces the previous event files. Returns the
    ``logdir`` path.
    """
    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.hparams import api as hp
    from tensorboard.plugins.hparams import summary_v2

    runs = check_runs(runs, "export")
    if not isinstance(logdir, (str, os.PathLike)):
        raise ValueError(f"logdir must be a folder path; got {logdir!r}")
    root = Path(logdir).expanduser()
    if root.exists() and not root.is_dir():
        raise ValueError(f"logdir must be a folder, not a file; got {str(root)!r}")
    names = [_tb_run_name(r) for r in runs]
    if len(set(names)) != len(names):
        raise ValueError("runs must not hold the same run twice")
    metric_names = []
    for r in runs:
        metric_names += [m for m in (*r.history, *(f"test_{k}" for k in r.test))
                         if m not in metric_names]
    now = time.time()
    config = summary_v2.hparams_config_pb(
        hparams=_hparam_domains(runs),
        metrics=[hp.Metric(m, display_name=m) for m in metric_names], time_created_secs=now)
    _write_events(root, [event_pb2.Event(wall_time=now, step=0, summary=config)])
    for r, name in zip(runs, names, strict=True):
        wall = r.started or now
        events = [event_pb2.Event(
            wall_time=wall, step=0,
            summary=summary_v2.hparams_pb({k: _hparam_value(v) for k, v in r.params.items()},
                                          trial_id=name, start_time_secs=wall))]
        for metric, values in r.history.items():
            for k, v in enumerate(values, start=1):
                events.append(event_pb2.Event(wall_time=wall + k, step=k,
                                              summary=_scalar_summary(metric, v)))
        for metric, v in r.test.items():
            events.append(event_pb2.Event(wall_time=wall + r.epochs + 1, step=max(r.epochs, 1),
                                          summary=_scalar_summary(f"test_{metric}", v)))
        _write_events(root / name, events)
    return root


def read_tensorboard(logdir) -> dict:
    """Read back an :func:`export_tensorboard` folder with tensorboard's own readers
    (``EventAccumulator`` and the HParams plugin's metadata parsers): ``{"config":
    {"hparams": {name: domain description}, "metrics": [...]}, "runs": {sub-directory:
    {"hparams": {...}, "scalars": {tag: [(step, value), …]}}}}``."""
    import numpy as np
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.plugins.hparams import metadata as hp_metadata
    from tensorboard.util import tensor_util

    root = Path(logdir)
    if not root.is_dir():
        raise ValueError(f"logdir must be an existing folder; got {str(root)!r}")
    guidance = {event_accumulator.TENSORS: 0}

    def load(path):
        acc = event_accumulator.EventAccumulator(str(path), size_guidance=guidance)
        acc.Reload()
        return acc

    def plugin_content(acc, tag):
        return acc.SummaryMetadata(tag).plugin_data.content

    top = load(root)
    experiment = hp_metadata.parse_experiment_plugin_data(
        plugin_content(top, hp_metadata.EXPERIMENT_TAG))
    config = {"hparams": {}, "metrics": [m.name.tag for m in experiment.metric_infos]}
    for info in experiment.hparam_infos:
        if info.HasField("domain_discrete"):
            domain = [_value_of(v) for v in info.domain_discrete.values]
        else:
            domain = (info.domain_interval.min_value, info.domain_interval.max_value)
        config["hparams"][info.name] = domain
    out = {"config": config, "runs": {}}
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        acc = load(sub)
        start = hp_metadata.parse_session_start_info_plugin_data(
            plugin_content(acc, hp_metadata.SESSION_START_INFO_TAG))
        hparams = {k: _value_of(start.hparams[k]) for k in sorted(start.hparams)}
        scalars = {}
        for tag in acc.Tags()["tensors"]:
            if tag == hp_metadata.SESSION_START_INFO_TAG:
                continue
            scalars[tag] = [(e.step, float(np.asarray(tensor_util.make_ndarray(e.tensor_proto))))
                            for e in acc.Tensors(tag)]
        out["runs"][sub.name] = {"hparams": hparams, "group": start.group_name,
                                 "scalars": scalars}
    return out


def _value_of(v):
    kind = v.WhichOneof("kind")
    if kind == "number_value":
        return v.number_value
    if kind == "string_value":
        return v.string_value
    if kind == "bool_value":
        return v.bool_value
    return None
