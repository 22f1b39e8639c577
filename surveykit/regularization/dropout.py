"""Dropout, in the survey's form and in the inverted form Keras uses (survey §3.3, §4.3).

The survey's form (§4.3)::

    training:   h̃ = h ⊙ m,      m_i ~ Bernoulli(1 − p)    (each unit dropped with prob. p)
    inference:  h̃ = (1 − p) h                              (all units, scaled by 1 − p)

The *inverted* form (what ``keras.layers.Dropout`` and most frameworks do) moves the
scaling into training, so that inference is the identity::

    training:   h̃ = h ⊙ m / (1 − p)
    inference:  h̃ = h

Both keep the expected activation of training equal to the inference activation:
E[h ⊙ m] = (1 − p) h in the survey's form, E[h ⊙ m / (1 − p)] = h in the inverted one.
The two networks are the same function up to a factor 1 − p on the layer's output, which
the next layer's weights absorb; the inverted form is preferred because the deployed
model needs no knowledge of p.

p is the *drop* probability (Keras' ``rate``), in [0, 1); the survey suggests 0.2–0.5.
"""

from __future__ import annotations

import keras
import numpy as np

from ..validation import check_range

__all__ = ["dropout_mask", "dropout", "inverted_dropout", "SurveyDropout"]


def _check_p(p) -> float:
    return check_range("p", p, 0.0, 1.0, high_closed=False)


def dropout_mask(shape, p: float, rng=None) -> np.ndarray:
    """A keep-mask m with m_i ~ Bernoulli(1 − p): True where the unit is kept (§4.3).

    ``rng`` is a ``numpy.random.Generator``, a seed, or None (fresh entropy).
    """
    p = _check_p(p)
    return np.random.default_rng(rng).random(shape) >= p


def _mask_for(h: np.ndarray, p: float, rng, mask) -> np.ndarray:
    if mask is None:
        return dropout_mask(h.shape, p, rng)
    mask = np.asarray(mask)
    if mask.shape != h.shape:
        raise ValueError(f"mask must have the shape of h {h.shape}; got {mask.shape}")
    return mask


def dropout(h, p: float, *, training: bool, rng=None, mask=None) -> np.ndarray:
    """The survey's dropout (§4.3): h ⊙ m in training, (1 − p) h at inference.

    m_i ~ Bernoulli(1 − p) is drawn from ``rng`` unless ``mask`` (a 0/1 or boolean array
    of h's shape) is given. Differs from Keras: Keras scales by 1/(1 − p) in training and
    leaves inference alone (:func:`inverted_dropout`).
    """
    p = _check_p(p)
    h = np.asarray(h, dtype=float)
    if not training:
        return (1.0 - p) * h
    return h * _mask_for(h, p, rng, mask)


def inverted_dropout(h, p: float, *, training: bool, rng=None, mask=None) -> np.ndarray:
    """Inverted dropout, as ``keras.layers.Dropout``: h ⊙ m / (1 − p) in training, h at
    inference (survey §4.3, with the scaling moved from inference to training)."""
    p = _check_p(p)
    h = np.asarray(h, dtype=float)
    if not training:
        return h.copy()
    return h * _mask_for(h, p, rng, mask) / (1.0 - p)


@keras.saving.register_keras_serializable(package="surveykit")
class SurveyDropout(keras.layers.Layer):
    """Keras layer for the survey's form of dropout (§4.3).

    Training (``fit``, or ``training=True``): each input unit is multiplied by
    m_i ~ Bernoulli(1 − rate), no rescaling. Inference (``predict``/``evaluate``, or
    ``training=False``): the input is multiplied by 1 − rate. Compare
    ``keras.layers.Dropout``, which multiplies by m_i/(1 − rate) in training and is the
    identity at inference. ``rate`` is the survey's p, in [0, 1).
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_range("rate", rate, 0.0, 1.0, high_closed=False)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            u = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator,
                                     dtype=inputs.dtype)
            keep = keras.ops.cast(keras.ops.greater_equal(u, self.rate), inputs.dtype)
            return inputs * keep
        if training:
            return inputs
        return inputs * (1.0 - self.rate)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
