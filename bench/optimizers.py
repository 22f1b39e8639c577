"""Time surveykit's optimizers against Keras' own, per training step (a maintainer tool).

Each surveykit update rule, in its Keras-equivalent form, runs inside
``surveykit.optim.KerasOptimizer``; its Keras counterpart is the stock Keras optimizer. Both
train the same Keras model (same architecture, same initial weights, same batches) with
``model.train_on_batch`` — Keras' compiled train step: forward, backward and optimizer
update. For every pair the two models are built and compiled once and warmed up (tracing
and optimizer-variable creation are excluded from the timings); then blocks of ``--steps``
training steps ALTERNATE between the two (A B, then B A, …) ``--repeats`` times. Each step
is timed individually and a block's median is taken, so a burst of load from other
processes moves a few steps, not the result. Per repeat the ratio surveykit / Keras of the
two block medians is formed; the table reports medians over repeats. The goal (issue 3) is
a ratio ≤ 1.1.

Usage::

    python bench/optimizers.py --out bench/RESULTS.md [--steps N] [--repeats R]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import keras
import numpy as np

from surveykit import data, models
from surveykit.optim import (
    SGD,
    AdaGrad,
    Adam,
    KerasOptimizer,
    Momentum,
    Nesterov,
    RMSProp,
)

GOAL = 1.1
HIDDEN = (256, 256, 128)  # the survey's MLP shape, widened so a step is not pure overhead
BATCH = 64
WARMUP = 3  # untimed steps first: tracing, optimizer variables

# name → (surveykit rule in its Keras-equivalent form, learning rate, the Keras optimizer)
PAIRS = {
    "SGD": (lambda: KerasOptimizer(SGD(), 0.01), lambda: keras.optimizers.SGD(0.01)),
    "Momentum": (
        lambda: KerasOptimizer(Momentum(0.9, form="keras"), 0.01),
        lambda: keras.optimizers.SGD(0.01, momentum=0.9),
    ),
    "Nesterov": (
        lambda: KerasOptimizer(Nesterov(0.9, form="keras"), 0.01),
        lambda: keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
    ),
    "RMSProp": (
        lambda: KerasOptimizer(RMSProp(0.9, 1e-7, form="keras"), 1e-3),
        lambda: keras.optimizers.RMSprop(1e-3),
    ),
    "Adam": (
        lambda: KerasOptimizer(Adam(0.9, 0.999, 1e-7, form="keras"), 1e-3),
        lambda: keras.optimizers.Adam(1e-3),
    ),
    "AdaGrad": (
        lambda: KerasOptimizer(AdaGrad(0.1, 1e-7), 0.01),
        lambda: keras.optimizers.Adagrad(0.01),
    ),
}
KERAS_NAMES = {
    "SGD": "SGD(0.01)",
    "Momentum": "SGD(0.01, momentum=0.9)",
    "Nesterov": "SGD(0.01, momentum=0.9, nesterov=True)",
    "RMSProp": "RMSprop(1e-3)",
    "Adam": "Adam(1e-3)",
    "AdaGrad": "Adagrad(0.01)",
}


class Contender:
    """One compiled model with its optimizer, trained in timed blocks of steps."""

    def __init__(self, make_optimizer, batches, init_weights, grads):
        import tensorflow as tf

        self.model = models.build_mlp(batches[0][0].shape[1], HIDDEN)
        self.model.set_weights(init_weights)
        self.model.compile(optimizer=make_optimizer(), loss="binary_crossentropy")
        self.batches = batches
        self.medians: list[float] = []
        self.update_medians: list[float] = []
        for x, y in batches[:WARMUP]:  # trace the train step, create the optimizer's slots
            self.model.train_on_batch(x, y)
        optimizer, variables = self.model.optimizer, self.model.trainable_variables
        # the optimizer's update alone, compiled as in the train step, on fixed gradients
        self.apply = tf.function(lambda: optimizer.apply(grads, variables))
        for _ in range(WARMUP):
            self.apply()

    def block(self) -> None:
        """One step per batch, each timed; record the block's median step time."""
        times = []
        for x, y in self.batches:
            start = time.perf_counter()
            self.model.train_on_batch(x, y)  # returns the loss as numpy: the step has finished
            times.append(time.perf_counter() - start)
        self.medians.append(statistics.median(times))

    def update_block(self, steps: int) -> None:
        """``steps`` optimizer updates alone, each timed; record the block's median."""
        times = []
        for _ in range(steps):
            start = time.perf_counter()
            self.apply()
            times.append(time.perf_counter() - start)
        self.update_medians.append(statistics.median(times))


