"""Experiment tracking (survey §8.3): the callback records what Keras logs, runs are
durable across processes and kills, concurrent writers do not corrupt the file, filters
and comparisons return exactly the right runs, and the TensorBoard export reads back."""

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from surveykit import tracking
from surveykit.tracking import ExperimentLog, TrackedRun
from surveykit.tuning.store import TrialStore

HERE = Path(__file__).parent
WORKER = str(HERE / "tracking_worker.py")
TUNING_WORKER = str(HERE / "tuning_worker.py")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)])}


def _log_runs(log, specs):
    """Log runs given as (params, tags, [(loss, val_loss), …], test) in order."""
    for params, tags, epochs, test in specs:
        with log.start(params, tags=tags) as run:
            for loss, val in epochs:
                run.log_epoch({"loss": loss, "val_loss": val})
            run.finish(test)


SPECS = [
    ({"learning_rate": 0.01, "optimizer": "adam", "batch_size": 32}, ["baseline"],
     [(0.9, 1.0), (0.5, 0.6)], {"loss": 0.62, "accuracy": 0.90}),
    ({"learning_rate": 0.1, "optimizer": "sgd", "batch_size": 32}, [],
     [(0.8, 0.9), (0.4, 0.3)], {"loss": 0.31, "accuracy": 0.95}),
    ({"learning_rate": 0.001, "optimizer": "adam", "batch_size": 64}, ["baseline", "small"],
     [(0.7, 0.7), (0.6, 0.25), (0.55, 0.35)], {"loss": 0.36, "accuracy": 0.93}),
    ({"learning_rate": 0.1, "optimizer": "adam", "batch_size": 64}, ["small"],
     [(0.7, 0.8), (0.3, 0.2)], {"loss": 0.22, "accuracy": 0.92}),
]


@pytest.fixture
def log():
    log = ExperimentLog(None)
    _log_runs(log, SPECS)
    return log


# --------------------------------------------------------------------------- the Keras callback


def _keras_model(n_features, *, built=True):
    import keras

    layers = [keras.layers.Dense(6, activation="relu"), keras.layers.Dropout(0.25),
              keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(1, activation="sigmoid")]
    if built:
        layers.insert(0, keras.Input((n_features,)))
    return keras.Sequential(layers)


@pytest.mark.parametrize("built", [True, False])
def test_callback_records_exactly_what_history_holds(built):
    import keras

    from surveykit import data

    split = data.breast_cancer_split(seed=0)
    keras.utils.set_random_seed(0)
    model = _keras_model(split.n_features, built=built)
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    log = ExperimentLog(None)
    params = {"learning_rate": 0.01, "optimizer": "adam", "dropout": 0.25}
    cb = log.callback(params, test_data=(split.X_test, split.y_test), tags=["keras"], notes="n")
    hist = model.fit(split.X_train, split.y_train, validation_data=(split.X_val, split.y_val),
                     epochs=3, batch_size=64, verbose=0, callbacks=[cb])
    (run,) = log.runs()
    assert cb.number == run.number == 0
    assert set(run.history) == set(hist.history) == {"loss", "val_loss", "accuracy",
                                                     "val_accuracy"}
    for k, values in hist.history.items():  # the same numbers, exactly
        assert run.history[k] == [float(v) for v in values]
    assert run.value == float(hist.history["val_loss"][-1])
    test = model.evaluate(split.X_test, split.y_test, verbose=0, return_dict=True)
    assert run.test == {k: float(v) for k, v in test.items()}
    assert run.final("test_accuracy") == float(test["accuracy"])
    assert (run.params, run.tags, run.notes, run.state) == (params, ("keras",), "n", "complete")
    arch = run.architecture
    assert arch["total_params"] == model.count_params() == 30 * 6 + 6 + 6 * 3 + 3 + 3 + 1
    assert [layer["type"] for layer in arch["layers"]] == ["Dense", "Dropout", "Dense", "Dense"]
    assert [layer.get("units") for layer in arch["layers"]] == [6, None, 3, 1]
    assert [layer.get("activation") for layer in arch["layers"]] == ["relu", None, "tanh",
                                                                     "sigmoid"]
    assert arch["layers"][1]["rate"] == 0.25
    assert [layer["params"] for layer in arch["layers"]] == [
        layer.count_params() for layer in model.layers]
    assert arch["optimizer"]["name"] == "Adam"
    assert arch["optimizer"]["learning_rate"] == pytest.approx(0.01, rel=1e-6)


