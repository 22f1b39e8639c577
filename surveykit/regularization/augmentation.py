"""Image data augmentation from scratch in numpy, and the same with Keras layers (survey §4.5).

The survey (§4.5): *"Data augmentation artificially expands the training set by applying
transformations to input data"* — for images *horizontal/vertical flipping, random
cropping, rotation and scaling, color jitter and brightness shifts* — and lists the
*data augmentation factors* (rotation, scaling, flipping parameters) among the
regularization hyperparameters (§3.3). Each transformation here is a small numpy
function with validated hyperparameters and a seeded ``numpy.random.Generator``, and
has a Keras counterpart (``keras.layers.RandomFlip``, ``RandomCrop``,
``RandomRotation``, ``RandomZoom``, ``RandomBrightness``, ``RandomContrast``) applied
with the *same* parameters by :func:`keras_transform`, so the two can be compared
pixel by pixel.

Conventions
-----------
* Images are a **batch**: ``(n, height, width)`` (grey) or ``(n, height, width,
  channels)``, channels last as in Keras. Every function returns a new float64 array of
  the same layout.
* Pixel ``(i, j)`` (row i, column j) has its centre at ``x = j``, ``y = i``; rows grow
  downwards. An angle is in degrees, **counter-clockwise as displayed** (Keras'
  convention), so ``rotate(images, 90)`` equals ``np.rot90(image)`` for square images.
* Geometric transforms are written as an inverse map: output pixel (x, y) takes the
  input at ``(x_in, y_in) = (a0 x + a1 y + a2, b0 x + b1 y + b2)``, read by bilinear
  interpolation — TensorFlow's ``ImageProjectiveTransformV3`` (behind Keras'
  ``affine_transform``), and the same ``fill_mode`` rules for points outside the image:
  ``"constant"`` (``fill_value``), ``"nearest"`` (edge pixel) and ``"reflect"``
  (``dcba|abcd|dcba``). (Keras also has ``"wrap"``, whose TensorFlow implementation
  folds far-away coordinates inconsistently; it is left out.)
* Intensity transforms take the ``value_range`` of the pixels (``(0, 1)`` by default,
  Keras' default is ``(0, 255)``) and clip their output to it.

Rotation by θ about the image centre c = ((W − 1)/2, (H − 1)/2), as Keras builds it::

    x_in − c_x = cos θ (x − c_x) − sin θ (y − c_y)
    y_in − c_y = sin θ (x − c_x) + cos θ (y − c_y)

Scaling by s (s > 1 enlarges) about the centre: ``x_in − c_x = (x − c_x) / s``; Keras'
``RandomZoom`` is parametrised by the zoom *factor* z − 1 with z = 1/s (a positive
factor zooms *out*).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_choice, check_increasing, check_int, check_range

__all__ = [
    "FILL_MODES",
    "as_batch",
    "flip",
    "random_flip",
    "crop",
    "random_crop",
    "pad",
    "pad_and_crop",
    "resize",
    "random_resized_crop",
    "flip_and_crop",
    "rotation_matrix",
    "scale_matrix",
    "affine_transform",
    "rotate",
    "scale",
    "random_rotation",
    "random_scale",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_saturation",
    "random_brightness",
    "random_contrast",
    "colour_jitter",
    "AugmentationConfig",
    "augment",
    "augmented_copies",
    "keras_transform",
    "keras_layers",
]

FILL_MODES = ("constant", "nearest", "reflect")
_INTERPOLATIONS = ("bilinear", "nearest")
_FLIP_AXES = {"horizontal": 2, "vertical": 1}
_FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


# --------------------------------------------------------------------------- helpers


def as_batch(images) -> np.ndarray:
    """``images`` as a float64 array (n, H, W) or (n, H, W, C); anything else is refused."""
    x = np.asarray(images, dtype=np.float64)
    if x.ndim not in (3, 4):
        raise ValueError("images must be a batch of shape (n, height, width) or "
                         f"(n, height, width, channels); got shape {x.shape}")
    if min(x.shape[:3]) < 1:
        raise ValueError(f"images must not be empty; got shape {x.shape}")
    return x


def _with_channels(x: np.ndarray) -> tuple[np.ndarray, bool]:
    return (x[..., None], True) if x.ndim == 3 else (x, False)


def _generator(rng) -> np.random.Generator:
    """A Generator from a Generator, an integer seed or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None:
        check_int("rng (a seed)", rng, low=0)
    return np.random.default_rng(rng)


