"""Search spaces: the dimensions a tuning strategy explores (survey §6, §7.4, §8.1).

Every dimension maps its values to and from the unit interval [0, 1] *in its own
scale*, so strategies work on a unit cube and never need to know about scales:

- :class:`Uniform` — linear scale, ``value = low + u·(high − low)`` (dropout, momentum);
- :class:`LogUniform` — log scale, ``value = low·(high/low)**u``; §7.4: "use log-uniform
  sampling for learning rate and weight decay", where η = 0.001 and 0.01 are as far
  apart as 0.01 and 0.1;
- :class:`Integer` — integers, on a linear or a log scale (units, batch size, epochs);
- :class:`Categorical` — an unordered set of choices (activation, optimizer).

Sampling ``u ~ U(0, 1)`` and mapping it is exactly uniform sampling in the
dimension's scale. ``grid(n)`` puts ``n`` points evenly in that scale (§6.2), and
``narrow(lo, hi)`` returns the same kind of dimension restricted to a unit
sub-interval (coarse-to-fine search, §6.5). Bad ranges are ValueErrors naming the
hyperparameter, the value and what is allowed.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from itertools import product

import numpy as np

from ..validation import check_int, check_range

__all__ = ["Dimension", "Uniform", "LogUniform", "Integer", "Categorical", "Space",
           "dimension_from_dict"]


def _check_name(name) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"a dimension's name must be a Python identifier; got {name!r}")
    return name


def _check_unit(u) -> float:
    return check_range("u (a point of the unit interval)", u, 0.0, 1.0)


def _check_bounds(name: str, low, high, *, positive: bool = False) -> tuple[float, float]:
    lo_limit = 0.0 if positive else -math.inf
    low = check_range(f"{name}: low", low, lo_limit, math.inf, low_closed=not positive)
    high = check_range(f"{name}: high", high, lo_limit, math.inf, low_closed=not positive)
    if not high > low:
        raise ValueError(f"{name}: high must be > low; got low={low!r}, high={high!r}")
    return low, high


class Dimension(ABC):
    """One hyperparameter's range, with a map to and from the unit interval."""

    name: str
    scale: str  # "linear", "log" or "categorical"

    @abstractmethod
    def to_unit(self, value) -> float:
        """Where ``value`` lies in [0, 1] (in this dimension's own scale)."""

    @abstractmethod
    def from_unit(self, u: float):
        """The value at unit coordinate ``u`` ∈ [0, 1]."""

    @abstractmethod
    def contains(self, value) -> bool:
        """Whether ``value`` is a valid value of this dimension."""

    @abstractmethod
    def grid(self, n: int) -> list:
        """``n`` values evenly spaced in this dimension's scale (endpoints included)."""

    @abstractmethod
    def narrow(self, lo: float, hi: float) -> Dimension:
        """The same kind of dimension over the unit sub-interval [lo, hi]."""

    @abstractmethod
    def to_dict(self) -> dict:
        """A JSON-able description; :func:`dimension_from_dict` inverts it."""

    def sample(self, rng: np.random.Generator):
        """One value drawn uniformly in this dimension's scale."""
        return self.from_unit(float(rng.uniform()))

    def check(self, value):
        """Return ``value`` if valid, else a ValueError naming the dimension and its range."""
        if not self.contains(value):
            raise ValueError(f"{self.name} must be in {self.describe()}; got {value!r}")
        return value

    def describe(self) -> str:
        return repr(self)

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self.to_dict()))


def _check_sub(lo, hi) -> tuple[float, float]:
    lo, hi = _check_unit(lo), _check_unit(hi)
    if not hi > lo:
        raise ValueError(f"narrow: hi must be > lo; got lo={lo!r}, hi={hi!r}")
    return lo, hi


