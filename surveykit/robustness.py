"""Hyperparameter robustness, measured (survey §8.4).

The survey (§8.4): *"A robust model performs well across a range of hyperparameter
values, not just a narrow peak."* Its key concepts and tips, each a function here:

* **Sensitivity analysis** — *"assessing how validation performance changes with small
  hyperparameter perturbations"*: :func:`perturb` moves one hyperparameter by a small
  step *in its own scale* and :func:`sensitivity` scores every such neighbour,

  .. math:: \\Delta_j = \\max_\\pm \\big|L_\\text{val}(\\theta \\pm \\delta e_j)
            - L_\\text{val}(\\theta)\\big| .

* **Different seeds** — :func:`repeat_seeds` trains one configuration with several seeds
  and summarises the spread (mean, sample standard deviation with ddof = 1, standard
  error s/√n and the 95 % Student-t interval mean ± t_{0.975, n−1}·s/√n);
  :func:`seed_difference` asks whether two configurations differ by more than that
  spread (Welch's t interval for the difference of means).
* **"Prefer configurations where performance is stable over small changes"** —
  :func:`grid_scores` fills the survey's suggested contour plot (validation loss over
  learning rate × batch size), :meth:`LossGrid.robust_region` is the zone within a
  tolerance of the best, and :meth:`LossGrid.most_stable` the cell whose worst neighbour
  is best (a minimax choice), against :meth:`LossGrid.best` (the single best point).
* **Flat minima** — *"regions in the loss surface where small changes in weights do not
  degrade performance significantly"*: :func:`sharpness` is the loss increase
  L(w + ε) − L(w) under random weight perturbations ε of a given size (mean, max, std over
  n seeded directions); :func:`keras_sharpness` applies it to a Keras model. For a
  quadratic L(w) = ½ wᵀHw it has the exact expectation
  E[ΔL] = ½ E[εᵀHε] = ½ r² tr(H)/d (:func:`expected_quadratic_increase`), which the tests
  check by Monte Carlo.
* **"Dropout, label smoothing, and weight decay typically enhance robustness"** —
  dropout and weight decay are :class:`~surveykit.tuning.objectives.MLPObjective`
  hyperparameters, and ``MLPObjective(label_smoothing=α)`` trains the same network on
  Keras' ``BinaryCrossentropy(label_smoothing=α)`` (scored without smoothing).

A diverged run (NaN validation loss) is never averaged or plotted as a value: it is
counted and reported (:attr:`SeedSpread.diverged`, :attr:`LossGrid.diverged`), and a
neighbour that diverges makes a hyperparameter maximally sensitive (change = inf).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .tables import html_table, text_table
from .tuning.space import Categorical, Dimension, Integer, LogUniform, Space, Uniform
from .validation import check_int, check_range

__all__ = [
    "perturb",
    "Sensitivity",
    "sensitivity",
    "t_interval",
    "SeedSpread",
    "repeat_seeds",
    "SeedDifference",
    "seed_difference",
    "LossGrid",
    "grid_scores",
    "DISTRIBUTIONS",
    "random_directions",
    "Sharpness",
    "sharpness",
    "sharpness_curve",
    "expected_quadratic_increase",
    "keras_loss_function",
    "keras_sharpness",
    "keras_sharpness_curve",
    "Table",
]

DISTRIBUTIONS = ("sphere", "gaussian")


# --------------------------------------------------------------------------- a small table


@dataclass(frozen=True)
class Table:
    """Rows of strings with a header: ``str()`` is a text table, ``_repr_html_`` HTML."""

    header: tuple
    rows: tuple

    def __str__(self) -> str:
        return text_table(self.header, self.rows)

    def _repr_html_(self) -> str:
        return html_table(self.header, self.rows)


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return "diverged" if not math.isfinite(v) else f"{v:.4g}"
    return str(v)


# --------------------------------------------------------------------------- perturbations


def _dimension(space_or_dimension, name: str) -> Dimension:
    if isinstance(space_or_dimension, Dimension):
        if space_or_dimension.name != name:
            raise ValueError(f"name must be the dimension's name {space_or_dimension.name!r}; "
                             f"got {name!r}")
        return space_or_dimension
    if isinstance(space_or_dimension, Space):
        if name not in space_or_dimension.names:
            raise ValueError(f"name must be one of the space's hyperparameters "
                             f"{space_or_dimension.names}; got {name!r}")
        return space_or_dimension[name]
    raise ValueError(f"space_or_dimension must be a surveykit.tuning Space or Dimension; "
                     f"got {space_or_dimension!r}")


def _neighbour_values(dim: Dimension, value, step: float) -> list:
    """The values one ``step`` below and above ``value`` in ``dim``'s scale (see perturb)."""
    if isinstance(dim, Categorical):
        i = dim.index(value)
        return [c for j, c in enumerate(dim.choices) if j != i]
    if isinstance(dim, LogUniform):
        cand = [value * 10.0 ** -step, value * 10.0 ** step]
    elif isinstance(dim, Uniform):
        cand = [value - step * (dim.high - dim.low), value + step * (dim.high - dim.low)]
    elif isinstance(dim, Integer):
        v = int(value)
        if dim.log:
            lo, hi = round(v * 10.0 ** -step), round(v * 10.0 ** step)
        else:
            lo, hi = round(v - step * (dim.high - dim.low)), round(v + step * (dim.high - dim.low))
        cand = [min(int(lo), v - 1), max(int(hi), v + 1)]  # at least the next integer
    else:  # pragma: no cover - every Dimension subclass is handled above
        raise ValueError(f"cannot perturb a {type(dim).__name__}")
    out = []
    for c in cand:
        c = min(max(c, dim.low), dim.high)  # clipped to the search range
        if c != value and c not in out:
            out.append(int(c) if isinstance(dim, Integer) else float(c))
    return out


