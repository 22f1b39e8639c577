"""surveykit.optim.experiments: the computations behind notebooks 05.01 and 05.03.

Each function is checked against a case with a known answer, an exhaustive enumeration,
an independent implementation written here, or Keras.
"""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import itertools
import math

import numpy as np
import pytest

from surveykit import foundations, gradcheck
from surveykit.optim import SGD, Momentum, Nesterov, NumpyOptimizer, optimize, rules
from surveykit.optim import experiments as ex
from surveykit.optim import numpy_net as nn
from surveykit.optim.surfaces import Quadratic, Rosenbrock


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((48, 5))
    y = (X[:, 0] - X[:, 1] + 0.7 * rng.standard_normal(48) > 0).astype(float)
    return nn.init_mlp(5, 6, seed=1), X, y


# --- §5.1–5.2 ------------------------------------------------------------------------------


def test_flatten_keeps_key_order_and_every_entry():
    grads = {"b": np.array([3.0]), "a": np.array([[1.0, 2.0]])}
    np.testing.assert_array_equal(ex.flatten(grads), [3.0, 1.0, 2.0])
    np.testing.assert_array_equal(ex.flatten(np.ones((2, 2))), np.ones(4))


def test_per_example_gradients_average_to_the_full_gradient(problem):
    params, X, y = problem
    G = ex.per_example_gradients(params, X, y)
    assert G.shape == (48, sum(p.size for p in params.values()))
    full = ex.flatten(nn.mlp_loss_and_grads(params, X, y)[1])
    np.testing.assert_allclose(G.mean(axis=0), full, rtol=0, atol=1e-14)
    np.testing.assert_allclose(G[3], ex.flatten(nn.mlp_loss_and_grads(params, X[3:4], y[3:4])[1]))
    with pytest.raises(ValueError, match="same number"):
        ex.per_example_gradients(params, X, y[:-1])


@pytest.mark.parametrize("m", [1, 2, 3, 6])
def test_gradient_noise_law_equals_the_exact_average_over_all_batches(m):
    """Enumerate every m-subset of 6 per-example gradients: the mean of ‖g_B − g‖² is the law."""
    G = np.random.default_rng(2).normal(size=(6, 3))
    g = G.mean(axis=0)
    subsets = list(itertools.combinations(range(6), m))
    exact = np.mean([np.sum((G[list(s)].mean(axis=0) - g) ** 2) for s in subsets])
    assert ex.gradient_noise_law(G, m) == pytest.approx(exact, rel=1e-12, abs=1e-15)


def test_gradient_noise_law_limits_and_validation():
    G = np.random.default_rng(3).normal(size=(10, 4))
    trace = np.mean(np.sum((G - G.mean(0)) ** 2, axis=1))
    assert ex.gradient_noise_law(G, 1) == pytest.approx(trace)
    assert ex.gradient_noise_law(G, 10) == 0.0
    with pytest.raises(ValueError, match="batch_size must be an integer in \\[1, 10\\]"):
        ex.gradient_noise_law(G, 11)
    with pytest.raises(ValueError, match="shape \\(N, P\\)"):
        ex.gradient_noise_law(G[0], 1)


def test_measured_gradient_noise_follows_the_law(problem):
    params, X, y = problem
    noise = ex.measure_gradient_noise(params, X, y, [1, 4, 16, 47, 48], n_draws=400, seed=0)
    m, meas, sem, th = (noise[k] for k in ("batch_sizes", "measured", "sem", "theory"))
    assert list(m) == [1, 4, 16, 47, 48] and noise["n"] == 48
    assert np.all(np.abs(meas[:-1] - th[:-1]) < 4 * sem[:-1])
    assert meas[-1] < 1e-25 and th[-1] == 0.0
    assert np.all(np.diff(th) < 0)  # more examples, less noise
    full = ex.flatten(nn.mlp_loss_and_grads(params, X, y)[1])
    assert noise["grad_norm2"] == pytest.approx(full @ full)


