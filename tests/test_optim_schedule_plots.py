"""surveykit.optim.schedule_plots: Keras comparisons, the explorer, plots, noisy-SGD floors."""

import surveykit  # noqa: F401  (first: quiets TensorFlow before it is imported)

# isort: split
import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

from surveykit import widgets
from surveykit.optim import (
    Constant,
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LinearWarmup,
    PiecewiseConstant,
    StepDecay,
    surfaces,
)
from surveykit.optim import schedule_plots as sp
from surveykit.training import Run

KS = keras.optimizers.schedules


# --- comparing with Keras ------------------------------------------------------------------


def test_keras_schedule_values_vectorized_and_step_by_step():
    values = sp.keras_schedule_values(KS.ExponentialDecay(0.1, 10, 0.5, staircase=True), 25)
    np.testing.assert_allclose(values[[0, 9, 10, 20, 24]], [0.1, 0.1, 0.05, 0.025, 0.025],
                               rtol=1e-6)
    # CosineDecay with warm-up branches on a scalar step: evaluated one step at a time
    warm = KS.CosineDecay(0.0, 50, warmup_target=0.2, warmup_steps=10)
    values = sp.keras_schedule_values(warm, [0, 5, 10, 60])
    np.testing.assert_allclose(values, [0.0, 0.1, 0.2, 0.0], atol=1e-7)


def test_agrees_with_keras_accepts_equal_schedules_and_rejects_a_one_step_shift():
    b, v = [30, 60], [0.3, 0.06, 0.012]
    ok, rel = sp.agrees_with_keras(PiecewiseConstant(b, v), KS.PiecewiseConstantDecay([29, 59], v),
                                   200)
    assert ok and rel < 1e-6
    ok, rel = sp.agrees_with_keras(PiecewiseConstant(b, v), KS.PiecewiseConstantDecay(b, v), 200)
    assert not ok and rel == pytest.approx(0.8, rel=1e-6)  # ours 0.06, Keras 0.3 at t = 30
    # the keras.ops wrapper (what training evaluates) is accepted too
    ok, _ = sp.agrees_with_keras(StepDecay(0.3, 0.5, 44).as_keras(),
                                 KS.ExponentialDecay(0.3, 44, 0.5, True), np.arange(300))
    assert ok


def test_agrees_with_keras_is_sensitive_to_a_small_change_of_rate():
    ok, _ = sp.agrees_with_keras(ExponentialDecay(0.3, k=0.01), KS.ExponentialDecay(0.3, 1, 0.99),
                                 300)
    assert not ok  # e^(−0.01) = 0.99005 ≠ 0.99: off by 1.5e-3 relative after 300 steps
    with pytest.raises(ValueError, match=r"rtol must be in \(0, 1\]; got 0"):
        sp.agrees_with_keras(Constant(0.1), KS.ExponentialDecay(0.1, 1, 0.9), 10, rtol=0)


# --- the explorer ----------------------------------------------------------------------------


def test_explorer_schedule_builds_each_kind_from_its_controls():
    kw = {"gamma": 0.5, "k": 0.02, "period": 40, "t_mul": 2.0, "warmup_steps": 20,
          "total_steps": 220}
    assert sp.explorer_schedule("step decay", 0.3, **kw) == StepDecay(0.3, 0.5, 40)
    assert sp.explorer_schedule("exponential", 0.3, **kw) == ExponentialDecay(0.3, 0.02)
    assert sp.explorer_schedule("1/t", 0.3, **kw) == InverseTimeDecay(0.3, 0.02)
    assert sp.explorer_schedule("SGDR", 0.3, **kw) == CosineDecayRestarts(0.3, 40, 2.0, 0.5)
    assert sp.explorer_schedule("staircase", 0.3, **kw) == PiecewiseConstant(
        [40, 80], [0.3, 0.15, 0.075])
    assert sp.explorer_schedule("warm-up + cosine", 0.3, **kw) == LinearWarmup(
        CosineDecay(0.3, 200), 20)
    assert set(sp.EXPLORER_KINDS) == {"step decay", "exponential", "1/t", "SGDR", "staircase",
                                      "warm-up + cosine"}


def test_explorer_schedule_validates():
    with pytest.raises(ValueError, match="kind must be one of"):
        sp.explorer_schedule("cyclic")
    with pytest.raises(ValueError, match="warmup_steps"):
        sp.explorer_schedule("warm-up + cosine", warmup_steps=220, total_steps=220)
    with pytest.raises(ValueError, match="gamma"):
        sp.explorer_schedule("step decay", gamma=1.5)


