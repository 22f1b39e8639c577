"""Helpers for the tuning-study tests, importable by spawned workers and runnable as a script.

- :class:`SeededRandom` — a tiny stateless strategy: trial k is ``space.sample(rng(k))``,
  with ``info = {"pending": number of running trials it saw}``;
- :func:`bowl` — a fast deterministic objective; :class:`Logged` — a slow-ish one that
  appends "number<TAB>params" to a log file before evaluating;
- ``python tuning_worker.py search DB LOG N SLEEP HANG_AT`` — optimize a stored study to
  N trials; trial number HANG_AT never finishes (it sleeps ten minutes), so the kill test
  can kill the process mid-trial without a race, then run the command again;
- ``python tuning_worker.py writer DB NAME K READY_DIR N_WRITERS`` — K raw ask/tell
  rounds on study NAME, after a barrier (all writers ready), for the concurrency tests;
- ``python tuning_worker.py shared DB N READY_DIR N_WRITERS`` — ``optimize`` to N trials
  on a study shared with other processes, after the same barrier.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from surveykit.tuning import Categorical, Integer, LogUniform, Space, Strategy, Suggestion
from surveykit.tuning.base import running
from surveykit.tuning.study import Study

SPACE = Space([LogUniform("learning_rate", 1e-4, 1e-1), Integer("units", 4, 64, log=True),
               Categorical("activation", ["relu", "tanh"])])


class SeededRandom(Strategy):
    """Random search with no state: trial k draws ``space.sample(self.rng(k))``."""

    name = "seeded-random"

    def ask(self, trials, n=1):
        pending = len(running(trials))
        return [Suggestion(self.space.sample(self.rng(len(trials) + i)),
                           info={"pending": pending}) for i in range(n)]


def bowl(trial) -> float:
    """(log10 η + 2)² + (log2 units − 4)²/10, + 0.1 for tanh: minimum 0 at η=0.01, 16 relu."""
    p = trial.params
    import math

    return ((math.log10(p["learning_rate"]) + 2) ** 2 + (math.log2(p["units"]) - 4) ** 2 / 10
            + (0.1 if p["activation"] == "tanh" else 0.0))


class Logged:
    """``bowl`` after ``sleep`` seconds, appending "number<TAB>params-json" to ``log`` first;
    trial ``hang_at`` (if given) sleeps ten minutes instead: a trial in flight when killed."""

    def __init__(self, log, sleep: float, hang_at: int | None = None):
        self.log, self.sleep, self.hang_at = str(log), float(sleep), hang_at

    def __call__(self, trial) -> float:
        with open(self.log, "a") as f:
            f.write(f"{trial.number}\t{json.dumps(trial.params, sort_keys=True)}\n")
            f.flush()
            os.fsync(f.fileno())
        time.sleep(600.0 if trial.number == self.hang_at else self.sleep)
        trial.metrics["curve"] = [bowl(trial) * (1 + 1 / (e + 1)) for e in range(3)]
        return bowl(trial)


class SleepyBowl:
    """``bowl`` after ``sleep`` seconds."""

    def __init__(self, sleep: float):
        self.sleep = float(sleep)

    def __call__(self, trial) -> float:
        time.sleep(self.sleep)
        return bowl(trial)


def _barrier(ready_dir: str, n: int, timeout: float = 60.0) -> None:
    Path(ready_dir, str(os.getpid())).touch()
    deadline = time.time() + timeout
    while len(os.listdir(ready_dir)) < n:
        if time.time() > deadline:
            raise TimeoutError("the other writers never became ready")
        time.sleep(0.002)


def main(argv: list[str]) -> None:
    mode, db, *rest = argv
    if mode == "search":
        log, n, sleep, hang_at = rest[0], int(rest[1]), float(rest[2]), int(rest[3])
        study = Study(SPACE, SeededRandom(SPACE, seed=7), db, name="killed")
        print("abandoned on open:", study.abandoned_on_open, flush=True)
        study.optimize(Logged(log, sleep, hang_at), n, progress=None)
    elif mode == "writer":
        name, k, ready, n_writers = rest[0], int(rest[1]), rest[2], int(rest[3])
        study = Study(SPACE, SeededRandom(SPACE, seed=3), db, name=name)
        _barrier(ready, n_writers)
        for _ in range(k):
            (trial,) = study.ask(1)
            time.sleep(0.02)  # "evaluating": the other writers ask meanwhile
            study.tell(trial, bowl(trial) + trial.number)  # value ties the row to its number
    elif mode == "shared":
        n, ready, n_writers = int(rest[0]), rest[1], int(rest[2])
        study = Study(SPACE, SeededRandom(SPACE, seed=5), db, name="shared")
        _barrier(ready, n_writers)
        study.optimize(SleepyBowl(0.04), n, progress=None)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
