"""Optimization algorithms and learning-rate schedules from scratch (survey §5, §3.4–3.5).

* :mod:`~surveykit.optim.rules` — the update rules (SGD, momentum, Nesterov, RMSProp,
  Adam, AdaGrad), each one pure function in the survey's form and, where it differs,
  Keras' form;
* :mod:`~surveykit.optim.numpy_optimizer` — :class:`NumpyOptimizer` and :func:`optimize`
  step numpy arrays with those rules (2-D surfaces in :mod:`~surveykit.optim.surfaces`,
  a small network in :mod:`~surveykit.optim.numpy_net`);
* :mod:`~surveykit.optim.keras_adapter` — :class:`KerasOptimizer` trains Keras models with
  the same rules, :class:`KerasSchedule` wraps a schedule (loaded on first use, so
  numpy-only work never imports TensorFlow);
* :mod:`~surveykit.optim.clipping`, :mod:`~surveykit.optim.ewa` (§5.6),
  :mod:`~surveykit.optim.schedules` (§5.7).
"""

from __future__ import annotations

from . import clipping, ewa, numpy_net, rules, schedules, surfaces
from .clipping import clip_by_global_norm, clip_by_norm, clip_by_value, clip_gradients
from .ewa import (
    RunningAverage,
    bias_correct,
    effective_window,
    ewa_update,
    ewa_weights,
    half_life,
    weight_in_last,
)
from .ewa import ewa as ewa_series
from .numpy_optimizer import NumpyOptimizer, optimize
from .rules import (
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    RMSProp,
    Rule,
    get_rule,
    rule_from_config,
)
from .schedules import (
    Constant,
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LinearWarmup,
    PiecewiseConstant,
    Schedule,
    StepDecay,
    evaluate,
    schedule_from_config,
)

_KERAS_NAMES = ("KerasOptimizer", "KerasSchedule")


def __getattr__(name):
    if name in _KERAS_NAMES:
        from . import keras_adapter

        return getattr(keras_adapter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "clipping",
    "ewa",
    "numpy_net",
    "rules",
    "schedules",
    "surfaces",
    # rules and optimizers
    "Rule",
    "SGD",
    "Momentum",
    "Nesterov",
    "RMSProp",
    "Adam",
    "AdaGrad",
    "get_rule",
    "rule_from_config",
    "NumpyOptimizer",
    "optimize",
    # KerasOptimizer and KerasSchedule are importable by name (loaded lazily, with Keras)
    # but left out of __all__ so that ``from surveykit.optim import *`` does not import TF.
    # clipping
    "clip_by_value",
    "clip_by_norm",
    "clip_by_global_norm",
    "clip_gradients",
    # EWA
    "ewa_update",
    "bias_correct",
    "ewa_series",
    "RunningAverage",
    "ewa_weights",
    "effective_window",
    "weight_in_last",
    "half_life",
    # schedules
    "Schedule",
    "Constant",
    "StepDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "PiecewiseConstant",
    "LinearWarmup",
    "evaluate",
    "schedule_from_config",
]
