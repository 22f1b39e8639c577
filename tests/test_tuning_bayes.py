"""Expected Improvement, the benchmarks and BayesianOptimization (survey §6.6)."""

import math

import numpy as np
import pytest
from scipy import integrate, optimize, special

from surveykit.gradcheck import numerical_gradient, relative_error
from surveykit.tuning import acquisition as A
from surveykit.tuning import bayes as B
from surveykit.tuning.base import Trial
from surveykit.tuning.benchmarks import BENCHMARKS, BRANIN, HARTMANN6, ML_SURROGATE
from surveykit.tuning.space import Categorical, Integer, LogUniform, Space, Uniform
from surveykit.tuning.strategies import RandomSearch

# ---------------------------------------------------------------- expected improvement


@pytest.mark.parametrize("mu,sigma,best,xi", [(0.3, 0.2, 0.25, 0.0), (1.0, 0.5, 0.0, 0.0),
                                              (-0.2, 1.3, 0.4, 0.1), (2.0, 0.7, 2.5, 0.3)])
def test_ei_equals_monte_carlo(mu, sigma, best, xi):
    mc, se = A.expected_improvement_mc(mu, sigma, best, xi, n=400_000, seed=1)
    assert abs(A.expected_improvement(mu, sigma, best, xi) - mc) < 4 * se


def test_ei_closed_form_special_cases():
    # μ = f*: EI = σ φ(0) = σ/√(2π)
    for sigma in (0.1, 1.0, 3.0):
        expected = sigma / math.sqrt(2 * math.pi)
        assert A.expected_improvement(1.0, sigma, 1.0) == pytest.approx(expected, rel=1e-14)
    # σ = 0: the improvement is known, max(f* − μ − ξ, 0)
    got = A.expected_improvement(np.array([0.2, 0.5, 0.9]), np.zeros(3), 0.6, xi=0.1)
    np.testing.assert_allclose(got, [0.3, 0.0, 0.0])
    # σ → 0 continuity, and far below the incumbent EI ≈ f* − μ
    assert A.expected_improvement(0.2, 1e-9, 0.6) == pytest.approx(0.4)
    # EI grows with σ (exploration) and as μ falls (exploitation)
    assert A.expected_improvement(1.0, 2.0, 0.5) > A.expected_improvement(1.0, 1.0, 0.5)
    assert A.expected_improvement(0.4, 1.0, 0.5) > A.expected_improvement(0.6, 1.0, 0.5)
    with pytest.raises(ValueError, match="xi"):
        A.expected_improvement(0.0, 1.0, 0.0, xi=-0.1)
    with pytest.raises(ValueError, match="sigma"):
        A.expected_improvement(0.0, -1.0, 0.0)


def _log_h_by_quadrature(z):
    """log h(z) for z < 0 by quadrature: h(z) = ∫_{−∞}^{z} (z − t) φ(t) dt, and with
    t = z − u/|z|, h(z) = φ(z)/z² ∫₀^∞ u exp(−u − u²/(2z²)) du (an integral near 1)."""
    integral, _ = integrate.quad(lambda u: u * math.exp(-u - u * u / (2 * z * z)), 0, np.inf,
                                 epsabs=0, epsrel=1e-13, limit=200)
    return -0.5 * z * z - 0.5 * math.log(2 * math.pi) - 2 * math.log(abs(z)) + math.log(integral)


@pytest.mark.parametrize("z", [-0.5, -1.0, -3.0, -12.0, -40.0, -1e3, -1e5, -1e9])
def test_log_h_is_accurate_far_into_the_tail(z):
    got, _ = A.log_h(np.array([z]))
    assert got[0] == pytest.approx(_log_h_by_quadrature(z), rel=1e-9)


