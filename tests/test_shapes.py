"""The generated shapes (surveykit.shapes): balanced, deterministic, equal areas, and
labels that flips and rotations really keep."""

import numpy as np
import pytest

from surveykit import shapes
from surveykit.regularization import augmentation as A


def test_make_shapes_is_deterministic_balanced_and_in_range():
    X, y = shapes.make_shapes(103, 16, seed=3)
    assert X.shape == (103, 16, 16) and X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() >= 0 and X.max() <= 1
    counts = np.bincount(y, minlength=4)
    assert counts.max() - counts.min() <= 1
    X2, y2 = shapes.make_shapes(103, 16, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = shapes.make_shapes(103, 16, seed=4)
    assert not np.allclose(X, X3)


def test_subset_of_classes_keeps_the_global_label_codes():
    _, y = shapes.make_shapes(20, seed=0, classes=("square", "cross"))
    assert set(y) == {1, 3}


def test_all_shapes_have_the_same_area():
    n = len(shapes.SHAPE_CLASSES)
    big = shapes.draw_shapes(np.arange(n), [[63.5, 63.5]] * n, [20.0] * n, [0.4] * n, size=128)
    np.testing.assert_allclose(big.sum(axis=(1, 2)), np.pi * 20.0**2, rtol=2e-3)


def test_shapes_lie_entirely_inside_the_image():
    size, r = 16, 0.25
    X, _ = shapes.make_shapes(200, size, seed=1, noise=0.0, radius=(r, r), intensity=(1, 1))
    np.testing.assert_allclose(X.sum(axis=(1, 2)), np.pi * (r * size) ** 2, rtol=0.03)


@pytest.mark.parametrize("label", range(len(shapes.SHAPE_CLASSES)))
def test_flips_and_quarter_turns_give_a_shape_of_the_same_class(label):
    """The invariance the notebook relies on: each transformed shape is exactly a shape of
    the same class at a mirrored or rotated position and angle."""
    size, c, r, angle = 16, np.array([6.0, 8.5]), 3.5, 0.3
    img = shapes.draw_shapes([label], [c], [r], [angle], size=size)
    mirrored = shapes.draw_shapes([label], [[size - 1 - c[0], c[1]]], [r], [-angle], size=size)
    np.testing.assert_allclose(A.flip(img, "horizontal"), mirrored, atol=1e-12)
    # a quarter turn (counter-clockwise as displayed) of the image turns the shape by 90°
    cx = cy = (size - 1) / 2
    turned_centre = [cx + (c[1] - cy), cy - (c[0] - cx)]
    turned = shapes.draw_shapes([label], [turned_centre], [r], [angle + np.pi / 2], size=size)
    np.testing.assert_allclose(A.rotate(img, 90.0), turned, atol=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: shapes.make_shapes(0), r"n must be an integer in \[1, inf\)"),
    (lambda: shapes.make_shapes(5, radius=(0.1, 0.5)), r"radius\[1\] must be in \(0, 0.3\]"),
    (lambda: shapes.make_shapes(5, radius=(0.2, 0.1)), r"radius must be non-decreasing"),
    (lambda: shapes.make_shapes(5, noise=-1), r"noise must be in \[0, 1\]"),
    (lambda: shapes.make_shapes(5, classes=("circle", "star")), r"classes must be one of"),
    (lambda: shapes.make_shapes(5, classes=()), r"classes must be distinct names"),
    (lambda: shapes.draw_shapes([7], [[1, 1]], [1], [0]), r"labels must be in \[0, 3\]"),
    (lambda: shapes.shape_mask("star", 0, 0), r"kind must be one of"),
])
def test_arguments_are_validated(call, message):
    with pytest.raises(ValueError, match=message):
        call()