def _value_range(value_range) -> tuple[float, float]:
    try:
        lo, hi = value_range
    except (TypeError, ValueError):
        raise ValueError(f"value_range must be a pair (low, high); got {value_range!r}") from None
    lo, hi = check_range("value_range[0]", lo), check_range("value_range[1]", hi)
    check_increasing("value_range", (lo, hi))
    return lo, hi


def _per_image(name: str, value, n: int) -> np.ndarray:
    """A scalar or one value per image, as a float array (n,)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or one number per image; got {value!r}") \
            from None
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a number or one value per image, shape ({n},); "
                         f"got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return arr


# --------------------------------------------------------------------------- flips


def flip(images, axis: str = "horizontal") -> np.ndarray:
    """Mirror every image: ``"horizontal"`` reverses the columns (left ↔ right),
    ``"vertical"`` the rows (top ↔ bottom) — an index reversal, nothing is interpolated."""
    x = as_batch(images)
    check_choice("axis", axis, tuple(_FLIP_AXES))
    return np.flip(x, axis=_FLIP_AXES[axis]).copy()


def random_flip(images, mode: str = "horizontal", p: float = 0.5, rng=None) -> np.ndarray:
    """Flip each image with probability ``p``, independently per image (§4.5).

    ``mode="horizontal_and_vertical"`` tosses a separate coin for each direction, so an
    image is left alone, mirrored either way, or both (= turned by 180°). Keras'
    ``RandomFlip`` in that mode tosses *one* coin for both directions: it either leaves
    an image or turns it by 180°, never mirrors it one way only.
    """
    x = as_batch(images)
    check_choice("mode", mode, _FLIP_MODES)
    p = check_range("p", p, 0.0, 1.0)
    gen = _generator(rng)
    out = x.copy()
    for axis in ("horizontal", "vertical"):
        if axis in mode:
            chosen = gen.random(len(x)) < p
            if chosen.any():
                out[chosen] = flip(out[chosen], axis)
    return out


# --------------------------------------------------------------------------- crops


def crop(images, top, left, height: int, width: int) -> np.ndarray:
    """The window ``[top : top + height, left : left + width]`` of each image.

    ``top`` and ``left`` are integers, or one integer per image; the window must fit.
    """
    x = as_batch(images)
    n, H, W = x.shape[:3]
    height = check_int("height", height, low=1, high=H)
    width = check_int("width", width, low=1, high=W)
    tops = np.broadcast_to(np.asarray(top), (n,))
    lefts = np.broadcast_to(np.asarray(left), (n,))
    for name, values, limit in (("top", tops, H - height), ("left", lefts, W - width)):
        if not np.issubdtype(values.dtype, np.integer):
            raise ValueError(f"{name} must be an integer or integers; got {values!r}")
        if values.min() < 0 or values.max() > limit:
            raise ValueError(f"{name} must be in [0, {limit}] for a {height}×{width} window "
                             f"of a {H}×{W} image; got {values.tolist()}")
    rows = tops[:, None] + np.arange(height)[None, :]     # (n, height)
    cols = lefts[:, None] + np.arange(width)[None, :]     # (n, width)
    return x[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]].copy()


def random_crop(images, height: int, width: int, rng=None) -> np.ndarray:
    """A ``height`` × ``width`` window at a uniformly random position, per image.

    ``keras.layers.RandomCrop`` draws *one* position for the whole batch.
    """
    x = as_batch(images)
    n, H, W = x.shape[:3]
    height = check_int("height", height, low=1, high=H)
    width = check_int("width", width, low=1, high=W)
    gen = _generator(rng)
    tops = gen.integers(0, H - height + 1, n)
    lefts = gen.integers(0, W - width + 1, n)
    return crop(x, tops, lefts, height, width)


def pad(images, padding: int, fill_mode: str = "constant", fill_value: float = 0.0):
    """Add ``padding`` pixels on every side: ``fill_value`` (``"constant"``), the edge
    pixel (``"nearest"``) or a mirror image (``"reflect"``, the edge repeated)."""
    x = as_batch(images)
    padding = check_int("padding", padding, low=0)
    check_choice("fill_mode", fill_mode, FILL_MODES)
    fill_value = check_range("fill_value", fill_value)
    widths = [(0, 0), (padding, padding), (padding, padding)] + [(0, 0)] * (x.ndim - 3)
    if fill_mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=fill_value)
    numpy_mode = {"nearest": "edge", "reflect": "symmetric"}[fill_mode]
    return np.pad(x, widths, mode=numpy_mode)


def pad_and_crop(images, padding: int, rng=None, *, fill_mode: str = "constant",
                 fill_value: float = 0.0) -> np.ndarray:
    """Random crop back to the original size after padding: a random shift of at most
    ``padding`` pixels in each direction (the classic CIFAR-10 augmentation)."""
    x = as_batch(images)
    H, W = x.shape[1:3]
    return random_crop(pad(x, padding, fill_mode, fill_value), H, W, rng)


def resize(images, height: int, width: int) -> np.ndarray:
    """Bilinear resizing with half-pixel centres, as ``keras.ops.image.resize`` (no
    antialiasing): output pixel i reads the input at (i + 0.5)·H_in/H_out − 0.5,
    clamped to the image."""
    x = as_batch(images)
    height = check_int("height", height, low=1)
    width = check_int("width", width, low=1)
    x4, squeeze = _with_channels(x)
    H, W = x4.shape[1:3]

    def axis_weights(n_in, n_out):
        pos = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        i0 = np.floor(pos).astype(int)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, pos - i0

    r0, r1, wr = axis_weights(H, height)
    c0, c1, wc = axis_weights(W, width)
    top = x4[:, r0][:, :, c0] * (1 - wc)[None, None, :, None] + \
        x4[:, r0][:, :, c1] * wc[None, None, :, None]
    bottom = x4[:, r1][:, :, c0] * (1 - wc)[None, None, :, None] + \
        x4[:, r1][:, :, c1] * wc[None, None, :, None]
    out = top * (1 - wr)[None, :, None, None] + bottom * wr[None, :, None, None]
    return out[..., 0] if squeeze else out


def random_resized_crop(images, min_fraction: float = 0.75, rng=None) -> np.ndarray:
    """Crop a random window whose sides are a fraction ~ U(min_fraction, 1) of the image's,
    at a random position, and resize it back to the image size (bilinear). Per image."""
    x = as_batch(images)
    min_fraction = check_range("min_fraction", min_fraction, 0.0, 1.0, low_closed=False)
    gen = _generator(rng)
    n, H, W = x.shape[:3]
    out = np.empty_like(x)
    fractions = gen.uniform(min_fraction, 1.0, n)
    for k in range(n):
        h = max(1, int(round(fractions[k] * H)))
        w = max(1, int(round(fractions[k] * W)))
        top, left = gen.integers(0, H - h + 1), gen.integers(0, W - w + 1)
        out[k] = resize(crop(x[k:k + 1], top, left, h, w), H, W)[0]
    return out


def flip_and_crop(images, flips, tops, lefts, height: int, width: int) -> np.ndarray:
    """Mirror the images where ``flips`` is True (left ↔ right), then cut the window
    ``[top : top + height, left : left + width]`` of each — the two augmentations of
    the notebook's exercise, with their random draws given (flip first, crop second:
    the window's position refers to the flipped image)."""
    x = as_batch(images)
    flips = np.asarray(flips)
    if flips.shape != (len(x),) or flips.dtype != bool:
        raise ValueError(f"flips must be a boolean array of shape ({len(x)},); got "
                         f"{flips.dtype} {flips.shape}")
    flipped = np.where(flips.reshape((-1,) + (1,) * (x.ndim - 1)), flip(x), x)
    return crop(flipped, np.asarray(tops), np.asarray(lefts), height, width)


