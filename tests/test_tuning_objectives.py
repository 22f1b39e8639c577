"""The objectives searches minimise: real Keras trainings and the synthetic low-dimension one."""

import math
import pickle

import numpy as np
import pytest
from scipy.optimize import minimize

from surveykit.tuning import Trial
from surveykit.tuning.objectives import (
    MLP_DEFAULTS,
    SURVEY_GRID,
    Diverged,
    LowEffectiveDimension,
    MLPObjective,
    cache_size,
    clear_cache,
    mlp_dimension,
    mlp_objective,
    mlp_space,
    survey_grid_space,
    synthetic_space,
)
from surveykit.tuning.space import Integer, LogUniform, Uniform

# Two epochs keep every training here well under a second.
FAST = {"learning_rate": 1e-2, "batch_size": 64}


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_cache()
    yield
    clear_cache()


# --------------------------------------------------------------------------- real objective


def test_same_trial_same_value_and_budget_is_epochs():
    obj = mlp_objective(epochs=2)
    a = obj(Trial(0, FAST, seed=7))  # no budget: the objective's 2 epochs
    first = obj.evaluate(FAST, None, seed=7)
    assert len(first.history["loss"]) == 2 and first.budget == 2
    assert obj.evaluate(FAST, 2.0, seed=7) is first and cache_size() == 1  # budget 2 = 2 epochs
    clear_cache()  # retrain from scratch: bit-identical
    b = obj(Trial(5, dict(FAST), budget=2, seed=7))
    assert a == b
    c = obj(Trial(0, FAST, budget=2, seed=8))  # another seed, another initialisation
    assert c != a
    assert len(obj.evaluate(FAST, 1, seed=7).history["loss"]) == 1  # a budget overrides


def test_fixed_seed_overrides_trial_seed_and_cache_is_reused():
    obj = mlp_objective(epochs=2, seed=3)
    v1 = obj(Trial(0, FAST, seed=0))
    n = cache_size()
    v2 = obj(Trial(1, FAST, seed=99))  # common random numbers: same seed used
    assert v1 == v2 and cache_size() == n == 1
    assert obj.evaluate(FAST).seed == 3


def test_value_is_keras_validation_loss_without_penalty():
    obj = mlp_objective(epochs=2, seed=0)
    ev = obj.evaluate(FAST)
    # Keras' own val_loss of the last epoch (no L2): the same number.
    assert ev.value == pytest.approx(ev.history["val_loss"][-1], rel=1e-5)
    assert 0.5 < ev.val_accuracy <= 1.0 and ev.ok and ev.error is None
    assert ev.params == {**MLP_DEFAULTS, **FAST}


def test_l2_is_attached_to_every_kernel():
    import keras

    from surveykit.regularization.penalties import l2_penalty

    obj = mlp_objective()
    model = obj.model_builder({"l2": 1e-3, "n_layers": 2, "units": 4})()
    kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
    assert len(kernels) == 3
    expected = sum(l2_penalty(np.asarray(k), 1e-3) for k in kernels)
    assert float(sum(keras.ops.convert_to_numpy(x) for x in model.losses)) == \
        pytest.approx(expected, rel=1e-5)
    assert obj.model_builder({})().losses == []


def test_divergence_is_a_failed_trial_with_its_reason():
    obj = mlp_objective(epochs=3, seed=0)
    huge = {"learning_rate": 1e3, "optimizer": "sgd"}
    ev = obj.evaluate(huge)
    assert not ev.ok and math.isnan(ev.value) and ev.error.startswith("diverged in epoch 1")
    with pytest.raises(Diverged, match="diverged in epoch 1"):
        obj(Trial(0, huge))


def test_digits_objective_is_categorical_cross_entropy():
    obj = mlp_objective("digits", epochs=1, seed=0)
    ev = obj.evaluate({"learning_rate": 1e-2, "batch_size": 128})
    assert ev.value == pytest.approx(ev.history["val_loss"][-1], rel=1e-5)
    assert ev.value < math.log(10)  # better than a uniform guess over the 10 classes


def test_objective_pickles():
    obj = mlp_objective(epochs=2, seed=1)
    again = pickle.loads(pickle.dumps(obj))
    assert again == obj and isinstance(again, MLPObjective)


