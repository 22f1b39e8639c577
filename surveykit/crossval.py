"""Overfitting to the validation set, and k-fold cross-validation (survey §7.3).

The survey (§7.3): *"When hyperparameter tuning is repeatedly performed based on
validation performance, the model can inadvertently 'memorize' patterns specific to the
validation set."* The mechanism is selection: the validation score of configuration i is
its true accuracy plus sampling noise,

    v_i = p_i + ε_i,    ε_i ≈ N(0, σ_i²),    σ_i² = p_i (1 − p_i) / n_val,

and tuning reports the *largest* of t such scores. For t configurations of equal true
accuracy p the expected optimism of the winner is

    E[v_sel − p_sel] = σ · E[max(Z_1 … Z_t)],    Z_j iid N(0, 1),

which grows like σ·√(2 ln t) (and stays below it) with the number of trials t and
shrinks like 1/√n_val with the validation set's size — the survey's causes "excessive
tuning on a small validation set" and "small dataset size with high variance". An
untouched test set scores the selected configuration without that selection, so its
expected score is the truth.

This module holds

* k-fold splits from scratch (:func:`kfold_indices`, :func:`stratified_kfold_indices`)
  and :func:`cross_val_score` — the survey's "use cross-validation instead of a single
  validation split";
* the statistical model: the exact expected maximum of Gaussians by numerical
  integration (:func:`expected_max_normal`, :func:`expected_selection`), the exact one
  for binomial accuracies (:func:`expected_max_binomial_proportion`) and a Monte-Carlo
  simulation of best-of-t selection (:func:`simulate_selection`);
* a real experiment: random search over a ridge classifier's penalty and feature subset
  on the breast-cancer data (:func:`tuning_trials`), each configuration scored on a small
  validation set, by k-fold cross-validation and on an untouched test set; the selection
  curves (:func:`selection_curves`), the survey's "limit the number of tuning iterations"
  (:func:`adequate_stop`, survey §6.4's adequate search) and early stopping as one more
  selection on the validation set (:func:`early_stopping_selection`).

Everything is deterministic for a given seed; only numpy and scipy are imported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .tuning.adequate import NoImprovement  # the one definition of the stopping rule
from .validation import check_choice, check_int, check_range

__all__ = [
    "kfold_indices",
    "stratified_kfold_indices",
    "describe_folds",
    "cross_val_score",
    "accuracy",
    "ridge_classifier_fit",
    "ridge_classifier_predict",
    "accuracy_sigma",
    "expected_max_normal",
    "expected_selection",
    "expected_max_binomial_proportion",
    "candidate_accuracies",
    "SelectionSimulation",
    "simulate_selection",
    "statistical_gap_curve",
    "best_so_far",
    "optimistic_gap",
    "SEARCH_SPACE",
    "sample_configs",
    "TuningTrials",
    "tuning_trials",
    "selection_curves",
    "adequate_stop",
    "adequate_search_summary",
    "EarlyStoppingSelection",
    "early_stopping_selection",
]


# --------------------------------------------------------------------------- k-fold


def _folds_from_assignment(fold_of: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, val) index pairs from each sample's fold number; both sorted."""
    return [(np.flatnonzero(fold_of != i), np.flatnonzero(fold_of == i)) for i in range(k)]


