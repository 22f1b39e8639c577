"""Regularization techniques of the survey's §4, from scratch and as Keras pieces.

- :mod:`.penalties` — L1, L2 and elastic net (§4.1–4.2): penalties, gradients, Keras
  regularizers equal to ``keras.regularizers.L1``/``L2``/``L1L2``, sparsity and norms.
- :mod:`.dropout` — dropout in the survey's form and the inverted (Keras) form (§4.3).
- :mod:`.early_stopping` — the early-stopping rule over a recorded history and as a
  Keras callback (§4.4).
- :mod:`.batchnorm` — batch normalization forward/backward with running statistics, and
  layer normalization (§4.6–4.8).

Every hyperparameter is checked by :mod:`surveykit.validation` (λ ≥ 0, p in [0, 1),
patience ≥ 0, ρ in [0, 1), ε > 0 …).
"""

from .batchnorm import (
    BatchNorm,
    BatchNormCache,
    batch_moments,
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_inference,
    layernorm_forward,
    update_running_stats,
)
from .dropout import SurveyDropout, dropout, dropout_mask, inverted_dropout
from .early_stopping import (
    EarlyStoppingCallback,
    EarlyStoppingResult,
    EarlyStoppingRule,
    EarlyStoppingState,
    early_stopping,
    early_stopping_step,
    resolve_mode,
)
from .penalties import (
    ElasticNetRegularizer,
    L1Regularizer,
    L2Regularizer,
    WeightNorms,
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
    # penalties (§4.1–4.2)
    "l1_penalty", "l2_penalty", "elastic_net_penalty",
    "l1_gradient", "l2_gradient", "elastic_net_gradient",
    "L1Regularizer", "L2Regularizer", "ElasticNetRegularizer",
    "sparsity", "WeightNorms", "weight_norms", "kernel_weights",
    # dropout (§4.3)
    "dropout_mask", "dropout", "inverted_dropout", "SurveyDropout",
    # early stopping (§4.4)
    "resolve_mode", "EarlyStoppingRule", "EarlyStoppingState", "early_stopping_step",
    "EarlyStoppingResult", "early_stopping", "EarlyStoppingCallback",
    # batch and layer normalization (§4.6–4.8)
    "batch_moments", "update_running_stats", "BatchNormCache", "batchnorm_forward",
    "batchnorm_backward", "batchnorm_inference", "BatchNorm", "layernorm_forward",
]
