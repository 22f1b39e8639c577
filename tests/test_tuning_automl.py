"""surveykit.tuning.automl: space translations into Optuna, HyperOpt and KerasTuner agree
with surveykit's laws, and every runner evaluates the objective on the same terms."""

import math
import os
import tempfile

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import stats

from surveykit.tuning import automl as A
from surveykit.tuning import automl_plots as AP
from surveykit.tuning.base import Trial
from surveykit.tuning.space import Categorical, Integer, LogUniform, Space, Uniform
from surveykit.tuning.study import trial_seed

SPACE = Space([LogUniform("lr", 1e-5, 1e-1), Integer("units", 4, 64, log=True),
               Uniform("dropout", 0.2, 0.5), Categorical("optimizer", ["adam", "sgd", "rmsprop"]),
               Integer("layers", 1, 3), Categorical("flag", [True, False, None])])
N = 2000  # prior samples per tool: cheap (no objective, the tools' random samplers)


@pytest.fixture(scope="module")
def samples():
    return {tool: A.prior_samples(SPACE, tool, N, seed=3) for tool in A.TOOLS}


# --------------------------------------------------------------------------- translations


def test_optuna_distributions_are_the_same_laws():
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    d = A.to_optuna(SPACE)
    assert list(d) == SPACE.names
    assert d["lr"] == FloatDistribution(1e-5, 1e-1, log=True)
    assert d["dropout"] == FloatDistribution(0.2, 0.5, log=False)
    assert d["units"] == IntDistribution(4, 64, log=True)
    assert d["layers"] == IntDistribution(1, 3, log=False)
    assert d["optimizer"] == CategoricalDistribution(("adam", "sgd", "rmsprop"))
    assert d["flag"] == CategoricalDistribution((True, False, None))


def test_kerastuner_hyperparameters_are_the_same_laws():
    hps = A.to_kerastuner(SPACE)
    by = {hp.name: hp for hp in hps.space}
    assert [hp.name for hp in hps.space] == SPACE.names
    assert (by["lr"].min_value, by["lr"].max_value, by["lr"].sampling) == (1e-5, 1e-1, "log")
    assert (by["dropout"].min_value, by["dropout"].max_value, by["dropout"].sampling) == \
        (0.2, 0.5, "linear")
    # a log-scale integer is a log-scale real on [a − ½, b + ½], rounded by surveykit
    assert type(by["units"]).__name__ == "Float"
    assert (by["units"].min_value, by["units"].max_value, by["units"].sampling) == \
        (3.5, 64.5, "log")
    assert type(by["layers"]).__name__ == "Int"
    assert (by["layers"].min_value, by["layers"].max_value, by["layers"].sampling) == \
        (1, 3, "linear")
    assert list(by["optimizer"].values) == ["adam", "sgd", "rmsprop"]
    assert by["optimizer"].ordered is False
    # bools and None cannot be KerasTuner choices: indices, mapped back by from_tool
    assert list(by["flag"].values) == [0, 1, 2]
    assert A.from_tool(SPACE, {**SPACE.sample(np.random.default_rng(0)), "flag": 2},
                       "kerastuner")["flag"] is None


def test_every_sampled_value_lies_in_its_dimension(samples):
    for tool, pts in samples.items():
        for d in SPACE:
            vals = [p[d.name] for p in pts]
            assert all(d.contains(v) for v in vals), (tool, d.name)
            if isinstance(d, Integer):
                assert all(type(v) is int for v in vals), (tool, d.name)
            if isinstance(d, (Uniform, LogUniform)):
                assert all(type(v) is float for v in vals), (tool, d.name)


def test_log_dimensions_are_sampled_log_uniformly_by_every_tool(samples):
    lo, hi = math.log(1e-5), math.log(1e-1)
    for tool, pts in samples.items():
        x = np.array([p["lr"] for p in pts])
        assert stats.kstest(np.log(x), stats.uniform(lo, hi - lo).cdf).pvalue > 1e-3, tool
        # the test has power: the same draws are far from uniform on the linear scale
        assert stats.kstest(x, stats.uniform(1e-5, 1e-1 - 1e-5).cdf).pvalue < 1e-12, tool
        # a quarter of the draws per decade: §7.4's point about log scales
        decade = np.mean((x >= 1e-3) & (x < 1e-2))
        assert abs(decade - 0.25) < 4 * math.sqrt(0.25 * 0.75 / N), tool