class _Real(Dimension):
    """What the real-valued dimensions share: a closed interval [low, high], evenly
    spaced grids (in the dimension's scale, through ``from_unit``) and narrowing."""

    low: float
    high: float
    _type: str

    def contains(self, value) -> bool:
        try:
            v = float(value)
        except (TypeError, ValueError):
            return False
        return not isinstance(value, bool) and self.low <= v <= self.high

    def grid(self, n: int) -> list[float]:
        n = check_int("n (grid points)", n, 1)
        return [self.from_unit(u) for u in (np.linspace(0, 1, n) if n > 1 else [0.5])]

    def narrow(self, lo: float, hi: float) -> _Real:
        lo, hi = _check_sub(lo, hi)
        return type(self)(self.name, self.from_unit(lo), self.from_unit(hi))

    def to_dict(self) -> dict:
        return {"type": self._type, "name": self.name, "low": self.low, "high": self.high}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.low:g}, {self.high:g})"


class Uniform(_Real):
    """A real hyperparameter on a linear scale: ``value = low + u·(high − low)``."""

    scale = "linear"
    _type = "uniform"

    def __init__(self, name: str, low: float, high: float):
        self.name = _check_name(name)
        self.low, self.high = _check_bounds(name, low, high)

    def to_unit(self, value) -> float:
        value = float(self.check(value))
        return (value - self.low) / (self.high - self.low)

    def from_unit(self, u: float) -> float:
        u = _check_unit(u)
        return float(min(max(self.low + u * (self.high - self.low), self.low), self.high))

    def describe(self) -> str:
        return f"[{self.low:g}, {self.high:g}]"



class LogUniform(_Real):
    """A positive real hyperparameter on a log scale: ``value = low·(high/low)**u``.

    Each decade gets the same share of samples (§7.4): in log-uniform(1e-5, 1e-1)
    a quarter of the samples fall in [1e-3, 1e-2], against 0.9 % on a linear scale.
    """

    scale = "log"
    _type = "loguniform"

    def __init__(self, name: str, low: float, high: float):
        self.name = _check_name(name)
        self.low, self.high = _check_bounds(name, low, high, positive=True)
        self._log_low, self._log_high = math.log(self.low), math.log(self.high)

    def to_unit(self, value) -> float:
        value = float(self.check(value))
        return (math.log(value) - self._log_low) / (self._log_high - self._log_low)

    def from_unit(self, u: float) -> float:
        u = _check_unit(u)
        if u == 0.0:  # the bounds exactly, not exp(log(bound)) one ulp away
            return self.low
        if u == 1.0:
            return self.high
        return float(min(max(self.low * (self.high / self.low) ** u, self.low), self.high))

    def describe(self) -> str:
        return f"[{self.low:g}, {self.high:g}] (log scale)"



class Integer(Dimension):
    """An integer hyperparameter in [low, high], on a linear or (``log=True``) log scale.

    The unit interval is cut into one bin per integer (equal bins on the linear scale,
    bins of equal log-width on [low − ½, high + ½] on the log scale), so sampling gives
    every integer the probability of its bin and ``to_unit`` returns the bin's centre.
    """

    def __init__(self, name: str, low: int, high: int, *, log: bool = False):
        self.name = _check_name(name)
        low = check_int(f"{name}: low", low, 1 if log else None)
        high = check_int(f"{name}: high", high)
        if not high > low:
            raise ValueError(f"{name}: high must be > low; got low={low!r}, high={high!r}")
        self.low, self.high, self.log = low, high, bool(log)
        self.scale = "log" if log else "linear"
        a, b = low - 0.5, high + 0.5
        self._a, self._b = (math.log(a), math.log(b)) if log else (a, b)

    def _edge(self, u: float) -> float:
        x = self._a + u * (self._b - self._a)
        return math.exp(x) if self.log else x

    def _coord(self, x: float) -> float:
        x = math.log(x) if self.log else x
        return (x - self._a) / (self._b - self._a)

    def to_unit(self, value) -> float:
        v = int(self.check(value))
        return 0.5 * (self._coord(v - 0.5) + self._coord(v + 0.5))

    def from_unit(self, u: float) -> int:
        u = _check_unit(u)
        return int(min(max(round(self._edge(u)), self.low), self.high))

    def contains(self, value) -> bool:
        if isinstance(value, bool):
            return False
        if isinstance(value, (int, np.integer)):
            return self.low <= int(value) <= self.high
        return isinstance(value, (float, np.floating)) and float(value).is_integer() \
            and self.low <= value <= self.high

    def grid(self, n: int) -> list[int]:
        n = check_int("n (grid points)", n, 1)
        if n == 1:
            return [self.from_unit(0.5)]
        if self.log:
            pts = np.exp(np.linspace(math.log(self.low), math.log(self.high), n))
        else:
            pts = np.linspace(self.low, self.high, n)
        return sorted({int(round(p)) for p in pts})

    def narrow(self, lo: float, hi: float) -> Integer:
        lo, hi = _check_sub(lo, hi)
        a, b = self.from_unit(lo), self.from_unit(hi)
        if b <= a:  # keep at least two integers so the dimension stays a range
            b = min(a + 1, self.high)
            a = b - 1
        return Integer(self.name, a, b, log=self.log)

    def to_dict(self) -> dict:
        return {"type": "integer", "name": self.name, "low": self.low, "high": self.high,
                "log": self.log}

    def describe(self) -> str:
        return f"integers [{self.low}, {self.high}]" + (" (log scale)" if self.log else "")

    def __repr__(self) -> str:
        return f"Integer({self.name!r}, {self.low}, {self.high}, log={self.log})"