def kfold_indices(n: int, k: int = 5, *, shuffle: bool = False,
                  seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """k-fold cross-validation splits of ``range(n)``: a list of k ``(train_idx, val_idx)``.

    The samples (in order, or permuted with ``seed`` when ``shuffle``) are cut into k
    contiguous blocks; the first ``n % k`` blocks have ``n // k + 1`` samples, the others
    ``n // k`` — so fold sizes differ by at most one, as scikit-learn's ``KFold``. Fold i
    validates on block i and trains on the other k − 1 blocks (survey §7.3: "use
    cross-validation instead of a single validation split"). Every sample is in exactly
    one validation fold. Both index arrays are sorted int64. Unshuffled, the folds are
    identical to ``sklearn.model_selection.KFold(k).split(range(n))``; shuffled, they
    differ from scikit-learn's (numpy Generator, not RandomState) but keep every property.
    """
    n = check_int("n", n, low=2)
    k = check_int("k", k, low=2, high=n)
    shuffle = _check_bool("shuffle", shuffle)
    order = np.random.default_rng(_seed(seed)).permutation(n) if shuffle else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    fold_of = np.empty(n, dtype=np.int64)
    fold_of[order] = np.repeat(np.arange(k), sizes)
    return _folds_from_assignment(fold_of, k)


def stratified_kfold_indices(y, k: int = 5, *, shuffle: bool = False,
                             seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified k-fold splits: each validation fold keeps the class proportions of ``y``.

    scikit-learn's ``StratifiedKFold`` rule: classes are numbered in order of first
    appearance, the labels are sorted and dealt round-robin to the k folds, which fixes
    how many samples of each class each fold gets (``allocation[i, c]`` = the number of
    class-c labels among sorted positions i, i + k, i + 2k, …). So the fold sizes differ
    by at most one, and so does each class's count across folds. Each class's samples,
    in their original order, then fill fold 0, fold 1, … in blocks of those sizes; with
    ``shuffle`` the block labels are permuted within each class (with ``seed``).
    Unshuffled, the folds are identical to ``StratifiedKFold(k).split(X, y)``.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of class labels; got shape {y.shape}")
    n = y.size
    k = check_int("k", k, low=2, high=max(n, 2))
    shuffle = _check_bool("shuffle", shuffle)
    _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
    _, rank = np.unique(first, return_inverse=True)
    encoded = rank[inverse.reshape(-1)]  # classes numbered by first appearance
    counts = np.bincount(encoded)
    if k > counts.max():
        raise ValueError(f"k must be at most the size of the largest class ({counts.max()}); "
                         f"got {k}")
    ordered = np.sort(encoded)
    allocation = np.array([np.bincount(ordered[i::k], minlength=counts.size)
                           for i in range(k)])
    rng = np.random.default_rng(_seed(seed)) if shuffle else None
    fold_of = np.empty(n, dtype=np.int64)
    for c in range(counts.size):
        folds = np.repeat(np.arange(k), allocation[:, c])
        if rng is not None:
            folds = rng.permutation(folds)
        fold_of[encoded == c] = folds
    return _folds_from_assignment(fold_of, k)


def describe_folds(folds, y=None) -> dict:
    """What a k-fold split guarantees, measured: ``{"k", "sizes", "every_sample_once",
    "train_is_complement", "max_size_difference", "max_class_difference"}``.

    ``every_sample_once``: the validation parts together hold each of the n samples exactly
    once (n = their total size); ``train_is_complement``: each fold's training part is
    exactly the other samples; ``max_class_difference`` (with labels ``y``): the largest
    spread, over classes, of a class's count across the validation folds (None without y).
    """
    vals = [np.asarray(v, dtype=np.int64) for _, v in folds]
    n = sum(v.size for v in vals)
    everything = np.arange(n)
    once = bool(np.array_equal(np.sort(np.concatenate(vals)), everything))
    complement = all(np.array_equal(np.sort(np.concatenate([np.asarray(t, np.int64), v])),
                                    everything) for (t, _), v in zip(folds, vals, strict=True))
    sizes = [int(v.size) for v in vals]
    spread = None
    if y is not None:
        y = np.asarray(y)
        counts = np.array([[np.sum(y[v] == c) for c in np.unique(y)] for v in vals])
        spread = int((counts.max(axis=0) - counts.min(axis=0)).max())
    return {"k": len(vals), "sizes": sizes, "every_sample_once": once,
            "train_is_complement": complement, "max_size_difference": max(sizes) - min(sizes),
            "max_class_difference": spread}


def accuracy(y_true, y_pred) -> float:
    """Fraction of equal labels, ``mean(y_pred == y_true)``."""
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"y_true and y_pred must be non-empty and of equal length; got "
                         f"{y_true.size} and {y_pred.size}")
    return float(np.mean(y_true == y_pred))


def cross_val_score(fit_predict_fn: Callable, X, y, k: int = 5, seed: int = 0, *,
                    shuffle: bool = True, stratify: bool = True) -> np.ndarray:
    """k-fold cross-validated accuracy: one score per fold (survey §7.3).

    For each fold i of :func:`stratified_kfold_indices` (or :func:`kfold_indices` when
    ``stratify=False``), ``fit_predict_fn(X_train, y_train, X_val)`` trains on the other
    folds and returns predicted labels for the held-out fold; its score is
    ``accuracy(y_val, predictions)``. The cross-validation estimate is the mean of the k
    scores (scikit-learn's ``cross_val_score(...).mean()``), in which every sample is
    scored exactly once by a model that did not see it.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of rows; got {X.shape[0]} and "
                         f"{y.shape[0]}")
    stratify = _check_bool("stratify", stratify)
    folds = (stratified_kfold_indices(y, k, shuffle=shuffle, seed=seed) if stratify
             else kfold_indices(len(y), k, shuffle=shuffle, seed=seed))
    return np.array([accuracy(y[val], fit_predict_fn(X[train], y[train], X[val]))
                     for train, val in folds])


# --------------------------------------------------------------------------- the model


def _moments(X, y) -> tuple:
    """Sufficient statistics of a ridge fit: (n, Σx, Σt, XᵀX, Xᵀt), t = 2y − 1 ∈ {−1, 1}."""
    X = np.asarray(X, dtype=np.float64)
    t = 2.0 * np.asarray(y, dtype=np.float64) - 1.0
    return float(X.shape[0]), X.sum(axis=0), float(t.sum()), X.T @ X, X.T @ t


def _stack(moments: list) -> tuple:
    """Stack several :func:`_moments` along a leading axis."""
    return tuple(np.array([m[i] for m in moments]) for i in range(5))


def _ridge_solve(moments: tuple, alpha, mask) -> tuple[np.ndarray, np.ndarray]:
    """Ridge weights and intercepts for every (configuration, training set) pair at once.

    ``moments`` stacked over K training sets (:func:`_stack`), ``alpha`` of shape (T,),
    ``mask`` (T, d) booleans (the features each configuration uses). Restricting the fit
    to the features f is the same as solving the full d × d system

        (M X_cᵀX_c M + diag(α on f, 1 off f)) w = M X_cᵀ t_c,    M = diag(1_f),

    whose solution is 0 off f and the subset solution on f; so all T·K systems have the
    same size and go to LAPACK in one batched call. Returns w (T, K, d) and b (T, K).
    """
    n, sx, st, G, c = moments
    gram = G - sx[:, :, None] * sx[:, None, :] / n[:, None, None]   # X_cᵀ X_c   (K, d, d)
    rhs = c - sx * (st / n)[:, None]                                # X_cᵀ t_c   (K, d)
    m = np.asarray(mask, dtype=np.float64)                            # (T, d)
    system = gram[None] * (m[:, :, None] * m[:, None, :])[:, None]    # (T, K, d, d)
    i = np.arange(sx.shape[1])
    system[..., i, i] += np.where(m > 0, np.asarray(alpha, dtype=np.float64)[:, None],
                                  1.0)[:, None, :]
    w = np.linalg.solve(system, (rhs[None] * m[:, None, :])[..., None])[..., 0]  # (T, K, d)
    b = (st[None, :] - np.einsum("kd,tkd->tk", sx, w)) / n[None, :]
    return w, b


def _features(features, n_features: int) -> np.ndarray:
    if features is None:
        return np.arange(n_features)
    f = np.unique(np.asarray(features, dtype=np.int64))
    if f.size == 0 or f[0] < 0 or f[-1] >= n_features:
        raise ValueError(f"features must be a non-empty set of column indices in "
                         f"[0, {n_features - 1}]; got {features!r}")
    return f


def ridge_classifier_fit(X, y, alpha: float, features=None) -> tuple[np.ndarray, float]:
    """A ridge (least-squares) linear classifier, scikit-learn's ``RidgeClassifier``.

    With targets t = 2y − 1 ∈ {−1, +1} (y ∈ {0, 1}), centred data X_c = X − x̄ and
    t_c = t − t̄ (the intercept is not penalised):

        w = (X_cᵀ X_c + α I)⁻¹ X_cᵀ t_c,    b = t̄ − x̄ · w,

    on the columns ``features`` only (all when None; the other weights are 0). Returns
    ``(w, b)``, w of length X.shape[1]; predict with :func:`ridge_classifier_predict`.
    A closed form: a fit costs one d × d solve, so a random search can afford thousands.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (samples × features); got shape {X.shape}")
    y = np.asarray(y).reshape(-1)
    if y.size != X.shape[0] or not np.isin(y, (0, 1)).all():
        raise ValueError("y must hold one label in {0, 1} per row of X")
    alpha = check_range("alpha", alpha, 0.0, low_closed=False)
    mask = np.zeros((1, X.shape[1]), dtype=bool)
    mask[0, _features(features, X.shape[1])] = True
    w, b = _ridge_solve(_stack([_moments(X, y)]), [alpha], mask)
    return w[0, 0], float(b[0, 0])


def ridge_classifier_predict(X, w, b) -> np.ndarray:
    """Labels ``1[X·w + b > 0]`` (int64) of a :func:`ridge_classifier_fit` model."""
    return (np.asarray(X, dtype=np.float64) @ w + b > 0).astype(np.int64)


# --------------------------------------------------------------------------- statistics


def accuracy_sigma(p, n_val):
    """Standard deviation of an accuracy measured on n_val samples, √(p(1 − p)/n_val)."""
    p = np.asarray(p, dtype=np.float64)
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"p must be in [0, 1]; got {p!r}")
    n_val = check_int("n_val", n_val, low=1)
    return np.sqrt(p * (1.0 - p) / n_val)


