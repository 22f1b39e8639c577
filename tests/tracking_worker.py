"""Subprocess helpers for the experiment-tracking tests (survey §8.3), run as a script.

- ``python tracking_worker.py keras DB`` — a real Keras fit on the breast-cancer data with
  ``log.callback(...)``; prints ``{"history": History.history, "test": …, "layers": …}``
  as JSON (what the new process reading DB must find);
- ``python tracking_worker.py killed DB READY`` — starts a run, logs 3 epochs
  (loss = 1/k, val_loss = 2/k), touches READY, then sleeps ten minutes: the test kills it;
- ``python tracking_worker.py writer DB K EPOCHS READY_DIR N_WRITERS`` — after a barrier
  (all N_WRITERS ready, tuning writers included) logs K runs of EPOCHS epochs each, run i
  with params ``{"writer": pid, "i": i}`` and epoch k's loss = i + k/100, val_loss =
  pid + i + k/100, so every stored number says which writer, run and epoch it belongs to.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

# run as a script, this file's folder is on sys.path: the tuning writers' start line
from tuning_worker import _barrier


def keras_run(db: str) -> None:
    import surveykit as sk

    sk.setup()
    import keras

    from surveykit import data
    from surveykit.tracking import ExperimentLog

    split = data.breast_cancer_split(seed=0)
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((split.n_features,)),
                              keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(0.05), "binary_crossentropy", metrics=["accuracy"])
    log = ExperimentLog(db)
    params = {"learning_rate": 0.05, "optimizer": "sgd", "units": 8}
    hist = model.fit(split.X_train, split.y_train, validation_data=(split.X_val, split.y_val),
                     epochs=4, batch_size=64, verbose=0,
                     callbacks=[log.callback(params, test_data=(split.X_test, split.y_test),
                                             tags=["subprocess"], notes="written elsewhere")])
    test = model.evaluate(split.X_test, split.y_test, verbose=0, return_dict=True)
    print(json.dumps({"history": {k: [float(v) for v in vals]
                                  for k, vals in hist.history.items()},
                      "test": {k: float(v) for k, v in test.items()},
                      "params": params, "total_params": model.count_params(), "pid": os.getpid()}))


def main(argv: list[str]) -> None:
    mode, db, *rest = argv
    if mode == "keras":
        keras_run(db)
        return
    from surveykit.tracking import ExperimentLog

    if mode == "killed":
        log = ExperimentLog(db)
        run = log.start({"learning_rate": 0.1, "optimizer": "sgd"}, tags=["doomed"])
        for k in range(1, 4):
            run.log_epoch({"loss": 1.0 / k, "val_loss": 2.0 / k})
        Path(rest[0]).touch()
        time.sleep(600.0)
    elif mode == "writer":
        k, epochs, ready, n_writers = int(rest[0]), int(rest[1]), rest[2], int(rest[3])
        log = ExperimentLog(db)
        pid = os.getpid()
        _barrier(ready, n_writers)
        for i in range(k):
            with log.start({"writer": pid, "i": i}, tags=[f"w{pid}"]) as run:
                for e in range(1, epochs + 1):
                    run.log_epoch({"loss": i + e / 100, "val_loss": pid + i + e / 100})
                    time.sleep(0.003)  # the other writers write meanwhile
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
