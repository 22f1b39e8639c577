"""Keras models built from architecture hyperparameters (survey §3.1).

The survey's example (§3.1): 30 input features, three hidden layers of 128, 64 and 32
ReLU units, and one sigmoid output for binary classification — ``build_mlp(30)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .validation import check_choice, check_int

__all__ = ["SURVEY_HIDDEN_UNITS", "ACTIVATIONS", "build_mlp"]

SURVEY_HIDDEN_UNITS = (128, 64, 32)
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")


def build_mlp(
    input_dim: int,
    hidden_units: Sequence[int] = SURVEY_HIDDEN_UNITS,
    *,
    activation: str = "relu",
    output_units: int = 1,
    output_activation: str = "sigmoid",
    name: str | None = None,
):
    """A fully connected network: ``input_dim`` → hidden Dense layers → output layer.

    ``hidden_units`` gives the width of each hidden layer (its length is the depth).
    Weights use Keras' defaults (Glorot-uniform kernels, zero biases); seed Keras first
    (``sk.setup()`` or ``keras.utils.set_random_seed``) for reproducible weights.
    """
    import keras

    input_dim = check_int("input_dim", input_dim, low=1)
    hidden_units = [check_int("hidden_units[i]", u, low=1) for u in hidden_units]
    activation = check_choice("activation", activation, ACTIVATIONS)
    output_units = check_int("output_units", output_units, low=1)
    output_activation = check_choice("output_activation", output_activation,
                                     (*ACTIVATIONS, "softmax"))
    layers = [keras.Input((input_dim,))]
    layers += [keras.layers.Dense(u, activation=activation) for u in hidden_units]
    layers.append(keras.layers.Dense(output_units, activation=output_activation))
    return keras.Sequential(layers, name=name)
