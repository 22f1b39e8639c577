"""Manual search (survey §6.1): one hyperparameter at a time around the defaults."""

import itertools
import math

import pytest

from surveykit.tuning import Categorical, LogUniform, Space, Trial, Uniform
from surveykit.tuning.manual import OneAtATime, one_at_a_time

SPACE = Space([LogUniform("learning_rate", 1e-5, 1e-1), Uniform("dropout", 0.0, 0.5),
               Categorical("optimizer", ["adam", "sgd"])])
DEFAULTS = {"learning_rate": 1e-3, "dropout": 0.5, "optimizer": "adam"}
SWEEPS = {"learning_rate": [1e-4, 1e-3, 1e-2, 1e-1], "dropout": [0.0, 0.2, 0.4]}


def separable(p):
    return (abs(math.log10(p["learning_rate"]) + 2) + abs(p["dropout"] - 0.2)
            + (0.0 if p["optimizer"] == "adam" else 0.3))


def coupled(p):
    """The best dropout depends on the learning rate: one-at-a-time can miss it."""
    x, y = math.log10(p["learning_rate"]) + 3, p["dropout"] / 0.1
    return (x - y) ** 2 / 2 + (x + y - 4) ** 2 / 20


def test_one_at_a_time_finds_the_optimum_of_a_separable_loss():
    study = one_at_a_time(lambda t: separable(t.params), DEFAULTS, SWEEPS, space=SPACE)
    assert study.best.params == {"learning_rate": 1e-2, "dropout": 0.2, "optimizer": "adam"}
    # 1 (defaults) + 3 new learning rates + 3 new dropouts: Σ|Vⱼ| trials, not Π|Vⱼ| = 12
    assert len(study.trials) == 7
    steps = study.strategy.decisions(study.trials)
    assert [(d["sweep"], d["value"]) for d in steps] == [
        (None, None), ("learning_rate", 1e-2), ("dropout", 0.2)]
    # each step fixes the others at the current best: the dropout sweep ran at lr = 1e-2
    dropout_trials = [t for t in study.trials if t.info["sweep"] == "dropout"]
    assert {t.params["learning_rate"] for t in dropout_trials} == {1e-2}


def test_one_at_a_time_misses_what_a_grid_finds_when_hyperparameters_interact():
    """§6.1's "prone to bias and suboptimal results": with a coupled loss the sweeps stop at
    a point a full grid beats — a coordinate-wise minimum that more rounds do not leave."""
    sweeps = {"learning_rate": [1e-4, 1e-3, 1e-2, 1e-1], "dropout": [0.0, 0.1, 0.2, 0.3, 0.4]}
    defaults = {"learning_rate": 1e-4, "dropout": 0.0, "optimizer": "adam"}
    once = one_at_a_time(lambda t: coupled(t.params), defaults, sweeps, space=SPACE)
    grid = min(coupled({"learning_rate": lr, "dropout": d, "optimizer": "adam"})
               for lr, d in itertools.product(*sweeps.values()))
    assert once.best.value > grid + 0.1
    assert len(once.trials) < 4 * 5
    assert once.best.params == {"learning_rate": 1e-3, "dropout": 0.0, "optimizer": "adam"}
    twice = one_at_a_time(lambda t: coupled(t.params), defaults, sweeps, space=SPACE, rounds=3)
    assert twice.best.params == once.best.params
    for name in sweeps:  # no single change improves on it
        for v in sweeps[name]:
            assert coupled({**once.best.params, name: v}) >= once.best.value
    # a point is never evaluated twice, even across rounds
    keys = [tuple(sorted(t.params.items())) for t in twice.trials]
    assert len(keys) == len(set(keys))


def test_without_a_space_each_hyperparameter_is_categorical():
    study = one_at_a_time(lambda t: separable(t.params), DEFAULTS, {"optimizer": ["sgd"]})
    assert study.space["optimizer"].choices == ("adam", "sgd")
    assert study.space["learning_rate"].choices == (1e-3,)
    assert study.best.params["optimizer"] == "adam" and len(study.trials) == 2


def test_the_strategy_is_stateless_and_waits_for_its_step():
    s = OneAtATime(SPACE, DEFAULTS, SWEEPS)
    first = s.ask([], 5)
    assert [x.params for x in first] == [DEFAULTS]  # the defaults alone, then wait
    trials = [Trial(0, first[0].params, info=first[0].info)]
    assert s.ask(trials, 5) == []  # still running
    trials[0].state, trials[0].value = "complete", separable(DEFAULTS)
    sweep = s.ask(trials, 5)
    assert [x.params["learning_rate"] for x in sweep] == [1e-4, 1e-2, 1e-1]
    assert all(x.info == {"round": 0, "sweep": "learning_rate"} for x in sweep)
    trials += [Trial(i + 1, x.params, info=x.info) for i, x in enumerate(sweep)]
    trials[2].state = "abandoned"
    assert [x.params for x in s.ask(trials, 5)] == [sweep[1].params]  # redo the lost one
    assert s.max_trials() == 1 + 4 + 3


def test_failed_trials_never_win_a_step():
    bad = lambda t: math.nan if t.params["learning_rate"] == 1e-2 else separable(t.params)  # noqa
    study = one_at_a_time(bad, DEFAULTS, SWEEPS, space=SPACE)
    assert study.best.params["learning_rate"] in (1e-3, 1e-1)
    assert any(t.state == "failed" for t in study.trials)


@pytest.mark.parametrize("kwargs,match", [
    ({"defaults": {"learning_rate": 1e-3}}, r"missing \['dropout', 'optimizer'\]"),
    ({"sweeps": {}}, r"sweeps must be a non-empty dict"),
    ({"sweeps": {"momentum": [0.9]}}, r"sweeps: 'momentum' is not a dimension"),
    ({"sweeps": {"dropout": []}}, r"sweeps\['dropout'\] must be a non-empty list"),
    ({"sweeps": {"dropout": 0.2}}, r"sweeps\['dropout'\] must be a non-empty list"),
    ({"sweeps": {"dropout": [0.9]}}, r"dropout must be in \[0, 0.5\]; got 0.9"),
    ({"rounds": 0}, r"rounds must be an integer in \[1, inf\)"),
])
def test_errors(kwargs, match):
    args = {"defaults": DEFAULTS, "sweeps": SWEEPS, **kwargs}
    with pytest.raises(ValueError, match=match):
        OneAtATime(SPACE, args["defaults"], args["sweeps"], rounds=args.get("rounds", 1))


def test_one_at_a_time_errors():
    f = lambda t: 0.0  # noqa: E731
    with pytest.raises(ValueError, match=r"sweeps names \['units'\] have no default"):
        one_at_a_time(f, DEFAULTS, {"units": [8]})
    with pytest.raises(ValueError, match=r"defaults must be a non-empty dict"):
        one_at_a_time(f, {}, {})