# --------------------------------------------------------------------------- geometry


def _centre(height: int, width: int) -> tuple[float, float]:
    return (width - 1) / 2.0, (height - 1) / 2.0


def rotation_matrix(angle, height: int, width: int) -> np.ndarray:
    """The inverse map of a rotation by ``angle`` degrees (counter-clockwise as displayed)
    about the image centre, as the 8 numbers ``[a0, a1, a2, b0, b1, b2, 0, 0]`` of
    Keras' ``affine_transform``; one row per angle when ``angle`` is an array."""
    theta = np.deg2rad(np.asarray(angle, dtype=float))
    cx, cy = _centre(height, width)
    c, s = np.cos(theta), np.sin(theta)
    zero = np.zeros_like(theta)
    rows = [c, -s, cx - cx * c + cy * s, s, c, cy - cx * s - cy * c, zero, zero]
    return np.stack(rows, axis=-1)


def scale_matrix(factor, height: int, width: int) -> np.ndarray:
    """The inverse map of scaling by ``factor`` about the centre (> 1 enlarges): the
    input is read at ``c + (x − c) / factor`` — Keras' zoom with z = 1/factor."""
    f = np.asarray(factor, dtype=float)
    if np.any(~np.isfinite(f)) or np.any(f <= 0):
        raise ValueError(f"factor must be in (0, inf); got {factor!r}")
    z = 1.0 / f
    cx, cy = _centre(height, width)
    zero = np.zeros_like(z)
    return np.stack([z, zero, cx * (1 - z), zero, z, cy * (1 - z), zero, zero], axis=-1)