def test_train_minibatch_runs_the_same_loop_as_train_mlp(problem):
    params, X, y = problem
    ours = ex.train_minibatch(NumpyOptimizer(Momentum(0.9), 0.1), params, X, y, batch_size=10,
                              epochs=3, seed=4)
    theirs, batch_losses = nn.train_mlp(NumpyOptimizer(Momentum(0.9), 0.1), params, X, y,
                                        batch_size=10, epochs=3, seed=4)
    for k in params:
        np.testing.assert_array_equal(ours.params[k], theirs[k])
    np.testing.assert_array_equal(ours.batch_loss, batch_losses)
    assert ours.updates_per_epoch == 5 and ours.updates == 15 and len(ours.epoch_times) == 3
    assert ours.loss[0] == pytest.approx(nn.mlp_loss(params, X, y))
    assert ours.loss[-1] == pytest.approx(nn.mlp_loss(ours.params, X, y))
    np.testing.assert_allclose(ours.epochs_axis[[0, 5, 15]], [0, 1, 3])
    assert np.all(ours.epoch_times > 0) and not ours.diverged


def test_full_batch_epoch_is_one_gradient_step_and_per_epoch_recording_agrees(problem):
    params, X, y = problem
    run = ex.train_minibatch(NumpyOptimizer(SGD(), 0.3), params, X, y, batch_size=48, epochs=1)
    step = NumpyOptimizer(SGD(), 0.3).step(params, nn.mlp_loss_and_grads(params, X, y)[1])
    for k in params:
        np.testing.assert_allclose(run.params[k], step[k], rtol=0, atol=1e-15)
    every = ex.train_minibatch(NumpyOptimizer(SGD(), 0.3), params, X, y, batch_size=7, epochs=4)
    epochs = ex.train_minibatch(NumpyOptimizer(SGD(), 0.3), params, X, y, batch_size=7, epochs=4,
                                record_every_update=False)
    np.testing.assert_allclose(every.loss_per_epoch, epochs.loss_per_epoch, rtol=1e-12)
    assert len(epochs.loss) == len(every.loss)


def test_stop_loss_and_increase_fraction(problem):
    params, X, y = problem
    first = ex.train_minibatch(NumpyOptimizer(SGD(), 1.0), params, X, y, batch_size=8, epochs=1)
    run = ex.train_minibatch(NumpyOptimizer(SGD(), 1.0), params, X, y, batch_size=8, epochs=50,
                             record_every_update=False, stop_loss=first.loss_per_epoch[1] * 0.9)
    k = ex.updates_to_reach(run.loss_per_epoch, first.loss_per_epoch[1] * 0.9)
    assert k is not None and len(run.loss_per_epoch) == k + 1 < 51
    full = ex.train_minibatch(NumpyOptimizer(SGD(), 0.01), params, X, y, batch_size=48, epochs=5)
    assert full.increase_fraction() == 0.0  # small full-batch steps always descend
    sgd = ex.train_minibatch(NumpyOptimizer(SGD(), 0.5), params, X, y, batch_size=1, epochs=2)
    rises = np.mean(np.diff(sgd.loss) > 0)
    assert sgd.increase_fraction() == rises > 0.05


def test_learning_rate_sweep_picks_the_lowest_mean_log_loss(problem):
    params, X, y = problem
    best, runs = ex.learning_rate_sweep(params, X, y, batch_size=16,
                                        learning_rates=[0.001, 0.1, 1.0], epochs=4)
    scores = [np.mean(np.log(r.loss_per_epoch[1:])) for r in runs]
    assert best is runs[int(np.argmin(scores))]
    assert [r.learning_rate for r in runs] == [0.001, 0.1, 1.0]
    assert best.learning_rate != 0.001


def test_updates_to_reach():
    assert ex.updates_to_reach([3.0, 2.0, 1.0, 0.5], 1.0) == 2
    assert ex.updates_to_reach([3.0, 2.0], 1.0) is None


