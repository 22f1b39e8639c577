"""The search loop (survey §6): ask/tell, failures, stop, resume after a kill, process pool."""

import json
import math
import os
import signal
import subprocess
import sys
import time
import warnings
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest
from tuning_worker import SPACE, SeededRandom, SleepyBowl, bowl

from surveykit.tuning import Space, Strategy, Suggestion, Trial, Uniform, completed, running
from surveykit.tuning.store import TrialStore
from surveykit.tuning.study import Study, TrialTable, best_so_far, trial_seed

WORKER = str(Path(__file__).with_name("tuning_worker.py"))


def _study(seed=0, **kw):
    return Study(SPACE, SeededRandom(SPACE, seed=seed), **kw)


class Fixed(Strategy):
    """A fixed list of points, each asked once ("a grid"); [] when they are all out."""

    name = "fixed"

    def __init__(self, space, points, budgets=None):
        super().__init__(space)
        self.points, self.budgets = list(points), budgets

    def ask(self, trials, n=1):
        k = len(trials)
        return [Suggestion(p, None if self.budgets is None else self.budgets[k + i])
                for i, p in enumerate(self.points[k:k + n])]


class OneAtATime(SeededRandom):
    """Waits for the running trial before proposing the next ([] while one runs)."""

    def ask(self, trials, n=1):
        return [] if running(trials) else super().ask(trials, 1)


# ------------------------------------------------------------------ pure pieces
def test_trial_seed_is_a_function_of_base_and_number():
    expected = int(np.random.SeedSequence([7, 3], spawn_key=(1,)).generate_state(1)[0]) % 2**31
    assert trial_seed(7, 3) == expected
    seeds = [trial_seed(7, k) for k in range(50)]
    assert len(set(seeds)) == 50 and all(0 <= s < 2**31 for s in seeds)
    assert trial_seed(8, 3) != trial_seed(7, 3)
    with pytest.raises(ValueError, match="number"):
        trial_seed(7, -1)


def test_best_so_far_is_the_running_minimum_of_complete_values():
    states = ["failed", "complete", "running", "complete", "abandoned", "complete", "complete"]
    values = [None, 3.0, None, 5.0, None, 1.5, 2.0]
    trials = [Trial(k, {"x": 0.0}, state=s, value=v)
              for k, (s, v) in enumerate(zip(states, values, strict=True))]
    reference = np.fmin.accumulate(np.array([np.nan if v is None else v for v in values]))
    got = best_so_far(trials[::-1])  # order of the input does not matter
    np.testing.assert_array_equal(got, reference)
    assert math.isnan(got[0]) and got[-1] == 1.5
    assert best_so_far([]).shape == (0,)


# ------------------------------------------------------------------ the sequential loop
def test_optimize_records_params_seed_value_and_timing(tmp_path):
    study = _study(seed=4, storage=tmp_path / "s.db", name="bowl")
    assert study.optimize(bowl, 12, progress=None) is study
    trials = study.trials
    assert [t.number for t in trials] == list(range(12))
    assert all(t.state == "complete" and t.duration >= 0 for t in trials)
    strategy = SeededRandom(SPACE, seed=4)
    for t in trials:
        assert t.params == SPACE.sample(strategy.rng(t.number))
        assert t.value == bowl(t) and t.seed == trial_seed(4, t.number)
        assert isinstance(t.params["units"], int) and isinstance(t.params["learning_rate"], float)
    values = [t.value for t in trials]
    assert study.best.number == int(np.argmin(values))
    np.testing.assert_allclose(study.best_so_far(), np.minimum.accumulate(values))
    assert study.n_finished == 12 and study.counts()["complete"] == 12
    assert "bowl" in repr(study) and "complete 12" in repr(study)


