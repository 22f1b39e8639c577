"""surveykit.ranges: the survey's §8.1 initial ranges, and the search spaces built from them."""

import math
from dataclasses import FrozenInstanceError, replace

import numpy as np
import pytest
from scipy import stats

from surveykit import catalogue, ranges
from surveykit.ranges import INITIAL_RANGES, Recommendation
from surveykit.tuning.objectives import HYPERPARAMETERS, _check_params
from surveykit.tuning.space import Categorical, Integer, LogUniform, Space, Uniform

# Survey §8.1, bullet by bullet (the numbers typed here from the survey's text):
#   "Start with 10^{-3} for Adam and 10^{-2} or 10^{-1} for SGD."
#   "Log-scale search: sample from η ∈ [10^{-5}, 1] instead of linear."
#   "Typical values: 32, 64, 128, 256."
#   "For fully connected layers, start with 0.2–0.5." "For convolutional layers, usually
#   lower (0.1–0.3)."  "Start with λ ∈ [10^{-5}, 10^{-2}]."
#   "Typical value: 0.9 for SGD with momentum."  "Use early stopping; start with a large
#   enough value (e.g., 100–200)."
SURVEY = {
    ("learning_rate", "adam"): dict(start=(0.001,), low=0.00001, high=1.0, scale="log"),
    ("learning_rate", "sgd"): dict(start=(0.01, 0.1), low=0.00001, high=1.0, scale="log"),
    ("batch_size", None): dict(values=(32, 64, 128, 256), scale="categorical"),
    ("dropout", "dense"): dict(low=0.2, high=0.5, scale="linear"),
    ("dropout", "conv"): dict(low=0.1, high=0.3, scale="linear"),
    ("l2", None): dict(low=0.00001, high=0.01, scale="log"),
    ("momentum", None): dict(start=(0.9,), values=(0.9,), scale="categorical"),
    ("epochs", None): dict(low=100, high=200, scale="linear"),
}


def test_every_recommendation_has_the_survey_numbers():
    assert [r.key for r in INITIAL_RANGES] == list(SURVEY), "one record per bullet, in order"
    for key, expected in SURVEY.items():
        rec = ranges.get(*key)
        for field, value in expected.items():
            assert getattr(rec, field) == value, (key, field)
        assert rec.quote, key


def test_quotes_carry_the_survey_words():
    assert "10^{-3} for Adam" in ranges.get("learning_rate", "adam").quote
    assert "10^{-2} or 10^{-1} for SGD" in ranges.get("learning_rate", "sgd").quote
    assert "[10^{-5}, 1]" in ranges.get("learning_rate", "sgd").quote
    assert "32, 64, 128, 256" in ranges.get("batch_size").quote
    assert "0.2–0.5" in ranges.get("dropout", "dense").quote
    assert "0.1–0.3" in ranges.get("dropout", "conv").quote
    assert "[10^{-5}, 10^{-2}]" in ranges.get("l2").quote
    assert "0.9" in ranges.get("momentum").quote
    assert "100–200" in ranges.get("epochs").quote and "early stopping" in \
        ranges.get("epochs").quote


def test_names_are_catalogue_names_and_the_catalogue_reads_its_numbers_from_here():
    assert ranges.names() == ("learning_rate", "batch_size", "dropout", "l2", "momentum",
                              "epochs")
    for name in ranges.names():
        assert "8.1" in catalogue.get(name).range_source or name == "momentum"
    get = catalogue.get
    lr = get("learning_rate")
    assert (lr.low, lr.high, lr.default) == (1e-5, 1.0, 1e-3)
    assert lr.values == ranges.get("learning_rate", "adam").start + \
        ranges.get("learning_rate", "sgd").start
    assert get("batch_size").values == ranges.get("batch_size").values
    assert (get("l2").low, get("l2").high) == (get("l1").low, get("l1").high) == (1e-5, 1e-2)
    assert (get("dropout").low, get("dropout").high) == (0.1, 0.5)  # conv low, dense high
    assert get("momentum").default == ranges.start("momentum") == 0.9
    assert (get("epochs").low, get("epochs").high) == (100, 200)


def test_contexts_default_and_bad_lookups():
    assert ranges.contexts("learning_rate") == ("adam", "sgd")
    assert ranges.contexts("dropout") == ("dense", "conv")
    assert ranges.contexts("l2") == (None,)
    assert ranges.get("learning_rate") is ranges.get("learning_rate", "adam")
    assert ranges.get("dropout") is ranges.get("dropout", "dense")
    with pytest.raises(ValueError, match=r"name \(a §8.1 hyperparameter\) must be one of "
                                         r"\['learning_rate', 'batch_size'"):
        ranges.get("lr")
    with pytest.raises(ValueError, match=r"context \(of learning_rate\) must be one of "
                                         r"\['adam', 'sgd'\]; got 'rmsprop'"):
        ranges.get("learning_rate", "rmsprop")
    with pytest.raises(ValueError, match=r"context \(of batch_size\) must be one of \[None\]"):
        ranges.get("batch_size", "dense")