def perturb(space_or_dimension, params: Mapping, name: str, step: float) -> list[dict]:
    """The neighbours of ``params`` one small ``step`` away in hyperparameter ``name``,
    in that hyperparameter's own scale (survey §8.4, sensitivity analysis).

    ``space_or_dimension`` gives the scale and the range (a :class:`Space` holding
    ``name`` or that :class:`Dimension`); ``step`` > 0 is measured in that scale:

    * :class:`LogUniform` (log scale): x·10^−step and x·10^+step — ``step`` in decades
      (0.5 = a factor √10 ≈ 3.16, log10(2) = a factor 2);
    * :class:`Uniform` (linear scale): x ∓ step·(high − low) — a fraction of the range;
    * :class:`Integer`: the same rule in its scale (log or linear), rounded, and at least
      one integer away (batch size 32 with step log10(2): 16 and 64);
    * :class:`Categorical`: every other choice — unordered choices have no "neighbour"
      and no step size, so each of them is one (``step`` is ignored).

    Values are clipped to [low, high]; a neighbour equal to ``params[name]`` after
    clipping (a value at its bound) is dropped, so a point on the edge of the range has
    one neighbour. Returns a list of parameter dicts (down first, then up), each equal to
    ``params`` except for ``name``.
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict {{name: value}}; got {params!r}")
    dim = _dimension(space_or_dimension, name)
    if name not in params:
        raise ValueError(f"params must contain {name!r}; got keys {sorted(params)}")
    step = check_range(f"step ({name})", step, 0.0, low_closed=False)
    value = dim.check(params[name])
    return [{**params, name: v} for v in _neighbour_values(dim, value, step)]


def _steps(step, names: Sequence[str]) -> dict:
    if isinstance(step, Mapping):
        missing = [n for n in names if n not in step]
        if missing:
            raise ValueError(f"step: give a step for every hyperparameter {list(names)}; "
                             f"missing {missing}")
        return {n: check_range(f"step ({n})", step[n], 0.0, low_closed=False) for n in names}
    s = check_range("step", step, 0.0, low_closed=False)
    return dict.fromkeys(names, s)


@dataclass(frozen=True)
class Sensitivity:
    """The result of :func:`sensitivity`: the validation loss at ``params`` (``base``) and
    at each neighbour; ``neighbours[name]`` is a list of (value, loss) pairs."""

    params: dict
    base: float
    neighbours: dict
    steps: dict

    def change(self, name: str) -> float:
        """max over the neighbours of |L(neighbour) − L(params)| (inf if one diverged)."""
        losses = [loss for _, loss in self.neighbours[name]]
        if not losses:
            return 0.0
        if not math.isfinite(self.base) or not all(math.isfinite(v) for v in losses):
            return math.inf
        return float(max(abs(v - self.base) for v in losses))

    @property
    def changes(self) -> dict:
        """{name: change}, in the order the hyperparameters were given."""
        return {n: self.change(n) for n in self.neighbours}

    def ranking(self) -> list[str]:
        """Hyperparameter names, most sensitive first."""
        return sorted(self.neighbours, key=lambda n: -self.change(n))

    def diverged(self) -> list[tuple[str, object]]:
        """(name, value) of every neighbour whose training diverged (NaN loss)."""
        return [(n, v) for n, pairs in self.neighbours.items() for v, loss in pairs
                if not math.isfinite(loss)]

    def table(self) -> Table:
        """One row per hyperparameter: value, step, neighbours with their losses, change."""
        rows = []
        for n in self.ranking():
            pairs = ", ".join(f"{_fmt(v)} → {_fmt(loss)}" for v, loss in self.neighbours[n])
            rows.append((n, _fmt(self.params[n]), _fmt(self.steps[n]), pairs,
                         _fmt(self.change(n))))
        header = ("hyperparameter", "value", "step", f"neighbour → val loss "
                  f"(base {_fmt(self.base)})", "max |Δ loss|")
        return Table(header, tuple(rows))


def _with_progress(items: list, desc: str | None):
    if desc is None:
        from contextlib import nullcontext

        return nullcontext(items)
    from .progress import progress

    return progress(items, desc)


def _score_value(score: Callable, *args) -> float:
    v = score(*args)
    try:
        v = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"score must return a number (the validation loss); got {v!r}") \
            from None
    return v if math.isfinite(v) else math.nan


def sensitivity(score: Callable, params: Mapping, space: Space, *, step=0.1,
                desc: str | None = None) -> Sensitivity:
    """Sensitivity analysis (survey §8.4): ``score(params)`` — the validation loss — at
    ``params`` and at each neighbour :func:`perturb` gives, one hyperparameter at a time.

    ``space`` names the hyperparameters to perturb and their scales; ``step`` is one
    number or ``{name: step}`` (each in its own scale: decades for log, a fraction of the
    range for linear). The change of hyperparameter j is
    Δ_j = max_± |L(θ ± δ e_j) − L(θ)|; a neighbour that diverges (``score`` returns NaN
    or inf) gives Δ_j = inf and is listed by :meth:`Sensitivity.diverged`. With ``desc``
    a progress bar is shown. ``score`` is called once per distinct point (memoise it —
    :meth:`MLPObjective.evaluate` does — to share trainings with a grid).
    """
    if not isinstance(space, Space):
        raise ValueError(f"space must be a surveykit.tuning Space; got {space!r}")
    if not callable(score):
        raise ValueError(f"score must be a function params -> validation loss; got {score!r}")
    params = dict(params)
    steps = _steps(step, space.names)
    jobs = [("base", None, params)]
    for n in space.names:
        jobs += [(n, p[n], p) for p in perturb(space, params, n, steps[n])]
    neighbours = {n: [] for n in space.names}
    base = math.nan
    with _with_progress(jobs, desc) as bar:
        for n, v, p in bar:
            loss = _score_value(score, p)
            if n == "base":
                base = loss
            else:
                neighbours[n].append((v, loss))
    return Sensitivity(params=params, base=base, neighbours=neighbours, steps=steps)


# --------------------------------------------------------------------------- seeds


def t_interval(values, level: float = 0.95) -> tuple[float, float]:
    """The Student-t confidence interval of the mean of ``values`` (finite, n ≥ 2):

    .. math:: \\bar x \\pm t_{(1+\\text{level})/2,\\; n-1}\\; s/\\sqrt n,
              \\qquad s^2 = \\frac{1}{n-1}\\sum_i (x_i - \\bar x)^2

    — what ``scipy.stats.t.interval(level, n − 1, loc=mean, scale=sem)`` gives.
    """
    from scipy import stats

    level = check_range("level", level, 0.0, 1.0, low_closed=False, high_closed=False)
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"values must be at least 2 finite numbers; got {values!r}")
    n = x.size
    mean, sem = float(x.mean()), float(x.std(ddof=1) / math.sqrt(n))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sem
    return mean - half, mean + half


@dataclass(frozen=True)
class SeedSpread:
    """One configuration trained with several seeds (survey §8.4, "different seeds").

    ``values[i]`` is the validation loss with ``seeds[i]`` (NaN if that run diverged).
    The statistics use the finite values only; ``diverged`` lists the seeds that failed.
    ``std`` is the sample standard deviation (ddof = 1), ``sem`` = std/√n and ``ci`` the
    ``level`` Student-t interval of the mean (:func:`t_interval`); with fewer than two
    finite values they are NaN.
    """

    params: dict
    seeds: tuple
    values: np.ndarray
    level: float = 0.95

    @property
    def finite(self) -> np.ndarray:
        return self.values[np.isfinite(self.values)]

    @property
    def diverged(self) -> list:
        return [s for s, v in zip(self.seeds, self.values, strict=True) if not np.isfinite(v)]

    @property
    def n(self) -> int:
        return int(self.finite.size)

    @property
    def mean(self) -> float:
        return float(self.finite.mean()) if self.n else math.nan

    @property
    def std(self) -> float:
        return float(self.finite.std(ddof=1)) if self.n >= 2 else math.nan

    @property
    def sem(self) -> float:
        return self.std / math.sqrt(self.n) if self.n >= 2 else math.nan

    @property
    def min(self) -> float:
        return float(self.finite.min()) if self.n else math.nan

    @property
    def max(self) -> float:
        return float(self.finite.max()) if self.n else math.nan

    @property
    def ci(self) -> tuple[float, float]:
        return t_interval(self.finite, self.level) if self.n >= 2 else (math.nan, math.nan)

    def summary(self) -> str:
        lo, hi = self.ci
        extra = f"; diverged with seeds {self.diverged}" if self.diverged else ""
        return (f"{self.n} seeds: mean {self.mean:.4f}, std {self.std:.4f}, "
                f"range [{self.min:.4f}, {self.max:.4f}], {self.level:.0%} t interval "
                f"[{lo:.4f}, {hi:.4f}]{extra}")


def repeat_seeds(score: Callable, params: Mapping, seeds, *, level: float = 0.95,
                 desc: str | None = None) -> SeedSpread:
    """Train one configuration with every seed in ``seeds`` (survey §8.4: "different
    seeds") — ``score(params, seed)`` returns the validation loss — and summarise the
    spread as a :class:`SeedSpread` (mean, std with ddof = 1, sem, min, max, t interval).
    """
    if not callable(score):
        raise ValueError(f"score must be a function (params, seed) -> validation loss; "
                         f"got {score!r}")
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must be a non-empty list of integers in [0, 2**32 - 1]; "
                         "got []")
    seeds = tuple(check_int("seed", s, low=0, high=2**32 - 1) for s in seeds)
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct; got {list(seeds)}")
    level = check_range("level", level, 0.0, 1.0, low_closed=False, high_closed=False)
    params = dict(params)
    with _with_progress(list(seeds), desc) as bar:
        values = np.array([_score_value(score, params, s) for s in bar])
    return SeedSpread(params=params, seeds=seeds, values=values, level=level)


@dataclass(frozen=True)
class SeedDifference:
    """mean(b) − mean(a) with Welch's t interval; ``clear`` when it excludes 0."""

    difference: float
    ci: tuple
    p_value: float
    dof: float

    @property
    def clear(self) -> bool:
        return bool(self.ci[0] > 0 or self.ci[1] < 0)


def seed_difference(a: SeedSpread, b: SeedSpread, level: float = 0.95) -> SeedDifference:
    """Is configuration b's validation loss different from a's by more than the seed
    spread? Welch's t interval for the difference of means (unequal variances):

    .. math:: \\bar b - \\bar a \\pm t_{(1+\\text{level})/2,\\,\\nu}
              \\sqrt{s_a^2/n_a + s_b^2/n_b},\\qquad
              \\nu = \\frac{(s_a^2/n_a + s_b^2/n_b)^2}
                          {(s_a^2/n_a)^2/(n_a-1) + (s_b^2/n_b)^2/(n_b-1)}

    and the two-sided p-value — ``scipy.stats.ttest_ind(b, a, equal_var=False)``.
    """
    from scipy import stats

    level = check_range("level", level, 0.0, 1.0, low_closed=False, high_closed=False)
    for label, s in (("a", a), ("b", b)):
        if not isinstance(s, SeedSpread) or s.n < 2:
            raise ValueError(f"{label} must be a SeedSpread with at least 2 finite values; "
                             f"got {s!r}")
    va, vb = a.std ** 2 / a.n, b.std ** 2 / b.n
    se = math.sqrt(va + vb)
    diff = b.mean - a.mean
    if se == 0:
        return SeedDifference(diff, (diff, diff), 0.0 if diff else 1.0, math.inf)
    dof = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1))
    half = float(stats.t.ppf(0.5 + level / 2, dof)) * se
    p = float(2 * stats.t.sf(abs(diff) / se, dof))
    return SeedDifference(diff, (diff - half, diff + half), p, dof)


