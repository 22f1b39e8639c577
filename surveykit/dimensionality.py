"""The curse of dimensionality, measured (survey §7.2).

The survey (§7.2): "As the number of input features (dimensions) increases, the data
becomes sparse and the volume of the input space grows exponentially. This makes it harder
for the model to generalize." Its challenges — distance metrics become less meaningful,
overfitting becomes more likely, exponentially more data are needed — and its mitigations —
feature selection by mutual information, dimensionality reduction (PCA), L1/L2
regularisation of uninformative weights, more data — are each a function here:

* **Distances** (:func:`distances_to`, :func:`relative_contrast`, :func:`max_min_ratio`,
  :func:`distance_concentration`): the relative contrast (D_max − D_min)/D_min of the
  distances from a query to n random points shrinks like 1/√d; exact moments of squared
  distances (:func:`squared_distance_moments`) say why.
* **Volume** (:func:`ball_volume`, :func:`inscribed_ball_fraction`, :func:`shell_fraction`,
  :func:`edge_for_fraction`, :func:`median_nn_distance`, :func:`samples_for_nn_distance`):
  closed forms, checked by Monte Carlo in the tests.
* **Mutual information** (:func:`entropy`, :func:`plugin_mutual_information`,
  :func:`binned_mutual_information`, :func:`knn_mutual_information`,
  :func:`mutual_information`, :func:`gaussian_mixture_mi`): a from-scratch k-nearest-
  neighbour estimator (Ross 2014, the estimator behind scikit-learn's
  ``mutual_info_classif``) and the plug-in estimator for discrete variables.
* **PCA** (:class:`PCA`, :func:`pca_fit`, :func:`pca_project`, :func:`svd_pca`):
  eigendecomposition of the covariance matrix, checked against numpy's SVD and
  scikit-learn's ``PCA``.
* **Experiments** on the breast-cancer data with appended pure-noise features
  (:func:`add_noise_features`, :func:`noise_sweep`, :func:`knn_accuracy_vs_size`,
  :func:`mitigations`) and on a synthetic task where every dimension matters
  (:func:`samples_needed`). The penalties are :mod:`surveykit.regularization.penalties`'
  (through :func:`surveykit.regularization.experiments.train_logistic`), the nearest-
  neighbour classifier is :func:`surveykit.regularization.augmentation_experiments.
  nearest_neighbour`.

Only numpy computes here (those two imports pull in Keras for its regularizer classes,
but no Keras model is built). Everything random takes a seed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .data import Split
from .regularization import penalties as pen
from .regularization.augmentation_experiments import nearest_neighbour
from .regularization.experiments import train_logistic
from .validation import check_choice, check_int, check_range

__all__ = [
    # distances
    "DISTRIBUTIONS", "sample_points", "distances_to", "relative_contrast", "max_min_ratio",
    "contrasts", "pairwise_distances", "squared_distance_moments", "Concentration",
    "distance_concentration", "distance_samples",
    # volume
    "ball_volume", "inscribed_ball_fraction", "shell_fraction", "edge_for_fraction",
    "median_nn_distance", "samples_for_nn_distance", "volume_table",
    # mutual information
    "EULER_GAMMA", "digamma_int", "entropy", "plugin_mutual_information",
    "binned_mutual_information", "knn_mutual_information", "mutual_information",
    "gaussian_mixture_mi", "gaussian_mixture_sample", "top_k",
    # PCA
    "PCA", "pca_fit", "pca_project", "svd_pca", "components_for_variance",
    "same_up_to_sign",
    # experiments
    "add_noise_features", "accuracy", "logistic_accuracy", "DEFAULT_PENALTIES", "NoiseSweep",
    "noise_sweep",
    "stratified_subset", "knn_accuracy_vs_size", "sum_task", "SamplesNeeded", "samples_needed",
    "first_crossing", "mitigations",
]

DISTRIBUTIONS = ("uniform", "normal")
EULER_GAMMA = 0.5772156649015329  # γ = −ψ(1)


# ======================================================================================
# Distances lose contrast (§7.2: "distance metrics become less meaningful")
# ======================================================================================


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_int("seed", seed, low=0))


def sample_points(n: int, d: int, *, distribution: str = "uniform", seed=0) -> np.ndarray:
    """``n`` i.i.d. points in ``d`` dimensions: uniform in the cube [0, 1]^d or N(0, I_d).

    ``seed`` is an integer or a ``numpy.random.Generator``.
    """
    n = check_int("n", n, low=1)
    d = check_int("d", d, low=1)
    distribution = check_choice("distribution", distribution, DISTRIBUTIONS)
    rng = _rng(seed)
    if distribution == "uniform":
        return rng.uniform(size=(n, d))
    return rng.standard_normal((n, d))


def _as_2d(name: str, X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples × features); got shape {X.shape}")
    return X


def distances_to(points, query) -> np.ndarray:
    """Euclidean distances ‖x_i − q‖ from ``query`` (d,) to each row of ``points`` (n, d)."""
    points = _as_2d("points", points)
    query = np.asarray(query, dtype=float).reshape(-1)
    if query.size != points.shape[1]:
        raise ValueError(f"query must have {points.shape[1]} coordinates, as the points; "
                         f"got {query.size}")
    return np.sqrt(np.sum((points - query) ** 2, axis=1))


def _check_distances(distances) -> np.ndarray:
    dist = np.asarray(distances, dtype=float).reshape(-1)
    if dist.size < 2:
        raise ValueError(f"distances must hold at least 2 values; got {dist.size}")
    if not np.all(np.isfinite(dist)) or dist.min() <= 0:
        raise ValueError("distances must be finite and > 0 (a query equal to a point has "
                         f"distance 0); got min {dist.min()!r}")
    return dist


def relative_contrast(distances) -> float:
    """Relative contrast (D_max − D_min) / D_min of a set of distances (survey §7.2).

    For i.i.d. coordinates it tends to 0 as the dimension d grows, like 1/√d (Beyer et al.
    1999, "When is 'nearest neighbor' meaningful?"; Aggarwal, Hinneburg & Keim 2001): the
    nearest and the farthest point end up almost equally far, so "nearest" says little.
    All distances must be > 0.
    """
    dist = _check_distances(distances)
    return float((dist.max() - dist.min()) / dist.min())


def max_min_ratio(distances) -> float:
    """D_max / D_min = 1 + :func:`relative_contrast`: tends to 1 as the dimension grows."""
    dist = _check_distances(distances)
    return float(dist.max() / dist.min())


def contrasts(points, queries) -> np.ndarray:
    """:func:`relative_contrast` of the distances from each row of ``queries`` to ``points``.

    For real data: e.g. each validation example as a query against the training set.
    """
    points = _as_2d("points", points)
    queries = _as_2d("queries", queries)
    return np.array([relative_contrast(distances_to(points, q)) for q in queries])


def pairwise_distances(X) -> np.ndarray:
    """The n(n−1)/2 Euclidean distances ‖x_i − x_j‖, i < j, between the rows of ``X``.

    Computed as √(‖x_i‖² + ‖x_j‖² − 2 x_i·x_j), clipped at 0 against rounding.
    """
    X = _as_2d("X", X)
    sq = np.sum(X * X, axis=1)
    d2 = sq[:, None] + sq[None, :] - 2.0 * X @ X.T
    i, j = np.triu_indices(len(X), k=1)
    return np.sqrt(np.maximum(d2[i, j], 0.0))


def squared_distance_moments(d: int, distribution: str = "uniform") -> tuple[float, float]:
    """Exact mean and standard deviation of ‖x − y‖² for independent x, y (survey §7.2).

    Per coordinate t = x_j − y_j. Uniform on [0, 1]: t has density 1 − |t| on [−1, 1], so
    E[t²] = 1/6, E[t⁴] = 1/15 and Var[t²] = 7/180; N(0, 1): t ~ N(0, 2), E[t²] = 2,
    Var[t²] = 8. Over d independent coordinates the mean is d·E[t²] and the standard
    deviation √(d·Var[t²]), so their ratio — the spread of distances relative to their
    size — falls like 1/√d: √(7/5)/√d (uniform), √2/√d (normal). That is the distance
    concentration the survey's "distance metrics become less meaningful" refers to.
    """
    d = check_int("d", d, low=1)
    distribution = check_choice("distribution", distribution, DISTRIBUTIONS)
    mean_t2, var_t2 = (1.0 / 6.0, 7.0 / 180.0) if distribution == "uniform" else (2.0, 8.0)
    return d * mean_t2, math.sqrt(d * var_t2)


@dataclass(frozen=True)
class Concentration:
    """Results of :func:`distance_concentration`, arrays of shape (len(dims), len(seeds)).

    ``contrast`` = (D_max − D_min)/D_min and ``ratio`` = D_max/D_min of the distances from
    one query to ``n_points`` points; ``cv`` = std/mean of those distances.
    """

    dims: tuple[int, ...]
    seeds: tuple[int, ...]
    n_points: int
    distribution: str
    contrast: np.ndarray
    ratio: np.ndarray
    cv: np.ndarray

    @property
    def mean_contrast(self) -> np.ndarray:
        return self.contrast.mean(axis=1)

    @property
    def mean_ratio(self) -> np.ndarray:
        return self.ratio.mean(axis=1)

    @property
    def mean_cv(self) -> np.ndarray:
        return self.cv.mean(axis=1)

    def slope(self, what: str = "contrast", min_dim: int = 100) -> float:
        """Slope of log(mean ``what``) against log(d) over dims ≥ ``min_dim``.

        ``what`` is ``"contrast"``, ``"ratio"`` or ``"cv"``; −0.5 means ∝ 1/√d.
        """
        what = check_choice("what", what, ("contrast", "ratio", "cv"))
        dims = np.asarray(self.dims, float)
        keep = dims >= min_dim
        if keep.sum() < 2:
            raise ValueError(f"slope needs at least two dimensions ≥ min_dim={min_dim}")
        values = getattr(self, f"mean_{what}")[keep]
        return float(np.polyfit(np.log(dims[keep]), np.log(values), 1)[0])

    def table(self) -> str:
        """One line per dimension: mean contrast, mean max/min ratio, mean cv (3 digits)."""
        lines = [f"{'d':>6} {'(max−min)/min':>14} {'max/min':>9} {'std/mean':>9}"]
        for d, c, r, v in zip(self.dims, self.mean_contrast, self.mean_ratio, self.mean_cv,
                              strict=True):
            lines.append(f"{d:>6} {c:14.3g} {r:9.3g} {v:9.3g}")
        return "\n".join(lines)


def distance_concentration(dims: Sequence[int], *, n_points: int = 1000,
                           seeds: Sequence[int] = tuple(range(10)),
                           distribution: str = "uniform") -> Concentration:
    """Relative contrast of nearest and farthest neighbour as the dimension grows (§7.2).

    For each dimension d and seed: ``n_points`` points and one query, all i.i.d. from
    ``distribution`` (:func:`sample_points`), the distances from the query to the points
    (:func:`distances_to`), and their :func:`relative_contrast`, :func:`max_min_ratio` and
    coefficient of variation std/mean.
    """
    dims = tuple(check_int(f"dims[{i}]", d, low=1) for i, d in enumerate(dims))
    seeds = tuple(check_int(f"seeds[{i}]", s, low=0) for i, s in enumerate(seeds))
    if not dims or not seeds:
        raise ValueError("dims and seeds must be non-empty")
    n_points = check_int("n_points", n_points, low=2)
    distribution = check_choice("distribution", distribution, DISTRIBUTIONS)
    shape = (len(dims), len(seeds))
    contrast, ratio, cv = np.empty(shape), np.empty(shape), np.empty(shape)
    for i, d in enumerate(dims):
        for j, seed in enumerate(seeds):
            pts = sample_points(n_points + 1, d, distribution=distribution, seed=seed)
            dist = distances_to(pts[1:], pts[0])
            contrast[i, j] = relative_contrast(dist)
            ratio[i, j] = max_min_ratio(dist)
            cv[i, j] = dist.std() / dist.mean()
    return Concentration(dims, seeds, n_points, distribution, contrast, ratio, cv)


def distance_samples(dims: Sequence[int], *, n_points: int = 300, seed: int = 0,
                     distribution: str = "uniform") -> dict[int, np.ndarray]:
    """{d: the pairwise distances of ``n_points`` random points in d dimensions}.

    The cache behind the dimension slider: computed once, then only drawn.
    """
    n_points = check_int("n_points", n_points, low=2)
    return {int(d): pairwise_distances(sample_points(n_points, d, distribution=distribution,
                                                     seed=seed))
            for d in dims}


# ======================================================================================
# Volume: the space grows exponentially (§7.2: "the data becomes sparse")
# ======================================================================================


def ball_volume(d: int, radius: float = 1.0) -> float:
    """Volume of the d-dimensional ball, π^(d/2) r^d / Γ(d/2 + 1) (2r, πr², 4πr³/3, …)."""
    d = check_int("d", d, low=1)
    radius = check_range("radius", radius, 0.0)
    if radius == 0:
        return 0.0
    log_v = 0.5 * d * math.log(math.pi) + d * math.log(radius) - math.lgamma(0.5 * d + 1)
    return math.exp(log_v)


def inscribed_ball_fraction(d: int) -> float:
    """Fraction of the unit cube [0, 1]^d inside its inscribed ball (radius ½).

    1, π/4 ≈ 0.785, π/6 ≈ 0.524, … → 0 faster than exponentially: in high dimension almost
    all of a cube's volume lies in its corners, far from the centre.
    """
    return ball_volume(d, 0.5)


def shell_fraction(d: int, thickness: float = 0.05) -> float:
    """Fraction of the unit cube within ``thickness`` of its boundary: 1 − (1 − 2t)^d.

    The inner cube [t, 1 − t]^d has volume (1 − 2t)^d; with t = 0.05, 10 % of a 1-D
    segment is "near the edge", 99.5 % of a 50-D cube is. ``thickness`` in [0, 0.5].
    """
    d = check_int("d", d, low=1)
    t = check_range("thickness", thickness, 0.0, 0.5)
    return 1.0 - (1.0 - 2.0 * t) ** d


def edge_for_fraction(d: int, fraction: float) -> float:
    """Edge length of a sub-cube holding ``fraction`` of uniform data in [0, 1]^d: f^(1/d).

    Hastie, Tibshirani & Friedman (ESL §2.5): to capture 10 % of the data in 10 dimensions
    a "local" neighbourhood must span 0.1^(1/10) ≈ 80 % of each input's range.
    """
    d = check_int("d", d, low=1)
    fraction = check_range("fraction", fraction, 0.0, 1.0, low_closed=False)
    return fraction ** (1.0 / d)


def median_nn_distance(d: int, n: int) -> float:
    """Median distance from the centre of the unit d-ball to the nearest of n uniform points.

    ESL eq. (2.24): (1 − ½^(1/n))^(1/d). P(a point lies within r) = r^d, so P(all n lie
    beyond r) = (1 − r^d)^n; setting it to ½ gives the median. With n = 500, d = 10 the
    nearest point is more than half-way to the boundary.
    """
    d = check_int("d", d, low=1)
    n = check_int("n", n, low=1)
    return (1.0 - 0.5 ** (1.0 / n)) ** (1.0 / d)


def samples_for_nn_distance(d: int, radius: float) -> int:
    """Smallest n whose median nearest-neighbour distance (:func:`median_nn_distance`) is ≤ r.

    Solving (1 − ½^(1/n))^(1/d) ≤ r: n ≥ ln ½ / ln(1 − r^d) ≈ ln 2 / r^d — exponential in d,
    the survey's "requires exponentially more data". ``radius`` in (0, 1).
    """
    d = check_int("d", d, low=1)
    r = check_range("radius", radius, 0.0, 1.0, low_closed=False, high_closed=False)
    n = math.log(0.5) / math.log1p(-(r**d))
    # guard against rounding in the ceiling: the smallest integer that satisfies it
    m = max(1, math.ceil(n - 1e-9))
    while median_nn_distance(d, m) > r:
        m += 1
    return m


def volume_table(dims: Sequence[int], *, thickness: float = 0.05, fraction: float = 0.1,
                 radius: float = 0.5) -> dict[str, np.ndarray]:
    """The volume facts for each d, as arrays: ``dims``, ``ball`` (inscribed-ball fraction),
    ``shell`` (fraction within ``thickness`` of the boundary), ``edge`` (edge for
    ``fraction`` of the data) and ``samples`` (n for a median nearest-neighbour distance
    of ``radius`` in the unit ball)."""
    dims = [check_int(f"dims[{i}]", d, low=1) for i, d in enumerate(dims)]
    return {
        "dims": np.array(dims),
        "ball": np.array([inscribed_ball_fraction(d) for d in dims]),
        "shell": np.array([shell_fraction(d, thickness) for d in dims]),
        "edge": np.array([edge_for_fraction(d, fraction) for d in dims]),
        "samples": np.array([samples_for_nn_distance(d, radius) for d in dims], dtype=float),
        "thickness": thickness, "fraction": fraction, "radius": radius,
    }


# ======================================================================================
# Mutual information, for feature selection (§7.2's first mitigation)
# ======================================================================================


def digamma_int(n) -> np.ndarray:
    """ψ(n) for positive integers, exactly: ψ(n) = −γ + Σ_{j=1}^{n−1} 1/j."""
    n = np.asarray(n)
    if n.size and (np.any(n < 1) or np.any(n != np.round(n))):
        raise ValueError("digamma_int needs positive integers")
    n = n.astype(np.int64)
    top = int(n.max()) if n.size else 1
    harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, top))])  # H_{m}, m=0…top−1
    return -EULER_GAMMA + harmonic[n - 1]


def entropy(labels) -> float:
    """Entropy H(Y) = −Σ_y p(y) ln p(y) of the empirical distribution of ``labels`` (nats)."""
    _, counts = np.unique(np.asarray(labels).reshape(-1), return_counts=True)
    if counts.sum() == 0:
        raise ValueError("labels must not be empty")
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)))


def plugin_mutual_information(a, b) -> float:
    """I(A; B) = Σ p(a, b) ln[p(a, b) / (p(a) p(b))] of two discrete variables (nats).

    The plug-in estimate from the contingency table of the samples (what
    ``sklearn.metrics.mutual_info_score`` computes). I(Y; Y) = H(Y). It is biased upward
    on small samples, by about (|A| − 1)(|B| − 1)/(2n).
    """
    a = np.asarray(a).reshape(-1)
    b = np.asarray(b).reshape(-1)
    if a.size != b.size or a.size == 0:
        raise ValueError(f"a and b must be non-empty and of equal length; got {a.size}, "
                         f"{b.size}")
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(table, (ai, bi), 1.0)
    p = table / a.size
    pa, pb = p.sum(axis=1, keepdims=True), p.sum(axis=0, keepdims=True)
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / (pa @ pb)[nz])))


def binned_mutual_information(x, y, bins: int = 10) -> float:
    """I(X; Y) of a continuous feature and a discrete label, by binning X (nats).

    X is cut into ``bins`` equal-frequency bins (its quantiles), then
    :func:`plugin_mutual_information`. Simple, but biased upward by about
    (bins − 1)(|Y| − 1)/(2n) and sensitive to ``bins``; :func:`knn_mutual_information`
    avoids the choice.
    """
    bins = check_int("bins", bins, low=1)
    x = np.asarray(x, dtype=float).reshape(-1)
    edges = np.quantile(x, np.linspace(0, 1, bins + 1)[1:-1])
    return plugin_mutual_information(np.searchsorted(edges, x, side="right"), y)


def knn_mutual_information(x, y, n_neighbors: int = 3, *, jitter: float = 1e-10,
                           seed: int = 0, clip: bool = True) -> float:
    """I(X; Y) of a continuous feature x and a discrete label y, k-nearest-neighbour estimate.

    Ross (2014), "Mutual information between discrete and continuous data sets" — the
    estimator of ``sklearn.feature_selection.mutual_info_classif``. For each sample i with
    label y_i: d_i = distance to its k-th nearest neighbour among the N_{y_i} samples with
    the same label (k_i = min(k, N_{y_i} − 1)), m_i = number of samples of *any* label
    closer than d_i (i itself included). Then, with ψ the digamma function::

        I = ψ(N) + ⟨ψ(k_i)⟩ − ⟨ψ(N_{y_i})⟩ − ⟨ψ(m_i)⟩

    If x tells the label apart, the same-label neighbours are close and few other samples
    fall within d_i (m_i small, I large). Samples whose label occurs once are dropped.
    As scikit-learn does (Kraskov's advice), x is divided by its standard deviation and
    ``jitter`` · max(1, mean|x|) · N(0, 1) noise is added (seeded) to break ties; the
    estimate is clipped at 0 when ``clip``. Brute force: O(n²) memory and time.
    """
    n_neighbors = check_int("n_neighbors", n_neighbors, low=1)
    jitter = check_range("jitter", jitter, 0.0)
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y).reshape(-1)
    if x.size != y.size or x.size < 2:
        raise ValueError(f"x and y must have equal length ≥ 2; got {x.size} and {y.size}")
    std = x.std()
    if std > 0:
        x = x / std
    if jitter:
        x = x + jitter * max(1.0, float(np.mean(np.abs(x)))) * _rng(seed).standard_normal(x.size)
    labels, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    keep = counts[inverse] > 1
    x, inverse = x[keep], inverse[keep]
    if x.size < 2:
        raise ValueError("mutual information needs a label that occurs at least twice")
    radius = np.empty(x.size)
    k_all = np.empty(x.size, dtype=np.int64)
    n_label = np.empty(x.size, dtype=np.int64)
    for c in np.unique(inverse):
        members = np.flatnonzero(inverse == c)
        k = min(n_neighbors, members.size - 1)
        gaps = np.abs(x[members][:, None] - x[members][None, :])
        np.fill_diagonal(gaps, np.inf)
        radius[members] = np.partition(gaps, k - 1, axis=1)[:, k - 1]
        k_all[members] = k
        n_label[members] = members.size
    m = np.sum(np.abs(x[None, :] - x[:, None]) < radius[:, None], axis=1)  # includes i
    mi = (digamma_int(x.size) + digamma_int(k_all).mean() - digamma_int(n_label).mean()
          - digamma_int(m).mean())
    return max(0.0, float(mi)) if clip else float(mi)


def mutual_information(X, y, n_neighbors: int = 3, *, jitter: float = 1e-10, seed: int = 0,
                       clip: bool = True) -> np.ndarray:
    """:func:`knn_mutual_information` of each column of ``X`` (n, d) with the labels ``y``.

    Column j's jitter is drawn with seed ``seed + j`` (deterministic, independent columns).
    """
    X = _as_2d("X", X)
    seed = check_int("seed", seed, low=0)
    return np.array([knn_mutual_information(X[:, j], y, n_neighbors, jitter=jitter,
                                            seed=seed + j, clip=clip)
                     for j in range(X.shape[1])])


def gaussian_mixture_mi(means: Sequence[float], sigma: float = 1.0, priors=None, *,
                        points: int = 20001) -> float:
    """Exact I(X; Y) when X | Y = c ~ N(μ_c, σ²) and P(Y = c) = π_c (nats).

    I = h(X) − h(X | Y) with h(X | Y) = ½ ln(2πeσ²) and h(X) = −∫ p ln p of the mixture
    p(x) = Σ π_c N(x; μ_c, σ²), integrated by the trapezoid rule on ``points`` points over
    [min μ − 12σ, max μ + 12σ]. Identical means give 0; means far apart give H(Y).
    A known answer against which to test an estimator.
    """
    means = np.asarray(means, dtype=float).reshape(-1)
    if means.size < 1:
        raise ValueError("means must hold at least one value")
    sigma = check_range("sigma", sigma, 0.0, low_closed=False)
    points = check_int("points", points, low=101)
    priors = (np.full(means.size, 1.0 / means.size) if priors is None
              else np.asarray(priors, dtype=float).reshape(-1))
    if priors.size != means.size or np.any(priors <= 0) or abs(priors.sum() - 1) > 1e-9:
        raise ValueError(f"priors must be {means.size} positive numbers summing to 1; "
                         f"got {priors!r}")
    grid = np.linspace(means.min() - 12 * sigma, means.max() + 12 * sigma, points)
    dens = np.sum(priors[:, None] * np.exp(-0.5 * ((grid[None, :] - means[:, None]) / sigma)
                                           ** 2), axis=0) / (sigma * math.sqrt(2 * math.pi))
    integrand = np.where(dens > 0, -dens * np.log(np.where(dens > 0, dens, 1.0)), 0.0)
    h_x = float(np.trapezoid(integrand, grid))
    return h_x - 0.5 * math.log(2 * math.pi * math.e * sigma**2)


def gaussian_mixture_sample(n: int, means: Sequence[float] = (0.0, 1.5), sigma: float = 1.0,
                            *, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` draws of (x, y): y uniform over the classes, x | y = c ~ N(μ_c, σ²).

    Its exact mutual information is :func:`gaussian_mixture_mi` (equal priors).
    """
    n = check_int("n", n, low=1)
    sigma = check_range("sigma", sigma, 0.0, low_closed=False)
    means = np.asarray(means, dtype=float).reshape(-1)
    rng = _rng(seed)
    y = rng.integers(0, means.size, n)
    return means[y] + sigma * rng.standard_normal(n), y


def top_k(scores, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, largest first (ties: lower index first)."""
    scores = np.asarray(scores, dtype=float).reshape(-1)
    k = check_int("k", k, low=1, high=scores.size)
    return np.argsort(-scores, kind="stable")[:k]


# ======================================================================================
# PCA (§7.2's second mitigation)
# ======================================================================================


@dataclass(frozen=True)
class PCA:
    """A fitted principal component analysis.

    ``mean`` (d,); ``components`` (k, d), one unit eigenvector of the covariance matrix per
    row, by decreasing eigenvalue; ``explained_variance`` (k,), those eigenvalues (variance
    of the data along each component, denominator n − 1); ``explained_variance_ratio``
    (k,), each divided by the total variance (trace of the covariance).
    """

    mean: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray
    explained_variance_ratio: np.ndarray

    @property
    def n_components(self) -> int:
        return self.components.shape[0]

    def transform(self, X) -> np.ndarray:
        """Project onto the components: Z = (X − mean) Vₖ, shape (n, k)."""
        X = _as_2d("X", X)
        return (X - self.mean) @ self.components.T

    def inverse_transform(self, Z) -> np.ndarray:
        """Reconstruct from the projection: X̂ = Z Vₖᵀ + mean, shape (n, d)."""
        return np.asarray(Z, dtype=float) @ self.components + self.mean


def _flip_signs(components: np.ndarray) -> np.ndarray:
    """Make the largest-|·| entry of each row positive (scikit-learn's ``svd_flip`` rule),
    so the result is deterministic: an eigenvector is only defined up to its sign."""
    idx = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(len(components)), idx])
    signs[signs == 0] = 1.0
    return components * signs[:, None]


def pca_fit(X, n_components: int | None = None) -> PCA:
    """PCA by eigendecomposition of the covariance matrix (survey §7.2).

    X̃ = X − mean (centre each column), C = X̃ᵀX̃ / (n − 1) (d × d), C = V Λ Vᵀ
    (``numpy.linalg.eigh``, ascending eigenvalues — reversed here so the component of
    largest variance comes first). The top-k eigenvectors are the directions of largest
    variance; λ_j / Σλ is the fraction of the variance each explains. Signs follow
    :func:`_flip_signs`. ``n_components`` (default: all d) in [1, d]; n ≥ 2 rows.
    """
    X = _as_2d("X", X)
    n, d = X.shape
    if n < 2:
        raise ValueError(f"X must have at least 2 rows; got {n}")
    k = d if n_components is None else check_int("n_components", n_components, low=1, high=d)
    mean = X.mean(axis=0)
    Xc = X - mean
    cov = Xc.T @ Xc / (n - 1)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    values = np.clip(values[order], 0.0, None)
    vectors = vectors[:, order]
    total = float(np.trace(cov))
    ratio = values / total if total > 0 else np.zeros_like(values)
    return PCA(mean=mean, components=_flip_signs(vectors[:, :k].T),
               explained_variance=values[:k], explained_variance_ratio=ratio[:k])


def pca_project(X, k: int) -> np.ndarray:
    """The centred data projected onto their top-k principal components, shape (n, k).

    ``pca_fit(X, k).transform(X)`` = (X − mean) Vₖ; column j has variance λ_j.
    """
    return pca_fit(X, k).transform(X)


def svd_pca(X, n_components: int | None = None) -> PCA:
    """The same PCA from the SVD of the centred data — the independent reference.

    X̃ = U S Vᵀ gives X̃ᵀX̃/(n − 1) = V (S²/(n − 1)) Vᵀ: the right singular vectors are the
    covariance's eigenvectors and S²/(n − 1) its eigenvalues (``numpy.linalg.svd``, which
    is also how ``sklearn.decomposition.PCA`` computes it).
    """
    X = _as_2d("X", X)
    n, d = X.shape
    if n < 2:
        raise ValueError(f"X must have at least 2 rows; got {n}")
    k = d if n_components is None else check_int("n_components", n_components, low=1, high=d)
    mean = X.mean(axis=0)
    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
    values = np.zeros(d)
    values[: s.size] = s**2 / (n - 1)
    total = float(np.sum((X - mean) ** 2) / (n - 1))
    components = np.zeros((d, d))
    components[: vt.shape[0]] = vt
    return PCA(mean=mean, components=_flip_signs(components[:k]),
               explained_variance=values[:k],
               explained_variance_ratio=values[:k] / total if total > 0 else values[:k] * 0)


def components_for_variance(pca: PCA, threshold: float = 0.95) -> int:
    """Smallest k whose first k components explain at least ``threshold`` of the variance."""
    threshold = check_range("threshold", threshold, 0.0, 1.0, low_closed=False)
    cumulative = np.cumsum(pca.explained_variance_ratio)
    hits = np.flatnonzero(cumulative >= threshold - 1e-12)
    if hits.size == 0:
        raise ValueError(f"the {pca.n_components} components explain only "
                         f"{cumulative[-1]:.3f} < threshold {threshold}")
    return int(hits[0]) + 1


def same_up_to_sign(A, B, *, atol: float = 1e-8) -> bool:
    """True if A and B have the same shape and each column of A is ± the same column of B.

    Principal components (and projections onto them) are defined only up to their sign.
    """
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.shape != B.shape or A.ndim != 2:
        return False
    signs = np.where(np.sum(A * B, axis=0) < 0, -1.0, 1.0)
    return bool(np.allclose(A * signs, B, atol=atol, rtol=1e-7))


# ======================================================================================
# Experiments on the breast-cancer data with pure-noise features
# ======================================================================================


def add_noise_features(split: Split, n_noise: int, *, seed: int = 0,
                       scale: float = 1.0) -> Split:
    """``split`` with ``n_noise`` pure-noise columns N(0, scale²) appended to every part.

    The noise is independent of the label, so these features are uninformative by
    construction; with the standardised breast-cancer data (unit variance per feature) and
    ``scale = 1`` they have the same scale as the real features. Named ``noise_0`` …
    """
    n_noise = check_int("n_noise", n_noise, low=0)
    scale = check_range("scale", scale, 0.0)
    rng = _rng(seed)
    parts = {}
    for part in ("train", "val", "test"):
        X = getattr(split, f"X_{part}")
        noise = scale * rng.standard_normal((X.shape[0], n_noise))
        parts[f"X_{part}"] = np.hstack([X, noise.astype(X.dtype)])
    names = tuple(split.feature_names) + tuple(f"noise_{i}" for i in range(n_noise))
    return replace(split, **parts, feature_names=names,
                   mean=np.concatenate([split.mean, np.zeros(n_noise)]),
                   scale=np.concatenate([split.scale, np.full(n_noise, scale)]))


def accuracy(predicted, y) -> float:
    """Fraction of ``predicted`` labels equal to ``y``."""
    predicted = np.asarray(predicted).reshape(-1)
    y = np.asarray(y).reshape(-1)
    if predicted.size != y.size or y.size == 0:
        raise ValueError(f"predicted and y must be non-empty and of equal length; got "
                         f"{predicted.size} and {y.size}")
    return float(np.mean(predicted == y))


def logistic_accuracy(fit, X, y) -> float:
    """Accuracy of a :class:`~surveykit.regularization.experiments.LogisticFit`:
    predict 1 where X w + b > 0 (σ > ½)."""
    X = _as_2d("X", X)
    return accuracy((X @ fit.w + fit.b > 0).astype(np.int64), y)


#: The penalties compared by :func:`noise_sweep`: name → (penalty, λ) for ``train_logistic``.
DEFAULT_PENALTIES = {"no penalty": ("l2", 0.0), "L2, λ=0.1": ("l2", 0.1),
                     "L1, λ=0.03": ("l1", 0.03)}


@dataclass(frozen=True)
class NoiseSweep:
    """Results of :func:`noise_sweep`; arrays have shape (len(noise_counts), len(seeds)).

    ``knn_val``: 1-nearest-neighbour validation accuracy. Per penalty name (dicts):
    ``train``/``val`` accuracy of the logistic model, ``noise_share`` = Σ|w_noise| / Σ|w|
    (the weight mass on the noise features; 0 without noise) and ``noise_zero`` = fraction
    of noise weights that are exactly 0 (nan without noise).
    """

    noise_counts: tuple[int, ...]
    seeds: tuple[int, ...]
    knn_val: np.ndarray
    train: dict[str, np.ndarray]
    val: dict[str, np.ndarray]
    noise_share: dict[str, np.ndarray]
    noise_zero: dict[str, np.ndarray]
    penalties: dict[str, tuple[str, float]] = field(default_factory=dict)

    def table(self) -> str:
        """Mean over seeds, one line per noise count (3 decimals)."""
        names = list(self.val)
        head = f"{'noise':>5} {'1-NN val':>8} " + " ".join(
            f"{'val ' + n:>17} {'share':>6}" for n in names)
        lines = [head]
        for i, k in enumerate(self.noise_counts):
            cells = " ".join(f"{self.val[n][i].mean():17.3f} {self.noise_share[n][i].mean():6.2f}"
                             for n in names)
            lines.append(f"{k:>5} {self.knn_val[i].mean():8.3f} {cells}")
        return "\n".join(lines)


def _loop(items, desc: str | None):
    """A context yielding ``items``: with a progress bar (:mod:`surveykit.progress`) when
    ``desc`` is given."""
    if desc is None:
        from contextlib import nullcontext

        return nullcontext(items)
    from .progress import progress

    return progress(items, desc)


def _train(X, y, penalty: str, lam: float, *, learning_rate: float, steps: int):
    """``train_logistic`` with the proximal (ISTA) step for L1, so that its zeros are exact."""
    method = "proximal" if penalty != "l2" and lam > 0 else "gradient"
    return train_logistic(X, y, penalty=penalty, lam=lam, learning_rate=learning_rate,
                          steps=steps, method=method)


def noise_sweep(split: Split, noise_counts: Sequence[int], *, seeds: Sequence[int] = (0, 1, 2),
                penalties: Mapping[str, tuple[str, float]] | None = None,
                learning_rate: float = 0.5, steps: int = 300,
                desc: str | None = None) -> NoiseSweep:
    """Accuracy and weights as uninformative dimensions are added (survey §7.2).

    For each count k and seed: :func:`add_noise_features` (k noise columns, seed), then a
    1-nearest-neighbour classifier and a logistic regression trained by
    :func:`~surveykit.regularization.experiments.train_logistic` (full batch, ``steps``
    steps of size ``learning_rate``) on J = mean BCE + Ω(w) for each penalty in
    ``penalties`` (name → (``"l1"``/``"l2"``, λ); default :data:`DEFAULT_PENALTIES`),
    Ω from :mod:`surveykit.regularization.penalties`. L1 uses the proximal step, which lands
    on exact zeros. ``desc`` shows a progress bar over the counts.
    """
    counts = tuple(check_int(f"noise_counts[{i}]", k, low=0) for i, k in enumerate(noise_counts))
    seeds = tuple(check_int(f"seeds[{i}]", s, low=0) for i, s in enumerate(seeds))
    pens = dict(DEFAULT_PENALTIES if penalties is None else penalties)
    shape = (len(counts), len(seeds))
    knn = np.empty(shape)
    out = {key: {name: np.full(shape, np.nan) for name in pens}
           for key in ("train", "val", "share", "zero")}
    with _loop(list(enumerate(counts)), desc) as loop:
        for i, k in loop:
            for j, seed in enumerate(seeds):
                s = add_noise_features(split, k, seed=seed)
                Xtr, Xva = s.X_train.astype(float), s.X_val.astype(float)
                knn[i, j] = accuracy(nearest_neighbour(Xtr, s.y_train)(Xva), s.y_val)
                for name, (penalty, lam) in pens.items():
                    fit = _train(Xtr, s.y_train, penalty, lam, learning_rate=learning_rate,
                                 steps=steps)
                    out["train"][name][i, j] = logistic_accuracy(fit, Xtr, s.y_train)
                    out["val"][name][i, j] = logistic_accuracy(fit, Xva, s.y_val)
                    out["share"][name][i, j], out["zero"][name][i, j] = _noise_weights(
                        fit.w, split.n_features)
    return NoiseSweep(counts, seeds, knn, out["train"], out["val"], out["share"],
                      out["zero"], pens)


def _noise_weights(w, n_real: int) -> tuple[float, float]:
    """(Σ|w_noise| / Σ|w|, fraction of exactly-zero noise weights); (0, nan) with no noise.

    The L1 norms are :func:`surveykit.regularization.penalties.weight_norms`'.
    """
    noise = np.asarray(w, dtype=float)[n_real:]
    if noise.size == 0:
        return 0.0, float("nan")
    total = pen.weight_norms(w).l1
    share = pen.weight_norms(noise).l1 / total if total > 0 else 0.0
    return float(share), float(np.mean(noise == 0.0))


def stratified_subset(y, n: int, *, seed: int = 0) -> np.ndarray:
    """Indices of ``n`` of the labels ``y``, drawn without replacement, keeping each class's
    share: class c gets round(n · n_c / N) places (largest remainders, so they sum to n)."""
    y = np.asarray(y).reshape(-1)
    n = check_int("n", n, low=1, high=y.size)
    rng = _rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    exact = n * counts / y.size
    take = np.floor(exact).astype(np.int64)
    take[np.argsort(-(exact - take), kind="stable")[: n - take.sum()]] += 1
    chosen = [rng.choice(np.flatnonzero(y == c), size=m, replace=False)
              for c, m in zip(classes, take, strict=True)]
    return rng.permutation(np.concatenate(chosen))


def knn_accuracy_vs_size(split: Split, sizes: Sequence[int], noise_counts: Sequence[int], *,
                         seeds: Sequence[int] = (0, 1, 2)) -> np.ndarray:
    """1-NN validation accuracy for training subsets of each size, per noise count.

    Returns an array (len(noise_counts), len(sizes), len(seeds)): for seed s, k noise
    features (:func:`add_noise_features` with seed s) and a random subset of n training
    examples keeping the class shares (:func:`stratified_subset`, seed s). "More data" as
    a mitigation (§7.2): how many examples does each dimension need for the same accuracy?
    """
    sizes = tuple(check_int(f"sizes[{i}]", n, low=2) for i, n in enumerate(sizes))
    counts = tuple(check_int(f"noise_counts[{i}]", k, low=0) for i, k in enumerate(noise_counts))
    seeds = tuple(check_int(f"seeds[{i}]", s, low=0) for i, s in enumerate(seeds))
    out = np.empty((len(counts), len(sizes), len(seeds)))
    for a, k in enumerate(counts):
        for c, seed in enumerate(seeds):
            s = add_noise_features(split, k, seed=seed)
            for b, n in enumerate(sizes):
                idx = stratified_subset(s.y_train, n, seed=seed)
                predict = nearest_neighbour(s.X_train[idx].astype(float), s.y_train[idx])
                out[a, b, c] = accuracy(predict(s.X_val.astype(float)), s.y_val)
    return out


def sum_task(n: int, d: int, *, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """A task in which every dimension matters: x uniform in [0, 1]^d, y = 1[Σ_j x_j > d/2].

    Balanced by symmetry (P(y = 1) = ½ exactly) and noise-free (the Bayes accuracy is 1),
    so the only obstacle is how densely n points fill d dimensions.
    """
    X = sample_points(n, d, distribution="uniform", seed=seed)
    return X, (X.sum(axis=1) > d / 2).astype(np.int64)


def first_crossing(sizes, accuracies, target: float) -> float:
    """The training size at which ``accuracies`` first reach ``target``, interpolated
    linearly in log(size) between the two sizes around the crossing; nan if never."""
    sizes = np.asarray(sizes, dtype=float)
    acc = np.asarray(accuracies, dtype=float)
    hits = np.flatnonzero(acc >= target)
    if hits.size == 0:
        return float("nan")
    i = int(hits[0])
    if i == 0:
        return float(sizes[0])
    lo, hi = np.log(sizes[i - 1]), np.log(sizes[i])
    t = (target - acc[i - 1]) / (acc[i] - acc[i - 1])
    return float(np.exp(lo + t * (hi - lo)))


@dataclass(frozen=True)
class SamplesNeeded:
    """Results of :func:`samples_needed`: mean test accuracies (len(dims), len(sizes)) per
    learner, and the size needed to reach ``target`` (len(dims),) per learner."""

    dims: tuple[int, ...]
    sizes: tuple[int, ...]
    target: float
    accuracy: dict[str, np.ndarray]
    needed: dict[str, np.ndarray]

    def growth_per_dimension(self, learner: str = "1-NN") -> float:
        """exp(slope) of log(n needed) against d: the factor of data each extra dimension
        costs (a straight line on a log scale is exponential growth)."""
        need = self.needed[learner]
        ok = np.isfinite(need)
        if ok.sum() < 2:
            raise ValueError(f"{learner} reached the target in fewer than two dimensions")
        return float(np.exp(np.polyfit(np.asarray(self.dims, float)[ok], np.log(need[ok]),
                                       1)[0]))


def samples_needed(dims: Sequence[int], sizes: Sequence[int], *, target: float = 0.9,
                   seeds: Sequence[int] = (0, 1, 2), n_test: int = 500,
                   learning_rate: float = 0.5, steps: int = 300,
                   logistic_max_size: int | None = None, desc: str | None = None
                   ) -> SamplesNeeded:
    """How many examples reach a given accuracy as the dimension grows (survey §7.2).

    On :func:`sum_task` (test set of ``n_test`` points, seed 10_000 + seed) two learners are
    trained on n examples for each n in ``sizes``: the 1-nearest-neighbour classifier
    (local: it needs a close neighbour, so it suffers the volume argument) and an
    unpenalised logistic regression (its linear form matches the task's boundary). The
    accuracies are averaged over ``seeds``; :func:`first_crossing` gives the n needed.
    The logistic model is trained only for sizes ≤ ``logistic_max_size`` (if given; its
    accuracy is nan beyond), as it reaches the target long before 1-NN does.
    ``desc`` shows a progress bar over the dimensions.
    """
    dims = tuple(check_int(f"dims[{i}]", d, low=1) for i, d in enumerate(dims))
    sizes = tuple(check_int(f"sizes[{i}]", n, low=2) for i, n in enumerate(sizes))
    seeds = tuple(check_int(f"seeds[{i}]", s, low=0) for i, s in enumerate(seeds))
    target = check_range("target", target, 0.5, 1.0, low_closed=False)
    n_test = check_int("n_test", n_test, low=1)
    cap = max(sizes) if logistic_max_size is None else check_int(
        "logistic_max_size", logistic_max_size, low=min(sizes))
    acc = {name: np.zeros((len(dims), len(sizes))) for name in ("1-NN", "logistic")}
    acc["logistic"][:, np.asarray(sizes) > cap] = np.nan
    with _loop(list(enumerate(dims)), desc) as loop:
        for i, d in loop:
            for seed in seeds:
                Xte, yte = sum_task(n_test, d, seed=10_000 + seed)
                Xall, yall = sum_task(max(sizes), d, seed=seed)
                for j, n in enumerate(sizes):
                    X, y = Xall[:n], yall[:n]
                    acc["1-NN"][i, j] += accuracy(nearest_neighbour(X, y)(Xte), yte) / len(seeds)
                    if n > cap:
                        continue
                    fit = train_logistic(X - 0.5, y, penalty="l2", lam=0.0,
                                         learning_rate=learning_rate, steps=steps)
                    acc["logistic"][i, j] += logistic_accuracy(fit, Xte - 0.5, yte) / len(seeds)
    needed = {name: np.array([first_crossing(np.asarray(sizes)[np.isfinite(a[i])],
                                             a[i][np.isfinite(a[i])], target)
                              for i in range(len(dims))])
              for name, a in acc.items()}
    return SamplesNeeded(dims, sizes, target, acc, needed)


def mitigations(split: Split, n_noise: int, *, k_features: int = 10, n_components: int = 10,
                l1: float = 0.03, l2: float = 0.1, seeds: Sequence[int] = (0, 1, 2),
                noise_scale: float = 1.0, learning_rate: float = 0.5, steps: int = 300
                ) -> dict[str, dict[str, np.ndarray]]:
    """Validation accuracy of 1-NN and logistic regression under each mitigation (§7.2).

    With ``n_noise`` noise features (scale ``noise_scale``) appended to the 30 real ones:

    * ``"no noise (30 real features)"`` — the reference; ``"all features"`` — no mitigation;
    * ``"MI top-k"`` — the ``k_features`` columns of highest :func:`mutual_information`
      with the label, estimated on the training part only;
    * ``"PCA k"`` — the projection onto the training part's top ``n_components``
      principal components (:func:`pca_fit`);
    * ``"L1"`` / ``"L2"`` — the logistic model penalised with λ = ``l1`` / ``l2`` on all
      features (the 1-NN entry is nan: a nearest-neighbour classifier has no weights).

    Returns {method: {"1-NN": accuracies (len(seeds),), "logistic": …, and for MI top-k
    "real_selected": how many of the chosen columns are real features}}.
    """
    n_noise = check_int("n_noise", n_noise, low=0)
    k_features = check_int("k_features", k_features, low=1)
    n_components = check_int("n_components", n_components, low=1)
    seeds = tuple(check_int(f"seeds[{i}]", s, low=0) for i, s in enumerate(seeds))
    d = split.n_features
    names = ["no noise (30 real features)", "all features", f"MI top-{k_features}",
             f"PCA {n_components}", f"L1, λ={l1:g}", f"L2, λ={l2:g}"]
    res = {m: {"1-NN": np.full(len(seeds), np.nan), "logistic": np.full(len(seeds), np.nan)}
           for m in names}
    res[names[2]]["real_selected"] = np.zeros(len(seeds))

    def both(method, j, Xtr, ytr, Xva, yva, penalty="l2", lam=0.0, knn=True):
        if knn:
            res[method]["1-NN"][j] = accuracy(nearest_neighbour(Xtr, ytr)(Xva), yva)
        fit = _train(Xtr, ytr, penalty, lam, learning_rate=learning_rate, steps=steps)
        res[method]["logistic"][j] = logistic_accuracy(fit, Xva, yva)

    for j, seed in enumerate(seeds):
        s = add_noise_features(split, n_noise, seed=seed, scale=noise_scale)
        Xtr, Xva, ytr, yva = s.X_train.astype(float), s.X_val.astype(float), s.y_train, s.y_val
        both(names[0], j, Xtr[:, :d], ytr, Xva[:, :d], yva)
        both(names[1], j, Xtr, ytr, Xva, yva)
        chosen = top_k(mutual_information(Xtr, ytr, seed=seed), k_features)
        res[names[2]]["real_selected"][j] = np.sum(chosen < d)
        both(names[2], j, Xtr[:, chosen], ytr, Xva[:, chosen], yva)
        pca = pca_fit(Xtr, min(n_components, Xtr.shape[1]))
        both(names[3], j, pca.transform(Xtr), ytr, pca.transform(Xva), yva)
        both(names[4], j, Xtr, ytr, Xva, yva, penalty="l1", lam=l1, knn=False)
        both(names[5], j, Xtr, ytr, Xva, yva, penalty="l2", lam=l2, knn=False)
    return res