@pytest.mark.parametrize("params, match", [
    ({"learning_rate": 0.0}, r"learning_rate must be in \(0, inf\); got 0.0"),
    ({"learning_rate": -1e-3}, "learning_rate must be in"),
    ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
    ({"batch_size": 32.5}, "batch_size must be an integer"),
    ({"units": 0}, "units must be an integer"),
    ({"optimizer": "lbfgs"}, "optimizer must be one of"),
    ({"momentum": 0.9}, r"unknown hyperparameter\(s\) \['momentum'\]"),
])
def test_bad_params_are_value_errors(params, match):
    with pytest.raises(ValueError, match=match):
        mlp_objective().evaluate(params)


def test_bad_settings_are_value_errors():
    with pytest.raises(ValueError, match="data must be one of"):
        MLPObjective(data="mnist")
    with pytest.raises(ValueError, match="epochs must be an integer"):
        MLPObjective(epochs=0)
    with pytest.raises(ValueError, match=r"budget \(epochs\) must be in \[1, inf\)"):
        mlp_objective().evaluate({}, budget=0.5)
    with pytest.raises(ValueError, match="trial must be a surveykit.tuning.Trial"):
        mlp_objective()({"learning_rate": 0.1})
    assert cache_size() == 0


# --------------------------------------------------------------------------- spaces


def test_spaces_are_the_survey_examples():
    space = mlp_space()
    assert space.names == ["learning_rate", "dropout"]
    assert space["learning_rate"] == LogUniform("learning_rate", 1e-5, 1e-1)
    assert space["dropout"] == Uniform("dropout", 0.2, 0.5)
    assert mlp_dimension("l2") == LogUniform("l2", 1e-6, 1e-2)
    assert mlp_dimension("batch_size") == Integer("batch_size", 16, 128, log=True)
    assert mlp_space("units", "l2").names == ["units", "l2"]
    with pytest.raises(ValueError, match=r"name \(hyperparameter\) must be one of"):
        mlp_space("epochs")
    grid = survey_grid_space().grid(3)
    assert len(grid) == 9
    lrs = sorted({p["learning_rate"] for p in grid})
    assert np.allclose(lrs, SURVEY_GRID["learning_rate"], rtol=1e-12)
    assert sorted({p["batch_size"] for p in grid}) == SURVEY_GRID["batch_size"]
    # the survey's exact values are valid points of that space
    assert len(survey_grid_space().grid(SURVEY_GRID)) == 9


# --------------------------------------------------------------------------- synthetic


def test_synthetic_optimum_is_the_global_minimum():
    f = LowEffectiveDimension(x_opt=0.3, y_opt=0.6, width=0.08, weight=0.05)
    point, best = f.optimum
    assert f.value(**point) == best == 0.0
    xs, ys = np.meshgrid(np.linspace(0, 1, 401), np.linspace(0, 1, 401))
    values = f.value(xs, ys)
    assert values.min() >= 0.0 and values.shape == (401, 401)
    # scipy from many starts in the basin lands on (x*, y*)
    for start in [(0.25, 0.1), (0.4, 0.9), (0.32, 0.5)]:
        res = minimize(lambda v: f.value(*v), start, method="Nelder-Mead",
                       options={"xatol": 1e-8, "fatol": 1e-12})
        assert np.allclose(res.x, [0.3, 0.6], atol=1e-4) and res.fun < 1e-8
    # the important parameter matters more: its range of values is ~20× wider
    assert np.ptp(f.value(xs[200], 0.6)) > 15 * np.ptp(f.value(0.3, ys[:, 200]))


def test_synthetic_through_a_trial_and_random_optima():
    f = LowEffectiveDimension()
    assert f(Trial(0, {"important": 0.3, "unimportant": 0.6})) == 0.0
    assert f(Trial(0, {"important": 0.3, "unimportant": 0.0})) == pytest.approx(0.05 * 0.36)
    assert f.space() == synthetic_space() and synthetic_space().names == ["important",
                                                                          "unimportant"]
    with pytest.raises(ValueError, match=r"important must be in \[0, 1\]"):
        f(Trial(0, {"important": 1.5, "unimportant": 0.2}))
    g1, g2 = LowEffectiveDimension.random(4), LowEffectiveDimension.random(4)
    assert g1 == g2 and g1 != LowEffectiveDimension.random(5)
    assert 0 <= g1.x_opt <= 1 and 0 <= g1.y_opt <= 1
    with pytest.raises(ValueError, match=r"width must be in \(0, inf\)"):
        LowEffectiveDimension(width=0.0)


# --------------------------------------------------------------------------- measurements


