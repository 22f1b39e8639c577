"""Search spaces (survey §6, §7.4): each dimension's own scale, round trips, grids, narrowing,
sampling distributions checked against scipy, and every ValueError."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from surveykit.tuning.space import (
    Categorical,
    Integer,
    LogUniform,
    Space,
    Uniform,
    dimension_from_dict,
)

units = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def uniform_dims(draw):
    low = draw(st.floats(-1e6, 1e6, allow_nan=False))
    width = draw(st.floats(1e-3, 1e6, allow_nan=False)) * max(1.0, abs(low))
    return Uniform("x", low, low + width)


@st.composite
def log_dims(draw):
    e_low = draw(st.floats(-12, 6, allow_nan=False))
    decades = draw(st.floats(0.01, 10, allow_nan=False))
    return LogUniform("x", 10.0**e_low, 10.0 ** (e_low + decades))


@st.composite
def integer_dims(draw):
    log = draw(st.booleans())
    low = draw(st.integers(1 if log else -1000, 1000))
    high = low + draw(st.integers(1, 2000))
    return Integer("k", low, high, log=log)


@st.composite
def sub_intervals(draw):
    a = draw(units)
    b = draw(units)
    lo, hi = min(a, b), max(a, b)
    if hi - lo < 1e-3:
        lo, hi = max(0.0, lo - 1e-3), min(1.0, hi + 1e-3)
    return lo, hi


# ------------------------------------------------------------------ round trips
@given(uniform_dims(), units)
def test_uniform_round_trips_in_its_linear_scale(d, u):
    v = d.from_unit(u)
    assert d.low <= v <= d.high
    assert math.isclose(v, d.low + u * (d.high - d.low), rel_tol=1e-12, abs_tol=1e-9)
    assert math.isclose(d.to_unit(v), u, abs_tol=1e-9)


@given(log_dims(), units)
def test_log_uniform_round_trips_in_its_log_scale(d, u):
    v = d.from_unit(u)
    assert d.low <= v <= d.high
    assert math.isclose(v, d.low * (d.high / d.low) ** u, rel_tol=1e-9)
    assert math.isclose(d.to_unit(v), u, abs_tol=1e-9)
    # equal steps in u are equal *ratios* of the value
    if u <= 0.5:
        r1 = d.from_unit(u + 0.25) / v
        r2 = d.from_unit(u + 0.5) / d.from_unit(u + 0.25)
        assert math.isclose(r1, r2, rel_tol=1e-9)


@given(integer_dims(), st.data())
def test_integer_round_trips_every_value(d, data):
    v = data.draw(st.integers(d.low, d.high))
    u = d.to_unit(v)
    assert 0.0 <= u <= 1.0
    assert d.from_unit(u) == v


@given(st.lists(st.text("abcdef", min_size=1, max_size=3), min_size=1, max_size=8,
                unique=True), st.data())
def test_categorical_round_trips_every_choice(choices, data):
    d = Categorical("c", choices)
    c = data.draw(st.sampled_from(choices))
    assert d.from_unit(d.to_unit(c)) == c
    assert d.from_unit(0.0) == choices[0] and d.from_unit(1.0) == choices[-1]


@given(st.lists(units, min_size=3, max_size=3))
def test_space_round_trips_through_the_unit_cube(u):
    space = Space([LogUniform("learning_rate", 1e-5, 1e-1), Uniform("dropout", 0.2, 0.5),
                   Integer("units", 4, 64, log=True)])
    p = space.from_unit(u)
    np.testing.assert_allclose(space.from_unit(space.to_unit(p))["learning_rate"],
                               p["learning_rate"], rtol=1e-12)
    back = space.from_unit(space.to_unit(p))
    # integers come back exactly; reals to rounding (from_unit computes low·(high/low)**u so
    # that grid points are exact decades, and to_unit takes logs: a few ulps apart)
    assert back["units"] == p["units"]
    np.testing.assert_allclose(back["dropout"], p["dropout"], rtol=1e-12)
    np.testing.assert_allclose(space.to_unit(p)[:2], u[:2], atol=1e-9)


# ------------------------------------------------------------------ narrowing
@given(uniform_dims(), sub_intervals(), units)
def test_uniform_narrow_is_the_sub_interval_in_the_same_scale(d, box, v):
    lo, hi = box
    n = d.narrow(lo, hi)
    assert isinstance(n, Uniform) and d.low <= n.low < n.high <= d.high
    assert math.isclose(n.from_unit(v), d.from_unit(lo + v * (hi - lo)), rel_tol=1e-9,
                        abs_tol=1e-6 * (d.high - d.low))


@given(log_dims(), sub_intervals(), units)
def test_log_uniform_narrow_is_the_sub_interval_in_log_scale(d, box, v):
    lo, hi = box
    n = d.narrow(lo, hi)
    assert isinstance(n, LogUniform) and d.low <= n.low < n.high <= d.high
    assert math.isclose(n.from_unit(v), d.from_unit(lo + v * (hi - lo)), rel_tol=1e-9)


@given(integer_dims(), sub_intervals())
def test_integer_narrow_stays_inside_and_keeps_two_values(d, box):
    n = d.narrow(*box)
    assert d.low <= n.low < n.high <= d.high and n.log == d.log
    a, b = d.from_unit(box[0]), d.from_unit(box[1])
    if b > a:  # the integers of the sub-interval
        assert (n.low, n.high) == (a, b)
    else:  # one integer only: widened to two neighbours
        assert n.high - n.low == 1 and n.low <= a <= n.high


@given(st.integers(1, 7), sub_intervals())
def test_categorical_narrow_keeps_a_non_empty_subset(k, box):
    d = Categorical("c", [f"v{i}" for i in range(k)])
    n = d.narrow(*box)
    assert 1 <= len(n.choices) <= k and set(n.choices) <= set(d.choices)
    lo, hi = box
    inside = [c for i, c in enumerate(d.choices) if lo <= (i + 0.5) / k <= hi]
    assert list(n.choices) == (inside or [d.from_unit(0.5 * (lo + hi))])


def test_narrow_of_the_whole_interval_is_the_same_dimension():
    for d in [Uniform("x", -1, 3), Integer("k", 2, 9), Integer("k", 1, 100, log=True),
              Categorical("c", ["a", "b"])]:
        assert d.narrow(0.0, 1.0) == d
    # LogUniform.from_unit goes through exp(log(low)), which can be 1 ulp off the bound
    d = LogUniform("x", 1e-4, 1)
    n = d.narrow(0.0, 1.0)
    assert math.isclose(n.low, d.low, rel_tol=1e-15) and math.isclose(n.high, d.high,
                                                                      rel_tol=1e-15)


def test_space_narrow_applies_each_dimension_in_its_scale():
    space = Space([LogUniform("lr", 1e-5, 1e-1), Uniform("dropout", 0.2, 0.5)])
    n = space.narrow([0.5, 0.0], [0.75, 1.0 / 3])
    assert n["lr"].low == pytest.approx(1e-3) and n["lr"].high == pytest.approx(1e-2)
    assert n["dropout"].low == pytest.approx(0.2) and n["dropout"].high == pytest.approx(0.3)


# ------------------------------------------------------------------ grids
def test_grids_are_evenly_spaced_in_each_scale():
    np.testing.assert_allclose(Uniform("x", 0.2, 0.5).grid(4), np.linspace(0.2, 0.5, 4))
    np.testing.assert_allclose(LogUniform("x", 1e-3, 1e-1).grid(3), [1e-3, 1e-2, 1e-1],
                               rtol=1e-12)
    np.testing.assert_allclose(LogUniform("x", 1e-5, 1e-1).grid(5), np.geomspace(1e-5, 1e-1, 5),
                               rtol=1e-12)
    assert Integer("b", 16, 64, log=True).grid(3) == [16, 32, 64]
    assert Integer("k", 1, 9).grid(5) == [1, 3, 5, 7, 9]
    assert Integer("k", 1, 3).grid(10) == [1, 2, 3]  # no duplicates
    assert Categorical("c", ["a", "b", "c"]).grid(2) == ["a", "b", "c"]
    assert Uniform("x", 0, 1).grid(1) == [0.5]
    assert LogUniform("x", 1e-4, 1).grid(1) == [pytest.approx(1e-2)]


def test_space_grid_is_the_cartesian_product():
    space = Space([LogUniform("learning_rate", 1e-3, 1e-1), Integer("batch_size", 16, 64, log=True),
                   Categorical("act", ["relu", "tanh"])])
    points = space.grid(3)
    assert len(points) == 3 * 3 * 2
    assert len({tuple(sorted((k, repr(v)) for k, v in p.items())) for p in points}) == 18
    values = space.grid({"learning_rate": [0.001, 0.01, 0.1], "batch_size": [16, 32, 64],
                         "act": 1})
    assert len(values) == 18 and values[0] == {"learning_rate": 0.001, "batch_size": 16,
                                               "act": "relu"}


# ------------------------------------------------------------------ sampling
def test_sampling_is_uniform_in_each_scale_ks_test():
    rng = np.random.default_rng(0)
    lr, dropout = LogUniform("lr", 1e-5, 1e-1), Uniform("dropout", 0.2, 0.5)
    x = np.array([lr.sample(rng) for _ in range(3000)])
    y = np.array([dropout.sample(rng) for _ in range(3000)])
    assert stats.kstest(x, stats.loguniform(1e-5, 1e-1).cdf).pvalue > 0.01
    assert stats.kstest(y, stats.uniform(0.2, 0.3).cdf).pvalue > 0.01
    # and *not* uniform on a linear scale, nor log-uniform for the linear dimension
    assert stats.kstest(x, stats.uniform(1e-5, 1e-1 - 1e-5).cdf).pvalue < 1e-6
    assert stats.kstest(y, stats.loguniform(0.2, 0.5).cdf).pvalue < 0.01


def test_integer_sampling_gives_each_value_its_bin():
    d = Integer("units", 4, 64, log=True)
    rng = np.random.default_rng(1)
    draws = np.array([d.sample(rng) for _ in range(20000)])
    values = np.arange(4, 65)
    p = (np.log(values + 0.5) - np.log(values - 0.5)) / (np.log(64.5) - np.log(3.5))
    counts = np.array([(draws == v).sum() for v in values])
    assert counts.sum() == draws.size
    assert stats.chisquare(counts, p * draws.size).pvalue > 0.01
    lin = Integer("k", 1, 4)
    counts = np.bincount([lin.sample(rng) for _ in range(8000)], minlength=5)[1:]
    assert stats.chisquare(counts).pvalue > 0.01


# ------------------------------------------------------------------ serialisation
def test_to_dict_round_trips_and_equality():
    dims = [Uniform("a", -1, 1), LogUniform("b", 1e-5, 1e-1), Integer("c", 1, 9),
            Integer("d", 2, 64, log=True), Categorical("e", ["x", 1, 2.5, True, None])]
    for d in dims:
        assert dimension_from_dict(d.to_dict()) == d
        assert hash(dimension_from_dict(d.to_dict())) == hash(d)
    space = Space(dims)
    assert Space.from_dict(space.to_dict()) == space
    assert Uniform("a", -1, 1) != LogUniform("a", 0.1, 1)
    assert Integer("c", 1, 9) != Integer("c", 1, 9, log=True)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("make,match", [
    (lambda: Uniform("lr", 1.0, 1.0), r"lr: high must be > low; got low=1.0, high=1.0"),
    (lambda: Uniform("lr", 0.0, float("nan")), r"lr: high must be in"),
    (lambda: LogUniform("lr", 0.0, 1.0), r"lr: low must be in \(0, inf\); got 0.0"),
    (lambda: LogUniform("lr", -1e-3, 1.0), r"lr: low must be in \(0, inf\)"),
    (lambda: LogUniform("lr", 1e-1, 1e-5), r"lr: high must be > low"),
    (lambda: Integer("units", 0, 8, log=True), r"units: low must be an integer in \[1, inf\)"),
    (lambda: Integer("units", 1.5, 8), r"units: low must be an integer"),
    (lambda: Integer("units", 8, 8), r"units: high must be > low"),
    (lambda: Categorical("act", []), r"act: choices must not be empty"),
    (lambda: Categorical("act", ["relu", "relu"]), r"act: choices must be distinct"),
    (lambda: Categorical("act", [object()]), r"act: each choice must be a str, number"),
    (lambda: Uniform("learning rate", 0, 1), r"must be a Python identifier"),
    (lambda: Space([]), r"at least one dimension"),
    (lambda: Space([Uniform("a", 0, 1), Uniform("a", 1, 2)]), r"\['a'\] appear more than once"),
    (lambda: Space([("a", 0, 1)]), r"every dimension must be a Dimension"),
])
def test_bad_dimensions_are_value_errors_naming_them(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_values_and_units_are_value_errors():
    lr = LogUniform("learning_rate", 1e-5, 1e-1)
    with pytest.raises(ValueError, match=r"learning_rate must be in \[1e-05, 0.1\] \(log scale\); "
                                         r"got 0.5"):
        lr.to_unit(0.5)
    with pytest.raises(ValueError, match=r"u \(a point of the unit interval\) must be in \[0, 1\]"):
        lr.from_unit(1.5)
    with pytest.raises(ValueError, match=r"units must be in integers \[4, 64\]; got 4.5"):
        Integer("units", 4, 64).to_unit(4.5)
    with pytest.raises(ValueError, match=r"act must be one of \['relu', 'tanh'\]; got 'elu'"):
        Categorical("act", ["relu", "tanh"]).to_unit("elu")
    with pytest.raises(ValueError, match=r"dropout must be in \[0.2, 0.5\]; got True"):
        Uniform("dropout", 0.2, 0.5).check(True)
    with pytest.raises(ValueError, match=r"n \(grid points\) must be an integer in \[1, inf\)"):
        lr.grid(0)
    with pytest.raises(ValueError, match=r"narrow: hi must be > lo"):
        lr.narrow(0.6, 0.4)
    with pytest.raises(ValueError, match=r"dimension type must be one of"):
        dimension_from_dict({"type": "normal", "name": "x"})


def test_space_errors_name_what_is_wrong():
    space = Space([LogUniform("lr", 1e-5, 1e-1), Uniform("dropout", 0.2, 0.5)])
    with pytest.raises(ValueError, match=r"missing \['dropout'\], unexpected \['momentum'\]"):
        space.check({"lr": 1e-3, "momentum": 0.9})
    with pytest.raises(ValueError, match=r"a point must be a dict"):
        space.check([1e-3, 0.3])
    with pytest.raises(ValueError, match=r"dropout must be in \[0.2, 0.5\]; got 0.7"):
        space.to_unit({"lr": 1e-3, "dropout": 0.7})
    with pytest.raises(ValueError, match=r"must have shape \(2,\); got \(3,\)"):
        space.from_unit([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"give a number of points or values for 'dropout'"):
        space.grid({"lr": 3})
    with pytest.raises(ValueError, match=r"values for 'lr' must not be empty"):
        space.grid({"lr": [], "dropout": 2})
    with pytest.raises(ValueError, match=r"lr must be in"):
        space.grid({"lr": [1.0], "dropout": 2})
    with pytest.raises(ValueError, match=r"lows and highs need shape \(2,\)"):
        space.narrow([0.0], [1.0])
    with pytest.raises(KeyError):
        space["momentum"]
