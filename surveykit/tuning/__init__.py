"""Hyperparameter tuning strategies, from scratch (survey §6, §7.4).

- :mod:`~surveykit.tuning.space` — search spaces (uniform, log-uniform, integer, categorical)
- :mod:`~surveykit.tuning.base` — trials, suggestions and the ``Strategy.ask`` interface
"""

from .base import STATES, Strategy, Suggestion, Trial, best, completed, running
from .space import Categorical, Dimension, Integer, LogUniform, Space, Uniform

__all__ = ["STATES", "Strategy", "Suggestion", "Trial", "best", "completed", "running",
           "Categorical", "Dimension", "Integer", "LogUniform", "Space", "Uniform"]
