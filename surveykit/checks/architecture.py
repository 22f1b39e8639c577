"""Checkers for the section 3 exercises (notebook 03.01): counting parameters.

The reference is :mod:`surveykit.models` (:func:`~surveykit.models.count_parameters`,
:func:`~surveykit.models.conv2d_params`), whose counts the tests tie to Keras'
``count_params``. A wrong count is compared with the typical mistakes, so the message can
name the one that was made.
"""

from __future__ import annotations

import numbers

from .. import models
from .core import Check

__all__ = ["check_count_dense_params", "check_conv_layer_params"]

DENSE_CASES = (
    ("the survey's §3.1 network (30 → 128 → 64 → 32 → 1)", 30, (128, 64, 32), 1),
    ("a tiny network (4 → 3 → 2)", 4, (3,), 2),
    ("no hidden layer at all (10 → 1, logistic regression)", 10, (), 1),
    ("a digits classifier (64 → 32 → 16 → 10)", 64, (32, 16), 10),
)

CONV_CASES = (
    ("3×3 kernels, 1 input channel, 16 filters", 3, 1, 16),
    ("3×3 kernels, 16 input channels, 32 filters", 3, 16, 32),
    ("5×5 kernels, 3 input channels (RGB), 8 filters", 5, 3, 8),
    ("1×1 kernels, 64 input channels, 10 filters", 1, 64, 10),
)


def _as_count(c: Check, got, case: str) -> int:
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        c.fail(f"return the number of parameters as an integer; got {got!r} on {case}.")
    if got != int(got):
        c.fail(f"a number of parameters is a whole number; got {got!r} on {case}.")
    return int(got)


def _dense_mistakes(n_in: int, hidden: tuple, n_out: int, expected: int) -> list:
    sizes = [n_in, *hidden, n_out]
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    first = pairs[0]
    return [
        (sum(a * b for a, b in pairs),
         "you forgot the biases: every unit of every layer (hidden and output) has one bias, "
         "so a dense layer has fan_in × units weights + units biases."),
        (expected + n_in,
         "you counted the input layer's neurons as parameters: the input layer only holds "
         "the features, it has no weights and no biases."),
        (expected + n_in * n_in + n_in,
         "you counted the input layer as a dense layer with weights: it has none; the first "
         "weights connect the inputs to the first hidden layer."),
        (expected - (sizes[-2] * n_out + n_out),
         "you forgot the output layer: its weights (last hidden width × outputs) and its "
         "biases count too."),
        (expected - (first[0] * first[1] + first[1]) if hidden else None,
         "you left out the connections from the inputs to the first hidden layer "
         "(n_inputs × first width weights + first width biases)."),
        (sum(a * b + 1 for a, b in pairs),
         "one bias per *unit*, not one per layer: a layer of 128 units has 128 biases."),
        (sum((a + 1) * (b + 1) for a, b in pairs),
         "you added a bias to the inputs and to the outputs of every layer: a layer has "
         "fan_in × units weights and units biases, (fan_in + 1) × units in all."),
        (sum(sizes[1:]),
         "you counted neurons (units), not parameters: a dense layer has fan_in × units "
         "weights plus units biases."),
        (sum(sizes),
         "you counted neurons (units), not parameters: a dense layer has fan_in × units "
         "weights plus units biases."),
    ]


def check_count_dense_params(fn) -> None:
    """Check ``fn(n_inputs, hidden_units, n_outputs)`` → the parameters of a dense network."""
    c = Check("count_dense_params")
    for case, n_in, hidden, n_out in DENSE_CASES:
        got = _as_count(c, c.call(fn, n_in, list(hidden), n_out, case=case), case)
        expected = models.count_parameters(models.Architecture(
            input_shape=(n_in,), units=hidden, output_units=n_out,
            output_activation="sigmoid" if n_out == 1 else "softmax"))
        hint = ("add, layer by layer, fan_in × units weights + units biases, from the inputs "
                "to the first hidden layer through to the output layer.")
        for value, mistake in _dense_mistakes(n_in, hidden, n_out, expected):
            if value is not None and got == value and value != expected:
                hint = mistake
                break
        c.equal(f"number of parameters for {case}", got, expected, hint=hint)
    c.passed()


def check_conv_layer_params(fn) -> None:
    """Check ``fn(kernel_size, in_channels, filters)`` → the parameters of one Conv2D layer."""
    c = Check("conv_layer_params")
    for case, k, c_in, filters in CONV_CASES:
        got = _as_count(c, c.call(fn, k, c_in, filters, case=case), case)
        expected = models.conv2d_params(k, c_in, filters)
        mistakes = [
            (k * k * c_in * filters,
             "you forgot the biases: each filter has one bias."),
            (k * k * filters + filters,
             "each filter spans *all* input channels: its kernel is k × k × in_channels."),
            (k * c_in * filters + filters,
             "a k × k kernel has k² weights per input channel, not k."),
            (k * k * c_in * filters + c_in * filters,
             "one bias per filter (output channel), not one per (input channel, filter) pair."),
            (k * k * c_in + 1,
             "that is one filter; the layer has `filters` of them, each with its own kernel "
             "and bias."),
        ]
        hint = ("each of the filters has a k × k × in_channels kernel and one bias; the count "
                "does not depend on the image size.")
        for value, mistake in mistakes:
            if got == value and value != expected:
                hint = mistake
                break
        c.equal(f"number of parameters for {case}", got, expected, hint=hint)
    c.passed()