class Categorical(Dimension):
    """An unordered choice; the unit interval is cut into one equal bin per choice."""

    scale = "categorical"

    def __init__(self, name: str, choices: Iterable):
        self.name = _check_name(name)
        choices = tuple(choices)
        if len(choices) == 0:
            raise ValueError(f"{name}: choices must not be empty; got {list(choices)!r}")
        if len(set(map(repr, choices))) != len(choices):
            raise ValueError(f"{name}: choices must be distinct; got {list(choices)!r}")
        for c in choices:
            if not isinstance(c, (str, int, float, bool)) and c is not None:
                raise ValueError(f"{name}: each choice must be a str, number, bool or None "
                                 f"(so it can be stored); got {c!r}")
        self.choices = choices

    def index(self, value) -> int:
        for i, c in enumerate(self.choices):
            if type(c) is type(value) and c == value:
                return i
        for i, c in enumerate(self.choices):  # 1 == 1.0, numpy scalars
            if not isinstance(c, (str, bool)) and not isinstance(value, (str, bool)) \
                    and c == value:
                return i
        raise ValueError(f"{self.name} must be one of {list(self.choices)}; got {value!r}")

    def to_unit(self, value) -> float:
        return (self.index(value) + 0.5) / len(self.choices)

    def from_unit(self, u: float):
        u = _check_unit(u)
        return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]

    def contains(self, value) -> bool:
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def grid(self, n: int | None = None) -> list:
        """Every choice (a categorical grid is always complete; ``n`` is ignored)."""
        return list(self.choices)

    def narrow(self, lo: float, hi: float) -> Categorical:
        """The choices whose bin centre lies in [lo, hi] (at least the nearest one)."""
        lo, hi = _check_sub(lo, hi)
        k = len(self.choices)
        kept = [c for i, c in enumerate(self.choices) if lo <= (i + 0.5) / k <= hi]
        if not kept:
            kept = [self.from_unit(0.5 * (lo + hi))]
        return Categorical(self.name, kept)

    def to_dict(self) -> dict:
        return {"type": "categorical", "name": self.name, "choices": list(self.choices)}

    def describe(self) -> str:
        return str(list(self.choices))

    def __repr__(self) -> str:
        return f"Categorical({self.name!r}, {list(self.choices)!r})"


_TYPES = {"uniform": Uniform, "loguniform": LogUniform, "integer": Integer,
          "categorical": Categorical}


def dimension_from_dict(d: Mapping) -> Dimension:
    """Rebuild a dimension from :meth:`Dimension.to_dict`."""
    kind = d.get("type")
    if kind not in _TYPES:
        raise ValueError(f"dimension type must be one of {list(_TYPES)}; got {kind!r}")
    if kind == "categorical":
        return Categorical(d["name"], d["choices"])
    if kind == "integer":
        return Integer(d["name"], d["low"], d["high"], log=d.get("log", False))
    return _TYPES[kind](d["name"], d["low"], d["high"])


