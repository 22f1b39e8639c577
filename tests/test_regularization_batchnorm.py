"""Batch normalization (survey §4.6–4.8) and layer normalization (§4.7), against Keras.

Keras' layers are run twice: in float64 (``dtype="float64"``), where they must agree with
the numpy implementation to ~1e-12, and in their default float32, to float32 precision.
"""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from surveykit.gradcheck import numerical_gradient, relative_error
from surveykit.regularization import (
    BatchNorm,
    batch_moments,
    batchnorm_backward,
    batchnorm_forward,
    batchnorm_inference,
    layernorm_forward,
    update_running_stats,
)
from surveykit.regularization.es_bn_experiments import compare_with_keras_batchnorm

# Tolerances for the Keras comparisons: (rtol, atol) on values of order 1. Measured worst
# cases: float64 1.6e-14 (BN, ∂L/∂γ of a conv batch) and 2.2e-16 (LN); float32 1.1e-5
# (BN, ∂L/∂γ summed over 100 positions) and 9.5e-8 (LN).
TOL = {"float64": (1e-12, 1e-12), "float32": (5e-5, 5e-5)}


def _batch(rng, shape, d=None):
    """Inputs with a different mean and scale per feature, as a layer's activations."""
    d = shape[-1] if d is None else d
    return rng.normal(loc=rng.uniform(-3, 3, d), scale=rng.uniform(0.5, 4, d), size=shape)


# --- the formulas ----------------------------------------------------------------------------