def test_decade_fractions_match_scipy_cdfs():
    from scipy import stats

    from surveykit.tuning.objectives import decade_fractions

    edges, log_frac = decade_fractions(LogUniform("learning_rate", 1e-5, 1e-1))
    assert np.allclose(edges, [1e-5, 1e-4, 1e-3, 1e-2, 1e-1])
    assert np.allclose(log_frac, 0.25)
    _, lin_frac = decade_fractions(Uniform("learning_rate", 1e-5, 1e-1))
    assert lin_frac[-1] == pytest.approx(0.09 / 0.09999, rel=1e-9)
    assert lin_frac[-2] == pytest.approx(0.009 / 0.09999, rel=1e-9)
    for dim, dist in [(LogUniform("l2", 3e-6, 2e-2), stats.loguniform(3e-6, 2e-2)),
                      (Uniform("l2", 3e-6, 2e-2), stats.uniform(3e-6, 2e-2 - 3e-6))]:
        edges, frac = decade_fractions(dim)
        assert edges[0] == 3e-6 and edges[-1] == 2e-2 and len(edges) == 6
        assert np.allclose(frac, np.diff(dist.cdf(edges)), rtol=1e-9, atol=1e-15)
        assert frac.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="positive values"):
        decade_fractions(Uniform("dropout", -0.1, 0.5))


def test_sampled_fractions_converge_to_analytic():
    from surveykit.tuning.objectives import decade_fractions, sampled_fractions

    dim = LogUniform("learning_rate", 1e-5, 1e-1)
    edges, frac = decade_fractions(dim)
    rng = np.random.default_rng(0)
    samples = [dim.sample(rng) for _ in range(20000)]
    assert np.allclose(sampled_fractions(samples, edges), frac, atol=0.015)
    assert sampled_fractions([1e-5, 1e-1], edges).tolist() == [0.5, 0, 0, 0.5]


def test_best_of_subsets():
    from surveykit.tuning.objectives import best_of_subsets

    values = np.array([3.0, 1.0, 2.0, np.nan, 5.0])
    assert np.all(best_of_subsets(values, 5) == 1.0)
    one = best_of_subsets(values, 1, draws=5000, seed=1)
    assert set(np.unique(one[np.isfinite(one)])) == {1.0, 2.0, 3.0, 5.0}
    assert np.isnan(one).mean() == pytest.approx(0.2, abs=0.02)  # a failed trial alone
    two = best_of_subsets(values, 2, draws=5000, seed=1)
    assert np.mean(two == 1.0) == pytest.approx(0.4, abs=0.03)  # P(1.0 among 2 of 5)
    assert np.array_equal(best_of_subsets(values, 3, seed=2), best_of_subsets(values, 3, seed=2))
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, 5\]"):
        best_of_subsets(values, 6)


def test_distinct_values():
    from surveykit.tuning.objectives import distinct_values

    grid = synthetic_space().grid(3)
    assert distinct_values(grid, "important") == 3 and len(grid) == 9
    trials = [Trial(i, p) for i, p in enumerate(grid)]
    assert distinct_values(trials, "unimportant") == 3


def test_tabulated_interpolates_in_log_space():
    from surveykit.tuning.objectives import Tabulated

    lrs, losses = [1e-4, 1e-3, 1e-2, 1e-1], [0.9, 0.4, 0.15, 0.3]
    t = Tabulated("learning_rate", lrs, losses)
    xs = np.geomspace(1e-4, 1e-1, 37)
    assert np.allclose(t.value(xs), np.interp(np.log10(xs), np.log10(lrs), losses))
    assert t.value(10 ** -2.5) == pytest.approx(0.275)
    assert t(Trial(0, {"learning_rate": 1e-2})) == pytest.approx(0.15)
    lin = Tabulated("dropout", [0.1, 0.5], [0.2, 0.3], log=False)
    assert lin.value(0.2) == pytest.approx(0.225)
    with pytest.raises(ValueError, match=r"learning_rate must be in \[0.0001, 0.1\]"):
        t.value(0.5)
    broken = Tabulated("learning_rate", lrs, [0.9, 0.4, 0.15, float("nan")])
    assert broken.value(2e-3) == pytest.approx(np.interp(np.log10(2e-3), [-3, -2], [0.4, 0.15]))
    with pytest.raises(Diverged, match="next to a diverged training"):
        broken(Trial(0, {"learning_rate": 0.05}))
    with pytest.raises(ValueError, match="increasing"):
        Tabulated("learning_rate", [1e-2, 1e-3], [0.1, 0.2])


