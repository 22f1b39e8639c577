"""Optimizer update rules, each written once (survey §5.1–5.5, hyperparameters §3.4–3.5).

Every rule is a **pure function** of the gradient and the rule's state that returns
``(delta, new_state)``; the caller then sets ``w ← w − delta``. The functions use only
arithmetic operators and an array namespace ``xp`` (``numpy`` or ``keras.ops``), so the
very same lines step numpy arrays (:class:`~surveykit.optim.NumpyOptimizer`) and train Keras
models (:class:`~surveykit.optim.KerasOptimizer`). Nothing here imports Keras.

The survey's forms and Keras' forms differ in places; both are provided, selected with
``form=``, and the tests tie them together:

* **SGD** (§5.1–5.2): ``w −= ηg``; Keras identical.
* **Momentum** (§3.4, §5.3): survey ``v = βv + (1−β)g; w −= ηv`` (an EWA);
  Keras ``m = βm − ηg; w += m`` — the same trajectory when ``η_keras = η(1 − β)``.
* **Nesterov** (§5.3): survey ``v = βv + η∇L(w − βv); w −= v`` (look-ahead gradient);
  Keras ``m = βm − ηg; w += βm − ηg`` — the same algorithm in the variable ``w − βv``.
* **RMSProp** (§5.4): survey ``s = βs + (1−β)g²; w −= ηg/√(s + ε)``; Keras 3 identical
  (ε inside the root); ``form="eps_outside"``: ``ηg/(√s + ε)`` (Hinton's slides, PyTorch).
* **Adam** (§5.5): survey ``w −= η m̂/√(v̂ + ε)`` (ε inside the root); paper
  ``w −= η m̂/(√v̂ + ε)``; Keras ``α_t = η√(1−β₂ᵗ)/(1−β₁ᵗ); w −= α_t m/(√v + ε)``.
* **AdaGrad** (named in §3.4, no formula given): Keras ``G += g² (G₀ = 0.1);
  w −= ηg/√(G + ε)``.

The learning rate is not part of a rule: like Keras, the optimizer owns it (a number or
a schedule) and passes the current ``lr`` and the 1-based step ``t`` to ``update``.
"""

from __future__ import annotations

import math

import numpy as np

from ..validation import check_choice, check_range
from .ewa import bias_correct, ewa_update

__all__ = [
    # pure step functions (one formula each)
    "sgd_step",
    "momentum_survey_step",
    "momentum_keras_step",
    "nesterov_survey_step",
    "nesterov_keras_step",
    "rmsprop_step",
    "rmsprop_eps_outside_step",
    "adam_survey_step",
    "adam_paper_step",
    "adam_keras_step",
    "adagrad_step",
    # rule objects (validated hyperparameters + form)
    "Rule",
    "SGD",
    "Momentum",
    "Nesterov",
    "RMSProp",
    "Adam",
    "AdaGrad",
    "RULES",
    "get_rule",
    "rule_from_config",
]


# ----------------------------------------------------------------------------------------
# The formulas. Each returns (delta, new_state...) with w_new = w − delta.
# Arithmetic order in the Keras forms follows keras/src/optimizers/*.py exactly, so
# that float32 results agree with Keras to rounding.
# ----------------------------------------------------------------------------------------


def sgd_step(g, *, lr):
    """Mini-batch gradient descent / SGD, survey §5.1–5.2: ``w := w − η ∇L``.

    Returns ``delta = η g``. §5.1 (mini-batch) and §5.2 (one example) share this rule;
    they differ only in how many examples the gradient ``g`` averages over.
    """
    return g * lr


def momentum_survey_step(g, v, *, lr, beta):
    """Momentum in the survey's EWA form, §3.4 and §5.3.

    ``v_t = β v_{t−1} + (1 − β) g``;  ``w := w − η v_t``.  Returns ``(η v_t, v_t)``.

    Keras (``SGD(momentum=β)``) uses the classic form ``m = βm − η'g; w += m``. With a
    constant rate the two are the same trajectory when ``η' = η(1 − β)`` (then
    ``m = −η v``): the EWA form shrinks the gradient by ``1 − β`` before accumulating it.
    """
    v = ewa_update(v, g, beta)
    return lr * v, v