def test_linear_dimensions_are_sampled_uniformly(samples):
    for tool, pts in samples.items():
        x = np.array([p["dropout"] for p in pts])
        assert stats.kstest(x, stats.uniform(0.2, 0.3).cdf).pvalue > 1e-3, tool


def _counts(values, support):
    index = {int(k): i for i, k in enumerate(support)}
    return np.bincount([index[int(v)] for v in values], minlength=len(support))


def test_integer_pmf_is_surveykits_own_law():
    k, p = A.integer_pmf(Integer("n", 1, 3))
    np.testing.assert_array_equal(k, [1, 2, 3])
    np.testing.assert_allclose(p, [1 / 3] * 3)
    k, p = A.integer_pmf(Integer("n", 1, 2, log=True))
    np.testing.assert_allclose(p, [math.log(3) / math.log(5), math.log(5 / 3) / math.log(5)])
    # the bins of Integer.from_unit: measure them on a fine grid of u
    dim = Integer("units", 4, 64, log=True)
    u = (np.arange(200_000) + 0.5) / 200_000
    measured = np.bincount([dim.from_unit(x) - 4 for x in u], minlength=61) / len(u)
    np.testing.assert_allclose(measured, A.integer_pmf(dim)[1], atol=2e-5)


def test_integer_dimensions_follow_each_tools_law(samples):
    log_dim, lin_dim = SPACE["units"], SPACE["layers"]
    for tool, pts in samples.items():
        support, p = A.integer_pmf(log_dim)
        counts = _counts([q["units"] for q in pts], support)
        assert stats.chisquare(counts, p * N).pvalue > 1e-3, tool
        support, p = A.integer_pmf(lin_dim)
        counts = _counts([q["layers"] for q in pts], support)
        assert stats.chisquare(counts, p * N).pvalue > 1e-3, tool


def test_why_kerastuners_own_log_int_is_not_used():
    """KerasTuner's Int(sampling="log") floors (a slightly different law) and returns
    b + 1 at u = 1, a corner its Bayesian optimizer reaches; the translation does neither."""
    import keras_tuner

    dim = SPACE["units"]
    native = keras_tuner.HyperParameters()
    native.Int("units", 4, 64, sampling="log")
    (kt_int,) = native.space
    _, ours = A.integer_pmf(dim)
    _, kt = A.kerastuner_log_int_pmf(dim)
    assert kt.sum() == pytest.approx(1.0) and ours.sum() == pytest.approx(1.0)
    assert 0.005 < 0.5 * np.abs(ours - kt).sum() < 0.05
    u = (np.arange(100_000) + 0.5) / 100_000
    measured = np.bincount([kt_int.prob_to_value(x) - 4 for x in u], minlength=61) / len(u)
    np.testing.assert_allclose(measured, kt, atol=3e-5)
    assert kt_int.prob_to_value(1.0) == 65  # outside [4, 64]
    # ours: a log-scale real on [3.5, 64.5], rounded with surveykit's bins
    (ours_hp,) = [h for h in A.to_kerastuner(Space([dim])).space]
    ends = [ours_hp.prob_to_value(0.0), ours_hp.prob_to_value(1.0)]
    assert ends == pytest.approx([3.5, 64.5])
    assert [A.from_tool(Space([dim]), {"units": e}, "kerastuner")["units"] for e in ends] \
        == [4, 64]
    with pytest.raises(ValueError, match="units"):
        A.from_tool(Space([dim]), {"units": 65}, "kerastuner")


def test_kerastuner_bayesian_search_at_the_top_of_a_log_integer_range_stays_in_range():
    """The objective pushes KerasTuner's GP to the corner u = 1 (largest units)."""
    space = Space([Integer("units", 4, 64, log=True)])
    calls = []
    rec = A.run_kerastuner(lambda t: calls.append(t) or -float(t.params["units"]), space, 5,
                           0, n_initial=3)
    assert len(calls) == 5 and rec.n_failed == 0
    assert all(4 <= p["units"] <= 64 for p in rec.params)
    assert rec.best_params == {"units": 64}


