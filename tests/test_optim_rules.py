"""Update rules on numpy arrays (survey §5.1–5.5): formulas, relations between forms, stepping."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from surveykit.optim import (
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    NumpyOptimizer,
    RMSProp,
    StepDecay,
    clip_by_global_norm,
    clip_by_norm,
    clip_by_value,
    get_rule,
    optimize,
    rule_from_config,
    rules,
)
from surveykit.optim.numpy_net import init_mlp, mlp_loss_and_grads
from surveykit.optim.surfaces import Quadratic, Rosenbrock

# --- one step by hand ---------------------------------------------------------------------


def test_sgd_step():
    np.testing.assert_allclose(rules.sgd_step(np.array([1.0, -2.0]), lr=0.1), [0.1, -0.2])


def test_momentum_forms_first_steps():
    g = np.array([2.0])
    delta, v = rules.momentum_survey_step(g, np.zeros(1), lr=0.1, beta=0.9)
    np.testing.assert_allclose(v, [0.2])  # (1 − β) g
    np.testing.assert_allclose(delta, [0.02])  # η v
    delta, v = rules.momentum_survey_step(g, v, lr=0.1, beta=0.9)
    np.testing.assert_allclose(v, [0.9 * 0.2 + 0.2])
    delta, m = rules.momentum_keras_step(g, np.zeros(1), lr=0.1, beta=0.9)
    np.testing.assert_allclose(m, [-0.2])  # −η g
    np.testing.assert_allclose(delta, [0.2])


def test_nesterov_forms_first_step():
    g = np.array([1.0])
    delta, v = rules.nesterov_survey_step(g, np.zeros(1), lr=0.1, beta=0.9)
    np.testing.assert_allclose([delta, v], [[0.1], [0.1]])
    delta, m = rules.nesterov_keras_step(g, np.zeros(1), lr=0.1, beta=0.9)
    np.testing.assert_allclose(m, [-0.1])
    np.testing.assert_allclose(delta, [0.1 + 0.9 * 0.1])  # −(β m − η g)


def test_rmsprop_forms_first_step():
    g = np.array([3.0])
    delta, s = rules.rmsprop_step(g, np.zeros(1), lr=0.01, beta=0.9, epsilon=1e-8)
    np.testing.assert_allclose(s, [0.9])
    np.testing.assert_allclose(delta, [0.01 * 3 / math.sqrt(0.9 + 1e-8)])
    delta, _ = rules.rmsprop_eps_outside_step(g, np.zeros(1), lr=0.01, beta=0.9, epsilon=1e-8)
    np.testing.assert_allclose(delta, [0.01 * 3 / (math.sqrt(0.9) + 1e-8)])


@pytest.mark.parametrize("form", ["survey", "paper", "keras"])
def test_adam_first_step_is_about_eta_times_sign(form):
    """After bias correction m̂₁ = g and v̂₁ = g², so the first step is η·g/|g| (ε aside)."""
    g = np.array([0.3, -5.0, 1e-2])
    delta, (m, v) = Adam(form=form).update(g, (np.zeros(3), np.zeros(3)), lr=0.01, t=1)
    # ε = 1e-8 moves the smallest component (|g| = 1e-2) by a few 1e-5 relative
    np.testing.assert_allclose(delta, 0.01 * np.sign(g), rtol=1e-4)
    np.testing.assert_allclose(m, 0.1 * g)
    np.testing.assert_allclose(v, 0.001 * g**2)


def test_adagrad_step_sizes_only_shrink():
    rule, state = AdaGrad(), (np.full(1, 0.1),)
    deltas = []
    for t in range(1, 20):
        delta, state = rule.update(np.ones(1), state, lr=0.1, t=t)
        deltas.append(delta[0])
    np.testing.assert_allclose(state[0], 0.1 + 19)
    assert np.all(np.diff(deltas) < 0)


@settings(max_examples=50, deadline=None)
@given(
    t=st.integers(1, 10_000),
    g=arrays(np.float64, 5, elements=st.floats(-10, 10)),
    m=arrays(np.float64, 5, elements=st.floats(-10, 10)),
    v=arrays(np.float64, 5, elements=st.floats(0, 100)),
    eps=st.floats(1e-10, 1e-2),
)
def test_keras_adam_is_paper_adam_with_rescaled_eps(t, g, m, v, eps):
    """α_t m/(√v + ε̂) = η m̂/(√v̂ + ε̂/√(1 − β₂ᵗ)): Keras form = paper form with ε = ε̂/√(1−β₂ᵗ)."""
    b1, b2 = 0.9, 0.999
    keras_delta, mk, vk = rules.adam_keras_step(
        g, m, v, lr=0.01, t=t, beta_1=b1, beta_2=b2, epsilon=eps
    )
    paper_delta, mp, vp = rules.adam_paper_step(
        g, m, v, lr=0.01, t=t, beta_1=b1, beta_2=b2, epsilon=eps / math.sqrt(1 - b2**t)
    )
    np.testing.assert_allclose(mk, mp, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(vk, vp, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(keras_delta, paper_delta, rtol=1e-9, atol=1e-14)


# --- relations between forms, on a real training problem (float64) -----------------------


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((64, 3))
    y = (X[:, 0] - 2 * X[:, 1] + 0.5 * rng.standard_normal(64) > 0).astype(float)
    params = init_mlp(3, 5, seed=1)
    batches = [rng.choice(64, 8, replace=False) for _ in range(150)]
    return params, X, y, batches


def run(problem, optimizer):
    params, X, y, batches = problem
    optimizer.reset()
    for idx in batches:
        _, grads = mlp_loss_and_grads(optimizer.lookahead(params), X[idx], y[idx])
        params = optimizer.step(params, grads)
    return params, optimizer


def max_abs_diff(a, b):
    return max(float(np.max(np.abs(a[k] - b[k]))) for k in a)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_ewa_momentum_is_classic_momentum_with_rate_times_one_minus_beta(problem, beta):
    survey, _ = run(problem, NumpyOptimizer(Momentum(beta, form="survey"), 0.5))
    classic, _ = run(problem, NumpyOptimizer(Momentum(beta, form="keras"), 0.5 * (1 - beta)))
    assert max_abs_diff(survey, classic) < 1e-12


def test_survey_nesterov_lookahead_is_keras_nesterov_variable(problem):
    """Gradient at w − βv, w −= v (survey)  ≡  Keras' nesterov on u = w − βv, exactly."""
    survey, opt = run(problem, NumpyOptimizer(Nesterov(0.9, form="survey"), 0.1))
    keras_form, _ = run(problem, NumpyOptimizer(Nesterov(0.9, form="keras"), 0.1))
    assert max_abs_diff(opt.lookahead(survey), keras_form) < 1e-12
    assert max_abs_diff(survey, keras_form) > 1e-4  # w itself is a different point


