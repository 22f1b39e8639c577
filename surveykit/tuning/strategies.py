"""Grid, random and coarse-to-fine search (survey §6.2, §6.3, §6.5), as stateless strategies.

Each strategy answers ``ask(trials, n) -> list[Suggestion]`` from the search's history
alone (:mod:`surveykit.tuning.base`), so a :class:`~surveykit.tuning.study.Study` can run,
resume or parallelise it:

- :class:`GridSearch` — §6.2, "an exhaustive search over a predefined, discrete set of
  hyperparameter values": every combination of the dimensions' value lists, the Cartesian
  product ``V₁ × V₂ × … × V_d`` (§6.2's example: learning rate {0.001, 0.01, 0.1} × batch
  size {16, 32, 64} = 3 × 3 = 9 models). Grid point ``i`` is asked once; ``[]`` once all
  are out.
- :class:`RandomSearch` — §6.3, "samples hyperparameters randomly from specified
  distributions": trial ``k`` is ``space.sample(rng(k))``, each dimension uniform in its own
  scale, e.g. learning rate ~ log-uniform(1e-5, 1e-1): ``η = 1e-5 · (1e-1/1e-5)^u``,
  ``u ~ U(0, 1)``, and dropout ~ uniform(0.2, 0.5).
- :class:`CoarseToFine` — §6.5, "explore broadly with coarse granularity, then refine around
  promising regions": phase 1 is a grid or a random search of the whole space; each later
  phase searches the box ``[min uᵢ − m, max uᵢ + m]`` around the ``top`` best trials of the
  region so far (unit coordinates ``u`` of each dimension's own scale, margin ``m``), with
  :meth:`Space.narrow <surveykit.tuning.space.Space.narrow>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..validation import check_choice, check_int, check_range
from .base import Strategy, Suggestion, Trial, completed, running
from .space import Space

__all__ = ["GridSearch", "RandomSearch", "CoarseToFine", "active", "same_point"]


def active(trials: Sequence[Trial]) -> list[Trial]:
    """The trials that hold their place in a search: running, complete or failed
    (an ``abandoned`` trial's process died, so its point is asked again)."""
    return [t for t in trials if t.state != "abandoned"]


def _key(params: Mapping) -> tuple:
    """A hashable identity of a point (floats to 12 significant digits)."""
    out = []
    for name in sorted(params):
        v = params[name]
        if isinstance(v, (float, np.floating)):
            out.append((name, float(f"{float(v):.12g}")))
        elif isinstance(v, (bool, np.bool_)):
            out.append((name, ("bool", bool(v))))
        elif isinstance(v, (int, np.integer)):
            out.append((name, float(v)))
        else:
            out.append((name, repr(v)))
    return tuple(out)


def same_point(a: Mapping, b: Mapping) -> bool:
    """Whether two points are the same (floats compared to 12 significant digits)."""
    return _key(a) == _key(b)


def _grid_spec(space: Space, n, values) -> int | dict:
    if (n is None) == (values is None):
        raise ValueError("GridSearch: give either n (points per dimension) or values "
                         f"({{name: count or list of values}}); got n={n!r}, values={values!r}")
    if n is not None:
        return check_int("n (grid points per dimension)", n, 1)
    if not isinstance(values, Mapping):
        raise ValueError(f"values must be a dict {{name: count or list of values}}; "
                         f"got {values!r}")
    unknown = [k for k in values if k not in space.names]
    if unknown:
        raise ValueError(f"values names {unknown} are not dimensions of the space "
                         f"{space.names}")
    return dict(values)


class GridSearch(Strategy):
    """§6.2's grid search: every combination of the dimensions' values, each once.

    ``n`` points per dimension, evenly spaced in each dimension's own scale
    (:meth:`Space.grid`), or ``values``: per dimension a count or an explicit list
    (§6.2's example: ``values={"learning_rate": [0.001, 0.01, 0.1], "batch_size": [16,
    32, 64]}`` gives its 3 × 3 = 9 models). The points are the Cartesian product in the
    space's dimension order (the last dimension varies fastest, as
    :func:`itertools.product`); ``shuffle=True`` asks them in a random order fixed by
    ``seed`` (a grid stopped early then covers the space evenly). Trial ``k`` carries
    ``info = {"index": i}``, its position in :attr:`points`; an abandoned trial's point
    is asked again; ``ask`` returns ``[]`` once every point is out.
    """

    name = "grid"

    def __init__(self, space: Space, n: int | None = None, *, values: Mapping | None = None,
                 shuffle: bool = False, seed: int = 0):
        super().__init__(space, seed=seed)
        self._spec = _grid_spec(space, n, values)
        self.shuffle = bool(shuffle)
        points = space.grid(self._spec)
        if self.shuffle:
            order = np.random.default_rng([self.seed, 2**31 - 1]).permutation(len(points))
            points = [points[i] for i in order]
        self.points: list[dict] = points

    def __len__(self) -> int:
        return len(self.points)

    def ask(self, trials: Sequence[Trial], n: int = 1) -> list[Suggestion]:
        n = check_int("n", n, 1)
        taken = {t.info.get("index") for t in active(trials)}
        free = [i for i in range(len(self.points)) if i not in taken]
        return [Suggestion(dict(self.points[i]), info={"index": i}) for i in free[:n]]

    def describe(self) -> dict:
        spec = self._spec if isinstance(self._spec, int) else {
            k: (v if isinstance(v, int) else list(v)) for k, v in self._spec.items()}
        return {**super().describe(), "grid": spec, "points": len(self.points),
                "shuffle": self.shuffle}


class RandomSearch(Strategy):
    """§6.3's random search: trial ``k`` is ``space.sample(rng(k))``.

    Every dimension is drawn uniformly *in its own scale*: ``u ~ U(0, 1)`` mapped by
    :meth:`Dimension.from_unit` — for log-uniform(a, b), ``value = a·(b/a)^u``, so each
    decade gets the same share of the samples. The draw of trial ``k`` depends only on
    (seed, k): a resumed or parallel search proposes exactly what an uninterrupted one
    would. Never runs out (the study's ``n_trials`` ends it; §6.3's example: 30).
    """

    name = "random"

    def ask(self, trials: Sequence[Trial], n: int = 1) -> list[Suggestion]:
        n = check_int("n", n, 1)
        k = len(trials)
        return [Suggestion(self.space.sample(self.rng(k + i))) for i in range(n)]


def zoom_box(units, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """The unit box around points ``units`` (shape (k, d)) that the next phase searches.

    Per dimension: ``[min uᵢ − m, max uᵢ + m]``; where that leaves [0, 1] it is shifted
    back inside (keeping its width ``min(1, span + 2m)``), so a best point on the edge of
    the range still gets a region of the same size next to it.
    """
    u = np.atleast_2d(np.asarray(units, dtype=float))
    margin = check_range("margin", margin, 0.0, 0.5, low_closed=False)
    lo, hi = u.min(axis=0) - margin, u.max(axis=0) + margin
    width = np.minimum(hi - lo, 1.0)
    lo = np.clip(lo, 0.0, 1.0 - width)
    return lo, lo + width


class CoarseToFine(Strategy):
    """§6.5's coarse-to-fine search: a broad search, then phases zooming in on the best.

    Phase 0 searches the whole space; phase ``p + 1`` searches the region
    ``space_{p+1} = space_p.narrow(lo, hi)``, where ``[lo, hi]`` is :func:`zoom_box` of
    the ``top`` best complete trials lying in ``space_p`` (all earlier trials count, not
    only phase p's), in ``space_p``'s unit coordinates — each dimension in its own scale,
    so a learning rate zooms by decades. With ``top = 1`` and margin ``m`` each phase
    shrinks every range to a fraction ``2m`` of the previous one (in its scale).

    ``sampler="grid"``: each phase is ``space_p.grid(per_phase)`` (``per_phase`` points per
    dimension, the survey's "coarse {0.001, 0.01, 0.1}"), minus points already evaluated;
    ``sampler="random"``: ``per_phase`` points drawn uniformly in ``space_p``, trial ``k``
    with ``rng(k)``. ``per_phase`` may be a list, one entry per phase. Trials carry
    ``info = {"phase": p, "index": j}``; phase ``p + 1`` starts once phase ``p`` has no
    running trials (``ask`` returns ``[]`` meanwhile), and ``[]`` with nothing running
    after the last phase. If a phase has no complete trial, the next keeps its region.
    """

    name = "coarse-to-fine"

    def __init__(self, space: Space, phases: int = 3, per_phase: int | Sequence[int] = 9, *,
                 top: int = 3, margin: float = 0.15, sampler: str = "random", seed: int = 0):
        super().__init__(space, seed=seed)
        self.phases = check_int("phases", phases, 1)
        if isinstance(per_phase, (int, np.integer)) and not isinstance(per_phase, bool):
            sizes = [check_int("per_phase", per_phase, 1)] * self.phases
        else:
            sizes = list(per_phase) if isinstance(per_phase, Sequence) else [per_phase]
            if len(sizes) != self.phases:
                raise ValueError(f"per_phase must be one count or a list of {self.phases} "
                                 f"(one per phase); got {per_phase!r}")
            sizes = [check_int(f"per_phase[{i}]", s, 1) for i, s in enumerate(sizes)]
        self.per_phase = sizes
        self.top = check_int("top", top, 1)
        self.margin = check_range("margin", margin, 0.0, 0.5, low_closed=False)
        self.sampler = check_choice("sampler", sampler, ("grid", "random"))

    # ------------------------------------------------------------------ regions
    def _next_region(self, region: Space, trials: Sequence[Trial]) -> Space:
        inside = [t for t in completed(trials) if all(
            d.contains(t.params[d.name]) for d in region)]
        if not inside:
            return region
        best = sorted(inside, key=lambda t: (t.value, t.number))[:self.top]
        lo, hi = zoom_box([region.to_unit(t.params) for t in best], self.margin)
        return region.narrow(lo, hi)

    def regions(self, trials: Sequence[Trial]) -> list[Space]:
        """The region of every phase reached so far (phase 0: the whole space); phase
        ``p + 1``'s region is known once phase ``p`` has finished."""
        trials = active(trials)
        out = [self.space]
        for p in range(self.phases - 1):
            mine = [t for t in trials if t.info.get("phase") == p]
            if len(mine) < self._size(p, out[-1], trials) or running(mine):
                break
            so_far = [t for t in trials if t.info.get("phase", -1) <= p]
            out.append(self._next_region(out[-1], so_far))
        return out

    def _grid(self, region: Space, trials: Sequence[Trial], phase: int) -> list[dict]:
        earlier = [t.params for t in trials if t.info.get("phase", -1) < phase]
        keys = {_key(p) for p in earlier}
        points, seen = [], set()
        for p in region.grid(self.per_phase[phase]):
            k = _key(p)
            if k not in keys and k not in seen:
                points.append(p)
                seen.add(k)
        return points

    def _size(self, phase: int, region: Space, trials: Sequence[Trial]) -> int:
        if self.sampler == "random":
            return self.per_phase[phase]
        return len(self._grid(region, trials, phase))

    def phase_of(self, trials: Sequence[Trial]) -> int:
        """The phase the next trial belongs to (``phases`` when the search is over)."""
        regions = self.regions(trials)
        p = len(regions) - 1
        mine = [t for t in active(trials) if t.info.get("phase") == p]
        if p == self.phases - 1 and len(mine) >= self._size(p, regions[-1], active(trials)) \
                and not running(mine):
            return self.phases
        return p

    def ask(self, trials: Sequence[Trial], n: int = 1) -> list[Suggestion]:
        n = check_int("n", n, 1)
        live = active(trials)
        regions = self.regions(trials)
        p = len(regions) - 1
        region = regions[-1]
        mine = [t for t in live if t.info.get("phase") == p]
        taken = {t.info.get("index") for t in mine}
        size = self._size(p, region, live)
        free = [j for j in range(size) if j not in taken]
        out = []
        if self.sampler == "grid":
            points = self._grid(region, live, p)
            for j in free[:n]:
                out.append(Suggestion(points[j], info={"phase": p, "index": j}))
        else:
            for i, j in enumerate(free[:n]):
                params = region.sample(self.rng(len(trials) + i))
                out.append(Suggestion(params, info={"phase": p, "index": j}))
        return out

    def describe(self) -> dict:
        return {**super().describe(), "phases": self.phases, "per_phase": self.per_phase,
                "top": self.top, "margin": self.margin, "sampler": self.sampler}