def _map_coordinates(coord: np.ndarray, length: int, fill_mode: str) -> np.ndarray:
    """Fold coordinates outside [0, length − 1] back inside, as TensorFlow does."""
    if fill_mode == "constant":
        return coord
    if fill_mode == "reflect" and length > 1:  # dcba|abcd|dcba: mirrors at −0.5, length − 0.5
        folded = np.mod(coord + 0.5, 2 * length)
        coord = np.where(folded >= length, 2 * length - folded, folded) - 0.5
    # then clamp, as TensorFlow does (a reflected coordinate can fall in (length − 1, length))
    return np.clip(coord, 0, length - 1)


def affine_transform(images, matrix, *, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0) -> np.ndarray:
    """Apply the inverse map ``matrix`` (8 numbers, or one row of 8 per image) to each
    image: output (x, y) takes the input at (a0 x + a1 y + a2, b0 x + b1 y + b2),
    interpolated (``"bilinear"`` or ``"nearest"``), with ``fill_mode`` outside.

    Coordinates within 1e-9 of an integer are snapped to it, so rotations by multiples
    of 90° move pixels exactly (float64 cos 90° is 6e-17, not 0).
    """
    x = as_batch(images)
    check_choice("interpolation", interpolation, _INTERPOLATIONS)
    check_choice("fill_mode", fill_mode, FILL_MODES)
    fill_value = check_range("fill_value", fill_value)
    x4, squeeze = _with_channels(x)
    n, H, W, C = x4.shape
    m = np.asarray(matrix, dtype=float)
    if m.shape == (8,):
        m = np.broadcast_to(m, (n, 8))
    if m.shape != (n, 8):
        raise ValueError(f"matrix must have 8 numbers or shape ({n}, 8); got shape {m.shape}")
    if np.any(m[:, 6:] != 0):
        raise ValueError("matrix must be affine: its last two numbers must be 0")
    ys, xs = np.meshgrid(np.arange(H, dtype=float), np.arange(W, dtype=float), indexing="ij")
    x_in = m[:, 0, None, None] * xs + m[:, 1, None, None] * ys + m[:, 2, None, None]
    y_in = m[:, 3, None, None] * xs + m[:, 4, None, None] * ys + m[:, 5, None, None]
    x_in, y_in = (np.where(np.abs(c - np.round(c)) < 1e-9, np.round(c), c) for c in (x_in, y_in))
    x_in = _map_coordinates(x_in, W, fill_mode)
    y_in = _map_coordinates(y_in, H, fill_mode)
    batch = np.arange(n)[:, None, None]

    def read(rows, cols):
        inside = (rows >= 0) & (rows < H) & (cols >= 0) & (cols < W)
        values = x4[batch, np.clip(rows, 0, H - 1), np.clip(cols, 0, W - 1)]
        return np.where(inside[..., None], values, fill_value)

    if interpolation == "nearest":
        # TensorFlow rounds half away from zero (std::round); np.round rounds half to even.
        def round_half_away(c):
            return (np.sign(c) * np.floor(np.abs(c) + 0.5)).astype(int)
        out = read(round_half_away(y_in), round_half_away(x_in))
    else:
        x0, y0 = np.floor(x_in), np.floor(y_in)
        wx, wy = (x_in - x0)[..., None], (y_in - y0)[..., None]
        x0, y0 = x0.astype(int), y0.astype(int)
        top = (1 - wx) * read(y0, x0) + wx * read(y0, x0 + 1)
        bottom = (1 - wx) * read(y0 + 1, x0) + wx * read(y0 + 1, x0 + 1)
        out = (1 - wy) * top + wy * bottom
    return out[..., 0] if squeeze else out


