"""Figures for manual, grid and random search (§6.1–6.3) and for the scale of
hyperparameters (§7.4).

Every function draws from results already computed (evaluations, trial values, samples)
and returns its Figure; none trains anything. :func:`sampling_figure`, the §7.4 slider's
callback, draws its samples from a seeded generator (a few microseconds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..plots import axis_or_new as _axis
from ..plots import new_figure
from ..validation import check_int
from .objectives import LowEffectiveDimension, decade_fractions, sampled_fractions
from .space import LogUniform, Space, Uniform

__all__ = ["low_dimension_figure", "best_values_figure", "grid_heatmap",
           "manual_search_figure", "sampling_figure", "normalisation_figure",
           "response_figure"]




def _params(points) -> list[dict]:
    return [p.params if hasattr(p, "params") else dict(p) for p in points]


def low_dimension_figure(f: LowEffectiveDimension, grids: Mapping[str, Sequence], *,
                         resolution: int = 161):
    """Bergstra & Bengio's picture: the same number of trials as a grid and at random.

    ``grids`` maps a panel title to its points (dicts or trials with ``important`` and
    ``unimportant``). Each panel shows f's contours over the unit square with the points,
    and above it f along the important axis (at y = y*) with a tick at every value of
    the important parameter that was tried: the grid's 9 points try 3 values, random
    points try 9.
    """
    fig, axes = new_figure(len(grids), width=5.2 * len(grids), height=5.6)
    xs = np.linspace(0, 1, check_int("resolution", resolution, low=10))
    X, Y = np.meshgrid(xs, xs)
    Z = f.value(X, Y)
    for ax, (title, points) in zip(axes, grids.items(), strict=True):
        pts = _params(points)
        px = np.array([p["important"] for p in pts])
        py = np.array([p["unimportant"] for p in pts])
        vals = f.value(px, py)
        cs = ax.contourf(X, Y, Z, levels=12, cmap="viridis_r", alpha=0.85)
        ax.plot(px, py, "o", color="white", mec="k", ms=7, label="trials")
        k = int(np.argmin(vals))
        ax.plot(px[k], py[k], "*", color="C3", mec="k", ms=16, label=f"best: f = {vals[k]:.3f}")
        ax.plot(f.x_opt, f.y_opt, "P", color="C1", mec="k", ms=10, label="optimum (f = 0)")
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("important hyperparameter")
        ax.set_ylabel("unimportant hyperparameter")
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
        top = ax.inset_axes([0, 1.03, 1, 0.28], sharex=ax)
        top.plot(xs, f.value(xs, f.y_opt), color="k", lw=1.2)
        top.vlines(px, 0, 1.05, color="C0", lw=1.5)
        top.set_ylim(-0.05, 1.1)
        top.tick_params(labelbottom=False)
        top.set_ylabel("f", fontsize=8)
        n_distinct = len(np.unique(np.round(px, 12)))
        top.set_title(f"{title}: {len(pts)} trials, {n_distinct} values of the "
                      "important one", fontsize=10)
    fig.colorbar(cs, ax=list(axes), label="f (lower is better)", shrink=0.8)
    return fig


def best_values_figure(best: Mapping[str, Sequence[float]], *, ylabel: str = "best value found",
                       title: str = "", logy: bool = False, ax=None):
    """One box per strategy of the best value each search found (one value per seed),
    with every search as a dot, the median and the 10–90 % range under its name; a
    strategy with a single value (a deterministic grid) is one bar."""
    fig, ax = _axis(ax)
    rng = np.random.default_rng(0)  # jitter of the dots only
    ticks = []
    for i, (label, values) in enumerate(best.items()):
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        if v.size > 1:
            ax.boxplot([v], positions=[i], widths=0.5, showfliers=False,
                       medianprops={"color": "k"})
            ax.plot(i + rng.uniform(-0.18, 0.18, v.size), v, ".", color=f"C{i % 10}",
                    alpha=0.5)
            ticks.append(f"{label}\nmedian {np.median(v):.3g}\n10–90 %: "
                         f"{np.quantile(v, 0.1):.3g}–{np.quantile(v, 0.9):.3g}")
        else:
            ax.plot([i - 0.25, i + 0.25], [v[0], v[0]], "-", color=f"C{i % 10}", lw=3)
            ticks.append(f"{label}\n{v[0]:.3g}")
    ax.set_xticks(range(len(best)), ticks, fontsize=8)
    ax.set_xlim(-0.6, len(best) - 0.4)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    return fig


def grid_heatmap(row_values: Sequence, col_values: Sequence, values, *, row_name: str,
                 col_name: str, title: str = "", fmt: str = "{:.3f}",
                 value_name: str = "validation loss", ax=None):
    """A grid search's results as a heat map: ``values[i][j]`` for row value i and
    column value j, written in each cell, the best cell framed; NaN cells (failed
    trials) are grey and say "failed"."""
    fig, ax = _axis(ax, width=6.0, height=4.6)
    V = np.asarray(values, dtype=float)
    if V.shape != (len(row_values), len(col_values)):
        raise ValueError(f"values must have shape ({len(row_values)}, {len(col_values)}); "
                         f"got {V.shape}")
    masked = np.ma.masked_invalid(V)
    import matplotlib as mpl

    cmap = mpl.colormaps["viridis_r"].with_extremes(bad="0.8")
    im = ax.imshow(masked, cmap=cmap, aspect="auto")
    fig.colorbar(im, ax=ax, label=value_name)
    lo, hi = (np.nanmin(V), np.nanmax(V)) if np.isfinite(V).any() else (0, 1)
    for i in range(V.shape[0]):
        for j in range(V.shape[1]):
            text = "failed" if not np.isfinite(V[i, j]) else fmt.format(V[i, j])
            dark = np.isfinite(V[i, j]) and (V[i, j] - lo) > 0.6 * (hi - lo)
            ax.text(j, i, text, ha="center", va="center", color="w" if dark else "k")
    if np.isfinite(V).any():
        bi, bj = np.unravel_index(np.nanargmin(V), V.shape)
        ax.add_patch(mpl.patches.Rectangle((bj - 0.5, bi - 0.5), 1, 1, fill=False, ec="C3",
                                           lw=3))
    ax.set_xticks(range(len(col_values)), [f"{v:g}" for v in col_values])
    ax.set_yticks(range(len(row_values)), [f"{v:g}" for v in row_values])
    ax.set_xlabel(col_name)
    ax.set_ylabel(row_name)
    if title:
        ax.set_title(title)
    return fig


def manual_search_figure(history: Sequence, current, *, x: str = "learning_rate",
                         color: str = "dropout", max_epochs: int | None = None,
                         xlim: tuple[float, float] = (1e-5, 1e-1)):
    """Manual search (§6.1), one try at a time: left, the validation loss of every
    configuration tried so far against ``x`` (log scale), coloured by ``color``, the
    current one starred; right, the current run's training and validation curves.
    ``history`` and ``current`` are :class:`~surveykit.tuning.objectives.Evaluation`s."""
    import matplotlib as mpl

    fig, (left, right) = new_figure(2, width=12, height=4.2)
    norm = mpl.colors.Normalize(0.0, 0.5)
    ok = [e for e in history if e.ok]
    if ok:
        sc = left.scatter([e.params[x] for e in ok], [e.value for e in ok],
                          c=[e.params[color] for e in ok], cmap="plasma", norm=norm, s=40,
                          edgecolor="k", zorder=3)
        fig.colorbar(sc, ax=left, label=color)
    failed = [e for e in history if not e.ok]
    if failed:
        left.plot([e.params[x] for e in failed], [max([e.value for e in ok], default=1.0)]
                  * len(failed), "x", color="C3", ms=10, mew=2, label="diverged")
        left.legend(loc="best")
    if current.ok:
        left.plot(current.params[x], current.value, "*", ms=20, mfc="none", mec="C3", mew=2,
                  zorder=4)
    best = min(ok, key=lambda e: e.value) if ok else None
    left.set_xscale("log")
    left.set_xlim(xlim[0] / 1.5, xlim[1] * 1.5)
    left.set_xlabel(x)
    left.set_ylabel("validation loss (lower is better)")
    n = len(history)
    title = f"{n} configuration{'s' if n != 1 else ''} tried"
    if best is not None:
        title += f"; best {best.value:.3f} at {x}={best.params[x]:.3g}, " \
                 f"{color}={best.params[color]:.2g}"
    left.set_title(title, fontsize=10)
    h = current.history
    if current.ok and h.get("loss"):
        epochs = np.arange(1, len(h["loss"]) + 1)
        right.plot(epochs, h["loss"], "o-", label="training loss")
        right.plot(epochs, h["val_loss"], "s--", label="validation loss")
        right.legend(loc="best")
        right.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        if max_epochs:
            right.set_xlim(0.5, max_epochs + 0.5)
        right.set_title(f"this try: validation loss {current.value:.3f}, accuracy "
                        f"{current.val_accuracy:.1%}", fontsize=10)
    else:
        right.set_title(f"this try failed: {current.error}", fontsize=10, color="C3")
    right.set_xlabel("epoch")
    right.set_ylabel("loss")
    return fig


def sampling_figure(n_samples: int, low: float = 1e-5, high: float = 1e-1, *, seed: int = 0,
                    curve: tuple | None = None, name: str = "learning_rate"):
    """Linear against log sampling of one positive hyperparameter (§7.4).

    Draws ``n_samples`` from uniform(low, high) and from log-uniform(low, high) (the
    :class:`~surveykit.tuning.space.Uniform` and :class:`LogUniform` dimensions, seeded
    by ``seed``). Left: where they land on a log axis — over a measured loss curve
    ``curve = (values, losses)`` when given. Right: the share of samples per decade,
    sampled (bars) and exact (:func:`~surveykit.tuning.objectives.decade_fractions`,
    black ticks).
    """
    n_samples = check_int("n_samples", n_samples, low=1)
    dims = {"linear (uniform)": Uniform(name, low, high),
            "log (log-uniform)": LogUniform(name, low, high)}
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    samples = {k: np.array([d.sample(rng) for _ in range(n_samples)]) for k, d in dims.items()}
    fig, (left, right) = new_figure(2, width=12, height=4.2)
    if curve is not None:
        cx, cy = (np.asarray(c, dtype=float) for c in curve)
        left.plot(cx, cy, "k.-", label="measured validation loss")
        ybase = np.nanmin(cy) - 0.08 * (np.nanmax(cy) - np.nanmin(cy))
        step = 0.05 * (np.nanmax(cy) - np.nanmin(cy))
        left.set_ylabel("validation loss")
    else:
        ybase, step = 0.0, 1.0
        left.set_yticks([])
    for i, (label, s) in enumerate(samples.items()):
        below = np.mean(s < 10 ** (np.floor(np.log10(high)) - 1)) if high > 10 * low else 0
        left.plot(s, np.full(s.size, ybase - (i + 1) * step), "|", ms=14, mew=1.5,
                  color=f"C{i}", label=f"{label}: {below:.0%} below "
                                      f"{10 ** (np.floor(np.log10(high)) - 1):g}")
    left.set_xscale("log")
    left.set_xlim(low / 1.5, high * 1.5)
    left.set_xlabel(name)
    left.legend(loc="upper center", fontsize=8)
    left.set_title(f"{n_samples} samples of each kind", fontsize=10)
    edges, _ = decade_fractions(dims["log (log-uniform)"])
    centres = np.arange(len(edges) - 1)
    width = 0.38
    for i, (label, d) in enumerate(dims.items()):
        _, exact = decade_fractions(d)
        got = sampled_fractions(samples[label], edges)
        xpos = centres + (i - 0.5) * width
        right.bar(xpos, got, width, color=f"C{i}", alpha=0.8, label=f"{label}, sampled")
        right.plot(xpos, exact, "_", color="k", ms=22, mew=2,
                   label="exact share" if i == 0 else None)
    right.set_xticks(centres, [f"[{a:.0e}, {b:.0e})" for a, b in zip(edges[:-1], edges[1:],
                                                                    strict=True)],
                     fontsize=8)
    right.set_ylim(0, 1)
    right.set_ylabel("share of samples")
    right.set_xlabel(f"decade of {name}")
    right.legend(loc="upper left", fontsize=8)
    return fig


def normalisation_figure(space: Space, points: Sequence, *, names: tuple[str, str] | None
                         = None):
    """The same points in raw units and in the unit square of ``space.to_unit`` (§7.4:
    "normalize hyperparameters when using Bayesian optimization"). Raw axes are linear,
    as a distance-based model (a GP's kernel) sees them without normalisation."""
    pts = _params(points)
    a, b = names or tuple(space.names[:2])
    fig, (raw, unit) = new_figure(2, width=11, height=4.2)
    raw.plot([p[a] for p in pts], [p[b] for p in pts], "o", color="C0", mec="k")
    raw.set_xlabel(f"{a} (raw)")
    raw.set_ylabel(f"{b} (raw)")
    raw.set_title("raw values on linear axes (what an unnormalised distance sees)", fontsize=10)
    U = np.array([space.to_unit(p) for p in pts])
    ia, ib = space.names.index(a), space.names.index(b)
    unit.plot(U[:, ia], U[:, ib], "o", color="C2", mec="k")
    unit.set_xlim(-0.03, 1.03)
    unit.set_ylim(-0.03, 1.03)
    unit.set_xlabel(f"{a}: unit coordinate ({space[a].scale} scale)")
    unit.set_ylabel(f"{b}: unit coordinate ({space[b].scale} scale)")
    unit.set_title("space.to_unit: every dimension in [0, 1] in its own scale", fontsize=10)
    return fig


def response_figure(series: Mapping[str, tuple], *, xlabel: str, logx: bool = False,
                    ylabel: str = "validation loss", title: str = "", ylim=None, ax=None):
    """Validation loss against one hyperparameter, one line per series
    (``label: (values, losses)``); NaN losses (failed trainings) are marked × at the top.
    ``ylim`` fixes the y range (to compare several panels on one scale)."""
    fig, ax = _axis(ax)
    top = max((np.nanmax(np.asarray(y, float)) for _, y in series.values()
               if np.isfinite(np.asarray(y, float)).any()), default=1.0)
    for i, (label, (x, y)) in enumerate(series.items()):
        x, y = np.asarray(x, float), np.asarray(y, float)
        ok = np.isfinite(y)
        ax.plot(x[ok], y[ok], "o-", color=f"C{i}", label=label)
        if (~ok).any():
            ax.plot(x[~ok], np.full((~ok).sum(), top), "x", color="C3", ms=10, mew=2,
                    label=f"{label}: failed")
    if logx:
        ax.set_xscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize=9)
    if title:
        ax.set_title(title)
    return fig
