"""A durable record of every trial of a search: SQLite, one file the user names (survey §6).

Every tuning strategy of §6 — manual, grid, random, adequate, coarse-to-fine, Bayesian —
is a loop "propose a configuration, train, measure the validation loss". Training is the
expensive part, so a search must not lose finished trials when its process dies (a kernel
restart, a kill) and must be able to run in several processes at once. This module keeps
the record; :class:`~surveykit.tuning.study.Study` runs the loop on top of it.

One SQLite file (or ``":memory:"``) holds any number of studies:

- ``studies(id, name UNIQUE, space JSON, strategy JSON, created)`` — ``space`` is
  :meth:`Space.to_dict`, ``strategy`` is :meth:`Strategy.describe`;
- ``trials(study_id, number, params JSON, budget, seed, state, value, error, info JSON,
  metrics JSON, user_attrs JSON, started, finished, pid, host)``, unique on
  ``(study_id, number)``. ``metrics`` holds per-epoch curves (``{"val_loss": [...]}``) and
  ``user_attrs`` free notes, so the same store serves experiment tracking (§8.3,
  :mod:`surveykit.tracking`): :meth:`TrialStore.update_trial` rewrites a running trial's
  metrics epoch by epoch, and :meth:`TrialStore.backup` writes a single-file copy to share.

Concurrency. The file is opened in WAL mode with a long busy timeout, and every write is a
``BEGIN IMMEDIATE`` transaction (SQLite's write lock). Trial numbers are allocated inside
that transaction as ``1 + max(number)`` of the study, so two processes on the same study
never get the same number and the numbers stay contiguous (0, 1, 2, …); two studies in one
file only ever touch their own rows. :meth:`TrialStore.transaction` exposes the lock, so a
caller can read the history, ask a strategy and insert the new trials atomically. (WAL
needs a local file system: do not put the store on a network share.)
"""

from __future__ import annotations

import json
import math
import os
import socket
import sqlite3
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .base import STATES, Trial

__all__ = ["TrialStore", "StudyRecord", "to_json", "pid_alive", "HOST"]

#: this machine's name, stored with each trial so that only trials started on this host
#: are ever judged dead by their process id
HOST = socket.gethostname()

_SCHEMA_VERSION = 1
_BUSY_TIMEOUT_S = 120.0

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS studies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    space TEXT NOT NULL,
    strategy TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS trials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number >= 0),
    params TEXT NOT NULL,
    budget REAL,
    seed INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ({", ".join(repr(s) for s in STATES)})),
    value REAL,
    error TEXT,
    info TEXT NOT NULL DEFAULT '{{}}',
    metrics TEXT NOT NULL DEFAULT '{{}}',
    user_attrs TEXT NOT NULL DEFAULT '{{}}',
    started REAL,
    finished REAL,
    pid INTEGER,
    host TEXT,
    UNIQUE (study_id, number)
);
CREATE INDEX IF NOT EXISTS trials_by_study_state ON trials (study_id, state);
"""


def _plain(obj):
    """``json.dumps`` fallback: numpy scalars and arrays become Python numbers and lists."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON-serialisable: {obj!r}")


