"""Curse of dimensionality (§7.2): distances vs scipy, volume formulas vs Monte Carlo,
mutual information vs scikit-learn and exact answers, PCA vs numpy's SVD and scikit-learn,
and the experiments' invariants."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import math

import matplotlib.figure
import numpy as np
import pytest
from scipy.spatial.distance import cdist, pdist
from scipy.special import digamma
from sklearn.decomposition import PCA as SkPCA
from sklearn.feature_selection import mutual_info_classif
from sklearn.metrics import mutual_info_score

from surveykit import data
from surveykit import dimensionality as D
from surveykit import dimensionality_plots as DP


@pytest.fixture(scope="module")
def split():
    return data.breast_cancer_split(seed=0, dtype="float64")


# --- distances -------------------------------------------------------------------------

def test_distances_match_scipy():
    rng = np.random.default_rng(0)
    X, q = rng.standard_normal((20, 7)), rng.standard_normal(7)
    assert np.allclose(D.distances_to(X, q), cdist(X, q[None])[:, 0], rtol=1e-12)
    assert np.allclose(D.pairwise_distances(X), pdist(X), rtol=1e-10)


def test_contrast_and_ratio_by_hand():
    dist = np.array([2.0, 3.0, 5.0])
    assert D.relative_contrast(dist) == pytest.approx(1.5)
    assert D.max_min_ratio(dist) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="distances must be finite and > 0"):
        D.relative_contrast([0.0, 1.0])
    with pytest.raises(ValueError, match="at least 2"):
        D.max_min_ratio([1.0])
    with pytest.raises(ValueError, match="query must have 3 coordinates"):
        D.distances_to(np.zeros((4, 3)), np.zeros(2))


@pytest.mark.parametrize("distribution", D.DISTRIBUTIONS)
@pytest.mark.parametrize("d", [1, 7, 60])
def test_squared_distance_moments_match_monte_carlo(distribution, d):
    n = 40_000
    x = D.sample_points(n, d, distribution=distribution, seed=1)
    y = D.sample_points(n, d, distribution=distribution, seed=2)
    s = np.sum((x - y) ** 2, axis=1)
    mean, std = D.squared_distance_moments(d, distribution)
    assert abs(s.mean() - mean) < 5 * std / math.sqrt(n)
    # the std of a sample std is about std·√((κ − 1)/(4n)); κ ≤ 15 here, so 5 × that bound
    assert abs(s.std() - std) < 5 * std * math.sqrt(14 / (4 * n))


def test_concentration_shrinks_with_dimension():
    c = D.distance_concentration([2, 10, 100, 1000], n_points=200, seeds=(0, 1, 2))
    assert c.contrast.shape == (4, 3)
    assert np.all(np.diff(c.mean_contrast) < 0)
    assert np.allclose(c.ratio, 1 + c.contrast)
    assert -0.6 < c.slope("cv", min_dim=10) < -0.4  # std/mean of distances ∝ 1/√d
    again = D.distance_concentration([2, 10, 100, 1000], n_points=200, seeds=(0, 1, 2))
    assert np.array_equal(c.contrast, again.contrast)
    assert "(max−min)/min" in c.table()
    with pytest.raises(ValueError, match="distribution must be one of"):
        D.distance_concentration([2], distribution="cauchy")
    with pytest.raises(ValueError, match=r"dims\[1\] must be an integer in \[1, inf\)"):
        D.distance_concentration([2, 0])


def test_distance_samples_are_pairwise_distances():
    cache = D.distance_samples([3, 30], n_points=40, seed=5)
    assert set(cache) == {3, 30}
    assert cache[3].shape == (40 * 39 // 2,)
    assert np.allclose(cache[30], pdist(D.sample_points(40, 30, seed=5)))


# --- volume ------------------------------------------------------------------------------

def test_ball_volume_known_values():
    assert D.ball_volume(1, 2.0) == pytest.approx(4.0)
    assert D.ball_volume(2, 1.5) == pytest.approx(math.pi * 1.5**2)
    assert D.ball_volume(3) == pytest.approx(4 / 3 * math.pi)
    assert D.inscribed_ball_fraction(2) == pytest.approx(math.pi / 4)
    assert D.inscribed_ball_fraction(3) == pytest.approx(math.pi / 6)
    assert D.ball_volume(4, 0.0) == 0.0


@pytest.mark.parametrize("d", [2, 5, 8])
def test_volume_fractions_match_monte_carlo(d):
    n = 200_000
    x = D.sample_points(n, d, seed=d)
    in_ball = np.mean(np.sum((x - 0.5) ** 2, axis=1) <= 0.25)
    p = D.inscribed_ball_fraction(d)
    assert abs(in_ball - p) < 5 * math.sqrt(p * (1 - p) / n)
    near_edge = np.mean(np.any((x < 0.05) | (x > 0.95), axis=1))
    q = D.shell_fraction(d, 0.05)
    assert abs(near_edge - q) < 5 * math.sqrt(q * (1 - q) / n)
    edge = D.edge_for_fraction(d, 0.1)
    inside = np.mean(np.all(x < edge, axis=1))
    assert abs(inside - 0.1) < 5 * math.sqrt(0.09 / n)


def test_edge_and_shell_known_values():
    assert D.edge_for_fraction(10, 0.1) == pytest.approx(0.1**0.1)
    assert D.edge_for_fraction(1, 0.3) == pytest.approx(0.3)
    assert D.shell_fraction(1, 0.05) == pytest.approx(0.1)
    assert D.shell_fraction(3, 0.5) == 1.0
    with pytest.raises(ValueError, match=r"thickness must be in \[0, 0.5\]"):
        D.shell_fraction(3, 0.6)


def test_median_nn_distance_matches_monte_carlo():
    d, n, trials = 4, 30, 4000
    rng = np.random.default_rng(0)
    direction = rng.standard_normal((trials, n, d))
    direction /= np.linalg.norm(direction, axis=2, keepdims=True)
    radius = rng.uniform(size=(trials, n, 1)) ** (1 / d)  # uniform in the unit ball
    nearest = np.min(np.linalg.norm(direction * radius, axis=2), axis=1)
    m = D.median_nn_distance(d, n)
    assert abs(np.mean(nearest <= m) - 0.5) < 5 * math.sqrt(0.25 / trials)
    assert D.median_nn_distance(1, 1) == pytest.approx(0.5)


@pytest.mark.parametrize("d,r", [(1, 0.5), (3, 0.5), (10, 0.5), (5, 0.2)])
def test_samples_for_nn_distance_is_the_smallest_n(d, r):
    n = D.samples_for_nn_distance(d, r)
    assert D.median_nn_distance(d, n) <= r
    assert n == 1 or D.median_nn_distance(d, n - 1) > r
    assert n == pytest.approx(math.log(2) / r**d, rel=0.5)  # ≈ ln 2 / r^d for small r^d


def test_volume_table_shapes():
    t = D.volume_table([1, 2, 10])
    assert t["dims"].tolist() == [1, 2, 10]
    assert t["ball"][0] == pytest.approx(1.0)
    assert np.all(np.diff(t["samples"]) > 0)


# --- mutual information ------------------------------------------------------------------

def test_digamma_int_matches_scipy():
    n = np.array([1, 2, 3, 7, 50, 1234])
    assert np.allclose(D.digamma_int(n), digamma(n), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="positive integers"):
        D.digamma_int([0])


def test_entropy_and_plugin_mi_known_answers():
    assert D.entropy([0, 1, 2, 3] * 5) == pytest.approx(math.log(4))
    assert D.entropy([1, 1, 1]) == 0.0
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 4, 500), rng.integers(0, 3, 500)
    assert D.plugin_mutual_information(a, b) == pytest.approx(mutual_info_score(a, b), abs=1e-12)
    y = rng.integers(0, 3, 300)
    assert D.plugin_mutual_information(y, y) == pytest.approx(D.entropy(y), abs=1e-12)
    sk = mutual_info_classif(y[:, None], y, discrete_features=True)[0]
    assert sk == pytest.approx(D.entropy(y), abs=1e-12)


def _mixture(n, seed, means=(0.0, 1.5)):
    x, y = D.gaussian_mixture_sample(n, means, seed=seed)
    assert set(np.unique(y)) == set(range(len(means)))
    return x, y


def test_knn_mi_equals_scikit_learn_on_tie_free_data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    y[0] = 7  # a label seen once is dropped by both
    X = np.column_stack([rng.standard_normal(400) + y, rng.standard_normal(400),
                         rng.exponential(size=400) * (1 + y)])
    for k in (1, 3, 5):
        ours = D.mutual_information(X, y, n_neighbors=k, clip=False)
        theirs = mutual_info_classif(X, y, n_neighbors=k, random_state=0)
        assert np.allclose(np.maximum(ours, 0), theirs, atol=1e-9)


def test_knn_mi_is_close_to_scikit_learn_with_ties(split):
    ours = D.mutual_information(split.X_train, split.y_train)
    theirs = mutual_info_classif(split.X_train, split.y_train, random_state=0)
    assert np.abs(ours - theirs).max() < 0.03  # ties broken by different random jitter
    assert set(np.argsort(-ours)[:5]) == set(np.argsort(-theirs)[:5])


def test_gaussian_mixture_mi_limits_and_monte_carlo():
    assert D.gaussian_mixture_mi([0.0, 0.0]) == pytest.approx(0.0, abs=1e-9)
    assert D.gaussian_mixture_mi([0.0, 30.0]) == pytest.approx(math.log(2), abs=1e-9)
    assert D.gaussian_mixture_mi([0, 40, 80], priors=[0.5, 0.25, 0.25]) == pytest.approx(
        D.entropy([0, 0, 1, 2]), abs=1e-9)
    x, y = _mixture(400_000, 1)
    def normal(v, m):
        return np.exp(-0.5 * (v - m) ** 2)
    mc = np.mean(np.log(normal(x, 1.5 * y) / (0.5 * normal(x, 0) + 0.5 * normal(x, 1.5))))
    assert mc == pytest.approx(D.gaussian_mixture_mi([0.0, 1.5]), abs=0.005)


def test_estimators_recover_the_exact_mi():
    exact = D.gaussian_mixture_mi([0.0, 1.5])
    knn = [D.knn_mutual_information(*_mixture(1000, s)) for s in range(8)]
    assert abs(np.mean(knn) - exact) < 4 * np.std(knn) / math.sqrt(8) + 0.005
    x, y = _mixture(20_000, 9)
    assert D.binned_mutual_information(x, y, bins=20) == pytest.approx(exact, abs=0.02)
    x, y = _mixture(2000, 3, means=(0.0, 0.0))
    assert D.knn_mutual_information(x, y) < 0.02


def test_feature_equal_to_label_has_mi_equal_to_entropy():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 500)
    assert D.binned_mutual_information(y.astype(float), y, bins=2) == pytest.approx(D.entropy(y))


def test_top_k():
    assert D.top_k([0.1, 0.5, 0.3, 0.5], 3).tolist() == [1, 3, 2]
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 4\]"):
        D.top_k([1, 2, 3, 4], 5)


# --- PCA -----------------------------------------------------------------------------------

def test_pca_matches_svd_and_scikit_learn(split):
    X = split.X_train
    ours, ref = D.pca_fit(X), D.svd_pca(X)
    sk = SkPCA().fit(X)
    assert D.same_up_to_sign(ours.components.T, ref.components.T)
    assert D.same_up_to_sign(ours.components.T, sk.components_.T)
    assert np.allclose(ours.explained_variance, sk.explained_variance_, rtol=1e-9)
    assert np.allclose(ours.explained_variance_ratio, sk.explained_variance_ratio_, rtol=1e-9)
    assert np.allclose(ours.explained_variance, ref.explained_variance, rtol=1e-9)
    assert D.same_up_to_sign(D.pca_project(X, 5), SkPCA(5).fit_transform(X), atol=1e-8)


def test_pca_properties():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 6)) @ rng.standard_normal((6, 6)) + 3.0
    pca = D.pca_fit(X)
    V = pca.components
    assert np.allclose(V @ V.T, np.eye(6), atol=1e-12)
    Z = pca.transform(X)
    assert np.allclose(Z.var(axis=0, ddof=1), pca.explained_variance)
    assert np.allclose(pca.inverse_transform(Z), X)  # all components: exact
    assert np.all(np.diff(pca.explained_variance) <= 0)
    assert pca.explained_variance_ratio.sum() == pytest.approx(1.0)
    assert D.components_for_variance(pca, 1.0) <= 6
    assert D.components_for_variance(pca, 1e-9) == 1
    two = D.pca_fit(X, 2)
    assert two.components.shape == (2, 6) and two.n_components == 2
    with pytest.raises(ValueError, match=r"n_components must be an integer in \[1, 6\]"):
        D.pca_fit(X, 7)


def test_same_up_to_sign():
    A = np.arange(6.0).reshape(3, 2)
    assert D.same_up_to_sign(A, A * [1, -1])
    assert not D.same_up_to_sign(A, A[:, ::-1])
    assert not D.same_up_to_sign(A, A[:2])


# --- experiments ----------------------------------------------------------------------------

def test_add_noise_features(split):
    s = D.add_noise_features(split, 7, seed=3)
    assert s.X_train.shape == (split.X_train.shape[0], 37)
    assert np.array_equal(s.X_val[:, :30], split.X_val)
    assert s.feature_names[-1] == "noise_6" and s.n_features == 37
    assert np.array_equal(D.add_noise_features(split, 7, seed=3).X_test, s.X_test)
    assert D.add_noise_features(split, 0).n_features == 30


def test_stratified_subset_keeps_class_shares(split):
    idx = D.stratified_subset(split.y_train, 100, seed=1)
    assert len(set(idx.tolist())) == 100
    share = split.y_train.mean()
    assert abs(split.y_train[idx].mean() - share) <= 0.5 / 100 + 1e-12


def test_noise_sweep_l1_removes_noise_weights(split):
    sweep = D.noise_sweep(split, [0, 60], seeds=(0,), steps=150)
    assert sweep.knn_val.shape == (2, 1)
    share = {n: v[1, 0] for n, v in sweep.noise_share.items()}
    assert share["L1, λ=0.03"] < 0.05 < share["no penalty"]
    assert sweep.noise_zero["L1, λ=0.03"][1, 0] > 0.9
    assert sweep.noise_zero["no penalty"][1, 0] == 0.0
    assert sweep.train["no penalty"][1, 0] == 1.0  # 90 features, 341 examples: separable
    assert "1-NN val" in sweep.table()


def test_knn_accuracy_vs_size_shape(split):
    acc = D.knn_accuracy_vs_size(split, [20, 341], [0, 100], seeds=(0, 1))
    assert acc.shape == (2, 2, 2)
    assert np.all((acc >= 0) & (acc <= 1))
    assert acc[0, 1, 0] == acc[0, 1, 1]  # all the data and no noise: nothing random


def test_sum_task_and_first_crossing():
    X, y = D.sum_task(1000, 5, seed=0)
    assert np.array_equal(y, (X.sum(axis=1) > 2.5).astype(int))
    assert abs(y.mean() - 0.5) < 0.06
    assert D.first_crossing([10, 100], [0.8, 1.0], 0.9) == pytest.approx(math.sqrt(1000))
    assert D.first_crossing([10, 100], [0.95, 1.0], 0.9) == 10
    assert math.isnan(D.first_crossing([10, 100], [0.5, 0.6], 0.9))


def test_samples_needed_grows_with_dimension():
    res = D.samples_needed([1, 3], [4, 16, 64, 256], seeds=(0,), n_test=200, steps=100,
                           target=0.85)
    assert res.accuracy["1-NN"].shape == (2, 4)
    assert res.needed["1-NN"][1] > res.needed["1-NN"][0]
    assert res.growth_per_dimension() > 1


def test_mitigations_mi_selects_real_features(split):
    res = D.mitigations(split, 40, seeds=(0,), steps=100)
    assert res["MI top-10"]["real_selected"][0] >= 9
    assert np.isnan(res["L1, λ=0.03"]["1-NN"][0])
    assert all(0 <= v["logistic"][0] <= 1 for v in res.values())


# --- plots ------------------------------------------------------------------------------------

def test_plots_return_figures(split):
    conc = D.distance_concentration([1, 10, 100], n_points=50, seeds=(0,))
    cache = D.distance_samples([1, 10, 100], n_points=30)
    figs = [DP.concentration_plot({"uniform": conc}, {"uniform": cache}),
            DP.distance_view(cache, 10, conc),
            DP.volume_plot(D.volume_table([1, 5, 20])),
            DP.mi_ranking(np.array([0.3, 0.0, 0.1]), ["a", "b", "c"], n_real=2, k=2),
            DP.explained_variance_plot({"x": D.pca_fit(split.X_train)})]
    sweep = D.noise_sweep(split, [0, 10], seeds=(0,), steps=20)
    figs.append(DP.noise_sweep_plot(sweep))
    figs.append(DP.size_curves([20, 40], np.ones((2, 2, 1)), [0, 10]))
    figs.append(DP.samples_needed_plot(D.samples_needed([1, 2], [4, 64], seeds=(0,),
                                                        n_test=50, steps=20, target=0.6)))
    figs.append(DP.mitigation_plot({"x": D.mitigations(split, 5, seeds=(0,), steps=20)}))
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs)
    with pytest.raises(ValueError, match="d must be one of the cached dimensions"):
        DP.distance_view(cache, 3)