def test_activation_memory_is_proportional_to_the_batch(problem):
    params, X, _ = problem
    one = ex.activation_memory(params, X[:1])
    assert one == 8 * (5 + 6 + 1 + 1)  # inputs, hidden units, logit, probability (float64)
    assert ex.activation_memory(params, X[:32]) == 32 * one


def test_tilted_double_well_geometry_and_noise():
    well = ex.TiltedDoubleWell(n=64, tilt=0.3, spread=2.0, seed=1)
    for w in (well.global_minimum, well.barrier, well.local_minimum):
        assert abs(well.grad(w)) < 1e-9
    assert well.global_minimum < well.barrier < well.local_minimum
    assert well.loss(well.global_minimum) < well.loss(well.local_minimum) < well.loss(well.barrier)
    assert well.slopes.mean() == pytest.approx(0, abs=1e-12)
    assert well.slopes.std() == pytest.approx(2.0)
    assert well.batch_grad(0.4, np.arange(64)) == pytest.approx(well.grad(0.4))
    assert well.batch_grad(0.4, [5]) == pytest.approx(well.grad(0.4) + well.slopes[5])
    np.testing.assert_allclose(gradcheck.numerical_gradient(lambda v: float(well.loss(v[0])),
                                                           [0.7]), [well.grad(0.7)], rtol=1e-7)
    with pytest.raises(ValueError, match="tilt must be in"):
        ex.TiltedDoubleWell(tilt=2.0)


def test_escape_needs_noise():
    well = ex.TiltedDoubleWell()
    result = ex.escape_experiment(well, [2, 256], learning_rate=0.05, epochs=10, n_runs=60,
                                  n_paths=2)
    assert result["fraction"][1] == 0.0  # full batch: the gradient is 0 at the start
    assert result["fraction"][0] > 0.3
    assert result["paths"][0].shape == (10 * 128 + 1, 2)
    np.testing.assert_allclose(result["paths"][1], well.local_minimum, atol=1e-12)
    again = ex.escape_experiment(well, [2, 256], learning_rate=0.05, epochs=10, n_runs=60,
                                 n_paths=2)
    np.testing.assert_array_equal(result["paths"][0], again["paths"][0])


def test_escape_experiment_steps_with_the_sgd_rule_on_shuffled_epochs():
    """One run by hand (the same seeding): the vectorised experiment is plain mini-batch SGD."""
    well = ex.TiltedDoubleWell(n=16, spread=3.0)
    result = ex.escape_experiment(well, [4], learning_rate=0.05, epochs=2, n_runs=3, n_paths=3,
                                  seed=7)
    rng = np.random.default_rng([7, 4, 1])  # run 1's generator
    w = well.local_minimum
    for _ in range(2):
        for idx in nn.minibatches(16, 4, rng=rng):
            w = w - 0.05 * well.batch_grad(w, idx)
    assert result["paths"][0][-1, 1] == pytest.approx(w, rel=1e-12)


def test_neuron_minibatch_epoch_is_a_sequence_of_gradient_steps():
    rng = np.random.default_rng(5)
    X, y, w = rng.normal(size=(9, 2)), (rng.uniform(size=9) > 0.5).astype(float), rng.normal(size=2)
    batches = nn.minibatches(9, 4, rng=rng)
    got_w, got_b = ex.neuron_minibatch_epoch(w, 0.2, X, y, 0.3, batches)
    ww, bb = w, 0.2
    for idx in batches:
        dw, db = foundations.neuron_gradients(X[idx], y[idx], ww, bb)
        ww, bb = ww - 0.3 * dw, bb - 0.3 * db
    np.testing.assert_allclose(got_w, ww, rtol=1e-14)
    assert got_b == pytest.approx(bb, rel=1e-14)
    one = ex.neuron_minibatch_epoch(w, 0.2, X, y, 0.3, [np.arange(9)])
    np.testing.assert_allclose(one[0], foundations.gradient_descent_step(w, 0.2, X, y, 0.3)[0])