def expected_max_normal(t: int) -> float:
    """E[max(Z_1, …, Z_t)] for t iid standard normals, by numerical integration.

        E[max] = ∫ x · t φ(x) Φ(x)^(t−1) dx

    (the density of the maximum is d/dx Φ(x)^t). 0 for t = 1, 1/√π for t = 2, and about
    √(2 ln t) for large t.
    """
    from scipy import integrate, special

    t = check_int("t", t, low=1)

    def integrand(x):
        return x * t * math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi) * math.exp(
            (t - 1) * special.log_ndtr(x))

    value, _ = integrate.quad(integrand, -12.0, 12.0, limit=200, epsabs=1e-12, epsrel=1e-10)
    return float(value)


def expected_selection(true_acc, sigma) -> tuple[float, float]:
    """(E[v_sel], E[p_sel]) when the largest of v_i = p_i + σ_i Z_i is selected.

    Exact for independent Gaussian noise, by numerical integration over the winning
    score x (F_j(x) = Φ((x − p_j)/σ_j), f_j its density):

        P(i wins, v_i ∈ dx) = f_i(x) Π_{j≠i} F_j(x) dx
        E[v_sel] = ∫ x Σ_i f_i(x) Π_{j≠i} F_j(x) dx,    E[p_sel] = Σ_i p_i ∫ f_i Π_{j≠i} F_j dx.

    Their difference is the expected optimism of the winner's validation score over its
    true accuracy (= its expected score on an untouched test set). For equal p_i and σ it
    is σ · :func:`expected_max_normal` (t).
    """
    from scipy import integrate, special

    p = np.atleast_1d(np.asarray(true_acc, dtype=np.float64))
    s = np.broadcast_to(np.asarray(sigma, dtype=np.float64), p.shape).copy()
    if p.ndim != 1 or p.size == 0 or not np.all(np.isfinite(p)):
        raise ValueError(f"true_acc must be a non-empty 1-D array of finite numbers; got {p!r}")
    if not np.all(s > 0):
        raise ValueError(f"sigma must be > 0; got {sigma!r}")
    lo, hi = float((p - 12 * s).min()), float((p + 12 * s).max())

    def weights(x):  # f_i(x) Π_{j≠i} F_j(x), for every i
        z = (x - p) / s
        log_cdf = special.log_ndtr(z)
        log_pdf = -0.5 * z * z - 0.5 * math.log(2 * math.pi) - np.log(s)
        return np.exp(log_pdf + log_cdf.sum() - log_cdf)

    opts = {"limit": 400, "epsabs": 1e-13, "epsrel": 1e-10, "points": sorted(set(p.tolist()))[:50]}
    e_val, _ = integrate.quad(lambda x: x * weights(x).sum(), lo, hi, **opts)
    e_true, _ = integrate.quad(lambda x: p @ weights(x), lo, hi, **opts)
    return float(e_val), float(e_true)


