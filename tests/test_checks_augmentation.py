"""The data-augmentation exercise of notebook 04.05: the notebook's own solution passes,
typical mistakes get a message that names them, an unanswered exercise says so."""

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read

from surveykit import checks

NOTEBOOK = "04.05-Data-Augmentation.ipynb"


@pytest.fixture(scope="module")
def solution():
    ns = {"np": np}
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_flip_and_crop(flip_and_crop)"]
    for cell, _ in pairs:
        exec(compile(cell.source, NOTEBOOK, "exec"), ns)
    return ns["flip_and_crop"]


def test_notebook_solution_passes(solution, capsys):
    checks.check_flip_and_crop(solution)
    assert capsys.readouterr().out.strip() == "✓ flip_and_crop: all 3 checks passed."


def _with(flip_fn=None, crop_first=False, swap=False, extra=0):
    """A flip-and-crop answer with one deliberate mistake."""

    def answer(images, flips, tops, lefts, height, width):
        images = np.asarray(images, float)
        out = []
        for image, flip, top, left in zip(images, flips, tops, lefts, strict=True):
            if swap:
                top, left = left, top
            if crop_first:
                image = image[top:top + height, left:left + width]
            if flip_fn is not None:
                image = flip_fn(image, flip)
            elif flip:
                image = image[:, ::-1]
            if not crop_first:
                image = image[top:top + height + extra, left:left + width + extra]
            out.append(image)
        return np.stack(out)

    return answer


def _message(answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        checks.check_flip_and_crop(answer)
    return str(err.value)


@pytest.mark.parametrize("answer, expected", [
    (_with(flip_fn=lambda im, f: im[::-1] if f else im), "you mirrored the rows"),
    (_with(flip_fn=lambda im, f: np.flip(im, -1) if f else im), "axis −1 is the channel axis"),
    (_with(flip_fn=lambda im, f: im[:, ::-1]), "every image was flipped"),
    (_with(flip_fn=lambda im, f: im), "no image was flipped"),
    (_with(crop_first=True), "you cropped first and flipped the window"),
    (_with(swap=True), "you swapped them"),
])
def test_typical_mistakes_are_named(answer, expected):
    msg = _message(answer)
    assert msg.startswith("✗ flip_and_crop: wrong values for the output")
    assert "Expected:" in msg and "Got:" in msg and expected in msg


def test_wrong_shapes_are_explained():
    def transposed(images, flips, tops, lefts, height, width):
        return np.swapaxes(checks_reference(images, flips, tops, lefts, height, width), 1, 2)

    msg = _message(transposed)
    assert "wrong shape" in msg and "Rows are the height" in msg

    def uncropped(images, flips, tops, lefts, height, width):
        return np.where(flips.reshape((-1,) + (1,) * (images.ndim - 1)), images[:, :, ::-1],
                        images)

    msg = _message(uncropped)
    assert "wrong shape" in msg and "Cut the window" in msg
    assert "your function raised ValueError" in _message(_with(extra=1))


def checks_reference(*args):
    from surveykit.regularization.augmentation import flip_and_crop

    return flip_and_crop(*args)


def test_non_numeric_and_unanswered():
    assert "should be a numeric array" in _message(
        lambda images, flips, tops, lefts, h, w: np.full((len(images), h, w) + images.shape[3:],
                                                         "x"))
    with pytest.raises(NotImplementedError, match="not answered yet"):
        checks.check_flip_and_crop(lambda *args: (_ for _ in ()).throw(NotImplementedError()))
