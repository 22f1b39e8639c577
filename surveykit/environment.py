"""Notebook set-up: seeds, a quiet TensorFlow and one plotting style.

Every notebook's first code cell is ``import surveykit as sk; sk.setup()``.
"""

from __future__ import annotations

import os
import random

import numpy as np

from .validation import check_int

DEFAULT_SEED = 0

# TensorFlow reads these when it is first imported; both are needed to keep TF 2.21's
# C++ log lines (oneDNN notice, CPU-feature guard, CUDA probes) out of stored outputs.
QUIET_TF_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}

PLOT_STYLE = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}


def quiet_tensorflow() -> None:
    """Set the environment so that TensorFlow, when imported, prints no C++ log lines."""
    for key, value in QUIET_TF_ENV.items():
        os.environ.setdefault(key, value)


def seed_everything(seed: int = DEFAULT_SEED) -> None:
    """Seed Python's ``random``, numpy's global generator and Keras/TensorFlow."""
    seed = check_int("seed", seed, low=0, high=2**32 - 1)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  (seeds code that uses the legacy global generator)
    import keras

    keras.utils.set_random_seed(seed)


def setup(seed: int = DEFAULT_SEED, *, tensorflow: bool = True) -> int:
    """Prepare a notebook: quiet TF, seed everything, set the plotting style.

    Returns the seed so a notebook can print or reuse it. With ``tensorflow=False``
    Keras is not imported (for notebooks that only use numpy).
    """
    quiet_tensorflow()
    if tensorflow:
        seed_everything(seed)
    else:
        seed = check_int("seed", seed, low=0, high=2**32 - 1)
        random.seed(seed)
        np.random.seed(seed)  # noqa: NPY002
    import matplotlib as mpl

    _inline_figures()
    mpl.rcParams.update(PLOT_STYLE)
    return seed


def _inline_figures() -> None:
    """In a Jupyter kernel, display any matplotlib Figure (pyplot's or not) inline as PNG."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "kernel"):
        shell.run_line_magic("matplotlib", "inline")
