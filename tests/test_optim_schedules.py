"""Learning-rate schedules (survey §5.7): equal to Keras' at every step checked; invariants."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveykit.optim import (
    Constant,
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LinearWarmup,
    PiecewiseConstant,
    StepDecay,
    evaluate,
    schedule_from_config,
)

KS = keras.optimizers.schedules
STEPS = np.arange(0, 400)
FLOAT32_RTOL = 1e-5
# Keras evaluates in float32 (surveykit's numpy call in float64): e.g. ExponentialDecay rounds the
# rate r to float32 and raises it to the t-th power, a relative error growing like t·2^-24.


def keras_values(schedule, steps=STEPS):
    """Keras schedule evaluated at every step (int64 steps, like an optimizer's `iterations`)."""
    try:
        values = schedule(keras.ops.convert_to_tensor(steps.astype("int64")))
    except ValueError:  # CosineDecay with warm-up branches with ops.cond: one step at a time
        values = [schedule(keras.ops.convert_to_tensor(np.int64(t))) for t in steps]
    return np.asarray(values, dtype=np.float64)


def assert_schedules_close(ours, theirs):
    """rtol for float32 evaluation, plus an absolute floor of float32 resolution at the peak.

    (Near the bottom of a cosine, ``1 + cos(πf)`` cancels: Keras' float32 value there is
    accurate to about ``η_max · 2^-24`` absolute, not relative.)
    """
    np.testing.assert_allclose(ours, theirs, rtol=FLOAT32_RTOL, atol=2**-23 * np.max(theirs))


PAIRS = {
    "step_decay": (
        StepDecay(0.1, gamma=0.5, step_size=25),
        KS.ExponentialDecay(0.1, 25, 0.5, True),
    ),
    "exponential": (
        ExponentialDecay(0.1, k=0.01),
        KS.ExponentialDecay(0.1, decay_steps=1, decay_rate=math.exp(-0.01)),
    ),
    "exponential_d": (
        ExponentialDecay.from_keras(0.3, decay_steps=40, decay_rate=0.8),
        KS.ExponentialDecay(0.3, 40, 0.8),
    ),
    "exponential_staircase": (
        ExponentialDecay.from_keras(0.3, decay_steps=40, decay_rate=0.8, staircase=True),
        KS.ExponentialDecay(0.3, 40, 0.8, staircase=True),
    ),
    "inverse_time": (InverseTimeDecay(0.1, decay_rate=0.05), KS.InverseTimeDecay(0.1, 1, 0.05)),
    "inverse_time_staircase": (
        InverseTimeDecay(0.1, decay_rate=0.5, decay_steps=30, staircase=True),
        KS.InverseTimeDecay(0.1, 30, 0.5, staircase=True),
    ),
    "piecewise_right": (
        PiecewiseConstant([50, 120, 300], [0.1, 0.05, 0.01, 0.001], closed="right"),
        KS.PiecewiseConstantDecay([50, 120, 300], [0.1, 0.05, 0.01, 0.001]),
    ),
    "piecewise_left_survey": (
        PiecewiseConstant([50, 120, 300], [0.1, 0.05, 0.01, 0.001], closed="left"),
        KS.PiecewiseConstantDecay([49, 119, 299], [0.1, 0.05, 0.01, 0.001]),
    ),
    "cosine": (CosineDecay(0.1, 250, alpha=0.05), KS.CosineDecay(0.1, 250, alpha=0.05)),
    "sgdr_t1": (
        CosineDecayRestarts(0.1, 30, t_mul=1.0, m_mul=0.9, alpha=0.1),
        KS.CosineDecayRestarts(0.1, 30, t_mul=1.0, m_mul=0.9, alpha=0.1),
    ),
    "sgdr_t2": (CosineDecayRestarts(0.1, 10), KS.CosineDecayRestarts(0.1, 10)),
    "sgdr_t3": (
        CosineDecayRestarts(0.2, 7, t_mul=3.0, m_mul=0.5, alpha=0.01),
        KS.CosineDecayRestarts(0.2, 7, t_mul=3.0, m_mul=0.5, alpha=0.01),
    ),
    "sgdr_t1.5": (
        CosineDecayRestarts(0.1, 5, t_mul=1.5, alpha=0.2),
        KS.CosineDecayRestarts(0.1, 5, t_mul=1.5, alpha=0.2),
    ),
    "warmup_cosine": (
        LinearWarmup(
            CosineDecay(0.1, 200, alpha=0.1), warmup_steps=50, initial_learning_rate=0.001
        ),
        KS.CosineDecay(0.001, 200, alpha=0.1, warmup_target=0.1, warmup_steps=50),
    ),
}


@pytest.mark.parametrize("name", list(PAIRS))
def test_numpy_schedule_equals_keras_at_every_step(name):
    ours, theirs = PAIRS[name]
    assert_schedules_close(ours(STEPS), keras_values(theirs))


@pytest.mark.parametrize("name", list(PAIRS))
def test_keras_wrapper_equals_keras_at_every_step(name):
    """The same formula evaluated by keras.ops in float32 (what training uses)."""
    ours, theirs = PAIRS[name]
    assert_schedules_close(keras_values(ours.as_keras()), keras_values(theirs))


def test_scalar_steps_give_floats_like_keras_scalar_steps():
    sched, keras_sched = PAIRS["sgdr_t2"]
    for t in (0, 9, 10, 11, 29, 30, 31, 69, 70):
        value = sched(t)
        assert isinstance(value, float)
        assert value == pytest.approx(float(keras_sched(t)), rel=FLOAT32_RTOL, abs=1e-8)


@pytest.mark.parametrize("k", [1e-3, 0.02, 0.3])
@pytest.mark.parametrize("decay_steps", [1, 7, 100])
def test_survey_exponential_decay_is_keras_with_rate_exp_minus_k_d(k, decay_steps):
    """η0·e^{−kt}  ≡  Keras ExponentialDecay(η0, decay_steps=d, decay_rate=e^{−k·d})."""
    ours = ExponentialDecay(0.1, k=k)
    theirs = KS.ExponentialDecay(0.1, decay_steps, math.exp(-k * decay_steps))
    steps = np.arange(0, 200)
    np.testing.assert_allclose(ours(steps), keras_values(theirs, steps), rtol=FLOAT32_RTOL)
    np.testing.assert_allclose(ours(steps), 0.1 * np.exp(-k * steps), rtol=1e-14)


def test_survey_staircase_changes_at_the_boundary_keras_one_step_later():
    ours = PiecewiseConstant([10, 20], [1.0, 0.5, 0.1])  # survey: t < t1 → η0, t1 ≤ t < t2 → η1
    assert [ours(t) for t in (9, 10, 19, 20, 21)] == [1.0, 0.5, 0.5, 0.1, 0.1]
    keras_sched = KS.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [float(keras_sched(t)) for t in (10, 11, 20, 21)] == pytest.approx([1.0, 0.5, 0.5, 0.1])


def test_step_decay_matches_its_formula():
    s = StepDecay(0.2, gamma=0.1, step_size=3)
    assert [s(t) for t in range(7)] == pytest.approx([0.2, 0.2, 0.2, 0.02, 0.02, 0.02, 0.002])


def test_evaluate_returns_steps_and_values_for_plotting():
    steps, values = evaluate(StepDecay(0.1, 0.5, 10), 30)
    assert steps.shape == values.shape == (30,)
    assert steps[0] == 0 and steps[-1] == 29
    assert values[9] == 0.1 and values[10] == 0.05
    keras_steps, keras_vals = evaluate(KS.ExponentialDecay(0.1, 10, 0.5, True), [0, 10, 20])
    np.testing.assert_allclose(keras_vals, [0.1, 0.05, 0.025], rtol=1e-6)


def test_schedule_rejects_negative_step():
    with pytest.raises(ValueError, match=r"step must be in \[0, inf\)"):
        StepDecay()(-1)


def test_config_round_trip():
    for sched, _ in PAIRS.values():
        assert schedule_from_config(sched.get_config()) == sched
    wrapped = PAIRS["warmup_cosine"][0].as_keras()
    clone = KS.deserialize(KS.serialize(wrapped))
    assert clone.schedule == wrapped.schedule


# --- properties (hypothesis) ----------------------------------------------------------------

lr0 = st.floats(1e-5, 10.0)
steps_st = st.lists(st.integers(0, 100_000), min_size=2, max_size=30).map(sorted)


def _non_increasing_in_range(values, top):
    assert np.all(np.diff(values) <= 1e-15 * top)
    assert np.all(values > 0) and np.all(values <= top * (1 + 1e-12))


@settings(max_examples=60, deadline=None)
@given(eta0=lr0, gamma=st.floats(0.01, 1.0), s=st.integers(1, 1000), data=st.data())
def test_step_decay_non_increasing_and_in_range(eta0, gamma, s, data):
    # at most 100 drops, so η0·γ^floor(t/s) stays far above float64 underflow
    steps = sorted(data.draw(st.lists(st.integers(0, 100 * s), min_size=2, max_size=30)))
    _non_increasing_in_range(StepDecay(eta0, gamma, s)(np.array(steps)), eta0)


@settings(max_examples=60, deadline=None)
@given(
    eta0=lr0,
    k=st.floats(1e-6, 1e-3),
    d=st.integers(1, 100),
    staircase=st.booleans(),
    steps=steps_st,
)
def test_exponential_decay_non_increasing_and_in_range(eta0, k, d, staircase, steps):
    _non_increasing_in_range(ExponentialDecay(eta0, k, d, staircase)(np.array(steps)), eta0)


@settings(max_examples=60, deadline=None)
@given(
    eta0=lr0,
    k=st.floats(1e-6, 10.0),
    d=st.integers(1, 100),
    staircase=st.booleans(),
    steps=steps_st,
)
def test_inverse_time_decay_non_increasing_and_in_range(eta0, k, d, staircase, steps):
    _non_increasing_in_range(InverseTimeDecay(eta0, k, d, staircase)(np.array(steps)), eta0)


@settings(max_examples=60, deadline=None)
@given(
    eta0=lr0,
    t0=st.integers(1, 500),
    t_mul=st.floats(1.0, 4.0),
    m_mul=st.floats(0.1, 1.0),
    alpha=st.floats(0.0, 1.0),
    steps=steps_st,
)
def test_sgdr_stays_within_alpha_eta0_and_eta0(eta0, t0, t_mul, m_mul, alpha, steps):
    values = CosineDecayRestarts(eta0, t0, t_mul, m_mul, alpha)(np.array(steps))
    tol = 1e-9 * eta0
    assert np.all(values >= alpha * eta0 - tol)
    assert np.all(values <= eta0 + tol)


@settings(max_examples=40, deadline=None)
@given(eta0=lr0, t0=st.integers(1, 200), alpha=st.floats(0.0, 0.9))
def test_sgdr_restarts_at_eta0_when_t_mul_is_one(eta0, t0, alpha):
    s = CosineDecayRestarts(eta0, t0, t_mul=1.0, alpha=alpha)
    restarts = np.arange(0, 5) * t0
    np.testing.assert_allclose(s(restarts), eta0, rtol=1e-12)
    within = s(np.arange(0, t0))
    assert np.all(np.diff(within) <= 1e-15 * eta0)  # decreasing inside a period


@settings(max_examples=60, deadline=None)
@given(
    target=lr0,
    start_fraction=st.floats(0.0, 1.0),
    w=st.integers(1, 1000),
    decay=st.integers(1, 1000),
)
def test_warmup_rises_linearly_and_reaches_the_target(target, start_fraction, w, decay):
    start = start_fraction * target
    s = LinearWarmup(CosineDecay(target, decay), warmup_steps=w, initial_learning_rate=start)
    assert s(0) == pytest.approx(start, rel=1e-12, abs=1e-300)
    assert s(w) == pytest.approx(target, rel=1e-12)
    ramp = s(np.arange(0, w + 1))
    assert np.all(np.diff(ramp) >= -1e-15 * target)
    np.testing.assert_allclose(np.diff(ramp), (target - start) / w, rtol=1e-6, atol=1e-12 * target)


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(st.integers(1, 50), min_size=1, max_size=5),
    vals=st.lists(st.floats(1e-4, 1.0), min_size=6, max_size=6),
    closed=st.sampled_from(["left", "right"]),
    steps=steps_st,
)
def test_piecewise_constant_takes_only_its_values(data, vals, closed, steps):
    boundaries = list(np.cumsum(data))
    values = vals[: len(boundaries) + 1]
    s = PiecewiseConstant(boundaries, values, closed=closed)
    out = s(np.array(steps))
    assert set(out.tolist()) <= set(values)
    assert s(0) == values[0]
    assert s(boundaries[-1] + 1) == values[-1]


def test_constant_schedule():
    assert Constant(0.3)(np.arange(5)).tolist() == [0.3] * 5