def momentum_keras_step(g, m, *, lr, beta):
    """Classic (Polyak/Sutskever) momentum as Keras ``SGD(momentum=β)`` writes it.

    ``m_t = β m_{t−1} − η g``;  ``w := w + m_t``.  Returns ``(−m_t, m_t)``.
    See :func:`momentum_survey_step` for the relation to the survey's EWA form.
    """
    m = m * beta - g * lr
    return -m, m


def nesterov_survey_step(g_lookahead, v, *, lr, beta):
    """Nesterov accelerated gradient in the survey's look-ahead form, §5.3.

    ``v_t = β v_{t−1} + η ∇L(w − β v_{t−1})``;  ``w := w − v_t``.  Returns ``(v_t, v_t)``.

    ``g_lookahead`` must be the gradient at the look-ahead point ``w − β v_{t−1}``
    (:meth:`NumpyOptimizer.lookahead` gives that point; :func:`optimize` uses it).

    **Relation to Keras** (``SGD(momentum=β, nesterov=True)``:
    ``m_t = βm − ηg; w += βm_t − ηg``): change variables to the look-ahead point
    ``u = w − βv`` and ``m = −v``. Then the gradient is taken at ``u`` itself and
    ``u_t = u_{t−1} − β² v_{t−1} − (1 + β) η g = u_{t−1} + β m_t − η g``, which is Keras'
    update. So Keras' variables *are* the survey's look-ahead points, and the two
    trajectories agree exactly: ``w_keras,t = w_t − β v_t``. :class:`KerasOptimizer`
    runs this form in the look-ahead variables through :meth:`Nesterov.lookahead_shift`.
    """
    v = beta * v + g_lookahead * lr
    return v, v


def nesterov_keras_step(g, m, *, lr, beta):
    """Nesterov momentum as Keras ``SGD(momentum=β, nesterov=True)`` writes it.

    ``m_t = β m_{t−1} − η g``;  ``w := w + β m_t − η g``.  Returns ``(−(β m_t − η g), m_t)``.
    The gradient is taken at the stored ``w``; see :func:`nesterov_survey_step` for why
    this is the survey's look-ahead rule in other variables.
    """
    m = m * beta - g * lr
    return -(m * beta - g * lr), m


def rmsprop_step(g, s, *, lr, beta, epsilon, xp=np):
    """RMSProp, survey §5.4, ε inside the square root (as Keras 3's ``RMSprop``).

    ``s_t = β s_{t−1} + (1 − β) g²``;  ``w := w − η g / √(s_t + ε)``.  Returns ``(delta, s_t)``.

    Keras 3 (``keras.optimizers.RMSprop(rho=β, epsilon=ε)``, default ρ = 0.9, ε = 1e-7)
    computes exactly this, ε inside the root. Hinton's original slides, PyTorch and the
    TF1 optimizer put ε outside: :func:`rmsprop_eps_outside_step`.
    """
    s = ewa_update(s, xp.square(g), beta)
    return (lr * g) / xp.sqrt(s + epsilon), s


def rmsprop_eps_outside_step(g, s, *, lr, beta, epsilon, xp=np):
    """RMSProp with ε outside the root: ``w := w − η g / (√s_t + ε)`` (PyTorch, TF1).

    Same ``s_t = β s_{t−1} + (1 − β) g²`` as :func:`rmsprop_step`. The two differ only
    where ``s_t`` is comparable to ε (ε² in this form).
    """
    s = ewa_update(s, xp.square(g), beta)
    return (lr * g) / (xp.sqrt(s) + epsilon), s


def adam_survey_step(g, m, v, *, lr, t, beta_1, beta_2, epsilon, xp=np):
    """Adam as the survey writes it, §5.5 (ε inside the square root).

    ``m_t = β₁ m + (1 − β₁) g``,  ``v_t = β₂ v + (1 − β₂) g²``,
    ``m̂ = m_t/(1 − β₁ᵗ)``,  ``v̂ = v_t/(1 − β₂ᵗ)``,  ``w := w − η m̂ / √(v̂ + ε)``.

    Differs from the paper and Keras (ε added to √v̂): with ε inside, the floor on the
    denominator is √ε (1e-4 for ε = 1e-8) rather than ε. The forms coincide as ε → 0 and
    differ where v̂ is not ≫ ε (tiny gradients, or a large ε).
    """
    m = ewa_update(m, g, beta_1)
    v = ewa_update(v, xp.square(g), beta_2)
    m_hat = bias_correct(m, beta_1, t)
    v_hat = bias_correct(v, beta_2, t)
    return lr * m_hat / xp.sqrt(v_hat + epsilon), m, v