def expected_max_binomial_proportion(p: float, n_val: int, t):
    """E[max of t iid Binomial(n_val, p) / n_val], exactly.

    With F the binomial CDF, P(max ≥ k) = 1 − F(k − 1)^t, so
    E[max] = (1/n_val) Σ_{k=1}^{n_val} (1 − F(k − 1)^t). An accuracy on n_val samples is
    such a proportion; the Gaussian model of :func:`expected_selection` approximates it.
    ``t`` may be an integer (returns a float) or a sequence of them (returns an array).
    """
    from scipy import stats

    p = check_range("p", p, 0.0, 1.0)
    n_val = check_int("n_val", n_val, low=1)
    scalar = np.ndim(t) == 0
    ts = np.array([check_int("t", v, low=1) for v in np.atleast_1d(t).tolist()])
    cdf = stats.binom.cdf(np.arange(n_val), n_val, p)  # F(0) … F(n_val − 1)
    values = np.sum(1.0 - cdf[None, :] ** ts[:, None], axis=1) / n_val
    return float(values[0]) if scalar else values


def candidate_accuracies(n: int, center: float = 0.95, spread: float = 0.02,
                         seed: int = 0) -> np.ndarray:
    """n "nearly equal" true accuracies, iid uniform on [center − spread/2, center + spread/2]."""
    n = check_int("n", n, low=1)
    spread = check_range("spread", spread, 0.0, 1.0)
    center = check_range("center", center, spread / 2, 1.0 - spread / 2)
    rng = np.random.default_rng(_seed(seed))
    return center + spread * (rng.random(n) - 0.5)


@dataclass(frozen=True)
class SelectionSimulation:
    """Monte-Carlo results of :func:`simulate_selection`: one value per simulated search."""

    val_selected: np.ndarray   # the winner's validation score
    true_selected: np.ndarray  # the winner's true accuracy (its expected test score)

    @property
    def gaps(self) -> np.ndarray:
        return self.val_selected - self.true_selected

    @property
    def mean_gap(self) -> float:
        return float(self.gaps.mean())

    @property
    def se_gap(self) -> float:
        """Standard error of :attr:`mean_gap`."""
        return float(self.gaps.std(ddof=1) / math.sqrt(self.gaps.size))