def rotate(images, angle, *, fill_mode: str = "constant", fill_value: float = 0.0,
           interpolation: str = "bilinear") -> np.ndarray:
    """Rotate each image by ``angle`` degrees (one angle, or one per image),
    counter-clockwise as displayed, about its centre. The canvas keeps its size: corners
    leaving it are lost and the uncovered corners are filled by ``fill_mode``."""
    x = as_batch(images)
    angles = _per_image("angle", angle, len(x))
    return affine_transform(x, rotation_matrix(angles, *x.shape[1:3]),
                            interpolation=interpolation, fill_mode=fill_mode,
                            fill_value=fill_value)


def scale(images, factor, *, fill_mode: str = "constant", fill_value: float = 0.0,
          interpolation: str = "bilinear") -> np.ndarray:
    """Scale each image by ``factor`` (> 0; one, or one per image) about its centre:
    > 1 enlarges (zooms in, the border is cut off), < 1 shrinks (the border is filled)."""
    x = as_batch(images)
    factors = _per_image("factor", factor, len(x))
    return affine_transform(x, scale_matrix(factors, *x.shape[1:3]),
                            interpolation=interpolation, fill_mode=fill_mode,
                            fill_value=fill_value)


def random_rotation(images, max_angle: float, rng=None, **kwargs) -> np.ndarray:
    """Rotate each image by an angle ~ U(−max_angle, max_angle) degrees, max_angle in
    [0, 180] (Keras: ``RandomRotation(factor=max_angle / 360)``)."""
    x = as_batch(images)
    max_angle = check_range("max_angle", max_angle, 0.0, 180.0)
    angles = _generator(rng).uniform(-max_angle, max_angle, len(x))
    return rotate(x, angles, **kwargs)


def random_scale(images, scale_range=(0.9, 1.1), rng=None, **kwargs) -> np.ndarray:
    """Scale each image by a factor ~ U(scale_range), both ends in (0, 10].

    Keras' ``RandomZoom(height_factor=(1/high − 1, 1/low − 1))`` draws the *zoom* 1/s
    uniformly instead, which is a different distribution of s over the same interval.
    """
    x = as_batch(images)
    lo, hi = _scale_range(scale_range)
    return scale(x, _generator(rng).uniform(lo, hi, len(x)), **kwargs)


def _scale_range(scale_range) -> tuple[float, float]:
    try:
        lo, hi = scale_range
    except (TypeError, ValueError):
        raise ValueError(f"scale_range must be a pair (low, high); got {scale_range!r}") \
            from None
    lo = check_range("scale_range[0]", lo, 0.0, 10.0, low_closed=False)
    hi = check_range("scale_range[1]", hi, 0.0, 10.0, low_closed=False)
    check_increasing("scale_range", (lo, hi), strict=False)
    return lo, hi


# --------------------------------------------------------------------------- intensity


def adjust_brightness(images, delta, value_range=(0.0, 1.0)) -> np.ndarray:
    """Add ``delta`` × (high − low) to every pixel and clip to ``value_range``:
    the brightness shift of §4.5 as ``keras.layers.RandomBrightness`` applies it.
    ``delta`` in [−1, 1], one value or one per image."""
    x = as_batch(images)
    lo, hi = _value_range(value_range)
    deltas = _per_image("delta", delta, len(x))
    if np.any(np.abs(deltas) > 1):
        raise ValueError(f"delta must be in [-1, 1]; got {delta!r}")
    shift = deltas.reshape((-1,) + (1,) * (x.ndim - 1)) * (hi - lo)
    return np.clip(x + shift, lo, hi)


