"""Stepping numpy arrays with the rules of :mod:`surveykit.optim.rules` (survey §5.1–5.5).

:class:`NumpyOptimizer` drives a :class:`~surveykit.optim.rules.Rule` over a single
array (a point on a 2-D loss surface), a list of arrays or a dict of arrays (a small
network's parameters), in the manner of a Keras optimizer: it owns the learning rate
(a number or a schedule evaluated at the step count), optional gradient clipping and the
per-parameter state; :func:`optimize` runs it on a gradient function and returns the path.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from ..validation import check_int, check_range
from .clipping import check_clip_args, clip_gradients
from .rules import Rule, rule_from_config

__all__ = ["NumpyOptimizer", "optimize"]


def _flatten(tree):
    """Return (list of arrays, rebuild function) for an array, list/tuple or dict."""
    if isinstance(tree, Mapping):
        keys = list(tree)
        return [tree[k] for k in keys], lambda leaves: dict(zip(keys, leaves, strict=True))
    if isinstance(tree, (list, tuple)) and tree and not np.isscalar(tree[0]):
        kind = type(tree)
        return list(tree), lambda leaves: kind(leaves)
    return [tree], lambda leaves: leaves[0]


def _as_float_array(x):
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


class NumpyOptimizer:
    """Apply an update rule to numpy parameters: ``params = opt.step(params, grads)``.

    Parameters
    ----------
    rule : Rule or its config dict
        E.g. ``Momentum(beta=0.9)`` or ``Adam(form="keras")``.
    learning_rate : float > 0 or callable
        The survey's η, or a schedule ``η(t)`` (anything callable with the step count
        0, 1, 2, …, e.g. :class:`~surveykit.optim.schedules.StepDecay`). As in Keras, step
        ``t`` (counting from 0) uses ``η(t)``.
    clipvalue, clipnorm, global_clipnorm : float > 0, optional
        Gradient clipping (:mod:`surveykit.optim.clipping`), at most one.

    ``step`` returns new arrays (the inputs are not modified) in the structure it was
    given. The state (velocities, moment estimates…) is created on the first step.
    For the survey's Nesterov, take the gradient at :meth:`lookahead` (``params``
    themselves for every other rule); :func:`optimize` does this.
    """

    def __init__(
        self,
        rule,
        learning_rate=0.01,
        *,
        clipvalue=None,
        clipnorm=None,
        global_clipnorm=None,
    ):
        self.rule: Rule = rule_from_config(rule)
        if callable(learning_rate):
            self.learning_rate = learning_rate
        else:
            self.learning_rate = check_range(
                "learning_rate", learning_rate, 0.0, math.inf, low_closed=False
            )
        self.clip = check_clip_args(clipvalue, clipnorm, global_clipnorm)
        self.reset()

    def reset(self) -> None:
        """Forget the state and restart the step count."""
        self.iterations = 0
        self.state = None

    def current_learning_rate(self) -> float:
        """η for the next step (the schedule evaluated at ``iterations``)."""
        if callable(self.learning_rate):
            return float(self.learning_rate(self.iterations))
        return self.learning_rate

    def _init_state(self, leaves):
        init = self.rule.initial_state()
        self.state = [tuple(np.full_like(p, init[s]) for s in self.rule.slots) for p in leaves]

    def lookahead(self, params):
        """Where to take the gradient: ``params − βv`` (survey Nesterov), else ``params``."""
        if self.state is None:
            return params
        leaves, rebuild = _flatten(params)
        out = []
        for p, st in zip(leaves, self.state, strict=True):
            shift = self.rule.lookahead_shift(st, xp=np)
            out.append(p if shift is None else _as_float_array(p) - shift)
        return rebuild(out)

    def step(self, params, grads):
        """One update: returns the new parameters ``w − delta`` (same structure as ``params``)."""
        leaves, rebuild = _flatten(params)
        gleaves, _ = _flatten(grads)
        if len(gleaves) != len(leaves):
            raise ValueError(
                f"grads must match params: got {len(gleaves)} gradients for {len(leaves)} arrays"
            )
        leaves = [_as_float_array(p) for p in leaves]
        gleaves = [np.asarray(g, dtype=p.dtype) for g, p in zip(gleaves, leaves, strict=True)]
        for i, (g, p) in enumerate(zip(gleaves, leaves, strict=True)):
            if g.shape != p.shape:
                raise ValueError(
                    f"gradient {i} has shape {g.shape} but its parameter has shape {p.shape}"
                )
        gleaves = clip_gradients(gleaves, **self.clip)
        if self.state is None:
            self._init_state(leaves)
        lr = self.current_learning_rate()
        new_leaves, new_state = [], []
        for p, g, st in zip(leaves, gleaves, self.state, strict=True):
            # η and t in the parameter's precision, as Keras casts them to the variable's dtype
            scalar = p.dtype.type
            delta, st = self.rule.update(g, st, lr=scalar(lr), t=scalar(self.iterations + 1), xp=np)
            new_leaves.append(p - delta)
            new_state.append(st)
        self.state = new_state
        self.iterations += 1
        return rebuild(new_leaves)

    def __repr__(self) -> str:
        return f"NumpyOptimizer({self.rule!r}, learning_rate={self.learning_rate!r})"


def optimize(
    optimizer: NumpyOptimizer,
    grad_fn: Callable,
    w0,
    n_steps: int,
) -> np.ndarray:
    """Run ``n_steps`` updates from ``w0`` and return the path, shape ``(n_steps + 1, *w0.shape)``.

    ``grad_fn(w)`` returns ∇L at ``w``; it is called at ``optimizer.lookahead(w)``, which
    is ``w`` itself except for the survey's Nesterov (the look-ahead point ``w − βv``).
    The optimizer is reset first, so each call starts afresh.
    """
    n_steps = check_int("n_steps", n_steps, low=0)
    optimizer.reset()
    w = _as_float_array(w0).copy()
    path = [w]
    for _ in range(n_steps):
        g = grad_fn(optimizer.lookahead(w))
        w = optimizer.step(w, g)
        path.append(w)
    return np.stack(path)