def test_a_study_records_divergence_as_a_failed_trial():
    from surveykit.tuning.base import Strategy, Suggestion
    from surveykit.tuning.space import Categorical, Space
    from surveykit.tuning.study import Study

    space = Space([Categorical("learning_rate", [0.3, 1e3]),
                   Categorical("optimizer", ["sgd"]), Categorical("batch_size", [64])])

    class Both(Strategy):  # the two points, in order (no dependence on other helpers)
        def ask(self, trials, n=1):
            grid = space.grid(1)
            return [Suggestion(p) for p in grid[len(trials):len(trials) + n]]

    study = Study(space, Both(space)).optimize(mlp_objective(epochs=2, seed=0), 5,
                                               progress=None)
    ok, bad = study.trials
    assert ok.state == "complete" and ok.value == pytest.approx(ok.metrics["val_loss"][-1])
    assert len(ok.metrics["loss"]) == 2 and 0.5 < ok.metrics["val_accuracy"] <= 1
    assert bad.state == "failed" and bad.value is None
    assert bad.error.startswith("Diverged: diverged in epoch 1 (loss reached")


def test_explained_by_is_the_r2_of_a_polynomial_fit():
    from surveykit.tuning.objectives import explained_by

    rng = np.random.default_rng(0)
    lrs = 10 ** rng.uniform(-5, -1, 40)
    noise = rng.uniform(0.2, 0.5, 40)
    trials = [Trial(i, {"learning_rate": lr, "dropout": d}, state="complete",
                    value=(np.log10(lr) + 2.5) ** 2 + 0.01 * d)
              for i, (lr, d) in enumerate(zip(lrs, noise, strict=True))]
    assert explained_by(trials, "learning_rate", log=True) > 0.9999  # U-shape in log lr
    assert explained_by(trials, "dropout") < 0.2
    # the same number as numpy's own least squares + the R² definition
    v = np.array([t.value for t in trials])
    fit = np.polyval(np.polyfit(noise, v, 2), noise)
    assert explained_by(trials, "dropout") == pytest.approx(
        1 - np.sum((v - fit) ** 2) / np.sum((v - v.mean()) ** 2))
    failed = Trial(99, {"learning_rate": 1e-3, "dropout": 0.3}, state="failed")
    assert explained_by([*trials, failed], "learning_rate", log=True) > 0.9999
    with pytest.raises(ValueError, match="more than degree"):
        explained_by(trials[:3], "dropout")


def test_replay_on_synthetic_matches_a_study():
    from surveykit.tuning.objectives import replay_on_synthetic
    from surveykit.tuning.strategies import GridSearch, RandomSearch
    from surveykit.tuning.study import Study

    square = synthetic_space()
    curves = replay_on_synthetic({"grid": GridSearch(square, 3),
                                  "random": lambda s: RandomSearch(square, seed=s)}, 12,
                                 range(4))
    assert curves["grid"].shape == (4, 12) and curves["random"].shape == (4, 12)
    assert np.all(np.diff(curves["random"], axis=1) <= 0)
    assert np.all(curves["grid"][:, 9:] == curves["grid"][:, 8:9])  # 9 points, then flat
    for seed in (0, 3):
        f = LowEffectiveDimension.random(seed)
        for label, strategy in [("grid", GridSearch(square, 3)),
                                ("random", RandomSearch(square, seed=seed))]:
            n = 9 if label == "grid" else 12
            study = Study(square, strategy).optimize(f, n, progress=None)
            assert np.allclose(study.best_so_far(), curves[label][seed, :n])
    same = replay_on_synthetic({"random": lambda s: RandomSearch(square, seed=s)}, 5,
                               range(3), function_seed=7)["random"]
    f7 = LowEffectiveDimension.random(7)
    first = [RandomSearch(square, seed=1).ask([], 5)[k].params for k in range(5)]
    assert same[1, -1] == pytest.approx(min(f7.value(p["important"], p["unimportant"])
                                            for p in first))


def test_manual_search_remembers_every_try():
    from matplotlib.figure import Figure

    from surveykit.tuning.objectives import ManualSearch

    search = ManualSearch(mlp_objective(epochs=2, seed=0), fixed={"batch_size": 64})
    fig = search(learning_rate=1e-2, dropout=0.0)
    assert isinstance(fig, Figure) and len(search.history) == 1
    search(learning_rate=1e-2, dropout=0.0)  # the same try again: not a new point
    search(learning_rate=0.05, dropout=0.2)
    assert [e.params["learning_rate"] for e in search.history] == [1e-2, 0.05]
    assert all(e.params["batch_size"] == 64 and e.budget == 2 for e in search.history)
    with pytest.raises(ValueError, match="unknown hyperparameter"):
        ManualSearch(mlp_objective(), fixed={"momentum": 0.9})