@pytest.mark.parametrize("kind", sp.EXPLORER_KINDS)
def test_explorer_plot_draws_the_schedule(kind):
    fig = sp.plot_schedule_explorer(kind, 0.2, 0.6, 0.01, 30, 1.5, 15, total_steps=150,
                                    steps_per_epoch=10)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    expected = sp.explorer_schedule(kind, 0.2, gamma=0.6, k=0.01, period=30, t_mul=1.5,
                                    warmup_steps=15, total_steps=150)(np.arange(150))
    line = fig.axes[0].lines[1]
    np.testing.assert_allclose(line.get_ydata(), expected)
    assert fig.axes[1].get_yscale() == "log"
    assert kind in fig.axes[0].get_title()


def test_explorer_in_a_widget_panel_redraws_for_every_kind():
    panel = widgets.panel(sp.plot_schedule_explorer,
                          kind=widgets.choice(sp.EXPLORER_KINDS, "step decay"),
                          initial_learning_rate=widgets.log_slider(1e-3, 1.0, 0.3),
                          gamma=widgets.float_slider(0.05, 1.0, 0.5, 0.05),
                          k=widgets.log_slider(1e-4, 1.0, 0.02),
                          period=widgets.int_slider(1, 110, 44),
                          t_mul=widgets.float_slider(1.0, 3.0, 1.0, 0.25),
                          warmup_steps=widgets.int_slider(1, 110, 22))
    for kind in sp.EXPLORER_KINDS[1:]:
        panel.controls["kind"].value = kind
        assert panel.error is None, panel.error
        assert kind in panel.figure.axes[0].get_title()
    panel.controls["period"].value = 10
    assert panel.error is None and panel.calls == len(sp.EXPLORER_KINDS) + 1


# --- plots of several schedules and of runs ----------------------------------------------------


def test_plot_schedules_groups_and_colours():
    schedules = {"constant": Constant(0.1), "step": StepDecay(0.1, 0.5, 5),
                 "1/t": InverseTimeDecay(0.1, 0.2)}
    fig = sp.plot_schedules(schedules, 30, groups={"a": ["constant", "step"], "b": ["1/t", "step"]},
                            steps_per_epoch=5)
    assert len(fig.axes) == 2
    a, b = fig.axes
    assert [ln.get_label() for ln in a.lines] == ["constant", "step"]
    assert a.lines[1].get_color() == b.lines[1].get_color()  # "step" keeps its colour
    assert a.lines[0].get_linestyle() == "--"
    np.testing.assert_allclose(a.lines[1].get_xdata(), np.arange(30) / 5)
    np.testing.assert_allclose(b.lines[0].get_ydata(), schedules["1/t"](np.arange(30)))
    with pytest.raises(ValueError, match="groups must name schedules"):
        sp.plot_schedules(schedules, 30, groups={"a": ["cosine"]})
    assert sp.plot_schedules(schedules, 30, logy=True).axes[0].get_yscale() == "log"


def test_restart_steps():
    np.testing.assert_array_equal(sp.restart_steps(CosineDecayRestarts(0.1, 10, t_mul=1.0), 45),
                                  [10, 20, 30, 40])
    np.testing.assert_array_equal(sp.restart_steps(CosineDecayRestarts(0.1, 10, t_mul=2.0), 100),
                                  [10, 30, 70])
    assert sp.restart_steps(StepDecay(0.1, 0.5, 3), 50).size == 0
    # a warm-up rises at every step of the ramp
    np.testing.assert_array_equal(sp.restart_steps(LinearWarmup(Constant(0.1), 4), 10),
                                  [1, 2, 3, 4])


def _run(losses, val, diverged_at=None):
    return Run(config={}, history={"loss": losses, "val_loss": val},
               diverged=diverged_at is not None, diverged_at=diverged_at,
               bad_loss=1e9 if diverged_at else None)


def test_plot_schedule_runs_draws_rates_losses_and_marks_divergence():
    runs = {"constant": _run([0.5, 0.3, 0.2], [0.6, 0.4, 0.35]),
            "big": _run([0.9], [1.0], diverged_at=2)}
    schedules = {"constant": Constant(0.1), "big": Constant(3.0)}
    fig = sp.plot_schedule_runs(runs, schedules, steps_per_epoch=4, val_ylim=(0.1, 0.8))
    rates, train, val = fig.axes
    assert len(rates.lines) == 2
    np.testing.assert_allclose(rates.lines[0].get_xdata(), np.arange(12) / 4)
    assert train.get_yscale() == "log" and val.get_yscale() == "linear"
    assert val.get_ylim() == (0.1, 0.8) and "cut at 0.8" in val.get_title()
    labels = [t.get_text() for t in val.get_legend().get_texts()]
    assert labels == ["constant", "big — diverged in epoch 2"]
    markers = [ln for ln in train.lines if ln.get_marker() == "x"]
    assert len(markers) == 1 and markers[0].get_xdata()[0] == 2


