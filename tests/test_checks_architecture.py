"""Checkers of notebook 03.01: the solutions pass, typical mistakes get specific hints."""

import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks, models

NOTEBOOK = "03.01-Categories-of-Hyperparameters.ipynb"


@pytest.fixture(scope="module")
def ns():
    """Run the notebook's solution cells (only those) and return what they define."""
    return solution_namespace(NOTEBOOK)


def test_notebook_solutions_pass(ns, capsys):
    checks.check_count_dense_params(ns["count_dense_params"])
    checks.check_conv_layer_params(ns["conv_layer_params"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ count_dense_params: all 4 checks passed.",
                   "✓ conv_layer_params: all 4 checks passed."]


def test_check_cells_call_the_checkers():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_count_dense_params(count_dense_params)",
        "sk.checks.check_conv_layer_params(conv_layer_params)"]


def test_reference_counts_are_keras_counts():
    from surveykit.checks.architecture import CONV_CASES, DENSE_CASES

    for _, n_in, hidden, n_out in DENSE_CASES:
        arch = models.Architecture((n_in,), hidden, output_units=n_out)
        assert arch.count_parameters() == arch.build().count_params()
    for _, k, c_in, filters in CONV_CASES:
        arch = models.Architecture((8, 8, c_in), layer_type="conv", units=(filters,),
                                   kernel_size=k, pool=False)
        assert arch.layer_parameters()[0].total == models.conv2d_params(k, c_in, filters)
        assert arch.layer_parameters()[0].total == arch.build().layers[0].count_params()


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


def _sizes(n_in, hidden, n_out):
    sizes = [n_in, *hidden, n_out]
    return list(zip(sizes[:-1], sizes[1:], strict=True))


DENSE_MISTAKES = {
    "forgot the biases": lambda n, h, o: sum(a * b for a, b in _sizes(n, h, o)),
    "counted the input layer's neurons as parameters":
        lambda n, h, o: sum(a * b + b for a, b in _sizes(n, h, o)) + n,
    "counted the input layer as a dense layer":
        lambda n, h, o: sum(a * b + b for a, b in _sizes(n, h, o)) + n * n + n,
    "forgot the output layer": lambda n, h, o: sum(a * b + b for a, b in _sizes(n, h, o)[:-1]),
    "left out the connections from the inputs":
        lambda n, h, o: sum(a * b + b for a, b in _sizes(n, h, o)[1:]),
    "one bias per *unit*, not one per layer": lambda n, h, o: sum(a * b + 1
                                                                  for a, b in _sizes(n, h, o)),
    "added a bias to the inputs and to the outputs":
        lambda n, h, o: sum((a + 1) * (b + 1) for a, b in _sizes(n, h, o)),
    "counted neurons (units), not parameters": lambda n, h, o: sum(h) + o,
}


@pytest.mark.parametrize("hint", DENSE_MISTAKES)
def test_dense_mistakes_are_named(hint):
    msg = _message(checks.check_count_dense_params, DENSE_MISTAKES[hint])
    assert msg.startswith("✗ count_dense_params: wrong number of parameters for the survey's")
    assert "Expected: 14337" in msg and "Hint:" in msg
    assert hint in msg, msg


def test_dense_mistake_on_a_later_case_and_unknown_mistake():
    def no_hidden_layer_bug(n, h, o):  # right unless there is no hidden layer
        return 0 if not h else sum(a * b + b for a, b in _sizes(n, h, o))

    msg = _message(checks.check_count_dense_params, no_hidden_layer_bug)
    assert "no hidden layer at all" in msg and "Expected: 11" in msg
    msg = _message(checks.check_count_dense_params, lambda n, h, o: 42)
    assert "add, layer by layer, fan_in × units weights + units biases" in msg


def test_dense_answers_must_be_whole_numbers():
    assert "return the number of parameters as an integer" in _message(
        checks.check_count_dense_params, lambda n, h, o: "14337")
    assert "whole number" in _message(checks.check_count_dense_params,
                                      lambda n, h, o: 14337.5)
    # a float with an integer value is accepted as long as it is right
    ok = lambda n, h, o: float(sum(a * b + b for a, b in _sizes(n, h, o)))  # noqa: E731
    checks.check_count_dense_params(ok)


CONV_MISTAKES = {
    "you forgot the biases": lambda k, c, f: k * k * c * f,
    "spans *all* input channels": lambda k, c, f: k * k * f + f,
    "k² weights per input channel": lambda k, c, f: k * c * f + f,
    "one bias per filter (output channel)": lambda k, c, f: k * k * c * f + c * f,
    "that is one filter": lambda k, c, f: k * k * c + 1,
}


@pytest.mark.parametrize("hint", CONV_MISTAKES)
def test_conv_mistakes_are_named(hint):
    msg = _message(checks.check_conv_layer_params, CONV_MISTAKES[hint])
    assert msg.startswith("✗ conv_layer_params: wrong number of parameters")
    assert hint in msg, msg


def test_conv_image_size_mistake_gets_the_general_hint():
    msg = _message(checks.check_conv_layer_params, lambda k, c, f: (k * k * c * f + f) * 64)
    assert "does not depend on the image size" in msg


@pytest.mark.parametrize("check", [checks.check_count_dense_params,
                                   checks.check_conv_layer_params])
def test_unanswered_exercises_say_so(check):
    def unanswered(*args):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="not answered yet"):
        check(unanswered)


def test_a_crashing_answer_is_reported():
    def crashes_without_hidden_layers(n, h, o):
        return sum(a * b + b for a, b in _sizes(n, h, o)) + 0 * h[0]

    msg = _message(checks.check_count_dense_params, crashes_without_hidden_layers)
    assert "your function raised IndexError" in msg and "no hidden layer at all" in msg
