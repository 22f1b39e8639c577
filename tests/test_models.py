"""surveykit.models: the architecture builder, its validation and its parameter count."""

import itertools

import keras
import numpy as np
import pytest

from surveykit import data, models, models_plots, training
from surveykit.optim import rules

DIGITS = dict(input_shape=(8, 8, 1), output_units=10, output_activation="softmax")

# Many combinations of the hyperparameters: dense and conv, depth 0–3, BN, dropout,
# pooling, kernel sizes, channels, initialisers, output sizes.
CONFIGS = [
    models.Architecture(),
    models.Architecture(units=()),
    models.Architecture(units=(7,), output_units=3, output_activation="softmax"),
    *[models.Architecture(input_shape=(n,), units=u, activation=a, batch_norm=bn, dropout=p)
      for (n, u), a, bn, p in itertools.product(
          [(30, (128, 64, 32)), (5, (1, 1)), (12, (40,))], ["relu", "tanh"], [False, True],
          [0.0, 0.5])],
    models.Architecture(input_shape=(4, 5), units=(6,)),  # dense on a 2-D input: Flatten
    models.Architecture(units=(16,) * 3, activation="leaky_relu", initializer="he"),
    models.Architecture(units=(9, 9), initializer="random_normal", init_scale=0.3),
    *[models.Architecture(layer_type="conv", units=u, kernel_size=k, pool=pool, batch_norm=bn,
                          dropout=p, **DIGITS)
      for u, k, pool, bn, p in itertools.product(
          [(4,), (8, 16), (2, 3, 4)], [1, 3, 5], [True, False], [False, True], [0.0, 0.2])],
    models.Architecture(input_shape=(9, 7, 3), layer_type="conv", units=(5, 6), kernel_size=2),
    models.Architecture(input_shape=(8, 8, 1), layer_type="conv", units=(),
                        output_units=10, output_activation="softmax"),
]


@pytest.mark.parametrize("arch", CONFIGS, ids=[f"{i}:{a.label()}" for i, a in enumerate(CONFIGS)])
def test_count_equals_keras(arch):
    model = arch.build()
    assert models.count_parameters(arch) == model.count_params()
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert arch.count_parameters(trainable_only=True) == trainable
    rows = arch.layer_parameters()
    assert sum(r.total for r in rows) == model.count_params()
    assert rows[-1].layer == "output" and rows[-1].output_shape == (arch.output_units,)
    assert tuple(model.output_shape[1:]) == (arch.output_units,)


def test_survey_example():
    arch = models.Architecture()
    assert arch.input_shape == (30,) and arch.units == models.SURVEY_HIDDEN_UNITS
    assert arch.activation == "relu" and arch.output_activation == "sigmoid"
    assert arch.count_parameters() == (30 * 128 + 128) + (128 * 64 + 64) + (64 * 32 + 32) + 33
    assert arch.count_parameters() == 14_337
    assert models.Architecture.from_depth_width((30,), 3, 128, taper=True) == arch
    model = arch.build()
    assert [layer.units for layer in model.layers] == [128, 64, 32, 1]
    assert model.layers[-1].activation.__name__ == "sigmoid"
    assert "14,337" in arch.summary()


def test_build_mlp_is_the_same_model_as_architecture():
    keras.utils.set_random_seed(3)
    a = models.build_mlp(30, (16, 8), activation="tanh")
    keras.utils.set_random_seed(3)
    b = models.Architecture((30,), (16, 8), activation="tanh").build()
    assert all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights(),
                                                    strict=True))


