"""Experiments of notebooks 04.01 (L1, L2, elastic net; survey §3.3, §4.1–4.2) and 04.03
(dropout; §4.3).

Pure functions: they train or sample and return results; the plots in
:mod:`surveykit.regularization.plots` draw from those results. Every penalty, gradient and
dropout form used here is the one defined in :mod:`.penalties` and :mod:`.dropout`; the
data loss and its gradient are :mod:`surveykit.foundations`'.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import data as sk_data
from .. import foundations
from ..models import SURVEY_HIDDEN_UNITS
from ..validation import check_choice, check_int, check_range
from .dropout import dropout, dropout_mask, inverted_dropout
from .penalties import (
    ElasticNetRegularizer,
    L1Regularizer,
    L2Regularizer,
    elastic_net_gradient,
    elastic_net_penalty,
    kernel_weights,
    l1_gradient,
    l1_penalty,
    l2_gradient,
    l2_penalty,
    sparsity,
    weight_norms,
)

__all__ = [
    # training loop
    "train_compiled",
    # penalties (§4.1–4.2)
    "PENALTIES", "METHODS", "penalty_strengths", "penalty_value", "penalty_gradient",
    "keras_regularizer", "soft_threshold", "l2_sgd_step",
    "LogisticFit", "train_logistic", "keras_logistic", "weight_decay_gap",
    "PenaltySweep", "penalty_sweeps", "correlated_features", "refit_on_features",
    "build_mlp_with", "mlp_penalty_runs",
    # dropout (§4.3)
    "standard_errors", "MonteCarlo", "dropout_monte_carlo", "monte_carlo_error_vs_n",
    "keras_dropout_comparison", "DropoutSweep", "moons_dropout_sweep", "rate_summary",
    "build_digits_cnn", "placement_runs", "neighbour_correlations",
]


# ======================================================================================
# A fast Keras training loop
# ======================================================================================


def train_compiled(
    build_model: Callable[[], object],
    X_train,
    y_train,
    X_val,
    y_val,
    *,
    optimizer,
    epochs: int,
    batch_size: int = 32,
    loss: str = "binary_crossentropy",
    seed: int = 0,
    shuffle: bool = True,
    eval_every: int = 1,
    config: dict | None = None,
):
    """Train a Keras model with a compiled (``tf.function``) step; return a ``Run``.

    The same mini-batch update as ``model.fit`` — the gradient of the data loss in training
    mode (dropout active) plus the layers' penalties (``model.losses``), applied by
    ``optimizer`` — several times faster on these small problems, because Keras' per-epoch
    overhead (≈ 40 ms here) dominates small models. With ``shuffle=False`` the batches and
    the resulting weights are those of ``model.fit(..., shuffle=False)`` (tested).

    Recorded per epoch, in ``run.history``:

    - ``loss``: the training objective as Keras' ``fit`` reports it: the mean over the
      epoch's batches (weighted by batch size) of data loss in training mode + penalties;
    - ``data_loss`` / ``accuracy``: the training set, inference mode, no penalty;
    - ``val_loss`` / ``val_accuracy``: the validation set, inference mode, **no penalty**
      (Keras' own ``val_loss`` adds the penalty; here it is left out, so that runs with
      different λ are compared on the same data loss);
    - ``epoch``: the (1-based) epoch of each record. With ``eval_every = k > 1`` only
      epoch 1, every k-th epoch and the last are evaluated (evaluation dominates the cost
      of tiny models); ``loss`` is then that epoch's mean objective.

    Keras is seeded with ``seed`` before the model is built; the batch order is drawn from
    ``numpy.random.default_rng(seed)``. The trained model is ``run.model``.
    """
    import keras
    import tensorflow as tf

    from ..training import Run

    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    eval_every = check_int("eval_every", eval_every, low=1)
    keras.utils.set_random_seed(seed)
    model = build_model()
    loss_fn = _loss_object(loss)
    multiclass = loss == "sparse_categorical_crossentropy"
    X = tf.constant(np.asarray(X_train, "float32"))
    Xv = tf.constant(np.asarray(X_val, "float32"))
    y = tf.constant(_targets(y_train, multiclass))
    yv = tf.constant(_targets(y_val, multiclass))
    n = int(X.shape[0])

    def metrics(x, t):
        out = model(x, training=False)
        if multiclass:
            hits = tf.equal(tf.argmax(out, axis=-1, output_type="int64"), tf.cast(t, "int64"))
        else:
            hits = tf.equal(tf.cast(out > 0.5, "float32"), t)
        return loss_fn(t, out), tf.reduce_mean(tf.cast(hits, "float32"))

    @tf.function(input_signature=[tf.TensorSpec([None], "int32")])
    def train_step(idx):
        xb, yb = tf.gather(X, idx), tf.gather(y, idx)
        with tf.GradientTape() as tape:
            objective = loss_fn(yb, model(xb, training=True))
            if model.losses:
                objective = objective + tf.add_n(model.losses)
        grads = tape.gradient(objective, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return objective * tf.cast(tf.shape(idx)[0], "float32")

    @tf.function
    def evaluate():
        return tf.stack([*metrics(X, y), *metrics(Xv, yv)])

    rng = np.random.default_rng(seed)
    keys = ("epoch", "loss", "data_loss", "accuracy", "val_loss", "val_accuracy")
    rows = []
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n) if shuffle else np.arange(n)
        batches = [tf.constant(order[i:i + batch_size], "int32")
                   for i in range(0, n, batch_size)]
        total = sum(float(train_step(idx)) for idx in batches)
        if epoch == 1 or epoch % eval_every == 0 or epoch == epochs:
            rows.append([epoch, total / n, *evaluate().numpy()])
    table = np.asarray(rows, dtype=float)
    history = {key: table[:, j].tolist() for j, key in enumerate(keys)}
    history["epoch"] = [int(e) for e in history["epoch"]]
    run = Run(config={**(config or {}), "epochs": epochs}, history=history)
    run.model = model
    return run


def _loss_object(loss: str):
    import keras

    loss = check_choice("loss", loss, ("binary_crossentropy", "sparse_categorical_crossentropy"))
    if loss == "binary_crossentropy":
        return keras.losses.BinaryCrossentropy()
    return keras.losses.SparseCategoricalCrossentropy()


def _targets(y, multiclass: bool) -> np.ndarray:
    y = np.asarray(y)
    return y.astype("int64") if multiclass else y.astype("float32").reshape(-1, 1)


# ======================================================================================
# L1, L2 and elastic net (§3.3, §4.1, §4.2)
# ======================================================================================

PENALTIES = ("l2", "l1", "elastic_net")
METHODS = ("gradient", "proximal")


def penalty_strengths(penalty: str, lam: float, mix: float = 0.5) -> tuple[float, float]:
    """(λ1, λ2) of the survey's elastic-net form λ1 Σ|w| + λ2 Σw² (§4.2) for one strength λ.

    ``"l2"`` → (0, λ); ``"l1"`` → (λ, 0); ``"elastic_net"`` → (mix·λ, (1 − mix)·λ), so that
    ``mix`` (in [0, 1]) slides from L2 (0) to L1 (1) at the same total strength.
    """
    penalty = check_choice("penalty", penalty, PENALTIES)
    lam = check_range("lam", lam, 0.0)
    mix = check_range("mix", mix, 0.0, 1.0)
    if penalty == "l2":
        return 0.0, lam
    if penalty == "l1":
        return lam, 0.0
    return mix * lam, (1.0 - mix) * lam


def penalty_value(w, penalty: str, lam: float, mix: float = 0.5) -> float:
    """Ω(w) of the named penalty: :func:`l2_penalty`, :func:`l1_penalty` or
    :func:`elastic_net_penalty` with (λ1, λ2) from :func:`penalty_strengths`."""
    lam1, lam2 = penalty_strengths(penalty, lam, mix)
    if penalty == "l2":
        return l2_penalty(w, lam)
    if penalty == "l1":
        return l1_penalty(w, lam)
    return elastic_net_penalty(w, lam1, lam2)


def penalty_gradient(w, penalty: str, lam: float, mix: float = 0.5) -> np.ndarray:
    """∂Ω/∂w of the named penalty: 2λw (L2), λ sign(w) (L1), λ1 sign(w) + 2λ2 w (elastic net)."""
    lam1, lam2 = penalty_strengths(penalty, lam, mix)
    if penalty == "l2":
        return l2_gradient(w, lam)
    if penalty == "l1":
        return l1_gradient(w, lam)
    return elastic_net_gradient(w, lam1, lam2)


def keras_regularizer(penalty: str, lam: float, mix: float = 0.5, *, source: str = "surveykit"):
    """The named penalty as a Keras regularizer; ``None`` when λ = 0.

    ``source="surveykit"`` gives :class:`L2Regularizer`, :class:`L1Regularizer` or
    :class:`ElasticNetRegularizer` (the survey's formulas); ``source="keras"`` gives
    ``keras.regularizers.L2``, ``L1`` or ``L1L2`` with the same strengths.
    """
    import keras

    lam1, lam2 = penalty_strengths(penalty, lam, mix)
    source = check_choice("source", source, ("surveykit", "keras"))
    if lam == 0:
        return None
    if source == "keras":
        return {"l2": lambda: keras.regularizers.L2(lam2),
                "l1": lambda: keras.regularizers.L1(lam1),
                "elastic_net": lambda: keras.regularizers.L1L2(l1=lam1, l2=lam2)}[penalty]()
    return {"l2": lambda: L2Regularizer(lam2), "l1": lambda: L1Regularizer(lam1),
            "elastic_net": lambda: ElasticNetRegularizer(l1=lam1, l2=lam2)}[penalty]()


def soft_threshold(z, t: float) -> np.ndarray:
    """sign(z) · max(|z| − t, 0): the proximal step of t Σ|w_i| (t ≥ 0).

    It solves argmin_w ½‖w − z‖² + t Σ|w_i| exactly, and sets every |z_i| ≤ t to exactly 0 —
    what a plain (sub)gradient step on λ|w| never does.
    """
    t = check_range("t", t, 0.0)
    z = np.asarray(z, dtype=float)
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def l2_sgd_step(w, grad_loss, learning_rate: float, lam: float) -> np.ndarray:
    """One SGD step on J = L + λ Σ w² (§3.2, §4.1): w − η (∇L + 2λw) = (1 − 2ηλ) w − η ∇L.

    The factor (1 − 2ηλ) multiplying w every step is why L2 is called *weight decay*.
    """
    learning_rate = check_range("learning_rate", learning_rate, 0.0, low_closed=False)
    w = np.asarray(w, dtype=float)
    return w - learning_rate * (np.asarray(grad_loss, dtype=float) + l2_gradient(w, lam))


@dataclass(frozen=True)
class LogisticFit:
    """Weights ``w`` (d,) and bias ``b`` of a penalised logistic regression."""

    w: np.ndarray
    b: float


def train_logistic(X, y, *, penalty: str = "l2", lam: float = 0.0, mix: float = 0.5,
                   learning_rate: float = 0.1, steps: int = 3000, method: str = "gradient",
                   w0=None, b0: float = 0.0) -> LogisticFit:
    """Full-batch training of σ(Xw + b) on J = mean BCE + Ω(w); the bias is not penalised.

    ``method="gradient"``: the survey's objective differentiated, w ← w − η(∇L + ∂Ω/∂w)
    with :func:`penalty_gradient` — what Keras does with a ``kernel_regularizer`` and SGD.
    ``method="proximal"``: w ← soft_threshold(w − η(∇L + 2λ2 w), ηλ1) (ISTA), which
    converges to the minimiser of the same J and lands on its exact zeros.
    ∇L is :func:`surveykit.foundations.neuron_gradients`.
    """
    method = check_choice("method", method, METHODS)
    learning_rate = check_range("learning_rate", learning_rate, 0.0, low_closed=False)
    steps = check_int("steps", steps, low=0)
    lam1, lam2 = penalty_strengths(penalty, lam, mix)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float).ravel()
    b = float(b0)
    for _ in range(steps):
        dw, db = foundations.neuron_gradients(X, y, w, b)
        if method == "gradient":
            w = w - learning_rate * (dw + penalty_gradient(w, penalty, lam, mix))
        else:
            w = soft_threshold(w - learning_rate * (dw + l2_gradient(w, lam2)),
                               learning_rate * lam1)
        b = b - learning_rate * db
    return LogisticFit(w=w, b=b)


def keras_logistic(X, y, *, penalty: str, lam: float, mix: float = 0.5,
                   learning_rate: float = 0.1, steps: int = 50, w0=None, b0: float = 0.0,
                   source: str = "surveykit") -> LogisticFit:
    """The same model in Keras: ``Dense(1, "sigmoid", kernel_regularizer=…)`` and SGD(η).

    Trained by ``model.fit`` for ``steps`` full-batch steps: one epoch over the training
    set repeated ``steps`` times, ``batch_size = n``, ``shuffle=False`` (the same updates as
    ``steps`` epochs, without Keras' per-epoch overhead). ``source`` picks surveykit's or
    Keras' regularizer (:func:`keras_regularizer`).
    """
    import keras

    X = np.asarray(X, dtype="float32")
    n, d = X.shape
    w0 = np.zeros(d) if w0 is None else np.asarray(w0, dtype=float)
    model = keras.Sequential([keras.Input((d,)), keras.layers.Dense(
        1, activation="sigmoid",
        kernel_regularizer=keras_regularizer(penalty, lam, mix, source=source))])
    model.layers[0].set_weights([w0.reshape(d, 1), np.array([b0])])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="binary_crossentropy")
    model.fit(np.tile(X, (steps, 1)), np.tile(np.asarray(y, "float32"), steps),
              batch_size=n, epochs=1, shuffle=False, verbose=0)
    kernel, bias = model.layers[0].get_weights()
    return LogisticFit(w=kernel.ravel().astype(float), b=float(bias[0]))


def weight_decay_gap(X, y, *, lam: float, learning_rate: float = 0.1, steps: int = 20,
                     optimizer: str = "sgd", seed: int = 0) -> float:
    """max |w_L2 − w_decay| after ``steps`` full-batch steps of two Keras models.

    Model A: ``kernel_regularizer=L2Regularizer(λ)``; model B: no regularizer, and the
    optimizer's decoupled ``weight_decay = 2λ`` (bias excluded), from the same initial
    weights. ``optimizer`` is ``"sgd"``, ``"momentum"`` (SGD, momentum 0.9) or ``"adam"``.
    For plain SGD the two are the same update, w ← (1 − 2ηλ)w − η∇L, so the gap is
    float32 rounding; with momentum or Adam the penalty's gradient enters the velocity /
    the adaptive scaling while decoupled decay does not, and the gap is large.
    """
    import keras

    optimizer = check_choice("optimizer", optimizer, ("sgd", "momentum", "adam"))
    X = np.asarray(X, dtype="float32")
    y = np.asarray(y, dtype="float32")
    n, d = X.shape

    def make_optimizer(weight_decay):
        if optimizer == "adam":
            opt = keras.optimizers.Adam(learning_rate, weight_decay=weight_decay)
        else:
            opt = keras.optimizers.SGD(learning_rate, momentum=0.9 if optimizer == "momentum"
                                       else 0.0, weight_decay=weight_decay)
        if weight_decay:
            opt.exclude_from_weight_decay(var_names=["bias"])
        return opt

    keras.utils.set_random_seed(seed)
    models = []
    for reg, decay in ((L2Regularizer(lam), None), (None, 2.0 * lam)):
        model = keras.Sequential([keras.Input((d,)), keras.layers.Dense(
            1, activation="sigmoid", kernel_regularizer=reg)])
        if models:
            model.set_weights(models[0].get_weights())
        model.compile(optimizer=make_optimizer(decay), loss="binary_crossentropy")
        models.append(model)
    for model in models:
        model.fit(np.tile(X, (steps, 1)), np.tile(y, steps), batch_size=n, epochs=1,
                  shuffle=False, verbose=0)
    return float(np.max(np.abs(models[0].get_weights()[0] - models[1].get_weights()[0])))


@dataclass
class PenaltySweep:
    """One penalty trained at each λ of a grid (:func:`penalty_sweeps`).

    ``weights[i]`` (d,) and ``biases[i]`` are the fit at ``lambdas[i]``; ``train_loss``,
    ``val_loss`` are the mean binary cross-entropy (data loss, no penalty) and
    ``val_accuracy`` the validation accuracy at threshold 0.5.
    """

    penalty: str
    method: str
    lambdas: np.ndarray
    mix: float
    learning_rate: float
    steps: int
    weights: np.ndarray
    biases: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray
    feature_names: tuple[str, ...]

    def strengths(self) -> tuple[np.ndarray, np.ndarray]:
        """(λ1, λ2) arrays along the grid."""
        pairs = [penalty_strengths(self.penalty, lam, self.mix) for lam in self.lambdas]
        return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])

    def norms(self) -> dict[str, np.ndarray]:
        """``l1`` = Σ|w|, ``l2`` = √Σw², ``max_abs`` along the grid (:func:`weight_norms`)."""
        rows = [weight_norms(w) for w in self.weights]
        return {k: np.array([getattr(r, k) for r in rows]) for k in ("l1", "l2", "max_abs")}

    def sparsity(self, threshold: float = 1e-3) -> np.ndarray:
        """Fraction of weights with |w| < threshold along the grid (:func:`sparsity`)."""
        return np.array([sparsity(w, threshold) for w in self.weights])

    def zero_band(self) -> np.ndarray:
        """Half-width of the band around 0 that counts as "zero", along the grid.

        Proximal fits: 0 (only exact zeros count). Gradient fits: 2ηλ1. A weight whose
        data gradient is smaller than λ1 at 0 (so that the minimiser of J has it at exactly
        0) is pushed towards 0 by every step and overshoots by less than η·2λ1, so it ends
        jittering inside |w| < 2ηλ1 instead of resting at 0.
        """
        if self.method == "proximal":
            return np.zeros(len(self.lambdas))
        return 2.0 * self.learning_rate * self.strengths()[0]

    def zeros(self) -> np.ndarray:
        """Boolean (k, d): weights at zero (exactly, or within :meth:`zero_band`)."""
        band = self.zero_band()[:, None]
        exact = self.weights == 0.0
        return exact | ((np.abs(self.weights) < band) & (band > 0))

    def index(self, lam: float) -> int:
        """Position of ``lam`` in the grid (nearest on a log scale)."""
        lam = check_range("lam", lam, 0.0)
        lams = np.maximum(self.lambdas, 1e-300)
        return int(np.argmin(np.abs(np.log(lams) - np.log(max(lam, 1e-300)))))

    def survivors(self, lam: float) -> list[str]:
        """Names of the features whose weight is not zero at ``lam``, largest |w| first."""
        i = self.index(lam)
        alive = np.flatnonzero(~self.zeros()[i])
        order = alive[np.argsort(-np.abs(self.weights[i, alive]))]
        return [self.feature_names[j] for j in order]


def penalty_sweeps(split, lambdas: Sequence[float], cases: Sequence[tuple[str, str]], *,
                   mix: float = 0.5, learning_rate: float = 0.1, steps: int = 3000,
                   desc: str = "penalised fits") -> dict[tuple[str, str], PenaltySweep]:
    """Train :func:`train_logistic` for every (penalty, method) in ``cases`` and every λ.

    Uses ``split`` (a :class:`surveykit.data.Split`): fits on the training part, evaluates
    on the validation part. Every fit starts from w = 0, b = 0. Returns
    ``{(penalty, method): PenaltySweep}``; shows one progress bar over all fits.
    """
    from ..progress import progress

    lambdas = np.asarray([check_range("lambdas[i]", lam, 0.0) for lam in lambdas])
    for penalty, method in cases:
        check_choice("penalty", penalty, PENALTIES)
        check_choice("method", method, METHODS)
    X, y = np.asarray(split.X_train, float), np.asarray(split.y_train, float)
    Xv, yv = np.asarray(split.X_val, float), np.asarray(split.y_val, float)
    jobs = [(case, lam) for case in cases for lam in lambdas]
    fits = {}
    with progress(jobs, desc) as bar:
        for (penalty, method), lam in bar:
            fits[(penalty, method, lam)] = train_logistic(
                X, y, penalty=penalty, lam=float(lam), mix=mix, learning_rate=learning_rate,
                steps=steps, method=method)
    out = {}
    for penalty, method in cases:
        row = [fits[(penalty, method, lam)] for lam in lambdas]
        w = np.array([f.w for f in row])
        b = np.array([f.b for f in row])
        p_train = [foundations.neuron_forward(X, f.w, f.b) for f in row]
        p_val = [foundations.neuron_forward(Xv, f.w, f.b) for f in row]
        out[(penalty, method)] = PenaltySweep(
            penalty=penalty, method=method, lambdas=lambdas, mix=mix,
            learning_rate=learning_rate, steps=steps, weights=w, biases=b,
            train_loss=np.array([foundations.binary_cross_entropy(y, p) for p in p_train]),
            val_loss=np.array([foundations.binary_cross_entropy(yv, p) for p in p_val]),
            val_accuracy=np.array([np.mean((p > 0.5) == (yv > 0.5)) for p in p_val]),
            feature_names=tuple(split.feature_names))
    return out


def correlated_features(split, feature: str, threshold: float = 0.9) -> list[str]:
    """The features whose training-set correlation with ``feature`` is ≥ threshold
    (``feature`` first, then by decreasing correlation)."""
    names = list(split.feature_names)
    feature = check_choice("feature", feature, names)
    threshold = check_range("threshold", threshold, -1.0, 1.0)
    corr = np.corrcoef(np.asarray(split.X_train, float).T)[names.index(feature)]
    order = np.argsort(-corr)
    return [names[j] for j in order if corr[j] >= threshold]


def refit_on_features(split, features: Sequence[str], *, learning_rate: float = 0.1,
                      steps: int = 3000) -> dict[str, float]:
    """Unpenalised logistic regression on the named features only (feature selection).

    Returns the validation ``loss`` (mean BCE) and ``accuracy`` and the number of features.
    """
    names = list(split.feature_names)
    cols = [names.index(check_choice("features[i]", f, names)) for f in features]
    X = np.asarray(split.X_train, float)[:, cols]
    Xv = np.asarray(split.X_val, float)[:, cols]
    fit = train_logistic(X, split.y_train, lam=0.0, learning_rate=learning_rate, steps=steps)
    p = foundations.neuron_forward(Xv, fit.w, fit.b)
    return {"features": float(len(cols)),
            "loss": foundations.binary_cross_entropy(split.y_val, p),
            "accuracy": float(np.mean((p > 0.5) == (np.asarray(split.y_val) > 0.5)))}


def build_mlp_with(input_dim: int, hidden_units: Sequence[int] = SURVEY_HIDDEN_UNITS, *,
                   regularizer: Callable[[], object] | None = None, dropout_rate: float = 0.0,
                   output_units: int = 1):
    """A ReLU MLP (default: the survey's 30 → 128 → 64 → 32 → 1) with a kernel penalty
    and/or ``keras.layers.Dropout(dropout_rate)`` after every hidden layer.

    ``regularizer`` is a factory (e.g. ``lambda: L2Regularizer(1e-3)``) called once per
    Dense layer, output layer included. Output: sigmoid for 1 unit, softmax otherwise.
    """
    import keras

    input_dim = check_int("input_dim", input_dim, low=1)
    dropout_rate = check_range("dropout_rate", dropout_rate, 0.0, 1.0, high_closed=False)
    output_units = check_int("output_units", output_units, low=1)

    def reg():
        return regularizer() if regularizer is not None else None

    layers = [keras.Input((input_dim,))]
    for units in hidden_units:
        layers.append(keras.layers.Dense(check_int("hidden_units[i]", units, low=1),
                                         activation="relu", kernel_regularizer=reg()))
        if dropout_rate > 0:
            layers.append(keras.layers.Dropout(dropout_rate))
    layers.append(keras.layers.Dense(output_units, kernel_regularizer=reg(),
                                     activation="sigmoid" if output_units == 1 else "softmax"))
    return keras.Sequential(layers)


def mlp_penalty_runs(split, cases: Sequence[tuple[str, float]], *, mix: float = 0.5,
                     epochs: int = 100, batch_size: int = 64, learning_rate: float = 1e-3,
                     seed: int = 0, desc: str = "survey MLP runs") -> dict:
    """The survey's MLP (§3.1) trained with Adam for each (penalty, λ) in ``cases``.

    Same seed, so the same initial weights and batch order for every case. Returns
    ``{(penalty, λ): Run}`` (:func:`train_compiled`); each run also has ``run.kernels``
    (the trained kernels, :func:`kernel_weights`) and the model in ``run.model``.
    """
    import keras

    from ..progress import progress

    out = {}
    with progress(list(cases), desc) as bar:
        for penalty, lam in bar:
            reg = None if lam == 0 else (lambda p=penalty, v=lam: keras_regularizer(p, v, mix))
            run = train_compiled(
                lambda r=reg: build_mlp_with(split.n_features, regularizer=r),
                split.X_train, split.y_train, split.X_val, split.y_val,
                optimizer=keras.optimizers.Adam(learning_rate), epochs=epochs,
                batch_size=batch_size, seed=seed, config={"penalty": penalty, "lam": lam})
            run.kernels = kernel_weights(run.model)
            out[(penalty, lam)] = run
    return out


# ======================================================================================
# Dropout (§4.3)
# ======================================================================================


def standard_errors(h, p: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Standard errors of the n-sample mean of one unit's training output, both forms.

    The survey's form h·m (m ~ Bernoulli(1 − p)) has variance h² p(1 − p); the inverted
    form h·m/(1 − p) has h² p/(1 − p). The mean of n independent samples has standard
    error √(variance / n): |h|√(p(1 − p)/n) and that divided by (1 − p).
    """
    p = check_range("p", p, 0.0, 1.0, high_closed=False)
    n = check_int("n", n, low=1)
    se = np.abs(np.asarray(h, dtype=float)) * np.sqrt(p * (1.0 - p) / n)
    return se, se / (1.0 - p)


@dataclass
class MonteCarlo:
    """n dropout samples of activations ``h`` with drop probability ``p``, both forms.

    ``*_mean`` / ``*_var`` are per-unit sample means / variances of the training outputs;
    ``*_inference`` the inference outputs; ``*_se`` the standard errors of the means.
    """

    h: np.ndarray
    p: float
    n: int
    survey_mean: np.ndarray
    inverted_mean: np.ndarray
    survey_var: np.ndarray
    inverted_var: np.ndarray
    survey_inference: np.ndarray
    inverted_inference: np.ndarray
    survey_se: np.ndarray
    inverted_se: np.ndarray
    keep_fraction: float

    @property
    def survey_z(self) -> np.ndarray:
        """(sample mean − inference output) / standard error, per unit (survey form)."""
        return _z(self.survey_mean - self.survey_inference, self.survey_se)

    @property
    def inverted_z(self) -> np.ndarray:
        return _z(self.inverted_mean - self.inverted_inference, self.inverted_se)

    def within(self, z: float = 5.0) -> bool:
        """Both forms' sample means lie within ``z`` standard errors of the inference
        output, for every unit."""
        return bool(np.all(np.abs(self.survey_z) <= z) and np.all(np.abs(self.inverted_z) <= z))


def _z(diff, se):
    diff, se = np.asarray(diff, float), np.asarray(se, float)
    return np.where(se > 0, diff / np.where(se > 0, se, 1.0), np.where(diff == 0, 0.0, np.inf))


def dropout_monte_carlo(h, p: float, n: int = 20_000, seed: int = 0) -> MonteCarlo:
    """Apply :func:`dropout` and :func:`inverted_dropout` (training) to ``h`` n times.

    Both forms use the same n keep-masks (:func:`dropout_mask`), so they differ only by
    their scaling. The expected training output of each form is its inference output:
    E[h·m] = (1 − p)h and E[h·m/(1 − p)] = h.
    """
    h = np.asarray(h, dtype=float).ravel()
    n = check_int("n", n, low=2)
    masks = dropout_mask((n, h.size), p, rng=seed)
    batch = np.broadcast_to(h, (n, h.size))
    survey = dropout(batch, p, training=True, mask=masks)
    inverted = inverted_dropout(batch, p, training=True, mask=masks)
    se_s, se_i = standard_errors(h, p, n)
    return MonteCarlo(
        h=h, p=float(p), n=n, survey_mean=survey.mean(0), inverted_mean=inverted.mean(0),
        survey_var=survey.var(0), inverted_var=inverted.var(0),
        survey_inference=dropout(h, p, training=False),
        inverted_inference=inverted_dropout(h, p, training=False),
        survey_se=se_s, inverted_se=se_i, keep_fraction=float(masks.mean()))


def monte_carlo_error_vs_n(h: float, p: float, ns: Sequence[int], seed: int = 0) -> dict:
    """|sample mean − inference output| of one unit after n samples, for each n in ``ns``.

    Returns arrays ``n``, ``survey_error``, ``inverted_error``, ``survey_se``,
    ``inverted_se`` (the standard errors of :func:`standard_errors`).
    """
    ns = np.array([check_int("ns[i]", k, low=2) for k in ns])
    rows = [dropout_monte_carlo(np.array([h]), p, int(k), seed=seed + i)
            for i, k in enumerate(ns)]
    return {
        "n": ns,
        "survey_error": np.array([abs(r.survey_mean[0] - r.survey_inference[0]) for r in rows]),
        "inverted_error": np.array([abs(r.inverted_mean[0] - r.inverted_inference[0])
                                    for r in rows]),
        "survey_se": np.array([r.survey_se[0] for r in rows]),
        "inverted_se": np.array([r.inverted_se[0] for r in rows]),
    }


def keras_dropout_comparison(h, p: float, n: int = 20_000, seed: int = 0, z: float = 5.0
                             ) -> dict[str, object]:
    """Compare :func:`inverted_dropout` and :class:`SurveyDropout` with ``keras.layers.Dropout``.

    Returns booleans and numbers:

    - ``inference_equal``: Keras' Dropout at inference returns h exactly, as
      ``inverted_dropout(h, p, training=False)``;
    - ``keras_mean_z``: max over units of |mean of n Keras training outputs − h| / SE,
      with SE = |h|√(p(1−p)/n)/(1 − p); ``keras_mean_ok`` is it ≤ z;
    - ``keras_keep_fraction`` and ``keep_ok``: the fraction of kept units, within z·√(p(1−p)/N)
      of 1 − p (N = all unit samples);
    - ``same_formula_max_rel``: with Keras' own mask (where its output ≠ 0),
      ``inverted_dropout`` reproduces Keras' output to this max relative error;
    - ``survey_layer_mean_z`` / ``survey_layer_mean_ok``: the same for
      :class:`SurveyDropout` against (1 − p)h; ``survey_layer_inference_equal``: its
      inference output is (1 − p)h (float32 rounding, rtol 1e-6).
    """
    import keras

    from .dropout import SurveyDropout

    h = np.asarray(h, dtype=float).ravel()
    batch = np.tile(h, (n, 1)).astype("float32")
    se_s, se_i = standard_errors(h, p, n)
    keras_train = np.asarray(keras.layers.Dropout(p, seed=seed)(batch, training=True), float)
    keras_inf = np.asarray(keras.layers.Dropout(p, seed=seed)(h[None].astype("float32"),
                                                                training=False), float)[0]
    kept = keras_train != 0
    ours = inverted_dropout(batch.astype(float), p, training=True, mask=kept)
    rel = np.abs(ours - keras_train) / np.maximum(np.abs(keras_train), 1e-30)
    layer = SurveyDropout(p, seed=seed)
    survey_train = np.asarray(layer(batch, training=True), float)
    survey_inf = np.asarray(layer(h[None].astype("float32"), training=False), float)[0]
    keras_z = float(np.max(np.abs(_z(keras_train.mean(0) - h, se_i))))
    survey_z = float(np.max(np.abs(_z(survey_train.mean(0) - (1 - p) * h, se_s))))
    keep = float(kept.mean())
    return {
        "inference_equal": bool(np.array_equal(keras_inf,
                                                inverted_dropout(h.astype("float32"), p,
                                                                 training=False))),
        "keras_mean_z": keras_z,
        "keras_mean_ok": keras_z <= z,
        "keras_keep_fraction": keep,
        "keep_ok": abs(keep - (1 - p)) <= z * np.sqrt(p * (1 - p) / kept.size),
        "same_formula_max_rel": float(rel[kept].max()),
        "survey_layer_mean_z": survey_z,
        "survey_layer_mean_ok": survey_z <= z,
        "survey_layer_inference_equal": bool(np.allclose(survey_inf, (1 - p) * h, rtol=1e-6)),
    }


@dataclass
class DropoutSweep:
    """MLPs trained on two moons with each dropout rate and seed (:func:`moons_dropout_sweep`).

    ``runs[(rate, seed)]`` is a ``Run`` (history per epoch, see :func:`train_compiled`);
    ``proba[(rate, seed)]`` the predicted P(class 1) on the grid ``grid_x`` × ``grid_y``
    (shape (len(grid_y), len(grid_x))); ``test[(rate, seed)]`` the final model's ``loss``
    and ``accuracy`` on a large test set from the same distribution; ``X_train``/``y_train``
    the training points.
    """

    rates: list[float]
    seeds: list[int]
    runs: dict = field(default_factory=dict)
    proba: dict = field(default_factory=dict)
    test: dict = field(default_factory=dict)
    grid_x: np.ndarray | None = None
    grid_y: np.ndarray | None = None
    X_train: np.ndarray | None = None
    y_train: np.ndarray | None = None
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    settings: dict = field(default_factory=dict)


def moons_dropout_sweep(rates: Sequence[float], seeds: Sequence[int] = (0,), *,
                        n_train: int = 60, n_val: int = 300, noise: float = 0.3,
                        hidden_units: Sequence[int] = (256, 256), epochs: int = 300,
                        learning_rate: float = 1e-3, data_seed: int = 1, n_test: int = 5000,
                        eval_every: int = 3, grid_size: int = 60,
                        desc: str = "dropout rates") -> DropoutSweep:
    """An over-parameterised MLP on a small, noisy two-moons training set, per dropout rate.

    ``n_train`` points (``make_moons``, noise σ = ``noise``, seed ``data_seed``) and
    ``n_val`` validation points from the same distribution (seed ``data_seed + 1``), and
    ``n_test`` test points (seed ``data_seed + 2``) scored once at the end; a ReLU MLP
    ``2 → hidden_units → 1`` with ``keras.layers.Dropout(rate)`` after every hidden layer,
    full-batch Adam(``learning_rate``) for ``epochs`` epochs, evaluated every
    ``eval_every`` epochs. For each seed, every rate starts from the same initial weights
    (the Dropout layers have no weights).
    """
    import keras

    from ..progress import progress

    rates = [check_range("rates[i]", r, 0.0, 1.0, high_closed=False) for r in rates]
    seeds = [check_int("seeds[i]", s, low=0) for s in seeds]
    X, y = sk_data.make_moons(check_int("n_train", n_train, low=2), noise, seed=data_seed)
    Xv, yv = sk_data.make_moons(check_int("n_val", n_val, low=2), noise, seed=data_seed + 1)
    Xt, yt = sk_data.make_moons(check_int("n_test", n_test, low=2), noise, seed=data_seed + 2)
    gx = np.linspace(-1.6, 2.6, grid_size)
    gy = np.linspace(-1.2, 1.7, grid_size)
    grid = np.column_stack([a.ravel() for a in np.meshgrid(gx, gy)]).astype("float32")
    out = DropoutSweep(rates=rates, seeds=seeds, grid_x=gx, grid_y=gy, X_train=X, y_train=y,
                       X_val=Xv, y_val=yv, settings=dict(
                           n_train=n_train, n_val=n_val, noise=noise,
                           hidden_units=tuple(hidden_units), epochs=epochs,
                           learning_rate=learning_rate, batch_size=n_train, n_test=n_test))
    jobs = [(rate, seed) for seed in seeds for rate in rates]
    with progress(jobs, desc) as bar:
        for rate, seed in bar:
            run = train_compiled(
                lambda r=rate: build_mlp_with(2, hidden_units, dropout_rate=r), X, y, Xv, yv,
                optimizer=keras.optimizers.Adam(learning_rate), epochs=epochs,
                batch_size=n_train, seed=seed, eval_every=eval_every,
                config={"rate": rate, "seed": seed})
            p_test = np.asarray(run.model(Xt.astype("float32"), training=False), float)[:, 0]
            out.test[(rate, seed)] = {
                "loss": foundations.binary_cross_entropy(yt, p_test),
                "accuracy": float(np.mean((p_test > 0.5) == (yt == 1)))}
            out.proba[(rate, seed)] = np.asarray(
                run.model(grid, training=False)).reshape(grid_size, grid_size)
            out.runs[(rate, seed)] = run
    return out


def rate_summary(runs: dict, rates: Sequence[float], seeds: Sequence[int]) -> dict:
    """Per rate, over seeds: mean final and best validation loss, final validation
    accuracy, final training data loss, and the final gap val_loss − data_loss.

    ``runs`` maps (rate, seed) to a Run with ``data_loss``, ``val_loss`` and
    ``val_accuracy`` histories. Returns arrays aligned with ``rates``; ``*_spread`` is
    the max − min over seeds.
    """
    def stat(key, fn):
        return np.array([[fn(runs[(r, s)].history[key]) for s in seeds] for r in rates])

    final_val = stat("val_loss", lambda v: v[-1])
    best_val = stat("val_loss", min)
    final_train = stat("data_loss", lambda v: v[-1])
    final_acc = stat("val_accuracy", lambda v: v[-1])
    return {
        "rate": np.asarray(rates, float),
        "final_val_loss": final_val.mean(1), "final_val_loss_spread": np.ptp(final_val, 1),
        "best_val_loss": best_val.mean(1), "best_val_loss_spread": np.ptp(best_val, 1),
        "final_train_loss": final_train.mean(1),
        "final_val_accuracy": final_acc.mean(1),
        "gap": (final_val - final_train).mean(1),
    }


def build_digits_cnn(conv_rate: float = 0.0, dense_rate: float = 0.0, *, filters: int = 16,
                     dense_units: int = 64):
    """A small CNN for the 8×8 digits, with dropout after its conv or its dense layer.

    64 pixels → (8, 8, 1) → Conv(filters, 3×3, ReLU) → Dropout(conv_rate) →
    Conv(filters, 3×3, ReLU) → Dropout(conv_rate) → MaxPool 2×2 → Flatten →
    Dense(dense_units, ReLU) → Dropout(dense_rate) → Dense(10, softmax).
    """
    import keras

    conv_rate = check_range("conv_rate", conv_rate, 0.0, 1.0, high_closed=False)
    dense_rate = check_range("dense_rate", dense_rate, 0.0, 1.0, high_closed=False)
    layers = [keras.Input((64,)), keras.layers.Reshape((8, 8, 1))]
    for _ in range(2):
        layers.append(keras.layers.Conv2D(check_int("filters", filters, low=1), 3,
                                          padding="same", activation="relu"))
        if conv_rate:
            layers.append(keras.layers.Dropout(conv_rate))
    layers += [keras.layers.MaxPooling2D(2), keras.layers.Flatten(),
               keras.layers.Dense(check_int("dense_units", dense_units, low=1),
                                  activation="relu")]
    if dense_rate:
        layers.append(keras.layers.Dropout(dense_rate))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)


def placement_runs(configs: dict[str, tuple[float, float]], seeds: Sequence[int] = (0, 1, 2),
                   *, n_train: int = 150, epochs: int = 40, batch_size: int = 32,
                   learning_rate: float = 1e-3, split_seed: int = 0, eval_every: int = 2,
                   desc: str = "dropout placement") -> dict:
    """:func:`build_digits_cnn` with each ``configs[name] = (conv_rate, dense_rate)`` and seed.

    Trains on the first ``n_train`` of the digits' training part (a random subset fixed by
    ``split_seed``), validates on its whole validation part. Returns
    ``{(name, seed): Run}``.
    """
    import keras

    from ..progress import progress

    split = sk_data.digits_split(seed=split_seed)
    subset = np.random.default_rng(split_seed).permutation(len(split.y_train))[
        :check_int("n_train", n_train, low=10)]
    X, y = split.X_train[subset], split.y_train[subset]
    out = {}
    jobs = [(name, seed) for seed in seeds for name in configs]
    with progress(jobs, desc) as bar:
        for name, seed in bar:
            conv, dense = configs[name]
            out[(name, seed)] = train_compiled(
                lambda c=conv, d=dense: build_digits_cnn(c, d), X, y, split.X_val, split.y_val,
                optimizer=keras.optimizers.Adam(learning_rate), epochs=epochs,
                batch_size=batch_size, loss="sparse_categorical_crossentropy", seed=seed,
                eval_every=eval_every,
                config={"name": name, "conv_rate": conv, "dense_rate": dense, "seed": seed})
    return out


def neighbour_correlations(model, X) -> dict[str, float]:
    """How redundant neighbouring units are, in a :func:`build_digits_cnn` model.

    ``conv``: the mean correlation (over inputs ``X``) between each unit of the second
    conv layer's output and its right and lower neighbours in the same channel;
    ``dense``: the mean absolute correlation between distinct units of the dense hidden
    layer. Constant (dead) units are left out. Dropping a unit removes less information
    when its neighbours carry nearly the same signal.
    """
    import keras

    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][0]
    probe = keras.Model(model.inputs, [convs[-1].output, dense.output])
    a, d = (np.asarray(t, float) for t in probe([np.asarray(X, "float32")], training=False))
    pairs = []
    for left, right in ((a[:, :, :-1, :], a[:, :, 1:, :]), (a[:, :-1, :, :], a[:, 1:, :, :])):
        pairs.append((left.reshape(len(a), -1), right.reshape(len(a), -1)))
    conv_corr = []
    for u, v in pairs:
        ok = (u.std(0) > 0) & (v.std(0) > 0)
        uc, vc = u[:, ok] - u[:, ok].mean(0), v[:, ok] - v[:, ok].mean(0)
        conv_corr.append((uc * vc).mean(0) / (uc.std(0) * vc.std(0)))
    live = d[:, d.std(0) > 0]
    corr = np.corrcoef(live.T)
    off = corr[~np.eye(len(corr), dtype=bool)]
    return {"conv": float(np.mean(np.concatenate(conv_corr))),
            "dense": float(np.mean(np.abs(off)))}
