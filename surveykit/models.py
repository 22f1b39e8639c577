"""Keras models built from architecture hyperparameters (survey §3.1), and their size.

The survey's §3.1 lists the architecture hyperparameters — the number of layers, the
number of units per layer, the activation function and the type of layers — and notes
that they "interact with other categories like regularization (e.g., dropout between
layers) and optimization (e.g., weight initialization)". :class:`Architecture` holds all
of them in one validated, frozen record; :meth:`Architecture.build` turns it into a Keras
model and :func:`count_parameters` says how many parameters that model has *from the
hyperparameters alone*, without building it (tests check it against Keras'
``count_params`` for many configurations).

The survey's example (§3.1): 30 input features, three hidden layers of 128, 64 and 32
ReLU units, one sigmoid output for binary classification — ``Architecture((30,))``
(the defaults) or ``build_mlp(30)``; it has 14 337 parameters.

Layers, in order, for each hidden layer ``l`` (``units[l]`` units, or filters for
``layer_type="conv"``):

* dense:  ``Dense(units[l])`` → [``BatchNormalization``] → activation → [``Dropout(p)``]
* conv:   ``Conv2D(units[l], k×k, padding="same")`` → [``BatchNormalization``] →
  activation → [``MaxPooling2D(2)``] → [``Dropout(p)``], and ``Flatten`` after the last

then the output ``Dense(output_units, output_activation)``. Batch normalization sits
after the linear transformation and before the activation, as survey §4.7 recommends;
the linear layer then has no bias, because BN's shift β takes its place (a bias before
BN would be subtracted again with the batch mean). A dense network on an image-shaped
input starts with ``Flatten``.

Parameter counts, the formulas used by :func:`count_parameters`:

* dense layer:    ``fan_in · units + units``                  (weights + biases)
* conv layer:     ``k · k · c_in · filters + filters``          (one k×k×c_in kernel per filter)
* batch norm:     ``2 · features`` trainable (γ, β) + ``2 · features`` non-trainable
  (moving mean and variance) — Keras' ``count_params`` counts all four
* dropout, activation, pooling, flatten: no parameters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from .validation import check_choice, check_int, check_range

__all__ = [
    "SURVEY_HIDDEN_UNITS",
    "ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "LAYER_TYPES",
    "INITIALIZERS",
    "INITIALIZER_ALIASES",
    "DEFAULT_INIT_SCALE",
    "Architecture",
    "LayerParameters",
    "dense_params",
    "conv2d_params",
    "batch_norm_params",
    "layer_parameters",
    "count_parameters",
    "parameter_summary",
    "build_model",
    "build_mlp",
    "kernel_initializer",
    "loss_and_gradients",
]

SURVEY_HIDDEN_UNITS = (128, 64, 32)
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")
OUTPUT_ACTIVATIONS = (*ACTIVATIONS, "softmax")
LAYER_TYPES = ("dense", "conv")
#: Keras' names of the weight initialisers the builder accepts (survey §3.2: "Xavier
#: (Glorot), He initialization"). ``random_normal`` draws N(0, init_scale²).
INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
                "lecun_uniform", "lecun_normal", "random_normal")
#: Other names people use for the same initialisers.
INITIALIZER_ALIASES = {
    "glorot": "glorot_uniform", "xavier": "glorot_uniform",
    "xavier_uniform": "glorot_uniform", "xavier_normal": "glorot_normal",
    "he": "he_normal", "kaiming": "he_normal", "kaiming_normal": "he_normal",
    "kaiming_uniform": "he_uniform", "lecun": "lecun_normal", "normal": "random_normal",
}
#: ``keras.initializers.RandomNormal``'s default standard deviation.
DEFAULT_INIT_SCALE = 0.05


# --- the parameter-count formulas, once ----------------------------------------------

def dense_params(fan_in: int, units: int, *, use_bias: bool = True) -> int:
    """Parameters of a dense layer: ``fan_in · units`` weights + ``units`` biases."""
    fan_in = check_int("fan_in", fan_in, low=1)
    units = check_int("units", units, low=1)
    return fan_in * units + (units if use_bias else 0)


def conv2d_params(kernel_size: int, in_channels: int, filters: int, *,
                  use_bias: bool = True) -> int:
    """Parameters of a 2-D convolution: ``k · k · c_in · filters + filters``.

    Each of the ``filters`` filters is one ``k × k × c_in`` kernel plus one bias, shared
    over every position of the image: the count does not depend on the image size.
    """
    kernel_size = check_int("kernel_size", kernel_size, low=1)
    in_channels = check_int("in_channels", in_channels, low=1)
    filters = check_int("filters", filters, low=1)
    return kernel_size * kernel_size * in_channels * filters + (filters if use_bias else 0)


def batch_norm_params(features: int) -> tuple[int, int]:
    """``(trainable, non_trainable)`` of batch norm: γ, β and the moving mean, variance."""
    features = check_int("features", features, low=1)
    return 2 * features, 2 * features


# --- the architecture ------------------------------------------------------------------

def _positive_shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int,)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"input_shape must be a tuple of positive integers; got {shape!r}") \
            from None
    if not shape:
        raise ValueError("input_shape must be a tuple of positive integers; got ()")
    return tuple(check_int(f"input_shape[{i}]", s, low=1) for i, s in enumerate(shape))


@dataclass(frozen=True)
class Architecture:
    """The architecture hyperparameters of a network (survey §3.1), validated.

    * ``input_shape``: ``(n_features,)`` for tabular data, ``(height, width, channels)``
      for images (``(8, 8, 1)`` for the digits);
    * ``units``: the width of each hidden layer — filters for ``layer_type="conv"`` —
      so ``len(units)`` is the number of hidden layers (0 is allowed: no hidden layer);
    * ``layer_type``: ``"dense"`` (fully connected) or ``"conv"`` (a small Conv2D stack,
      ``kernel_size`` × ``kernel_size``, "same" padding, 2×2 max-pooling after each
      layer when ``pool``; needs a 3-D ``input_shape``);
    * ``activation`` of the hidden layers, one of :data:`ACTIVATIONS`;
    * ``dropout``: the rate p in [0, 1) of a Dropout after every hidden layer (0: none);
    * ``batch_norm``: BatchNormalization before every hidden activation (survey §4.7),
      with Keras' ``momentum`` = ``batch_norm_momentum``;
    * ``initializer``: the kernels' initialiser, one of :data:`INITIALIZERS` or an alias
      (``"xavier"``, ``"he"``… see :data:`INITIALIZER_ALIASES`); biases start at 0.
      ``init_scale`` is the standard deviation of ``"random_normal"`` (default 0.05) and
      is refused for the others;
    * ``output_units`` and ``output_activation`` (sigmoid for binary, softmax for classes).

    Everything is checked in ``__post_init__`` through :mod:`surveykit.validation`, so a
    bad value raises a ``ValueError`` that names it, e.g. ``dropout must be in [0, 1)``.
    """

    input_shape: tuple[int, ...] = (30,)
    units: tuple[int, ...] = SURVEY_HIDDEN_UNITS
    layer_type: str = "dense"
    activation: str = "relu"
    dropout: float = 0.0
    batch_norm: bool = False
    batch_norm_momentum: float = 0.99
    initializer: str = "glorot_uniform"
    init_scale: float | None = None
    kernel_size: int = 3
    pool: bool = True
    output_units: int = 1
    output_activation: str = "sigmoid"
    name: str | None = field(default=None, compare=False)

    def __post_init__(self):
        set_ = object.__setattr__  # frozen: normalise the fields once, here
        set_(self, "input_shape", _positive_shape(self.input_shape))
        units = (self.units,) if isinstance(self.units, int) else self.units
        try:
            units = tuple(units)
        except TypeError:
            raise ValueError(f"units must be a sequence of positive integers; got {units!r}") \
                from None
        set_(self, "units", tuple(check_int(f"units[{i}]", u, low=1) for i, u in enumerate(units)))
        check_choice("layer_type", self.layer_type, LAYER_TYPES)
        check_choice("activation", self.activation, ACTIVATIONS)
        set_(self, "dropout", check_range("dropout", self.dropout, 0.0, 1.0, high_closed=False))
        for flag in ("batch_norm", "pool"):
            check_choice(flag, getattr(self, flag), (True, False))
            set_(self, flag, bool(getattr(self, flag)))
        set_(self, "batch_norm_momentum", check_range(
            "batch_norm_momentum", self.batch_norm_momentum, 0.0, 1.0, high_closed=False))
        init = INITIALIZER_ALIASES.get(self.initializer, self.initializer)
        set_(self, "initializer", check_choice("initializer", init, INITIALIZERS))
        if self.init_scale is not None:
            if self.initializer != "random_normal":
                raise ValueError(f"init_scale applies only to initializer='random_normal'; "
                                 f"got init_scale={self.init_scale!r} with "
                                 f"initializer={self.initializer!r}")
            set_(self, "init_scale", check_range("init_scale", self.init_scale, 0.0,
                                                 low_closed=False))
        check_int("kernel_size", self.kernel_size, low=1)
        check_int("output_units", self.output_units, low=1)
        check_choice("output_activation", self.output_activation, OUTPUT_ACTIVATIONS)
        if self.layer_type == "conv":
            if len(self.input_shape) != 3:
                raise ValueError("input_shape must be (height, width, channels) for "
                                 f"layer_type='conv'; got {self.input_shape!r}")
            if self.pool and self.units:
                h, w = self.input_shape[:2]
                pools = len(self.units)
                if min(h, w) >> pools < 1:  # each 2×2 pooling halves (floor) the size
                    most = int(math.log2(min(h, w)))
                    raise ValueError(
                        f"units must have at most {most} conv layers for a {h}×{w} input "
                        f"with pool=True (each 2×2 pooling halves it); got {pools}")

    # --- convenient constructors --------------------------------------------------

    @classmethod
    def from_depth_width(cls, input_shape, n_layers: int, width: int, *, taper: bool = False,
                         **kwargs) -> Architecture:
        """``n_layers`` hidden layers of ``width`` units, or halving from ``width`` when
        ``taper`` (at least 1 unit): ``from_depth_width((30,), 3, 128, taper=True)`` is
        the survey's 128-64-32 network."""
        n_layers = check_int("n_layers", n_layers, low=0)
        width = check_int("width", width, low=1)
        units = tuple(max(1, width >> i) if taper else width for i in range(n_layers))
        return cls(input_shape=input_shape, units=units, **kwargs)

    def with_(self, **changes) -> Architecture:
        """A copy with some hyperparameters changed (validated again)."""
        return replace(self, **changes)

    @property
    def n_layers(self) -> int:
        """The number of hidden layers (the depth, survey §3.1)."""
        return len(self.units)

    @property
    def init_stddev(self) -> float | None:
        """The standard deviation of ``random_normal`` (None for the other initialisers)."""
        if self.initializer != "random_normal":
            return None
        return DEFAULT_INIT_SCALE if self.init_scale is None else self.init_scale

    def label(self) -> str:
        """A short description, e.g. ``"dense 128-64-32 relu"``."""
        if not self.units:
            parts = [self.layer_type, "(no hidden layer)"]
        else:
            parts = [self.layer_type, "-".join(map(str, self.units)), self.activation]
        if self.batch_norm:
            parts.append("BN")
        if self.dropout:
            parts.append(f"dropout {self.dropout:g}")
        if self.initializer != "glorot_uniform":
            parts.append(self.initializer if self.initializer != "random_normal"
                         else f"N(0, {self.init_stddev:g}²)")
        return " ".join(parts)

    def hyperparameters(self) -> dict:
        """The hyperparameters as a plain dict (``Architecture(**arch.hyperparameters())``)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "name"}

    # --- size and model -------------------------------------------------------------

    def layer_parameters(self) -> list[LayerParameters]:
        """The parameters of every layer that has some; see :func:`layer_parameters`."""
        return layer_parameters(self)

    def count_parameters(self, *, trainable_only: bool = False) -> int:
        """Total parameters, equal to the built model's ``count_params()``."""
        return count_parameters(self, trainable_only=trainable_only)

    def summary(self) -> str:
        """A per-layer table of parameter counts, computed without Keras."""
        return parameter_summary(self)

    def build(self, *, name: str | None = None):
        """The Keras model (``keras.Sequential``). Seed Keras first for reproducible weights."""
        import keras

        L = keras.layers
        bias = not self.batch_norm
        layers = [keras.Input(self.input_shape)]
        if self.layer_type == "dense" and len(self.input_shape) > 1:
            layers.append(L.Flatten())
        for i, u in enumerate(self.units, start=1):
            init = kernel_initializer(self.initializer, self.init_stddev)
            act = None if self.batch_norm else self.activation  # BN goes before it
            if self.layer_type == "dense":
                layers.append(L.Dense(u, activation=act, use_bias=bias,
                                      kernel_initializer=init, name=f"dense_{i}"))
            else:
                layers.append(L.Conv2D(u, self.kernel_size, padding="same", activation=act,
                                       use_bias=bias, kernel_initializer=init,
                                       name=f"conv_{i}"))
            if self.batch_norm:
                layers.append(L.BatchNormalization(momentum=self.batch_norm_momentum,
                                                   name=f"batch_norm_{i}"))
                layers.append(L.Activation(self.activation, name=f"{self.activation}_{i}"))
            if self.layer_type == "conv" and self.pool:
                layers.append(L.MaxPooling2D(2, name=f"pool_{i}"))
            if self.dropout:
                layers.append(L.Dropout(self.dropout, name=f"dropout_{i}"))
        if self.layer_type == "conv":
            layers.append(L.Flatten())
        layers.append(L.Dense(self.output_units, activation=self.output_activation,
                              kernel_initializer=kernel_initializer(self.initializer,
                                                                    self.init_stddev),
                              name="output"))
        return keras.Sequential(layers, name=name or self.name)


