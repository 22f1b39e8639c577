"""Figures for notebook 04.05 (data augmentation, survey §4.5).

Pure functions: each draws from arrays it is given (or, for :func:`augmentation_preview`,
from a seeded, cheap numpy augmentation — no training) and returns a Figure built with
:func:`surveykit.plots.new_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..plots import new_figure
from . import augmentation as aug

__all__ = ["image_grid", "side_by_side", "augmentation_preview", "gain_curves",
           "robustness_bars", "transformed_examples"]


def _show(ax, image, *, vmin=0.0, vmax=1.0, title=None, fontsize=8):
    img = np.asarray(image)
    cmap = "gray" if img.ndim == 2 else None
    ax.imshow(np.clip(img, vmin, vmax) if img.ndim == 3 else img, cmap=cmap, vmin=vmin,
              vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=fontsize)


def _grid(nrows, ncols, cell=1.1, extra_height=0.3):
    fig, _ = new_figure(1, width=ncols * cell, height=nrows * cell + extra_height)
    fig.clear()
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def image_grid(images, titles: Sequence[str] | None = None, *, ncols: int = 8,
               suptitle: str | None = None, value_range=(0.0, 1.0)):
    """A grid of images (a batch (n, H, W) or (n, H, W, 3)) with optional titles."""
    x = aug.as_batch(images)
    n = len(x)
    nrows = int(np.ceil(n / ncols))
    fig, axes = _grid(nrows, min(ncols, n))
    for k, ax in enumerate(axes.flat):
        if k < n:
            _show(ax, x[k], vmin=value_range[0], vmax=value_range[1],
                  title=None if titles is None else titles[k])
        else:
            ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def side_by_side(original, results: Mapping[str, tuple[np.ndarray, np.ndarray]], *,
                 suptitle: str | None = None, value_range=(0.0, 1.0)):
    """One image transformed by numpy and by the Keras layer, per transformation.

    ``original``: one image (H, W); ``results``: name → (numpy output, Keras output),
    each one image. Rows: numpy, Keras, |difference| (on its own colour scale, its
    maximum in the title). The first column is the original.
    """
    names = list(results)
    fig, axes = _grid(3, len(names) + 1, cell=1.35, extra_height=0.5)
    lo, hi = value_range
    _show(axes[0, 0], original, vmin=lo, vmax=hi, title="original")
    axes[1, 0].axis("off")
    axes[2, 0].axis("off")
    for j, name in enumerate(names, start=1):
        ours, theirs = (np.asarray(a, float) for a in results[name])
        _show(axes[0, j], ours, vmin=lo, vmax=hi, title=name)
        _show(axes[1, j], theirs, vmin=lo, vmax=hi)
        diff = np.abs(ours - theirs) if ours.shape == theirs.shape else np.full(ours.shape, np.nan)
        top = float(np.nanmax(diff)) if np.isfinite(diff).any() else float("nan")
        axes[2, j].imshow(diff, cmap="magma", vmin=0, vmax=max(top, 1e-12),
                          interpolation="nearest")
        axes[2, j].set_xticks([])
        axes[2, j].set_yticks([])
        axes[2, j].set_title("0 (exact)" if top == 0 else f"max {top:.0e}", fontsize=8)
    axes[0, 1].set_ylabel("numpy", fontsize=9)
    axes[1, 1].set_ylabel("Keras layer", fontsize=9)
    axes[2, 1].set_ylabel("|difference|", fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def augmentation_preview(images, config: aug.AugmentationConfig, *, n_augmented: int = 7,
                         seed: int = 0, titles: Sequence[str] | None = None):
    """Each image (a row) followed by ``n_augmented`` random augmentations with ``config``
    (numpy, seeded: the same arguments always draw the same augmentations).

    ``images`` is a batch, or a list of batches of different sizes (digits 8×8 and shapes
    16×16 in one figure); rows follow the list's order.
    """
    batches = [images] if isinstance(images, np.ndarray) else list(images)
    rows = [img for batch in batches for img in aug.as_batch(batch)]
    rng = np.random.default_rng(seed)
    fig, axes = _grid(len(rows), n_augmented + 1, cell=1.0, extra_height=0.4)
    for i, img in enumerate(rows):
        augmented = [aug.augment(img[None], config, rng)[0] for _ in range(n_augmented)]
        for j, shown in enumerate([img, *augmented]):
            title = None
            if i == 0:
                title = "original" if j == 0 else f"aug. {j}"
            _show(axes[i, j], shown, title=title)
        if titles is not None:
            axes[i, 0].set_ylabel(titles[i], fontsize=8)
    return fig


def gain_curves(results: Mapping[str, object], *, title: str | None = None, ax=None):
    """Test accuracy against training-set size N, without (dashed) and with (solid)
    augmentation: the mean over seeds as a line, each seed as a dot. ``results`` maps a
    label to a :class:`~surveykit.regularization.augmentation_experiments.GainResult`;
    results sharing the same training sets (the same plain accuracies) share one dashed
    "without augmentation" curve."""
    if ax is None:
        fig, (ax,) = new_figure(width=6.5, height=4.0)
    else:
        fig = ax.figure
    baselines = []
    for k, (label, r) in enumerate(results.items()):
        color = f"C{k}"
        sizes = np.asarray(r.sizes)
        curves = [(r.augmented, "-", color, f"with augmentation: {label}")]
        if not any(np.array_equal(r.plain, b) for b in baselines):
            name = "without augmentation" if not baselines else f"without augmentation ({label})"
            curves.insert(0, (r.plain, "--", "0.3" if not baselines else color, name))
            baselines.append(r.plain)
        for values, style, c, name in curves:
            ax.plot(sizes, values.mean(axis=1), style, color=c, marker="o", label=name)
            ax.plot(np.repeat(sizes, values.shape[1]), values.ravel(), ".", color=c, alpha=0.35)
    ax.set_xscale("log")
    ticks = sorted({n for r in results.values() for n in r.sizes})
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(n) for n in ticks])
    ax.minorticks_off()
    ax.set_xlabel("training examples N (log scale)")
    ax.set_ylabel("test accuracy (mean of seeds; dots: each seed)")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def robustness_bars(results: Mapping[str, Mapping[str, dict]], *, metric: str = "accuracy",
                    title: str | None = None):
    """Grouped bars: ``metric`` under each transformation, one colour per data set.

    ``results`` maps a data-set name to :func:`transform_robustness`'s output."""
    names = list(next(iter(results.values())))
    fig, (ax,) = new_figure(width=9.0, height=3.8)
    width = 0.8 / len(results)
    x = np.arange(len(names))
    for k, (dataset, res) in enumerate(results.items()):
        values = [res[name][metric] for name in names]
        bars = ax.bar(x + (k - (len(results) - 1) / 2) * width, values, width, label=dataset,
                      color=f"C{k}")
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=20, ha="right", fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel(metric)
    ax.legend(loc="upper right", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def transformed_examples(images, transformed, labels, predictions,
                         class_names: Sequence[str], *, transform_name: str):
    """Pairs: the original image with its true label, and the transformed image with the
    classifier's prediction (red when it is not the original label)."""
    x, t = aug.as_batch(images), aug.as_batch(transformed)
    fig, axes = _grid(2, len(x), cell=1.25, extra_height=0.5)
    for j in range(len(x)):
        _show(axes[0, j], x[j], title=f"label {class_names[labels[j]]}", fontsize=9)
        wrong = predictions[j] != labels[j]
        _show(axes[1, j], t[j])
        axes[1, j].set_title(f"→ {class_names[predictions[j]]}", fontsize=9,
                             color="C3" if wrong else "k")
    axes[0, 0].set_ylabel("original", fontsize=9)
    axes[1, 0].set_ylabel(transform_name, fontsize=9)
    return fig
