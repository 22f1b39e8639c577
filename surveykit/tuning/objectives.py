"""Objectives to tune: small Keras models on the curriculum's data, and a synthetic one (§6, §7.4).

A search (:class:`~surveykit.tuning.study.Study`) calls ``objective(trial) -> float`` and
minimises the value. Two kinds live here:

* :class:`MLPObjective` — a real one: build a small dense network
  (:class:`surveykit.models.Architecture`) from ``trial.params``, train it with
  :func:`surveykit.training.fit` for ``trial.budget`` epochs (or ``epochs``), and return
  the **validation loss** of the last epoch,

  .. math:: L_\\text{val} = -\\frac{1}{n}\\sum_i \\big[y_i\\log p_i + (1-y_i)\\log(1-p_i)\\big]

  (binary cross-entropy on the breast-cancer data; categorical cross-entropy on the
  digits), without any weight-decay penalty, so configurations with different ``l2``
  are compared on the same footing. A run that diverges (NaN / inf / exploding loss,
  detected by :func:`~surveykit.training.fit`) raises :class:`Diverged`, which the study
  records as a failed trial with that message. Trainings are cheap (one hidden layer of
  16 units, 5 epochs: about 0.5–1 s on 2 cores) and deterministic: the same params,
  budget and seed give the same value, and the results are memoised in a per-process
  cache keyed by (objective, params, budget, seed), so a notebook or a slider that asks
  again for a configuration gets it at once.
* :class:`LowEffectiveDimension` — the picture of Bergstra & Bengio (2012) behind §6.2's
  "grid search wastes effort on unimportant parameters": a function of two
  hyperparameters in [0, 1] of which only one matters much,

  .. math:: f(x, y) = 1 - \\exp\\!\\Big(-\\frac{(x - x^*)^2}{2 w^2}\\Big) + c\\,(y - y^*)^2,

  with its minimum f = 0 at (x*, y*). A 3 × 3 grid tries 3 values of x; 9 random points
  try 9.

The search spaces that go with them: :func:`mlp_space` (the survey's §6.3 example by
default: learning rate log-uniform(1e-5, 1e-1), dropout uniform(0.2, 0.5)),
:data:`SURVEY_GRID` (§6.2: learning rate {0.001, 0.01, 0.1} × batch size {16, 32, 64}),
:func:`survey_grid_space` and :func:`synthetic_space`.

And the measurements notebooks 06.01 and 07.04 make with them: :class:`ManualSearch`
(§6.1 as a slider callback), :func:`replay_searches` / :func:`replay_on_synthetic`
(grid against random search over many seeds), :func:`best_of_subsets` (the spread of
random search's result), :func:`explained_by` (how much one hyperparameter matters),
:func:`decade_fractions` / :func:`sampled_fractions` (§7.4: the share of samples per
decade on a linear or log scale) and :class:`Tabulated` (a measured 1-D loss curve as a
cheap objective).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache

import numpy as np

from ..validation import check_choice, check_int, check_range
from .base import Trial
from .space import Categorical, Dimension, Integer, LogUniform, Space, Uniform

__all__ = [
    "Diverged", "Evaluation", "MLPObjective", "mlp_objective", "MLP_DEFAULTS",
    "HYPERPARAMETERS", "OPTIMIZERS", "DATASETS", "mlp_dimension", "mlp_space",
    "SURVEY_GRID", "survey_grid_space", "LowEffectiveDimension", "synthetic_space",
    "clear_cache", "cache_size", "decade_fractions", "sampled_fractions", "best_of_subsets",
    "distinct_values", "Tabulated", "ManualSearch", "replay_on_synthetic", "explained_by",
    "replay_searches",
]

DATASETS = ("breast_cancer", "digits")
OPTIMIZERS = ("adam", "sgd", "momentum", "rmsprop")

#: What a trial does not set: one hidden layer of 16 ReLU units, Adam at 1e-3 (Keras'
#: default), batches of 32, no dropout, no weight decay.
MLP_DEFAULTS = {"learning_rate": 1e-3, "batch_size": 32, "dropout": 0.0, "units": 16,
                "n_layers": 1, "l2": 0.0, "optimizer": "adam"}

#: The hyperparameters :class:`MLPObjective` understands, with what each means.
HYPERPARAMETERS = {
    "learning_rate": "the optimizer's step size η (> 0)",
    "batch_size": "examples per gradient step (integer ≥ 1)",
    "dropout": "dropout rate after every hidden layer, in [0, 1)",
    "units": "width of every hidden layer (integer ≥ 1)",
    "n_layers": "number of hidden layers (integer ≥ 0)",
    "l2": "L2 penalty λ on every kernel, λ·Σw² (≥ 0; weight decay)",
    "optimizer": f"one of {list(OPTIMIZERS)} ('momentum' is SGD with momentum 0.9)",
}

#: §6.2's example grid: 3 learning rates × 3 batch sizes = 9 models.
SURVEY_GRID = {"learning_rate": [0.001, 0.01, 0.1], "batch_size": [16, 32, 64]}


class Diverged(RuntimeError):
    """A training run diverged (NaN, inf or exploding loss): the trial failed."""


# --------------------------------------------------------------------------- spaces


def mlp_dimension(name: str) -> Dimension:
    """The default range of one of :class:`MLPObjective`'s hyperparameters.

    From the survey: learning rate log-uniform(1e-5, 1e-1) (§6.3, §7.4), dropout
    uniform(0.2, 0.5) (§6.3), weight decay ``l2`` log-uniform(1e-6, 1e-2) (§7.4); and
    batch size 16…128 and width 4…64 as integers on a log scale, depth 1…3, optimizer
    {adam, sgd, momentum, rmsprop}.
    """
    dims = {
        "learning_rate": lambda: LogUniform("learning_rate", 1e-5, 1e-1),
        "dropout": lambda: Uniform("dropout", 0.2, 0.5),
        "l2": lambda: LogUniform("l2", 1e-6, 1e-2),
        "batch_size": lambda: Integer("batch_size", 16, 128, log=True),
        "units": lambda: Integer("units", 4, 64, log=True),
        "n_layers": lambda: Integer("n_layers", 1, 3),
        "optimizer": lambda: Categorical("optimizer", OPTIMIZERS),
    }
    check_choice("name (hyperparameter)", name, tuple(dims))
    return dims[name]()


def mlp_space(*names: str) -> Space:
    """A search space over some of :class:`MLPObjective`'s hyperparameters, each with its
    :func:`mlp_dimension` range. With no names: the survey's §6.3 random-search example,
    learning rate ~ log-uniform(1e-5, 1e-1) and dropout ~ uniform(0.2, 0.5)."""
    names = names or ("learning_rate", "dropout")
    return Space([mlp_dimension(n) for n in names])


def survey_grid_space() -> Space:
    """The space of §6.2's grid: learning rate log-uniform(0.001, 0.1) and batch size an
    integer in [16, 64] on a log scale, so ``space.grid(3)`` is exactly
    {0.001, 0.01, 0.1} × {16, 32, 64} up to rounding (pass :data:`SURVEY_GRID` as the
    grid's values to get the survey's numbers exactly)."""
    return Space([LogUniform("learning_rate", 0.001, 0.1),
                  Integer("batch_size", 16, 64, log=True)])


# --------------------------------------------------------------------------- the real objective


@dataclass(frozen=True)
class Evaluation:
    """One training of :class:`MLPObjective`: its value (the final validation loss,
    NaN when it diverged), ``error`` (the divergence message, or None), the validation
    accuracy, the per-epoch ``history`` (Keras' loss/val_loss…), and the seconds it took."""

    params: dict
    budget: int
    seed: int
    value: float
    val_accuracy: float
    history: dict = field(repr=False)
    seconds: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and math.isfinite(self.value)


@lru_cache(maxsize=8)
def _split(data: str, split_seed: int):
    from .. import data as sk_data

    loader = {"breast_cancer": sk_data.breast_cancer_split, "digits": sk_data.digits_split}
    return loader[data](split_seed)


_CACHE: dict = {}


def clear_cache() -> None:
    """Forget every memoised training (of every :class:`MLPObjective`, in this process)."""
    _CACHE.clear()


def cache_size() -> int:
    """How many trainings are memoised in this process."""
    return len(_CACHE)


def _check_params(params: Mapping) -> dict:
    """Defaults filled in and every value validated (ValueError naming it)."""
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict {{name: value}}; got {params!r}")
    unknown = sorted(set(params) - set(HYPERPARAMETERS))
    if unknown:
        raise ValueError(f"unknown hyperparameter(s) {unknown}; MLPObjective understands "
                         f"{list(HYPERPARAMETERS)}")
    p = {**MLP_DEFAULTS, **params}
    return {
        "learning_rate": check_range("learning_rate", p["learning_rate"], 0.0,
                                     low_closed=False),
        "batch_size": check_int("batch_size", p["batch_size"], low=1),
        "dropout": check_range("dropout", p["dropout"], 0.0, 1.0, high_closed=False),
        "units": check_int("units", p["units"], low=1),
        "n_layers": check_int("n_layers", p["n_layers"], low=0),
        "l2": check_range("l2", p["l2"], 0.0),
        "optimizer": check_choice("optimizer", p["optimizer"], OPTIMIZERS),
    }


def _check_budget(budget) -> int:
    """Epochs from a trial's budget: a number ≥ 1, rounded to the nearest integer."""
    b = check_range("budget (epochs)", budget, 1.0)
    return int(round(b))


def _keras_optimizer(name: str, learning_rate: float):
    import keras

    if name == "adam":
        return keras.optimizers.Adam(learning_rate)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate)
    if name == "momentum":
        return keras.optimizers.SGD(learning_rate, momentum=0.9)
    return keras.optimizers.RMSprop(learning_rate)


