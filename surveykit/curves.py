"""Learning curves and their diagnosis (survey §8.2).

§8.2: *"Learning curves are essential diagnostic tools […] They visualize how metrics like
loss or accuracy evolve over epochs for both training and validation datasets."* A
:class:`Curves` holds one run's two curves (one value per epoch), from wherever they were
recorded (:meth:`Curves.from_history`: a Keras ``History``, a plain dict, a
:class:`surveykit.training.Run`, a stored :class:`~surveykit.tuning.base.Trial` or a
:meth:`~surveykit.tuning.store.TrialStore.records` row). :func:`diagnose` turns the
survey's three interpretation guidelines into rules with documented thresholds
(:class:`Thresholds`):

- **Underfitting** — *"High training and validation loss that decrease very slowly or not
  at all"*: the training loss at the end is still above ``underfit`` (½) of the
  **baseline** loss, the loss of a model that learned nothing: predicting the class
  frequencies, :func:`prior_loss` (``−Σ_k p_k ln p_k`` for cross-entropy).
- **Overfitting** — *"Training loss decreases consistently, but validation loss starts
  increasing after a certain point"*: the (lightly smoothed) validation loss ends more
  than ``rise`` (10 %) above its minimum, the minimum lies at least ``min_after`` (2)
  epochs before the end, and the training loss at the end is below its value at that
  minimum. The **turn epoch** is where the smoothed validation loss is lowest
  (:func:`turn_epoch`). A validation loss that does not rise but ends far above the
  training loss — a gap above ``max_gap`` (20 %) of the baseline — is also overfitting
  (the generalisation gap the survey's "small gap" excludes), with no turn epoch.
- **Good fit** — *"Both losses decrease and converge to low values with a small gap"*:
  neither of the above.
- A run whose curves contain NaN or ±inf **diverged**: it is reported, never diagnosed
  as a fit.

The rules are ratios of losses, so multiplying both curves and the baseline by the same
positive factor does not change the diagnosis (tested with hypothesis).

:func:`fit_full_batch` records such curves from real Keras training: full-batch gradient
steps (``model.train_on_batch``, the same weights as ``model.fit(batch_size=n)``), and after
every epoch both losses evaluated in inference mode without the weight penalty, so the
gap between the curves is generalisation alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .validation import check_int, check_range

__all__ = ["Curves", "Thresholds", "DEFAULT_THRESHOLDS", "Diagnosis", "KINDS", "prior_loss",
           "smooth", "turn_epoch", "diagnose", "fit_full_batch"]

#: what :func:`diagnose` can say
KINDS = ("underfitting", "overfitting", "good fit", "diverged")


def _as_curve(name: str, values) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers (one per epoch); "
                         f"got {values!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence (one value per epoch); "
                         f"got shape {arr.shape}")
    return arr


@dataclass
class Curves:
    """One run's learning curves (survey §8.2): ``train`` and ``val``, one value per epoch.

    ``metric`` names what they measure (``"loss"``: validation values are
    ``val_<metric>`` in a Keras history); ``label`` is shown in plots; ``baseline``, if
    known, is the loss of a model that learned nothing (:func:`prior_loss`), which
    :func:`diagnose` measures underfitting against. Non-finite values mark a diverged run.

    It can be drawn by :func:`surveykit.plots.learning_curves` like a
    :class:`~surveykit.training.Run` (``history``, ``config``, ``diverged``,
    ``diverged_at``).
    """

    train: np.ndarray
    val: np.ndarray
    metric: str = "loss"
    label: str = ""
    baseline: float | None = None

    def __post_init__(self):
        self.train = _as_curve("train", self.train)
        self.val = _as_curve("val", self.val)
        if self.train.shape != self.val.shape:
            raise ValueError(f"train and val must have one value per epoch each; got "
                             f"{self.train.size} and {self.val.size} epochs")
        if not isinstance(self.metric, str) or not self.metric:
            raise ValueError(f"metric must be a non-empty string; got {self.metric!r}")
        if self.baseline is not None:
            self.baseline = check_range("baseline", self.baseline, 0.0, low_closed=False)

    @property
    def epochs(self) -> int:
        """How many epochs the curves cover (including a diverged one)."""
        return int(self.train.size)

    @property
    def diverged_at(self) -> int | None:
        """The first (1-based) epoch with a NaN or infinite value, or None."""
        bad = ~(np.isfinite(self.train) & np.isfinite(self.val))
        return int(np.argmax(bad)) + 1 if bad.any() else None

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def history(self) -> dict[str, list[float]]:
        """``{metric: [...], "val_" + metric: [...]}``, the finished epochs before any
        divergence (the format of :attr:`surveykit.training.Run.history`)."""
        n = self.epochs if self.diverged_at is None else self.diverged_at - 1
        return {self.metric: self.train[:n].tolist(),
                f"val_{self.metric}": self.val[:n].tolist()}

    @property
    def config(self) -> dict:
        return {"label": self.label}

    def scaled(self, factor: float) -> Curves:
        """Both curves (and the baseline) multiplied by ``factor`` > 0."""
        factor = check_range("factor", factor, 0.0, low_closed=False)
        return Curves(self.train * factor, self.val * factor, self.metric, self.label,
                      None if self.baseline is None else self.baseline * factor)

    @classmethod
    def from_history(cls, obj, metric: str = "loss", label: str = "") -> Curves:
        """The curves of ``metric`` (training) and ``val_<metric>`` (validation) from:

        * a Keras ``History`` (``model.fit``'s return value) or anything with a
          ``history`` dict — a :class:`surveykit.training.Run`, whose divergence
          (``run.diverged``) is kept as a NaN epoch ``run.diverged_at``;
        * a plain dict of per-epoch lists (``History.history``);
        * a stored :class:`~surveykit.tuning.base.Trial` (its ``metrics``) or a
          :meth:`~surveykit.tuning.store.TrialStore.records` row (a dict with
          ``"metrics"``); a failed trial whose error says it diverged gets a NaN epoch
          after its recorded ones.

        A missing metric is a ValueError naming the ones there are.
        """
        diverged = False
        if isinstance(obj, Mapping) and "metrics" in obj and isinstance(obj["metrics"], Mapping):
            history = obj["metrics"]
            diverged = _says_diverged(obj.get("state"), obj.get("error"))
            label = label or (f"trial {obj['number']}" if "number" in obj else "")
        elif isinstance(obj, Mapping):
            history = obj
        elif hasattr(obj, "metrics") and isinstance(obj.metrics, Mapping) \
                and not hasattr(obj, "history"):
            history = obj.metrics
            diverged = _says_diverged(getattr(obj, "state", None), getattr(obj, "error", None))
            number = getattr(obj, "number", None)
            label = label or (f"trial {number}" if number is not None else "")
        elif hasattr(obj, "history") and isinstance(obj.history, Mapping):
            history = obj.history
            diverged = bool(getattr(obj, "diverged", False))
        else:
            raise ValueError(f"cannot read learning curves from {type(obj).__name__}: give a "
                             "Keras History, a dict of per-epoch lists, a surveykit Run, a "
                             "stored Trial or a store record")
        keys = (metric, f"val_{metric}")
        missing = [k for k in keys if k not in history]
        if missing:
            raise ValueError(f"the history has no {missing}; it has {sorted(history)}")
        train, val = (np.asarray(history[k], dtype=float).ravel() for k in keys)
        if diverged:
            train, val = np.append(train, np.nan), np.append(val, np.nan)
        if train.size == 0:
            raise ValueError(f"the history's {metric!r} curve is empty")
        return cls(train, val, metric=metric, label=label)


def _says_diverged(state, error) -> bool:
    return state == "failed" and "diverged" in str(error or "").lower()


def prior_loss(y) -> float:
    """The cross-entropy of predicting every example's class frequencies p_k (a model that
    learned nothing): ``−Σ_k p_k ln p_k``, the entropy of the labels ``y`` — ln 2 for
    balanced binary labels, ln K for K balanced classes. The baseline of :func:`diagnose`."""
    y = np.asarray(y).ravel()
    if y.size == 0:
        raise ValueError("y must hold at least one label; got none")
    _, counts = np.unique(y, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def smooth(values, window: int = 3) -> np.ndarray:
    """A centred moving average: ``s_i = mean(v[max(0, i − h) : i + h + 1])`` with
    ``h = (window − 1) / 2`` (fewer points at the ends). ``window`` is odd; 1 returns the
    values unchanged."""
    v = _as_curve("values", values)
    window = check_int("window", window, low=1)
    if window % 2 == 0:
        raise ValueError(f"window must be odd (a centred average); got {window}")
    h = window // 2
    return np.array([v[max(0, i - h): i + h + 1].mean() for i in range(v.size)])


def turn_epoch(val, window: int = 3) -> int:
    """The 1-based epoch where the validation loss is lowest after a centred moving
    average of ``window`` epochs (:func:`smooth`) — where it turns up if it rises later;
    the first such epoch on ties. Non-finite values are a ValueError."""
    v = _as_curve("val", val)
    if not np.all(np.isfinite(v)):
        raise ValueError("val contains NaN or inf (a diverged run has no turn epoch)")
    return int(np.argmin(smooth(v, window))) + 1


@dataclass(frozen=True)
class Thresholds:
    """The thresholds of :func:`diagnose` (survey §8.2), each a ratio of losses.

    * ``window`` (3): epochs of the centred moving average applied to both curves before
      anything is measured (light smoothing against epoch-to-epoch noise; 1 = none);
    * ``underfit`` (0.5): underfitting when the smoothed final training loss is above
      ``underfit × baseline`` — training removed less than half of the loss of a model
      that learned nothing;
    * ``rise`` (0.1): overfitting when the smoothed validation loss ends more than
      10 % above its minimum…
    * ``min_after`` (2): …that minimum (the turn epoch) lies at least this many epochs
      before the last one…
    * …and the smoothed training loss ends below its value at the turn epoch;
    * ``max_gap`` (0.2): overfitting also when the smoothed final validation loss exceeds
      the training loss by more than ``max_gap × baseline`` (no turn epoch then).
    """

    window: int = 3
    underfit: float = 0.5
    rise: float = 0.1
    min_after: int = 2
    max_gap: float = 0.2

    def __post_init__(self):
        w = check_int("window", self.window, low=1)
        if w % 2 == 0:
            raise ValueError(f"window must be odd (a centred average); got {w}")
        check_range("underfit", self.underfit, 0.0, low_closed=False)
        check_range("rise", self.rise, 0.0)
        check_int("min_after", self.min_after, low=1)
        check_range("max_gap", self.max_gap, 0.0)


#: the documented defaults, shared as a default argument
DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`diagnose` found: ``kind`` (one of :data:`KINDS`), ``turn_epoch``
    (1-based; only for overfitting whose validation loss turned up), ``reason`` (one
    sentence with the numbers) and ``numbers`` (every quantity the rules measured)."""

    kind: str
    turn_epoch: int | None
    reason: str
    numbers: dict = field(default_factory=dict)

    def __str__(self) -> str:
        turn = f" (turn epoch {self.turn_epoch})" if self.turn_epoch is not None else ""
        return f"{self.kind}{turn}: {self.reason}"