def test_a_nan_loss_fails_the_run_and_stops_training():
    import keras

    from surveykit import data

    split = data.breast_cancer_split(seed=0)
    X = split.X_train.copy()
    X[5, 0] = np.nan  # every epoch's loss becomes NaN
    keras.utils.set_random_seed(0)
    model = _keras_model(split.n_features)
    model.compile("adam", "binary_crossentropy")
    log = ExperimentLog(None)
    hist = model.fit(X, split.y_train, validation_data=(split.X_val, split.y_val), epochs=5,
                     verbose=0, callbacks=[log.callback({"learning_rate": 1e-3},
                                                        test_data=(split.X_test, split.y_test))])
    assert len(hist.history["loss"]) == 1 and math.isnan(hist.history["loss"][0])
    assert log.runs() == []
    (run,) = log.runs(state="failed")
    assert run.error.startswith("diverged in epoch 1: loss = nan")
    assert run.history == {} and run.test == {} and run.value is None
    assert run.diverged and run.diverged_at == 1


def test_recorder_divergence_keeps_the_finite_epochs():
    log = ExperimentLog(None)
    run = log.start({"learning_rate": 10.0})
    assert run.log_epoch({"loss": 2.0, "val_loss": 3.0})
    assert run.log_epoch({"loss": 50.0, "val_loss": 90.0})
    assert not run.log_epoch({"loss": np.inf, "val_loss": np.nan})
    stored = log.run(0)
    assert stored.state == "failed" and run.state == "failed"
    assert stored.error == "diverged in epoch 3: loss = inf, val_loss = nan"
    assert stored.history == {"loss": [2.0, 50.0], "val_loss": [3.0, 90.0]}
    assert stored.diverged_at == 3
    with pytest.raises(ValueError, match="already failed"):
        run.log_epoch({"loss": 1.0, "val_loss": 1.0})


def test_context_manager_fails_on_exception_and_reraises():
    log = ExperimentLog(None)
    with pytest.raises(KeyError):
        with log.start({"x": 1}) as run:
            run.log_epoch({"loss": 1.0})
            raise KeyError("boom")
    (r,) = log.runs(state="failed")
    assert r.error == "KeyError: 'boom'" and r.history == {"loss": [1.0]}


# --------------------------------------------------------------------------- durability


def test_runs_survive_a_restart(tmp_path):
    """A real Keras fit logged in one process; a new process (this one) reads it."""
    db = tmp_path / "runs.db"
    out = subprocess.run([sys.executable, WORKER, "keras", str(db)], capture_output=True,
                         text=True, timeout=120, env=ENV, check=True)
    written = json.loads(out.stdout.strip().splitlines()[-1])
    assert written["pid"] != os.getpid()
    log = ExperimentLog(db)
    (run,) = log.runs()
    assert run.history == written["history"]  # equal numbers, float for float
    assert len(run.history["loss"]) == 4
    assert run.test == written["test"]
    assert run.params == written["params"]
    assert run.architecture["total_params"] == written["total_params"]
    assert (run.tags, run.notes) == (("subprocess",), "written elsewhere")
    assert run.value == written["history"]["val_loss"][-1]
    assert log.abandoned_on_open == []