def to_json(obj, what: str = "value") -> str:
    """``obj`` as JSON (numpy scalars/arrays allowed; NaN and ±inf kept as Python's JSON
    extension). A ValueError naming ``what`` if it cannot be stored."""
    try:
        return json.dumps(obj, default=_plain, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON-serialisable (numbers, strings, lists, dicts, "
                         f"numpy arrays) to be stored; {exc}") from None


def _json_columns(**columns) -> dict:
    """The JSON columns given (not None) as {column: JSON text}, each checked by to_json."""
    return {name: to_json(dict(obj), name) for name, obj in columns.items() if obj is not None}


def pid_alive(pid: int | None) -> bool:
    """Whether process ``pid`` exists on this machine (signal 0 probes without sending)."""
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:  # pragma: no cover  (Windows: no such process)
        return False
    return True


@dataclass(frozen=True)
class StudyRecord:
    """One row of the ``studies`` table."""

    id: int
    name: str
    space: list
    strategy: dict
    created: float


class TrialStore:
    """The trials of any number of studies, in one SQLite database (survey §6).

    ``TrialStore(None)`` (or ``":memory:"``) keeps them in memory for this process only;
    ``TrialStore("search.db")`` in a file that survives the process and can be shared by
    several processes at once. All writes are atomic; a killed process leaves every
    committed trial intact (at worst its in-flight trials stay ``running`` until a
    :meth:`abandon_dead` marks them ``abandoned``).
    """

    def __init__(self, path: str | os.PathLike | None = None):
        if path is None or path == ":memory:":
            self.path = ":memory:"
        else:
            if not isinstance(path, (str, os.PathLike)):
                raise ValueError(f"storage must be None, a file path or a TrialStore; "
                                 f"got {path!r}")
            p = Path(path).expanduser()
            if p.exists() and p.is_dir():
                raise ValueError(f"storage must be a file path, not a directory; got {str(p)!r}")
            if not p.parent.exists():
                raise ValueError(f"storage: the folder {str(p.parent)!r} does not exist")
            self.path = str(p)
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
        if self.path != ":memory:":
            self._retry(lambda: self._conn.execute("PRAGMA journal_mode = WAL"))
            self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute("PRAGMA foreign_keys = ON")
        with self.transaction():
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise ValueError(f"{self.path!r} was written by a newer surveykit "
                                 f"(schema {version} > {_SCHEMA_VERSION})")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._conn.execute(statement)
            if version < _SCHEMA_VERSION:
                self._conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    # ------------------------------------------------------------------ plumbing
    @staticmethod
    def _retry(fn, attempts: int = 50):
        for i in range(attempts):
            try:
                return fn()
            except sqlite3.OperationalError as exc:  # "database is locked" outside a txn
                if "locked" not in str(exc) or i == attempts - 1:
                    raise
                time.sleep(0.05 * (1 + i % 5))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``with store.transaction():`` — SQLite's write lock (``BEGIN IMMEDIATE``) held
        for the block, committed at its end, rolled back on an exception. Re-entrant: an
        inner block joins the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._retry(lambda: self._conn.execute("BEGIN IMMEDIATE"))
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._depth = 0
                self._conn.execute("ROLLBACK")
                raise
            self._depth = 0
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        return f"TrialStore({self.path!r})"

    # ------------------------------------------------------------------ studies
    @staticmethod
    def _study(row) -> StudyRecord:
        return StudyRecord(row[0], row[1], json.loads(row[2]), json.loads(row[3]), row[4])

    def get_study(self, name: str) -> StudyRecord | None:
        """The study called ``name``, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT id, name, space, strategy, created FROM studies WHERE name = ?",
                (name,)).fetchone()
        return None if row is None else self._study(row)

    def studies(self) -> list[StudyRecord]:
        """Every study in the store, in creation order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, name, space, strategy, created FROM studies ORDER BY id").fetchall()
        return [self._study(r) for r in rows]

    def open_study(self, name: str, space: Sequence[Mapping], strategy: Mapping) -> StudyRecord:
        """The study ``name``, created with this space and strategy description if new.

        An existing study must have the same space (a ValueError otherwise: its stored
        trials would not be points of the new one); a different strategy description only
        warns — continuing a search with another strategy is legitimate.
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"name (of the study) must be a non-empty string; got {name!r}")
        space_json = to_json(list(space), "space")
        strategy_json = to_json(dict(strategy), "strategy description")
        with self.transaction() as c:
            row = c.execute("SELECT id, name, space, strategy, created FROM studies "
                            "WHERE name = ?", (name,)).fetchone()
            if row is None:
                c.execute("INSERT INTO studies (name, space, strategy, created) "
                          "VALUES (?, ?, ?, ?)", (name, space_json, strategy_json, time.time()))
                row = c.execute("SELECT id, name, space, strategy, created FROM studies "
                                "WHERE name = ?", (name,)).fetchone()
        record = self._study(row)
        if record.space != json.loads(space_json):
            raise ValueError(
                f"the study {name!r} in {self.path!r} was created with a different search "
                f"space:\n  stored: {record.space}\n  given:  {json.loads(space_json)}\n"
                f"use another name (or another file) for a different space")
        if record.strategy != json.loads(strategy_json):
            warnings.warn(f"study {name!r} continues with a different strategy: stored "
                          f"{record.strategy}, now {json.loads(strategy_json)}", stacklevel=3)
        return record

    # ------------------------------------------------------------------ trials
    _COLUMNS = ("number, params, budget, seed, state, value, error, info, metrics, "
                "user_attrs, started, finished, pid, host")

    @staticmethod
    def _trial(row) -> Trial:
        (number, params, budget, seed, state, value, error, info, metrics, _attrs,
         started, finished, _pid, _host) = row
        return Trial(number=number, params=json.loads(params), budget=budget, seed=seed,
                     state=state, value=value, error=error, info=json.loads(info),
                     started=started, finished=finished, metrics=json.loads(metrics))

    def trials(self, study_id: int, states: Sequence[str] | None = None) -> list[Trial]:
        """The study's trials in number order (only those in ``states`` if given)."""
        query = f"SELECT {self._COLUMNS} FROM trials WHERE study_id = ?"
        args: list = [study_id]
        if states is not None:
            query += f" AND state IN ({', '.join('?' * len(states))})"
            args += list(states)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY number", args).fetchall()
        return [self._trial(r) for r in rows]

    def records(self, study_id: int) -> list[dict]:
        """Every column of the study's trials (including ``pid``, ``host`` and
        ``user_attrs``, which :class:`Trial` does not carry), in number order."""
        with self._lock:
            rows = self._conn.execute(f"SELECT {self._COLUMNS} FROM trials WHERE study_id = ? "
                                      "ORDER BY number", (study_id,)).fetchall()
        return [self._as_record(r) for r in rows]

    @classmethod
    def _as_record(cls, row) -> dict:
        d = dict(zip([c.strip() for c in cls._COLUMNS.split(",")], row, strict=True))
        for k in ("params", "info", "metrics", "user_attrs"):
            d[k] = json.loads(d[k])
        return d

    def counts(self, study_id: int) -> dict:
        """``{state: number of trials}`` for every state."""
        with self._lock:
            rows = self._conn.execute("SELECT state, COUNT(*) FROM trials WHERE study_id = ? "
                                      "GROUP BY state", (study_id,)).fetchall()
        out = dict.fromkeys(STATES, 0)
        out.update(dict(rows))
        return out

    def add_trials(self, study_id: int, items: Sequence[Mapping], *, seed_of=None,
                   started: float | None = None) -> list[Trial]:
        """Register new ``running`` trials, numbered after the study's last one.

        Each item gives ``params`` and optionally ``budget`` and ``info``; ``seed_of(number)``
        gives each trial's seed (0 without it). Numbers are allocated under the write lock,
        so concurrent processes get distinct, contiguous numbers.
        """
        started = time.time() if started is None else started
        pid = os.getpid()
        out = []
        with self.transaction() as c:
            nxt = c.execute("SELECT COALESCE(MAX(number) + 1, 0) FROM trials "
                            "WHERE study_id = ?", (study_id,)).fetchone()[0]
            for item in items:
                number = nxt
                nxt += 1
                seed = int(seed_of(number)) if seed_of is not None else 0
                params = to_json(dict(item["params"]), "params")
                budget = item.get("budget")
                budget = None if budget is None else float(budget)
                info = to_json(dict(item.get("info") or {}), "info")
                c.execute("INSERT INTO trials (study_id, number, params, budget, seed, state, "
                          "info, started, pid, host) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, "
                          "?, ?)", (study_id, number, params, budget, seed, info, started,
                                    pid, HOST))
                out.append(Trial(number=number, params=json.loads(params), budget=budget,
                                 seed=seed, state="running", info=json.loads(info),
                                 started=started))
        return out

    def finish_trial(self, study_id: int, number: int, *, state: str, value: float | None = None,
                     error: str | None = None, info: Mapping | None = None,
                     metrics: Mapping | None = None, user_attrs: Mapping | None = None,
                     started: float | None = None, finished: float | None = None) -> Trial:
        """Record the end of running trial ``number`` (``complete``, ``failed`` or
        ``abandoned``). Finishing a trial that is not running is a ValueError — a result
        is written once."""
        if state not in ("complete", "failed", "abandoned"):
            raise ValueError(f"state must be one of ['complete', 'failed', 'abandoned']; "
                             f"got {state!r}")
        if value is not None:
            value = float(value)
            if not math.isfinite(value):
                raise ValueError(f"value must be finite to be stored; got {value!r}")
        finished = time.time() if finished is None else finished
        sets = {"state": state, "value": value, "error": error, "finished": finished,
                **_json_columns(info=info, metrics=metrics, user_attrs=user_attrs)}
        if started is not None:
            sets["started"] = float(started)
        with self.transaction() as c:
            self._update_running(c, study_id, number, sets,
                                 refusal="a trial's result is recorded once")
            new = c.execute(f"SELECT {self._COLUMNS} FROM trials WHERE study_id = ? AND "
                            "number = ?", (study_id, number)).fetchone()
        return self._trial(new)

    @staticmethod
    def _update_running(c: sqlite3.Connection, study_id: int, number: int, sets: Mapping,
                        *, refusal: str) -> None:
        """Inside a write transaction: set ``sets`` (column → value) on a trial that is
        still running; a ValueError (ending with ``refusal``) if it is not."""
        row = c.execute("SELECT state FROM trials WHERE study_id = ? AND number = ?",
                        (study_id, number)).fetchone()
        if row is None:
            raise ValueError(f"trial {number} does not exist in this study")
        if row[0] != "running":
            raise ValueError(f"trial {number} is already {row[0]}; {refusal}")
        c.execute(f"UPDATE trials SET {', '.join(f'{k} = ?' for k in sets)} "
                  "WHERE study_id = ? AND number = ?", [*sets.values(), study_id, number])

    def update_trial(self, study_id: int, number: int, *, info: Mapping | None = None,
                     metrics: Mapping | None = None,
                     user_attrs: Mapping | None = None) -> None:
        """Replace the ``info``, ``metrics`` and/or ``user_attrs`` of a trial that is still
        ``running`` (one atomic, durable write): how experiment tracking (§8.3) stores each
        epoch as it ends, so a killed process keeps its finished epochs. Updating a trial
        that is not running is a ValueError — a finished result is never rewritten."""
        sets = _json_columns(info=info, metrics=metrics, user_attrs=user_attrs)
        if not sets:
            return
        with self.transaction() as c:
            self._update_running(c, study_id, number, sets,
                                 refusal="only a running trial can be updated")

    def record(self, study_id: int, number: int) -> dict:
        """Every column of one trial (as :meth:`records`); a ValueError if it does not exist."""
        with self._lock:
            row = self._conn.execute(f"SELECT {self._COLUMNS} FROM trials WHERE study_id = ? "
                                     "AND number = ?", (study_id, number)).fetchone()
        if row is None:
            raise ValueError(f"trial {number} does not exist in this study")
        return self._as_record(row)

    def backup(self, path: str | os.PathLike) -> Path:
        """Write a consistent copy of the whole store to ``path`` — one self-contained
        SQLite file (no ``-wal`` file beside it), made with SQLite's online backup API, so
        it can be sent while other processes keep writing (survey §8.3, "easy sharing
        with collaborators"). An existing file at ``path`` is a ValueError."""
        if not isinstance(path, (str, os.PathLike)):
            raise ValueError(f"path must be a file path; got {path!r}")
        dest = Path(path).expanduser()
        if dest.exists():
            raise ValueError(f"path must not exist yet (a backup never overwrites); "
                             f"got {str(dest)!r}")
        if not dest.parent.exists():
            raise ValueError(f"path: the folder {str(dest.parent)!r} does not exist")
        target = sqlite3.connect(str(dest))
        try:
            with self._lock:
                self._conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        return dest

    def abandon_dead(self, study_id: int) -> list[int]:
        """Mark ``abandoned`` the running trials started on this host by a process that no
        longer exists (a killed search); return their numbers. Their rows stay, for the
        record, but they never count as results."""
        with self.transaction() as c:
            rows = c.execute("SELECT number, pid FROM trials WHERE study_id = ? AND "
                             "state = 'running' AND host = ?", (study_id, HOST)).fetchall()
            dead = [n for n, pid in rows if pid != os.getpid() and not pid_alive(pid)]
            now = time.time()
            for n in dead:
                c.execute("UPDATE trials SET state = 'abandoned', finished = ?, error = ? "
                          "WHERE study_id = ? AND number = ?",
                          (now, "Abandoned: its process died before it finished", study_id, n))
        return dead