@dataclass(frozen=True)
class MLPObjective:
    """``objective(trial) -> validation loss`` of a small dense network (survey §6).

    ``trial.params`` may set any of :data:`HYPERPARAMETERS` (the rest take
    :data:`MLP_DEFAULTS`); ``trial.budget``, when not None, is the number of epochs
    (rounded), else ``epochs``; the network is seeded with ``trial.seed`` — or with
    ``seed`` for every trial when it is given ("common random numbers": every
    configuration starts from the same initial weights and batch order, so differences
    come from the hyperparameters alone).

    The value is the cross-entropy on the validation part of ``data`` (a
    :class:`surveykit.data.Split` made with ``split_seed``) after the last epoch, with
    no L2 penalty. A diverging run raises :class:`Diverged` ("diverged in epoch k (loss
    reached nan)"), which a study records as a failed trial. Results are memoised per
    process (:func:`clear_cache` to forget them). The object is a frozen dataclass of
    plain values, so it pickles for a process pool.

    ``patience``: None trains every epoch; an integer p ≥ 0 adds early stopping (survey
    §4.4, and §8.1's "use early stopping; start with a large enough value"): training
    stops once Keras' ``val_loss`` (which includes any L2 penalty) has not improved for
    p epochs, and the weights of its best epoch are restored before scoring
    (:class:`surveykit.regularization.early_stopping.EarlyStoppingCallback` with
    ``restore_best_weights=True``). The budget (or ``epochs``) is then the maximum.

    ``label_smoothing`` α (survey §8.4: "dropout, label smoothing, and weight decay
    typically enhance robustness"; binary data only): the network is *trained* on Keras'
    ``BinaryCrossentropy(label_smoothing=α)``, the cross-entropy against the softened
    targets y(1 − α) + α/2, and still *scored* on the plain validation cross-entropy.

    ``fixed``: hyperparameters every trial gets unless it sets them itself, e.g.
    ``fixed={"units": 64, "n_layers": 2}`` to search the training hyperparameters of one
    architecture (a dict, stored as sorted pairs so the objective stays hashable).
    """

    data: str = "breast_cancer"
    epochs: int = 5
    seed: int | None = None
    split_seed: int = 0
    patience: int | None = None
    label_smoothing: float = 0.0
    fixed: tuple = ()

    def __post_init__(self):
        check_choice("data", self.data, DATASETS)
        check_int("epochs", self.epochs, low=1)
        if self.seed is not None:
            check_int("seed", self.seed, low=0, high=2**32 - 1)
        check_int("split_seed", self.split_seed, low=0, high=2**32 - 1)
        if self.patience is not None:
            check_int("patience", self.patience, low=0)
        check_range("label_smoothing", self.label_smoothing, 0.0, 1.0, high_closed=False)
        fixed = self.fixed
        if isinstance(fixed, Mapping):
            fixed = tuple(sorted(fixed.items()))
        elif not (isinstance(fixed, tuple) and all(isinstance(i, tuple) and len(i) == 2
                                                   for i in fixed)):
            raise ValueError(f"fixed must be a dict {{hyperparameter: value}}; got {fixed!r}")
        _check_params(dict(fixed))  # names and values valid
        object.__setattr__(self, "fixed", fixed)
        if self.label_smoothing and self.data != "breast_cancer":
            raise ValueError(f"label_smoothing is only supported for the binary data "
                             f"'breast_cancer'; got data={self.data!r} with label_smoothing="
                             f"{self.label_smoothing!r} (use 0.0)")

    @property
    def split(self):
        """The data the networks are trained (train part) and scored (val part) on."""
        return _split(self.data, self.split_seed)

    def _key(self, params: dict, budget: int, seed: int) -> tuple:
        return (tuple(getattr(self, f.name) for f in fields(self)),
                tuple(sorted(params.items())), budget, seed)

    def evaluate(self, params: Mapping, budget=None, seed: int = 0) -> Evaluation:
        """Train one configuration (or fetch it from the cache) and return its
        :class:`Evaluation`; never raises on divergence (see ``error``)."""
        params, epochs, seed = self.settings(params, budget, seed)
        key = self._key(params, epochs, seed)
        if key not in _CACHE:
            _CACHE[key] = self._train(params, epochs, seed)
        return _CACHE[key]

    def __call__(self, trial: Trial) -> float:
        """The validation loss of ``trial``'s configuration; raises :class:`Diverged`.

        The per-epoch curves (``loss``, ``val_loss``) and ``val_accuracy`` are written
        into ``trial.metrics``, which a study stores with the trial."""
        if not hasattr(trial, "params"):
            raise ValueError(f"trial must be a surveykit.tuning.Trial (with params, budget "
                             f"and seed); got {trial!r}")
        ev = self.evaluate(trial.params, trial.budget, getattr(trial, "seed", 0) or 0)
        metrics = getattr(trial, "metrics", None)
        if isinstance(metrics, dict):  # the study stores the curves with the trial
            metrics.update({k: list(v) for k, v in ev.history.items()})
            metrics["val_accuracy"] = ev.val_accuracy
        if not ev.ok:
            raise Diverged(ev.error or f"validation loss is {ev.value}")
        return ev.value

    def model_builder(self, params: Mapping):
        """A function building the (uncompiled) Keras model of ``params``."""
        from ..models import Architecture

        p = _check_params(params)
        split = self.split
        multiclass = self.data == "digits"
        arch = Architecture(input_shape=(split.n_features,),
                            units=(p["units"],) * p["n_layers"], dropout=p["dropout"],
                            output_units=10 if multiclass else 1,
                            output_activation="softmax" if multiclass else "sigmoid")

        def build():
            model = arch.build()
            if p["l2"] > 0:
                from ..regularization.penalties import L2Regularizer

                for layer in model.layers:
                    kernel = getattr(layer, "kernel", None)
                    if kernel is not None:
                        kernel.regularizer = L2Regularizer(p["l2"])
            return model

        return build

    def _loss_name(self) -> str:
        return "sparse_categorical_crossentropy" if self.data == "digits" \
            else "binary_crossentropy"

    def training_loss(self):
        """The loss the network is trained on: Keras' cross-entropy by name, or a
        ``BinaryCrossentropy(label_smoothing=α)`` object when ``label_smoothing`` > 0."""
        if not self.label_smoothing:
            return self._loss_name()
        import keras

        return keras.losses.BinaryCrossentropy(label_smoothing=self.label_smoothing)

    def scores(self, model, part: str = "val") -> tuple[float, float]:
        """(cross-entropy, accuracy) of ``model`` on the ``part`` ("train", "val" or
        "test") of the split, by Keras' own loss function on the predictions — the loss
        alone, without any L2 penalty."""
        import keras

        part = check_choice("part", part, ("train", "val", "test"))
        split = self.split
        p = model(getattr(split, f"X_{part}"), training=False)
        y = getattr(split, f"y_{part}")
        if self.data == "digits":
            loss = keras.losses.sparse_categorical_crossentropy(y, p)
            acc = np.mean(np.argmax(np.asarray(p), axis=1) == y)
        else:
            loss = keras.losses.binary_crossentropy(y[:, None].astype("float32"), p)
            acc = np.mean((np.asarray(p)[:, 0] > 0.5) == (y == 1))
        return float(np.mean(np.asarray(loss))), float(acc)

    def validation_loss(self, model) -> tuple[float, float]:
        """(cross-entropy, accuracy) on the validation part: :meth:`scores` ``(model, "val")``."""
        return self.scores(model, "val")

    def settings(self, params: Mapping, budget=None, seed: int = 0) -> tuple[dict, int, int]:
        """(params with defaults filled in and validated, epochs, seed) as a trial of
        ``params`` at ``budget`` with ``seed`` trains them (``self.seed`` wins if set)."""
        if self.fixed and isinstance(params, Mapping):
            params = {**dict(self.fixed), **params}
        params = _check_params(params)
        epochs = self.epochs if budget is None else _check_budget(budget)
        seed = check_int("seed", seed if self.seed is None else self.seed, low=0,
                         high=2**32 - 1)
        return params, epochs, seed

    def fit(self, params: Mapping, budget=None, seed: int = 0, *, callbacks=()):
        """Train ``params`` exactly as a trial does and return the
        :class:`surveykit.training.Run` (its ``model``, ``history``, ``diverged``). Not
        cached: :meth:`evaluate` is the cached path; this one is for retraining a
        configuration to score it elsewhere (e.g. on the test part), or to watch it with
        more Keras ``callbacks`` (e.g. the experiment log's, survey §8.3), which run after
        the early-stopping one."""
        from ..training import fit

        params, epochs, seed = self.settings(params, budget, seed)
        extra = []
        if self.patience is not None:
            from ..regularization.early_stopping import EarlyStoppingCallback

            extra.append(EarlyStoppingCallback(patience=self.patience,
                                               restore_best_weights=True))
        return fit(self.model_builder(params), self.split,
                   optimizer=_keras_optimizer(params["optimizer"], params["learning_rate"]),
                   epochs=epochs, batch_size=params["batch_size"], loss=self.training_loss(),
                   metrics=(), seed=seed, config=params, callbacks=[*extra, *callbacks])

    def _train(self, params: dict, epochs: int, seed: int) -> Evaluation:
        start = time.perf_counter()
        run = self.fit(params, epochs, seed)
        error, value, acc = None, math.nan, math.nan
        if run.diverged:
            error = run.status()
        else:
            value, acc = self.validation_loss(run.model)
            if not math.isfinite(value):
                error = f"validation loss is {value} after {epochs} epochs"
        return Evaluation(params=params, budget=epochs, seed=seed, value=value,
                          val_accuracy=acc, history=run.history,
                          seconds=time.perf_counter() - start, error=error)


def mlp_objective(data: str = "breast_cancer", *, epochs: int = 5, seed: int | None = None,
                  split_seed: int = 0, patience: int | None = None) -> MLPObjective:
    """An :class:`MLPObjective` (see there): ``objective(trial) -> validation loss``."""
    return MLPObjective(data=data, epochs=epochs, seed=seed, split_seed=split_seed,
                        patience=patience)


# --------------------------------------------------------------------------- synthetic


def synthetic_space() -> Space:
    """The unit square of :class:`LowEffectiveDimension`: ``important`` and
    ``unimportant``, both uniform on [0, 1]."""
    return Space([Uniform("important", 0.0, 1.0), Uniform("unimportant", 0.0, 1.0)])


@dataclass(frozen=True)
class LowEffectiveDimension:
    """A cheap objective where one hyperparameter matters much more than the other.

    .. math:: f(x, y) = 1 - \\exp\\!\\Big(-\\frac{(x - x^*)^2}{2 w^2}\\Big) + c\\,(y - y^*)^2

    for x = ``important`` and y = ``unimportant`` in [0, 1]: a narrow valley of width
    ``width`` along x (like the learning rate: far from the optimum everything is
    equally bad) and a gentle bowl of weight ``weight`` along y. Its minimum is 0 at
    (x*, y*) = (``x_opt``, ``y_opt``). This is the low effective dimensionality that
    Bergstra & Bengio (2012) give as the reason random search beats grid search (§6.2,
    §6.3): with 9 trials a 3 × 3 grid tries 3 values of x, random search 9.

    :meth:`random` places the optimum at random, so that averages over seeds do not
    favour a grid that happens to hit it.
    """

    x_opt: float = 0.3
    y_opt: float = 0.6
    width: float = 0.08
    weight: float = 0.05

    def __post_init__(self):
        check_range("x_opt", self.x_opt, 0.0, 1.0)
        check_range("y_opt", self.y_opt, 0.0, 1.0)
        check_range("width", self.width, 0.0, low_closed=False)
        check_range("weight", self.weight, 0.0)

    @classmethod
    def random(cls, seed: int, **kwargs) -> LowEffectiveDimension:
        """The same function with its optimum drawn uniformly in the unit square."""
        # its own stream (spawn key), unrelated to a strategy's ``rng(number)`` draws
        ss = np.random.SeedSequence(check_int("seed", seed, low=0), spawn_key=(0x5E7,))
        x, y = np.random.default_rng(ss).uniform(size=2)
        return cls(x_opt=float(x), y_opt=float(y), **kwargs)

    def value(self, important, unimportant):
        """f(x, y), elementwise for arrays."""
        x = np.asarray(important, dtype=float)
        y = np.asarray(unimportant, dtype=float)
        f = 1.0 - np.exp(-(x - self.x_opt) ** 2 / (2 * self.width ** 2)) \
            + self.weight * (y - self.y_opt) ** 2
        return float(f) if f.ndim == 0 else f

    @property
    def optimum(self) -> tuple[dict, float]:
        """The minimiser and the minimum: ``({"important": x*, "unimportant": y*}, 0.0)``."""
        return {"important": self.x_opt, "unimportant": self.y_opt}, 0.0

    def space(self) -> Space:
        return synthetic_space()

    def __call__(self, trial: Trial) -> float:
        p = synthetic_space().check(trial.params)
        return self.value(p["important"], p["unimportant"])


# --------------------------------------------------------------------------- measurements


def decade_fractions(dimension: Dimension) -> tuple[np.ndarray, np.ndarray]:
    """The probability that one sample of ``dimension`` falls in each decade (§7.4).

    Returns ``(edges, fractions)``: the decade edges 10^k covering [low, high] (the
    first and last clipped to low and high) and, per decade [a, b),

    * on a linear scale (:class:`Uniform`): P = (b − a) / (high − low);
    * on a log scale (:class:`LogUniform`): P = (log b − log a) / (log high − log low),

    so log-uniform(1e-5, 1e-1) gives each of its 4 decades 1/4, and uniform(1e-5, 1e-1)
    gives 90 % to [0.01, 0.1] and 0.9 % to [0.001, 0.01].
    """
    if not isinstance(dimension, (Uniform, LogUniform)) or dimension.low <= 0:
        raise ValueError(f"dimension must be a Uniform or LogUniform over positive values; "
                         f"got {dimension!r}")
    low, high = dimension.low, dimension.high
    k0, k1 = math.floor(math.log10(low) + 1e-12), math.ceil(math.log10(high) - 1e-12)
    inner = [10.0 ** k for k in range(k0 + 1, k1)]
    edges = np.array([low, *[e for e in inner if low < e < high], high])
    if isinstance(dimension, LogUniform):
        fractions = np.diff(np.log(edges)) / math.log(high / low)
    else:
        fractions = np.diff(edges) / (high - low)
    return edges, fractions


def sampled_fractions(samples, edges) -> np.ndarray:
    """The share of ``samples`` in each bin [edges[i], edges[i+1]) (the last bin closed)."""
    samples = np.asarray(samples, dtype=float)
    if samples.ndim != 1 or samples.size == 0:
        raise ValueError(f"samples must be a non-empty 1-D array; got shape {samples.shape}")
    counts, _ = np.histogram(samples, bins=np.asarray(edges, dtype=float))
    return counts / samples.size


def best_of_subsets(values, n: int, *, draws: int = 1000, seed: int = 0) -> np.ndarray:
    """The best (lowest) of ``n`` values drawn without replacement from ``values``,
    ``draws`` times: what ``n``-trial random searches with other seeds would have found,
    when their trials are drawn from the same pool of evaluated configurations (§6.3's
    "randomness introduces variability in results"). NaNs (failed trials) never win."""
    values = np.asarray(values, dtype=float)
    n = check_int("n", n, low=1, high=values.size)
    draws = check_int("draws", draws, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    filled = np.where(np.isfinite(values), values, np.inf)
    best = np.array([filled[rng.choice(values.size, n, replace=False)].min()
                     for _ in range(draws)])
    return np.where(np.isfinite(best), best, np.nan)


def distinct_values(points, name: str, *, decimals: int = 12) -> int:
    """How many different values of hyperparameter ``name`` a list of points tries
    (a 3 × 3 grid: 3; nine random points: 9)."""
    vals = []
    for p in points:
        v = p.params[name] if hasattr(p, "params") else p[name]
        vals.append(round(float(v), decimals) if isinstance(v, (int, float, np.number))
                    else repr(v))
    return len(set(vals))


@dataclass(frozen=True)
class Tabulated:
    """An objective of one hyperparameter read off measured values (§7.4 experiments).

    ``value(x)`` interpolates the measured ``losses`` at ``points`` linearly in
    log10(x) (``log=True``) or in x: after training at, say, 13 learning rates, many
    random searches can be replayed on the measured curve for free. Points outside the
    measured range are refused; a NaN loss (a diverged training) makes every x within
    that point's interval a failed trial (:class:`Diverged`).
    """

    name: str
    points: tuple
    losses: tuple
    log: bool = True

    def __post_init__(self):
        pts = np.asarray(self.points, dtype=float)
        if pts.ndim != 1 or pts.size < 2 or np.any(np.diff(pts) <= 0):
            raise ValueError(f"points must be ≥ 2 increasing values; got {self.points!r}")
        if self.log and pts[0] <= 0:
            raise ValueError(f"points must be positive with log=True; got {self.points!r}")
        if len(self.losses) != pts.size:
            raise ValueError(f"losses must have one value per point ({pts.size}); "
                             f"got {len(self.losses)}")
        object.__setattr__(self, "points", tuple(float(p) for p in pts))
        object.__setattr__(self, "losses", tuple(float(v) for v in self.losses))

    def _x(self, x):
        return np.log10(x) if self.log else np.asarray(x, dtype=float)

    def value(self, x):
        """The interpolated loss at ``x`` (elementwise; NaN next to a failed point)."""
        xa = np.asarray(x, dtype=float)
        lo, hi = self.points[0], self.points[-1]
        if np.any(xa < lo * (1 - 1e-12)) or np.any(xa > hi * (1 + 1e-12)):
            raise ValueError(f"{self.name} must be in [{lo:g}, {hi:g}] (the measured "
                             f"range); got {x!r}")
        xs, ys = self._x(np.asarray(self.points)), np.asarray(self.losses)
        t = np.clip(self._x(np.clip(xa, lo, hi)), xs[0], xs[-1])
        i = np.clip(np.searchsorted(xs, t, side="right") - 1, 0, xs.size - 2)
        w = (t - xs[i]) / (xs[i + 1] - xs[i])
        out = (1 - w) * ys[i] + w * ys[i + 1]  # NaN at either end stays NaN
        return float(out) if out.ndim == 0 else out

    def __call__(self, trial: Trial) -> float:
        v = self.value(trial.params[self.name])
        if not math.isfinite(v):
            raise Diverged(f"{self.name}={trial.params[self.name]:g} lies next to a "
                           "diverged training")
        return v


class ManualSearch:
    """Manual search (§6.1) as a slider callback: ``search(learning_rate=…, dropout=…)``
    trains that configuration (or fetches it from the cache), remembers it, and returns
    :func:`~surveykit.tuning.search_plots.manual_search_figure` of every try so far.

    ``fixed`` holds the hyperparameters the learner does not move; ``budget`` is the
    number of epochs (the objective's when None) and ``seed`` the trials' seed.
    """

    def __init__(self, objective: MLPObjective, *, fixed: Mapping | None = None,
                 budget=None, seed: int = 0):
        if not isinstance(objective, MLPObjective):
            raise ValueError(f"objective must be an MLPObjective; got {objective!r}")
        self.objective = objective
        self.fixed = dict(fixed or {})
        _check_params(self.fixed)  # a ValueError naming a bad or unknown hyperparameter
        self.budget = budget
        self.seed = seed
        self.history: list[Evaluation] = []

    def __call__(self, **params):
        from .search_plots import manual_search_figure

        ev = self.objective.evaluate({**self.fixed, **params}, self.budget, self.seed)
        if ev not in self.history:
            self.history.append(ev)
        return manual_search_figure(self.history, ev, max_epochs=ev.budget)


def replay_searches(strategies: Mapping[str, object], score, n_trials: int,
                    seeds) -> dict[str, np.ndarray]:
    """Best-so-far curves of non-adaptive searches, replayed on a cheap objective.

    ``strategies`` maps a label to a strategy (or to a function ``seed -> strategy``,
    e.g. a random search reseeded for every repeat). For every seed s, the strategy's
    first ``n_trials`` suggestions ``strategy.ask([], n_trials)`` — exactly what a
    :class:`~surveykit.tuning.study.Study` evaluates when the strategy does not adapt to
    results, as grid and random search do not — are scored by ``score(points, s)``
    (a list of params dicts → their values). Returns label → array (seeds × trials) of
    running minima, b_k = min_{j ≤ k} v_j; a grid with fewer points than ``n_trials``
    keeps its last value.
    """
    n_trials = check_int("n_trials", n_trials, low=1)
    seeds = [check_int("seed", s, low=0) for s in seeds]
    out = {}
    for label, strategy in strategies.items():
        rows = []
        for s in seeds:
            strat = strategy(s) if callable(strategy) and not hasattr(strategy, "ask") \
                else strategy
            points = [sg.params for sg in strat.ask([], n_trials)]
            if not points:
                raise ValueError(f"strategy {label!r} proposed no point")
            v = np.atleast_1d(np.asarray(score(points, s), dtype=float))
            curve = np.minimum.accumulate(np.where(np.isfinite(v), v, np.inf))
            curve = np.where(np.isfinite(curve), curve, np.nan)
            rows.append(np.concatenate([curve, np.full(n_trials - curve.size, curve[-1])]))
        out[label] = np.array(rows)
    return out


def replay_on_synthetic(strategies: Mapping[str, object], n_trials: int, seeds, *,
                        function_seed: int | None = None,
                        **function_kwargs) -> dict[str, np.ndarray]:
    """:func:`replay_searches` on :class:`LowEffectiveDimension` functions with random
    optima, f = ``LowEffectiveDimension.random(s, **function_kwargs)`` for seed s
    (§6.2 vs §6.3); the strategies search :func:`synthetic_space`.

    With ``function_seed``, every seed scores the same function (``random(function_seed)``)
    and only the strategies' own randomness varies (§6.3's "randomness introduces
    variability in results").
    """
    def score(points, s):
        f = LowEffectiveDimension.random(s if function_seed is None else function_seed,
                                         **function_kwargs)
        return f.value([p["important"] for p in points], [p["unimportant"] for p in points])

    return replay_searches(strategies, score, n_trials, seeds)


def explained_by(trials, name: str, *, log: bool = False, degree: int = 2) -> float:
    """How much of the spread of the trials' values one hyperparameter explains alone.

    The coefficient of determination of a least-squares polynomial of ``degree`` in
    x = ``params[name]`` (log10 of it with ``log=True``),

    .. math:: R^2 = 1 - \\frac{\\sum_i (v_i - \\hat v(x_i))^2}{\\sum_i (v_i - \\bar v)^2},

    over the complete trials: near 1 when the value is (close to) a function of that
    hyperparameter alone — a U-shaped learning-rate curve included, which a correlation
    would miss — and near 0 when it does not matter (§6.2's "unimportant parameters").
    """
    degree = check_int("degree", degree, low=1)
    done = [t for t in trials if getattr(t, "ok", True) and t.value is not None
            and math.isfinite(t.value)]
    if len(done) <= degree + 1:
        raise ValueError(f"trials must hold more than degree + 1 = {degree + 1} complete "
                         f"trials; got {len(done)}")
    x = np.array([float(t.params[name]) for t in done])
    x = np.log10(x) if log else x
    v = np.array([t.value for t in done])
    fit = np.polyval(np.polyfit(x, v, degree), x)
    total = np.sum((v - v.mean()) ** 2)
    return float(1.0 - np.sum((v - fit) ** 2) / total) if total > 0 else 0.0