def test_start_values():
    assert ranges.start("learning_rate") == 1e-3
    assert ranges.start("learning_rate", "sgd") == 1e-2  # the first the survey names
    assert ranges.start("momentum") == 0.9
    assert ranges.start("batch_size") == 32
    # ranges only: the centre in the range's own scale
    assert math.isclose(ranges.start("l2"), math.sqrt(1e-5 * 1e-2))
    assert math.isclose(ranges.start("dropout"), 0.35)
    assert math.isclose(ranges.start("dropout", "conv"), 0.2)
    assert ranges.start("epochs") == 150 and isinstance(ranges.start("epochs"), int)
    assert [r.survey_start for r in INITIAL_RANGES] == [True, True, False, False, False, False,
                                                        True, False]


def test_grids():
    assert ranges.grid("learning_rate") == (1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)
    assert ranges.grid("l2") == (1e-5, 1e-4, 1e-3, 1e-2)
    assert ranges.grid("dropout") == (0.2, 0.35, 0.5)
    assert ranges.grid("dropout", "conv") == (0.1, 0.2, 0.3)
    assert ranges.grid("epochs") == (100, 150, 200)
    assert ranges.grid("batch_size") == (32, 64, 128, 256)
    odd = replace(ranges.get("l2"), low=2e-5)
    ranges_backup = ranges.INITIAL_RANGES
    try:
        ranges.INITIAL_RANGES = tuple(odd if r.key == ("l2", None) else r
                                      for r in ranges_backup)
        with pytest.raises(ValueError, match="decade grid needs powers of ten"):
            ranges.grid("l2")
    finally:
        ranges.INITIAL_RANGES = ranges_backup


@pytest.mark.parametrize("name, context, kind, bounds", [
    ("learning_rate", "adam", LogUniform, (1e-5, 1.0)),
    ("learning_rate", "sgd", LogUniform, (1e-5, 1.0)),
    ("l2", None, LogUniform, (1e-5, 1e-2)),
    ("dropout", "dense", Uniform, (0.2, 0.5)),
    ("dropout", "conv", Uniform, (0.1, 0.3)),
    ("epochs", None, Integer, (100, 200)),
])
def test_dimensions_of_ranges(name, context, kind, bounds):
    d = ranges.dimension(name, context)
    assert type(d) is kind and d.name == name
    assert (d.low, d.high) == bounds
    assert d.scale == ("log" if kind is LogUniform else "linear")
    discrete = ranges.dimension(name, context, discrete=True)
    assert isinstance(discrete, Categorical)
    assert discrete.choices == ranges.grid(name, context)


def test_discrete_dimensions():
    assert ranges.dimension("batch_size") == Categorical("batch_size", [32, 64, 128, 256])
    assert ranges.dimension("momentum") == Categorical("momentum", [0.9])
    assert ranges.dimension("batch_size", discrete=True) == ranges.dimension("batch_size")


def test_space_is_built_straight_from_the_recommendations():
    s = ranges.space()
    assert isinstance(s, Space)
    assert s.names == ["learning_rate", "batch_size", "dropout", "l2"]
    assert s == Space([LogUniform("learning_rate", 1e-5, 1.0),
                       Categorical("batch_size", [32, 64, 128, 256]),
                       Uniform("dropout", 0.2, 0.5), LogUniform("l2", 1e-5, 1e-2)])
    conv = ranges.space("dropout", layer="conv")
    assert (conv["dropout"].low, conv["dropout"].high) == (0.1, 0.3)
    sgd = ranges.space("learning_rate", "momentum", "epochs", optimizer="sgd",
                       discrete=("learning_rate",))
    assert sgd["learning_rate"].choices == (1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)
    assert isinstance(sgd["epochs"], Integer)
    # every point of the default space is a valid MLPObjective configuration
    rng = np.random.default_rng(0)
    assert set(s.names) <= set(HYPERPARAMETERS)
    for _ in range(20):
        _check_params(s.sample(rng))


@pytest.mark.parametrize("kwargs, message", [
    (dict(names_=("lr",)), r"name \(a §8.1 hyperparameter\) must be one of"),
    (dict(names_=("l2", "l2")), r"each hyperparameter may be named once; \['l2'\] repeat"),
    (dict(optimizer="rmsprop"), r"optimizer must be one of \['adam', 'sgd'\]"),
    (dict(layer="recurrent"), r"layer must be one of \['dense', 'conv'\]"),
    (dict(discrete=("epochs",)), r"discrete \(one of the space's names\) must be one of"),
])
def test_space_refuses_bad_arguments(kwargs, message):
    names_ = kwargs.pop("names_", ())
    with pytest.raises(ValueError, match=message):
        ranges.space(*names_, **kwargs)


