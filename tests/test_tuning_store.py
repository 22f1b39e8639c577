"""The SQLite trial store (survey §6): round trips, numbering under concurrency, isolation."""

import math
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from surveykit.tuning.store import HOST, TrialStore, pid_alive, to_json

WORKER = str(Path(__file__).with_name("tuning_worker.py"))
SPACE_A = [{"type": "uniform", "name": "x", "low": 0.0, "high": 1.0}]
SPACE_B = [{"type": "loguniform", "name": "lr", "low": 1e-4, "high": 1e-1}]


def test_round_trip_through_a_file(tmp_path):
    path = tmp_path / "trials.db"
    store = TrialStore(path)
    sid = store.open_study("s", SPACE_A, {"strategy": "manual", "seed": 0}).id
    added = store.add_trials(sid, [{"params": {"x": 0.25}, "budget": 3, "info": {"rung": 1}},
                                   {"params": {"x": np.float64(0.5)}}],
                             seed_of=lambda k: 100 + k, started=10.0)
    assert [t.number for t in added] == [0, 1]
    curve = np.array([0.9, 0.5, np.nan])
    store.finish_trial(sid, 0, state="complete", value=np.float32(0.125),
                       metrics={"val_loss": curve, "epochs": np.int64(3)},
                       user_attrs={"note": "first"}, finished=12.5)
    store.finish_trial(sid, 1, state="failed", error="ValueError: boom", finished=11.0)
    store.close()

    again = TrialStore(path)
    (record,) = again.studies()
    assert (record.name, record.space, record.strategy) == ("s", SPACE_A,
                                                            {"strategy": "manual", "seed": 0})
    t0, t1 = again.trials(record.id)
    assert (t0.params, t0.budget, t0.seed, t0.state, t0.value) == (
        {"x": 0.25}, 3.0, 100, "complete", 0.125)
    assert t0.info == {"rung": 1} and t0.started == 10.0 and t0.duration == 2.5
    assert t0.metrics["val_loss"][:2] == [0.9, 0.5] and math.isnan(t0.metrics["val_loss"][2])
    assert t0.metrics["epochs"] == 3
    assert (t1.params, t1.budget, t1.seed, t1.state, t1.value, t1.error) == (
        {"x": 0.5}, None, 101, "failed", None, "ValueError: boom")
    (r0, r1) = again.records(record.id)
    assert r0["user_attrs"] == {"note": "first"} and r0["pid"] == os.getpid()
    assert r0["host"] == HOST
    assert again.counts(record.id) == {"running": 0, "complete": 1, "failed": 1, "abandoned": 0}
    assert [t.number for t in again.trials(record.id, states=["failed"])] == [1]
    # the file is a plain SQLite database in WAL mode
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert c.execute("SELECT COUNT(*) FROM trials").fetchone()[0] == 2


def test_a_result_is_written_once_and_must_be_finite():
    store = TrialStore()
    sid = store.open_study("s", SPACE_A, {}).id
    (t,) = store.add_trials(sid, [{"params": {"x": 0.1}}])
    with pytest.raises(ValueError, match="finite"):
        store.finish_trial(sid, t.number, state="complete", value=float("nan"))
    store.finish_trial(sid, t.number, state="complete", value=1.0)
    with pytest.raises(ValueError, match="already complete"):
        store.finish_trial(sid, t.number, state="failed", error="late")
    with pytest.raises(ValueError, match="does not exist"):
        store.finish_trial(sid, 7, state="complete", value=1.0)
    with pytest.raises(ValueError, match="state must be one of"):
        store.finish_trial(sid, t.number, state="done", value=1.0)
    assert store.trials(sid)[0].value == 1.0


def test_an_existing_study_must_have_the_same_space(tmp_path):
    store = TrialStore(tmp_path / "s.db")
    store.open_study("s", SPACE_A, {"strategy": "a"})
    with pytest.raises(ValueError, match="different search space"):
        TrialStore(tmp_path / "s.db").open_study("s", SPACE_B, {"strategy": "a"})
    with pytest.warns(UserWarning, match="different strategy"):
        store.open_study("s", SPACE_A, {"strategy": "b"})