def test_formulas():
    assert models.dense_params(30, 128) == 3968
    assert models.dense_params(30, 128, use_bias=False) == 3840
    assert models.conv2d_params(3, 1, 16) == 160
    assert models.conv2d_params(3, 16, 32) == 4640
    assert models.conv2d_params(5, 3, 8, use_bias=False) == 600
    assert models.batch_norm_params(64) == (128, 128)
    with pytest.raises(ValueError, match="fan_in"):
        models.dense_params(0, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        models.conv2d_params(0, 1, 1)


def test_conv_count_does_not_depend_on_image_size():
    small = models.Architecture(layer_type="conv", units=(16, 32), **DIGITS)
    big = small.with_(input_shape=(28, 28, 1))
    conv = [[r.total for r in a.layer_parameters() if r.layer.startswith("conv")]
            for a in (small, big)]
    assert conv[0] == conv[1] == [160, 4640]
    assert big.count_parameters() - small.count_parameters() == (7 * 7 - 2 * 2) * 32 * 10


def test_batch_norm_goes_before_the_activation_and_replaces_the_bias():
    arch = models.Architecture(units=(8, 4), batch_norm=True, dropout=0.25,
                               batch_norm_momentum=0.9)
    model = arch.build()
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNormalization", "Activation", "Dropout"] * 2 + ["Dense"]
    assert model.layers[0].use_bias is False and model.layers[0].activation.__name__ == "linear"
    assert model.layers[1].momentum == 0.9
    assert model.layers[2].activation.__name__ == "relu"
    assert model.layers[-1].use_bias is True
    conv = models.Architecture(layer_type="conv", units=(4,), batch_norm=True, **DIGITS).build()
    assert [type(layer).__name__ for layer in conv.layers] == [
        "Conv2D", "BatchNormalization", "Activation", "MaxPooling2D", "Flatten", "Dense"]


def test_dense_on_images_flattens_and_no_dropout_layer_when_zero():
    model = models.Architecture(units=(5,), **DIGITS).build()
    assert [type(layer).__name__ for layer in model.layers] == ["Flatten", "Dense", "Dense"]


@pytest.mark.parametrize("alias, name", [("xavier", "glorot_uniform"),
                                         ("xavier_normal", "glorot_normal"),
                                         ("he", "he_normal"), ("kaiming_uniform", "he_uniform"),
                                         ("normal", "random_normal"), ("lecun", "lecun_normal")])
def test_initializer_aliases(alias, name):
    assert models.Architecture(initializer=alias).initializer == name
    assert name in models.INITIALIZERS


@pytest.mark.parametrize("init, std", [("he_normal", np.sqrt(2 / 30)),
                                       ("he_uniform", np.sqrt(2 / 30)),
                                       ("glorot_uniform", np.sqrt(2 / 158)),
                                       ("lecun_normal", np.sqrt(1 / 30))])
def test_initializers_draw_their_standard_deviation(init, std):
    keras.utils.set_random_seed(0)
    kernel = models.Architecture(initializer=init).build().layers[0].kernel.numpy()
    assert abs(kernel.std() - std) < 4 * std / np.sqrt(2 * kernel.size)
    assert np.all(models.Architecture().build().layers[0].bias.numpy() == 0)


def test_random_normal_scale_and_fresh_initializers_per_layer():
    keras.utils.set_random_seed(0)
    model = models.Architecture(units=(64, 64), initializer="random_normal",
                                init_scale=2.0).build()
    k1, k2 = (layer.kernel.numpy() for layer in model.layers[:2])
    assert abs(k2.std() - 2.0) < 0.1
    assert not np.allclose(k1[:30, :30], k2[:30, :30])  # not one reused unseeded initializer
    assert models.Architecture(initializer="random_normal").init_stddev == 0.05
    assert models.Architecture().init_stddev is None


def test_seeded_builds_are_reproducible():
    arch = models.Architecture(units=(8,), initializer="he")
    weights = []
    for _ in range(2):
        keras.utils.set_random_seed(5)
        weights.append(arch.build().get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(*weights, strict=True))


@pytest.mark.parametrize("kwargs, message", [
    (dict(input_shape=(0,)), r"input_shape\[0\] must be an integer in \[1, inf\); got 0"),
    (dict(input_shape=()), "input_shape must be a tuple"),
    (dict(units=(3, 0)), r"units\[1\] must be an integer in \[1, inf\); got 0"),
    (dict(units=(3, 2.5)), r"units\[1\]"),
    (dict(layer_type="recurrent"), "layer_type must be one of"),
    (dict(activation="swish"), "activation must be one of"),
    (dict(dropout=1.0), r"dropout must be in \[0, 1\); got 1.0"),
    (dict(dropout=-0.1), "dropout must be in"),
    (dict(batch_norm="yes"), "batch_norm must be one of"),
    (dict(batch_norm_momentum=1.0), "batch_norm_momentum must be in"),
    (dict(initializer="orthogonal"), "initializer must be one of"),
    (dict(init_scale=0.1), "init_scale applies only to initializer='random_normal'"),
    (dict(initializer="random_normal", init_scale=0.0), r"init_scale must be in \(0, inf\)"),
    (dict(kernel_size=0), "kernel_size"),
    (dict(output_units=0), "output_units"),
    (dict(output_activation="relu6"), "output_activation must be one of"),
    (dict(layer_type="conv"), r"input_shape must be \(height, width, channels\)"),
    (dict(layer_type="conv", units=(2, 2, 2, 2), input_shape=(8, 8, 1)),
     "units must have at most 3 conv layers for a 8×8 input"),
])
def test_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.Architecture(**kwargs)


def test_deep_conv_without_pooling_is_fine():
    arch = models.Architecture(layer_type="conv", units=(2,) * 6, pool=False, **DIGITS)
    assert arch.count_parameters() == arch.build().count_params()


def test_count_parameters_and_build_model_take_keywords_or_an_architecture():
    arch = models.Architecture(units=(5,))
    assert models.count_parameters(units=(5,)) == models.count_parameters(arch) == 31 * 5 + 6
    assert models.build_model(units=(5,)).count_params() == 31 * 5 + 6
    with pytest.raises(ValueError, match="not both"):
        models.count_parameters(arch, units=(4,))
    with pytest.raises(ValueError, match="must be an Architecture"):
        models.count_parameters("dense")


def test_from_depth_width_and_label():
    assert models.Architecture.from_depth_width((30,), 3, 8, taper=True).units == (8, 4, 2)
    assert models.Architecture.from_depth_width((30,), 4, 2, taper=True).units == (2, 1, 1, 1)
    assert models.Architecture.from_depth_width((30,), 2, 16).units == (16, 16)
    assert models.Architecture.from_depth_width((30,), 0, 16).units == ()
    arch = models.Architecture(units=(4,), batch_norm=True, dropout=0.5,
                               initializer="random_normal", init_scale=1.0)
    assert arch.label() == "dense 4 relu BN dropout 0.5 N(0, 1²)"
    assert models.Architecture(units=()).label() == "dense (no hidden layer)"
    assert models.Architecture(**arch.hyperparameters()) == arch


def test_loss_and_gradients_give_the_survey_update_of_keras_sgd():
    """§3.2: one Keras SGD step is w − η ∂L/∂w with the gradients of loss_and_gradients."""
    split = data.breast_cancer_split(seed=0)
    keras.utils.set_random_seed(0)
    model = models.Architecture(units=(6, 4)).build()
    X, y = split.X_train[:16], split.y_train[:16]
    loss, grads = models.loss_and_gradients(model, X, y)
    keras_loss = float(keras.losses.BinaryCrossentropy()(y[:, None].astype("float32"),
                                                         model(X)))
    assert abs(loss - keras_loss) < 1e-6
    before = [w.numpy() for w in model.trainable_weights]
    keras.optimizers.SGD(0.5).apply_gradients(zip(grads, model.trainable_weights, strict=True))
    for w, w0, g in zip(model.trainable_weights, before, grads, strict=True):
        np.testing.assert_allclose(w.numpy(), w0 - rules.sgd_step(g, lr=0.5),
                                   atol=1e-7)


def test_a_conv_model_trains_on_the_digits():
    split = data.digits_split(seed=0)
    reshaped = type(split)(**{**split.__dict__,
                              **{f"X_{p}": getattr(split, f"X_{p}").reshape(-1, 8, 8, 1)
                                 for p in ("train", "val", "test")}})
    arch = models.Architecture(layer_type="conv", units=(8,), **DIGITS)
    run = training.fit(arch.build, reshaped, optimizer=keras.optimizers.Adam(3e-3), epochs=2,
                       loss="sparse_categorical_crossentropy", seed=0)
    assert not run.diverged and run.history["loss"][-1] < run.history["loss"][0]


def test_plots_draw_from_counts_and_cached_runs():
    fig = models_plots.parameter_bars(models.Architecture(units=(4,), batch_norm=True))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["dense_1", "batch_norm_1", "output"]
    runs = {(d, w, a): training.Run(config={}, history={"loss": [0.5, 0.3], "val_loss": [0.6, 0.4]})
            for d, w, a in itertools.product((1, 3), (8, 128), ("relu", "tanh"))}
    fig = models_plots.architecture_view(runs, 3, 128, "relu")
    assert "14,337 parameters" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="must be one of"):
        models_plots.architecture_view(runs, 2, 8, "relu")
