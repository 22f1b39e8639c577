"""Offline data for the curriculum: two real data sets and a few synthetic generators.

The examples of the survey need data of two kinds:

* §2.4 (bias–variance trade-off): a smooth 1-D target :func:`true_function` with
  Gaussian noise (:func:`make_regression_1d`), and small 2-D classification problems
  whose decision boundary needs capacity (:func:`make_moons`, :func:`make_spirals`).
* §3.1 (model architecture hyperparameters): the survey's tabular example is a dense
  network with "1 input layer with 30 features" and a sigmoid output for binary
  classification — the Breast Cancer Wisconsin (Diagnostic) data, 30 features
  (:func:`load_breast_cancer`, :func:`breast_cancer_split`); the handwritten digits
  (:func:`load_digits`, :func:`digits_split`) give a 10-class counterpart.

The real data are plain CSV files in the repository's ``data/`` folder (see
``data/README.md`` for sources, licences and checksums); nothing is downloaded at run
time. Only numpy is needed to import this module.

Conventions: every random function takes ``seed`` (an integer) or ``rng`` (a
``numpy.random.Generator``, which then wins over ``seed``) and is deterministic for a
given seed. Features are float64 and labels int64, except that the ``*_split`` helpers
cast features to ``dtype`` (float32 by default, what Keras uses).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .validation import check_choice, check_increasing, check_int, check_range

__all__ = [
    "DATA_DIR",
    "DATA_ENV_VAR",
    "data_dir",
    "load_breast_cancer",
    "load_digits",
    "Split",
    "Standardizer",
    "stratified_split",
    "breast_cancer_split",
    "digits_split",
    "true_function",
    "make_regression_1d",
    "make_moons",
    "make_spirals",
]

# --------------------------------------------------------------------------- files

DATA_ENV_VAR = "SURVEYKIT_DATA"
#: The repository's ``data/`` folder, next to the ``surveykit/`` package.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

_REGENERATE = "regenerate it with `python tools/export_data.py` (needs scikit-learn)"


def data_dir() -> Path:
    """The folder the loaders read from: ``$SURVEYKIT_DATA`` if set and non-empty, else
    :data:`DATA_DIR`. Read at every call, so the variable can be changed at run time."""
    override = os.environ.get(DATA_ENV_VAR, "")
    return Path(override).expanduser() if override else DATA_DIR


def _read_csv(filename: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Read ``filename`` from :func:`data_dir`: a header row, feature columns, ``target`` last."""
    folder = data_dir()
    path = folder / filename
    if not path.is_file():
        where = f"${DATA_ENV_VAR}={os.environ[DATA_ENV_VAR]!r}" if os.environ.get(
            DATA_ENV_VAR) else "the repository's data/ folder"
        raise FileNotFoundError(
            f"{filename} not found: looked for {path} (from {where}). The file ships with the "
            f"repository in data/; point ${DATA_ENV_VAR} at the folder that holds it, or "
            f"{_REGENERATE}."
        )
    with path.open(encoding="utf-8") as fh:
        header = fh.readline().rstrip("\r\n").split(",")
        table = np.loadtxt(fh, delimiter=",", dtype=np.float64, ndmin=2)
    if header[-1] != "target" or table.shape[1] != len(header):
        raise ValueError(
            f"{path} is not in the expected format (header ending in 'target', "
            f"{len(header)} columns; data have {table.shape[1]}); {_REGENERATE}"
        )
    X = table[:, :-1].copy()
    y = table[:, -1].astype(np.int64)
    return X, y, tuple(header[:-1])