# --- §5.3 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [SGD(), Momentum(0.9), Nesterov(0.9)], ids=str)
def test_run_path_equals_optimize_and_records_lookahead(rule):
    bowl = Quadratic(1.0, 20.0)
    opt = NumpyOptimizer(rule, 0.02)
    path = ex.run_path(opt, bowl, [1.0, 1.0], 50)
    np.testing.assert_array_equal(path.points, optimize(NumpyOptimizer(rule, 0.02), bowl.grad,
                                                        [1.0, 1.0], 50))
    assert path.steps == 50 and not path.diverged
    np.testing.assert_array_equal(path.lookahead[-1], opt.lookahead(path.points[-1]))
    if isinstance(rule, Nesterov):
        v = opt.state[0][0]
        np.testing.assert_allclose(path.lookahead[-1], path.points[-1] - 0.9 * v)
    else:
        np.testing.assert_array_equal(path.lookahead, path.points)


def test_run_path_stops_at_divergence_and_at_the_loss_target():
    bowl = Quadratic(1.0, 20.0)
    path = ex.run_path(NumpyOptimizer(SGD(), 0.2), bowl, [1.0, 1.0], 500)  # η > 2/b
    assert path.diverged and path.diverged_at == len(path.points)
    assert np.all(np.isfinite(path.points)) and np.linalg.norm(path.points[-1]) <= 1e6
    short = ex.run_path(NumpyOptimizer(SGD(), 0.05), bowl, [1.0, 0.0], 500, stop_loss=1e-4)
    assert bowl.loss(short.points[-1]) <= 1e-4 < bowl.loss(short.points[-2])


def test_keras_path_is_keras_momentum():
    import keras

    bowl = Quadratic(1.0, 20.0)
    keras_path = ex.keras_path(keras.optimizers.SGD(2.0**-6, momentum=0.875), bowl, [1.0, 1.0], 40)
    ours = ex.run_path(NumpyOptimizer(Momentum(0.875), 2.0**-3), bowl, [1.0, 1.0], 40)
    assert keras_path.shape == (41, 2)
    np.testing.assert_allclose(keras_path, ours.points, rtol=0, atol=1e-13)


def test_momentum_paths_nesterov_is_ewa_momentum_with_a_lookahead_gradient():
    """At η_N = η(1 − β) the survey's Nesterov is: u = βu + (1−β)∇L(w − ηβu); w −= ηu."""
    surface, eta, beta = Rosenbrock(), 0.004, 0.9
    paths = ex.momentum_paths(surface, [-1.2, 1.0], learning_rate=eta, beta=beta, n_steps=80)
    assert list(paths) == ["gradient descent", "momentum β=0.9", "Nesterov β=0.9"]
    w, u = np.array([-1.2, 1.0]), np.zeros(2)
    for _ in range(80):
        u = rules.ewa_update(u, surface.grad(w - eta * beta * u), beta)
        w = w - eta * u
    np.testing.assert_allclose(paths["Nesterov β=0.9"].points[-1], w, rtol=1e-10)
    gd = optimize(NumpyOptimizer(SGD(), eta), surface.grad, [-1.2, 1.0], 80)
    np.testing.assert_array_equal(paths["gradient descent"].points, gd)


def test_settle_step():
    assert ex.settle_step([1.0, 0.1, 1e-7, 1e-3, 1e-7, 1e-8], 1e-6) == 4
    assert ex.settle_step([1.0, 1e-7], 1e-6) == 1
    assert ex.settle_step([1.0, 1e-7, 1e-3], 1e-6) is None
    assert ex.settle_step([1.0, np.nan], 1e-6) is None


