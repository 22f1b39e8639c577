"""Checkers of notebook 05.01: its own solutions pass, typical mistakes get specific hints."""

import numpy as np
import pytest
from notebook_utils import solution_namespace

import surveykit
from surveykit import checks, foundations

NOTEBOOK = "05.01-Mini-Batch-and-Stochastic-Gradient-Descent.ipynb"


@pytest.fixture(scope="module")
def ns():
    return solution_namespace(NOTEBOOK, np=np, sk=surveykit)


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


def test_notebook_solutions_pass(ns, capsys):
    checks.check_minibatch_indices(ns["minibatch_indices"])
    checks.check_minibatch_epoch(ns["minibatch_epoch"])
    checks.check_gradient_noise_law(ns["gradient_noise_law"])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all(line.startswith("✓ ") for line in out), out


# --- minibatch_indices ------------------------------------------------------------------------


def test_dropping_the_last_batch_is_caught():
    def drop_last(n, m, rng=None):
        order = np.arange(n) if rng is None else rng.permutation(n)
        return [order[i:i + m] for i in range(0, n - m + 1, m)]

    msg = _message(checks.check_minibatch_indices, drop_last)
    assert "wrong number of batches" in msg and "keep the last, smaller batch" in msg


def test_sampling_with_replacement_is_caught():
    def with_replacement(n, m, rng=None):
        if rng is None:
            return [np.arange(i, min(i + m, n)) for i in range(0, n, m)]
        return [rng.integers(0, n, size=min(m, n - i)) for i in range(0, n, m)]

    msg = _message(checks.check_minibatch_indices, with_replacement)
    assert "exactly once per epoch" in msg and "with replacement" in msg


def test_not_shuffling_and_shuffling_only_the_batches_are_caught():
    def no_shuffle(n, m, rng=None):
        return [np.arange(i, min(i + m, n)) for i in range(0, n, m)]

    assert "must be shuffled" in _message(checks.check_minibatch_indices, no_shuffle)

    def shuffle_batches(n, m, rng=None):
        batches = no_shuffle(n, m)
        if rng is not None:
            batches = [batches[i] for i in rng.permutation(len(batches))]
        return batches

    msg = _message(checks.check_minibatch_indices, shuffle_batches)
    assert "shuffled the order of the batches, not the examples" in msg


def test_a_fixed_seed_inside_is_caught():
    def fixed(n, m, rng=None):
        order = np.arange(n) if rng is None else np.random.default_rng(0).permutation(n)
        return [order[i:i + m] for i in range(0, n, m)]

    assert "do not create np.random.default_rng(0) inside" in _message(
        checks.check_minibatch_indices, fixed)


def test_shuffling_without_an_rng_is_caught():
    def always_shuffle(n, m, rng=None):
        order = (rng or np.random.default_rng()).permutation(n)
        return [order[i:i + m] for i in range(0, n, m)]

    assert "must stay in their order" in _message(checks.check_minibatch_indices, always_shuffle)


def test_wrong_return_types_are_explained():
    assert "return a list of index arrays" in _message(checks.check_minibatch_indices,
                                                       lambda n, m, rng=None: 3)
    msg = _message(checks.check_minibatch_indices,
                   lambda n, m, rng=None: [np.arange(n, dtype=float)])
    assert "integer indices" in msg


# --- minibatch_epoch --------------------------------------------------------------------------


def test_full_batch_steps_are_caught():
    def whole_data(w, b, X, y, lr, batches):
        for _ in batches:
            dw, db = foundations.neuron_gradients(X, y, w, b)
            w, b = w - lr * dw, b - lr * db
        return w, b

    assert "use only the batch's rows" in _message(checks.check_minibatch_epoch, whole_data)


def test_gradients_all_at_the_start_are_caught():
    def stale(w, b, X, y, lr, batches):
        grads = [foundations.neuron_gradients(X[i], y[i], w, b) for i in batches]
        return w - lr * sum(g[0] for g in grads), b - lr * sum(g[1] for g in grads)

    assert "updates w after *each* batch" in _message(checks.check_minibatch_epoch, stale)


def test_summed_batch_gradients_are_caught():
    def summed(w, b, X, y, lr, batches):
        for idx in batches:
            dw, db = foundations.neuron_gradients(X[idx], y[idx], w, b)
            w, b = w - lr * len(idx) * dw, b - lr * len(idx) * db
        return w, b

    assert "batch_size times too long" in _message(checks.check_minibatch_epoch, summed)


def test_one_step_only_and_wrong_return_are_caught():
    def one_step(w, b, X, y, lr, batches):
        return foundations.gradient_descent_step(w, b, X, y, lr)

    assert "one full-batch step" in _message(checks.check_minibatch_epoch, one_step)
    assert "return a tuple (new_w, new_b)" in _message(
        checks.check_minibatch_epoch, lambda w, b, X, y, lr, batches: w)


# --- gradient_noise_law -----------------------------------------------------------------------


def _trace(G):
    return np.mean(np.sum((G - G.mean(0)) ** 2, axis=1))


def test_missing_finite_population_factor_is_caught():
    msg = _message(checks.check_gradient_noise_law, lambda G, m: _trace(G) / m)
    assert "with-replacement variance" in msg and "(N − m)/(N − 1)" in msg


def test_sample_variance_and_wrong_factor_are_caught():
    def ddof1(G, m):
        n = len(G)
        return _trace(G) * n / (n - 1) / m * (n - m) / (n - 1)

    assert "ddof=1" in _message(checks.check_gradient_noise_law, ddof1)

    def over_n(G, m):
        n = len(G)
        return _trace(G) / m * (n - m) / n

    assert "not (N − m)/N" in _message(checks.check_gradient_noise_law, over_n)


def test_per_parameter_variances_are_caught():
    def per_parameter(G, m):
        n = len(G)
        return G.var(axis=0) / m * (n - m) / (n - 1)

    assert "not one variance per parameter" in _message(checks.check_gradient_noise_law,
                                                        per_parameter)


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_minibatch_indices, checks.check_minibatch_epoch,
                  checks.check_gradient_noise_law):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