def test_log_ei_matches_ei_and_its_derivative():
    z = np.linspace(-8, 6, 57)
    lh, dlh = A.log_h(z)
    direct = np.log(z * special.ndtr(z) + np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi))
    np.testing.assert_allclose(lh, direct, rtol=1e-8)
    numeric = np.array([numerical_gradient(lambda v: A.log_h(v)[0][0], np.array([zz]))[0]
                        for zz in z])
    assert relative_error(dlh, numeric) < 1e-6
    mu, sigma = np.array([0.1, 0.5, 3.0]), np.array([0.2, 0.3, 0.1])
    np.testing.assert_allclose(A.log_expected_improvement(mu, sigma, 0.4, 0.05),
                               np.log(A.expected_improvement(mu, sigma, 0.4, 0.05)), rtol=1e-9)
    # where EI underflows to 0, log EI is still finite and still ranks the points
    far = A.log_expected_improvement(np.array([50.0, 60.0]), np.array([1.0, 1.0]), 0.0)
    assert A.expected_improvement(60.0, 1.0, 0.0) == 0.0
    assert np.all(np.isfinite(far)) and far[0] > far[1]
    assert A.log_expected_improvement(1.0, 0.0, 0.5) == -np.inf


# ---------------------------------------------------------------- benchmarks


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_benchmarks_reach_their_minimum_at_their_minimisers(name):
    bench = BENCHMARKS[name]
    for argmin in bench.argmins:
        assert bench(argmin) == pytest.approx(bench.minimum, abs=1e-9)
    rng = np.random.default_rng(0)
    values = [bench(bench.space.sample(rng)) for _ in range(2000)]
    assert min(values) > bench.minimum


def test_known_minimisers_are_local_minima():
    """A local optimiser started at each known minimiser finds nothing lower."""
    x0 = list(HARTMANN6.argmins[0].values())
    res = optimize.minimize(lambda x: HARTMANN6.function(*x), x0, method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-14})
    assert res.fun >= HARTMANN6.minimum - 1e-9
    assert res.fun == pytest.approx(-3.32237, abs=1e-5)
    for argmin in BRANIN.argmins:
        res = optimize.minimize(lambda x: BRANIN.function(*x), list(argmin.values()),
                                method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14})
        assert res.fun >= BRANIN.minimum - 1e-12
    assert BRANIN.minimum == pytest.approx(0.397887, abs=1e-6)


def test_ml_surrogate_minimum_by_search():
    """The continuous dimensions optimised at every batch size never go below 0.3."""
    best = math.inf
    for bs in range(16, 513, 8):
        def f(v, bs=bs):
            return ML_SURROGATE.function(10 ** v[0], 10 ** v[1], v[2], bs)
        res = optimize.minimize(f, [-3, -4, 0.25], method="Nelder-Mead",
                                options={"xatol": 1e-9, "fatol": 1e-12})
        best = min(best, res.fun)
    assert best == pytest.approx(ML_SURROGATE.minimum, abs=1e-9)
    # divergence: a learning rate two decades too large gives the plateau ln 10
    assert ML_SURROGATE({"learning_rate": 0.2, "weight_decay": 1e-4, "dropout": 0.25,
                         "batch_size": 32}) == pytest.approx(math.log(10))


# ---------------------------------------------------------------- the strategy

MIXED = Space([LogUniform("lr", 1e-4, 1e-1), Uniform("dropout", 0.0, 0.5),
               Integer("units", 8, 64, log=True), Categorical("act", ["relu", "tanh", "elu"])])


def _mixed(p):
    return ((math.log10(p["lr"]) + 2.5) ** 2 + (p["dropout"] - 0.2) ** 2
            + 0.1 * (math.log2(p["units"]) - 5) ** 2
            + {"relu": 0.0, "tanh": 0.3, "elu": 0.1}[p["act"]])


def _run(strategy, f, n):
    trials = []
    for i in range(n):
        s = strategy.ask(trials, 1)[0]
        trials.append(Trial(i, s.params, state="complete", value=f(s.params), info=s.info))
    return trials