# --- SGD with noisy gradients: the floor of a constant rate ------------------------------------


def test_noise_floor_formula_and_validation():
    assert sp.sgd_noise_floor(0.1, [1.0], 1.0) == pytest.approx(0.1 / (2 * 1.9))
    assert sp.sgd_noise_floor(0.1, [1.0, 10.0], 2.0) == pytest.approx(
        0.1 * 4 / (2 * 1.9) + 0.1 * 4 / (2 * 1.0))
    with pytest.raises(ValueError, match=r"learning_rate must be in \(0, 0.2\)"):
        sp.sgd_noise_floor(0.2, [1.0, 10.0], 1.0)
    with pytest.raises(ValueError, match="curvatures must be positive"):
        sp.sgd_noise_floor(0.1, [0.0, 1.0], 1.0)
    with pytest.raises(ValueError, match=r"noise_sd must be in \[0, inf\)"):
        sp.sgd_noise_floor(0.1, [1.0], -1.0)


@pytest.mark.parametrize("eta", [0.02, 0.1, 0.18])
def test_simulated_floor_matches_the_formula(eta):
    bowl = surfaces.Quadratic(1.0, 10.0)
    losses = sp.noisy_quadratic_losses(Constant(eta), bowl, w0=(0.0, 0.0), noise_sd=1.0,
                                       n_steps=3000, n_runs=400, seed=1)
    # starting at the minimum, the loss rises to the floor within ~1/(η·a_min) steps
    floor = sp.sgd_noise_floor(eta, [1.0, 10.0], 1.0)
    assert losses[1000:].mean() == pytest.approx(floor, rel=0.05)


def test_noisy_quadratic_losses_shape_seed_and_noiseless_case():
    bowl = surfaces.Quadratic(1.0, 10.0)
    a = sp.noisy_quadratic_losses(StepDecay(0.1, 0.5, 20), bowl, w0=(3.0, 1.0), noise_sd=0.5,
                                  n_steps=50, n_runs=7, seed=3)
    b = sp.noisy_quadratic_losses(StepDecay(0.1, 0.5, 20), bowl, w0=(3.0, 1.0), noise_sd=0.5,
                                  n_steps=50, n_runs=7, seed=3)
    assert a.shape == (51,) and np.array_equal(a, b)
    assert a[0] == pytest.approx(bowl.loss(np.array([3.0, 1.0])))
    # without noise every run is plain gradient descent: w_i ← (1 − η a_i) w_i
    clean = sp.noisy_quadratic_losses(Constant(0.1), bowl, w0=(3.0, 1.0), noise_sd=0.0,
                                      n_steps=5, n_runs=2)
    w = np.array([3.0 * 0.9**5, 1.0 * 0.0**5])
    assert clean[-1] == pytest.approx(bowl.loss(w))


def test_decay_beats_the_constant_rate_floor():
    bowl = surfaces.Quadratic(1.0, 10.0)
    kw = {"w0": (5.0, 2.0), "noise_sd": 1.0, "n_steps": 1000, "n_runs": 100, "seed": 0}
    constant = sp.noisy_quadratic_losses(Constant(0.15), bowl, **kw)
    decay = sp.noisy_quadratic_losses(InverseTimeDecay(0.15, 29 / 1000), bowl, **kw)
    assert decay[-1] < constant[-200:].mean() / 10


def test_plot_noisy_quadratic():
    losses = {"constant 0.1": np.linspace(1, 0.1, 11), "1/t": np.linspace(1, 0.01, 11)}
    fig = sp.plot_noisy_quadratic(losses, floors={"constant 0.1": 0.1}, title="t")
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and ax.get_title() == "t"
    labels = [ln.get_label() for ln in ax.lines if not ln.get_label().startswith("_")]
    assert labels == ["constant 0.1", "1/t", "predicted floor of a constant η"]
    floors = [ln for ln in ax.lines if ln.get_linestyle() == ":" and len(ln.get_ydata()) == 2]
    assert floors and floors[0].get_ydata()[0] == 0.1