def simulate_selection(true_acc, n_val: int, *, n_seeds: int = 20000, seed: int = 0,
                       noise: str = "gaussian") -> SelectionSimulation:
    """Simulate ``n_seeds`` searches over the configurations with true accuracies ``true_acc``.

    Each search draws every configuration's validation score — ``noise="gaussian"``:
    p_i + σ_i Z with σ_i = :func:`accuracy_sigma` (p_i, n_val); ``"binomial"``: the
    fraction correct of n_val samples, Binomial(n_val, p_i)/n_val — and selects the
    largest (the first on ties). Check: its mean gap tends to
    :func:`expected_selection`'s difference (Gaussian) or, for equal p,
    :func:`expected_max_binomial_proportion` − p (binomial).
    """
    p = np.atleast_1d(np.asarray(true_acc, dtype=np.float64))
    if p.ndim != 1 or np.any((p < 0) | (p > 1)):
        raise ValueError(f"true_acc must be a 1-D array of accuracies in [0, 1]; got {p!r}")
    n_val = check_int("n_val", n_val, low=1)
    n_seeds = check_int("n_seeds", n_seeds, low=2)
    noise = check_choice("noise", noise, ("gaussian", "binomial"))
    rng = np.random.default_rng(_seed(seed))
    if noise == "gaussian":
        val = p + accuracy_sigma(p, n_val) * rng.standard_normal((n_seeds, p.size))
    else:
        val = rng.binomial(n_val, p, size=(n_seeds, p.size)) / n_val
    winner = np.argmax(val, axis=1)
    return SelectionSimulation(val[np.arange(n_seeds), winner], p[winner])


def statistical_gap_curve(true_acc, n_val: int, t_values, *, n_seeds: int = 4000,
                          seed: int = 0) -> dict:
    """Optimism of the best of the first t candidates, for each t in ``t_values``.

    Returns ``{"t", "exact", "mc", "mc_se", "sigma"}``: ``exact`` from
    :func:`expected_selection` (E[v_sel] − E[p_sel]), ``mc`` and ``mc_se`` from
    :func:`simulate_selection` (Gaussian noise, seed ``seed + t``).
    """
    p = np.atleast_1d(np.asarray(true_acc, dtype=np.float64))
    ts = [check_int("t", t, low=1, high=p.size) for t in t_values]
    exact, mc, se = [], [], []
    sig = accuracy_sigma(p, n_val)
    for t in ts:
        e_val, e_true = expected_selection(p[:t], sig[:t])
        exact.append(e_val - e_true)
        sim = simulate_selection(p[:t], n_val, n_seeds=n_seeds, seed=seed + t)
        mc.append(sim.mean_gap)
        se.append(sim.se_gap)
    return {"t": np.array(ts), "exact": np.array(exact), "mc": np.array(mc),
            "mc_se": np.array(se), "sigma": float(sig.mean())}


# --------------------------------------------------------------------------- selection


def best_so_far(scores) -> np.ndarray:
    """Index of the best score among the first t trials, for every t: shape of ``scores``.

    ``scores`` has shape (runs, trials) (a 1-D array is one run); ties keep the earlier
    trial, as a search that only replaces its incumbent on a strict improvement.
    """
    s = np.asarray(scores, dtype=np.float64)
    one = s.ndim == 1
    s = np.atleast_2d(s)
    if s.ndim != 2 or s.shape[1] == 0:
        raise ValueError(f"scores must have shape (runs, trials); got {np.shape(scores)}")
    running = np.maximum.accumulate(s, axis=1)
    improved = np.diff(running, axis=1, prepend=-np.inf) > 0  # a strict new best at trial j
    idx = np.maximum.accumulate(np.where(improved, np.arange(s.shape[1]), 0), axis=1)
    return idx[0] if one else idx


def optimistic_gap(val_scores, test_scores) -> float:
    """Mean over runs of (validation score − test score) of the configuration selected by
    its validation score (the first maximum of each row).

    ``val_scores`` and ``test_scores`` have shape (runs, trials): row r, column j holds
    configuration j's scores in run r. The selection must not look at the test scores:
    the winner is argmax_j val[r, j], and its *own* test score is subtracted.
    """
    val = np.atleast_2d(np.asarray(val_scores, dtype=np.float64))
    test = np.atleast_2d(np.asarray(test_scores, dtype=np.float64))
    if val.shape != test.shape or val.ndim != 2 or val.shape[1] == 0:
        raise ValueError(f"val_scores and test_scores must have the same shape (runs, trials); "
                         f"got {np.shape(val_scores)} and {np.shape(test_scores)}")
    rows = np.arange(val.shape[0])
    winner = np.argmax(val, axis=1)
    return float(np.mean(val[rows, winner] - test[rows, winner]))


# --------------------------------------------------------------------------- the search

