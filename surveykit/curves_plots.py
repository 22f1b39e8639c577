"""Figures of notebook 08.01: initial ranges (survey §8.1) and learning curves (§8.2).

Every function draws from computed results — points sampled from a search space, or
recorded :class:`~surveykit.curves.Curves` (and their :func:`~surveykit.curves.diagnose`
results) — and returns its Figure; none trains anything. The survey's convention for
learning curves (§8.2, "Components of a Typical Learning Curve Plot"): epochs on the
x-axis, the loss on the y-axis, training **solid** and validation **dashed**.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .curves import DEFAULT_THRESHOLDS, Curves, Diagnosis, Thresholds, diagnose
from .plots import axis_or_new as _axis
from .plots import new_figure

__all__ = ["space_samples_figure", "diagnosed_curves_figure", "figure2", "sweep_figure",
           "KIND_COLORS"]

#: one colour per diagnosis, used for markers and titles
KIND_COLORS = {"underfitting": "C0", "overfitting": "C3", "good fit": "C2", "diverged": "k"}




def space_samples_figure(space, points, *, width: float = 14.0, height: float = 3.6):
    """Where points sampled from a search space fall, one panel per dimension (§8.1's tip:
    log-uniform for continuous hyperparameters, lists for discrete ones).

    Log-scale dimensions: the share of samples per decade (bars) against the exact
    log-uniform share (black ticks, :func:`~surveykit.tuning.objectives.decade_fractions`)
    and what a linear scale over the same range would give (grey ticks); linear ones: a
    histogram over [low, high]; integer and categorical ones: the share of each value.
    """
    from .tuning.objectives import decade_fractions, sampled_fractions
    from .tuning.space import Categorical, LogUniform, Uniform

    points = list(points)
    if not points:
        raise ValueError("points must hold at least one sampled point; got none")
    fig, axes = new_figure(len(space), width=width, height=height)
    for ax, dim in zip(axes, space, strict=True):
        values = [p[dim.name] for p in points]
        if isinstance(dim, LogUniform):
            edges, exact = decade_fractions(dim)
            got = sampled_fractions(values, edges)
            lin = decade_fractions(Uniform(dim.name, dim.low, dim.high))[1]
            x = np.arange(len(got))
            ax.bar(x, got, 0.7, color="C1", alpha=0.85, label="sampled")
            ax.plot(x, exact, "_", color="k", ms=26, mew=2, label="log-uniform, exact")
            ax.plot(x, lin, "_", color="0.6", ms=26, mew=2, label="linear scale, exact")
            ax.set_xticks(x, [f"{_value_text(a)}–{_value_text(b)}"
                              for a, b in zip(edges[:-1], edges[1:], strict=True)],
                          fontsize=7, rotation=25)
            ax.set_xlabel(f"{dim.name}: decade")
            ax.set_ylim(0, 1)
        elif isinstance(dim, Categorical) or getattr(dim, "log", None) is not None:
            choices = dim.grid(None) if isinstance(dim, Categorical) else \
                list(range(dim.low, dim.high + 1))
            shares = [np.mean([v == c for v in values]) for c in choices]
            ax.bar(range(len(choices)), shares, 0.7, color="C1", alpha=0.85, label="sampled")
            ax.axhline(1 / len(choices), color="k", lw=1.5, label="uniform share")
            ax.set_ylim(0, min(1.0, 2.2 / len(choices)))
            ax.set_xticks(range(len(choices)), [f"{c:g}" for c in choices])
            ax.set_xlabel(dim.name)
        else:
            ax.hist(values, bins=10, range=(dim.low, dim.high), weights=np.full(
                len(values), 1 / len(values)), color="C1", alpha=0.85, label="sampled")
            ax.axhline(0.1, color="k", lw=1.5, label="uniform share")
            ax.set_ylim(0, 0.22)
            ax.set_xlabel(f"{dim.name} (linear scale)")
        ax.set_ylabel("share of samples")
        ax.set_title(repr(dim), fontsize=8)
        ax.legend(loc="upper left", fontsize=7)
    return fig


def _check_curves(curves_list) -> list[Curves]:
    if isinstance(curves_list, Curves):
        curves_list = [curves_list]
    out = list(curves_list)
    if not out:
        raise ValueError("curves_list must hold at least one Curves; got none")
    for c in out:
        if not isinstance(c, Curves):
            raise ValueError(f"curves_list must hold Curves (surveykit.curves); got "
                             f"{type(c).__name__}")
    return out


def _short(d: Diagnosis) -> str:
    if d.kind == "diverged":
        return f"diverged in epoch {d.numbers['diverged_at']}"
    return d.kind + (f", turns at epoch {d.turn_epoch}" if d.turn_epoch is not None else "")


def diagnosed_curves_figure(curves_list, labels: Sequence[str] | None = None, *,
                            diagnoses: Sequence[Diagnosis] | None = None,
                            thresholds: Thresholds = DEFAULT_THRESHOLDS, logy: bool = False,
                            title: str | None = None, ax=None):
    """Training (solid) and validation (dashed) loss of each run, one colour per run, with
    its diagnosis in the legend and, for overfitting, the turn epoch marked (a dotted
    vertical line and a dot on the validation curve).

    ``diagnoses`` default to :func:`~surveykit.curves.diagnose` with ``thresholds``. A
    diverged run is drawn up to its last finite epoch and marked ×.
    """
    runs = _check_curves(curves_list)
    labels = list(labels) if labels is not None else [c.label or f"run {i + 1}"
                                                      for i, c in enumerate(runs)]
    if len(labels) != len(runs):
        raise ValueError(f"labels must give one label per run ({len(runs)}); got {len(labels)}")
    diagnoses = list(diagnoses) if diagnoses is not None else [diagnose(c, thresholds)
                                                               for c in runs]
    if len(diagnoses) != len(runs):
        raise ValueError(f"diagnoses must give one per run ({len(runs)}); got {len(diagnoses)}")
    fig, ax = _axis(ax, height=4.2)
    for i, (c, label, d) in enumerate(zip(runs, labels, diagnoses, strict=True)):
        color = f"C{i % 10}"
        n = c.epochs if c.diverged_at is None else c.diverged_at - 1
        epochs = np.arange(1, n + 1)
        ax.plot(epochs, c.train[:n], "-", color=color, label=f"{label}: {_short(d)}")
        ax.plot(epochs, c.val[:n], "--", color=color)
        if d.kind == "diverged":
            y = c.train[n - 1] if n else 0.0
            ax.plot([d.numbers["diverged_at"]], [y], "x", color=color, markersize=10, mew=2)
        if d.turn_epoch is not None:
            t = d.turn_epoch
            ax.axvline(t, color=color, ls=":", lw=1.2)
            ax.plot([t], [c.val[t - 1]], "o", color=color, markersize=6)
    ax.set_xlabel("epoch")
    ax.set_ylabel(runs[0].metric)
    if logy:
        ax.set_yscale("log")
    ax.plot([], [], "k-", label="training (solid)")
    ax.plot([], [], "k--", label="validation (dashed)")
    if any(d.turn_epoch is not None for d in diagnoses):
        ax.plot([], [], "k:o", markersize=5, label="turn epoch (val. minimum)")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def figure2(runs: Mapping[str, Curves] | Sequence[Curves], *,
            thresholds: Thresholds = DEFAULT_THRESHOLDS, ylim=None, width: float = 14.0,
            height: float = 4.2):
    """The survey's Figure 2 from measured runs: one panel per run (e.g. underfit, overfit,
    good fit), training solid and validation dashed, the loss over epochs, each panel
    titled with its name and diagnosis (the turn epoch marked for overfitting). ``runs``
    maps a panel title to its :class:`~surveykit.curves.Curves` (or is a list; the
    curves' labels are the titles). Panels share the y-axis."""
    if isinstance(runs, Mapping):
        names, curves = list(runs), _check_curves(runs.values())
    else:
        curves = _check_curves(runs)
        names = [c.label or f"run {i + 1}" for i, c in enumerate(curves)]
    fig, axes = new_figure(len(curves), width=width, height=height)
    top = max(float(np.nanmax(np.where(np.isfinite(c.train), c.train, np.nan)))
              for c in curves)
    top = max(top, max(float(np.nanmax(np.where(np.isfinite(c.val), c.val, np.nan)))
                       for c in curves))
    for ax, name, c in zip(axes, names, curves, strict=True):
        d = diagnose(c, thresholds)
        n = c.epochs if c.diverged_at is None else c.diverged_at - 1
        epochs = np.arange(1, n + 1)
        ax.plot(epochs, c.train[:n], "-", color="C0", lw=2, label="training")
        ax.plot(epochs, c.val[:n], "--", color="C1", lw=2, label="validation")
        if c.baseline is not None:
            ax.axhline(c.baseline, color="0.6", lw=1, label="baseline (class prior)")
        if d.turn_epoch is not None:
            ax.axvline(d.turn_epoch, color=KIND_COLORS["overfitting"], ls=":", lw=1.2,
                       label=f"turn epoch {d.turn_epoch}")
            ax.plot([d.turn_epoch], [c.val[d.turn_epoch - 1]], "o",
                    color=KIND_COLORS["overfitting"])
        ax.set_ylim(*(ylim if ylim is not None else (0.0, 1.45 * top)))
        ax.set_xlabel("epoch")
        ax.set_ylabel(c.metric)
        ax.set_title(f"{name}\ndiagnosis: {_short(d)}", color=KIND_COLORS[d.kind], fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
    return fig


def _value_text(v) -> str:
    from .catalogue import format_value

    return format_value(float(v)) if not isinstance(v, str) else v


def sweep_figure(sweep: Mapping, value, *, name: str = "λ",
                 thresholds: Thresholds = DEFAULT_THRESHOLDS, width: float = 14.0,
                 height: float = 4.4):
    """A precomputed sweep over one hyperparameter (a slider's view, survey §8.2
    "Applications"): left, the diagnosed curves of the run at ``value``; right, every
    run's final training and validation loss and its lowest validation loss against the
    hyperparameter (values in the sweep's order, evenly spaced), each marked in the colour
    of its diagnosis, ``value`` highlighted. ``sweep`` maps a value to its Curves."""
    if not isinstance(sweep, Mapping) or not sweep:
        raise ValueError("sweep must be a non-empty dict {value: Curves}")
    keys = list(sweep)
    if value not in sweep:
        raise ValueError(f"value must be one of the sweep's values {keys}; got {value!r}")
    _check_curves(sweep.values())
    fig, (ax1, ax2) = new_figure(2, width=width, height=height)
    chosen = sweep[value]
    diagnosed_curves_figure([chosen], [f"{name} = {_value_text(value)}"],
                            thresholds=thresholds, ax=ax1)
    top = max(float(np.nanmax(c.val[np.isfinite(c.val)])) for c in sweep.values()
              if np.isfinite(c.val).any())
    ax1.set_ylim(0.0, 1.05 * top)
    ax1.set_title(f"the run with {name} = {_value_text(value)}")
    x = np.arange(len(keys))
    diags = [diagnose(sweep[k], thresholds) for k in keys]
    finals_t = [d.numbers.get("train_end", np.nan) for d in diags]
    finals_v = [d.numbers.get("val_end", np.nan) for d in diags]
    mins_v = [d.numbers.get("val_min", np.nan) for d in diags]
    ax2.plot(x, finals_t, "-", color="0.4", label="final training loss")
    ax2.plot(x, finals_v, "--", color="0.4", label="final validation loss")
    ax2.plot(x, mins_v, ":", color="0.6", label="lowest validation loss")
    for kind, color in KIND_COLORS.items():
        idx = [i for i, d in enumerate(diags) if d.kind == kind]
        if idx:
            ax2.plot(x[idx], np.asarray(finals_v)[idx], "o", color=color, markersize=8,
                     label=kind)
    i = keys.index(value)
    ax2.axvline(x[i], color="k", alpha=0.15, lw=12)
    ax2.set_xticks(x, [_value_text(k) for k in keys])
    ax2.set_xlabel(name)
    ax2.set_ylabel(chosen.metric)
    ax2.set_title(f"the whole sweep (diagnosis by colour); chosen: {diags[i].kind}")
    ax2.legend(loc="best", fontsize=8)
    return fig
