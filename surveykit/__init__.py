"""surveykit: the reusable code of the hyperparameter-tuning, regularization and
optimization curriculum (Gupta, 2025 survey). Notebooks import it and stay thin.

Importing surveykit quiets TensorFlow's C++ logging (the variables must be set before
TensorFlow is first imported); ``setup()`` also seeds everything and sets the plot style.
Submodules load on first use (``sk.data``, ``sk.checks``…), so ``import surveykit`` is
cheap and does not import TensorFlow.
"""

import importlib
import importlib.util

from .environment import quiet_tensorflow, seed_everything, setup

quiet_tensorflow()

__version__ = "0.1.0"

_SUBMODULES = (
    "biasvariance", "checks", "data", "environment", "foundations", "gradcheck", "models",
    "optim", "plots", "progress", "regularization", "training", "validation", "widgets",
)
__all__ = ["setup", "seed_everything", "quiet_tensorflow", "__version__", *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES or (not name.startswith("_")
                               and importlib.util.find_spec(f"{__name__}.{name}") is not None):
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'surveykit' has no attribute {name!r}")