# --------------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class LossGrid:
    """Validation losses over learning rate × batch size (survey §8.4's contour plot).

    ``values[i, j]`` is the loss at ``learning_rates[i]`` and ``batch_sizes[j]``; NaN
    where the run diverged (listed by :attr:`diverged`, never a value).
    """

    learning_rates: np.ndarray
    batch_sizes: np.ndarray
    values: np.ndarray

    @property
    def diverged(self) -> list[tuple[float, int]]:
        """(learning rate, batch size) of every diverged run."""
        return [(float(self.learning_rates[i]), int(self.batch_sizes[j]))
                for i, j in zip(*np.nonzero(~np.isfinite(self.values)), strict=True)]

    def _cell(self, i, j) -> tuple[float, int, float]:
        return (float(self.learning_rates[i]), int(self.batch_sizes[j]),
                float(self.values[i, j]))

    def best(self) -> tuple[float, int, float]:
        """(learning rate, batch size, loss) of the lowest finite loss."""
        if not np.any(np.isfinite(self.values)):
            raise ValueError("every run in the grid diverged; there is no best point")
        i, j = np.unravel_index(np.nanargmin(self.values), self.values.shape)
        return self._cell(i, j)

    def robust_region(self, tolerance: float) -> np.ndarray:
        """Boolean mask of the cells whose loss is within ``tolerance`` (≥ 0, in loss
        units) of the best: L[i, j] ≤ min L + tolerance. Diverged cells are outside."""
        tolerance = check_range("tolerance", tolerance, 0.0)
        best = self.best()[2]
        with np.errstate(invalid="ignore"):
            return np.isfinite(self.values) & (self.values <= best + tolerance)

    def worst_neighbour(self) -> np.ndarray:
        """For each cell, the worst (largest) loss among itself and its up-to-4 grid
        neighbours (one grid step in learning rate or batch size); a diverged cell or
        neighbour counts as +inf."""
        v = np.where(np.isfinite(self.values), self.values, np.inf)
        worst = v.copy()
        worst[1:, :] = np.maximum(worst[1:, :], v[:-1, :])
        worst[:-1, :] = np.maximum(worst[:-1, :], v[1:, :])
        worst[:, 1:] = np.maximum(worst[:, 1:], v[:, :-1])
        worst[:, :-1] = np.maximum(worst[:, :-1], v[:, 1:])
        return worst

    def most_stable(self) -> tuple[float, int, float]:
        """(learning rate, batch size, worst-neighbour loss) of the cell whose worst
        neighbour is best — the survey's "prefer configurations where performance is
        stable over small changes", as a minimax choice."""
        w = self.worst_neighbour()
        if not np.any(np.isfinite(w)):
            raise ValueError("every cell has a diverged neighbour; no stable point")
        i, j = np.unravel_index(np.argmin(w), w.shape)
        return float(self.learning_rates[i]), int(self.batch_sizes[j]), float(w[i, j])

    def value(self, learning_rate, batch_size) -> float:
        i = int(np.argmin(np.abs(np.log(self.learning_rates) - math.log(learning_rate))))
        j = int(np.argmin(np.abs(self.batch_sizes - batch_size)))
        return float(self.values[i, j])


