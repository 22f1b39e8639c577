"""The Gaussian process of surveykit.tuning.gp against scikit-learn and finite differences."""

import math

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from surveykit.gradcheck import numerical_gradient, relative_error
from surveykit.tuning import gp as G

BOUNDS = G.DEFAULT_BOUNDS


def _data(n=25, d=3, seed=0, noise=0.05):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, d))
    y = np.sin(6 * X[:, 0]) + X[:, 1] ** 2 + 10.0 + noise * rng.standard_normal(n)
    return X, y


def _sk_kernel(p: G.GPParams, *, white=True):
    kernel = (ConstantKernel(p.signal_variance, BOUNDS["signal_variance"])
              * Matern(p.length_scales, BOUNDS["length_scale"], nu=2.5))
    if white:
        kernel = kernel + WhiteKernel(p.noise_variance, BOUNDS["noise_variance"])
    return kernel


def _sk_theta_order(theta_sk, d):
    """scikit-learn orders θ as (log s², log ℓ…, log σ_n²); ours is (log ℓ…, log s², log σ_n²)."""
    return np.concatenate([theta_sk[1:1 + d], theta_sk[:1], theta_sk[1 + d:]])


PARAMS = [G.GPParams([0.3, 0.7, 2.0], 1.3, 0.02), G.GPParams([0.05, 5.0, 0.2], 0.4, 1e-6)]


def test_kernel_matrix_equals_sklearn():
    X, _ = _data()
    X2 = np.random.default_rng(1).uniform(size=(7, 3))
    for p in PARAMS:
        ours = G.matern52(X, X2, p.length_scales, p.signal_variance)
        theirs = _sk_kernel(p, white=False)(X, X2)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("p", PARAMS)
def test_log_marginal_likelihood_and_gradient_equal_sklearn(p):
    X, y = _data()
    ys = (y - y.mean()) / y.std()
    lml, grad = G.log_marginal_likelihood(X, ys, p, gradient=True)
    sk = GaussianProcessRegressor(_sk_kernel(p), alpha=1e-10, normalize_y=True,
                                  optimizer=None).fit(X, y)
    sk_lml, sk_grad = sk.log_marginal_likelihood(sk.kernel_.theta, eval_gradient=True)
    assert lml == pytest.approx(sk_lml, rel=1e-10, abs=1e-9)
    np.testing.assert_allclose(grad, _sk_theta_order(sk_grad, 3), rtol=1e-8, atol=1e-8)
    # and the GaussianProcess object reports the same value
    assert G.GaussianProcess(X, y, p).log_marginal_likelihood() == pytest.approx(sk_lml,
                                                                                 rel=1e-10)


@pytest.mark.parametrize("p", PARAMS)
def test_lml_gradient_matches_finite_differences(p):
    X, y = _data(n=15)
    ys = (y - y.mean()) / y.std()
    _, grad = G.log_marginal_likelihood(X, ys, p, gradient=True)
    numeric = numerical_gradient(
        lambda t: G.log_marginal_likelihood(X, ys, G.GPParams.from_theta(t)), p.theta, h=1e-4)
    # h = 1e-4: the noise gradient is ~1e-5 at σ_n² = 1e-6, where h = 1e-5 loses digits
    assert relative_error(grad, numeric) < 1e-6


def test_log_prior_gradient_matches_finite_differences():
    theta = np.array([-1.2, 0.3, 2.0, 0.5, -7.0])
    _, grad = G.log_prior(theta)
    numeric = numerical_gradient(lambda t: G.log_prior(t)[0], theta)
    assert relative_error(grad, numeric) < 1e-7