def test_forward_normalizes_each_feature_then_scales_and_shifts():
    rng = np.random.default_rng(0)
    x = _batch(rng, (64, 5))
    gamma, beta = rng.uniform(0.5, 2, 5), rng.normal(size=5)
    y, cache = batchnorm_forward(x, gamma, beta, eps=1e-5)
    mu, var = batch_moments(x)
    np.testing.assert_allclose(mu, x.mean(axis=0))
    np.testing.assert_allclose(var, x.var(axis=0))  # biased: 1/m, as the survey writes
    np.testing.assert_allclose(cache.x_hat.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(cache.x_hat.var(axis=0), var / (var + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(y, gamma * cache.x_hat + beta)


def test_gamma_and_beta_can_recover_the_identity():
    """§4.6: γ = √(σ²_B + ε) and β = μ_B undo the normalization."""
    x = _batch(np.random.default_rng(1), (32, 3))
    mu, var = batch_moments(x)
    y, _ = batchnorm_forward(x, np.sqrt(var + 1e-5), mu, eps=1e-5)
    np.testing.assert_allclose(y, x, rtol=1e-12, atol=1e-12)


def test_running_statistics_follow_the_survey_update():
    rho = 0.9
    new_mean, new_var = update_running_stats(np.zeros(2), np.ones(2), np.array([1.0, 2.0]),
                                             np.array([4.0, 0.0]), rho)
    np.testing.assert_allclose(new_mean, [0.1, 0.2])
    np.testing.assert_allclose(new_var, [0.9 + 0.4, 0.9])
    # ρ = 0: the running statistics are the last batch's
    assert update_running_stats(0.0, 1.0, 3.0, 5.0, momentum=0.0) == (3.0, 5.0)


@pytest.mark.parametrize("shape", [(8, 4), (4, 3, 3, 2)], ids=["dense", "conv"])
def test_gradients_pass_a_finite_difference_check(shape):
    rng = np.random.default_rng(2)
    x = _batch(rng, shape)
    d = shape[-1]
    gamma, beta = rng.uniform(0.5, 2, d), rng.normal(size=d)
    g = rng.normal(size=shape)  # ∂L/∂y for the loss L = Σ g ⊙ y

    def loss(x_, gamma_, beta_):
        return float(np.sum(g * batchnorm_forward(x_, gamma_, beta_, eps=1e-5)[0]))

    _, cache = batchnorm_forward(x, gamma, beta, eps=1e-5)
    dx, dgamma, dbeta = batchnorm_backward(g, cache)
    errors = {
        "x": relative_error(dx, numerical_gradient(lambda v: loss(v, gamma, beta), x)),
        "gamma": relative_error(dgamma, numerical_gradient(lambda v: loss(x, v, beta), gamma)),
        "beta": relative_error(dbeta, numerical_gradient(lambda v: loss(x, gamma, v), beta)),
    }
    assert all(e < 1e-7 for e in errors.values()), errors
    # and the survey's own formulas for γ and β
    np.testing.assert_allclose(dgamma, (g * cache.x_hat).reshape(-1, d).sum(axis=0))
    np.testing.assert_allclose(dbeta, g.reshape(-1, d).sum(axis=0))


@settings(max_examples=40, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(2, 16), st.integers(1, 4)),
                elements=st.floats(-100, 100, allow_nan=False)),
       eps=st.floats(1e-5, 1e-1))
def test_training_output_has_mean_beta_and_bounded_scale(x, eps):
    d = x.shape[1]
    gamma, beta = np.full(d, 2.0), np.full(d, -1.0)
    y, cache = batchnorm_forward(x, gamma, beta, eps=eps)
    np.testing.assert_allclose(y.mean(axis=0), beta, atol=1e-9)
    assert np.all(y.std(axis=0) <= 2.0 + 1e-9)  # γ √(σ²/(σ²+ε)) ≤ γ
    dx, _, _ = batchnorm_backward(np.ones_like(x), cache)
    np.testing.assert_allclose(dx, 0, atol=1e-9)  # y's column sums don't depend on x


def test_batch_of_one_normalizes_everything_to_beta():
    """The small-batch failure (§4.7): with m = 1, x − μ_B = 0 and the output is β."""
    gamma, beta = np.array([3.0, 1.0]), np.array([0.5, -0.5])
    y, _ = batchnorm_forward(np.array([[10.0, -7.0]]), gamma, beta)
    np.testing.assert_array_equal(y, [beta])
    # layer normalization does not depend on the batch: one example alone or in a batch
    x = _batch(np.random.default_rng(3), (5, 6))
    g, b = np.ones(6), np.zeros(6)
    np.testing.assert_allclose(layernorm_forward(x[:1], g, b), layernorm_forward(x, g, b)[:1])


def test_numpy_layer_switches_between_training_and_inference():
    rng = np.random.default_rng(4)
    bn = BatchNorm(3, momentum=0.5, eps=1e-3)
    x = _batch(rng, (10, 3))
    y_inference_before = bn(x, training=False)
    np.testing.assert_allclose(y_inference_before, x / np.sqrt(1 + 1e-3))  # μ=0, σ²=1
    bn(x, training=True)
    mu, var = batch_moments(x)
    np.testing.assert_allclose(bn.running_mean, 0.5 * mu)
    np.testing.assert_allclose(bn.running_var, 0.5 + 0.5 * var)
    before = (bn.running_mean.copy(), bn.running_var.copy())
    np.testing.assert_allclose(
        bn(x, training=False),
        batchnorm_inference(x, bn.gamma, bn.beta, *before, eps=1e-3))
    np.testing.assert_array_equal(bn.running_mean, before[0])  # inference changes nothing
    dx = bn.backward(np.ones_like(x))
    assert dx.shape == x.shape and bn.dgamma.shape == bn.dbeta.shape == (3,)


# --- against keras.layers.BatchNormalization -------------------------------------------------


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape, momentum, eps", [
    ((16, 4), 0.9, 1e-5),     # the survey's ρ and ε
    ((16, 4), 0.99, 1e-3),    # Keras' defaults
    ((4, 5, 5, 3), 0.5, 1e-3),  # convolutional activations: statistics over N, H, W
    ((2, 3), 0.0, 1e-2),      # ρ = 0, a tiny batch
])
def test_equals_keras_batchnorm_over_training_steps_and_at_inference(dtype, shape,
                                                                     momentum, eps):
    # the comparison loop lives once, in the package (notebook 04.06 shows it too)
    err = compare_with_keras_batchnorm(shape, momentum=momentum, eps=eps, steps=5,
                                       dtype=dtype, lr=0.1, seed=5)
    assert max(err.values()) < TOL[dtype][0], err


def test_keras_moving_variance_is_the_biased_batch_variance():
    """What keras/src/layers/normalization/batch_normalization.py does: tf.nn.moments."""
    x = np.array([[0.0], [1.0], [2.0], [5.0]])  # biased var 3.5, unbiased 4.666…
    layer = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-3, dtype="float64")
    layer(x, training=True)
    biased, unbiased = x.var(), x.var(ddof=1)
    assert layer.moving_variance.numpy()[0] == pytest.approx(0.9 + 0.1 * biased, rel=1e-14)
    assert abs(layer.moving_variance.numpy()[0] - (0.9 + 0.1 * unbiased)) > 0.1
    assert update_running_stats(0.0, 1.0, *batch_moments(x), momentum=0.9)[1][0] == \
        pytest.approx(0.9 + 0.1 * biased, rel=1e-14)


# --- layer normalization against keras.layers.LayerNormalization -----------------------------


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape, eps", [((6, 8), 1e-3), ((2, 4, 5), 1e-5)])
def test_layernorm_equals_keras(dtype, shape, eps):
    rng = np.random.default_rng(6)
    d = shape[-1]
    layer = keras.layers.LayerNormalization(epsilon=eps, dtype=dtype)
    layer.build(shape)
    gamma, beta = rng.uniform(0.5, 2, d), rng.normal(size=d)
    layer.gamma.assign(gamma.astype(dtype))
    layer.beta.assign(beta.astype(dtype))
    x = _batch(rng, shape).astype(dtype)
    theirs = np.asarray(layer(x), float)
    mine = layernorm_forward(x.astype(float), layer.gamma.numpy(), layer.beta.numpy(), eps=eps)
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(theirs, mine, rtol=rtol, atol=atol)
    # the same in training and at inference
    np.testing.assert_array_equal(np.asarray(layer(x, training=True)), theirs.astype(dtype))


# --- validation ------------------------------------------------------------------------------

X = np.ones((4, 2))
ONES, ZEROS = np.ones(2), np.zeros(2)


@pytest.mark.parametrize("call, message", [
    (lambda: batchnorm_forward(X, ONES, ZEROS, eps=0.0), r"^eps must be in \(0, inf\)"),
    (lambda: batchnorm_forward(X, ONES, ZEROS, eps=-1e-5), r"^eps must be"),
    (lambda: batchnorm_inference(X, ONES, ZEROS, ZEROS, ONES, eps=0), r"^eps must be"),
    (lambda: layernorm_forward(X, ONES, ZEROS, eps=0.0), r"^eps must be"),
    (lambda: update_running_stats(0, 1, 0, 1, momentum=1.0), r"^momentum must be in \[0, 1\)"),
    (lambda: update_running_stats(0, 1, 0, 1, momentum=-0.1), r"^momentum must be"),
    (lambda: BatchNorm(2, momentum=1.5), r"^momentum must be"),
    (lambda: BatchNorm(2, eps=0.0), r"^eps must be"),
    (lambda: BatchNorm(0), r"^num_features must be"),
    (lambda: batchnorm_forward(X, np.ones(3), ZEROS), r"^gamma must have shape \(2,\)"),
    (lambda: batchnorm_forward(X, ONES, np.zeros((2, 1))), r"^beta must have shape"),
    (lambda: batchnorm_forward(np.ones(4), ONES, ZEROS), r"^x must have shape"),
    (lambda: batchnorm_backward(np.ones((3, 2)), batchnorm_forward(X, ONES, ZEROS)[1]),
     r"^dy must have the shape"),
])
def test_invalid_arguments_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_backward_needs_a_training_forward_first():
    with pytest.raises(RuntimeError, match="forward"):
        BatchNorm(2).backward(X)