def training_batches(steps: int):
    """``steps`` batches of the breast-cancer training data (tiled), as tensors."""
    split = data.breast_cancer_split(seed=0)
    n = steps * BATCH
    reps = -(-n // len(split.y_train))
    X = np.tile(split.X_train, (reps, 1))[:n]
    y = np.tile(split.y_train, reps)[:n]
    tensor = keras.ops.convert_to_tensor
    return [(tensor(X[i : i + BATCH]), tensor(y[i : i + BATCH]))
            for i in range(0, n, BATCH)]


def run(steps: int, repeats: int, names, log=print):
    batches = training_batches(steps)
    keras.utils.set_random_seed(0)
    init = models.build_mlp(batches[0][0].shape[1], HIDDEN).get_weights()
    rng = np.random.default_rng(0)
    grads = [keras.ops.convert_to_tensor(rng.normal(0, 1e-3, w.shape).astype("float32"))
             for w in init]
    results = {}
    for name in names:
        make_ours, make_keras = PAIRS[name]
        ours = Contender(make_ours, batches, init, grads)
        theirs = Contender(make_keras, batches, init, grads)
        for r in range(repeats):
            order = (ours, theirs) if r % 2 == 0 else (theirs, ours)
            for contender in order:
                contender.block()
            for contender in order:
                contender.update_block(steps)
        ratios = [a / b for a, b in zip(ours.medians, theirs.medians, strict=True)]
        update_ratios = [a / b for a, b in
                         zip(ours.update_medians, theirs.update_medians, strict=True)]
        same = all(
            np.allclose(a, b, rtol=1e-4, atol=1e-6)
            for a, b in zip(ours.model.get_weights(), theirs.model.get_weights(), strict=True)
        )
        results[name] = {
            "ours": statistics.median(ours.medians),
            "keras": statistics.median(theirs.medians),
            "ratio": statistics.median(ratios),
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
            "same_weights": same,
            "update_ours": statistics.median(ours.update_medians),
            "update_keras": statistics.median(theirs.update_medians),
            "update_ratio": statistics.median(update_ratios),
        }
        res = results[name]
        log(f"{name:<9} surveykit {res['ours'] * 1e3:.3f} ms  keras {res['keras'] * 1e3:.3f} ms  "
            f"ratio {res['ratio']:.3f} [{res['ratio_min']:.3f}, {res['ratio_max']:.3f}]; "
            f"update alone {res['update_ours'] * 1e3:.3f} / {res['update_keras'] * 1e3:.3f} ms, "
            f"ratio {res['update_ratio']:.3f}")
    return results


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def machine_info() -> dict:
    import tensorflow as tf

    usable = usable_cpus()
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": f"{os.cpu_count()} (usable by this process: {usable})",
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }


def markdown(results, info, *, steps, repeats, load_before, load_after, seconds) -> str:
    n_params = sum(
        int(np.prod(w.shape)) for w in models.build_mlp(30, HIDDEN).get_weights()
    )
    lines = [
        "# surveykit optimizers vs Keras: time per training step",
        "",
        "Written by `python bench/optimizers.py` (`make bench`); see `bench/README.md`.",
        "",
        f"Model: `build_mlp(30, hidden_units={HIDDEN})` ({n_params:,} parameters, ReLU, sigmoid "
        f"output, binary cross-entropy) on the breast-cancer training features tiled to "
        f"{steps} batches of {BATCH}; one `model.train_on_batch` (Keras' compiled train step: "
        f"forward, backward, optimizer update) per step. surveykit = `KerasOptimizer(rule)` "
        f"with the rule in its Keras-equivalent form; Keras = the stock optimizer. Per "
        f"optimizer: {WARMUP} untimed warm-up steps each (tracing excluded), then {repeats} "
        f"alternating blocks of {steps} steps (A B, B A, …); a block's step time is the median "
        f"over its steps; the table gives the median over blocks, and the median and range of "
        f"the per-block ratios surveykit / Keras.",
        "",
        f"| optimizer | Keras counterpart | median step, surveykit (ms) | median step, Keras "
        f"(ms) | median ratio | ratio range | ≤ {GOAL}× | same weights |",
        "|---|---|---:|---:|---:|---|:-:|:-:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | `{KERAS_NAMES[name]}` | {r['ours'] * 1e3:.3f} | {r['keras'] * 1e3:.3f} "
            f"| {r['ratio']:.3f} | {r['ratio_min']:.3f}–{r['ratio_max']:.3f} "
            f"| {'yes' if r['ratio'] <= GOAL else '**no**'} "
            f"| {'yes' if r['same_weights'] else '**no**'} |"
        )
    lines += [
        "",
        "The optimizer's update alone (same alternation, `optimizer.apply` on fixed gradients "
        "inside a `tf.function`, as in the train step), for scale: the training step above is "
        "what the goal is about, and includes the forward and backward pass.",
        "",
        "| optimizer | update alone, surveykit (ms) | update alone, Keras (ms) | median ratio |",
        "|---|---:|---:|---:|",
        *[f"| {name} | {r['update_ours'] * 1e3:.3f} | {r['update_keras'] * 1e3:.3f} "
          f"| {r['update_ratio']:.3f} |" for name, r in results.items()],
        "",
        "\"same weights\": after all blocks both models, trained from the same initial weights "
        "on the same batches for the same number of steps, have equal weights "
        "(rtol 1e-4, atol 1e-6) — the timed code is the code the tests verify.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in info.items()],
        f"- load average (1 min) before / after: {load_before:.2f} / {load_after:.2f}",
        f"- total run time: {seconds:.0f} s",
        "",
        "The machine may be shared with other work: absolute step times then vary from run to "
        "run, but the two optimizers of a pair are timed in alternating blocks under the same "
        "conditions, and medians discard bursts, so the ratio stays fair.",
        "",
    ]
    if max(load_before, load_after) > usable_cpus():
        lines[-1:-1] = [
            "",
            f"During this run the machine was shared: the 1-minute load average "
            f"({max(load_before, load_after):.1f}) exceeded the {usable_cpus()} usable cores. "
            "That is why single blocks range widely (a block that met a burst of load is slow "
            "on one side only); the medians over alternating blocks are the comparison to read.",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="bench/RESULTS.md", help="Markdown file to write")
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed block")
    parser.add_argument("--repeats", type=int, default=40,
                        help="timed blocks per optimizer (alternating surveykit / Keras)")
    parser.add_argument("--only", nargs="*", choices=list(PAIRS), default=list(PAIRS),
                        help="optimizers to time (default: all)")
    args = parser.parse_args(argv)
    if args.steps < WARMUP:
        parser.error(f"--steps must be at least {WARMUP}; got {args.steps}")
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1; got {args.repeats}")
    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    print(f"timing {len(args.only)} optimizers: {args.repeats} × {args.steps} steps each, "
          f"alternating surveykit and Keras", file=sys.stderr)
    results = run(args.steps, args.repeats, args.only,
                  log=lambda line: print(line, file=sys.stderr))
    text = markdown(results, machine_info(), steps=args.steps, repeats=args.repeats,
                    load_before=load_before, load_after=os.getloadavg()[0],
                    seconds=time.perf_counter() - start)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