@pytest.mark.parametrize("p", PARAMS)
def test_posterior_equals_sklearn(p):
    X, y = _data()
    Xt = np.random.default_rng(2).uniform(size=(9, 3))
    ours = G.GaussianProcess(X, y, p)
    # noisy prediction: scikit-learn's std with a WhiteKernel includes the noise variance
    sk = GaussianProcessRegressor(_sk_kernel(p), alpha=1e-10, normalize_y=True,
                                  optimizer=None).fit(X, y)
    mu, sd = ours.predict(Xt, noise=True)
    sk_mu, sk_sd = sk.predict(Xt, return_std=True)
    np.testing.assert_allclose(mu, sk_mu, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(sd, sk_sd, rtol=1e-7, atol=1e-10)
    # latent f: the noise as `alpha` on the diagonal instead of a kernel term
    sk_f = GaussianProcessRegressor(_sk_kernel(p, white=False), alpha=p.noise_variance + 1e-10,
                                    normalize_y=True, optimizer=None).fit(X, y)
    mu, sd = ours.predict(Xt)
    sk_mu, sk_sd = sk_f.predict(Xt, return_std=True)
    np.testing.assert_allclose(mu, sk_mu, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(sd, sk_sd, rtol=1e-6, atol=1e-9)


def test_fitted_lml_at_least_sklearns():
    for seed in (0, 1):
        X, y = _data(n=20, seed=seed)
        ours = G.fit_gp(X, y, prior=False, restarts=4, rng=np.random.default_rng(seed))
        sk = GaussianProcessRegressor(_sk_kernel(G.GPParams(np.ones(3), 1.0, 0.1)),
                                      alpha=1e-10, normalize_y=True, n_restarts_optimizer=3,
                                      random_state=seed).fit(X, y)
        assert ours.log_marginal_likelihood() >= sk.log_marginal_likelihood_value_ - 1e-6
        # the value is a real optimum: no better point in a small neighbourhood
        ys = ours.y_s
        best = G.log_marginal_likelihood(X, ys, ours.params)
        for _ in range(20):
            t = ours.params.theta + 1e-3 * np.random.default_rng(_).standard_normal(5)
            lo = np.log([BOUNDS["length_scale"][0]] * 3 + [BOUNDS["signal_variance"][0],
                                                            BOUNDS["noise_variance"][0]])
            hi = np.log([BOUNDS["length_scale"][1]] * 3 + [BOUNDS["signal_variance"][1],
                                                            BOUNDS["noise_variance"][1]])
            t = np.clip(t, lo, hi)
            assert G.log_marginal_likelihood(X, ys, G.GPParams.from_theta(t)) <= best + 1e-7


def test_map_fit_with_prior_is_an_optimum_of_the_posterior():
    X, y = _data(n=12, d=2)
    fitted = G.fit_gp(X, y, prior=True, restarts=3)
    theta = fitted.params.theta

    def log_post(t):
        return (G.log_marginal_likelihood(X, fitted.y_s, G.GPParams.from_theta(t))
                + G.log_prior(t)[0])

    grad = numerical_gradient(log_post, theta)
    lo = np.log([BOUNDS["length_scale"][0]] * 2 + [BOUNDS["signal_variance"][0],
                                                    BOUNDS["noise_variance"][0]])
    hi = np.log([BOUNDS["length_scale"][1]] * 2 + [BOUNDS["signal_variance"][1],
                                                    BOUNDS["noise_variance"][1]])
    # a maximum inside the box has zero gradient; on a bound it points outwards
    projected = np.where(theta <= lo + 1e-8, np.maximum(grad, 0.0),
                         np.where(theta >= hi - 1e-8, np.minimum(grad, 0.0), grad))
    assert np.all(np.abs(projected) < 1e-3)


def test_fitted_noise_tracks_the_data():
    """A deterministic smooth function gets a tiny noise; a noisy one about its variance."""
    rng = np.random.default_rng(3)
    X = rng.uniform(size=(40, 1))
    clean = np.sin(5 * X[:, 0])
    fit_clean = G.fit_gp(X, clean, prior=False)
    assert fit_clean.params.noise_variance < 1e-4
    noisy = clean + 0.3 * rng.standard_normal(40)
    fit_noisy = G.fit_gp(X, noisy, prior=False)
    noise_sd = math.sqrt(fit_noisy.params.noise_variance) * fit_noisy.y_std
    assert 0.15 < noise_sd < 0.5


def test_predictive_gradients_match_finite_differences():
    X, y = _data(n=15)
    gpr = G.GaussianProcess(X, y, PARAMS[0])
    x0 = np.array([[0.4, 0.55, 0.1]])
    mu, sd, dmu, dsd = gpr.predict_with_gradient(x0)
    f_mu = lambda x: gpr.predict(x[None], standardized=True)[0][0]  # noqa: E731
    f_sd = lambda x: gpr.predict(x[None], standardized=True)[1][0]  # noqa: E731
    assert relative_error(dmu[0], numerical_gradient(f_mu, x0[0])) < 1e-6
    assert relative_error(dsd[0], numerical_gradient(f_sd, x0[0])) < 1e-6
    m2, s2 = gpr.predict(x0, standardized=True)
    assert mu[0] == pytest.approx(m2[0]) and sd[0] == pytest.approx(s2[0])
    dk = G.matern52_dk_dx(x0, X[:3], [0.3, 0.7, 2.0], 1.3)
    for i in range(3):
        numeric = numerical_gradient(
            lambda x, i=i: G.matern52(x[None], X[i:i + 1], [0.3, 0.7, 2.0], 1.3)[0, 0], x0[0])
        assert relative_error(dk[0, i], numeric) < 1e-6


def test_noise_free_gp_interpolates_and_believer_keeps_the_mean():
    X, y = _data(n=10, d=2, noise=0.0)
    gpr = G.GaussianProcess(X, y, G.GPParams([0.3, 0.3], 1.0, 1e-8))
    mu, sd = gpr.predict(X)
    np.testing.assert_allclose(mu, y, atol=1e-5)
    assert np.all(sd < 1e-3 * gpr.y_std)
    pending = np.array([[0.5, 0.5], [0.1, 0.9]])
    fantasy = gpr.condition(pending, gpr.predict(pending)[0])
    grid = np.random.default_rng(0).uniform(size=(30, 2))
    np.testing.assert_allclose(fantasy.predict(grid)[0], gpr.predict(grid)[0], atol=1e-6)
    assert np.all(fantasy.predict(pending)[1] < 1e-3 * gpr.y_std)
    assert np.all(fantasy.predict(grid)[1] <= gpr.predict(grid)[1] + 1e-9)


def test_duplicate_points_raise_the_jitter_instead_of_failing():
    X = np.array([[0.2], [0.2], [0.7]])
    gpr = G.GaussianProcess(X, [1.0, 1.0, 2.0], G.GPParams([0.5], 1.0, 0.0), jitter=0.0)
    assert gpr.jitter > 0.0
    assert np.all(np.isfinite(gpr.predict(np.array([[0.4]]))[0]))


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="length_scales"):
        G.GPParams([0.1, -1.0], 1.0, 0.1)
    with pytest.raises(ValueError, match="signal_variance"):
        G.GPParams([0.1], 0.0, 0.1)
    with pytest.raises(ValueError, match="noise_variance"):
        G.GPParams([0.1], 1.0, -0.1)
    with pytest.raises(ValueError, match="same number"):
        G.GaussianProcess(np.zeros((3, 1)), [1.0, 2.0], G.GPParams([0.1], 1.0, 0.1))
    with pytest.raises(ValueError, match="finite"):
        G.GaussianProcess(np.zeros((2, 1)), [1.0, np.nan], G.GPParams([0.1], 1.0, 0.1))
    with pytest.raises(ValueError, match="restarts"):
        G.fit_gp(np.zeros((2, 1)), [1.0, 2.0], restarts=0)