def adam_paper_step(g, m, v, *, lr, t, beta_1, beta_2, epsilon, xp=np):
    """Adam as Algorithm 1 of Kingma & Ba (2015): ``w := w − η m̂ / (√v̂ + ε)``.

    Same moments and bias corrections as :func:`adam_survey_step`; ε outside the root.
    """
    m = ewa_update(m, g, beta_1)
    v = ewa_update(v, xp.square(g), beta_2)
    m_hat = bias_correct(m, beta_1, t)
    v_hat = bias_correct(v, beta_2, t)
    return lr * m_hat / (xp.sqrt(v_hat) + epsilon), m, v


def adam_keras_step(g, m, v, *, lr, t, beta_1, beta_2, epsilon, xp=np):
    """Adam as Keras 3 computes it (the paper's "more efficient" ordering, §2 of Kingma & Ba).

    ``m += (g − m)(1 − β₁)``,  ``v += (g² − v)(1 − β₂)``,
    ``α_t = η √(1 − β₂ᵗ) / (1 − β₁ᵗ)``,  ``w := w − α_t m / (√v + ε)``.

    This equals the paper's ``η m̂ / (√v̂ + ε̂)`` with ``ε̂ = ε / √(1 − β₂ᵗ)``, so it is
    :func:`adam_paper_step` up to a rescaled ε (keras default ε = 1e-7).
    """
    m = m + (g - m) * (1 - beta_1)
    v = v + (xp.square(g) - v) * (1 - beta_2)
    alpha = lr * xp.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return (m * alpha) / (xp.sqrt(v) + epsilon), m, v


def adagrad_step(g, acc, *, lr, epsilon, xp=np):
    """AdaGrad (named in survey §3.4), as Keras ``Adagrad`` computes it.

    ``G_t = G_{t−1} + g²`` (Keras starts from ``G_0 = 0.1``);  ``w := w − η g / √(G_t + ε)``.
    Every past gradient counts equally (a sum, not an EWA), so the step size only shrinks;
    RMSProp (§5.4) replaces the sum by an EWA to forget old gradients.
    """
    acc = acc + xp.square(g)
    return (lr * g) / xp.sqrt(acc + epsilon), acc


# ----------------------------------------------------------------------------------------
# Rule objects: validated hyperparameters + the choice of form.
# ----------------------------------------------------------------------------------------


def _beta(name, value):
    return check_range(name, value, 0.0, 1.0, high_closed=False)


def _positive(name, value):
    return check_range(name, value, 0.0, math.inf, low_closed=False)


