"""Gradient clipping (survey §3.4: "prevents exploding gradients by thresholding large
gradients"; see also §7.1 on exploding gradients).

Three ways, each the same formula as Keras' optimizer keyword of the same name
(``keras.optimizers.Optimizer(clipvalue=…, clipnorm=…, global_clipnorm=…)``):

* **by value**  ``g ← clip(g, −c, c)`` element by element (changes the direction);
* **by norm**, per tensor:  ``g ← g · c / max(‖g‖, c)`` (each weight tensor on its own);
* **by global norm**:  ``g_i ← g_i · c / max(‖(g_1, …, g_n)‖, c)`` with the norm over all
  tensors together, so the update direction is kept exactly.

Each function takes a sequence of gradient arrays and an array namespace ``xp``: numpy
(the default) for numpy stepping, ``keras.ops`` inside :class:`~surveykit.optim.KerasOptimizer`.
``None`` entries (variables without a gradient) are passed through.
"""

from __future__ import annotations

import math

import numpy as np

from ..validation import check_range

__all__ = [
    "clip_by_value",
    "clip_by_norm",
    "clip_by_global_norm",
    "global_norm",
    "clip_gradients",
    "check_clip_args",
]


def _positive(name, value):
    return check_range(name, value, 0.0, math.inf, low_closed=False)


def clip_by_value(grads, clipvalue, *, xp=np):
    """Clip every element to ``[−clipvalue, clipvalue]`` (= Keras ``clipvalue``)."""
    c = clipvalue
    return [None if g is None else xp.clip(g, -c, c) for g in grads]


def _norm(g, xp):
    return xp.sqrt(xp.sum(xp.square(g)))


def clip_by_norm(grads, clipnorm, *, xp=np):
    """Rescale each tensor whose L2 norm exceeds ``clipnorm``: ``g · c / max(‖g‖, c)``.

    Per tensor, like Keras ``clipnorm`` (each weight matrix and bias on its own).
    """
    c = clipnorm
    return [None if g is None else (g * c) / xp.maximum(_norm(g, xp), c) for g in grads]


def global_norm(grads, *, xp=np):
    """``‖(g_1, …, g_n)‖ = sqrt(Σ_i ‖g_i‖²)``, the norm of all gradients as one vector."""
    return xp.sqrt(sum(xp.sum(xp.square(g)) for g in grads if g is not None))


def clip_by_global_norm(grads, clipnorm, *, xp=np):
    """Rescale all tensors together: ``g_i · c / max(‖g‖_all, c)`` (Keras ``global_clipnorm``)."""
    scale = clipnorm / xp.maximum(global_norm(grads, xp=xp), clipnorm)
    return [None if g is None else g * scale for g in grads]


def check_clip_args(clipvalue=None, clipnorm=None, global_clipnorm=None) -> dict:
    """Validate the three clipping arguments (each ``None`` or in (0, inf), at most one set)."""
    args = {"clipvalue": clipvalue, "clipnorm": clipnorm, "global_clipnorm": global_clipnorm}
    given = {k: _positive(k, v) for k, v in args.items() if v is not None}
    if len(given) > 1:
        raise ValueError(
            "at most one of clipvalue, clipnorm, global_clipnorm may be set; "
            f"got {', '.join(f'{k}={v!r}' for k, v in given.items())}"
        )
    return {k: given.get(k) for k in args}


def clip_gradients(grads, *, clipvalue=None, clipnorm=None, global_clipnorm=None, xp=np):
    """Apply whichever of the three clippings is set (at most one); else return ``grads``."""
    check_clip_args(clipvalue, clipnorm, global_clipnorm)
    grads = list(grads)
    if clipvalue is not None:
        return clip_by_value(grads, clipvalue, xp=xp)
    if clipnorm is not None:
        return clip_by_norm(grads, clipnorm, xp=xp)
    if global_clipnorm is not None:
        return clip_by_global_norm(grads, global_clipnorm, xp=xp)
    return grads