# --------------------------------------------------------------------------- figures


def test_search_figures_draw_what_they_are_given():
    from matplotlib.figure import Figure

    from surveykit.tuning import search_plots as sp
    from surveykit.tuning.objectives import Evaluation

    f = LowEffectiveDimension(x_opt=0.3, y_opt=0.6)
    grid = synthetic_space().grid(3)
    rnd = [synthetic_space().sample(np.random.default_rng(k)) for k in range(9)]
    fig = sp.low_dimension_figure(f, {"grid": grid, "random": rnd})
    titles = [c.get_title() for ax in fig.axes for c in ax.child_axes]
    assert titles == ["grid: 9 trials, 3 values of the important one",
                      "random: 9 trials, 9 values of the important one"]

    fig = sp.best_values_figure({"a": [0.1, 0.2, 0.3], "b": [0.25]})
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0].startswith("a\nmedian 0.2") and labels[1] == "b\n0.25"

    V = [[0.3, float("nan")], [0.1, 0.2]]
    fig = sp.grid_heatmap([0.01, 0.1], [16, 32], V, row_name="lr", col_name="batch")
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["0.100", "0.200", "0.300", "failed"]
    with pytest.raises(ValueError, match=r"values must have shape \(2, 2\)"):
        sp.grid_heatmap([0.01, 0.1], [16, 32], [[1, 2, 3]], row_name="lr", col_name="b")

    ok = Evaluation({"learning_rate": 1e-2, "dropout": 0.1}, 3, 0, 0.2, 0.9,
                    {"loss": [0.5, 0.3, 0.2], "val_loss": [0.4, 0.3, 0.2]})
    bad = Evaluation({"learning_rate": 1.0, "dropout": 0.1}, 3, 0, float("nan"), float("nan"),
                     {}, error="diverged in epoch 1 (loss reached nan)")
    fig = sp.manual_search_figure([ok, bad], bad)
    assert "2 configurations tried; best 0.200" in fig.axes[0].get_title()
    assert fig.axes[1].get_title() == "this try failed: diverged in epoch 1 (loss reached nan)"

    fig = sp.sampling_figure(40, seed=1)
    left, right = fig.axes[:2]
    assert len(right.patches) == 8  # 4 decades × 2 kinds of sampling
    heights = np.array([p.get_height() for p in right.patches]).reshape(2, 4)
    assert np.allclose(heights.sum(axis=1), 1.0)
    fig = sp.normalisation_figure(mlp_space(), [{"learning_rate": 1e-5, "dropout": 0.2},
                                                {"learning_rate": 1e-1, "dropout": 0.5}])
    xs, ys = fig.axes[1].lines[0].get_data()
    assert np.allclose(xs, [0, 1]) and np.allclose(ys, [0, 1])
    fig = sp.response_figure({"d": ([0.1, 0.3, 0.5], [0.2, float("nan"), 0.3])}, xlabel="p")
    assert isinstance(fig, Figure) and "d: failed" in [t.get_text() for t in
                                                      fig.axes[0].get_legend().get_texts()]


def test_manual_search_panel_trains_only_on_click():
    from surveykit import widgets
    from surveykit.tuning.objectives import ManualSearch

    search = ManualSearch(mlp_objective(epochs=1, seed=0), fixed={"batch_size": 128})
    panel = widgets.panel(search, learning_rate=widgets.log_slider(1e-5, 1e-1, 1e-2),
                          dropout=widgets.float_slider(0.0, 0.5, 0.0, 0.05), run_button=True)
    assert panel.error is None and len(search.history) == 1
    panel.controls["learning_rate"].value = 1e-3
    assert len(search.history) == 1  # moving a slider does not train
    panel.button.click()
    assert panel.error is None and len(search.history) == 2
    assert search.history[-1].params["learning_rate"] == pytest.approx(1e-3)


