"""Figures for the curse of dimensionality (survey §7.2).

Each function draws from results computed by :mod:`surveykit.dimensionality` and returns
its Figure; none samples or trains anything (the volume facts are closed forms, computed
by :func:`~surveykit.dimensionality.volume_table` beforehand). :func:`distance_view` is
the dimension slider's callback: it picks precomputed distances from a cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import dimensionality as dim
from .plots import axis_or_new as _axis
from .plots import new_figure

__all__ = ["concentration_plot", "distance_view", "volume_plot", "mi_ranking",
           "explained_variance_plot", "noise_sweep_plot", "size_curves",
           "samples_needed_plot", "mitigation_plot"]




def _squared_cv(samples: Mapping[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    dims = np.array(sorted(samples))
    cv = np.array([np.std(samples[d] ** 2) / np.mean(samples[d] ** 2) for d in dims])
    return dims, cv


def concentration_plot(results: Mapping[str, dim.Concentration],
                       samples: Mapping[str, Mapping[int, np.ndarray]] | None = None):
    """Left: mean relative contrast (D_max − D_min)/D_min against d, log–log, with a 1/√d
    guide. Right (if ``samples``, {label: :func:`~surveykit.dimensionality.distance_samples`}):
    std/mean of the squared pairwise distances against the exact value from
    :func:`~surveykit.dimensionality.squared_distance_moments`."""
    ncols = 2 if samples else 1
    fig, axes = new_figure(ncols, width=6.5 * ncols, height=4.2)
    ax = axes[0]
    for i, (label, res) in enumerate(results.items()):
        dims = np.asarray(res.dims, float)
        ax.plot(dims, res.mean_contrast, "o-", color=f"C{i}", label=label)
        lo, hi = np.percentile(res.contrast, [10, 90], axis=1)
        ax.fill_between(dims, lo, hi, color=f"C{i}", alpha=0.15)
    first = next(iter(results.values()))
    dims = np.asarray(first.dims, float)
    anchor = first.mean_contrast[-1] * np.sqrt(dims[-1])
    big = dims >= 10
    ax.plot(dims[big], anchor / np.sqrt(dims[big]), "k:", label="∝ 1/√d")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dimension d")
    ax.set_ylabel("(D_max − D_min) / D_min")
    ax.set_title(f"Farthest vs nearest of {first.n_points} random points from a query "
                 f"(band: 10–90 % of {len(first.seeds)} seeds)", fontsize=9)
    ax.legend(loc="best")
    if samples:
        ax = axes[1]
        for i, (label, cache) in enumerate(samples.items()):
            d_all, cv = _squared_cv(cache)
            res = results.get(label, first)
            exact = [np.divide(*dim.squared_distance_moments(int(d), res.distribution)[::-1])
                     for d in d_all]
            ax.plot(d_all, exact, "-", color=f"C{i}", alpha=0.6, label=f"{label}: exact")
            ax.plot(d_all, cv, "o", color=f"C{i}", label=f"{label}: measured")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("dimension d")
        ax.set_ylabel("std / mean of ‖x − y‖²")
        ax.set_title("Spread of squared distances relative to their size", fontsize=9)
        ax.legend(loc="best")
    return fig


def distance_view(samples: Mapping[int, np.ndarray], d: int,
                  concentration: dim.Concentration | None = None):
    """The slider's view: histogram of the pairwise distances at dimension ``d``, divided by
    their mean (fixed x-range, so dimensions compare), with the nearest and farthest pair
    marked; right, if given, the contrast curve with d marked."""
    if d not in samples:
        raise ValueError(f"d must be one of the cached dimensions {sorted(samples)}; got {d!r}")
    ncols = 2 if concentration is not None else 1
    fig, axes = new_figure(ncols, width=6.0 * ncols, height=4.0)
    ax = axes[0]
    dist = np.asarray(samples[d])
    scaled = dist / dist.mean()
    ax.hist(scaled, bins=np.linspace(0, 3, 121), color="C0", alpha=0.8)
    for value, name in ((scaled.min(), "nearest pair"), (scaled.max(), "farthest pair")):
        ax.axvline(value, color="C3", lw=1.5, ls="--")
        ax.text(value, ax.get_ylim()[1] * 0.95, f" {name}", color="C3", fontsize=8,
                ha="left" if name.startswith("nearest") else "right", va="top")
    ax.set_xlim(0, 3)
    ax.set_xlabel("pairwise distance / mean pairwise distance")
    ax.set_ylabel("number of pairs")
    ax.set_title(f"d = {d}: std/mean = {scaled.std():.3f}, "
                 f"farthest/nearest pair = {scaled.max() / scaled.min():.3g}")
    if concentration is not None:
        ax = axes[1]
        dims = np.asarray(concentration.dims)
        ax.plot(dims, concentration.mean_ratio, "o-", color="C1")
        if d in concentration.dims:
            i = concentration.dims.index(d)
            ax.plot([d], [concentration.mean_ratio[i]], "o", ms=12, mfc="none", mec="k", mew=2)
        ax.axhline(1.0, color="0.5", lw=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("dimension d")
        ax.set_ylabel("D_max / D_min from a query")
        ax.set_title(f"Farthest / nearest of {concentration.n_points} points (mean of "
                     f"{len(concentration.seeds)} seeds)", fontsize=9)
    return fig


def volume_plot(table: Mapping[str, np.ndarray]):
    """Three panels from :func:`~surveykit.dimensionality.volume_table`: the inscribed ball's
    and the boundary shell's share of the cube; the edge of a neighbourhood holding a
    fixed fraction of the data; the samples needed for a fixed nearest-neighbour distance."""
    dims = np.asarray(table["dims"])
    fig, (a, b, c) = new_figure(3, width=15, height=4.0)
    a.plot(dims, table["ball"], "o-", label="inscribed ball (radius ½)")
    a.plot(dims, table["shell"], "s-",
           label=f"shell within {table['thickness']:g} of the boundary")
    a.set_yscale("log")
    a.set_ylim(1e-12, 2)
    a.set_xlabel("dimension d")
    a.set_ylabel("fraction of the unit cube's volume")
    a.legend(loc="lower left", fontsize=8)
    a.set_title("Volume moves to the corners and the boundary", fontsize=9)
    b.plot(dims, table["edge"], "o-", color="C2")
    b.axhline(1.0, color="0.5", lw=1)
    b.set_ylim(0, 1.05)
    b.set_xlabel("dimension d")
    b.set_ylabel("edge length (share of each input's range)")
    b.set_title(f"A cube holding {table['fraction']:.0%} of uniform data", fontsize=9)
    c.plot(dims, table["samples"], "o-", color="C3")
    c.set_yscale("log")
    c.set_xlabel("dimension d")
    c.set_ylabel("samples n")
    c.set_title(f"n for a median nearest-neighbour distance of {table['radius']:g} "
                "(unit ball)", fontsize=9)
    return fig


def mi_ranking(mi, names: Sequence[str], *, n_real: int, k: int | None = None, ax=None,
               title: str = ""):
    """Estimated mutual information of every feature with the label, sorted; real features
    in colour, pure-noise features (index ≥ ``n_real``) in grey; a line after the top k."""
    mi = np.asarray(mi, float)
    order = np.argsort(-mi, kind="stable")
    fig, ax = _axis(ax, width=10, height=4.0)
    colors = np.where(order < n_real, "C0", "0.6")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ax.bar(np.arange(mi.size), mi[order], color=colors, width=1.0)
    handles = [Patch(color="C0", label="real feature"),
               Patch(color="0.6", label="pure-noise feature")]
    if k is not None:
        ax.axvline(k - 0.5, color="C3", ls="--")
        handles.append(Line2D([], [], color="C3", ls="--", label=f"top {k} kept"))
    top = [names[i] for i in order[:3]]
    ax.set_xlabel("features, by decreasing estimated MI")
    ax.set_ylabel("I(feature; label) (nats)")
    ax.set_title(title or f"Highest: {', '.join(top)}", fontsize=9)
    ax.legend(handles=handles, loc="upper right")
    return fig


def explained_variance_plot(pcas: Mapping[str, dim.PCA], *, max_components: int = 40):
    """Left: cumulative explained-variance ratio against the number of components. Right:
    the eigenvalues λ_j themselves (log scale), per PCA."""
    fig, (a, b) = new_figure(2, width=13, height=4.2)
    for i, (label, pca) in enumerate(pcas.items()):
        ratio = np.cumsum(pca.explained_variance_ratio)[:max_components]
        k = np.arange(1, ratio.size + 1)
        a.plot(k, ratio, "o-", ms=3, color=f"C{i}", label=label)
        b.plot(k, pca.explained_variance[:max_components], "o-", ms=3, color=f"C{i}",
               label=label)
    a.axhline(0.95, color="0.5", ls=":", label="95 %")
    a.set_ylim(0, 1.02)
    a.set_xlabel("number of principal components k")
    a.set_ylabel("share of the total variance explained")
    a.legend(loc="lower right", fontsize=8)
    b.set_yscale("log")
    b.set_xlabel("component j")
    b.set_ylabel("eigenvalue λ_j (variance along component j)")
    b.set_title("The spectrum: where does the real structure sit?", fontsize=9)
    b.legend(loc="lower left", fontsize=8)
    return fig


def _noise_axis(ax, counts):
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xticks(counts)
    ax.set_xticklabels([str(c) for c in counts])
    ax.set_xlabel("pure-noise features added to the 30 real ones")


def noise_sweep_plot(sweep: dim.NoiseSweep):
    """Left: validation accuracy (solid) of 1-NN and of the logistic model per penalty,
    and the unpenalised model's training accuracy (dashed), against the number of noise
    features. Right: the share of the logistic weights' L1 mass on the noise features."""
    counts = np.asarray(sweep.noise_counts)
    fig, (a, b) = new_figure(2, width=13, height=4.3)
    a.plot(counts, sweep.knn_val.mean(axis=1), "o-", color="k", label="1-nearest neighbour")
    for i, name in enumerate(sweep.val):
        a.plot(counts, sweep.val[name].mean(axis=1), "o-", color=f"C{i}",
               label=f"logistic, {name}")
        b.plot(counts, sweep.noise_share[name].mean(axis=1), "o-", color=f"C{i}", label=name)
    first = next(iter(sweep.train))
    a.plot(counts, sweep.train[first].mean(axis=1), "--", color="C0",
           label=f"training accuracy, {first}")
    _noise_axis(a, counts)
    a.set_ylabel("accuracy (mean of seeds)")
    a.set_title("Validation accuracy (solid) as uninformative dimensions are added",
                fontsize=9)
    a.legend(loc="lower left", fontsize=8)
    noise_fraction = counts / (counts + 30)
    b.plot(counts, noise_fraction, ":", color="0.5", label="share of the features that are noise")
    _noise_axis(b, counts)
    b.set_ylim(-0.02, 1.02)
    b.set_ylabel("Σ|w_noise| / Σ|w|")
    b.set_title("Weight mass on the noise features", fontsize=9)
    b.legend(loc="upper left", fontsize=8)
    return fig