def test_a_killed_run_keeps_its_epochs_and_is_abandoned_on_reopen(tmp_path):
    db, ready = tmp_path / "runs.db", tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, WORKER, "killed", str(db), str(ready)], env=ENV)
    try:
        deadline = time.time() + 60
        while not ready.exists():
            assert proc.poll() is None, "the worker died before logging its epochs"
            assert time.time() < deadline
            time.sleep(0.02)
        assert ExperimentLog(db).runs(state="running")[0].epochs == 3  # alive: still running
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    log = ExperimentLog(db)
    assert log.abandoned_on_open == [0]
    (run,) = log.runs(state="abandoned")
    assert run.history == {"loss": [1.0, 0.5, 1 / 3], "val_loss": [2.0, 1.0, 2 / 3]}
    assert run.tags == ("doomed",) and "died" in run.error
    assert log.runs() == []
    # a new run continues the numbering
    with log.start({"learning_rate": 0.01}) as r:
        r.log_epoch({"loss": 0.1})
    assert [r.number for r in log.runs(state=None)] == [0, 1]


def test_concurrent_writers_leave_every_run_intact(tmp_path):
    """Three processes log runs epoch by epoch into one file while a tuning study writes
    to it too: every run complete with its own numbers, numbers unique and contiguous."""
    db, ready = tmp_path / "shared.db", tmp_path / "ready"
    ready.mkdir()
    k, epochs, n_tuning = 5, 6, 10
    procs = [subprocess.Popen([sys.executable, WORKER, "writer", str(db), str(k), str(epochs),
                               str(ready), "4"], env=ENV) for _ in range(3)]
    procs.append(subprocess.Popen([sys.executable, TUNING_WORKER, "writer", str(db), "search",
                                   str(n_tuning), str(ready), "4"], env=ENV))
    for p in procs:
        assert p.wait(timeout=180) == 0
    log = ExperimentLog(db)
    runs = log.runs(state=None)
    assert [r.number for r in runs] == list(range(3 * k))
    assert all(r.state == "complete" for r in runs)
    pids = [r.params["writer"] for r in runs]
    assert len(set(pids)) == 3 and all(pids.count(p) == k for p in set(pids))
    assert sum(a != b for a, b in zip(pids, pids[1:], strict=False)) >= 2  # interleaved
    for r in runs:
        pid, i = r.params["writer"], r.params["i"]
        assert r.tags == (f"w{pid}",)
        assert r.history["loss"] == pytest.approx([i + e / 100 for e in range(1, epochs + 1)],
                                                  abs=1e-12)
        assert r.history["val_loss"] == pytest.approx(
            [pid + i + e / 100 for e in range(1, epochs + 1)], rel=1e-15)
        assert r.value == r.history["val_loss"][-1]
    assert sorted(r.params["i"] for r in runs if r.params["writer"] == pids[0]) == list(range(k))
    trials = log.runs(study="search", state=None)
    assert [t.number for t in trials] == list(range(n_tuning))
    assert all(t.state == "complete" for t in trials)
    assert sorted(log.studies()) == ["experiments", "search"]
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --------------------------------------------------------------------------- reading


def test_filters_return_exactly_the_matching_runs(log):
    numbers = lambda runs: [r.number for r in runs]  # noqa: E731
    assert numbers(log.runs()) == [0, 1, 2, 3]
    assert numbers(log.runs(optimizer="adam")) == [0, 2, 3]
    assert numbers(log.runs(optimizer="adam", batch_size=64)) == [2, 3]
    assert numbers(log.runs(learning_rate=[0.1, 0.001])) == [1, 2, 3]
    assert numbers(log.runs(tags="baseline")) == [0, 2]
    assert numbers(log.runs(tags=["baseline", "small"])) == [2]
    assert numbers(log.runs(where=lambda r: r.final("val_loss") < 0.32)) == [1, 3]
    # final, not best, epoch: run 2 reached 0.25 in epoch 2 but ended at 0.35
    assert numbers(log.runs(where=lambda r: min(r.history["val_loss"]) < 0.32)) == [1, 2, 3]
    assert numbers(log.runs(optimizer="adam", where=lambda r: r.test["accuracy"] > 0.91)) == [2, 3]
    assert numbers(log.runs(optimizer="rmsprop")) == []
    bad = log.start({"learning_rate": 1.0, "optimizer": "sgd"})
    bad.log_epoch({"loss": float("nan"), "val_loss": 1.0})
    log.start({"learning_rate": 0.5, "optimizer": "sgd"})  # still running
    assert numbers(log.runs(optimizer="sgd")) == [1]
    assert numbers(log.runs(optimizer="sgd", state="failed")) == [4]
    assert numbers(log.runs(optimizer="sgd", state=["failed", "running"])) == [4, 5]
    assert numbers(log.runs(state=None)) == [0, 1, 2, 3, 4, 5]
    # True is not 1
    flags = ExperimentLog(None)
    _log_runs(flags, [({"bn": True}, [], [(1.0, 1.0)], None),
                      ({"bn": 1}, [], [(1.0, 1.0)], None)])
    assert numbers(flags.runs(bn=True)) == [0] and numbers(flags.runs(bn=1)) == [1]


