"""Adequate search (survey §6.4): successive halving and Hyperband against Li et al.'s table,
Optuna's and KerasTuner's schedules; the no-improvement stop against crossval.adequate_stop."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveykit.tuning import LogUniform, Space, Trial, Uniform
from surveykit.tuning.adequate import (
    CurveObjective,
    Hyperband,
    LearningCurves,
    NoImprovement,
    SuccessiveHalving,
    best_trial_at,
    epochs_spent,
    equal_budget_comparison,
    halving_schedule,
    hyperband_schedule,
    incumbent_curve,
    permutation_stops,
    replay_searches,
    simulate,
    stop_index,
    stop_summary,
    successive_halving_round,
    survivors,
)
from surveykit.tuning.strategies import RandomSearch
from surveykit.tuning.study import Study

SPACE = Space([LogUniform("learning_rate", 1e-5, 1e-1), Uniform("dropout", 0.2, 0.5)])

#: Li et al. (2018), Table 1: Hyperband with R = 81, η = 3 — (nᵢ, rᵢ) per bracket s.
LI_TABLE_1 = {
    4: [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    3: [(34, 3), (11, 9), (3, 27), (1, 81)],
    2: [(15, 9), (5, 27), (1, 81)],
    1: [(8, 27), (2, 81)],
    0: [(5, 81)],
}


def quality(p):
    """The loss a configuration reaches with unlimited training (minimum at 0.003, 0.3)."""
    return (math.log10(p["learning_rate"] / 3e-3)) ** 2 / 4 + (p["dropout"] - 0.3) ** 2


def curve_loss(p, budget):
    """A learning curve: the final quality plus a term that shrinks with the epochs."""
    return quality(p) + 0.5 / budget


def run(strategy, f=curve_loss, *, batch=1, max_trials=2000, fail=(), finish_first=None):
    """A local ask/tell loop. ``batch`` trials are asked and then all running ones finish."""
    trials = []
    while len(trials) < max_trials:
        suggestions = strategy.ask(trials, batch)
        if not suggestions:
            assert not [t for t in trials if t.state == "running"]
            break
        for s in suggestions:
            trials.append(Trial(len(trials), dict(s.params), s.budget, info=dict(s.info)))
        for t in trials:
            if t.state == "running":
                if t.number in fail:
                    t.state, t.error = "failed", "boom"
                else:
                    t.state, t.value = "complete", float(f(t.params, t.budget))
    return trials


# ------------------------------------------------------------------ schedules
def test_hyperband_schedule_is_li_et_al_table_1():
    assert hyperband_schedule(1, 81, 3) == LI_TABLE_1
    hb = Hyperband(SPACE, 1, 81, 3)
    assert hb.n_trials() == 81 + 27 + 9 + 3 + 1 + 34 + 11 + 3 + 1 + 15 + 5 + 1 + 8 + 2 + 5
    assert hb.total_budget() == sum(n * r for rungs in LI_TABLE_1.values() for n, r in rungs)
    # the minimum budget only sets the unit: R = max/min
    scaled = hyperband_schedule(2, 162, 3)
    assert scaled == {s: [(n, 2 * r) for n, r in rungs] for s, rungs in LI_TABLE_1.items()}


@pytest.mark.parametrize("min_budget,max_budget,eta", [(1, 81, 3), (1, 27, 3), (1, 100, 3),
                                                        (1, 16, 2), (1, 64, 4), (3, 81, 3)])
def test_hyperband_brackets_equal_optunas(min_budget, max_budget, eta):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pruner = optuna.pruners.HyperbandPruner(min_resource=min_budget, max_resource=max_budget,
                                            reduction_factor=eta)
    pruner._try_initialization(optuna.create_study())
    ours = hyperband_schedule(min_budget, max_budget, eta)
    assert pruner._n_brackets == len(ours)
    exact = max_budget / min_budget == eta ** (len(ours) - 1)
    for bracket_id in range(pruner._n_brackets):  # Optuna's bracket id b is s = s_max − b
        s = pruner._n_brackets - 1 - bracket_id
        assert ours[s][0][0] == pruner._trial_allocation_budgets[bracket_id]
        if exact:  # Optuna's bracket b first judges trials at min_resource · η^b
            assert ours[s][0][1] == min_budget * eta**bracket_id
        else:  # Optuna counts up from min_resource, Li et al. down from max_resource
            assert ours[s][0][1] == pytest.approx(max_budget / eta**s)
            assert ours[s][0][1] >= min_budget * eta**bracket_id


@pytest.mark.parametrize("max_epochs,factor", [(81, 3), (27, 3), (16, 2), (64, 4)])
def test_hyperband_brackets_equal_keras_tuners(max_epochs, factor):
    import keras_tuner

    oracle = keras_tuner.oracles.HyperbandOracle(objective="val_loss", max_epochs=max_epochs,
                                                 factor=factor)
    ours = hyperband_schedule(1, max_epochs, factor)
    assert oracle._get_num_brackets() == len(ours)
    for s, rungs in ours.items():  # KerasTuner's bracket_num is s
        assert oracle._get_num_rounds(s) == len(rungs)
        assert oracle._get_size(s, 0) == rungs[0][0]
        for i, (n, r) in enumerate(rungs):
            assert oracle._get_epochs(s, i) == r
            # KerasTuner rounds the later rung sizes up (⌈·⌉) where Li et al. round down
            assert n <= oracle._get_size(s, i) <= n + 1


def test_halving_schedule_keeps_floor_n_over_eta():
    assert halving_schedule(81, 1, 81, 3) == LI_TABLE_1[4]
    assert halving_schedule(10, 1, 9, 3) == [(10, 1), (3, 3), (1, 9)]
    assert halving_schedule(2, 1, 9, 3) == [(2, 1), (1, 3), (1, 9)]  # at least one
    assert halving_schedule(8, 1, 8, 2) == [(8, 1), (4, 2), (2, 4), (1, 8)]
    assert halving_schedule(9, 1, 10, 3) == [(9, 10 / 9), (3, 10 / 3), (1, 10)]
    assert halving_schedule(5, 4, 4, 3) == [(5, 4)]  # min = max: one rung
    assert [survivors(n, 3) for n in (1, 2, 3, 8, 9, 10, 81)] == [1, 1, 1, 2, 3, 3, 27]


def test_successive_halving_round_keeps_the_lowest_losses():
    kept, budget = successive_halving_round(list("abcdef"), [0.5, 0.1, 0.9, 0.3, np.nan, 0.2],
                                            3.0, 3)
    assert kept == ["b", "f"] and budget == 9.0
    kept, _ = successive_halving_round(["x", "y"], [np.inf, np.nan], 1.0, 2)
    assert kept == ["x"]  # at least one, even if every trial failed


# ------------------------------------------------------------------ successive halving
def test_successive_halving_runs_its_rungs_and_promotes_the_best():
    sh = SuccessiveHalving(SPACE, 27, 1, 27, eta=3, seed=1)
    trials = run(sh)
    assert sh.schedule() == [(27, 1), (9, 3), (3, 9), (1, 27)]
    for i, (n, r) in enumerate(sh.schedule()):
        rung = [t for t in trials if t.info["rung"] == i]
        assert len(rung) == n and all(t.budget == r for t in rung)
        assert all(t.info["bracket"] == 3 for t in rung)
        if i:
            prev = [t for t in trials if t.info["rung"] == i - 1]
            kept, budget = successive_halving_round(prev, [t.value for t in prev],
                                                    prev[0].budget, 3)
            assert [t.info["parent"] for t in rung] == [t.number for t in kept]
            assert budget == r
            assert all(t.params == trials[t.info["parent"]].params for t in rung)
    assert sum(t.budget for t in trials) == sh.total_budget() == 4 * 27
    # rung 0 draws what random search draws at the same trial numbers
    rs = RandomSearch(SPACE, seed=1)
    assert [t.params for t in trials[:27]] == [rs.ask(trials[:k], 1)[0].params
                                              for k in range(27)]
    assert sh.ask(trials, 3) == []  # done


def test_successive_halving_waits_for_an_incomplete_rung():
    sh = SuccessiveHalving(SPACE, 9, 1, 9, eta=3)
    first = sh.ask([], 20)
    assert len(first) == 9 and {s.budget for s in first} == {1.0}
    trials = [Trial(i, s.params, s.budget, info=s.info) for i, s in enumerate(first)]
    for t in trials[:8]:
        t.state, t.value = "complete", curve_loss(t.params, t.budget)
    assert sh.ask(trials, 4) == []  # one rung-0 trial is still running: wait
    trials[8].state, trials[8].value = "complete", curve_loss(trials[8].params, 1)
    promo = sh.ask(trials, 4)
    assert len(promo) == 3 and {s.budget for s in promo} == {3.0}
    assert {s.info["rung"] for s in promo} == {1}


def test_failed_trials_are_never_promoted_and_abandoned_ones_are_redone():
    sh = SuccessiveHalving(SPACE, 9, 1, 9, eta=3, seed=2)
    trials = run(sh, fail={0, 1, 2, 3, 4, 5, 6, 7})  # only trial 8 of rung 0 completes
    assert [t.info["rung"] for t in trials] == [0] * 9 + [1, 2]
    assert trials[9].info["parent"] == 8 and trials[10].info["parent"] == 9
    # a promotion whose process died is asked again
    trials = run(SuccessiveHalving(SPACE, 9, 1, 9, seed=2), max_trials=10)
    trials[9].state = "abandoned"
    again = SuccessiveHalving(SPACE, 9, 1, 9, seed=2).ask(trials, 5)
    assert len(again) == 3 and trials[9].info["parent"] in {s.info["parent"] for s in again}


# ------------------------------------------------------------------ hyperband
def test_hyperband_runs_every_bracket_of_the_table():
    hb = Hyperband(SPACE, 1, 81, 3, seed=0)
    trials = run(hb)
    assert len(trials) == hb.n_trials() == 206
    assert sum(t.budget for t in trials) == hb.total_budget() == 1902
    for s, rungs in LI_TABLE_1.items():
        bracket = [t for t in trials if t.info["bracket"] == s]
        for i, (n, r) in enumerate(rungs):
            rung = [t for t in bracket if t.info["rung"] == i]
            assert len(rung) == n and {t.budget for t in rung} == {float(r)}
    # sequentially, brackets run one after the other, most aggressive first
    order = [t.info["bracket"] for t in trials]
    assert order == sorted(order, reverse=True)
    assert hb.ask(trials, 1) == []


def test_hyperband_in_parallel_runs_the_same_brackets_and_overlaps_them():
    hb = Hyperband(SPACE, 1, 27, 3, seed=0)
    sequential = run(hb)
    parallel = run(hb, batch=5)
    key = lambda t: (t.info["bracket"], t.info["rung"], t.budget)  # noqa: E731
    assert sorted(map(key, parallel)) == sorted(map(key, sequential))
    order = [t.info["bracket"] for t in parallel]
    assert order != sorted(order, reverse=True)  # a waiting bracket lets the next one start


def test_successive_halving_is_hyperbands_most_aggressive_bracket():
    sh = run(SuccessiveHalving(SPACE, 9, 1, 9, seed=4))
    hb = run(Hyperband(SPACE, 1, 9, 3, seed=4))
    first = [t for t in hb if t.info["bracket"] == 2]
    strip = lambda t: (t.params, t.budget, t.value, {k: v for k, v in t.info.items()  # noqa
                                                     if k != "iteration"})
    assert list(map(strip, first)) == list(map(strip, sh))


def test_hyperband_iterations_repeat_the_brackets():
    hb = Hyperband(SPACE, 1, 9, 3, iterations=2)
    trials = run(hb)
    assert len(trials) == hb.n_trials() == 2 * Hyperband(SPACE, 1, 9, 3).n_trials()
    assert {t.info["iteration"] for t in trials} == {0, 1}
    assert trials[0].params != trials[len(trials) // 2].params


def test_hyperband_beats_random_search_at_equal_budget_on_learning_curves():
    """Where a short training ranks configurations as a long one does, judging early pays:
    over 20 seeds, Hyperband's best 27-epoch trial (49 configurations looked at) against
    random search given the same epochs (15 configurations trained for 27 epochs)."""
    from scipy import stats

    hb_best, rs_best = [], []
    for seed in range(20):
        hb = Hyperband(SPACE, 1, 27, 3, seed=seed)
        trials = run(hb)
        assert len({repr(t.params) for t in trials}) == 27 + 12 + 6 + 4
        n_random = int(hb.total_budget() // 27)
        assert n_random == 15
        rs = run(RandomSearch(SPACE, seed=100 + seed), lambda p, b: curve_loss(p, 27),
                 max_trials=n_random)
        hb_best.append(best_trial_at(trials, 27).value)
        rs_best.append(min(t.value for t in rs))
    assert np.median(hb_best) < np.median(rs_best)
    assert stats.wilcoxon(hb_best, rs_best, alternative="less").pvalue < 0.01


def test_hyperband_resumes_in_a_stored_study(tmp_path):
    f = lambda trial: curve_loss(trial.params, trial.budget)  # noqa: E731
    whole = Study(SPACE, Hyperband(SPACE, 1, 9, 3, seed=3)).optimize(f, 100, progress=None)
    assert len(whole.trials) == Hyperband(SPACE, 1, 9, 3).n_trials()  # ran out by itself
    db = tmp_path / "hb.db"
    Study(SPACE, Hyperband(SPACE, 1, 9, 3, seed=3), storage=db).optimize(f, 10, progress=None)
    resumed = Study(SPACE, Hyperband(SPACE, 1, 9, 3, seed=3), storage=db)
    resumed.optimize(f, 100, progress=None)
    got = [(t.params, t.budget, t.info) for t in resumed.trials]
    assert got == [(t.params, t.budget, t.info) for t in whole.trials]


@pytest.mark.parametrize("make,match", [
    (lambda: SuccessiveHalving(SPACE, 0, 1, 9), r"n_configs must be an integer in \[1, inf\)"),
    (lambda: SuccessiveHalving(SPACE, 9, 0, 9), r"min_budget must be in \(0, inf\); got 0"),
    (lambda: SuccessiveHalving(SPACE, 9, 9, 3), r"max_budget must be in \[9, inf\); got 3"),
    (lambda: SuccessiveHalving(SPACE, 9, 1, 9, eta=1), r"eta \(reduction factor\) must be an "
                                                       r"integer in \[2, inf\); got 1"),
    (lambda: Hyperband(SPACE, 1, 9, eta=2.5), r"eta \(reduction factor\) must be an integer"),
    (lambda: Hyperband(SPACE, 1, 9, iterations=0), r"iterations must be an integer"),
    (lambda: Hyperband({"lr": 1}, 1, 9), r"space must be a surveykit.tuning.Space"),
    (lambda: NoImprovement(0), r"patience must be an integer in \[1, inf\); got 0"),
    (lambda: NoImprovement(3, -0.1), r"min_delta must be in \[0, inf\); got -0.1"),
    (lambda: survivors(0, 3), r"n \(configurations\) must be an integer in \[1, inf\)"),
    (lambda: successive_halving_round(["a", "b"], [0.1], 1.0, 3), r"one value per configur"),
    (lambda: successive_halving_round(["a"], [0.1], 0.0, 3), r"budget must be in \(0, inf\)"),
])
def test_errors_name_the_hyperparameter(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ------------------------------------------------------------------ stopping the search
def _trials(values, states=None):
    states = states or ["complete"] * len(values)
    return [Trial(k, {}, state=s, value=None if s != "complete" else v)
            for k, (v, s) in enumerate(zip(values, states, strict=True))]


def test_no_improvement_counts_trials_since_the_last_real_improvement():
    stop = NoImprovement(patience=3)
    values = [0.9, 0.7, 0.75, 0.72, 0.71, 0.6, 0.65]
    since = [NoImprovement(3).since_improvement(_trials(values[:k])) for k in range(8)]
    assert since == [0, 0, 0, 1, 2, 3, 0, 1]
    assert [stop(_trials(values[:k])) for k in range(8)] == [False] * 5 + [True, False, False]
    assert stop_index(_trials(values), stop) == 5
    # min_delta: improvements smaller than it do not count
    small = NoImprovement(patience=2, min_delta=0.05)
    assert stop_index(_trials([1.0, 0.97, 0.96, 0.5]), small) == 3
    # failures count as trials without improvement; running ones are ignored
    mixed = _trials([0.5, None, None, None], ["complete", "failed", "running", "failed"])
    assert NoImprovement(2).since_improvement(mixed) == 2
    assert stop_index(_trials([0.3, 0.2, 0.1]), NoImprovement(5)) == 3  # never fires


@given(st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=40),
       st.integers(1, 6), st.sampled_from([0.0, 0.1, 0.5]))
def test_no_improvement_agrees_with_crossval_adequate_stop(values, patience, min_delta):
    from surveykit.crossval import adequate_stop

    scores = -np.asarray(values)  # adequate_stop maximises a score; we minimise a loss
    expected = int(adequate_stop(scores[None, :], patience, min_delta)[0])
    assert stop_index(_trials(values), NoImprovement(patience, min_delta)) == expected


def test_no_improvement_stops_a_study_where_stop_index_says():
    f = lambda trial: quality(trial.params)  # noqa: E731
    full = Study(SPACE, RandomSearch(SPACE, seed=7)).optimize(f, 40, progress=None)
    values = [t.value for t in full.trials]
    for patience in (2, 4, 8):
        stop = NoImprovement(patience)
        stopped = Study(SPACE, RandomSearch(SPACE, seed=7)).optimize(f, 40, stop=stop,
                                                                     progress=None)
        assert len(stopped.trials) == stop_index(full.trials, stop)
        s = stop_summary(values, stop)
        assert s["trials_run"] == len(stopped.trials) and s["trials_saved"] == 40 - s["trials_run"]
        assert s["best_at_stop"] == stopped.best.value and s["best"] == full.best.value
        assert s["lost"] == pytest.approx(stopped.best.value - full.best.value) and s["lost"] >= 0


def test_permutation_stops_measures_the_risk_of_premature_stopping():
    values = np.random.default_rng(0).uniform(size=30)
    short = permutation_stops(values, NoImprovement(2), n_orders=300)
    long = permutation_stops(values, NoImprovement(10), n_orders=300)
    assert short["trials_run"].mean() < long["trials_run"].mean() <= 30
    assert short["missed_best"].mean() > long["missed_best"].mean() > 0
    assert np.all(short["lost"] >= 0) and np.all((short["lost"] > 0) == short["missed_best"])
    # the chance that patience p stops before the best of n iid trials, exactly when p ≥ n
    assert permutation_stops(values, NoImprovement(30))["missed_best"].sum() == 0
    with pytest.raises(ValueError, match="values must be a non-empty 1-D"):
        stop_summary([], NoImprovement(2))


# ------------------------------------------------------------------ accounting
def test_epochs_spent_with_and_without_resuming():
    trials = run(SuccessiveHalving(SPACE, 9, 1, 9, eta=3))
    assert epochs_spent(trials) == 9 * 1 + 3 * 3 + 1 * 9
    assert epochs_spent(trials, resume=True) == 6 * 1 + 2 * 3 + 1 * 9  # each config: its max
    x, best = incumbent_curve(trials, budget=9)
    assert x[-1] == epochs_spent(trials) and np.isnan(best[:-1]).all()
    assert best[-1] == best_trial_at(trials, 9).value
    x, best = incumbent_curve(trials)
    assert np.all(np.diff(best) <= 0)
    x, _ = incumbent_curve(trials, resume=True)
    assert x[-1] == epochs_spent(trials, resume=True)
    unbudgeted = _trials([0.5, 0.4])
    assert epochs_spent(unbudgeted, default_budget=9) == 18
    with pytest.raises(ValueError, match="has no budget"):
        epochs_spent(unbudgeted)


# ------------------------------------------------------------------ cheap budgets
class _FakeObjective:
    def __init__(self, curve):
        self.curve, self.calls = curve, []

    def evaluate(self, params, budget, seed):
        self.calls.append((budget, seed))

        class E:
            history = {"val_loss": self.curve}
        return E()


def test_curve_objective_reads_the_epoch_of_the_budget():
    from surveykit.tuning.objectives import Diverged

    fake = _FakeObjective([0.9, 0.5, 0.4, 0.35])
    obj = CurveObjective(fake, max_budget=4)
    trial = Trial(0, {"learning_rate": 1e-3}, budget=2.0, seed=5)
    assert obj(trial) == 0.5 and trial.metrics["val_loss"] == [0.9, 0.5]
    assert obj(Trial(1, {}, budget=None)) == 0.35
    assert fake.calls == [(4, 5), (4, 0)]  # always one training of max_budget epochs
    with pytest.raises(ValueError, match=r"budget \(epochs\) must be in \[1, 4\]"):
        obj(Trial(2, {}, budget=9.0))
    with pytest.raises(Diverged, match="diverged before epoch 3"):
        CurveObjective(_FakeObjective([0.9, float("nan")]), 4)(Trial(3, {}, budget=3.0))
    with pytest.raises(ValueError, match="objective must have evaluate"):
        CurveObjective(lambda t: 0.0, 4)


def test_curve_objective_equals_a_fresh_shorter_keras_training():
    from surveykit.tuning.objectives import MLPObjective

    mlp = MLPObjective(seed=0)
    params = {"learning_rate": 3e-3, "dropout": 0.3}
    obj = CurveObjective(mlp, max_budget=3)
    for budget in (1, 2):
        fresh = mlp.evaluate(params, budget, 0).value
        assert obj(Trial(0, params, budget=float(budget))) == pytest.approx(fresh, rel=1e-5)


# ------------------------------------------------------------------ fast paths and the exact law
def test_vectorised_stop_equals_the_generic_rule():
    rng = np.random.default_rng(3)
    values = rng.uniform(size=(50, 30))
    values[rng.uniform(size=values.shape) < 0.1] = np.nan  # some failed trials
    for patience, min_delta in [(1, 0.0), (3, 0.0), (5, 0.05), (40, 0.0)]:
        rule = NoImprovement(patience, min_delta)
        many = rule.trials_run_many(values)
        for row, k in zip(values, many, strict=True):
            trials = [Trial(i, {}, state="complete" if np.isfinite(v) else "failed",
                            value=float(v) if np.isfinite(v) else None)
                      for i, v in enumerate(row)]
            assert k == rule.trials_run(row) == stop_index(trials, rule)
    generic = permutation_stops(values[0], lambda trials: NoImprovement(3)(trials), n_orders=50)
    fast = permutation_stops(values[0], NoImprovement(3), n_orders=50)
    for key in fast:
        np.testing.assert_array_equal(fast[key], generic[key])


def test_missing_the_best_has_the_probability_of_the_trials_saved():
    """Over all orders of n distinct values: P(stop before the best) = 1 − E[trials run]/n."""
    import itertools

    values = np.array([0.9, 0.4, 0.7, 0.2, 0.6, 0.35])
    for patience in (1, 2, 3):
        runs, missed = [], []
        for order in itertools.permutations(values):
            s = stop_summary(order, NoImprovement(patience))
            runs.append(s["trials_run"])
            missed.append(s["lost"] > 0)
        assert np.mean(missed) == pytest.approx(1 - np.mean(runs) / len(values), abs=1e-12)


# ------------------------------------------------------------------ the cheap testbed
def test_learning_curves_shapes_and_ranking():
    from scipy import stats

    space = LearningCurves.space()
    rng = np.random.default_rng(0)
    points = [space.sample(rng) for _ in range(40)]
    flat, slow = LearningCurves(0.0), LearningCurves(1.0)
    p = {"learning_rate": 1e-3, "dropout": 0.3}
    assert flat.final(p) == 0.2 and flat.value(p, 1e6) == pytest.approx(0.2)
    assert flat.value(p, 1e-9) == pytest.approx(math.log(2), abs=1e-6)
    assert slow.tau(p) == pytest.approx(20.0) and flat.tau(p) == 2.0
    early = [flat.value(q, 1) for q in points]
    late = [flat.value(q, 27) for q in points]
    assert stats.spearmanr(early, late).statistic == pytest.approx(1.0)  # k = 0: same ranking
    early = [slow.value(q, 1) for q in points]
    late = [slow.value(q, 27) for q in points]
    assert stats.spearmanr(early, late).statistic < 0.9  # k = 1: curves cross
    for k in (0.0, 1.0):
        lc = LearningCurves(k)
        m = lc.minimum(27)
        grid = [lc.value({"learning_rate": 10.0**x, "dropout": d}, 27)
                for x in np.linspace(-5, -1, 81) for d in (0.2, 0.3, 0.4)]
        assert m <= min(grid) + 1e-12 and m >= 0.2
    with pytest.raises(ValueError, match=r"slowness must be in \[0, 3\]"):
        LearningCurves(-1)
    with pytest.raises(ValueError, match="needs a budget"):
        flat(Trial(0, p))


def test_simulate_is_the_study_loop_without_the_store():
    lc = LearningCurves(0.5)
    sim = simulate(Hyperband(SPACE, 1, 9, seed=2), lc)
    study = Study(SPACE, Hyperband(SPACE, 1, 9, seed=2)).optimize(lc, 200, progress=None)
    assert [(t.params, t.budget, t.value, t.info) for t in sim] == \
        [(t.params, t.budget, t.value, t.info) for t in study.trials]
    assert len(simulate(RandomSearch(SPACE), lc, 5, default_budget=3)) == 5
    failing = simulate(RandomSearch(SPACE), lambda t: math.nan, 3)
    assert [t.state for t in failing] == ["failed"] * 3 and "NonFinite" in failing[0].error
    with pytest.raises(ValueError, match="strategy must be a surveykit Strategy"):
        simulate(lambda trials, n: [], lc)


def test_equal_budget_comparison_and_replays():
    lc = LearningCurves(0.0)
    res = equal_budget_comparison(lc, {"hb": lambda s: Hyperband(SPACE, 1, 9, seed=s)},
                                  range(4), 9)["hb"]
    hb = Hyperband(SPACE, 1, 9)
    assert np.all(res["epochs"] == hb.total_budget())
    assert np.all(res["random_configurations"] == hb.total_budget() // 9)
    assert np.all(res["configurations"] == 9 + 5 + 3)
    assert np.all(res["regret"] >= -1e-12) and np.all(res["random_regret"] >= -1e-12)
    top = best_trial_at(simulate(Hyperband(SPACE, 1, 9, seed=1), lc), 9)
    assert res["regret"][1] == pytest.approx(top.value - lc.minimum(9))
    found = replay_searches({"rs": lambda s: RandomSearch(SPACE, seed=s)},
                            lambda t: quality(t.params), range(3), n_trials=7)["rs"]
    expected = [min(quality(t.params) for t in simulate(RandomSearch(SPACE, seed=s),
                                                        lambda t: 0.0, 7)) for s in range(3)]
    np.testing.assert_allclose(found, expected)
    with pytest.raises(ValueError, match="seeds must hold at least one seed"):
        replay_searches({"rs": lambda s: RandomSearch(SPACE, seed=s)}, quality, [])
    with pytest.raises(ValueError, match="curves must be a LearningCurves"):
        equal_budget_comparison(quality, {}, [0], 9)
