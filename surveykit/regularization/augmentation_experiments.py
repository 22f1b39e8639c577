"""Measurements behind notebook 04.05: when data augmentation helps and when it hurts (§4.5).

Two questions, each answered by a pure function that returns numbers:

* **Does augmentation improve generalisation from a small training set?**
  :func:`augmentation_gain` trains the same learner on N examples with and without
  augmentation — the augmented set holds the N originals plus ``copies − 1`` augmented
  versions of each (:func:`~surveykit.regularization.augmentation.augmented_copies`),
  the plain set the originals repeated ``copies`` times, so both have the same size and
  a network takes the same number of gradient steps on each — for several N and seeds,
  and measures accuracy on a fixed test set.
* **Does a transformation keep the label?** :func:`transform_robustness` applies each
  transformation to labelled test images and reports how often a classifier trained on
  clean images still predicts the original label, and how often its prediction changes.
  For shapes (labels invariant, :mod:`surveykit.shapes`) accuracy stays put; for digits
  a flip or a half turn makes a different digit — or no digit at all.

Learners: :func:`nearest_neighbour` (1-NN on pixels, numpy; no training, so it is cheap
enough for many sizes and seeds) and :func:`small_cnn` (a two-layer Keras CNN trained
with Adam), both as functions ``learner(X_train, y_train) -> predict``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..validation import check_int, check_range
from . import augmentation as aug

__all__ = [
    "nearest_neighbour",
    "small_cnn",
    "balanced_subset",
    "GainResult",
    "augmentation_gain",
    "standard_transforms",
    "transform_robustness",
    "confusion_counts",
]

Learner = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]


def _flat(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    return X.reshape(len(X), -1)


def nearest_neighbour(X_train, y_train) -> Callable[[np.ndarray], np.ndarray]:
    """The 1-nearest-neighbour classifier on raw pixels (Euclidean distance).

    Returns ``predict(X)``: the label of the closest training image (the first one on a
    tie). Augmented copies act directly as extra reference images.
    """
    A = _flat(X_train)
    labels = np.asarray(y_train)
    if len(A) != len(labels) or len(A) == 0:
        raise ValueError(f"X_train and y_train must be non-empty and of equal length; got "
                         f"{len(A)} and {len(labels)}")
    sq = (A**2).sum(axis=1)

    def predict(X):
        B = _flat(X)
        if B.shape[1] != A.shape[1]:
            raise ValueError(f"images must have {A.shape[1]} pixels; got {B.shape[1]}")
        distances = sq[None, :] - 2.0 * B @ A.T  # ‖b‖² is the same for every a: omitted
        return labels[np.argmin(distances, axis=1)]

    return predict


def small_cnn(*, n_classes: int, epochs: int = 10, batch_size: int = 64,
              learning_rate: float = 1e-2, filters=(8, 16), seed: int = 0) -> Learner:
    """A learner that trains a small Keras CNN: Conv(f₁, 3×3, ReLU) → MaxPool(2) →
    Conv(f₂, 3×3, ReLU) → MaxPool(2) → Dense(n_classes, softmax), Adam, sparse
    categorical cross-entropy; Keras seeded with ``seed`` before building, so the same
    seed gives the same initial weights and batch order."""
    n_classes = check_int("n_classes", n_classes, low=2)
    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    learning_rate = check_range("learning_rate", learning_rate, 0.0, low_closed=False)
    filters = tuple(check_int(f"filters[{i}]", f, low=1) for i, f in enumerate(filters))
    if len(filters) != 2:
        raise ValueError(f"filters must be two integers; got {filters}")
    seed = check_int("seed", seed, low=0)

    def learner(X_train, y_train):
        import keras

        X = np.asarray(X_train, dtype="float32")
        X = X[..., None] if X.ndim == 3 else X
        keras.utils.set_random_seed(seed)
        L = keras.layers
        model = keras.Sequential([
            keras.Input(X.shape[1:]),
            L.Conv2D(filters[0], 3, padding="same", activation="relu"), L.MaxPooling2D(2),
            L.Conv2D(filters[1], 3, padding="same", activation="relu"), L.MaxPooling2D(2),
            L.Flatten(), L.Dense(n_classes, activation="softmax"),
        ])
        model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy")
        model.fit(X, np.asarray(y_train), epochs=epochs, batch_size=batch_size, verbose=0)

        def predict(images):
            Z = np.asarray(images, dtype="float32")
            Z = Z[..., None] if Z.ndim == 3 else Z
            # a direct call, not model.predict: no tf.function traced per model
            return keras.ops.convert_to_numpy(model(Z, training=False)).argmax(axis=1)

        return predict

    return learner


def balanced_subset(y, n: int, rng=None) -> np.ndarray:
    """Indices of ``n`` examples drawn without replacement, as balanced over the classes
    as possible (each class gets n // k, the first n mod k classes one more)."""
    y = np.asarray(y)
    classes = np.unique(y)
    n = check_int("n", n, low=len(classes), high=len(y))
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    per_class = np.full(len(classes), n // len(classes))
    per_class[: n % len(classes)] += 1
    chosen = []
    for c, m in zip(classes, per_class, strict=True):
        members = np.flatnonzero(y == c)
        if m > len(members):
            raise ValueError(f"class {c} has only {len(members)} examples; {m} needed for n={n}")
        chosen.append(gen.choice(members, size=m, replace=False))
    return gen.permutation(np.concatenate(chosen))


@dataclass(frozen=True)
class GainResult:
    """Test accuracies of :func:`augmentation_gain`, arrays (len(sizes), len(seeds))."""

    sizes: tuple[int, ...]
    seeds: tuple[int, ...]
    plain: np.ndarray
    augmented: np.ndarray
    config: aug.AugmentationConfig
    copies: int

    @property
    def mean_plain(self) -> np.ndarray:
        return self.plain.mean(axis=1)

    @property
    def mean_augmented(self) -> np.ndarray:
        return self.augmented.mean(axis=1)

    @property
    def gain(self) -> np.ndarray:
        """Mean accuracy with augmentation minus without, one value per size."""
        return self.mean_augmented - self.mean_plain

    def table(self) -> str:
        """One line per size: mean accuracies and the gain, 3 decimals."""
        lines = [f"{'N':>5} {'plain':>7} {'augmented':>10} {'gain':>7}"]
        for n, p, a, g in zip(self.sizes, self.mean_plain, self.mean_augmented, self.gain,
                              strict=True):
            lines.append(f"{n:>5} {p:7.3f} {a:10.3f} {g:+7.3f}")
        return "\n".join(lines)


def augmentation_gain(X_pool, y_pool, X_test, y_test, *, sizes: Sequence[int],
                      seeds: Sequence[int], config: aug.AugmentationConfig, copies: int = 8,
                      learner: Learner = nearest_neighbour,
                      value_range=(0.0, 1.0)) -> GainResult:
    """Test accuracy with and without augmentation for each training size N and seed.

    For each (N, seed): a class-balanced subset of N images of the pool
    (:func:`balanced_subset`, drawn with ``seed``); the *plain* training set repeats it
    ``copies`` times; the *augmented* one holds it plus ``copies − 1`` augmented versions
    (``config``, randomness from ``seed``). ``learner`` is trained on each and scored on
    (X_test, y_test).
    """
    sizes = tuple(check_int("sizes[i]", n, low=1) for n in sizes)
    seeds = tuple(check_int("seeds[i]", s, low=0) for s in seeds)
    if not sizes or not seeds:
        raise ValueError("sizes and seeds must each hold at least one value")
    copies = check_int("copies", copies, low=1)
    X_pool, y_pool = aug.as_batch(X_pool), np.asarray(y_pool)
    X_test, y_test = aug.as_batch(X_test), np.asarray(y_test)
    plain = np.zeros((len(sizes), len(seeds)))
    augmented = np.zeros_like(plain)
    for i, n in enumerate(sizes):
        for j, seed in enumerate(seeds):
            rng = np.random.default_rng(seed)
            idx = balanced_subset(y_pool, n, rng)
            X, y = X_pool[idx], y_pool[idx]
            X_rep = np.concatenate([X] * copies)
            y_rep = np.tile(y, copies)
            X_aug, y_aug = aug.augmented_copies(X, y, config, copies, rng, value_range)
            plain[i, j] = np.mean(learner(X_rep, y_rep)(X_test) == y_test)
            augmented[i, j] = np.mean(learner(X_aug, y_aug)(X_test) == y_test)
    return GainResult(sizes, seeds, plain, augmented, config, copies)


def standard_transforms(small_angle: float = 15.0) -> dict[str, Callable]:
    """Deterministic transformations to test label invariance, name → fn(images):
    identity, horizontal and vertical flip, rotations by ±``small_angle``, 90° and 180°,
    and a one-pixel shift to the right."""
    small_angle = check_range("small_angle", small_angle, 0.0, 180.0)

    def shift_right(images):
        x = aug.pad(images, 1)
        return aug.crop(x, 1, 0, x.shape[1] - 2, x.shape[2] - 2)

    return {
        "identity": lambda x: aug.as_batch(x).copy(),
        "horizontal flip": lambda x: aug.flip(x, "horizontal"),
        "vertical flip": lambda x: aug.flip(x, "vertical"),
        f"rotate +{small_angle:g}°": lambda x: aug.rotate(x, small_angle),
        f"rotate −{small_angle:g}°": lambda x: aug.rotate(x, -small_angle),
        "rotate 90°": lambda x: aug.rotate(x, 90.0),
        "rotate 180°": lambda x: aug.rotate(x, 180.0),
        "shift 1 px": shift_right,
    }


def transform_robustness(predict: Callable, X, y,
                         transforms: Mapping[str, Callable]) -> dict[str, dict]:
    """For each transformation: ``accuracy`` (predictions on the transformed images that
    equal the original label), ``changed`` (fraction whose prediction differs from the
    prediction on the untransformed image) and ``predictions``."""
    X, y = aug.as_batch(X), np.asarray(y)
    before = predict(X)
    results = {}
    for name, fn in transforms.items():
        after = predict(fn(X))
        results[name] = {"accuracy": float(np.mean(after == y)),
                         "changed": float(np.mean(after != before)),
                         "predictions": after}
    return results


def confusion_counts(y_true, y_pred, n_classes: int) -> np.ndarray:
    """counts[i, j] = number of examples of class i predicted as j."""
    n_classes = check_int("n_classes", n_classes, low=1)
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return counts
