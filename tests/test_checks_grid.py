"""Checker of notebook 06.01's exercise: its own solution passes, typical mistakes are named."""

import itertools

import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks
from surveykit.checks.grid import reference_grid

NOTEBOOK = "06.01-Manual-Grid-and-Random-Search.ipynb"


@pytest.fixture(scope="module")
def ns():
    return solution_namespace(NOTEBOOK, itertools=itertools)


def test_check_cell_calls_this_checker():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_grid_points(make_grid)"]


def test_notebook_solution_passes(ns, capsys):
    checks.check_grid_points(ns["make_grid"])
    assert capsys.readouterr().out.splitlines() == ["✓ grid_points: all 16 checks passed."]


def test_reference_is_the_cartesian_product():
    values = {"learning_rate": [0.001, 0.01, 0.1], "batch_size": [16, 32, 64]}
    grid = reference_grid(values)
    assert grid == [dict(zip(values, c, strict=True)) for c in itertools.product(*values.values())]
    assert len(grid) == 9


def test_any_order_passes(ns, capsys):
    checks.check_grid_points(lambda values: list(reversed(ns["make_grid"](values))))
    assert "✓ grid_points" in capsys.readouterr().out


def _message(answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        checks.check_grid_points(answer)
    return str(err.value)


def test_one_at_a_time_is_named():
    def one_at_a_time(values):
        base = {k: v[0] for k, v in values.items()}
        return [{**base, k: x} for k, vs in values.items() for x in vs]

    msg = _message(one_at_a_time)
    assert msg.startswith("✗ grid_points: wrong number of points")
    assert "Expected: 9" in msg and "Got:      6" in msg
    assert "one hyperparameter at a time" in msg and "3 learning_rate × 3 batch_size = 9" in msg


def test_zip_is_named():
    msg = _message(lambda values: [dict(zip(values, c, strict=True))
                                   for c in zip(*values.values(), strict=False)])
    assert "you paired the lists element by element (zip)" in msg


def test_tuples_instead_of_dicts():
    msg = _message(lambda values: list(itertools.product(*values.values())))
    assert "each point must be a dict" in msg and "dict(zip(names, combination))" in msg


def test_wrong_keys_duplicates_and_strangers():
    msg = _message(lambda values: [{"lr": a, "bs": b} for a, b in
                                   itertools.product(*values.values())])
    assert "exactly the keys ['learning_rate', 'batch_size']" in msg

    def doubled(values):
        grid = reference_grid(values)
        return grid[:-1] + grid[:1]

    assert "appears more than once" in _message(doubled)

    def stranger(values):
        grid = reference_grid(values)
        name = next(iter(values))
        return grid[:-1] + [{**grid[-1], name: -1}]

    assert "is not a combination of the given values" in _message(stranger)


def test_not_a_list_and_unanswered():
    assert "return a list of points" in _message(lambda values: 9)
    with pytest.raises(NotImplementedError, match="not answered yet"):
        checks.check_grid_points(lambda values: (_ for _ in ()).throw(NotImplementedError()))


def test_errors_are_reported():
    msg = _message(lambda values: 1 / 0)
    assert "your function raised ZeroDivisionError" in msg
