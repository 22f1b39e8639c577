"""The survey's sigmoid neuron: gradient by finite differences and against Keras."""

import numpy as np
import pytest

from surveykit import foundations, gradcheck


def _problem(seed=0, n=40):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X @ np.array([1.5, -2.0]) + 0.3 + rng.normal(0, 0.5, n) > 0).astype(float)
    return X, y


def test_sigmoid_is_stable_and_correct():
    z = np.array([-800.0, -30.0, 0.0, 2.0, 800.0])
    s = foundations.sigmoid(z)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s[1:4], 1 / (1 + np.exp(-z[1:4])), rtol=1e-15)
    assert s[0] == 0.0 and s[-1] == 1.0


def test_gradient_matches_finite_differences():
    X, y = _problem()
    w, b = np.array([0.3, -0.7]), 0.2

    def loss(theta):
        p = foundations.neuron_forward(X, theta[:2], theta[2])
        return foundations.binary_cross_entropy(y, p)

    dw, db = foundations.neuron_gradients(X, y, w, b)
    numeric = gradcheck.numerical_gradient(loss, np.r_[w, b])
    assert gradcheck.relative_error(np.r_[dw, db], numeric) < 1e-7
    # and a wrong gradient (sign flipped) is caught by the same check
    assert gradcheck.relative_error(-np.r_[dw, db], numeric) > 0.5


def test_training_matches_keras_sgd():
    import keras

    X, y = _problem(1)
    w0, b0, eta, steps = np.array([0.2, 0.1]), -0.3, 0.4, 60
    ours = foundations.train_neuron(X, y, learning_rate=eta, steps=steps, w0=w0, b0=b0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.layers[0].set_weights([w0.reshape(2, 1), np.array([b0])])
    model.compile(optimizer=keras.optimizers.SGD(eta), loss="binary_crossentropy")
    hist = model.fit(X, y, batch_size=len(y), epochs=steps, shuffle=False, verbose=0)
    kw, kb = model.layers[0].get_weights()
    np.testing.assert_allclose(kw.ravel(), ours.w, atol=1e-5)
    assert kb[0] == pytest.approx(ours.b, abs=1e-5)
    # Keras logs the loss before each epoch's step: our losses[0..steps-1]
    np.testing.assert_allclose(hist.history["loss"], ours.losses[:-1], rtol=1e-5)
    assert ours.losses[-1] < ours.losses[0]


def test_parameter_and_hyperparameter_sets_are_disjoint():
    assert not foundations.NEURON_PARAMETERS & foundations.NEURON_HYPERPARAMETERS
    assert {"w1", "w2", "b"} == foundations.NEURON_PARAMETERS


@pytest.mark.parametrize("lr", [0, -0.1, float("nan")])
def test_bad_learning_rate(lr):
    X, y = _problem()
    with pytest.raises(ValueError, match="learning_rate must be in"):
        foundations.gradient_descent_step(np.zeros(2), 0.0, X, y, lr)


def test_numerical_gradient_validates_step():
    with pytest.raises(ValueError, match="h must be in"):
        gradcheck.numerical_gradient(np.sum, np.ones(2), h=0)
