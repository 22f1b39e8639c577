"""surveykit.catalogue: every hyperparameter of survey §3.1–3.5, with valid ranges."""

import math
import re
from dataclasses import FrozenInstanceError, replace

import pytest

from surveykit import catalogue, models
from surveykit.catalogue import CATALOGUE, Hyperparameter
from surveykit.optim import rules, schedules
from surveykit.regularization import batchnorm

# What survey §3.1–3.5 names, bullet by bullet (the survey's words → the catalogue's name).
SURVEY = {
    "3.1": {"Number of Layers": "n_layers", "Number of Units per Layer": "units",
            "Activation Functions": "activation", "Type of Layers": "layer_type"},
    "3.2": {"Batch Size (m)": "batch_size", "Number of Epochs (E)": "epochs",
            "Learning Rate (η)": "learning_rate", "Weight Initialization": "initializer"},
    "3.3": {"L2 Regularization (Weight Decay)": "l2", "L1 Regularization": "l1",
            "Dropout Rate": "dropout", "Batch Normalization Momentum": "batch_norm_momentum",
            "Early Stopping Patience": "patience",
            "Data Augmentation Factors: rotation": "augment_rotation",
            "Data Augmentation Factors: scaling": "augment_scaling",
            "Data Augmentation Factors: flipping": "augment_flip"},
    "3.4": {"Optimizer Choice": "optimizer", "Momentum (β)": "momentum",
            "Learning Rate Decay": "decay_rate", "Gradient Clipping": "clipnorm",
            "Epsilon (ϵ)": "epsilon"},
    "3.5": {"β1": "beta_1", "β2": "beta_2", "Epsilon (ϵ)": "epsilon",
            "Bias Correction": "bias_correction",
            "Learning Rate Schedule with EWA": "lr_schedule"},
}


@pytest.mark.parametrize("section", sorted(SURVEY))
def test_every_survey_hyperparameter_is_present(section):
    in_section = catalogue.names(catalogue.by_section(section))
    for words, name in SURVEY[section].items():
        assert name in in_section, f"§{section} {words!r} missing"
    assert set(in_section) == set(SURVEY[section].values()), "nothing beyond the survey"


def test_categories_follow_the_survey_sections():
    for h in CATALOGUE:
        assert catalogue.CATEGORY_SECTIONS[h.category] == h.section, h.name
    assert list(catalogue.counts()) == list(catalogue.CATEGORIES)
    assert sum(catalogue.counts().values()) == len(CATALOGUE)
    assert len(set(catalogue.names())) == len(CATALOGUE), "names are unique"


@pytest.mark.parametrize("h", CATALOGUE, ids=catalogue.names())
def test_ranges_are_valid(h):
    assert h.description and h.label and h.range_source
    assert h.contains(h.default)
    if h.scale == "categorical":
        assert h.low is None and h.high is None and len(h.values) >= 2
        assert h.default in h.values
        return
    assert h.low < h.high
    assert h.low <= h.default <= h.high
    assert all(h.low <= v <= h.high for v in h.values)
    if h.scale == "log":
        assert h.low > 0
    if h.scale == "log1m":
        assert 0 <= h.low < h.high < 1
    if h.integer:
        assert all(float(v).is_integer() for v in (h.low, h.high, h.default, *h.values))


def test_survey_numbers():
    get = catalogue.get
    assert get("batch_size").values[:3] == (32, 64, 128)  # §3.2
    assert (get("learning_rate").low, get("learning_rate").high) == (1e-5, 1.0)  # §8.1
    assert (get("l2").low, get("l2").high) == (1e-5, 1e-2)  # §8.1
    assert (get("dropout").low, get("dropout").high) == (0.1, 0.5)  # §7.4
    assert get("batch_norm_momentum").values == (0.9, 0.99)  # §4.6
    assert get("momentum").default == 0.9  # §8.1
    assert (get("beta_1").default, get("beta_2").default, get("epsilon").default) == \
        (0.9, 0.999, 1e-8)  # §3.5
    assert get("epsilon").sections == ("3.4", "3.5")
    assert {"Xavier", "He"} <= set(re.findall(r"[A-Z]\w+", get("initializer").range_source))
    assert get("learning_rate").scale == "log" and get("dropout").scale == "linear"  # §7.4


def test_defaults_agree_with_the_package():
    adam = rules.Adam()
    assert (adam.beta_1, adam.beta_2, adam.epsilon) == tuple(
        catalogue.get(n).default for n in ("beta_1", "beta_2", "epsilon"))
    assert rules.Momentum().beta == catalogue.get("momentum").default
    assert schedules.InverseTimeDecay().decay_rate == catalogue.get("decay_rate").default
    assert batchnorm.DEFAULT_MOMENTUM in catalogue.get("batch_norm_momentum").values


def test_architecture_entries_are_valid_builder_arguments():
    defaults = {n: catalogue.get(n).default for n in
                ("activation", "layer_type", "dropout", "batch_norm_momentum", "initializer")}
    arch = models.Architecture(**defaults)
    assert arch.count_parameters() == arch.build().count_params()
    for name in ("activation", "layer_type", "initializer"):
        for value in catalogue.get(name).values:
            kwargs = {name: value}
            if value == "conv":
                kwargs["input_shape"] = (8, 8, 1)
            models.Architecture(**kwargs)  # does not raise
    units = catalogue.get("units")
    models.Architecture.from_depth_width((30,), catalogue.get("n_layers").high, int(units.high))


