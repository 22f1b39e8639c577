"""Export the curriculum's two real data sets to plain CSV files in ``data/``.

Run ONCE by a maintainer (needs scikit-learn, a dev dependency)::

    python tools/export_data.py

The data come from the copies scikit-learn ships inside its own package
(``sklearn/datasets/data``); nothing is downloaded. Floats are written with
``repr`` (the shortest string that round-trips), so reading the CSV back gives
arrays equal to scikit-learn's bit for bit. After running, update the sha256
values in ``data/README.md`` (the script prints them); ``tests/test_data.py``
checks both the contents and the checksums.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_digits

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _fmt(value) -> str:
    """Shortest round-tripping text for a float; plain digits for an integral value."""
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    return repr(float(value))


def write_csv(path: Path, X: np.ndarray, y: np.ndarray, feature_names, *, integer: bool) -> None:
    """Write ``X`` (rows × features) and ``y`` as CSV with a header row ``names..., target``."""
    X = X.astype(np.int64) if integer else X.astype(np.float64)
    if integer:
        assert np.array_equal(X, np.rint(X)), "integer export would lose information"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([*feature_names, "target"])
        for row, target in zip(X, y, strict=True):
            writer.writerow([*(_fmt(v) for v in row), str(int(target))])


def sha256(path: Path) -> str:
    """Hex sha256 digest of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    DATA_DIR.mkdir(exist_ok=True)

    bc = load_breast_cancer()
    write_csv(DATA_DIR / "breast_cancer.csv", bc.data, bc.target, list(bc.feature_names),
              integer=False)

    dg = load_digits()
    # sklearn's digits are stored as float64 but are integers 0..16.
    write_csv(DATA_DIR / "digits.csv", dg.data, dg.target, list(dg.feature_names), integer=True)

    print(f"exported with scikit-learn {sklearn.__version__}")
    for name in ("breast_cancer.csv", "digits.csv"):
        path = DATA_DIR / name
        print(f"{name}: {path.stat().st_size} bytes, sha256 {sha256(path)}")


if __name__ == "__main__":
    main()
