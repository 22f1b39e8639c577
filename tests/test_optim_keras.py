"""surveykit.optim against Keras: the same model, weights and batches, compared weight by weight.

Every comparison trains one small Keras model (6 → 8 tanh → 1, binary cross-entropy on
logits) for N_STEPS mini-batch steps from the same initial weights on the same fixed
batches, once with a surveykit optimizer and once with Keras' own, and compares the final
weights. The gradients come from one compiled function, the optimizers run eagerly.
"""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import keras
import numpy as np
import pytest
import tensorflow as tf

from surveykit.optim import (
    SGD,
    AdaGrad,
    Adam,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    KerasOptimizer,
    KerasSchedule,
    Momentum,
    Nesterov,
    NumpyOptimizer,
    PiecewiseConstant,
    RMSProp,
    StepDecay,
    clip_by_global_norm,
    clip_by_norm,
    clip_by_value,
)

N_STEPS = 120
BATCH = 16
DIM = 6
RTOL = 1e-5  # the tolerance for float32 weights


class Harness:
    def __init__(self):
        keras.utils.set_random_seed(0)
        rng = np.random.default_rng(0)
        n = N_STEPS * BATCH
        self.X = rng.standard_normal((n, DIM)).astype("float32")
        logits = self.X @ rng.standard_normal(DIM) + 0.5 * rng.standard_normal(n)
        self.y = (logits > 0).astype("float32")[:, None]
        self.model = keras.Sequential(
            [keras.Input((DIM,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)]
        )
        self.init = [w.copy() for w in self.model.get_weights()]
        loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        model = self.model

        @tf.function
        def grads_fn(x, y):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x))
            return tape.gradient(loss, model.trainable_variables)

        self.grads_fn = grads_fn

    def batch(self, i):
        return self.X[i * BATCH : (i + 1) * BATCH], self.y[i * BATCH : (i + 1) * BATCH]

    def train(self, optimizer, steps=N_STEPS):
        self.model.set_weights(self.init)
        for i in range(steps):
            optimizer.apply(self.grads_fn(*self.batch(i)), self.model.trainable_variables)
        return [w.numpy() for w in self.model.trainable_variables]

    def grads_at(self, weights, i):
        """Gradients (numpy) of batch ``i`` at the given weights."""
        for v, w in zip(self.model.trainable_variables, weights, strict=True):
            v.assign(w)
        return [g.numpy() for g in self.grads_fn(*self.batch(i))]


@pytest.fixture(scope="module")
def harness():
    return Harness()


def max_diffs(a, b):
    abs_diff = max(float(np.max(np.abs(x - y))) for x, y in zip(a, b, strict=True))
    rel_diff = max(
        float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1e-30)))
        for x, y in zip(a, b, strict=True)
    )
    return abs_diff, rel_diff


def assert_weights_close(ours, theirs, *, rtol=RTOL, atol=0.0):
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"weight tensor {i}")


def assert_trained(harness, weights, at_least=0.1):
    """The comparison means something only if training moved the weights."""
    moved = max(float(np.max(np.abs(w - w0))) for w, w0 in zip(weights, harness.init, strict=True))
    assert moved > at_least, f"weights moved only {moved:.3g} from their initial values"


# --- the Keras-equivalent forms reproduce Keras' optimizers ---------------------------------

KERAS_PAIRS = {
    "sgd": (lambda: KerasOptimizer(SGD(), 0.1), lambda: keras.optimizers.SGD(0.1)),
    "momentum": (
        lambda: KerasOptimizer(Momentum(0.9, form="keras"), 0.05),
        lambda: keras.optimizers.SGD(0.05, momentum=0.9),
    ),
    "nesterov": (
        lambda: KerasOptimizer(Nesterov(0.9, form="keras"), 0.05),
        lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    ),
    "rmsprop": (
        lambda: KerasOptimizer(RMSProp(beta=0.9, epsilon=1e-7, form="keras"), 0.01),
        lambda: keras.optimizers.RMSprop(0.01),  # rho=0.9, epsilon=1e-7 (inside the root)
    ),
    "adam": (
        lambda: KerasOptimizer(Adam(0.9, 0.999, 1e-7, form="keras"), 0.01),
        lambda: keras.optimizers.Adam(0.01),
    ),
    "adagrad": (
        lambda: KerasOptimizer(AdaGrad(initial_accumulator_value=0.1, epsilon=1e-7), 0.1),
        lambda: keras.optimizers.Adagrad(0.1),
    ),
}