def adjust_contrast(images, factor, value_range=(0.0, 1.0)) -> np.ndarray:
    """(x − mean) × factor + mean, clipped to ``value_range``; the mean is per image and
    per channel, over height and width (``keras.layers.RandomContrast``). ``factor`` ≥ 0
    (0: a flat grey image at the mean, 1: unchanged); one value or one per image."""
    x = as_batch(images)
    lo, hi = _value_range(value_range)
    factors = _per_image("factor", factor, len(x))
    if np.any(factors < 0):
        raise ValueError(f"factor must be in [0, inf); got {factor!r}")
    mean = x.mean(axis=(1, 2), keepdims=True)
    f = factors.reshape((-1,) + (1,) * (x.ndim - 1))
    return np.clip((x - mean) * f + mean, lo, hi)


_LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601, as PIL's convert("L")


def adjust_saturation(images, factor, value_range=(0.0, 1.0)) -> np.ndarray:
    """Blend each RGB image with its grey version: grey + factor × (image − grey), grey =
    0.299 R + 0.587 G + 0.114 B (torchvision's definition). 0 gives grey, 1 the image.

    ``keras.layers.RandomSaturation`` scales the S channel in HSV space instead, a
    different operation (its grey is max(R, G, B)); only the identity at factor 1 is
    shared.
    """
    x = as_batch(images)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"images must be RGB, shape (n, height, width, 3); got {x.shape}")
    lo, hi = _value_range(value_range)
    factors = _per_image("factor", factor, len(x))
    if np.any(factors < 0):
        raise ValueError(f"factor must be in [0, inf); got {factor!r}")
    grey = (x @ _LUMA)[..., None]
    return np.clip(grey + factors[:, None, None, None] * (x - grey), lo, hi)


def random_brightness(images, max_delta: float, rng=None, value_range=(0.0, 1.0)):
    """Brightness shift by delta ~ U(−max_delta, max_delta) per image, max_delta in [0, 1]
    (Keras: ``RandomBrightness(factor=max_delta, value_range=…)``)."""
    x = as_batch(images)
    max_delta = check_range("max_delta", max_delta, 0.0, 1.0)
    return adjust_brightness(x, _generator(rng).uniform(-max_delta, max_delta, len(x)),
                             value_range)


def random_contrast(images, max_change: float, rng=None, value_range=(0.0, 1.0)):
    """Contrast factor ~ U(1 − max_change, 1 + max_change) per image, max_change in [0, 1]
    (Keras: ``RandomContrast(factor=max_change, value_range=…)``)."""
    x = as_batch(images)
    max_change = check_range("max_change", max_change, 0.0, 1.0)
    factors = _generator(rng).uniform(1 - max_change, 1 + max_change, len(x))
    return adjust_contrast(x, factors, value_range)


def colour_jitter(images, *, brightness: float = 0.0, contrast: float = 0.0,
                  saturation: float = 0.0, rng=None, value_range=(0.0, 1.0)) -> np.ndarray:
    """Colour jitter: a random brightness shift (±``brightness``), then a random contrast
    factor (1 ± ``contrast``), then for RGB images a random saturation factor
    (1 ± ``saturation``) — each in [0, 1]; 0 switches a part off."""
    x = as_batch(images)
    brightness = check_range("brightness", brightness, 0.0, 1.0)
    contrast = check_range("contrast", contrast, 0.0, 1.0)
    saturation = check_range("saturation", saturation, 0.0, 1.0)
    if saturation > 0 and (x.ndim != 4 or x.shape[-1] != 3):
        raise ValueError(f"saturation must be 0 for images that are not RGB; got {saturation}")
    gen = _generator(rng)
    if brightness > 0:
        x = random_brightness(x, brightness, gen, value_range)
    if contrast > 0:
        x = random_contrast(x, contrast, gen, value_range)
    if saturation > 0:
        x = adjust_saturation(x, gen.uniform(1 - saturation, 1 + saturation, len(x)),
                              value_range)
    return x


# --------------------------------------------------------------------------- pipelines


