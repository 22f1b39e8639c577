"""Bad hyperparameters raise a ValueError naming the hyperparameter, the value and the range."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import re

import numpy as np
import pytest

from surveykit.optim import (
    SGD,
    AdaGrad,
    Adam,
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LinearWarmup,
    Momentum,
    Nesterov,
    NumpyOptimizer,
    PiecewiseConstant,
    RMSProp,
    StepDecay,
    clip_gradients,
    get_rule,
    numpy_net,
    optimize,
    schedule_from_config,
)
from surveykit.optim import ewa as ewa_module
from surveykit.optim.surfaces import Quadratic, Rosenbrock

CASES = [
    # rules
    (lambda: Momentum(beta=1.0), "beta must be in [0, 1); got 1.0"),
    (lambda: Momentum(beta=-0.1), "beta must be in [0, 1); got -0.1"),
    (lambda: Momentum(beta=True), "beta must be a real number in [0, 1); got True"),
    (lambda: Momentum(form="nesterov"), "form must be one of ['survey', 'keras']; got 'nesterov'"),
    (lambda: Nesterov(beta=1.5), "beta must be in [0, 1); got 1.5"),
    (lambda: RMSProp(beta=1), "beta must be in [0, 1); got 1"),
    (lambda: RMSProp(epsilon=0), "epsilon must be in (0, inf); got 0"),
    (lambda: Adam(beta_1=1.0), "beta_1 must be in [0, 1); got 1.0"),
    (lambda: Adam(beta_2=-0.5), "beta_2 must be in [0, 1); got -0.5"),
    (lambda: Adam(epsilon=-1e-8), "epsilon must be in (0, inf); got -1e-08"),
    (lambda: Adam(epsilon=float("nan")), "epsilon must be in (0, inf); got nan"),
    (
        lambda: Adam(form="amsgrad"),
        "form must be one of ['survey', 'paper', 'keras']; got 'amsgrad'",
    ),
    (
        lambda: AdaGrad(initial_accumulator_value=-1),
        "initial_accumulator_value must be in [0, inf); got -1",
    ),
    (lambda: AdaGrad(epsilon=0.0), "epsilon must be in (0, inf); got 0.0"),
    (lambda: get_rule("lion"), "name must be one of"),
    # optimizers and clipping
    (lambda: NumpyOptimizer(SGD(), learning_rate=0), "learning_rate must be in (0, inf); got 0"),
    (lambda: NumpyOptimizer(SGD(), learning_rate="fast"), "learning_rate must be a real number"),
    (lambda: NumpyOptimizer(SGD(), 0.1, clipnorm=-1.0), "clipnorm must be in (0, inf); got -1.0"),
    (lambda: NumpyOptimizer(SGD(), 0.1, clipvalue=0), "clipvalue must be in (0, inf); got 0"),
    (
        lambda: NumpyOptimizer(SGD(), 0.1, global_clipnorm=float("inf")),
        "global_clipnorm must be in (0, inf); got inf",
    ),
    (
        lambda: clip_gradients([np.ones(2)], clipnorm=1.0, global_clipnorm=1.0),
        "at most one of clipvalue, clipnorm, global_clipnorm may be set",
    ),
    (
        lambda: optimize(NumpyOptimizer(SGD()), Quadratic().grad, [1.0, 1.0], -1),
        "n_steps must be an integer in [0, inf); got -1",
    ),
    # schedules
    (
        lambda: StepDecay(initial_learning_rate=0),
        "initial_learning_rate must be in (0, inf); got 0",
    ),
    (lambda: StepDecay(gamma=0), "gamma must be in (0, 1]; got 0"),
    (lambda: StepDecay(gamma=1.5), "gamma must be in (0, 1]; got 1.5"),
    (lambda: StepDecay(step_size=0), "step_size must be an integer in [1, inf); got 0"),
    (lambda: StepDecay(step_size=2.5), "step_size must be an integer in [1, inf); got 2.5"),
    (lambda: ExponentialDecay(k=0), "k must be in (0, inf); got 0"),
    (lambda: ExponentialDecay(decay_steps=0), "decay_steps must be an integer in [1, inf); got 0"),
    (
        lambda: ExponentialDecay(staircase="yes"),
        "staircase must be one of [True, False]; got 'yes'",
    ),
    (
        lambda: ExponentialDecay.from_keras(0.1, 10, decay_rate=1.2),
        "decay_rate must be in (0, 1); got 1.2",
    ),
    (lambda: InverseTimeDecay(decay_rate=-1), "decay_rate must be in (0, inf); got -1"),
    (
        lambda: InverseTimeDecay(initial_learning_rate=-0.1),
        "initial_learning_rate must be in (0, inf)",
    ),
    (lambda: CosineDecay(decay_steps=0), "decay_steps must be an integer in [1, inf); got 0"),
    (lambda: CosineDecay(alpha=1.5), "alpha must be in [0, 1]; got 1.5"),
    (
        lambda: CosineDecayRestarts(first_decay_steps=0),
        "first_decay_steps must be an integer in [1, inf); got 0",
    ),
    (lambda: CosineDecayRestarts(t_mul=0.5), "t_mul must be in [1, inf); got 0.5"),
    (lambda: CosineDecayRestarts(m_mul=0), "m_mul must be in (0, 1]; got 0"),
    (lambda: CosineDecayRestarts(m_mul=1.5), "m_mul must be in (0, 1]; got 1.5"),
    (lambda: CosineDecayRestarts(alpha=-0.1), "alpha must be in [0, 1]; got -0.1"),
    (
        lambda: PiecewiseConstant([10, 5], [0.1, 0.01, 0.001]),
        "boundaries must be strictly increasing; got [10.0, 5.0]",
    ),
    (
        lambda: PiecewiseConstant([10, 10], [0.1, 0.01, 0.001]),
        "boundaries must be strictly increasing",
    ),
    (
        lambda: PiecewiseConstant([10, 20], [0.1, 0.01]),
        "len(values) must be an integer in [3, 3]; got 2",
    ),
    (
        lambda: PiecewiseConstant([10], [0.1, 0.01, 0.001]),
        "len(values) must be an integer in [2, 2]; got 3",
    ),
    (lambda: PiecewiseConstant([], [0.1]), "len(boundaries) must be an integer in [1, inf); got 0"),
    (lambda: PiecewiseConstant([10], [0.1, 0.0]), "values must be in (0, inf); got 0.0"),
    (lambda: PiecewiseConstant([10], [0.1, 0.01], closed="both"), "closed must be one of"),
    (
        lambda: LinearWarmup(CosineDecay(), warmup_steps=0),
        "warmup_steps must be an integer in [1, inf); got 0",
    ),
    (
        lambda: LinearWarmup(CosineDecay(), initial_learning_rate=-1e-3),
        "initial_learning_rate must be in [0, inf); got -0.001",
    ),
    (lambda: schedule_from_config({"class_name": "OneCycle"}), "class_name must be one of"),
    # EWA
    (lambda: ewa_module.ewa([1.0, 2.0], beta=1.0), "beta must be in [0, 1); got 1.0"),
    (lambda: ewa_module.RunningAverage(beta=-0.5), "beta must be in [0, 1); got -0.5"),
    (lambda: ewa_module.effective_window(1), "beta must be in [0, 1); got 1"),
    (lambda: ewa_module.weight_in_last(0.9, n=0), "n must be in (0, inf); got 0"),
    (lambda: ewa_module.weight_in_last(0.0), "beta must be in (0, 1); got 0.0"),
    (lambda: ewa_module.ewa_weights(0.9, 0), "t must be an integer in [1, inf); got 0"),
    # numpy network and surfaces
    (lambda: numpy_net.init_mlp(0, 3), "n_in must be an integer in [1, inf); got 0"),
    (lambda: numpy_net.minibatches(10, 0), "batch_size must be an integer in [1, inf); got 0"),
    (
        lambda: numpy_net.mlp_forward(numpy_net.init_mlp(2, 2), np.ones((1, 2)), activation="relu"),
        "activation must be one of ['tanh', 'sigmoid']; got 'relu'",
    ),
    (
        lambda: numpy_net.numerical_gradients(lambda p: 0.0, {"w": np.ones(1)}, h=0),
        "h must be in (0, inf); got 0",
    ),
    (lambda: Quadratic(a=0), "a must be in (0, inf); got 0"),
    (lambda: Rosenbrock(b=-1), "b must be in (0, inf); got -1"),
]


@pytest.mark.parametrize(("make", "message"), CASES, ids=[m for _, m in CASES])
def test_bad_hyperparameter_raises_a_naming_value_error(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Momentum(beta=0.0),
        lambda: Adam(beta_1=0.0, beta_2=0.0, epsilon=1e-30),
        lambda: AdaGrad(initial_accumulator_value=0.0),
        lambda: StepDecay(gamma=1.0, step_size=1),
        lambda: CosineDecayRestarts(t_mul=1.0, m_mul=1.0, alpha=1.0),
        lambda: PiecewiseConstant([0.5], [1.0, 1.0]),
        lambda: LinearWarmup(StepDecay(), warmup_steps=1, initial_learning_rate=0.0),
    ],
)
def test_edges_of_the_valid_ranges_are_accepted(make):
    make()