def size_curves(sizes, accuracies, noise_counts, *, ax=None):
    """1-NN validation accuracy against the training-set size, one line per noise count
    (``accuracies`` from :func:`~surveykit.dimensionality.knn_accuracy_vs_size`)."""
    fig, ax = _axis(ax)
    acc = np.asarray(accuracies, float)
    for i, k in enumerate(noise_counts):
        ax.plot(sizes, acc[i].mean(axis=-1), "o-", color=f"C{i}",
                label=f"30 real + {k} noise features")
    ax.set_xscale("log")
    ax.set_xlabel("training examples n")
    ax.set_ylabel("1-NN validation accuracy (mean of seeds)")
    ax.legend(loc="lower right")
    return fig


def samples_needed_plot(result: dim.SamplesNeeded):
    """Left: 1-NN test accuracy against n for each dimension, with the target. Right: the n
    needed to reach it against d (log scale: a straight line is exponential growth), for
    1-NN and logistic regression, with the fitted growth factor per dimension."""
    fig, (a, b) = new_figure(2, width=13, height=4.3)
    sizes = np.asarray(result.sizes)
    for i, d in enumerate(result.dims):
        a.plot(sizes, result.accuracy["1-NN"][i], "o-", ms=3, color=f"C{i}", label=f"d = {d}")
    a.axhline(result.target, color="k", ls=":", label=f"target {result.target:g}")
    a.set_xscale("log")
    a.set_xlabel("training examples n")
    a.set_ylabel("1-NN test accuracy")
    a.set_title("1-nearest neighbour on y = 1[Σx_j > d/2], x uniform in [0, 1]^d",
                fontsize=9)
    a.legend(loc="lower right", fontsize=8, ncols=2)
    dims = np.asarray(result.dims, float)
    for name, color in (("1-NN", "C3"), ("logistic", "C0")):
        need = result.needed[name]
        label = name
        if name == "1-NN":
            factor = result.growth_per_dimension(name)
            label += f" (× {factor:.2g} per dimension)"
        b.plot(dims, need, "o-", color=color, label=label)
    b.set_yscale("log")
    b.set_xlabel("dimension d")
    b.set_ylabel(f"n needed for accuracy {result.target:g}")
    b.set_title("Data needed as the dimension grows", fontsize=9)
    b.legend(loc="upper left")
    return fig


