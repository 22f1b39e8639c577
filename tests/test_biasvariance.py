"""The bias–variance estimator on cases whose answer is known."""

import numpy as np
import pytest

from surveykit import biasvariance, data


def test_terms_on_a_hand_computed_matrix():
    preds = np.array([[1.0, 2.0], [3.0, 2.0]])  # mean [2, 2]; var [1, 0]
    f = np.array([1.0, 2.0])
    bias2, variance = biasvariance.bias_variance_terms(preds, f)
    assert bias2 == pytest.approx((1.0**2 + 0.0) / 2)
    assert variance == pytest.approx((1.0 + 0.0) / 2)


def test_a_learner_that_ignores_the_data_has_zero_variance_and_exact_bias():
    def constant(x_train, y_train, x_test):
        return np.full(len(x_test), 0.25)

    x_test = np.linspace(0, 1, 51)
    r = biasvariance.decompose(constant, data.true_function, n_datasets=10, x_test=x_test)
    assert r.variance == 0.0
    assert r.bias2 == pytest.approx(np.mean((0.25 - data.true_function(x_test)) ** 2), rel=1e-12)


def test_fixed_design_least_squares_matches_theory():
    """Unbiased OLS at the training inputs has average variance σ²(d+1)/n exactly."""

    def cubic(x):
        return 1 - 2 * x + 3 * x**3

    n, sd, K, d = 15, 0.4, 6000, 3
    x = np.linspace(0, 1, n)
    r = biasvariance.decompose(biasvariance.polynomial_learner(d), cubic, n_train=n, noise_sd=sd,
                               n_datasets=K, x_test=x, design="fixed", seed=3)
    theory = sd**2 * (d + 1) / n
    # Monte Carlo: the variance estimate's relative standard error is about sqrt(2/K).
    assert abs(r.variance - theory) < 4 * np.sqrt(2 / K) * theory
    # bias² of an unbiased estimator is (variance / K) on average: tiny.
    assert r.bias2 < 10 * theory / K
    # and a wrong model (degree 1) is measurably biased on the same data
    lin = biasvariance.decompose(biasvariance.polynomial_learner(1), cubic, n_train=n,
                                 noise_sd=sd, n_datasets=200, x_test=x, design="fixed", seed=3)
    assert lin.bias2 > 100 * r.bias2


def test_decomposition_adds_up_to_measured_test_error():
    for degree in (1, 3, 6):
        r = biasvariance.decompose(biasvariance.polynomial_learner(degree), data.true_function,
                                   n_train=40, noise_sd=0.3, n_datasets=400, seed=degree)
        assert r.expected_error == pytest.approx(r.test_mse, rel=0.03)
        assert r.noise == pytest.approx(0.09)


def test_ridge_reduces_variance_and_increases_bias():
    rows = [biasvariance.decompose(biasvariance.polynomial_learner(9, lam), data.true_function,
                                   n_datasets=100, seed=0) for lam in (0.0, 1e-3, 1e-1, 10.0)]
    variances = [r.variance for r in rows]
    biases = [r.bias2 for r in rows]
    assert variances == sorted(variances, reverse=True)
    assert biases[-1] > biases[0]


def test_polynomial_learner_without_ridge_is_plain_least_squares():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=20)
    y = rng.normal(size=20)
    xt = np.linspace(0, 1, 7)
    ours = biasvariance.polynomial_learner(3)(x, y, xt)
    coef = np.polyfit(x, y, 3)
    np.testing.assert_allclose(ours, np.polyval(coef, xt), rtol=1e-9, atol=1e-12)


def test_sweep_keys_and_shapes():
    out = biasvariance.sweep_complexity([0, 2, 4], data.true_function, n_datasets=20)
    assert set(out) == {"degree", "bias2", "variance", "noise", "expected_error", "test_mse",
                        "train_mse"}
    assert all(v.shape == (3,) for v in out.values())


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: biasvariance.polynomial_learner(-1), "degree"),
        (lambda: biasvariance.polynomial_learner(2, ridge=-0.1), "ridge"),
        (lambda: biasvariance.decompose(biasvariance.polynomial_learner(1), np.sin, n_train=1),
         "n_train"),
        (lambda: biasvariance.decompose(biasvariance.polynomial_learner(1), np.sin,
                                        noise_sd=-1), "noise_sd"),
        (lambda: biasvariance.decompose(biasvariance.polynomial_learner(1), np.sin,
                                        design="grid"), "design"),
        (lambda: biasvariance.bias_variance_terms(np.zeros(3), np.zeros(3)), "predictions"),
        (lambda: biasvariance.bias_variance_terms(np.zeros((2, 3)), np.zeros(2)), "f_true"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, name):
    with pytest.raises(ValueError, match=name):
        call()