def test_encoding_snaps_integers_and_one_hots_categoricals():
    enc = B.Encoding(MIXED)
    assert enc.n_features == 6 and enc.kinds == ["continuous", "continuous", "integer",
                                                  "categorical"]
    U = np.array([[0.3, 0.7, 0.41, 0.9]])
    F = enc.features(U)
    units = MIXED["units"]
    assert F[0, 2] == pytest.approx(units.to_unit(units.from_unit(0.41)))
    np.testing.assert_array_equal(F[0, 3:], [0, 0, 1])
    p = MIXED.from_unit(U[0])
    np.testing.assert_allclose(enc.features(MIXED.to_unit(p)[None]), F)


def test_initial_design_is_sobol_and_deterministic():
    bo = B.BayesianOptimization(BRANIN.space, n_initial=8, seed=3)
    design = B.sobol_design(2, 8, 3)
    got = [bo.ask([Trial(j, {"x1": 0.0, "x2": 0.0}) for j in range(i)], 1)[0].params
           for i in range(8)]
    np.testing.assert_allclose([BRANIN.space.to_unit(p) for p in got], design, atol=1e-12)
    # a Sobol design of 8 points puts exactly one point in each eighth of each axis
    for j in range(2):
        assert sorted(np.floor(design[:, j] * 8).astype(int)) == list(range(8))
    assert B.BayesianOptimization(BRANIN.space).n_initial == 5
    assert B.BayesianOptimization(HARTMANN6.space).n_initial == 10


def test_suggestions_are_deterministic_and_batches_equal_sequential_asks():
    bo = B.BayesianOptimization(BRANIN.space, seed=1)
    trials = _run(bo, BRANIN, 8)
    again = _run(B.BayesianOptimization(BRANIN.space, seed=1), BRANIN, 8)
    assert [t.params for t in trials] == [t.params for t in again]
    batch = bo.ask(trials, 3)
    history = list(trials)
    for k in range(3):
        s = bo.ask(history, 1)[0]
        assert s.params == batch[k].params
        history.append(Trial(len(history), s.params, info=s.info))  # running
    # pending points are avoided: three distinct suggestions, the GP unsure only there
    units = np.array([BRANIN.space.to_unit(s.params) for s in batch])
    assert min(np.linalg.norm(units[i] - units[j]) for i in range(3) for j in range(i)) > 1e-3
    sur = bo.surrogate(history)
    _, sd_pending = sur.predict(units, pending=True)
    _, sd_free = sur.predict(units, pending=False)
    # a fantasised observation with noise σ_n² leaves a variance v·σ_n²/(v + σ_n²) < σ_n²
    noise_sd = math.sqrt(sur.gp.params.noise_variance) * sur.gp.y_std
    assert np.all(sd_pending < noise_sd) and np.all(sd_pending < sd_free)


def test_failed_trials_are_penalised_or_ignored():
    bo = B.BayesianOptimization(BRANIN.space, seed=0)
    trials = _run(bo, BRANIN, 6)
    bad = Trial(6, {"x1": 2.0, "x2": 3.0}, state="failed", error="Diverged")
    sur = B.fit_surrogate(BRANIN.space, trials + [bad])
    assert sur.gp.n == 7 and sur.gp.y[-1] == max(t.value for t in trials)
    sur = B.fit_surrogate(BRANIN.space, trials + [bad], failed="ignore")
    assert sur.gp.n == 6
    abandoned = Trial(6, {"x1": 2.0, "x2": 3.0}, state="abandoned")
    assert B.fit_surrogate(BRANIN.space, trials + [abandoned]).gp.n == 6
    assert B.fit_surrogate(BRANIN.space, trials[:1]) is None
    # with only failures after the design, the strategy falls back to random points
    only_failed = [Trial(i, t.params, state="failed", error="x") for i, t in enumerate(trials)]
    s = bo.ask(only_failed, 1)[0]
    assert s.info["phase"] == "random" and BRANIN.space.check(s.params)


def test_incumbent_is_the_posterior_mean_not_the_lucky_observation():
    space = Space([Uniform("x", 0.0, 1.0)])
    rng = np.random.default_rng(0)
    xs = np.linspace(0, 1, 25)
    ys = (xs - 0.5) ** 2 + 0.05 * rng.standard_normal(25)
    trials = [Trial(i, {"x": float(x)}, state="complete", value=float(y))
              for i, (x, y) in enumerate(zip(xs, ys, strict=True))]
    sur = B.fit_surrogate(space, trials)
    assert sur.best > ys.min() + 0.02  # the lowest observation was noise
    assert abs(sur.best - 0.0) < 0.5 * abs(ys.min() - 0.0)  # f* is nearer the true minimum