def mitigation_plot(results: Mapping[str, Mapping[str, Mapping[str, np.ndarray]]],
                    *, reference: float | None = None):
    """One panel per scenario ({title: :func:`~surveykit.dimensionality.mitigations`}):
    horizontal bars of mean validation accuracy per method, 1-NN and logistic side by side
    (no 1-NN bar for the penalties: nearest neighbour has no weights)."""
    n = len(results)
    fig, axes = new_figure(n, width=6.5 * n, height=4.0)
    for ax, (title, res) in zip(axes, results.items(), strict=True):
        methods = list(res)
        y = np.arange(len(methods))
        for j, (learner, color) in enumerate((("1-NN", "0.3"), ("logistic", "C0"))):
            vals = np.array([np.nanmean(res[m][learner]) if np.any(np.isfinite(res[m][learner]))
                             else np.nan for m in methods])
            ok = np.isfinite(vals)
            bars = ax.barh(y[ok] + (j - 0.5) * 0.38, vals[ok], height=0.36, color=color,
                           label=learner)
            for bar, v in zip(bars, vals[ok], strict=True):
                ax.text(v + 0.005, bar.get_y() + bar.get_height() / 2, f"{v:.3f}",
                        va="center", fontsize=7)
        ax.set_yticks(y)
        ax.set_yticklabels(methods, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0.5, 1.04)
        if reference is not None:
            ax.axvline(reference, color="C3", ls=":")
        ax.set_xlabel("validation accuracy (mean of seeds)")
        ax.set_title(title, fontsize=9)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig
