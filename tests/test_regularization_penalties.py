"""L1, L2, elastic net (survey §4.1–4.2): formulas, gradients, and equality with Keras."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from surveykit.gradcheck import numerical_gradient, relative_error
from surveykit.regularization import (
    ElasticNetRegularizer,
    L1Regularizer,
    L2Regularizer,
    elastic_net_gradient,
    elastic_net_penalty,
    kernel_weights,
    l1_gradient,
    l1_penalty,
    l2_gradient,
    l2_penalty,
    sparsity,
    weight_norms,
)

RNG = np.random.default_rng(0)
W = RNG.normal(size=(4, 3))

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
weights = arrays(np.float64, st.integers(1, 12), elements=finite)
lams = st.floats(0, 5, allow_nan=False)


# --- the survey's formulas --------------------------------------------------------------


def test_penalties_on_a_hand_computed_example():
    w = np.array([1.0, -2.0, 0.0, 3.0])
    assert l2_penalty(w, 0.1) == pytest.approx(0.1 * 14)
    assert l1_penalty(w, 0.1) == pytest.approx(0.1 * 6)
    assert elastic_net_penalty(w, 0.1, 0.01) == pytest.approx(0.6 + 0.14)
    np.testing.assert_allclose(l2_gradient(w, 0.1), [0.2, -0.4, 0.0, 0.6])
    np.testing.assert_allclose(l1_gradient(w, 0.1), [0.1, -0.1, 0.0, 0.1])


@settings(max_examples=60, deadline=None)
@given(w=weights, lam1=lams, lam2=lams, c=st.floats(-3, 3, allow_nan=False))
def test_penalty_invariants(w, lam1, lam2, c):
    assert l2_penalty(w, lam2) >= 0 and l1_penalty(w, lam1) >= 0
    # homogeneity: L2 of degree 2, L1 of degree 1
    assert l2_penalty(c * w, lam2) == pytest.approx(c * c * l2_penalty(w, lam2), rel=1e-9,
                                                    abs=1e-12)
    assert l1_penalty(c * w, lam1) == pytest.approx(abs(c) * l1_penalty(w, lam1), rel=1e-9,
                                                    abs=1e-12)
    # elastic net is the sum of the two; λ1 = 0 or λ2 = 0 gives back L2 or L1
    assert elastic_net_penalty(w, lam1, lam2) == pytest.approx(
        l1_penalty(w, lam1) + l2_penalty(w, lam2))
    assert elastic_net_penalty(w, 0.0, lam2) == pytest.approx(l2_penalty(w, lam2))
    assert elastic_net_penalty(w, lam1, 0.0) == pytest.approx(l1_penalty(w, lam1))


@pytest.mark.parametrize("name, penalty, gradient", [
    ("l2", lambda w: l2_penalty(w, 0.3), lambda w: l2_gradient(w, 0.3)),
    ("l1", lambda w: l1_penalty(w, 0.3), lambda w: l1_gradient(w, 0.3)),
    ("elastic net", lambda w: elastic_net_penalty(w, 0.3, 0.2),
     lambda w: elastic_net_gradient(w, 0.3, 0.2)),
])
def test_gradient_matches_finite_differences(name, penalty, gradient):
    # Away from 0 (|w| >= 0.1 >> h), where |w| is differentiable.
    w = RNG.uniform(0.1, 2.0, size=(5, 4)) * RNG.choice([-1.0, 1.0], size=(5, 4))
    err = relative_error(gradient(w), numerical_gradient(penalty, w))
    assert err < 1e-7, f"{name}: relative error {err:.1e}"


def test_l1_subgradient_at_zero():
    """At w = 0 the one-sided derivatives are ±λ; sign(0) = 0 lies between them."""
    lam, h = 0.3, 1e-6
    right = (l1_penalty(np.array([h]), lam) - l1_penalty(np.array([0.0]), lam)) / h
    left = (l1_penalty(np.array([0.0]), lam) - l1_penalty(np.array([-h]), lam)) / h
    assert right == pytest.approx(lam) and left == pytest.approx(-lam)
    g = l1_gradient(np.array([0.0]), lam)[0]
    assert left <= g <= right and g == 0.0
    # the centred difference at 0 is 0 too: the symmetric subgradient
    assert numerical_gradient(lambda w: l1_penalty(w, lam), np.zeros(3)) == pytest.approx(0)


# --- equality with Keras ------------------------------------------------------------------

PAIRS = [
    (lambda: L2Regularizer(0.03), lambda: keras.regularizers.L2(0.03)),
    (lambda: L1Regularizer(0.03), lambda: keras.regularizers.L1(0.03)),
    (lambda: ElasticNetRegularizer(0.02, 0.05), lambda: keras.regularizers.L1L2(0.02, 0.05)),
    (lambda: ElasticNetRegularizer(l2=0.05), lambda: keras.regularizers.L1L2(l2=0.05)),
]
IDS = ["L2", "L1", "L1L2", "L1L2-l2-only"]


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=IDS)
def test_regularizer_equals_keras_on_tensors(ours, theirs):
    x = tf.constant(RNG.normal(size=(7, 5)), dtype=tf.float32)
    a, b = float(ours()(x)), float(theirs()(x))
    assert isinstance(ours(), keras.regularizers.Regularizer)
    # Same float32 operations in the same order: bit-identical.
    assert a == b


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=IDS)
def test_regularizer_equals_keras_inside_a_model(ours, theirs):
    def build(reg):
        keras.utils.set_random_seed(1)
        model = keras.Sequential([
            keras.Input((5,)),
            keras.layers.Dense(4, activation="relu", kernel_regularizer=reg()),
            keras.layers.Dense(1, kernel_regularizer=reg()),
        ])
        model.compile(optimizer="sgd", loss="mse")
        return model

    m1, m2 = build(ours), build(theirs)
    m2.set_weights(m1.get_weights())
    x = RNG.normal(size=(16, 5)).astype("float32")
    y = RNG.normal(size=(16, 1)).astype("float32")
    m1(x), m2(x)
    ours_losses = [float(v) for v in m1.losses]
    theirs_losses = [float(v) for v in m2.losses]
    assert len(ours_losses) == 2
    np.testing.assert_array_equal(ours_losses, theirs_losses)
    # and the penalty is the survey's formula on the kernels (float64 vs float32 sums)
    expected = [_penalty_np(ours(), k) for k in kernel_weights(m1)]
    np.testing.assert_allclose(ours_losses, expected, rtol=1e-6)
    # the regularized loss (data loss + penalties) and training on it: bit-identical
    assert m1.evaluate(x, y, verbose=0) == m2.evaluate(x, y, verbose=0)
    h1 = m1.fit(x, y, epochs=2, verbose=0).history["loss"]
    h2 = m2.fit(x, y, epochs=2, verbose=0).history["loss"]
    assert h1 == h2
    for a, b in zip(m1.get_weights(), m2.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def _penalty_np(reg, w):
    if isinstance(reg, L2Regularizer):
        return l2_penalty(w, reg.l2)
    if isinstance(reg, L1Regularizer):
        return l1_penalty(w, reg.l1)
    return elastic_net_penalty(w, reg.l1, reg.l2)


@pytest.mark.parametrize("reg, grad", [
    (L2Regularizer(0.1), lambda w: l2_gradient(w, 0.1)),
    (L1Regularizer(0.1), lambda w: l1_gradient(w, 0.1)),
    (ElasticNetRegularizer(0.1, 0.2), lambda w: elastic_net_gradient(w, 0.1, 0.2)),
], ids=["L2", "L1", "elastic"])
def test_autodiff_of_keras_regularizer_equals_formula_gradient(reg, grad):
    w_np = np.array([[1.5, -0.5, 0.0], [2.0, -3.0, 0.25]])
    w = tf.Variable(w_np, dtype=tf.float64)
    with tf.GradientTape() as tape:
        penalty = reg(w)
    np.testing.assert_allclose(tape.gradient(penalty, w).numpy(), grad(w_np), rtol=1e-12)


def test_regularizer_config_round_trip():
    reg = ElasticNetRegularizer(0.01, 0.02)
    again = keras.regularizers.deserialize(keras.regularizers.serialize(reg))
    assert isinstance(again, ElasticNetRegularizer)
    assert (again.l1, again.l2) == (0.01, 0.02)


# --- helpers ---------------------------------------------------------------------------------


def test_sparsity_and_norms():
    w = [np.array([[0.0, 1e-4], [-2.0, 3.0]]), np.array([-5e-4, 4.0])]
    assert sparsity(w, threshold=1e-3) == pytest.approx(3 / 6)
    assert sparsity(w, threshold=1e-5) == pytest.approx(1 / 6)
    norms = weight_norms(w)
    assert norms.l1 == pytest.approx(9.0006)
    assert norms.l2 == pytest.approx(np.sqrt(4 + 9 + 16 + 1e-8 + 2.5e-7))
    assert norms.max_abs == 4.0
    assert sparsity([]) == 0.0 and weight_norms([]) == (0.0, 0.0, 0.0)


def test_kernel_weights_skips_biases():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2),
                              keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    shapes = [k.shape for k in kernel_weights(model)]
    assert shapes == [(3, 2), (2, 1)]


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize("call, name", [
    (lambda: l2_penalty(W, -0.1), "lam"),
    (lambda: l1_penalty(W, float("nan")), "lam"),
    (lambda: l1_gradient(W, float("inf")), "lam"),
    (lambda: elastic_net_penalty(W, 0.1, -1.0), "lam2"),
    (lambda: elastic_net_penalty(W, -1.0, 0.1), "lam1"),
    (lambda: L2Regularizer(-0.01), "l2"),
    (lambda: L1Regularizer("0.1"), "l1"),
    (lambda: ElasticNetRegularizer(l1=-1), "l1"),
    (lambda: sparsity(W, threshold=0.0), "threshold"),
])
def test_invalid_hyperparameters_raise(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        call()