def test_hyperopt_uniformint_would_halve_the_end_points():
    """Why the translation uses quniform on [a − ½, b + ½] rather than hp.uniformint."""
    from hyperopt import hp
    from hyperopt.pyll import stochastic

    rng = np.random.default_rng(0)
    draws = [stochastic.sample(hp.uniformint("n", 1, 3), rng=rng) for _ in range(3000)]
    freq = np.bincount(draws, minlength=4)[1:] / len(draws)
    np.testing.assert_allclose(freq, [0.25, 0.5, 0.25], atol=0.03)
    ours = [s["layers"] for s in A.prior_samples(Space([SPACE["layers"]]), "hyperopt", 3000)]
    np.testing.assert_allclose(np.bincount(ours, minlength=4)[1:] / 3000, [1 / 3] * 3, atol=0.03)


def test_categorical_choices_are_preserved(samples):
    for tool, pts in samples.items():
        for name in ("optimizer", "flag"):
            dim = SPACE[name]
            seen = [p[name] for p in pts]
            idx = [dim.index(v) for v in seen]
            assert sorted(set(idx)) == list(range(len(dim.choices))), (tool, name)
            counts = np.bincount(idx)
            assert stats.chisquare(counts).pvalue > 1e-3, (tool, name)
        assert all(p["flag"] is None or type(p["flag"]) is bool for p in pts), tool


def test_translation_report_agrees_and_can_disagree():
    rows = A.translation_report(SPACE, n=1000, seed=1)
    assert len(rows) == 3 * len(SPACE)
    assert all(r.agrees for r in rows)
    assert {r.law for r in rows if r.name == "units"} == {"log-scale integer bins (χ²)"}
    # a dimension sampled on the wrong scale is caught
    wrong = A.TranslationCheck("x", "lr", "log-uniform", True, 0.5, 1e-30)
    assert not wrong.agrees


def test_from_tool_never_clips():
    point = SPACE.sample(np.random.default_rng(1))
    with pytest.raises(ValueError, match="units"):
        A.from_tool(SPACE, {**point, "units": 65}, "optuna")
    with pytest.raises(ValueError, match="not an integer"):
        A.from_tool(SPACE, {**point, "units": 12.5}, "hyperopt")
    with pytest.raises(ValueError, match="lr"):
        A.from_tool(SPACE, {**point, "lr": 0.5, "flag": 0}, "kerastuner")
    with pytest.raises(ValueError, match="flag"):
        A.from_tool(SPACE, {**point, "flag": 3}, "kerastuner")
    with pytest.raises(ValueError, match="no value for 'dropout'"):
        A.from_tool(SPACE, {k: v for k, v in point.items() if k != "dropout"}, "optuna")
    with pytest.raises(ValueError, match="tool must be one of"):
        A.from_tool(SPACE, point, "ray")
    assert A.from_tool(SPACE, {**point, "units": 12.0}, "hyperopt")["units"] == 12


# --------------------------------------------------------------------------- runners

SMALL = Space([LogUniform("lr", 1e-4, 1e-1), Integer("units", 4, 32, log=True),
               Categorical("act", ["relu", "tanh"]), Categorical("flag", [True, None])])


class Counting:
    """A trivial objective that counts its calls and fails on some points."""

    def __init__(self, fail=lambda p: p["flag"] is None and p["act"] == "tanh"):
        self.calls, self.fail = [], fail

    def __call__(self, trial):
        assert isinstance(trial, Trial)
        self.calls.append(trial)
        p = trial.params
        if self.fail(p):
            if p["units"] % 2:
                raise RuntimeError("diverged")
            return float("nan")
        return (math.log10(p["lr"]) + 2.5) ** 2 + (p["act"] == "tanh") * 0.2


RUNNERS = {
    "optuna": lambda f, n, seed, **kw: A.run_optuna(f, SMALL, n, seed, **kw),
    "hyperopt": lambda f, n, seed, **kw: A.run_hyperopt(f, SMALL, n, seed, **kw),
    "kerastuner": lambda f, n, seed, **kw: A.run_kerastuner(f, SMALL, n, seed, oracle="random",
                                                            **kw),
}