def test_sampling_panel_redraws_on_every_move():
    from surveykit import widgets
    from surveykit.tuning.search_plots import sampling_figure

    panel = widgets.panel(sampling_figure, n_samples=widgets.int_slider(5, 300, 30),
                          seed=widgets.int_slider(0, 50, 0))
    panel.controls["n_samples"].value = 200
    assert panel.error is None and panel.calls == 2
    assert "200 samples of each kind" in panel.figure.axes[0].get_title()


def test_patience_stops_early_and_scores_the_restored_best_epoch():
    from surveykit.regularization.early_stopping import early_stopping

    # A learning rate high enough that the validation loss stops improving within 40 epochs.
    params = {"learning_rate": 0.05, "units": 64, "batch_size": 16}
    plain = mlp_objective(epochs=40, seed=0)
    stopped = mlp_objective(epochs=40, seed=0, patience=2)
    full = plain.evaluate(params)
    early = stopped.evaluate(params)
    # the same training up to the stop (same seed, same batches) ...
    rule = early_stopping(full.history, patience=2, restore_best_weights=True)
    assert rule.stopped_epoch is not None, "this setting must trigger early stopping"
    ran = len(early.history["val_loss"])
    assert ran == rule.stopped_epoch + 1 < 40
    np.testing.assert_allclose(early.history["val_loss"], full.history["val_loss"][:ran],
                               rtol=1e-5)
    # ... and the value is the penalty-free validation loss of the restored best epoch
    assert early.value == pytest.approx(full.history["val_loss"][rule.best_epoch], rel=1e-4)
    with pytest.raises(ValueError, match="patience"):
        mlp_objective(patience=-1)


def test_fit_passes_extra_callbacks():
    import keras

    epochs = []

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            epochs.append(epoch)

    run = mlp_objective(epochs=2, seed=0).fit(FAST, callbacks=[Record()])
    assert epochs == [0, 1] and run.epochs == 2


def test_label_smoothing_trains_on_the_smoothed_loss_and_scores_unsmoothed():
    import keras

    obj = mlp_objective(epochs=1, seed=0)
    smooth = MLPObjective(epochs=1, seed=0, label_smoothing=0.3)
    loss = smooth.training_loss()
    assert isinstance(loss, keras.losses.BinaryCrossentropy)
    assert loss.get_config()["label_smoothing"] == pytest.approx(0.3)
    assert obj.training_loss() == "binary_crossentropy"
    params = {"learning_rate": 0.01, "batch_size": 128}
    plain = obj.evaluate(params)
    smoothed = smooth.evaluate(params)
    # trained on another loss, so other weights; but α = 0 is exactly the plain recipe
    assert smoothed.value != pytest.approx(plain.value, rel=1e-6)
    assert MLPObjective(epochs=1, seed=0, label_smoothing=0.0).evaluate(params) is plain
    # the score is the unsmoothed cross-entropy of the trained model, as for any objective
    run = smooth.fit(params)
    assert smoothed.value == pytest.approx(smooth.scores(run.model)[0], rel=1e-5)
    with pytest.raises(ValueError, match="label_smoothing"):
        MLPObjective(label_smoothing=1.0)
    with pytest.raises(ValueError, match="only supported for the binary data"):
        MLPObjective(data="digits", label_smoothing=0.1)


def test_fixed_hyperparameters_fill_every_trial_unless_it_sets_them():
    obj = MLPObjective(epochs=1, seed=0, fixed={"units": 8, "n_layers": 2})
    assert obj.fixed == (("n_layers", 2), ("units", 8))
    params, _, _ = obj.settings({"learning_rate": 0.01})
    assert params["units"] == 8 and params["n_layers"] == 2 and params["learning_rate"] == 0.01
    assert obj.settings({"units": 4})[0]["units"] == 4  # a trial's own value wins
    run = obj.fit({"learning_rate": 0.01})
    assert [layer.units for layer in run.model.layers if hasattr(layer, "units")] == [8, 8, 1]
    # the same training as passing them explicitly (and one cache entry per objective)
    explicit = MLPObjective(epochs=1, seed=0).evaluate({"learning_rate": 0.01, "units": 8,
                                                        "n_layers": 2})
    assert obj.evaluate({"learning_rate": 0.01}).value == explicit.value
    pickle.loads(pickle.dumps(obj))
    hash(obj)
    with pytest.raises(ValueError, match="units"):
        MLPObjective(fixed={"units": 0})
    with pytest.raises(ValueError, match="unknown hyperparameter"):
        MLPObjective(fixed={"width": 3})
    with pytest.raises(ValueError, match="fixed must be a dict"):
        MLPObjective(fixed=[1, 2])
