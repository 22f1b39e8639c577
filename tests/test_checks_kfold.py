"""Checkers of notebook 07.03's exercises: its own solutions pass, typical mistakes are named."""

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks

NOTEBOOK = "07.03-Overfitting-to-the-Validation-Set.ipynb"


@pytest.fixture(scope="module")
def ns():
    """Run the notebook's solution cells (only those) and return what they define."""
    return solution_namespace(NOTEBOOK, np=np)


def test_check_cells_call_these_checkers():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_kfold_indices(kfold_indices)",
        "sk.checks.check_optimistic_gap(optimistic_gap)"]


def test_notebook_solutions_pass(ns, capsys):
    checks.check_kfold_indices(ns["kfold_indices"])
    checks.check_optimistic_gap(ns["optimistic_gap"])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith("✓ kfold_indices: all ") and out[0].endswith(" checks passed.")
    assert out[1].startswith("✓ optimistic_gap: all ") and out[1].endswith(" checks passed.")


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


# --------------------------------------------------------------------------- k-fold


def _from_blocks(n, bounds):
    """Folds whose validation parts are range(a, b) for each (a, b) in bounds."""
    folds = []
    for a, b in bounds:
        val = np.arange(a, b)
        folds.append((np.setdiff1d(np.arange(n), val), val))
    return folds


def floor_sizes(n, k):  # forgets the n % k leftover samples
    size = n // k
    return _from_blocks(n, [(i * size, (i + 1) * size) for i in range(k)])


def ceil_sizes(n, k):  # blocks of ceil(n / k): they run past each other… and past n
    size = -(-n // k)
    return _from_blocks(n, [(i * size, min((i + 1) * size, n)) for i in range(k)])


def overlapping(n, k):  # each block one sample too long
    size = n // k
    return _from_blocks(n, [(i * size, min(i * size + size + 1, n)) for i in range(k)])


def leaky_train(n, k):  # trains on everything
    return [(np.arange(n), val) for _, val in _from_blocks(n, _bounds(n, k))]


def train_missing(n, k):  # trains on the blocks before the validation block only
    return [(np.arange(0, val[0]), val) for _, val in _from_blocks(n, _bounds(n, k))]


def rest_in_last(n, k):  # the n % k leftovers all go to the last fold
    size = n // k
    bounds = [(i * size, (i + 1) * size) for i in range(k - 1)] + [((k - 1) * size, n)]
    return _from_blocks(n, bounds)


def extras_at_end(n, k):  # sizes right, but the longer folds come last
    sizes = [n // k + (1 if i >= k - n % k else 0) for i in range(k)]
    edges = np.concatenate([[0], np.cumsum(sizes)])
    return _from_blocks(n, list(zip(edges[:-1], edges[1:], strict=True)))


def round_robin(n, k):
    folds = []
    for i in range(k):
        val = np.arange(i, n, k)
        folds.append((np.setdiff1d(np.arange(n), val), val))
    return folds


def reversed_order(n, k):
    return _from_blocks(n, _bounds(n, k))[::-1]


def one_fold_too_many(n, k):
    return _from_blocks(n, _bounds(n, k + 1)) if k < n else _from_blocks(n, _bounds(n, k))[:-1]


def two_lists(n, k):
    folds = _from_blocks(n, _bounds(n, k))
    return [[t for t, _ in folds], [v for _, v in folds]]


def _bounds(n, k):
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    edges = np.concatenate([[0], np.cumsum(sizes)])
    return list(zip(edges[:-1], edges[1:], strict=True))


@pytest.mark.parametrize("wrong,hint", [
    (floor_sizes, "left over must go somewhere"),
    (overlapping, "overlapping folds"),
    (leaky_train, "training part contains its own validation samples"),
    (train_missing, "should be every index not in its validation part"),
    (rest_in_last, "differ by more than one"),
    (extras_at_end, "the *first* n % k ones"),
    (round_robin, "not one contiguous block"),
    (reversed_order, "wrong validation block for fold 0"),
    (one_fold_too_many, "wrong number of folds"),
    (two_lists, "not one list of training folds and one of validation folds"),
])
def test_kfold_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_kfold_indices, wrong)
    assert msg.startswith("✗ kfold_indices: ") and hint in msg, msg


def test_ceil_sized_blocks_are_caught():
    # blocks of ceil(n / k) give sklearn's folds for (10, 5), (11, 3), (7, 7) and (23, 4),
    # but 2, 2, 2, 0 for n = 6, k = 4: an empty last fold
    msg = _message(checks.check_kfold_indices, ceil_sizes)
    assert "fold sizes [2, 2, 2, 0] on n=6, k=4 differ by more than one" in msg


def test_kfold_answer_must_be_index_arrays():
    msg = _message(checks.check_kfold_indices,
                   lambda n, k: [(list(range(n)), [0.5]) for _ in range(k)])
    assert "1-D array of integer indices" in msg
    msg = _message(checks.check_kfold_indices, lambda n, k: None)
    assert "return a list of k (train_idx, val_idx) pairs" in msg
    msg = _message(checks.check_kfold_indices,
                   lambda n, k: [(np.arange(n), np.array([n + 5]))] * k)
    assert "outside 0" in msg


def test_kfold_accepts_lists_and_any_order_inside_a_fold(ns):
    def as_lists(n, k):
        return [(sorted(t.tolist(), reverse=True), v.tolist()[::-1])
                for t, v in ns["kfold_indices"](n, k)]

    checks.check_kfold_indices(as_lists)


# --------------------------------------------------------------------------- optimistic gap


def _winner(val):
    return np.arange(val.shape[0]), np.argmax(val, axis=1)


@pytest.mark.parametrize("wrong,hint", [
    (lambda v, t: float(np.mean(t[_winner(v)] - v[_winner(v)])), "the sign is reversed"),
    (lambda v, t: float(np.mean(v.max(axis=1) - t.max(axis=1))), "the best *test* score"),
    (lambda v, t: float(np.mean(v[_winner(t)] - t[_winner(t)])),
     "you selected the winner by its test score"),
    (lambda v, t: float(np.mean(v - t)), "you averaged over all configurations"),
    (lambda v, t: float(np.mean(
        v[np.arange(v.shape[0]), v.shape[1] - 1 - np.argmax(v[:, ::-1], axis=1)]
        - t[np.arange(v.shape[0]), v.shape[1] - 1 - np.argmax(v[:, ::-1], axis=1)])),
     "keep the *first* best trial"),
    (lambda v, t: float(np.mean(v.max(axis=1))), "j* = argmax_j val[r, j]"),
])
def test_optimistic_gap_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_optimistic_gap, wrong)
    assert msg.startswith("✗ optimistic_gap: wrong values for the optimistic gap")
    assert "Expected:" in msg and hint in msg, msg


def test_optimistic_gap_must_return_one_number():
    msg = _message(checks.check_optimistic_gap,
                   lambda v, t: v[_winner(v)] - t[_winner(v)])
    assert "return one number" in msg and "np.mean" in msg
    msg = _message(checks.check_optimistic_gap, lambda v, t: "big")
    assert "return one number" in msg


def test_exceptions_in_answers_are_reported_clearly():
    msg = _message(checks.check_optimistic_gap, lambda v, t: v.argmax(axis=1).shape[1])
    assert "your function raised" in msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_kfold_indices, checks.check_optimistic_gap):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
