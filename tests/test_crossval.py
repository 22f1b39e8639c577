"""surveykit.crossval (survey §7.3): k-fold splits against scikit-learn, the ridge classifier
against RidgeClassifier, the expected maximum against closed forms and Monte Carlo, the
batched search against a direct recomputation, and the figures."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from scipy import stats
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.model_selection import cross_val_score as sklearn_cross_val_score

from surveykit import crossval, crossval_plots, data


def _same_folds(ours, theirs) -> bool:
    theirs = list(theirs)
    return len(ours) == len(theirs) and all(
        np.array_equal(a, c) and np.array_equal(b, d)
        for (a, b), (c, d) in zip(ours, theirs, strict=True))


# --------------------------------------------------------------------------- k-fold


@pytest.mark.parametrize("n", [2, 3, 7, 10, 11, 23, 100, 569])
def test_unshuffled_kfold_is_sklearns(n):
    for k in sorted({2, 3, 5, 7, 10, n} & set(range(2, n + 1))):
        assert _same_folds(crossval.kfold_indices(n, k), KFold(k).split(np.zeros(n))), (n, k)


@pytest.mark.parametrize("labels,k", [
    ("breast_cancer", 3), ("breast_cancer", 5), ("breast_cancer", 10),
    ("three_classes", 4), ("three_classes_short", 3), ("strings", 2), ("sorted", 5),
])
def test_unshuffled_stratified_kfold_is_sklearns(labels, k):
    rng = np.random.default_rng(0)
    y = {
        "breast_cancer": data.load_breast_cancer()[1],
        "three_classes": rng.choice([2, 0, 1], size=50, p=[0.5, 0.3, 0.2]),
        "three_classes_short": np.array([2, 2, 1, 0, 2, 1, 0, 0, 2, 2, 1, 2, 0, 1, 2, 2, 0]),
        "strings": np.array(list("bbabaabbbbababbb")),
        "sorted": np.repeat([0, 1], [13, 29]),
    }[labels]
    ours = crossval.stratified_kfold_indices(y, k)
    assert _same_folds(ours, StratifiedKFold(k).split(np.zeros(len(y)), y))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 120), k=st.integers(2, 12), seed=st.integers(0, 2**32 - 1),
       shuffle=st.booleans())
def test_kfold_partitions_the_data_exactly(n, k, seed, shuffle):
    k = min(k, n)
    folds = crossval.kfold_indices(n, k, shuffle=shuffle, seed=seed)
    report = crossval.describe_folds(folds)
    assert report["k"] == k and sum(report["sizes"]) == n
    assert report["every_sample_once"] and report["train_is_complement"]
    assert report["max_size_difference"] <= 1
    counts = np.bincount(np.concatenate([v for _, v in folds]), minlength=n)
    assert (counts == 1).all()  # each sample in exactly one validation fold
    for train, val in folds:
        assert np.intersect1d(train, val).size == 0
        assert train.dtype == val.dtype == np.int64


@settings(max_examples=60, deadline=None)
@given(y=st.lists(st.integers(0, 3), min_size=4, max_size=90), k=st.integers(2, 8),
       seed=st.integers(0, 1000), shuffle=st.booleans())
def test_stratified_folds_partition_and_balance(y, k, seed, shuffle):
    y = np.array(y)
    k = min(k, int(np.bincount(y).max()))
    if k < 2:
        return
    folds = crossval.stratified_kfold_indices(y, k, shuffle=shuffle, seed=seed)
    report = crossval.describe_folds(folds, y)
    assert report["every_sample_once"] and report["train_is_complement"]
    assert report["max_size_difference"] <= 1
    assert report["max_class_difference"] <= 1


def test_shuffling_is_seeded_and_actually_shuffles():
    a = crossval.kfold_indices(50, 5, shuffle=True, seed=3)
    b = crossval.kfold_indices(50, 5, shuffle=True, seed=3)
    c = crossval.kfold_indices(50, 5, shuffle=True, seed=4)
    assert _same_folds(a, b) and not _same_folds(a, c)
    assert not _same_folds(a, crossval.kfold_indices(50, 5))
    y = data.load_breast_cancer()[1]
    s1 = crossval.stratified_kfold_indices(y, 5, shuffle=True, seed=1)
    assert _same_folds(s1, crossval.stratified_kfold_indices(y, 5, shuffle=True, seed=1))
    assert not _same_folds(s1, crossval.stratified_kfold_indices(y, 5))
    # each fold keeps the class proportions (212 malignant / 357 benign)
    for _, val in s1:
        assert abs(np.mean(y[val]) - np.mean(y)) < 0.01


def test_describe_folds_detects_broken_splits():
    overlapping = [(np.array([2, 3]), np.array([0, 1])), (np.array([0, 3]), np.array([1, 2]))]
    report = crossval.describe_folds(overlapping)
    assert not report["every_sample_once"]
    leaky = [(np.array([0, 1, 2]), np.array([0, 1])), (np.array([0, 1]), np.array([2, 3]))]
    report = crossval.describe_folds(leaky)
    assert report["every_sample_once"] and not report["train_is_complement"]
    uneven = [(np.arange(1, 6), np.array([0])), (np.array([0]), np.arange(1, 6))]
    assert crossval.describe_folds(uneven)["max_size_difference"] == 4


def test_kfold_arguments_are_validated():
    with pytest.raises(ValueError, match=r"k must be an integer in \[2, 5\]; got 6"):
        crossval.kfold_indices(5, 6)
    with pytest.raises(ValueError, match="k must be an integer"):
        crossval.kfold_indices(5, 1)
    with pytest.raises(ValueError, match="shuffle must be True or False"):
        crossval.kfold_indices(5, 2, shuffle="yes")
    with pytest.raises(ValueError, match="n must be an integer"):
        crossval.kfold_indices(1, 2)
    with pytest.raises(ValueError, match="largest class"):
        crossval.stratified_kfold_indices([0, 0, 1, 1, 2], 3)
    with pytest.raises(ValueError, match="1-D array"):
        crossval.stratified_kfold_indices(np.zeros((4, 2)), 2)


# --------------------------------------------------------------------------- the model


@pytest.fixture(scope="module")
def split():
    return data.breast_cancer_split(seed=0, dtype="float64")


@pytest.mark.parametrize("alpha,features", [(1.0, None), (1e-3, [0, 3, 7, 20]),
                                            (300.0, range(10)), (10.0, [29])])
def test_ridge_classifier_is_sklearns(split, alpha, features):
    X, y = split.X_train, split.y_train
    w, b = crossval.ridge_classifier_fit(X, y, alpha, features)
    cols = np.arange(30) if features is None else np.array(list(features))
    ref = RidgeClassifier(alpha=alpha).fit(X[:, cols], y)
    np.testing.assert_allclose(w[cols], np.ravel(ref.coef_), rtol=1e-7, atol=1e-10)
    assert abs(b - np.ravel(ref.intercept_)[0]) < 1e-10
    assert np.all(np.delete(w, cols) == 0)
    pred = crossval.ridge_classifier_predict(split.X_test, w, b)
    assert np.array_equal(pred, ref.predict(split.X_test[:, cols]))


def test_ridge_arguments_are_validated(split):
    X, y = split.X_train, split.y_train
    with pytest.raises(ValueError, match=r"alpha must be in \(0, inf\); got 0"):
        crossval.ridge_classifier_fit(X, y, 0)
    with pytest.raises(ValueError, match="features must be"):
        crossval.ridge_classifier_fit(X, y, 1.0, [30])
    with pytest.raises(ValueError, match=r"y must hold one label in \{0, 1\}"):
        crossval.ridge_classifier_fit(X, 2 * y, 1.0)


def test_cross_val_score_is_sklearns(split):
    X, y = split.X_train, split.y_train

    def fit_predict(X_train, y_train, X_val):
        return crossval.ridge_classifier_predict(
            X_val, *crossval.ridge_classifier_fit(X_train, y_train, 3.0))

    for stratify, seed in [(True, 0), (True, 5), (False, 2)]:
        ours = crossval.cross_val_score(fit_predict, X, y, k=5, seed=seed, stratify=stratify)
        folds = (crossval.stratified_kfold_indices(y, 5, shuffle=True, seed=seed) if stratify
                 else crossval.kfold_indices(len(y), 5, shuffle=True, seed=seed))
        theirs = sklearn_cross_val_score(RidgeClassifier(alpha=3.0), X, y, cv=folds)
        assert np.array_equal(ours, theirs)
    # unshuffled and stratified: scikit-learn's default cv=5 for a classifier
    ours = crossval.cross_val_score(fit_predict, X, y, k=5, shuffle=False)
    assert np.array_equal(ours, sklearn_cross_val_score(RidgeClassifier(alpha=3.0), X, y, cv=5))
    with pytest.raises(ValueError, match="same number of rows"):
        crossval.cross_val_score(fit_predict, X, y[:-1])


def test_accuracy():
    assert crossval.accuracy([0, 1, 1, 0], [0, 1, 0, 0]) == 0.75
    with pytest.raises(ValueError, match="equal length"):
        crossval.accuracy([0, 1], [0])


# --------------------------------------------------------------------------- statistics


def test_expected_max_normal_closed_forms():
    assert abs(crossval.expected_max_normal(1)) < 1e-12
    assert abs(crossval.expected_max_normal(2) - 1 / math.sqrt(math.pi)) < 1e-10
    assert abs(crossval.expected_max_normal(3) - 1.5 / math.sqrt(math.pi)) < 1e-10
    # tabulated: E[max of 5] = 1.16296, of 10 = 1.53875
    assert abs(crossval.expected_max_normal(5) - 1.162964) < 1e-6
    assert abs(crossval.expected_max_normal(10) - 1.538753) < 1e-6
    values = [crossval.expected_max_normal(t) for t in (10, 100, 1000)]
    assert values[0] < values[1] < values[2]
    for t in (2, 5, 10, 100, 1000):  # the classical bound E[max] ≤ √(2 ln t)
        assert crossval.expected_max_normal(t) <= math.sqrt(2 * math.log(t))


def test_expected_selection_closed_forms():
    sigma = crossval.accuracy_sigma(0.95, 57)
    for t in (1, 4, 30):
        e_val, e_true = crossval.expected_selection(np.full(t, 0.95), sigma)
        assert abs(e_true - 0.95) < 1e-10
        assert abs((e_val - e_true) - sigma * crossval.expected_max_normal(t)) < 1e-10
    # Clark (1961): for two Gaussians E[max] = μ1 Φ(δ/θ) + μ2 Φ(−δ/θ) + θ φ(δ/θ)
    p, s = np.array([0.95, 0.93]), np.array([0.03, 0.02])
    theta, delta = np.hypot(*s), p[0] - p[1]
    e_val, e_true = crossval.expected_selection(p, s)
    chosen = p[0] * stats.norm.cdf(delta / theta) + p[1] * stats.norm.cdf(-delta / theta)
    assert abs(e_true - chosen) < 1e-10
    assert abs(e_val - chosen - theta * stats.norm.pdf(delta / theta)) < 1e-10
    with pytest.raises(ValueError, match="sigma must be > 0"):
        crossval.expected_selection([0.9, 0.8], 0.0)


def test_monte_carlo_matches_the_integral():
    pool = crossval.candidate_accuracies(100, 0.95, 0.02, seed=1)
    sigma = crossval.accuracy_sigma(pool, 57)
    for t in (2, 10, 100):
        e_val, e_true = crossval.expected_selection(pool[:t], sigma[:t])
        sim = crossval.simulate_selection(pool[:t], 57, n_seeds=20000, seed=t)
        assert abs(sim.mean_gap - (e_val - e_true)) < 4 * sim.se_gap
        assert abs(sim.true_selected.mean() - e_true) < 4 * sim.true_selected.std() / math.sqrt(
            20000) + 1e-12
    curve = crossval.statistical_gap_curve(pool, 57, [1, 5, 50], n_seeds=4000)
    assert np.all(np.abs(curve["mc"] - curve["exact"]) < 4 * curve["mc_se"])
    assert np.all(np.diff(curve["exact"]) > 0)


def test_binomial_expected_maximum_exact_and_simulated():
    # brute force: all outcomes of t = 3 binomials with n = 4
    n, p, t = 4, 0.7, 3
    pmf = stats.binom.pmf(np.arange(n + 1), n, p)
    grid = np.array(np.meshgrid(*[np.arange(n + 1)] * t, indexing="ij")).reshape(t, -1)
    prob = np.prod(pmf[grid], axis=0)
    brute = float(np.sum(prob * grid.max(axis=0)) / n)
    assert abs(crossval.expected_max_binomial_proportion(p, n, t) - brute) < 1e-12
    exact = crossval.expected_max_binomial_proportion(0.95, 57, 20)
    sim = crossval.simulate_selection(np.full(20, 0.95), 57, n_seeds=20000, seed=0,
                                      noise="binomial")
    assert abs(sim.mean_gap - (exact - 0.95)) < 4 * sim.se_gap
    ts = [1, 2, 7, 100]
    assert np.allclose(crossval.expected_max_binomial_proportion(0.9, 30, ts),
                       [crossval.expected_max_binomial_proportion(0.9, 30, t) for t in ts])
    assert abs(crossval.expected_max_binomial_proportion(0.9, 30, 1) - 0.9) < 1e-12
    # an accuracy cannot exceed 1: the binomial optimism stays below 1 − p
    assert crossval.expected_max_binomial_proportion(0.95, 57, 10_000) - 0.95 <= 0.05 + 1e-12


def test_candidate_accuracies_and_sigma():
    pool = crossval.candidate_accuracies(500, center=0.9, spread=0.04, seed=2)
    assert pool.min() >= 0.88 and pool.max() <= 0.92
    assert np.array_equal(pool, crossval.candidate_accuracies(500, 0.9, 0.04, seed=2))
    assert crossval.accuracy_sigma(0.5, 100) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="p must be in"):
        crossval.accuracy_sigma(1.5, 10)
    with pytest.raises(ValueError, match="noise must be one of"):
        crossval.simulate_selection([0.9], 10, noise="uniform")


# --------------------------------------------------------------------------- selection


def _best_so_far_loop(row):
    best, out = 0, []
    for j, v in enumerate(row):
        if v > row[best]:
            best = j
        out.append(best)
    return out


def test_best_so_far_keeps_the_first_maximum():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, (30, 25)) / 4  # many ties
    idx = crossval.best_so_far(scores)
    assert idx.shape == scores.shape
    for row, got in zip(scores, idx, strict=True):
        assert got.tolist() == _best_so_far_loop(row)
    assert crossval.best_so_far([0.5, 0.7, 0.7, 0.9, 0.1]).tolist() == [0, 1, 1, 3, 3]


def test_optimistic_gap_matches_the_curves():
    trials = crossval.tuning_trials(3, 12, val_fraction=0.1, seed=4)
    curves = crossval.selection_curves(trials)
    for t in (1, 5, 12):
        gap = crossval.optimistic_gap(trials.val[:, :t], trials.test[:, :t])
        assert gap == pytest.approx(curves["gap"][t - 1], abs=1e-12)
    assert curves["gap"][0] == pytest.approx(np.mean(trials.val[:, 0] - trials.test[:, 0]))
    assert np.all(np.diff(curves["val_sel"]) >= 0) and np.all(np.diff(curves["cv_sel"]) >= 0)
    assert np.allclose(curves["gap_difference"], curves["gap"] - curves["cv_gap"])
    val = np.array([[0.9, 0.95, 0.95], [0.8, 0.7, 0.85]])
    test = np.array([[0.9, 0.91, 0.99], [0.8, 0.7, 0.80]])
    assert crossval.optimistic_gap(val, test) == pytest.approx((0.04 + 0.05) / 2)
    with pytest.raises(ValueError, match="same shape"):
        crossval.optimistic_gap(val, test[:, :2])


def test_adequate_stop():
    scores = np.array([[0.5, 0.6, 0.6, 0.6, 0.7, 0.7],
                       [0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
                       [0.9, 0.1, 0.2, 0.3, 0.4, 0.5]])
    assert crossval.adequate_stop(scores, patience=2).tolist() == [4, 6, 3]
    assert crossval.adequate_stop(scores, patience=10).tolist() == [6, 6, 6]
    # min_delta: an improvement by exactly min_delta does not count
    steps = np.arange(6.0)[None]
    assert crossval.adequate_stop(steps, patience=1).tolist() == [6]
    assert crossval.adequate_stop(steps, patience=1, min_delta=1.0).tolist() == [2]
    assert crossval.adequate_stop(steps, patience=2, min_delta=1.5).tolist() == [6]
    with pytest.raises(ValueError, match="patience must be an integer"):
        crossval.adequate_stop(scores, patience=0)


# --------------------------------------------------------------------------- the search


def test_sample_configs():
    configs = crossval.sample_configs(400, seed=3)
    alphas = np.array([c["alpha"] for c in configs])
    sizes = np.array([c["features"].size for c in configs])
    assert alphas.min() >= 1e-3 and alphas.max() <= 1e3
    assert 0.4 < np.mean(alphas < 1.0) < 0.6  # log-uniform: half below the geometric middle
    assert sizes.min() >= 3 and sizes.max() <= 30 and len(set(sizes.tolist())) > 20
    for c in configs:
        f = c["features"]
        assert np.array_equal(f, np.unique(f)) and f.min() >= 0 and f.max() < 30
    again = crossval.sample_configs(400, seed=3)
    assert all(a["alpha"] == b["alpha"] and np.array_equal(a["features"], b["features"])
               for a, b in zip(configs, again, strict=True))
    with pytest.raises(ValueError, match="space must have the keys"):
        crossval.sample_configs(3, space={"alpha": ("log", 1e-3, 1.0)})


def test_tuning_trials_equal_a_direct_recomputation():
    trials = crossval.tuning_trials(2, 6, val_fraction=0.1, test_fraction=0.3, k=5, seed=7)
    assert trials.val.shape == (2, 6) and (trials.n_train, trials.n_val, trials.n_test) == (
        341, 57, 171)
    for r in range(2):
        s = data.breast_cancer_split(7 + r, fractions=(0.6, 0.1, 0.3), dtype="float64")
        X_pool = np.vstack([s.X_train, s.X_val])
        y_pool = np.concatenate([s.y_train, s.y_val])
        for j, cfg in enumerate(trials.configs[r]):
            w, b = crossval.ridge_classifier_fit(s.X_train, s.y_train, cfg["alpha"],
                                                 cfg["features"])
            for part, X, y in [("train", s.X_train, s.y_train), ("val", s.X_val, s.y_val),
                               ("test", s.X_test, s.y_test)]:
                expected = crossval.accuracy(y, crossval.ridge_classifier_predict(X, w, b))
                assert getattr(trials, part)[r, j] == expected

            def fit_predict(X_train, y_train, X_val, cfg=cfg):
                return crossval.ridge_classifier_predict(X_val, *crossval.ridge_classifier_fit(
                    X_train, y_train, cfg["alpha"], cfg["features"]))

            cv = crossval.cross_val_score(fit_predict, X_pool, y_pool, 5, 7 + r)
            assert trials.cv[r, j] == pytest.approx(cv.mean(), abs=1e-15)
            refit = fit_predict(X_pool, y_pool, s.X_test)
            assert trials.cv_test[r, j] == crossval.accuracy(s.y_test, refit)
    again = crossval.tuning_trials(2, 6, val_fraction=0.1, seed=7)
    assert np.array_equal(again.cv, trials.cv) and np.array_equal(again.test, trials.test)


def test_selection_on_the_real_search_is_optimistic():
    """A small version of the notebook's experiment: the measured effect is there."""
    trials = crossval.tuning_trials(25, 50, val_fraction=0.05, seed=0)
    curves = crossval.selection_curves(trials)
    assert curves["gap"][-1] > 3 * curves["gap_se"][-1] and curves["gap"][-1] > 0.01
    assert curves["val_sel"][-1] > curves["test_sel"][-1]
    assert curves["gap_difference"][-1] > 0
    summary = crossval.adequate_search_summary(trials, patience=5)
    assert 5 <= summary["trials_run"] <= 50
    assert summary["gap"] == pytest.approx(summary["val_sel"] - summary["test_sel"])


def test_early_stopping_selection():
    result = crossval.early_stopping_selection(3, steps=40, learning_rate=0.5, seed=0)
    assert result.val_curves.shape == (3, 41)
    rows = np.arange(3)
    assert np.array_equal(result.best_step, np.argmax(result.val_curves, axis=1))
    assert np.array_equal(result.val_at_best, result.val_curves[rows, result.best_step])
    assert np.array_equal(result.gap_at_end, result.val_curves[:, -1] - result.test_curves[:, -1])
    assert np.all(result.val_at_best >= result.val_at_end)
    # step 0: all weights 0, so the model predicts class 0 for everyone
    s = data.breast_cancer_split(0, fractions=(0.6, 0.1, 0.3))
    assert result.test_curves[0, 0] == pytest.approx(np.mean(s.y_test == 0))


def test_experiment_arguments_are_validated():
    with pytest.raises(ValueError, match="val_fraction must be in"):
        crossval.tuning_trials(1, 2, val_fraction=0.0)
    with pytest.raises(ValueError, match="test_fraction must be in"):
        crossval.tuning_trials(1, 2, val_fraction=0.5, test_fraction=0.6)
    with pytest.raises(ValueError, match="learning_rate must be in"):
        crossval.early_stopping_selection(1, 2, learning_rate=-1.0)


