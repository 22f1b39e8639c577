"""Checker of notebook 06.07's exercise: its own solution passes, typical mistakes are named."""

import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks

NOTEBOOK = "06.07-AutoML.ipynb"


@pytest.fixture(scope="module")
def ns():
    """Run the notebook's solution cell (only it) and return what it defines."""
    return solution_namespace(NOTEBOOK)


def test_check_cell_calls_this_checker():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_optuna_distribution(to_optuna)"]


def test_notebook_solution_passes(ns, capsys):
    checks.check_optuna_distribution(ns["to_optuna"])
    assert capsys.readouterr().out.splitlines() == ["✓ optuna_distribution: all 5 checks passed."]


def _message(answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        checks.check_optuna_distribution(answer)
    return str(err.value)


def _answer(**overrides):
    """The right translation, with one kind of dimension answered by ``overrides``."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    from surveykit.tuning.space import Categorical, Integer, LogUniform, Uniform

    def fn(dim):
        for kind, wrong in overrides.items():
            if type(dim).__name__ == kind and (kind != "Integer" or wrong[0] == dim.log):
                return wrong[1](dim) if kind == "Integer" else wrong(dim)
        if isinstance(dim, LogUniform):
            return FloatDistribution(dim.low, dim.high, log=True)
        if isinstance(dim, Uniform):
            return FloatDistribution(dim.low, dim.high)
        if isinstance(dim, Integer):
            return IntDistribution(dim.low, dim.high, log=dim.log)
        assert isinstance(dim, Categorical)
        return CategoricalDistribution(dim.choices)

    return fn


def test_the_reference_answer_passes(capsys):
    checks.check_optuna_distribution(_answer())
    assert "all 5 checks passed" in capsys.readouterr().out


@pytest.mark.parametrize("overrides,hint", [
    ({"LogUniform": lambda d: _float(d.low, d.high)},
     "learning_rate is on a log scale: pass log=True — without it 90% of the draws"),
    ({"LogUniform": lambda d: _float(-5.0, -1.0)},
     "with log=True Optuna takes the logarithm itself"),
    ({"Uniform": lambda d: _float(d.low, d.high, log=True)},
     "dropout is on a linear scale: leave log=False"),
    ({"Uniform": lambda d: _float(0.0, 1.0)}, "the bounds are the dimension's: low=0.2, high=0.5"),
    ({"Integer": (True, lambda d: _float(d.low, d.high, log=True))},
     "an Integer dimension is an IntDistribution"),
    ({"Integer": (True, lambda d: _int(d.low, d.high))}, "units is on a log scale: pass log=True"),
    ({"Integer": (False, lambda d: _int(d.low, d.high, log=True))},
     "n_layers is on a linear scale"),
    ({"Categorical": lambda d: _int(0, len(d.choices) - 1)},
     "an unordered choice is a CategoricalDistribution"),
    ({"Categorical": lambda d: _cat(sorted(d.choices))}, "all of them, in their order"),
    ({"Uniform": lambda d: _int(0, 1)}, "a real-valued dimension is a FloatDistribution"),
])
def test_typical_mistakes_are_named(overrides, hint):
    msg = _message(_answer(**overrides))
    assert msg.startswith("✗ optuna_distribution: wrong distribution for ")
    assert "Expected: " in msg and "Got: " in msg and hint in msg


def _float(*args, **kw):
    from optuna.distributions import FloatDistribution

    return FloatDistribution(*args, **kw)


def _int(*args, **kw):
    from optuna.distributions import IntDistribution

    return IntDistribution(*args, **kw)


def _cat(choices):
    from optuna.distributions import CategoricalDistribution

    return CategoricalDistribution(choices)


def test_not_a_distribution_is_named():
    msg = _message(lambda dim: (dim.low, dim.high))
    assert "return an Optuna distribution" in msg


def test_exceptions_in_answers_are_reported_clearly():
    msg = _message(lambda dim: dim.low / 0)
    assert "your function raised ZeroDivisionError" in msg
    # log10 bounds with log=True: Optuna itself refuses them, and the message says why
    msg = _message(_answer(LogUniform=lambda d: _float(-5.0, -1.0, log=True)))
    assert "your function raised ValueError" in msg and "log=True" in msg


def test_unanswered_exercise_says_so():
    def todo(dim):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="not answered yet"):
        checks.check_optuna_distribution(todo)
