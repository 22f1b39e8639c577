import math

import pytest

from surveykit.validation import check_choice, check_increasing, check_int, check_range


@pytest.mark.parametrize(
    "kwargs, value, message",
    [
        (dict(low=0, low_closed=False), 0.0, "learning_rate must be in (0, inf); got 0.0"),
        (dict(low=0, low_closed=False), -1, "learning_rate must be in (0, inf); got -1"),
        (dict(low=0, high=1, high_closed=False), 1.0, "learning_rate must be in [0, 1); got 1.0"),
        (dict(low=0), math.nan, "learning_rate must be in [0, inf); got nan"),
        (dict(low=0), math.inf, "learning_rate must be in [0, inf); got inf"),
        (dict(low=0), "0.1", "learning_rate must be a real number in [0, inf); got '0.1'"),
        (dict(low=0), True, "learning_rate must be a real number in [0, inf); got True"),
    ],
)
def test_check_range_rejects_with_name_value_and_range(kwargs, value, message):
    with pytest.raises(ValueError) as err:
        check_range("learning_rate", value, **kwargs)
    assert str(err.value) == message


def test_check_range_accepts_bounds_when_closed():
    assert check_range("beta", 0, 0, 1, high_closed=False) == 0.0
    assert check_range("p", 1, 0, 1) == 1.0


def test_check_int():
    assert check_int("patience", 3, low=0) == 3
    with pytest.raises(ValueError, match=r"patience must be an integer in \[0, inf\); got -1"):
        check_int("patience", -1, low=0)
    with pytest.raises(ValueError, match="got 2.5"):
        check_int("patience", 2.5, low=0)
    with pytest.raises(ValueError, match=r"in \[1, 3\]; got 4"):
        check_int("depth", 4, low=1, high=3)


def test_check_choice_and_increasing():
    assert check_choice("activation", "relu", ["relu"]) == "relu"
    with pytest.raises(ValueError, match=r"activation must be one of \['relu'\]; got 'elu'"):
        check_choice("activation", "elu", ["relu"])
    assert check_increasing("boundaries", [1, 2, 3]) == [1, 2, 3]
    with pytest.raises(ValueError, match="boundaries must be strictly increasing"):
        check_increasing("boundaries", [1, 3, 3])
    assert check_increasing("b", [1, 1, 2], strict=False) == [1, 1, 2]