@pytest.mark.parametrize("name", list(KERAS_PAIRS))
def test_keras_form_equals_keras_optimizer(harness, name):
    ours, theirs = (make() for make in KERAS_PAIRS[name])
    w_ours, w_keras = harness.train(ours), harness.train(theirs)
    assert_trained(harness, w_keras)
    assert_weights_close(w_ours, w_keras)


def test_comparison_detects_a_small_change(harness):
    """The harness is sensitive: a 0.1 % change of η is far outside the tolerance."""
    w_a = harness.train(KerasOptimizer(Adam(form="keras", epsilon=1e-7), 0.01))
    w_b = harness.train(keras.optimizers.Adam(0.01 * 1.001))
    with pytest.raises(AssertionError):
        assert_weights_close(w_a, w_b)


def fit_weights(harness, optimizer):
    model = keras.models.clone_model(harness.model)
    model.set_weights(harness.init)
    model.compile(optimizer=optimizer, loss=keras.losses.BinaryCrossentropy(from_logits=True))
    model.fit(harness.X, harness.y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    return model.get_weights()


@pytest.mark.parametrize("name", list(KERAS_PAIRS))
def test_keras_form_equals_keras_optimizer_in_compiled_fit(harness, name):
    """Inside model.fit (a compiled train step, XLA where Keras chooses it), too."""
    ours, theirs = (make() for make in KERAS_PAIRS[name])
    w_ours, w_keras = fit_weights(harness, ours), fit_weights(harness, theirs)
    assert_trained(harness, w_keras)
    assert_weights_close(w_ours, w_keras)


# --- the survey's forms, related to Keras' ---------------------------------------------------


@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_ewa_momentum_equals_keras_momentum_with_scaled_rate(harness, beta):
    """§5.3: v = βv + (1−β)g, w −= ηv  ≡  Keras m = βm − η(1−β)g, w += m."""
    eta = 0.4
    w_ours = harness.train(KerasOptimizer(Momentum(beta, form="survey"), eta))
    w_keras = harness.train(keras.optimizers.SGD(eta * (1 - beta), momentum=beta))
    assert_trained(harness, w_keras)
    assert_weights_close(w_ours, w_keras, rtol=RTOL, atol=1e-6)


def test_ewa_momentum_with_same_rate_is_not_keras_momentum(harness):
    """Without the (1−β) rescaling the two forms are different optimizers."""
    w_ours = harness.train(KerasOptimizer(Momentum(0.9, form="survey"), 0.05))
    w_keras = harness.train(keras.optimizers.SGD(0.05, momentum=0.9))
    assert max_diffs(w_ours, w_keras)[0] > 1e-2


def test_survey_nesterov_in_keras_equals_keras_nesterov(harness):
    """KerasOptimizer runs the survey's look-ahead Nesterov on u = w − βv: Keras' nesterov."""
    w_ours = harness.train(KerasOptimizer(Nesterov(0.9, form="survey"), 0.05))
    w_keras = harness.train(keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True))
    assert_trained(harness, w_keras)
    assert_weights_close(w_ours, w_keras, rtol=RTOL, atol=1e-6)


