"""Shared test set-up: TensorFlow quiet and seeded, tools/ importable, figures headless."""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import surveykit  # noqa: E402,F401  (sets TensorFlow's log variables before any TF import)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
