"""Exercise checkers: ``sk.checks.check_<exercise>(answer)`` in each check cell."""

from .core import Check, CheckFailed
from .foundations import (
    check_bias_variance,
    check_gd_step,
    check_parameter_split,
    check_sigmoid_neuron,
)

__all__ = [
    "Check",
    "CheckFailed",
    "check_sigmoid_neuron",
    "check_gd_step",
    "check_parameter_split",
    "check_bias_variance",
]