def test_survey_adam_converges_to_keras_adam_as_eps_vanishes(problem):
    """Largest weight difference after 150 steps: ~0.2 at ε = 1e-3, then shrinking with ε."""
    eps_values = [1e-3, 1e-5, 1e-7, 1e-9, 1e-11]
    gaps = []
    for eps in eps_values:
        survey, _ = run(problem, NumpyOptimizer(Adam(epsilon=eps, form="survey"), 0.01))
        keras_form, _ = run(problem, NumpyOptimizer(Adam(epsilon=eps, form="keras"), 0.01))
        gaps.append(max_abs_diff(survey, keras_form))
    assert gaps[0] > 1e-2  # measurably different at large ε
    assert all(b < a for a, b in zip(gaps, gaps[1:], strict=False))  # shrinking with ε
    assert gaps[-1] < 1e-6


def test_rmsprop_eps_placement_matters_only_near_eps(problem):
    tiny = [
        run(problem, NumpyOptimizer(RMSProp(0.9, 1e-12, form=f), 0.01))[0]
        for f in ("survey", "eps_outside")
    ]
    big = [
        run(problem, NumpyOptimizer(RMSProp(0.9, 1e-1, form=f), 0.01))[0]
        for f in ("survey", "eps_outside")
    ]
    assert max_abs_diff(*tiny) < 1e-6
    assert max_abs_diff(*big) > 1e-2