#: The random search's ranges: the ridge penalty α, log-uniform, and the number of
#: features used (a random subset of that size), uniform over the integers.
SEARCH_SPACE: Mapping[str, tuple] = {"alpha": ("log", 1e-3, 1e3), "n_features": ("int", 3, 30)}


def sample_configs(n_trials: int, seed: int = 0, space: Mapping[str, tuple] = SEARCH_SPACE,
                   n_columns: int = 30) -> list[dict]:
    """``n_trials`` random configurations ``{"alpha", "features"}`` from ``space``.

    α ~ log-uniform on [low, high] (survey §7.4); ``n_features`` ~ uniform integer on
    [low, high], then that many of the ``n_columns`` features, drawn without replacement
    (sorted). Deterministic for a given seed.
    """
    n_trials = check_int("n_trials", n_trials, low=1)
    n_columns = check_int("n_columns", n_columns, low=1)
    if set(space) != {"alpha", "n_features"}:
        raise ValueError(f"space must have the keys 'alpha' and 'n_features'; got {list(space)}")
    kind, a_lo, a_hi = space["alpha"]
    check_choice("space['alpha'] scale", kind, ("log",))
    a_lo = check_range("space['alpha'] low", a_lo, 0.0, low_closed=False)
    a_hi = check_range("space['alpha'] high", a_hi, a_lo)
    kind, f_lo, f_hi = space["n_features"]
    check_choice("space['n_features'] kind", kind, ("int",))
    f_lo = check_int("space['n_features'] low", f_lo, low=1, high=n_columns)
    f_hi = check_int("space['n_features'] high", f_hi, low=f_lo, high=n_columns)
    rng = np.random.default_rng(_seed(seed))
    configs = []
    for _ in range(n_trials):
        alpha = float(10 ** rng.uniform(math.log10(a_lo), math.log10(a_hi)))
        size = int(rng.integers(f_lo, f_hi + 1))
        features = np.sort(rng.choice(n_columns, size=size, replace=False))
        configs.append({"alpha": alpha, "features": features})
    return configs


@dataclass(frozen=True)
class TuningTrials:
    """Scores of ``n_repeats`` random searches of ``n_trials`` configurations each.

    Every array has shape (n_repeats, n_trials). Repeat r uses its own stratified split of
    the breast-cancer data (``seed + r``) into train / val / test and its own configurations.

    * ``train``, ``val``, ``test``: accuracy of the model trained on *train* — on train,
      on the small validation set and on the untouched test set (the holdout protocol);
    * ``cv``: mean k-fold accuracy on train ∪ val (the cross-validation protocol);
      ``cv_test``: the test accuracy of the model refitted on all of train ∪ val.
    """

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    cv: np.ndarray
    cv_test: np.ndarray
    val_fraction: float
    n_train: int
    n_val: int
    n_test: int
    k: int
    configs: list = field(repr=False)

    @property
    def n_repeats(self) -> int:
        return self.val.shape[0]

    @property
    def n_trials(self) -> int:
        return self.val.shape[1]


