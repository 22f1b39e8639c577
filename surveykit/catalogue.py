"""One structured catalogue of the hyperparameters of survey §3.1–3.5.

The survey sorts hyperparameters into five categories (§3): model architecture (§3.1),
training (§3.2), regularization (§3.3), optimization (§3.4) and those of exponentially
weighted averages, EWA (§3.5). :data:`CATALOGUE` lists every hyperparameter those
sections name, as frozen :class:`Hyperparameter` records: name, category, symbol,
section, a typical range or set of values with its scale, a default and a short
description drawn from the survey's text. Tables are rendered from it
(:func:`to_markdown`, :func:`to_html`), never written by hand.

Where the ranges come from is recorded in ``range_source``: the survey's own numbers
(§3.2, §4.3, §4.6, §7.4, §8.1) where it gives them, otherwise common practice, said
so. Defaults are the survey's where it gives one (β₁ = 0.9, β₂ = 0.999, ε = 1e-8 in
§3.5; momentum 0.9 in §8.1; η = 10⁻³ for Adam in §8.1), else Keras'. The numbers §8.1
gives (learning rate, batch size, dropout, λ, momentum, epochs) are read from
:mod:`surveykit.ranges`, which holds them once.

Scales (survey §7.4, "Choosing an appropriate scale"):

* ``"linear"`` — sample uniformly in [low, high] (dropout, epochs, depth);
* ``"log"`` — uniformly in log(value) (learning rate, λ, ε, widths and batch sizes that
  go in powers of two); needs 0 < low;
* ``"log1m"`` — uniformly in log(1 − value), for averaging coefficients close to 1
  (β, β₁, β₂, batch-norm momentum): 0.9 → 0.99 → 0.999 are equal steps, each averaging
  over ten times more values (window 1/(1 − β), survey §5.6); needs 0 ≤ low < high < 1.
  The survey does not name this scale; it is the one its §7.4 argument leads to for β;
* ``"categorical"`` — one of ``values`` (no order).

Names match the keyword arguments of :class:`surveykit.models.Architecture`
(``units``, ``activation``, ``dropout``, ``batch_norm_momentum``, ``initializer``…) and
of the optimizers, so a later search space can be built from this catalogue.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import ranges as _ranges
from .validation import check_choice, check_range

__all__ = [
    "CATEGORIES",
    "CATEGORY_TITLES",
    "CATEGORY_SECTIONS",
    "CATEGORY_DESCRIPTIONS",
    "SCALES",
    "SCALE_LABELS",
    "COLUMNS",
    "Hyperparameter",
    "CATALOGUE",
    "names",
    "get",
    "by_category",
    "by_section",
    "counts",
    "format_value",
    "to_markdown",
    "to_html",
    "categories_markdown",
]

CATEGORIES = ("architecture", "training", "regularization", "optimization", "ewa")
CATEGORY_TITLES = {
    "architecture": "Model architecture",
    "training": "Training",
    "regularization": "Regularization",
    "optimization": "Optimization",
    "ewa": "Exponentially weighted averages (EWA)",
}
#: What each category decides, in the survey's words (§3.1–3.5, first sentence of each).
CATEGORY_DESCRIPTIONS = {
    "architecture": "the structural design of the network: how many learnable parameters it "
                    "has and how capable it is of capturing patterns in the data",
    "training": "how the learning algorithm proceeds over time",
    "regularization": "how overfitting is prevented, by reducing the model's capacity or "
                      "encouraging simpler solutions",
    "optimization": "how the model learns, particularly how gradients are used to update "
                    "the weights",
    "ewa": "how optimizers (momentum, RMSProp, Adam) smooth gradients and second-order "
           "statistics",
}
CATEGORY_SECTIONS = {"architecture": "3.1", "training": "3.2", "regularization": "3.3",
                     "optimization": "3.4", "ewa": "3.5"}
SCALES = ("linear", "log", "log1m", "categorical")
#: How each scale is shown in a table.
SCALE_LABELS = {"linear": "linear", "log": "log", "log1m": "log(1 − x)",
                "categorical": "categorical"}
SECTIONS = tuple(CATEGORY_SECTIONS.values())


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter of survey §3.1–3.5.

    * ``name``: identifier (the keyword argument in surveykit/Keras), ``label``: in words;
    * ``category``: one of :data:`CATEGORIES`; ``section``: where §3 lists it
      (``also_in``: other §3 subsections that name it too);
    * ``symbol``: the survey's symbol, or ``""`` when it has none;
    * ``scale``: one of :data:`SCALES`;
    * numeric (``scale != "categorical"``): the typical range ``[low, high]``, ``integer``
      if it takes whole values, and ``values``: typical values inside the range (may be
      empty); categorical: ``values`` are the options, ``low``/``high`` are None;
    * ``default``: a starting value, inside the range or among the options;
    * ``description``: what it does, in the survey's words; ``range_source``: where the
      range comes from.

    Checked in ``__post_init__`` (ValueError): known category, scale and section; low <
    high; positive bounds on a log scale; bounds in [0, 1) on the log1m scale; typical
    values and default inside the range.
    """

    name: str
    label: str
    category: str
    section: str
    symbol: str
    scale: str
    default: object
    description: str
    low: float | None = None
    high: float | None = None
    values: tuple = ()
    integer: bool = False
    range_source: str = ""
    also_in: tuple[str, ...] = ()

    def __post_init__(self):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"name must be a lower-case identifier; got {self.name!r}")
        check_choice("category", self.category, CATEGORIES)
        check_choice("section", self.section, SECTIONS)
        for s in self.also_in:
            check_choice("also_in", s, SECTIONS)
        check_choice("scale", self.scale, SCALES)
        object.__setattr__(self, "values", tuple(self.values))
        object.__setattr__(self, "also_in", tuple(self.also_in))
        what = f"{self.name}: "
        if self.scale == "categorical":
            if self.low is not None or self.high is not None:
                raise ValueError(f"{what}a categorical hyperparameter has no low/high; "
                                 f"got low={self.low!r}, high={self.high!r}")
            if len(self.values) < 2:
                raise ValueError(f"{what}values must list at least two options; "
                                 f"got {self.values!r}")
            check_choice(f"{self.name} default", self.default, self.values)
            return
        low = check_range(f"{self.name} low", self.low)
        high = check_range(f"{self.name} high", self.high, low, low_closed=False)
        if self.scale == "log":
            check_range(f"{self.name} low (log scale)", low, 0.0, low_closed=False)
        if self.scale == "log1m":
            check_range(f"{self.name} low (log1m scale)", low, 0.0, 1.0, high_closed=False)
            check_range(f"{self.name} high (log1m scale)", high, 0.0, 1.0, high_closed=False)
        for v in (*self.values, self.default):
            check_range(f"{self.name} value", v, low, high)
            if self.integer and v != int(v):
                raise ValueError(f"{what}values must be whole numbers; got {v!r}")

    @property
    def numeric(self) -> bool:
        return self.scale != "categorical"

    @property
    def survey_range(self) -> bool:
        """Whether the survey itself gives this range or these options."""
        return "not in the survey" not in self.range_source

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(sorted((self.section, *self.also_in)))

    def contains(self, value) -> bool:
        """Whether ``value`` lies in the typical range (or is one of the options)."""
        if not self.numeric:
            return value in self.values
        try:
            return self.low <= float(value) <= self.high
        except (TypeError, ValueError):
            return False

    def describe(self) -> str:
        """A few readable lines: name, symbol, category and section, range, scale, default."""
        symbol = f" ({self.symbol})" if self.symbol else ""
        kind = "options" if not self.numeric else "typical range"
        return "\n".join([
            f"{self.name} — {self.label}{symbol}: category {self.category!r}, "
            f"survey §{', §'.join(self.sections)}",
            f"  {kind}: {self.range_text()}; scale: {SCALE_LABELS[self.scale]}; "
            f"default: {format_value(self.default)}",
            f"  range from: {self.range_source}",
            f"  {self.description}",
        ])

    def range_text(self) -> str:
        """``"10⁻⁵ – 1"``, ``"32 – 256 (32, 64, 128, 256)"`` or ``"relu, tanh, …"``."""
        if not self.numeric:
            return ", ".join(format_value(v) for v in self.values)
        text = f"{format_value(self.low)} – {format_value(self.high)}"
        if self.values:
            text += " (" + ", ".join(format_value(v) for v in self.values) + ")"
        return text


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_value(value) -> str:
    """A readable value: ``1e-05`` → ``10⁻⁵``, ``0.0003`` → ``3·10⁻⁴``, ``0.05`` → ``0.05``,
    ``True`` → ``on``; strings unchanged."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, float):
        return str(value)
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10.0**exponent
    power = "10" + str(exponent).translate(_SUPERSCRIPTS)
    if abs(value) < 0.1 and math.isclose(abs(mantissa), 1.0, rel_tol=1e-9):
        return ("−" if value < 0 else "") + power
    if 1e-3 <= abs(value) < 1e5:
        return f"{value:g}"
    return f"{mantissa:.3g}·{power}"


# --- the catalogue ----------------------------------------------------------------------

def _h(name, label, category, section, symbol, scale, default, description, **kw):
    return Hyperparameter(name, label, category, section, symbol, scale, default,
                          description, **kw)


_NOT_IN_SURVEY = "not in the survey: common practice"

# §8.1's numbers, from surveykit.ranges (written once, there)
_LR_ADAM, _LR_SGD = _ranges.get("learning_rate", "adam"), _ranges.get("learning_rate", "sgd")
_BATCH = _ranges.get("batch_size")
_EPOCHS = _ranges.get("epochs")
_LAMBDA = _ranges.get("l2")
_DROP_DENSE, _DROP_CONV = _ranges.get("dropout", "dense"), _ranges.get("dropout", "conv")
_MOMENTUM = _ranges.start("momentum")

#: Every hyperparameter that survey §3.1–3.5 names, in the survey's order.
CATALOGUE: tuple[Hyperparameter, ...] = (
    # §3.1 model architecture
    _h("n_layers", "Number of layers", "architecture", "3.1", "L", "linear", 3,
       "Depth of the model: deeper networks can learn more abstract features but are harder "
       "to train (vanishing gradients, overfitting).",
       low=1, high=10, integer=True, range_source=f"{_NOT_IN_SURVEY} (the §3.1 example has 3)"),
    _h("units", "Units per layer", "architecture", "3.1", "n", "log", 128,
       "Width of each layer: wider layers have more capacity but increase computation and "
       "overfitting risk.",
       low=8, high=1024, values=(32, 64, 128), integer=True,
       range_source=f"{_NOT_IN_SURVEY} (the §3.1 example has 128, 64, 32)"),
    _h("activation", "Activation function", "architecture", "3.1", "g", "categorical", "relu",
       "Non-linearity of the hidden layers; affects non-linearity and gradient flow.",
       values=("relu", "leaky_relu", "tanh", "sigmoid"), range_source="§3.1"),
    _h("layer_type", "Type of layers", "architecture", "3.1", "", "categorical", "dense",
       "Fully connected or convolutional (CNN) here; the survey also names recurrent (RNN) "
       "and transformer layers.",
       values=("dense", "conv"), range_source="§3.1"),
    # §3.2 training
    _h("batch_size", "Batch size", "training", "3.2", "m", "log", 32,
       "Examples per forward/backward pass. Smaller batches give noisier updates but can "
       "generalize better.",
       low=min(_BATCH.values), high=max(_BATCH.values), values=_BATCH.values, integer=True,
       range_source="§3.2 (32, 64, 128), §8.1 (… 256)"),
    _h("epochs", "Number of epochs", "training", "3.2", "E", "linear", _EPOCHS.low,
       "Passes over the training set. Larger values can overfit; early stopping is often "
       "used.",
       low=_EPOCHS.low, high=_EPOCHS.high, integer=True,
       range_source="§8.1 (100–200, with early stopping)"),
    _h("learning_rate", "Learning rate", "training", "3.2", "η", "log", _LR_ADAM.start[0],
       "Step size of the update w := w − η ∂L/∂w; arguably the most critical: too low is "
       "slow, too high diverges.",
       low=_LR_ADAM.low, high=_LR_ADAM.high, values=_LR_ADAM.start + _LR_SGD.start,
       range_source="§8.1 (10⁻³ for Adam, 10⁻² or 10⁻¹ for SGD; log scale)"),
    _h("initializer", "Weight initialization", "training", "3.2", "", "categorical",
       "glorot_uniform",
       "How the weights start, e.g. Xavier (Glorot) or He; affects convergence.",
       values=("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal",
               "random_normal"),
       range_source="§3.2 (Xavier, He); the rest are Keras'"),
    # §3.3 regularization
    _h("l2", "L2 regularization (weight decay)", "regularization", "3.3", "λ", "log", 1e-4,
       "Adds λ Σ w² to the loss.",
       low=_LAMBDA.low, high=_LAMBDA.high,
       range_source="§8.1 (§7.4: 10⁻⁶–10⁻² for weight decay)"),
    _h("l1", "L1 regularization", "regularization", "3.3", "λ", "log", 1e-4,
       "Adds λ Σ |w| to the loss; encourages sparsity.",
       low=_LAMBDA.low, high=_LAMBDA.high, range_source="§8.1 (regularization strength λ)"),
    _h("dropout", "Dropout rate", "regularization", "3.3", "p", "linear", _DROP_DENSE.low,
       "Fraction of neurons randomly disabled during training.",
       low=_DROP_CONV.low, high=_DROP_DENSE.high, values=(_DROP_DENSE.low, _DROP_DENSE.high),
       range_source="§4.3, §7.4, §8.1 (0.2–0.5 dense, 0.1–0.3 convolutional)"),
    _h("batch_norm_momentum", "Batch normalization momentum", "regularization", "3.3", "ρ",
       "log1m", 0.99,
       "How the running batch statistics are updated: μ ← ρ μ + (1 − ρ) μ_B.",
       low=0.9, high=0.99, values=(0.9, 0.99),
       range_source="§4.6 (commonly 0.9 or 0.99); default Keras'"),
    _h("patience", "Early stopping patience", "regularization", "3.3", "", "linear", 5,
       "Epochs to wait before stopping when the validation loss stops improving.",
       low=2, high=20, integer=True, range_source=_NOT_IN_SURVEY),
    _h("augment_rotation", "Augmentation: rotation", "regularization", "3.3", "", "linear",
       0.0,
       "Data augmentation factor for images: largest random rotation, in degrees.",
       low=0.0, high=30.0, range_source=f"{_NOT_IN_SURVEY} (§3.3, §4.5 name the factor)"),
    _h("augment_scaling", "Augmentation: scaling", "regularization", "3.3", "", "linear", 0.0,
       "Data augmentation factor for images: largest random zoom, as a fraction.",
       low=0.0, high=0.2, range_source=f"{_NOT_IN_SURVEY} (§3.3, §4.5 name the factor)"),
    _h("augment_flip", "Augmentation: flipping", "regularization", "3.3", "", "categorical",
       "none",
       "Data augmentation for images: which random flips to apply.",
       values=("none", "horizontal", "vertical", "horizontal_and_vertical"),
       range_source="§3.3, §4.5"),
    # §3.4 optimization
    _h("optimizer", "Optimizer", "optimization", "3.4", "", "categorical", "adam",
       "The update rule: SGD, Adam, RMSProp, AdaGrad, etc.",
       values=("sgd", "momentum", "rmsprop", "adam", "adagrad"), range_source="§3.4"),
    _h("momentum", "Momentum", "optimization", "3.4", "β", "log1m", _MOMENTUM,
       "Speeds up SGD by averaging gradients: v_t = β v_{t−1} + (1 − β) ∂L/∂w, "
       "w := w − η v_t.",
       low=0.5, high=0.99, values=(_MOMENTUM,), range_source=f"§8.1 (0.9); {_NOT_IN_SURVEY}"),
    _h("decay_rate", "Learning-rate decay", "optimization", "3.4", "k", "log", 0.01,
       "Reduces η over time: η_t = η0 / (1 + decay rate · t).",
       low=1e-4, high=1.0, range_source=_NOT_IN_SURVEY),
    _h("clipnorm", "Gradient clipping threshold", "optimization", "3.4", "c", "log", 1.0,
       "Prevents exploding gradients by thresholding large gradients.",
       low=0.1, high=10.0, range_source=_NOT_IN_SURVEY),
    # §3.5 EWA
    _h("beta_1", "β₁ (first moment)", "ewa", "3.5", "β₁", "log1m", 0.9,
       "EWA coefficient of the first moment estimate (mean of gradients).",
       low=0.8, high=0.99, range_source=f"§3.5 (default 0.9); {_NOT_IN_SURVEY}"),
    _h("beta_2", "β₂ (second moment)", "ewa", "3.5", "β₂", "log1m", 0.999,
       "EWA coefficient of the second moment estimate (uncentered variance).",
       low=0.99, high=0.9999, range_source=f"§3.5 (default 0.999); {_NOT_IN_SURVEY}"),
    _h("epsilon", "Epsilon", "ewa", "3.5", "ε", "log", 1e-8,
       "Small constant added to the denominator to avoid division by zero (Adam, RMSProp).",
       low=1e-10, high=1e-4, also_in=("3.4",),
       range_source=f"§3.5 (default 10⁻⁸); {_NOT_IN_SURVEY}"),
    _h("bias_correction", "Bias correction", "ewa", "3.5", "", "categorical", True,
       "Compensates for the zero initialization of the averages: m̂_t = m_t / (1 − β₁ᵗ), "
       "v̂_t = v_t / (1 − β₂ᵗ).",
       values=(True, False), range_source="§3.5"),
    _h("lr_schedule", "Learning-rate schedule", "ewa", "3.5", "η_t", "categorical",
       "constant",
       "Coupled with EWA optimizers: warm restarts or decay (survey §5.7).",
       values=("constant", "step", "exponential", "inverse_time", "cosine",
               "cosine_restarts"),
       range_source="§3.5, §5.7"),
)


def names(entries: Iterable[Hyperparameter] = CATALOGUE) -> tuple[str, ...]:
    """The names of ``entries``, in order."""
    return tuple(h.name for h in entries)


def get(name: str) -> Hyperparameter:
    """The catalogue entry called ``name``."""
    check_choice("name", name, names())
    return next(h for h in CATALOGUE if h.name == name)


def by_category(category: str) -> tuple[Hyperparameter, ...]:
    """The entries of one category (``"architecture"``, …, ``"ewa"``)."""
    check_choice("category", category, CATEGORIES)
    return tuple(h for h in CATALOGUE if h.category == category)


def by_section(section: str) -> tuple[Hyperparameter, ...]:
    """The entries the survey names in ``section`` (``"3.1"`` … ``"3.5"``), including
    those listed there a second time (ε appears in §3.4 and §3.5)."""
    check_choice("section", section, SECTIONS)
    return tuple(h for h in CATALOGUE if section in h.sections)


def counts() -> dict[str, int]:
    """Number of entries per category, in the survey's order."""
    return {c: len(by_category(c)) for c in CATEGORIES}


