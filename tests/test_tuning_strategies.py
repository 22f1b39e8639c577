"""Grid, random and coarse-to-fine search (survey §6.2, §6.3, §6.5): against itertools /
scikit-learn's ParameterGrid, scipy's distributions, and the stateless ask contract."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from sklearn.model_selection import ParameterGrid

from surveykit.tuning import Categorical, Integer, LogUniform, Space, Trial, Uniform
from surveykit.tuning.strategies import CoarseToFine, GridSearch, RandomSearch, same_point, zoom_box
from surveykit.tuning.study import Study

SURVEY_GRID = {"learning_rate": [0.001, 0.01, 0.1], "batch_size": [16, 32, 64]}
GRID_SPACE = Space([LogUniform("learning_rate", 1e-3, 1e-1),
                    Integer("batch_size", 16, 64, log=True)])
RANDOM_SPACE = Space([LogUniform("learning_rate", 1e-5, 1e-1), Uniform("dropout", 0.2, 0.5)])


def run(strategy, f, *, batch=1, max_trials=500, fail=()):
    """A local ask/tell loop: ask up to ``batch``, then finish every running trial."""
    trials = []
    while len(trials) < max_trials:
        suggestions = strategy.ask(trials, min(batch, max_trials - len(trials)))
        if not suggestions:
            break
        for s in suggestions:
            trials.append(Trial(len(trials), dict(s.params), s.budget, info=dict(s.info)))
        for t in trials:
            if t.state == "running":
                if t.number in fail:
                    t.state, t.error = "failed", "boom"
                else:
                    t.state, t.value = "complete", float(f(t.params))
    return trials


def bowl(p):
    """Minimum 0 at learning rate 0.007, dropout 0.3 (log scale for the learning rate)."""
    return (math.log10(p["learning_rate"] / 0.007)) ** 2 + 4 * (p["dropout"] - 0.3) ** 2


# ------------------------------------------------------------------ grid search (§6.2)
def test_survey_grid_is_the_cartesian_product_of_9_models():
    g = GridSearch(GRID_SPACE, values=SURVEY_GRID)
    assert len(g) == 9
    expected = [dict(zip(SURVEY_GRID, combo, strict=True))
                for combo in itertools.product(*SURVEY_GRID.values())]
    assert g.points == expected  # itertools.product order: the last dimension fastest
    sklearn_grid = list(ParameterGrid(SURVEY_GRID))
    assert sorted(map(repr, map(sorted, (p.items() for p in g.points)))) == \
        sorted(map(repr, map(sorted, (p.items() for p in sklearn_grid))))
    trials = run(g, lambda p: p["learning_rate"])
    assert [t.params for t in trials] == expected
    assert [t.info["index"] for t in trials] == list(range(9))
    assert g.ask(trials, 5) == []  # nothing left


def test_grid_with_n_points_per_dimension_in_each_scale():
    g = GridSearch(GRID_SPACE, 3)
    lrs = sorted({p["learning_rate"] for p in g.points})
    np.testing.assert_allclose(lrs, [0.001, 0.01, 0.1], rtol=1e-12)
    assert sorted({p["batch_size"] for p in g.points}) == [16, 32, 64]
    space = Space([Uniform("dropout", 0.2, 0.5), Categorical("act", ["relu", "tanh"])])
    g = GridSearch(space, values={"dropout": 4, "act": ["tanh"]})
    assert [p["dropout"] for p in g.points] == pytest.approx(list(np.linspace(0.2, 0.5, 4)))
    assert {p["act"] for p in g.points} == {"tanh"}
    assert len(GridSearch(space, 2)) == 4  # categorical: every choice


def test_grid_parallel_asks_distinct_points_and_retries_abandoned_ones():
    g = GridSearch(GRID_SPACE, values=SURVEY_GRID)
    first = g.ask([], 4)
    assert [s.info["index"] for s in first] == [0, 1, 2, 3]
    trials = [Trial(i, s.params, info=s.info) for i, s in enumerate(first)]
    trials[1].state = "abandoned"
    trials[2].state, trials[2].error = "failed", "x"
    nxt = g.ask(trials, 3)
    assert [s.info["index"] for s in nxt] == [1, 4, 5]  # 1 again; failed 2 is not retried


def test_grid_shuffle_is_a_seeded_permutation():
    a = GridSearch(GRID_SPACE, values=SURVEY_GRID, shuffle=True, seed=1).points
    b = GridSearch(GRID_SPACE, values=SURVEY_GRID, shuffle=True, seed=1).points
    c = GridSearch(GRID_SPACE, values=SURVEY_GRID, shuffle=True, seed=2).points
    plain = GridSearch(GRID_SPACE, values=SURVEY_GRID).points
    assert a == b and a != c and a != plain
    key = lambda p: (p["learning_rate"], p["batch_size"])  # noqa: E731
    assert sorted(a, key=key) == sorted(plain, key=key)


@pytest.mark.parametrize("kwargs,match", [
    ({}, r"give either n .* or values"),
    ({"n": 3, "values": SURVEY_GRID}, r"give either n"),
    ({"n": 0}, r"n \(grid points per dimension\) must be an integer in \[1, inf\)"),
    ({"values": {"momentum": [0.9]}}, r"values names \['momentum'\] are not dimensions"),
    ({"values": [0.1, 0.01]}, r"values must be a dict"),
    ({"values": {"learning_rate": [0.5], "batch_size": [16]}}, r"learning_rate must be in"),
    ({"n": 3, "seed": -1}, r"seed must be an integer in \[0, inf\)"),
])
def test_grid_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GridSearch(GRID_SPACE, **kwargs)
    with pytest.raises(ValueError, match=r"space must be a surveykit.tuning.Space"):
        GridSearch({"learning_rate": [0.1]}, 3)


# ------------------------------------------------------------------ random search (§6.3)
def test_random_search_samples_each_dimension_in_its_own_scale_ks():
    rs = RandomSearch(RANDOM_SPACE, seed=3)
    trials = run(rs, bowl, batch=50, max_trials=2000)
    lr = np.array([t.params["learning_rate"] for t in trials])
    dropout = np.array([t.params["dropout"] for t in trials])
    assert stats.kstest(lr, stats.loguniform(1e-5, 1e-1).cdf).pvalue > 0.01
    assert stats.kstest(dropout, stats.uniform(0.2, 0.3).cdf).pvalue > 0.01
    assert stats.kstest(lr, stats.uniform(1e-5, 1e-1).cdf).pvalue < 1e-10  # not linear
    # each decade of the learning rate gets a quarter of the samples (§7.4)
    shares = np.histogram(np.log10(lr), bins=[-5, -4, -3, -2, -1])[0] / lr.size
    np.testing.assert_allclose(shares, 0.25, atol=0.04)


def test_random_search_survey_example_30_samples_is_deterministic_and_resumable():
    rs = RandomSearch(RANDOM_SPACE, seed=0)
    trials = run(rs, bowl, max_trials=30)
    assert len(trials) == 30
    assert all(RANDOM_SPACE.check(t.params) for t in trials)
    again = run(RandomSearch(RANDOM_SPACE, seed=0), bowl, batch=7, max_trials=30)
    assert [t.params for t in again] == [t.params for t in trials]  # batch size irrelevant
    # trial k only depends on (seed, k): asking on any prefix gives trial k's point
    for k in (0, 11, 29):
        assert rs.ask(trials[:k], 1)[0].params == trials[k].params
    other = run(RandomSearch(RANDOM_SPACE, seed=1), bowl, max_trials=30)
    assert [t.params for t in other] != [t.params for t in trials]


def test_random_search_resumes_in_a_stored_study(tmp_path):
    f = lambda trial: bowl(trial.params)  # noqa: E731
    whole = Study(RANDOM_SPACE, RandomSearch(RANDOM_SPACE, seed=5)).optimize(f, 12, progress=None)
    db = tmp_path / "s.db"
    Study(RANDOM_SPACE, RandomSearch(RANDOM_SPACE, seed=5), storage=db).optimize(
        f, 5, progress=None)
    resumed = Study(RANDOM_SPACE, RandomSearch(RANDOM_SPACE, seed=5), storage=db)
    resumed.optimize(f, 12, progress=None)
    assert [t.params for t in resumed.trials] == [t.params for t in whole.trials]


# ------------------------------------------------------------------ coarse to fine (§6.5)
def test_zoom_box_is_the_bounding_box_with_a_margin_shifted_inside():
    lo, hi = zoom_box([[0.5, 0.2], [0.6, 0.3]], 0.1)
    np.testing.assert_allclose(lo, [0.4, 0.1])
    np.testing.assert_allclose(hi, [0.7, 0.4])
    lo, hi = zoom_box([[0.98]], 0.25)  # at the edge: shifted back, same width
    np.testing.assert_allclose([lo[0], hi[0]], [0.5, 1.0])
    lo, hi = zoom_box([[0.0], [1.0]], 0.2)  # never wider than the whole range
    np.testing.assert_allclose([lo[0], hi[0]], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"margin must be in \(0, 0.5\]"):
        zoom_box([[0.5]], 0.0)


def test_coarse_to_fine_on_the_learning_rate_zooms_by_decades():
    space = Space([LogUniform("learning_rate", 1e-3, 1e-1)])
    c2f = CoarseToFine(space, phases=4, per_phase=3, top=1, margin=0.25, sampler="grid")
    f = lambda p: abs(math.log10(p["learning_rate"] / 0.007))  # noqa: E731
    trials = run(c2f, f)
    phase0 = [t.params["learning_rate"] for t in trials if t.info["phase"] == 0]
    np.testing.assert_allclose(phase0, [0.001, 0.01, 0.1], rtol=1e-12)  # the survey's coarse
    regions = c2f.regions(trials)
    assert len(regions) == 4
    widths = [math.log10(r["learning_rate"].high / r["learning_rate"].low) for r in regions]
    np.testing.assert_allclose(widths, [2.0, 1.0, 0.5, 0.25], rtol=1e-9)  # ×2m = ½ per phase
    for p, region in enumerate(regions):  # every trial lies in its phase's region
        assert all(region["learning_rate"].contains(t.params["learning_rate"])
                   for t in trials if t.info["phase"] == p)
    best = min(trials, key=lambda t: t.value)
    assert f(best.params) < f({"learning_rate": 0.01})  # finer than the coarse grid's best
    assert 0.006 <= best.params["learning_rate"] <= 0.008
    # grid points already evaluated are not asked again
    keys = [round(t.params["learning_rate"], 15) for t in trials]
    assert len(keys) == len(set(keys))
    assert c2f.phase_of(trials) == 4 and c2f.ask(trials, 3) == []


def test_coarse_to_fine_beats_random_search_at_equal_trials_on_a_smooth_bowl():
    """§6.5's "focuses effort on promising regions", over 20 seeds: 3 phases × 10 random
    points against 30 random points."""
    c2f_best, rs_best = [], []
    for seed in range(20):
        c2f = run(CoarseToFine(RANDOM_SPACE, phases=3, per_phase=10, seed=seed), bowl)
        rs = run(RandomSearch(RANDOM_SPACE, seed=seed), bowl, max_trials=30)
        assert len(c2f) == 30
        c2f_best.append(min(t.value for t in c2f))
        rs_best.append(min(t.value for t in rs))
    assert np.median(c2f_best) < 0.5 * np.median(rs_best)
    assert stats.wilcoxon(c2f_best, rs_best, alternative="less").pvalue < 0.01


def test_coarse_to_fine_narrows_around_the_top_trials_of_the_region():
    c2f = CoarseToFine(RANDOM_SPACE, phases=2, per_phase=12, top=3, margin=0.1, seed=4)
    trials = run(c2f, bowl)
    phase0 = [t for t in trials if t.info["phase"] == 0]
    top = sorted(phase0, key=lambda t: t.value)[:3]
    u = np.array([RANDOM_SPACE.to_unit(t.params) for t in top])
    lo, hi = zoom_box(u, 0.1)
    expected = RANDOM_SPACE.narrow(lo, hi)
    got = c2f.regions(trials)[1]
    for name in RANDOM_SPACE.names:
        assert got[name].low == pytest.approx(expected[name].low, rel=1e-12)
        assert got[name].high == pytest.approx(expected[name].high, rel=1e-12)
        assert all(got[name].contains(t.params[name]) for t in top)


def test_coarse_to_fine_waits_between_phases_and_retries_abandoned_trials():
    c2f = CoarseToFine(RANDOM_SPACE, phases=2, per_phase=3, seed=0)
    first = c2f.ask([], 5)
    assert len(first) == 3 and all(s.info["phase"] == 0 for s in first)  # only phase 0
    trials = [Trial(i, s.params, info=s.info) for i, s in enumerate(first)]
    trials[0].state, trials[0].value = "complete", 1.0
    assert c2f.ask(trials, 2) == []  # phase 0 still running: wait
    trials[1].state = "abandoned"
    again = c2f.ask(trials, 2)
    assert [s.info for s in again] == [{"phase": 0, "index": 1}]
    trials[2].state, trials[2].value = "complete", 0.5
    trials.append(Trial(3, again[0].params, info=again[0].info, state="complete", value=2.0))
    nxt = c2f.ask(trials, 5)
    assert len(nxt) == 3 and all(s.info["phase"] == 1 for s in nxt)


def test_coarse_to_fine_keeps_its_region_when_a_phase_has_no_result():
    c2f = CoarseToFine(RANDOM_SPACE, phases=2, per_phase=2)
    trials = run(c2f, bowl, fail=(0, 1))
    assert c2f.regions(trials)[1] == RANDOM_SPACE
    assert len(trials) == 4


def test_coarse_to_fine_on_integers_and_categories():
    space = Space([Integer("units", 4, 64, log=True), Categorical("act", ["relu", "tanh", "elu"])])
    f = lambda p: abs(math.log2(p["units"]) - 5) + (0 if p["act"] == "tanh" else 1)  # noqa: E731
    c2f = CoarseToFine(space, phases=3, per_phase=5, top=1, margin=0.2, sampler="grid")
    trials = run(c2f, f)
    best = min(trials, key=lambda t: t.value)
    assert best.params == {"units": 32, "act": "tanh"}
    last = c2f.regions(trials)[-1]
    assert last["act"].choices == ("tanh",) and last["units"].low <= 32 <= last["units"].high


@pytest.mark.parametrize("kwargs,match", [
    ({"phases": 0}, r"phases must be an integer in \[1, inf\)"),
    ({"per_phase": 0}, r"per_phase must be an integer in \[1, inf\)"),
    ({"phases": 2, "per_phase": [3, 3, 3]}, r"per_phase must be one count or a list of 2"),
    ({"phases": 2, "per_phase": [3, 0]}, r"per_phase\[1\] must be an integer"),
    ({"top": 0}, r"top must be an integer in \[1, inf\)"),
    ({"margin": 0.0}, r"margin must be in \(0, 0.5\]; got 0.0"),
    ({"margin": 0.7}, r"margin must be in \(0, 0.5\]; got 0.7"),
    ({"sampler": "sobol"}, r"sampler must be one of \['grid', 'random'\]; got 'sobol'"),
])
def test_coarse_to_fine_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CoarseToFine(RANDOM_SPACE, **kwargs)


# ------------------------------------------------------------------ the contract, for all
@pytest.mark.parametrize("make", [
    lambda: GridSearch(RANDOM_SPACE, 4),
    lambda: RandomSearch(RANDOM_SPACE, seed=2),
    lambda: CoarseToFine(RANDOM_SPACE, phases=3, per_phase=5, seed=2),
    lambda: CoarseToFine(RANDOM_SPACE, phases=3, per_phase=3, sampler="grid"),
])
def test_strategies_are_stateless(make):
    """A fresh strategy asked on any prefix of a finished history proposes what the
    search proposed next; asking twice changes nothing."""
    trials = run(make(), bowl, max_trials=40)
    fresh = make()
    for k in range(len(trials)):
        history = trials[:k]
        first = fresh.ask(history, 1)
        assert first == fresh.ask(history, 1)
        assert same_point(first[0].params, trials[k].params) and first[0].info == trials[k].info
    assert run(make(), bowl, max_trials=40) == trials


def test_ask_validates_n():
    for s in (GridSearch(RANDOM_SPACE, 2), RandomSearch(RANDOM_SPACE),
              CoarseToFine(RANDOM_SPACE)):
        with pytest.raises(ValueError, match=r"n must be an integer in \[1, inf\)"):
            s.ask([], 0)