@pytest.mark.parametrize("tool", list(RUNNERS))
def test_runner_calls_the_objective_n_trials_times_and_records_failures(tool):
    f = Counting()
    rec = RUNNERS[tool](f, 12, 0, budget=3)
    assert len(f.calls) == rec.n_trials == 12
    assert [t.number for t in rec.trials] == list(range(12))
    assert all(t.budget == 3 for t in f.calls)
    assert [t.seed for t in f.calls] == [trial_seed(0, k) for k in range(12)]  # as Study
    assert [t.params for t in f.calls] == rec.params
    failing = [f.fail(p) for p in rec.params]
    assert any(failing) and not all(failing)  # the seed exercises both paths
    assert rec.n_failed == sum(failing)
    np.testing.assert_array_equal(np.isnan(rec.values), failing)
    for t, bad in zip(rec.trials, failing, strict=True):
        assert t.state == ("failed" if bad else "complete")
        if bad:
            assert t.value is None
            assert t.error == ("RuntimeError: diverged" if t.params["units"] % 2 else
                               "NonFiniteValue: the objective returned nan (a finite loss "
                               "is needed)")
        assert t.duration is not None and t.duration >= 0
    ok = rec.values[~np.isnan(rec.values)]
    assert rec.best_value == ok.min()
    assert rec.values[rec.trials_to_best - 1] == ok.min()
    assert rec.overhead_seconds >= 0 and rec.seconds >= rec.objective_seconds


@pytest.mark.parametrize("tool", list(RUNNERS))
def test_a_search_where_every_trial_fails_still_runs_all_trials(tool):
    f = Counting(fail=lambda p: True)
    rec = RUNNERS[tool](f, 6, 1)
    assert len(f.calls) == 6 and rec.n_failed == 6
    assert rec.best is None and math.isnan(rec.best_value) and rec.trials_to_best is None
    assert np.all(np.isnan(rec.best_so_far()))


SEEDED = {
    "optuna": lambda f, seed: A.run_optuna(f, SMALL, 8, seed, sampler="tpe", n_initial=3),
    "hyperopt": lambda f, seed: A.run_hyperopt(f, SMALL, 8, seed, algorithm="tpe",
                                               n_initial=3),
    "kerastuner": lambda f, seed: A.run_kerastuner(f, SMALL, 8, seed, oracle="random"),
}


@pytest.mark.parametrize("tool", list(SEEDED))
def test_runners_are_deterministic_with_a_seed(tool):
    a, b, c = (SEEDED[tool](Counting(), s) for s in (5, 5, 6))
    assert a.params == b.params
    np.testing.assert_array_equal(a.values, b.values)
    assert a.params != c.params


def test_kerastuner_bayesian_oracle_runs_deterministically_in_a_temporary_directory(capfd):
    before = set(os.listdir(tempfile.gettempdir()))
    # one proposal by the Gaussian process after 3 random trials, on one dimension (each
    # proposal costs KerasTuner 50 L-BFGS-B restarts on its acquisition: up to seconds)
    space = Space([SMALL["lr"]])
    f = lambda t: (math.log10(t.params["lr"]) + 2.5) ** 2  # noqa: E731
    a = A.run_kerastuner(f, space, 4, 0, n_initial=3)
    b = A.run_kerastuner(f, space, 4, 0, n_initial=3)
    assert a.n_trials == 4 and a.algorithm == "BayesianOptimization"
    assert a.params == b.params
    after = set(os.listdir(tempfile.gettempdir()))
    assert not [d for d in after - before if d.startswith("surveykit-kerastuner-")]
    assert not os.path.exists("untitled_project") and not os.path.exists("search")
    out, err = capfd.readouterr()
    assert "Trial" not in out and "Search" not in out


def test_tpe_runners_leave_their_random_phase_after_n_initial():
    """TPE proposes differently from its random sampler after n_initial trials: the first
    n_initial points are the random sampler's, later ones are not."""
    tpe = A.run_optuna(Counting(), SMALL, 8, 2, sampler="tpe", n_initial=4)
    rnd = A.run_optuna(Counting(), SMALL, 8, 2, sampler="random")
    assert tpe.params[:4] == rnd.params[:4]
    assert tpe.params[4:] != rnd.params[4:]


