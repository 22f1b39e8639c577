"""Image augmentation (survey §4.5): known answers, and agreement with Keras' layers.

What is compared with Keras, and how:

* exactly (float32 inputs, so both sides hold the same numbers): flips
  (``RandomFlip.transform_images`` with given flips) and crops (``RandomCrop`` with a given
  window);
* to float32 round-off (atol 1e-5 on values in [0, 1]): rotation by a fixed angle
  (``RandomRotation(factor=(a, a))``) with each fill mode and both interpolations, scaling
  (``RandomZoom`` with a fixed factor), brightness, contrast and bilinear resizing — the
  same formulas, so the only difference is Keras computing in float32;
* statistically: random rotations by U(±30°) — the mean of 3000 rotated copies of one
  image, numpy vs Keras, per pixel within 5 standard errors of the difference; and the
  fraction of images ``RandomFlip`` flips.

Not compared: Keras' random number streams (different generators), ``RandomSaturation``
(HSV, a different operation from our blend with grey).
"""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import keras
import numpy as np
import pytest

from surveykit.regularization import augmentation as A

RNG = np.random.default_rng(0)
GREY = RNG.random((3, 9, 12)).astype(np.float32).astype(np.float64)  # float32-exact values
SQUARE = RNG.random((2, 8, 8)).astype(np.float32).astype(np.float64)
COLOUR = RNG.random((2, 7, 7, 3)).astype(np.float32).astype(np.float64)
TOL = 1e-5  # float32 round-off of Keras on values in [0, 1]


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("bad", [np.zeros((4, 4)), np.zeros((1, 2, 3, 4, 5)), np.zeros((0, 3, 3))])
def test_images_must_be_a_batch(bad):
    with pytest.raises(ValueError, match="images must"):
        A.flip(bad)