def test_survey_nesterov_literal_lookahead_equals_keras_nesterov(harness):
    """The survey's rule taken literally in numpy: gradient at w − βv, then w −= v.

    Change of variables: Keras' weights after t steps equal the look-ahead point w_t − βv_t.
    """
    opt = NumpyOptimizer(Nesterov(0.9, form="survey"), 0.05)
    w = [x.copy() for x in harness.init]
    for i in range(N_STEPS):
        w = opt.step(w, harness.grads_at(opt.lookahead(w), i))
    u = opt.lookahead(w)
    w_keras = harness.train(keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True))
    assert_trained(harness, w_keras)
    assert_weights_close(u, w_keras, rtol=RTOL, atol=1e-6)
    # and w itself is not Keras' variable (they differ by βv)
    assert max_diffs(w, w_keras)[0] > 1e-3


def test_numpy_stepping_equals_keras_stepping(harness):
    """The same rule on numpy arrays (float32) and inside Keras gives the same weights."""
    rule = Adam(form="survey")
    opt = NumpyOptimizer(rule, 0.01)
    w = [x.copy() for x in harness.init]
    for i in range(N_STEPS):
        w = opt.step(w, harness.grads_at(w, i))
    assert all(x.dtype == np.float32 for x in w)
    w_keras = harness.train(KerasOptimizer(rule, 0.01))
    assert_weights_close(w, w_keras, rtol=RTOL, atol=1e-6)


def test_survey_adam_and_keras_adam_coincide_as_eps_vanishes(harness):
    """ε inside √(v̂+ε) (survey) vs ε added to √v̂ (Keras): same as ε → 0, different at large ε."""
    small = 1e-12
    w_survey = harness.train(KerasOptimizer(Adam(epsilon=small, form="survey"), 0.01))
    w_keras = harness.train(keras.optimizers.Adam(0.01, epsilon=small))
    assert_weights_close(w_survey, w_keras, rtol=RTOL, atol=1e-6)

    large = 0.1
    w_survey = harness.train(KerasOptimizer(Adam(epsilon=large, form="survey"), 0.01))
    w_keras = harness.train(keras.optimizers.Adam(0.01, epsilon=large))
    abs_diff, _ = max_diffs(w_survey, w_keras)
    assert abs_diff > 1e-2


def test_survey_rmsprop_is_keras_rmsprop_and_eps_outside_is_not(harness):
    """Keras 3 RMSprop puts ε inside the root, as the survey does; the PyTorch form differs."""
    w_keras = harness.train(keras.optimizers.RMSprop(0.01, rho=0.9, epsilon=1e-3))
    w_survey = harness.train(KerasOptimizer(RMSProp(0.9, 1e-3, form="survey"), 0.01))
    w_outside = harness.train(KerasOptimizer(RMSProp(0.9, 1e-3, form="eps_outside"), 0.01))
    assert_weights_close(w_survey, w_keras)
    assert max_diffs(w_outside, w_keras)[0] > 1e-3


# --- gradient clipping ------------------------------------------------------------------------

CLIP_KWARGS = [{"clipvalue": 0.02}, {"clipnorm": 0.05}, {"global_clipnorm": 0.08}]


@pytest.mark.parametrize("kwargs", CLIP_KWARGS, ids=lambda k: next(iter(k)))
def test_clipping_equals_keras_clipping_in_training(harness, kwargs):
    w_ours = harness.train(KerasOptimizer(SGD(), 0.5, **kwargs))
    w_keras = harness.train(keras.optimizers.SGD(0.5, **kwargs))
    w_unclipped = harness.train(keras.optimizers.SGD(0.5))
    assert_trained(harness, w_keras)
    assert_weights_close(w_ours, w_keras, rtol=RTOL, atol=1e-7)
    assert max_diffs(w_unclipped, w_keras)[0] > 1e-2, "clipping was never active"


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    ("kwarg", "fn"),
    [
        ("clipvalue", clip_by_value),
        ("clipnorm", clip_by_norm),
        ("global_clipnorm", clip_by_global_norm),
    ],
)
def test_numpy_clipping_equals_keras_one_step(kwarg, fn, seed):
    """One SGD step with η = 1 from zero weights gives w = −clip(g): compare with numpy's clip."""
    rng = np.random.default_rng(seed)
    grads = [
        (rng.standard_normal(shape) * scale).astype("float32")
        for shape, scale in [((3, 4), 2.0), ((4,), 0.01), ((5,), 1.0)]
    ]
    c = 0.5
    variables = [keras.Variable(np.zeros_like(g)) for g in grads]
    keras.optimizers.SGD(1.0, **{kwarg: c}).apply(
        [keras.ops.convert_to_tensor(g) for g in grads], variables
    )
    for v, expected in zip(variables, fn(grads, c), strict=True):
        np.testing.assert_allclose(-v.numpy(), expected, rtol=1e-6, atol=1e-7)