@pytest.mark.parametrize("tool,translate,run", [
    ("optuna", "to_optuna", lambda f, sp: A.run_optuna(f, sp, 20, 0, sampler="random")),
    ("hyperopt", "to_hyperopt", lambda f, sp: A.run_hyperopt(f, sp, 20, 0, algorithm="random")),
    ("kerastuner", "to_kerastuner",
     lambda f, sp: A.run_kerastuner(f, sp, 20, 0, oracle="random")),
])
def test_a_proposal_outside_the_space_stops_the_search_loudly(monkeypatch, tool, translate,
                                                              run):
    """A tool that samples outside the range is a bug to see: every runner raises."""
    narrow = Space([Integer("units", 4, 64)])
    wide = Space([Integer("units", 4, 400)])
    original = getattr(A, translate)
    monkeypatch.setattr(A, translate, lambda space: original(wide))
    calls = []
    with pytest.raises(ValueError, match="units must be in integers \\[4, 64\\]"):
        run(lambda t: calls.append(t) or 0.0, narrow)
    assert all(4 <= t.params["units"] <= 64 for t in calls)


def test_runners_are_quiet(capfd):
    A.run_optuna(Counting(), SMALL, 5, 0)
    A.run_hyperopt(Counting(), SMALL, 5, 0)
    A.run_kerastuner(Counting(), SMALL, 5, 0, oracle="random")
    out, err = capfd.readouterr()
    assert out == ""
    assert "Trial" not in err and "best loss" not in err and "Warning" not in err


def test_runners_validate_their_arguments():
    f = Counting()
    with pytest.raises(ValueError, match="n_trials must be an integer in \\[1, inf\\)"):
        A.run_optuna(f, SMALL, 0)
    with pytest.raises(ValueError, match="sampler must be one of"):
        A.run_optuna(f, SMALL, 3, sampler="cmaes")
    with pytest.raises(ValueError, match="algorithm must be one of"):
        A.run_hyperopt(f, SMALL, 3, algorithm="bayes")
    with pytest.raises(ValueError, match="oracle must be one of"):
        A.run_kerastuner(f, SMALL, 3, oracle="hyperband")
    with pytest.raises(ValueError, match="space must be a surveykit.tuning.Space"):
        A.run_hyperopt(f, {"lr": (0, 1)}, 3)
    with pytest.raises(ValueError, match="objective must be callable"):
        A.run_optuna(None, SMALL, 3)
    with pytest.raises(ValueError, match="seed must be an integer"):
        A.run_optuna(f, SMALL, 3, seed=-1)
    with pytest.raises(ValueError, match="n_initial must be an integer"):
        A.run_kerastuner(f, SMALL, 3, n_initial=0)
    assert f.calls == []


# --------------------------------------------------------------------------- side by side

LINE = Space([LogUniform("lr", 1e-4, 1e-1)])  # one dimension: KerasTuner's GP is quick


def parabola(trial):
    return (math.log10(trial.params["lr"]) + 2.5) ** 2


def test_run_method_runs_each_method_on_the_same_terms():
    for method in A.METHODS:
        rec = A.run_method(method, parabola, LINE, 5, 1, n_initial=3)
        assert rec.label == method
        assert rec.n_trials == 5 and rec.n_failed == 0 and rec.seed == 1
        assert [t.seed for t in rec.trials] == [trial_seed(1, k) for k in range(5)]
        assert all(LINE["lr"].contains(p["lr"]) for p in rec.params)
    with pytest.raises(ValueError, match="method must be one of"):
        A.run_method("Ray Tune", parabola, LINE, 5)


def test_run_method_random_is_surveykits_random_search():
    from surveykit.tuning.strategies import RandomSearch

    rec = A.run_method("surveykit random", parabola, LINE, 4, 3)
    rng = RandomSearch(LINE, seed=3)
    assert rec.params == [LINE.sample(rng.rng(k)) for k in range(4)]


def test_compare_runs_every_method_for_every_seed():
    out = A.compare(parabola, LINE, 4, seeds=(0, 1), methods=("surveykit random", "Optuna TPE"),
                    n_initial=2)
    assert list(out) == ["surveykit random", "Optuna TPE"]
    assert [[r.seed for r in recs] for recs in out.values()] == [[0, 1], [0, 1]]
    assert out["Optuna TPE"][0].params != out["Optuna TPE"][1].params
    with pytest.raises(ValueError, match="at least one method"):
        A.compare(parabola, LINE, 4, seeds=())