@pytest.mark.parametrize("call, message", [
    (lambda: A.flip(GREY, "diagonal"), r"axis must be one of \['horizontal', 'vertical'\]"),
    (lambda: A.random_flip(GREY, p=1.5), r"p must be in \[0, 1\]; got 1.5"),
    (lambda: A.random_rotation(GREY, 200), r"max_angle must be in \[0, 180\]; got 200"),
    (lambda: A.random_scale(GREY, (0.0, 1.2)), r"scale_range\[0\] must be in \(0, 10\]"),
    (lambda: A.random_scale(GREY, (1.2, 0.9)), r"scale_range must be non-decreasing"),
    (lambda: A.crop(GREY, 0, 0, 10, 3), r"height must be an integer in \[1, 9\]; got 10"),
    (lambda: A.crop(GREY, 5, 0, 5, 3), r"top must be in \[0, 4\] for a 5×3 window"),
    (lambda: A.pad(GREY, -1), r"padding must be an integer in \[0, inf\)"),
    (lambda: A.rotate(GREY, 10, fill_mode="wrap"), r"fill_mode must be one of"),
    (lambda: A.adjust_brightness(GREY, 1.5), r"delta must be in \[-1, 1\]; got 1.5"),
    (lambda: A.adjust_contrast(GREY, -0.1), r"factor must be in \[0, inf\); got -0.1"),
    (lambda: A.adjust_saturation(GREY, 0.5), r"images must be RGB"),
    (lambda: A.random_brightness(GREY, 2), r"max_delta must be in \[0, 1\]; got 2"),
    (lambda: A.random_contrast(GREY, -1), r"max_change must be in \[0, 1\]; got -1"),
    (lambda: A.adjust_brightness(GREY, 0.1, value_range=(1, 0)), r"value_range must be"),
    (lambda: A.scale(GREY, 0.0), r"factor must be in \(0, inf\)"),
    (lambda: A.rotate(GREY, float("nan")), r"angle must be finite"),
    (lambda: A.rotate(GREY, [10.0, 20.0]), r"angle must be a number or one value per image"),
    (lambda: A.AugmentationConfig(max_shift=-1), r"max_shift must be an integer in \[0, inf\)"),
    (lambda: A.AugmentationConfig(brightness=1.2), r"brightness must be in \[0, 1\]; got 1.2"),
    (lambda: A.augment(GREY, {"max_angle": 10}), r"config must be an AugmentationConfig"),
    (lambda: A.colour_jitter(GREY, saturation=0.2), r"saturation must be 0 for images"),
])
def test_hyperparameters_are_validated_with_named_ranges(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- flips


def test_a_flip_is_an_index_reversal():
    np.testing.assert_array_equal(A.flip(GREY, "horizontal"), GREY[:, :, ::-1])
    np.testing.assert_array_equal(A.flip(GREY, "vertical"), GREY[:, ::-1, :])
    np.testing.assert_array_equal(A.flip(COLOUR, "horizontal"), COLOUR[:, :, ::-1, :])
    np.testing.assert_array_equal(A.flip(A.flip(GREY)), GREY)


@pytest.mark.parametrize("axis", ["horizontal", "vertical"])
def test_flips_equal_keras_random_flip_exactly(axis):
    which = np.array([True, False, True])
    ours = np.where(which[:, None, None], A.flip(GREY, axis), GREY)
    theirs = A.keras_transform(GREY, f"flip_{axis}", which)
    np.testing.assert_array_equal(ours, theirs)


def test_random_flip_probabilities():
    x = RNG.random((2000, 3, 4))
    np.testing.assert_array_equal(A.random_flip(x, p=0.0, rng=1), x)
    np.testing.assert_array_equal(A.random_flip(x, p=1.0, rng=1), x[:, :, ::-1])
    out = A.random_flip(x, p=0.3, rng=1)
    flipped = np.all(out == x[:, :, ::-1], axis=(1, 2))
    kept = np.all(out == x, axis=(1, 2))
    assert np.all(flipped ^ kept)
    se = np.sqrt(0.3 * 0.7 / len(x))
    assert abs(flipped.mean() - 0.3) < 5 * se
    np.testing.assert_array_equal(out, A.random_flip(x, p=0.3, rng=1))  # seeded


def test_both_flips_give_four_outcomes_while_keras_gives_two():
    x = RNG.random((800, 5, 5)).astype(np.float32)
    ours = A.random_flip(x, "horizontal_and_vertical", rng=2)
    outcomes = {name: np.all(ours == t, axis=(1, 2)).mean() for name, t in {
        "same": x, "h": x[:, :, ::-1], "v": x[:, ::-1, :], "hv": x[:, ::-1, ::-1]}.items()}
    assert all(abs(f - 0.25) < 5 * np.sqrt(0.25 * 0.75 / len(x)) for f in outcomes.values())
    keras.utils.set_random_seed(2)
    theirs = keras.ops.convert_to_numpy(
        keras.layers.RandomFlip("horizontal_and_vertical", seed=3)(x[..., None], training=True))
    theirs = theirs[..., 0]
    same = np.all(theirs == x, axis=(1, 2))
    half_turn = np.all(theirs == x[:, ::-1, ::-1], axis=(1, 2))
    assert np.all(same ^ half_turn)  # one coin for both directions: never a single mirror
    assert abs(half_turn.mean() - 0.5) < 5 * np.sqrt(0.25 / len(x))


# --------------------------------------------------------------------------- crops


def test_crop_windows_and_shapes():
    out = A.crop(GREY, 2, 3, 5, 6)
    np.testing.assert_array_equal(out, GREY[:, 2:7, 3:9])
    out = A.crop(GREY, np.array([0, 1, 4]), np.array([6, 0, 2]), 5, 6)
    for k, (t, l_) in enumerate([(0, 6), (1, 0), (4, 2)]):
        np.testing.assert_array_equal(out[k], GREY[k, t:t + 5, l_:l_ + 6])
    assert A.crop(COLOUR, 1, 1, 3, 4).shape == (2, 3, 4, 3)


def test_crop_equals_keras_random_crop_exactly():
    np.testing.assert_array_equal(A.crop(GREY, 2, 3, 5, 6),
                                  A.keras_transform(GREY, "crop", (2, 3, 5, 6)))


def test_random_crop_is_a_window_of_each_image():
    out = A.random_crop(GREY, 4, 5, rng=3)
    assert out.shape == (3, 4, 5)
    for k in range(3):
        windows = [GREY[k, t:t + 4, l_:l_ + 5] for t in range(6) for l_ in range(8)]
        assert any(np.array_equal(out[k], w) for w in windows)


@pytest.mark.parametrize("mode, numpy_mode", [("constant", "constant"), ("nearest", "edge"),
                                              ("reflect", "symmetric")])
def test_pad_modes(mode, numpy_mode):
    np.testing.assert_array_equal(A.pad(GREY, 2, mode),
                                  np.pad(GREY, [(0, 0), (2, 2), (2, 2)], mode=numpy_mode))


def test_pad_and_crop_keeps_the_size_and_shifts_by_at_most_padding():
    x = RNG.random((50, 6, 6)) + 1.0  # no zeros: padding is recognisable
    out = A.pad_and_crop(x, 2, rng=4)
    assert out.shape == x.shape
    padded = A.pad(x, 2)
    for k in range(len(x)):
        assert any(np.array_equal(out[k], padded[k, t:t + 6, l_:l_ + 6])
                   for t in range(5) for l_ in range(5))
    assert np.array_equal(A.pad_and_crop(x, 0, rng=4), x)


def test_resize_equals_keras_resize():
    for size in [(15, 7), (20, 30), (9, 12)]:
        theirs = keras.ops.convert_to_numpy(keras.ops.image.resize(
            GREY[..., None].astype("float32"), size, interpolation="bilinear"))[..., 0]
        np.testing.assert_allclose(A.resize(GREY, *size), theirs, atol=TOL)
    np.testing.assert_allclose(A.resize(GREY, 9, 12), GREY)


def test_random_resized_crop_keeps_the_size_and_full_fraction_is_identity():
    assert A.random_resized_crop(COLOUR, 0.5, rng=1).shape == COLOUR.shape
    np.testing.assert_allclose(A.random_resized_crop(GREY, 1.0, rng=1), GREY)


def test_flip_and_crop_flips_first():
    flips = np.array([True, False, True])
    out = A.flip_and_crop(GREY, flips, [0, 1, 2], [3, 2, 1], 4, 5)
    for k in range(3):
        img = GREY[k, :, ::-1] if flips[k] else GREY[k]
        np.testing.assert_array_equal(out[k], img[[0, 1, 2][k]:][:4, [3, 2, 1][k]:][:, :5])
    with pytest.raises(ValueError, match="flips must be a boolean array of shape"):
        A.flip_and_crop(GREY, [1, 0, 1], 0, 0, 4, 5)


# --------------------------------------------------------------------------- geometry


def test_rotation_known_answers():
    np.testing.assert_array_equal(A.rotate(GREY, 0.0), GREY)
    np.testing.assert_array_equal(A.rotate(SQUARE, 90.0), np.rot90(SQUARE, 1, axes=(1, 2)))
    np.testing.assert_array_equal(A.rotate(SQUARE, -90.0), np.rot90(SQUARE, -1, axes=(1, 2)))
    np.testing.assert_array_equal(A.rotate(GREY, 180.0), GREY[:, ::-1, ::-1])
    np.testing.assert_allclose(A.rotate(GREY, 360.0), GREY, atol=1e-12)
    four = SQUARE
    for _ in range(4):
        four = A.rotate(four, 90.0)
    np.testing.assert_array_equal(four, SQUARE)
    angles = np.array([0.0, 90.0])
    out = A.rotate(SQUARE, angles)  # one angle per image
    np.testing.assert_array_equal(out[1], np.rot90(SQUARE[1]))


@pytest.mark.parametrize("fill_mode", A.FILL_MODES)
@pytest.mark.parametrize("angle", [7.5, 33.0, -45.0, 90.0, 151.0])
def test_rotation_matches_keras_random_rotation_with_a_fixed_angle(fill_mode, angle):
    ours = A.rotate(GREY, angle, fill_mode=fill_mode, fill_value=0.25)
    theirs = A.keras_transform(GREY, "rotate", angle, fill_mode=fill_mode, fill_value=0.25)
    np.testing.assert_allclose(ours, theirs, atol=TOL)


@pytest.mark.parametrize("fill_mode", A.FILL_MODES)
def test_nearest_interpolation_matches_keras(fill_mode):
    for angle in [10.0, 33.0]:
        f = angle / 360
        layer = keras.layers.RandomRotation((f, f), fill_mode=fill_mode, interpolation="nearest")
        theirs = keras.ops.convert_to_numpy(layer(GREY[..., None].astype("float32"),
                                                  training=True))[..., 0]
        ours = A.rotate(GREY, angle, fill_mode=fill_mode, interpolation="nearest")
        np.testing.assert_allclose(ours, theirs, atol=TOL)


def test_rotation_of_colour_images_rotates_every_channel_alike():
    out = A.rotate(COLOUR, 30.0)
    for c in range(3):
        np.testing.assert_allclose(out[..., c], A.rotate(COLOUR[..., c], 30.0))


@pytest.mark.parametrize("fill_mode", A.FILL_MODES)
@pytest.mark.parametrize("factor", [0.6, 0.8, 1.25, 2.0])
def test_scaling_matches_keras_random_zoom(fill_mode, factor):
    ours = A.scale(GREY, factor, fill_mode=fill_mode, fill_value=0.5)
    theirs = A.keras_transform(GREY, "scale", factor, fill_mode=fill_mode, fill_value=0.5)
    np.testing.assert_allclose(ours, theirs, atol=TOL)


def test_scaling_known_answers():
    np.testing.assert_array_equal(A.scale(GREY, 1.0), GREY)
    x = np.zeros((1, 9, 9))
    x[0, 4, 4] = 1.0  # the centre pixel stays where it is
    assert A.scale(x, 2.0)[0, 4, 4] == 1.0
    shrunk = A.scale(np.ones((1, 9, 9)), 0.5, fill_value=0.0)
    assert shrunk[0, 4, 4] == 1.0 and shrunk[0, 0, 0] == 0.0  # the border is filled
    grown = A.scale(SQUARE, 2.0, fill_mode="constant")
    assert np.all(np.isfinite(grown))


def test_zero_strength_random_geometry_is_the_identity():
    np.testing.assert_array_equal(A.random_rotation(GREY, 0.0, rng=1), GREY)
    np.testing.assert_array_equal(A.random_scale(GREY, (1.0, 1.0), rng=1), GREY)


def test_random_rotation_agrees_with_keras_in_distribution():
    """Mean of many rotated copies of one image: numpy vs Keras, per pixel."""
    n = 3000
    image = np.tile(GREY[:1], (n, 1, 1))
    ours = A.random_rotation(image, 30.0, rng=5)
    keras.utils.set_random_seed(5)
    layer = keras.layers.RandomRotation(30.0 / 360.0, fill_mode="constant", seed=5)
    theirs = keras.ops.convert_to_numpy(layer(image[..., None].astype("float32"),
                                              training=True))[..., 0]
    se = np.sqrt(ours.var(axis=0) / n + theirs.var(axis=0) / n)
    assert np.all(np.abs(ours.mean(axis=0) - theirs.mean(axis=0)) <= 5 * se + 1e-6)
    assert not np.allclose(ours.mean(axis=0), image[0], atol=1e-3)  # something happened


# --------------------------------------------------------------------------- intensity


def test_brightness_known_answers_and_clipping():
    np.testing.assert_array_equal(A.adjust_brightness(GREY, 0.0), GREY)
    np.testing.assert_array_equal(A.adjust_brightness(GREY, 1.0), np.ones_like(GREY))
    np.testing.assert_array_equal(A.adjust_brightness(GREY, -1.0), np.zeros_like(GREY))
    out = A.adjust_brightness(GREY * 255, 0.3, value_range=(0, 255))
    assert out.min() >= 0 and out.max() == 255
    np.testing.assert_allclose(out, np.clip(GREY * 255 + 0.3 * 255, 0, 255))
    per_image = A.adjust_brightness(GREY, np.array([0.0, 0.1, -0.1]))
    np.testing.assert_array_equal(per_image[0], GREY[0])


@pytest.mark.parametrize("delta", [-0.4, 0.25, 0.9])
def test_brightness_matches_keras(delta):
    np.testing.assert_allclose(A.adjust_brightness(GREY, delta),
                               A.keras_transform(GREY, "brightness", delta), atol=TOL)


def test_contrast_known_answers():
    np.testing.assert_allclose(A.adjust_contrast(GREY, 1.0), GREY)
    flat = A.adjust_contrast(GREY, 0.0)
    np.testing.assert_allclose(flat, np.broadcast_to(GREY.mean(axis=(1, 2), keepdims=True),
                                                     GREY.shape))
    strong = A.adjust_contrast(GREY, 10.0)
    assert strong.min() == 0.0 and strong.max() == 1.0  # clipped to the value range


@pytest.mark.parametrize("factor", [0.0, 0.5, 1.7])
def test_contrast_matches_keras(factor):
    np.testing.assert_allclose(A.adjust_contrast(GREY, factor),
                               A.keras_transform(GREY, "contrast", factor), atol=TOL)
    np.testing.assert_allclose(A.adjust_contrast(COLOUR, factor),
                               A.keras_transform(COLOUR, "contrast", factor), atol=TOL)


def test_saturation_known_answers():
    np.testing.assert_allclose(A.adjust_saturation(COLOUR, 1.0), COLOUR)
    grey = A.adjust_saturation(COLOUR, 0.0)
    np.testing.assert_allclose(grey[..., 0], grey[..., 1])
    np.testing.assert_allclose(grey[..., 0], COLOUR @ np.array([0.299, 0.587, 0.114]))
    already_grey = np.repeat(GREY[..., None], 3, axis=-1)
    np.testing.assert_allclose(A.adjust_saturation(already_grey, 1.8), already_grey)


def test_zero_strength_jitter_is_the_identity_and_jitter_stays_in_range():
    np.testing.assert_array_equal(A.random_brightness(GREY, 0.0, rng=1), GREY)
    np.testing.assert_allclose(A.random_contrast(GREY, 0.0, rng=1), GREY)
    np.testing.assert_array_equal(A.colour_jitter(COLOUR, rng=1), COLOUR)
    out = A.colour_jitter(COLOUR, brightness=0.5, contrast=0.5, saturation=0.5, rng=1)
    assert out.shape == COLOUR.shape and out.min() >= 0 and out.max() <= 1
    assert not np.allclose(out, COLOUR)


# --------------------------------------------------------------------------- pipelines


def test_default_config_changes_nothing_and_augment_is_seeded():
    np.testing.assert_array_equal(A.augment(GREY, A.AugmentationConfig(), rng=0), GREY)
    cfg = A.AugmentationConfig(horizontal_flip=True, max_angle=20, scale_range=(0.9, 1.1),
                               max_shift=1, brightness=0.1, contrast=0.2)
    a, b = A.augment(GREY, cfg, rng=3), A.augment(GREY, cfg, rng=3)
    np.testing.assert_array_equal(a, b)
    assert a.shape == GREY.shape and a.min() >= 0 and a.max() <= 1
    assert not np.allclose(a, GREY)


def test_augmented_copies_keep_the_originals_first():
    y = np.array([0, 1, 2])
    cfg = A.AugmentationConfig(horizontal_flip=True, max_angle=10)
    X, Y = A.augmented_copies(GREY, y, cfg, copies=4, rng=0)
    assert X.shape == (12, 9, 12)
    np.testing.assert_array_equal(Y, np.tile(y, 4))
    np.testing.assert_array_equal(X[:3], GREY)


def test_keras_layers_follow_the_config_and_are_the_identity_at_inference():
    cfg = A.AugmentationConfig(horizontal_flip=True, vertical_flip=True, max_angle=30,
                               scale_range=(0.8, 1.2), max_shift=2, brightness=0.2,
                               contrast=0.3)
    layers = A.keras_layers(cfg, (9, 12), seed=1)
    names = [type(layer).__name__ for layer in layers]
    assert names == ["RandomFlip", "RandomFlip", "RandomRotation", "RandomZoom",
                     "RandomTranslation", "RandomBrightness", "RandomContrast"]
    model = keras.Sequential([keras.Input((9, 12, 1)), *layers])
    x = GREY[..., None].astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x, training=False)), x)
    trained = keras.ops.convert_to_numpy(model(x, training=True))
    assert trained.shape == x.shape and not np.allclose(trained, x)
    assert A.keras_layers(A.AugmentationConfig(), (9, 12)) == []