@dataclass(frozen=True)
class AugmentationConfig:
    """The data augmentation factors of survey §3.3, validated.

    * ``horizontal_flip`` / ``vertical_flip``: flip with probability 0.5;
    * ``max_angle``: rotation ~ U(±max_angle) degrees, in [0, 180];
    * ``scale_range``: scaling ~ U(low, high), within (0, 10];
    * ``max_shift``: random crop after padding by this many pixels (a shift ≤ max_shift);
    * ``brightness`` / ``contrast``: colour jitter strengths in [0, 1];
    * ``fill_mode``: how rotation, scaling and padding fill the uncovered border.

    Applied in that order by :func:`augment`. The defaults change nothing.
    """

    horizontal_flip: bool = False
    vertical_flip: bool = False
    max_angle: float = 0.0
    scale_range: tuple[float, float] = (1.0, 1.0)
    max_shift: int = 0
    brightness: float = 0.0
    contrast: float = 0.0
    fill_mode: str = "constant"

    def __post_init__(self):
        for flag in ("horizontal_flip", "vertical_flip"):
            check_choice(flag, getattr(self, flag), (True, False))
        object.__setattr__(self, "max_angle", check_range("max_angle", self.max_angle, 0, 180))
        object.__setattr__(self, "scale_range", _scale_range(self.scale_range))
        object.__setattr__(self, "max_shift", check_int("max_shift", self.max_shift, low=0))
        object.__setattr__(self, "brightness",
                           check_range("brightness", self.brightness, 0.0, 1.0))
        object.__setattr__(self, "contrast", check_range("contrast", self.contrast, 0.0, 1.0))
        check_choice("fill_mode", self.fill_mode, FILL_MODES)


def augment(images, config: AugmentationConfig, rng=None,
            value_range=(0.0, 1.0)) -> np.ndarray:
    """One random augmentation of each image with the factors of ``config``."""
    if not isinstance(config, AugmentationConfig):
        raise ValueError(f"config must be an AugmentationConfig; got {type(config).__name__}")
    x = as_batch(images)
    gen = _generator(rng)
    lo, hi = _value_range(value_range)
    fill = {"fill_mode": config.fill_mode, "fill_value": lo}
    if config.horizontal_flip:
        x = random_flip(x, "horizontal", rng=gen)
    if config.vertical_flip:
        x = random_flip(x, "vertical", rng=gen)
    if config.max_angle > 0:
        x = random_rotation(x, config.max_angle, gen, **fill)
    if config.scale_range != (1.0, 1.0):
        x = random_scale(x, config.scale_range, gen, **fill)
    if config.max_shift > 0:
        x = pad_and_crop(x, config.max_shift, gen, **fill)
    if config.brightness > 0 or config.contrast > 0:
        x = colour_jitter(x, brightness=config.brightness, contrast=config.contrast, rng=gen,
                          value_range=(lo, hi))
    return x