def grid_scores(score: Callable, learning_rates, batch_sizes, *,
                desc: str | None = None) -> LossGrid:
    """``score({"learning_rate": η, "batch_size": B})`` — the validation loss — for every
    pair, as a :class:`LossGrid` (survey §8.4's contour of validation loss over learning
    rate × batch size). Non-finite losses (diverged runs) are stored as NaN. Both lists
    must be strictly increasing and positive (they are drawn on log axes)."""
    if not callable(score):
        raise ValueError(f"score must be a function params -> validation loss; got {score!r}")
    lrs = np.asarray(learning_rates, dtype=float)
    bss = np.asarray(batch_sizes)
    for label, arr in (("learning_rates", lrs), ("batch_sizes", bss)):
        if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr.astype(float))) \
                or np.any(arr.astype(float) <= 0) or np.any(np.diff(arr.astype(float)) <= 0):
            raise ValueError(f"{label} must be a non-empty, strictly increasing list of "
                             f"positive numbers; got {list(arr)!r}")
    bss = np.array([check_int("batch_size", int(b) if float(b).is_integer() else b, low=1)
                    for b in bss.tolist()])
    jobs = [(i, j) for i in range(lrs.size) for j in range(bss.size)]
    values = np.full((lrs.size, bss.size), np.nan)
    with _with_progress(jobs, desc) as bar:
        for i, j in bar:
            values[i, j] = _score_value(score, {"learning_rate": float(lrs[i]),
                                                "batch_size": int(bss[j])})
    return LossGrid(learning_rates=lrs, batch_sizes=bss, values=values)


