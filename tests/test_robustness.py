"""surveykit.robustness (survey §8.4): perturbations in each scale, sensitivity, seed
statistics against scipy, the loss grid with diverged runs, and sharpness against the
exact expectation of a quadratic (numpy and Keras paths)."""

import math

import numpy as np
import pytest
from scipy import stats

from surveykit import robustness as rb
from surveykit.tuning.space import Categorical, Integer, LogUniform, Space, Uniform

SPACE = Space([LogUniform("learning_rate", 1e-5, 1.0), Integer("batch_size", 8, 512, log=True),
               Uniform("dropout", 0.0, 0.5), Integer("n_layers", 1, 5),
               Categorical("optimizer", ["adam", "sgd", "rmsprop"])])
BASE = {"learning_rate": 1e-2, "batch_size": 32, "dropout": 0.2, "n_layers": 2,
        "optimizer": "adam"}


# --------------------------------------------------------------------------- perturb

def _values(name, step, params=BASE):
    return [p[name] for p in rb.perturb(SPACE, params, name, step)]


def test_perturb_log_scale_multiplies_by_powers_of_ten():
    down, up = _values("learning_rate", 0.5)
    assert math.isclose(down, 1e-2 / math.sqrt(10)) and math.isclose(up, 1e-2 * math.sqrt(10))
    assert _values("learning_rate", 1.0) == pytest.approx([1e-3, 1e-1])
    # clipped at the bound: 1.0 · 10 is outside [1e-5, 1], and 1.0 itself is dropped
    assert _values("learning_rate", 1.0, {**BASE, "learning_rate": 1.0}) == [0.1]


def test_perturb_linear_scale_is_a_fraction_of_the_range():
    assert _values("dropout", 0.2) == pytest.approx([0.1, 0.3])
    assert _values("dropout", 0.2, {**BASE, "dropout": 0.0}) == pytest.approx([0.1])
    assert _values("dropout", 0.2, {**BASE, "dropout": 0.45}) == pytest.approx([0.35, 0.5])


def test_perturb_integers_in_their_scale_and_at_least_one_away():
    assert _values("batch_size", math.log10(2)) == [16, 64]
    assert _values("batch_size", 0.001) == [31, 33]  # a tiny step still moves one integer
    assert _values("n_layers", 0.25) == [1, 3]  # 2 ± 0.25·(5 − 1)
    assert _values("n_layers", 0.01, {**BASE, "n_layers": 5}) == [4]
    assert all(isinstance(v, int) for v in _values("batch_size", 0.3))


def test_perturb_categorical_gives_every_other_choice():
    assert _values("optimizer", 0.1) == ["sgd", "rmsprop"]
    assert _values("optimizer", 5.0, {**BASE, "optimizer": "sgd"}) == ["adam", "rmsprop"]


def test_perturb_accepts_a_dimension_and_keeps_the_other_values():
    out = rb.perturb(LogUniform("learning_rate", 1e-5, 1.0), BASE, "learning_rate", 1.0)
    assert [{k: v for k, v in p.items() if k != "learning_rate"} for p in out] == \
        [{k: v for k, v in BASE.items() if k != "learning_rate"}] * 2


@pytest.mark.parametrize("step", [0, -0.1, math.nan, "big"])
def test_perturb_refuses_bad_steps(step):
    with pytest.raises(ValueError, match=r"step \(learning_rate\) must be"):
        rb.perturb(SPACE, BASE, "learning_rate", step)


def test_perturb_refuses_bad_names_and_values():
    with pytest.raises(ValueError, match="one of the space's hyperparameters"):
        rb.perturb(SPACE, BASE, "momentum", 0.1)
    with pytest.raises(ValueError, match="learning_rate must be in"):
        rb.perturb(SPACE, {**BASE, "learning_rate": 5.0}, "learning_rate", 0.1)
    with pytest.raises(ValueError, match="dimension's name"):
        rb.perturb(Uniform("dropout", 0, 0.5), BASE, "learning_rate", 0.1)


# --------------------------------------------------------------------------- sensitivity

def _bowl(p):
    """A known response: 3·(log10 η + 2)² + (dropout − 0.2)²; diverges for η > 0.5."""
    if p["learning_rate"] > 0.5:
        return math.nan
    return 3 * (math.log10(p["learning_rate"]) + 2) ** 2 + (p["dropout"] - 0.2) ** 2


def test_sensitivity_changes_and_ranking():
    space = Space([SPACE["learning_rate"], SPACE["dropout"]])
    params = {"learning_rate": 1e-2, "dropout": 0.2}
    s = rb.sensitivity(_bowl, params, space, step={"learning_rate": 0.5, "dropout": 0.2})
    assert s.base == 0.0
    assert s.change("learning_rate") == pytest.approx(3 * 0.25)
    assert s.change("dropout") == pytest.approx(0.01)
    assert s.ranking() == ["learning_rate", "dropout"]
    text = str(s.table())
    assert "learning_rate" in text.splitlines()[2] and "0.75" in text
    assert "<table>" in s.table()._repr_html_()


def test_sensitivity_reports_a_diverged_neighbour():
    space = Space([SPACE["learning_rate"], SPACE["dropout"]])
    s = rb.sensitivity(_bowl, {"learning_rate": 0.2, "dropout": 0.2}, space, step=0.5)
    assert s.change("learning_rate") == math.inf
    assert s.diverged() == [("learning_rate", pytest.approx(0.2 * 10 ** 0.5))]
    assert "diverged" in str(s.table())
    assert s.ranking()[0] == "learning_rate"


def test_sensitivity_validates_its_arguments():
    space = Space([SPACE["learning_rate"]])
    with pytest.raises(ValueError, match="missing"):
        rb.sensitivity(_bowl, {"learning_rate": 0.01}, space, step={"dropout": 0.1})
    with pytest.raises(ValueError, match="step must be in"):
        rb.sensitivity(_bowl, {"learning_rate": 0.01}, space, step=-1)
    with pytest.raises(ValueError, match="score must return a number"):
        rb.sensitivity(lambda p: "low", {"learning_rate": 0.01}, space)


# --------------------------------------------------------------------------- seeds

def test_seed_spread_equals_numpy_and_scipy():
    rng = np.random.default_rng(3)
    table = dict(enumerate(0.2 + 0.01 * rng.standard_normal(7)))
    s = rb.repeat_seeds(lambda p, seed: table[seed], {"a": 1}, range(7))
    x = np.array(list(table.values()))
    assert s.mean == pytest.approx(x.mean()) and s.std == pytest.approx(x.std(ddof=1))
    assert s.sem == pytest.approx(stats.sem(x))
    assert s.ci == pytest.approx(stats.t.interval(0.95, 6, loc=x.mean(), scale=stats.sem(x)))
    assert (s.min, s.max) == (x.min(), x.max())
    s90 = rb.repeat_seeds(lambda p, seed: table[seed], {}, range(7), level=0.9)
    assert s90.ci == pytest.approx(stats.t.interval(0.9, 6, loc=x.mean(), scale=stats.sem(x)))


def test_seed_spread_counts_diverged_seeds_and_leaves_them_out():
    values = {0: 0.3, 1: math.nan, 2: 0.5, 3: math.inf}
    s = rb.repeat_seeds(lambda p, seed: values[seed], {}, [0, 1, 2, 3])
    assert s.diverged == [1, 3] and s.n == 2 and s.mean == pytest.approx(0.4)
    assert "diverged with seeds [1, 3]" in s.summary()


def test_repeat_seeds_refuses_empty_or_bad_seeds():
    with pytest.raises(ValueError, match="seeds must be a non-empty list"):
        rb.repeat_seeds(lambda p, s: 0.0, {}, [])
    with pytest.raises(ValueError, match="seed must be an integer"):
        rb.repeat_seeds(lambda p, s: 0.0, {}, [-1])
    with pytest.raises(ValueError, match="distinct"):
        rb.repeat_seeds(lambda p, s: 0.0, {}, [1, 1])


def test_seed_difference_is_welchs_t_test():
    a = rb.SeedSpread({}, (0, 1, 2, 3), np.array([0.20, 0.22, 0.19, 0.21]))
    b = rb.SeedSpread({}, (0, 1, 2), np.array([0.25, 0.31, 0.27]))
    d = rb.seed_difference(a, b)
    ref = stats.ttest_ind(b.values, a.values, equal_var=False)
    assert d.p_value == pytest.approx(ref.pvalue)
    ci = ref.confidence_interval(0.95)
    assert d.ci == pytest.approx((ci.low, ci.high))
    assert d.clear
    assert not rb.seed_difference(a, a).clear


# --------------------------------------------------------------------------- grid

def _grid_score(p):
    if p["learning_rate"] >= 1.0:
        return math.nan  # diverged
    return (math.log10(p["learning_rate"]) + 2) ** 2 + 0.1 * (math.log2(p["batch_size"]) - 5) ** 2


def test_grid_values_best_and_diverged_runs():
    g = rb.grid_scores(_grid_score, [1e-3, 1e-2, 1e-1, 1.0], [16, 32, 64])
    assert g.values.shape == (4, 3)
    assert np.isnan(g.values[3]).all()
    assert g.diverged == [(1.0, 16), (1.0, 32), (1.0, 64)]
    assert g.best() == (0.01, 32, 0.0)
    assert g.robust_region(0.15).sum() == 3  # (0.01, 16), (0.01, 32), (0.01, 64)
    assert not g.robust_region(100.0)[3].any()  # diverged cells are never robust


def test_most_stable_is_the_best_worst_neighbour():
    values = np.array([[0.30, 0.31, 0.32],
                       [0.10, 0.29, 0.30],    # a narrow peak at (1, 0)
                       [0.90, 0.20, 0.21],
                       [0.95, 0.21, 0.20]])
    g = rb.LossGrid(np.array([1e-4, 1e-3, 1e-2, 1e-1]), np.array([16, 32, 64]), values)
    assert g.best()[:2] == (1e-3, 16)
    assert g.most_stable() == (0.1, 64, pytest.approx(0.21))
    worst = g.worst_neighbour()
    assert worst[1, 0] == pytest.approx(0.90)
    g_nan = rb.LossGrid(g.learning_rates, g.batch_sizes, np.where(values == 0.90, np.nan, values))
    assert g_nan.worst_neighbour()[1, 0] == math.inf


def test_grid_validates_its_arguments():
    with pytest.raises(ValueError, match="learning_rates must be"):
        rb.grid_scores(_grid_score, [1e-2, 1e-3], [16])
    with pytest.raises(ValueError, match="batch_sizes must be"):
        rb.grid_scores(_grid_score, [1e-2], [0, 16])
    with pytest.raises(ValueError, match="batch_size must be an integer"):
        rb.grid_scores(_grid_score, [1e-2], [16.5])
    g = rb.grid_scores(_grid_score, [1e-2], [16])
    with pytest.raises(ValueError, match="tolerance must be in"):
        g.robust_region(-0.1)


# --------------------------------------------------------------------------- sharpness

def _quadratic(seed=0, d=8):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((d, d))
    return A @ A.T + np.eye(d), rng.standard_normal(d)


@pytest.mark.parametrize("distribution", rb.DISTRIBUTIONS)
@pytest.mark.parametrize("antithetic", [False, True])
def test_sharpness_of_a_quadratic_matches_the_exact_expectation(distribution, antithetic):
    H, w = _quadratic()
    s = rb.sharpness(lambda ws: 0.5 * ws[0] @ H @ ws[0], w, 0.2, n=3000, seed=1,
                     relative=False, distribution=distribution, antithetic=antithetic)
    exact = rb.expected_quadratic_increase(H, 0.2)
    assert exact == pytest.approx(0.5 * (0.2 / math.sqrt(8)) ** 2 * np.trace(H))  # ½σ²tr(H)
    assert abs(s.mean - exact) < 4 * s.sem
    assert s.max >= s.mean and s.n == 3000


def test_sphere_directions_have_the_exact_norm_and_antithetic_pairs_are_exact():
    H, w = _quadratic()
    for eps in rb.random_directions([w], 0.3, n=5, relative=False):
        assert np.linalg.norm(eps[0]) == pytest.approx(0.3)
    s = rb.sharpness(lambda ws: 0.5 * ws[0] @ H @ ws[0], w, 0.3, n=50, relative=False,
                     antithetic=True)
    # each pair average is ½ εᵀHε exactly (the linear term cancels)
    eps = [e[0] for e in rb.random_directions([w], 0.3, n=50, relative=False)]
    assert np.allclose(s.draws, [0.5 * e @ H @ e for e in eps])


