"""Keras wrappers: the rules and schedules of :mod:`surveykit.optim` training real Keras models.

:class:`KerasOptimizer` is a ``keras.optimizers.Optimizer`` whose ``update_step`` calls a
rule's pure ``update`` with ``xp = keras.ops`` — the same lines that step numpy arrays —
and whose gradient clipping is :mod:`surveykit.optim.clipping`'s. :class:`KerasSchedule`
is a ``LearningRateSchedule`` that evaluates a :class:`~surveykit.optim.schedules.Schedule`'s
formula with ``keras.ops``. Importing this module imports Keras (and TensorFlow).
"""

from __future__ import annotations

import math

import keras
from keras import ops

from ..validation import check_range
from .clipping import check_clip_args, clip_by_global_norm, clip_by_norm, clip_by_value
from .rules import Rule, rule_from_config
from .schedules import Schedule, schedule_from_config

__all__ = ["KerasOptimizer", "KerasSchedule"]


@keras.saving.register_keras_serializable(package="surveykit")
class KerasSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """A surveykit schedule as a Keras ``LearningRateSchedule`` (survey §5.7).

    ``KerasSchedule(StepDecay(0.1, 0.5, 10))`` — or ``StepDecay(0.1, 0.5, 10).as_keras()`` —
    can be passed as ``learning_rate`` to any Keras optimizer. The step is cast to float32
    (as Keras' own schedules do) and the schedule's ``formula`` is evaluated with ``keras.ops``.
    """

    def __init__(self, schedule):
        self.schedule: Schedule = schedule_from_config(schedule)

    def __call__(self, step):
        t = ops.cast(step, "float32")
        return ops.cast(self.schedule.formula(t, ops), "float32")

    def get_config(self) -> dict:
        return {"schedule": self.schedule.get_config()}

    def __repr__(self) -> str:
        return f"KerasSchedule({self.schedule!r})"


def _learning_rate(learning_rate):
    if isinstance(learning_rate, Schedule):
        return KerasSchedule(learning_rate)
    if isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        return learning_rate
    return check_range("learning_rate", learning_rate, 0.0, math.inf, low_closed=False)


@keras.saving.register_keras_serializable(package="surveykit")
class KerasOptimizer(keras.optimizers.Optimizer):
    """A Keras optimizer running a surveykit update rule (survey §5.1–5.5).

    ``KerasOptimizer(Adam(form="keras"), learning_rate=1e-3)`` trains a model exactly as
    ``keras.optimizers.Adam(1e-3, epsilon=1e-8)`` does; ``form="survey"`` trains it with the
    survey's formula instead. ``learning_rate`` is a float > 0, a surveykit
    :class:`~surveykit.optim.schedules.Schedule` or a Keras ``LearningRateSchedule``.
    ``clipvalue`` / ``clipnorm`` / ``global_clipnorm`` (at most one, each > 0) clip with
    :mod:`surveykit.optim.clipping`, the same formulas as Keras'. Other keyword arguments
    (``weight_decay``, ``use_ema``, …) go to ``keras.optimizers.Optimizer`` unchanged.

    For each trainable variable the optimizer keeps one Keras variable per slot of the
    rule (e.g. Adam's ``m`` and ``v``). ``update_step`` reads them, calls
    ``rule.update(g, state, lr=η_t, t=iterations + 1, xp=keras.ops)`` and assigns
    ``w ← w − delta`` and the new state.

    The survey's Nesterov takes the gradient at the look-ahead point ``w − βv``, which a
    Keras optimizer cannot do (the gradient arrives computed at the stored variables). So
    for rules with a look-ahead the variables hold ``u = w − βv`` (the change of variables
    under which the survey's Nesterov *is* Keras' ``nesterov=True``, see
    :func:`~surveykit.optim.rules.nesterov_survey_step`), and the update is
    ``u ← u − delta + shift(old state) − shift(new state)``.
    """

    def __init__(
        self,
        rule,
        learning_rate=0.01,
        *,
        clipvalue=None,
        clipnorm=None,
        global_clipnorm=None,
        name=None,
        **kwargs,
    ):
        rule = rule_from_config(rule)
        if not isinstance(rule, Rule):
            raise ValueError(f"rule must be a surveykit Rule; got {rule!r}")
        clip = check_clip_args(clipvalue, clipnorm, global_clipnorm)
        super().__init__(
            learning_rate=_learning_rate(learning_rate),
            name=name or rule.name.lower(),
            **clip,
            **kwargs,
        )
        self.rule = rule
        self._state_slots = []

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        init = self.rule.initial_state()
        self._state_slots = [
            self.add_optimizer_variables(
                var_list, slot, initializer=keras.initializers.Constant(init[slot])
            )
            for slot in self.rule.slots
        ]

    def _clip_gradients(self, grads):
        if self.clipvalue:
            return clip_by_value(grads, self.clipvalue, xp=ops)
        if self.clipnorm:
            return clip_by_norm(grads, self.clipnorm, xp=ops)
        if self.global_clipnorm:
            return clip_by_global_norm(grads, self.global_clipnorm, xp=ops)
        return grads

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        g = ops.cast(gradient, dtype)
        t = ops.cast(self.iterations + 1, dtype)
        index = self._get_variable_index(variable)
        slots = [slot[index] for slot in self._state_slots]
        state = tuple(ops.convert_to_tensor(s) for s in slots)
        delta, new_state = self.rule.update(g, state, lr=lr, t=t, xp=ops)
        shift_old = self.rule.lookahead_shift(state, xp=ops)
        if shift_old is not None:
            delta = delta - shift_old + self.rule.lookahead_shift(new_state, xp=ops)
        for slot, value in zip(slots, new_state, strict=True):
            self.assign(slot, value)
        self.assign_sub(variable, delta)

    def get_config(self) -> dict:
        config = super().get_config()
        config["rule"] = self.rule.get_config()
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        rule = rule_from_config(config.pop("rule"))
        lr = config.pop("learning_rate")
        if isinstance(lr, dict):
            lr = keras.saving.deserialize_keras_object(lr, custom_objects=custom_objects)
        return cls(rule, learning_rate=lr, **config)