def test_rmsprop_keras_form_is_survey_form():
    assert RMSProp(form="keras").update(
        np.array([0.5]), (np.array([0.2]),), lr=0.1, t=1
    ) == RMSProp(form="survey").update(np.array([0.5]), (np.array([0.2]),), lr=0.1, t=1)


# --- NumpyOptimizer -------------------------------------------------------------------------


def test_step_keeps_structure_and_does_not_modify_inputs():
    opt = NumpyOptimizer(Momentum(0.9), 0.1)
    params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    grads = {"W": np.full((2, 2), 2.0), "b": np.ones(2)}
    new = opt.step(params, grads)
    assert set(new) == {"W", "b"}
    np.testing.assert_array_equal(params["W"], np.ones((2, 2)))
    np.testing.assert_allclose(new["W"], 1 - 0.1 * 0.1 * 2.0)
    as_list = NumpyOptimizer(SGD(), 0.5).step([np.ones(2), np.ones(3)], [np.ones(2), np.ones(3)])
    assert isinstance(as_list, list) and as_list[1].shape == (3,)
    point = NumpyOptimizer(SGD(), 0.5).step(np.array([1, 2]), np.array([1.0, 1.0]))
    np.testing.assert_allclose(point, [0.5, 1.5])
    assert NumpyOptimizer(SGD(), 0.5).step([1.0, 2.0], [1.0, 1.0]).shape == (2,)


def test_step_rejects_mismatched_gradients():
    opt = NumpyOptimizer(SGD(), 0.1)
    with pytest.raises(ValueError, match="shape"):
        opt.step(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="grads must match params"):
        opt.step([np.zeros(2), np.zeros(2)], [np.zeros(2)])


def test_schedule_drives_the_learning_rate_from_step_zero():
    opt = NumpyOptimizer(SGD(), StepDecay(1.0, gamma=0.5, step_size=2))
    w, seen = np.zeros(1), []
    for _ in range(5):
        before = w
        w = opt.step(w, np.ones(1))
        seen.append(float(before[0] - w[0]))
    assert seen == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_numpy_clipping_in_the_optimizer():
    opt = NumpyOptimizer(SGD(), 1.0, clipnorm=1.0)
    np.testing.assert_allclose(opt.step(np.zeros(2), np.array([3.0, 4.0])), [-0.6, -0.8])


def test_optimize_returns_the_path_and_restarts():
    surface = Quadratic(1.0, 10.0)
    opt = NumpyOptimizer(SGD(), 0.1)
    path = optimize(opt, surface.grad, [1.0, 1.0], 50)
    assert path.shape == (51, 2)
    np.testing.assert_allclose(path[0], [1.0, 1.0])
    np.testing.assert_allclose(path[-1], [0.9**50, 0.0], atol=1e-12)  # (1 − ηa)^t, (1 − ηb)^t = 0
    np.testing.assert_array_equal(optimize(opt, surface.grad, [1.0, 1.0], 50), path)


@pytest.mark.parametrize(
    ("rule", "lr"),
    [
        (SGD(), 0.09),
        (Momentum(0.9), 0.09),
        (Nesterov(0.9), 0.02),
        (RMSProp(0.9), 0.01),
        (Adam(), 0.05),
        (AdaGrad(), 0.5),
    ],
    ids=str,
)
def test_every_rule_reaches_the_minimum_of_a_bowl(rule, lr):
    surface = Quadratic(1.0, 20.0)
    path = optimize(NumpyOptimizer(rule, lr), surface.grad, [2.0, 1.0], 600)
    assert surface.loss(path[-1]) < 1e-3 * surface.loss(path[0])