def load_breast_cancer() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Breast Cancer Wisconsin (Diagnostic): ``(X, y, feature_names)``.

    X: (569, 30) float64, the raw (unscaled) cell-nucleus measurements; y: (569,) int64,
    0 = malignant (212), 1 = benign (357), as in scikit-learn; feature_names: 30 strings.
    Read from ``breast_cancer.csv`` in :func:`data_dir`.
    """
    return _read_csv("breast_cancer.csv")


def load_digits() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """UCI optical recognition of handwritten digits (8×8 images): ``(X, y, feature_names)``.

    X: (1797, 64) float64 with integer pixel values 0..16, row-major (``pixel_r_c``);
    y: (1797,) int64 digit 0..9; feature_names: 64 strings.
    Read from ``digits.csv`` in :func:`data_dir`.
    """
    return _read_csv("digits.csv")


# --------------------------------------------------------------------------- randomness


def _generator(seed, rng) -> np.random.Generator:
    """``rng`` if given (must be a numpy Generator), else ``default_rng(seed)``."""
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator or None; got {rng!r}")
        return rng
    return np.random.default_rng(check_int("seed", seed, low=0, high=2**32 - 1))


# --------------------------------------------------------------------------- splitting


def _check_fractions(fractions) -> tuple[float, float, float]:
    """Three fractions in (0, 1) that sum to 1 (to 1e-9)."""
    try:
        values = tuple(fractions)
    except TypeError:
        raise ValueError(
            f"fractions must be three numbers (train, val, test) in (0, 1) summing to 1; "
            f"got {fractions!r}"
        ) from None
    if len(values) != 3:
        raise ValueError(
            f"fractions must have 3 entries (train, val, test); got {fractions!r}"
        )
    for i, v in enumerate(values):
        check_range(f"fractions[{i}]", v, 0.0, 1.0, low_closed=False, high_closed=False)
    total = float(sum(values))
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"fractions must sum to 1; got {fractions!r} (sum {total:g})")
    return tuple(float(v) for v in values)


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers summing to ``total``, proportional to ``weights`` (largest-remainder rule)."""
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def _allocate(class_sizes: np.ndarray, part_sizes: np.ndarray) -> np.ndarray:
    """Counts[c, p] with row sums ``class_sizes``, column sums ``part_sizes`` and each
    entry floor or floor + 1 of its proportional target n_c · n_p / n.

    The remainders form a 0/1 matrix with known margins; it is filled row by row, each
    row's extra units going to the parts with the most units still missing (ties: larger
    fractional remainder). This greedy (Gale–Ryser) rule always succeeds because the
    fractional remainders themselves are a feasible solution.
    """
    n = class_sizes.sum()
    target = np.outer(class_sizes, part_sizes) / n
    counts = np.floor(target).astype(np.int64)
    frac = target - counts
    row_need = class_sizes - counts.sum(axis=1)
    col_need = part_sizes - counts.sum(axis=0)
    for c in np.argsort(-row_need, kind="stable"):
        order = np.lexsort((-frac[c], -col_need))  # most missing first, then larger remainder
        chosen = order[: row_need[c]]
        counts[c, chosen] += 1
        col_need[chosen] -= 1
    assert (col_need == 0).all() and (counts.sum(axis=1) == class_sizes).all()
    return counts