def test_bad_arguments_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="not a directory"):
        TrialStore(tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        TrialStore(tmp_path / "missing" / "s.db")
    with pytest.raises(ValueError, match="storage must be"):
        TrialStore(3)
    with pytest.raises(ValueError, match="name"):
        TrialStore().open_study("", SPACE_A, {})
    with pytest.raises(ValueError, match="JSON-serialisable"):
        to_json({"f": object()}, "metrics")


def test_two_studies_in_one_file_are_numbered_and_kept_apart(tmp_path):
    store = TrialStore(tmp_path / "s.db")
    a = store.open_study("a", SPACE_A, {}).id
    b = store.open_study("b", SPACE_B, {}).id
    for i in range(3):
        store.add_trials(a, [{"params": {"x": i / 10}}])
        store.add_trials(b, [{"params": {"lr": 10.0 ** -(i + 1)}}])
    store.finish_trial(a, 1, state="complete", value=5.0)
    assert [t.number for t in store.trials(a)] == [0, 1, 2]
    assert [t.number for t in store.trials(b)] == [0, 1, 2]
    assert [t.params["x"] for t in store.trials(a)] == [0.0, 0.1, 0.2]
    assert [t.state for t in store.trials(b)] == ["running"] * 3
    assert [s.name for s in store.studies()] == ["a", "b"]


def test_abandon_dead_marks_only_trials_of_dead_processes_on_this_host(tmp_path):
    store = TrialStore(tmp_path / "s.db")
    sid = store.open_study("s", SPACE_A, {}).id
    store.add_trials(sid, [{"params": {"x": 0.1}}, {"params": {"x": 0.2}},
                           {"params": {"x": 0.3}}, {"params": {"x": 0.4}}])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    assert not pid_alive(dead_pid) and pid_alive(os.getpid())
    with sqlite3.connect(tmp_path / "s.db") as c:  # pretend other processes started them
        c.execute("UPDATE trials SET pid = ? WHERE number IN (0, 1)", (dead_pid,))
        c.execute("UPDATE trials SET host = 'elsewhere' WHERE number = 1")
    assert store.abandon_dead(sid) == [0]  # 1: another host; 2, 3: this (live) process
    states = [t.state for t in store.trials(sid)]
    assert states == ["abandoned", "running", "running", "running"]
    assert "died" in store.trials(sid)[0].error


def test_concurrent_writers_get_unique_contiguous_numbers(tmp_path):
    """Three processes write to one file at once — two on study "a", one on study "b" —
    each doing 15 ask/tell rounds after a barrier: no number is given twice, none is
    skipped, no row is lost, and each row's value is the one its writer told."""
    db, ready, k = str(tmp_path / "s.db"), tmp_path / "ready", 15
    ready.mkdir()
    procs = [subprocess.Popen([sys.executable, WORKER, "writer", db, name, str(k), str(ready),
                               "3"]) for name in ("a", "a", "b")]
    for p in procs:
        assert p.wait(timeout=120) == 0
    store = TrialStore(db)
    for name, writers in (("a", 2), ("b", 1)):
        record = store.get_study(name)
        rows = store.records(record.id)
        assert [r["number"] for r in rows] == list(range(writers * k))
        assert all(r["state"] == "complete" for r in rows)
        pids = [r["pid"] for r in rows]
        assert len(set(pids)) == writers and all(pids.count(p) == k for p in set(pids))
        if writers == 2:  # they really wrote at the same time: the numbers interleave
            assert sum(a != b for a, b in zip(pids, pids[1:], strict=False)) >= 2
        for r in rows:  # the writer told bowl(params) + number: rows were not mixed up
            lr, units = r["params"]["learning_rate"], r["params"]["units"]
            bowl = ((math.log10(lr) + 2) ** 2 + (math.log2(units) - 4) ** 2 / 10
                    + (0.1 if r["params"]["activation"] == "tanh" else 0.0))
            assert r["value"] == pytest.approx(bowl + r["number"], rel=1e-12)


def test_update_trial_rewrites_a_running_trial_only(tmp_path):
    """Experiment tracking (§8.3) stores each epoch while the trial runs: the update is
    committed (another connection sees it at once) and refused once the trial is finished."""
    path = tmp_path / "s.db"
    store = TrialStore(path)
    sid = store.open_study("s", SPACE_A, {}).id
    (t,) = store.add_trials(sid, [{"params": {"x": 0.5}, "info": {"a": 1}}])
    store.update_trial(sid, t.number)  # nothing to change: a no-op
    store.update_trial(sid, t.number, metrics={"loss": [1.0]}, user_attrs={"tags": ["x"]})
    other = TrialStore(path)
    r = other.record(sid, t.number)
    assert (r["metrics"], r["user_attrs"], r["info"], r["state"]) == (
        {"loss": [1.0]}, {"tags": ["x"]}, {"a": 1}, "running")
    store.update_trial(sid, t.number, metrics={"loss": [1.0, np.float32(0.5)]}, info={"b": 2})
    r = other.record(sid, t.number)
    assert (r["metrics"], r["info"], r["user_attrs"]) == ({"loss": [1.0, 0.5]}, {"b": 2},
                                                          {"tags": ["x"]})
    store.finish_trial(sid, t.number, state="complete", value=0.5)
    with pytest.raises(ValueError, match="already complete; only a running trial"):
        store.update_trial(sid, t.number, metrics={"loss": []})
    with pytest.raises(ValueError, match="trial 9 does not exist"):
        store.update_trial(sid, 9, metrics={"loss": []})
    with pytest.raises(ValueError, match="trial 9 does not exist"):
        store.record(sid, 9)
    with pytest.raises(ValueError, match="JSON-serialisable"):
        other.update_trial(sid, t.number, metrics={"f": object()})
    assert other.record(sid, t.number)["metrics"] == {"loss": [1.0, 0.5]}


def test_backup_is_one_consistent_self_contained_file(tmp_path):
    store = TrialStore(tmp_path / "live.db")
    sid = store.open_study("s", SPACE_A, {}).id
    store.add_trials(sid, [{"params": {"x": 0.1}}, {"params": {"x": 0.2}}])
    store.finish_trial(sid, 0, state="complete", value=1.5, metrics={"loss": [2.0, 1.5]})
    assert (tmp_path / "live.db-wal").exists()  # the live file is in WAL mode
    dest = store.backup(tmp_path / "copy.db")
    assert not (tmp_path / "copy.db-wal").exists()
    with sqlite3.connect(dest) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy = TrialStore(dest)
    assert copy.records(sid) == store.records(sid)
    with pytest.raises(ValueError, match="must not exist yet"):
        store.backup(dest)
    with pytest.raises(ValueError, match="does not exist"):
        store.backup(tmp_path / "no" / "copy.db")