def test_failures_are_recorded_with_their_error_and_the_search_goes_on():
    def objective(trial):
        k = trial.number
        if k == 1:
            raise ValueError(f"boom {k}")
        if k == 2:
            raise KeyError("units")
        if k == 3:
            return float("nan")
        if k == 4:
            return -np.inf
        if k == 5:
            return "not a number"
        if k == 6:
            raise RuntimeError()
        return np.float32(bowl(trial))

    study = _study().optimize(objective, 9, progress=None)
    states = [t.state for t in study.trials]
    assert states == ["complete"] + ["failed"] * 6 + ["complete"] * 2
    errors = [t.error for t in study.trials]
    assert errors[1] == "ValueError: boom 1" and errors[2] == "KeyError: 'units'"
    assert errors[3] == "NonFiniteValue: the objective returned nan (a finite loss is needed)"
    assert errors[4].startswith("NonFiniteValue: the objective returned -inf")
    assert errors[5].startswith("TypeError: the objective must return a number")
    assert errors[6] == "RuntimeError"
    assert all(t.value is None for t in study.trials[1:7])
    assert study.n_finished == 9 and study.best.number in (0, 7, 8)


def test_failed_trials_match_optuna():
    """The same values through Optuna's own study: an exception or NaN is a FAIL there
    too, and the best trial is the same one (Optuna keeps ±inf as complete; surveykit
    fails it, so the list has none)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    values = [3.0, float("nan"), "raise", 1.0, 2.5, float("nan"), 0.5, "raise", 4.0]

    def objective(trial):
        v = values[trial.number]
        if v == "raise":
            raise ValueError("boom")
        return v

    ours = Study(Space([Uniform("x", 0, 1)]), SeededRandom(Space([Uniform("x", 0, 1)])))
    ours.optimize(objective, len(values), progress=None)
    theirs = optuna.create_study(direction="minimize")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna: "The value nan is not acceptable"
        theirs.optimize(objective, len(values), catch=(ValueError,))
    assert [t.state for t in ours.trials] == [t.state.name.lower().replace("fail", "failed")
                                              for t in theirs.trials]
    assert ours.best.number == theirs.best_trial.number
    assert ours.best.value == theirs.best_value


def test_stop_is_honoured_and_sees_the_trials():
    seen = []

    def stop(trials):
        seen.append(len(trials))
        return len(completed(trials)) >= 4

    study = _study().optimize(bowl, 10, stop=stop, progress=None)
    assert study.n_finished == 4 and len(study.trials) == 4
    assert seen == [0, 1, 2, 3, 4]


def test_the_search_ends_when_the_strategy_has_nothing_left():
    space = Space([Uniform("x", 0, 1)])
    points = [{"x": v} for v in (0.1, 0.5, 0.9)]
    study = Study(space, Fixed(space, points, budgets=[1, 3, 9]))
    study.optimize(lambda t: (1 - t.params["x"]) / t.budget, 10, progress=None)
    assert [(t.params["x"], t.budget) for t in study.trials] == [(0.1, 1.0), (0.5, 3.0),
                                                                  (0.9, 9.0)]
    assert study.best.number == 2


def test_n_trials_counts_finished_trials_of_earlier_runs(tmp_path):
    calls = []

    def objective(trial):
        calls.append(trial.number)
        return -1.0 if trial.number == 2 else bowl(trial)  # one failure counts too

    study = _study(storage=tmp_path / "s.db")
    study.optimize(objective, 5, progress=None)
    again = _study(storage=tmp_path / "s.db")  # a new session on the same file
    again.optimize(objective, 8, progress=None)
    again.optimize(objective, 8, progress=None)
    assert calls == list(range(8))
    assert again.n_finished == 8 and again.abandoned_on_open == []


def test_an_interrupted_search_abandons_its_trial_and_resumes_the_same_points():
    """A KeyboardInterrupt (the notebook's stop button) while trial 3 runs: the trial is
    abandoned, and the resumed search's complete trials have, number for number, the
    params an uninterrupted search draws."""
    def objective(trial):
        if trial.number == 3 and not trial.info.get("resumed"):
            raise KeyboardInterrupt
        return bowl(trial)

    study = _study(seed=11)
    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, 6, progress=None)
    assert [t.state for t in study.trials] == ["complete"] * 3 + ["abandoned"]
    assert study.trials[3].error == "Abandoned: KeyboardInterrupt"
    study.optimize(objective, 6, progress=None)
    assert [t.state for t in study.trials] == ["complete"] * 3 + ["abandoned"] + ["complete"] * 3
    uninterrupted = _study(seed=11).optimize(bowl, 7, progress=None)
    for t in completed(study.trials):
        assert t.params == uninterrupted.trials[t.number].params
        assert t.value == uninterrupted.trials[t.number].value


# ------------------------------------------------------------------ ask / tell by hand
def test_ask_and_tell_by_hand():
    study = _study()
    batch = study.ask(3)
    assert [t.number for t in batch] == [0, 1, 2] and all(t.state == "running" for t in batch)
    assert [t.info["pending"] for t in batch] == [0, 0, 0]
    assert study.ask(1)[0].info["pending"] == 3  # the strategy sees the pending trials
    batch[0].metrics["val_loss"] = [0.9, 0.7]
    told = study.tell(batch[0], 0.7)
    assert (told.state, told.value, told.metrics) == ("complete", 0.7, {"val_loss": [0.9, 0.7]})
    assert study.tell(1, float("inf")).state == "failed"
    assert study.tell(batch[2], error="diverged").error == "diverged"
    with pytest.raises(ValueError, match="already complete"):
        study.tell(batch[0], 0.1)
    with pytest.raises(ValueError, match="value"):
        study.tell(3)
    assert study.counts() == {"running": 1, "complete": 1, "failed": 2, "abandoned": 0}
    with pytest.raises(ValueError, match="n must be"):
        study.ask(0)


def test_bad_strategies_and_arguments_are_clear_errors(tmp_path):
    class TooMany(SeededRandom):
        def ask(self, trials, n=1):
            return super().ask(trials, n + 1)

    class OutOfRange(SeededRandom):
        def ask(self, trials, n=1):
            return [Suggestion({"learning_rate": 2.0, "units": 8, "activation": "relu"})]

    with pytest.raises(ValueError, match="at most n"):
        Study(SPACE, TooMany(SPACE)).ask(2)
    with pytest.raises(ValueError, match="learning_rate must be in"):
        Study(SPACE, OutOfRange(SPACE)).ask(1)
    other = Space([Uniform("x", 0, 1)])
    with pytest.raises(ValueError, match="different space"):
        Study(SPACE, SeededRandom(other))
    with pytest.raises(ValueError, match="strategy must be"):
        Study(SPACE, "random")
    _study(storage=tmp_path / "s.db", name="a")
    with pytest.raises(ValueError, match="different search space"):
        Study(other, SeededRandom(other), tmp_path / "s.db", name="a")
    study = _study()
    for kwargs, match in (({"n_jobs": 0}, "n_jobs"), ({"stop": 3}, "stop"),
                          ({"progress": True}, "progress")):
        with pytest.raises(ValueError, match=match):
            study.optimize(bowl, 3, **kwargs)
    with pytest.raises(ValueError, match="n_trials"):
        study.optimize(bowl, 0)
    with pytest.raises(ValueError, match="picklable"):
        study.optimize(lambda t: 0.0, 3, n_jobs=2)


def test_load_shows_a_stored_study_without_its_strategy(tmp_path):
    _study(storage=tmp_path / "s.db", name="done").optimize(bowl, 4, progress=None)
    loaded = Study.load(tmp_path / "s.db", "done")
    assert loaded.space == SPACE and loaded.n_finished == 4 and loaded.strategy is None
    with pytest.raises(ValueError, match="without a strategy"):
        loaded.optimize(bowl, 5, progress=None)
    with pytest.raises(ValueError, match="one of the studies"):
        Study.load(tmp_path / "s.db", "nope")


def test_progress_bar_is_drawn_with_its_label(capsys):
    _study().optimize(bowl, 5, progress="my search")
    err = capsys.readouterr().err
    assert "my search" in err and "5/5" in err and "best" in err


def test_table_sorts_by_value_and_formats_every_state():
    study = _study()
    trials = study.ask(5)
    for t, v in zip(trials[:3], (0.5, 0.25, 0.75), strict=True):
        study.tell(t, v)
    study.tell(trials[3], error="ValueError: " + "x" * 80)
    table = study.table()
    assert [r["number"] for r in table.rows] == [1, 0, 2, 3, 4]
    assert [r["state"] for r in table.rows] == ["complete"] * 3 + ["failed", "running"]
    assert table.columns == ["number", "learning_rate", "units", "activation", "value",
                             "state", "duration", "error"]
    assert [r["number"] for r in study.table(top=2)] == [1, 0] and len(study.table(top=2)) == 2
    assert "error" not in study.table(top=3).columns
    text = str(table).splitlines()
    assert text[0].split() == ["number", "learning_rate", "units", "activation", "value",
                               "state", "duration", "(s)", "error"]
    assert text[2].split()[0] == "1" and "0.25" in text[2] and "…" in text[5]
    html = table._repr_html_()
    assert html.count("<tr") == 6 and "<th>learning_rate</th>" in html
    budgets = TrialTable([Trial(0, {"x": 0.1}, budget=3.0, state="complete", value=1.0)],
                         Space([Uniform("x", 0, 1)]))
    assert budgets.columns == ["number", "x", "budget", "value", "state", "duration"]


# ------------------------------------------------------------------ processes
def test_a_process_pool_gives_the_same_results_and_shows_pending_trials():
    """n_jobs=2 evaluates the same trials as n_jobs=1 (a stateless strategy draws trial k
    from rng(k)); the strategy saw a pending trial while asking for the next one."""
    one = _study(seed=2).optimize(SleepyBowl(0.0), 8, progress=None)
    two = _study(seed=2).optimize(SleepyBowl(0.05), 8, n_jobs=2, progress=None)
    key = [(t.number, json.dumps(t.params, sort_keys=True), t.value, t.seed, t.state)
           for t in one.trials]
    assert [(t.number, json.dumps(t.params, sort_keys=True), t.value, t.seed, t.state)
            for t in two.trials] == key
    assert [t.info["pending"] for t in one.trials] == [0] * 8
    assert max(t.info["pending"] for t in two.trials) == 1
    assert all(t.duration >= 0.05 for t in two.trials)  # timed in the worker


class CrashOn:
    """Kills its worker process on one trial number, or on every trial with None (a
    segfault, an out-of-memory kill)."""

    def __init__(self, number):
        self.number = number

    def __call__(self, trial):
        if self.number is None or trial.number == self.number:
            os._exit(3)
        time.sleep(0.05)
        return bowl(trial)


def test_a_dying_worker_is_a_failed_trial_and_the_search_goes_on():
    study = _study().optimize(CrashOn(1), 6, n_jobs=2, progress=None)
    assert study.trials[1].state == "failed"
    assert study.trials[1].error.startswith("BrokenProcessPool")
    assert study.n_finished == 6 and len(completed(study.trials)) >= 4


def test_workers_that_keep_dying_stop_the_search():
    study = _study()
    with pytest.raises(RuntimeError, match="died three times in a row"):
        study.optimize(CrashOn(None), 20, n_jobs=2, progress=None)
    c = study.counts()
    assert c["running"] == 0 and c["complete"] == 0 and 3 <= c["failed"] < 20


def test_a_killed_search_resumes_without_re_running_finished_trials(tmp_path):
    """The issue's test: a search in a subprocess (each trial sleeps 0.2 s and logs its
    number and params; trial 3 never ends) is SIGKILLed once the store holds 3 finished
    trials and trial 3 running; a new process resumes it to n_trials."""
    db, log, n = tmp_path / "search.db", tmp_path / "calls.log", 8
    cmd = [sys.executable, WORKER, "search", str(db), str(log), str(n), "0.2", "3"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    store = TrialStore(db)
    deadline = time.time() + 60
    while True:
        assert time.time() < deadline and proc.poll() is None, "the search never got going"
        record = store.get_study("killed")
        counts = store.counts(record.id) if record else {"complete": 0, "running": 0}
        if counts["complete"] >= 3 and counts["running"] == 1:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    before = store.trials(record.id)
    finished_before = [t.number for t in before if t.state == "complete"]
    (interrupted,) = [t.number for t in before if t.state == "running"]
    assert (finished_before, interrupted) == ([0, 1, 2], 3)

    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)
    assert f"abandoned on open: [{interrupted}]" in out.stdout

    after = store.trials(record.id)
    assert sum(t.state == "complete" for t in after) == n
    assert [t.number for t in after if t.state == "abandoned"] == [interrupted]
    for t in before:  # finished trials are untouched
        if t.state == "complete":
            assert after[t.number] == t
    calls = [line.split("\t") for line in log.read_text().splitlines()]
    numbers = [int(k) for k, _ in calls]
    assert sorted(numbers) == list(range(n + 1))  # each trial evaluated exactly once
    assert len({p for _, p in calls}) == n + 1  # and no point evaluated twice
    assert numbers[:len(before)] == list(range(len(before)))  # the first process's calls
    assert set(finished_before) | {interrupted} == set(range(len(before)))
    # the resumed search drew, number for number, what an uninterrupted one draws
    uninterrupted = Study(SPACE, SeededRandom(SPACE, seed=7)).optimize(bowl, n + 1,
                                                                       progress=None)
    for t in after:
        assert t.params == uninterrupted.trials[t.number].params
        if t.state == "complete":
            assert t.value == uninterrupted.trials[t.number].value
            assert t.metrics["curve"] == pytest.approx([bowl(t) * (1 + 1 / (e + 1))
                                                        for e in range(3)])


def test_two_processes_share_one_study(tmp_path):
    """Two processes optimize the same stored study to 16 trials at once: 16 finished
    trials in all, numbered 0–15, evaluated by both."""
    db, ready = tmp_path / "s.db", tmp_path / "ready"
    ready.mkdir()
    procs = [subprocess.Popen([sys.executable, WORKER, "shared", str(db), "16", str(ready),
                               "2"]) for _ in range(2)]
    for p in procs:
        assert p.wait(timeout=120) == 0
    store = TrialStore(db)
    rows = store.records(store.get_study("shared").id)
    assert [r["number"] for r in rows] == list(range(16))
    assert all(r["state"] == "complete" for r in rows)
    assert len({r["pid"] for r in rows}) == 2


def test_evaluate_a_given_point_as_the_next_trial(tmp_path):
    study = _study(storage=tmp_path / "s.db")
    start = {"learning_rate": 0.01, "units": 16, "activation": "relu"}
    t0 = study.evaluate(bowl, start)
    assert (t0.number, t0.state, t0.value, t0.info) == (0, "complete", 0.0, {"given": True})
    assert t0.seed == trial_seed(study.seed, 0)
    study.optimize(bowl, n_trials=4, progress=None)
    trials = study.trials
    assert [t.number for t in trials] == [0, 1, 2, 3] and trials[0].params == start
    assert study.best.number == 0  # the given point is the bowl's minimum
    # the strategy saw the given trial in its history: its next points are numbered after it
    assert all(t.info.get("given") is None for t in trials[1:])
    # a failing point is a failed trial, as in optimize
    failed = study.evaluate(lambda t: math.nan, {**start, "units": 8})
    assert failed.state == "failed" and failed.number == 4
    with pytest.raises(ValueError, match="missing"):
        study.evaluate(bowl, {"learning_rate": 0.01})
    with pytest.raises(ValueError, match="learning_rate"):
        study.evaluate(bowl, {**start, "learning_rate": 5.0})
    assert len(study.trials) == 5  # invalid points were not registered


def test_a_pool_found_broken_at_submit_is_replaced(monkeypatch):
    """The race behind a CI failure: a worker dies after the loop's last check, so the next
    ``submit`` raises BrokenProcessPool; the search must go on in a fresh pool."""
    import surveykit.tuning.study as study_module

    real_new_pool = study_module._new_pool
    pools = []

    class BreaksOnThirdSubmit:
        def __init__(self, n_jobs):
            self.pool, self.calls = real_new_pool(n_jobs), 0

        def submit(self, *args):
            self.calls += 1
            if not pools.index(self) and self.calls == 3:  # only the first pool breaks
                raise BrokenProcessPool("a child process terminated abruptly")
            return self.pool.submit(*args)

        def shutdown(self, *args, **kwargs):
            self.pool.shutdown(*args, **kwargs)

    def new_pool(n_jobs):
        pools.append(BreaksOnThirdSubmit(n_jobs))
        return pools[-1]

    monkeypatch.setattr(study_module, "_new_pool", new_pool)
    study = _study().optimize(bowl, 5, n_jobs=2, progress=None)
    assert len(pools) == 2  # the broken one was replaced, once
    assert [t.state for t in study.trials] == ["complete"] * 5
