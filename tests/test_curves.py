"""surveykit.curves: learning curves from any record, and their §8.2 diagnosis on curves
whose answer is known by construction."""

import math

import keras
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss

from surveykit import curves, data, models, training
from surveykit.curves import Curves, Thresholds, diagnose
from surveykit.tuning.base import Trial
from surveykit.tuning.store import TrialStore

E = np.arange(1, 61, dtype=float)  # 60 epochs
B = math.log(2.0)  # the baseline of balanced binary labels


def decay(start, end, tau, e=E):
    """An exponential decay from ``start`` (epoch 0) towards ``end``."""
    return end + (start - end) * np.exp(-e / tau)


def overfit_curves(turn=20.0, e=E, scale=1.0):
    """Training loss decaying to ~0; validation a parabola with its minimum at ``turn``."""
    train = decay(0.7, 0.0, 8.0, e)
    val = 0.15 + 0.0004 * (e - turn) ** 2
    return Curves(scale * train, scale * val, baseline=scale * B)


def good_curves(e=E):
    train = decay(0.7, 0.05, 6.0, e)
    return Curves(train, train + 0.04, baseline=B)


# --------------------------------------------------------------------------- Curves


def test_curves_validate_and_expose_a_run_like_interface():
    c = Curves([0.5, 0.4, np.nan], [0.6, 0.5, 0.55], label="x")
    assert c.epochs == 3 and c.diverged and c.diverged_at == 3
    assert c.history == {"loss": [0.5, 0.4], "val_loss": [0.6, 0.5]}
    assert c.config == {"label": "x"}
    ok = Curves([0.5, 0.4], [0.6, 0.5])
    assert not ok.diverged and ok.diverged_at is None and ok.history["val_loss"] == [0.6, 0.5]
    assert np.allclose(ok.scaled(2.0).train, [1.0, 0.8])
    with pytest.raises(ValueError, match="one value per epoch each; got 2 and 3"):
        Curves([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="train must be a non-empty 1-D"):
        Curves([], [])
    with pytest.raises(ValueError, match="val must be a sequence of numbers"):
        Curves([1.0], ["a"])
    with pytest.raises(ValueError, match=r"baseline must be in \(0, inf\)"):
        Curves([1.0], [1.0], baseline=0.0)
    with pytest.raises(ValueError, match=r"factor must be in \(0, inf\)"):
        ok.scaled(-1)


def test_from_plain_dict_and_errors():
    c = Curves.from_history({"loss": [3, 2, 1], "val_loss": [4, 3, 2], "accuracy": [0, 1, 1]})
    assert c.train.tolist() == [3, 2, 1] and c.val.tolist() == [4, 3, 2] and c.metric == "loss"
    acc = Curves.from_history({"accuracy": [0.5, 0.6], "val_accuracy": [0.4, 0.5]},
                              metric="accuracy", label="acc")
    assert acc.metric == "accuracy" and acc.label == "acc"
    with pytest.raises(ValueError, match=r"the history has no \['val_loss'\]; it has "
                                         r"\['accuracy', 'loss'\]"):
        Curves.from_history({"loss": [1, 2], "accuracy": [0, 1]})
    with pytest.raises(ValueError, match="cannot read learning curves from int"):
        Curves.from_history(3)


@pytest.fixture(scope="module")
def tiny_split():
    return data.breast_cancer_split(seed=0)


def _tiny_model():
    return models.Architecture(input_shape=(30,), units=(4,)).build()


def test_from_a_real_keras_history(tiny_split):
    keras.utils.set_random_seed(0)
    model = _tiny_model()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    hist = model.fit(tiny_split.X_train, tiny_split.y_train,
                     validation_data=(tiny_split.X_val, tiny_split.y_val), epochs=4,
                     batch_size=128, verbose=0)
    assert type(hist).__name__ == "History"
    c = Curves.from_history(hist)
    assert c.train.tolist() == pytest.approx(hist.history["loss"], rel=1e-12)
    assert c.val.tolist() == pytest.approx(hist.history["val_loss"], rel=1e-12)
    assert c.epochs == 4 and not c.diverged


def test_from_a_run_keeps_its_divergence(tiny_split):
    run = training.fit(_tiny_model, tiny_split, optimizer=keras.optimizers.Adam(1e-2),
                       epochs=3, batch_size=128, metrics=())
    c = Curves.from_history(run)
    assert c.train.tolist() == run.history["loss"] and not c.diverged
    bad = training.Run(config={}, history={"loss": [0.7, 5.0], "val_loss": [0.7, 6.0]},
                       diverged=True, diverged_at=3, bad_loss=float("nan"))
    cb = Curves.from_history(bad)
    assert cb.epochs == 3 and cb.diverged_at == 3 and np.isnan(cb.train[2])
    assert diagnose(cb).kind == "diverged"


def test_from_a_stored_trial_and_record(tmp_path):
    store = TrialStore(tmp_path / "runs.db")
    study = store.open_study("curves", [], {"strategy": "manual"})
    store.add_trials(study.id, [{"params": {"l2": 0.0}}, {"params": {"l2": 1.0}}])
    history = {"loss": [0.6, 0.3, 0.2], "val_loss": [0.65, 0.4, 0.45], "val_accuracy": 0.9}
    store.finish_trial(study.id, 0, state="complete", value=0.45, metrics=history)
    store.finish_trial(study.id, 1, state="failed",
                       error="Diverged: diverged in epoch 3 (loss reached nan)",
                       metrics={"loss": [0.7, 9.0], "val_loss": [0.7, 9.5]})
    store.close()
    again = TrialStore(tmp_path / "runs.db")  # a new connection: read back from the file
    trials = again.trials(study.id)
    assert isinstance(trials[0], Trial)
    c = Curves.from_history(trials[0])
    assert c.train.tolist() == [0.6, 0.3, 0.2] and c.val.tolist() == [0.65, 0.4, 0.45]
    assert c.label == "trial 0"
    record = again.records(study.id)[0]
    assert Curves.from_history(record).val.tolist() == [0.65, 0.4, 0.45]
    failed = Curves.from_history(trials[1])
    assert failed.epochs == 3 and failed.diverged_at == 3
    assert Curves.from_history(again.records(study.id)[1]).diverged_at == 3
    assert diagnose(trials[1]).kind == "diverged"


# --------------------------------------------------------------------------- pieces


def test_prior_loss_is_the_log_loss_of_predicting_the_class_frequencies():
    for y in ([0, 1, 1, 1], [0, 1] * 5, np.repeat(np.arange(10), 7), [2, 2, 0, 1, 1, 1]):
        y = np.asarray(y)
        classes, counts = np.unique(y, return_counts=True)
        p = np.tile(counts / counts.sum(), (len(y), 1))
        assert math.isclose(curves.prior_loss(y), log_loss(y, p, labels=classes), rel_tol=1e-12)
    assert math.isclose(curves.prior_loss([0, 1]), math.log(2))
    assert math.isclose(curves.prior_loss(np.arange(10)), math.log(10))
    with pytest.raises(ValueError, match="at least one label"):
        curves.prior_loss([])


def test_smooth_is_a_centred_moving_average():
    rng = np.random.default_rng(0)
    v = rng.normal(size=25)
    s = curves.smooth(v, 5)
    assert np.allclose(s[2:-2], np.convolve(v, np.ones(5) / 5, mode="valid"))
    assert np.isclose(s[0], v[:3].mean()) and np.isclose(s[1], v[:4].mean())
    assert np.isclose(s[-1], v[-3:].mean())
    assert np.array_equal(curves.smooth(v, 1), v)
    with pytest.raises(ValueError, match="window must be odd"):
        curves.smooth(v, 4)
    with pytest.raises(ValueError, match=r"window must be an integer in \[1, inf\)"):
        curves.smooth(v, 0)


def test_turn_epoch_exact_on_constructed_curves():
    for turn in (5, 20, 37):
        val = 0.15 + 0.0004 * (E - turn) ** 2
        assert curves.turn_epoch(val) == turn  # a centred average keeps a parabola's vertex
        assert curves.turn_epoch(val, 1) == turn
    assert curves.turn_epoch(decay(1.0, 0.1, 10.0)) == len(E)  # still falling: the last epoch
    assert curves.turn_epoch([0.3, 0.5, 0.6]) == 1
    # a one-epoch dip is the raw minimum, not the smoothed one
    dip = [1.0, 0.8, 0.6, 0.2, 0.7, 0.55, 0.5, 0.52, 0.56, 0.6, 0.65]
    assert curves.turn_epoch(dip, 1) == 4 and curves.turn_epoch(dip, 3) == 5
    with pytest.raises(ValueError, match="NaN or inf"):
        curves.turn_epoch([1.0, np.nan, 0.5])


# --------------------------------------------------------------------------- diagnose


def test_the_three_survey_cases_and_divergence():
    over = diagnose(overfit_curves(20.0))
    assert over.kind == "overfitting" and over.turn_epoch == 20
    assert over.numbers["best_epoch"] == 20 and over.numbers["rise"] > 0.1
    assert "lowest at epoch 20" in over.reason and "keeps falling" in over.reason
    good = diagnose(good_curves())
    assert good.kind == "good fit" and good.turn_epoch is None
    assert math.isclose(good.numbers["gap"], 0.04 / B, rel_tol=1e-9)
    flat = diagnose(Curves(np.full(30, 0.68), np.full(30, 0.7), baseline=B))
    assert flat.kind == "underfitting" and flat.turn_epoch is None
    slow = diagnose(Curves(decay(0.69, 0.0, 400.0), decay(0.7, 0.0, 400.0), baseline=B))
    assert slow.kind == "underfitting"  # decreasing "very slowly": 86 % of the baseline left
    assert math.isclose(slow.numbers["train_ratio"], slow.numbers["train_end"] / B)
    for bad in (np.nan, np.inf):
        train = decay(0.7, 0.0, 8.0)
        train[6] = bad
        d = diagnose(Curves(train, train + 0.1))
        assert d.kind == "diverged" and d.numbers["diverged_at"] == 7 and d.turn_epoch is None
        assert "epoch 7" in d.reason and "diverged" in d.reason
    val_nan = good_curves().val.copy()
    val_nan[40] = np.nan
    d = diagnose(Curves(good_curves().train, val_nan))
    assert d.kind == "diverged" and "validation loss is nan in epoch 41" in d.reason


def test_noisy_versions_with_fixed_seeds():
    for seed in range(5):
        rng = np.random.default_rng(seed)
        c = overfit_curves(25.0)
        noisy = Curves(c.train * (1 + rng.normal(0, 0.03, E.size)),
                       c.val + rng.normal(0, 0.005, E.size), baseline=B)
        d = diagnose(noisy)
        assert d.kind == "overfitting" and abs(d.turn_epoch - 25) <= 3, (seed, d)
        g = good_curves()
        d = diagnose(Curves(g.train + rng.normal(0, 0.005, E.size),
                            g.val + rng.normal(0, 0.005, E.size), baseline=B))
        assert d.kind == "good fit", (seed, d)


def test_baseline_defaults_to_the_first_training_loss():
    c = good_curves()
    c.baseline = None
    assert diagnose(c).numbers["baseline"] == c.train[0]
    assert diagnose(c, baseline=2.0).numbers["baseline"] == 2.0
    assert diagnose(good_curves()).numbers["baseline"] == B


def _constant(train, val, n=10):
    return Curves(np.full(n, train), np.full(n, val), baseline=1.0)


def test_underfit_threshold_both_sides():
    th = Thresholds()
    assert diagnose(_constant(0.5 + 1e-9, 0.5 + 1e-9), th).kind == "underfitting"
    assert diagnose(_constant(0.5, 0.5), th).kind == "good fit"  # not above ½ baseline
    assert diagnose(_constant(0.3, 0.3), Thresholds(underfit=0.25)).kind == "underfitting"


def _rise(end_factor, n_after=5):
    """window-1 curves: val falls to 0.2 at epoch 10, then rises linearly to
    ``end_factor × 0.2`` over ``n_after`` epochs; train keeps falling slowly."""
    val = np.concatenate([np.linspace(0.6, 0.2, 10),
                          0.2 + (end_factor - 1) * 0.2 * np.arange(1, n_after + 1) / n_after])
    train = np.linspace(0.4, 0.1, val.size)
    return Curves(train, val, baseline=1.0)


def test_rise_threshold_both_sides():
    th = Thresholds(window=1, max_gap=10.0)
    assert diagnose(_rise(1.1 + 1e-9), th).kind == "overfitting"
    assert diagnose(_rise(1.1 + 1e-9), th).turn_epoch == 10
    assert diagnose(_rise(1.1 - 1e-9), th).kind == "good fit"
    assert diagnose(_rise(1.5), Thresholds(window=1, rise=0.6, max_gap=10.0)).kind == "good fit"


def test_min_after_threshold_both_sides():
    th = Thresholds(window=1, max_gap=10.0)
    assert diagnose(_rise(2.0, n_after=2), th).kind == "overfitting"   # 2 epochs after
    assert diagnose(_rise(2.0, n_after=1), th).kind == "good fit"      # 1 epoch after
    assert diagnose(_rise(2.0, n_after=2), Thresholds(window=1, min_after=3,
                                                       max_gap=10.0)).kind == "good fit"


def test_training_loss_must_keep_falling():
    c = _rise(2.0)
    up = Curves(np.concatenate([c.train[:10], np.full(5, c.train[9] + 0.01)]), c.val,
                baseline=1.0)
    assert diagnose(up, Thresholds(window=1, max_gap=10.0)).kind == "good fit"
    flat = Curves(np.concatenate([c.train[:10], np.full(5, c.train[9])]), c.val, baseline=1.0)
    assert diagnose(flat, Thresholds(window=1, max_gap=10.0)).kind == "good fit"  # not below
    down = Curves(np.concatenate([c.train[:10], np.full(5, c.train[9] - 1e-9)]), c.val,
                  baseline=1.0)
    assert diagnose(down, Thresholds(window=1, max_gap=10.0)).kind == "overfitting"


def test_gap_threshold_both_sides():
    th = Thresholds()
    wide = diagnose(_constant(0.1, 0.3 + 1e-9), th)
    assert wide.kind == "overfitting" and wide.turn_epoch is None
    assert "without turning up" in wide.reason
    assert diagnose(_constant(0.1, 0.3 - 1e-9), th).kind == "good fit"
    assert diagnose(_constant(0.1, 0.3 - 1e-9), Thresholds(max_gap=0.1)).kind == "overfitting"


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least 3 epochs"):
        diagnose(Curves([0.5, 0.4], [0.5, 0.4]))
    with pytest.raises(ValueError, match="reads loss curves"):
        diagnose(Curves([0.5, 0.6, 0.7], [0.5, 0.6, 0.7], metric="accuracy"))
    with pytest.raises(ValueError, match="thresholds must be a Thresholds"):
        diagnose(good_curves(), {"rise": 0.1})
    with pytest.raises(ValueError, match="window must be odd"):
        Thresholds(window=2)
    with pytest.raises(ValueError, match=r"underfit must be in \(0, inf\)"):
        Thresholds(underfit=0)
    with pytest.raises(ValueError, match=r"min_after must be an integer in \[1, inf\)"):
        Thresholds(min_after=0)
    d = diagnose({"loss": [0.7, 0.3, 0.2, 0.15], "val_loss": [0.7, 0.35, 0.25, 0.2]})
    assert d.kind == "good fit" and str(d).startswith("good fit: ")


def _near_a_threshold(d, th) -> bool:
    n = d.numbers
    near = lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(b))  # noqa: E731
    return (near(n["train_ratio"], th.underfit) or near(n["rise"], th.rise)
            or near(n["gap"], th.max_gap) or near(n["train_end"], n["train_at_best"]))


