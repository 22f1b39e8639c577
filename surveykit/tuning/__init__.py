"""Hyperparameter tuning strategies, from scratch (survey §6, §7.4).

The pieces, each in its own module:

- :mod:`~surveykit.tuning.space` — search spaces in each dimension's own scale
  (uniform, log-uniform, integer, categorical; §7.4)
- :mod:`~surveykit.tuning.base` — trials, suggestions and the stateless ``Strategy.ask``
- :mod:`~surveykit.tuning.study` and :mod:`~surveykit.tuning.store` — the ask/tell loop,
  sequential or process-pool runners, and the durable SQLite trial store (resumable)
- :mod:`~surveykit.tuning.manual` (§6.1), :mod:`~surveykit.tuning.strategies` (grid §6.2,
  random §6.3, coarse-to-fine §6.5), :mod:`~surveykit.tuning.adequate` (successive halving,
  Hyperband and the no-improvement stop of §6.4), :mod:`~surveykit.tuning.gp`,
  :mod:`~surveykit.tuning.acquisition` and :mod:`~surveykit.tuning.bayes` (Bayesian
  optimization, §6.6), :mod:`~surveykit.tuning.automl` (Optuna, HyperOpt, KerasTuner, §6.7)
- :mod:`~surveykit.tuning.objectives` (small Keras models on the curriculum's data) and
  :mod:`~surveykit.tuning.benchmarks` (Branin, Hartmann-6, an ML-style surrogate)
- plots: :mod:`~surveykit.tuning.plots` and one ``*_plots`` module per notebook

Searches always minimise. The common names are importable from here; the rest load with
their module (``from surveykit.tuning import automl``), so Keras, Optuna and friends are
imported only by what uses them.
"""

from .adequate import Hyperband, NoImprovement, SuccessiveHalving
from .base import STATES, Strategy, Suggestion, Trial, best, completed, running
from .bayes import BayesianOptimization
from .manual import OneAtATime, one_at_a_time
from .space import Categorical, Dimension, Integer, LogUniform, Space, Uniform
from .store import TrialStore
from .strategies import CoarseToFine, GridSearch, RandomSearch
from .study import Study

__all__ = ["STATES", "Strategy", "Suggestion", "Trial", "best", "completed", "running",
           "Categorical", "Dimension", "Integer", "LogUniform", "Space", "Uniform",
           "Study", "TrialStore", "GridSearch", "RandomSearch", "CoarseToFine",
           "SuccessiveHalving", "Hyperband", "BayesianOptimization", "NoImprovement",
           "OneAtATime", "one_at_a_time"]