def test_default_startup_is_random_until_each_tools_default():
    # SMALL has 4 dimensions: 10 (Optuna), 20 (HyperOpt), 12 (KerasTuner) random trials
    assert A.default_startup_is_random(Counting(), SMALL, 6) == {
        "Optuna TPE": True, "HyperOpt TPE": True, "KerasTuner BO": True}
    # one dimension: KerasTuner's default is max(3·1, 3) = 3, so trial 4 is its GP's
    assert A.default_startup_is_random(parabola, LINE, 5) == {
        "Optuna TPE": True, "HyperOpt TPE": True, "KerasTuner BO": False}


def test_holdout_score_retrains_the_searchs_model_and_scores_it_on_test():
    from sklearn.metrics import log_loss

    from surveykit.tuning import objectives

    objective = objectives.mlp_objective(epochs=2, seed=0)
    params = {"learning_rate": 3e-3, "units": 8}
    h = A.holdout_score(objective, params)
    assert h.reproduces_search and h.search_value == objective.evaluate(params).value
    split = objective.split
    p = np.asarray(h.model(split.X_test, training=False))[:, 0].astype(float)
    assert h.test_loss == pytest.approx(log_loss(split.y_test, p), rel=1e-4)
    assert h.test_accuracy == pytest.approx(np.mean((p > 0.5) == (split.y_test == 1)))
    with pytest.raises(ValueError, match="MLPObjective"):
        A.holdout_score(parabola, params)


# --------------------------------------------------------------------------- the record


def _record(values, name="x"):
    trials = []
    for i, v in enumerate(values):
        t = Trial(i, {"lr": 0.01}, started=10.0 + i, finished=10.5 + i)
        if v is None:
            t.state, t.error = "failed", "boom"
        else:
            t.state, t.value = "complete", v
        trials.append(t)
    return A.SearchRecord(name, "algo", trials, seconds=len(values) * 0.75, seed=0)


def test_record_best_so_far_and_trials_to_best_exact():
    r = _record([None, 0.5, 0.7, 0.3, None, 0.3, 0.4])
    np.testing.assert_array_equal(r.best_so_far(), [np.nan, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3])
    np.testing.assert_array_equal(np.isnan(r.values), [1, 0, 0, 0, 1, 0, 0])
    assert r.best_value == 0.3 and r.trials_to_best == 4 and r.n_failed == 2
    assert r.objective_seconds == pytest.approx(3.5)
    assert r.overhead_seconds == pytest.approx(7 * 0.75 - 3.5)
    assert A.trials_to_reach(r, 0.5) == 2 and A.trials_to_reach(r, 0.31) == 4
    assert A.trials_to_reach(r, 0.1) is None
    s = r.summary()
    assert s["best_value"] == 0.3 and s["trials_to_best"] == 4 and s["n_trials"] == 7


def test_pooled_trials_renumbers_copies():
    a, b = _record([0.5, None], "A"), _record([0.25], "B")
    pooled = A.pooled_trials([a, b])
    assert [t.number for t in pooled] == [0, 1, 2]
    assert [t.info["search"] for t in pooled] == ["A algo", "A algo", "B algo"]
    assert [t.value for t in pooled] == [0.5, None, 0.25]
    assert [t.number for t in a.trials] == [0, 1]  # the records are untouched


def test_comparison_table():
    a, b = _record([0.5, 0.25], "A"), _record([None, 0.125, 0.2], "B")
    text = A.comparison_table([a, b], extra={"test": [0.3, 0.1]})
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["search", "best", "at", "trial"]
    assert lines[1].split()[:6] == ["A", "algo", "0.2500", "2/2", "0", "0.3000"]
    assert lines[2].split()[:6] == ["B", "algo", "0.1250", "2/3", "1", "0.1000"]
    assert "s" in lines[1].split()
    assert "wall" not in A.comparison_table([a], times=False)
    with pytest.raises(ValueError, match="needs 2 values"):
        A.comparison_table([a, b], extra={"test": [1.0]})


def test_named_tools_say_which_run_here():
    rows = {r["tool"]: r for r in A.named_tools()}
    assert list(rows) == ["Optuna", "HyperOpt", "KerasTuner", "Ray Tune", "Auto-sklearn",
                          "Google AutoML"]
    import importlib.metadata as md

    for tool, dist in [("Optuna", "optuna"), ("HyperOpt", "hyperopt"),
                       ("KerasTuner", "keras-tuner")]:
        assert rows[tool]["installed"] and rows[tool]["version"] == md.version(dist)
    assert rows["Google AutoML"]["installed"] is False
    assert "cloud" in rows["Google AutoML"]["note"]