@settings(max_examples=60, deadline=None)
@given(factor=st.floats(1e-3, 1e3), turn=st.integers(3, 58), tau=st.floats(2.0, 300.0),
       curv=st.floats(0.0, 0.002), gap=st.floats(0.0, 0.4), kind=st.sampled_from(["u", "d"]))
def test_diagnosis_is_invariant_to_scaling_the_losses(factor, turn, tau, curv, gap, kind):
    """Every rule compares ratios of losses, so multiplying both curves and the baseline
    by the same factor changes nothing (documented in the module)."""
    train = decay(0.7, 0.0, tau)
    val = (0.1 + curv * (E - turn) ** 2) if kind == "u" else train + gap
    c = Curves(train, val, baseline=B)
    th = Thresholds()
    d1, d2 = diagnose(c, th), diagnose(c.scaled(factor), th)
    assume(not _near_a_threshold(d1, th))
    assert (d1.kind, d1.turn_epoch) == (d2.kind, d2.turn_epoch)
    assert math.isclose(d2.numbers["rise"], d1.numbers["rise"], rel_tol=1e-9, abs_tol=1e-12)


# --------------------------------------------------------------------------- real training


def test_fit_full_batch_matches_keras_fit(tiny_split):
    """The same weights as model.fit(batch_size=n, shuffle=False); val curve = fit's
    val_loss; train curve = the loss fit logs one epoch later (measured before that step)."""
    n = len(tiny_split.X_train)
    opt = lambda: keras.optimizers.Adam(1e-2)  # noqa: E731
    c = curves.fit_full_batch(_tiny_model, tiny_split, optimizer=opt(), epochs=5, seed=3)
    keras.utils.set_random_seed(3)
    ref = _tiny_model()
    ref.compile(optimizer=opt(), loss="binary_crossentropy")
    hist = ref.fit(tiny_split.X_train, tiny_split.y_train, batch_size=n, shuffle=False,
                   validation_data=(tiny_split.X_val, tiny_split.y_val), epochs=5, verbose=0)
    for a, b in zip(c.model.get_weights(), ref.get_weights(), strict=True):
        assert np.allclose(a, b, rtol=1e-5, atol=1e-6)
    assert np.allclose(c.val, hist.history["val_loss"], rtol=1e-5, atol=1e-6)
    assert np.allclose(c.train[:-1], hist.history["loss"][1:], rtol=1e-5, atol=1e-6)
    assert math.isclose(c.baseline, curves.prior_loss(tiny_split.y_train))
    assert c.epochs == 5 and not c.diverged


