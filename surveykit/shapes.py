"""Small generated images whose labels do not change under flips and rotations (survey §4.5).

Data augmentation is only safe when the transformation keeps the label (survey §4.5:
"augmentation helps the model become invariant to small perturbations"). Handwritten
digits are a poor playground for that: a flipped 2 or a 6 turned by 180° is another
digit. :func:`make_shapes` draws images of four shapes — a disc, a square, an
equilateral triangle and a plus-shaped cross — at random positions, sizes, orientations
and intensities, with Gaussian pixel noise. A square turned by any angle or mirrored is
still a square, so every flip and rotation keeps every label here, and the class-wise
distribution of images is (up to the border) invariant under them.

The four shapes have the **same area** (π r² for a size r), so the total brightness
alone does not tell them apart; their centres are drawn from the same region for every
class (far enough from the border for the largest shape), so the position does not
either. Pixels are the fraction of the pixel covered by the shape (``supersample`` ×
``supersample`` sub-pixel samples, which anti-aliases the edges), times the image's
intensity, plus noise, clipped to [0, 1]. Pixel ``(i, j)`` is centred at ``x = j``,
``y = i`` — the convention of :mod:`surveykit.regularization.augmentation`.

Only numpy is needed. Deterministic for a given ``seed`` (or ``rng``).
"""

from __future__ import annotations

import numpy as np

from .validation import check_choice, check_increasing, check_int, check_range

__all__ = ["SHAPE_CLASSES", "shape_mask", "draw_shapes", "make_shapes"]

#: The class names, in label order (label k is ``SHAPE_CLASSES[k]``).
SHAPE_CLASSES = ("circle", "square", "triangle", "cross")

# Extents relative to the size r, chosen so that every shape has the area π r².
_SQUARE_HALF_SIDE = np.sqrt(np.pi) / 2                       # (2a)² = π → a ≈ 0.886
_TRIANGLE_CIRCUMRADIUS = np.sqrt(4 * np.pi / (3 * np.sqrt(3)))  # (3√3/4) R² = π → R ≈ 1.555
_CROSS_HALF_LENGTH = np.sqrt(9 * np.pi / 20)                 # arms of half-width L/3: 20L²/9 = π
_CROSS_HALF_WIDTH = _CROSS_HALF_LENGTH / 3
#: The largest distance from the centre to a point of any shape, in units of r.
MAX_EXTENT = float(_TRIANGLE_CIRCUMRADIUS)


def shape_mask(kind: str, u, v) -> np.ndarray:
    """True where the point (u, v) of the shape's own frame (size r = 1) is inside it.

    The frame is centred on the shape and already rotated: ``circle`` is u² + v² ≤ 1;
    ``square`` max(|u|, |v|) ≤ √π/2; ``triangle`` the equilateral triangle of
    circumradius R = √(4π/(3√3)) with a vertex pointing up (at v = −R: image rows grow
    downwards); ``cross`` the union of two bars of half-length L = √(9π/20) and
    half-width L/3. All four have area π.
    """
    check_choice("kind", kind, SHAPE_CLASSES)
    u, v = np.asarray(u, float), np.asarray(v, float)
    if kind == "circle":
        return u**2 + v**2 <= 1.0
    if kind == "square":
        return np.maximum(np.abs(u), np.abs(v)) <= _SQUARE_HALF_SIDE
    if kind == "triangle":
        inradius = _TRIANGLE_CIRCUMRADIUS / 2
        inside = np.ones(np.broadcast(u, v).shape, bool)
        for phi in np.deg2rad([90.0, 210.0, 330.0]):  # outward normals of the three edges
            inside &= u * np.cos(phi) + v * np.sin(phi) <= inradius
        return inside
    L, w = _CROSS_HALF_LENGTH, _CROSS_HALF_WIDTH
    au, av = np.abs(u), np.abs(v)
    return ((au <= w) & (av <= L)) | ((av <= w) & (au <= L))