def test_steps_to_tolerance_matches_gradient_descent_theory():
    """Along one axis GD's loss ratio is (1 − ηa)^(2t): the first t with ratio ≤ tol."""
    bowl, eta, tol = Quadratic(1.0, 20.0), 0.05, 1e-6
    expected = math.ceil(math.log(tol) / (2 * math.log(1 - eta)))
    assert ex.steps_to_tolerance(NumpyOptimizer(SGD(), eta), bowl, [2.0, 0.0], tol=tol,
                                 max_steps=1000) == expected
    assert ex.steps_to_tolerance(NumpyOptimizer(SGD(), eta), bowl, [2.0, 0.0], tol=tol,
                                 max_steps=expected - 1) is None
    assert ex.steps_to_tolerance(NumpyOptimizer(SGD(), 0.2), bowl, [2.0, 1.0]) is None


@pytest.mark.parametrize("rule", [SGD(), Momentum(0.8), Nesterov(0.95)], ids=str)
def test_grid_paths_equals_one_run_per_learning_rate(rule):
    surface = Rosenbrock()
    lrs = [0.0005, 0.002, 0.03]
    grid = ex.grid_paths(rule, lrs, surface, [-1.2, 1.0], 120)
    assert grid.shape == (121, 3, 2)
    for j, lr in enumerate(lrs):
        path = ex.run_path(NumpyOptimizer(rule, lr), surface, [-1.2, 1.0], 120)
        n = len(path.points)
        np.testing.assert_allclose(grid[:n, j], path.points, rtol=1e-12)
        if path.diverged:
            assert np.isnan(grid[n:, j]).all()
        else:
            assert np.isfinite(grid[:, j]).all()
    assert np.isnan(grid[-1, 2]).all()  # η = 0.03 diverges on Rosenbrock


def test_constant_slope_steps_follow_the_ewa_and_classic_formulas():
    t = np.arange(1, 31)
    np.testing.assert_allclose(ex.constant_slope_steps(Momentum(0.8), 0.5, 30),
                               0.5 * (1 - 0.8**t), rtol=1e-12)
    np.testing.assert_allclose(ex.constant_slope_steps(Momentum(0.8, form="keras"), 0.5, 30),
                               0.5 * (1 - 0.8**t) / 0.2, rtol=1e-12)
    np.testing.assert_allclose(ex.constant_slope_steps(SGD(), 0.5, 3, gradient=-2.0), [1.0] * 3)


def test_travel_ratio():
    straight = np.array([[0.0, 1.0], [0.0, 0.5], [0.0, 0.0]])
    assert ex.travel_ratio(straight, [0.0, 0.0]) == 1.0
    zigzag = np.array([[0.0, 1.0], [0.0, -0.5], [0.0, 0.25], [0.0, 0.0]])
    assert ex.travel_ratio(zigzag, [0.0, 0.0]) == pytest.approx(1.5 + 0.75 + 0.25)
    with pytest.raises(ValueError, match="must not start at the minimum"):
        ex.travel_ratio(straight, [5.0, 1.0])


@pytest.mark.parametrize("beta", [0.0, 0.6, 0.9, 0.99])
@pytest.mark.parametrize("rule", ["momentum", "nesterov"])
def test_stability_limit_separates_convergence_from_divergence(beta, rule):
    bowl = Quadratic(1.0, 50.0)
    limit = ex.stability_limit(50.0, beta, rule)
    make, scale = (Momentum, 1.0) if rule == "momentum" else (Nesterov, 1 - beta)
    ends = ex.grid_paths(make(beta), np.array([0.97, 1.03]) * limit * scale, bowl, [1.0, 1.0],
                         1500)[-1]
    assert np.isfinite(ends[0]).all() and np.isnan(ends[1]).all()


def test_stability_limit_values_and_validation():
    assert ex.stability_limit(10.0, 0.0) == pytest.approx(0.2)
    assert ex.stability_limit(10.0, 0.9) == pytest.approx(19 * 0.2)
    assert ex.stability_limit(10.0, 0.0, "nesterov") == pytest.approx(0.2)
    with pytest.raises(ValueError, match="beta must be in \\[0, 1\\)"):
        ex.stability_limit(1.0, 1.0)
    with pytest.raises(ValueError, match="rule must be one of"):
        ex.stability_limit(1.0, 0.5, "adam")


