"""The measurements and figures behind notebook 04.05 (survey §4.5)."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import numpy as np
import pytest
from matplotlib.figure import Figure

from surveykit import shapes, widgets
from surveykit.regularization import augmentation as A
from surveykit.regularization import augmentation_experiments as E
from surveykit.regularization import augmentation_plots as P

X_POOL, Y_POOL = shapes.make_shapes(200, 16, seed=1)
X_TEST, Y_TEST = shapes.make_shapes(80, 16, seed=2)
STRONG = A.AugmentationConfig(horizontal_flip=True, vertical_flip=True, max_angle=180,
                              max_shift=1)


def test_nearest_neighbour_known_answers():
    X = np.array([[[0.0, 0.0]], [[1.0, 1.0]], [[5.0, 5.0]]])  # three 1×2 images
    predict = E.nearest_neighbour(X, np.array([7, 8, 9]))
    np.testing.assert_array_equal(predict(np.array([[[0.2, 0.1]], [[4.0, 4.0]], [[0.5, 0.5]]])),
                                  [7, 9, 7])  # a tie goes to the first training image
    np.testing.assert_array_equal(E.nearest_neighbour(X_POOL, Y_POOL)(X_POOL), Y_POOL)
    with pytest.raises(ValueError, match="non-empty and of equal length"):
        E.nearest_neighbour(X, np.array([1, 2]))


def test_balanced_subset():
    idx = E.balanced_subset(Y_POOL, 10, rng=0)
    assert len(set(idx)) == 10
    counts = np.bincount(Y_POOL[idx], minlength=4)
    assert sorted(counts) == [2, 2, 3, 3]
    np.testing.assert_array_equal(idx, E.balanced_subset(Y_POOL, 10, rng=0))
    with pytest.raises(ValueError, match=r"n must be an integer in \[4, 200\]"):
        E.balanced_subset(Y_POOL, 3)


def test_augmentation_gain_is_seeded_and_zero_for_the_identity_config():
    kwargs = {"sizes": (8, 20), "seeds": (0, 1), "copies": 4}
    none = E.augmentation_gain(X_POOL, Y_POOL, X_TEST, Y_TEST, config=A.AugmentationConfig(),
                               **kwargs)
    np.testing.assert_array_equal(none.plain, none.augmented)
    np.testing.assert_array_equal(none.gain, [0.0, 0.0])
    a = E.augmentation_gain(X_POOL, Y_POOL, X_TEST, Y_TEST, config=STRONG, **kwargs)
    b = E.augmentation_gain(X_POOL, Y_POOL, X_TEST, Y_TEST, config=STRONG, **kwargs)
    np.testing.assert_array_equal(a.augmented, b.augmented)
    np.testing.assert_array_equal(a.plain, none.plain)  # the same training subsets
    assert a.plain.shape == (2, 2)
    assert a.table().splitlines()[0].split() == ["N", "plain", "augmented", "gain"]


def test_flips_and_rotations_help_on_shapes():
    """The notebook's claim, on a smaller scale: a clear gain with label-preserving factors."""
    r = E.augmentation_gain(X_POOL, Y_POOL, X_TEST, Y_TEST, sizes=(20,), seeds=range(3),
                            config=STRONG, copies=8)
    assert r.gain[0] > 0.05


def test_small_cnn_learns_and_is_seeded():
    learner = E.small_cnn(n_classes=4, epochs=3, seed=0)
    a = learner(X_POOL, Y_POOL)(X_TEST)
    b = learner(X_POOL, Y_POOL)(X_TEST)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (80,) and set(a) <= {0, 1, 2, 3}
    with pytest.raises(ValueError, match=r"n_classes must be an integer in \[2, inf\)"):
        E.small_cnn(n_classes=1)


def test_transform_robustness_and_confusions():
    predict = E.nearest_neighbour(X_POOL, Y_POOL)
    tests = E.standard_transforms(10.0)
    assert list(tests) == ["identity", "horizontal flip", "vertical flip", "rotate +10°",
                           "rotate −10°", "rotate 90°", "rotate 180°", "shift 1 px"]
    res = E.transform_robustness(predict, X_TEST, Y_TEST, tests)
    assert res["identity"]["changed"] == 0.0
    assert res["identity"]["accuracy"] == np.mean(predict(X_TEST) == Y_TEST)
    shifted = tests["shift 1 px"](X_TEST)
    np.testing.assert_array_equal(shifted[:, :, 1:], X_TEST[:, :, :-1])
    np.testing.assert_array_equal(shifted[:, :, 0], 0.0)
    counts = E.confusion_counts([0, 0, 1, 2], [0, 1, 1, 0], 3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 0]])


def test_figures_are_built_from_results():
    assert isinstance(P.image_grid(X_TEST[:5], ["a"] * 5, ncols=4), Figure)
    both = {"flip": (A.flip(X_TEST[:1])[0], A.flip(X_TEST[:1])[0])}
    fig = P.side_by_side(X_TEST[0], both)
    assert fig.axes[-1].get_title() == "0 (exact)"
    r = E.augmentation_gain(X_POOL, Y_POOL, X_TEST, Y_TEST, sizes=(8, 16), seeds=(0,),
                            config=STRONG, copies=2)
    fig = P.gain_curves({"strong": r, "again": r})
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["without augmentation", "with augmentation: strong",
                      "with augmentation: again"]  # one shared baseline
    res = E.transform_robustness(E.nearest_neighbour(X_POOL, Y_POOL), X_TEST, Y_TEST,
                                 E.standard_transforms())
    assert isinstance(P.robustness_bars({"shapes": res}), Figure)
    fig = P.transformed_examples(X_TEST[:3], A.flip(X_TEST[:3]), Y_TEST[:3], Y_TEST[:3],
                                 shapes.SHAPE_CLASSES, transform_name="flip")
    assert len(fig.axes) == 6


def test_preview_is_seeded_and_drives_a_widget():
    images = [X_TEST[:2], np.random.default_rng(0).random((1, 8, 8))]

    def preview(max_angle):
        return P.augmentation_preview(images, A.AugmentationConfig(max_angle=max_angle),
                                      n_augmented=3, titles=["a", "b", "c"])

    first = [ax.images[0].get_array().copy() for ax in preview(30.0).axes]
    again = [ax.images[0].get_array().copy() for ax in preview(30.0).axes]
    assert len(first) == 12 and all(np.array_equal(a, b) for a, b in zip(first, again,
                                                                           strict=True))
    panel = widgets.panel(preview, max_angle=widgets.float_slider(0.0, 180.0, 30.0, 5.0))
    panel.controls["max_angle"].value = 90.0
    assert panel.error is None and panel.calls == 2
    zero = preview(0.0)
    for ax in zero.axes[:4]:  # no augmentation at all: every column equals the original
        np.testing.assert_array_equal(ax.images[0].get_array(), zero.axes[0].images[0].get_array())