_NOT_LOSSES = ("acc", "auc", "precision", "recall", "f1")


def diagnose(curves_or_history, thresholds: Thresholds = DEFAULT_THRESHOLDS, *,
             baseline: float | None = None) -> Diagnosis:
    """Diagnose one run's loss curves as underfitting, overfitting or a good fit (§8.2).

    ``curves_or_history``: a :class:`Curves` or anything :meth:`Curves.from_history`
    reads. ``baseline``: the loss of a model that learned nothing; default the curves'
    own ``baseline`` (set by :func:`fit_full_batch` to :func:`prior_loss`), else the
    first epoch's training loss. With ``s(·)`` the centred moving average of
    ``thresholds.window`` epochs, ``T = s(train)``, ``V = s(val)``, ``n`` epochs,
    ``t* = argmin V`` and ``b`` the baseline, the rules, in order:

    1. any NaN/±inf → ``"diverged"``;
    2. ``T[n] > underfit · b`` → ``"underfitting"``;
    3. ``V[n] > (1 + rise) · V[t*]`` and ``n − t* ≥ min_after`` and ``T[n] < T[t*]`` →
       ``"overfitting"`` with ``turn_epoch = t*``; else ``V[n] − T[n] > max_gap · b`` →
       ``"overfitting"`` (a gap, no turn epoch);
    4. otherwise ``"good fit"``.

    ``numbers`` holds ``baseline``, ``epochs``, ``train_end`` (T[n]), ``val_end`` (V[n]),
    ``train_ratio`` (T[n]/b), ``best_epoch`` (t*), ``val_min`` (V[t*]), ``train_at_best``
    (T[t*]), ``rise`` (V[n]/V[t*] − 1) and ``gap`` ((V[n] − T[n])/b).
    """
    c = curves_or_history if isinstance(curves_or_history, Curves) \
        else Curves.from_history(curves_or_history)
    if not isinstance(thresholds, Thresholds):
        raise ValueError(f"thresholds must be a Thresholds; got {thresholds!r}")
    if any(word in c.metric.lower() for word in _NOT_LOSSES):
        raise ValueError(f"diagnose reads loss curves (lower is better); got metric "
                         f"{c.metric!r}")
    if c.diverged:
        k = c.diverged_at
        which = "training" if not np.isfinite(c.train[k - 1]) else "validation"
        bad = c.train[k - 1] if which == "training" else c.val[k - 1]
        return Diagnosis("diverged", None,
                         f"the {which} loss is {bad} in epoch {k}: the run diverged, so its "
                         "curves are reported, not diagnosed as a fit.",
                         {"diverged_at": k, "epochs": c.epochs})
    n = c.epochs
    if n < 3:
        raise ValueError(f"diagnose needs at least 3 epochs; got {n}")
    b = baseline if baseline is not None else c.baseline
    b = check_range("baseline", b if b is not None else float(c.train[0]), 0.0,
                    low_closed=False)
    th = thresholds
    T, V = smooth(c.train, th.window), smooth(c.val, th.window)
    t = int(np.argmin(V))
    num = {"baseline": b, "epochs": n, "train_end": float(T[-1]), "val_end": float(V[-1]),
           "train_ratio": float(T[-1] / b), "best_epoch": t + 1, "val_min": float(V[t]),
           "train_at_best": float(T[t]), "rise": float(V[-1] / V[t] - 1.0),
           "gap": float((V[-1] - T[-1]) / b)}
    if T[-1] > th.underfit * b:
        return Diagnosis("underfitting", None,
                         f"the training loss ends at {T[-1]:.3g}, {num['train_ratio']:.0%} of "
                         f"the baseline {b:.3g} (above {th.underfit:.0%}), and the validation "
                         f"loss at {V[-1]:.3g}: the model has learned little.", num)
    after = n - 1 - t
    if V[-1] > (1.0 + th.rise) * V[t] and after >= th.min_after and T[-1] < T[t]:
        return Diagnosis("overfitting", t + 1,
                         f"the validation loss is lowest at epoch {t + 1} ({V[t]:.3g}) and "
                         f"ends {num['rise']:.0%} above it ({V[-1]:.3g}; more than "
                         f"{th.rise:.0%}), while the training loss keeps falling "
                         f"({T[t]:.3g} → {T[-1]:.3g}).", num)
    if V[-1] - T[-1] > th.max_gap * b:
        return Diagnosis("overfitting", None,
                         f"the validation loss ends {V[-1] - T[-1]:.3g} above the training "
                         f"loss ({V[-1]:.3g} against {T[-1]:.3g}), a gap of "
                         f"{num['gap']:.0%} of the baseline {b:.3g} (more than "
                         f"{th.max_gap:.0%}), without turning up.", num)
    return Diagnosis("good fit", None,
                     f"the training loss ends at {T[-1]:.3g} ({num['train_ratio']:.0%} of the "
                     f"baseline {b:.3g}), the validation loss at {V[-1]:.3g}, a gap of "
                     f"{num['gap']:.0%} of the baseline, {num['rise']:.0%} above its "
                     f"minimum.", num)


