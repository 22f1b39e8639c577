"""Dropout (survey §4.3): the survey's form, the inverted form, and Keras.

Monte Carlo checks use a tolerance derived from the sample size: with n samples of a
unit with activation h, the training output's sample mean has standard error
|h|·√(p(1−p)/n) in the survey's form and that divided by (1 − p) in the inverted form;
every unit must be within 5 standard errors (a false alarm has probability ≈ 6e-7 per
unit, and the seeds are fixed anyway).
"""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import keras
import numpy as np
import pytest

from surveykit.regularization import SurveyDropout, dropout, dropout_mask, inverted_dropout

N_SAMPLES = 20_000
H = np.random.default_rng(0).normal(size=32)  # one layer's activations, 32 units
Z = 5.0  # standard errors allowed


def _standard_error(h, p, n, inverted):
    se = np.abs(h) * np.sqrt(p * (1 - p) / n)
    return se / (1 - p) if inverted else se


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_both_forms_have_the_inference_activation_as_expected_training_activation(p):
    rng = np.random.default_rng(1)
    batch = np.tile(H, (N_SAMPLES, 1))
    survey = dropout(batch, p, training=True, rng=rng).mean(axis=0)
    inverted = inverted_dropout(batch, p, training=True, rng=rng).mean(axis=0)
    survey_inference = dropout(H, p, training=False)
    inverted_inference = inverted_dropout(H, p, training=False)

    np.testing.assert_allclose(survey_inference, (1 - p) * H)
    np.testing.assert_array_equal(inverted_inference, H)
    se_survey = _standard_error(H, p, N_SAMPLES, inverted=False)
    se_inverted = _standard_error(H, p, N_SAMPLES, inverted=True)
    assert np.all(np.abs(survey - survey_inference) <= Z * se_survey)
    assert np.all(np.abs(inverted - inverted_inference) <= Z * se_inverted)
    # The two forms differ only by the factor 1 − p, in training and at inference.
    mask = dropout_mask(H.shape, p, rng=2)
    np.testing.assert_allclose(dropout(H, p, training=True, mask=mask),
                               (1 - p) * inverted_dropout(H, p, training=True, mask=mask))


def test_mask_is_bernoulli_one_minus_p():
    p, n = 0.3, 100_000
    keep = dropout_mask((n,), p, rng=3).mean()
    assert abs(keep - (1 - p)) <= Z * np.sqrt(p * (1 - p) / n)


def test_training_output_is_zero_or_unscaled_in_survey_form_and_scaled_in_inverted_form():
    mask = dropout_mask(H.shape, 0.5, rng=4)
    survey = dropout(H, 0.5, training=True, mask=mask)
    inverted = inverted_dropout(H, 0.5, training=True, mask=mask)
    np.testing.assert_array_equal(survey, np.where(mask, H, 0.0))
    np.testing.assert_allclose(inverted, np.where(mask, 2.0 * H, 0.0))


def test_p_zero_is_the_identity():
    for training in (True, False):
        np.testing.assert_array_equal(dropout(H, 0.0, training=training, rng=0), H)
        np.testing.assert_array_equal(inverted_dropout(H, 0.0, training=training, rng=0), H)


# --- against keras.layers.Dropout (inverted) -------------------------------------------------


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_inverted_form_equals_keras_dropout_at_inference_exactly(p):
    x = np.random.default_rng(5).normal(size=(8, 32)).astype("float32")
    keras_out = keras.layers.Dropout(p, seed=0)(x, training=False)
    np.testing.assert_array_equal(np.asarray(keras_out), inverted_dropout(x, p, training=False))


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_inverted_form_equals_keras_dropout_in_training(p):
    batch = np.tile(H, (N_SAMPLES, 1)).astype("float32")
    keras_out = np.asarray(keras.layers.Dropout(p, seed=0)(batch, training=True), float)
    # In mean: E = h, within 5 standard errors (the same bound as our own form).
    se = _standard_error(H, p, N_SAMPLES, inverted=True)
    assert np.all(np.abs(keras_out.mean(axis=0) - H) <= Z * se)
    # Sample by sample: with Keras' own mask, our formula gives Keras' output.
    keras_mask = keras_out != 0
    assert abs(keras_mask.mean() - (1 - p)) <= Z * np.sqrt(p * (1 - p) / keras_mask.size)
    ours = inverted_dropout(batch.astype(float), p, training=True, mask=keras_mask)
    np.testing.assert_allclose(keras_out, ours, rtol=2e-7)


# --- the survey-form Keras layer -------------------------------------------------------------


@pytest.mark.parametrize("p", [0.25, 0.5])
def test_survey_layer_in_a_model_at_inference_scales_weights_by_one_minus_p(p):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, use_bias=False),
                              SurveyDropout(p, seed=0)])
    (kernel,) = model.get_weights()
    out = model.predict(np.eye(4, dtype="float32"), verbose=0)  # row i = W[i, :] · (1 − p)
    np.testing.assert_array_equal(out, kernel * np.float32(1 - p))


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_survey_layer_in_training_keeps_units_unscaled_with_probability_one_minus_p(p):
    layer = SurveyDropout(p, seed=0)
    batch = np.tile(H, (N_SAMPLES, 1)).astype("float32")
    out = np.asarray(layer(batch, training=True), float)
    kept = out != 0
    np.testing.assert_array_equal(out[kept], batch[kept])  # no 1/(1 − p) rescaling
    assert abs(kept.mean() - (1 - p)) <= Z * np.sqrt(p * (1 - p) / kept.size)
    se = _standard_error(H, p, N_SAMPLES, inverted=False)
    assert np.all(np.abs(out.mean(axis=0) - (1 - p) * H) <= Z * se)
    # and the survey layer's inference output is that expected value
    np.testing.assert_allclose(np.asarray(layer(H[None].astype("float32"))),
                               (1 - p) * H[None], rtol=1e-6)


def test_survey_layer_trains_and_round_trips_its_config():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              SurveyDropout(0.3, seed=1), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.random.default_rng(6).normal(size=(32, 4)).astype("float32")
    history = model.fit(x, x[:, :1], epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    layer = SurveyDropout.from_config(model.layers[1].get_config())
    assert (layer.rate, layer.seed) == (0.3, 1)


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("call, name", [
    (lambda: dropout(H, 1.0, training=True), "p"),
    (lambda: dropout(H, -0.1, training=False), "p"),
    (lambda: inverted_dropout(H, float("nan"), training=True), "p"),
    (lambda: dropout_mask((3,), 1.5), "p"),
    (lambda: SurveyDropout(1.0), "rate"),
    (lambda: SurveyDropout(-0.2), "rate"),
])
def test_invalid_rate_raises(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must be .*\[0, 1\)"):
        call()


def test_mask_of_the_wrong_shape_raises():
    with pytest.raises(ValueError, match="mask must have the shape"):
        dropout(H, 0.5, training=True, mask=np.ones(3, bool))