# --------------------------------------------------------------------------- sharpness


def _as_weights(weights) -> list[np.ndarray]:
    if isinstance(weights, np.ndarray):
        weights = [weights]
    try:
        ws = [np.asarray(w, dtype=np.float64) for w in weights]
    except (TypeError, ValueError):
        raise ValueError(f"weights must be an array or a list of arrays; got {weights!r}") \
            from None
    if not ws or not all(np.all(np.isfinite(w)) for w in ws):
        raise ValueError("weights must be a non-empty list of finite arrays")
    return ws


def random_directions(weights, radius: float, *, n: int = 20, seed: int = 0,
                      relative: bool = True, distribution: str = "sphere"):
    """``n`` random perturbations ε of ``weights`` (a list of arrays), of size ``radius``:

    * ``relative=False``: one isotropic ε over all d coordinates with ‖ε‖ = radius
      (``"sphere"``: ε = radius·g/‖g‖, g ~ N(0, I)) or E‖ε‖² = radius²
      (``"gaussian"``: ε ~ N(0, σ²I), σ = radius/√d);
    * ``relative=True``: *layer-normalised* — each weight tensor w_l gets its own ε_l
      with ‖ε_l‖ = radius·‖w_l‖ (sphere) or E‖ε_l‖² = radius²‖w_l‖² (gaussian, σ_l =
      radius·‖w_l‖/√d_l). This is Li et al. (2018)'s filter normalisation at the
      granularity of a tensor: the perturbation scales with the weights, so a network
      that only rescales its weights (ReLU layers) does not look flatter or sharper.
      A tensor of norm 0 (biases still at 0) is not perturbed.

    Yields lists of arrays shaped like ``weights``; the draws depend only on ``seed``
    and the shapes, so two networks of the same shape get the same directions.
    """
    ws = _as_weights(weights)
    radius = check_range("radius", radius, 0.0)
    n = check_int("n (directions)", n, low=1)
    seed = check_int("seed", seed, low=0, high=2**32 - 1)
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {list(DISTRIBUTIONS)}; "
                         f"got {distribution!r}")
    rng = np.random.default_rng(seed)
    d = sum(w.size for w in ws)
    for _ in range(n):
        g = [rng.standard_normal(w.shape) for w in ws]
        if relative:
            out = []
            for gl, wl in zip(g, ws, strict=True):
                target = radius * float(np.linalg.norm(wl))
                if distribution == "sphere":
                    norm = float(np.linalg.norm(gl))
                    out.append(gl * (target / norm) if norm > 0 else np.zeros_like(gl))
                else:
                    out.append(gl * (target / math.sqrt(gl.size)))
            yield out
        else:
            if distribution == "sphere":
                norm = math.sqrt(sum(float(np.sum(gl ** 2)) for gl in g))
                scale = radius / norm if norm > 0 else 0.0
            else:
                scale = radius / math.sqrt(d)
            yield [gl * scale for gl in g]