def test_best_and_table(log):
    runs = log.runs()
    assert tracking.best(runs).number == 3  # final val_loss 0.2
    assert tracking.best(runs, "test_accuracy", mode="max").number == 1
    assert tracking.best(runs, "loss").number == 3
    assert tracking.best(runs[:3]).number == 1
    table = tracking.runs_table(runs)
    # the store keeps params as JSON with sorted keys: hyperparameters in name order
    assert table.columns == ["number", "batch_size", "learning_rate", "optimizer", "epochs",
                             "loss", "val_loss", "test_accuracy", "test_loss", "state"]
    assert [row["val_loss"] for row in table.rows] == [0.6, 0.3, 0.35, 0.2]
    assert [row["epochs"] for row in table.rows] == [2, 2, 3, 2]
    assert [row["test_accuracy"] for row in table.rows] == [0.9, 0.95, 0.93, 0.92]
    text = str(table).splitlines()
    assert len(text) == 5 and text[0].split() == table.columns
    assert text[3].split() == ["2", "64", "0.001", "adam", "3", "0.55", "0.35", "0.93", "0.36",
                               "complete"]
    assert table._repr_html_().count("<tr>") == 5
    small = tracking.runs_table(runs, ["number", "tags", "val_loss"])
    assert small.rows[2] == {"number": 2, "tags": ["baseline", "small"], "val_loss": 0.35}
    labels = tracking.run_labels(runs)
    assert labels[0] == "#0 batch_size=32, learning_rate=0.01, optimizer=adam"


def test_tuning_study_trials_are_listed_as_runs(tmp_path):
    sys.path.insert(0, str(HERE))
    from tuning_worker import SPACE, SeededRandom, bowl

    from surveykit.tuning.study import Study

    db = tmp_path / "one.db"
    study = Study(SPACE, SeededRandom(SPACE, seed=1), db, name="search")

    def objective(trial):
        trial.metrics["val_loss"] = [bowl(trial) + 1, bowl(trial)]
        return bowl(trial)

    study.optimize(objective, 4, progress=None)
    log = ExperimentLog(study.store)  # the same store object, and the same file
    _log_runs(log, SPECS[:1])
    runs = log.runs(study="search")
    assert [r.number for r in runs] == [0, 1, 2, 3]
    for r, t in zip(runs, study.trials, strict=True):
        assert (r.params, r.value, r.study) == (t.params, t.value, "search")
        assert r.final("val_loss") == t.value
    assert tracking.best(runs).number == study.best.number
    assert [r.number for r in ExperimentLog(db).runs()] == [0]
    assert len(tracking.runs_table([*log.runs(), *runs]).rows) == 5
    assert tracking.runs_table([*log.runs(), *runs]).columns[0] == "study"
    with pytest.raises(ValueError, match="tuning study"):
        ExperimentLog(db, name="search")


def test_tracked_run_curves_give_train_and_val():
    from surveykit import curves
    log = ExperimentLog(None)
    _log_runs(log, SPECS[2:3])
    c = log.runs()[0].curves()
    assert isinstance(c, curves.Curves)
    assert list(c.train) == [0.7, 0.6, 0.55] and list(c.val) == [0.7, 0.25, 0.35]


# --------------------------------------------------------------------------- TensorBoard


def test_tensorboard_export_reads_back_with_tensorboards_readers(log, tmp_path):
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.plugins.hparams import metadata as hp_metadata
    from tensorboard.util import tensor_util

    runs = log.runs()
    root = tracking.export_tensorboard(runs, tmp_path / "tb")
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == [
        f"experiments-run-{i:03d}" for i in range(4)]

    def acc(path):
        a = event_accumulator.EventAccumulator(str(path), size_guidance={"tensors": 0})
        a.Reload()
        return a

    top = acc(root)
    exp = hp_metadata.parse_experiment_plugin_data(
        top.SummaryMetadata(hp_metadata.EXPERIMENT_TAG).plugin_data.content)
    infos = {i.name: i for i in exp.hparam_infos}
    assert list(infos) == ["batch_size", "learning_rate", "optimizer"]
    lr = infos["learning_rate"].domain_interval
    assert (lr.min_value, lr.max_value) == (0.001, 0.1)
    assert [v.string_value for v in infos["optimizer"].domain_discrete.values] == ["adam", "sgd"]
    bs = infos["batch_size"].domain_interval
    assert (bs.min_value, bs.max_value) == (32, 64)
    assert [m.name.tag for m in exp.metric_infos] == ["loss", "val_loss", "test_accuracy",
                                                      "test_loss"]
    for run in runs:
        a = acc(root / f"experiments-run-{run.number:03d}")
        start = hp_metadata.parse_session_start_info_plugin_data(
            a.SummaryMetadata(hp_metadata.SESSION_START_INFO_TAG).plugin_data.content)
        assert start.hparams["learning_rate"].number_value == run.params["learning_rate"]
        assert start.hparams["optimizer"].string_value == run.params["optimizer"]
        assert start.hparams["batch_size"].number_value == run.params["batch_size"]
        for metric, values in run.history.items():
            events = a.Tensors(metric)
            assert [e.step for e in events] == list(range(1, len(values) + 1))
            got = [float(tensor_util.make_ndarray(e.tensor_proto)) for e in events]
            assert got == [float(np.float32(v)) for v in values]
        (e,) = a.Tensors("test_accuracy")
        assert float(tensor_util.make_ndarray(e.tensor_proto)) == float(
            np.float32(run.test["accuracy"]))
        assert e.step == run.epochs
    # our reader agrees, and re-exporting replaces rather than duplicates
    tracking.export_tensorboard(runs, root)
    back = tracking.read_tensorboard(root)
    assert back["config"]["hparams"]["optimizer"] == ["adam", "sgd"]
    assert back["runs"]["experiments-run-002"]["hparams"] == runs[2].params
    assert [v for _, v in back["runs"]["experiments-run-002"]["scalars"]["val_loss"]] == [
        float(np.float32(v)) for v in runs[2].history["val_loss"]]
    assert len(list((root / "experiments-run-000").glob("events.out.tfevents.*"))) == 1


# --------------------------------------------------------------------------- bad input