# --- tables -----------------------------------------------------------------------------

#: Column name → (header, function of an entry giving the cell text).
COLUMNS = {
    "name": ("name", lambda h: h.name),
    "label": ("hyperparameter", lambda h: h.label),
    "category": ("category", lambda h: h.category),
    "symbol": ("symbol", lambda h: h.symbol or "—"),
    "section": ("§", lambda h: ", ".join(h.sections)),
    "range": ("typical range / values", lambda h: h.range_text()),
    "scale": ("scale", lambda h: SCALE_LABELS[h.scale]),
    "default": ("default", lambda h: format_value(h.default)),
    "description": ("description", lambda h: h.description),
    "source": ("range from", lambda h: h.range_source),
}
DEFAULT_COLUMNS = ("label", "symbol", "section", "range", "scale", "default")


def _rows(entries, columns):
    entries = tuple(entries)
    for h in entries:
        if not isinstance(h, Hyperparameter):
            raise ValueError(f"entries must be Hyperparameter records; got {type(h).__name__}")
    columns = tuple(columns)
    for c in columns:
        check_choice("column", c, tuple(COLUMNS))
    return entries, columns


def to_markdown(entries: Iterable[Hyperparameter] = CATALOGUE,
                columns: Sequence[str] = DEFAULT_COLUMNS) -> str:
    """A Markdown (GitHub) table of ``entries`` with the given ``columns`` of :data:`COLUMNS`.

    Names are set as code; ``|`` in a cell is escaped.
    """
    entries, columns = _rows(entries, columns)

    def cell(h, c):
        text = COLUMNS[c][1](h)
        if c == "name":
            text = f"`{text}`"
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(COLUMNS[c][0] for c in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(h, c) for c in columns) + " |" for h in entries]
    return "\n".join(lines)


def to_html(entries: Iterable[Hyperparameter] = CATALOGUE,
            columns: Sequence[str] = DEFAULT_COLUMNS) -> str:
    """The same table as :func:`to_markdown`, as an HTML ``<table>`` (text escaped)."""
    entries, columns = _rows(entries, columns)
    head = "".join(f"<th>{html.escape(COLUMNS[c][0])}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(COLUMNS[c][1](h))}</td>" for c in columns) + "</tr>"
        for h in entries)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def categories_markdown() -> str:
    """A Markdown table of the five categories: title, section, what they decide, how many
    hyperparameters the catalogue lists and their names."""
    lines = ["| category | survey | decides | hyperparameters |", "|---|---|---|---|"]
    for c in CATEGORIES:
        entries = by_category(c)
        listed = ", ".join(f"`{h.name}`" for h in entries)
        lines.append(f"| {CATEGORY_TITLES[c]} | §{CATEGORY_SECTIONS[c]} | "
                     f"{CATEGORY_DESCRIPTIONS[c]} | {len(entries)}: {listed} |")
    return "\n".join(lines)