def draw_shapes(labels, centers, radii, angles, *, size: int = 16,
                supersample: int = 4) -> np.ndarray:
    """Render shapes without noise: an array (n, size, size) of coverage in [0, 1].

    ``labels`` (n,) index :data:`SHAPE_CLASSES`; ``centers`` (n, 2) are (x, y) in pixel
    coordinates; ``radii`` (n,) the size r in pixels; ``angles`` (n,) the counter-clockwise
    rotation in radians (y points down the image, so counter-clockwise as displayed).
    """
    size = check_int("size", size, low=4)
    supersample = check_int("supersample", supersample, low=1, high=16)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    n = len(labels)
    centers = np.asarray(centers, float).reshape(n, 2)
    radii = np.asarray(radii, float).reshape(n)
    angles = np.asarray(angles, float).reshape(n)
    if np.any((labels < 0) | (labels >= len(SHAPE_CLASSES))):
        raise ValueError(f"labels must be in [0, {len(SHAPE_CLASSES) - 1}]; got {labels}")
    if np.any(radii <= 0):
        raise ValueError(f"radii must be in (0, inf); got {radii}")
    offsets = (np.arange(supersample) + 0.5) / supersample - 0.5
    fine = (np.arange(size)[:, None] + offsets[None, :]).reshape(-1)  # sub-pixel coordinates
    ys, xs = np.meshgrid(fine, fine, indexing="ij")
    images = np.zeros((n, size, size))
    for k, kind in enumerate(SHAPE_CLASSES):
        idx = np.flatnonzero(labels == k)
        if len(idx) == 0:
            continue
        dx = (xs[None] - centers[idx, 0, None, None]) / radii[idx, None, None]
        dy = (ys[None] - centers[idx, 1, None, None]) / radii[idx, None, None]
        # Counter-clockwise as displayed (y down) means clockwise in (x, y): undo it.
        c, s = np.cos(angles[idx])[:, None, None], np.sin(angles[idx])[:, None, None]
        u = c * dx - s * dy
        v = s * dx + c * dy
        inside = shape_mask(kind, u, v).astype(float)
        images[idx] = inside.reshape(len(idx), size, supersample, size, supersample).mean(
            axis=(2, 4))
    return images


def make_shapes(
    n: int,
    size: int = 16,
    *,
    radius=(0.17, 0.25),
    intensity=(0.6, 1.0),
    noise: float = 0.1,
    rotate: bool = True,
    classes=SHAPE_CLASSES,
    seed: int = 0,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` labelled shape images: ``(X, y)``, X (n, size, size) in [0, 1], y int64.

    Labels cycle through ``classes`` (a subset of :data:`SHAPE_CLASSES`, labels are their
    indices in :data:`SHAPE_CLASSES`) and are then shuffled, so classes are balanced to
    within one. For each image: r ~ U(radius) × size; orientation ~ U[0, 2π) if
    ``rotate`` (else 0: squares axis-aligned, triangles pointing up); the centre uniform
    in the square whose points are at least 1.555·r_max·size from the outer pixels'
    centres (the same region for every class); intensity ~ U(intensity); then N(0, noise²)
    noise, clipped to [0, 1]. With the defaults at size 16, r is 2.7–4 pixels.

    Args:
        n: number of images, ≥ 1. size: image side in pixels, ≥ 8.
        radius: (low, high) of r as a fraction of ``size``, within (0, 0.3]; the largest
            must leave room for the triangle (≤ 0.30 at size 16).
        intensity: (low, high) within [0, 1]. noise: standard deviation, in [0, 1].
        rotate: random orientations. classes: which shapes to draw.
        seed / rng: randomness (``rng`` wins when given).
    """
    n = check_int("n", n, low=1)
    size = check_int("size", size, low=8)
    r_lo, r_hi = _pair("radius", radius, 0.0, 0.3, low_closed=False)
    i_lo, i_hi = _pair("intensity", intensity, 0.0, 1.0)
    noise = check_range("noise", noise, 0.0, 1.0)
    check_choice("rotate", rotate, (True, False))
    classes = tuple(classes)
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f"classes must be distinct names from {list(SHAPE_CLASSES)}; "
                         f"got {list(classes)}")
    codes = np.array([SHAPE_CLASSES.index(check_choice("classes", c, SHAPE_CLASSES))
                      for c in classes])
    gen = rng if rng is not None else np.random.default_rng(check_int("seed", seed, low=0))

    labels = gen.permutation(np.resize(codes, n))
    radii = gen.uniform(r_lo, r_hi, n) * size
    margin = MAX_EXTENT * r_hi * size
    low, high = margin, size - 1 - margin  # the shape stays within the border pixels' centres
    if high < low:
        raise ValueError(f"radius[1] must leave room for the shapes: at most "
                         f"{(size - 1) / (2 * MAX_EXTENT * size):.3f} for size {size}; got {r_hi}")
    centers = gen.uniform(low, high, (n, 2))
    angles = gen.uniform(0.0, 2 * np.pi, n) if rotate else np.zeros(n)
    levels = gen.uniform(i_lo, i_hi, n)
    X = draw_shapes(labels, centers, radii, angles, size=size) * levels[:, None, None]
    if noise > 0:
        X = X + gen.normal(0.0, noise, X.shape)
    return np.clip(X, 0.0, 1.0), labels.astype(np.int64)


def _pair(name, value, low, high, *, low_closed=True):
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high); got {value!r}") from None
    a = check_range(f"{name}[0]", a, low, high, low_closed=low_closed)
    b = check_range(f"{name}[1]", b, low, high, low_closed=low_closed)
    check_increasing(name, (a, b), strict=False)
    return a, b