def tuning_trials(n_repeats: int = 40, n_trials: int = 100, *, val_fraction: float = 0.1,
                  test_fraction: float = 0.3, k: int = 5, seed: int = 0,
                  space: Mapping[str, tuple] = SEARCH_SPACE,
                  desc: str | None = None) -> TuningTrials:
    """Run the random search of survey §7.3's experiment and score every configuration.

    For each repeat r: ``surveykit.data.breast_cancer_split(seed + r, fractions=(1 −
    val_fraction − test_fraction, val_fraction, test_fraction))`` (standardised with the
    training part's statistics), ``n_trials`` configurations from :func:`sample_configs`
    (seed ``seed + 10_000 + r``), and for each configuration a
    :func:`ridge_classifier_fit` on train (scored on train, val and test) and a k-fold
    :func:`cross_val_score` on train ∪ val (shuffled stratified folds, seed ``seed + r``)
    plus a refit on train ∪ val scored on test. The fits share sufficient statistics
    (XᵀX, Xᵀt) so that a fold's fit costs one small solve; the tests check that this
    gives :func:`ridge_classifier_fit` and :func:`cross_val_score`'s numbers.
    ``desc`` shows a progress bar.
    """
    from . import data

    n_repeats = check_int("n_repeats", n_repeats, low=1)
    n_trials = check_int("n_trials", n_trials, low=1)
    val_fraction = check_range("val_fraction", val_fraction, 0.0, 1.0, low_closed=False,
                               high_closed=False)
    test_fraction = check_range("test_fraction", test_fraction, 0.0, 1.0 - val_fraction,
                                low_closed=False, high_closed=False)
    k = check_int("k", k, low=2)
    seed = _seed(seed)
    shape = (n_repeats, n_trials)
    out = {name: np.empty(shape) for name in ("train", "val", "test", "cv", "cv_test")}
    all_configs = []
    repeats = range(n_repeats)
    sizes = None
    if desc is not None:
        from .progress import progress

        ctx = progress(repeats, desc)
    else:
        from contextlib import nullcontext

        ctx = nullcontext(repeats)
    with ctx as bar:
        for r in bar:
            split = data.breast_cancer_split(
                seed + r, fractions=(1.0 - val_fraction - test_fraction, val_fraction,
                                     test_fraction), dtype="float64")
            Xtr, ytr, Xva, yva = split.X_train, split.y_train, split.X_val, split.y_val
            Xte, yte = split.X_test, split.y_test
            sizes = (len(ytr), len(yva), len(yte))
            Xpool, ypool = np.vstack([Xtr, Xva]), np.concatenate([ytr, yva])
            folds = stratified_kfold_indices(ypool, k, shuffle=True, seed=seed + r)
            configs = sample_configs(n_trials, seed + 10_000 + r, space, Xtr.shape[1])
            all_configs.append(configs)
            alpha = np.array([cfg["alpha"] for cfg in configs])
            mask = np.zeros((n_trials, Xtr.shape[1]), dtype=bool)
            for j, cfg in enumerate(configs):
                mask[j, cfg["features"]] = True
            # training sets: 0 = train, 1 … k = the CV folds' training parts, k + 1 = the pool
            moments = _stack([_moments(Xtr, ytr)]
                             + [_moments(Xpool[tr], ypool[tr]) for tr, _ in folds]
                             + [_moments(Xpool, ypool)])
            w, b = _ridge_solve(moments, alpha, mask)                  # (T, k + 2, d), (T, k + 2)

            out["train"][r] = _accuracies(Xtr, ytr, w[:, 0], b[:, 0])
            out["val"][r] = _accuracies(Xva, yva, w[:, 0], b[:, 0])
            out["test"][r] = _accuracies(Xte, yte, w[:, 0], b[:, 0])
            fold_scores = [_accuracies(Xpool[v], ypool[v], w[:, i + 1], b[:, i + 1])
                           for i, (_, v) in enumerate(folds)]
            out["cv"][r] = np.mean(fold_scores, axis=0)
            out["cv_test"][r] = _accuracies(Xte, yte, w[:, k + 1], b[:, k + 1])
    n_train, n_val, n_test = sizes
    return TuningTrials(**out, val_fraction=val_fraction, n_train=n_train, n_val=n_val,
                        n_test=n_test, k=k, configs=all_configs)


def _accuracies(X, y, w, b) -> np.ndarray:
    """Accuracy on (X, y) of each of T linear models, w (T, d) and b (T,): the batched
    :func:`ridge_classifier_predict` followed by :func:`accuracy`."""
    return ((X @ w.T + b > 0) == np.asarray(y)[:, None]).mean(axis=0)