def _decade_shares(x, low, high):
    edges = 10.0 ** np.arange(round(math.log10(low)), round(math.log10(high)) + 1)
    counts, _ = np.histogram(x, bins=edges)
    return counts / len(x)


@pytest.mark.parametrize("name, low, high", [("learning_rate", 1e-5, 1.0), ("l2", 1e-5, 1e-2)])
def test_sampling_the_space_is_log_uniform(name, low, high):
    """§8.1's tip: log-uniform sampling — each decade the same share (KS test against
    scipy's loguniform, and a 4-standard-error band per decade)."""
    s = ranges.space()
    rng = np.random.default_rng(81)
    n = 4000
    x = np.array([s.sample(rng)[name] for _ in range(n)])
    assert x.min() >= low and x.max() <= high
    assert stats.kstest(x, stats.loguniform(low, high).cdf).pvalue > 0.01
    shares = _decade_shares(x, low, high)
    k = len(shares)
    assert np.all(np.abs(shares - 1 / k) < 4 * math.sqrt((1 / k) * (1 - 1 / k) / n)), shares
    # the control: a linear-scale sample of the same range fails both
    lin = np.array([Uniform(name, low, high).sample(rng) for _ in range(n)])
    assert stats.kstest(lin, stats.loguniform(low, high).cdf).pvalue < 1e-6
    assert _decade_shares(lin, low, high)[-1] > 0.89


def test_sampling_dropout_and_batch_size():
    s = ranges.space("dropout", "batch_size")
    rng = np.random.default_rng(3)
    pts = [s.sample(rng) for _ in range(2000)]
    drop = np.array([p["dropout"] for p in pts])
    assert stats.kstest(drop, stats.uniform(0.2, 0.3).cdf).pvalue > 0.01
    values, counts = np.unique([p["batch_size"] for p in pts], return_counts=True)
    assert values.tolist() == [32, 64, 128, 256]
    assert stats.chisquare(counts).pvalue > 0.01


def test_markdown_table_has_every_row():
    text = ranges.to_markdown()
    lines = text.splitlines()
    assert len(lines) == len(INITIAL_RANGES) + 2
    assert lines[0] == ("| hyperparameter | context | start | search range | scale | "
                        "searched as | the survey (§8.1) |")
    assert all(line.count(" | ") == 6 for line in lines[2:])
    for rec, line in zip(INITIAL_RANGES, lines[2:], strict=True):
        assert line.startswith(f"| {catalogue.get(rec.name).label} |")
        assert f"| {rec.range_text()} |" in line and rec.quote in line
        assert repr(ranges.dimension(rec.name, rec.context)) in line
    assert "| Learning rate | SGD | 10⁻² or 0.1 | 10⁻⁵ – 1 | log |" in text
    assert "| Dropout rate | convolutional | — | 0.1 – 0.3 | linear |" in text
    assert "| Batch size | — | — | 32, 64, 128, 256 | categorical |" in text
    assert ranges.to_markdown([ranges.get("l2")]).count("\n") == 2
    with pytest.raises(ValueError, match="Recommendation records"):
        ranges.to_markdown(["l2"])


def test_html_table_is_escaped_and_complete():
    odd = replace(ranges.get("l2"), quote="<b>&</b>")
    html = ranges.to_html([odd])
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html and "<b>" not in html
    assert ranges.to_html().count("<tr>") == len(INITIAL_RANGES) + 1
    assert ranges.to_html().startswith("<table><thead><tr><th>hyperparameter</th>")


def test_records_are_frozen_and_validated():
    rec = ranges.get("l2")
    with pytest.raises(FrozenInstanceError):
        rec.low = 1e-6
    with pytest.raises(ValueError, match=r"l2 low must be in \(0, inf\)"):
        replace(rec, low=0.0)
    with pytest.raises(ValueError, match="l2 high must be in"):
        replace(rec, high=1e-6)
    with pytest.raises(ValueError, match="scale must be one of"):
        replace(rec, scale="exp")
    with pytest.raises(ValueError, match=r"learning_rate \(adam\) value must be in"):
        replace(ranges.get("learning_rate"), start=(2.0,))
    with pytest.raises(ValueError, match="a categorical recommendation lists its values"):
        replace(ranges.get("batch_size"), values=())
    with pytest.raises(ValueError, match="batch_size start must be one of"):
        replace(ranges.get("batch_size"), start=(48,))
    with pytest.raises(ValueError, match="whole numbers"):
        replace(ranges.get("epochs"), low=100.5)
    assert Recommendation.__dataclass_params__.frozen