def test_filters_and_lookup():
    assert catalogue.names(catalogue.by_category("ewa")) == (
        "beta_1", "beta_2", "epsilon", "bias_correction", "lr_schedule")
    assert "epsilon" in catalogue.names(catalogue.by_section("3.4"))
    assert "epsilon" not in catalogue.names(catalogue.by_category("optimization"))
    assert catalogue.get("dropout").symbol == "p"
    with pytest.raises(ValueError, match="category must be one of"):
        catalogue.by_category("training hyperparameters")
    with pytest.raises(ValueError, match="section must be one of"):
        catalogue.by_section("4.1")
    with pytest.raises(ValueError, match="name must be one of"):
        catalogue.get("lr")


def test_records_are_frozen():
    with pytest.raises(FrozenInstanceError):
        catalogue.get("dropout").default = 0.9


@pytest.mark.parametrize("changes, message", [
    (dict(low=0.5, high=0.5), "high must be in"),
    (dict(low=0.6, high=0.5), "high must be in"),
    (dict(default=0.7), "dropout value must be in"),
    (dict(values=(0.05,)), "dropout value must be in"),
    (dict(scale="log", low=0.0), r"low \(log scale\) must be in \(0, inf\)"),
    (dict(scale="log1m", high=1.0), r"high \(log1m scale\) must be in"),
    (dict(scale="exp"), "scale must be one of"),
    (dict(category="misc"), "category must be one of"),
    (dict(section="4.3"), "section must be one of"),
    (dict(name="Dropout"), "lower-case identifier"),
    (dict(integer=True, default=0.25, values=()), "whole numbers"),
    (dict(scale="categorical"), "categorical hyperparameter has no low/high"),
])
def test_bad_records_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        replace(catalogue.get("dropout"), **changes)


def test_categorical_records_need_options_and_a_default_among_them():
    act = catalogue.get("activation")
    with pytest.raises(ValueError, match="at least two options"):
        replace(act, values=("relu",), default="relu")
    with pytest.raises(ValueError, match="default must be one of"):
        replace(act, default="swish")


@pytest.mark.parametrize("value, text", [
    (1e-5, "10⁻⁵"), (1e-2, "10⁻²"), (0.05, "0.05"), (3e-4, "3·10⁻⁴"), (1e-8, "10⁻⁸"),
    (0.999, "0.999"), (1.0, "1"), (30.0, "30"), (0.0, "0"), (128, "128"), (True, "on"),
    (False, "off"), ("relu", "relu"), (2.5e-7, "2.5·10⁻⁷"), (0.1, "0.1"), (-1e-3, "−10⁻³"),
])
def test_format_value(value, text):
    assert catalogue.format_value(value) == text


def test_markdown_table():
    text = catalogue.to_markdown()
    lines = text.splitlines()
    assert len(lines) == len(CATALOGUE) + 2
    assert lines[0] == "| hyperparameter | symbol | § | typical range / values | scale | default |"
    assert all(line.startswith("|") and line.endswith("|") for line in lines)
    assert all(line.count(" | ") == 5 for line in lines[2:])
    assert "| Learning rate | η | 3.2 | 10⁻⁵ – 1 (10⁻³, 10⁻², 0.1) | log | 10⁻³ |" in lines
    sub = catalogue.to_markdown(catalogue.by_category("architecture"), ("name", "description"))
    assert sub.splitlines()[2].startswith("| `n_layers` | Depth of the model")
    odd = replace(catalogue.get("dropout"), description="a | b")
    assert "a \\| b" in catalogue.to_markdown([odd], ("description",))
    with pytest.raises(ValueError, match="column must be one of"):
        catalogue.to_markdown(columns=("colour",))
    with pytest.raises(ValueError, match="Hyperparameter records"):
        catalogue.to_markdown(["dropout"])


def test_html_table_is_escaped():
    odd = replace(catalogue.get("dropout"), description="<b>&</b>")
    html = catalogue.to_html([odd], ("name", "description"))
    assert html.startswith("<table><thead><tr><th>name</th><th>description</th></tr></thead>")
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html and "<b>" not in html
    assert catalogue.to_html().count("<tr>") == len(CATALOGUE) + 1


def test_describe_and_range_text():
    text = catalogue.get("learning_rate").describe()
    assert text.splitlines()[0] == \
        "learning_rate — Learning rate (η): category 'training', survey §3.2"
    assert "typical range: 10⁻⁵ – 1" in text and "scale: log" in text
    assert catalogue.get("activation").range_text() == "relu, leaky_relu, tanh, sigmoid"
    assert catalogue.get("beta_2").range_text() == "0.99 – 0.9999"
    assert "log(1 − x)" in catalogue.get("beta_2").describe()


def test_log_scales_span_orders_of_magnitude_and_linear_ones_do_not():
    """§7.4: log scale where the range covers orders of magnitude."""
    for h in CATALOGUE:
        if h.scale == "log":
            assert h.high / h.low >= 8, h.name
        if h.scale == "log1m":
            assert (1 - h.low) / (1 - h.high) >= 5, h.name
        if h.scale == "linear" and h.low > 0:
            assert h.high / h.low < 20, h.name
    assert math.isclose(catalogue.get("units").high / catalogue.get("units").low, 128)


def test_hyperparameter_is_a_typed_dataclass():
    fields = Hyperparameter.__dataclass_fields__
    assert list(fields)[:8] == ["name", "label", "category", "section", "symbol", "scale",
                                "default", "description"]
    assert Hyperparameter.__dataclass_params__.frozen


def test_categories_table_and_survey_range_flag():
    text = catalogue.categories_markdown()
    lines = text.splitlines()
    assert len(lines) == 2 + len(catalogue.CATEGORIES)
    assert lines[2].startswith("| Model architecture | §3.1 | the structural design")
    assert "`beta_1`" in lines[-1] and lines[-1].count("`") == 2 * 5
    assert catalogue.get("learning_rate").survey_range
    assert not catalogue.get("momentum").survey_range  # §8.1 gives 0.9, not a range
    assert not catalogue.get("patience").survey_range