def stratified_split(
    y, fractions=(0.6, 0.2, 0.2), seed: int = 0, *, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split ``range(len(y))`` into (train, val, test) index arrays, stratified by label.

    Rule: the part sizes are ``fractions · n`` rounded by the largest-remainder rule (so
    they sum to n). Class c (n_c samples) gets floor or floor + 1 of n_c · n_p / n places
    in part p, so every class's count in each part is within one sample of its share,
    while the part sizes stay exact. Each class's indices are shuffled and dealt out
    accordingly; each part is returned shuffled. The parts are disjoint and cover all
    indices. Deterministic for a given ``seed`` (or ``rng``).

    Args:
        y: 1-D array of class labels (any sortable values).
        fractions: (train, val, test) fractions, each in (0, 1), summing to 1.
        seed: integer seed; ignored when ``rng`` is given.
        rng: a ``numpy.random.Generator`` to draw from instead.
    """
    frac = np.asarray(_check_fractions(fractions))
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of labels; got shape {y.shape}")
    n = y.size
    part_sizes = _largest_remainder(n, frac)
    if (part_sizes == 0).any():
        raise ValueError(
            f"y has {n} samples, too few for fractions={tuple(frac.tolist())} "
            f"(part sizes {part_sizes.tolist()}); every part needs at least one sample"
        )
    gen = _generator(seed, rng)
    classes, y_idx = np.unique(y, return_inverse=True)
    class_sizes = np.bincount(y_idx, minlength=classes.size)
    counts = _allocate(class_sizes, part_sizes)
    parts: list[list[np.ndarray]] = [[], [], []]
    for c in range(classes.size):
        members = gen.permutation(np.flatnonzero(y_idx == c))
        bounds = np.cumsum(counts[c])[:-1]
        for p, chunk in enumerate(np.split(members, bounds)):
            parts[p].append(chunk)
    train, val, test = (gen.permutation(np.concatenate(chunks)) for chunks in parts)
    return train, val, test


# --------------------------------------------------------------------------- scaling


@dataclass(frozen=True, eq=False)
class Standardizer:
    """Per-column affine scaling z = (x − mean) / scale.

    :meth:`fit` sets mean to the column means and scale to the column standard
    deviations (population, ddof = 0, as scikit-learn's StandardScaler) of the data it
    is given — the training set only. A column whose training values are all equal
    (zero variance, e.g. the always-blank border pixels of the digits) gets scale 1,
    so it maps to 0 instead of NaN.
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X) -> Standardizer:
        """Fit on ``X`` (n_samples × n_features, n_samples ≥ 1); see the class docstring."""
        X = _as_2d("X", X)
        if X.shape[0] < 1:
            raise ValueError("X must have at least one row to fit a Standardizer; got 0")
        mean = X.mean(axis=0)
        std = X.std(axis=0)
        constant = X.max(axis=0) == X.min(axis=0)
        scale = np.where(constant, 1.0, std)
        return cls(mean=mean, scale=scale)

    def _check(self, X) -> np.ndarray:
        X = _as_2d("X", X)
        if X.shape[1] != self.mean.size:
            raise ValueError(
                f"X must have {self.mean.size} columns, as the data the Standardizer was "
                f"fitted on; got {X.shape[1]}"
            )
        return X

    def transform(self, X) -> np.ndarray:
        """Return (X − mean) / scale as float64."""
        return (self._check(X) - self.mean) / self.scale

    def inverse_transform(self, Z) -> np.ndarray:
        """Return Z · scale + mean as float64 (undoes :meth:`transform`)."""
        return self._check(Z) * self.scale + self.mean


def _as_2d(name: str, X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples × features); got shape {X.shape}")
    return X


@dataclass(frozen=True, eq=False)
class Split:
    """Train / validation / test parts of a data set, already scaled.

    For every part, ``X_part = ((X_raw − mean) / scale).astype(dtype)``, where ``mean``
    and ``scale`` (float64, one value per feature) come from the training part only
    (or are fixed constants when not standardising). ``y_*`` are int64 labels.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def classes(self) -> np.ndarray:
        return np.unique(np.concatenate([self.y_train, self.y_val, self.y_test]))

    @property
    def scaler(self) -> Standardizer:
        """The scaling as a :class:`Standardizer`, e.g. to map new raw data the same way."""
        return Standardizer(mean=self.mean, scale=self.scale)

    def summary(self) -> str:
        """A few lines: the size, dtype and class counts of each part."""
        lines = [f"{self.n_features} features, classes {self.classes.tolist()}"]
        for part in ("train", "val", "test"):
            X, y = getattr(self, f"X_{part}"), getattr(self, f"y_{part}")
            labels, counts = np.unique(y, return_counts=True)
            per_class = ", ".join(f"{int(k)}: {int(v)}" for k, v in zip(labels, counts,
                                                                         strict=True))
            lines.append(f"{part:>5}: {X.shape[0]:5d} × {X.shape[1]} {X.dtype}  ({per_class})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Split(\n{self.summary()}\n)"


def _make_split(X, y, names, seed, rng, fractions, scaler_for_train, dtype) -> Split:
    dtype = check_choice("dtype", dtype, ("float32", "float64"))
    train, val, test = stratified_split(y, fractions, seed, rng=rng)
    scaler = scaler_for_train(X[train])
    parts = {}
    for part, idx in (("train", train), ("val", val), ("test", test)):
        parts[f"X_{part}"] = scaler.transform(X[idx]).astype(dtype)
        parts[f"y_{part}"] = y[idx]
    return Split(**parts, feature_names=names, mean=scaler.mean, scale=scaler.scale)


def breast_cancer_split(
    seed: int = 0,
    fractions=(0.6, 0.2, 0.2),
    standardize: bool = True,
    dtype: str = "float32",
    *,
    rng: np.random.Generator | None = None,
) -> Split:
    """Breast Cancer Wisconsin, stratified into train / val / test (:func:`stratified_split`).

    With ``standardize=True`` the 30 features are standardised with the training
    part's mean and std (:class:`Standardizer`); with ``False`` they stay raw
    (mean 0, scale 1). ``dtype`` ("float32", the default, for Keras; or "float64")
    is the dtype of the X arrays. Labels: 0 = malignant, 1 = benign.
    """
    X, y, names = load_breast_cancer()
    standardize = _check_bool("standardize", standardize)
    fit = Standardizer.fit if standardize else _fixed_scaler(0.0, 1.0)
    return _make_split(X, y, names, seed, rng, fractions, fit, dtype)


def digits_split(
    seed: int = 0,
    fractions=(0.6, 0.2, 0.2),
    standardize: bool = True,
    dtype: str = "float32",
    *,
    rng: np.random.Generator | None = None,
) -> Split:
    """Handwritten digits (10 classes), stratified into train / val / test.

    With ``standardize=True`` each of the 64 pixels is standardised with the training
    part's mean and std exactly as for breast cancer (pixels that are constant in the
    training part get scale 1 and become 0); with ``False`` pixels are divided by 16,
    the maximum intensity, so they lie in [0, 1] (mean 0, scale 16). ``dtype`` as in
    :func:`breast_cancer_split`.
    """
    X, y, names = load_digits()
    standardize = _check_bool("standardize", standardize)
    fit = Standardizer.fit if standardize else _fixed_scaler(0.0, 16.0)
    return _make_split(X, y, names, seed, rng, fractions, fit, dtype)


def _fixed_scaler(mean: float, scale: float):
    def fit(X):
        n_features = X.shape[1]
        return Standardizer(mean=np.full(n_features, mean), scale=np.full(n_features, scale))

    return fit


def _check_bool(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)


# --------------------------------------------------------------------------- synthetic


def true_function(x) -> np.ndarray:
    """The smooth 1-D target of the bias–variance examples: f(x) = sin(2πx).

    One full period on [0, 1], range [−1, 1]. Accepts scalars or arrays; returns float64.
    """
    return np.sin(2.0 * np.pi * np.asarray(x, dtype=np.float64))


def make_regression_1d(
    n: int,
    noise_sd: float = 0.3,
    seed: int = 0,
    x_range=(0.0, 1.0),
    design: str = "uniform",
    *,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of :func:`true_function`: ``(x, y)`` with y = f(x) + ε, ε ~ N(0, noise_sd²).

    Args:
        n: number of points, ≥ 1.
        noise_sd: standard deviation σ of the noise, ≥ 0 (σ² is the irreducible error).
        seed / rng: randomness (see the module docstring).
        x_range: (low, high), low < high, finite.
        design: "uniform" draws x i.i.d. uniform on x_range (unsorted); "fixed" uses the
            evenly spaced grid ``linspace(low, high, n)`` (fixed-design bias–variance),
            so only the noise is random.

    With x_range=(0, 1) the draws are made in the same order as
    :func:`surveykit.biasvariance.decompose` (x first, then the noise).
    """
    n = check_int("n", n, low=1)
    noise_sd = check_range("noise_sd", noise_sd, 0.0)
    low, high = _check_interval("x_range", x_range)
    design = check_choice("design", design, ("uniform", "fixed"))
    gen = _generator(seed, rng)
    x = np.linspace(low, high, n) if design == "fixed" else gen.uniform(low, high, n)
    y = true_function(x) + gen.normal(0.0, noise_sd, n)
    return x, y