# --------------------------------------------------------------------------- plots


def test_best_so_far_figure_draws_each_search():
    a, b = _record([0.5, 0.25, 0.4], "A"), _record([None, 0.125, 0.2], "B")
    fig = AP.best_so_far([a, b], title="t")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    steps = [line for line in ax.get_lines() if line.get_linewidth() == 2]
    np.testing.assert_array_equal(steps[0].get_ydata(), [0.5, 0.25, 0.25])
    np.testing.assert_array_equal(steps[1].get_ydata(), [np.nan, 0.125, 0.125])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["A algo: 0.25 at trial 2", "B algo: 0.125 at trial 2, 1 failed"]
    crosses = [line for line in ax.get_lines() if line.get_marker() == "x"]
    assert len(crosses) == 1 and list(crosses[0].get_xdata()) == [1]
    with pytest.raises(ValueError, match="SearchRecord"):
        AP.best_so_far([])


def test_comparison_and_seed_spread_figures():
    a, b = _record([0.5, 0.25], "A"), _record([None, 0.125], "B")
    fig = AP.comparison([a, b], scores=[0.3, 0.2])
    ax1, ax2 = fig.axes[:2]
    widths = sorted(p.get_width() for p in ax1.patches)
    assert widths == sorted([0.25, 0.125, 0.3, 0.2])
    time_bars = [p.get_width() for p in ax2.patches]
    assert time_bars[:2] == pytest.approx([1.0, 1.0])  # objective seconds: 2 × 0.5
    assert time_bars[2:] == pytest.approx([0.5, 0.5])  # the rest of 1.5 s
    fig = AP.seed_spread({"A": [a, _record([0.1])], "B": [b]}, optimum=0.0)
    (ax,) = fig.axes
    medians = [line for line in ax.get_lines() if line.get_color() == "k"]
    assert [m.get_ydata()[0] for m in medians] == pytest.approx([(0.25 + 0.1) / 2, 0.125])


def test_replay_shows_the_trials_up_to_the_slider():
    a = _record([0.5, 0.25, 0.4], "A")
    b = _record([None, 0.125, 0.2], "B")
    lr = LogUniform("lr", 1e-3, 1e-1)
    fig = AP.replay([a, b], 2, dimension=lr, n_initial=1)
    ax1, ax2 = fig.axes
    assert ax1.get_xscale() == "log"
    points = [line for line in ax1.get_lines() if line.get_marker() == "o"
              and line.get_markersize() == 5]
    assert [list(p.get_ydata()) for p in points] == [[0.5, 0.25], [0.125]]
    ringed = [line for line in ax1.get_lines() if line.get_markersize() == 13]
    assert [list(r.get_ydata()) for r in ringed] == [[0.25], [0.125]]
    crosses = [line for line in ax1.get_lines() if line.get_marker() == "x"]
    assert len(crosses) == 1
    steps = [line for line in ax2.get_lines() if line.get_linewidth() == 2]
    np.testing.assert_array_equal(steps[0].get_ydata(), [0.5, 0.25])
    np.testing.assert_array_equal(steps[1].get_ydata(), [np.nan, 0.125])
    only_b = AP.replay([a, b], 3, dimension=lr, method="B algo")
    assert [t.get_text() for t in only_b.legends[0].get_texts()] == ["B algo"]
    with pytest.raises(ValueError, match="trial must be an integer in \\[1, 3\\]"):
        AP.replay([a, b], 4, dimension=lr)
    with pytest.raises(ValueError, match="method must be 'all' or one of"):
        AP.replay([a, b], 1, dimension=lr, method="C")


def test_replay_panel_moves_without_errors():
    from surveykit import widgets

    a, b = _record([0.5, 0.25, 0.4], "A"), _record([None, 0.125, 0.2], "B")
    lr = LogUniform("lr", 1e-3, 1e-1)
    panel = widgets.panel(lambda trial, method: AP.replay([a, b], trial, dimension=lr,
                                                          method=method),
                          trial=widgets.int_slider(1, 3, 2),
                          method=widgets.choice(["all", "A algo", "B algo"], "all"))
    for value in (1, 3):
        panel.controls["trial"].value = value
        assert panel.error is None
    panel.controls["method"].value = "B algo"
    assert panel.error is None and panel.calls == 4