def _mean_se(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = a.shape[0]
    se = a.std(axis=0, ddof=1) / math.sqrt(n) if n > 1 else np.zeros(a.shape[1])
    return a.mean(axis=0), se


def selection_curves(trials: TuningTrials) -> dict:
    """Means (and standard errors, ``*_se``) over repeats, for t = 1 … n_trials, of:

    holdout protocol (select by ``val``): ``val_sel`` (the winner's validation score),
    ``test_sel`` (its test score), ``gap`` = val_sel − test_sel, ``train_minus_val``
    (the winner's training minus validation accuracy) and ``val_above_train`` (the
    fraction of searches whose winner scores higher on validation than on training);
    cross-validation protocol (select by ``cv``): ``cv_sel``, ``cv_test_sel``, ``cv_gap``;
    and ``gap_difference`` = gap − cv_gap (paired per repeat, with its own standard error).
    """
    rows = np.arange(trials.n_repeats)[:, None]
    hold = best_so_far(trials.val)
    cvi = best_so_far(trials.cv)
    per_run = {
        "val_sel": trials.val[rows, hold],
        "test_sel": trials.test[rows, hold],
        "train_sel": trials.train[rows, hold],
        "cv_sel": trials.cv[rows, cvi],
        "cv_test_sel": trials.cv_test[rows, cvi],
    }
    per_run["gap"] = per_run["val_sel"] - per_run["test_sel"]
    per_run["cv_gap"] = per_run["cv_sel"] - per_run["cv_test_sel"]
    per_run["gap_difference"] = per_run["gap"] - per_run["cv_gap"]
    per_run["train_minus_val"] = per_run["train_sel"] - per_run["val_sel"]
    per_run["val_above_train"] = (per_run["val_sel"] > per_run["train_sel"]).astype(float)
    curves: dict = {"t": np.arange(1, trials.n_trials + 1)}
    for name, values in per_run.items():
        curves[name], curves[f"{name}_se"] = _mean_se(values)
    return curves


def adequate_stop(scores, patience: int, min_delta: float = 0.0) -> np.ndarray:
    """Survey §6.4's adequate search: how many trials each search runs before it stops.

    A search stops after trial t when its best score has not improved by more than
    ``min_delta`` during the last ``patience`` trials (the early-stopping rule of §4.4,
    applied to the tuning loop); otherwise it runs all trials. Returns, per run (row of
    ``scores``, shape (runs, trials)), the number of trials run (1 … trials). Scores are
    maximised, so this is :class:`surveykit.tuning.adequate.NoImprovement` on ``−scores``.
    """
    s = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    return NoImprovement(patience, min_delta).trials_run_many(-s).astype(np.int64)


def adequate_search_summary(trials: TuningTrials, patience: int,
                            min_delta: float = 0.0) -> dict:
    """The holdout search stopped by :func:`adequate_stop` on its validation scores.

    Each repeat runs its trials until ``patience`` trials in a row bring no improvement
    of the best validation score by more than ``min_delta``, and keeps the best so far.
    Returns the means (and ``*_se``) over repeats of ``trials_run``, ``val_sel``,
    ``test_sel`` and ``gap`` = val_sel − test_sel, to compare with
    :func:`selection_curves` at a fixed number of trials.
    """
    stops = adequate_stop(trials.val, patience, min_delta)
    rows = np.arange(trials.n_repeats)
    winner = best_so_far(trials.val)[rows, stops - 1]
    per_run = {"trials_run": stops.astype(float), "val_sel": trials.val[rows, winner],
               "test_sel": trials.test[rows, winner]}
    per_run["gap"] = per_run["val_sel"] - per_run["test_sel"]
    out = {}
    for name, values in per_run.items():
        mean, se = _mean_se(values[:, None])
        out[name], out[f"{name}_se"] = float(mean[0]), float(se[0])
    return out


@dataclass(frozen=True)
class EarlyStoppingSelection:
    """Per-repeat results of :func:`early_stopping_selection` (arrays of length n_repeats)
    and the per-step curves of every repeat (shape (n_repeats, steps + 1))."""

    best_step: np.ndarray
    val_at_best: np.ndarray
    test_at_best: np.ndarray
    val_at_end: np.ndarray
    test_at_end: np.ndarray
    val_curves: np.ndarray
    test_curves: np.ndarray
    n_val: int

    @property
    def gap_at_best(self) -> np.ndarray:
        return self.val_at_best - self.test_at_best

    @property
    def gap_at_end(self) -> np.ndarray:
        return self.val_at_end - self.test_at_end


def early_stopping_selection(n_repeats: int = 40, steps: int = 300, *,
                             learning_rate: float = 0.5, val_fraction: float = 0.1,
                             test_fraction: float = 0.3, seed: int = 0) -> EarlyStoppingSelection:
    """Early stopping is a selection on the validation set too (survey §4.4, §7.3).

    Logistic regression (the sigmoid neuron of :mod:`surveykit.foundations`, all 30
    features) trained by full-batch gradient descent from zero weights, ``steps`` steps,
    on the same splits as :func:`tuning_trials`. After every step its validation and
    test accuracies are recorded. The early-stopped model is the step with the best
    validation accuracy (the first one; Keras' ``restore_best_weights``); its optimism
    is val_at_best − test_at_best, compared with the same difference at the last step,
    where no selection happened.
    """
    from . import data, foundations

    n_repeats = check_int("n_repeats", n_repeats, low=1)
    steps = check_int("steps", steps, low=1)
    learning_rate = check_range("learning_rate", learning_rate, 0.0, low_closed=False)
    seed = _seed(seed)
    vals, tests, n_val = [], [], 0
    for r in range(n_repeats):
        split = data.breast_cancer_split(
            seed + r, fractions=(1.0 - val_fraction - test_fraction, val_fraction,
                                 test_fraction), dtype="float64")
        n_val = len(split.y_val)
        w, b = np.zeros(split.n_features), 0.0
        v_curve, t_curve = [], []
        for step in range(steps + 1):
            if step:
                w, b = foundations.gradient_descent_step(w, b, split.X_train, split.y_train,
                                                         learning_rate)
            v_curve.append(accuracy(split.y_val, ridge_classifier_predict(split.X_val, w, b)))
            t_curve.append(accuracy(split.y_test, ridge_classifier_predict(split.X_test, w, b)))
        vals.append(v_curve)
        tests.append(t_curve)
    val, test = np.array(vals), np.array(tests)
    rows = np.arange(n_repeats)
    best = np.argmax(val, axis=1)
    return EarlyStoppingSelection(best, val[rows, best], test[rows, best], val[:, -1],
                                  test[:, -1], val, test, n_val)


# --------------------------------------------------------------------------- helpers


def _seed(seed) -> int:
    return check_int("seed", seed, low=0, high=2**32 - 1)


def _check_bool(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)
