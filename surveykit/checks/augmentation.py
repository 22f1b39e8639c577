"""Checker for the data-augmentation exercise of notebook 04.05 (survey §4.5).

The learner writes ``flip_and_crop(images, flips, tops, lefts, height, width)``; it is
compared with :func:`surveykit.regularization.augmentation.flip_and_crop`, and the usual
mistakes (mirroring the rows instead of the columns, flipping the channels of a colour
image, ignoring ``flips``, cropping before flipping, swapping top and left) are
recognised and named.
"""

from __future__ import annotations

import numpy as np

from ..regularization import augmentation as aug
from .core import Check

__all__ = ["check_flip_and_crop"]


def _cases():
    rng = np.random.default_rng(405)
    grey = rng.random((4, 6, 7))
    yield ("4 grey 6×7 images, a 4×5 window", grey, np.array([True, False, True, False]),
           np.array([0, 2, 1, 2]), np.array([1, 0, 2, 2]), 4, 5)
    colour = rng.random((3, 5, 5, 3))
    yield ("3 colour 5×5×3 images, a 3×3 window", colour, np.array([True, True, False]),
           np.array([2, 0, 1]), np.array([0, 2, 1]), 3, 3)
    yield ("one image, no flip, the full image", grey[:1], np.array([False]),
           np.array([0]), np.array([0]), 6, 7)


def _mistakes(images, flips, tops, lefts, height, width):
    """Outputs of the typical wrong answers, with the hint for each."""
    x = np.asarray(images, float)
    sel = flips.reshape((-1,) + (1,) * (x.ndim - 1))
    yield (np.where(sel, np.flip(x, axis=1), x),
           "you mirrored the rows (top ↔ bottom). A horizontal flip reverses the columns: "
           "axis 2 of a batch (n, height, width[, channels]), i.e. images[:, :, ::-1].")
    if x.ndim == 4:
        yield (np.where(sel, np.flip(x, axis=-1), x),
               "for colour images axis −1 is the channel axis: you swapped red and blue. "
               "Flip axis 2 (the width), not the last axis.")
    yield (np.flip(x, axis=2),
           "every image was flipped. Flip only the images where flips[i] is True.")
    yield (x, "no image was flipped. Mirror images[i] left ↔ right where flips[i] is True.")


def _crop(x, tops, lefts, height, width):
    return np.stack([x[i, t:t + height, l_:l_ + width] for i, (t, l_) in
                     enumerate(zip(tops, lefts, strict=True))])


def check_flip_and_crop(fn) -> None:
    """Check ``fn(images, flips, tops, lefts, height, width)``: flip then crop a batch."""
    c = Check("flip_and_crop")
    for case, images, flips, tops, lefts, height, width in _cases():
        got = c.call(fn, images.copy(), flips.copy(), tops.copy(), lefts.copy(), height, width,
                     case=case)
        expected = aug.flip_and_crop(images, flips, tops, lefts, height, width)
        expected_shape = (len(images), height, width) + images.shape[3:]
        if np.shape(got) != expected_shape:
            hint = ""
            if np.shape(got)[1:3] == (width, height):
                hint = " Rows are the height: slice [top : top + height, left : left + width]."
            elif np.shape(got)[1:3] == (height + 1, width + 1):
                hint = " The window [top : top + height] already has height rows: no + 1."
            elif np.shape(got)[1:3] == images.shape[1:3]:
                hint = " Cut the window of each image after flipping."
            c.fail(f"wrong shape for the output on {case}. Expected shape {expected_shape}, "
                   f"got {np.shape(got)}.{hint}")
        try:
            got_arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            c.fail(f"the output on {case} should be a numeric array; got {type(got).__name__}.")
        hint = ""
        if not np.allclose(got_arr, expected):
            hint = "flip the images where flips[i] is True (left ↔ right), then cut each one's " \
                   "window [top : top + height, left : left + width]."
            for wrong, wrong_hint in _mistakes(images, flips, tops, lefts, height, width):
                if np.allclose(got_arr, _crop(wrong, tops, lefts, height, width)):
                    hint = wrong_hint
                    break
            else:
                crop_first = _crop(images, tops, lefts, height, width)
                crop_first = np.where(flips.reshape((-1,) + (1,) * (images.ndim - 1)),
                                      np.flip(crop_first, axis=2), crop_first)
                try:
                    swapped = aug.flip_and_crop(images, flips, lefts, tops, height, width)
                except ValueError:  # the swapped window does not fit: not this mistake
                    swapped = None
                if np.allclose(got_arr, crop_first):
                    hint = ("you cropped first and flipped the window. Flip first: the window's "
                            "position (top, left) refers to the flipped image.")
                elif swapped is not None and got_arr.shape == swapped.shape and \
                        np.allclose(got_arr, swapped):
                    hint = "top is the row offset and left the column offset: you swapped them."
        c.close("the output", got_arr, expected, case=case, hint=hint)
    c.passed()
