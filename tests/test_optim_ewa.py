"""Exponentially weighted averages (survey §5.6, §3.5)."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from surveykit.optim.ewa import (
    RunningAverage,
    bias_correct,
    effective_window,
    ewa,
    ewa_update,
    ewa_weights,
    half_life,
    weight_in_last,
)

betas = st.floats(0.0, 0.999)
series = arrays(np.float64, st.integers(1, 60), elements=st.floats(-1e3, 1e3))


def test_first_steps_by_hand():
    v = ewa([10.0, 10.0, 10.0], 0.9)
    np.testing.assert_allclose(v, [1.0, 1.9, 2.71])  # 10(1 − 0.9^t)
    np.testing.assert_allclose(ewa([10.0, 10.0, 10.0], 0.9, bias_correction=True), [10.0] * 3)
    assert ewa_update(1.0, 3.0, 0.5) == 2.0
    assert bias_correct(1.9, 0.9, 2) == pytest.approx(10.0)


@settings(max_examples=60, deadline=None)
@given(x=series, beta=betas)
def test_ewa_is_the_weighted_sum_of_its_unrolled_weights(x, beta):
    t = len(x)
    np.testing.assert_allclose(ewa(x, beta)[-1], ewa_weights(beta, t) @ x, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(
        ewa(x, beta, bias_correction=True)[-1],
        ewa_weights(beta, t, bias_correction=True) @ x,
        rtol=1e-9,
        atol=1e-9,
    )


@settings(max_examples=60, deadline=None)
@given(beta=betas, t=st.integers(1, 500))
def test_weights_sum_to_one_minus_beta_t_and_to_one_after_correction(beta, t):
    assert ewa_weights(beta, t).sum() == pytest.approx(1 - beta**t, rel=1e-9)
    assert ewa_weights(beta, t, bias_correction=True).sum() == pytest.approx(1.0, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(c=st.floats(-1e3, 1e3), beta=betas, t=st.integers(1, 200))
def test_constant_series_bias_and_its_correction(c, beta, t):
    """v_t = c(1 − β^t) is biased towards v_0 = 0; v̂_t = c exactly (§5.6)."""
    x = np.full(t, c)
    np.testing.assert_allclose(ewa(x, beta), c * (1 - beta ** np.arange(1, t + 1)), atol=1e-9)
    np.testing.assert_allclose(ewa(x, beta, bias_correction=True), c, rtol=1e-9, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(x=series, beta=betas)
def test_corrected_average_stays_within_the_observed_range(x, beta):
    corrected = ewa(x, beta, bias_correction=True)
    running_min = np.minimum.accumulate(x)
    running_max = np.maximum.accumulate(x)
    assert np.all(corrected >= running_min - 1e-9 * (1 + np.abs(running_min)))
    assert np.all(corrected <= running_max + 1e-9 * (1 + np.abs(running_max)))


@settings(max_examples=30, deadline=None)
@given(x=series, beta=betas)
def test_running_average_equals_batch_ewa(x, beta):
    avg = RunningAverage(beta)
    raw, corrected = [], []
    for value in x:
        raw.append(avg.update(value))
        corrected.append(avg.corrected)
    np.testing.assert_allclose(raw, ewa(x, beta), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        corrected, ewa(x, beta, bias_correction=True), rtol=1e-12, atol=1e-12
    )
    assert avg.t == len(x)


def test_running_average_before_any_observation():
    assert math.isnan(RunningAverage(0.9).corrected)


def test_ewa_works_along_axis_zero_for_vectors():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(ewa(x, 0.5), [[0.5, 1.0], [1.75, 2.5]])


@pytest.mark.parametrize(("beta", "n"), [(0.9, 10), (0.98, 50), (0.999, 1000), (0.0, 1)])
def test_effective_window(beta, n):
    assert effective_window(beta) == pytest.approx(n)


def test_about_one_over_one_minus_beta_observations():
    """The last 1/(1−β) observations hold ≈ 1 − 1/e of the weight; the oldest of them ≈ 1/e
    of the newest one's weight (§5.6)."""
    target = 1 - 1 / math.e
    assert weight_in_last(0.9) == pytest.approx(1 - 0.9**10)  # 0.6513
    shares = [weight_in_last(b) for b in (0.5, 0.9, 0.99, 0.999, 0.9999)]
    assert all(b < a for a, b in zip(shares, shares[1:], strict=False))  # decreasing towards…
    assert all(s > target for s in shares)
    assert shares[-1] == pytest.approx(target, abs=1e-4)  # … 1 − 1/e
    for beta in (0.9, 0.99, 0.999):
        t = 20_000
        w = ewa_weights(beta, t)
        n = round(effective_window(beta))
        assert w[-n:].sum() == pytest.approx(weight_in_last(beta, n), rel=1e-9)
        assert w.sum() == pytest.approx(1 - beta**t, rel=1e-9)
        assert w[-1 - n] / w[-1] == pytest.approx(1 / math.e, rel=0.06)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_half_life(beta):
    assert beta ** half_life(beta) == pytest.approx(0.5)