# --- schedules inside training ----------------------------------------------------------------

SCHEDULE_PAIRS = {
    "step": (
        lambda: StepDecay(0.5, gamma=0.5, step_size=30),
        lambda: keras.optimizers.schedules.ExponentialDecay(0.5, 30, 0.5, staircase=True),
    ),
    "exponential": (
        lambda: ExponentialDecay.from_keras(0.5, decay_steps=20, decay_rate=0.7),
        lambda: keras.optimizers.schedules.ExponentialDecay(0.5, 20, 0.7),
    ),
    "inverse_time": (
        lambda: InverseTimeDecay(0.5, decay_rate=0.05),
        lambda: keras.optimizers.schedules.InverseTimeDecay(0.5, 1, 0.05),
    ),
    "piecewise": (
        lambda: PiecewiseConstant([40, 80], [0.5, 0.1, 0.02], closed="right"),
        lambda: keras.optimizers.schedules.PiecewiseConstantDecay([40, 80], [0.5, 0.1, 0.02]),
    ),
    "sgdr": (
        lambda: CosineDecayRestarts(0.5, 15, t_mul=2.0, m_mul=0.8, alpha=0.1),
        lambda: keras.optimizers.schedules.CosineDecayRestarts(0.5, 15, 2.0, 0.8, 0.1),
    ),
}


@pytest.mark.parametrize("name", list(SCHEDULE_PAIRS))
def test_schedule_in_training_equals_keras_schedule(harness, name):
    ours, theirs = (make() for make in SCHEDULE_PAIRS[name])
    w_ours = harness.train(KerasOptimizer(Momentum(0.9, form="keras"), ours))
    w_keras = harness.train(keras.optimizers.SGD(theirs, momentum=0.9))
    assert_trained(harness, w_keras)
    assert_weights_close(w_ours, w_keras, rtol=RTOL, atol=1e-6)


def test_keras_schedule_wrapper_works_in_keras_own_optimizer(harness):
    w_ours = harness.train(keras.optimizers.SGD(StepDecay(0.5, 0.5, 30).as_keras()))
    w_keras = harness.train(
        keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.5, 30, 0.5, True))
    )
    assert_weights_close(w_ours, w_keras)


# --- configuration ---------------------------------------------------------------------------


def test_keras_optimizer_config_round_trip():
    opt = KerasOptimizer(Adam(0.8, 0.99, 1e-6, form="paper"), StepDecay(0.1, 0.5, 7), clipnorm=2.0)
    config = opt.get_config()
    clone = KerasOptimizer.from_config(config)
    assert clone.rule == opt.rule
    assert isinstance(clone._learning_rate, KerasSchedule)
    assert clone._learning_rate.schedule == StepDecay(0.1, 0.5, 7)
    assert clone.clipnorm == 2.0
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(opt))
    assert isinstance(restored, KerasOptimizer) and restored.rule == opt.rule


def test_keras_optimizer_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"learning_rate must be in \(0, inf\); got -1"):
        KerasOptimizer(SGD(), -1)
    with pytest.raises(ValueError, match="at most one of clipvalue, clipnorm, global_clipnorm"):
        KerasOptimizer(SGD(), 0.1, clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match=r"clipnorm must be in \(0, inf\); got 0"):
        KerasOptimizer(SGD(), 0.1, clipnorm=0)