def test_heavy_ball_tuning_achieves_its_rate_and_beats_gradient_descent():
    tuned = ex.heavy_ball_tuning(1.0, 100.0)
    assert tuned["beta"] == pytest.approx((9 / 11) ** 2)
    assert tuned["rate"] == pytest.approx(9 / 11) and tuned["gd_rate"] == pytest.approx(99 / 101)
    assert tuned["lr"] == pytest.approx(tuned["lr_keras"] / (1 - tuned["beta"]))
    bowl = Quadratic(1.0, 100.0)
    hb = optimize(NumpyOptimizer(Momentum(tuned["beta"]), tuned["lr"]), bowl.grad, [1.0, 1.0], 200)
    gd = optimize(NumpyOptimizer(SGD(), tuned["gd_lr"]), bowl.grad, [1.0, 1.0], 200)
    measured = (np.linalg.norm(hb[200]) / np.linalg.norm(hb[100])) ** (1 / 100)
    assert measured == pytest.approx(tuned["rate"], rel=0.02)
    assert np.linalg.norm(hb[-1]) < 1e-10 < np.linalg.norm(gd[-1])


def test_condition_number_for_beta_inverts_polyak():
    for kappa in (20.0, 1442.0, 1e5):
        beta = ex.heavy_ball_tuning(1.0, kappa)["beta"]
        assert ex.condition_number_for_beta(beta) == pytest.approx(kappa, rel=1e-9)


def test_beta_sweep_finds_the_fastest_learning_rate():
    bowl, w0 = Quadratic(1.0, 20.0), [-2.0, 0.25]
    grid = [0.01, 0.05, 0.09, 0.15]
    sweep = ex.beta_sweep(bowl, w0, [0.0, 0.5], learning_rates=grid, max_steps=800)
    by_hand = [ex.steps_to_tolerance(NumpyOptimizer(SGD(), lr), bowl, w0, max_steps=800)
               for lr in grid]
    reached = [k for k in by_hand if k is not None]
    assert sweep["steps"][0] == min(reached)
    assert sweep["best_lr"][0] == grid[by_hand.index(min(reached))]
    assert sweep["steps"][1] < sweep["steps"][0]  # some momentum helps at κ = 20
    nag = ex.beta_sweep(bowl, w0, [0.0, 0.9], rule="nesterov",
                        learning_rates=lambda b: ex.stability_limit(20.0, b) * np.array([0.3]),
                        max_steps=800)
    assert nag["steps"][0] == ex.steps_to_tolerance(NumpyOptimizer(SGD(), 0.03), bowl, w0,
                                                    max_steps=800)  # β = 0: plain GD
    assert nag["steps"][1] == ex.steps_to_tolerance(
        NumpyOptimizer(Nesterov(0.9), 0.3 * ex.stability_limit(20.0, 0.9) * 0.1), bowl, w0,
        max_steps=800)
    with pytest.raises(ValueError, match="rule must be one of"):
        ex.beta_sweep(bowl, w0, [0.5], rule="adam", learning_rates=grid)


def test_dented_slope_has_a_local_minimum_that_momentum_rolls_through():
    hill = ex.DentedSlope()
    w = np.array([-0.8])
    np.testing.assert_allclose(gradcheck.numerical_gradient(lambda v: float(hill.loss(v)), w),
                               hill.grad(w), rtol=1e-7)
    assert abs(hill.minimum[0]) < 1e-3 and abs(hill.grad(hill.minimum)[0]) < 1e-3
    gd = ex.run_path(NumpyOptimizer(SGD(), 0.1), hill, [-3.0], 300)
    assert abs(hill.grad(gd.points[-1])[0]) < 1e-8 and gd.points[-1][0] < -1.3  # stuck in the dent
    heavy = ex.run_path(NumpyOptimizer(Momentum(0.9), 0.1), hill, [-3.0], 300)
    assert abs(heavy.points[-1][0] - hill.minimum[0]) < 1e-3
    assert hill.loss(np.linspace(-3, 1, 5)).shape == (5,)