class Rule:
    """Base class: hyperparameters (validated) and a pure ``update``.

    Subclasses set ``slots`` (names of per-variable state tensors), ``forms`` and
    implement :meth:`update`. An optimizer keeps one state tensor per slot per variable,
    initialised to :meth:`initial_state`, and calls ``update(g, state, lr=, t=, xp=)``
    → ``(delta, new_state)``, then sets ``w ← w − delta``.
    """

    slots: tuple[str, ...] = ()
    forms: tuple[str, ...] = ("survey",)

    def __init__(self, form: str = "survey"):
        self.form = check_choice("form", form, self.forms)

    @property
    def name(self) -> str:
        return type(self).__name__

    def initial_state(self) -> dict:
        """Initial value of each slot (a constant broadcast to the variable's shape)."""
        return {slot: 0.0 for slot in self.slots}

    def update(self, g, state: tuple, *, lr, t, xp=np):
        """Return ``(delta, new_state)`` for gradient ``g``; ``t`` is the 1-based step."""
        raise NotImplementedError

    def lookahead_shift(self, state: tuple, *, xp=np):
        """Offset ``s`` with which the gradient is taken at ``w − s`` (None: at ``w``).

        Only the survey's Nesterov has one (``s = βv``).
        """
        return None

    def hyperparameters(self) -> dict:
        """The constructor arguments, including ``form``."""
        raise NotImplementedError

    def get_config(self) -> dict:
        """Serializable description: ``{"class_name": …, "config": {…}}``."""
        return {"class_name": self.name, "config": self.hyperparameters()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{self.name}({args})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.hyperparameters() == self.hyperparameters()

    __hash__ = None


class SGD(Rule):
    """Mini-batch gradient descent / SGD (survey §5.1–5.2): ``w := w − η g``.

    Keras: ``keras.optimizers.SGD(learning_rate=η)``.
    """

    def __init__(self):
        super().__init__("survey")

    def update(self, g, state, *, lr, t, xp=np):
        return sgd_step(g, lr=lr), ()

    def hyperparameters(self) -> dict:
        return {}


class Momentum(Rule):
    """Gradient descent with momentum (survey §3.4, §5.3).

    ``form="survey"``: ``v = βv + (1 − β)g;  w −= ηv`` (the EWA form, :func:`momentum_survey_step`).
    ``form="keras"``:  ``m = βm − ηg;  w += m`` (classic form, ``keras.optimizers.SGD(momentum=β)``,
    :func:`momentum_keras_step`). Same trajectory when η_keras = η_survey (1 − β).
    ``beta`` in [0, 1); the survey suggests [0.9, 0.99].
    """

    slots = ("velocity",)
    forms = ("survey", "keras")

    def __init__(self, beta: float = 0.9, form: str = "survey"):
        super().__init__(form)
        self.beta = _beta("beta", beta)

    def update(self, g, state, *, lr, t, xp=np):
        step = momentum_survey_step if self.form == "survey" else momentum_keras_step
        delta, v = step(g, state[0], lr=lr, beta=self.beta)
        return delta, (v,)

    def hyperparameters(self) -> dict:
        return {"beta": self.beta, "form": self.form}


class Nesterov(Rule):
    """Nesterov accelerated gradient (survey §5.3).

    ``form="survey"``: ``v = βv + η∇L(w − βv);  w −= v`` (:func:`nesterov_survey_step`);
    the gradient must be taken at the look-ahead point ``w − βv`` (:meth:`lookahead_shift`).
    ``form="keras"``: ``m = βm − ηg;  w += βm − ηg`` (``keras.optimizers.SGD(momentum=β,
    nesterov=True)``, :func:`nesterov_keras_step`), gradient at the stored ``w``.

    The two are one algorithm in two coordinate systems: Keras stores the look-ahead point
    ``u = w − βv`` (and ``m = −v``). In Keras, where the gradient can only be taken at the
    stored variables, :class:`KerasOptimizer` therefore runs the survey form on ``u``.
    """

    slots = ("velocity",)
    forms = ("survey", "keras")

    def __init__(self, beta: float = 0.9, form: str = "survey"):
        super().__init__(form)
        self.beta = _beta("beta", beta)

    def update(self, g, state, *, lr, t, xp=np):
        step = nesterov_survey_step if self.form == "survey" else nesterov_keras_step
        delta, v = step(g, state[0], lr=lr, beta=self.beta)
        return delta, (v,)

    def lookahead_shift(self, state, *, xp=np):
        return self.beta * state[0] if self.form == "survey" else None

    def hyperparameters(self) -> dict:
        return {"beta": self.beta, "form": self.form}


class RMSProp(Rule):
    """RMSProp (survey §5.4): ``s = βs + (1 − β)g²;  w −= η g / √(s + ε)``.

    ``form="survey"`` and ``form="keras"`` are the same formula (Keras 3's ``RMSprop`` puts
    ε inside the root, as the survey does): ``keras.optimizers.RMSprop(rho=β, epsilon=ε)``
    (Keras defaults ρ = 0.9, ε = 1e-7). ``form="eps_outside"``: ``w −= η g / (√s + ε)``
    (PyTorch, TF1). ``beta`` in [0, 1), ``epsilon`` > 0.
    """

    slots = ("mean_square",)
    forms = ("survey", "keras", "eps_outside")

    def __init__(self, beta: float = 0.9, epsilon: float = 1e-8, form: str = "survey"):
        super().__init__(form)
        self.beta = _beta("beta", beta)
        self.epsilon = _positive("epsilon", epsilon)

    def update(self, g, state, *, lr, t, xp=np):
        step = rmsprop_eps_outside_step if self.form == "eps_outside" else rmsprop_step
        delta, s = step(g, state[0], lr=lr, beta=self.beta, epsilon=self.epsilon, xp=xp)
        return delta, (s,)

    def hyperparameters(self) -> dict:
        return {"beta": self.beta, "epsilon": self.epsilon, "form": self.form}


class Adam(Rule):
    """Adam (survey §5.5; defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8 as in §3.5/§5.5).

    ``form="survey"``: ``w −= η m̂ / √(v̂ + ε)`` (ε inside the root, :func:`adam_survey_step`);
    ``form="paper"``: ``w −= η m̂ / (√v̂ + ε)`` (Kingma & Ba, Algorithm 1, :func:`adam_paper_step`);
    ``form="keras"``: ``w −= α_t m / (√v + ε)``, ``α_t = η√(1 − β₂ᵗ)/(1 − β₁ᵗ)``
    (``keras.optimizers.Adam``, :func:`adam_keras_step`; note Keras' default ε is 1e-7).
    ``beta_1``, ``beta_2`` in [0, 1); ``epsilon`` > 0.
    """

    slots = ("m", "v")
    forms = ("survey", "paper", "keras")

    def __init__(
        self,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        form: str = "survey",
    ):
        super().__init__(form)
        self.beta_1 = _beta("beta_1", beta_1)
        self.beta_2 = _beta("beta_2", beta_2)
        self.epsilon = _positive("epsilon", epsilon)

    def update(self, g, state, *, lr, t, xp=np):
        step = {"survey": adam_survey_step, "paper": adam_paper_step, "keras": adam_keras_step}[
            self.form
        ]
        delta, m, v = step(
            g,
            state[0],
            state[1],
            lr=lr,
            t=t,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
            xp=xp,
        )
        return delta, (m, v)

    def hyperparameters(self) -> dict:
        return {
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "form": self.form,
        }


class AdaGrad(Rule):
    """AdaGrad (survey §3.4): ``G += g²;  w −= η g / √(G + ε)``, ``G_0`` = initial accumulator.

    The form of ``keras.optimizers.Adagrad`` (defaults G₀ = 0.1, ε = 1e-7, used here too).
    ``initial_accumulator_value`` ≥ 0, ``epsilon`` > 0.
    """

    slots = ("accumulator",)
    forms = ("keras",)

    def __init__(
        self, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7, form: str = "keras"
    ):
        super().__init__(form)
        self.initial_accumulator_value = check_range(
            "initial_accumulator_value", initial_accumulator_value, 0.0, math.inf
        )
        self.epsilon = _positive("epsilon", epsilon)

    def initial_state(self) -> dict:
        return {"accumulator": self.initial_accumulator_value}

    def update(self, g, state, *, lr, t, xp=np):
        delta, acc = adagrad_step(g, state[0], lr=lr, epsilon=self.epsilon, xp=xp)
        return delta, (acc,)

    def hyperparameters(self) -> dict:
        return {
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
            "form": self.form,
        }


RULES = {cls.__name__: cls for cls in (SGD, Momentum, Nesterov, RMSProp, Adam, AdaGrad)}


def get_rule(name: str, **hyperparameters) -> Rule:
    """Build a rule by (case-insensitive) name: ``get_rule("adam", beta_1=0.8, form="keras")``."""
    by_lower = {k.lower(): v for k, v in RULES.items()}
    key = check_choice("name", str(name).lower(), by_lower)
    return by_lower[key](**hyperparameters)


def rule_from_config(config) -> Rule:
    """Inverse of :meth:`Rule.get_config` (a :class:`Rule` is returned unchanged)."""
    if isinstance(config, Rule):
        return config
    cls = RULES[check_choice("class_name", config.get("class_name"), RULES)]
    return cls(**config.get("config", {}))