def test_bad_input_names_the_argument_value_and_choices(log, tmp_path):
    with pytest.raises(ValueError, match=r"state must be one of \['running', 'complete', "
                                         r"'failed', 'abandoned'\]; got 'done'"):
        log.runs(state="done")
    with pytest.raises(ValueError, match=r"optimiser must be one of the hyperparameters of "
                                         r"these runs: \['batch_size', 'learning_rate', "
                                         r"'optimizer'\]; got 'optimiser'"):
        log.runs(optimiser="adam")
    with pytest.raises(ValueError, match=r"study must be one of the studies in ':memory:': "
                                         r"\['experiments'\]; got 'nope'"):
        log.runs(study="nope")
    with pytest.raises(ValueError, match="where must be None or a function"):
        log.runs(where=3)
    with pytest.raises(ValueError, match=r"mode must be one of \['min', 'max'\]; got 'low'"):
        tracking.best(log.runs(), mode="low")
    with pytest.raises(ValueError, match=r"metric must be one that these runs have.*"
                                         r"got 'val_acc'"):
        tracking.best(log.runs(), "val_acc")
    with pytest.raises(ValueError, match=r"columns \(each\) must be one of .*got 'lr'"):
        tracking.runs_table(log.runs(), ["number", "lr"])
    with pytest.raises(ValueError, match="params must be a dict"):
        log.start([0.1])
    with pytest.raises(ValueError, match=r"params\['lr'\] must be a number, string, bool or "
                                         r"None; got \[0.1\]"):
        log.start({"lr": [0.1]})
    with pytest.raises(ValueError, match=r"params\['lr'\] must be finite; got nan"):
        log.start({"lr": float("nan")})
    with pytest.raises(ValueError, match="tags must be non-empty strings; got 3"):
        log.start({"lr": 0.1}, tags=[3])
    with pytest.raises(ValueError, match="test_data must be None or a pair"):
        log.callback({"lr": 0.1}, test_data=np.zeros(3))
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        ExperimentLog(None, name="")
    run = log.start({"lr": 0.1})
    with pytest.raises(ValueError, match=r"logs\['loss'\] must be a number; got 'low'"):
        run.log_epoch({"loss": "low"})
    with pytest.raises(ValueError, match="logs must be a non-empty dict"):
        run.log_epoch({})
    run.log_epoch({"loss": 1.0, "val_loss": 1.0})
    with pytest.raises(ValueError, match="the same metrics every epoch"):
        run.log_epoch({"loss": 1.0})
    with pytest.raises(ValueError, match="runs must hold at least one run"):
        tracking.export_tensorboard([], tmp_path / "tb")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="logdir must be a folder, not a file"):
        tracking.export_tensorboard(log.runs(), tmp_path / "file")
    with pytest.raises(ValueError, match="model must be a keras.Model"):
        tracking.describe_model("mlp")


def test_store_is_the_tuning_store(tmp_path):
    """The log is a study of a TrialStore: the file has one studies table and one trials
    table, and the run is a trial row with its JSON columns."""
    db = tmp_path / "one.db"
    log = ExperimentLog(db)
    _log_runs(log, SPECS[:2])
    store = TrialStore(db)
    (record,) = store.studies()
    assert (record.name, record.space, record.strategy) == (
        "experiments", [], tracking.TRACKING_STRATEGY)
    rows = store.records(record.id)
    assert [r["state"] for r in rows] == ["complete", "complete"]
    assert rows[0]["metrics"] == {"loss": [0.9, 0.5], "val_loss": [1.0, 0.6]}
    assert rows[0]["user_attrs"] == {"tags": ["baseline"], "notes": "",
                                     "test": {"loss": 0.62, "accuracy": 0.9}}
    assert rows[1]["value"] == 0.3
    assert isinstance(log.runs()[0], TrackedRun)


def test_a_diverged_run_s_curves_say_so():
    from surveykit import curves

    log = ExperimentLog(None)
    run = log.start({"learning_rate": 10.0})
    run.log_epoch({"loss": 2.0, "val_loss": 3.0})
    run.log_epoch({"loss": np.nan, "val_loss": 3.0})
    c = log.runs(state="failed")[0].curves()
    assert c.train[0] == 2.0 and math.isnan(c.train[1]) and len(c.train) == 2
    assert curves.diagnose(c).kind == "diverged"


def test_copy_to_gives_one_file_with_every_study(tmp_path):
    log = ExperimentLog(tmp_path / "live.db")
    _log_runs(log, SPECS)
    other = ExperimentLog(log.store, name="second log")
    _log_runs(other, SPECS[:1])
    copy = log.copy_to(tmp_path / "to-send.db")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("to-send")) == [
        "to-send.db"]
    received = ExperimentLog(copy)
    assert [(r.number, r.params, r.history, r.test) for r in received.runs()] == [
        (r.number, r.params, r.history, r.test) for r in log.runs()]
    assert [r.params for r in received.runs(study="second log")] == [SPECS[0][0]]