def _check_interval(name: str, value) -> tuple[float, float]:
    try:
        low, high = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high); got {value!r}") from None
    low = check_range(f"{name}[0]", low)
    high = check_range(f"{name}[1]", high)
    check_increasing(name, (low, high))
    return low, high


def make_moons(
    n: int,
    noise: float = 0.1,
    seed: int = 0,
    shuffle: bool = True,
    *,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as scikit-learn's ``make_moons``: ``(X, y)``.

    Class 0 (n // 2 points): (cos t, sin t) for t evenly spaced on [0, π];
    class 1 (n − n // 2 points): (1 − cos t, 1 − sin t − 0.5). If ``shuffle``, rows
    are permuted; then isotropic Gaussian noise of standard deviation ``noise`` is
    added. With noise=0 and shuffle=False the result equals
    ``sklearn.datasets.make_moons(n, noise=0, shuffle=False)`` exactly; the random
    draws themselves differ from scikit-learn's (numpy Generator, not RandomState).

    Args:
        n: number of points, ≥ 2. noise: ≥ 0. shuffle: permute the rows.
        seed / rng: randomness (see the module docstring).
    """
    n = check_int("n", n, low=2)
    noise = check_range("noise", noise, 0.0)
    shuffle = _check_bool("shuffle", shuffle)
    gen = _generator(seed, rng)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    X = np.vstack([
        np.append(np.cos(t_out), 1.0 - np.cos(t_in)),
        np.append(np.sin(t_out), 1.0 - np.sin(t_in) - 0.5),
    ]).T
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    if shuffle:
        order = gen.permutation(n)
        X, y = X[order], y[order]
    if noise > 0:
        X = X + gen.normal(0.0, noise, X.shape)
    return X, y


def make_spirals(
    n: int,
    noise: float = 0.2,
    turns: float = 1.5,
    seed: int = 0,
    shuffle: bool = True,
    *,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved Archimedean spirals, labels 0 / 1: ``(X, y)``.

    A point of class k at angle θ ∈ [0, 2π·turns] is (r cos(θ + kπ), r sin(θ + kπ))
    with r = θ / π, so each arm moves out by 2 per turn and the two arms are 1 apart;
    ``noise`` (the standard deviation of isotropic Gaussian noise) is in those units.
    θ = 2π·turns·√u with u ~ U(0, 1), which spreads points roughly evenly along the arc.
    Class 0 has n − n // 2 points and class 1 has n // 2 (balanced to within one).

    Args:
        n: number of points, ≥ 2. noise: ≥ 0. turns: number of turns of each arm, > 0.
        shuffle: permute the rows (otherwise class 0 comes first).
        seed / rng: randomness (see the module docstring).
    """
    n = check_int("n", n, low=2)
    noise = check_range("noise", noise, 0.0)
    turns = check_range("turns", turns, 0.0, low_closed=False)
    shuffle = _check_bool("shuffle", shuffle)
    gen = _generator(seed, rng)
    n1 = n // 2
    y = np.concatenate([np.zeros(n - n1, np.int64), np.ones(n1, np.int64)])
    theta = 2.0 * np.pi * turns * np.sqrt(gen.uniform(0.0, 1.0, n))
    r = theta / np.pi
    phase = theta + np.pi * y
    X = np.column_stack([r * np.cos(phase), r * np.sin(phase)])
    if noise > 0:
        X = X + gen.normal(0.0, noise, X.shape)
    if shuffle:
        order = gen.permutation(n)
        X, y = X[order], y[order]
    return X, y