def test_fit_full_batch_leaves_the_penalty_out(tiny_split):
    from surveykit.tuning.objectives import MLPObjective

    build = MLPObjective().model_builder({"units": 4, "l2": 0.1})
    c = curves.fit_full_batch(build, tiny_split, optimizer=keras.optimizers.Adam(1e-2),
                              epochs=3)
    penalty = float(sum(np.asarray(x) for x in c.model.losses))
    assert penalty > 0.01  # a penalty that would show if it were added
    data_loss = keras.losses.binary_crossentropy(tiny_split.y_val[:, None].astype("float32"),
                                                 c.model(tiny_split.X_val, training=False))
    assert math.isclose(float(np.mean(data_loss)), c.val[-1], rel_tol=1e-5)


def test_fit_full_batch_reports_divergence(tiny_split):
    c = curves.fit_full_batch(_tiny_model, tiny_split, optimizer=keras.optimizers.SGD(1e3),
                              epochs=10)
    assert c.diverged and np.isnan(c.train[-1]) and c.epochs == c.diverged_at
    assert np.all(c.train[:-1] <= 1e6)
    assert diagnose(c).kind == "diverged"
    with pytest.raises(ValueError, match=r"max_loss must be in \(0, inf\)"):
        curves.fit_full_batch(_tiny_model, tiny_split, optimizer="adam", epochs=1, max_loss=0)