def test_mixed_space_suggestions_are_valid_and_improve():
    bo = B.BayesianOptimization(MIXED, seed=0)
    trials = _run(bo, _mixed, 25)
    for t in trials:
        MIXED.check(t.params)
    first = min(t.value for t in trials[:bo.n_initial])
    assert min(t.value for t in trials) < 0.5 * first
    assert trials[-1].info["phase"] == "bayes" and math.isfinite(trials[-1].info["log_ei"])


def test_bo_beats_random_search_on_branin():
    """30 evaluations, 3 seeds: every BO run ends below random search's median regret."""
    bo_regret, rs_regret = [], []
    for seed in range(3):
        bo = _run(B.BayesianOptimization(BRANIN.space, seed=seed), BRANIN, 30)
        rs = _run(RandomSearch(BRANIN.space, seed=seed), BRANIN, 30)
        bo_regret.append(min(t.value for t in bo) - BRANIN.minimum)
        rs_regret.append(min(t.value for t in rs) - BRANIN.minimum)
    assert max(bo_regret) < np.median(rs_regret)
    assert np.median(bo_regret) < 0.1


def test_posterior_on_grid_follows_the_strategy():
    space = Space([LogUniform("learning_rate", 1e-5, 1.0)])
    lr_loss = lambda p: ML_SURROGATE({**ML_SURROGATE.argmins[0], **p})  # noqa: E731
    bo = B.BayesianOptimization(space, n_initial=3, seed=0)
    trials = _run(bo, lr_loss, 6)
    snap = B.posterior_on_grid(bo, trials, n_grid=50)
    assert snap["next"] == bo.ask(trials, 1)[0].params["learning_rate"]
    assert snap["grid"][0] == pytest.approx(1e-5) and snap["grid"][-1] == pytest.approx(1.0)
    assert len(snap["mean"]) == len(snap["std"]) == len(snap["ei"]) == 50
    assert np.all(snap["std"] >= 0) and np.all(snap["ei"] >= 0)
    # the posterior mean passes near the observations (a deterministic objective)
    mean_at = np.interp(np.log(snap["x"]), np.log(snap["grid"]), snap["mean"])
    assert np.max(np.abs(mean_at - snap["y"])) < 0.05 * np.ptp(snap["y"]) + 1e-3
    early = B.posterior_on_grid(bo, trials[:2], n_grid=50)
    assert early["mean"] is None and early["next"] == trials[2].params["learning_rate"]
    with pytest.raises(ValueError, match="1-D"):
        B.posterior_on_grid(B.BayesianOptimization(BRANIN.space), trials)


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="n_initial"):
        B.BayesianOptimization(BRANIN.space, n_initial=0)
    with pytest.raises(ValueError, match="xi"):
        B.BayesianOptimization(BRANIN.space, xi=-1.0)
    with pytest.raises(ValueError, match="failed"):
        B.BayesianOptimization(BRANIN.space, failed="drop")


def test_runs_in_a_study_and_resumes_the_same(tmp_path):
    from surveykit.tuning.study import Study

    path = tmp_path / "bo.db"
    study = Study(BRANIN.space, B.BayesianOptimization(BRANIN.space, seed=0), storage=path)
    study.optimize(BRANIN.objective, 7, progress=None)
    resumed = Study(BRANIN.space, B.BayesianOptimization(BRANIN.space, seed=0), storage=path)
    resumed.optimize(BRANIN.objective, 9, progress=None)
    straight = _run(B.BayesianOptimization(BRANIN.space, seed=0), BRANIN, 9)
    assert [t.params for t in resumed.trials] == [t.params for t in straight]
    assert resumed.trials[-1].info["phase"] == "bayes"