@dataclass(frozen=True)
class Sharpness:
    """Loss increases ΔL = L(w + ε) − L(w) over random perturbations of size ``radius``
    (see :func:`sharpness`). ``increases`` holds every one in draw order — with
    ``antithetic`` the pairs ΔL(ε₁), ΔL(−ε₁), ΔL(ε₂), … — so ``mean``, ``max`` and
    ``std`` are over all of them; ``sem`` is the standard error of the mean, computed from
    the n independent draws (the pair averages when antithetic)."""

    radius: float
    base_loss: float
    increases: np.ndarray
    relative: bool
    distribution: str
    seed: int
    antithetic: bool = False

    @property
    def n(self) -> int:
        """The number of independent draws (pairs when antithetic)."""
        return int(self.increases.size // (2 if self.antithetic else 1))

    @property
    def draws(self) -> np.ndarray:
        """One value per independent draw: the increases, or the pair averages."""
        if self.antithetic:
            return self.increases.reshape(-1, 2).mean(axis=1)
        return self.increases

    @property
    def mean(self) -> float:
        return float(np.mean(self.increases))

    @property
    def max(self) -> float:
        return float(np.max(self.increases))

    @property
    def std(self) -> float:
        return float(np.std(self.increases, ddof=1)) if self.increases.size > 1 else math.nan

    @property
    def sem(self) -> float:
        d = self.draws
        return float(np.std(d, ddof=1) / math.sqrt(d.size)) if d.size > 1 else math.nan


def sharpness(loss_fn: Callable, weights, radius: float, *, n: int = 20, seed: int = 0,
              relative: bool = True, distribution: str = "sphere",
              antithetic: bool = False) -> Sharpness:
    """How sharp is the minimum at ``weights``? (survey §8.4, "flat minima")

    .. math:: \\Delta L(\\varepsilon) = L(w + \\varepsilon) - L(w)

    for ``n`` random ε of size ``radius`` from :func:`random_directions` (layer-normalised
    when ``relative``); reports the mean, max and std of ΔL. A flat minimum has small
    increases. This follows Keskar et al. (2017, "On large-batch training for deep
    learning: generalization gap and sharp minima"), whose ε-sharpness is the *largest*
    increase in a box of relative size ε around w (found by optimisation) — the random
    directions' max is a lower bound of it and their mean a smoothed version — with the
    perturbation normalised per layer as in Li et al. (2018, "Visualizing the loss
    landscape of neural nets").

    For a quadratic L(w) = ½ wᵀHw, ΔL = wᵀHε + ½ εᵀHε and E[ΔL] = ½ E[εᵀHε], which is
    ½ r² tr(H)/d for an isotropic ε with E‖ε‖² = r² (:func:`expected_quadratic_increase`).

    With ``antithetic`` every ε is also tried as −ε: the pair average
    ½[ΔL(ε) + ΔL(−ε)] has no first-order term wᵀ∇L·ε, so the mean's noise comes from the
    curvature alone — useful at a point that is not exactly a minimum (a network after a
    few epochs), where the gradient term would otherwise dominate small radii.

    ``loss_fn(list of arrays) -> float``; ``weights`` an array or a list of arrays. A
    non-finite perturbed loss is kept as inf (an exploding network is maximally sharp).
    """
    if not callable(loss_fn):
        raise ValueError(f"loss_fn must be a function weights -> loss; got {loss_fn!r}")
    ws = _as_weights(weights)
    base = float(loss_fn(ws))
    if not math.isfinite(base):
        raise ValueError(f"the loss at weights must be finite; got {base}")
    if not isinstance(antithetic, (bool, np.bool_)):
        raise ValueError(f"antithetic must be True or False; got {antithetic!r}")
    signs = (1.0, -1.0) if antithetic else (1.0,)
    inc = []
    for eps in random_directions(ws, radius, n=n, seed=seed, relative=relative,
                                 distribution=distribution):
        for sgn in signs:
            v = float(loss_fn([w + sgn * e for w, e in zip(ws, eps, strict=True)]))
            inc.append(v - base if math.isfinite(v) else math.inf)
    return Sharpness(radius=float(radius), base_loss=base, increases=np.array(inc),
                     relative=bool(relative), distribution=distribution, seed=int(seed),
                     antithetic=bool(antithetic))


def sharpness_curve(loss_fn: Callable, weights, radii, **kwargs) -> list[Sharpness]:
    """:func:`sharpness` at every radius of ``radii`` (same seed: same raw directions,
    only scaled), for a loss-increase-vs-radius curve."""
    radii = list(radii)
    if not radii:
        raise ValueError("radii must be a non-empty list of radii ≥ 0; got []")
    return [sharpness(loss_fn, weights, r, **kwargs) for r in radii]


def expected_quadratic_increase(H, radius: float, *, weights_norms=None,
                                blocks=None) -> float:
    """The exact E[ΔL] for L(w) = ½ wᵀHw under :func:`random_directions`' perturbations.

    Isotropic (``blocks=None``): E[εεᵀ] = (r²/d)·I for both distributions, so

    .. math:: E[\\Delta L] = \\tfrac12 \\operatorname{tr}(H\\,E[\\varepsilon\\varepsilon^T])
              = \\tfrac12\\, r^2\\, \\operatorname{tr}(H)/d
              \\;(= \\tfrac12 \\sigma^2 \\operatorname{tr}(H),\\ \\sigma = r/\\sqrt d).

    Layer-normalised (``blocks`` = the sizes d_l of consecutive weight tensors and
    ``weights_norms`` their norms ‖w_l‖): E[ε_l ε_lᵀ] = (r²‖w_l‖²/d_l)·I, so
    E[ΔL] = ½ Σ_l r² ‖w_l‖² tr(H_ll)/d_l.
    """
    H = np.asarray(H, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square matrix; got shape {H.shape}")
    radius = check_range("radius", radius, 0.0)
    d = H.shape[0]
    if blocks is None:
        return 0.5 * radius ** 2 * float(np.trace(H)) / d
    blocks = [check_int("block size", b, low=1) for b in blocks]
    if sum(blocks) != d or weights_norms is None or len(weights_norms) != len(blocks):
        raise ValueError(f"blocks must sum to {d} and weights_norms give one norm per block; "
                         f"got blocks {blocks}, weights_norms {weights_norms}")
    total, start = 0.0, 0
    for b, wn in zip(blocks, weights_norms, strict=True):
        total += radius ** 2 * float(wn) ** 2 * float(np.trace(H[start:start + b,
                                                                  start:start + b])) / b
        start += b
    return 0.5 * total


def keras_loss_function(model, X, y, loss="binary_crossentropy"):
    """``(loss_fn, weights)`` for :func:`sharpness` on a Keras model: ``weights`` are the
    model's trainable variables as numpy arrays, and ``loss_fn(ws)`` puts ``ws`` into the
    model, returns mean ``loss``(y, model(X, training=False)) — dropout off, no
    regularisation penalty — and puts the original weights back."""
    import keras

    loss_obj = keras.losses.get(loss) if isinstance(loss, str) else loss
    if not callable(loss_obj):
        raise ValueError(f"loss must be a Keras loss name or a callable; got {loss!r}")
    variables = list(model.trainable_variables)
    if not variables:
        raise ValueError("model has no trainable weights (build it first)")
    original = [np.asarray(v.numpy()) for v in variables]
    X = np.asarray(X, dtype="float32")
    y_arr = np.asarray(y)

    def loss_fn(ws) -> float:
        try:
            for v, w in zip(variables, ws, strict=True):
                v.assign(np.asarray(w, dtype=v.dtype))
            pred = model(X, training=False)
            target = y_arr
            if target.ndim == 1 and len(pred.shape) == 2 and pred.shape[1] == 1:
                target = target[:, None]
            return float(np.mean(np.asarray(loss_obj(target.astype("float32"), pred))))
        finally:
            for v, w in zip(variables, original, strict=True):
                v.assign(w)

    return loss_fn, original


def keras_sharpness(model, X, y, radius: float, *, loss="binary_crossentropy", n: int = 20,
                    seed: int = 0, relative: bool = True, distribution: str = "sphere",
                    antithetic: bool = False) -> Sharpness:
    """:func:`sharpness` of a Keras model's ``loss`` on (X, y) (survey §8.4): the same
    perturbations, drawn on the model's trainable weights (:func:`keras_loss_function`);
    the model's weights are unchanged afterwards."""
    loss_fn, ws = keras_loss_function(model, X, y, loss)
    return sharpness(loss_fn, ws, radius, n=n, seed=seed, relative=relative,
                     distribution=distribution, antithetic=antithetic)


def keras_sharpness_curve(model, X, y, radii, *, loss="binary_crossentropy",
                          **kwargs) -> list[Sharpness]:
    """:func:`keras_sharpness` at every radius of ``radii``."""
    loss_fn, ws = keras_loss_function(model, X, y, loss)
    return sharpness_curve(loss_fn, ws, radii, **kwargs)


# --------------------------------------------------------------------------- label smoothing