def fit_full_batch(build_model, split, *, optimizer, epochs: int,
                   loss: str = "binary_crossentropy", seed: int = 0, label: str = "",
                   max_loss: float = 1e6) -> Curves:
    """Train a Keras model with full-batch steps and record its learning curves (§8.2).

    ``build_model()`` returns an uncompiled model (seeded with ``keras.utils.
    set_random_seed(seed)`` first); ``split`` is a :class:`surveykit.data.Split`. Each
    epoch is one step on the whole training part — the same update, the same weights as
    ``model.fit(X, y, batch_size=len(X), shuffle=False)`` — followed by the loss on the
    training and on the validation part in inference mode (dropout off), without the
    weight penalty. The training is
    :func:`surveykit.regularization.es_bn_experiments.train_recorded` with one batch of
    every training example (its ``train_loss`` and ``val_loss``): one compiled training
    loop for the whole package. The baseline is :func:`prior_loss` of the training labels.

    Divergence, as in :class:`surveykit.training.DivergenceDetector`: the first epoch
    whose loss is NaN, infinite or above ``max_loss`` ends training and is recorded as
    NaN, so the curves end with it (``Curves.diverged``, ``Curves.diverged_at``). The
    trained model is ``curves.model``.
    """
    from .regularization.es_bn_experiments import train_recorded

    epochs = check_int("epochs", epochs, low=1)
    max_loss = check_range("max_loss", max_loss, 0.0, low_closed=False)
    run = train_recorded(build_model, split, optimizer=optimizer, epochs=epochs,
                         batch_size=len(split.X_train), loss=loss, seed=seed,
                         max_loss=max_loss)
    train, val = list(run.history["train_loss"]), list(run.history["val_loss"])
    # the trainer stops at a diverging step; an epoch whose *measured* losses already
    # exceed max_loss counts as the diverged one too, so no such value is ever drawn
    ok = [math.isfinite(a) and math.isfinite(b) and a <= max_loss and b <= max_loss
          for a, b in zip(train, val, strict=True)]
    if not all(ok) or run.diverged:
        k = ok.index(False) if not all(ok) else len(train)
        train, val = train[:k] + [math.nan], val[:k] + [math.nan]
    curves = Curves(np.array(train), np.array(val), metric="loss", label=label,
                    baseline=prior_loss(split.y_train))
    curves.model = run.model
    return curves
