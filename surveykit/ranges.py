"""Initial hyperparameter ranges: the survey's §8.1 recommendations as data.

Survey §8.1, "Choosing Initial Hyperparameter Ranges", gives starting values and search
ranges for six hyperparameters. :data:`INITIAL_RANGES` holds each bullet as one frozen
:class:`Recommendation` — the numbers exactly as the survey writes them, the survey's
words in ``quote``, and where a bullet depends on a context (the optimizer for the
learning rate, the layer type for dropout) one record per context:

=================  ===========  ===============================  =======================
hyperparameter     context      survey's numbers                 scale
=================  ===========  ===============================  =======================
learning rate η    adam / sgd   start 10⁻³ (Adam), 10⁻² or 10⁻¹   log, η ∈ [10⁻⁵, 1]
                                (SGD)
batch size         —            32, 64, 128, 256                 categorical
dropout rate       dense / conv 0.2–0.5 (dense), 0.1–0.3 (conv)  linear
λ (L2 strength)    —            λ ∈ [10⁻⁵, 10⁻²]                 log
momentum β         —            0.9                              categorical (fixed)
epochs             —            100–200, with early stopping     linear (integers)
=================  ===========  ===============================  =======================

The §8.1 tip — *"Use log-uniform sampling for continuous hyperparameters and grid/random
search for discrete ones"* — decides the search dimension of each (:func:`dimension`):
the log-scale ranges become :class:`~surveykit.tuning.space.LogUniform` (sampling
``value = low·(high/low)**u``, u ~ U(0, 1), so every decade gets the same share), the
discrete ones :class:`~surveykit.tuning.space.Categorical` (batch size, momentum) or
:class:`~surveykit.tuning.space.Integer` (epochs), and dropout — bounded, and spanning
less than one decade — :class:`~surveykit.tuning.space.Uniform`, as §7.4 recommends
("dropout: linear scale is more suitable"). :func:`space` builds a whole
:class:`~surveykit.tuning.space.Space` from them, ready for any surveykit strategy;
its names are those of :class:`~surveykit.tuning.objectives.MLPObjective`.

:mod:`surveykit.catalogue`'s §8.1 entries (learning rate, batch size, dropout, L1/L2,
momentum, epochs) take their numbers from here, so each number is written once.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import dataclass

from .validation import check_choice, check_int, check_range

__all__ = ["SCALES", "LINEAR_GRID_POINTS", "DEFAULT_SPACE", "Recommendation",
           "INITIAL_RANGES", "names", "contexts", "get", "start", "grid", "dimension",
           "space", "to_markdown", "to_html"]

SCALES = ("log", "linear", "categorical")
#: points of a ``discrete=True`` grid on a linear scale (0.2, 0.35, 0.5 for dense dropout)
LINEAR_GRID_POINTS = 3
#: what :func:`space` searches when given no names: the four hyperparameters §8.1 gives
#: ranges to search over (momentum is one value, epochs are left to early stopping)
DEFAULT_SPACE = ("learning_rate", "batch_size", "dropout", "l2")


@dataclass(frozen=True)
class Recommendation:
    """One §8.1 recommendation for one hyperparameter (in one context).

    * ``name``: the hyperparameter, as named in :mod:`surveykit.catalogue` and by
      :class:`~surveykit.tuning.objectives.MLPObjective`;
    * ``context``: what the numbers depend on (``"adam"``/``"sgd"`` for the learning rate,
      ``"dense"``/``"conv"`` for dropout), or None;
    * ``start``: the value(s) the survey says to start with, in its order (``()`` when it
      gives only a range: then :func:`start` takes the range's centre in its scale);
    * ``low``, ``high``: the search range (None for a list of values);
    * ``values``: the survey's discrete choices, or ``()``;
    * ``scale``: ``"log"``, ``"linear"`` or ``"categorical"`` (§7.4, §8.1's tip);
    * ``integer``: whether the values are whole numbers;
    * ``quote``: the survey's words; ``note``: what surveykit adds or how it reads them.

    Checked in ``__post_init__`` (ValueError): a known scale; ``0 < low < high`` on the
    log scale, ``low < high`` on the linear one; starts and values inside the range; a
    categorical recommendation lists its values.
    """

    name: str
    context: str | None
    start: tuple
    low: float | None
    high: float | None
    values: tuple
    scale: str
    quote: str
    note: str = ""
    integer: bool = False

    def __post_init__(self):
        check_choice("scale", self.scale, SCALES)
        object.__setattr__(self, "start", tuple(self.start))
        object.__setattr__(self, "values", tuple(self.values))
        what = f"{self.name}" + (f" ({self.context})" if self.context else "")
        if self.scale == "categorical":
            if not self.values:
                raise ValueError(f"{what}: a categorical recommendation lists its values; "
                                 f"got values={self.values!r}")
            for v in self.start:
                check_choice(f"{what} start", v, self.values)
        else:
            low = check_range(f"{what} low", self.low,
                              0.0 if self.scale == "log" else -math.inf,
                              low_closed=self.scale != "log")
            check_range(f"{what} high", self.high, low, low_closed=False)
            for v in (*self.start, *self.values):
                check_range(f"{what} value", v, low, self.high)
        if self.integer:
            for v in (*self.start, *self.values, self.low, self.high):
                if v is not None and float(v) != int(v):
                    raise ValueError(f"{what}: values must be whole numbers; got {v!r}")

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.name, self.context)

    @property
    def survey_start(self) -> bool:
        """Whether the survey names a starting value (not only a range)."""
        return bool(self.start)

    def range_text(self) -> str:
        """``"10⁻⁵ – 1"``, ``"0.2 – 0.5"`` or ``"32, 64, 128, 256"``."""
        from .catalogue import format_value

        if self.scale == "categorical":
            return ", ".join(format_value(v) for v in self.values)
        return f"{format_value(self.low)} – {format_value(self.high)}"

    def start_text(self) -> str:
        """The survey's starting value(s) (``"10⁻² or 0.1"``), or ``"—"`` when it gives a
        range only."""
        from .catalogue import format_value

        return " or ".join(format_value(v) for v in self.start) if self.start else "—"


def _rec(name, context, start, low, high, values, scale, quote, note="", integer=False):
    return Recommendation(name, context, tuple(start), low, high, tuple(values), scale,
                          quote, note, integer)


#: The §8.1 recommendations, in the survey's order (one record per context).
INITIAL_RANGES: tuple[Recommendation, ...] = (
    _rec("learning_rate", "adam", (1e-3,), 1e-5, 1.0, (), "log",
         "Start with 10^{-3} for Adam […]. Log-scale search: sample from "
         "η ∈ [10^{-5}, 1] instead of linear.",
         "Keras' Adam default is also 10⁻³."),
    _rec("learning_rate", "sgd", (1e-2, 1e-1), 1e-5, 1.0, (), "log",
         "[Start with] 10^{-2} or 10^{-1} for SGD. Log-scale search: sample from "
         "η ∈ [10^{-5}, 1] instead of linear.",
         "The same search range as for Adam; only the starting value differs."),
    _rec("batch_size", None, (), None, None, (32, 64, 128, 256), "categorical",
         "Typical values: 32, 64, 128, 256. Trade-off: small batches offer "
         "regularization, large batches offer stability.",
         "Searched as a list of choices (the §8.1 tip: grid/random search for discrete "
         "hyperparameters).", integer=True),
    _rec("dropout", "dense", (), 0.2, 0.5, (), "linear",
         "For fully connected layers, start with 0.2–0.5.",
         "A rate in a bounded interval spanning less than a decade: linear scale (§7.4)."),
    _rec("dropout", "conv", (), 0.1, 0.3, (), "linear",
         "For convolutional layers, usually lower (0.1–0.3).",
         "A rate in a bounded interval spanning less than a decade: linear scale (§7.4)."),
    _rec("l2", None, (), 1e-5, 1e-2, (), "log",
         "Regularization Strength (λ): Start with λ ∈ [10^{-5}, 10^{-2}].",
         "Three decades: log scale (§7.4: 'log scale for tiny values'). The same range "
         "serves L1."),
    _rec("momentum", None, (0.9,), None, None, (0.9,), "categorical",
         "Typical value: 0.9 for SGD with momentum.",
         "One value, not a range: a fixed dimension unless you widen it yourself."),
    _rec("epochs", None, (), 100, 200, (), "linear",
         "Use early stopping; start with a large enough value (e.g., 100–200).",
         "An upper bound for early stopping (surveykit.regularization.early_stopping), "
         "which then picks the number actually trained.", integer=True),
)


def names() -> tuple[str, ...]:
    """The hyperparameters §8.1 covers, in the survey's order (each once)."""
    return tuple(dict.fromkeys(r.name for r in INITIAL_RANGES))


def contexts(name: str) -> tuple[str | None, ...]:
    """The contexts of ``name``'s recommendations (``("adam", "sgd")``, ``(None,)``)."""
    check_choice("name (a §8.1 hyperparameter)", name, names())
    return tuple(r.context for r in INITIAL_RANGES if r.name == name)


def get(name: str, context: str | None = None) -> Recommendation:
    """The recommendation for ``name`` in ``context``.

    ``context=None`` means the first context the survey names (Adam for the learning
    rate, dense layers for dropout). An unknown name, or a context the hyperparameter
    does not have, is a ValueError naming the valid ones.
    """
    valid = contexts(name)
    if context is None:
        context = valid[0]
    check_choice(f"context (of {name})", context, valid)
    return next(r for r in INITIAL_RANGES if r.key == (name, context))


def _centre(rec: Recommendation):
    if rec.scale == "log":
        value = math.sqrt(rec.low * rec.high)
    elif rec.scale == "linear":
        value = 0.5 * (rec.low + rec.high)
    else:
        return rec.values[0]
    return int(round(value)) if rec.integer else value


def start(name: str, context: str | None = None):
    """The value to start with: the first starting value the survey names (10⁻³ for Adam,
    10⁻² for SGD, 0.9 for momentum); where it gives only a range or a list, the centre
    of the range in its own scale — the geometric mean √(low·high) on a log scale
    (λ: √(10⁻⁵·10⁻²) ≈ 3.2·10⁻⁴), the midpoint on a linear one (dropout 0.35 dense, 0.2
    conv; 150 epochs) — or the first listed value (batch size 32)."""
    rec = get(name, context)
    return rec.start[0] if rec.start else _centre(rec)


def grid(name: str, context: str | None = None) -> tuple:
    """The discrete values to search over for a grid (§6.2): the survey's list if it gives
    one; on a log scale every power of ten from ``low`` to ``high`` (η: 10⁻⁵ … 1, six
    values); on a linear scale :data:`LINEAR_GRID_POINTS` evenly spaced values (dropout
    0.2, 0.35, 0.5; epochs 100, 150, 200)."""
    rec = get(name, context)
    if rec.values:
        return rec.values
    if rec.scale == "log":
        lo, hi = math.log10(rec.low), math.log10(rec.high)
        if not (lo.is_integer() and hi.is_integer()):
            raise ValueError(f"{name}: a decade grid needs powers of ten as bounds; got "
                             f"[{rec.low:g}, {rec.high:g}]")
        return tuple(10.0 ** k for k in range(int(lo), int(hi) + 1))
    n = LINEAR_GRID_POINTS
    points = [rec.low + i * (rec.high - rec.low) / (n - 1) for i in range(n)]
    return tuple(int(round(p)) if rec.integer else round(p, 12) for p in points)


def dimension(name: str, context: str | None = None, *, discrete: bool = False):
    """The search dimension for ``name`` built from its §8.1 recommendation.

    Following the §8.1 tip ("log-uniform sampling for continuous hyperparameters and
    grid/random search for discrete ones"): ``scale == "log"`` →
    ``LogUniform(name, low, high)`` (``value = low·(high/low)**u``); ``"linear"`` →
    ``Uniform(name, low, high)``, or ``Integer(name, low, high)`` for whole numbers;
    ``"categorical"`` → ``Categorical(name, values)``. With ``discrete=True`` it is
    ``Categorical(name, grid(name, context))`` instead, for a grid search.
    """
    from .tuning.space import Categorical, Integer, LogUniform, Uniform

    rec = get(name, context)
    if discrete or rec.scale == "categorical":
        return Categorical(name, grid(name, context))
    if rec.scale == "log":
        return LogUniform(name, rec.low, rec.high)
    if rec.integer:
        return Integer(name, int(rec.low), int(rec.high))
    return Uniform(name, rec.low, rec.high)


def space(*names_: str, optimizer: str = "adam", layer: str = "dense",
          discrete: Iterable[str] = ()):
    """A :class:`~surveykit.tuning.space.Space` straight from §8.1.

    ``names_`` are hyperparameters of :func:`names` (default :data:`DEFAULT_SPACE`:
    learning rate, batch size, dropout, λ); ``optimizer`` ("adam" or "sgd") picks the
    learning rate's recommendation, ``layer`` ("dense" or "conv") the dropout's;
    ``discrete`` names the ones to search on a grid (:func:`grid`) instead.
    """
    chosen = tuple(names_) or DEFAULT_SPACE
    for n in chosen:
        check_choice("name (a §8.1 hyperparameter)", n, names())
    dup = sorted({n for n in chosen if chosen.count(n) > 1})
    if dup:
        raise ValueError(f"each hyperparameter may be named once; {dup} repeat")
    optimizer = check_choice("optimizer", optimizer, contexts("learning_rate"))
    layer = check_choice("layer", layer, contexts("dropout"))
    discrete = tuple(discrete) if not isinstance(discrete, str) else (discrete,)
    for n in discrete:
        check_choice("discrete (one of the space's names)", n, chosen)
    ctx = {"learning_rate": optimizer, "dropout": layer}
    from .tuning.space import Space

    return Space([dimension(n, ctx.get(n), discrete=n in discrete) for n in chosen])


# --------------------------------------------------------------------------- tables

_COLUMNS = ("hyperparameter", "context", "start", "search range", "scale", "searched as",
            "the survey (§8.1)")
_CONTEXT_TEXT = {"adam": "Adam", "sgd": "SGD", "dense": "fully connected",
                 "conv": "convolutional", None: "—"}


def _row(rec: Recommendation) -> list[str]:
    from .catalogue import get as catalogue_get

    label = catalogue_get(rec.name).label
    return [label, _CONTEXT_TEXT[rec.context], rec.start_text(), rec.range_text(), rec.scale,
            repr(dimension(rec.name, rec.context)), rec.quote]


def _entries(entries) -> tuple[Recommendation, ...]:
    entries = tuple(INITIAL_RANGES if entries is None else entries)
    for r in entries:
        if not isinstance(r, Recommendation):
            raise ValueError(f"entries must be Recommendation records; got {type(r).__name__}")
    check_int("number of entries", len(entries), 1)
    return entries


def to_markdown(entries: Iterable[Recommendation] | None = None) -> str:
    """The §8.1 table as Markdown: one row per recommendation (``|`` escaped)."""
    lines = ["| " + " | ".join(_COLUMNS) + " |", "|" + "|".join("---" for _ in _COLUMNS) + "|"]
    for rec in _entries(entries):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in _row(rec)) + " |")
    return "\n".join(lines)


def to_html(entries: Iterable[Recommendation] | None = None) -> str:
    """The same table as :func:`to_markdown`, as an HTML ``<table>`` (text escaped)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in _COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _row(rec)) + "</tr>"
                   for rec in _entries(entries))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