def test_tuned_momentum_beats_gradient_descent_on_an_ill_conditioned_bowl():
    """Heavy ball with Polyak's tuning converges at (√κ−1)/(√κ+1) per step vs (κ−1)/(κ+1)."""
    a, b = 1.0, 50.0
    surface = Quadratic(a, b)
    lr_gd = 2 / (a + b)
    beta = ((math.sqrt(b) - math.sqrt(a)) / (math.sqrt(b) + math.sqrt(a))) ** 2
    lr_hb = 4 / (math.sqrt(a) + math.sqrt(b)) ** 2
    gd = optimize(NumpyOptimizer(SGD(), lr_gd), surface.grad, [1.0, 1.0], 100)
    hb = optimize(
        NumpyOptimizer(Momentum(beta, form="keras"), lr_hb), surface.grad, [1.0, 1.0], 100
    )
    assert np.linalg.norm(hb[-1]) < 1e-4 * np.linalg.norm(gd[-1])


def test_rosenbrock_gradient():
    surface, w, h = Rosenbrock(), np.array([-0.7, 1.3]), 1e-6
    numeric = [(surface.loss(w + h * e) - surface.loss(w - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(surface.grad(w), numeric, rtol=1e-7)
    np.testing.assert_allclose(surface.grad(surface.minimum), 0.0)


def test_get_rule_and_config_round_trip():
    rule = get_rule("Adam", beta_1=0.8, form="keras")
    assert rule == Adam(beta_1=0.8, form="keras")
    for r in (
        SGD(),
        Momentum(0.5, "keras"),
        Nesterov(0.7),
        RMSProp(0.8, 1e-6, "eps_outside"),
        AdaGrad(0.0),
    ):
        assert rule_from_config(r.get_config()) == r
    assert "beta=0.5" in repr(Momentum(0.5))


# --- clipping (numpy) --------------------------------------------------------------------

grad_lists = st.lists(
    arrays(np.float64, st.integers(1, 6), elements=st.floats(-1e3, 1e3, allow_subnormal=False)),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(grads=grad_lists, c=st.floats(1e-3, 1e2))
def test_clip_by_norm_bounds_each_tensor_and_keeps_direction(grads, c):
    for g, clipped in zip(grads, clip_by_norm(grads, c), strict=True):
        norm = np.linalg.norm(g)
        assert np.linalg.norm(clipped) <= c * (1 + 1e-12) or norm == 0
        if norm <= c:
            np.testing.assert_allclose(clipped, g, rtol=1e-12, atol=1e-300)
        else:
            np.testing.assert_allclose(clipped * norm / c, g, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(grads=grad_lists, c=st.floats(1e-3, 1e2))
def test_clip_by_global_norm_scales_all_tensors_together(grads, c):
    clipped = clip_by_global_norm(grads, c)
    total = math.sqrt(sum(float(np.sum(g**2)) for g in grads))
    new_total = math.sqrt(sum(float(np.sum(g**2)) for g in clipped))
    assert new_total <= c * (1 + 1e-12) or total == 0
    scale = min(1.0, c / total) if total > 0 else 1.0
    for g, cg in zip(grads, clipped, strict=True):
        np.testing.assert_allclose(cg, g * scale, rtol=1e-9, atol=1e-300)


@settings(max_examples=60, deadline=None)
@given(grads=grad_lists, c=st.floats(1e-3, 1e2))
def test_clip_by_value_bounds_every_element(grads, c):
    for g, cg in zip(grads, clip_by_value(grads, c), strict=True):
        assert np.all(np.abs(cg) <= c)
        np.testing.assert_array_equal(cg[np.abs(g) <= c], g[np.abs(g) <= c])


def test_clipping_passes_none_through():
    assert clip_by_norm([None, np.ones(2)], 1.0)[0] is None
    assert clip_by_global_norm([None, np.ones(2)], 1.0)[0] is None
    assert clip_by_value([None], 1.0) == [None]


def test_numpy_side_does_not_import_tensorflow():
    """Numpy-only notebooks use surveykit.optim without paying for the TensorFlow import."""
    import subprocess
    import sys

    code = (
        "import sys; from surveykit.optim import *; import surveykit.optim as o; "
        "o.NumpyOptimizer(o.Adam(), 0.1).step(o.StepDecay()(3) * 0 + 1.0, 1.0); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TF imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