class LayerParameters(NamedTuple):
    """The parameters of one layer: ``kernel`` (weights), ``bias``, ``scale_shift``
    (batch norm's γ and β) and ``moving`` (batch norm's moving mean and variance, not
    trained); ``output_shape`` excludes the batch dimension."""

    layer: str
    output_shape: tuple
    kernel: int = 0
    bias: int = 0
    scale_shift: int = 0
    moving: int = 0

    @property
    def trainable(self) -> int:
        return self.kernel + self.bias + self.scale_shift

    @property
    def total(self) -> int:
        return self.trainable + self.moving


def layer_parameters(arch: Architecture) -> list[LayerParameters]:
    """Every layer with parameters, in order, counted from the hyperparameters alone.

    Dropout, activations, pooling and flatten have none and are left out; the shapes
    follow the layers ("same" convolutions keep height × width, each 2×2 pooling halves
    it, rounding down).
    """
    if not isinstance(arch, Architecture):
        raise ValueError(f"arch must be an Architecture; got {type(arch).__name__}")
    rows: list[LayerParameters] = []
    bias = not arch.batch_norm
    shape = arch.input_shape

    def add_bn(i, shape):
        trainable, moving = batch_norm_params(shape[-1])
        rows.append(LayerParameters(f"batch_norm_{i}", shape, scale_shift=trainable,
                                    moving=moving))

    if arch.layer_type == "dense":
        shape = (math.prod(shape),)
    for i, u in enumerate(arch.units, start=1):
        if arch.layer_type == "dense":
            total = dense_params(shape[0], u, use_bias=bias)
            shape = (u,)
            rows.append(LayerParameters(f"dense_{i}", shape, total - u * bias, u * bias))
        else:
            h, w, c = shape
            total = conv2d_params(arch.kernel_size, c, u, use_bias=bias)
            shape = (h, w, u)
            rows.append(LayerParameters(f"conv_{i}", shape, total - u * bias, u * bias))
        if arch.batch_norm:
            add_bn(i, shape)
        if arch.layer_type == "conv" and arch.pool:
            shape = (shape[0] // 2, shape[1] // 2, shape[2])
    fan_in = math.prod(shape)
    n_out = arch.output_units
    total = dense_params(fan_in, n_out)
    rows.append(LayerParameters("output", (n_out,), total - n_out, n_out))
    return rows


def count_parameters(arch: Architecture | None = None, *, trainable_only: bool = False,
                     **hyperparameters) -> int:
    """The number of parameters of ``arch`` (or of ``Architecture(**hyperparameters)``).

    Equal to ``arch.build().count_params()`` (which includes batch norm's moving
    statistics); with ``trainable_only=True``, to the size of ``trainable_weights``.
    """
    arch = _architecture(arch, hyperparameters)
    rows = layer_parameters(arch)
    return sum(r.trainable if trainable_only else r.total for r in rows)


def parameter_summary(arch: Architecture) -> str:
    """A per-layer table: output shape, weights, biases, batch norm's γβ and moving stats."""
    rows = layer_parameters(arch)
    head = (f"{'layer':<13} {'output shape':<13} {'weights':>8} {'biases':>7} "
            f"{'BN γ,β':>7} {'BN mov.':>7} {'total':>8}")
    lines = [head, "-" * len(head)]
    for r in rows:
        shape = "×".join(map(str, r.output_shape))
        lines.append(f"{r.layer:<13} {shape:<13} {r.kernel:>8,} {r.bias:>7,} "
                     f"{r.scale_shift:>7,} {r.moving:>7,} {r.total:>8,}")
    lines.append("-" * len(head))
    total = sum(r.total for r in rows)
    trainable = sum(r.trainable for r in rows)
    lines.append(f"{'total':<13} {'':<13} {'':>8} {'':>7} {'':>7} {'':>7} {total:>8,}")
    lines.append(f"trainable {trainable:,}, non-trainable {total - trainable:,}")
    return "\n".join(lines)


def _architecture(arch, hyperparameters) -> Architecture:
    if arch is None:
        return Architecture(**hyperparameters)
    if hyperparameters:
        raise ValueError("give either an Architecture or hyperparameters, not both; got "
                         f"{sorted(hyperparameters)} with an Architecture")
    if not isinstance(arch, Architecture):
        raise ValueError(f"arch must be an Architecture; got {type(arch).__name__}")
    return arch


def build_model(arch: Architecture | None = None, *, name: str | None = None,
                **hyperparameters):
    """Build the Keras model of ``arch`` (or of ``Architecture(**hyperparameters)``)."""
    return _architecture(arch, hyperparameters).build(name=name)


def kernel_initializer(name: str, stddev: float | None = None):
    """A fresh Keras initialiser for ``name`` (an entry of :data:`INITIALIZERS` or an alias).

    A new object per layer: an unseeded Keras initialiser object reused by several
    layers would give them identical weights. ``stddev`` is for ``"random_normal"``.
    """
    import keras

    name = check_choice("initializer", INITIALIZER_ALIASES.get(name, name), INITIALIZERS)
    if name == "random_normal":
        std = DEFAULT_INIT_SCALE if stddev is None else stddev
        return keras.initializers.RandomNormal(
            mean=0.0, stddev=check_range("stddev", std, 0.0, low_closed=False))
    return keras.initializers.get(name)


def build_mlp(
    input_dim: int,
    hidden_units: Sequence[int] = SURVEY_HIDDEN_UNITS,
    *,
    activation: str = "relu",
    output_units: int = 1,
    output_activation: str = "sigmoid",
    name: str | None = None,
):
    """A fully connected network: ``input_dim`` → hidden Dense layers → output layer.

    ``hidden_units`` gives the width of each hidden layer (its length is the depth).
    Weights use Keras' defaults (Glorot-uniform kernels, zero biases); seed Keras first
    (``sk.setup()`` or ``keras.utils.set_random_seed``) for reproducible weights.
    The same model as ``Architecture((input_dim,), hidden_units, …).build()``.
    """
    import keras

    input_dim = check_int("input_dim", input_dim, low=1)
    hidden_units = [check_int("hidden_units[i]", u, low=1) for u in hidden_units]
    activation = check_choice("activation", activation, ACTIVATIONS)
    output_units = check_int("output_units", output_units, low=1)
    output_activation = check_choice("output_activation", output_activation,
                                     OUTPUT_ACTIVATIONS)
    layers = [keras.Input((input_dim,))]
    layers += [keras.layers.Dense(u, activation=activation) for u in hidden_units]
    layers.append(keras.layers.Dense(output_units, activation=output_activation))
    return keras.Sequential(layers, name=name)


def loss_and_gradients(model, X, y, *, loss: str = "binary_crossentropy"):
    """``(loss, [∂L/∂w for w in model.trainable_weights])`` as numpy, by ``tf.GradientTape``.

    The loss is Keras' ``loss`` (mean over the batch) of ``model(X, training=True)``;
    with ``y`` of shape (n,) it is reshaped to the model's output (n, 1). Used to check
    the survey's update ``w := w − η ∂L/∂w`` (§3.2) against a Keras optimizer's step.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    X = tf.convert_to_tensor(np.asarray(X, dtype="float32"))
    y = np.asarray(y, dtype="float32")
    if y.ndim == 1 and model.output_shape[-1] == 1:
        y = y[:, None]
    loss_fn = keras.losses.get(loss)
    with tf.GradientTape() as tape:
        value = keras.ops.mean(loss_fn(tf.convert_to_tensor(y), model(X, training=True)))
    grads = tape.gradient(value, model.trainable_weights)
    return float(value), [np.asarray(g) for g in grads]