def augmented_copies(X, y, config: AugmentationConfig, copies: int, rng=None,
                     value_range=(0.0, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    """The training set expanded ``copies``-fold: the originals, then ``copies`` − 1
    augmented versions of every image (labels repeated): the survey's "artificially
    expands the training set"."""
    x = as_batch(X)
    y = np.asarray(y)
    copies = check_int("copies", copies, low=1)
    gen = _generator(rng)
    parts = [x] + [augment(x, config, gen, value_range) for _ in range(copies - 1)]
    return np.concatenate(parts), np.tile(y, copies)


# --------------------------------------------------------------------------- Keras


def keras_layers(config: AugmentationConfig, image_size, *, seed: int = 0,
                 value_range=(0.0, 1.0)) -> list:
    """The Keras preprocessing layers for ``config``, in :func:`augment`'s order — what
    one puts at the start of a model so that augmentation runs during ``fit`` only
    (the layers are the identity at inference). ``image_size`` is (height, width).

    Where they differ from :func:`augment`: ``RandomZoom`` draws the zoom 1/s uniformly
    rather than s; ``RandomTranslation`` shifts by a continuous, interpolated amount where
    :func:`pad_and_crop` shifts by whole pixels.
    """
    import keras

    if not isinstance(config, AugmentationConfig):
        raise ValueError(f"config must be an AugmentationConfig; got {type(config).__name__}")
    try:
        H, W = (check_int(f"image_size[{i}]", v, low=1) for i, v in enumerate(image_size))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"image_size must be (height, width); got {image_size!r}") from exc
    lo, hi = _value_range(value_range)
    fill = {"fill_mode": config.fill_mode, "fill_value": lo}
    layers = []
    if config.horizontal_flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
    if config.vertical_flip:
        layers.append(keras.layers.RandomFlip("vertical", seed=seed + 1))
    if config.max_angle > 0:
        layers.append(keras.layers.RandomRotation(config.max_angle / 360.0, seed=seed + 2,
                                                  **fill))
    if config.scale_range != (1.0, 1.0):
        s_lo, s_hi = config.scale_range
        layers.append(keras.layers.RandomZoom((1 / s_hi - 1, 1 / s_lo - 1), seed=seed + 3,
                                              **fill))
    if config.max_shift > 0:
        p = config.max_shift
        layers.append(keras.layers.RandomTranslation((-p / H, p / H), (-p / W, p / W),
                                                     seed=seed + 4, **fill))
    if config.brightness > 0:
        layers.append(keras.layers.RandomBrightness(config.brightness, value_range=(lo, hi),
                                                    seed=seed + 5))
    if config.contrast > 0:
        layers.append(keras.layers.RandomContrast(config.contrast, value_range=(lo, hi),
                                                  seed=seed + 6))
    return layers


def keras_transform(images, transform: str, value, *, fill_mode: str = "constant",
                    fill_value: float = 0.0, value_range=(0.0, 1.0)) -> np.ndarray:
    """Apply a Keras preprocessing layer with a *fixed* parameter, for comparison.

    ``transform`` and ``value``:

    * ``"flip_horizontal"`` / ``"flip_vertical"``: ``value`` booleans, one per image
      (which images to flip) — ``RandomFlip.transform_images`` with those flips;
    * ``"crop"``: ``value = (top, left, height, width)`` — ``RandomCrop`` with that window;
    * ``"rotate"``: ``value`` degrees — ``RandomRotation(factor=(v/360, v/360))``;
    * ``"scale"``: ``value`` = s — ``RandomZoom(height_factor=(1/s − 1, 1/s − 1))``;
    * ``"brightness"``: ``value`` = delta — ``RandomBrightness(factor=(delta, delta))``;
    * ``"contrast"``: ``value`` = factor — ``RandomContrast.transform_images`` with it.

    A range whose two ends are equal makes the layer's random draw a constant, so the
    output is that of one known parameter. Returns float64, in the input's layout.
    """
    import keras

    x = as_batch(images)
    x4, squeeze = _with_channels(x)
    check_choice("transform", transform, ("flip_horizontal", "flip_vertical", "crop", "rotate",
                                          "scale", "brightness", "contrast"))
    check_choice("fill_mode", fill_mode, FILL_MODES)
    lo, hi = _value_range(value_range)
    inputs = x4.astype("float32")
    if transform.startswith("flip"):
        flips = np.asarray(value, dtype=bool).reshape(len(x4), 1, 1, 1)
        layer = keras.layers.RandomFlip(transform.removeprefix("flip_"))
        out = layer.transform_images(inputs, {"flips": flips}, training=True)
    elif transform == "crop":
        top, left, height, width = (int(v) for v in value)
        layer = keras.layers.RandomCrop(height, width)
        out = layer.transform_images(inputs, (top, left), training=True)
    elif transform == "rotate":
        f = float(value) / 360.0
        layer = keras.layers.RandomRotation((f, f), fill_mode=fill_mode, fill_value=fill_value,
                                            interpolation="bilinear")
        out = layer(inputs, training=True)
    elif transform == "scale":
        s = check_range("value (scale factor)", value, 0.5, low_closed=False)
        z = 1.0 / s - 1.0
        layer = keras.layers.RandomZoom((z, z), fill_mode=fill_mode, fill_value=fill_value,
                                        interpolation="bilinear")
        out = layer(inputs, training=True)
    elif transform == "brightness":
        d = check_range("value (brightness delta)", value, -1.0, 1.0)
        out = keras.layers.RandomBrightness((d, d), value_range=(lo, hi))(inputs, training=True)
    else:
        c = check_range("value (contrast factor)", value, 0.0)
        factor = np.full((len(x4), 1, 1, 1), c, dtype="float32")
        layer = keras.layers.RandomContrast(0.5, value_range=(lo, hi))
        out = layer.transform_images(inputs, {"contrast_factor": factor}, training=True)
    out = np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float64)
    return out[..., 0] if squeeze else out