# --------------------------------------------------------------------------- figures


def test_figures_are_drawn_from_results():
    trials = crossval.tuning_trials(3, 8, val_fraction=0.1, seed=0)
    curves = crossval.selection_curves(trials)
    results = {0.1: (trials, curves)}
    y = np.array([0, 1, 1, 0, 1, 1, 1, 0, 1, 1])
    pool = crossval.candidate_accuracies(10)
    stat = {"n = 57": crossval.statistical_gap_curve(pool, 57, [1, 5, 10], n_seeds=200)}
    stopping = crossval.early_stopping_selection(2, steps=15)
    figures = [
        crossval_plots.folds(crossval.kfold_indices(10, 3)),
        crossval_plots.folds(crossval.stratified_kfold_indices(y, 3), y),
        crossval_plots.statistical_gaps(stat, binomial={"b": (np.arange(1, 4), np.ones(3))}),
        crossval_plots.selection(curves, t_mark=4),
        crossval_plots.symptoms(curves, t=8),
        crossval_plots.single_search(trials, 1),
        crossval_plots.gap_vs_validation_size([{"n_val": 57, "gap": 0.02, "gap_se": 0.01,
                                                "cv_gap": 0.01, "cv_gap_se": 0.01}]),
        crossval_plots.early_stopping(stopping, repeat=1),
        crossval_plots.explorer(0.1, 5, results=results),
        crossval_plots.explorer(0.1, 500, results=results),  # clipped to the trials run
    ]
    assert all(isinstance(f, Figure) for f in figures)
    ax = figures[3].axes[1]
    assert len(ax.lines) >= 3  # two gap curves, the zero line, the marker
    assert "gap at t = 5" in figures[8].axes[0].get_title()


def test_the_slider_panel_redraws_from_cached_results():
    from surveykit import widgets

    trials = crossval.tuning_trials(3, 8, val_fraction=0.1, seed=1)
    results = {0.1: (trials, crossval.selection_curves(trials))}

    def explore(val_fraction, n_trials):
        return crossval_plots.explorer(val_fraction, n_trials, results=results)

    panel = widgets.panel(explore, val_fraction=widgets.choice([0.1], 0.1),
                          n_trials=widgets.int_slider(1, 8, 3))
    assert panel.error is None and panel.calls == 1
    assert "gap at t = 3" in panel.figure.axes[0].get_title()
    panel.controls["n_trials"].value = 7
    assert panel.error is None and panel.calls == 2
    assert "gap at t = 7" in panel.figure.axes[0].get_title()