class Space:
    """An ordered set of dimensions; points are ``dict``s ``{name: value}``.

    ``to_unit``/``from_unit`` map a point to and from the unit cube [0, 1]^d, one
    coordinate per dimension in order — the normalised inputs §7.4 asks for when using
    Bayesian optimization.
    """

    def __init__(self, dimensions: Sequence[Dimension]):
        dims = list(dimensions)
        if not dims:
            raise ValueError("a search space needs at least one dimension; got none")
        for d in dims:
            if not isinstance(d, Dimension):
                raise ValueError(f"every dimension must be a Dimension (Uniform, LogUniform, "
                                 f"Integer, Categorical); got {d!r}")
        names = [d.name for d in dims]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"dimension names must be unique; {dup} appear more than once")
        self.dimensions = dims

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    def __len__(self) -> int:
        return len(self.dimensions)

    def __iter__(self):
        return iter(self.dimensions)

    def __getitem__(self, name: str) -> Dimension:
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(name)

    def __eq__(self, other) -> bool:
        return isinstance(other, Space) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return "Space([" + ", ".join(map(repr, self.dimensions)) + "])"

    def check(self, params: Mapping) -> dict:
        """Return ``params`` as a dict if it has exactly this space's names, each valid."""
        if not isinstance(params, Mapping):
            raise ValueError(f"a point must be a dict {{name: value}}; got {params!r}")
        missing = [n for n in self.names if n not in params]
        extra = [n for n in params if n not in self.names]
        if missing or extra:
            raise ValueError(f"a point must give exactly {self.names}; "
                             f"missing {missing}, unexpected {extra}")
        return {d.name: d.check(params[d.name]) for d in self.dimensions}

    def to_unit(self, params: Mapping) -> np.ndarray:
        params = self.check(params)
        return np.array([d.to_unit(params[d.name]) for d in self.dimensions])

    def from_unit(self, u) -> dict:
        u = np.asarray(u, dtype=float)
        if u.shape != (len(self),):
            raise ValueError(f"a unit point for this space must have shape ({len(self)},); "
                             f"got {u.shape}")
        return {d.name: d.from_unit(float(np.clip(x, 0.0, 1.0)))
                for d, x in zip(self.dimensions, u, strict=True)}

    def sample(self, rng: np.random.Generator) -> dict:
        """One point drawn uniformly in every dimension's own scale."""
        return self.from_unit(rng.uniform(size=len(self)))

    def grid(self, n: int | Mapping[str, int | Sequence]) -> list[dict]:
        """Every combination (§6.2). ``n`` points per dimension, or per-name counts or
        explicit value lists; categorical dimensions always give all their choices."""
        values = []
        for d in self.dimensions:
            spec = n.get(d.name, None) if isinstance(n, Mapping) else n
            if spec is None:
                raise ValueError(f"grid: give a number of points or values for {d.name!r}")
            if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
                values.append(d.grid(int(spec)))
            else:
                try:
                    vals = list(spec)
                except TypeError:
                    raise ValueError(f"grid: give {d.name!r} a number of points (an integer) "
                                     f"or a list of values; got {spec!r}") from None
                if not vals:
                    raise ValueError(f"grid: values for {d.name!r} must not be empty")
                values.append([d.check(v) for v in vals])
        return [dict(zip(self.names, combo, strict=True)) for combo in product(*values)]

    def narrow(self, lows, highs) -> Space:
        """The space restricted to the unit box [lows, highs] (each in its own scale)."""
        lows, highs = np.asarray(lows, float), np.asarray(highs, float)
        if lows.shape != (len(self),) or highs.shape != (len(self),):
            raise ValueError(f"narrow: lows and highs need shape ({len(self)},)")
        return Space([d.narrow(lo, hi) for d, lo, hi
                      in zip(self.dimensions, lows, highs, strict=True)])

    def to_dict(self) -> list[dict]:
        return [d.to_dict() for d in self.dimensions]

    @classmethod
    def from_dict(cls, items: Sequence[Mapping]) -> Space:
        return cls([dimension_from_dict(d) for d in items])