def test_layer_normalised_sharpness_matches_its_exact_expectation():
    H, w = _quadratic(d=7)
    blocks = [4, 3]
    ws = [w[:4].reshape(2, 2), w[4:]]

    def loss(parts):
        v = np.concatenate([p.ravel() for p in parts])
        return 0.5 * v @ H @ v

    for eps in rb.random_directions(ws, 0.1, n=3):
        assert np.linalg.norm(eps[0]) == pytest.approx(0.1 * np.linalg.norm(ws[0]))
        assert np.linalg.norm(eps[1]) == pytest.approx(0.1 * np.linalg.norm(ws[1]))
    exact = rb.expected_quadratic_increase(H, 0.1, blocks=blocks,
                                           weights_norms=[np.linalg.norm(p) for p in ws])
    for dist in rb.DISTRIBUTIONS:
        s = rb.sharpness(loss, ws, 0.1, n=3000, seed=2, distribution=dist, antithetic=True)
        assert abs(s.mean - exact) < 4 * s.sem


def test_sharpness_is_seeded_and_validates():
    H, w = _quadratic()
    f = lambda ws: 0.5 * ws[0] @ H @ ws[0]  # noqa: E731
    assert np.array_equal(rb.sharpness(f, w, 0.1, seed=3).increases,
                          rb.sharpness(f, w, 0.1, seed=3).increases)
    assert not np.array_equal(rb.sharpness(f, w, 0.1, seed=3).increases,
                              rb.sharpness(f, w, 0.1, seed=4).increases)
    with pytest.raises(ValueError, match="radius must be in"):
        rb.sharpness(f, w, -0.1)
    with pytest.raises(ValueError, match="n \\(directions\\) must be an integer"):
        rb.sharpness(f, w, 0.1, n=0)
    with pytest.raises(ValueError, match="distribution must be one of"):
        rb.sharpness(f, w, 0.1, distribution="uniform")
    with pytest.raises(ValueError, match="radii must be a non-empty"):
        rb.sharpness_curve(f, w, [])
    assert [s.radius for s in rb.sharpness_curve(f, w, [0.0, 0.1])] == [0.0, 0.1]
    assert rb.sharpness(f, w, 0.0).max == 0.0


def test_keras_sharpness_of_a_linear_mse_model_is_the_exact_quadratic():
    import keras

    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 3)).astype("float32")
    y = (X @ [1.0, -1.0, 0.5]).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    before = [v.numpy().copy() for v in model.trainable_variables]
    X1 = np.hstack([X, np.ones((100, 1))]).astype(float)
    H = 2 * X1.T @ X1 / 100
    s = rb.keras_sharpness(model, X, y, 0.4, loss="mean_squared_error", n=300, relative=False,
                           antithetic=True)
    exact = rb.expected_quadratic_increase(H, 0.4)
    assert abs(s.mean - exact) < 4 * s.sem + 1e-5
    assert all(np.array_equal(b, v.numpy()) for b, v in zip(before, model.trainable_variables,
                                                             strict=True))


def test_keras_sharpness_equals_the_numpy_path_on_the_same_network():
    import keras

    rng = np.random.default_rng(1)
    X = rng.standard_normal((64, 5)).astype("float32")
    y = (rng.uniform(size=64) < 0.5).astype("int64")
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])

    def numpy_loss(ws):
        W1, b1, W2, b2 = ws
        z = np.maximum(X @ W1 + b1, 0) @ W2 + b2
        p = np.clip(1 / (1 + np.exp(-z[:, 0])), 1e-7, 1 - 1e-7)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    weights = [v.numpy() for v in model.trainable_variables]
    ref = rb.sharpness(numpy_loss, weights, 0.3, n=8, seed=5)
    got = rb.keras_sharpness(model, X, y, 0.3, n=8, seed=5)
    assert got.base_loss == pytest.approx(ref.base_loss, rel=1e-5)
    assert np.allclose(got.increases, ref.increases, atol=2e-6)
